#!/bin/sh
# log-append --recover (jukisec-log(5) "Recovery"): the way back after
# writers refused the log, with the verification key.  It keeps the longest
# prefix that verifies, saves what it cuts beside the log (0600, exactly the
# bytes), rewrites the head and key, and logs a "recover" record naming what
# it found and who ran it; a wrong key changes nothing.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"
. "$SRCDIR/tests/lib-crash.sh"

S=$TMP/s
init_at "$S" 2026-01-01T00:00:00Z
forge() { python3 "$SRCDIR/tests/logforge.py" "$@"; }
la() { at "$T" log-append -d "$S" -t cs01 "$@"; }
lv() { log-verify -d "$S" -k "$S.key" --now "$T" "$@"; }
rec_() { la --recover --key-file "$S.key" "$@"; }
save() { rm -rf "$TMP/$1" && cp -a "$S" "$TMP/$1"; }
restore() { rm -rf "$S" && cp -a "$TMP/$1" "$S"; }
lastseq() { tail -1 "$S/oplog.csv" | cut -d, -f1; }

T=2026-01-01T09:00:00Z
for i in 1 2 3; do la -u clerk01 -a auth -o "a$i" -r ok; done
T=2026-01-02T00:17:00Z
la --seal
SEAL=$(lastseq)
T=2026-01-02T09:00:00Z
for i in 1 2 3; do la -u clerk01 -a auth -o "b$i" -r ok; done
save good
# good forged as the tests below forge it, once each (python3 starts):
# cut after the seal, slot 0 naming it (forged1), slot 1 too, open
# (forged2).
forge cut "$S" $SEAL && forge head "$S" 0 $SEAL && save forged1 &&
forge head "$S" 1 $SEAL open && save forged2 && restore good

test_expect_success 'a healthy log: nothing to recover, nothing changed' '
	rec_ >out && grep -q ", its head and its key are as a writer expects: nothing to recover" out &&
	for f in oplog.csv oplog.head oplog.key; do cmp "$S/$f" "$TMP/good/$f" || exit 1; done &&
	test -z "$(ls "$S" | grep oplog-cut)"
'

test_expect_success 'a recovery whose summary has no reader: made, exit 3, one line' '
	restore forged2 &&
	no_reader rec_ 2>err &&
	test "$(cat "$TMP/no_reader.rc")" = 3 &&
	one_line_matching err "^log-append: write error: standard output: Broken pipe\$" &&
	lv >/dev/null && la -u clerk01 -a auth -r ok && restore good
'

test_expect_success 'after a forged head (finding 1): the head is rewritten, the finding logged' '
	restore forged2 &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
	rec_ >out &&
	grep -q "recovered: kept seq 0-$SEAL; head: slot [01]: hmac does not verify" out &&
	tail -1 "$S/oplog.csv" |
	    grep -q ",cs01,-,recover,oplog.csv,ok,\"\\?by uid=$(id -u): head: slot [01]: hmac does not verify" &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null &&
	test -z "$(ls "$S" | grep oplog-cut)"
'

test_expect_success 'a record changed in the middle: cut there, saved exactly, the log goes on' '
	restore good &&
	sed -i "s/,a2,ok,/,a9,ok,/" "$S/oplog.csv" &&
	test_must_fail 1 lv 2>err && bad=$(sed -n "s/.*: seq \([0-9]*\): .*/\1/p" err) &&
	python3 -c "
