#!/bin/sh
# jukisec-audit: usage, exit statuses, and a state that cannot be read (R12(2)).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

test_expect_success '--help is the usage on stdout, exit 0' '
	jukisec-audit --help >out &&
	grep -q "^usage: jukisec-audit \[-d DIR\] \[--key-file FILE\] \[--now TIME\]" out
'

test_expect_success 'the usage matches the man page SYNOPSIS' '
	jukisec-audit --help | sed "/^\$/,\$d" | tr -s " \t\n" " " | sed "s/^usage: //; s/ $//" >u &&
	mandoc -Tutf8 "$SRCDIR/man/jukisec-audit.1" | col -b |
	    sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" | sed "1d;\$d" |
	    tr -s " \t\n" " " | sed "s/^ //; s/ $//" >m &&
	test_cmp m u
'

test_expect_success 'the SYNOPSIS offers --since and --until, or --fiscal-year alone, as the program does' '
	grep -qF "[[--since DATE] [--until DATE] | --fiscal-year YEAR]" m &&
	for p in "--since 2026-04-01" "--until 2027-03-31"; do
		test_must_fail 2 jukisec-audit --fiscal-year 2026 $p >out 2>err &&
		test ! -s out &&
		grep -qx "jukisec-audit: --fiscal-year: not with --since or --until" err || exit 1
	done
'

test_expect_success 'an operand is a usage error, exit 2' '
	test_must_fail 2 jukisec-audit extra 2>err &&
	grep -q "^usage:" err
'

test_expect_success 'an unknown format is a usage error naming it' '
	test_must_fail 2 jukisec-audit --format xml 2>err &&
	grep -q "jukisec-audit: --format: xml: not text, csv or json" err
'

test_expect_success 'an unknown language is a usage error naming it' '
	test_must_fail 2 jukisec-audit --lang fr 2>err &&
	grep -q "jukisec-audit: --lang: fr: not ja or en" err
'

test_expect_success 'a bad --now is a usage error' '
	test_must_fail 2 jukisec-audit --now yesterday 2>err &&
	one_line_matching err "^jukisec-audit: --now yesterday: not an RFC 3339 time$"
'

test_expect_success 'a missing state directory: exit 3, nothing on stdout' '
	test_must_fail 3 jukisec-audit -d "$TMP/nowhere" >out 2>err &&
	test ! -s out && test -s err
'

test_expect_success 'a directory that is not initialised (no jukisec.conf): exit 3' '
	mkdir -m 700 empty &&
	test_must_fail 3 jukisec-audit -d "$TMP/empty" >out 2>err &&
	test ! -s out && grep -q "jukisec.conf" err
'

test_expect_success 'a jukisec.conf below the R6 floor is unreadable state: exit 3' '
	audit_state &&
	cp "$D/jukisec.conf" conf.save &&
	conf_set "$D" retain_days 300 &&
	test_must_fail 3 jukisec-audit -d "$D" >out 2>err &&
	test ! -s out && grep -q "retain_days" err &&
	cp conf.save "$D/jukisec.conf"
'

test_expect_success 'a group-writable state directory is refused: exit 3' '
	chmod 770 "$D" &&
	test_must_fail 3 jukisec-audit -d "$D" >out 2>err &&
	chmod 700 "$D" && test ! -s out
'

# jukisec-audit(1), EXIT STATUS 3: the register lock is taken to read the
# register and credentials/ together; a lock file it must take that is
# open to others is refused like the directory, while oplog.lock, which
# the audit does not take, is a finding.
test_expect_success 'a group-writable register.lock or jukisec.conf: exit 3, no report, the file named' '
	chmod 620 "$D/register.lock" &&
	test_must_fail 3 jukisec-audit -d "$D" >out 2>err &&
	chmod 600 "$D/register.lock" &&
	test ! -s out &&
	one_line_matching err "^jukisec-audit: $D/register.lock: .*open to others: refused\$" &&
	chmod 660 "$D/jukisec.conf" &&
	test_must_fail 3 jukisec-audit -d "$D" >out 2>err &&
	chmod 600 "$D/jukisec.conf" &&
	test ! -s out && grep -q "jukisec.conf: .*open to others: refused" err
'

test_expect_success 'a group-writable oplog.lock: a state-modes FAIL, exit 1' '
	chmod 620 "$D/oplog.lock" &&
	audit_run &&
	chmod 600 "$D/oplog.lock" &&
	test "$ast" -eq 1 &&
	expect state-modes "FAIL oplog.lock" &&
	test ! -s "$TMP/a.err"
'

test_expect_success 'the register lock held past lock_timeout_ms: exit 3, no report' '
	conf_set "$D" lock_timeout_ms 0 &&
	test_must_fail 3 flock "$D/register.lock" jukisec-audit -d "$D" >out 2>err &&
	conf_set "$D" lock_timeout_ms 10000 &&
	test ! -s out &&
	one_line_matching err "^jukisec-audit: lock timeout: $D/register.lock\$"
'

test_expect_success 'a missing register.lock is made, empty, and the audit runs' '
	rm "$D/register.lock" &&
	audit_run && test "$ast" -eq 0 &&
	test -f "$D/register.lock" && test ! -s "$D/register.lock"
'

test_expect_success 'JUKISEC_DIR names the directory when -d is absent' '
	JUKISEC_DIR=$D jukisec-audit --format csv >out &&
	grep -q "^R5.1,register-readable,PASS" out
'

test_expect_success 'a report that cannot be written exits 3' '
	if test -w /dev/full; then
		test_must_fail 3 jukisec-audit -d "$D" >/dev/full 2>err
	fi
'

test_expect_success '-V prints the version' '
	jukisec-audit -V >out && grep -q "jukisec-audit" out
'

test_done
