#!/bin/sh
# operator-add -b: the manager's attempt is counted and the row added under
# one register lock (register_change.c, gate.c manager_change), and every
# path around it keeps the manager's attempt counted and logged.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

# last N: the last N log records as "action subject result".
last() {
	(_n=$1; export _n; csv_awk '
	NF_ > 7 { r[++m] = F[5] " " F[6] " " F[7] }
	END { for (i = m - ENVIRON["_n"] + 1; i <= m; i++) if (i > 0) print r[i] }' "$D/oplog.csv")
}

test_expect_success 'set up a state directory with a manager' '
	reg_state && bootstrap && pw wrong wrong-password-1 && pw short abc
'

test_expect_success 'earlier failures are reset and the row added, auth logged first' '
	test_must_fail 1 auth boss "$TMP/pw.wrong" 2>/dev/null &&
	test_must_fail 1 auth boss "$TMP/pw.wrong" 2>/dev/null &&
	test "$(field boss failed)" = 2 &&
	add_pw alice &&
	test "$(field boss failed)" = 0 &&
	test "$(field alice registered_by)" = boss &&
	printf "auth boss ok\noperator-add alice ok\n" >want &&
	last 2 >got && test_cmp want got
'

test_expect_success 'a refused new password still counts and logs the manager, then the attempt' '
	test_must_fail 1 auth boss "$TMP/pw.wrong" 2>/dev/null &&
	test_must_fail 2 operator-add -d "$D" -b boss --by-password-fd 4 -i bob \
	    -n Bob -m password --reason r --instructions-given 2026-11-20 \
	    --password-fd 3 3<"$TMP/pw.short" 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "password shorter than" &&
	test "$(field boss failed)" = 0 &&
	test -z "$(field bob id)" &&
	! test -e "$D/credentials/bob.phc" &&
	printf "auth boss ok\noperator-add bob refused\n" >want && last 2 >got &&
	test_cmp want got
'

test_expect_success 'an orphan credential is reconciled between the auth and the add' '
	cp "$D/credentials/alice.phc" "$D/credentials/ghost.phc" &&
	add_pw dave &&
	! test -e "$D/credentials/ghost.phc" &&
	printf "auth boss ok\nregister-reconcile ghost.phc removed\noperator-add dave ok\n" >want &&
	last 3 >got && test_cmp want got
'

# jukisec.conf(5) lets template_key be any absolute path: one kept in
# credentials/ is the key, not a credential without its row, and a
# register change must not destroy it (every template would be lost).
test_expect_success 'a template key kept in credentials/ is not reconciled away' '
	(umask 077 && head -c 32 /dev/urandom >"$D/credentials/template.key") &&
	cp "$D/credentials/template.key" key.copy &&
	conf_set "$D" template_key "$D/credentials/template.key" &&
	add_pw keyholder &&
	cmp key.copy "$D/credentials/template.key" &&
	! grep -q ",register-reconcile,template.key," "$D/oplog.csv" &&
	jukisec-audit -d "$D" --format csv >audit.csv;
	grep -q "^R5.4,orphan-credentials,PASS," audit.csv &&
	conf_set "$D" template_key "$D/template.key"
'

test_expect_success 'a duplicate id is refused and logged after the auth' '
	test_must_fail 1 add_pw alice 2>err &&
	one_line_matching err "alice: id already in the register" &&
	printf "auth boss ok\noperator-add alice refused\n" >want &&
	last 2 >got && test_cmp want got
'

# operator-add(1): an id already in the register, even of a revoked
# person, is exit 1 whatever the method, and the person is not asked for
# a password or a finger first (no reader here: a fingerprint enrolment
# would be exit 3; the short password exit 2).
test_expect_success 'a taken id is refused before the new credential is asked for' '
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i dave --reason left \
	    4<"$TMP/pw.boss" &&
	for id in alice dave; do
		test_must_fail 1 operator-add -d "$D" -b boss --by-password-fd 4 \
		    -i $id -n X -m fingerprint 4<"$TMP/pw.boss" 2>err &&
		one_line_matching err "^operator-add: $id: id already in the register \(ids are never reused\)\$" &&
		printf "auth boss ok\noperator-add $id refused\n" >want &&
		last 2 >got && test_cmp want got &&
		tail -n 1 "$D/oplog.csv" |
		    grep -q ",boss,operator-add,$id,refused,role=operator method=fingerprint," &&
		test_must_fail 1 operator-add -d "$D" -b boss --by-password-fd 4 \
		    -i $id -n X -m password --reason r --instructions-given 2026-11-20 \
		    --password-fd 3 3<"$TMP/pw.short" 4<"$TMP/pw.boss" 2>err &&
		one_line_matching err "^operator-add: $id: id already in the register" &&
		tail -n 1 "$D/oplog.csv" |
		    grep -q ",boss,operator-add,$id,refused,role=operator method=password," ||
		return 1
	done
'

# The gate's read of the manager, the check of the id before the new
# password is asked for (an early answer), and the read under the one
# lock that counts the manager and adds the row.  (The gate also opens it
# for writing, without reading, to show it can be replaced: not counted.)
test_expect_success STRACE,STRACE_MEM 'the register is read three times, its lock taken once' '
	pw erin erin-secret-1 &&
	strace -f -e trace=openat -o trace operator-add -d "$D" -b boss \
	    --by-password-fd 4 -i erin -n Erin -m password --reason r \
	    --instructions-given 2026-11-20 --password-fd 3 \
	    3<"$TMP/pw.erin" 4<"$TMP/pw.boss" &&
	test "$(grep -c "\"operators.csv\", O_RDONLY" trace)" = 3 &&
	test "$(grep -c "\"register.lock\"" trace)" = 1
'

test_expect_success 'a locked manager is refused before the new credential is read' '
	conf_set "$D" lockout_threshold 1 &&
	test_must_fail 4 auth boss "$TMP/pw.wrong" 2>/dev/null &&
	test -n "$(field boss locked_at)" &&
	test_must_fail 1 operator-add -d "$D" -b boss --by-password-fd 4 -i carol \
	    -n Carol -m password --reason r --instructions-given 2026-11-20 \
	    --password-fd 3 3<"$TMP/pw.short" 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "boss is locked out" &&
	test -z "$(field carol id)" &&
	printf "auth boss locked\noperator-add carol denied\n" >want && last 2 >got &&
	test_cmp want got
'

test_done
