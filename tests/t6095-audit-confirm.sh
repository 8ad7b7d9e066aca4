#!/bin/sh
# The committee's confirmations of what the software cannot check (R7 the
# server room, R10 the staff's duties, R11 the contract clauses): the items
# of jukisec.conf, recorded with jukisec-audit --confirm ITEM -b ID (the
# manager verified and the attempt counted like every -b, the row in
# confirmations.csv, the record in the log), reported with their last
# confirmation, WARN when never made or older than the item's interval.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"
. "$SRCDIR/tests/lib-crash.sh"

confirm() { jukisec-audit -d "$D" -b boss --by-password-fd 4 "$@" 4<"$TMP/pw.boss"; }

test_expect_success 'set up: the default items of the regulation' '
	at 2026-11-20T09:00:00Z reg_state && chmod 600 "$D.key" &&
	at 2026-11-20T09:00:00Z bootstrap
'

test_expect_success 'nine items, none confirmed yet: WARN, filed under R7, R8, R10, R11' '
	audit_run --now 2026-11-21T00:00:00Z &&
	test "$ast" -eq 0 &&
	mlr --icsv --onidx filter "\$rule =~ \"^R(7|8|10|11)\$\"" then cut -o -f rule,check,status \
	    "$TMP/a.csv" >items &&
	cat >want <<-\EOW &&
	R7 server-room WARN
	R8 fault-measures WARN
	R10 staff-duties WARN
	R11 contract-1 WARN
	R11 contract-2 WARN
	R11 contract-3 WARN
	R11 contract-4 WARN
	R11 contract-5 WARN
	R11 contract-6 WARN
	EOW
	test_cmp want items &&
	detail server-room | grep -q "^Art. 7: the rules on managing and entering the server room are kept: not confirmed yet\.$" &&
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now 2026-11-21T00:00:00Z --lang ja >r.ja &&
	grep -qx "規程第11条 委託を行う場合の措置" r.ja &&
	grep -q "^  \[要確認\] 規程第8条: 住基ネットに対する障害(電気的及び機械的障害、.*落雷その他)を防止し、及び障害が発生した場合の対策を図る措置が講じられていること: まだ確認されていません。\$" r.ja &&
	grep -q "^  \[要確認\] 規程第11条第3号: 受託者との契約に、情報の秘密保持に関する事項が明示されていること: まだ確認されていません。\$" r.ja
'

# man_order: "RULE CHECK" per line, the list of jukisec-audit(1) that
# gives the report order ("contract-1 No to Cm contract-6" spelt out).
man_order() {
	awk '/^report order:$/ { p = 1; next } p && /^\.El/ { exit }
	p && /^\.It / {
		if ($5 == "No" && $6 == "to") {
			a = $4; b = $8; sub(/[0-9]+$/, "", a); n = substr($4, length(a) + 1)
			m = substr(b, length(a) + 1)
			for (i = n; i <= m; i++) print $2, a i
		} else
			print $2, $4
	}' "$SRCDIR/man/jukisec-audit.1"
}

test_expect_success 'the report order is the list of the page; own items follow their article'"'"'s checks' '
	audit_run --now 2026-11-21T00:00:00Z &&
	man_order >want && test "$(wc -l <want)" -ge 30 &&
	mlr --icsv --onidx --ofs " " cut -o -f rule,check "$TMP/a.csv" >got &&
	test_cmp want got &&
	cp "$D/jukisec.conf" conf.save &&
	echo "confirm.zz-audit = 12 R5.4 端末機の操作者の確認 | who operates the terminals" >>"$D/jukisec.conf" &&
	echo "confirm.cctv = 3 R7 監視カメラの録画 | the CCTV recordings" >>"$D/jukisec.conf" &&
	echo "confirm.drill = 12 R9.3 報告の訓練 | the reporting drill" >>"$D/jukisec.conf" &&
	audit_run --now 2026-11-21T00:00:00Z &&
	cp conf.save "$D/jukisec.conf" &&
	mlr --icsv --onidx --ofs " " cut -o -f rule,check "$TMP/a.csv" >got &&
	awk "{ print } \$2 == \"log-operators-authorized\" { print \"R5.4 zz-audit\" }
	    \$2 == \"server-room\" { print \"R7 cctv\" }
	    \$2 == \"incidents-period\" { print \"R9 drill\" }" want >want2 &&
	test_cmp want2 got
