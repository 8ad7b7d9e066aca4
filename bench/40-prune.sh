#!/bin/sh
# bench/40-prune.sh — log-prune of a large log (half of it older than the
# retention) against cp + sync of the same file, its peak RSS against the
# log's size, and the longest time an append waits while a prune runs
# against the longest append with no prune.  BENCH_PRUNE_MB sets the log's
# size (default 256; 1024 for the 1 GiB figure).  The log is made by the
# real tools under faketime: the old half 800 days ago, the new half 10.
set -eu
MB=${BENCH_PRUNE_MB:-256}
D=$B/prune
mkdir -m 700 "$D"
S=$D/s
faketime "$(date -u -d '800 days ago' '+%Y-%m-%d %H:%M:%S')" jukisec-init -d "$S" >"$D/key" 2>/dev/null
chmod 600 "$D/key"
# ~250-byte records; half the size in each half.
N=$((MB * 1048576 / 250 / 2))
half() {
	awk -v n="$N" -v tag="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "clerk%02d,print,juminhyo-%07d,ok,%s copy of the resident record for counter %d window 3; reason: moving out; fee paid; checked by supervisor %d\n", i % 50, i, tag, i % 7, i }' |
	    faketime "$(date -u -d "$2" '+%Y-%m-%d %H:%M:%S')" log-append -d "$S" --stdin
}
half old '800 days ago'
half new '10 days ago'
log-append -d "$S" --seal
size=$(stat -c %s "$S/oplog.csv")
cp -a "$S" "$D/s2"
sync

ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms); cp "$S/oplog.csv" "$D/copy.csv"; sync; t1=$(ms)
rm -f "$D/copy.csv"; sync
T_CP=$((t1 - t0))

# Wall time and peak RSS with GNU time (Debian "time"): a wrapper that forks
# itself, as python would, would count its own pages as the child's.
/usr/bin/time -f "%e %M" -o "$D/time.txt" log-prune -d "$S" -v >"$D/sum.txt"
T_PRUNE=$(awk '{ printf "%d", $1 * 1000 }' "$D/time.txt")
RSS_KB=$(awk '{ print $2 }' "$D/time.txt")
kept=$(stat -c %s "$S/oplog.csv")

# Appends in a loop, each timed: first alone, then while s2 is pruned.
cat >"$D/app.py" <<'PY'
import os, subprocess, sys, time
d, stop, out = sys.argv[1:4]
worst, n = 0.0, 0
while not os.path.exists(stop):
    t = time.monotonic()
    subprocess.run(["log-append", "-d", d, "-u", "bench", "-a", "probe"], check=True)
    worst, n = max(worst, time.monotonic() - t), n + 1
open(out, "w").write("%d %d\n" % (worst * 1000, n))
PY
python3 "$D/app.py" "$D/s2" "$D/stop1" "$D/alone.txt" &
sleep 3; : >"$D/stop1"; wait
python3 "$D/app.py" "$D/s2" "$D/stop2" "$D/during.txt" &
sleep 0.5
log-prune -d "$D/s2"
: >"$D/stop2"; wait
read W_ALONE N_ALONE <"$D/alone.txt"
read W_DURING N_DURING <"$D/during.txt"
log-verify -d "$D/s2" -k "$D/key" >/dev/null

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
echo "log-prune: a $((size / 1048576)) MiB log, $((kept / 1048576)) MiB kept"
echo "  $(cat "$D/sum.txt")"
printf '  %-34s %8d ms   cp + sync of the log %8d ms   ratio %s\n' "prune time" "$T_PRUNE" "$T_CP" "$(ratio "$T_PRUNE" "$T_CP")"
printf '  %-34s %8d KiB  log size        %13d KiB  ratio %s\n' "peak RSS" "$RSS_KB" "$((size / 1024))" "$(ratio "$RSS_KB" "$((size / 1024))")"
printf '  %-34s %8d ms   longest append, no prune %4d ms   ratio %s\n' "longest append during the prune" "$W_DURING" "$W_ALONE" "$(ratio "$W_DURING" "$W_ALONE")"
printf '  (%d appends during the prune, %d alone; the log verifies after)\n' "$N_DURING" "$N_ALONE"
rm -rf "$D"
