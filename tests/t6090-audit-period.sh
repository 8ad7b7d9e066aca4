#!/bin/sh
# jukisec-audit as the committee's document for a period (対象期間,
# --since/--until, default the last full month, --fiscal-year): every
# incident recorded or closed in the period (a leak reported and closed the
# same day among them), every register change in the period (R5.5: when,
# whom, what, by whom, people by 職名 and 氏名), a header that says what was really
# verified, the regulation's articles and no check id, project label or
# file name in the text, and the signature block.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"
# the instructions given before the registrations (not after their day)
INSTR_BOOT=2026-10-01 INSTR_PW=2026-10-15

inc() { incident-report "$@" -d "$D" -b boss --by-password-fd 4 4<"$TMP/pw.boss"; }
NOW=2026-12-01T09:00:00Z

test_expect_success 'set up: October registrations, November changes and a same-day leak' '
	at 2026-10-20T09:00:00Z audit_state &&
	at 2026-10-20T09:05:00Z operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i boss --title 市民課長 4<"$TMP/pw.boss" &&
	at 2026-10-20T09:10:00Z add_pw suzuki -n "鈴木 一郎" --title 主事 &&
	at 2026-11-02T09:00:00Z add_pw tanaka -n "田中 花子" &&
	at 2026-11-10T10:00:00Z operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i suzuki --section 市民課 --title 主任 4<"$TMP/pw.boss" &&
	at 2026-11-12T10:00:00Z inc new --type leak --cause other --nature fault \
	    --persons 3 --summary "住民票の写しの誤送付" --detected 2026-11-12T09:30:00Z >id &&
	at 2026-11-12T10:05:00Z inc step "$(cat id)" --step mayor-reported &&
	at 2026-11-12T10:10:00Z inc step "$(cat id)" --step general-manager-reported &&
	at 2026-11-12T17:00:00Z inc step "$(cat id)" --step closed --force \
	    --note "回収済み" &&
	at 2026-11-20T16:00:00Z operator-revoke -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka --reason "異動により転出" 4<"$TMP/pw.boss" &&
	at 2026-12-01T08:00:00Z inc new --type other --cause other --summary "翌月の事態" \
	    --detected 2026-12-01T08:00:00Z >id2
'

test_expect_success 'the default period is the last full month, said in the header' '
	jukisec-audit -d "$D" --now $NOW >r.txt &&
	grep -qx "Period:       2026-11-01 to 2026-11-30" r.txt &&
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now $NOW --lang ja >r.ja &&
	grep -qx "対象期間: 令和8年11月1日から令和8年11月30日まで" r.ja
'

test_expect_success 'the same-day leak is in the month'"'"'s report, the next month'"'"'s incident is not' '
	audit_run --now $NOW &&
	expect incidents-period "PASS 2026-0001" &&
	detail incidents-period | grep -q "2026-0001 (leak), detected 2026-11-12 09:30, closed 2026-11-12 17:00: 住民票の写しの誤送付" &&
	expect incidents-open "WARN 2026-0002" &&
	TZ=UTC jukisec-audit -d "$D" --now $NOW --lang ja >r.ja &&
	grep -qx "      - 2026-0001(漏えい) 令和8年11月12日 09:30 検知、令和8年11月12日 17:00 終結: 住民票の写しの誤送付" r.ja &&
	! grep -q "翌月の事態" r.ja
'

test_expect_success 'December: the open incident is listed with its outstanding steps in words' '
	audit_run --now 2026-12-02T09:00:00Z --since 2026-12-01 &&
	expect incidents-period "WARN 2026-0002" &&
	detail incidents-period | grep -q "2026-0002 (other), detected 2026-12-01 08:00, open; outstanding: J-LIS contacted (Art. 9(1)); maintenance contractor contacted (Art. 9(1)); reported to the Mayor (Art. 9(1));" &&
	! detail incidents-period | grep -q "mayor-reported"
'

test_expect_success 'register changes in the period: when, whom, what, by whom, by title and name' '
	audit_run --now $NOW &&
	expect register-changes "PASS tanaka suzuki tanaka" &&
	jukisec-audit -d "$D" --now $NOW --lang ja >r.ja &&
	sed -n "/対象期間中の登録簿の変更/,/^  \[/p" r.ja | grep "^      - " >chg &&
	cat >want <<-\EOW &&
	      - 令和8年11月2日 09:00 田中 花子: 登録: 操作者として、確認方法: 識別符号及びパスワード(市民課長 Boss が実施)
	      - 令和8年11月10日 10:00 主任 鈴木 一郎: 登録内容の変更: 所属、職名(市民課長 Boss が実施)
	      - 令和8年11月20日 16:00 田中 花子: 取消し(理由: 異動により転出)(市民課長 Boss が実施)
	EOW
	test_cmp want chg
