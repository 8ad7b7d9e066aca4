#!/bin/sh
# jukisec-audit: usage, exit statuses, and a state that cannot be read (R12(2)).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

test_expect_success '--help is the usage on stdout, exit 0' '
	jukisec-audit --help >out &&
	grep -q "^usage: jukisec-audit \[-d DIR\] \[--key-file FILE\] \[--now TIME\]" out
'

test_expect_success 'the usage matches the man page SYNOPSIS' '
	jukisec-audit --help | sed "/^\$/,\$d" | tr -s " \t\n" " " | sed "s/^usage: //; s/ $//" >u &&
	mandoc -Tutf8 "$SRCDIR/man/jukisec-audit.1" | col -b |
	    sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" | sed "1d;\$d" |
	    tr -s " \t\n" " " | sed "s/^ //; s/ $//" >m &&
	test_cmp m u
'

test_expect_success 'the SYNOPSIS offers --since and --until, or --fiscal-year alone, as the program does' '
	grep -qF "[[--since DATE] [--until DATE] | --fiscal-year YEAR]" m &&
	for p in "--since 2026-04-01" "--until 2027-03-31"; do
		test_must_fail 2 jukisec-audit --fiscal-year 2026 $p >out 2>err &&
		test ! -s out &&
		grep -qx "jukisec-audit: --fiscal-year: not with --since or --until" err || exit 1
	done
'

test_expect_success 'an operand is a usage error, exit 2' '
	test_must_fail 2 jukisec-audit extra 2>err &&
	grep -q "^usage:" err
'

test_expect_success 'an unknown format is a usage error naming it' '
	test_must_fail 2 jukisec-audit --format xml 2>err &&
	grep -q "jukisec-audit: --format: xml: not text, csv or json" err
'

test_expect_success 'an unknown language is a usage error naming it' '
	test_must_fail 2 jukisec-audit --lang fr 2>err &&
	grep -q "jukisec-audit: --lang: fr: not ja or en" err
'

test_expect_success 'a bad --now is a usage error' '
	test_must_fail 2 jukisec-audit --now yesterday 2>err &&
	one_line_matching err "^jukisec-audit: --now yesterday: not an RFC 3339 time$"
'

test_expect_success 'a missing state directory: exit 3, nothing on stdout' '
	test_must_fail 3 jukisec-audit -d "$TMP/nowhere" >out 2>err &&
	test ! -s out && test -s err
'

test_expect_success 'a directory that is not initialised (no jukisec.conf): exit 3' '
	mkdir -m 700 empty &&
	test_must_fail 3 jukisec-audit -d "$TMP/empty" >out 2>err &&
	test ! -s out && grep -q "jukisec.conf" err
'

test_expect_success 'a jukisec.conf below the R6 floor is unreadable state: exit 3' '
	audit_state &&
	cp "$D/jukisec.conf" conf.save &&
	conf_set "$D" retain_days 300 &&
	test_must_fail 3 jukisec-audit -d "$D" >out 2>err &&
	test ! -s out && grep -q "retain_days" err &&
	cp conf.save "$D/jukisec.conf"
'

test_expect_success 'a group-writable state directory is refused: exit 3' '
	chmod 770 "$D" &&
	test_must_fail 3 jukisec-audit -d "$D" >out 2>err &&
	chmod 700 "$D" && test ! -s out
'

# jukisec-audit(1), EXIT STATUS 3: the register lock is taken to read the
# register and credentials/ together; a lock file it must take that is
# open to others is refused like the directory, while oplog.lock, which
# the audit does not take, is a finding.
test_expect_success 'a group-writable register.lock or jukisec.conf: exit 3, no report, the file named' '
	chmod 620 "$D/register.lock" &&
	test_must_fail 3 jukisec-audit -d "$D" >out 2>err &&
	chmod 600 "$D/register.lock" &&
	test ! -s out &&
	one_line_matching err "^jukisec-audit: $D/register.lock: .*open to others: refused\$" &&
	chmod 660 "$D/jukisec.conf" &&
	test_must_fail 3 jukisec-audit -d "$D" >out 2>err &&
	chmod 600 "$D/jukisec.conf" &&
	test ! -s out && grep -q "jukisec.conf: .*open to others: refused" err
