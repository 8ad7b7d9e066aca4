#!/bin/sh
# A register change (operator-add, -mod, -revoke) and an incident event
# (incident-report new, step) show the log ready to take their record,
# under the log's lock held to the record, before anything is written: a
# log lock that another process holds past lock_timeout_ms, when the
# manager's "auth" record is written already, is exit 3 with one line
# and nothing changed (no register, credential, incidents.csv or note
# written, no record of the change).  The lock is held from outside just
# before the tool's third open of oplog.lock (the gate's two shows and
# its record come first), as an outside tester's concurrent process did.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-crash.sh"
. "$SRCDIR/tests/lib-incident.sh"

# HOLD: the shell command the hook runs: another process takes
# oplog.lock for 1 s, and the tool goes on once it is held.
HOLD='rm -f "$TMP/held"; ( flock 9 && : >"$TMP/held" && exec sleep 1 ) \
    9>>"$D/oplog.lock" >/dev/null 2>&1 & \
    while ! test -e "$TMP/held"; do sleep 0.01; done'
export TMP D

# busy CMD...: CMD with oplog.lock held by another process from just
# before its third open of it.
busy() { hook_open 3 oplog.lock "$HOLD" "$@"; }

test_expect_success 'set up' '
	inc_state &&
	conf_set "$D" lock_timeout_ms 300 &&
	inew --type other --cause other --summary "first" >id &&
	test "$(cat id)" = "$(date +%Y)-0001" &&
	cp -a "$D" "$TMP/saved"
'

# unchanged ACTION: the state as saved, byte for byte, but the log (the
# manager'"'"'s "auth" record was written), no note and no ACTION record.
unchanged() {
	cmp "$D/operators.csv" "$TMP/saved/operators.csv" &&
	cmp "$D/incidents.csv" "$TMP/saved/incidents.csv" &&
	diff -r "$D/credentials" "$TMP/saved/credentials" &&
	! test -e "$D/operators.pending" && ! test -e "$D/incidents.pending" &&
	test "$(grep -c ",$1," "$D/oplog.csv")" = \
	    "$(grep -c ",$1," "$TMP/saved/oplog.csv")" &&
	test "$(wc -l <err)" -eq 1 &&
	grep -q "lock timeout: $D/oplog.lock" err &&
	log-verify -d "$D" -k "$D.key" >/dev/null
}
plain() { "$@"; }
fresh() { rm -rf "$D" && cp -a "$TMP/saved" "$D"; }

add_new() {
	pw newp newp-secret-1 &&
	"$@" operator-add -d "$D" -b boss --by-password-fd 4 -i newp -n "New" \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.newp" 4<"$TMP/pw.boss"
}

test_expect_success 'operator-add, the log busy: exit 3, nothing added' '
	fresh &&
	test_must_fail 3 add_new busy 2>err &&
	unchanged operator-add &&
	! grep -q "^newp," "$D/operators.csv"
'

test_expect_success 'operator-add, the log free: added' '
	fresh && add_new plain 2>err &&
	grep -q "^newp," "$D/operators.csv" &&
	grep -q ",boss,operator-add,newp,ok," "$D/oplog.csv"
'

test_expect_success 'operator-mod, the log busy: exit 3, name unchanged' '
	fresh &&
	test_must_fail 3 busy operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i op1 -n NewName 4<"$TMP/pw.boss" 2>err &&
	unchanged operator-mod
'

test_expect_success 'operator-mod --reset-password, the log busy: credential kept' '
	fresh && pw op1b op1-secret-2 &&
	test_must_fail 3 busy operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i op1 --reset-password --password-fd 3 3<"$TMP/pw.op1b" \
	    4<"$TMP/pw.boss" 2>err &&
	unchanged operator-mod
'

test_expect_success 'operator-mod, the log free: changed' '
	fresh &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i op1 -n NewName \
	    4<"$TMP/pw.boss" &&
	grep -q ",boss,operator-mod,op1,ok,changed: name" "$D/oplog.csv"
'

test_expect_success 'operator-revoke, the log busy: exit 3, not revoked' '
	fresh &&
	test_must_fail 3 busy operator-revoke -d "$D" -b boss \
	    --by-password-fd 4 -i op1 --reason left 4<"$TMP/pw.boss" 2>err &&
	unchanged operator-revoke &&
	test -e "$D/credentials/op1.phc"
'

test_expect_success 'operator-revoke, the log free: revoked' '
	fresh &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i op1 \
	    --reason left 4<"$TMP/pw.boss" &&
	! test -e "$D/credentials/op1.phc" &&
	grep -q ",boss,operator-revoke,op1,ok," "$D/oplog.csv"
'

test_expect_success 'incident-report new, the log busy: exit 3, no id, no row' '
	fresh &&
	test_must_fail 3 busy incident-report -d "$D" -b boss \
	    --by-password-fd 3 new --type other --cause other \
	    --summary second 3<"$TMP/pw.boss" >out 2>err &&
	unchanged incident &&
	! test -s out
'

test_expect_success 'incident-report step, the log busy: exit 3, no row' '
	fresh &&
	test_must_fail 3 busy incident-report -d "$D" -b boss \
	    --by-password-fd 3 step "$(cat id)" --step mayor-reported \
	    3<"$TMP/pw.boss" 2>err &&
	unchanged incident
'

test_expect_success 'incident-report new and step, the log free: recorded' '
	fresh &&
	inew --type other --cause other --summary second >out &&
	test "$(cat out)" = "$(date +%Y)-0002" &&
	istep "$(cat id)" mayor-reported &&
	test "$(grep -c ",boss,incident," "$D/oplog.csv")" = 3
'

test_done
