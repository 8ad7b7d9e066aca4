#!/bin/sh
# log-prune: which records go — by their own time, exactly at the
# retention boundary, 1 ms either side, across 29 February (a year is not
# 365 days there: R6), with --now and with the clock (faketime).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
init_at "$S"
# A terminal in use throughout (live): --discard counts a longer silence.
live "$S" "2022-01-01 00:00:00" "2022-06-01 12:00:00"
rec "$S" "2022-06-01 12:00:00" A		# A to a year later: no 29 Feb
live "$S" "2022-06-01 12:00:00" "2023-02-28 13:00:00"
rec "$S" "2023-02-28 13:00:00" D		# a year before 2024-02-29
live "$S" "2023-02-28 13:00:00" "2023-06-01 12:00:00"
rec "$S" "2023-06-01 12:00:00" B		# B to a year later: 2024-02-29 between
live "$S" "2023-06-01 12:00:00" "2024-08-01 12:00:00"
rec "$S" "2024-08-01 12:00:00" C
TA=$(time_of "$S" A) TB=$(time_of "$S" B)
SA=$(awk -F, '$6 == "A" { print $1 }' "$S/oplog.csv")
# The log ends 2024-08-01: prunes at earlier times give it no earlier end,
# and it is verified after its last record.
VNOW=2024-08-01T13:00:00Z
# The instants the tests prune at, ms "$TA|$TB" DELTA as lib-prune.sh's ms
# gives them, from one python3 (ms starts one each).
eval "$(python3 -c 'import sys, datetime as d
a = sys.argv[1:]
for i in range(0, len(a), 3):
	t = d.datetime.strptime(a[i + 1], "%Y-%m-%dT%H:%M:%S.%fZ") + d.timedelta(milliseconds=int(a[i + 2]))
	print("%s=%s" % (a[i], t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)))' \
    A_1 "$TA" 1 \
    A_365d "$TA" $((365 * DAY)) A_365d_m1 "$TA" $((365 * DAY - 1)) A_365d_p1 "$TA" $((365 * DAY + 1)) \
    B_365d_p1 "$TB" $((365 * DAY + 1)) B_366d "$TB" $((366 * DAY)) B_366d_p1 "$TB" $((366 * DAY + 1)))"

# fresh N: a copy of the built state as $TMP/N (with N.key).
fresh() { rm -rf "$TMP/$1"; cp -a "$S" "$TMP/$1" && cp -p "$S.key" "$TMP/$1.key"; }

# first_seq DIR: the first record's seq.
first_seq() { sed -n 2p "$1/oplog.csv" | cut -d, -f1; }

test_expect_success 'the log spans 2022-2024 and verifies' '
	test -n "$TA" && test -n "$TB" && test "$SA" -gt 100 &&
	verify "$S" 2024-08-01T12:00:01Z >/dev/null
'

test_expect_success 'a record exactly 365 days old stays, the one before goes' '
	fresh x0 && NOW=$A_365d &&
	prune "$TMP/x0" "$NOW" -v --discard >out.txt &&
	has "$TMP/x0" A && test "$(first_seq "$TMP/x0")" -eq "$SA" &&
	grep -q "removed $SA records (seq 0-$((SA - 1)), before $TA), kept [0-9]*, oldest kept $TA" out.txt &&
	tail -1 "$TMP/x0/oplog.csv" | grep -q ",log-prune,oplog.csv,ok,removed=0-$((SA - 1)) cut_mac=[0-9a-f]\{64\} cut_time=[^ ]* cutoff=$TA retain_days=365 kept=" &&
	verify "$TMP/x0" $VNOW >/dev/null
'

test_expect_success 'one millisecond younger than 365 days: stays' '
	fresh x1 && NOW=$A_365d_m1 &&
	prune "$TMP/x1" "$NOW" --discard &&
	has "$TMP/x1" A && test "$(first_seq "$TMP/x1")" -eq "$SA" &&
	verify "$TMP/x1" $VNOW >/dev/null
'

