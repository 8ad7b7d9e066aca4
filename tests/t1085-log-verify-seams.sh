#!/bin/sh
# log-verify checks a log a block (1 MiB) per core and steps over the
# seams between blocks (issue 15): a fault at a seam, or one that only the
# records on both sides of a seam show, is found and named exactly as the
# sequential verifier names it, on one core (taskset -c 0) and on all.
# The logs are laid out so that the seam at 1048576 falls where wanted: the
# first record's detail is padded by the bytes needed.  Faults that a MAC
# alone would catch are also made with every MAC recomputed from the key
# (remac), so that only the rule across the seam can catch them.
. "$(dirname "$0")/lib.sh"

SEAM=1048576
NOW=2026-01-03T11:00:00Z
at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/fresh" -t cs01 >key 2>/dev/null
chmod 600 key

# gen DIR N PAD: day 0's N records (the first one's detail PAD bytes longer,
# every seventh one quoted), then day 1's 1000, whose first append seals day 0,
# and one record of day 2 after the seal of day 1.
gen() {
	cp -a fresh "$1" &&
	awk -v n="$2" -v pad="$3" 'BEGIN { for (i = 0; i < n; i++) {
		d = "record " i " of day 0"
		if (i == 0) for (j = 0; j < pad; j++) d = d "x"
		if (i % 7 == 3) d = "\"" d ", quoted\""
		printf "op%03d,view,juminhyo %08d,ok,%s\n", i % 100, i, d } }' |
	at 2026-01-01T10:00:00Z log-append -d "$1" -t cs01 --stdin 2>/dev/null &&
	awk 'BEGIN { for (i = 0; i < 1000; i++) printf "op%03d,print,x%d,ok,day 1\n", i % 100, i }' |
	at 2026-01-02T10:00:00Z log-append -d "$1" -t cs01 --stdin 2>/dev/null &&
	at 2026-01-03T10:00:00Z log-append -d "$1" -t cs01 -u op000 -a view -o y -r ok 2>/dev/null
}
# end_of FILE LINE: the byte offset just past line LINE.
end_of() { head -n "$2" "$1" | wc -c; }

