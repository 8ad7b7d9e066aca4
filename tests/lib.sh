# tests/lib.sh — TAP helpers for the jukisec test suite, sourced by tests/t*.sh.
#
# Each test file runs in its own temporary directory ($TMP) under LANG=C TZ=UTC,
# with the built tools first on PATH.  A test is
#	test_expect_success 'what it shows' 'cmd && cmd && ...'
# and must not print to stdout (TAP owns it); its output goes to $TMP/out.
# test_must_fail STATUS cmd... passes only when cmd exits with exactly STATUS,
# so a crash (signal, sanitizer abort) never counts as an expected failure.

set -u
LANG=C LC_ALL=C TZ=UTC
export LANG LC_ALL TZ
unset JUKISEC_DIR JUKISEC_TERMINAL

: "${JUKISEC_BUILD:?run through make check (JUKISEC_BUILD unset)}"
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
PATH=$JUKISEC_BUILD:$PATH
export PATH SRCDIR

# State lives on tmpfs when there is one: the suite tests locking, atomicity
# and recovery from SIGKILL, which a page cache keeps; what fsync adds on a
# disk (surviving power loss) no test here can observe, and on tmpfs the 4,000
# appends of the concurrency test take seconds instead of minutes.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/jukisec-test.XXXXXX")
chmod 700 "$TMP"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 3

test_count=0
test_failed=0

say() { printf '# %s\n' "$*"; }

test_expect_success() {
	test_count=$((test_count + 1))
	if (eval "$2") >"$TMP/out" 2>&1; then
		echo "ok $test_count - $1"
	else
		echo "not ok $test_count - $1"
		sed 's/^/# /' "$TMP/out" | tail -40
		test_failed=$((test_failed + 1))
	fi
}

test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count # skip $1: $2"
}

# test_must_fail STATUS cmd args...: cmd must exit with STATUS exactly.
test_must_fail() {
	want=$1; shift
	"$@"
	got=$?
	if [ "$got" -eq "$want" ]; then return 0; fi
	echo "expected exit $want, got $got: $*" >&2
	return 1
}

# test_stderr_matches PATTERN: the last command's stderr (in $TMP/err) has
# exactly one line and it matches the extended regex PATTERN.
one_line_matching() {
	n=$(wc -l <"$1")
	if [ "$n" -ne 1 ]; then echo "want one line in $1, got $n:" >&2; cat "$1" >&2; return 1; fi
	grep -Eq -- "$2" "$1" || { echo "'$(cat "$1")' does not match '$2'" >&2; return 1; }
}

test_cmp() { diff -u "$1" "$2"; }

# at TIME CMD...: runs CMD (a tool, or a shell function of the tests) with
# the clock stopped at TIME, RFC 3339 UTC ("2026-01-01T09:00:00[.fff]Z") or
# "YYYY-MM-DD hh:mm:ss[.fff]" (the monotonic clock, which bounds lock
# waits, keeps running).  libfaketime does it: the tools have no clock
# option (SPEC: the clock is not an input of a tool that admits people or
# changes state).
FAKETIME_LIB=
for _f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
    /usr/local/lib/faketime/libfaketime.so.1; do
	[ -f "$_f" ] && FAKETIME_LIB=$_f && break
done
at() {
	[ -n "$FAKETIME_LIB" ] ||
	    { echo "at: faketime is not installed (make deps)" >&2; return 3; }
	# libfaketime reads local time (TZ): the instant in those terms
	case $1 in
	*[Zz]|*[+-][0-9][0-9]:[0-9][0-9]) _at=$1 ;;
	*) _at="$1 UTC" ;;
	esac
	_at=$(date -d "$_at" "+%Y-%m-%d %H:%M:%S.%3N") || return 3; shift
	(LD_PRELOAD=$FAKETIME_LIB FAKETIME=$_at FAKETIME_DONT_FAKE_MONOTONIC=1
	export LD_PRELOAD FAKETIME FAKETIME_DONT_FAKE_MONOTONIC; "$@")
}

# at_AT CMD...: CMD at $AT when it is set (a test's clock, moving forward:
# the gate never decides before the log's last record), else on the clock.
at_AT() { if [ -n "${AT:-}" ]; then at "$AT" "$@"; else "$@"; fi; }

# A fresh initialised state directory at $1 (default $TMP/state); the log
# verification key goes to $1.key.
init_state() {
	d=${1:-$TMP/state}
	(umask 077 && jukisec-init -d "$d" >"$d.key" 2>/dev/null)
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}
