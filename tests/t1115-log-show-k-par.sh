#!/bin/sh
# log-show -k with filters verifies the log a block (1 MiB) per core, as
# log-verify does (issue 15; issue 12 asked -k within 1.1x of log-verify):
# the workers keep the bytes of the records the filters select, and the
# output is made from those bytes only, never from bytes read again.  A
# block whose every record is selected goes the same way; past what a
# block keeps (never, by the sizes), the log is verified again in one pass.
# Whatever the filter and wherever a fault lies, what log-show prints, says
# and exits with must be what the one-pass verifier gives pinned to one
# core (taskset -c 0): each verified record once, in order, and nothing
# from the first bad record on, even when the parallel pass had handed
# records on before it found the fault.
. "$(dirname "$0")/lib.sh"

[ "$(nproc)" -ge 2 ] ||
	test_skip_all "one processor: the block-parallel pass is not used here"

NOW=2026-01-04T12:00:00Z

# Three days of records, 12,000 a day, 40 operators, a third quoted, some
# Japanese: a log of about 6 MiB, six blocks, with seals between the days.
log_days "$TMP/s" 12000 key || exit 1

# same DIR-OR-FILES FILTER...: log-show -k with FILTER on all cores and
# pinned to one; stdout, stderr and status the same.  Leaves out, err, st.
same() {
	_src=$1; shift
	if [ -d "$_src" ]; then set -- -d "$_src" -k key --now $NOW "$@"
	else set -- -k key --now $NOW "$@" "$_src"; fi
	{ taskset -c 0 log-show "$@" >out1 2>err1; echo $? >st1; } &&
	{ log-show "$@" >out 2>err; echo $? >st; } &&
	test_cmp st1 st && test_cmp err1 err && test_cmp out1 out
}

test_expect_success 'the log spans several blocks' '
	test "$(wc -c <"$TMP/s/oplog.csv")" -gt $((5 * 1048576))
'

test_expect_success 'a sparse filter: the same records as one pass, each once' '
	same "$TMP/s" --operator clerk007 &&
	test "$(cat st)" = 0 &&
	test "$(wc -l <out)" -eq $((3 * 300 + 1)) &&
	test "$(sed 1d out | cut -d, -f1 | sort -n | uniq -d | wc -l)" -eq 0
'

test_expect_success 'filters that select every record of some blocks, and of every block' '
	same "$TMP/s" --since 2026-01-02T00:00:00Z && test "$(cat st)" = 0 &&
	test "$(sed 1d out | wc -l)" -gt 24000 &&
	same "$TMP/s" --result ok && test "$(cat st)" = 0 &&
	same "$TMP/s" --operator clerk003 --format raw && test "$(cat st)" = 0 &&
	cmp out1 out &&
	same "$TMP/s" --terminal term02 --format json && test "$(cat st)" = 0
'

# A record of day 2 changed in place (its MAC kept), in the log's third
# block, after blocks the parallel pass has handed on: clerk007's 150th of
# the day, or the record after it, which the filter does not select.
test_expect_success 'setup: a record of the third block changed, selected or not' '
	cp -a "$TMP/s" "$TMP/t1" && cp -a "$TMP/s" "$TMP/t2" &&
	n=$(awk -F, "\$4 == \"clerk007\" && \$3 == \"term02\" { c++; if (c == 150) { print NR; exit } }" "$TMP/s/oplog.csv") &&
	test -n "$n" &&
	sed -i "${n}s/day 2 record/day 2 RECORD/" "$TMP/t1/oplog.csv" &&
	m=$((n + 1)) &&
	sed -n ${m}p "$TMP/s/oplog.csv" | grep -qv ",clerk007," &&
	sed -i "${m}s/day 2 record/day 2 RECORD/" "$TMP/t2/oplog.csv" &&
	test "$(grep -c RECORD "$TMP/t1/oplog.csv")" -eq 1 &&
	test "$(grep -c RECORD "$TMP/t2/oplog.csv")" -eq 1
'

test_expect_success 'a changed record the filter selects: the records before it, once; exit 1' '
	same "$TMP/t1" --operator clerk007 &&
	test "$(cat st)" = 1 &&
	one_line_matching err "MAC mismatch" &&
	test "$(wc -l <out)" -eq $((300 + 149 + 1)) &&
	test "$(sed 1d out | cut -d, -f1 | sort -n | uniq -d | wc -l)" -eq 0 &&
	! grep -q "RECORD" out
'

test_expect_success 'a changed record the filter does not select: output stops there too' '
	same "$TMP/t2" --operator clerk007 &&
	test "$(cat st)" = 1 &&
	one_line_matching err "MAC mismatch" &&
	test "$(wc -l <out)" -eq $((300 + 150 + 1)) &&
	same "$TMP/t2" --since 2026-01-02T00:00:00Z && test "$(cat st)" = 1 &&
	! grep -q "RECORD" out
'

