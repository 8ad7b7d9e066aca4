#!/bin/sh
# Crashes of log-append (tests/lib-crash.sh): killed before each of its
# steps in turn, and halfway through each write, for one record, a batch,
# the append that repairs what a crash left, a batch refused past the
# read-ahead, and the cron job's --seal.  After every kill the
# records before are untouched, the next append succeeds (repairing), the
# log verifies, and the batch is there whole or not at all (log-append(1):
# "the whole batch is appended, or after a crash none of it").  Then one
# short seeded smoke test kills writers at random moments beside another.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-crash.sh"

S=$TMP/s
init_state "$S"
la() { log-append -d "$S" "$@"; }
lv() { log-verify -d "$S" -k "$S.key" "$@"; }
for i in 1 2 3; do la -u clerk01 -a view -o "before$i" -r ok; done
cp -a "$S" "$TMP/saved"
# its log's size, for the cmp -n after every kill (not a wc each time)
saved_size=$(wc -c <"$TMP/saved/oplog.csv")
awk 'BEGIN { for (j = 0; j < 300; j++) print "clerk02,print,batch,ok,record " j " of 300" }' >batch.in
batch() { la --stdin <"$TMP/batch.in"; }

# after_crash LABEL N: what every kill must leave.  The records before are
# byte for byte where they were; log-verify answers (0 or 1, never a
# crash); the next append succeeds and then the log verifies; LABEL's
# records are all N there or none.
after_crash() {
	cmp -n "$saved_size" "$TMP/saved/oplog.csv" "$S/oplog.csv" &&
	{ lv >/dev/null 2>&1; v=$?; [ $v -le 1 ]; } &&
	la -u after -a check >/dev/null &&
	lv >/dev/null &&
	{ n=$(grep -c ",$1," "$S/oplog.csv"); [ "$n" -eq 0 ] || [ "$n" -eq "$2" ]; } &&
	no_tmp "$S" &&
	echo "step $crash_step torn=$crash_torn: $n of $2 there, verify said $v"
}

test_expect_success 'one record: a kill at every step, or in every write' '
	crash_every "$TMP/saved" "$S" "after_crash view,single 1" \
	    la -u clerk01 -a view -o single -r ok
'
crash_say

test_expect_success 'a batch of 300: a kill at every step, or in every write' '
	crash_every "$TMP/saved" "$S" "after_crash print,batch 300" batch
'
crash_say

# A kill halfway through the batch's records leaves a torn tail: the
# append that repairs it is itself killed at each of its steps.  Every cut
# is logged: whichever writer made it, the log ends with one repair record
# (a repairer killed between its cut and its record leaves an open head
# with nothing after it, which the next writer logs as "interrupted").
one_repair() {
	n=$(grep -c ",-,repair," "$S/oplog.csv")
	[ "$n" -eq 1 ] || { echo "$n repair records" >&2; return 1; }
	# ... and it counts at least the torn tail's bytes: a repairer killed
	# after its cut, its own lines written, has its cut logged too
	rm=$(grep ",-,repair," "$S/oplog.csv" | sed -n "s/.*removed=\([0-9]*\) bytes.*/\1/p") &&
	[ "${rm:-0}" -ge "$torn_bytes" ] ||
	    { echo "repair removed=$rm, the torn tail had $torn_bytes bytes" >&2; return 1; }
	# oplog.cut lives only until its repair record is committed
	# (jukisec-log(5)): a writer killed after that commit and before
	# removing it leaves it to the next writer, which removes it.
	! test -e "$S/oplog.cut" || { echo "oplog.cut left" >&2; return 1; }
}
test_expect_success 'the repairing append: a kill at every step, or in every write' '
	rm -rf "$S" && cp -a "$TMP/saved" "$S" && crash_trace batch &&
	n=$(awk "/ write .*oplog.csv/ { print \$1; exit }" "$TMP/crash.trace") &&
	rm -rf "$S" && cp -a "$TMP/saved" "$S" &&
	crash_at "$n" 1 batch &&
	test "$(tail -c 1 "$S/oplog.csv" | od -An -c | tr -d " ")" != "\\n" &&
	hs=$(tr "\\000" "\\n" <"$S/oplog.head" | sed -n "s/.* size=\([0-9]*\) .*/\1/p" | sort -n | head -1) &&
	torn_bytes=$(($(wc -c <"$S/oplog.csv") - hs)) && test "$torn_bytes" -gt 0 &&
	rm -rf "$TMP/torn" && mv "$S" "$TMP/torn" &&
	crash_every "$TMP/torn" "$S" "after_crash -,repair 1 && after_crash print,batch 300 && one_repair" \
	    la -u clerk01 -a view -o repairer -r ok
