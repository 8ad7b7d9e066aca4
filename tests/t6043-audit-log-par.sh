#!/bin/sh
# jukisec-audit --key-file walks the log along a verification that takes
# it a block (1 MiB) per core (issue 15): the records the walk needs one by
# one (failed authentications, register changes, checkpoints, seals, an
# operator R5.4 finds, a lock of the log's) come back from the workers in
# file order, the rest summed up.  The report must be the one the walk of
# every record gives: pinned to one core (one thread, every record seen)
# and on all, with and without the key, on a log of several blocks where
# all of these lie on both sides of the seams; and on that log tampered in
# its second block (the walk is then made again on its own).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

[ "$(nproc)" -ge 2 ] ||
	test_skip_all "one processor: the block-parallel walk is not used here"

NOW=2025-08-04T12:00:00Z
T0=2024-01-01
D=$TMP/s
at "$T0 00:00:00" jukisec-init -d "$D" -t term01 --epoch 604800 >"$D.key" 2>/dev/null &&
chmod 600 "$D.key" && conf_set "$D" kdf_memory_kib 19456 && conf_set "$D" kdf_time 2 &&
conf_set "$D" audit_auth_window_days 3650 && conf_set "$D" lockout_unlock_minutes 0 &&
confirm_items_off || exit 1
# The register, as of the log's start: boss, clerk0..clerk4, and temp,
# whose registration expires halfway.
pw boss boss-secret-1 && at "$T0 01:00:00" operator-add -d "$D" -i boss -n Boss -r manager \
    -m password --reason 'no reader yet' --instructions-given $T0 --password-fd 3 \
    3<"$TMP/pw.boss" >/dev/null 2>&1 || exit 1
for id in clerk0 clerk1 clerk2 clerk3 clerk4 temp; do
	pw $id "$id-secret-1" &&
	at "$T0 01:10:00" operator-add -d "$D" -b boss --by-password-fd 4 -i $id -n $id \
	    -m password --reason 'injured finger' --instructions-given $T0 \
	    --password-fd 3 3<"$TMP/pw.$id" 4<"$TMP/pw.boss" >/dev/null 2>&1 || exit 1
done
regcol temp expires 2024-12-01T00:00:00.000Z

# batch B: day 20 B's 600 records.  Failed authentications (bursts), an
# unknown operator, temp, register changes and auth successes spread over
# it; clerk2 locked out from batch 19 to 21 (no success of theirs between),
# across the first seam.
# All 30 batches from one awk, to batch.0 ... batch.29 (an awk each cost
# as much as a batch's append).
awk 'BEGIN {
	pad = "counter 2; fee paid; ID card shown; proxy form checked by supervisor"
	for (b = 0; b < 30; b++) {
		f = "batch." b
		for (i = 0; i < 600; i++) {
			w = "clerk" (i % 5)
			if (i % 150 == 5)
				print "-,auth,clerk" int(i / 150) % 3 ",denied,method=password reason=bad password" >f
			else if (i % 131 == 7 && b % 3 == 0)
				print "ghost,view,juminhyo " b "-" i ",ok,window 3" >f
			else if (i % 293 == 11)
				print "temp,print,juminhyo " b "-" i ",ok,copies 2" >f
			else if (i % 300 == 150)
				print "boss,operator-mod,clerk1,ok,changed: name section" >f
			else if (b == 19 && i == 40)
				print "-,auth,clerk2,locked,method=password reason=locked" >f
			else if (i % 35 == 7 && !(w == "clerk2" && b >= 19 && b <= 21))
				print w ",auth," w ",ok,method=password reason=ok" >f
			else if (i % 7 == 3)
				printf "%s,view,juminhyo %08d,ok,\"%s, \"\"%d\"\"\"\n", w, b * 1000 + i, pad, i >f
			else
				printf "%s,print,koseki %08d,ok,%s %d\n", w, b * 1000 + i, pad, i >f
		}
		close(f)
	} }' || exit 3
# Batch b is appended at 10:00 on day b * 20 from T0, and the log pruned
# at 11:00 after batches 20 and 29: the days from one date(1), and each
# tool run under libfaketime as at() runs it (TZ is UTC here: the times
# are at()'s already), without at()'s subshell and date(1) each.
ft() {
	LD_PRELOAD=$FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD} FAKETIME=$1 \
	    FAKETIME_DONT_FAKE_MONOTONIC=1
	export LD_PRELOAD FAKETIME FAKETIME_DONT_FAKE_MONOTONIC
}
b=0
while [ $b -lt 30 ]; do echo "$T0 + $((b * 20)) days"; b=$((b + 1)); done |
    date -u -f - +%Y-%m-%d | {
	b=0
	while read -r day; do
		(ft "$day 10:00:00.000"
		 log-append -d "$D" -t term01 --stdin <batch.$b 2>err >/dev/null) ||
		    { cat err >&2; exit 1; }
		case $b in
		20|29) (ft "$day 11:00:00.000"
			log-prune -q -d "$D" -r 365 -a "$TMP/archive.csv") || exit 1 ;;
		esac
		b=$((b + 1))
	done
	[ $b = 30 ]
} || exit 1

