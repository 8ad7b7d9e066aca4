#!/bin/sh
# Sealed templates (R5.3): AES-256-GCM under the template key with the
# operator id as associated data; the key may live on removable media.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/fplib.sh"

init_state
export JUKISEC_DIR=$TMP/state
conf_set fp_timeout_seconds 10	# a lost scan fails the test, not the suite's clock

enrol() {	# enrol ID [BY]
	new_reader device &&
	if [ $# -gt 1 ]; then
		finger "SCAN $2" REOPEN "SCAN $1" "SCAN $1" "SCAN $1" "SCAN $1" "SCAN $1" &&
		operator-add -b "$2" -i "$1" -n "$1" -m fingerprint 2>err
	else
		finger "SCAN $1" "SCAN $1" "SCAN $1" "SCAN $1" "SCAN $1" &&
		operator-add -i "$1" -n "$1" -r manager -m fingerprint 2>err
	fi
	st=$?; peer_done; return $st
}

test_expect_success 'setup: a manager and two operators by fingerprint' '
	enrol boss && enrol alice boss && enrol bob boss
'

test_expect_success 'a template copied onto another operator is refused' '
	cp state/credentials/bob.tmpl bob.saved &&
	cp state/credentials/alice.tmpl state/credentials/bob.tmpl &&
	new_reader device &&
	finger "SCAN alice" &&
	test_must_fail 1 auth-check -u bob 2>err &&
	peer_done &&
	grep -q "auth-check: template of bob is corrupt or belongs to someone else" err &&
	logged auth bob denied "template corrupt" &&
	cp bob.saved state/credentials/bob.tmpl
'

test_expect_success 'a corrupted template: clear error, denied, logged' '
	cp state/credentials/bob.tmpl bob.saved &&
	# byte 30 flipped, whatever it was (a fixed value is already there
	# once in 256 sealings)
	python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,\"rb\").read()); b[30]^=0xff; open(p,\"wb\").write(b)" state/credentials/bob.tmpl &&
	! cmp -s bob.saved state/credentials/bob.tmpl &&
	new_reader device &&
	test_must_fail 1 auth-check -u bob 2>err &&
	grep -q "template of bob is corrupt" err &&
	logged auth bob denied "template corrupt" &&
	cp bob.saved state/credentials/bob.tmpl
'

test_expect_success 'a truncated template is denied' '
	head -c 10 bob.saved >state/credentials/bob.tmpl &&
	new_reader device &&
	test_must_fail 1 auth-check -u bob 2>err &&
	logged auth bob denied "template corrupt" &&
	cp bob.saved state/credentials/bob.tmpl
'

test_expect_success 'the restored template works again' '
	new_reader device &&
	finger "SCAN bob" &&
	auth-check -u bob 2>err &&
	peer_done
'

test_expect_success 'another template key: every template is refused' '
	cp state/template.key key.saved &&
	head -c 32 /dev/urandom >state/template.key &&
	new_reader device &&
	test_must_fail 1 auth-check -u bob 2>err &&
	grep -q "corrupt or belongs to someone else" err &&
	cp key.saved state/template.key
'

test_expect_success 'a group-readable key is refused: exit 3, logged' '
	chmod 640 state/template.key &&
	new_reader device &&
	test_must_fail 3 auth-check -u bob 2>err &&
	grep -q "auth-check: template key .*template.key" err &&
	logged auth bob error "template key unavailable" &&
	chmod 600 state/template.key
'

test_expect_success 'the key moves to removable media' '
	mkdir -m 700 media &&
	mv state/template.key media/jukisec.key &&
	conf_set template_key "$TMP/media/jukisec.key" &&
	new_reader device &&
	finger "SCAN bob" &&
	auth-check -u bob 2>err &&
	peer_done
'

test_expect_success 'medium not mounted: exit 3, not counted, nothing enrolled' '
	mv media/jukisec.key key.offline &&
	new_reader device &&
	test_must_fail 3 auth-check -u bob 2>err &&
	grep -q "template key $TMP/media/jukisec.key is missing (is the removable medium mounted?)" err &&
	finger "SCAN boss" &&
	test_must_fail 3 operator-add -b boss -i carol -n Carol -m fingerprint 2>err &&
	peer_done &&
	! test -e media/jukisec.key &&
	! grep -q "^carol," state/operators.csv &&
	test "$(mlr --icsv --onidx filter '"'"'$id == "bob"'"'"' then cut -o -f failed,locked state/operators.csv)" = "0 no" &&
	mv key.offline media/jukisec.key
'

test_expect_success 'an automounted medium gone, its directory with it: the same line' '
	mv media media.away &&
	new_reader device &&
	test_must_fail 3 auth-check -u bob 2>err; r=$?
	mv media.away media && test $r = 0 &&
	one_line_matching err "^auth-check: template key $TMP/media/jukisec.key is missing \\(is the removable medium mounted\\?\\)\$"
'

test_expect_success 'enrolment never creates a key outside the state directory' '
	init_state "$TMP/s2" &&
	conf_set template_key "$TMP/media/new.key" "$TMP/s2" &&
	new_reader device &&
	test_must_fail 3 operator-add -d "$TMP/s2" -i root -n Root -r manager \
		-m fingerprint 2>err &&
	grep -q "template key $TMP/media/new.key is missing" err &&
	! test -e media/new.key &&
	! test -e s2/credentials/root.tmpl
'

# jukisec.conf(5) template_key: a key inside the state directory is made
# by the first enrolment only.  With templates sealed, a key gone missing
# is never replaced by the next enrolment (every person enrolled before
# would be denied as a corrupt template, counted and locked out): exit 3,
# the words of a verification, nothing enrolled.  The reviewer's sequence.
test_expect_success 'a lost key with templates sealed: the next enrolment fails, no new key' '
	S=$TMP/s3 && init_state "$S" &&
	conf_set kdf_memory_kib 19456 "$S" && conf_set kdf_time 2 "$S" &&
	printf "deputy-pass-123\n" >pw.m2 && chmod 600 pw.m2 &&
	new_reader device &&
	finger "SCAN boss" "SCAN boss" "SCAN boss" "SCAN boss" "SCAN boss" &&
	operator-add -d "$S" -i boss -n Boss -r manager -m fingerprint 2>err &&
	peer_done && test -f "$S/template.key" && cp "$S/template.key" s3.key &&
	new_reader device && finger "SCAN boss" &&
	operator-add -d "$S" -b boss -i deputy -n Deputy -r manager -m password \
	    --reason r --instructions-given 2026-11-20 --password-fd 3 3<pw.m2 2>err &&
	peer_done && rm "$S/template.key" &&
	new_reader device && finger "SCAN boss" &&
	test_must_fail 3 auth-check -d "$S" -u boss 2>err &&
	peer_done &&
	grep -q "^auth-check: template key $S/template.key is missing\$" err &&
	new_reader device &&
	finger "SCAN op1" "SCAN op1" "SCAN op1" "SCAN op1" "SCAN op1" &&
	test_must_fail 3 operator-add -d "$S" -b deputy --by-password-fd 4 -i op1 \
	    -n Op1 -m fingerprint 4<pw.m2 2>err &&
	peer_done &&
	one_line_matching err "^operator-add: template key $S/template.key is missing\$" &&
	! test -e "$S/template.key" && ! grep -q "^op1," "$S/operators.csv" &&
	tail -1 "$S/oplog.csv" | grep -q ",deputy,operator-add,op1,error,role=operator method=fingerprint," &&
	cp s3.key "$S/template.key" &&
	for i in 1 2 3 4 5; do
		new_reader device && finger "SCAN boss" &&
		auth-check -d "$S" -u boss 2>err && peer_done || return 1
	done
'

test_done
