#!/bin/sh
# Crashes of the gate's count (tests/lib-crash.sh): auth-check (a wrong
# password, the right one after failures, the attempt that locks) and a
# manager's -b check (a wrong password; the right one with its change),
# each killed before every one of its steps.  SIGKILL cannot be held as
# the signals a caller sends are, so the count and its record are one
# register change (jukisec-log(5), "Register changes"): after each kill
# the next auth-check settles it, and every failed-attempt count equals
# the failures the log shows since the last success (R5.2, R6: a guesser
# who kills auth-check hides no failure, a right password resets no count
# unseen); the log verifies; no operators.pending is left.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-crash.sh"
. "$SRCDIR/tests/lib-audit.sh"

test_expect_success 'set up: a manager with a failure, an operator with two' '
	reg_state && bootstrap && add_pw tanaka && pw wrong Not-The-Pw-42 &&
	auth tanaka "$TMP/pw.tanaka" &&
	for i in 1 2; do test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null || exit 1; done &&
	test_must_fail 1 operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -s x 4<"$TMP/pw.wrong" 2>/dev/null &&
	cp -a "$D" "$TMP/saved" &&
	for i in 3 4; do test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null || exit 1; done &&
	cp -a "$D" "$TMP/saved4"
'

# The operations, each a success here when it answers as it would without
# a kill (denied 1, locked 4), so that crash_every can trace it; a kill's
# 137 is passed on.
status() { _r=$?; [ $_r = "$1" ] && return 0; return $_r; }
wrong() { auth tanaka "$TMP/pw.wrong"; status 1; }
locks() { auth tanaka "$TMP/pw.wrong"; status 4; }
right() { auth tanaka "$TMP/pw.tanaka"; }
modb() {
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -s "$2" \
	    4<"$TMP/pw.$1"
}
modb_wrong() { modb wrong x; status 1; }