import sys
d = open(sys.argv[1], \"rb\").read(); i = d.index(b\"\\n\" + sys.argv[2].encode() + b\",\") + 1
open(\"tail.bin\", \"wb\").write(d[i:])" "$S/oplog.csv" "$bad" &&
	rec_ >out &&
	cut=$(ls "$S" | grep "^oplog-cut-") && test -n "$cut" &&
	test "$(stat -c %a "$S/$cut")" = 600 && cmp tail.bin "$S/$cut" &&
	grep -q "kept seq 0-$((bad - 1)); .* bytes after seq $((bad - 1)) did not verify (MAC mismatch.*saved to $cut" out &&
	grep -q ",-,recover,oplog.csv,ok,.*saved to $cut" "$S/oplog.csv" &&
	! grep -q ",a9," "$S/oplog.csv" &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null
'

test_expect_success 'recoveries in the same millisecond: oplog-cut-TIME, then TIME-1, TIME-2, none overwritten' '
	restore good && cut=oplog-cut-20260102T090000000Z &&
	for n in 0 1 2; do
		tail -1 "$S/oplog.csv" | awk -F, -v OFS=, "{ \$1 = \$1 + 1; print }" >>"$S/oplog.csv" &&
		tail -1 "$S/oplog.csv" >"line$n" &&
		rec_ >out || exit 1
	done &&
	test "$(ls "$S" | grep "^oplog-cut-" | tr "\n" " ")" = "$cut $cut-1 $cut-2 " &&
	cmp line0 "$S/$cut" && cmp line1 "$S/$cut-1" && cmp line2 "$S/$cut-2" &&
	grep -q "saved to $cut-2\$" out &&
	test "$(grep -c ",-,recover,oplog.csv,ok,.*saved to $cut" "$S/oplog.csv")" -eq 3 &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null
'

test_expect_success 'a key file lost, or replaced by another log'"'"'s: rewritten from the verification key' '
	restore good && rm "$S/oplog.key" &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
	rec_ >out && grep -q "key: " out &&
	test "$(stat -c %a "$S/oplog.key")" = 600 &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null &&
	restore good && rm -rf o && init_at "$TMP/o" 2026-01-01T00:00:00Z &&
	cp o/oplog.key "$S/oplog.key" &&
	rec_ >out && grep -q "key: not derived from the verification key" out &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null
'

test_expect_success 'a version 1 head (an older jukisec) is converted' '
	restore good && forge headv1 "$S" "$(lastseq)" "$S/oplog.key" &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
	rec_ >out && grep -q "head: version 1" out &&
	test "$(wc -c <"$S/oplog.head")" -eq 1024 &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null
'

test_expect_success 'the key may come on standard input' '
	restore forged2 &&
	la --recover --key-file - <"$S.key" >out && grep -q "recovered" out && lv >/dev/null
'

test_expect_success 'another log'"'"'s verification key: exit 1, nothing changed' '
	restore forged1 && save broken &&
	test_must_fail 1 la --recover --key-file "$TMP/o.key" 2>err &&
	one_line_matching err "no record verifies with this key from the log.s start" &&
	for f in oplog.csv oplog.head oplog.key; do cmp "$S/$f" "$TMP/broken/$f" || exit 1; done
'

test_expect_success 'usage: --recover needs --key-file and nothing else' '
	restore good &&
	test_must_fail 2 la --recover 2>err && grep -q "^usage: log-append" err &&
	test_must_fail 2 la --key-file "$S.key" 2>err &&
	test_must_fail 2 la --recover --key-file "$S.key" -u a -a b 2>err &&
	test_must_fail 2 la --recover --key-file "$S.key" --seal 2>err &&
	chmod 644 "$S.key" &&
	test_must_fail 3 la --recover --key-file "$S.key" 2>err &&
	one_line_matching err "readable by group or others" && chmod 600 "$S.key"
'

test_expect_success 'a key file that is a FIFO or a symbolic link: exit 3 naming it, never a wait, nothing changed' '
	restore forged1 && save broken &&
	mkfifo "$TMP/kfifo" && ln -s "$S.key" "$TMP/klink" &&
	test_must_fail 3 timeout 10 log-append -d "$S" -t cs01 --recover --key-file "$TMP/kfifo" 2>err &&
	one_line_matching err "^log-append: $TMP/kfifo: not a regular file: refused$" &&
	test_must_fail 3 la --recover --key-file "$TMP/klink" 2>err &&
	one_line_matching err "^log-append: $TMP/klink: a symbolic link: refused$" &&
	for f in oplog.csv oplog.head oplog.key; do cmp "$S/$f" "$TMP/broken/$f" || exit 1; done
'

# A log whose first line is not the header row: writers refuse it
# (oplog.csv:1), --recover puts the header row back when the records
# verify from the genesis, saving the line it replaces beside the log.
# The header row put back names the log's format (that of the genesis).
# A header row quoted (which readers take, as RFC 4180 allows, and writers
# refuse: they write it unquoted) is put back as it is written.
HDR=$(head -1 "$TMP/good/oplog.csv")
GOOD=$(wc -l <"$TMP/good/oplog.csv")
headed() {	# the log is good's, its header row back, then one recover record
	head -n "$GOOD" "$S/oplog.csv" | cmp - "$TMP/good/oplog.csv" &&
	test "$(wc -l <"$S/oplog.csv")" -eq $((GOOD + 1))
}

test_expect_success 'a damaged header row: put back, the line saved exactly, the log verifies' '
	for e in "1s/^seq,/SEQ,/" "1s/_v[12]\$/_v/" "1s/.*/not a header row/" "1s/^seq,/\"seq\",/"; do
		restore good && sed -i "$e" "$S/oplog.csv" && head -1 "$S/oplog.csv" >line1 &&
		test_must_fail 1 lv 2>err &&
		rec_ >out &&
		hdr=$(ls "$S" | grep "^oplog-header-") && test -n "$hdr" &&
		test "$(stat -c %a "$S/$hdr")" = 600 && cmp line1 "$S/$hdr" &&
		grep -q "recovered: kept seq 0-$((GOOD - 2)); header row restored (line 1 saved to $hdr)\$" out &&
		test "$(head -1 "$S/oplog.csv")" = "$HDR" && headed &&
		tail -1 "$S/oplog.csv" | grep -q ",cs01,-,recover,oplog.csv,ok,by uid=$(id -u): header row restored (line 1 saved to $hdr)," &&
		test "$(stat -c %a "$S/oplog.csv")" = 600 &&
		test -z "$(ls -a "$S" | grep -e "^\.tmp-" -e "^oplog-cut-")" &&
		lv >/dev/null && la -u clerk01 -a auth -o after -r ok && lv >/dev/null || exit 1
	done
'

test_expect_success 'a header row removed: put back, nothing to save' '
	restore good && sed -i 1d "$S/oplog.csv" &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
	rec_ >out &&
	grep -q "recovered: kept seq 0-$((GOOD - 2)); header row restored (it was missing)\$" out &&
	tail -1 "$S/oplog.csv" | grep -q ",-,recover,oplog.csv,ok,by uid=$(id -u): header row restored (it was missing)," &&
	headed && test -z "$(ls -a "$S" | grep -e "^\.tmp-" -e "^oplog-")" &&
	lv >/dev/null && la -u clerk01 -a auth -o after -r ok && lv >/dev/null
'

test_expect_success 'a damaged header row and a damaged record: both saved apart, the log cut there' '
	restore good && sed -i -e "1s/^seq,/SEQ,/" -e "s/,b2,ok,/,b9,ok,/" "$S/oplog.csv" &&
	rec_ >out &&
	hdr=$(ls "$S" | grep "^oplog-header-") && cut=$(ls "$S" | grep "^oplog-cut-") &&
	grep -q "header row restored (line 1 saved to $hdr); .* bytes after seq .* did not verify (MAC mismatch.*saved to $cut\$" out &&
	head -1 "$S/$cut" | grep -q ",b9,ok," && ! grep -q ",b9," "$S/oplog.csv" &&
	lv >/dev/null && la -u clerk01 -a auth -o after -r ok && lv >/dev/null
'

test_expect_success 'no genesis after the first line, or another log'"'"'s key: exit 1, nothing changed' '
	restore good && sed -i 1,2d "$S/oplog.csv" && save broken &&
	test_must_fail 1 rec_ 2>err &&
	one_line_matching err "no record verifies with this key from the log.s start \(missing header row\); nothing changed$" &&
	restore good && sed -i "1s/^seq,/SEQ,/" "$S/oplog.csv" && save broken2 &&
	test_must_fail 1 la --recover --key-file "$TMP/o.key" 2>err &&
	one_line_matching err "no record verifies with this key from the log.s start \(missing header row\); nothing changed$" &&
	for f in oplog.csv oplog.head oplog.key; do cmp "$S/$f" "$TMP/broken2/$f" || exit 1; done &&
	test -z "$(ls -a "$S" | grep -e "^\.tmp-" -e "^oplog-")" &&
	restore good && head -n 1 "$S/oplog.csv" >hdr && cat hdr >"$S/oplog.csv" &&
	test_must_fail 1 rec_ 2>err &&
	one_line_matching err "no record verifies with this key from the log.s start \(no record after the header row\); nothing changed$"
'

# A kill at any step leaves the damaged log or the restored one (a
# rename), and a second run ends with a log that verifies and no
# temporary file (the key file's would hold a key the log has left).
after_header_kill() {
	{ cmp -s "$S/oplog.csv" "$TMP/damaged/oplog.csv" || headed ||
	    { head -n "$GOOD" "$S/oplog.csv" | cmp -s - "$TMP/good/oplog.csv"; }; } ||
	    { echo "oplog.csv is neither the old log nor the restored one" >&2; return 1; }
	rec_ >/dev/null && lv >/dev/null &&
	no_tmp "$S" &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null
}

test_expect_success 'a damaged header row: a kill at every step of the recovery, or in every write' '
	restore good && sed -i "1s/^seq,/SEQ,/" "$S/oplog.csv" && save damaged &&
	crash_every "$TMP/damaged" "$S" after_header_kill rec_
'
crash_say

test_expect_success 'a header row removed: a kill at every step of the recovery, or in every write' '
	restore good && sed -i 1d "$S/oplog.csv" && save damaged &&
	crash_every "$TMP/damaged" "$S" after_header_kill rec_
'
crash_say

# A recovery that cuts, killed at any step: every cut is logged
# (jukisec-log(5) "Writing").  The next writer takes the log or refuses
# it, and where it refuses, --recover run again does; then the line cut is
# in no record, the log verifies, and one record names the cut: a recover
# record the file that holds the line exactly, or, where a writer cut it
# (after an open head), a repair record its bytes.  A cut that no record
# names is what an intruder's line would leave: gone, and no trace in the
# log.
printf 'garbage,line\n' >garbage.line
# One awk reads the log for what the check looks for in it: whether the
# garbage line is there, the number of repair records that name its 13
# bytes, and the files the recover records that cut say they saved it to
# (the last such name in a record, as a greedy sed took it), in
# $TMP/cutrec as "GARBAGE REPAIRED NSAVED SAVED...".
after_cut_kill() {
	{ la -u clerk01 -a auth -o next -r ok 2>/dev/null ||
	    { rec_ >/dev/null && la -u clerk01 -a auth -o next -r ok; }; } &&
	lv >/dev/null &&
	awk '/^garbage,line/ { g = 1 }
	    /,-,recover,oplog\.csv,ok,.* did not verify/ {
		t = $0; v = ""
		while (match(t, /; saved to oplog-cut-[0-9TZ-]*/)) {
			v = substr(t, RSTART + 11, RLENGTH - 11); t = substr(t, RSTART + RLENGTH)
		}
		if (v != "") { n++; sv = sv " " v }
	    }
	    /,-,repair,oplog\.csv,ok,removed=13 bytes after seq/ { r++ }
	    END { print g + 0, r + 0, n + 0 sv }' "$S/oplog.csv" >"$TMP/cutrec" &&
	read -r _garbage repaired _nsaved saved <"$TMP/cutrec" &&
	test "$_garbage" = 0 &&
	no_tmp "$S" &&
	case $_nsaved in
	0) test "$repaired" -eq 1 ;;
	1) test "$repaired" -eq 0 && cmp garbage.line "$S/$saved" ;;
	*) echo "more than one record names a cut: $saved" >&2; false ;;
	esac ||
	    { echo "the cut is named in no record (or twice)" >&2; false; }
}

