#!/bin/sh
# incident-report list: table, CSV and JSON; --open; --overdue HOURS with
# --now (the immediate R9.1 reports to the Mayor and the General Security
# Manager, still missing HOURS after detection).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"

AT=2026-11-25T09:30:00Z N=--now=2026-11-25T09:30:00Z
ls_() { incident-report -d "$D" list "$@"; }

test_expect_success 'set up: an empty list is just the header' '
	inc_state &&
	ls_ --lang en >t && test "$(cat t)" = "ID  STATUS  TYPE  DETECTED  OUTSTANDING  OVERDUE  SUMMARY" &&
	ls_ --format csv >c && test "$(cat c)" = "id,status,type,cause,detected,reported,by,disconnected,outstanding,overdue,summary" &&
	ls_ --format json >j && test "$(cat j)" = "[]"
'

test_expect_success 'three incidents: unreported, reported, closed' '
	inew --detected 2026-11-25T09:00:00Z --type unrecoverable --cause fire --summary "A, unreported" &&
	inew --detected 2026-11-25T09:00:00Z --type other --cause water --summary "B reported" &&
	istep 2026-0002 mayor-reported &&
	inew --detected 2026-11-25T09:00:00Z --type other --cause climate --summary "C closed" &&
	istep 2026-0003 closed --force --note "false alarm" >/dev/null
'

test_expect_success 'the table lists all three, aligned, in English or Japanese' '
	ls_ --lang en --now 2026-11-25T09:30:00Z >t &&
	test "$(wc -l <t)" = 4 &&
	grep -q "^2026-0001  open    unrecoverable  2026-11-25 09:00  7            -        A, unreported$" t &&
	grep -q "^2026-0003  closed  other          2026-11-25 09:00  7            -        C closed$" t &&
	ls_ --lang ja --now 2026-11-25T09:30:00Z >t &&
	head -1 t | grep -q "^番号       状態    種別      検知日時               未了  期限超過  概要$" &&
	grep -q "^2026-0001  対応中  回復不能  令和8年11月25日 09:00  7     -         A, unreported$" t &&
	grep -q "^2026-0002  対応中  その他    令和8年11月25日 09:00  6     -         B reported$" t
'

# The locale variables that name a path are removed at start (ENVIRONMENT):
# the table's default language is read after, as the messages' is.
test_expect_success 'a locale variable naming a path does not choose the table language' '
	env -u LC_MESSAGES LC_ALL=/x LANG=ja_JP.UTF-8 incident-report -d "$D" list >t &&
	head -1 t | grep -q "^番号  *状態  " &&
	env -u LC_MESSAGES LC_ALL=ja/x LANG=C incident-report -d "$D" list >t &&
	head -1 t | grep -q "^ID  *STATUS  " &&
	env -u LC_MESSAGES LC_ALL=ja/x LANG=C incident-report -d "$D" list --lang ja >t &&
	head -1 t | grep -q "^番号  *状態  "
'

test_expect_success '--open leaves the closed one out' '
	ls_ --open --format csv >c &&
	test "$(mlr --icsv --onidx cut -f id c | tr "\n" " ")" = "2026-0001 2026-0002 "
'

test_expect_success '--overdue 2: nothing at 1:59:59.999 after detection' '
	ls_ --overdue 2 --format csv --now 2026-11-25T10:59:59.999Z >c &&
	test "$(wc -l <c)" = 1
'

test_expect_success '--overdue 2: at two hours the missing reports are late' '
	ls_ --overdue 2 --format json --now 2026-11-25T11:00:00Z >j &&
	json_true "[(x[\"id\"], x[\"overdue\"]) for x in d] == [(\"2026-0001\", [\"mayor-reported\", \"general-manager-reported\"]), (\"2026-0002\", [\"general-manager-reported\"])]" <j &&
	ls_ --overdue 2 --lang en --now 2026-11-25T11:00:00Z >t &&
	grep -q "^2026-0001 .* mayor-reported,general-manager-reported  A, unreported$" t
'

test_expect_success 'a report recorded removes the incident from --overdue' '
	AT=2026-11-25T11:00:00Z istep 2026-0002 general-manager-reported &&
	ls_ --overdue 2 --format csv --now 2026-11-25T11:00:00Z >c &&
	test "$(mlr --icsv --onidx cut -f id c)" = 2026-0001
'

test_expect_success 'the CSV is read by python csv and mlr; the JSON by python json' '
	ls_ --format csv --now 2026-11-25T11:00:00Z >c &&
	python3 -c "import csv,sys
