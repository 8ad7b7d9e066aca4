#!/bin/sh
# bench 60: jukisec-audit on the realistic log (bench/genlog.py), whose
# register holds the operators the records name:
#  - with --key-file (the reading pass for R5.2/R6 and the MAC verification)
#    vs log-verify alone on the same state directory (issue 15: <= 1.05x,
#    one pass); its peak RSS
#  - without the key (the reading pass only) vs awk counting the failed
#    authentications of the same file
. "$BENCH/lib.sh"
log_fixture
section "jukisec-audit: $((bytes / 1048576)) MiB log, $records records"
pair time 1.05 'jukisec-audit --key-file vs log-verify' \
    'sw -a jukisec-audit -d "$LS" --key-file "$LK"' 'sw log-verify -d "$LS" -k "$LK"'
fig_rss 'jukisec-audit --key-file peak RSS' 16
pair time - 'jukisec-audit (no key) vs awk failed-login count' \
    'sw -a jukisec-audit -d "$LS"' \
    'sw awk -F, '\''$5 == "auth" && ($7 == "denied" || $7 == "locked") { n[$6 "@" $3]++ } END { print length(n) }'\'' "$LOG"'
