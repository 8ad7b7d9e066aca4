#!/bin/sh
# jukisec-audit, R6: the operation log verifies with the key, ends at its
# head, has every epoch seal, covers the retention period, and log-prune
# runs.  Logs spanning years are made with the real tools under faketime
# (lib.sh at); those states have no manager (register-active-manager FAILs
# there), so only R6 findings are asserted.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

# edit FILE PYTHON: rewrites the records of a log with a python expression
# over r (the list of fields); header kept.
edit() {
	python3 -c 'import csv,sys
p=sys.argv[1]
rows=list(csv.reader(open(p,newline="")))
out=[rows[0]]
for r in rows[1:]:
    r=eval(sys.argv[2])
    if r is not None: out.append(r)
csv.writer(open(p,"w",newline=""),lineterminator="\n").writerows(out)' "$1" "$2"
}

fast() { conf_set "$1" kdf_memory_kib 19456 && conf_set "$1" kdf_time 2; }

# init_at DIR TIME: a state created at TIME (RFC 3339), key in DIR.key.
init_at() {
	at "$2" jukisec-init -d "$1" >"$1.key" 2>/dev/null &&
	chmod 600 "$1.key" && fast "$1"
}
# rec DIR TIME LABEL [N]: N (default 1) records with object LABEL at TIME.
rec() {
	_i=0
	while [ "$_i" -lt "${4:-1}" ]; do
		echo "clerk01,print,$3,ok,copy $_i"
		_i=$((_i + 1))
	done | at "$2" log-append -d "$1" --stdin
}
has() { grep -q "^[0-9]*,[^,]*,[^,]*,[^,]*,[^,]*,$2," "$1/oplog.csv"; }
seqs() { awk -F, '$1 != "seq" { print $1 }' "$1"; }

test_expect_success 'set up: a state with some work in its log' '
	audit_state &&
	log-append -d "$D" -u boss -a print -o juminhyo -r ok &&
	log-append -d "$D" -u boss -a print -o koseki -r ok -m "2 pages" &&
	cp "$D/oplog.csv" log.save && cp "$D/oplog.head" head.save
'

test_expect_success 'the log verifies with the key and ends at its head' '
	audit_run --key-file "$D.key" &&
	test "$ast" -eq 0 &&
	expect log-verify "PASS " &&
	expect log-head "PASS " &&
	expect log-seals "PASS " &&
	detail log-head | grep -q "The history reaches the copy of its last record (record 3)\."
'

test_expect_success 'the key can come on standard input (--key-file -)' '
	ast=0 &&
	jukisec-audit -d "$D" --key-file - --format csv <"$D.key" >"$TMP/a.csv" || ast=$?
	test "$ast" -eq 0 && expect log-verify "PASS "
'

test_expect_success 'a changed record: log-verify FAILs naming its seq' '
	edit "$D/oplog.csv" "r[:5]+[\"juminhyo-all\"]+r[6:] if r[5]==\"juminhyo\" else r" &&
	audit_run --key-file "$D.key" &&
	test "$ast" -eq 1 &&
	expect log-verify "FAIL seq 2" &&
	detail log-verify | grep -q "record 2 (oplog.csv line 4): MAC mismatch" &&
	expect log-head "PASS " &&
	expect log-retention "FAIL oplog.csv" &&
	detail log-retention | grep -q "^Not checked: the start of the history is not confirmed by the key\. the log does not verify with the key\$" &&
	expect log-prune-recent "FAIL oplog.csv" &&
	detail log-prune-recent | grep -q "^Not checked: the records of pruning are not confirmed by the key\. the log does not verify with the key\$" &&
	audit_run &&
	expect log-verify "WARN " &&
	cp log.save "$D/oplog.csv"
'

# jukisec.conf planted, removed or garbled does not hide the log's
# damage (as for log-verify, t1030): the report needs the settings and is
# not made (exit 3 for the conf alone, as before), but the log's checks
# that need none of them are made, and what FAILs is said first, the
# conf's line after it, exit 1.  Someone who changed records must not
# turn the verdict into "could not be read" by writing DIR.
test_expect_success 'a changed record or a cut tail, and jukisec.conf planted: exit 1, the log first' '
	cp "$D/jukisec.conf" conf.save &&
	for k in mode gone bad; do
		for e in change cut; do
			case $e in
			change) edit "$D/oplog.csv" "r[:5]+[\"juminhyo-all\"]+r[6:] if r[5]==\"juminhyo\" else r"
				want="^jukisec-audit: R6 log-verify: seq 2: record 2 \(oplog.csv line 4\): MAC mismatch" ;;
			cut) sed -i "\$d" "$D/oplog.csv"
				want="^jukisec-audit: R6 log-verify: oplog.head: $D/oplog.head: the log ends at seq 2, the head says 3: tail truncated\$"
				nwant="^jukisec-audit: R6 log-head: seq 3: the copy of the last record names record 3 but the history ends at record 2\$" ;;
			esac &&
			case $k in
			mode) chmod 666 "$D/jukisec.conf" ;;
			gone) rm "$D/jukisec.conf" ;;
			bad) echo "no_such_key = 1" >>"$D/jukisec.conf" ;;
			esac &&
			{ jukisec-audit -d "$D" --key-file "$D.key" --format csv >out 2>err; st=$?; } &&
			{ jukisec-audit -d "$D" --format csv >nout 2>nerr; nst=$?; } &&
			cp log.save "$D/oplog.csv" && cp conf.save "$D/jukisec.conf" &&
			chmod 600 "$D/jukisec.conf" &&
			{ test $st = 1 && test ! -s out && head -n 1 err | grep -Eq -- "$want" &&
			  tail -n 1 err | grep -q "^jukisec-audit: $D/jukisec.conf"; } ||
			    { echo "$k $e: exit $st" >&2; cat err >&2; return 1; }
			if [ $e = cut ]; then
				test $nst = 1 && test ! -s nout &&
				head -n 1 nerr | grep -Eq -- "$nwant" &&
				tail -n 1 nerr | grep -q "^jukisec-audit: $D/jukisec.conf" ||
				    { echo "$k $e, no key: exit $nst" >&2; cat nerr >&2; return 1; }
			fi
		done || return 1
	done &&
	chmod 666 "$D/jukisec.conf" &&
	{ jukisec-audit -d "$D" --key-file "$D.key" >out 2>err; st=$?; } &&
	chmod 600 "$D/jukisec.conf" &&
	test $st = 3 && test ! -s out &&
	one_line_matching err "^jukisec-audit: $D/jukisec.conf: not owned by us or root, or open to others: refused\$" &&
	audit_run --key-file "$D.key" && test "$ast" -eq 0
