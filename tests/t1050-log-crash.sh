#!/bin/sh
# Crashes: 100 SIGKILLs at random moments of appending writers.  After the
# next append the log verifies, every batch whose writer exited 0 is there,
# and every batch is there whole or not at all.
. "$(dirname "$0")/lib.sh"

jukisec-init -d "$TMP/s" >key 2>/dev/null
chmod 600 key
rand() { od -An -N2 -tu2 /dev/urandom | tr -d " "; }

test_expect_success '100 writers killed at random moments' '
	: >done && i=0 &&
	while [ $i -lt 100 ]; do
		n=$(( $(rand) % 2000 + 1 )) &&
		awk -v b=$i -v n=$n "BEGIN { for (j = 0; j < n; j++) print \"b\" b \",batch,\" j \",ok,of \" n }" >in &&
		{ log-append -d "$TMP/s" --stdin <in 2>/dev/null & pid=$!; } &&
		sleep "0.00$(( $(rand) % 10 ))" &&
		kill -9 $pid 2>/dev/null
		if wait $pid; then echo "b$i $n" >>done; fi
		i=$((i + 1))
	done &&
	say "$(wc -l <done) of 100 writers finished before their SIGKILL"
'

test_expect_success 'the next append repairs, and the log verifies' '
	log-append -d "$TMP/s" -u after -a crash-test &&
	log-verify -d "$TMP/s" -k key >out &&
	say "$(cat out); $(grep -c ",-,repair," s/oplog.csv) repairs logged"
'

test_expect_success 'no record of a writer that exited 0 is missing' '
	while read b n; do
		test "$(grep -c ",$b,batch," s/oplog.csv)" -eq "$n" || { echo "$b missing" >&2; exit 1; }
	done <done
'

test_expect_success 'every batch is whole or absent' '
	cut -d, -f4 s/oplog.csv | grep "^b" | sort | uniq -c >counts &&
	while read c b; do
		n=$(grep -m1 ",$b,batch," s/oplog.csv | sed "s/.*,of \([0-9]*\),.*/\1/") &&
		test "$c" -eq "$n" || { echo "$b: $c of $n" >&2; exit 1; }
	done <counts
'

test_done
