#!/bin/sh
# log-prune on a disk that fails it: a file-size limit, a full file system,
# a read-only one.  Each time: exit 3, one clear line, the log, its head and
# key untouched, no temporary file left; the next run on a good disk works.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
init_at "$S"
rec "$S" "2022-03-01 09:00:00" A 20
live "$S" "2022-03-01 09:00:00" "2023-06-01 10:00:00"
padded "$S" "2023-06-01 10:00:00" 1000 big record
NOW=2023-06-01T10:30:00Z
# A copy of S as it is now, for the full and read-only file systems below:
# the same records made again under faketime cost 2 s of CPU (the tests
# before them prune S).
cp -a "$S" "$TMP/s2" && cp -p "$S.key" "$TMP/s2.key"

# same DIR COPY: the log, head and key of DIR are those saved in COPY.
same() { for f in oplog.csv oplog.head oplog.key; do cmp "$1/$f" "$2/$f" || return 1; done; }

test_expect_success 'a file-size limit (EFBIG) on the new log: exit 3, log untouched' '
	cp -a "$S" before &&
	(trap "" XFSZ; ulimit -f 400; at "$NOW" log-prune -d "$S" --discard) 2>err.txt
	test $? -eq 3 &&
	one_line_matching err.txt "^log-prune: .*/\.tmp-log-prune: File too large$" &&
	same "$S" before && test ! -e "$S/.tmp-log-prune"
'

test_expect_success 'a file-size limit on the archive: exit 3 before the log changes' '
	(trap "" XFSZ; ulimit -f 1; at "$NOW" log-prune -d "$S" -a "$TMP/arch.csv") 2>err.txt
	test $? -eq 3 &&
	one_line_matching err.txt "arch.csv: File too large$" &&
	same "$S" before
'

# Out of memory: every allocation failure exits 3 (mem.c).  Run under
# address-space limits from where the tool cannot start to where it
# prunes: a run that fails after it made the archive file must remove it,
# and an archive that was there stays as it was.  SMALLAS as in t2135.
# A run's allocations are the same every run: one that prunes under a
# limit prunes under every larger one, and checks nothing here, so each
# loop ends at its first exit 0.
test_lazy_prereq SMALLAS '
	(ulimit -v 16000 && exec log-prune -V) >/dev/null 2>&1 ||
	    { echo "the tools do not start under ulimit -v 16000 (an ASan build)"; exit 1; }'
test_expect_success SMALLAS 'out of memory after the archive is made: exit 3, no archive left' '
	hit=0 &&
	for v in $(seq 5000 200 12000); do
		rm -rf c oom.csv && cp -a "$S" c &&
		(ulimit -v $v; at "$NOW" log-prune -d "$TMP/c" -a "$TMP/oom.csv") 2>err; rc=$?
		if [ $rc = 3 ] && grep -q "^log-prune: Cannot allocate memory\$" err; then
			hit=$((hit + 1))
			test ! -e oom.csv && same c "$S" ||
			    { echo "ulimit -v $v: archive left or log changed" >&2; exit 1; }
		fi
		[ $rc != 0 ] || break
	done &&
	test $hit -gt 0 &&
	rm -rf c && cp -a "$S" c && prune "$TMP/c" "$NOW" -a "$TMP/old.csv" &&
	for v in $(seq 5000 200 12000); do
		rm -rf c && cp -a "$S" c && cp old.csv oom.csv &&
		(ulimit -v $v; at "$NOW" log-prune -d "$TMP/c" -a "$TMP/oom.csv") 2>err; rc=$?
		if [ $rc = 3 ]; then
			cmp old.csv oom.csv || { echo "ulimit -v $v: archive changed" >&2; exit 1; }
		fi
		[ $rc != 0 ] || break
	done
'

test_expect_success 'after the failures a normal run prunes, the archive verifies' '
	prune "$S" "$NOW" -a "$TMP/arch.csv" &&
	! has "$S" A && verify "$S" "$NOW" "$TMP/arch.csv" "$S/oplog.csv" >/dev/null
'

# P: records of 2022-03-01 (A), already in the archive pa.csv, of
# 2022-09-01 (B) and 2023-09-01 (C); at N2, sealed first, a prune removes B.
P=$TMP/p N2=2023-09-01T10:30:00Z
init_at "$P"
rec "$P" "2022-03-01 09:00:00" A 10
live "$P" "2022-03-01 09:00:00" "2022-09-01 09:00:00"
rec "$P" "2022-09-01 09:00:00" B 10
live "$P" "2022-09-01 09:00:00" "2023-09-01 09:00:00"
rec "$P" "2023-09-01 09:00:00" C 3
prune "$P" 2023-03-02T00:00:00Z -a "$TMP/pa.csv"
at "$N2" log-append -d "$P" --seal
cp -a "$P" p.before && cp pa.csv pa.before

# failing FILTER CALL ARCHIVE: the prune of P at N2 to ARCHIVE with CALL
# failing (EIO) where strace's FILTER (options) traces it.
failing() {
	_c=$2 _a=$3; set -- $1
	at "$N2" strace -f -qq -o /dev/null "$@" -e trace="$_c" -e inject="$_c":error=EIO \
	    log-prune -d "$P" -a "$_a"
}

