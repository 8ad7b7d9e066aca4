#!/usr/bin/env python3
# tests/indepverify.py — an independent verifier of the operation log,
# written from jukisec-log(5) alone ("Verification", rules 1-9).
#
#   indepverify.py [--now TIME] [--dir DIR] KEYFILE [FILE|- ...]
#
# Without FILEs it verifies DIR/oplog.csv against DIR/oplog.head (and
# DIR/oplog.key when it can read it); with them, the files as one chain, the
# last one with the head when --dir is given and it is DIR/oplog.csv.  It
# prints "ok N" or "bad: REASON" and exits 0 or 1.  It takes no lock: a log
# being appended to is not its business.  A format 2 log's GMAC-AES-256 is
# computed by OpenSSL (osslgmac.py), not by the library log-verify uses.
import csv, hashlib, hmac, io, os, re, sys, time
from datetime import datetime, timezone
from osslgmac import gmac

HEADER = "seq,time,terminal,operator,action,object,result,detail,epoch,hmac_v1".split(",")
HEADERS = {1: HEADER, 2: HEADER[:9] + ["gmac_v2"]}
FUTURE = 10 * 60 * 1000
TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")
DEC_RE = re.compile(r"(0|[1-9][0-9]{0,17})$")

class Bad(Exception):
    pass

def ms(s):
    if not TIME_RE.match(s):
        raise Bad("time %r not in the record form" % s)
    try:
        d = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise Bad("time %r is no date" % s)
    return int(d.timestamp() * 1000 + 0.5)

def dec(s):
    if not DEC_RE.match(s):
        raise Bad("%r is not decimal" % s)
    return int(s)

def enc(s):
    b = s.encode()
    return len(b).to_bytes(4, "big") + b

def evolve(k):
    return hmac.new(k, b"jukisec-log-v1 evolve", hashlib.sha256).digest()

def cutoff(p, days):
    """cutoff(P, D) of "Pruning"."""
    d = datetime.fromtimestamp(p / 1000, tz=timezone.utc)
    tod = p % 86400000
    if d.month == 2 and d.day == 29:
        year = datetime(d.year - 1, 3, 1, tzinfo=timezone.utc)
        ago = int(year.timestamp() * 1000)
    else:
        year = datetime(d.year - 1, d.month, d.day, tzinfo=timezone.utc)
        ago = int(year.timestamp() * 1000) + tod
    return min(ago, p - days * 86400000)

