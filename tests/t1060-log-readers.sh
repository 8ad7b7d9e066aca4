#!/bin/sh
# Other readers: mlr and Python's csv read the log unchanged; a log
# re-serialised by another CSV writer still verifies (the MAC covers values);
# and an independent verifier written from jukisec-log(5) alone
# (tests/indepverify.py) agrees with log-verify, case by case, on intact
# logs and on every kind of tampering.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/s" -t cs01 >key 2>/dev/null
chmod 600 key
printf '%s\n' 'tanaka,print,juminhyo,ok,"copy, 1 page"' 'sato,note,,ok,"say ""hi"""' \
    'ito,export,@SUM(A1),ok,=1+2' 'kato,view,-x,ok,+y' '田中,閲覧,住民票,ok, leading space' |
    at 2026-01-01T10:00:00Z log-append -d "$TMP/s" -t cs01 --stdin 2>/dev/null
at 2026-01-02T10:00:00Z log-append -d "$TMP/s" -t cs01 -u tanaka -a logout 2>/dev/null
NOW=2026-01-02T11:00:00Z

test_expect_success 'mlr --icsv reads every record and field unchanged' '
	mlr --icsv --ojson cat s/oplog.csv >json &&
	test "$(mlr --icsv --onidx --ofs , count s/oplog.csv)" -eq 8 &&
	grep -q "\"detail\": \"copy, 1 page\"" json &&
	grep -q "\"detail\": \"say \\\\\"hi\\\\\"\"" json &&
	grep -q "\"object\": \"@SUM(A1)\"" json &&
	grep -q "\"detail\": \" leading space\"" json
'

test_expect_success 'python csv reads it unchanged; its own serialisation still verifies' '
	python3 -c "
