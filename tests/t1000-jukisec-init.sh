#!/bin/sh
# jukisec-init: creates the state directory, prints the verification key
# once, refuses an initialised directory without changing it.
. "$(dirname "$0")/lib.sh"

test_expect_success 'init creates the directory, the files and the key line' '
	at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/s" -t cs01 >key 2>err &&
	grep -Eqx "jukisec-log-key v1 t0=2026-01-01T00:00:00.000Z epoch_seconds=86400 k0=[0-9a-f]{64}" key &&
	test "$(wc -l <key)" -eq 1 &&
	grep -q "keep it offline; nothing else keeps it once the first epoch ends (oplog.key holds it until then)" err &&
	test "$(stat -c %a s)" = 700 &&
	for f in jukisec.conf oplog.csv oplog.key oplog.head; do
		test "$(stat -c %a s/$f)" = 600 || exit 1
	done &&
	grep -q "^epoch_seconds = 86400" s/jukisec.conf
'

test_expect_success 'the log holds the header and the genesis record' '
	sed -n 1p s/oplog.csv >hdr &&
	echo "$LOG_HEADER" >want &&
	test_cmp want hdr &&
	grep -Eqx "0,2026-01-01T00:00:00.000Z,cs01,-,genesis,,ok,format=$TEST_FORMAT epoch_seconds=86400,0,[0-9a-f]{64}" s/oplog.csv &&
	test "$(wc -l <s/oplog.csv)" -eq 2
'

test_expect_success 'the key is stored nowhere: not in oplog.key beyond epoch 0, not in the log' '
	k0=$(sed "s/.*k0=//" key) &&
	! grep -q "$k0" s/oplog.csv s/oplog.head s/jukisec.conf
'

test_expect_success 'the printed key verifies the new log' '
	chmod 600 key &&
	log-verify -d s -k key --now 2026-01-01T00:00:01Z >out &&
	grep -q "^ok: 1 records" out
'

# SPEC.md: what it prints, saved to a file, is what log-verify --key-file
# reads; under the usual umask the shell makes that file 0644, which
# log-verify refuses for a key.  A pipe, and a file of another user, are
# left as they are.
test_expect_success 'the key saved under umask 022 is made 0600 and verifies as saved' '
	(umask 022 && jukisec-init -d "$TMP/ku" >u.key 2>/dev/null) &&
	test "$(stat -c %a u.key)" = 600 &&
	log-verify -d "$TMP/ku" --key-file u.key >out &&
	grep -q "^ok: 1 records" out &&
	: >u4.key && chmod 064 u4.key &&
	jukisec-init -d "$TMP/ku4" >u4.key 2>/dev/null &&
	test "$(stat -c %a u4.key)" = 600 && test "$(wc -l <u4.key)" -eq 1 &&
	(umask 022 && jukisec-init -d "$TMP/ku2" 2>/dev/null | cat >u2.key) &&
	test "$(stat -c %a u2.key)" = 644 &&
	test_must_fail 3 log-verify -d "$TMP/ku2" --key-file u2.key 2>err &&
	one_line_matching err "u2.key: readable by group or others; chmod 600 it"
'

test_expect_success ROOT,NOBODY 'standard output a file of another user: its mode left as it is' '
	: >"$TMP/nk" && chmod 666 "$TMP/nk" && chown nobody "$TMP/nk" &&
	jukisec-init -d "$TMP/ku3" >"$TMP/nk" 2>/dev/null &&
	test "$(stat -c %a "$TMP/nk")" = 666 && test "$(wc -l <"$TMP/nk")" -eq 1
'

test_expect_success 'an initialised directory is refused (exit 1) and left unchanged' '
	(cd s && sha256sum jukisec.conf oplog.csv oplog.key oplog.head) >before &&
	test_must_fail 1 jukisec-init -d "$TMP/s" >out 2>err &&
	test ! -s out &&
	one_line_matching err "already initialised" &&
	(cd s && sha256sum jukisec.conf oplog.csv oplog.key oplog.head) >after &&
	test_cmp before after
'

# Any of the log's files (jukisec-log(5) "Files"), oplog.cut too: what is
# left of a log is the log, not an empty directory to start another in.
test_expect_success 'a directory with only the log'"'"'s oplog.cut is refused as initialised (exit 1)' '
	mkdir -m 700 cut && echo "seq=3 removed=10 size=100" >cut/oplog.cut &&
	chmod 600 cut/oplog.cut &&
	test_must_fail 1 jukisec-init -d "$TMP/cut" >out 2>err &&
	test ! -s out && one_line_matching err "already initialised" &&
	test "$(ls cut)" = oplog.cut
'

test_expect_success 'JUKISEC_DIR is honoured' '
	JUKISEC_DIR=$TMP/e jukisec-init >k2 2>/dev/null &&
	test -f e/oplog.csv
'

test_expect_success 'a non-empty, uninitialised directory is refused (exit 3)' '
	mkdir -m 700 junk && echo x >junk/file &&
	test_must_fail 3 jukisec-init -d "$TMP/junk" >out 2>err &&
	test ! -s out && test ! -e junk/oplog.csv
'

test_expect_success 'a group-writable directory is refused (exit 3)' '
	mkdir -m 770 gw && chmod 770 gw &&
	test_must_fail 3 jukisec-init -d "$TMP/gw" >out 2>err &&
	test ! -e gw/oplog.csv
'

test_expect_success 'usage errors exit 2, --help exits 0 on stdout' '
	test_must_fail 2 jukisec-init -d "$TMP/u1" extra 2>err &&
	grep -q "^usage: jukisec-init" err &&
	test_must_fail 2 jukisec-init -d "$TMP/u2" --now 2026-01-01T00:00:00Z 2>err &&
	one_line_matching err "^jukisec-init: --now: the clock is not an input of this tool\$" &&
	test_must_fail 2 jukisec-init --bogus 2>err &&
	jukisec-init --help >out && grep -q "^usage: jukisec-init" out &&
	jukisec-init -V >out && grep -q "jukisec-init" out &&
	test ! -e u1 && test ! -e u2
'

