#!/bin/sh
# operator-add: bootstrap, the R5.3 password proviso, --by verification,
# the PHC credential and what is refused (R5.1, R5.3).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

test_expect_success 'set up a state directory' 'reg_state'

test_expect_success '--help is the usage on stdout, exit 0' '
	operator-add --help >help &&
	grep -q "^usage: operator-add" help
'

# --password=secret is getopt_long's abbreviation of --password-fd: a
# descriptor that is not a number, refused in one line that does not
# repeat the value.
test_expect_success 'a password on argv is impossible: --password= is a bad --password-fd' '
	test_must_fail 2 operator-add -d "$D" -i x -n X -r manager -m password \
	    --reason r --instructions-given 2026-11-01 --password=secret 2>err &&
	one_line_matching err "^operator-add: --password-fd: not a file descriptor \\(0-1023\\)\$" &&
	! grep -q secret err && test ! -e "$D/operators.csv"
'

test_expect_success 'without a manager, an operator cannot be the first' '
	pw x xxxxxxxx1 &&
	test_must_fail 2 operator-add -d "$D" -i x -n X -m password --reason r \
	    --instructions-given 2026-11-01 --password-fd 3 3<"$TMP/pw.x" 2>err &&
	one_line_matching err "^operator-add: -b is required \(only the first manager registers without it\)\$"
'

test_expect_success 'the password method needs --reason (R5.3 proviso)' '
	test_must_fail 2 operator-add -d "$D" -i boss -n B -r manager -m password \
	    --instructions-given 2026-11-01 2>err &&
	one_line_matching err "needs --reason TEXT \(R5.3"
'

test_expect_success 'the password method needs --instructions-given (R5.3 proviso)' '
	test_must_fail 2 operator-add -d "$D" -i boss -n B -r manager -m password \
	    --reason "no reader" 2>err &&
	one_line_matching err "needs --instructions-given DATE"
'

test_expect_success 'and names both when both are missing' '
	test_must_fail 2 operator-add -d "$D" -i boss -n B -r manager -m password 2>err &&
	one_line_matching err "needs --reason TEXT and --instructions-given DATE"
'

test_expect_success 'an invalid instructions date is refused' '
	test_must_fail 2 operator-add -d "$D" -i boss -n B -r manager -m password \
	    --reason r --instructions-given 2026-02-30 2>err &&
	one_line_matching err "instructions-given 2026-02-30"
'

test_expect_success 'a password shorter than password_min_length is refused' '
	pw short abc &&
	test_must_fail 2 operator-add -d "$D" -i boss -n B -r manager -m password \
	    --reason r --instructions-given 2026-11-01 --password-fd 3 \
	    3<"$TMP/pw.short" 2>err &&
	one_line_matching err "shorter than 8" &&
	! grep -qs "^boss," "$D/operators.csv"
'

# The bootstrap is an attempt like any other once its options are right:
# a refused or unreadable new password is logged.  Nobody was registered,
# so nobody acted: the operator is "-", as for a denied manager.
test_expect_success 'bootstrap: a refused or unreadable password is logged, nothing added' '
	nrec=$(wc -l <"$D/oplog.csv") &&
	test_must_fail 2 operator-add -d "$D" -i boss -n B -r manager -m password \
	    --reason r --instructions-given 2026-11-01 --password-fd 3 \
	    3<"$TMP/pw.short" 2>err &&
	one_line_matching err "shorter than 8" &&
	tail -1 "$D/oplog.csv" | grep -q ",-,operator-add,boss,refused,role=manager method=password bootstrap," &&
	test_must_fail 3 operator-add -d "$D" -i boss -n B -r manager -m password \
	    --reason r --instructions-given 2026-11-01 --password-fd 9 2>err &&
	tail -1 "$D/oplog.csv" | grep -q ",-,operator-add,boss,error,role=manager method=password bootstrap," &&
	test "$(wc -l <"$D/oplog.csv")" = $((nrec + 2)) &&
	! grep -qs "^boss," "$D/operators.csv"
