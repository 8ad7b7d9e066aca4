#!/bin/sh
# -m external (R5.3: palm vein and other biometrics with vendor software)
# through the jukisec-verifier(5) protocol, with tests/xverifier.sh as the
# vendor program.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/fplib.sh"

init_state
export JUKISEC_DIR=$TMP/state
XV_DIR=$TMP/xv
export XV_DIR
mkdir -m 700 xv
mode() { if [ -n "$1" ]; then echo "$1" >xv/mode; else rm -f xv/mode; fi; }
hand() { echo "$1" >xv/hand; }

test_expect_success 'no verifier configured: exit 3, nothing registered' '
	test_must_fail 3 operator-add -i ueda -n Ueda -r manager -m external 2>err &&
	grep -q "no external verifier configured" err &&
	! grep -q "^ueda," state/operators.csv 2>/dev/null &&
	logged operator-add ueda error ",-,operator-add,ueda,error,role=manager method=external reason=no verifier bootstrap,"
'

test_expect_success 'enrol a palm through the verifier' '
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh" &&
	hand ueda-right &&
	operator-add -i ueda -n Ueda -r manager -m external 2>err &&
	grep -q "xverifier: enrol ueda" err &&
	logged operator-add ueda ok "method=external" &&
	test "$(stat -c %a state/credentials/ueda.tmpl)" = 600 &&
	! grep -q vein state/credentials/ueda.tmpl
'

test_expect_success 'the same palm is admitted' '
	auth-check -u ueda 2>err &&
	grep -q "xverifier: verify ueda" err &&
	logged auth ueda ok ""
'

test_expect_success 'another palm is refused and counted' '
	hand someone-else &&
	test_must_fail 1 auth-check -u ueda 2>err &&
	logged auth ueda denied "no match" &&
	hand ueda-right
'

test_expect_success 'a verifier error denies' '
	mode broken &&
	test_must_fail 1 auth-check -u ueda 2>err &&
	grep -q "xverifier.sh verify: exit status 2" err &&
	logged auth ueda denied "verifier error" &&
	mode ""
'

test_expect_success 'a verifier that hangs is killed at the timeout' '
	conf_set external_timeout_seconds 1 &&
	mode sleep &&
	start=$(date +%s) &&
	test_must_fail 1 auth-check -u ueda 2>err &&
	test $(($(date +%s) - start)) -lt 5 &&
	grep -q "timed out after 1 s" err &&
	logged auth ueda denied "timeout" &&
	mode ""
'

# On a terminal with tostop set (stty tostop), a process of a background
# group that writes to it is stopped (SIGTTOU).  The verifier runs in a
# group of its own, out of the terminal's foreground: its first prompt
# stopped it until the timeout, a denial counted against the person.  It
# runs with SIGTTOU ignored: its prompt is shown and its answer stands.
test_expect_success 'a terminal with tostop set: the verifier'"'"'s prompt does not stop it' '
	conf_set external_timeout_seconds 5 &&
	script -qec "stty tostop; $JUKISEC_BUILD/auth-check -u ueda; echo rc=\$?" \
	    /dev/null >out </dev/null &&
	conf_set external_timeout_seconds 30 &&
	grep -q "xverifier: verify ueda, present your hand" out &&
	grep -q "^rc=0" out && logged auth ueda ok ""
'

# The tools ignore SIGPIPE and SIGXFSZ, and an ignored signal stays so
# across execv: the program got SIGXFSZ ignored (a write past the file
# size limit an EFBIG, not its default end).  It gets both back at their
# defaults, and SIGTTOU ignored (above).  SigIgn: SIGPIPE 0x1000, SIGTTOU
# 0x200000, SIGXFSZ 0x1000000.
test_expect_success 'the verifier starts with SIGPIPE and SIGXFSZ at their defaults' '
	printf "#!/bin/sh\nsed -n \"s/^SigIgn:[[:space:]]*//p\" /proc/\$\$/status >&2\n" >xv/sig &&
	chmod 700 xv/sig && conf_set external_verifier "$TMP/xv/sig" &&
	auth-check -u ueda 2>err &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh" &&
	ign=$(sed -n "s/^auth-check: //; /^[0-9a-f]\{16\}\$/p" err) && test -n "$ign" &&
	test $((0x$ign & 0x1001000)) = 0 && test $((0x$ign & 0x200000)) != 0 ||
	    { cat err >&2; return 1; }
'

# The program gets descriptors 0 to 2 alone (jukisec-verifier(5)): not one
# its caller left open without close-on-exec (fd 7 here).  Where they
# cannot be closed (close_range failing, as on a kernel before 5.9;
# injected), it is not run: exit 3, "cannot be run", not counted.
test_expect_success STRACE 'the verifier gets descriptors 0 to 2 alone, or is not run' '
	printf "#!/bin/sh\nls -l /proc/\$\$/fd/ >&2\nexit 0\n" >xv/fds &&
	chmod 700 xv/fds && conf_set external_verifier "$TMP/xv/fds" &&
	: >leaked && auth-check -u ueda 2>err 7<leaked &&
	grep -q "/xv/fds\$" err && ! grep -q leaked err &&
	test_must_fail 3 strace -f -o /dev/null -e trace=close_range \
	    -e inject=close_range:error=ENOSYS auth-check -u ueda 2>err 7<leaked &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh" &&
	! grep -q leaked err &&
	grep -qx "auth-check: $TMP/xv/fds: cannot be run: Function not implemented" err &&
	logged auth ueda error "method=external reason=verifier not run," &&
	test "$(mlr --icsv --onidx filter '"'"'$id == "ueda"'"'"' then cut -o -f failed,locked state/operators.csv)" = "0 no"
