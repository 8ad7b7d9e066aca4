#!/bin/sh
# log-prune and a wrong clock (issue 10, finding 5): history survives a
# clock set a year ahead.  The nightly prune refuses while the clock is far
# past the key epoch the log has reached; if another writer moved the log
# there first, what the prune removes goes to the archive, where nothing is
# lost, and the dates ahead show in log-verify; --discard, which loses what
# it removes, takes every stretch of more than 7 days with seals alone as
# time that may not have passed.  A quiet log sealed by cron never trips
# the check.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s A=$TMP/arch/oplog-archive.csv
mkdir -m 700 "$TMP/arch"
init_at "$S" 2025-01-01T00:00:00Z
for m in 01 02 03 04 05 06; do rec "$S" "2025-$m-10 10:00:00" "m$m" 3; done
at 2025-06-10T11:17:00Z log-append -d "$S" --seal
cp -a "$S" good
all() { seqs "$1/oplog.csv"; [ -e "$A" ] && seqs "$A"; }

test_expect_success 'a clock a year ahead at the nightly prune: refused (3), nothing written' '
	test_must_fail 3 at 2026-06-11T03:30:00Z log-prune -d "$S" -v -a "$A" 2>err &&
	one_line_matching err "the clock \(2026-06-11T03:30:00.000Z\) is more than 7 days past the log.s key epoch" &&
	for f in oplog.csv oplog.head oplog.key; do cmp "$S/$f" "good/$f" || exit 1; done &&
	test ! -e "$A" && has "$S" m01 &&
	test_must_fail 3 at 2026-06-11T03:30:00Z log-prune -d "$S" --discard 2>err &&
	cmp "$S/oplog.csv" good/oplog.csv
'

test_expect_success 'a writer first under the wrong clock: the prune archives, nothing is lost' '
	at 2026-06-11T02:17:00Z log-append -d "$S" --seal &&
	at 2026-06-11T03:30:00Z log-prune -d "$S" -a "$A" &&
	! has "$S" m01 &&
	all "$S" | sort -n >both && seq 0 "$(tail -1 both)" | cmp - both &&
	verify "$S" 2026-06-11T04:00:00Z "$A" "$S/oplog.csv" >/dev/null &&
	test_must_fail 1 verify "$S" 2025-06-12T00:00:00Z "$A" "$S/oplog.csv" 2>err &&
	grep -q "dated after the verification time 2025-06-12T00:00:00.000Z" err
'

# A terminal in use from 2025-01-01 (a record every 6 days) to 2025-06-10,
# sealed by cron that morning.
L=$TMP/l
init_at "$L" 2025-01-01T00:00:00Z
live "$L" 2025-01-01T00:00:00Z 2025-06-10T10:00:00Z
rec "$L" "2025-06-10 10:00:00" m06 3
at 2025-06-10T11:17:00Z log-append -d "$L" --seal
cp -a "$L" lgood && cp -p "$L.key" lgood.key

test_expect_success '--discard after a writer under a clock a year ahead: nothing is lost' '
	at 2026-06-11T02:17:00Z log-append -d "$L" --seal &&
	at 2026-06-11T03:30:00Z log-prune -d "$L" -v --discard >out &&
	has "$L" m06 && test "$(sed -n 2p "$L/oplog.csv" | cut -d, -f1)" = 0 &&
	grep -q "^nothing before 2024-06-1[01]T.* to remove" out &&
	grep -q "^cutoff moved back 36[56]\.[0-9] days: stretches of over 7 days with only seals in the log" out &&
	verify "$L" 2026-06-11T04:00:00Z >/dev/null
'

test_expect_success '--discard after a record under that clock: nothing is lost either' '
	rm -rf "$L" && cp -a lgood "$L" &&
	rec "$L" "2026-06-11 02:17:00" ahead &&
	at 2026-06-11T03:30:00Z log-prune -d "$L" --discard &&
	has "$L" m06 && test "$(sed -n 2p "$L/oplog.csv" | cut -d, -f1)" = 0