# counts: counted tanaka boss (lib-register.sh) in one awk run over the
# register and the log, where field and logged_fails took some twenty
# processes a call; sets $failed, tanaka's count.
counts() {
	_cx=$(csv_awk '
	FILENAME ~ /operators\.csv$/ {
		if (!h && NF_) { h = 1; for (k = 1; k <= NF_; k++) col[F[k]] = k; next }
		# two rows of an id: both counts, as field prints them
		if (NF_) { id = F[col["id"]]
			v = ((id in failed) ? failed[id] "\n" : "") F[col["failed"]]
			failed[id] = v }
		next
	}
	NF_ > 7 && F[5] == "auth" && (F[6] in n) {
		if (F[7] == "ok") n[F[6]] = 0
		else if (F[8] ~ /reason=(wrong-password|locked)( |$)/) n[F[6]]++ }
	NF_ > 7 && F[5] == "operator-mod" && (F[6] in n) && F[8] ~ /unlock/ { n[F[6]] = 0 }
	BEGIN { n["tanaka"] = n["boss"] = 0 }
	END {
		for (i in n) if (!(i in failed) || failed[i] != n[i] "") {
			printf "%s: failed=%s, logged %d\n", i, failed[i], n[i] >"/dev/stderr"; bad = 1 }
		if (!bad) printf "failed=%s\n", failed["tanaka"]
		exit bad
	}' "$D/operators.csv" "$D/oplog.csv") && failed=${_cx#failed=}
}

# after_kill: the next auth-check (unknown id: it counts nothing of its
# own) settles what the kill left, and removes the temporary files it
# left (a copy of the register among them); then the counts agree with
# the log, the log verifies, no note is left, and a wrong password is
# counted as ever.
after_kill() {
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>"$TMP/next.err" ||
	    { cat "$TMP/next.err" >&2; return 1; }
	no_tmp "$D" && no_tmp "$D/credentials" &&
	counts &&
	log-verify -d "$D" -k "$D.key" >/dev/null &&
	! test -e "$D/operators.pending" &&
	n=$failed &&
	{ auth tanaka "$TMP/pw.wrong" 2>/dev/null; _r=$?; [ $_r = 1 ] || [ $_r = 4 ]; } &&
	counts && test "$failed" = $((n + 1)) &&
	! test -e "$D/operators.pending"
}

# The log's own torn writes are t1050's.
crash_untorn='oplog.*'
test_expect_success 'auth-check, a wrong password: a kill at every step' '
	crash_every "$TMP/saved" "$D" after_kill wrong
'
crash_say

test_expect_success 'auth-check, the right password resetting two failures: a kill at every step' '
	crash_every "$TMP/saved" "$D" after_kill right
'
crash_say

test_expect_success 'auth-check, the attempt that locks: a kill at every step' '
	crash_every "$TMP/saved4" "$D" after_kill locks
'
crash_say

test_expect_success 'operator-mod -b, a wrong manager password: a kill at every step' '
	crash_every "$TMP/saved" "$D" after_kill modb_wrong
'
crash_say

test_expect_success 'operator-mod -b, the right password resetting a failure, and its change: a kill at every step' '
	crash_every "$TMP/saved" "$D" after_kill modb boss y
'
crash_say

# A right password when jukisec.conf asks for a costlier hash: the re-hash
# (auth-check(1)) keeps the old hash under a second name over its rename,
# which a kill can leave, a second name of the hash in force or the old
# hash alone.  After each kill: the next right login says nothing, admits,
# re-hashes and destroys what was left; a register change is made, no
# credential file but the live ones is left, and the log verifies.
rehashed() {
	auth tanaka "$TMP/pw.tanaka" 2>"$TMP/next.err" && test ! -s "$TMP/next.err" &&
	{ _t3=; while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in *m=19456,t=3,*) _t3=1 ;; esac
	done <"$D/credentials/tanaka.phc"; test -n "$_t3"; } &&
	creds && { [ "$_cr" = "boss.phc tanaka.phc" ] ||
	    { echo "credentials: $_cr" >&2; false; }; } &&
	log-verify -d "$D" -k "$D.key" >/dev/null
}
# after_rehash_kill: the login on what the kill left; then, on a copy of
# it made first, the register change and the login after it (one kill a
# step for both, where a second loop killed every step again; a kill
# within a write, torn, is followed by the login only, as it was).
after_rehash_kill() {
	{ [ $crash_torn = 1 ] || { rm -rf "$TMP/rk" && cp -a "$D" "$TMP/rk"; }; } &&
	{ rehashed || { cat "$TMP/next.err" >&2; false; }; } || return 1
	[ $crash_torn = 1 ] && return 0
	rm -rf "$D" && mv "$TMP/rk" "$D" &&
	_n=${crash_step%% *} &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -s "after $_n" \
	    4<"$TMP/pw.boss" 2>"$TMP/mod.err" ||
	    { echo "the change after the kill"; cat "$TMP/mod.err"; return 1; } >&2
	test ! -s "$TMP/mod.err" && creds &&
	case " $_cr" in *.old\ *|*.old) false ;; esac &&
	rehashed || { echo "the login after the kill and the change" >&2; return 1; }
}
test_expect_success 'auth-check, a re-hash at a new cost: a kill at every step; the next login finishes it, a register change after the kill is made' '
	cp -a "$TMP/saved" "$TMP/rehash" && conf_set "$TMP/rehash" kdf_time 3 &&
	crash_every "$TMP/rehash" "$D" after_rehash_kill right &&
	grep -q "linkat .*/tanaka.phc.old\$" "$TMP/crash.steps"
'
crash_say

