#!/bin/sh
# operator-mod --recover: the way back for a locked or lost sole Security
# Manager (R5.1).  The state directory's owner (root for one root owns) with the offline
# log verification key unlocks the manager and, on request, replaces the
# credential; nothing else.  Every try is the log's "recover" record, and
# jukisec-audit lists them.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

# reg_of: the register, without the columns a recovery may change.
reg_of() {
	mlr --icsv --ocsv cut -x -f failed,locked,locked_at "$D/operators.csv"
}

test_expect_success 'set up: the sole manager locked out by five wrong passwords' '
	audit_state && add_pw tanaka && pw wrong Not-The-Pw-42 &&
	for i in 1 2 3 4; do auth boss "$TMP/pw.wrong" 2>/dev/null; test $? = 1 || exit 1; done &&
	test_must_fail 4 auth boss "$TMP/pw.wrong" 2>/dev/null &&
	test_must_fail 4 auth boss "$TMP/pw.boss" 2>/dev/null &&
	test "$(field boss locked)" = yes &&
	reg_of >reg.before
'

test_expect_success 'nothing else unlocks the manager: operator-mod -b boss is refused' '
	test_must_fail 1 operator-mod -d "$D" -b boss --by-password-fd 4 -i boss -u \
	    4<"$TMP/pw.boss" 2>err &&
	test "$(field boss locked)" = yes
'

test_expect_success '--recover without --key-file, or with -b, -u or other changes: usage, nothing logged' '
	n=$(wc -l <"$D/oplog.csv") &&
	test_must_fail 2 operator-mod -d "$D" --recover -i boss 2>err &&
	grep -q "^operator-mod: --recover needs --key-file" err &&
	test_must_fail 2 operator-mod -d "$D" --recover -i boss --key-file "$D.key" -b boss 2>err &&
	test_must_fail 2 operator-mod -d "$D" --recover -i boss --key-file "$D.key" -e 2027-01-01 2>err &&
	for o in -u --unlock; do
		test_must_fail 2 operator-mod -d "$D" --recover "$o" -i boss \
		    --key-file "$D.key" 2>err &&
		grep -q "^operator-mod: --recover takes -i, --key-file and at most one of --reset-password and --reenroll\$" err ||
		return 1
	done &&
	test "$(field boss locked)" = yes &&
	test_must_fail 2 operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --reset-password --reenroll 2>err &&
	test_must_fail 2 operator-mod -d "$D" -b boss -i boss -u --key-file "$D.key" 2>err &&
	test "$(wc -l <"$D/oplog.csv")" = "$n"
'

# As without --recover: an option the credential to be made does not take
# would be ignored, so it is a usage error, before anything is logged.
test_expect_success '--password-fd without --reset-password, --finger or --device without --reenroll: usage, nothing logged' '
	nrec=$(wc -l <"$D/oplog.csv") &&
	test_must_fail 2 operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --password-fd 3 3<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-mod: --password-fd belongs to a new password \(-m password, --reset-password\)\$" &&
	for o in --finger=left-thumb --device=virtual_device; do
		test_must_fail 2 operator-mod -d "$D" --recover -i boss \
		    --key-file "$D.key" "$o" 2>err &&
		one_line_matching err "^operator-mod: --finger and --device belong to a fingerprint enrolment \(-m fingerprint, --reenroll\)\$" &&
		test_must_fail 2 operator-mod -d "$D" --recover -i boss \
		    --key-file "$D.key" --reset-password "$o" 2>err ||
		return 1
	done &&
	test_must_fail 2 operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --reenroll --password-fd 3 3<"$TMP/pw.boss" 2>err &&
	grep -q "^operator-mod: --password-fd belongs" err &&
	test_must_fail 2 operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --reenroll --finger thumb 2>err &&
	one_line_matching err "^operator-mod: unknown finger thumb \(e.g. right-index-finger, left-thumb\)\$" &&
	test "$(field boss locked)" = yes &&
	test "$(wc -l <"$D/oplog.csv")" = "$nrec"
