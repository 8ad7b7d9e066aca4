# tests/lib-crash.sh — deterministic crash points, sourced after lib.sh.
#
# tests/crashpoint.c (built as $JUKISEC_BUILD/tests/crashpoint.so, never
# linked into a tool) is preloaded into the tool under test.  It counts the
# tool's steps, the calls that change what a later process finds on disk
# (a file created, written, truncated, renamed, linked or removed), and
# kills the tool with SIGKILL before step N, or, when step N is a write
# across a page boundary, after the first page's part of it (the torn
# write SIGKILL can leave).  A crash test runs the operation once to
# list its steps, then once for every step, from the same saved state, and
# checks what the next process finds: exhaustive and the same every run.

CRASHPOINT=$JUKISEC_BUILD/tests/crashpoint.so
[ -f "$CRASHPOINT" ] || { echo "Bail out! $CRASHPOINT not built (make all)"; exit 2; }

# crash_env: the environment the preloaded library reads, on top of any
# LD_PRELOAD already there (at's libfaketime: write "at TIME crash_at ...").
crash_env() {
	LD_PRELOAD=${LD_PRELOAD:+$LD_PRELOAD:}$CRASHPOINT
	export LD_PRELOAD JUKISEC_CRASH_AT JUKISEC_CRASH_TORN JUKISEC_CRASH_LOG JUKISEC_CRASH_STOP
	export JUKISEC_FAIL_AT JUKISEC_FAIL_SYNC JUKISEC_FAIL_ERRNO JUKISEC_SYNC_LOG
	export JUKISEC_HOOK_AT JUKISEC_HOOK_NAME JUKISEC_HOOK_RUN
}

# crash_trace CMD...: runs CMD whole with its steps listed, one a line
# ("N CALL PATH"), in $TMP/crash.trace; returns CMD's status.
# Its syncs (fsync, fdatasync, syncfs), a count of their own, are listed
# the same way in $TMP/sync.trace.
crash_trace() {
	rm -f "$TMP/crash.trace" "$TMP/sync.trace"
	(JUKISEC_CRASH_AT=0 JUKISEC_CRASH_TORN=0 JUKISEC_CRASH_LOG=$TMP/crash.trace
	JUKISEC_FAIL_AT=0 JUKISEC_FAIL_SYNC=0 JUKISEC_SYNC_LOG=$TMP/sync.trace
	crash_env; "$@")
	_ct=$?
	touch "$TMP/crash.trace" "$TMP/sync.trace"
	return $_ct
}

# crash_at N TORN CMD...: runs CMD killed before its step N (TORN=1: within
# the write that is step N, where it can tear); succeeds when CMD was killed.
crash_at() {
	(JUKISEC_CRASH_AT=$1 JUKISEC_CRASH_TORN=$2 JUKISEC_CRASH_LOG=
	shift 2; crash_env; "$@")
	[ $? -eq 137 ]
}

# hook_env N NAME SHELLCMD: the environment, in this shell, in which a
# program runs the shell command SHELLCMD, and waits for it, just before
# its Nth open of a file whose last path component is NAME: a writer's
# move between two reads of a reader that holds no lock (the head read,
# then the log opened), at the same moment every run.  In the background:
# (hook_env N NAME SHELLCMD; exec CMD...) & -- $! is CMD's pid.
hook_env() {
	JUKISEC_CRASH_AT=0 JUKISEC_CRASH_TORN=0 JUKISEC_CRASH_LOG=
	JUKISEC_FAIL_AT=0 JUKISEC_FAIL_SYNC=0 JUKISEC_SYNC_LOG=
	JUKISEC_HOOK_AT=$1 JUKISEC_HOOK_NAME=$2 JUKISEC_HOOK_RUN=$3
	crash_env
}

# hook_open N NAME SHELLCMD CMD...: runs CMD in hook_env's environment;
# returns its status.
hook_open() {
	(hook_env "$1" "$2" "$3"; shift 3; "$@")
}

