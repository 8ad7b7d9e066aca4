#!/usr/bin/env python3
import os, pty, signal, sys, select, time
# ptyrun.py ANSWERS... -- CMD...: runs CMD on a new pty; each time a prompt
# ending in ": " appears, types the next answer.  Prints what the terminal
# showed; exits with CMD's status, or 128 when CMD is still running after
# 20 s (killed: waiting for what no prompt asked, a test fails, not hangs).
i = sys.argv.index("--")
answers, cmd = sys.argv[1:i], sys.argv[i + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
seen = b""
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
        if seen.rstrip().endswith(b":") and answers:
            time.sleep(0.1)
            os.write(fd, answers.pop(0).encode() + b"\n")
            seen += b"<typed>"
else:
    os.kill(pid, signal.SIGKILL)
_, st = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128)
