#!/bin/sh
# log-show: formats, filters, local times, summaries, -k verification
# (during a batch too), files as one chain, and every usage error.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-show.sh"

init_at s "2027-02-27 00:00:00"
# at_local "YYYY-MM-DD hh:mm" (Tokyo time) CMD...: a record made then
at_jst() { _t=$(date -u -d "TZ=\"Asia/Tokyo\" $1" "+%Y-%m-%d %H:%M:%S"); shift; at "$_t" "$@"; }
la() { log-append -d "$TMP/s" "$@"; }
at_jst "2027-02-28 23:59" log-append -d s -t cs01 -u tanaka -a view -o 1234-5678 -r ok -m "before March"
at_jst "2027-03-01 00:00" log-append -d s -t cs01 -u tanaka -a view -o 1234-5678 -r ok -m "住民票の写し、1通"
at_jst "2027-03-01 09:30" log-append -d s -t cs01 -u sato -a print -o "x 1234-5678 y" -r ok -m 'copy, "2" pages'
at_jst "2027-03-02 10:00" log-append -d s -t cs02 -u sato -a auth -o "" -r denied -m "wrong password"
at_jst "2027-03-31 23:59" log-append -d s -t cs02 -u ito -a view -o "$(printf 'esc\033[31m')" -r ok -m "tab	x"
at_jst "2027-04-01 00:00" log-append -d s -t cs01 -u tanaka -a view -o 1234-5678 -r ok -m "after March"
last=$(tail -n 1 s/oplog.csv | cut -d, -f1)
ls_() { log-show -d "$TMP/s" "$@"; }

test_expect_success 'csv (default): the header row and the log lines as they stand' '
	ls_ >out 2>err && test ! -s err && test_cmp s/oplog.csv out
'

test_expect_success 'raw is byte for byte, and the whole of it verifies' '
	ls_ --format raw >raw.csv && cmp s/oplog.csv raw.csv &&
	log-verify -k s.key --now 2027-04-02T00:00:00Z raw.csv >/dev/null
'

test_expect_success 'json: one object a line, the header names as keys, parsed by Python' '
	ls_ --format json >out.json &&
	python3 - <<-PY
	import csv, json
	rows = list(csv.DictReader(open("s/oplog.csv", encoding="utf-8", newline="")))
	objs = [json.loads(l) for l in open("out.json", encoding="utf-8")]
	assert len(rows) == len(objs), (len(rows), len(objs))
	for r, o in zip(rows, objs):
	    assert list(o) == list(r), list(o)
	    assert o["seq"] == int(r["seq"]) and o["epoch"] == int(r["epoch"])
	    for k in r:
	        if k not in ("seq", "epoch"):
	            assert o[k] == r[k], (k, o[k], r[k])
	PY
'

test_expect_success 'table: local times with seconds, control characters escaped' '
	TZ=Asia/Tokyo ls_ --format table --operator ito >out &&
	head -n 1 out | grep -Eq "^SEQ +TIME +TERMINAL +OPERATOR +ACTION +RESULT +OBJECT +DETAIL$" &&
	grep -Fq "2027-03-31 23:59:" out &&
	grep -Fq "esc\\x1b[31m" out && grep -Fq "tab\\x09x" out &&
	! grep -q "$(printf "\033")" out
'

test_expect_success 'the table aligns kanji by display width' '
	TZ=Asia/Tokyo ls_ --format table --object 1234-5678 >out &&
	awk "NR > 1" out | cut -c1-60 | grep -c "  ok  " >n && test "$(cat n)" = 4
'

# cols FILE WORD...: the display column (east Asian wide characters two)
# where the first of the WORDs on each line of FILE starts, one a line.
cols() {
	python3 - "$@" <<-PY
	import re, sys, unicodedata
	w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
	pat = re.compile("|".join(r"(?<!\\S)" + re.escape(x) + r"(?!\\S)" for x in sys.argv[2:]))
	for l in open(sys.argv[1], encoding="utf-8").read().splitlines():
	    print(w(l[:pat.search(l).start()]))
	PY
}

test_expect_success 'under LC_ALL=C the table pads the log.s UTF-8 by display width: kanji two columns' '
	init_at k "2027-02-27 00:00:00" &&
	at_jst "2027-03-01 09:00" log-append -d k -t cs01 -u 佐藤 -a view -o 住民票 -r ok -m a 2>/dev/null &&
	at_jst "2027-03-01 09:01" log-append -d k -t cs01 -u suzuki -a print -o 1234 -r ok -m b 2>/dev/null &&
	at_jst "2027-03-01 09:02" log-append -d k -t cs01 -u 佐藤 -a view -o x -r ok -m c 2>/dev/null &&
	test "$LC_ALL" = C &&
	log-show -d k --format table --terminal cs01 >out 2>err && test ! -s err &&
	grep -q "佐藤" out && grep -q "住民票" out &&
	for w in "ACTION view print seal" "RESULT ok" "DETAIL a b c records=1 records=0"; do
		cols out $w >c && test "$(wc -l <c)" = 6 && test "$(sort -u c | wc -l)" = 1 || exit 1
	done &&
	LC_ALL=C.UTF-8 log-show -d k --format table --terminal cs01 >out.utf8 &&
	test_cmp out out.utf8
'

test_expect_success 'under LC_ALL=C the summary tables pad by display width too' '
	log-show -d k --summary operator --format table --terminal cs01 >out &&
	grep -q "^佐藤 " out && grep -q "^suzuki " out && grep -q "^total " out &&
	cols out COUNT 1 2 3 5 >c && test "$(wc -l <c)" = 5 && test "$(sort -u c | wc -l)" = 1 &&
	LC_ALL=C.UTF-8 log-show -d k --summary operator --format table --terminal cs01 >out.utf8 &&
	test_cmp out out.utf8
