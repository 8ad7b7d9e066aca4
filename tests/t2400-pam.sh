#!/bin/sh
# auth-check --pam behind a real PAM stack: pam_exec.so expose_authtok in a
# service file this test installs under /etc/pam.d (unique name, removed
# afterwards), driven by pamtester (R5.4 at the login prompt).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

if [ "$(id -u)" -ne 0 ]; then
	test_skip 'PAM through pamtester' 'needs root to install /etc/pam.d/ file'
	test_done; exit
fi
if ! command -v pamtester >/dev/null; then
	test_skip 'PAM through pamtester' 'pamtester not installed (make deps)'
	test_done; exit
fi

SVC=jukisec-test-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d " ")
trap 'rm -f "/etc/pam.d/$SVC"; rm -rf "$TMP"' EXIT
# pam_exec gives the program only the PAM environment, so a sanitizer
# build's options travel through env(1).
PRE=
[ -n "${ASAN_OPTIONS:-}" ] && PRE="/usr/bin/env ASAN_OPTIONS=$ASAN_OPTIONS"

# pt USER PWFILE [pamtester args]: authenticate through the installed service.
pt() {
	_u=$1 _f=$2; shift 2
	pamtester "$@" "$SVC" "$_u" authenticate <"$_f"
}

test_expect_success 'set up the register and the service from examples/pam/jukisec' '
	reg_state && bootstrap && add_pw tanaka && pw wrong Not-The-Pw-42 &&
	sed -e "s|/usr/local/bin/auth-check|$PRE $JUKISEC_BUILD/auth-check|" \
	    -e "s|--pam|--pam -d $D|" -e "s|quiet|quiet log=$TMP/pam.log|" \
	    "$SRCDIR/examples/pam/jukisec" >"/etc/pam.d/$SVC" &&
	grep -q "expose_authtok" "/etc/pam.d/$SVC"
'

test_expect_success 'right password: PAM success, terminal from PAM_RHOST' '
	pt tanaka "$TMP/pw.tanaka" -I rhost=cs-term-3 -I tty=pts/4 &&
	grep -q ",cs-term-3,tanaka,auth,tanaka,ok," "$D/oplog.csv"
'

test_expect_success 'no rhost: the terminal is PAM_TTY' '
	pt tanaka "$TMP/pw.tanaka" -I tty=pts/4 &&
	grep -q ",pts/4,tanaka,auth,tanaka,ok," "$D/oplog.csv"
'

test_expect_success 'wrong password: PAM failure, counted' '
	! pt tanaka "$TMP/pw.wrong" -I tty=pts/4 &&
	test "$(field tanaka failed)" = 1 &&
	test "$(log_count auth denied wrong-password)" = 1
'

test_expect_success 'unknown user: PAM failure' '
	! pt nobody "$TMP/pw.wrong" -I tty=pts/4 &&
	test "$(log_count auth denied unknown-id)" = 1
'

test_expect_success 'locked: PAM failure even with the right password' '
	for i in 2 3 4 5; do pt tanaka "$TMP/pw.wrong" -I tty=pts/4 && exit 1; done;
	test -n "$(field tanaka locked_at)" &&
	! pt tanaka "$TMP/pw.tanaka" -I tty=pts/4 &&
	test "$(log_count auth locked reason=locked)" = 1
'

test_expect_success 'unlocked by the manager: PAM success again' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -u 4<"$TMP/pw.boss" &&
	pt tanaka "$TMP/pw.tanaka" -I tty=pts/4
'

test_done