# From a trial log: N, the most day-0 records that end 200 bytes or more
# before the seam; lines are then 1 header, 2 genesis (seq 0), 3..N+2 day
# 0 (seq 1..N), N+3 the seal of epoch 0 (seq N+1), then day 1 (seq N+2..
# N+1001), the seal of epoch 1 (line N+1004, seq N+1002), day 2's record.
gen trial 7000 0
N=$(awk -v s=$SEAM 'NR > 2 { b += length($0) + 1; if (b <= s - 200) n = NR - 2 }
    NR <= 2 { b += length($0) + 1 } END { print n }' trial/oplog.csv)
SEAL=$((N + 3))
PAD=$((SEAM - $(end_of trial/oplog.csv $((N + 2)))))
LASTLEN=$(sed -n $((N + 2))p trial/oplog.csv | wc -c)
gen g $N 0
SEALEN=$(sed -n ${SEAL}p g/oplog.csv | wc -c)
# a: the seal is the first line of the second block; b: the day's last
# record is, the seal its second line; c: the seal is the last line of
# the first block.
gen a $N $PAD
gen b $N $((PAD + LASTLEN))
gen c $N $((PAD - SEALEN))

# remac FILE [renumber] [align=LINE]: logforge.py remac under the
# verification key: what a holder of it can do.
remac() { python3 "$SRCDIR/tests/logforge.py" remac key "$@"; }

# verify DIR EDIT [REMAC-OPTION...]: the log of DIR edited by sed script
# EDIT (then re-MACed), verified on one core and on all: both must say the
# same, left in st, out and err.  Re-MACed, the log is verified as a file
# operand, without its head.
verify() {
	_d=$1 _e=$2; shift 2
	rm -rf t && cp -a "$_d" t && sed -i "$_e" t/oplog.csv &&
	if [ $# -gt 0 ]; then
		# the head names records by their MACs: the log alone, as an archive
		remac t/oplog.csv "$@" && set -- -k key --now $NOW t/oplog.csv
	else
		set -- -d "$TMP/t" -k key --now $NOW
	fi &&
	{ taskset -c 0 log-verify "$@" >out1 2>err1; echo $? >st1; } &&
	{ log-verify "$@" >out 2>err; echo $? >st; } &&
	test_cmp st1 st && test_cmp out1 out && test_cmp err1 err
}
# bad DIR EDIT PATTERN [REMAC-OPTION...]: exit 1, one line matching PATTERN.
bad() {
	_d=$1 _e=$2 _p=$3; shift 3
	verify "$_d" "$_e" "$@" && test "$(cat st)" = 1 && one_line_matching err "$_p"
}
# seam LINE: line LINE of the edited log begins at the seam.
seam() { test "$(end_of t/oplog.csv $(($1 - 1)))" -eq $SEAM; }

test_expect_success 'the seams fall where the test wants them' '
	test "$(end_of a/oplog.csv $((SEAL - 1)))" -eq $SEAM &&
	test "$(end_of b/oplog.csv $((SEAL - 2)))" -eq $SEAM &&
	test "$(end_of c/oplog.csv $SEAL)" -eq $SEAM &&
	sed -n ${SEAL}p a/oplog.csv | grep -q ",-,seal,0,ok,records=$((N + 1)),0," &&
	test "$(wc -c <a/oplog.csv)" -gt $((SEAM + 100000))
'

for d in a b c; do
	test_expect_success "log $d verifies, on one core and on all alike" "
		verify $d '' && test \"\$(cat st)\" = 0 &&
		grep -q '^ok: $((N + 1004)) records, seq 0-$((N + 1003)), epochs 0-2, .*oplog.head matches' out
	"
done

test_expect_success 're-MACed as it is, a log still verifies (remac is right)' '
	verify a "" renumber align=$SEAL && test "$(cat st)" = 0 && seam $SEAL
'

for l in $SEAL $((SEAL - 1)); do
	test_expect_success "a seal missing across the seam (line $l begins the block)" "
		bad a '${SEAL}d' 'oplog.csv:$SEAL: seq $((N + 1)): epoch 1 begins but epoch 0 has no seal' \
		    renumber align=$l && seam $l
	"
done
for l in $((SEAL - 1)) $((SEAL - 2)); do
	test_expect_success "a seal counting one record too many, its epoch begun a block before (line $l)" "
		bad b '$((SEAL - 1))d' 'oplog.csv:$((SEAL - 1)): seq $N: seal says records=$((N + 1)), epoch 0 has $N records' \
		    renumber align=$l && seam $l
	"
done
test_expect_success 'a seal counting one record too many, its epoch begun in its block' '
	bad a "$((SEAL + 500))d" "oplog.csv:$((SEAL + 1000)): seq $((N + 1001)): seal says records=1000, epoch 1 has 999 records" \
	    renumber align=$((SEAL - 1)) && seam $((SEAL - 1))
'
test_expect_success 'a seal counting one record too many, its epoch begun at the log start' '
	bad c "1000d" "oplog.csv:$((SEAL - 1)): seq $N: seal says records=$((N + 1)), epoch 0 has $N records" \
	    renumber align=$SEAL && seam $SEAL
'
test_expect_success 'a seq gap at the seam' '
	bad b "$((SEAL - 1))d" "oplog.csv:$((SEAL - 1)): seq $((N + 1)): seq $((N + 1)) follows $((N - 1))" \
	    align=$((SEAL - 1)) && seam $((SEAL - 1))
'
test_expect_success 'the time going back at the seam' '
	bad b "$((SEAL - 1))s/T10:00:00\.[0-9]*Z/T09:59:59.999Z/" \
	    "oplog.csv:$((SEAL - 1)): seq $N: time goes back from the previous record" \
	    align=$((SEAL - 1)) && seam $((SEAL - 1))
'
test_expect_success 'a changed MAC or record on either side of the seam' '
	bad b "$((SEAL - 2))s/juminhyo/juminhyO/" "oplog.csv:$((SEAL - 2)): seq $((N - 1)): MAC mismatch" &&
	bad b "$((SEAL - 1))s/juminhyo/juminhyO/" "oplog.csv:$((SEAL - 1)): seq $N: MAC mismatch" &&
	bad a "${SEAL}{s/0\$/1/;t;s/.\$/0/}" "oplog.csv:$SEAL: seq $((N + 1)): MAC mismatch"
'
test_expect_success 'a fault in the second half only, and the first of two named' '
	bad a "$((SEAL + 500))s/,x499,/,x498,/" "oplog.csv:$((SEAL + 500)): seq $((N + 501)): MAC mismatch" &&
	bad a "$((SEAL + 500))s/,x499,/,x498,/;3000s/juminhyo/juminhyO/" "oplog.csv:3000: seq 2998: MAC mismatch"
'
test_expect_success 'the head names a record the second block lacks' '
	bad a "\$d" "oplog.head: the log ends at seq $((N + 1002)), the head says $((N + 1003)): tail truncated"
'

test_done