'

test_expect_success 'a summary table pads a control character by its escape, as the record table' '
	at_jst "2027-03-01 09:03" log-append -d k -t cs09 -u "$(printf "e\033x")" -a view -o y -r ok -m d 2>/dev/null &&
	log-show -d k --summary operator --format table --terminal cs09 >out &&
	grep -Fq "e\x1bx" out && ! grep -q "$(printf "\033")" out &&
	awk "{ match(\$0, /[^ ]+\$/); print RSTART }" out | sort -u >c && test "$(wc -l <c)" = 1
'

test_expect_success 'filters: operator, action, result, terminal exactly; object contains' '
	ls_ --operator tanaka | cut -d, -f4 | sort -u >out && printf "operator\ntanaka\n" >want && test_cmp want out &&
	test "$(ls_ --operator tanak | wc -l)" = 1 &&
	test "$(ls_ --action auth --result denied --terminal cs02 | wc -l)" = 2 &&
	test "$(ls_ --object 1234-5678 | wc -l)" = 5 &&
	test "$(ls_ --object 1234-5678 --operator sato | wc -l)" = 2
'

test_expect_success 'a resident in March, local dates: --until includes its whole day' '
	TZ=Asia/Tokyo ls_ --object 1234-5678 --since 2027-03-01 --until 2027-03-31 >out &&
	grep -e "住民票の写し、1通" -e ",sato,print," s/oplog.csv | cut -d, -f1 >want &&
	tail -n +2 out | cut -d, -f1 >got && test_cmp want got &&
	TZ=Asia/Tokyo ls_ --since 2027-03-31 --until 2027-03-31 --operator ito | grep -q ",ito," &&
	TZ=Asia/Tokyo ls_ --since 2027-04-01 --operator ito >out && test "$(wc -l <out)" = 1
'

test_expect_success 'times: "YYYY-MM-DD HH:MM" is a local minute, RFC 3339 an instant' '
	TZ=Asia/Tokyo ls_ --since "2027-03-01 09:30" --until "2027-03-01 09:30" >out &&
	test "$(wc -l <out)" = 2 && grep -q ",sato,print," out &&
	t=$(grep ",sato,print," s/oplog.csv | cut -d, -f2) &&
	ls_ --since "$t" --until "$t" | grep -q ",sato,print," &&
	ls_ --since "2027-03-01T09:30:00+09:00" --until "2027-03-01T00:30:01Z" | grep -q ",sato,print,"
'

# log-show(1) --until: records up to the end of TIME.  The end of the last
# day, minute or instant these tools handle (9999-12-31T23:59:59.999Z)
# lies past it: that is no upper limit, every record is shown, as a
# --since whose day starts before 0001-01-01T00:00Z is no lower one.
test_expect_success '--until at the top of the range: no upper limit' '
	ls_ --format raw >all &&
	for u in 9999-12-31 "9999-12-31 23:59" 9999-12-31T23:59:59.999Z \
	    9999-12-31T23:59:59.998Z; do
		TZ=UTC ls_ --until "$u" --format raw >out &&
		test_cmp all out || return 1
	done &&
	TZ=America/New_York ls_ --until 9999-12-31 --format raw >out &&
	test_cmp all out &&
	TZ=Asia/Tokyo ls_ --since 0001-01-01 --format raw >out &&
	test_cmp all out &&
	# the same instants written in RFC 3339 with an offset
	for t in 9999-12-31T23:00:00-01:00 9999-12-31T23:59:59.999-00:01; do
		ls_ --until "$t" --format raw >out &&
		test_cmp all out || return 1
	done &&
	ls_ --since 0001-01-01T00:30:00+01:00 --format raw >out &&
	test_cmp all out &&
	ls_ --until 0001-01-01T00:30:00+01:00 --format raw >out &&
	head -1 all >hdr && test_cmp hdr out
'

# A start past that last instant (a local minute or day that ends in year
# 10000 west of UTC): every record is before it, so none is shown.
# The log writes milliseconds; a bound with finer digits is an instant
# inside one: --since keeps the records at or after it (the next
# millisecond on), --until those at or before it.
test_expect_success '--since finer than a millisecond: the record of the millisecond before it is not shown' '
	t=$(grep ",before March," s/oplog.csv | cut -d, -f2) && b=${t%Z} &&
	test "$(ls_ --since "${b}5Z" --format raw | grep -c ",before March,")" = 0 &&
	test "$(ls_ --since "${b}000001Z" --format raw | grep -c ",before March,")" = 0 &&
	test "$(ls_ --since "${b}0Z" --format raw | grep -c ",before March,")" = 1 &&
	test "$(ls_ --since "${b}000000Z" --format raw | grep -c ",before March,")" = 1 &&
	test "$(ls_ --until "${b}5Z" --format raw | grep -c ",before March,")" = 1 &&
	test "$(ls_ --since "${b}5+00:00" --format raw | grep -c ",before March,")" = 0
'

test_expect_success '--since after the last instant: no record, the header row alone' '
	ls_ --format raw | head -1 >hdr &&
	TZ=America/New_York ls_ --since "9999-12-31 23:59" --format raw >out &&
	test_cmp hdr out &&
	TZ=America/New_York ls_ --since 9999-12-31 --summary day >out &&
	echo day,count >want && test_cmp want out &&
	TZ=UTC ls_ --since 9999-12-31T23:59:59.999Z --format raw >out &&
	test_cmp hdr out &&
	ls_ --since 9999-12-31T23:59:59.999-01:00 --format raw >out &&
	test_cmp hdr out &&
	ls_ --since 9999-12-31T23:30:00-00:30 --summary day >out &&
	echo day,count >want && test_cmp want out &&
	test_must_fail 2 ls_ --since 10000-01-01T00:00:00Z 2>err &&
	grep -q "not a time" err
