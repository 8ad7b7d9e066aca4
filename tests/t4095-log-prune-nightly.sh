#!/bin/sh
# A year of nightly prunes acted out at a few points in time (faketime):
# every real run of log-prune leaves a record in the log, also when it
# removes nothing, and jukisec-audit's log-prune-recent reads the newest
# one: PASS in the first year and on quiet days a year later, FAIL after
# a gap longer than audit_prune_max_age_days (issue 17, item 4).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"
. "$SRCDIR/tests/lib-prune.sh"

D=$TMP/s A=$TMP/arch.csv
init_at "$D" "2025-01-01 00:00:00"
rec "$D" "2025-01-01 10:00:00" day1 3

# nightly TIME: cron's seal and prune at TIME, quiet (as shipped: -v only
# goes to the log of the job); its output in night.out/night.err.
nightly() { prune "$D" "$1" -t cs01 -a "$A" >night.out 2>night.err; }
# last_prune: the detail of the log's last record, which must be a
# log-prune record (operator -) of terminal cs01 dated $1.
last_is_prune() {
	tail -1 "$D/oplog.csv" | awk -F, -v t="$1" '
	    $2 == t && $3 == "cs01" && $4 == "-" && $5 == "log-prune" &&
	    $6 == "oplog.csv" && $7 == "ok" { print $8; f = 1 } END { exit !f }'
}
indep() { python3 "$SRCDIR/tests/indepverify.py" "$@"; }

test_expect_success 'day 1: the nightly prune removes nothing, prints nothing, exits 0' '
	nightly 2025-01-02T03:00:00Z &&
	test ! -s night.out && test ! -s night.err &&
	has "$D" day1 && test "$(seqs "$A" | wc -l)" -eq 0
'

test_expect_success 'day 1: it leaves a log-prune record, removed=0 and its cutoff' '
	last_is_prune 2025-01-02T03:00:00.000Z >detail.txt &&
	echo "removed=0 cutoff=2024-01-02T03:00:00.000Z retain_days=365" >want.txt &&
	test_cmp want.txt detail.txt
'

test_expect_success 'the record verifies: log-verify and the independent verifier' '
	verify "$D" 2025-01-02T04:00:00Z >out.txt &&
	grep -q "^ok: " out.txt && ! grep -q pruned out.txt &&
	indep --now 2025-01-02T04:00:00Z --dir "$D" "$D.key" >iv.txt &&
	grep -q "^ok " iv.txt &&
	verify "$D" 2025-01-02T04:00:00Z "$A" "$D/oplog.csv" >/dev/null
'

test_expect_success 'day 1: log-prune-recent PASSes, with and without the key' '
	audit_run --now 2025-01-02T12:00:00Z &&
	expect log-prune-recent "PASS " &&
	detail log-prune-recent | grep -q "last ran on 2025-01-02 03:00 (nothing was removed)" &&
	audit_run --now 2025-01-02T12:00:00Z --key-file "$D.key" &&
	expect log-verify "PASS " && expect log-prune-recent "PASS "
'

test_expect_success 'a dry run leaves no record' '
	cp "$D/oplog.csv" before.csv &&
	at 2025-01-02T05:00:00Z log-prune -n -d "$D" >dry.txt &&
	grep -q "^nothing before 2024-01-02T05:00:00.000Z to remove" dry.txt &&
	cmp before.csv "$D/oplog.csv"
'

test_expect_success 'day 200: nothing old yet; the audit the next day PASSes' '
	rec "$D" 2025-07-19T10:00:00Z day200 2 &&
	nightly 2025-07-20T03:00:00Z &&
	test ! -s night.out && test ! -s night.err &&
	last_is_prune 2025-07-20T03:00:00.000Z | grep -q "^removed=0 cutoff=2024-07-20T03:00:00.000Z " &&
	audit_run --now 2025-07-21T09:00:00Z --key-file "$D.key" &&
	expect log-verify "PASS " && expect log-prune-recent "PASS " &&
	detail log-prune-recent | grep -q "last ran on 2025-07-20 03:00"
