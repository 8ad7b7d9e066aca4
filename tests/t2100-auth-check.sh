#!/bin/sh
# auth-check: the gate (R5.2-R5.4).  Exit 0 admitted, 1 denied, 4 locked;
# unknown, revoked and expired ids look like a wrong password; every
# attempt is logged without the password; lockout and unlock.  Expiry and
# the clock's faults: t2110.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

test_expect_success 'set up: manager and two exception operators' '
	reg_state && bootstrap && add_pw tanaka && add_pw suzuki &&
	add_pw short &&
	pw wrong Not-The-Pw-42
'

test_expect_success 'right password: exit 0, logged ok' '
	auth tanaka "$TMP/pw.tanaka" -t term-7 2>err &&
	test ! -s err &&
	test "$(log_count auth ok "method=password reason=ok\$")" = 1 &&
	grep -q ",term-7,tanaka,auth,tanaka,ok," "$D/oplog.csv"
'

test_expect_success 'wrong password: exit 1, one line, counted, logged' '
	test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>err &&
	one_line_matching err "^auth-check: authentication denied\$" &&
	cp err "$TMP/denied.msg" &&
	test "$(field tanaka failed)" = 1 &&
	test "$(log_count auth denied "reason=wrong-password")" = 1
'

test_expect_success 'unknown id: the same message, reason only in the log' '
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>err2 &&
	test_cmp "$TMP/denied.msg" err2 &&
	test "$(log_count auth denied "reason=unknown-id")" = 1
'

test_expect_success 'an empty password: the same one-line deny, counted, its own reason' '
	test_must_fail 1 auth tanaka /dev/null 2>err4 &&
	test_cmp "$TMP/denied.msg" err4 &&
	test "$(field tanaka failed)" = 2 &&
	test "$(log_count auth denied "reason=empty-password")" = 1 &&
	test_must_fail 1 auth nobody /dev/null 2>err4 &&
	test_cmp "$TMP/denied.msg" err4 &&
	test "$(log_count auth denied "reason=credential-corrupt")" = 0
'

test_expect_success 'a success resets the count' '
	auth tanaka "$TMP/pw.tanaka" && test "$(field tanaka failed)" = 0
'

test_expect_success 'five failures lock (default threshold), exit 4 from the fifth' '
	for i in 1 2 3 4; do test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null || exit 1; done &&
	test "$(field tanaka locked)" = no && test -z "$(field tanaka locked_at)" &&
	test_must_fail 4 auth tanaka "$TMP/pw.wrong" 2>err &&
	one_line_matching err "tanaka is locked out: see the Security Manager" &&
	test "$(field tanaka locked)" = yes && test -n "$(field tanaka locked_at)" &&
	operator-list -d "$D" | grep -q "^tanaka .* locked "
'

test_expect_success 'locked: even the right password is exit 4, and counted' '
	test_must_fail 4 auth tanaka "$TMP/pw.tanaka" 2>/dev/null &&
	test "$(field tanaka failed)" = 6 &&
	test "$(log_count auth locked "reason=locked")" = 1
'

test_expect_success 'the lock survives: it is in operators.csv, not in memory or tmpfs' '
	test_must_fail 4 auth tanaka "$TMP/pw.tanaka" 2>/dev/null
'

test_expect_success 'the manager unlocks; the right password works again' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka --unlock 4<"$TMP/pw.boss" &&
	test "$(field tanaka failed)" = 0 && test "$(field tanaka locked)" = no &&
	test -z "$(field tanaka locked_at)" &&
	auth tanaka "$TMP/pw.tanaka" &&
	test "$(log_count operator-mod ok unlock)" = 1
'

# regs SAVED OUT SPEC...: for the Nth SPEC, OUT.N is SAVED with fields
# set as csv_set (lib-register.sh) sets them, SPEC their list, ID:COL:VAL
# joined by commas: one python3 run for them all, where regcol started
# one a change.
regs() {
	python3 - "$@" <<-\EOF
	import csv, sys
	src, out = sys.argv[1:3]
	for n, spec in enumerate(sys.argv[3:], 1):
	    rows = list(csv.reader(open(src, newline="")))
	    for part in spec.split(","):
	        key, col, val = part.split(":", 2)
	        if col not in rows[0]: sys.exit("regs: no column " + col)
	        i = rows[0].index(col)
	        for r in rows[1:]:
	            if r[0] == key: r[i] = val
	    csv.writer(open("%s.%d" % (out, n), "w", newline=""), lineterminator="\n").writerows(rows)
	EOF
}
# last_is TEXT: the last line of oplog.csv holds TEXT (tail -1 | grep -q,
# by read and case).
last_is() {
	_last=
	while IFS= read -r _ll || [ -n "$_ll" ]; do _last=$_ll; done <"$D/oplog.csv" || return 1
	case $_last in *"$1"*) return 0 ;; esac
	echo "last record: $_last" >&2; return 1
}

