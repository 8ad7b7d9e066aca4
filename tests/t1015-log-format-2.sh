#!/bin/sh
# Log format 2 (jukisec-log(5) "Formats"): jukisec-init --format 2 makes a
# log whose records carry IV || GMAC-AES-256 tag; every tool takes the
# format from the log's header row, the independent verifier (OpenSSL's
# GMAC, not libgcrypt's) agrees, IVs never repeat, a format 1 log goes on
# as it was, and a log of two formats is damage.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
H2=seq,time,terminal,operator,action,object,result,detail,epoch,gmac_v2
H1=seq,time,terminal,operator,action,object,result,detail,epoch,hmac_v1
at 2022-01-01T00:00:00Z jukisec-init -d "$S" --format 2 >"$S.key" 2>/dev/null &&
chmod 600 "$S.key" &&
sed -i "s/^system_actors = .*/system_actors = clerk01,clerk02/" "$S/jukisec.conf"
forge() { python3 "$SRCDIR/tests/logforge.py" "$@"; }
indep() { python3 "$SRCDIR/tests/indepverify.py" --now "$T" "$@"; }
la() { at "$T" log-append -d "$S" -t cs01 "$@"; }
lv() { log-verify -d "$S" -k "$S.key" --now "$T" "$@"; }
lastseq() { tail -1 "$S/oplog.csv" | cut -d, -f1; }
ivs() { tail -n +2 "$1" | grep -v "^seq," | awk -F, '{ print substr($NF, 1, 32) }'; }

test_expect_success 'jukisec-init --format 2: the header row names gmac_v2, the genesis format=2' '
	head -1 "$S/oplog.csv" | grep -qx "$H2" &&
	sed -n 2p "$S/oplog.csv" | grep -q ",-,genesis,,ok,format=2 epoch_seconds=86400,0,[0-9a-f]\{64\}$" &&
	for f in 3 0 02 +2 " 2" 2x ""; do
		test_must_fail 2 jukisec-init -d "$TMP/x" --format "$f" 2>err &&
		one_line_matching err "^jukisec-init: --format .*: invalid \(1 or 2\)$" &&
		test ! -e "$TMP/x/oplog.csv" || exit 1
	done
'

T=2022-01-01T09:00:00Z
la -u clerk01 -a auth -o a1 -r ok
printf 'clerk01,view,r%d,ok,"d, ""%d"""\n' 1 1 2 2 3 3 | la --stdin
T=2022-03-01T00:00:00Z
la --seal
T=2022-03-01T09:00:00Z
padded "$S" "$T" 1000 resident/1 "a detail" 40 2>/dev/null

test_expect_success 'append, --stdin batch and seals: log-verify and the independent verifier agree' '
	lv >out && grep -q "^ok: " out &&
	indep --dir "$S" "$S.key" >out && grep -q "^ok " out &&
	test "$(grep -c ",-,seal," "$S/oplog.csv")" -gt 50
'

test_expect_success 'every record has its own IV (a batch of a thousand included)' '
	ivs "$S/oplog.csv" >iv && test "$(wc -l <iv)" -gt 1000 &&
	test "$(sort -u iv | wc -l)" -eq "$(wc -l <iv)"
'

# flip FILE LINE POS: the POS-th character from the end of LINE (1: the
# last) turned into another hex digit.
flip() {
	awk -v n="$2" -v p="$3" 'NR == n { i = length($0) - p + 1; c = substr($0, i, 1)
		c = index("0123456789abcdef", c) % 16; $0 = substr($0, 1, i - 1) \
		substr("0123456789abcdef", c + 1, 1) substr($0, i + 1) } { print }' "$1" >"$1.t" &&
	mv "$1.t" "$1"
}

test_expect_success 'a byte changed in a record, its IV or its tag: exit 1 naming it' '
	cp -a "$S" "$TMP/good" && ln=$(grep -n ",r2," "$S/oplog.csv" | cut -d: -f1) &&
	for e in field 64 33 32 1; do
		cp "$TMP/good/oplog.csv" "$S/oplog.csv" &&
		if [ $e = field ]; then sed -i "${ln}s/,r2,/,r9,/" "$S/oplog.csv"
		else flip "$S/oplog.csv" $ln $e; fi &&
		! cmp -s "$S/oplog.csv" "$TMP/good/oplog.csv" &&
		test_must_fail 1 lv 2>err &&
		one_line_matching err "^log-verify: oplog.csv:$ln: seq $((ln - 2)): MAC mismatch" &&
		test_must_fail 1 indep --dir "$S" "$S.key" >/dev/null || exit 1
	done &&
	cp "$TMP/good/oplog.csv" "$S/oplog.csv" && lv >/dev/null
