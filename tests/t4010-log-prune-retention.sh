#!/bin/sh
# log-prune: which records go — by their own time, exactly at the
# retention boundary, 1 ms either side, across 29 February (a year is not
# 365 days there: R6), the clock set with faketime.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
init_at "$S"
rec "$S" "2022-06-01 12:00:00" A		# A to a year later: no 29 Feb
rec "$S" "2023-02-28 13:00:00" D		# a year before 2024-02-29
rec "$S" "2023-06-01 12:00:00" B		# B to a year later: 2024-02-29 between
rec "$S" "2024-08-01 12:00:00" C
TA=$(time_of "$S" A) TB=$(time_of "$S" B)
SA=$(awk -F, '$6 == "A" { print $1 }' "$S/oplog.csv")

# fresh N: a copy of the built state as $TMP/N (with N.key).
fresh() { rm -rf "$TMP/$1"; cp -a "$S" "$TMP/$1" && cp -p "$S.key" "$TMP/$1.key"; }

# first_seq DIR: the first record's seq.
first_seq() { sed -n 2p "$1/oplog.csv" | cut -d, -f1; }

test_expect_success 'the log spans 2022-2024 and verifies' '
	test -n "$TA" && test -n "$TB" && test "$SA" -gt 100 &&
	verify "$S" 2024-08-01T12:00:01Z >/dev/null
'

test_expect_success 'a record exactly 365 days old stays, the one before goes' '
	fresh x0 && NOW=$(ms "$TA" $((365 * DAY))) &&
	at "$NOW" log-prune -d "$TMP/x0" -v >out.txt &&
	has "$TMP/x0" A && test "$(first_seq "$TMP/x0")" -eq "$SA" &&
	grep -q "removed $SA records (seq 0-$((SA - 1)), before $TA), kept [0-9]*, oldest kept $TA" out.txt &&
	tail -1 "$TMP/x0/oplog.csv" | grep -q ",log-prune,oplog.csv,ok,removed=0-$((SA - 1)) cut_mac=[0-9a-f]\{64\} cut_time=[^ ]* cutoff=$TA retain_days=365 kept=" &&
	verify "$TMP/x0" "$NOW" >/dev/null
'

test_expect_success 'one millisecond younger than 365 days: stays' '
	fresh x1 && NOW=$(ms "$TA" $((365 * DAY - 1))) &&
	at "$NOW" log-prune -d "$TMP/x1" &&
	has "$TMP/x1" A && test "$(first_seq "$TMP/x1")" -eq "$SA" &&
	verify "$TMP/x1" "$NOW" >/dev/null
'

test_expect_success 'one millisecond older than 365 days: goes' '
	fresh x2 && NOW=$(ms "$TA" $((365 * DAY + 1))) &&
	at "$NOW" log-prune -d "$TMP/x2" &&
	! has "$TMP/x2" A && test "$(first_seq "$TMP/x2")" -eq $((SA + 1)) &&
	verify "$TMP/x2" "$NOW" >/dev/null
'

test_expect_success 'across 29 February 365 days + 1 ms is not yet a year: stays' '
	fresh y0 && NOW=$(ms "$TB" $((365 * DAY + 1))) &&
	at "$NOW" log-prune -d "$TMP/y0" -v >out.txt &&
	has "$TMP/y0" B && grep -q "before 2023-05-31T12:00:00" out.txt &&
	verify "$TMP/y0" "$NOW" >/dev/null
'

test_expect_success 'across 29 February: exactly a calendar year stays, 1 ms more goes' '
	fresh y1 && NOW=$(ms "$TB" $((366 * DAY))) &&
	at "$NOW" log-prune -d "$TMP/y1" && has "$TMP/y1" B &&
	fresh y2 && NOW=$(ms "$TB" $((366 * DAY + 1))) &&
	at "$NOW" log-prune -d "$TMP/y2" && ! has "$TMP/y2" B &&
	verify "$TMP/y2" "$NOW" >/dev/null
'

test_expect_success 'on 29 February a year back is 28 February' '
	TD=$(time_of "$S" D) &&
	fresh z0 && at 2024-02-29T12:00:00.000Z log-prune -d "$TMP/z0" && has "$TMP/z0" D &&
	fresh z1 && NOW=$(ms "$TD" $((366 * DAY + 1))) &&
	at "$NOW" log-prune -d "$TMP/z1" && ! has "$TMP/z1" D &&
	verify "$TMP/z1" "$NOW" >/dev/null
'

test_expect_success '--retain 366 across 29 February: 366 days + 1 ms goes' '
	fresh y3 && NOW=$(ms "$TB" $((366 * DAY + 1))) &&
	at "$NOW" log-prune -d "$TMP/y3" -r 366 && ! has "$TMP/y3" B &&
	tail -1 "$TMP/y3/oplog.csv" | grep -q "retain_days=366 " &&
	verify "$TMP/y3" "$NOW" >/dev/null
'

test_expect_success 'a seven-year retention removes nothing from a 3-year log' '
	fresh w0 &&
	at 2024-08-02T00:00:00Z log-prune -d "$TMP/w0" -v -r 2557 >out.txt &&
	grep -q "^nothing before 2017-08-02T00:00:00.000Z to remove" out.txt &&
	cmp "$S/oplog.csv" "$TMP/w0/oplog.csv"
'

test_expect_success 'the clock decides, to the second' '
	fresh c0 && at "2023-06-01 11:59:58" log-prune -d "$TMP/c0" && has "$TMP/c0" A &&
	fresh c1 && at "2023-06-01 12:00:01" log-prune -d "$TMP/c1" && ! has "$TMP/c1" A &&
	verify "$TMP/c1" 2024-08-01T12:00:02Z >/dev/null
'

test_expect_success 'file times play no part: an old mtime removes nothing more' '
	fresh m0 && touch -d 2001-01-01 "$TMP/m0/oplog.csv" &&
	at "$(ms "$TA" $((365 * DAY)))" log-prune -d "$TMP/m0" &&
	has "$TMP/m0" A
'

test_expect_success 'everything old: the newest record stays, the log verifies' '
	fresh e0 && at 2030-01-01T00:00:00Z log-prune -d "$TMP/e0" -v >out.txt &&
	has "$TMP/e0" C || { cat out.txt; exit 1; }
	verify "$TMP/e0" 2030-01-01T00:00:00Z >/dev/null
'

test_expect_success 'running it again removes nothing more' '
	cp "$TMP/x2/oplog.csv" before.csv &&
	at "$(ms "$TA" $((365 * DAY + 1)))" log-prune -d "$TMP/x2" -v >out.txt &&
	grep -q "^nothing before" out.txt &&
	cmp before.csv "$TMP/x2/oplog.csv"
'

test_done