# same ARGS...: the audit's report and status, pinned and not, alike.
same() {
	{ taskset -c 0 jukisec-audit -d "$D" --format csv --now $NOW "$@" >one.csv 2>one.err
	  echo $? >one.st; } &&
	{ jukisec-audit -d "$D" --format csv --now $NOW "$@" >all.csv 2>all.err
	  echo $? >all.st; } &&
	test_cmp one.csv all.csv && test_cmp one.err all.err && test_cmp one.st all.st &&
	cp all.csv "$TMP/a.csv"
}

test_expect_success 'the log spans blocks and holds what the walk needs' '
	test "$(wc -c <"$D/oplog.csv")" -gt 2097152 &&
	test "$(grep -c ",-,log-prune," "$D/oplog.csv")" -eq 2 &&
	test "$(grep -c ",-,seal," "$D/oplog.csv")" -gt 50 &&
	awk -v seam=1048576 "{ at += length(\$0) + 1 }
	    /,-,auth,clerk2,locked,/ { lock = at }
	    lock && !end && /,clerk2,auth,clerk2,ok,/ { end = at }
	    END { exit !(lock < seam && end > seam) }" "$D/oplog.csv"
'

test_expect_success 'with the key: the same report on one core and on all' '
	same --key-file "$D.key" --since 2024-01-01 --until 2025-08-01 &&
	expect log-verify "PASS " && expect log-retention "PASS " &&
	expect log-prune-recent "PASS " && expect log-seals "PASS " &&
	finding auth-bursts >f && grep -q "^WARN " f &&
	for s in clerk0@term01 clerk1@term01 clerk2@term01; do grep -q " $s" f || return 1; done &&
	finding log-operators-authorized >f && grep -q "^FAIL " f &&
	for s in ghost temp clerk2; do grep -q " $s" f || return 1; done &&
	detail log-operators-authorized | grep -q "operator clerk2: locked" &&
	test "$(finding register-changes | wc -w)" -gt 20
'

test_expect_success 'the same findings without the key' '
	same --key-file "$D.key" --since 2024-01-01 --until 2025-08-01 && cp all.csv keyed.csv &&
	same --since 2024-01-01 --until 2025-08-01 &&
	# the five checks'"'"' rows at once: one mlr a report, not one a check
	c="^(auth-bursts|log-operators-authorized|register-changes|log-seals|log-head)\$" &&
	mlr --icsv --ojson filter -s c="$c" "\$check =~ @c" keyed.csv >k.json &&
	mlr --icsv --ojson filter -s c="$c" "\$check =~ @c" all.csv >a.json &&
	test "$(grep -c "\"check\":" k.json)" -eq 5 &&
	test_cmp k.json a.json
'

test_expect_success 'a record changed in the second block: the same report on one core and on all' '
	cp "$D/oplog.csv" log.save &&
	n=$(awk -v h=$(( $(wc -l <"$D/oplog.csv") / 2 )) "NR > h && /,koseki / { print NR; exit }" \
	    "$D/oplog.csv") && sed -i "${n}s/koseki/kosekI/" "$D/oplog.csv" &&
	! cmp -s log.save "$D/oplog.csv" &&
	same --key-file "$D.key" --lang ja &&
	finding log-verify | grep -q "^FAIL seq " &&
	cp log.save "$D/oplog.csv"
'

# The walk's R5.4 test looks names up in a compact table of one probe a
# name, made for registers of a few hundred names at most; a larger one
# goes through the general table, with the same verdicts.
test_expect_success 'a register of over a thousand names: the same R5.4 findings' '
	same --key-file "$D.key" --since 2024-01-01 --until 2025-08-01 &&
	detail log-operators-authorized >small.txt &&
	cp "$D/operators.csv" reg.save &&
	awk -F, "{ print } \$1 == \"clerk0\" { row = \$0 }
	    END { for (i = 0; i < 1100; i++) { r = row; sub(/^clerk0,/, sprintf(\"extra%04d,\", i), r); print r } }" \
	    reg.save >"$D/operators.csv" &&
	test "$(wc -l <"$D/operators.csv")" -gt 1100 &&
	same --key-file "$D.key" --since 2024-01-01 --until 2025-08-01 &&
	detail log-operators-authorized >big.txt &&
	cp reg.save "$D/operators.csv" &&
	test -s small.txt && test_cmp small.txt big.txt
'

test_done
