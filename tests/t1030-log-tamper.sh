#!/bin/sh
# The tamper suite (issue 2 item 8): every change is detected and the first
# bad record named by file, line and seq.
. "$(dirname "$0")/lib.sh"

at 2026-01-01T00:00:00Z jukisec-init -d "$TMP/s" -t cs01 >key 2>/dev/null
chmod 600 key
la() { log-append -d "$TMP/s" -t cs01 "$@"; }
# (no register here: R5.4's word on every operator is left out)
for t in 09 10 11; do at 2026-01-01T$t:00:00Z la -u tanaka -a print -o "doc$t" -r ok -m "page $t" 2>/dev/null; done
for t in 09 10 11; do at 2026-01-02T$t:00:00Z la -u sato -a view -o "rec$t" -r ok -m "looked $t" 2>/dev/null; done
for t in 09 10; do at 2026-01-03T$t:00:00Z la -u ito -a edit -o "x$t" -r ok 2>/dev/null; done
# seq: 0 genesis, 1-3 day 0, 4 seal 0, 5-7 day 1 (seq 5 on line 7), 8 seal 1, 9-10 day 2
cp s/oplog.csv good.csv
cp s/oplog.head good.head
NOW=2026-01-03T12:00:00Z

# tampered FILE-EDIT-COMMAND PATTERN: edit the live log, expect exit 1 with
# one stderr line matching PATTERN, restore.
tampered() {
	cp good.csv s/oplog.csv && eval "$1" &&
	test_must_fail 1 log-verify -d "$TMP/s" -k key --now $NOW 2>err &&
	one_line_matching err "$2"
}

test_expect_success 'the untouched log verifies' '
	sed -n 7p good.csv | grep -q "^5,2026-01-02T09:00:00.000Z,cs01,sato,view,rec09,ok,looked 09,1," &&
	log-verify -d "$TMP/s" -k key --now $NOW >out
'