'

test_expect_success 'summaries in every format, combined with filters' '
	ls_ --summary operator >out && printf "operator,count\n-,%s\nito,1\nsato,2\ntanaka,3\n" \
	    "$(grep -c ",-," s/oplog.csv)" >want && test_cmp want out &&
	ls_ --summary result --action view --format json >out &&
	printf "{\"result\":\"ok\",\"count\":4}\n" >want && test_cmp want out &&
	ls_ --summary terminal --action view --format raw >out &&
	printf "3 cs01\n1 cs02\n" >want && test_cmp want out &&
	ls_ --summary action --operator sato --format table >out &&
	printf "ACTION  COUNT\nauth    1\nprint   1\ntotal   2\n" >want && test_cmp want out
'

# The column is as wide as its widest cell, the word "total" among them:
# no day matched is still a table, not "total0".
test_expect_success 'a table summary with no row keeps its total apart' '
	ls_ --summary day --operator nobody --format table >out &&
	printf "DAY    COUNT\ntotal  0\n" >want && test_cmp want out
'

# --summary with --cursor-file: each run counts what came since the last,
# and moves the cursor past what it counted (it stayed where it was, so
# every run counted the same records again); with -k never past what
# verified.
test_expect_success 'a summary with a cursor counts what came since, and moves the cursor' '
	print=$(($(grep -n ",sato,print," s/oplog.csv | cut -d: -f1) - 2)) &&
	auth=$(($(grep -n ",sato,auth," s/oplog.csv | cut -d: -f1) - 2)) &&
	printf "seq=%s\n" $((print - 1)) >sum.cur &&
	ls_ --summary action --operator sato --cursor-file "$TMP/sum.cur" >out &&
	printf "action,count\nauth,1\nprint,1\n" >want && test_cmp want out &&
	printf "seq=%s\n" "$auth" >want && test_cmp want sum.cur &&
	ls_ --summary action --operator sato --cursor-file "$TMP/sum.cur" >out &&
	printf "action,count\n" >want && test_cmp want out &&
	printf "seq=%s\n" "$auth" >want && test_cmp want sum.cur &&
	printf "seq=%s\n" $((last - 1)) >sum.cur &&
	ls_ --summary operator --cursor-file "$TMP/sum.cur" >out &&
	printf "operator,count\ntanaka,1\n" >want && test_cmp want out &&
	printf "seq=%s\n" "$last" >want && test_cmp want sum.cur &&
	printf "seq=%s\n" $((print - 1)) >sum.cur &&
	ls_ -k s.key --now 2027-04-01T00:00:00Z --summary action --operator sato \
	    --cursor-file "$TMP/sum.cur" >out &&
	printf "action,count\nauth,1\nprint,1\n" >want && test_cmp want out &&
	printf "seq=%s\n" "$auth" >want && test_cmp want sum.cur
'

test_expect_success 'the day summary counts local days' '
	TZ=Asia/Tokyo ls_ --summary day --operator tanaka >out &&
	printf "day,count\n2027-02-28,1\n2027-03-01,1\n2027-04-01,1\n" >want && test_cmp want out &&
	TZ=UTC ls_ --summary day --operator tanaka >out &&
	printf "day,count\n2027-02-28,2\n2027-03-31,1\n" >want && test_cmp want out
'

test_expect_success '-k: the same records, verified; a summary too' '
	ls_ -k s.key --now 2027-04-01T00:00:00Z --operator tanaka >out &&
	ls_ --operator tanaka >want && test_cmp want out &&
	ls_ -k s.key --now 2027-04-01T00:00:00Z --summary operator >out &&
	ls_ --summary operator >want && test_cmp want out
'

test_expect_success '-k: at the first bad record it stops, names it, exits 1' '
	cp -a s bad && sed -i "s/copy, \"\"2\"\" pages/copy, \"\"3\"\" pages/" bad/oplog.csv &&
	! cmp -s s/oplog.csv bad/oplog.csv &&
	bad=$(grep -n ",sato,print," bad/oplog.csv | cut -d: -f1) &&
	seq=$(grep ",sato,print," bad/oplog.csv | cut -d, -f1) &&
	test_must_fail 1 log-show -d bad -k s.key --now 2027-04-01T00:00:00Z >out 2>err &&
	one_line_matching err "^log-show: oplog.csv:$bad: seq $seq: MAC mismatch" &&
	test "$(tail -n 1 out | cut -d, -f1)" = $((seq - 1)) &&
	test_must_fail 1 log-show -d bad -k s.key --now 2027-04-01T00:00:00Z --summary operator >out 2>err &&
	test ! -s out &&
	log-show -d bad --operator sato | grep -q "3"
'

test_expect_success '-k: the heading comes with the first record shown, or once the chain verified: none before a failure' '
	for f in csv raw table json; do
		test_must_fail 1 log-show -d bad -k s.key --now 2027-04-01T00:00:00Z \
		    --operator sato --action print --format $f >out 2>err &&
		one_line_matching err "MAC mismatch" && test ! -s out || return 1
	done &&
	ls_ -k s.key --now 2027-04-01T00:00:00Z --operator nobody >out &&
	head -n 1 s/oplog.csv >want && test_cmp want out &&
	ls_ -k s.key --now 2027-04-01T00:00:00Z --operator nobody --format raw >out &&
	test_cmp want out &&
	ls_ -k s.key --now 2027-04-01T00:00:00Z --operator nobody --format table >out &&
	test "$(wc -l <out)" = 1 && grep -q "^SEQ  *TIME" out &&
	ls_ -k s.key --now 2027-04-01T00:00:00Z --operator nobody --format json >out &&
	test ! -s out