'

test_expect_success 'a wrong key (another register'"'"'s): exit 1, nothing changed, logged' '
	init_state "$TMP/other" && chmod 600 "$TMP/other.key" &&
	test_must_fail 1 operator-mod -d "$D" --recover -i boss \
	    --key-file "$TMP/other.key" 2>err &&
	one_line_matching err "^operator-mod: .*other.key: the log does not verify under this key \(a wrong key, or the log was altered\)" &&
	test "$(field boss locked)" = yes &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,denied,uid=$(id -u) reason=wrong-key,"
'

test_expect_success 'a missing or unreadable key, a FIFO: exit 1, nothing changed, logged' '
	test_must_fail 1 operator-mod -d "$D" --recover -i boss --key-file "$TMP/nokey" 2>err &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,denied,uid=$(id -u) reason=key-unreadable," &&
	cp "$D.key" open.key && chmod 644 open.key &&
	test_must_fail 1 operator-mod -d "$D" --recover -i boss --key-file open.key 2>err &&
	grep -q "readable by group or others" err &&
	mkfifo kfifo &&
	test_must_fail 1 timeout 20 operator-mod -d "$D" --recover -i boss --key-file kfifo 2>err &&
	grep -q "^operator-mod: kfifo: not a regular file: refused$" err &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,denied,uid=$(id -u) reason=key-unreadable," &&
	test "$(field boss locked)" = yes
'

test_expect_success 'only a manager is recovered: an operator, an unknown id are refused' '
	test_must_fail 1 operator-mod -d "$D" --recover -i tanaka --key-file "$D.key" 2>err &&
	grep -q "tanaka: not a Security Manager" err &&
	tail -1 "$D/oplog.csv" | grep -q ",recover,tanaka,denied,uid=$(id -u) reason=not-manager," &&
	test_must_fail 1 operator-mod -d "$D" --recover -i nobody --key-file "$D.key" 2>err &&
	test_must_fail 2 operator-mod -d "$D" --recover -i boss --key-file "$D.key" --reenroll 2>err &&
	grep -q "reenroll belongs to fingerprint" err &&
	test "$(field boss locked)" = yes
'

# The new password is read last, after the key proved and the manager was
# found: a try that fails there is past the option check, and recorded.
test_expect_success 'a new password refused or unreadable: nothing changed, logged (denied, error)' '
	pw short abc &&
	test_must_fail 2 operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --reset-password --password-fd 3 3<"$TMP/pw.short" 2>err &&
	one_line_matching err "^operator-mod: --password-fd 3: password shorter than 8 bytes \(password_min_length\)\$" &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,denied,uid=$(id -u) reason=password-refused," &&
	test_must_fail 3 operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --reset-password --password-fd 8 2>err &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,error,uid=$(id -u) changed: unlock reset-password," &&
	test "$(field boss locked)" = yes &&
	reg_of >reg.now && test_cmp reg.before reg.now
'

test_expect_success 'log-append cannot write a recover record' '
	test_must_fail 2 log-append -d "$D" -u - -a recover -o boss -r ok 2>err &&
	grep -q "reserved for the log" err
'

