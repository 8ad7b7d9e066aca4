#!/bin/sh
# pam_jukisec.so behind a real PAM stack (R5.2-R5.4 at the login prompt):
# a service in a private configuration directory under $TMP, driven by
# tests/pamclient (pam_start_confdir) and by pamtester in a private mount
# namespace.  No test writes into /etc/pam.d.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/fplib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-ja.sh"

PC=$JUKISEC_BUILD/tests/pamclient
MOD=$JUKISEC_BUILD/pam_jukisec.so
# tests/pamclient and lib.sh's prerequisites come with the test
# infrastructure; a tree without them says so instead of failing.
if [ ! -x "$PC" ] || ! command -v test_lazy_prereq >/dev/null 2>&1; then
	echo "1..0 # skip needs tests/pamclient and test_lazy_prereq (test infrastructure)"
	exit 0
fi

# An ASan build of the module loads only into an ASan host (pamclient of
# the same build), not into the system's pamtester; and that host, its
# shadow memory reserved, does not start under a low ulimit -v.
test_lazy_prereq NOSAN '
	! nm -D "$MOD" | grep -q " U __asan" ||
	    { echo "the module is an ASan build: pamtester cannot load it"; exit 1; }'

# service NAME LINES...: $TMP/pam.d/NAME, one line each, "MOD" standing
# for the module's path.
service() {
	_s=$1; shift
	mkdir -p -m 700 "$TMP/pam.d" &&
	printf '%s\n' "$@" | sed "s|MOD|$MOD|" >"$TMP/pam.d/$_s"
}

# pc USER FILE [pamclient args] [-- SERVICE]: through service "svc" (the
# answers from FILE on descriptor 3); the report in $TMP/pc.out, stderr
# in $TMP/pc.err.
pc() {
	_u=$1 _f=$2; shift 2
	"$PC" -c "$TMP/pam.d" -i 3 "$@" "${SVC:-svc}" "$_u" 3<"$_f" \
	    >"$TMP/pc.out" 2>"$TMP/pc.err"
}

# said LINE: pamclient printed exactly LINE.
said() {
	grep -qxF -- "$1" "$TMP/pc.out" ||
	    { echo "no '$1' in:" >&2; cat "$TMP/pc.out" >&2; return 1; }
}

UNAVAIL="authentication is not available now: see the Security Manager"

# quiet: the module printed nothing on the host's stderr.
quiet() {
	test ! -s "$TMP/pc.err" || { cat "$TMP/pc.err" >&2; return 1; }
}

test_expect_success 'make builds the module; it exports only the PAM entry points' '
	test -f "$MOD" &&
	nm -D --defined-only "$MOD" | awk "{print \$3}" | sort >syms &&
	printf "%s\n" pam_sm_acct_mgmt pam_sm_authenticate pam_sm_setcred >want &&
	test_cmp want syms
'

test_expect_success 'set up: a manager, two password operators, the service of examples/pam' '
	reg_state && bootstrap && add_pw tanaka && add_pw sato &&
	pw wrong Not-The-Pw-42 && mkdir -m 700 "$TMP/pam.d" &&
	sed "s|pam_jukisec.so|$MOD dir=$D terminal=cs-term-1|" \
	    "$SRCDIR/examples/pam/pam_jukisec" >"$TMP/pam.d/svc" &&
	test "$(grep -c "^[a-z].*$MOD dir=" "$TMP/pam.d/svc")" = 2
'

test_expect_success 'right password: PAM_SUCCESS after one localised prompt; the host untouched' '
	pc tanaka "$TMP/pw.tanaka" -s -a -t pts/4 -r cs-term-9.example &&
	said "pam_authenticate PAM_SUCCESS" && said "pam_acct_mgmt PAM_SUCCESS" &&
	test "$(grep -c "^PROMPT_ECHO_OFF " "$TMP/pc.out")" = 1 &&
	said "PROMPT_ECHO_OFF Password for tanaka: " &&
	! grep "^state " "$TMP/pc.out" && quiet &&
	tail -1 "$D/oplog.csv" | grep -q ",cs-term-1,tanaka,auth,tanaka,ok,method=password reason=ok tty=pts/4 rhost=cs-term-9.example,"
'

test_expect_success 'tty and rhost are escaped into the detail: no forged key, no control byte' '
	pc tanaka "$TMP/pw.tanaka" -t "$(printf "pts/1\033[2J")" -r "x reason=ok" &&
	tail -1 "$D/oplog.csv" |
	    grep -qF "reason=ok tty=pts/1\\x1b[2J rhost=x\\x20reason\\x3dok," &&
	log-verify -d "$D" --key-file "$D.key" >/dev/null
'

# At most 200 bytes of each, cut before a character it would split (the
# first bytes of one would be escaped as bytes that are not UTF-8), then
# escaped: the word grows by three bytes for each byte escaped.
test_expect_success 'tty and rhost: 200 bytes, never half a character, then escaped' '
	e=$(printf "\303\251") && t=a$(i=0; while [ $i -lt 100 ]; do printf %s "$e"; i=$((i + 1)); done) &&
	sp=$(printf "%100s" "") &&
	pc tanaka "$TMP/pw.tanaka" -t "$t" -r "$sp" &&
	want=" tty=${t%$e} rhost=$(printf "%100s" "" | sed "s/ /\\\\x20/g")," &&
	tail -1 "$D/oplog.csv" | grep -qF "$want" &&
	log-verify -d "$D" --key-file "$D.key" >/dev/null
'

# Bytes that are not UTF-8 are no character to keep whole: the cut stays
# at 200 bytes (it used to back over every stray continuation byte, to an
# empty value).
test_expect_success 'tty and rhost: bytes that are not UTF-8 are cut at 200' '
	x=$(printf "\\200") &&
	t=$(i=0; while [ $i -lt 300 ]; do printf "\\200"; i=$((i + 1)); done) &&
	a=$(printf "%199s" "" | tr " " a) &&
	pc tanaka "$TMP/pw.tanaka" -t "$t" -r "$a$t" &&
	want=" tty=$(printf "%200s" "" | sed "s/ /\\\\x80/g") rhost=$a\\x80," &&
	tail -1 "$D/oplog.csv" | grep -qF "$want" &&
	log-verify -d "$D" --key-file "$D.key" >/dev/null
'

test_expect_success 'wrong password: PAM_AUTH_ERR, one message, counted and logged' '
	test_must_fail 7 pc tanaka "$TMP/pw.wrong" -s &&
	said "pam_authenticate PAM_AUTH_ERR" &&
	said "ERROR_MSG authentication denied" && ! grep "^state " "$TMP/pc.out" &&
	quiet && test "$(field tanaka failed)" = 1 &&
	test "$(log_count auth denied wrong-password)" = 1
'

test_expect_success 'unknown person: the same prompt and message as a wrong password' '
	sed "s/tanaka/nobody/" "$TMP/pc.out" >want &&
	test_must_fail 7 pc nobody "$TMP/pw.wrong" -s &&
	test_cmp want "$TMP/pc.out" && quiet &&
	test "$(log_count auth denied unknown-id)" = 1 &&
	test_must_fail 7 pc "bad/id" "$TMP/pw.wrong" && said "ERROR_MSG authentication denied"
'

test_expect_success 'an over-long password: PAM_AUTH_ERR, the same message, counted and logged' '
	python3 -c "print(\"p\" * 1025)" >"$TMP/pw.long" &&
	test_must_fail 7 pc sato "$TMP/pw.long" -s &&
	said "pam_authenticate PAM_AUTH_ERR" &&
	said "ERROR_MSG authentication denied" &&
	quiet && test "$(field sato failed)" = 1 &&
	test "$(log_count auth denied over-long-password)" = 1
'

test_expect_success 'locked: PAM_MAXTRIES with the message to see the Security Manager' '
	for i in 2 3 4; do pc tanaka "$TMP/pw.wrong"; test $? = 7 || exit 1; done &&
	test_must_fail 11 pc tanaka "$TMP/pw.wrong" &&
	said "ERROR_MSG tanaka is locked out: see the Security Manager" &&
	test_must_fail 11 pc tanaka "$TMP/pw.tanaka" -s &&
	said "pam_authenticate PAM_MAXTRIES" && ! grep "^state " "$TMP/pc.out" &&
	test "$(log_count auth locked reason=locked)" = 1 && quiet
'

test_expect_success 'locked: the account stack alone says PAM_PERM_DENIED' '
	test_must_fail 6 pc tanaka /dev/null -A &&
	said "pam_acct_mgmt PAM_PERM_DENIED" &&
	said "ERROR_MSG tanaka is locked out: see the Security Manager"
'

test_expect_success 'unlocked by the manager: PAM_SUCCESS again, account too' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -u 4<"$TMP/pw.boss" &&
	pc tanaka "$TMP/pw.tanaka" -a && said "pam_acct_mgmt PAM_SUCCESS"
'

test_expect_success 'revoked: auth PAM_AUTH_ERR, account PAM_ACCT_EXPIRED' '
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i sato --reason transfer \
	    4<"$TMP/pw.boss" &&
	test_must_fail 7 pc sato "$TMP/pw.sato" && said "ERROR_MSG authentication denied" &&
	test "$(log_count auth denied reason=revoked)" = 1 &&
	test_must_fail 13 pc sato /dev/null -A && said "pam_acct_mgmt PAM_ACCT_EXPIRED" &&
	said "ERROR_MSG sato may no longer operate this terminal (revoked or expired): see the Security Manager"
'

test_expect_success 'unknown person: the account stack says PAM_USER_UNKNOWN' '
	test_must_fail 10 pc nobody /dev/null -A && said "pam_acct_mgmt PAM_USER_UNKNOWN"
'

# A host inherits its caller's descriptor limit (su, a setuid host, is
# started by the user), and the module runs the gate's code: one
# descriptor short, tanaka's hash could not be read and the module
# answered without asking for a password, where sato (revoked) and
# nobody were asked.  Under every limit, and with the host's descriptors
# left open under an ample one: the same conversation and result for a
# registered id, a revoked one, an unknown one and one no register can
# hold (which is not logged), recorded alike, the host's stderr the same.
# A long-lived host (a screen locker, a display manager) starts and ends a
# PAM transaction per login, and pam_end unloads the module and with it
# libgcrypt; loaded again, it found libgcrypt new and locked another 64 KiB
# pool, never freed: under RLIMIT_MEMLOCK every login then failed.
test_expect_success 'a long-lived host: 40 transactions in one process keep one locked pool' '
	pc tanaka /dev/null -A -n 40 && said "pam_acct_mgmt PAM_SUCCESS" &&
	locked=$(sed -n "s/^locked \([0-9]*\) kB\$/\1/p" "$TMP/pc.out") &&
	test -n "$locked" && test "$locked" -le 128 ||
	    { echo "locked: $locked kB" >&2; exit 1; }
'

# same_answers: the answers of a limit (raw.tanaka, raw.sato, raw.nobody,
# raw.bad: the status, the conversation, the host's stderr, then how many
# records, bad/id's not logged), each id read as ID, compared in one awk
# (a sed and a diff each took a dozen processes a limit): all alike,
# bad/id's without the count, and no path of the state directory told.
# Exit 10 when alike and refused before any prompt ("not available"),
# 0 when alike otherwise, 1 (both shown) when they differ.
same_answers() {
	awk -v D="$D" -v un="ERROR_MSG $UNAVAIL" '
	FNR == 1 { k = substr(FILENAME, 5); id = k == "bad" ? "bad/id" : k; o[k] = "" }
	{	l = $0; t = ""
		while ((i = index(l, id)) > 0) {
			t = t substr(l, 1, i - 1) "ID"; l = substr(l, i + length(id))
		}
		o[k] = o[k] t l "\n"
	}
	END {
		nl = o["tanaka"]; sub(/[^\n]*\n$/, "", nl)
		if (o["tanaka"] != o["sato"] || o["tanaka"] != o["nobody"] ||
		    nl != o["bad"] || index(o["tanaka"], D)) {
			for (k in o) printf "--- %s\n%s", k, o[k] >"/dev/stderr"
			exit 1
		}
		n = split(o["tanaka"], x, "\n"); u = 0
		for (i = 1; i <= n; i++) {
			if (x[i] == un) u = 1
			if (x[i] ~ /PROMPT/) exit 0
		}
		exit u ? 10 : 0
	}' raw.tanaka raw.sato raw.nobody raw.bad
}

# reset: after a limit, tanaka's count back at 0 for the next (five wrong
# passwords in a row lock tanaka out, and a locked id answers otherwise).
# Only a limit under which a record was written can have moved it: the
# right password, admitted, puts it back.  Where nothing was written (most
# limits) nothing may have changed either: the register, tanaka's hash,
# the log and its head are as the last admission left them and no
# temporary file is left, which takes no KDF run, and
# neither does counted: the count and the log are as when it last held.
reset() {
	if [ "$l" != "$l0" ]; then
		pc tanaka "$TMP/pw.tanaka" && l=$(wc -l <"$D/oplog.csv") &&
		ok_save tanaka
	else
		ok_same tanaka
	fi
}

test_expect_success 'ulimit -n, descriptors left open: the same conversation for a registered id and an unknown one' '
	l= && l0=x && reset && seen=0 &&
	for nf in $(fd_limits); do
		l0=$l
		for u in tanaka sato nobody bad/id; do
			r=0 &&
			fds_free ${nf%:*} ${nf#*:} "$PC" -c "$TMP/pam.d" -i 3 svc "$u" \
			    3<"$TMP/pw.wrong" >"$TMP/pc.out" 2>"$TMP/pc.err" || r=$?
			w=$(wc -l <"$D/oplog.csv") && w=$((w - l)) && l=$((l + w)) &&
			{ echo "status $r"; cat "$TMP/pc.out" "$TMP/pc.err"
			  case $u in bad/id) ;; *) echo "$w records" ;; esac
			} >"raw.${u%/*}"
		done
		a=0; same_answers || a=$?
		{ [ $a = 0 ] || [ $a = 10 ]; } && { [ "$l" = "$l0" ] || counted tanaka; } ||
		    { echo "ulimit -n ${nf%:*}, ${nf#*:} free" >&2; exit 1; }
		if [ $a = 10 ]; then
			seen=$((seen + 1))
		fi
		reset || exit 1
	done &&
	test $seen -ge 2