# An unknown id counts nothing, but does a count's disk work on
# operators.pad (t2100): a kill anywhere in it leaves the register as it
# was, no note, nothing operator-list or log-verify trips over, and the
# pad and its temporary files, if left, go with the next register writer.
unknown() { auth nobody "$TMP/pw.wrong"; status 1; }
after_pad() {
	cmp "$TMP/saved/operators.csv" "$D/operators.csv" &&
	! test -e "$D/operators.pending" &&
	operator-list -d "$D" >/dev/null 2>"$TMP/list.err" && test ! -s "$TMP/list.err" &&
	log-verify -d "$D" -k "$D.key" >/dev/null &&
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>/dev/null &&
	! test -e "$D/operators.pad" && ! test -e "$D/operators.pending" &&
	no_tmp "$D" &&
	cmp "$TMP/saved/operators.csv" "$D/operators.csv" && counts
}
test_expect_success 'auth-check, an unknown id: a kill at every step of its pad' '
	crash_every "$TMP/saved" "$D" after_pad unknown &&
	grep -q "operators.pad\$" "$TMP/crash.steps"
'
crash_say

# A kill after the count's register and before its record, one by one:
# the record follows with the settling run, marked so (its time and
# terminal are the settling run's).
test_expect_success 'killed after the count, before its record: the next run logs it, marked settled' '
	crash_after "$TMP/saved" "$D" "operators.csv\$" write "oplog.csv\$" wrong &&
	test "$(field tanaka failed)" = 3 &&
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>/dev/null &&
	test "$(log_count auth denied "^method=password reason=wrong-password settled=interrupted\$")" = 1 &&
	counted tanaka && ! test -e "$D/operators.pending"
'

# The change a manager's check admits is made under the lock that
# counted: its note must name the register the count left as the one
# before, or a kill before the change's register leaves a note that no
# register matches (refused, exit 3, for every writer until a person
# removes it).
test_expect_success 'a manager'"'"'s change killed before its register, after a reset count: withdrawn' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" && crash_trace modb boss z >/dev/null 2>&1 &&
	n=$(awk "\$2 == \"renameat\" && \$3 ~ /operators.csv\$/ { n = \$1 } END { print n }" \
	    "$TMP/crash.trace") &&
	rm -rf "$D" && cp -a "$TMP/saved" "$D" && crash_at "$n" 0 modb boss z >/dev/null 2>&1 &&
	test "$(field boss failed)" = 0 &&
	test_must_fail 1 auth nobody "$TMP/pw.wrong" &&
	grep -q ",boss,register-reconcile,tanaka,withdrawn,operator-mod ok: not made (interrupted)," "$D/oplog.csv" &&
	test "$(field tanaka section)" != z &&
	counted tanaka boss && ! test -e "$D/operators.pending"
'

# noted: $D as a kill between the locking count's note and its register
# left it; snap: its files saved; same: nothing written since.
noted() {
	crash_after "$TMP/saved4" "$D" "operators.pending\$" renameat "operators.csv\$" locks &&
	test -e "$D/operators.pending" && test "$(field tanaka failed)" = 4
}
snap() { files_save operators.csv operators.pending oplog.csv oplog.head; }
same() { files_same operators.csv operators.pending oplog.csv oplog.head; }

# The account stack alone (pam_jukisec in an "account" line, another
# module authenticating): a kill between the note of the attempt that
# locks and the register left a register that does not say locked yet.
# The module settles the note before it answers, as every register writer
# does, so the lock is in force at once (R5.2); it does not go by the
# register alone until the next auth-check.
PC=$JUKISEC_BUILD/tests/pamclient MOD=$JUKISEC_BUILD/pam_jukisec.so
# acct USER [WRAP...]: the account stack for USER, run under WRAP.
acct() {
	_u=$1; shift
	mkdir -p -m 700 "$TMP/pam.d" &&
	echo "account required $MOD dir=$D terminal=term02" >"$TMP/pam.d/acct" &&
	"$@" "$PC" -c "$TMP/pam.d" -A acct "$_u" </dev/null >"$TMP/pc.out" 2>"$TMP/pc.err"
}
test_expect_success 'pam_jukisec account, killed between the locking count note and the register: PAM_PERM_DENIED' '
	crash_after "$TMP/saved4" "$D" "operators.pending\$" renameat "operators.csv\$" locks &&
	test -e "$D/operators.pending" && test "$(field tanaka failed)" = 4 &&
	test_must_fail 6 acct tanaka &&
	grep -qx "pam_acct_mgmt PAM_PERM_DENIED" "$TMP/pc.out" &&
	grep -qx "ERROR_MSG tanaka is locked out: see the Security Manager" "$TMP/pc.out" &&
	test "$(field tanaka failed)" = 5 && ! test -e "$D/operators.pending" &&
	test "$(log_count auth locked "settled=interrupted\$")" = 1 &&
	grep -q ",term02,-,auth,tanaka,locked," "$D/oplog.csv" &&
	counted tanaka boss && log-verify -d "$D" -k "$D.key" >/dev/null
