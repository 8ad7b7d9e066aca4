#!/bin/sh
# incident-report show as a document the Mayor signs (issue 14 item 3): a
# loss is not given an Article 8 fault, the nature may be 過失, the threat
# level is shown on its scale, the countermeasures (再発防止策・今後の対応)
# are a step shown as outstanding until given, both disconnection decisions
# carry their notes, every step is named in words (no command-line id in
# the Japanese text), people by name, a signature block; an invented city's
# officers and article numbers, none of Kokubunji's.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"
# the instructions given before the registrations (not after their day)
INSTR_BOOT=2026-11-01 INSTR_PW=2026-11-01

NOW=2026-11-20T00:00:00Z
show() { incident-report -d "$D" show "$@" --now $NOW; }

test_expect_success 'set up: a lost USB stick, by negligence, threat level 2' '
	AT=2026-11-10T09:00:00Z inc_state &&
	AT=2026-11-10T10:00:00Z inew --type leak --nature negligence --level 2 \
	    --persons 3 --detected 2026-11-10T09:30:00Z \
	    --summary "USBメモリの紛失" >id &&
	test "$(cat id)" = 2026-0001
'

test_expect_success 'a fault of Art. 8 needs its cause; a loss has none' '
	test_must_fail 2 irb new --type unrecoverable --summary s 2>err &&
	grep -q "^usage:" err &&
	show 2026-0001 --lang ja >r.ja &&
	! grep -q "障害の原因" r.ja &&
	grep -qx "性質: 過失" r.ja &&
	show 2026-0001 --format json | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"cause\"] is None and d[\"nature\"]==\"negligence\", d"
'

test_expect_success 'the threat level on its scale of four' '
	grep -qx "脅威度: 2(4段階中。本人確認情報に脅威を及ぼすおそれの低い事象)" r.ja &&
	show 2026-0001 --lang en >r.en &&
	grep -qx "Threat level: 2 of 4 (a low risk to the residents'"'"' identification data)" r.en
'

test_expect_success 'countermeasures: outstanding until given, then shown; a note is required' '
	sed -n "/^再発防止策・今後の対応(規程第12条第2項第4号):/,/^\$/p" r.ja >cm &&
	grep -qx "  未了(まだ記載されていません)" cm &&
	AT=2026-11-12T10:00:00Z test_must_fail 2 istep 2026-0001 countermeasures 2>err &&
	grep -q "countermeasures needs --note" err &&
	AT=2026-11-12T10:00:00Z istep 2026-0001 countermeasures \
	    --note "USBメモリの持出しを許可制とした" &&
	show 2026-0001 --lang ja >r.ja &&
	sed -n "/^再発防止策・今後の対応(規程第12条第2項第4号):/,/^\$/p" r.ja >cm &&
	grep -qx "  令和8年11月12日 10:00  USBメモリの持出しを許可制とした" cm &&
	! grep -q "未了(まだ記載" cm
'

test_expect_success 'both decisions on the disconnection, with their notes' '
	AT=2026-11-13T09:00:00Z istep 2026-0001 mayor-reported --at 2026-11-10T10:10:00Z &&
	AT=2026-11-13T09:01:00Z istep 2026-0001 disconnected --at 2026-11-10T10:20:00Z \
	    --note "流出の拡大防止" &&
	AT=2026-11-13T09:02:00Z istep 2026-0001 reconnected --at 2026-11-11T10:00:00Z \
	    --note "端末機の点検を終えた" &&
	show 2026-0001 --lang ja >r.ja &&
	sed -n "/^結合の切断(規程第9条第2項):/,/^\$/p" r.ja >disc &&
	cat >want <<-\EOW &&
	結合の切断(規程第9条第2項):
	  令和8年11月10日 10:20 市長の判断により切断: 流出の拡大防止
	  令和8年11月11日 10:00 市長の判断により結合を再開: 端末機の点検を終えた

	EOW
	test_cmp want disc
'

