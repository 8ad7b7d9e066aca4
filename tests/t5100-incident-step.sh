#!/bin/sh
# incident-report step: the contradictions of the R9 flow are refused with
# exit 2 and the reason, nothing recorded, the refusal logged (R9.1-R9.3).
# The flow itself: t5110.
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

test_expect_success 'the step needs --step, a valid id and a known step' '
	test_must_fail 2 irb step 2026-0001 2>err && grep -q "^usage:" err &&
	test_must_fail 2 irb step --step closed 2>err && grep -q "^usage:" err &&
	refused 2026-0001 sideways "^incident-report: --step sideways: unknown \(valid: jlis-contacted, vendor-contacted, mayor-reported, general-manager-reported, investigated, disconnected, reconnected, committee-reported, pic-committee-reported, closed, ppc-preliminary, ppc-final, persons-notified, countermeasures\)$" &&
	refused 26-1 jlis-contacted "^incident-report: 26-1: not an incident id \(YYYY-NNNN\)$"
'

test_expect_success 'a step on an unknown incident: exit 1' '
	test_must_fail 1 istep 2026-0099 jlis-contacted 2>err &&
	one_line_matching err "^incident-report: 2026-0099: no such incident$"
'

# A usage error is no attempt: the manager is not asked (a wrong password
# is not even read) and nothing is logged, neither auth nor incident.
test_expect_success 'an unknown or malformed incident id: refused before the manager is asked' '
	cp "$D/oplog.csv" log.before &&
	printf "wrong-password\n" >"$TMP/pw.bad" && chmod 600 "$TMP/pw.bad" &&
	test_must_fail 1 at_AT incident-report -d "$D" -b boss --by-password-fd 3 \
	    step 2026-0099 --step jlis-contacted 3<"$TMP/pw.bad" 2>err &&
	one_line_matching err "^incident-report: 2026-0099: no such incident$" &&
	test_must_fail 2 at_AT incident-report -d "$D" -b boss --by-password-fd 3 \
	    step 26-1 --step jlis-contacted 3<"$TMP/pw.bad" 2>err &&
	one_line_matching err "^incident-report: 26-1: not an incident id \(YYYY-NNNN\)$" &&
	cmp "$D/oplog.csv" log.before
'

test_expect_success 'investigated and disconnected before mayor-reported are refused (R9.2)' '
	refused 2026-0001 investigated "^incident-report: 2026-0001 investigated: investigated before mayor-reported" &&
	refused 2026-0001 disconnected "disconnected before mayor-reported: the Mayor orders it on the report \(R9.2\)$" --note grounds
'

test_expect_success 'committee reports before general-manager-reported are refused (R9.3)' '
	refused 2026-0001 committee-reported "committee-reported before general-manager-reported" &&
	refused 2026-0001 pic-committee-reported "pic-committee-reported before general-manager-reported"
'

test_expect_success 'reconnected before disconnected is refused' '
	refused 2026-0001 reconnected "^incident-report: 2026-0001 reconnected: reconnected before disconnected$"
'

test_expect_success 'APPI steps on an incident concerning no personal data are refused' '
	for s in ppc-preliminary ppc-final persons-notified; do
		refused 2026-0001 $s "$s applies to incidents concerning personal data \(--persons\) only$" || return 1
	done
'

test_expect_success '--at before detection or in the future is refused' '
	refused 2026-0001 jlis-contacted "--at is before the incident was detected \(2026-11-25T09:00:00.000Z\)$" \
	    --at 2026-11-25T08:59:59.999Z &&
	refused 2026-0001 jlis-contacted "--at is in the future$" --at 2026-11-25T12:00:00.001Z
'

test_expect_success 'a note with a line break, or too long, is refused' '
	refused 2026-0001 jlis-contacted "^incident-report: --note: contains a line break$" --note "a
b" &&
	refused 2026-0001 jlis-contacted "^incident-report: --note: longer than 1024 bytes$" \
	    --note "$(python3 -c "print(\"x\" * 1025)")"
'

test_expect_success 'closing with steps outstanding is refused and lists them' '
	refused 2026-0001 closed "cannot close: still outstanding: jlis-contacted vendor-contacted mayor-reported general-manager-reported investigated committee-reported pic-committee-reported \(--force with --note to close anyway\)$"
'

test_expect_success '--force is for closed only, and needs a note' '
	refused 2026-0001 jlis-contacted "--force applies to --step closed only$" --force &&
	refused 2026-0001 closed "--force needs --note saying why$" --force
'

test_expect_success 'each refusal the record makes was logged with result refused' '
	test "$(inc_log refused "^step=")" = 11 &&
	test "$(inc_log refused "^step=.* --force")" = 0
'

# What depends on the request alone is a usage error (nothing asked,
# nothing logged), as a bad --note is: --force with another step than
# closed, and the note that disconnected, countermeasures and a forced
# close need.  The wrong password would make it exit 1 if it were asked.
test_expect_success 'a step wrong in itself is refused before the manager is asked' '
	cp "$D/oplog.csv" log.before && cp "$D/incidents.csv" before &&
	printf "wrong-password\n" >"$TMP/pw.bad" && chmod 600 "$TMP/pw.bad" &&
	for a in "investigated --force:--force applies to --step closed only" \
	    "closed --force:--force needs --note saying why" \
	    "countermeasures:countermeasures needs --note saying what is done to prevent a recurrence \(R12\)" \
	    "disconnected:disconnected needs --note with the Mayor.s grounds \(R9.2\)"; do
		s=${a%%:*} &&
		test_must_fail 2 at_AT incident-report -d "$D" -b boss --by-password-fd 3 \
		    step 2026-0001 --step $s 3<"$TMP/pw.bad" >out 2>err &&
		one_line_matching err "^incident-report: 2026-0001 ${s%% *}: ${a#*:}\$" &&
		test ! -s out || return 1
	done &&
	cmp "$D/oplog.csv" log.before && cmp "$D/incidents.csv" before
