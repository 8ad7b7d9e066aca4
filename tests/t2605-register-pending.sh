#!/bin/sh
# A register change and its log record (jukisec-log(5), "Register
# changes"): operators.pending, left by a crash between them, is settled
# by the next writer of the register — auth-check included —, and a
# pending file that cannot be settled is refused, never guessed at (exit
# 3, the file named, nothing changed).  t2600 kills every step; these are
# the settlements one by one and the refusals.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-crash.sh"

test_expect_success 'set up' '
	reg_state && bootstrap && add_pw base && cp -a "$D" "$TMP/saved"
'

add() {
	pw new new-secret-1 &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i new -n "New" \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.new" 4<"$TMP/pw.boss"
}
# kill_add CALL PATH: operator-add from the saved state, killed before its
# step CALL PATH (the first such step after operators.pending is written).
kill_add() {
	crash_after "$TMP/saved" "$D" "operators.pending\$" "$1" "$2" add &&
	test -e "$D/operators.pending"
}

test_expect_success 'killed after the register, before the log: auth-check logs the change' '
	kill_add write "oplog.csv\$" &&
	! grep -q ",operator-add,new,ok," "$D/oplog.csv" &&
	auth base "$TMP/pw.base" &&
	! test -e "$D/operators.pending" &&
	test "$(grep -c ",boss,operator-add,new,ok,role=" "$D/oplog.csv")" -eq 1 &&
	log-verify -d "$D" -k "$D.key" >/dev/null
'

test_expect_success 'killed after the record, before the file went: not logged twice' '
	kill_add unlinkat operators.pending &&
	auth base "$TMP/pw.base" &&
	! test -e "$D/operators.pending" &&
	test "$(grep -c ",operator-add,new,ok," "$D/oplog.csv")" -eq 1
'

test_expect_success 'killed before the register: the change is withdrawn, in the log' '
	kill_add renameat "operators.csv\$" &&
	auth base "$TMP/pw.base" &&
	! test -e "$D/operators.pending" &&
	! grep -q "^new," "$D/operators.csv" &&
	! grep -q ",operator-add,new,ok," "$D/oplog.csv" &&
	grep -q ",boss,register-reconcile,new,withdrawn,operator-add ok: not made (interrupted)," "$D/oplog.csv"
'

test_expect_success 'a register that is neither before nor after: refused, file kept' '
	kill_add renameat "operators.csv\$" &&
	cp "$D/operators.csv" "$TMP/reg.before" &&
	regcol base name "Someone Else" &&
	test_must_fail 3 auth base "$TMP/pw.base" 2>err &&
	grep -q "operators.pending: the register is neither the one before nor the one after" err &&
	test "$(wc -l <err)" -eq 1 &&
	test -e "$D/operators.pending" &&
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i base -s x \
	    4<"$TMP/pw.boss" 2>err &&
	grep -q "operators.pending: the register is neither" err &&
	cp "$TMP/reg.before" "$D/operators.csv" && rm "$D/operators.pending" &&
	auth base "$TMP/pw.base"
'

test_expect_success 'a pending file that does not parse: refused, file kept' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" &&
	printf "jukisec-register-pending v1 seq=3 before=zz\n" >"$D/operators.pending" &&
	chmod 600 "$D/operators.pending" &&
	cp "$D/operators.csv" "$TMP/reg.before" &&
	test_must_fail 3 auth base "$TMP/pw.base" 2>err &&
	grep -q "operators.pending: not a pending register change" err &&
	test "$(wc -l <err)" -eq 1 &&
	test -e "$D/operators.pending" && cmp "$D/operators.csv" "$TMP/reg.before"
'

# No writer leaves an empty note: it is written to its temporary name,
# synced and only then renamed.  An empty one is damage, refused as one
# that does not parse; here it stands where a change in force awaits its
# record, which "no note" would never log.  The audit says the refusal.
test_expect_success 'an empty pending file: refused, file kept; the audit says so' '
	kill_add write "oplog.csv\$" && : >"$D/operators.pending" &&
	cp "$D/operators.csv" "$TMP/reg.before" && cp "$D/oplog.csv" "$TMP/log.before" &&
	test_must_fail 3 auth base "$TMP/pw.base" 2>err &&
	one_line_matching err "^auth-check: $D/operators.pending: not a pending register change; look at it and the register, then remove it\$" &&
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i base -s x \
	    4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-mod: $D/operators.pending: not a pending register change" &&
	test -e "$D/operators.pending" && test ! -s "$D/operators.pending" &&
	cmp "$D/operators.csv" "$TMP/reg.before" && cmp "$D/oplog.csv" "$TMP/log.before" &&
	operator-list -d "$D" >/dev/null 2>err &&
	one_line_matching err "^operator-list: $D/operators.pending: a register change not settled yet" &&
	jukisec-audit -d "$D" --format csv >a.csv 2>a.err;
	grep -q "^R5.5,register-changes,FAIL,.*$D/operators.pending: not a pending register change; look at it and the register, then remove it" a.csv &&
	grep -q "^R5.5,register-changes,FAIL,new operators.pending,.*: registered .*, after the operation history begins, without its operator-add record" a.csv &&
	! grep -q "a register change whose operation-log record is not settled" a.csv &&
	jukisec-audit -d "$D" --lang ja >r.ja 2>a.err;
	grep -qx "      - 登録簿の変更の控えが読み取れないか、登録簿と合いません。両方を調べてから控えを削除してください" r.ja