# damaged_each OUT CV...: with OUT.N (regs) as the register for the Nth
# CV, short's row records no exception: short is denied on the right
# password and a wrong one alike, as an unknown id (reason
# register-row-damaged, n counting the denials), and operator-list calls
# the row damaged; reg.save is put back after each.
damaged_each() {
	_out=$1 _k=0; shift
	for _cv; do
		_k=$((_k + 1))
		cp "$_out.$_k" "$D/operators.csv" || return 1
		for _p in short wrong; do
			test_must_fail 1 auth short "$TMP/pw.$_p" 2>err &&
			test_cmp "$TMP/denied.msg" err && n=$((n + 1)) &&
			last_is ",-,auth,short,denied,method=password reason=register-row-damaged," ||
			{ echo "$_cv, pw.$_p" >&2; return 1; }
		done
		operator-list -d "$D" >list && grep -q "^short .* damaged " list ||
		{ echo "$_cv: operator-list" >&2; cat list >&2; return 1; }
		cp reg.save "$D/operators.csv" || return 1
	done
}

# reps C N: C N times and a newline (python3 -c "print(C * N)", in
# builtins).
reps() {
	_r= _s=$1 _k=$2
	while [ "$_k" -gt 0 ]; do
		[ $((_k % 2)) = 0 ] || _r=$_r$_s
		_s=$_s$_s _k=$((_k / 2))
	done
	printf "%s\n" "$_r"
}
# sleeping PID: auth-check PID sleeps (cut -f2,3 | grep of /proc/PID/stat,
# by read and case).
sleeping() {
	read -r _st <"/proc/$1/stat" && case $_st in "$1 (auth-check) S "*) ;; *) false ;; esac
}

# auth-check(1): the flag "locked" is the lock; locked_at only says when
# it began, and no value there (none, or 1970: t2110) means "not locked".
test_expect_success 'the locked flag decides, not locked_at; a lock of no time never lifts' '
	add_pw kudo &&
	regs "$D/operators.csv" reg.kudo kudo:locked:yes,kudo:locked_at: &&
	cp reg.kudo.1 "$D/operators.csv" &&
	conf_set "$D" lockout_unlock_minutes 1 &&
	test_must_fail 4 auth kudo "$TMP/pw.kudo" 2>/dev/null &&
	test "$(log_count auth locked "method=password reason=locked\$")" -ge 1 &&
	regs "$D/operators.csv" reg.kudo kudo:locked:no,kudo:locked_at:2026-01-01T00:00:00.000Z &&
	cp reg.kudo.1 "$D/operators.csv" &&
	auth kudo "$TMP/pw.kudo" &&
	conf_set "$D" lockout_unlock_minutes 0
'

test_expect_success 'revoked: the same message as a wrong password' '
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i suzuki --reason transfer \
	    4<"$TMP/pw.boss" &&
	test_must_fail 1 auth suzuki "$TMP/pw.suzuki" 2>err4 &&
	test_cmp "$TMP/denied.msg" err4 &&
	test "$(log_count auth denied "reason=revoked")" = 1
'

# The weaker hash is destroyed as every replaced credential is (operator-mod(1)):
# read through a descriptor opened before, it is zeros afterwards, and no
# second name of it is left.
test_expect_success 'a hash weaker than jukisec.conf is re-hashed on success, the old one destroyed' '
	grep -q "m=19456,t=2," "$D/credentials/tanaka.phc" &&
	conf_set "$D" kdf_time 3 &&
	exec 7<"$D/credentials/tanaka.phc" &&
	auth tanaka "$TMP/pw.tanaka" &&
	grep -q "m=19456,t=3," "$D/credentials/tanaka.phc" &&
	test "$(tr -d "\\000" <&7 | wc -c)" = 0 && exec 7<&- &&
	test ! -e "$D/credentials/tanaka.phc.old" &&
	test "$(log_count auth rehashed "t=3")" = 1 &&
	auth tanaka "$TMP/pw.tanaka" &&
	conf_set "$D" kdf_time 2
'

test_expect_success 'a missing credential file is a deny, reason logged' '
	mv "$D/credentials/short.phc" saved.phc &&
	test_must_fail 1 auth short "$TMP/pw.short" 2>/dev/null &&
	test "$(log_count auth denied "reason=credential-missing")" = 1 &&
	mv saved.phc "$D/credentials/short.phc"
'

