#!/bin/sh
# log-show --follow and --cursor-file: records as they are committed, by
# seq across a prune's rename and a restart, the cursor replaced
# atomically, no busy waiting; the cron form without --follow.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-show.sh"
. "$SRCDIR/tests/lib-crash.sh"
trap '[ -s "$TMP/f.pid" ] && kill "$(cat "$TMP/f.pid")" 2>/dev/null; rm -rf "$TMP"' EXIT

init_at s "2024-01-01 00:00:00"
rec s "2024-01-02 09:00:00" early 3
out_has() { [ -s "$1" ] && [ "$(tail -n 1 "$1" | cut -d, -f1)" = "$2" ]; }
cursor_is() { [ "$(cat "$1" 2>/dev/null)" = "seq=$2" ]; }
follow() {	# follow OUT [ARGS]: a follower in the background
	_o=$1; shift
	log-show -d "$TMP/s" --follow --format raw "$@" >>"$_o" 2>>f.err &
	echo $! >f.pid
}

test_expect_success 'it shows the log, then each record as it is committed' '
	follow out1 --cursor-file "$TMP/cursor" &&
	wait_for out_has out1 "$(last_seq)" &&
	rec s "2024-01-02 10:00:00" later 2 &&
	wait_for out_has out1 "$(last_seq)" &&
	test "$(cat cursor)" = "seq=$(last_seq)"
'

test_expect_success 'waiting costs no CPU: inotify, not a busy loop' '
	pid=$(cat f.pid) &&
	t0=$(awk "{ print \$14 + \$15 }" /proc/$pid/stat) && sleep 1 &&
	t1=$(awk "{ print \$14 + \$15 }" /proc/$pid/stat) &&
	test $((t1 - t0)) -le 2
'

test_expect_success 'a prune renames a shorter log in: it goes on, repeating nothing' '
	# the seals first, and the follower past them: a follower still
	# behind when the prune removes records has them only in the
	# archive (said on its stderr), which a loaded machine made happen
	at "2025-03-01 00:00:00" log-append -d s --seal &&
	wait_for out_has out1 "$(last_seq)" &&
	prune "2025-03-01 00:00:00" --archive "$TMP/arch.csv" &&
	rec s "2025-03-01 00:10:00" after-prune 2 &&
	wait_for out_has out1 "$(last_seq)" &&
	grep -v "^seq," out1 | cut -d, -f1 >seqs && seq 0 "$(last_seq)" >want && test_cmp want seqs
'

test_expect_success 'killed and restarted with its cursor: nothing repeated, nothing skipped' '
	kill -9 "$(cat f.pid)" && wait "$(cat f.pid)" 2>/dev/null;
	rec s "2025-03-02 00:00:00" while-down 3 &&
	prune "2025-07-01 00:00:00" --archive "$TMP/arch.csv" &&
	follow out2 --cursor-file "$TMP/cursor" &&
	wait_for out_has out2 "$(last_seq)" &&
	kill "$(cat f.pid)" && wait "$(cat f.pid)" 2>/dev/null;
	{ grep -v "^seq," out1; grep -v "^seq," out2; } | cut -d, -f1 >seqs &&
	seq 0 "$(last_seq)" >want && test_cmp want seqs && test ! -s f.err &&
	{ grep -v "^seq," arch.csv; tail -n +2 s/oplog.csv; } >want.csv &&
	{ grep -v "^seq," out1; grep -v "^seq," out2; } >got.csv && test_cmp want.csv got.csv
'

test_expect_success 'the cron form: each run hands on what came since the last' '
	log-show -d s --cursor-file "$TMP/c2" --format raw >run1 &&
	test "$(cat c2)" = "seq=$(last_seq)" &&
	log-show -d s --cursor-file "$TMP/c2" --format raw >run2 &&
	test "$(wc -l <run2)" = 1 &&
	before=$(last_seq) && rec s "2025-07-02 00:00:00" cron 2 &&
	log-show -d s --cursor-file "$TMP/c2" --format raw >run3 &&
	grep -v "^seq," run3 | cut -d, -f1 >got && seq $((before + 1)) "$(last_seq)" >want &&
	test_cmp want got && test "$(cat c2)" = "seq=$(last_seq)"
'

test_expect_success 'a cursor before the log start says which records were pruned unseen' '
	echo "seq=1" >c3 &&
	log-show -d s --cursor-file "$TMP/c3" --format raw >out 2>err &&
	first=$(sed -n 2p s/oplog.csv | cut -d, -f1) &&
	one_line_matching err "records 2 to $((first - 1)) were removed from the log before they were shown"
'

test_expect_success 'a cursor past the log'"'"'s end (another log'"'"'s, or the log put back) is said' '
	last=$(last_seq) && echo "seq=$((last + 5))" >c5 &&
	log-show -d s --cursor-file "$TMP/c5" --format raw >out 2>err &&
	test "$(wc -l <out)" = 1 &&
	one_line_matching err "the cursor names seq $((last + 5)), past the log.s last record $last" &&
	echo "seq=$last" >c6 && log-show -d s --cursor-file "$TMP/c6" >out 2>err && test ! -s err
'

# Before the recovery, a log put back from a copy is shorter than its
# head says (the writers refuse it): its end is its last record, not the
# head's seq, and a cursor past it is said as above.
test_expect_success 'a log put back, not yet recovered (shorter than its head): a cursor past its last record is said' '
	(umask 077; jukisec-init -d "$TMP/putbk" >putbk.key 2>/dev/null) &&
	for i in 1 2 3; do log-append -d putbk -u - -a a -o $i || exit 1; done &&
	cp putbk/oplog.csv putbk.backup &&
	for i in 4 5; do log-append -d putbk -u - -a a -o $i || exit 1; done &&
	log-show -d putbk --format raw --cursor-file "$TMP/putbk.cur" >/dev/null &&
	cursor_is putbk.cur 5 &&
	cp putbk.backup putbk/oplog.csv &&
	log-show -d putbk --format raw --cursor-file "$TMP/putbk.cur" >out 2>err &&
	test "$(grep -cv "^seq," out)" = 0 &&
	one_line_matching err "the cursor names seq 5, past the log.s last record 3 " &&
	cursor_is putbk.cur 5 &&
	echo seq=2 >putbk.cur2 &&
	log-show -d putbk --format raw --cursor-file "$TMP/putbk.cur2" >out 2>err &&
	test ! -s err && cursor_is putbk.cur2 3
