#!/bin/sh
# APPI Art. 68 for personal-data leaks: when the duty applies (PPC Rules
# Art. 43 grounds), the preliminary (3 days, our choice within "about 3-5")
# and final (30 days, 60 with an unlawful purpose) deadlines at their
# boundaries, in local days, and list --overdue with --now.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"
# the instructions given before the registrations (not after their day)
INSTR_BOOT=2026-11-01 INSTR_PW=2026-11-01

AT=2026-11-01T12:00:00Z N=--now=2026-11-01T12:00:00Z
DET=--detected=2026-11-01T10:00:00Z

leak() { inew $DET --type leak --cause other --summary "leak" "$@"; }
appi() { incident-report -d "$D" show "$1" --format json | json_true "$2"; }
# overdue_ids NOW: ids listed by list --overdue (APPI only: hours huge).
overdue_ids() {
	incident-report -d "$D" list --overdue 100000 --format csv --now "$1" |
	mlr --icsv --onidx cut -f id | tr "\n" " "
}

test_expect_success 'set up' 'inc_state'

test_expect_success '100 persons and no other ground: no duty' '
	leak --persons 100 >id && test "$(cat id)" = 2026-0001 &&
	appi 2026-0001 "d[\"appi\"][\"duty\"] is False and d[\"appi\"][\"final_due\"] is None" &&
	appi 2026-0001 "not set(d[\"outstanding\"]) & {\"ppc-preliminary\",\"ppc-final\",\"persons-notified\"}"
'

test_expect_success 'more than 100 persons: duty (2026-0002)' '
	leak --persons 101 >id &&
	appi 2026-0002 "d[\"appi\"][\"duty\"] is True and d[\"appi\"][\"persons\"] == 101"
'

test_expect_success 'sensitive, financial or unlawful purpose: duty even for one person' '
	leak --persons 1 --sensitive >id &&
	appi 2026-0003 "d[\"appi\"][\"duty\"] and d[\"appi\"][\"sensitive\"]" &&
	leak --persons 1 --financial >id &&
	appi 2026-0004 "d[\"appi\"][\"duty\"] and d[\"appi\"][\"financial\"]" &&
	leak --persons 1 --unlawful-purpose >id &&
	appi 2026-0005 "d[\"appi\"][\"duty\"] and d[\"appi\"][\"unlawful_purpose\"]" &&
	incident-report -d "$D" show 2026-0003 --lang en $N | grep -q "^  Duty to report: yes (sensitive personal data)$" &&
	incident-report -d "$D" show 2026-0005 --lang ja $N | grep -q "^  報告義務: あり(不正の目的によるおそれ)$"
'

test_expect_success 'deadlines: day 3 and day 30 (day of detection = day 1), end of day' '
	appi 2026-0002 "d[\"appi\"][\"preliminary_due\"] == \"2026-11-03T23:59:59.999Z\"" &&
	appi 2026-0002 "d[\"appi\"][\"final_due\"] == \"2026-11-30T23:59:59.999Z\""
'

test_expect_success 'with an unlawful purpose the final report is due on day 60' '
	appi 2026-0005 "d[\"appi\"][\"final_due\"] == \"2026-12-30T23:59:59.999Z\""
'

test_expect_success 'deadlines follow local days (TZ=Asia/Tokyo)' '
	TZ=Asia/Tokyo incident-report -d "$D" show 2026-0002 --format json |
	json_true "d[\"appi\"][\"preliminary_due\"] == \"2026-11-03T14:59:59.999Z\"" &&
	TZ=Asia/Tokyo incident-report -d "$D" show 2026-0002 --lang ja $N >r &&
	grep -q "^  速報期限: 令和8年11月3日まで(検知日を1日目として3日目): 未了$" r
'

test_expect_success 'preliminary: not overdue at the last millisecond, overdue just after' '
	test "$(overdue_ids 2026-11-03T23:59:59.999Z)" = "" &&
	test "$(overdue_ids 2026-11-04T00:00:00.000Z)" = "2026-0002 2026-0003 2026-0004 2026-0005 " &&
	incident-report -d "$D" list --overdue 100000 --format json --now 2026-11-04T00:00:00Z |
	json_true "d[0][\"overdue\"] == [\"ppc-preliminary\"]"
'

test_expect_success 'final: overdue after day 30, the unlawful case only after day 60' '
	AT=2026-11-03T12:00:00Z istep 2026-0002 ppc-preliminary &&
	test "$(overdue_ids 2026-11-30T23:59:59.999Z)" = "2026-0003 2026-0004 2026-0005 " &&
	incident-report -d "$D" list --overdue 100000 --format json --now 2026-12-01T00:00:00Z |
	json_true "[(x[\"id\"], x[\"overdue\"]) for x in d] == [(\"2026-0002\", [\"ppc-final\"]), (\"2026-0003\", [\"ppc-preliminary\", \"ppc-final\"]), (\"2026-0004\", [\"ppc-preliminary\", \"ppc-final\"]), (\"2026-0005\", [\"ppc-preliminary\"])]" &&
	incident-report -d "$D" list --overdue 100000 --format json --now 2026-12-31T00:00:00Z |
	json_true "d[-1] [\"id\"] == \"2026-0005\" and d[-1][\"overdue\"] == [\"ppc-preliminary\", \"ppc-final\"]"