'
crash_say

# A cut is noted in oplog.cut before it is made, and the repair record
# counts what the note says with what the next writer cuts (jukisec-log(5)
# "Writing"): every byte once.  A writer killed between its note and its
# cut leaves the bytes the note counts, which the next cuts and counts
# once, not twice.  One killed after its cut, before its record, leaves N
# bytes no record names; a second writer killed in its batch leaves M
# bytes after the head, and the next logs N+M, M == N too, and as many
# when killed between its own note and cut.
# open_head: "SEQ SIZE" of the open head; after_head: the bytes after it.
open_head() {
	tr "\\000" "\\n" <"$S/oplog.head" |
	    sed -n "s/.* open seq=\([0-9]*\) .* size=\([0-9]*\) .*/\1 \2/p"
}
after_head() { set -- $(open_head) && echo $(($(wc -c <"$S/oplog.csv") - $2)); }
# repaired N: one repair record, of N bytes after the open head's seq
# ($seq); oplog.cut gone; the log verifies.
repaired() {
	grep ",-,repair," "$S/oplog.csv" >rep && test "$(wc -l <rep)" -eq 1 &&
	grep -q ",-,repair,oplog.csv,ok,removed=$1 bytes after seq $seq," rep ||
	    { echo "want removed=$1 after seq $seq:" >&2; cat rep >&2; return 1; }
	! test -e "$S/oplog.cut" && lv >/dev/null
}
repairer() { la -u clerk01 -a view -o repairer -r ok; }
# cut_unmade SAVED CMD...: $S a copy of SAVED, CMD killed after its note,
# before its cut.
cut_unmade() {
	_s=$1; shift
	crash_after "$_s" "$S" "oplog\\.cut\$" ftruncate "oplog\\.csv\$" "$@"
}
# killed_in SAVED K TORN CMD...: $S a copy of SAVED, CMD killed at its
# Kth write of oplog.csv (TORN=1: within it).
killed_in() {
	_s=$1 _k=$2 _t=$3; shift 3
	rm -rf "$S" && cp -a "$_s" "$S" && crash_trace "$@" >/dev/null 2>&1 &&
	_n=$(awk -v k="$_k" "/ write .*oplog.csv/ && ++i == k { print \$1; exit }" "$TMP/crash.trace") &&
	test -n "$_n" && rm -rf "$S" && cp -a "$_s" "$S" &&
	crash_at "$_n" "$_t" "$@" </dev/null >/dev/null 2>&1
}
# sum_case: $S as a writer killed in its batch left it, N cut before:
# the next writer logs N+M, and so does the one after a writer killed
# between its note and its cut of the M bytes.
sum_case() {
	N=$(cat "$TMP/tail.n") M=$(after_head) && set -- $(open_head) && seq=$1 &&
	rm -rf "$TMP/left" && cp -a "$S" "$TMP/left" &&
	la -u after -a check >/dev/null && repaired $((N + M)) &&
	cut_unmade "$TMP/left" repairer && test "$(after_head)" -eq "$M" &&
	la -u after -a check >/dev/null && repaired $((N + M))
}
awk 'BEGIN { for (j = 0; j < 40000; j++) print "clerk04,print,big,ok,record " j " of a batch past the read-ahead" }' >big.in
big() { la --stdin <"$TMP/big.in"; }

