#!/bin/sh
# log-show --follow --syslog through two real rsyslogd processes, a
# terminal and a collector, started here with the shipped configurations
# (examples/rsyslog) pointed at sockets, ports and files under $TMP: the
# history of a terminal pruned twice, its follower killed and restarted
# in between, arrives at the collector whole, once, and verifies; a line
# another local user writes to the terminal's socket does not arrive.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-show.sh"

RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
if [ ! -x "$RSYSLOGD" ]; then
	echo "1..0 # skip rsyslogd not installed (make deps installs rsyslog)"
	exit 0
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p coll copies
# The socket's directory as examples/rsyslog/jukisec-ship.tmpfiles makes
# /run/jukisec (checked below): the shipper's alone, here the test's user.
# $TMP may be searched by anyone, as /run: only that directory guards it.
mkdir -m 700 term && chmod 711 "$TMP"
# The shipped configurations, with this test's paths and port, the test's
# user as the shipper (as README, "First day" step 8, fills in jukisec's),
# and no module or input of the system's own syslog.
sed -e "s|/run/jukisec/oplog.sock|$TMP/term/oplog.sock|" \
    -e "s|JUKISEC_SHIP_UID|$(id -u)|" \
    -e "s|collector.example.lg.jp|127.0.0.1|" -e "s|port=\"6514\"|port=\"$PORT\"|" \
    -e "s|/var/spool/rsyslog|$TMP/term|" \
    -e "s|^global(|global(workDirectory=\"$TMP/term\" localHostName=\"cs01\" |" \
    -e "s|^input(type=\"imuxsock\"|module(load=\"imuxsock\" sysSock.use=\"off\")\n&|" \
    "$SRCDIR/examples/rsyslog/terminal.conf" >term.conf
sed -e "s|port=\"6514\"|port=\"$PORT\" address=\"127.0.0.1\"|" \
    -e "s|/var/log/jukisec|$TMP/copies|" \
    -e "s|^global(|global(workDirectory=\"$TMP/coll\" |" \
    "$SRCDIR/examples/rsyslog/collector.conf" >coll.conf
start() {	# start NAME: rsyslogd in the foreground, its own config and pid file
	"$RSYSLOGD" -n -f "$TMP/$1.conf" -i "$TMP/$1/pid" >"$TMP/$1/out" 2>&1 &
	echo $! >"$TMP/$1.pid"
}
stop() { [ -s "$TMP/$1.pid" ] && kill "$(cat "$TMP/$1.pid")" 2>/dev/null; }
trap 'stop term; stop coll; [ -s follower.pid ] && kill "$(cat follower.pid)" 2>/dev/null; rm -rf "$TMP"' EXIT
sys_state() { ls -l --time-style=+%s.%N /dev/log /var/log/syslog /var/log/auth.log 2>&1 || :; }
sys_state >sys.before
start coll
start term

has_seq() { [ -s copies/cs01.csv ] && [ "$(tail -n 1 copies/cs01.csv | cut -d, -f1)" = "$1" ]; }
follower() {
	log-show -d "$TMP/s" --follow --syslog="$TMP/term/oplog.sock" \
	    --cursor-file "$TMP/cursor" 2>>follower.err &
	echo $! >follower.pid
}

init_at s "2024-01-01 00:00:00"
Q='"'
# Japanese, commas, quotes, and fields at their limits, every byte a quote
long_obj=$(printf '%256s' "" | tr " " '"')
long_det=$(printf '%2048s' "" | tr " " '"')
{
	echo "tanaka,view,1234-5678,ok,住民票の写し、1通"
	echo "佐藤,print,\"a,b\",ok,\"say \"\"はい\"\"\""
	echo "clerk01,view,\"$(echo "$long_obj" | sed 's/"/""/g')\",denied,\"$(echo "$long_det" | sed 's/"/""/g')\""
} | at "2024-01-02 09:00:00" log-append -d s --stdin || exit 3
rec s "2024-06-01 10:00:00" first-half 5

test_expect_success 'both rsyslogd are up: the terminal socket and the collector port' '
	wait_for test -S term/oplog.sock &&
	wait_for python3 -c "import socket; socket.create_connection((\"127.0.0.1\", $PORT)).close()"
