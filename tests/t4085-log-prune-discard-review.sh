#!/bin/sh
# log-prune --discard and a wrong clock, reviewed (f3a8ba5): the SPEC says a
# clock a year ahead must never lose history, and log-prune(1) says a clock
# up to 7 days ahead removes records at most that much early.  A stretch is
# measured between records that are not seals: the seals a writer under a
# jumped clock writes are dated at their epochs' ends, inside the jump.
# Each test is a sequence of real tool runs under clocks a broken RTC, a
# wrong NTP or a careless admin produce; "real" below is what the clock
# should have read.  (A clock stepped ahead under 7 days at a time, with
# records between the steps, is not seen: log-prune(1) says so.)
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

# tick DIR TIME: the log holds the tick record of live at TIME.
tick() { grep -q ",$2,[^,]*,clerk01,view,tick," "$1/oplog.csv"; }

# init30 DIR TIME: init_at with key epochs of 30 days (the longest allowed).
init30() {
	at "$2" jukisec-init -d "$1" --epoch 2592000 >"$1.key" 2>/dev/null &&
	chmod 600 "$1.key" &&
	sed -i "s/^system_actors = .*/system_actors = clerk01,clerk02/" "$1/jukisec.conf"
}

# A terminal in use since 2024-01-01 (daily epochs), its last record on
# 2025-06-10 at 10:00.  live ticks at 2024-06-11T00:00, 364 days 11 hours
# before 2025-06-10T11:00.
L=$TMP/l
init_at "$L" 2024-01-01T00:00:00Z
live "$L" 2024-01-01T00:00:00Z 2025-06-10T10:00:00Z
rec "$L" "2025-06-10 10:00:00" m06
cp -a "$L" l0 && cp -p "$L.key" l0.key

# The stretch is taken from the first seal, the end of the last record's
# epoch, not from the last record: the part of that epoch after the jump
# is counted as time that passed.
test_expect_success 'a clock a year ahead 30 minutes after the last record: no record younger than a year goes' '
	rec "$L" "2026-06-10 10:30:00" ahead &&
	prune "$L" 2026-06-10T11:00:00Z -v --discard >out &&
	tick "$L" 2024-06-11T00:00:00.000Z
'

# The same with the longest epochs, and cron's seal the first writer under
# the wrong clock (the commit's own case): a month is lost.  Real time
# 2025-05-25T11:00; live ticks at 2024-05-30 .. 2024-06-23.
M=$TMP/m
init30 "$M" 2024-01-01T00:00:00Z
live "$M" 2024-01-01T00:00:00Z 2025-05-25T10:00:00Z
rec "$M" "2025-05-25 10:00:00" m05
at 2025-05-25T10:17:00Z log-append -d "$M" --seal
cp -a "$M" m0 && cp -p "$M.key" m0.key

test_expect_success '30-day epochs, a clock a year ahead sealed by cron: no record younger than a year goes' '
	at 2026-05-25T10:17:00Z log-append -d "$M" --seal &&
	prune "$M" 2026-05-25T11:00:00Z -v --discard >out &&
	tick "$M" 2024-05-30T00:00:00.000Z && tick "$M" 2024-06-23T00:00:00.000Z
'

# 30-day epochs, a clock 35 days ahead: the log's key epoch is not 7 days
# behind it, and the only seal is 5.5 days before it.  Real time
# 2025-05-25T11:00: the page allows records back to 2024-06-01T11:00 to go.
test_expect_success '30-day epochs, a clock 35 days ahead: no record goes more than 7 days early' '
	rm -rf "$M" && cp -a m0 "$M" &&
	prune "$M" 2025-06-29T11:00:00Z -v --discard >out &&
	tick "$M" 2024-06-05T00:00:00.000Z && tick "$M" 2024-06-23T00:00:00.000Z
'

# The damaged-record refusal names "its line": the line log-verify names,
# the file's line (the header row is line 1).  A kept record, not the last
# (which every writer's check reads first).
test_expect_success 'a damaged record: --discard names the line log-verify names' '
	rm -rf "$L" && cp -a l0 "$L" && cp -p l0.key "$L.key" &&
	ln=$(grep -n ",2025-06-06T00:00:00.000Z,[^,]*,clerk01,view,tick," "$L/oplog.csv" | cut -d: -f1) &&
	test -n "$ln" &&
	sed -i "${ln}s/,2025-06-06T00:00:00.000Z,/,2025-06-06T00:00:0x.000Z,/" "$L/oplog.csv" &&
	test_must_fail 1 verify "$L" 2025-06-10T12:00:00Z 2>verr &&
	grep -q "oplog.csv:$ln: field time" verr &&
	test_must_fail 3 at 2025-06-10T11:00:00Z log-prune -d "$L" --discard 2>err &&
	grep -q "oplog.csv:$ln: field time: .*; run log-verify" err &&
	test_must_fail 3 at 2025-06-10T11:00:00Z log-prune -d "$L" -n --discard 2>err &&
	grep -q "oplog.csv:$ln: field time: .*; run log-verify" err
'

test_done
