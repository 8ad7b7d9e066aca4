#!/bin/sh
# R5.4 in the log: log-append records every operation it is given (evidence
# is never refused, exit 0) but says on stderr when the named operator is
# not an active registered person then; jukisec-audit fails R5.4 listing
# the records (seq, time, terminal, operator) of unknown, revoked, expired
# or locked-out operators.  "-" and the system actors of jukisec.conf are
# exempt.  log-append keeps only the rows of the operators named but reads
# and checks the register whole, so a register it cannot use says so as
# before, and decides at the time the record was written at.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

AT=2030-01-01T09:00:00Z
la() { at "$AT" log-append -d "$D" -t cs01 "$@"; }

test_expect_success 'set up: manager, tanaka, sato, ito (expires 2030-01-31); cron a system actor' '
	at_AT audit_state && at_AT add_pw tanaka && at_AT add_pw sato &&
	at_AT add_pw ito -e 2030-01-31 &&
	conf_set "$D" system_actors cron,backup && pw wrong Not-The-Pw-42
'

test_expect_success 'a registered, active person and the exempt names: no word' '
	la -u tanaka -a print -o juminhyo -r ok 2>err && test ! -s err &&
	la -u cron -a backup -r ok 2>err && test ! -s err &&
	la -u - -a note 2>err && test ! -s err
'

test_expect_success 'ghost: recorded (exit 0), one line on stderr' '
	AT=2030-01-01T09:10:00Z la -u ghost -a print -o juminhyo -r ok 2>err &&
	one_line_matching err "^log-append: operator ghost is not an active registered person \\(unknown\\); recorded \\(R5.4\\)\$" &&
	tail -1 "$D/oplog.csv" | grep -q ",cs01,ghost,print,juminhyo,ok,"
'

test_expect_success 'revoked: recorded, said' '
	AT=2030-01-02T09:00:00Z at_AT operator-revoke -d "$D" -b boss --by-password-fd 4 \
	    -i sato --reason transfer 4<"$TMP/pw.boss" &&
	AT=2030-01-02T09:10:00Z la -u sato -a view 2>err &&
	one_line_matching err "operator sato is not an active registered person \\(revoked\\)"
'

test_expect_success 'expired: recorded, said' '
	AT=2030-02-01T09:00:00Z la -u ito -a view 2>err &&
	one_line_matching err "operator ito is not an active registered person \\(expired\\)"
'

test_expect_success 'locked out: recorded, said; unlocked: no word' '
	for i in 1 2 3 4 5; do at 2030-02-02T09:00:00Z auth tanaka "$TMP/pw.wrong" 2>/dev/null; done;
	AT=2030-02-02T09:10:00Z la -u tanaka -a print 2>err &&
	one_line_matching err "operator tanaka is not an active registered person \\(locked\\)" &&
	at 2030-02-02T10:00:00Z operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka --unlock 4<"$TMP/pw.boss" &&
	AT=2030-02-02T10:10:00Z la -u tanaka -a print 2>err && test ! -s err
'

test_expect_success 'a batch: each such operator once, by its line' '
	printf "%s\n" "tanaka,print,a,ok," "ghost,print,b,ok," "ghost,print,c,ok," \
	    "cron,backup,,ok," | AT=2030-02-03T09:00:00Z la --stdin 2>err &&
	one_line_matching err "^log-append: <stdin>:2: operator ghost is not an active registered person \\(unknown\\); recorded \\(R5.4\\)\$" &&
	test "$(grep -c ",ghost,print," "$D/oplog.csv")" = 3
'

test_expect_success 'jukisec-audit: R5.4 FAIL with the records of ghost, sato, ito, tanaka locked' '
	audit_run --now 2030-02-04T00:00:00Z &&
	test "$ast" = 1 &&
	expect log-operators-authorized "FAIL ghost sato ito tanaka ghost ghost" &&
	detail log-operators-authorized >d &&
	grep -q "record [0-9]*, 2030-01-01 09:10, terminal cs01, operator not in the register (id ghost): unknown" d &&
	grep -q "operator sato: revoked" d && grep -q "operator ito: expired" d &&
	grep -q "operator tanaka: locked" d &&
	! grep -q "operator cron" d && ! grep -q "operator -:" d
