# Scene 40: a year passes and the nightly log-prune runs (R6).  Sourced by
# examples/demo/run.  It works on a copy of the state directory, so the
# scenes after it stay today: libfaketime, preloaded, moves the clock a
# year and a day ahead for the prune (no tool that changes state takes the
# time as an option); the removed records go to an archive first, and the
# log, the archive, and both as one chain still verify with the offline
# key.  The library is preloaded as the tests do (tests/lib.sh, at()), not
# through the faketime(1) wrapper, which refuses to start when a process
# killed earlier on this machine (make check kills some on purpose) left
# its semaphore in /dev/shm under the process id the wrapper now has.

FT_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 2>/dev/null |
    head -n 1)
[ -n "$FT_LIB" ] || { echo "demo: libfaketime not found (Debian package faketime)" >&2; exit 3; }
# later CMD...: CMD run with the clock at $FT, and shown so.
later() { run env LD_PRELOAD="$FT_LIB" FAKETIME="@$FT" "$@"; }

scene "A year passes: the nightly prune keeps one year of history (R6)"
run cp -a "$DIR" "$TMP/year"
FT=$(date -d '+1 year +1 day' '+%Y-%m-%d 03:30:00')
YEAR=$(date -u -d "@$(($(date -d "$FT" +%s) + 60))" +%Y-%m-%dT%H:%M:%SZ)
printf '(the clock now reads %s)\n' "$FT"
printf '%s\n' '# the cron.d line, examples/cron/jukisec:'
grep log-prune "$DEMO/../cron/jukisec"
printf '%s\n' '# meanwhile cron sealed the log every hour (log-append --seal); log-prune'
printf '%s\n' '# refuses a clock more than 7 days past the log it finds:'
st=0
later log-prune -d "$TMP/year" --archive "$TMP/oplog-archive.csv" || st=$?
printf '(log-prune exited %s)\n' "$st"
later log-append -d "$TMP/year" --seal
later log-prune -d "$TMP/year" --dry-run
later log-prune -d "$TMP/year" -v --archive "$TMP/oplog-archive.csv"
run ls -l "$TMP/oplog-archive.csv"
printf '$ mlr ... tail -n 1 (the checkpoint record)\n'
mlr --icsv --oxtab tail -n 1 then cut -f seq,time,operator,action,detail "$TMP/year/oplog.csv"

scene "The pruned log, the archive, and both as one chain verify"
run log-verify -d "$TMP/year" -k "$KEY" --now "$YEAR"
run log-verify -d "$TMP/year" -k "$KEY" --now "$YEAR" "$TMP/oplog-archive.csv"
run log-verify -d "$TMP/year" -k "$KEY" --now "$YEAR" "$TMP/oplog-archive.csv" "$TMP/year/oplog.csv"
printf '%s\n' '# run again: nothing more to remove'
later log-prune -d "$TMP/year" -v --archive "$TMP/oplog-archive.csv"
printf '%s\n' '# a retention under a year is refused:'
st=0
later log-prune -d "$TMP/year" --retain 300 || st=$?
printf '(log-prune exited %s)\n' "$st"
