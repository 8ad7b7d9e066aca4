# Scene 90: the compliance report the Security Committee reviews (R12(2)).
# Sourced by examples/demo/run after the day's work; ends the demo.

scene "The Security Committee's compliance report (R12(2))"
need_kacho
chmod 600 "$KEY"

printf '%s\n' "# The committee saw the server room's entry book; the Security Manager records it (R7):"
bykacho jukisec-audit --confirm server-room -b kacho --note "入退室記録簿を確認"

printf '%s\n' "# The report for today's period, by the Security Manager (LANG=ja_JP.UTF-8 gives Japanese with 和暦 dates):"
audit_status=0
run jukisec-audit --key-file "$KEY" --since "$(date +%Y-%m-%d)" --author kacho ||
    audit_status=$?
printf '%s\n' "# exit status $audit_status: 0 nothing FAILs, 1 something FAILs (cron alerts on it);" \
    "# here R5.4 lists the records of scene 10, by tanaka before he was registered and by sato, never" \
    "# registered, and tanaka's record after his revocation in scene 60"

printf '%s\n' "# The same findings for machines: what is not PASS, read with mlr."
jukisec-audit --key-file "$KEY" --since "$(date +%Y-%m-%d)" --format csv \
    >"$TMP/audit.csv" || :
run mlr --icsv --opprint filter '$status != "PASS"' then cut -f rule,check,status,subjects "$TMP/audit.csv"
