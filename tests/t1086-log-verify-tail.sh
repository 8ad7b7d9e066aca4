#!/bin/sh
# log-verify's blocks (issue 15): the log is cut into blocks of 1 MiB from
# the end of its header row, but for its last 2 MiB per core or so, cut
# into blocks of 256 KiB on the same grid, so that the cores end together
# (oplog_par.c).  Whatever the size, the blocks must cover every line once:
# a log cut at any length verifies with the same count on all cores as on
# one, and a record missing after any 256 KiB mark (a seam of the short
# blocks, or a point inside a long one) is found and named the same way.
. "$(dirname "$0")/lib.sh"

[ "$(nproc)" -ge 2 ] ||
	test_skip_all "one processor: the block-parallel pass is not used here"

NOW=2026-01-04T12:00:00Z
Q=262144

# Three days of 8,000 records, a third quoted: about 3.5 MiB, seals
# between the days.
log_days "$TMP/s" 8000 key || exit 1
SIZE=$(wc -c <s/oplog.csv)
BEGIN=$(head -n 1 s/oplog.csv | wc -c)

# same FILE: verified on one core and on all, stdout, stderr and status
# alike; leaves out, err and st.
same() {
	{ taskset -c 0 log-verify -k key --now $NOW "$1" >out1 2>err1; echo $? >st1; } &&
	{ log-verify -k key --now $NOW "$1" >out 2>err; echo $? >st; } &&
	test_cmp st1 st && test_cmp out1 out && test_cmp err1 err
}
# cut BYTES: the log's whole lines within its first BYTES, in cut.csv.
cut_at() {
	awk -v max="$1" '{ b += length($0) + 1; if (b > max) exit; print }' s/oplog.csv >cut.csv
}

test_expect_success 'the log is long enough for long and short blocks' '
	test "$SIZE" -gt $((3 * 1048576)) && test "$BEGIN" -eq 69
'

# Lengths around the points where the layout changes on two cores: all
# short blocks (up to 2 MiB past the header), the first long block, a
# long block cut short where the short ones begin.
for n in 100000 $((BEGIN + 2097152)) $((BEGIN + 2097152 + 150)) $((BEGIN + 2359296 + 77)) \
    $((BEGIN + 3 * 1048576 - 5)) $((BEGIN + 3 * 1048576 + 4000)) $SIZE; do
	test_expect_success "cut at $n bytes: the same count on all cores as on one" "
		cut_at $n && same cut.csv && test \"\$(cat st)\" = 0 &&
		test \"\$(sed -n 's/^ok: \\([0-9]*\\) records.*/\\1/p' out)\" -eq \$((\$(wc -l <cut.csv) - 1))
	"
done

# The first line that begins at or after each 256 KiB mark, removed: its
# number L (seq L - 2) in gap.line; line L of gap.csv is then seq L - 1.
k=1
while [ $((BEGIN + k * Q)) -lt "$SIZE" ]; do
	at=$((BEGIN + k * Q))
	test_expect_success "the record after byte $at missing: named alike" "
		awk -v at=$at '{ if (!done && b >= at) { done = 1; print NR >\"gap.line\"
		    b += length(\$0) + 1; next } b += length(\$0) + 1; print }' s/oplog.csv >gap.csv &&
		L=\$(cat gap.line) && same gap.csv && test \"\$(cat st)\" = 1 &&
		one_line_matching err \"gap.csv:\$L: seq \$((L - 1)): seq \$((L - 1)) follows \$((L - 3)): a record is missing\"
	"
	k=$((k + 1))
done

# The head forged open at the seal before day 3, as a writer killed
# during day 3's batch (after its open head, before its commit) leaves
# it: the first record after the head is named alike on all cores as on
# one, and log-show -k shows the log up to the head, as without -k.
test_expect_success 'a batch after an open head: named alike, not shown' '
	seal=$(grep -n ",-,seal,1,ok," s/oplog.csv | cut -d: -f1) &&
	seq=$((seal - 2)) &&
	python3 "$SRCDIR/tests/logforge.py" head s 0 $seq open s/oplog.key &&
	python3 "$SRCDIR/tests/logforge.py" head s 1 $seq s/oplog.key &&
	{ taskset -c 0 log-verify -d "$TMP/s" -k key --now $NOW >out1 2>err1; echo $? >st1; } &&
	{ log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; echo $? >st; } &&
	test_cmp st1 st && test_cmp out1 out && test_cmp err1 err &&
	test "$(cat st)" = 1 &&
	one_line_matching err "^log-verify: oplog.csv:$((seal + 1)): seq $((seq + 1)): after an open head: an unfinished append" &&
	test_must_fail 1 log-show -d "$TMP/s" -k key --now $NOW --format raw >shown 2>/dev/null &&
	log-show -d "$TMP/s" --format raw >plain &&
	test_cmp plain shown && test "$(tail -n 1 shown | cut -d, -f1)" = $seq
'

test_done