'

test_expect_success 'a confirmation is recorded, logged and shown with date and name (not before it was made)' '
	at 2026-11-25T01:00:00Z confirm --confirm server-room --note "入退室記録簿を確認した" &&
	test "$(sed -n 1p "$D/confirmations.csv")" = "item,confirmed_at,by,note" &&
	grep -q "^server-room,2026-11-25T01:00:00\.[0-9]*Z,boss,入退室記録簿を確認した\$" "$D/confirmations.csv" &&
	test "$(log_count confirm ok "note=入退室記録簿を確認した")" = 1 &&
	audit_run --now 2026-11-25T00:59:00Z &&
	expect server-room "WARN " &&
	audit_run --now 2026-12-01T00:00:00Z &&
	expect server-room "PASS boss" &&
	detail server-room | grep -q "confirmed 2026-11-25 01:00 by Boss\. 入退室記録簿を確認した\$" &&
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now 2026-12-01T00:00:00Z --lang ja >r.ja &&
	grep -q "^  \[適合\] 規程第7条: .*: 令和8年11月25日 10:00 に確認(確認者 Boss)。\$" r.ja &&
	grep -qx "      - 入退室記録簿を確認した" r.ja
'

# "A check whose input cannot be read is a FAIL, never a silent pass":
# whether the confirmer is a Security Manager is the register's to say,
# and register-changes compares the log with the register.  With the
# register unreadable both FAIL, naming operators.csv (they passed).
test_expect_success 'a register that cannot be read: a confirmed item and register-changes FAIL, not checked' '
	cp "$D/operators.csv" reg.save && echo "broken,row" >>"$D/operators.csv" &&
	audit_run --now 2026-12-01T00:00:00Z --since 2026-11-01;
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now 2026-12-01T00:00:00Z --lang ja >r.ja;
	cp reg.save "$D/operators.csv" &&
	test "$ast" -eq 1 &&
	expect server-room "FAIL boss operators.csv" &&
	detail server-room | grep -q "confirmed 2026-11-25 01:00 by id boss (name unknown: the register cannot be read); not checked: the register could not be read\. 入退室記録簿を確認した; .*operators.csv:[0-9]*: " &&
	finding register-changes | grep -q "^FAIL .*operators.csv" &&
	detail register-changes | grep -q "change(s) of the register in the period, as the operation history records them; not checked against the register: it could not be read\." &&
	grep -q "^  \[不適合\] 規程第7条: .*: 令和8年11月25日 10:00 に確認(確認者 ID boss(登録簿を読み込めないため氏名不明))とありますが、登録簿を読み込めないため点検できません。\$" r.ja &&
	grep -q "登録簿を読み込めないため、登録簿と照合できません。\$" r.ja && ja_words r.ja
'

# jukisec-audit(1): WARN when the last confirmation "is as old as the
# item's interval"; the message says so, not "more than".
test_expect_success 'as old as its interval (12 months): WARN, 12 month(s) or more ago' '
	audit_run --now 2027-11-25T00:59:00Z &&
	expect server-room "PASS boss" &&
	audit_run --now 2027-11-25T01:00:00Z &&
	expect server-room "WARN boss" &&
	detail server-room | grep -q "last confirmed 2026-11-25 01:00 by Boss, 12 month(s) or more ago\. 入退室記録簿を確認した\$" &&
	{ TZ=Asia/Tokyo jukisec-audit -d "$D" --now 2027-11-25T01:00:00Z --lang ja >r.ja ||
	    test $? -eq 1; } &&
	grep -q "^  \[要確認\] 規程第7条: .*: 最後の確認は 令和8年11月25日 10:00(確認者 Boss)で、12 か月以上前です。\$" r.ja
'

test_expect_success 'the interval ends to the millisecond of the confirmation' '
	cp -a "$D" "$TMP/ms" && D=$TMP/ms &&
	at 2026-11-25T02:00:00.500Z confirm --confirm staff-duties &&
	audit_run --now 2027-11-25T02:00:00.499Z &&
	expect staff-duties "PASS " &&
	audit_run --now 2027-11-25T02:00:00.500Z &&
	expect staff-duties "WARN " &&
	detail staff-duties | grep -q ", 12 month(s) or more ago\.\$"