'

# A template file over CRED_FILE_MAX (1 MiB and 64 bytes, auth-check(1))
# is not read: exit 3, its line, logged credential-unreadable, not counted,
# and nothing is run.  One of exactly that size is read, and is corrupt.
test_expect_success 'a template over 1 MiB and 64 bytes: exit 3, not counted, nothing run' '
	cp state/credentials/ueda.tmpl tmpl.saved &&
	head -c 1048641 /dev/zero >state/credentials/ueda.tmpl &&
	nd=$(grep -c ",auth,ueda,denied," state/oplog.csv) &&
	test_must_fail 3 auth-check -u ueda 2>err &&
	cp tmpl.saved state/credentials/ueda.tmpl &&
	one_line_matching err "^auth-check: $TMP/state/credentials/ueda.tmpl: oversized credential file\$" &&
	logged auth ueda error "reason=credential-unreadable" &&
	test "$(grep -c ",auth,ueda,denied," state/oplog.csv)" = "$nd" &&
	head -c 1048640 /dev/zero >state/credentials/ueda.tmpl &&
	test_must_fail 1 auth-check -u ueda 2>err &&
	cp tmpl.saved state/credentials/ueda.tmpl &&
	logged auth ueda denied "template corrupt" && auth-check -u ueda ||
	    { cat err >&2; tail -2 state/oplog.csv >&2; return 1; }
'

test_expect_success 'no device (exit 3): exit 3, logged, not counted; a -b check says check=manager' '
	auth-check -u ueda &&
	mode nodevice &&
	test_must_fail 3 auth-check -u ueda 2>err &&
	logged auth ueda error "no reader," &&
	test_must_fail 3 operator-mod -b ueda -i ueda -s Shimin 2>err &&
	logged auth ueda error "reason=no reader check=manager," &&
	test_must_fail 3 operator-add -b ueda -i noda -n Noda -m external 2>err &&
	logged auth ueda error "reason=no reader check=manager," &&
	logged operator-add noda error "by=ueda role=operator method=external" &&
	! grep -q "^noda," state/operators.csv &&
	test "$(mlr --icsv --onidx filter '"'"'$id == "ueda"'"'"' then cut -o -f failed,locked state/operators.csv)" = "0 no" &&
	mode ""
'