'

test_expect_success 'pam_jukisec account: a note it cannot settle answers PAM_AUTHINFO_UNAVAIL' '
	crash_after "$TMP/saved4" "$D" "operators.pending\$" renameat "operators.csv\$" locks &&
	chmod 644 "$D/oplog.key" && snap &&
	test_must_fail 9 acct tanaka &&
	grep -qx "pam_acct_mgmt PAM_AUTHINFO_UNAVAIL" "$TMP/pc.out" &&
	same && chmod 600 "$D/oplog.key"
'

# The note a kill left is settled only once the log is shown to take its
# record, as the gate shows it before a count (auth-check(1)).  Settled
# first, a log that could not take the record left the count in force in
# the register with no record (exit 3, the note kept), and said so in the
# words of the settlement, not the gate's.
# unsettled LINE [WRAP...]: with the note, an unknown id's auth-check under
# WRAP exits 3 with LINE alone, the line it has without a note, and writes
# nothing.
unsettled() {
	_l=$1; shift
	snap && printf "%s\n" "$_l" >want &&
	test_must_fail 3 "$@" auth-check -d "$D" -u nobody --password-fd 3 \
	    3<"$TMP/pw.wrong" 2>err &&
	test_cmp want err && same
}
# settled: the log put right, the next run settles the note as ever.
settled() {
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>/dev/null &&
	counts && test "$failed" = 5 && ! test -e "$D/operators.pending" &&
	test "$(log_count auth locked "settled=interrupted\$")" = 1 &&
	log-verify -d "$D" -k "$D.key" >/dev/null
}
ro() {
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$1" &&
	    mount -o remount,bind,ro "$1" && shift && exec "$@"' sh "$@"
}
fsize() { sh -c 'ulimit -f 1 && exec "$@"' sh "$@"; }

test_expect_success 'a note left, oplog.key open to its group: the key'"'"'s line, nothing settled' '
	noted && chmod 640 "$D/oplog.key" &&
	unsettled "auth-check: $D/oplog.key: readable by group or others; chmod 600 it" &&
	chmod 600 "$D/oplog.key" && settled
'

test_expect_success 'a note left, oplog.key a symlink: the key'"'"'s line, nothing settled' '
	noted && mv "$D/oplog.key" "$D/key.real" && ln -s key.real "$D/oplog.key" &&
	unsettled "auth-check: $D/oplog.key: a symbolic link: refused" &&
	rm "$D/oplog.key" && mv "$D/key.real" "$D/oplog.key" && settled
'

for f in oplog.csv oplog.head; do
test_expect_success MOUNTNS "a note left, $f read-only: the line of an attempt that cannot be recorded, nothing settled" '
	noted &&
	unsettled "auth-check: $D/'$f': the attempt cannot be recorded (Read-only file system): denied" \
	    ro "$D/'$f'" &&
	settled
'
done

test_expect_success 'a note left, a file size limit the log cannot grow under: the same line, nothing settled' '
	noted &&
	unsettled "auth-check: $D: the attempt cannot be recorded (File too large): denied" fsize &&
	settled
'

test_expect_success 'a note left, oplog.csv open to its group: refused before anything is written, as ever' '
	noted && chmod 620 "$D/oplog.csv" &&
	unsettled "auth-check: $D/oplog.csv: not owned by us or root, or open to others: refused" &&
	chmod 600 "$D/oplog.csv" && settled
'

