#!/bin/sh
# t0093: every tool's --help is its man page's SYNOPSIS, word for word,
# then one line per option, the same options as the page's option list
# (-h and -V included), translated under ja_JP.UTF-8; every usage error
# says what was wrong in one line before the synopsis; every page has
# ENVIRONMENT, FILES, EXIT STATUS and EXAMPLES in that order.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-ja.sh"

TOOLS=$(for c in "$SRCDIR"/cmd/*.c; do basename "$c" .c; done)
# Usage errors stop before any state is read; none may be found anyway.
JUKISEC_DIR=$TMP/none
export JUKISEC_DIR

# words: whitespace as one blank, none around "|".
words() { tr -s " \t\n" " " | sed "s/^ //; s/ \$//; s/ *| */|/g"; }
# synopsis FILE / opt_lines FILE: the two parts of a --help.
synopsis() { sed "/^\$/,\$d" "$1"; }
opt_lines() { sed "1,/^\$/d" "$1"; }
# names: the options named in the text read, one per line, sorted; a
# cluster of single-letter flags (-nqv) as its letters.
names() {
	grep -oE "(^|[][ ,|])--?[A-Za-z][-A-Za-z]*" | sed "s/^[][ ,|]*//" |
	while read -r o; do
		case $o in
		--*|-?) printf "%s\n" "$o" ;;
		*) printf "%s\n" "${o#-}" | sed "s/./-&\n/g" | sed "/^\$/d" ;;
		esac
	done | sort -u
}
# line1 FILE: its first line in l; lacks STRING FILE: no line of FILE
# holds STRING.  sed -n 1p and grep -q done by the shell: the loops below
# look at a few hundred stderrs, and a process for each costs more than
# the tool run that wrote it.
line1() { l=; IFS= read -r l <"$1" || :; }
lacks() {
	while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in *"$1"*) return 1 ;; esac
	done <"$2"
}
# man_synopsis TOOL / man_opts TOOL: the SYNOPSIS of its page as mandoc
# renders it, and the options of its .It Fl lines.
man_synopsis() {
	MANWIDTH=200 mandoc -Tascii "$SRCDIR/man/$1.1" | col -b |
	    sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" | sed "1d;\$d"
}
man_opts() {
	grep "^\.It Fl" "$SRCDIR/man/$1.1" | sed "s/\\\\-/-/g; s/ Ns = Ns / /g" |
	grep -oE "Fl -?[A-Za-z][-A-Za-z]*" | sed "s/^Fl /-/" | sort -u
}

for t in $TOOLS; do
	test_expect_success "$t --help: exit 0 on stdout; the synopsis is the SYNOPSIS of $t(1)" '
		$t --help >help.$t 2>err && test ! -s err &&
		synopsis help.$t | sed "1s/^usage: //" | words >u &&
		man_synopsis $t | words >m &&
		echo >>u && echo >>m && test_cmp m u
	'

	test_expect_success "$t --help: one line per option of $t(1), each with what it does" '
		opt_lines help.$t >lines &&
		test -s lines &&
		! grep -v "^ *-" lines &&
		! grep -vE "^ +-[^ ]*( [^ ]+)*  +[^ ]" lines &&
		sed "s/^ *//; s/  .*//" lines | names >got &&
		man_opts $t >want && test_cmp want got &&
		test "$(wc -l <lines)" -eq "$(sed "s/^ *//; s/  .*//" lines |
		    sed "s/^-., //" | sort -u | wc -l)" &&
		synopsis help.$t | names >syn &&
		comm -23 syn got >missing && test_cmp /dev/null missing
	'
done

