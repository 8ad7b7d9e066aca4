#!/bin/sh
# jukisec-audit, R5.1: the register parses, ids are unique, rows are
# complete, an active Security Manager exists.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"


# setcol ID COLUMN VALUE [ID COLUMN VALUE...]: rewrites cells of
# operators.csv (a hand edit, as an intruder or a careless editor would
# make it), all in one python3 (a start costs 20 ms of CPU).
setcol() {
	python3 -c 'import csv,sys
p=sys.argv[1]; a=sys.argv[2:]
rows=list(csv.DictReader(open(p,newline="")))
f=list(rows[0].keys())
for k in range(0,len(a),3):
    for r in rows:
        if r["id"]==a[k]: r[a[k+1]]=a[k+2]
w=csv.DictWriter(open(p,"w",newline=""),fieldnames=f,lineterminator="\n")
w.writeheader(); w.writerows(rows)' "$D/operators.csv" "$@"
}

test_expect_success 'set up: boss, suzuki, tanaka' '
	audit_state && add_pw suzuki && add_pw tanaka &&
	cp "$D/operators.csv" reg.save
'

test_expect_success 'a sound register passes three R5.1 checks; one manager is a WARN' '
	audit_run &&
	expect register-readable "PASS " &&
	expect register-ids-unique "PASS " &&
	expect register-rows-complete "PASS " &&
	expect register-active-manager "WARN " &&
	detail register-active-manager | grep -q "^1 active Security Manager registered: when they are away or locked out, nobody can change the register or record an incident; register a second Security Manager" &&
	detail register-readable | grep -q "3 row(s), 3 active"
'

# A manager whose method does not read back cannot act (nobody is admitted
# on it, and only another manager can repair it with operator-mod -m): not
# counted, as operator-revoke does not count one as the last who can act.
test_expect_success 'register-active-manager counts no manager whose method does not read back' '
	cp reg.save "$D/operators.csv" && setcol suzuki role manager &&
	audit_run && expect register-active-manager "PASS " &&
	detail register-active-manager | grep -q "^2 active Security Manager(s) registered" &&
	setcol suzuki method zz && audit_run &&
	expect register-active-manager "WARN " &&
	setcol boss method zz && audit_run &&
	expect register-active-manager "FAIL " &&
	detail register-active-manager | grep -q "^No active Security Manager is registered" &&
	cp reg.save "$D/operators.csv"
'

# Every manager locked out: nobody can change the register or record an
# incident until the way back (operator-mod --recover), whatever their
# number; one of two locked still leaves one who can act.
test_expect_success 'register-active-manager: every manager locked out is a WARN' '
	cp reg.save "$D/operators.csv" &&
	setcol suzuki role manager suzuki locked yes && audit_run &&
	expect register-active-manager "PASS " &&
	setcol boss locked yes && audit_run &&
	expect register-active-manager "WARN " &&
	detail register-active-manager | grep -qx "2 active Security Manager(s) registered, all locked out: nobody can change the register or record an incident until one is unlocked with the log verification key\." &&
	cp reg.save "$D/operators.csv" && setcol boss locked yes && audit_run &&
	detail register-active-manager | grep -q "^1 active Security Manager(s) registered, all locked out" &&
	cp reg.save "$D/operators.csv"
'

test_expect_success 'a malformed row: FAIL naming the line; the rest not checked' '
	echo "garbage" >>"$D/operators.csv" &&
	audit_run &&
	test "$ast" -eq 1 &&
	expect register-readable "FAIL operators.csv" &&
	detail register-readable | grep -q "operators.csv:5: " &&
	test ! -s "$TMP/a.err" &&
	expect register-active-manager "FAIL operators.csv" &&
	detail register-active-manager | grep -q "^Not checked: the register could not be read" &&
	expect stale-credentials "FAIL operators.csv" &&
	expect log-operators-authorized "FAIL operators.csv" &&
	detail log-operators-authorized | grep -q "^Not checked: the register could not be read" &&
	detail log-operators-authorized | grep -q "operators.csv:5: "
'

