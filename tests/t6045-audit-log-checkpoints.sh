#!/bin/sh
# jukisec-audit reads log-prune checkpoints only by the rule of
# jukisec-log(5): operator "-" and action log-prune, which log-append
# refuses to write; with --key-file only checkpoints whose MACs verified
# count.  A plain record that looks like a checkpoint changes no finding
# (issue 10, finding 4).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"
. "$SRCDIR/tests/lib-prune.sh"

NOW=2026-11-20T12:00:00Z
# A log begun 2025-09-01 and never pruned: log-prune-recent FAILs.
D=$TMP/s
init_at "$D" "2025-09-01 00:00:00"
rec "$D" "2025-09-01 10:00:00" old 3
rec "$D" "2026-11-20 10:00:00" new 2
cp "$D/oplog.csv" clean.csv
cp "$D/oplog.head" clean.head
r6() { for c in log-retention log-prune-recent; do finding $c; done; }

test_expect_success 'never pruned: log-prune-recent FAILs, with and without the key' '
	audit_run --now $NOW && r6 >plain.txt &&
	grep -q "^FAIL log-prune" plain.txt &&
	audit_run --now $NOW --key-file "$D.key" && r6 >keyed.txt &&
	test_cmp plain.txt keyed.txt
'

test_expect_success 'log-append refuses a checkpoint (operator -, action log-prune)' '
	test_must_fail 2 at "2026-11-20 11:00:00" log-append -d "$D" -u - -a log-prune \
	    -o oplog.csv -r ok -m "cutoff=2025-11-20T00:00:00.000Z" 2>err &&
	one_line_matching err "reserved for the log.s own records" &&
	cmp clean.csv "$D/oplog.csv"
'

test_expect_success 'a plain record that reads like a checkpoint changes no finding' '
	at "2026-11-20 11:00:00" log-append -d "$D" -u clerk01 -a log-prune -o oplog.csv -r ok \
	    -m "note removed=0-3 cut_mac=$(printf %064d 0) cut_time=2025-09-01T10:00:00.000Z cutoff=2025-11-20T00:00:00.000Z retain_days=365 kept=3" &&
	audit_run --now $NOW && r6 >after.txt && test_cmp plain.txt after.txt &&
	audit_run --now $NOW --key-file "$D.key" && r6 >after.txt && test_cmp plain.txt after.txt &&
	expect log-verify "PASS "
'

test_expect_success 'records cut from the front by hand stay a FAIL despite it' '
	python3 -c "
import sys
l = open(sys.argv[1]).read().split(\"\n\")
open(sys.argv[1], \"w\").write(\"\n\".join(l[:1] + l[5:]))" "$D/oplog.csv" &&
	audit_run --now $NOW &&
	finding log-retention | grep -q "^FAIL seq 4" &&
	audit_run --now $NOW --key-file "$D.key" &&
	finding log-retention | grep -q "^FAIL " &&
	finding log-prune-recent | grep -q "^FAIL "
'

test_done
