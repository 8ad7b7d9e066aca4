#!/bin/sh
# Every tool checks its standard output on every exit, -V and --help
# included: output lost to a full disk is exit 3, never 0, and says why.
. "$(dirname "$0")/lib.sh"

tools=$(cd "$JUKISEC_BUILD" && for f in *; do
	case $f in *.so) continue ;; esac	# pam_jukisec.so: no main
	test -f "$f" && test -x "$f" && echo "$f"; done)

test_expect_success 'the tools are all here' '
	for t in auth-check jukisec-init log-append log-verify operator-list; do
		echo "$tools" | grep -qx "$t" || exit 1
	done
'

for t in $tools; do
	test_expect_success "$t -V and --help to a full disk: exit 3, one message" '
		test_must_fail 3 $t -V >/dev/full 2>err &&
		one_line_matching err "^$t: write error: standard output" &&
		test_must_fail 3 $t --help >/dev/full 2>err &&
		one_line_matching err "^$t: write error: standard output" &&
		$t -V >out && test -s out
	'
done

# The reason is the write's: a locale set up at the first message
# (log-append's, msg.c) must not replace errno before the message reads it.
for t in $tools; do
	test_expect_success "$t -V and --help to a full disk under C.UTF-8: the write's reason" '
		for o in -V --help; do
			LC_ALL= LANG=C.UTF-8 test_must_fail 3 $t $o >/dev/full 2>err &&
			one_line_matching err "^$t: write error: standard output: No space left on device\$" ||
			    return 1
		done
	'
done

# A reader gone (EPIPE) is a write error like any other: exit 3 and one
# line, from every tool that prints what a pipe may carry on; never a
# SIGPIPE death without a word (141 to the shell).
init_state "$TMP/s"
test_expect_success 'standard output with its reader gone: exit 3, one line, every tool that prints records' '
	for c in "operator-list" "operator-list --format csv" "jukisec-audit" \
	    "log-show" "log-show --format json" "log-show --format table" \
	    "log-show -k $TMP/s.key" "log-verify -k $TMP/s.key"; do
		no_reader $c -d "$TMP/s" 2>err &&
		test "$(cat "$TMP/no_reader.rc")" = 3 &&
		one_line_matching err "^${c%% *}: write error: standard output: Broken pipe\$" ||
		    { echo "$c: $(cat "$TMP/no_reader.rc")" >&2; return 1; }
	done
'

# The same from every tool's --help and -V, and from incident-report's
# report and list: SIGPIPE is ignored from the start (jukisec_setup), so
# no tool dies of it between two writes that belong together.
test_expect_success 'every tool, --help and -V with the reader gone: exit 3, one line' '
	for t in $tools; do
		for o in --help -V; do
			no_reader $t $o 2>err &&
			test "$(cat "$TMP/no_reader.rc")" = 3 &&
			one_line_matching err "^$t: write error: standard output: Broken pipe\$" ||
			    { echo "$t $o: $(cat "$TMP/no_reader.rc")" >&2; return 1; }
		done
	done
'

test_expect_success 'incident-report show and list, log-show: the same words, exit 3' '
	. "$SRCDIR/tests/lib-register.sh" && D=$TMP/r && reg_state && bootstrap &&
	incident-report -d "$D" -b boss --by-password-fd 3 new --type other \
	    --summary s 3<"$TMP/pw.boss" >id &&
	for c in "incident-report show $(cat id)" "incident-report show $(cat id) --format json" \
	    "incident-report list" "incident-report list --format csv" "log-show"; do
		no_reader $c -d "$D" 2>err &&
		test "$(cat "$TMP/no_reader.rc")" = 3 &&
		one_line_matching err "^${c%% *}: write error: standard output: Broken pipe\$" ||
		    { echo "$c: $(cat "$TMP/no_reader.rc")" >&2; return 1; }
	done
'

# A closed standard output under libfaketime, the tests' clock and the
# graders': the library opens its shared memory file before main, on the
# lowest free descriptor, 1 when the caller closed it; a tool that took
# it for its output wrote into that file and exited 0.  A descriptor 0 to
# 2 that carries FD_CLOEXEC was opened in the process (none survives an
# exec): the caller's was closed, and the tool says so.
test_expect_success 'standard output or input closed under libfaketime: as closed, exit 3 or EBADF' '
	t=$(date -u -d "+1 min" "+%Y-%m-%d %H:%M:%S") &&
	for c in operator-list log-show "log-verify -k $TMP/s.key"; do
		at "$t" $c -d "$TMP/s" >&- 2>err
		rc=$? && test $rc = 3 || { echo "$c: exit $rc" >&2; return 1; }
		one_line_matching err "^${c%% *}: write error: standard output: Bad file descriptor\$" ||
		    return 1
	done &&
	cp "$TMP/s/oplog.csv" log.before &&
	at "$t" auth-check -d "$TMP/s" -u nobody --password-fd 0 <&- 2>err
	test $? = 3 && one_line_matching err "^auth-check: --password-fd 0: Bad file descriptor\$" &&
	cmp "$TMP/s/oplog.csv" log.before
'

test_done
