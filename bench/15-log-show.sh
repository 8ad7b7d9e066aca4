#!/bin/sh
# bench 15: log-show (issue 12 item 5) on the realistic log of
# bench/genlog.py (BENCH_MB, 1024 for the 1 GiB figures), one operator's
# records (about 1 in BENCH_OPS):
#  - log-show --operator vs mlr filter and vs awk -F, doing the same (awk
#    splits quoted fields wrongly; it is the fastest thing people type)
#  - log-show -k --operator (every record verified) vs log-verify alone
#  - log-show --summary operator vs the unfiltered scan (every record
#    parsed and written as CSV)
#  - peak RSS of log-show -k and of the unfiltered scan
. "$BENCH/lib.sh"
log_fixture
X=clerk007
section "log-show: $((bytes / 1048576)) MiB, $records records of $avg bytes on average; operator $X"

pair speed 2 'log-show --operator vs mlr filter' \
    'sw log-show -d "$LS" --operator $X' \
    'sw mlr --icsv --ocsv filter "\$operator == \"$X\"" "$LOG"'
pair speed 1 'log-show --operator vs awk -F,' \
    'sw log-show -d "$LS" --operator $X' \
    'sw awk -F, "\$4 == \"$X\"" "$LOG"'
pair time 1.1 'log-show -k --operator vs log-verify' \
    'sw log-show -d "$LS" -k "$LK" --operator $X' \
    'sw log-verify -d "$LS" -k "$LK"'
fig_rss "log-show -k peak RSS, $MB MiB log" 16
pair time 1.1 'log-show --summary operator vs unfiltered scan' \
    'sw log-show -d "$LS" --summary operator' \
    'sw log-show -d "$LS"'
fig_rss "log-show --summary peak RSS, $MB MiB log" 16
