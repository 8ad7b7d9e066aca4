#!/bin/sh
# The verifier's log-prune checkpoint rules (jukisec-log(5)): a pruned log,
# its archive, and both as one chain verify; a missing checkpoint, a
# checkpoint breaking the retention rules (even one MACed with the stolen
# current key), a wrong cut_mac and a changed first record all fail.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

at 2025-01-01T00:00:00Z jukisec-init -d "$TMP/s" -t cs01 >key 2>/dev/null
chmod 600 key
for d in 01-10 02-10 03-10 06-10 12-10; do
	at 2025-${d}T10:00:00Z log-append -d "$TMP/s" -t cs01 -u tanaka -a print -o "$d" 2>/dev/null
done
NOW=2026-04-01T01:00:00Z
lv() { log-verify -d "$TMP/s" -k key --now $NOW "$@"; }
cp -a s unpruned

test_expect_success 'log-prune leaves a log that verifies, with its checkpoint last' '
	prune "$TMP/s" 2026-04-01T00:00:00Z -t cs01 -a "$TMP/arch.csv" &&
	tail -1 s/oplog.csv | grep -Eq ",log-prune,.*,removed=0-[0-9]+ cut_mac=[0-9a-f]{64} cut_time=.* cutoff=2025-04-01T00:00:00.000Z retain_days=365 kept=[0-9]+," &&
	sed -n 2p s/oplog.csv | grep -vq "^0," &&
	lv >out && grep -q ", pruned$" out &&
	cp s/oplog.csv pruned.csv && cp s/oplog.head pruned.head
'

test_expect_success 'the archive verifies alone, and archive then log as one chain' '
	log-verify -k key arch.csv >out && grep -q "^ok: .* seq 0-" out &&
	JUKISEC_DIR= log-verify -k key arch.csv >out && grep -q "^ok: .* seq 0-" out &&
	lv arch.csv "$TMP/s/oplog.csv" >out && grep -q "seq 0-.*oplog.head matches, pruned" out
'

# log-verify(1) --anchor: an anchor kept from before a routine prune names
# a record the log no longer holds; its archive holds it.
test_expect_success 'an anchor of a pruned record: status 1, unless its archive comes first' '
	sed -n 3p unpruned/oplog.csv | grep -q "^1," &&
	a="jukisec-log-anchor v1 seq=1 mac=$(sed -n 3p unpruned/oplog.csv | sed "s/.*,//")" &&
	test_must_fail 1 lv --anchor "$a" >out 2>err &&
	one_line_matching err ": the log starts at seq [0-9]+, after the anchor.s seq 1 \(pruned\): use a newer anchor\$" &&
	lv --anchor "$a" arch.csv "$TMP/s/oplog.csv" >out
'

# log-verify(1): the live log named as the chain's last file gets its head,
# key file, epochs and planted-file checks whatever the first file is.  A
# first archive whose header row is deleted reads as a collector's copy;
# someone who can write the archives and the state directory must not cut
# the log's tail, delete that row, and pass the nightly chain check.
# cv DIR FILE...: log-verify -d DIR of the header-less archive, then FILEs.
cv() { _d=$1; shift; log-verify -d "$TMP/$_d" -k key --now $NOW nh.csv "$@"; }

