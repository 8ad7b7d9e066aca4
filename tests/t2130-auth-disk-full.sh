#!/bin/sh
# The gate fails closed when it cannot record (R5.2, R6; pam_faillock and
# auditd's disk_full_action): on a full or read-only file system, or with
# the log alone on a read-only mount, every attempt, the right password
# included, and every manager's -b check is a deny with exit 3 and one
# line, so that neither a guess nor an id can be told apart by the answer
# while nothing is counted.  Needs root (a small tmpfs); skipped, with the
# reason, otherwise.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-crash.sh"

# M: a 1 MiB tmpfs for the state; E: one of 512 KiB for a log of
# one-minute epochs.
M=$TMP/mnt E=$TMP/ep
mkdir -m 700 "$M" "$E"
if ! mount -t tmpfs -o size=1m,mode=700 tmpfs "$M" 2>/dev/null ||
    ! mount -t tmpfs -o size=512k,mode=700 tmpfs "$E" 2>/dev/null; then
	umount "$M" 2>/dev/null
	test_skip 'full and read-only file systems' 'cannot mount a tmpfs (not root?)'
	test_done
	exit
fi
trap 'umount "$M" "$E" 2>/dev/null; faketime_litter; rm -rf "$TMP"' EXIT
D=$M/s

test_expect_success 'set up on a 1 MiB tmpfs: manager and an operator' '
	reg_state && bootstrap && add_pw tanaka && pw wrong Not-The-Pw-42 &&
	auth tanaka "$TMP/pw.tanaka"
'

# fill [KIB]: leaves the tmpfs with no room, or KIB KiB (what a log or a
# dump left behind).
fill() {
	free=$(df -k --output=avail "$M" | tail -1) &&
	dd if=/dev/zero of="$M/fill" bs=1k count="$((free - ${1:-0}))" 2>/dev/null;
	test "$(df -k --output=avail "$M" | tail -1)" -eq "${1:-0}"
}

test_expect_success 'full: a wrong password is exit 3, one line, nothing counted' '
	fill && cp "$D/operators.csv" reg.before &&
	test_must_fail 3 auth tanaka "$TMP/pw.wrong" 2>err &&
	one_line_matching err "No space left on device" &&
	cmp reg.before "$D/operators.csv"
'

test_expect_success 'full: the right password is exit 3 too, one line' '
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err &&
	one_line_matching err "^auth-check: .*: the attempt cannot be recorded \(No space left on device\): denied\$"
'

test_expect_success 'full: an unknown id answers as a known one (exit 3)' '
	test_must_fail 3 auth nobody "$TMP/pw.wrong" 2>err &&
	one_line_matching err "No space left on device"
'

test_expect_success 'full: guessing is no oracle: 20 tries, all exit 3, no lock, no admission' '
	i=0; while [ $i -lt 10 ]; do
		test_must_fail 3 auth tanaka "$TMP/pw.wrong" 2>/dev/null || exit 1
		test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>/dev/null || exit 1
		i=$((i + 1))
	done &&
	cmp reg.before "$D/operators.csv"
'

test_expect_success 'full: a manager'"'"'s -b check is exit 3 and changes nothing' '
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -s x 4<"$TMP/pw.boss" 2>err &&
	grep -q "No space left on device" err &&
	cmp reg.before "$D/operators.csv"
'

# A change reads what the manager brings (operator-add's new password)
# only once the attempt is shown recordable.  On a full disk a right
# manager password read the new one before its count failed, a wrong one
# did not, and nothing was counted: guesses without end, told apart by
# that read.  newpw_read PWFILE: operator-add -b boss, its password from
# PWFILE, the new one on descriptor 3 of a shell that keeps it open:
# "STATUS OFFSET", the offset how much of the new password was read.
newpw_read() {
	sh -c 'exec 3<"$1"; shift; "$@" 2>/dev/null
	    echo "$? $(sed -n "s/^pos:[[:space:]]*//p" /proc/$$/fdinfo/3)"' sh \
	    "$TMP/pw.byadd" operator-add -d "$D" -b boss --by-password-fd 4 \
	    -i byadd -n byadd -m password --reason r \
	    --instructions-given "$INSTR_PW" --password-fd 3 4<"$1"
}
test_expect_success 'full: a -b change reads nothing more for a right password than a wrong one' '
	pw byadd byadd-secret-1 &&
	test "$(newpw_read "$TMP/pw.wrong")" = "3 0" &&
	test "$(newpw_read "$TMP/pw.boss")" = "3 0" &&
	cmp reg.before "$D/operators.csv"