test_expect_success 'a line after a closed head: a kill at every step of the recovery, or in every write' '
	restore good && cat garbage.line >>"$S/oplog.csv" && save damaged &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
	crash_every "$TMP/damaged" "$S" after_cut_kill rec_
'
crash_say

# The head writers go by open (a batch killed after its open head): a
# writer cuts what follows it, which a recovery killed after its record
# must not leave to it: its record would go with what it cut.
test_expect_success 'a line after an open head: a kill at every step of the recovery, or in every write' '
	restore good && cp "$S/oplog.head" saved.head &&
	forge intent "$S" saved.head "$S/oplog.key" &&
	cat garbage.line >>"$S/oplog.csv" && save damaged &&
	crash_every "$TMP/damaged" "$S" after_cut_kill rec_
'
crash_say

test_expect_success 'a damaged header row and a line after the head: a kill at every step of the recovery, or in every write' '
	restore good && sed -i "1s/^seq,/SEQ,/" "$S/oplog.csv" &&
	cat garbage.line >>"$S/oplog.csv" && save damaged &&
	crash_every "$TMP/damaged" "$S" after_cut_kill rec_
'
crash_say

# A writer killed between its cut and its repair record leaves its open
# head and oplog.cut, which the next writer turns into that record
# (jukisec-log(5) "Writing").  A recovery meanwhile (here the key file is
# lost too, so writers refuse) rewrites the heads and removes the note:
# the cut it notes goes into the recover record, or no record would name
# it.
test_expect_success 'a writer'"'"'s cut noted in oplog.cut, the key lost: the recover record names the cut' '
	restore good && cp "$S/oplog.head" saved.head &&
	forge intent "$S" saved.head "$S/oplog.key" &&
	printf "seq=%s removed=40\n" "$(lastseq)" >"$S/oplog.cut" && rm "$S/oplog.key" &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
	rec_ >out &&
	grep -q "; oplog.cut: removed=40 bytes after seq $((GOOD - 2))\$" out &&
	grep -q ",-,recover,oplog.csv,ok,.*; oplog.cut: removed=40 bytes after seq $((GOOD - 2))[\",]" "$S/oplog.csv" &&
	! test -e "$S/oplog.cut" &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null
