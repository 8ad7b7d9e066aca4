#!/bin/sh
# Crashes: 100 SIGKILLs at random moments of appending writers, each beside
# a second writer that is not killed (so some die waiting for the lock, some
# while writing, some between the write and the head).  After the next
# append the log verifies, every batch whose writer exited 0 is there, and
# every batch is there whole or not at all.
. "$(dirname "$0")/lib.sh"

jukisec-init -d "$TMP/s" >key 2>/dev/null
chmod 600 key
test_seed 1050

# batch ID: a batch of 1-2000 records labelled ID in $TMP/in.ID
batch() {
	n=$(( $(rand) % 2000 + 1 ))
	awk -v b="$1" -v n=$n "BEGIN { for (j = 0; j < n; j++) print b \",batch,\" j \",ok,of \" n }" >"in.$1"
	echo $n
}

test_expect_success '100 writers killed at random moments, beside a second writer' '
	: >done && i=0 &&
	while [ $i -lt 100 ]; do
		na=$(batch a$i) && nb=$(batch b$i) &&
		{ log-append -d "$TMP/s" --stdin <in.a$i 2>/dev/null & pa=$!; } &&
		{ log-append -d "$TMP/s" --stdin <in.b$i 2>/dev/null & pb=$!; } &&
		sleep "0.00$(( $(rand) % 10 ))" &&
		kill -9 $pa 2>/dev/null
		if wait $pa; then echo "a$i $na" >>done; fi
		if wait $pb; then echo "b$i $nb" >>done; else exit 1; fi
		i=$((i + 1))
	done
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
	cut -d, -f4 s/oplog.csv | grep "^[ab][0-9]" | sort | uniq -c >counts &&
	while read c b; do
		n=$(grep -m1 ",$b,batch," s/oplog.csv | sed "s/.*,of \([0-9]*\),.*/\1/") &&
		test "$c" -eq "$n" || { echo "$b: $c of $n" >&2; exit 1; }
	done <counts
'

test_done
