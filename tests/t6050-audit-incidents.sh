#!/bin/sh
# jukisec-audit, R9: open incidents with steps outstanding, and the
# reports with a deadline (R9.1's immediate ones to the Mayor and the
# General Security Manager; the APPI's after a leak) that are overdue.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

T=2026-11-25T10:00:00Z
inc() { incident-report "$@" -d "$D" -b boss --by-password-fd 4 4<"$TMP/pw.boss"; }

test_expect_success 'set up' 'at 2026-11-25T09:00:00Z audit_state'

test_expect_success 'no incidents: both R9 checks pass' '
	audit_run --now 2026-11-25T11:00:00Z &&
	expect incidents-open "PASS " &&
	expect incidents-overdue "PASS " &&
	detail incidents-open | grep -q "^0 incident(s) open, 0 with steps outstanding"
'

test_expect_success 'an unrecoverable fault, just reported: open with steps outstanding' '
	at $T inc new --type unrecoverable --cause electrical --summary "CS power supply failed" \
	    --detected $T >id &&
	test "$(cat id)" = 2026-0001 &&
	audit_run --now 2026-11-25T11:00:00Z &&
	test "$ast" -eq 0 &&
	expect incidents-open "WARN 2026-0001" &&
	detail incidents-open | grep -q "2026-0001 (unrecoverable, detected 2026-11-25 10:00): outstanding: J-LIS contacted (Art. 9(1)); maintenance contractor contacted (Art. 9(1)); reported to the Mayor (Art. 9(1)); reported to the General Security Manager (Art. 9(1)); investigated by the Mayor (Art. 9(2)); reported to the Kokubunji City Juki-net Security Committee (Art. 9(3)); reported to the Kokubunji City Information System and Personal Information Management Committee (Art. 9(3))$" &&
	expect incidents-overdue "PASS "
'

test_expect_success 'the immediate reports not made within 24 hours: FAIL' '
	audit_run --now 2026-11-26T10:30:00Z &&
	test "$ast" -eq 1 &&
	expect incidents-overdue "FAIL 2026-0001" &&
	detail incidents-overdue | grep -qx "Reports the regulation requires at once are overdue\. 2026-0001 (detected 2026-11-25 10:00): late: reported to the Mayor (Art\. 9(1)); reported to the General Security Manager (Art\. 9(1))"
'

test_expect_success 'once both reports are recorded, nothing is overdue' '
	at 2026-11-25T10:30:00Z inc step 2026-0001 --step mayor-reported &&
	at 2026-11-25T10:40:00Z inc step 2026-0001 --step general-manager-reported &&
	audit_run --now 2026-11-26T10:30:00Z &&
	expect incidents-overdue "PASS " &&
	expect incidents-open "WARN 2026-0001"
'

# The APPI gives its reports days (the preliminary one by day 3), not
# R9.1's "immediately": the summary says "at once" only of R9.1's.
test_expect_success 'a leak of 500 persons: the APPI preliminary report is due in 3 days' '
	at 2026-11-25T12:00:00Z inc new --type leak --cause other --nature misconduct \
	    --persons 500 --summary "USB stick lost" --detected 2026-11-25T12:00:00Z >id2 &&
	at 2026-11-25T12:10:00Z inc step "$(cat id2)" --step mayor-reported &&
	at 2026-11-25T12:20:00Z inc step "$(cat id2)" --step general-manager-reported &&
	audit_run --now 2026-11-29T12:00:00Z &&
	expect incidents-overdue "FAIL 2026-0002" &&
	detail incidents-overdue | grep -qx "Reports to the Personal Information Protection Commission are overdue\. 2026-0002 (detected 2026-11-25 12:00): late: preliminary report to the PPC (APPI Art\. 68(1))" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-11-29T12:00:00Z --lang ja >r.ja &&
	grep -qx "  \[不適合\] 個人情報保護委員会への報告が期限を過ぎています。" r.ja &&
	! grep -n "直ちに" r.ja >&2
'