'

test_expect_success 'the follower ships the log; the collector writes each record as it stands' '
	follower &&
	wait_for has_seq "$(last_seq)" &&
	tail -n +2 s/oplog.csv >want && test_cmp want copies/cs01.csv
'

# rsyslog makes the socket 0666 (imuxsock has no mode parameter): its
# directory, and the filter on the sender's uid that the kernel reports,
# each keep another local user's line out of the collector's copy, where
# log-verify would stop at it and no genuine record after it would verify.
test_lazy_prereq SETPRIV '
	[ "$(id -u)" -eq 0 ] || { echo "needs root to run as another user (uid $(id -u))"; exit 1; }
	setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null ||
	    { echo "setpriv cannot drop privileges here"; exit 1; }'
# inject: uid 65534 sends a record of its own making, as logger -u
# term/oplog.sock -t jukisec-oplog would (logger says nothing and exits 0
# when it cannot connect); exit 1 and PermissionError when it may not.
inject() {
	setpriv --reuid=65534 --regid=65534 --clear-groups python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"<86>Dec  4 20:30:00 jukisec-oplog: " + sys.argv[1].encode(), "term/oplog.sock")' \
	    "99999,2026-12-04T20:30:00.000Z,cs01,mallory,view,1,ok,,0,$(printf '%064d' 0)"
}

test_expect_success 'the shipped tmpfiles.d line makes /run/jukisec the shipping user'"'"'s alone' '
	grep -v "^#" "$SRCDIR/examples/rsyslog/jukisec-ship.tmpfiles" >tmpf &&
	echo "d /run/jukisec 0700 jukisec jukisec -" >want && test_cmp want tmpf
'

test_expect_success SETPRIV 'another user cannot reach the socket in its directory' '
	test_must_fail 1 inject 2>err && grep -q "^PermissionError:" err
'

test_expect_success SETPRIV 'the directory opened by mistake: the uid filter keeps the line out' '
	chmod 755 term && inject; st=$?; chmod 700 term && test "$st" = 0 &&
	rec s "2024-06-02 10:00:00" after-inject 2 &&
	wait_for has_seq "$(last_seq)" &&
	! grep mallory copies/cs01.csv
'

test_expect_success 'killed, records appended, pruned, restarted: nothing repeated or lost' '
	kill -9 "$(cat follower.pid)" && wait "$(cat follower.pid)" 2>/dev/null;
	rec s "2025-01-10 08:00:00" while-down 3 &&
	prune "2025-03-01 00:00:00" --archive "$TMP/archive.csv" &&
	rec s "2025-03-01 00:10:00" after-prune 2 &&
	follower &&
	wait_for has_seq "$(last_seq)"
'

test_expect_success 'pruned again while it follows, appended again: it goes on by seq' '
	prune "2025-07-01 00:00:00" --archive "$TMP/archive.csv" &&
	rec s "2025-07-01 00:05:00" after-second-prune 4 &&
	wait_for has_seq "$(last_seq)" &&
	kill "$(cat follower.pid)" && wait "$(cat follower.pid)" 2>/dev/null; :
'

test_expect_success 'the copy holds every seq once, from genesis to the last' '
	cut -d, -f1 copies/cs01.csv >seqs &&
	seq 0 "$(last_seq)" >allseqs && test_cmp allseqs seqs &&
	test ! -s follower.err
'

test_expect_success 'the copy is the archive and the log, byte for byte, and verifies' '
	{ grep -v "^seq," archive.csv; tail -n +2 s/oplog.csv; } | awk -F, "!seen[\$1]++" >want &&
	test_cmp want copies/cs01.csv &&
	log-verify -k s.key --now 2025-07-02T00:00:00Z copies/cs01.csv >out &&
	grep -Eq "^ok: .* records, seq 0-$(last_seq), .*a copy$" out
'

test_expect_success 'a record dropped from the copy is caught and named' '
	sed 7d copies/cs01.csv >lost &&
	test_must_fail 1 log-verify -k s.key --now 2025-07-02T00:00:00Z lost 2>err &&
	one_line_matching err "lost:7: seq 7: seq 7 follows 5: record 6 is missing"
