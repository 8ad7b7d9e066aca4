#!/bin/sh
# Output is safe for terminals, input has one rule (esc.h): a control
# character (C0 but LF, DEL, C1 such as CSI), a bidirectional override or
# isolate, or a line separator is refused in every free-text field alike
# (names, sections, titles, reasons, summaries, notes, terminal names from -t,
# JUKISEC_TERMINAL and PAM_RHOST), and whatever reaches a file another way
# is shown escaped in every report, table and message.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

ESC=$(printf '\033')
# The bad values, one per line as the shell cannot hold NUL anyway: ESC
# (a screen clear), TAB, DEL, C1 CSI U+009B, RLO U+202E, LSEP U+2028.
printf '%s\n' "a${ESC}[2Jb" "$(printf 'a\tb')" "$(printf 'a\177b')" \
    "$(printf 'a\302\233b')" "$(printf 'a\342\200\256b')" \
    "$(printf 'a\342\200\250b')" >"$TMP/bad"

test_expect_success 'set up' '
	reg_state && bootstrap && add_pw tanaka && pw x x-secret-123
'

# values_all FILE PATTERN CMD...: CMD with each value of FILE (one a line)
# in place of BAD (in any word) exits 2 with one line matching PATTERN,
# and the state is unchanged.  The runs' stderr go to one file, a line
# "=== end of run" after each, which one awk checks as one_line_matching
# would each (a wc and a grep a run cost more than the run itself).
values_all() {
	_f=$1 _p=$2 _k=0; shift 2
	cp "$D/operators.csv" r.before && cp "$D/oplog.csv" l.before && : >errs &&
	while IFS= read -r v; do
		bad_run "$v" "$@" 2>>errs </dev/null || { cat errs >&2; return 1; }
		echo "=== end of run" >>errs
		_k=$((_k + 1))
	done <"$_f" &&
	_p=$_p awk -v k=$_k '
	$0 == "=== end of run" {
		if (n != 1 || !ok) {
			printf "run %d: want one line matching %s, got %d:\n%s", runs + 1,
			    ENVIRON["_p"], n, text >"/dev/stderr"
			bad = 1
		}
		runs++; n = ok = 0; text = ""; next
	}
	{ n++; text = text $0 "\n"; ok = $0 ~ ENVIRON["_p"] }
	END { exit bad || n || runs != k }' errs &&
	cmp r.before "$D/operators.csv" && cmp l.before "$D/oplog.csv"
}
# refused_all CMD...: each bad value, "... contains a control character".
refused_all() { values_all "$TMP/bad" "contains a control character" "$@"; }

# bad_run V CMD...: CMD with V in place of BAD in each word must exit 2.
# The words are rebuilt in the function's own arguments: no quoting, no
# process per word.
bad_run() {
	_v=$1; shift; _n=$#
	for _w; do
		case $_w in *BAD*) _w=${_w%%BAD*}$_v${_w#*BAD} ;; esac
		set -- "$@" "$_w"
	done
	shift "$_n"
	test_must_fail 2 "$@"
}

test_expect_success 'names and sections (operator-add, operator-mod)' '
	refused_all operator-add -d "$D" -b boss -i x -n BAD -m password \
	    --reason r --instructions-given 2026-11-01 &&
	refused_all operator-add -d "$D" -b boss -i x -n X -s BAD -m password \
	    --reason r --instructions-given 2026-11-01 &&
	refused_all operator-mod -d "$D" -b boss -i tanaka -n BAD &&
	refused_all operator-mod -d "$D" -b boss -i tanaka -s BAD
'

test_expect_success 'titles (operator-add, operator-mod --title)' '
	refused_all operator-add -d "$D" -b boss -i x -n X --title BAD -m password \
	    --reason r --instructions-given 2026-11-01 &&
	refused_all operator-mod -d "$D" -b boss -i tanaka --title BAD
'

test_expect_success 'reasons (operator-add, operator-mod, operator-revoke)' '
	refused_all operator-add -d "$D" -b boss -i x -n X -m password \
	    --reason BAD --instructions-given 2026-11-01 &&
	refused_all operator-mod -d "$D" -b boss -i tanaka --reason BAD &&
	refused_all operator-revoke -d "$D" -b boss -i tanaka --reason BAD
'

# Text of spaces only (U+3000, the ideographic space, too) says nothing:
# a name, a reason, a summary or a terminal name of them is refused as
# empty, by every tool alike (incident-report's rule for a summary).
printf '%s\n' " " "   " "　" " 　 " >"$TMP/blank"
blank_all() { values_all "$TMP/blank" "$@"; }	# blank_all PATTERN CMD...

test_expect_success 'spaces only (U+3000 too) is empty: names, reasons, summaries, terminals' '
	blank_all "^operator-add: -n: empty\$" operator-add -d "$D" -b boss -i x -n BAD \
	    -m password --reason r --instructions-given 2026-11-01 &&
	blank_all "needs --reason TEXT .R5.3 proviso.\$" operator-add -d "$D" -b boss -i x \
	    -n X -m password --reason BAD --instructions-given 2026-11-01 &&
	blank_all "^operator-mod: -n: empty\$" operator-mod -d "$D" -b boss -i tanaka -n BAD &&
	blank_all "^operator-mod: --reason: empty\$" operator-mod -d "$D" -b boss -i tanaka \
	    --reason BAD &&
	blank_all "^operator-revoke: --reason: empty\$" operator-revoke -d "$D" -b boss \
	    -i tanaka --reason BAD &&
	blank_all "^incident-report: --summary: empty\$" incident-report -d "$D" -b boss new \
	    --type other --cause fire --summary BAD &&
	blank_all "^auth-check: -t: invalid terminal name: empty\$" auth-check -d "$D" -t BAD \
	    -u tanaka --password-fd 0 &&
	blank_all "^log-append: -t: invalid terminal name: empty\$" log-append -d "$D" -t BAD \
	    -u a -a b
