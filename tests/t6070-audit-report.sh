#!/bin/sh
# jukisec-audit's three forms: the text document for the committee
# (R12(2)) in English and in Japanese with 和暦 dates, CSV read by mlr, JSON
# read by Python; all three carry the same findings.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

NOW=2026-11-26T09:30:00Z

test_expect_success 'set up' 'audit_state && add_pw suzuki'

test_expect_success 'text (English): title, addressee, period, date, verification, summary, articles in order' '
	jukisec-audit -d "$D" --now $NOW >r.txt &&
	sed -n 1p r.txt | grep -qx "Kokubunji City: Juki-net security measures: compliance report" &&
	grep -qx "To:           Kokubunji City Juki-net Security Committee (Art. 12(2))" r.txt &&
	grep -qx "Period:       2026-10-01 to 2026-10-31" r.txt &&
	grep -qx "Date:         2026-11-26 09:30 UTC" r.txt &&
	grep -qx "Log verified: no: not checked with the verification key (the records'"'"' form only)" r.txt &&
	grep -qx "Summary: 25 checks: 22 PASS, 3 WARN, 0 FAIL." r.txt &&
	grep -qxF "State dir:    $D" r.txt &&
	! body r.txt | grep -q "$D" &&
	grep "^[A-Z]" r.txt | sed -n "/^Art\./p;/^Protection of/p" >heads &&
	cat >want <<-\EOW &&
	Art. 5(1): the operator register
	Art. 5(2): unauthorized access
	Art. 5(3): confirmation by matching information
	Art. 5(4): nobody but registered operators
	Art. 5(5): prompt change on personnel changes
	Art. 6: operation history
	Art. 9: serious incidents
	Protection of the records and settings
	EOW
	test_cmp want heads &&
	sed -n "/^Needing action:/,/^\$/p" r.txt | sed "s/\(— [A-Za-z]* [a-z]*\).*/\1/" >act &&
	printf "Needing action:\n  [WARN] Art. 5(1): the operator register — 1 active Security Manager registered: when they are away or locked out, nobody can change the register or record an incident; register a second Security Manager.\n  [WARN] Art. 6: operation history — Not checked\n  [WARN] Art. 6: operation history — Expired records\n\n" >want &&
	test_cmp want act &&
	grep -q "^  \[WARN\] Not checked with the verification key: " r.txt &&
	grep -q "^      - Boss: approved by Boss, instructed 2026-11-01: no reader yet" r.txt &&
	grep -qx "Date: 2026-11-26" r.txt &&
	tail -1 r.txt | grep -qx "End of report."
'

test_expect_success 'text (Japanese): --lang ja, 和暦 in local time, no check name' '
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now $NOW --lang ja >r.ja &&
	sed -n 1p r.ja | grep -qx "国分寺市 住基ネット セキュリティ対策 遵守状況報告書" &&
	grep -qx "作成日時: *令和8年11月26日 18:30(日本標準時)" r.ja &&
	! body r.ja | grep -q "JST\|UTC" &&
	TZ=UTC jukisec-audit -d "$D" --now $NOW --lang ja >r.utc &&
	grep -qx "作成日時: *令和8年11月26日 09:30(協定世界時)" r.utc &&
	TZ=Asia/Kathmandu jukisec-audit -d "$D" --now $NOW --lang ja >r.npt &&
	grep -qx "作成日時: *令和8年11月26日 15:15(協定世界時+5時間45分)" r.npt &&
	grep -qx "対象期間: 令和8年10月1日から令和8年10月31日まで" r.ja &&
	grep -qxF "状態ディレクトリ: $D" r.ja &&
	grep -q "^概要: 点検 25 件 — 適合 22、要確認 3、不適合 0" r.ja &&
	grep -qx "対応を要する項目:" r.ja &&
	grep -q "^  \[要確認\] 規程第6条 操作履歴の保存 — 保存期間経過後の記録の整理はまだ" r.ja &&
	grep -qx "規程第5条第3項 照合情報による確認" r.ja &&
	grep -q "^      - Boss: 承認者 Boss、指示日 令和8年11月1日、理由 no reader yet" r.ja &&
	! body r.ja | grep -q "register-readable\|log-prune-recent\|R6" &&
	grep -qx "日付  令和8年11月26日" r.ja &&
	tail -1 r.ja | grep -qx "以上"
'

