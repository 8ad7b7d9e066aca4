#!/bin/sh
# No function of common/, cmd/ or pam/ is over 60 lines without a reason
# (tests/funclen, make lint; issue 16 item 4), and the census can fail: a
# long function without its "Long:" comment is named.
. "$(dirname "$0")/lib.sh"

test_expect_success 'every function over 60 lines says why it is long' '
	python3 "$SRCDIR/tests/funclen" "$SRCDIR"/common/*.c "$SRCDIR"/cmd/*.c \
	    "$SRCDIR"/pam/*.c >census &&
	tail -1 census | grep -q "^functions: [0-9]*, over 60 lines: [0-9]*, with no reason: 0$"
'

# long FILE REASON: a 70-line function, with "Long:" above it if REASON.
long() {
	{
		if [ -n "$2" ]; then echo "/* Long: a table read top to bottom. */"; fi
		printf "static int\nf(void)\n{\n"
		i=0; while [ $i -lt 70 ]; do echo "	x++;"; i=$((i + 1)); done
		printf "\treturn x;\n}\n"
	} >"$1"
}

test_expect_success 'a long function without a reason fails, naming it' '
	long bare.c "" && test_must_fail 1 python3 "$SRCDIR/tests/funclen" bare.c >out &&
	grep -q "bare.c:2 f NO REASON" out &&
	long told.c yes && python3 "$SRCDIR/tests/funclen" told.c >out &&
	grep -q "told.c:3 f reason" out
'

test_done