for spec in \
	'seq|s/^5,/6,/|:7: seq 6: seq 6 follows 4' \
	'time|s/T09:00:00.000Z/T09:00:00.001Z/|:7: seq 5: MAC mismatch' \
	'terminal|s/,cs01,/,cs02,/|:7: seq 5: MAC mismatch' \
	'operator|s/,sato,/,satp,/|:7: seq 5: MAC mismatch' \
	'action|s/,view,/,vief,/|:7: seq 5: MAC mismatch' \
	'object|s/,rec09,/,rec08,/|:7: seq 5: MAC mismatch' \
	'result|s/,ok,looked/,ak,looked/|:7: seq 5: MAC mismatch' \
	'detail|s/looked 09/looked 08/|:7: seq 5: MAC mismatch' \
	'epoch|s/,looked 09,1,/,looked 09,0,/|:7: seq 5: epoch 0 does not match' \
	; do
	f=${spec%%|*}; rest=${spec#*|}; cmd=${rest%%|*}; pat=${rest#*|}
	test_expect_success "one changed byte in field $f of a middle record" "
		tampered \"sed -i '7$cmd' s/oplog.csv\" 'oplog.csv$pat'
	"
done

test_expect_success 'one changed byte in hmac_v1 of a middle record' '
	tampered "python3 -c \"
import sys
l = open(\\\"s/oplog.csv\\\").read().split(\\\"\n\\\")
c = l[6][-1]
l[6] = l[6][:-1] + (\\\"0\\\" if c != \\\"0\\\" else \\\"1\\\")
open(\\\"s/oplog.csv\\\", \\\"w\\\").write(\\\"\n\\\".join(l))
\"" "oplog.csv:7: seq 5: MAC mismatch"
'

test_expect_success 'a deleted record' '
	tampered "sed -i 7d s/oplog.csv" "oplog.csv:7: seq 6: seq 6 follows 4"
'

# The records deleted from the start of the live log: the first bad
# record is the first one left, which no checkpoint explains, not the
# head's record (whose size and count no longer match) further on.
test_expect_success 'the genesis, or the first records, deleted: the first record left named' '
	tampered "sed -i 2d s/oplog.csv" "oplog.csv:2: seq 1: pruned log without checkpoint" &&
	tampered "sed -i 2,7d s/oplog.csv" "oplog.csv:2: seq 6: pruned log without checkpoint" &&
	cp good.csv s/oplog.csv && sed -i 2,4d s/oplog.csv &&
	test_must_fail 1 log-show -d "$TMP/s" -k key --now $NOW >out 2>err &&
	one_line_matching err "oplog.csv:2: seq 3: pruned log without checkpoint" &&
	test ! -s out
'

test_expect_success 'an inserted record' '
	tampered "sed -i \"7i 5,2026-01-02T08:00:00.000Z,cs01,evil,view,x,ok,,1,$(printf %064d 0)\" s/oplog.csv" \
	    "oplog.csv:7: seq 5: MAC mismatch"
'

test_expect_success 'a duplicated record' '
	tampered "sed -i 7p s/oplog.csv" "oplog.csv:8: seq 5: seq 5 follows 5"
'

test_expect_success 'two swapped records' '
	tampered "sed -i -e 7h -e 7d -e 8G s/oplog.csv" "oplog.csv:7: seq 6: seq 6 follows 4"
'

test_expect_success 'a removed seal' '
	tampered "sed -i 6d s/oplog.csv" "oplog.csv:6: seq 5: seq 5 follows 3"
'

test_expect_success 'a truncated tail is caught against the head' '
	tampered "sed -i \"\\\$d\" s/oplog.csv" "oplog.head: the log ends at seq 9, the head says 10: tail truncated"
'

# The pages' own commands name the live log by its path, without -d:
# the last file that is a state directory's oplog.csv is its live log,
# head and key file checked, as with -d (log-verify(1), log-show(1)).
test_expect_success 'a truncated tail is caught when the live log is named without -d' '
	cp good.csv s/oplog.csv && sed -i "\$d" s/oplog.csv &&
	for tool in log-verify log-show; do
		test_must_fail 1 env -u JUKISEC_DIR $tool -k key --now $NOW "$TMP/s/oplog.csv" \
		    >/dev/null 2>err &&
		one_line_matching err "^$tool: oplog.head: the log ends at seq 9, the head says 10: tail truncated\$" ||
		return 1
	done &&
	cp good.csv s/oplog.csv && cp s/oplog.csv plain.csv &&
	env -u JUKISEC_DIR log-verify -k key --now $NOW "$TMP/s/oplog.csv" >out &&
	grep -q "oplog.head matches" out &&
	env -u JUKISEC_DIR log-verify -k key --now $NOW plain.csv >out &&
	grep -q "no head checked" out
'

test_expect_success 'a truncated tail with the head rolled back is caught against an anchor' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head &&
	log-verify -d "$TMP/s" -k key --head --now $NOW >anchor &&
	cp s/oplog.csv old.csv && cp s/oplog.head old.head &&
	at 2026-01-03T11:00:00Z la -u kato -a late &&
	log-verify -d "$TMP/s" -k key --head --now $NOW >anchor2 &&
	cp old.csv s/oplog.csv && cp old.head s/oplog.head &&
	log-verify -d "$TMP/s" -k key --now $NOW >out &&
	test_must_fail 1 log-verify -d "$TMP/s" -k key --anchor "$(cat anchor2)" --now $NOW 2>err &&
	one_line_matching err "the log ends at seq 10, before the anchor.s seq 11: tail truncated" &&
	cp good.csv s/oplog.csv && cp good.head s/oplog.head
'

# An intruder holding the current key (oplog.key) rewrites an old record and
# recomputes every MAC after it: the old epochs need keys that are gone.
cat >reseal.py <<'PY'
import hmac, hashlib, re, sys
key = bytes.fromhex(re.search(r"key=([0-9a-f]{64})", open(sys.argv[1]).read()).group(1))
lines = open(sys.argv[2]).read().split("\n")
def enc(s):
    b = s.encode()
    return len(b).to_bytes(4, "big") + b
prev = None
out = []
for i, l in enumerate(lines):
    if i == 0 or l == "":
        out.append(l); continue
    f = l.split(",")
    if i == 4:
        f[7] = "page 99"
    if i >= 4:
        f[9] = hmac.new(key, prev + b"".join(enc(x) for x in f[:9]), hashlib.sha256).hexdigest()
    prev = bytes.fromhex(f[9])
    out.append(",".join(f))
open(sys.argv[2], "w").write("\n".join(out))
PY

test_expect_success 'a log re-sealed under a later (stolen current) key' '
	tampered "python3 reseal.py s/oplog.key s/oplog.csv" "oplog.csv:5: seq 3: MAC mismatch"
'

test_expect_success 'a record whose epoch does not match its time' '
	tampered "sed -i \"8s/2026-01-02T10/2026-01-03T10/\" s/oplog.csv" \
	    "oplog.csv:8: seq 6: epoch 1 does not match the time \\(epoch 2\\)"
'

# The key of another log (made a second or two days later or earlier) is
# a wrong key for this one, and said so at the genesis record, not as an
# epoch that does not match its time (the other key's epochs).
test_expect_success 'another log'"'"'s key, made later or earlier: the genesis time is named' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head &&
	for t in 2026-01-01T00:00:01Z 2026-01-03T00:00:00Z 2025-12-29T00:00:00Z; do
		rm -rf other && at $t jukisec-init -d "$TMP/other" -t cs01 >okey 2>/dev/null &&
		chmod 600 okey &&
		test_must_fail 1 log-verify -d "$TMP/s" -k okey --now $NOW 2>err &&
		one_line_matching err "^log-verify: oplog.csv:2: seq 0: genesis time differs from the key'"'"'s t0\$" ||
		return 1
	done
'

# Where the first record read is not the genesis (a pruned log, a
# collector's copy that starts later), the other key's epochs fail it:
# said as a MAC mismatch is, the record changed or the key wrong.
test_expect_success 'another log'"'"'s key on a copy that starts after seq 0: record or key named' '
	sed -n "7,\$p" good.csv >copy.csv &&
	log-verify -k key --now $NOW copy.csv >out &&
	for t in 2026-01-03T00:00:00Z 2025-12-29T00:00:00Z; do
		rm -rf other && at $t jukisec-init -d "$TMP/other" -t cs01 >okey 2>/dev/null &&
		chmod 600 okey &&
		test_must_fail 1 log-verify -k okey --now $NOW copy.csv 2>err &&
		one_line_matching err "^log-verify: copy.csv:1: seq 5: epoch 1 does not match the time \(epoch -?[0-9]+\): record changed, or wrong key\$" ||
		return 1
	done
'

test_expect_success 'a record moved into the next epoch (time and epoch both changed)' '
	tampered "sed -i \"7s/2026-01-02T09/2026-01-03T09/; 7s/,looked 09,1,/,looked 09,2,/\" s/oplog.csv" \
	    "oplog.csv:7: seq 5: epochs 1 to 1 are missing"
'

test_expect_success 'bytes appended after the last record' '
	tampered "echo junk >>s/oplog.csv" "oplog.csv:13: 1 field, want 10" &&
	tampered "printf junk >>s/oplog.csv" "oplog.csv:[0-9][0-9]*: 4 bytes after the last record: an unfinished append"
'

# A line of more fields than ten is counted as one of fewer is: the
# count, not a CSV error (the line is RFC 4180); a quoted field anywhere
# in it too.
test_expect_success 'a record with a field too many names its count' '
	tampered "sed -i \"7s/,view,/,view,x,/\" s/oplog.csv" "oplog.csv:7: 11 fields, want 10" &&
	tampered "sed -i \"7s/,view,/,view,x,y,/\" s/oplog.csv" "oplog.csv:7: 12 fields, want 10" &&
	tampered "sed -i \"7s/,view,/,\\\"vi,ew\\\",x,/\" s/oplog.csv" "oplog.csv:7: 11 fields, want 10" &&
	tampered "sed -i \"7s/,looked 09,/,looked 09,\\\"a\\\"\\\"b\\\",/\" s/oplog.csv" "oplog.csv:7: 11 fields, want 10" &&
	tampered "sed -i \"7s/,view,/,view,x\\\"y,/\" s/oplog.csv" "oplog.csv:7: not valid CSV with 10 fields"
'

test_expect_success 'a forged head (hmac) is caught' '
	cp good.csv s/oplog.csv &&
	sed -i "s/count=[0-9]*/count=99/" s/oplog.head &&
	test_must_fail 1 log-verify -d "$TMP/s" -k key --now $NOW 2>err &&
	one_line_matching err "oplog.head: slot [01]: head hmac does not verify" &&
	cp good.head s/oplog.head &&
	sed -i "s/hmac=\(.\)\(.*\)\$/hmac=\2\1/" s/oplog.head &&
	! cmp -s good.head s/oplog.head &&
	test_must_fail 1 log-verify -d "$TMP/s" -k key --now $NOW 2>err &&
	one_line_matching err "head hmac does not verify"
'

# Someone who can write the state directory may put a symbolic link, a
# FIFO or a directory in place of oplog.csv or oplog.head, or open one to
# others: what the tools refuse there is what was left, tampering (exit 1,
# the refusal's one line), never followed, read or waited on; a cron job
# that reads 3 as "try again later" would miss it.  The key file's
# refusals stay operational (3), as log-verify(1) says.
# plant FILE KIND: the good log, then FILE (in s/) put aside in FILE.real
# and replaced by KIND; unplant FILE puts it back.
plant() {
	cp good.csv s/oplog.csv && cp good.head s/oplog.head &&
	mv "s/$1" "s/$1.real" &&
	case $2 in
	link) ln -s "$1.real" "s/$1" ;;
	fifo) mkfifo -m 600 "s/$1" ;;
	dir) mkdir -m 700 "s/$1" ;;
	open) cp -p "s/$1.real" "s/$1" && chmod 622 "s/$1" ;;
	owner) cp -p "s/$1.real" "s/$1" && chmod 600 "s/$1" && chown nobody "s/$1" ;;
	esac
}
unplant() { rm -rf "s/$1" && mv "s/$1.real" "s/$1"; }
# refused_as FILE KIND STATUS [OPERAND]: log-verify of the planted state
# (OPERAND: the live log named as the chain's file) exits STATUS with one
# line naming FILE in the words of jukisec-log(5) "Files".
# words KIND: the refusal of a file planted as KIND.
words() {
	case $1 in
	link) echo "a symbolic link: refused" ;;
	open|owner) echo "not owned by us or root, or open to others: refused" ;;
	*) echo "not a regular file: refused" ;;
	esac
}
refused_as() {
	_w=$(words "$2") &&
	plant "$1" "$2" &&
	{ timeout 10 log-verify -d "$TMP/s" -k key --now $NOW ${4:+"$4"} >out 2>err; _st=$?; } &&
	unplant "$1" &&
	{ test $_st = "$3" || { echo "$1 $2: exit $_st, want $3" >&2; return 1; }; } &&
	test ! -s out &&
	one_line_matching err "^log-verify: $1: $_w\$"
}