'

# A recovery killed after it closed the writer's open head and before its
# rename leaves the log as it was, the head closed at the note's seq: the
# note is not stale (a committed repair moves the head past it), and the
# next recovery still names the cut.
test_expect_success 'the same, the recovery killed between closing the head and its rename: the next names the cut' '
	restore good && cp "$S/oplog.head" saved.head &&
	forge intent "$S" saved.head "$S/oplog.key" &&
	printf "seq=%s removed=40\n" "$(lastseq)" >"$S/oplog.cut" && rm "$S/oplog.key" &&
	save noted &&
	crash_after "$TMP/noted" "$S" "oplog.head" renameat "oplog.csv" la --recover --key-file "$S.key" &&
	cmp "$S/oplog.csv" "$TMP/noted/oplog.csv" && test -e "$S/oplog.cut" &&
	rec_ >out &&
	grep -q "; oplog.cut: removed=40 bytes after seq $((GOOD - 2))\$" out &&
	grep -q ",-,recover,oplog.csv,ok,.*; oplog.cut: removed=40 bytes after seq $((GOOD - 2))[\",]" "$S/oplog.csv" &&
	! test -e "$S/oplog.cut" &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null
'

# A writer killed between its note and its cut leaves the bytes its note
# counts after the head, the log still the size the note gives: the
# recovery saves them as bytes that do not verify, and names in the
# note's part only what was cut before (here 60 of 73), not twice.
test_expect_success 'a cut noted and not made, the key lost: the recover record names each byte once' '
	restore good && cp "$S/oplog.head" saved.head &&
	forge intent "$S" saved.head "$S/oplog.key" &&
	cat garbage.line >>"$S/oplog.csv" &&
	printf "seq=%s removed=73 size=%s\n" $((GOOD - 2)) "$(wc -c <"$S/oplog.csv")" >"$S/oplog.cut" &&
	rm "$S/oplog.key" && rec_ >out &&
	grep -q "; 13 bytes after seq $((GOOD - 2)) did not verify .*; oplog.cut: removed=60 bytes after seq $((GOOD - 2))\$" out &&
	grep -q ",-,recover,oplog.csv,ok,.*; oplog.cut: removed=60 bytes after seq $((GOOD - 2))[\",]" "$S/oplog.csv" &&
	! test -e "$S/oplog.cut" &&
	la -u clerk01 -a auth -o after -r ok && lv >/dev/null