'

# After the audit: the register is changed by hand from here on.
cp -p "$D/operators.csv" "$TMP/operators.good"
R54LINE="recorded \\(R5.4\\)\$"
NOCHECK='^log-append: the operators could not be checked against the register \(R5.4\); recorded$'
# two_lines FIRST SECOND: err holds two lines, matching these extended regexes.
two_lines() {
	test "$(wc -l <err)" = 2 && sed -n 1p err | grep -Eq -- "$1" &&
	    sed -n 2p err | grep -Eq -- "$2"
}

test_expect_success 'a register open to others: recorded, exit 0, "could not be checked"' '
	chmod g+w "$D/operators.csv" &&
	AT=2030-02-05T09:00:00Z la -u tanaka -a view -o refused 2>err &&
	chmod g-w "$D/operators.csv" &&
	two_lines "^log-append: .*/operators.csv: not owned by us or root, or open to others: refused\$" \
	    "$NOCHECK" &&
	tail -1 "$D/oplog.csv" | grep -q ",cs01,tanaka,view,refused,"
'

test_expect_success 'a duplicate id on a row not named: the whole register is refused as before' '
	sed -n "/^ito,/p" "$TMP/operators.good" >>"$D/operators.csv" &&
	AT=2030-02-05T09:01:00Z la -u tanaka -a view 2>err &&
	cp -p "$TMP/operators.good" "$D/operators.csv" &&
	two_lines "/operators.csv:[0-9]*: field id: duplicate id ito\$" \
	    "$NOCHECK"
'

test_expect_success 'a damaged value on a row not named: told as every reader tells it; the named one still checked' '
	regcol ito failed many &&
	AT=2030-02-05T09:02:00Z la -u tanaka -a view 2>err &&
	one_line_matching err "/operators.csv:[0-9]*: field failed: invalid value; treated as at the maximum until repaired\$" &&
	AT=2030-02-05T09:03:00Z la -u ghost -a view 2>err &&
	two_lines "field failed: invalid value" \
	    "^log-append: operator ghost is not an active registered person \(unknown\); $R54LINE" &&
	cp -p "$TMP/operators.good" "$D/operators.csv"
'

test_expect_success 'a damaged value of the operator named: its fail-safe stand-in decides (expired)' '
	regcol tanaka expires soon &&
	AT=2030-02-05T09:04:00Z la -u tanaka -a view 2>err &&
	cp -p "$TMP/operators.good" "$D/operators.csv" &&
	two_lines "field expires: invalid value; treated as expired until repaired\$" \
	    "^log-append: operator tanaka is not an active registered person \(expired\); $R54LINE"
'

