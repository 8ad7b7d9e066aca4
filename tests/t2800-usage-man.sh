#!/bin/sh
# The register tools' usage() is their man page's SYNOPSIS, word for word,
# and the pages are mandoc -Tlint clean.
. "$(dirname "$0")/lib.sh"

for t in operator-add operator-mod operator-revoke operator-list auth-check; do
	test_expect_success "$t: usage is the SYNOPSIS of $t(1)" '
		$t -h | sed "/^\$/,\$d; s/^usage: //" | tr -s " \t\n" " " | sed "s/ \$//" >u &&
		MANWIDTH=200 mandoc -Tascii "$SRCDIR/man/$t.1" | col -b |
		    sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" | sed "1d;\$d" |
		    tr -s " \t\n" " " | sed "s/^ //; s/ \$//" >m &&
		echo >>u && echo >>m && test_cmp u m
	'
	test_expect_success "$t(1) is mandoc -Tlint clean" '
		mandoc -Tlint -W warning "$SRCDIR/man/$t.1" >lint 2>&1; test ! -s lint
	'
done

test_done
