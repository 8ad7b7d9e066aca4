#!/bin/sh
# bench 60: jukisec-audit on a large operation log, each figure beside a
# baseline measured in the same run:
#  - the audit with --key-file (one reading pass for R5.2/R6 plus the full
#    MAC verification) vs log-verify alone on the same log
#  - the audit without the key (the reading pass only) vs awk counting the
#    failed authentications of the same file
#  - peak RSS of the audit: flat, whatever the log's size
set -eu
: "${B:?run through make bench}"
N=${BENCH_AUDIT_RECORDS:-1000000}
A=$(mktemp -d "$B/audit.XXXXXX")

if [ -x /usr/bin/time ]; then
	measure() {
		/usr/bin/time -f "%e %M" -o "$A/time.raw" "$@" >/dev/null || [ $? -eq 1 ]
		cat "$A/time.raw"
	}
else
	measure() {
		python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
print("%.2f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))' "$@"
	}
fi
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo
echo "== jukisec-audit: log of $N records =="
D=$A/s
jukisec-init -d "$D" -t bench01 >"$A/key" 2>/dev/null
chmod 600 "$A/key"
printf 'mgr-bench-pw-1\n' >"$A/pw"
operator-add -d "$D" -i mgr -n Manager -r manager -m password --reason bench \
    --instructions-given 2026-11-01 --password-fd 3 3<"$A/pw"
# one record in 50 a failed authentication, spread over 500 persons
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	if (i % 50 == 0) printf "-,auth,op%03d,denied,method=password reason=bad password\n", i % 500
	else printf "op%03d,view,juminhyo %08d,ok,record %d\n", i % 500, i, i }' |
    log-append -d "$D" -t bench01 --stdin

set -- $(measure log-verify -d "$D" --key-file "$A/key"); vt=$1
set -- $(measure jukisec-audit -d "$D" --key-file "$A/key"); at=$1 arss=$2
echo "audit with key:    ${at} s   log-verify alone: ${vt} s   ratio $(ratio "$at" "$vt")"
set -- $(measure awk -F, '$5 == "auth" && ($7 == "denied" || $7 == "locked") { n[$6 "@" $3]++ } END { print length(n) }' "$D/oplog.csv"); wt=$1
set -- $(measure jukisec-audit -d "$D"); nt=$1
echo "audit without key: ${nt} s   awk burst count:  ${wt} s   ratio $(ratio "$nt" "$wt")"
echo "audit peak RSS:    ${arss} KiB for a $(du -k "$D/oplog.csv" | cut -f1) KiB log"
