#!/bin/sh
# The caller of the gate sets its limits and sends it signals: an operator
# at a terminal, a script, or the user who starts a setuid PAM host (su),
# whose file size limit and signals reach pam_jukisec.  Neither may move
# the failed-attempt count without its record (R5.2, R6): a file size
# limit the log cannot grow under is a log that cannot record (exit 3,
# the one line, nothing counted), and a signal that arrives once the
# count is written is taken only after the record.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

# consistent N: tanaka's count is N and the log has N denials of tanaka
# (none before this file's tests).
consistent() {
	test "$(field tanaka failed)" = "$1" &&
	test "$(log_count auth denied "reason=wrong-password")" = "$1"
}

test_expect_success 'set up: a log of 20 KiB, an operator' '
	reg_state && bootstrap && add_pw tanaka && pw wrong Not-The-Pw-42 &&
	i=0; while [ $i -lt 150 ]; do
		echo "ops,filler,x,ok,record $i"; i=$((i + 1))
	done | log-append -d "$D" --stdin 2>/dev/null &&
	test "$(wc -c <"$D/oplog.csv")" -gt 16384
'

# ulimit -f 24 (blocks of 512 bytes, as POSIX counts them): 12 KiB, room
# for the register and a record (the room check), not for a
# log of 20 KiB to grow.
test_expect_success 'ulimit -f under the log'"'"'s size: exit 3, the one line, nothing counted' '
	cp "$D/operators.csv" reg.before && cp "$D/oplog.csv" log.before &&
	printf "%s\n" "auth-check: $D: the attempt cannot be recorded (File too large): denied" >want &&
	for p in wrong tanaka; do
		(ulimit -f 24 && exec auth-check -d "$D" -u tanaka --password-fd 3 \
		    3<"$TMP/pw.$p") 2>err; rc=$?
		test $rc = 3 && test_cmp want err || { echo "rc $rc" >&2; exit 1; }
	done &&
	cmp reg.before "$D/operators.csv" && cmp log.before "$D/oplog.csv" &&
	consistent 0
'

test_expect_success 'without the limit: denied, counted and logged as before' '
	test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null && consistent 1
'

# killed_after_count SIG: a wrong password of tanaka whose register
# commit (renameat(2), the count in force) is held 1 s by strace, during
# which SIG is sent.  The count and the log must agree afterwards.
killed_after_count() {
	_n=$(field tanaka failed) || return 1
	strace -o /dev/null -e trace=renameat -e inject=renameat:delay_exit=1000000 \
	    auth-check -d "$D" -u tanaka --password-fd 3 3<"$TMP/pw.wrong" \
	    2>/dev/null & _sp=$!
	_i=0; until [ "$(field tanaka failed)" != "$_n" ]; do
		_i=$((_i + 1)); [ $_i -lt 1000 ] || return 1; sleep 0.01
	done
	kill -"$1" "$(ps -o pid= --ppid $_sp)"; wait $_sp
	consistent $((_n + 1))
}

for sig in TERM INT HUP; do
test_expect_success STRACE "SIG$sig once the count is written: the record follows" '
	killed_after_count '$sig'
'
done

# holds LOCK PID: PID holds the flock(2) on $D/LOCK (/proc/locks: one
# that waits for it shows "->" there).
holds() {
	_ino=$(stat -c %i "$D/$1") &&
	awk -v p="$2" -v i=":$_ino\$" '$2 == "FLOCK" && $5 == p && $6 ~ i { f = 1 }
	    END { exit !f }' /proc/locks
}

# until_holds LOCK PID: waits (5 s at most) until PID holds $D/LOCK.
until_holds() {
	_i=0
	until holds "$1" "$2"; do
		_i=$((_i + 1)); [ $_i -lt 250 ] || return 1; sleep 0.02
	done
}

# A lock is never held by a process stopped at its terminal: Ctrl-Z
# (SIGTSTP) while an attempt held the register's lock stopped it there,
# and every other attempt, auth-check, PAM or a manager's --by, waited
# past lock_timeout_ms (exit 3) until it was let go on.  The stop is
# taken once the last lock is gone.  First while the attempt waits for
# the log's lock (held here), before anything is counted; then while its
# count is written (the renameat(2) of the register delayed 1 s by
# strace), all signals held: the held SIGTSTP came the moment the gate
# let the signals go, under the register's lock still.
test_expect_success 'set up: ueda' '
	add_pw ueda
'

