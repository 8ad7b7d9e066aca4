# tests/lib.sh — TAP helpers for the jukisec test suite, sourced by tests/t*.sh.
#
# Each test file runs in its own temporary directory ($TMP) under LANG=C TZ=UTC,
# with the built tools first on PATH.  A test is
#	test_expect_success 'what it shows' 'cmd && cmd && ...'
# and must not print to stdout (TAP owns it); its output goes to $TMP/out.
# test_must_fail STATUS cmd... passes only when cmd exits with exactly STATUS,
# so a crash (signal, sanitizer abort) never counts as an expected failure.
#
# Nothing is skipped in silence.  A test that needs what a machine may lack
# names the prerequisite first, as in git's test suite,
#	test_expect_success ROOT,STRACE 'what it shows' '...'
# and where one is missing the TAP says which and why:
#	ok 3 - what it shows # skip missing STRACE: strace not installed (make deps)
# A whole file that cannot run says "1..0 # skip REASON" (test_skip_all).
# make check ends with tests/skip-summary: how many were skipped, and why.
# Random choices (the SIGKILL loops) come from rand after test_seed, which
# prints "# seed N"; SEED=N replays them.

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
# Every password's Argon2id (cred.c, through libgcrypt) walks 19 MiB at the
# tests' KDF floor, and the suite derives hundreds (t2600 alone 81).  With
# transparent huge pages for malloc's large blocks each takes half the CPU
# (a tenth of the page faults, fewer TLB misses) and computes the same
# thing.  An older glibc ignores the tunable.
GLIBC_TUNABLES=${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1
export GLIBC_TUNABLES
TMP=$(mktemp -d "${TMPDIR:-/tmp}/jukisec-test.XXXXXX")
chmod 700 "$TMP"
# Debian's libfaketime (0.9.10) makes /dev/shm/sem.faketime_sem_PID and
# /dev/shm/faketime_shm_PID in every process it is preloaded into (at()
# below) and removes them at that process's exit: one that a test kills
# leaves them behind, in every run, and libfaketime then refuses to start
# under that process id ("ft_shm_create(), shm_open failed: File exists"):
# with pid_max at 32768 a later process gets it soon, and a test fails
# for a kill long before it, in this run or another (a hand-run test, a
# CI job before).  Those whose process is gone, whatever their age, are
# removed when the file begins and at its end.
faketime_litter() {
	find /dev/shm -maxdepth 1 \( -name 'sem.faketime_sem_*' \
	    -o -name 'faketime_shm_*' \) 2>/dev/null | while read -r _f; do
		[ -d "/proc/${_f##*_}" ] || rm -f "$_f"
	done
}
faketime_litter
trap 'faketime_litter; rm -rf "$TMP"' EXIT
cd "$TMP" || exit 3

# python3 is the system's, which make deps installs (Debian's python3):
# a version manager's shim first in PATH (pyenv's is a bash script that
# runs pyenv) costs 0.7 s of CPU a start, and the suite starts python3
# hundreds of times.
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
	mkdir "$TMP/.bin" && ln -s /usr/bin/python3 "$TMP/.bin/python3" &&
	PATH=$TMP/.bin:$PATH
fi

# JUKISEC_TEST_FORMAT=2 runs a test file against format 2 logs
# (jukisec-log(5) "Formats"): every jukisec-init it starts, through at()
# too, makes one.
if [ -n "${JUKISEC_TEST_FORMAT:-}" ]; then
	mkdir "$TMP/.fmt" && printf '#!/bin/sh\nexec "%s/jukisec-init" --format %s "$@"\n' \
	    "$JUKISEC_BUILD" "$JUKISEC_TEST_FORMAT" >"$TMP/.fmt/jukisec-init" &&
	chmod 755 "$TMP/.fmt/jukisec-init" && PATH=$TMP/.fmt:$PATH
fi
# TEST_FORMAT: the format of the logs a test makes; LOG_HEADER: their
# header row.
TEST_FORMAT=${JUKISEC_TEST_FORMAT:-1}
LOG_HEADER=seq,time,terminal,operator,action,object,result,detail,epoch,hmac_v1
[ "$TEST_FORMAT" = 2 ] && LOG_HEADER=${LOG_HEADER%hmac_v1}gmac_v2

test_count=0
test_failed=0

say() { printf '# %s\n' "$*"; }

# Known prerequisites; a test file adds its own the same way.  The script
# runs once, in a subshell, the first time the prerequisite is asked for;
# when it fails, the last line it printed is the reason.
test_lazy_prereq() { eval "prereq_script_$1=\$2"; }

test_lazy_prereq ROOT '
	[ "$(id -u)" -eq 0 ] || { echo "needs root (uid $(id -u))"; exit 1; }'
test_lazy_prereq NOBODY '
	id nobody >/dev/null 2>&1 || { echo "no user nobody"; exit 1; }'
# as_nobody CMD...: CMD as uid and gid 65534, no other group (root only).
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# TMPFS: a small tmpfs of a test's own can be mounted (a full disk).
test_lazy_prereq TMPFS '
	mkdir -p "$TMP/.tmpfs-probe" &&
	mount -t tmpfs -o size=8k tmpfs "$TMP/.tmpfs-probe" 2>/dev/null &&
	umount "$TMP/.tmpfs-probe" || { echo "cannot mount a tmpfs (not root?)"; exit 1; }'
test_lazy_prereq STRACE '
	command -v strace >/dev/null || { echo "strace not installed (make deps)"; exit 1; }
	strace -o /dev/null true 2>/dev/null ||
	    { echo "strace cannot trace here (ptrace not permitted)"; exit 1; }'
# STRACE_MEM: strace shows the paths a tool opens.  The tools make themselves
# undumpable (secrets in memory): only a tracer with CAP_SYS_PTRACE reads
# their memory.
test_lazy_prereq STRACE_MEM '
	strace -e trace=%file -o "$TMP/.strace" log-append -d "$TMP/.strace-probe" \
	    -u probe -a probe >/dev/null 2>&1
	grep -q "open.*strace-probe" "$TMP/.strace" ||
	    { echo "strace cannot read the memory of the undumpable tools (needs root)"; exit 1; }'
test_lazy_prereq ARGON2REF '
	python3 -c "import ctypes; ctypes.CDLL(\"libargon2.so.1\")" 2>/dev/null ||
	    { echo "libargon2.so.1 cannot be loaded (libargon2-1, make deps)"; exit 1; }'
test_lazy_prereq PAMTESTER '
	command -v pamtester >/dev/null || { echo "pamtester not installed (make deps)"; exit 1; }'
# FAKETIME: libfaketime, which at() below preloads.
test_lazy_prereq FAKETIME '
	[ -n "$FAKETIME_LIB" ] || { echo "libfaketime not installed (faketime, make deps)"; exit 1; }'
# A private mount namespace (unshare -m) in which the test may mount.
test_lazy_prereq MOUNTNS '
	[ "$(id -u)" -eq 0 ] || { echo "needs root to mount in a private namespace"; exit 1; }
	unshare -m true 2>/dev/null || { echo "unshare -m not permitted here"; exit 1; }'
# CHATTR: an immutable or append-only file (chattr(1) +i, +a) in $TMP,
# which the kernel refuses to open for writing with EPERM.
test_lazy_prereq CHATTR '
	[ "$(id -u)" -eq 0 ] || { echo "needs root (uid $(id -u))"; exit 1; }
	for _x in a i; do
		: >"$TMP/.chattr" && chattr +$_x "$TMP/.chattr" 2>/dev/null ||
		    { echo "chattr +$_x not supported on $TMP"; exit 1; }
		chattr -$_x "$TMP/.chattr" || exit 1
	done'

# test_have_prereq NAME[,NAME...]: all are there.  Otherwise
# $prereq_missing says which was not, and why ("missing NAME: why").
test_have_prereq() {
	prereq_missing=
	for _prq in $(echo "$1" | tr , " "); do
		eval "_prq_st=\${prereq_st_$_prq-}"
		if [ -z "$_prq_st" ]; then
			eval "_prq_s=\${prereq_script_$_prq-}"
			if [ -z "$_prq_s" ]; then
				echo "Bail out! unknown prerequisite $_prq"
				exit 2
			fi
			if _prq_why=$( (eval "$_prq_s") 2>/dev/null); then
				_prq_st=yes
			else
				_prq_st=no
				_prq_why=$(printf '%s\n' "$_prq_why" | sed '/^$/d' | tail -1)
				eval "prereq_why_$_prq=\${_prq_why:-not available}"
			fi
			eval "prereq_st_$_prq=\$_prq_st"
		fi
		if [ "$_prq_st" = no ]; then
			eval "prereq_missing=\"missing $_prq: \$prereq_why_$_prq\""
			return 1
		fi
	done
	return 0
}

# test_expect_success [PREREQ[,PREREQ...]] 'what it shows' 'commands'
# tap_desc TEXT: $tap_d is TEXT with "#" escaped, so that TAP does not
# read a description as a directive.
tap_desc() {
	tap_d=$1
	case $1 in *'#'*) tap_d=$(printf '%s' "$1" | sed 's/#/\\#/g') ;; esac
}

