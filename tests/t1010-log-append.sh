#!/bin/sh
# log-append: one record from options, a batch from standard input (whole
# or nothing, bad lines named), seals from --seal; bad input refused.
. "$(dirname "$0")/lib.sh"

at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/s" -t cs01 >key 2>/dev/null
chmod 600 key
la() { log-append -d "$TMP/s" -t cs01 "$@"; }
lines() { wc -l <s/oplog.csv; }
verify() { log-verify -d "$TMP/s" -k key --now "${1:-2026-01-01T12:00:00Z}" >vout; }

test_expect_success 'one record from options' '
	at 2026-01-01T09:00:00Z la -u tanaka -a print -o juminhyo -r ok -m "copy, 1 page" &&
	grep -Eqx "1,2026-01-01T09:00:00.000Z,cs01,tanaka,print,juminhyo,ok,\"copy, 1 page\",0,[0-9a-f]{64}" s/oplog.csv &&
	verify && grep -q "^ok: 2 records" vout
'

test_expect_success 'object, result and detail may be empty' '
	at 2026-01-01T09:01:00Z la -u tanaka -a logout &&
	grep -Eq "^2,2026-01-01T09:01:00.000Z,cs01,tanaka,logout,,,,0," s/oplog.csv
'

test_expect_success 'a batch from standard input, with quoting and = + - @ verbatim' '
	printf "%s\n" "sato,view,x,ok,\"a,b\"" "suzuki,print,,ok,=1+2" \
	    "ito,export,@SUM(A1),ok,+cmd" "kato,note,-2,ok,\"say \"\"hi\"\"\"" |
	    at 2026-01-01T10:00:00Z la --stdin &&
	test "$(lines)" -eq 8 &&
	grep -q ",suzuki,print,,ok,=1+2,0," s/oplog.csv &&
	grep -q ",ito,export,@SUM(A1),ok,+cmd,0," s/oplog.csv &&
	grep -q ",kato,note,-2,ok,\"say \"\"hi\"\"\",0," s/oplog.csv &&
	verify
'

test_expect_success 'clock stepped back: time clamped to the last record' '
	at 2026-01-01T08:00:00Z la -u tanaka -a late &&
	tail -1 s/oplog.csv | grep -q "^7,2026-01-01T10:00:00.000Z," &&
	verify
'

# A refused batch leaves both files byte for byte as they were: the log,
# and the head, whose other slot a batch past the read-ahead overwrote
# with its open head before its first write.
batch_refused() {
	cp s/oplog.csv before.csv && cp s/oplog.head before.head &&
	test_must_fail 2 la --stdin <in 2>err &&
	one_line_matching err "$1" &&
	cmp before.csv s/oplog.csv && cmp before.head s/oplog.head
}

test_expect_success 'a bad line refuses the whole batch, naming line and field (long field)' '
	{ echo "a,b,c,d,e"; echo "a,b,c,d,e"; printf "%065d,act,,,\n" 0; } >in &&
	batch_refused "^log-append: <stdin>:3: field operator: longer than 64 bytes$"
'

# A field that outgrows the longest any field may be (detail's 2048
# bytes) before its line ends, or with no line end at all, is named with
# its own limit all the same.
test_expect_success 'a field far over its limit, or cut by the end of input, names its own limit' '
	{ echo "a,b,c,d,e"; head -c 70000 /dev/zero | tr "\\0" x; echo ",act,,,"; } >in &&
	batch_refused "^log-append: <stdin>:2: field operator: longer than 64 bytes$" &&
	{ echo "a,b,c,d,e"; printf "op,act,"; head -c 70000 /dev/zero | tr "\\0" x; echo ",,"; } >in &&
	batch_refused "^log-append: <stdin>:2: field object: longer than 256 bytes$" &&
	{ echo "a,b,c,d,e"; head -c 3000 /dev/zero | tr "\\0" x; } >in &&
	batch_refused "^log-append: <stdin>:2: field operator: longer than 64 bytes$"
'

test_expect_success 'oversized detail (over 2048 bytes)' '
	{ echo "a,b,c,d,e"; printf "op,act,,,%02049d\n" 0; } >in &&
	batch_refused "<stdin>:2: field detail"
'

