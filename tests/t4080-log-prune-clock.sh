#!/bin/sh
# log-prune and a wrong clock (issue 10, finding 5): history survives a
# clock set a year ahead.  The nightly prune refuses while the clock is far
# past the key epoch the log has reached; if another writer moved the log
# there first, what the prune removes goes to the archive, where nothing is
# lost, and the dates ahead show in log-verify.  A quiet log sealed by cron
# never trips the check.
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