'

UID_=$(id -u)
# Nothing to cut, a head slot forged: the record that names it reaches
# the log before a slot is written, so a kill never loses the finding.
after_head_kill() {
	{ la -u clerk01 -a auth -o next -r ok 2>/dev/null ||
	    { rec_ >/dev/null && la -u clerk01 -a auth -o next -r ok; }; } &&
	lv >/dev/null && no_tmp "$S" &&
	grep -q ",-,recover,oplog.csv,ok,by uid=$UID_: head: slot 0: hmac does not verify" "$S/oplog.csv"
}

test_expect_success 'a forged head slot: a kill at every step of the recovery, or in every write' '
	restore good && forge head "$S" 0 $SEAL && save damaged &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
	crash_every "$TMP/damaged" "$S" after_head_kill rec_
'
crash_say

# A state its group reads (README "First day" 8): the bytes a recovery
# cuts are the group's to read like the log they come from; the key it
# rewrites stays the owner's alone.  G: a group the caller may give its
# files, nogroup as root, else one of the caller's other groups.
if [ "$(id -u)" -eq 0 ]; then G=65534; else G=$(id -G | tr " " "\n" | grep -vx "$(id -g)" | head -n 1); fi
if [ -n "$G" ]; then
	test_expect_success 'in a directory its group reads, the bytes cut are saved 0640 with that group' '
		restore good && chgrp -R "$G" "$S" && chmod 750 "$S" &&
		find "$S" -maxdepth 1 -type f ! -name "*.key" -exec chmod 640 {} + &&
		sed -i "s/,a2,ok,/,a9,ok,/" "$S/oplog.csv" &&
		rec_ >out &&
		cut=$(ls "$S" | grep "^oplog-cut-") && test -n "$cut" &&
		test "$(stat -c "%a %g" "$S/$cut")" = "640 $G" &&
		test "$(stat -c %a "$S/oplog.key")" = 600 && lv >/dev/null
	'
	test_expect_success 'in a directory its group reads, the log with its header row back and the line saved are 0640 with that group' '
		restore good && chgrp -R "$G" "$S" && chmod 750 "$S" &&
		find "$S" -maxdepth 1 -type f ! -name "*.key" -exec chmod 640 {} + &&
		sed -i "1s/^seq,/SEQ,/" "$S/oplog.csv" &&
		rec_ >out &&
		hdr=$(ls "$S" | grep "^oplog-header-") && test -n "$hdr" &&
		test "$(stat -c "%a %g" "$S/$hdr")" = "640 $G" &&
		test "$(stat -c "%a %g" "$S/oplog.csv")" = "640 $G" && lv >/dev/null
	'
