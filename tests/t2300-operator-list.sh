#!/bin/sh
# operator-list: the register as the 別記様式 shows it (R5.1); kanji align
# in the table; CSV and JSON for programs; never a secret.  The title
# (職名) column: set by operator-add and operator-mod --title, checked like
# the other free text, the register's last column (a register without it
# still loads).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

test_expect_success 'set up' '
	reg_state && bootstrap && add_pw tanaka -s 市民課 &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka -n "田中 花子" \
	    --title 主事 4<"$TMP/pw.boss" &&
	test "$(log_count operator-mod ok "^changed: name title\$")" = 1 &&
	add_pw ab -s "a,b \"quoted\"" &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i ab --reason "left, for good" \
	    4<"$TMP/pw.boss"
'

test_expect_success 'usage' '
	operator-list -h | grep -q "^usage: operator-list" &&
	test_must_fail 2 operator-list -d "$D" -f xml 2>/dev/null &&
	test_must_fail 2 operator-list -d "$D" extra 2>/dev/null
'

test_expect_success 'table: active persons only unless --all' '
	operator-list -d "$D" >out &&
	test "$(wc -l <out)" = 3 && ! grep -q "^ab " out &&
	operator-list -d "$D" --all >out &&
	test "$(wc -l <out)" = 4 && grep -q "^ab .*revoked .* by boss: left, for good" out
'

test_expect_success 'table: kanji names align by display width (wcwidth, UTF-8 locale)' '
	LC_ALL=C.UTF-8 operator-list -d "$D" >out &&
	LC_ALL=C.UTF-8 python3 -c "import sys, unicodedata
