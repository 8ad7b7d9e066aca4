#!/bin/sh
# Every --by is checked by the one gate (gate.h manager_change), and every
# tool turns its answer into the same status: a manager locked out
# (R5.2) is told so and the tool exits 1, changing nothing; exit 4 is
# auth-check's alone.  Acted out with each of the five tools that take -b.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

# last: the log's last record as "action subject result".
last() {
	csv_awk 'NF_ > 7 { r = F[5] " " F[6] " " F[7] } END { print r }' "$D/oplog.csv"
}

# refused TOOL ARGS...: TOOL run as the locked manager m exits 1 after one
# line saying so, its attempt is the log's last record (after it, for
# operator-add, the registration it was for, denied) and counted, and
# nothing else in the register, incidents.csv or confirmations.csv changed.
refused() {
	state >before && was=$(field m failed) && nrec=$(wc -l <"$D/oplog.csv") &&
	test_must_fail 1 "$@" -d "$D" -b m --by-password-fd 4 \
	    4<"$TMP/pw.m" 3<"$TMP/pw.new" 2>err &&
	one_line_matching err "m is locked out: see the Security Manager" &&
	tail -n +$((nrec + 1)) "$D/oplog.csv" | head -1 | grep -q ",-,auth,m,locked," &&
	if [ "$1" = operator-add ]; then
		echo "operator-add $3 denied" >want
	else
		echo "auth m locked" >want
	fi && last >got && test_cmp want got &&
	test "$(field m failed)" = $((was + 1)) &&
	state >after && test_cmp before after
}

# state: what a change by m could touch, of the files that exist; m's
# count of failures left out (the attempt counts, R5.2).
state() {
	grep -v "^m," "$D/operators.csv" &&
	for f in incidents.csv confirmations.csv; do
		if [ -e "$D/$f" ]; then cat "$D/$f" || return 1; fi
	done
}

# How many wrong passwords lock is t2100's: here one does.
test_expect_success 'set up: a manager m locked out by a wrong password (lockout_threshold 1)' '
	reg_state && conf_set "$D" lockout_threshold 1 &&
	bootstrap && add_pw m -r manager && add_pw alice &&
	pw new new-secret-123 && pw wrong wrong-password-1 &&
	test_must_fail 4 auth m "$TMP/pw.wrong" 2>/dev/null &&
	test "$(field m locked)" = yes
'

test_expect_success 'auth-check: the locked manager is exit 4' '
	test_must_fail 4 auth m "$TMP/pw.m" 2>err &&
	one_line_matching err "m is locked out"
'

test_expect_success 'operator-add -b m: exit 1, nobody added' '
	refused operator-add -i carol -n carol -m password --reason r \
	    --instructions-given 2026-11-20 --password-fd 3 &&
	test -z "$(field carol id)"
'

test_expect_success 'operator-mod -b m: exit 1, nothing changed' '
	refused operator-mod -i alice -n renamed
'

test_expect_success 'operator-revoke -b m: exit 1, nobody revoked' '
	refused operator-revoke -i alice --reason left
'

test_expect_success 'incident-report new -b m: exit 1, nothing recorded' '
	refused incident-report new --type other --cause fire --summary smoke &&
	test ! -e "$D/incidents.csv"
'

test_expect_success 'jukisec-audit --confirm -b m: exit 1, nothing confirmed' '
	refused jukisec-audit --confirm server-room &&
	test ! -e "$D/confirmations.csv"
'

test_expect_success 'none of these refusals counts as an operation by m (R5.4 in the audit)' '
	jukisec-audit -d "$D" --format csv >audit.csv; test $? -le 1 &&
	grep -q "^R5.4,log-operators-authorized,PASS," audit.csv
'

# operator-revoke(1): the register keeps a manager who can act, one the
# gate admits: a locked manager is unlocked only by another (or by root
# with the log key), and a row whose method does not read back admits
# nobody.  The only manager left who can act is boss, and only boss could
# revoke boss.
revoke_self() {
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i boss --reason self \
	    4<"$TMP/pw.boss"
}

test_expect_success 'the only manager who can act cannot revoke themselves: the other is locked' '
	test_must_fail 1 revoke_self 2>err &&
	one_line_matching err "^operator-revoke: boss: the last active manager cannot be revoked\$" &&
	test -z "$(field boss revoked_at)" &&
	tail -1 "$D/oplog.csv" | grep -q ",boss,operator-revoke,boss,refused,self,"
'

test_expect_success 'nor when the other manager row has a method that does not read back' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i m -u 4<"$TMP/pw.boss" &&
	regcol m method palm &&
	test_must_fail 1 revoke_self 2>err &&
	grep -q "boss: the last active manager cannot be revoked" err &&
	test -z "$(field boss revoked_at)"
'

test_expect_success 'once the other manager can act, the manager can revoke themselves' '
	regcol m method password &&
	revoke_self && test -n "$(field boss revoked_at)" &&
	auth m "$TMP/pw.m"
'

test_done
