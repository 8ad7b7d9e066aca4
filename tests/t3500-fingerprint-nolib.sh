#!/bin/sh
# libfprint is loaded with dlopen only when a fingerprint is used (fp.c):
# no tool links it, a password user never needs it, and a fingerprint
# operation without it fails with status 3 and its own message.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/fplib.sh"

init_state
export JUKISEC_DIR=$TMP/state
conf_set kdf_memory_kib 19456	# the floor: passwords are not what is tested here
conf_set kdf_time 2
conf_set fp_timeout_seconds 10
echo boss-password-1 >boss.pw
# A libfprint-2.so.2 that is not a library: dlopen(3) finds it first.
mkdir nolib && echo "not a library" >nolib/libfprint-2.so.2

test_expect_success 'no tool is linked with libfprint or GLib' '
	for t in auth-check operator-add operator-mod incident-report log-append; do
		ldd "$JUKISEC_BUILD/$t" >ldd.out || return 1
		! grep -E "libfprint|libglib|libgobject|libgio" ldd.out || return 1
	done
'

test_expect_success 'a password manager needs no libfprint' '
	LD_LIBRARY_PATH=$TMP/nolib operator-add -i boss -n Boss -r manager \
		-m password --reason "no reader yet" \
		--instructions-given 2026-11-01 --password-fd 3 3<boss.pw &&
	LD_LIBRARY_PATH=$TMP/nolib auth-check -u boss --password-fd 3 3<boss.pw &&
	logged auth boss ok ""
'

test_expect_success 'enrolment without libfprint: exit 3, nothing registered' '
	new_reader device &&
	test_must_fail 3 env LD_LIBRARY_PATH=$TMP/nolib operator-add -b boss \
		--by-password-fd 4 -i alice -n Alice -m fingerprint 4<boss.pw 2>err &&
	grep -q "^operator-add: cannot load libfprint-2.so.2, fingerprint readers are unavailable: .*nolib/libfprint-2.so.2" err &&
	! test -e state/credentials/alice.tmpl &&
	! grep -q "^alice," state/operators.csv
'

test_expect_success 'verification without libfprint: exit 3, logged as no reader' '
	new_reader device &&
	finger "SCAN alice" "SCAN alice" "SCAN alice" "SCAN alice" "SCAN alice" &&
	operator-add -b boss --by-password-fd 4 -i alice -n Alice -m fingerprint \
		4<boss.pw 2>err &&
	peer_done &&
	test_must_fail 3 env LD_LIBRARY_PATH=$TMP/nolib auth-check -u alice 2>err &&
	one_line_matching err "^auth-check: cannot load libfprint-2.so.2, fingerprint readers are unavailable: " &&
	logged auth alice error "no reader"
'

test_expect_success 'with libfprint back, the same operator is admitted' '
	new_reader device &&
	finger "SCAN alice" &&
	auth-check -u alice 2>err &&
	peer_done
'

test_done
