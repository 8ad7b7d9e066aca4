#!/bin/sh
# t4090: the scheduled jobs shipped in examples/cron/jukisec and
# examples/systemd report failures.  Each job's command is taken from the
# shipped file and run as cron (sh -c, the file's variables) or systemd
# (ExecStartPre=, ExecStart=, no shell) would run it, with /var/ moved under
# $TMP and logger(1) sending to a socket of the test: a failing seal, prune
# or audit must give a non-zero status and, for cron, text to mail.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-audit.sh"

D=$TMP/var/lib/jukisec
CRON=$SRCDIR/examples/cron/jukisec
UNITS=$SRCDIR/examples/systemd

# A syslog socket of the test's own: every datagram logger sends becomes a
# line of $TMP/syslog.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", 0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
' "$TMP/log.sock" "$TMP/syslog" &
rx=$!
trap 'kill $rx 2>/dev/null; rm -rf "$TMP"' EXIT
n=0
while [ ! -S "$TMP/log.sock" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
: >"$TMP/syslog"

# moved FILE: FILE with /var/ under $TMP and logger on the test's socket.
moved() { sed -e "s|/var/|$TMP/var/|g" -e "s|logger |logger -u $TMP/log.sock |g" "$1"; }

# cron_job WORD: runs the cron line whose command has WORD as cron would;
# stdout+stderr (what cron mails) in $TMP/mail, the status returned.
cron_job() {
	moved "$CRON" >cron.moved &&
	_cmd=$(grep -E '^[0-9*]' cron.moved | cut -f3- | grep -F -- "$1") &&
	[ "$(printf '%s\n' "$_cmd" | wc -l)" -eq 1 ] || return 125
	(eval "$(grep -E '^(JUKISEC_DIR|SHELL)=' cron.moved)" &&
	 export JUKISEC_DIR && exec "$SHELL" -c "$_cmd") >"$TMP/mail" 2>&1
}

# unit_run NAME: runs NAME.service's ExecStartPre= and ExecStart= in order,
# as systemd would (the first failure ends it); the status returned, the
# output in $TMP/journal.
unit_run() {
	moved "$UNITS/$1.service" | sed -n 's/^ExecStart\(Pre\)\{0,1\}=+\{0,1\}//p' >cmds &&
	(set -f; while read -r _c; do
		set -- $_c
		"$@" || exit $?
	done <cmds) >"$TMP/journal" 2>&1
}

# syslogged TEXT: a line of $TMP/syslog tagged jukisec has TEXT (logger has
# returned when this is asked; the receiver may still be writing).
syslogged() {
	_n=0
	until grep "jukisec: " "$TMP/syslog" | grep -qF -- "$1"; do
		_n=$((_n + 1))
		[ $_n -lt 100 ] || { cat "$TMP/syslog" >&2; return 1; }
		sleep 0.05
	done
}

test_expect_success 'a clean state where the shipped paths point' '
	mkdir -p "$TMP/var/lib" && audit_state
'

test_expect_success 'cron: the hourly seal succeeds silently' '
	cron_job "log-append --seal" &&
	test ! -s mail
'

test_expect_success 'cron: the nightly prune succeeds silently, its summary in syslog' '
	cron_job log-prune &&
	test ! -s mail &&
	test -f var/backups/jukisec/oplog-archive.csv &&
	syslogged "kept "
'

test_expect_success 'cron: the nightly audit is silent when nothing FAILs' '
	cron_job jukisec-audit &&
	test ! -s mail
'

test_expect_success 'systemd: seal, prune and audit succeed on a clean state' '
	unit_run jukisec-seal && unit_run jukisec-prune && unit_run jukisec-audit
'

test_expect_success 'systemd: the units keep the tools status (none is declared a success)' '
	! grep -h "^SuccessExitStatus\|^ExecStart=-" "$UNITS"/*.service &&
	for t in seal prune audit; do
		grep -q "^Unit=\|^\[Timer\]" "$UNITS/jukisec-$t.timer" || exit 1
	done &&
	grep -q "^OnCalendar=\*-\*-\* \*:17:00$" "$UNITS/jukisec-seal.timer"
'

# systemd sets up a unit's mount namespace before each sandboxed command,
# and a ReadWritePaths= directory that does not exist yet fails it
# (226/NAMESPACE): a directory a unit makes is made by a "+" command, which
# runs outside the sandbox, and every other one is the state directory.
test_expect_success 'systemd: a directory a unit makes is made outside its sandbox' '
	for u in "$UNITS"/*.service; do
		sed -n "s/^ReadWritePaths=//p" "$u" | tr " " "\n" | while read -r d; do
			test "$d" = /var/lib/jukisec ||
			grep -q "^ExecStartPre=+/bin/mkdir -p -m 0700 $d\$" "$u" ||
			{ echo "$u: $d" >&2; exit 1; }
		done || exit 1
	done
'

# An audit that FAILs: a register others can read (state-modes; the
# register tools refuse it, the seal and the prune do not read it).
test_expect_success 'cron: an audit that FAILs mails its report and is the status' '
	chmod 644 "$D/operators.csv" &&
	test_must_fail 1 cron_job jukisec-audit &&
	grep -q "\[FAIL\] Some files of the records can be read or changed by others" mail
'

test_expect_success 'systemd: an audit that FAILs fails its unit' '
	test_must_fail 1 unit_run jukisec-audit &&
	grep -q "FAIL" journal
'

# A state directory others can write is refused by every tool (SPEC): the
# prune, the seal and the audit fail.
test_expect_success 'cron: a failing seal is mailed and is the status' '
	chmod 777 "$D" &&
	test_must_fail 3 cron_job "log-append --seal" &&
	grep -q "^log-append: " mail
'

test_expect_success 'cron: a failing prune is mailed, logged, and is the status' '
	: >"$TMP/syslog" &&
	test_must_fail 3 cron_job log-prune &&
	grep -q "^log-prune: " mail &&
	syslogged "log-prune: "
'

test_expect_success 'systemd: a failing seal, prune or audit fails its unit' '
	test_must_fail 3 unit_run jukisec-seal &&
	test_must_fail 3 unit_run jukisec-prune &&
	test_must_fail 3 unit_run jukisec-audit
'

test_done