test_expect_success 'wrong column count' '
	printf "a,b,c,d,e\na,b,c,d\n" >in &&
	batch_refused "<stdin>:2:"
'

test_expect_success 'NUL byte' '
	printf "a,b,c,d,e\na,b\000x,c,d,e\n" >in &&
	batch_refused "<stdin>:2: field action: .*NUL"
'

test_expect_success 'invalid UTF-8' '
	printf "a,b,c,d,e\na,b,c\377,d,e\n" >in &&
	batch_refused "<stdin>:2: field object: invalid UTF-8"
'

test_expect_success 'a line break inside a quoted field' '
	printf "a,b,c,d,\"x\ny\"\n" >in &&
	batch_refused "<stdin>:1: field detail"
'

# A CR ends a line only with an LF after it (CRLF): "\r\n" alone is an
# empty line, as "\n" is; a CR anywhere else is a line break inside the
# field it ends, named as one inside quotes is.
test_expect_success 'CRLF: a line of CRLF alone is an empty line; a bare CR is in its field' '
	printf "a,b,c,d,e\r\n\r\n" >in &&
	batch_refused "^log-append: <stdin>:2: empty line\$" &&
	printf "a,b,c,d,e\rx\n" >in &&
	batch_refused "^log-append: <stdin>:1: field detail: contains a line break\$" &&
	printf "a,b,c,d,e\r\r\n" >in &&
	batch_refused "^log-append: <stdin>:1: field detail: contains a line break\$" &&
	printf "a,b\rx,c,d,e\n" >in &&
	batch_refused "^log-append: <stdin>:1: field action: contains a line break\$" &&
	printf "a,b,c,d,e\r\n\rx,b,c,d,e\r\n" >in &&
	batch_refused "^log-append: <stdin>:2: field operator: contains a line break\$" &&
	printf "a,b,c,d,e\r" >in &&
	batch_refused "^log-append: <stdin>:1: carriage return without line feed\$" &&
	printf "a,b,c,d\r\n" >in &&
	batch_refused "^log-append: <stdin>:1: field detail: missing \(a record has 5 fields\)\$" &&
	printf "sato,view,x,ok,crlf\r\nito,view,,,\r\n" | at 2026-01-01T10:05:00Z la --stdin &&
	tail -2 s/oplog.csv | head -1 | grep -q ",sato,view,x,ok,crlf,0," &&
	tail -1 s/oplog.csv | grep -q ",ito,view,,,,0," && verify
'

test_expect_success 'an empty batch writes nothing, not even a seal, and exits 0' '
	cp s/oplog.csv before.csv && cp s/oplog.head before.head &&
	at 2026-01-09T10:00:00Z la --stdin </dev/null 2>err && test ! -s err &&
	: | at 2026-01-09T10:00:00Z la 2>err && test ! -s err &&
	cmp before.csv s/oplog.csv && cmp before.head s/oplog.head
'

test_expect_success 'the terminal name: no control character (exit 2); empty is not given' '
	cp s/oplog.csv before.csv &&
	test_must_fail 2 at 2026-01-01T10:00:00Z log-append -d "$TMP/s" -t "$(printf "a\tb")" -u a -a b 2>err &&
	one_line_matching err "^log-append: -t: invalid terminal name: contains a control character$" &&
	cmp before.csv s/oplog.csv &&
	JUKISEC_TERMINAL=cs09 at 2026-01-01T10:00:00Z log-append -d "$TMP/s" -t "" -u sato -a view 2>/dev/null &&
	tail -1 s/oplog.csv | grep -q "^[0-9]*,[^,]*,cs09,sato,view,"
'

test_expect_success 'an empty operator' '
	printf ",act,,,\n" >in &&
	batch_refused "<stdin>:1: field operator: empty"
'

test_expect_success 'the log'"'"'s own records (operator -) are refused, every reserved action' '
	for a in genesis seal repair log-prune recover; do
		printf -- "-,$a,3,ok,records=0\n" >in &&
		batch_refused "<stdin>:1: field action: reserved" || exit 1
		cp s/oplog.csv before.csv &&
		test_must_fail 2 la -u - -a $a -o oplog.csv -r ok -m "x" 2>err &&
		one_line_matching err "field action: reserved for the log.s own records" &&
		cmp before.csv s/oplog.csv || exit 1
	done