# The table holds up to 256 rows before it writes them, so that their
# columns line up: rows past a changed record, rendered while their MACs
# were a batch behind, must not take the verified rows before it with them.
test_expect_success 'table format: every row before a changed record, on any number of cores' '
	same "$TMP/t1" --format table && test "$(cat st)" = 1 &&
	one_line_matching err "MAC mismatch" &&
	test "$(wc -l <out)" -eq $(($(grep -n RECORD "$TMP/t1/oplog.csv" | cut -d: -f1) - 1)) &&
	same "$TMP/t1" --operator clerk007 --format table && test "$(cat st)" = 1 &&
	test "$(wc -l <out)" -eq $((300 + 149 + 1)) &&
	same "$TMP/t2" --operator clerk007 --format table && test "$(cat st)" = 1 &&
	test "$(wc -l <out)" -eq $((300 + 150 + 1)) &&
	! grep -q RECORD out
'

# Nor may those rows widen a column: a block of the table is written
# once all of its rows have verified, so the columns are the same on any
# number of cores (a change at seq 1, whose later rows have wider objects;
# one at line 200, with a filter, whose later rows have longer seqs).
test_expect_success 'table format: columns as wide as the verified rows need, on any number of cores' '
	cp -a "$TMP/s" "$TMP/t4" && cp -a "$TMP/s" "$TMP/t5" &&
	sed -i "3s/record/recorc/" "$TMP/t4/oplog.csv" &&
	sed -i "200s/record/recorc/" "$TMP/t5/oplog.csv" &&
	same "$TMP/t4" --format table && test "$(cat st)" = 1 &&
	test "$(wc -l <out)" -eq 2 &&
	same "$TMP/t5" --format table && test "$(cat st)" = 1 &&
	same "$TMP/t5" --operator clerk007 --format table && test "$(cat st)" = 1
'

# A record of day 1 changed a thousand records before the first one the
# filter selects (day 2's): the parallel pass goes back to one pass, whose
# MACs a second core checks a batch behind, so the rules hand records the
# filter selects on before the changed record's MAC has failed.  Nothing
# was shown then: no header row either, in any format, and from a file.
test_expect_success 'a changed record before the first selected one: nothing on stdout, no header row' '
	cp -a "$TMP/s" "$TMP/t3" &&
	sed -i "s/,day 1 record 11000,/,day 1 RECORD 11000,/" "$TMP/t3/oplog.csv" &&
	test "$(grep -c RECORD "$TMP/t3/oplog.csv")" -eq 1 &&
	for f in csv raw json table; do
		same "$TMP/t3" --terminal term02 --format $f &&
		test "$(cat st)" = 1 && one_line_matching err "MAC mismatch" &&
		test ! -s out || return 1
	done &&
	same "$TMP/t3/oplog.csv" --terminal term02 && test "$(cat st)" = 1 &&
	test ! -s out &&
	same "$TMP/t3" --terminal term02 --summary operator && test "$(cat st)" = 1 &&
	test ! -s out
'

# A line out of place, on the one-pass path whose MACs a second core checks
# a batch behind (no filter: every record wanted): a copy of a record's
# line right after it, and a copy of one from far back.  The failing line
# carries a seq of its own, not the one after the last good record: every
# record before it has verified, and is shown as on one core.
test_expect_success 'a line copied in, or from far back: every record before it, on any number of cores' '
	cp -a "$TMP/s" "$TMP/t6" && cp -a "$TMP/s" "$TMP/t7" &&
	n=$(awk -F, "\$1 == 30000 { print NR; exit }" "$TMP/s/oplog.csv") &&
	sed -i "${n}p" "$TMP/t6/oplog.csv" &&
	sed -n 103p "$TMP/s/oplog.csv" >far &&
	sed -i "${n}r far" "$TMP/t7/oplog.csv" &&
	for t in t6 t7; do
		for f in csv table; do
			same "$TMP/$t" --format $f && test "$(cat st)" = 1 &&
			one_line_matching err "follows 30000" || return 1
		done &&
		same "$TMP/$t" && sed 1d out | cut -d, -f1 >seqs &&
		test "$(wc -l <seqs)" -eq 30001 &&
		test "$(tail -n 1 seqs)" -eq 30000 || return 1
	done
'

test_expect_success 'archive and log given as files: one chain, the same way' '
	same "$TMP/s/oplog.csv" --operator clerk011 && test "$(cat st)" = 0 &&
	test "$(sed 1d out | wc -l)" -eq 900 &&
	same "$TMP/t1/oplog.csv" --operator clerk007 && test "$(cat st)" = 1
'

# The lines a worker keeps are put back from the parse's cuts (each NUL a
# comma, or the CR of a CRLF line end): raw output is the lines as read.
test_expect_success 'CRLF line ends, every field quoted or as written: raw output is the lines as read' '
	sed "s/\$/\r/" "$TMP/s/oplog.csv" >crlf.csv &&
	python3 -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline=\"\")))
csv.writer(open(sys.argv[2], \"w\", newline=\"\"), quoting=csv.QUOTE_ALL,
    lineterminator=\"\r\n\").writerows(rows)
" "$TMP/s/oplog.csv" quoted.csv &&
	for f in crlf.csv quoted.csv; do
		same "$TMP/$f" --operator clerk007 --format raw && test "$(cat st)" = 0 &&
		sed 1d out >got &&
		test "$(grep -c "$(printf "\r\$")" got)" -eq $((3 * 300)) &&
		grep -e ",clerk007," -e ",\"clerk007\"," "$f" >want1 &&
		test_cmp want1 got || return 1
	done
'

test_done
