#!/bin/sh
# jukisec-audit, the state itself: modes and owners of the directory and
# its files (SPEC "The state directory"), jukisec.conf within the
# regulation.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

test_expect_success 'set up' 'audit_state && add_pw suzuki'

test_expect_success 'a fresh state: modes and settings pass' '
	audit_run &&
	expect state-modes "PASS " &&
	expect conf-values "PASS "
'

test_expect_success 'a world-readable log FAILs naming the file and mode' '
	chmod 644 "$D/oplog.csv" &&
	audit_run &&
	test "$ast" -eq 1 &&
	expect state-modes "FAIL oplog.csv" &&
	detail state-modes | grep -q "oplog.csv has mode 0644 (at most 0640)" &&
	chmod 600 "$D/oplog.csv"
'

test_expect_success 'a group-readable key FAILs: keys are 0600 only' '
	chmod 640 "$D/oplog.key" &&
	audit_run &&
	expect state-modes "FAIL oplog.key" &&
	detail state-modes | grep -q "oplog.key has mode 0640 (at most 0600)" &&
	chmod 600 "$D/oplog.key"
'

# A second name for what the writers replace by one: the log's evolving
# key (every past key would stay) or a credential (the old hash would).
test_expect_success 'a key or credential with another hard link FAILs, in both languages' '
	ln "$D/oplog.key" "$TMP/keep.key" && ln "$D/credentials/suzuki.phc" "$TMP/keep.phc" &&
	audit_run && rm -f "$TMP/keep.key" "$TMP/keep.phc" &&
	test "$ast" -eq 1 &&
	expect state-modes "FAIL credentials/suzuki.phc oplog.key" &&
	detail state-modes | grep -q " oplog.key has other hard links: what it held stays under them when it is replaced" &&
	detail state-modes | grep -q " credentials/suzuki.phc has other hard links" &&
	ln "$D/oplog.key" "$TMP/keep.key" &&
	{ jukisec-audit -d "$D" --lang ja >ja.txt || test $? = 1; } && rm -f "$TMP/keep.key" &&
	grep -q "操作履歴の鍵に別のハードリンクがあり、書き換えても元の内容がその名前で残ります" ja.txt &&
	audit_run && expect state-modes "PASS "
'

# credentials/ and its files are the owner's alone (operator-add(1): 0600,
# in a 0700 directory): every tool that reads them refuses one that grants
# the group or others anything, and the audit must not pass what nobody
# can authenticate against.
test_expect_success 'a credential open to the group or others FAILs, as the tools refuse it' '
	for m in 640 604 660; do
		chmod $m "$D/credentials/suzuki.phc" &&
		audit_run &&
		test_must_fail 3 auth suzuki "$TMP/pw.suzuki" >/dev/null 2>auth.err &&
		chmod 600 "$D/credentials/suzuki.phc" &&
		expect state-modes "FAIL credentials/suzuki.phc" &&
		test "$ast" -eq 1 &&
		detail state-modes | grep -q " credentials/suzuki.phc has mode 0$m (at most 0600)\$" &&
		grep -q "credentials/suzuki.phc: not owned by us or root, or open to others: refused" auth.err ||
		return 1
	done
'

test_expect_success 'a credentials/ open to the group or others FAILs, as the tools refuse it' '
	for m in 750 710 701 770; do
		chmod $m "$D/credentials" &&
		audit_run &&
		test_must_fail 3 auth suzuki "$TMP/pw.suzuki" >/dev/null 2>auth.err &&
		chmod 700 "$D/credentials" &&
		expect state-modes "FAIL credentials" &&
		test "$ast" -eq 1 &&
		detail state-modes | grep -q " credentials has mode 0$m (at most 0700)\$" &&
		grep -q "/credentials: unsafe owner or mode (want 0700)" auth.err ||
		return 1
	done &&
	audit_run && expect state-modes "PASS " && auth suzuki "$TMP/pw.suzuki"
'

test_expect_success 'a world-readable state directory FAILs' '
	chmod 755 "$D" &&
	audit_run &&
	expect state-modes "FAIL $D" &&
	detail state-modes | grep -q "has mode 0755 (at most 0750)" &&
	chmod 700 "$D" &&
	chmod 750 "$D" && audit_run && expect state-modes "PASS " &&
	chmod 700 "$D"
'

test_expect_success 'a symbolic link in the state directory FAILs' '
	ln -s /etc/passwd "$D/notes" &&
	audit_run &&
	expect state-modes "FAIL notes" &&
	detail state-modes | grep -q "notes is not a regular file" &&
	rm "$D/notes"
