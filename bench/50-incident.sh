#!/bin/sh
# incident-report step rewrites incidents.csv whole (atomic_begin/commit,
# see common/incident.c).  Measured: a step on a file of 5000 events against
# the same step on a file of one incident (the baseline, same run), and a
# list over 5000 events against a list over one.  The manager's credential
# check (Argon2id) is in both, as in real use.
set -eu
N=${INC_BENCH_N:-10}
R=$(mktemp -d "$B/inc.XXXXXX")
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
printf 'bench-secret-1\n' >"$R/pw" && chmod 600 "$R/pw"
for s in small big; do
	jukisec-init -d "$R/$s" >/dev/null 2>&1
	sed -i 's/^kdf_memory_kib = .*/kdf_memory_kib = 19456/; s/^kdf_time = .*/kdf_time = 2/' "$R/$s/jukisec.conf"
	operator-add -d "$R/$s" -i boss -n Boss -r manager -m password --reason bench \
	    --instructions-given 2026-11-01 --password-fd 3 3<"$R/pw"
	incident-report -d "$R/$s" -b boss --by-password-fd 3 new --now 2026-11-25T09:00:00Z \
	    --type other --cause other --summary bench 3<"$R/pw" >/dev/null
done
# 5000 more events: 1000 incidents of five events each, written as the tool writes them.
python3 - "$R/big/incidents.csv" <<'EOPY'
import csv, sys
with open(sys.argv[1], "a", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    for i in range(2, 1002):
        iid = "2026-%04d" % i
        w.writerow([iid, "new", "2026-11-25T09:00:00.000Z", "boss", "2026-11-25T08:00:00.000Z", "",
                    "unrecoverable", "fire", "", "", "", "no", "no", "no", "bench %d" % i, "", "", ""])
        for s in ("jlis-contacted", "vendor-contacted", "mayor-reported", "general-manager-reported"):
            w.writerow([iid, s, "2026-11-25T09:00:00.000Z", "boss", "2026-11-25T09:00:00.000Z",
                        "", "", "", "", "", "", "", "", "", "", "", "", "no"])
EOPY
step() { incident-report -d "$R/$1" -b boss --by-password-fd 3 step 2026-0001 \
    --step jlis-contacted --now 2026-11-25T10:00:00Z 3<"$R/pw"; }
ts=0 tb=0 ls=0 lb=0 i=0
while [ $i -lt "$N" ]; do
	t=$(date +%s%N); step small; ts=$((ts + $(ms "$t")))
	t=$(date +%s%N); step big; tb=$((tb + $(ms "$t")))
	t=$(date +%s%N); incident-report -d "$R/small" list --format csv >/dev/null; ls=$((ls + $(ms "$t")))
	t=$(date +%s%N); incident-report -d "$R/big" list --format csv >/dev/null; lb=$((lb + $(ms "$t")))
	i=$((i + 1))
done
printf 'incident-report step on 5000 events: %d ms, on 1 incident: %d ms: ratio %s (mean of %d, Argon2id verify included)\n' \
	$((tb / N)) $((ts / N)) "$(ratio $tb $ts)" "$N"
printf 'incident-report list over 5000 events: %d ms, over 1 incident: %d ms: ratio %s\n' \
	$((lb / N)) $((ls / N)) "$(ratio $lb $ls)"
