#!/bin/sh
# A log-prune killed between renaming the new log into place and committing
# its head leaves the log shorter than its head.  The next writer (not only
# the next prune) completes the head after checking the checkpoint's MAC
# under the current key, logs a repair record, and appends; log-verify then
# passes.  A checkpoint that does not verify, or a log cut short, is still
# refused with nothing changed.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
init_at "$S"
rec "$S" "2022-01-02 10:00:00" old 40
live "$S" "2022-01-02 10:00:00" "2023-06-01 10:00:00"
rec "$S" "2023-06-01 10:00:00" new 5
NOW=2023-06-02T10:00:00.000Z

# The state a kill in that window leaves: the head file as the prune left
# it just before its rename (the head it started from, and the same marked
# open in the other slot, tests/logforge.py intent), the key as it was, with
# the log the prune wrote.  Built in $TMP/$1 (with $1.key).
killed() {
	rm -rf "$TMP/$1" && cp -a "$S" "$TMP/$1" && cp -p "$S.key" "$TMP/$1.key" &&
	at $NOW log-append -d "$TMP/$1" --seal &&
	cp -p "$TMP/$1/oplog.head" "$TMP/$1/oplog.key" "$TMP" &&
	at $NOW log-prune -d "$TMP/$1" --discard &&
	cp -p "$TMP/oplog.key" "$TMP/$1/" &&
	python3 "$SRCDIR/tests/logforge.py" intent "$TMP/$1" "$TMP/oplog.head" "$TMP/$1/oplog.key" &&
	! has "$TMP/$1" old && tail -1 "$TMP/$1/oplog.csv" | grep -q ",log-prune,oplog.csv,ok,removed="
}

test_expect_success 'the state of a prune killed before its head: log-verify fails' '
	killed k0 &&
	test_must_fail 1 verify "$TMP/k0" $NOW 2>err &&
	grep -q head err
'

test_expect_success 'the next log-append completes the head, logs a repair, appends' '
	killed k1 &&
	seq=$(tail -1 "$TMP/k1/oplog.csv" | cut -d, -f1) &&
	at $NOW log-append -d "$TMP/k1" -u clerk01 -a view -o after &&
	tail -2 "$TMP/k1/oplog.csv" | head -1 |
	    grep -q ",-,repair,oplog.head,ok,head moved from seq $((seq - 1)) to seq $seq (checkpoint of an interrupted log-prune)," &&
	tail -1 "$TMP/k1/oplog.csv" | grep -q ",clerk01,view,after,," &&
	verify "$TMP/k1" $NOW >/dev/null
'

# A dry run takes no lock and writes nothing: it cannot complete the head,
# and says what the state is (no damage to look into), changing nothing;
# a real run then completes it.
test_expect_success 'log-prune -n in that state: exit 3, the interrupted prune named, nothing changed' '
	killed k7 &&
	cp "$TMP/k7/oplog.csv" "$TMP/k7/oplog.head" . &&
	test_must_fail 3 at $NOW log-prune -d "$TMP/k7" -n >out 2>err &&
	one_line_matching err "^log-prune: $TMP/k7/oplog.csv: shorter than its head says, as a log-prune stopped after its rename leaves it: the next writer or log-prune completes the head \(-n does not\)\$" &&
	test ! -s out &&
	cmp oplog.csv "$TMP/k7/oplog.csv" && cmp oplog.head "$TMP/k7/oplog.head" &&
	at $NOW log-prune -d "$TMP/k7" --discard &&
	grep -q ",-,repair,oplog.head,ok,head moved from seq " "$TMP/k7/oplog.csv" &&
	at $NOW log-prune -d "$TMP/k7" -n >out &&
	verify "$TMP/k7" $NOW >/dev/null
'

test_expect_success 'a batch from --stdin recovers too, and the next prune runs' '
	killed k2 &&
	at $NOW log-append -d "$TMP/k2" --stdin <<-IN &&
	clerk01,print,a,ok,one
	clerk01,print,b,ok,two
	IN
	grep -c ",-,repair,oplog.head," "$TMP/k2/oplog.csv" >n && test "$(cat n)" -eq 1 &&
	verify "$TMP/k2" $NOW >/dev/null &&
	at $NOW log-prune -d "$TMP/k2" --discard && verify "$TMP/k2" $NOW >/dev/null
'

test_expect_success 'a checkpoint changed by one byte: refused (exit 3), nothing changed' '
	killed k3 &&
	sed -i "\$s/retain_days=365/retain_days=366/" "$TMP/k3/oplog.csv" &&
	cp "$TMP/k3/oplog.csv" "$TMP/k3/oplog.head" . &&
	test_must_fail 3 at $NOW log-append -d "$TMP/k3" -u clerk01 -a view 2>err &&
	grep -q "shorter than oplog.head" err &&
	cmp oplog.csv "$TMP/k3/oplog.csv" && cmp oplog.head "$TMP/k3/oplog.head"
'

test_expect_success 'a log cut short without a checkpoint: refused (exit 3)' '
	killed k4 &&
	sed -i "\$d" "$TMP/k4/oplog.csv" &&
	test_must_fail 3 at $NOW log-append -d "$TMP/k4" -u clerk01 -a view 2>err &&
	grep -q "shorter than oplog.head" err
'

test_expect_success 'a checkpoint that chains to another head: refused (exit 3)' '
	killed k5 &&
	cp -p "$S/oplog.head" "$TMP/k5/" &&
	test_must_fail 3 at $NOW log-append -d "$TMP/k5" -u clerk01 -a view 2>err
'

test_expect_success 'a prune after a head that was lost keeps the record after it' '
	rm -rf "$TMP/k6" && cp -a "$S" "$TMP/k6" && cp -p "$S.key" "$TMP/k6.key" &&
	at $NOW log-append -d "$TMP/k6" --seal &&
	cp -p "$TMP/k6/oplog.head" "$TMP/old.head" &&
	at $NOW log-append -d "$TMP/k6" -u clerk01 -a view -o lost-head &&
	cp -p "$TMP/old.head" "$TMP/k6/oplog.head" &&
	at $NOW log-prune -d "$TMP/k6" --discard &&
	has "$TMP/k6" lost-head && ! has "$TMP/k6" old &&
	! grep -q ",-,repair," "$TMP/k6/oplog.csv" &&
	verify "$TMP/k6" $NOW >/dev/null
'

test_done
