#!/bin/sh
# log-prune while other processes append: no append is lost, duplicated or
# reordered, and the log and archive verify afterwards.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s A=$TMP/archive.csv
init_at "$S"
# the writers are jobs, not persons of the register (R5.4: no word of them)
sed -i "s/^system_actors = .*/system_actors = w1,w2,w3,w4/" "$S/jukisec.conf"
# 40 days of 10 records each (objects b0 ... b39), as rec would append
# them, for a third of the CPU: the 40 instants from one date(1), already
# in at()'s form (local time: TZ is UTC here), each batch written by the
# shell and appended by log-append under libfaketime as at() runs it.
i=0
while [ $i -lt 40 ]; do echo "2022-01-02 + $i days"; i=$((i + 1)); done |
    date -f - "+%Y-%m-%d 10:00:00.000" | {
	i=0
	while read -r t; do
		j=0
		while [ $j -lt 10 ]; do echo "clerk01,print,b$i,ok,copy $j"; j=$((j + 1)); done >b.in
		LD_PRELOAD=$FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD} FAKETIME=$t \
		    FAKETIME_DONT_FAKE_MONOTONIC=1 log-append -d "$S" --stdin <b.in || exit 1
		i=$((i + 1))
	done
	[ $i = 40 ]
} || exit 3
# 1 MB kept by every prune, so each copy takes a while.
padded "$S" "2022-06-01 10:00:00" 1000 big record

# writer N: 30 appends, one process each, objects wN-0 ... wN-29, paced
# (30 ms apart) so that the appends span several prunes however fast the
# machine appends: unpaced, a quick run once saw only 2 prunes in them.
writer() {
	j=0
	while [ $j -lt 30 ]; do
		log-append -d "$S" -u "w$1" -a write -o "w$1-$j" -r ok 2>>"$TMP/fail.txt" ||
		    echo "w$1-$j failed" >>"$TMP/fail.txt"
		sleep 0.03
		j=$((j + 1))
	done
}

test_expect_success 'four writers append while log-prune runs again and again' '
	: >fail.txt
	writer 1 & p1=$!
	writer 2 & p2=$!
	writer 3 & p3=$!
	writer 4 & p4=$!
	k=0
	while kill -0 $p1 $p2 $p3 $p4 2>/dev/null; do
		# a day later each time, up to 60 (the big records, which
		# must stay, are a year old 149 days after the first prune)
		prune "$S" "$(date -u -d "2023-01-03 + $((k < 60 ? k : 60)) days" +%Y-%m-%dT12:00:00Z)" -a "$A" ||
		    echo "prune $k failed" >>fail.txt
		k=$((k + 1))
	done
	wait
	say "$k prunes ran during the appends"
	test ! -s fail.txt && test $k -ge 3
'

test_expect_success 'every append is in the log once, each writer in its own order' '
	for n in 1 2 3 4; do
		awk -F, -v w="w$n" "\$4 == w { print \$6 }" "$S/oplog.csv" >got.txt
		awk -v w="w$n" "BEGIN { for (j = 0; j < 30; j++) print w \"-\" j }" >want.txt
		test_cmp want.txt got.txt || exit 1
	done
'

test_expect_success 'old records went, the log and archive + log verify, each record once' '
	! has "$S" b0 && has "$S" big &&
	now=$(tail -1 "$S/oplog.csv" | cut -d, -f2) &&
	verify "$S" "$now" >/dev/null &&
	verify "$S" "$now" "$A" "$S/oplog.csv" >/dev/null &&
	seqs "$A" >a.seq && seqs "$S/oplog.csv" >l.seq &&
	sort -n a.seq l.seq >both.seq &&
	seq 0 "$(tail -1 l.seq)" | cmp - both.seq
'

test_done
