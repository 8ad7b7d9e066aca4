#!/bin/sh
# log-prune's scan decides what goes, whatever its early copy guessed: the
# kept records are copied while the scan runs, from where a binary search
# by time puts the first kept record, but the scan still reads every
# record it removes (seq in order, time never back) and only its answer
# counts.  A log whose times go back after the first kept record misleads
# the search: the prune still removes exactly the records before it; a
# removed record out of order fails the run with the log untouched.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

# old, new and many middle records of 1000 bytes, at NOW all but the old
# ones younger than the retention.
S=$TMP/s
init_at "$S"
rec "$S" "2022-03-01 09:00:00" A 10
live "$S" "2022-03-01 09:00:00" "2023-06-01 09:00:00"
rec "$S" "2023-06-01 09:00:00" K 1
padded "$S" "2023-06-02 10:00:00" 100 M record
rec "$S" "2023-06-03 09:00:00" Z 5
NOW=2023-06-05T10:00:00Z
at "$NOW" log-append -d "$S" --seal
cp -a "$S" "$TMP/clean"

# back DIR: the middle records dated back to 2022-03-02, same length.
back() { sed -i '/,M,ok,/s/,2023-06-02T/,2022-03-02T/' "$1/oplog.csv"; }
# cutoff at NOW (365 days).
CUT=$(ms 2023-06-05T10:00:00.000Z $((-365 * DAY)))

test_expect_success 'times that go back after the first kept record: exactly the records before it go' '
	back "$S" && cp "$S/oplog.csv" before.csv &&
	at "$NOW" log-prune -d "$S" -a "$TMP/arch.csv" &&
	awk -F, -v c="$CUT" "NR > 1 && \$2 >= c { exit } { print }" before.csv >want.csv &&
	test "$(wc -l <want.csv)" -gt 2 &&
	test_cmp want.csv "$TMP/arch.csv" &&
	{ head -1 before.csv; sed "1,$(wc -l <want.csv)d" before.csv; } >kept.csv &&
	sed \$d "$S/oplog.csv" | test_cmp kept.csv - &&
	tail -1 "$S/oplog.csv" | grep -q ",-,log-prune,oplog.csv,ok,removed=0-" &&
	has "$S" K && has "$S" M && test ! -e "$S/.tmp-log-prune"
'

# broken SED: the clean log with one removed record (line 6, seq 4, the
# seal of 2022-01-04) changed by SED.
broken() {
	rm -rf "$S" "$TMP/arch.csv" && cp -a "$TMP/clean" "$S" &&
	sed -i "$1" "$S/oplog.csv" && cp "$S/oplog.csv" before.csv
}

test_expect_success 'a removed record dated back: exit 3, the log untouched, no temporary left' '
	broken "6s/^4,2022-01-04T/4,2021-12-04T/" &&
	test_must_fail 3 at "$NOW" log-prune -d "$S" -a "$TMP/arch.csv" 2>err.txt &&
	one_line_matching err.txt "^log-prune: .*/oplog.csv:6: time goes back; run log-verify$" &&
	cmp before.csv "$S/oplog.csv" && test ! -e "$S/.tmp-log-prune" &&
	! grep -q ",A," "$TMP/arch.csv"
'

test_expect_success 'a removed record out of seq order: exit 3, the log untouched' '
	broken "6s/^4,/7,/" &&
	test_must_fail 3 at "$NOW" log-prune -d "$S" --discard 2>err.txt &&
	one_line_matching err.txt "^log-prune: .*/oplog.csv:6: seq out of order; run log-verify$" &&
	cmp before.csv "$S/oplog.csv" && test ! -e "$S/.tmp-log-prune"
'

# A log whose removed records outgrow the scan's early archive copies
# (4 MiB): 6000 old records of 1000 bytes on 2022-03-02, after the A
# records of 2022-03-01, then the K, M and Z records as above.
B=$TMP/big
init_at "$B"
rec "$B" "2022-03-01 09:00:00" A 10
padded "$B" "2022-03-02 10:00:00" 6000 O old
rec "$B" "2023-06-01 09:00:00" K 1
rec "$B" "2023-06-03 09:00:00" Z 5
at "$NOW" log-append -d "$B" --seal
cp -a "$B" "$TMP/bigclean"
cp "$B.key" "$TMP/bigclean.key"

test_expect_success 'removed records over 4 MiB: the archive holds exactly them, and verifies with the log' '
	cp "$B/oplog.csv" before.csv &&
	at "$NOW" log-prune -d "$B" -a "$TMP/big.csv" &&
	test "$(wc -c <"$TMP/big.csv")" -gt 6000000 &&
	awk -F, -v c="$CUT" "NR > 1 && \$2 >= c { exit } { print }" before.csv | test_cmp - "$TMP/big.csv" &&
	verify "$B" "$NOW" "$TMP/big.csv" "$B/oplog.csv" >/dev/null
'

# The archive a first prune left (the A records, at 2023-03-01 10:00),
# then a removed record past the first 4 MiB broken: the second prune
# fails, and the archive is as the first one left it.
test_expect_success 'a broken record past the early copies: exit 3, the archive cut back to what it held' '
	rm -rf "$B" "$TMP/big.csv" && cp -a "$TMP/bigclean" "$B" &&
	at "2023-03-01 10:00:00" log-prune -d "$B" -a "$TMP/big.csv" &&
	test "$(seqs "$TMP/big.csv" | wc -l)" -gt 10 &&
	cp "$TMP/big.csv" arch-before.csv && cp "$B/oplog.csv" before.csv &&
	n=$(grep -n ",old 5500 " before.csv | cut -d: -f1) &&
	sed -i "${n}s/^\([0-9]*\),2022-03-02T/\1,2022-03-01T/" "$B/oplog.csv" &&
	cp "$B/oplog.csv" broken.csv &&
	test_must_fail 3 at "$NOW" log-prune -d "$B" -a "$TMP/big.csv" 2>err.txt &&
	one_line_matching err.txt "^log-prune: .*/oplog.csv:$n: time goes back; run log-verify$" &&
	cmp broken.csv "$B/oplog.csv" && cmp arch-before.csv "$TMP/big.csv" &&
	test ! -e "$B/.tmp-log-prune"
'

test_expect_success 'the same into a new archive: exit 3, no archive left (none half-made)' '
	rm -f "$TMP/new.csv" &&
	test_must_fail 3 at "$NOW" log-prune -d "$B" -a "$TMP/new.csv" 2>err.txt &&
	one_line_matching err.txt "^log-prune: .*/oplog.csv:[0-9]+: time goes back; run log-verify$" &&
	test ! -e "$TMP/new.csv" && cmp broken.csv "$B/oplog.csv"
'

test_expect_success 'into an empty archive: exit 3, the archive left empty' '
	: >"$TMP/empty.csv" && chmod 600 "$TMP/empty.csv" &&
	test_must_fail 3 at "$NOW" log-prune -d "$B" -a "$TMP/empty.csv" 2>err.txt &&
	test -f "$TMP/empty.csv" && test ! -s "$TMP/empty.csv" &&
	cmp broken.csv "$B/oplog.csv"
'

test_done