test_expect_success 'setup: a batch killed in its first write, N bytes after its open head' '
	killed_in "$TMP/saved" 1 1 batch && test "$(after_head)" -gt 0 &&
	after_head >"$TMP/tail.n" && rm -rf "$TMP/tail" && mv "$S" "$TMP/tail"
'

test_expect_success 'a writer killed between its note and its cut: the next logs the N bytes once' '
	N=$(cat "$TMP/tail.n") && cut_unmade "$TMP/tail" repairer &&
	test "$(after_head)" -eq "$N" && set -- $(open_head) && seq=$1 &&
	grep -q "^seq=$seq removed=$N[ $]" "$S/oplog.cut" &&
	la -u after -a check >/dev/null && repaired "$N"
'

test_expect_success 'setup: a writer killed right after its cut, its record not written' '
	rm -rf "$S" && cp -a "$TMP/tail" "$S" && crash_trace repairer >/dev/null 2>&1 &&
	n=$(awk "\$2 == \"ftruncate\" { print \$1 + 1; exit }" "$TMP/crash.trace") &&
	rm -rf "$S" && cp -a "$TMP/tail" "$S" && crash_at "$n" 0 repairer &&
	test "$(after_head)" -eq 0 && test -e "$S/oplog.cut" &&
	rm -rf "$TMP/cutdone" && mv "$S" "$TMP/cutdone"
'

test_expect_success 'N cut, the next writer killed in its batch leaving M != N: N+M logged' '
	killed_in "$TMP/cutdone" 2 0 big && test "$(after_head)" -ne "$(cat "$TMP/tail.n")" &&
	sum_case
'

test_expect_success 'N cut, the next writer killed in its batch leaving M == N: N+M logged' '
	killed_in "$TMP/cutdone" 1 1 batch && test "$(after_head)" -eq "$(cat "$TMP/tail.n")" &&
	sum_case
'

test_expect_success 'a writer that cut N killed in its own batch leaving M == N: N+M logged' '
	killed_in "$TMP/tail" 1 1 batch && test "$(after_head)" -eq "$(cat "$TMP/tail.n")" &&
	sum_case
'

# A note written before size= was (seq=S removed=N) counts whole, as then.
test_expect_success 'an oplog.cut without size=: its N added to the cut, as before' '
	N=$(cat "$TMP/tail.n") &&
	rm -rf "$S" && cp -a "$TMP/tail" "$S" && set -- $(open_head) && seq=$1 &&
	(umask 077 && echo "seq=$seq removed=7" >"$S/oplog.cut") &&
	la -u after -a check >/dev/null && repaired $((N + 7)) &&
	rm -rf "$S" && cp -a "$TMP/cutdone" "$S" &&
	(umask 077 && echo "seq=$seq removed=$N" >"$S/oplog.cut") &&
	la -u after -a check >/dev/null && repaired "$N"
'

# A batch refused past the read-ahead (a bad last line, after 30,000 good
# ones) has written its open head over the head's other slot, then its
# records: it cuts them, syncs, and puts the slot back (log-append(1): a
# refused batch appends nothing).  Without a kill both files are as they
# were.  A kill at any step leaves what the next writer already handles:
# records after an open head (cut, one repair record), an open head with
# nothing after it (nothing to log), or the files as they were; never a
# record of the batch.
awk 'BEGIN { for (j = 0; j < 30000; j++)
	printf "clerk03,print,resident/%d,ok,a detail of about thirty bytes %d\n", j, j
	print "clerk03,view,x,ok" }' >refused.in
refused() {	# 0 when refused as it must be (exit 2), a kill's 137 as it is
	la --stdin <"$TMP/refused.in"
	case $? in 2) return 0 ;; 0) return 1 ;; *) return $? ;; esac
}
after_refused() {
	n=$(grep -c ",-,repair," "$S/oplog.csv")
	after_crash clerk03,print 30000 >/dev/null &&
	test "$(grep -c ",clerk03,print," "$S/oplog.csv")" -eq 0 && [ "$n" -le 1 ] &&
	echo "step $crash_step torn=$crash_torn: nothing of it, $n repair"
}