'

# A host inherits its caller's address-space limit too, under which the
# KDF's kdf_memory_kib (19,456 here) cannot be had: the gate's operational
# failure for a registered id and an unknown one alike, the memory shown
# before anything is decided, the empty and over-long password included.
# An id no register can hold was asked and denied (its dummy derivation's
# failure ignored): PAM_AUTH_ERR where every id the gate runs got
# PAM_AUTHINFO_UNAVAIL, an answer that told the id's form.  Now the same
# prompt, message and result, recorded as the gate records (an id no
# register can hold is not logged), nothing counted.
test_expect_success NOSAN 'ulimit -v under the KDF'"'"'s memory: PAM_AUTHINFO_UNAVAIL for every id and password alike' '
	pw empty "" && python3 -c "print(\"p\" * 1025)" >"$TMP/pw.over" &&
	n=$(field tanaka failed) && e=$(log_count auth error reason=kdf-failed) &&
	for p in wrong empty over; do
		for u in tanaka nobody bad/id; do
			r=0 &&
			(ulimit -v 25000 && exec "$PC" -c "$TMP/pam.d" -i 3 svc "$u" \
			    3<"$TMP/pw.$p" >"$TMP/pc.out" 2>"$TMP/pc.err") || r=$?
			{ echo "status $r"; cat "$TMP/pc.out" "$TMP/pc.err"; } |
			    sed "s|$u|ID|g" >"ans.${u%/*}"
		done
		test_cmp ans.tanaka ans.nobody && test_cmp ans.tanaka ans.bad &&
		grep -qx "status 9" ans.tanaka &&
		grep -qx "ERROR_MSG $UNAVAIL" ans.tanaka &&
		grep -qx "pam_authenticate PAM_AUTHINFO_UNAVAIL" ans.tanaka ||
		    { echo "password $p:" >&2; cat ans.tanaka ans.bad >&2; exit 1; }
	done &&
	test "$(field tanaka failed)" = "$n" &&
	test "$(log_count auth error reason=kdf-failed)" = $((e + 6)) &&
	! grep -q ",auth,bad/id," "$D/oplog.csv" &&
	pc tanaka "$TMP/pw.tanaka" && said "pam_authenticate PAM_SUCCESS"
'

# A hash stored under a higher cost than jukisec.conf's now has (lowered
# since) asked for its own memory, an unknown id's dummy for conf's: under
# a limit between the two, tanaka got PAM_AUTHINFO_UNAVAIL and nobody
# PAM_AUTH_ERR.  Every attempt now asks for the most any stored hash or
# conf asks for: the same answer for every id.
test_expect_success NOSAN 'a hash costlier than jukisec.conf under ulimit -v: the same answer for every id' '
	conf_set "$D" kdf_memory_kib 65536 && pc tanaka "$TMP/pw.tanaka" &&
	grep -q "m=65536," "$D/credentials/tanaka.phc" &&
	conf_set "$D" kdf_memory_kib 19456 &&
	for u in tanaka nobody bad/id; do
		r=0 &&
		(ulimit -v 50000 && exec "$PC" -c "$TMP/pam.d" -i 3 svc "$u" \
		    3<"$TMP/pw.wrong" >"$TMP/pc.out" 2>"$TMP/pc.err") || r=$?
		{ echo "status $r"; cat "$TMP/pc.out" "$TMP/pc.err"; } |
		    sed "s|$u|ID|g" >"ans.${u%/*}"
	done &&
	test_cmp ans.tanaka ans.nobody && test_cmp ans.tanaka ans.bad &&
	grep -qx "pam_authenticate PAM_AUTHINFO_UNAVAIL" ans.tanaka &&
	pc tanaka "$TMP/pw.tanaka" && grep -q "m=19456," "$D/credentials/tanaka.phc"
'

