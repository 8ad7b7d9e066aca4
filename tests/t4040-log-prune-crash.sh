#!/bin/sh
# log-prune killed (SIGKILL) at 100 random moments: afterwards the log
# verifies, no record is lost (each is in the log or the archive), none is
# in the log twice; the next run completes the prune, and then every record
# is in exactly one of log and archive, and archive + log verify as one chain.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

# SIGKILL tests process death, not power loss: the page cache survives it,
# so the state may live on tmpfs, where fsync costs nothing and the test
# spends its time killing rather than waiting for the disk.
# lib.sh puts $TMP there when it can.
W=$TMP
S=$W/s A=$W/archive.csv
init_at "$S"
# 160 daily batches of 10 records from 2022-01-02, then 1,000 newer records
# of 1 kB (1 MB) that every prune copies: each prune does the same work.
i=0
while [ $i -lt 160 ]; do
	rec "$S" "$(date -u -d "2022-01-02 + $i days" "+%Y-%m-%d 10:00:00")" "b$i" 10
	i=$((i + 1))
done
awk 'BEGIN { pad = sprintf("%1000s", ""); gsub(/ /, "x", pad)
	for (i = 0; i < 1000; i++) printf "clerk02,view,big,ok,record %d %s\n", i, pad }' |
    at "2022-06-01 10:00:00" log-append -d "$S" --stdin

lastt() { tail -1 "$1" | cut -d, -f2; }
test_seed 4040

test_expect_success 'the log of ~2,600 records verifies' '
	verify "$S" "$(lastt "$S/oplog.csv")" >/dev/null &&
	test "$(seqs "$S/oplog.csv" | wc -l)" -gt 2500
'

# The kill loop is one python3 process: this machine spends ~15 ms on each
# fork+exec, as long as a prune's own work, so a shell loop would kill late.
# Kills land at a uniform random delay from a third of the tool's start-up
# time to the time a whole prune takes, both measured here first; the upper
# bound shrinks after a kill that came too late, grows after one in time.
cat >kill.py <<'PY'
import os, random, signal, subprocess, sys, time
S, A, key = sys.argv[1], sys.argv[2], sys.argv[1] + ".key"
random.seed(int(sys.argv[3]))
def at(t):
    """The environment of a tool whose clock stands at t (libfaketime)."""
    return dict(os.environ, LD_PRELOAD=os.environ["FAKETIME_LIB"], DONT_FAKE_MONOTONIC="1",
                FAKETIME=t.replace("T", " ").rstrip("Z"))
def run(*a, env=None):
    return subprocess.run(a, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
def lines(path, whole_only):
    if not os.path.exists(path):
        return []
    data = open(path).read()
    if whole_only and not data.endswith("\n"):
        data = data[:data.rfind("\n") + 1]
    return [l for l in data.split("\n") if l and not l.startswith("seq,")]
def seqs(path, whole_only=False):
    return [int(l.split(",", 1)[0]) for l in lines(path, whole_only)]
def verify(t, *files):
    return run("log-verify", "-d", S, "-k", key, "--now", t, *files)
def day(k):
    return time.strftime("%Y-%m-%dT12:00:00Z", time.gmtime(1672747200 + 86400 * k))
def timed(*a, env=None):
    t0 = time.monotonic(); run(*a, env=env); return time.monotonic() - t0
start = min(timed("log-prune", "-V", env=at(day(0))) for _ in range(3))
subprocess.run(["cp", "-a", S, S + "-probe"], check=True)
run("log-append", "-d", S + "-probe", "--seal", env=at(day(0)))
whole = sorted(timed("log-prune", "-d", S + "-probe", "-a", A + "-probe", env=at(day(k)))
    for k in range(5))[2]
print("# start-up %.1f ms, a whole prune %.1f ms (median)" % (start * 1e3, whole * 1e3))
hit = pending = k = 0
while hit < 100 and k < 170:
    now = day(k)
    # cron's hourly seal, then the nightly prune, killed
    run("log-append", "-d", S, "--seal", env=at(now))
    last = seqs(S + "/oplog.csv")[-1]
    p = subprocess.Popen(["log-prune", "-d", S, "-a", A],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=at(now))
    time.sleep(random.uniform(start * 0.3, whole))
    p.send_signal(signal.SIGKILL)
    if p.wait() == -signal.SIGKILL:
        hit += 1
        whole *= 1.05
    else:	# too late: prunes vary with the disk; aim earlier
        whole = max(whole * 0.85, start * 0.6)
    # Straight after the kill: the log verifies, or it is a swapped log
    # whose head the next writer completes; nothing lost, nothing doubled.
    t = lines(S + "/oplog.csv", False)[-1].split(",")[1]
    v = verify(t)
    if v.returncode != 0:
        if "head" not in v.stderr:
            sys.exit("kill %d: %s" % (k, v.stderr))
        pending += 1
        # Any writer completes that head (a logged repair), not only a prune.
        w = run("log-append", "-d", S, "-u", "cron", "-a", "after-kill", env=at(now))
        if w.returncode != 0 or verify(now).returncode != 0:
            sys.exit("kill %d: the next writer did not complete the head: %s" % (k, w.stderr))
    log, arch = seqs(S + "/oplog.csv"), seqs(A, True)
    if len(set(log)) != len(log):
        sys.exit("kill %d: a record twice in the log" % k)
    if not set(range(last + 1)) <= set(log) | set(arch):
        sys.exit("kill %d: records lost" % k)
    # The next run (cron, the next day) completes the prune.
    r = run("log-prune", "-d", S, "-a", A, env=at(now))
    if r.returncode != 0:
        sys.exit("kill %d: the next run failed: %s" % (k, r.stderr))
    if os.path.exists(S + "/.tmp-log-prune"):
        sys.exit("kill %d: temporary file left" % k)
    log, arch = seqs(S + "/oplog.csv"), seqs(A)
    if sorted(log + arch) != list(range(log[-1] + 1)):
        sys.exit("kill %d: not every record exactly once in log and archive" % k)
    k += 1
print("# %d of %d kills hit a running log-prune, %d left a head to complete" % (hit, k, pending))
sys.exit(0 if hit == 100 else "only %d kills hit" % hit)
PY

test_expect_success '100 SIGKILLs at random moments: nothing lost, nothing twice, log verifies' '
	FAKETIME_LIB=$FAKETIME_LIB python3 "$TMP/kill.py" "$S" "$A" "$seed" >kill.out &&
	cat kill.out >&2 &&
	now=$(lastt "$S/oplog.csv") &&
	verify "$S" "$now" >/dev/null &&
	verify "$S" "$now" "$A" >/dev/null &&
	verify "$S" "$now" "$A" "$S/oplog.csv" >/dev/null &&
	! has "$S" b0 && has "$S" big
'
sed "s/^/# /" "$TMP/kill.out" 2>/dev/null | grep -v "^# #" ; grep "^#" "$TMP/kill.out" 2>/dev/null

test_done
