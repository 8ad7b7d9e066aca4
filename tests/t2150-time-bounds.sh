#!/bin/sh
# Every time written is inside 0001-01-01...9999-12-31 UTC after its offset
# (SPEC); a time outside is refused with exit 2 and nothing written.  And
# no single value can brick a file: a bad time that reaches operators.csv
# or incidents.csv another way (a hand edit, an old copy) is reported as
# FILE:LINE, costs its row only, and the Security Manager repairs it with
# the tools.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

# line ID: the line of ID's row in operators.csv.
line() { grep -n "^$1," "$D/operators.csv" | cut -d: -f1; }

test_expect_success 'set up: manager and two operators' '
	reg_state && bootstrap && add_pw tanaka && add_pw suzuki
'

test_expect_success 'the finding: five auth-check calls under a clock at 0001-01-01T00:00:00+01:00' '
	for i in 1 2 3 4; do
		test_must_fail 1 at 0001-01-01T00:00:00+01:00 auth tanaka /dev/null 2>/dev/null || exit 1
	done &&
	test_must_fail 4 at 0001-01-01T00:00:00+01:00 auth tanaka /dev/null 2>/dev/null &&
	operator-list -d "$D" -f csv >list 2>err && test ! -s err &&
	grep -q "^tanaka,.*,5,yes,2[0-9][0-9][0-9]-" list &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka --unlock 4<"$TMP/pw.boss" &&
	auth tanaka "$TMP/pw.tanaka"
'

test_expect_success 'an expiry past 9999-12-31 after its offset: exit 2, one line, nothing written' '
	cp "$D/operators.csv" reg.before && cp "$D/oplog.csv" log.before &&
	pw sato sato-secret-1 &&
	test_must_fail 2 operator-add -d "$D" -b boss --by-password-fd 4 -i sato -n S \
	    -m password --reason r --instructions-given 2026-11-01 \
	    -e 9999-12-31T23:30:00-01:00 --password-fd 3 3<"$TMP/pw.sato" \
	    4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-add: -e 9999-12-31T23:30:00-01:00: " &&
	test_must_fail 2 operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -e 9999-12-31T23:30:00-01:00 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-mod: -e 9999-12-31T23:30:00-01:00: " &&
	cmp reg.before "$D/operators.csv" && cmp log.before "$D/oplog.csv"
'

test_expect_success 'the last millisecond of 9999 is a valid expiry' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i suzuki \
	    -e 9999-12-31T23:59:59.999Z 4<"$TMP/pw.boss" &&
	test "$(field suzuki expires)" = 9999-12-31T23:59:59.999Z
'

test_expect_success 'the date 9999-12-31 under UTC (its end in 10000): refused as after the last date, named' '
	cp "$D/operators.csv" reg.before && cp "$D/oplog.csv" log.before &&
	test_must_fail 2 operator-add -d "$D" -b boss --by-password-fd 4 -i sato -n S \
	    -m password --reason r --instructions-given 2026-11-01 \
	    -e 9999-12-31 --password-fd 3 3<"$TMP/pw.sato" 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-add: -e 9999-12-31: after the last date these tools handle, 9999-12-30\$" &&
	test_must_fail 2 operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -e 9999-12-31 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-mod: -e 9999-12-31: after the last date these tools handle, 9999-12-30\$" &&
	cmp reg.before "$D/operators.csv" && cmp log.before "$D/oplog.csv" &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -e 9999-12-30 4<"$TMP/pw.boss" &&
	test "$(field tanaka expires)" = 9999-12-31T00:00:00.000Z &&
	TZ=Asia/Tokyo operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -e 9999-12-31 4<"$TMP/pw.boss" &&
	test "$(field tanaka expires)" = 9999-12-31T15:00:00.000Z
'

test_expect_success 'incident times outside the years 0001-9999: exit 2, nothing recorded' '
	test_must_fail 2 incident-report -d "$D" -b boss --by-password-fd 3 new \
	    --type other --cause fire --summary s \
	    --occurred 0001-01-01T00:00:00+01:00 3<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^incident-report: --occurred 0001-01-01T00:00:00\\+01:00: " &&
	test_must_fail 2 incident-report -d "$D" -b boss --by-password-fd 3 new \
	    --type other --cause fire --summary s \
	    --detected 9999-12-31T23:30:00-01:00 3<"$TMP/pw.boss" 2>err &&
	test ! -e "$D/incidents.csv"
'

test_expect_success 'a clock past 9999: exit 3, one line, nothing written' '
	cp "$D/oplog.csv" log.before &&
	test_must_fail 3 env LD_PRELOAD="$FAKETIME_LIB" FAKETIME=+3000000d \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 log-append -d "$D" -u a -a b 2>err &&
	one_line_matching err "^log-append: the clock reads a time after 9999-12-31: refused\$" &&
	test_must_fail 3 env LD_PRELOAD="$FAKETIME_LIB" FAKETIME=+3000000d \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 auth-check -d "$D" -u tanaka \
	    --password-fd 3 3<"$TMP/pw.tanaka" 2>err &&
	cmp log.before "$D/oplog.csv" &&
	test_must_fail 3 env LD_PRELOAD="$FAKETIME_LIB" FAKETIME=+3000000d \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 log-verify -d "$D" -k "$D.key" >out 2>err &&
	one_line_matching err "^log-verify: the clock reads a time after 9999-12-31: refused\$" &&
	test ! -s out