'

# jukisec-audit(1): the interval is in local calendar months.  A month
# from 31 January ends on the last day of February, not in March; twelve
# months from 29 February end on 28 February.
tokyo_audit() { (TZ=Asia/Tokyo && export TZ && audit_run --now "$1"); }
test_expect_success 'a month from the 31st ends on the last day of a shorter month' '
	cp -a "$D" "$TMP/eom" && D=$TMP/eom &&
	echo "confirm.server-room = 1 R7 サーバ室 | the server room" >>"$D/jukisec.conf" &&
	at 2027-01-31T01:00:00Z confirm --confirm server-room &&
	tokyo_audit 2027-02-28T00:59:59.999Z &&
	expect server-room "PASS " &&
	tokyo_audit 2027-02-28T01:00:00Z &&
	expect server-room "WARN " &&
	detail server-room | grep -q ", 1 month(s) or more ago\.\$" &&
	at 2028-02-29T01:00:00Z confirm --confirm staff-duties &&
	tokyo_audit 2029-02-28T00:59:59.999Z &&
	expect staff-duties "PASS " &&
	tokyo_audit 2029-02-28T01:00:00Z &&
	expect staff-duties "WARN "
'

test_expect_success 'a municipality'"'"'s own interval and item' '
	cp "$D/jukisec.conf" conf.save &&
	echo "confirm.server-room = 6 R7 サーバ室の鍵の管理 | the server room keys" >>"$D/jukisec.conf" &&
	echo "confirm.cctv = 3 R7 監視カメラの録画 | the CCTV recordings" >>"$D/jukisec.conf" &&
	audit_run --now 2027-05-25T01:00:00Z &&
	expect server-room "WARN boss" &&
	expect cctv "WARN " &&
	at 2027-05-26T00:00:00Z confirm --confirm cctv &&
	audit_run --now 2027-05-27T00:00:00Z &&
	expect cctv "PASS " &&
	cp conf.save "$D/jukisec.conf"
'

test_expect_success 'a wrong password: exit 1, nothing recorded, the attempt logged' '
	pw wrong wrong-password-1 &&
	rows=$(wc -l <"$D/confirmations.csv") &&
	at 2027-05-27T01:00:00Z test_must_fail 1 jukisec-audit -d "$D" -b boss --by-password-fd 4 \
	    --confirm staff-duties 4<"$TMP/pw.wrong" 2>err &&
	test "$(wc -l <"$D/confirmations.csv")" = "$rows" &&
	test "$(log_count auth denied "")" -ge 1 &&
	test "$(log_count confirm ok "")" = 2
'

test_expect_success 'usage errors: unknown item (listed), --now, a bad note, no -b (exit 2, nothing recorded)' '
	rows=$(wc -l <"$D/confirmations.csv") &&
	test_must_fail 2 confirm --confirm server-rooms 2>err &&
	one_line_matching err "^jukisec-audit: --confirm server-rooms: not an item of jukisec.conf \(items: server-room, fault-measures, staff-duties, contract-1, contract-2, contract-3, contract-4, contract-5, contract-6\)$" &&
	test_must_fail 2 confirm --confirm server-room --now 2027-05-27T00:00:00Z 2>err &&
	one_line_matching err "^jukisec-audit: --now: the clock is not an input of a change\$" &&
	test_must_fail 2 confirm --confirm server-room --note "$(printf "a\tb")" 2>err &&
	grep -q "^jukisec-audit: --note" err &&
	test_must_fail 2 jukisec-audit -d "$D" --confirm server-room 2>err &&
	grep -q "^usage:" err &&
	test_must_fail 2 confirm --confirm server-room --fiscal-year 2026 2>err &&
	test "$(wc -l <"$D/confirmations.csv")" = "$rows"
'

