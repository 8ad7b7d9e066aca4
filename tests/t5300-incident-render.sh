#!/bin/sh
# incident-report show: the report in Japanese (和暦, across the era
# boundaries 平成→令和 and 昭和→平成) and English against golden files; CSV
# and JSON read by mlr and python; the language chosen by locale or --lang.
# People by 職名 and 氏名 (the manager of 2019 has a title, the one of 1989
# none).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"
# the instructions given before the registrations (not after their day)
INSTR_BOOT=1989-01-01 INSTR_PW=1989-01-01

G=$SRCDIR/tests/golden
D89=$TMP/s89	# the 昭和 incident: a state directory of 1989

test_expect_success 'set up: a leak on the last day of 平成, handled into 令和' '
	AT=2019-04-30T15:00:00Z inc_state &&
	AT=2019-04-30T15:10:00Z at_AT operator-mod -d "$D" -b boss \
	    --by-password-fd 4 -i boss --title 市民課長 4<"$TMP/pw.boss" &&
	printf "Found in the entry book of the server room.\nThe USB memory held 150 records.\n" >detail &&
	AT=2019-04-30T15:30:00Z inew --type leak --nature misconduct \
	    --level 3 --persons 150 --sensitive --occurred 2019-04-30T08:00:00Z \
	    --detected 2019-04-30T15:00:00Z --detail-file detail \
	    --summary "USB memory with resident records taken out" >id &&
	test "$(cat id)" = 2019-0001 &&
	AT=2019-04-30T15:45:00Z istep 2019-0001 jlis-contacted &&
	AT=2019-04-30T16:00:00Z istep 2019-0001 vendor-contacted &&
	AT=2019-04-30T23:59:00Z istep 2019-0001 mayor-reported &&
	AT=2019-05-01T00:00:00Z istep 2019-0001 general-manager-reported &&
	AT=2019-05-01T03:00:00Z istep 2019-0001 investigated --note "traffic logs reviewed" &&
	AT=2019-05-01T03:10:00Z istep 2019-0001 disconnected \
	    --note "residents rights clearly at risk" &&
	AT=2019-05-02T09:00:00Z istep 2019-0001 ppc-preliminary &&
	AT=2019-05-03T09:00:00Z istep 2019-0001 reconnected \
	    --note "the stick recovered, the server checked clean" &&
	AT=2019-05-07T09:00:00Z istep 2019-0001 committee-reported &&
	AT=2019-05-07T10:00:00Z istep 2019-0001 countermeasures \
	    --note "USB ports of the terminals locked; staff instructed again"
'

test_expect_success 'the Japanese report matches the golden file (平成31年4月30日 → 令和元年5月1日)' '
	incident-report -d "$D" show 2019-0001 --lang ja --now 2019-05-08T00:00:00Z >ja.txt &&
	test_cmp "$G/t5300-leak.ja.txt" ja.txt
'

test_expect_success 'the English report matches the golden file' '
	incident-report -d "$D" show 2019-0001 --lang en --now 2019-05-08T00:00:00Z >en.txt &&
	test_cmp "$G/t5300-leak.en.txt" en.txt
'

test_expect_success 'CSV and JSON match their golden files' '
	incident-report -d "$D" show 2019-0001 --format csv --now 2019-05-08T00:00:00Z >r.csv &&
	test_cmp "$G/t5300-leak.csv" r.csv &&
	incident-report -d "$D" show 2019-0001 --format json --now 2019-05-08T00:00:00Z >r.json &&
	test_cmp "$G/t5300-leak.json" r.json
'

test_expect_success 'the CSV is read by mlr and python csv; the JSON by python json' '
	test "$(mlr --icsv --onidx filter "\$status == \"outstanding\"" then cut -f step r.csv | tr "\n" " ")" = \
	    "pic-committee-reported ppc-final persons-notified " &&
	python3 -c "import csv,sys