test_expect_success 'a refused large batch: both files as they were, byte for byte' '
	rm -rf "$S" && cp -a "$TMP/saved" "$S" &&
	refused 2>err && grep -q "<stdin>:30001: field detail: missing" err &&
	cmp "$TMP/saved/oplog.csv" "$S/oplog.csv" &&
	cmp "$TMP/saved/oplog.head" "$S/oplog.head"
'

test_expect_success 'a refused large batch: a kill at every step, or in every write' '
	crash_every "$TMP/saved" "$S" after_refused refused
'
crash_say

# A disk that refuses the cut of a refused batch: the refusal's exit 2
# and line all the same (log-append(1)); the bytes stay after the open
# head, in no record, and the next writer cuts them with a repair record.
test_expect_success 'a refused batch whose cut the disk refuses: exit 2, the next writer cuts it' '
	rm -rf "$S" && cp -a "$TMP/saved" "$S" &&
	crash_trace refused && rm -rf "$S" && cp -a "$TMP/saved" "$S" &&
	n=$(sed -n "s/^\([0-9]*\) ftruncate .*/\1/p" "$TMP/crash.trace") &&
	test -n "$n" && r=0 &&
	fail_at "$n" EIO 0 log-append -d "$S" --stdin <refused.in 2>err || r=$?
	test "$r" = 2 && one_line_matching err "<stdin>:30001: field detail: missing" &&
	test "$(wc -c <"$S/oplog.csv")" -gt "$(wc -c <"$TMP/saved/oplog.csv")" &&
	la -u after -a check 2>/dev/null && lv >/dev/null &&
	test "$(grep -c ",-,repair," "$S/oplog.csv")" -eq 1 &&
	test "$(grep -c ",clerk03,print," "$S/oplog.csv")" -eq 0
'

# What SIGKILL cannot show (the page cache survives it), a power loss
# could: the slot is put back only after the cut is durable, or a closed
# head would precede records that chain, which the next writer takes in.
test_expect_success STRACE 'a refused large batch: the cut synced, then the slot put back, synced' '
	rm -rf "$S" && cp -a "$TMP/saved" "$S" &&
	test_must_fail 2 strace -f -qq -e trace=ftruncate,fdatasync,pwrite64 -o trace \
	    log-append -d "$S" --stdin <refused.in 2>/dev/null &&
	sed -n "s/^[0-9]* *\([a-z0-9]*\)(\([0-9]*\),.*/\1 \2/p; s/^[0-9]* *\(fdatasync\)(\([0-9]*\)).*/\1 \2/p" \
	    trace | tail -n 4 >got &&
	set -- $(cat got) && test $# -eq 8 &&
	test "$1 $3 $5 $7" = "ftruncate fdatasync pwrite64 fdatasync" &&
	test "$2" = "$4" && test "$6" = "$8" && test "$2" != "$6" &&
	cmp "$TMP/saved/oplog.head" "$S/oplog.head"
'

# The cron job's --seal: the seals of two ended epochs, then the key
# replaced.  After any kill the next --seal and the next writer seal what
# is missing, once, and no temporary file is left holding a key of the
# epochs that ended (a kill before the key file's rename).
T0=2026-01-01T09:00:00Z T2=2026-01-03T00:10:00Z
at 2025-12-31T23:00:00Z jukisec-init -d "$TMP/e" >"$TMP/e.key" 2>/dev/null
chmod 600 "$TMP/e.key"
at $T0 log-append -d "$TMP/e" -u clerk01 -a view -r ok
seal() { at $T2 log-append -d "$TMP/e" --seal; }
after_seal() {
	seal >/dev/null &&
	at $T2 log-append -d "$TMP/e" -u after -a check >/dev/null &&
	log-verify -d "$TMP/e" -k "$TMP/e.key" --now $T2 >/dev/null &&
	test "$(grep -c ",-,seal," "$TMP/e/oplog.csv")" -eq 2 &&
	no_tmp "$TMP/e" &&
	echo "step $crash_step torn=$crash_torn: sealed once"
}

