#!/bin/sh
# The gate's decision is atomic with the credential it checked: a password
# reset committed while a login waits for the password or runs its key
# derivation makes that login a deny (the hash is read again under the
# register lock that counts).  And the derivation does not tell a
# registered id from an unknown one, whatever cost the stored hash has:
# every attempt does the work of the costliest among the configured cost
# and every stored hash's (a hash of less work padded up to it), counted
# here through the derivations libgcrypt is asked for (tests/kdfspy.c),
# not timed.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

# blocked PID NR: waits until PID sits in system call NR (/proc/PID/syscall;
# x86_64 numbers: 0 read, 73 flock), at most 10 s.
blocked() {
	_i=0
	until [ "$(cut -d" " -f1 "/proc/$1/syscall" 2>/dev/null)" = "$2" ]; do
		_i=$((_i + 1)); [ $_i -lt 1000 ] || return 1; sleep 0.01
	done
}

test_expect_success 'set up: manager and two exception operators' '
	reg_state && bootstrap && add_pw alice && add_pw bob &&
	pw new new-secret-123
'

test_expect_success 'a reset committed while the person types: the old password is denied' '
	rm -f fifo && mkfifo fifo &&
	{ auth-check -d "$D" -u alice --password-fd 3 3<>fifo 2>err & } && pid=$! &&
	blocked $pid 0 &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i alice --reset-password \
	    --password-fd 3 3<"$TMP/pw.new" 4<"$TMP/pw.boss" &&
	cat "$TMP/pw.alice" >fifo; wait $pid; rc=$?
	test $rc = 1 && one_line_matching err "^auth-check: authentication denied\$" &&
	grep ",auth,alice," "$D/oplog.csv" | tail -1 | grep -q ",denied,method=password reason=credential-changed," &&
	auth alice "$TMP/pw.new" && cp "$TMP/pw.new" "$TMP/pw.alice"
'

# The reset lands between the end of the key derivation and the count: the
# login is held at its first flock(2), the register lock, by strace's
# syscall delay; strace is then killed, which releases it.
if [ "$(uname -m)" != x86_64 ]; then
	test_skip 'a reset committed while the KDF ran' 'the syscall numbers here are x86_64'"'"'s'
elif command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
test_expect_success 'a reset committed while the KDF ran: the old password is denied' '
	rm -f fifo && mkfifo fifo &&
	{ auth-check -d "$D" -u bob --password-fd 3 3<>fifo 2>err & } && pid=$! &&
	blocked $pid 0 &&
	{ strace -p $pid -o strace.out -e trace=flock \
	    -e inject=flock:delay_enter=100000000 2>strace.err & } && spid=$! &&
	i=0; until grep -q attached strace.err; do
		i=$((i + 1)); [ $i -lt 1000 ] || exit 1; sleep 0.01
	done &&
	cat "$TMP/pw.bob" >fifo &&
	blocked $pid 73 &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i bob --reset-password \
	    --password-fd 3 3<"$TMP/pw.new" 4<"$TMP/pw.boss" &&
	kill -9 $spid; wait $spid; wait $pid; rc=$?
	test $rc = 1 && one_line_matching err "^auth-check: authentication denied\$" &&
	grep ",auth,bob," "$D/oplog.csv" | tail -1 | grep -q ",denied,method=password reason=credential-changed,"
'
else
	test_skip 'a reset committed while the KDF ran' 'strace cannot trace here'
fi

test_expect_success 'with no change meanwhile the same login is admitted' '
	auth bob "$TMP/pw.new" 2>/dev/null || auth bob "$TMP/pw.bob"
'

# work ID PWFILE: the KDF work (memory KiB x passes) of one auth-check.
work() {
	rm -f kdf.log &&
	KDFSPY=$TMP/kdf.log LD_PRELOAD=$TMP/kdfspy.so auth-check -d "$D" -u "$1" \
	    --password-fd 3 3<"$2" 2>/dev/null;
	awk "{ w += \$1 * \$2 } END { print w + 0 }" kdf.log
}

if cc -shared -fPIC -o kdfspy.so "$SRCDIR/tests/kdfspy.c" -ldl 2>cc.err; then
test_expect_success 'after the cost is raised, a known id with an old hash does the work of an unknown one' '
	pw wrong Not-The-Pw-42 &&
	conf_set "$D" kdf_memory_kib 65536 && conf_set "$D" kdf_time 3 &&
	want=$((65536 * 3)) &&
	unknown=$(work nobody "$TMP/pw.wrong") &&
	old=$(work alice "$TMP/pw.wrong") &&
	echo "KDF work: unknown $unknown, known (m=19456 t=2 hash) $old, configured $want" &&
	test "$unknown" -eq "$want" &&
	test "$old" -le "$want" && test $((want - old)) -lt 3 &&
	grep -q "^19456 2 1\$" kdf.log
'

# One of each: six runs at the raised cost were 2.5 s of CPU for a figure
# no check reads (the work above is what is asserted).
test_expect_success 'the wall time of the two, for the record (not asserted)' '
	t0=$(date +%s%N); auth nobody "$TMP/pw.wrong" 2>/dev/null
	t1=$(date +%s%N); auth alice "$TMP/pw.wrong" 2>/dev/null
	t2=$(date +%s%N)
	echo "wall time (one run each): unknown id $(((t1 - t0) / 1000000)) ms, known id with the old hash $(((t2 - t1) / 1000000)) ms" >"$TMP/timing"
