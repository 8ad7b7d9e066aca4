#!/bin/sh
# Fingerprint enrolment and verification (R5.3) through libfprint's
# virtual_device reader: the real libfprint code path, no hardware.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/fplib.sh"

init_state
export JUKISEC_DIR=$TMP/state
conf_set fp_timeout_seconds 10	# a lost scan fails the test, not the suite's clock

test_expect_success 'no reader: exit 3, nothing registered' '
	FP_DRIVERS_WHITELIST=virtual_device; export FP_DRIVERS_WHITELIST &&
	test_must_fail 3 operator-add -i boss -n Boss -r manager -m fingerprint 2>err &&
	grep -q "operator-add: no fingerprint reader found" err &&
	! test -e state/credentials/boss.tmpl &&
	! grep -q boss state/operators.csv 2>/dev/null
'

test_expect_success 'the first manager enrols: five scans, a retry, prompts' '
	new_reader device &&
	finger "SCAN boss" "SCAN boss" "RETRY 1" "SCAN boss" "RETRY 2" \
		"SCAN boss" "SCAN boss" &&
	operator-add -i boss -n Boss -r manager -m fingerprint 2>err &&
	peer_done &&
	grep -q "^reader: Virtual device for debugging (driver virtual_device)" err &&
	grep -q "^scan 1 of 5: place your right index finger on the reader" err &&
	grep -q "^scan 5 of 5: lift your finger and place it again" err &&
	grep -q "^swipe too short" err &&
	grep -q "^center your finger" err &&
	grep -q "^enrolled: 5 of 5 scans" err &&
	logged operator-add boss ok "method=fingerprint"
'

test_expect_success 'template and key: 0600, the print never in clear' '
	test "$(stat -c %a state/credentials/boss.tmpl)" = 600 &&
	test "$(stat -c %a state/template.key)" = 600 &&
	test "$(stat -c %s state/template.key)" = 32 &&
	! grep -q boss state/credentials/boss.tmpl &&
	! grep -q FP3 state/credentials/boss.tmpl
'

test_expect_success 'the manager enrols an operator after their own finger' '
	new_reader device &&
	finger "SCAN boss" REOPEN "SCAN alice" "SCAN alice" "SCAN alice" \
		"SCAN alice" "SCAN alice" &&
	operator-add -b boss -i alice -n Alice -m fingerprint \
		--finger left-thumb 2>err &&
	peer_done &&
	grep -q "scan 1 of 5: place your left thumb" err &&
	logged auth boss ok "" &&
	logged operator-add alice ok "method=fingerprint"
'

test_expect_success 'the right finger is admitted' '
	new_reader device &&
	finger "SCAN alice" &&
	auth-check -u alice >stdout 2>err &&
	peer_done &&
	test ! -s stdout &&
	grep -q "^place your finger on the reader" err &&
	logged auth alice ok ""
'

test_expect_success 'another finger is refused, logged and counted' '
	new_reader device &&
	finger "SCAN mallory" &&
	test_must_fail 1 auth-check -u alice 2>err &&
	peer_done &&
	grep -q "auth-check: authentication denied" err &&
	logged auth alice denied "no match" &&
	test "$(mlr --icsv --onidx filter '"'"'$id == "alice"'"'"' then cut -o -f failed,locked state/operators.csv)" = "1 no"
'

test_expect_success 'a retry during verification prompts and scans again' '
	new_reader device &&
	finger "RETRY 2" "SCAN alice" &&
	auth-check -u alice 2>err &&
	peer_done &&
	grep -q "^center your finger on the reader, try again" err &&
	test "$(grep -c "^place your finger" err)" = 2
'

test_expect_success 'a device error denies (exit 1) and is logged' '
	new_reader device &&
	finger "ERROR 5" &&
	test_must_fail 1 auth-check -u alice 2>err &&
	peer_done &&
	grep -q "auth-check: fingerprint reader: .*protocol error" err &&
	logged auth alice denied "device error"
'

test_expect_success 'the reader unplugged mid-scan denies, logged' '
	new_reader device &&
	finger "SLEEP 200" "UNPLUG" &&
	test_must_fail 1 auth-check -u alice 2>err &&
	peer_done &&
	grep -q "removed" err &&
	logged auth alice denied "device removed"
'

test_expect_success 'no finger within fp_timeout_seconds: denied, logged' '
	new_reader device &&
	conf_set fp_timeout_seconds 1 &&
	start=$(date +%s) &&
	test_must_fail 1 auth-check -u alice 2>err &&
	test $(($(date +%s) - start)) -lt 5 &&
	grep -q "auth-check: no finger within 1 s" err &&
	logged auth alice denied "timeout"
'

test_expect_success 'an enrolment that times out registers nothing' '
	new_reader device &&
	finger "SCAN boss" REOPEN "SCAN carol" "SCAN carol" &&
	test_must_fail 1 operator-add -b boss -i carol -n Carol -m fingerprint 2>err &&
	peer_done &&
	grep -q "enrolment timed out after 1 s" err &&
	! test -e state/credentials/carol.tmpl &&
	! grep -q "^carol," state/operators.csv
'

