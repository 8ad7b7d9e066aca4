#!/bin/sh
# t0095: the harness of make bench (bench/lib.sh, bench/stopwatch.c,
# bench/run), not its figures: pairs alternate, the median and range are
# those of the rounds, the verdict follows the goal, and a small whole run
# prints a well-formed line for every figure.  The benchmarks themselves
# are not part of make check.
. "$(dirname "$0")/lib.sh"

BENCH=$SRCDIR/bench BB=$TMP/bench/bin B=$TMP/b
export BENCH BB B
mkdir -p "$BB" "$B"
for h in stopwatch writesync; do
	cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$BB/$h" "$BENCH/$h.c" || exit 3
done
# Any figure line: LABEL VALUE (MIN..MAX) goal ... met|MISSED|- details.
NUM='-?[0-9]+\.[0-9]+' UNIT='(x| ms| MiB| M/s)'
FIGURE="^[^ #=].* $NUM$UNIT \\($NUM\\.\\.$NUM\\) +goal (-|(<=|>=) [0-9.]+$UNIT) +(met|MISSED|-) +[^ ]"

test_expect_success 'stopwatch: COUNT runs, standard input anew for each, one line of six numbers' '
	printf "a\nb\n" >in &&
	"$BB/stopwatch" -o out -n 3 -i in sh -c "cat >>\"\$0\"" got &&
	test "$(tr -d "\n" <got)" = ababab &&
	grep -Eq "^[0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+\$" out
'
test_expect_success 'stopwatch: exit 1 is a failure unless -a, and stops the runs with status 3' '
	"$BB/stopwatch" -o out -a -n 2 sh -c "exit 1" &&
	: >count &&
	test_must_fail 3 "$BB/stopwatch" -o out -n 5 sh -c "echo >>count; exit 1" &&
	test "$(wc -l <count)" -eq 1 &&
	test_must_fail 3 "$BB/stopwatch" -o out sh -c "kill -9 \$\$"
'
test_expect_success 'stopwatch -l: a writer loop that stops when the stop file appears' '
	"$BB/stopwatch" -o loop -l stop sh -c "test \$(wc -l <loop) -lt 3 || : >stop" &&
	test "$(wc -l <loop)" -eq 4 &&
	awk "\$2 < \$1 { exit 1 }" loop
'
test_expect_success 'writesync appends its record and a newline' '
	"$BB/writesync" ws "a,\"b\"" && "$BB/writesync" ws x &&
	printf "a,\"b\"\nx\n" >want && test_cmp want ws
'

test_expect_success 'pair: the tool first in odd rounds, the baseline first in even ones' '
	(BENCH_ROUNDS=4 && . "$BENCH/lib.sh" &&
	 pair time - order "echo t >>order; sw true" "echo b >>order; sw true" >fig) &&
	test "$(tr -d "\n" <order)" = tbbttbbt &&
	grep -Eq "$FIGURE" fig
'
test_expect_success 'the figure is the median of the rounds with their min..max, beside the goal' '
	(. "$BENCH/lib.sh" &&
	 printf "1 100 1 100 1\n2 400 1 100 1\n3 200 1 100 1\n" >"$B/pair" &&
	 derive "\$2 / \$4" && stats 6 >stats &&
	 emit "edge <=" 1.6 1 2 x "<=" 1.6 d && emit "over <=" 1.61 1 2 x "<=" 1.6 d &&
	 emit "edge >=" 0.45 0 1 x ">=" 0.45 d && emit "under >=" 0.44 0 1 x ">=" 0.45 d &&
	 emit "none" 3 1 4 " ms" - - d &&
	 emit "near >=" 0.897 0.8 0.95 x ">=" 0.9 d && emit "near <=" 1.604 1.5 1.7 x "<=" 1.6 d &&
	 emit "near M/s" 0.996 0.9 1.1 " M/s" ">=" 1 d && emit "near MiB" 16.04 16 16.1 " MiB" "<=" 16 d) >figs &&
	test "$(cat stats)" = "2 1 4" &&
	test "$(grep -Ec "$FIGURE" figs)" -eq 9 &&
	grep -Eq "^near >= .* 0\.897x .*goal >= 0\.9x +MISSED " figs &&
	grep -Eq "^near <= .* 1\.604x .*goal <= 1\.6x +MISSED " figs &&
	grep -Eq "^near M/s .* 0\.996 M/s .* MISSED " figs &&
	grep -Eq "^near MiB .* 16\.04 MiB .* MISSED " figs &&
	grep -Eq "^edge <= .* 1\.60x .*goal <= 1\.6x +met " figs &&
	grep -Eq "^over <= .* MISSED " figs &&
	grep -Eq "^edge >= .* met " figs &&
	grep -Eq "^under >= .* MISSED " figs &&
	grep -Eq "^none .* 3\.0 ms \(1\.0\.\.4\.0\) +goal - +- " figs
'

# A whole run at the smallest sizes, of the scripts on the log: the
# realistic log generated, the log figures, prune and audit (register,
# fingerprint and incident figures, slower to set up, use the same pair
# machinery and are left to make bench).  Every line is a comment, a
# section, a note or a figure; the count is that of the figures the scripts
# print (13 + 3 + 3: change it with them; 10's log-verify figures come
# once per format).
small() {
	BENCH_DIR=$TMP/bench BENCH_MB=1 BENCH_ROUNDS=1 BENCH_REPS=1 BENCH_FP_REPS=1 \
	    BENCH_EPOCHS=4 BENCH_OPS=1 BENCH_STDIN_RECORDS=500 "$@" sh "$SRCDIR/bench/run"
}
test_expect_success 'a small make bench prints a well-formed line for every figure' '
	small env BENCH_ONLY="10 40 60" >run 2>err ||
	{ cat run err >&2; false; } &&
	cat run >&2 &&
	! grep -Ev "^(\$|# |== |   )" run | grep -Ev "$FIGURE" >&2 &&
	test "$(grep -Ec "$FIGURE" run)" -eq $((13 + 3 + 3)) &&
	test "$(grep -c "^   beyond the starts, [12] cores*: " run)" -eq 4 &&
	grep -q "^   the same log in format 2 (gmac_v2; " run &&
	grep -Eq "^   freeing the old log: -?[0-9]+\.[0-9] ms of log-prune.s [0-9.]+ ms .*without it, -?[0-9]+\.[0-9]{2}x$" run &&
	grep -q "^# cpu: .* cores" run && grep -q "^# memory .* bench directory $TMP/bench on " run &&
	grep -Eq "^# kernel: a page fault [0-9]+\.[0-9] us, a system call [0-9]+\.[0-9]{2} us " run &&
	test "$(grep -c "^== " run)" -eq 3
'
test_expect_success 'BENCH_OLD compares a build with another: four new/old figures' '
	small env BENCH_OLD="$JUKISEC_BUILD" >cmp 2>err ||
	{ cat cmp err >&2; false; } &&
	test "$(grep -Ec "$FIGURE" cmp)" -eq 4 &&
	test "$(grep -Ec "goal <= 1\.1x" cmp)" -eq 4
'

test_done