'

test_expect_success 'October'"'"'s registrations are in October'"'"'s report, not November'"'"'s' '
	audit_run --now $NOW --since 2026-10-01 --until 2026-10-31 &&
	expect register-changes "PASS boss boss suzuki" &&
	audit_run --now $NOW --fiscal-year 2026 &&
	expect register-changes "PASS boss boss suzuki tanaka suzuki tanaka"
'

# A fiscal year is named as its calendar year is: 2019 is 令和元年 (the
# year 令和 began, in April still 平成31年), so its 年度 is 令和元年度;
# year 1 is 元年 here as in every date (era.c).
test_expect_success 'the fiscal year in 和暦: 平成元年度, 令和元年度, as era.c writes year 1' '
	jukisec-audit -d "$D" --now $NOW --fiscal-year 1989 --lang ja >r.ja;
	grep -qx "対象期間: 平成元年4月1日から平成2年3月31日まで(平成元年度)" r.ja &&
	jukisec-audit -d "$D" --now $NOW --fiscal-year 2019 --lang ja >r.ja;
	grep -qx "対象期間: 平成31年4月1日から令和2年3月31日まで(令和元年度)" r.ja &&
	jukisec-audit -d "$D" --now $NOW --fiscal-year 2026 --lang ja >r.ja;
	grep -qx "対象期間: 令和8年4月1日から令和9年3月31日まで(令和8年度)" r.ja &&
	jukisec-audit -d "$D" --now $NOW --fiscal-year 1988 --lang ja >r.ja;
	grep -qx "対象期間: 昭和63年4月1日から平成元年3月31日まで(昭和63年度)" r.ja &&
	jukisec-audit -d "$D" --now $NOW --fiscal-year 2019 --lang en >r.txt;
	grep -qx "Period:       2019-04-01 to 2020-03-31 (fiscal year 2019)" r.txt
'

test_expect_success 'the header tells the truth about verification' '
	jukisec-audit -d "$D" --now $NOW >r.txt;
	grep -qx "Log verified: no: not checked with the verification key (the records'"'"' form only)" r.txt &&
	jukisec-audit -d "$D" --now $NOW --key-file "$D.key" >r.txt &&
	grep -qx "Log verified: with the verification key: the records are unchanged" r.txt &&
	test_must_fail 1 jukisec-audit -d "$D" --now $NOW --key-file "$D.kye" --lang ja >r.ja &&
	grep -qx "操作履歴の検証: 検証鍵による確認ができませんでした(不適合。下記の操作履歴の保存の項を参照)" r.ja &&
	! grep -q "記録が書き換えられていないことを確認しました" r.ja &&
	test_must_fail 1 jukisec-audit -d "$D" --now $NOW --key-file "$D.kye" --format json >r.json &&
	python3 -c "import json; r=json.load(open(\"r.json\")); assert r[\"log_key\"] is True and r[\"log_verified\"] is False, r"
'

test_expect_success 'the Japanese text: articles, no check id, no R label, no file name' '
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now $NOW --lang ja >r.ja &&
	grep -qx "国分寺市 住基ネット セキュリティ対策 遵守状況報告書" r.ja &&
	grep -qx "規程第5条第5項 異動等の際の速やかな設定及び取消し" r.ja &&
	grep -qx "規程第9条 重大な事態への対応" r.ja &&
	! body r.ja | grep -n "R[0-9]\|register-\|incidents-\|log-\|\.csv\|oplog\|seq \|head\|エポック\|--"
'

test_expect_success 'the signature block: author by title and name, checker blank, 和暦 date' '
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now $NOW --lang ja --author suzuki >r.ja &&
	grep -q "^作成者: 主任 鈴木 一郎\$" r.ja &&
	grep -q "^作成者 職名・氏名  主任 鈴木 一郎 *印\$" r.ja &&
	grep -q "^確認者 職名・氏名  _* 印\$" r.ja &&
	grep -qx "日付  令和8年12月1日" r.ja &&
	tail -1 r.ja | grep -qx "以上"
'

# as_D FILE: the report FILE with the state directory's path, the test's,
# said as $D on its header line, for a golden file.
as_D() {
	sed "s#^\(状態ディレクトリ: \|State dir:    \)$D\$#\1\$D#" "$1"
}

