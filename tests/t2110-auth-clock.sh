#!/bin/sh
# The clock and the gate (SPEC "The clock is not an input"): an expired
# term ends on the clock; a clock set back (a dead RTC battery boots at
# 1970) or a clock a year ahead never re-admits, unlocks or un-revokes
# anyone beyond what the register and lockout_unlock_minutes say.  The
# intruder's means here is the machine's clock (faketime), since no tool
# takes one.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

# A state made on 2030-01-01, every later step at a time of its own.
AT=2030-01-01T08:00:00Z
test_expect_success 'set up (2030-01-01): manager, a temporary and two operators' '
	at_AT reg_state && at_AT bootstrap && at_AT add_pw tanaka &&
	at_AT add_pw suzuki && at_AT add_pw short -e 2030-03-01T00:00:00Z &&
	pw wrong Not-The-Pw-42
'

test_expect_success 'a term ends on the clock: admitted before, denied after, same message' '
	at 2030-02-28T23:59:59.999Z auth short "$TMP/pw.short" &&
	test_must_fail 1 at 2030-03-01T00:00:00Z auth short "$TMP/pw.short" 2>err &&
	one_line_matching err "^auth-check: authentication denied\$" &&
	test "$(log_count auth denied "reason=expired")" = 1
'

test_expect_success 'the clock set back into the term does not re-admit the expired person' '
	test_must_fail 1 at 2030-02-01T00:00:00Z auth short "$TMP/pw.short" 2>/dev/null &&
	test_must_fail 1 at 1970-01-01T00:00:00Z auth short "$TMP/pw.short" 2>/dev/null &&
	test "$(log_count auth denied "reason=expired")" = 3
'

test_expect_success 'a clock at 1970 cannot keep the lockout from engaging' '
	for i in 1 2 3 4; do
		test_must_fail 1 at 1970-01-01T00:00:00Z auth tanaka "$TMP/pw.wrong" 2>/dev/null || exit 1
	done &&
	test_must_fail 4 at 1970-01-01T00:00:00Z auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	test_must_fail 4 at 1970-01-01T00:00:00Z auth tanaka "$TMP/pw.tanaka" 2>/dev/null &&
	test_must_fail 4 at 2030-03-01T00:00:01Z auth tanaka "$TMP/pw.tanaka" 2>/dev/null
'

test_expect_success 'nor the manager'"'"'s own (operator-mod -b at 1970)' '
	for i in 1 2 3 4 5; do
		at 1970-01-01T00:00:00Z operator-mod -d "$D" -b boss --by-password-fd 4 \
		    -i suzuki -s x 4<"$TMP/pw.wrong" 2>/dev/null
	done;
	test_must_fail 1 at 1970-01-01T00:00:00Z operator-mod -d "$D" -b boss \
	    --by-password-fd 4 -i suzuki -s x 4<"$TMP/pw.boss" 2>/dev/null &&
	test "$(log_count auth locked "check=manager")" -ge 1 &&
	test "$(field suzuki section)" = ""
'

test_expect_success 'a clock a year ahead lifts no lock when locks lift only by hand' '
	test_must_fail 4 at 2031-03-01T00:00:00Z auth tanaka "$TMP/pw.tanaka" 2>/dev/null &&
	test_must_fail 4 at 2030-03-01T00:00:02Z auth tanaka "$TMP/pw.tanaka" 2>/dev/null
'

# A second state for the automatic unlock and the clock set back.
test_expect_success 'lockout_unlock_minutes: the lock lifts that long after it began, not before' '
	D=$TMP/u && AT=2030-06-01T09:00:00Z &&
	at_AT reg_state && at_AT bootstrap && at_AT add_pw sato &&
	conf_set "$D" lockout_unlock_minutes 60 &&
	for i in 1 2 3 4 5; do at 2030-06-01T10:00:00Z auth sato "$TMP/pw.wrong" 2>/dev/null; done;
	test_must_fail 4 at 2030-06-01T10:59:00Z auth sato "$TMP/pw.sato" 2>/dev/null &&
	test_must_fail 4 at 1970-01-01T00:00:00Z auth sato "$TMP/pw.sato" 2>/dev/null &&
	test_must_fail 4 at 2030-06-01T10:00:00Z auth sato "$TMP/pw.sato" 2>/dev/null &&
	at 2030-06-01T11:01:00Z auth sato "$TMP/pw.sato" &&
	test "$(field sato failed)" = 0