test_expect_success 'SIGTSTP while the register lock is held: taken once no lock is' '
	conf_set "$D" lock_timeout_ms 6000 && rm -f held locks || exit 1
	( flock 9 && : >held && exec sleep 30 ) 9>>"$D/oplog.lock" & h=$!
	i=0; until test -e held; do
		i=$((i + 1)); [ $i -lt 250 ] || break; sleep 0.02
	done
	# In a process group of its own, whose parent (this shell) is in
	# another of the same session: a stop sent to an orphaned group, as
	# the tests are under a make run from setsid or cron, is discarded.
	perl -e "setpgrp(0, 0); exec @ARGV or exit 127" \
	    auth-check -d "$D" -u ueda --password-fd 3 3<"$TMP/pw.wrong" \
	    2>/dev/null & ap=$!
	until_holds register.lock $ap && kill -TSTP $ap && sleep 0.3 &&
	grep "^State:" /proc/$ap/status >state.held
	kill $h; wait $h
	sleep 0.5; grep "^State:" /proc/$ap/status >state.after
	{ holds register.lock $ap || holds oplog.lock $ap; } && echo held >locks
	auth ueda "$TMP/pw.ueda" 2>err; r=$?
	kill -CONT $ap; wait $ap; rc=$?
	conf_set "$D" lock_timeout_ms 10000
	cat state.held state.after err >&2
	! grep -q "stopped" state.held && grep -q "stopped" state.after &&
	test ! -e locks && test $r = 0 && test ! -s err && test $rc = 1
'

test_expect_success STRACE 'SIGTSTP while the count is written: taken once no lock is' '
	conf_set "$D" lock_timeout_ms 6000 && n=$(field ueda failed) || exit 1
	strace -o /dev/null -e trace=renameat -e inject=renameat:delay_exit=1000000 \
	    auth-check -d "$D" -u ueda --password-fd 3 3<"$TMP/pw.wrong" \
	    2>/dev/null & sp=$!
	i=0; until [ "$(field ueda failed)" != "$n" ]; do
		i=$((i + 1)); [ $i -lt 1000 ] || break; sleep 0.01
	done
	ap=$(ps -o pid= --ppid $sp | tr -d " ") &&
	grep "^SigBlk:" /proc/$ap/status >sigblk && kill -TSTP $ap &&
	sleep 1.5 && auth ueda "$TMP/pw.ueda" 2>err; r=$?
	kill -CONT $ap; wait $sp; rc=$?
	conf_set "$D" lock_timeout_ms 10000
	cat sigblk err >&2
	b=$(awk "{ print substr(\$2, 9) }" sigblk) &&
	test $(((0x$b >> 14) & 1)) = 1 &&	# SIGTERM held: the count
	test $r = 0 && test ! -s err && test $rc = 1
'

# SMALLAS: the tools start under an address-space limit of 16,000 KiB,
# under which the KDF's kdf_memory_kib (19,456 here) cannot be had (an
# ASan build reserves its shadow memory and cannot start at all).
test_lazy_prereq SMALLAS '
	(ulimit -v 16000 && exec auth-check -V) >/dev/null 2>&1 ||
	    { echo "the tools do not start under ulimit -v 16000 (an ASan build)"; exit 1; }'

# A KDF that cannot run is an operational failure, the same for every
# password and every id: not a wrong password, not a damaged credential.
test_expect_success SMALLAS 'ulimit -v under the KDF'"'"'s memory: exit 3, one line, logged as error, not counted' '
	n=$(field tanaka failed) &&
	printf "%s\n" "auth-check: Argon2id: Cannot allocate memory" >want &&
	for u in tanaka:wrong tanaka:tanaka nosuch:wrong; do
		(ulimit -v 16000 && exec auth-check -d "$D" -u ${u%%:*} \
		    --password-fd 3 3<"$TMP/pw.${u#*:}") 2>err; rc=$?
		test $rc = 3 && test_cmp want err || { echo "$u: rc $rc" >&2; exit 1; }
	done &&
	test "$(field tanaka failed)" = "$n" &&
	test "$(log_count auth error "reason=kdf-failed")" = 3 &&
	test "$(log_count auth denied "reason=credential-corrupt")" = 0 &&
	auth tanaka "$TMP/pw.tanaka"
'