test_expect_success 'a key that cannot be printed: one line, nothing left behind; re-running works' '
	test_must_fail 3 jukisec-init -d "$TMP/full" >/dev/full 2>err &&
	one_line_matching err "^jukisec-init: cannot print the log verification key; .*/full left uninitialised: No space left on device\$" &&
	test -z "$(ls -A "$TMP/full")" &&
	jukisec-init -d "$TMP/full" >full.key 2>/dev/null &&
	chmod 600 full.key &&
	log-verify -d "$TMP/full" -k full.key >/dev/null
'

test_expect_success 'a reader gone from the pipe: exit 3, one line, nothing left behind' '
	# the reader closes its end before the key is written: EPIPE, not
	# a SIGPIPE death that would leave the files and lose the key
	no_reader jukisec-init -d "$TMP/pipe" 2>err &&
	test "$(cat "$TMP/no_reader.rc")" = 3 &&
	one_line_matching err "^jukisec-init: cannot print the log verification key; .*/pipe left uninitialised: Broken pipe\$" &&
	test -z "$(ls -A "$TMP/pipe")" &&
	jukisec-init -d "$TMP/pipe" >pipe.key 2>/dev/null
'

test_expect_success TMPFS 'a full disk: exit 3, nothing left behind (a re-run is not refused)' '
	mkdir -m 700 "$TMP/small" &&
	mount -t tmpfs -o size=8k,mode=700 tmpfs "$TMP/small" &&
	test_must_fail 3 jukisec-init -d "$TMP/small/d" >small.key 2>err; r=$?
	ls -A "$TMP/small/d" >left; umount "$TMP/small"; test $r = 0 &&
	one_line_matching err "No space left on device\$" &&
	test ! -s left && test ! -s small.key
'

test_expect_success '--epoch sets the epoch length, in the log, its keys and jukisec.conf' '
	. "$SRCDIR/tests/lib-prune.sh" &&
	at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/ep" -t cs01 --epoch 3600 >ep.key 2>/dev/null &&
	chmod 600 ep.key &&
	grep -Eqx "jukisec-log-key v1 t0=2026-01-01T00:00:00.000Z epoch_seconds=3600 k0=[0-9a-f]{64}" ep.key &&
	grep -q "epoch_seconds=3600 epoch=0 " ep/oplog.key &&
	grep -q ",genesis,,ok,format=$TEST_FORMAT epoch_seconds=3600,0," ep/oplog.csv &&
	grep -q "^epoch_seconds = 3600" ep/jukisec.conf &&
	at 2026-01-01T05:30:00Z log-append -d "$TMP/ep" -u a -a b &&
	test "$(grep -c ",-,seal," ep/oplog.csv)" -eq 5 &&
	log-verify -d ep -k ep.key --now 2026-01-01T05:30:01Z >/dev/null
'

test_expect_success '--epoch is bounded as jukisec.conf(5) says: 60 to 2592000 seconds' '
	for n in 60 2592000; do
		jukisec-init -d "$TMP/e$n" --epoch $n >/dev/null 2>&1 &&
		grep -q "epoch_seconds=$n " "$TMP/e$n/oplog.key" || exit 1
	done &&
	for n in 59 2592001 0 -1 3600s ""; do
		test_must_fail 2 jukisec-init -d "$TMP/bad" --epoch "$n" 2>err || exit 1
		one_line_matching err "^jukisec-init: --epoch .*: .*\(60 to 2592000 seconds\)" || exit 1
		test ! -e "$TMP/bad" || exit 1
	done &&
	grep -q "range 60 to 2592000" e60/jukisec.conf &&
	MANWIDTH=200 mandoc -Tascii "$SRCDIR/man/jukisec.conf.5" | col -b | tr -s " \n" " " |
	    grep -q "range 60 to 2592000"
'

# The two key lines are read as strictly as jukisec-log(5) writes them
# (t1020, t1010): what jukisec-init writes, at either end of the epoch
# length and in either log format, must read back, by the verifier (from a
# file and from standard input), log-show -k and the writers, also once
# the key has evolved.
test_expect_success 'the key lines written read back: epoch lengths 60 and 2592000, formats 1 and 2' '
	for f in 1 2; do
		for n in 60 2592000; do
			d=$TMP/rt$f-$n && later=2026-01-01T00:03:30Z &&
			if [ $n = 2592000 ]; then later=2026-03-05T00:00:00Z; fi &&
			at 2026-01-01T00:00:00Z "$JUKISEC_BUILD/jukisec-init" -d "$d" --format $f \
			    --epoch $n >"$d.key" 2>/dev/null && chmod 600 "$d.key" &&
			grep -Eqx "jukisec-log-key v1 t0=2026-01-01T00:00:00.000Z epoch_seconds=$n k0=[0-9a-f]{64}" "$d.key" &&
			log-verify -d "$d" -k "$d.key" --now 2026-01-01T00:00:01Z >out &&
			at $later log-append -d "$d" -t cs01 -u a -a b 2>/dev/null &&
			grep -Eqx "jukisec-log-epoch-key v1 t0=2026-01-01T00:00:00.000Z epoch_seconds=$n epoch=[1-9] key=[0-9a-f]{64}" "$d/oplog.key" &&
			at $later log-append -d "$d" -t cs01 -u a -a c 2>/dev/null &&
			log-verify -d "$d" -k "$d.key" --now $later >out &&
			log-verify -d "$d" -k - --now $later <"$d.key" >out &&
			log-show -d "$d" -k "$d.key" --now $later --format csv >out &&
			test "$(tail -1 out | cut -d, -f5)" = c || return 1
		done
	done
'

# SECONDS as jukisec.conf takes epoch_seconds: decimal digits, no sign,
# no leading zero; nothing is created for a refused one.
test_expect_success '--epoch: a sign, a leading zero, a blank or another base is refused (2)' '
	for n in +3600 03600 -0 " 3600" "3600 " 0x100 36e2 99999999999999999999; do
		test_must_fail 2 jukisec-init -d "$TMP/bad" --epoch "$n" >out 2>err &&
		test ! -s out &&
		grep -q "^jukisec-init: --epoch $n: \(invalid\|too large\) (60 to 2592000 seconds)\$" err &&
		test "$(wc -l <err)" = 1 &&
		test ! -e "$TMP/bad" || return 1
	done