'

# The README's restore: oplog.csv put back from a backup, then log-append
# --recover.  The records from the recovery's on reuse seqs the follower
# handed on from the old history; reading the new file from its start, it
# finds another record at its last seq, says so and hands on again from
# the recovery's record.  (A prune's rename, above, never says it: f.err
# stays empty there.)
test_expect_success 'a follower across a log put back from a copy and recovered: said, every new record handed on' '
	(umask 077; jukisec-init -d "$TMP/rb" >rb.key 2>/dev/null) &&
	for i in 1 2 3; do log-append -d rb -u - -a a -o $i || exit 1; done &&
	cp rb/oplog.csv rb.backup &&
	for i in 4 5; do log-append -d rb -u - -a a -o $i || exit 1; done &&
	{ log-show -d "$TMP/rb" --follow --format raw --cursor-file "$TMP/rb.cur" \
	    >rb.out 2>rb.err & echo $! >f.pid; } &&
	wait_for cursor_is rb.cur 5 &&
	cp rb.backup rb/oplog.csv &&
	log-append -d rb --recover --key-file rb.key 2>/dev/null &&
	log-append -d rb -u - -a b -o 6 && log-append -d rb -u - -a b -o 7 &&
	wait_for out_has rb.out 6 &&
	kill "$(cat f.pid)" && wait "$(cat f.pid)" &&
	one_line_matching rb.err "^log-show: seq 5 of the new oplog.csv is not the record handed on as seq 5 \(the log was put back from a copy\): handing on again from seq 4, its recovery\$" &&
	grep -v "^seq," rb.out | cut -d, -f1,5 >got &&
	printf "%s\n" 0,genesis 1,a 2,a 3,a 4,a 5,a 4,recover 5,b 6,b >want &&
	test_cmp want got &&
	tail -n 3 rb/oplog.csv >want.csv && tail -n 3 rb.out >got.csv &&
	test_cmp want.csv got.csv && cursor_is rb.cur 6
'

test_expect_success 'a follower whose log is replaced by another log: said, nothing up to its seq handed on' '
	(umask 077; jukisec-init -d "$TMP/othr" >othr.key 2>/dev/null) &&
	for i in 1 2 3 4 5 6 7 8 9; do log-append -d othr -u - -a c -o $i || exit 1; done &&
	: >rb.err &&
	{ log-show -d "$TMP/rb" --follow --format raw --cursor-file "$TMP/rb.cur" \
	    >rb.out2 2>rb.err & echo $! >f.pid; } &&
	log-append -d rb -u - -a d -o 8 && wait_for out_has rb.out2 7 &&
	kill -STOP "$(cat f.pid)" &&
	cp othr/oplog.key othr/oplog.head rb/ && cp othr/oplog.csv rb/.new &&
	mv rb/.new rb/oplog.csv &&
	kill -CONT "$(cat f.pid)" &&
	wait_for out_has rb.out2 9 &&
	kill "$(cat f.pid)" && wait "$(cat f.pid)" &&
	one_line_matching rb.err "^log-show: seq 7 of the new oplog.csv is not the record handed on as seq 7 \(another log, or the log was put back from a copy\): records up to 7 will not be shown\$" &&
	grep -v "^seq," rb.out2 | cut -d, -f1,5 >got &&
	printf "%s\n" 7,d 8,c 9,c >want && test_cmp want got
'

# After a power loss the head may be behind the log (jukisec-log(5)
# "Writing": a single record's head is not synced); the records after a
# closed head are committed ones the next writer takes in.  A reader that
# holds no lock cannot tell them from an append in flight that its writer
# may still remove (below): -k verifies them, as log-verify takes them
# in, but shows them, and counts them in the cursor, only once the next
# append has committed them, as without -k.  Nor is a cursor that names
# one of them past the log's end: with -k the end is what verified.
test_expect_success 'a head left behind by a power loss: shown up to the head, the rest once committed, no cursor alarm' '
	init_at pl "2025-07-02 00:00:00" && rec pl "2025-07-02 00:01:00" a1 &&
	cp pl/oplog.head h.old && rec pl "2025-07-02 00:02:00" a2 &&
	cp h.old pl/oplog.head &&
	log-verify -d pl -k pl.key --now 2025-07-02T00:03:00Z &&
	log-show -d pl -k pl.key --now 2025-07-02T00:03:00Z --cursor-file "$TMP/plk" \
	    --format raw >out 2>err &&
	test ! -s err && test "$(cat plk)" = seq=1 && head -n 3 pl/oplog.csv | cmp - out &&
	log-show -d pl -k pl.key --now 2025-07-02T00:03:00Z --cursor-file "$TMP/plk" >out 2>err &&
	test ! -s err && test "$(wc -l <out)" = 1 && test "$(cat plk)" = seq=1 &&
	log-show -d pl --cursor-file "$TMP/pln" --format raw >out 2>err &&
	test ! -s err && test "$(cat pln)" = seq=1 && test "$(tail -n 1 out | cut -d, -f1)" = 1 &&
	log-show -d pl --cursor-file "$TMP/pln" >out 2>err && test ! -s err &&
	echo seq=2 >plc && log-show -d pl -k pl.key --now 2025-07-02T00:03:00Z \
	    --cursor-file "$TMP/plc" >out 2>err &&
	test ! -s err && test "$(wc -l <out)" = 1 && test "$(cat plc)" = seq=2 &&
	echo seq=3 >plc && log-show -d pl -k pl.key --now 2025-07-02T00:03:00Z \
	    --cursor-file "$TMP/plc" >out 2>err &&
	one_line_matching err "the cursor names seq 3, past the log.s last record 2" &&
	rec pl "2025-07-02 00:04:00" a3 &&
	log-show -d pl --cursor-file "$TMP/pln" --format raw >out 2>err && test ! -s err &&
	test "$(sed 1d out | cut -d, -f1 | tr "\n" " ")" = "2 3 " && test "$(cat pln)" = seq=3 &&
	log-show -d pl -k pl.key --now 2025-07-02T00:05:00Z --cursor-file "$TMP/plk" \
	    --format raw >out 2>err && test ! -s err &&
	test "$(sed 1d out | cut -d, -f1 | tr "\n" " ")" = "2 3 " && test "$(cat plk)" = seq=3