class Verifier:
    def __init__(self, keyline, now):
        m = re.fullmatch(r"jukisec-log-key v1 t0=(\S+) epoch_seconds=(\S+) k0=([0-9a-f]{64})", keyline)
        if not m or not DEC_RE.match(m.group(2)):
            raise Bad("not a verification key")
        self.t0, self.L, self.k0 = ms(m.group(1)), int(m.group(2)), bytes.fromhex(m.group(3))
        self.now = now
        self.keys = {0: self.k0}
        self.format = None          # the first header row's, or the genesis's
        self.prev = None            # (seq, time, epoch, seal, mac)
        self.cur_n = 0
        self.whole = False
        self.pending = None
        self.segs = []              # [first (seq, time, epoch), last (seq, time, mac)]
        self.cp_last = None
        self.first_seq = None
        self.live_first = None
        self.n = 0

    def key(self, e):
        top = max(self.keys)
        k = self.keys[top]
        while top < e:
            k, top = evolve(k), top + 1
            self.keys[top] = k
        return self.keys[e]

    def epoch(self, t):
        return (t - self.t0) // (self.L * 1000)

    def mac(self, e, prev, f):
        msg = prev + b"".join(enc(x) for x in f[:9])
        if self.format != 2:
            return hmac.new(self.key(e), msg, hashlib.sha256).digest()
        g = hmac.new(self.key(e), b"jukisec-log-v2 gmac", hashlib.sha256).digest()
        iv = bytes.fromhex(f[9][:32])
        return iv + gmac(g, iv, msg)

    def record(self, f, new_segment, live):
        if len(f) != 10:
            raise Bad("%d fields" % len(f))
        seq, t, e = dec(f[0]), ms(f[1]), dec(f[8])
        if not f[2] or not f[3] or not f[4]:
            raise Bad("seq %d: an empty terminal, operator or action" % seq)
        for name, x, most in zip(FIELDS, f[2:8], LIMITS):
            if len(x.encode("utf-8")) > most:
                raise Bad("seq %d: %s longer than %d bytes" % (seq, name, most))
            if any(c in x for c in "\0\r\n"):
                raise Bad("seq %d: %s holds a NUL, CR or LF" % (seq, name))
        if not re.fullmatch(r"[0-9a-f]{64}", f[9]):
            raise Bad("seq %d: the MAC field" % seq)
        if self.format is None:
            self.format = 2 if seq == 0 and f[4] == "genesis" and f[7].startswith("format=2 ") else 1
        if live and self.live_first is None:
            self.live_first = seq
        if self.prev:
            if seq != self.prev[0] + 1:
                raise Bad("seq %d after %d" % (seq, self.prev[0]))
            if t < self.prev[1]:
                raise Bad("seq %d: time goes back" % seq)
        if e != self.epoch(t):
            raise Bad("seq %d: epoch" % seq)
        if t > self.now + FUTURE:
            raise Bad("seq %d: dated after the verification time" % seq)
        seal = f[3] == "-" and f[4] == "seal"
        if self.prev is None:
            self.first_seq = seq
            if seq == 0:
                if f[3:8] != ["-", "genesis", "", "ok", "format=%d epoch_seconds=%d" % (self.format, self.L)] or t != self.t0:
                    raise Bad("seq 0 is not this key's genesis")
                self.whole = True
                if self.mac(e, bytes(32), f).hex() != f[9]:
                    raise Bad("seq 0: MAC")
            else:
                self.pending = f
        else:
            pe, pseal = self.prev[2], self.prev[3]
            if e != pe:
                if not pseal or e != pe + 1:
                    raise Bad("seq %d: epoch %d without the seal of %d" % (seq, e, pe))
                self.cur_n, self.whole = 0, True
            elif pseal:
                raise Bad("seq %d: after the seal of its epoch" % seq)
            if f[3] == "-" and f[4] == "genesis":
                raise Bad("seq %d: a second genesis" % seq)
            if self.mac(e, self.prev[4], f).hex() != f[9]:
                raise Bad("seq %d: MAC" % seq)
        if seal:
            if f[5] != str(e) or f[6] != "ok" or not f[7].startswith("records=") or \
                    t != self.t0 + (e + 1) * self.L * 1000 - 1:
                raise Bad("seq %d: malformed seal" % seq)
            if self.whole and f[7] != "records=%d" % self.cur_n:
                raise Bad("seq %d: seal count" % seq)
        if f[3] == "-" and f[4] == "log-prune":
            self.checkpoint(f, seq, t, live)
        if new_segment or not self.segs:
            self.segs.append([(seq, t, e), None])
        self.segs[-1][1] = (seq, t, f[9])
        self.prev = (seq, t, e, seal, bytes.fromhex(f[9]))
        self.cur_n += 1
        self.n += 1
        return seq, t, e, seal

    def checkpoint(self, f, c, p, live):
        m = re.fullmatch(r"removed=0 cutoff=(\S+) retain_days=(\S+)", f[7])
        if m and f[5] == "oplog.csv" and f[6] == "ok":
            # a run that removed nothing
            co, days = ms(m.group(1)), dec(m.group(2))
            if days < 365:
                raise Bad("seq %d: retain_days" % c)
            if co > cutoff(p, days):
                raise Bad("seq %d: cutoff too late" % c)
            return
        m = re.fullmatch(r"removed=(\S+)-(\S+) cut_mac=([0-9a-f]{64}) cut_time=(\S+) "
                         r"cutoff=(\S+) retain_days=(\S+) kept=(\S+)", f[7])
        if not m or f[5] != "oplog.csv" or f[6] != "ok":
            raise Bad("seq %d: malformed checkpoint" % c)
        first, last = dec(m.group(1)), dec(m.group(2))
        cut_mac, cut_time, co = m.group(3), ms(m.group(4)), ms(m.group(5))
        days, kept = dec(m.group(6)), dec(m.group(7))
        if days < 365:
            raise Bad("seq %d: retain_days" % c)
        if not (first <= last and last < c - 1) or kept != c - 1 - last:
            raise Bad("seq %d: removed/kept do not fit" % c)
        if self.cp_last is not None:
            if first != self.cp_last + 1:
                raise Bad("seq %d: FIRST" % c)
        elif self.first_seq == 0 and first != 0:
            raise Bad("seq %d: FIRST" % c)
        if co > cutoff(p, days):
            raise Bad("seq %d: cutoff too late" % c)
        if not (self.t0 <= cut_time < co):
            raise Bad("seq %d: cut_time" % c)
        if live and last >= self.live_first:
            raise Bad("seq %d: claims records the log holds" % c)
        def first_kept(ft, fe):
            if ft < co or fe > self.epoch(co) or cut_time > ft:
                raise Bad("seq %d: more removed than the cutoff allows" % c)
        for first_rec, last_rec in self.segs:
            if last_rec[0] == last and (last_rec[2] != cut_mac or last_rec[1] != cut_time):
                raise Bad("seq %d: cut_mac/cut_time" % c)
            if first_rec[0] == last + 1 and not (self.pending and dec(self.pending[0]) == last + 1):
                first_kept(first_rec[1], first_rec[2])
        if self.pending and dec(self.pending[0]) == last + 1:
            pf = self.pending
            first_kept(ms(pf[1]), dec(pf[8]))
            if self.mac(dec(pf[8]), bytes.fromhex(cut_mac), pf).hex() != pf[9]:
                raise Bad("seq %s: MAC" % pf[0])
            self.pending = None
        self.cp_last = last