# The descriptors the verifier's run takes (its pipes, its directory)
# are found free before the register is read, with those of every other
# path: under a limit, or with a caller's descriptors left open under an
# ample one, auth-check admits as without a limit or stops before it
# asks anyone, exit 3 and nothing logged or counted; the verifier then
# has them too.  Before that check, a limit made auth-check's own pipe(2)
# fail only for the persons whose method runs a program, and lower down
# the verifier failed itself, counted as a wrong palm.
test_expect_success 'ulimit -n, descriptors left open: admitted as without a limit, or exit 3 before anything' '
	auth-check -u ueda && mode "" && seen=0 &&
	for nf in $(fd_limits); do
		l=$(wc -l <state/oplog.csv) &&
		r=0 && fds_free ${nf%:*} ${nf#*:} auth-check -u ueda 2>err || r=$?
		if [ $r = 0 ]; then
			logged auth ueda ok ""
		else
			{ test $r = 3 || test $r = 127; } &&
			test "$(wc -l <state/oplog.csv)" = $l &&
			! grep -q "pipe\|verify" err &&
			test "$(mlr --icsv --onidx filter '"'"'$id == "ueda"'"'"' then cut -o -f failed,locked state/operators.csv)" = "0 no"
		fi || { echo "ulimit -n ${nf%:*}, ${nf#*:} free: exit $r" >&2; cat err >&2; exit 1; }
		if grep -Eqx "auth-check: [0-9]+ free file descriptors needed: Too many open files" err; then
			seen=$((seen + 1))
		fi
	done &&
	test $seen -ge 2
'

# Our own pipe, fork or wait failing judges nobody: a pipe(2) that fails
# here (EMFILE, injected: the limit is found before it) is exit 3, logged
# with result error and reason "verifier not run", never counted.
test_expect_success STRACE 'a pipe that cannot be made here: exit 3, not counted' '
	auth-check -u ueda && mode "" &&
	test_must_fail 3 strace -f -o /dev/null -e trace=pipe2 \
	    -e inject=pipe2:error=EMFILE auth-check -u ueda 2>err &&
	grep -qx "auth-check: pipe: Too many open files" err &&
	logged auth ueda error "method=external reason=verifier not run," &&
	test "$(mlr --icsv --onidx filter '"'"'$id == "ueda"'"'"' then cut -o -f failed,locked state/operators.csv)" = "0 no"
'

# A program the kernel will not start (its #! interpreter missing, a file
# of no format it knows) judged nothing, whatever execv's errno: as a pipe
# of ours that failed, "verifier not run", exit 3, never counted; for the
# gate, a manager's -b check and an enrolment alike.
test_expect_success 'a verifier that cannot be run (no #! interpreter, no format): exit 3, not counted' '
	printf "#!/nonexistent/sh\nexit 0\n" >xv/noint &&
	printf "exit 0\n" >xv/noformat && chmod 700 xv/noint xv/noformat &&
	ok=1 && for v in noint:"No such file or directory" noformat:"Exec format error"; do
		conf_set external_verifier "$TMP/xv/${v%%:*}" &&
		test_must_fail 3 auth-check -u ueda 2>err &&
		grep -qx "auth-check: $TMP/xv/${v%%:*}: cannot be run: ${v#*:}" err &&
		logged auth ueda error "method=external reason=verifier not run," &&
		test_must_fail 3 operator-mod -b ueda -i ueda -s Shimin 2>err &&
		grep -qx "operator-mod: $TMP/xv/${v%%:*}: cannot be run: ${v#*:}" err &&
		logged auth ueda error "reason=verifier not run check=manager" ||
		{ ok=0; cat err >&2; break; }
	done;
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh" && test $ok = 1 &&
	test "$(mlr --icsv --onidx filter '"'"'$id == "ueda"'"'"' then cut -o -f failed,locked state/operators.csv)" = "0 no" &&
	init_state "$TMP/s2" && conf_set external_verifier "$TMP/xv/noint" "$TMP/s2" &&
	test_must_fail 3 operator-add -d "$TMP/s2" -i kubo -n Kubo -r manager \
	    -m external 2>err &&
	grep -qx "operator-add: $TMP/xv/noint: cannot be run: No such file or directory" err &&
	! grep -q "^kubo," "$TMP/s2/operators.csv" &&
	tail -1 "$TMP/s2/oplog.csv" | grep -q ",-,operator-add,kubo,error,role=manager method=external reason=verifier not run bootstrap," &&
	auth-check -u ueda
'

test_expect_success 'garbage enrolment output (2 MiB): refused, nothing registered' '
	mode garbage &&
	test_must_fail 3 operator-add -b ueda -i oda -n Oda -m external 2>err &&
	grep -q "template larger than" err &&
	! grep -q "^oda," state/operators.csv
'

test_expect_success 'a failed enrolment (exit 1) registers nothing' '
	mode "" && hand ueda-right &&
	cat >xv/wrap <<-EOF &&
	#!/bin/sh
	# the manager verifies, then the enrolment fails
	if [ "\$1" = enrol ]; then echo fail >"$TMP/xv/mode"; fi
	exec "$SRCDIR/tests/xverifier.sh" "\$@"
	EOF
	chmod 700 xv/wrap &&
	conf_set external_verifier "$TMP/xv/wrap" &&
	test_must_fail 1 operator-add -b ueda -i oda -n Oda -m external 2>err &&
	grep -q "enrolment failed (exit status 1)" err &&
	! grep -q "^oda," state/operators.csv &&
	mode "" &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh"
'

test_expect_success 'a template swapped between external operators is refused' '
	printf "ueda-right\noda-left\n" >xv/queue &&
	mode "" &&
	operator-add -b ueda -i oda -n Oda -m external 2>err &&
	hand ueda-right &&
	cp state/credentials/oda.tmpl oda.saved &&
	cp state/credentials/ueda.tmpl state/credentials/oda.tmpl &&
	test_must_fail 1 auth-check -u oda 2>err &&
	logged auth oda denied "template corrupt" &&
	cp oda.saved state/credentials/oda.tmpl &&
	hand oda-left &&
	auth-check -u oda
'

test_expect_success 'a verifier others may write is refused, never run' '
	mkdir -m 755 xv/bin &&
	cp "$SRCDIR/tests/xverifier.sh" xv/bin/v &&
	chmod 775 xv/bin/v &&
	conf_set external_verifier "$TMP/xv/bin/v" &&
	test_must_fail 3 auth-check -u ueda 2>err &&
	grep -q "refusing a program or directory" err &&
	! grep -q "xverifier: verify" err &&
	logged auth ueda error "no verifier" &&
	chmod 755 xv/bin/v && chmod 777 xv/bin &&
	test_must_fail 3 auth-check -u ueda 2>err &&
	grep -q "refusing a program or directory" err &&
	chmod 755 xv/bin && hand ueda-right &&
	auth-check -u ueda 2>err &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh"
'

test_expect_success 'a caller that ignores SIGCHLD does not turn a match into a deny' '
	hand ueda-right &&
	python3 -c "import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])" auth-check -u ueda 2>err &&
	logged auth ueda ok ""
'

test_expect_success 'a method change whose old credential cannot be destroyed is logged as done' '
	hand ueda-right && printf "oda-pass-123\n" >pw.oda && chmod 600 pw.oda &&
	rm state/credentials/oda.tmpl && mkdir -m 700 state/credentials/oda.tmpl &&
	test_must_fail 3 operator-mod -b ueda -i oda -m password --reason r \
	    --instructions-given 2026-11-01 --password-fd 3 3<pw.oda 2>err &&
	rmdir state/credentials/oda.tmpl &&
	grep -q "^oda,.*,password," state/operators.csv &&
	logged operator-mod oda ok "method=password reason instructions-given (old credential not destroyed)"
'

# jukisec-verifier(5): a template of at most 1 MiB is taken, so one of
# exactly 1 MiB is; one byte more is not.
test_expect_success 'a template of exactly 1 MiB is enrolled and verifies; 1 MiB + 1 is refused' '
	hand ueda-right && mode "" &&
	cat >xv/big <<-EOF &&
	#!/bin/sh
	# ueda (the manager) through xverifier; "big" writes \$BIG bytes
	[ "\$2" = big ] || exec "$SRCDIR/tests/xverifier.sh" "\$@"
	case \$1 in
	enrol)	head -c "\$(cat "$TMP/xv/size")" /dev/zero | tr "\\\\0" v ;;
	verify)	test "\$(wc -c)" = "\$(cat "$TMP/xv/size")" ;;
	esac
	EOF
	chmod 700 xv/big && conf_set external_verifier "$TMP/xv/big" &&
	echo 1048577 >xv/size &&
	test_must_fail 3 operator-add -b ueda -i big -n Big -m external 2>err &&
	grep -q "template larger than 1048576 bytes" err &&
	! grep -q "^big," state/operators.csv &&
	echo 1048576 >xv/size &&
	operator-add -b ueda -i big -n Big -m external 2>err &&
	auth-check -u big && logged auth big ok "method=external" &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh"
