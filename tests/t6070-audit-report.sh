#!/bin/sh
# jukisec-audit's three forms: the text document for the committee
# (R12(2)) in English and in Japanese with 和暦 dates, CSV read by mlr, JSON
# read by Python; all three carry the same findings.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

NOW=2026-11-26T09:30:00Z

test_expect_success 'set up' 'audit_state && add_pw suzuki'

test_expect_success 'text (English): title, date, directory, summary, articles in order' '
	jukisec-audit -d "$D" --now $NOW >r.txt &&
	sed -n 1p r.txt | grep -qx "Juki-net security measures: compliance report" &&
	grep -qx "Date:            2026-11-26 09:30 UTC" r.txt &&
	grep -qx "State directory: $D" r.txt &&
	grep -qx "Log verified:    no (no --key-file given)" r.txt &&
	grep -qx "Summary: 23 checks: 20 PASS, 3 WARN, 0 FAIL." r.txt &&
	grep "^[A-Z]" r.txt | sed -n "/^Article/p;/^State directory and/p" >heads &&
	cat >want <<-\EOW &&
	Article 5(1): the operator register
	Article 5(2): unauthorized access
	Article 5(3): biometric verification
	Article 5(4): nobody but registered operators
	Article 5(5): prompt change on personnel changes
	Article 6: operation history
	Article 9: serious incidents
	State directory and settings
	EOW
	test_cmp want heads &&
	sed -n "/^Needing action:/,/^\$/p" r.txt >act &&
	printf "Needing action:\n  [WARN] R5.1 register-active-manager\n  [WARN] R6 log-verify\n  [WARN] R6 log-prune-recent\n\n" >want &&
	test_cmp want act &&
	grep -q "^  \[WARN\] log-verify: Not verified (no --key-file)" r.txt &&
	grep -q "^      - boss: approved by boss, instructed 2026-11-01: no reader yet" r.txt &&
	tail -1 r.txt | grep -qx "End of report."
'

test_expect_success 'text (Japanese): --lang ja, 和暦 in local time' '
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now $NOW --lang ja >r.ja &&
	sed -n 1p r.ja | grep -qx "住基ネット セキュリティ対策 遵守状況報告書" &&
	grep -q "^作成日時: *令和8年11月26日 18:30 JST" r.ja &&
	grep -q "^概要: 点検 23 件 — 適合 20、要確認 3、不適合 0" r.ja &&
	grep -qx "対応を要する項目:" r.ja &&
	grep -qx "  \[要確認\] R6 log-prune-recent" r.ja &&
	grep -qx "第5条第3項 照合情報による確認" r.ja &&
	grep -q "^      - boss: 承認 boss、指示日 令和8年11月1日、理由 no reader yet" r.ja &&
	grep -q "^  \[適合\] register-readable: operators.csv を読み込めます" r.ja &&
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

test_expect_success 'CSV: header, one row per check, read by mlr' '
	jukisec-audit -d "$D" --now $NOW --format csv >r.csv &&
	sed -n 1p r.csv | grep -qx "rule,check,status,subjects,detail" &&
	test "$(mlr --icsv --ojson count r.csv | grep -o "[0-9][0-9]*")" = 23 &&
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
assert s[\"checks\"]==len(f)==23, s
for k in (\"pass\",\"warn\",\"fail\"):
    assert s[k]==sum(1 for x in f if x[\"status\"]==k.upper()), k
p=[x for x in f if x[\"check\"]==\"password-exceptions\"][0]
assert [i[\"subject\"] for i in p[\"items\"]]==[\"boss\",\"suzuki\"], p
" "$D"
'

test_expect_success 'the three forms carry the same checks in the same order' '
	mlr --icsv --onidx cut -f check r.csv >c1 &&
	python3 -c "import json; [print(x[\"check\"]) for x in json.load(open(\"r.json\"))[\"findings\"]]" >c2 &&
	test_cmp c1 c2 &&
	sed -n "s/^  \[[A-Z]*\] \([a-z0-9-]*\):.*/\1/p" r.txt | sort >c3 &&
	sort c1 >c1s && test_cmp c1s c3
'

test_expect_success 'JSON in Japanese keeps check names and statuses, escapes text' '
	jukisec-audit -d "$D" --now $NOW --format json --lang ja >j.json &&
	python3 -c "import json
r=json.load(open(\"j.json\"))
x=[f for f in r[\"findings\"] if f[\"check\"]==\"register-readable\"][0]
assert x[\"status\"]==\"PASS\" and \"登録簿\" not in x[\"check\"], x
assert x[\"summary\"].startswith(\"operators.csv を読み込めます\"), x
"
'

test_done