test_expect_success 'oplog.head or oplog.csv replaced by a link, a FIFO or a directory, or opened to others: tampering (1), one line, no wait' '
	for f in oplog.head oplog.csv; do
		for k in link fifo dir open; do
			refused_as $f $k 1 || return 1
		done
	done
'

test_expect_success ROOT,NOBODY 'oplog.head or oplog.csv of another user, mode 600: tampering (1)' '
	refused_as oplog.head owner 1 && refused_as oplog.csv owner 1
'

# log-verify(1): the head is checked when the chain's last file is the
# live log of DIR; named so, a planted oplog.csv is refused as the live
# log, not followed to another file and verified as a copy without its
# head, nor waited on as a FIFO.
test_expect_success 'the live log named as the last file, planted or its head planted: tampering (1), no wait' '
	for k in link fifo dir open; do
		refused_as oplog.csv $k 1 "$TMP/s/oplog.csv" &&
		refused_as oplog.head $k 1 "$TMP/s/oplog.csv" || return 1
	done &&
	log-verify -d "$TMP/s" -k key --now $NOW "$TMP/s/oplog.csv" >out &&
	grep -q "oplog.head matches\$" out
'

# A file the caller names is the caller's: a link of theirs is followed
# and a FIFO read as a pipe (log-verify(1): bash's <(zcat ...)).
test_expect_success 'a FILE operand that is the caller'"'"'s link or FIFO is read as before' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head &&
	cp good.csv copy.csv && ln -sf copy.csv copy.link &&
	log-verify -k key --now $NOW copy.link >out && grep -q "no head checked\$" out &&
	ln -sf "$TMP/s/oplog.csv" live.link &&
	log-verify -d "$TMP/s" -k key --now $NOW live.link >out &&
	grep -q "oplog.head matches\$" out &&
	rm -f copy.fifo && mkfifo copy.fifo && { cat good.csv >copy.fifo & } &&
	timeout 10 log-verify -k key --now $NOW copy.fifo >out && wait &&
	grep -q "no head checked\$" out
