#!/usr/bin/env python3
"""genlog.py — realistic operation logs for make bench, made by the real tools.

  genlog.py log DIR MB EPOCHS SPAN OPS SEED
      Writes DIR/s, a state directory whose log is about MB MiB, DIR/key, its
      verification key, and DIR/meta, what the bench prints about it.  The
      tools on PATH make it, under libfaketime: jukisec-init SPAN days ago, the
      Security Manager and OPS operators registered that day (operator-add,
      at the lowest KDF cost jukisec.conf allows, so that this takes
      seconds), then EPOCHS batches of log-append --stdin on days spread
      evenly up to yesterday, each in its own daily key epoch, so that each
      batch seals the epoch before it.
  genlog.py lines N SEED
      N input lines for log-append --stdin, drawn as the log's records are,
      on standard output.

The records: about 183 bytes each as written (seq, time, terminal, epoch and
MAC included); a third with a detail that CSV must quote (commas, double
quotes); Japanese text in about one in five; about one in eight an
authentication, a few of them failed.  The same SEED gives the same records.
"""
import csv, glob, io, os, random, subprocess, sys, time

DAY = 86400
PASSWORD = b"bench-manager-pw-1\n"

PLAIN = ["window 3", "fee paid", "copy 1 page", "copies 2", "checked by supervisor",
         "counter 2", "moving in", "request 2024-%06d", "proxy form checked",
         "batch print", "ID card shown", "mail request", "returned unclaimed"]
QUOTED = ["reason: moving out, fee paid", "copy, 1 page, counter %d",
          'requested by "agent", proxy form checked', 'note: "urgent", window %d',
          "household of %d, all members", "ID card, driving licence checked",
          'marked "do not disclose", supervisor %d', "fee %d yen, receipt issued"]
JAPANESE = ["住民票の写し %d通", "転入届 受付", "印鑑登録証明書 交付", "本人確認 運転免許証",
            "代理人による請求", "窓口%d 手数料300円", "転出証明書 再交付", "世帯全員の写し"]
ACTIONS = [("view", 38), ("print", 18), ("search", 14), ("auth", 12), ("update", 8),
           ("correct", 4), ("export", 2), ("issue", 4)]
OBJECTS = ["juminhyo %08d"] * 4 + ["inkan %08d"] * 2 + ["koseki-fuhyo %08d"] * 2 + ["住民票 %08d"]


class Records:
    def __init__(self, seed, ops):
        self.rng = random.Random(seed)
        self.ops = ["clerk%03d" % i for i in range(ops)]
        self.actions = [a for a, w in ACTIONS for _ in range(w)]
        self.quoted = self.japanese = self.n = 0

    def pick(self, pool):
        s = self.rng.choice(pool)
        return s % self.rng.randrange(1, 40) if "%" in s else s

    def detail(self):
        r = self.rng.random()
        if r < 0.38:
            d = self.pick(QUOTED)
            if self.rng.random() < 0.25:
                d += ", " + self.pick(JAPANESE)
            extra = self.rng.randrange(0, 3)
            for _ in range(extra):
                d += ", " + self.pick(PLAIN)
            return d
        if r < 0.52:
            return " ".join(self.pick(JAPANESE) for _ in range(self.rng.randrange(1, 3)))
        if r < 0.60:
            return ""
        return "; ".join(self.pick(PLAIN) for _ in range(self.rng.randrange(1, 5)))

    def one(self):
        who = self.rng.choice(self.ops)
        act = self.rng.choice(self.actions)
        if act == "auth":
            if self.rng.random() < 0.93:
                row = [who, "auth", who, "ok", "method=password reason=ok"]
            else:
                row = ["-", "auth", who, "denied", "method=password reason=bad password"]
        else:
            obj = self.rng.choice(OBJECTS) % self.rng.randrange(10**8)
            res = "ok" if self.rng.random() < 0.97 else "denied"
            row = [who, act, obj, res, self.detail()]
        d = row[4]
        self.n += 1
        self.quoted += any(c in d for c in ',"') or d[:1] == " " or d[-1:] == " "
        self.japanese += any(ord(c) > 127 for c in "".join(row))
        return row

    def lines(self, n):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for _ in range(n):
            w.writerow(self.one())
        return buf.getvalue().encode()


