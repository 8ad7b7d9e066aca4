#!/bin/sh
# A log large enough (over 4 MiB) that log-verify checks MACs on a second
# core: it still names the first bad record, whichever check finds it.
. "$(dirname "$0")/lib.sh"

at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/s" -t cs01 >key 2>/dev/null
chmod 600 key
awk 'BEGIN { for (i = 0; i < 30000; i++)
	printf "op%03d,view,juminhyo %08d,ok,record %d of a large log\n", i % 100, i, i }' |
	at 2026-01-01T10:00:00Z log-append -d "$TMP/s" -t cs01 --stdin 2>/dev/null
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "op%03d,print,x%d,ok,\n", i % 100, i }' |
	at 2026-01-02T10:00:00Z log-append -d "$TMP/s" -t cs01 --stdin 2>/dev/null
cp s/oplog.csv good.csv
NOW=2026-01-02T11:00:00Z
lv() { log-verify -d "$TMP/s" -k key --now $NOW "$@"; }

test_expect_success 'the large log verifies' '
	test "$(wc -c <good.csv)" -gt 4194304 &&
	lv >out && grep -q "^ok: 40002 records, seq 0-40001, epochs 0-1" out
'

test_expect_success 'a changed record deep inside is named' '
	sed "s/record 20000 of/record 20000 0f/" good.csv >s/oplog.csv &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.csv:20003: seq 20001: MAC mismatch"
'

test_expect_success 'a MAC failure before a structural one is the one named' '
	sed -e "s/record 1000 of/record 1000 0f/" -e "30002d" good.csv >s/oplog.csv &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.csv:1003: seq 1001: MAC mismatch"
'

test_expect_success 'a structural failure before a MAC one is the one named' '
	sed -e "1002d" -e "30002s/record 30000 of/record 30000 0f/" good.csv >s/oplog.csv &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.csv:1002: seq 1001: seq 1001 follows 999"
'

test_expect_success 'a MAC failure in the last records, before the head check' '
	n=$(wc -l <good.csv) &&
	sed "${n}s/,op\([0-9]*\),print,/,op\1,prinT,/" good.csv >s/oplog.csv &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.csv:$n: seq 40001: MAC mismatch"
'

test_expect_success 'a wrong key fails at the first record after genesis is fine too' '
	cp good.csv s/oplog.csv &&
	at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/o" >key2 2>/dev/null && chmod 600 key2 &&
	test_must_fail 1 lv -k key2 2>err &&
	one_line_matching err "oplog.csv:2: seq 0: MAC mismatch"
'

test_expect_success 'archive-style files: the same through FILE operands' '
	log-verify -k key good.csv >out && grep -q "^ok: 40002 records" out &&
	sed "39000s/,x/,y/" good.csv >bad.csv &&
	test_must_fail 1 log-verify -k key bad.csv 2>err &&
	one_line_matching err "bad.csv:39000: seq 38998: MAC mismatch"
'

test_done