'

test_expect_success 'an enrolment past external_timeout_seconds: exit 1, nothing registered' '
	hand ueda-right && mode "" &&
	cat >xv/slow <<-EOF &&
	#!/bin/sh
	[ "\$1" = enrol ] && exec sleep 30
	exec "$SRCDIR/tests/xverifier.sh" "\$@"
	EOF
	chmod 700 xv/slow && conf_set external_verifier "$TMP/xv/slow" &&
	conf_set external_timeout_seconds 1 &&
	test_must_fail 1 operator-add -b ueda -i slow -n Slow -m external 2>err &&
	grep -q "enrol: timed out after 1 s" err &&
	! grep -q "^slow," state/operators.csv &&
	conf_set external_timeout_seconds 30 &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh"
'

# jukisec.conf(5): a key left out keeps its default, template_key's being
# DIR/template.key, DIR as given: a relative -d too.
test_expect_success 'no template_key line and a relative -d: the key beside the state' '
	cp state/jukisec.conf conf.save && sed -i "/^template_key/d" state/jukisec.conf &&
	hand ueda-right &&
	(cd "$TMP" && unset JUKISEC_DIR && auth-check -d state -u ueda) 2>err &&
	logged auth ueda ok "" &&
	cp conf.save state/jukisec.conf
'

# jukisec-verifier(5) is given no finger and no reader, so --finger and
# --device would go unused.  With -m external that is argv's (t2000,
# t2200); that a --reenroll is an external one only the register shows:
# exit 2 after the manager's check (its auth record logged), no
# operator-mod record, nothing enrolled, the template kept.
test_expect_success '--reenroll of an external person with --finger or --device: exit 2, template kept' '
	hand ueda-right && mode "" &&
	cp state/credentials/big.tmpl big.before &&
	n=$(grep -c ",operator-mod," state/oplog.csv) &&
	for o in --finger=left-thumb --device=virtual_device; do
		test_must_fail 2 operator-mod -b ueda -i big --reenroll "$o" 2>err &&
		grep -qx "operator-mod: big: --finger and --device belong to the fingerprint method" err &&
		! grep -q "xverifier: enrol" err &&
		logged auth ueda ok "check=manager" || return 1
	done &&
	cmp big.before state/credentials/big.tmpl &&
	test "$(grep -c ",operator-mod," state/oplog.csv)" = "$n"
'

# The same under --recover, where the manager's method is read after the
# key proved: refused as a credential option that does not fit (exit 2),
# and recorded as the try it is.
test_expect_success '--recover --reenroll of an external manager with --finger: exit 2, logged' '
	hand ueda-right && cp state/credentials/ueda.tmpl ueda.before &&
	test_must_fail 2 operator-mod --recover -i ueda --key-file "$TMP/state.key" \
	    --reenroll --finger left-thumb 2>err &&
	grep -qx "operator-mod: ueda: --finger and --device belong to the fingerprint method" err &&
	! grep -q "xverifier: enrol" err &&
	tail -1 state/oplog.csv | grep -q ",-,recover,ueda,denied,uid=$(id -u) reason=not-fingerprint," &&
	cmp ueda.before state/credentials/ueda.tmpl
'

