#!/bin/sh
# Concurrency: eight steps on one incident at once are all recorded, and
# eight new incidents at once get eight distinct ids (the register lock
# around read-check-replace of incidents.csv).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"

AT=2026-11-25T12:00:00Z N=--now=2026-11-25T12:00:00Z

test_expect_success 'set up: an incident reported to the Mayor and the General Security Manager' '
	inc_state &&
	inew --detected 2026-11-25T09:00:00Z --type unrecoverable --cause lightning --summary "CS struck" &&
	istep 2026-0001 mayor-reported &&
	istep 2026-0001 general-manager-reported
'

test_expect_success 'eight concurrent steps are all recorded, none torn' '
	i=0 &&
	for s in jlis-contacted vendor-contacted mayor-reported general-manager-reported \
	    investigated committee-reported pic-committee-reported jlis-contacted; do
		i=$((i + 1))
		istep 2026-0001 $s --note "parallel $i" >out.$i 2>err.$i &
	done &&
	wait &&
	cat err.* &&
	test "$(rows 2026-0001)" = 11 &&
	for i in 1 2 3 4 5 6 7 8; do
		test "$(grep -c ",parallel $i,no\$" "$D/incidents.csv")" = 1 || return 1
	done &&
	incident-report -d "$D" show 2026-0001 --format json |
	json_true "len(d[\"events\"]) == 10 and d[\"outstanding\"] == []" &&
	test "$(inc_log ok "^step=.* note=parallel [1-8]$")" = 8
'

test_expect_success 'eight concurrent new incidents get eight distinct ids' '
	for i in 1 2 3 4 5 6 7 8; do
		inew --type other --cause other --summary "burst $i" >id.$i 2>err.$i &
	done &&
	wait &&
	cat err.* &&
	test "$(cat id.* | sort | tr "\n" " ")" = "2026-0002 2026-0003 2026-0004 2026-0005 2026-0006 2026-0007 2026-0008 2026-0009 " &&
	test "$(mlr --icsv --onidx filter "\$event == \"new\"" then count "$D/incidents.csv")" = 9
'

test_done
