# tests/lib-ja.sh: running the built tools under ja_JP.UTF-8 with the
# built catalogue, for t0090, t0093 and t2410.  Source after lib.sh; then,
# under test_have_prereq MOUNTNS,LOCALEDIR, run ja_locale as a test first.
# The tools look the catalogue up in the LOCALEDIR compiled into them; make
# test passes it, and the binary holds it for a run by hand.
LOCALEDIR=${JUKISEC_LOCALEDIR:-$(strings "$JUKISEC_BUILD/auth-check" |
	grep -m1 '^/.*/locale$')}

# gettext ignores LANGUAGE in the C locale, so the test builds ja_JP.UTF-8
# into $TMP (LOCPATH) from glibc's locale sources, and mounts the built
# catalogue over LOCALEDIR in a private mount namespace: nothing outside
# the test changes.
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
		LOCPATH="$TMP/loc" "$@"
}

# ja_locale: builds ja_JP.UTF-8 into $TMP/loc for ja_run.
ja_locale() {
	mkdir -p "$TMP/loc" &&
	localedef -i ja_JP -f UTF-8 "$TMP/loc/ja_JP.UTF-8" &&
	test -s "$TMP/loc/ja_JP.UTF-8/LC_CTYPE"
}