# jukisec-audit(1) SYNOPSIS: --format and --lang are the report's form,
# not --confirm's, where they would be ignored.
test_expect_success '--format or --lang with --confirm: exit 2, its line, nothing recorded' '
	rows=$(wc -l <"$D/confirmations.csv") &&
	recs=$(wc -l <"$D/oplog.csv") &&
	test_must_fail 2 confirm --confirm server-room --format csv >out 2>err &&
	head -n 1 err | grep -q "^jukisec-audit: --format: not with --confirm\$" &&
	test_must_fail 2 confirm --confirm server-room --lang ja >>out 2>err &&
	head -n 1 err | grep -q "^jukisec-audit: --lang: not with --confirm\$" &&
	test ! -s out &&
	test "$(wc -l <"$D/confirmations.csv")" = "$rows" &&
	test "$(wc -l <"$D/oplog.csv")" = "$recs"
'

test_expect_success 'a damaged confirmations.csv: every item FAILs, exit 1; it is not extended' '
	cp "$D/confirmations.csv" c.save &&
	echo "server-room,yesterday,boss," >>"$D/confirmations.csv" &&
	audit_run --now 2027-05-27T00:00:00Z &&
	test "$ast" -eq 1 &&
	expect server-room "FAIL confirmations.csv" &&
	expect contract-6 "FAIL confirmations.csv" &&
	detail server-room | grep -q "confirmations.csv:[0-9]*: field confirmed_at: not an RFC 3339 time" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.ja &&
	n=$(($(wc -l <"$D/confirmations.csv") - 1)) &&
	test "$(grep -cx "      - 確認の記録の $n 件目の行に読み取れない値があります" r.ja)" = 9 &&
	! body r.ja | grep -q "$D" && ja_words r.ja &&
	test ! -s "$TMP/a.err" &&
	cp "$D/confirmations.csv" c.bad &&
	at 2027-05-27T01:00:00Z test_must_fail 3 confirm --confirm server-room 2>err &&
	test_cmp c.bad "$D/confirmations.csv" &&
	cp c.save "$D/confirmations.csv"
'

# A row reads back only if --confirm would have written it: a note by the
# free-text rule (--note refuses a control character, exit 2), a time with
# its time of day (a bare date is no instant, as incidents.csv's reader
# and time_arg say).  Otherwise it is damage, as above: every item FAILs
# naming the line and field, and --confirm does not extend the file.
test_expect_success 'a note with a control character, a confirmed_at without its time of day: damage' '
	cp "$D/confirmations.csv" c.save &&
	test_must_fail 2 confirm --confirm server-room --note "$(printf "a\033")" 2>err &&
	one_line_matching err "^jukisec-audit: --note: contains a control character\$" &&
	line=$(($(wc -l <c.save) + 1)) &&
	for row in "server-room,2027-05-26T00:00:00.000Z,boss,$(printf "a\033b")/note: contains a control character" \
	    "server-room,2026-12-05,boss,/confirmed_at: not an RFC 3339 time"
	do
		cp c.save "$D/confirmations.csv" &&
		printf "%s\n" "${row%/*}" >>"$D/confirmations.csv" &&
		audit_run --now 2027-05-27T00:00:00Z &&
		test "$ast" -eq 1 &&
		expect server-room "FAIL confirmations.csv" &&
		expect contract-6 "FAIL confirmations.csv" &&
		detail server-room | grep -qF "$D/confirmations.csv:$line: field ${row##*/}" &&
		cp "$D/confirmations.csv" c.bad &&
		at 2027-05-27T01:00:00Z test_must_fail 3 confirm --confirm server-room 2>err &&
		one_line_matching err "^jukisec-audit: .*confirmations.csv:$line: field ${row##*/}\$" &&
		test_cmp c.bad "$D/confirmations.csv" ||
		    { cp c.save "$D/confirmations.csv"; return 1; }
	done &&
	cp c.save "$D/confirmations.csv"
'


# Kills of --confirm (tests/lib-crash.sh): the row and its "confirm" record
# are kept whole through confirmations.pending, as incidents.csv's events
# through incidents.pending (jukisec-log(5), "Register changes"): a kill
# between them leaves the note, the audit does not PASS the item until it
# is settled, and the next --confirm settles it first (SPEC: every change
# writes a log record).
CR=$TMP/crash KEY=$D.key
AT=2027-06-01T00:00:00Z
crash_untorn='oplog.*'
kconfirm() {
	at_AT jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm contract-6 \
	    --note killed 4<"$TMP/pw.boss"
}