# TOOL ARGS|REASON: a usage error (a wrong set of options or operands)
# and the line that must come before the synopsis, $t being the tool.
# The two of the issue first.
cat >cases <<'EOF'
log-append -u tanaka -o juminhyo|log-append: missing -a
operator-revoke -b boss -i tanaka|operator-revoke: missing --reason
auth-check|auth-check: missing -u
auth-check --pam -u x|auth-check: --pam: not with -u or --password-fd
incident-report|incident-report: missing the mode: new, step, show or list
incident-report frob|incident-report: frob: not new, step, show or list
incident-report step -b boss --step closed|incident-report: step: missing the incident id
incident-report list extra|incident-report: extra argument: extra
incident-report new -b boss --type other --summary s --step closed|incident-report: --step: not with new
incident-report list -b boss|incident-report: -b: not with list
incident-report list -t cs01|incident-report: --terminal: not with list
incident-report show 2026-0001 --terminal=cs01|incident-report: --terminal: not with show
incident-report new --type other --summary s|incident-report: missing -b
incident-report new -b boss --type other|incident-report: missing --summary
incident-report new -b boss --summary s|incident-report: missing --type
incident-report new -b boss --type unrecoverable --summary s|incident-report: --type unrecoverable needs --cause
incident-report step 2026-0001 -b boss|incident-report: missing --step
jukisec-audit extra|jukisec-audit: extra argument: extra
jukisec-audit --confirm x|jukisec-audit: missing -b
jukisec-audit -b boss|jukisec-audit: missing --confirm
jukisec-audit -b boss --confirm x --since 2026-01-01|jukisec-audit: --confirm: not with --key-file, --author, --since, --until or --fiscal-year
jukisec-audit -b boss --confirm x --lang ja|jukisec-audit: --lang: not with --confirm
jukisec-init extra|jukisec-init: extra argument: extra
log-append -a x|log-append: missing -u
log-append --seal -u x|log-append: --seal: not with -u, -a, -o, -r or -m
log-append --seal --stdin|log-append: --seal, --stdin and --recover exclude each other
log-append --recover|log-append: --recover needs --key-file (the log verification key)
log-append --seal --key-file k|log-append: --key-file is for --recover only
log-append -u x -a y extra|log-append: extra argument: extra
log-prune -q -v --discard|log-prune: -q and -v exclude each other
log-prune|log-prune: where should the removed records go? --archive FILE, or --discard
log-prune -a x --discard|log-prune: --archive and --discard exclude each other
log-prune --discard extra|log-prune: extra argument: extra
log-show --follow file|log-show: --follow and --cursor-file read the live log, not files
log-verify|log-verify: missing -k
operator-add -i x -n X|operator-add: missing -m
operator-add -n X -m password|operator-add: missing -i
operator-list extra|operator-list: extra argument: extra
operator-mod -i x|operator-mod: missing -b
operator-mod -b boss|operator-mod: missing -i
operator-mod -i x -b boss --key-file k|operator-mod: --key-file is for --recover only
operator-revoke -i x --reason r|operator-revoke: missing -b
operator-revoke -b boss --reason r|operator-revoke: missing -i
EOF

test_expect_success 'every usage error: exit 2, the reason in one line, then the synopsis' '
	while IFS="|" read -r cmd why; do
		t=${cmd%% *}
		synopsis help.$t >syn &&
		{ echo "$why"; cat syn; } >want &&
		test_must_fail 2 $cmd >out 2>err </dev/null &&
		test ! -s out &&
		test_cmp want err || { echo "in: $cmd" >&2; exit 1; }
	done <cases
'

test_expect_success 'every tool has a usage error above, and the two of the issue' '
	for t in $TOOLS; do grep -q "^$t[ |]" cases || { echo "$t" >&2; exit 1; }; done
'

# TOOL ARGS|REASON: a bad value of one option: that one line alone (SPEC:
# "errors go to stderr as PROGRAM: message, one line"), no synopsis: the
# options given were the right ones.  Half of these were followed by the
# synopsis and the other half not (log-show --format xml against
# log-show --now junk).
cat >values <<'EOF'
auth-check -u x --password-fd x|auth-check: --password-fd: not a file descriptor (0-1023)
auth-check -u x --password-fd 03|auth-check: --password-fd: not a file descriptor (0-1023)
operator-list --expiring +30|operator-list: --expiring +30: days, 0 to 36500: invalid
log-prune --archive=|log-prune: -a: empty
operator-list -f xml|operator-list: -f xml: not table, csv, json or form
log-show --format xml|log-show: --format: csv, json, table or raw, not xml
log-show --summary foo|log-show: --summary: operator, action, terminal, result or day, not foo
log-show --since junk|log-show: --since: not a time (RFC 3339, YYYY-MM-DD or "YYYY-MM-DD HH:MM"): junk
log-show --now junk|log-show: --now junk: not an RFC 3339 time
operator-list -m bogus|operator-list: -m bogus: not fingerprint, password or external
jukisec-audit --format xml|jukisec-audit: --format: xml: not text, csv or json
jukisec-audit --lang fr|jukisec-audit: --lang: fr: not ja or en
incident-report list --format xml|incident-report: --format xml: unknown (valid: table, csv, json)
incident-report list --format text|incident-report: --format text: not with list
incident-report show 2026-0001 --format table|incident-report: --format table: not with show
operator-add -i x -n X -m password --password-fd x|operator-add: --password-fd: not a file descriptor (0-1023)
operator-revoke -i x -b boss --reason r --by-password-fd -1|operator-revoke: --by-password-fd: not a file descriptor (0-1023)
log-verify -k k --anchor x|log-verify: --anchor: not a jukisec-log-anchor line
incident-report new -b boss --type other --summary s --detail-file=|incident-report: --detail-file: empty
EOF