# The recovery's own change, with no note left by another writer, is made
# only once the log is shown to take its record, as every writer's
# (auth-check(1), register_log_ready): written first, a log that then
# refused the record left the unlock in force in operators.csv, its note
# kept for the next writer, and no record of it (exit 3).  Now the
# register, the credential and the log stay as they were, no note is
# left, and one line says what failed, as the gate says it for operator-mod
# without --recover.
ro() {
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$1" &&
	    mount -o remount,bind,ro "$1" && shift && exec "$@"' sh "$@"
}
fsize() { sh -c 'ulimit -f 1 && exec "$@"' sh "$@"; }
# unrecorded WHERE ERROR [WRAP...]: --recover of boss, and --recover
# --reset-password, under WRAP exit 3 with the one line (WHERE: the file
# that does not open for writing, or the directory), and write nothing.
unrecorded() {
	_w=$1 _e=$2; shift 2 &&
	printf "%s\n" "operator-mod: $_w: the recovery cannot be recorded ($_e): nothing changed" >want &&
	files_save operators.csv oplog.csv oplog.head &&
	cp "$D/credentials/boss.phc" phc.before &&
	test_must_fail 3 "$@" operator-mod -d "$D" --recover -i boss \
	    --key-file "$D.key" 2>err &&
	test_cmp want err && files_same operators.csv oplog.csv oplog.head &&
	pw newboss "boss-new-secret-2" && cat "$TMP/pw.newboss" "$TMP/pw.newboss" >pw2 &&
	test_must_fail 3 "$@" operator-mod -d "$D" --recover -i boss \
	    --key-file "$D.key" --reset-password --password-fd 3 3<pw2 2>err &&
	test_cmp want err &&
	files_same operators.csv oplog.csv oplog.head &&
	cmp phc.before "$D/credentials/boss.phc" &&
	! test -e "$D/operators.pending" && ! test -e "$D/credentials/boss.phc.old" &&
	test "$(field boss locked)" = yes
}

test_expect_success MOUNTNS 'oplog.head read-only: exit 3, one line, the register and the log as they were' '
	unrecorded "$D/oplog.head" "Read-only file system" ro "$D/oplog.head"
'

test_expect_success MOUNTNS 'oplog.csv read-only: exit 3, one line, the register and the log as they were' '
	unrecorded "$D/oplog.csv" "Read-only file system" ro "$D/oplog.csv"
'

test_expect_success 'a file size limit the log cannot grow under: exit 3, one line, nothing changed' '
	unrecorded "$D" "File too large" fsize
'

# An immutable log (chattr +i): the kernel's EPERM, said as its errno, as
# for oplog.head, never as open_safe's refusal of the file's owner or
# mode (the file is root's, 0600).
test_expect_success CHATTR 'oplog.csv immutable: exit 3, the kernel'"'"'s error, nothing changed' '
	chattr +i "$D/oplog.csv" &&
	{ unrecorded "$D/oplog.csv" "Operation not permitted"; s=$?; } &&
	chattr -i "$D/oplog.csv" && test $s = 0
'

test_expect_success 'the right key: unlocked, count reset, nothing else changed, logged' '
	operator-mod -d "$D" --recover -i boss --key-file "$D.key" &&
	test "$(field boss locked)" = no && test "$(field boss failed)" = 0 &&
	reg_of >reg.after && test_cmp reg.before reg.after &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,ok,uid=$(id -u) changed: unlock," &&
	auth boss "$TMP/pw.boss" &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -s Desk 4<"$TMP/pw.boss"
'

test_expect_success 'a lost password: --reset-password with the key replaces it' '
	pw newboss "boss-new-secret-2" && cat "$TMP/pw.newboss" "$TMP/pw.newboss" >pw2 &&
	operator-mod -d "$D" --recover -i boss --key-file "$D.key" --reset-password \
	    --password-fd 3 3<pw2 &&
	tail -1 "$D/oplog.csv" | grep -q ",recover,boss,ok,uid=$(id -u) changed: unlock reset-password," &&
	auth boss "$TMP/pw.newboss" &&
	test_must_fail 1 auth boss "$TMP/pw.boss" 2>/dev/null
'

# As operator-mod(1): the hash replaced is destroyed once the change is
# committed; one with another hard link keeps its bytes there, and is
# reported not destroyed (exit 3, logged so), the new one in force.
test_expect_success '--recover --reset-password: a hard-linked old hash is reported not destroyed' '
	ln "$D/credentials/boss.phc" linked.phc && cp linked.phc linked.want &&
	test_must_fail 3 operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --reset-password --password-fd 3 3<pw2 2>err &&
	one_line_matching err "^operator-mod: $D/credentials/boss\\.phc\\.old: has other hard links: unlinked, not overwritten; the change to boss is made and logged, do not make it again\$" &&
	cmp linked.want linked.phc && ! test -e "$D/credentials/boss.phc.old" &&
	tail -1 "$D/oplog.csv" | grep -q ",recover,boss,ok,uid=$(id -u) changed: unlock reset-password (old credential not destroyed)," &&
	auth boss "$TMP/pw.newboss"