'

test_expect_success 'oplog.key replaced by a link, a FIFO or a directory: still an operational failure (3)' '
	for k in link fifo dir; do
		cp -p s/oplog.key key.real && mv s/oplog.key s/key.real &&
		case $k in
		link) ln -s key.real s/oplog.key ;;
		fifo) mkfifo -m 600 s/oplog.key ;;
		dir) mkdir -m 700 s/oplog.key ;;
		esac &&
		{ timeout 10 log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; st=$?; } &&
		rm -rf s/oplog.key && mv s/key.real s/oplog.key &&
		test $st = 3 && test ! -s out &&
		case $k in
		link) one_line_matching err "^log-verify: oplog.key: a symbolic link: refused\$" ;;
		*) one_line_matching err "^log-verify: oplog.key: not a regular file: refused\$" ;;
		esac || { echo "$k: exit $st" >&2; return 1; }
	done
'

test_expect_success ROOT,NOBODY 'oplog.key of another user: still an operational failure (3)' '
	cp -p s/oplog.key key.real && chown nobody s/oplog.key &&
	{ log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; st=$?; } &&
	cp -p key.real s/oplog.key && test $st = 3 &&
	one_line_matching err "^log-verify: oplog.key: not owned by us or root, or open to others: refused\$"
'

# A second file planted does not hide the first damage or plant.  The
# log lock, taken after a failure to rule out a writer at work, and
# oplog.key, read first, are operational when refused alone (3): planted
# as well, the log's verdict stands (1), its line first; the lock's
# refusal may follow it.  A cron job that reads 3 as "try again later"
# would otherwise miss the tampering, and be told the wrong file.
# plant_lock KIND: s/oplog.lock replaced by KIND (plant's kinds).
plant_lock() {
	rm -rf s/oplog.lock &&
	case $1 in
	link) ln -s "$TMP/elsewhere" s/oplog.lock ;;
	fifo) mkfifo -m 600 s/oplog.lock ;;
	dir) mkdir -m 700 s/oplog.lock ;;
	open) : >s/oplog.lock && chmod 622 s/oplog.lock ;;
	owner) : >s/oplog.lock && chmod 600 s/oplog.lock && chown nobody s/oplog.lock ;;
	esac
}
unplant_lock() { rm -rf s/oplog.lock && : >s/oplog.lock && chmod 600 s/oplog.lock; }
# damaged_lock EDIT PATTERN KIND: the good log changed by EDIT and the
# lock planted as KIND: exit 1, the damage's line (PATTERN) first, then
# the lock's refusal, nothing else.
damaged_lock() {
	cp good.csv s/oplog.csv && cp good.head s/oplog.head && eval "$1" &&
	plant_lock "$3" &&
	{ timeout 10 log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; _st=$?; } &&
	unplant_lock &&
	{ test $_st = 1 || { echo "lock $3: exit $_st, want 1" >&2; cat err >&2; return 1; }; } &&
	test ! -s out && test "$(wc -l <err)" = 2 &&
	head -n 1 err | grep -Eq -- "^log-verify: $2" &&
	sed -n 2p err | grep -Fxq -- "log-verify: $TMP/s/oplog.lock: $(words "$3")" &&
	test ! -e "$TMP/elsewhere" || { cat err >&2; return 1; }
}