# "fewer than 16 file descriptors are free below the host's limit"
# (pam_jukisec(8)) is PAM_AUTHINFO_UNAVAIL: 16 counted from the host's
# side, the state directory's descriptor the module opens among them.
# The probe took 16 beyond it, so a host with 16 free was refused.  At
# the edge, the host holding 0 to 3 (3 its answers): a limit of 20
# admits, 19 is refused before any prompt, for every id alike.
test_expect_success 'exactly 16 free descriptors in the host: admitted; 15: refused before any prompt' '
	fds_at 20 "$PC" -c "$TMP/pam.d" -i 3 svc tanaka 3<"$TMP/pw.tanaka" \
	    >"$TMP/pc.out" 2>"$TMP/pc.err" && said "pam_authenticate PAM_SUCCESS" &&
	for u in tanaka:tanaka tanaka:wrong nobody:wrong; do
		r=0 && fds_at 19 "$PC" -c "$TMP/pam.d" -i 3 svc ${u%%:*} \
		    3<"$TMP/pw.${u#*:}" \
		    >"$TMP/pc.out" 2>"$TMP/pc.err" || r=$?
		test $r = 9 && said "ERROR_MSG $UNAVAIL" &&
		! grep -q PROMPT "$TMP/pc.out" || { echo "$u: status $r" >&2; exit 1; }
	done
'

# A method that does not read back is no method (operator-mod(1), "The
# register's damaged values"), not its stand-in, password: the password
# the row had admits nobody, in either stack, and the warning about the
# row is the module's to log, never the host's stderr.
test_expect_success 'a method that does not read back: auth and account admit nobody' '
	add_pw kudo && regcol kudo method zz &&
	test_must_fail 7 pc kudo "$TMP/pw.kudo" -s &&
	said "pam_authenticate PAM_AUTH_ERR" &&
	said "ERROR_MSG authentication denied" && quiet &&
	test "$(log_count auth denied reason=register-row-damaged)" = 1 &&
	! grep -q ",auth,kudo,ok," "$D/oplog.csv" &&
	test_must_fail 6 pc kudo /dev/null -A &&
	said "pam_acct_mgmt PAM_PERM_DENIED" && quiet &&
	pc tanaka "$TMP/pw.tanaka" -a && said "pam_acct_mgmt PAM_SUCCESS"
'

# A password row that records no exception (its reason, approver or
# instructions date blank) admits nobody either, in either stack: the
# gate's register-row-damaged, as jukisec-audit FAILs it.
test_expect_success 'a password row that records no exception: auth and account admit nobody' '
	add_pw ito && regcol ito exception_reason "" &&
	test_must_fail 7 pc ito "$TMP/pw.ito" -s &&
	said "pam_authenticate PAM_AUTH_ERR" &&
	said "ERROR_MSG authentication denied" && quiet &&
	tail -1 "$D/oplog.csv" | grep -q ",-,auth,ito,denied,method=password reason=register-row-damaged" &&
	test_must_fail 6 pc ito /dev/null -A &&
	said "pam_acct_mgmt PAM_PERM_DENIED" && quiet
'

# So does one whose exception the audit FAILs for what only a hand edit
# writes: an approver who is no manager of the register, instructions
# dated on a day begun nowhere yet (auth-check(1)).
test_expect_success 'an exception approved by no manager, or instructed the day after tomorrow: auth and account admit nobody' '
	regcol ito exception_reason "injured finger" &&
	for cv in approved_by=nobody approved_by=tanaka \
	    instructions_date=$(date -u -d "+2 days" +%F); do
		cp "$D/operators.csv" reg.keep &&
		regcol ito "${cv%%=*}" "${cv#*=}" &&
		test_must_fail 7 pc ito "$TMP/pw.ito" -s &&
		said "pam_authenticate PAM_AUTH_ERR" &&
		tail -1 "$D/oplog.csv" | grep -q ",-,auth,ito,denied,method=password reason=register-row-damaged" &&
		test_must_fail 6 pc ito /dev/null -A &&
		said "pam_acct_mgmt PAM_PERM_DENIED" &&
		cp reg.keep "$D/operators.csv" || { echo "$cv" >&2; return 1; }
	done &&
	pc ito "$TMP/pw.ito" -a && said "pam_acct_mgmt PAM_SUCCESS"
'

test_expect_success 'PAM_SILENT: no message, the same codes' '
	test_must_fail 7 pc tanaka "$TMP/pw.wrong" -q &&
	! grep -q "^ERROR_MSG" "$TMP/pc.out" &&
	pc tanaka "$TMP/pw.tanaka" -q
'

test_expect_success 'no answer to the prompt: PAM_CONV_ERR, nothing admitted' '
	test_must_fail 19 pc tanaka /dev/null && said "pam_authenticate PAM_CONV_ERR"
'

test_expect_success 'a state directory that cannot be used: PAM_AUTHINFO_UNAVAIL, nothing on stderr' '
	service bad "auth required MOD dir=$TMP/nostate" \
	    "account required MOD dir=$TMP/nostate" &&
	SVC=bad test_must_fail 9 pc tanaka "$TMP/pw.tanaka" -s &&
	said "pam_authenticate PAM_AUTHINFO_UNAVAIL" && quiet &&
	said "ERROR_MSG $UNAVAIL" &&
	! grep "^state " "$TMP/pc.out" &&
	! grep -q "^PROMPT" "$TMP/pc.out" &&
	SVC=bad test_must_fail 9 pc tanaka /dev/null -A && said "ERROR_MSG $UNAVAIL"
'

# A broken state is an error the module gets back as a value (store.h
# st->err): the person is told the module's line, the cause goes to
# syslog, the host's stderr gets nothing, and no one is admitted.
test_expect_success 'an unsafe register file: told by the module, not on stderr; fail closed' '
	n=$(grep -c ",auth," "$D/oplog.csv") &&
	chmod g+w "$D/operators.csv" &&
	{ pc tanaka "$TMP/pw.tanaka" -s; r=$?; cp "$TMP/pc.out" auth.out;
	  cp "$TMP/pc.err" auth.err; pc tanaka /dev/null -A; ra=$?;
	  chmod g-w "$D/operators.csv"; } &&
	test $ra = 9 && said "pam_acct_mgmt PAM_AUTHINFO_UNAVAIL" &&
	said "ERROR_MSG $UNAVAIL" && quiet &&
	mv auth.out "$TMP/pc.out" && mv auth.err "$TMP/pc.err" && test $r = 9 &&
	said "pam_authenticate PAM_AUTHINFO_UNAVAIL" && said "ERROR_MSG $UNAVAIL" &&
	quiet && ! grep "^state " "$TMP/pc.out" &&
	test "$(grep -c ",auth," "$D/oplog.csv")" = "$n"
'

# The note of a register change (operators.pending) is read through the
# same error target: one the module refuses is told the same way.
test_expect_success 'an unsafe operators.pending: told by the module, not on stderr; fail closed' '
	n=$(grep -c ",auth," "$D/oplog.csv") &&
	printf "x\n" >"$D/operators.pending" && chmod 666 "$D/operators.pending" &&
	{ pc tanaka "$TMP/pw.tanaka" -s; r=$?; rm -f "$D/operators.pending"; } &&
	test $r = 9 && said "pam_authenticate PAM_AUTHINFO_UNAVAIL" &&
	said "ERROR_MSG $UNAVAIL" && quiet &&
	test "$(grep -c ",auth," "$D/oplog.csv")" = "$n"
'

# The register lock held by another process past lock_timeout_ms: the
# attempt cannot be counted, so not admitted; the module says the line
# of an unusable state, and the log has the attempt (reason register-busy).
test_expect_success 'the register lock held too long: PAM_AUTHINFO_UNAVAIL, logged register-busy' '
	conf_set "$D" lock_timeout_ms 200 &&
	n=$(field tanaka failed) || exit 1
	( flock 9 && : >held && exec sleep 5 ) 9>>"$D/register.lock" & holder=$!
	i=0; until test -e held; do i=$((i + 1)); test $i -lt 200 || exit 1; sleep 0.02; done
	pc tanaka "$TMP/pw.tanaka" -s; r=$?
	kill $holder; wait $holder; rm -f held
	conf_set "$D" lock_timeout_ms 10000 &&
	test $r = 9 && said "pam_authenticate PAM_AUTHINFO_UNAVAIL" &&
	said "ERROR_MSG $UNAVAIL" && quiet && ! grep "^state " "$TMP/pc.out" &&
	tail -1 "$D/oplog.csv" | grep -q ",-,auth,tanaka,error,method=password reason=register-busy" &&
	test "$(field tanaka failed)" = "$n"
'

# ro_pc USER FILE ARGS...: pc with the log read-only (a bind mount in a
# mount namespace of its own): the decision cannot be recorded.
ro_pc() {
	_u=$1 _f=$2; shift 2
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$1" &&
		mount -o remount,bind,ro "$1" && shift && exec "$@"' sh \
	    "$D/oplog.csv" "$PC" -c "$TMP/pam.d" -i 3 "$@" svc "$_u" 3<"$_f" \
	    >"$TMP/pc.out" 2>"$TMP/pc.err"
}

# Nor counted: a wrong password would raise the count, a right one reset
# it, which would tell them apart with no record.
test_expect_success MOUNTNS 'a log that cannot be written: no password admitted or counted, told by the module' '
	test_must_fail 7 pc tanaka "$TMP/pw.wrong" &&
	cp "$D/operators.csv" reg.before && cp "$D/oplog.csv" log.before &&
	test_must_fail 9 ro_pc tanaka "$TMP/pw.wrong" -s &&
	said "pam_authenticate PAM_AUTHINFO_UNAVAIL" && said "ERROR_MSG $UNAVAIL" &&
	quiet && cmp reg.before "$D/operators.csv" &&
	test_must_fail 9 ro_pc tanaka "$TMP/pw.tanaka" -s &&
	said "pam_authenticate PAM_AUTHINFO_UNAVAIL" && said "ERROR_MSG $UNAVAIL" &&
	quiet && ! grep "^state " "$TMP/pc.out" &&
	cmp reg.before "$D/operators.csv" && cmp log.before "$D/oplog.csv" &&
	pc tanaka "$TMP/pw.tanaka" && test "$(field tanaka failed)" = 0