'

test_expect_success 'a revoked manager is not brought back' '
	operator-add -d "$D" -b boss --by-password-fd 4 -i deputy -n deputy -r manager \
	    -m password --reason "no reader" --instructions-given 2026-11-20 \
	    --password-fd 3 3<"$TMP/pw.boss" 4<"$TMP/pw.newboss" &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i deputy --reason left \
	    4<"$TMP/pw.newboss" &&
	test_must_fail 1 operator-mod -d "$D" --recover -i deputy --key-file "$D.key" 2>err &&
	grep -q "deputy: revoked" err
'

# A password manager whose row records no R5.3 exception (a reason or an
# approver blanked by hand, a date that is not one) is admitted by no gate:
# a recovery would be logged "ok" and restore nothing, so it is refused as
# the gate refuses the row.
test_expect_success 'a manager row that records no R5.3 exception is not recovered: exit 1, denied' '
	rm -rf "$TMP/nox" && cp -a "$D" "$TMP/nox" &&
	csv_set "$TMP/nox/operators.csv" boss exception_reason "" &&
	cp "$TMP/nox/operators.csv" reg.before &&
	test_must_fail 1 operator-mod -d "$TMP/nox" --recover -i boss --key-file "$D.key" 2>err &&
	one_line_matching err "^operator-mod: boss: " &&
	tail -1 "$TMP/nox/oplog.csv" | grep -q ",recover,boss,denied,uid=[0-9]* reason=register-row-damaged," &&
	test_cmp reg.before "$TMP/nox/operators.csv"
'

# (The end given while a deputy could act at it, the deputy revoked
# since: the bootstrap gives no end.)
test_expect_success 'an expired manager is recovered (exit 0) and stays expired' '
	D=$TMP/expired && reg_state "$D" &&
	operator-add -d "$D" -i boss -n Boss -r manager -m password \
	    --reason "no reader yet" --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.newboss" &&
	pw deputy deputy-secret-1 &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i deputy -n Deputy \
	    -r manager -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.deputy" 4<"$TMP/pw.newboss" &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i boss \
	    -e "$(date -d "+1 day" +%F)" 4<"$TMP/pw.newboss" &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i deputy \
	    --reason moved 4<"$TMP/pw.newboss" &&
	later=$(date -u -d "+3 days" +%Y-%m-%dT%H:%M:%SZ) &&
	exp=$(field boss expires) &&
	test_must_fail 1 at "$later" operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i boss -e never 4<"$TMP/pw.newboss" 2>/dev/null &&
	at "$later" operator-mod -d "$D" --recover -i boss --key-file "$D.key" &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,ok,uid=$(id -u) changed: unlock," &&
	test "$(field boss expires)" = "$exp" &&
	test_must_fail 1 at "$later" operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i boss -e never 4<"$TMP/pw.newboss" 2>/dev/null &&
	test "$(field boss expires)" = "$exp"
'

# as_nobody CMD...: CMD as uid and gid 65534, no other group.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

