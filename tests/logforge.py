#!/usr/bin/env python3
# tests/logforge.py — an intruder's tools for the operation log, written
# from jukisec-log(5) alone, for the tamper tests.  It edits a state
# directory's files directly, as someone who can write them would.
#
#   logforge.py cut DIR SEQ
#       cut oplog.csv after record SEQ (no key needed)
#   logforge.py head DIR SLOT SEQ [open] [kepoch=K] [KEYFILE]
#       write into SLOT a head naming record SEQ of oplog.csv as the log's
#       end; its hmac under KEYFILE (an oplog.key, the current key), else
#       64 zeros (an intruder without the key); in the format of the head
#       file found there (version 1 for an older jukisec); its kepoch K,
#       else the record's epoch (+1 after a seal) as a writer's head has it
#   logforge.py headv1 DIR SEQ KEYFILE
#       replace oplog.head by the one-line version 1 head of an older
#       jukisec naming record SEQ, its hmac under K(epoch) from KEYFILE
#   logforge.py intent DIR SAVED KEYFILE
#       put back the head file SAVED and write its head, marked open and
#       signed under KEYFILE, into its other slot: the head file a writer
#       leaves just before an append of several records, or log-prune just
#       before renaming its new log into place
#   logforge.py checkpoint DIR LAST TIME CUTOFF [CUT_TIME]
#       what a holder of oplog.key can do: seal epochs up to TIME's with
#       keys evolved from oplog.key, remove records up to seq LAST ("auto":
#       every record before CUTOFF, as log-prune would) and append a
#       log-prune checkpoint dated TIME (RFC 3339) with CUTOFF, then write
#       both head slots and oplog.key as a writer would
#   logforge.py last KEYFILE FILE EXPR [ARG...]
#       what a holder of oplog.key (KEYFILE) can do: the last record of
#       FILE gets the detail the Python expression EXPR gives (of d, the
#       detail, and a, the ARGs) and its MAC again under that key
#   logforge.py remac KEYFILE FILE [renumber] [align=LINE]
#       what a holder of the verification key (KEYFILE) can do: the MAC of
#       every record of FILE (from the genesis) recomputed in order under
#       K(epoch).  renumber: seqs made consecutive from the first record's;
#       align: record 1's detail (line 3) padded or cut so that line LINE
#       begins at byte 1048576 (a verifier's block seam)
# Records are MACed in the format the log's header row names (format 2:
# GMAC-AES-256 by OpenSSL (osslgmac.py), a fresh IV each; last and remac keep the
# record's own IV, so that a record MACed again unchanged is unchanged).
import csv, hashlib, hmac, io, os, re, sys
from datetime import datetime, timezone
from osslgmac import gmac

HEADERS = {1: "seq,time,terminal,operator,action,object,result,detail,epoch,hmac_v1",
           2: "seq,time,terminal,operator,action,object,result,detail,epoch,gmac_v2"}
FORMAT = [1]        # the log's, once lines() read its header row

def ms(s):
    d = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(d.timestamp() * 1000 + 0.5)