'

# operator-mod(1)'s -e rule at the bootstrap: no other manager could act
# at the first manager's end, and after it nothing could repair the
# register (no second bootstrap, --recover lifts no expiry).  Refused
# before the credential is asked for, as the bootstrap's other refusals,
# and nothing is logged: nobody acted.  A first person who is no manager
# is told that first.
test_expect_success 'bootstrap: no end for the first manager (exit 1, nothing logged)' '
	nrec=$(wc -l <"$D/oplog.csv") && pw first first-secret-1 &&
	for e in 2030-01-01 2030-01-01T00:00:00Z; do
		test_must_fail 1 operator-add -d "$D" -i boss -n B -r manager \
		    -m password --reason r --instructions-given 2026-11-01 -e $e \
		    --password-fd 3 3<"$TMP/pw.first" 2>err &&
		one_line_matching err "^operator-add: boss: the last active manager cannot expire\$" ||
		return 1
	done &&
	test_must_fail 1 operator-add -d "$D" -i boss -n B -r manager -m password \
	    --reason r --instructions-given 2026-11-01 -e 2030-01-01 \
	    --password-fd 9 2>err &&
	one_line_matching err "^operator-add: boss: the last active manager cannot expire\$" &&
	test_must_fail 2 operator-add -d "$D" -i boss -n B -m password --reason r \
	    --instructions-given 2026-11-01 -e 2030-01-01 --password-fd 3 \
	    3<"$TMP/pw.first" 2>err &&
	one_line_matching err "^operator-add: -b is required \(only the first manager registers without it\)\$" &&
	test "$(wc -l <"$D/oplog.csv")" = $nrec &&
	! grep -qs "^boss," "$D/operators.csv" && test ! -e "$D/credentials/boss.phc"
'

test_expect_success 'bootstrap: the first manager needs no --by, logged as bootstrap' '
	bootstrap &&
	test "$(field boss role)" = manager &&
	test "$(field boss registered_by)" = boss &&
	test "$(field boss approved_by)" = boss &&
	test "$(field boss instructions_date)" = 2026-11-01 &&
	test "$(log_count operator-add ok bootstrap)" = 1
'