'

# The follower goes on from the head's record with the chain as it stood
# there: the record after it is verified when the next append commits it,
# and shown then, once; one its cursor names is verified, not shown again.
test_expect_success '--follow -k from a head left behind: each record once, when committed, no alarm' '
	cp pl/oplog.head h.old && rec pl "2025-07-02 00:05:00" a4 &&
	cp h.old pl/oplog.head &&
	{ log-show -d pl -k pl.key --now 2025-07-02T00:10:00Z --follow \
	    --cursor-file "$TMP/plf" --format raw >plf.out 2>plf.err &
	  echo $! >f.pid; } &&
	wait_for out_has plf.out 3 && wait_for cursor_is plf 3 &&
	rec pl "2025-07-02 00:06:00" a5 && wait_for out_has plf.out 5; st=$?;
	kill "$(cat f.pid)"; wait "$(cat f.pid)" 2>/dev/null;
	test $st = 0 && test ! -s plf.err && cmp pl/oplog.csv plf.out && test "$(cat plf)" = seq=5 &&
	cp pl/oplog.head h.old && rec pl "2025-07-02 00:07:00" a6 &&
	cp h.old pl/oplog.head && echo seq=6 >plg &&
	{ log-show -d pl -k pl.key --now 2025-07-02T00:10:00Z --follow \
	    --cursor-file "$TMP/plg" --format raw >plg.out 2>plg.err &
	  echo $! >f.pid; } &&
	rec pl "2025-07-02 00:08:00" a7 && wait_for out_has plg.out 7; st=$?;
	kill "$(cat f.pid)"; wait "$(cat f.pid)" 2>/dev/null;
	test $st = 0 && test ! -s plg.err && test "$(sed 1d plg.out | cut -d, -f1)" = 7 &&
	test "$(cat plg)" = seq=7
'

# A reader holds no lock: between its read of the head (closed, at seq 1)
# and its open of the log, a writer may begin a batch (its open head, then
# its records), which it or the next writer removes, logging a repair at
# seq 2.  rk: such a batch of three, killed before its commit, copied in
# at that moment (tests/crashpoint.c's hook).  Records after the head read
# are neither shown nor counted in the cursor: the next run ships the
# repair and what follows, so that the collector's copy is the log; the
# same for a follower, and with a filter (a block per core) that selects
# none of the batch (clerk02's) or the repair.
init_at rp "2025-07-02 00:00:00" && rec rp "2025-07-02 00:01:00" a1
printf "clerk02,print,b%s,ok,x\n" 1 2 3 >"$TMP/batch3"
batch3() { log-append -d "$TMP/rk" --stdin <"$TMP/batch3"; }
at "2025-07-02 00:02:00" crash_after "$TMP/rp" "$TMP/rk" "oplog[.]csv\$" pwrite "oplog[.]head\$" batch3
# in_flight DIR: DIR a copy of rp, and $copy_in the shell command that
# copies rk's batch in.
in_flight() {
	rm -rf "$1" && cp -a rp "$1" &&
	copy_in="cat '$TMP/rk/oplog.csv' >'$TMP/$1/oplog.csv' &&
	    cat '$TMP/rk/oplog.head' >'$TMP/$1/oplog.head'"
}

test_expect_success '-k --cursor-file: a batch begun after the head was read is not shipped' '
	grep -q "^4,.*,b3," rk/oplog.csv && grep -q "jukisec-log-head v2 open seq=1 " rk/oplog.head &&
	for f in "" "--operator clerk01"; do
		rm -f rc && in_flight rf &&
		hook_open 2 oplog.csv "$copy_in" log-show -d "$TMP/rf" -k rp.key \
		    --now 2025-07-02T00:10:00Z --cursor-file "$TMP/rc" --format raw $f >rf.out 2>err &&
		test ! -s err && test "$(cat rc)" = seq=1 &&
		test "$(sed 1d rf.out | cut -d, -f1 | tr "\n" " ")" = "$(test -n "$f" || echo "0 ")1 " &&
		cmp rk/oplog.csv rf/oplog.csv &&
		rec rf "2025-07-02 00:03:00" c1 && grep -q "^2,.*,-,repair," rf/oplog.csv &&
		! grep -q ",b1," rf/oplog.csv &&
		log-show -d rf -k rp.key --now 2025-07-02T00:10:00Z --cursor-file "$TMP/rc" \
		    --format raw $f >out 2>err && test ! -s err && test "$(cat rc)" = seq=3 &&
		{ cat rf.out; sed 1d out; } >got &&
		log-show -d rf --format raw $f >want && test_cmp want got || return 1
	done
'

test_expect_success '--follow -k: a batch begun after the head was read is not shown; the repair is' '
	for f in "" "--operator clerk01"; do
		in_flight ro &&
		{ (hook_env 2 oplog.csv "$copy_in"; exec log-show -d "$TMP/ro" -k rp.key \
		    --now 2025-07-02T00:10:00Z --follow --format raw $f) >ro.out 2>ro.err &
		  echo $! >f.pid; } &&
		wait_for out_has ro.out 1 && cmp rk/oplog.csv ro/oplog.csv &&
		rec ro "2025-07-02 00:03:00" c1 && wait_for out_has ro.out 3; st=$?;
		kill "$(cat f.pid)"; wait "$(cat f.pid)" 2>/dev/null;
		test $st = 0 && test ! -s ro.err && grep -q "^2,.*,-,repair," ro/oplog.csv &&
		log-show -d ro --format raw $f >want && test_cmp want ro.out || return 1
	done
'