test_expect_success() {
	if [ $# -eq 3 ]; then
		if ! test_have_prereq "$1"; then
			test_skip "$2" "$prereq_missing"
			return 0
		fi
		shift
	fi
	test_count=$((test_count + 1))
	if (eval "$2") >"$TMP/out" 2>&1; then
		tap_desc "$1"
		echo "ok $test_count - $tap_d"
	else
		tap_desc "$1"
		echo "not ok $test_count - $tap_d"
		sed 's/^/# /' "$TMP/out" | tail -40
		test_failed=$((test_failed + 1))
	fi
}

# test_skip 'what it would show' REASON: a test not run, and why.
test_skip() {
	test_count=$((test_count + 1))
	tap_desc "$1"
	echo "ok $test_count - $tap_d # skip $2"
}

# test_skip_all REASON: nothing in this file can run here.
test_skip_all() {
	echo "1..0 # skip $1"
	exit 0
}

# test_seed DEFAULT: seeds rand with $SEED when set (a replay), else with
# DEFAULT, and prints the seed in the TAP ("# seed N").
test_seed() {
	seed=${SEED:-$1}
	case $seed in
	''|*[!0-9]*) echo "Bail out! SEED=$seed is not a number"; exit 2 ;;
	esac
	seed=$((seed % 2147483648))
	echo "$seed" >"$TMP/.rand"
	say "seed $seed (replay: make test T=tests/${0##*/} SEED=$seed)"
}

