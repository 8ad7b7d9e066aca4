#!/bin/sh
# The test harness itself: prerequisites skip with their reason in the TAP,
# whole-file skips, the skip summary make check prints, seeded random
# sequences that replay, and tests/tap-tee keeping a test's TAP and status.
. "$(dirname "$0")/lib.sh"

LIB=$SRCDIR/tests/lib.sh
unset SEED

# sub NAME: runs $TMP/NAME.sh (which sources lib.sh) with its own $TMP
# under ours; its TAP goes to NAME.tap, its status is returned.
sub() {
	mkdir -p "$TMP/sub" &&
	TMPDIR=$TMP/sub sh "$TMP/$1.sh" >"$1.tap"
}

test_expect_success 'a missing prerequisite skips its tests with the reason; others run' '
	cat >"$TMP/p.sh" <<-EOF &&
	. "$LIB"
	test_lazy_prereq NEVER "echo first line; echo never here; exit 1"
	test_lazy_prereq ALWAYS true
	test_expect_success "runs" true
	test_expect_success NEVER "skipped one" false
	test_expect_success ALWAYS,NEVER "skipped two" false
	test_expect_success ALWAYS "runs too" true
	test_skip "by hand" "a reason of its own"
	test_expect_success "a # in a description" true
	test_done
	EOF
	sub p &&
	cat >want <<-\EOF &&
	ok 1 - runs
	ok 2 - skipped one # skip missing NEVER: never here
	ok 3 - skipped two # skip missing NEVER: never here
	ok 4 - runs too
	ok 5 - by hand # skip a reason of its own
	ok 6 - a \# in a description
	1..6
	EOF
	test_cmp want p.tap
'

test_expect_success 'a prerequisite is checked once, and an unknown one bails out' '
	cat >"$TMP/once.sh" <<-EOF &&
	. "$LIB"
	test_lazy_prereq COUNTED "echo x >>\"$TMP/count\""
	test_have_prereq COUNTED && test_have_prereq COUNTED,COUNTED &&
	test_expect_success COUNTED "uses it" true
	test_expect_success NOSUCH "never" true
	test_done
	EOF
	test_must_fail 2 sub once &&
	test "$(wc -l <"$TMP/count")" = 1 &&
	grep -q "^ok 1 - uses it$" once.tap &&
	grep -q "^Bail out! unknown prerequisite NOSUCH$" once.tap
'

test_expect_success 'ROOT is there exactly when running as root' '
	if [ "$(id -u)" -eq 0 ]; then
		test_have_prereq ROOT
	else
		! test_have_prereq ROOT && test "$prereq_missing" = "missing ROOT: needs root (uid $(id -u))"
	fi
'

test_expect_success 'test_skip_all: "1..0 # skip REASON", status 0' '
	printf ". \"%s\"\ntest_skip_all \"nothing to do here\"\necho not reached\n" "$LIB" >"$TMP/all.sh" &&
	sub all &&
	echo "1..0 # skip nothing to do here" >want &&
	test_cmp want all.tap
'

