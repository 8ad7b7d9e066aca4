#!/bin/sh
# An expiry is a local calendar date and names the last day of authority
# (SPEC: a date a person types is a local date): under TZ=Asia/Tokyo,
# -e 2027-03-31 admits through 23:59:59.999 JST on 31 March and denies from
# 00:00 JST on 1 April, stored as that UTC instant.  A malformed date says
# so, and a past one says that.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
TZ=Asia/Tokyo
export TZ

AT=2027-03-01T09:00:00+09:00
test_expect_success 'set up on 1 March 2027 (JST): sato leaves at the end of March' '
	at_AT reg_state && at_AT bootstrap && at_AT add_pw sato -e 2027-03-31 &&
	test "$(field sato expires)" = 2027-03-31T15:00:00.000Z
'

test_expect_success 'the table shows the last day of authority' '
	at 2027-03-02T09:00:00+09:00 operator-list -d "$D" >t &&
	grep -q "^sato .* 2027-03-31 .* active" t
'

test_expect_success '31 March, 09:00 JST (00:00 UTC): still admitted' '
	at 2027-03-31T09:00:00+09:00 auth sato "$TMP/pw.sato"
'

test_expect_success '31 March, 23:59:59.999 JST: admitted' '
	at 2027-03-31T23:59:59.999+09:00 auth sato "$TMP/pw.sato"
'

test_expect_success '1 April, 00:00 JST: denied as expired' '
	test_must_fail 1 at 2027-04-01T00:00:00+09:00 auth sato "$TMP/pw.sato" 2>/dev/null &&
	test "$(log_count auth denied "reason=expired")" = 1
'

test_expect_success 'operator-mod -e takes the same date: the last day, local' '
	at 2027-04-01T09:00:00+09:00 operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i sato -e 2027-06-30 4<"$TMP/pw.boss" &&
	test "$(field sato expires)" = 2027-06-30T15:00:00.000Z &&
	at 2027-06-30T23:59:59+09:00 auth sato "$TMP/pw.sato" &&
	test_must_fail 1 at 2027-07-01T00:00:00+09:00 auth sato "$TMP/pw.sato" 2>/dev/null
'

test_expect_success 'a malformed date is called malformed, not past' '
	pw ito ito-secret-1 &&
	test_must_fail 2 operator-add -d "$D" -b boss --by-password-fd 4 -i ito -n I \
	    -m password --reason r --instructions-given 2027-03-01 -e 2027/03/31 \
	    --password-fd 3 3<"$TMP/pw.ito" 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-add: -e 2027/03/31: not a date YYYY-MM-DD or an RFC 3339 time \\(years 0001-9999\\)\$" &&
	test_must_fail 2 operator-mod -d "$D" -b boss -i sato -e 2027-02-30 2>err &&
	one_line_matching err "^operator-mod: -e 2027-02-30: not a date YYYY-MM-DD, an RFC 3339 time \\(years 0001-9999\\) or never\$"
'

test_expect_success 'a day already over is refused as past' '
	test_must_fail 2 at 2027-07-02T09:00:00+09:00 operator-mod -d "$D" -b boss \
	    --by-password-fd 4 -i sato -e 2027-07-01 4<"$TMP/pw.boss" 2>err &&
	one_line_matching err "^operator-mod: -e 2027-07-01: already past: the authority would have ended\$"
'

test_expect_success 'the man page example (a transfer at the end of March) says -e 2027-03-31' '
	grep -q "operator-mod -b kacho -i tanaka -s 税務課 -e 2027-03-31\$" \
	    "$SRCDIR/man/operator-mod.1"
'

test_done
