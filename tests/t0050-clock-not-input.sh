#!/bin/sh
# The clock is not an input of a tool that admits people or changes state
# (SPEC): --now given to one is a usage error (exit 2, one line, nothing
# written); the read-only tools take it as "as of"; and the binaries carry
# no other clock override: no environment variable for the time, no test
# seam.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

MSG='--now: the clock is not an input of this tool$'
NOW=--now=2020-01-01T00:00:00Z

# snap: every file of the state directory with its bytes.
snap() { (cd "$D" && find . -type f -exec sha256sum {} + | sort -k2); }

test_expect_success 'set up' '
	reg_state && bootstrap && add_pw tanaka && pw wrong Not-The-Pw-42 &&
	incident-report -d "$D" -b boss --by-password-fd 3 new --type other \
	    --cause fire --summary s 3<"$TMP/pw.boss" >id &&
	snap >before
'

# refused TOOL ARGS...: exit 2, the one line, the state unchanged.  A
# tool that takes --now as "as of" in its other modes says "of a change".
refused() {
	_t=$1; shift
	test_must_fail 2 "$_t" "$@" 2>err </dev/null &&
	one_line_matching err "^$_t: ${CHANGE_MSG:-$MSG}" &&
	snap >after && test_cmp before after
}

test_expect_success 'auth-check --now: refused, nothing logged or counted' '
	refused auth-check -d "$D" -u tanaka --password-fd 3 $NOW 3<"$TMP/pw.wrong" &&
	refused auth-check -d "$D" --pam $NOW
'

test_expect_success 'operator-add, operator-mod, operator-revoke --now: refused' '
	refused operator-add -d "$D" -b boss -i x -n X -m password --reason r \
	    --instructions-given 2026-11-01 $NOW &&
	refused operator-mod -d "$D" -b boss -i tanaka --unlock $NOW &&
	refused operator-revoke -d "$D" -b boss -i tanaka --reason r $NOW
'

test_expect_success 'log-append, log-prune, jukisec-init --now: refused' '
	refused log-append -d "$D" -u a -a b $NOW &&
	refused log-append -d "$D" --seal $NOW &&
	refused log-append -d "$D" --stdin $NOW &&
	refused log-prune -d "$D" $NOW &&
	refused jukisec-init -d "$TMP/new" $NOW && test ! -e "$TMP/new"
'

test_expect_success 'incident-report new and step --now: refused' '
	CHANGE_MSG="--now: the clock is not an input of a change\$" &&
	refused incident-report -d "$D" new -b boss --type other --cause fire \
	    --summary s $NOW &&
	refused incident-report -d "$D" step "$(cat id)" -b boss --step closed $NOW
'

test_expect_success 'the read-only tools take --now as "as of"' '
	chmod 600 "$D.key" &&
	log-verify -d "$D" -k "$D.key" --now 2999-01-01T00:00:00Z >/dev/null &&
	jukisec-audit -d "$D" --now 2999-01-01T00:00:00Z >/dev/null;
	test $? -le 1 &&
	operator-list -d "$D" --now 2999-01-01T00:00:00Z >/dev/null &&
	incident-report -d "$D" show "$(cat id)" --now 2999-01-01T00:00:00Z >/dev/null &&
	incident-report -d "$D" list --now 2999-01-01T00:00:00Z >/dev/null &&
	snap >after && test_cmp before after
'

test_expect_success 'their --now has one wording for a bad time' '
	for t in "log-verify -k $D.key" jukisec-audit operator-list "incident-report list"; do
		test_must_fail 2 $t -d "$D" --now 2026-02-30 2>err &&
		one_line_matching err "^${t%% *}: --now 2026-02-30: not an RFC 3339 time\$" || exit 1
	done
	test_must_fail 2 incident-report -d "$D" list --now 2026-02-30 2>err &&
	one_line_matching err "^incident-report: --now 2026-02-30: not an RFC 3339 time\$"
