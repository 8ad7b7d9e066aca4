#!/bin/sh
# A register that is missing, or emptied, where the log shows it held
# persons (R5.1: rows are never deleted, ids never reused).  jukisec-init
# makes no operators.csv: a state that never held anyone has none, and
# reads as an empty register.  Once the log records a register change, a
# missing operators.csv is missing state for every tool that reads it:
# exit 3 with one line naming it, nothing reconciled (no credential
# destroyed), no bootstrap, never an empty listing.  The bootstrap is
# refused, too, on a register that holds nobody when the log shows
# someone was registered (an emptied copy put in its place).  Both ask
# first for what a register leaves outside itself: a credential in
# credentials/ or operators.pending (a bootstrapped register keeps its
# last manager's credential); without one, no log record, which
# log-append can write, shuts the state out.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-crash.sh"

MISSING="operators.csv: missing, but the operation log records changes to it"

# evil_boot: the bootstrap of a manager "evil" (exit status as it ends).
evil_boot() {
	pw evil evil-secret-1 &&
	operator-add -d "$D" -t term01 -i evil -n Evil -r manager -m password \
	    --reason r --instructions-given "$INSTR_BOOT" --password-fd 3 \
	    3<"$TMP/pw.evil"
}

test_expect_success 'a state that never held anyone: no register, an empty listing' '
	reg_state && test ! -e "$D/operators.csv" &&
	operator-list -d "$D" -f csv >out &&
	test "$(wc -l <out)" = 1 &&
	test_must_fail 1 auth nobody /dev/null 2>/dev/null
'

# appends D: the ordinary records log-append may write before the first
# bootstrap, of each kind register_history counts (jukisec-log(5)).
appends() {
	log-append -d "$1" -u cardapp -a auth -o cardreader -r ok -m x 2>/dev/null &&
	log-append -d "$1" -u boss -a operator-add -o boss -r ok -m x 2>/dev/null &&
	log-append -d "$1" -u x -a recover -o boss -r ok -m x 2>/dev/null
}

test_expect_success 'log-append records before the first bootstrap shut nothing out' '
	appends "$D" &&
	operator-list -d "$D" -f csv >lst && test "$(wc -l <lst)" = 1 &&
	test_must_fail 1 auth nobody /dev/null 2>/dev/null &&
	log-append -d "$D" -u cardapp -a print -o x -r ok -m y 2>err &&
	! grep -q "missing, but" err &&
	bootstrap && test "$(field boss role)" = manager
'

test_expect_success 'set up: boss, tanaka and sato registered' '
	rm -rf "$D" "$D.key" && reg_state &&
	bootstrap && add_pw tanaka && add_pw sato &&
	ls "$D/credentials" >creds.before &&
	test "$(wc -l <creds.before)" = 3
'

test_expect_success 'missing: the bootstrap is refused, nothing reconciled or logged as done' '
	mv "$D/operators.csv" "$TMP/operators.bak" &&
	nrec=$(wc -l <"$D/oplog.csv") &&
	test_must_fail 3 evil_boot 2>err &&
	one_line_matching err "$MISSING" &&
	ls "$D/credentials" >creds.after && test_cmp creds.before creds.after &&
	test ! -e "$D/operators.csv" &&
	test "$(log_count register-reconcile removed "")" = 0 &&
	test "$(log_count operator-add ok bootstrap)" = 1 &&
	test "$(wc -l <"$D/oplog.csv")" -le $((nrec + 1))
'

test_expect_success 'missing: an old id is not registered again' '
	pw boss2 boss-secret-2 &&
	test_must_fail 3 operator-add -d "$D" -i boss -n Boss -r manager \
	    -m password --reason r --instructions-given "$INSTR_BOOT" \
	    --password-fd 3 3<"$TMP/pw.boss2" 2>err &&
	one_line_matching err "$MISSING" &&
	test "$(cat "$D/credentials/boss.phc")" != "" &&
	test ! -e "$D/operators.csv"
'

test_expect_success 'missing: operator-list exit 3, one line, no empty table' '
	for f in table csv json form; do
		test_must_fail 3 operator-list -d "$D" -f $f >out 2>err &&
		one_line_matching err "$MISSING" && test ! -s out || return 1
	done
'

test_expect_success 'missing: auth-check exit 3, nobody admitted' '
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err &&
	one_line_matching err "$MISSING"
'

test_expect_success 'missing: every -b tool exits 3, one line' '
	by_tools_one_line "$MISSING" &&
	ls "$D/credentials" >creds.after && test_cmp creds.before creds.after
'

test_expect_success 'missing: log-append records, and says R5.4 was not checked' '
	log-append -d "$D" -t cs01 -u tanaka -a print -o x -r ok 2>err &&
	grep -q "$MISSING" err &&
	grep -q "could not be checked against the register" err &&
	! grep -q "not an active registered person" err
'

test_expect_success 'missing: jukisec-audit FAILs and names it' '
	test_must_fail 1 jukisec-audit -d "$D" >r 2>&1 &&
	grep -q "$MISSING" r
'

test_expect_success 'the register put back: everything reads as before' '
	mv "$TMP/operators.bak" "$D/operators.csv" &&
	auth tanaka "$TMP/pw.tanaka" &&
	ls "$D/credentials" >creds.after && test_cmp creds.before creds.after
'

