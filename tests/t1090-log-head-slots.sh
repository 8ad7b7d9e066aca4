#!/bin/sh
# oplog.head (jukisec-log(5) "Head", "Writing"): two slots, both always
# authenticated under the key the writer holds after its append, so a head
# can be checked at every moment, right after a seal too.  Intruders without
# the key act on the files as they could (tests/logforge.py, dd, cp): every
# state no crash leaves is refused by the next writer (exit 3, one line,
# nothing written) and fails log-verify (exit 1).  Crashes stay harmless.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
init_at "$S" 2026-01-01T00:00:00Z
forge() { python3 "$SRCDIR/tests/logforge.py" "$@"; }
# forges CMD ARG... [-- CMD ARG...]...: forge's commands in turn, as
# forge ... && forge ... does, in one python3 (pyrun.py: its start costs
# more than the command).
forges() {
	for _a; do
		if [ "$_a" = -- ]; then echo; else printf '%s\t' "$_a"; fi
	done | sed 's/\t$//' | python3 "$SRCDIR/tests/pyrun.py" -e "$SRCDIR/tests/logforge.py"
}
la() { at "$T" log-append -d "$S" -t cs01 "$@"; }
lv() { log-verify -d "$S" -k "$S.key" --now "$T" "$@"; }
indep() { python3 "$SRCDIR/tests/indepverify.py" --now "$T" --dir "$S" "$S.key"; }
# slot N: slot N's line (NULs dropped).  tear N: slot N made unreadable.
slot() { dd if="$S/oplog.head" bs=512 skip="$1" count=1 2>/dev/null | tr -d '\000'; }
tear() { printf 'xxxx' | dd of="$S/oplog.head" bs=1 seek=$(($1 * 512)) conv=notrunc 2>/dev/null; }
seqof() { slot "$1" | sed -n "s/.* seq=\([0-9]*\) .*/\1/p"; }
# newer: the slot of the higher seq (a tr and an awk: both slots' lines end
# in an LF, their NULs dropped).
newer() {
	tr -d '\000' <"$S/oplog.head" |
	    awk 'match($0, / seq=[0-9]+ /) { s[NR - 1] = substr($0, RSTART + 5, RLENGTH - 6) + 0 }
		END { print (s[0] > s[1] ? 0 : 1) }'
}
lastseq() { tail -1 "$S/oplog.csv" | cut -d, -f1; }
save() { rm -rf "$TMP/$1" && cp -a "$S" "$TMP/$1"; }
restore() { rm -rf "$S" && cp -a "$TMP/$1" "$S"; }
# The token a malformed slot's message names, when one did not read.
F=" ?(\\(field [a-z]+\\))?"
# refused: the next writer refuses (3) in one line and writes nothing, and
# log-verify fails (1).
# (The three files copied in one cp, not the directory: it runs some
# hundred times.)
mkdir "$TMP/r"
refused() {
	(cd "$S" && cp oplog.csv oplog.head oplog.key "$TMP/r/") &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
	one_line_matching err "$1" &&
	for f in oplog.csv oplog.head oplog.key; do cmp "$S/$f" "$TMP/r/$f" || return 1; done &&
	test_must_fail 1 lv 2>err
}

T=2026-01-01T09:00:00Z
la -u clerk01 -a auth -o a1 -r ok
la -u clerk01 -a auth -o a2 -r ok
save day0
T=2026-01-02T00:17:00Z
la --seal		# cron: epoch 0 sealed, the key is at epoch 1
T=2026-01-02T09:00:00Z
SEAL=$(lastseq)
la -u clerk01 -a auth -o b1 -r ok
la -u clerk01 -a auth -o b2 -r ok
la -u clerk01 -a auth -o b3 -r ok
save good

test_expect_success 'jukisec-init writes both slots; every append writes the other one' '
	rm -rf i && init_at "$TMP/i" 2026-01-01T00:00:00Z &&
	test "$(wc -c <i/oplog.head)" -eq 1024 &&
	dd if=i/oplog.head bs=512 count=1 2>/dev/null | grep -q "^jukisec-log-head v2 seq=0 .* kepoch=0 hmac=" &&
	dd if=i/oplog.head bs=512 skip=1 2>/dev/null | grep -q "^jukisec-log-head v2 open seq=0 " &&
	n=$(newer) && la -u a -a one && test "$(newer)" -ne "$n" &&
	test $(( $(seqof 0) - $(seqof 1) )) -eq 1 -o $(( $(seqof 1) - $(seqof 0) )) -eq 1 &&
	lv >/dev/null && restore good
'

test_expect_success 'right after a seal the head names the next key epoch' '
	restore good &&
	grep -q " epoch=1 " "$S/oplog.key" &&
	slot "$(newer)" | grep -q " kepoch=1 "
