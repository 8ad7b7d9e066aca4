#!/bin/sh
# t0090: the Japanese catalogue (po/ja.po) translates every message in the
# sources, and the real tools print it under a Japanese locale.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-ja.sh"

MO=$JUKISEC_BUILD/locale/ja/LC_MESSAGES/jukisec.mo
test_expect_success 'po/ja.po passes msgfmt --check and is built into $BUILD/locale' '
	msgfmt --check -o ja.mo "$SRCDIR/po/ja.po" &&
	cmp ja.mo "$MO"
'

# The same extraction as make po, over the sources as they are now, so a
# new or changed message without a translation fails here.
test_expect_success 'every message in cmd/, common/ and pam/ has a Japanese translation, none fuzzy (else: make po, translate)' '
	(cd "$SRCDIR" && xgettext --keyword=_ --keyword=N_ \
		--keyword=ngettext:1,2 --keyword=P_:1,2 --from-code=UTF-8 -o "$TMP/src.pot" \
		cmd/*.c common/*.c pam/*.c) &&
	test "$(grep -c "^msgid " src.pot)" -gt 100 &&
	msgmerge -q --no-fuzzy-matching -o merged.po "$SRCDIR/po/ja.po" src.pot &&
	msgattrib --untranslated --no-obsolete merged.po >untranslated.po &&
	msgattrib --only-fuzzy --no-obsolete merged.po >fuzzy.po &&
	cat untranslated.po fuzzy.po >&2 &&
	test ! -s untranslated.po && test ! -s fuzzy.po &&
	msgfmt --check -o /dev/null merged.po
'

test_expect_success 'po/jukisec.pot lists exactly the messages of the sources (else: make po)' '
	msgcmp --use-untranslated "$SRCDIR/po/jukisec.pot" src.pot &&
	msgcmp --use-untranslated src.pot "$SRCDIR/po/jukisec.pot"
'

test_expect_success 'a translation keeps the conversions of its message in order' '
	msgfmt --check-format -o /dev/null "$SRCDIR/po/ja.po" &&
	grep -q "^\"Plural-Forms: nplurals=1; plural=0;" "$SRCDIR/po/ja.po"
'

# A requirement number (R5.3, R9(1)) is the digest's label, the same in
# every municipality: a translation keeps it, never a regulation's own
# article ("第9条第3項" is Kokubunji's; another city's jukisec.conf names
# its own, which the documents take from there).
test_expect_success 'a translation keeps the requirement numbers of its message' '
	python3 - "$SRCDIR/po/ja.po" <<-\EOF
	import re, sys
	text = open(sys.argv[1], encoding="utf-8").read()
	bad = 0
	for mid, mstr in re.findall(r"\nmsgid ((?:\".*\"\n)+)msgstr ((?:\".*\"\n?)+)", text):
	    a, b = ("".join(re.findall(r"\"(.*)\"", x)) for x in (mid, mstr))
	    for lab in sorted(set(re.findall(r"\bR\d+(?:\.\d+)?(?:\(\d+\))?", a))):
	        if lab not in b:
	            print("%s lost in: %s" % (lab, a), file=sys.stderr)
	            bad = 1
	sys.exit(bad)
	EOF
'

if test_have_prereq MOUNTNS,LOCALEDIR; then
	test_expect_success 'localedef builds ja_JP.UTF-8 (once per build directory)' 'ja_locale'

	test_expect_success 'under LANG=C auth-check says it in English' '
		test_must_fail 3 auth-check -d "$TMP/nostate" -u alice 2>err </dev/null &&
		one_line_matching err "^auth-check: .*/nostate: no such state directory \(run jukisec-init\)$"
	'

	test_expect_success 'under ja_JP.UTF-8 the same error is Japanese, same status' '
		test_must_fail 3 ja_run auth-check -d "$TMP/nostate" -u alice 2>err </dev/null &&
		one_line_matching err "^auth-check: .*/nostate: 状態ディレクトリがありません（jukisec-init を実行してください）$"
	'

	# The messages are UTF-8 like everything else the tools print, also
	# when only LC_MESSAGES asks for Japanese and the character type is
	# the C locale's ASCII (gettext would otherwise print "???").
	test_expect_success 'under LC_MESSAGES=ja_JP.UTF-8 alone the messages are Japanese UTF-8' '
		test_must_fail 3 ja_run env -u LC_ALL LANG=C LC_MESSAGES=ja_JP.UTF-8 \
		    auth-check -d "$TMP/nostate" -u alice 2>err </dev/null &&
		one_line_matching err "^auth-check: .*/nostate: 状態ディレクトリがありません（jukisec-init を実行してください）$" &&
		ja_run env -u LC_ALL LANG=C LC_MESSAGES=ja_JP.UTF-8 operator-list --help >out &&
		grep -q "^使用法: operator-list" out &&
		jukisec-init -d "$TMP/ja-lcm" -t term01 >/dev/null 2>&1 && rm "$TMP/ja-lcm/oplog.key" &&
		test_must_fail 3 ja_run env -u LC_ALL LANG=C LC_MESSAGES=ja_JP.UTF-8 \
		    log-append -d "$TMP/ja-lcm" -t term01 -u ghost -a view 2>err &&
		one_line_matching err "^log-append: .*/oplog.key: そのようなファイルやディレクトリはありません$"
	'

	test_expect_success 'under ja_JP.UTF-8 --help prints the Japanese usage line on stdout' '
		ja_run log-prune --help >out 2>err &&
		test ! -s err &&
		grep -q "^使用法: log-prune \[-n\] \[-q | -v\]" out
	'

	test_expect_success 'under ja_JP.UTF-8 every tool begins its usage with the same word' '
		for t in auth-check incident-report jukisec-audit jukisec-init log-append \
		    log-prune log-show log-verify operator-add operator-list operator-mod \
		    operator-revoke; do
			ja_run $t --help >out 2>err || return 1
			head -n 1 out | grep -q "^使用法: $t" ||
				{ echo "$t: $(head -n 1 out)"; return 1; }
		done
	'

	test_expect_success 'under ja_JP.UTF-8 a usage error names the option in Japanese, status 2' '
		test_must_fail 2 ja_run log-prune -d "$TMP/nostate" --retain 30 2>err &&
		grep -q "^log-prune: --retain 30: 365 日未満です。R6 により操作履歴は 1 年間保存します$" err
	'

	# parse_num()'s reasons ("invalid", "too small", "too large") are
	# words of a message too: no English in a Japanese one.
	test_expect_success 'under ja_JP.UTF-8 a number out of range or misspelt is said in Japanese' '
		for a in "operator-list --expiring 05" "operator-list --expiring 36501" \
		    "incident-report list --overdue -1" "jukisec-init --epoch 59" \
		    "jukisec-init --format 3" "log-prune -a x --retain 99999999999999999999"; do
			test_must_fail 2 ja_run $a -d "$TMP/nostate" 2>err || return 1
			if grep -E "invalid|too (small|large)" err; then return 1; fi
			grep -q "不正な数\|小さすぎる\|大きすぎる" err ||
			    { cat err; return 1; }
		done
	'

	# log-append sets the locale up only when a message is made
	# (jukisec_setup_lazy): the message after a durable append, and a C
	# library error text made before any catalogue lookup, still come
	# out in Japanese.
	test_expect_success 'under ja_JP.UTF-8 log-append warns of an unregistered operator in Japanese' '
		jukisec-init -d "$TMP/ja" -t term01 >/dev/null 2>&1 &&
		ja_run log-append -d "$TMP/ja" -t term01 -u ghost -a view 2>err &&
		one_line_matching err "^log-append: 操作者 ghost .*R5.4" &&
		! grep -q "registered person" err &&
		test "$(grep -c ",ghost,view," "$TMP/ja/oplog.csv")" = 1
	'

	test_expect_success 'under ja_JP.UTF-8 log-append says why the key cannot be read in Japanese' '
		cp -a "$TMP/ja" "$TMP/ja-nokey" && rm "$TMP/ja-nokey/oplog.key" &&
		test_must_fail 3 ja_run log-append -d "$TMP/ja-nokey" -t term01 -u ghost -a view 2>err &&
		one_line_matching err "^log-append: .*/oplog.key: そのようなファイルやディレクトリはありません$"
	'
else
	test_skip 'the tools print Japanese under ja_JP.UTF-8' "$prereq_missing"
fi

test_done
