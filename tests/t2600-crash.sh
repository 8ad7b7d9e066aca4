#!/bin/sh
# 100 SIGKILLs at random moments of register changes: operators.csv is
# always the old or the new one, never torn; a credential never outlives
# its row for longer than the next change, which destroys and logs it
# (R5.1, R5.5).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

test_expect_success 'set up' '
	reg_state && bootstrap && pw op op-secret-1 && add_pw base
'

# One change (exec, so in the background $! is the tool itself).
change() {
	i=$1
	case $((i % 3)) in
	0) exec operator-add -d "$D" -b boss --by-password-fd 4 -i k$i -n "K $i" \
	    -m password --reason r --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.op" 4<"$TMP/pw.boss" ;;
	1) exec operator-mod -d "$D" -b boss --by-password-fd 4 -i base \
	    --reset-password --password-fd 3 3<"$TMP/pw.op" 4<"$TMP/pw.boss" ;;
	2) exec operator-revoke -d "$D" -b boss --by-password-fd 4 -i k$((i - 2)) \
	    --reason crash-test 4<"$TMP/pw.boss" ;;
	esac
}

# The kill window is the time one change takes here, measured first, so
# the kills land all through a change on a fast or a slow (sanitizer) build.
test_expect_success 'one change, timed (the fastest of three)' '
	w=999
	for i in 1 2 3; do
		t0=$(date +%s%N) && (change 1) >/dev/null 2>&1 && t1=$(date +%s%N) ||
		    exit 1
		t=$(( (t1 - t0) / 1000000 + 1 )); [ $t -lt $w ] && w=$t
	done
	echo $w >"$TMP/window"
'
say "kill window $(cat "$TMP/window") ms"

test_seed 2600
test_expect_success '100 kills: the register reads whole after every one' '
	killed=0; w=$(cat "$TMP/window"); [ "$w" -lt 999 ] || w=999
	for i in $(seq 100); do
		change $i >/dev/null 2>&1 &
		pid=$!
		ms=$(( (seed * 1103515245 + i * 12345) % w )); ms=${ms#-}
		sleep "0.$(printf %03d "$ms")"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		[ $? -eq 137 ] && killed=$((killed + 1))
		# operator-list reads strictly: 16 fields a row, valid values
		operator-list -d "$D" -a -f csv >/dev/null ||
		    { echo "register unreadable after kill $i"; exit 1; }
	done
	echo "$killed" >"$TMP/killed"
	test "$killed" -gt 20 && test "$killed" -lt 100
'
say "$(cat "$TMP/killed" 2>/dev/null) of 100 changes were killed before they finished"

test_expect_success 'the next change reconciles: no credential without a live row' '
	add_pw after &&
	python3 -c "import csv,os,sys
d = sys.argv[1]
live = {}
for r in csv.DictReader(open(d + \"/operators.csv\", newline=\"\")):
    if not r[\"revoked_at\"]:
        live[r[\"id\"] + (\".phc\" if r[\"method\"] == \"password\" else \".tmpl\")] = 1
files = set(os.listdir(d + \"/credentials\"))
extra = files - set(live); missing = set(live) - files
print(\"extra\", sorted(extra), \"missing\", sorted(missing))
sys.exit(1 if extra or missing else 0)" "$D"
'

test_expect_success 'every live password row still authenticates' '
	for id in $(python3 -c "import csv,sys
for r in csv.DictReader(open(sys.argv[1], newline=\"\")):
    if not r[\"revoked_at\"] and r[\"id\"] not in (\"boss\", \"after\"): print(r[\"id\"])" "$D/operators.csv"); do
		auth $id "$TMP/pw.op" || { echo "$id does not authenticate"; exit 1; }
	done
'

test_expect_success 'an orphan credential is destroyed and the removal logged' '
	printf "orphan" >"$D/credentials/ghost.phc" && chmod 600 "$D/credentials/ghost.phc" &&
	cp "$D/credentials/base.phc" "$D/credentials/base.tmpl" &&
	n0=$(log_count register-reconcile removed .) &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i base -s "課" 4<"$TMP/pw.boss" &&
	! test -e "$D/credentials/ghost.phc" && ! test -e "$D/credentials/base.tmpl" &&
	test -e "$D/credentials/base.phc" &&
	test "$(log_count register-reconcile removed .)" = $((n0 + 2)) &&
	grep -q ",register-reconcile,ghost.phc,removed," "$D/oplog.csv"
'

test_done