# rows, records: each row of confirmations.csv, and each "confirm" record
# of the log, as "ITEM NOTE", in order; one_record_each: the same, both
# read by one csv_awk (it runs in every crash and fault case), which
# prints them side by side where they differ.
rows() { csv_awk '!h { h = 1; next } NF_ { print F[1], F[4] }' "$D/confirmations.csv"; }
records() {
	csv_awk 'NF_ > 7 && F[5] == "confirm" && F[7] == "ok" {
	    d = F[8]; sub(/^note=/, "", d); print F[6], d }' "$D/oplog.csv"
}
one_record_each() {
	csv_awk 'FILENAME == ARGV[1] && !h { h = 1; next }
	FILENAME == ARGV[1] && NF_ { r[++nr] = F[1] " " F[4] }
	FILENAME == ARGV[2] && NF_ > 7 && F[5] == "confirm" && F[7] == "ok" {
	    d = F[8]; sub(/^note=/, "", d); c[++nc] = F[6] " " d }
	END { for (i = 1; i <= nr || i <= nc; i++)
		if (i > nr || i > nc || r[i] != c[i]) {
		    print "row " i ": " (i <= nr ? r[i] : "(none)") "; record: " (i <= nc ? c[i] : "(none)")
		    bad = 1 }
	    exit bad }' "$D/confirmations.csv" "$D/oplog.csv" >&2
}

# after_kill: the audit PASSes contract-6 only when its row has its
# record; the next --confirm settles what the kill left, then every row
# has its one record and no note or temporary file is left.
after_kill() {
	audit_run --now 2027-06-01T00:00:01Z &&
	{ ! finding contract-6 | grep -q "^PASS" ||
	    test "$(log_count confirm ok "^note=killed\$")" = 1; } &&
	at_AT jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm contract-5 \
	    4<"$TMP/pw.boss" &&
	one_record_each && no_tmp "$D" && ! test -e "$D/confirmations.pending"
}

test_expect_success 'jukisec-audit --confirm: a kill at every step' '
	rm -rf "$CR.saved" && cp -a "$D" "$CR.saved" && D=$CR &&
	crash_every "$CR.saved" "$D" after_kill kconfirm
'
crash_say

kill_step() {
	crash_after "$CR.saved" "$D" "confirmations.pending\$" "$1" "$2" kconfirm &&
	test -e "$D/confirmations.pending"
}

test_expect_success 'killed after confirmations.csv, before its record: WARN, the next --confirm logs it first' '
	D=$CR && kill_step write "oplog.csv\$" &&
	grep -q "^contract-6,.*,boss,killed\$" "$D/confirmations.csv" &&
	test "$(log_count confirm ok "^note=killed\$")" = 0 &&
	audit_run --now 2027-06-01T00:00:01Z &&
	finding contract-6 | grep -q "^WARN .*confirmations.pending" &&
	detail contract-6 >d &&
	grep -q ", not yet recorded in the operation history\. killed; confirmations.pending: a confirmation whose operation-log record is not settled (a writer was interrupted); the next jukisec-audit --confirm settles it\$" d &&
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now 2027-06-01T00:00:01Z --lang ja >r.ja;
	grep -q "^  \[要確認\] 規程第11条第6号: .*(確認者 Boss)。操作履歴への記録は確定していません。\$" r.ja &&
	grep -qx "      - 操作履歴への記録が確定していない確認の記録があります(書込みが中断されました)。次に確認を記録する際に確定します" r.ja &&
	ja_words r.ja &&
	at_AT jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm contract-5 4<"$TMP/pw.boss" &&
	! test -e "$D/confirmations.pending" &&
	records | tail -n 2 >last &&
	printf "contract-6 killed\ncontract-5 \n" | test_cmp - last &&
	one_record_each &&
	audit_run --now 2027-06-01T00:00:01Z && expect contract-6 "PASS boss" &&
	at_AT log-verify -d "$D" -k "$KEY" >/dev/null
'

test_expect_success 'killed after the record, before the note went: not logged twice' '
	D=$CR && kill_step unlinkat "confirmations.pending\$" &&
	test "$(log_count confirm ok "^note=killed\$")" = 1 &&
	at_AT jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm contract-5 4<"$TMP/pw.boss" &&
	test "$(log_count confirm ok "^note=killed\$")" = 1 && one_record_each
