#!/bin/sh
# auth-check --pam behind a real PAM stack (R5.4 at the login prompt):
# examples/pam/jukisec (pam_exec.so expose_authtok) as a service in a
# private configuration directory under $TMP, driven by tests/pamclient
# through pam_start_confdir.  pamtester reads only /etc/pam.d: it runs in
# a private mount namespace with $TMP/pam.d mounted there, as root only.
# No test writes into /etc/pam.d.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

PC=$JUKISEC_BUILD/tests/pamclient
SVC=jukisec-test
# pamd_list: /etc/pam.d's files with their times.  Left out: the
# directory's own entries, and the files older versions of this test put
# there (jukisec-test-PID-HEX), which other checkouts may still be running.
pamd_list() {
	ls -la --time-style=full-iso /etc/pam.d 2>&1 |
	    grep -Ev "^total | \.\.?\$| jukisec-test-[0-9]+-[0-9a-f]+\$"
}
pamd_list >"$TMP/pam.d.before"
# pam_exec gives the program only the PAM environment, so a sanitizer
# build's options travel through env(1).
PRE=
[ -n "${ASAN_OPTIONS:-}" ] && PRE="/usr/bin/env ASAN_OPTIONS=$ASAN_OPTIONS"

# pc USER PWFILE [pamclient args]: authenticates through the private
# service; the password reaches pamclient on descriptor 3, its report is
# in $TMP/pc.out.
pc() {
	_u=$1 _f=$2; shift 2
	"$PC" -c "$TMP/pam.d" -i 3 "$@" "$SVC" "$_u" 3<"$_f" >"$TMP/pc.out"
}

# said LINE: pamclient printed exactly LINE.
said() {
	grep -qxF -- "$1" "$TMP/pc.out" || { echo "no '$1' in:" >&2; cat "$TMP/pc.out" >&2; return 1; }
}

test_expect_success 'set up the register and the service from examples/pam/jukisec' '
	reg_state && bootstrap && add_pw tanaka && pw wrong Not-The-Pw-42 &&
	mkdir -m 700 "$TMP/pam.d" &&
	sed -e "s|/usr/local/bin/auth-check|$PRE $JUKISEC_BUILD/auth-check|" \
	    -e "s|--pam|--pam -d $D|" -e "s|quiet|quiet log=$TMP/pam.log|" \
	    "$SRCDIR/examples/pam/jukisec" >"$TMP/pam.d/$SVC" &&
	grep -q "expose_authtok" "$TMP/pam.d/$SVC" &&
	echo "auth required pam_exec.so expose_authtok /bin/cat" >"$TMP/pam.d/cat"
'

test_expect_success 'right password: PAM success, one password prompt, terminal from PAM_RHOST' '
	pc tanaka "$TMP/pw.tanaka" -r cs-term-3 -t pts/4 &&
	said "pam_authenticate PAM_SUCCESS" &&
	test "$(grep -c "^PROMPT_ECHO_OFF " "$TMP/pc.out")" = 1 &&
	said "PROMPT_ECHO_OFF Password: " &&
	grep -q ",cs-term-3,tanaka,auth,tanaka,ok," "$D/oplog.csv"
'

test_expect_success 'no rhost: the terminal is PAM_TTY; the account stack runs after' '
	pc tanaka "$TMP/pw.tanaka" -t pts/4 -a &&
	said "pam_authenticate PAM_SUCCESS" && said "pam_acct_mgmt PAM_SUCCESS" &&
	grep -q ",pts/4,tanaka,auth,tanaka,ok," "$D/oplog.csv"
'

# pam_exec reports every failure of its program as PAM_SYSTEM_ERR: the
# refusal is real, its name is pam_exec's.
test_expect_success 'wrong password: PAM failure (pam_exec: PAM_SYSTEM_ERR), counted' '
	test_must_fail 4 pc tanaka "$TMP/pw.wrong" -t pts/4 &&
	said "pam_authenticate PAM_SYSTEM_ERR" &&
	test "$(field tanaka failed)" = 1 &&
	test "$(log_count auth denied wrong-password)" = 1
'

