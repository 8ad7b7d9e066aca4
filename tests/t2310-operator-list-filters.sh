#!/bin/sh
# operator-list for cron and the Security Manager: --locked, --expiring
# DAYS, --method, and in CSV/JSON the last success and last failure from
# the operation log; operator-mod -e takes the same local dates as
# operator-add.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

XV_DIR=$TMP/xv
export XV_DIR
# Far ahead, so that the dates stay in the future whenever this runs; the
# listing is asked "as of" a time before them.
ASOF=2099-12-01T00:00:00Z

ids() { mlr --icsv --onidx cut -f id | tr "\n" " "; }

test_expect_success 'set up: password persons with and without an expiry, a palm-vein one' '
	reg_state && bootstrap && pw wrong Not-The-Pw-42 &&
	add_pw tanaka -e 2099-12-20 && add_pw sato -e 2100-06-30 && add_pw yamada &&
	mkdir "$XV_DIR" && echo "left-palm-7" >"$XV_DIR/hand" &&
	conf_set "$D" external_verifier "$SRCDIR/tests/xverifier.sh" &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i kato -n Kato \
	    -m external -e 2099-12-10 4<"$TMP/pw.boss" 2>/dev/null
'

test_expect_success '--method: only persons of that method' '
	test "$(operator-list -d "$D" -m external -f csv | ids)" = "kato " &&
	test "$(operator-list -d "$D" --method=password -f csv | ids)" = "boss tanaka sato yamada " &&
	test_must_fail 2 operator-list -d "$D" -m palm 2>err &&
	grep -q "^operator-list: -m palm: not fingerprint, password or external" err
'

# A method that does not read back is no method (nobody is admitted on
# it), though the row stands on the password method's stand-in.
test_expect_success '--method: a row whose method does not read back matches none' '
	D=$TMP/palm && reg_state "$D" && bootstrap && add_pw e7 &&
	regcol e7 method palm &&
	test "$(operator-list -d "$D" -m password -f csv 2>err | ids)" = "boss " &&
	test "$(operator-list -d "$D" -m fingerprint -f csv 2>err | ids)" = "" &&
	test "$(operator-list -d "$D" -m external -f csv 2>err | ids)" = "" &&
	test "$(operator-list -d "$D" -f csv 2>err | ids)" = "boss e7 "
'

test_expect_success 'the table calls that row damaged, not active: auth-check admits nobody on it' '
	D=$TMP/palm &&
	operator-list -d "$D" >table 2>err &&
	grep -q "^e7 .* palm  *[0-9-]* [0-9:]*  *boss  *never  *damaged *\$" table &&
	grep -q "^boss .* never  *active " table &&
	test_must_fail 1 auth e7 "$TMP/pw.e7" 2>/dev/null &&
	test "$(log_count auth denied "reason=register-row-damaged")" = 1
'

# A password row that records no exception (operator-add and operator-mod
# never write one) admits nobody either: the table, the audit and the
# gate agree on it.
test_expect_success 'a password row that records no exception: damaged in the table, FAIL in the audit, denied' '
	D=$TMP/palm && add_pw e8 && regcol e8 approved_by "" &&
	operator-list -d "$D" >table 2>err &&
	grep -q "^e8 .* password  *[0-9-]* [0-9:]*  *boss  *never  *damaged  *password exception" table &&
	test "$(operator-list -d "$D" -m password -f csv | ids)" = "boss e8 " &&
	test_must_fail 1 jukisec-audit -d "$D" >audit 2>/dev/null &&
	grep -q "e8: identification code and password without an approving manager" audit &&
	test_must_fail 1 auth e8 "$TMP/pw.e8" 2>/dev/null &&
	tail -1 "$D/oplog.csv" | grep -q ",-,auth,e8,denied,method=password reason=register-row-damaged," &&
	cp "$D/operators.csv" reg.save && regcol boss instructions_date "" &&
	operator-list -d "$D" >table 2>/dev/null &&
	grep -q "^boss .* never  *damaged " table &&
	test_must_fail 1 jukisec-audit -d "$D" >audit 2>/dev/null &&
	grep -q "No active Security Manager is registered" audit &&
	cp reg.save "$D/operators.csv"
'