test_expect_success 'a corrupt PHC string is a deny, never a guess' '
	cp "$D/credentials/short.phc" saved.phc &&
	sed -i "s/t=2/t=x/" "$D/credentials/short.phc" &&
	test_must_fail 1 auth short "$TMP/pw.short" 2>/dev/null &&
	test "$(log_count auth denied "reason=credential-corrupt")" = 1 &&
	cp saved.phc "$D/credentials/short.phc"
'

# auth-check(1) admits "the password of a recorded R5.3 exception".  A
# password row whose exception columns are blank, or whose instructions
# date is no date, or an approver that is no operator id (a reason of
# spaces only, U+3000 too, is none, and so is an approver of one: a hand
# edit, a bad restore: operator-add and
# operator-mod never write one), records no exception: jukisec-audit
# FAILs it, and the gate denies it as a row it cannot trust, like an
# unknown id: the same answer, the right password included, not counted,
# reason register-row-damaged.  A manager's -b on such a row likewise.
# operator-mod repairs it.
test_expect_success 'a password row that records no exception: denied as an unknown id, not counted' '
	cp "$D/operators.csv" reg.save && n=0 && f=$(field short failed) &&
	cvs="exception_reason: exception_reason:　　 approved_by: approved_by:　
	    approved_by:- instructions_date: instructions_date:2026-13-01 instructions_date:soon" &&
	set -- && for cv in $cvs; do set -- "$@" "short:$cv"; done &&
	regs reg.save reg.cv "$@" boss:approved_by: \
	    short:exception_reason:,short:approved_by: &&
	damaged_each reg.cv $cvs &&
	test "$(field short failed)" = "$f" &&
	test "$(log_count auth denied "reason=register-row-damaged")" = $n &&
	cp reg.cv.9 "$D/operators.csv" &&
	test_must_fail 1 operator-mod -d "$D" -b boss --by-password-fd 4 -i short \
	    -s S 4<"$TMP/pw.boss" 2>/dev/null &&
	last_is ",auth,boss,denied,method=password reason=register-row-damaged check=manager," &&
	cp reg.cv.10 "$D/operators.csv" &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i short \
	    --reason "cannot use the reader" 4<"$TMP/pw.boss" &&
	test "$(field short approved_by)" = boss &&
	auth short "$TMP/pw.short"
'

# What only a hand edit writes and jukisec-audit's biometric-or-exception
# FAILs is no recorded exception either: an approver who is no manager of
# this register (an id in form no row has, an operator's), instructions
# dated on a day that has begun nowhere (the day after tomorrow, UTC).
# The gate denies it as it denies a blank: register-row-damaged, the
# unknown id's answer, not counted; operator-list says "damaged"; a
# manager's row approved so admits no -b either.
test_expect_success 'a password row the audit FAILs (approver no manager, instructions ahead): denied, not counted' '
	cp "$D/operators.csv" reg.save && n=0 && f=$(field short failed) &&
	ahead=$(date -u -d "+2 days" +%F) &&
	cvs="approved_by:nobody approved_by:tanaka instructions_date:$ahead" &&
	set -- && for cv in $cvs; do set -- "$@" "short:$cv"; done &&
	regs reg.save reg.fa "$@" boss:approved_by:nobody &&
	damaged_each reg.fa $cvs &&
	test "$(field short failed)" = "$f" &&
	cp reg.fa.4 "$D/operators.csv" &&
	test_must_fail 1 operator-mod -d "$D" -b boss --by-password-fd 4 -i short \
	    -s S 4<"$TMP/pw.boss" 2>/dev/null &&
	last_is ",auth,boss,denied,method=password reason=register-row-damaged check=manager," &&
	cp reg.save "$D/operators.csv" &&
	auth short "$TMP/pw.short"
'

# The day of the instructions is judged where a day begins first, UTC+14:
# operator-add refuses a day after its own zone's today, and a manager
# east of the terminal writes a day that is theirs already; a new
# exception is not shut out for hours.  A day begun nowhere is a hand
# edit.  In a copy of the state, three days on (the gate's clock only
# moves forward).
test_expect_success 'an instructions date begun at UTC+14 admits, one begun nowhere does not' '
	rm -rf d2 && cp -a "$D" d2 &&
	x=$(date -u -d "+3 days" +%F) && next=$(date -u -d "$x +1 day" +%F) &&
	(D=$PWD/d2 && regcol short instructions_date "$next" &&
	 test_must_fail 1 at "${x}T09:59:59Z" auth short "$TMP/pw.short" 2>/dev/null &&
	 last_is ",-,auth,short,denied,method=password reason=register-row-damaged," &&
	 at "${x}T10:00:00Z" auth short "$TMP/pw.short" &&
	 last_is ",short,auth,short,ok,method=password reason=ok,")
