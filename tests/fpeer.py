#!/usr/bin/python3
"""fpeer.py — the finger on libfprint's virtual readers, for the tests.

  fpeer.py dev SOCK CMD...
      virtual_device (FP_VIRTUAL_DEVICE=SOCK): sends each CMD ("SCAN alice",
      "RETRY 1", "ERROR 5", "UNPLUG", ...) on its own connection and waits
      for the driver to close it before the next, as the 1.94 driver reads
      once per connection.  A refused or missing socket (the reader is not
      open yet, or a stale file of an earlier run) is retried for 20 s.

  fpeer.py loop SOCK ROUNDS CMD...
      The same CMDs for each of ROUNDS openings of the reader in turn (one
      peer for a benchmark's many runs: no interpreter start per run).

  fpeer.py img SOCK PROMPTS LOG ITEM...
      virtual_image (FP_VIRTUAL_IMAGE=SOCK): one connection; reads the
      tool's stderr from the FIFO PROMPTS, copying it to LOG ("-" for
      standard output), and sends the
      next ITEM each time a line asks for the finger ("place your ..." or
      "scan N of M: ..."), i.e. when the device waits for it; reconnects
      when the reader was opened again (a new socket).  ITEM is a
      binary PGM file, optionally moved: FILE@DX,DY,DEGREES, "blank" (no
      minutiae: a retry), "retry:N",
      "error:N" or "unplug".  Exits at EOF on PROMPTS.

Written for jukisec from the protocol facts; no libfprint code.
"""
import math, os, re, socket, struct, sys, time

def inode(path):
    """Identifies one socket file: inode numbers are reused at once."""
    try:
        st = os.stat(path)
        return (st.st_ino, st.st_ctime_ns)
    except FileNotFoundError:
        return None

def connect(path, avoid=None, deadline=20.0):
    """Connects to the socket, not to the one with inode avoid."""
    end = time.monotonic() + deadline
    while True:
        ino = inode(path)
        if ino is not None and ino != avoid:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s, ino
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
        if time.monotonic() > end:
            sys.exit("fpeer: cannot connect to %s" % path)
        time.sleep(0.01)

def dev(path, cmds):
    ino = avoid = None
    for c in cmds:
        if c == "REOPEN":
            avoid = ino
            continue
        s, ino = connect(path, avoid)
        avoid = None
        s.sendall(c.encode())
        while s.recv(1024):
            pass
        s.close()

def loop(path, rounds, cmds):
    dev(path, (["REOPEN"] + cmds) * rounds)

def moved(w, h, px, dx, dy, deg):
    """The print shifted by (dx, dy) and turned by deg about its centre, as
    a finger never lands twice the same way (nearest neighbour, dark fill)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    cx, cy = w / 2, h / 2
    out = bytearray(w * h)
    for y in range(h):
        for x in range(w):
            u, v = x - cx - dx, y - cy - dy
            sx, sy = int(c * u + s * v + cx), int(-s * u + c * v + cy)
            if 0 <= sx < w and 0 <= sy < h:
                out[y * w + x] = px[sy * w + sx]
    return bytes(out)

def pgm(item):
    name, _, how = item.partition("@")
    with open(name, "rb") as f:
        data = f.read()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m:
        sys.exit("fpeer: %s is not a binary PGM" % name)
    w, h = int(m.group(1)), int(m.group(2))
    px = data[m.end():m.end() + w * h]
    if how:
        dx, dy, deg = (float(v) for v in how.split(","))
        px = moved(w, h, px, dx, dy, deg)
    return struct.pack("=ii", w, h) + px

def packet(item):
    if item == "blank":
        return struct.pack("=ii", 256, 256) + bytes(256 * 256)
    if item == "unplug":
        return struct.pack("=ii", -5, 0)
    for name, code in (("retry:", -1), ("error:", -2)):
        if item.startswith(name):
            return struct.pack("=ii", code, int(item[len(name):]))
    return pgm(item)

ASK = re.compile(r"place your|^scan \d+ of \d+:")

def img(path, prompts, log, items):
    pkts = [packet(i) for i in items]
    s = ino = None
    with open(prompts, "r") as p, \
            (os.fdopen(os.dup(1), "w") if log == "-" else open(log, "a")) as out:
        for line in p:
            out.write(line)
            out.flush()
            if ASK.search(line) and pkts:
                if s is not None and inode(path) != ino:
                    s.close()
                    s = None
                if s is None:
                    s, ino = connect(path)
                s.sendall(pkts.pop(0))
    if s is not None:
        s.close()

def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "dev":
        dev(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) >= 5 and sys.argv[1] == "loop":
        loop(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif len(sys.argv) >= 5 and sys.argv[1] == "img":
        img(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        sys.exit(__doc__)

main()