'

# jukisec.conf names the template key by the state directory's absolute
# path (template_key = DIR/template.key), read back as every other value:
# a directory whose path jukisec.conf cannot hold there would get a log and
# a printed key that no tool can use.  Refused (2) before anything is made,
# in one line naming the directory and what jukisec.conf would refuse.
# RTMP: $TMP resolved, as the value written is.
RTMP=$(cd "$TMP" && pwd -P)
init_refused() {	# DIR DIR-AS-SHOWN VALUE-AS-SHOWN REASON (regexes)
	{ test_must_fail 2 jukisec-init -d "$1" -t cs01 >"$TMP/init.out" 2>"$TMP/init.err" ||
	    { cat "$TMP/init.err" >&2; return 1; }; } &&
	test ! -s "$TMP/init.out" &&
	one_line_matching "$TMP/init.err" "^jukisec-init: $2: cannot be a state directory: template_key $3/template\\.key: $4\$"
}
test_expect_success 'a name jukisec.conf cannot hold (tab, line feed, U+0085, not UTF-8): exit 2, one line, nothing made' '
	d=$TMP/a$(printf "\t")b &&
	init_refused "$d" "$TMP/a\\\\x09b" "$RTMP/a\\\\x09b" "contains a control character" &&
	test ! -e "$d" &&
	d=$TMP/a$(printf "\nb") &&
	init_refused "$d" "$TMP/a\\\\x0ab" "$RTMP/a\\\\x0ab" "contains a line break" &&
	test ! -e "$d" &&
	d=$TMP/a$(printf "\302\205")b &&
	init_refused "$d" "$TMP/a\\\\u0085b" "$RTMP/a\\\\u0085b" "contains a control character" &&
	test ! -e "$d" &&
	d=$TMP/caf$(printf "\351") &&
	init_refused "$d" "$TMP/caf\\\\xe9" "$RTMP/caf\\\\xe9" "invalid UTF-8" &&
	test ! -e "$d"
'

test_expect_success 'an existing empty directory of such a name is left as it was: no step taken' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	d=$TMP/e$(printf "\t")f && mkdir -m 755 "$d" &&
	crash_trace init_refused "$d" "$TMP/e\\\\x09f" "$RTMP/e\\\\x09f" "contains a control character" &&
	test ! -s "$TMP/crash.trace" &&
	test "$(stat -c %a "$d")" = 755 && test -z "$(ls -A "$d")"
'

test_expect_success 'the path written is the resolved one: a relative DIR in such a cwd, a link to such a name' '
	mkdir -m 700 "$TMP/c$(printf "\t")d" &&
	(cd "$TMP/c$(printf "\t")d" &&
	init_refused s s "$RTMP/c\\\\x09d/s" "contains a control character") &&
	test ! -e "$TMP/c$(printf "\t")d/s" &&
	ln -s "c$(printf "\t")d" "$TMP/ln" &&
	init_refused "$TMP/ln/s" "$TMP/ln/s" "$RTMP/c\\\\x09d/s" "contains a control character" &&
	test ! -e "$TMP/c$(printf "\t")d/s"
'

# The line "template_key = DIR/template.key" within the 4096 bytes of a
# jukisec.conf line: DIR of 4068 bytes is the longest.
test_expect_success 'a path too long for the template_key line: exit 2, nothing made; one byte less initialises' '
	p=$RTMP && z=$(printf "%0200d" 0) &&
	while [ ${#p} -lt 3820 ]; do p=$p/$z; done &&
	mkdir -p "$p" &&
	b=$(printf "%0$((4068 - ${#p} - 1))d" 0) &&
	d=$p/${b}1 && test ${#d} = 4069 &&
	init_refused "$d" "$d" "$d" "longer than 4081 bytes" &&
	test ! -e "$d" &&
	d=$p/$b &&
	jukisec-init -d "$d" >long.key 2>/dev/null &&
	test "$(grep "^template_key = " "$d/jukisec.conf" | wc -c)" = 4097 &&
	operator-list -d "$d" >/dev/null
'

# Past PATH_MAX the path cannot even be resolved (realpath: ENAMETOOLONG):
# that is the same name jukisec.conf cannot hold, a usage error, whether
# its parent is there or not, or it is relative to a deep cwd.
longdir_refused() {	# DIR
	test_must_fail 2 jukisec-init -d "$1" -t cs01 >"$TMP/init.out" 2>"$TMP/init.err" &&
	test ! -s "$TMP/init.out" &&
	one_line_matching "$TMP/init.err" "^jukisec-init: .*: cannot be a state directory: File name too long\$"
}
test_expect_success 'a path past PATH_MAX: exit 2, the same usage error, nothing made' '
	p=$RTMP && z=$(printf "%0200d" 0) &&
	while [ ${#p} -lt 3900 ]; do p=$p/$z; done &&
	mkdir -p "$p/$z" &&
	longdir_refused "$p/$z/$z" && test ! -e "$p/$z/$z" &&
	longdir_refused "$p/$z/$z/$z" && test ! -e "$p/$z/$z" &&
	(cd "$p" && longdir_refused "$z/$z") && test ! -e "$p/$z/$z"
'

# A disk that fails jukisec-init at any one of its steps or syncs (the
# sync of the directory after jukisec.conf's rename too): exit 3, one line
# naming the file, no key line, and the directory left empty, so that the
# next jukisec-init simply runs again (jukisec-init(1): half a state
# directory is undone).
init_fails() { (umask 077 && jukisec-init -d "$TMP/fi" >"$TMP/fi.key"); }
# The checks after each of the 60 faults and kills below read stderr and
# the directory with the shell's own read, case and globs: the wc, sed,
# grep and ls each started in a $(...) cost more than the two tools run.
# empty DIR: DIR holds nothing (as test -z "$(ls -A DIR)").
empty() {
	for _e in "$1"/* "$1"/.[!.]* "$1"/..?*; do
		[ -e "$_e" ] || [ -L "$_e" ] || continue
		echo "left in $1: ${_e##*/}" >&2; return 1
	done
}
# Past the key's print (oplog.key's rename, the directory's sync after
# it) the key printed is of no log: a second line says so.  Otherwise
# one line, "jukisec-init: $TMP/fi/NAME: ..." with NAME of [a-z.-]+.
after_init_fault() {
	test "$fail_rc" = 3 &&
	{ _nl=0; { IFS= read -r _l1 && _nl=1 && IFS= read -r _l2 && _nl=2 &&
	    IFS= read -r _l3 && _nl=3; } <"$TMP/fail.err"; :; } &&
	if test -s "$TMP/fi.key"; then
		test $_nl = 2 &&
		case $_l1 in "jukisec-init: $TMP/fi/oplog.key: "*) ;; *) false ;; esac &&
		case $_l2 in "jukisec-init: $TMP/fi left uninitialised; the line printed is no log"?"s key") ;; *) false ;; esac
	else
		_n=${_l1#"jukisec-init: $TMP/fi/"} &&
		test $_nl = 1 && test "$_n" != "$_l1" && test "${_n#*: }" != "$_n" &&
		case ${_n%%: *} in ""|*[!a-z.-]*) false ;; esac
	fi || { echo "stderr not as it should be:" >&2; cat "$TMP/fail.err" >&2; false; } &&
	empty "$TMP/fi" &&
	init_fails 2>/dev/null && log-verify -d "$TMP/fi" -k "$TMP/fi.key" >/dev/null
}
test_expect_success 'a failing step or sync: exit 3, nothing left, the next run initialises' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	mkdir -m 700 "$TMP/fi.empty" &&
	fail_every "$TMP/fi.empty" "$TMP/fi" EIO after_init_fault init_fails &&
	fail_every "$TMP/fi.empty" "$TMP/fi" ENOSPC after_init_fault init_fails