'

test_expect_success 'a group-writable oplog.lock: a state-modes FAIL, exit 1' '
	chmod 620 "$D/oplog.lock" &&
	audit_run &&
	chmod 600 "$D/oplog.lock" &&
	test "$ast" -eq 1 &&
	expect state-modes "FAIL oplog.lock" &&
	test ! -s "$TMP/a.err"
'

test_expect_success 'the register lock held past lock_timeout_ms: exit 3, no report' '
	conf_set "$D" lock_timeout_ms 0 &&
	test_must_fail 3 flock "$D/register.lock" jukisec-audit -d "$D" >out 2>err &&
	conf_set "$D" lock_timeout_ms 10000 &&
	test ! -s out &&
	one_line_matching err "^jukisec-audit: lock timeout: $D/register.lock\$"
'

# A reader makes no lock file (store.h): without register.lock no writer
# is at work, since every writer makes it before it changes anything.
test_expect_success 'a missing register.lock is not made, and the audit runs' '
	rm "$D/register.lock" && ls -A "$D" >before &&
	audit_run && test "$ast" -eq 0 && test ! -s "$TMP/a.err" &&
	ls -A "$D" >after && test_cmp before after
'

test_expect_success 'the audit shares the register lock with a reader, never with a writer' '
	(umask 077 && : >"$D/register.lock") &&
	conf_set "$D" lock_timeout_ms 0 &&
	flock -s "$D/register.lock" jukisec-audit -d "$D" --format csv >out 2>err &&
	test ! -s err && grep -q "^R5.1,register-readable,PASS" out &&
	test_must_fail 3 flock -x "$D/register.lock" jukisec-audit -d "$D" >out 2>err &&
	conf_set "$D" lock_timeout_ms 10000 &&
	test ! -s out &&
	one_line_matching err "^jukisec-audit: lock timeout: $D/register.lock\$"
'

# SPEC "The state directory": 0750 with a dedicated group, files 0640, as
# README "First day" 8 makes it, so that the committee or a clerk reads it
# as a member of that group, neither root nor the state's owner.  The
# readers lock shared on read-only descriptors; the refusals stay.
test_lazy_prereq SETPRIV '
	[ "$(id -u)" -eq 0 ] || { echo "needs root to run as another user (uid $(id -u))"; exit 1; }
	command -v setpriv >/dev/null || { echo "setpriv not installed (util-linux)"; exit 1; }'

# G: a copy of $D whose group 65534 reads it; member CMD...: CMD as uid
# 65534 in that group alone; member.key the log key the member holds.
G=$TMP/grp
member() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

