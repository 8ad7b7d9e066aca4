#!/bin/sh
# jukisec-audit against changes made by hand outside the tools (R5.1:
# entries are never silently deleted, a revocation is recorded; SPEC:
# every tool that changes state writes an operation-log record): R5.5
# register-changes FAILs a row the log covers without its operator-add or
# operator-revoke record, a record whose row is gone or not revoked, and
# a role the add record does not give; a confirmation item does not PASS
# on a row without its "confirm" record, or by someone who is not a
# Security Manager in the register.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"
. "$SRCDIR/tests/lib-crash.sh"

confirm() { jukisec-audit -d "$D" -b boss --by-password-fd 4 "$@" 4<"$TMP/pw.boss"; }
restore() { rm -rf "$D" && cp -a saved "$D"; }

test_expect_success 'set up: boss, suzuki, tanaka revoked, contract-1 confirmed' '
	reg_state && chmod 600 "$D.key" && bootstrap &&
	add_pw suzuki && add_pw tanaka &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i tanaka \
	    --reason left 4<"$TMP/pw.boss" &&
	confirm --confirm contract-1 && cp -a "$D" saved
'

test_expect_success 'the tools'"'"' own changes: register-changes and contract-1 PASS' '
	audit_run --key-file "$D.key" &&
	finding register-changes | grep -q "^PASS" &&
	finding contract-1 | grep -q "^PASS"
'

test_expect_success 'a revoked row deleted by hand: FAIL, its operator-add record names it' '
	restore && sed -i "/^tanaka,/d" "$D/operators.csv" &&
	audit_run --key-file "$D.key" && test "$ast" -eq 1 &&
	expect register-changes "FAIL tanaka tanaka" &&
	detail register-changes >d &&
	grep -q "tanaka: registered by the operation history (seq 5), not in the register: a row was deleted" d &&
	grep -q "tanaka: revoked by the operation history (seq 7), not in the register: a row was deleted" d
'

test_expect_success 'a manager appended by hand: FAIL, no operator-add record' '
	restore && grep "^boss," "$D/operators.csv" | sed "s/^boss,Boss,/eve,Eve,/" >>"$D/operators.csv" &&
	cp "$D/credentials/boss.phc" "$D/credentials/eve.phc" &&
	audit_run --key-file "$D.key" && test "$ast" -eq 1 &&
	expect register-changes "FAIL eve" &&
	detail register-changes | grep -q "Eve: registered .*, after the operation history begins, without its operator-add record"
'

# A row dated before the log's genesis, which the log covers all the same
# (the page: at any time while the genesis is held), is not said to be
# after the history begins.
test_expect_success 'a row appended by hand dated before the genesis: FAIL, before the history' '
	restore && grep "^boss," "$D/operators.csv" | sed "s/^boss,Boss,/eve,Eve,/" |
	    sed "s/,20[0-9][0-9]-[0-9-]*T[0-9:.]*Z,/,2020-01-01T00:00:00.000Z,/" >row &&
	grep -q 2020-01-01 row && cat row >>"$D/operators.csv" &&
	cp "$D/credentials/boss.phc" "$D/credentials/eve.phc" &&
	audit_run --key-file "$D.key" && test "$ast" -eq 1 &&
	expect register-changes "FAIL eve" &&
	detail register-changes | grep -q "Eve: registered 2020-01-01 [0-9:]*, before the operation history begins, without its operator-add record" &&
	TZ=UTC jukisec-audit -d "$D" --lang ja >r.ja;
	grep -q "操作履歴の始まりより前の 2020年\|操作履歴の始まりより前の 令和" r.ja
'

test_expect_success 'a revocation by hand, and one undone by hand: FAIL each' '
	restore && regcol suzuki revoked_at "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" &&
	regcol suzuki revoked_by boss && regcol suzuki revoked_reason gone &&
	regcol tanaka revoked_at "" && regcol tanaka revoked_by "" &&
	regcol tanaka revoked_reason "" &&
	audit_run --key-file "$D.key" && test "$ast" -eq 1 &&
	expect register-changes "FAIL suzuki tanaka" &&
	detail register-changes >d &&
	grep -q "suzuki: revoked .* without its operator-revoke record" d &&
	grep -q "tanaka: revoked by the operation history (seq 7), not revoked in the register" d
