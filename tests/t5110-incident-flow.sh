#!/bin/sh
# incident-report step, the R9 flow: every step recorded with its time and
# who, disconnection and reconnection, closing with or without --force, the
# worked example of the man page (R9.1-R9.3).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"

AT=2026-11-25T12:00:00Z N=--now=2026-11-25T12:00:00Z
D0=--detected=2026-11-25T09:00:00Z

test_expect_success 'set up: a manager and an unrecoverable fault' '
	inc_state &&
	inew $D0 --type unrecoverable --cause earthquake --summary "CS down" >id &&
	test "$(cat id)" = 2026-0001
'

test_expect_success 'the R9 flow: every step is recorded with its time and who' '
	istep 2026-0001 jlis-contacted --at 2026-11-25T09:05:00Z &&
	istep 2026-0001 vendor-contacted --at 2026-11-25T09:06:00Z --note "maintenance desk" &&
	istep 2026-0001 mayor-reported --at 2026-11-25T09:10:00Z &&
	istep 2026-0001 general-manager-reported --at 2026-11-25T09:11:00Z &&
	istep 2026-0001 investigated --at 2026-11-25T09:30:00Z &&
	istep 2026-0001 disconnected --at 2026-11-25T09:40:00Z --note "unauthorised traffic; rights at risk" &&
	istep 2026-0001 reconnected --at 2026-11-25T11:00:00Z &&
	istep 2026-0001 committee-reported --at 2026-11-25T11:30:00Z &&
	istep 2026-0001 pic-committee-reported &&
	test "$(rows 2026-0001)" = 10 &&
	incident-report -d "$D" show 2026-0001 --format json >j &&
	json_true "[e[\"step\"] for e in d[\"events\"]] == [\"jlis-contacted\",\"vendor-contacted\",\"mayor-reported\",\"general-manager-reported\",\"investigated\",\"disconnected\",\"reconnected\",\"committee-reported\",\"pic-committee-reported\"]" <j &&
	json_true "all(e[\"by\"] == \"boss\" for e in d[\"events\"])" <j &&
	json_true "d[\"events\"][5][\"at\"] == \"2026-11-25T09:40:00.000Z\" and d[\"events\"][5][\"note\"].startswith(\"unauthorised\")" <j &&
	json_true "d[\"events\"][8][\"at\"] == \"2026-11-25T12:00:00.000Z\"" <j &&
	json_true "d[\"outstanding\"] == [] and d[\"disconnected\"] is False" <j
'

test_expect_success 'disconnected needs the Mayor'"'"'s grounds; not twice in a row' '
	inew $D0 --type other --cause other --summary second >id2 &&
	istep 2026-0002 mayor-reported --at 2026-11-25T09:50:00Z &&
	refused 2026-0002 disconnected "disconnected needs --note with the Mayor.s grounds \(R9.2\)$" &&
	istep 2026-0002 disconnected --at 2026-11-25T10:00:00Z --note "rights at risk" &&
	refused 2026-0002 disconnected "already disconnected$" --note again &&
	refused 2026-0002 reconnected "--at is before the disconnection$" --at 2026-11-25T09:59:00Z
'

test_expect_success 'while disconnected, reconnected is outstanding' '
	incident-report -d "$D" show 2026-0002 --format json |
	json_true "\"reconnected\" in d[\"outstanding\"] and d[\"disconnected\"]"
'

test_expect_success 'a complete flow closes without --force' '
	istep 2026-0001 closed &&
	incident-report -d "$D" show 2026-0001 --format json |
	json_true "d[\"status\"] == \"closed\""
'

test_expect_success 'any step on a closed incident is refused' '
	for s in jlis-contacted mayor-reported closed; do
		refused 2026-0001 $s "^incident-report: 2026-0001 $s: incident 2026-0001 was closed at 2026-11-25T12:00:00.000Z$" || return 1
	done
'