test_expect_success 'the records of an append still under way are not shown' '
	echo "seq=$(last_seq)" >c4 && cp s/oplog.csv keep &&
	printf "%s,2025-07-02T00:00:01.000Z,vm,x,y,,ok,,0,%064d\n" $(($(last_seq) + 1)) 0 >>s/oplog.csv &&
	log-show -d s --cursor-file "$TMP/c4" --format raw >out &&
	test "$(wc -l <out)" = 1 && cp keep s/oplog.csv
'

test_expect_success 'a malformed cursor file exits 2' '
	echo "12" >bad && test_must_fail 2 log-show -d s --cursor-file "$TMP/bad" 2>err &&
	one_line_matching err "bad:1: not a log-show cursor"
'

test_expect_success 'a cursor is seq=N as the log spells a seq, else exit 2 and no record shown' '
	for c in seq=99999999999999999999 seq=1000000000000000000 seq=01 seq=00 \
	    seq=+1 seq=-1 "seq= 1" "seq=1 " seq=1x seq= "seq=1
seq=2" "seq=1
x"; do
		printf "%s\n" "$c" >bad &&
		test_must_fail 2 log-show -d s --cursor-file "$TMP/bad" >out 2>err &&
		test ! -s out &&
		one_line_matching err "^log-show: $TMP/bad:1: not a log-show cursor \(seq=N\)$" || return 1
	done &&
	printf "seq=1" >bad && test_must_fail 2 log-show -d s --cursor-file "$TMP/bad" 2>err &&
	echo seq=999999999999999999 >big &&
	log-show -d s --cursor-file "$TMP/big" >out 2>err &&
	one_line_matching err "the cursor names seq 999999999999999999, past" &&
	echo seq=0 >zero && log-show -d s --cursor-file "$TMP/zero" >out 2>err
'

test_expect_success 'a cursor file that is a FIFO, a directory or a symbolic link: exit 3 naming it, never a wait' '
	mkfifo cfifo && mkdir cdir && echo seq=0 >creal && ln -s creal clink &&
	test_must_fail 3 timeout 10 log-show -d s --cursor-file "$TMP/cfifo" >out 2>err &&
	one_line_matching err "^log-show: $TMP/cfifo: not a regular file: refused$" &&
	test_must_fail 3 log-show -d s --cursor-file "$TMP/cdir" >out 2>err &&
	one_line_matching err "^log-show: $TMP/cdir: not a regular file: refused$" &&
	test_must_fail 3 log-show -d s --cursor-file "$TMP/clink" >out 2>err &&
	one_line_matching err "^log-show: $TMP/clink: a symbolic link: refused$" &&
	test ! -s out && test -p cfifo && test -L clink
'

test_expect_success 'a FIFO left where the cursor is written (FILE.tmp) is replaced, not waited on' '
	mkfifo "$TMP/c7.tmp" &&
	timeout 10 log-show -d s --cursor-file "$TMP/c7" --format raw >out &&
	test "$(cat c7)" = "seq=$(last_seq)" && test ! -e c7.tmp
'

# A cursor that cannot be replaced is found before anything is handed
# on: found after, each run would hand the same records on again, and the
# collector's copy would hold them twice (a record out of place).
test_expect_success TMPFS 'a cursor that cannot be written (a full disk): exit 3, nothing handed on' '
	mkdir -m 700 "$TMP/cfull" &&
	mount -t tmpfs -o size=8k,mode=700 tmpfs "$TMP/cfull" &&
	{ head -c 65536 /dev/zero >"$TMP/cfull/fill" 2>/dev/null; true; } &&
	{ log-show -d s --cursor-file "$TMP/cfull/c" --format raw >out1 2>err1
	  echo $? >rc1; } &&
	echo "seq=0" >"$TMP/cfull/c0" 2>/dev/null;
	{ test -s "$TMP/cfull/c0" || { rm -f "$TMP/cfull/fill" && echo "seq=0" >"$TMP/cfull/c0" &&
	    head -c 65536 /dev/zero >"$TMP/cfull/fill" 2>/dev/null; true; }; } &&
	{ log-show -d s --follow --cursor-file "$TMP/cfull/c0" --format raw >out2 2>err2
	  echo $? >rc2; } &&
	cat "$TMP/cfull/c0" >c0 && ls -A "$TMP/cfull" >left; umount "$TMP/cfull" &&
	test "$(cat rc1)" = 3 && test ! -s out1 &&
	one_line_matching err1 "^log-show: $TMP/cfull/c.tmp: No space left on device\$" &&
	test "$(cat rc2)" = 3 && test ! -s out2 &&
	one_line_matching err2 "^log-show: $TMP/cfull/c0.tmp: No space left on device\$" &&
	test "$(cat c0)" = seq=0 && printf "%s\n" c0 fill >want && test_cmp want left
'

# The cursor is durable when the run ends: its file's data and the
# directory's rename.  A directory that cannot be synced (EIO, injected)
# is exit 3 naming it, not a cursor a power loss may take back unsaid;
# said once, also by a follower (whose end flushes again).
test_expect_success STRACE 'the cursor'"'"'s directory that cannot be synced: exit 3, named' '
	mkdir cd8 &&
	test_must_fail 3 strace -f -o /dev/null -e trace=fsync -e inject=fsync:error=EIO \
	    log-show -d s --cursor-file "$TMP/cd8/c8" --format raw >out 2>err &&
	one_line_matching err "^log-show: $TMP/cd8/c8: syncing its directory: Input/output error\$" &&
	mkdir cd10 &&
	test_must_fail 3 timeout 10 strace -f -o /dev/null -e trace=fsync -e inject=fsync:error=EIO \
	    log-show -d s --follow --cursor-file "$TMP/cd10/c10" --format raw >out 2>err &&
	one_line_matching err "^log-show: $TMP/cd10/c10: syncing its directory: Input/output error\$" &&
	log-show -d s --cursor-file "$TMP/cd8/c8" --format raw >out &&
	test "$(cat cd8/c8)" = "seq=$(last_seq)"
'

test_expect_success '--follow -k: the log verified first, then each new record' '
	follow out5 -k "$TMP/s.key" --now 2025-07-02T00:00:00Z &&
	wait_for out_has out5 "$(last_seq)" &&
	rec s "2025-07-02 00:01:00" verified 1 &&
	wait_for out_has out5 "$(last_seq)" &&
	kill "$(cat f.pid)" && wait "$(cat f.pid)" 2>/dev/null;
	cmp out5 s/oplog.csv