'

# A jukisec-init killed before jukisec.conf's rename leaves the directory
# it made with .tmp-jukisec.conf alone, which no real state holds: the next
# run removes it and initialises (jukisec-init(1)).  Anything else there is
# refused as before, the leftover with it; and while a jukisec-init is at
# work on the directory (it holds a lock on it until it exits) a second
# one refuses it in one line, taking nothing away from the first.
test_expect_success 'killed before jukisec.conf is in place: the next run initialises' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	mkdir -m 700 "$TMP/ki.empty" &&
	crash_after "$TMP/ki.empty" "$TMP/ki" "tmp-jukisec" renameat "jukisec\\.conf" \
	    jukisec-init -d "$TMP/ki" &&
	test "$(ls -A "$TMP/ki")" = .tmp-jukisec.conf &&
	(umask 077 && jukisec-init -d "$TMP/ki" >"$TMP/ki.key" 2>err) &&
	no_tmp "$TMP/ki" &&
	log-verify -d "$TMP/ki" -k "$TMP/ki.key" >/dev/null
'

test_expect_success 'the leftover with anything else, or not a file: refused, left as it was' '
	mkdir -m 700 "$TMP/kj" && printf "x\n" >"$TMP/kj/.tmp-jukisec.conf" &&
	: >"$TMP/kj/notes" &&
	test_must_fail 3 jukisec-init -d "$TMP/kj" >out 2>err &&
	one_line_matching err "^jukisec-init: $TMP/kj: exists and is not empty\$" &&
	test "$(ls -A "$TMP/kj" | tr "\n" " ")" = ".tmp-jukisec.conf notes " &&
	rm "$TMP/kj/notes" "$TMP/kj/.tmp-jukisec.conf" &&
	ln -s /etc/passwd "$TMP/kj/.tmp-jukisec.conf" &&
	test_must_fail 3 jukisec-init -d "$TMP/kj" >out 2>err &&
	one_line_matching err "^jukisec-init: $TMP/kj: exists and is not empty\$" &&
	test -L "$TMP/kj/.tmp-jukisec.conf" && ! test -s out
'

test_expect_success 'a jukisec-init at work: a second one refuses in one line, the first goes on' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf "$TMP/ki" && crash_trace jukisec-init -d "$TMP/ki" >/dev/null 2>&1 &&
	n=$(awk "\$2 == \"renameat\" { print \$1; exit }" "$TMP/crash.trace") &&
	rm -rf "$TMP/ki" "$TMP/ki.pid" "$TMP/ki.rc" || return 1
	(crash_stop "$n" "$TMP/ki.pid" jukisec-init -d "$TMP/ki" >"$TMP/ki.key" 2>/dev/null
	echo $? >"$TMP/ki.rc") &
	crash_stopped "$TMP/ki.pid" &&
	test "$(ls -A "$TMP/ki")" = .tmp-jukisec.conf &&
	test_must_fail 3 jukisec-init -d "$TMP/ki" >out 2>err; r=$?
	crash_go "$TMP/ki.pid"; wait
	test $r = 0 && test "$(cat "$TMP/ki.rc")" = 0 &&
	one_line_matching err "^jukisec-init: $TMP/ki: another jukisec-init is at work on it\$" &&
	! test -s out &&
	log-verify -d "$TMP/ki" -k "$TMP/ki.key" >/dev/null
'