# ulimit -n N: the caller's descriptor limit.  Whatever N, the right
# password and a wrong one get the same exit status and the same lines
# unless the attempt was recorded: an answer that differs unrecorded is
# a guess that costs nothing (R5.2).  The hash was read again under the
# register lock for a right password only, so at one N only its second
# read failed, one line more than a wrong password got, both exit 3,
# nothing counted.
test_expect_success 'ulimit -n: no limit tells a right password from a wrong one unrecorded' '
	auth tanaka "$TMP/pw.tanaka" &&	# the count at 0 (the tests before may be skipped)
	n=4; while [ $n -le 16 ]; do
		for p in wrong tanaka; do
			before=$(wc -l <"$D/oplog.csv") &&
			r=0; (ulimit -n $n; exec auth-check -d "$D" -u tanaka --password-fd 3 \
			    3<"$TMP/pw.$p") 2>"err.$p" || r=$?
			echo $r >"rc.$p" &&
			if [ "$(wc -l <"$D/oplog.csv")" != "$before" ]; then
				echo recorded >"rc.$p"; : >"err.$p"
			fi
		done
		test_cmp rc.wrong rc.tanaka && test_cmp err.wrong err.tanaka ||
		    { echo "ulimit -n $n" >&2; exit 1; }
		n=$((n + 1))
	done &&
	log-verify -d "$D" -k "$D.key" >/dev/null &&
	auth tanaka "$TMP/pw.tanaka"
'