test_expect_success 'a truncated tail or a missing head, and the lock planted: tampering (1), its line first' '
	for k in link fifo dir open; do
		damaged_lock "sed -i \"\\\$d\" s/oplog.csv" \
		    "oplog.head: the log ends at seq 9, the head says 10: tail truncated\$" $k &&
		damaged_lock "rm s/oplog.head" "oplog.head: No such file or directory\$" $k || return 1
	done
'

test_expect_success ROOT,NOBODY 'a truncated tail, and the lock another user'"'"'s: tampering (1)' '
	damaged_lock "sed -i \"\\\$d\" s/oplog.csv" "oplog.head: .*tail truncated\$" owner
'

test_expect_success 'the lock planted alone, the log in order: verified, the lock not taken (as before)' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head &&
	for k in link fifo dir open; do
		plant_lock $k &&
		{ timeout 10 log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; st=$?; } &&
		unplant_lock && test $st = 0 && test ! -s err &&
		grep -q "oplog.head matches\$" out || { echo "lock $k: exit $st" >&2; return 1; }
	done
'

test_expect_success 'a truncated tail while a writer holds the lock past lock_timeout_ms: still 3, the lock named' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head && sed -i "\$d" s/oplog.csv &&
	cp -p s/jukisec.conf conf.save &&
	sed -i "s/^lock_timeout_ms = .*/lock_timeout_ms = 300/" s/jukisec.conf &&
	rm -f held && { (flock 9 && : >held && exec sleep 30) 9>>s/oplog.lock & echo $! >holder; } &&
	i=0 && while [ ! -e held ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done &&
	{ log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; st=$?; } &&
	kill "$(cat holder)" && cp -p conf.save s/jukisec.conf &&
	test $st = 3 && test ! -s out &&
	one_line_matching err "^log-verify: lock timeout: $TMP/s/oplog.lock\$"
'

# plant_key KIND: s/oplog.key put aside in okey.real, KIND in its place
# (mode: open to others, 644); unplant_key puts it back.
plant_key() {
	mv s/oplog.key okey.real &&
	case $1 in
	mode) cp -p okey.real s/oplog.key && chmod 644 s/oplog.key ;;
	link) ln -s ../okey.real s/oplog.key ;;
	fifo) mkfifo -m 600 s/oplog.key ;;
	dir) mkdir -m 700 s/oplog.key ;;
	esac
}
unplant_key() { rm -rf s/oplog.key && mv okey.real s/oplog.key; }
# planted_key FILE KIND KEY: FILE planted as KIND (or, KIND gone, removed)
# and oplog.key as KEY: exit 1, FILE's one line.
planted_key() {
	case $2 in
	gone) _w="No such file or directory" &&
		cp good.csv s/oplog.csv && cp good.head s/oplog.head && mv "s/$1" "s/$1.real" ;;
	*) _w=$(words "$2") && plant "$1" "$2" ;;
	esac &&
	plant_key "$3" &&
	{ timeout 10 log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; _st=$?; } &&
	unplant_key && unplant "$1" &&
	{ test $_st = 1 || { echo "$1 $2, key $3: exit $_st, want 1" >&2; cat err >&2; return 1; }; } &&
	test ! -s out &&
	one_line_matching err "^log-verify: $1: $_w\$"
}