# crash_stop N FILE CMD...: runs CMD stopped (SIGSTOP) before its step N,
# its pid written to FILE, until crash_go FILE; returns CMD's status.  Run
# it in the background: another process runs in that instant (crash_stopped
# FILE waits for it to be there).
crash_stop() {
	(JUKISEC_CRASH_AT=$1 JUKISEC_CRASH_TORN=0 JUKISEC_CRASH_LOG= JUKISEC_CRASH_STOP=$2
	shift 2; crash_env; "$@")
}
# crash_stopped FILE: the process of crash_stop FILE has stopped (10 s at
# most is waited for it).
crash_stopped() {
	_cw=0
	while [ $_cw -lt 1000 ]; do
		[ -s "$1" ] && [ "$(sed -n 's/.*) \(.\) .*/\1/p' "/proc/$(cat "$1")/stat" 2>/dev/null)" = T ] &&
		    return 0
		sleep 0.01
		_cw=$((_cw + 1))
	done
	return 1
}
# crash_go FILE: that process goes on.
crash_go() { kill -CONT "$(cat "$1")"; }

# crash_after SAVED DIR NOTE CALL PATH CMD...: DIR made a copy of SAVED
# and CMD killed there before its first step CALL on a path matching PATH
# (awk patterns both) after the step on a path matching NOTE: a crash
# between a note and what it names (operators.pending, incidents.pending).
# Succeeds when CMD was killed there.
crash_after() {
	_cs=$1 _cd=$2 _cw=$3 _cc=$4 _cp=$5; shift 5
	rm -rf "$_cd" && cp -a "$_cs" "$_cd" &&
	crash_trace "$@" >/dev/null 2>&1 &&
	_cn=$(awk -v c="$_cc" -v p="$_cp" -v w="$_cw" '
	    seen && $2 == c && $3 ~ p { print $1; exit }
	    $3 ~ w { seen = 1 }' "$TMP/crash.trace") &&
	test -n "$_cn" &&
	rm -rf "$_cd" && cp -a "$_cs" "$_cd" &&
	crash_at "$_cn" 0 "$@" </dev/null >/dev/null 2>&1
}

# crash_every SAVED DIR CHECK CMD...: the crash test of one operation.
# CMD is traced once from a copy of SAVED at DIR; then, for every step N,
# DIR is made a copy of SAVED again, CMD is killed before step N (and,
# when the step is a write that can tear, again within it) and the shell
# command CHECK runs with $crash_step set to "N CALL PATH" (and
# $crash_torn to 0 or 1).  Stops at the first kill that does not happen
# or CHECK that fails, saying which step.  $crash_n is the number of steps.
# Writes to files whose name matches the pattern $crash_untorn are not torn
# (t1050 tears the log's writes; the register tests need not again).
crash_untorn=
crash_every() {
	_cs=$1 _cd=$2 _cc=$3; shift 3
	rm -rf "$_cd" && cp -a "$_cs" "$_cd" || return 1
	crash_trace "$@" </dev/null >/dev/null 2>&1 ||
	    { echo "the operation fails without a crash: $*" >&2; return 1; }
	cp "$TMP/crash.trace" "$TMP/crash.steps"
	crash_n=$(wc -l <"$TMP/crash.steps")
	[ "$crash_n" -gt 0 ] || { echo "no step traced: $*" >&2; return 1; }
	while read -r _cn _ccall _cpath _ctear; do
		for crash_torn in 0 1; do
			if [ $crash_torn = 1 ]; then
				[ -n "$_ctear" ] || continue
				case ${_cpath##*/} in $crash_untorn) continue ;; esac
			fi
			crash_step="$_cn $_ccall ${_cpath#"$_cd"/}"
			rm -rf "$_cd" && cp -a "$_cs" "$_cd" || return 1
			crash_at "$_cn" "$crash_torn" "$@" </dev/null >/dev/null 2>&1 ||
			    { echo "step $crash_step: not killed there" >&2; return 1; }
			eval "$_cc" ||
			    { echo "after a kill at step $crash_step (torn $crash_torn)" >&2; return 1; }
		done
	done <"$TMP/crash.steps"
}

# crash_say: the steps of the last crash_every, in the TAP ("# steps: ...").
crash_say() {
	[ -s "$TMP/crash.steps" ] &&
	say "steps: $(awk '{ sub(".*/", "", $3); printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $3 }' "$TMP/crash.steps")"
}

# Fault injection: a step or a sync fails with an errno instead of a kill
# (the disk full, over quota or failing), and the tool goes on to handle
# it; what it leaves is checked as after a kill.

# fail_at N ERRNO TORN CMD...: runs CMD with its step N failing with
# ERRNO (EIO, ENOSPC, EDQUOT); TORN=1: a write that can tear writes its
# first page's part, and its next write fails.  Returns CMD's status.
fail_at() {
	(JUKISEC_CRASH_AT=0 JUKISEC_CRASH_TORN=$3 JUKISEC_CRASH_LOG=
	JUKISEC_FAIL_AT=$1 JUKISEC_FAIL_ERRNO=$2 JUKISEC_FAIL_SYNC=0 JUKISEC_SYNC_LOG=
	shift 3; crash_env; "$@")
}

# fail_sync N ERRNO CMD...: runs CMD with its Nth sync failing with ERRNO.
fail_sync() {
	(JUKISEC_CRASH_AT=0 JUKISEC_CRASH_TORN=0 JUKISEC_CRASH_LOG=
	JUKISEC_FAIL_AT=0 JUKISEC_FAIL_SYNC=$1 JUKISEC_FAIL_ERRNO=$2 JUKISEC_SYNC_LOG=
	shift 2; crash_env; "$@")
}

# fail_every SAVED DIR ERRNO CHECK CMD...: the fault test of one
# operation.  CMD is traced once from a copy of SAVED at DIR; then, for
# every step N and every sync N, DIR is made a copy of SAVED again and CMD
# run with that one call failing with ERRNO (a write that can tear, again
# with its first part written), its stderr in $TMP/fail.err; the shell
# command CHECK runs with $fail_rc set to CMD's status and $fail_step to
# "N CALL PATH" (a sync's "sN CALL PATH"), and $fail_want to the status
# CMD had without a fault (a gate's 1 or 4 too).  Stops at the first CHECK
# that fails, saying which call.  $fail_n is the number of calls failed.
# The shell command $fail_reset, when set, runs after each copy (what CMD
# writes outside DIR, an archive, put back).
fail_reset=
fail_every() {
	_fs=$1 _fd=$2 _fe=$3 _fc=$4; shift 4
	rm -rf "$_fd" && cp -a "$_fs" "$_fd" && eval "${fail_reset:-:}" || return 1
	crash_trace "$@" </dev/null >/dev/null 2>&1
	fail_want=$?
	[ $fail_want -le 4 ] && [ $fail_want != 2 ] && [ $fail_want != 3 ] ||
	    { echo "the operation fails without a fault (exit $fail_want): $*" >&2; return 1; }
	{ sed 's/^/step /' "$TMP/crash.trace"; sed 's/^/sync /' "$TMP/sync.trace"; } >"$TMP/fail.calls"
	fail_n=0
	while read -r _fk _fn _fcall _fpath _ftear; do
		for _ft in 0 1; do
			[ $_ft = 0 ] || [ -n "$_ftear" ] || continue
			[ $_fk = step ] || [ $_ft = 0 ] || continue
			[ "$_fpath" != "$_fd" ] || _fpath=$_fd/.
			fail_step="$_fn $_fcall ${_fpath#"$_fd"/}"	# no $(...): a fork a call
			[ $_fk = step ] || fail_step=s$fail_step
			[ $_ft = 0 ] || fail_step="$fail_step torn"
			rm -rf "$_fd" && cp -a "$_fs" "$_fd" && eval "${fail_reset:-:}" || return 1
			if [ $_fk = step ]; then
				fail_at "$_fn" "$_fe" $_ft "$@" </dev/null >/dev/null 2>"$TMP/fail.err"
			else
				fail_sync "$_fn" "$_fe" "$@" </dev/null >/dev/null 2>"$TMP/fail.err"
			fi
			fail_rc=$? fail_n=$((fail_n + 1))
			eval "$_fc" ||
			    { echo "after $_fe at $fail_step (exit $fail_rc):" >&2; cat "$TMP/fail.err" >&2; return 1; }
		done
	done <"$TMP/fail.calls"
}