test_expect_success 'a device error during enrolment: exit 3, nothing registered' '
	new_reader device &&
	conf_set fp_timeout_seconds 10 &&
	finger "SCAN boss" REOPEN "SCAN carol" "ERROR 5" &&
	test_must_fail 3 operator-add -b boss -i carol -n Carol -m fingerprint 2>err &&
	peer_done &&
	grep -q "enrolment failed" err &&
	! grep -q "^carol," state/operators.csv
'

test_expect_success 'G_MESSAGES_DEBUG does not reach stdout' '
	new_reader device &&
	finger "SCAN alice" &&
	G_MESSAGES_DEBUG=all auth-check -u alice >stdout 2>err &&
	peer_done &&
	test ! -s stdout &&
	grep -q "libfprint" err
'

# The descriptors the reader takes (libfprint's and GLib's: event
# descriptors, udev sockets, the directories walked to find the reader)
# are found free before the register is read, with those of every other
# path: under a limit, or with a caller's descriptors left open under an
# ample one, the right finger is admitted as without a limit, or
# auth-check stops before it prompts, exit 3, nothing logged or counted.
# One peer (fpeer.py loop) serves every opening of the one reader in turn
# (a peer per case was a python3 start each); a run that stops before it
# opens the reader takes no turn.
test_expect_success 'ulimit -n, descriptors left open: admitted as without a limit, or exit 3 before the prompt' '
	seen=0 &&
	new_reader device || exit 1
	"$PEER" loop "$sock" 46 "SCAN alice" &
	peer=$!
	for nf in $(fd_limits); do
		l=$(wc -l <state/oplog.csv) &&
		r=0 && fds_free ${nf%:*} ${nf#*:} auth-check -u alice 2>err || r=$?
		if [ $r = 0 ]; then
			logged auth alice ok ""
		else
			{ test $r = 3 || test $r = 127; } &&
			test "$(wc -l <state/oplog.csv)" = $l &&
			! grep -q "place your finger\\|reader" err
		fi || { echo "ulimit -n ${nf%:*}, ${nf#*:} free: exit $r" >&2; cat err >&2; peer_done; exit 1; }
		if grep -Eqx "auth-check: [0-9]+ free file descriptors needed: Too many open files" err; then
			seen=$((seen + 1))
		fi
	done
	peer_done &&
	test $seen -ge 2 &&
	test "$(mlr --icsv --onidx filter '"'"'$id == "alice"'"'"' then cut -o -f failed,locked state/operators.csv)" = "0 no"
'

test_expect_success 'operator-mod --reenroll replaces the template' '
	new_reader device &&
	cp state/credentials/alice.tmpl old.tmpl &&
	finger "SCAN boss" REOPEN "SCAN alice2" "SCAN alice2" "SCAN alice2" \
		"SCAN alice2" "SCAN alice2" REOPEN "SCAN alice2" \
		REOPEN "SCAN alice" &&
	operator-mod -b boss -i alice --reenroll 2>err &&
	! cmp -s old.tmpl state/credentials/alice.tmpl &&
	auth-check -u alice 2>err &&
	test_must_fail 1 auth-check -u alice 2>err &&
	peer_done
'

test_expect_success 'a failed re-enrolment keeps the old template' '
	new_reader device &&
	cp state/credentials/alice.tmpl old.tmpl &&
	finger "SCAN boss" REOPEN "SCAN x" "ERROR 5" &&
	test_must_fail 3 operator-mod -b boss -i alice --reenroll 2>err &&
	peer_done &&
	cmp old.tmpl state/credentials/alice.tmpl
'

# One peer for the seven runs (a python3 start each costs more than the
# run): each run opens the reader anew, and REOPEN waits for that.
test_expect_success 'five wrong fingers in a row lock the person out (R5.2)' '
	new_reader device &&
	finger "SCAN alice2" REOPEN "SCAN mallory" REOPEN "SCAN mallory" \
		REOPEN "SCAN mallory" REOPEN "SCAN mallory" REOPEN "SCAN mallory" \
		REOPEN "SCAN alice2" &&
	auth-check -u alice 2>err &&
	for i in 1 2 3 4; do
		test_must_fail 1 auth-check -u alice 2>err || { peer_done; return 1; }
	done &&
	test_must_fail 4 auth-check -u alice 2>err &&
	grep -q "alice is locked out" err &&
	test_must_fail 4 auth-check -u alice 2>err &&
	peer_done
'

# auth-check(1), Lockout: a locked person is still asked for a finger, but
# only when the template opens; one that does not is said, no finger is
# asked for, and the attempt is still the locked deny.
test_expect_success 'locked, with a template that does not open: no prompt, said, denied as locked' '
	new_reader device &&
	cp state/credentials/alice.tmpl alice.tmpl &&
	cp state/credentials/boss.tmpl state/credentials/alice.tmpl &&
	n=$(wc -l <state/oplog.csv) &&
	test_must_fail 4 auth-check -u alice 2>err; st=$?
	cp alice.tmpl state/credentials/alice.tmpl && test $st = 0 &&
	test $(wc -l <state/oplog.csv) = $((n + 1)) &&
	grep -q "template of alice is corrupt or belongs to someone else" err &&
	! grep -q "place your" err &&
	logged auth alice locked "reason=locked"
'

test_expect_success 'operator-revoke destroys the template' '
	new_reader device &&
	finger "SCAN boss" &&
	operator-revoke -b boss -i alice --reason transfer 2>err &&
	peer_done &&
	! test -e state/credentials/alice.tmpl
'

test_done