'

test_expect_success 'killed before confirmations.csv: the note goes, nothing is logged for it' '
	D=$CR && kill_step renameat "confirmations.csv\$" &&
	! grep -q ",killed\$" "$D/confirmations.csv" &&
	audit_run --now 2027-06-01T00:00:01Z &&
	! finding contract-6 | grep -q "^PASS" &&
	at_AT jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm contract-5 4<"$TMP/pw.boss" &&
	! test -e "$D/confirmations.pending" && no_tmp "$D" &&
	test "$(log_count confirm ok "^note=killed\$")" = 0 && one_record_each
'

# The note against confirmations.csv's bytes (pending.h): a server-room
# row logged first, then contract-6 killed, so the last row is not the
# note's unless the kill came after the replace.
first_then() {
	rm -rf "$CR.first" && cp -a "$CR.saved" "$CR.first" &&
	(D=$CR.first && at_AT confirm --confirm server-room --note first) &&
	crash_after "$CR.first" "$D" "confirmations.pending\$" "$1" "$2" kconfirm &&
	test -e "$D/confirmations.pending" &&
	test "$(log_count confirm ok "^note=first\$")" = 1
}

test_expect_success 'killed before the replace: the row before is not held; the note says contract-6 was not made' '
	D=$CR && first_then renameat "confirmations.csv\$" &&
	test "$(rows | tail -n 1)" = "server-room first" &&
	audit_run --now 2027-06-01T00:00:01Z &&
	expect server-room "PASS boss" &&
	expect contract-6 "WARN confirmations.pending" &&
	detail contract-6 >d &&
	grep -q ": not confirmed yet\. confirmations.pending: an interrupted jukisec-audit --confirm of contract-6 was not made; confirm it again (the next --confirm removes the note)\$" d &&
	! detail server-room | grep -q "not yet recorded" &&
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now 2027-06-01T00:00:01Z --lang ja >r.ja &&
	grep -q "^  \[適合\] 規程第7条: .*(確認者 Boss)。\$" r.ja &&
	grep -qx "      - この項目の確認を記録する書込みが中断され、確認は記録されていません。改めて確認を記録してください" r.ja &&
	! grep -q "操作履歴への記録は確定していません" r.ja && ja_words r.ja &&
	at_AT jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm contract-5 4<"$TMP/pw.boss" &&
	! test -e "$D/confirmations.pending" && one_record_each &&
	audit_run --now 2027-06-01T00:00:01Z &&
	! detail contract-6 | grep -q "confirmations.pending"
'

test_expect_success 'killed after the replace: the last row, the note'"'"'s, is held, and no other' '
	D=$CR && first_then write "oplog.csv\$" &&
	test "$(rows | tail -n 1)" = "contract-6 killed" &&
	audit_run --now 2027-06-01T00:00:01Z &&
	expect server-room "PASS boss" &&
	finding contract-6 | grep -q "^WARN .*confirmations.pending" &&
	detail contract-6 | grep -q ", not yet recorded in the operation history\. killed; confirmations.pending: a confirmation whose operation-log record is not settled"
'

# Someone else's change after the kill: the writers refuse the note (exit
# 3, its words), and the audit WARNs every item in the same words.
test_expect_success 'confirmations.csv neither before nor after the note: every item WARNs, as the writers refuse' '
	D=$CR && first_then renameat "confirmations.csv\$" &&
	printf "server-room,2027-05-31T00:00:00.000Z,boss,forged\n" >>"$D/confirmations.csv" &&
	refusal="$D/confirmations.pending: confirmations.csv is neither the one before nor the one after the confirmation it names; look at both, then remove it" &&
	audit_run --now 2027-06-01T00:00:01Z &&
	test "$ast" -eq 0 && test ! -s "$TMP/a.err" &&
	expect server-room "WARN boss confirmations.pending" &&
	expect contract-6 "WARN confirmations.pending" &&
	detail server-room | grep -qF "first; $refusal" &&
	detail contract-1 | grep -qF "not confirmed yet. $refusal" &&
	TZ=Asia/Tokyo jukisec-audit -d "$D" --now 2027-06-01T00:00:01Z --lang ja >r.ja &&
	test "$(grep -cx "      - 確認の記録の変更の控えが読み取れないか、確認の記録と合いません。両方を調べてから控えを削除してください" r.ja)" = 9 &&
	ja_words r.ja &&
	at_AT test_must_fail 3 jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm contract-5 4<"$TMP/pw.boss" 2>err &&
	grep -qF "jukisec-audit: $refusal" err