# answer N:FREE ID REASON CMD...: CMD (a wrong password of ID) under
# fds_free N FREE; its exit status, its lines and how many records it
# wrote in ans.ID, and the record, when one was written, the one that a
# run without a limit writes: denied, reason=REASON.  $l is the log's
# length in lines before, and is set to it after (one wc a run).
answer() {
	_nf=$1 _id=$2 _why=$3; shift 3
	_r=0; fds_free ${_nf%:*} ${_nf#*:} "$@" 2>"err.$_id" || _r=$?
	_l=$(wc -l <"$D/oplog.csv") && _w=$((_l - l)) && l=$_l &&
	{ echo "exit $_r, $_w records"; cat "err.$_id"; } >"ans.$_id" &&
	if [ $_w != 0 ]; then
		tail -1 "$D/oplog.csv" | grep -q ",auth,$_id,denied,method=password reason=$_why$CHECK,"
	fi
}

# reset ID: after a limit's three answers, ID's count back at 0 for the
# next (five wrong passwords in a row lock ID out, and a locked id
# answers otherwise).  Only a limit under which a record was written can
# have moved it: the right password, admitted, puts it back.  Where
# nothing was written (most limits), nothing may have changed either: the
# register, ID's hash, the log and its head are as the last admission
# left them and no temporary file is left, which takes no KDF run, and
# neither does counted: the count and the log are as when it last held.
reset() {
	if [ "$l" != "$l0" ]; then
		auth "$1" "$TMP/pw.$1" && l=$(wc -l <"$D/oplog.csv") &&
		ok_save "$1"
	else
		ok_same "$1"
	fi
}

test_expect_success 'set up: sato revoked' '
	add_pw sato && operator-revoke -d "$D" -b boss --by-password-fd 4 \
	    -i sato --reason transfer 4<"$TMP/pw.boss"
'

# "An unknown, revoked or expired id gets the same message [...] so an
# answer never tells a registered id from an unknown one" (auth-check(1)).
# The hash was read before anything else of the attempt needed a
# descriptor: one short, tanaka's read failed (its file named, and the
# log's), an unknown id's later on another file; on a terminal the
# registered id was not even asked for a password.  Under every limit,
# and with the caller's descriptors left open under an ample one, tanaka
# (active), sato (revoked) and nobody answer alike, recorded as without
# a limit or all refused at once, nothing logged or counted.
FDLINE="^auth-check: [0-9]+ free file descriptors needed: Too many open files\$"
test_expect_success 'ulimit -n, descriptors left open: a registered id answers as an unknown one' '
	l= && l0=x && reset tanaka && seen=0 &&
	for nf in $(fd_limits); do
		CHECK= && l0=$l &&
		answer $nf tanaka wrong-password auth-check -d "$D" -u tanaka \
		    --password-fd 3 3<"$TMP/pw.wrong" &&
		answer $nf sato revoked auth-check -d "$D" -u sato \
		    --password-fd 3 3<"$TMP/pw.wrong" &&
		answer $nf nobody unknown-id auth-check -d "$D" -u nobody \
		    --password-fd 3 3<"$TMP/pw.wrong" &&
		test_cmp ans.tanaka ans.sato && test_cmp ans.tanaka ans.nobody &&
		{ [ "$l" = "$l0" ] || counted tanaka; } || { echo "ulimit -n ${nf%:*}, ${nf#*:} free" >&2; exit 1; }
		if grep -Eq "$FDLINE" err.tanaka; then
			seen=$((seen + 1)) && read -r a1 <ans.tanaka &&
			test "$a1" = "exit 3, 0 records" &&
			{ read -r e1 && ! read -r e2; } <err.tanaka || exit 1
		fi
		reset tanaka || exit 1
	done &&
	test $seen -ge 2 && log-verify -d "$D" -k "$D.key" >/dev/null
'

# The check of a manager's -b is the same gate: boss (a manager), tanaka
# (not one) and nobody answer alike.
test_expect_success 'ulimit -n: a manager'"'"'s -b answers as an unknown id'"'"'s' '
	l= && l0=x && reset boss && seen=0 &&
	for nf in $(fd_limits); do
		CHECK=" check=manager" && l0=$l &&
		answer $nf boss wrong-password operator-mod -d "$D" -b boss \
		    --by-password-fd 3 -i tanaka -s S 3<"$TMP/pw.wrong" &&
		answer $nf tanaka not-manager operator-mod -d "$D" -b tanaka \
		    --by-password-fd 3 -i tanaka -s S 3<"$TMP/pw.wrong" &&
		answer $nf nobody unknown-id operator-mod -d "$D" -b nobody \
		    --by-password-fd 3 -i tanaka -s S 3<"$TMP/pw.wrong" &&
		test_cmp ans.boss ans.tanaka && test_cmp ans.boss ans.nobody &&
		{ [ "$l" = "$l0" ] || counted boss; } || { echo "ulimit -n ${nf%:*}, ${nf#*:} free" >&2; exit 1; }
		if grep -q "free file descriptors needed" err.boss; then
			seen=$((seen + 1))
		fi
		reset boss || exit 1
	done &&
	test $seen -ge 2
'

# "the 16 file descriptors the longest attempt holds at once are taken
# and given back; short of them [...] exit 3" (auth-check(1)): 16 counted
# from the caller's side, the state directory's own descriptor among
# them.  The probe took 16 beyond that directory's, so a caller with 16
# free got exit 3 and needed 17.  At the edge, 0 to 3 open (3 the
# password): a limit of 20 admits, 19 is the one line.
test_expect_success 'exactly 16 free descriptors: admitted; 15: exit 3, the one line' '
	auth tanaka "$TMP/pw.tanaka" &&
	fds_at 20 auth-check -d "$D" -u tanaka --password-fd 3 \
	    3<"$TMP/pw.tanaka" 2>err && test ! -s err &&
	l=$(wc -l <"$D/oplog.csv") &&
	for u in tanaka:tanaka tanaka:wrong nobody:wrong; do
		r=0; fds_at 19 auth-check -d "$D" -u ${u%%:*} --password-fd 3 \
		    3<"$TMP/pw.${u#*:}" 2>err || r=$?
		test $r = 3 && one_line_matching err "$FDLINE" &&
		grep -q "^auth-check: 16 free" err || { echo "$u: rc $r" >&2; exit 1; }
	done &&
	test "$(wc -l <"$D/oplog.csv")" = "$l" && counted tanaka
'

# "short of 16 free descriptors every id and password get exit 3 with"
# the one line (auth-check(1)): with one free, the first file read was
# jukisec.conf, before the gate, and its name was said.
# The check comes before it now, for every tool of the gate.
test_expect_success 'one or two descriptors free: the 16 line, not jukisec.conf'"'"'s' '
	l=$(wc -l <"$D/oplog.csv") &&
	for lim in 5 6; do
		for u in tanaka:tanaka nobody:wrong; do
			r=0; fds_at $lim auth-check -d "$D" -u ${u%%:*} --password-fd 3 \
			    3<"$TMP/pw.${u#*:}" 2>err || r=$?
			test $r = 3 && one_line_matching err "$FDLINE" ||
			    { echo "$lim $u: rc $r" >&2; cat err >&2; exit 1; }
		done
		r=0; fds_at $lim operator-revoke -d "$D" -b boss --by-password-fd 3 \
		    -i tanaka --reason transfer 3<"$TMP/pw.boss" 2>err || r=$?
		test $r = 3 && one_line_matching err \
		    "^operator-revoke: 16 free file descriptors needed: Too many open files\$" ||
		    { echo "$lim revoke: rc $r" >&2; cat err >&2; exit 1; }
		r=0; fds_at $lim jukisec-audit -d "$D" --confirm server-room -b boss \
		    --by-password-fd 3 3<"$TMP/pw.boss" 2>err || r=$?
		test $r = 3 && one_line_matching err \
		    "^jukisec-audit: 16 free file descriptors needed: Too many open files\$" ||
		    { echo "$lim confirm: rc $r" >&2; cat err >&2; exit 1; }
	done &&
	test "$(wc -l <"$D/oplog.csv")" = "$l" && counted tanaka
'

# Descriptors 0, 1 and 2 closed by the caller (<&- >&- 2>&-): the files a
# tool opens would take their numbers, and a message meant for standard
# error would land in the state file that got descriptor 2: the line
# refusing a damaged log was appended to that log.
test_expect_success 'standard descriptors closed: no message lands in a state file' '
	init_state "$TMP/s2" && log-append -d "$TMP/s2" -u ops -a x 2>/dev/null &&
	printf "x,y\n" >>"$TMP/s2/oplog.csv" && cp "$TMP/s2/oplog.csv" log.before &&
	test_must_fail 3 log-append -d "$TMP/s2" -u ops -a y <&- >&- 2>&- &&
	cmp log.before "$TMP/s2/oplog.csv" &&
	cp "$D/oplog.csv" log.before &&
	test_must_fail 1 auth-check -d "$D" -u tanaka --password-fd 3 \
	    3<"$TMP/pw.wrong" <&- >&- 2>&- &&
	test "$(wc -l <"$D/oplog.csv")" = $(($(wc -l <log.before) + 1)) &&
	! grep -q "denied\$" "$D"/* 2>/dev/null
'

# The same with a limit of 3 descriptors: the three held leave none free,
# and libgcrypt, which opens /proc/sys/crypto/fips_enabled when it
# starts, aborted (SIGABRT, its own "FATAL" line).  Exit 3 and our line,
# nothing written.  (With 0 to 2 open and none free, ld.so cannot load
# the libraries: exit 127 and its own line, before any tool code runs.)
# NOSAN: not an ASan build, whose runtime, before any tool code, loops
# for ever on a descriptor it cannot dup under a limit of 3.
test_lazy_prereq NOSAN '
	! nm "$JUKISEC_BUILD/auth-check" 2>/dev/null | grep -q " __asan_init\$" ||
	    { echo "an ASan build: its runtime cannot start with no descriptor free"; exit 1; }'
test_expect_success NOSAN 'standard descriptors closed under a limit of 3: exit 3, our line, no abort' '
	cp "$TMP/s2/oplog.csv" log.before && cp "$D/oplog.csv" dlog.before &&
	for t in "log-append -d $TMP/s2 -u ops -a y" \
	    "auth-check -d $D -u tanaka --password-fd 0"; do
		# 0 and 1 closed by the shell, the limit set by tests/fdsetup.
		r=0; "$JUKISEC_BUILD/tests/fdsetup" limit 3 $t <&- >&- 2>err || r=$?
		test $r = 3 && one_line_matching err \
		    "^${t%% *}: /proc/sys/crypto/fips_enabled: Too many open files\$" ||
		    { echo "$t: rc $r" >&2; cat err >&2; exit 1; }
	done &&
	cmp log.before "$TMP/s2/oplog.csv" && cmp dlog.before "$D/oplog.csv"
'

# Under the limit the memory asked for is the larger of jukisec.conf's
# cost and the stored hash's, so that a hash stored under a lower cost
# (jukisec.conf raised since: padded to conf's work) is not told from an
# unknown id, whose dummy derivation has conf's cost; an empty password,
# never derived, is refused the same way.  65,536 KiB under a limit of
# 50,000: tanaka's 19,456 would fit, conf's does not.
test_expect_success SMALLAS 'a hash cheaper than jukisec.conf: the same exit 3 as an unknown id, an empty password too' '
	conf_set "$D" kdf_memory_kib 65536 && pw empty "" &&
	n=$(field tanaka failed) &&
	e=$(log_count auth error "reason=kdf-failed") &&
	printf "%s\n" "auth-check: Argon2id: Cannot allocate memory" >want &&
	for u in tanaka:tanaka tanaka:wrong nosuch:wrong tanaka:empty nosuch:empty; do
		(ulimit -v 50000 && exec auth-check -d "$D" -u ${u%%:*} \
		    --password-fd 3 3<"$TMP/pw.${u#*:}") 2>err; rc=$?
		test $rc = 3 && test_cmp want err || { echo "$u: rc $rc" >&2; exit 1; }
	done &&
	test "$(field tanaka failed)" = "$n" &&
	test "$(log_count auth error "reason=kdf-failed")" = $((e + 5)) &&
	auth tanaka "$TMP/pw.tanaka"
'

# The other way: a hash stored under a higher cost than jukisec.conf's
# now has (lowered since, down to the floor: re-hashed only at the next
# admission) asks for its own memory, and an unknown id's dummy asked for
# conf's: under a limit between the two, tanaka got exit 3 and nosuch and
# sato (revoked) exit 1, an answer that told a registered id.  The memory
# every attempt asks for is the most that any stored hash or conf asks.
test_expect_success SMALLAS 'a hash costlier than jukisec.conf: the same exit 3 for every id' '
	conf_set "$D" kdf_memory_kib 65536 && auth tanaka "$TMP/pw.tanaka" &&
	grep -q "m=65536," "$D/credentials/tanaka.phc" &&
	conf_set "$D" kdf_memory_kib 19456 &&
	n=$(field tanaka failed) &&
	e=$(log_count auth error "reason=kdf-failed") &&
	printf "%s\n" "auth-check: Argon2id: Cannot allocate memory" >want &&
	for u in tanaka:tanaka tanaka:wrong nosuch:wrong sato:wrong; do
		(ulimit -v 50000 && exec auth-check -d "$D" -u ${u%%:*} \
		    --password-fd 3 3<"$TMP/pw.${u#*:}") 2>err; rc=$?
		test $rc = 3 && test_cmp want err || { echo "$u: rc $rc" >&2; exit 1; }
	done &&
	test "$(field tanaka failed)" = "$n" &&
	test "$(log_count auth error "reason=kdf-failed")" = $((e + 4)) &&
	auth tanaka "$TMP/pw.tanaka" &&
	grep -q "m=19456," "$D/credentials/tanaka.phc"
'

# A signal while the attempt waits for the log's lock, before anything is
# counted, ends the run there: nothing counted, no record (the signals are
# held from the count on, not while the run waits).
test_expect_success 'SIGTERM while waiting for the log lock: nothing counted, no record' '
	n=$(field tanaka failed) && cp "$D/oplog.csv" log.before || exit 1
	flock "$D/oplog.lock" sleep 3 & lp=$!
	sleep 0.3
	auth-check -d "$D" -u tanaka --password-fd 3 3<"$TMP/pw.wrong" 2>/dev/null & ap=$!
	sleep 1.5; kill -TERM $ap; wait $ap; rc=$?
	wait $lp
	test $rc = 143 &&
	test "$(field tanaka failed)" = "$n" && cmp log.before "$D/oplog.csv"
'

# C.UTF-8: a locale not C, under which gettext reads LANGUAGE.
test_lazy_prereq CUTF8 '
	locale -a 2>/dev/null | grep -Eqix "c\.utf-?8" || { echo "no C.UTF-8 locale"; exit 1; }
	command -v msgfmt >/dev/null || { echo "msgfmt not installed (gettext, make deps)"; exit 1; }'

# The catalogue's directory is fixed at build time, but gettext joins a
# LANGUAGE entry to it as a path: with "../" in it, a catalogue the caller
# wrote, whose translations are the formats of our messages (%n writes
# memory).  A caller with fewer rights than the tool's (sudo keeps
# LANGUAGE and LC_*) must not choose them.
test_expect_success CUTF8 'LANGUAGE naming a directory: the message is our own' '
	mkdir -p evil/LC_MESSAGES &&
	printf "%s\n" "msgid \"\"" "msgstr \"Content-Type: text/plain; charset=UTF-8\\n\"" \
	    "msgid \"missing %s\"" "msgstr \"EVIL %s\"" >evil.po &&
	msgfmt -o evil/LC_MESSAGES/jukisec.mo evil.po &&
	up=../../../../../../../../../../../../../../../.. &&
	test_must_fail 2 env LC_ALL=C.UTF-8 LANGUAGE=$up$TMP/evil \
	    auth-check -d "$D" 2>err &&
	head -1 err >err1 && echo "auth-check: missing -u" >want &&
	test_cmp want err1 &&
	test_must_fail 2 env LC_ALL=C.UTF-8 LANGUAGE=xx:$up$TMP/evil \
	    log-append -d "$D" -a x 2>err &&
	head -1 err >err1 && echo "log-append: missing -u" >want &&
	test_cmp want err1
'

test_done