def parse_head(line):
    """A slot's line in the one spelling of "Head", or None: the tokens in
    that order, one space apart, each number as every number of the log's
    files."""
    m = re.fullmatch(r"jukisec-log-head v2 (open )?seq=(\S+) epoch=(\S+) erecs=(\S+) count=(\S+) "
                     r"size=(\S+) time=(\S+) mac=([0-9a-f]{64}) kepoch=(\S+) hmac=([0-9a-f]{64})", line)
    if not m:
        return None
    h = dict(open=bool(m.group(1)), time=m.group(7), mac=m.group(8), hmac=m.group(10))
    try:
        for k, i in (("seq", 2), ("epoch", 3), ("erecs", 4), ("count", 5), ("size", 6), ("kepoch", 9)):
            h[k] = dec(m.group(i))
        ms(h["time"])
    except Bad:
        return None
    return h

def head_hmac(v, h):
    """Its tag names the log's format ("Head"): checked once the log's
    header row has named it."""
    tag = "jukisec-log-v2 head gmac_v2" if v.format == 2 else "jukisec-log-v2 head"
    m = enc(tag) + enc("open" if h["open"] else "closed")
    for x in ("seq", "epoch", "erecs", "count", "size"):
        m += enc(str(h[x]))
    m += enc(h["time"]) + enc(h["mac"]) + enc(str(h["kepoch"]))
    return hmac.new(v.key(h["kepoch"]), m, hashlib.sha256).hexdigest()

def read_heads(v, path):
    data = open(path, "rb").read()
    if len(data) != 1024:
        raise Bad("oplog.head: not two slots")
    heads = []
    for i in (0, 1):
        s = data[512 * i:512 * (i + 1)]
        lf = s.find(b"\n")
        if lf < 0 or s[lf + 1:].strip(b"\0"):
            raise Bad("oplog.head: slot %d" % i)
        h = parse_head(s[:lf].decode("ascii", "replace"))
        if h is None:
            raise Bad("oplog.head: slot %d" % i)
        heads.append(h)
    for i, h in enumerate(heads):
        if h["kepoch"] < h["epoch"]:
            raise Bad("oplog.head: K below E in slot %d" % i)
    a, b = heads
    if a["open"] and b["open"]:
        raise Bad("oplog.head: two open heads")
    if a["seq"] == b["seq"] and not a["open"] and not b["open"]:
        raise Bad("oplog.head: two closed heads of one seq")
    pick = 1 if b["seq"] > a["seq"] or (b["seq"] == a["seq"] and b["open"]) else 0
    h, o = heads[pick], heads[1 - pick]
    if o["kepoch"] > h["kepoch"]:
        raise Bad("oplog.head: other slot's K")
    return h, o

# "Records": the byte limits of terminal ... detail.
FIELDS = ("terminal", "operator", "action", "object", "result", "detail")
LIMITS = (64, 64, 64, 256, 64, 2048)

