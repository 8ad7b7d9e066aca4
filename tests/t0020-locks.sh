#!/bin/sh
# Locks are bounded: a tool that cannot get its lock within
# lock_timeout_ms exits 3 with "lock timeout: DIR/NAME" (store.c).  The
# lock is held from outside with flock(1), as any other process would.
. "$(dirname "$0")/lib.sh"

D=$TMP/state

# hold LOCKFILE: takes the lock in the background; $TMP/holder has the pid
# that holds it (sleep, after exec), ready once "held" exists.  Tests run
# in subshells, hence the file.
hold() {
	rm -f held
	( flock 9 && : >held && exec sleep 30 ) 9>>"$1" &
	echo $! >"$TMP/holder"
	i=0
	while [ ! -e held ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e held ]
}

release() {
	[ -s "$TMP/holder" ] && kill "$(cat "$TMP/holder")" 2>/dev/null
	rm -f "$TMP/holder"
	# the lock goes with the process; give the kernel a moment to reap it
	sleep 0.1
}
trap 'release; rm -rf "$TMP"' EXIT

test_expect_success 'set up with a 300 ms lock timeout' '
	init_state "$D" &&
	sed "s/^lock_timeout_ms = .*/lock_timeout_ms = 300/" "$D/jukisec.conf" >c &&
	cat c >"$D/jukisec.conf"
'

test_expect_success 'a held log lock times out: exit 3, one line naming it' '
	hold "$D/oplog.lock" &&
	start=$(date +%s%N) &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	end=$(date +%s%N) &&
	one_line_matching err "^log-append: lock timeout: $D/oplog.lock\$" &&
	ms=$(( (end - start) / 1000000 )) &&
	say "waited $ms ms" &&
	[ "$ms" -ge 300 ] && [ "$ms" -lt 5000 ]
'

test_expect_success 'nothing was appended meanwhile' '
	! grep -q ",check," "$D/oplog.csv"
'

test_expect_success 'once the holder lets go, the same command succeeds' '
	release &&
	log-append -d "$D" -u alice -a check &&
	grep -q ",check," "$D/oplog.csv"
'

test_expect_success 'a holder that lets go within the timeout is waited for' '
	sed "s/^lock_timeout_ms = .*/lock_timeout_ms = 5000/" "$D/jukisec.conf" >c &&
	cat c >"$D/jukisec.conf" &&
	hold "$D/oplog.lock" &&
	( sleep 0.5; kill "$(cat "$TMP/holder")" ) &
	log-append -d "$D" -u alice -a waited &&
	wait &&
	grep -q ",waited," "$D/oplog.csv"
'

test_expect_success 'lock_timeout_ms = 0 tries once' '
	sed "s/^lock_timeout_ms = .*/lock_timeout_ms = 0/" "$D/jukisec.conf" >c &&
	cat c >"$D/jukisec.conf" &&
	hold "$D/oplog.lock" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "lock timeout: $D/oplog.lock" &&
	release
'

# A line after the head's record, where a writer may be at work: log-verify
# looks again under the log lock before it calls the log bad.
test_expect_success 'a held log lock: log-verify, log-prune, log-append --recover say so in one line' '
	cp "$D/oplog.csv" log.save &&
	tail -n 1 "$D/oplog.csv" | awk -F, -v OFS=, "{ \$1 = \$1 + 1; print }" >>"$D/oplog.csv" &&
	hold "$D/oplog.lock" &&
	test_must_fail 3 log-verify -d "$D" -k "$D.key" >vout 2>err &&
	one_line_matching err "^log-verify: lock timeout: $D/oplog.lock\$" && test ! -s vout &&
	test_must_fail 3 log-prune -d "$D" --discard 2>err &&
	one_line_matching err "^log-prune: lock timeout: $D/oplog.lock\$" &&
	test_must_fail 3 log-append -d "$D" --recover --key-file "$D.key" 2>err &&
	one_line_matching err "^log-append: lock timeout: $D/oplog.lock\$" &&
	release && cp log.save "$D/oplog.csv"
'

# A reader holds a missing lock file by its absence (store.h); a link in
# its place is not absent.  Planted (no writer can take it either), it
# does not turn the log's failure, which log-verify looked under the lock
# to confirm, into an operational one: the failure's line first, exit 1.
test_expect_success 'a symlink in place of a lock file is refused, by a reader too' '
	rm "$D/oplog.lock" &&
	ln -s "$TMP/elsewhere" "$D/oplog.lock" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "$D/oplog.lock" &&
	test ! -e "$TMP/elsewhere" &&
	cp "$D/oplog.csv" log.save && tail -n 1 "$D/oplog.csv" >>"$D/oplog.csv" &&
	test_must_fail 1 log-verify -d "$D" -k "$D.key" >vout 2>err &&
	cp log.save "$D/oplog.csv" &&
	test "$(wc -l <err)" = 2 &&
	head -n 1 err | grep -Eq "^log-verify: oplog.csv:[0-9]+: seq [0-9]+: " &&
	sed -n 2p err | grep -Fxq "log-verify: $D/oplog.lock: a symbolic link: refused" &&
	test ! -e "$TMP/elsewhere" &&
	rm "$D/oplog.lock"