'

# The automatic unlock and a clock a year ahead (SPEC): the lock lifts only
# when the log corroborates the clock, cron's seals every epoch (a quiet
# weekend) but no jump: neither at the first attempt under the wrong clock
# nor at the next, after that attempt sealed the epochs up to it.
test_expect_success 'lockout_unlock_minutes: a clock a year ahead lifts no lock, now or later' '
	D=$TMP/j && AT=2030-08-01T09:00:00Z &&
	at_AT reg_state && at_AT bootstrap && at_AT add_pw tanaka &&
	conf_set "$D" lockout_unlock_minutes 30 && conf_set "$D" lockout_threshold 2 &&
	test_must_fail 1 at 2030-08-01T10:00:00Z auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	test_must_fail 4 at 2030-08-01T10:00:01Z auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	test_must_fail 4 at 2031-09-05T10:00:00Z auth tanaka "$TMP/pw.tanaka" 2>err &&
	one_line_matching err "^auth-check: tanaka is locked out: see the Security Manager\$" &&
	test "$(field tanaka locked)" = yes &&
	test_must_fail 4 at 2031-09-05T10:01:00Z auth tanaka "$TMP/pw.tanaka" 2>/dev/null &&
	at 2031-09-05T10:02:00Z log-append -d "$D" --seal &&
	test_must_fail 4 at 2031-09-06T10:00:00Z auth tanaka "$TMP/pw.tanaka" 2>/dev/null &&
	test "$(field tanaka locked)" = yes &&
	at 2031-09-06T10:05:00Z operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka --unlock 4<"$TMP/pw.boss" &&
	at 2031-09-06T10:06:00Z auth tanaka "$TMP/pw.tanaka"
'

test_expect_success 'a quiet weekend sealed by cron: the lock lifts on Monday' '
	D=$TMP/j &&
	test_must_fail 1 at 2031-09-12T17:00:00Z auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	test_must_fail 4 at 2031-09-12T17:00:01Z auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	for d in 13 14 15; do
		at 2031-09-${d}T00:17:00Z log-append -d "$D" --seal || exit 1
	done &&
	at 2031-09-15T08:30:00Z auth tanaka "$TMP/pw.tanaka" &&
	test "$(field tanaka locked)" = no && test "$(field tanaka failed)" = 0
'

test_expect_success 'a machine off for ten days: the lock waits for a manager, log-append says it stands' '
	D=$TMP/j &&
	test_must_fail 1 at 2031-09-19T17:00:00Z auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	test_must_fail 4 at 2031-09-19T17:00:01Z auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	at 2031-09-29T08:17:00Z log-append -d "$D" --seal &&
	test_must_fail 4 at 2031-09-29T08:30:00Z auth tanaka "$TMP/pw.tanaka" 2>/dev/null &&
	at 2031-09-29T08:31:00Z log-append -d "$D" -u tanaka -a view 2>err &&
	one_line_matching err "^log-append: operator tanaka is not an active registered person .locked.; recorded .R5.4.\$" &&
	at 2031-09-29T08:35:00Z operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka --unlock 4<"$TMP/pw.boss" &&
	at 2031-09-29T08:36:00Z auth tanaka "$TMP/pw.tanaka"
'