'

test_expect_success 'an unknown id takes as long as a wrong password (dummy KDF)' '
	conf_set "$D" kdf_memory_kib 65536 && conf_set "$D" kdf_time 3 &&
	add_pw slow &&
	# the fastest of three alternated runs each: another process on the
	# cores slows one run, not the best of three
	unk=999999 wrong=999999 i=0 &&
	while [ $i -lt 3 ]; do
		t0=$(date +%s%N) &&
		test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>/dev/null &&
		t1=$(date +%s%N) &&
		test_must_fail 1 auth slow "$TMP/pw.wrong" 2>/dev/null &&
		t2=$(date +%s%N) || exit 1
		u=$(( (t1 - t0) / 1000000 )) w=$(( (t2 - t1) / 1000000 ))
		[ $u -lt $unk ] && unk=$u; [ $w -lt $wrong ] && wrong=$w
		i=$((i + 1))
	done &&
	echo "unknown ${unk} ms, wrong ${wrong} ms (best of 3)" &&
	test $((unk * 2)) -ge "$wrong" && test $((wrong * 2)) -ge "$unk" &&
	conf_set "$D" kdf_memory_kib 19456 && conf_set "$D" kdf_time 2
'

test_expect_success 'usage: -u required, bad id, bad fd' '
	test_must_fail 2 auth-check -d "$D" 2>/dev/null &&
	test_must_fail 2 auth-check -d "$D" -u "a b" --password-fd 0 </dev/null 2>/dev/null &&
	test_must_fail 2 auth-check -d "$D" -u x --password-fd -1 2>/dev/null &&
	test_must_fail 2 auth-check -d "$D" -u x --pam 2>/dev/null &&
	cp "$D/oplog.csv" log.before &&
	test_must_fail 2 auth-check -d "$D" --pam --password-fd 0 </dev/null 2>/dev/null &&
	test_must_fail 2 env -u PAM_USER auth-check -d "$D" --pam </dev/null 2>err &&
	one_line_matching err "^auth-check: --pam: PAM_USER is not set\$" &&
	test_must_fail 2 env PAM_USER= auth-check -d "$D" --pam </dev/null 2>/dev/null &&
	test_must_fail 2 auth-check -d "$D" -u "$(reps a 33)" \
	    --password-fd 0 </dev/null 2>err &&
	one_line_matching err "longer than 32 bytes" &&
	test_must_fail 2 env PAM_USER="a b" auth-check -d "$D" --pam </dev/null 2>err &&
	one_line_matching err "only A-Z a-z 0-9" &&
	test_must_fail 2 auth-check -d "$D" -u "" --password-fd 0 </dev/null 2>err &&
	one_line_matching err "^auth-check: -u: empty\$" &&
	test_must_fail 2 operator-add -d "$D" -b "" -i x -n X -m password --reason r \
	    --instructions-given 2026-01-01 2>err &&
	one_line_matching err "^operator-add: -b: empty\$" &&
	test_must_fail 2 operator-mod -d "$D" -b boss -i "" -s x 2>err &&
	one_line_matching err "^operator-mod: -i: empty\$" &&
	test_must_fail 2 operator-revoke -d "$D" -b "a b" -i x --reason r 2>err &&
	one_line_matching err "^operator-revoke: -b a b: only A-Z a-z 0-9 \\. _ - allowed\$" &&
	cmp log.before "$D/oplog.csv"
'

# N is a number as the pages write one: "00" or "+0" would read the
# password from standard input all the same, a descriptor not asked for.
test_expect_success '--password-fd N: decimal digits, no sign, no leading zero (else 2, nothing logged)' '
	cp "$D/oplog.csv" log.before &&
	for n in +0 00 -0 " 0" "0 " 0x0 1e0 99999999999999999999; do
		test_must_fail 2 auth-check -d "$D" -u tanaka --password-fd "$n" \
		    <"$TMP/pw.tanaka" 2>err &&
		grep -q "^auth-check: --password-fd: not a file descriptor (0-1023)\$" err &&
		test "$(grep -c "^auth-check:" err)" = 1 || return 1
	done &&
	cmp log.before "$D/oplog.csv" &&
	auth-check -d "$D" -u tanaka --password-fd 0 <"$TMP/pw.tanaka"
'