'

# README "First day" 8 gives the state directory's group read access (the
# shipping user, a clerk), and flock(2) needs only a read-only descriptor:
# a member that could open a lock file, or the directory that log-prune
# locked, could hold it for good and deny every login, record and prune.
# The lock files are the owner's alone (0600; one step 8 made 0640 is made
# 0600 again by the owner's next writer), log-prune's lock is prune.lock,
# as private.  G: the state shared as step 8 shares it with group 65534;
# grab LOCK HOW: uid 65534 in that group alone tries to hold LOCK (flock
# -s or -x) for 10 s; $TMP/m/tried says it is done trying.
G=$TMP/grp
test_lazy_prereq MEMBER '
	[ "$(id -u)" -eq 0 ] || { echo "needs root to run as a member of the state'"'"'s group (uid $(id -u))"; exit 1; }
	setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null ||
	    { echo "setpriv cannot run as uid 65534 here"; exit 1; }'
grab() {
	rm -f "$TMP/m/tried"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '
		if command exec 9<"$1" 2>/dev/null; then flock "$2" 9; fi
		: >"$3"; exec sleep 10' sh "$1" "$2" "$TMP/m/tried" &
	echo $! >"$TMP/holder"
	i=0
	while [ ! -e "$TMP/m/tried" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$TMP/m/tried" ]
}

test_expect_success MEMBER 'set up a state shared with its group as README "First day" 8 says' '
	init_state "$G" &&
	sed "s/^lock_timeout_ms = .*/lock_timeout_ms = 1000/; s/^kdf_memory_kib = .*/kdf_memory_kib = 19456/; s/^kdf_time = .*/kdf_time = 2/" \
	    "$G/jukisec.conf" >c && cat c >"$G/jukisec.conf" &&
	printf "boss-secret-1\n" >pw.boss && chmod 600 pw.boss &&
	operator-add -d "$G" -i boss -n Boss -r manager -m password \
	    --reason r --instructions-given 2026-01-01 --password-fd 3 3<pw.boss &&
	chmod 755 "$TMP" && mkdir -m 777 m && chgrp -R 65534 "$G" && chmod 750 "$G" &&
	find "$G" -maxdepth 1 -type f ! -name "*.key" -exec chmod 640 {} + &&
	auth-check -d "$G" -u boss --password-fd 3 3<pw.boss &&
	stat -c "%a %n" "$G/register.lock" "$G/oplog.lock" >modes &&
	printf "600 %s\n" "$G/register.lock" "$G/oplog.lock" >want &&
	test_cmp want modes
'

# SPEC: one failure, one line.  A member reaches neither the credentials
# nor the log: the credential's line is said, and the log that cannot
# record the error adds none (exit 3, nothing written).
test_expect_success MEMBER 'a member checking a password: one line, exit 3, nothing recorded' '
	cp "$G/oplog.csv" before.csv &&
	test_must_fail 3 setpriv --reuid=65534 --regid=65534 --clear-groups \
	    auth-check -d "$G" -u boss --password-fd 3 3<pw.boss 2>err &&
	one_line_matching err "^auth-check: $G/credentials: Permission denied\$" &&
	test_must_fail 3 setpriv --reuid=65534 --regid=65534 --clear-groups \
	    operator-mod -d "$G" -b boss -i boss -s x --by-password-fd 3 3<pw.boss 2>err &&
	one_line_matching err "^operator-mod: $G/credentials: Permission denied\$" &&
	cmp before.csv "$G/oplog.csv"
'

test_expect_success MEMBER 'a member cannot hold the register lock against a login' '
	grab "$G/register.lock" -s &&
	auth-check -d "$G" -u boss --password-fd 3 3<pw.boss &&
	release
'

test_expect_success MEMBER 'a member cannot hold the log lock against a record' '
	grab "$G/oplog.lock" -x &&
	log-append -d "$G" -u boss -a check &&
	grep -q ",check," "$G/oplog.csv" &&
	release
'

test_expect_success MEMBER 'a member cannot hold log-prune off by locking the directory' '
	grab "$G" -s &&
	log-prune -d "$G" -a "$TMP/arch.csv" &&
	release &&
	test "$(stat -c %a "$G/prune.lock")" = 600
'

test_expect_success MEMBER 'lock files a writer makes in a shared directory are 0600' '
	rm "$G/register.lock" "$G/oplog.lock" &&
	auth-check -d "$G" -u boss --password-fd 3 3<pw.boss &&
	stat -c "%a %n" "$G/register.lock" "$G/oplog.lock" >modes &&
	test_cmp want modes
'

test_done