test_expect_success 'unknown user: PAM failure' '
	test_must_fail 4 pc nobody "$TMP/pw.wrong" -t pts/4 &&
	said "pam_authenticate PAM_SYSTEM_ERR" &&
	test "$(log_count auth denied unknown-id)" = 1
'

test_expect_success 'locked: PAM failure even with the right password' '
	for i in 2 3 4 5; do pc tanaka "$TMP/pw.wrong" -t pts/4 && exit 1; done;
	test -n "$(field tanaka locked_at)" &&
	test_must_fail 4 pc tanaka "$TMP/pw.tanaka" -t pts/4 &&
	test "$(log_count auth locked reason=locked)" = 1
'

test_expect_success 'unlocked by the manager: PAM success again' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -u 4<"$TMP/pw.boss" &&
	pc tanaka "$TMP/pw.tanaka" -t pts/4 && said "pam_authenticate PAM_SUCCESS"
'

test_expect_success 'no answer to the prompt: PAM_CONV_ERR reaches the application' '
	: >"$TMP/empty" &&
	test_must_fail 19 pc tanaka "$TMP/empty" -t pts/4 2>err &&
	said "pam_authenticate PAM_CONV_ERR" && grep -q "no answer left" err
'

test_expect_success 'the host process is as it was after pam_authenticate (pamclient -s)' '
	pc tanaka "$TMP/pw.tanaka" -t pts/4 -s -a &&
	said "pam_authenticate PAM_SUCCESS" && ! grep "^state " "$TMP/pc.out"
'

# The check itself: a change made inside pam_authenticate (from the
# conversation) is reported, and the status says so.  A service that only
# prompts ("cat") keeps the loop quick.
test_expect_success 'pamclient -s reports each kind of change made within pam_authenticate' '
	for x in umask signal mask fd locale rlimit env cwd textdomain; do
		test_must_fail 66 "$PC" -c "$TMP/pam.d" -i 3 -s -X $x cat tanaka \
		    3<"$TMP/pw.tanaka" >"$TMP/pc.out" || exit 1
		grep -q "^state " "$TMP/pc.out" || { echo "$x not seen" >&2; exit 1; }
		said "pam_authenticate PAM_SUCCESS" || exit 1
	done &&
	test_must_fail 66 "$PC" -c "$TMP/pam.d" -i 3 -s -X umask cat tanaka \
	    3<"$TMP/pw.tanaka" >"$TMP/pc.out" &&
	said "state umask: 0027 -> 0000"
'

test_expect_success 'a service missing from the private directory is not looked up in /etc/pam.d' '
	test_must_fail 26 "$PC" -c "$TMP/pam.d" login tanaka </dev/null >"$TMP/pc.out" &&
	said "pam_start_confdir PAM_ABORT"
'

# pamtester: /etc/pam.d is the only place it reads, so it sees $TMP/pam.d
# mounted there in a mount namespace of its own; the real directory is
# not written, and the mount ends with the namespace.
ptns() {
	_u=$1 _f=$2; shift 2
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /etc/pam.d &&
		shift && exec pamtester "$@"' sh "$TMP/pam.d" "$@" "$SVC" "$_u" authenticate <"$_f"
}

test_expect_success MOUNTNS,PAMTESTER 'pamtester (private /etc/pam.d): right password admitted' '
	ptns tanaka "$TMP/pw.tanaka" -I rhost=cs-term-9 &&
	grep -q ",cs-term-9,tanaka,auth,tanaka,ok," "$D/oplog.csv" &&
	test ! -e "/etc/pam.d/$SVC"
'

test_expect_success MOUNTNS,PAMTESTER 'pamtester (private /etc/pam.d): wrong password refused' '
	! ptns tanaka "$TMP/pw.wrong" -I rhost=cs-term-9 &&
	test "$(field tanaka failed)" = 1
'

test_expect_success 'nothing in /etc/pam.d changed, nothing there names this test' '
	pamd_list >"$TMP/pam.d.after" &&
	test_cmp "$TMP/pam.d.before" "$TMP/pam.d.after" &&
	! grep -rlF "$TMP" /etc/pam.d
'

test_done
