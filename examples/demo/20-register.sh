# Scene 20: the operator register and the gate (R5.1-R5.5).  Sourced by
# examples/demo/run after scene 10 made the state directory.  The Security
# Manager bootstraps by fingerprint on the reader (examples/demo/reader.sh;
# every later -b kacho is kacho's finger), registers an exception operator
# with the R5.3 reason, who authenticates, fails three times, is locked
# out, unlocked and finally revoked.  Passwords reach the tools on
# descriptor 3 from files, never on argv.

if [ ! -f "$DIR/jukisec.conf" ]; then
	jukisec-init -d "$DIR" >"$KEY" 2>/dev/null
fi
# fail CMD...: shows and runs CMD, which is expected to fail, and its status.
fail() { st=0; run "$@" || st=$?; printf '# exit status %s\n' "$st"; }

scene "The first Security Manager enrols by fingerprint without --by (bootstrap, R5.1, R5.3)"
run sed -i 's/^lockout_threshold = .*/lockout_threshold = 3/' "$DIR/jukisec.conf"
run grep -E '^(lockout_threshold|kdf_memory_kib|kdf_time|password_min_length) =' "$DIR/jukisec.conf"
printf '%s\n' "# The reader is libfprint's virtual image reader, fed NIST example prints; kacho lays"
printf '%s\n' "# the right index finger at each prompt; one scan is smudged (no minutiae) and is asked again:"
finger $K blank $K@4,-3,3 $K@-5,2,-4 $K@2,5,2 $K@-3,-4,5 -- \
    operator-add -i kacho -n '国分 太郎' -s '市民課' --title '市民課長' -r manager \
    -m fingerprint --finger right-index-finger
printf '\n%s\n' "# from now on every change needs the manager, verified first:"
fail operator-add -i sato -n '佐藤' -m fingerprint

scene "An operator by the password exception: reason and instructions date recorded"
printf 'tanaka-pw-2026\n' >"$TMP/pw.tanaka"
printf 'tanaka-pw-2025\n' >"$TMP/pw.wrong"
chmod 600 "$TMP"/pw.*
printf '%s\n' "# without --reason and --instructions-given the password method is refused (R5.3 proviso):"
fail operator-add -b kacho -i tanaka -n '田中 一郎' -s '市民課' -m password
printf '%s\n' "# kacho's finger verifies -b kacho first; tanaka's password comes on descriptor 3"
printf '%s\n' "# from a file (3<pw.tanaka):"
bykacho operator-add -b kacho -i tanaka -n '田中 一郎' -s '市民課' \
    -m password --reason 'burn scars on both hands; reader cannot read them' \
    --instructions-given 2026-11-20 --password-fd 3 3<"$TMP/pw.tanaka"
run cat "$DIR/credentials/tanaka.phc"
printf '\n'	# (the hash file ends without a newline)
run operator-list

scene "tanaka at the terminal (auth-check: 0 admitted, 1 denied, 4 locked out)"
run auth-check -u tanaka --password-fd 3 3<"$TMP/pw.tanaka"
printf '%s\n' "# an unknown id gets the same answer as a wrong password, in the same time:"
fail auth-check -u nakamura --password-fd 3 3<"$TMP/pw.wrong"
printf '%s\n' "# three wrong passwords; the third locks (lockout_threshold = 3, R5.2):"
for i in 1 2 3; do
	fail auth-check -u tanaka --password-fd 3 3<"$TMP/pw.wrong"
done
printf '%s\n' "# now even the right password is refused until the manager acts:"
fail auth-check -u tanaka --password-fd 3 3<"$TMP/pw.tanaka"
run mlr --icsv --opprint filter '$action == "auth"' \
    then cut -f time,terminal,operator,object,result,detail "$DIR/oplog.csv"

scene "The Security Manager unlocks tanaka after speaking to them (R5.2)"
bykacho operator-mod -b kacho -i tanaka --unlock
run auth-check -u tanaka --password-fd 3 3<"$TMP/pw.tanaka"

scene "tanaka is transferred: authority revoked at once, credential destroyed (R5.5)"
bykacho operator-revoke -b kacho -i tanaka --reason 'transferred to 税務課 on 2026-12-01'
fail auth-check -u tanaka --password-fd 3 3<"$TMP/pw.tanaka"
run ls "$DIR/credentials"
printf '%s\n' "# the register keeps the record (--all); the id is never reused:"
run operator-list --all
run operator-list --all -f csv
printf '%s\n' "# the register as the regulation's form (別記様式), 職名 and 氏名, ready for lpr:"
run operator-list --all -f form
