#!/bin/sh
# operator-add, operator-mod, operator-revoke and incident-report new/step
# make their change under the register lock that counted the manager's
# attempt (gate.c manager_change): a manager revoked or locked while the
# tool waited for a password changes nothing (jukisec issues 3 and 6), and
# is denied as one denied at once.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

# last N: the last N log records as "action subject result".
last() {
	(_n=$1; export _n; csv_awk '
	NF_ > 7 { r[++m] = F[5] " " F[6] " " F[7] }
	END { for (i = m - ENVIRON["_n"] + 1; i <= m; i++) if (i > 0) print r[i] }' "$D/oplog.csv")
}

# manager ID: registers ID as a manager (password ID-secret-1).
manager() { add_pw "$1" -r manager; }

# One wrong password locks (lockout_threshold 1): how many it takes is
# t2100's, what a lock does to a change in flight is this file's.
test_expect_success 'set up two managers and an operator' '
	reg_state && conf_set "$D" lockout_threshold 1 &&
	bootstrap && manager m2 && add_pw alice &&
	pw new new-secret-123 && pw wrong wrong-password-1
'

test_expect_success 'operator-mod: a manager revoked while the new password is read changes nothing' '
	cp "$D/credentials/alice.phc" phc.before && rm -f fifo && mkfifo fifo &&
	{ operator-mod -d "$D" -b m2 --by-password-fd 4 -i alice \
	    --reset-password --password-fd 3 4<"$TMP/pw.m2" 3<>fifo 2>err \
	    & } && pid=$! &&
	blocked_read $pid 3 &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i m2 \
	    --reason "moved to another office" 4<"$TMP/pw.boss" &&
	cat "$TMP/pw.new" >fifo; wait $pid; rc=$? &&
	test $rc = 1 &&
	one_line_matching err "authentication denied" &&
	cmp phc.before "$D/credentials/alice.phc" &&
	printf "operator-revoke m2 ok\nauth m2 denied\n" >want &&
	last 2 >got && test_cmp want got &&
	test "$(log_count auth denied "reason=revoked check=manager")" = 1 &&
	test "$(log_count operator-mod ok .)" = 0
'

test_expect_success 'operator-mod: a manager locked while the new password is read changes nothing' '
	manager m3 && rm -f fifo && mkfifo fifo &&
	{ operator-mod -d "$D" -b m3 --by-password-fd 4 -i alice \
	    --reset-password --password-fd 3 4<"$TMP/pw.m3" 3<>fifo 2>err \
	    & } && pid=$! &&
	blocked_read $pid 3 &&
	test_must_fail 4 auth m3 "$TMP/pw.wrong" 2>/dev/null &&
	test -n "$(field m3 locked_at)" &&
	cat "$TMP/pw.new" >fifo; wait $pid; rc=$? &&
	test $rc = 1 &&
	one_line_matching err "m3 is locked out" &&
	cmp phc.before "$D/credentials/alice.phc" &&
	echo "auth m3 locked" >want && last 1 >got && test_cmp want got &&
	test "$(log_count operator-mod ok .)" = 0
'

test_expect_success 'operator-mod: the same change by an active manager is made' '
	manager m4 &&
	operator-mod -d "$D" -b m4 --by-password-fd 4 -i alice \
	    --reset-password --password-fd 3 4<"$TMP/pw.m4" 3<"$TMP/pw.new" &&
	! cmp -s phc.before "$D/credentials/alice.phc" &&
	printf "auth m4 ok\noperator-mod alice ok\n" >want &&
	last 2 >got && test_cmp want got
'

test_expect_success 'operator-revoke: a manager revoked while asked for a password revokes no one' '
	manager m5 && rm -f fifo && mkfifo fifo &&
	{ operator-revoke -d "$D" -b m5 --by-password-fd 4 -i alice \
	    --reason "left the section" 4<>fifo 2>err & } && pid=$! &&
	blocked_read $pid 4 &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i m5 \
	    --reason "transferred" 4<"$TMP/pw.boss" &&
	cat "$TMP/pw.m5" >fifo; wait $pid; rc=$? &&
	test $rc = 1 &&
	one_line_matching err "authentication denied" &&
	test -z "$(field alice revoked_at)" &&
	test -e "$D/credentials/alice.phc" &&
	printf "operator-revoke m5 ok\nauth m5 denied\n" >want &&
	last 2 >got && test_cmp want got
'

test_expect_success 'incident-report new: a manager revoked while asked for a password records nothing' '
	manager m6 && rm -f fifo && mkfifo fifo &&
	{ incident-report -d "$D" -b m6 --by-password-fd 4 new --type other \
	    --cause fire --summary "smoke in the server room" 4<>fifo \
	    >out 2>err & } && pid=$! &&
	blocked_read $pid 4 &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i m6 \
	    --reason "transferred" 4<"$TMP/pw.boss" &&
	cat "$TMP/pw.m6" >fifo; wait $pid; rc=$? &&
	test $rc = 1 &&
	one_line_matching err "authentication denied" &&
	test ! -s out &&
	! grep -q "smoke" "$D/incidents.csv" 2>/dev/null &&
	printf "operator-revoke m6 ok\nauth m6 denied\n" >want &&
	last 2 >got && test_cmp want got
'

test_expect_success 'incident-report step: a manager locked while asked for a password records nothing' '
	id=$(incident-report -d "$D" -b boss --by-password-fd 4 new \
	    --type other --cause fire --summary "smoke" 4<"$TMP/pw.boss") &&
	manager m7 && rm -f fifo && mkfifo fifo &&
	{ incident-report -d "$D" -b m7 --by-password-fd 4 step "$id" \
	    --step jlis-contacted 4<>fifo >out 2>err & } && pid=$! &&
	blocked_read $pid 4 &&
	test_must_fail 4 auth m7 "$TMP/pw.wrong" 2>/dev/null &&
	cat "$TMP/pw.m7" >fifo; wait $pid; rc=$? &&
	test $rc = 1 &&
	one_line_matching err "m7 is locked out" &&
	! grep -q "jlis-contacted" "$D/incidents.csv" &&
	echo "auth m7 locked" >want && last 1 >got && test_cmp want got
'

test_expect_success 'a manager locked at first and unlocked while asked is re-checked, then admitted' '
	manager m8 && add_pw bob && rm -f fifo && mkfifo fifo &&
	test_must_fail 4 auth m8 "$TMP/pw.wrong" 2>/dev/null &&
	{ operator-revoke -d "$D" -b m8 --by-password-fd 4 -i bob \
	    --reason "left" 4<>fifo 2>err & } && pid=$! &&
	blocked_read $pid 4 &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i m8 -u \
	    4<"$TMP/pw.boss" &&
	cat "$TMP/pw.m8" >fifo; wait $pid; rc=$? &&
	test $rc = 0 && test ! -s err &&
	test "$(field bob revoked_by)" = m8 &&
	printf "auth m8 ok\noperator-revoke bob ok\n" >want &&
	last 2 >got && test_cmp want got
'

# The same late path, the register lock then held by another process past
# lock_timeout_ms: the new password is read after the manager's "auth ok"
# record (the change's prepare), and while it is, the register lock is
# taken away.  The change is not made (exit 3) and the try is the log's,
# as every other busy lock of the gate is (auth-check(1)).
test_expect_success 'a manager unlocked while asked, the register lock then busy: exit 3, logged register-busy' '
	manager m11 && rm -f fifo fifo3 held && mkfifo fifo fifo3 &&
	test_must_fail 4 auth m11 "$TMP/pw.wrong" 2>/dev/null &&
	cp "$D/credentials/alice.phc" phc.before &&
	conf_set "$D" lock_timeout_ms 200 &&
	{ operator-mod -d "$D" -b m11 --by-password-fd 4 -i alice \
	    --reset-password --password-fd 3 4<>fifo 3<>fifo3 2>err \
	    & } && pid=$! &&
	blocked_read $pid 4 &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i m11 -u \
	    4<"$TMP/pw.boss" &&
	cat "$TMP/pw.m11" >fifo &&
	i=0; until grep -q ",auth,m11,ok," "$D/oplog.csv"; do
		i=$((i + 1)); [ $i -lt 1000 ] || exit 1; sleep 0.01
	done
	blocked_read $pid 3 || exit 1
	( flock 9 && : >held && exec sleep 5 ) 9>>"$D/register.lock" & holder=$!
	i=0; until test -e held; do i=$((i + 1)); test $i -lt 200 || exit 1; sleep 0.02; done
	cat "$TMP/pw.new" >fifo3; wait $pid; rc=$?
	kill $holder; wait $holder; rm -f held
	conf_set "$D" lock_timeout_ms 10000 &&
	test $rc = 3 &&
	one_line_matching err "^operator-mod: lock timeout: $D/register.lock\$" &&
	cmp phc.before "$D/credentials/alice.phc" &&
	printf "auth m11 ok\nauth m11 error\n" >want &&
	last 2 >got && test_cmp want got &&
	tail -n 1 "$D/oplog.csv" |
	    grep -q ",-,auth,m11,error,method=password reason=register-busy check=manager,"
'

# add_bg M ID: operator-add -b M of ID (password method) in the
# background, $pid, its stderr in err: M's password from fifo, then ID's
# new one from fifo3 (both made anew).
add_bg() {
	rm -f fifo fifo3 && mkfifo fifo fifo3 && pw "$2" "$2-secret-1" &&
	{ operator-add -d "$D" -b "$1" --by-password-fd 4 -i "$2" -n "$2" \
	    -m password --reason r --instructions-given "$INSTR_PW" \
	    --password-fd 3 4<>fifo 3<>fifo3 2>err & } && pid=$!
}

# adding M ID: add_bg, M's password given, until ID's new one is read.
adding() {
	add_bg "$1" "$2" && blocked_read $pid 4 && cat "$TMP/pw.$1" >fifo &&
	blocked_read $pid 3
}

# add_denied M ID PWFILE: PWFILE given as ID's new password, the
# operator-add -b M in the background exits 1, registers nobody, and its
# record is operator-add(1)'s "denied": the manager's check failed,
# whenever it failed, so nobody acted (operator "-", the claimed id in
# by=), as for a manager locked before the run (t2030); never "refused",
# the record of a duplicate id or a refused new credential.
add_denied() {
	cat "$3" >fifo3; wait $pid; _rc=$?
	test $_rc = 1 && test -z "$(field "$2" id)" &&
	test ! -e "$D/credentials/$2.phc" &&
	tail -n 1 "$D/oplog.csv" |
	    grep -q ",-,operator-add,$2,denied,by=$1 role=operator method=password,"
}

test_expect_success 'operator-add: a manager locked while the new password is read is denied' '
	manager m12 && adding m12 race1 &&
	test_must_fail 4 auth m12 "$TMP/pw.wrong" 2>/dev/null &&
	add_denied m12 race1 "$TMP/pw.race1" &&
	one_line_matching err "m12 is locked out" &&
	printf "auth m12 locked\noperator-add race1 denied\n" >want &&
	last 2 >got && test_cmp want got
'

test_expect_success 'operator-add: a manager revoked while the new password is read is denied' '
	manager m13 && adding m13 race2 &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i m13 \
	    --reason "transferred" 4<"$TMP/pw.boss" &&
	add_denied m13 race2 "$TMP/pw.race2" &&
	one_line_matching err "authentication denied" &&
	printf "operator-revoke m13 ok\nauth m13 denied\noperator-add race2 denied\n" >want &&
	last 3 >got && test_cmp want got
'

# The new password too short as well: the manager's check failed all the
# same, and that is what the record says.
test_expect_success 'operator-add: a refused new password of a manager locked meanwhile is denied' '
	manager m14 && adding m14 race3 &&
	test_must_fail 4 auth m14 "$TMP/pw.wrong" 2>/dev/null &&
	echo abc >short && add_denied m14 race3 short &&
	grep -q "password shorter than" err && grep -q "m14 is locked out" err
'

test_expect_success 'operator-mod: a refused new password of a manager locked meanwhile leaves only the auth record' '
	manager m15 && rm -f fifo && mkfifo fifo &&
	{ operator-mod -d "$D" -b m15 --by-password-fd 4 -i alice \
	    --reset-password --password-fd 3 4<"$TMP/pw.m15" 3<>fifo 2>err \
	    & } && pid=$! &&
	blocked_read $pid 3 &&
	test_must_fail 4 auth m15 "$TMP/pw.wrong" 2>/dev/null &&
	echo abc >fifo; wait $pid; rc=$? &&
	test $rc = 1 &&
	grep -q "password shorter than" err && grep -q "m15 is locked out" err &&
	echo "auth m15 locked" >want && last 1 >got && test_cmp want got
'

# The re-check under the register lock of a manager locked at the first
# read and unlocked while asked (gate.c change_late) is the manager's
# check too: failed, it is "denied", not the new password "refused".
test_expect_success 'operator-add: a manager unlocked while asked, locked again while the new password is read, is denied' '
	manager m16 && test_must_fail 4 auth m16 "$TMP/pw.wrong" 2>/dev/null &&
	add_bg m16 race4 && blocked_read $pid 4 &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i m16 -u \
	    4<"$TMP/pw.boss" &&
	cat "$TMP/pw.m16" >fifo &&
	i=0; until grep -q ",auth,m16,ok," "$D/oplog.csv"; do
		i=$((i + 1)); [ $i -lt 1000 ] || exit 1; sleep 0.01
	done
	blocked_read $pid 3 || exit 1
	test_must_fail 4 auth m16 "$TMP/pw.wrong" 2>/dev/null &&
	add_denied m16 race4 "$TMP/pw.race4" &&
	one_line_matching err "authentication denied" &&
	printf "auth m16 ok\nauth m16 locked\nauth m16 denied\noperator-add race4 denied\n" >want &&
	last 4 >got && test_cmp want got
'

# slowed M ID CMD...: runs CMD (a change by manager M) in the background
# with its third flock(2) delayed by 2 s: before this fix that was the
# change's own register lock, taken after the lock that admitted M; now
# it is the log lock, under the register lock that admitted M.  Once M's
# attempt is logged, boss revokes M; CMD must not change anything after
# that.  Prints CMD's exit status.
slowed() {
	_m=$1; shift
	strace -o /dev/null -e trace=flock \
	    -e inject=flock:delay_enter=2000000:when=3 "$@" 2>err & _p=$!
	_i=0; until grep -q ",auth,$_m,ok," "$D/oplog.csv"; do
		_i=$((_i + 1)); [ $_i -lt 1000 ] || return 1; sleep 0.01
	done
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i "$_m" \
	    --reason "transferred" 4<"$TMP/pw.boss" || return 1
	wait $_p; echo $?
}

test_expect_success STRACE 'operator-revoke: a change never follows the revocation of its manager' '
	manager m9 && add_pw carol &&
	slowed m9 operator-revoke -d "$D" -b m9 --by-password-fd 4 -i carol \
	    --reason "left" 4<"$TMP/pw.m9" >rc &&
	test "$(cat rc)" = 0 && test "$(field carol revoked_by)" = m9 &&
	printf "auth m9 ok\noperator-revoke carol ok\nauth boss ok\noperator-revoke m9 ok\n" >want &&
	last 4 >got && test_cmp want got
'

test_expect_success STRACE 'incident-report: a step never follows the revocation of its manager' '
	id=$(incident-report -d "$D" -b boss --by-password-fd 4 new \
	    --type other --cause fire --summary "smoke" 4<"$TMP/pw.boss") &&
	manager m10 &&
	slowed m10 incident-report -d "$D" -b m10 --by-password-fd 4 step \
	    "$id" --step vendor-contacted 4<"$TMP/pw.m10" >rc &&
	test "$(cat rc)" = 0 &&
	printf "auth m10 ok\nincident $id ok\nauth boss ok\noperator-revoke m10 ok\n" >want &&
	last 4 >got && test_cmp want got
'

test_expect_success STRACE,STRACE_MEM 'each tool takes the register lock once: the auth and the change' '
	strace -f -e trace=openat -o trace.mod operator-mod -d "$D" -b boss \
	    --by-password-fd 4 -i alice -s Planning 4<"$TMP/pw.boss" &&
	test "$(grep -c "\"register.lock\"" trace.mod)" = 1 &&
	id=$(incident-report -d "$D" -b boss --by-password-fd 4 new \
	    --type other --cause fire --summary "smoke" 4<"$TMP/pw.boss") &&
	strace -f -e trace=openat -o trace.step incident-report -d "$D" \
	    -b boss --by-password-fd 4 step "$id" --step jlis-contacted \
	    4<"$TMP/pw.boss" &&
	test "$(grep -c "\"register.lock\"" trace.step)" = 1 &&
	strace -f -e trace=openat -o trace.new incident-report -d "$D" \
	    -b boss --by-password-fd 4 new --type other --cause water \
	    --summary "leak from the ceiling" 4<"$TMP/pw.boss" >/dev/null &&
	test "$(grep -c "\"register.lock\"" trace.new)" = 1 &&
	strace -f -e trace=openat -o trace.rev operator-revoke -d "$D" \
	    -b boss --by-password-fd 4 -i alice --reason "left" \
	    4<"$TMP/pw.boss" &&
	test "$(grep -c "\"register.lock\"" trace.rev)" = 1 &&
	test -n "$(field alice revoked_at)"
'

test_done