test_expect_success 'a closed incident is neither open nor overdue' '
	at 2026-11-27T09:00:00Z inc step 2026-0001 --step closed --force --note "test" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	expect incidents-open "WARN 2026-0002"
'

test_expect_success 'an unreadable incidents.csv FAILs the three checks, naming the line' '
	cp "$D/incidents.csv" inc.save &&
	echo "broken" >>"$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	test "$ast" -eq 1 &&
	expect incidents-open "FAIL incidents.csv" &&
	expect incidents-overdue "FAIL incidents.csv" &&
	expect incidents-period "FAIL incidents.csv" &&
	detail incidents-open | grep -q "incidents.csv:[0-9]*: " &&
	test ! -s "$TMP/a.err" &&
	cp inc.save "$D/incidents.csv"
'

# In Japanese, whatever the locale: the record of incidents that cannot
# be read, and a row left out, in words, not by the loader's sentence.
test_expect_success 'incidents.csv that cannot be read, in Japanese: in words, no path' '
	echo "broken" >>"$D/incidents.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-11-27T10:00:00Z --lang ja >r.ja;
	sed "\$s/^\([^,]*\),\([^,]*\),[^,]*,/\1,\2,someday,/" inc.save >"$D/incidents.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-11-27T10:00:00Z --lang ja >r2.ja;
	cp inc.save "$D/incidents.csv" &&
	test "$(grep -cx "      - 事態の記録を開けないか、その内容が事態の記録の形式に合いません" r.ja)" = 3 &&
	grep -qx "      - 事態の記録に読み取れない行が 1 行あり、除外しています" r2.ja &&
	! body r.ja | grep -q "$D" && ! body r2.ja | grep -q "$D" && ja_words r.ja && ja_words r2.ja
'

test_expect_success 'a bad value costs its row: incidents-open names the first, stderr stays empty' '
	sed "\$s/^\([^,]*\),\([^,]*\),[^,]*,/\1,\2,someday,/" inc.save >"$D/incidents.csv" &&
	incident-report -d "$D" list --format csv >/dev/null 2>err &&
	line=$(sed "s/^incident-report: //" err) &&
	expr "$line" : ".*/incidents.csv:[0-9]*: field recorded: .* (row left out)\$" >/dev/null &&
	audit_run --now 2026-11-27T10:00:00Z &&
	detail incidents-open | grep -qF "1 row(s) do not read back and are left out, the first: $line" &&
	test ! -s "$TMP/a.err" &&
	cp inc.save "$D/incidents.csv"
'

# A by that no register can hold is a row new or step would refuse (-b
# is checked as an operator id), as confirmations.csv refuses it: not an
# incident the committee is shown as open.
test_expect_success 'a row whose by is not an operator id is left out: incidents-open FAILs' '
	sed "\$s/^\([^,]*,[^,]*,[^,]*\),[^,]*,/\1,-bad id\/..,/" inc.save >"$D/incidents.csv" &&
	incident-report -d "$D" list --format csv >/dev/null 2>err &&
	one_line_matching err "incidents.csv:[0-9]*: field by: not an operator id \(row left out\)\$" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	test "$ast" -eq 1 &&
	finding incidents-open | grep -q "^FAIL " &&
	detail incidents-open | grep -qF "field by: not an operator id (row left out)" &&
	test ! -s "$TMP/a.err" &&
	cp inc.save "$D/incidents.csv"
'

