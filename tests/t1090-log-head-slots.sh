#!/bin/sh
# oplog.head's two slots (jukisec-log(5) "Head"): writes alternate between
# them; a torn newer slot leaves the older one, and the records after it are
# taken in by the next writer when whole and chained, cut (and the cut
# logged) when not; a one-line head of an older log is still read.
. "$(dirname "$0")/lib.sh"

init_state "$TMP/s"
la() { log-append -d "$TMP/s" -t cs01 "$@"; }
lv() { log-verify -d "$TMP/s" -k "$TMP/s.key" "$@"; }

# slot N: slot N's line (NULs dropped).  tear N: slot N made unreadable.
slot() { dd if=s/oplog.head bs=512 skip="$1" count=1 2>/dev/null | tr -d '\000'; }
tear() { printf 'xxxx' | dd of=s/oplog.head bs=1 seek=$(($1 * 512)) conv=notrunc 2>/dev/null; }
seqof() { slot "$1" | sed -n "s/.* seq=\([0-9]*\) .*/\1/p"; }
newer() { if [ "$(seqof 0)" -gt "$(seqof 1)" ]; then echo 0; else echo 1; fi; }

test_expect_success 'two slots of 512 bytes; each append writes the other one' '
	la -u a -a one && la -u a -a two &&
	test "$(wc -c <s/oplog.head)" -eq 1024 &&
	s0=$(seqof 0) && s1=$(seqof 1) && test $((s0 - s1)) -eq 1 -o $((s1 - s0)) -eq 1 &&
	n=$(newer) && la -u a -a three && test "$(newer)" -ne "$n" &&
	lv >/dev/null
'

test_expect_success 'a torn newer slot: the older head, and the record after it is taken in' '
	tear "$(newer)" &&
	test_must_fail 1 lv 2>err && grep -q "bytes after the head.s end" err &&
	la -u a -a four &&
	! grep -q ",-,repair," s/oplog.csv &&
	grep -q ",a,three," s/oplog.csv && grep -q ",a,four," s/oplog.csv &&
	lv >/dev/null
'

test_expect_success 'after a lost head: a whole record is taken in, a torn one cut and logged' '
	cp s/oplog.head old.head && la -u a -a five && cp old.head s/oplog.head &&
	printf "99,2026-01-01T00:00:00.000Z,cs01,a,x" >>s/oplog.csv &&
	la -u a -a six &&
	grep -q ",a,five," s/oplog.csv &&
	tail -2 s/oplog.csv | head -1 | grep -q ",-,repair,oplog.csv,ok,removed=36 bytes after seq" &&
	lv >/dev/null
'

test_expect_success 'after a lost head: a record whose MAC fails is not taken in' '
	cp s/oplog.head old.head && cp s/oplog.csv old.csv &&
	la -u a -a seven && cp old.head s/oplog.head &&
	sed -i "\$s/,a,seven,/,a,sevem,/" s/oplog.csv &&
	la -u a -a eight &&
	! grep -q ",a,seve[nm]," s/oplog.csv &&
	tail -2 s/oplog.csv | head -1 | grep -q ",-,repair,oplog.csv,ok,removed=" &&
	lv >/dev/null
'

test_expect_success 'both slots unreadable: exit 3, malformed head, nothing written' '
	cp s/oplog.head good.head && cp s/oplog.csv before.csv &&
	tear 0 && tear 1 &&
	test_must_fail 3 la -u a -a nine 2>err && grep -q "oplog.head: malformed head" err &&
	cmp before.csv s/oplog.csv && cp good.head s/oplog.head
'

test_expect_success 'a one-line head (an older log) is read, then written as two slots' '
	slot "$(newer)" >one && cp one s/oplog.head &&
	lv >/dev/null && la -u a -a ten && lv >/dev/null &&
	test "$(wc -c <s/oplog.head)" -eq 1024
'

rand() { od -An -N2 -tu2 /dev/urandom | tr -d " "; }

test_expect_success '60 single-record writers killed at random moments: none that exited 0 is lost' '
	: >done && i=0 &&
	while [ $i -lt 60 ]; do
		{ la -u k -a "single$i" 2>/dev/null & p=$!; } &&
		sleep "0.00$(( $(rand) % 4 ))" && kill -9 $p 2>/dev/null
		if wait $p; then echo "single$i" >>done; fi
		i=$((i + 1))
	done &&
	la -u after -a kills && lv >out &&
	while read a; do grep -q ",k,$a," s/oplog.csv || { echo "$a missing" >&2; exit 1; }; done <done &&
	say "$(wc -l <done) of 60 exited 0; $(cat out)"
'

test_done