'

test_expect_success '-k: a cut tail fails against the head, after the records' '
	cp -a s cut && head -n -1 s/oplog.csv >cut/oplog.csv &&
	test_must_fail 1 log-show -d cut -k s.key --now 2027-04-01T00:00:00Z >out 2>err &&
	grep -q "tail truncated" err
'

# batch N: N lines for log-append --stdin, 40 operators in turn.
batch() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "clerk%02d,view,resident/%d,ok,a detail of about thirty bytes %d\n", i % 40, i, i }'
}
BT=2027-04-02T02:00:00Z
# shows NAME DIR ARGS...: log-show -k of state directory DIR in the
# background (pid in NAME.pid; NAME.out, NAME.err, NAME.st when it ends),
# without the FIFO's write end, which would keep the writer waiting.
shows() {
	_n=$1 _d=$2; shift 2
	(log-show -d "$TMP/$_d" -k $_d.key --now $BT "$@" >$_n.out 2>$_n.err 9>&- &
	    echo $! >$_n.pid; wait $!; echo $? >$_n.st) 9>&- &
}
# writer TIME: log-append --stdin from the FIFO at TIME, in this process
# (exec), so that its pid is the writer's.
writer() {
	LD_PRELOAD=$FT_LIB FAKETIME="@$1" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    exec log-append -d "$TMP/bat" -t cs01 --stdin <fifo 2>writer.err
}
# at_lock PID: PID waits on the log lock (opened only to look under it),
# or has ended.
at_lock() {
	ls -l /proc/$1/fd 2>/dev/null | grep -q "/oplog.lock\$" ||
	    ! test -e /proc/$1/fd/0
}

# A large batch in flight after 4 MiB of records: its writer holds the log
# lock, its open head written and its first MiB in oplog.csv, and waits on
# the FIFO for the rest.  log-show -k finds records after the open head,
# looks under the lock as log-verify does, waits there for the writer, and
# verifies again: every record once, exit 0, no false alarm; with a filter
# (a block per core) and a summary too.
test_expect_success '-k while a large batch is appended: it waits on the log lock, then shows every record once, exit 0' '
	init_at bat "2027-04-02 00:00:00" &&
	sed -i "s/^lock_timeout_ms = .*/lock_timeout_ms = 60000/" bat/jukisec.conf &&
	batch 30000 | at "2027-04-02 00:30:00" log-append -d bat -t cs01 --stdin 2>/dev/null &&
	size=$(wc -c <bat/oplog.csv) && mkfifo fifo &&
	{ writer "2027-04-02 01:00:00" & echo $! >writer.pid; } &&
	exec 9>fifo && batch 60000 >&9 &&
	grep -q "jukisec-log-head v2 open " bat/oplog.head &&
	test "$(wc -c <bat/oplog.csv)" -gt $((size + 1048576)) &&
	shows all bat --format raw && shows one bat --operator clerk07 &&
	shows sum bat --summary operator &&
	wait_for test -s all.pid && wait_for test -s one.pid && wait_for test -s sum.pid &&
	wait_for at_lock "$(cat all.pid)" && wait_for at_lock "$(cat one.pid)" &&
	wait_for at_lock "$(cat sum.pid)" &&
	exec 9>&- && wait "$(cat writer.pid)" &&
	wait_for test -s all.st && wait_for test -s one.st && wait_for test -s sum.st &&
	cat all.err one.err sum.err >&2 &&
	test "$(cat all.st)$(cat one.st)$(cat sum.st)" = 000 &&
	test ! -s all.err && test ! -s one.err && test ! -s sum.err &&
	test "$(wc -l <bat/oplog.csv)" -gt 60000 && cmp bat/oplog.csv all.out &&
	log-show -d bat --operator clerk07 >want && test_cmp want one.out &&
	test "$(wc -l <one.out)" -eq 2251 &&
	log-show -d bat --summary operator >want && test_cmp want sum.out
'

# A writer killed after its open head: the failure stands under the lock,
# named as log-verify names it; the records before the head shown once.
test_expect_success '-k after a batch whose writer was killed: exit 1, the records after the open head named' '
	seq=$(tail -n 1 bat/oplog.csv | cut -d, -f1) && line=$(($(wc -l <bat/oplog.csv) + 1)) &&
	cp bat/oplog.csv before.csv &&
	{ writer "2027-04-02 01:30:00" & echo $! >writer.pid; } &&
	exec 9>fifo && batch 60000 >&9 &&
	test "$(wc -c <bat/oplog.csv)" -gt $(($(wc -c <before.csv) + 1048576)) &&
	kill -9 "$(cat writer.pid)" && { wait "$(cat writer.pid)"; exec 9>&-; } ;
	grep -q "jukisec-log-head v2 open " bat/oplog.head &&
	test_must_fail 1 log-show -d bat -k bat.key --now $BT --format raw >out 2>err &&
	one_line_matching err "^log-show: oplog.csv:$line: seq $((seq + 1)): after an open head: an unfinished append \(the next append removes it and logs a repair\)\$" &&
	cmp before.csv out &&
	test_must_fail 1 log-show -d bat -k bat.key --now $BT --operator clerk07 >out 2>err &&
	one_line_matching err "^log-show: oplog.csv:$line: seq $((seq + 1)): after an open head" &&
	log-show -d bat --operator clerk07 >want && test_cmp want out &&
	test_must_fail 1 log-verify -d bat -k bat.key --now $BT 2>err &&
	one_line_matching err "^log-verify: oplog.csv:$line: seq $((seq + 1)): after an open head"
'