test_expect_success 'oplog.csv or oplog.head planted or removed, and oplog.key refused: tampering (1), the log named' '
	for f in oplog.csv oplog.head; do
		for k in link fifo dir open gone; do
			for m in mode link fifo dir; do
				planted_key $f $k $m || return 1
			done
		done
	done
'

# keywords KIND: the refusal of oplog.key planted as KIND (plant_key's).
keywords() {
	case $1 in
	mode) echo "readable by group or others; chmod 600 it" ;;
	*) words "$1" ;;
	esac
}
# damaged_key EDIT PATTERN KIND [LOCK]: the good log changed by EDIT,
# oplog.key planted as KIND (and the lock as LOCK): log-verify and
# log-show -k exit 1, the damage's line (PATTERN) first, then the key's
# refusal, then the lock's, nothing else; log-show shows no record.
damaged_key() {
	_lk=${4-} && cp good.csv s/oplog.csv && cp good.head s/oplog.head && eval "$1" &&
	plant_key "$3" && { test -z "$_lk" || plant_lock "$_lk"; } &&
	{ timeout 10 log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; _st=$?; } &&
	{ timeout 10 log-show -d "$TMP/s" -k key --now $NOW >shown 2>show.err; _sst=$?; } &&
	unplant_key && { test -z "$_lk" || unplant_lock; } &&
	{ test "$_st $_sst" = "1 1" || { echo "key $3: exit $_st, log-show $_sst, want 1" >&2;
		cat err show.err >&2; return 1; }; } &&
	_n=2 && { test -z "$_lk" || _n=3; } &&
	test ! -s out && test ! -s shown && test "$(wc -l <err)" = $_n &&
	head -n 1 err | grep -Eq -- "^log-verify: $2" &&
	sed -n 2p err | grep -Fxq -- "log-verify: oplog.key: $(keywords "$3")" &&
	{ test -z "$_lk" || sed -n 3p err | grep -Fxq -- "log-verify: $TMP/s/oplog.lock: $(words "$_lk")"; } &&
	sed "s/^log-verify:/log-show:/" err >want.err && test_cmp want.err show.err
}

