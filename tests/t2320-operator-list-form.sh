#!/bin/sh
# operator-list --format form: the register as the regulation's form
# (別記様式, R5.1) prints it, ready for lpr: the title and article from
# jukisec.conf, 和暦 dates, people by 職名 and 氏名, the method in the regulation's
# words, in Japanese whatever the locale; an invented city's title.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
# the instructions given before the registrations (not after their day)
INSTR_BOOT=2026-11-01 INSTR_PW=2026-11-01

test_expect_success 'set up: a manager, an operator registered and revoked, one active' '
	at 2026-11-01T00:00:00Z reg_state && at 2026-11-01T00:00:00Z bootstrap &&
	at 2026-11-02T01:00:00Z add_pw tanaka -n "田中 花子" -s 市民課 --title 主事 &&
	at 2026-11-03T01:00:00Z add_pw sato -n "佐藤 一郎" -s 税務課 &&
	at 2026-11-04T01:00:00Z operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i boss --title 市民課長 4<"$TMP/pw.boss" &&
	at 2026-11-20T01:00:00Z operator-revoke -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka --reason "人事異動" 4<"$TMP/pw.boss"
'

test_expect_success 'the form, all persons, in 和暦 (LANG=C too)' '
	TZ=Asia/Tokyo operator-list -d "$D" -a -f form --now 2026-12-01T00:00:00Z >form &&
	cat >want <<-\EOW &&
	住民基本台帳ネットワークシステム端末機操作者登録簿
	(国分寺市 規程第5条第1項別記様式)
	
	作成日  令和8年12月1日
	
	番号  所属    職名      氏名       確認方法                区分                登録日          登録者         取消日           取消者         理由
	1             市民課長  Boss       識別符号及びパスワード  セキュリティ責任者  令和8年11月1日  市民課長 Boss                                  no reader yet
	2     市民課  主事      田中 花子  識別符号及びパスワード  操作者              令和8年11月2日  市民課長 Boss  令和8年11月20日  市民課長 Boss  人事異動
	3     税務課            佐藤 一郎  識別符号及びパスワード  操作者              令和8年11月3日  市民課長 Boss                                  injured finger
	EOW
	test_cmp want form &&
	! grep -q "tanaka\|boss\|password\|revoked" form
'

test_expect_success 'without -a the revoked person is left out' '
	operator-list -d "$D" -f form --now 2026-12-01T00:00:00Z >form2 &&
	! grep -q "田中" form2 && grep -q "佐藤 一郎" form2
'

test_expect_success 'an invented city'"'"'s register title and article' '
	cat "$SRCDIR/examples/municipality/wakabadai.conf" >>"$D/jukisec.conf" &&
	operator-list -d "$D" -f form --now 2026-12-01T00:00:00Z >form3 &&
	sed -n 1,2p form3 >head &&
	printf "若葉台市住基ネット端末機操作者登録台帳\n(若葉台市 管理運用規程第21条第1項別記様式)\n" >want &&
	test_cmp want head
'

# jukisec.conf(5): the officers are the settings', the form's too; an
# operator's 区分 is the regulation's word, which no setting names.
test_expect_success 'the manager'"'"'s 区分 is the city'"'"'s security_manager' '
	TZ=Asia/Tokyo operator-list -d "$D" -f form --now 2026-12-01T00:00:00Z >form4 &&
	sed 1,5d form4 >rows &&
	cat >want <<-\EOW &&
	番号  所属    職名      氏名       確認方法                区分                  登録日          登録者         取消日  取消者  理由
	1             市民課長  Boss       識別符号及びパスワード  住基ネット管理責任者  令和8年11月1日  市民課長 Boss                  no reader yet
	2     税務課            佐藤 一郎  識別符号及びパスワード  操作者                令和8年11月3日  市民課長 Boss                  injured finger
	EOW
	test_cmp want rows
'

# operator-list(1): a method that does not read back is no method
# (operator-mod(1), "The register's damaged values"): its stand-in,
# password, has no exception, so 理由 is empty, as the table has no
# exception note; a revocation still says why.  The form is a Japanese
# document (issue 14: no raw value of the file in it): the cell says
# 読み取れない値, the audit's words, where the table shows the file's value.
test_expect_success 'a method that does not read back: 読み取れない値, no exception reason' '
	D=$TMP/dmg && at 2026-11-01T00:00:00Z reg_state "$D" &&
	at 2026-11-01T00:00:00Z bootstrap &&
	at 2026-11-02T01:00:00Z add_pw kato -n "加藤 三郎" -s 市民課 &&
	at 2026-11-03T01:00:00Z add_pw ito -n "伊藤 四郎" -s 税務課 &&
	regcol kato method zz &&
	TZ=Asia/Tokyo operator-list -d "$D" -f form --now 2026-12-01T00:00:00Z \
	    >form5 2>err &&
	one_line_matching err "^operator-list: $D/operators.csv:3: field method: invalid value; treated as denied until repaired\$" &&
	sed -e 1,5d -e "s/ *\$//" form5 >rows &&
	cat >want <<-\EOW &&
	番号  所属    職名  氏名       確認方法                区分                登録日          登録者  取消日  取消者  理由
	1                   Boss       識別符号及びパスワード  セキュリティ責任者  令和8年11月1日  Boss                    no reader yet
	2     市民課        加藤 三郎  読み取れない値          操作者              令和8年11月2日  Boss
	3     税務課        伊藤 四郎  識別符号及びパスワード  操作者              令和8年11月3日  Boss                    injured finger
	EOW
	test_cmp want rows &&
	! grep -q zz form5 &&
	operator-list -d "$D" 2>/dev/null | grep -q "^kato .* zz " &&
	at 2026-11-20T01:00:00Z operator-revoke -d "$D" -b boss --by-password-fd 4 \
	    -i kato --reason "人事異動" 4<"$TMP/pw.boss" 2>/dev/null &&
	TZ=Asia/Tokyo operator-list -d "$D" -a -f form --now 2026-12-01T00:00:00Z \
	    2>/dev/null | grep "加藤 三郎" | grep -q "  読み取れない値  .*  人事異動\$"
'

test_expect_success 'a role, a method and a registration day that do not read back: 読み取れない値' '
	D=$TMP/dmg &&
	regcol ito method bogus && regcol ito role chief && regcol ito registered_at x &&
	TZ=Asia/Tokyo operator-list -d "$D" -f form --now 2026-12-01T00:00:00Z \
	    >form6 2>/dev/null &&
	grep "伊藤 四郎" form6 >row &&
	grep -q "  読み取れない値  *読み取れない値  *読み取れない値  *Boss *\$" row &&
	! grep -E "bogus|chief|  x  " form6
'

test_expect_success 'an unknown format is still a usage error, in one line' '
	test_must_fail 2 operator-list -d "$D" -f forms 2>err &&
	one_line_matching err "^operator-list: -f forms: not table, csv, json or form\$"
'

test_done