'

# A follower goes on from where it stopped before each wait: a bad record
# read then is still named by its line in the file.  The follower is
# stopped while the record is appended and damaged in place (same inode),
# so that it reads it only after that.
test_expect_success '--follow -k: a bad record read after waits is named by its line in the file' '
	: >f.err &&
	follow out6 -k "$TMP/s.key" --now 2025-07-02T00:00:00Z &&
	wait_for out_has out6 "$(last_seq)" &&
	rec s "2025-07-02 00:02:00" shown 2 &&
	wait_for out_has out6 "$(last_seq)" &&
	kill -STOP "$(cat f.pid)" &&
	rec s "2025-07-02 00:03:00" tampered 1 &&
	line=$(wc -l <s/oplog.csv) && seq=$(last_seq) && cp s/oplog.csv good.csv &&
	off=$(grep -bo ",tampered," s/oplog.csv | cut -d: -f1) &&
	printf T | dd of=s/oplog.csv bs=1 seek=$((off + 1)) conv=notrunc 2>/dev/null &&
	kill -CONT "$(cat f.pid)" && wait_for test -s f.err &&
	{ wait "$(cat f.pid)"; test $? = 1; } && cat good.csv >s/oplog.csv &&
	one_line_matching f.err "^log-show: oplog.csv:$line: seq $seq: MAC mismatch"
'

# A line after the head that no writer commits (a record forged after the
# last append: every writer now refuses the log) fails the follower as it
# fails a run started then, once the head has stayed where it was for a
# moment: it does not wait for a head that never comes.
test_expect_success '--follow -k: a line forged after the head is named, exit 1, not waited on' '
	: >f.err &&
	follow outf -k "$TMP/s.key" --now 2025-07-02T00:00:00Z &&
	wait_for out_has outf "$(last_seq)" &&
	cp s/oplog.csv good.csv &&
	seq=$(($(last_seq) + 1)) && line=$(($(wc -l <s/oplog.csv) + 1)) &&
	tail -n 1 good.csv | awk -F, -v OFS=, "{ \$1 = \$1 + 1; \$6 = \"FORGED\"; print }" >>s/oplog.csv &&
	wait_for test -s f.err &&
	{ wait "$(cat f.pid)"; test $? = 1; } && cat good.csv >s/oplog.csv &&
	one_line_matching f.err "^log-show: oplog.csv:$line: seq $seq: MAC mismatch" &&
	cmp outf good.csv
'

test_expect_success '--follow without -k: an empty field read after waits is named by its line in the file' '
	: >f.err &&
	follow out7 &&
	wait_for out_has out7 "$(last_seq)" &&
	rec s "2025-07-02 00:04:00" shown 2 &&
	wait_for out_has out7 "$(last_seq)" &&
	kill -STOP "$(cat f.pid)" &&
	rec s "2025-07-02 00:05:00" emptied 1 &&
	line=$(wc -l <s/oplog.csv) && seq=$(last_seq) && cp s/oplog.csv good.csv &&
	sed "\$s/,clerk01,print,emptied,/,,print,emptied,/" good.csv >bad.csv &&
	cat bad.csv >s/oplog.csv &&
	kill -CONT "$(cat f.pid)" && wait_for test -s f.err &&
	{ wait "$(cat f.pid)"; test $? = 1; } && cat good.csv >s/oplog.csv &&
	one_line_matching f.err "^log-show: oplog.csv:$line: seq $seq: field operator: empty\$"
'

# --now stands for the clock for the records followed as for the log
# before them: one dated more than 10 minutes after it fails.
test_expect_success '--follow -k --now: the new records are judged as of --now, not by the clock' '
	: >f.err &&
	follow out8 -k "$TMP/s.key" --now 2025-07-02T00:00:00Z &&
	wait_for out_has out8 "$(last_seq)" &&
	rec s "2025-07-02 00:06:00" within 1 &&
	wait_for out_has out8 "$(last_seq)" &&
	rec s "2025-07-02 00:30:00" later 1 &&
	wait_for test -s f.err &&
	{ wait "$(cat f.pid)"; test $? = 1; } &&
	one_line_matching f.err "^log-show: oplog.csv:$(wc -l <s/oplog.csv): seq $(last_seq): dated after the verification time 2025-07-02T00:00:00.000Z\$" &&
	head -n -1 s/oplog.csv >want && cmp want out8
'


# Bytes a writer killed mid-line left after the head are no forgery: the
# next append cuts them and logs a repair (jukisec-log(5)), so a follower
# that finds them there keeps waiting, as it did before it looked.
test_expect_success '--follow -k: a torn line after the head waits for the append that repairs it' '
	: >f.err &&
	follow outt -k "$TMP/s.key" --now 2025-07-02T01:00:00Z &&
	wait_for out_has outt "$(last_seq)" &&
	printf "%s,2025-07-02T00:3" "$(($(last_seq) + 1))" >>s/oplog.csv &&
	sleep 2.5 && kill -0 "$(cat f.pid)" &&
	rec s "2025-07-02 00:40:00" after-torn 1 &&
	wait_for out_has outt "$(last_seq)" &&
	tail -n 2 outt | head -n 1 | grep -q ",-,repair,oplog.csv,ok,removed=" &&
	kill "$(cat f.pid)" && { wait "$(cat f.pid)"; test $? = 0; } &&
	test ! -s f.err && cmp outt s/oplog.csv
'


# A log pruned once already, followed with -k across the next prunes, as
# the nightly job prunes every log older than a year: the follower's
# verifier goes on from the chain the first pass verified, the last
# checkpoint included, so a genuine prune verifies as log-verify verifies
# the log afterwards, and a checkpoint forged with the current key
# (tests/logforge.py) fails as log-verify fails it.
init_at p "2023-01-01 00:00:00"
rec p "2023-01-02 09:00:00" old0 2
padded p "2023-01-11 22:00:00" 2 old1 x	# each run removes more than
padded p "2023-01-11 23:15:00" 2 old2 x	# a checkpoint's length
padded p "2023-01-11 23:45:00" 2 old3 x
rec p "2023-03-01 09:00:00" spring 2
at "2024-01-06 00:00:00" log-append -d p --seal &&
    at "2024-01-06 00:00:00" log-prune -d p -a "$TMP/p-arch.csv" >/dev/null