'

# Issue 14: the Japanese document says what the key found in its own
# words, whatever the locale (a cron job runs under C.UTF-8, where the
# verifier's own sentence is English): no file name, line or "MAC".  The
# English text keeps the verifier's sentence.
test_expect_success 'a changed record in Japanese: in words, under any locale' '
	edit "$D/oplog.csv" "r[:5]+[\"juminhyo-all\"]+r[6:] if r[5]==\"juminhyo\" else r" &&
	for l in C C.UTF-8; do
		env LC_ALL=$l jukisec-audit -d "$D" --key-file "$D.key" --lang ja \
		    >r.$l; echo $? >>st
	done &&
	jukisec-audit -d "$D" --key-file "$D.key" --lang en >r.en; echo $? >>st &&
	cp log.save "$D/oplog.csv" &&
	printf "1\n1\n1\n" >want && test_cmp want st &&
	echo "      - 通番 2 の記録が書き換えられたか、検証鍵が違います" >want &&
	for l in C C.UTF-8; do
		sed -n "/^  \[不適合\] 検証鍵で記録を確認できません/{n;p;}" r.$l >item &&
		test_cmp want item &&
		! body r.$l | grep -q "oplog\|MAC\|mismatch\|行目" || return 1
	done &&
	grep -qx "      - record 2 (oplog.csv line 4): MAC mismatch: record changed, or wrong key" r.en &&
	edit "$D/oplog.csv" "None if r[0]==\"1\" else r" &&
	env LC_ALL=C.UTF-8 jukisec-audit -d "$D" --key-file "$D.key" --lang ja >r.ja;
	cp log.save "$D/oplog.csv" &&
	grep -qx "      - 通番 2 の記録の前後で、記録が欠けているか、挿入又は移動されています" r.ja
'

test_expect_success 'another state'"'"'s key: log-verify FAILs' '
	D=$TMP/other && reg_state && chmod 600 "$D.key" &&
	D=$TMP/state && audit_run --key-file "$TMP/other.key" &&
	test "$ast" -eq 1 &&
	finding log-verify | grep -q "^FAIL "
'

test_expect_success 'a key file that cannot be read: log-verify FAILs naming it' '
	audit_run --key-file "$TMP/nokey" &&
	test "$ast" -eq 1 &&
	expect log-verify "FAIL $TMP/nokey" &&
	detail log-verify | grep -q "The verification key cannot be read. .*nokey" &&
	detail log-verify | grep -qF "$TMP/nokey: No such file or directory" &&
	test ! -s "$TMP/a.err"
'

test_expect_success 'a key open to others, a file that is no key: the reason is the finding'"'"'s, not stderr'"'"'s' '
	cp "$D.key" "$TMP/open.key" && chmod 640 "$TMP/open.key" &&
	audit_run --key-file "$TMP/open.key" &&
	test "$ast" -eq 1 &&
	detail log-verify | grep -qF "$TMP/open.key: readable by group or others; chmod 600 it" &&
	test ! -s "$TMP/a.err" &&
	echo not a key >"$TMP/bad.key" && chmod 600 "$TMP/bad.key" &&
	audit_run --key-file "$TMP/bad.key" &&
	test "$ast" -eq 1 &&
	detail log-verify | grep -qF "$TMP/bad.key: not a jukisec log verification key" &&
	test ! -s "$TMP/a.err"
'

# In Japanese, whatever the locale: the key given that cannot be read is
# said in words, not by its path and the reader's sentence, and by what
# is wrong with it (the page), not one sentence for every fault.
test_expect_success 'a key file that cannot be read, in Japanese: in words, no path' '
	mkdir -p "$TMP/keydir" && rm -f items &&
	for k in "$TMP/nokey" "$TMP/open.key" "$TMP/bad.key" "$TMP/keydir"; do
		test_must_fail 1 jukisec-audit -d "$D" --key-file "$k" --lang ja >r.ja &&
		sed -n "/^  \[不適合\] 検証鍵を読み込めません。/{n;s/^      - //p;}" r.ja >>items &&
		! body r.ja | grep -q "$TMP" && ja_words r.ja || return 1
	done &&
	cat >want <<-\EOW &&
	指定された検証鍵がありません
	指定された検証鍵はグループ又は他の利用者も読めるため、読込みを拒否しました
	指定された検証鍵の内容が検証鍵の形式に合いません
	指定された検証鍵は通常のファイルではないため、読込みを拒否しました
	EOW
	test_cmp want items
'

# jukisec-log(5) "Keys": the key line in the order and spelling
# jukisec-init printed it, as log-verify reads it, from a file or from
# standard input.
test_expect_success 'a key line in another order or spelling is no key' '
	for e in "s/epoch_seconds=/epoch_seconds=+/" "s/epoch_seconds=/epoch_seconds=0/" \
	    "s/^\(.* v1\) \(t0=[^ ]*\) \(epoch_seconds=[^ ]*\) \(k0=.*\)\$/\1 \4 \3 \2/"; do
		sed "$e" "$D.key" >"$TMP/loose.key" && chmod 600 "$TMP/loose.key" &&
		! cmp -s "$D.key" "$TMP/loose.key" &&
		audit_run --key-file "$TMP/loose.key" &&
		test "$ast" -eq 1 &&
		detail log-verify | grep -qF "$TMP/loose.key: not a jukisec log verification key" &&
		ast=0 &&
		jukisec-audit -d "$D" --key-file - --format csv <"$TMP/loose.key" >"$TMP/a.csv" \
		    2>"$TMP/a.err" || ast=$?
		test "$ast" -eq 1 &&
		detail log-verify | grep -qF "<stdin>: not a jukisec log verification key" &&
		test ! -s "$TMP/a.err" || return 1
	done