# Past its rename the first run holds jukisec.conf itself (the flock goes
# with the file), and its log may still fail and be undone: a reader of the
# key gone removes every file it made, jukisec.conf last.  Until it exits,
# a second one refuses the directory as at work (exit 3), never as
# initialised (exit 1), which the first may yet leave empty.  busy_at STEP
# KEY stops the first run before STEP, its key printed to a file (ok) or
# failing to print (gone: /dev/full, as a reader gone), runs the second,
# then lets the first go on.
# init_stopped NAME STEP KEY: jukisec-init -d $TMP/NAME in the background,
# stopped before STEP, its key printed to $TMP/NAME.key (KEY ok) or failing
# to print (gone: /dev/full, as a reader gone), its status to $TMP/NAME.rc
# once let go (crash_go $TMP/NAME.pid).
init_stopped() {
	rm -rf "$TMP/$1" "$TMP/$1.pid" "$TMP/$1.rc" "$TMP/$1.key" || return 1
	if [ "$3" = ok ]; then _k=$TMP/$1.key; else _k=/dev/full; fi
	(umask 077; crash_stop "$2" "$TMP/$1.pid" jukisec-init -d "$TMP/$1" >"$_k" 2>/dev/null
	echo $? >"$TMP/$1.rc") &
	crash_stopped "$TMP/$1.pid" || { wait; return 1; }
}
busy_at() {
	init_stopped kb "$1" "$2" || return 1
	test_must_fail 3 jukisec-init -d "$TMP/kb" >out 2>err; r=$?
	crash_go "$TMP/kb.pid"; wait
	test $r = 0 &&
	one_line_matching err "^jukisec-init: $TMP/kb: another jukisec-init is at work on it\$" &&
	! test -s out &&
	if [ "$2" = ok ]; then
		test "$(cat "$TMP/kb.rc")" = 0 &&
		log-verify -d "$TMP/kb" -k "$TMP/kb.key" >/dev/null
	else
		test "$(cat "$TMP/kb.rc")" = 3 && test -z "$(ls -A "$TMP/kb")"
	fi || { echo "stopped before step $1, key $2" >&2; return 1; }
}
test_expect_success 'past its rename, a jukisec-init at work or undoing: a second one refuses it (exit 3)' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf "$TMP/kb" && crash_trace jukisec-init -d "$TMP/kb" >/dev/null 2>&1 &&
	ren=$(awk "\$2 == \"renameat\" && \$3 ~ /jukisec\\.conf\$/ { print \$1; exit }" "$TMP/crash.trace") &&
	last=$(awk "END { print \$1 }" "$TMP/crash.trace") &&
	rm -rf "$TMP/kb" && { crash_trace jukisec-init -d "$TMP/kb" >/dev/full 2>/dev/null; [ $? = 3 ]; } &&
	undo=$(awk "\$2 == \"unlinkat\" && \$3 ~ /jukisec\\.conf\$/ { print \$1 }" "$TMP/crash.trace") &&
	test -n "$ren" && test -n "$undo" && test "$undo" -gt "$last" &&
	busy_at $((ren + 1)) ok && busy_at "$last" ok &&
	busy_at $((ren + 1)) gone && busy_at "$undo" gone
'

# A writer meets a jukisec-init at work past its rename: jukisec.conf is
# there, and once the log is made the writer found it ready.  It appended
# its record and exited 0 ("durable"), and the undo of a run whose key
# could not be printed then removed it with the log, the directory left
# holding a lock file no run would initialise.  The log's lock is held
# from before the log is made until the run exits: the writer waits, then
# appends to the whole log, or finds none (exit 3) and the directory
# empty.  appended_during STEP KEY: the first run stopped before STEP (ok:
# its key printed, stopped before oplog.key's rename; gone: a reader gone,
# stopped as its undo begins), a log-append run until it exits or holds
# oplog.lock open (waiting for its lock), then the first let go on.
appended_during() {
	init_stopped kw "$1" "$2" || return 1
	log-append -d "$TMP/kw" -u - -a during 2>"$TMP/kw.err" & ap=$!
	_i=0
	while kill -0 $ap 2>/dev/null &&
	    ! ls -l "/proc/$ap/fd" 2>/dev/null | grep -q "/kw/oplog\.lock\$" &&
	    [ $_i -lt 500 ]; do
		sleep 0.02; _i=$((_i + 1))
	done
	crash_go "$TMP/kw.pid"; wait $ap; ar=$?; wait
	if [ "$2" = ok ]; then
		test "$(cat "$TMP/kw.rc")" = 0 && test $ar = 0 &&
		test "$(csv_awk "NF_ > 7 { print F[5] }" "$TMP/kw/oplog.csv" | tail -n +2 | tr "\n" " ")" = "genesis during " &&
		log-verify -d "$TMP/kw" -k "$TMP/kw.key" >/dev/null
	else
		test "$(cat "$TMP/kw.rc")" = 3 && test $ar = 3 &&
		test -z "$(ls -A "$TMP/kw")" &&
		(umask 077; jukisec-init -d "$TMP/kw" >"$TMP/kw.key" 2>/dev/null) &&
		log-verify -d "$TMP/kw" -k "$TMP/kw.key" >/dev/null
	fi || { echo "stopped before step $1, key $2: log-append $ar" >&2; cat "$TMP/kw.err" >&2; return 1; }
}
test_expect_success 'a writer during a jukisec-init past its rename waits: its record kept, or exit 3 after an undo' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf "$TMP/kw" && crash_trace jukisec-init -d "$TMP/kw" >/dev/null 2>&1 &&
	ren=$(awk "\$2 == \"renameat\" && \$3 ~ /oplog\\.key\$/ { print \$1 }" "$TMP/crash.trace") &&
	rm -rf "$TMP/kw" && crash_trace jukisec-init -d "$TMP/kw" >/dev/full 2>/dev/null; [ $? = 3 ] &&
	undo=$(awk "\$2 == \"unlinkat\" { print \$1; exit }" "$TMP/crash.trace") &&
	test -n "$undo" && test -n "$ren" &&
	appended_during "$undo" gone && appended_during "$ren" ok
'

# A jukisec-init killed anywhere leaves no log that writers take but no
# one can verify: oplog.key, which every writer needs, is put in place
# only after the verification key is printed.  After a kill at any step a
# writer appends nothing (exit 3), and the next jukisec-init takes what
# the killed one made for its leftovers, removes them and initialises
# (jukisec-init(1)); the key it prints verifies the log.
after_init_kill() {
	{ log-append -d "$TMP/kc" -u - -a after 2>"$TMP/kc.err"; ar=$?; } &&
	test $ar = 3 &&
	# writers that take the register's or the prune's lock first leave
	# those lock files: leftovers too, not a used state
	{ echo pw | auth-check -d "$TMP/kc" -u nobody --password-fd 0 \
	    2>/dev/null; test $? = 3; } &&
	{ log-prune -d "$TMP/kc" --discard 2>/dev/null; test $? = 3; } &&
	{ ! test -e "$TMP/kc/oplog.csv" || while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in *,after,*) echo "appended: $_l" >&2; return 1 ;; esac
	done <"$TMP/kc/oplog.csv"; } &&
	! test -e "$TMP/kc/oplog.key" &&
	(umask 077 && jukisec-init -d "$TMP/kc" >"$TMP/kc.key" 2>"$TMP/kc.err") &&
	no_tmp "$TMP/kc" &&
	log-verify -d "$TMP/kc" -k "$TMP/kc.key" >/dev/null ||
	    { echo "log-append $ar" >&2; cat "$TMP/kc.err" >&2; return 1; }
}
test_expect_success 'killed at any step: no writer appends, the next run initialises' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	mkdir -m 700 "$TMP/kc.empty" &&
	crash_every "$TMP/kc.empty" "$TMP/kc" after_init_kill \
	    jukisec-init -d "$TMP/kc" &&
	crash_say