test_expect_success 'the credential is an Argon2id PHC string, 0600 in a 0700 directory' '
	grep -Eq "^\\\$argon2id\\\$v=19\\\$m=19456,t=2,p=1\\\$[A-Za-z0-9+/]{22}\\\$[A-Za-z0-9+/]{43}\$" \
	    "$D/credentials/boss.phc" &&
	test "$(stat -c %a "$D/credentials")" = 700 &&
	test "$(stat -c %a "$D/credentials/boss.phc")" = 600 &&
	test "$(stat -c %a "$D/operators.csv")" = 600 &&
	! grep -q boss-secret "$D"/* "$D"/credentials/*
'

test_expect_success ARGON2REF 'the reference Argon2 library verifies our PHC string' '
	python3 -c "import ctypes,sys
l = ctypes.CDLL(\"libargon2.so.1\")
e = open(sys.argv[1]).read().strip().encode()
sys.exit(0 if l.argon2id_verify(e, b\"boss-secret-1\", 13) == 0 and
    l.argon2id_verify(e, b\"boss-secret-2\", 13) != 0 else 1)" "$D/credentials/boss.phc"
'

test_expect_success 'a second manager by bootstrap is refused once one exists' '
	pw m2 m2-secret-1 &&
	test_must_fail 2 operator-add -d "$D" -i m2 -n M2 -r manager -m password \
	    --reason r --instructions-given 2026-11-01 --password-fd 3 \
	    3<"$TMP/pw.m2" 2>err &&
	grep -q "has a manager" err
'

# One condition, one sentence, the one operator-add(1) quotes: whatever
# -r says, no -b on a register that has a manager is a usage error.
test_expect_success 'no -b once there is a manager: the same line with any -r, nothing logged' '
	cp "$D/oplog.csv" log.before && cp "$D/operators.csv" reg.before &&
	for r in operator manager; do
		test_must_fail 2 operator-add -d "$D" -i m2 -n M2 -r $r -m password \
		    --reason r --instructions-given 2026-11-01 --password-fd 3 \
		    3<"$TMP/pw.m2" 2>err &&
		one_line_matching err "^operator-add: the register has a manager: -b is required\$" ||
		return 1
	done &&
	cmp log.before "$D/oplog.csv" && cmp reg.before "$D/operators.csv"
'

# Two bootstraps at once: the one that finds, under the lock, the manager
# the other registered meanwhile is the same usage error, not a refused
# password (operator-add(1): "refused" is the new credential refused).
test_expect_success 'a bootstrap that finds a manager registered meanwhile: exit 2, nothing logged' '
	D=$TMP/race && reg_state "$D" && mkfifo pwfifo &&
	{ operator-add -d "$D" -i ma -n A -r manager -m password --reason r \
	    --instructions-given "$INSTR_BOOT" --password-fd 3 3<>pwfifo \
	    2>err.a & pa=$!; } &&
	# it asks for its password once the register showed no manager
	i=0; until cut -d" " -f2,3 /proc/$pa/stat | grep -qx "(operator-add) S"; do
		i=$((i + 1)); test $i -lt 500 || exit 1; sleep 0.01
	done &&
	bootstrap && printf "aaaaaaaa-1\n" >pwfifo &&
	{ wait $pa; test $? = 2; } &&
	one_line_matching err.a "^operator-add: the register has a manager: -b is required\$" &&
	test "$(grep -c ",operator-add," "$D/oplog.csv")" = 1 &&
	grep -q ",boss,operator-add,boss,ok," "$D/oplog.csv" &&
	test -z "$(field ma id)" && test ! -e "$D/credentials/ma.phc"
'

# (Each end given while the other manager could act at it.)
test_expect_success 'no bootstrap once every manager has expired' '
	reg_state "$TMP/s2" && pw m3 m3-secret-1 && pw m3b m3b-secret-1 &&
	operator-add -d "$TMP/s2" -i m3 -n M3 -r manager -m password \
	    --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.m3" &&
	operator-add -d "$TMP/s2" -b m3 --by-password-fd 4 -i m3b -n M3b \
	    -r manager -m password --reason r --instructions-given 2026-11-01 \
	    -e 2030-01-01 --password-fd 3 3<"$TMP/pw.m3b" 4<"$TMP/pw.m3" &&
	operator-mod -d "$TMP/s2" -b m3 --by-password-fd 4 -i m3 -e 2029-12-31 \
	    4<"$TMP/pw.m3" &&
	cp "$TMP/s2/operators.csv" s2.before &&
	test_must_fail 2 at 2030-06-01T00:00:00Z operator-add -d "$TMP/s2" -i m4 \
	    -n M4 -r manager -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.m2" 2>err &&
	grep -q "has a manager" err &&
	test_cmp s2.before "$TMP/s2/operators.csv"
'

# A manager's role that does not read back stands as an operator's: it
# may still be the register's manager, so the bootstrap fails closed.
test_expect_success 'no bootstrap when the only manager'"'"'s role does not read back' '
	reg_state "$TMP/s3" &&
	operator-add -d "$TMP/s3" -i m5 -n M5 -r manager -m password \
	    --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.m3" &&
	csv_set "$TMP/s3/operators.csv" m5 role Manager &&
	cp "$TMP/s3/operators.csv" s3.before &&
	test_must_fail 2 operator-add -d "$TMP/s3" -i evil -n Evil -r manager \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.m2" 2>err &&
	grep -q "^operator-add: the register has a manager: -b is required\$" err &&
	test_cmp s3.before "$TMP/s3/operators.csv" &&
	test ! -e "$TMP/s3/credentials/evil.phc" &&
	! grep -q ",evil," "$TMP/s3/oplog.csv"
'

test_expect_success 'a change by the manager with the right password' '
	add_pw tanaka -s 市民課 &&
	test "$(field tanaka registered_by)" = boss &&
	test "$(field tanaka section)" = 市民課 &&
	test "$(field tanaka exception_reason)" = "injured finger" &&
	test "$(log_count auth ok "check=manager")" = 1 &&
	test "$(log_count operator-add ok "role=operator method=password")" = 1
'

test_expect_success 'a wrong manager password: denied, nothing added, counted' '
	pw wrong not-the-password &&
	pw y yyyyyyyy1 &&
	test_must_fail 1 operator-add -d "$D" -b boss --by-password-fd 4 -i y -n Y \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.y" 4<"$TMP/pw.wrong" 2>err &&
	one_line_matching err "authentication denied" &&
	! grep -q "^y," "$D/operators.csv" &&
	test "$(field boss failed)" = 1 &&
	tail -2 "$D/oplog.csv" | head -1 | grep -q ",-,auth,boss,denied,method=password reason=wrong-password check=manager" &&
	tail -1 "$D/oplog.csv" | grep -q ",-,operator-add,y,denied,by=boss role=operator method=password,"
'

test_expect_success 'an operator cannot act as manager (same message)' '
	test_must_fail 1 operator-add -d "$D" -b tanaka --by-password-fd 4 -i y -n Y \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.y" 4<"$TMP/pw.tanaka" 2>err &&
	one_line_matching err "authentication denied" &&
	test "$(log_count auth denied "reason=not-manager")" = 1 &&
	tail -1 "$D/oplog.csv" | grep -q ",-,operator-add,y,denied,by=tanaka role=operator method=password,"
'

# Every attempt is an operator-add record (operator-add(1)): also one whose
# new credential is refused after the manager verified, and one that fails
# reading it; a usage error before the manager's check is no attempt.
test_expect_success 'the manager verified, the new password refused or unreadable: logged' '
	test_must_fail 2 operator-add -d "$D" -b boss --by-password-fd 4 -i y -n Y \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.short" 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "shorter than 8" &&
	tail -1 "$D/oplog.csv" | grep -q ",boss,operator-add,y,refused,role=operator method=password," &&
	test_must_fail 3 operator-add -d "$D" -b boss --by-password-fd 4 -i y -n Y \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 9 4<"$TMP/pw.boss" 2>err &&
	tail -1 "$D/oplog.csv" | grep -q ",boss,operator-add,y,error,role=operator method=password," &&
	nrec=$(wc -l <"$D/oplog.csv") &&
	test_must_fail 2 operator-add -d "$D" -b "bad/id" --by-password-fd 4 -i y -n Y \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.y" 4<"$TMP/pw.boss" 2>err &&
	test "$(wc -l <"$D/oplog.csv")" = "$nrec" &&
	! grep -q "^y," "$D/operators.csv"
'

# A register that does not read stops the gate before any check: no auth
# record, and the attempt is an error record all the same.
test_expect_success 'a register that does not read: an error record, no auth record' '
	cp "$D/operators.csv" reg.save && nrec=$(wc -l <"$D/oplog.csv") &&
	echo short,row >>"$D/operators.csv" && line=$(wc -l <"$D/operators.csv") &&
	test_must_fail 3 operator-add -d "$D" -b boss --by-password-fd 4 -i y2 -n Y \
	    -m password --reason r --instructions-given 2026-11-01 --password-fd 3 \
	    3<"$TMP/pw.y" 4<"$TMP/pw.boss" 2>err &&
	cp reg.save "$D/operators.csv" &&
	one_line_matching err "^operator-add: $D/operators.csv:$line: field section: missing" &&
	tail -n +$((nrec + 1)) "$D/oplog.csv" | cut -d, -f4-8 >rec &&
	echo "-,operator-add,y2,error,by=boss role=operator method=password" >want &&
	test_cmp want rec
'

# The credential cannot be written (a read-only credentials/): an error,
# not a refusal of the person, and nothing registered.
# The manager's password and the new one are told apart by the option
# each came from; a refused one names password_min_length, never a byte
# of itself.
test_expect_success 'a password not read or refused: the option and descriptor named' '
	add() {
		operator-add -d "$D" -b boss -i y -n Y -m password --reason r \
		    --instructions-given 2026-11-01 "$@"
	}
	nrec=$(wc -l <"$D/oplog.csv") &&
	test_must_fail 3 add --by-password-fd 7 --password-fd 3 3<"$TMP/pw.y" 2>err &&
	one_line_matching err "^operator-add: --by-password-fd 7: Bad file descriptor\$" &&
	tail -n +$((nrec + 1)) "$D/oplog.csv" | cut -d, -f4-8 >rec &&
	echo "-,operator-add,y,error,by=boss role=operator method=password" >want &&
	test_cmp want rec &&
	test_must_fail 3 add --by-password-fd 4 --password-fd 7 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-add: --password-fd 7: Bad file descriptor\$" &&
	test_must_fail 3 add --by-password-fd 4 --password-fd 5 4<"$TMP/pw.boss" 5<"$D" 2>err &&
	one_line_matching err "^operator-add: --password-fd 5: Is a directory\$" &&
	test_must_fail 2 add --by-password-fd 4 --password-fd 3 3<"$TMP/pw.short" \
	    4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-add: --password-fd 3: password shorter than 8 bytes \(password_min_length\)\$" &&
	! grep -q abc err &&
	python3 -c "print(\"p\" * 1025)" >"$TMP/pw.long" &&
	test_must_fail 2 add --by-password-fd 4 --password-fd 3 3<"$TMP/pw.long" \
	    4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-add: --password-fd 3: password longer than 1024 bytes\$" &&
	! grep -q "^y," "$D/operators.csv"
'

test_expect_success MOUNTNS 'the new credential cannot be written: exit 3, logged as error' '
	pw ro ro-secret-1 &&
	test_must_fail 3 unshare -m sh -c '"'"'mount --make-rprivate / &&
	    mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
	    shift && exec "$@"'"'"' sh "$D/credentials" operator-add -d "$D" -b boss \
	    --by-password-fd 4 -i ro -n Ro -m password --reason r \
	    --instructions-given 2026-11-01 --password-fd 3 \
	    3<"$TMP/pw.ro" 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "credentials/ro.phc: Read-only file system" &&
	tail -1 "$D/oplog.csv" | grep -q ",boss,operator-add,ro,error,role=operator method=password," &&
	! grep -q "^ro," "$D/operators.csv" && test ! -e "$D/credentials/ro.phc"
'

test_expect_success 'a duplicate id is exit 1 and changes nothing' '
	grep -v "^boss," "$D/operators.csv" >before &&
	test_must_fail 1 add_pw tanaka 2>err &&
	grep -q "already in the register" err &&
	grep -v "^boss," "$D/operators.csv" >after &&
	test_cmp before after
'

test_expect_success 'ids: syntax and length' '
	test_must_fail 2 operator-add -d "$D" -b boss -i "-x" -n X -m fingerprint 2>err &&
	grep -q "may not start" err &&
	test_must_fail 2 operator-add -d "$D" -b boss -i "a/b" -n X -m fingerprint 2>err &&
	grep -q "only A-Z" err &&
	for id in "a b" "sat\303\264" "x@y" "a+b" "{z}"; do
		test_must_fail 2 operator-add -d "$D" -b boss -i "$(printf "$id")" \
		    -n X -m fingerprint 2>err && grep -q "only A-Z" err || return 1
	done &&
	add_pw "Zz09.a_b-c" && operator-list -d "$D" -f csv | grep -q "^Zz09.a_b-c," &&
	test_must_fail 2 operator-add -d "$D" -b boss -i 123456789012345678901234567890123 \
	    -n X -m fingerprint 2>err &&
	grep -q "longer than 32" err
'

test_expect_success 'ids: "." and ".." are refused (they would name files in credentials/)' '
	cp "$D/operators.csv" before &&
	for id in . ..; do
		test_must_fail 2 operator-add -d "$D" -b boss -i "$id" -n X \
		    -m fingerprint 2>err &&
		one_line_matching err "^operator-add: -i $id: may not start with .-. or be .\.. or .\.\..\$" &&
		test_must_fail 2 operator-mod -d "$D" -b boss -i "$id" -u 2>err &&
		grep -q "may not start" err &&
		test_must_fail 2 operator-revoke -d "$D" -b boss -i "$id" --reason x 2>err &&
		grep -q "may not start" err || return 1
	done &&
	test_cmp before "$D/operators.csv" &&
	add_pw ".a" && add_pw "a.." && add_pw "..." &&
	test "$(field ... id)" = ...
'

test_expect_success 'over-long name, section and reason are refused' '
	long=$(python3 -c "print(\"名\" * 100)") &&
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n "$long" -m fingerprint 2>err &&
	one_line_matching err "^operator-add: -n: longer than 256" &&
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -s "$long" -m fingerprint 2>err &&
	one_line_matching err "^operator-add: -s: longer than 256" &&
	r=$(python3 -c "print(\"x\" * 1025)") &&
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -m password \
	    --reason "$r" --instructions-given 2026-11-01 2>err &&
	one_line_matching err "reason: longer than 1024"
'

test_expect_success 'bad role, method, expiry and --reason with biometrics' '
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -r admin -m fingerprint &&
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -m iris &&
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -m fingerprint -e 2020-01-01 &&
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -m fingerprint --reason r
'

# The synopsis's two forms: an option of the other method would be
# ignored, so it is refused before the manager is asked, nothing logged.
test_expect_success '--password-fd with biometrics, --finger or --device with a password: exit 2' '
	cp "$D/oplog.csv" log.before &&
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -m fingerprint \
	    --password-fd 3 3<"$TMP/pw.y" 2>err &&
	one_line_matching err "^operator-add: --password-fd belongs to -m password\$" &&
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -m external \
	    --password-fd 3 3<"$TMP/pw.y" 2>/dev/null &&
	for o in --finger=left-thumb --device=virtual_device; do
		test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -m password \
		    --reason r --instructions-given 2026-11-01 "$o" \
		    --password-fd 3 3<"$TMP/pw.y" 2>err &&
		one_line_matching err "^operator-add: --finger and --device belong to -m fingerprint\$" ||
		return 1
	done &&
	cmp log.before "$D/oplog.csv" && ! grep -q "^z," "$D/operators.csv"
'

# An external verifier is given no finger and no reader
# (jukisec-verifier(5)): with -m external, --finger or --device would be
# ignored, so it is refused like an option of the password form, before
# the manager is asked: a wrong password is neither logged nor counted,
# and no template key is made.
test_expect_success '-m external with --finger or --device: exit 2 before the manager, nothing logged' '
	cp "$D/oplog.csv" log.before && cp "$D/operators.csv" reg.before &&
	for o in --finger=left-thumb --device=virtual_device; do
		for f in boss wrong; do
			test_must_fail 2 operator-add -d "$D" -b boss --by-password-fd 4 \
			    -i z -n Z -m external "$o" 4<"$TMP/pw.$f" 2>err &&
			one_line_matching err "^operator-add: --finger and --device belong to -m fingerprint\$" ||
			return 1
		done
	done &&
	cmp log.before "$D/oplog.csv" && cmp reg.before "$D/operators.csv" &&
	test ! -e "$D/template.key"
'

# An empty driver name would enrol on whichever reader libfprint finds
# first: refused as an empty -d is, before the manager is asked.
test_expect_success '--device with an empty value: exit 2, in operator-add and operator-mod' '
	cp "$D/oplog.csv" log.before &&
	test_must_fail 2 operator-add -d "$D" -b boss -i z -n Z -m fingerprint \
	    --device "" 2>err &&
	one_line_matching err "^operator-add: --device: empty\$" &&
	test_must_fail 2 operator-mod -d "$D" -b boss -i boss --reenroll --device= 2>err &&
	one_line_matching err "^operator-mod: --device: empty\$" &&
	cmp log.before "$D/oplog.csv"
'

# A finger name is in argv: one that names no finger is refused before
# the manager is asked, so even a wrong password is neither logged nor
# counted, and no template key is made for an enrolment that cannot be.
test_expect_success '--finger naming no finger: exit 2 before the manager, nothing logged' '
	cp "$D/oplog.csv" log.before && cp "$D/operators.csv" reg.before &&
	for f in boss wrong; do
		test_must_fail 2 operator-add -d "$D" -b boss --by-password-fd 4 -i z \
		    -n Z -m fingerprint --finger thumb 4<"$TMP/pw.$f" 2>err &&
		one_line_matching err "^operator-add: unknown finger thumb \(e.g. right-index-finger, left-thumb\)\$" ||
		return 1
	done &&
	cmp log.before "$D/oplog.csv" && cmp reg.before "$D/operators.csv" &&
	test ! -e "$D/template.key"
'

# The instructions date is a local calendar day, judged as jukisec-audit
# judges a row's (R5.3): today is accepted, a day after today is refused
# before the manager is asked (nothing logged or counted).  In Tokyo,
# 23:59:59 on the 5th is still the 5th and 08:30 on the 6th (23:30 UTC on
# the 5th) is the 6th, for both tools.
test_expect_success 'instructions given today: accepted; a day after today: exit 2, nothing logged' '
	D=$TMP/s4 && TZ=Asia/Tokyo && export TZ &&
	reg_state "$D" &&
	at 2030-01-05T09:00:00+09:00 operator-add -d "$D" -i m6 -n M6 -r manager \
	    -m password --reason r --instructions-given 2030-01-05 \
	    --password-fd 3 3<"$TMP/pw.m3" &&
	test "$(field m6 instructions_date)" = 2030-01-05 &&
	cp "$D/oplog.csv" log.before && cp "$D/operators.csv" reg.before &&
	for f in m3 wrong; do
		test_must_fail 2 at 2030-01-05T23:59:59+09:00 operator-add -d "$D" \
		    -b m6 --by-password-fd 4 -i t1 -n T1 -m password --reason r \
		    --instructions-given 2030-01-06 --password-fd 3 \
		    3<"$TMP/pw.y" 4<"$TMP/pw.$f" 2>err &&
		one_line_matching err "^operator-add: --instructions-given 2030-01-06: a day after today\$" ||
		return 1
	done &&
	cmp log.before "$D/oplog.csv" && cmp reg.before "$D/operators.csv" &&
	at 2030-01-06T08:30:00+09:00 operator-add -d "$D" -b m6 --by-password-fd 4 \
	    -i t1 -n T1 -m password --reason r --instructions-given 2030-01-06 \
	    --password-fd 3 3<"$TMP/pw.y" 4<"$TMP/pw.m3" &&
	test "$(field t1 instructions_date)" = 2030-01-06 &&
	{ jukisec-audit -d "$D" --format csv --now 2030-01-06T08:30:00+09:00 \
	    >a.csv || test $? = 1; } &&
	grep -q "^R5.3,biometric-or-exception," a.csv &&
	! grep -q "instructions dated in the future" a.csv &&
	test_must_fail 1 jukisec-audit -d "$D" --format csv \
	    --now 2030-01-05T23:59:59+09:00 >a.csv &&
	grep -q "T1: instructions dated in the future" a.csv
'

test_expect_success 'a new password read from a descriptor is one line' '
	printf "%s\n" abc-def-ghi extra >"$TMP/pw.two" &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i two -n Two -m password \
	    --reason r --instructions-given 2026-11-01 --password-fd 3 \
	    3<"$TMP/pw.two" 4<"$TMP/pw.boss" &&
	pw twoline abc-def-ghi && auth two "$TMP/pw.twoline"
'

test_expect_success 'the log never holds a password' '
	! grep -q -e secret-1 -e abc-def-ghi "$D/oplog.csv"
'

test_done