rows = list(csv.DictReader(open(sys.argv[1], newline=\"\")))
assert [r[\"summary\"] for r in rows] == [\"A, unreported\", \"B reported\", \"C closed\"], rows
assert rows[2][\"status\"] == \"closed\" and rows[0][\"disconnected\"] == \"no\"" c &&
	test "$(mlr --icsv --onidx filter "\$status == \"open\"" then count c)" = 2 &&
	ls_ --format json >j &&
	json_true "len(d) == 3 and d[0][\"summary\"] == \"A, unreported\" and d[2][\"status\"] == \"closed\"" <j
'

test_expect_success 'an incident without a cause: empty in the CSV, null in the JSON, as in show' '
	inew --detected 2026-11-25T09:00:00Z --type leak --persons 1 --summary "D no cause" >/dev/null &&
	ls_ --format csv >c &&
	test "$(mlr --icsv --onidx filter "\$id == \"2026-0004\"" then cut -f cause c)" = "" &&
	test "$(mlr --icsv --onidx filter "\$id == \"2026-0001\"" then cut -f cause c)" = fire &&
	ls_ --format json >j &&
	json_true "d[3][\"id\"] == \"2026-0004\" and d[3][\"cause\"] is None and d[0][\"cause\"] == \"fire\"" <j &&
	json_true "all(list(x) == \"$(head -1 c | tr , " ")\".split() for x in d)" <j &&
	incident-report -d "$D" show 2026-0004 --format json >j &&
	json_true "d[\"cause\"] is None" <j
'

# The Japanese table names the steps as the 報告書 does (issue 14: no
# English id in a Japanese document); CSV and JSON keep the step names.
test_expect_success 'the Japanese table names the overdue steps in Japanese, joined with 、' '
	inew --detected 2026-11-25T09:00:00Z --type theft --unlawful-purpose --summary "E stolen" >/dev/null &&
	ls_ --overdue 2 --lang ja --now 2027-01-30T00:00:00Z >t &&
	grep -q "^2026-0001 .*  市長へ報告、総括責任者へ報告  *A, unreported$" t &&
	grep -q "^2026-0005 .*  市長へ報告、総括責任者へ報告、個人情報保護委員会へ速報、個人情報保護委員会へ確報  E stolen$" t &&
	! grep -E "[a-z]-[a-z]|ppc|mayor|manager" t &&
	ls_ --overdue 2 --lang ja --format csv --now 2027-01-30T00:00:00Z >c &&
	test "$(mlr --icsv --onidx filter "\$id == \"2026-0005\"" then cut -f overdue c)" = "mayor-reported general-manager-reported ppc-preliminary ppc-final" &&
	ls_ --overdue 2 --lang ja --format json --now 2027-01-30T00:00:00Z >j &&
	json_true "d[0][\"overdue\"] == [\"mayor-reported\", \"general-manager-reported\"]" <j
'

# A municipality's name in half-width kana is one column a character
# (wcwidth, text.c), not two: the Japanese table's summaries start under
# its heading.
test_expect_success 'the Japanese table stays aligned with a name in half-width kana' '
	cp "$D/jukisec.conf" conf.save &&
	echo "mayor = ｺｸﾌﾞﾝｼﾞ市長 | Mayor" >>"$D/jukisec.conf" &&
	ls_ --overdue 2 --lang ja --now 2027-01-30T00:00:00Z >t;
	cp conf.save "$D/jukisec.conf" &&
	grep -q "^2026-0001 .*  ｺｸﾌﾞﾝｼﾞ市長へ報告、総括責任者へ報告  *A, unreported$" t &&
	python3 -c "import sys, unicodedata as u
def w(s): return sum(2 if u.east_asian_width(c) in \"WF\" else 1 for c in s)
t = open(sys.argv[1], encoding=\"utf-8\").read().splitlines()
at = [w(l[:l.index(m)]) for l, m in zip(t, [\"概要\", \"A, unreported\", \"D no cause\", \"E stolen\"])]
assert len(set(at)) == 1, at" t || { cat t; false; }
'

test_expect_success 'bad --overdue values and options of other modes are refused' '
	test_must_fail 2 ls_ --overdue -1 2>err &&
	one_line_matching err "^incident-report: --overdue -1: too small" &&
	test_must_fail 2 ls_ --overdue soon 2>err &&
	one_line_matching err "^incident-report: --overdue soon: invalid" &&
	test_must_fail 2 ls_ --format text 2>err &&
	one_line_matching err "^incident-report: --format text: not with list$" &&
	test_must_fail 2 incident-report -d "$D" show 2026-0001 --overdue 2 2>err && grep -q "^usage:" err &&
	test_must_fail 2 ls_ extra 2>err && grep -q "^usage:" err
'

test_expect_success '--overdue HOURS: decimal digits, no sign, no leading zero' '
	for h in +2 02 -0 " 2" 2.0 1e3 0x2; do
		test_must_fail 2 ls_ --overdue "$h" >out 2>err &&
		test ! -s out &&
		grep -q "^incident-report: --overdue $h: invalid (0-100000)\$" err &&
		test "$(grep -c "^incident-report:" err)" = 1 || return 1
	done &&
	ls_ --overdue 0 --format csv >/dev/null
'

# The synopsis gives show and list no -t: they write no record that could
# name a terminal, so -t is refused as every option of another mode is.
test_expect_success 'show and list refuse -t and --terminal, as they refuse -b' '
	for t in "-t cs01" "--terminal=cs01" "-tcs01"; do
		test_must_fail 2 ls_ $t >out 2>err &&
		test ! -s out &&
		grep -q "^incident-report: --terminal: not with list\$" err &&
		grep -q "^usage:" err &&
		test_must_fail 2 incident-report -d "$D" $t show 2026-0001 >out 2>err &&
		test ! -s out &&
		grep -q "^incident-report: --terminal: not with show\$" err &&
		grep -q "^usage:" err || return 1
	done &&
	JUKISEC_TERMINAL=cs01 ls_ --format csv >/dev/null &&
	JUKISEC_TERMINAL=cs01 incident-report -d "$D" show 2026-0001 >/dev/null
'

test_done