test_expect_success 'a bad value of an option: exit 2, the reason in one line, nothing else' '
	while IFS="|" read -r cmd why; do
		echo "$why" >want &&
		test_must_fail 2 $cmd >out 2>err </dev/null &&
		test ! -s out &&
		test_cmp want err || { echo "in: $cmd" >&2; exit 1; }
	done <values
'

# getopt_long names an unknown option and a missing argument itself: one
# line, never a second one of the tool's.
test_expect_success 'unknown option, missing argument: getopt_long'"'"'s one line, then the synopsis' '
	for t in $TOOLS; do
		synopsis help.$t >syn &&
		test_must_fail 2 $t --bogus >out 2>err </dev/null &&
		line1 err && test "$l" = "$t: unrecognized option '"'"'--bogus'"'"'" &&
		sed 1d err | test_cmp syn - &&
		test_must_fail 2 $t -d >out 2>err </dev/null &&
		line1 err && test "$l" = "$t: option requires an argument -- '"'"'d'"'"'" &&
		sed 1d err | test_cmp syn - || { echo "in: $t" >&2; exit 1; }
	done
'

# The same line for every kind of option getopt_long refuses (its words, in
# its catalogue), but a long option named without what follows its "=":
# getopt_long repeated the whole word, so a password typed there by mistake
# went to standard error, which cron mails and the journal keeps.  And
# escaped as every message is, where getopt_long wrote a control character
# to the terminal.
test_expect_success 'a refused option: getopt_long'"'"'s words, a long one named without its "=" value' '
	Q="'"'"'" S=Typed-Pw-42 &&
	for t in $TOOLS; do
		for c in "--passwd=$S|unrecognized option ${Q}--passwd${Q}" \
		    "--bogus|unrecognized option ${Q}--bogus${Q}" \
		    "--help=$S|option ${Q}--help${Q} doesn${Q}t allow an argument" \
		    "--hel=$S|option ${Q}--help${Q} doesn${Q}t allow an argument" \
		    "--dir|option ${Q}--dir${Q} requires an argument" \
		    "-Z|invalid option -- ${Q}Z${Q}" \
		    "-ZV|invalid option -- ${Q}Z${Q}" \
		    "--=$S|option ${Q}--${Q} is ambiguous; possibilities: ${Q}--help${Q} ${Q}--version${Q} "; do
			set -- "${c%%|*}"
			case $c in -ZV*) set -- --dir=x "$@" ;; esac
			test_must_fail 2 $t "$@" >out 2>err </dev/null &&
			line1 err && case $l in "$t: ${c#*|}"*) ;; *) false ;; esac &&
			lacks "$S" err || { echo "in: $t $*" >&2; cat err >&2; exit 1; }
		done
	done &&
	test_must_fail 2 auth-check "$(printf -- "--\\033[2Jx")" "$(printf -- "-\\033")" 2>err &&
	line1 err && test "$l" = "auth-check: unrecognized option ${Q}--\\x1b[2Jx${Q}" &&
	test_must_fail 2 log-verify "$(printf -- "--bo\\ngus")" 2>err &&
	line1 err && test "$l" = "log-verify: unrecognized option ${Q}--bo\\x0agus${Q}" &&
	test_must_fail 2 auth-check "$(printf -- "-\\033")" 2>err &&
	line1 err && test "$l" = "auth-check: invalid option -- ${Q}\\x1b${Q}" &&
	test_must_fail 2 auth-check --pa=$S 2>err &&
	line1 err && test "$l" = "auth-check: option ${Q}--pa${Q} is ambiguous; possibilities: ${Q}--pam${Q} ${Q}--password-fd${Q}"
'

# An empty -d is not "not given": the default would be another state
# directory (jukisec-init -d "" initialised JUKISEC_DIR, else
# /var/lib/jukisec), without a word.  (An empty -t is "not given", as
# log-append(1) says: t1010.)
test_expect_success 'an empty -d: "-d: empty", one line; nothing created' '
	for t in $TOOLS; do
		for o in -d --dir=; do
			echo "$t: -d: empty" >want &&
			case $o in
			*=) test_must_fail 2 $t $o >out 2>err </dev/null ;;
			*) test_must_fail 2 $t $o "" >out 2>err </dev/null ;;
			esac &&
			test ! -s out && test_cmp want err ||
			{ echo "in: $t $o" >&2; exit 1; }
		done
	done &&
	test ! -e "$JUKISEC_DIR"