def fmt(t):
    d = datetime.fromtimestamp(t // 1000, tz=timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t % 1000)

def enc(s):
    b = s.encode()
    return len(b).to_bytes(4, "big") + b

def evolve(k):
    return hmac.new(k, b"jukisec-log-v1 evolve", hashlib.sha256).digest()

def rec_mac(k, prev, f, iv=None):
    msg = prev + b"".join(enc(x) for x in f[:9])
    if FORMAT[0] != 2:
        return hmac.new(k, msg, hashlib.sha256).digest()
    g, iv = hmac.new(k, b"jukisec-log-v2 gmac", hashlib.sha256).digest(), iv or os.urandom(16)
    return iv + gmac(g, iv, msg)

def head_hmac(k, h):
    tag = "jukisec-log-v2 head gmac_v2" if FORMAT[0] == 2 else "jukisec-log-v2 head"
    m = enc(tag) + enc("open" if h["open"] else "closed")
    for x in ("seq", "epoch", "erecs", "count", "size"):
        m += enc(str(h[x]))
    m += enc(h["time"]) + enc(h["mac"]) + enc(str(h["kepoch"]))
    return hmac.new(k, m, hashlib.sha256).hexdigest()

def head_line(h):
    return ("jukisec-log-head v2 %sseq=%d epoch=%d erecs=%d count=%d size=%d time=%s "
            "mac=%s kepoch=%d hmac=%s\n") % ("open " if h["open"] else "", h["seq"],
            h["epoch"], h["erecs"], h["count"], h["size"], h["time"], h["mac"],
            h["kepoch"], h["hmac"])

def write_slot(d, slot, line):
    b = line.encode().ljust(512, b"\0")
    with open(os.path.join(d, "oplog.head"), "r+b") as f:
        f.seek(512 * slot)
        f.write(b)

def read_key(path):
    t = open(path).read()
    g = lambda k: re.search(r"\b%s=(\S+)" % k, t).group(1)
    return dict(t0=ms(g("t0")), L=int(g("epoch_seconds")), epoch=int(g("epoch")),
                key=bytes.fromhex(g("key")))

def lines(d):
    """(offset after, fields) of each record of oplog.csv."""
    data = open(os.path.join(d, "oplog.csv"), "rb").read()
    out, off = [], 0
    for raw in data.split(b"\n")[:-1]:
        off += len(raw) + 1
        row = next(csv.reader([raw.decode()]))
        fmts = [k for k, h in HEADERS.items() if row == h.split(",")]
        if fmts:
            FORMAT[0] = fmts[0]
            continue
        out.append((off, row))
    return out

def state(d, seq):
    """The head of the log ending at record seq."""
    recs = lines(d)
    for i, (off, f) in enumerate(recs):
        if int(f[0]) == seq:
            e = int(f[8])
            erecs = sum(1 for _, g in recs[:i + 1] if int(g[8]) == e)
            seal = f[3] == "-" and f[4] == "seal"
            return dict(open=False, seq=seq, epoch=e, erecs=erecs, count=i + 1, size=off,
                        time=f[1], mac=f[9], kepoch=e + seal)
    sys.exit("no record %d" % seq)

def cmd_cut(d, seq):
    off = state(d, int(seq))["size"]
    with open(os.path.join(d, "oplog.csv"), "r+b") as f:
        f.truncate(off)

def cmd_head(d, slot, seq, *rest):
    h = state(d, int(seq))
    h["open"] = "open" in rest
    for r in rest:
        if r.startswith("kepoch="):
            h["kepoch"] = int(r[7:])
    keys = [r for r in rest if r != "open" and not r.startswith("kepoch=")]
    if b"head v1 " in open(os.path.join(d, "oplog.head"), "rb").read():
        # the format of the jukisec that wrote this state (no kepoch)
        assert not keys, "v1 heads are forged without the key here"
        line = head_line(dict(h, hmac="0" * 64)).replace(" v2 ", " v1 ", 1)
        write_slot(d, int(slot), re.sub(r" kepoch=[0-9]+", "", line))
        return
    if keys:
        k = read_key(keys[0])
        key = k["key"]
        for _ in range(h["kepoch"] - k["epoch"]):
            key = evolve(key)
        h["hmac"] = head_hmac(key, h)
    else:
        h["hmac"] = "0" * 64
    write_slot(d, int(slot), head_line(h))

def parse_head(line):
    h = dict(open=" open " in line)
    for kv in line.split():
        if "=" in kv:
            k, v = kv.split("=", 1)
            h[k] = v if k in ("time", "mac", "hmac") else int(v)
    return h

def cmd_headv1(d, seq, keyfile):
    h = state(d, int(seq))
    k = read_key(keyfile)
    key = k["key"]
    for _ in range(h["epoch"] - k["epoch"]):
        key = evolve(key)
    m = enc("jukisec-log-v1 head")
    for x in ("seq", "epoch", "erecs", "count", "size"):
        m += enc(str(h[x]))
    m += enc(h["time"]) + enc(h["mac"])
    line = "jukisec-log-head v1 seq=%d epoch=%d erecs=%d count=%d size=%d time=%s mac=%s hmac=%s\n" % (
        h["seq"], h["epoch"], h["erecs"], h["count"], h["size"], h["time"], h["mac"],
        hmac.new(key, m, hashlib.sha256).hexdigest())
    open(os.path.join(d, "oplog.head"), "w").write(line)

def cmd_intent(d, saved, keyfile):
    # the head's tag names the log's format, which its header row names
    with open(os.path.join(d, "oplog.csv"), "rb") as f:
        FORMAT[0] = 2 if f.readline().rstrip(b"\r\n").endswith(b",gmac_v2") else 1
    data = open(saved, "rb").read()
    slots = [data[i * 512:(i + 1) * 512].rstrip(b"\0").decode().strip() for i in (0, 1)]
    heads = [parse_head(x) for x in slots]
    i = 0 if heads[0]["seq"] >= heads[1]["seq"] else 1
    h = dict(heads[i], open=True)
    k = read_key(keyfile)
    key = k["key"]
    for _ in range(h["kepoch"] - k["epoch"]):
        key = evolve(key)
    h["hmac"] = head_hmac(key, h)
    open(os.path.join(d, "oplog.head"), "wb").write(data)
    write_slot(d, 1 - i, head_line(h))

def cmd_checkpoint(d, last, when, cutoff, cut_time=None):
    k = read_key(os.path.join(d, "oplog.key"))
    recs = [f for _, f in lines(d)]
    first = int(recs[0][0])
    key, kepoch = k["key"], k["epoch"]
    t = ms(when)
    epoch_of = lambda x: (x - k["t0"]) // (k["L"] * 1000)
    prev = recs[-1]
    cur = int(prev[8])
    n = sum(1 for f in recs if int(f[8]) == cur)
    sealed = prev[3] == "-" and prev[4] == "seal"
    seq, mac = int(prev[0]), bytes.fromhex(prev[9])
    def emit(f):
        nonlocal seq, mac, key, kepoch
        while kepoch < int(f[7]):
            key, kepoch = evolve(key), kepoch + 1
        seq += 1
        f = [str(seq)] + f
        mac = rec_mac(key, mac, f)
        recs.append(f + [mac.hex()])
    # seals of every epoch before the checkpoint's, as a writer would
    while True:
        if not sealed and cur < epoch_of(t):
            end = k["t0"] + (cur + 1) * k["L"] * 1000 - 1
            emit([fmt(end), "cs01", "-", "seal", str(cur), "ok", "records=%d" % n, str(cur)])
            sealed = True
        elif sealed and cur + 1 <= epoch_of(t):
            cur, n, sealed = cur + 1, 0, False
        else:
            break
    if last == "auto":
        last = max(int(f[0]) for f in recs if ms(f[1]) < ms(cutoff))
    last = int(last)
    cut = [f for f in recs if int(f[0]) == last][0]
    kept = [f for f in recs if int(f[0]) > last]
    detail = "removed=%d-%d cut_mac=%s cut_time=%s cutoff=%s retain_days=365 kept=%d" % (
        first, last, cut[9], cut_time or cut[1], cutoff, seq - last)
    emit([when, "cs01", "-", "log-prune", "oplog.csv", "ok", detail, str(epoch_of(t))])
    kept.append(recs[-1])
    body = io.StringIO()
    w = csv.writer(body, lineterminator="\n")
    w.writerow(HEADERS[FORMAT[0]].split(","))
    w.writerows(kept)
    data = body.getvalue().encode()
    open(os.path.join(d, "oplog.csv"), "wb").write(data)
    h = dict(open=False, seq=seq, epoch=epoch_of(t), erecs=n + 1, count=len(kept),
             size=len(data), time=when, mac=mac.hex(), kepoch=kepoch)
    h["hmac"] = head_hmac(key, h)
    o = dict(h, open=True)
    o["hmac"] = head_hmac(key, o)
    write_slot(d, 0, head_line(o))
    write_slot(d, 1, head_line(h))
    open(os.path.join(d, "oplog.key"), "w").write(
        "jukisec-log-epoch-key v1 t0=%s epoch_seconds=%d epoch=%d key=%s\n" %
        (fmt(k["t0"]), k["L"], kepoch, key.hex()))

def file_rows(path):
    """The rows of a log file, FORMAT its header row's."""
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    FORMAT[0] = 2 if rows and rows[0][-1] == "gmac_v2" else 1
    return rows

def file_text(rows):
    b = io.StringIO()
    csv.writer(b, lineterminator="\n").writerows(rows)
    return b.getvalue().encode()

def own_iv(f):
    return bytes.fromhex(f[9][:32]) if len(f[9]) == 64 else None

def cmd_last(keyfile, path, expr, *a):
    key = read_key(keyfile)["key"]
    rows = file_rows(path)
    d = rows[-1][7]
    rows[-1][7] = eval(expr)
    rows[-1][9] = rec_mac(key, bytes.fromhex(rows[-2][9]), rows[-1], own_iv(rows[-1])).hex()
    open(path, "wb").write(file_text(rows))

def cmd_remac(keyfile, path, *opts):
    k0 = bytes.fromhex(re.search(r"k0=([0-9a-f]{64})", open(keyfile).read()).group(1))
    rows = file_rows(path)
    if "renumber" in opts:
        for i, r in enumerate(rows[1:]):
            r[0] = str(int(rows[1][0]) + i)
    for o in opts:
        if o.startswith("align="):
            n = 1048576 - len(file_text(rows[:int(o[6:]) - 1]))
            rows[2][7] = rows[2][7] + "x" * n if n >= 0 else rows[2][7][:n]
    keys, prev = [k0], bytes(32)
    for r in rows[1:]:
        while len(keys) <= int(r[8]):
            keys.append(evolve(keys[-1]))
        prev = rec_mac(keys[int(r[8])], prev, r, own_iv(r))
        r[9] = prev.hex()
    open(path, "wb").write(file_text(rows))

globals()["cmd_" + sys.argv[1]](*sys.argv[2:])