# Issue 14: in Japanese, whatever the locale, the register that cannot be
# read is said in words in every finding it stops, not by the loader's
# sentence with the file's path and line.
test_expect_success 'a register that cannot be read, in Japanese: in words, no path' '
	cp reg.save "$D/operators.csv" && echo "garbage" >>"$D/operators.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.ja;
	cp reg.save "$D/operators.csv" &&
	test "$(grep -cx "      - 登録簿の 4 件目の行が登録簿の形式に合いません" r.ja)" = 13 &&
	! body r.ja | grep -q "$D" && ja_words r.ja
'

# The page: a register that does not read is said by what is wrong with
# it, its row by its place (登録簿の N 件目の行), not by one sentence for
# every fault.
test_expect_success 'a register that cannot be read, in Japanese: the row and the fault' '
	cp reg.save "$D/operators.csv" && grep "^suzuki," reg.save >>"$D/operators.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.dup;
	cp reg.save "$D/operators.csv" && sed -i "s/^tanaka,/,/" "$D/operators.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.id;
	cp reg.save "$D/operators.csv" && sed -i 1d "$D/operators.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.head;
	cp reg.save "$D/operators.csv" && chmod 604 "$D/operators.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.mode;
	chmod 600 "$D/operators.csv" &&
	for f in dup id head mode; do
		sed -n "/^  \[不適合\] 登録簿を読み込めません。/{n;s/^      - //p;}" \
		    r.$f >>items && ja_words r.$f || return 1
	done &&
	cat >want <<-\EOW &&
	登録簿の 4 件目の行の識別符号が、それより前の行の識別符号と重複しています
	登録簿の 3 件目の行に読み取れない値があります
	登録簿の見出しの行がないか、形式に合いません
	登録簿の所有者又は権限が正しくないため、読込みを拒否しました
	EOW
	test_cmp want items
'

test_expect_success 'a duplicated id: FAIL naming the line and the id' '
	cp reg.save "$D/operators.csv" &&
	grep "^suzuki," reg.save >>"$D/operators.csv" &&
	audit_run &&
	test "$ast" -eq 1 &&
	expect register-readable "FAIL operators.csv" &&
	detail register-readable | grep -q "operators.csv:5: field id: duplicate id suzuki" &&
	test ! -s "$TMP/a.err" &&
	expect register-ids-unique "FAIL operators.csv"
'

test_expect_success 'a damaged value: the register still reads, nothing on stderr' '
	cp reg.save "$D/operators.csv" &&
	setcol tanaka expires someday &&
	audit_run &&
	expect register-readable "PASS " &&
	test ! -s "$TMP/a.err"
'

test_expect_success 'a row without a name: register-rows-complete FAILs naming it' '
	cp reg.save "$D/operators.csv" &&
	setcol tanaka name "" &&
	audit_run &&
	test "$ast" -eq 1 &&
	expect register-readable "PASS " &&
	expect register-rows-complete "FAIL tanaka" &&
	detail register-rows-complete | grep -q "row 3 of the register: no name"
'

test_expect_success 'a revocation without who and why FAILs' '
	cp reg.save "$D/operators.csv" &&
	setcol tanaka revoked_at 2026-11-21T00:00:00.000Z &&
	audit_run &&
	expect register-rows-complete "FAIL tanaka" &&
	detail register-rows-complete | grep -q "tanaka: revoked without who or why"
'

# Issue 14: the Japanese document names a row by its place in the
# register (登録簿の N 件目の行, the header not counted) and its person by
# title and name, never by operators.csv, a line of it or a login id,
# whatever the locale (lib.sh runs LC_ALL=C).
test_expect_success 'register-rows-complete in Japanese: the register'"'"'s words, no file or id' '
	cp reg.save "$D/operators.csv" &&
	setcol tanaka name "田中 一郎" tanaka title 主事 \
	    tanaka expires someday suzuki name "" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-11-26T00:00:00Z \
	    --lang ja >r.ja &&
	env LC_ALL=C.UTF-8 jukisec-audit -d "$D" --now 2026-11-26T00:00:00Z \
	    --lang ja >r.utf8;
	cp reg.save "$D/operators.csv" &&
	test_cmp r.ja r.utf8 &&
	sed -n "/^  \[不適合\] 登録簿に記載の不備な行があります。/,/^  \[/s/^      - //p" \
	    r.ja >items &&
	cat >want <<-\EOW &&
	登録簿の 2 件目の行: 氏名がありません
	主事 田中 一郎: 登録簿の 3 件目の行に読み取れない値があります。修正されるまで安全な側(期限切れ・取消・ロック・拒否・操作者・登録日時不明)として扱います
	EOW
	test_cmp want items &&
	ja_words r.ja
