#!/bin/sh
# t0096: log-append's layout (cmd/log-append.ld, LINK=static).  The code
# and constants one append runs lie together at the start of the text and
# of the read-only data, so that a few page faults map them (issue 15); a
# rebuilt libgcrypt whose archive members were renamed, or a Makefile
# that stopped passing the script, would silently undo that.
. "$(dirname "$0")/lib.sh"

LA=$JUKISEC_BUILD/log-append
readelf -d "$LA" | grep -q 'NEEDED.*libgcrypt' &&
	test_skip_all "log-append is linked with LINK=dynamic: the layout applies to LINK=static only"

# range SECTION: "START END" of a section of log-append, in hex.
range() {
	readelf -SW "$LA" | sed 's/^ *\[ *[0-9]*\] //' |
	    awk -v s="$1" '$1 == s { print $3, $5 }'
}

test_expect_success 'the script is applied: both gathered sections are in log-append' '
	test -n "$(range .text.hot_append)" &&
	test -n "$(range .rodata.hot_append)"
'

test_expect_success 'what one append runs lies in .text.hot_append' '
	set -- $(range .text.hot_append) &&
	nm "$LA" >syms &&
	for f in gcry_check_version _gcry_md_init _gcry_secmem_init_internal \
	    _gcry_sha256_transform_intel_shaext _gpg_err_init csv_parse tool_parse \
	    store_open oplog_commit_time tail_header_check mac_record register_peek_ids \
	    standing_read standing_say; do
		a=$(awk -v f="$f" "\$3 == f { print \$1; exit }" syms) &&
		test -n "$a" || { echo "no symbol $f" >&2; return 1; }
		test $((0x$a)) -ge $((0x$1)) && test $((0x$a)) -lt $((0x$1 + 0x$2)) ||
			{ echo "$f at $a, outside $1 + $2" >&2; return 1; }
	done
'

test_expect_success 'every archive member the layout names is in its archive' '
	sed -n "s/^[[:space:]]*\*\(lib[a-z-]*\.a\):\([^(]*\)(\.text.*/\1 \2/p" \
	    "$SRCDIR/cmd/log-append.ld" >members &&
	test "$(wc -l <members)" -ge 40 &&
	while read -r lib member; do
		if [ "$lib" = libcommon.a ]; then a=$JUKISEC_BUILD/libcommon.a
		else a=$(cc -print-file-name="$lib"); fi
		ar t "$a" | grep -qx "$member" ||
			{ echo "$member is not in $a" >&2; return 1; }
	done <members
'

test_done
