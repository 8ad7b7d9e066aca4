#!/bin/sh
# log-prune checkpoints under attack: a changed checkpoint fails on its MAC;
# one re-MACed by someone holding the current key still fails when it
# claims to have removed records younger than the retention (jukisec-log(5)
# rules); no other tool may write a checkpoint.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
init_at "$S"
rec "$S" "2022-03-01 09:00:00" A 3
rec "$S" "2023-09-01 09:00:00" C 3
NOW=2023-09-01T09:30:00Z
prune "$S" "$NOW" -a "$TMP/arch.csv"

# forge 'regex' 'replacement': forged.csv, the log with the last record's
# detail rewritten, its MAC computed again with the current key
# (oplog.key), as an intruder holding the key could (jukisec-log(5), "The
# MAC chain").
forge() {
	cp "$S/oplog.csv" forged.csv &&
	python3 "$SRCDIR/tests/logforge.py" last "$S/oplog.key" forged.csv "re.sub(a[0], a[1], d)" "$1" "$2"
}

test_expect_success 'the pruned log verifies; its checkpoint is the last record' '
	verify "$S" "$NOW" >/dev/null &&
	tail -1 "$S/oplog.csv" | grep -q ",-,log-prune,oplog.csv,ok,removed=0-"
'

test_expect_success 'control: the forger recomputes an unchanged checkpoint identically' '
	forge "x^" "" && cmp forged.csv "$S/oplog.csv" &&
	verify "$S" "$NOW" forged.csv >/dev/null
'

test_expect_success 'a checkpoint changed without its MAC fails (exit 1)' '
	cp -p "$S/oplog.csv" good.csv &&
	sed "\$s/retain_days=365/retain_days=366/" good.csv >"$S/oplog.csv" &&
	test_must_fail 1 verify "$S" "$NOW" 2>err.txt >/dev/null &&
	cp -p good.csv "$S/oplog.csv" && verify "$S" "$NOW" >/dev/null
'

test_expect_success 're-MACed, retain_days=30: removing a 30-day history fails' '
	CUT=$(ms "$(echo "$NOW" | sed "s/Z$/.000Z/")" $((-30 * DAY))) &&
	forge "cutoff=[^ ]* retain_days=365" "cutoff=$CUT retain_days=30" &&
	grep -q "retain_days=30 " forged.csv &&
	test_must_fail 1 verify "$S" "$NOW" forged.csv 2>err.txt >/dev/null &&
	grep -q "365" err.txt
'

test_expect_success 're-MACed, cutoff later than its time minus retain_days fails' '
	CUT=$(ms "$(echo "$NOW" | sed "s/Z$/.000Z/")" $((-300 * DAY))) &&
	forge "cutoff=[^ ]*" "cutoff=$CUT" &&
	test_must_fail 1 verify "$S" "$NOW" forged.csv 2>err.txt >/dev/null
'

test_expect_success 're-MACed, cut_time not before cutoff fails' '
	CUT=$(sed -n "\$s/.* cutoff=\([^ ]*\) .*/\1/p" "$S/oplog.csv") && test -n "$CUT" &&
	forge "cut_time=[^ ]*" "cut_time=$CUT" &&
	test_must_fail 1 verify "$S" "$NOW" forged.csv 2>err.txt >/dev/null
'

test_expect_success 're-MACed, a cut_mac that is not the archived record fails with the archive' '
	forge "cut_mac=[0-9a-f]*" "cut_mac=$(printf %064d 0)" &&
	test_must_fail 1 verify "$S" "$NOW" "$TMP/arch.csv" forged.csv 2>err.txt >/dev/null
'

test_expect_success 'records cut from the front without a checkpoint fail' '
	{ head -1 "$S/oplog.csv"; sed 1,3d "$S/oplog.csv" | sed \$d; } >cut.csv &&
	test_must_fail 1 verify "$S" "$NOW" cut.csv 2>err.txt >/dev/null
'

test_expect_success 'log-append cannot write a checkpoint (exit 2), the log unchanged' '
	cp "$S/oplog.csv" before.csv &&
	test_must_fail 2 log-append -d "$S" -u - -a log-prune -m "removed=0-9 cut_mac=00 cut_time=x cutoff=y retain_days=9999 kept=1" 2>err.txt &&
	cmp before.csv "$S/oplog.csv"
'

test_done
