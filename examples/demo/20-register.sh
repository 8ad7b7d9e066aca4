# Scene 20: the operator register and the gate (R5.1-R5.5).  Sourced by
# examples/demo/run after scene 10 made the state directory.  The Security
# Manager bootstraps (password exception until the reader arrives in scene
# 30), registers an exception operator, who authenticates, fails three
# times, is locked out, unlocked and finally revoked.  Passwords reach the
# tools on descriptors 3 and 4 from files, never on argv.

if [ ! -f "$DIR/jukisec.conf" ]; then
	jukisec-init -d "$DIR" >"$KEY" 2>/dev/null
fi
# fail CMD...: shows and runs CMD, which is expected to fail, and its status.
fail() { st=0; run "$@" || st=$?; printf '# exit status %s\n' "$st"; }

scene "The first Security Manager registers without --by (bootstrap, R5.1, R5.3)"
run sed -i 's/^lockout_threshold = .*/lockout_threshold = 3/' "$DIR/jukisec.conf"
run grep -E '^(lockout_threshold|kdf_memory_kib|kdf_time|password_min_length) =' "$DIR/jukisec.conf"
printf 'kacho-secret-1\n' >"$TMP/pw.kacho"
printf 'tanaka-pw-2026\n' >"$TMP/pw.tanaka"
printf 'tanaka-pw-2025\n' >"$TMP/pw.wrong"
chmod 600 "$TMP"/pw.*
printf '%s\n' "# without --reason and --instructions-given the password method is refused:"
fail operator-add -i kacho -n '国分 太郎' -s '市民課' --title '市民課長' -r manager -m password
printf '%s\n' "# (passwords below come on descriptor 3 or 4 from files: 3<pw.kacho)"
run operator-add -i kacho -n '国分 太郎' -s '市民課' --title '市民課長' -r manager -m password \
    --reason 'fingerprint reader on order' --instructions-given 2026-11-01 \
    --password-fd 3 3<"$TMP/pw.kacho"
run cat "$DIR/credentials/kacho.phc"
printf '\n%s\n' "# from now on every change needs the manager, verified first:"
fail operator-add -i sato -n '佐藤' -m fingerprint

scene "An operator by the password exception: reason and instructions date recorded"
run operator-add -b kacho --by-password-fd 4 -i tanaka -n '田中 一郎' -s '市民課' \
    -m password --reason 'burn scars on both hands; reader cannot read them' \
    --instructions-given 2026-11-20 --password-fd 3 3<"$TMP/pw.tanaka" 4<"$TMP/pw.kacho"
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
run operator-mod -b kacho --by-password-fd 4 -i tanaka --unlock 4<"$TMP/pw.kacho"
run auth-check -u tanaka --password-fd 3 3<"$TMP/pw.tanaka"

scene "tanaka is transferred: authority revoked at once, credential destroyed (R5.5)"
run operator-revoke -b kacho --by-password-fd 4 -i tanaka \
    --reason 'transferred to 税務課 on 2026-12-01' 4<"$TMP/pw.kacho"
fail auth-check -u tanaka --password-fd 3 3<"$TMP/pw.tanaka"
run ls "$DIR/credentials"
printf '%s\n' "# the register keeps the record (--all); the id is never reused:"
run operator-list --all
run operator-list --all -f csv
printf '%s\n' "# the register as the regulation's form (別記様式), 職名 and 氏名, ready for lpr:"
run operator-list --all -f form