'

test_expect_success 'a report made in time or late says so' '
	incident-report -d "$D" show 2026-0002 --lang en --now 2026-11-05T00:00:00Z >r &&
	grep -q "^  Preliminary report due: 2026-11-03 (day 3 counting the day of detection): made 2026-11-03 12:00, in time$" r &&
	AT=2026-11-04T00:00:00Z istep 2026-0003 ppc-preliminary &&
	incident-report -d "$D" show 2026-0003 --lang ja --now 2026-11-05T00:00:00Z >r &&
	grep -q "^  速報期限: 令和8年11月3日まで(検知日を1日目として3日目): 令和8年11月4日 00:00 済(期限後)$" r
'

test_expect_success 'a final report without a preliminary one answers both' '
	AT=2026-11-10T00:00:00Z istep 2026-0004 ppc-final &&
	appi 2026-0004 "not set(d[\"outstanding\"]) & {\"ppc-preliminary\", \"ppc-final\"}" &&
	cp "$D/incidents.csv" before &&
	AT=2026-11-10T00:00:00Z test_must_fail 2 istep 2026-0004 ppc-preliminary 2>err &&
	one_line_matching err "ppc-preliminary after ppc-final$" &&
	cmp before "$D/incidents.csv"
'

test_expect_success 'closing a leak with the duty needs the APPI steps (or --force)' '
	AT=2026-11-10T00:00:00Z test_must_fail 2 istep 2026-0002 closed 2>err &&
	grep -q "ppc-final persons-notified" err
'

test_expect_success 'without the duty the APPI steps may still be recorded (voluntary)' '
	istep 2026-0001 ppc-preliminary --at 2026-11-02T00:00:00Z &&
	istep 2026-0001 persons-notified --at 2026-11-02T00:00:00Z &&
	incident-report -d "$D" show 2026-0001 --lang en --now 2026-11-02T00:00:00Z >r &&
	grep -q "^  Duty to report: none of the grounds given$" r &&
	grep -q "^  Persons notified: 2026-11-02 00:00$" r
'

test_expect_success 'the report says the tool gives no legal advice' '
	incident-report -d "$D" show 2026-0002 --lang en $N | grep -q "it gives no legal advice" &&
	incident-report -d "$D" show 2026-0002 --lang ja $N | grep -q "法的助言を行うものではありません"
'

# SPEC's new has no --persons: a leak whose count is not known yet is
# recorded, and until the count is known the duty is taken to apply (it
# may exceed 100): the deadlines run, the APPI steps are outstanding,
# list --overdue shows them.
test_expect_success 'a leak without --persons: the count not known yet, the duty applies' '
	leak >id && test "$(cat id)" = 2026-0006 &&
	test "$(inc_log ok "^new type=leak cause=other detected=")" = 1 &&
	appi 2026-0006 "d[\"appi\"][\"persons\"] is None and d[\"appi\"][\"duty\"] is True" &&
	appi 2026-0006 "d[\"appi\"][\"preliminary_due\"] == \"2026-11-03T23:59:59.999Z\"" &&
	appi 2026-0006 "set(d[\"outstanding\"]) >= {\"ppc-preliminary\", \"ppc-final\", \"persons-notified\"}" &&
	incident-report -d "$D" show 2026-0006 --lang en $N >r &&
	grep -q "^  Persons concerned: not known yet$" r &&
	grep -q "^  Duty to report: yes (the number of persons not known yet)$" r &&
	incident-report -d "$D" show 2026-0006 --lang ja $N >r &&
	grep -q "^  本人の数: 未確定$" r &&
	grep -q "^  報告義務: あり(本人の数が未確定)$" r &&
	overdue_ids 2026-11-04T00:00:00.000Z | grep -q "2026-0006 " &&
	istep 2026-0006 ppc-preliminary --at 2026-11-02T00:00:00Z
'

test_expect_success 'a loss or theft without --persons takes the APPI grounds; an access needs the count' '
	inew $DET --type theft --unlawful-purpose --summary "stolen" >id &&
	appi "$(cat id)" "d[\"appi\"][\"final_due\"] == \"2026-12-30T23:59:59.999Z\"" &&
	bad_new "^incident-report: --type unauthorized-access: --sensitive, --financial and --unlawful-purpose need --persons N \(personal data reached\)$" \
	    --type unauthorized-access --sensitive --summary s
'

# A local day whose end, the next midnight, comes twice (America/Havana
# sets its clocks back from 01:00 to 00:00): the day ends at the first,
# for a deadline (day 3 is 31 October 2026) as for an expiry date.
test_expect_success 'a day whose midnight comes twice ends at the first one' '
	inew --detected=2026-10-29T16:00:00Z --type leak --cause other \
	    --persons 150 --summary havana >idh &&
	TZ=America/Havana incident-report -d "$D" show "$(cat idh)" --format json |
	json_true "d[\"appi\"][\"preliminary_due\"] == \"2026-11-01T03:59:59.999Z\"" &&
	(TZ=America/Havana && export TZ && at_AT add_pw hv -e 2027-11-06) &&
	test "$(field hv expires)" = 2027-11-07T04:00:00.000Z
'

test_done