'

# An id no register can hold ("bad/id") is answered as an unknown id is,
# in every state the gate cannot decide, count or log an attempt in: it
# was asked and denied (PAM_AUTH_ERR) where an unknown id got
# PAM_AUTHINFO_UNAVAIL, an answer that told the id's form exactly when
# the terminal was broken.  The account stack alike: it answered
# PAM_USER_UNKNOWN before it read anything, where an unknown id got
# PAM_AUTHINFO_UNAVAIL from a state that cannot be read (it writes
# nothing without a note to settle: a log it could not write, a lock
# held or a full disk leave it answering by the register, 10).  alike
# AUTH ACCT [WRAP...]: nobody and bad/id, each run as WRAP... pamclient
# (WRAP builds the state for the one run), through the auth stack, then
# the account stack alone, with the same status (AUTH, ACCT),
# conversation and host stderr, the id read as ID (ans.nobody, ans.bad;
# acct.nobody, acct.bad); bad/id never in the log.
alike() {
	_want=$1 _acct=$2; shift 2
	for _u in nobody bad/id; do
		for _k in ans acct; do
			_r=0
			"$@" "$PC" -c "$TMP/pam.d" -i 3 $([ $_k = acct ] && echo -A) \
			    svc "$_u" 3<"$TMP/pw.wrong" >"$TMP/pc.out" 2>"$TMP/pc.err" ||
			    _r=$?
			{ echo "status $_r"; cat "$TMP/pc.out" "$TMP/pc.err"; } |
			    sed "s|$_u|ID|g" >"$_k.${_u%/*}"
		done
	done
	test_cmp ans.nobody ans.bad && grep -qx "status $_want" ans.nobody &&
	test_cmp acct.nobody acct.bad && grep -qx "status $_acct" acct.nobody &&
	! grep -q ",bad/id," "$D/oplog.csv"
}

# ns SNIPPET CMD...: CMD in a mount namespace of its own, after SNIPPET
# (D is the state directory there).
ns() {
	_s=$1; shift
	D=$D unshare -m sh -c 'mount --make-rprivate / && eval "$1" && shift &&
	    exec "$@"' sh "$_s" "$@"
}

# held LOCK CMD...: CMD while another process holds LOCK past
# lock_timeout_ms.
held() {
	_l=$1; shift
	( flock 9 && : >held && exec sleep 5 ) 9>>"$D/$_l" & _h=$!
	_i=0
	until test -e held; do
		_i=$((_i + 1)); test $_i -lt 200 || break; sleep 0.02
	done
	"$@"; _hr=$?
	{ kill $_h; wait $_h; } 2>/dev/null; rm -f held
	return $_hr
}

# fsize CMD...: CMD under a file size limit the log cannot grow under.
fsize() { sh -c 'ulimit -f 1 && exec "$@"' sh "$@"; }

test_expect_success 'an id no register can hold: denied as an unknown id is' '
	alike 7 10 && grep -qx "ERROR_MSG authentication denied" ans.bad
'

test_expect_success 'an unsafe register: an id no register can hold gets PAM_AUTHINFO_UNAVAIL too' '
	chmod g+w "$D/operators.csv" && { alike 9 9; r=$?; } &&
	chmod g-w "$D/operators.csv" && test $r = 0 &&
	grep -qx "ERROR_MSG $UNAVAIL" ans.bad
'

# Rows are never deleted: once the log shows the register held persons, a
# missing operators.csv is missing state (t2220), not a register where
# every id is unknown.
test_expect_success 'a missing register the log shows held persons: PAM_AUTHINFO_UNAVAIL, nobody admitted' '
	mv "$D/operators.csv" "$TMP/operators.csv" &&
	n=$(wc -l <"$D/oplog.csv") &&
	{ pc tanaka "$TMP/pw.tanaka"; r=$?; cp "$TMP/pc.out" tanaka.out
	  alike 9 9; a=$?; mv "$TMP/operators.csv" "$D/operators.csv"; } &&
	test $r = 9 && test $a = 0 &&
	grep -qx "ERROR_MSG $UNAVAIL" tanaka.out &&
	! tail -n +$((n + 1)) "$D/oplog.csv" | grep -q ",auth,tanaka,ok,"
'

