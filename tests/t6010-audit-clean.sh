#!/bin/sh
# jukisec-audit on a clean state built with the real tools: a manager and an
# operator under the password exception, a palm-vein operator through the
# external verifier, some work in the log.  Nothing FAILs; the only WARNs
# are log-prune not having run on a log younger than the retention (R6) and
# the single manager (R5.1: no deputy).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

XV_DIR=$TMP/xv
export XV_DIR

test_expect_success 'a clean state: manager, password operator, palm-vein operator' '
	audit_state &&
	add_pw suzuki -s "Citizens Division" &&
	mkdir "$XV_DIR" && echo "left-palm-7" >"$XV_DIR/hand" &&
	conf_set "$D" external_verifier "$SRCDIR/tests/xverifier.sh" &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i sato -n "佐藤 花子" \
	    -s "市民課" -m external 4<"$TMP/pw.boss" 2>/dev/null &&
	auth suzuki "$TMP/pw.suzuki" &&
	auth-check -d "$D" -u sato 2>/dev/null &&
	log-append -d "$D" -u suzuki -a print -o juminhyo -r ok
'

test_expect_success 'with the key: no FAIL, exit 0' '
	audit_run --key-file "$D.key" &&
	no_fail
'

test_expect_success 'one finding per check, each check once' '
	mlr --icsv --onidx cut -f check "$TMP/a.csv" | sort >checks &&
	sort -u checks >uniq && test_cmp uniq checks &&
	cat >want <<-\EOW &&
	auth-bursts
	biometric-or-exception
	conf-values
	credential-present
	expired-not-revoked
	incidents-open
	incidents-overdue
	incidents-period
	locked-operators
	log-head
	log-operators-authorized
	log-prune-recent
	log-retention
	log-seals
	log-verify
	manager-recoveries
	orphan-credentials
	password-exceptions
	register-active-manager
	register-changes
	register-ids-unique
	register-readable
	register-rows-complete
	stale-credentials
	state-modes
	EOW
	test_cmp want checks
'

test_expect_success 'every finding but the single manager and log-prune-recent is PASS' '
	mlr --icsv --onidx filter "\$status != \"PASS\"" then cut -o -f check,status \
	    "$TMP/a.csv" >notpass &&
	printf "register-active-manager WARN\nlog-prune-recent WARN\n" >want &&
	test_cmp want notpass
'

test_expect_success 'the register findings count rows and managers' '
	detail register-readable | grep -q "3 row(s), 3 active" &&
	detail register-active-manager | grep -q "^1 active Security Manager registered: when they are away or locked out, nobody can change the register or record an incident; register a second Security Manager."
'

test_expect_success 'the password exceptions are listed with approver and date' '
	expect password-exceptions "PASS boss suzuki" &&
	detail password-exceptions |
	    grep -q "suzuki: approved by Boss, instructed 2026-11-20: injured finger"
'

test_expect_success 'the log verifies with the key, from its genesis' '
	expect log-verify "PASS " &&
	detail log-verify | grep -q "The verification key shows the records unchanged: .* records, numbers 0 to" &&
	expect log-retention "PASS " &&
	detail log-retention | grep -q "complete since it was created"
'

test_expect_success 'without the key the log is read but not verified: WARN' '
	audit_run &&
	test "$ast" -eq 0 &&
	expect log-verify "WARN " &&
	detail log-verify | grep -q "Not checked with the verification key"
'

test_expect_success 'the audit writes nothing: the state is byte for byte the same' '
	(cd "$D" && find . -type f | sort | xargs sha256sum) >before &&
	audit_run --key-file "$D.key" &&
	(cd "$D" && find . -type f | sort | xargs sha256sum) >after &&
	test_cmp before after
'

test_done