'

test_expect_success 'summaries and notes (incident-report new, step)' '
	refused_all incident-report -d "$D" -b boss new --type other --cause fire \
	    --summary BAD &&
	incident-report -d "$D" -b boss --by-password-fd 3 new --type other \
	    --cause fire --summary ok 3<"$TMP/pw.boss" >id &&
	refused_all incident-report -d "$D" -b boss step "$(cat id)" \
	    --step investigated --note BAD
'

test_expect_success 'terminal names: -t, JUKISEC_TERMINAL, PAM_RHOST' '
	refused_all auth-check -d "$D" -t BAD -u tanaka --password-fd 0 &&
	refused_all log-append -d "$D" -t BAD -u a -a b &&
	refused_all env JUKISEC_TERMINAL=BAD auth-check -d "$D" -u tanaka --password-fd 0 &&
	refused_all env PAM_USER=tanaka PAM_RHOST=BAD auth-check -d "$D" --pam
'

test_expect_success 'the same text without them is accepted, kanji included' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -n "田中 一郎" \
	    -s "市民課 (窓口)" 4<"$TMP/pw.boss" &&
	auth tanaka "$TMP/pw.tanaka" -t "端末-01"
'

# clean FILE: no ESC, no C1, no bidi override in FILE's bytes.
clean() {
	! grep -q "$ESC" "$1" && ! grep -q "$(printf '\302\233')" "$1" &&
	    ! grep -q "$(printf '\342\200\256')" "$1"
}

test_expect_success 'operator-list: a name put in by hand is shown escaped' '
	csv_set "$D/operators.csv" tanaka name "$(printf "x\033[2J\302\233\342\200\256y")" &&
	operator-list -d "$D" >t &&
	clean t && grep -q "x\\\\x1b\\[2J\\\\u009b\\\\u202ey" t &&
	operator-list -d "$D" -f csv >c && grep -q "$ESC" c
'

test_expect_success 'incident-report: a summary put in by hand is a row left out, never shown' '
	csv_set "$D/incidents.csv" "$(cat id)" summary "$(printf "s\033]0;pwned\007")" &&
	test_must_fail 1 incident-report -d "$D" show "$(cat id)" >r 2>err &&
	grep -q "incidents.csv:2: field summary: contains a control character (row left out)$" err &&
	incident-report -d "$D" list --format csv >l 2>err &&
	clean l && clean err && ! grep -q pwned l &&
	csv_set "$D/incidents.csv" "$(cat id)" summary ok
'

test_expect_success 'a title and name put in by hand: escaped in the table, the form and the report' '
	csv_set "$D/operators.csv" boss title "$(printf "t\033[2J\342\200\256z")" &&
	operator-list -d "$D" >t && clean t && grep -q "t\\\\x1b\\[2J\\\\u202ez" t &&
	operator-list -d "$D" -a -f form >f && clean f &&
	grep -q "t\\\\x1b\\[2J\\\\u202ez  *Boss" f && grep -q "x\\\\x1b\\[2J" f &&
	incident-report -d "$D" show "$(cat id)" --lang ja >r && clean r &&
	grep -q "^セキュリティ責任者 t\\\\x1b\\[2J\\\\u202ez Boss\$" r &&
	csv_set "$D/operators.csv" boss title ""
'

test_expect_success 'jukisec-audit: a terminal name in the log, escaped in the report' '
	for i in 1 2 3 4 5; do auth-check -d "$D" -u nobody --password-fd 0 </dev/null 2>/dev/null; done;
	python3 - "$D/oplog.csv" <<-\EOF &&
	import csv, sys
	p = sys.argv[1]
	rows = list(csv.reader(open(p, newline="")))
	for r in rows[1:]:
	    if r[4] == "auth" and r[5] == "nobody": r[2] = "cs\x1b[2J01"
	csv.writer(open(p, "w", newline=""), lineterminator="\n").writerows(rows)
	EOF
	jukisec-audit -d "$D" --lang en >a.txt;
	clean a.txt && grep -q "cs\\\\x1b\\[2J01" a.txt
'

test_expect_success 'messages quote the input escaped' '
	test_must_fail 2 operator-revoke -d "$D" -b boss -i "$(printf "a\033[2Jb")" \
	    --reason r 2>err &&
	clean err && grep -q "a\\\\x1b\\[2Jb" err
'

# A message is one line whatever it quotes: a path or a value with a line
# feed in it printed two, the second read as a message of its own by a
# script or a person (and TAB, which a log parser splits on, escaped too).
test_expect_success 'a message quoting a line feed or a TAB is one line' '
	nl="$(printf "x\nlog-verify: ok")" &&
	test_must_fail 3 log-verify -d "$D/$nl" -k /dev/null 2>err &&
	one_line_matching err "^log-verify: $D/x\\\\x0alog-verify: ok: " &&
	test_must_fail 3 log-prune -d "$D" -r 400 -a "$TMP/$nl/a" 2>err &&
	one_line_matching err "^log-prune: .*x\\\\x0alog-verify: ok" &&
	test_must_fail 2 operator-revoke -d "$D" -b boss -i "$(printf "a\tb")" \
	    --reason r 2>err &&
	one_line_matching err "a\\\\x09b"
'

test_done
