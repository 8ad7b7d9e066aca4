# tests/lib-prune-live.sh — sourced after lib-prune.sh by the log-prune
# tests that build years of log: live as lib-prune.sh's (the same records
# at the same instants), for a third of its CPU.  lib-prune.sh's runs, for
# each of a log's ~150 records, a pipeline (two forks), at() (a subshell
# and a date(1) for the new instant) and log-append; here python3 prints
# the instants already in at()'s form (local time, as date(1) gives it
# under $TZ) and log-append runs under libfaketime as at() runs it, from a
# file, in one loop.

# live DIR FROM TO: a record of clerk01 (object "tick") every 6 days.
live() {
	echo clerk01,view,tick,ok, >"$TMP/.tick.in" &&
	python3 -c 'import sys, datetime as d
f = lambda s: d.datetime.fromisoformat(s.replace("Z", "").replace(" ", "T"))
t, end = f(sys.argv[1]) + d.timedelta(days=6), f(sys.argv[2])
while t < end:
	u = t.replace(tzinfo=d.timezone.utc).astimezone()
	print(u.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (u.microsecond // 1000))
	t += d.timedelta(days=6)' "$2" "$3" | while read -r _lt; do
		LD_PRELOAD=$FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD} FAKETIME=$_lt \
		    FAKETIME_DONT_FAKE_MONOTONIC=1 \
		    log-append -d "$1" --stdin <"$TMP/.tick.in" || return 1
	done
}
