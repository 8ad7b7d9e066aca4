#!/bin/sh
# Bad input to the register tools: a malformed register (exit 3 naming file
# and line), unsafe modes (refused), unknown options (exit 2).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

test_expect_success 'set up' 'reg_state && bootstrap && add_pw tanaka && cp "$D/operators.csv" good.csv'

restore() { cp good.csv "$D/operators.csv" && chmod 600 "$D/operators.csv"; }

test_expect_success 'a row with too few fields: exit 3 naming file and line' '
	echo "x,y" >>"$D/operators.csv" &&
	test_must_fail 3 operator-list -d "$D" 2>err &&
	one_line_matching err "operators.csv:4" &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err &&
	grep -q "operators.csv:4" err; restore
'

test_expect_success 'a bad role names the line and the field' '
	sed -i "3s/,operator,/,admin,/" "$D/operators.csv" &&
	test_must_fail 3 operator-list -d "$D" 2>err &&
	one_line_matching err "operators.csv:3: field role" ; restore
'

test_expect_success 'a bad time names the field' '
	sed -i "3s/,2026-\([0-9-]*\)T/,2026-13-01T/" "$D/operators.csv" &&
	test_must_fail 3 operator-list -d "$D" 2>err &&
	one_line_matching err "operators.csv:3: field registered_at"; restore
'

test_expect_success 'a duplicate id in the file is corrupt state' '
	sed -n 3p good.csv >>"$D/operators.csv" &&
	test_must_fail 3 operator-list -d "$D" 2>err &&
	one_line_matching err "operators.csv:4: field id: duplicate id tanaka"; restore
'

test_expect_success 'a wrong header is refused' '
	sed -i "1s/^id,/ident,/" "$D/operators.csv" &&
	test_must_fail 3 operator-list -d "$D" 2>err &&
	grep -q "operators.csv:1" err; restore
'

test_expect_success 'a stray quote is refused, a change does not overwrite it' '
	printf "\"bad\n" >>"$D/operators.csv" && cp "$D/operators.csv" bad.csv &&
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -u \
	    4<"$TMP/pw.boss" 2>/dev/null &&
	test_cmp bad.csv "$D/operators.csv"; restore
'

test_expect_success 'a group-writable state directory is refused' '
	chmod 770 "$D" &&
	test_must_fail 3 operator-list -d "$D" 2>/dev/null &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>/dev/null;
	s=$?; chmod 700 "$D"; exit $s
'

test_expect_success 'a group-writable register is refused' '
	chmod 620 "$D/operators.csv" &&
	test_must_fail 3 operator-list -d "$D" 2>err; s=$?;
	chmod 600 "$D/operators.csv"; exit $s
'

test_expect_success 'a world-readable credentials directory is refused' '
	chmod 755 "$D/credentials" &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err; s=$?;
	chmod 700 "$D/credentials"; grep -q "credentials: unsafe" err && exit $s
'

# O_DIRECTORY|O_NOFOLLOW fails a link as ENOTDIR, whose strerror ("Not a
# directory") says the opposite of what is there: said as open_safe says
# a link, by every tool that opens credentials/, exit 3 as before.
# operator-list opens it only for a register that is missing.
test_expect_success 'a credentials directory that is a symlink is refused as one' '
	mv "$D/credentials" creds && ln -s "$TMP/creds" "$D/credentials" &&
	pw new new-secret-1 &&
	said="^[a-z-]*: $D/credentials: a symbolic link: refused\$" &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err.auth &&
	test_must_fail 3 operator-add -d "$D" -b boss --by-password-fd 4 \
	    -i new -n new -m password --reason r --instructions-given 2026-11-20 \
	    --password-fd 3 3<"$TMP/pw.new" 4<"$TMP/pw.boss" 2>err.add &&
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka -u 4<"$TMP/pw.boss" 2>err.mod &&
	test_must_fail 3 operator-revoke -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka --reason r 4<"$TMP/pw.boss" 2>err.revoke &&
	test_must_fail 1 jukisec-audit -d "$D" --format csv >audit.csv 2>/dev/null;
	s=$?; rm "$D/credentials"; mv creds "$D/credentials"; test $s -eq 0 &&
	for t in auth add mod revoke; do
		one_line_matching err.$t "$said" || exit 1
	done &&
	grep -q ",credential-present,FAIL,credentials,.* $D/credentials: a symbolic link: refused\$" audit.csv &&
	! test -e "$D/credentials/new.phc" && auth tanaka "$TMP/pw.tanaka"
'

test_expect_success 'a credential that is a symlink is not followed' '
	mv "$D/credentials/tanaka.phc" real.phc && ln -s "$TMP/real.phc" "$D/credentials/tanaka.phc" &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>/dev/null; s=$?;
	rm "$D/credentials/tanaka.phc"; mv real.phc "$D/credentials/tanaka.phc"; exit $s
'

test_expect_success 'unknown options: exit 2 with the usage, every tool' '
	for t in operator-add operator-mod operator-revoke operator-list auth-check; do
		test_must_fail 2 $t --frobnicate 2>err || exit 1
		grep -q "^usage: $t" err || exit 1
	done
'

test_expect_success 'a password option on argv does not exist anywhere' '
	for t in operator-add operator-mod operator-revoke auth-check; do
		test_must_fail 2 $t --password x 2>/dev/null || exit 1
		test_must_fail 2 $t --by-password x 2>/dev/null || exit 1
	done
'

test_expect_success '-V prints the version, every tool' '
	for t in operator-add operator-mod operator-revoke operator-list auth-check; do
		$t -V | grep -q "0\." || exit 1
	done
'

test_expect_success 'a state directory that is not initialised: exit 3' '
	mkdir -m 700 empty &&
	test_must_fail 3 operator-list -d "$TMP/empty" 2>/dev/null
'

test_expect_success 'a control character in a register field is refused before the file' '
	esc=$(printf "\033") && csi=$(printf "\302\233") &&
	for v in "a${esc}[2Jb" "a${csi}2Jb" "a	b"; do
		test_must_fail 2 operator-add -d "$D" -b boss --by-password-fd 4 \
		    -i ctl -n "$v" -m password --reason r \
		    --instructions-given 2026-11-20 --password-fd 3 \
		    3<"$TMP/pw.tanaka" 4<"$TMP/pw.boss" 2>err || exit 1
		one_line_matching err "^operator-add: -n: contains a control character\$" || exit 1
	done &&
	test_must_fail 2 operator-revoke -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka --reason "x${esc}]0;y" 4<"$TMP/pw.boss" 2>err &&
	grep -q "control character" err &&
	test_cmp good.csv "$D/operators.csv" &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i ctl -n "山田 太郎" \
	    -m password --reason r --instructions-given 2026-11-20 \
	    --password-fd 3 3<"$TMP/pw.tanaka" 4<"$TMP/pw.boss"; restore
'

test_done