# R12(2)(4)'s countermeasures are often decided after the incident is
# closed: the one step a closed incident still takes, so that the report
# the Mayor signs does not say 未了 there for good.
test_expect_success 'countermeasures may be given after closed, no other step' '
	incident-report -d "$D" show 2026-0001 --format json |
	json_true "\"countermeasures\" not in d[\"outstanding\"]" &&
	incident-report -d "$D" show 2026-0001 --lang ja $N >r &&
	grep -A1 "再発防止策・今後の対応" r | grep -q "未了" &&
	istep 2026-0001 countermeasures --note "procedure revised" &&
	incident-report -d "$D" show 2026-0001 --lang ja $N >r &&
	! grep -A1 "再発防止策・今後の対応" r | grep -q "未了" &&
	grep -A1 "再発防止策・今後の対応" r | grep -q "procedure revised" &&
	incident-report -d "$D" show 2026-0001 --format json |
	json_true "d[\"status\"] == \"closed\" and d[\"events\"][-1][\"step\"] == \"countermeasures\"" &&
	refused 2026-0001 countermeasures "countermeasures needs --note saying what is done to prevent a recurrence \(R12\)$" &&
	refused 2026-0001 investigated "^incident-report: 2026-0001 investigated: incident 2026-0001 was closed at 2026-11-25T12:00:00.000Z$"
'

test_expect_success '--force with a note closes with steps outstanding, and says so' '
	istep 2026-0002 closed --force --note "handed over to the prefecture" &&
	incident-report -d "$D" show 2026-0002 --lang en $N >r &&
	grep -q "note (closed with outstanding steps): handed over to the prefecture" r &&
	grep -q "^Status: closed" r &&
	incident-report -d "$D" show 2026-0002 --format json |
	json_true "d[\"events\"][-1][\"forced\"] is True and \"jlis-contacted\" in d[\"outstanding\"]"
'

test_expect_success 'each step is an operation-log record with its time' '
	test "$(inc_log ok "^step=disconnected at=2026-11-25T09:40:00.000Z note=unauthorised")" = 1 &&
	test "$(inc_log ok "^step=closed at=2026-11-25T12:00:00.000Z forced note=handed")" = 1 &&
	test "$(inc_log ok "^step=")" = 14
'

test_expect_success 'steps other than those checked may repeat (a second report)' '
	inew $D0 --type other --cause fire --summary third >id3 &&
	istep 2026-0003 mayor-reported --at 2026-11-25T10:00:00Z &&
	istep 2026-0003 mayor-reported --note "update: cause found" &&
	test "$(rows 2026-0003)" = 3
'

test_expect_success 'a wrong password records nothing: exit 1' '
	cp "$D/incidents.csv" before &&
	printf "nope-nope-1\n" >"$TMP/pw.bad" && chmod 600 "$TMP/pw.bad" &&
	test_must_fail 1 at_AT incident-report -d "$D" -b boss --by-password-fd 3 step 2026-0003 \
	    --step vendor-contacted 3<"$TMP/pw.bad" 2>err &&
	cmp "$D/incidents.csv" before
'

test_expect_success 'the worked example of incident-report(1) runs as written' '
	AT=2026-11-28T00:00:00Z &&
	inew --detected 2026-11-25T01:00:00Z --type leak --cause other --nature misconduct \
	    --level 3 --persons 120 --summary "USB memory with resident records lost" >id &&
	x=$(cat id) &&
	test_must_fail 2 istep $x reconnected 2>err &&
	one_line_matching err "^incident-report: $x reconnected: reconnected before disconnected$" &&
	istep $x jlis-contacted --at 2026-11-25T10:15:00+09:00 &&
	for s in vendor-contacted mayor-reported general-manager-reported investigated; do
		istep $x $s || return 1
	done &&
	istep $x disconnected --note "rights clearly at risk: CS disconnected by order of the Mayor" &&
	istep $x ppc-preliminary &&
	istep $x reconnected &&
	test_must_fail 2 istep $x closed 2>err &&
	one_line_matching err "^incident-report: $x closed: cannot close: still outstanding: committee-reported pic-committee-reported ppc-final persons-notified \(--force with --note to close anyway\)$" &&
	for s in committee-reported pic-committee-reported ppc-final persons-notified closed; do
		istep $x $s || return 1
	done &&
	incident-report -d "$D" show $x --format json | json_true "d[\"status\"] == \"closed\" and d[\"outstanding\"] == []"