def w(s): return sum(2 if unicodedata.east_asian_width(c) in \"WF\" else 1 for c in s)
lines = open(sys.argv[1], encoding=\"utf-8\").read().splitlines()
cols = set()
for l in lines:
    i = l.index(\"ROLE\") if l.startswith(\"ID\") else max(l.find(\" operator \"), l.find(\" manager \")) + 1
    cols.add(w(l[:i]))
sys.exit(0 if len(cols) == 1 else 1)" out &&
	grep -q "田中 花子" out && grep -q 市民課 out &&
	grep -q "^ID  *NAME  *SECTION  *TITLE  *ROLE " out &&
	grep -q "^tanaka  *田中 花子  *市民課  *主事  *operator " out
'

test_expect_success 'CSV: python csv and mlr read it unchanged' '
	operator-list -d "$D" -a -f csv >list.csv &&
	head -1 list.csv | grep -q "^id,name,section,role,method,exception_reason," &&
	python3 -c "import csv,sys
rows = list(csv.DictReader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))
d = {r[\"id\"]: r for r in rows}
assert d[\"ab\"][\"section\"] == \"a,b \\\"quoted\\\"\", d[\"ab\"][\"section\"]
assert d[\"tanaka\"][\"name\"] == \"田中 花子\"
assert d[\"ab\"][\"revoked_reason\"] == \"left, for good\"
assert d[\"tanaka\"][\"title\"] == \"主事\" and d[\"boss\"][\"title\"] == \"\"
assert list(rows[0])[17:] == [\"title\", \"last_success\", \"last_failure\"], list(rows[0])
assert len(rows) == 3" list.csv &&
	test "$(mlr --icsv --ojson filter "\$id == \"ab\"" then cut -f section list.csv | grep section)" = \
	    "  \"section\": \"a,b \\\"quoted\\\"\""
'

test_expect_success 'JSON: valid, same rows, nulls for unset times' '
	operator-list -d "$D" -a -f json >list.json &&
	python3 -c "import json,sys
a = json.load(open(sys.argv[1], encoding=\"utf-8\"))
d = {r[\"id\"]: r for r in a}
assert d[\"tanaka\"][\"revoked_at\"] is None and d[\"tanaka\"][\"failed\"] == 0
assert d[\"ab\"][\"section\"] == \"a,b \\\"quoted\\\"\"
assert d[\"tanaka\"][\"role\"] == \"operator\" and len(a) == 3
assert d[\"tanaka\"][\"title\"] == \"主事\" and d[\"boss\"][\"title\"] == \"\"" list.json
'

test_expect_success 'never a secret in any format' '
	for f in table csv json; do operator-list -d "$D" -a -f $f; done >all &&
	! grep -q -e argon2 -e secret all
'

test_expect_success '--title: the free-text rule; refused values write nothing' '
	cp "$D/operators.csv" before &&
	test_must_fail 2 operator-add -d "$D" -b boss -i t1 -n T1 -m fingerprint \
	    --title "$(printf "課長\033[2J")" </dev/null >out 2>err &&
	one_line_matching err "^operator-add: --title: contains a control character\$" &&
	test_must_fail 2 operator-mod -d "$D" -b boss -i tanaka \
	    --title "$(printf "%0257d" 0)" </dev/null >>out 2>err &&
	one_line_matching err "^operator-mod: --title: " &&
	test_must_fail 2 operator-mod -d "$D" -i boss --recover --key-file - \
	    --title 課長 </dev/null >>out 2>err &&
	grep -q "^operator-mod: --recover takes -i" err &&
	test ! -s out && cmp before "$D/operators.csv"
'

test_expect_success 'operator-mod --title "" removes the title' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka --title "" \
	    4<"$TMP/pw.boss" &&
	test "$(field tanaka title)" = "" && test "$(field tanaka name)" = "田中 花子" &&
	test "$(log_count operator-mod ok "^changed: title\$")" = 1 &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka --title 主事 \
	    4<"$TMP/pw.boss"
'

test_expect_success 'a register from before the title column is read, and rewritten with it' '
	python3 - "$D/operators.csv" <<-\EOF &&
	import csv, sys
	p = sys.argv[1]
	rows = list(csv.reader(open(p, newline="")))
	assert rows[0][-1] == "title"
	rows = [r[:-1] for r in rows]
	csv.writer(open(p, "w", newline=""), lineterminator="\n").writerows(rows)
	EOF
	head -1 "$D/operators.csv" | grep -q ",locked,locked_at\$" &&
	operator-list -d "$D" -a -f csv >old.csv 2>err && test ! -s err &&
	test "$(mlr --icsv --ojsonl filter "\$id == \"tanaka\"" then cut -o -f name,title old.csv)" = \
	    "{\"name\": \"田中 花子\", \"title\": \"\"}" &&
	cp "$D/operators.csv" v2 &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i boss --title 市民課長 \
	    4<"$TMP/pw.boss" &&
	head -1 "$D/operators.csv" | grep -q ",locked,locked_at,title\$" &&
	test "$(field boss title)" = 市民課長 && test "$(field tanaka title)" = "" &&
	python3 - v2 "$D/operators.csv" <<-\EOF
	import csv, sys
	old = list(csv.reader(open(sys.argv[1], newline="")))
	new = list(csv.reader(open(sys.argv[2], newline="")))
	assert [r[:-1] for r in new] == old, (old, new)
	assert [r[-1] for r in new] == ["title", "市民課長", "", ""], new
	EOF
'

# The form is a Japanese document (issue 14): 読み取れない値 there, the
# file's value in the table, CSV and JSON, for the repair.
test_expect_success 'a damaged value shows as the file holds it (the form: 読み取れない値), never its stand-in' '
	cp -a "$D" "$TMP/dmg" && D=$TMP/dmg &&
	esc=$(printf "\033") &&
	regcol tanaka expires "garbage${esc}[2J" && regcol tanaka registered_at 2026-13-01 &&
	regcol tanaka method palm && regcol ab revoked_at yesterday &&
	regcol boss locked_at zzz &&
	operator-list -d "$D" -a >t 2>err &&
	test "$(grep -c "field .*: invalid value; treated as .* until repaired\$" err)" = 5 &&
	grep -q ":[0-9]*: field locked_at: invalid value; treated as a lock of unknown time until repaired\$" err &&
	grep -q "^boss .* locked " t &&
	grep -q "^tanaka .* palm  *2026-13-01  *boss  *garbage\\\\x1b\[2J  *damaged " t &&
	! grep "^tanaka " t | grep -q "password exception" &&
	grep -q "^ab .*revoked yesterday by boss: left, for good" t &&
	! grep -q "$esc" t && ! grep -q "0-12-31\|0000-" t &&
	operator-list -d "$D" -a -f form >f 2>/dev/null &&
	! grep -q "palm\|2026-13-01\|yesterday" f &&
	test "$(grep -o 読み取れない値 f | wc -l)" = 3 &&
	! grep -q "$esc" f && ! grep -q "0-12-31\|0000-\|元年\|紀元" f &&
	operator-list -d "$D" -a -f csv >c 2>/dev/null &&
	operator-list -d "$D" -a -f json >j 2>/dev/null &&
	python3 - c j <<-\EOF
	import csv, json, sys
	rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
	objs = {o["id"]: o for o in json.load(open(sys.argv[2]))}
	for got in rows, objs:
	    t, a = got["tanaka"], got["ab"]
	    assert t["expires"] == "garbage\x1b[2J", t
	    assert t["registered_at"] == "2026-13-01", t
	    assert t["method"] == "palm", t
	    assert a["revoked_at"] == "yesterday", a
	    assert got["boss"]["locked_at"] == "zzz", got["boss"]
	    # the lock as the table and -l decide it (operator-list(1)): a
	    # "no" beside a lock time that does not read back is held locked
	    assert got["boss"]["locked"] in ("yes", True), got["boss"]
	EOF
'

# operator-list(1): text from the register is shown, never obeyed, in
# every cell of the table: a hand-edited registering manager (BY) reached
# the terminal raw, escape sequences and a right-to-left override included.
test_expect_success 'the table escapes BY too: a hand edit is shown, never obeyed' '
	cp -a "$D" "$TMP/by" && D=$TMP/by &&
	esc=$(printf "\033") rlo=$(printf "\342\200\256") &&
	regcol tanaka registered_by "${esc}]0;pwned$(printf "\007")${esc}[2J" &&
	regcol ab registered_by "${rlo}evil" &&
	operator-list -d "$D" -a >t 2>err &&
	! grep -q "$esc" t && ! grep -q "$rlo" t && ! grep -q "$(printf "\007")" t &&
	grep -q "^tanaka .* \\\\x1b\]0;pwned\\\\x07\\\\x1b\[2J " t &&
	grep -q "^ab .* \\\\u202eevil " t
'

# json gives failed as a number only when it reads back: a damaged one made
# of digits (past the ceiling) is its string, as every damaged value, so
# that a script that checks the type sees the damage.
test_expect_success 'json: a damaged failed of digits stays a string; one that reads back is a number' '
	cp -a "$D" "$TMP/dmg2" && D=$TMP/dmg2 &&
	regcol tanaka failed 1000000001 &&
	operator-list -d "$D" -a -f json >j 2>err &&
	grep -q ":[0-9]*: field failed: invalid value; treated as at the maximum until repaired\$" err &&
	python3 - j <<-\EOF
	import json, sys
	objs = {o["id"]: o for o in json.load(open(sys.argv[1]))}
	assert objs["tanaka"]["failed"] == "1000000001", objs["tanaka"]
	assert type(objs["boss"]["failed"]) is int, objs["boss"]
	EOF
'

# A count has one spelling (util.c parse_decimal): "+1", "04" and "-0" name
# no count, though strtoll reads one.  Each is a damaged value (operator-
# mod(1), "The register's damaged values"): said once, the row held at the
# maximum (the next failure locks it), the value written back as the file
# holds it by every writer until --unlock sets the field.
test_expect_success 'a failed of +1, 04 or -0 is damaged: at the maximum, kept as it was until --unlock' '
	cp -a "$D" "$TMP/dmg3" && D=$TMP/dmg3 &&
	ln=$(grep -n "^tanaka," "$D/operators.csv" | cut -d: -f1) &&
	for v in +1 04 -0; do
		regcol tanaka failed "$v" &&
		operator-list -d "$D" -a -f json >j 2>err &&
		one_line_matching err "^operator-list: $D/operators.csv:$ln: field failed: invalid value; treated as at the maximum until repaired\$" &&
		python3 -c "import json, sys
o = {o[\"id\"]: o for o in json.load(open(sys.argv[1]))}[\"tanaka\"]
assert o[\"failed\"] == sys.argv[2], o" j "$v" &&
		test_must_fail 1 auth boss /dev/null 2>/dev/null &&
		test "$(field tanaka failed),$(field tanaka locked)" = "$v,no" &&
		test_must_fail 4 auth tanaka /dev/null 2>/dev/null &&
		test "$(field tanaka failed),$(field tanaka locked)" = "$v,yes" &&
		test_must_fail 4 auth tanaka "$TMP/pw.tanaka" 2>/dev/null &&
		operator-mod -d "$D" -b boss --by-password-fd 4 -i tanaka --unlock \
		    4<"$TMP/pw.boss" 2>/dev/null &&
		test "$(field tanaka failed),$(field tanaka locked)" = 0,no &&
		auth tanaka "$TMP/pw.tanaka" 2>err && test ! -s err || { echo "failed=$v" >&2; exit 1; }
	done
'

# SPEC: times inside the years 0001-9999, shown in local time as every
# date the tools print, four digits of year: a year before 1000 keeps its
# leading zeros, and an expiry at the first instant, a local midnight
# with no day before it, is that time, not a day of year 0.
test_expect_success 'table: a year before 1000 has four digits; no expiry in year 0' '
	cp "$D/operators.csv" reg.save &&
	regcol tanaka registered_at 0999-06-01T12:00:00.000Z &&
	regcol tanaka expires 0001-01-01T00:00:00.000Z &&
	TZ=UTC operator-list -d "$D" --all --now 2026-01-01T00:00:00Z >out &&
	grep "^tanaka " out >row &&
	grep -q " 0999-06-01 12:00 " row && grep -q " 0001-01-01 00:00 " row &&
	regcol tanaka expires 0999-06-01T00:00:00.000Z &&
	TZ=UTC operator-list -d "$D" --all --now 2026-01-01T00:00:00Z >out &&
	grep "^tanaka " out | grep -q " 0999-05-31 " &&
	cp reg.save "$D/operators.csv"
'

test_expect_success 'an empty register lists just the header' '
	reg_state "$TMP/empty" && operator-list -d "$TMP/empty" -f csv >e &&
	test "$(wc -l <e)" = 1 &&
	operator-list -d "$TMP/empty" -f json | python3 -c "import json,sys; assert json.load(sys.stdin) == []"
'

test_expect_success 'a torn last write in the log is no record: every format lists as before' '
	for f in table csv json form; do
		operator-list -d "$D" -f $f >before.$f 2>/dev/null || exit 1
	done &&
	cp "$D/oplog.csv" log.save && printf "junk" >>"$D/oplog.csv" &&
	for f in table csv json form; do
		operator-list -d "$D" -f $f >after.$f 2>err || { cat err >&2; exit 1; }
		test ! -s err && cmp before.$f after.$f || exit 1
	done;
	r=$?; cp log.save "$D/oplog.csv"; test $r = 0
'

# operator-list(1): the log is read for the time unless --now is given,
# and by csv and json for each person's last auth; the form has no such
# column, so with --now it needs no log at all.
test_expect_success 'the form and the table with --now read no log' '
	mv "$D/oplog.csv" log.away &&
	operator-list -d "$D" -f form --now 2026-12-04T00:00:00Z >f 2>err &&
	operator-list -d "$D" --now 2026-12-04T00:00:00Z >t 2>>err &&
	test_must_fail 3 operator-list -d "$D" -f csv --now 2026-12-04T00:00:00Z >c 2>err2;
	r=$?; mv log.away "$D/oplog.csv" && test $r = 0 && test ! -s err &&
	one_line_matching err2 "oplog.csv: No such file or directory\$"
'

test_expect_success 'stdout to a full disk is exit 3' '
	test_must_fail 3 operator-list -d "$D" >/dev/full 2>/dev/null
'

test_done