# While log-show waits on the lock after a torn tail, the log is put back
# from another copy (same key, other records from seq 2 on): the record it
# showed last is not there again, so what it showed stands alone, once, and
# the failure it found is reported; nothing of the other copy is shown.
test_expect_success '-k: a log replaced while it waited on the lock: what it showed stands alone, with its failure' '
	init_at div "2027-04-02 00:00:00" &&
	sed -i "s/^lock_timeout_ms = .*/lock_timeout_ms = 60000/" div/jukisec.conf &&
	at "2027-04-02 00:10:00" log-append -d div -t cs01 -u clerk01 -a view 2>/dev/null &&
	cp -a div prefix &&
	for i in 1 2 3; do
		at "2027-04-02 00:2$i:00" log-append -d div -t cs01 -u clerk01 -a shown 2>/dev/null || exit 1
	done &&
	mv div a && cp -a prefix div &&
	for i in 1 2 3 4 5; do
		at "2027-04-02 00:3$i:00" log-append -d div -t cs01 -u clerk02 -a other 2>/dev/null || exit 1
	done &&
	mv div b && cp -a a div && printf "5,2027" >>div/oplog.csv &&
	{ (flock 9 && : >held && exec sleep 60) 9>>div/oplog.lock & echo $! >holder.pid; } &&
	wait_for test -e held && shows div div --format raw &&
	wait_for test -s div.pid && wait_for at_lock "$(cat div.pid)" &&
	cat b/oplog.csv >div/oplog.csv && cat b/oplog.head >div/oplog.head &&
	kill "$(cat holder.pid)" && wait_for test -s div.st &&
	test "$(cat div.st)" = 1 &&
	one_line_matching div.err "^log-show: oplog.csv:[0-9][0-9]*: 6 bytes after the last record: an unfinished append" &&
	cmp a/oplog.csv div.out
'

# A head left behind by a power loss (seq 1, seq 2 after it) and a torn
# append after that: log-show -k, which shows records up to the head only,
# looks under the lock as for any failure after the head; the writer
# meanwhile takes seq 2 in and commits seq 3: verified again, the records
# after the ones shown are shown, each once, exit 0.
test_expect_success '-k: a head left behind and a torn append after it: the lock, then every record once' '
	kill "$(cat holder.pid)" 2>/dev/null;
	init_at hb "2027-04-02 00:00:00" &&
	sed -i "s/^lock_timeout_ms = .*/lock_timeout_ms = 60000/" hb/jukisec.conf &&
	at "2027-04-02 00:10:00" log-append -d hb -t cs01 -u clerk01 -a view 2>/dev/null &&
	cp hb/oplog.head h.old &&
	at "2027-04-02 00:20:00" log-append -d hb -t cs01 -u clerk01 -a behind 2>/dev/null &&
	cp h.old hb/oplog.head && cp -a hb hb.next &&
	at "2027-04-02 00:30:00" log-append -d hb.next -t cs01 -u clerk01 -a next 2>/dev/null &&
	printf "3,2027" >>hb/oplog.csv && rm -f held &&
	{ (flock 9 && : >held && exec sleep 60) 9>>hb/oplog.lock & echo $! >holder.pid; } &&
	wait_for test -e held && shows hb hb --format raw --cursor-file "$TMP/hb.cur" &&
	wait_for test -s hb.pid && wait_for at_lock "$(cat hb.pid)" &&
	cat hb.next/oplog.csv >hb/oplog.csv && cat hb.next/oplog.head >hb/oplog.head &&
	kill "$(cat holder.pid)" && wait_for test -s hb.st &&
	test "$(cat hb.st)" = 0 && test ! -s hb.err &&
	cmp hb/oplog.csv hb.out && test "$(cat hb.cur)" = seq=3
'

test_expect_success '-k: a failure after the head with the log lock held past lock_timeout_ms: exit 3, the lock named' '
	kill "$(cat holder.pid)" 2>/dev/null; printf "7,2027" >>div/oplog.csv &&
	sed -i "s/^lock_timeout_ms = .*/lock_timeout_ms = 300/" div/jukisec.conf && rm -f held &&
	{ (flock 9 && : >held && exec sleep 60) 9>>div/oplog.lock & echo $! >holder.pid; } &&
	wait_for test -e held &&
	test_must_fail 3 log-show -d "$TMP/div" -k div.key --now $BT --format raw >out 2>err &&
	kill "$(cat holder.pid)" &&
	one_line_matching err "^log-show: lock timeout: $TMP/div/oplog.lock\$" &&
	cmp b/oplog.csv out
'

test_expect_success 'without -k: a record with an empty operator is malformed (exit 1, named)' '
	cp -a s empty &&
	line=$(grep -n ",sato,print," empty/oplog.csv | head -n 1 | cut -d: -f1) &&
	seq=$(sed -n "${line}p" empty/oplog.csv | cut -d, -f1) &&
	sed -i "${line}s/,sato,print,/,,print,/" empty/oplog.csv &&
	test_must_fail 1 log-show -d empty >out 2>err &&
	one_line_matching err "^log-show: oplog.csv:$line: seq $seq: field operator: empty\$" &&
	test "$(tail -n 1 out | cut -d, -f1)" = $((seq - 1))
'

