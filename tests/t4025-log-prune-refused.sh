#!/bin/sh
# log-prune refused: every check that can refuse a run comes before the log
# is written, even when the seals of ended epochs are due.  Each refusal:
# exit 3 in one line, oplog.csv and oplog.head byte for byte as they were.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
init_at "$S"
rec "$S" "2022-03-01 09:00:00" A 20
live "$S" "2022-03-01 09:00:00" "2023-03-01 09:00:00"
rec "$S" "2023-03-01 09:00:00" C 5
# Two and a half days on: the seals of 1 and 2 March are due.
NOW=2023-03-03T12:00:00Z
mkdir -m 700 arch
cp -a "$S" before

# same: the log and its head as they were.
same() { cmp "$S/oplog.csv" before/oplog.csv && cmp "$S/oplog.head" before/oplog.head; }

# refused PATTERN ARGS...: log-prune ARGS at NOW exits 3 with one line
# matching PATTERN, and leaves the log and its head as they were.
refused() {
	_p=$1; shift
	test_must_fail 3 at "$NOW" log-prune -d "$S" "$@" 2>err.txt &&
	one_line_matching err.txt "$_p" && same
}

test_expect_success 'an archive in a directory that does not exist' '
	refused "nowhere/a.csv: No such file or directory" -a "$TMP/nowhere/a.csv"
'

test_expect_success 'an archive with mode 0644' '
	head -1 "$S/oplog.csv" >arch/open.csv && chmod 644 arch/open.csv &&
	refused "open.csv" -a "$TMP/arch/open.csv" &&
	test "$(wc -l <arch/open.csv)" -eq 1
'

test_expect_success 'an archive open to others: 0644, 0640, 0620' '
	for m in 644 640 620; do
		chmod $m arch/open.csv &&
		refused "^log-prune: $TMP/arch/open.csv: not owned by us or root, or open to others: refused\$" \
		    -a "$TMP/arch/open.csv" || exit 1
	done
'

test_expect_success 'an archive that is not a regular file: a FIFO, /dev/null, a directory' '
	mkfifo arch/fifo &&
	refused "^log-prune: $TMP/arch/fifo: not a regular file: refused\$" -a "$TMP/arch/fifo" &&
	refused "^log-prune: /dev/null: not a regular file: refused\$" -a /dev/null &&
	refused "^log-prune: $TMP/arch: not a regular file: refused\$" -a "$TMP/arch"
'

test_expect_success 'an archive that is a symbolic link, to a file or to nothing' '
	: >arch/real.csv && chmod 600 arch/real.csv &&
	ln -s real.csv arch/link.csv && ln -s nothing.csv arch/dangling.csv &&
	refused "^log-prune: $TMP/arch/link.csv: a symbolic link: refused\$" -a "$TMP/arch/link.csv" &&
	refused "^log-prune: $TMP/arch/dangling.csv: a symbolic link: refused\$" -a "$TMP/arch/dangling.csv" &&
	test ! -s arch/real.csv && test ! -e arch/nothing.csv
'

test_expect_success 'an archive another process holds' '
	: >arch/held.csv && chmod 600 arch/held.csv &&
	test_must_fail 3 at "$NOW" flock -n arch/held.csv log-prune -d "$S" -a "$TMP/arch/held.csv" 2>err.txt &&
	one_line_matching err.txt "held.csv: in use by another process" && same
'

test_expect_success 'the archive of another log' '
	init_at "$TMP/o" &&
	rec "$TMP/o" "2022-02-01 09:00:00" X 3 && rec "$TMP/o" "2022-09-01 09:00:00" Y &&
	prune "$TMP/o" 2023-02-02T09:30:00Z -a "$TMP/arch/other.csv" &&
	cp arch/other.csv other.save &&
	refused "other.csv: its record [0-9]+ differs from the log.s: not this log.s archive" \
	    -a "$TMP/arch/other.csv" &&
	cmp arch/other.csv other.save
'

test_expect_success 'an archive that ends past the log' '
	sed "\$s/^[0-9]*,/100000,/" other.save >arch/past.csv && chmod 600 arch/past.csv &&
	refused "past.csv: ends at seq 100000, past the log.s end" -a "$TMP/arch/past.csv"
'