'

test_expect_success 'a key file that is a FIFO or a symbolic link: log-verify FAILs naming it, never a wait' '
	mkfifo "$TMP/kfifo" && ln -s "$D.key" "$TMP/klink" &&
	ast=0 &&
	timeout 60 jukisec-audit -d "$D" --format csv --key-file "$TMP/kfifo" \
	    >"$TMP/a.csv" 2>"$TMP/a.err" || ast=$?
	test "$ast" -eq 1 &&
	expect log-verify "FAIL $TMP/kfifo" &&
	detail log-verify | grep -qF "$TMP/kfifo: not a regular file: refused" &&
	audit_run --key-file "$TMP/klink" &&
	test "$ast" -eq 1 &&
	detail log-verify | grep -qF "$TMP/klink: a symbolic link: refused" &&
	test ! -s "$TMP/a.err"
'

# jukisec-audit(1): with --key-file only records whose MACs verified count;
# a key that cannot be read verified nothing, so the prune findings are
# not checked rather than read from records the key never proved.
test_expect_success 'a key missing or not a key: log-retention and log-prune-recent FAIL (not checked)' '
	for k in "$TMP/nokey" "$TMP/bad.key"; do
		audit_run --key-file "$k" &&
		test "$ast" -eq 1 &&
		expect log-retention "FAIL $k" &&
		expect log-prune-recent "FAIL $k" &&
		detail log-retention | grep -q "^Not checked: the start of the history is not confirmed by the key\." &&
		detail log-prune-recent | grep -q "^Not checked: the records of pruning are not confirmed by the key\." || exit 1
	done &&
	audit_run --key-file "$D.key" &&
	expect log-retention "PASS " &&
	expect log-prune-recent "WARN "
'

test_expect_success 'records cut from the tail: log-head FAILs' '
	sed -i "\$d" "$D/oplog.csv" &&
	audit_run &&
	test "$ast" -eq 1 &&
	expect log-head "FAIL seq 3" &&
	detail log-head | grep -q "the copy of the last record names record 3 but the history ends at record 2" &&
	audit_run --key-file "$D.key" &&
	expect log-verify "FAIL oplog.head" &&
	detail log-verify | grep -q "the log ends at seq 2, the head says 3: tail truncated" &&
	cp log.save "$D/oplog.csv"
'

# A record removed from the middle: the head's record is there, but the
# log is shorter than the head says, and without the key the numbers no
# longer follow each other; each item says which (the committee acts on
# it), the sentence of a cut tail is not theirs.
test_expect_success 'a record removed from the middle: log-head and log-verify FAIL, saying so' '
	sed -i "/^2,/d" "$D/oplog.csv" &&
	audit_run &&
	cp log.save "$D/oplog.csv" &&
	test "$ast" -eq 1 &&
	expect log-head "FAIL seq 3" &&
	n=$(grep "^2," log.save | wc -c) &&
	detail log-head | grep -q "the history is $n bytes shorter than the copy of the last record says: records were removed or cut\$" &&
	! detail log-head | grep -q "names record" &&
	expect log-verify "FAIL oplog.csv" &&
	detail log-verify | grep -q "^The records. numbers do not follow each other\. 3 records read, but numbers 0 to 3 are 4: records are missing or repeated\$" &&
	audit_run &&
	expect log-verify "WARN " &&
	detail log-verify | grep -q "read without error\.\$"
'

# As many records as numbers, yet not in order: one removed and another
# written twice in its place, or two swapped.  Without the key the
# numbers still show it (jukisec-audit(1), R6 log-verify).
test_expect_success 'a record replaced by a copy, or two swapped: log-verify FAILs without the key' '
	awk -F, "\$1 == 2 { print prev; next } { print; prev = \$0 }" log.save >"$D/oplog.csv" &&
	cut -d, -f1 "$D/oplog.csv" | tr "\n" " " | grep -qx "seq 0 1 1 3 " &&
	audit_run &&
	cp log.save "$D/oplog.csv" &&
	test "$ast" -eq 1 &&
	expect log-verify "FAIL oplog.csv" &&
	detail log-verify | grep -q "^The records. numbers do not follow each other\. 4 records read, numbers 0 to 3, but seq 1 follows 1: records are missing, repeated or moved\$" &&
	awk -F, "\$1 == 1 { one = \$0; next } { print } \$1 == 2 { print one }" log.save >"$D/oplog.csv" &&
	cut -d, -f1 "$D/oplog.csv" | tr "\n" " " | grep -qx "seq 0 2 1 3 " &&
	audit_run &&
	jukisec-audit -d "$D" --format csv --lang ja >ja.csv 2>/dev/null
	cp log.save "$D/oplog.csv" &&
	test "$ast" -eq 1 &&
	expect log-verify "FAIL oplog.csv" &&
	detail log-verify | grep -q "but seq 2 follows 0: records are missing, repeated or moved\$" &&
	grep -q "通番 2 が通番 0 の次にあります" ja.csv &&
	audit_run &&
	expect log-verify "WARN "
'

# --now: the audit as of TIME reads the log as it is now, and records
# written since a TIME in the past are the log's, not tampering: a month
# audited after the fact with the key verifies (jukisec-audit(1) --now).
test_expect_success 'as of a past TIME with the key: the records written since verify' '
	P=$TMP/past &&
	(umask 077 && at "$(date -u -d "-3 hours" +%FT%TZ)" jukisec-init -d "$P" -t t1 >"$P.key" 2>/dev/null) &&
	at "$(date -u -d "-150 minutes" +%FT%TZ)" log-append -d "$P" -u - -a before &&
	log-append -d "$P" -u - -a since &&
	T=$(date -u -d "-2 hours" +%FT%TZ) &&
	{ jukisec-audit -d "$P" --now "$T" --key-file "$P.key" --format csv >p.csv; true; } &&
	mlr --icsv --onidx --ofs " " filter "\$check == \"log-verify\"" then cut -o -f status,subjects p.csv >got &&
	echo "PASS " >want && test_cmp want got