# In the live log only line 1 is a header row (jukisec-log(5)); a later
# one does not parse, as log-verify and the writers take it, and raw
# output would otherwise leave it out: a log that verifies no more would
# come out as one that does.
test_expect_success 'without -k: a second header row in the live log is malformed (exit 1, named)' '
	cp -a s hdr2 &&
	{ head -n 2 s/oplog.csv; head -n 1 s/oplog.csv; tail -n +3 s/oplog.csv; } >hdr2/oplog.csv &&
	seq=$(sed -n 2p s/oplog.csv | cut -d, -f1) &&
	test_must_fail 1 log-show -d hdr2 >out 2>err &&
	one_line_matching err "^log-show: oplog.csv:3: field seq: " &&
	test "$(tail -n 1 out | cut -d, -f1)" = "$seq" &&
	test_must_fail 1 log-show -d hdr2 --format raw >out 2>err &&
	one_line_matching err "^log-show: oplog.csv:3: field seq: " &&
	test_must_fail 1 log-verify -d hdr2 -k s.key --now 2027-04-01T00:00:00Z 2>err &&
	one_line_matching err "^log-verify: oplog.csv:3: field seq: "
'

test_expect_success 'without -k: a garbled head is damage (exit 1), one that cannot be opened exit 3' '
	cp -a s garbled && truncate -s 512 garbled/oplog.head &&
	test_must_fail 1 log-show -d garbled >out 2>err &&
	one_line_matching err "^log-show: garbled/oplog.head: " && test ! -s out &&
	rm garbled/oplog.head &&
	test_must_fail 3 log-show -d garbled >out 2>err &&
	one_line_matching err "^log-show: garbled/oplog.head: No such file or directory\$"
'

test_expect_success '-k: an oplog.key every writer refuses stops it before any record (exit 3)' '
	cp -a s unsafe && chmod 640 unsafe/oplog.key &&
	test_must_fail 3 log-show -d unsafe -k s.key --now 2027-04-01T00:00:00Z >out 2>err &&
	one_line_matching err "^log-show: oplog.key: readable by group or others; chmod 600 it$" &&
	test ! -s out &&
	test_must_fail 3 log-verify -d unsafe -k s.key --now 2027-04-01T00:00:00Z >out 2>err &&
	one_line_matching err "^log-verify: oplog.key: readable by group or others; chmod 600 it$" &&
	chmod 600 unsafe/oplog.key && mv unsafe/oplog.key key.real &&
	ln -s "$PWD/key.real" unsafe/oplog.key &&
	test_must_fail 3 log-show -d unsafe -k s.key --now 2027-04-01T00:00:00Z >out 2>err &&
	one_line_matching err "^log-show: oplog.key: a symbolic link: refused$" &&
	test ! -s out
'

# log-show -k verifies by the rules of log-verify(1): oplog.csv or
# oplog.head planted (a link, a FIFO, open to others) is what someone who
# could write the state directory left, a log that does not verify (1),
# with log-verify's line; never 3, which a cron job reads as "try again".
test_expect_success '-k: oplog.csv or oplog.head planted: 1 and the line log-verify gives, no record' '
	for p in "chmod 666 planted/oplog.csv" "chmod 666 planted/oplog.head" \
	    "mv planted/oplog.csv log.real && ln -s \"$PWD/log.real\" planted/oplog.csv" \
	    "rm planted/oplog.csv && mkfifo -m 600 planted/oplog.csv" \
	    "mv planted/oplog.head head.real && ln -s \"$PWD/head.real\" planted/oplog.head"; do
		rm -rf planted && cp -a s planted && eval "$p" &&
		{ timeout 10 log-verify -d planted -k s.key --now 2027-04-01T00:00:00Z >out 2>want.err; vst=$?; } &&
		{ timeout 10 log-show -d planted -k s.key --now 2027-04-01T00:00:00Z >out 2>err; st=$?; } &&
		{ test "$vst $st" = "1 1" || { echo "$p: log-verify $vst, log-show $st" >&2; return 1; }; } &&
		test ! -s out && grep -q "refused\$" want.err &&
		sed -i "s/^log-verify:/log-show:/" want.err && test_cmp want.err err || return 1
	done
'

test_expect_success '--now with -k: the unsealed epochs of the live log, and records dated after it' '
	test_must_fail 1 ls_ -k s.key --now 2027-06-01T00:00:00Z >out 2>err &&
	one_line_matching err "oplog.csv: epochs [0-9]+ to [0-9]+ unsealed" &&
	cp s/oplog.csv plain.csv &&
	log-show -k s.key --now 2027-06-01T00:00:00Z plain.csv >out 2>err &&
	test ! -s err && test_cmp s/oplog.csv out &&
	JUKISEC_DIR= log-show -k s.key --now 2027-06-01T00:00:00Z plain.csv >out 2>err &&
	test ! -s err && test_cmp s/oplog.csv out &&
	test_must_fail 1 env JUKISEC_DIR= log-show -k s.key --now 2027-06-01T00:00:00Z \
	    s/oplog.csv >out 2>err &&
	one_line_matching err "oplog.csv: epochs [0-9]+ to [0-9]+ unsealed" &&
	first=$(grep -n ",sato,print," s/oplog.csv | cut -d: -f1) &&
	test_must_fail 1 ls_ -k s.key --now 2027-02-28T23:00:00Z >out 2>err &&
	one_line_matching err "dated after the verification time 2027-02-28T23:00:00.000Z" &&
	test_must_fail 1 log-show -k s.key --now 2027-02-28T23:00:00Z s/oplog.csv >out 2>err &&
	one_line_matching err "^log-show: .*oplog.csv:[0-9]+: seq [0-9]+: dated after the verification time 2027-02-28T23:00:00.000Z" &&
	test "$(wc -l <out)" -lt "$first" &&
	ls_ --now 2020-01-01T00:00:00Z >out && test_cmp s/oplog.csv out
'

