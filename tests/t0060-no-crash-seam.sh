#!/bin/sh
# The crash and fault points of the crash tests (tests/crashpoint.c,
# preloaded by tests/lib-crash.sh) are no seam of the tools: no binary
# names their variables or holds their code, a tool given them without
# the preloaded library ignores them, and with it the test build kills,
# or fails a step or a sync, where asked.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-crash.sh"

TOOLS=$(cd "$SRCDIR/cmd" && ls *.c | sed 's/\.c$//')
# The functions of tests/crashpoint.c (a sanitizer build's tools define
# write and kin themselves: the names of the hook are what tells).
SEAM='(crash_init|at_step|at_sync|tear_at|write_off|scrub_preload|open_hook)'

test_expect_success 'no tool holds the crash points: strings, symbols' '
	for b in $TOOLS; do
		readelf -p .rodata "$JUKISEC_BUILD/$b" >ro || exit 1
		grep -q JUKISEC_DIR ro || { echo "$b: .rodata not read" >&2; exit 1; }
		grep -Eq "JUKISEC_(CRASH|FAIL|HOOK)" ro && { echo "$b: names JUKISEC_CRASH, _FAIL or _HOOK" >&2; exit 1; }
		nm "$JUKISEC_BUILD/$b" >syms || exit 1
		grep -q " T main\$" syms || { echo "$b: no symbols to read" >&2; exit 1; }
		grep -E " [tTdDbB] $SEAM\$" syms && { echo "$b: crash point code" >&2; exit 1; }
	done
	readelf -p .rodata "$CRASHPOINT" | grep -q JUKISEC_CRASH_AT &&
	nm "$CRASHPOINT" | grep -Eq " [tT] $SEAM\$"
'

test_expect_success 'a tool ignores the variables without the library' '
	init_state "$TMP/s" &&
	JUKISEC_CRASH_AT=1 log-append -d "$TMP/s" -u clerk01 -a view -r ok &&
	grep -q ",clerk01,view," "$TMP/s/oplog.csv"
'

test_expect_success 'with it, the tool dies before the step asked for, and the trace names it' '
	cp "$TMP/s/oplog.csv" before &&
	crash_at 1 0 log-append -d "$TMP/s" -u clerk02 -a view -r ok &&
	cmp before "$TMP/s/oplog.csv" &&
	crash_trace log-append -d "$TMP/s" -u clerk02 -a view -r ok &&
	grep -q "^1 write $TMP/s/oplog.csv\$" "$TMP/crash.trace" &&
	grep -q ",clerk02,view," "$TMP/s/oplog.csv"
'

# A write is torn at a page boundary, where the kernel checks for a fatal
# signal, and only there: a record of a hundred bytes is not tearable, a
# batch of 8 kB is, after the first page's part.
test_expect_success 'a torn write: up to the first page boundary, no further' '
	crash_trace log-append -d "$TMP/s" -u clerk03 -a view -r ok &&
	grep -q "^1 write .*oplog.csv\$" "$TMP/crash.trace" &&
	awk "BEGIN { for (i = 0; i < 100; i++) print \"clerk04,view,x,ok,record \" i \" of 100 and some padding\" }" >batch &&
	cp -a "$TMP/s" "$TMP/saved" && crash_trace log-append -d "$TMP/s" --stdin <batch &&
	n=$(sed -n "s/^2 write .*oplog.csv tear=\([0-9]*\)\$/\1/p" "$TMP/crash.trace") &&
	test "$n" -gt 0 &&
	rm -rf "$TMP/s" && cp -a "$TMP/saved" "$TMP/s" && size=$(wc -c <"$TMP/s/oplog.csv") &&
	crash_at 2 1 log-append -d "$TMP/s" --stdin <batch &&
	test "$(wc -c <"$TMP/s/oplog.csv")" -eq $((size + n)) &&
	test $(( (size + n) % 4096 )) -eq 0
'

test_expect_success 'with it, the step or the sync asked for fails with the errno asked for' '
	init_state "$TMP/f" && log-append -d "$TMP/f" -u clerk05 -a view -r ok &&
	cp "$TMP/f/oplog.csv" before &&
	test_must_fail 3 fail_at 1 ENOSPC 0 log-append -d "$TMP/f" -u clerk05 -a view -r ok 2>err &&
	one_line_matching err "/oplog\.csv: No space left on device\$" &&
	cmp before "$TMP/f/oplog.csv" &&
	test_must_fail 3 fail_sync 1 EIO log-append -d "$TMP/f" -u clerk05 -a view -r ok 2>err &&
	one_line_matching err "/oplog\.csv: Input/output error\$" &&
	cmp before "$TMP/f/oplog.csv" &&
	crash_trace log-append -d "$TMP/f" -u clerk05 -a view -r ok &&
	grep -q "^1 fdatasync $TMP/f/oplog.csv\$" "$TMP/sync.trace"
'

test_done