rec p "2024-01-06 01:00:00" kept 2
at "2024-01-11 23:00:00" log-append -d p --seal
PNOW=2024-01-12T00:00:00Z
# pfollow DIR OUT: a -k follower of DIR at $PNOW in the background.
pfollow() {
	log-show -d "$TMP/$1" -k "$TMP/p.key" --follow --now $PNOW --format raw \
	    >"$2" 2>>f.err &
	echo $! >f.pid
}
# pprune DIR TIME: the nightly job on DIR at TIME.
pprune() {
	at "$2" log-append -d "$1" --seal &&
	    at "$2" log-prune -d "$1" -a "$TMP/$1-arch.csv" >/dev/null
}
plast() { tail -n 1 "$1/oplog.csv" | cut -d, -f1; }
# shown_or_gone OUT SEQ: the follower showed SEQ last, or exited.
shown_or_gone() { out_has "$1" "$2" || ! kill -0 "$(cat f.pid)" 2>/dev/null; }
# applied FORGED DIR: the forger's log renamed over DIR's, as log-prune
# renames its new log in, then its head and key (renamed in too: the
# follower reads the head at any moment).
applied() {
	for _f in oplog.csv oplog.head oplog.key; do
		cp -p "$1/$_f" "$2/$_f.new" && mv "$2/$_f.new" "$2/$_f" || return 1
	done
}

# p0: p as the nightly job leaves it two prunes on (the test below acts
# that out under a follower), for the forgers further down.
cp -a p p0 && pprune p0 "2024-01-11 23:10:00" && rec p0 "2024-01-11 23:20:00" between 1 &&
    pprune p0 "2024-01-11 23:30:00"

test_expect_success '--follow -k across two prunes of a pruned log: it goes on, every record verified' '
	: >f.err && first=$(sed -n 2p p/oplog.csv | cut -d, -f1) && test "$first" -gt 0 &&
	pfollow p outp && wait_for shown_or_gone outp "$(plast p)" &&
	pprune p "2024-01-11 23:10:00" && ! has p old1 && has p old2 &&
	wait_for shown_or_gone outp "$(plast p)" &&
	rec p "2024-01-11 23:20:00" between 1 &&
	pprune p "2024-01-11 23:30:00" && ! has p old2 && has p old3 &&
	wait_for shown_or_gone outp "$(plast p)" &&
	kill -0 "$(cat f.pid)" && out_has outp "$(plast p)" &&
	kill "$(cat f.pid)" && { wait "$(cat f.pid)"; test $? = 0; } &&
	test ! -s f.err &&
	{ grep -v "^seq," p-arch.csv | awk -F, -v f="$first" "\$1 >= f"; tail -n +2 p/oplog.csv; } >want.csv &&
	grep -v "^seq," outp >got.csv && test_cmp want.csv got.csv &&
	log-verify -d p -k p.key --now $PNOW >/dev/null
'

# forged_follow NAME LAST TIME CUTOFF [CUT_TIME]: a follower of a copy of
# p0, then a checkpoint of logforge.py checkpoint (in a copy) renamed in.
forged_follow() {
	rm -rf "$1" "$1.q" && cp -a p0 "$1" && cp -a p0 "$1.q" && : >f.err &&
	pfollow "$1" "out-$1" && wait_for out_has "out-$1" "$(plast "$1")" &&
	python3 "$SRCDIR/tests/logforge.py" checkpoint "$1.q" "$2" "$3" "$4" ${5:-}
}

test_expect_success '--follow -k: a checkpoint a genuine prune could have made verifies (control)' '
	forged_follow fc auto 2024-01-11T23:50:00.000Z 2023-01-11T23:50:00.000Z &&
	applied fc.q fc && ! has fc old3 &&
	wait_for shown_or_gone out-fc "$(plast fc)" &&
	kill -0 "$(cat f.pid)" && kill "$(cat f.pid)" && { wait "$(cat f.pid)"; test $? = 0; } &&
	test ! -s f.err && log-verify -d fc -k p.key --now $PNOW >/dev/null
'

test_expect_success '--follow -k: a forged checkpoint cutting records younger than a year fails as log-verify fails it' '
	last=$(awk -F, "\$6 == \"kept\" { s = \$1 } END { print s }" p0/oplog.csv) &&
	forged_follow fy "$last" 2024-01-11T23:50:00.000Z 2023-01-11T23:50:00.000Z \
	    2023-01-11T00:00:00.000Z &&
	applied fy.q fy &&
	wait_for test -s f.err && { wait "$(cat f.pid)"; test $? = 1; } &&
	test_must_fail 1 log-verify -d fy -k p.key --now $PNOW 2>err &&
	one_line_matching err "^log-verify: oplog.csv:2: seq $((last + 1)): first kept record is in epoch [0-9]+, after the cutoff.s epoch [0-9]+: more was removed than the cutoff allows\$" &&
	sed "s/^log-verify:/log-show:/" err >want && test_cmp want f.err
'

test_expect_success '--follow -k: a forged checkpoint with a wrong cut_mac fails at the first kept record' '
	forged_follow fm auto 2024-01-11T23:50:00.000Z 2023-01-11T23:50:00.000Z &&
	python3 "$SRCDIR/tests/logforge.py" last fm.q/oplog.key fm.q/oplog.csv \
	    "re.sub(r\"cut_mac=\\S+\", \"cut_mac=\" + \"0\" * 64, d)" &&
	first=$(sed -n 2p fm.q/oplog.csv | cut -d, -f1) &&
	applied fm.q fm &&
	wait_for test -s f.err && { wait "$(cat f.pid)"; test $? = 1; } &&
	one_line_matching f.err "^log-show: oplog.csv:2: seq $first: MAC mismatch: record changed, or wrong key\$"
'