test_expect_success 'the month'"'"'s report in both languages matches its golden file' '
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now $NOW --lang ja --author boss \
	    --key-file "$D.key" >g.raw && as_D g.raw >g.ja &&
	jukisec-audit -d "$D" --now $NOW --lang en --author boss --key-file "$D.key" >g.raw &&
	as_D g.raw >g.en &&
	test_cmp "$SRCDIR/tests/golden/t6090-audit.ja.txt" g.ja &&
	test_cmp "$SRCDIR/tests/golden/t6090-audit.en.txt" g.en
'

test_expect_success 'an invented city: its names and article numbers, none of Kokubunji'"'"'s' '
	sed -i "/^confirm\..* = off\$/d" "$D/jukisec.conf" &&
	cat "$SRCDIR/examples/municipality/wakabadai.conf" >>"$D/jukisec.conf" &&
	jukisec-audit -d "$D" --now $NOW --lang ja >w.ja;
	grep -q "^管理運用規程第26条 サーバ室等の管理" w.ja &&
	grep -q "^  \[要確認\] 管理運用規程第26条: サーバ室の監視カメラの録画が保存されていること: まだ確認されていません。" w.ja &&
	grep -q "^管理運用規程第30条 委託を行う場合の措置" w.ja &&
	grep -qx "若葉台市 住基ネット セキュリティ対策 遵守状況報告書" w.ja &&
	grep -q "^宛先: 若葉台市住基ネット安全対策委員会(管理運用規程第31条第2項)" w.ja &&
	grep -qx "管理運用規程第24条の2 異動等の際の速やかな設定及び取消し" w.ja &&
	! grep -n "国分寺\|規程第5条\|規程第9条" w.ja &&
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now $NOW --lang ja --author boss \
	    --key-file "$D.key" >gw.raw && as_D gw.raw >gw.ja &&
	test_cmp "$SRCDIR/tests/golden/t6090-wakabadai.ja.txt" gw.ja &&
	! grep -n "セキュリティ責任者" gw.ja &&
	jukisec-audit -d "$D" --now $NOW --lang en >w.en &&
	grep -q "^To:           Wakabadai City Juki-net Safety Board (Art. 31(2))" w.en &&
	grep -q "waiting for the Juki-net Manager\.\$" w.en && ! grep -n "Security Manager" w.en
'

# The findings the month's report does not have name the city's manager
# too: an exception's approver, an automatic unlock, a registration.
test_expect_success 'an invented city: every finding that names the manager names its own' '
	cp "$D/jukisec.conf" conf.save && cp "$D/operators.csv" reg.save &&
	conf_set "$D" lockout_unlock_minutes 30 && regcol suzuki approved_by tanaka &&
	audit_run --now $NOW --since 2026-10-01 &&
	detail biometric-or-exception | grep -q "鈴木 一郎 (主任): approved by someone who is not a registered Juki-net Manager" &&
	detail conf-values | grep -q "lockout_unlock_minutes = 30: a lock-out ends without the Juki-net Manager (Art. 21(2))" &&
	detail register-changes | grep -q "Boss (市民課長): registered: as Juki-net Manager, " &&
	! grep -n "Security Manager" "$TMP/a.csv" &&
	cp conf.save "$D/jukisec.conf" && cp reg.save "$D/operators.csv"
'

test_expect_success 'bad periods and authors are usage errors (status 2, one line)' '
	test_must_fail 2 jukisec-audit -d "$D" --now $NOW --since 2026-11-31 2>err &&
	grep -q "^jukisec-audit: --since 2026-11-31: not a date YYYY-MM-DD" err &&
	test_must_fail 2 jukisec-audit -d "$D" --now $NOW --since 2026-11-02 --until 2026-11-01 2>err &&
	grep -q "is after --until" err &&
	test_must_fail 2 jukisec-audit -d "$D" --now 2026-11-15T00:00:00Z --since 2026-12-01 >out 2>err &&
	test ! -s out &&
	one_line_matching err "^jukisec-audit: --since 2026-12-01 is after 2026-11-15, the day of --now, where the period ends without --until\$" &&
	at 2026-11-15T00:00:00Z test_must_fail 2 jukisec-audit -d "$D" --since 2026-12-01 2>err &&
	one_line_matching err "^jukisec-audit: --since 2026-12-01 is after today, 2026-11-15, where the period ends without --until\$" &&
	test_must_fail 2 jukisec-audit -d "$D" --now 2026-11-15T00:00:00Z --since 2026-12-01 --until 2026-11-30 2>err &&
	one_line_matching err "^jukisec-audit: --since 2026-12-01 is after --until 2026-11-30\$" &&
	test_must_fail 2 jukisec-audit -d "$D" --now $NOW --fiscal-year 2026 --since 2026-11-01 2>err &&
	test_must_fail 2 jukisec-audit -d "$D" --now $NOW --fiscal-year 20x6 2>err &&
	grep -q "^jukisec-audit: --fiscal-year 20x6: not a year" err &&
	test_must_fail 2 jukisec-audit -d "$D" --now $NOW --author nobody 2>err &&
	grep -qx "jukisec-audit: --author nobody: not in the register" err