'

# The command line is checked first (jukisec.conf(5)): a bad record given
# by options is exit 2 whatever the state directory, as a bad batch line is.
test_expect_success 'a bad record from options is exit 2 before the state directory is looked at' '
	test_must_fail 2 log-append -d "$TMP/nope" -u - -a seal 2>err &&
	one_line_matching err "^log-append: field action: reserved for the log.s own records" &&
	test_must_fail 2 log-append -d "$TMP/nope" -u a -a b -m "$(printf "a\nb")" 2>err &&
	one_line_matching err "^log-append: field detail: contains a line break$" &&
	cp -a s badconf && echo "bogus = 1" >>badconf/jukisec.conf &&
	test_must_fail 2 log-append -d "$TMP/badconf" -u "" -a x 2>err &&
	one_line_matching err "^log-append: field operator: empty$" &&
	test_must_fail 3 log-append -d "$TMP/badconf" -u a -a x 2>err &&
	one_line_matching err "jukisec.conf:[0-9]*: bogus: unknown key"
'

test_expect_success 'the same actions by another operator are ordinary records' '
	printf "x,log-prune,oplog.csv,ok,removed=1-2\nx,seal,3,ok,records=0\n" |
	    at 2026-01-01T10:00:00Z la --stdin &&
	grep -q ",x,log-prune,oplog.csv,ok,removed=1-2,0," s/oplog.csv &&
	at 2026-01-01T10:00:00Z la -u - -a print -o x &&
	verify
'

# More than log-append reads ahead before taking the log lock (1 MiB of
# fields): the rest is written past the log's head as it is read.
big() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "clerk%03d,view,resident/%d,ok,a detail of about thirty bytes %d\n", i % 40, i, i }'
}

test_expect_success 'a batch larger than the read-ahead, bad last line: nothing appended, head as it was' '
	{ big 40000; printf "%065d,act,,,\n" 0; } >in &&
	batch_refused "^log-append: <stdin>:40001: field operator: longer than 64 bytes$" &&
	at 2026-01-01T10:30:00Z la -u tanaka -a after &&
	! grep -q ",-,repair," s/oplog.csv && verify
'

test_expect_success 'a torn tail cut by a batch that is then refused: the cut is still logged' '
	printf "99,2026-01-01T10:31:00.000Z,torn" >>s/oplog.csv &&
	{ big 40000; printf "%065d,act,,,\n" 0; } >in &&
	test_must_fail 2 at 2026-01-01T10:32:00Z la --stdin <in 2>err &&
	grep -q "<stdin>:40001: field operator: longer than 64 bytes" err &&
	! grep -q ",-,repair," s/oplog.csv && test -e s/oplog.cut &&
	at 2026-01-01T10:33:00Z la -u tanaka -a after &&
	grep -q ",-,repair,oplog.csv,ok,removed=32 bytes after seq " s/oplog.csv &&
	! test -e s/oplog.cut && verify
'

# jukisec-log(5) "Files": every file of the log, oplog.cut too, is refused
# (exit 3) as a symbolic link or a file others may write, open head or not.
test_expect_success 'an oplog.cut that is a symbolic link or open to others: exit 3, nothing written' '
	cp s/oplog.csv before.csv && cp s/oplog.head before.head &&
	echo "seq=0 removed=1" >"$TMP/elsewhere" &&
	ln -s "$TMP/elsewhere" s/oplog.cut &&
	test_must_fail 3 at 2026-01-01T10:34:00Z la -u tanaka -a view 2>err &&
	one_line_matching err "^log-append: $TMP/s/oplog.cut: a symbolic link: refused\$" &&
	rm s/oplog.cut && echo "seq=0 removed=1" >s/oplog.cut && chmod 622 s/oplog.cut &&
	test_must_fail 3 at 2026-01-01T10:34:00Z la -u tanaka -a view 2>err &&
	one_line_matching err "^log-append: $TMP/s/oplog.cut: not owned by us or root, or open to others: refused\$" &&
	cmp before.csv s/oplog.csv && cmp before.head s/oplog.head &&
	rm s/oplog.cut && at 2026-01-01T10:35:00Z la -u tanaka -a after && verify
