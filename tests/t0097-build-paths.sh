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

# LINK is kept in $BUILD/link the same way: the other choice relinks
# log-append, the same one does not (a copy of the suite's log-append, its
# library taken as up to date).
test_expect_success 'another LINK relinks log-append; the same LINK does not' '
	link=$(cat "$JUKISEC_BUILD/link") &&
	case $link in LINK=static) other=LINK=dynamic ;; *) other=LINK=static ;; esac &&
	mkdir -p b2 &&
	for f in paths link log-append libcommon.a; do cp -p "$JUKISEC_BUILD/$f" b2/ || exit 1; done &&
	make -C "$SRCDIR" --no-print-directory BUILD="$TMP/b2" -o "$TMP/b2/libcommon.a" \
	    $built "$link" "$TMP/b2/log-append" >same.out 2>&1 &&
	! grep -q -- "-o $TMP/b2/log-append " same.out &&
	# the relink itself may fail: the suite may be a sanitizer build,
	# whose objects want its flags; make printing it is the decision
	{ make -C "$SRCDIR" --no-print-directory BUILD="$TMP/b2" -o "$TMP/b2/libcommon.a" \
	    $built "$other" "$TMP/b2/log-append" >other.out 2>&1 || :; } &&
	grep -q -- "-o $TMP/b2/log-append " other.out &&
	test "$(cat b2/link)" = "$other"
'

# The directories make install creates are 0755 whatever the installer's
# umask: under a hardened root's (027, 077) the catalogues, the pages and
# the completion would be root's alone, and everyone else would get
# English messages without a word.
test_expect_success 'make install under umask 077: every directory it makes is 0755' '
	(umask 077 &&
	 make -C "$SRCDIR" --no-print-directory -s -o all BUILD="$JUKISEC_BUILD" \
		$built PREFIX=/usr DESTDIR="$TMP/inst077" install) >&2 &&
	find "$TMP/inst077" -type d ! -perm 755 >bad && test_cmp /dev/null bad &&
	find "$TMP/inst077" -type d -path "*/ja/LC_MESSAGES" | grep -q . &&
	find "$TMP/inst077" -type d -path "*/bash-completion/completions" | grep -q .
'

test_done
