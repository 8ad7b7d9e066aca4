#!/bin/sh
# bench/compare.sh, run by BENCH_OLD=DIR make bench: this build against the
# tools in DIR (another build of the suite, e.g. of main), alternated in
# pairs as every figure is: new/old time of log-verify, one durable
# log-append, log-append --stdin and log-prune --archive, against "within
# 10 % of before" (<= 1.10).  Each build works on a log its own tools made
# from the same records (the same cached log when both write the same
# format), so a change of format is compared as users would meet it.
. "$BENCH/lib.sh"
NEW=$JUKISEC_BUILD
OLD=$(cd "$BENCH_OLD" && pwd)
[ -x "$OLD/log-verify" ] ||
	{ echo "bench: $OLD holds no log-verify: BENCH_OLD names a build directory" >&2; exit 2; }
log_fixture "$OLD"
OL=$L
log_fixture "$NEW"
NL=$L
R=$(retention)
section "new/old: $NEW against $OLD, $MB MiB log"

pair time 1.1 'log-verify, 2 cores' \
    'sw "$NEW/log-verify" -d "$NL/s" -k "$NL/key"' 'sw "$OLD/log-verify" -d "$OL/s" -k "$OL/key"'

cp -a "$NL/s" "$B/new"
cp -a "$OL/s" "$B/old"
append "$NEW" "$B/new"
append "$OLD" "$B/old"
pair time 1.1 'one durable log-append' 'append "$NEW" "$B/new"' 'append "$OLD" "$B/old"'
rm -rf "$B/new" "$B/old"

N=${BENCH_STDIN_RECORDS:-$((MB >= 64 ? 1000000 : MB * 16384))}
lines_fixture "$N"
mkdir "$B/new.0" "$B/old.0"
jukisec-init -d "$B/new.0/s" -t term01 >/dev/null 2>&1
"$OLD/jukisec-init" -d "$B/old.0/s" -t term01 >/dev/null 2>&1
# The batch's operators registered, as in bench 10 (no R5.4 warnings).
cp -p "$NL/s/operators.csv" "$B/new.0/s/"
cp -p "$OL/s/operators.csv" "$B/old.0/s/"
# fresh NEWDIR OLDDIR (SETUP of a pair): a copy of NEWDIR/s or OLDDIR/s for
# the side about to run.
fresh() {
	rm -rf "$B/new" "$B/old" "$B/archive.csv"
	if [ "$side" = tool ]; then cp -a "$1/s" "$B/new"; else cp -a "$2/s" "$B/old"; fi
	sync -f "$B"
}
pair time 1.1 "log-append --stdin, $N records" \
    'sw -i "$IN" "$NEW/log-append" -d "$B/new" -t term01 --stdin' \
    'sw -i "$IN" "$OLD/log-append" -d "$B/old" -t term01 --stdin' \
    'fresh "$B/new.0" "$B/old.0"'

pair time 1.1 'log-prune --archive, half removed' \
    'sw "$NEW/log-prune" -d "$B/new" -r "$R" -a "$B/archive.csv"' \
    'sw "$OLD/log-prune" -d "$B/old" -r "$R" -a "$B/archive.csv"' \
    'fresh "$NL" "$OL"'
rm -rf "$B/new" "$B/old" "$B/archive.csv"
