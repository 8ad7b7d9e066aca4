# Scene 60: asking the operation history questions (R6) with log-show, and
# shipping it as rsyslog would receive it.
# Sourced by examples/demo/run.

scene "Finding the history: log-show (R6)"
if [ ! -f "$DIR/jukisec.conf" ]; then
	jukisec-init -d "$DIR" >"$KEY" 2>/dev/null
fi
chmod 600 "$KEY"
log-append -d "$DIR" -u tanaka -a view -o 1234-5678 -r ok -m '住民票の写し、1通'
printf '%s\n' "# Who looked at resident 1234-5678's record today, verified with the offline key:"
run log-show -k "$KEY" --object 1234-5678 --since "$(date +%F)" --format table
printf '%s\n' "# What happened today, per action:"
run log-show --since "$(date +%F)" --summary action --format table
printf '%s\n' "# The records since the cursor, one a line as log-show --syslog hands them on (here to stdout, after the header row):"
run log-show --cursor-file "$TMP/cursor" --format raw --action view
run cat "$TMP/cursor"