'

# Issue 14 and the page, in English too: an item names a person by the
# name and title the register holds, a row without a name by its place,
# never by the login id alone.
test_expect_success 'register-rows-complete in English: names and rows, no login id' '
	cp reg.save "$D/operators.csv" &&
	setcol boss name "" suzuki name "Ichiro Suzuki" suzuki title Chief \
	    suzuki method zz tanaka name "Taro Tanaka" \
	    tanaka revoked_at 2026-11-21T00:00:00.000Z &&
	test_must_fail 1 jukisec-audit -d "$D" --lang en >r.en;
	cp reg.save "$D/operators.csv" &&
	sed -n "/^  \[FAIL\] Some register rows are incomplete\./,/^  \[/s/^      - //p" \
	    r.en >items &&
	cat >want <<-\EOW &&
	row 1 of the register: no name
	Ichiro Suzuki (Chief): operators.csv:3 holds a value that does not read back; held to the safe side until repaired (expired, revoked, locked, denied, an operator, or registered at a time not known)
	Taro Tanaka: revoked without who or why
	EOW
	test_cmp want items
'

# The page: "every row has a valid id, name, registration time and
# registering manager": the manager who acted, as a valid id naming a row
# of the register whose role is manager (a role is given once, by
# operator-add, so the row's role is the one it had then); the same for
# the manager who revoked a revoked row.  Not merely a non-empty field.
test_expect_success 'register-rows-complete: a registering manager that is no valid id, nobody or no manager FAILs' '
	for by in "-bad id!" nobody suzuki; do
		cp reg.save "$D/operators.csv" && setcol tanaka registered_by "$by" &&
		audit_run && test "$ast" -eq 1 &&
		expect register-rows-complete "FAIL tanaka" &&
		detail register-rows-complete >"d.$by" || return 1
	done &&
	cp reg.save "$D/operators.csv" &&
	grep -q "tanaka: the registering manager is not a valid identification code (may not start with .-. or be .\.. or .\.\..)" "d.-bad id!" &&
	grep -q "tanaka: the registering manager is not in the register (id nobody)" d.nobody &&
	grep -q "tanaka: the registering manager, suzuki, is not a Security Manager" d.suzuki
'

test_expect_success 'register-rows-complete: the manager who revoked a row is checked alike' '
	for by in "-bad id!" nobody suzuki; do
		cp reg.save "$D/operators.csv" &&
		setcol tanaka revoked_at 2026-11-21T00:00:00.000Z \
		    tanaka revoked_by "$by" tanaka revoked_reason moved &&
		audit_run && test "$ast" -eq 1 &&
		expect register-rows-complete "FAIL tanaka" &&
		detail register-rows-complete >"d.$by" || return 1
	done &&
	grep -q "tanaka: the revoking manager is not a valid identification code" "d.-bad id!" &&
	grep -q "tanaka: the revoking manager is not in the register (id nobody)" d.nobody &&
	grep -q "tanaka: the revoking manager, suzuki, is not a Security Manager" d.suzuki &&
	setcol tanaka revoked_by boss && audit_run &&
	expect register-rows-complete "PASS " &&
	cp reg.save "$D/operators.csv"
'

test_expect_success 'register-rows-complete in Japanese: the registering and revoking manager' '
	cp reg.save "$D/operators.csv" && setcol suzuki registered_by "-bad id!" \
	    tanaka registered_by nobody tanaka revoked_at 2026-11-21T00:00:00.000Z \
	    tanaka revoked_by boss tanaka revoked_reason moved &&
	add_pw sato && setcol sato revoked_at 2026-11-21T00:00:00.000Z \
	    sato revoked_by suzuki sato revoked_reason moved &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.ja;
	cp reg.save "$D/operators.csv" && rm -f "$D/credentials/sato.phc" &&
	sed -n "/^  \[不適合\] 登録簿に記載の不備な行があります。/,/^  \[/s/^      - //p" \
	    r.ja >items &&
	cat >want <<-\EOW &&
	suzuki: 登録者の識別符号の形式が正しくありません
	tanaka: 登録者が登録簿に記載のない者(ID nobody)です
	sato: 取消の実施者(suzuki)はセキュリティ責任者ではありません
	EOW
	test_cmp want items && ja_words r.ja
