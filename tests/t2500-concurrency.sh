#!/bin/sh
# Concurrent register changes and attempts: nothing lost (R5.1), every
# failure counted (R5.2; pam_faillock lost counts this way, PR #1016).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

test_expect_success 'set up' 'reg_state && bootstrap && add_pw tanaka && pw wrong Not-The-Pw-42'

test_expect_success '4 parallel operator-add of different ids: all present, intact' '
	for i in 1 2 3 4; do pw p$i "p$i-secret-1"; done &&
	for i in 1 2 3 4; do
		operator-add -d "$D" -b boss --by-password-fd 4 -i p$i -n "並行 $i" \
		    -m password --reason r --instructions-given 2026-11-01 \
		    --password-fd 3 3<"$TMP/pw.p$i" 4<"$TMP/pw.boss" >out.$i 2>&1 &
	done; wait &&
	for i in 1 2 3 4; do test "$(field p$i name)" = "並行 $i" || exit 1; done &&
	test "$(operator-list -d "$D" -f csv | wc -l)" = 7 &&
	for i in 1 2 3 4; do auth p$i "$TMP/pw.p$i" || exit 1; done &&
	test "$(log_count operator-add ok "role=operator")" = 5
'

test_expect_success '20 parallel wrong passwords: all 20 counted and logged' '
	for i in $(seq 20); do
		auth tanaka "$TMP/pw.wrong" 2>/dev/null &
	done; wait;
	test "$(field tanaka failed)" = 20 &&
	test -n "$(field tanaka locked_at)" &&
	python3 -c "import csv,sys
n = sum(1 for r in csv.reader(open(sys.argv[1], newline=\"\"))
        if len(r) > 7 and r[4] == \"auth\" and r[5] == \"tanaka\" and r[6] in (\"denied\", \"locked\"))
sys.exit(0 if n == 20 else 1)" "$D/oplog.csv"
'

test_expect_success 'parallel successes and failures of different people do not mix' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -u 4<"$TMP/pw.boss" &&
	for i in 1 2 3 4; do
		auth p$i "$TMP/pw.p$i" & auth tanaka "$TMP/pw.wrong" 2>/dev/null &
	done; wait;
	test "$(field tanaka failed)" = 4 &&
	for i in 1 2 3 4; do test "$(field p$i failed)" = 0 || exit 1; done
'

test_done