'

# dir_fails SUB NAME: a directory SUB/NAME (SUB empty, or credentials/)
# made when missing, audited in both languages, then removed: state-modes
# FAILs it as not a regular file, in words ja_words takes.
dir_fails() {
	{ test -e "$D/$1$2" || mkdir -m 700 "$D/$1$2"; } &&
	audit_run &&
	jukisec-audit -d "$D" --lang ja >r.ja;
	rmdir "$D/$1$2" &&
	expect state-modes "FAIL $1$2" &&
	test "$ast" -eq 1 &&
	detail state-modes | grep -q " $1$2 is not a regular file\$" &&
	grep -q "^      - .*は通常のファイルではありません\$" r.ja &&
	ja_words r.ja
}

# A directory bearing a state file's name is no state file: every writer
# refuses it (open_safe: "not a regular file"), so the audit must not pass
# it as a sub-directory the group may read.  The names the reviewer found
# passing, the lock files first (state-modes holds them to 0600).
test_expect_success 'a directory named as a state file FAILs, as the writers refuse it' '
	rm "$D/oplog.lock" && mkdir -m 700 "$D/oplog.lock" &&
	test_must_fail 3 auth suzuki "$TMP/pw.suzuki" >/dev/null 2>auth.err &&
	grep -q "/oplog.lock: not a regular file: refused" auth.err &&
	for f in oplog.lock prune.lock operators.pending oplog.cut \
	    incidents.pending confirmations.csv confirmations.pending template.key; do
		dir_fails "" $f || return 1
	done &&
	auth suzuki "$TMP/pw.suzuki" && test -f "$D/oplog.lock" &&
	audit_run && expect state-modes "PASS "
'

# Every entry of credentials/ is a credential file (ID.phc, ID.tmpl, the
# writers' temporary names), never a directory: a directory there is
# refused by every tool that reads it ("not a regular file", t2120), so
# the audit must not pass it as a sub-directory the group may read.  In
# Japanese a credential's name says whose it is; another, a directory.
test_expect_success 'a directory in credentials/ FAILs, as the tools refuse it' '
	mv "$D/credentials/suzuki.phc" suzuki.phc &&
	mkdir -m 700 "$D/credentials/suzuki.phc" &&
	test_must_fail 3 auth suzuki "$TMP/pw.suzuki" >/dev/null 2>auth.err &&
	grep -q "credentials/suzuki.phc: not a regular file: refused\$" auth.err &&
	for f in suzuki.phc suzuki.tmpl .tmp-credential sub; do
		dir_fails credentials/ $f && cp r.ja "r.ja.$f" || return 1
	done &&
	grep -qx "      - suzukiの照合情報は通常のファイルではありません" r.ja.suzuki.phc &&
	grep -qx "      - 照合情報の保存場所の中のディレクトリは通常のファイルではありません" r.ja.sub &&
	mv suzuki.phc "$D/credentials/suzuki.phc" &&
	auth suzuki "$TMP/pw.suzuki" &&
	audit_run && expect state-modes "PASS "
'

# credentials/ is a directory: a file there, 0600 or not, is not one.
test_expect_success 'a credentials that is a file or a symbolic link FAILs, named as no directory' '
	mv "$D/credentials" creds &&
	printf x >"$D/credentials" && chmod 600 "$D/credentials" &&
	audit_run &&
	rm "$D/credentials" && cp "$TMP/a.csv" file.csv &&
	ln -s "$TMP/creds" "$D/credentials" &&
	audit_run &&
	rm "$D/credentials" && mv creds "$D/credentials" &&
	expect state-modes "FAIL credentials" &&
	detail state-modes | grep -q " credentials is not a directory\$" &&
	cp file.csv "$TMP/a.csv" &&
	expect state-modes "FAIL credentials" &&
	detail state-modes | grep -q " credentials is not a directory\$"
'

test_expect_success ROOT 'a file owned by someone else FAILs' '
	touch "$D/notes" && chmod 600 "$D/notes" && chown 65534 "$D/notes" &&
	audit_run &&
	expect state-modes "FAIL notes" &&
	detail state-modes | grep -q "notes is owned by uid 65534" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.ja;
	rm "$D/notes" &&
	grep -qx "      - 状態ディレクトリの中のその他のファイルの所有者が、状態ディレクトリの所有者でもシステム管理者でもありません" r.ja &&
	ja_words r.ja
'