test_expect_success SETPRIV 'a member of the state'"'"'s group runs every reader, makes nothing' '
	incident-report -d "$D" -b boss --by-password-fd 3 new --type other \
	    --cause water --summary flood 3<"$TMP/pw.boss" >id &&
	cp -a "$D" "$G" && chmod 755 "$TMP" && chgrp -R 65534 "$G" && chmod 750 "$G" &&
	find "$G" -maxdepth 1 -type f ! -name "*.key" ! -name "*.lock" -exec chmod 640 {} + &&
	cp "$D.key" member.key && chown 65534 member.key &&
	ls -A "$G" >before &&
	{ member jukisec-audit -d "$G" --key-file member.key --format csv \
	    >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	test "$ast" -le 1 && test ! -s "$TMP/a.err" &&
	expect register-readable "PASS " && expect log-verify "PASS " &&
	expect state-modes "WARN credentials" &&
	member operator-list -d "$G" >out && grep -q Boss out &&
	member log-verify -d "$G" -k member.key >out &&
	member log-show -d "$G" >out && member log-show -d "$G" -k member.key >out &&
	member incident-report -d "$G" list >out && grep -q flood out &&
	member incident-report -d "$G" show "$(cat id)" >out && grep -q flood out &&
	ls -A "$G" >after && test_cmp before after
'

# A member may not open register.lock (the owner's alone) and reads
# without it: an operators.pending it finds may be a writer's at work (a
# count of a wrong password makes one for a few ms), not one a killed
# writer left.  It looks again for up to lock_timeout_ms: a note that goes
# meanwhile is not reported; one that stays is (this one does not read:
# in the writers' words).
test_expect_success SETPRIV 'a member does not report a writer'"'"'s operators.pending at work, only one left' '
	G2=$TMP/grp2 && rm -rf "$G2" && cp -a "$G" "$G2" &&
	test "$(stat -c %a "$G2/register.lock")" = 600 &&
	printf "note\n" >"$G2/operators.pending" && chgrp 65534 "$G2/operators.pending" &&
	chmod 640 "$G2/operators.pending" || return 1
	{ sleep 2; rm -f "$G2/operators.pending"; } &
	member jukisec-audit -d "$G2" --key-file member.key --format csv >a1.csv 2>a1.err;
	wait;
	grep -q "^R5.5,register-changes," a1.csv && ! grep -q "operators.pending" a1.csv &&
	printf "note\n" >"$G2/operators.pending" && chgrp 65534 "$G2/operators.pending" &&
	chmod 640 "$G2/operators.pending" &&
	{ grep -v "^lock_timeout_ms" "$G2/jukisec.conf" && echo "lock_timeout_ms = 300"; } >conf.new &&
	cat conf.new >"$G2/jukisec.conf" &&
	member jukisec-audit -d "$G2" --key-file member.key --format csv >a2.csv 2>a2.err;
	grep -q "operators.pending: not a pending register change; look at it and the register, then remove it" a2.csv
'

# log-verify looks again under the log lock at a failure past the head
# (a writer may be at work): a member takes it shared, or reads without
# a missing oplog.lock, and says what is wrong with the log (exit 1).
test_expect_success SETPRIV 'a member verifies a log with a record past its head: exit 1, the record named' '
	cp -p "$G/oplog.csv" log.save && tail -n 1 "$G/oplog.csv" >>"$G/oplog.csv" &&
	test_must_fail 1 member log-verify -d "$G" -k member.key >out 2>err &&
	one_line_matching err "^log-verify: oplog.csv:[0-9]*: seq [0-9]*: .* a record is missing, inserted or moved\$" &&
	mv "$G/oplog.lock" lock.save &&
	test_must_fail 1 member log-verify -d "$G" -k member.key >out 2>err2 &&
	test ! -e "$G/oplog.lock" &&
	mv lock.save "$G/oplog.lock" && cp -p log.save "$G/oplog.csv" &&
	test_cmp err err2
'

# README "First day" 8: credentials/ stays the owner's alone, so a member
# cannot look into it.  The checks that need it say so, once each, a WARN
# (exit 0): nobody is said to lack a credential, no stale or orphan file
# passes unseen; the owner, on the same state, gets the findings.
NOTCHK="Not checked: credentials/ cannot be read by this user (uid 65534); run the audit as the state's owner (uid 0) to check the credentials."
test_expect_success SETPRIV 'a member: the credential checks say they were not checked, and why' '
	cp -p "$G/credentials/boss.phc" "$G/credentials/ghost.phc" &&
	{ member jukisec-audit -d "$G" --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	test "$ast" -eq 0 && test ! -s "$TMP/a.err" &&
	for c in credential-present stale-credentials orphan-credentials; do
		expect $c "WARN " && test "$(detail $c)" = "$NOTCHK" || exit 1
	done &&
	expect state-modes "WARN credentials" &&
	detail state-modes | grep -q " credentials: not checked: this user (uid 65534) may not read it\$" &&
	member jukisec-audit -d "$G" --lang en >r.txt &&
	test "$(grep -cxF "  [WARN] $NOTCHK" r.txt)" -eq 3 &&
	! grep "no credential" r.txt &&
	member jukisec-audit -d "$G" --lang ja >r.txt &&
	test "$(grep -cx "  \[要確認\] 点検できません: この利用者は照合情報を読み込めません。照合情報を点検するには、状態ディレクトリの所有者として監査を実行してください。" r.txt)" -eq 3 &&
	grep -qx "      - 照合情報の保存場所は、この利用者では読み込めないため点検していません" r.txt &&
	! grep -q "credentials/" r.txt && ja_words r.txt &&
	! grep "照合情報がありません" r.txt &&
	member jukisec-audit -d "$G" --format json >r.json &&
	python3 -c "import json,sys
f={x[\"check\"]:x for x in json.load(open(\"r.json\"))[\"findings\"]}
for c in (\"credential-present\",\"stale-credentials\",\"orphan-credentials\"):
    assert f[c][\"status\"]==\"WARN\" and f[c][\"items\"]==[] and f[c][\"summary\"]==sys.argv[1], f[c]
" "$NOTCHK"
'

test_expect_success SETPRIV 'the owner audits the same state: the credential findings' '
	{ jukisec-audit -d "$G" --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	test "$ast" -eq 1 && test ! -s "$TMP/a.err" &&
	expect credential-present "PASS " && expect stale-credentials "PASS " &&
	expect orphan-credentials "FAIL ghost.phc" && expect state-modes "PASS "
'

# oplog.key stays the owner's alone: a member, who may not open it, sees
# whether it is there and a regular file, enough to FAIL one missing
# (every writer fails without it) and to pass the healthy one above.
test_expect_success SETPRIV 'a member without the key: oplog.key missing is a log-verify FAIL' '
	mv "$G/oplog.key" key.save &&
	{ member jukisec-audit -d "$G" --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	mv key.save "$G/oplog.key" &&
	test "$ast" -eq 1 && test ! -s "$TMP/a.err" &&
	expect log-verify "FAIL oplog.key" &&
	detail log-verify | grep -q " $G/oplog.key: No such file or directory\$" &&
	{ member jukisec-audit -d "$G" --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	expect log-verify "WARN "
'

# A lock file the group may open, a member may hold against every writer:
# at most 0600, as a key (the next writer makes it so).
test_expect_success SETPRIV 'a lock file open to the group: a state-modes FAIL' '
	chmod 640 "$G/register.lock" &&
	{ jukisec-audit -d "$G" --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	chmod 600 "$G/register.lock" &&
	test "$ast" -eq 1 && test ! -s "$TMP/a.err" &&
	expect state-modes "FAIL register.lock" &&
	detail state-modes | grep -q "register.lock has mode 0640 (at most 0600)"
'

# Listed but not searchable (0740): the names are read, the modes not;
# credentials/ itself, open to the group, is one the owner's tools
# refuse (cred_dir), a FAIL.
test_expect_success SETPRIV 'a member who may list credentials/ but not search it' '
	chmod 740 "$G/credentials" &&
	{ member jukisec-audit -d "$G" --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	chmod 700 "$G/credentials" && rm "$G/credentials/ghost.phc" &&
	test "$ast" -eq 1 && test ! -s "$TMP/a.err" &&
	expect credential-present "PASS " && expect orphan-credentials "FAIL ghost.phc" &&
	expect state-modes "FAIL credentials credentials" &&
	test "$(detail state-modes)" = "Some files of the records can be read or changed by others. credentials has mode 0740 (at most 0700); credentials: not checked: this user (uid 65534) may not read it"
'

test_expect_success SETPRIV 'a member is refused what is open to others or someone else'"'"'s, as the owner is' '
	rm "$G/register.lock" &&
	{ member jukisec-audit -d "$G" --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	test "$ast" -le 1 && test ! -s "$TMP/a.err" && test ! -e "$G/register.lock" &&
	(umask 077 && : >"$G/register.lock") && chgrp 65534 "$G/register.lock" &&
	chmod 660 "$G/register.lock" &&
	test_must_fail 3 member jukisec-audit -d "$G" >out 2>err &&
	chmod 600 "$G/register.lock" &&
	one_line_matching err "^jukisec-audit: $G/register.lock: not owned by us or root, or open to others: refused\$" &&
	{ member jukisec-audit -d "$G" --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	test "$ast" -le 1 && test ! -s "$TMP/a.err" && expect state-modes "WARN credentials" &&
	chmod 660 "$G/operators.csv" &&
	test_must_fail 3 member operator-list -d "$G" 2>err &&
	chmod 640 "$G/operators.csv" &&
	one_line_matching err "^operator-list: $G/operators.csv: not owned by us or root, or open to others: refused\$" &&
	chown 65533 "$G/operators.csv" &&
	test_must_fail 3 member operator-list -d "$G" 2>err &&
	chown 0 "$G/operators.csv" &&
	one_line_matching err "^operator-list: $G/operators.csv: not owned by us or root, or open to others: refused\$"
'

# In root's directory only root could have put the member's own file
# there, yet the rule is one: the directory's owner (here root) or root,
# the member not included, as jukisec-log(5) says; the audit's state-modes
# names the file.
test_expect_success SETPRIV 'in root'"'"'s directory a member'"'"'s own file is refused as anyone'"'"'s' '
	chown 65534 "$G/operators.csv" &&
	test_must_fail 3 member operator-list -d "$G" 2>err &&
	one_line_matching err "^operator-list: $G/operators.csv: not owned by us or root, or open to others: refused\$" &&
	chown 0 "$G/operators.csv" && install -o 65534 -g 65534 -m 640 /dev/null "$G/notes.txt" &&
	{ member jukisec-audit -d "$G" --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	rm "$G/notes.txt" && test "$ast" -eq 1 &&
	grep "^STATE,state-modes,FAIL," "$TMP/a.csv" | grep -q "notes.txt is owned by uid 65534"
'

# The state of a user other than root (the state directory's owner, whom
# operator-mod --recover also knows): a member of its group, here through
# a supplementary group, trusts that user's files as the owner's own
# tools do, and still no one else's; a writer is not loosened.
test_expect_success SETPRIV 'a state owned by a user, not root: its group reads it; another user'"'"'s file is refused' '
	chown -R 65533 "$G" &&
	setpriv --reuid=65534 --regid=65532 --groups=65534 operator-list -d "$G" >out &&
	grep -q Boss out &&
	{ setpriv --reuid=65534 --regid=65532 --groups=65534 jukisec-audit -d "$G" \
	    --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	test "$ast" -le 1 && test ! -s "$TMP/a.err" &&
	expect state-modes "WARN credentials" &&
	chown 65532 "$G/operators.csv" &&
	test_must_fail 3 setpriv --reuid=65534 --regid=65532 --groups=65534 \
	    operator-list -d "$G" 2>err &&
	chown 65533 "$G/operators.csv" &&
	one_line_matching err "^operator-list: $G/operators.csv: not owned by us or root, or open to others: refused\$" &&
	test_must_fail 3 member log-append -d "$G" -u clerk -a look 2>err &&
	one_line_matching err "^log-append: $G: refusing a state directory owned by uid 65533\$" &&
	test_must_fail 3 operator-list -d "$G" 2>err &&
	one_line_matching err "^operator-list: $G: refusing a state directory owned by uid 65533\$"
'

# README "First day" 8 done at once after jukisec-init, before anyone is
# registered: what the writers make after it (the register, incidents,
# confirmations) is the directory group's to read, 0640, as what was
# there; the keys, the lock files and credentials/ stay the owner's alone
# (store.h store_share_new, store_lock_open; oplog.lock, which
# jukisec-init makes, takes chgrp -R's group at 0600, nobody's to open
# but the owner's).  E: that state; modes E: "MODE GROUP NAME"
# of every file and directory in it but the log key.
E=$TMP/early
modes() { (cd "$1" && find . -mindepth 1 ! -name oplog.key -exec stat -c "%a %g %n" {} + | sort -k 3); }

test_expect_success SETPRIV 'shared at once after jukisec-init: the files made later are the group'"'"'s to read, no secret' '
	D=$E && reg_state && chown 65534 "$D.key" &&
	chmod 755 "$TMP" && chgrp -R 65534 "$D" && chmod 750 "$D" &&
	find "$D" -maxdepth 1 -type f ! -name "*.key" ! -name "*.lock" -exec chmod 640 {} + &&
	bootstrap && add_pw clerk &&
	log-append -d "$D" -u clerk -a look &&
	incident-report -d "$D" -b boss --by-password-fd 3 new --type other \
	    --cause water --summary flood 3<"$TMP/pw.boss" >id &&
	jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm server-room \
	    4<"$TMP/pw.boss" &&
	modes "$D" >got &&
	cat >want <<-\EOW &&
	640 65534 ./confirmations.csv
	700 0 ./credentials
	600 0 ./credentials/boss.phc
	600 0 ./credentials/clerk.phc
	640 65534 ./incidents.csv
	640 65534 ./jukisec.conf
	640 65534 ./operators.csv
	640 65534 ./oplog.csv
	640 65534 ./oplog.head
	600 65534 ./oplog.lock
	600 0 ./register.lock
	EOW
	test_cmp want got &&
	test "$(stat -c %a "$D/oplog.key")" = 600 &&
	ls -A "$D" >before &&
	{ member jukisec-audit -d "$D" --key-file "$D.key" --format csv \
	    >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	test "$ast" -le 1 && test ! -s "$TMP/a.err" &&
	expect register-readable "PASS " && expect log-verify "PASS " &&
	expect state-modes "WARN credentials" && expect server-room "PASS " &&
	member operator-list -d "$D" >out && grep -q Boss out && grep -q clerk out &&
	member log-verify -d "$D" -k "$D.key" >out &&
	member log-show -d "$D" -k "$D.key" >out && grep -q ",clerk,look," out &&
	member incident-report -d "$D" show "$(cat id)" >out && grep -q flood out &&
	ls -A "$D" >after && test_cmp before after
'

# A lock file is never the group's (store_lock_open): a member could
# hold it against every writer.  Made by a writer in the directory's
# group or not, it is 0600; one made 0640 is made 0600 by the next.
test_expect_success SETPRIV 'a writer in the directory'"'"'s group or not makes its lock file 0600' '
	chown -R 65533:65533 "$E" && chgrp 65534 "$E" && rm "$E/oplog.lock" &&
	setpriv --reuid=65533 --regid=65533 --clear-groups \
	    log-append -d "$E" -u clerk -a look &&
	test "$(stat -c "%a %g" "$E/oplog.lock")" = "600 65533" &&
	rm "$E/oplog.lock" &&
	setpriv --reuid=65533 --regid=65533 --groups=65534 \
	    log-append -d "$E" -u clerk -a look &&
	test "$(stat -c "%a %g" "$E/oplog.lock")" = "600 65533" &&
	chmod 640 "$E/oplog.lock" &&
	setpriv --reuid=65533 --regid=65533 --groups=65534 \
	    log-append -d "$E" -u clerk -a look &&
	test "$(stat -c "%a" "$E/oplog.lock")" = 600
'

test_expect_success 'a state not shared (0700): every file made is 0600, as ever' '
	D=$TMP/own && reg_state && bootstrap && add_pw clerk &&
	log-append -d "$D" -u clerk -a look &&
	incident-report -d "$D" -b boss --by-password-fd 3 new --type other \
	    --cause water --summary flood 3<"$TMP/pw.boss" >/dev/null &&
	jukisec-audit -d "$D" -b boss --by-password-fd 4 --confirm server-room \
	    4<"$TMP/pw.boss" &&
	test -e "$D/confirmations.csv" && test -e "$D/incidents.csv" &&
	test -z "$(find "$D" -mindepth 1 \( -type f ! -perm 600 -o -type d ! -perm 700 \))"
'

# Unlike a member, the owner's own tools need credentials/: an owner who
# cannot read it has an input the audit cannot read, a FAIL.
test_expect_success SETPRIV 'the owner who cannot read credentials/: FAIL, not checked' '
	chmod 000 "$G/credentials" &&
	{ setpriv --reuid=65533 --regid=65533 --clear-groups jukisec-audit -d "$G" \
	    --format csv >"$TMP/a.csv" 2>"$TMP/a.err"; ast=$?; } &&
	chmod 700 "$G/credentials" &&
	test "$ast" -eq 1 && test ! -s "$TMP/a.err" &&
	for c in credential-present stale-credentials orphan-credentials; do
		expect $c "FAIL credentials" &&
		test "$(detail $c)" = "Not checked: credentials/ cannot be read. $G/credentials: Permission denied" || exit 1
	done
'

# A copy on read-only media, or a read-only bind mount, handed to the
# committee: nothing opens for writing there, not even for root.
# ro_readers DIR: every reader on DIR mounted read-only in a private
# mount namespace, the report in $TMP/a.csv.
ro_readers() {
	unshare -m sh -c '
		mount --make-rprivate / && mount --bind "$1" "$1" &&
		mount -o remount,bind,ro "$1" || exit 9
		jukisec-audit -d "$1" --key-file "$2" --format csv >"$3/a.csv" &&
		operator-list -d "$1" >/dev/null && log-verify -d "$1" -k "$2" >/dev/null &&
		log-show -d "$1" -k "$2" >/dev/null &&
		incident-report -d "$1" list >/dev/null' sh "$1" "$D.key" "$TMP"
}

test_expect_success MOUNTNS 'a read-only copy: every reader, with its lock files and without' '
	cp -a "$D" ro && ro_readers "$TMP/ro" 2>err && test ! -s err &&
	ast=0 && no_fail &&
	rm ro/register.lock ro/oplog.lock && ls -A ro >before &&
	ro_readers "$TMP/ro" 2>err && test ! -s err &&
	ls -A ro >after && test_cmp before after
'

test_expect_success 'JUKISEC_DIR names the directory when -d is absent' '
	JUKISEC_DIR=$D jukisec-audit --format csv >out &&
	grep -q "^R5.1,register-readable,PASS" out
'

# Status 3 whatever the report holds: a small CSV report with a FAIL in
# it, still in stdio's buffer when the audit ends, is lost all the same.
test_expect_success 'a report that cannot be written exits 3, a FAIL in it or not' '
	if test -w /dev/full; then
		test_must_fail 3 jukisec-audit -d "$D" >/dev/full 2>err
	fi &&
	E=$TMP/smallfail && init_state "$E" >/dev/null 2>&1 &&
	log-append -d "$E" -u ghost -a view 2>/dev/null &&
	jukisec-audit -d "$E" --format csv >small.csv; test $? = 1 &&
	test "$(wc -c <small.csv)" -lt 4096 &&
	for f in csv json text; do
		test_must_fail 3 jukisec-audit -d "$E" --format $f >&- 2>err || exit 1
		one_line_matching err "^jukisec-audit: write error: standard output" || exit 1
		if test -w /dev/full; then
			test_must_fail 3 jukisec-audit -d "$E" --format $f >/dev/full 2>err || exit 1
		fi
	done
'

test_expect_success '-V prints the version' '
	jukisec-audit -V >out && grep -q "jukisec-audit" out
'

test_done
