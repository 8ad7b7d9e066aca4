#!/bin/sh
# The gate's late change: the register changed while auth-check asked for
# the password (or the verifier or reader took the palm or finger), after
# its first read of the row and before the count.  The attempt is decided
# and counted on the row as the register lock finds it then, never on the
# first read (gate.c count, changed_since; auth-check(1)): an unlock
# meanwhile admits the right password and counts a wrong one from zero; a
# lock, a failure or a success counted meanwhile is counted on; a
# credential reset or re-enrolled meanwhile denies the one right when
# asked (credential-changed) and counts a wrong one, the new one
# included, as wrong; a move to another method, a revocation or an
# expiry meanwhile denies whatever was given (method-changed, revoked,
# expired), not counted; an id unknown when asked stays unknown.  The
# window is held open, not raced: auth-check reads the password from a
# FIFO (the verifier waits on one of its own, the reader for its scan),
# and the change is made by the real tool while it waits there.  t2140
# has a reset during the key derivation, t2020 a manager's --by check.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

# late ID PWFILE CMD...: auth-check -u ID with its password read from a
# FIFO; once it sleeps reading it (the row and the credential read), CMD
# makes the change, then PWFILE's password is written.  The status in
# $rc, standard error in err.  With LATE_AT set, auth-check's clock is
# stopped there (libfaketime, as at() does, but in the process waited on).
late() {
	_id=$1 _pf=$2; shift 2
	rm -f fifo && mkfifo fifo || return 1
	if [ -n "${LATE_AT:-}" ]; then
		env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$LATE_AT" \
		    FAKETIME_DONT_FAKE_MONOTONIC=1 \
		    auth-check -d "$D" -u "$_id" --password-fd 3 3<>fifo 2>err &
	else
		auth-check -d "$D" -u "$_id" --password-fd 3 3<>fifo 2>err &
	fi
	_pid=$!
	if ! blocked_read $_pid 3 || ! "$@"; then
		echo "late: auth-check not held, or the change failed" >&2
		kill $_pid; wait $_pid; return 1
	fi
	cat "$_pf" >fifo; wait $_pid; rc=$?
}

# auth_rec ID: ID's last "auth" record, "RESULT DETAIL".
auth_rec() {
	(_i=$1; export _i; csv_awk '
	NF_ > 7 && F[5] == "auth" && F[6] == ENVIRON["_i"] { r = F[7] " " F[8] }
	END { print r }' "$D/oplog.csv")
}

# auths ID: how many "auth" records ID has.
auths() {
	(_i=$1; export _i; csv_awk '
	NF_ > 7 && F[5] == "auth" && F[6] == ENVIRON["_i"] { n++ }
	END { print n + 0 }' "$D/oplog.csv")
}

# row ID: ID's "failed locked".
row() { echo "$(field "$1" failed) $(field "$1" locked)"; }

# denied_once ID RESULT REASON N: auth-check said its one line (the
# lock's for RESULT locked, else the deny's), ID has N "auth" records,
# the last one RESULT for REASON, and no count's note or pad is left.
denied_once() {
	if [ "$2" = locked ]; then
		one_line_matching err "^auth-check: $1 is locked out: see the Security Manager\$"
	else
		one_line_matching err '^auth-check: authentication denied$'
	fi &&
	test "$(auths "$1")" = "$4" &&
	test "$(auth_rec "$1")" = "$2 method=password reason=$3" &&
	test ! -e "$D/operators.pending" && test ! -e "$D/operators.pad"
}

# mod ID ARGS...: operator-mod of ID by boss.
mod() {
	_m=$1; shift
	operator-mod -d "$D" -b boss --by-password-fd 4 -i "$_m" "$@" \
	    4<"$TMP/pw.boss"
}

# reset ID PWFILE: boss resets ID's password to PWFILE's.
reset() { mod "$1" --reset-password --password-fd 3 3<"$2"; }

# wrong ID N: N wrong passwords for ID, each denied (exit 1) or locked
# out (exit 4).
wrong() {
	_w=$2
	while [ "$_w" -gt 0 ]; do
		auth "$1" "$TMP/pw.wrong" 2>/dev/null
		case $? in 1|4) ;; *) return 1 ;; esac
		_w=$((_w - 1))
	done
}

test_expect_success 'set up: a manager and six exception operators, three failures lock' '
	reg_state && conf_set "$D" lockout_threshold 3 && bootstrap &&
	for p in alice bob carol dave erin fumi; do add_pw $p || exit 1; done &&
	pw wrong Not-The-Pw-42 && pw new new-secret-123