'

test_expect_success 'an operator made a manager by hand: FAIL, the add record gave another role' '
	restore && regcol suzuki role manager &&
	audit_run --key-file "$D.key" && test "$ast" -eq 1 &&
	expect register-changes "FAIL suzuki" &&
	detail register-changes | grep -q "suzuki: Security Manager in the register, registered as operator by the operation history (seq 3)"
'

test_expect_success 'in Japanese: in words, no file or id' '
	TZ=Asia/Tokyo jukisec-audit -d "$D" --lang ja >r.ja;
	grep -q "操作履歴によれば操作者として登録" r.ja && ja_words r.ja
'

# A pruned log (here its first records cut, as log-prune cuts them)
# covers only from its first kept record on.
first_cut() {
	awk -F, -v n="$1" 'NR == 1 || $1 >= n' "$D/oplog.csv" >cut &&
	cat cut >"$D/oplog.csv"
}

test_expect_success 'rows registered before the log'"'"'s first kept record are not checked' '
	restore && first_cut 4 && regcol suzuki registered_at 2020-01-01T00:00:00.000Z &&
	audit_run && finding register-changes | grep -q "^PASS" &&
	regcol suzuki registered_at "$(sed -n 2p "$D/oplog.csv" | cut -d, -f2)" &&
	audit_run && expect register-changes "FAIL suzuki"
'

test_expect_success 'forged confirmations: by boss without a record, by nobody: FAIL' '
	restore &&
	echo "contract-1,2026-06-15T03:00:20.000Z,boss,forged" >>"$D/confirmations.csv" &&
	echo "contract-3,2026-06-15T03:00:20.000Z,nobody,forged" >>"$D/confirmations.csv" &&
	sed -i "s/^contract-1,\([^,]*\),boss,\$/contract-1,\1,boss,later/" "$D/confirmations.csv" &&
	audit_run --key-file "$D.key" --now 2026-06-16T00:00:00Z && test "$ast" -eq 1 &&
	expect contract-1 "FAIL boss confirmations.csv" &&
	detail contract-1 | grep -q "confirmations.csv row 2: no \"confirm\" record of it in the operation history" &&
	expect contract-3 "FAIL nobody confirmations.csv" &&
	detail contract-3 | grep -q "confirmations.csv row 3: by id nobody, who is not a Security Manager in the register"
'

test_expect_success 'a confirmation before the log'"'"'s first kept record is not checked against it' '
	restore && n=$(awk -F, '"'"'$5 == "confirm" { print $1 + 1 }'"'"' "$D/oplog.csv") &&
	echo "clerk01,print,x,ok," | log-append -d "$D" --stdin &&
	first_cut "$n" && audit_run && finding contract-1 | grep -q "^PASS" &&
	restore && echo "contract-1,2020-01-01T00:00:00.000Z,boss," >>"$D/confirmations.csv" &&
	audit_run --now 2020-02-01T00:00:00Z && expect contract-1 "FAIL confirmations.csv"
'

# A change whose record is still pending is the WARN of operators.pending
# (and of confirmations.pending): not a FAIL twice.
CR=$TMP/crash
kadd() {
	operator-add -d "$D" -b boss --by-password-fd 4 -i kim -n kim \
	    -m password --reason r --instructions-given "$INSTR_PW" \
	    --password-fd 3 3<"$TMP/pw.kim" 4<"$TMP/pw.boss"
}
test_expect_success 'operator-add killed between the register and its record: WARN, not FAIL' '
	restore && rm -rf "$CR.saved" && cp -a "$D" "$CR.saved" && D=$CR &&
	pw kim kim-secret-1 &&
	crash_after "$CR.saved" "$D" "operators.pending\$" write "oplog.csv\$" kadd &&
	grep -q "^kim," "$D/operators.csv" && test -e "$D/operators.pending" &&
	audit_run --key-file "$D.key" &&
	finding register-changes | grep -q "^WARN operators.pending"
'
test_done
