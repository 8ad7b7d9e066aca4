#!/bin/sh
# log-verify: success line, anchors, key handling, archives, and each
# failure path other than tampering (t1030).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/s" -t cs01 >key 2>/dev/null
chmod 600 key
la() { log-append -d "$TMP/s" -t cs01 "$@"; }
lv() { log-verify -d "$TMP/s" "$@"; }
indep() { python3 "$SRCDIR/tests/indepverify.py" "$@"; }
# indep_each FILE: indepverify.py once for each line of FILE (its
# arguments, blank-separated), all in one python3 (pyrun.py): a line
# "STATUS OUTPUT" for each run, its exit status and what it printed.
indep_each() {
	tr " " "\t" <"$1" | python3 "$SRCDIR/tests/pyrun.py" "$SRCDIR/tests/indepverify.py"
}
at 2026-01-01T09:00:00Z la -u tanaka -a print 2>/dev/null
at 2026-01-02T09:00:00Z la -u sato -a view 2>/dev/null
NOW=2026-01-02T10:00:00Z

test_expect_success 'success: one line with count, epoch range and head' '
	lv -k key --now $NOW >out 2>err &&
	test ! -s err &&
	mac=$(tail -1 s/oplog.csv | cut -d, -f10 | cut -c1-16) &&
	echo "ok: 4 records, seq 0-3, epochs 0-1, head 3:$mac, oplog.head matches" >want &&
	test_cmp want out
'

test_expect_success 'the key from standard input; a file there others may read is refused' '
	lv -k - --now $NOW <key >out && grep -q "^ok: 4 records" out &&
	cp key key644 && chmod 644 key644 &&
	test_must_fail 3 lv -k - --now $NOW <key644 >out 2>err &&
	one_line_matching err "^log-verify: <stdin>: readable by group or others; chmod 600 it\$" &&
	test ! -s out
'

test_expect_success '--head prints the anchor; --anchor checks it' '
	lv -k key --head --now $NOW >anchor &&
	grep -Eqx "jukisec-log-anchor v1 seq=3 mac=[0-9a-f]{64}" anchor &&
	lv -k key --anchor "$(cat anchor)" --now $NOW >out &&
	at 2026-01-02T09:30:00Z la -u ito -a view &&
	lv -k key --anchor "$(cat anchor)" --now $NOW >out
'

# The anchor is what a cron job ships off the machine: a reader gone
# (EPIPE) is exit 3 and one line, not a SIGPIPE death without a word.
test_expect_success '--head, its reader gone: exit 3, one line' '
	no_reader lv -k key --head --now $NOW 2>err &&
	test "$(cat "$TMP/no_reader.rc")" = 3 &&
	one_line_matching err "^log-verify: write error: standard output: Broken pipe\$"
'

test_expect_success 'an anchor whose MAC differs fails at that record' '
	sed "s/mac=./mac=0/" anchor >bad && cmp -s anchor bad && sed "s/mac=./mac=1/" anchor >bad;
	test_must_fail 1 lv -k key --anchor "$(cat bad)" --now $NOW 2>err &&
	one_line_matching err "oplog.csv:5: seq 3: MAC differs from the anchor"
'

test_expect_success 'a malformed anchor is a usage error' '
	test_must_fail 2 lv -k key --anchor "seq=3" 2>err
'

