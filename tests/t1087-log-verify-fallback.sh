#!/bin/sh
# When the block-parallel pass finds a fault it goes back to one pass, and
# on a log of 4 MiB or more that pass checks the MACs on a second core, a
# batch behind the rules (oplog_macq.c).  What it then reports must be
# what one core reports (taskset -c 0), where each MAC is checked as its
# record is read: a changed record before the head's needs no look under
# the log lock (a writer at work holds it: no lock timeout in its place);
# a changed record before a FILE that cannot be read is the failure, not
# the I/O error; and a record checked on the caller's core (the genesis,
# a pruned log's first) is shown before a fault right after it.
. "$(dirname "$0")/lib.sh"

[ "$(nproc)" -ge 2 ] ||
	test_skip_all "one processor: the block-parallel pass is not used here"

NOW=2026-01-04T12:00:00Z

# Three days of 12,000 records, a third quoted: about 6 MiB.
log_days "$TMP/s" 12000 key || exit 1

# same CMD...: CMD on one core and on all, stdout, stderr and status alike;
# leaves out, err and st.
same() {
	{ taskset -c 0 "$@" >out1 2>err1; echo $? >st1; } &&
	{ "$@" >out 2>err; echo $? >st; } &&
	test_cmp st1 st && test_cmp err1 err && test_cmp out1 out
}

test_expect_success 'the log is past the size whose MACs a second core checks' '
	test "$(wc -c <"$TMP/s/oplog.csv")" -gt $((4 * 1048576))
'

# A writer at work holds the log lock (here for 30 s): a failure in bytes
# no writer touches stands at once, as on one core, where the rules settle
# it at the record.
test_expect_success 'a changed record, a writer holding the lock: reported at once, no lock timeout' '
	cp -a "$TMP/s" "$TMP/t" &&
	sed -i "100s/record/recorX/" "$TMP/t/oplog.csv" &&
	rm -f held && { flock "$TMP/t/oplog.lock" sh -c "echo \$\$ >held.tmp; mv held.tmp held; exec sleep 30" & } &&
	while [ ! -e held ]; do sleep 0.05; done &&
	same log-verify -d "$TMP/t" -k key --now $NOW && test "$(cat st)" = 1 &&
	one_line_matching err "^log-verify: oplog.csv:100: seq 98: MAC mismatch" &&
	same jukisec-audit -d "$TMP/t" --key-file key --now $NOW \
	    --since 2026-01-01 --until 2026-01-31 &&
	test "$(cat st)" = 1 && grep -q "MAC mismatch" out && ! grep -q "lock timeout" out &&
	same log-show -d "$TMP/t" -k key --now $NOW --operator clerk007 &&
	test "$(cat st)" = 1 && kill "$(cat held)" && wait
'

# One core finds the changed record before it reaches the FILE after it.
test_expect_success 'a changed record, then a FILE that cannot be read: the change, not the I/O error' '
	sed "30000s/record/recorX/" "$TMP/s/oplog.csv" >arch.csv &&
	same log-verify -k key --now $NOW arch.csv "$TMP/none" &&
	test "$(cat st)" = 1 &&
	one_line_matching err "^log-verify: arch.csv:30000: seq 29998: MAC mismatch" &&
	same log-verify -k key --now $NOW arch.csv "$TMP" && test "$(cat st)" = 1 &&
	same log-show -k key --now $NOW --operator clerk007 arch.csv "$TMP/none" &&
	test "$(cat st)" = 1 &&
	test "$(wc -l <out)" -eq $(($(head -n 29999 arch.csv | grep -c ",clerk007,") + 1))
'

# The genesis record's MAC is checked on the caller's core, not queued:
# a fault on the next line leaves it shown, on any number of cores.
test_expect_success 'a fault right after the genesis record: the genesis shown, as on one core' '
	cp -a "$TMP/s" "$TMP/g1" && cp -a "$TMP/s" "$TMP/g2" &&
	sed -i "3s/^1,/9,/" "$TMP/g1/oplog.csv" &&
	sed -i "2p" "$TMP/g2/oplog.csv" &&
	for g in g1 g2; do
		for f in csv table json raw; do
			same log-show -d "$TMP/$g" -k key --now $NOW --format $f &&
			test "$(cat st)" = 1 && test -s out || return 1
		done &&
		same log-show -d "$TMP/$g" -k key --now $NOW &&
		test "$(sed 1d out | cut -d, -f1)" = 0 || return 1
	done
'

# gen LABEL N: N records for log-append --stdin, objects "LABEL I".
gen() {
	awk -v p="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "clerk%03d,view,%s %d,ok,\"rec %d, x\"\n", i % 40, p, i, i }'
}
# flip FILE N: the last character of line N of FILE (a MAC's hex digit)
# changed, the file's mode kept.
flip() {
	awk -v n="$2" 'NR == n { c = substr($0, length($0))
		$0 = substr($0, 1, length($0) - 1) (c == "0" ? "1" : "0") } { print }' "$1" >flip.tmp &&
	cat flip.tmp >"$1"
}