'

# The log lock, taken after a failure to rule out a writer at work, or
# oplog.key planted as well hides nothing: the finding is the log's.
test_expect_success 'records cut from the tail and the log lock planted: log-verify FAILs with the tail'"'"'s reason' '
	sed -i "\$d" "$D/oplog.csv" &&
	mv "$D/oplog.lock" lock.save && ln -s "$TMP/nowhere" "$D/oplog.lock" &&
	audit_run --key-file "$D.key" &&
	rm "$D/oplog.lock" && mv lock.save "$D/oplog.lock" && cp log.save "$D/oplog.csv" &&
	test "$ast" -eq 1 &&
	expect log-verify "FAIL oplog.head" &&
	detail log-verify | grep -q "the log ends at seq 2, the head says 3: tail truncated" &&
	! detail log-verify | grep -q "oplog.lock"
'

test_expect_success 'records cut from the tail and oplog.key open to others: log-verify FAILs with the tail'"'"'s reason' '
	sed -i "\$d" "$D/oplog.csv" && chmod 644 "$D/oplog.key" &&
	audit_run --key-file "$D.key" &&
	chmod 600 "$D/oplog.key" && cp log.save "$D/oplog.csv" &&
	test "$ast" -eq 1 &&
	expect log-verify "FAIL oplog.head" &&
	detail log-verify | grep -q "the log ends at seq 2, the head says 3: tail truncated" &&
	! detail log-verify | grep -q "oplog.key" &&
	expect state-modes "FAIL oplog.key"
'

test_expect_success 'the log a symbolic link and oplog.key open to others: log-verify FAILs naming the log' '
	mv "$D/oplog.csv" log.real && ln -s "$TMP/log.real" "$D/oplog.csv" &&
	chmod 644 "$D/oplog.key" &&
	audit_run --key-file "$D.key" &&
	chmod 600 "$D/oplog.key" && rm "$D/oplog.csv" && mv log.real "$D/oplog.csv" &&
	test "$ast" -eq 1 &&
	finding log-verify | grep -q "^FAIL oplog.csv" &&
	detail log-verify | grep -q "oplog.csv: a symbolic link: refused" &&
	! detail log-verify | grep -q "oplog.key"
'

test_expect_success 'a head naming another MAC: log-head FAILs' '
	sed -i "s/ mac=[0-9a-f]*/ mac=$(printf "%064d" 0)/" "$D/oplog.head" &&
	audit_run &&
	expect log-head "FAIL seq 3" &&
	detail log-head | grep -q "record 3 differs from the copy of the last record" &&
	cp head.save "$D/oplog.head"
'

test_expect_success 'no head at all: log-head FAILs' '
	rm "$D/oplog.head" &&
	audit_run &&
	expect log-head "FAIL oplog.head" &&
	cp head.save "$D/oplog.head" && chmod 600 "$D/oplog.head" &&
	audit_run --key-file "$D.key" && test "$ast" -eq 0
'

# jfindings CHECK...: "CHECK STATUS SUBJECTS" of each CHECK in the JSON
# report $TMP/a.json, as finding gives it from the CSV (one python3 for
# all of them: a start costs more than the audit).
jfindings() {
	python3 -c 'import json,sys
fs=json.load(open(sys.argv[1]))["findings"]
for c in sys.argv[2:]:
    f=[x for x in fs if x["check"]==c][0]
    print(c, f["status"], " ".join(i["subject"] for i in f["items"]))' "$TMP/a.json" "$@"
}

# line_named N [ARGS]: the audit with ARGS, in CSV and in JSON: every check
# the malformed line N stops FAILs with that line as its subject (in
# register-changes after the changes read before it, which the default
# period of these states does not reach).
line_named() {
	_n=$1 && shift &&
	audit_run "$@" && test "$ast" -eq 1 &&
	test_must_fail 1 jukisec-audit -d "$D" --format json "$@" >"$TMP/a.json" ||
	    return 1
	_cs="manager-recoveries auth-bursts log-operators-authorized
	    register-changes log-verify log-retention log-prune-recent
	    log-seals log-head"
	for _c in $_cs; do
		expect "$_c" "FAIL oplog.csv:$_n" || return 1
	done
	jfindings $_cs >"$TMP/jf" || return 1
	for _c in $_cs; do
		IFS= read -r _jf || _jf=
		[ "$_jf" = "$_c FAIL oplog.csv:$_n" ] ||
		    { echo "json $_c: got '${_jf#"$_c "}'" >&2; return 1; }
	done <"$TMP/jf"
}

# The line is the subject too, with the key or without (a committee
# sorting the CSV by subject finds it on one line, not the file's); the
# prune findings say with the key what they say without it.
test_expect_success 'a malformed line: every check it stops FAILs naming the line' '
	echo "not,a,record" >>"$D/oplog.csv" &&
	line_named 6 &&
	detail log-retention | grep -q "^Not checked: the operation log cannot be read. oplog.csv:6: " &&
	detail register-changes | grep -q "^Not all changes can be listed: .*\. oplog.csv:6: 3 fields, want 10\$" &&
	audit_run --since 2000-01-01 &&
	expect register-changes "FAIL boss oplog.csv:6" &&
	line_named 6 --key-file "$D.key" &&
	detail log-prune-recent | grep -q "^Not checked: the operation log cannot be read. oplog.csv:6: " &&
	cp log.save "$D/oplog.csv" &&
	sed -i "4s/,ok,/,ok,extra,/" "$D/oplog.csv" &&
	line_named 4 --key-file "$D.key" &&
	line_named 4 &&
	cp log.save "$D/oplog.csv"
'