'

# The outside tester's case: the key's write to standard output blocks
# (a pipe nobody reads, full), a writer waits for oplog.lock, and the run
# is killed.  No key was printed: the writer appends nothing (exit 3), and
# the next run initialises.
test_expect_success 'killed while printing the key, a writer waiting: nothing appended, exit 3' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf "$TMP/kf" && mkfifo "$TMP/kf.fifo" &&
	exec 7<>"$TMP/kf.fifo" && head -c 65536 /dev/zero >&7 &&
	{ jukisec-init -d "$TMP/kf" >&7 2>/dev/null & ip=$!; } &&
	i=0 && until [ -e "$TMP/kf/.tmp-oplog.key" ] || [ -e "$TMP/kf/oplog.key" ] ||
	    [ $i -ge 500 ]; do sleep 0.02; i=$((i + 1)); done &&
	sleep 0.2 && kill -0 $ip &&
	{ log-append -d "$TMP/kf" -u - -a during 2>"$TMP/kf.err" & ap=$!; } &&
	i=0 && until ls -l "/proc/$ap/fd" 2>/dev/null | grep -q "/kf/oplog\.lock\$" ||
	    [ $i -ge 500 ]; do sleep 0.02; i=$((i + 1)); done &&
	kill -9 $ip; wait $ip; wait $ap; ar=$?
	exec 7>&-
	test $ar = 3 && ! grep -q ",during," "$TMP/kf/oplog.csv" &&
	(umask 077 && jukisec-init -d "$TMP/kf" >"$TMP/kf.key" 2>err) &&
	no_tmp "$TMP/kf" &&
	log-verify -d "$TMP/kf" -k "$TMP/kf.key" >/dev/null ||
	    { echo "log-append $ar" >&2; cat "$TMP/kf.err" err >&2; return 1; }
'

# Only a killed run's own files are taken for leftovers: with anything
# a used state holds beside them (oplog.key, the register, credentials/),
# or a log with a record past its genesis (a used log whose oplog.key
# went), the directory stays "already initialised", left as it was.
test_expect_success 'a killed run'"'"'s files with anything else: already initialised, unchanged' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf "$TMP/kd" && crash_trace jukisec-init -d "$TMP/kd" >/dev/null 2>&1 &&
	hn=$(awk "\$2 == \"openat\" && \$3 ~ /oplog\\.head\$/ { print \$1; exit }" "$TMP/crash.trace") &&
	test -n "$hn" &&
	for extra in oplog.key operators.csv credentials notes .tmp-notes record; do
		rm -rf "$TMP/kd" && { crash_at "$hn" 0 jukisec-init -d "$TMP/kd" >/dev/null 2>&1; } &&
		case $extra in
		credentials) mkdir -m 700 "$TMP/kd/$extra" ;;
		record) echo "1,x" >>"$TMP/kd/oplog.csv" ;;
		*) (umask 077 && echo x >"$TMP/kd/$extra") ;;
		esac &&
		ls -A "$TMP/kd" >before &&
		test_must_fail 1 jukisec-init -d "$TMP/kd" >out 2>err &&
		one_line_matching err "^jukisec-init: $TMP/kd: already initialised; nothing changed\$" &&
		ls -A "$TMP/kd" >after && test_cmp before after && ! test -s out ||
		    { echo "with $extra" >&2; return 1; }
	done
'

# A jukisec.conf is a killed run's only as that run wrote it: one written
# by hand (settings prepared before the init), or a killed run's edited
# since, holds settings somebody chose, which an init would replace with
# the defaults without a word.  Already initialised, left as it was.
test_expect_success 'a jukisec.conf written or edited by hand: already initialised, unchanged' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf "$TMP/kh" && mkdir -m 700 "$TMP/kh" &&
	(umask 077 && printf "retain_days = 2557\nlockout_threshold = 3\n" >"$TMP/kh/jukisec.conf") &&
	cp "$TMP/kh/jukisec.conf" conf.before &&
	test_must_fail 1 jukisec-init -d "$TMP/kh" >out 2>err &&
	one_line_matching err "^jukisec-init: $TMP/kh: already initialised; nothing changed\$" &&
	cmp conf.before "$TMP/kh/jukisec.conf" && test "$(ls -A "$TMP/kh")" = jukisec.conf &&
	! test -s out &&
	rm -rf "$TMP/kd" && crash_trace jukisec-init -d "$TMP/kd" >/dev/null 2>&1 &&
	hn=$(awk "\$2 == \"openat\" && \$3 ~ /oplog\\.head\$/ { print \$1; exit }" "$TMP/crash.trace") &&
	rm -rf "$TMP/kd" && { crash_at "$hn" 0 jukisec-init -d "$TMP/kd" >/dev/null 2>&1; } &&
	sed -i "s/^retain_days = .*/retain_days = 2557/" "$TMP/kd/jukisec.conf" &&
	cp "$TMP/kd/jukisec.conf" conf.before && ls -A "$TMP/kd" >before &&
	test_must_fail 1 jukisec-init -d "$TMP/kd" >out 2>err &&
	one_line_matching err "^jukisec-init: $TMP/kd: already initialised; nothing changed\$" &&
	cmp conf.before "$TMP/kd/jukisec.conf" && ls -A "$TMP/kd" >after &&
	test_cmp before after &&
	rm -rf "$TMP/kd" && { crash_at "$hn" 0 jukisec-init -d "$TMP/kd" >/dev/null 2>&1; } &&
	(umask 077 && jukisec-init -d "$TMP/kd" >"$TMP/kd.key") &&
	log-verify -d "$TMP/kd" -k "$TMP/kd.key" >/dev/null
