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

# reconciled: every live row has its credential and no credential is
# without a live row (t2600's).
reconciled() {
	operator-list -d "$D" -a -f csv >"$TMP/list" &&
	awk -F, 'NR > 1 && $12 == "" { print $1 ($5 == "password" ? ".phc" : ".tmpl") }' \
	    "$TMP/list" | sort >"$TMP/want" &&
	ls "$D/credentials" | sort >"$TMP/have" &&
	test_cmp "$TMP/want" "$TMP/have"
}

# after_fault NEXT: what a failing call must leave.  Exit 3 with one line
# naming $D; the log verifies, the register reads, every count has its
# records; then NEXT (a shell command: the next attempt) succeeds, the
# counts and the log still hold, the credentials are the live rows' (the
# next register writer reconciles), and no temporary file is left.
after_fault() {
	{ [ "$fail_rc" = 3 ] ||
	    { echo "exit $fail_rc, not 3 (wanted $fail_want without a fault)" >&2; false; }; } &&
	one_line_matching "$TMP/fail.err" "^[a-z-]+: $D(/[a-z.]+)*: " &&
	log-verify -d "$D" -k "$D.key" >/dev/null &&
	operator-list -d "$D" -a -f csv >/dev/null &&
	counted tanaka boss &&
	eval "$1" >/dev/null 2>&1 &&
	counted tanaka boss && reconciled &&
	log-verify -d "$D" -k "$D.key" >/dev/null &&
	crash_no_tmp "$D" && crash_no_tmp "$D/credentials" &&
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
# change_said ACTION ID IN: once the next writer has run, the change the
# register shows (IN: 1 it is made) has its one "ok" record and no
# "error" one; a change not made has no "ok" record.  A failure after the
# register was replaced leaves the change made: never logged as an error.
change_said() {
	_ok=$(grep -c ",$1,$2,ok," "$D/oplog.csv") _err=$(grep -c ",$1,$2,error," "$D/oplog.csv")
	if [ "$3" = 1 ]; then [ "$_ok" = 1 ] && [ "$_err" = 0 ]; else [ "$_ok" = 0 ]; fi ||
	    { echo "$fail_step: $1 $2 made=$3: $_ok ok, $_err error" >&2; return 1; }
}
add_said() { change_said operator-add new "$(grep -c "^new," "$D/operators.csv")"; }
revoke_said() {
	change_said operator-revoke gone "$([ -n "$(field gone revoked_at)" ] && echo 1)"
}
# line_said ACTION ID IN: the failing run's one line, when the register it
# left shows the change (IN: 1), says the change is made and who logs it:
# the run (its record then in the log), or from the note the next writer
# (a record written whose head was not); else nothing of the kind.
# Checked before the next writer runs.
line_said() {
	if [ "$3" != 1 ]; then ! grep -q "do not make it again" "$TMP/fail.err"
	elif grep -q "; the change to $2 is made and logged, do not make it again\$" "$TMP/fail.err"; then
		grep -q ",$1,$2,ok," "$D/oplog.csv"
	else
		grep -q "; $D/operators.csv holds the change to $2: its operation-log record is written by the next auth-check or change of the register, do not make it again\$" "$TMP/fail.err"
	fi || { echo "$fail_step: the line of $1 $2 made=$3" >&2; return 1; }
}
mod_line() { line_said operator-mod tanaka "$([ "$(field tanaka section)" = x ] && echo 1)"; }
add_line() { line_said operator-add new "$(grep -c "^new," "$D/operators.csv")"; }
revoke_line() {
	line_said operator-revoke gone "$([ -n "$(field gone revoked_at)" ] && echo 1)"
}

test_expect_success 'operator-mod -b and its change: every step and sync failing' '
	fail_every "$TMP/saved" "$D" EIO "mod_line && after_fault \"\$NEXT_MOD\"" modb boss x
'
test_expect_success 'operator-add -b: every step and sync failing' '
	fail_every "$TMP/saved" "$D" EIO "add_line && after_fault \"\$NEXT_MOD\" && add_said" addb
'
test_expect_success 'operator-revoke -b: every step and sync failing' '
	fail_every "$TMP/saved" "$D" EIO \
	    "revoke_line && after_fault \"\$NEXT_MOD\" && revoke_said" revokeb
'

test_done