test_expect_success '--expiring DAYS: active persons whose authority ends within DAYS days' '
	test "$(operator-list -d "$D" --now $ASOF --expiring 31 -f csv | ids)" = "tanaka kato " &&
	test "$(operator-list -d "$D" --now $ASOF --expiring 10 -f csv | ids)" = "kato " &&
	test "$(operator-list -d "$D" --now $ASOF --expiring 31 -m password -f csv | ids)" = "tanaka " &&
	test "$(operator-list -d "$D" --now 2099-12-15T00:00:00Z --expiring 31 -f csv | ids)" = "tanaka " &&
	operator-list -d "$D" --now $ASOF --expiring 31 >table &&
	test "$(wc -l <table)" = 3 &&
	for bad in -1 36501 x 1.5; do
		test_must_fail 2 operator-list -d "$D" --expiring "$bad" 2>err || exit 1
	done
'

# DAYS is a number as the page writes one: no sign, no leading zero.
test_expect_success '--expiring: a sign, a leading zero or a blank is a usage error naming it' '
	for bad in +31 031 00 -0 " 31" "31 " 0x1f 3e1; do
		test_must_fail 2 operator-list -d "$D" --expiring "$bad" >out 2>err &&
		test ! -s out &&
		grep -q "^operator-list: --expiring $bad: days, 0 to 36500: invalid\$" err &&
		test "$(grep -c "^operator-list:" err)" = 1 || return 1
	done &&
	operator-list -d "$D" --now $ASOF --expiring 0 -f csv >/dev/null
'

test_expect_success '--locked: only persons locked out now' '
	test "$(operator-list -d "$D" --locked -f csv | ids)" = "" &&
	for i in 1 2 3 4; do auth yamada "$TMP/pw.wrong" 2>/dev/null; done;
	test_must_fail 4 auth yamada "$TMP/pw.wrong" 2>/dev/null &&
	test "$(operator-list -d "$D" -l -f csv | ids)" = "yamada " &&
	test "$(operator-list -d "$D" -l -m external -f csv | ids)" = "" &&
	operator-list -d "$D" --locked >table && grep -q "^yamada .* locked" table
'

# lockcols: yamada's failed, locked and locked_at, from CSV on stdin.
lockcols() { mlr --icsv --onidx --ofs , filter '$id == "yamada"' then cut -o -f failed,locked,locked_at; }

# operator-list(1): CSV and JSON give the lock in effect, as the table's
# STATE and -l do: a lock whose automatic unlock is due is none (the gate
# lifts it, and clears the count, at the next attempt).  The register
# itself is left as it is.
test_expect_success 'an automatic unlock due: CSV and JSON say unlocked, as the table and -l' '
	operator-list -d "$D" -f csv | lockcols >before &&
	grep -q "^5,yes,20" before &&
	conf_set "$D" lockout_unlock_minutes 1 &&
	operator-list -d "$D" --now $ASOF >table &&
	grep -q "^yamada .* active" table &&
	test "$(operator-list -d "$D" --now $ASOF -l -f csv | ids)" = "" &&
	test "$(operator-list -d "$D" --now $ASOF -f csv | lockcols)" = "0,no," &&
	operator-list -d "$D" --now $ASOF -f json >list.json &&
	python3 -c "import json,sys