# Every other writer of the register settles such a note only once the
# log is shown to take its record, as the gate does: operator-add,
# operator-mod, operator-revoke and incident-report through the
# manager's -b check, which is the gate's, and operator-mod --recover,
# which no gate precedes (root with the verification key).  Settled
# first, the recovery put the count in force and then found the log
# unusable (exit 3, the register showing a count no record showed), and
# operator-add, its own record of the attempt refused by the same log,
# said the failure a second time in the file's words, and wrote that
# record to an oplog.csv whose head could not follow.
pw new new-secret-1
# writer TOOL [WRAP...]: TOOL run under WRAP as a manager runs it on $D;
# recover: operator-mod --recover of boss.
writer() {
	_w=$1; shift
	case $_w in
	operator-add) "$@" operator-add -d "$D" -b boss --by-password-fd 4 \
	    -i new -n New -m password --reason r --instructions-given "$INSTR_PW" \
	    --password-fd 3 3<"$TMP/pw.new" 4<"$TMP/pw.boss" ;;
	operator-mod) "$@" operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka -s x 4<"$TMP/pw.boss" ;;
	operator-revoke) "$@" operator-revoke -d "$D" -b boss \
	    --by-password-fd 4 -i tanaka --reason x 4<"$TMP/pw.boss" ;;
	incident-report) "$@" incident-report new -d "$D" -b boss \
	    --by-password-fd 4 --type other --cause other --summary x \
	    4<"$TMP/pw.boss" ;;
	recover) "$@" operator-mod -d "$D" --recover -i boss --key-file "$D.key" ;;
	esac
}
WRITERS="operator-add operator-mod operator-revoke incident-report recover"
# noted_same: same, against $TMP/noted, of which $D is a fresh copy (the
# files HOW changes are not among them): no snap to take per writer.
noted_same() {
	for _f in operators.csv operators.pending oplog.csv oplog.head; do
		cmp "$TMP/noted/$_f" "$D/$_f" || return 1
	done
}
# unsettled_by HOW: for every writer, $D as the kill left it (noted once,
# copied), its log made unusable HOW (key: oplog.key open to its group;
# link: a symlink; csv, head: that file read-only; fsize: a file size
# limit); the writer exits 3 with the line it gives for that log failure,
# alone, and writes nothing (noted_same).  Then the log put right, the
# next run settles the note as ever.
unsettled_by() {
	for _t in $WRITERS; do
		rm -rf "$D" && cp -a "$TMP/noted" "$D" && _wrap= &&
		case $1 in
		key) chmod 640 "$D/oplog.key" ;;
		link) mv "$D/oplog.key" "$D/key.real" && ln -s key.real "$D/oplog.key" ;;
		csv|head) _wrap="ro $D/oplog.$1" ;;
		fsize) _wrap=fsize ;;
		esac &&
		writer_line "$_t" "$1" >want &&
		{ test_must_fail 3 writer "$_t" $_wrap 2>err &&
		    test_cmp want err && noted_same; } ||
		    { echo "($_t)" >&2; return 1; }
	done &&
	case $1 in
	key) chmod 600 "$D/oplog.key" ;;
	link) rm "$D/oplog.key" && mv "$D/key.real" "$D/oplog.key" ;;
	esac && settled
}
# writer_line TOOL HOW: the line TOOL gives when the log fails HOW: the
# gate's for the -b tools; --recover writes the seals owed before its
# key's proof, so oplog.key is refused there, and anything else is said
# as a change that cannot be recorded (a log file that does not open for
# writing before the seals too: operator-mod(1)).
writer_line() {
	_p=$1
	[ "$1" = recover ] && _p=operator-mod
	case $1:$2 in
	*:key) echo "$_p: $D/oplog.key: readable by group or others; chmod 600 it" ;;
	*:link) echo "$_p: $D/oplog.key: a symbolic link: refused" ;;
	recover:csv|recover:head) echo "$_p: $D/oplog.$2: the pending register change cannot be recorded (Read-only file system): not settled" ;;
	recover:fsize) echo "$_p: $D: the pending register change cannot be recorded (File too large): not settled" ;;
	*:csv|*:head) echo "$_p: $D/oplog.$2: the attempt cannot be recorded (Read-only file system): denied" ;;
	*:fsize) echo "$_p: $D: the attempt cannot be recorded (File too large): denied" ;;
	esac
}