'

# An empty FILE is no file: "OPT: empty" as for -d, exit 2, before
# anything is read, printed or written.  Without it, log-show
# --cursor-file "" printed the whole log, then failed (exit 3); -k "",
# a FILE "" and --syslog= failed on a file or socket named "", and
# jukisec-audit --key-file "" made that failure a finding of its report.
# A state directory with a record and its key, so that nothing else
# stops a tool first.  Each case: the option as the line names it,
# then the command, the empty value last as "".
cat >empties <<'EOF'
--cursor-file|log-show -d $S --cursor-file ""
--cursor-file|log-show -d $S --cursor-file=""
-k|log-show -d $S -k ""
-k|log-show -d $S --key-file=""
--syslog|log-show -d $S --follow --syslog=""
FILE|log-show -d $S ""
FILE|log-show -k $S.key $S/oplog.csv ""
-k|log-verify -d $S -k ""
-k|log-verify -d $S --key-file=""
FILE|log-verify -k $S.key ""
FILE|log-verify -k $S.key "" $S/oplog.csv
--key-file|log-append -d $S --recover --key-file ""
--key-file|operator-mod -d $S --recover -i boss --key-file ""
--key-file|jukisec-audit -d $S --key-file ""
--key-file|jukisec-audit -d $S --key-file=""
EOF

test_expect_success 'an empty FILE, option or operand: "OPT: empty", one line, exit 2; nothing read, shown or written' '
	S=$TMP/emptystate && init_state "$S" && cp -a "$S" saved &&
	while IFS="|" read -r o cmd; do
		t=${cmd%% *}
		echo "$t: $o: empty" >want &&
		eval "test_must_fail 2 $cmd" >out 2>err </dev/null &&
		test ! -s out && test_cmp want err &&
		diff -r saved "$S" || { echo "in: $cmd" >&2; exit 1; }
	done <empties
'

# SPEC: errors are "PROGRAM: message"; the program, not the path it was
# run by (a cron job or a script names tools by their full path).
test_expect_success 'run by its path, a tool still names itself: getopt_long'"'"'s line too' '
	for t in $TOOLS; do
		test_must_fail 2 "$JUKISEC_BUILD/$t" --bogus >out 2>err </dev/null &&
		line1 err && test "$l" = "$t: unrecognized option '"'"'--bogus'"'"'" &&
		test_must_fail 2 "$JUKISEC_BUILD/$t" -d >out 2>err </dev/null &&
		line1 err && test "$l" = "$t: option requires an argument -- '"'"'d'"'"'" ||
		{ echo "in: $t" >&2; exit 1; }
	done
'

# Nor the name a caller chose for it (exec -a, a link): one with a control
# character in it reached the terminal raw in front of the escaped rest,
# and "a<LF>log-show" made one tool's message another's line.
test_expect_success 'run by a name with ESC or LF in it, a tool still names itself' '
	ESC=$(printf "\033") LF="