'

test_expect_success 'with room again: admitted and logged as before' '
	rm -f "$M/fill" &&
	auth tanaka "$TMP/pw.tanaka" &&
	test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	test "$(field tanaka failed)" = 1 && auth tanaka "$TMP/pw.tanaka"
'

# answers ID:PW...: each auth-check (at $AT when set) is exit 3 with the
# one line of an attempt that cannot be recorded (No space left on
# device); names those that answer otherwise.
answers() {
	printf "%s\n" "auth-check: $D: the attempt cannot be recorded (No space left on device): denied" >want &&
	_bad= &&
	for _a; do
		test_must_fail 3 at_AT auth "${_a%%:*}" "$TMP/pw.${_a#*:}" 2>err &&
		cmp -s want err || { _bad="$_bad $_a"; cat err >&2; }
	done &&
	test -z "$_bad" || { echo "answered otherwise:$_bad" >&2; return 1; }
}

# Whether an attempt changes the count (a wrong password, a right one
# after failures) or not (a right one at 0, an unknown id), and whether a
# right one would re-hash a password of another cost, the answer on a full
# disk is one and the same line: none of them may tell a guess or an id.
test_expect_success 'full: the same line whatever the password, the id, the count or the cost' '
	test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	test "$(field tanaka failed)" = 1 && conf_set "$D" kdf_time 3 &&
	cp "$D/operators.csv" reg.before && fill &&
	answers tanaka:wrong tanaka:tanaka boss:wrong boss:boss nobody:wrong;
	s=$?; rm -f "$M/fill"; test $s = 0 &&
	cmp reg.before "$D/operators.csv" && conf_set "$D" kdf_time 2 &&
	auth tanaka "$TMP/pw.tanaka"
'

# 8 KiB left: room for a new operators.csv (a count written) and a log
# line, not for the room check of one (its size and a log line more).
test_expect_success 'nearly full: a count that could be saved is no exception, the same line' '
	cp "$D/operators.csv" reg.before && fill 8 &&
	answers tanaka:wrong tanaka:tanaka nobody:wrong;
	s=$?; rm -f "$M/fill"; test $s = 0 &&
	cmp reg.before "$D/operators.csv"
'

test_expect_success 'read-only: the right password, a wrong one, -b: exit 3, one line' '
	cp "$D/operators.csv" reg.before &&
	mount -o remount,ro "$M" &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err &&
	one_line_matching err "Read-only file system" &&
	test_must_fail 3 auth tanaka "$TMP/pw.wrong" 2>err &&
	one_line_matching err "Read-only file system" &&
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    -s x 4<"$TMP/pw.boss" 2>err &&
	grep -q "Read-only file system" err;
	s=$?; mount -o remount,rw "$M"; test $s = 0 &&
	cmp reg.before "$D/operators.csv" &&
	auth tanaka "$TMP/pw.tanaka"
'

# ro FILE CMD...: CMD with FILE alone read-only (a bind mount in a mount
# namespace of its own), the rest of the directory writable: the log
# cannot take the record, the register could take the count.
ro() {
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$1" &&
	    mount -o remount,bind,ro "$1" && shift && exec "$@"' sh "$@"
}

# A record cannot be written, the count could: whatever the password or
# the id, the line of a disk that cannot record, naming the file that
# does not open for writing, nothing counted (a wrong
# password raised the count, a right one reset it, with no record).  Said
# once by every tool a manager's -b reaches: operator-add's own record of
# the attempt does not say the log's failure again in the file's words.
for f in oplog.csv oplog.head; do
test_expect_success MOUNTNS "$f alone read-only: the same line for all, nothing counted" '
	test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null &&
	cp "$D/operators.csv" reg.before && cp "$D/oplog.csv" log.before &&
	printf "%s\n" "auth-check: $D/'$f': the attempt cannot be recorded (Read-only file system): denied" >want &&
	for a in tanaka:wrong tanaka:wrong tanaka:tanaka nobody:wrong; do
		test_must_fail 3 ro "$D/'$f'" auth-check -d "$D" -u "${a%%:*}" \
		    --password-fd 3 3<"$TMP/pw.${a#*:}" 2>err &&
		test_cmp want err || exit 1
	done &&
	by_tools_one_line "^[a-z-]+: $D/'$f': the attempt cannot be recorded \(Read-only file system\): denied\$" \
	    ro "$D/'$f'" &&
	cmp reg.before "$D/operators.csv" && cmp log.before "$D/oplog.csv" &&
	auth tanaka "$TMP/pw.tanaka"