# rand: the next number (0-32767) of the seeded sequence.  Its state is in
# a file so that $(rand) in a subshell moves it on too.
rand() {
	read -r _rand <"$TMP/.rand"
	_rand=$(( (_rand * 1103515245 + 12345) % 2147483648 ))
	echo "$_rand" >"$TMP/.rand"
	echo $(( _rand / 65536 ))
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
# files_save FILE...: copies of $D's FILEs kept aside; files_same FILE...:
# each is as its copy (nothing written since).
files_save() {
	for _f; do cp "$D/$_f" "$TMP/saved.$_f" || return 1; done
}
files_same() {
	for _f; do cmp "$TMP/saved.$_f" "$D/$_f" || return 1; done
}

# no_tmp DIR: no temporary file of the tools (.tmp-*) is left in DIR: after
# a kill, the next writer's (jukisec-log(5) "Keys": the key file's holds
# the key of an epoch the log has left, which no file may keep; "Files":
# every temporary name is fixed, and removed by the next writer that
# takes the lock it is made under).  A glob, not ls | grep: the crash
# tests run it after every kill, and it costs no process.
no_tmp() {
	_left=
	for _f in "$1"/.tmp-*; do
		if [ -e "$_f" ] || [ -L "$_f" ]; then _left="$_left ${_f##*/}"; fi
	done
	[ -z "$_left" ] || { echo "left in $1:$_left" >&2; return 1; }
}

# key_respellings: oplog.key written otherwise than jukisec-log(5) "Keys"
# spells it, one per line: the token the tools' message names, then a sed
# expression that makes it (a sign or a leading zero in a number, two
# tokens swapped, a doubled blank, a blank after the last).  For the
# writers (t1010) and the verifier (t1020) alike.
key_respellings() {
	cat <<'EOF'
epoch s/ epoch=\([0-9]*\) / epoch=+\1 /
epoch s/ epoch=\([0-9]*\) / epoch=0\1 /
epoch_seconds s/epoch_seconds=/epoch_seconds=+/
epoch_seconds s/epoch_seconds=/epoch_seconds=0/
epoch_seconds s/ \(epoch_seconds=[0-9]*\) \(epoch=[0-9]*\) / \2 \1 /
t0 s/^\(.* v1\) \(t0=.*\) \(key=[0-9a-f]*\)$/\1 \3 \2/
key s/ key=/  key=/
key s/$/ /
EOF
}

# one_line_matching FILE ERE: FILE is one line, ended by a newline, and it
# matches ERE (the shell's read counts the lines: no wc per call).
one_line_matching() {
	if ! { IFS= read -r _l1 && ! IFS= read -r _l2 && [ -z "$_l2" ]; } <"$1"; then
		echo "want one line in $1, got $(wc -l <"$1"):" >&2; cat "$1" >&2; return 1
	fi
	grep -Eq -- "$2" "$1" || { echo "'$(cat "$1")' does not match '$2'" >&2; return 1; }
}

# With GOLDEN_UPDATE=1 in the environment, a golden file (tests/golden/)
# that differs is rewritten from what the tool printed, for review with
# git diff; the test still fails, so an update is never silent.
test_cmp() {
	case ${GOLDEN_UPDATE:+$1} in
	*/tests/golden/*) cmp -s "$1" "$2" || cp "$2" "$1" ;;
	esac
	diff -u "$1" "$2"
}

# no_reader CMD...: runs CMD (a tool, or a shell function of the tests)
# with its standard output a pipe whose reader is gone before CMD starts,
# so that its first write there fails (EPIPE, or SIGPIPE unless ignored)
# whatever the load: the reading side closes its end, then says so in a
# file, which the writing side waits for before it runs CMD.  CMD's exit
# status goes to $TMP/no_reader.rc.
no_reader() {
	rm -f "$TMP/no_reader.closed" "$TMP/no_reader.rc"
	{
		while [ ! -e "$TMP/no_reader.closed" ]; do sleep 0.01; done
		"$@"
		echo $? >"$TMP/no_reader.rc"
	} | { exec 0<&-; : >"$TMP/no_reader.closed"; }
}

# at TIME CMD...: runs CMD (a tool, or a shell function of the tests) with
# the clock stopped at TIME, RFC 3339 UTC ("2026-01-01T09:00:00[.fff]Z") or
# "YYYY-MM-DD hh:mm:ss[.fff]" (the monotonic clock, which bounds lock
# waits, keeps running).  libfaketime does it: the tools have no clock
# option (SPEC: the clock is not an input of a tool that admits people or
# changes state).  A library already preloaded (tests/lib-crash.sh's) stays.
FAKETIME_LIB=
for _f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
    /usr/local/lib/faketime/libfaketime.so.1; do
	[ -f "$_f" ] && FAKETIME_LIB=$_f && break
done
at() {
	[ -n "$FAKETIME_LIB" ] ||
	    { echo "at: faketime is not installed (make deps)" >&2; return 3; }
	# libfaketime reads local time (TZ): the instant in those terms.  The
	# last conversion is kept: a test's clock is often the same many times.
	# Under TZ=UTC (lib.sh's) a UTC time is only respelled, without a
	# date(1) for each new instant.
	_D='[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' _T='[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'
	if [ "$1" != "${_at_in-}" ] || [ "$TZ" != "${_at_tz-}" ]; then
		case $TZ/$1 in
		UTC/$_D[T\ ]$_T.[0-9][0-9][0-9]Z | UTC/$_D\ $_T.[0-9][0-9][0-9])
			_at=${1%Z} ;;
		UTC/$_D[T\ ]${_T}Z | UTC/$_D\ $_T)
			_at=${1%Z}.000 ;;
		*)
			case $1 in
			*[Zz]|*[+-][0-9][0-9]:[0-9][0-9]) _at=$1 ;;
			*) _at="$1 UTC" ;;
			esac
			_at=$(date -d "$_at" "+%Y-%m-%d %H:%M:%S.%3N") || return 3 ;;
		esac
		case $_at in *T*) _at="${_at%%T*} ${_at#*T}" ;; esac
		_at_in=$1 _at_tz=$TZ _at_out=$_at
	fi
	_at=$_at_out; shift
	(LD_PRELOAD=$FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD} FAKETIME=$_at FAKETIME_DONT_FAKE_MONOTONIC=1
	export LD_PRELOAD FAKETIME FAKETIME_DONT_FAKE_MONOTONIC; "$@")
}

# at_AT CMD...: CMD at $AT when it is set (a test's clock, moving forward:
# the gate never decides before the log's last record), else on the clock.
at_AT() { if [ -n "${AT:-}" ]; then at "$AT" "$@"; else "$@"; fi; }

# log_days DIR N KEY: a state directory made at 2026-01-01T00:00:00Z, its
# verification key in KEY (mode 0600), then N records on each of 1, 2 and
# 3 January appended by log-append --stdin at 10:00 UTC from terminal
# term0DAY: 40 operators in turn, every 11th a print and every 17th
# denied, a third of the details quoted with Japanese ("day DAY record
# I"): 170 bytes a record or so, each day after the first opened by the
# seal of the day before.  The large logs of the tests that compare one
# core with all.
log_days() {
	at 2026-01-01T00:00:00Z jukisec-init -d "$1" -t term01 >"$3" 2>/dev/null &&
	chmod 600 "$3" || return 1
	for _d in 1 2 3; do
		awk -v d=$_d -v n="$2" 'BEGIN { for (i = 0; i < n; i++) {
			det = "day " d " record " i
			if (i % 3 == 1) det = "\"" det ", 住民票 1通\""
			printf "clerk%03d,%s,juminhyo %08d,%s,%s\n", i % 40,
			    i % 11 ? "view" : "print", i, i % 17 ? "ok" : "denied", det } }' |
		at "2026-01-0${_d}T10:00:00Z" log-append -d "$1" -t "term0$_d" --stdin 2>/dev/null ||
		    return 1
	done
}

# csv_awk PROGRAM FILE...: awk with the rows of the CSV files, RFC 4180
# as python's csv module reads them (quoted fields with "" and line breaks
# inside), split into F[1..NF_] for PROGRAM, which runs once per row
# (an empty line is a row of no fields).  An awk costs a twentieth of a
# python3 start, and the register helpers run hundreds of times.
csv_awk() {
	_cp=$1; shift
	awk '
	function csv_split(s,    n, i, l, c, v, j) {
		n = 0; i = 1; l = length(s)
		if (l == 0) return 0
		while (1) {
			v = ""
			if (substr(s, i, 1) == "\"") {
				for (i++; i <= l; i++) {
					c = substr(s, i, 1)
					if (c != "\"") { v = v c; continue }
					if (substr(s, i + 1, 1) == "\"") { v = v c; i++; continue }
					i++; break
				}
				while (i <= l && (c = substr(s, i, 1)) != ",") { v = v c; i++ }
			} else {
				j = index(substr(s, i), ",")
				if (j == 0) { v = substr(s, i); i = l + 1 }
				else { v = substr(s, i, j - 1); i += j - 1 }
			}
			F[++n] = v
			if (i > l) break
			i++
			if (i > l) { F[++n] = ""; break }
		}
		return n
	}
	{
		csv_r = csv_pend ? csv_r "\n" $0 : $0
		csv_q = csv_r
		if (gsub(/"/, "", csv_q) % 2) { csv_pend = 1; next }
		csv_pend = 0
		sub(/\r$/, "", csv_r)
		NF_ = csv_split(csv_r)
	}
	'"$_cp" "$@"
}

# fds_free N FREE CMD...: CMD started as a caller may start it, under a
# descriptor limit of N (ulimit -n) with every descriptor from 3 to
# N-FREE-1 open (its own, such as a password's, or else /dev/null left
# open), so that FREE are free, at the top.  tests/fdsetup.c does it (a
# python3 did, 20 times the CPU, in loops of 46 limits).
fds_free() {
	"$JUKISEC_BUILD/tests/fdsetup" free "$@"
}

# fds_at N CMD...: CMD with descriptors 0 to 3 open (3 the caller's, such
# as a password's) and every other one closed, under a descriptor limit
# of N: N - 4 free, exactly, whatever the test's caller left open.
fds_at() {
	"$JUKISEC_BUILD/tests/fdsetup" at "$@"
}

# fd_limits: "N:FREE" pairs for fds_free: every limit from 4 to 26
# alone, then a limit of 64 with from 0 to 22 descriptors free (the rest
# held by the caller, which a look at the limit would take for room).
fd_limits() {
	_n=4; while [ $_n -le 26 ]; do echo $_n:$((_n - 4)); _n=$((_n + 1)); done
	_n=0; while [ $_n -le 22 ]; do echo 64:$_n; _n=$((_n + 1)); done
}

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