'

test_expect_success 'a bad expiry put in by hand: FILE:LINE once, the row denied, the rest works' '
	regcol suzuki expires 0000-12-31T23:00:00.000Z && n=$(line suzuki) &&
	auth tanaka "$TMP/pw.tanaka" 2>err &&
	one_line_matching err "^auth-check: .*/operators.csv:$n: field expires: invalid value; treated as expired until repaired\$" &&
	test_must_fail 1 auth suzuki "$TMP/pw.suzuki" 2>/dev/null &&
	operator-list -d "$D" -f csv 2>/dev/null | grep -q "^suzuki,.*,0000-12-31T23:00:00.000Z," &&
	operator-list -d "$D" 2>/dev/null | grep -q "^suzuki .* expired "
'

test_expect_success 'another change keeps the bad value as it was' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -s x \
	    4<"$TMP/pw.boss" 2>/dev/null &&
	test "$(field suzuki expires)" = 0000-12-31T23:00:00.000Z
'

test_expect_success 'jukisec-audit fails the register check naming the line' '
	chmod 600 "$D.key" &&
	test_must_fail 1 jukisec-audit -d "$D" --format csv >a.csv 2>/dev/null &&
	grep "register-rows-complete" a.csv | grep -q "FAIL.*operators.csv:$(line suzuki)"
'

test_expect_success 'the manager repairs it with operator-mod -e; the person is admitted' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i suzuki -e never \
	    4<"$TMP/pw.boss" 2>/dev/null &&
	test -z "$(field suzuki expires)" &&
	auth suzuki "$TMP/pw.suzuki" 2>err && test ! -s err
'

test_expect_success 'a bad lock time: locked until --unlock repairs it' '
	regcol tanaka locked yes && regcol tanaka locked_at 99999-01-01 &&
	test_must_fail 4 auth tanaka "$TMP/pw.tanaka" 2>err &&
	grep -q "operators.csv:$(line tanaka): field locked_at: invalid value; treated as a lock of unknown time until repaired" err &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka --unlock \
	    4<"$TMP/pw.boss" 2>/dev/null &&
	test -z "$(field tanaka locked_at)" && auth tanaka "$TMP/pw.tanaka"
'

# The hand edit the committee must see: a bad lock time on a row that
# says "no".  It is a lock that never lifts by itself, as every bad lock
# time, and no writer of another row (a login, an addition, a change)
# may write it away: only a change that sets the lock (--unlock) does.
test_expect_success 'a bad lock time on a row not locked: kept by every other writer, audited' '
	regcol suzuki failed 0 && regcol suzuki locked no &&
	regcol suzuki locked_at zz && n=$(line suzuki) &&
	kept() { test "$(field suzuki locked),$(field suzuki locked_at)" = no,zz; } &&
	test_must_fail 1 auth tanaka /dev/null 2>/dev/null && kept &&
	auth tanaka "$TMP/pw.tanaka" 2>/dev/null && kept &&
	add_pw sato 2>/dev/null && kept &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -n T \
	    4<"$TMP/pw.boss" 2>/dev/null && kept &&
	test_must_fail 1 jukisec-audit -d "$D" --format csv >a.csv 2>/dev/null &&
	grep "register-rows-complete" a.csv | grep -q "FAIL.*operators.csv:$n"
'

test_expect_success 'that row is locked until --unlock repairs it' '
	n=$(line suzuki) &&
	test_must_fail 4 auth suzuki "$TMP/pw.suzuki" 2>err &&
	grep -q "operators.csv:$n: field locked_at: invalid value; treated as a lock of unknown time until repaired\$" err &&
	grep -q "suzuki is locked out" err &&
	test "$(field suzuki locked),$(field suzuki locked_at)" = no,zz &&
	operator-list -d "$D" 2>/dev/null | grep -q "^suzuki .* locked " &&
	operator-list -d "$D" -l 2>/dev/null | grep -q "^suzuki " &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i suzuki --unlock \
	    4<"$TMP/pw.boss" 2>/dev/null &&
	test "$(field suzuki locked),$(field suzuki locked_at),$(field suzuki failed)" = no,,0 &&
	auth suzuki "$TMP/pw.suzuki" 2>err && test ! -s err
'

test_expect_success 'a bad time in incidents.csv costs its row: FILE:LINE, new incidents still recorded' '
	incident-report -d "$D" -b boss --by-password-fd 3 new --type other \
	    --cause fire --summary first 3<"$TMP/pw.boss" >id1 &&
	sed -i "2s/,[0-9T:.Z-]*Z,boss,/,0000-12-31T23:00:00.000Z,boss,/" "$D/incidents.csv" &&
	incident-report -d "$D" list --format csv >l 2>err &&
	one_line_matching err "incidents.csv:2: field recorded: not an RFC 3339 time \\(row left out\\)\$" &&
	incident-report -d "$D" -b boss --by-password-fd 3 new --type other \
	    --cause fire --summary second 3<"$TMP/pw.boss" >id2 2>/dev/null &&
	test "$(cat id2)" != "$(cat id1)" &&
	grep -q "0000-12-31T23:00:00.000Z" "$D/incidents.csv"
'

test_done