# A writer killed between its note incidents.pending and its log record
# leaves the note, which only the next incident-report new or step settles
# (incidents are rare): until then the log may lack an event's record, or
# the event was not made, which the committee is told (t5700 leaves real
# notes of both).  A note the writers refuse is named by their refusal.
# An event is in incidents.csv before its record is in the log, and rows
# are never removed: a record whose row is gone (a hand edit, the file put
# back from an older copy) is an incident hidden from the report.
test_expect_success 'an event the log records and incidents.csv lacks: incidents-open FAILs' '
	cp "$D/incidents.csv" inc.save2 &&
	grep -q "^2026-0001,closed," inc.save2 &&
	grep -v "^2026-0001,closed," inc.save2 >"$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	test "$ast" -eq 1 &&
	finding incidents-open | grep -q "^FAIL 2026-0001" &&
	detail incidents-open | grep -q "^1 event(s) the operation history records are missing from the record of incidents; " &&
	detail incidents-open | grep -q "2026-0001: the operation history records closed (record [0-9]*), which incidents.csv does not hold: a row was removed, or the file replaced by an older copy" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-11-27T10:00:00Z --lang ja >r.ja &&
	grep -q "2026-0001: 操作履歴に記録された終結(記録 [0-9]*)が事態の記録にありません" r.ja &&
	grep -v "^2026-0001," inc.save2 >"$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	detail incidents-open | grep -q "2026-0001: the operation history records its report (new) (record [0-9]*)" &&
	cp inc.save2 "$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	! finding incidents-open | grep -q "^FAIL"
'

# The head is read before incidents.csv, with the register lock or
# without it (a group member, a missing register.lock); a row left out
# whose id does not read may hold any event, and is said as itself.
test_expect_success 'the same without the register lock; a row whose id does not read is no removal' '
	grep -v "^2026-0001,closed," inc.save2 >"$D/incidents.csv" &&
	mv "$D/register.lock" reglock.save &&
	audit_run --now 2026-11-27T10:00:00Z &&
	mv reglock.save "$D/register.lock" &&
	finding incidents-open | grep -q "^FAIL 2026-0001" &&
	detail incidents-open | grep -q "2026-0001: the operation history records closed (record [0-9]*)" &&
	sed "s/^2026-0001,closed,/2026-001,closed,/" inc.save2 >"$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	detail incidents-open | grep -q "1 row(s) do not read back and are left out" &&
	! detail incidents-open | grep -q "which incidents.csv does not hold" &&
	cp inc.save2 "$D/incidents.csv"
'

# incidents.csv has no MAC: a row changed after its record (fewer
# persons, a report dated earlier, to hide a duty or a late report) is
# told from the log's record of it, which says what the row said.
edit_inc() {
	python3 - "$D/incidents.csv" "$@" <<-\PY
	import csv, sys
	path, ident, event, col, value = sys.argv[1:]
	rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
	h = rows[0]
	for r in rows[1:]:
	    if r[0] == ident and r[1] == event:
	        r[h.index(col)] = value
	csv.writer(open(path, "w", newline="", encoding="utf-8"),
	    lineterminator="\n").writerows(rows)
	PY
}

test_expect_success 'a row changed since its record: incidents-open FAILs, naming the event' '
	edit_inc 2026-0002 new persons 50 &&
	audit_run --now 2026-11-27T10:00:00Z &&
	test "$ast" -eq 1 &&
	finding incidents-open | grep -q "^FAIL 2026-0002" &&
	detail incidents-open | grep -q "^0 event(s) the operation history records are missing from the record of incidents and 1 held there otherwise; " &&
	detail incidents-open | grep -q "2026-0002: incidents.csv holds its report (new) otherwise than the operation history records it (record [0-9]*): the row was changed, or the file replaced by another copy" &&
	edit_inc 2026-0002 mayor-reported at 2026-11-25T12:05:00.000Z &&
	edit_inc 2026-0002 mayor-reported by boss2 &&
	audit_run --now 2026-11-27T10:00:00Z &&
	detail incidents-open | grep -q "and 2 held there otherwise; " &&
	detail incidents-open | grep -q "2026-0002: incidents.csv holds reported to the Mayor (Art. 9(1)) otherwise than the operation history records it (record [0-9]*)" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-11-27T10:00:00Z --lang ja >r.ja &&
	grep -q "2026-0002: 事態の記録の市長へ報告(規程第9条第1項)が操作履歴の記録(記録 [0-9]*)と異なります。" r.ja &&
	cp inc.save2 "$D/incidents.csv" &&
	edit_inc 2026-0001 new summary "CS power supply failed (minor)" &&
	grep -v "^2026-0001,closed," "$D/incidents.csv" >inc.cut &&
	cp inc.cut "$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	detail incidents-open | grep -q "^1 event(s) the operation history records are missing from the record of incidents and 1 held there otherwise; " &&
	cp inc.save2 "$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	! finding incidents-open | grep -q "^FAIL"
