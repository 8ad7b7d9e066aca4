#!/bin/sh
# bench 60: jukisec-audit on the realistic log (bench/genlog.py), whose
# register holds the operators the records name:
#  - with --key-file (the one pass for R5.2, R5.4, R5.5 and R6 riding along
#    the MAC verification, a block per core) vs log-verify alone on the same
#    state directory (issue 15: <= 1.05x); its peak RSS
#  - without the key (the same pass, sequential, without MACs) vs awk
#    counting the failed authentications of the same file
. "$BENCH/lib.sh"
log_fixture
section "jukisec-audit: $((bytes / 1048576)) MiB log, $records records"
pair time 1.05 'jukisec-audit --key-file vs log-verify' \
    'sw -a jukisec-audit -d "$LS" --key-file "$LK"' 'sw log-verify -d "$LS" -k "$LK"'
fig_rss 'jukisec-audit --key-file peak RSS' 16
pair time - 'jukisec-audit (no key) vs awk failed-login count' \
    'sw -a jukisec-audit -d "$LS"' \
    'sw awk -F, '\''$5 == "auth" && ($7 == "denied" || $7 == "locked") { n[$6 "@" $3]++ } END { print length(n) }'\'' "$LOG"'
