# tests/lib-prune.sh — helpers for the log-prune tests (t4xxx), sourced
# after lib.sh.  Logs that span years are made by running the real tools
# under faketime(1): no tool has a back-dating option that a test relies on.

test_have_prereq FAKETIME || test_skip_all "$prereq_missing"

# prune DIR TIME ARGS...: the nightly job at TIME: cron's hourly seal, then
# log-prune -d DIR ARGS.
prune() {
	_d=$1 _pt=$2; shift 2
	at "$_pt" log-append -d "$_d" --seal && at "$_pt" log-prune -d "$_d" "$@"
}

# rec DIR TIME LABEL [N]: N (default 1) records with object LABEL at TIME.
rec() {
	_i=0
	while [ "$_i" -lt "${4:-1}" ]; do
		echo "clerk01,print,$3,ok,copy $_i"
		_i=$((_i + 1))
	done | at "$2" log-append -d "$1" --stdin
}

# live DIR FROM TO: a terminal in use from FROM to before TO: a record of
# clerk01 (object "tick") every 6 days, so that the log has no stretch of
# seals alone longer than 7 days, which log-prune --discard counts as time
# that may not have passed (a machine off, or a clock jumped ahead).
# python3 prints the instants once, in at()'s form (local time, as
# date(1) gives it under $TZ), and log-append runs under libfaketime as
# at() runs it: a pipeline, a subshell and a date(1) per record were two
# thirds of the CPU of a log of years.
live() {
	[ -n "$FAKETIME_LIB" ] ||
	    { echo "live: faketime is not installed (make deps)" >&2; return 3; }
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

# time_of DIR LABEL: the time of the first record with object LABEL.
time_of() { awk -F, -v l="$2" '$6 == l { print $2; exit }' "$1/oplog.csv"; }

# has DIR LABEL: the log holds a record with object LABEL.
has() { awk -F, -v l="$2" '$6 == l { f = 1 } END { exit !f }' "$1/oplog.csv"; }

# seqs FILE: the seq column, header rows left out.
seqs() { awk -F, '$1 != "seq" { print $1 }' "$1"; }

# ms TIME DELTA_MS: TIME (RFC 3339 ms) plus DELTA_MS, in the same form.
ms() {
	python3 -c 'import sys, datetime as d
t = d.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ") + d.timedelta(milliseconds=int(sys.argv[2]))
print(t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000))' "$1" "$2"
}
DAY=86400000

# verify DIR TIME [FILE...]: log-verify at TIME (the live log, or FILEs).
verify() {
	_d=$1 _t=$2; shift 2
	log-verify -d "$_d" --key-file "$_d.key" --now "$_t" "$@"
}

# padded DIR TIME N OBJECT WORD [WIDTH]: N records of clerk02 appended to
# DIR at TIME in one --stdin batch: object OBJECT, detail "WORD i" and
# WIDTH bytes of padding (default 1000), to give a log its size.
padded() {
	awk -v n="$3" -v o="$4" -v w="$5" -v width="${6:-1000}" 'BEGIN {
		pad = sprintf("%" width "s", ""); gsub(/ /, "x", pad)
		for (i = 0; i < n; i++) printf "clerk02,view,%s,ok,%s %d %s\n", o, w, i, pad }' |
	    at "$2" log-append -d "$1" --stdin
}

# A state directory $1 created at 2022-01-01 00:00:00 UTC.
# Its records are an application's (clerk01, clerk02): system actors there
# (R5.4), as a deployment declares its applications.
init_at() {
	at "${2:-2022-01-01 00:00:00}" jukisec-init -d "$1" >"$1.key" 2>/dev/null &&
	chmod 600 "$1.key" &&
	sed -i "s/^system_actors = .*/system_actors = clerk01,clerk02/" "$1/jukisec.conf"
}
