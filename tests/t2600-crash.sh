#!/bin/sh
# Crashes of register changes (tests/lib-crash.sh): operator-add,
# operator-mod --reset-password, operator-revoke and the Security Manager's
# way back (operator-mod --recover --reset-password), each killed before
# every one of its steps in turn and halfway through every write.  After
# each kill operators.csv is the old or the new one, never torn; the
# change is there whole or not at all; and the next change reconciles, so
# that no credential outlives its row and no live row lacks its credential
# (R5.1, R5.5).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-crash.sh"

test_expect_success 'set up' '
	reg_state && bootstrap && pw op op-secret-1 && add_pw base && add_pw gone &&
	cp -a "$D" "$TMP/saved"
'

add() {
	operator-add -d "$D" -b boss --by-password-fd 4 -i new -n "New" \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.op" 4<"$TMP/pw.boss"
}
reset() {
	operator-mod -d "$D" -b boss --by-password-fd 4 -i base \
	    --reset-password --password-fd 3 3<"$TMP/pw.op" 4<"$TMP/pw.boss"
}
recover() {
	operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --reset-password --password-fd 3 3<"$TMP/pw.op"
}
revoke() {
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i gone \
	    --reason crash-test 4<"$TMP/pw.boss"
}

# live: the live rows, "ID METHOD", read strictly by operator-list (16
# fields a row, valid values), which fails on a torn register.
live() {
	operator-list -d "$D" -a -f csv >"$TMP/list" &&
	awk -F, 'NR > 1 && $12 == "" { print $1, $5 }' "$TMP/list"
}

# reconciled: every live row has its credential and no credential is
# without a live row.  The rows are $TMP/live's: live run once after the
# next change, for the checks after it that read them (an operator-list
# and an awk a check, after each of some 80 kills).
reconciled() {
	awk '{ print $1 ($2 == "password" ? ".phc" : ".tmpl") }' "$TMP/live" | sort >"$TMP/want" &&
	ls "$D/credentials" | sort >"$TMP/have" &&
	test_cmp "$TMP/want" "$TMP/have"
}

# after_crash WHAT: the register reads; the next change (a section set on
# boss) succeeds and reconciles, and leaves no temporary file of the
# killed one (a copy of the register, a credential); the change is whole
# or absent:
#  add     "new" is absent, or live and signs in with its password;
#  reset   "base" has its old credential, or signs in with the new password;
#  revoke  "gone" is live with its credential intact, or revoked without.
after_crash() {
	live >/dev/null && k=$((k + 1)) &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i boss -s "課$k" \
	    4<"$TMP/pw.boss" >/dev/null &&
	live >"$TMP/live" &&
	reconciled && no_tmp "$D" && no_tmp "$D/credentials" &&
	case $1 in
	add) if grep -q "^new " "$TMP/live"; then auth new "$TMP/pw.op" >/dev/null; fi ;;
	reset) cmp -s "$D/credentials/base.phc" "$TMP/saved/credentials/base.phc" ||
	     auth base "$TMP/pw.op" >/dev/null ;;
	revoke) if grep -q "^gone " "$TMP/live"; then
	     cmp "$D/credentials/gone.phc" "$TMP/saved/credentials/gone.phc"
	     else ! test -e "$D/credentials/gone.phc"; fi ;;
	esac &&
	logged "$1" &&
	echo "step $crash_step torn=$crash_torn: whole, logged once"
}

# logged WHAT: once the next change has run (its rows in $TMP/live), the
# log shows the change exactly when the register has it, and once (R6: a
# change killed after its register was replaced and before its record is
# settled by the next register writer, jukisec-log(5) "Register changes").
logged() {
	case $1 in
	add) made=$(grep -c "^new " "$TMP/live") pat=",operator-add,new,ok," ;;
	reset) if cmp -s "$D/credentials/base.phc" "$TMP/saved/credentials/base.phc"
	     then made=0; else made=1; fi
	     pat=",operator-mod,base,ok,changed: reset-password" ;;
	revoke) if grep -q "^gone " "$TMP/live"; then made=0; else made=1; fi
	     pat=",operator-revoke,gone,ok," ;;
	recover) if cmp -s "$D/credentials/boss.phc" "$TMP/saved/credentials/boss.phc"
	     then made=0; else made=1; fi
	     pat=",-,recover,boss,ok,uid=$(id -u) changed: unlock reset-password," ;;
	esac
	n=$(grep -c -- "$pat" "$D/oplog.csv")
	[ "$n" -eq "$made" ] ||
	    { echo "made $made, logged $n times: $pat" >&2; return 1; }
	! test -e "$D/operators.pending"
}