test_expect_success 'the skip summary: count, reason, files; most frequent first' '
	mkdir tap &&
	printf "ok 1 - a\nok 2 - b # skip missing ROOT: needs root (uid 1000)\n1..2\n" >tap/t1000-x.sh.tap &&
	printf "ok 1 - c # SKIP missing ROOT: needs root (uid 1000)\nok 2 - d # skip no tmpfs\n1..2\n" >tap/t2000-y.sh.tap &&
	printf "ok 1 - e # skip missing ROOT: needs root (uid 1000)\n1..1\n" >tap/t3000-z.sh.tap &&
	printf "1..0 # skip faketime not installed\n" >tap/t4000-w.sh.tap &&
	printf "ok 1 - unit\n1..1\nok 2 - not a \\\\# skip\n" >tap/oplog.tap &&
	sh "$SRCDIR/tests/skip-summary" tap/*.tap >out &&
	cat >want <<-\EOF &&
	skipped: 4 tests and 1 whole file
	  3 tests skipped: missing ROOT: needs root (uid 1000) (t1000-x, t2000-y, t3000-z)
	  1 test skipped: no tmpfs (t2000-y)
	  1 file skipped: faketime not installed (t4000-w)
	EOF
	test_cmp want out
'

test_expect_success 'the skip summary of a run that skipped nothing says so' '
	sh "$SRCDIR/tests/skip-summary" tap/oplog.tap >out &&
	echo "skipped: none" >want && test_cmp want out
'

test_expect_success 'a failed file that printed its seed gets its replay line' '
	printf "# seed 77 (replay: ...)\nok 1 - kill loop\n1..1\n" >tap/t1050-a.sh.tap &&
	printf "# seed 12 (replay: ...)\nnot ok 1 - kill loop\n1..1\n" >tap/t1090-b.sh.tap &&
	sh "$SRCDIR/tests/skip-summary" tap/t1050-a.sh.tap tap/t1090-b.sh.tap >out &&
	cat >want <<-\EOF &&
	skipped: none
	t1090-b failed with seed 12: replay with make test T=tests/t1090-b.sh SEED=12
	EOF
	test_cmp want out
'

seq_of() {
	cat >"$TMP/seed.sh" <<-EOF &&
	. "$LIB"
	test_seed 42
	for i in 1 2 3 4 5; do echo "\$(rand)" >>"$TMP/seq"; done
	EOF
	rm -f "$TMP/seq" && sub seed && cat "$TMP/seq"
}

test_expect_success 'test_seed: a fixed default, printed; rand in subshells follows it' '
	seq_of >a && seq_of >b && test_cmp a b &&
	grep -q "^# seed 42 (replay: make test T=tests/seed.sh SEED=42)$" seed.tap &&
	test "$(sort -u a | wc -l)" -gt 3 &&
	! grep -v "^[0-9][0-9]*$" a && test "$(sort -n a | tail -1)" -le 32767
'

test_expect_success 'SEED=N replays N, another seed gives another sequence' '
	SEED=7 && export SEED && seq_of >c && seq_of >d && test_cmp c d &&
	grep -q "^# seed 7 " seed.tap && ! test_cmp a c >/dev/null &&
	SEED=x && test_must_fail 2 seq_of >/dev/null && grep -q "^Bail out! SEED=x" seed.tap
'

# Another test file ending at the same moment removes the files of a
# killed process too (its own faketime_litter): the kill is tried again
# until its files are seen, a few times at most.
test_expect_success 'what libfaketime leaves in /dev/shm when a test kills a process is removed' '
	for i in 1 2 3 4 5; do
		at 2026-01-01T00:00:00Z sh -c "echo \$\$ >pid; kill -9 \$\$"; p=$(cat pid)
		test -e /dev/shm/sem.faketime_sem_$p && test -e /dev/shm/faketime_shm_$p && break
	done &&
	test -e /dev/shm/sem.faketime_sem_$p && test -e /dev/shm/faketime_shm_$p &&
	q=$$ && touch /dev/shm/sem.faketime_sem_$q /dev/shm/faketime_shm_$q &&
	faketime_litter &&
	! test -e /dev/shm/sem.faketime_sem_$p && ! test -e /dev/shm/faketime_shm_$p &&
	test -e /dev/shm/sem.faketime_sem_$q && test -e /dev/shm/faketime_shm_$q &&
	rm /dev/shm/sem.faketime_sem_$q /dev/shm/faketime_shm_$q
'

test_expect_success 'tests/tap-tee keeps the TAP and the status of the test' '
	mkdir kept &&
	printf "#!/bin/sh\necho \"ok 1 - here\"\necho 1..1\nls /proc/\$\$/fd >&2\nexit 3\n" >"$TMP/st.sh" &&
	chmod +x "$TMP/st.sh" && JUKISEC_TAPDIR=$TMP/kept && export JUKISEC_TAPDIR &&
	test_must_fail 3 sh "$SRCDIR/tests/tap-tee" "$TMP/st.sh" >out 2>fds &&
	printf "ok 1 - here\n1..1\n" >want && test_cmp want out && test_cmp want kept/st.sh.tap &&
	! grep -qx "[34]" fds && test "$(wc -l <kept/st.sh.time)" -eq 2
'

test_expect_success 'tests/cpu-summary adds up the tests and names the costliest first' '
	mkdir times &&
	printf "0m0.01s 0m0.00s\n0m1.50s 0m0.50s\n" >times/a.sh.time &&
	printf "0m0.01s 0m0.00s\n1m2.25s 0m0.75s\n" >times/b.sh.time &&
	printf "0m0.00s 0m0.00s\n0m0.00s 0m0.00s\n" >times/u.time &&
	sh "$SRCDIR/tests/cpu-summary" times/*.time >out &&
	echo "cpu: 65.0 s in 3 files; most: b 63.0 s, a 2.0 s, u 0.0 s" >want &&
	test_cmp want out
'

test_expect_success 'tests/tap-tee runs a script that is not executable, as prove does' '
	printf "echo \"ok 1 - plain\"\necho 1..1\n" >"$TMP/plain.sh" &&
	JUKISEC_TAPDIR=$TMP/kept && export JUKISEC_TAPDIR &&
	sh "$SRCDIR/tests/tap-tee" "$TMP/plain.sh" >out &&
	grep -qx "ok 1 - plain" out && grep -qx "ok 1 - plain" kept/plain.sh.tap
'

# libfaketime refuses a process id whose /dev/shm file a killed process
# left, and pid_max 32768 hands it out again soon: litter of a process
# that is gone goes, whatever its age; a live process keeps its own.
test_expect_success 'faketime litter of a gone process is removed, a live one kept' '
	dead=$(sh -c "echo \$\$") && { sleep 60 & } && live=$! &&
	for p in $dead $live; do
		: >/dev/shm/faketime_shm_$p && : >/dev/shm/sem.faketime_sem_$p &&
		touch -d 2020-01-01 /dev/shm/faketime_shm_$p || return 1
	done &&
	faketime_litter &&
	test ! -e /dev/shm/faketime_shm_$dead && test ! -e /dev/shm/sem.faketime_sem_$dead &&
	test -e /dev/shm/faketime_shm_$live && test -e /dev/shm/sem.faketime_sem_$live &&
	kill $live && rm -f /dev/shm/faketime_shm_$live /dev/shm/sem.faketime_sem_$live
'

test_done