test_expect_success 'Japanese is the default under a ja locale (LANG), English under C' '
	env -u LC_ALL LANG=ja_JP.UTF-8 jukisec-audit -d "$D" --now $NOW >r1 &&
	sed -n 1p r1 | grep -q "遵守状況報告書" &&
	env LC_ALL=C LANG=ja_JP.UTF-8 jukisec-audit -d "$D" --now $NOW >r2 &&
	sed -n 1p r2 | grep -q "compliance report" &&
	env -u LC_ALL LANG=ja_JP.UTF-8 jukisec-audit -d "$D" --now $NOW --lang en >r3 &&
	sed -n 1p r3 | grep -q "compliance report"
'

# The locale variables that name a path are removed at start (ENVIRONMENT):
# the report's default language is read after, as the messages' is.
test_expect_success 'a locale variable naming a path does not choose the report language' '
	env -u LC_MESSAGES LC_ALL=ja_JP.UTF-8/x LANG=C jukisec-audit -d "$D" --now $NOW >r4 &&
	sed -n 1p r4 | grep -q "compliance report" &&
	env -u LC_ALL -u LC_MESSAGES LANG=ja/../x jukisec-audit -d "$D" --now $NOW >r5 &&
	sed -n 1p r5 | grep -q "compliance report" &&
	env -u LC_MESSAGES LC_ALL=ja_JP.UTF-8/x LANG=C jukisec-audit -d "$D" --now $NOW --lang ja >r6 &&
	sed -n 1p r6 | grep -q "遵守状況報告書"
'

test_expect_success 'CSV: header, one row per check, read by mlr' '
	jukisec-audit -d "$D" --now $NOW --format csv >r.csv &&
	sed -n 1p r.csv | grep -qx "rule,check,status,subjects,detail" &&
	test "$(mlr --icsv --ojson count r.csv | grep -o "[0-9][0-9]*")" = 25 &&
	test "$(mlr --icsv --onidx filter "\$status == \"WARN\"" then cut -f check r.csv | tr "\n" " ")" = "register-active-manager log-verify log-prune-recent " &&
	mlr --icsv --onidx filter "\$check == \"password-exceptions\"" then cut -f subjects r.csv >s &&
	echo "boss suzuki" >want && test_cmp want s
'

test_expect_success 'JSON: read by Python, summary agrees with the findings' '
	jukisec-audit -d "$D" --now $NOW --format json >r.json &&
	python3 -c "import json,sys