test_expect_success 'an anchor is exactly the line --head prints, else a usage error' '
	a=$(cat anchor) && m=${a#*mac=} &&
	lv -k key --now $NOW --anchor "$a
" >out &&
	for bad in "$a ff" "${a}0" "$a trailing" "${a%% mac=*}  mac=$m" \
	    "jukisec-log-anchor v1 seq=+3 mac=$m" "jukisec-log-anchor v1 seq=03 mac=$m" \
	    "jukisec-log-anchor v1 seq= 3 mac=$m" "jukisec-log-anchor  v1 seq=3 mac=$m" \
	    "jukisec-log-anchor v1 seq=3 mac=$(echo $m | tr a-f A-F)"; do
		test_must_fail 2 lv -k key --now $NOW --anchor "$bad" 2>err &&
		grep -q "^log-verify: --anchor: not a jukisec-log-anchor line$" err || return 1
	done
'

test_expect_success 'a key file readable by others is refused (exit 3)' '
	cp key key644 && chmod 644 key644 &&
	test_must_fail 3 lv -k key644 2>err &&
	one_line_matching err "key644: readable by group or others" &&
	chmod 640 key644 && test_must_fail 3 lv -k key644 2>err
'

# SPEC: a key file group or others may write is refused too; the line says
# what they may do, not that they may read it.
test_expect_success 'a key file group or others may write or run, not read: refused in those words' '
	for m in 620 602 610; do
		cp key key$m && chmod $m key$m &&
		test_must_fail 3 lv -k key$m 2>err &&
		one_line_matching err "^log-verify: key$m: open to group or others; chmod 600 it\$" &&
		test_must_fail 3 log-show -d s -k key$m >out 2>err &&
		one_line_matching err "^log-show: key$m: open to group or others; chmod 600 it\$" || return 1
	done
'

test_expect_success 'a malformed key exits 2, a missing one 3' '
	echo "not a key" >junk && chmod 600 junk &&
	test_must_fail 2 lv -k junk 2>err &&
	grep -q "not a jukisec log verification key" err &&
	test_must_fail 3 lv -k nonexistent 2>err
'

# jukisec-log(5) "Keys": the key line is the one jukisec-init prints, its
# tokens in that order, one space apart, its number as every number of the
# log's files (no sign, no leading zero).  A verifier built from the page
# refuses any other spelling of it; so does this one, from a file and from
# standard input, with log-show -k too.
test_expect_success 'the key line in another order or spelling: exit 2, not a key' '
	# each with the token the message names (SPEC: the field), none when
	# the line does not begin as a key
	: >indep.args && ni=0 &&
	for fe in "epoch_seconds s/epoch_seconds=/epoch_seconds=+/" \
	    "epoch_seconds s/epoch_seconds=/epoch_seconds=0/" \
	    "t0 s/^\(.* v1\) \(t0=[^ ]*\) \(epoch_seconds=[^ ]*\) \(k0=.*\)\$/\1 \4 \3 \2/" \
	    "t0 s/^\(.* v1\) \(t0=[^ ]*\) \(epoch_seconds=[^ ]*\)/\1 \3 \2/" \
	    "k0 s/ k0=/  k0=/" "k0 s/\$/ /" "epoch_seconds s/epoch_seconds=/epoch_seconds= /" \
	    "- s/ v1 / v01 /"; do
		f=" \\(field ${fe%% *}\\)" e=${fe#* } &&
		if [ "${fe%% *}" = - ]; then f=; fi &&
		sed "$e" key >kb && chmod 600 kb && ! cmp -s key kb &&
		test_must_fail 2 lv -k kb --now $NOW >out 2>err &&
		one_line_matching err "^log-verify: kb: not a jukisec log verification key$f\$" &&
		test_must_fail 2 lv -k - --now $NOW <kb >out 2>err &&
		one_line_matching err "^log-verify: <stdin>: not a jukisec log verification key$f\$" &&
		test_must_fail 2 log-show -d "$TMP/s" -k kb --now $NOW >out 2>err &&
		one_line_matching err "^log-show: kb: not a jukisec log verification key$f\$" &&
		test ! -s out &&
		ni=$((${ni:-0} + 1)) && cp kb "kb.$ni" &&
		echo "--now $NOW --dir $TMP/s kb.$ni" >>indep.args || return 1
	done &&
	# the independent verifier on each, in one python3
	echo "--now $NOW --dir $TMP/s key" >>indep.args &&
	indep_each indep.args >out &&
	{ i=0; while [ $i -lt $ni ]; do echo "1 bad: not a verification key"; i=$((i + 1)); done
	  echo "0 ok 5"; } >want && test_cmp want out
'

test_expect_success 'the key line saved without its final LF is read, two lines are not' '
	printf %s "$(cat key)" >knolf && chmod 600 knolf &&
	test "$(tail -c 1 knolf | od -An -c | tr -d " ")" != "\\n" &&
	lv -k knolf --now $NOW >out && grep -q "^ok: " out &&
	printf %s "$(cat key)" | lv -k - --now $NOW >out && grep -q "^ok: " out &&
	{ cat key; cat key; } >k2 && chmod 600 k2 &&
	test_must_fail 2 lv -k k2 --now $NOW 2>err &&
	one_line_matching err "^log-verify: k2: not one line$"
'

test_expect_success 'a key file that is a FIFO, a directory or a symbolic link: exit 3 naming it, never a wait' '
	mkfifo kfifo && mkdir kdir && ln -s key klink &&
	test_must_fail 3 timeout 10 log-verify -d "$TMP/s" -k kfifo 2>err &&
	one_line_matching err "^log-verify: kfifo: not a regular file: refused$" &&
	test_must_fail 3 lv -k kdir 2>err &&
	one_line_matching err "^log-verify: kdir: not a regular file: refused$" &&
	test_must_fail 3 lv -k klink 2>err &&
	one_line_matching err "^log-verify: klink: a symbolic link: refused$" &&
	cat key | lv -k - --now $NOW >out && grep -q "^ok: " out
'

# A key that cannot be read is an operational failure (exit 3) wherever
# it comes from: standard input closed, open for writing only, a
# directory or a device there is what a named file of that kind is.
test_expect_success 'a key on standard input that cannot be read: exit 3 in every reader of the key' '
	mkdir -p kdir && chmod 700 kdir && : >kw && chmod 600 kw &&
	for t in "log-verify -d $TMP/s -k -" "log-show -d $TMP/s -k -" \
	    "log-append -d $TMP/s --recover --key-file -"; do
		p=${t%% *} &&
		test_must_fail 3 $t <&- >out 2>err &&
		one_line_matching err "^$p: <stdin>: Bad file descriptor\$" &&
		test_must_fail 3 $t 0>>kw >out 2>err &&
		one_line_matching err "^$p: <stdin>: Bad file descriptor\$" &&
		test_must_fail 3 $t <kdir >out 2>err &&
		one_line_matching err "^$p: <stdin>: not a regular file: refused\$" &&
		test_must_fail 3 $t </dev/null >out 2>err &&
		one_line_matching err "^$p: <stdin>: not a regular file: refused\$" &&
		test ! -s out || return 1
	done &&
	test ! -s kw &&
	cat key | lv -k - --now $NOW >out && grep -q "^ok: " out
'

test_expect_success 'a wrong key always fails, at the genesis record' '
	at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/other" >key2 2>/dev/null &&
	chmod 600 key2 &&
	test_must_fail 1 lv -k key2 --now $NOW 2>err &&
	one_line_matching err "oplog.csv:2: seq 0: MAC mismatch" &&
	sed "s/k0=\(.\)/k0=\1/" key >key3 && chmod 600 key3 &&
	k=$(sed "s/.*k0=//" key) && f=$(echo "$k" | cut -c1) &&
	if [ "$f" = 0 ]; then r=1; else r=0; fi &&
	sed "s/k0=./k0=$r/" key >key3 &&
	test_must_fail 1 lv -k key3 --now $NOW 2>err &&
	one_line_matching err "MAC mismatch"
'

test_expect_success 'a key with another t0 or epoch length fails' '
	sed "s/t0=2026-01-01T00:00:00.000Z/t0=2026-01-01T00:00:00.001Z/" key >k4 && chmod 600 k4 &&
	test_must_fail 1 lv -k k4 --now $NOW 2>err &&
	sed "s/epoch_seconds=86400/epoch_seconds=3600/" key >k5 && chmod 600 k5 &&
	test_must_fail 1 lv -k k5 --now $NOW 2>err
'

test_expect_success 'usage errors exit 2' '
	test_must_fail 2 lv 2>err && grep -q "^usage: log-verify" err &&
	test_must_fail 2 lv -k key --now never 2>err &&
	test_must_fail 2 lv -k key --bogus 2>err &&
	lv --help >out && grep -q "^usage: log-verify" out
'

test_expect_success 'epochs left unsealed (no cron seal, or tail cut) fail' '
	test_must_fail 1 lv -k key --now 2026-01-05T00:00:00Z 2>err &&
	one_line_matching err "epochs 1 to 3 unsealed" &&
	lv -k key --now 2026-01-03T23:00:00Z >out
'

test_expect_success 'files given: verified as one chain, no head; the live log last is head-checked' '
	cp s/oplog.csv copy.csv &&
	log-verify -k key copy.csv >out && grep -q "no head checked" out &&
	lv -k key --now $NOW "$TMP/s/oplog.csv" >out && grep -q "oplog.head matches" out
'

# zcat ARCHIVE.gz | log-verify -k KEY - LOG (log-verify(1), log-prune(1)):
# the chain split after seq 1, arch.csv then l2.csv.  On two cores a file
# is verified a block per core, and a block that fails sends the verifier
# back for the first failure and its message; standard input, read before,
# may be a pipe, which gives its bytes once.
# ways CMD...: CMD with arch.csv named, redirected to standard input and
# piped into it, then l2.csv, pinned to one core and not: stdout, stderr
# and status as with arch.csv named on one core, in ways.out, .err, .st.
ways() {
	{ taskset -c 0 "$@" arch.csv l2.csv >ways.out 2>ways.err; echo $? >ways.st; } &&
	for _c in "taskset -c 0" ""; do
		{ $_c "$@" arch.csv l2.csv >w.out 2>w.err; echo $? >w.st; } &&
		test_cmp ways.st w.st && test_cmp ways.err w.err && test_cmp ways.out w.out &&
		{ $_c "$@" - l2.csv <arch.csv >w.out 2>w.err; echo $? >w.st; } &&
		test_cmp ways.st w.st && test_cmp ways.err w.err && test_cmp ways.out w.out &&
		cat arch.csv | { $_c "$@" - l2.csv >w.out 2>w.err; echo $? >w.st; } &&
		test_cmp ways.st w.st && test_cmp ways.err w.err && test_cmp ways.out w.out ||
		return 1
	done
}

test_expect_success 'a bad record in the file after standard input is named the same whether it is a file, a redirect or a pipe' '
	sed -n 1,3p s/oplog.csv >arch.csv && { sed -n 1p s/oplog.csv; sed -n "4,\$p" s/oplog.csv; } >good.csv &&
	test "$(sed -n 2p good.csv | cut -d, -f1,5)" = 2,seal &&
	test "$(sed -n 3p good.csv | cut -d, -f1,4)" = 3,sato &&
	cp good.csv l2.csv && ways log-verify -k key --now $NOW &&
	test "$(cat ways.st)" = 0 && grep -q "^ok: 5 records, seq 0-4," ways.out &&
	sed "3s/,sato,/,sako,/" good.csv >l2.csv &&
	ways log-verify -k key --now $NOW && test "$(cat ways.st)" = 1 &&
	one_line_matching ways.err "^log-verify: l2.csv:3: seq 3: MAC mismatch: record changed, or wrong key\$" &&
	awk -F, "NR == 2 { \$0 = substr(\$0, 1, length(\$0) - 1) (\$0 ~ /0\$/ ? 1 : 0) } 1" good.csv >l2.csv &&
	ways log-verify -k key --now $NOW && test "$(cat ways.st)" = 1 &&
	one_line_matching ways.err "^log-verify: l2.csv:2: seq 2: MAC mismatch: record changed, or wrong key\$"
'

test_expect_success 'log-show -k: the same records shown and the same failure, whether the archive is a file, a redirect or a pipe' '
	sed "3s/,sato,/,sako,/" good.csv >l2.csv &&
	ways log-show -k key --now $NOW --format raw && test "$(cat ways.st)" = 1 &&
	one_line_matching ways.err "^log-show: l2.csv:3: seq 3: MAC mismatch" &&
	test "$(cut -d, -f1 ways.out | tr "\n" " ")" = "seq 0 1 2 " &&
	ways log-show -k key --now $NOW --format raw --operator tanaka &&
	test "$(cat ways.st)" = 1 && test "$(cut -d, -f1 ways.out | tr "\n" " ")" = "seq 1 "
'

# moving CMD...: CMD (its last file the live log z/oplog.csv) while a
# writer is at work: the log has the torn tail of an append in flight,
# which fails the first pass; the writer, holding the log lock, cuts it
# once CMD waits for that lock (strace shows its main thread's refused
# flock(2)), so that CMD sees the log moved and verifies it again.
# Leaves CMD's status in mv.st, the writer's in mv.wst (0: it saw CMD
# wait).
moving() {
	cp z.good z/oplog.csv && printf '%s' "9,2023-03-02T05:00:00.000Z,cs01,x" >>z/oplog.csv &&
	rm -f mv.held mv.trace &&
	{ flock z/oplog.lock sh -c ': >mv.held; i=0
		until grep -q "LOCK_NB) *= -1" mv.trace 2>/dev/null; do
			sleep 0.05; i=$((i + 1)); [ $i -lt 400 ] || exit 1
		done
		cat z.good >z/oplog.csv' & } &&
	while [ ! -e mv.held ]; do sleep 0.05; done &&
	{ strace -o mv.trace "$@"; echo $? >mv.st; } &&
	{ wait $!; echo $? >mv.wst; }
}

test_expect_success STRACE 'a live log that moves after standard input: verified again after it, not from it' '
	init_at "$TMP/z" && rec "$TMP/z" "2022-03-01 09:00:00" A 3 &&
	prune "$TMP/z" 2022-06-01T03:30:00Z -a - >z.csv &&
	rec "$TMP/z" "2023-03-01 09:00:00" B 3 &&
	prune "$TMP/z" 2023-03-02T03:30:00Z -a - >>z.csv && ! has "$TMP/z" A &&
	cp z/oplog.csv z.good && N=2023-03-02T06:00:00Z &&
	log-verify -d z -k z.key --now $N z.csv z/oplog.csv >want &&
	grep -q "^ok: .* seq 0-.*, oplog.head matches, pruned\$" want &&
	log-show -d z -k z.key --now $N --format raw z.csv z/oplog.csv >want.show &&
	for how in file pipe; do
		if [ $how = file ]; then set -- z.csv; else set -- -; fi &&
		cat z.csv | moving log-verify -d z -k z.key --now $N "$@" z/oplog.csv >got 2>err &&
		test_cmp /dev/null err && test "$(cat mv.wst) $(cat mv.st)" = "0 0" && test_cmp want got &&
		cat z.csv | moving log-show -d z -k z.key --now $N --format raw "$@" z/oplog.csv >got 2>err &&
		test_cmp /dev/null err && test "$(cat mv.wst) $(cat mv.st)" = "0 0" &&
		test_cmp want.show got ||
		return 1
	done
'

test_expect_success 'a file that is not a log fails naming it' '
	echo hello >nolog &&
	test_must_fail 1 log-verify -k key nolog 2>err &&
	one_line_matching err "nolog:1: missing header row" &&
	: >empty && test_must_fail 1 log-verify -k key empty 2>err &&
	test_must_fail 3 log-verify -k key missing.csv 2>err
'

test_expect_success 'a missing or garbled head is damage: exit 1, one message' '
	mv s/oplog.head head.bak &&
	test_must_fail 1 lv -k key --now $NOW 2>err &&
	one_line_matching err "oplog.head: No such file" &&
	echo junk >s/oplog.head &&
	test_must_fail 1 lv -k key --now $NOW 2>err &&
	one_line_matching err "oplog.head: malformed head" &&
	cp head.bak s/oplog.head && printf "\\0" >>s/oplog.head &&
	test_must_fail 1 lv -k key --now $NOW 2>err &&
	one_line_matching err "^log-verify: oplog.head: longer than two slots\$" &&
	mv head.bak s/oplog.head && lv -k key --now $NOW >out
'

# A second file refused does not hide the damage (t1030 plants each kind):
# the log lock, taken after a failure to rule out a writer at work, its
# refusal after the damage's line; oplog.key, read first, not at all.
# log-show -k says the same (its page: a head that does not verify, 1).
test_expect_success 'a missing head with the lock or oplog.key refused too: still damage (1), its line first' '
	mv s/oplog.head head.bak &&
	mv s/oplog.lock lock.bak && ln -s "$TMP/nowhere" s/oplog.lock &&
	{ lv -k key --now $NOW >out 2>err; st=$?; } &&
	{ log-show -d "$TMP/s" -k key --now $NOW >shown 2>show.err; sst=$?; } &&
	rm s/oplog.lock && mv lock.bak s/oplog.lock && chmod 644 s/oplog.key &&
	{ lv -k key --now $NOW >kout 2>kerr; kst=$?; } &&
	chmod 600 s/oplog.key && mv head.bak s/oplog.head &&
	test $st = 1 && test ! -s out && test "$(wc -l <err)" = 2 &&
	head -n 1 err | grep -q "^log-verify: oplog.head: No such file or directory\$" &&
	sed -n 2p err | grep -Fxq "log-verify: $TMP/s/oplog.lock: a symbolic link: refused" &&
	test $sst = 1 && test "$(wc -l <show.err)" = 2 &&
	head -n 1 show.err | grep -q "^log-show: oplog.head: No such file or directory\$" &&
	test $kst = 1 && test ! -s kout &&
	one_line_matching kerr "^log-verify: oplog.head: No such file or directory\$" &&
	lv -k key --now $NOW >out
'

test_expect_success 'the lock or oplog.key refused alone, the log in order: the key 3, the lock not taken' '
	chmod 644 s/oplog.key &&
	{ lv -k key --now $NOW >out 2>err; st=$?; } &&
	chmod 600 s/oplog.key && test $st = 3 && test ! -s out &&
	one_line_matching err "^log-verify: oplog.key: readable by group or others; chmod 600 it\$" &&
	mv s/oplog.lock lock.bak && ln -s "$TMP/nowhere" s/oplog.lock &&
	{ lv -k key --now $NOW >out 2>err; st=$?; } &&
	rm s/oplog.lock && mv lock.bak s/oplog.lock &&
	test $st = 0 && test ! -s err && grep -q "oplog.head matches\$" out
'

# oplog.key refused with oplog.head and oplog.csv in place: the records
# (and the epochs' seals) come first, as for the lock.  A record changed
# or epochs left unsealed are the verdict (1), their line first, the
# key's refusal after it; log-show -k says the same and shows nothing.
# Someone who tampers records must not turn the verdict into 3 with a
# chmod of oplog.key.
test_expect_success 'a record changed or epochs unsealed, and oplog.key refused: the log'"'"'s failure (1), its line first, the key'"'"'s after' '
	cp s/oplog.csv log.bak && sed -i "3s/,tanaka,/,tanakb,/" s/oplog.csv &&
	chmod 644 s/oplog.key &&
	{ lv -k key --now $NOW >out 2>err; st=$?; } &&
	{ log-show -d "$TMP/s" -k key --now $NOW >shown 2>show.err; sst=$?; } &&
	cp log.bak s/oplog.csv &&
	{ lv -k key --now 2026-01-05T00:00:00Z >uout 2>uerr; ust=$?; } &&
	chmod 600 s/oplog.key &&
	test $st = 1 && test ! -s out && test "$(wc -l <err)" = 2 &&
	head -n 1 err | grep -q "^log-verify: oplog.csv:3: seq 1: MAC mismatch: record changed, or wrong key\$" &&
	sed -n 2p err | grep -q "^log-verify: oplog.key: readable by group or others; chmod 600 it\$" &&
	test $sst = 1 && test ! -s shown && sed "s/^log-verify:/log-show:/" err >want.err &&
	test_cmp want.err show.err &&
	test $ust = 1 && test ! -s uout && test "$(wc -l <uerr)" = 2 &&
	head -n 1 uerr | grep -Eq "^log-verify: oplog.csv: epochs [0-9]+ to 3 unsealed" &&
	sed -n 2p uerr | grep -q "^log-verify: oplog.key: readable by group or others; chmod 600 it\$" &&
	lv -k key --now $NOW >out
'

# A head or log that is there but that this caller may not read (EACCES:
# not the file refused for its type, owner or mode, which is tampering,
# t1030) is an operational failure.  Root reads any file: as root, a member
# of the state directory's group, to whom the file is 0600, stands in for
# the caller (setpriv, util-linux); as another user, a file of mode 000.
test_expect_success 'a head or log this caller may not read: exit 3, not tampering' '
	if [ "$(id -u)" -ne 0 ]; then
		for f in oplog.head oplog.csv; do
			chmod 000 s/$f &&
			{ test_must_fail 3 lv -k key --now $NOW 2>err; r=$?; chmod 600 s/$f; } &&
			test $r = 0 &&
			one_line_matching err "^log-verify: $f: Permission denied\$" || return 1
		done &&
		lv -k key --now $NOW >out
	else
		rm -rf g && cp -a s g && chmod 755 "$TMP" && chgrp -R 65534 g && chmod 750 g &&
		find g -maxdepth 1 -type f ! -name oplog.key -exec chmod 640 {} + &&
		cp key member.key && chown 65534 member.key &&
		m() { setpriv --reuid=65534 --regid=65534 --clear-groups log-verify -d g -k member.key --now $NOW; } &&
		m >out && grep -q "^ok: " out &&
		for f in oplog.head oplog.csv; do
			chmod 600 g/$f &&
			test_must_fail 3 m >out 2>err &&
			one_line_matching err "^log-verify: $f: Permission denied\$" &&
			chmod 640 g/$f || return 1
		done
	fi
'

test_expect_success 'a missing state directory exits 3' '
	test_must_fail 3 log-verify -d "$TMP/none" -k key 2>err
'

test_expect_success 'a torn tail left by a killed writer fails until the next append repairs it' '
	printf "9,2026-01-02T09:40:00.000Z,cs01,x" >>s/oplog.csv &&
	test_must_fail 1 lv -k key --now $NOW 2>err &&
	one_line_matching err "oplog.csv:$(($(wc -l <s/oplog.csv) + 1)): 33 bytes after the last record: an unfinished append" &&
	at "2026-01-02 09:50:00" log-append -d "$TMP/s" -t cs01 -u tanaka -a next &&
	tail -2 s/oplog.csv | head -1 | grep -q ",-,repair,oplog.csv,ok,removed=33 bytes after seq 4,1," &&
	lv -k key --now $NOW >out
'

test_expect_success 'whole records after a head that was lost (one unsynced write) verify, and are taken in' '
	cp s/oplog.head before.head &&
	at "2026-01-02 09:51:00" log-append -d "$TMP/s" -t cs01 -u a -a b &&
	at "2026-01-02 09:52:00" log-append -d "$TMP/s" -t cs01 -u a -a c &&
	cp before.head s/oplog.head &&
	lv -k key --now $NOW >out &&
	at "2026-01-02 09:53:00" log-append -d "$TMP/s" -t cs01 -u a -a d &&
	grep -c ",-,repair," s/oplog.csv >n && test "$(cat n)" -eq 1 &&
	grep -q ",a,b," s/oplog.csv && grep -q ",a,c," s/oplog.csv && lv -k key --now $NOW
'

test_expect_success 'a batch after an open head (a writer killed before its commit) fails, not shown, until the next append removes and logs it' '
	cp s/oplog.csv before.csv && seq=$(tail -1 s/oplog.csv | cut -d, -f1) &&
	printf "a,b,x,ok,\na,c,x,ok,\n" | at "2026-01-02 09:54:00" log-append -d "$TMP/s" -t cs01 --stdin &&
	python3 "$SRCDIR/tests/logforge.py" head s 0 $seq open s/oplog.key &&
	python3 "$SRCDIR/tests/logforge.py" head s 1 $((seq - 1)) s/oplog.key &&
	line=$(($(wc -l <before.csv) + 1)) &&
	test_must_fail 1 lv -k key --now $NOW 2>err &&
	one_line_matching err "^log-verify: oplog.csv:$line: seq $((seq + 1)): after an open head: an unfinished append \(the next append removes it and logs a repair\)" &&
	test_must_fail 1 indep --now $NOW --dir s key >iv && grep -qx "bad: seq $((seq + 1)): after an open head" iv &&
	test_must_fail 1 lv -k key --head --now $NOW >anchor 2>err &&
	test ! -s anchor &&
	test_must_fail 1 log-show -d "$TMP/s" -k key --now $NOW --format csv >shown 2>err &&
	test "$(tail -1 shown | cut -d, -f1)" = $seq &&
	log-show -d "$TMP/s" --format csv >shown.plain &&
	test_cmp shown.plain shown &&
	at "2026-01-02 09:55:00" log-append -d "$TMP/s" -t cs01 -u a -a e &&
	grep -c ",-,repair," s/oplog.csv >n && test "$(cat n)" -eq 2 &&
	! grep -q ",a,b,x," s/oplog.csv && lv -k key --now $NOW
'

# The seals of the ended epochs come before the repair record (a record of
# this epoch may not precede them), but the bytes were cut after the
# head's record, and the repair record says so.
test_expect_success 'a torn tail found with seals due: the repair names the seq the bytes were cut after' '
	seq=$(tail -1 s/oplog.csv | cut -d, -f1) &&
	printf "%s" "$((seq + 1)),2026-01-02T10:00:00.000Z,cs01,x" >>s/oplog.csv &&
	at "2026-01-05 09:00:00" log-append -d "$TMP/s" -t cs01 -u a -a f 2>/dev/null &&
	test "$(tail -n +$((seq + 3)) s/oplog.csv | cut -d, -f5 | tr "\n" " ")" = "seal seal seal repair f " &&
	grep -Eq ",-,repair,oplog.csv,ok,removed=[0-9]+ bytes after seq $seq," s/oplog.csv &&
	lv -k key --now 2026-01-05T10:00:00Z >out
'

# jukisec-log(5): when oplog.key can be read, it is this log's key of its
# epoch; the tools refuse it (exit 3) when group or others may read it.
# A missing one fails: removing it is how a log and head put back from an
# earlier epoch would pass without the key (writers refuse it: exit 3).
test_expect_success 'oplog.key: missing fails (1); garbled fails (1); unsafe mode is refused (3)' '
	N=2026-01-05T10:00:00Z && cp s/oplog.key key.good &&
	rm s/oplog.key && test_must_fail 1 lv -k key --now $N 2>err &&
	one_line_matching err "^log-verify: oplog.key: missing: a log and head put back from an earlier copy would pass unseen$" &&
	test_must_fail 1 log-show -d "$TMP/s" -k key --now $N >out 2>err &&
	one_line_matching err "^log-show: oplog.key: missing: a log and head put back from an earlier copy would pass unseen$" &&
	echo garbage >s/oplog.key && chmod 600 s/oplog.key &&
	test_must_fail 1 lv -k key --now $N 2>err &&
	one_line_matching err "^log-verify: oplog.key: malformed$" &&
	{ cat key.good; echo more; } >s/oplog.key &&
	test_must_fail 1 lv -k key --now $N 2>err &&
	one_line_matching err "^log-verify: oplog.key: not one line$" &&
	cp key.good s/oplog.key && chmod 644 s/oplog.key &&
	test_must_fail 3 lv -k key --now $N 2>err &&
	one_line_matching err "^log-verify: oplog.key: readable by group or others; chmod 600 it$" &&
	chmod 600 s/oplog.key && lv -k key --now $N >out
'

# jukisec-log(5) rule 8: oplog.key is one line of the form of "Keys",
# read as strictly as the verification key: another order of its tokens,
# a sign or a leading zero in a number is a malformed key file.
test_expect_success 'oplog.key in another order or spelling: malformed (1)' '
	N=2026-01-05T10:00:00Z && cp s/oplog.key key.good &&
	key_respellings >resp &&
	ni=0 && : >indep.args &&
	while read -r f e <&9; do
		sed "$e" key.good >s/oplog.key && ! cmp -s key.good s/oplog.key &&
		test_must_fail 1 lv -k key --now $N >out 2>err &&
		one_line_matching err "^log-verify: oplog.key: malformed \(field $f\)\$" &&
		# a copy of the state as it is, for the independent verifier
		ni=$((ni + 1)) && rm -rf "s.$ni" && cp -a s "s.$ni" &&
		echo "--now $N --dir $TMP/s.$ni key" >>indep.args || return 1
	done 9<resp &&
	cp key.good s/oplog.key && lv -k key --now $N >out &&
	echo "--now $N --dir $TMP/s key" >>indep.args &&
	indep_each indep.args >out &&
	{ i=0; while [ $i -lt $ni ]; do echo "1 bad: oplog.key: malformed"; i=$((i + 1)); done; } >want &&
	head -n $ni out | test_cmp want - && tail -n 1 out | grep -q "^0 ok "
'

# The refusal before the walk and the check of the key's epoch at the end
# are made on one open and read of oplog.key, also when the live log is
# named as the chain's last file.
test_expect_success STRACE,STRACE_MEM 'oplog.key is opened once' '
	N=2026-01-05T10:00:00Z &&
	strace -f -e trace=openat -o trace log-verify -d "$TMP/s" -k key \
	    --now $N >out &&
	grep -q "^ok: " out &&
	test "$(grep -c "\"oplog.key\"" trace)" = 1 &&
	strace -f -e trace=openat -o trace log-verify -d "$TMP/s" -k key \
	    --now $N s/oplog.csv >out &&
	grep -q "^ok: " out &&
	test "$(grep -c "\"oplog.key\"" trace)" = 1
'

test_expect_success 'seq and epoch: at most 18 digits' '
	m=$(printf "%064d" 0) &&
	for f in "1000000000000000000,2026-01-01T09:00:00.000Z,cs01,a,b,,,,0,$m" \
	    "7,2026-01-01T09:00:00.000Z,cs01,a,b,,,,0000000000000000000,$m"; do
		{ head -1 s/oplog.csv; echo "$f"; } >big.csv &&
		test_must_fail 1 log-verify -k key --now $NOW big.csv 2>err &&
		one_line_matching err "^log-verify: big.csv:2: field (seq|epoch): not a decimal number$" || return 1
	done
'

# jukisec-log(5), Records: a field over its limit is no record, its MAC
# right or not, for log-verify and for the verifier written from the page
# alone; at the limit it is one.  A line that is not UTF-8, a file that is
# not there: the independent verifier says bad, as log-verify fails.
test_expect_success 'a detail over 2048 bytes with its MAC right: both verifiers refuse it' '
	N=2026-01-05T10:00:00Z &&
	for n in 2049 2048; do
		cp s/oplog.csv long.$n.csv &&
		python3 "$SRCDIR/tests/logforge.py" last s/oplog.key long.$n.csv "\"y\" * $n" ||
		return 1
	done &&
	test_must_fail 1 log-verify -k key --now $N long.2049.csv 2>err &&
	one_line_matching err "^log-verify: long.2049.csv:[0-9]*: field detail: longer than 2048 bytes\$" &&
	test_must_fail 1 indep --now $N key long.2049.csv >out &&
	test "$(cat out)" = "bad: seq $(($(wc -l <long.2049.csv) - 2)): detail longer than 2048 bytes" &&
	log-verify -k key --now $N long.2048.csv >/dev/null &&
	indep --now $N key long.2048.csv >out && grep -q "^ok " out &&
	sed "\$s/yy/y\xff/" long.2048.csv >bad8.csv &&
	test_must_fail 1 indep --now $N key bad8.csv >out &&
	test "$(cat out)" = "bad: line $(wc -l <bad8.csv): not UTF-8" &&
	test_must_fail 1 indep --now $N key nosuch.csv >out &&
	test "$(cat out)" = "bad: nosuch.csv: No such file or directory"
'

# log-verify(1): the live log given as - with standard input redirected
# from it is that file, its head checked; through a pipe it is a copy.
test_expect_success 'the live log redirected is the live log; piped, a copy' '
	lv -k key --now 2026-01-05T10:00:00Z - <s/oplog.csv >out &&
	grep -q ", oplog.head matches\$" out &&
	cat s/oplog.csv | lv -k key --now 2026-01-05T10:00:00Z - >out &&
	grep -q ", no head checked\$" out
'

test_done
