#!/bin/sh
# bench 40: log-prune --archive of the realistic log (bench/genlog.py), with
# the retention set so that half of it goes (records spread evenly over 800
# days: the retention is the age of the middle day):
#  - its time vs cp + sync -d of the same file (the same bytes read and
#    written, one file flushed), a fresh copy of the log for each run,
#    sealed as the hourly job leaves it; its peak RSS
#  - the longest wait of an append while a prune runs: a writer loop
#    (bench/stopwatch.c -l) appends one record after another to the same
#    copy from before the prune starts to after it ends; the appends that
#    overlap the prune are counted (none would make the figure a lie, and
#    stops the bench), against the longest append before the prune began.
#    Afterwards the archive and the log verify as one chain.
. "$BENCH/lib.sh"
log_fixture
R=$(retention)
P=$B/prune
section "log-prune --archive: $((bytes / 1048576)) MiB log, retention $R days: $(log-prune -n -d "$LS" -r "$R")"

# A fresh copy of the log for each prune, sealed first as the shipped
# hourly job (examples/cron/jukisec: log-append --seal) leaves it before the
# nightly prune: the cached log's last day has ended, and its seal is the
# hourly job's work, not the prune's.
prune_setup() {
	rm -rf "$P"
	mkdir "$P"
	if [ "$side" != base ]; then
		cp -a "$LS" "$P/s"
		log-append -d "$P/s" --seal
	fi
	sync -f "$B"
}
pair time 1.3 'log-prune --archive vs cp + sync' \
    'sw log-prune -d "$P/s" -r "$R" -a "$P/archive.csv"' \
    'sw sh -c "$CPSYNC" sh "$LOG" "$P/copy.csv"' prune_setup
fig_rss 'log-prune --archive peak RSS' 16
set -- $(stats 2) $(stats 4)
pt="$1 $4"

# What log-prune pays and cp + sync does not: the old log's blocks freed as
# it ends (the last descriptor of the replaced file closed).  A file system
# mounted with discard waits there for the device to discard them (ext4:
# ext4_free_blocks, blkdev_issue_discard).  Timed alone, once a round: rm
# of a synced copy of the log, less rm's own start (rm -f of no file).
: >"$B/free"
i=1
while [ "$i" -le "$ROUNDS" ]; do
	cp "$LOG" "$B/free.csv"
	sync -f "$B"
	sw rm "$B/free.csv"
	read -r f _ <"$B/sw.out"
	sw rm -f "$B/free.csv"
	read -r s _ <"$B/sw.out"
	echo "$i $f 0 $s 0" >>"$B/free"
	i=$((i + 1))
done
mv "$B/free" "$B/pair"
# prune and cp + sync (medians), then rm's "median min max", rm -f's
set -- $pt $(stats 2) $(stats 4)
case ",$(findmnt -no OPTIONS -T "$B" 2>/dev/null)," in
*,discard,*) fs="its file system mounted with discard" ;;
*) fs="its file system not mounted with discard" ;;
esac
note "$(awk -v p="$1" -v c="$2" -v f="$3" -v s="$6" -v fs="$fs" 'BEGIN {
	printf "freeing the old log: %.1f ms of log-prune'"'"'s %.1f ms (rm of a copy less its start, %s); " \
	    "cp + sync frees nothing; without it, %.2fx", (f - s) / 1e6, p / 1e6, fs, (p - (f - s)) / c }')"

# waits: one prune with the writer loop; appends "round wait_ns 0 alone_ns
# overlapping" to $B/waits.
waits() {
	side=tool
	prune_setup
	"$BB/stopwatch" -o "$P/loop" -l "$P/stop" log-append -d "$P/s" -t term02 \
	    -u clerk002 -a view -o 'juminhyo 00000002' -r ok -m 'writer loop' &
	wpid=$!
	while [ "$(cat "$P/loop" 2>/dev/null | wc -l)" -lt 10 ]; do
		sleep 0.05
	done
	sw log-prune -d "$P/s" -r "$R" -a "$P/archive.csv"
	read -r _ _ _ _ ps pe <"$B/sw.out"
	: >"$P/stop"
	wait "$wpid"
	awk -v r="$1" -v ps="$ps" -v pe="$pe" '
		$2 <= ps { if ($2 - $1 > alone) alone = $2 - $1; next }
		$1 < pe { n++; if ($2 - $1 > w) w = $2 - $1 }
		END { print r, w + 0, n + 0, alone + 0, n + 0 }' "$P/loop" >>"$B/waits"
}
: >"$B/waits"
i=1
while [ "$i" -le "$ROUNDS" ]; do
	waits "$i"
	i=$((i + 1))
done
log-verify --key-file "$LK" "$P/archive.csv" "$P/s/oplog.csv" >/dev/null
mv "$B/waits" "$B/pair"
n=$(stats 3 | cut -d' ' -f2)
[ "$n" -gt 0 ] || { echo "bench: no append overlapped a prune" >&2; exit 3; }
derive '$2 / 1e6'
set -- $(stats 6)
emit 'longest append wait during log-prune --archive' "$1" "$2" "$3" ' ms' - - \
    "longest before it $(fmt_ns "$(stats 4 | cut -d' ' -f1)"), >= $n appends overlapped each prune"
note "after the last: archive + log verify as one chain"
rm -rf "$P"