# Both faults of one entry are one item naming both: the owner's fault
# hid the mode's, which whoever repairs the owner would leave as it is.
test_expect_success ROOT 'a file owned by someone else and open to others: one item, both faults' '
	touch "$D/notes" && chmod 666 "$D/notes" && chown 65534 "$D/notes" &&
	audit_run &&
	jukisec-audit -d "$D" --lang ja >r.ja;
	rm "$D/notes" &&
	expect state-modes "FAIL notes" &&
	detail state-modes | grep -q " notes is owned by uid 65534 and has mode 0666 (at most 0640)\$" &&
	grep -qx "      - 状態ディレクトリの中のその他のファイルの所有者が、状態ディレクトリの所有者でもシステム管理者でもなく、その状態ディレクトリの中のその他のファイルを、権限のない者が読み書きできます" r.ja &&
	ja_words r.ja
'

# The writers' temporary files have fixed names, each removed by the next
# writer that takes the lock it is made under (jukisec-log(5) "Files"): one
# there is a writer's at work, or goes with the next writer.  Any other
# .tmp- file (a random name, a writer of an older version killed before
# its rename: a copy of the register, of a note) no writer removes: named,
# WARN, in English and, by what it is, in Japanese.
TMPS=".tmp-operators.csv .tmp-operators.pending .tmp-operators.pad
.tmp-operators.pad.note .tmp-incidents.csv .tmp-incidents.pending
.tmp-confirmations.csv .tmp-oplog.key .tmp-oplog.cut .tmp-log-recover
.tmp-room .tmp-log-prune .tmp-template.key"
test_expect_success 'a temporary file no writer removes WARNs, naming it' '
	for f in .tmp-93b6325e58a29c91 .tmp-room-4242; do
		printf "id,name\n" >"$D/$f" && chmod 600 "$D/$f" || return 1
	done &&
	audit_run &&
	test "$ast" -eq 0 &&
	finding state-modes | tr " " "\n" | sort >got &&
	printf "%s\n" WARN .tmp-93b6325e58a29c91 .tmp-room-4242 | sort >want &&
	test_cmp want got &&
	detail state-modes | grep -q "^Temporary files that no writer removes are left in the state directory; look at them, then remove them\. " &&
	detail state-modes | grep -q " \.tmp-93b6325e58a29c91: a temporary file an interrupted writer left, which no writer removes\(;\|\$\)" &&
	jukisec-audit -d "$D" --lang ja >r.ja &&
	grep -qx "  \[要確認\] 状態ディレクトリに、どの書込みでも消されない一時ファイルが残っています。中身を確かめてから削除してください。" r.ja &&
	test "$(grep -cx "      - 状態ディレクトリの中に、中断された書込みが残した一時ファイルがあります" r.ja)" = 2 &&
	ja_words r.ja &&
	test_must_fail 1 auth nobody "$TMP/pw.boss" 2>/dev/null &&
	audit_run && finding state-modes | tr " " "\n" | sort >got &&
	test_cmp want got &&
	rm "$D/.tmp-93b6325e58a29c91" "$D/.tmp-room-4242" &&
	audit_run && expect state-modes "PASS "
'

# One in credentials/ would be a copy of a credential (R5.5).
test_expect_success 'one in credentials/ WARNs too, named by its path there' '
	printf "x\n" >"$D/credentials/.tmp-5c0ffee0c0ffee00" &&
	chmod 600 "$D/credentials/.tmp-5c0ffee0c0ffee00" &&
	audit_run &&
	finding state-modes | tr " " "\n" | sort >got &&
	printf "%s\n" WARN credentials/.tmp-5c0ffee0c0ffee00 | sort >want &&
	rm "$D/credentials/.tmp-5c0ffee0c0ffee00" &&
	test_cmp want got &&
	detail state-modes | grep -q " credentials/\.tmp-5c0ffee0c0ffee00: a temporary file an interrupted writer left, which no writer removes\$"
'

test_expect_success 'the writers'"'"' own temporary files pass, and the next writer removes them' '
	for f in $TMPS; do
		printf "x\n" >"$D/$f" && chmod 600 "$D/$f" || return 1
	done &&
	printf "x\n" >"$D/credentials/.tmp-credential" &&
	chmod 600 "$D/credentials/.tmp-credential" &&
	audit_run && expect state-modes "PASS " &&
	test_must_fail 1 auth nobody "$TMP/pw.boss" 2>/dev/null &&
	ls -A "$D" "$D/credentials" | grep "^\.tmp-" >left &&
	echo .tmp-log-prune >want && test_cmp want left &&
	rm "$D/.tmp-log-prune"