'

# An empty time is said as an empty -d is ("--now: empty"), not as a value
# with nothing between the option and its colon.
test_expect_success 'an empty --now, --occurred, --detected, --since, --until or --fiscal-year: the option, empty' '
	for t in "log-verify -k $D.key" jukisec-audit operator-list "incident-report list"; do
		test_must_fail 2 $t -d "$D" --now= 2>err &&
		one_line_matching err "^${t%% *}: --now: empty\$" &&
		test_must_fail 2 $t -d "$D" --now "" 2>err &&
		one_line_matching err "^${t%% *}: --now: empty\$" || exit 1
	done &&
	for o in --occurred --detected; do
		test_must_fail 2 incident-report -d "$D" new -b nobody --by-password-fd 3 \
		    --type other --summary x $o "" 3</dev/null 2>err &&
		one_line_matching err "^incident-report: $o: empty\$" || exit 1
	done &&
	for o in --since --until; do
		test_must_fail 2 log-show -d "$D" $o "" 2>err &&
		one_line_matching err "^log-show: $o: empty\$" || exit 1
	done &&
	for o in --since --until --fiscal-year; do
		test_must_fail 2 jukisec-audit -d "$D" $o "" 2>err &&
		one_line_matching err "^jukisec-audit: $o: empty\$" || exit 1
	done
'

# A date alone is no time: read as UTC midnight it named the wrong day's
# start east of Greenwich, where SPEC makes a date a person types a local
# calendar day.  Every option that takes a TIME refuses it.
test_expect_success 'a date alone is not a TIME: --now, --occurred, --detected refuse it' '
	for t in "log-verify -k $D.key" jukisec-audit operator-list "incident-report list"; do
		test_must_fail 2 $t -d "$D" --now 2026-12-01 2>err &&
		one_line_matching err "^${t%% *}: --now 2026-12-01: not an RFC 3339 time\$" || exit 1
	done &&
	for o in --occurred --detected; do
		test_must_fail 2 incident-report -d "$D" new -b nobody --by-password-fd 3 \
		    --type other --summary x $o 2026-12-01 3</dev/null 2>err &&
		one_line_matching err "^incident-report: $o 2026-12-01: not an RFC 3339 time\$" || exit 1
	done
'

# The strings a binary holds in .rodata (its literals, getenv names among
# them), and its symbols.
test_expect_success 'the binaries name no environment variable for the time' '
	for b in auth-check operator-add operator-mod operator-revoke log-append \
	    log-prune jukisec-init incident-report log-verify jukisec-audit operator-list; do
		readelf -p .rodata "$JUKISEC_BUILD/$b" >ro || exit 1
		sed -n "s/^ *\[ *[0-9a-f]*\] *//p" ro |
		    grep -E "^[A-Z][A-Z0-9_]*\$" |
		    grep -E "(^|_)(NOW|FAKE|FAKETIME|CLOCK|EPOCH|TIME|DATE|TEST)(_|\$)" &&
		    { echo "$b: a time variable in .rodata" >&2; exit 1; }
		grep -q JUKISEC_DIR ro || { echo "$b: .rodata not read" >&2; exit 1; }
	done
'

test_expect_success 'nor a clock seam among their symbols' '
	for b in auth-check operator-add operator-mod operator-revoke log-append \
	    log-prune jukisec-init incident-report; do
		nm "$JUKISEC_BUILD/$b" >syms || exit 1
		grep -q " T main\$" syms || { echo "$b: no symbols to read" >&2; exit 1; }
		grep -iE " [tTdDbB] [a-z][a-z0-9_]*(now_parse|fake|test_clock|set_clock|clock_override)" syms &&
		    { echo "$b: a clock seam" >&2; exit 1; }
		grep -Eq " [UTW] clock_gettime(@.*)?\$" syms || { echo "$b: no clock_gettime" >&2; exit 1; }
	done
'

test_done