r=json.load(open(\"r.json\"))
assert r[\"report\"]==\"jukisec-audit\" and r[\"generated\"]==\"2026-11-26T09:30:00.000Z\", r
assert r[\"state_dir\"]==sys.argv[1] and r[\"log_key\"] is False
f=r[\"findings\"]; s=r[\"summary\"]
assert s[\"checks\"]==len(f)==25, s
assert r[\"period\"]=={\"from\":\"2026-10-01\",\"until\":\"2026-10-31\"}, r[\"period\"]
assert r[\"log_verified\"] is False
for k in (\"pass\",\"warn\",\"fail\"):
    assert s[k]==sum(1 for x in f if x[\"status\"]==k.upper()), k
p=[x for x in f if x[\"check\"]==\"password-exceptions\"][0]
assert [i[\"subject\"] for i in p[\"items\"]]==[\"boss\",\"suzuki\"], p
" "$D"
'

test_expect_success 'the three forms carry the same findings in the same order' '
	mlr --icsv --onidx cut -f check r.csv >c1 &&
	python3 -c "import json; [print(x[\"check\"]) for x in json.load(open(\"r.json\"))[\"findings\"]]" >c2 &&
	test_cmp c1 c2 &&
	mlr --icsv --onidx cut -f status r.csv >s1 &&
	sed -n "/^Art\. 5(1)/,/^Terms/s/^  \[\([A-Z]*\)\] .*/\1/p" r.txt >s3 &&
	test_cmp s1 s3
'

test_expect_success 'JSON in Japanese keeps check names and statuses, escapes text' '
	jukisec-audit -d "$D" --now $NOW --format json --lang ja >j.json &&
	python3 -c "import json
r=json.load(open(\"j.json\"))
x=[f for f in r[\"findings\"] if f[\"check\"]==\"register-readable\"][0]
assert x[\"status\"]==\"PASS\" and \"登録簿\" not in x[\"check\"], x
assert x[\"summary\"].startswith(\"登録簿を読み込めます\"), x
"
'

# A file name in the state directory is the directory's data, any bytes:
# the machine forms stay UTF-8 a parser reads, the bytes that are not
# escaped as the text escapes them (esc.h), the state directory's path too.
test_expect_success 'CSV and JSON: a file name that is not UTF-8 is escaped, as in the text' '
	E="$TMP/d$(printf "\377")" && cp -a "$D" "$E" &&
	touch "$E/credentials/x$(printf "\377\376")y" &&
	test_must_fail 1 jukisec-audit -d "$E" --now $NOW --format json >u.json &&
	test_must_fail 1 jukisec-audit -d "$E" --now $NOW --format csv >u.csv &&
	test_must_fail 1 jukisec-audit -d "$E" --now $NOW >u.txt &&
	grep -qF "credentials/x\xff\xfey has no register row" u.txt &&
	grep -qxF "State dir:    $TMP/d\xff" u.txt &&
	cat >u.py <<-\EOP &&
	import csv, json, sys
	r = json.load(open("u.json", encoding="utf-8"))
	assert r["state_dir"] == sys.argv[1] + "/d\\xff", r["state_dir"]
	o = [x for x in r["findings"] if x["check"] == "orphan-credentials"][0]
	assert [i["subject"] for i in o["items"]] == ["x\\xff\\xfey"], o
	assert o["items"][0]["text"] == "credentials/x\\xff\\xfey has no register row", o
	c = [x for x in csv.DictReader(open("u.csv", encoding="utf-8", newline=""))
	    if x["check"] == "orphan-credentials"][0]
	assert c["subjects"] == "x\\xff\\xfey", c
	assert c["detail"].endswith(" credentials/x\\xff\\xfey has no register row"), c
	EOP
	python3 u.py "$TMP"
'

# Issue 14: the committee's document names every person by the 職名 and 氏名
# the register holds (person.h), never by a login id, and says the
# credential and the method in words, not by a file name or the register's
# English method word; a person the register does not hold keeps the id,
# as every check says it.  The machine forms keep the ids as subjects.
# a1, 主事 山田 花子: credential gone, approved by "nobody"; a2, 鈴木 一郎
# (no title): expired at the end of 2026-12-10, its credential left, and a
# record logged in its name after that, and one by ghost, whom the
# register does not hold.
P=$TMP/people
mod() { at_AT operator-mod -d "$D" -b boss --by-password-fd 4 "$@" 4<"$TMP/pw.boss"; }
test_expect_success 'set up: 主事 山田 花子 without a credential, 鈴木 一郎 expired' '
	D=$P && AT=2026-11-25T09:00:00Z &&
	at_AT audit_state && at_AT add_pw a1 && at_AT add_pw a2 &&
	mod -i boss --title 市民課長 &&
	mod -i a1 --name "山田 花子" --title 主事 &&
	mod -i a2 --name "鈴木 一郎" && mod -i a2 --expires 2026-12-10 &&
	mv "$D/credentials/a1.phc" "$TMP/a1.phc" &&
	regcol a1 approved_by nobody &&
	at 2026-12-20T09:00:00Z log-append -d "$D" -t vm -u a2 -a print \
	    -o juminhyo -r ok 2>/dev/null &&
	at 2026-12-20T09:05:00Z log-append -d "$D" -t vm -u ghost -a print 2>/dev/null
'

# items FILE SUMMARY: the item lines of the text report FILE under the
# finding whose sentence begins with SUMMARY.
items() {
	sed -n "/^  \[[^]]*\] $2/,/^  \[/p" "$1" | sed -n "s/^      - //p"
}

test_expect_success 'Japanese: the five findings name 主事 山田 花子 and 鈴木 一郎, in words' '
	D=$P && test_must_fail 1 jukisec-audit -d "$D" --now 2026-12-21T00:00:00Z \
	    --lang ja >r.ja &&
	items r.ja "ただし書の要件を満たさずに" >i1 &&
	echo "主事 山田 花子: 承認者が登録されたセキュリティ責任者ではありません" >want &&
	test_cmp want i1 &&
	items r.ja "照合情報がなく認証できない" >i2 &&
	echo "主事 山田 花子: 照合情報がありません(確認方法: 識別符号及びパスワード)" >want &&
	test_cmp want i2 &&
	items r.ja "端末機を操作できない者" >i3 &&
	grep -Eqx "通番 [0-9]+、令和8年12月20日 09:00、端末機 vm、操作者 鈴木 一郎: 有効期限切れ" i3 &&
	grep -Eqx "通番 [0-9]+、令和8年12月20日 09:05、端末機 vm、操作者 登録簿に記載のない者\\(ID ghost\\): 登録簿にない" i3 &&
	test "$(wc -l <i3)" -eq 2 &&
	items r.ja "利用できない者の照合情報" >i4 &&
	echo "鈴木 一郎: 照合情報が残っています(確認方法: 識別符号及びパスワード、有効期限切れ)" >want &&
	test_cmp want i4 &&
	items r.ja "有効期限を過ぎても" >i5 &&
	echo "鈴木 一郎: 令和8年12月11日 00:00 に期限切れ、取消されていません" >want &&
	test_cmp want i5 &&
	cat i1 i2 i3 i4 i5 >all &&
	! grep -E "(^|[^[:alnum:]])a[12]([^[:alnum:]]|\$)|credentials|\.phc|seq|password|fingerprint|external" all &&
	! grep -E "(^|[^[:alnum:]])a[12]([^[:alnum:]]|\$)|credentials/|\.phc|seq |\(password\)" r.ja
'

test_expect_success 'English: the same persons by name and title; one not in the register keeps the id' '
	D=$P && test_must_fail 1 jukisec-audit -d "$D" --now 2026-12-21T00:00:00Z \
	    --lang en >r.en &&
	items r.en "Some persons are confirmed" >i1 &&
	echo "山田 花子 (主事): approved by someone who is not a registered Security Manager" >want &&
	test_cmp want i1 &&
	items r.en "Some active persons have no credential" >i2 &&
	echo "山田 花子 (主事): no credential (method: identification code and password)" >want &&
	test_cmp want i2 &&
	items r.en "The log records operations by persons" >i3 &&
	grep -Eqx "record [0-9]+, 2026-12-20 09:00, terminal vm, operator 鈴木 一郎: expired" i3 &&
	items r.en "Credential material of persons" >i4 &&
	echo "鈴木 一郎: the credential remains (method: identification code and password; expired)" >want &&
	test_cmp want i4 &&
	items r.en "Persons past their expiry date" >i5 &&
	echo "鈴木 一郎: expired 2026-12-11 00:00, not revoked" >want &&
	test_cmp want i5 &&
	grep -Eqx "record [0-9]+, 2026-12-20 09:05, terminal vm, operator not in the register \\(id ghost\\): unknown" i3 &&
	# approved by no manager: no exception in force, the gate admits
	# nobody on the row (auth-check(1)), so password-exceptions lists
	# only the manager
	! grep -q "approved by not in the register" r.en &&
	grep -qF "[PASS] 1 person(s) confirmed by identification code and password" r.en
'

test_expect_success 'the machine forms keep the ids as subjects' '
	D=$P && audit_run --now 2026-12-21T00:00:00Z --lang ja &&
	expect biometric-or-exception "FAIL a1" &&
	expect credential-present "WARN a1" &&
	expect stale-credentials "FAIL a2" &&
	expect expired-not-revoked "WARN a2" &&
	expect log-operators-authorized "FAIL a2 ghost" &&
	detail credential-present | grep -q " 主事 山田 花子: 照合情報がありません" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-12-21T00:00:00Z --format json >r.json &&
	python3 -c "import json
f={x[\"check\"]:x for x in json.load(open(\"r.json\"))[\"findings\"]}
i=f[\"log-operators-authorized\"][\"items\"]
assert [x[\"subject\"] for x in i]==[\"a2\",\"ghost\"], i
assert \"鈴木 一郎\" in i[0][\"text\"] and \"a2\" not in i[0][\"text\"], i
"
'

# A row whose name was blanked by hand is a damaged row (register-rows-
# complete); where another check names that person, it is by the row's
# place in the register, as register-rows-complete names it (header not
# counted), said to have no name: never an empty label, never the login
# id (issue 14).
test_expect_success 'a row without a name: named by its place in the register, said to have none' '
	rm -rf "$TMP/noname" && cp -a "$P" "$TMP/noname" && D=$TMP/noname &&
	regcol a1 name "" && regcol a1 title "" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-12-21T00:00:00Z --lang ja >r.ja &&
	grep -q "^      - 氏名の記載のない者(登録簿の 2 件目の行): 承認者" r.ja &&
	grep -q "^      - 登録簿の 2 件目の行: 氏名がありません" r.ja &&
	! grep -q "^      - : " r.ja &&
	! grep -E "(^|[^[:alnum:]])a1([^[:alnum:]]|\$)" r.ja &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-12-21T00:00:00Z --lang en >r.en &&
	grep -q "^      - a person with no name in the register (row 2): approved by" r.en &&
	! grep -q "^      - : " r.en
'

test_done