test_expect_success 'a record changed, a tail cut or bytes appended, and oplog.key refused: tampering (1), the log'"'"'s line first' '
	for m in mode link fifo dir; do
		damaged_key "sed -i \"7s/,sato,/,satp,/\" s/oplog.csv" \
		    "oplog.csv:7: seq 5: MAC mismatch: record changed, or wrong key\$" $m &&
		damaged_key "sed -i \"\\\$d\" s/oplog.csv" \
		    "oplog.head: the log ends at seq 9, the head says 10: tail truncated\$" $m &&
		damaged_key "printf junk >>s/oplog.csv" \
		    "oplog.csv:[0-9][0-9]*: 4 bytes after the last record: an unfinished append" $m || return 1
	done
'

test_expect_success 'a tail cut, and oplog.key and the lock planted: tampering (1), the log, the key, then the lock' '
	for k in link open; do
		damaged_key "sed -i \"\\\$d\" s/oplog.csv" \
		    "oplog.head: the log ends at seq 9, the head says 10: tail truncated\$" mode $k || return 1
	done
'

test_expect_success 'oplog.key refused alone, the log in order: still 3' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head &&
	plant_key mode &&
	{ log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; st=$?; } &&
	unplant_key && test $st = 3 && test ! -s out &&
	one_line_matching err "^log-verify: oplog.key: readable by group or others; chmod 600 it\$"
'

# jukisec.conf planted, removed or garbled does not hide the damage
# either: log-verify reads the log with the compiled defaults (it needs
# lock_timeout_ms alone), the log's verdict stands (1), its line first,
# the conf's after it; alone, the log in order, the conf's problem is
# the operational failure it was (3).  Someone who changed records must
# not turn the verdict into 3, or into a pass, by writing DIR.
# plant_conf KIND: s/jukisec.conf put aside in conf.real, KIND in its
# place: mode (666), gone, bad (a line it refuses appended), fifo, link.
plant_conf() {
	mv s/jukisec.conf conf.real &&
	case $1 in
	mode) cp -p conf.real s/jukisec.conf && chmod 666 s/jukisec.conf ;;
	gone) ;;
	bad) cp -p conf.real s/jukisec.conf && echo "no_such_key = 1" >>s/jukisec.conf ;;
	fifo) mkfifo -m 600 s/jukisec.conf ;;
	link) ln -s ../conf.real s/jukisec.conf ;;
	esac
}
unplant_conf() { rm -rf s/jukisec.conf && mv conf.real s/jukisec.conf; }
# confwords KIND: the line that says jukisec.conf planted as KIND.
confwords() {
	case $1 in
	mode) echo "$TMP/s/jukisec.conf: not owned by us or root, or open to others: refused" ;;
	gone) echo "$TMP/s/jukisec.conf: missing (state directory not initialised?)" ;;
	bad) echo "$TMP/s/jukisec.conf:$(($(wc -l <conf.real) + 1)): no_such_key: unknown key" ;;
	*) echo "$TMP/s/jukisec.conf: $(words "$1")" ;;
	esac
}
# lv_where WHERE: log-verify -k key of the state s, named by -d (WHERE
# dir), JUKISEC_DIR (env), or its live log as the operand WHERE.
lv_where() {
	case $1 in
	dir) timeout 10 log-verify -d "$TMP/s" -k key --now $NOW ;;
	env) JUKISEC_DIR="$TMP/s" timeout 10 log-verify -k key --now $NOW ;;
	*) timeout 10 log-verify -k key --now $NOW "$1" ;;
	esac
}
# damaged_conf EDIT PATTERN KIND [WHERE]: the good log changed by EDIT,
# jukisec.conf planted as KIND: log-verify (lv_where) exits 1, the
# damage's line (PATTERN) first, then the conf's, nothing else.
damaged_conf() {
	cp good.csv s/oplog.csv && cp good.head s/oplog.head && eval "$1" &&
	plant_conf "$3" && _w=$(confwords "$3") &&
	{ lv_where "${4:-dir}" >out 2>err; _st=$?; } &&
	unplant_conf &&
	{ test $_st = 1 || { echo "conf $3 ${4:-dir}: exit $_st, want 1" >&2; cat err >&2; return 1; }; } &&
	test ! -s out && test "$(wc -l <err)" = 2 &&
	head -n 1 err | grep -Eq -- "^log-verify: $2" &&
	sed -n 2p err | grep -Fxq -- "log-verify: $_w" || { cat err >&2; return 1; }
}

