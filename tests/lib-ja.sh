# tests/lib-ja.sh: running the built tools under ja_JP.UTF-8 with the
# built catalogue, for t0090, t0093 and t2410.  Source after lib.sh; then,
# under test_have_prereq MOUNTNS,LOCALEDIR, run ja_locale as a test first.
# The tools look the catalogue up in the LOCALEDIR compiled into them; make
# test passes it, and the binary holds it for a run by hand.
LOCALEDIR=${JUKISEC_LOCALEDIR:-$(strings "$JUKISEC_BUILD/auth-check" |
	grep -m1 '^/.*/locale$')}

# gettext ignores LANGUAGE in the C locale, so ja_JP.UTF-8 is built from
# glibc's locale sources (LOCPATH), and the built catalogue is mounted over
# LOCALEDIR in a private mount namespace: nothing outside the test and the
# build directory changes.  localedef costs a second of CPU, so the locale
# is built once per build directory and glibc, in
# $JUKISEC_BUILD/tests/locale-KEY (KEY: the glibc version and the date of
# the ja_JP source), under a lock, and the test files that need it share it.
test_lazy_prereq LOCALEDIR '[ -n "$LOCALEDIR" ] || { echo "LOCALEDIR not known"; exit 1; }'

# ja_run CMD...: CMD in ja_JP.UTF-8 with $BUILD/locale mounted at LOCALEDIR.
# When LOCALEDIR does not exist, a tmpfs on its nearest existing ancestor
# (never / or /usr) holds the mount point.
ja_run() {
	unshare -m sh -c '
		set -e
		mount --make-rprivate /
		dir=$1 loc=$2; shift 2
		if [ ! -d "$dir" ]; then
			a=$dir
			while [ ! -d "$a" ]; do a=$(dirname "$a"); done
			case $a in /|/usr) echo "ja_run: no mount point for $dir" >&2; exit 125;; esac
			mount -t tmpfs tmpfs "$a"
			mkdir -p "$dir"
		fi
		mount --bind "$loc" "$dir"
		set +e
		exec "$@"' sh "$LOCALEDIR" "$JUKISEC_BUILD/locale" \
		env -u LANGUAGE LC_ALL=ja_JP.UTF-8 LANG=ja_JP.UTF-8 \
		LOCPATH="$JA_LOCPATH" "$@"
}

# The cached locale's directory (LOCPATH) for this glibc and its sources.
JA_LOCPATH=$JUKISEC_BUILD/tests/locale-$(getconf GNU_LIBC_VERSION 2>/dev/null |
	tr -c "A-Za-z0-9.\n" _)-$(date -r /usr/share/i18n/locales/ja_JP +%s 2>/dev/null)

# ja_locale: builds ja_JP.UTF-8 into $JA_LOCPATH for ja_run, unless a test
# file before built it there: one builder at a time (flock), and the
# locale appears whole (built aside, then renamed) or not at all.
ja_locale() {
	mkdir -p "$JUKISEC_BUILD/tests" &&
	flock "$JUKISEC_BUILD/tests/locale.lock" sh -c '
		l=$1
		test -s "$l/ja_JP.UTF-8/LC_CTYPE" && exit 0
		rm -rf "$l.new" && mkdir -p "$l.new" &&
		localedef -i ja_JP -f UTF-8 "$l.new/ja_JP.UTF-8" &&
		rm -rf "$l" && mv "$l.new" "$l"' sh "$JA_LOCPATH" &&
	test -s "$JA_LOCPATH/ja_JP.UTF-8/LC_CTYPE"
}