'

test_expect_success 'locked when asked, unlocked meanwhile: the right password is admitted' '
	wrong alice 3 && test "$(row alice)" = "3 yes" &&
	n=$(auths alice) &&
	late alice "$TMP/pw.alice" mod alice -u &&
	test $rc = 0 && test ! -s err &&
	test "$(auths alice)" = $((n + 1)) &&
	test "$(auth_rec alice)" = "ok method=password reason=ok" &&
	test "$(row alice)" = "0 no" && counted alice
'

test_expect_success 'locked when asked, unlocked meanwhile: a wrong password counts from zero' '
	wrong bob 3 && test "$(row bob)" = "3 yes" &&
	n=$(auths bob) &&
	late bob "$TMP/pw.wrong" mod bob -u &&
	test $rc = 1 && denied_once bob denied wrong-password $((n + 1)) &&
	test "$(row bob)" = "1 no" && counted bob
'

test_expect_success 'locked meanwhile by another failure: the right password is locked out, counted' '
	wrong carol 2 && test "$(row carol)" = "2 no" &&
	n=$(auths carol) &&
	late carol "$TMP/pw.carol" test_must_fail 4 auth carol "$TMP/pw.wrong" &&
	test $rc = 4 && denied_once carol locked locked $((n + 2)) &&
	test "$(row carol)" = "4 yes" && counted carol
'

test_expect_success 'another failure counted meanwhile: both count, the second reaches the lock' '
	wrong dave 1 && test "$(row dave)" = "1 no" &&
	n=$(auths dave) &&
	late dave "$TMP/pw.wrong" test_must_fail 1 auth dave "$TMP/pw.wrong" &&
	test $rc = 4 && denied_once dave locked wrong-password $((n + 2)) &&
	test "$(row dave)" = "3 yes" && counted dave
'

test_expect_success 'a success counted meanwhile: a wrong password counts from zero' '
	test "$(row erin)" = "0 no" && wrong erin 2 && test "$(row erin)" = "2 no" &&
	n=$(auths erin) &&
	late erin "$TMP/pw.wrong" auth erin "$TMP/pw.erin" &&
	test $rc = 1 && denied_once erin denied wrong-password $((n + 2)) &&
	test "$(row erin)" = "1 no" && counted erin
'

test_expect_success 'reset meanwhile: the old password, right when asked, is denied, not counted' '
	test "$(row erin)" = "1 no" && n=$(auths erin) &&
	late erin "$TMP/pw.erin" reset erin "$TMP/pw.new" &&
	test $rc = 1 && denied_once erin denied credential-changed $((n + 1)) &&
	test "$(row erin)" = "1 no" &&
	auth erin "$TMP/pw.new" && test "$(row erin)" = "0 no" &&
	cp "$TMP/pw.new" "$TMP/pw.erin"
'

test_expect_success 'reset meanwhile: the new password, checked against the old hash, is a wrong one, counted' '
	pw newer newer-secret-456 && n=$(auths erin) &&
	late erin "$TMP/pw.newer" reset erin "$TMP/pw.newer" &&
	test $rc = 1 && denied_once erin denied wrong-password $((n + 1)) &&
	test "$(row erin)" = "1 no" && counted erin &&
	auth erin "$TMP/pw.newer" && test "$(row erin)" = "0 no"
'

test_expect_success 'revoked meanwhile: the right password is denied, not counted' '
	wrong fumi 1 && n=$(auths fumi) &&
	late fumi "$TMP/pw.fumi" operator-revoke -d "$D" -b boss \
	    --by-password-fd 4 -i fumi --reason "moved" 4<"$TMP/pw.boss" &&
	test $rc = 1 && denied_once fumi denied revoked $((n + 1)) &&
	test "$(row fumi)" = "1 no"
'

test_expect_success 'revoked meanwhile: a wrong password is denied as revoked, not counted' '
	add_pw gen && wrong gen 1 && n=$(auths gen) &&
	late gen "$TMP/pw.wrong" operator-revoke -d "$D" -b boss \
	    --by-password-fd 4 -i gen --reason "moved" 4<"$TMP/pw.boss" &&
	test $rc = 1 && denied_once gen denied revoked $((n + 1)) &&
	test "$(row gen)" = "1 no"
'