'

# An immutable log file (chattr +i, root's and 0600): the kernel's EPERM,
# said as its errno, never as open_safe's refusal of its owner or mode.
# Either is found before anything is written: oplog.head is opened for
# writing when it is read, so no record is appended that its head could
# not then count (which the next writer would cut, with a repair record).
test_expect_success CHATTR 'oplog.csv or oplog.head immutable: exit 3, the kernel'"'"'s error, nothing written' '
	cp s/oplog.csv before.csv && cp s/oplog.head before.head && s=0 &&
	n=$(grep -c ",repair," s/oplog.csv) &&
	for f in oplog.csv oplog.head; do
		chattr +i s/$f &&
		{ test_must_fail 3 at 2026-01-01T10:35:00Z la -u tanaka -a view 2>err &&
		one_line_matching err "^log-append: $TMP/s/$f: Operation not permitted\$" ||
		s=1; } &&
		chattr -i s/$f && test $s = 0 &&
		cmp before.csv s/oplog.csv && cmp before.head s/oplog.head || return 1
	done &&
	at 2026-01-01T10:35:30Z la -u tanaka -a after 2>/dev/null && verify &&
	test "$(grep -c ",repair," s/oplog.csv)" = "$n"
'

# The note is read as every file of the log is (jukisec-log(5) "Files"):
# its numbers with no sign or leading zero, nothing else on its line, a
# count of bytes above 0, a size from the head's to the count beyond it.
# Any other note is stale, removed, and no repair is logged for it.  The
# state: a torn tail cut by a refused batch, its note left, the head open.
test_expect_success 'an oplog.cut in another spelling is stale: removed, no repair logged' '
	jukisec-init -d "$TMP/sc" -t cs01 >keyc 2>/dev/null && chmod 600 keyc &&
	printf "1,2026-01-01T10:31:00.000Z,torn" >>sc/oplog.csv &&
	{ big 40000; printf "%065d,act,,,\n" 0; } >in &&
	test_must_fail 2 log-append -d "$TMP/sc" --stdin <in 2>/dev/null &&
	IFS=" " read -r q r z <sc/oplog.cut && q=${q#seq=} r=${r#removed=} z=${z#size=} &&
	test "$q" = 0 && test "$r" -gt 0 && cp -a sc sc.kept &&
	for note in "seq=+$q removed=$r size=$z" "seq=$q removed=0$r size=$z" \
	    "seq=$q removed=${r}junk size=$z" "seq=$q removed=0 size=$z" \
	    "seq=$q removed=$r size=$((z + r + 1))" "seq=$q removed=$r size=$((z - 1))" \
	    " seq=$q removed=$r size=$z" "seq=$q removed=$r size=$z extra=1" \
	    "seq=$((q + 1)) removed=$r size=$z"; do
		rm -rf sc && cp -a sc.kept sc && printf "%s\n" "$note" >sc/oplog.cut &&
		log-append -d "$TMP/sc" -u - -a next && ! test -e sc/oplog.cut &&
		! grep -q ",-,repair," sc/oplog.csv || return 1
	done &&
	for note in "seq=$q removed=$r size=$z" "seq=$q removed=$r"; do
		rm -rf sc && cp -a sc.kept sc && printf "%s\n" "$note" >sc/oplog.cut &&
		log-append -d "$TMP/sc" -u - -a next && ! test -e sc/oplog.cut &&
		grep -q ",-,repair,oplog.csv,ok,removed=$r bytes after seq $q," sc/oplog.csv &&
		log-verify -d "$TMP/sc" -k keyc >/dev/null || return 1
	done
'

test_expect_success 'SIGKILL while a large batch streams: the next writer cuts it, logs a repair' '
	jukisec-init -d "$TMP/s2" -t cs02 >key2 2>/dev/null && chmod 600 key2 &&
	cp s2/oplog.csv before2.csv &&
	mkfifo fifo &&
	{ log-append -d "$TMP/s2" --stdin <fifo & pid=$!; } &&
	exec 9>fifo &&
	big 60000 >&9 &&
	test "$(wc -c <s2/oplog.csv)" -gt $(($(wc -c <before2.csv) + 1048576)) &&
	kill -9 $pid && { wait $pid; exec 9>&-; } ;
	log-append -d "$TMP/s2" -u tanaka -a after &&
	test "$(wc -l <s2/oplog.csv)" -eq 4 &&
	grep -Eq "^1,.*,-,repair,oplog.csv,ok,removed=[0-9]+ bytes after seq 0," s2/oplog.csv &&
	log-verify -d "$TMP/s2" -k key2 >vout && grep -q "^ok: 3 records" vout
'

test_expect_success 'a batch of 250000 records (17 MiB) streams in bounded memory' '
	jukisec-init -d "$TMP/s3" -t cs03 >key3 2>/dev/null && chmod 600 key3 &&
	big 250000 >in3 &&
	test "$(wc -c <in3)" -gt 17000000 &&
	command time -f %M -o rss log-append -d "$TMP/s3" --stdin <in3 &&
	test "$(wc -l <s3/oplog.csv)" -eq 250002 &&
	log-verify -d "$TMP/s3" -k key3 >vout && grep -q "^ok: 250001 records" vout &&
	{ [ -n "${ASAN_OPTIONS:-}" ] || test "$(cat rss)" -le 16384; }
'

# Past the read-ahead, on two cores, this process reads and checks the
# records while a second thread adds them (their MACs, their writes); on
# one core (taskset -c 0, util-linux) one thread does both.  Each way, a
# write that fails (a file size limit with SIGXFSZ ignored: EFBIG) or a
# bad last line leaves the log as it was, and a good batch is all there.
efbig() {	# efbig [taskset -c 0]: the batch of in, the log 6 MiB from its limit
	(trap "" XFSZ && ulimit -f $((($(wc -c <s/oplog.csv) + 6291456) / 1024)) &&
	    exec "$@" log-append -d "$TMP/s" -t cs01 --stdin <in 2>err)
}
write_fails() {
	big 60000 >in && cp s/oplog.csv before.csv && cp s/oplog.head before.head &&
	test_must_fail 3 efbig "$@" &&
	one_line_matching err "^log-append: $TMP/s/oplog.csv: File too large\$" &&
	cmp before.csv s/oplog.csv && cmp before.head s/oplog.head &&
	! test -e s/oplog.cut && verify
}
bad_then_good() {
	{ big 40000; printf "%065d,act,,,\n" 0; } >in &&
	cp s/oplog.csv before.csv && cp s/oplog.head before.head &&
	test_must_fail 2 "$@" log-append -d "$TMP/s" -t cs01 --stdin <in 2>err &&
	one_line_matching err "<stdin>:40001: field operator: longer than 64 bytes" &&
	cmp before.csv s/oplog.csv && cmp before.head s/oplog.head &&
	big 40000 | at 2026-01-01T10:40:00Z "$@" log-append -d "$TMP/s" -t cs01 --stdin &&
	test "$(lines)" -eq $(($(wc -l <before.csv) + 40000)) &&
	tail -n 1 s/oplog.csv | grep -q ",clerk039,view,resident/39999,ok," && verify
}
test_expect_success 'a write fails while a large batch streams: exit 3, nothing appended' '
	write_fails
'
test_expect_success 'a large batch, bad last line: nothing appended; good: all of it' '
	bad_then_good
'
test_expect_success 'on one core, the same: a failed write, a bad last line, a good batch' '
	write_fails taskset -c 0 && bad_then_good taskset -c 0
'

test_expect_success 'kanji and other UTF-8 are normal data' '
	at 2026-01-01T11:00:00Z la -u 田中 -a 閲覧 -o 住民票 -m "写し 1 枚" &&
	grep -q ",田中,閲覧,住民票,,写し 1 枚,0," s/oplog.csv && verify
'

test_expect_success 'options: bad field values exit 2 and write nothing' '
	cp s/oplog.csv before.csv &&
	test_must_fail 2 la -u tanaka -a "$(printf "a\rb")" 2>err &&
	one_line_matching err "field action: contains a line break" &&
	test_must_fail 2 la -u "" -a x 2>err &&
	cmp before.csv s/oplog.csv
'

test_expect_success 'a terminal name over 64 bytes or with a line break exits 2' '
	cp s/oplog.csv before.csv &&
	test_must_fail 2 log-append -d "$TMP/s" -t "$(printf "%065d" 0)" -u a -a b 2>err &&
	test_must_fail 2 log-append -d "$TMP/s" -t "$(printf "a\nb")" -u a -a b 2>err &&
	cmp before.csv s/oplog.csv
'

test_expect_success 'usage errors exit 2' '
	test_must_fail 2 la -a x 2>err && grep -q "^usage: log-append" err &&
	test_must_fail 2 la -u x 2>err &&
	test_must_fail 2 la --stdin -u x -a y 2>err </dev/null &&
	test_must_fail 2 la --seal --stdin 2>err </dev/null &&
	test_must_fail 2 la -u x -a y extra 2>err &&
	la --help >out && grep -q "^usage: log-append" out
'

test_expect_success '--now is refused: the clock is not an input; nothing is written' '
	cp s/oplog.csv before.csv &&
	for m in "-u x -a y" --seal --stdin; do
		test_must_fail 2 la $m --now 2026-01-01T00:00:00Z 2>err </dev/null &&
		one_line_matching err "^log-append: --now: the clock is not an input of this tool\$" || exit 1
	done &&
	cmp before.csv s/oplog.csv
'

test_expect_success '--seal seals ended epochs and evolves the key' '
	at 2026-01-03T01:00:00Z la --seal &&
	tail -2 s/oplog.csv | cut -d, -f1-9 >got &&
	n=$(tail -3 s/oplog.csv | head -1 | cut -d, -f1) &&
	printf "%s\n" "$((n + 1)),2026-01-01T23:59:59.999Z,cs01,-,seal,0,ok,records=$((n + 1)),0" \
	    "$((n + 2)),2026-01-02T23:59:59.999Z,cs01,-,seal,1,ok,records=0,1" >want &&
	test_cmp want got &&
	grep -q " epoch=2 " s/oplog.key &&
	verify 2026-01-03T02:00:00Z
'

test_expect_success '--seal with nothing to seal writes nothing' '
	cp s/oplog.csv before.csv &&
	at 2026-01-03T05:00:00Z la --seal && cmp before.csv s/oplog.csv
'

test_expect_success 'a missing or uninitialised state directory exits 3' '
	test_must_fail 3 log-append -d "$TMP/none" -u a -a b 2>err &&
	mkdir -m 700 empty &&
	test_must_fail 3 log-append -d "$TMP/empty" -u a -a b 2>err
'

test_expect_success 'a group-writable oplog.csv is refused (exit 3)' '
	cp -p s/oplog.csv keep.csv && chmod 620 s/oplog.csv &&
	test_must_fail 3 la -u a -a b 2>err &&
	grep -q oplog.csv err && chmod 600 s/oplog.csv
'

test_expect_success 'a group-readable oplog.key is refused (exit 3), nothing written' '
	cp s/oplog.csv before.csv && chmod 640 s/oplog.key &&
	test_must_fail 3 la -u a -a b 2>err; s=$?; chmod 600 s/oplog.key &&
	test $s = 0 && one_line_matching err "oplog.key: readable by group or others" &&
	cmp before.csv s/oplog.csv
'

# Evolving the key renames the new one over oplog.key: a second name
# would keep the old key, K0 included, and with it the past epochs'
# records forgeable (jukisec-log(5), "Keys").
test_expect_success 'an oplog.key with another hard link is refused (exit 3), nothing written' '
	cp s/oplog.csv before.csv && ln s/oplog.key keep.key &&
	test_must_fail 3 la -u a -a b 2>err; s=$?; rm -f keep.key &&
	test $s = 0 &&
	one_line_matching err "^log-append: .*/oplog.key: has other hard links, which would keep the keys of past epochs: remove them\$" &&
	cmp before.csv s/oplog.csv
'

test_expect_success 'a group-writable oplog.key is refused (exit 3) in the words of its mode' '
	cp s/oplog.csv before.csv &&
	for m in 660 606 620 602; do
		case $m in 660|606) msg="oplog.key: readable by group or others; chmod 600 it" ;;
		*) msg="oplog.key: not owned by us or root, or open to others: refused" ;; esac
		chmod $m s/oplog.key &&
		test_must_fail 3 la -u a -a b 2>err; s=$?; chmod 600 s/oplog.key
		test $s = 0 && one_line_matching err "^log-append: .*/$msg\$" || exit 1
	done &&
	cmp before.csv s/oplog.csv