" &&
	for t in $TOOLS; do
		rm -rf nm && mkdir nm &&
		ln -s "$JUKISEC_BUILD/$t" "nm/x${ESC}[2Jy" &&
		ln -s "$JUKISEC_BUILD/$t" "nm/a${LF}log-show" &&
		for n in "x${ESC}[2Jy" "a${LF}log-show"; do
			test_must_fail 2 "nm/$n" --bogus >out 2>err </dev/null &&
			line1 err && test "$l" = "$t: unrecognized option '"'"'--bogus'"'"'" &&
			! grep -q "$ESC" err && "nm/$n" -V >out &&
			test "$(cat out)" = "jukisec $t $(sed -n "s/^VERSION *= *//p" "$SRCDIR/Makefile")" ||
			{ echo "in: $t" >&2; cat err out >&2; exit 1; }
		done
	done
'

test_expect_success 'every page: ENVIRONMENT, FILES, EXIT STATUS, EXAMPLES in that order' '
	for p in $TOOLS pam_jukisec; do
		f=$(ls "$SRCDIR"/man/$p.[18]) &&
		grep -E "^\.Sh (ENVIRONMENT|FILES|EXIT STATUS|EXAMPLES)\$" "$f" |
		    tr "\n" "|" >got && echo >>got &&
		echo ".Sh ENVIRONMENT|.Sh FILES|.Sh EXIT STATUS|.Sh EXAMPLES|" |
		    test_cmp - got &&
		mandoc -Tlint -W warning "$f" >lint 2>&1 && test ! -s lint ||
		    { echo "in: $f" >&2; cat lint >&2; exit 1; }
	done
'

test_expect_success 'pam_jukisec(8) says why it has no -h or -V' '
	grep -A3 "it has no" "$SRCDIR/man/pam_jukisec.8" | grep -q "^\.Fl V"
'

if test_have_prereq MOUNTNS,LOCALEDIR; then
	test_expect_success 'localedef builds ja_JP.UTF-8 (once per build directory)' 'ja_locale'

	# name_col / desc_col: the two columns of the option lines.
	name_col() { opt_lines "$1" | sed "s/^ *//; s/  .*//"; }
	desc_col() { opt_lines "$1" | sed "s/^ *//; s/^\([^ ]\| [^ ]\)*  *//"; }

	# One mount namespace for the twelve --help (a ja_run costs 0.2 s).
	test_expect_success 'under ja_JP.UTF-8 every --help is Japanese: the usage word and every option line' '
		ja_run sh -c "for t; do \$t --help >ja.\$t 2>err.\$t ||
		    echo \"\$t: exit \$?\" >>ja.fail; done" sh $TOOLS &&
		test ! -e ja.fail &&
		for t in $TOOLS; do
			test ! -s err.$t &&
			grep -q "^使用法: $t " ja.$t &&
			name_col help.$t >en.names && name_col ja.$t >ja.names &&
			test_cmp en.names ja.names &&
			desc_col help.$t | LC_ALL=C grep "[^ -~]" >bad; test ! -s bad &&
			desc_col ja.$t >ja.desc && test "$(wc -l <ja.desc)" -gt 2 &&
			LC_ALL=C grep -v "[^ -~]" ja.desc >bad; test ! -s bad ||
			    { echo "in: $t" >&2; cat bad >&2; exit 1; }
		done
	'

	# glibc's catalogue has this line; log-append, which sets its locale
	# up only for a message, printed it in English.
	test_expect_success 'under ja_JP.UTF-8 getopt_long'"'"'s line is in the C library'"'"'s Japanese, log-append'"'"'s too' '
		ja_run sh -c "for t; do \$t -Z 2>&1 >/dev/null | sed -n 1p; done" sh $TOOLS >ja.getopt &&
		for t in $TOOLS; do echo "$t: 無効なオプション -- '"'"'Z'"'"'"; done >want &&
		test_cmp want ja.getopt
	'

	test_expect_success 'under ja_JP.UTF-8 the reason of a usage error is Japanese, then the Japanese synopsis' '
		test_must_fail 2 ja_run log-append -u tanaka -o juminhyo 2>err </dev/null &&
		sed -n 1p err | LC_ALL=C grep -q "^log-append: .*-a.*[^ -~]" &&
		sed -n 2p err | grep -q "^使用法: log-append "
	'
else
	test_skip 'the Japanese --help' "$prereq_missing"
fi

test_done
