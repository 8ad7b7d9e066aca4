#!/bin/sh
# Crashes of incident writes (tests/lib-crash.sh): incident-report new and
# step, each killed before every one of its steps in turn.  After each
# kill incidents.csv reads, the incident or the step is there whole or
# not at all, and the next incident gets an id no incident had (R9.1).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"
. "$SRCDIR/tests/lib-crash.sh"

AT=2026-11-25T12:00:00Z
# The log's own torn writes are t1050's; incidents.csv is written by rename.
crash_untorn='oplog.*'

test_expect_success 'set up: a manager and one incident' '
	inc_state &&
	inew --detected=2026-11-25T09:00:00Z --type unrecoverable --cause earthquake \
	    --summary "CS down" >id && test "$(cat id)" = 2026-0001 &&
	cp -a "$D" "$TMP/saved"
'

new() { irb new --detected=2026-11-25T10:00:00Z --type other --cause fire --summary second; }
step() { irb step 2026-0001 --step jlis-contacted; }

# ids: the incidents' ids, one a line, read strictly by incident-report.
ids() {
	at_AT incident-report -d "$D" list --format csv >"$TMP/list" &&
	awk -F, 'NR > 1 { print $1 }' "$TMP/list"
}

# after_crash WHAT: the incidents read; the change is whole or absent
# (new: 2026-0002 with its summary, or no such incident; step: 2026-0001
# with or without jlis-contacted); the next new incident gets a fresh id.
after_crash() {
	ids >before &&
	case $1 in
	new) if grep -qx 2026-0002 before; then
		at_AT incident-report -d "$D" show 2026-0002 | grep -q "second"
	     else test "$(wc -l <before)" -eq 1; fi ;;
	step) at_AT incident-report -d "$D" show 2026-0001 --format json >show &&
	     { grep -q "jlis-contacted" show || ! grep -q "jlis-contacted" "$D/incidents.csv"; } ;;
	esac &&
	irb new --type other --cause water --summary next >nid &&
	! grep -qx "$(cat nid)" before &&
	echo "step $crash_step: $(tr "\n" " " <before)then $(cat nid)"
}

test_expect_success 'incident-report new: a kill at every step' '
	crash_every "$TMP/saved" "$D" "after_crash new" new
'
crash_say

test_expect_success 'incident-report step: a kill at every step' '
	crash_every "$TMP/saved" "$D" "after_crash step" step
'
crash_say

test_done