test_expect_success 'a deleted log: the R6 checks FAIL, the audit still reports' '
	mv "$D/oplog.csv" log.moved &&
	audit_run --key-file "$D.key" &&
	test "$ast" -eq 1 &&
	expect log-seals "FAIL oplog.csv" &&
	expect log-verify "FAIL oplog.csv" &&
	expect log-retention "FAIL oplog.csv" &&
	expect register-changes "FAIL oplog.csv" &&
	expect register-readable "PASS " &&
	mv log.moved "$D/oplog.csv" &&
	audit_run --key-file "$D.key" && test "$ast" -eq 0
'

# unparsed LINE SED: the log edited by sed, the key's audit in $TMP/a.csv,
# the log put back; log-verify FAILs naming LINE, no "record -1".
unparsed() {
	sed -i "$2" "$D/oplog.csv" &&
	audit_run --key-file "$D.key" &&
	cp log.save "$D/oplog.csv" &&
	test "$ast" -eq 1 &&
	expect log-verify "FAIL oplog.csv:$1" &&
	detail log-verify | grep -q " oplog.csv:$1: " &&
	! grep -q "record -1\|seq -1" "$TMP/a.csv"
}

# A line the verifier reads as no record has no seq: the finding names the
# file and line, as the walk's findings do, never "record -1".
test_expect_success 'a log that does not parse, with the key: log-verify names the file and line' '
	unparsed 5 "5s/,ok,/,ok\xff,/" &&
	detail log-verify | grep -q " oplog.csv:5: field result: invalid UTF-8\$" &&
	unparsed 5 "5s/,ok,/,ok,x,/" &&
	unparsed 5 4G &&
	unparsed 1 1d &&
	unparsed 1 "1,\$d" &&
	detail log-verify | grep -q " oplog.csv:1: empty file, no header row\$" &&
	sed -i "5s/,ok,/,ok\xff,/" "$D/oplog.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --key-file "$D.key" --lang en >r.en &&
	cp log.save "$D/oplog.csv" &&
	grep -qx "      - oplog.csv:5: field result: invalid UTF-8" r.en
'

# Issue 14: in the Japanese document, whatever the locale, a line that is
# no record is the log's row by its place (the header not counted), as
# the register's are, in words: not oplog.csv, its line or the reader's
# sentence, in every check it stops, with the key and without.
test_expect_success 'a log that does not parse, in Japanese: its row in words' '
	sed -i "5s/,ok,/,ok\xff,/" "$D/oplog.csv" &&
	for l in C C.UTF-8; do
		test_must_fail 1 env LC_ALL=$l jukisec-audit -d "$D" \
		    --key-file "$D.key" --lang ja >r.$l || return 1
	done &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.nokey &&
	cp log.save "$D/oplog.csv" && sed -i 1d "$D/oplog.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --key-file "$D.key" --lang ja >r.head;
	cp log.save "$D/oplog.csv" &&
	for f in r.C r.C.UTF-8 r.nokey; do
		test "$(grep -cx "      - 操作履歴の 4 件目の行が記録の形式に合いません" $f)" = 9 &&
		ja_words $f || return 1
	done &&
	test "$(grep -cx "      - 操作履歴の見出しの行がないか、形式に合いません" r.head)" = 9 &&
	ja_words r.head
'

# The text report prints an item's text, not its subject: the text names
# the file, by its path as the walk's findings do.
test_expect_success 'a log or head that cannot be read, with the key: log-verify names the file by its path' '
	for f in oplog.head oplog.csv; do
		mv "$D/$f" moved &&
		test_must_fail 1 jukisec-audit -d "$D" --key-file "$D.key" --lang en >r.txt &&
		mv moved "$D/$f" &&
		grep -qx "      - $D/$f: No such file or directory" r.txt &&
		! grep -qx "      - No such file or directory" r.txt || exit 1
	done &&
	for how in empty garbage symlink; do
		case $how in
		empty) : >"$D/oplog.head" ;;
		garbage) echo garbage >"$D/oplog.head" ;;
		symlink) rm "$D/oplog.head" && ln -s "$TMP/head.save" "$D/oplog.head" ;;
		esac &&
		audit_run --key-file "$D.key" &&
		rm "$D/oplog.head" && cp head.save "$D/oplog.head" && chmod 600 "$D/oplog.head" &&
		expect log-verify "FAIL oplog.head" &&
		detail log-verify | grep -q " $D/oplog.head: [a-z]" || exit 1
	done
'

# In Japanese, whatever the locale: the file in words (the copy of the
# last record, the operation history), not its path and the system's or
# the verifier's sentence.
test_expect_success 'a log or head that cannot be read, in Japanese: in words, no path' '
	mv "$D/oplog.head" moved &&
	test_must_fail 1 jukisec-audit -d "$D" --key-file "$D.key" --lang ja >r.nohead;
	mv moved "$D/oplog.head" && mv "$D/oplog.csv" moved &&
	test_must_fail 1 jukisec-audit -d "$D" --key-file "$D.key" --lang ja >r.nolog;
	mv moved "$D/oplog.csv" &&
	rm "$D/oplog.head" && ln -s "$TMP/head.save" "$D/oplog.head" &&
	test_must_fail 1 jukisec-audit -d "$D" --key-file "$D.key" --lang ja >r.link;
	rm "$D/oplog.head" && cp head.save "$D/oplog.head" && chmod 600 "$D/oplog.head" &&
	sed -i "\$d" "$D/oplog.csv" &&
	test_must_fail 1 env LC_ALL=C.UTF-8 jukisec-audit -d "$D" --key-file "$D.key" \
	    --lang ja >r.cut;
	cp log.save "$D/oplog.csv" &&
	item() { sed -n "/^  \[不適合\] 検証鍵で記録を確認できません/{n;s/^      - //p;}" "$1"; } &&
	test "$(item r.nohead)" = "最終記録の控えがないか、形式が正しくありません" &&
	test "$(item r.link)" = "最終記録の控えを読み込めません" &&
	test "$(item r.nolog)" = "操作履歴がないか、開けません" &&
	test "$(item r.cut)" = "操作履歴の末尾が最終記録の控えと一致しないか、控えを検証鍵で確認できません" &&
	test "$(grep -cx "      - 操作履歴がないか、開けません" r.nolog)" = 9 &&
	for f in r.nohead r.nolog r.link r.cut; do
		# but state-modes, about the files themselves, names the link
		grep -vx "      - oplog.head は通常のファイルではありません" $f >$f.w &&
		! body $f | grep -q "$D" && ja_words $f.w || return 1
	done