test_expect_success 'log-append --seal: a kill at every step, or in every write' '
	cp -a "$TMP/e" "$TMP/e.saved" &&
	crash_every "$TMP/e.saved" "$TMP/e" after_seal seal
'
crash_say

# A plain append two epochs on seals them and replaces the key as --seal
# does: after any kill the next writer leaves no key behind either.
crossing() { at $T2 log-append -d "$TMP/e" -u clerk01 -a view -o crossing -r ok; }
after_crossing() {
	at $T2 log-append -d "$TMP/e" -u after -a check >/dev/null &&
	log-verify -d "$TMP/e" -k "$TMP/e.key" --now $T2 >/dev/null &&
	test "$(grep -c ",-,seal," "$TMP/e/oplog.csv")" -eq 2 &&
	test "$(grep -c ",crossing," "$TMP/e/oplog.csv")" -le 1 &&
	no_tmp "$TMP/e" &&
	echo "step $crash_step torn=$crash_torn: sealed once"
}

test_expect_success 'an append that crosses two epochs: a kill at every step, or in every write' '
	crash_every "$TMP/e.saved" "$TMP/e" after_crossing crossing
'
crash_say

# A disk that fails one step or one sync of log-append (fail_every; EIO,
# then ENOSPC with writes torn), for one record, a batch, --seal and
# --recover: exit 3 and one line naming the file, never 0 when a sync of
# what it promised durable failed; the records before untouched; the
# batch all or nothing once the next writer ran (a head that failed after
# durable records leaves what a kill there leaves, for the next writer);
# the next run succeeds and then the log verifies, no temporary file left.
# after_fault DIR SAVED VERIFY NEXT LABEL N: VERIFY is DIR's log-verify.
# (SAVED's size is taken once for each SAVED, not after every fault.)
after_fault() {
	if [ "$2" != "${_af_saved-}" ]; then
		_af_size=$(wc -c <"$2/oplog.csv") && _af_saved=$2 || return 1
	fi
	test "$fail_rc" = 3 &&
	one_line_matching "$TMP/fail.err" "^log-append: $1/[A-Za-z.0-9-]+: " &&
	cmp -n "$_af_size" "$2/oplog.csv" "$1/oplog.csv" &&
	{ $3 >/dev/null 2>&1; [ $? -le 1 ]; } &&
	eval "$4" >/dev/null && $3 >/dev/null &&
	{ n=$(grep -c ",$5," "$1/oplog.csv"); [ "$n" -eq 0 ] || [ "$n" -eq "$6" ]; } &&
	no_tmp "$1"
}
lve() { log-verify -d "$TMP/e" -k "$TMP/e.key" --now $T2; }
after_e() { at $T2 log-append -d "$TMP/e" -u after -a check; }
test_expect_success 'a failing step or sync: one record, a batch (EIO; ENOSPC torn)' '
	fail_every "$TMP/saved" "$S" EIO "after_fault \"\$S\" \"\$TMP/saved\" lv \"la -u after -a check\" view,single 1" \
	    la -u clerk01 -a view -o single -r ok &&
	fail_every "$TMP/saved" "$S" ENOSPC "after_fault \"\$S\" \"\$TMP/saved\" lv \"la -u after -a check\" print,batch 300" batch
'

test_expect_success 'a failing step or sync: --seal, and an append across two epochs' '
	fail_every "$TMP/e.saved" "$TMP/e" EIO "after_fault \"\$TMP/e\" \"\$TMP/e.saved\" lve seal -,seal 2" seal &&
	fail_every "$TMP/e.saved" "$TMP/e" ENOSPC "after_fault \"\$TMP/e\" \"\$TMP/e.saved\" lve after_e crossing 1" crossing
'