'

test_expect_success 'Japanese, commas, quotes and the longest fields arrive unchanged' '
	grep -c "住民票の写し、1通" copies/cs01.csv >n && test "$(cat n)" = 1 &&
	log-show --format json copies/cs01.csv >copy.json &&
	python3 - "$long_obj" "$long_det" <<-PY
	import json, sys
	recs = [json.loads(l) for l in open("copy.json", encoding="utf-8")]
	by = {r["operator"]: r for r in recs}
	assert by["tanaka"]["detail"] == "住民票の写し、1通", by["tanaka"]
	assert by["佐藤"]["object"] == "a,b", by["佐藤"]
	assert by["佐藤"]["detail"] == "say \"はい\"", by["佐藤"]
	r = [r for r in recs if r["result"] == "denied"][0]
	assert r["object"] == sys.argv[1] and r["detail"] == sys.argv[2]
	assert len(r["detail"]) == 2048 and len(r["object"]) == 256
	PY
'

test_expect_success 'mlr reads the CSV that log-show writes from the copy' '
	log-show --result denied copies/cs01.csv >denied.csv &&
	mlr --icsv --ojson cat denied.csv >denied.json &&
	python3 - "$long_det" <<-PY
	import json, sys
	rows = json.load(open("denied.json", encoding="utf-8"))
	assert len(rows) == 1 and rows[0]["detail"] == sys.argv[1], rows
	PY
'

test_seed 1130

# stopped SIG: the follower stopped as systemctl stop and restart stop it
# (SIGTERM; INT and HUP alike), its status (0 for a follower).  Started
# with the signal's default action: a background command of sh has SIGINT
# ignored.
stopped() {
	kill -"$1" "$(cat follower.pid)" && wait "$(cat follower.pid)"
}
follower_dfl() {
	env --default-signal=HUP,INT,TERM log-show -d "$TMP/s" --follow \
	    --syslog="$TMP/term/oplog.sock" --cursor-file "$TMP/cursor" 2>>follower.err &
	echo $! >follower.pid
}
# catching PID: PID catches SIGTERM (bit 15 of SigCgt) — a stop sent
# before log-show set its handler kills it by the default action, which
# is no test of the handler (it failed so on a loaded machine).
catching() {
	_m=$(sed -n "s/^SigCgt:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null) &&
	[ -n "$_m" ] && [ $(( (0x$_m >> 14) & 1 )) = 1 ]
}

# The record a follower is handing on when it is stopped is finished and
# the cursor replaced before it exits: stopped at random moments while it
# ships a large backlog, and restarted each time, it repeats none (a
# repeat in the copy is a false alarm of log-verify) and skips none.
test_expect_success 'a backlog shipped, its follower stopped (TERM, INT, HUP) and restarted 12 times: each record once, and the copy verifies' '
	seq 1 60000 | awk "{ print \"clerk01,bulk,o\" \$1 \",ok,d\" }" |
	    at "2025-07-03 00:00:00" log-append -d s --stdin &&
	for sig in TERM TERM INT TERM TERM TERM HUP TERM TERM TERM TERM TERM; do
		follower_dfl && wait_for catching "$(cat follower.pid)" &&
		sleep "0.0$(( $(rand) % 9 + 1 ))" &&
		{ stopped $sig; echo "$sig $? $(cat cursor)" >>stops; } || return 1
	done &&
	follower_dfl && wait_for catching "$(cat follower.pid)" &&
	wait_for has_seq "$(last_seq)" &&
	{ stopped TERM; echo "TERM $? $(cat cursor)" >>stops; } &&
	cut -d, -f1 copies/cs01.csv >seqs &&
	seq 0 "$(last_seq)" >allseqs && test_cmp allseqs seqs &&
	log-verify -k s.key --now 2025-07-04T00:00:00Z copies/cs01.csv >out &&
	test "$(cat cursor)" = "seq=$(last_seq)" &&
	test ! -s follower.err && ! grep -v "^[A-Z]* 0 seq=" stops
'

test_expect_success 'neither rsyslogd touched /dev/log or the system log files' '
	sys_state >sys.after && test_cmp sys.before sys.after
'

test_done