test_expect_success 'an emptied register (its header only): no bootstrap, nothing destroyed' '
	cp "$D/operators.csv" "$TMP/operators.bak" &&
	head -1 "$TMP/operators.bak" >"$D/operators.csv" &&
	test_must_fail 3 evil_boot 2>err && cat err &&
	one_line_matching err "operators.csv: holds no manager, but the operation log records changes to it: no bootstrap$" &&
	ls "$D/credentials" >creds.after && test_cmp creds.before creds.after &&
	test "$(log_count register-reconcile removed "")" = 0 &&
	! grep -q "^evil," "$D/operators.csv" &&
	mv "$TMP/operators.bak" "$D/operators.csv"
'

# A bootstrap a crash cut after its credential, before its row, leaves a
# credential and no register: the next bootstrap destroys nothing on a
# missing register; the first change once there is one reconciles it.
test_expect_success 'never held anyone: a leftover credential waits for a register' '
	D=$TMP/fresh && reg_state "$D" &&
	mkdir -m 700 "$D/credentials" && echo x >"$D/credentials/ghost.phc" &&
	chmod 600 "$D/credentials/ghost.phc" &&
	bootstrap && test -e "$D/credentials/ghost.phc" &&
	add_pw tanaka && test ! -e "$D/credentials/ghost.phc" &&
	test "$(log_count register-reconcile removed "")" = 1
'

# A bootstrap killed after its credential, before its note and row, where
# log-append wrote records first: a credential kept and a log that shows
# a register change is a lost one-manager register to every reader (the
# records are ones log-append can write, the credential one a register
# keeps), so it is refused whole, nothing destroyed.  The Security
# Manager, who knows no register was ever made, removes the credential;
# then the bootstrap runs.
test_expect_success 'a killed bootstrap after log-append records: refused until its credential goes' '
	D=$TMP/killed && reg_state "$D" && appends "$D" &&
	cp -a "$D" "$TMP/killed.saved" &&
	crash_after "$TMP/killed.saved" "$D" "credentials/boss.phc\$" \
	    openat "operators.pending\$" bootstrap &&
	test -f "$D/credentials/boss.phc" && test ! -e "$D/operators.csv" &&
	test ! -e "$D/operators.pending" &&
	test_must_fail 3 bootstrap 2>err && one_line_matching err "$MISSING" &&
	test_must_fail 3 operator-list -d "$D" >out 2>err && test ! -s out &&
	test -f "$D/credentials/boss.phc" &&
	rm "$D/credentials/boss.phc" && bootstrap &&
	test "$(field boss role)" = manager
'

# A bootstrap killed once its note is written, before its row, where
# log-append wrote records first: the note names the register's first
# change (the register before it held nothing), so it and its person's
# credential are no trace of a register that held someone; the next
# writer's lock settles it.  It was refused for good, its credential
# removed by hand or not.
test_expect_success 'a bootstrap killed after its note, after log-append records: the next one settles it' '
	D=$TMP/noted && reg_state "$D" && appends "$D" &&
	cp -a "$D" "$TMP/noted.saved" &&
	crash_after "$TMP/noted.saved" "$D" "operators.pending\$" \
	    renameat "operators.csv\$" bootstrap &&
	test -f "$D/operators.pending" && test ! -e "$D/operators.csv" &&
	operator-list -d "$D" -f csv >lst && test "$(wc -l <lst)" = 1 &&
	bootstrap && test ! -e "$D/operators.pending" &&
	test "$(field boss role)" = manager &&
	grep -q ",boss,register-reconcile,boss,withdrawn," "$D/oplog.csv" &&
	grep -q ",register-reconcile,boss.phc,removed," "$D/oplog.csv" &&
	auth-check -d "$D" -u boss --password-fd 3 3<"$TMP/pw.boss"
'

# The credentials a bootstrap killed after its note leaves out of the
# traces are its person's own, matched by the id exactly: those of an id
# that begins with it and a dot (boss.x for boss) are another person's,
# a trace of a register that held them (b40dfd9; the prefix was enough).
test_expect_success 'a first change note leaves out its own credentials only, not another id'"'"'s' '
	D=$TMP/noted2 && reg_state "$D" && appends "$D" &&
	cp -a "$D" "$TMP/noted2.saved" &&
	crash_after "$TMP/noted2.saved" "$D" "operators.pending\$" \
	    renameat "operators.csv\$" bootstrap &&
	echo x >"$D/credentials/boss.x.phc" && chmod 600 "$D/credentials/boss.x.phc" &&
	test_must_fail 3 operator-list -d "$D" -f csv >lst 2>err && test ! -s lst &&
	one_line_matching err "$MISSING" &&
	rm "$D/credentials/boss.x.phc" &&
	operator-list -d "$D" -f csv >lst && test "$(wc -l <lst)" = 1
'

# The log cut to its header and genesis and its head removed: the cut
# cannot be measured against a head, so a head that does not read is
# history too while credentials are kept.
test_expect_success 'the log cut short and its head removed: still missing state' '
	D=$TMP/cut && reg_state "$D" && bootstrap && add_pw tanaka &&
	head -2 "$D/oplog.csv" >"$TMP/cut.csv" && cat "$TMP/cut.csv" >"$D/oplog.csv" &&
	rm "$D/oplog.head" "$D/operators.csv" &&
	test_must_fail 3 operator-list -d "$D" -f csv >out 2>err &&
	one_line_matching err "$MISSING" && test ! -s out &&
	test_must_fail 3 evil_boot 2>err && one_line_matching err "$MISSING" &&
	test -f "$D/credentials/tanaka.phc" && test ! -e "$D/operators.csv"
'

test_done