'

# Rows are history: a manager revoked since still registered and revoked
# those they did; the bootstrap manager registered themself.  A role that
# does not read back is the named row's own finding (held as an operator
# only to the safe side), not a fault of the rows it names.
test_expect_success 'register-rows-complete: a revoked manager still counts; a damaged role is its own row'"'"'s' '
	D=$TMP/s4 && audit_state && add_pw deputy -r manager &&
	cp -a "$D" "$TMP/s3" && cp -a "$D.key" "$TMP/s3.key" &&
	pw dtan dtan-secret-1 &&
	operator-add -d "$D" -b deputy --by-password-fd 4 -i dtan -n Dtan \
	    -m password --reason "injured finger" --instructions-given "$INSTR_PW" \
	    --password-fd 3 3<"$TMP/pw.dtan" 4<"$TMP/pw.deputy" &&
	operator-revoke -d "$D" -b deputy --by-password-fd 4 -i dtan \
	    --reason moved 4<"$TMP/pw.deputy" &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i deputy \
	    --reason moved 4<"$TMP/pw.boss" &&
	test "$(field boss registered_by)" = boss &&
	audit_run && expect register-rows-complete "PASS " &&
	setcol deputy role zz && audit_run &&
	expect register-rows-complete "FAIL deputy"
'

# (The end given while a deputy could act at it, the deputy revoked
# since: the bootstrap gives no end.)
test_expect_success 'no active Security Manager once the only one expires' '
	D=$TMP/s2 && reg_state &&
	pw chief chief-secret-1 &&
	operator-add -d "$D" -i chief -n Chief -r manager -m password \
	    --reason "no reader" --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.chief" &&
	pw deputy deputy-secret-1 &&
	operator-add -d "$D" -b chief --by-password-fd 4 -i deputy -n Deputy \
	    -r manager -m password --reason "no reader" \
	    --instructions-given 2026-11-01 --password-fd 3 \
	    3<"$TMP/pw.deputy" 4<"$TMP/pw.chief" &&
	operator-mod -d "$D" -b chief --by-password-fd 4 -i chief -e 2026-12-31 \
	    4<"$TMP/pw.chief" &&
	operator-revoke -d "$D" -b chief --by-password-fd 4 -i deputy \
	    --reason moved 4<"$TMP/pw.chief" &&
	audit_run --now 2026-12-01T00:00:00Z &&
	expect register-active-manager "WARN " &&
	audit_run --now 2027-01-05T00:00:00Z &&
	test "$ast" -eq 1 &&
	expect register-active-manager "FAIL " &&
	detail register-active-manager | grep -q "No active Security Manager"
'

# (s3: s4 as it was with boss and the deputy, copied there: the same
# rows, spared their three password hashes.)
test_expect_success 'a deputy manager: register-active-manager PASS with 2' '
	D=$TMP/s3 && audit_run && expect register-active-manager "PASS " &&
	detail register-active-manager | grep -q "^2 active Security Manager(s) registered"
'

# A manager's change committed while the audit reads the log, after it
# read the register (a busy terminal at night): its record is later than
# the register the audit read, not a register changed outside the tools.
# strace holds the audit for 3 s at its first opening of oplog.csv after
# it took the register lock (the openat's number found by a first run).
test_expect_success STRACE 'a change made while the audit reads the log: no false "changed outside the tools"' '
	D=$TMP/arace && audit_state && add_pw first &&
	strace -f -o first.trace -e trace=openat,flock jukisec-audit -d "$D" \
	    --format csv >/dev/null 2>&1;
	n=$(awk "/flock\\(.*LOCK_SH/ { on = 1 } /openat\\(/ { k++ } on && /\"oplog.csv\"/ { print k; exit }" first.trace) &&
	test -n "$n" &&
	{ strace -f -o /dev/null -e trace=openat \
	    -e inject=openat:delay_enter=3000000:when=$n \
	    jukisec-audit -d "$D" --format csv >race.csv 2>race.err; echo $? >race.rc; } &
	sleep 1 && add_pw racer && wait &&
	cp race.csv "$TMP/a.csv" && expect register-changes "PASS " &&
	test "$(field racer id)" = racer &&
	audit_run && expect register-changes "PASS "
'

test_done