# A password typed where its descriptor goes (--password, getopt_long's
# abbreviation of --password-fd) is refused without being repeated: the
# line goes where standard error is kept (cron's mail, the journal).
test_expect_success '--password-fd PASSWORD: refused, the value not repeated' '
	cp "$D/oplog.csv" log.before &&
	test_must_fail 2 auth-check -d "$D" -u tanaka --password "Hunter-22x" 2>err &&
	test "$(head -n 1 err)" = "auth-check: --password-fd: not a file descriptor (0-1023)" &&
	! grep -q Hunter err &&
	test_must_fail 2 operator-mod -d "$D" -b boss --by-password=Hunter-22x \
	    -i tanaka -s x 2>err &&
	test "$(head -n 1 err)" = "operator-mod: --by-password-fd: not a file descriptor (0-1023)" &&
	! grep -q Hunter err && cmp log.before "$D/oplog.csv"
'

# A refused id or terminal name is named by where it came from: -u, -t,
# JUKISEC_TERMINAL, or with --pam PAM_USER, PAM_RHOST, PAM_TTY (whichever
# gave the terminal: -t before PAM_RHOST before PAM_TTY).  A name over 64
# bytes is refused, even a real host's (it would not fit the log's
# terminal field): exit 2, nothing logged.
test_expect_success 'a refused id or terminal name is named by its source, nothing logged' '
	long=$(reps a 70).example.jp && cp "$D/oplog.csv" log.before &&
	test_must_fail 2 env PAM_USER=ta/naka auth-check -d "$D" --pam </dev/null 2>err &&
	one_line_matching err "^auth-check: PAM_USER ta/naka: only A-Z a-z 0-9 \. _ - allowed\$" &&
	test_must_fail 2 env PAM_USER=tanaka PAM_RHOST=$long PAM_TTY=pts/4 \
	    auth-check -d "$D" --pam </dev/null 2>err &&
	one_line_matching err "^auth-check: PAM_RHOST: invalid terminal name: longer than 64 bytes\$" &&
	test_must_fail 2 env PAM_USER=tanaka PAM_TTY="$(printf "pts/4\033")" \
	    auth-check -d "$D" --pam </dev/null 2>err &&
	one_line_matching err "^auth-check: PAM_TTY: invalid terminal name: contains a control character\$" &&
	test_must_fail 2 env PAM_USER=tanaka PAM_RHOST=cs-term-3 \
	    auth-check -d "$D" --pam -t "$long" </dev/null 2>err &&
	one_line_matching err "^auth-check: -t: invalid terminal name: longer than 64 bytes\$" &&
	test_must_fail 2 auth tanaka "$TMP/pw.tanaka" -t "$long" 2>err &&
	one_line_matching err "^auth-check: -t: invalid terminal name: longer than 64 bytes\$" &&
	test_must_fail 2 env JUKISEC_TERMINAL=$long auth-check -d "$D" -u tanaka \
	    --password-fd 3 3<"$TMP/pw.tanaka" 2>err &&
	one_line_matching err "^auth-check: JUKISEC_TERMINAL: invalid terminal name: longer than 64 bytes\$" &&
	cmp log.before "$D/oplog.csv"
'

test_expect_success 'the clock is not an input: --now is refused, nothing logged' '
	printf "%s\n" pw >"$TMP/pw.any" && cp "$D/oplog.csv" log.before &&
	test_must_fail 2 auth tanaka "$TMP/pw.tanaka" --now 1970-01-01T00:00:00Z 2>err &&
	one_line_matching err "^auth-check: --now: the clock is not an input of this tool\$" &&
	test_must_fail 2 env PAM_USER=tanaka auth-check -d "$D" --pam \
	    --now 2020-01-01T00:00:00Z <"$TMP/pw.any" 2>err &&
	one_line_matching err "^auth-check: --now: the clock is not an input of this tool\$" &&
	cmp log.before "$D/oplog.csv"
'

test_expect_success 'no terminal and no descriptor: exit 3, nothing admitted' '
	test_must_fail 3 setsid auth-check -d "$D" -u tanaka </dev/null 2>err &&
	grep -q "no terminal" err
'

# A descriptor the password cannot be read from is named by the option
# that gave it, or as the standard input pam_exec gives (--pam): exit 3,
# nothing counted.  A closed one stays closed for the tool's own files
# (descriptor 3 would be the state directory's).
test_expect_success 'an unreadable descriptor: the option and the descriptor named, exit 3' '
	failed=$(field tanaka failed) &&
	test_must_fail 3 auth-check -d "$D" -u tanaka --password-fd 7 2>err &&
	one_line_matching err "^auth-check: --password-fd 7: Bad file descriptor\$" &&
	test_must_fail 3 auth-check -d "$D" -u tanaka --password-fd 3 3<&- 2>err &&
	one_line_matching err "^auth-check: --password-fd 3: Bad file descriptor\$" &&
	test_must_fail 3 auth-check -d "$D" -u tanaka --password-fd 5 5<"$D" 2>err &&
	one_line_matching err "^auth-check: --password-fd 5: Is a directory\$" &&
	test_must_fail 3 env PAM_USER=tanaka auth-check -d "$D" --pam <"$D" 2>err &&
	one_line_matching err "^auth-check: <stdin>: Is a directory\$" &&
	test_must_fail 3 env PAM_USER=tanaka auth-check -d "$D" --pam <&- 2>err &&
	one_line_matching err "^auth-check: <stdin>: Bad file descriptor\$" &&
	test "$(field tanaka failed)" = "$failed"