# damaged HOW: other.save with its last record damaged HOW, 0600, as
# arch/dmg.csv.  The prune appends after that record and log-verify then
# refuses the archive there: refused first, in one line naming the line
# (and the field) as log-verify reads it, the archive as it was.  huge:
# longer than the window log-prune reads the archive's end through.
damaged() {
	case $1 in
	extra) sed "\$s/,/,x,/" other.save ;;
	missing) sed "\$s/^\([^,]*,[^,]*\),[^,]*,/\1,/" other.save ;;
	seq) sed "\$s/^[0-9]*,/18x,/" other.save ;;
	long|huge) awk -v n="$(wc -l <other.save)" -v w="$([ $1 = long ] && echo 9000 || echo 40000)" '
		NR == n { p = ""; while (length(p) < w) p = p "x"; sub(/,ok,/, ",ok," p) }
		{ print }' other.save ;;
	nul) sed "\$s/,ok,/,ok,N/" other.save | tr N "\000" ;;
	utf8) sed "\$s/,ok,/,ok,\o377/" other.save ;;
	quote) sed "\$s/,ok,/,ok,a\"b/" other.save ;;
	ms) sed "\$s/^\([0-9]*,[^,]*\)\.[0-9][0-9][0-9]Z,/\1Z,/" other.save ;;
	esac >arch/dmg.csv && chmod 600 arch/dmg.csv &&
	! cmp -s arch/dmg.csv other.save && cp arch/dmg.csv dmg.before
}
for how in extra:"not valid CSV with 10 fields" missing:"9 fields, want 10" \
    seq:"field seq: not a decimal number" long:"line too long" \
    nul:"contains a NUL byte" utf8:"field detail: invalid UTF-8" \
    quote:"not valid CSV with 10 fields" huge:"line too long" \
    ms:"field time: not in the form YYYY-MM-DDTHH:MM:SS.mmmZ"; do
test_expect_success "an archive whose last record is damaged: ${how%%:*}" '
	n=$(wc -l <other.save) &&
	damaged '"${how%%:*}"' &&
	refused "^log-prune: $TMP/arch/dmg.csv:$n: '"${how#*:}"'\$" -a "$TMP/arch/dmg.csv" &&
	cmp arch/dmg.csv dmg.before
'
done

test_expect_success 'an oplog.key group or others may read or write' '
	for m in 660 640 620; do
		case $m in 660|640) msg="readable by group or others; chmod 600 it" ;;
		*) msg="not owned by us or root, or open to others: refused" ;; esac
		chmod $m "$S/oplog.key" &&
		refused "^log-prune: $S/oplog.key: $msg\$" --discard; st=$?
		chmod 600 "$S/oplog.key" && test $st = 0 || exit 1
	done
'

test_expect_success 'a file-size limit on the archive' '
	(trap "" XFSZ; ulimit -f 1; at "$NOW" log-prune -d "$S" -a "$TMP/arch/big.csv") 2>err.txt
	test $? -eq 3 && one_line_matching err.txt "big.csv: File too large$" && same
'

test_expect_success 'a damaged record in the middle of the log' '
	rm -rf d && cp -a "$S" d &&
	sed "/,A,ok,copy 2,/s/,2022-03-01T/,2021-03-01T/" before/oplog.csv >d/oplog.csv &&
	! cmp -s d/oplog.csv before/oplog.csv && cp d/oplog.csv d.save && cp d/oplog.head dh.save &&
	test_must_fail 3 at "$NOW" log-prune -d "$TMP/d" --discard 2>err.txt &&
	one_line_matching err.txt "oplog.csv:[0-9]+: time goes back; run log-verify" &&
	cmp d/oplog.csv d.save && cmp d/oplog.head dh.save
'

# The refusals that come once the archive is open (the log lock, the head,
# a removed record): a new archive goes again, an empty one stays empty.
test_expect_success 'a refusal after the archive is opened leaves no archive it made, nor writes to an old one' '
	rm -rf e && cp -a before e && cp -p "$S.key" e.key &&
	sed -i "s/^lock_timeout_ms = .*/lock_timeout_ms = 200/" e/jukisec.conf &&
	: >arch/empty.csv && chmod 600 arch/empty.csv &&
	for a in new.csv empty.csv; do
		test_must_fail 3 at "$NOW" flock e/oplog.lock log-prune -d "$TMP/e" -a "$TMP/arch/$a" 2>err.txt &&
		one_line_matching err.txt "^log-prune: lock timeout: $TMP/e/oplog.lock\$" &&
		cp e/oplog.head head.save && chmod 606 e/oplog.head &&
		test_must_fail 3 at "$NOW" log-prune -d "$TMP/e" -a "$TMP/arch/$a" 2>err.txt &&
		one_line_matching err.txt "oplog.head: not owned by us or root, or open to others: refused" &&
		chmod 600 e/oplog.head && cmp e/oplog.head head.save &&
		sed "/,A,ok,copy 2,/s/,2022-03-01T/,2021-03-01T/" before/oplog.csv >e/oplog.csv &&
		test_must_fail 3 at "$NOW" log-prune -d "$TMP/e" -a "$TMP/arch/$a" 2>err.txt &&
		one_line_matching err.txt "oplog.csv:[0-9]+: time goes back; run log-verify" &&
		cp before/oplog.csv e/oplog.csv || exit 1
	done &&
	test ! -e arch/new.csv && test -f arch/empty.csv && test ! -s arch/empty.csv
'

test_expect_success 'the same run with a good archive seals, prunes and verifies' '
	at "$NOW" log-prune -d "$S" -a "$TMP/arch/good.csv" &&
	! has "$S" A && has "$S" C &&
	grep -q ",-,seal,.*records=" "$S/oplog.csv" &&
	test "$(awk -F, "\$5 == \"seal\" && \$2 > \"2023-03-01\"" "$S/oplog.csv" | wc -l)" -eq 2 &&
	verify "$S" "$NOW" "$TMP/arch/good.csv" "$S/oplog.csv" >/dev/null
'

test_done