d = {r[\"id\"]: r for r in json.load(open(sys.argv[1]))}
y = d[\"yamada\"]
assert y[\"locked\"] is False and y[\"locked_at\"] is None and y[\"failed\"] == 0, y" list.json &&
	operator-list -d "$D" -f csv | lockcols >now &&
	test_cmp before now &&
	test "$(field yamada locked)" = yes &&
	conf_set "$D" lockout_unlock_minutes 0
'

# On the clock, as the gate decides: unlocked once the minutes passed
# while the log bears the clock out (two minutes on); a clock decades
# ahead, which the log does not bear out, lifts nothing (SPEC: a wrong
# clock unlocks no one; auth-check(1) "The clock").
test_expect_success FAKETIME 'the same on the clock (faketime): unlocked once the minutes passed' '
	conf_set "$D" lockout_unlock_minutes 1 &&
	SOON=$(date -u -d "+2 minutes" +%Y-%m-%dT%H:%M:%SZ) &&
	test "$(at $SOON operator-list -d "$D" -f csv | lockcols)" = "0,no," &&
	test "$(at $SOON operator-list -d "$D" -f json | grep -c "\"locked\":true")" = 0 &&
	test "$(at $SOON operator-list -d "$D" -l -f csv | ids)" = "" &&
	test "$(at 2099-01-01T00:00:00Z operator-list -d "$D" -f csv | lockcols)" = "$(cat before)" &&
	test "$(at 2099-01-01T00:00:00Z operator-list -d "$D" -l -f csv | ids)" = "yamada " &&
	test "$(operator-list -d "$D" -f csv | lockcols)" = "$(cat before)" &&
	conf_set "$D" lockout_unlock_minutes 0
'

test_expect_success '--expiring lists a locked person (the authority still ends), never a revoked one' '
	operator-mod -d "$D" -b boss --by-password-fd 4 -i yamada -e 2099-12-25 \
	    4<"$TMP/pw.boss" &&
	add_pw ito -e 2099-12-05 &&
	operator-revoke -d "$D" -b boss --by-password-fd 4 -i ito --reason left \
	    4<"$TMP/pw.boss" &&
	test "$(operator-list -d "$D" --now $ASOF --expiring 31 -f csv | ids)" = "tanaka yamada kato " &&
	test "$(operator-list -d "$D" --now $ASOF --expiring 31 -a -f csv | ids)" = "tanaka yamada kato " &&
	test "$(operator-list -d "$D" --now $ASOF --expiring 31 -l -f csv | ids)" = "yamada " &&
	operator-list -d "$D" --now $ASOF --expiring 31 >table &&
	grep -q "^yamada .* 2099-12-25  *locked " table
'

test_expect_success 'CSV: last_success and last_failure are the log'"'"'s auth records' '
	auth tanaka "$TMP/pw.tanaka" && auth tanaka "$TMP/pw.wrong" 2>/dev/null;
	operator-list -d "$D" -f csv >list.csv &&
	head -1 list.csv | grep -q ",failed,locked,locked_at,title,last_success,last_failure\$" &&
	python3 -c "import csv,sys
rows = {r[\"id\"]: r for r in csv.DictReader(open(sys.argv[1], newline=\"\"))}
log = list(csv.reader(open(sys.argv[2], newline=\"\")))[1:]
def last(i, res): return ([r[1] for r in log if r[4] == \"auth\" and r[5] == i and r[6] in res] or [\"\"])[-1]
for i, r in rows.items():
    assert r[\"last_success\"] == last(i, (\"ok\",)), (i, r)
    assert r[\"last_failure\"] == last(i, (\"denied\", \"locked\")), (i, r)
assert rows[\"tanaka\"][\"last_success\"] and rows[\"tanaka\"][\"last_failure\"] > rows[\"tanaka\"][\"last_success\"]
assert rows[\"tanaka\"][\"failed\"] == \"1\"
assert rows[\"sato\"][\"last_success\"] == \"\" and rows[\"yamada\"][\"last_failure\"]
" list.csv "$D/oplog.csv"
'

test_expect_success 'JSON: the same two keys, null for never' '
	operator-list -d "$D" -f json >list.json &&
	python3 -c "import json,sys
d = {r[\"id\"]: r for r in json.load(open(sys.argv[1]))}
assert d[\"sato\"][\"last_success\"] is None and d[\"sato\"][\"last_failure\"] is None, d[\"sato\"]
assert d[\"tanaka\"][\"last_success\"].endswith(\"Z\")" list.json
'

test_expect_success 'a log that cannot be read: CSV exit 3, nothing claimed' '
	mv "$D/oplog.csv" oplog.save && mkfifo "$D/oplog.csv" &&
	test_must_fail 3 operator-list -d "$D" --now $ASOF -f csv >out 2>err &&
	grep -q "oplog.csv" err &&
	operator-list -d "$D" --now $ASOF >table &&
	rm "$D/oplog.csv" && mv oplog.save "$D/oplog.csv"
'

test_expect_success 'operator-mod -e takes a local date: the authority ends at local midnight' '
	TZ=Asia/Tokyo operator-mod -d "$D" -b boss --by-password-fd 4 -i sato \
	    -e 2100-07-31 4<"$TMP/pw.boss" &&
	test "$(field sato expires)" = 2100-07-31T15:00:00.000Z &&
	operator-mod -d "$D" -b boss --by-password-fd 4 -i sato --expires=2100-08-31 \
	    4<"$TMP/pw.boss" &&
	test "$(field sato expires)" = 2100-09-01T00:00:00.000Z &&
	test_must_fail 2 operator-mod -d "$D" -b boss --by-password-fd 4 -i sato \
	    -e 2100-02-30 4<"$TMP/pw.boss" 2>err
'

test_done
