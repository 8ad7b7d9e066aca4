#!/bin/sh
# Crashes of log-prune (tests/lib-crash.sh): a prune, a prune that seals
# the log first, a run that removes nothing, and a prune that copies to
# its archive while it scans, killed before every one of
# its steps in turn and halfway
# through every write.  After each kill the log verifies, or it is a
# swapped log whose head the next writer completes, or a torn seal the
# next writer cuts; no record is lost
# (each is in the log or the archive) and none is in the log twice; a run
# under a longer retention refuses an archive that holds records it keeps,
# or prunes to one chain; the
# next run completes the prune, and then every record is in exactly one of
# log and archive, and archive + log verify as one chain.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"
. "$SRCDIR/tests/lib-crash.sh"

# The state and the archive, restored together before each kill.
W=$TMP/w
S=$W/s A=$W/archive.csv
mkdir "$W" && init_at "$S"
# Three daily batches of 10 records from 2022-01-02 and 100 newer records
# of 100 bytes that the prune copies.
for i in 0 1 2; do
	rec "$S" "$(date -u -d "2022-01-02 + $i days" "+%Y-%m-%d 10:00:00")" "b$i" 10
done
padded "$S" "2022-06-01 10:00:00" 100 big record 100

# The checks below run after each of some 60 kills: what a pipeline of
# tail, cut, sort, uniq and comm did per check is one awk, or parameter
# expansion, each.
# lastt FILE: $_lt set to the time of FILE's last record.
lastt() { _lt=$(tail -n 1 "$1") && _lt=${_lt#*,} && _lt=${_lt%%,*}; }
# torn FILE: its last line is not whole (the substitution drops a final LF).
torn() { [ -s "$1" ] && [ -n "$(tail -c 1 "$1")" ]; }
# whole FILE: its complete lines (a torn last line left out).
whole() { if torn "$1"; then sed '$d' "$1"; else cat "$1"; fi; }

# The first prune, after the hourly seal, removes day 0; the second, a
# day later and with no seal since, removes day 1 and seals first itself
# (the key file replaced).
NOW1=2023-01-03T12:00:00Z NOW2=2023-01-04T12:00:00Z
at $NOW1 log-append -d "$S" --seal
cp -a "$W" "$TMP/first"
at $NOW1 log-prune -d "$S" -a "$A"
cp -a "$W" "$TMP/second"

# after_crash NOW LAST: what every kill at NOW must leave (LAST: the last
# seq before the prune).
after_crash() {
	lastt "$S/oplog.csv" || return 1
	if ! verify "$S" "$_lt" >/dev/null 2>"$TMP/verr"; then
		# a swapped log whose head, or a torn seal that, any writer
		# completes or cuts (a logged repair)
		grep -Eq "head|an unfinished append" "$TMP/verr" ||
		    { cat "$TMP/verr" >&2; return 1; }
		at "$1" log-append -d "$S" -u cron -a after-kill >/dev/null &&
		verify "$S" "$1" >/dev/null || return 1
	fi
	# no seq twice in the log; none of 0..LAST in neither the log nor the
	# archive's whole lines (a torn last line is held back until the next)
	_torn=0 && set -- "$1" "$2" "$S/oplog.csv" &&
	if [ -e "$A" ]; then set -- "$@" "$A" && ! torn "$A" || _torn=1; fi &&
	awk -F, -v logf="$S/oplog.csv" -v last="$2" -v torn=$_torn '
	    FILENAME == logf { if ($1 != "seq") { if (inlog[$1]++) twice = 1; have[$1] = 1 }; next }
	    { if (FNR > 1 && p != "seq") have[p] = 1; p = $1 }
	    END {
		if (FNR > 0 && FILENAME != logf && !torn && p != "seq") have[p] = 1
		if (twice) { print "a record twice in the log" >"/dev/stderr"; exit 1 }
		for (i = 0; i <= last; i++) if (!(i in have)) l = l " " i
		if (l != "") { print "records lost:" l >"/dev/stderr"; exit 1 }
	    }' "$3" ${4:+"$4"} || return 1
	longer "$1" || return 1
	# the next run completes the prune: then every seq from 0 to the
	# log's last is in log or archive exactly once, and nothing else
	at "$1" log-prune -d "$S" -a "$A" >/dev/null || return 1
	no_tmp "$S" &&
	_r=$(awk -F, -v logf="$S/oplog.csv" '
	    $1 != "seq" { n[$1]++; all++ }
	    FILENAME == logf { s = $1; t = $2 }
	    END {
		for (i = 0; i <= s; i++) if (n[i] != 1) {
			print "seq " i ": " n[i] + 0 " times in log and archive" >"/dev/stderr"; exit 1 }
		if (all != s + 1) { print all " records for seqs 0-" s >"/dev/stderr"; exit 1 }
		print t, all
	    }' "$S/oplog.csv" "$A") &&
	verify "$S" "${_r% *}" "$A" "$S/oplog.csv" >/dev/null &&
	echo "step $crash_step torn=$crash_torn: ${_r#* } records once"
}

# settled OLD NEW: the log NEW is OLD, or OLD with what a crash left
# completed (the seals of an open head, a repair), as any writer does first.
settled() {
	head -n "$(wc -l <"$1")" "$2" | cmp -s "$1" - &&
	tail -n +"$(($(wc -l <"$1") + 1))" "$2" | awk -F, '$5 != "seal" && $5 != "repair" { exit 1 }'
}

# longer NOW: a run at NOW under a longer retention (-r 366) keeps records
# the killed run had archived (its cut is a day earlier).  It refuses in
# one line, before it writes (but for completing what the kill left), when the archive ends at or past
# the first record it keeps (a false alarm of log-verify else: "seq N
# follows M"), and prunes once the archive is cut back as the line says;
# else it prunes.  Archive and log then verify as one chain.
longer() {
	_ab= && cp "$S/oplog.csv" log.before &&
	{ [ ! -e "$A" ] || { whole "$A" >arch.before && _ab=arch.before; }; } || return 1
	# the cut of NOW (one of two) less 366 days, kept from the last kill
	if [ "$1" != "${_lc_in-}" ]; then
		_lc=${1%Z} && _lc=$(date -u -d "${_lc%T*} ${_lc#*T} UTC 366 days ago" +%Y-%m-%dT%H:%M:%S.000Z) &&
		_lc_in=$1 || return 1
	fi
	# the first seq it keeps, and the archive's last whole one (none: -)
	_r=$(awk -F, -v c="$_lc" '
	    FILENAME == ARGV[1] { if (keep == "" && $1 != "seq" && $2 >= c) keep = $1; next }
	    $1 != "seq" { last = $1 }
	    END { print keep, (last == "" ? "-" : last) }' log.before $_ab) &&
	_keep=${_r% *} _last=${_r#* } && [ -n "$_keep" ] || return 1
	[ "$_last" != - ] || _last=
	at "$1" log-prune -d "$S" -a "$A" -r 366 >longer.out 2>longer.err
	_rc=$?
	if [ -n "$_last" ] && [ "$_last" -ge "$_keep" ]; then
		echo "log-prune: $A: ends at seq $_last, past this run's cut (it keeps seq $_keep on): records a killed prune archived; run log-prune with that prune's retention, or cut the archive back to before seq $_keep" >longer.want &&
		test $_rc = 3 && test_cmp longer.want longer.err &&
		settled log.before "$S/oplog.csv" && cmp -s arch.before "$A" ||
		    { echo "-r 366 over an archive to $_last (keeps $_keep): exit $_rc" >&2; cat longer.err >&2; return 1; }
		echo "step $crash_step torn=$crash_torn: -r 366 refused (archive to $_last, keeps $_keep)"
		# as the line says: the archive cut back (the log has the rest)
		awk -F, -v k="$_keep" '$1 == "seq" || $1 < k' arch.before >"$A" &&
		at "$1" log-prune -d "$S" -a "$A" -r 366 >/dev/null &&
		lastt "$S/oplog.csv" && verify "$S" "$_lt" "$A" "$S/oplog.csv" >/dev/null ||
		    { echo "-r 366 after the archive was cut back: not one chain" >&2; return 1; }
	else
		test $_rc = 0 && test ! -s longer.err &&
		lastt "$S/oplog.csv" && verify "$S" "$_lt" "$A" "$S/oplog.csv" >/dev/null ||
		    { echo "-r 366: exit $_rc, or archive and log no longer one chain" >&2; cat longer.err >&2; return 1; }
	fi
}

prune1() { at $NOW1 log-prune -d "$S" -a "$A"; }
prune2() { at $NOW2 log-prune -d "$S" -a "$A"; }

test_expect_success 'the first prune: a kill at every step, or in every write' '
	last=$(tail -1 "$TMP/first/s/oplog.csv" | cut -d, -f1) &&
	crash_every "$TMP/first" "$W" "after_crash $NOW1 $last" prune1
'
crash_say

test_expect_success 'the second prune, which seals first: a kill at every step, or in every write' '
	last=$(tail -1 "$TMP/second/s/oplog.csv" | cut -d, -f1) &&
	crash_every "$TMP/second" "$W" "after_crash $NOW2 $last" prune2
'
crash_say

# A run that removes nothing writes one special record, "removed=0": a
# kill after that record and before its head must not leave a line that
# every writer refuses (it is written after an open head, and cut).
after_noop() {
	at $NOW1 log-append -d "$S" -u cron -a after-kill >/dev/null &&
	verify "$S" $NOW1 >/dev/null &&
	echo "step $crash_step torn=$crash_torn: the next writer goes on, the log verifies"
}
prune_noop() { at $NOW1 log-prune -d "$S" -a "$A"; }

test_expect_success 'a prune that removes nothing: a kill at every step, or in every write' '
	crash_every "$TMP/second" "$W" after_noop prune_noop
'
crash_say

# A prune whose removed records outgrow the scan's early archive copies
# (4 MiB of them are copied to the archive while the scan reads on): 4400
# records of 1000 bytes on 2022-01-02, then 10 newer ones.
W=$TMP/wbig
S=$W/s A=$W/archive.csv
mkdir "$W" && init_at "$S"
padded "$S" "2022-01-02 10:00:00" 4400 old record
rec "$S" "2022-06-01 10:00:00" new 10
at $NOW1 log-append -d "$S" --seal
cp -a "$W" "$TMP/big"

test_expect_success 'a prune that archives while it scans: a kill at every step, or in every write' '
	last=$(tail -1 "$TMP/big/s/oplog.csv" | cut -d, -f1) &&
	crash_every "$TMP/big" "$W" "after_crash $NOW1 $last" prune1
'
crash_say

# A prune whose kept records are copied by a thread while the scan writes
# the archive (two batches of 30,000 records a month apart, in epochs of
# 30 days): the two files' steps interleave differently from run to run
# unless the crash points number them in one order.  Five traces of the
# same prune are one trace, so that a kill at step N is a kill at the
# same call every time.
W=$TMP/wpar
S=$W/s A=$W/archive.csv
mkdir "$W" &&
at 2025-10-01T00:00:00Z jukisec-init -d "$S" -t cs01 --epoch 2592000 >"$S.key" 2>/dev/null &&
awk 'BEGIN { for (i = 0; i < 30000; i++) printf "tanaka,view,%d,ok,detail %d\n", i, i }' >"$TMP/recs.csv" &&
at 2025-10-02T10:00:00Z log-append -d "$S" --stdin <"$TMP/recs.csv" 2>/dev/null &&
at 2025-11-20T10:00:00Z log-append -d "$S" --stdin <"$TMP/recs.csv" 2>/dev/null &&
at 2026-11-01T10:00:00Z log-append -d "$S" --seal
cp -a "$W" "$TMP/par"
prune_par() { at 2026-11-01T10:00:00Z log-prune -d "$S" --archive "$A"; }

test_expect_success 'a prune that copies on two threads: its steps in one order, every run' '
	for i in 1 2 3 4 5; do
		rm -rf "$W" && cp -a "$TMP/par" "$W" &&
		crash_trace prune_par >/dev/null 2>&1 &&
		sed "s|$W/||" "$TMP/crash.trace" >trace.$i || return 1
		[ $i = 1 ] || test_cmp trace.1 trace.$i || return 1
	done &&
	grep -q " copy_file_range s/.tmp-log-prune" trace.1 &&
	grep -q " write archive.csv" trace.1
'

test_done