'

# A template key's temporary of an older version was named by its pid
# (.template.key.new.PID), made under no lock: one a kill left, a copy of
# the key or a key never used, no writer removes.  Named, WARN, as the
# .tmp- files no writer removes; the key itself and another dot file pass.
test_expect_success 'a pid-named template key temporary WARNs, naming it' '
	(umask 077 && head -c 32 /dev/urandom >"$D/.template.key.new.4242" &&
	    head -c 32 /dev/urandom >"$D/.template.key.new.x") &&
	audit_run &&
	finding state-modes | tr " " "\n" | sort >got &&
	printf "%s\n" WARN .template.key.new.4242 | sort >want &&
	test_cmp want got &&
	detail state-modes | grep -q " \.template\.key\.new\.4242: a temporary file an interrupted writer left, which no writer removes\(;\|\$\)" &&
	rm "$D/.template.key.new.4242" "$D/.template.key.new.x" &&
	audit_run && expect state-modes "PASS "
'

# state_items FILE: the items of state-modes in the Japanese report FILE,
# sorted (the walk keeps the directory's order).
state_items() {
	sed -n "/^  \[不適合\] 記録のファイルに、権限のない者が/,/^  \[/s/^      - //p" \
	    "$1" | sort
}

# Issue 14: the committee's document says each file by what it holds and
# what is wrong in words, whatever the locale: no path, file name, mode
# or id (the English text and the subjects keep them).
test_expect_success 'in Japanese each file is said by what it holds, the fault in words' '
	add_pw tanaka -n "田中 二郎" --title 主事 &&
	chmod 755 "$D" && chmod 644 "$D/credentials/tanaka.phc" &&
	chmod 604 "$D/oplog.key" && chmod 700 "$D/oplog.head" &&
	mkdir "$D/sub" && chmod 755 "$D/sub" &&
	ln -s /etc/passwd "$D/credentials/link.phc" &&
	echo x >"$D/credentials/notes.txt" && chmod 620 "$D/credentials/notes.txt" &&
	ln -s /etc/passwd "$D/notes" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.ja &&
	audit_run;
	chmod 700 "$D" && chmod 600 "$D/credentials/tanaka.phc" "$D/oplog.key" \
	    "$D/oplog.head" &&
	rm -r "$D/sub" "$D/notes" "$D/credentials/link.phc" "$D/credentials/notes.txt" &&
	state_items r.ja >items &&
	sort >want <<-\EOW &&
	状態ディレクトリを、権限のない者が読み取れます
	操作履歴の鍵を、権限のない者が読み取れます
	最終記録の控えに、許されていない権限が設定されています
	状態ディレクトリの中のディレクトリを、権限のない者が読み取れます
	状態ディレクトリの中のその他のファイルは通常のファイルではありません
	主事 田中 二郎の照合情報を、権限のない者が読み取れます
	登録簿に記載のない者の照合情報は通常のファイルではありません
	照合情報の保存場所の中のその他のファイルを、権限のない者が書き換えられます
	EOW
	test_cmp want items &&
	! grep "[A-Za-z0-9]" items &&
	ja_words r.ja &&
	detail state-modes | grep -q " credentials/tanaka.phc has mode 0644 (at most 0600)\(;\|\$\)" &&
	finding state-modes | tr " " "\n" | sort >got &&
	printf "%s\n" FAIL "$D" oplog.key oplog.head sub notes credentials/tanaka.phc \
	    credentials/link.phc credentials/notes.txt | sort >want &&
	test_cmp want got
'

# conf_items FILE SUMMARY: the items of conf-values in the Japanese
# report FILE, under its sentence SUMMARY.
conf_items() {
	sed -n "/^  \[[^]]*\] $2/,/^  \[/s/^      - //p" "$1"
}