# log-append reads the register while the disk takes its record, under the
# log lock; what it says (here a damaged value, then ghost) waits until the
# lock is let go, so that a stderr nobody reads (a cron job's full pipe)
# holds up no other writer of the log: the second append gets the lock
# within lock_timeout_ms while the first is stuck on its first message.
test_expect_success 'said with the log unlocked: a stderr nobody reads holds up no other writer' '
	regcol ito failed many && conf_set "$D" lock_timeout_ms 3000 &&
	rm -f "$TMP/full" && mkfifo "$TMP/full" && exec 7<>"$TMP/full" &&
	python3 -c "
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
try:
    while True:
        os.write(fd, b\"x\")
except BlockingIOError:
    pass
" "$TMP/full" &&
	{ AT=2030-02-05T09:05:00Z la -u ghost -a view -o stuck 2>&7 & } &&
	p=$! && n=0 &&
	while ! grep -q ",ghost,view,stuck," "$D/oplog.csv" && [ $n -lt 500 ]; do
		sleep 0.01; n=$((n + 1))
	done
	AT=2030-02-05T09:06:00Z la -u tanaka -a view -o free 2>err2
	st2=$?
	dd bs=65536 count=1 iflag=fullblock <&7 >/dev/null 2>&1
	wait $p
	st1=$?
	dd bs=65536 count=1 iflag=nonblock <&7 >err 2>/dev/null
	exec 7>&-
	cp -p "$TMP/operators.good" "$D/operators.csv" &&
	conf_set "$D" lock_timeout_ms 10000 &&
	test "$st1 $st2" = "0 0" &&
	one_line_matching err2 "field failed: invalid value" &&
	grep -q ",tanaka,view,free," "$D/oplog.csv" &&
	two_lines "field failed: invalid value" \
	    "^log-append: operator ghost is not an active registered person \(unknown\); $R54LINE"
'

test_expect_success 'a batch naming many: each registered one judged by its own row, each other once, in input order' '
	python3 - "$D/operators.csv" <<-\EOF &&
	import csv, sys
	p = sys.argv[1]
	rows = list(csv.reader(open(p, newline="")))
	h, t = rows[0], [r for r in rows[1:] if r[0] == "tanaka"][0]
	for i in range(1, 41):
	    r = list(t)
	    r[h.index("id")] = "op%02d" % i
	    if i == 7:
	        r[h.index("revoked_at")] = "2030-02-01T00:00:00.000Z"
	        r[h.index("revoked_by")] = "boss"
	        r[h.index("revoked_reason")] = "moved"
	    if i == 13:
	        r[h.index("expires")] = "2030-02-01T00:00:00.000Z"
	    if i == 29:
	        r[h.index("locked")] = "yes"
	        r[h.index("locked_at")] = "2030-02-06T08:59:00.000Z"
	    rows.append(r)
	csv.writer(open(p, "w", newline=""), lineterminator="\n").writerows(rows)
	EOF
	for i in $(seq 40 -1 1); do printf "op%02d,view,,ok,\n" "$i"; done >in &&
	printf "%s\n" "ghost9,view,,ok," "cron,backup,,ok," "-,note,,," "op07,view,,ok," \
	    "ghost1,view,,ok," "sato,view,,ok," "ghost9,view,,ok," >>in &&
	AT=2030-02-06T09:00:00Z la --stdin <in 2>err &&
	cp -p "$TMP/operators.good" "$D/operators.csv" &&
	cat >want <<-\EOF &&
	log-append: <stdin>:12: operator op29 is not an active registered person (locked); recorded (R5.4)
	log-append: <stdin>:28: operator op13 is not an active registered person (expired); recorded (R5.4)
	log-append: <stdin>:34: operator op07 is not an active registered person (revoked); recorded (R5.4)
	log-append: <stdin>:41: operator ghost9 is not an active registered person (unknown); recorded (R5.4)
	log-append: <stdin>:45: operator ghost1 is not an active registered person (unknown); recorded (R5.4)
	log-append: <stdin>:46: operator sato is not an active registered person (revoked); recorded (R5.4)
	EOF
	test_cmp want err &&
	test "$(grep -c ",cs01,op[0-9]*,view,,ok," "$D/oplog.csv")" = 41
'

# A batch's memory stays bounded whatever its size (issue 15), however
# many operators it names: the first 1000 are judged and said one by one
# as above, later ones only when the register has them (it bounds them),
# and the lines naming anyone else past those are counted, said once.
test_expect_success 'a batch naming 200000 operators: bounded memory, the registered ones judged, the rest counted once' '
	awk "BEGIN { for (i = 1; i <= 200000; i++)
		if (i == 100000) print \"sato,view,,ok,\"
		else if (i == 100001) print \"cron,backup,,ok,\"
		else if (i == 100002) print \"tanaka,view,,ok,\"
		else if (i == 150000) print \"ghost5,view,,ok,\"
		else print \"ghost\" i \",view,,ok,\" }" >in &&
	AT=2030-02-06T10:00:00Z command time -f %M -o rss \
	    log-append -d "$D" -t cs01 --stdin <in 2>err &&
	{ [ -n "${ASAN_OPTIONS:-}" ] || test "$(cat rss)" -le 16384 ||
	    { echo "peak RSS $(cat rss) KiB" >&2; false; }; } &&
	awk "BEGIN { for (i = 1; i <= 1000; i++)
		printf \"log-append: <stdin>:%d: operator ghost%d is not an active registered person (unknown); recorded (R5.4)\\n\", i, i
		print \"log-append: <stdin>:100000: operator sato is not an active registered person (revoked); recorded (R5.4)\"
		print \"log-append: <stdin>:1001: and 198996 more lines from here on name operators not in the register (unknown); recorded (R5.4)\" }" >want &&
	test_cmp want err &&
	test "$(grep -Ec ",cs01,[a-z0-9]+,(view|backup),,ok,," "$D/oplog.csv")" -ge 200000
'

# The same count on a state that never held anyone (no register yet, read
# as an empty one): the quiet read past the first 1000 left a missing
# register to the log's answer and counted nothing, so 500 records of
# unknown operators went in without a word.
test_expect_success 'a batch past 1000 operators before any register: the rest counted once' '
	rm -rf "$TMP/nr" && jukisec-init -d "$TMP/nr" -t cs01 >/dev/null 2>&1 &&
	awk "BEGIN { for (i = 1; i <= 1500; i++) print \"op\" i \",note,obj,ok,d\" }" |
	    log-append -d "$TMP/nr" -t cs01 --stdin 2>err &&
	test "$(wc -l <err)" = 1001 &&
	tail -n 1 err >last &&
	echo "log-append: <stdin>:1001: and 500 more lines from here on name operators not in the register (unknown); recorded (R5.4)" >want &&
	test_cmp want last
'

# The register is read while the disk takes the record only when it is
# small (standing.h STANDING_PEEK_MAX, 16 KiB): a larger one would hold the
# log lock longer than the write does, and is read once it is let go.  The
# same words either way.  strace -y names each read's file.
regread() {
	strace -y -e trace=read,fdatasync -o trace log-append -d "$D" -t cs01 \
	    -u "$1" -a view 2>err && awk "
		/fdatasync\\(.*oplog.csv/ { synced = 1 }
		/^read\\(.*operators.csv/ { print synced ? \"after\" : \"before\"; exit }" trace
}
test_expect_success STRACE_MEM 'a small register is read while the record goes to disk, a large one after: the same words' '
	test "$(regread ghost)" = before &&
	one_line_matching err "operator ghost is not an active registered person \\(unknown\\)" &&
	python3 - "$D/operators.csv" <<-\EOF &&
	import csv, sys
	p = sys.argv[1]
	rows = list(csv.reader(open(p, newline="")))
	h, t = rows[0], [r for r in rows[1:] if r[0] == "tanaka"][0]
	for i in range(200):
	    r = list(t)
	    r[h.index("id")] = "big%03d" % i
	    rows.append(r)
	csv.writer(open(p, "w", newline=""), lineterminator="\n").writerows(rows)
	EOF
	test "$(wc -c <"$D/operators.csv")" -gt 16384 &&
	test "$(regread ghost)" = after &&
	one_line_matching err "operator ghost is not an active registered person \\(unknown\\)" &&
	test "$(regread big150)" = after && test ! -s err &&
	cp -p "$TMP/operators.good" "$D/operators.csv"
'

test_expect_success 'decided at the time the record was written at: the log last record, when the clock is behind it' '
	AT=2030-03-01T09:00:00Z la -u tanaka -a view 2>err && test ! -s err &&
	AT=2030-01-15T09:00:00Z la -u ito -a view -o behind 2>err &&
	one_line_matching err "operator ito is not an active registered person \\(expired\\)" &&
	tail -1 "$D/oplog.csv" | grep -q "^[0-9]*,2030-03-01T09:00:00.000Z,cs01,ito,view,behind,"
'

test_expect_success 'a cost to measure, for the record: one append with a person named' '
	t0=$(date +%s%N) && i=0 &&
	while [ $i -lt 20 ]; do la -u tanaka -a print 2>/dev/null; i=$((i + 1)); done &&
	t1=$(date +%s%N) && i=0 &&
	while [ $i -lt 20 ]; do la -u cron -a print 2>/dev/null; i=$((i + 1)); done &&
	t2=$(date +%s%N) &&
	echo "log-append (mean of 20): a person $(( (t1 - t0) / 20000000 )) ms (register read), a system actor $(( (t2 - t1) / 20000000 )) ms (none)" >"$TMP/timing"
'
[ -s "$TMP/timing" ] && say "$(cat "$TMP/timing")"

test_done