test_expect_success 'a revocation made under a clock at 1970 stands' '
	D=$TMP/u &&
	at_AT() { at 2030-06-02T09:00:00Z "$@"; } && at_AT add_pw ito &&
	at 1970-01-01T00:00:00Z operator-revoke -d "$D" -b boss --by-password-fd 4 \
	    -i ito --reason transfer 4<"$TMP/pw.boss" &&
	test -n "$(field ito revoked_at)" &&
	printf "%s\n" 2030-06-02T09:00:00.000Z "$(field ito revoked_at)" | sort -c &&
	test_must_fail 1 at 1970-01-01T00:00:00Z auth ito "$TMP/pw.ito" 2>/dev/null &&
	test_must_fail 1 at 2030-06-02T10:00:00Z auth ito "$TMP/pw.ito" 2>/dev/null &&
	operator-list -d "$D" -a | grep -q "^ito .* revoked"
'

test_expect_success 'a register change cannot be backdated before the log'"'"'s last record' '
	D=$TMP/u && at 2020-01-01T00:00:00Z add_pw kato &&
	printf "%s\n" 2030-06-02T09:00:00.000Z "$(field kato registered_at)" | sort -c
'

test_expect_success 'a manager whose term ended cannot act with the clock set back' '
	D=$TMP/u && pw m5 m5-secret-1 && pw x5 x5-secret-1 &&
	at 2030-06-03T00:00:00Z operator-add -d "$D" -b boss --by-password-fd 4 -i m5 \
	    -n M5 -r manager -m password --reason r --instructions-given 2030-06-01 \
	    -e 2030-07-01T00:00:00Z --password-fd 3 3<"$TMP/pw.m5" 4<"$TMP/pw.boss" &&
	test_must_fail 1 at 2030-07-02T00:00:00Z operator-add -d "$D" -b m5 \
	    --by-password-fd 4 -i x5 -n X5 -m password --reason r \
	    --instructions-given 2030-06-01 --password-fd 3 \
	    3<"$TMP/pw.x5" 4<"$TMP/pw.m5" 2>/dev/null &&
	test_must_fail 1 at 2030-06-15T00:00:00Z operator-add -d "$D" -b m5 \
	    --by-password-fd 4 -i x5 -n X5 -m password --reason r \
	    --instructions-given 2030-06-01 --password-fd 3 \
	    3<"$TMP/pw.x5" 4<"$TMP/pw.m5" 2>/dev/null &&
	! grep -q "^x5," "$D/operators.csv" &&
	test "$(log_count auth denied "reason=expired check=manager")" = 2
'


test_expect_success 'a lock or revocation at 1970-01-01T00:00:00.000Z is one, not "none"' '
	D=$TMP/u && at_AT() { at 2030-06-04T00:00:00Z "$@"; } &&
	conf_set "$D" lockout_unlock_minutes 0 &&
	at_AT add_pw abe && at_AT add_pw endo &&
	regcol abe locked yes && regcol abe locked_at 1970-01-01T00:00:00.000Z &&
	test_must_fail 4 at 2030-06-04T00:00:00Z auth abe "$TMP/pw.abe" 2>/dev/null &&
	regcol endo revoked_at 1970-01-01T00:00:00.000Z &&
	regcol endo revoked_by boss && regcol endo revoked_reason test &&
	test_must_fail 1 at 2030-06-04T00:00:00Z auth endo "$TMP/pw.endo" 2>/dev/null
'

test_expect_success 'with lockout_unlock_minutes, a lock dated before the registration never lifts' '
	D=$TMP/u && conf_set "$D" lockout_unlock_minutes 60 &&
	test_must_fail 4 at 2030-06-04T00:00:00Z auth abe "$TMP/pw.abe" 2>/dev/null &&
	test "$(field abe locked)" = yes &&
	test "$(log_count auth locked "reason=locked")" -ge 1 &&
	conf_set "$D" lockout_unlock_minutes 0
'

