#!/usr/bin/env python3
"""pyrun.py [-e] SCRIPT < RUNS: SCRIPT run once for each line of RUNS, all
in this one python3, each run as from its own command line (runpy, as
__main__): a start of python3 with SCRIPT's imports (ctypes, libcrypto)
costs more than a run on a test's small log.

A line of RUNS is fields separated by tabs: the arguments of one run.  A
line "@cp<TAB>SRC<TAB>DST" copies the file SRC to DST first (the log or
head a run is to read).

Each run prints one line, "STATUS OUTPUT": its exit status and what it
wrote to standard output, lines joined by " | ".  With -e, a run prints
nothing, and the first that fails ends pyrun.py with its status, what it
printed going to standard error: as "run && run && ..." in sh.
"""
import contextlib
import io
import os
import runpy
import shutil
import sys


def run(script, args):
    sys.argv = [script] + args
    out, status = io.StringIO(), 0
    with contextlib.redirect_stdout(out):
        try:
            runpy.run_path(script, run_name="__main__")
        except SystemExit as e:
            status = (0 if e.code is None else
                      e.code if isinstance(e.code, int) else 1)
    return status, out.getvalue()


def main():
    argv = sys.argv[1:]
    stop = argv[:1] == ["-e"]
    if stop:
        argv = argv[1:]
    if len(argv) != 1:
        sys.exit("usage: pyrun.py [-e] SCRIPT < RUNS")
    script = argv[0]
    sys.path.insert(0, os.path.dirname(script))
    for line in sys.stdin.read().splitlines():
        f = line.split("\t")
        if f[0] == "@cp":
            shutil.copyfile(f[1], f[2])
            continue
        status, out = run(script, f)
        if stop and status != 0:
            sys.stderr.write(out)
            sys.exit(status)
        if not stop:
            print(status, out.rstrip("\n").replace("\n", " | "))


main()