'

# operators.pending lives while its writer works under the register
# lock: seen then, it is a writer at work, not one interrupted.  The
# lock tells them apart (operator-list waits for it, lock_timeout_ms at
# most); the note left by a killed writer is still said (above).
test_expect_success 'a note a writer at work holds: operator-list says nothing of it' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" && rm -f started &&
	{ flock -x "$D/register.lock" sh -c ": >\"$D/operators.pending\" && : >started &&
	    sleep 1 && rm \"$D/operators.pending\"" & fp=$!; } &&
	i=0; until [ -e started ]; do
		i=$((i + 1)); test $i -lt 500 || exit 1; sleep 0.01
	done &&
	operator-list -d "$D" >out 2>err && wait $fp &&
	test ! -s err && test -s out &&
	: >"$D/operators.pending" && operator-list -d "$D" >/dev/null 2>err &&
	rm "$D/operators.pending" &&
	one_line_matching err "^operator-list: $D/operators.pending: a register change not settled yet"
'

# A record the log would refuse (a line break in a field, as a hand or a
# bug could leave) is refused before anything is settled, naming the
# file, its line and the field.
test_expect_success 'a pending record the log would refuse: file, line and field named' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" &&
	h=$(sha256sum <"$D/operators.csv" | cut -d" " -f1) &&
	hex() { printf "%s" "$1" | od -An -tx1 | tr -d " \n"; } &&
	printf "jukisec-register-pending v1 seq=1 before=%s after=%s operator=%s action=%s object=%s result=%s detail=%s\n" \
	    "$h" "$h" "$(hex boss)" "$(hex operator-mod)" "$(hex base)" \
	    "$(hex ok)" "$(hex "$(printf "section=x\nforged")")" >"$D/operators.pending" &&
	chmod 600 "$D/operators.pending" &&
	cp "$D/operators.csv" "$TMP/reg.before" && cp "$D/oplog.csv" "$TMP/log.before" &&
	test_must_fail 3 operator-mod -d "$D" -b boss --by-password-fd 4 -i base -s x \
	    4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-mod: $D/operators.pending:1: field detail: contains a line break\$" &&
	test_must_fail 3 auth base "$TMP/pw.base" 2>err &&
	one_line_matching err "^auth-check: $D/operators.pending:1: field detail: contains a line break\$" &&
	test -e "$D/operators.pending" && cmp "$D/operators.csv" "$TMP/reg.before" &&
	cmp "$D/oplog.csv" "$TMP/log.before"
'

test_expect_success 'a pending file others may write: refused' '
	rm -rf "$D" && cp -a "$TMP/saved" "$D" &&
	kill_add write "oplog.csv\$" &&
	chmod 666 "$D/operators.pending" &&
	test_must_fail 3 auth base "$TMP/pw.base" 2>err &&
	grep -q "operators.pending" err &&
	! grep -q ",operator-add,new,ok," "$D/oplog.csv"
'

# A state its group reads (README "First day" 8): operators.pending, the
# change and the register after it, is the group's to read like the
# register (store.h store_share_new).  G: a group the caller may give its
# files, nogroup as root, else one of the caller's other groups.
if [ "$(id -u)" -eq 0 ]; then G=65534; else G=$(id -G | tr " " "\n" | grep -vx "$(id -g)" | head -n 1); fi
if [ -n "$G" ]; then
	test_expect_success 'in a directory its group reads, operators.pending is 0640 with that group' '
		chgrp -R "$G" "$TMP/saved" && chmod 750 "$TMP/saved" &&
		kill_add write "oplog.csv\$" &&
		test "$(stat -c "%a %g" "$D/operators.pending")" = "640 $G" &&
		auth base "$TMP/pw.base" && ! test -e "$D/operators.pending"
	'
else
	test_skip 'in a directory its group reads, operators.pending is 0640 with that group' 'missing GROUP: the caller has no second group'
fi

test_done