'
done

# An immutable or append-only log file (chattr(1)): the kernel refuses
# its open for writing with EPERM, which is not the owner or mode refusal
# that open_safe calls EPERM too.  Taken for that refusal, it let the
# attempt be counted and logged before the head failed (a wrong password
# counted, an admission logged, exit 3).  The line of a log that cannot
# record, naming the file, before anything is counted.  Skipped where the
# file system keeps no such attributes (CHATTR, lib.sh).
# state_copy FIXTURE NAME: $D a copy of the state $TMP/FIXTURE at
# $TMP/NAME, its key at $D.key, jukisec.conf's template_key its own.  The
# fixture is made the first time it is asked for, by mk_FIXTURE in a
# fresh state: one bootstrap and enrolment for the file, where each test
# made its own (password checks that are not what these tests are about).
state_copy() {
	test -d "$TMP/$1" ||
	    { (D=$TMP/$1.tmp && reg_state && "mk_$1") &&
	    mv "$TMP/$1.tmp.key" "$TMP/$1.key" && mv "$TMP/$1.tmp" "$TMP/$1"; } ||
	    return 1
	D=$TMP/$2 && cp -a "$TMP/$1" "$D" && cp "$TMP/$1.key" "$D.key" &&
	conf_set "$D" template_key "$D/template.key"
}
# mk_counted: boss, and tanaka with one failure counted.
mk_counted() {
	bootstrap && add_pw tanaka &&
	test_must_fail 1 auth tanaka "$TMP/pw.wrong" 2>/dev/null
}
for fa in oplog.head:a oplog.head:i oplog.csv:i; do
f=${fa%:*} a=${fa#*:}
test_expect_success CHATTR "$f chattr +$a: the same line for all, nothing counted or logged" '
	state_copy counted "c-'$f-$a'" &&
	cp "$D/operators.csv" reg.before && cp "$D/oplog.csv" log.before &&
	printf "%s\n" "auth-check: $D/'$f': the attempt cannot be recorded (Operation not permitted): denied" >want &&
	chattr +'$a' "$D/'$f'" && s=0 &&
	for w in tanaka:wrong tanaka:tanaka nobody:wrong; do
		test_must_fail 3 auth "${w%%:*}" "$TMP/pw.${w#*:}" 2>err &&
		test_cmp want err || { s=1; break; }
	done;
	chattr -'$a' "$D/'$f'" && test $s = 0 &&
	cmp reg.before "$D/operators.csv" && cmp log.before "$D/oplog.csv" &&
	test "$(field tanaka failed)" = 1 &&
	auth tanaka "$TMP/pw.tanaka" && test "$(field tanaka failed)" = 0
'
done

# An append-only oplog.csv is what a log is: appended to, as ever.
test_expect_success CHATTR 'oplog.csv chattr +a: admitted, the record appended' '
	D=$TMP/c-oplog.head-a && cp "$D/oplog.csv" log.before &&
	chattr +a "$D/oplog.csv" &&
	auth tanaka "$TMP/pw.tanaka"; s=$?
	chattr -a "$D/oplog.csv" && test $s = 0 &&
	test "$(tail -1 "$D/oplog.csv" | csv_awk "{ print F[5] \",\" F[6] \",\" F[7] }")" = auth,tanaka,ok &&
	test "$(cmp -n "$(wc -c <log.before)" log.before "$D/oplog.csv" && echo same)" = same
'

# A register or a pad that cannot be replaced: operators.csv or a pad a
# kill left immutable or append-only (chattr(1), the kernel's EPERM on
# the rename, not open_safe's), a directory that takes new names but lets
# none go (chattr +a), operators.csv a mount point (EBUSY).  The count's
# rename failed after its note (a wrong password, or a right one that
# resets a count: exit 3, a note left) while an unknown id's pad went
# through (exit 1, denied), or the pad failed alone: the answer told a
# registered id, and a right password, from the rest.  Shown before
# anything is counted, whatever the attempt: the line of a disk that
# cannot record, naming the file, exit 3 for all, nothing written or
# logged; a password and a template (an external verifier, the
# fingerprint's path) alike.
XV_DIR=$TMP/xv
export XV_DIR
# fixed_state NAME: $D a fresh state (NAME its directory) with tanaka
# (one failure counted, that the right password resets) and ueda (-m
# external), and the hand of ueda presented: a copy (state_copy).
mk_fixed() {
	mk_counted &&
	conf_set "$D" external_verifier "$SRCDIR/tests/xverifier.sh" &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i ueda -n Ueda \
	    -m external 4<"$TMP/pw.boss" 2>/dev/null
}
fixed_state() {
	mkdir -p "$XV_DIR" && echo ueda-right >"$XV_DIR/hand" &&
	state_copy fixed "r-$1" &&
	test "$(field tanaka failed)" = 1
}
# fixed_answers WHERE ERROR [WRAP...]: a wrong password, the right one,
# an unknown id, ueda's hand and another's, under WRAP: each exit 3 with
# the one line (WHERE: DIR or DIR/FILE), the external attempts after the
# verifier's own; nothing written to the directory (its names, the
# register, the log), no count moved.
fixed_answers() {
	_w=$1 _e=$2; shift 2 &&
	printf "%s\n" "auth-check: $_w: the attempt cannot be recorded ($_e): denied" >want &&
	{ echo "xverifier: verify ueda, present your hand" && cat want; } >want.x &&
	ls -A "$D" >names.before && files_save operators.csv oplog.csv oplog.head &&
	_bad= &&
	for _a in tanaka:wrong tanaka:tanaka nobody:wrong ueda:ueda-right ueda:other; do
		case $_a in
		ueda:*) echo "${_a#*:}" >"$XV_DIR/hand" &&
			test_must_fail 3 "$@" auth-check -d "$D" -u ueda 2>err &&
			cmp -s want.x err ;;
		*) test_must_fail 3 "$@" auth-check -d "$D" -u "${_a%%:*}" \
			    --password-fd 3 3<"$TMP/pw.${_a#*:}" 2>err &&
			cmp -s want err ;;
		esac || { _bad="$_bad $_a"; cat err >&2; }
	done &&
	echo ueda-right >"$XV_DIR/hand" &&
	{ test -z "$_bad" || { echo "answered otherwise:$_bad" >&2; return 1; }; } &&
	ls -A "$D" >names.after && test_cmp names.before names.after &&
	files_same operators.csv oplog.csv oplog.head
}
# fixed_lifted: the attribute gone, every attempt answers as ever.
fixed_lifted() {
	test "$(field tanaka failed)" = 1 &&
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>/dev/null &&
	auth tanaka "$TMP/pw.tanaka" && test "$(field tanaka failed)" = 0 &&
	auth-check -d "$D" -u ueda 2>/dev/null &&
	test "$(log_count auth ok "^method=password reason=ok\$")" = 1
}
for fa in operators.csv:i operators.csv:a operators.pad:i .:a; do
f=${fa%:*} a=${fa#*:}
test_expect_success CHATTR "$f chattr +$a: the same line for all, nothing counted, written or logged" '
	fixed_state "'$f-$a'" &&
	w=$D && { [ '$f' = . ] || w=$D/'$f'; } &&
	{ [ '$f' != operators.pad ] || : >"$D/'$f'"; } &&
	chattr +'$a' "$D/'$f'" &&
	fixed_answers "$w" "Operation not permitted" &&
	by_tools_one_line "^[a-z-]+: $w: the attempt cannot be recorded \(Operation not permitted\): denied\$" &&
	test "$(newpw_read "$TMP/pw.wrong")" = "3 0" &&
	test "$(newpw_read "$TMP/pw.boss")" = "3 0" &&
	files_same operators.csv oplog.csv oplog.head; s=$?
	chattr -'$a' "$D/'$f'" && test $s = 0 && fixed_lifted
'
done

# mountpoint CMD...: CMD with operators.csv a mount point of its own (a
# bind mount of itself, writable), in a mount namespace of its own.
mountpoint() {
	unshare -m sh -c 'mount --make-rprivate / &&
	    mount --bind "$1" "$1" && shift && exec "$@"' sh "$D/operators.csv" "$@"
}
test_expect_success MOUNTNS,CHATTR 'operators.csv a mount point: the same line for all, nothing written' '
	fixed_state mount &&
	fixed_answers "$D/operators.csv" "Device or resource busy" mountpoint &&
	fixed_lifted
'

# The changes no gate precedes, on a register or a pad that cannot be
# replaced: operator-mod --recover wrote its note (operators.pending)
# and, with --reset-password, the new credential, then failed on the
# rename (exit 3, the note left for the next writer, an "error" record);
# the bootstrap wrote the credential, its note and a record the same
# way.  Both now show the names replaceable first, as the gate does:
# one line naming the file, exit 3, nothing written or logged.
for fa in operators.csv:i operators.csv:a operators.pad:i .:a; do
f=${fa%:*} a=${fa#*:}
test_expect_success CHATTR "$f chattr +$a: --recover is one line, nothing written or logged" '
	fixed_state "rec-'$f-$a'" && pw new new-secret-Pw-1 &&
	w=$D && { [ '$f' = . ] || w=$D/'$f'; } &&
	{ [ '$f' != operators.pad ] || : >"$D/'$f'"; } &&
	ls -A "$D" >names.before && ls -A "$D/credentials" >creds.before &&
	files_save operators.csv oplog.csv oplog.head &&
	chattr +'$a' "$D/'$f'" && s=0 &&
	for o in "" "--reset-password --password-fd 3"; do
		test_must_fail 3 operator-mod -d "$D" --recover -i boss \
		    --key-file "$D.key" $o 3<"$TMP/pw.new" 2>err &&
		one_line_matching err "^operator-mod: $w: the recovery cannot be recorded \(Operation not permitted\): nothing changed\$" ||
		    { s=1; break; }
	done &&
	ls -A "$D" >names.after && ls -A "$D/credentials" >creds.after &&
	test_cmp names.before names.after && test_cmp creds.before creds.after &&
	files_same operators.csv oplog.csv oplog.head; s=$((s + $?))
	chattr -'$a' "$D/'$f'" && test $s = 0 &&
	operator-mod -d "$D" --recover -i boss --key-file "$D.key" \
	    --reset-password --password-fd 3 3<"$TMP/pw.new" &&
	test ! -e "$D/operators.pending" && auth boss "$TMP/pw.new" &&
	test "$(log_count recover ok "^uid=0 changed: unlock reset-password\$")" = 1
'
done

# boot_state NAME: $D a fresh state (NAME its directory) that never held
# anyone, with an operators.csv of its header alone when the register is
# to be one that cannot be replaced.  names: the names in $D but the
# lock files, which every writer makes that finds none.
names() { ls -A "$D" | grep -v "\.lock\$"; }
boot_state() {
	D=$TMP/b-$1 && reg_state &&
	case $1 in
	operators.csv-*) head -n 1 "$M/s/operators.csv" >"$D/operators.csv" &&
		chmod 600 "$D/operators.csv" ;;
	esac
}
for fa in operators.csv:i operators.csv:a operators.pad:i .:a; do
f=${fa%:*} a=${fa#*:}
test_expect_success CHATTR "$f chattr +$a: the bootstrap is one line, nothing written or logged" '
	boot_state "'$f-$a'" &&
	w=$D && { [ '$f' = . ] || w=$D/'$f'; } &&
	{ [ '$f' != operators.pad ] || : >"$D/'$f'"; } &&
	names >names.before && files_save oplog.csv oplog.head &&
	chattr +'$a' "$D/'$f'" &&
	bootstrap 2>err; s=$?
	chattr -'$a' "$D/'$f'" && test $s = 3 &&
	one_line_matching err "^operator-add: $w: Operation not permitted\$" &&
	names >names.after && test_cmp names.before names.after &&
	files_same oplog.csv oplog.head &&
	bootstrap && test ! -e "$D/operators.pending" &&
	test "$(field boss role)" = manager && auth boss "$TMP/pw.boss"
'
done

# A count a kill left in operators.pending, its rename not made, with
# operators.csv immutable: every writer settles it first, which puts the
# count in force by that rename, and fails there, before any decision:
# one line naming the register, exit 3, the same for a wrong password,
# the right one, an unknown id, an external verifier's hand, every
# manager's -b and --recover.  The note stays as it is, nothing is
# counted, and once the attribute is gone the next writer settles it:
# the count the killed attempt made in force, with its record.
# auths: the number of "auth" records in the log.  denied: tanaka's
# wrong password, a success when denied (crash_after traces it whole),
# a kill's 137 passed on.
auths() { csv_awk 'NF_ > 7 && F[5] == "auth" { n++ } END { print n + 0 }' "$D/oplog.csv"; }
denied() { auth tanaka "$TMP/pw.wrong" 2>/dev/null; _r=$?; [ $_r = 1 ] || return $_r; }
test_expect_success CHATTR 'a count a kill left, operators.csv chattr +i: the same line for all, the note kept' '
	fixed_state noted && cp -a "$D" "$TMP/noted.saved" &&
	crash_after "$TMP/noted.saved" "$D" "operators.pending\$" renameat \
	    "operators.csv\$" denied &&
	test -e "$D/operators.pending" && test "$(field tanaka failed)" = 1 &&
	files_save operators.csv operators.pending oplog.csv oplog.head &&
	na=$(auths) && line="$D/operators.csv: Operation not permitted" &&
	printf "auth-check: %s\n" "$line" >want &&
	{ echo "xverifier: verify ueda, present your hand" && cat want; } >want.x &&
	chattr +i "$D/operators.csv" && s=0 &&
	for w in tanaka:wrong tanaka:tanaka boss:boss nobody:wrong; do
		test_must_fail 3 auth "${w%%:*}" "$TMP/pw.${w#*:}" 2>err &&
		test_cmp want err || { s=1; break; }
	done &&
	test_must_fail 3 auth-check -d "$D" -u ueda 2>err && test_cmp want.x err &&
	files_same operators.csv operators.pending oplog.csv oplog.head &&
	by_tools_one_line "^[a-z-]+: $line\$" &&
	test "$(newpw_read "$TMP/pw.wrong")" = "3 0" &&
	tail -n 1 "$D/oplog.csv" | cut -d, -f3-8 >rec.wrong &&
	test "$(newpw_read "$TMP/pw.boss")" = "3 0" &&
	tail -n 1 "$D/oplog.csv" | cut -d, -f3-8 >rec.boss &&
	test_cmp rec.wrong rec.boss &&
	test_must_fail 3 operator-mod -d "$D" --recover -i boss \
	    --key-file "$D.key" 2>err &&
	one_line_matching err "^operator-mod: $line\$" &&
	files_same operators.csv operators.pending && test "$(auths)" = "$na"
	s=$((s + $?))
	chattr -i "$D/operators.csv" && test $s = 0 &&
	test_must_fail 1 auth nobody "$TMP/pw.wrong" 2>/dev/null &&
	test ! -e "$D/operators.pending" && test "$(field tanaka failed)" = 2 &&
	counted tanaka &&
	test "$(log_count auth denied "settled=interrupted")" = 1 &&
	log-verify -d "$D" -k "$D.key" >/dev/null
'

# A log idle for hours owes a seal for every epoch that ended (one a
# minute here) and a key file moved past them.  The gate writes them
# before the count, and only with room for them and the key file.  Written
# with the record, after the count, they failed on a full disk once a
# wrong password was counted or a right one reset (no record), or after
# the record (an admission logged that was never given, and oplog.key
# left at epoch 0, the verification key itself, the log at epoch 120).
test_expect_success FAKETIME 'set up: a log of one-minute epochs, last written at 09:00' '
	D=$E/s &&
	(umask 077 && at 2026-12-01T09:00:00Z jukisec-init -d "$D" --epoch 60 \
	    >"$E.key" 2>/dev/null) &&
	conf_set "$D" kdf_memory_kib 19456 && conf_set "$D" kdf_time 2 &&
	at 2026-12-01T09:00:01Z bootstrap && at 2026-12-01T09:00:02Z add_pw u1
'

# snap: copies of the register and the log's files; same: they are as
# the copies.
snap() { files_save operators.csv oplog.csv oplog.head oplog.key; }
same() { files_same operators.csv oplog.csv oplog.head oplog.key; }

# key_current: oplog.key holds the key of the epoch the log is in (its
# last record's, the next one after a seal), never one the log has left.
key_current() {
	_k=$(sed -n 's/.* epoch=\([0-9]*\) .*/\1/p' "$D/oplog.key") &&
	_l=$(tail -n 1 "$D/oplog.csv" | csv_awk '{ print F[9] + (F[4] == "-" && F[5] == "seal") }') &&
	test "$_k" = "$_l" || { echo "oplog.key at epoch $_k, the log at $_l" >&2; return 1; }
}

# idle TIME EPOCHS: 12 KiB left (three pages), not enough for the seals
# owed at TIME and a new key file: a wrong password, the right one and an
# unknown id get the one line, exit 3; nothing is written, and the log is
# refused for the seals it lacks, as it was, never sealed in part.
idle() {
	D=$E/s M=$E AT=$1 &&
	snap && fill 12 &&
	answers u1:wrong u1:u1 nobody:wrong;
	_s=$?; rm -f "$M/fill"; test $_s = 0 &&
	same && test "$(field u1 failed)" = 0 && key_current &&
	test_must_fail 1 log-verify -d "$D" -k "$E.key" --now "$AT" 2>err &&
	one_line_matching err "epochs 0 to $2 unsealed: the log stops at 2026-12-01T09:00:02.000Z"
}

test_expect_success FAKETIME '2 h idle, 12 KiB left: the seals fit, the key file not: the same line, nothing written' '
	idle 2026-12-01T11:00:30Z 119
'

# log-append --seal shows room for the seals and a new key file first:
# seals whose key file could not follow would leave the key of an ended
# epoch on the disk (here epoch 0's, the verification key itself).
test_expect_success FAKETIME 'log-append --seal, 2 h idle, 12 KiB left: nothing written, no key left behind' '
	D=$E/s M=$E &&
	snap && fill 12 &&
	at 2026-12-01T11:00:30Z log-append -d "$D" --seal 2>err;
	_s=$?; rm -f "$M/fill"; test $_s = 3 &&
	one_line_matching err "^log-append: $D/oplog.key: No space left on device\$" &&
	same && key_current
'

# Any append whose key moves: the same room first, else nothing written.
# Written with no room for the key file, the seals and the record were
# committed and the tool still failed (exit 3): a retrying script logged
# the record twice, and oplog.key kept the ended epochs' key.
test_expect_success FAKETIME 'log-append, one record or a batch, 2 h idle, 12 KiB left: exit 3, nothing written' '
	D=$E/s M=$E &&
	snap && fill 12 &&
	at 2026-12-01T11:00:30Z log-append -d "$D" -t t2 -u u1 -a view 2>err;
	_s=$?; test $_s = 3 &&
	one_line_matching err "^log-append: $D/oplog.key: No space left on device\$" &&
	printf "u1,view,,ok,\nu1,view,,ok,\n" >batch &&
	at 2026-12-01T11:00:30Z log-append -d "$D" -t t2 --stdin <batch 2>err;
	_s=$?; rm -f "$M/fill"; test $_s = 3 &&
	one_line_matching err "^log-append: $D/oplog.key: No space left on device\$" &&
	same && key_current
'

test_expect_success FAKETIME '8 h idle, 12 KiB left: the seals do not fit: the same line, nothing counted' '
	idle 2026-12-01T17:00:30Z 479
'

test_expect_success FAKETIME 'with room: admitted, the log sealed and verifying, the key moved on' '
	D=$E/s AT=2026-12-01T17:00:30Z &&
	at_AT auth u1 "$TMP/pw.u1" && key_current &&
	grep -q " epoch=480 " "$D/oplog.key" &&
	test "$(log_count auth ok "^method=password reason=ok\$")" = 1 &&
	log-verify -d "$D" -k "$E.key" --now "$AT" >/dev/null
'

# A few epochs on a nearly full disk: their seals, the key file, the
# count and the record fit, and the room shown for the seals refuses none.
test_expect_success FAKETIME '10 min idle, 16 KiB left: admitted, sealed, the key moved on' '
	D=$E/s M=$E AT=2026-12-01T17:10:30Z &&
	fill 16 && at_AT auth u1 "$TMP/pw.u1";
	_s=$?; rm -f "$M/fill"; test $_s = 0 && key_current &&
	log-verify -d "$D" -k "$E.key" --now "$AT" >/dev/null
'

test_done