'

# Bytes after the last LF (an unfinished append, or a writer at work,
# which the key's reading tries again) are named by the line they start
# on, with the key as without it and as log-head names them in the same
# report: the verifier, which names no line there, gives only the reason.
test_expect_success 'a torn tail: every check it stops FAILs naming its line, with the key too' '
	printf "9,2026" >>"$D/oplog.csv" &&
	line_named 6 &&
	detail log-verify | grep -q " oplog.csv:6: 6 bytes after the last line (torn tail)\$" &&
	line_named 6 --key-file "$D.key" &&
	detail log-verify | grep -q "\. oplog.csv:6: 6 bytes after the last record: an unfinished append " &&
	test_must_fail 1 jukisec-audit -d "$D" --key-file "$D.key" --lang en >r.txt &&
	cp log.save "$D/oplog.csv" &&
	grep -qx "      - oplog.csv:6: 6 bytes after the last record: an unfinished append (the next append cuts it and logs a repair)" r.txt &&
	audit_run --key-file "$D.key" && test "$ast" -eq 0
'

# In Japanese, whatever the locale: the torn row by its place, in words;
# with the key, log-verify says it is an unfinished append.
test_expect_success 'a torn tail in Japanese: its row in words, with the key and without' '
	printf "9,2026" >>"$D/oplog.csv" &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.nokey &&
	test_must_fail 1 env LC_ALL=C.UTF-8 jukisec-audit -d "$D" --key-file "$D.key" \
	    --lang ja >r.key;
	cp log.save "$D/oplog.csv" &&
	torn="      - 操作履歴の 5 件目の行が途中で終わっています(書込みが完了していません)" &&
	test "$(grep -cxF "$torn" r.nokey)" = 9 &&
	test "$(grep -cxF "$torn" r.key)" = 8 &&
	grep -qxF "      - 操作履歴の 5 件目の行は完了していない追記です(次の追記の際に取り除かれ、その旨が記録されます)" r.key &&
	ja_words r.nokey && ja_words r.key
'

test_expect_success 'appends running during the audit never make it FAIL' '
	(i=0; while [ $i -lt 100 ]; do
		log-append -d "$D" -u boss -a view -o "r$i" -r ok || exit 1
		i=$((i + 1))
	done) & bg=$!
	runs=0 bad=0
	while kill -0 $bg 2>/dev/null; do
		runs=$((runs + 1))
		jukisec-audit -d "$D" --key-file "$D.key" --format csv >c.csv ||
		    { bad=$((bad + 1)); grep FAIL c.csv >&2; }
	done
	wait $bg && test "$runs" -gt 3 && test "$bad" -eq 0
'

test_expect_success 'epoch seals: a log over four days has them; a removed one FAILs' '
	S=$TMP/seals && init_at "$S" 2026-01-01T00:00:00Z &&
	rec "$S" 2026-01-01T10:00:00Z a &&
	rec "$S" 2026-01-04T10:00:00Z b &&
	D=$S && audit_run --now 2026-01-04T11:00:00Z &&
	expect log-seals "PASS " &&
	edit "$S/oplog.csv" "None if r[4]==\"seal\" and r[5]==\"1\" else r" &&
	audit_run --now 2026-01-04T11:00:00Z &&
	test "$ast" -eq 1 &&
	expect log-seals "FAIL seq 4" &&
	detail log-seals | grep -q "period 1 has no closing record before record 4" &&
	edit "$S/oplog.csv" "None if r[4]==\"seal\" else r" &&
	audit_run --now 2026-01-04T11:00:00Z &&
	expect log-seals "FAIL seq 5" &&
	detail log-seals | grep -q "periods 0 to 2 have no closing record before record 5"
'

test_expect_success 'ended epochs left unsealed (no cron --seal): log-seals WARNs' '
	U=$TMP/unsealed && init_at "$U" 2026-01-01T00:00:00Z &&
	rec "$U" 2026-01-04T10:00:00Z b &&
	D=$U && audit_run --now 2026-01-05T11:00:00Z &&
	expect log-seals "PASS " &&
	audit_run --now 2026-01-10T00:00:00Z &&
	expect log-seals "WARN oplog.key" &&
	detail log-seals | grep -q "the history reaches period 3, the clock is in period 9: the keys of 6 ended period(s) are still kept" &&
	at 2026-01-10T00:00:00Z log-append -d "$U" --seal &&
	audit_run --now 2026-01-10T00:00:00Z &&
	expect log-seals "PASS "
'

P=$TMP/pruned
test_expect_success 'a log begun 2025-09-01, pruned by cron on 2026-11-20' '
	init_at "$P" 2025-09-01T00:00:00Z &&
	rec "$P" 2025-09-01T10:00:00Z old 3 &&
	rec "$P" 2025-12-01T10:00:00Z mid 2 &&
	at 2026-11-20T03:00:00Z log-append -d "$P" --seal &&
	at 2026-11-20T03:00:00Z log-prune -q -d "$P" -a "$TMP/pruned-archive.csv" &&
	! has "$P" old && has "$P" mid
'

test_expect_success 'after the prune: retention covered, prune recent, log verifies' '
	D=$P && audit_run --key-file "$P.key" --now 2026-11-20T12:00:00Z &&
	expect log-verify "PASS " &&
	expect log-retention "PASS " &&
	detail log-retention | grep -q "The log holds every record since 2025-11-20 03:00 (pruned before; retention 365 days reaches back to 2025-11-20 12:00)" &&
	expect log-prune-recent "PASS " &&
	detail log-prune-recent | grep -q "Expired records were last pruned on 2026-11-20 03:00"