# after_recover: as after_crash for operator-mod --recover
# --reset-password of boss, the way back of a Security Manager: the next
# change is boss's, with the new password when the old credential is gone.
after_recover() {
	live >/dev/null && k=$((k + 1)) &&
	if cmp -s "$D/credentials/boss.phc" "$TMP/saved/credentials/boss.phc"
	then _pw=$TMP/pw.boss; else _pw=$TMP/pw.op; fi &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i boss -s "課$k" \
	    4<"$_pw" >/dev/null &&
	live >"$TMP/live" && reconciled && no_tmp "$D" && no_tmp "$D/credentials" &&
	logged recover &&
	echo "step $crash_step torn=$crash_torn: whole, logged once"
}

# The log's own torn writes are t1050's.
crash_untorn='oplog.*'
k=0
test_expect_success 'operator-add: a kill at every step, or in every write' '
	crash_every "$TMP/saved" "$D" "after_crash add" add
'
crash_say

test_expect_success 'operator-mod --reset-password: a kill at every step, or in every write' '
	crash_every "$TMP/saved" "$D" "after_crash reset" reset
'
crash_say

# after_settle: the next auth-check (an unknown id: it changes nothing of
# its own) settles what the kill left; the credential the reset replaced
# goes then, made or not, not only at the next add, mod or revoke: the
# log says the reset was done, and the old hash is not left on the disk,
# nor a temporary file of the killed writer (a copy of the register, of
# its note, of the new hash).
after_settle() {
	test_must_fail 1 auth nobody "$TMP/pw.op" 2>/dev/null &&
	! test -e "$D/operators.pending" &&
	! test -e "$D/credentials/base.phc.old" &&
	no_tmp "$D" && no_tmp "$D/credentials"
}

test_expect_success 'operator-mod --reset-password killed at every step: the next auth-check leaves no base.phc.old, no temporary file' '
	crash_every "$TMP/saved" "$D" after_settle reset
'

test_expect_success 'operator-revoke: a kill at every step, or in every write' '
	crash_every "$TMP/saved" "$D" "after_crash revoke" revoke
'
crash_say

test_expect_success 'operator-mod --recover --reset-password: a kill at every step, or in every write' '
	crash_every "$TMP/saved" "$D" after_recover recover
'
crash_say

test_expect_success 'an orphan credential is destroyed and the removal logged' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" &&
	printf "orphan" >"$D/credentials/ghost.phc" && chmod 600 "$D/credentials/ghost.phc" &&
	cp "$D/credentials/base.phc" "$D/credentials/base.tmpl" &&
	n0=$(log_count register-reconcile removed .) &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i base -s "課" 4<"$TMP/pw.boss" &&
	! test -e "$D/credentials/ghost.phc" && ! test -e "$D/credentials/base.tmpl" &&
	test -e "$D/credentials/base.phc" &&
	test "$(log_count register-reconcile removed .)" = $((n0 + 2)) &&
	grep -q ",register-reconcile,ghost.phc,removed," "$D/oplog.csv"
'

# An orphan that cannot be destroyed (here a directory, which is no
# regular file) stops the change: exit 3, the register unchanged, and the
# log says so, as stderr does, for the committee that reads only the log.
test_expect_success 'an orphan that cannot be destroyed: the change refused and logged' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" &&
	mkdir "$D/credentials/ghost.tmpl" &&
	cp "$D/operators.csv" "$TMP/reg.before" &&
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i base -s "課" \
	    4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-mod: .*/credentials/ghost\.tmpl: Is a directory$" &&
	test_cmp "$TMP/reg.before" "$D/operators.csv" &&
	grep -F -q ",boss,register-reconcile,ghost.tmpl,error,\"credential file without a live register row, not destroyed (EISDIR)\"," "$D/oplog.csv" &&
	grep -q ",boss,operator-mod,base,error,changed: section," "$D/oplog.csv"
'

# The same for a revocation and for the Security Manager's way back: the
# attempt is refused (exit 3) and its own record says error.
test_expect_success 'an orphan that cannot be destroyed: operator-revoke and --recover refused and logged' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" &&
	mkdir "$D/credentials/ghost.tmpl" &&
	cp "$D/operators.csv" "$TMP/reg.before" &&
	test_must_fail 3 revoke 2>err &&
	one_line_matching err "^operator-revoke: .*/credentials/ghost\.tmpl: Is a directory$" &&
	grep -q ",boss,operator-revoke,gone,error,crash-test," "$D/oplog.csv" &&
	test_must_fail 3 recover 2>err &&
	one_line_matching err "^operator-mod: .*/credentials/ghost\.tmpl: Is a directory$" &&
	grep -q ",-,register-reconcile,ghost.tmpl,error," "$D/oplog.csv" &&
	grep -q ",-,recover,boss,error,uid=0 changed: unlock reset-password," "$D/oplog.csv" &&
	test_cmp "$TMP/reg.before" "$D/operators.csv"
'

test_done