# A chain that begins with an archive of a second prune: its first
# record is verified through the checkpoint of the first prune, in the
# live log (4 MiB and more: its MACs are checked a batch behind).  That
# checkpoint's MAC changed: nothing is shown, on any number of cores, as
# nothing is verified.
test_expect_success 'the checkpoint that verifies the first record fails: nothing shown' '
	at 2024-01-01T00:00:00Z jukisec-init -d "$TMP/p" -t term01 >pkey 2>/dev/null &&
	chmod 600 pkey &&
	for d in 2024-01 2024-06 2025-01 2025-06; do
		gen $d 50 | at ${d}-02T10:00:00Z log-append -d "$TMP/p" -t term01 --stdin 2>/dev/null ||
		    return 1
	done &&
	at 2025-07-01T00:00:00Z log-append -d "$TMP/p" --seal &&
	at 2025-07-01T00:00:00Z log-prune -d "$TMP/p" -a a1.csv &&
	gen 2026-01 50 | at 2026-01-02T10:00:00Z log-append -d "$TMP/p" -t term01 --stdin 2>/dev/null &&
	at 2026-03-01T00:00:00Z log-append -d "$TMP/p" --seal &&
	at 2026-03-01T00:00:00Z log-prune -d "$TMP/p" -a a2.csv &&
	gen big 50000 | at 2026-03-01T10:00:00Z log-append -d "$TMP/p" -t term01 --stdin 2>/dev/null &&
	test "$(wc -c <"$TMP/p/oplog.csv")" -gt $((4 * 1048576)) &&
	n=$(grep -n ",log-prune," "$TMP/p/oplog.csv" | head -n 1 | cut -d: -f1) &&
	sed -n 2p a2.csv | grep -vq "^0," &&
	log-show -k pkey --now 2026-03-02T00:00:00Z --format raw a2.csv "$TMP/p/oplog.csv" >out &&
	test "$(wc -l <out)" -gt 50000 &&
	flip "$TMP/p/oplog.csv" $n &&
	for f in raw csv table; do
		same log-show -k pkey --now 2026-03-02T00:00:00Z --format $f a2.csv "$TMP/p/oplog.csv" &&
		test "$(cat st)" = 1 && one_line_matching err "oplog.csv:$n: seq [0-9]+: MAC mismatch" &&
		test ! -s out || return 1
	done
'

# A live log pruned once, 4 MiB and more after its checkpoint: its first
# record is verified through the checkpoint found ahead in the same file
# (log-show -k reads ahead for it), so a record changed before that
# checkpoint leaves the records before it shown, on any number of cores.
# And a head put back from before the prune names a record now in the
# archive: it bounds the live log's records, not the archive's.
test_expect_success 'setup: a live log pruned once, a head from before the prune kept aside' '
	at 2024-01-01T00:00:00Z jukisec-init -d "$TMP/q" -t term01 >qkey 2>/dev/null &&
	chmod 600 qkey &&
	echo clerk01,view,old,ok, | at 2024-01-02T10:00:00Z log-append -d "$TMP/q" --stdin 2>/dev/null &&
	cp "$TMP/q/oplog.head" old.head &&
	echo clerk01,view,kept,ok, | at 2024-06-02T10:00:00Z log-append -d "$TMP/q" --stdin 2>/dev/null &&
	at 2025-03-01T00:00:00Z log-append -d "$TMP/q" --seal &&
	at 2025-03-01T00:00:00Z log-prune -d "$TMP/q" -a qa.csv &&
	awk "BEGIN { for (i = 0; i < 4500; i++) printf \"clerk02,view,big,ok,%0999d\\n\", i }" |
	at 2025-03-01T10:00:00Z log-append -d "$TMP/q" --stdin 2>/dev/null &&
	test "$(wc -c <"$TMP/q/oplog.csv")" -gt $((4 * 1048576))
'

test_expect_success 'a record before the checkpoint read ahead changed: the records before it, as on one core' '
	n=$(grep -n ",log-prune," "$TMP/q/oplog.csv" | cut -d: -f1) &&
	for at in $n $((n - 1)) 200; do
		rm -rf "$TMP/q2" && cp -a "$TMP/q" "$TMP/q2" && flip "$TMP/q2/oplog.csv" $at &&
		same log-show -d "$TMP/q2" -k qkey --now 2025-03-02T00:00:00Z &&
		test "$(cat st)" = 1 && test "$(wc -l <out)" -gt 1 &&
		same log-show -d "$TMP/q2" -k qkey --now 2025-03-02T00:00:00Z --operator clerk01 &&
		test "$(wc -l <out)" -eq 2 || return 1
	done
'

test_expect_success 'a head from before the prune: the archive'"'"'s records shown, as on one core' '
	rm -rf "$TMP/q2" && cp -a "$TMP/q" "$TMP/q2" && cp old.head "$TMP/q2/oplog.head" &&
	same log-show -k qkey --now 2025-03-02T00:00:00Z --format raw qa.csv "$TMP/q2/oplog.csv" &&
	test "$(cat st)" = 1 &&
	test "$(tail -n 1 out | cut -d, -f1)" = "$(tail -n 1 qa.csv | cut -d, -f1)"
'

test_done