'

test_expect_success 'no prune for more than audit_prune_max_age_days: FAIL' '
	D=$P && audit_run --now 2026-11-30T00:00:00Z &&
	test "$ast" -eq 1 &&
	expect log-prune-recent "FAIL log-prune" &&
	detail log-prune-recent | grep -q "last run 2026-11-20 03:00, more than 3 days ago" &&
	expect log-seals "WARN oplog.key" &&
	conf_set "$P" audit_prune_max_age_days 14 &&
	audit_run --now 2026-11-30T00:00:00Z &&
	expect log-prune-recent "PASS " &&
	conf_set "$P" audit_prune_max_age_days 3
'

test_expect_success 'a retention raised above what was kept: log-retention FAILs' '
	D=$P && conf_set "$P" retain_days 730 &&
	audit_run --now 2026-11-20T12:00:00Z &&
	test "$ast" -eq 1 &&
	finding log-retention | grep -q "^FAIL seq " &&
	detail log-retention | grep -q "pruned up to 2025-11-20 03:00; the retention of 730 days needs everything since 2024-11-20" &&
	conf_set "$P" retain_days 365
'

test_expect_success 'records removed from the front by hand: log-retention FAILs' '
	D=$P && first=$(seqs "$P/oplog.csv" | head -1) &&
	edit "$P/oplog.csv" "None if r[0]==\"$first\" else r" &&
	audit_run --now 2026-11-20T12:00:00Z &&
	test "$ast" -eq 1 &&
	expect log-retention "FAIL seq $((first + 1))" &&
	detail log-retention | grep -q "the history starts at record $((first + 1)) and no pruning is recorded up to record $first"
'

test_expect_success 'a log older than the retention and never pruned: FAIL' '
	O=$TMP/old && init_at "$O" 2025-09-01T00:00:00Z &&
	rec "$O" 2025-09-01T10:00:00Z x &&
	rec "$O" 2026-11-20T10:00:00Z y &&
	D=$O && audit_run --now 2026-11-20T12:00:00Z &&
	test "$ast" -eq 1 &&
	expect log-retention "PASS " &&
	expect log-prune-recent "FAIL log-prune" &&
	detail log-prune-recent | grep -q "no pruning is recorded; the history begins 2025-09-01 00:00"
'

# A log whose first records went without a prune is of no known age: not
# "older than the retention", whatever its first kept record's date.
test_expect_success 'a young log whose first records were removed: log-prune-recent says so' '
	Y=$TMP/young && init_at "$Y" 2026-11-01T00:00:00Z &&
	rec "$Y" 2026-11-01T10:00:00Z x &&
	rec "$Y" 2026-11-20T10:00:00Z y &&
	D=$Y && edit "$Y/oplog.csv" "None if r[0]==\"0\" else r" &&
	audit_run --now 2026-11-20T12:00:00Z &&
	test "$ast" -eq 1 &&
	expect log-prune-recent "FAIL log-prune" &&
	detail log-prune-recent | grep -q "^The history does not begin with its first record and no pruning is recorded: records were removed from its start\." &&
	detail log-prune-recent | grep -q "no pruning is recorded; the history begins at record 1, 2026-11-01 10:00" &&
	! detail log-prune-recent | grep -q "older than the retention"
'

# R5.1 manager-recoveries in Japanese, whatever the locale: what was done
# or why it was refused in words, the log's recovery as what it keeps;
# not the command line, the uid or the reason's token (issue 14), which
# the English text keeps.
test_expect_success 'recoveries in Japanese: in words, no command, uid or token' '
	D=$TMP/recov && audit_state &&
	JUKISEC_TERMINAL=t9 && export JUKISEC_TERMINAL &&
	operator-mod -d "$D" --recover -i boss --key-file "$D.key" &&
	test_must_fail 1 operator-mod -d "$D" --recover -i boss \
	    --key-file "$TMP/other.key" 2>/dev/null &&
	test_must_fail 1 operator-mod -d "$D" --recover -i nobody \
	    --key-file "$D.key" 2>/dev/null &&
	rm "$D/oplog.key" &&
	log-append -d "$D" --recover --key-file "$D.key" >/dev/null &&
	jukisec-audit -d "$D" --key-file "$D.key" --lang ja >r.ja &&
	env LC_ALL=C.UTF-8 jukisec-audit -d "$D" --key-file "$D.key" --lang ja >r.utf8 &&
	jukisec-audit -d "$D" --key-file "$D.key" --lang en >r.en &&
	sed -n "/の回復の実施または試行が 4 件あります。\$/,/^  \[/s/^      - .*[0-9]: //p" \
	    r.ja >items &&
	cat >want <<-\EOW &&
	Boss の回復(端末機 t9)、実施(ロックの解除)
	Boss の回復(端末機 t9)、拒否(理由: 操作履歴が検証鍵で確認できない)
	登録簿に記載のない者(ID nobody) の回復(端末機 t9)、拒否(理由: 登録簿にない)
	検証鍵で確認できた記録までを残す操作履歴の回復(端末機 t9)、実施
	EOW
	test_cmp want items &&
	sed -n "/の回復の実施または試行が 4 件あります。\$/,/^  \[/s/^      - .*[0-9]: //p" \
	    r.utf8 >items && test_cmp want items &&
	ja_words r.ja &&
	grep -q "^      - .*: recovery of the operation log (log-append --recover) at terminal t9, done (by uid=$(id -u): " r.en &&
	grep -q "^      - .*: recovery of Boss at terminal t9, refused (uid=$(id -u) reason=wrong-key)\$" r.en
'