other_test='neither root nor the owner: refused and logged (exit 1), or, the log not writable, exit 3 and one line'
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	test_expect_success "$other_test" '
		D=$TMP/other-uid && reg_state "$D" && bootstrap && chmod 755 "$TMP" &&
		chown -R 65534:65534 "$D" && chown 0 "$D" && chmod 750 "$D" &&
		test_must_fail 1 as_nobody operator-mod -d "$D" --recover -i boss \
		    --key-file /dev/null 2>err &&
		one_line_matching err "^operator-mod: --recover: only root or the owner of .*/other-uid may recover a manager\$" &&
		tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,denied,uid=65534 reason=not-authorised," &&
		chown -R 0 "$D" && chgrp 65534 "$D" "$D/jukisec.conf" &&
		chmod 640 "$D/jukisec.conf" &&
		cp "$D/oplog.csv" log.before &&
		test_must_fail 3 as_nobody operator-mod -d "$D" --recover -i boss \
		    --key-file /dev/null 2>err &&
		one_line_matching err "^operator-mod: --recover -i boss refused \(not-authorised\); the refusal could not be recorded: .*/oplog.lock: Permission denied\$" &&
		test_cmp log.before "$D/oplog.csv"
	'
else
	test_skip "$other_test" "needs root and setpriv (uid $(id -u))"
fi

owner_test='the state directory'"'"'s owner may recover, the log says which uid; root is refused another'"'"'s state (exit 3), nothing recorded'
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	test_expect_success "$owner_test" '
		chown -R nobody "$D" && chmod 755 "$TMP" &&
		cp "$D.key" nb.key && chown nobody nb.key &&
		su -s /bin/sh nobody -c "PATH=$PATH operator-mod -d $D --recover -i boss --key-file $TMP/nb.key" &&
		tail -1 "$D/oplog.csv" | grep -q ",recover,boss,ok,uid=$(id -u nobody) changed: unlock," &&
		cp "$D/oplog.csv" log.before &&
		test_must_fail 3 operator-mod -d "$D" --recover -i boss --key-file "$D.key" 2>err &&
		one_line_matching err "^operator-mod: $D: refusing a state directory owned by uid $(id -u nobody)\$" &&
		test_cmp log.before "$D/oplog.csv" &&
		chown -R 0 "$D"
	'
else
	test_skip "$owner_test" "needs root and a user nobody (uid $(id -u))"
fi

test_expect_success 'the log still verifies; the audit lists every recovery (R5.1 WARN)' '
	log-verify -d "$D" --key-file "$D.key" >/dev/null &&
	audit_run --key-file "$D.key" &&
	finding manager-recoveries | grep -q "^WARN seq " &&
	detail manager-recoveries | grep -q "use(s) or attempt(s) in the log of the log verification key to recover a Security Manager or the operation log" &&
	test "$(grep -c ",-,recover," "$D/oplog.csv")" = \
	    "$(detail manager-recoveries | grep -o "^[0-9]*")"
'