test_expect_success 'a first file without its header row (a copy) spares the live log no check' '
	tail -n +2 arch.csv >nh.csv && rm -rf c0 && cp -a s c0 &&
	at 2026-04-01T00:30:00Z log-append -d "$TMP/c0" -t cs01 -u tanaka -a print -o late 2>/dev/null &&
	cv c0 "$TMP/c0/oplog.csv" >out && grep -q "oplog.head matches, pruned, a copy\$" out &&
	log-verify -k key --now $NOW nh.csv c0/oplog.csv >out && grep -q "oplog.head matches" out &&
	rm -rf c && cp -a c0 c && sed -i "\$d" c/oplog.csv &&
	test_must_fail 1 cv c "$TMP/c/oplog.csv" 2>err &&
	one_line_matching err "^log-verify: oplog.head: the log ends at seq [0-9]+, the head says [0-9]+: tail truncated\$" &&
	test_must_fail 1 log-verify -k key --now $NOW nh.csv c/oplog.csv 2>err &&
	one_line_matching err "oplog.head: .*: tail truncated\$" &&
	rm c/oplog.key && test_must_fail 1 cv c "$TMP/c/oplog.csv" 2>err &&
	one_line_matching err "tail truncated\$" &&
	rm -rf c && cp -a c0 c && rm c/oplog.key &&
	test_must_fail 1 cv c "$TMP/c/oplog.csv" 2>err &&
	one_line_matching err "^log-verify: oplog.key: missing: " &&
	test_must_fail 1 log-verify -d "$TMP/c0" -k key --now 2026-04-05T00:00:00Z \
	    nh.csv "$TMP/c0/oplog.csv" 2>err &&
	one_line_matching err "^log-verify: oplog.csv: epochs [0-9]+ to [0-9]+ unsealed" &&
	rm -rf c && cp -a c0 c && mv c/oplog.csv c/old.csv && ln -s old.csv c/oplog.csv &&
	test_must_fail 1 cv c "$TMP/c/oplog.csv" 2>err &&
	one_line_matching err "^log-verify: oplog.csv: a symbolic link: refused\$" &&
	rm c/oplog.csv && mkfifo -m 600 c/oplog.csv &&
	test_must_fail 1 timeout 10 log-verify -d "$TMP/c" -k key --now $NOW \
	    nh.csv "$TMP/c/oplog.csv" 2>err &&
	one_line_matching err "^log-verify: oplog.csv: not a regular file: refused\$"
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

# A head put back from a backup taken before the prune: the head's record
# no longer lies where the head says, while the first record is explained
# by the checkpoint further on.  The head's record is the first bad one,
# for log-verify as for log-show -k (which looks ahead for the checkpoint).
test_expect_success 'a head from before the prune: its record named, not the first record' '
	rm -rf hp && cp -a s hp && cp pruned.csv hp/oplog.csv &&
	cp unpruned/oplog.head hp/oplog.head &&
	test_must_fail 1 log-verify -d "$TMP/hp" -k key --now $NOW 2>err &&
	one_line_matching err "^log-verify: oplog.csv:[0-9]+: seq [0-9]+: oplog.head says size" &&
	test_must_fail 1 log-show -d "$TMP/hp" -k key --now $NOW >/dev/null 2>err2 &&
	sed "s/^log-show:/log-verify:/" err2 | test_cmp err -
'

# forge_each KEYFILE LOG PREFIX: for each line "NAME EXPR" of stdin,
# PREFIX.NAME.csv is LOG with its last record's detail rewritten by the
# Python expression EXPR (over d, the detail) and MACed again with the
# current key (logforge.py last).  One python3 runs logforge.py for all
# of them (pyrun.py): a start of it costs 150 ms (ctypes, libcrypto), and
# the tests below need twenty forgeries.
forge_each() {
	while read -r _n _e; do
		printf '@cp\t%s\t%s\nlast\t%s\t%s\t%s\n' "$2" "$3.$_n.csv" \
		    "$1" "$3.$_n.csv" "$_e" || return 1
	done | python3 "$SRCDIR/tests/pyrun.py" -e "$SRCDIR/tests/logforge.py"
}

# forged NAME MESSAGE: the forgery fg.NAME.csv, as f.csv, fails with MESSAGE.
forged() {
	cp "fg.$1.csv" f.csv &&
	test_must_fail 1 log-verify -k key f.csv 2>err &&
	one_line_matching err "$2"
}

# The forgeries of the pruned log the tests below verify, made here.
test_expect_success 'the forger re-MACs correctly (control: unchanged detail verifies)' '
	forge_each s/oplog.key pruned.csv fg <<-\EOF &&
	same d
	r300 d.replace("retain_days=365", "retain_days=300")
	cutoff d.replace("cutoff=2025-04-01T00:00:00.000Z", "cutoff=2025-04-02T00:00:00.000Z")
	cut_time re.sub(r"cut_time=\S+", "cut_time=2025-04-01T00:00:00.000Z", d)
	cut_mac re.sub(r"cut_mac=\S+", "cut_mac=" + "0" * 64, d)
	extra d + " extra"
	kept re.sub(r"kept=[0-9]+", "kept=1", d)
	removed re.sub(r"removed=0-", "removed=1-", d)
	before_t0 re.sub(r"cut_time=\S+", "cut_time=2024-03-10T10:00:00.000Z", d)
	zero365 d.replace("retain_days=365", "retain_days=0365")
	cutoff_s d.replace("cutoff=2025-04-01T00:00:00.000Z", "cutoff=2025-04-01T00:00:00Z")
	space d + " "
	EOF
	cmp fg.same.csv pruned.csv