test_expect_success 'files: archive and log as one chain, standard input as -, a copy' '
	prune "2028-06-01 00:00:00" --archive "$TMP/arch.csv" &&
	log-show -k s.key --now 2028-06-01T00:00:00Z --object 1234-5678 arch.csv s/oplog.csv >chain &&
	test "$(wc -l <chain)" = 5 &&
	log-show -k s.key --now 2028-06-01T00:00:00Z --object 1234-5678 - s/oplog.csv <arch.csv >stdin &&
	test_cmp chain stdin &&
	{ tail -n +2 arch.csv; tail -n +2 s/oplog.csv; } >copy &&
	log-show -k s.key --now 2028-06-01T00:00:00Z --object 1234-5678 copy >fromcopy &&
	test_cmp chain fromcopy
'

# Without -k a copy's format is its genesis's: one starting after seq 0
# is shown raw as it is, without a header row naming a format it may
# not be in (log-verify finds it).
# Raw output of such a copy gets no header row, -k or not: with one,
# log-verify would take it for a pruned log whose first record no
# checkpoint explains (that record withheld); without, it verifies again
# as the copy it is, from the record after.
test_expect_success '-k on a copy starting after seq 0: its first record withheld, said on stderr; raw, -k or not, no header row' '
	tail -n +5 s/oplog.csv >copy2 &&
	seq=$(head -n 1 copy2 | cut -d, -f1) && test "$seq" -gt 0 &&
	log-show -k s.key --now 2028-06-01T00:00:00Z --format raw copy2 >out 2>err &&
	one_line_matching err "^log-show: seq $seq: the copy starts here; that record cannot be verified and is not shown\$" &&
	tail -n +2 copy2 >want && test_cmp want out &&
	log-verify -k s.key --now 2028-06-01T00:00:00Z out >v &&
	grep -q "a copy starting at seq $((seq + 1))" v &&
	cat copy2 | log-show -k s.key --now 2028-06-01T00:00:00Z --format raw - >out 2>err &&
	test_cmp want out &&
	log-show -k s.key --now 2028-06-01T00:00:00Z --summary operator copy2 >out 2>err &&
	one_line_matching err "copy starts here" &&
	tail -n +2 copy2 | cut -d, -f4 | sort | uniq -c | awk "{ print \$2 \",\" \$1 }" >w &&
	{ echo operator,count; cat w; } >want && test_cmp want out &&
	log-show --format raw copy2 >out 2>err && test ! -s err && test_cmp copy2 out &&
	tail -n +2 arch.csv >copy0 && log-show --format raw copy0 >out &&
	{ head -n 1 arch.csv; cat copy0; } >want && test_cmp want out
'

# Standard input is not read ahead (a pipe cannot be): its first line
# decides, as it streams, what a file's first line decides.
test_expect_success 'a copy on standard input, piped: its format as a file'"'"'s, raw as it was' '
	for f in copy0 copy2; do
		for fmt in csv json raw table; do
			log-show --format $fmt $f >want 2>err && test ! -s err &&
			cat $f | log-show --format $fmt - >out 2>err && test ! -s err &&
			test_cmp want out || exit 1
		done
	done &&
	cat copy0 | log-show - | head -n 1 >out && echo "$LOG_HEADER" >want && test_cmp want out &&
	cat copy0 | log-show --operator nobody - >out && test_cmp want out &&
	cat copy0 | log-show --format raw - >raw.csv &&
	log-verify -k s.key --now 2028-06-01T00:00:00Z raw.csv >/dev/null &&
	cat copy2 | log-show --format raw - >out && test_cmp copy2 out
'

test_expect_success '-k on a pruned live log: its first record checked against the checkpoint ahead' '
	ls_ -k s.key --now 2028-06-01T00:00:00Z --format raw >out &&
	cmp out s/oplog.csv &&
	cp -a s p2 && sed -i "2s/[0-9a-f]\$/x/; 2s/x\$/$(sed -n 2p s/oplog.csv | grep -q "0\$" && echo 1 || echo 0)/" p2/oplog.csv &&
	! cmp -s s/oplog.csv p2/oplog.csv &&
	test_must_fail 1 log-show -d p2 -k s.key --now 2028-06-01T00:00:00Z >out 2>err &&
	test "$(wc -l <out)" -le 1 && grep -q "MAC mismatch" err
'

test_expect_success 'unverified output to a terminal says so once; to a pipe not' '
	python3 "$SRCDIR/tests/ptyrun.py" -- log-show -d "$TMP/s" --operator nobody >tty &&
	grep -c "unverified" tty >n && test "$(cat n)" = 1 &&
	python3 "$SRCDIR/tests/ptyrun.py" -- log-show -d "$TMP/s" -k "$TMP/s.key" \
	    --now 2028-06-01T00:00:00Z --operator nobody >tty &&
	! grep -q "unverified" tty &&
	ls_ --operator nobody 2>err >/dev/null && test ! -s err
'

# A FIFO named as FILE (a decompressing pipeline's) is read once, as a
# stream, like standard input: opened once more only to learn its format,
# it let its waiting writer go on, and what that wrote before the second
# open was lost while the second open waited for ever.
test_expect_success 'a FIFO given as FILE: read once, whole, never waited on for ever' '
	mkfifo ff && i=0 &&
	while [ $i -lt 12 ]; do
		{ cat s/oplog.csv >ff 2>/dev/null & cp=$!; } &&
		sleep 0.05 &&
		{ timeout 10 log-show ff --format raw >fo 2>fe; echo $? >frc; } &&
		{ kill $cp 2>/dev/null; wait $cp; true; } &&
		test "$(cat frc)" = 0 && cmp s/oplog.csv fo && test ! -s fe ||
		{ echo "run $i: exit $(cat frc)" >&2; cat fe >&2; exit 1; }
		i=$((i + 1))
	done &&
	{ cat s/oplog.csv >ff & } && ls_ --format json ff >fj && wait &&
	ls_ --format json >want.json && test_cmp want.json fj
'

