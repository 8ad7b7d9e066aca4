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
	! grep -q "$D" r.txt &&
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
	grep -q "^作成日時: *令和8年11月26日 18:30 JST" r.ja &&
	grep -qx "対象期間: 令和8年10月1日から令和8年10月31日まで" r.ja &&
	grep -q "^概要: 点検 25 件 — 適合 22、要確認 3、不適合 0" r.ja &&
	grep -qx "対応を要する項目:" r.ja &&
	grep -q "^  \[要確認\] 規程第6条 操作履歴の保存 — 保存期間経過後の記録の整理はまだ" r.ja &&
	grep -qx "規程第5条第3項 照合情報による確認" r.ja &&
	grep -q "^      - Boss: 承認者 Boss、指示日 令和8年11月1日、理由 no reader yet" r.ja &&
	! grep -q "register-readable\|log-prune-recent\|R6" r.ja &&
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

test_done