# jukisec-verifier(5): the trust rule is the program's own.  A symbolic
# link named as external_verifier is refused, since what runs is its
# target, held by another directory (here one anybody may write); a link
# among the directories leading to the program is followed, and the
# directory that really holds it is the one checked.
test_expect_success 'a symbolic link as external_verifier is refused, never run' '
	hand ueda-right && mode "" &&
	mkdir -m 777 xv/evil && mkdir -m 700 xv/lbin &&
	cp "$SRCDIR/tests/xverifier.sh" xv/evil/v && chmod 700 xv/evil/v &&
	cp xv/evil/v xv/lbin/v &&
	ln -s "$TMP/xv/evil/v" xv/lbin/link &&
	ln -s v xv/lbin/same &&
	for l in link same; do
		conf_set external_verifier "$TMP/xv/lbin/$l" &&
		test_must_fail 3 auth-check -u ueda 2>err &&
		grep -qx "auth-check: external verifier $TMP/xv/lbin/$l: a symbolic link: refused" err &&
		! grep -q "xverifier: verify" err &&
		logged auth ueda error "reason=no verifier," || return 1
	done &&
	ln -s evil xv/ldir &&
	conf_set external_verifier "$TMP/xv/ldir/v" &&
	test_must_fail 3 auth-check -u ueda 2>err &&
	grep -q "refusing a program or directory" err &&
	! grep -q "xverifier: verify" err &&
	ln -s lbin xv/okdir &&
	conf_set external_verifier "$TMP/xv/okdir/v" &&
	auth-check -u ueda 2>err && logged auth ueda ok "" &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh"
'

# A value that names a directory, a FIFO (executable or not), nothing, or
# ends in "/" (a program's name too) is refused as what it is, not as a
# program others may write (a root-owned 0755 directory sent the manager
# to chown and chmod a sound one); a program we may not run, as that.
test_expect_success 'a verifier that is no regular file, or not there: refused as such, never run' '
	mkdir -m 755 xv/kinds xv/kinds/sub && mkfifo -m 755 xv/kinds/fifo &&
	mkfifo -m 644 xv/kinds/rfifo && cp "$SRCDIR/tests/xverifier.sh" xv/kinds/prog &&
	chmod 755 xv/kinds/prog && cp xv/kinds/prog xv/kinds/noexec && chmod 600 xv/kinds/noexec &&
	for v in "sub|not a regular file: refused" "fifo|not a regular file: refused" \
	    "|not a regular file: refused" "gone|No such file or directory" \
	    "rfifo|not a regular file: refused" "prog/|not a regular file: refused" \
	    "noexec|Permission denied"; do
		conf_set external_verifier "$TMP/xv/kinds/${v%%|*}" &&
		test_must_fail 3 auth-check -u ueda 2>err &&
		echo "auth-check: external verifier $TMP/xv/kinds/${v%%|*}: ${v#*|}" | test_cmp - err &&
		logged auth ueda error "reason=no verifier," || return 1
	done &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh"
'

# gone PID: the process has ended (it may stay a zombie until its new
# parent reaps it); SIGKILL is delivered soon after kill(2) returns.
gone() {
	_n=0
	while _s=$(sed -n "s/.*) \([A-Z]\) .*/\1/p" "/proc/$1/stat" 2>/dev/null) &&
	    [ -n "$_s" ] && [ "$_s" != Z ]; do
		_n=$((_n + 1))
		[ $_n -lt 100 ] || { echo "process $1 still there ($_s)" >&2; return 1; }
		sleep 0.02
	done
}

# jukisec-verifier(5): the program is judged by its exit.  One that leaves
# a child behind holding its standard output (a vendor's helper started on
# the way) is not held to the timeout for it, what it wrote up to its exit
# is its template, and its process group is killed then: nothing of the
# run outlives it holding the pipe or the device.
test_expect_success 'a verifier that exits leaving a child on its stdout: judged at its exit, the child killed' '
	hand ueda-right && mode "" &&
	cat >xv/bg <<-EOF &&
	#!/bin/sh
	# a helper left running with our stdout and stderr
	sleep 30 &
	echo \$! >"$TMP/xv/bgpid"
	"$SRCDIR/tests/xverifier.sh" "\$@"
	EOF
	chmod 700 xv/bg && conf_set external_verifier "$TMP/xv/bg" &&
	conf_set external_timeout_seconds 5 &&
	start=$(date +%s) &&
	auth-check -u ueda 2>err &&
	test $(($(date +%s) - start)) -lt 4 &&
	logged auth ueda ok "" && gone "$(cat xv/bgpid)" &&
	printf "ueda-right\nbg-left\n" >xv/queue &&
	operator-add -b ueda -i bg -n Bg -m external 2>err &&
	test $(($(date +%s) - start)) -lt 4 &&
	logged operator-add bg ok "method=external" && gone "$(cat xv/bgpid)" &&
	hand bg-left && auth-check -u bg &&
	hand someone-else && test_must_fail 1 auth-check -u bg &&
	conf_set external_timeout_seconds 30 &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh"
'

