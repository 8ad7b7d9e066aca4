#!/bin/sh
# Crashes of incident writes (tests/lib-crash.sh): incident-report new and
# step, each killed before every one of its steps in turn.  After each
# kill incidents.csv reads, the incident or the step is there whole or
# not at all, and the next incident gets an id no incident had (R9.1);
# after that next writer every event has its one log record (R6, through
# incidents.pending) and no temporary file is left.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"
. "$SRCDIR/tests/lib-crash.sh"
. "$SRCDIR/tests/lib-audit.sh"

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

# ids: the incidents' ids, one a line, read strictly by incident-report
# (the reading tools take the clock as --now; a libfaketime start and an
# awk per call cost more, in the loops below, than the tool).
ids() {
	incident-report -d "$D" list --now "$AT" --format csv >"$TMP/list" &&
	{ read -r _h && while IFS=, read -r _i _r; do echo "$_i"; done; } <"$TMP/list"
}

# one_record_each: every event has exactly one record, and every record
# its event: each event row of incidents.csv as "ID new" or "ID step=STEP
# at=AT", and each incident record with result ok in the log alike, from
# its detail, counted up and down in one csv_awk (the two sorted lists
# and their diff were six processes, in every crash case); there are
# events, and what is left over is said.
one_record_each() {
	csv_awk 'FILENAME == ARGV[1] && F[1] != "incident" && NF_ > 4 {
	    n[F[1] " " (F[2] == "new" ? "new" : "step=" F[2] " at=" F[5])]++; e++ }
	FILENAME == ARGV[2] && NF_ > 7 && F[5] == "incident" && F[7] == "ok" {
	    split(F[8], w, " "); n[F[6] " " (w[1] == "new" ? "new" : w[1] " " w[2])]-- }
	END { if (!e) { print "no event"; bad = 1 }
	    for (k in n) if (n[k]) { bad = 1
		print (n[k] > 0 ? "events without their record: " : "records without their event: ") k }
	    exit bad }' "$D/incidents.csv" "$D/oplog.csv" >&2
}

# after_crash WHAT: the incidents read; the change is whole or absent
# (new: 2026-0002 with its summary, or no such incident; step: 2026-0001
# with or without jlis-contacted); the next new incident gets a fresh id,
# and after it each event has its one record and no temporary file or
# note is left.
after_crash() {
	ids >before &&
	_ids= _n=0 && while read -r _i; do _ids="$_ids$_i " _n=$((_n + 1)); done <before &&
	case $1 in
	new) if grep -qx 2026-0002 before; then
		incident-report -d "$D" show 2026-0002 --now "$AT" | grep -q "second"
	     else test $_n -eq 1; fi ;;
	step) incident-report -d "$D" show 2026-0001 --now "$AT" --format json >show &&
	     { grep -q "jlis-contacted" show || ! grep -q "jlis-contacted" "$D/incidents.csv"; } ;;
	esac &&
	irb new --type other --cause water --summary next >nid &&
	read -r nid <nid && case " $_ids" in *" $nid "*) false ;; esac &&
	one_record_each && no_tmp "$D" && ! test -e "$D/incidents.pending" &&
	echo "step $crash_step: ${_ids}then $nid"
}

test_expect_success 'incident-report new: a kill at every step' '
	crash_every "$TMP/saved" "$D" "after_crash new" new
'
crash_say

test_expect_success 'incident-report step: a kill at every step' '
	crash_every "$TMP/saved" "$D" "after_crash step" step
'
crash_say

# fault_said WHAT: an exit 3 after the event went into incidents.csv says
# it is recorded (else a manager who trusts the status records it twice),
# and one before says nothing of the kind.
fault_said() {
	case $1 in
	new) _in=$(ids | grep -cx 2026-0002) ;;
	step) _in=$(grep -c "^2026-0001,jlis-contacted," "$D/incidents.csv") ;;
	esac
	if [ "$_in" -gt 0 ]; then
		grep -q "; .*2026-000[12] [a-z-]*[: ].*do not record it again\$" "$TMP/fail.err"
	else
		! grep -q "do not record it again" "$TMP/fail.err"
	fi || { echo "$fail_step: in=$_in: $(cat "$TMP/fail.err")" >&2; return 1; }
}

