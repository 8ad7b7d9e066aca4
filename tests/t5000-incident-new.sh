#!/bin/sh
# incident-report new: every type (R9.1) and cause (R8), ids per year, the
# manager's credential, and bad input refused in one line with nothing
# recorded.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"

AT=2026-11-25T10:00:00Z N=--now=2026-11-25T10:00:00Z

test_expect_success 'set up a state directory with a manager' 'inc_state'

test_expect_success '--help prints the usage on stdout, exit 0' '
	incident-report --help >out &&
	grep -q "^usage: incident-report new" out &&
	grep -q "incident-report list" out
'

test_expect_success 'no mode, an unknown mode or a missing option is a usage error' '
	test_must_fail 2 incident-report -d "$D" 2>err && grep -q "^usage:" err &&
	test_must_fail 2 incident-report -d "$D" frobnicate 2>err &&
	test_must_fail 2 irb new --type leak --cause fire 2>err &&
	test_must_fail 2 incident-report -d "$D" new --type other --cause fire \
	    --summary s 2>err && grep -q "^usage:" err &&
	test_must_fail 2 irb new --type other --cause fire --summary s --step closed 2>err
'

test_expect_success 'every type and every cause is recorded, ids count up' '
	i=0 &&
	for t in unrecoverable leak other; do
		for c in electrical water fire earthquake climate movement lightning other; do
			i=$((i + 1)) &&
			p= && if [ $t = leak ]; then p="--persons 3"; fi &&
			inew --type $t --cause $c $p --summary "$t by $c" >id || return 1
			want=$(printf "2026-%04d" $i) &&
			test "$(cat id)" = "$want" || { echo "got $(cat id) want $want"; return 1; }
		done
	done &&
	test $i -eq 24 &&
	mlr --icsv --ojson filter "\$event == \"new\"" "$D/incidents.csv" >all.json &&
	test "$(jq_py "len(d)" <all.json)" = 24 &&
	test "$(jq_py "sorted(set((r[\"type\"], r[\"cause\"]) for r in d)) == sorted((t, c) for t in [\"unrecoverable\",\"leak\",\"other\"] for c in [\"electrical\",\"water\",\"fire\",\"earthquake\",\"climate\",\"movement\",\"lightning\",\"other\"])" <all.json)" = True
'

test_expect_success 'each new is an operation-log record, action incident' '
	test "$(inc_log ok "^new type=leak cause=fire persons=3 ")" = 1 &&
	test "$(inc_log ok "^new ")" = 24
'

test_expect_success 'the report names type and cause with their articles' '
	incident-report -d "$D" show 2026-0001 --lang en $N >r &&
	grep -q "^Type: Unrecoverable abnormality or damage to Juki-net (Art. 9(1)(1))" r &&
	grep -q "^Cause: electrical or mechanical fault (Art. 8(1))" r &&
	incident-report -d "$D" show 2026-0015 --lang ja $N >r &&
	grep -q "^事態の種別: データの外部への漏えい(規程第9条第1項第2号)" r &&
	grep -q "^障害の原因: 落雷による障害(規程第8条第7号)" r &&
	incident-report -d "$D" show 2026-0024 --lang ja $N >r &&
	grep -q "^事態の種別: その他総括責任者が必要と認める事態(規程第9条第1項第3号)" r &&
	grep -q "^障害の原因: その他の障害(規程第8条第8号)" r
'

test_expect_success 'nature, level, occurred, detected and a detail file are kept' '
	printf "first line\r\nsecond, \"quoted\"\n" >detail &&
	inew --type unrecoverable --cause fire --nature misconduct --level 4 \
	    --occurred 2026-11-24T23:00:00Z --detected 2026-11-25T09:00:00+09:00 \
	    --detail-file detail --summary "server room fire" >id &&
	incident-report -d "$D" show "$(cat id)" --format json >j &&
	json_true "d[\"nature\"] == \"misconduct\" and d[\"level\"] == 4" <j &&
	json_true "d[\"occurred\"] == \"2026-11-24T23:00:00.000Z\"" <j &&
	json_true "d[\"detected\"] == \"2026-11-25T00:00:00.000Z\"" <j &&
	json_true "d[\"reported\"] == \"2026-11-25T10:00:00.000Z\"" <j &&
	json_true "d[\"detail\"] == \"first line\\nsecond, \\\"quoted\\\"\\n\"" <j
'

test_expect_success 'the detail may come from standard input' '
	printf "from stdin\n" | inew --type other --cause other --summary s \
	    --detail-file - >id &&
	incident-report -d "$D" show "$(cat id)" --format json |
	json_true "d[\"detail\"] == \"from stdin\\n\""
'

test_expect_success 'the password and the detail both on standard input: refused before the manager is asked' '
	cp "$D/incidents.csv" before && cp "$D/oplog.csv" log.before &&
	{ cat "$TMP/pw.boss" && echo "the detail"; } >in &&
	test_must_fail 2 at_AT incident-report -d "$D" -b boss --by-password-fd 0 \
	    new --type other --summary s --detail-file - <in >out 2>err &&
	one_line_matching err "^incident-report: standard input \(-\) given twice$" &&
	test ! -s out && cmp "$D/incidents.csv" before && cmp "$D/oplog.csv" log.before
'

test_expect_success 'an unknown type, cause, nature lists the valid ones' '
	bad_new "^incident-report: --type flood: unknown \(valid: unrecoverable, leak, loss, theft, unauthorized-access, other\)$" \
	    --type flood --cause fire --summary s &&
	bad_new "^incident-report: --cause meteor: unknown \(valid: electrical, water, fire, earthquake, climate, movement, lightning, other\)$" \
	    --type other --cause meteor --summary s &&
	bad_new "^incident-report: --nature accident: unknown \(valid: fault, misconduct, negligence\)$" \
	    --type other --cause fire --nature accident --summary s
'

test_expect_success 'a level outside 1-4 is refused' '
	bad_new "^incident-report: --level 5: too large \(1-4\)$" \
	    --type other --cause fire --level 5 --summary s &&
	bad_new "^incident-report: --level x: invalid" \
	    --type other --cause fire --level x --summary s
'

# A number as the page writes one: decimal digits, no sign, no leading zero.
test_expect_success '--level, --persons and --by-password-fd: no sign, no leading zero, no blank' '
	for v in +2 02 -0 " 2" "2 " 0x2 2e0; do
		re=$(printf %s "$v" | sed "s/+/[+]/") &&
		bad_new "^incident-report: --level $re: invalid \(1-4\)\$" \
		    --type leak --cause other --level "$v" --summary s || return 1
	done &&
	for v in +3 03 00 -0 " 3" 1e3 0x10; do
		re=$(printf %s "$v" | sed "s/+/[+]/") &&
		bad_new "^incident-report: --persons $re: invalid \(0-1000000000\)\$" \
		    --type leak --cause other --persons "$v" --summary s || return 1
	done &&
	bad_new "^incident-report: --persons 99999999999999999999: too large \(0-1000000000\)\$" \
	    --type leak --cause other --persons 99999999999999999999 --summary s &&
	cp "$D/incidents.csv" before && cp "$D/oplog.csv" log.before &&
	test_must_fail 2 at_AT incident-report -d "$D" -b boss --by-password-fd 04 \
	    new --type other --summary s 4<"$TMP/pw.boss" >out 2>err &&
	grep -q "^incident-report: --by-password-fd: not a file descriptor (0-1023)\$" err &&
	test ! -s out && cmp "$D/incidents.csv" before && cmp "$D/oplog.csv" log.before
'

test_expect_success 'an over-long summary is refused' '
	long=$(python3 -c "print(\"あ\" * 171)") &&
	bad_new "^incident-report: --summary: longer than 512 bytes$" \
	    --type other --cause fire --summary "$long" &&
	ok=$(python3 -c "print(\"あ\" * 170)") &&
	inew --type other --cause fire --summary "$ok" >id
'

test_expect_success 'CR, LF or another control character in the summary is refused' '
	bad_new "^incident-report: --summary: contains a line break$" \
	    --type other --cause fire --summary "$(printf "a\rb")" &&
	bad_new "^incident-report: --summary: contains a line break$" \
	    --type other --cause fire --summary "two
lines" &&
	bad_new "^incident-report: --summary: contains a control character$" \
	    --type other --cause fire --summary "$(printf "a\033[2Jb")" &&
	bad_new "^incident-report: --summary: empty$" --type other --cause fire --summary ""
'

test_expect_success 'a summary of spaces only is empty, as a blank detail file is' '
	bad_new "^incident-report: --summary: empty$" --type other --cause fire --summary " " &&
	bad_new "^incident-report: --summary: empty$" --type other --cause fire --summary "   "
'

test_expect_success 'invalid UTF-8 in the summary or the detail is refused' '
	bad_new "^incident-report: --summary: invalid UTF-8$" \
	    --type other --cause fire --summary "$(printf "\377")" &&
	printf "\300\200\n" >bad &&
	bad_new "^incident-report: bad:1: invalid UTF-8$" \
	    --type other --cause fire --summary s --detail-file bad &&
	printf "first line\r\n\tsecond\nthird \377\n" >bad &&
	bad_new "^incident-report: bad:3: invalid UTF-8$" \
	    --type other --cause fire --summary s --detail-file bad &&
	printf "one\ntwo\033[2J\n" >bad &&
	bad_new "^incident-report: bad:2: contains a control character$" \
	    --type other --cause fire --summary s --detail-file bad &&
	: >bad &&
	bad_new "^incident-report: bad: empty$" \
	    --type other --cause fire --summary s --detail-file bad &&
	printf " \n\t\r\n\n" >bad &&
	bad_new "^incident-report: <stdin>: empty$" \
	    --type other --cause fire --summary s --detail-file - <bad &&
	printf "one\ntwo\nthree\0\n" >bad &&
	bad_new "^incident-report: <stdin>:3: contains a NUL byte$" \
	    --type other --cause fire --summary s --detail-file - <bad &&
	printf "\0abc\n" >bad &&
	bad_new "^incident-report: bad:1: contains a NUL byte$" \
	    --type other --cause fire --summary s --detail-file bad &&
	printf " \t\0\n" >bad &&
	bad_new "^incident-report: <stdin>:1: contains a NUL byte$" \
	    --type other --cause fire --summary s --detail-file - <bad &&
	printf "\n \n\0\n" >bad &&
	bad_new "^incident-report: bad:3: contains a NUL byte$" \
	    --type other --cause fire --summary s --detail-file bad &&
	cp "$D/incidents.csv" before && cp "$D/oplog.csv" log.before &&
	# not through inew: libfaketime (at_AT) would take the closed 0
	for f in nonexistent . -; do
		test_must_fail 3 incident-report -d "$D" -b boss --by-password-fd 3 \
		    new --type other --cause fire --summary s --detail-file $f \
		    >out 2>err 3<"$TMP/pw.boss" 0<&- &&
		case $f in
		nonexistent) w="nonexistent: No such file or directory" ;;
		.) w=".: Is a directory" ;;
		-) w="<stdin>: Bad file descriptor" ;;
		esac &&
		one_line_matching err "^incident-report: $w\$" && test ! -s out &&
		cmp "$D/incidents.csv" before && cmp "$D/oplog.csv" log.before ||
		{ echo "--detail-file $f" >&2; exit 1; }
	done
'

test_expect_success 'the APPI options belong to leaks' '
	bad_new "apply to --type leak, loss, theft and unauthorized-access only$" --type other --cause other --persons 5 --summary s &&
	bad_new "apply to --type leak, loss, theft and unauthorized-access only$" --type unrecoverable --cause other --sensitive --summary s &&
	bad_new "^incident-report: --persons -1: too small" --type leak --cause other --persons -1 --summary s
'

test_expect_success 'times: detection in the future, occurrence after detection, bad syntax' '
	bad_new "^incident-report: --detected is in the future$" \
	    --type other --cause fire --summary s --detected 2026-11-25T10:00:01Z &&
	bad_new "^incident-report: --occurred is after --detected$" \
	    --type other --cause fire --summary s --detected 2026-11-25T09:00:00Z \
	    --occurred 2026-11-25T09:30:00Z &&
	bad_new "^incident-report: --detected yesterday: not an RFC 3339 time$" \
	    --type other --cause fire --summary s --detected yesterday
'

test_expect_success 'a request refused for its content: the manager is not asked' '
	cp "$D/oplog.csv" log.before &&
	printf "wrong-password\n" >"$TMP/pw.bad" && chmod 600 "$TMP/pw.bad" &&
	test_must_fail 2 at_AT incident-report -d "$D" -b boss --by-password-fd 3 new \
	    --type other --cause fire --summary s --detected 2026-11-25T10:00:01Z \
	    3<"$TMP/pw.bad" 2>err &&
	one_line_matching err "^incident-report: --detected is in the future$" &&
	test_must_fail 2 at_AT incident-report -d "$D" -b boss --by-password-fd 3 new \
	    --type other --summary s --occurred 2026-11-25T10:00:01Z \
	    3<"$TMP/pw.bad" 2>err &&
	one_line_matching err "^incident-report: --occurred is after --detected$" &&
	cmp "$D/oplog.csv" log.before
'

test_expect_success 'a wrong manager password: exit 1, nothing recorded' '
	cp "$D/incidents.csv" before &&
	printf "wrong-password\n" >"$TMP/pw.bad" && chmod 600 "$TMP/pw.bad" &&
	test_must_fail 1 at_AT incident-report -d "$D" -b boss --by-password-fd 3 new \
	    --type other --cause fire --summary s 3<"$TMP/pw.bad" >out 2>err &&
	test ! -s out &&
	cmp "$D/incidents.csv" before
'

test_expect_success 'an operator who is not a manager cannot record: exit 1' '
	test_must_fail 1 at_AT incident-report -d "$D" -b op1 --by-password-fd 3 new \
	    --type other --cause fire --summary s 3<"$TMP/pw.op1" >out 2>err &&
	test ! -s out &&
	cmp "$D/incidents.csv" before
'

test_expect_success 'incidents.csv is read by python csv and mlr alike' '
	python3 -c "import csv,sys
rows = list(csv.DictReader(open(sys.argv[1], newline=\"\")))
assert len(rows) == 27, len(rows)
assert rows[0][\"incident\"] == \"2026-0001\"" "$D/incidents.csv" &&
	test "$(mlr --icsv --onidx --ifs , filter "\$event == \"new\"" then count "$D/incidents.csv")" = 27
'

test_expect_success 'a bad value in incidents.csv costs its row, named, not the file' '
	cp "$D/incidents.csv" good && n=$(wc -l <good) &&
	tail -1 good | grep -q "^2026-0027,new," &&
	sed -i "\$s/,other,fire,/,other,meteor,/" "$D/incidents.csv" &&
	incident-report -d "$D" list --format csv >l 2>err &&
	one_line_matching err "incidents.csv:$n: field cause: unknown cause \(row left out\)$" &&
	! grep -q "^2026-0027," l && grep -q "^2026-0026," l &&
	tail -1 "$D/incidents.csv" >bad.row &&
	inew --type other --cause fire --summary s >id 2>err &&
	test "$(cat id)" = 2026-0028 && grep -qxF -f bad.row "$D/incidents.csv" &&
	cp good "$D/incidents.csv" && chmod 600 "$D/incidents.csv"
'

test_expect_success 'invalid UTF-8 in a row costs that row only, as any bad value' '
	cp "$D/incidents.csv" good && last=$(wc -l <good) &&
	sed -i "\$s/,no,no,no,/,no,no,no,$(printf "\377")/" "$D/incidents.csv" &&
	incident-report -d "$D" list --format csv >l 2>err &&
	one_line_matching err "incidents.csv:$last: field summary: invalid UTF-8 \(row left out\)$" &&
	! grep -q "^2026-0027," l && grep -q "^2026-0026," l &&
	inew --type other --cause fire --summary s >id 2>err &&
	test "$(cat id)" = 2026-0028 &&
	one_line_matching err "incidents.csv:$last: field summary: invalid UTF-8 \(row left out\)$" &&
	cp good "$D/incidents.csv" && chmod 600 "$D/incidents.csv"
'

# left_out SED FIELD REASON: the last row of incidents.csv edited by SED is
# left out with one line naming FIELD and REASON, the file put back after.
left_out() {
	cp "$D/incidents.csv" good && last=$(wc -l <good) &&
	sed -i "\$s$1" "$D/incidents.csv" &&
	incident-report -d "$D" list --format csv >l 2>err &&
	one_line_matching err "incidents.csv:$last: field $2: $3 \(row left out\)$" &&
	! grep -q "^2026-0027," l && grep -q "^2026-0026," l &&
	cp good "$D/incidents.csv" && chmod 600 "$D/incidents.csv"
}

test_expect_success 'a value new or step would refuse costs its row when read back' '
	long=$(python3 -c "print(\"x\" * 513)") &&
	left_out "/,no,no,no,[^,]*,/,no,no,no,$long,/" summary "longer than 512 bytes" &&
	left_out "/,no,no,no,[^,]*,/,no,no,no,a$(printf "\033")[2Jb,/" summary "contains a control character" &&
	left_out "/,new,[^,]*,/,new,2026-11-25,/" recorded "not an RFC 3339 time" &&
	left_out "/,\(2026-[^,]*\),boss,/,\1,boss$(printf "\302\233"),/" by "contains a control character" &&
	left_out "/^2026-0027,/2026-0000,/" incident "not an id YYYY-NNNN" &&
	left_out "/,\(2026-[^,]*\),boss,/,\1,-bad id\/..,/" by "not an operator id" &&
	left_out "/,\(2026-[^,]*\),boss,/,\1,boss id,/" by "not an operator id"
'

# A new row's note and forced are empty, as new writes them: new takes
# neither --note nor --force.
test_expect_success 'a new row with a note is left out, as new --note is refused' '
	tail -1 "$D/incidents.csv" | grep -q "^2026-0027,new,.*,,\$" &&
	left_out "/,,\$/,a note,/" note "--note: not with new"
'

test_expect_success 'a new row with a forced value is left out, as new --force is refused' '
	tail -1 "$D/incidents.csv" | grep -q "^2026-0027,new,.*,\$" &&
	left_out "/,\$/,maybe/" forced "--force: not with new" &&
	left_out "/,\$/,no/" forced "--force: not with new" &&
	left_out "/,\$/,yes/" forced "--force: not with new"
'

# The rules new checks between a request's values, and its numbers as the
# options take them, hold for a row read back: what new would refuse is
# left out, not shown.
test_expect_success 'a new row whose values new would refuse together is left out' '
	left_out "/,other,fire,,,,/,other,fire,,03,,/" level "not a level 1-4" &&
	left_out "/,other,fire,,,,/,other,fire,,+2,,/" level "not a level 1-4" &&
	left_out "/,other,fire,,,,/,leak,fire,,,+5,/" persons "not a number of persons" &&
	left_out "/,other,fire,,,,/,leak,fire,,,0120,/" persons "not a number of persons" &&
	left_out "/,other,fire,,,,/,leak,fire,,,-0,/" persons "not a number of persons" &&
	left_out "/,no,no,no,[^,]*,/,no,no,no,　,/" summary "empty" &&
	left_out "/,no,no,no,[^,]*,/,no,no,no, 　 ,/" summary "empty" &&
	left_out "/,no,no,no,\([^,]*\),,/,no,no,no,\1, 　 ,/" detail "empty" &&
	left_out "/,no,no,no,\([^,]*\),,/,no,no,no,\1,\" \t\r\n　\n\",/" detail "empty" &&
	left_out "/,boss,\([^,]*\),,other,/,boss,\1,2026-11-25T10:00:00.001Z,other,/" \
	    occurred "--occurred is after --detected" &&
	left_out "/,boss,[^,]*,,other,/,boss,2026-11-25T10:00:00.001Z,,other,/" \
	    at "--detected is in the future" &&
	left_out "/,other,fire,/,loss,fire,/" cause \
	    "--cause names the cause of a fault \(R8\): not for --type loss" &&
	left_out "/,other,fire,,,,/,other,fire,,,5,/" persons \
	    "--persons, --sensitive, --financial and --unlawful-purpose apply to --type leak, loss, theft and unauthorized-access only" &&
	left_out "/,no,no,no,/,no,yes,no,/" financial \
	    "--persons, --sensitive, --financial and --unlawful-purpose apply to --type leak, loss, theft and unauthorized-access only" &&
	left_out "/,other,fire,,,,no,/,unauthorized-access,,,,,yes,/" sensitive \
	    "--type unauthorized-access: --sensitive, --financial and --unlawful-purpose need --persons N \(personal data reached\)"
'

test_expect_success 'the same row with values new takes is read' '
	cp "$D/incidents.csv" good &&
	sed -i "\$s/,other,fire,,,,no,no,no,/,leak,fire,,3,120,yes,no,no,/" "$D/incidents.csv" &&
	incident-report -d "$D" show 2026-0027 --format json >j 2>err && test ! -s err &&
	json_true "d[\"level\"] == 3 and d[\"appi\"][\"persons\"] == 120" <j &&
	cp good "$D/incidents.csv" && chmod 600 "$D/incidents.csv"
'

test_expect_success 'a row that is not CSV of this form still stops the reader (exit 3)' '
	cp "$D/incidents.csv" good && echo "broken" >>"$D/incidents.csv" &&
	test_must_fail 3 incident-report -d "$D" list 2>err &&
	grep -q "incidents.csv:" err &&
	cp "$D/oplog.csv" log.before &&
	test_must_fail 3 inew --type other --cause fire --summary s >out 2>err &&
	one_line_matching err "incidents.csv:$(wc -l <"$D/incidents.csv"): " &&
	test ! -s out && cmp "$D/oplog.csv" log.before &&
	cp good "$D/incidents.csv" && chmod 600 "$D/incidents.csv"
'

test_expect_success 'an empty incidents.csv is refused (exit 3), a missing one is no incidents' '
	cp "$D/incidents.csv" good && : >"$D/incidents.csv" &&
	test_must_fail 3 incident-report -d "$D" list --format csv >l 2>err &&
	one_line_matching err "incidents.csv:1: no header line$" && test ! -s l &&
	cp "$D/oplog.csv" log.before &&
	test_must_fail 3 inew --type other --cause fire --summary s >out 2>err &&
	one_line_matching err "incidents.csv:1: no header line$" &&
	test ! -s out && test ! -s "$D/incidents.csv" && cmp "$D/oplog.csv" log.before &&
	rm "$D/incidents.csv" &&
	incident-report -d "$D" list --format csv >l 2>err &&
	test "$(wc -l <l)" = 1 && test ! -s err &&
	cp good "$D/incidents.csv" && chmod 600 "$D/incidents.csv"
'

test_expect_success 'a new year starts again at 0001' '
	AT=2027-01-01T00:00:01Z inew --type other --cause water --summary y >id &&
	test "$(cat id)" = 2027-0001 &&
	AT=2027-01-02T00:00:00Z inew --type other --cause water --summary y >id &&
	test "$(cat id)" = 2027-0002
'

test_expect_success 'the year of the id is the local year of recording (TZ)' '
	AT=2027-12-31T15:30:00Z TZ=Asia/Tokyo inew --type other --cause water --summary y >id &&
	test "$(cat id)" = 2028-0001
'

test_expect_success 'a detail file over 65536 bytes is refused' '
	python3 -c "print(\"x\" * 65536)" >big &&
	bad_new "^incident-report: big: longer than 65536 bytes$" \
	    --type other --cause fire --summary s --detail-file big
'

# CRLF line ends are kept as LF, so the limit is the detail's once stored:
# 64 lines of 1023 bytes and CRLF are 65600 bytes read, 65536 kept.
test_expect_success 'the detail limit counts the detail as stored, CRLF as LF' '
	python3 -c "import sys; sys.stdout.buffer.write(((b\"x\" * 1023) + b\"\r\n\") * 64)" >crlf &&
	test "$(wc -c <crlf)" = 65600 &&
	inew --type other --cause fire --summary crlf --detail-file crlf >id &&
	incident-report -d "$D" show "$(cat id)" --format json |
	json_true "len(d[\"detail\"].encode()) == 65536 and \"\\r\" not in d[\"detail\"]" &&
	{ cat crlf && printf x; } >crlf1 &&
	bad_new "^incident-report: crlf1: longer than 65536 bytes$" \
	    --type other --cause fire --summary s --detail-file crlf1 &&
	python3 -c "import sys; sys.stdout.buffer.write(b\"\r\n\" * 65537)" >crlf2 &&
	bad_new "^incident-report: <stdin>: longer than 65536 bytes$" \
	    --type other --cause fire --summary s --detail-file - <crlf2
'

test_expect_success 'an unsafe incidents.csv (group-writable, symlink) is refused: exit 3' '
	chmod 620 "$D/incidents.csv" &&
	test_must_fail 3 incident-report -d "$D" list 2>err &&
	one_line_matching err "incidents.csv: not owned by us or root, or open to others: refused$" &&
	test_must_fail 3 inew --type other --cause fire --summary s 2>err &&
	chmod 600 "$D/incidents.csv" &&
	mv "$D/incidents.csv" "$TMP/real.csv" &&
	ln -s "$TMP/real.csv" "$D/incidents.csv" &&
	test_must_fail 3 incident-report -d "$D" list 2>err &&
	one_line_matching err "incidents.csv: a symbolic link: refused$" &&
	rm "$D/incidents.csv" && mv "$TMP/real.csv" "$D/incidents.csv"
'

# A group the caller may give its files: nogroup as root, else one of
# the caller's other groups.
if [ "$(id -u)" -eq 0 ]; then G=65534; else G=$(id -G | tr " " "\n" | grep -vx "$(id -g)" | head -n 1); fi
if [ -n "$G" ]; then
	test_expect_success 'a group-readable incidents.csv (0640) stays so after a new incident' '
		chgrp "$G" "$D/incidents.csv" && chmod 640 "$D/incidents.csv" &&
		inew --type other --cause fire --summary "group kept" >/dev/null &&
		test "$(stat -c "%a %g" "$D/incidents.csv")" = "640 $G"
	'
else
	test_skip 'a group-readable incidents.csv (0640) stays so after a new incident' 'missing GROUP: the caller has no second group'
fi

test_expect_success 'ideographic spaces (U+3000, a Japanese keyboard'"'"'s) are spaces too' '
	bad_new "^incident-report: --summary: empty$" --type other --cause fire --summary "　" &&
	bad_new "^incident-report: --summary: empty$" --type other --cause fire --summary " 　 　" &&
	printf "　\n \t　\r\n" >bad &&
	bad_new "^incident-report: bad: empty$" \
	    --type other --cause fire --summary s --detail-file bad &&
	inew --type other --cause fire --summary "　停電　" >id &&
	incident-report -d "$D" show "$(cat id)" $N >out &&
	grep -q "　停電　" out
'

# incidents.csv lost (removed, or put back from a backup older than the
# first incident): new numbers after the highest id of the year that the
# log's event records name, never one given before; a record of another
# year, a refused one and a bad id in the log do not count.  A state of
# its own, whose clock is 2026.
test_expect_success 'incidents.csv lost: ids go on after those the log records' '
	D=$TMP/lost AT=2026-11-26T10:00:00Z &&
	inc_state && inew --type other --cause fire --summary a >id &&
	inew --type other --cause fire --summary b >id &&
	test "$(cat id)" = 2026-0002 &&
	mv "$D/incidents.csv" lost.csv &&
	at_AT log-append -d "$D" -u boss -a incident -o 2026-0007 -r ok -m x &&
	at_AT log-append -d "$D" -u boss -a incident -o 2026-0990 -r refused -m x &&
	at_AT log-append -d "$D" -u boss -a incident -o 2025-0500 -r ok -m x &&
	at_AT log-append -d "$D" -u boss -a incident -o 2026-09x9 -r ok -m x &&
	inew --type other --cause fire --summary "after the loss" >id &&
	test "$(cat id)" = 2026-0008 && test "$(rows 2026-0008)" = 1 &&
	test "$(rows 2026-0001)" = 0 &&
	rm "$D/incidents.csv" && inew --type other --cause fire --summary c >id &&
	test "$(cat id)" = 2026-0009 &&
	rm "$D/incidents.csv" && sed -i -e "3s/^./x/" -e "4s/,/;/g" "$D/oplog.csv" &&
	inew --type other --cause fire --summary d >id &&
	test "$(cat id)" = 2026-0010
'

test_done