'

# A register that does not read (here an id twice) is its own FAIL: the
# author is then not checked, and is named by id only.
test_expect_success '--author under a register that does not read: named by id, exit 1' '
	rm -rf dup && cp -a "$D" dup && sed -n 2p dup/operators.csv >>dup/operators.csv &&
	test_must_fail 1 jukisec-audit -d dup --now $NOW --lang en --author nobody >r 2>err &&
	grep -q "^Prepared by: *id nobody (name unknown: the register cannot be read)\$" r &&
	! grep -q "not in the register" err
'

# A date at the end of the range whose instant is not: the period's end
# named, with the last (or first) date that works there.
test_expect_success '--until 9999-12-31 at or west of UTC, --since 0001-01-01 east of it: named' '
	(TZ=UTC && export TZ && test_must_fail 2 jukisec-audit -d "$D" --now $NOW \
	    --since 9999-12-01 --until 9999-12-31 >out 2>err) &&
	test ! -s out &&
	one_line_matching err "^jukisec-audit: --until 9999-12-31: after the last date these tools handle, 9999-12-30\$" &&
	(TZ=Asia/Tokyo && export TZ && test_must_fail 2 jukisec-audit -d "$D" --now $NOW \
	    --since 0001-01-01 --until 0001-01-31 >out 2>err) &&
	one_line_matching err "^jukisec-audit: --since 0001-01-01: before the first date these tools handle, 0001-01-02\$" &&
	{ TZ=UTC jukisec-audit -d "$D" --now $NOW --since 9999-12-01 --until 9999-12-30 >/dev/null 2>&1
	  test $? -ne 2; }
'

# The accepted range the page gives: fiscal year 9998 ends 9999-03-31,
# 9999 would end in the year 10000.
test_expect_success '--fiscal-year: 1 to 9998; outside, exit 2 naming the range' '
	audit_run --now $NOW --fiscal-year 1 && test "$ast" -ne 2 &&
	audit_run --now $NOW --fiscal-year 9998 && test "$ast" -ne 2 &&
	for y in 0 9999; do
		test_must_fail 2 jukisec-audit -d "$D" --now $NOW --fiscal-year $y >out 2>err &&
		test ! -s out &&
		one_line_matching err "^jukisec-audit: --fiscal-year $y: not a year from 1 to 9998\$" || exit 1
	done
'

# The default period, the month before --now, does not exist when --now
# is in January 0001 (or begins in year 0 east of UTC): one line, exit 2.
test_expect_success '--now in the first month of 0001: no last month, one line (2)' '
	for n in 0001-01-01T00:00:00Z 0001-01-31T23:59:59Z; do
		test_must_fail 2 jukisec-audit -d "$D" --now $n >out 2>err &&
		test ! -s out &&
		one_line_matching err "^jukisec-audit: the month before 0001-01-[0-9T:.]*Z begins before 0001-01-01T00:00:00.000Z: name the period with --since and --until\$" || return 1
	done &&
	test_must_fail 2 env TZ=Asia/Tokyo jukisec-audit -d "$D" --now 0001-02-01T00:00:00Z >out 2>err &&
	one_line_matching err "^jukisec-audit: the month before 0001-02-01T00:00:00.000Z begins" &&
	TZ=UTC jukisec-audit -d "$D" --now 0001-02-01T00:00:00Z >out 2>err || test $? -eq 1 &&
	test -s out
'

# YEAR is a number as the page writes one: 2026, never +2026 or 02026.
test_expect_success '--fiscal-year: a sign, a leading zero or a blank is refused (2)' '
	for y in +2026 02026 0002 -0 " 2026" "2026 " 0x7ea 2.026e3; do
		test_must_fail 2 jukisec-audit -d "$D" --now $NOW --fiscal-year "$y" >out 2>err &&
		test ! -s out &&
		grep -q "^jukisec-audit: --fiscal-year $y: not a year from 1 to 9998\$" err &&
		test "$(wc -l <err)" = 1 || return 1
	done
'

test_done