'

test_expect_success 'the operation log still verifies; incidents.csv is 0600' '
	chmod 600 "$D.key" && log-verify -d "$D" -k "$D.key" --now 2026-11-28T00:00:01Z &&
	test "$(stat -c %a "$D/incidents.csv")" = 600
'

# The rules compare the --at times, not only the order of recording: the
# reviewer's record (every command exit 0) had the Mayor investigate at
# 10:00 and order the disconnection at 09:30 though told at 15:00.
AT=2026-12-05T00:00:00+09:00
test_expect_success 'a step dated before a step it depends on is refused and logged' '
	inew --type leak --persons 200 --summary order \
	    --detected 2026-12-04T09:00:00+09:00 >id.order &&
	x=$(cat id.order) &&
	istep $x mayor-reported --at 2026-12-04T15:00:00+09:00 &&
	refused $x investigated "^incident-report: $x investigated: --at is before mayor-reported \(2026-12-04T06:00:00.000Z\)$" \
	    --at 2026-12-04T10:00:00+09:00 &&
	refused $x disconnected "^incident-report: $x disconnected: --at is before mayor-reported \(2026-12-04T06:00:00.000Z\)$" \
	    --note order --at 2026-12-04T09:30:00+09:00 &&
	test "$(inc_log refused "^step=investigated --at is before mayor-reported \(2026-12-04T06:00:00.000Z\)$")" = 1 &&
	test "$(inc_log refused "^step=disconnected --at is before mayor-reported")" = 1 &&
	istep $x mayor-reported --at 2026-12-04T16:00:00+09:00 --note "second report" &&
	istep $x investigated --at 2026-12-04T15:00:00+09:00 &&
	istep $x general-manager-reported --at 2026-12-04T16:00:00+09:00 &&
	for s in committee-reported pic-committee-reported; do
		refused $x $s "^incident-report: $x $s: --at is before general-manager-reported \(2026-12-04T07:00:00.000Z\)$" \
		    --at 2026-12-04T11:00:00+09:00 || return 1
	done &&
	istep $x committee-reported --at 2026-12-04T16:00:00+09:00 &&
	istep $x ppc-preliminary --at 2026-12-04T14:00:00+09:00 &&
	refused $x ppc-final "^incident-report: $x ppc-final: --at is before ppc-preliminary \(2026-12-04T05:00:00.000Z\)$" \
	    --at 2026-12-04T12:00:00+09:00 &&
	istep $x ppc-final --at 2026-12-04T14:00:00+09:00 &&
	refused $x ppc-preliminary "^incident-report: $x ppc-preliminary: ppc-preliminary after ppc-final$" \
	    --at 2026-12-04T13:00:00+09:00 &&
	incident-report -d "$D" show $x --format json >j &&
	json_true "[e[\"step\"] for e in d[\"events\"]] == [\"mayor-reported\",\"mayor-reported\",\"investigated\",\"general-manager-reported\",\"committee-reported\",\"ppc-preliminary\",\"ppc-final\"]" <j
'

test_expect_success 'a disconnection dated before the last reconnection is refused' '
	x=$(cat id.order) &&
	istep $x disconnected --note "first order" --at 2026-12-04T17:00:00+09:00 &&
	refused $x reconnected "^incident-report: $x reconnected: --at is before the disconnection$" \
	    --at 2026-12-04T16:30:00+09:00 &&
	istep $x reconnected --at 2026-12-04T18:00:00+09:00 &&
	refused $x disconnected "^incident-report: $x disconnected: --at is before reconnected \(2026-12-04T09:00:00.000Z\)$" \
	    --note "second order" --at 2026-12-04T17:30:00+09:00 &&
	istep $x disconnected --note "second order" --at 2026-12-04T18:00:00+09:00 &&
	istep $x reconnected --at 2026-12-04T19:00:00+09:00