'

test_expect_success 'a checkpoint keeping under 365 days fails (R6)' '
	forged r300 "kept only 300 days"
'

test_expect_success 'a cutoff later than the checkpoint time minus the retention fails' '
	forged cutoff "cutoff 2025-04-02T00:00:00.000Z is less than 365 days"
'

test_expect_success 'a cut record not before the cutoff fails' '
	forged cut_time "not before its cutoff"
'

test_expect_success 'a wrong cut_mac leaves the first record unverified' '
	forged cut_mac "f.csv:2: seq [0-9]+: MAC mismatch"
'

test_expect_success 'a malformed checkpoint fails' '
	forged extra "malformed log-prune checkpoint"
'

test_expect_success 'a cut_mac that differs from the archive is caught when both are given' '
	cp fg.cut_mac.csv f.csv &&
	test_must_fail 1 log-verify -k key arch.csv f.csv 2>err &&
	one_line_matching err "cut_mac or cut_time differs from record"
'

# A holder of the current key forges a checkpoint (tests/logforge.py): it
# can only claim what a genuine prune at a time it may date could have
# removed, whatever cut_time it writes (issue 10, finding 3).
# keyforged NAME LAST TIME CUTOFF [CUT_TIME]: the unpruned log so forged.
keyforged() {
	rm -rf "$1" && cp -a unpruned "$1" &&
	python3 "$SRCDIR/tests/logforge.py" checkpoint "$1" "$2" "$3" "$4" ${5:-} &&
	cp "$1/oplog.csv" "$1.csv"
}
seq_of() { awk -F, -v o="$2" '$6 == o { print $1; exit }' "$1"; }

test_expect_success 'key holder: a checkpoint cutting records months younger than a year fails' '
	last=$(( $(seq_of unpruned/oplog.csv 12-10) - 1 )) &&
	keyforged k1 $last 2026-04-01T00:00:00.000Z 2025-04-01T00:00:00.000Z 2025-03-31T00:00:00.000Z &&
	test_must_fail 1 log-verify -k key --now $NOW k1.csv 2>err &&
	one_line_matching err "k1.csv:2: seq [0-9]+: first kept record is in epoch [0-9]+, after the cutoff.s epoch" &&
	test_must_fail 1 log-verify -d "$TMP/k1" -k key --now $NOW 2>err &&
	one_line_matching err "after the cutoff.s epoch"
'

test_expect_success 'key holder: the same dated a year ahead fails as dated after the verification time' '
	keyforged k2 auto 2027-04-01T00:00:00.000Z 2026-04-01T00:00:00.000Z &&
	test_must_fail 1 log-verify -k key --now $NOW k2.csv 2>err &&
	one_line_matching err "dated after the verification time 2026-04-01T01:00:00.000Z" &&
	log-verify -k key --now 2027-04-01T00:00:00Z k2.csv >/dev/null
'

test_expect_success 'key holder: a cut that a genuine prune allows verifies (the bound is not too tight)' '
	keyforged k3 auto 2026-04-01T00:00:00.000Z 2025-04-01T00:00:00.000Z &&
	log-verify -k key --now $NOW k3.csv >/dev/null
'

test_expect_success 'a checkpoint whose kept= or removed= range does not fit its place fails' '
	cp fg.kept.csv f.csv &&
	test_must_fail 1 log-verify -k key f.csv 2>err &&
	one_line_matching err "does not fit its seq" &&
	cp fg.removed.csv f.csv &&
	test_must_fail 1 log-verify -k key arch.csv f.csv 2>err &&
	one_line_matching err "log-prune removed from seq 1, the log then began at 0"
'

test_expect_success 'a checkpoint with a cut_time before t0 fails' '
	forged before_t0 "cut_time 2024-03-10T10:00:00.000Z is before the log began"
'

test_expect_success 'a checkpoint number with a leading zero, or a time of another form, fails' '
	forged zero365 "malformed log-prune checkpoint" &&
	forged cutoff_s "malformed log-prune checkpoint"
'

test_expect_success 'a checkpoint with a space after its last token fails' '
	forged space "malformed log-prune checkpoint" &&
	test_must_fail 1 python3 "$SRCDIR/tests/indepverify.py" key f.csv >/dev/null
'

# The next night nothing is old enough (one seal, too short to remove
# alone): log-prune leaves a log-prune record with removed=0 (issue 17).
RNOW=2026-04-02T01:00:00Z
indep() { python3 "$SRCDIR/tests/indepverify.py" "$@"; }