'

test_expect_success 'a note that does not read: every item WARNs in the writers'"'"' words' '
	D=$CR && first_then renameat "confirmations.csv\$" &&
	echo garbage >"$D/confirmations.pending" &&
	audit_run --now 2027-06-01T00:00:01Z &&
	test "$ast" -eq 0 && test ! -s "$TMP/a.err" &&
	expect server-room "WARN boss confirmations.pending" &&
	detail contract-6 | grep -qF "not confirmed yet. $D/confirmations.pending: not a pending confirmation; look at it and confirmations.csv, then remove it"
'

# No writer leaves an empty note (written to its temporary name, synced,
# then renamed): an empty one is damage, refused as one that does not
# read, never taken for no note, which would leave the row in force
# without its record.
test_expect_success 'an empty note: refused as one that does not read, by the writers and the audit' '
	D=$CR && kill_step write "oplog.csv\$" && : >"$D/confirmations.pending" &&
	cp "$D/confirmations.csv" c.before && cp "$D/oplog.csv" log.before &&
	refusal="$D/confirmations.pending: not a pending confirmation; look at it and confirmations.csv, then remove it" &&
	audit_run --now 2027-06-01T00:00:01Z &&
	test "$ast" -eq 1 && test ! -s "$TMP/a.err" &&
	finding contract-5 | grep -q "^WARN confirmations.pending" &&
	finding contract-6 | grep -q "^FAIL .*confirmations.pending" &&
	detail contract-6 | grep -qF "$refusal" &&
	detail contract-6 | grep -qF "no \"confirm\" record of it" &&
	at_AT test_must_fail 3 jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm contract-5 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^jukisec-audit: $refusal\$" &&
	test -e "$D/confirmations.pending" && test ! -s "$D/confirmations.pending" &&
	cmp "$D/confirmations.csv" c.before &&
	! diff log.before "$D/oplog.csv" | grep -q ",confirm,"
'

# A missing confirmations.csv is none yet; an empty one is damage (the
# writer writes the header with the first row), refused as incidents.csv
# and operators.csv are: every item FAILs, --confirm writes nothing.
test_expect_success 'an empty confirmations.csv: every item FAILs; --confirm refuses it, nothing written' '
	D=$CR && rm -rf "$D" && cp -a "$CR.saved" "$D" &&
	: >"$D/confirmations.csv" && cp "$D/oplog.csv" log.before &&
	audit_run --now 2027-06-01T00:00:01Z &&
	test "$ast" -eq 1 && test ! -s "$TMP/a.err" &&
	expect server-room "FAIL confirmations.csv" &&
	expect contract-6 "FAIL confirmations.csv" &&
	detail server-room | grep -qF "$D/confirmations.csv:1: no header line" &&
	test_must_fail 1 jukisec-audit -d "$D" --now 2027-06-01T00:00:01Z --lang ja >r.ja &&
	test "$(grep -cx "      - 確認の記録の見出しの行がないか、形式に合いません" r.ja)" = 9 &&
	at_AT test_must_fail 3 jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm contract-5 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^jukisec-audit: $D/confirmations.csv:1: no header line\$" &&
	test ! -s "$D/confirmations.csv" && ! test -e "$D/confirmations.pending" &&
	! diff log.before "$D/oplog.csv" | grep -q ",confirm,"
'

# A disk that fails one step or one sync: exit 3 in one line naming the
# directory or a file, and then all a kill must leave (after_kill).
after_fault() {
	{ test "$fail_rc" = 0 || { test "$fail_rc" = 3 &&
	    one_line_matching "$TMP/fail.err" "^jukisec-audit: $D(/[a-z.-]+)?: "; }; } &&
	after_kill
}

test_expect_success 'jukisec-audit --confirm: every step and sync failing (EIO)' '
	D=$CR && fail_every "$CR.saved" "$D" EIO after_fault kconfirm
'

test_done