# --recover failing: the log stays refused or recovered whole; the next
# --recover finishes.  Exit 0 only when the recovery is whole and only
# the removal of oplog.cut after it failed (said; the next writer
# removes it).
after_recover_fault() {
	{ [ "$fail_rc" = 3 ] || { [ "$fail_rc" = 0 ] && lv >/dev/null; }; } &&
	one_line_matching "$TMP/fail.err" "^log-append: $S/[A-Za-z.0-9-]+: " &&
	la --recover --key-file "$S.key" >/dev/null && lv >/dev/null &&
	la -u after -a check && lv >/dev/null && no_tmp "$S" &&
	! test -e "$S/oplog.cut"
}
test_expect_success 'a failing step or sync: --recover' '
	rm -rf "$TMP/bad" && cp -a "$TMP/saved" "$TMP/bad" &&
	sed -i "s/,before2,ok,/,before9,ok,/" "$TMP/bad/oplog.csv" &&
	fail_every "$TMP/bad" "$S" EIO after_recover_fault la --recover --key-file "$S.key"
'

test_seed 1050

# batch ID: a batch of 1-500 records labelled ID in $TMP/in.ID
rbatch() {
	n=$(( $(rand) % 500 + 1 ))
	awk -v b="$1" -v n=$n "BEGIN { for (j = 0; j < n; j++) print b \",batch,\" j \",ok,of \" n }" >"in.$1"
	echo $n
}

test_expect_success 'smoke: 20 writers killed at random moments, beside a second writer' '
	rm -rf "$S" && cp -a "$TMP/saved" "$S" &&
	: >done && i=0 &&
	while [ $i -lt 20 ]; do
		na=$(rbatch a$i) && nb=$(rbatch b$i) &&
		{ la --stdin <in.a$i 2>/dev/null & pa=$!; } &&
		{ la --stdin <in.b$i 2>/dev/null & pb=$!; } &&
		sleep "0.00$(( $(rand) % 10 ))" &&
		kill -9 $pa 2>/dev/null
		if wait $pa; then echo "a$i $na" >>done; fi
		if wait $pb; then echo "b$i $nb" >>done; else exit 1; fi
		i=$((i + 1))
	done &&
	la -u after -a crash-test && lv >out &&
	# one awk for every batch: each that exited 0 is there whole; each
	# there at all has as many records as its first one says ("of N")
	awk -F, "
	    FILENAME == \"done\" { split(\$0, w, \" \"); want[w[1]] = w[2]; next }
	    \$4 ~ /^[ab][0-9]/ { c[\$4]++ }
	    \$5 == \"batch\" { if (!(\$4 in of)) of[\$4] = substr(\$8, 4) + 0; d[\$4]++ }
	    END {
		for (b in want) if (d[b] != want[b]) { print b \": exited 0, records missing\" >\"/dev/stderr\"; bad = 1 }
		for (b in c) if (c[b] != of[b]) { print b \": \" c[b] \" of \" of[b] >\"/dev/stderr\"; bad = 1 }
		exit bad
	    }" done "$S/oplog.csv"
'

# A sync that fails (said, exit 3) and the cut after it failing too: the
# cut's failure was said again, the same line twice ("A message is one
# line on standard error", README).  The next writer cuts the tail.
test_expect_success 'a failed sync, then a failed cut: one line, exit 3' '
	init_state "$TMP/cut2" &&
	r=0; (JUKISEC_CRASH_AT=0 JUKISEC_CRASH_TORN=0 JUKISEC_CRASH_LOG= \
	    JUKISEC_FAIL_AT=2 JUKISEC_FAIL_SYNC=1 JUKISEC_FAIL_ERRNO=EIO \
	    JUKISEC_SYNC_LOG=; crash_env; printf "ops,a,x,ok,\n" |
	    log-append -d "$TMP/cut2" --stdin) 2>err || r=$?
	{ test $r = 3 || { echo "rc $r"; cat err; exit 1; }; } &&
	one_line_matching err "/oplog.csv: Input/output error\$" &&
	log-append -d "$TMP/cut2" -u ops -a y 2>/dev/null &&
	log-verify -d "$TMP/cut2" -k "$TMP/cut2.key" >/dev/null
'

test_done
