#!/bin/sh
# Other readers: mlr and Python's csv read the log unchanged; a log
# re-serialised by another CSV writer still verifies (the MAC covers values);
# and an independent verifier written from jukisec-log(5) alone agrees.
. "$(dirname "$0")/lib.sh"

at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/s" -t cs01 >key 2>/dev/null
chmod 600 key
printf '%s\n' 'tanaka,print,juminhyo,ok,"copy, 1 page"' 'sato,note,,ok,"say ""hi"""' \
    'ito,export,@SUM(A1),ok,=1+2' 'kato,view,-x,ok,+y' '田中,閲覧,住民票,ok, leading space' |
    at 2026-01-01T10:00:00Z log-append -d "$TMP/s" -t cs01 --stdin
at 2026-01-02T10:00:00Z log-append -d "$TMP/s" -t cs01 -u tanaka -a logout
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
assert rows[0] == \"seq,time,terminal,operator,action,object,result,detail,epoch,hmac_v1\".split(\",\")
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

cat >indep.py <<'PY'
# An independent verifier written from jukisec-log(5) alone.
import csv, hashlib, hmac, re, sys
from datetime import datetime, timezone
kl = open(sys.argv[1]).read().strip()
m = re.fullmatch(r"jukisec-log-key v1 t0=(\S+) epoch_seconds=(\d+) k0=([0-9a-f]{64})", kl)
ms = lambda s: int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000 + 0.5)
t0, L, key = ms(m.group(1)), int(m.group(2)), bytes.fromhex(m.group(3))
enc = lambda s: len(s.encode()).to_bytes(4, "big") + s.encode()
rows = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
assert rows[0] == "seq,time,terminal,operator,action,object,result,detail,epoch,hmac_v1".split(",")
prev, kepoch, last, n = bytes(32), 0, None, 0
for line, r in enumerate(rows[1:], 2):
    seq, t, e = int(r[0]), ms(r[1]), int(r[8])
    assert e == (t - t0) // (L * 1000), (line, "epoch")
    if last:
        assert seq == last[0] + 1 and t >= last[1], (line, "order")
        if e != last[2]:
            assert last[3] and e == last[2] + 1, (line, "seal missing")
            n = 0
        else:
            assert not last[3], (line, "after seal")
    else:
        assert seq == 0 and r[4] == "genesis" and t == t0, (line, "genesis")
    seal = r[3] == "-" and r[4] == "seal"
    if seal:
        assert r[5] == str(e) and r[7] == "records=%d" % n and t == t0 + (e + 1) * L * 1000 - 1, (line, "seal")
    while kepoch < e:
        key = hmac.new(key, b"jukisec-log-v1 evolve", hashlib.sha256).digest()
        kepoch += 1
    mac = hmac.new(key, prev + b"".join(enc(x) for x in r[:9]), hashlib.sha256).digest()
    assert mac.hex() == r[9], (line, "MAC")
    prev, last, n = mac, (seq, t, e, seal), n + 1
print("independent: ok", len(rows) - 1)
PY

test_expect_success 'an independent verifier from the man page agrees' '
	python3 indep.py key s/oplog.csv >out && grep -q "independent: ok 8" out &&
	log-verify -d "$TMP/s" -k key --now $NOW >out
'

test_expect_success 'and fails where log-verify fails' '
	sed "s/copy, 1 page/copy, 2 page/" s/oplog.csv >bad.csv &&
	! python3 indep.py key bad.csv 2>err && grep -q "MAC" err &&
	test_must_fail 1 log-verify -k key bad.csv 2>err
'

test_done
