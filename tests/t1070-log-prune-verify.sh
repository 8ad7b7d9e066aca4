#!/bin/sh
# The verifier's log-prune checkpoint rules (jukisec-log(5)): a pruned log,
# its archive, and both as one chain verify; a missing checkpoint, a
# checkpoint breaking the retention rules (even one MACed with the stolen
# current key), a wrong cut_mac and a changed first record all fail.
. "$(dirname "$0")/lib.sh"

at 2025-01-01T00:00:00Z jukisec-init -d "$TMP/s" -t cs01 >key 2>/dev/null
chmod 600 key
for d in 01-10 02-10 03-10 06-10 12-10; do
	at 2025-${d}T10:00:00Z log-append -d "$TMP/s" -t cs01 -u tanaka -a print -o "$d"
done
NOW=2026-04-01T01:00:00Z
lv() { log-verify -d "$TMP/s" -k key --now $NOW "$@"; }

test_expect_success 'log-prune leaves a log that verifies, with its checkpoint last' '
	at 2026-04-01T00:00:00Z log-prune -d "$TMP/s" -t cs01 -a "$TMP/arch.csv" &&
	tail -1 s/oplog.csv | grep -Eq ",log-prune,.*,removed=0-[0-9]+ cut_mac=[0-9a-f]{64} cut_time=.* cutoff=2025-04-01T00:00:00.000Z retain_days=365 kept=[0-9]+," &&
	sed -n 2p s/oplog.csv | grep -vq "^0," &&
	lv >out && grep -q ", pruned$" out &&
	cp s/oplog.csv pruned.csv && cp s/oplog.head pruned.head
'

test_expect_success 'the archive verifies alone, and archive then log as one chain' '
	log-verify -k key arch.csv >out && grep -q "^ok: .* seq 0-" out &&
	lv arch.csv "$TMP/s/oplog.csv" >out && grep -q "seq 0-.*oplog.head matches, pruned" out
'

test_expect_success 'archive and log concatenated into one file (a header row between) verify' '
	cat arch.csv pruned.csv >both.csv &&
	test "$(grep -c ^seq, both.csv)" -eq 2 &&
	log-verify -k key both.csv >out && grep -q "seq 0-.*, pruned$" out
'

test_expect_success 'the pruned log without its checkpoint fails' '
	sed "\$d" pruned.csv >nocp.csv &&
	test_must_fail 1 log-verify -k key nocp.csv 2>err &&
	one_line_matching err "nocp.csv:2: seq [0-9]+: pruned log without checkpoint"
'

# forge.py KEYFILE LOG SED-LIKE-PY: rewrites the last record's detail with
# the given Python expression and re-MACs it with the current key.
cat >forge.py <<'PY'
import csv, hashlib, hmac, re, sys
key = bytes.fromhex(re.search(r"key=([0-9a-f]{64})", open(sys.argv[1]).read()).group(1))
rows = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
d = rows[-1][7]
rows[-1][7] = eval(sys.argv[3])
enc = lambda s: len(s.encode()).to_bytes(4, "big") + s.encode()
prev = bytes.fromhex(rows[-2][9])
rows[-1][9] = hmac.new(key, prev + b"".join(enc(x) for x in rows[-1][:9]), hashlib.sha256).hexdigest()
csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8"), lineterminator="\n").writerows(rows)
PY

forged() {
	cp pruned.csv f.csv && python3 forge.py s/oplog.key f.csv "$1" &&
	test_must_fail 1 log-verify -k key f.csv 2>err &&
	one_line_matching err "$2"
}

test_expect_success 'the forger re-MACs correctly (control: unchanged detail verifies)' '
	cp pruned.csv f.csv && python3 forge.py s/oplog.key f.csv "d" &&
	cmp f.csv pruned.csv
'

test_expect_success 'a checkpoint keeping under 365 days fails (R6)' '
	forged "d.replace(\"retain_days=365\", \"retain_days=300\")" "kept only 300 days"
'

test_expect_success 'a cutoff later than the checkpoint time minus the retention fails' '
	forged "d.replace(\"cutoff=2025-04-01T00:00:00.000Z\", \"cutoff=2025-04-02T00:00:00.000Z\")" \
	    "cutoff 2025-04-02T00:00:00.000Z is less than 365 days"
'

test_expect_success 'a cut record not before the cutoff fails' '
	forged "re.sub(r\"cut_time=\\S+\", \"cut_time=2025-04-01T00:00:00.000Z\", d)" "not before its cutoff"
'

test_expect_success 'a wrong cut_mac leaves the first record unverified' '
	forged "re.sub(r\"cut_mac=\\S+\", \"cut_mac=\" + \"0\" * 64, d)" "f.csv:2: seq [0-9]+: MAC mismatch"
'

test_expect_success 'a malformed checkpoint fails' '
	forged "d + \" extra\"" "malformed log-prune checkpoint"
'

test_expect_success 'a cut_mac that differs from the archive is caught when both are given' '
	cp pruned.csv f.csv &&
	python3 forge.py s/oplog.key f.csv "re.sub(r\"cut_mac=\\S+\", \"cut_mac=\" + \"0\" * 64, d)" &&
	test_must_fail 1 log-verify -k key arch.csv f.csv 2>err &&
	one_line_matching err "cut_mac differs from record"
'

test_expect_success 'a changed first record of the pruned log fails at that record' '
	sed "2s/,records=/,records=1/" pruned.csv >f.csv &&
	test_must_fail 1 log-verify -k key f.csv 2>err &&
	one_line_matching err "f.csv:2: seq [0-9]+: MAC mismatch"
'

test_done
