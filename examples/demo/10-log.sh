# Scene 10: the tamper-evident operation log (R6).  Sourced by
# examples/demo/run: creates the state directory, logs from a pipeline,
# verifies, changes one byte, shows the verifier naming the record, and puts
# the byte back for the scenes that follow.

scene "A new state directory; the log verification key goes offline (R6)"
printf '$ jukisec-init -d %s >%s\n' "$DIR" "$KEY"
jukisec-init -d "$DIR" >"$KEY"
chmod 600 "$KEY"
printf '(on a real terminal the key goes to removable media or paper)\n'
run cat "$KEY"

scene "An application logs through a pipeline"
printf '$ printf ... | log-append --stdin\n'
printf '%s\n' \
    'tanaka,login,cs-terminal-01,ok,' \
    'tanaka,view,juminhyo 1234-5678,ok,"address, family"' \
    'tanaka,print,juminhyo 1234-5678,ok,1 page' \
    'tanaka,logout,cs-terminal-01,ok,' | log-append --stdin
run log-append -u sato -a view -o 'koseki-fuhyo 8765' -r denied -m 'not in section'
printf '%s\n' '(tanaka and sato are not in the register yet: log-append keeps the records,' \
    ' evidence is never refused, and says so; R5.4, the audit at the end lists them)'
run mlr --icsv --opprint cut -f seq,time,operator,action,object,result "$DIR/oplog.csv"

scene "The Security Manager verifies the log with the offline key"
run log-verify -k "$KEY"
run log-verify -k "$KEY" --head

scene "Someone changes one byte of an old record"
cp "$DIR/oplog.csv" "$TMP/oplog.orig"
run sed -i 's/,1 page,/,2 page,/' "$DIR/oplog.csv"
verify_status=0
run log-verify -k "$KEY" || verify_status=$?
printf '(log-verify exited %s: tampering found, the first bad record named)\n' "$verify_status"
printf '# the Security Manager restores the log from its backup copy:\n'
run cp "$TMP/oplog.orig" "$DIR/oplog.csv"
run log-verify -k "$KEY"
