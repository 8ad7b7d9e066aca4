# Scene 40: a year passes and the nightly log-prune runs (R6).  Sourced by
# examples/demo/run.  It works on a copy of the state directory, so the
# scenes after it stay today: faketime(1) moves the clock a year and a day
# ahead for the prune (no tool that changes state takes the time as an
# option); the removed records go to an archive first, and the log, the
# archive, and both as one chain still verify with the offline key.

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
run faketime "$FT" log-prune -d "$TMP/year" --archive "$TMP/oplog-archive.csv" || st=$?
printf '(log-prune exited %s)\n' "$st"
run faketime "$FT" log-append -d "$TMP/year" --seal
run faketime "$FT" log-prune -d "$TMP/year" --dry-run
run faketime "$FT" log-prune -d "$TMP/year" -v --archive "$TMP/oplog-archive.csv"
run ls -l "$TMP/oplog-archive.csv"
printf '$ mlr ... tail -n 1 (the checkpoint record)\n'
mlr --icsv --oxtab tail -n 1 then cut -f seq,time,operator,action,detail "$TMP/year/oplog.csv"

scene "The pruned log, the archive, and both as one chain verify"
run log-verify -d "$TMP/year" -k "$KEY" --now "$YEAR"
run log-verify -d "$TMP/year" -k "$KEY" --now "$YEAR" "$TMP/oplog-archive.csv"
run log-verify -d "$TMP/year" -k "$KEY" --now "$YEAR" "$TMP/oplog-archive.csv" "$TMP/year/oplog.csv"
printf '%s\n' '# run again: nothing more to remove'
run faketime "$FT" log-prune -d "$TMP/year" -v --archive "$TMP/oplog-archive.csv"
printf '%s\n' '# a retention under a year is refused:'
st=0
run faketime "$FT" log-prune -d "$TMP/year" --retain 300 || st=$?
printf '(log-prune exited %s)\n' "$st"