'

test_expect_success 'finding 1: records cut after a seal, a head naming the seal forged without the key' '
	restore good &&
	forges cut "$S" $SEAL -- head "$S" 0 $SEAL && tear 1 &&
	refused "oplog.head: slot 1: malformed head$F; run log-verify, then log-append --recover" &&
	restore good &&
	forges cut "$S" $SEAL -- head "$S" 0 $SEAL -- head "$S" 1 $((SEAL - 1)) &&
	refused "oplog.(head: slot [01]: hmac does not verify|key: key of epoch 1 is ahead)" &&
	restore good &&
	forges cut "$S" $SEAL -- head "$S" 0 $SEAL -- head "$S" 1 $SEAL open &&
	refused "oplog.head: slot [01]: hmac does not verify" &&
	restore good
'

test_expect_success 'the last append removed without the key: the older slot copied over the newer' '
	restore good &&
	n=$(newer) && o=$((1 - n)) &&
	forge cut "$S" "$(seqof $o)" &&
	dd if="$S/oplog.head" bs=512 skip=$o count=1 2>/dev/null >older &&
	dd if=older of="$S/oplog.head" bs=512 seek=$n conv=notrunc 2>/dev/null &&
	refused "both slots hold a closed head of the same seq" &&
	restore good
'

test_expect_success 'the last append removed without the key: the newer slot torn or zeroed' '
	restore good &&
	n=$(newer) && o=$((1 - n)) &&
	forge cut "$S" "$(seqof $o)" && tear $n &&
	refused "slot $n: malformed head" && restore good &&
	forge cut "$S" "$(seqof $o)" &&
	dd if=/dev/zero of="$S/oplog.head" bs=512 seek=$n count=1 conv=notrunc 2>/dev/null &&
	refused "slot $n: malformed head" && restore good
'

test_expect_success 'log and head put back from an earlier key epoch: the key is ahead, refused' '
	restore good &&
	cp "$TMP/day0/oplog.csv" "$TMP/day0/oplog.head" "$S/" &&
	refused "oplog.key: key of epoch 1 is ahead of the head.s \(epoch 0\)" &&
	restore good
'

# The same rollback, its key file removed too (no key needed to do it):
# the verifiers fail it, as the writers refuse it.
test_expect_success 'log and head put back from an earlier key epoch, oplog.key removed: fails' '
	restore good &&
	cp "$TMP/day0/oplog.csv" "$TMP/day0/oplog.head" "$S/" && rm "$S/oplog.key" &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "^log-verify: oplog.key: missing: a log and head put back from an earlier copy would pass unseen$" &&
	restore good
'

# oplog.key's schedule (t0=, epoch_seconds=) edited by hand, its key left
# as it is: the writers took it, sealed on the new schedule (epochs of 60
# seconds: seals for every minute since t0 and the key moved on, the real
# key gone) and broke the log.  Refused as log-verify names it: the head's
# times are not in its epochs under that schedule, or the genesis record
# names another t0 or epoch_seconds (a t0 one millisecond off).
for e in "s/epoch_seconds=86400/epoch_seconds=60/" \
    "s/t0=2026-01-01T00:00:00.000Z/t0=2025-12-28T00:00:00.000Z/" \
    "s/t0=2026-01-01T00:00:00.000Z/t0=2026-01-01T00:00:00.001Z/"; do
test_expect_success "oplog.key's schedule edited by hand ($e): refused, nothing written" '
	restore good &&
	grep -q "t0=2026-01-01T00:00:00.000Z epoch_seconds=86400 " "$S/oplog.key" &&
	sed -i "'"$e"'" "$S/oplog.key" &&
	refused "oplog.key: the key of another log; run log-verify, then log-append --recover" &&
	one_line_matching err "^log-verify: oplog.key: the key of another log\$" &&
	restore good
'
done

# jukisec-log(5) "Head": the slot that is not the head names a K from its
# own E up to the head's, and the key file is never ahead of either slot
# (a writer re-signs the slot left behind before it moves oplog.key).  A
# genuine slot of an earlier key epoch copied back beside the head (no key
# needed, only an old copy of oplog.head) is what every writer refuses:
# log-verify, log-show -k and the audit fail it too, naming oplog.head.
test_expect_success 'a genuine slot of an earlier key epoch put back beside the head: fails' '
	restore good &&
	n=$(newer) && o=$((1 - n)) &&
	dd if="$TMP/day0/oplog.head" of="$S/oplog.head" bs=512 skip=$o seek=$o count=1 \
	    conv=notrunc 2>/dev/null &&
	slot $o | grep -q " epoch=0 .* kepoch=0 " && slot $n | grep -q " kepoch=1 " &&
	refused "oplog.key: key of epoch 1 is ahead of the head.s \(epoch 0\): files restored or replaced" &&
	one_line_matching err "^log-verify: oplog.head: slot $o: names key epoch 0, behind oplog.key.s epoch 1: put back from an earlier copy\$" &&
	test_must_fail 1 indep >iv && grep -qx "bad: oplog.key: ahead of a slot" iv &&
	test_must_fail 1 log-show -d "$S" -k "$S.key" --now "$T" >out 2>err &&
	one_line_matching err "^log-show: oplog.head: slot $o: names key epoch 0, behind oplog.key.s epoch 1" &&
	ast=0 && at "$T" jukisec-audit -d "$S" --key-file "$S.key" --format csv >a.csv 2>err || ast=$? &&
	test $ast -eq 1 &&
	grep "^R6,log-verify,FAIL," a.csv | grep -qF "oplog.head: slot $o: names key epoch 0, behind" &&
	restore good