test_expect_success 'one millisecond older than 365 days: goes' '
	fresh x2 && NOW=$A_365d_p1 &&
	prune "$TMP/x2" "$NOW" --discard &&
	! has "$TMP/x2" A && test "$(first_seq "$TMP/x2")" -eq $((SA + 1)) &&
	verify "$TMP/x2" $VNOW >/dev/null
'

test_expect_success 'across 29 February 365 days + 1 ms is not yet a year: stays' '
	fresh y0 && NOW=$B_365d_p1 &&
	prune "$TMP/y0" "$NOW" -v --discard >out.txt &&
	has "$TMP/y0" B && grep -q "before 2023-05-31T12:00:00" out.txt &&
	verify "$TMP/y0" $VNOW >/dev/null
'

test_expect_success 'across 29 February: exactly a calendar year stays, 1 ms more goes' '
	fresh y1 && NOW=$B_366d &&
	prune "$TMP/y1" "$NOW" --discard && has "$TMP/y1" B &&
	fresh y2 && NOW=$B_366d_p1 &&
	prune "$TMP/y2" "$NOW" --discard && ! has "$TMP/y2" B &&
	verify "$TMP/y2" $VNOW >/dev/null
'

test_expect_success 'a year before 28 February of a leap year: exactly a year stays, 1 ms more goes' '
	fresh z0 && prune "$TMP/z0" 2024-02-28T13:00:00.000Z --discard && has "$TMP/z0" D &&
	fresh z1 && prune "$TMP/z1" 2024-02-28T13:00:00.001Z --discard && ! has "$TMP/z1" D &&
	verify "$TMP/z1" $VNOW >/dev/null
'

test_expect_success 'on 29 February a year back is 1 March 00:00, so the cutoff never moves back' '
	fresh z2 && prune "$TMP/z2" 2024-02-29T00:00:00.000Z -v --discard >out.txt &&
	! has "$TMP/z2" D && grep -q "before 2023-03-01T00:00:00.000Z" out.txt &&
	fresh z3 && prune "$TMP/z3" 2024-02-29T23:59:59.999Z -v --discard >out.txt &&
	grep -q "before 2023-03-01T00:00:00.000Z" out.txt &&
	verify "$TMP/z3" $VNOW >/dev/null
'

# A Japanese city keeps its history by its own calendar (R6): on 29
# February in Japan time a year back is 1 March 00:00 there, 15:00 UTC the
# day before, and nothing younger goes, although the UTC year would take
# the nine hours after it; west of UTC the UTC year is the earlier and
# holds.  log-verify, in any zone, takes both prunes.
tz_prune() { (TZ=$1; export TZ; shift; prune "$@"); }
test_expect_success 'on 29 February the cutoff is a year back in local time too, when that is earlier' '
	init_at "$TMP/j" "2023-02-28 12:00:00" &&
	rec "$TMP/j" "2023-02-28 14:00:00" OLD 20 &&
	rec "$TMP/j" "2023-02-28 20:00:00" JST 20 &&
	rec "$TMP/j" "2023-03-01 04:00:00" EST 20 &&
	for z in tokyo utc york; do
		rm -rf "$TMP/j$z" && cp -a "$TMP/j" "$TMP/j$z" && cp -p "$TMP/j.key" "$TMP/j$z.key" || exit 1
	done &&
	tz_prune Asia/Tokyo "$TMP/jtokyo" 2024-02-29T01:00:00Z -v -a "$TMP/jtokyo.csv" >out.txt &&
	grep -q "before 2023-02-28T15:00:00.000Z" out.txt &&
	! has "$TMP/jtokyo" OLD && has "$TMP/jtokyo" JST &&
	tz_prune UTC "$TMP/jutc" 2024-02-29T01:00:00Z -v -a "$TMP/jutc.csv" >out.txt &&
	grep -q "before 2023-03-01T00:00:00.000Z" out.txt &&
	! has "$TMP/jutc" JST && has "$TMP/jutc" EST &&
	tz_prune America/New_York "$TMP/jyork" 2024-03-01T04:30:00Z -v -a "$TMP/jyork.csv" >out.txt &&
	grep -q "before 2023-03-01T04:30:00.000Z" out.txt &&
	! has "$TMP/jyork" EST &&
	for z in tokyo utc york; do
		(TZ=America/New_York; export TZ; verify "$TMP/j$z" 2024-03-01T05:00:00Z) >/dev/null &&
		(TZ=Asia/Tokyo; export TZ; verify "$TMP/j$z" 2024-03-01T05:00:00Z) >/dev/null || exit 1
	done