'

# A killed run's leftovers in a directory store_open refuses (open to
# its group, or on a way others can rename: a directory of 0777 above it)
# were removed first and the directory refused after: a refused run had
# changed it.  The directory is checked as store_open checks it before
# anything in it is taken away: refused, left as it was.
test_expect_success 'a killed run'"'"'s files in a refused directory: refused, unchanged' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf "$TMP/kd" && crash_trace jukisec-init -d "$TMP/kd" >/dev/null 2>&1 &&
	hn=$(awk "\$2 == \"openat\" && \$3 ~ /oplog\\.head\$/ { print \$1; exit }" "$TMP/crash.trace") &&
	test -n "$hn" && mkdir -m 755 "$TMP/ww" &&
	for d in "$TMP/kd:group" "$TMP/ww/kd:way"; do
		rm -rf "${d%:*}" && { crash_at "$hn" 0 jukisec-init -d "${d%:*}" >/dev/null 2>&1; } &&
		test -e "${d%:*}/jukisec.conf" && ! test -e "${d%:*}/oplog.key" &&
		case $d in
		*:group) chmod 770 "${d%:*}"
			pat="^jukisec-init: ${d%:*}: refusing a group- or world-writable state directory\$" ;;
		*:way) chmod 777 "$TMP/ww"
			pat="^jukisec-init: ${d%:*} \\(in $TMP/ww\\): refusing a group- or world-writable state directory\$" ;;
		esac &&
		ls -Al --time-style=+ "${d%:*}" >before &&
		test_must_fail 3 jukisec-init -d "${d%:*}" >out 2>err &&
		one_line_matching err "$pat" &&
		ls -Al --time-style=+ "${d%:*}" >after && test_cmp before after &&
		! test -s out || { echo "${d#*:}" >&2; return 1; }
	done
'

# The state directory itself refused before jukisec-init makes anything
# in it: named alone, as every other tool names it, not "in" itself.
test_expect_success 'an empty state directory of another user or open to its group: named alone' '
	mkdir -m 700 own && chown 65534 own && mkdir -m 770 grp &&
	for d in "$TMP/own" own/ "$TMP/grp/" grp; do
		case $d in
		*own*) why="refusing a state directory owned by uid 65534" ;;
		*) why="refusing a group- or world-writable state directory" ;;
		esac &&
		test_must_fail 3 jukisec-init -d "$d" >out 2>err &&
		echo "jukisec-init: $d: $why" | test_cmp - err &&
		! test -s out && test -z "$(ls -A "${d%/}")" || return 1
	done
'

# The hold that tells a jukisec-init at work from a kill's leftover is on
# something only the user running it can open.  Another user who can
# open the directory (0755 is accepted: not group- or world-writable), a
# descriptor opened before a chmod 0700 too, holds no jukisec-init off
# with a lock on it.  HOLD uid 65534 (setpriv, util-linux) tries to hold
# PATH (flock HOW) for 30 s; $TMP/m/tried says it is done trying.
test_lazy_prereq OTHERUSER '
	[ "$(id -u)" -eq 0 ] || { echo "needs root to run as uid 65534 (uid $(id -u))"; exit 1; }
	setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null ||
	    { echo "setpriv cannot run as uid 65534 here"; exit 1; }'
hold() {	# PATH HOW
	rm -f "$TMP/m/tried"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '
		if command exec 9<"$1" 2>/dev/null; then flock "$2" 9; fi
		: >"$3"; exec sleep 30' sh "$1" "$2" "$TMP/m/tried" &
	echo $! >"$TMP/holder"
	i=0
	while [ ! -e "$TMP/m/tried" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$TMP/m/tried" ]
}
release() {
	[ -s "$TMP/holder" ] && kill "$(cat "$TMP/holder")" 2>/dev/null
	rm -f "$TMP/holder"; wait
}
trap 'release; faketime_litter; rm -rf "$TMP"' EXIT

test_expect_success OTHERUSER 'another user locking the directory holds no jukisec-init off' '
	chmod 755 "$TMP" && mkdir -m 777 "$TMP/m" &&
	for how in -s -x; do
		rm -rf "$TMP/p" && mkdir -m 755 "$TMP/p" &&
		hold "$TMP/p" $how &&
		(umask 077 && jukisec-init -d "$TMP/p" -t term01 >"$TMP/p.key" 2>err) ||
		    { cat err >&2; release; return 1; }
		release &&
		log-verify -d "$TMP/p" -k "$TMP/p.key" >/dev/null || return 1
	done
'

test_expect_success OTHERUSER 'nor does a descriptor opened before the chmod 0700, a kill'"'"'s leftover beside it' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf "$TMP/p" && mkdir -m 755 "$TMP/p" && hold "$TMP/p" -s &&
	chmod 700 "$TMP/p" && printf "x\n" >"$TMP/p/.tmp-jukisec.conf" &&
	chmod 600 "$TMP/p/.tmp-jukisec.conf" &&
	{ (umask 077 && jukisec-init -d "$TMP/p" -t term01 >"$TMP/p.key" 2>err); r=$?; release; } &&
	test $r = 0 && no_tmp "$TMP/p" &&
	log-verify -d "$TMP/p" -k "$TMP/p.key" >/dev/null
'

# A .tmp-jukisec.conf that no jukisec-init made (open to others, another
# user's, another name of the same file) is not a kill's leftover: another
# user could hold it open; refused as anything else is, left as it was.
test_expect_success 'a .tmp-jukisec.conf no jukisec-init made: refused, left as it was' '
	mkdir -m 700 "$TMP/kl" && hows="644 640 604 ln" &&
	if [ "$(id -u)" -eq 0 ]; then hows="$hows chown"; fi &&
	for how in $hows; do
		rm -f "$TMP/kl/.tmp-jukisec.conf" "$TMP/kl.link" &&
		(umask 077 && printf "x\n" >"$TMP/kl/.tmp-jukisec.conf") &&
		case $how in
		ln) ln "$TMP/kl/.tmp-jukisec.conf" "$TMP/kl.link" ;;
		chown) chown 65534 "$TMP/kl/.tmp-jukisec.conf" ;;
		*) chmod $how "$TMP/kl/.tmp-jukisec.conf" ;;
		esac &&
		test_must_fail 3 jukisec-init -d "$TMP/kl" >out 2>err &&
		one_line_matching err "^jukisec-init: $TMP/kl: exists and is not empty\$" &&
		test "$(ls -A "$TMP/kl")" = .tmp-jukisec.conf &&
		test "$(cat "$TMP/kl/.tmp-jukisec.conf")" = x && ! test -s out ||
		    { echo "with $how" >&2; return 1; }
	done