'

test_expect_success 'log-show -k and jukisec-audit --key-file read it' '
	log-show -d "$S" -k "$S.key" --now "$T" --format raw >out && cmp out "$S/oplog.csv" &&
	log-show -d "$S" --format json | head -1 | grep -q "\"gmac_v2\":\"[0-9a-f]\{64\}\"" &&
	{ at "$T" jukisec-audit -d "$S" --key-file "$S.key" --lang en >out 2>&1 || :; } &&
	grep -q "PASS.*The verification key shows the records unchanged" out
'

A=$TMP/archive.csv
F1=$TMP/f1
# format 1 named, not the default, so that JUKISEC_TEST_FORMAT=2 leaves it
at 2022-01-01T00:00:00Z "$JUKISEC_BUILD/jukisec-init" -d "$F1" --format 1 >"$F1.key" 2>/dev/null &&
chmod 600 "$F1.key" && sed -i "s/^system_actors = .*/system_actors = clerk01,clerk02/" "$F1/jukisec.conf" &&
at 2022-01-01T09:00:00Z log-append -d "$F1" -u clerk01 -a auth -r ok &&
at 2023-06-01T00:00:00Z log-append -d "$F1" --seal
T=2023-06-01T00:00:00Z
la --seal
test_expect_success 'log-prune --archive: the archive has the log header row, and both verify as one chain' '
	at "$T" log-prune -d "$S" -a "$A" >out &&
	head -1 "$A" | grep -qx "$H2" && head -1 "$S/oplog.csv" | grep -qx "$H2" &&
	grep -q ",-,log-prune,oplog.csv,ok,removed=0-" "$S/oplog.csv" &&
	lv "$A" "$S/oplog.csv" >out && grep -q "^ok: " out && lv >/dev/null &&
	indep --dir "$S" "$S.key" "$A" "$S/oplog.csv" >out && grep -q "^ok " out &&
	la -u clerk01 -a auth -o after-prune -r ok && lv >/dev/null
'

test_expect_success 'a seq cut and written again after --recover has a fresh IV' '
	cp -a "$S" "$TMP/beforecut" && seq=$(lastseq) &&
	forge cut "$S" $((seq - 1)) &&
	test_must_fail 3 la -u clerk01 -a auth -r ok 2>/dev/null &&
	la --recover --key-file "$S.key" >out &&
	lv >/dev/null && indep --dir "$S" "$S.key" >out && grep -q "^ok " out &&
	old=$(grep "^$seq," "$TMP/beforecut/oplog.csv" | awk -F, "{ print substr(\$NF, 1, 32) }") &&
	new=$(grep "^$seq," "$S/oplog.csv" | awk -F, "{ print substr(\$NF, 1, 32) }") &&
	test -n "$old" && test -n "$new" && test "$old" != "$new"
'

test_expect_success 'a pruned log'"'"'s header row damaged or removed: --recover puts back gmac_v2' '
	cp -a "$S" "$TMP/headed" && n=$(wc -l <"$S/oplog.csv") &&
	for e in "1s/gmac_v2\$/gmac_v/" 1d; do
		rm -rf "$S" && cp -a "$TMP/headed" "$S" && sed -i "$e" "$S/oplog.csv" &&
		test_must_fail 3 la -u clerk01 -a auth -r ok 2>/dev/null &&
		la --recover --key-file "$S.key" >out && grep -q "header row restored" out &&
		head -1 "$S/oplog.csv" | grep -qx "$H2" && test "$(wc -l <"$S/oplog.csv")" -eq $((n + 1)) &&
		lv >/dev/null && indep --dir "$S" "$S.key" "$A" "$S/oplog.csv" >out && grep -q "^ok " out &&
		rm -f "$S"/oplog-header-* || exit 1
	done
'