import csv, sys
rows = list(csv.reader(open(\"s/oplog.csv\", newline=\"\", encoding=\"utf-8\")))
assert rows[0] == \"$LOG_HEADER\".split(\",\")
assert all(len(r) == 10 for r in rows), rows
assert rows[2][7] == \"copy, 1 page\" and rows[3][7] == \"say \\\"hi\\\"\"
assert rows[4][5] == \"@SUM(A1)\" and rows[4][7] == \"=1+2\" and rows[5][5] == \"-x\"
assert rows[6][3] == \"田中\" and rows[6][7] == \" leading space\"
w = csv.writer(open(\"back.csv\", \"w\", newline=\"\", encoding=\"utf-8\"), lineterminator=\"\n\")
w.writerows(rows)
" && log-verify -k key back.csv >out
'

test_expect_success 'a copy re-serialised with every field quoted and CRLF still verifies' '
	python3 -c "
import csv
rows = list(csv.reader(open(\"s/oplog.csv\", newline=\"\", encoding=\"utf-8\")))
w = csv.writer(open(\"quoted.csv\", \"w\", newline=\"\", encoding=\"utf-8\"), quoting=csv.QUOTE_ALL)
w.writerows(rows)
" && ! cmp -s quoted.csv s/oplog.csv &&
	log-verify -k key quoted.csv >out && grep -q "^ok: 8 records" out
'

indep() { python3 "$SRCDIR/tests/indepverify.py" "$@"; }

test_expect_success 'an independent verifier from the man page agrees' '
	indep --now $NOW --dir s key >out && grep -q "^ok 8" out &&
	log-verify -d "$TMP/s" -k key --now $NOW >out
'

test_expect_success 'and fails where log-verify fails' '
	sed "s/copy, 1 page/copy, 2 page/" s/oplog.csv >bad.csv &&
	test_must_fail 1 indep key bad.csv >out && grep -q "MAC" out &&
	test_must_fail 1 log-verify -k key bad.csv 2>err
'

# A log of a year and a half, pruned twice into an archive, as the case
# base: T is the first cases' state directory.
P=$TMP/p A=$TMP/parch.csv
at 2025-01-01T00:00:00Z jukisec-init -d "$P" -t cs01 --epoch 2592000 >p.key 2>/dev/null && chmod 600 p.key
for d in 2025-01-10 2025-03-10 2025-06-10 2025-09-10 2025-12-10 2026-03-10 2026-06-10; do
	rec "$P" "$d 10:00:00" "x$d" 3
	at "${d}T11:00:00Z" log-append -d "$P" --seal
done
prune "$P" 2026-03-10T12:00:00Z -t cs01 -a "$A"
prune "$P" 2026-06-10T12:00:00Z -t cs01 -a "$A"
PNOW=2026-06-10T13:00:00Z
cp -a "$P" pgood && cp "$A" pgood.arch

# agree WANT NAME SETUP [FILES]: after the command SETUP on a fresh copy of
# the pruned state (in $P), log-verify and the independent verifier both
# exit WANT.
agree() {
	rm -rf "$P" && cp -a pgood "$P" && cp pgood.arch "$A" && $3 &&
	{ log-verify -d "$P" -k p.key --now $PNOW ${4:-} >lv.out 2>&1; lv=$?; } &&
	{ indep --now $PNOW --dir "$P" p.key ${4:-} >iv.out 2>&1; iv=$?; }
	if [ "$lv" -ne "$1" ] || [ "$iv" -ne "$1" ]; then
		echo "$2: log-verify $lv, independent $iv (want $1)" >&2
		cat lv.out iv.out >&2
		return 1
	fi
}
forge() { python3 "$SRCDIR/tests/logforge.py" "$@"; }
la() { at $PNOW log-append -d "$P" -t cs01 "$@"; }
lastseq() { tail -1 "$P/oplog.csv" | cut -d, -f1; }
# the cases' SETUPs
lost_head() { cp "$P/oplog.head" h && la -u a -a b && cp h "$P/oplog.head"; }
header_only() { head -1 "$A" >empty.csv; }
requoted() {
	python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
csv.writer(open("q.csv", "w", newline=""), quoting=csv.QUOTE_ALL).writerows(rows)' "$A"
}
changed() { sed -i "3s/,ok,/,ko,/" "$P/oplog.csv"; }
deleted() { sed -i 3d "$P/oplog.csv"; }
torn() { printf 99,x >>"$P/oplog.csv"; }
head_forged() { forge head "$P" 0 "$(lastseq)"; }
head_edited() { sed -i "s/count=/count=1/" "$P/oplog.head"; }
tail_cut() { sed -i "\$d" "$P/oplog.csv"; }
archive_changed() { sed -i "\$s/,ok,/,ko,/" "$A"; }
first_changed() { sed -i "2s/,seal,/,sea1,/" "$P/oplog.csv"; }
key_ahead() {
	python3 -c 'import hashlib, hmac, re, sys
p = sys.argv[1]; s = open(p).read()
k = bytes.fromhex(re.search(r"key=([0-9a-f]{64})", s).group(1))
e = int(re.search(r" epoch=([0-9]+) ", s).group(1))
k = hmac.new(k, b"jukisec-log-v1 evolve", hashlib.sha256).hexdigest()
open(p, "w").write(re.sub(r" epoch=[0-9]+ key=[0-9a-f]{64}", " epoch=%d key=%s" % (e + 1, k), s))' "$P/oplog.key"
}

test_expect_success 'both verifiers agree on intact logs: live, archive + live, chunks, header-only' '
	agree 0 live : &&
	agree 0 chain : "$A $P/oplog.csv" &&
	agree 0 archive : "$A" &&
	agree 0 "records after a lost head" lost_head &&
	agree 0 "header-only archive first" header_only "$TMP/empty.csv $A $P/oplog.csv" &&
	agree 0 "quoted header row and CRLF" requoted "$TMP/q.csv"
'

test_expect_success 'both verifiers fail the same tampering' '
	agree 1 "changed record" changed &&
	agree 1 "deleted record" deleted &&
	agree 1 "torn tail" torn &&
	agree 1 "forged head" head_forged &&
	agree 1 "head edited" head_edited &&
	agree 1 "tail cut" tail_cut &&
	agree 1 "archive changed" archive_changed "$A $P/oplog.csv" &&
	agree 1 "first record changed" first_changed &&
	agree 1 "key file ahead of the head" key_ahead &&
	agree 1 "key file removed" "rm $P/oplog.key"
'

# jukisec-log(5) "Verification", rule 1: the header row is required of
# every file but a first one that is a collector's copy.
headless() {
	head -1 "$A" >empty.csv && tail -n +2 "$A" >nohead.csv &&
	tail -n +2 "$P/oplog.csv" >nohead-log.csv
}

test_expect_success 'both verifiers fail a file after the first without its header row' '
	agree 1 "archive after a header-only file" headless \
	    "$TMP/empty.csv $TMP/nohead.csv $P/oplog.csv" &&
	grep -q "nohead.csv:1: missing header row" lv.out &&
	agree 1 "log after its archive" headless "$A $TMP/nohead-log.csv" &&
	grep -q "nohead-log.csv:1: missing header row" lv.out
'

# A holder of the current key writes a record with an empty operator (the
# writers never do): the MAC is right, the record still fails.
empty_operator() {
	python3 -c 'import csv, hashlib, hmac, re, sys
k = bytes.fromhex(re.search(r"key=([0-9a-f]{64})", open(sys.argv[1]).read()).group(1))
rows = list(csv.reader(open(sys.argv[2], newline="")))
rows[-1][3] = ""
enc = lambda s: len(s.encode()).to_bytes(4, "big") + s.encode()
rows[-1][9] = hmac.new(k, bytes.fromhex(rows[-2][9]) + b"".join(enc(x) for x in rows[-1][:9]),
    hashlib.sha256).hexdigest()
csv.writer(open("eo.csv", "w", newline=""), lineterminator="\n").writerows(rows)' "$P/oplog.key" "$P/oplog.csv"
}

test_expect_success 'both verifiers fail a record with an empty operator, MAC or not' '
	agree 1 "empty operator" empty_operator "$A $TMP/eo.csv" &&
	grep -q "field operator: empty" lv.out
'

test_expect_success 'both verifiers fail checkpoints a key holder forges' '
	rm -rf u && at 2025-01-01T00:00:00Z jukisec-init -d "$TMP/u" -t cs01 >u.key 2>/dev/null && chmod 600 u.key &&
	for d in 2025-01-10 2025-06-10 2025-12-10; do rec "$TMP/u" "$d 10:00:00" "x$d" 2; done &&
	cp -a u ugood &&
	for spec in "recent|\$((\$(grep -n ,x2025-12-10, u/oplog.csv | head -1 | cut -d: -f1) - 3))|2026-03-01T00:00:00.000Z|2025-03-01T00:00:00.000Z" \
	    "future|auto|2027-03-01T00:00:00.000Z|2026-03-01T00:00:00.000Z"; do
		name=${spec%%|*} rest=${spec#*|} last=${rest%%|*} rest=${rest#*|} p=${rest%%|*} co=${rest#*|} &&
		rm -rf u && cp -a ugood u && last=$(eval echo "$last") &&
		forge checkpoint u "$last" "$p" "$co" &&
		{ log-verify -d u -k u.key --now 2026-03-01T00:00:00Z >lv.out 2>&1; lv=$?; } &&
		{ indep --now 2026-03-01T00:00:00Z --dir u u.key >iv.out 2>&1; iv=$?; } &&
		if [ $lv -ne 1 ] || [ $iv -ne 1 ]; then echo "$name: $lv $iv" >&2; cat lv.out iv.out >&2; exit 1; fi
	done
'

test_done