'

# A member of a group the state is shared with (0750, jukisec.conf 0640,
# README "First day" step 8) may lock jukisec.conf: that is no run at
# work (a run holds a file only its user can open), so an initialised
# directory is still "already initialised", exit 1, not exit 3 for as
# long as the member pleases.
test_expect_success OTHERUSER 'a group member locking a shared jukisec.conf: still initialised, exit 1' '
	rm -rf "$TMP/g" && mkdir -m 700 "$TMP/g" && chmod 755 "$TMP" &&
	mkdir -p -m 777 "$TMP/m" &&
	(umask 077 && jukisec-init -d "$TMP/g/s" -t term01 >"$TMP/g.key" 2>/dev/null) &&
	chmod 755 "$TMP/g" && chgrp -R 65534 "$TMP/g/s" && chmod 750 "$TMP/g/s" &&
	chmod 640 "$TMP/g/s/jukisec.conf" &&
	hold "$TMP/g/s/jukisec.conf" -x &&
	{ jukisec-init -d "$TMP/g/s" -t term01 >out 2>err; r=$?; release; } &&
	test $r = 1 && test ! -s out &&
	echo "jukisec-init: $TMP/g/s: already initialised; nothing changed" >want &&
	test_cmp want err
'

# Two runs at once where the second opened .tmp-jukisec.conf while the
# first held it, and takes the lock only once the first renamed it to
# jukisec.conf and exited (strace delays its flock): the second looked
# again at a directory it read from its end through a dup, found it
# empty, emptied the first run's jukisec.conf and removed it in its undo.
# Now it finds that what it holds is no longer .tmp-jukisec.conf and
# refuses (exit 3); the first run's state stays whole.
test_expect_success STRACE 'a second run whose lock comes after the first run finished: refused, the state whole' '
	rm -rf "$TMP/r" && mkdir -m 700 "$TMP/r" &&
	(strace -f -o /dev/null -e trace=flock -e inject=flock:delay_enter=3000000 \
	    jukisec-init -d "$TMP/r/s" -t termB >b.key 2>b.err; echo $? >b.rc) &
	i=0; until [ -e "$TMP/r/s/.tmp-jukisec.conf" ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done &&
	(umask 077 && jukisec-init -d "$TMP/r/s" -t termA >a.key 2>/dev/null) &&
	wait && test "$(cat b.rc)" = 3 && test ! -s b.key &&
	echo "jukisec-init: $TMP/r/s: another jukisec-init is at work on it" >want &&
	test_cmp want b.err && test -s "$TMP/r/s/jukisec.conf" && chmod 600 a.key &&
	log-verify -d "$TMP/r/s" -k a.key >/dev/null
'

# The other order: the second run found the directory empty (so not
# initialised), and reaches its own check only once the first has put
# jukisec.conf in place and is still at work (strace holds the second at
# its mkdir until then, and the first in its syncs after).  It said
# "exists and is not empty"; the first run holds the directory, so it is
# "at work", as jukisec-init(1) says a second run is refused.
test_expect_success STRACE 'a second run that looks once the first filled the directory: at work, not "not empty"' '
	rm -rf "$TMP/r2" && mkdir -m 700 "$TMP/r2" &&
	{ strace -o /dev/null -e trace=mkdir -e inject=mkdir:delay_enter=1500000 \
	    jukisec-init -d "$TMP/r2/s" -t termB >b.key 2>b.err & } && sp=$! &&
	i=0 && until c=$(pgrep -P $sp) &&
	    [ "$(cut -d" " -f1 "/proc/$c/syscall" 2>/dev/null)" = 83 ]; do
		[ $i -lt 250 ] || { echo "second run never reached its mkdir" >&2; exit 1; }
		sleep 0.02; i=$((i + 1))
	done &&
	(umask 077 && strace -o /dev/null -e trace=fdatasync \
	    -e inject=fdatasync:delay_enter=1000000 \
	    jukisec-init -d "$TMP/r2/s" -t termA >a.key 2>/dev/null) &&
	{ wait $sp; test $? = 3; } && test ! -s b.key &&
	echo "jukisec-init: $TMP/r2/s: another jukisec-init is at work on it" >want &&
	test_cmp want b.err && chmod 600 a.key &&
	log-verify -d "$TMP/r2/s" -k a.key >/dev/null
'

# Short of descriptors past jukisec.conf's rename (oplog.csv refused:
# EMFILE), the undo opened each file it removes and found none free
# while the log's lock and jukisec.conf were held: jukisec.conf stayed.
# Every limit: exit 3 with nothing left, or a state made (fds_at: 0 to 3
# open whatever the job left open, such as fds 10 and 251).
test_expect_success 'few descriptors: exit 3 leaves nothing, the next run initialises' '
	hit= &&
	for n in 5 6 7 8 9 10 11 12 13 14 15; do
		rm -rf "$TMP/fd" &&
		fds_at $n jukisec-init -d "$TMP/fd" 3</dev/null >fd.key 2>err
		r=$?
		case $r in
		0)	continue ;;
		3)	;;
		*)	echo "limit $n: exit $r"; exit 1 ;;
		esac
		test "$(wc -l <err)" = 1 && test ! -s fd.key || exit 1
		if [ -n "$(ls -A "$TMP/fd" 2>/dev/null)" ]; then
			echo "limit $n left:"; ls -A "$TMP/fd"; cat err; exit 1
		fi
		grep -q "/oplog.csv: Too many open files\$" err && hit=$n
		jukisec-init -d "$TMP/fd" >fd.key 2>/dev/null || exit 1
	done &&
	test -n "$hit"
'

test_done