for fa in operators.csv:9 oplog.head:10; do
f=${fa%:*} a=${fa#*:}
test_expect_success "$f a symlink: the same answer for both" '
	mv "$D/'$f'" "$TMP/'$f'.real" &&
	ln -s "$TMP/'$f'.real" "$D/'$f'" && { alike 9 '$a'; r=$?; } &&
	rm "$D/'$f'" && mv "$TMP/'$f'.real" "$D/'$f'" &&
	test $r = 0
'
done

test_expect_success 'an unsafe operators.pending: the same answer for both' '
	printf "x\n" >"$D/operators.pending" && chmod 666 "$D/operators.pending" &&
	{ alike 9 9; r=$?; rm -f "$D/operators.pending"; } && test $r = 0
'

for fa in oplog.csv:9 oplog.key:10; do
f=${fa%:*} a=${fa#*:}
test_expect_success "a refused $f (open to its group): the same answer for both" '
	mode=$(stat -c %a "$D/'$f'") && chmod g+rw "$D/'$f'" &&
	{ alike 9 '$a'; r=$?; chmod "$mode" "$D/'$f'"; } && test $r = 0
'
done

test_expect_success 'a log emptied (copytruncate): the same answer for both' '
	cp -p "$D/oplog.csv" log.saved && : >"$D/oplog.csv" &&
	{ alike 9 9; r=$?; cat log.saved >"$D/oplog.csv"; } && test $r = 0
'

for l in register.lock oplog.lock; do
test_expect_success "$l held past lock_timeout_ms: the same answer for both" '
	conf_set "$D" lock_timeout_ms 200 && { alike 9 10 held '$l'; r=$?; } &&
	conf_set "$D" lock_timeout_ms 10000 && test $r = 0
'
done

test_expect_success 'a file size limit the log cannot grow under: the same answer for both' '
	alike 9 10 fsize
'

test_expect_success MOUNTNS 'the log read-only: the same answer for both' '
	alike 9 10 ns "mount --bind \"\$D/oplog.csv\" \"\$D/oplog.csv\" &&
	    mount -o remount,bind,ro \"\$D/oplog.csv\""
'

test_expect_success MOUNTNS 'the state directory read-only: the same answer for both' '
	alike 9 10 ns "mount --bind \"\$D\" \"\$D\" && mount -o remount,bind,ro \"\$D\""
'

test_expect_success MOUNTNS 'a full disk: the same answer for both' '
	alike 9 10 ns "mkdir -p \"\$D.orig\" && mount --bind \"\$D\" \"\$D.orig\" &&
	    mount -t tmpfs -o size=4m,mode=700 tmpfs \"\$D\" &&
	    cp -a \"\$D.orig/.\" \"\$D/\" &&
	    { dd if=/dev/zero of=\"\$D/fill\" bs=4k 2>/dev/null; true; }"
'

# syslogged CMD...: CMD with a syslog of its own, /dev/log on a /dev of a
# mount namespace (the real one untouched, its nodes bound in from
# /mnt), each message a line of $TMP/syslog, without its priority and
# time; its status CMD's.  With N set, CMD runs under ulimit -n N.
cat >"$TMP/syslogd.py" <<'PY'
# Bound once ready: SIGTERM (the run is over) ends it when nothing more
# has come for 0.1 s, every message the run sent read first.
import signal, socket, sys
done = []
signal.signal(signal.SIGTERM, lambda *_: done.append(1))
out = open(sys.argv[1], "ab", buffering=0)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.settimeout(0.1)
s.bind("/dev/log")
while True:
    try:
        out.write(s.recv(65536) + b"\n")
    except socket.timeout:
        if done:
            break
PY
syslogged() {
	: >"$TMP/syslog.raw"
	T=$TMP N=${N:-} unshare -m sh -c 'mount --make-rprivate / &&
	    mount -t tmpfs tmpfs /mnt && mkdir /mnt/dev &&
	    mount --rbind /dev /mnt/dev &&
	    mount -t tmpfs -o mode=755 tmpfs /dev || exit 70
	    for n in null zero full random urandom tty; do
		: >"/dev/$n" && mount --bind "/mnt/dev/$n" "/dev/$n" || exit 70
	    done
	    for n in shm pts; do
		mkdir "/dev/$n" && mount --rbind "/mnt/dev/$n" "/dev/$n" || exit 70
	    done
	    ln -s /proc/self/fd /dev/fd || exit 70
	    python3 "$T/syslogd.py" "$T/syslog.raw" & l=$!
	    i=0; until test -S /dev/log; do
		i=$((i + 1)); test $i -lt 500 || exit 70; sleep 0.01
	    done
	    if [ -n "$N" ]; then (ulimit -n "$N" && exec "$@"); else "$@"; fi
	    r=$?; kill $l; wait $l; exit $r' sh "$@"
	_sr=$?
	sed "s/^<[0-9]*>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* //" \
	    "$TMP/syslog.raw" >"$TMP/syslog"
	return $_sr
}

# with_syslog: alike's answers with what the module of each run said to
# syslog (PAM's own lines left out: at a low descriptor limit they come
# and go with the host's descriptors), an id no register can hold's
# notice taken out of ans.bad (one at most).
with_syslog() {
	for _u in nobody bad/id; do
		_r=0
		syslogged "$@" "$PC" -c "$TMP/pam.d" -i 3 svc "$_u" \
		    3<"$TMP/pw.wrong" >"$TMP/pc.out" 2>"$TMP/pc.err" || _r=$?
		{ echo "status $_r"; cat "$TMP/pc.out" "$TMP/pc.err"
		  grep -F "pam_jukisec(" "$TMP/syslog"; } |
		    sed "s|$_u|ID|g" >"ans.${_u%/*}"
	done
	syslog_alike
}

# syslog_alike [NOBODY BAD]: the answers of nobody and bad/id (ans.nobody,
# ans.bad) alike, but for bad/id's notice.
syslog_alike() {
	_an=${1:-ans.nobody} _ab=${2:-ans.bad}
	notice="pamclient: pam_jukisec(svc:auth): user ID: only A-Z a-z 0-9 . _ - allowed" &&
	test "$(grep -cxF "$notice" "$_ab")" -le 1 &&
	grep -vxF "$notice" "$_ab" >ans.bad.rest &&
	test_cmp "$_an" ans.bad.rest ||
	    { cat "$_an" "$_ab" >&2; return 1; }
}

# with_syslog_at N...: with_syslog's runs under each limit N (ulimit -n),
# all in one syslogged (one namespace and one listener, not one per
# run), each run followed by a line from logger(1): pamclient's messages,
# sent before it exits, are ahead of it in the socket's queue, so the
# lines before each mark are that run's.  The answers, as with_syslog
# makes them, in ans.N.nobody and ans.N.bad, written by one awk.
with_syslog_at() {
	N= && syslogged sh -c 'pc=$1 t=$2; shift 2
	    for N; do for u in nobody bad/id; do
		r=0; (ulimit -n "$N" && exec "$pc" -c "$t/pam.d" -i 3 svc "$u") \
		    3<"$t/pw.wrong" >"$t/pc.out.$N.${u%/*}" \
		    2>"$t/pc.err.$N.${u%/*}" || r=$?
		echo "$r" >"$t/pc.rc.$N.${u%/*}" &&
		logger -d -u /dev/log "with_syslog_at: end of a run" || exit 70
	    done; done' sh "$PC" "$TMP" "$@" || return 1
	awk -v T="$TMP" '
	function sub_id(s,    t, i) {
		t = ""
		while ((i = index(s, id)) > 0) {
			t = t substr(s, 1, i - 1) "ID"; s = substr(s, i + length(id))
		}
		return t s
	}
	function copy(file,    line) {
		while ((getline line <file) > 0) print sub_id(line) >a
		close(file)
	}
	function run_end(    i, r, f) {
		N = n[int((j + 1) / 2)]; u = j % 2 ? "nobody" : "bad"
		id = u == "bad" ? "bad/id" : u; a = "ans." N "." u
		f = T "/pc.rc." N "." u
		if ((getline r <f) <= 0) { print "no " f >"/dev/stderr"; exit 1 }
		close(f); print "status " r >a
		copy(T "/pc.out." N "." u); copy(T "/pc.err." N "." u)
		for (i = 1; i <= m; i++) print sub_id(L[i]) >a
		close(a); m = 0
	}
	BEGIN { runs = 2 * (ARGC - 1); for (i = 1; i < ARGC; i++) n[i] = ARGV[i]
		ARGC = 1; j = 1 }
	/with_syslog_at: end of a run/ { if (j > runs) exit 1; run_end(); j++; next }
	index($0, "pam_jukisec(") { L[++m] = $0 }
	END { if (j != runs + 1) { print "runs ended: " j - 1 >"/dev/stderr"; exit 1 } }
	' "$@" <"$TMP/syslog"
}

test_expect_success MOUNTNS 'syslog: an id no register can hold gets the cause an unknown id gets, and its notice' '
	chmod g+w "$D/operators.csv" && { with_syslog; r=$?; } &&
	chmod g-w "$D/operators.csv" && test $r = 0 &&
	grep -qx "status 9" ans.nobody && grep -qxF "$notice" ans.bad &&
	grep -q "operators.csv: .*refused" ans.nobody
'

# The user is the caller's text: a line feed in it would forge a line
# of syslog's own, so the notice quotes it escaped, one line.
test_expect_success MOUNTNS 'syslog: the account check says an id no register can hold too' '
	_r=0; syslogged "$PC" -c "$TMP/pam.d" -A svc bad/id >pc.out 2>pc.err || _r=$?
	cat pc.out pc.err "$TMP/syslog" >&2
	test $_r = 10 &&
	grep -qxF "pamclient: pam_jukisec(svc:account): user bad/id: only A-Z a-z 0-9 . _ - allowed" "$TMP/syslog" &&
	u=$(printf "x\\nJan  1 00:00:00 vm sshd[1]: Accepted password for root") &&
	_r=0 && { syslogged "$PC" -c "$TMP/pam.d" -A svc "$u" >pc.out 2>pc.err || _r=$?; } &&
	test $_r = 10 && ! grep -q "^Jan  1 00:00:00 vm sshd" "$TMP/syslog" &&
	grep -qxF "pamclient: pam_jukisec(svc:account): user x\\x0aJan  1 00:00:00 vm sshd[1]: Accepted password for root: longer than 32 bytes" "$TMP/syslog"
'

# pam_jukisec(8), Diagnostics: a damaged value's warning is the first of
# the call, each call: a host that authenticates and then checks the
# account in one process (a display manager runs for days) hears it at
# both, not at its first call only.
test_expect_success MOUNTNS 'syslog: a damaged row is told at each call of one host' '
	regcol sato role boss &&
	_r=0; syslogged "$PC" -c "$TMP/pam.d" -i 3 -a svc tanaka \
	    3<"$TMP/pw.tanaka" >pc.out 2>pc.err || _r=$?
	regcol sato role operator
	cat pc.out pc.err "$TMP/syslog" >&2
	test $_r = 0 &&
	for c in auth account; do
		test "$(grep -c "^pamclient: pam_jukisec(svc:$c): .*operators.csv:[0-9]*: field role: invalid value" "$TMP/syslog")" = 1 ||
		    exit 1
	done
'

# A host with a syslog keeps its socket open once something logged: an id
# no register can hold's notice, were it logged before the gate, would
# hold a descriptor the gate's count of free ones then missed, and at the
# limit that leaves 16 free that id alone would be refused before the
# prompt.  With an "other" service PAM itself logs nothing before the
# module, as on a host.
test_expect_success MOUNTNS 'ulimit -n with a syslog: the same answer for an unknown id and one no register can hold' '
	service other "auth required pam_deny.so" "account required pam_deny.so" &&
	seen=0 &&
	with_syslog_at $(seq 4 26) &&
	for N in $(seq 4 26); do
		syslog_alike ans.$N.nobody ans.$N.bad ||
		    { echo "ulimit -n $N" >&2; exit 1; }
		if grep -qx "ERROR_MSG $UNAVAIL" ans.$N.nobody &&
		    ! grep -q PROMPT ans.$N.nobody; then
			seen=$((seen + 1))
		fi
	done &&
	test $seen -ge 2
'

test_expect_success 'after the broken states: no id no register can hold logged, tanaka admitted' '
	! grep -q ",bad/id," "$D/oplog.csv" &&
	pc tanaka "$TMP/pw.tanaka" && said "pam_authenticate PAM_SUCCESS" &&
	log-verify -d "$D" --key-file "$D.key" >/dev/null
'

test_expect_success 'an unknown option: PAM_SERVICE_ERR, never an admission' '
	service typo "auth required MOD dri=$D" &&
	SVC=typo test_must_fail 3 pc tanaka "$TMP/pw.tanaka" &&
	said "pam_authenticate PAM_SERVICE_ERR" && quiet &&
	service rel "auth required MOD dir=state" "account required MOD dir=state" &&
	SVC=rel test_must_fail 3 pc tanaka "$TMP/pw.tanaka" &&
	said "pam_authenticate PAM_SERVICE_ERR" && quiet &&
	SVC=rel test_must_fail 3 pc tanaka /dev/null -A &&
	said "pam_acct_mgmt PAM_SERVICE_ERR"
'

test_expect_success 'the environment is not an input: JUKISEC_DIR does not move the register' '
	reg_state "$TMP/other" && service nodir "auth required MOD" &&
	JUKISEC_DIR=$TMP/other SVC=nodir test_must_fail 9 pc tanaka "$TMP/pw.tanaka" &&
	! grep -q ",auth," "$TMP/other/oplog.csv"
'

# A terminal= of spaces only is not empty (which means the host name)
# and names no terminal either: as auth-check's -t, refused.
test_expect_success 'terminal= of spaces only: no terminal name, authentication not available' '
	n=$(grep -c ",auth," "$D/oplog.csv") &&
	service blank "auth required MOD dir=$D [terminal=   ]" &&
	SVC=blank test_must_fail 9 pc tanaka "$TMP/pw.tanaka" &&
	said "ERROR_MSG $UNAVAIL" &&
	test "$(grep -c ",auth," "$D/oplog.csv")" = "$n"
'

test_expect_success 'stacked twice: libgcrypt initialised once, both admit' '
	service twice "auth required MOD dir=$D terminal=cs-term-1" \
	    "auth required MOD dir=$D terminal=cs-term-2" &&
	cat "$TMP/pw.tanaka" "$TMP/pw.tanaka" >pw2 &&
	SVC=twice pc tanaka pw2 -s && ! grep "^state " "$TMP/pc.out" &&
	grep -q ",cs-term-2,tanaka,auth,tanaka,ok," "$D/oplog.csv"
'

# su and sudo are set-user-ID hosts: real uid the caller's, effective 0.
# libgcrypt, asked for its secure memory in such a process, drops it to
# the real uid for good unless told not to: the module would lose the
# state directory, and the host the power to become anyone.  The host
# here is a set-user-ID copy of pamclient, run by nobody through a
# descriptor (nobody cannot reach $TMP); -s sees any change of its ids.
test_lazy_prereq SETUIDHOST '
	[ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 &&
	command -v setpriv >/dev/null || { echo "needs root, nobody, setpriv"; exit 1; }
	cp "$PC" "$TMP/.suid-pc" && chmod 4755 "$TMP/.suid-pc" &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    sh -c "test -u /proc/self/fd/5 && test \$(stat -L -c %u /proc/self/fd/5) = 0" \
	    5<"$TMP/.suid-pc" && ! findmnt -no OPTIONS -T "$TMP" | grep -qw nosuid ||
	    { echo "no set-user-ID binary runs here"; exit 1; }'

test_expect_success SETUIDHOST,NOSAN 'a set-user-ID host keeps its effective uid 0 across the module' '
	{ setpriv --reuid=nobody --regid=nogroup --clear-groups /proc/self/fd/5 \
	    -c "$TMP/pam.d" -i 3 -s svc tanaka 3<"$TMP/pw.tanaka" 5<"$TMP/.suid-pc" \
	    >"$TMP/pc.out" 2>"$TMP/pc.err"; r=$?; } &&
	said "pam_authenticate PAM_SUCCESS" && ! grep "^state " "$TMP/pc.out" &&
	test $r = 0 &&
	tail -1 "$D/oplog.csv" | grep -q ",tanaka,auth,tanaka,ok,"
'

# ja: the messages in Japanese, the catalogue of this build mounted over
# LOCALEDIR in a private mount namespace and ja_JP.UTF-8 built once per
# build directory (tests/lib-ja.sh's ja_locale).
test_lazy_prereq JALOCALE '
	[ -n "$LOCALEDIR" ] || { echo "LOCALEDIR not known"; exit 1; }
	ja_locale >/dev/null 2>&1 ||
	    { echo "localedef cannot build ja_JP.UTF-8 (locales)"; exit 1; }'
ja_pc() {
	_u=$1 _f=$2; shift 2
	ja_run "$PC" -c "$TMP/pam.d" -i 3 "$@" svc "$_u" 3<"$_f" \
	    >"$TMP/pc.out" 2>"$TMP/pc.err"
}

test_expect_success MOUNTNS,JALOCALE 'ja_JP.UTF-8: the prompt and the refusals in Japanese; the host locale left alone' '
	ja_pc tanaka "$TMP/pw.tanaka" -s &&
	said "PROMPT_ECHO_OFF tanaka のパスワード: " && ! grep "^state " "$TMP/pc.out" &&
	{ ja_pc tanaka "$TMP/pw.wrong" -s; test $? = 7; } &&
	said "ERROR_MSG 認証に失敗しました" && ! grep "^state " "$TMP/pc.out" &&
	{ ja_pc sato /dev/null -A; test $? = 13; } &&
	said "ERROR_MSG sato はこの端末機を操作できません（取消または有効期限切れ）。セキュリティ責任者に申し出てください" &&
	chmod g+w "$D/operators.csv" && { ja_pc tanaka "$TMP/pw.tanaka"; r=$?; } &&
	chmod g-w "$D/operators.csv" && test $r = 9 && quiet &&
	said "ERROR_MSG 現在、認証を行うことができません。セキュリティ責任者に申し出てください"
'

test_expect_success 'a fingerprint operator enrolled on the virtual reader' '
	sed -i "s|^fp_timeout_seconds = .*|fp_timeout_seconds = 10|" "$D/jukisec.conf" &&
	new_reader device &&
	finger "SCAN alice" "SCAN alice" "SCAN alice" "SCAN alice" "SCAN alice" &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i alice -n Alice \
	    -m fingerprint 4<"$TMP/pw.boss" 2>err &&
	peer_done && test "$(field alice method)" = fingerprint
'

# libfprint runs on GLib, whose main contexts keep an eventfd each once
# used, and it cannot be unloaded: after a first scan those are the one
# change a host sees (pam_jukisec(8), CAVEATS).
test_expect_success 'the right finger: PAM_SUCCESS, the reader prompt as TEXT_INFO, no password prompt' '
	new_reader device && finger "SCAN alice" &&
	{ pc alice /dev/null -s -a -t pts/2; test $? = 66; } && peer_done &&
	! grep "^state " "$TMP/pc.out" | grep -v "^state fd [0-9]*: closed -> anon_inode:\[eventfd\]$" &&
	said "pam_authenticate PAM_SUCCESS" && said "pam_acct_mgmt PAM_SUCCESS" &&
	said "TEXT_INFO place your finger on the reader" &&
	! grep -q "^PROMPT" "$TMP/pc.out" && quiet &&
	tail -1 "$D/oplog.csv" | grep -q ",alice,auth,alice,ok,method=fingerprint reason=ok tty=pts/2,"
'

test_expect_success 'another finger: PAM_AUTH_ERR, counted' '
	new_reader device && finger "SCAN mallory" &&
	test_must_fail 7 pc alice /dev/null && peer_done &&
	said "ERROR_MSG authentication denied" && test "$(field alice failed)" = 1 &&
	grep ",auth,alice,denied," "$D/oplog.csv" | tail -1 | grep -q "no match"
'

test_expect_success 'no reader: PAM_AUTHINFO_UNAVAIL, not a refusal' '
	FP_VIRTUAL_DEVICE= && unset FP_VIRTUAL_DEVICE &&
	FP_DRIVERS_WHITELIST=virtual_device && export FP_DRIVERS_WHITELIST &&
	test_must_fail 9 pc alice /dev/null && quiet &&
	said "pam_authenticate PAM_AUTHINFO_UNAVAIL"
'

# An external verifier (jukisec-verifier(5)) writes its instructions to
# its stderr; under PAM they are the conversation's TEXT_INFO, one a line,
# never the host's stderr, and PAM_SILENT silences them too.
# Under the module the environment is the host's caller's (su): the
# verifier gets its own, so xverifier's XV_DIR comes from a wrapper.
test_expect_success 'external: the verifier'"'"'s instructions are TEXT_INFO, not the host'"'"'s stderr' '
	XV_DIR=$TMP/xv && export XV_DIR && mkdir -p -m 700 "$XV_DIR" &&
	echo vein-right >"$XV_DIR/hand" &&
	printf "#!/bin/sh\nenv >\"%s/env\"\nXV_DIR=%s exec \"%s\" \"\$@\"\n" \
	    "$XV_DIR" "$XV_DIR" "$SRCDIR/tests/xverifier.sh" >"$XV_DIR/v" &&
	chmod 700 "$XV_DIR/v" &&
	conf_set "$D" external_verifier "$SRCDIR/tests/xverifier.sh" &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i vein -n Vein \
	    -m external 4<"$TMP/pw.boss" 2>err &&
	conf_set "$D" external_verifier "$XV_DIR/v" &&
	pc vein /dev/null -s -a &&
	said "pam_authenticate PAM_SUCCESS" &&
	said "TEXT_INFO xverifier: verify vein, present your hand" &&
	! grep -q "^PROMPT" "$TMP/pc.out" && quiet &&
	tail -1 "$D/oplog.csv" | grep -q ",vein,auth,vein,ok,method=external reason=ok" &&
	pc vein /dev/null -q && quiet && ! grep -q "TEXT_INFO" "$TMP/pc.out"
'

# A set-user-ID host's environment is its caller's: PATH, PYTHONPATH,
# PERL5LIB... given to a verifier run with euid 0 would run the caller's
# code as root.  It gets PATH, fixed, and the host's locale variables.
test_expect_success 'external: the verifier gets a fixed PATH, not the host'"'"'s environment' '
	PATH=$TMP/evil:$PATH PYTHONPATH=$TMP/evil JUKISEC_PROBE=1 LANG=C \
	    pc vein /dev/null -s && said "pam_authenticate PAM_SUCCESS" &&
	grep -qx "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "$TMP/xv/env" &&
	grep -qx "LANG=C" "$TMP/xv/env" &&
	! grep -q "PYTHONPATH\|JUKISEC_PROBE\|evil" "$TMP/xv/env"
'

# A host that ignores SIGCHLD (its children reaped by the kernel, as a
# daemon that never waits has it) or whose handler reaps every child: the
# verifier's exit was gone before the module looked for it (ECHILD), and
# a verifier's answer, yes or no, was "verifier not run", every person of
# -m external refused there.  For the run the module takes SIGCHLD back
# to its default, and puts the host's back after (-s checks it).
test_expect_success 'external: a host that ignores or reaps SIGCHLD: the verifier'"'"'s answer stands' '
	for how in ign reap; do
		echo vein-left >"$TMP/xv/hand" &&
		test_must_fail 7 pc vein /dev/null -s -C $how &&
		said "pam_authenticate PAM_AUTH_ERR" &&
		tail -1 "$D/oplog.csv" | grep -q ",auth,vein,denied,method=external " &&
		echo vein-right >"$TMP/xv/hand" &&
		pc vein /dev/null -s -C $how && said "pam_authenticate PAM_SUCCESS" &&
		! grep "^state " "$TMP/pc.out" &&
		tail -1 "$D/oplog.csv" | grep -q ",vein,auth,vein,ok,method=external reason=ok" ||
		    { echo "-C $how" >&2; cat "$TMP/pc.out" >&2; tail -1 "$D/oplog.csv" >&2; return 1; }
	done
'

# A verifier the kernel will not start (its #! interpreter missing) judged
# nothing (jukisec-verifier(5), "verifier not run"): not a refusal, not
# counted, told by the module's line.
test_expect_success 'external: a verifier that cannot be run: PAM_AUTHINFO_UNAVAIL, not counted' '
	printf "#!/nonexistent/sh\nexit 0\n" >"$TMP/xv/noint" &&
	chmod 700 "$TMP/xv/noint" &&
	conf_set "$D" external_verifier "$TMP/xv/noint" &&
	{ pc vein /dev/null -s; r=$?; } &&
	conf_set "$D" external_verifier "$TMP/xv/v" &&
	test $r = 9 && said "pam_authenticate PAM_AUTHINFO_UNAVAIL" &&
	said "ERROR_MSG $UNAVAIL" && quiet && ! grep "^state " "$TMP/pc.out" &&
	test "$(field vein failed)" = 0 &&
	tail -1 "$D/oplog.csv" | grep -q ",-,auth,vein,error,method=external reason=verifier not run,"
'

# Its standard error, as the person is told it: one TEXT_INFO a line, a
# line over 512 bytes in pieces of 512 with no empty message after a full
# one, every byte kept (a NUL escaped like the other control bytes, a
# backslash doubled: the escaping's own rule).  pamclient doubles the
# backslashes again.
test_expect_success 'external: its lines in 512-byte pieces, nothing empty, a NUL escaped' '
	printf "#!/bin/sh\ncat \"%s\" >&2\n" "$TMP/xv/talk" >"$TMP/xv/talker" &&
	chmod 700 "$TMP/xv/talker" &&
	a=$(printf "%0512d" 0 | tr 0 a) && b=$(printf "%0512d" 0 | tr 0 b) &&
	printf "%s\n%sc\n%s%s\nnul\000after\nback\\\\slash\n" \
	    "$a" "$a" "$a" "$b" >"$TMP/xv/talk" &&
	printf "TEXT_INFO %s\n" "$a" "$a" c "$a" "$b" "nul\\\\x00after" \
	    "back\\\\\\\\slash" >want &&
	conf_set "$D" external_verifier "$TMP/xv/talker" &&
	{ pc vein /dev/null -s; r=$?; } &&
	conf_set "$D" external_verifier "$TMP/xv/v" &&
	test $r = 0 && said "pam_authenticate PAM_SUCCESS" && quiet &&
	grep "^TEXT_INFO" "$TMP/pc.out" >got && test_cmp want got
'

# A piece ends where a character does: the Japanese prompt that crosses
# the 512th byte is not cut in the middle of its bytes (two pieces of
# \x escapes), it begins the next piece whole.
test_expect_success 'external: a 512-byte piece is not cut inside a UTF-8 character' '
	a=$(printf "%0511d" 0 | tr 0 a) &&
	printf "%s指を置いてください\n%s\n" "$a" "$a" >"$TMP/xv/talk" &&
	printf "TEXT_INFO %s\n" "$a" "指を置いてください" "$a" >want &&
	conf_set "$D" external_verifier "$TMP/xv/talker" &&
	{ pc vein /dev/null -s; r=$?; } &&
	conf_set "$D" external_verifier "$TMP/xv/v" &&
	test $r = 0 && said "pam_authenticate PAM_SUCCESS" && quiet &&
	grep "^TEXT_INFO" "$TMP/pc.out" >got && test_cmp want got
'

# su and sudo run the verifier with the caller's real uid and effective
# uid 0: whether it may be run is the effective uid's question, as for
# execve(2).  Root's verifier of mode 0700 or 0755 in root's 0700
# directory, which the caller cannot even reach, is run; one that is not
# executable is still "no verifier".
test_expect_success SETUIDHOST,NOSAN 'external: a set-user-ID host runs root'"'"'s verifier in root'"'"'s 0700 directory' '
	mkdir -m 700 "$TMP/xvr" &&
	printf "#!/bin/sh\nXV_DIR=%s exec /bin/sh \"%s\" \"\$@\"\n" \
	    "$TMP/xv" "$SRCDIR/tests/xverifier.sh" >"$TMP/xvr/v" &&
	conf_set "$D" external_verifier "$TMP/xvr/v" && st=0 &&
	for m in 700 755 600; do
		chmod $m "$TMP/xvr/v" &&
		{ setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    /proc/self/fd/5 -c "$TMP/pam.d" -i 3 -s svc vein \
		    3</dev/null 5<"$TMP/.suid-pc" >"$TMP/pc.out" 2>"$TMP/pc.err"
		  r=$?; } && quiet && ! grep "^state " "$TMP/pc.out" &&
		case $m in
		600)	test $r = 9 &&
			said "pam_authenticate PAM_AUTHINFO_UNAVAIL" &&
			tail -1 "$D/oplog.csv" | grep -q ",-,auth,vein,error,method=external reason=no verifier," ;;
		*)	test $r = 0 && said "pam_authenticate PAM_SUCCESS" &&
			said "TEXT_INFO xverifier: verify vein, present your hand" &&
			tail -1 "$D/oplog.csv" | grep -q ",vein,auth,vein,ok,method=external reason=ok" ;;
		esac || { echo "mode $m:" >&2; cat "$TMP/pc.out" >&2; st=1; break; }
	done
	conf_set "$D" external_verifier "$TMP/xv/v" &&
	test $st = 0 && test "$(field vein failed)" = 0
'

# And it runs wholly as root, its real ids too: a plain #!/bin/sh (the
# page's own example) run with the caller's real ids drops to them, and so
# does what it execs, the vendor's program, which the caller could then
# trace (make it exit 0, read the template in its memory) or signal.
# The host here is pamclient run by setpriv as nobody with effective ids
# 0, the gid too (the same build's: an ASan one runs it as well); the
# program exec'd says its ids, then whether nobody may read its
# environment (what ptrace(2) allows) or signal it.
test_expect_success SETUIDHOST 'external: under a set-user-ID host the verifier runs wholly as the effective user' '
	mkdir -p -m 700 "$TMP/xvr" &&
	cat >"$TMP/xvr/ids" <<-\EOF &&
	#!/bin/sh
	echo "sh $(id -ru) $(id -u) $(id -rg) $(id -g)" >&2
	exec /bin/sh -s <<"END"
	tr "\t" " " </proc/self/status | grep "^[UG]id:" >&2
	for how in "cat /proc/$$/environ" "kill -0 $$"; do
		setpriv --reuid=65534 --regid=65534 --keep-groups $how \
		    >/dev/null 2>&1 && echo "nobody may ${how%% *}" >&2
	done
	exit 0
	END
	EOF
	chmod 700 "$TMP/xvr/ids" &&
	conf_set "$D" external_verifier "$TMP/xvr/ids" &&
	{ setpriv --ruid=nobody --euid=0 --rgid=nogroup --egid=0 --clear-groups \
	    "$PC" -c "$TMP/pam.d" -i 3 -s svc vein 3</dev/null \
	    >"$TMP/pc.out" 2>"$TMP/pc.err"; r=$?; } &&
	conf_set "$D" external_verifier "$TMP/xv/v" &&
	printf "TEXT_INFO %s\n" "sh 0 0 0 0" "Uid: 0 0 0 0" "Gid: 0 0 0 0" >want &&
	grep "^TEXT_INFO" "$TMP/pc.out" >got && test_cmp want got &&
	test $r = 0 && said "pam_authenticate PAM_SUCCESS" && quiet &&
	! grep "^state " "$TMP/pc.out" &&
	tail -1 "$D/oplog.csv" | grep -q ",vein,auth,vein,ok,method=external reason=ok"
'

# holds LOCK PID: PID holds the flock(2) on $D/LOCK (/proc/locks: one
# that waits for it shows "->" there).
holds() {
	_ino=$(stat -c %i "$D/$1") &&
	awk -v p="$2" -v i=":$_ino\$" '$2 == "FLOCK" && $5 == p && $6 ~ i { f = 1 }
	    END { exit !f }' /proc/locks
}

# The caller of a set-user-ID host (su, sudo) may signal it: its real uid
# is the caller's, and kill(2) asks no more.  SIGSTOP, which no process
# can hold, stopped it while the module held the register's lock, and
# every auth-check and PAM attempt waited past lock_timeout_ms (exit 3)
# for as long as the caller pleased.  While the module holds a lock its
# real and saved uids are 0: the caller's kill is refused (EPERM); after
# it they are the caller's again (-s).  The lock here is the register's,
# held while the module waits for the log's, which another process holds.
test_expect_success SETUIDHOST 'a set-user-ID host: its caller cannot stop it while it holds a lock' '
	add_pw mori && rm -f held || exit 1
	( flock 9 && : >held && exec sleep 5 ) 9>>"$D/oplog.lock" & h=$!
	i=0; until test -e held; do
		i=$((i + 1)); [ $i -lt 250 ] || break; sleep 0.02
	done
	setpriv --ruid=nobody --euid=0 --rgid=nogroup --egid=0 --clear-groups \
	    "$PC" -c "$TMP/pam.d" -i 3 -s svc mori 3<"$TMP/pw.mori" \
	    >"$TMP/pc.out" 2>"$TMP/pc.err" & p=$!
	i=0; until holds register.lock $p; do
		i=$((i + 1)); [ $i -lt 250 ] || break; sleep 0.02
	done
	grep "^Uid:" /proc/$p/status >uids
	setpriv --reuid=65534 --regid=65534 --clear-groups kill -STOP $p \
	    2>kill.err && echo stopped >kill.err
	grep "^State:" /proc/$p/status >pstate
	kill -CONT $p; kill $h; wait $h; wait $p; r=$?
	cat uids pstate kill.err >&2
	printf "Uid:\t0\t0\t0\t0\n" >want && test_cmp want uids &&
	grep -q "not permitted" kill.err && ! grep -q stopped pstate &&
	test $r = 0 && said "pam_authenticate PAM_SUCCESS" &&
	! grep "^state " "$TMP/pc.out" && quiet
'

# Real uid 0 is taken only where it can be given back (CAP_SETUID): a
# host left with it would be a root caller to itself and to the modules
# after this one (pam_rootok).  Without it no lock is taken: the attempt
# is not decided (PAM_AUTHINFO_UNAVAIL), syslog says why, nothing is
# counted or logged, and the ids are as they were (-s).
test_expect_success SETUIDHOST,MOUNTNS 'a set-user-ID host without CAP_SETUID: no lock, not decided, the ids as they were' '
	n=$(field mori failed) && cp "$D/oplog.csv" log.before || exit 1
	syslogged setpriv --ruid=nobody --euid=0 --rgid=nogroup --egid=0 \
	    --clear-groups --bounding-set=-setuid \
	    "$PC" -c "$TMP/pam.d" -i 3 -s svc mori 3<"$TMP/pw.wrong" \
	    >"$TMP/pc.out" 2>"$TMP/pc.err"; r=$?
	test $r = 9 && said "pam_authenticate PAM_AUTHINFO_UNAVAIL" &&
	said "ERROR_MSG $UNAVAIL" && ! grep "^state " "$TMP/pc.out" && quiet &&
	grep -qF "pam_jukisec(svc:auth): $D/register.lock: a set-user-ID host without CAP_SETUID may not hold it" "$TMP/syslog" &&
	test "$(field mori failed)" = "$n" && cmp log.before "$D/oplog.csv"
'

# pamtester reads only /etc/pam.d: it runs in a mount namespace of its own
# with $TMP/pam.d mounted there; the real directory is never written.
ptns() {
	_u=$1 _f=$2; shift 2
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /etc/pam.d &&
		shift && exec pamtester "$@"' sh "$TMP/pam.d" svc "$_u" "$@" \
	    <"$_f" >"$TMP/pt.out" 2>&1
}

test_expect_success MOUNTNS,PAMTESTER,NOSAN 'pamtester: admitted, refused, locked, each with its PAM code' '
	ptns tanaka "$TMP/pw.tanaka" authenticate acct_mgmt &&
	grep -q "successfully authenticated" "$TMP/pt.out" &&
	! ptns tanaka "$TMP/pw.wrong" authenticate &&
	grep -q "Authentication failure" "$TMP/pt.out" &&
	for i in 2 3 4 5; do ptns tanaka "$TMP/pw.wrong" authenticate; done;
	! ptns tanaka "$TMP/pw.tanaka" authenticate &&
	grep -q "tanaka is locked out: see the Security Manager" "$TMP/pt.out" &&
	grep -q "Have exhausted maximum number of retries" "$TMP/pt.out" &&
	! ptns tanaka /dev/null acct_mgmt && grep -q "Permission denied" "$TMP/pt.out" &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -u 4<"$TMP/pw.boss"
'

# A log file that writers refuse (here the key, readable by its group):
# found before the count is written, so neither password moves it.
test_expect_success MOUNTNS,PAMTESTER,NOSAN 'pamtester: a refused oplog.key, PAM_AUTHINFO_UNAVAIL, nothing counted or logged' '
	! ptns tanaka "$TMP/pw.wrong" authenticate &&
	test "$(field tanaka failed)" = 1 &&
	cp "$D/operators.csv" reg.before && cp "$D/oplog.csv" log.before &&
	mode=$(stat -c %a "$D/oplog.key") && chmod 640 "$D/oplog.key" || exit 1
	st=0
	for p in wrong tanaka; do
		! ptns tanaka "$TMP/pw.$p" authenticate &&
		grep -q "Authentication service cannot retrieve authentication info" "$TMP/pt.out" &&
		grep -qF "$UNAVAIL" "$TMP/pt.out" &&
		cmp reg.before "$D/operators.csv" || { st=1; cat "$TMP/pt.out" >&2; break; }
	done
	chmod "$mode" "$D/oplog.key"
	test $st = 0 && cmp log.before "$D/oplog.csv" &&
	ptns tanaka "$TMP/pw.tanaka" authenticate && test "$(field tanaka failed)" = 0
'

test_expect_success MOUNTNS,PAMTESTER,NOSAN 'pamtester: a fingerprint user admitted, without a password' '
	new_reader device && finger "SCAN alice" &&
	ptns alice /dev/null authenticate && peer_done &&
	grep -q "place your finger on the reader" "$TMP/pt.out" &&
	grep -q "successfully authenticated" "$TMP/pt.out"
'

# Last: the clock moves past an expiry (the gate never decides before the
# log's last record, so nothing runs at the real time after this).
test_expect_success FAKETIME 'expired: auth PAM_AUTH_ERR, account PAM_ACCT_EXPIRED' '
	add_pw kato -e 2026-12-31 &&
	at "2026-12-30 09:00:00" pc kato "$TMP/pw.kato" -a &&
	test_must_fail 7 at "2027-01-03 09:00:00" pc kato "$TMP/pw.kato" &&
	test "$(log_count auth denied reason=expired)" = 1 &&
	test_must_fail 13 at "2027-01-03 09:00:00" pc kato /dev/null -A &&
	said "pam_acct_mgmt PAM_ACCT_EXPIRED"
'

test_expect_success MOUNTNS,PAMTESTER,NOSAN 'pamtester: an expired person, PAM_ACCT_EXPIRED' '
	! at "2027-01-03 10:00:00" ptns kato /dev/null acct_mgmt &&
	grep -q "User account has expired" "$TMP/pt.out"
'

test_expect_success 'nothing in /etc/pam.d names this test' '
	! grep -rlF "$TMP" /etc/pam.d
'

# SPEC: a wrong clock (a year ahead) unlocks no one.  With
# lockout_unlock_minutes the gate keeps a due lock while the log does not
# bear the clock out (auth-check(1) "The clock"); the account check, for
# a stack that admits through another module first, decides the lock as
# the gate does, and so do operator-list and the audit.
test_expect_success 'a clock a year ahead: the account check keeps the lock the gate keeps' '
	D=$TMP/ck && AT=2030-08-01T09:00:00Z &&
	at_AT reg_state && at_AT bootstrap && at_AT add_pw kato &&
	conf_set "$D" lockout_unlock_minutes 30 && conf_set "$D" lockout_threshold 2 &&
	test_must_fail 1 at 2030-08-01T10:00:00Z auth kato "$TMP/pw.wrong" 2>/dev/null &&
	test_must_fail 4 at 2030-08-01T10:00:01Z auth kato "$TMP/pw.wrong" 2>/dev/null &&
	service ck "auth required pam_permit.so" "account required MOD dir=$D" &&
	SVC=ck test_must_fail 6 at 2031-09-05T10:00:00Z pc kato /dev/null -A &&
	said "pam_acct_mgmt PAM_PERM_DENIED" &&
	SVC=ck test_must_fail 6 at 2031-09-05T10:00:00Z pc kato /dev/null -a &&
	said "pam_authenticate PAM_SUCCESS" && said "pam_acct_mgmt PAM_PERM_DENIED" &&
	at 2031-09-05T10:00:00Z operator-list -d "$D" -l >l && grep -q "^kato " l &&
	at 2031-09-05T10:00:00Z operator-list -d "$D" -f csv >c &&
	test "$(mlr --icsv --onidx filter "\$id == \"kato\"" then cut -o -f failed,locked c)" = "2 yes" &&
	at 2031-09-05T10:00:00Z jukisec-audit -d "$D" --format csv >a 2>/dev/null;
	grep -q "^R5.2,locked-operators,WARN,kato," a &&
	SVC=ck at 2030-08-01T10:31:00Z pc kato /dev/null -A &&
	said "pam_acct_mgmt PAM_SUCCESS" &&
	at 2030-08-01T10:31:00Z operator-list -d "$D" -l >l && ! grep -q "^kato " l
'

test_done