# Issue 14: the Japanese items say each setting in words, with its value
# and unit, never jukisec.conf's key.
test_expect_success 'an automatic unlock weakens controls; a key epoch the log does not use is named: WARN' '
	cp "$D/jukisec.conf" conf.save &&
	conf_set "$D" lockout_unlock_minutes 30 &&
	conf_set "$D" epoch_seconds 172800 &&
	audit_run &&
	test "$ast" -eq 0 &&
	expect conf-values "WARN lockout_unlock_minutes epoch_seconds" &&
	detail conf-values | grep -q "setting lockout_unlock_minutes = 30: a lock-out ends without the Security Manager (Art. 5(2))" &&
	detail conf-values | grep -q "setting epoch_seconds = 172800 is not the log.s: the operation history was created with epoch_seconds = 86400$" &&
	jukisec-audit -d "$D" --lang ja >r.ja &&
	conf_items r.ja "設定が規程の求める対策を弱めています。" >items &&
	cat >want <<-\EOW &&
	ロックの自動解除(30分)の設定により、ロックがセキュリティ責任者の解除を待たずに解けます(規程第5条第2項)
	操作履歴の区切り期間の設定(172800秒)は、操作履歴が使っている区切り期間(86400秒)と異なります
	EOW
	test_cmp want items &&
	! grep "[A-Za-z_]" items && ja_words r.ja &&
	conf_set "$D" lockout_unlock_minutes 0 &&
	audit_run &&
	expect conf-values "WARN epoch_seconds" &&
	detail conf-values | grep -q "^jukisec.conf does not say what the operation log uses\. " &&
	jukisec-audit -d "$D" --lang ja >r.ja &&
	cp conf.save "$D/jukisec.conf" &&
	grep -qx "  \[要確認\] 設定が操作履歴で使われているものと異なります。" r.ja &&
	! grep -q "jukisec\.conf" r.ja
'

# jukisec.conf(5): the epoch is the log's, fixed at jukisec-init --epoch.
test_expect_success 'a long key epoch of the log WARNs, whatever jukisec.conf says' '
	E=$TMP/ep &&
	(umask 077 && jukisec-init -d "$E" --epoch 172800 >"$E.key" 2>/dev/null) &&
	D=$E && audit_run &&
	expect conf-values "WARN epoch_seconds" &&
	detail conf-values | grep -q "setting epoch_seconds = 172800: the key of the operation history is kept longer than a day (Art. 6)$" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.ja &&
	test "$(conf_items r.ja "設定が規程の求める対策を弱めています。")" = "操作履歴の区切り期間の設定(172800秒)により、操作履歴の鍵が1日を超えて保持されます(規程第6条)" &&
	conf_set "$E" epoch_seconds 86400 &&
	audit_run &&
	expect conf-values "WARN epoch_seconds" &&
	detail conf-values | grep -q "^The settings weaken controls the regulation asks for\. setting epoch_seconds = 86400 is not the log.s: the operation history was created with epoch_seconds = 172800, so its key is kept longer than a day (Art\. 6)$" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.ja &&
	test "$(conf_items r.ja "設定が規程の求める対策を弱めています。")" = "操作履歴の区切り期間の設定(86400秒)は、操作履歴が使っている区切り期間(172800秒)と異なります。操作履歴の鍵が1日を超えて保持されます(規程第6条)" &&
	ja_words r.ja
'

test_expect_success 'without the genesis record the epoch is read from oplog.key' '
	E=$TMP/ep && D=$E &&
	log-append -d "$E" -u - -a note &&
	sed -i 2d "$E/oplog.csv" && sed -n 2p "$E/oplog.csv" | grep -q "^1," &&
	audit_run &&
	expect conf-values "WARN epoch_seconds" &&
	detail conf-values | grep -q "was created with epoch_seconds = 172800, so its key"
'

# oplog.key read as the verifier reads it (jukisec-log(5) "Keys"): one
# spelled otherwise tells the audit no epoch length, and the setting is
# all there is.
test_expect_success 'an oplog.key spelled otherwise does not say the epoch' '
	E=$TMP/ep && D=$E && cp "$E/oplog.key" key.save &&
	for e in "s/epoch_seconds=/epoch_seconds=0/" "s/epoch_seconds=/epoch_seconds=+/" \
	    "s/ \(epoch_seconds=[0-9]*\) \(epoch=[0-9]*\) / \2 \1 /"; do
		sed "$e" key.save >"$E/oplog.key" && ! cmp -s key.save "$E/oplog.key" &&
		audit_run &&
		! detail conf-values | grep -q "epoch_seconds = 172800" || return 1
	done &&
	cp key.save "$E/oplog.key" && audit_run &&
	detail conf-values | grep -q "was created with epoch_seconds = 172800, so its key"
'

test_expect_success 'a retention below a year never gets as far as a report (exit 3)' '
	conf_set "$D" retain_days 364 &&
	test_must_fail 3 jukisec-audit -d "$D" >out 2>err &&
	test ! -s out &&
	cp conf.save "$D/jukisec.conf"
'

test_done