'

test_expect_success '--retain 366 across 29 February: 366 days + 1 ms goes' '
	fresh y3 && NOW=$B_366d_p1 &&
	prune "$TMP/y3" "$NOW" -r 366 --discard && ! has "$TMP/y3" B &&
	tail -1 "$TMP/y3/oplog.csv" | grep -q "retain_days=366 " &&
	verify "$TMP/y3" $VNOW >/dev/null
'

test_expect_success 'a seven-year retention removes nothing from a 3-year log' '
	fresh w0 &&
	prune "$TMP/w0" 2024-08-02T00:00:00Z -v -r 2557 --discard >out.txt &&
	grep -q "^nothing before 2017-08-02T00:00:00.000Z to remove" out.txt &&
	cmp -n "$(wc -c <"$S/oplog.csv")" "$S/oplog.csv" "$TMP/w0/oplog.csv"
'

test_expect_success 'without --now the clock decides (faketime)' '
	fresh c0 && at "2023-06-01 11:59:58" log-prune -d "$TMP/c0" --discard && has "$TMP/c0" A &&
	fresh c1 && at "2023-06-01 12:00:01" log-prune -d "$TMP/c1" --discard && ! has "$TMP/c1" A &&
	verify "$TMP/c1" 2024-08-01T12:00:02Z >/dev/null
'

test_expect_success 'file times play no part: an old mtime removes nothing more' '
	fresh m0 && touch -d 2001-01-01 "$TMP/m0/oplog.csv" &&
	prune "$TMP/m0" "$A_365d" --discard &&
	has "$TMP/m0" A
'

test_expect_success 'a log quiet for years: archived, its seals stay from the cutoff on, the log verifies' '
	fresh e0 && prune "$TMP/e0" 2030-01-01T00:00:00Z -v -a "$TMP/e0.csv" >out.txt &&
	! has "$TMP/e0" C &&
	sed -n 2p "$TMP/e0/oplog.csv" | grep -q "^[0-9]*,2029-01-01T[0-9:.]*Z,[^,]*,-,seal," &&
	verify "$TMP/e0" 2030-01-01T00:00:00Z >/dev/null
'

test_expect_success '--discard takes years of seals alone as time that may not have passed' '
	fresh e1 && prune "$TMP/e1" 2030-01-01T00:00:00Z -v --discard >out.txt &&
	has "$TMP/e1" C && ! has "$TMP/e1" B &&
	grep -q "before 2023-08-01T12:00:00.000Z), kept [0-9]*, oldest kept 2023-08-01T23:59:59.999Z" out.txt &&
	grep -q "^cutoff moved back 1978.5 days: stretches of over 7 days with only seals" out.txt &&
	verify "$TMP/e1" 2030-01-01T00:00:00Z >/dev/null
'

test_expect_success 'running it again removes nothing more, and adds its record' '
	cp "$TMP/x2/oplog.csv" before.csv &&
	prune "$TMP/x2" "$A_365d_p1" -v --discard >out.txt &&
	grep -q "^nothing before" out.txt &&
	cmp -n "$(wc -c <before.csv)" before.csv "$TMP/x2/oplog.csv" &&
	test "$(wc -l <"$TMP/x2/oplog.csv")" -eq $(($(wc -l <before.csv) + 1)) &&
	tail -1 "$TMP/x2/oplog.csv" | grep -q ",-,log-prune,oplog.csv,ok,removed=0 cutoff=$A_1 retain_days=365," &&
	verify "$TMP/x2" $VNOW >/dev/null
'

test_done