'

# Nothing follows closed but countermeasures (decided before or after the
# close, recorded whenever): a close dated before a step it ends is not.
test_expect_success 'closed dated before a step recorded is refused, --force or not' '
	x=$(cat id.order) &&
	refused $x closed "^incident-report: $x closed: --at is before reconnected \(2026-12-04T10:00:00.000Z\)$" \
	    --force --note "handed over" --at 2026-12-04T18:30:00+09:00 &&
	istep $x countermeasures --note "new procedure" --at 2026-12-04T23:00:00+09:00 &&
	istep $x closed --force --note "handed over" --at 2026-12-04T19:00:00+09:00 &&
	istep $x countermeasures --note "decided before the close" --at 2026-12-04T18:30:00+09:00 &&
	refused $x countermeasures "^incident-report: $x countermeasures: --at is before the incident was detected \(2026-12-04T00:00:00.000Z\)$" \
	    --note "too early" --at 2026-12-04T08:00:00+09:00 &&
	incident-report -d "$D" show $x --format json |
	json_true "d[\"status\"] == \"closed\""
'

# The R9 flow: reconnected is outstanding while disconnected, also after
# an earlier reconnection: the CS disconnected again is not answered by
# it, and closing waits for the new one (or --force).
test_expect_success 'disconnected again after a reconnection: reconnected outstanding again' '
	inew $D0 --type other --cause other --summary third >id3 && y=$(cat id3) &&
	istep $y mayor-reported --at 2026-11-25T09:50:00Z &&
	istep $y disconnected --at 2026-11-25T10:00:00Z --note "rights at risk" &&
	istep $y reconnected --at 2026-11-25T10:30:00Z &&
	incident-report -d "$D" show $y --format json |
	json_true "\"reconnected\" not in d[\"outstanding\"] and not d[\"disconnected\"]" &&
	istep $y disconnected --at 2026-11-25T10:40:00Z --note "again" &&
	incident-report -d "$D" show $y --format json >j &&
	json_true "\"reconnected\" in d[\"outstanding\"] and d[\"disconnected\"]" <j &&
	incident-report -d "$D" show $y --lang en >t &&
	grep -q "^  \[  \] reconnected" t &&
	for s in jlis-contacted vendor-contacted general-manager-reported investigated \
	    committee-reported pic-committee-reported; do
		istep $y $s || return 1
	done &&
	test_must_fail 2 istep $y closed 2>err &&
	one_line_matching err "cannot close: still outstanding: reconnected " &&
	istep $y reconnected --at 2026-11-25T11:50:00Z &&
	istep $y closed
'

# incident-report(1): what is overdue, in list and in show, is an APPI
# report past its deadline, whatever the format, on an incident closed
# with --force too (the audit tells that one apart as closed without).
test_expect_success 'a report past its deadline on a forced close: overdue in every format' '
	inew $D0 --type leak --persons 150 --summary "forced, report missing" >id4 &&
	z=$(cat id4) && istep $z closed --force --note "given up" &&
	L=--now=2027-02-01T00:00:00Z &&
	incident-report -d "$D" show $z --lang en $L >t &&
	grep -q "^  Final report due: .*: OVERDUE" t &&
	incident-report -d "$D" show $z --format csv $L >c &&
	grep -q "^$z,ppc-final,overdue," c &&
	incident-report -d "$D" show $z --format json $L |
	json_true "\"ppc-final\" in d[\"overdue\"] and d[\"status\"] == \"closed\"" &&
	incident-report -d "$D" list --format json $L |
	json_true "\"ppc-final\" in [i for i in d if i[\"id\"] == \"$z\"][0][\"overdue\"]" &&
	incident-report -d "$D" list --overdue 24 --format csv $L >l &&
	! grep -q "^$z," l
'

test_done