test_expect_success 'unknown when asked, registered meanwhile: denied as unknown, the new row not counted' '
	pw hana hana-secret-1 &&
	late hana "$TMP/pw.hana" add_pw hana &&
	test $rc = 1 && denied_once hana denied unknown-id 1 &&
	test "$(row hana)" = "0 no" &&
	auth hana "$TMP/pw.hana" && test "$(auths hana)" = 2
'

# The palm's variant: check_template reads the template before the
# verifier runs, and the count reads it again.  tests/xverifier.sh behind
# a program that, once, holds a verify until a line comes on $XV_DIR/go.
XV_DIR=$TMP/xv
export XV_DIR
hand() { echo "$1" >"$XV_DIR/hand"; }

# add_x ID: registers ID by the palm presented now, as boss.
add_x() {
	operator-add -d "$D" -b boss --by-password-fd 4 -i "$1" -n "$1" \
	    -m external 4<"$TMP/pw.boss" 2>/dev/null
}

# late_x ID CMD...: auth-check -u ID (a palm), held in the verifier until
# CMD made the change.  $rc, err as late's.
late_x() {
	_id=$1; shift
	rm -f "$XV_DIR/waiting" "$XV_DIR/go" && mkfifo "$XV_DIR/go" &&
	: >"$XV_DIR/hold" || return 1
	auth-check -d "$D" -u "$_id" 2>err & _pid=$!
	_i=0; until [ -e "$XV_DIR/waiting" ] || [ $_i -ge 1000 ]; do
		_i=$((_i + 1)); sleep 0.01
	done
	if [ ! -e "$XV_DIR/waiting" ] || ! "$@"; then
		echo "late_x: the verifier not held, or the change failed" >&2
		timeout 5 sh -c "echo >\"$XV_DIR/go\"" ; wait $_pid; return 1
	fi
	echo go >"$XV_DIR/go"; wait $_pid; rc=$?
}

test_expect_success 'set up: a held verifier, two palms enrolled' '
	mkdir -m 700 xv xvbin && hand kou-right &&
	cat >xvbin/held <<-EOF &&
	#!/bin/sh
	if [ "\$1" = verify ] && [ -e "\$XV_DIR/hold" ]; then
		rm -f "\$XV_DIR/hold" && : >"\$XV_DIR/waiting" &&
		read -r _ <"\$XV_DIR/go"
	fi
	exec "$SRCDIR/tests/xverifier.sh" "\$@"
	EOF
	chmod 700 xvbin/held &&
	conf_set "$D" external_verifier "$TMP/xvbin/held" &&
	add_x kou && hand ren-right && add_x ren &&
	test "$(field ren method)" = external
'

test_expect_success 'a palm re-enrolled meanwhile: the palm right when read is denied, not counted' '
	hand kou-right && n=$(auths kou) &&
	late_x kou eval "hand kou-new && mod kou --reenroll 2>/dev/null && hand kou-right" &&
	test $rc = 1 && tail -n 1 err | grep -q "^auth-check: authentication denied\$" &&
	test "$(auths kou)" = $((n + 1)) &&
	test "$(auth_rec kou)" = "denied method=external reason=credential-changed" &&
	test "$(row kou)" = "0 no" &&
	test_must_fail 1 auth-check -d "$D" -u kou 2>/dev/null &&
	hand kou-new && auth-check -d "$D" -u kou 2>/dev/null
'

test_expect_success 'a palm re-enrolled meanwhile: the new palm, against the template read, is no match, counted' '
	n=$(auths kou) &&
	late_x kou eval "hand kou-3 && mod kou --reenroll 2>/dev/null" &&
	test $rc = 1 &&
	test "$(auths kou)" = $((n + 1)) &&
	test "$(auth_rec kou)" = "denied method=external reason=no match" &&
	test "$(row kou)" = "1 no" &&
	auth-check -d "$D" -u kou 2>/dev/null && test "$(row kou)" = "0 no"
'

test_expect_success 'moved to a password meanwhile: the palm right when read is denied, not counted' '
	hand ren-right && pw ren ren-secret-2 && n=$(auths ren) &&
	late_x ren eval "mod ren -m password --reason \"injured hand\" \
	    --instructions-given $INSTR_PW --password-fd 3 3<\"$TMP/pw.ren\"" &&
	test $rc = 1 && tail -n 1 err | grep -q "^auth-check: authentication denied\$" &&
	test "$(auths ren)" = $((n + 1)) &&
	test "$(auth_rec ren)" = "denied method=external reason=method-changed" &&
	test "$(row ren)" = "0 no" && auth ren "$TMP/pw.ren"