'

# A closed standard output or error given as the password's descriptor
# reads as a closed one, not as /dev/null's end of file: an empty
# password counted on every run of a script started so (a manager locked
# out by a cron job).  The one line goes to a standard error still open.
test_expect_success 'a closed stdout or stderr as --password-fd: Bad file descriptor, nothing counted' '
	failed=$(field tanaka failed) && lines=$(wc -l <"$D/oplog.csv") &&
	test_must_fail 3 auth-check -d "$D" -u tanaka --password-fd 1 >&- 2>err &&
	one_line_matching err "^auth-check: --password-fd 1: Bad file descriptor\$" &&
	{ auth-check -d "$D" -u tanaka --password-fd 2 2>&-; test $? = 3; } &&
	test "$(field tanaka failed)" = "$failed" &&
	test "$(wc -l <"$D/oplog.csv")" = "$lines"
'

# No stored password is longer than 1024 bytes (enrolment refuses one):
# a longer answer is a wrong one, and the attempt is logged and counted
# like every other (R5.2, R6), not turned away unrecorded.
test_expect_success 'a password over 1024 bytes: the one-line deny, logged, counted' '
	reps p 1025 >"$TMP/pw.long" &&
	failed=$(field tanaka failed) &&
	test_must_fail 1 auth tanaka "$TMP/pw.long" 2>err &&
	test_cmp "$TMP/denied.msg" err &&
	test "$(field tanaka failed)" = $((failed + 1)) &&
	test "$(log_count auth denied "reason=over-long-password")" = 1 &&
	unknown=$(log_count auth denied "reason=unknown-id") &&
	test_must_fail 1 auth nobody "$TMP/pw.long" 2>err &&
	test_cmp "$TMP/denied.msg" err &&
	test "$(log_count auth denied "reason=unknown-id")" = $((unknown + 1)) &&
	reps p 1024 >"$TMP/pw.1024" &&
	test_must_fail 1 auth tanaka "$TMP/pw.1024" 2>err &&
	test "$(log_count auth denied "reason=wrong-password")" -ge 1 &&
	test "$(log_count auth denied "reason=over-long-password")" = 1 &&
	auth tanaka "$TMP/pw.tanaka"
'

# "Nothing is read past PW_MAX bytes" (pwread.c): a descriptor that never
# ends its line, or never ends, is denied as an over-long password, not
# read for ever.  The timeout only catches the old behaviour.
test_expect_success 'a password stream that never ends: denied as over-long, not read for ever' '
	over=$(log_count auth denied "reason=over-long-password") &&
	{ yes p | tr -d "\n" | timeout 20 auth-check -d "$D" -u tanaka \
	    --password-fd 0 2>err; echo $? >rc; } &&
	test "$(cat rc)" = 1 &&
	test_cmp "$TMP/denied.msg" err &&
	test "$(log_count auth denied "reason=over-long-password")" = $((over + 1)) &&
	auth tanaka "$TMP/pw.tanaka"
'

# The line ends at LF, CR LF, NUL or the end of the input: a CR is dropped
# only as the CR of a CR LF; before a NUL or the end it is the password's.
test_expect_success 'a CR ends the password only before a line feed' '
	p=$(cat "$TMP/pw.tanaka") &&
	printf "%s\r\n" "$p" >pw.crlf && auth tanaka pw.crlf &&
	printf "%s\0" "$p" >pw.nul && auth tanaka pw.nul &&
	printf "%s" "$p" >pw.eof && auth tanaka pw.eof &&
	printf "%s\r" "$p" >pw.creof && test_must_fail 1 auth tanaka pw.creof 2>/dev/null &&
	printf "%s\r\0" "$p" >pw.crnul && test_must_fail 1 auth tanaka pw.crnul 2>/dev/null &&
	auth tanaka "$TMP/pw.tanaka"
'