'

# The other way: a row the log, read whole, has no record of.  incidents.csv
# carries no MAC: rows written by hand (an R9.1 report said made, an
# incident closed) turned an overdue FAIL into a PASS.  Every row is
# written before its record, under the register lock the audit reads the
# file under; the k-th row of an id and event needs k records of them.
test_expect_success 'a row the log has no record of (written by hand): incidents-open FAILs, naming it' '
	cp inc.save2 "$D/incidents.csv" &&
	grep "^2026-0002,mayor-reported," inc.save2 >>"$D/incidents.csv" &&
	grep "^2026-0001,new," inc.save2 | sed "s/^2026-0001,/2026-0009,/" >>"$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	test "$ast" -eq 1 &&
	finding incidents-open | grep -q "^FAIL 2026-0002 2026-0009" &&
	detail incidents-open | grep -q "^2 event(s) in the record of incidents are not in the operation history, 0 it records are missing there and 0 held there otherwise; " &&
	detail incidents-open | grep -q "2026-0002: incidents.csv holds reported to the Mayor (Art. 9(1)), written 2026-11-2[0-9] [0-9:]*, which the operation history does not record: a row was added by hand, or the file replaced by another copy" &&
	detail incidents-open | grep -q "2026-0009: incidents.csv holds its report (new), written " &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-11-27T10:00:00Z --lang ja >r.ja &&
	grep -q "2026-0009: 事態の記録の最初の報告(.* 記録)が操作履歴に記録されていません。行が手で書き加えられたか、別の写しに置き換えられています" r.ja &&
	cp inc.save2 "$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	! finding incidents-open | grep -q "^FAIL"
'

# The new report's record holds every value of its row: the APPI flags,
# the time it occurred, its nature and level, the detail text by its
# SHA-256.  A flag flipped by hand (to move a duty or its deadline) is a
# row changed since its record.
test_expect_success 'a new report'"'"'s flags, nature, level, occurrence or detail changed: FAIL' '
	while IFS=: read -r c v; do
		cp inc.save2 "$D/incidents.csv" &&
		edit_inc 2026-0002 new "$c" "$v" &&
		audit_run --now 2026-11-27T10:00:00Z &&
		detail incidents-open | grep -q "2026-0002: incidents.csv holds its report (new) otherwise than the operation history records it" ||
		{ echo "$c=$v" >&2; exit 1; }
	done <<-\EOF &&
	sensitive:yes
	financial:yes
	unlawful_purpose:yes
	nature:negligence
	level:2
	occurred:2026-11-25T11:00:00.000Z
	detail:the stick was found in the car park
	EOF
	cp inc.save2 "$D/incidents.csv" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	! finding incidents-open | grep -q "^FAIL"
'

# A record an earlier incident-report wrote held the type, cause,
# persons, detection and summary only: it is compared on those (a copy
# of the state, a row and such a record added).
test_expect_success 'a new report recorded in the earlier form is compared on what it holds' '
	rm -rf d9 && cp -a "$D" d9 &&
	python3 - d9/incidents.csv >legacy <<-\PY &&
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
	h = rows[0]
	r = [x for x in rows[1:] if x[0] == "2026-0002" and x[1] == "new"][0][:]
	r[0] = "2026-0009"
	g = dict(zip(h, r))
	print("new type=%s cause=%s%s detected=%s summary=%s" % (g["type"], g["cause"],
	    " persons=" + g["persons"] if g["persons"] else "", g["at"], g["summary"]))
	csv.writer(open(sys.argv[1], "a", newline="", encoding="utf-8"),
	    lineterminator="\n").writerow(r)
	PY
	at 2026-11-27T09:00:00Z log-append -d "$PWD/d9" -u boss -a incident \
	    -o 2026-0009 -r ok -m "$(cat legacy)" 2>/dev/null &&
	(D=$PWD/d9 && audit_run --now 2026-11-27T10:00:00Z &&
	 ! detail incidents-open | grep -q "2026-0009: incidents.csv holds" &&
	 ! detail incidents-open | grep -q "2026-0009: the operation history records" &&
	 edit_inc 2026-0009 new summary "another summary" &&
	 audit_run --now 2026-11-27T10:00:00Z &&
	 detail incidents-open | grep -q "2026-0009: incidents.csv holds its report (new) otherwise")