# In a process group of its own the verifier is out of reach of the
# terminal's Ctrl-C; the death of the tool that ran it (killed outright,
# no handler run) still ends it, so it cannot keep the reader from the
# next person.
test_expect_success 'a verifier whose tool is killed dies with it' '
	cat >xv/wait <<-EOF &&
	#!/bin/sh
	echo \$\$ >"$TMP/xv/waitpid"
	exec sleep 30
	EOF
	chmod 700 xv/wait && conf_set external_verifier "$TMP/xv/wait" &&
	rm -f xv/waitpid &&
	{ auth-check -u ueda 2>/dev/null & } && tool=$! &&
	n=0 && while ! test -s xv/waitpid; do
		n=$((n + 1)) && test $n -lt 250 && sleep 0.02 || exit 1
	done &&
	kill -KILL $tool && { wait $tool; true; } &&
	gone "$(cat xv/waitpid)" &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh"
'

# jukisec-verifier(5), operator-mod(1): a re-enrolment that fails after
# the manager's check changes nothing and is logged as the change it was
# for, refused (exit 1) or error (exit 3); when the verifier was not run,
# with the reason the gate gives.
test_expect_success 'a failed --reenroll of an external person: logged refused or error, template kept' '
	hand ueda-right && mode "" &&
	cat >xv/then <<-EOF &&
	#!/bin/sh
	# the manager verifies; the enrolment then does what xv/then-mode says
	if [ "\$1" = enrol ]; then cp "$TMP/xv/then-mode" "$TMP/xv/mode"; fi
	exec "$SRCDIR/tests/xverifier.sh" "\$@"
	EOF
	chmod 700 xv/then && conf_set external_verifier "$TMP/xv/then" &&
	cp state/credentials/big.tmpl big.before &&
	for c in fail:1:refused broken:3:error nodevice:3:error empty:3:error \
	    garbage:3:error; do
		mode "" && echo "${c%%:*}" >xv/then-mode &&
		st=${c#*:} && st=${st%:*} &&
		test_must_fail "$st" operator-mod -b ueda -i big --reenroll 2>err &&
		tail -1 state/oplog.csv | grep -q ",ueda,operator-mod,big,${c##*:},changed: reenroll," &&
		cmp big.before state/credentials/big.tmpl ||
		{ echo "enrolment $c" >&2; cat err >&2; tail -2 state/oplog.csv >&2; return 1; }
	done &&
	mode "" &&
	cat >xv/once.sh <<-EOF &&
	#!/bin/sh
	# verifies the manager, leaving in its place one that cannot be run
	printf "#!/nonexistent/sh\\\\n" >"$TMP/xv/once.new"
	chmod 700 "$TMP/xv/once.new" && mv "$TMP/xv/once.new" "$TMP/xv/once"
	exec "$SRCDIR/tests/xverifier.sh" "\$@"
	EOF
	cp xv/once.sh xv/once && chmod 700 xv/once &&
	conf_set external_verifier "$TMP/xv/once" &&
	test_must_fail 3 operator-mod -b ueda -i big --reenroll 2>err &&
	grep -qx "operator-mod: $TMP/xv/once: cannot be run: No such file or directory" err &&
	tail -1 state/oplog.csv | grep -q ",ueda,operator-mod,big,error,changed: reenroll reason=verifier not run," &&
	cp xv/once.sh xv/once &&
	test_must_fail 3 operator-add -b ueda -i kubo -n Kubo -m external 2>err &&
	tail -1 state/oplog.csv | grep -q ",ueda,operator-add,kubo,error,role=operator method=external reason=verifier not run," &&
	! grep -q "^kubo," state/operators.csv &&
	cmp big.before state/credentials/big.tmpl &&
	cp state/credentials/ueda.tmpl ueda.before &&
	conf_set external_verifier "$TMP/xv/noint" &&
	test_must_fail 3 operator-mod --recover -i ueda --key-file "$TMP/state.key" \
	    --reenroll 2>err &&
	tail -1 state/oplog.csv | grep -q ",-,recover,ueda,error,uid=$(id -u) changed: unlock reenroll reason=verifier not run," &&
	cmp ueda.before state/credentials/ueda.tmpl &&
	conf_set external_verifier "$SRCDIR/tests/xverifier.sh"
'

# operator-mod(1): the old template is destroyed only after the new
# enrolment succeeded, as a revocation destroys one: a descriptor still
# open on the old file finds zeros.  One with another hard link keeps
# its bytes there: reported not destroyed (exit 3, logged so), the new
# template in force all the same.
test_expect_success '--reenroll: the old template overwritten; a hard-linked one reported' '
	hand ueda-right && mode "" &&
	exec 7<state/credentials/big.tmpl &&
	test -n "$(tr -d "\\000" </proc/self/fd/7 | head -c 8)" &&
	printf "%s\\n" ueda-right big-2 >xv/queue &&
	operator-mod -b ueda -i big --reenroll 2>err &&
	! grep -v "^xverifier: " err &&
	test -z "$(tr -d "\\000" </proc/self/fd/7 | head -c 8)" &&
	logged operator-mod big ok "changed: reenroll," &&
	hand big-2 && auth-check -u big 2>err &&
	ln state/credentials/big.tmpl linked.tmpl && cp linked.tmpl linked.want &&
	printf "%s\\n" ueda-right big-3 >xv/queue &&
	test_must_fail 3 operator-mod -b ueda -i big --reenroll 2>err &&
	grep -v "^xverifier: " err >err.own &&
	one_line_matching err.own "^operator-mod: $TMP/state/credentials/big\\.tmpl\\.old: has other hard links: unlinked, not overwritten; the change to big is made and logged, do not make it again\$" &&
	cmp linked.want linked.tmpl &&
	! ls state/credentials | grep -v "\\.\\(tmpl\\|phc\\)\$" &&
	logged operator-mod big ok "changed: reenroll (old credential not destroyed)," &&
	hand big-3 && auth-check -u big 2>err &&
	hand ueda-right
'

# jukisec.conf(5) template_key: the key is made by the first enrolment,
# when no sealed template exists yet.  Once templates are sealed under it
# a new key would orphan every one (each person then denied as a corrupt
# template, counted, locked out), so a key missing from the state
# directory is what it is at a verification: exit 3 with the same words,
# nothing enrolled or registered, the attempt logged as an error; for
# operator-add, operator-mod --reenroll and -m, and --recover --reenroll.
K=$TMP/k
klast() { tail -1 "$K/oplog.csv" | grep -q -- "$1" || { tail -2 "$K/oplog.csv" >&2; return 1; }; }
kfailed() { mlr --icsv --onidx filter '$id == "'"$1"'"' then cut -o -f failed,locked "$K/operators.csv"; }
test_expect_success 'template key: the first enrolment on a fresh state makes it' '
	init_state "$K" && conf_set external_verifier "$SRCDIR/tests/xverifier.sh" "$K" &&
	conf_set kdf_memory_kib 19456 "$K" && conf_set kdf_time 2 "$K" &&
	! test -e "$K/template.key" && mode "" && hand boss-right &&
	operator-add -d "$K" -i boss -n Boss -r manager -m external 2>err &&
	test "$(stat -c "%a %s" "$K/template.key")" = "600 32" &&
	cp "$K/template.key" k.key.saved &&
	printf "deputy-pass-123\n" >pw.dep && chmod 600 pw.dep &&
	operator-add -d "$K" -b boss -i deputy -n Deputy -r manager -m password \
	    --reason r --instructions-given 2026-11-01 --password-fd 3 3<pw.dep 2>err &&
	operator-add -d "$K" -b deputy --by-password-fd 4 -i pwop -n Pwop -m password \
	    --reason r --instructions-given 2026-11-01 --password-fd 3 3<pw.dep 4<pw.dep 2>err
'

test_expect_success 'template key missing with templates sealed: exit 3, never made anew' '
	rm "$K/template.key" && cp "$K/credentials/boss.tmpl" boss.tmpl.want &&
	miss="template key $K/template.key is missing\$" &&
	test_must_fail 3 auth-check -d "$K" -u boss 2>err &&
	one_line_matching err "^auth-check: $miss" &&
	klast ",-,auth,boss,error,method=external reason=template key unavailable," &&
	hand op1-right &&
	test_must_fail 3 operator-add -d "$K" -b deputy --by-password-fd 4 -i op1 \
	    -n Op1 -m external 4<pw.dep 2>err &&
	one_line_matching err "^operator-add: $miss" &&
	klast ",deputy,operator-add,op1,error,role=operator method=external," &&
	! grep -q "^op1," "$K/operators.csv" && ! test -e "$K/credentials/op1.tmpl" &&
	! test -e "$K/template.key" &&
	hand boss-right &&
	test_must_fail 3 operator-mod -d "$K" -b deputy --by-password-fd 4 -i boss \
	    --reenroll 4<pw.dep 2>err &&
	one_line_matching err "^operator-mod: $miss" &&
	klast ",deputy,operator-mod,boss,error,changed: reenroll," &&
	! test -e "$K/template.key" &&
	test_must_fail 3 operator-mod -d "$K" -b deputy --by-password-fd 4 -i pwop \
	    -m external 4<pw.dep 2>err &&
	one_line_matching err "^operator-mod: $miss" &&
	klast ",deputy,operator-mod,pwop,error,changed: method=external," &&
	grep -q "^pwop,.*,password," "$K/operators.csv" &&
	! test -e "$K/template.key" &&
	test_must_fail 3 operator-mod -d "$K" --recover -i boss --key-file "$K.key" \
	    --reenroll 2>err &&
	one_line_matching err "^operator-mod: $miss" &&
	klast ",-,recover,boss,error,uid=$(id -u) changed: unlock reenroll," &&
	! test -e "$K/template.key" &&
	cmp boss.tmpl.want "$K/credentials/boss.tmpl" &&
	test "$(kfailed boss)" = "0 no" &&
	cp k.key.saved "$K/template.key" && auth-check -d "$K" -u boss 2>err
'

# The way back without the old key: every sealed template gone (each
# person moved to a password, or revoked), the next enrolment is a first
# one again.
test_expect_success 'template key missing, no template left: the next enrolment makes a new one' '
	rm "$K/template.key" &&
	operator-mod -d "$K" -b deputy --by-password-fd 4 -i boss -m password \
	    --reason r --instructions-given 2026-11-01 --password-fd 3 \
	    3<pw.dep 4<pw.dep 2>err &&
	! ls "$K/credentials" | grep -q "\\.tmpl" &&
	hand op2-right &&
	operator-add -d "$K" -b deputy --by-password-fd 4 -i op2 -n Op1 -m external \
	    4<pw.dep 2>err &&
	test "$(stat -c "%a %s" "$K/template.key")" = "600 32" &&
	! cmp -s k.key.saved "$K/template.key" &&
	auth-check -d "$K" -u op2 2>err
'

# The template key is made under the register lock, which guards the
# credentials it seals (store.h), as a fixed temporary .tmp-template.key
# linked into place: two first enrolments at once end with one key that
# both sealed with, and one killed between the temporary and its link
# leaves a name that the next writer under that lock removes (never a
# pid-named .template.key.new.PID that nobody removes).
C=$TMP/c
cadd() {	# cadd ID: operator-add ID -m external on $C, by deputy
	operator-add -d "$C" -b deputy --by-password-fd 4 -i "$1" -n "$1" \
	    -m external 4<pw.dep
}
no_key_tmp() {	# nothing of a key's temporary in $C
	no_tmp "$C" &&
	! ls -A "$C" | grep "template\\.key\\.new" &&
	test "$(stat -c "%a %s" "$C/template.key")" = "600 32"
}
test_expect_success 'template key: a first enrolment of a fresh state, saved' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	init_state "$C" && conf_set external_verifier "$SRCDIR/tests/xverifier.sh" "$C" &&
	conf_set kdf_memory_kib 19456 "$C" && conf_set kdf_time 2 "$C" &&
	conf_set lock_timeout_ms 30000 "$C" &&
	mode "" && hand same-hand &&
	operator-add -d "$C" -i deputy -n Deputy -r manager -m password \
	    --reason r --instructions-given 2026-11-01 --password-fd 3 3<pw.dep 2>err &&
	! test -e "$C/template.key" &&
	rm -rf c.saved && cp -a "$C" c.saved
'

test_expect_success 'template key: two first enrolments at once, one key that both used' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	rm -rf "$C" && cp -a c.saved "$C" &&
	crash_trace cadd op1 2>/dev/null &&
	n=$(awk "\$2 == \"linkat\" && \$3 ~ /template\\.key\$/ { print \$1; exit }" "$TMP/crash.trace") &&
	test -n "$n" &&
	rm -rf "$C" && cp -a c.saved "$C" && rm -f a.pid a.rc b.rc || return 1
	(crash_stop "$n" "$TMP/a.pid" cadd op1 2>a.err; echo $? >a.rc) &
	crash_stopped "$TMP/a.pid" &&
	test "$(ls -A "$C" | grep "template")" = .tmp-template.key; r=$?
	(cadd op2 2>b.err; echo $? >b.rc) &
	sleep 1; test $r = 0 && ! test -s b.rc; r=$?
	crash_go "$TMP/a.pid"; wait
	test $r = 0 &&
	test "$(cat a.rc) $(cat b.rc)" = "0 0" &&
	no_key_tmp &&
	auth-check -d "$C" -u op1 2>err && auth-check -d "$C" -u op2 2>err
'

test_expect_success 'template key: killed before its link, the next enrolment makes it, nothing left' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	crash_after c.saved "$C" "template\\.key" linkat "template\\.key" cadd op1 &&
	! test -e "$C/template.key" &&
	cadd op2 2>err && no_key_tmp && auth-check -d "$C" -u op2 2>err
'

test_expect_success 'template key: killed after its link, the next enrolment keeps it, nothing left' '
	. "$SRCDIR/tests/lib-crash.sh" &&
	crash_after c.saved "$C" "template\\.key" unlinkat "template\\.key" cadd op1 &&
	cp "$C/template.key" c.key &&
	cadd op2 2>err && no_key_tmp && cmp c.key "$C/template.key" &&
	auth-check -d "$C" -u op2 2>err
'

# The cost of a password attempt reads every stored password hash
# (auth-check(1)); a palm's attempt derives no key and reads none.
test_expect_success STRACE 'a palm'"'"'s attempt reads no password hash' '
	mode "" && hand ueda-right &&
	printf "%s\n" pw-user-secret-1 >pw.u && chmod 600 pw.u &&
	operator-add -b ueda -i pwuser -n Pw -m password --reason "no reader" \
	    --instructions-given 2026-11-01 --password-fd 3 3<pw.u 2>/dev/null &&
	test -f state/credentials/pwuser.phc &&
	strace -f -qq -e trace=openat -o trace auth-check -u ueda 2>err &&
	grep -q "ueda\.tmpl" trace && ! grep -q "\.phc" trace &&
	strace -f -qq -e trace=openat -o trace auth-check -u pwuser \
	    --password-fd 3 3<pw.u 2>err &&
	grep -q "pwuser\.phc" trace
'

test_done