test_expect_success STRACE 'the log not replaced after the archive got its records (EIO on the rename): the archive as it was, a new one gone' '
	test_must_fail 3 failing "" renameat "$TMP/pa.csv" 2>err.txt &&
	one_line_matching err.txt "^log-prune: $P/oplog.csv: Input/output error\$" &&
	cmp "$P/oplog.csv" p.before/oplog.csv && cmp pa.csv pa.before &&
	test_must_fail 3 failing "" renameat "$TMP/new.csv" 2>err.txt &&
	one_line_matching err.txt "^log-prune: $P/oplog.csv: Input/output error\$" &&
	cmp "$P/oplog.csv" p.before/oplog.csv && test ! -e new.csv &&
	verify "$P" "$N2" "$TMP/pa.csv" "$P/oplog.csv" >/dev/null
'

test_expect_success STRACE 'the log replaced, then a failure (EIO on the directory'"'"'s fsync): the archive it made stays, nothing lost' '
	test_must_fail 3 failing "-P $P" fsync "$TMP/new.csv" 2>err.txt &&
	one_line_matching err.txt "^log-prune: $P/oplog.csv: Input/output error\$" &&
	! has "$P" B && test "$(awk -F, "\$6 == \"B\"" new.csv | wc -l)" -eq 10 &&
	at "$N2" log-append -d "$P" -u clerk01 -a check &&
	verify "$P" "$N2" "$TMP/pa.csv" "$TMP/new.csv" "$P/oplog.csv" >/dev/null
'

# A disk that fails one step or one sync of the prune (fail_every): exit
# 3 in one line naming the file, never 0 when a sync failed; exit 0 only
# when the failing call was the early copy's, which the copy after the
# scan does again, and the prune is whole.  Then the next run prunes, the
# archive and the log verify as one chain, no temporary file is left.
after_fault() {
	case $fail_rc:$fail_step in
	0:s*) echo "exit 0 after a failed sync" >&2; return 1 ;;
	0:*) test ! -s "$TMP/fail.err" && ! has "$P" B ;;
	3:*) one_line_matching "$TMP/fail.err" "^log-prune: ($P|$TMP)/[a-z.-]+: " ;;
	*) false ;;
	esac &&
	at "$N2" log-prune -d "$P" "$@" >/dev/null && ! has "$P" B &&
	test ! -e "$P/.tmp-log-prune" && no_tmp "$P"
}
test_expect_success 'a failing step or sync: --discard (EIO), -a (ENOSPC, writes torn)' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	fail_every "$TMP/p.before" "$P" EIO "after_fault --discard &&
	    verify \"\$P\" \"\$N2\" >/dev/null" at "$N2" log-prune -d "$P" --discard &&
	fail_reset="cp pa.before pf.csv" &&
	fail_every "$TMP/p.before" "$P" ENOSPC "after_fault -a \"\$TMP/pf.csv\" &&
	    verify \"\$P\" \"\$N2\" \"\$TMP/pf.csv\" \"\$P/oplog.csv\" >/dev/null" \
	    at "$N2" log-prune -d "$P" -a "$TMP/pf.csv"
'

M=$TMP/mnt
mkdir -m 700 "$M"
if mount -t tmpfs -o size=4m,mode=700 tmpfs "$M" 2>/dev/null; then
	trap 'umount "$M" 2>/dev/null; rm -rf "$TMP"' EXIT
	cp -a "$TMP/s2" "$M/s" && cp -p "$TMP/s2.key" "$M/s.key"

	test_expect_success 'a full file system (ENOSPC): exit 3, log untouched, no temporary left' '
		free=$(df -k --output=avail "$M" | tail -1) &&
		dd if=/dev/zero of="$M/fill" bs=1k count=$((free - 300)) 2>/dev/null &&
		test_must_fail 3 at "$NOW" log-prune -d "$M/s" --discard 2>err.txt &&
		one_line_matching err.txt "^log-prune: .*: No space left on device$" &&
		same "$M/s" "$TMP/s2" && test ! -e "$M/s/.tmp-log-prune" &&
		verify "$M/s" 2023-06-01T10:00:01Z >/dev/null
	'

	test_expect_success 'with room again the prune works' '
		rm -f "$M/fill" &&
		prune "$M/s" "$NOW" --discard && ! has "$M/s" A &&
		verify "$M/s" "$NOW" >/dev/null
	'

	test_expect_success 'a read-only file system: exit 3 in one line, nothing changed' '
		rm -rf "$M/s" && cp -a "$TMP/s2" "$M/s" &&
		mount -o remount,ro "$M" &&
		test_must_fail 3 at "$NOW" log-prune -d "$M/s" --discard 2>err.txt &&
		one_line_matching err.txt "Read-only file system" &&
		same "$M/s" "$TMP/s2" &&
		at "$NOW" log-prune -d "$M/s" -n >out.txt &&
		grep -q "^would remove" out.txt &&
		mount -o remount,rw "$M"
	'
else
	test_skip 'full and read-only file systems' 'cannot mount a tmpfs (not root?)'
fi

test_done