'

test_expect_success '--discard after a machine off for 24 days: those records stay 24 days longer' '
	O=$TMP/o && init_at "$O" 2025-01-01T00:00:00Z &&
	live "$O" 2025-01-01T00:00:00Z 2025-03-01T00:00:00Z &&
	rec "$O" "2025-03-20 10:00:00" back &&
	live "$O" "2025-03-20 10:00:00" 2026-03-15T03:00:00Z &&
	cp -a "$O" o2 && cp -p "$O.key" o2.key &&
	at 2026-03-15T03:30:00Z log-prune -d "$O" -n --discard >out &&
	grep -q "^would remove .*before 2025-02-18T17:30:00.000Z)" out &&
	grep -q "^cutoff moved back 24\.4 days" out &&
	at 2026-03-15T03:30:00Z log-prune -d "$O" -n >out &&
	grep -q "^would remove .*before 2025-03-15T03:30:00.000Z)" out &&
	prune "$O" 2026-03-15T03:30:00Z -v --discard >out &&
	grep -q "before 2025-02-18T17:30:00.000Z), kept [0-9]*, oldest kept 2025-02-18T23:59:59.999Z" out &&
	grep -q "^cutoff moved back 24\.4 days: stretches of over 7 days with only seals" out &&
	grep -q ",2025-02-24T00:00:00.000Z,[^,]*,clerk01,view,tick," "$O/oplog.csv" &&
	! grep -q ",2025-02-18T00:00:00.000Z,[^,]*,clerk01,view,tick," "$O/oplog.csv" &&
	verify "$O" 2026-03-15T04:00:00Z >/dev/null &&
	prune "$TMP/o2" 2026-03-15T03:30:00Z -v -a "$TMP/o2.csv" >out &&
	grep -q "before 2025-03-15T03:30:00.000Z)" out && ! grep -q "^cutoff moved back" out &&
	! grep -q ",2025-02-24T00:00:00.000Z,[^,]*,clerk01,view,tick," "$TMP/o2/oplog.csv"
'

test_expect_success 'a quiet log sealed by cron: the prune runs night after night' '
	rm -rf "$S" "$A" && cp -a good "$S" && day=11 &&
	while [ $day -le 30 ]; do
		at 2025-06-${day}T00:17:00Z log-append -d "$S" --seal &&
		at 2025-06-${day}T03:30:00Z log-prune -d "$S" -a "$A" || exit 1
		day=$((day + 1))
	done &&
	verify "$S" 2025-06-30T04:00:00Z "$A" "$S/oplog.csv" >/dev/null
'

test_expect_success 'a machine off for two weeks: the first prune waits for the seals, then runs' '
	test_must_fail 3 at 2025-07-20T03:30:00Z log-prune -d "$S" -a "$A" 2>err &&
	grep -q "run log-append --seal first" err &&
	at 2025-07-20T03:31:00Z log-append -d "$S" --seal &&
	at 2025-07-20T03:32:00Z log-prune -d "$S" -a "$A"
'

test_expect_success 'a dry run writes nothing and shows what the clock would remove' '
	at 2027-01-01T00:00:00Z log-prune -d "$S" -n >out &&
	grep -q "^would remove" out
'

test_expect_success 'a clock behind a seal that opened the next epoch: records dated in that epoch' '
	C=$TMP/c && init_at "$C" 2025-01-01T00:00:00Z &&
	at 2025-01-02T00:00:00.500Z log-append -d "$C" --seal &&
	echo clerk01,print,behind,ok, | at 2025-01-01T23:59:59Z log-append -d "$C" --stdin &&
	test "$(awk -F, "\$6 == \"behind\" { print \$2 }" "$C/oplog.csv")" = 2025-01-02T00:00:00.000Z &&
	at 2025-01-03T00:00:00.500Z log-append -d "$C" --seal &&
	at 2025-01-02T23:59:59Z log-prune -d "$C" --discard &&
	verify "$C" 2025-01-03T00:01:00Z >/dev/null
'

test_done