test_expect_success '--follow -k: a forged checkpoint whose removed= does not go on from the last one fails' '
	forged_follow fr auto 2024-01-11T23:50:00.000Z 2023-01-11T23:50:00.000Z &&
	from=$(sed -n 2p fr/oplog.csv | cut -d, -f1) &&
	python3 "$SRCDIR/tests/logforge.py" last fr.q/oplog.key fr.q/oplog.csv \
	    "re.sub(r\"removed=[0-9]+-\", \"removed=%d-\" % (int(a[0]) + 1), d)" "$from" &&
	applied fr.q fr &&
	wait_for test -s f.err && { wait "$(cat f.pid)"; test $? = 1; } &&
	one_line_matching f.err "^log-show: oplog.csv:[0-9]+: seq [0-9]+: log-prune removed from seq $((from + 1)), the log then began at $from\$"
'


# A genuine prune renamed in, but the record the follower verified last
# changed in it (its MAC's last digit): the chain cannot go on from that
# record, and the records after it are not shown as verified, as
# log-verify fails the log afterwards.
test_expect_success '--follow -k: the record verified last, changed in the log renamed in: exit 1, named' '
	rm -rf fk fk.q && cp -a p0 fk && cp -a p0 fk.q && : >f.err &&
	last=$(plast fk) && pfollow fk out-fk && wait_for out_has out-fk "$last" &&
	pprune fk.q "2024-01-11 23:50:00" &&
	n=$(grep -n "^$last," fk.q/oplog.csv | cut -d: -f1) && test -n "$n" &&
	awk -v n="$n" "NR == n { c = substr(\$0, length(\$0))
		\$0 = substr(\$0, 1, length(\$0) - 1) (c == \"0\" ? \"1\" : \"0\") } { print }" \
	    fk.q/oplog.csv >flip.tmp && cat flip.tmp >fk.q/oplog.csv &&
	applied fk.q fk &&
	wait_for test -s f.err && { wait "$(cat f.pid)"; test $? = 1; } &&
	one_line_matching f.err "^log-show: oplog.csv:$n: seq $last: not the record verified as seq $last before the log was replaced\$" &&
	out_has out-fk "$last" &&
	test_must_fail 1 log-verify -d fk -k p.key --now $PNOW 2>err &&
	grep -q "seq $last: MAC mismatch" err
'


test_seed 1120

# slow OUT: standard input appended to OUT, 64 KiB every 5 ms: a pipe that
# fills, so that log-show is stopped within a write as often as not.
slow() {
	python3 -c '
import os, sys, time
with open(sys.argv[1], "ab") as out:
    while True:
        b = os.read(0, 65536)
        if not b:
            break
        out.write(b)
        time.sleep(0.005)' "$1"
}
# caught PID SIG: PID catches SIG (HUP, INT or TERM): its handler is in
# place (/proc/PID/status SigCgt), or it has ended, within 5 s.
caught() {
	case $2 in HUP) _b=0 ;; INT) _b=1 ;; TERM) _b=14 ;; esac
	_c=0
	while :; do
		_m=$(sed -n "s/^SigCgt:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null) &&
		    [ -n "$_m" ] && [ $(((0x$_m >> _b) & 1)) = 1 ] && return 0
		grep -q "^State:[[:space:]]*[ZX]" "/proc/$1/status" 2>/dev/null ||
		    [ ! -e "/proc/$1" ] && return 0
		_c=$((_c + 1)); [ $_c -lt 500 ] || return 1
		sleep 0.01
	done
}
# run_stopped SIG OUT ARGS...: log-show ARGS... writing to OUT through
# slow(), stopped with SIG at a random moment once it catches SIG (before,
# the signal's default action ends it, which a slow start under ASan and
# a busy machine made the test take for a follower that did not stop
# cleanly); its status in $st.  Started with the signals' default action:
# sh starts a background command with SIGINT ignored.
run_stopped() {
	_sig=$1 _out=$2; shift 2
	rm -f pipe && mkfifo pipe &&
	{ slow "$_out" <pipe & _rp=$!; } &&
	{ env --default-signal=HUP,INT,TERM log-show -d "$TMP/s" --format raw "$@" \
	    >pipe 2>>f.err & echo $! >f.pid; } &&
	caught "$(cat f.pid)" "$_sig" &&
	sleep "0.0$(( $(rand) % 9 + 1 ))" && kill -"$_sig" "$(cat f.pid)"
	wait "$(cat f.pid)"; st=$?
	wait $_rp
}
# gone PID: PID has exited within 2 s.
gone() {
	_n=0
	while kill -0 "$1" 2>/dev/null; do
		_n=$((_n + 1))
		[ "$_n" -lt 20 ] || return 1
		sleep 0.1
	done
}
# shown_once OUT FROM: OUT holds the records after seq FROM of the log,
# each once, whole and in order (one header row a run).
shown_once() {
	tail -n +2 s/oplog.csv | awk -F, -v a="$2" '$1 > a' >want.csv &&
	grep -v "^seq," "$1" >got.csv && test_cmp want.csv got.csv
}

test_expect_success 'a follower stopped while it waits (SIGTERM): at once, exit 0, the cursor made durable' '
	: >f.err && from=$(last_seq) && echo "seq=$from" >c8 &&
	rec s "2025-07-03 00:00:00" waited 2 &&
	follow out9 --cursor-file "$TMP/c8" &&
	wait_for out_has out9 "$(last_seq)" && sleep 0.2 &&
	kill -TERM "$(cat f.pid)" && gone "$(cat f.pid)" &&
	{ wait "$(cat f.pid)"; test $? = 0; } &&
	test "$(cat c8)" = "seq=$(last_seq)" && test ! -e c8.tmp &&
	shown_once out9 "$from" && test ! -s f.err
'

test_expect_success 'a follower that started with SIGHUP ignored (nohup) goes on after a hangup' '
	(trap "" HUP; exec log-show -d "$TMP/s" --follow --format raw >out10 2>>f.err) &
	pid=$! && wait_for out_has out10 "$(last_seq)" &&
	kill -HUP $pid && sleep 0.2 && kill -0 $pid &&
	rec s "2025-07-03 00:01:00" after-hup 1 &&
	wait_for out_has out10 "$(last_seq)" &&
	kill -TERM $pid && { wait $pid; test $? = 0; } && test ! -s f.err