'

# A slot names the key epoch its writer held after the append, never
# below its record's (K(E) MACed that record): one that does is forged,
# however its hmac verifies under the K it names.  Every reader refuses it
# as it refuses a slot that breaks the other slot rules.
test_expect_success 'a slot whose K is below its own E: every reader refuses it' '
	restore good &&
	n=$(newer) && o=$((1 - n)) &&
	cp "$TMP/day0/oplog.key" "$S/oplog.key" &&
	forge head "$S" $o $((SEAL + 1)) kepoch=0 "$TMP/day0/oplog.key" &&
	slot $o | grep -q " epoch=1 .* kepoch=0 " &&
	refused "^log-append: $S/oplog.head: slot $o: names key epoch 0, below its epoch 1; run log-verify, then log-append --recover\$" &&
	one_line_matching err "^log-verify: oplog.head: slot $o: names key epoch 0, below its epoch 1\$" &&
	test_must_fail 1 indep >iv && grep -qx "bad: oplog.head: K below E in slot $o" iv &&
	test_must_fail 1 log-show -d "$S" --now "$T" >out 2>err &&
	one_line_matching err "^log-show: $S/oplog.head: slot $o: names key epoch 0, below its epoch 1\$" &&
	test_must_fail 3 at "$T" log-prune -d "$S" --discard 2>err &&
	one_line_matching err "^log-prune: $S/oplog.head: slot $o: names key epoch 0, below its epoch 1;" &&
	restore good
'

test_expect_success 'an anchor taken earlier catches a rollback within the epoch' '
	restore good &&
	lv --head >anchor && save before &&
	la -u clerk01 -a auth -o b4 -r ok &&
	lv --head >anchor2 &&
	rm -rf "$S" && cp -a "$TMP/before" "$S" && cp "$TMP/good/oplog.key" "$S/" &&
	lv >/dev/null &&
	test_must_fail 1 lv --anchor "$(cat anchor2)" 2>err &&
	one_line_matching err "before the anchor.s seq .*: tail truncated" &&
	restore good
'

test_expect_success 'after a lost head (power loss), whole records after it verify and are taken in' '
	restore good &&
	cp "$S/oplog.head" old.head &&
	la -u a -a lost1 && la -u a -a lost2 &&
	cp old.head "$S/oplog.head" &&
	lv >/dev/null &&
	la -u a -a after-lost &&
	! grep -q ",-,repair," "$S/oplog.csv" &&
	grep -q ",a,lost1," "$S/oplog.csv" && grep -q ",a,lost2," "$S/oplog.csv" &&
	lv >/dev/null && save good
'

test_expect_success 'a torn last write after the head is cut, and the cut logged' '
	restore good &&
	printf "99,2026-01-02T09:00:00.000Z,cs01,a,x" >>"$S/oplog.csv" &&
	la -u a -a after-torn &&
	tail -2 "$S/oplog.csv" | head -1 | grep -q ",-,repair,oplog.csv,ok,removed=36 bytes after seq" &&
	lv >/dev/null && save good
'

test_expect_success 'a whole line after the head that does not chain is refused, not cut' '
	restore good &&
	cp "$S/oplog.head" old.head && la -u a -a seven && cp old.head "$S/oplog.head" &&
	sed -i "\$s/,a,seven,/,a,sevem,/" "$S/oplog.csv" &&
	last=$(wc -l <"$S/oplog.csv") &&
	refused "oplog.csv:$last: a line after the head \(seq [0-9]+\) that no writer takes in: not the next record chained under the head.s key epoch, or a special one" &&
	restore good
'

# The head's count is the number of records up to its own, after the
# header row (line 1): the line of the head's record and of the one after
# it are known without counting the lines of a log of gigabytes.
refused_at() {
	refused "^log-append: $S/oplog.csv:$1: field seq: not a decimal number; run log-verify, then log-append --recover\$"
}