# A disk that fails one step or one sync (fail_every): exit 3 in one line
# naming the file, the manager's count untouched, the log verifying, and
# then all a kill must leave (after_crash).
after_fault() {
	test "$fail_rc" = 3 &&
	one_line_matching "$TMP/fail.err" "^incident-report: $D(/[a-z.-]+)?: " &&
	fault_said "$1" &&
	test "$(field boss failed)" = 0 &&
	log-verify -d "$D" -k "$D.key" --now "$AT" >/dev/null &&
	crash_step=$fail_step after_crash "$1" >/dev/null
}

test_expect_success 'incident-report new and step: every step and sync failing (EIO)' '
	fail_every "$TMP/saved" "$D" EIO "after_fault new" new &&
	fail_every "$TMP/saved" "$D" EIO "after_fault step" step
'

# The settlements one by one (jukisec-log(5), "Register changes", as for
# the register's operators.pending): kill_step CALL PATH runs the step
# from the saved state, killed before its step CALL PATH (the first such
# step after incidents.pending is written).
kill_step() {
	crash_after "$TMP/saved" "$D" "incidents.pending\$" "$1" "$2" step &&
	test -e "$D/incidents.pending"
}
jlis_records() { grep -c ",boss,incident,2026-0001,ok,step=jlis-contacted at=" "$D/oplog.csv"; }

# inc_item: the audit's words on incidents.pending under incidents-open
# (the committee is told what the note means until the next writer).
inc_item() {
	audit_run --now 2026-11-25T12:00:01Z &&
	finding incidents-open | grep -q "^WARN incidents.pending" &&
	detail incidents-open | grep -qF "incidents.pending: $1"
}

test_expect_success 'killed after incidents.csv, before its record: the next step logs it first' '
	kill_step write "oplog.csv\$" &&
	test "$(jlis_records)" -eq 0 &&
	inc_item "an event whose operation-log record is not settled (a writer was interrupted); the next incident-report new or step settles it" &&
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now 2026-11-25T12:00:01Z --lang ja >r.ja;
	grep -qx "      - 操作履歴への記録が確定していない事態の記録があります(書込みが中断されました)。次に事態又は対応を記録する際に確定します" r.ja &&
	ja_words r.ja &&
	irb step 2026-0001 --step vendor-contacted &&
	! test -e "$D/incidents.pending" &&
	test "$(jlis_records)" -eq 1 &&
	one_record_each &&
	grep ",incident,2026-0001,ok,step=" "$D/oplog.csv" | cut -d, -f8 | cut -d" " -f1 >order &&
	printf "step=jlis-contacted\nstep=vendor-contacted\n" | test_cmp - order &&
	at_AT log-verify -d "$D" -k "$D.key" >/dev/null
'

test_expect_success 'killed after the record, before the note went: not logged twice' '
	kill_step unlinkat "incidents.pending\$" &&
	test "$(jlis_records)" -eq 1 &&
	irb step 2026-0001 --step vendor-contacted &&
	! test -e "$D/incidents.pending" &&
	test "$(jlis_records)" -eq 1 && one_record_each
'

test_expect_success 'killed before incidents.csv: the note goes, nothing is logged for it' '
	kill_step renameat "incidents.csv\$" &&
	test -e "$D/.tmp-incidents.csv" &&
	inc_item "an interrupted incident-report new or step was not made; record it again (the next new or step removes the note)" &&
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now 2026-11-25T12:00:01Z --lang ja >r.ja;
	grep -qx "      - 事態又は対応を記録する書込みが中断され、記録されていません。改めて記録してください(次の記録の際に控えは削除されます)" r.ja &&
	ja_words r.ja &&
	cp "$D/oplog.csv" log.before &&
	irb new --type other --cause water --summary next >nid &&
	test "$(cat nid)" = 2026-0002 &&
	! test -e "$D/incidents.pending" && no_tmp "$D" &&
	test "$(jlis_records)" -eq 0 && ! grep -q "jlis-contacted" "$D/incidents.csv" &&
	test "$(diff log.before "$D/oplog.csv" | grep -c "^>")" -eq 2 &&
	one_record_each
