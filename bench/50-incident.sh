#!/bin/sh
# bench 50: incident-report rewrites incidents.csv whole (atomic_begin /
# commit, common/incident.c).  A step on a file of 5,000 events vs the same
# step on a file of one incident, and a list over 5,000 events vs a list
# over one.  The manager's credential check (Argon2id at the lowest cost
# jukisec.conf allows) is in both steps, as in real use.  The real clock
# throughout: the 5,000 events are dated the day before.
. "$BENCH/lib.sh"
R=$B/inc
mkdir "$R"
printf 'bench-secret-1\n' >"$R/pw"
chmod 600 "$R/pw"
for s in small big; do
	jukisec-init -d "$R/$s" >/dev/null 2>&1
	sed -i 's/^kdf_memory_kib = .*/kdf_memory_kib = 19456/; s/^kdf_time = .*/kdf_time = 2/' "$R/$s/jukisec.conf"
	operator-add -d "$R/$s" -i boss -n Boss -r manager -m password --reason bench \
	    --instructions-given "$(date -u +%Y-%m-%d)" --password-fd 3 3<"$R/pw"
	ID=$(incident-report -d "$R/$s" -b boss --by-password-fd 3 new \
	    --type other --cause other --summary bench 3<"$R/pw")
done
# 5,000 more events: 1,000 incidents of five events each, written as the tool writes them.
python3 - "$R/big/incidents.csv" "${ID%-*}" <<'EOPY'
import csv, sys, time
t = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 86400))
with open(sys.argv[1], "a", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    for i in range(2, 1002):
        iid = "%s-%04d" % (sys.argv[2], i)
        w.writerow([iid, "new", t, "boss", t, "", "unrecoverable", "fire", "", "", "", "no",
                    "no", "no", "bench %d" % i, "", "", ""])
        for s in ("jlis-contacted", "vendor-contacted", "mayor-reported", "general-manager-reported"):
            w.writerow([iid, s, t, "boss", t, "", "", "", "", "", "", "", "", "", "", "", "", "no"])
EOPY
section "incident-report: incidents.csv of 5,000 events vs of one incident"
step() { sw incident-report -d "$R/$1" -b boss --by-password-fd 3 step "$ID" \
    --step jlis-contacted 3<"$R/pw"; }
pair time - 'step on 5,000 events vs on 1 incident' 'step big' 'step small'
pair time - 'list of 5,000 events vs of 1 incident' \
    'sw -n "$REPS" incident-report -d "$R/big" list --format csv' \
    'sw -n "$REPS" incident-report -d "$R/small" list --format csv'
