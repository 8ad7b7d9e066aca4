#!/bin/sh
# Moving a person between the password exception and biometrics (R5.3,
# R5.5), only through the manager, on libfprint's virtual_device reader.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/fplib.sh"

init_state
export JUKISEC_DIR=$TMP/state
conf_set fp_timeout_seconds 10	# a lost scan fails the test, not the suite's clock
conf_set kdf_memory_kib 19456	# the floor: passwords are not what is tested here
conf_set kdf_time 2
echo boss-password-1 >boss.pw
echo tanaka-password-1 >tanaka.pw

# to_finger ID: the manager moves ID to the fingerprint method, five
# scans of ID on a fresh virtual reader.
to_finger() {
	new_reader device &&
	finger "SCAN $1" "SCAN $1" "SCAN $1" "SCAN $1" "SCAN $1" &&
	operator-mod -b boss --by-password-fd 4 -i "$1" -m fingerprint 4<boss.pw 2>err &&
	peer_done
}

test_expect_success 'setup: a password manager and a password operator' '
	operator-add -i boss -n Boss -r manager -m password --reason "no reader yet" \
		--instructions-given 2026-11-01 --password-fd 3 3<boss.pw &&
	operator-add -b boss --by-password-fd 4 -i tanaka -n Tanaka -m password \
		--reason "no reader yet" --instructions-given 2026-11-01 \
		--password-fd 3 3<tanaka.pw 4<boss.pw &&
	test -e state/credentials/tanaka.phc
'

test_expect_success 'password -> fingerprint drops the exception' '
	to_finger tanaka &&
	test -e state/credentials/tanaka.tmpl &&
	! test -e state/credentials/tanaka.phc &&
	grep "^tanaka," state/operators.csv >row &&
	grep -q "^tanaka,Tanaka,[^,]*,operator,fingerprint,,,," row
'

test_expect_success 'the finger now admits tanaka, the old password does not exist' '
	new_reader device &&
	finger "SCAN tanaka" &&
	auth-check -u tanaka 2>err &&
	peer_done
'

test_expect_success 'a failed enrolment leaves the person on the password' '
	operator-add -b boss --by-password-fd 4 -i suzuki -n Suzuki -m password \
		--reason "no reader yet" --instructions-given 2026-11-01 \
		--password-fd 3 3<tanaka.pw 4<boss.pw &&
	new_reader device &&
	finger "SCAN suzuki" "ERROR 5" &&
	test_must_fail 3 operator-mod -b boss --by-password-fd 4 -i suzuki \
		-m fingerprint 4<boss.pw 2>err &&
	peer_done &&
	test -e state/credentials/suzuki.phc &&
	! test -e state/credentials/suzuki.tmpl &&
	grep -q "^suzuki,Suzuki,[^,]*,operator,password,no reader yet," state/operators.csv
'

test_expect_success 'fingerprint -> password needs the R5.3 proviso' '
	test_must_fail 2 operator-mod -b boss --by-password-fd 4 -i tanaka \
		-m password --password-fd 3 3<tanaka.pw 4<boss.pw 2>err &&
	grep -q "R5.3" err &&
	test -e state/credentials/tanaka.tmpl
'

test_expect_success 'with the proviso the template is destroyed' '
	operator-mod -b boss --by-password-fd 4 -i tanaka -m password \
		--reason "burn scars" --instructions-given 2026-11-20 \
		--password-fd 3 3<tanaka.pw 4<boss.pw 2>err &&
	! test -e state/credentials/tanaka.tmpl &&
	test -e state/credentials/tanaka.phc &&
	grep -q "^tanaka,Tanaka,[^,]*,operator,password,burn scars,boss,2026-11-20," state/operators.csv
'

# Fingerprint and external both keep their template as ID.tmpl: a move
# between them replaces that file and must not destroy it afterwards as
# the old method's credential (the person would be left with none).
XV_DIR=$TMP/xv
export XV_DIR
test_expect_success 'fingerprint -> external keeps the new template; it admits' '
	mkdir -m 700 xv && echo kato-right >xv/hand &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh" &&
	operator-add -b boss --by-password-fd 4 -i kato -n Kato -m password \
		--reason "no reader yet" --instructions-given 2026-11-01 \
		--password-fd 3 3<tanaka.pw 4<boss.pw &&
	to_finger kato &&
	operator-mod -b boss --by-password-fd 4 -i kato -m external 4<boss.pw 2>err &&
	test -s state/credentials/kato.tmpl &&
	grep -q "^kato,Kato,[^,]*,operator,external," state/operators.csv &&
	auth-check -u kato 2>err
'

test_expect_success 'external -> fingerprint keeps the new template; it admits' '
	to_finger kato &&
	test -s state/credentials/kato.tmpl &&
	grep -q "^kato,Kato,[^,]*,operator,fingerprint," state/operators.csv &&
	new_reader device &&
	finger "SCAN kato" &&
	auth-check -u kato 2>err &&
	peer_done
'

test_done