'

test_expect_success 'incidents.pending the writers refuse: incidents-open names it (WARN)' '
	printf "jukisec-incident-pending v1 seq=1\n" >"$D/incidents.pending" &&
	chmod 600 "$D/incidents.pending" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	expect incidents-open "WARN incidents.pending 2026-0002" &&
	detail incidents-open | grep -qF "$D/incidents.pending: not a pending incident event; look at it and incidents.csv, then remove it" &&
	rm "$D/incidents.pending" &&
	audit_run --now 2026-11-27T10:00:00Z &&
	expect incidents-open "WARN 2026-0002"
'

# Issue 14: the Japanese document says what such a note asks as what is
# done, not by file and tool names.  operators.pending, the register's
# note, alike (register-changes; t2606 leaves a real one): one that does
# not read, as the writers refuse it.
test_expect_success 'the notes of an interrupted writer in Japanese: in words' '
	printf "jukisec-incident-pending v1 seq=1\n" >"$D/incidents.pending" &&
	printf "x\n" >"$D/operators.pending" &&
	chmod 600 "$D/incidents.pending" "$D/operators.pending" &&
	jukisec-audit -d "$D" --now 2026-11-27T10:00:00Z --lang ja >r.ja;
	rm "$D/incidents.pending" "$D/operators.pending" &&
	grep -qx "      - 事態の記録の変更の控えが読み取れないか、事態の記録と合いません。両方を調べてから控えを削除してください" r.ja &&
	grep -qx "      - 登録簿の変更の控えが読み取れないか、登録簿と合いません。両方を調べてから控えを削除してください" r.ja &&
	! grep -q "pending\|incident-report\|auth-check" r.ja && ja_words r.ja
'

# R9.1 and the APPI broken and made good later are broken all the same:
# for the incidents of the period (those incidents-period lists), a report
# made after its deadline, with when it was due and when it was made, and
# a report the incident was closed (--force) without, are listed as
# incident-report show says "late".  The deadlines are show's and list
# --overdue's: 24 hours after detection for R9.1, the APPI's days.  In
# Tokyo, as the committee reads dates.
D=$TMP/late
TZ=Asia/Tokyo
export TZ

test_expect_success 'late reports: a November in Tokyo' '
	at 2026-11-01T09:00:00+09:00 audit_state &&
	at 2026-11-02T09:00:00+09:00 inc new --type other --summary "late report" >id &&
	at 2026-11-02T09:05:00+09:00 inc new --type other --summary "forced close" >>id &&
	at 2026-11-02T09:10:00+09:00 inc new --type leak --persons 500 --summary "late ppc" >>id &&
	at 2026-11-02T09:20:00+09:00 inc new --type other --summary "in time" >>id &&
	test "$(cat id)" = "2026-0001
2026-0002
2026-0003
2026-0004" &&
	at 2026-11-02T10:00:00+09:00 inc step 2026-0004 --step mayor-reported &&
	at 2026-11-03T09:19:00+09:00 inc step 2026-0004 --step general-manager-reported &&
	at 2026-11-03T15:00:00+09:00 inc step 2026-0001 --step mayor-reported &&
	at 2026-11-03T15:01:00+09:00 inc step 2026-0001 --step general-manager-reported &&
	at 2026-11-03T16:00:00+09:00 inc step 2026-0002 --step closed --force \
	    --note "closed without reports" &&
	at 2026-11-10T10:00:00+09:00 inc step 2026-0003 --step mayor-reported &&
	at 2026-11-10T10:00:00+09:00 inc step 2026-0003 --step general-manager-reported &&
	at 2026-11-10T10:01:00+09:00 inc step 2026-0003 --step ppc-preliminary &&
	incident-report -d "$D" show 2026-0003 --now 2026-11-10T12:00:00+09:00 >show &&
	grep -q "Preliminary report due: 2026-11-04 .*: made 2026-11-10 10:01, late" show
