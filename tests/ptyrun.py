#!/usr/bin/env python3
import os, pty, signal, sys, select, time
# ptyrun.py ANSWERS... -- CMD...: runs CMD on a new pty; each time a prompt
# ending in ": " appears, types the next answer.  An answer ending in ^Z is
# typed without its ^Z, then Ctrl-Z; once CMD has stopped the screen shows
# <stopped> and "fg" is typed, at the terminal as CMD left it, and CMD goes
# on (SIGCONT), as in a shell.  Prints what the terminal showed; exits with
# CMD's status, or 128 when CMD is killed or still running after 20 s
# (killed: waiting for what no prompt asked, a test fails, not hangs).
i = sys.argv.index("--")
answers, cmd = sys.argv[1:i], sys.argv[i + 1:]


# Whether every process in process group pgrp has stopped: CMD's children
# too (sh keyed TOOL), which a shell waits for as for each command of a
# pipeline.  Taking the terminal back before, it would fail the TOOL's
# putting back of its settings.
def stopped(pgrp):
    for p in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % p) as f:
                st = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError, ValueError):
            continue
        if int(st[2]) == pgrp and st[0] not in "tTZ":
            return False
    return True


# The session leader acts as a job-control shell: CMD runs as the
# foreground job of its own process group, whose parent is in the session.
# A session leader's own group is orphaned, and the kernel drops the ^Z of
# an orphaned group (POSIX): CMD would never stop.
def shell():
    job = os.fork()
    if job == 0:
        os.setpgid(0, 0)
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        os.tcsetpgrp(0, os.getpid())
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        os.execvp(cmd[0], cmd)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    while True:
        _, st = os.waitpid(job, os.WUNTRACED)
        if not os.WIFSTOPPED(st):
            break
        while not stopped(job):
            time.sleep(0.01)
        os.tcsetpgrp(0, os.getpgrp())
        os.write(1, b"<stopped>\n")
        os.read(0, 1024)
        os.tcsetpgrp(0, job)
        os.killpg(job, signal.SIGCONT)
    os._exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128)


pid, fd = pty.fork()
if pid == 0:
    shell()
seen = b""
stops = 0
deadline = time.time() + 20
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            b = os.read(fd, 1024)
        except OSError:
            break
        if not b:
            break
        seen += b
        if seen.count(b"<stopped>") > stops:
            stops += 1
            os.write(fd, b"fg\n")
        elif seen.rstrip().endswith(b":") and answers:
            time.sleep(0.1)
            a = answers.pop(0).encode()
            os.write(fd, a[:-2] + b"\x1a" if a.endswith(b"^Z") else a + b"\n")
            seen += b"<typed>"
else:
    os.kill(pid, signal.SIGKILL)
_, st = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128)
