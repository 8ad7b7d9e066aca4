#!/bin/sh
# bench 10: the operation log (issue 2 item 9), each figure beside a
# baseline measured in the same run:
#  - log-append --stdin of 1,000,000 records vs cat of the same lines + sync
#  - log-verify of that log vs openssl dgst -sha256 (else sha256sum) of it
#  - median single log-append invocation vs /bin/true
#  - peak RSS of log-verify on a 1 GiB log
set -eu
: "${B:?run through make bench}"
N=${BENCH_LOG_RECORDS:-1000000}
BIG=${BENCH_LOG_BIG_BYTES:-1073741824}

# measure CMD...: runs CMD (its output as redirected by the caller); then
# "wall_s cpu_s maxrss_kib" is in $B/time.out.
if [ -x /usr/bin/time ]; then
	measure() {
		/usr/bin/time -f "%e %U %S %M" -o "$B/time.raw" "$@" &&
		awk '{ printf "%.3f %.3f %d\n", $1, $2 + $3, $4 }' "$B/time.raw" >"$B/time.out"
	}
else
	measure() {
		python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.call(sys.argv[2:])
w = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.3f %.3f %d\n" % (w, u.ru_utime + u.ru_stime, u.ru_maxrss))
sys.exit(r)' "$B/time.out" "$@"
	}
fi
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
field() { echo "$1" | cut -d" " -f"$2"; }

echo
echo "== operation log: $N records =="
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf "op%03d,view,juminhyo %08d,ok,record %d of the benchmark\n", i % 500, i, i }' >"$B/lines.csv"
jukisec-init -d "$B/s" -t bench01 >"$B/key" 2>/dev/null
chmod 600 "$B/key"

measure sh -c 'cat "$1" >"$2" && sync' sh "$B/lines.csv" "$B/cat.out"
base=$(cat "$B/time.out")
measure log-append -d "$B/s" -t bench01 --stdin <"$B/lines.csv"
app=$(cat "$B/time.out")
rate() { awk -v n="$N" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
printf 'log-append --stdin:  %s s wall, %s s cpu; %s records/s by wall, %s by cpu (goal >= 500000)\n' \
    "$(field "$app" 1)" "$(field "$app" 2)" "$(rate "$(field "$app" 1)")" "$(rate "$(field "$app" 2)")"
printf '  baseline cat+sync: %s s wall, %s records/s; log-append is %sx its throughput\n' \
    "$(field "$base" 1)" "$(rate "$(field "$base" 1)")" "$(ratio "$(field "$base" 1)" "$(field "$app" 1)")"

size=$(wc -c <"$B/s/oplog.csv")
mb() { awk -v s="$size" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? s / t / 1048576 : 0) }'; }
if command -v openssl >/dev/null 2>&1; then
	hname="openssl dgst -sha256"
	measure openssl dgst -sha256 "$B/s/oplog.csv" >/dev/null
else
	hname=sha256sum
	measure sha256sum "$B/s/oplog.csv" >/dev/null
fi
hash=$(cat "$B/time.out")
measure log-verify -d "$B/s" -k "$B/key" >/dev/null
ver=$(cat "$B/time.out")
printf 'log-verify (%s MiB): %s s wall, %s s cpu, %s MiB/s\n' "$((size / 1048576))" \
    "$(field "$ver" 1)" "$(field "$ver" 2)" "$(mb "$(field "$ver" 1)")"
printf '  baseline %s: %s s wall, %s s cpu, %s MiB/s\n' \
    "$hname" "$(field "$hash" 1)" "$(field "$hash" 2)" "$(mb "$(field "$hash" 1)")"
printf '  log-verify is %sx its throughput by wall clock, %sx by cpu time (goal >= 0.45)\n' \
    "$(ratio "$(field "$hash" 1)" "$(field "$ver" 1)")" "$(ratio "$(field "$hash" 2)" "$(field "$ver" 2)")"

python3 - "$B/s" <<'PY'
import statistics, subprocess, sys, time
def median(cmd, n=51):
    ts = []
    for i in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)
d = sys.argv[1]
la = median(["log-append", "-d", d, "-u", "bench", "-a", "single", "-o", "x", "-r", "ok"])
tr = median(["/bin/true"])
print("single log-append:   median %.2f ms (51 runs, durable: one fdatasync)" % (la * 1000))
print("  baseline /bin/true: median %.2f ms; log-append takes %.2fx (goal <= 2)" % (tr * 1000, la / tr))
PY

# A 1 GiB log: records with 2,000-byte details, appended in batches.
jukisec-init -d "$B/g" -t bench01 >"$B/gkey" 2>/dev/null
chmod 600 "$B/gkey"
pad=$(printf '%01990d' 0)
i=0
while [ "$(wc -c <"$B/g/oplog.csv")" -lt "$BIG" ]; do
	awk -v b="$i" -v pad="$pad" 'BEGIN { for (j = 0; j < 65536; j++)
		printf "op%03d,view,juminhyo %d,ok,%s\n", j % 500, b * 65536 + j, pad }' |
	    log-append -d "$B/g" -t bench01 --stdin
	i=$((i + 1))
done
gsize=$(wc -c <"$B/g/oplog.csv")
measure log-verify -d "$B/g" -k "$B/gkey" >/dev/null
big=$(cat "$B/time.out")
if command -v openssl >/dev/null 2>&1; then
	measure openssl dgst -sha256 "$B/g/oplog.csv" >/dev/null
else
	measure sha256sum "$B/g/oplog.csv" >/dev/null
fi
bighash=$(cat "$B/time.out")
gmb() { awk -v s="$gsize" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? s / t / 1048576 : 0) }'; }
printf 'log-verify of a %s MiB log (2 KiB records): peak RSS %s KiB (goal <= 16384 KiB), %s s wall, %s MiB/s\n' \
    "$((gsize / 1048576))" "$(field "$big" 3)" "$(field "$big" 1)" "$(gmb "$(field "$big" 1)")"
printf '  baseline %s of it: %s s wall, %s MiB/s; log-verify is %sx its throughput\n' \
    "$hname" "$(field "$bighash" 1)" "$(gmb "$(field "$bighash" 1)")" \
    "$(ratio "$(field "$bighash" 1)" "$(field "$big" 1)")"
rm -rf "$B/g" "$B/s" "$B/lines.csv" "$B/cat.out"