test_expect_success 'a record changed or a tail cut, and jukisec.conf planted, removed or garbled: tampering (1), the log'"'"'s line first' '
	for k in mode gone bad fifo link; do
		damaged_conf "sed -i \"7s/,sato,/,satp,/\" s/oplog.csv" \
		    "oplog.csv:7: seq 5: MAC mismatch: record changed, or wrong key\$" $k &&
		damaged_conf "sed -i \"\\\$d\" s/oplog.csv" \
		    "oplog.head: the log ends at seq 9, the head says 10: tail truncated\$" $k || return 1
	done
'

test_expect_success 'the same through JUKISEC_DIR and with the live log named' '
	for k in mode gone bad; do
		damaged_conf "sed -i \"7s/,sato,/,satp,/\" s/oplog.csv" \
		    "oplog.csv:7: seq 5: MAC mismatch: record changed, or wrong key\$" $k env &&
		damaged_conf "sed -i \"7s/,sato,/,satp,/\" s/oplog.csv" \
		    "$TMP/s/oplog.csv:7: seq 5: MAC mismatch: record changed, or wrong key\$" $k \
		    "$TMP/s/oplog.csv" || return 1
	done
'

# log-verify(1): a last FILE that is a state directory's live log has its
# head checked, so that a cut tail fails; removing jukisec.conf alone
# must not make it a plain file verified without its head.  Beside an
# oplog.head or an oplog.key it is still the live log.
test_expect_success 'the live log named, its tail cut and jukisec.conf removed: still its head checked (1)' '
	for k in gone mode bad; do
		damaged_conf "head -n -3 good.csv >s/oplog.csv" \
		    "oplog.head: the log ends at seq 7, the head says 10: tail truncated\$" $k \
		    "$TMP/s/oplog.csv" || return 1
	done &&
	cp good.csv s/oplog.csv && cp good.head s/oplog.head && plant_conf gone &&
	mv s/oplog.head head.real &&
	{ log-verify -k key --now $NOW s/oplog.csv >out 2>err; st=$?; } &&
	mv head.real s/oplog.head && mv s/oplog.key key.real &&
	{ log-verify -k key --now $NOW s/oplog.csv >kout 2>kerr; kst=$?; } &&
	mv key.real s/oplog.key && unplant_conf &&
	test $st = 1 && test ! -s out &&
	head -n 1 err | grep -q "^log-verify: oplog.head: No such file or directory\$" &&
	test $kst = 1 && test ! -s kout &&
	head -n 1 kerr | grep -q "^log-verify: oplog.key: missing: " &&
	log-verify -k key --now $NOW s/oplog.csv >out && grep -q "oplog.head matches\$" out
'

test_expect_success 'jukisec.conf planted, removed or garbled alone, the log in order: still 3, its line alone' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head &&
	for k in mode gone bad fifo link; do
		plant_conf $k && w=$(confwords $k) &&
		{ timeout 10 log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; st=$?; } &&
		{ timeout 10 log-verify -k key --now $NOW "$TMP/s/oplog.csv" >pout 2>perr; pst=$?; } &&
		unplant_conf &&
		test "$st $pst" = "3 3" && test ! -s out && test ! -s pout &&
		one_line_matching err "^log-verify: " && grep -Fxq -- "log-verify: $w" err &&
		test_cmp err perr || { echo "conf $k: exit $st $pst" >&2; cat err perr >&2; return 1; }
	done
'

# Every file planted at once: each said, in the order they are read.
test_expect_success 'a tail cut, jukisec.conf and oplog.key planted, the lock planted: the log, the conf, the key, the lock' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head && sed -i "\$d" s/oplog.csv &&
	plant_conf mode && plant_key mode && plant_lock link &&
	{ timeout 10 log-verify -d "$TMP/s" -k key --now $NOW >out 2>err; st=$?; } &&
	unplant_lock && unplant_key && unplant_conf &&
	test $st = 1 && test ! -s out && test "$(wc -l <err)" = 4 &&
	sed -n 1p err | grep -q "^log-verify: oplog.head: the log ends at seq 9, the head says 10: tail truncated\$" &&
	sed -n 2p err | grep -Fxq "log-verify: $(confwords mode)" &&
	sed -n 3p err | grep -Fxq "log-verify: oplog.key: readable by group or others; chmod 600 it" &&
	sed -n 4p err | grep -Fxq "log-verify: $TMP/s/oplog.lock: a symbolic link: refused"
'

test_expect_success 'the log still verifies after all this when restored' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head &&
	log-verify -d "$TMP/s" -k key --now $NOW >out
'

test_done
