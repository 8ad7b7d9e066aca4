#!/bin/sh
# R5.4 in the log: log-append records every operation it is given (evidence
# is never refused, exit 0) but says on stderr when the named operator is
# not an active registered person then; jukisec-audit fails R5.4 listing
# the records (seq, time, terminal, operator) of unknown, revoked, expired
# or locked-out operators.  "-" and the system actors of jukisec.conf are
# exempt.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

AT=2030-01-01T09:00:00Z
la() { at "$AT" log-append -d "$D" -t cs01 "$@"; }

test_expect_success 'set up: manager, tanaka, sato, ito (expires 2030-01-31); cron a system actor' '
	at_AT audit_state && at_AT add_pw tanaka && at_AT add_pw sato &&
	at_AT add_pw ito -e 2030-01-31 &&
	conf_set "$D" system_actors cron,backup && pw wrong Not-The-Pw-42
'

test_expect_success 'a registered, active person and the exempt names: no word' '
	la -u tanaka -a print -o juminhyo -r ok 2>err && test ! -s err &&
	la -u cron -a backup -r ok 2>err && test ! -s err &&
	la -u - -a note 2>err && test ! -s err
'

test_expect_success 'ghost: recorded (exit 0), one line on stderr' '
	AT=2030-01-01T09:10:00Z la -u ghost -a print -o juminhyo -r ok 2>err &&
	one_line_matching err "^log-append: operator ghost is not an active registered person \\(unknown\\); recorded \\(R5.4\\)\$" &&
	tail -1 "$D/oplog.csv" | grep -q ",cs01,ghost,print,juminhyo,ok,"
'

test_expect_success 'revoked: recorded, said' '
	AT=2030-01-02T09:00:00Z at_AT operator-revoke -d "$D" -b boss --by-password-fd 4 \
	    -i sato --reason transfer 4<"$TMP/pw.boss" &&
	AT=2030-01-02T09:10:00Z la -u sato -a view 2>err &&
	one_line_matching err "operator sato is not an active registered person \\(revoked\\)"
'

test_expect_success 'expired: recorded, said' '
	AT=2030-02-01T09:00:00Z la -u ito -a view 2>err &&
	one_line_matching err "operator ito is not an active registered person \\(expired\\)"
'

test_expect_success 'locked out: recorded, said; unlocked: no word' '
	for i in 1 2 3 4 5; do at 2030-02-02T09:00:00Z auth tanaka "$TMP/pw.wrong" 2>/dev/null; done;
	AT=2030-02-02T09:10:00Z la -u tanaka -a print 2>err &&
	one_line_matching err "operator tanaka is not an active registered person \\(locked\\)" &&
	at 2030-02-02T10:00:00Z operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka --unlock 4<"$TMP/pw.boss" &&
	AT=2030-02-02T10:10:00Z la -u tanaka -a print 2>err && test ! -s err
'

test_expect_success 'a batch: each such operator once, by its line' '
	printf "%s\n" "tanaka,print,a,ok," "ghost,print,b,ok," "ghost,print,c,ok," \
	    "cron,backup,,ok," | AT=2030-02-03T09:00:00Z la --stdin 2>err &&
	one_line_matching err "^log-append: <stdin>:2: operator ghost is not an active registered person \\(unknown\\); recorded \\(R5.4\\)\$" &&
	test "$(grep -c ",ghost,print," "$D/oplog.csv")" = 3
'

test_expect_success 'jukisec-audit: R5.4 FAIL with the records of ghost, sato, ito, tanaka locked' '
	audit_run --now 2030-02-04T00:00:00Z &&
	test "$ast" = 1 &&
	expect log-operators-authorized "FAIL ghost sato ito tanaka ghost ghost" &&
	detail log-operators-authorized >d &&
	grep -q "seq [0-9]*, 2030-01-01 09:10, terminal cs01, operator ghost: unknown" d &&
	grep -q "operator sato: revoked" d && grep -q "operator ito: expired" d &&
	grep -q "operator tanaka: locked" d &&
	! grep -q "operator cron" d && ! grep -q "operator -:" d
'

test_expect_success 'a cost to measure, for the record: one append with a person named' '
	t0=$(date +%s%N) && i=0 &&
	while [ $i -lt 20 ]; do la -u tanaka -a print 2>/dev/null; i=$((i + 1)); done &&
	t1=$(date +%s%N) && i=0 &&
	while [ $i -lt 20 ]; do la -u cron -a print 2>/dev/null; i=$((i + 1)); done &&
	t2=$(date +%s%N) &&
	echo "log-append (mean of 20): a person $(( (t1 - t0) / 20000000 )) ms (register read), a system actor $(( (t2 - t1) / 20000000 )) ms (none)" >"$TMP/timing"
'
[ -s "$TMP/timing" ] && say "$(cat "$TMP/timing")"

test_done
