#!/bin/sh
# bench 20: the register and the gate (issue 3 item 12), each figure beside
# a baseline measured in the same run:
#  - auth-check (right password, default cost 64 MiB t=3) vs the Argon2id
#    derivation alone in its own process (bench/kdfbase.c): goal overhead
#    <= 10 ms
#  - operator-list of a 10,000-operator register vs mlr reading the same
#    CSV: goal <= 50 ms
#  - operator-add to that register vs two derivations (the manager's check
#    and the new hash): goal <= 100 ms + KDF
# Medians of N interleaved runs.
set -eu
: "${B:?run through make bench}"
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${REG_BENCH_N:-9}
R=$(mktemp -d "$B/reg.XXXXXX")
cc -O2 -o "$R/kdfbase" "$SRC/bench/kdfbase.c" $(pkg-config --cflags --libs libgcrypt)

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

D=$R/state
jukisec-init -d "$D" -t bench01 >"$R/key" 2>/dev/null
m=$(sed -n 's/^kdf_memory_kib = //p' "$D/jukisec.conf")
t=$(sed -n 's/^kdf_time = //p' "$D/jukisec.conf")
p=$(sed -n 's/^kdf_parallelism = //p' "$D/jukisec.conf")
printf 'mgr-bench-pw-1\n' >"$R/pw.mgr"
printf 'op-bench-pw-1\n' >"$R/pw.op"
operator-add -d "$D" -i mgr -n Manager -r manager -m password --reason bench \
    --instructions-given 2026-11-01 --password-fd 3 3<"$R/pw.mgr"
operator-add -d "$D" -b mgr --by-password-fd 4 -i op -n Operator -m password \
    --reason bench --instructions-given 2026-11-01 --password-fd 3 \
    3<"$R/pw.op" 4<"$R/pw.mgr"

echo
echo "== register and gate: Argon2id m=$m KiB t=$t p=$p =="
: >"$R/a"; : >"$R/k"
i=0
while [ $i -lt "$N" ]; do
	s=$(date +%s%N); "$R/kdfbase" "$m" "$t" "$p"; ms "$s" >>"$R/k"
	s=$(date +%s%N); auth-check -d "$D" -u op --password-fd 3 3<"$R/pw.op"; ms "$s" >>"$R/a"
	i=$((i + 1))
done
ka=$(median <"$R/k") aa=$(median <"$R/a")
printf 'auth-check: %d ms; Argon2id alone: %d ms; overhead %d ms (goal <= 10), ratio %s\n' \
    "$aa" "$ka" $((aa - ka)) "$(ratio "$aa" "$ka")"
# where the overhead goes: starting a tool (libgcrypt, libfprint, glib)
: >"$R/h"; : >"$R/t"
i=0
while [ $i -lt "$N" ]; do
	s=$(date +%s%N); auth-check -h >/dev/null; ms "$s" >>"$R/h"
	s=$(date +%s%N); /bin/true; ms "$s" >>"$R/t"
	i=$((i + 1))
done
printf '  of which process start: auth-check -h %d ms, /bin/true %d ms\n' \
    "$(median <"$R/h")" "$(median <"$R/t")"

# A register of 10,000: the rows written directly, a credential file each.
python3 - "$D" <<'PY'
import csv, os, shutil, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/operators.csv", newline="")))
w = csv.writer(open(d + "/operators.csv.new", "w", newline=""), lineterminator="\n")
for r in rows:
    w.writerow(r)
tmpl = rows[-1]
for i in range(len(rows) - 1, 10000):
    r = list(tmpl)
    r[0] = "op%05d" % i
    r[1] = "職員 %05d" % i
    w.writerow(r)
    shutil.copyfile(d + "/credentials/op.phc", d + "/credentials/op%05d.phc" % i)
    os.chmod(d + "/credentials/op%05d.phc" % i, 0o600)
os.chmod(d + "/operators.csv.new", 0o600)
os.rename(d + "/operators.csv.new", d + "/operators.csv")
PY
rows=$(operator-list -d "$D" -f csv | tail -n +2 | wc -l)
: >"$R/l"; : >"$R/m"
i=0
while [ $i -lt "$N" ]; do
	s=$(date +%s%N); mlr --icsv --ocsv cat "$D/operators.csv" >/dev/null; ms "$s" >>"$R/m"
	s=$(date +%s%N); operator-list -d "$D" >/dev/null; ms "$s" >>"$R/l"
	i=$((i + 1))
done
lm=$(median <"$R/l") mm=$(median <"$R/m")
printf 'operator-list, %d operators: %d ms (goal <= 50); mlr cat of the same CSV: %d ms; ratio %s\n' \
    "$rows" "$lm" "$mm" "$(ratio "$lm" "$mm")"

: >"$R/o"; : >"$R/k2"
i=0
while [ $i -lt "$N" ]; do
	s=$(date +%s%N); "$R/kdfbase" "$m" "$t" "$p"; "$R/kdfbase" "$m" "$t" "$p"; ms "$s" >>"$R/k2"
	s=$(date +%s%N)
	operator-add -d "$D" -b mgr --by-password-fd 4 -i new$i -n "新規 $i" -m password \
	    --reason bench --instructions-given 2026-11-01 --password-fd 3 \
	    3<"$R/pw.op" 4<"$R/pw.mgr"
	ms "$s" >>"$R/o"
	i=$((i + 1))
done
om=$(median <"$R/o") km=$(median <"$R/k2")
printf 'operator-add to %d operators: %d ms; two Argon2id alone: %d ms; overhead %d ms (goal <= 100), ratio %s\n' \
    "$rows" "$om" "$km" $((om - km)) "$(ratio "$om" "$km")"