'

late_now=2026-11-10T12:00:00+09:00
test_expect_success 'an R9.1 report made 30 hours after detection: FAIL, when due and when made' '
	audit_run --now $late_now --since 2026-11-01 &&
	test "$ast" -eq 1 &&
	finding incidents-overdue | grep -q "^FAIL .*2026-0001" &&
	detail incidents-overdue | grep -q " 2026-0001 (detected 2026-11-02 09:00): made late: reported to the Mayor (Art. 9(1)) (due 2026-11-03 08:59, made 2026-11-03 15:00); reported to the General Security Manager (Art. 9(1)) (due 2026-11-03 08:59, made 2026-11-03 15:01); 2026-0002 "
'

test_expect_success 'a PPC preliminary report made after day 3: FAIL, as show says late' '
	audit_run --now $late_now --since 2026-11-01 &&
	detail incidents-overdue | grep -q "2026-0003 (detected 2026-11-02 09:10): made late: reported to the Mayor (Art. 9(1)) (due 2026-11-03 09:09, made 2026-11-10 10:00); reported to the General Security Manager (Art. 9(1)) (due 2026-11-03 09:09, made 2026-11-10 10:00); preliminary report to the PPC (APPI Art. 68(1)) (due 2026-11-04 23:59, made 2026-11-10 10:01)"
'

test_expect_success 'an incident closed with --force before its R9.1 reports: FAIL, closed without' '
	audit_run --now $late_now --since 2026-11-01 &&
	detail incidents-overdue | grep -q "2026-0002 (detected 2026-11-02 09:05, closed 2026-11-03 16:00): closed without: reported to the Mayor (Art. 9(1)); reported to the General Security Manager (Art. 9(1))" &&
	expect incidents-overdue "FAIL 2026-0001 2026-0002 2026-0003" &&
	detail incidents-overdue | grep -q "^Required reports were made after their deadlines\. Incidents were closed without required reports\. 2026-0001 "
'

test_expect_success 'the late and skipped reports in Japanese: in words, dates as the report gives them' '
	test_must_fail 1 jukisec-audit -d "$D" --now $late_now --since 2026-11-01 --lang ja >r.ja &&
	grep -qx "  \[不適合\] 期限を過ぎてから行われた報告があります。必要な報告を行わないまま終結した事態があります。" r.ja &&
	grep -qx "      - 2026-0001(令和8年11月2日 09:00 検知): 期限後の実施: 市長へ報告(規程第9条第1項)(期限 令和8年11月3日 08:59、実施 令和8年11月3日 15:00)、総括責任者へ報告(規程第9条第1項)(期限 令和8年11月3日 08:59、実施 令和8年11月3日 15:01)" r.ja &&
	grep -qx "      - 2026-0002(令和8年11月2日 09:05 検知、令和8年11月3日 16:00 終結): 未実施のまま終結: 市長へ報告(規程第9条第1項)、総括責任者へ報告(規程第9条第1項)" r.ja &&
	grep -q "^      - 2026-0003(令和8年11月2日 09:10 検知): 期限後の実施: .*、個人情報保護委員会へ速報(個人情報保護法第68条第1項)(期限 令和8年11月4日 23:59、実施 令和8年11月10日 10:01)\$" r.ja &&
	! grep -n "mayor-reported\|general-manager-reported\|ppc-preliminary\|--force\|incident-report" r.ja >&2 &&
	ja_words r.ja
'

