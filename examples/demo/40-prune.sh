# Scene 40: a year passes and the nightly log-prune runs (R6).  Sourced by
# examples/demo/run.  It works on a copy of the state directory, so the
# scenes after it stay today: --now moves the copy a year and a day ahead,
# as the clock would; the removed records go to an archive first, and the
# log, the archive, and both as one chain still verify with the offline key.

scene "A year passes: the nightly prune keeps one year of history (R6)"
run cp -a "$DIR" "$TMP/year"
YEAR=$(date -u -d '+1 year +1 day' +%Y-%m-%dT03:30:00Z)
printf '(the clock now reads %s)\n' "$YEAR"
printf '%s\n' '# the cron.d line, examples/cron/jukisec:'
grep log-prune "$DEMO/../cron/jukisec"
run log-prune -d "$TMP/year" --dry-run --now "$YEAR"
run log-prune -d "$TMP/year" -v --archive "$TMP/oplog-archive.csv" --now "$YEAR"
run ls -l "$TMP/oplog-archive.csv"
printf '$ mlr ... tail -n 1 (the checkpoint record)\n'
mlr --icsv --oxtab tail -n 1 then cut -f seq,time,operator,action,detail "$TMP/year/oplog.csv"

scene "The pruned log, the archive, and both as one chain verify"
run log-verify -d "$TMP/year" -k "$KEY" --now "$YEAR"
run log-verify -d "$TMP/year" -k "$KEY" --now "$YEAR" "$TMP/oplog-archive.csv"
run log-verify -d "$TMP/year" -k "$KEY" --now "$YEAR" "$TMP/oplog-archive.csv" "$TMP/year/oplog.csv"
printf '%s\n' '# run again: nothing more to remove'
run log-prune -d "$TMP/year" -v --archive "$TMP/oplog-archive.csv" --now "$YEAR"
printf '%s\n' '# a retention under a year is refused:'
st=0
run log-prune -d "$TMP/year" --retain 300 --now "$YEAR" || st=$?
printf '(log-prune exited %s)\n' "$st"