'

# Spaces only (U+3000 too) say nothing: a note that is required is missing.
test_expect_success 'a note of blanks is no note' '
	cp "$D/oplog.csv" log.before &&
	for b in " " "   " "　" " 　 "; do
		refused 2026-0001 closed "^incident-report: 2026-0001 closed: --force needs --note saying why\$" \
		    --force --note "$b" &&
		refused 2026-0001 countermeasures "countermeasures needs --note saying what is done to prevent a recurrence \(R12\)\$" \
		    --note "$b" &&
		refused 2026-0001 disconnected "disconnected needs --note with the Mayor.s grounds \(R9.2\)\$" \
		    --note "$b" || return 1
	done &&
	cmp "$D/oplog.csv" log.before &&
	istep 2026-0001 jlis-contacted --note " 　" &&
	incident-report -d "$D" show 2026-0001 --format json |
	json_true "d[\"events\"][-1][\"step\"] == \"jlis-contacted\" and d[\"events\"][-1][\"note\"] == \"\"" &&
	test "$(inc_log ok "^step=jlis-contacted at=[^ ]*\$")" = 1
'

# A step row is read back by the rules step checks, against the rows of
# its incident before it: what step would refuse is left out, and so is
# a later row that only a row left out allowed.
add_row() {
	python3 - "$D/incidents.csv" "$@" <<-\EOF
	import csv, sys
	p, i, s, rec, at, note, forced = sys.argv[1:]
	with open(p, "a", newline="") as f:
	    csv.writer(f, lineterminator="\n").writerow(
	        [i, s, rec, "boss", at] + [""] * 11 + [note, forced])
	EOF
}

# step_left_out FIELD REASON STEP [AT [NOTE [FORCED]]]: that row added by
# hand to 2026-0002 (recorded at noon) is left out by list and show, one
# line naming FIELD and REASON; the file put back after.
step_left_out() {
	_f=$1 _r=$2; shift 2
	cp "$D/incidents.csv" good &&
	add_row 2026-0002 "$1" 2026-11-25T12:00:00.000Z "${2:-2026-11-25T10:00:00.000Z}" \
	    "${3:-}" "${4:-no}" &&
	_n=$(wc -l <"$D/incidents.csv") &&
	incident-report -d "$D" list --format csv >l 2>err &&
	one_line_matching err "incidents.csv:$_n: field $_f: $_r \(row left out\)\$" &&
	incident-report -d "$D" show 2026-0002 --format json >j 2>err &&
	one_line_matching err "incidents.csv:$_n: field $_f: $_r \(row left out\)\$" &&
	json_true "d[\"events\"] == []" <j &&
	cp good "$D/incidents.csv" && chmod 600 "$D/incidents.csv"
}

test_expect_success 'a step row step would refuse is left out when read back' '
	AT=2026-11-25T12:00:00Z inew $D0 --type other --cause other --summary second >id &&
	test "$(cat id)" = 2026-0002 &&
	step_left_out note "disconnected needs --note with the Mayor.s grounds \(R9.2\)" disconnected &&
	step_left_out note "disconnected needs --note with the Mayor.s grounds \(R9.2\)" disconnected "" "   " &&
	step_left_out event "disconnected before mayor-reported: the Mayor orders it on the report \(R9.2\)" \
	    disconnected "" grounds &&
	step_left_out note "countermeasures needs --note saying what is done to prevent a recurrence \(R12\)" \
	    countermeasures "" "　" &&
	step_left_out forced "--force applies to --step closed only" investigated "" "" yes &&
	step_left_out note "--force needs --note saying why" closed "" " " yes &&
	step_left_out event "cannot close: still outstanding: jlis-contacted vendor-contacted mayor-reported general-manager-reported investigated committee-reported pic-committee-reported \(--force with --note to close anyway\)" closed &&
	step_left_out event "--at is before the incident was detected \(2026-11-25T09:00:00.000Z\)" \
	    jlis-contacted 2026-11-25T08:59:59.999Z &&
	step_left_out event "--at is in the future" jlis-contacted 2026-11-25T12:00:00.001Z &&
	step_left_out event "ppc-final applies to incidents concerning personal data \(--persons\) only" ppc-final
'

test_expect_success 'a row that only a row left out allowed is left out too, each said' '
	cp "$D/incidents.csv" good &&
	add_row 2026-0002 mayor-reported 2026-11-25T12:00:00.000Z 2026-11-25T10:00:00.000Z "" maybe &&
	add_row 2026-0002 investigated 2026-11-25T12:00:00.000Z 2026-11-25T10:00:00.000Z "" no &&
	add_row 2026-0002 jlis-contacted 2026-11-25T12:00:00.000Z 2026-11-25T10:00:00.000Z " 　" no &&
	n=$(wc -l <"$D/incidents.csv") &&
	incident-report -d "$D" show 2026-0002 --format json >j 2>err &&
	test "$(wc -l <err)" = 2 &&
	grep -q "incidents.csv:$((n - 2)): field forced: not yes or no (row left out)\$" err &&
	grep -q "incidents.csv:$((n - 1)): field event: investigated before mayor-reported: .* (row left out)\$" err &&
	json_true "[(e[\"step\"], e[\"note\"]) for e in d[\"events\"]] == [(\"jlis-contacted\", \"\")]" <j &&
	cp good "$D/incidents.csv" && chmod 600 "$D/incidents.csv"
'

test_done