def rows(v, data):
    """(record fields, new segment, offset after) per line; header rows skipped,
    each naming v's format."""
    if data and not data.endswith(b"\n"):
        raise Bad("bytes after the last LF")
    off, seg, out = 0, True, []
    for n, raw in enumerate(data.split(b"\n")[:-1]):
        off += len(raw) + 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Bad("line %d: not UTF-8" % (n + 1))
        try:
            f = next(csv.reader([text.rstrip("\r")]), [])
        except csv.Error as e:
            raise Bad("line %d: %s" % (n + 1, e))
        fmt = [k for k, h in HEADERS.items() if f == h]
        if fmt:
            if v.format is None:
                v.format = fmt[0]
            elif v.format != fmt[0]:
                raise Bad("a header row of format %d in a log of format %d" % (fmt[0], v.format))
            seg = True
            continue
        if n == 0:
            raise Bad("no header row")
        out.append((f, seg, off))
        seg = False
    if not data:
        raise Bad("empty file")
    return out

def main(argv):
    now, d = int(time.time() * 1000), None
    while argv and argv[0].startswith("--"):
        if argv[0] == "--now":
            now, argv = ms(argv[1] if argv[1].endswith("Z") and "." in argv[1]
                           else argv[1].replace("Z", ".000Z")), argv[2:]
        elif argv[0] == "--dir":
            d, argv = argv[1], argv[2:]
    keyline = open(argv[0]).read()
    v = Verifier(keyline[:-1] if keyline.endswith("\n") else keyline, now)
    files = argv[1:] or [os.path.join(d, "oplog.csv")]
    livepath = os.path.join(d, "oplog.csv") if d else None
    head = None
    for i, fn in enumerate(files):
        live = livepath is not None and i == len(files) - 1 and \
            os.path.exists(fn) and fn != "-" and os.path.samefile(fn, livepath)
        if live:
            head, other = read_heads(v, os.path.join(d, "oplog.head"))
        data = sys.stdin.buffer.read() if fn == "-" else open(fn, "rb").read()
        seen = count = 0
        for f, seg, off in rows(v, data):
            seq, t, e, seal = v.record(f, seg, live)
            if live:
                count += 1
                # "Verification": when the head is open, no record after its
                if seen and head["open"]:
                    raise Bad("seq %d: after an open head" % seq)
                if seq == other["seq"] and (f[9] != other["mac"] or f[1] != other["time"] or e != other["epoch"]):
                    raise Bad("seq %d: the other slot's record" % seq)
                if seq == head["seq"]:
                    if f[9] != head["mac"] or f[1] != head["time"] or e != head["epoch"] or \
                            off != head["size"] or count != head["count"] or \
                            (v.whole and v.cur_n != head["erecs"]) or head["kepoch"] != e + seal:
                        raise Bad("seq %d: not where the head says" % seq)
                    seen = 1
        if live and not seen:
            raise Bad("the head's record is missing")
        if live and (head_hmac(v, head) != head["hmac"] or head_hmac(v, other) != other["hmac"]):
            raise Bad("oplog.head: hmac")
    if v.n == 0:
        if livepath:
            raise Bad("no records")
        return "ok 0"
    if v.pending:
        raise Bad("pruned log without checkpoint")
    if head is not None:
        keyfile = os.path.join(d, "oplog.key")
        try:
            kt = open(keyfile).read()
        except FileNotFoundError:
            raise Bad("oplog.key: missing")
        except OSError:
            kt = None
        if kt is not None:
            m = re.fullmatch(r"jukisec-log-epoch-key v1 t0=(\S+) epoch_seconds=(\S+) epoch=(\S+) key=([0-9a-f]{64})\n", kt)
            if not m or not DEC_RE.match(m.group(2)) or not DEC_RE.match(m.group(3)):
                raise Bad("oplog.key: malformed")
            if ms(m.group(1)) != v.t0 or int(m.group(2)) != v.L:
                raise Bad("oplog.key: another log's")
            if int(m.group(3)) > head["kepoch"]:
                raise Bad("oplog.key: ahead of the head")
            if int(m.group(3)) > other["kepoch"]:
                raise Bad("oplog.key: ahead of a slot")
            if v.key(int(m.group(3))).hex() != m.group(4):
                raise Bad("oplog.key: not K(epoch)")
        covered = v.prev[2] + v.prev[3]
        if covered < v.epoch(now) - 1:
            raise Bad("epochs unsealed")
    return "ok %d" % v.n

try:
    print(main(sys.argv[1:]))
except Bad as e:
    print("bad:", e)
    sys.exit(1)
except OSError as e:                # a file missing or unreadable
    print("bad: %s: %s" % (e.filename, e.strerror))
    sys.exit(1)