test_expect_success 'a header row of the other format: every verifier refuses the log' '
	cp -a "$S" "$TMP/mixed" && sed -i "1s/gmac_v2/hmac_v1/" "$TMP/mixed/oplog.csv" &&
	test_must_fail 1 log-verify -d "$TMP/mixed" -k "$S.key" --now "$T" 2>err &&
	grep -q "MAC mismatch" err &&
	test_must_fail 1 log-verify -k "$S.key" --now "$T" "$A" "$TMP/mixed/oplog.csv" 2>err &&
	one_line_matching err "header row of format 1 in a log of format 2" &&
	test_must_fail 1 indep "$S.key" "$A" "$TMP/mixed/oplog.csv" >/dev/null
'

test_expect_success 'log-prune refuses to add to an archive of the other format' '
	cp "$A" a2.csv && test_must_fail 3 at "$T" log-prune -d "$F1" -a a2.csv 2>err &&
	one_line_matching err "a2.csv: an archive of another format than" && cmp a2.csv "$A" &&
	tail -n +2 "$A" >a3.csv && chmod 600 a3.csv && cp a3.csv a3.orig &&
	test_must_fail 3 at "$T" log-prune -d "$S" -a a3.csv 2>err &&
	one_line_matching err "^log-prune: a3.csv:1: not an operation log \(header row\)$" && cmp a3.csv a3.orig &&
	printf "hello\n" >a4.csv && chmod 600 a4.csv &&
	test_must_fail 3 at "$T" log-prune -d "$S" -a a4.csv 2>err &&
	one_line_matching err "^log-prune: a4.csv:1: not an operation log \(header row\)$" &&
	test "$(cat a4.csv)" = hello
'

test_expect_success 'a format 1 log: its header row, genesis and MACs as before, appended to and verified' '
	head -1 "$F1/oplog.csv" | grep -qx "$H1" &&
	sed -n 2p "$F1/oplog.csv" | grep -q ",format=1 epoch_seconds=86400," &&
	log-verify -d "$F1" -k "$F1.key" --now "$T" >/dev/null &&
	python3 "$SRCDIR/tests/indepverify.py" --now "$T" --dir "$F1" "$F1.key" >out && grep -q "^ok " out
'

test_expect_success 'a header row of the other format fails at its own line, records after it or not' '
	sed -n "2,4p" "$F1/oplog.csv" >copy.csv && head -1 "$A" >>copy.csv &&
	test_must_fail 1 log-verify -k "$F1.key" --now "$T" copy.csv 2>err &&
	one_line_matching err "^log-verify: copy.csv:4: a header row of format 2 in a log of format 1$" &&
	head -1 "$F1/oplog.csv" >h1.csv && hl=$(($(wc -l <"$A") + 1)) &&
	test_must_fail 1 log-verify -k "$S.key" --now "$T" "$A" h1.csv 2>err &&
	one_line_matching err "^log-verify: h1.csv:1: a header row of format 1 in a log of format 2$" &&
	cp "$A" trail.csv && cat h1.csv >>trail.csv &&
	test_must_fail 1 log-verify -k "$S.key" --now "$T" trail.csv 2>err &&
	one_line_matching err "^log-verify: trail.csv:$hl: a header row of format 1 in a log of format 2$" &&
	test_must_fail 1 indep "$S.key" trail.csv >/dev/null
'

test_expect_success 'the live log: a header row after line 1 fails as writers take it, --recover cuts it' '
	rm -rf "$TMP/live" && cp -a "$S" "$TMP/live" && hl=$(($(wc -l <"$S/oplog.csv") + 1)) &&
	head -1 "$S/oplog.csv" >>"$TMP/live/oplog.csv" &&
	test_must_fail 1 log-verify -d "$TMP/live" -k "$S.key" --now "$T" 2>err &&
	one_line_matching err "^log-verify: oplog.csv:$hl: field seq: not a decimal number$" &&
	test_must_fail 3 at "$T" log-append -d "$TMP/live" -u clerk01 -a auth -r ok 2>err &&
	one_line_matching err "oplog.csv:$hl: field seq: not a decimal number" &&
	at "$T" log-append -d "$TMP/live" --recover --key-file "$S.key" >out &&
	grep -q "did not verify (field seq: not a decimal number); saved to oplog-cut-" out &&
	log-verify -d "$TMP/live" -k "$S.key" --now "$T" >/dev/null
'