# The longest password there is (1024 bytes) ends at a CR LF too: the CR
# in the byte past it is not yet a byte too many.  The same reader takes
# the new password of an enrolment (operator-mod --reset-password).
test_expect_success 'a 1024-byte password ended by CR LF: admitted, and set' '
	reps q 1024 >"$TMP/pw.max" && add_pw maxlen &&
	printf "%s\r\n" "$(cat "$TMP/pw.max")" >pw.maxcrlf &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i maxlen --reset-password \
	    --password-fd 3 3<pw.maxcrlf 4<"$TMP/pw.boss" &&
	auth maxlen pw.maxcrlf && auth maxlen "$TMP/pw.max" &&
	over=$(log_count auth denied "reason=over-long-password") &&
	printf "%s\r" "$(cat "$TMP/pw.max")" >pw.maxcr &&
	printf "%s\rx\n" "$(cat "$TMP/pw.max")" >pw.maxcrx &&
	printf "%s\r\0" "$(cat "$TMP/pw.max")" >pw.maxcrnul &&
	for f in pw.maxcr pw.maxcrx pw.maxcrnul; do
		test_must_fail 1 auth maxlen $f 2>err && test_cmp "$TMP/denied.msg" err ||
		exit 1
	done &&
	test "$(log_count auth denied "reason=over-long-password")" = $((over + 3)) &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i maxlen --unlock \
	    4<"$TMP/pw.boss" && auth maxlen pw.maxcrlf
'

test_expect_success 'a row gone while the KDF ran is a deny, never a default admit' '
	add_pw kato && cp "$D/operators.csv" reg.full &&
	grep -v "^kato," reg.full >reg.without && mkfifo pwpipe &&
	auth-check -d "$D" -u kato --password-fd 3 3<>pwpipe 2>err6 & pid=$!
	# it has read the register once it sleeps on the fifo
	i=0; until sleeping $pid; do
		i=$((i + 1)); test $i -lt 500 || exit 1; sleep 0.01
	done &&
	cp reg.without reg.tmp && chmod 600 reg.tmp && mv reg.tmp "$D/operators.csv"
	cat "$TMP/pw.kato" >pwpipe; wait $pid; rc=$?
	cp reg.full "$D/operators.csv" &&
	test $rc = 1 &&
	test "$(log_count auth denied "reason=unknown-id")" -ge 1 &&
	grep ",auth,kato," "$D/oplog.csv" | tail -1 | grep -q ",denied,"
'

# The same row checked again under the register lock that counts: an
# exception blanked while the password was typed admits no one.
test_expect_success 'an exception blanked while the KDF ran is a deny, never an admit' '
	cp "$D/operators.csv" reg.full && rm -f pwpipe && mkfifo pwpipe &&
	auth-check -d "$D" -u kato --password-fd 3 3<>pwpipe 2>err6 & pid=$!
	i=0; until sleeping $pid; do
		i=$((i + 1)); test $i -lt 500 || exit 1; sleep 0.01
	done &&
	cp reg.full reg.tmp && csv_set reg.tmp kato exception_reason "" &&
	chmod 600 reg.tmp && mv reg.tmp "$D/operators.csv"
	cat "$TMP/pw.kato" >pwpipe; wait $pid; rc=$?
	cp reg.full "$D/operators.csv" &&
	test $rc = 1 && test "$(field kato failed)" = 0 &&
	grep ",auth,kato," "$D/oplog.csv" | tail -1 |
	    grep -q ",-,auth,kato,denied,method=password reason=register-row-damaged,"
'

test_expect_success 'the log holds no password' '
	! grep -q -e secret-1 -e Not-The-Pw-42 "$D/oplog.csv"
'

# The register lock held by another process past lock_timeout_ms: the
# attempt cannot be counted (exit 3, nothing counted), but the log, a lock
# of its own, says so; for a manager's check too.  A lock file refused
# (not a lock we could wait for) leaves no record, as the page says.
test_expect_success 'the register lock held too long: exit 3, logged register-busy, not counted' '
	conf_set "$D" lock_timeout_ms 200 &&
	before=$(field tanaka failed) || exit 1
	( flock 9 && : >held && exec sleep 5 ) 9>>"$D/register.lock" & holder=$!
	i=0; until test -e held; do i=$((i + 1)); test $i -lt 200 || exit 1; sleep 0.02; done &&
	test_must_fail 3 auth tanaka "$TMP/pw.wrong" 2>err &&
	one_line_matching err "^auth-check: lock timeout: $D/register.lock\$" &&
	tail -n 1 "$D/oplog.csv" | grep -q ",-,auth,tanaka,error,method=password reason=register-busy," &&
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -s X 4<"$TMP/pw.boss" 2>err &&
	tail -n 1 "$D/oplog.csv" | grep -q ",-,auth,boss,error,method=password reason=register-busy check=manager," &&
	test_must_fail 3 incident-report new -d "$D" -b boss --by-password-fd 4 \
	    --type other --cause other --summary busy 4<"$TMP/pw.boss" 2>err &&
	tail -n 1 "$D/oplog.csv" | grep -q ",-,auth,boss,error,method=password reason=register-busy check=manager,"
	st=$?
	kill $holder; wait $holder; rm -f held
	test $st = 0 &&
	test "$(field tanaka failed)" = "$before" &&
	conf_set "$D" lock_timeout_ms 10000
