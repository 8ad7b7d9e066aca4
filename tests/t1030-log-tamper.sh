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

test_expect_success 'a record moved into the next epoch (time and epoch both changed)' '
	tampered "sed -i \"7s/2026-01-02T09/2026-01-03T09/; 7s/,looked 09,1,/,looked 09,2,/\" s/oplog.csv" \
	    "oplog.csv:7: seq 5: epochs 1 to 1 are missing"
'

test_expect_success 'bytes appended after the last record' '
	tampered "echo junk >>s/oplog.csv" "oplog.csv:13: 1 fields, want 10" &&
	tampered "printf junk >>s/oplog.csv" "oplog.csv: 4 bytes after the last record: an unfinished append"
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
refused_as() {
	case $2 in
	link) _w="a symbolic link: refused" ;;
	open|owner) _w="not owned by us or root, or open to others: refused" ;;
	*) _w="not a regular file: refused" ;;
	esac
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

test_expect_success 'the log still verifies after all this when restored' '
	cp good.csv s/oplog.csv && cp good.head s/oplog.head &&
	log-verify -d "$TMP/s" -k key --now $NOW >out
'

test_done