test_expect_success 'a header row changed to the other format over a genesis: writers refuse, --recover puts it back' '
	rm -rf "$TMP/flip" && cp -a "$F1" "$TMP/flip" && sed -i "1s/hmac_v1\$/gmac_v2/" "$TMP/flip/oplog.csv" &&
	cp "$TMP/flip/oplog.csv" flipped.csv &&
	test_must_fail 3 at "$T" log-append -d "$TMP/flip" -u clerk01 -a auth -r ok 2>err &&
	one_line_matching err "^log-append: $TMP/flip/oplog.csv:1: a header row of format 2 over a genesis record of format 1; run log-verify, then log-append --recover$" &&
	cmp flipped.csv "$TMP/flip/oplog.csv" &&
	at "$T" log-append -d "$TMP/flip" --recover --key-file "$F1.key" >out &&
	grep -q "header row restored (line 1 saved to oplog-header-" out &&
	head -1 "$TMP/flip/oplog.csv" | grep -qx "$H1" &&
	grep -qx "$H2" "$TMP/flip"/oplog-header-* &&
	at "$T" log-append -d "$TMP/flip" -u clerk01 -a auth -r ok &&
	log-verify -d "$TMP/flip" -k "$F1.key" --now "$T" >/dev/null
'

# log-verify names the header row, not the genesis record or the key, in
# the writers' words (exit 1, as for any damage): the live log, a copy of
# it, an archive, and jukisec-audit --key-file, which verifies the same
# way.  Only a genesis record that verifies under its own format clears
# it: one changed instead is still the bad record.
test_expect_success 'a header row changed to the other format over a genesis: log-verify names line 1 as writers do' '
	rm -rf "$TMP/vflip" && cp -a "$F1" "$TMP/vflip" && sed -i "1s/hmac_v1\$/gmac_v2/" "$TMP/vflip/oplog.csv" &&
	w="a header row of format 2 over a genesis record of format 1" &&
	test_must_fail 1 log-verify -d "$TMP/vflip" -k "$F1.key" --now "$T" 2>err &&
	one_line_matching err "^log-verify: oplog.csv:1: $w\$" &&
	cp "$TMP/vflip/oplog.csv" vflip.csv &&
	test_must_fail 1 log-verify -k "$F1.key" --now "$T" vflip.csv 2>err &&
	one_line_matching err "^log-verify: vflip.csv:1: $w\$" &&
	{ at "$T" jukisec-audit -d "$TMP/vflip" --key-file "$F1.key" --lang en >out 2>&1 || :; } &&
	grep -q "^ *- oplog.csv:1: $w\$" out &&
	sed "1s/gmac_v2\$/hmac_v1/" "$A" >a1.csv &&
	test_must_fail 1 log-verify -k "$S.key" --now "$T" a1.csv "$S/oplog.csv" 2>err &&
	one_line_matching err "^log-verify: a1.csv:1: a header row of format 1 over a genesis record of format 2\$" &&
	rm -rf "$TMP/v2" && at 2022-01-01T00:00:00Z jukisec-init -d "$TMP/v2" --format 2 >"$TMP/v2.key" 2>/dev/null &&
	chmod 600 "$TMP/v2.key" && sed -i "1s/gmac_v2\$/hmac_v1/" "$TMP/v2/oplog.csv" &&
	test_must_fail 1 log-verify -d "$TMP/v2" -k "$TMP/v2.key" --now "$T" 2>err &&
	one_line_matching err "^log-verify: oplog.csv:1: a header row of format 1 over a genesis record of format 2\$" &&
	sed "2s/,format=1 /,format=2 /" "$F1/oplog.csv" >g2.csv &&
	test_must_fail 1 log-verify -k "$F1.key" --now "$T" g2.csv 2>err &&
	one_line_matching err "^log-verify: g2.csv:2: seq 0: " &&
	test_must_fail 1 log-verify -k "$TMP/v2.key" --now "$T" vflip.csv 2>err &&
	one_line_matching err "^log-verify: vflip.csv:2: seq 0: "
'