test_expect_success 'a run that removes nothing: its record verifies, with both verifiers' '
	cp -a s ran && cp arch.csv ran.arch &&
	prune "$TMP/ran" 2026-04-02T00:00:00Z -t cs01 -a "$TMP/ran.arch" &&
	cmp arch.csv ran.arch &&
	tail -1 ran/oplog.csv | grep -q ",cs01,-,log-prune,oplog.csv,ok,removed=0 cutoff=2025-04-02T00:00:00.000Z retain_days=365," &&
	cp ran/oplog.csv ran.csv &&
	log-verify -d "$TMP/ran" -k key --now $RNOW >/dev/null &&
	log-verify -k key --now $RNOW arch.csv ran.csv >/dev/null &&
	indep --now $RNOW --dir "$TMP/ran" key >out && grep -q "^ok " out &&
	indep --now $RNOW key arch.csv ran.csv >out && grep -q "^ok " out
'

# ran_forged NAME MESSAGE: rf.NAME.csv, the removed=0 record rewritten
# (forge_each) and re-MACed with the current key, as f.csv, fails with
# MESSAGE, and the independent verifier rejects it too.
ran_forged() {
	cp "rf.$1.csv" f.csv &&
	test_must_fail 1 log-verify -k key --now $RNOW f.csv 2>err &&
	one_line_matching err "$2" &&
	test_must_fail 1 indep --now $RNOW key f.csv >/dev/null
}

# The forgeries of the removed=0 record the tests below verify, made here.
test_expect_success 'removed=0: the forger control verifies' '
	forge_each ran/oplog.key ran.csv rf <<-\EOF &&
	same d
	r300 d.replace("retain_days=365", "retain_days=300")
	cutoff d.replace("cutoff=2025-04-02T00:00:00.000Z", "cutoff=2025-04-02T00:00:00.001Z")
	kept d + " kept=3"
	space d + " "
	removed00 d.replace("removed=0", "removed=00")
	order "retain_days=365 removed=0 cutoff=2025-04-02T00:00:00.000Z"
	time_s d.replace("00.000Z", "00Z")
	EOF
	cp rf.same.csv f.csv && cmp f.csv ran.csv &&
	indep --now $RNOW key f.csv >/dev/null
'

test_expect_success 'removed=0 keeping under 365 days fails (R6)' '
	ran_forged r300 "kept only 300 days"
'

test_expect_success 'removed=0 with a cutoff later than its time minus the retention fails' '
	ran_forged cutoff \
	    "cutoff 2025-04-02T00:00:00.001Z is less than 365 days .or a calendar year. before its record"
'

test_expect_success 'removed=0 with another token, order or form fails as malformed' '
	ran_forged kept "malformed log-prune checkpoint" &&
	ran_forged space "malformed log-prune checkpoint" &&
	ran_forged removed00 "malformed log-prune checkpoint" &&
	ran_forged order "malformed log-prune checkpoint" &&
	ran_forged time_s "malformed log-prune checkpoint"
'

test_expect_success 'a changed first record of the pruned log fails at that record' '
	sed "2s/,records=/,records=1/" pruned.csv >f.csv &&
	test_must_fail 1 log-verify -k key f.csv 2>err &&
	one_line_matching err "f.csv:2: seq [0-9]+: MAC mismatch"
'