test_expect_success 'a damaged record at the head, or a line after it, is refused naming its line' '
	restore good &&
	head=$(wc -l <"$S/oplog.csv") &&
	sed -i "\$s/^[0-9]/x/" "$S/oplog.csv" && refused_at $head &&
	test_must_fail 3 at "$T" log-prune -d "$S" --discard 2>err &&
	one_line_matching err "^log-prune: $S/oplog.csv:$head: field seq: not a decimal number;" &&
	restore good &&
	cp "$S/oplog.head" old.head && la -u a -a eight && cp old.head "$S/oplog.head" &&
	sed -i "\$s/^[0-9]/x/" "$S/oplog.csv" && refused_at $((head + 1)) &&
	restore good
'

test_expect_success 'after a prune the line is still the one the head counts, not seq + 2' '
	restore good &&
	prune "$S" 2027-03-01T00:00:00Z -a "$TMP/a1090.csv" >/dev/null &&
	T=2027-03-01T09:00:00Z && la -u clerk01 -a auth -o c1 -r ok &&
	last=$(wc -l <"$S/oplog.csv") && test $(($(lastseq) + 2)) -ne $last &&
	lv >/dev/null &&
	sed -i "\$s/^[0-9]/x/" "$S/oplog.csv" && refused_at $last &&
	restore good
'

# Every writer reads the header row before it writes, as log-prune does:
# one pread of its length at offset 0, the cost of an append unchanged.  A
# file that does not begin with it is not an operation log (a collector's
# copy starts with a record, but none is ever a writer's oplog.csv).
# log-append --recover puts the header row back, and the refusal says so
# as the others do.
test_expect_success 'a changed header row: every writer refuses it with log-prune.s line' '
	restore good &&
	sed -i "1s/_v[12]\$/_v3/" "$S/oplog.csv" && save nohdr &&
	hdr="$S/oplog.csv:1: not an operation log \(header row\); run log-verify, then log-append --recover\$" &&
	refused "^log-append: $hdr" &&
	test_must_fail 3 la --seal 2>err && one_line_matching err "^log-append: $hdr" &&
	echo "clerk01,auth,x,ok," | test_must_fail 3 la --stdin 2>err &&
	one_line_matching err "^log-append: $hdr" &&
	test_must_fail 3 at "$T" log-prune -d "$S" --discard 2>err &&
	one_line_matching err "^log-prune: $hdr" &&
	test_must_fail 3 at "$T" log-prune -d "$S" --discard --dry-run 2>err &&
	one_line_matching err "^log-prune: $hdr" &&
	printf "x\n" >pw && chmod 600 pw &&
	test_must_fail 3 at "$T" auth-check -d "$S" -u nobody --password-fd 3 3<pw 2>err &&
	grep -Eq "^auth-check: $hdr" err &&
	sed -i "s/^kdf_memory_kib = .*/kdf_memory_kib = 19456/; s/^kdf_time = .*/kdf_time = 2/" \
	    "$S/jukisec.conf" && cp "$S/jukisec.conf" "$TMP/nohdr/" &&
	test_must_fail 3 at "$T" operator-add -d "$S" -i boss -n Boss -r manager -m password \
	    --reason "no reader yet" --instructions-given 2026-01-01 --password-fd 3 3<pw 2>err &&
	grep -Eq "^operator-add: $hdr" err && ! test -s "$S/operators.csv" &&
	for f in oplog.csv oplog.head oplog.key; do cmp "$S/$f" "$TMP/nohdr/$f" || exit 1; done &&
	test_must_fail 1 lv 2>err && one_line_matching err "^log-verify: oplog.csv:1: missing header row\$" &&
	at "$T" log-append -d "$S" --recover --key-file "$S.key" >out &&
	grep -q "header row restored (line 1 saved to oplog-header-" out && lv >/dev/null &&
	restore good
'

test_expect_success 'a key file ahead of the head, or another key, is refused' '
	restore good &&
	python3 -c "
