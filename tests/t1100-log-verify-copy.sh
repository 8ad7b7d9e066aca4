#!/bin/sh
# log-verify on a collector's copy: the records as log-show --syslog ships
# them, no header row, no head, starting at genesis or wherever the cursor
# started; a record lost or changed on the way is named.
. "$(dirname "$0")/lib.sh"

jukisec-init -d "$TMP/s" -t cs01 >key 2>/dev/null
chmod 600 key
for i in 1 2 3 4 5 6; do
	log-append -d "$TMP/s" -t cs01 -u tanaka -a view -o "1234-567$i" -r ok -m "住民票, \"写し\"" || exit 3
done
tail -n +2 s/oplog.csv >copy

test_expect_success 'a copy from genesis verifies, and says it is a copy' '
	log-verify -k key copy >out 2>err && test ! -s err &&
	grep -Eq "^ok: 7 records, seq 0-6, .*no head checked, a copy$" out
'

test_expect_success 'a copy that starts where a cursor started verifies from there' '
	tail -n +4 copy >late &&
	log-verify -k key late >out &&
	grep -Eq "^ok: 4 records, seq 3-6, .*a copy starting at seq 3 " out
'

test_expect_success 'a record lost on the way is named' '
	sed 4d copy >lost &&
	test_must_fail 1 log-verify -k key lost 2>err &&
	one_line_matching err "^log-verify: lost:4: seq 4: seq 4 follows 2: record 3 is missing$" &&
	sed "4,5d" copy >lost2 &&
	test_must_fail 1 log-verify -k key lost2 2>err &&
	one_line_matching err "seq 5 follows 2: records 3 to 4 are missing$"
'

test_expect_success 'a record changed, repeated or cut short in the copy fails' '
	sed "3s/1234-5672/1234-5679/" copy >changed && ! cmp -s copy changed &&
	test_must_fail 1 log-verify -k key changed 2>err &&
	one_line_matching err "changed:3: seq 2: MAC mismatch" &&
	sed -n "1,3p;3,7p" copy >dup &&
	test_must_fail 1 log-verify -k key dup 2>err &&
	one_line_matching err "dup:4: seq 2: seq 2 follows 2" &&
	head -c -5 copy >torn &&
	test_must_fail 1 log-verify -k key torn 2>err &&
	one_line_matching err "torn:7: .*torn tail"
'

test_expect_success 'the second record of a late copy is still checked against the first' '
	tail -n +4 copy | sed "1s/1234-5673/1234-5670/" >late2 &&
	log-verify -k key late2 >out &&
	tail -n +4 copy | sed "2s/1234-5674/1234-5670/" >late3 &&
	test_must_fail 1 log-verify -k key late3 2>err &&
	one_line_matching err "late3:2: seq 4: MAC mismatch"
'

test_expect_success 'a file that is neither a log nor a copy still fails at line 1' '
	echo hello >nolog &&
	test_must_fail 1 log-verify -k key nolog 2>err &&
	one_line_matching err "nolog:1: missing header row"
'

# jukisec-log(5) "Verification", rule 1: only a first file may be a copy;
# every later one (an archive, the log) starts with the header row, so that
# records from anywhere neither go on the chain nor start it as a copy.
# lv_both ARGS: log-verify on one core and on all, the same outcome (st, err).
lv_both() {
	{ taskset -c 0 log-verify "$@" >out1 2>err1; echo $? >st1; } &&
	{ log-verify "$@" >out 2>err; echo $? >st; } &&
	test_cmp st1 st && test_cmp err1 err
}

test_expect_success 'a file after the first without the header row fails at its line 1' '
	head -1 s/oplog.csv >h.csv && head -3 s/oplog.csv >hd.csv &&
	tail -n +4 s/oplog.csv >rest && head -2 copy >early &&
	for first in h.csv hd.csv early; do
		lv_both -k key $first rest && test "$(cat st)" = 1 &&
		one_line_matching err "^log-verify: rest:1: missing header row\$" &&
		test_must_fail 1 log-show -k key $first rest >out 2>err &&
		one_line_matching err "^log-show: rest:1: missing header row\$" || exit 1
	done &&
	test_must_fail 1 log-verify -k key hd.csv - <rest 2>err &&
	one_line_matching err "^log-verify: <stdin>:1: missing header row\$" &&
	{ cat h.csv; cat rest; } >headed &&
	lv_both -k key hd.csv headed && test "$(cat st)" = 0 &&
	lv_both -k key early headed && test "$(cat st)" = 0
'

test_expect_success 'the same after a first file long enough to be verified a block per core' '
	jukisec-init -d "$TMP/big" -t cs01 >bigkey 2>/dev/null && chmod 600 bigkey &&
	awk "BEGIN { for (i = 0; i < 36000; i++)
		printf \"op%03d,view,juminhyo %08d,ok,record %d of a long day\\n\", i % 100, i, i }" |
	    log-append -d "$TMP/big" -t cs01 --stdin 2>/dev/null &&
	head -n -5 big/oplog.csv >big.csv && tail -n 5 big/oplog.csv >bigrest &&
	test "$(wc -c <big.csv)" -gt $((5 << 20)) &&
	lv_both -k bigkey big.csv bigrest && test "$(cat st)" = 1 &&
	one_line_matching err "^log-verify: bigrest:1: missing header row\$" &&
	{ head -1 big.csv; cat bigrest; } >bigheaded &&
	lv_both -k bigkey big.csv bigheaded && test "$(cat st)" = 0 &&
	grep -q "^ok: 36001 records, seq 0-36000, " out
'

test_done