'

test_expect_success 'a corrupt head or key is refused (exit 3), log untouched' '
	cp s/oplog.head head.bak && cp s/oplog.csv before.csv &&
	echo garbage >s/oplog.head &&
	test_must_fail 3 la -u a -a b 2>err && grep -q "oplog.head" err &&
	cp head.bak s/oplog.head && cp s/oplog.key key.bak &&
	sed -i "s/ epoch=2 / epoch=9 /" s/oplog.key &&
	test_must_fail 3 la -u a -a b 2>err && grep -q "ahead of the head" err &&
	cp key.bak s/oplog.key && cmp before.csv s/oplog.csv &&
	at 2026-01-03T06:00:00Z la -u a -a b
'

# jukisec-log(5) "Keys": oplog.key has one form, its tokens in that order,
# its numbers without sign or leading zero.  A writer that read any other
# spelling would go on from a key file that a verifier built from the page
# refuses: the writer refuses it first (exit 3), nothing written.
test_expect_success 'oplog.key in another order or spelling is malformed (exit 3), log untouched' '
	cp s/oplog.key key.bak && cp s/oplog.csv before.csv && cp s/oplog.head head.bak &&
	# each with the token the message names (SPEC: the field)
	{ key_respellings && echo "t0 s/t0=2/t0=X/"; } >resp &&
	while read -r f e <&9; do
		sed "$e" key.bak >s/oplog.key && ! cmp -s key.bak s/oplog.key &&
		test_must_fail 3 la -u a -a b 2>err &&
		one_line_matching err "^log-append: $TMP/s/oplog.key: malformed \(field $f\)\$" &&
		test_must_fail 3 la --seal 2>err &&
		cmp before.csv s/oplog.csv && cmp head.bak s/oplog.head || return 1
	done 9<resp &&
	cp key.bak s/oplog.key && at 2026-01-03T06:00:00Z la -u a -a c