# A chain check that a prune overtakes (log-verify(1)): the archive comes
# through a FIFO in two parts, and between them log-prune moves the log's
# first records to the archive and renames a new log in.  The archive as
# read ends where the old log began, the new log begins after the records
# moved: no tampering, but no chain either.  Exit 3, one line: run again.
# Records really missing where the archive meets the log still fail (1).
# The owner's (or root's) chain check holds prune.lock shared, so no prune
# overtakes it: that is a member of the state directory's group, who may
# not open the lock (t0020), run as uid 65534 (setpriv, util-linux).
QNOW=2026-07-01T01:00:00Z QPT=2026-07-01T00:00:00Z
test_lazy_prereq MEMBER '
	[ "$(id -u)" -eq 0 ] || { echo "needs root to run as a member of the state'"'"'s group (uid $(id -u))"; exit 1; }
	setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null ||
	    { echo "setpriv cannot run as uid 65534 here"; exit 1; }'
member() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# drained FD: waits until the reader of the FIFO open on FD has read all
# that was written to it.
drained() {
	python3 -c 'import array, fcntl, sys, termios, time
b = array.array("i", [1])
for _ in range(4000):
    fcntl.ioctl(int(sys.argv[1]), termios.FIONREAD, b)
    if b[0] == 0:
        sys.exit(0)
    time.sleep(0.005)
sys.exit(1)' "$1"
}
# overtaken ARCHIVE CMD [WHO]: log-verify -d q of ARCHIVE through a FIFO,
# then of q/oplog.csv, CMD run once it has read the first 40 lines of
# ARCHIVE (and is waiting for more); its status in st, its output in out,
# err.  WHO: the command it runs under (member), else the caller's.  With
# --anchor A1 and A2 when they are set.
overtaken() {
	rm -f ff st && mkfifo ff || return 1
	{ ${3:-} timeout 30 log-verify -d "$TMP/q" -k ${3:+m}key --now $QNOW ${A1:+"--anchor=$A1"} \
	    ${A2:+"--anchor=$A2"} - "$TMP/q/oplog.csv" <ff >out 2>err; echo $? >st; } &
	exec 7>ff
	head -n 40 "$1" >&7 && drained 7 && eval "$2"
	_r=$?
	tail -n +41 "$1" >&7
	exec 7>&-
	wait
	return $_r
}
# ended N: log-verify ended with status N (else what it said, on stderr).
ended() { test "$(cat st)" = "$1" || { echo "exit $(cat st), want $1:" >&2; cat err >&2; false; }; }
prune_q() { prune "$TMP/q" $QPT -t cs01 -a "$TMP/q.arch"; }
swap_q() { cp -p q/oplog.csv q/new && mv q/new q/oplog.csv; }
seam="q/oplog.csv:2: seq [0-9]+: seq [0-9]+ follows [0-9]+: a record is missing, inserted or moved\$"
# q: a copy of s, q.arch made anew (a member's test leaves it the group's,
# which log-prune refuses); shared: its group 65534 reads it (README
# "First day" 8), the lock files and oplog.key the owner's alone, as
# writers leave them.
fresh_q() { rm -rf q q.arch && cp -a s q && cp arch.csv q.arch; }
shared_q() {
	fresh_q && chgrp -R 65534 q && chmod 750 q &&
	find q -maxdepth 1 -type f ! -name oplog.key ! -name "*.lock" -exec chmod 640 {} +
}

test_expect_success MEMBER 'a member of the group: a chain check that log-prune overtakes: exit 3, verify again (no false alarm)' '
	chmod 755 "$TMP" && cp key mkey && chown 65534 mkey &&
	shared_q && test "$(wc -l <arch.csv)" -gt 80 &&
	overtaken arch.csv prune_q member &&
	ended 3 && test ! -s out &&
	one_line_matching err "^log-verify: .*q/oplog.csv: pruned while the files before it were read \(log-prune removed records [0-9]+-[0-9]+\): verify again\$" &&
	log-verify -d "$TMP/q" -k key --now $QNOW - "$TMP/q/oplog.csv" <q.arch >out &&
	grep -q "oplog.head matches, pruned\$" out
'

test_expect_success MEMBER 'records really missing where the archive meets the log: still 1, the log replaced meanwhile or not' '
	sed "\$d" arch.csv >cut.csv &&
	shared_q && overtaken cut.csv prune_q member &&
	ended 1 && one_line_matching err "$seam" &&
	shared_q && overtaken cut.csv swap_q member &&
	ended 1 && one_line_matching err "$seam" &&
	shared_q && overtaken arch.csv "sed -i 2d q/oplog.csv" member &&
	ended 1 && one_line_matching err "$seam" &&
	shared_q && overtaken cut.csv : member &&
	ended 1 && one_line_matching err "$seam" &&
	fresh_q && overtaken cut.csv : &&
	ended 1 && one_line_matching err "$seam"
'

# The owner's chain check and log-prune -a FILE never overlap: log-prune
# writes the archive file before it replaces the log, and a check in
# between read the archive past the log's start (exit 1, a false alarm).
# stopped_prune: log-prune of q (after its seal) stopped by tests/crashpoint.c
# just after its last write to q.arch, before it replaces the log; its pid
# in stop.  resumed: it went on and succeeded.
. "$SRCDIR/tests/lib-crash.sh"
stopped_prune() {
	fresh_q && at $QPT log-append -d "$TMP/q" --seal && rm -rf q0 && cp -a q q0 &&
	at $QPT crash_trace log-prune -d "$TMP/q" -t cs01 -a "$TMP/q.arch" >/dev/null 2>&1 &&
	_n=$(awk "/q\\.arch/ { n = \$1 } END { print n + 1 }" crash.trace) &&
	rm -rf q && cp -a q0 q && cp arch.csv q.arch && rm -f stop pst &&
	{ { at $QPT crash_stop $_n "$TMP/stop" log-prune -d "$TMP/q" -t cs01 -a "$TMP/q.arch" \
	    >/dev/null 2>&1; echo $? >pst; } & } &&
	crash_stopped stop &&
	test "$(wc -l <q.arch)" -gt "$(wc -l <arch.csv)" && cmp q0/oplog.csv q/oplog.csv
}
resumed() { crash_go stop; wait; test "$(cat pst)" = 0; }
# chain [WHO]: the nightly check of q.arch and q/oplog.csv in the
# background, its status in st once done.
chain() {
	rm -f st && { { ${1:-} timeout 30 log-verify -d "$TMP/q" -k ${1:+m}key --now $QNOW \
	    "$TMP/q.arch" "$TMP/q/oplog.csv" >out 2>err; echo $? >st; } & }
}
# settled SECONDS: st is there within SECONDS (else 1).
settled() {
	_i=0
	while [ ! -e st ] && [ $_i -lt $(($1 * 100)) ]; do sleep 0.01; _i=$((_i + 1)); done
	test -e st
}

test_expect_success 'the owner checks the chain while log-prune has written the archive: it waits, then verifies' '
	stopped_prune && chain && { settled 1; early=$?; resumed; } &&
	ended 0 && test $early != 0 && test ! -s err && grep -q "oplog.head matches, pruned\$" out &&
	log-verify -d "$TMP/q" -k key --now $QNOW q.arch q/oplog.csv >out &&
	grep -q "oplog.head matches, pruned\$" out
'

test_expect_success 'the owner waits lock_timeout_ms for a prune at most: exit 3, lock timeout' '
	stopped_prune &&
	sed -i "s/^lock_timeout_ms = .*/lock_timeout_ms = 200/" q/jukisec.conf &&
	grep -q "^lock_timeout_ms = 200\$" q/jukisec.conf && chain && { settled 5; r=$?; resumed; } &&
	test $r = 0 && ended 3 && test ! -s out &&
	one_line_matching err "^log-verify: lock timeout: $TMP/q/prune.lock\$"
'

test_expect_success 'another log-prune is still refused at once' '
	stopped_prune && { test_must_fail 3 at $QPT log-prune -d "$TMP/q" -t cs01 -a "$TMP/q.arch" \
	    2>perr; r=$?; resumed; } && test $r = 0 &&
	one_line_matching perr "^log-prune: $TMP/q: another log-prune is running\$"
'

# The rest of the archive reaches the check a second after log-prune
# starts, which without the lock is done by then (exit 3 above).
test_expect_success 'log-prune waits for the owner'"'"'s chain check, then prunes' '
	fresh_q && at $QPT log-append -d "$TMP/q" --seal &&
	log-verify -d "$TMP/q" -k key --now $QNOW q.arch q/oplog.csv >before &&
	rm -f ff st && mkfifo ff &&
	{ { timeout 30 log-verify -d "$TMP/q" -k key --now $QNOW - "$TMP/q/oplog.csv" \
	    <ff >out 2>err; echo $? >st; } & } &&
	exec 7>ff && head -n 40 arch.csv >&7 && drained 7 &&
	{ { sleep 1; tail -n +41 arch.csv >&7; } & } &&
	exec 7>&- && { prune_q >pout 2>&1; r=$?; wait; } && test $r = 0 && test ! -s pout &&
	ended 0 && test ! -s err && test_cmp before out &&
	test "$(wc -l <q.arch)" -gt "$(wc -l <arch.csv)" &&
	log-verify -d "$TMP/q" -k key --now $QNOW q.arch q/oplog.csv >out &&
	grep -q "oplog.head matches, pruned\$" out && ! test_cmp before out >/dev/null
'

test_expect_success 'log-prune waits lock_timeout_ms for a chain check at most: exit 3, nothing pruned' '
	fresh_q && sed -i "s/^lock_timeout_ms = .*/lock_timeout_ms = 200/" q/jukisec.conf &&
	grep -q "^lock_timeout_ms = 200\$" q/jukisec.conf &&
	overtaken arch.csv "test_must_fail 3 prune_q 2>perr" && ended 0 &&
	one_line_matching perr "^log-prune: lock timeout: $TMP/q/prune.lock\$" &&
	cmp arch.csv q.arch && tail -1 q/oplog.csv | grep -vq ",log-prune,"
'

test_expect_success MEMBER 'a member of the group does not wait for a prune (it may not open prune.lock)' '
	stopped_prune && chgrp -R 65534 q q.arch && chmod 750 q && chmod 640 q.arch &&
	find q -maxdepth 1 -type f ! -name oplog.key ! -name "*.lock" -exec chmod 640 {} + &&
	test "$(stat -c %a q/prune.lock)" = 600 &&
	chain member && { settled 5; r=$?; resumed; } && test $r = 0 &&
	ended 1 && one_line_matching err "$seam"
'

# log-show of the same chain (log-show(1)) holds prune.lock as the owner's
# check does: read between the archive write and the rename, the archive
# runs past the log's start, and with -k that was a false alarm (1),
# without it the records moved were shown twice.
# show_chain ARGS...: log-show -d q ARGS of q.arch and q/oplog.csv in the
# background, its status in st once done, its output in so, se.
show_chain() {
	rm -f st && { { timeout 30 log-show -d "$TMP/q" --now $QNOW "$@" \
	    "$TMP/q.arch" "$TMP/q/oplog.csv" >so 2>se; echo $? >st; } & }
}
# shown N: log-show ended with status N (else what it said, on stderr).
shown() { test "$(cat st)" = "$1" || { echo "exit $(cat st), want $1:" >&2; cat se >&2; false; }; }
# once ARGS...: so shows no seq twice, and is what log-show ARGS shows of
# the chain now.
once() {
	_twice=$(cut -d, -f1 so | sort | uniq -d | tr "\n" " ")
	test -z "$_twice" || { echo "shown twice: $_twice" | cut -c1-200 >&2; return 1; }
	log-show -d "$TMP/q" --now $QNOW "$@" q.arch q/oplog.csv >want && test_cmp want so
}

test_expect_success 'log-show -k of the chain while log-prune has written the archive: it waits, then shows it' '
	stopped_prune && show_chain -k key && { settled 1; early=$?; resumed; } &&
	shown 0 && test ! -s se && once -k key && test $early != 0 &&
	grep -q ",log-prune,.*,removed=" so
'

test_expect_success 'log-show of the chain without -k waits too: no record shown twice' '
	stopped_prune && show_chain && { settled 1; early=$?; resumed; } &&
	shown 0 && test ! -s se && once && test $early != 0
'

test_expect_success 'log-show waits lock_timeout_ms for a prune at most: exit 3, lock timeout' '
	for k in "-k key" ""; do
		stopped_prune &&
		sed -i "s/^lock_timeout_ms = .*/lock_timeout_ms = 200/" q/jukisec.conf &&
		show_chain $k && { settled 5; r=$?; resumed; } && test $r = 0 &&
		shown 3 && test ! -s so &&
		one_line_matching se "^log-show: lock timeout: $TMP/q/prune.lock\$" || exit 1
	done
'

# Only a chain that ends in the live log waits: the live log alone (a
# prune renames it whole), one file, and archives alone do not, nor does
# a follower, which reads the live log only.
test_expect_success 'log-show of the live log alone, or of archives, does not wait for a prune' '
	stopped_prune && {
		timeout 5 log-show -d "$TMP/q" >o1 &&
		timeout 5 log-show -d "$TMP/q" -k key --now $QNOW >o2 &&
		timeout 5 log-show -d "$TMP/q" -k key --now $QNOW q/oplog.csv >o3 &&
		timeout 5 log-show -d "$TMP/q" -k key --now $QNOW q.arch >o4 &&
		timeout 5 log-show -d "$TMP/q" arch.csv q.arch >o5
		r=$?; resumed; } && test $r = 0 &&
	cmp o1 q0/oplog.csv && test_cmp o1 o2 && test_cmp o1 o3 && test -s o4 && test -s o5
'

# soon SECONDS CMD...: CMD succeeds within SECONDS (polled).
soon() {
	_s=$1; shift; _i=0
	until "$@"; do
		[ $_i -lt $((_s * 100)) ] || return 1
		sleep 0.01; _i=$((_i + 1))
	done
}

test_expect_success 'log-show --follow does not keep log-prune waiting' '
	stopped_prune && rm -f fo &&
	{ timeout 30 log-show -d "$TMP/q" --follow >fo 2>ferr & fpid=$!; } &&
	{ soon 10 cmp -s fo q0/oplog.csv; r=$?; crash_go stop; } &&
	{ test $r = 0 && soon 10 test -s pst &&
	    soon 10 grep -q ",log-prune,.*,removed=[0-9]" fo; r=$?; kill $fpid; wait; } &&
	test $r = 0 && test "$(cat pst)" = 0 && test ! -s ferr
'

# The same look, without a prune: an archive whose last part, the records
# a prune moved long before the check, was deleted, and the log renamed
# over by a copy of itself while the archive is read.  The log that was in
# place when the check began did not begin where the archive as read ends,
# and its checkpoint was there already (the head then named it or a later
# record): records missing, 1, however often the copy is renamed in.  The
# same with the log and head from before that prune put back for the
# check's start (an old copy: the key file, which nobody without the key
# can put back, is ahead of that head), or a head forged for it.
# put_back: q's own log and head renamed in again (planted ones were there).
put_back() {
	cp -p p2/oplog.head q/h.new && mv q/h.new q/oplog.head &&
	cp -p p2/oplog.csv q/new && mv q/new q/oplog.csv
}
seam2="q/oplog.csv:2: seq [0-9]+: seq [0-9]+ follows $(seqs arch.csv | tail -1): a record is missing, inserted or moved\$"

test_expect_success 'an archive without the records an old prune moved, the log swapped meanwhile: still 1' '
	cp -a s p2 && cp arch.csv p2.arch &&
	prune "$TMP/p2" 2026-07-01T00:00:00Z -t cs01 -a "$TMP/p2.arch" &&
	test "$(head -n $(wc -l <arch.csv) p2.arch)" = "$(cat arch.csv)" &&
	test "$(wc -l <p2.arch)" -gt "$(wc -l <arch.csv)" &&
	log-verify -d "$TMP/p2" -k key --now $QNOW p2.arch "$TMP/p2/oplog.csv" >out &&
	grep -q "oplog.head matches, pruned\$" out &&
	rm -rf q && cp -a p2 q && overtaken arch.csv swap_q &&
	ended 1 && one_line_matching err "$seam2" &&
	rm -rf q && cp -a p2 q && overtaken arch.csv : &&
	ended 1 && one_line_matching err "$seam2"
'

test_expect_success 'the log and head from before that prune planted for the start of the check: still 1' '
	rm -rf q && cp -a p2 q && cp -p s/oplog.csv s/oplog.head q/ &&
	overtaken arch.csv put_back &&
	ended 1 && one_line_matching err "$seam2" &&
	e=$(sed -n "s/.* epoch=\([0-9]*\) .*/\1/p" p2/oplog.key) && test -n "$e" &&
	rm -rf q && cp -a p2 q && cp -p s/oplog.csv s/oplog.head q/ &&
	sed -i "s/ kepoch=[0-9]* / kepoch=$e /g" q/oplog.head &&
	! cmp -s q/oplog.head s/oplog.head && overtaken arch.csv put_back &&
	ended 1 && one_line_matching err "$seam2"
'

# Anchors hold when a prune overtakes the check: one of the archive as it
# was found there, one of the new log is checked on the log verified
# alone, and one that does not match it is the failure it is without a
# prune (1).
# As a member of the group: the owner's check holds prune.lock, which
# the prune waits for, so only a member's is overtaken.
test_expect_success MEMBER 'a prune overtakes a check with anchors: 3 when they hold, else 1' '
	A1=$(awk -F, "\$1 == 50 { print \"jukisec-log-anchor v1 seq=50 mac=\" \$10 }" arch.csv) &&
	A2=$(log-verify -d "$TMP/s" -k key --now $NOW --head) &&
	case $A2 in "jukisec-log-anchor v1 seq="*) ;; *) false ;; esac &&
	shared_q && chmod 600 q.arch && overtaken arch.csv prune_q member &&
	ended 3 && one_line_matching err "verify again\$" &&
	A2=$(echo "$A2" | sed "s/mac=.*/mac=$(printf %064d 0)/") &&
	shared_q && chmod 600 q.arch && overtaken arch.csv prune_q member &&
	ended 1 && one_line_matching err "$seam"
'
A1= A2=

test_done
