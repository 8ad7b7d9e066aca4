#!/bin/sh
# The gate on a failing disk (tests/lib-crash.sh fail_every): auth-check
# (a wrong password, the right one, the attempt that locks) and a
# manager's -b check with its change (operator-mod, operator-add,
# operator-revoke), each run once with every one of its steps, then every
# one of its syncs, failing (EIO, ENOSPC, EDQUOT; a write that can tear
# also after its first page's part).  Each time: exit 3, never an
# admission, one line naming the state directory or its file; the log
# verifies; no failed-attempt count moves without the record of the
# attempt (R5.2, R6: "when a decision cannot be recorded, the answer is
# no"); the register reads; and the next attempt is counted and logged as
# ever, leaving no temporary file.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-crash.sh"

test_expect_success 'set up: a manager, an operator with one failure' '
	reg_state && bootstrap && add_pw tanaka && add_pw gone &&
	pw wrong Not-The-Pw-42 && pw new new-secret-1 &&
	test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	cp -a "$D" "$TMP/saved"
'

# facts [LIST]: what the checks below read, from one awk run over the
# register, the log, the failing run's stderr and LIST (operator-list -a
# -f csv), set as shell variables: per fault, field, logged_fails, grep
# -c, wc and sort took some forty processes, the awk one.
#   failed_ID, logged_ID: counted's two sides (lib-register.sh) for
#	tanaka and boss; section (tanaka's), revoked (gone's revoked_at),
#	rows_new (rows of new);
#   ok_ACTION, error_ACTION: grep -c ",ACTION,ID,ok," (",error,") of the
#	log, for mod (tanaka), add (new) and revoke (gone);
#   err_match: a line of fail.err matches $err_re (grep -E);
#   want_creds: the credentials LIST's live rows want (reconciled's).
facts() {
	_fx=$(_fre=${err_re:-^} csv_awk '
	FILENAME ~ /operators\.csv$/ {
		if (index(csv_r, "new,") == 1) rows_new++
		if (!h && NF_) { h = 1; for (k = 1; k <= NF_; k++) col[F[k]] = k; next }
		# two rows of an id: both counts, as field prints them
		if (NF_) { id = F[col["id"]]
			v = ((id in failed) ? failed[id] "\n" : "") F[col["failed"]]
			failed[id] = v
			if (id == "tanaka") section = F[col["section"]]
			if (id == "gone") revoked = F[col["revoked_at"]] }
		next
	}
	FILENAME ~ /oplog\.csv$/ {
		for (a in pair) {
			if (index(csv_r, "," pair[a] ",ok,")) ok[a]++
			if (index(csv_r, "," pair[a] ",error,")) err[a]++
		}
		if (NF_ > 7 && F[5] == "auth" && (F[6] in n)) {
			if (F[7] == "ok") n[F[6]] = 0
			else if (F[8] ~ /reason=(wrong-password|locked)( |$)/) n[F[6]]++
		}
		if (NF_ > 7 && F[5] == "operator-mod" && (F[6] in n) && F[8] ~ /unlock/) n[F[6]] = 0
		next
	}
	FILENAME ~ /fail\.err$/ { if ($0 ~ ENVIRON["_fre"]) err_match = 1; next }
	FNR > 1 && F[12] == "" { w[++nw] = F[1] (F[5] == "password" ? ".phc" : ".tmpl") }
	BEGIN { n["tanaka"] = n["boss"] = 0
		pair["mod"] = "operator-mod,tanaka"; pair["add"] = "operator-add,new"
		pair["revoke"] = "operator-revoke,gone" }
	function q(v) { if (index(v, "\047")) v = "(a quote)"; return "\047" v "\047" }
	END {
		for (i = 2; i <= nw; i++)	# sorted, as ls lists them
			for (j = i; j > 1 && w[j - 1] > w[j]; j--) { t = w[j]; w[j] = w[j - 1]; w[j - 1] = t }
		for (i = 1; i <= nw; i++) want = want " " w[i]
		for (i in n) printf "failed_%s=%s logged_%s=%d\n", i, q(failed[i]), i, n[i]
		for (a in pair) printf "ok_%s=%d error_%s=%d\n", a, ok[a], a, err[a]
		printf "section=%s revoked=%s rows_new=%d err_match=%d want_creds=%s\n",
		    q(section), q(revoked), rows_new, err_match, q(substr(want, 2))
	}' "$D/operators.csv" "$D/oplog.csv" "$TMP/fail.err" "$@") &&
	eval "$_fx"
}

# counted_now: counted tanaka boss, from the facts.
counted_now() {
	[ "$failed_tanaka" = "$logged_tanaka" ] && [ "$failed_boss" = "$logged_boss" ] ||
	    { echo "failed=$failed_tanaka/$failed_boss, logged $logged_tanaka/$logged_boss (tanaka/boss)" >&2; false; }
}

# one_line_err: one_line_matching "$TMP/fail.err" "$err_re", its line
# counted by read (as wc -l counts) and matched by facts.
one_line_err() {
	_n=0
	while IFS= read -r _l; do _n=$((_n + 1)); done <"$TMP/fail.err"
	[ $_n = 1 ] && [ "$err_match" = 1 ] ||
	    { echo "want one line matching $err_re, got $_n:" >&2; cat "$TMP/fail.err" >&2; false; }
}

# reconciled: every live row has its credential and no credential is
# without a live row (t2600's), after facts LIST: the names in
# credentials (ls's: not those that begin with a dot, sorted) are
# want_creds.
reconciled() {
	creds && [ "$_cr" = "$want_creds" ] ||
	    { echo "credentials: want [$want_creds], have [$_cr]" >&2; false; }
}

# after_fault NEXT [SAID]: what a failing call must leave.  Exit 3 with
# one line naming $D; the log verifies, the register reads, every count
# has its records (then SAID, a shell command on those facts); then NEXT
# (a shell command: the next attempt) succeeds, the counts and the log
# still hold, the credentials are the live rows' (the next register
# writer reconciles), and no temporary file is left.
err_re="^[a-z-]+: $D(/[a-z.]+)*: "
after_fault() {
	{ [ "$fail_rc" = 3 ] ||
	    { echo "exit $fail_rc, not 3 (wanted $fail_want without a fault)" >&2; false; }; } &&
	facts && one_line_err &&
	log-verify -d "$D" -k "$D.key" >/dev/null &&
	operator-list -d "$D" -a -f csv >/dev/null &&
	counted_now && eval "${2:-:}" &&
	eval "$1" >/dev/null 2>&1 &&
	operator-list -d "$D" -a -f csv >"$TMP/list" && facts "$TMP/list" &&
	counted_now && reconciled &&
	log-verify -d "$D" -k "$D.key" >/dev/null &&
	no_tmp "$D" && no_tmp "$D/credentials" &&
	! test -e "$D/operators.pending"
}

wrong() { auth tanaka "$TMP/pw.wrong"; }
right() { auth tanaka "$TMP/pw.tanaka"; }
modb() {
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -s "$2" \
	    4<"$TMP/pw.$1"
}
addb() {
	operator-add -d "$D" -b boss --by-password-fd 4 -i new -n New \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.new" 4<"$TMP/pw.boss"
}
revokeb() {
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i gone --reason r \
	    4<"$TMP/pw.boss"
}
# The next attempts: a wrong password counted (exit 1; 4 when it locks),
# a manager's change.
NEXT_WRONG='test_must_fail 1 wrong'
NEXT_LOCK='test_must_fail 4 wrong'
NEXT_MOD='modb boss next'

test_expect_success 'auth-check, a wrong password: every step and sync failing (EIO)' '
	fail_every "$TMP/saved" "$D" EIO "after_fault \"\$NEXT_WRONG\"" wrong
'
test_expect_success 'auth-check, a wrong password: ENOSPC, writes torn' '
	fail_every "$TMP/saved" "$D" ENOSPC "after_fault \"\$NEXT_WRONG\"" wrong
'
test_expect_success 'auth-check, the right password: every step and sync failing' '
	fail_every "$TMP/saved" "$D" EIO "after_fault \"\$NEXT_WRONG\"" right
'

test_expect_success 'auth-check, the attempt that locks: every step and sync failing (EDQUOT)' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" &&
	for i in 2 3 4; do test_must_fail 1 wrong 2>/dev/null || exit 1; done &&
	rm -rf "$TMP/saved4" && cp -a "$D" "$TMP/saved4" &&
	fail_every "$TMP/saved4" "$D" EDQUOT "after_fault \"\$NEXT_LOCK\"" wrong &&
	test "$fail_want" = 4
'

test_expect_success 'operator-mod -b, a wrong manager password: every step and sync failing' '
	fail_every "$TMP/saved" "$D" ENOSPC "after_fault \"\$NEXT_MOD\"" modb wrong x
'
# change_said ACTION IN: once the next writer has run (the facts after
# it, which after_fault leaves), the change the register shows (IN: 1 it
# is made) has its one "ok" record and no "error" one; a change not made
# has no "ok" record.  A failure after the register was replaced leaves
# the change made: never logged as an error.  ACTION: mod (of tanaka),
# add (of new), revoke (of gone).
change_said() {
	eval "_ok=\$ok_$1 _err=\$error_$1"
	if [ "$2" = 1 ]; then [ "$_ok" = 1 ] && [ "$_err" = 0 ]; else [ "$_ok" = 0 ]; fi ||
	    { echo "$fail_step: $1 made=$2: $_ok ok, $_err error" >&2; return 1; }
}
add_said() { change_said add "$rows_new"; }
revoke_said() { change_said revoke "${revoked:+1}"; }
# err_line GLOB: a line of the failing run's stderr matches GLOB (a case
# pattern: grep without a process; the messages hold no * ? [).
err_line() {
	while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in $1) return 0 ;; esac
	done <"$TMP/fail.err"
	return 1
}
# line_said ACTION ID IN: the failing run's one line, when the register it
# left shows the change (IN: 1), says the change is made and who logs it:
# the run (its record then in the log), or from the note the next writer
# (a record written whose head was not); else nothing of the kind.
# Checked on the facts before the next writer runs (after_fault's SAID).
line_said() {
	if [ "$3" != 1 ]; then ! err_line "*do not make it again*"
	elif err_line "*; the change to $2 is made and logged, do not make it again"; then
		eval "[ \$ok_$1 -ge 1 ]"
	else
		err_line "*; $D/operators.csv holds the change to $2: its operation-log record is written by the next auth-check or change of the register, do not make it again"
	fi || { echo "$fail_step: the line of $1 $2 made=$3" >&2; return 1; }
}
mod_line() { _in=; [ "$section" != x ] || _in=1; line_said mod tanaka "$_in"; }
add_line() { line_said add new "$rows_new"; }
revoke_line() { line_said revoke gone "${revoked:+1}"; }

test_expect_success 'operator-mod -b and its change: every step and sync failing' '
	fail_every "$TMP/saved" "$D" EIO "after_fault \"\$NEXT_MOD\" mod_line" modb boss x
'
test_expect_success 'operator-add -b: every step and sync failing' '
	fail_every "$TMP/saved" "$D" EIO "after_fault \"\$NEXT_MOD\" add_line && add_said" addb
'
test_expect_success 'operator-revoke -b: every step and sync failing' '
	fail_every "$TMP/saved" "$D" EIO \
	    "after_fault \"\$NEXT_MOD\" revoke_line && revoke_said" revokeb
'

test_done