def at(t, **env):
    """The environment of a tool run as if the clock said t (libfaketime,
    preloaded directly: the faketime wrapper's semaphore is refused when a
    killed wrapper left one under the same process id in /dev/shm)."""
    lib = glob.glob("/usr/lib/*/faketime/libfaketime.so.1") + glob.glob(
        "/usr/lib/faketime/libfaketime.so.1")
    if not lib:
        sys.exit("genlog.py: libfaketime not found (Debian package faketime)")
    return dict(os.environ, LD_PRELOAD=lib[0],
                FAKETIME=time.strftime("@%Y-%m-%d %H:%M:%S", time.gmtime(t)), **env)


def register(s, pw, t0, ops):
    """The manager and OPS operators, registered at t0 at the lowest cost."""
    conf = os.path.join(s, "jukisec.conf")
    text = open(conf).read().splitlines(True)
    with open(conf, "w") as f:
        for line in text:
            if line.startswith("kdf_memory_kib ="):
                line = "kdf_memory_kib = 19456\n"
            elif line.startswith("kdf_time ="):
                line = "kdf_time = 2\n"
            f.write(line)
    with open(pw, "wb") as f:
        f.write(PASSWORD)
    os.chmod(pw, 0o600)
    day = time.strftime("%Y-%m-%d", time.gmtime(t0))
    base = ["operator-add", "-d", s, "-t", "term01", "-m", "password", "--reason",
            "bench: no reader at this counter", "--instructions-given", day]

    # The passwords on descriptors this process opens, and the tool run
    # directly: a shell started under the preload makes libfaketime's
    # files in /dev/shm for its process id, and the tool it execs under
    # that id then leaves them there.
    def add(t, args, by):
        with open(pw, "rb") as a, open(pw, "rb") as b:
            fds = ["--password-fd", str(a.fileno())]
            if by:
                fds += ["--by-password-fd", str(b.fileno())]
            subprocess.run(base + args + fds, check=True, env=at(t),
                           stdout=subprocess.DEVNULL, pass_fds=(a.fileno(), b.fileno()))

    add(t0 + 60, ["-i", "kanri", "-n", "管理者 一郎", "-r", "manager"], False)
    for i in range(ops):
        add(t0 + 120 + i, ["-b", "kanri", "-i", "clerk%03d" % i, "-n", "職員 %03d" % i], True)

def make_log(out, mb, epochs, span, ops, seed):
    s, target = os.path.join(out, "s"), mb * 1048576
    today = int(time.time()) // DAY * DAY
    t0 = today - span * DAY + 8 * 3600
    with open(os.path.join(out, "key"), "wb") as k:
        os.fchmod(k.fileno(), 0o600)
        # BENCH_FORMAT: the log format (jukisec-log(5)) the bench measures
        fmt = ["--format", os.environ["BENCH_FORMAT"]] if os.environ.get("BENCH_FORMAT") else []
        subprocess.run(["jukisec-init", "-d", s, "-t", "term01"] + fmt, env=at(t0),
                       check=True, stdout=k, stderr=subprocess.DEVNULL)
    register(s, os.path.join(out, "pw"), t0, ops)
    log = os.path.join(s, "oplog.csv")
    gen, start_size, avg = Records(seed, ops), os.path.getsize(log), 183.0
    for i in range(epochs):
        day = 1 + i * (span - 2) // max(1, epochs - 1)
        t = t0 - 8 * 3600 + day * DAY + 9 * 3600 + (i * 37 % 480) * 60
        size = os.path.getsize(log)
        if gen.n:
            avg = (size - start_size) / gen.n
        n = max(1, round((target - size) / (epochs - i) / avg))
        subprocess.run(["log-append", "-d", s, "-t", "term%02d" % (1 + i % 12), "--stdin"],
                       env=at(t), input=gen.lines(n), check=True)
    size = os.path.getsize(log)
    with open(log, "rb") as f:
        records = sum(1 for _ in f) - 1
    with open(os.path.join(out, "meta"), "w") as f:
        f.write("bytes=%d\nrecords=%d\navg=%.0f\nquoted_pct=%.0f\njapanese_pct=%.0f\n"
                "epochs=%d\nspan=%d\nt0=%d\nops=%d\n" % (
                    size, records, size / records, 100.0 * gen.quoted / gen.n,
                    100.0 * gen.japanese / gen.n, epochs, span, t0, ops))


def main(argv):
    if len(argv) == 8 and argv[1] == "log":
        make_log(argv[2], *map(int, argv[3:]))
    elif len(argv) == 4 and argv[1] == "lines":
        gen, n = Records(int(argv[3]), 40), int(argv[2])
        while n > 0:
            sys.stdout.buffer.write(gen.lines(min(n, 65536)))
            n -= 65536
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