# December: November's incidents are outside the period.  What is still
# outstanding past its deadline is listed whatever the period (the final
# report of the leak, due on day 30); what was late and is made is not.
# A report made 24 hours after detection is late, one a minute less is not.
test_expect_success 'outside the period: listed only while outstanding; 24 hours is late' '
	at 2026-12-01T09:00:00+09:00 inc new --type other --summary "December" >id &&
	at 2026-12-01T10:00:00+09:00 inc step 2026-0005 --step mayor-reported &&
	at 2026-12-02T08:59:00+09:00 inc step 2026-0005 --step general-manager-reported &&
	at 2026-12-03T09:00:00+09:00 inc new --type other --summary "December, late" >>id &&
	test "$(cat id)" = "2026-0005
2026-0006" &&
	at 2026-12-03T10:00:00+09:00 inc step 2026-0006 --step general-manager-reported &&
	at 2026-12-04T09:00:00+09:00 inc step 2026-0006 --step mayor-reported &&
	audit_run --now 2026-12-10T12:00:00+09:00 --since 2026-12-01 &&
	expect incidents-overdue "FAIL 2026-0003 2026-0006" &&
	detail incidents-overdue | grep -qx "Reports to the Personal Information Protection Commission are overdue\. Required reports were made after their deadlines\. 2026-0003 (detected 2026-11-02 09:10): late: final report to the PPC (APPI Art\. 68(1)); 2026-0006 (detected 2026-12-03 09:00): made late: reported to the Mayor (Art\. 9(1)) (due 2026-12-04 08:59, made 2026-12-04 09:00)" &&
	at 2026-12-10T13:00:00+09:00 inc step 2026-0003 --step ppc-final &&
	audit_run --now 2026-12-10T14:00:00+09:00 --since 2026-12-01 &&
	expect incidents-overdue "FAIL 2026-0006" &&
	detail incidents-overdue | grep -q "^Required reports were made after their deadlines\. 2026-0006 " &&
	expect incidents-period "WARN 2026-0005 2026-0006"
'

# Both kinds overdue: a sentence each, R9.1's "at once" for its own.
test_expect_success 'R9.1 and APPI reports overdue together: one sentence each' '
	at 2026-12-20T09:00:00+09:00 inc new --type leak --cause other \
	    --nature negligence --persons 120 --summary "Mail sent to the wrong list" >id &&
	test "$(cat id)" = 2026-0007 &&
	audit_run --now 2026-12-24T09:00:00+09:00 --since 2026-12-20 &&
	expect incidents-overdue "FAIL 2026-0007" &&
	detail incidents-overdue | grep -q "^Reports the regulation requires at once are overdue\. Reports to the Personal Information Protection Commission are overdue\. 2026-0007 (detected 2026-12-20 09:00): late: reported to the Mayor (Art\. 9(1)); reported to the General Security Manager (Art\. 9(1)); preliminary report to the PPC (APPI Art\. 68(1))$" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2026-12-24T09:00:00+09:00 \
	    --since 2026-12-20 --lang ja >r.ja &&
	grep -qx "  \[不適合\] 直ちに行うべき報告が期限を過ぎています。個人情報保護委員会への報告が期限を過ぎています。" r.ja
'

# A detection with seconds: the report ten seconds late is made in the
# minute the deadline falls in, which the item does not show as its due
# minute (the last whole minute before, as for a detection on the minute).
test_expect_success 'a detection at 09:00:30: due at 08:59 the next day, late at 09:00:40' '
	at 2026-12-26T10:00:00+09:00 inc new --type other --summary "seconds" \
	    --detected 2026-12-26T09:00:30+09:00 >id &&
	test "$(cat id)" = 2026-0008 &&
	at 2026-12-27T10:00:00+09:00 inc step 2026-0008 --step mayor-reported \
	    --at 2026-12-27T09:00:40+09:00 &&
	at 2026-12-27T10:00:00+09:00 inc step 2026-0008 --step general-manager-reported \
	    --at 2026-12-27T09:00:20+09:00 &&
	audit_run --now 2026-12-28T09:00:00+09:00 --since 2026-12-26 &&
	detail incidents-overdue | grep -q "2026-0008 (detected 2026-12-26 09:00): made late: reported to the Mayor (Art\. 9(1)) (due 2026-12-27 08:59, made 2026-12-27 09:00)\$"
'

test_done
