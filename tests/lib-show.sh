# tests/lib-show.sh — helpers for the log-show tests (t11x0), sourced after
# lib.sh.  Logs that span years are made by the real tools under libfaketime.
. "$SRCDIR/tests/lib-prune.sh"

# at TIME CMD...: CMD with the clock started at TIME ("YYYY-MM-DD hh:mm:ss",
# local time), libfaketime preloaded rather than through the faketime
# wrapper, whose semaphores, left behind by killed runs, collide with
# reused pids.
FT_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
at() {
	_t=$1; shift
	LD_PRELOAD=$FT_LIB FAKETIME="@$_t" FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"
}

# wait_for CMD...: polls CMD every 0.1 s, for up to 30 s.
wait_for() {
	_n=0
	until "$@"; do
		_n=$((_n + 1))
		[ "$_n" -lt 300 ] || return 1
		sleep 0.1
	done
}

# last_seq: the seq of the live log's last record (state directory s).
last_seq() { tail -n 1 s/oplog.csv | cut -d, -f1; }

# prune TIME ARGS...: log-prune of state directory s at TIME, after the
# seals a cron job would have written by then (log-append --seal).
prune() {
	_t=$1; shift
	at "$_t" log-append -d s --seal && at "$_t" log-prune -d s "$@" >/dev/null
}
