#!/bin/sh
# incident-report new --type loss|theft|unauthorized-access (issue 14): the
# kinds that fit what happens (紛失, 盗難, 不正アクセス) beside the fault of
# Art. 8 and the leak.  A loss or a theft takes --persons (0 when no
# personal data was on it; without it the count is not known yet) and
# takes the APPI; it has no fault cause.
# The report says the kind in the regulation's words with the item of Art.
# 9(1) it falls under, in the municipality's numbers; CSV and JSON keep
# the id.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"

AT=2026-11-25T10:00:00Z N=--now=2026-11-25T10:00:00Z

test_expect_success '--help names every type the program accepts, in its order' '
	incident-report --help | sed -n "s/^ *--type=TYPE  *//p" >help &&
	test_must_fail 2 incident-report -d "$D" new -b boss --type flood --summary s 2>err &&
	sed -n "s/.*(valid: \(.*\), \([^,]*\))\$/\1 or \2/p" err >want &&
	test -s want && test_cmp want help
'

test_expect_success 'set up: a loss, a theft, two unauthorized accesses' '
	inc_state &&
	inew --type loss --persons 0 --nature negligence \
	    --summary "USB memory without personal data lost" >id &&
	test "$(cat id)" = 2026-0001 &&
	inew --type theft --persons 120 --unlawful-purpose \
	    --summary "notebook terminal stolen from the car" >id &&
	test "$(cat id)" = 2026-0002 &&
	inew --type unauthorized-access --nature misconduct --level 3 \
	    --summary "logins with a borrowed id" >id &&
	test "$(cat id)" = 2026-0003 &&
	inew --type unauthorized-access --persons 5 --sensitive \
	    --summary "records of five residents viewed without cause" >id &&
	test "$(cat id)" = 2026-0004 &&
	test "$(inc_log ok "^new type=theft cause= persons=120 ")" = 1 &&
	test "$(inc_log ok "^new type=unauthorized-access cause= detected=")" = 1
'

test_expect_success 'the Japanese report: the kind in words, its item of Art. 9(1), no fault cause, no id' '
	incident-report -d "$D" show 2026-0001 --lang ja $N >r1 &&
	grep -qx "事態の種別: 端末機、記録媒体又は書類の紛失によるデータの外部への漏えい又はそのおそれ(規程第9条第1項第2号)" r1 &&
	incident-report -d "$D" show 2026-0002 --lang ja $N >r2 &&
	grep -qx "事態の種別: 端末機、記録媒体又は書類の盗難によるデータの外部への漏えい又はそのおそれ(規程第9条第1項第2号)" r2 &&
	incident-report -d "$D" show 2026-0003 --lang ja $N >r3 &&
	grep -qx "事態の種別: 不正アクセス行為(総括責任者が必要と認める事態)(規程第9条第1項第3号)" r3 &&
	! grep -q "障害の原因" r1 r2 r3 &&
	! grep -n "loss\|theft\|unauthorized\|leak" r1 r2 r3
'

test_expect_success 'the English report says the same' '
	incident-report -d "$D" show 2026-0001 --lang en $N >e1 &&
	grep -qx "Type: Loss of a terminal, medium or document: data leaked outside, or at risk of it (Art. 9(1)(2))" e1 &&
	incident-report -d "$D" show 2026-0003 --lang en $N >e3 &&
	grep -qx "Type: Unauthorized access, deemed necessary by the General Security Manager (Art. 9(1)(3))" e3 &&
	! grep -q "^Cause:" e1 e3
'

test_expect_success 'the APPI section: a loss of no personal data has no duty, the theft has, the plain unauthorized access none' '
	grep -qx "  本人の数: 0人" r1 &&
	grep -qx "  報告義務: なし(該当事由なし)" r1 &&
	grep -q "^  報告義務: あり(不正の目的によるおそれ、本人の数が100人を超える)" r2 &&
	! grep -q "個人情報保護法第68条による報告" r3 &&
	incident-report -d "$D" show 2026-0004 --lang ja $N >r4 &&
	grep -q "^  報告義務: あり(要配慮個人情報)" r4 &&
	incident-report -d "$D" show 2026-0002 --format json $N >j2 &&
	json_true "d[\"appi\"][\"duty\"] is True and d[\"appi\"][\"persons\"] == 120" <j2 &&
	incident-report -d "$D" show 2026-0003 --format json $N >j3 &&
	json_true "d[\"appi\"] is None" <j3
'

test_expect_success 'the APPI steps: taken by the theft, refused for an access without persons' '
	istep 2026-0002 ppc-preliminary &&
	refused 2026-0003 ppc-preliminary "ppc-preliminary applies to incidents concerning personal data \(--persons\) only$"
'

test_expect_success 'CSV and JSON keep the id; the list shows the Japanese short name' '
	json_true "d[\"type\"] == \"theft\"" <j2 &&
	json_true "d[\"type\"] == \"unauthorized-access\"" <j3 &&
	incident-report -d "$D" list --format csv $N >l.csv &&
	test "$(mlr --icsv --onidx cut -f type l.csv | tr "\n" " ")" = \
	    "loss theft unauthorized-access unauthorized-access " &&
	incident-report -d "$D" list --format table --lang ja $N >l.ja &&
	grep -q "^2026-0001 .* 紛失 " l.ja && grep -q "^2026-0002 .* 盗難 " l.ja &&
	grep -q "^2026-0003 .* 不正アクセス " l.ja &&
	mlr --icsv --onidx filter "\$event == \"new\"" then cut -f type "$D/incidents.csv" >types &&
	test "$(tr "\n" " " <types)" = "loss theft unauthorized-access unauthorized-access "
'

test_expect_success 'a loss, a theft or an access is no fault: --cause is refused' '
	for t in loss theft unauthorized-access; do
		bad_new "^incident-report: --cause names the cause of a fault \(R8\): not for --type $t$" \
		    --type $t --cause other --persons 1 --summary s || return 1
	done
'

test_expect_success 'an access'"'"'s APPI grounds need --persons; the other kinds take none' '
	bad_new "^incident-report: --type unauthorized-access: --sensitive, --financial and --unlawful-purpose need --persons N \(personal data reached\)$" \
	    --type unauthorized-access --unlawful-purpose --summary s &&
	bad_new "apply to --type leak, loss, theft and unauthorized-access only$" \
	    --type other --persons 3 --summary s
'

test_expect_success 'the audit lists the kinds by their Japanese names' '
	jukisec-audit -d "$D" --now 2026-11-30T00:00:00Z --since 2026-11-01 --lang ja >a.ja;
	grep -q "2026-0001(紛失)" a.ja && grep -q "2026-0002(盗難)" a.ja &&
	grep -q "2026-0003(不正アクセス)" a.ja &&
	! grep -q "(loss)\|(theft)\|(unauthorized-access)" a.ja
'

test_expect_success 'an invented city: its article number for the kind' '
	cat "$SRCDIR/examples/municipality/wakabadai.conf" >>"$D/jukisec.conf" &&
	incident-report -d "$D" show 2026-0002 --lang ja $N >w2 &&
	grep -q "^事態の種別: 端末機、記録媒体又は書類の盗難による.*(管理運用規程第28条第1項第2号)$" w2 &&
	! grep -q "規程第9条" w2
'

test_done