'
[ -s "$TMP/timing" ] && say "$(cat "$TMP/timing")"

test_expect_success 'a success re-hashes to the configured cost, both ways' '
	auth bob "$TMP/pw.new" &&
	grep -q "m=65536,t=3," "$D/credentials/bob.phc" &&
	conf_set "$D" kdf_memory_kib 19456 && conf_set "$D" kdf_time 2 &&
	auth bob "$TMP/pw.new" &&
	grep -q "m=19456,t=2," "$D/credentials/bob.phc" &&
	test "$(log_count auth rehashed "m=19456 t=2")" = 1
'
# The other way: jukisec.conf's cost lowered (down to the floor) while a
# hash of more work is stored: that id ran its own cost, an unknown id
# conf's, 4 to 6 times less.  Every attempt now does the work of the
# costliest among conf's and every stored hash's: the unknown id, the id
# of the costly hash and one of a hash at conf's cost alike.
test_expect_success 'after the cost is lowered, an unknown id does the work of the costliest stored hash' '
	conf_set "$D" kdf_memory_kib 65536 && conf_set "$D" kdf_time 3 &&
	auth bob "$TMP/pw.new" && grep -q "m=65536,t=3," "$D/credentials/bob.phc" &&
	conf_set "$D" kdf_memory_kib 19456 && conf_set "$D" kdf_time 2 &&
	want=$((65536 * 3)) &&
	unknown=$(work nobody "$TMP/pw.wrong") &&
	costly=$(work bob "$TMP/pw.wrong") &&
	cheap=$(work alice "$TMP/pw.wrong") &&
	echo "KDF work: unknown $unknown, known (m=65536 t=3 hash) $costly, known (conf cost hash) $cheap, costliest $want" &&
	test "$unknown" -eq "$want" && test "$costly" -eq "$want" &&
	test "$cheap" -le "$want" && test $((want - cheap)) -lt 3
'

test_expect_success 'once that hash is re-hashed, an attempt costs conf'"'"'s work again' '
	auth bob "$TMP/pw.new" && grep -q "m=19456,t=2," "$D/credentials/bob.phc" &&
	test "$(work nobody "$TMP/pw.wrong")" -eq $((19456 * 2)) &&
	test "$(work alice "$TMP/pw.wrong")" -eq $((19456 * 2))
'

# A stored hash outside jukisec.conf's ranges (kdf_memory_kib
# 19456..4194304, kdf_time 2..100, kdf_parallelism 1..64) is none the
# tools write: planted, it added its work to every attempt (m=500 t=1000
# p=64 made every login slow) and was checked for its own id.  It is
# corrupt: its id denied so (logged, counted), nothing added for anyone.
test_expect_success 'a planted hash out of jukisec.conf'"'"'s ranges: corrupt for its id, no work for anyone' '
	add_pw carol && cp "$D/credentials/carol.phc" carol.good &&
	n=$(log_count auth denied "reason=credential-corrupt") &&
	for c in m=500,t=1000,p=64 m=19456,t=101,p=1 m=19455,t=2,p=1 m=19456,t=1,p=1; do
		sed "s/m=19456,t=2,p=1/$c/" carol.good >"$D/credentials/carol.phc" &&
		grep -q "$c" "$D/credentials/carol.phc" &&
		test "$(work nobody "$TMP/pw.wrong")" -eq $((19456 * 2)) &&
		test "$(work carol "$TMP/pw.carol")" -eq $((19456 * 2)) ||
		{ echo "$c: work $(cat kdf.log)" >&2; exit 1; }
	done &&
	test "$(log_count auth denied "reason=credential-corrupt")" = $((n + 4)) &&
	cp carol.good "$D/credentials/carol.phc" && auth carol "$TMP/pw.carol"
'
else
	test_skip 'KDF work of known and unknown ids' "cannot build tests/kdfspy.c: $(head -1 cc.err)"
fi

# Every attempt reads every password row's hash (the costliest work): one
# file far longer than any hash (200,000 bytes; the longest valid is 103),
# read whole into the secure memory pool (64 KiB), ended every password
# attempt of every id with exit 3 "out of secure memory", nothing logged.
# It is refused unread: corrupt for its own id, nothing for the others.
test_expect_success 'an oversized hash file: corrupt for its id, every other id answered' '
	add_pw dave && cp "$D/credentials/dave.phc" dave.good &&
	head -c 200000 /dev/zero | tr "\0" A >"$D/credentials/dave.phc" &&
	n=$(log_count auth denied "reason=credential-corrupt") &&
	auth bob "$TMP/pw.new" && auth boss "$TMP/pw.boss" &&
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>err.nobody &&
	test_must_fail 1 auth dave "$TMP/pw.dave" 2>err.dave &&
	sed "s/nobody/dave/g" err.nobody >want && test_cmp want err.dave &&
	test "$(log_count auth denied "reason=credential-corrupt")" = $((n + 1)) &&
	cp dave.good "$D/credentials/dave.phc" && auth dave "$TMP/pw.dave"
'

test_done