# A reconnection's note is optional: none given, no colon left hanging.
test_expect_success 'a reconnection without a note: no colon after the decision' '
	AT=2026-11-13T09:03:00Z istep 2026-0001 disconnected --at 2026-11-12T08:00:00Z \
	    --note "再発の疑い" &&
	AT=2026-11-13T09:04:00Z istep 2026-0001 reconnected --at 2026-11-12T09:00:00Z &&
	show 2026-0001 --lang ja >r2.ja && show 2026-0001 --lang en >r2.en &&
	grep -qx "  令和8年11月12日 09:00 市長の判断により結合を再開" r2.ja &&
	grep -qx "  reconnected 2026-11-12 09:00 by order of the Mayor" r2.en &&
	grep -qx "  令和8年11月12日 08:00 市長の判断により切断: 再発の疑い" r2.ja
'

test_expect_success 'the Japanese text: steps in words, people by name, no id, signature block' '
	! grep -n "[a-z][a-z]*-[a-z][a-z-]*\|boss\|op1" r.ja &&
	grep -q "^  令和8年11月10日 10:10  市長へ報告(規程第9条第1項)  Boss\$" r.ja &&
	sed -n "/^未了:/,/^\$/p" r.ja | grep -q "^  保守委託業者へ連絡(規程第9条第1項)\$" &&
	grep -qx "セキュリティ責任者 Boss" r.ja &&
	grep -q "^作成者 職名・氏名  Boss  *印\$" r.ja &&
	grep -q "^確認者 職名・氏名  _* 印\$" r.ja &&
	grep -qx "日付  令和8年11月20日" r.ja &&
	tail -1 r.ja | grep -qx "以上"
'

test_expect_success 'an invented city: its officers, committees and articles, none of Kokubunji'"'"'s' '
	cat "$SRCDIR/examples/municipality/wakabadai.conf" >>"$D/jukisec.conf" &&
	show 2026-0001 --lang ja >w.ja &&
	sed -n 3,4p w.ja >to &&
	printf "若葉台市長 様\n住基ネット最高管理者 様\n" >want &&
	test_cmp want to &&
	grep -qx "住基ネット管理責任者 Boss" w.ja &&
	grep -q "^  \[未\] 若葉台市住基ネット安全対策委員会へ報告(管理運用規程第28条第3項)\$" w.ja &&
	grep -qx "管理運用規程第28条による対応状況:" w.ja &&
	grep -qx "事態の種別: データの外部への漏えい(管理運用規程第28条第1項第2号)" w.ja &&
	grep -qx "結合の切断(管理運用規程第28条第2項):" w.ja &&
	grep -qx "再発防止策・今後の対応(管理運用規程第31条第2項第4号):" w.ja &&
	! grep -n "国分寺\|規程第9条\|規程第12条\|^市長 様" w.ja
'

# An officer's title given in Japanese only stands in the English report
# too (jukisec.conf(5)), without an English article before it.
test_expect_success 'a title in Japanese only: the English report names it as it is' '
	printf "mayor = 若葉台市長\n" >>"$D/jukisec.conf" &&
	sed -i "/^mayor = 若葉台市長 | /d" "$D/jukisec.conf" &&
	show 2026-0001 --lang en >w.en &&
	sed -n 3p w.en >to &&
	echo "To: 若葉台市長 and the Juki-net Chief Manager" >want &&
	test_cmp want to &&
	grep -q "reported to 若葉台市長" w.en && grep -q "reported to the Juki-net Chief Manager" w.en &&
	! grep -n "the 若葉台市長" w.en
'

# A document names people, never by login id (issue 14): a register that
# cannot be read makes no report at all, corrupt state (exit 3).
test_expect_success 'an unreadable register: exit 3, one line naming it, no document' '
	cp "$D/operators.csv" reg.save &&
	echo garbage >"$D/operators.csv" && chmod 600 "$D/operators.csv" &&
	for l in ja en; do
		test_must_fail 3 show 2026-0001 --lang $l >out 2>err &&
		one_line_matching err "operators\.csv" &&
		test ! -s out || return 1
	done &&
	show 2026-0001 --format json | json_true "d[\"by\"] == \"boss\"" &&
	cp reg.save "$D/operators.csv" &&
	show 2026-0001 --lang ja >r.ja &&
	grep -q "^作成者 職名・氏名  Boss  *印\$" r.ja
'

test_done