'

# The note is settled under the lock that counted the manager's attempt,
# after its record: a log that cannot take a record refuses the attempt
# first (the gate's line, or the refused file's), so nothing of the note
# is settled, as for the register's (t2606): incidents.csv, the note and
# the log as the kill left them, until the log is put right.
test_expect_success 'killed after incidents.csv, before its record; oplog.key open to its group: nothing settled' '
	kill_step write "oplog.csv\$" && chmod 640 "$D/oplog.key" &&
	for f in incidents.csv incidents.pending oplog.csv oplog.head; do
		cp "$D/$f" "$f.before" || exit 1
	done &&
	test_must_fail 3 irb step 2026-0001 --step vendor-contacted 2>err &&
	echo "incident-report: $D/oplog.key: readable by group or others; chmod 600 it" >want &&
	test_cmp want err &&
	for f in incidents.csv incidents.pending oplog.csv oplog.head; do
		cmp "$f.before" "$D/$f" || exit 1
	done &&
	chmod 600 "$D/oplog.key" && irb step 2026-0001 --step vendor-contacted &&
	! test -e "$D/incidents.pending" && test "$(jlis_records)" -eq 1 &&
	one_record_each
'

test_expect_success 'an incidents.csv that is neither before nor after: refused, note kept' '
	kill_step write "oplog.csv\$" &&
	sed -i "s/CS down/CS up/" "$D/incidents.csv" &&
	cp "$D/incidents.csv" inc.before && cp "$D/oplog.csv" log.before &&
	test_must_fail 3 irb step 2026-0001 --step vendor-contacted 2>err &&
	one_line_matching err "^incident-report: $D/incidents.pending: incidents.csv is neither the one before nor the one after the event it names; look at both, then remove it\$" &&
	test -e "$D/incidents.pending" && cmp "$D/incidents.csv" inc.before &&
	! grep -q "vendor-contacted" "$D/oplog.csv"
'

test_expect_success 'a note that does not parse: refused, note kept' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" &&
	printf "jukisec-incident-pending v1 seq=3 before=zz\n" >"$D/incidents.pending" &&
	chmod 600 "$D/incidents.pending" &&
	cp "$D/incidents.csv" inc.before &&
	test_must_fail 3 irb new --type other --cause water --summary next 2>err >out &&
	one_line_matching err "^incident-report: $D/incidents.pending: not a pending incident event; look at it and incidents.csv, then remove it\$" &&
	test ! -s out && test -e "$D/incidents.pending" && cmp "$D/incidents.csv" inc.before
'

# No writer leaves an empty note (written to its temporary name, synced,
# then renamed): an empty one is damage, refused as one that does not
# parse, never taken for no note, which would leave the event in force
# without its record; the audit says the writers' refusal.
test_expect_success 'an empty note: refused, note kept; the audit says so' '
	kill_step write "oplog.csv\$" && : >"$D/incidents.pending" &&
	cp "$D/incidents.csv" inc.before && cp "$D/oplog.csv" log.before &&
	test_must_fail 3 irb step 2026-0001 --step vendor-contacted 2>err &&
	one_line_matching err "^incident-report: $D/incidents.pending: not a pending incident event; look at it and incidents.csv, then remove it\$" &&
	test_must_fail 3 irb new --type other --cause water --summary next 2>err >out &&
	test ! -s out &&
	test -e "$D/incidents.pending" && cmp "$D/incidents.csv" inc.before &&
	! diff log.before "$D/oplog.csv" | grep -q ",incident," &&
	inc_item "not a pending incident event; look at it and incidents.csv, then remove it"
'

test_done