test_expect_success 'set up: the note a kill left, for every writer' '
	noted && rm -rf "$TMP/noted" && cp -a "$D" "$TMP/noted"
'

test_expect_success 'every writer, a note left, oplog.key open to its group: the key'"'"'s line, nothing settled' '
	unsettled_by key
'

test_expect_success 'every writer, a note left, oplog.key a symlink: the key'"'"'s line, nothing settled' '
	unsettled_by link
'

test_expect_success MOUNTNS 'every writer, a note left, oplog.csv read-only: its line, nothing settled' '
	unsettled_by csv
'

test_expect_success MOUNTNS 'every writer, a note left, oplog.head read-only: its line, nothing settled' '
	unsettled_by head
'

test_expect_success 'every writer, a note left, a file size limit the log cannot grow under: its line, nothing settled' '
	unsettled_by fsize
'

test_expect_success MOUNTNS 'pam_jukisec account, a note left, oplog.csv read-only: PAM_AUTHINFO_UNAVAIL, nothing settled' '
	noted && snap &&
	test_must_fail 9 acct tanaka ro "$D/oplog.csv" &&
	grep -qx "pam_acct_mgmt PAM_AUTHINFO_UNAVAIL" "$TMP/pc.out" &&
	grep -qx "ERROR_MSG authentication is not available now: see the Security Manager" "$TMP/pc.out" &&
	same && settled
'

test_expect_success 'pam_jukisec account, no note: the register alone, nothing logged' '
	rm -rf "$D" && cp -a "$TMP/saved4" "$D" && cp "$D/oplog.csv" before.csv &&
	acct tanaka && grep -qx "pam_acct_mgmt PAM_SUCCESS" "$TMP/pc.out" &&
	test_cmp before.csv "$D/oplog.csv"
'

# Until a register writer settles it, operators.pending means the log may
# lack a record and the register may not yet show a count (R6, R5.2): the
# committee is told, as for incidents.pending.  The audit only reads.
test_expect_success 'jukisec-audit: operators.pending left by a kill, register-changes names it (WARN)' '
	crash_after "$TMP/saved4" "$D" "operators.pending\$" renameat "operators.csv\$" locks &&
	confirm_items_off && cp "$D/oplog.csv" before.csv &&
	audit_run && test "$ast" = 0 &&
	expect register-changes "WARN operators.pending" &&
	detail register-changes | grep -qF "operators.pending: a register change whose operation-log record is not settled (a writer was interrupted); the next operator-add, operator-mod, operator-revoke or auth-check settles it" &&
	jukisec-audit -d "$D" --lang ja >r.ja &&
	grep -qx "      - 操作履歴への記録が確定していない登録簿の変更があります(書込みが中断されました)。次に登録簿を変更し、又は操作者を認証する際に確定します" r.ja &&
	ja_words r.ja &&
	test -e "$D/operators.pending" && test_cmp before.csv "$D/oplog.csv" &&
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>/dev/null &&
	audit_run && expect register-changes "PASS "
'

# operator-list only reads: with a note left, the register it prints may
# not show the change yet (a lock, here), and standard error says so.
test_expect_success 'operator-list: operators.pending left by a kill, one line on stderr, exit 0' '
	crash_after "$TMP/saved4" "$D" "operators.pending\$" renameat "operators.csv\$" locks &&
	operator-list -d "$D" >out 2>err &&
	echo "operator-list: $D/operators.pending: a register change not settled yet (a writer was interrupted); what is printed may not show it until the next operator-add, operator-mod, operator-revoke or auth-check" >want &&
	test_cmp want err && grep -q "^tanaka " out &&
	test -e "$D/operators.pending" &&
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>/dev/null &&
	operator-list -d "$D" -l >out 2>err && test ! -s err && grep -q "^tanaka " out
'

test_done