rows = list(csv.DictReader(open(sys.argv[1], newline=\"\")))
assert rows[0][\"step\"] == \"new\" and rows[0][\"note\"].startswith(\"USB\"), rows[0]
assert [r[\"step\"] for r in rows if r[\"status\"] == \"done\"][-1] == \"countermeasures\"" r.csv &&
	json_true "d[\"appi\"][\"preliminary_due\"] == \"2019-05-02T23:59:59.999Z\"" <r.json
'

# incident-report(1), --format: what each machine format carries.
test_expect_success 'show'"'"'s CSV is the timeline with no cause; its JSON has the members the page lists' '
	test "$(head -1 r.csv)" = "incident,step,status,at,by,due,note" &&
	test "$(mlr --icsv --onidx cut -f status r.csv | sort -u | tr "\n" " ")" = "done outstanding " &&
	test "$(mlr --icsv --onidx filter "\$due != \"\"" then cut -f step r.csv | tr "\n" " ")" = \
	    "ppc-preliminary ppc-final " &&
	json_true "list(d) == \"id status type cause nature level occurred detected reported by summary detail disconnected events outstanding overdue appi\".split() and d[\"cause\"] is None" <r.json
'

test_expect_success 'the era boundary 昭和64年1月7日 → 平成元年1月8日' '
	D=$D89 && AT=1989-01-07T19:00:00Z inc_state &&
	AT=1989-01-07T20:00:00Z inew --type unrecoverable --cause electrical \
	    --detected 1989-01-07T19:00:00Z --summary "power supply failed" >id &&
	test "$(cat id)" = 1989-0001 &&
	AT=1989-01-08T00:10:00Z istep 1989-0001 jlis-contacted &&
	incident-report -d "$D89" show 1989-0001 --lang ja --now 1989-01-08T01:00:00Z >showa.txt &&
	test_cmp "$G/t5300-showa.ja.txt" showa.txt
'

test_expect_success 'the language follows LC_ALL, then LC_MESSAGES, then LANG' '
	s() { incident-report -d "$D89" show 1989-0001 --now 1989-01-08T01:00:00Z | head -1; } &&
	J="住民基本台帳ネットワークシステム 重大障害等報告書" E="Juki-net serious incident report" &&
	test "$(LC_ALL= LC_MESSAGES= LANG=ja_JP.UTF-8 s)" = "$J" &&
	test "$(LC_ALL= LC_MESSAGES=ja_JP.UTF-8 LANG=C s)" = "$J" &&
	test "$(LC_ALL=C LANG=ja_JP.UTF-8 s)" = "$E" &&
	test "$(LC_ALL=ja_JP.UTF-8 s)" = "$J" &&
	test "$(LC_ALL=ja_JP.UTF-8 incident-report -d "$D89" show 1989-0001 --lang en | head -1)" = "$E"
'

# The locale variables that name a path are removed at start (ENVIRONMENT):
# the report's default language is read after, as the messages' is.
test_expect_success 'a locale variable naming a path does not choose the report language' '
	s() { env -u LC_MESSAGES "$@" incident-report -d "$D89" show 1989-0001 \
	    --now 1989-01-08T01:00:00Z | head -1; } &&
	J="住民基本台帳ネットワークシステム 重大障害等報告書" E="Juki-net serious incident report" &&
	test "$(s LC_ALL=/x LANG=ja_JP.UTF-8)" = "$J" &&
	test "$(s LC_ALL=ja/x LANG=C)" = "$E" &&
	test "$(s LC_ALL=ja_JP.UTF-8/x LANG=C)" = "$E"
'

# The formats listed are the mode's (the SYNOPSIS): text for show, table
# for list, wherever the option stands.
test_expect_success 'an unknown --lang or --format lists the valid ones' '
	test_must_fail 2 incident-report -d "$D89" show 1989-0001 --lang fr 2>err &&
	one_line_matching err "^incident-report: --lang fr: unknown \(valid: en, ja\)$" &&
	test_must_fail 2 incident-report -d "$D89" show 1989-0001 --format xml 2>err &&
	one_line_matching err "^incident-report: --format xml: unknown \(valid: text, csv, json\)$" &&
	test_must_fail 2 incident-report -d "$D89" --format xml show 1989-0001 2>err &&
	one_line_matching err "^incident-report: --format xml: unknown \(valid: text, csv, json\)$" &&
	test_must_fail 2 incident-report -d "$D89" list --format xml 2>err &&
	one_line_matching err "^incident-report: --format xml: unknown \(valid: table, csv, json\)$" &&
	test_must_fail 2 incident-report -d "$D89" show 1989-0001 --format table 2>err &&
	one_line_matching err "^incident-report: --format table: not with show$"
'

test_expect_success 'times are shown in local time (TZ), stored in UTC' '
	TZ=Asia/Tokyo incident-report -d "$D" show 2019-0001 --lang ja --now 2019-05-08T00:00:00Z >tokyo.txt &&
	grep -q "^検知日時: 令和元年5月1日 00:00$" tokyo.txt &&
	grep -q "^(時刻は日本標準時)$" tokyo.txt &&
	! grep -q "JST\|UTC" tokyo.txt &&
	TZ=Asia/Tokyo incident-report -d "$D" show 2019-0001 --lang en --now 2019-05-08T00:00:00Z >tokyo.en &&
	grep -q "^(times are local, JST)$" tokyo.en &&
	grep -q "^検知日時: 平成31年4月30日 15:00$" ja.txt &&
	grep -q "2019-0001,new,2019-04-30T15:30:00.000Z,boss,2019-04-30T15:00:00.000Z," "$D/incidents.csv"
'

# Issue 14: no English abbreviation in the Japanese document: the zone in
# words, one without a Japanese name by its offset from UTC.
test_expect_success 'the Japanese report names the time zone in words' '
	z() { TZ=$1 incident-report -d "$D" show 2019-0001 --lang ja \
	    --now 2019-05-08T00:00:00Z | sed -n "s/^(時刻は\(.*\))$/\1/p"; } &&
	test "$(z UTC)" = 協定世界時 &&
	test "$(z Asia/Tokyo)" = 日本標準時 &&
	test "$(z Asia/Kathmandu)" = 協定世界時+5時間45分 &&
	test "$(z America/St_Johns)" = 協定世界時-2時間30分 &&
	test "$(z Europe/Paris)" = 協定世界時+2時間
'

# A TZ the system does not have (a misspelt zone, a file that is not
# there, a bare JST) is UTC to the C library, which leaves a word of it
# as the abbreviation: the English report said "(times are local, Asia)"
# or "(times are local, JST)" over times in UTC.  At UTC's offset only
# UTC, GMT and WET are taken; other zones keep their own abbreviation.
test_expect_success 'the English report: a TZ the system does not have is named UTC' '
	z() { TZ=$1 incident-report -d "$D" show 2019-0001 --lang en \
	    --now 2019-05-08T00:00:00Z | sed -n "s/^(times are local, \(.*\))$/\1/p"; } &&
	test "$(z Asia/Tokio)" = UTC &&
	test "$(z /nonexistent/zone)" = UTC &&
	test "$(z nonsense)" = UTC &&
	test "$(z JST)" = UTC &&
	test "$(z ASIA/TOKYO)" = UTC &&
	test "$(z abc-9)" = abc &&
	test "$(z UTC-9)" = UTC+9 &&
	test "$(z GMT-5:30)" = UTC+5:30 &&
	test "$(z Pacific/Guam)" = ChST &&
	test "$(z Africa/Abidjan)" = GMT &&
	test "$(z Asia/Tokyo)" = JST &&
	test "$(z Asia/Kathmandu)" = +0545 &&
	test "$(z UTC)" = UTC &&
	TZ=Asia/Tokio incident-report -d "$D" show 2019-0001 --lang en \
	    --now 2019-05-08T00:00:00Z >tokio.en &&
	grep -qx "Detected: 2019-04-30 15:00" tokio.en
'

# A zone with summer time: the head names the zone at the report's date,
# and a time in the other offset names its own, or the document would
# state it an hour off.
test_expect_success 'a time whose UTC offset is not the report'"'"'s names its own zone' '
	NY() { TZ=America/New_York incident-report -d "$D" "$@"; } &&
	NY show 2019-0001 --lang ja --now 2019-12-02T00:00:00Z >ny.ja &&
	grep -qx "(時刻は協定世界時-5時間)" ny.ja &&
	grep -qx "検知日時: 平成31年4月30日 11:00(協定世界時-4時間)" ny.ja &&
	NY show 2019-0001 --lang en --now 2019-12-02T00:00:00Z >ny.en &&
	grep -qx "(times are local, EST)" ny.en &&
	grep -qx "Detected: 2019-04-30 11:00 EDT" ny.en &&
	NY list --lang en --now 2019-12-02T00:00:00Z >ny.list &&
	grep -q "^2019-0001 .* 2019-04-30 11:00 EDT " ny.list &&
	NY show 2019-0001 --lang en --now 2019-05-08T00:00:00Z >ny.may &&
	grep -qx "(times are local, EDT)" ny.may &&
	grep -qx "Detected: 2019-04-30 11:00" ny.may &&
	NY show 2019-0001 --format csv --now 2019-12-02T00:00:00Z >ny.csv &&
	! grep -q "EDT\|EST" ny.csv
'

test_expect_success 'show of an unknown incident: exit 1' '
	test_must_fail 1 incident-report -d "$D" show 2019-0099 2>err &&
	one_line_matching err "^incident-report: 2019-0099: no such incident$"
'

# A malformed id is a usage error for every mode that takes one: show
# says what step says (t5100), not that no incident has it.
test_expect_success 'show of a malformed id: exit 2, the line step gives, nothing shown' '
	for id in 2026-001 26-1 2019-0000 2019-00001; do
		test_must_fail 2 incident-report -d "$D" show "$id" >out 2>err &&
		one_line_matching err "^incident-report: $id: not an incident id \(YYYY-NNNN\)$" &&
		test ! -s out || return 1
	done
'

test_expect_success 'a report to a full disk does not exit 0' '
	if [ -w /dev/full ]; then
		test_must_fail 3 incident-report -d "$D" show 2019-0001 >/dev/full 2>err
	fi
'

test_done