'

test_expect_success 'first year, the job stopped for more than 3 days: FAIL' '
	at 2025-07-24T03:00:00Z log-append -d "$D" --seal &&
	audit_run --now 2025-07-24T09:00:00Z --key-file "$D.key" &&
	test "$ast" -eq 1 &&
	expect log-prune-recent "FAIL log-prune" &&
	detail log-prune-recent | grep -q "last run 2025-07-20 03:00, more than 3 days ago" &&
	audit_run --now 2025-07-24T09:00:00Z &&
	expect log-prune-recent "FAIL log-prune"
'

test_expect_success 'day 400: the first records go, behind a checkpoint' '
	rec "$D" 2026-01-28T10:00:00Z busy 2 &&
	nightly 2026-02-04T03:00:00Z &&
	! has "$D" day1 && has "$D" day200 && grep -q ",day1," "$A" &&
	last_is_prune 2026-02-04T03:00:00.000Z | grep -q "^removed=0-[0-9]* cut_mac="
'

# A quiet week a year on: nothing but the seals, one a day, reaches the
# cutoff; too short to be removed alone (log-prune(1)), so most nights
# remove nothing.
test_expect_success 'a quiet week a year on: each night leaves its record' '
	: >kinds.txt &&
	for day in 05 06 07 08 09 10 11; do
		prune "$D" 2026-02-${day}T03:00:00Z -v -t cs01 -a "$A" >night.out 2>&1 &&
		last_is_prune 2026-02-${day}T03:00:00.000Z | cut -d" " -f1 >>kinds.txt &&
		audit_run --now 2026-02-${day}T09:00:00Z &&
		expect log-prune-recent "PASS " || return 1
	done &&
	grep -qx "removed=0" kinds.txt &&
	test "$(grep -c "^removed=0$" kinds.txt)" -ge 4
'

test_expect_success 'a year on, after a quiet night: PASS with the key, the log verifies' '
	audit_run --now 2026-02-11T09:00:00Z --key-file "$D.key" &&
	expect log-verify "PASS " && expect log-retention "PASS " &&
	expect log-prune-recent "PASS " &&
	indep --now 2026-02-11T09:00:00Z --dir "$D" "$D.key" >iv.txt &&
	grep -q "^ok " iv.txt &&
	verify "$D" 2026-02-11T09:00:00Z "$A" "$D/oplog.csv" >/dev/null
'

test_expect_success 'a gap of 4 nights a year on: FAIL; 14 days allowed: PASS' '
	at 2026-02-15T03:00:00Z log-append -d "$D" --seal &&
	audit_run --now 2026-02-15T09:00:00Z --key-file "$D.key" &&
	test "$ast" -eq 1 &&
	expect log-prune-recent "FAIL log-prune" &&
	detail log-prune-recent | grep -q "last run 2026-02-11 03:00, more than 3 days ago" &&
	conf_set "$D" audit_prune_max_age_days 14 &&
	audit_run --now 2026-02-15T09:00:00Z --key-file "$D.key" &&
	expect log-prune-recent "PASS "
'

test_expect_success 'with the key, an unverified log-prune record does not count' '
	conf_set "$D" audit_prune_max_age_days 3 &&
	last=$(tail -1 "$D/oplog.csv") &&
	seq=$(echo "$last" | cut -d, -f1) && ep=$(echo "$last" | cut -d, -f9) &&
	echo "$((seq + 1)),2026-02-15T03:00:00.000Z,cs01,-,log-prune,oplog.csv,ok,removed=0 cutoff=2025-02-15T03:00:00.000Z retain_days=365,$ep,$(printf %064d 0)" >>"$D/oplog.csv" &&
	audit_run --now 2026-02-15T09:00:00Z --key-file "$D.key" &&
	expect log-verify "FAIL seq $((seq + 1))" &&
	finding log-prune-recent | grep -q "^FAIL oplog.csv"
'

test_done