test_expect_success 'a register of the 16-column form is read, and rewritten with locked' '
	D=$TMP/u && python3 - "$D/operators.csv" <<-\EOF &&
	import csv, sys
	p = sys.argv[1]
	rows = list(csv.reader(open(p, newline="")))
	i = rows[0].index("locked")
	for r in rows[1:]:
	    if r[i] == "no": r[i + 1] = ""
	for r in rows: del r[i]
	assert rows[0][-1] == "title"
	for r in rows: del r[-1]
	csv.writer(open(p, "w", newline=""), lineterminator="\n").writerows(rows)
	EOF
	head -1 "$D/operators.csv" | grep -q ",failed,locked_at\$" &&
	test_must_fail 4 at 2030-06-04T00:00:00Z auth abe "$TMP/pw.abe" 2>/dev/null &&
	at 2030-06-04T00:00:00Z auth sato "$TMP/pw.sato" &&
	at 2030-06-04T00:00:00Z operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i abe --unlock 4<"$TMP/pw.boss" &&
	head -1 "$D/operators.csv" | grep -q ",failed,locked,locked_at,title\$" &&
	test "$(field abe locked)" = no && test "$(field sato locked)" = no &&
	at 2030-06-04T00:00:00Z auth abe "$TMP/pw.abe"
'

# The clock's floor is the log's last record: a log emptied (logrotate's
# copytruncate, README) has none, and the gate says what the other writers
# say of a log cut short: the way back (jukisec-log(5), Recovery).
test_expect_success 'an emptied log: exit 3, the way back named, nothing counted' '
	cp "$D/operators.csv" reg.before &&
	cp "$D/oplog.csv" "$TMP/oplog.save" && : >"$D/oplog.csv" &&
	test_must_fail 3 at 2030-06-05T00:00:00Z auth sato "$TMP/pw.sato" 2>err;
	r=$?; cp "$TMP/oplog.save" "$D/oplog.csv" && test $r = 0 &&
	one_line_matching err "^auth-check: $D/oplog.csv: no last record to take the time from; run log-verify, then log-append --recover\$" &&
	test_cmp reg.before "$D/operators.csv"
'

# A last line that is no record (a cut or an editor's damage) is named as
# log-verify names it, its line and field (or its count of fields), and
# still nothing is counted.
test_expect_success 'a damaged last line: exit 3, its line and field named, nothing counted' '
	cp "$D/operators.csv" reg.before &&
	cp "$D/oplog.csv" "$TMP/oplog.save" &&
	ln=$(($(wc -l <"$D/oplog.csv") + 1)) &&
	echo "$ln,yesterday,term01,sato,view,x,ok,,0,00" >>"$D/oplog.csv" &&
	test_must_fail 3 at 2030-06-05T00:00:00Z auth sato "$TMP/pw.sato" 2>err;
	r=$?; cp "$TMP/oplog.save" "$D/oplog.csv" && test $r = 0 &&
	one_line_matching err "^auth-check: $D/oplog.csv:$ln: field time: not in the form YYYY-MM-DDTHH:MM:SS.mmmZ; run log-verify, then log-append --recover\$" &&
	test_cmp reg.before "$D/operators.csv" &&
	cp "$TMP/oplog.save" "$D/oplog.csv" &&
	echo "$ln,2030-06-05T00:00:00.000Z" >>"$D/oplog.csv" &&
	test_must_fail 3 at 2030-06-05T00:00:00Z auth sato "$TMP/pw.sato" 2>err;
	r=$?; cp "$TMP/oplog.save" "$D/oplog.csv" && test $r = 0 &&
	one_line_matching err "^auth-check: $D/oplog.csv:$ln: 2 fields, want 10; run log-verify, then log-append --recover\$" &&
	head -n 1 "$TMP/oplog.save" >"$D/oplog.csv" &&
	test_must_fail 3 at 2030-06-05T00:00:00Z auth sato "$TMP/pw.sato" 2>err;
	r=$?; cp "$TMP/oplog.save" "$D/oplog.csv" && test $r = 0 &&
	one_line_matching err "^auth-check: $D/oplog.csv: no last record to take the time from; run log-verify, then log-append --recover\$" &&
	test_cmp reg.before "$D/operators.csv"
'

test_done