test_expect_success 'a pruned log: its header row changed to the other format is refused by the head, and put back' '
	rm -rf "$TMP/pflip" && cp -a "$S" "$TMP/pflip" && ! grep -q ",genesis," "$TMP/pflip/oplog.csv" &&
	sed -i "1s/gmac_v2\$/hmac_v1/" "$TMP/pflip/oplog.csv" && cp "$TMP/pflip/oplog.csv" pflipped.csv &&
	for c in "log-append -u clerk01 -a auth -r ok" "log-append --seal" "log-prune --discard"; do
		test_must_fail 3 at "$T" $c -d "$TMP/pflip" 2>err &&
		one_line_matching err ": $TMP/pflip/oplog.csv:1: a header row of format 1 under a head of format 2; run log-verify, then log-append --recover$" &&
		cmp pflipped.csv "$TMP/pflip/oplog.csv" || exit 1
	done &&
	at "$T" log-append -d "$TMP/pflip" --recover --key-file "$S.key" >out &&
	grep -q "header row restored (line 1 saved to oplog-header-" out &&
	head -1 "$TMP/pflip/oplog.csv" | grep -qx "$H2" &&
	at "$T" log-append -d "$TMP/pflip" -u clerk01 -a auth -r ok &&
	log-verify -d "$TMP/pflip" -k "$S.key" --now "$T" >/dev/null &&
	indep --dir "$TMP/pflip" "$S.key" >out && grep -q "^ok " out
'

test_expect_success 'the head names its log'"'"'s format: a format 1 head over a format 2 log fails' '
	rm -rf "$TMP/hf" && cp -a "$S" "$TMP/hf" &&
	sed -i "1s/gmac_v2\$/hmac_v1/" "$TMP/hf/oplog.csv" &&
	slot=0 && head -c 512 "$TMP/hf/oplog.head" | grep -aq " seq=$(lastseq) " || slot=1 &&
	python3 "$SRCDIR/tests/logforge.py" head "$TMP/hf" $slot "$(lastseq)" "$TMP/hf/oplog.key" &&
	sed -i "1s/hmac_v1\$/gmac_v2/" "$TMP/hf/oplog.csv" &&
	test_must_fail 1 log-verify -d "$TMP/hf" -k "$S.key" --now "$T" 2>err &&
	one_line_matching err "head hmac does not verify"
'

# A reader accepts any RFC 4180 quoting of the header row's values
# (jukisec-log(5) "Records"): the head's tag is then the format those
# values name, not format 1 because the bytes are not the writers'.
test_expect_success 'a header row in quotes over a format 2 log: its values name the head'"'"'s format' '
	rm -rf "$TMP/hq" && cp -a "$S" "$TMP/hq" &&
	sed -i "1s/^seq,time,/\"seq\",\"time\",/" "$TMP/hq/oplog.csv" &&
	head -1 "$TMP/hq/oplog.csv" | grep -q "^\"seq\",\"time\",terminal," &&
	slot=0 && head -c 512 "$TMP/hq/oplog.head" | grep -aq " seq=$(lastseq) " || slot=1 &&
	forge head "$TMP/hq" $slot "$(lastseq)" "$TMP/hq/oplog.key" &&
	log-verify -d "$TMP/hq" -k "$S.key" --now "$T" >out &&
	grep -q "oplog.head matches" out
'

# A collector's copy (no header row) of a format 2 log: log-show -k takes
# its format from the record that verifies first, and shows every record
# log-verify accepts, once, in that format; raw, all of it verifies again.
# From a pipe the checkpoint cannot be looked for ahead: a pruned copy's
# first record is then not shown, and that is said.
# shown_copy COPY SHOWN: COPY's records shown from seq SHOWN on, raw, csv,
# json and counted, stdin too; the raw output left in out.r.
# shown_copy FILE SEQ [bare]: log-show -k of the copy FILE shows it from
# SEQ on in format 2; raw output has the format 2 header row, or none with
# "bare" (the copy's first record withheld: with one, log-verify would take
# the output for a pruned log whose first record no checkpoint explains).
shown_copy() {
	awk -F, -v s="$2" '$1 >= s' "$1" >want.r &&
	log-show -k "$S.key" --now "$T" --format raw "$1" >out.r 2>err &&
	if [ "${3-}" = bare ]; then cp want.r want; else { echo "$H2"; cat want.r; } >want; fi &&
	test_cmp want out.r &&
	log-show -k "$S.key" --now "$T" --format raw - <"$1" >out 2>>err && test_cmp want out &&
	log-show -k "$S.key" --now "$T" --format csv "$1" >out.c 2>>err &&
	head -1 out.c | grep -q ",gmac_v2$" && test "$(wc -l <out.c)" = "$(($(wc -l <want.r) + 1))" &&
	test "$(sed -n 2p out.c | cut -d, -f1)" = "$2" &&
	log-show -k "$S.key" --now "$T" --format json "$1" >out.j 2>>err &&
	test "$(grep -c "\"gmac_v2\":\"[0-9a-f]\{64\}\"" out.j)" = "$(wc -l <want.r)" &&
	! grep -q hmac_v1 out.j &&
	log-show -k "$S.key" --now "$T" --summary action "$1" >out.s 2>>err &&
	test "$(awk -F, "NR > 1 { n += \$2 } END { print n }" out.s)" = "$(wc -l <want.r)"
}