test_expect_success 'usage errors exit 2 with one line' '
	test_must_fail 2 ls_ --format xml 2>err && grep -q "^log-show: --format" err &&
	test_must_fail 2 ls_ --summary month 2>err && grep -q "^log-show: --summary" err &&
	test_must_fail 2 ls_ --since 2027-13-01 2>err && grep -q "^log-show: --since: not a time" err &&
	test_must_fail 2 ls_ --until "2027-03-01 24:00" 2>err &&
	test_must_fail 2 ls_ --since 03/01/2027 2>err &&
	test_must_fail 2 ls_ --operator a --operator b 2>err && grep -q "given twice" err &&
	test_must_fail 2 ls_ --since 2027-03-01 --since 2027-03-02 2>err &&
	grep -q "^log-show: --since given twice" err &&
	test_must_fail 2 ls_ --until 2027-03-01 --until 2027-03-02 2>err &&
	grep -q "^log-show: --until given twice" err &&
	test_must_fail 2 log-show -k s.key - <s.key 2>err - &&
	grep -qx "log-show: standard input (-) given twice" err &&
	test_must_fail 2 log-show - - <s/oplog.csv 2>err &&
	grep -qx "log-show: standard input (-) given twice" err &&
	for live in --follow "--cursor-file $TMP/c.cursor" "--follow --cursor-file $TMP/c.cursor"; do
		test_must_fail 2 ls_ $live arch.csv 2>err || exit 1
		head -n 1 err | grep -qx "log-show: --follow and --cursor-file read the live log, not files" &&
		grep -q "^usage: log-show" err || exit 1
	done && test ! -e c.cursor &&
	test_must_fail 2 ls_ --summary day --follow 2>err &&
	grep -q "^log-show: --summary counts to the end" err &&
	test_must_fail 2 ls_ --summary day --syslog 2>err &&
	grep -q "^log-show: --summary counts to the end" err &&
	test_must_fail 2 ls_ --syslog --format json 2>err &&
	test_must_fail 2 ls_ --cursor-file "$TMP/s/cursor" 2>err &&
	grep -q "inside the state directory" err && test ! -e s/cursor &&
	test_must_fail 2 ls_ --bogus 2>err
'

test_expect_success 'a missing file, a missing key, a key that is no regular file: exit 3; a damaged line: exit 1 naming it' '
	test_must_fail 3 log-show nonexistent.csv 2>err &&
	test_must_fail 3 ls_ -k nokey 2>err &&
	mkfifo kfifo && test_must_fail 3 timeout 10 log-show -d "$TMP/s" -k kfifo 2>err &&
	one_line_matching err "^log-show: kfifo: not a regular file: refused$" &&
	ln -s s.key klink && test_must_fail 3 ls_ -k klink 2>err &&
	one_line_matching err "^log-show: klink: a symbolic link: refused$" &&
	cat s.key | ls_ -k - --now 2028-06-01T00:00:00Z --format raw >out &&
	test -s out &&
	{ head -n 2 s/oplog.csv; echo "9,broken"; } >dam.csv &&
	test_must_fail 1 log-show dam.csv >/dev/null 2>err &&
	one_line_matching err "^log-show: dam.csv:3: "
'

test_expect_success 'a full disk: the output fails with exit 3' '
	if [ -w /dev/full ]; then test_must_fail 3 ls_ >/dev/full 2>err; fi
'

test_expect_success 'usage is the SYNOPSIS of log-show(1); the page is lint clean' '
	log-show -h | sed "/^\$/,\$d; s/^usage: //" | tr -s " \t\n" " " | sed "s/ \$//" >u &&
	MANWIDTH=200 mandoc -Tascii "$SRCDIR/man/log-show.1" | col -b |
	    sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" | sed "1d;\$d" |
	    tr -s " \t\n" " " | sed "s/^ //; s/ \$//" >m &&
	echo >>u && echo >>m && test_cmp u m &&
	mandoc -Tlint -W warning "$SRCDIR/man/log-show.1" >lint 2>&1; test ! -s lint
'

# A local time that comes twice (Europe/Berlin, 2027-10-31: 02:00-02:59
# CEST, then again CET) is its first occurrence, for --since and --until
# alike; --until ends with the first of the two minutes.  mktime's own
# pick (tm_isdst -1) was the second for some times, and --until took the
# next minute's, which lies past the fold.  The same in New York, where
# 01:00-01:59 comes twice on 2027-11-07.
init_at f "2027-10-30 00:00:00"
for t in "2027-10-31 00:30:30" "2027-10-31 01:30:30" "2027-10-31 02:30:30" \
    "2027-11-07 05:30:30" "2027-11-07 06:30:30"; do
	at "$t" log-append -d f -t cs01 -u clerk01 -a view -o x -r ok -m "$t" || exit 1
done
test_expect_success 'a local time that comes twice is its first occurrence' '
	fold() { _z=$1; shift; TZ=$_z log-show -d "$TMP/f" --action view "$@" |
	    cut -d, -f8 | sed 1d | tr "\n" " "; } &&
	test "$(fold Europe/Berlin --until "2027-10-31 02:30")" = "2027-10-31 00:30:30 " &&
	test "$(fold Europe/Berlin --since "2027-10-31 02:30" --until "2027-10-31 02:59")" = "2027-10-31 00:30:30 " &&
	test "$(fold Europe/Berlin --since "2027-10-31 02:00" --until 2027-10-31)" = "2027-10-31 00:30:30 2027-10-31 01:30:30 2027-10-31 02:30:30 " &&
	test "$(fold America/New_York --since 2027-11-07 --until "2027-11-07 01:59")" = "2027-11-07 05:30:30 " &&
	test "$(fold America/New_York --since "2027-11-07 01:30")" = "2027-11-07 05:30:30 2027-11-07 06:30:30 "
'

test_done