# R5.1 manager-recoveries lists from the period's first day up to the
# report's time: a recovery before the period is not the report's (one
# long past would WARN in every nightly audit until it is pruned), one in
# it is, and so is one after it, before TIME, which the committee signing
# the report must know of.
recover_at() {
	at "$1" operator-mod -d "$D" --recover -i boss --key-file "$D.key"
}
test_expect_success 'recoveries: from the first day of the period up to TIME' '
	D=$TMP/recper && audit_state && recover_at 2027-01-15T10:00:00Z &&
	recover_at 2027-02-10T10:00:00Z && recover_at 2027-03-10T10:00:00Z &&
	jukisec-audit -d "$D" --lang en --now 2027-04-01T00:00:00Z \
	    --since 2027-02-01 --until 2027-02-28 >r.en &&
	grep -q "^  \[WARN\] 2 use(s) or attempt(s) in the log " r.en &&
	grep ": recovery of Boss " r.en | cut -c9-18 >items &&
	printf "%s\n" 2027-02-10 2027-03-10 >want && test_cmp want items &&
	jukisec-audit -d "$D" --lang en --now 2027-04-01T00:00:00Z \
	    --since 2027-03-11 >r.en &&
	grep -q "^  \[PASS\] 0 use(s) or attempt(s) in the log " r.en
'

# oplog.key removed (how a log put back from an earlier epoch would pass
# without the key): log-verify fails it, and the audit says so, in
# Japanese in words.
test_expect_success 'oplog.key missing: log-verify FAIL, said in words in Japanese' '
	D=$TMP/nokey && audit_state && rm "$D/oplog.key" &&
	{ jukisec-audit -d "$D" --key-file "$D.key" --format csv >r.csv; true; } &&
	grep -q "^R6,log-verify,FAIL,oplog.key,.*oplog.key: missing: a log and head put back from an earlier copy would pass unseen\"\$" r.csv &&
	{ jukisec-audit -d "$D" --key-file "$D.key" --lang ja >r.ja; true; } &&
	grep -q "^      - 操作履歴の鍵がありません(以前の写しに戻された操作履歴が見過ごされるおそれがあります)\$" r.ja &&
	ja_words r.ja
'

# Every writer needs oplog.key (auth-check too: nobody logs in without
# it), and the nightly audit runs without the verification key (README
# "First day" 7): without --key-file, log-verify FAILs an oplog.key that
# is missing, no regular file or not read as the writers read it, and
# names the repair.  A healthy state stays a WARN.
test_expect_success 'no key given, oplog.key missing: log-verify FAILs, as every writer does' '
	D=$TMP/nokey2 && audit_state &&
	audit_run && test "$ast" -eq 0 && expect log-verify "WARN " &&
	rm "$D/oplog.key" &&
	test_must_fail 3 auth boss "$TMP/pw.boss" 2>err &&
	audit_run && test "$ast" -eq 1 &&
	expect log-verify "FAIL oplog.key" &&
	test "$(detail log-verify)" = "The operation log'"'"'s key is missing or cannot be used: no record can be appended, so nobody can log in; recover it with the verification key (log-append --recover). $D/oplog.key: No such file or directory" &&
	expect state-modes "PASS " &&
	test_must_fail 1 jukisec-audit -d "$D" --lang ja >r.ja &&
	grep -qx "  \[不適合\] 操作履歴の鍵がないか使えないため、操作履歴に記録できず、誰も認証を受けられません。検証鍵により操作履歴を回復してください。" r.ja &&
	grep -qx "      - 操作履歴の鍵がありません" r.ja &&
	ja_words r.ja &&
	log-append -d "$D" --recover --key-file "$D.key" >/dev/null &&
	audit_run && test "$ast" -eq 0 && expect log-verify "WARN "
'

test_expect_success 'no key given, oplog.key no regular file or no key: log-verify FAILs' '
	mv "$D/oplog.key" key.save && mkdir "$D/oplog.key" &&
	audit_run && rmdir "$D/oplog.key" &&
	test "$ast" -eq 1 && expect log-verify "FAIL oplog.key" &&
	detail log-verify | grep -q " $D/oplog.key: not a regular file: refused\$" &&
	ln -s "$TMP/key.save" "$D/oplog.key" && audit_run &&
	jukisec-audit -d "$D" --lang ja >r.ja;
	rm "$D/oplog.key" &&
	test "$ast" -eq 1 && expect log-verify "FAIL oplog.key" &&
	detail log-verify | grep -q " $D/oplog.key: a symbolic link: refused\$" &&
	grep -qx "      - 操作履歴の鍵が通常のファイルではありません" r.ja &&
	echo garbage >"$D/oplog.key" && chmod 600 "$D/oplog.key" && audit_run &&
	jukisec-audit -d "$D" --lang ja >r.ja;
	cp key.save "$D/oplog.key" &&
	test "$ast" -eq 1 && expect log-verify "FAIL oplog.key" &&
	detail log-verify | grep -q " $D/oplog.key: malformed\$" &&
	grep -qx "      - 操作履歴の鍵を読み込めないか、形式が正しくありません" r.ja &&
	audit_run && test "$ast" -eq 0 && expect log-verify "WARN "
'

# A key only open to others is not to be recovered: the item says what to
# do (chmod 600), and the summary does not send anyone to --recover.
test_expect_success 'no key given, oplog.key open to others: FAIL, the summary names no recovery' '
	chmod 644 "$D/oplog.key" && audit_run &&
	jukisec-audit -d "$D" --lang ja >r.ja;
	chmod 600 "$D/oplog.key" &&
	test "$ast" -eq 1 && expect log-verify "FAIL oplog.key" &&
	test "$(detail log-verify)" = "The writers refuse the operation log'"'"'s key as it is kept (the item says why): no record can be appended, so nobody can log in. $D/oplog.key: readable by group or others; chmod 600 it" &&
	grep -qx "  \[不適合\] 操作履歴の鍵の置き方を書き手が拒否するため(理由は項目のとおり)、操作履歴に記録できず、誰も認証を受けられません。" r.ja &&
	grep -qx "      - 操作履歴の鍵の所有者又はアクセス権が正しくありません" r.ja &&
	ja_words r.ja &&
	audit_run && test "$ast" -eq 0 && expect log-verify "WARN "
'

test_done