'

test_expect_success 'moved to a palm meanwhile: a wrong password is denied as method-changed, not counted' '
	add_pw jun && wrong jun 1 && n=$(auths jun) && hand jun-right &&
	late jun "$TMP/pw.wrong" eval "mod jun -m external 2>/dev/null" &&
	test $rc = 1 && denied_once jun denied method-changed $((n + 1)) &&
	test "$(row jun)" = "1 no" && auth-check -d "$D" -u jun 2>/dev/null
'

test_expect_success 'locked when read, unlocked meanwhile: the right palm is admitted' '
	hand someone-else &&
	for i in 1 2; do test_must_fail 1 auth-check -d "$D" -u kou 2>/dev/null || exit 1; done &&
	test_must_fail 4 auth-check -d "$D" -u kou 2>/dev/null &&
	test "$(row kou)" = "3 yes" && hand kou-3 && n=$(auths kou) &&
	late_x kou mod kou -u &&
	test $rc = 0 && test "$(auths kou)" = $((n + 1)) &&
	test "$(auth_rec kou)" = "ok method=external reason=ok" &&
	test "$(row kou)" = "0 no"
'

# The fingerprint's, through libfprint's virtual_device (tests/fpeer.py,
# as in t3000): auth-check waits for the finger on its reader's socket
# while the re-enrolment scans on a reader of its own.
# fp SOCK CMD...: CMD with libfprint's virtual reader at SOCK.
fp() {
	_s=$1; shift
	(unset G_MESSAGES_DEBUG FP_VIRTUAL_IMAGE FP_VIRTUAL_DEVICE_STORAGE
	FP_DRIVERS_WHITELIST=virtual_device FP_VIRTUAL_DEVICE=$_s
	export FP_DRIVERS_WHITELIST FP_VIRTUAL_DEVICE; "$@")
}

test_expect_success 'a finger re-enrolled meanwhile: the finger right when read is denied, not counted' '
	mkdir -m 700 ra rb && conf_set "$D" fp_timeout_seconds 10 &&
	"$SRCDIR/tests/fpeer.py" dev "$TMP/ra/s" "SCAN kei" "SCAN kei" "SCAN kei" \
	    "SCAN kei" "SCAN kei" & peer=$! &&
	fp "$TMP/ra/s" operator-add -d "$D" -b boss --by-password-fd 4 -i kei -n kei \
	    -m fingerprint 4<"$TMP/pw.boss" 2>/dev/null && wait $peer &&
	n=$(auths kei) &&
	{ fp "$TMP/ra/s" auth-check -d "$D" -u kei 2>err & } && pid=$! &&
	i=0; until grep -q "^place your finger" err; do
		i=$((i + 1)); [ $i -lt 1000 ] || exit 1; sleep 0.01
	done &&
	"$SRCDIR/tests/fpeer.py" dev "$TMP/rb/s" "SCAN kei2" "SCAN kei2" "SCAN kei2" \
	    "SCAN kei2" "SCAN kei2" & peer=$! &&
	fp "$TMP/rb/s" mod kei --reenroll 2>/dev/null && wait $peer &&
	{ "$SRCDIR/tests/fpeer.py" dev "$TMP/ra/s" "SCAN kei" & } && peer=$! &&
	wait $pid; rc=$?; wait $peer
	test $rc = 1 && tail -n 1 err | grep -q "^auth-check: authentication denied\$" &&
	test "$(auths kei)" = $((n + 1)) &&
	test "$(auth_rec kei)" = "denied method=fingerprint reason=credential-changed" &&
	test "$(row kei)" = "0 no"
'

# Last: the clocks of these runs are stopped ahead of every record before
# (the gate never decides before the log's last one).  The expiry is set,
# a second before, to the instant auth-check decides at.
test_expect_success FAKETIME 'expired meanwhile: the right password is denied, not counted' '
	wrong alice 1 && n=$(auths alice) &&
	LATE_AT="2030-01-10 09:00:00" &&
	late alice "$TMP/pw.alice" at 2030-01-10T08:59:59Z mod alice \
	    -e 2030-01-10T09:00:00Z &&
	test $rc = 1 && denied_once alice denied expired $((n + 1)) &&
	test "$(row alice)" = "1 no"
'

test_done