import hashlib, hmac, re, sys
p = sys.argv[1]; s = open(p).read()
k = bytes.fromhex(re.search(r\"key=([0-9a-f]{64})\", s).group(1))
e = int(re.search(r\" epoch=([0-9]+) \", s).group(1))
k = hmac.new(k, b\"jukisec-log-v1 evolve\", hashlib.sha256).hexdigest()
open(p, \"w\").write(re.sub(r\" epoch=[0-9]+ key=[0-9a-f]{64}\", \" epoch=%d key=%s\" % (e + 1, k), s))
" "$S/oplog.key" &&
	refused "oplog.key: key of epoch 2 is ahead of the head.s \(epoch 1\)" && restore good &&
	rm -rf "$TMP/other" && init_at "$TMP/other" 2026-01-01T00:00:00Z &&
	at 2026-01-02T00:17:00Z log-append -d "$TMP/other" --seal &&
	cp "$TMP/other/oplog.key" "$S/oplog.key" &&
	refused "hmac does not verify" && restore good
'

# A slot's K is where the reader evolves the key to before it checks the
# slot's hmac: one beyond the verification time's epoch (which no writer
# writes, and no record after it can carry) is refused as it is, not after
# evolving K0 that far (10^12 HMACs: hours).
test_expect_success 'a slot naming a key epoch beyond the verification time: refused at once' '
	restore good && n=$(newer) &&
	python3 -c "
import re, sys
p, n = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, \"rb\").read())
s = b[n * 512:(n + 1) * 512].rstrip(b\"\\0\").decode()
s = re.sub(r\" kepoch=[0-9]+ \", \" kepoch=999999999999 \", s)
b[n * 512:(n + 1) * 512] = s.encode().ljust(512, b\"\\0\")
open(p, \"wb\").write(b)
" "$S/oplog.head" $n &&
	slot $n | grep -q " kepoch=999999999999 " &&
	test_must_fail 1 timeout 20 log-verify -d "$S" -k "$S.key" --now "$T" 2>err &&
	one_line_matching err "^log-verify: oplog.head: slot $n: names key epoch 999999999999, beyond the verification time.s [0-9]*\$" &&
	test_must_fail 3 at "$T" timeout 20 log-append -d "$S" -t cs01 -u - -a probe 2>err &&
	grep -q "beyond the clock" err &&
	restore good
'

test_expect_success 'log-verify checks each slot under the key of its own epoch, and names the forged one' '
	restore good &&
	n=$(newer) && o=$((1 - n)) &&
	forge head "$S" $o $((SEAL - 1)) "$TMP/day0/oplog.key" &&
	slot $o | grep -q " kepoch=0 hmac=" && slot $n | grep -q " kepoch=1 hmac=" &&
	cp "$TMP/day0/oplog.key" "$S/oplog.key" &&	# as a crash leaves it: key not moved yet
	lv >/dev/null && save mixed &&
	forge head "$S" $o $((SEAL - 1)) &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.head: slot $o: head hmac does not verify" && restore mixed &&
	forge head "$S" $n "$(seqof $n)" &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.head: slot $n: head hmac does not verify" &&
	forge head "$S" $o $((SEAL - 1)) &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.head: slot 0: head hmac does not verify" &&
	restore good
'

# oplog.key with the same epoch and another key (what a restored or
# planted key file would hold).
other_key() {
	python3 -c "
import re, sys
p = sys.argv[1]; s = open(p).read()
open(p, \"w\").write(re.sub(r\"key=([0-9a-f])\", lambda m: \"key=%x\" % (int(m.group(1), 16) ^ 1), s))
" "$1"
}

test_expect_success 'log-verify checks the key file against the verification key, also right after a seal' '
	restore day0 && T=2026-01-02T00:17:00Z && la --seal &&
	tail -1 "$S/oplog.csv" | grep -q ",-,seal,0,ok," && grep -q " epoch=1 " "$S/oplog.key" &&
	lv >/dev/null &&
	other_key "$S/oplog.key" &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.key: not the key of its epoch under this verification key" &&
	restore good && T=2026-01-02T09:00:00Z && lv >/dev/null && other_key "$S/oplog.key" &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.key: not the key of its epoch under this verification key" &&
	restore good
'

test_expect_success 'both slots unreadable: exit 3, nothing written' '
	restore good &&
	tear 0 && tear 1 &&
	refused "oplog.head: malformed head" && restore good
'

test_expect_success 'a version 1 head (an older log): log-verify reads it, writers refuse it' '
	restore good &&
	forge headv1 "$S" "$(lastseq)" "$S/oplog.key" &&
	test "$(wc -l <"$S/oplog.head")" -eq 1 &&
	lv >/dev/null && cp -a "$S" v1 &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
	one_line_matching err "oplog.head: a head of version 1, which the current key cannot check" &&
	cmp v1/oplog.csv "$S/oplog.csv" && cmp v1/oplog.head "$S/oplog.head" &&
	lv >/dev/null
'

# Two version 1 slots: the higher seq is the head, the v2 rules for two
# slots (no two open, no two closed of one seq) are not theirs; a v1 slot
# beside a v2 slot is refused (jukisec-log(5), "Head").
test_expect_success 'two version 1 slots: the higher seq rules; beside a version 2 slot: refused' '
	restore good && head -c 512 "$S/oplog.head" >v2.slot &&
	n=$(lastseq) &&
	forge headv1 "$S" "$n" "$S/oplog.key" && cp "$S/oplog.head" v1.last &&
	forge headv1 "$S" "$((n - 1))" "$S/oplog.key" && cp "$S/oplog.head" v1.prev &&
	truncate -s 512 v1.last v1.prev &&
	for pair in "v1.prev v1.last" "v1.last v1.prev" "v1.last v1.last"; do
		cat $pair >"$S/oplog.head" && lv >out || return 1
		grep -q "oplog.head matches" out || return 1
	done &&
	for pair in "v2.slot v1.last" "v1.last v2.slot"; do
		cat $pair >"$S/oplog.head" && test_must_fail 1 lv 2>err || return 1
		one_line_matching err "^log-verify: oplog.head: head slots of two versions\$" || return 1
	done &&
	restore good
'

# A version 1 head has no kepoch: its K is the page's, E, or E+1 when its
# record is a seal, and the key file may not be ahead of it (jukisec-log(5),
# "Verification"): the log and a v1 head put back from an earlier copy.
test_expect_success 'a version 1 head rolled back behind the key file: refused, as a v2 one' '
	restore good &&
	a2=$(grep -n ",a2," "$S/oplog.csv" | cut -d: -f1) && a2=$((a2 - 2)) &&
	forges cut "$S" "$SEAL" -- headv1 "$S" "$SEAL" "$TMP/day0/oplog.key" &&
	lv >/dev/null &&
	forges cut "$S" "$a2" -- headv1 "$S" "$a2" "$TMP/day0/oplog.key" &&
	test_must_fail 1 lv 2>err &&
	one_line_matching err "oplog.key: key of epoch 1 is ahead of the head.s [(]epoch 0[)]: the log and its head were put back from an earlier copy" &&
	cp "$TMP/day0/oplog.key" "$S/oplog.key" && lv >/dev/null &&
	restore good
'

# jukisec-log(5) "Head": a slot is one line in one spelling, its tokens in
# the page's order, one space apart, "open " only after "v2 ", its numbers
# as every number of the log's files (no sign, no leading zero), nothing
# after the last token but the LF and the NULs.  The hmac covers the
# values, not the line, so a head with two tokens swapped keeps a valid
# hmac: a reader that took it would go by a head that a verifier built
# from the page refuses.  Every reader refuses such a slot as one that
# does not parse, as the independent verifier does.
# respell N SED: slot N's line through sed, written back NUL-padded; it
# must change.
# (truncate pads the line with the NULs: no pipeline of cat and dd.)
respell() {
	slot "$1" >line.old && sed "$2" line.old >line && ! cmp -s line.old line &&
	truncate -s 512 line &&
	dd if=line of="$S/oplog.head" bs=512 count=1 seek="$1" conv=notrunc 2>/dev/null
}
# restore_head NAME: oplog.head put back from NAME, in a loop whose
# iterations change nothing else (refused found log, head and key as
# they were): a cp instead of rm -rf and cp -a of the directory.
restore_head() { cp "$TMP/$1/oplog.head" "$S/oplog.head"; }
# swaps N: a sed expression for each two neighbouring tokens of slot N
# after "jukisec-log-head v2", that swaps them.
swaps() {
	_k=2 && _w=$(slot "$1" | wc -w) &&
	while [ $_k -le $((_w - 2)) ]; do
		printf "%s\n" "s/^\(\([^ ]* \)\{$_k\}\)\([^ ]*\) \([^ ]*\)/\1\4 \3/" &&
		_k=$((_k + 1))
	done
}
# unparsed N: slot N does not parse for any reader: the writer refuses
# (exit 3, nothing written), log-verify fails (1) naming it, and so does
# the independent verifier.
unparsed() {
	refused "^log-append: $S/oplog.head: slot $1: malformed head$F; run log-verify, then log-append --recover\$" &&
	one_line_matching err "^log-verify: oplog.head: slot $1: malformed head$F\$" &&
	indep_later "bad: oplog.head: slot $1"
}
# indep_later WANT: the head as it is now kept for indep_all, which runs
# the independent verifier on each head kept (with the log and key as
# they are then, which refused found unchanged): exit 1 and the one line
# WANT.  One python3 for the dozens of heads of a test: a start for each
# cost more than all the other checks of a head together.  A test that
# uses it begins with : >heads.list and ends with indep_all.
indep_later() {
	_ik=$((_ik + 1)) && cp "$S/oplog.head" "head.$_ik" && echo "head.$_ik $1" >>heads.list
}
indep_all() {
	while read -r _f _w; do
		printf '@cp\t%s\t%s\n--now\t%s\t--dir\t%s\t%s\n' "$_f" "$S/oplog.head" \
		    "$T" "$S" "$S.key" && echo "1 $_w" >&3 || return 1
	done <heads.list 3>heads.want |
	python3 "$SRCDIR/tests/pyrun.py" "$SRCDIR/tests/indepverify.py" >heads.out &&
	test_cmp heads.want heads.out || return 1
	rm -f heads.list head.*
}

test_expect_success 'a head with two tokens swapped keeps its hmac, and no reader takes it' '
	restore good && : >heads.list &&
	sn=$(newer) && so=$((1 - sn)) && swaps $sn >swaps && test $(wc -l <swaps) -eq 8 &&
	while read -r e; do
		respell $sn "$e" && unparsed $sn && restore_head good || return 1
	done <swaps &&
	respell $so "$(sed -n 1p swaps)" && unparsed $so && restore good &&
	respell $so "$(sed -n 7p swaps)" && unparsed $so && indep_all && restore good &&
	lv >/dev/null && indep >iv && grep -q "^ok " iv
'

test_expect_success 'a swapped head: log-show, log-prune and the audit refuse it as malformed' '
	restore good &&
	sn=$(newer) && respell $sn "$(swaps $sn | sed -n 1p)" &&
	test_must_fail 1 log-show -d "$S" --now "$T" >out 2>err &&
	one_line_matching err "^log-show: $S/oplog.head: slot $sn: malformed head$F\$" &&
	test_must_fail 1 log-show -d "$S" -k "$S.key" --now "$T" >out 2>err &&
	one_line_matching err "^log-show: oplog.head: slot $sn: malformed head$F\$" &&
	test_must_fail 3 at "$T" log-prune -d "$S" --discard 2>err &&
	one_line_matching err "^log-prune: $S/oplog.head: slot $sn: malformed head$F; run log-verify, then log-append --recover\$" &&
	ast=0 && at "$T" jukisec-audit -d "$S" --key-file "$S.key" --format csv >a.csv 2>err || ast=$? &&
	test $ast -eq 1 && test ! -s err &&
	grep -q "^R6,log-head,FAIL,oplog.head," a.csv &&
	grep "^R6,log-verify,FAIL," a.csv | grep -qF "oplog.head: slot $sn: malformed head" &&
	restore good
'

test_expect_success 'an open head: "open " right after "v2 " and nowhere else' '
	restore good &&
	cp "$S/oplog.head" saved.head && forge intent "$S" saved.head "$S/oplog.key" &&
	if slot 0 | grep -q " v2 open "; then sn=0; else sn=1; fi &&
	slot $sn | grep -q "^jukisec-log-head v2 open seq=$(lastseq) " &&
	lv >/dev/null && indep >iv && grep -q "^ok " iv && save open && : >heads.list &&
	swaps $sn >swaps && test $(wc -l <swaps) -eq 9 &&
	while read -r e; do
		respell $sn "$e" && unparsed $sn && restore_head open || return 1
	done <swaps &&
	for e in "s/ v2 open / v2  open /" "s/ v2 open / v2 open  /" "s/ v2 open / v2 opened /" \
	    "s/ v2 open / v2 OPEN /" "s/ v2 open / v2 /; s/\$/ open/"; do
		respell $sn "$e" && unparsed $sn && restore_head open || return 1
	done &&
	so=$((1 - sn)) && respell $so "s/ seq=\([0-9]*\) / seq=\1 open /" && unparsed $so &&
	indep_all && restore good
'

# Each spelling of one slot that is not the page's: blanks, signs, leading
# zeros, a number too long, a time or a MAC in another form, anything
# after the last token.
test_expect_success 'blanks, signs, leading zeros, anything after the last token: malformed' '
	restore good && : >heads.list &&
	so=$((1 - $(newer))) &&
	for e in "s/ seq=/  seq=/" "s/ kepoch=/  kepoch=/" "s/^/ /" "s/ v2 / v2  /" \
	    "s/ erecs=/	erecs=/" "s/ count=/ count=+/" "s/ seq=/ seq=0/" "s/ size=/ size=00/" \
	    "s/ kepoch=/ kepoch=-/" "s/ epoch=0 / epoch=00 /; s/ epoch=1 / epoch=01 /" \
	    "s/ seq=/ seq=1000000000000000000/" "s/ count=/ count= /" \
	    "s/ time=\([^ ]*\)Z / time=\1z /" "s/ time=\([^ ]*\)\.\([0-9]*\)Z / time=\1.\2000Z /" \
	    "s/ mac=\([0-9a-f]\)/ mac=\1\1/" "s/ mac=\([0-9]*\)[a-f]/ mac=\1A/" \
	    "s/\$/ /" "s/\$/x/" "s/\$/ x=1/" "s/\$/\r/" "s/ hmac=/ hmac=\"/; s/\$/\"/" \
	    "s/^jukisec-log-head v2 /jukisec-log-head v02 /" "s/ v2 / v3 /"; do
		respell $so "$e" && unparsed $so && restore_head good || return 1
	done &&
	indep_all && restore good
'

# The page's spelling at the ends of its ranges (18 digits, the first and
# the last millisecond of the time format) is a head to both verifiers:
# each fails on what the head says, neither calls the slot malformed.
test_expect_success 'the page.s spelling at its extremes parses for log-verify and indepverify' '
	restore good &&
	so=$((1 - $(newer))) &&
	for t in 0001-01-01T00:00:00.000Z 9999-12-31T23:59:59.999Z; do
		respell $so "s/ seq=[0-9]* epoch=[0-9]* erecs=[0-9]* count=[0-9]* size=[0-9]* time=[^ ]* / seq=999999999999999999 epoch=999999999999999999 erecs=999999999999999999 count=0 size=999999999999999999 time=$t /" &&
		test_must_fail 1 lv 2>err && ! grep -q "malformed" err &&
		test_must_fail 1 indep >iv && ! grep -q "^bad: oplog.head: slot" iv &&
		test_must_fail 3 la -u clerk01 -a auth -r ok 2>err && ! grep -q "malformed" err &&
		restore good || return 1
	done
'

# A version 2 slot is 512 bytes, its line padded with NULs to the slot's
# end: a file cut inside slot 1, even after its LF, holds no second head.
test_expect_success 'a version 2 slot cut short of its 512 bytes does not parse' '
	restore good &&
	: >heads.list &&
	for len in $((512 + $(slot 1 | wc -c))) 1000 1023; do
		truncate -s $len "$S/oplog.head" &&
		refused "^log-append: $S/oplog.head: slot 1: malformed head$F; run log-verify, then log-append --recover\$" &&
		one_line_matching err "^log-verify: oplog.head: slot 1: malformed head$F\$" &&
		indep_later "bad: oplog.head: not two slots" &&
		restore_head good || return 1
	done &&
	indep_all && restore good
'

# SPEC: a message names the file, line and field: a slot whose token does
# not read names that token.
test_expect_success 'a malformed slot names the token that does not read' '
	restore good &&
	so=$((1 - $(newer))) &&
	for fe in "seq s/ seq=/ seq=0/" "erecs s/ erecs=/  erecs=/" "count s/ count=/ count=+/" \
	    "time s/ time=\([^ ]*\)Z / time=\1z /" "mac s/ mac=\([0-9]*\)[a-f]/ mac=\1A/" \
	    "kepoch s/ kepoch=/ kepoch=-/" "hmac s/\$/ x=1/" \
	    "epoch s/ \(epoch=[0-9]*\) \(erecs=[0-9]*\) / \2 \1 /"; do
		respell $so "${fe#* }" &&
		refused "^log-append: $S/oplog.head: slot $so: malformed head \\(field ${fe%% *}\\); run log-verify" &&
		one_line_matching err "^log-verify: oplog.head: slot $so: malformed head \\(field ${fe%% *}\\)\$" &&
		restore_head good || return 1
	done &&
	respell $so "s/ v2 / v3 /" &&
	refused "^log-append: $S/oplog.head: slot $so: malformed head; run log-verify" &&
	restore good
'

# A version 1 head (an older log's) has one spelling too; its file may be
# one line, and a slot that does not parse is ignored (jukisec-log(5)
# "Head"): a line spelled otherwise is no head.
test_expect_success 'a version 1 head in another order or spelling is no head' '
	restore good &&
	forge headv1 "$S" "$(lastseq)" "$S/oplog.key" && lv >/dev/null && save v1 &&
	for e in "s/ \(seq=[0-9]*\) \(epoch=[0-9]*\) / \2 \1 /" \
	    "s/ \(mac=[0-9a-f]*\) \(hmac=[0-9a-f]*\)\$/ \2 \1/" \
	    "s/ \(size=[0-9]*\) \(time=[^ ]*\) / \2 \1 /" \
	    "s/ v1 / v1 open /; s/ \(open\) \(seq=[0-9]*\) / \2 \1 /" \
	    "s/ count=/ count=0/" "s/ seq=/  seq=/" "s/\$/ /" "s/ mac=/ kepoch=1 mac=/"; do
		sed "$e" "$TMP/v1/oplog.head" >"$S/oplog.head" &&
		! cmp -s "$S/oplog.head" "$TMP/v1/oplog.head" &&
		test_must_fail 1 lv 2>err &&
		one_line_matching err "^log-verify: oplog.head: malformed head$F\$" &&
		test_must_fail 3 la -u clerk01 -a auth -r ok 2>err &&
		one_line_matching err "^log-append: $S/oplog.head: malformed head$F; run log-verify, then log-append --recover\$" &&
		restore v1 || return 1
	done &&
	sed "s/ v1 / v1 open /" "$TMP/v1/oplog.head" >"$S/oplog.head" && lv >/dev/null &&
	restore good
'

# Writers killed at every step of an append: t1050 (tests/lib-crash.sh).

test_done