test_expect_success 'log-show -k of a copy of a pruned format 2 log: its first record shown, in format 2' '
	tail -n +2 "$S/oplog.csv" >pcopy.csv && first=$(head -1 pcopy.csv | cut -d, -f1) &&
	test "$first" -gt 0 && grep -q ",log-prune,oplog.csv,ok,removed=0-$((first - 1)) " pcopy.csv &&
	lv pcopy.csv >out && grep -q "^ok: .*pruned" out &&
	shown_copy pcopy.csv "$first" && test ! -s err && lv out.r >out && grep -q "^ok: .*pruned" out &&
	log-show -k "$S.key" --now "$T" --action "$(head -1 pcopy.csv | cut -d, -f5)" pcopy.csv >out &&
	test "$(sed -n 2p out | cut -d, -f1)" = "$first" &&
	cat pcopy.csv | log-show -k "$S.key" --now "$T" --format raw - >out 2>err &&
	one_line_matching err "^log-show: seq $first: verified only by a checkpoint further on, which standard input cannot be read ahead to; that record is not shown \(give the copy as a file\)\$" &&
	tail -n +2 pcopy.csv >want && test_cmp want out &&
	lv out >v && grep -q "a copy starting at seq $((first + 1))" v
'

test_expect_success 'log-show -k of a copy of a format 2 log from its genesis, or after it: format 2' '
	tail -n +2 "$A" >gcopy.csv && head -1 gcopy.csv | grep -q "^0,.*,genesis," &&
	shown_copy gcopy.csv 0 && test ! -s err && lv out.r >/dev/null &&
	tail -n +4 "$A" >lcopy.csv && s=$(head -1 lcopy.csv | cut -d, -f1) &&
	! grep -q ",log-prune," lcopy.csv && shown_copy lcopy.csv $((s + 1)) bare &&
	lv out.r >v && grep -q "a copy starting at seq $((s + 1))" v &&
	grep -q "seq $s: the copy starts here" err
'

test_expect_success 'a first registration on a log that writers refuse: refused before anything is written' '
	rm -rf "$TMP/boot" && cp -a "$F1" "$TMP/boot" && sed -i "1s/hmac_v1\$/gmac_v2/" "$TMP/boot/oplog.csv" &&
	printf "%s\n" boss-secret-1 >pw.boss && ls -A "$TMP/boot" >before &&
	test_must_fail 3 at "$T" operator-add -d "$TMP/boot" -i boss -n Boss -r manager -m password \
	    --reason "no reader yet" --instructions-given 2023-05-01 --password-fd 3 3<pw.boss 2>err &&
	one_line_matching err "oplog.csv:1: a header row of format 2 over a genesis record of format 1; run log-verify" &&
	ls -A "$TMP/boot" >after && test_cmp before after
'

test_expect_success 'a MAC field that does not read is named by the format'"'"'s column, gmac_v2' '
	rm -rf "$TMP/wm" && cp -a "$S" "$TMP/wm" && hl=$(($(wc -l <"$S/oplog.csv") + 1)) &&
	tail -1 "$S/oplog.csv" | sed "s/,[0-9a-f]*\$/,zz/" >>"$TMP/wm/oplog.csv" &&
	test_must_fail 3 at "$T" log-append -d "$TMP/wm" -u clerk01 -a auth -r ok 2>err &&
	one_line_matching err "oplog.csv:$hl: field gmac_v2: not 64 lowercase hex digits; run log-verify" &&
	test_must_fail 1 log-verify -d "$TMP/wm" -k "$S.key" --now "$T" 2>err &&
	one_line_matching err "^log-verify: oplog.csv:$hl: field gmac_v2: not 64 lowercase hex digits\$"
'

test_done