'

# The log's lock held past lock_timeout_ms: the attempt cannot be
# recorded, said once, in the lock's words, by auth-check and every tool
# a manager's -b reaches (operator-add's own record of the attempt is not
# waited for again); nothing counted or logged.
test_expect_success 'the log lock held too long: exit 3, one line from every tool, not counted' '
	conf_set "$D" lock_timeout_ms 200 &&
	cp "$D/operators.csv" reg.before && cp "$D/oplog.csv" log.before || exit 1
	( flock 9 && : >held && exec sleep 30 ) 9>>"$D/oplog.lock" & holder=$!
	i=0; until test -e held; do i=$((i + 1)); test $i -lt 200 || exit 1; sleep 0.02; done &&
	test_must_fail 3 auth tanaka "$TMP/pw.wrong" 2>err &&
	one_line_matching err "^auth-check: lock timeout: $D/oplog.lock\$" &&
	by_tools_one_line "^[a-z-]+: lock timeout: $D/oplog.lock\$"
	st=$?
	kill $holder; wait $holder; rm -f held
	test $st = 0 &&
	cmp reg.before "$D/operators.csv" && cmp log.before "$D/oplog.csv" &&
	conf_set "$D" lock_timeout_ms 10000
'

# A log file that writers refuse (the lock, head or key open to others)
# is found before the register is written: exit 3 with the file's one
# line, nothing counted and nothing logged.  Counted, a wrong password
# would raise the count to a lock and a right one reset it: the register
# would tell a right guess from a wrong one with no record of either.
for f in oplog.lock oplog.head oplog.key; do
test_expect_success "a refused $f: exit 3, one line, nothing counted or logged" '
	test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	cp "$D/operators.csv" reg.before && cp "$D/oplog.csv" log.before &&
	mode=$(stat -c %a "$D/'$f'") && chmod 602 "$D/'$f'" || exit 1
	st=0
	for p in wrong wrong tanaka; do
		test_must_fail 3 auth tanaka "$TMP/pw.$p" 2>err &&
		one_line_matching err "^auth-check: $D/'$f': not owned by us or root, or open to others: refused\$" &&
		cmp reg.before "$D/operators.csv" || { st=1; break; }
	done
	chmod "$mode" "$D/'$f'"
	test $st = 0 && cmp log.before "$D/oplog.csv" &&
	test "$(field tanaka failed)" = 1 && test "$(field tanaka locked)" = no &&
	auth tanaka "$TMP/pw.tanaka"
'
done

# How long a denial takes must not tell a registered id from an unknown
# one (auth-check(1), pam_jukisec(8)): a known id's count writes its note
# and the register before its record, and an attempt with no row to count
# does the same disk work on files no tool reads.  strace -c counts the
# syncs and renames of each (the threshold raised, so none locks).
# syncs ID PWFILE: "N fsync N fdatasync N rename" of one denied attempt.
syncs() {
	strace -f -c -o "$TMP/sc" -e trace=fsync,fdatasync,renameat,renameat2,rename \
	    auth-check -d "$D" -u "$1" --password-fd 3 3<"$2" 2>/dev/null
	test $? = 1 || return 1
	awk '$NF ~ /^(fsync|fdatasync|rename|renameat|renameat2)$/ {
		n[$NF == "fsync" || $NF == "fdatasync" ? $NF : "rename"] += $4 }
	END { printf "%d fsync %d fdatasync %d rename\n",
		n["fsync"], n["fdatasync"], n["rename"] }' "$TMP/sc"
}
test_expect_success STRACE 'a denial does the same syncs and renames for a known and an unknown id' '
	conf_set "$D" lockout_threshold 100 &&
	known=$(syncs tanaka "$TMP/pw.wrong") && unknown=$(syncs nobody "$TMP/pw.wrong") &&
	empty=$(syncs nobody /dev/null) && kempty=$(syncs tanaka /dev/null) &&
	echo "known: $known; unknown: $unknown; empty: $kempty / $empty" >&2 &&
	test "$known" = "$unknown" && test "$kempty" = "$empty" &&
	test "$known" != "0 fsync 0 fdatasync 0 rename" &&
	auth tanaka "$TMP/pw.tanaka" && conf_set "$D" lockout_threshold 5
'

test_done