else
	test_skip 'in a directory its group reads, the bytes cut are saved 0640 with that group' 'missing GROUP: the caller has no second group'
	test_skip 'in a directory its group reads, the log with its header row back and the line saved are 0640 with that group' 'missing GROUP: the caller has no second group'
fi

# Without an open head the kept prefix's closed head goes to the slot that
# holds a closed head of its seq already, never beside it: between that
# write and the next (the new end's), a reader without the lock (a group
# member's follower) would find two closed heads of one seq, which the
# slot rules call damage.  The recovery is killed right there.
slot_seqs() { for o in 0 512; do dd if="$S/oplog.head" bs=1 skip=$o count=512 2>/dev/null |
	tr "\000" "\n" | head -n 1 | sed -n "s/.* seq=\([0-9]*\) .*/\1/p"; done; }
test_expect_success STRACE 'a recovery killed between its two head writes never leaves two closed heads of one seq' '
	for n in 1 2; do
		restore good && la -u clerk01 -a auth -o "c$n" -r ok &&
		{ test $n = 1 || la -u clerk01 -a auth -o "c$n" -r ok; } &&
		last=$(lastseq) && slot_seqs >before && grep -qx "$last" before &&
		tail -n 1 "$S/oplog.csv" | sed "s/^$last,/$((last + 1)),/; s/,c$n,/,forged,/" >>"$S/oplog.csv" &&
		test_must_fail 137 at "$T" strace -f -o /dev/null -e inject=pwrite64:signal=SIGKILL:when=2 \
		    log-append -d "$S" -t cs01 --recover --key-file "$S.key" &&
		slot_seqs >after && test "$(sort -u after | wc -l)" = 2 &&
		lv >out 2>err && grep -q "oplog.head matches" out &&
		rec_ >/dev/null && lv >/dev/null || return 1
	done
'

# The recover record says its findings in English whatever the locale
# (jukisec-log(5), "recover"): the verifier's reason and the head's and
# key's, quoted in it, were Japanese under ja_JP.UTF-8, for good.
. "$SRCDIR/tests/lib-ja.sh"
test_lazy_prereq JALOCALE '
	[ -n "$LOCALEDIR" ] || { echo "LOCALEDIR not known"; exit 1; }
	ja_locale >/dev/null 2>&1 ||
	    { echo "localedef cannot build ja_JP.UTF-8 (locales)"; exit 1; }'
test_expect_success MOUNTNS,JALOCALE 'under ja_JP.UTF-8 the recover record says its findings in English' '
	restore good && la -u clerk01 -a auth -o ja1 -r ok && last=$(lastseq) &&
	tail -n 1 "$S/oplog.csv" | sed "s/^$last,/$((last + 1)),/; s/,ja1,/,forged,/" >>"$S/oplog.csv" &&
	ja_run env LD_PRELOAD=$FAKETIME_LIB FAKETIME="2026-01-02 09:00:00" \
	    log-append -d "$S" -t cs01 --recover --key-file "$S.key" >out 2>err &&
	grep -q "[^ -~]" out &&
	tail -n 1 "$S/oplog.csv" | grep ",recover,oplog.csv,ok,\"by uid=" >rec &&
	grep -q "did not verify (MAC mismatch: record changed, or wrong key)" rec &&
	! grep -q "[^ -~]" rec && lv >/dev/null
'

test_done