'

# The records a follower is writing when it is stopped are written whole
# and the cursor replaced before it exits: stopped at random moments
# within a large backlog, and restarted each time, it repeats none and
# skips none; with -k too (stopped while the log is verified).
test_expect_success 'a backlog written to a slow pipe, its follower stopped (TERM, INT, HUP) 10 times: each record once, whole' '
	: >f.err && from=$(last_seq) && echo "seq=$from" >c9 &&
	seq 1 60000 | awk "{ print \"clerk01,bulk,o\" \$1 \",ok,d\" }" |
	    at "2025-07-03 00:02:00" log-append -d s --stdin &&
	i=0 &&
	for sig in TERM INT TERM TERM HUP TERM TERM TERM TERM TERM; do
		if [ $((i % 2)) = 1 ]; then
			set -- -k "$TMP/s.key" --now 2025-07-04T00:00:00Z
		else
			set --
		fi &&
		run_stopped $sig out11 --follow --cursor-file "$TMP/c9" "$@" &&
		echo "$sig $st $(cat c9)" >>stops && i=$((i + 1)) || return 1
	done &&
	log-show -d s --format raw --cursor-file "$TMP/c9" >>out11 &&
	shown_once out11 "$from" && test ! -s f.err && ! grep -v " 0 seq=" stops
'

# Without --follow the run did not reach the end: it ends by the signal,
# after the record it was writing and the cursor.
test_expect_success 'the cron form stopped (SIGTERM) within a backlog: the next run goes on, nothing repeated' '
	: >f.err && from=$(last_seq) && echo "seq=$from" >c10 &&
	seq 1 30000 | awk "{ print \"clerk01,bulk,p\" \$1 \",ok,d\" }" |
	    at "2025-07-03 00:03:00" log-append -d s --stdin &&
	for i in 1 2 3 4 5; do
		run_stopped TERM out12 --cursor-file "$TMP/c10" &&
		echo "TERM $st $(cat c10)" >>stops2 || return 1
	done &&
	log-show -d s --format raw --cursor-file "$TMP/c10" >>out12 &&
	shown_once out12 "$from" && test ! -s f.err &&
	! grep -v -e "^TERM 143 seq=" -e "^TERM 0 seq=$(last_seq)\$" stops2
'

# The cursor's directory is checked once, as opened, and every write goes
# to it: another user's directory on the path, swapped for a link to the
# state directory while the follower waits, cannot send "seq=N" over the
# register.
test_expect_success 'a cursor directory swapped for the state directory meanwhile: the cursor stays where it was checked' '
	cp -p s/operators.csv reg.before 2>/dev/null || : >reg.before &&
	mkdir -p sw/real && ln -s real sw/dir &&
	follow out13 --cursor-file "$TMP/sw/dir/operators.csv" &&
	wait_for out_has out13 "$(last_seq)" && test -s sw/real/operators.csv &&
	ln -s "$TMP/s" sw/dir.new && mv -T sw/dir.new sw/dir &&
	rec s "2025-07-05 00:00:00" swapped 1 &&
	wait_for out_has out13 "$(last_seq)" &&
	wait_for cursor_is sw/real/operators.csv "$(last_seq)" &&
	kill "$(cat f.pid)" && wait "$(cat f.pid)" 2>/dev/null;
	if test -s reg.before; then cmp reg.before s/operators.csv; else test ! -e s/operators.csv; fi &&
	test ! -e s/operators.csv.tmp
'

# A -k follower judges what it finds past the head by the clock when it
# looks (log-show(1), Verification), not by its own start: started at
# 09:00, a genuine record of 10:00 is no "record dated after the
# verification time", and a line forged after it is named.  The follower's
# clock moves (libfaketime reading a file); the writers' is stopped.
test_expect_success '-k --follow an hour on: bytes past the head are judged by the clock then' '
	init_at cl "2027-05-06 09:00:00" &&
	echo "2027-05-06 09:00:00" >clock &&
	{ LD_PRELOAD=$FT_LIB FAKETIME_TIMESTAMP_FILE=$TMP/clock FAKETIME_NO_CACHE=1 \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 log-show -d "$TMP/cl" -k "$TMP/cl.key" \
	    --follow --format raw >out14 2>err14 & echo $! >f.pid; } &&
	wait_for out_has out14 0 &&
	echo "2027-05-06 10:00:00" >clock &&
	at "2027-05-06 10:00:00" log-append -d cl -u clerk01 -a view -o genuine -r ok &&
	wait_for out_has out14 1 &&
	tail -n 1 cl/oplog.csv | sed "s/^1,/2,/; s/genuine/forged/" >>cl/oplog.csv &&
	{ wait "$(cat f.pid)"; test $? = 1; } &&
	one_line_matching err14 "^log-show: oplog.csv:4: seq 2: MAC mismatch: record changed, or wrong key\$"
'

# A new cursor in a directory that may be written and searched, not read
# (0311): its trial syncs the directory as every later write does, so a
# cursor that cannot be kept is said before anything is handed on
# (log-show(1)), not after the whole log went out.
test_expect_success NOBODY,ROOT 'a new cursor in a directory of mode 0311: exit 3 before anything is handed on' '
	chmod 711 "$TMP" && mkdir -m 711 nbc && chown nobody nbc &&
	as_nobody jukisec-init -d "$TMP/nbc/s" >/dev/null 2>&1 &&
	as_nobody mkdir -m 311 "$TMP/nbc/wx" &&
	for f in "" --follow; do
		test_must_fail 3 as_nobody log-show -d "$TMP/nbc/s" $f --format raw \
		    --cursor-file "$TMP/nbc/wx/n" >out15 2>err15 || return 1
		test ! -s out15 && test ! -e nbc/wx/n && test ! -e nbc/wx/n.tmp || return 1
		one_line_matching err15 "^log-show: $TMP/nbc/wx/n: syncing its directory: Permission denied\$" || return 1
	done
'

test_done
