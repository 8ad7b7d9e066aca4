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
for how in extra:"11 fields, want 10" missing:"9 fields, want 10" \
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

# A state whose log has no head or no key is one jukisec-init has not
# finished (or a kill left): said in the words of a missing jukisec.conf,
# exit 3, not the kernel's "No such file or directory", which reads as a
# log damaged.  Nothing written, no archive left; a dry run, which reads
# no key, says a missing head the same way.
missing() { echo "^log-prune: $TMP/$1: missing \\(state directory not initialised\\?\\)\$"; }
test_expect_success 'an oplog.head or oplog.key missing: said as a state not initialised' '
	for f in oplog.head oplog.key; do
		rm -rf m && cp -a before m && rm "m/$f" &&
		test_must_fail 3 at "$NOW" log-prune -d "$TMP/m" -a "$TMP/arch/m.csv" 2>err.txt &&
		one_line_matching err.txt "$(missing m/$f)" &&
		cmp m/oplog.csv before/oplog.csv && test ! -e arch/m.csv &&
		test_must_fail 3 at "$NOW" log-prune -d "$TMP/m" --discard 2>err.txt &&
		one_line_matching err.txt "$(missing m/$f)" &&
		cmp m/oplog.csv before/oplog.csv || return 1
	done &&
	cmp m/oplog.head before/oplog.head &&
	rm -rf m && cp -a before m && rm m/oplog.head &&
	test_must_fail 3 at "$NOW" log-prune -d "$TMP/m" -n --discard 2>err.txt &&
	one_line_matching err.txt "$(missing m/oplog.head)"
'

# The race itself, at the same step every run: a log-prune started while
# jukisec-init (stopped there) is past its rename of jukisec.conf but has
# not taken the log's lock, which the prune then takes (no head yet), or
# has printed the key but not put oplog.key in place.  The init then
# finishes, its log whole.
test_expect_success 'a log-prune during a jukisec-init: the same words' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf ri && crash_trace jukisec-init -d "$TMP/ri" >/dev/null 2>&1 &&
	conf=$(awk "\$2 == \"renameat\" && \$3 ~ /jukisec\\.conf\$/ { print \$1; exit }" "$TMP/crash.trace") &&
	key=$(awk "\$2 == \"renameat\" && \$3 ~ /oplog\\.key\$/ { print \$1 }" "$TMP/crash.trace") &&
	test -n "$conf" && test -n "$key" &&
	for step in $((conf + 1)):oplog.head $key:oplog.key; do
		rm -rf ri ri.pid &&
		{ (umask 077; crash_stop ${step%:*} "$TMP/ri.pid" jukisec-init \
		    -d "$TMP/ri" >ri.key 2>/dev/null; echo $? >ri.rc) & } &&
		crash_stopped "$TMP/ri.pid" || { wait; return 1; }
		pr=0 && log-prune -d "$TMP/ri" --discard 2>err.txt || pr=$?
		crash_go "$TMP/ri.pid"; wait
		test $pr = 3 && one_line_matching err.txt "$(missing ri/${step#*:})" &&
		test "$(cat ri.rc)" = 0 &&
		log-verify -d "$TMP/ri" -k ri.key >/dev/null || return 1
	done
'

test_done
