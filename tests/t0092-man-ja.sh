#!/bin/sh
# t0092: the Japanese manual pages.  po4a makes them from the English pages
# (man/, the authority) through po/man/ja.po (po/man/po4a.cfg); this test
# keeps that catalogue complete as t0090 keeps po/ja.po: every paragraph of
# every page as it is now has a Japanese translation, none fuzzy.  When a
# page changes: make po, translate the entries it names, make.  Then every
# page po4a wrote is mandoc -Tlint clean, reads Japanese, and make install
# puts it where man -L ja finds it.
. "$(dirname "$0")/lib.sh"

MANJA=$JUKISEC_BUILD/man/ja

command -v po4a >/dev/null ||
	test_skip_all "po4a not installed (make deps installs it)"

test_expect_success 'po/man/po4a.cfg lists every page of man/, nothing else' '
	(cd "$SRCDIR" && ls man/*.[158]) >want &&
	sed -n "s/^\[type: man\] \([^ ]*\) .*/\1/p" "$SRCDIR/po/man/po4a.cfg" | sort >have &&
	test_cmp want have
'

# The same update as make po, over the pages as they are now, into $TMP:
# a changed paragraph shows up fuzzy, a new one untranslated.
test_expect_success 'every paragraph of every page has a Japanese translation, none fuzzy (else: make po, translate)' '
	mkdir -p po/man &&
	cp "$SRCDIR/po/man/ja.po" "$SRCDIR/po/man/jukisec-man.pot" po/man/ &&
	po4a --force --no-translations --no-backups --porefs file -q \
		--srcdir "$SRCDIR" --destdir "$TMP" -M UTF-8 -L UTF-8 \
		--variable out="$TMP/out" "$SRCDIR/po/man/po4a.cfg" >&2 &&
	python3 "$SRCDIR/po/man/keep-english" po/man/ja.po &&
	test "$(grep -c "^msgid " po/man/jukisec-man.pot)" -gt 500 &&
	msgattrib --untranslated --no-obsolete po/man/ja.po >untranslated.po &&
	msgattrib --only-fuzzy --no-obsolete po/man/ja.po >fuzzy.po &&
	for f in untranslated fuzzy; do
		sed -n "s/^#: //p" $f.po | tr " " "\n" | sort | uniq -c |
			sed "s/^/$f entries: /" >&2
	done &&
	cat untranslated.po fuzzy.po >&2 &&
	test ! -s untranslated.po && test ! -s fuzzy.po &&
	msgfmt --check -o /dev/null po/man/ja.po
'

test_expect_success 'po/man/jukisec-man.pot holds exactly the paragraphs of the pages (else: make po)' '
	msgcmp --use-untranslated "$SRCDIR/po/man/jukisec-man.pot" po/man/jukisec-man.pot &&
	msgcmp --use-untranslated po/man/jukisec-man.pot "$SRCDIR/po/man/jukisec-man.pot"
'

test_expect_success 'the build wrote a Japanese page for every page, each mandoc -Tlint clean' '
	for m in "$SRCDIR"/man/*.[158]; do
		p=$MANJA/man${m##*.}/$(basename "$m") &&
		test -s "$p" &&
		mandoc -Tlint -W warning "$p" >&2 || { echo "# $p" >&2; exit 1; }
	done
'

test_expect_success 'every section reference of a Japanese page names a translated heading' '
	python3 "$SRCDIR/tests/man-sx.py" "$MANJA"/man*/* >&2 &&
	sed "s/^\.Sx .*/.Sx No such section/" "$MANJA/man1/operator-mod.1" >bad.1 &&
	test_must_fail 1 python3 "$SRCDIR/tests/man-sx.py" bad.1 >out &&
	grep -q "^bad.1:[0-9]*: Sx No such section: no such section heading" out
'

# ja LINES: how many of LINES hold hiragana, katakana or kanji.
ja() { LC_ALL=C.UTF-8 grep -c -P "[\p{Hiragana}\p{Katakana}\p{Han}]" || true; }
# prose <PAGE: the lines of its DESCRIPTION that hold Latin text, but for
# the option tags (a line that starts with -: "-b ID, --by=ID"), which
# stay as they are in every language; a short page with many options
# (operator-revoke) would otherwise read as English.
prose() {
	sed -n "/^DESCRIPTION/,/^[A-Z]/p" | grep "[a-z]" | grep -v "^[[:space:]]*-" || true
}

test_expect_success 'each page reads Japanese: NAME, and most of DESCRIPTION' '
	for m in "$SRCDIR"/man/*.[158]; do
		p=$MANJA/man${m##*.}/$(basename "$m") &&
		LC_ALL=C.UTF-8 mandoc -Tutf8 "$p" | LC_ALL=C.UTF-8 col -b >page &&
		sed -n "/^NAME/,/^SYNOPSIS/p" page >name &&
		test "$(ja <name)" -ge 1 &&
		prose <page >desc &&
		test -s desc &&
		test "$(ja <desc)" -ge "$(($(wc -l <desc) / 2))" ||
		{ echo "# not Japanese: $p" >&2; cat name >&2; exit 1; }
	done
'

test_expect_success 'the check can fail: an English page does not read Japanese' '
	LC_ALL=C.UTF-8 mandoc -Tutf8 "$SRCDIR/man/auth-check.1" | LC_ALL=C.UTF-8 col -b >page &&
	sed -n "/^NAME/,/^SYNOPSIS/p" page >name &&
	test "$(ja <name)" = 0 &&
	prose <page >desc &&
	test "$(wc -l <desc)" -gt 50 && test "$(ja <desc)" = 0
'

# make install (the suite's build as it is, never rebuilt) puts them
# in MANPREFIX/ja/manN, where man-db looks for -L ja and for a ja_* LANG
# (a MANPATH entry, not -M: man-db 2.11 looks in no language directory
# of an -M path); make uninstall takes them away again.
if command -v man >/dev/null; then
	test_expect_success 'make install: man -L ja auth-check finds and shows the Japanese page' '
		(unset MAKEFLAGS MFLAGS MAKELEVEL
		 make -C "$SRCDIR" --no-print-directory -s -o all BUILD="$JUKISEC_BUILD" \
			$(cat "$JUKISEC_BUILD/paths") PREFIX=/usr DESTDIR="$TMP/inst" install) >&2 &&
		M=$TMP/inst/usr/share/man &&
		for m in "$SRCDIR"/man/*.[158]; do
			s=${m##*.} &&
			cmp "$M/ja/man$s/$(basename "$m")" "$MANJA/man$s/$(basename "$m")" || exit 1
		done &&
		MANPATH=$M man -L ja -w auth-check >where &&
		echo "$M/ja/man1/auth-check.1" >want && test_cmp want where &&
		MANPATH=$M man -L C -w auth-check >where &&
		echo "$M/man1/auth-check.1" >want && test_cmp want where &&
		LC_ALL=C.UTF-8 MANWIDTH=80 MANPATH=$M man -L ja auth-check 2>err |
			LC_ALL=C.UTF-8 col -b >shown &&
		cat err >&2 && test ! -s err &&
		grep -q "住基ネットの端末機" shown
	'
	test_expect_success 'make uninstall removes them' '
		(unset MAKEFLAGS MFLAGS MAKELEVEL
		 make -C "$SRCDIR" --no-print-directory -s BUILD="$JUKISEC_BUILD" \
			$(cat "$JUKISEC_BUILD/paths") PREFIX=/usr DESTDIR="$TMP/inst" uninstall) >&2 &&
		! find "$TMP/inst" -type f | grep "/man/" >&2
	'
else
	test_skip 'make install: man -L ja auth-check finds and shows the Japanese page' \
		"man (man-db) not installed"
	test_skip 'make uninstall removes them' "man (man-db) not installed"
fi

test_done