'

test_expect_success 'a key file left behind by a crash is evolved by the next --seal' '
	cp s/oplog.key old.key &&
	at 2026-01-05T01:00:00Z la --seal && grep -q " epoch=4 " s/oplog.key &&
	python3 -c "
import hashlib, hmac, re
s = open(\"old.key\").read()
k = bytes.fromhex(re.search(r\"key=([0-9a-f]{64})\", s).group(1))
k = hmac.new(k, b\"jukisec-log-v1 evolve\", hashlib.sha256).hexdigest()
open(\"s/oplog.key\", \"w\").write(re.sub(r\"epoch=2 key=[0-9a-f]{64}\", \"epoch=3 key=\" + k, s))
" && grep -q " epoch=3 " s/oplog.key && cp s/oplog.csv before.csv &&
	at 2026-01-05T02:00:00Z la --seal &&
	grep -q " epoch=4 " s/oplog.key && cmp before.csv s/oplog.csv &&
	verify 2026-01-05T03:00:00Z
'

# SPEC: "app | log-append" works: with no record option and no mode, a
# standard input that is not a terminal is the batch; at a terminal
# log-append alone is still the usage error it always was.
test_expect_success 'app | log-append: --stdin implied, not at a terminal' '
	lines >n0 &&
	printf "%s\n" "sato,view,y,ok,piped" "ito,print,z,ok," |
	    at 2026-01-05T02:10:00Z la 2>err &&
	test "$(lines)" -eq $(($(cat n0) + 2)) &&
	tail -2 s/oplog.csv | head -1 | grep -q ",cs01,sato,view,y,ok,piped,4," &&
	n=$(lines) && at 2026-01-05T02:20:00Z la </dev/null && test "$(lines)" -eq $n &&
	test_must_fail 2 script -qec "$JUKISEC_BUILD/log-append -d $TMP/s -t cs01" /dev/null >out &&
	grep -q "missing -u" out && test "$(lines)" -eq $n &&
	verify 2026-01-05T03:00:00Z
'

test_done
