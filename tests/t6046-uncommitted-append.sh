#!/bin/sh
# Records after an open head are a batch not committed (jukisec-log(5)
# "Verification"): its writer is at work or was killed, and the next
# writer removes them.  No reader counts them: log-show shows none,
# operator-list takes no last_success or last_failure from them, and
# jukisec-audit, with or without the key, neither counts them nor
# FAILs what they say (an unregistered operator, R5.4), while the writer
# works and after it was killed.  The next append removes them.  After a
# closed head (a head write a power loss lost) they count: the next
# writer takes them in.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

# batch N: a login of suzuki and a record of an unregistered "ghost",
# then N views by boss: over a MiB, so that part of it is written.
batch() {
	echo "boss,auth,suzuki,ok,never committed"
	echo "ghost,view,resident/1,ok,never committed"
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "boss,view,resident/%d,ok,a detail of about thirty bytes %d\n", i, i }'
}

# last_ok: suzuki's last_success as operator-list -f csv prints it.
last_ok() {
	operator-list -d "$D" -f csv >list.csv &&
	mlr --icsv --onidx filter '$id == "suzuki"' then cut -f last_success list.csv
}

# readers: what log-show, operator-list and jukisec-audit (without the
# key: with it, the audit waits on the log lock while the writer works,
# and after a kill FAILs the unfinished append, as log-verify does) make
# of the state now: the committed records alone.
readers() {
	test "$(last_ok)" = "$ok_at" &&
	log-show -d "$D" --format raw >shown && ! grep -q "never committed" shown &&
	test "$(tail -n 1 shown | cut -d, -f1)" = "$committed" &&
	audit_run --since "$today" &&
	expect log-operators-authorized "PASS " && expect log-head "PASS " &&
	detail log-verify | grep -q ": $((committed + 1)) records (numbers 0 to $committed) read without error"
}

test_expect_success 'set up: a manager, an operator who logged in once' '
	audit_state && add_pw suzuki &&
	conf_set "$D" lock_timeout_ms 60000 &&
	auth suzuki "$TMP/pw.suzuki"
'
# suzuki's committed login, and the last committed record
ok_at=$(awk -F, '$5 == "auth" && $6 == "suzuki" { t = $2 } END { print t }' "$D/oplog.csv")
committed=$(tail -n 1 "$D/oplog.csv" | cut -d, -f1)
today=$(date +%F)

test_expect_success 'before the batch, the readers agree' '
	test -n "$ok_at" && readers
'

# wait_grown BYTES: oplog.csv grows past BYTES, within 30 s.
wait_grown() {
	_n=0
	while [ "$(wc -c <"$D/oplog.csv")" -le "$1" ]; do
		_n=$((_n + 1)); [ $_n -lt 300 ] || return 1; sleep 0.1
	done
}

# The writer's standard input is a FIFO this test holds open: it waits
# there with its batch half written, until killed.
test_expect_success 'a batch half written after the head, its writer at work, then killed: no one'"'"'s records; the next append removes them' '
	mkfifo fifo && size=$(wc -c <"$D/oplog.csv") &&
	{ log-append -d "$D" -t cs01 --stdin <fifo 2>writer.err & echo $! >writer.pid; } &&
	exec 9>fifo && batch 40000 >&9 && wait_grown $((size + 1048576)) &&
	grep -q "jukisec-log-head v2 open " "$D/oplog.head" &&
	grep -q "never committed" "$D/oplog.csv" &&
	readers &&
	echo "its writer killed:" &&
	kill -9 "$(cat writer.pid)" && { wait "$(cat writer.pid)"; exec 9>&-; } ;
	grep -q "jukisec-log-head v2 open " "$D/oplog.head" &&
	grep -q "never committed" "$D/oplog.csv" &&
	readers &&
	log-append -d "$D" -t cs01 -u boss -a view -o resident/2 2>la.err && cat la.err &&
	! grep -q "never committed" "$D/oplog.csv" &&
	log-verify -d "$D" -k "$D.key" >/dev/null
'

# The head written before the last two appends put back: what a power
# loss that kept the records and lost the head write leaves.
test_expect_success 'records after a closed head count: operator-list and the audit take them, as the next writer does' '
	cp "$D/oplog.head" head.before &&
	log-append -d "$D" -t cs01 -u ghost -a view -o resident/3 2>/dev/null &&
	auth suzuki "$TMP/pw.suzuki" &&
	cp head.before "$D/oplog.head" &&
	last=$(awk -F, "\$5 == \"auth\" && \$6 == \"suzuki\" { t = \$2 } END { print t }" "$D/oplog.csv") &&
	test "$(last_ok)" = "$last" && test "$last" != "$ok_at" &&
	audit_run --since "$today" && test "$ast" = 1 &&
	expect log-operators-authorized "FAIL ghost" &&
	audit_run --since "$today" --key-file "$D.key" &&
	expect log-operators-authorized "FAIL ghost" &&
	log-append -d "$D" -t cs01 -u boss -a view -o resident/4 &&
	grep -q ",ghost,view,resident/3," "$D/oplog.csv" &&
	log-verify -d "$D" -k "$D.key" >/dev/null
'

test_done