# log-append --recover writes a recover record too (jukisec-log(5)), object
# oplog.csv, detail "by uid=": a use of the same key, listed in the same
# check as what it is.  The detail tells the two apart, not the object: a
# manager's id may be oplog.csv.
test_expect_success 'a recovery of the log is listed as such, a manager oplog.csv as a manager' '
	pw oplog.csv oplog-secret-1 &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i oplog.csv -n oplog.csv \
	    -r manager -m password --reason "no reader" --instructions-given 2026-11-20 \
	    --password-fd 3 3<"$TMP/pw.oplog.csv" 4<"$TMP/pw.newboss" &&
	operator-mod -d "$D" --recover -i oplog.csv --key-file "$D.key" &&
	rm "$D/oplog.key" &&
	log-append -d "$D" --recover --key-file "$D.key" >/dev/null &&
	u=$(id -u) &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,oplog.csv,ok,by uid=$u: key: " &&
	jukisec-audit -d "$D" --key-file "$D.key" --lang en >en &&
	test "$(grep -c ": recovery of the operation log (log-append --recover) at terminal [^ ]*, done (by uid=$u: key: " en)" = 1 &&
	test "$(grep -c ": recovery of oplog.csv.* at terminal [^ ]*, done (uid=$u changed: unlock)$" en)" = 1 &&
	! grep -qF "(id oplog.csv)" en &&
	jukisec-audit -d "$D" --key-file "$D.key" --lang ja >ja &&
	test "$(grep -c ": 検証鍵で確認できた記録までを残す操作履歴の回復(端末機 [^ ]*)、実施\$" ja)" = 1 &&
	test "$(grep -c ": oplog.csv の回復(端末機 [^ ]*)、実施(ロックの解除)\$" ja)" = 1 &&
	! grep -q "uid\|log-append\|reason=" ja &&
	grep -q "検証鍵によるセキュリティ責任者または操作履歴の回復の実施または試行が [0-9]* 件" ja
'

# The way back is needed most when nobody has used the system: epochs
# that ended with no record are sealed first, as any writer does, so the
# right key is not refused as a wrong one for their want of seals.
test_expect_success 'after a quiet spell (weeks with no record) the right key recovers at once' '
	later=$(date -u -d "+40 days" +%Y-%m-%dT%H:%M:%SZ) &&
	n=$(wc -l <"$D/oplog.csv") &&
	at "$later" operator-mod -d "$D" --recover -i boss --key-file "$D.key" 2>err &&
	test ! -s err &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,ok,uid=$(id -u) changed: unlock," &&
	tail -n +$((n + 1)) "$D/oplog.csv" | grep -q ",-,seal," &&
	log-verify -d "$D" --key-file "$D.key" --now "$later" >/dev/null
'

# operator-mod(1): what it records and decides happens at the clock's
# time, never before the log's last record; so does the key's proof.  A
# clock set back behind the log (a dead RTC battery, a clock that ran
# ahead put right) does not refuse the right key as a wrong one: the log
# is verified at the time its records will carry.  A wrong key is still
# one.
test_expect_success FAKETIME 'a clock set back behind the log: the right key recovers, a wrong one does not' '
	ahead=$(date -u -d "+60 days" +%Y-%m-%dT%H:%M:%SZ) &&
	at "$ahead" operator-mod -d "$D" --recover -i boss --key-file "$D.key" &&
	last=$(tail -1 "$D/oplog.csv" | cut -d, -f2) &&
	nd=$(log_count recover denied "reason=wrong-key") &&
	test_must_fail 1 operator-mod -d "$D" --recover -i boss \
	    --key-file "$TMP/other.key" 2>err &&
	grep -q "other.key: the log does not verify under this key" err &&
	test "$(log_count recover denied "reason=wrong-key")" = $((nd + 1)) &&
	operator-mod -d "$D" --recover -i boss --key-file - <"$D.key" 2>err &&
	test ! -s err &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,ok,uid=$(id -u) changed: unlock," &&
	test "$(log_count recover denied "reason=wrong-key")" = $((nd + 1)) &&
	printf "%s\n" "$last" "$(tail -1 "$D/oplog.csv" | cut -d, -f2)" | sort -c &&
	log-verify -d "$D" --key-file "$D.key" --now "$ahead" >/dev/null
'

# operator-mod(1): a try stopped by a signal while it waits for the new
# password, after the key was taken, ends by that signal with no record;
# nothing changes, and the next try is recorded as ever.
test_expect_success '--recover stopped by a signal at the new password: ends by it, no record, nothing changed' '
	D=$TMP/sig && reg_state "$D" && chmod 600 "$D.key" && bootstrap &&
	cp "$D/oplog.csv" log.before && cp "$D/operators.csv" reg.before &&
	cp "$D/credentials/boss.phc" phc.before &&
	rm -f fifo && mkfifo fifo &&
	{ operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --reset-password --password-fd 3 3<>fifo 2>err & } && pid=$! &&
	blocked_read $pid 3 && { kill -TERM $pid; wait $pid; rc=$?; } &&
	test $rc = 143 &&
	test_cmp log.before "$D/oplog.csv" && test_cmp reg.before "$D/operators.csv" &&
	cmp phc.before "$D/credentials/boss.phc" &&
	operator-mod -d "$D" --recover -i boss --key-file "$D.key" &&
	tail -1 "$D/oplog.csv" | grep -q ",-,recover,boss,ok,uid=$(id -u) changed: unlock,"
'

test_done
