#!/bin/sh
# t0097: the build knows where it is installed.  The paths compiled into the
# tools (LOCALEDIR, STATEDIR) are kept in $BUILD/paths; a make with other
# paths rebuilds, so "make install PREFIX=/usr" after a plain "make" installs
# binaries that find their catalogues under /usr.  Only one object is
# rebuilt here (the whole build is exercised by make check-deb).
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL

# mk ARGS...: make in $SRCDIR with the build in $TMP/b.
mk() { make -C "$SRCDIR" --no-print-directory BUILD="$TMP/b" "$@"; }
# Built as the suite's binaries were: their recorded paths, as make arguments.
built=$(cat "$JUKISEC_BUILD/paths")

test_expect_success 'a plain make builds everything: the default goal is all' '
	mk -n -p 2>/dev/null | grep -qx ".DEFAULT_GOAL := all"
'

test_expect_success 'the build records the paths it compiled in' '
	printf "%s\n" "$built" | grep -Eq "^VERSION=[^ ]+ STATEDIR=/[^ ]+ LOCALEDIR=/[^ ]+$" &&
	strings "$JUKISEC_BUILD/auth-check" | grep -qx "${built##*LOCALEDIR=}"
'

test_expect_success 'the same paths again: nothing is rebuilt' '
	mkdir -p b/common &&
	cp -p "$JUKISEC_BUILD/paths" b/paths &&
	cp -p "$JUKISEC_BUILD/common/msg.o" b/common/msg.o &&
	mk $built "$TMP/b/common/msg.o" >make.out 2>&1 &&
	cat make.out >&2 &&
	! grep -q -- "-c -o" make.out &&
	cmp "$JUKISEC_BUILD/common/msg.o" b/common/msg.o &&
	cmp "$JUKISEC_BUILD/paths" b/paths
'

test_expect_success 'another PREFIX rebuilds, and the object looks for catalogues under it' '
	mk ${built% LOCALEDIR=*} PREFIX="$TMP/inst" "$TMP/b/common/msg.o" >make.out 2>&1 &&
	cat make.out >&2 &&
	grep -q "^configured: .*LOCALEDIR=$TMP/inst/share/locale" make.out &&
	grep -q -- "-c -o $TMP/b/common/msg.o" make.out &&
	strings b/common/msg.o | grep -qx "$TMP/inst/share/locale"
'

test_done
