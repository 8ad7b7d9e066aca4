#!/bin/sh
# The gate fails closed when it cannot record (R5.2, R6; pam_faillock and
# auditd's disk_full_action): on a full or read-only file system every
# attempt, the right password included, and every manager's -b check is a
# deny with exit 3 and one line, so that neither a guess nor an id can be
# told apart by the answer while nothing is counted.  Needs root (a small
# tmpfs); skipped, with the reason, otherwise.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

M=$TMP/mnt
mkdir -m 700 "$M"
if ! mount -t tmpfs -o size=1m,mode=700 tmpfs "$M" 2>/dev/null; then
	test_skip 'full and read-only file systems' 'cannot mount a tmpfs (not root?)'
	test_done
	exit
fi
trap 'umount "$M" 2>/dev/null; rm -rf "$TMP"' EXIT
D=$M/s

test_expect_success 'set up on a 1 MiB tmpfs: manager and an operator' '
	reg_state && bootstrap && add_pw tanaka && pw wrong Not-The-Pw-42 &&
	auth tanaka "$TMP/pw.tanaka"
'

# fill: leaves the tmpfs with no room (what a log or a dump left behind).
fill() {
	free=$(df -k --output=avail "$M" | tail -1) &&
	dd if=/dev/zero of="$M/fill" bs=1k count="$free" 2>/dev/null;
	test "$(df -k --output=avail "$M" | tail -1)" -eq 0
}

test_expect_success 'full: a wrong password is exit 3, one line, nothing counted' '
	fill && cp "$D/operators.csv" reg.before &&
	test_must_fail 3 auth tanaka "$TMP/pw.wrong" 2>err &&
	one_line_matching err "No space left on device" &&
	cmp reg.before "$D/operators.csv"
'

test_expect_success 'full: the right password is exit 3 too, one line' '
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err &&
	one_line_matching err "^auth-check: .*: the attempt cannot be recorded \(No space left on device\): denied\$"
'

test_expect_success 'full: an unknown id answers as a known one (exit 3)' '
	test_must_fail 3 auth nobody "$TMP/pw.wrong" 2>err &&
	one_line_matching err "No space left on device"
'

test_expect_success 'full: guessing is no oracle: 20 tries, all exit 3, no lock, no admission' '
	i=0; while [ $i -lt 10 ]; do
		test_must_fail 3 auth tanaka "$TMP/pw.wrong" 2>/dev/null || exit 1
		test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>/dev/null || exit 1
		i=$((i + 1))
	done &&
	cmp reg.before "$D/operators.csv"
'

test_expect_success 'full: a manager'"'"'s -b check is exit 3 and changes nothing' '
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -s x 4<"$TMP/pw.boss" 2>err &&
	grep -q "No space left on device" err &&
	cmp reg.before "$D/operators.csv"
'

test_expect_success 'with room again: admitted and logged as before' '
	rm -f "$M/fill" &&
	auth tanaka "$TMP/pw.tanaka" &&
	test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	test "$(field tanaka failed)" = 1 && auth tanaka "$TMP/pw.tanaka"
'

test_expect_success 'read-only: the right password, a wrong one, -b: exit 3, one line' '
	cp "$D/operators.csv" reg.before &&
	mount -o remount,ro "$M" &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err &&
	one_line_matching err "Read-only file system" &&
	test_must_fail 3 auth tanaka "$TMP/pw.wrong" 2>err &&
	one_line_matching err "Read-only file system" &&
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -s x 4<"$TMP/pw.boss" 2>err &&
	grep -q "Read-only file system" err;
	s=$?; mount -o remount,rw "$M"; test $s = 0 &&
	cmp reg.before "$D/operators.csv" &&
	auth tanaka "$TMP/pw.tanaka"
'

test_done
