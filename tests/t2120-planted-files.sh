#!/bin/sh
# A FIFO, a device or a directory planted where a credential, the template
# key or a state file belongs is refused at once (exit 3), never waited on:
# every such file is opened O_NONBLOCK|O_NOFOLLOW and must be a regular
# file (store.c open_safe).  Each call runs under timeout(1): a hang is a
# failure, not a stuck suite.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"

# tauth ID: auth-check of ID with the password file, bounded in time.
tauth() { timeout 20 auth-check -d "$D" -u "$1" --password-fd 3 3<"$TMP/pw.$1"; }

test_expect_success 'set up: manager and an exception operator' '
	reg_state && bootstrap && add_pw tanaka
'

# planted PATH KIND: replaces PATH by a fifo, a directory or /dev/null's
# device (saved in PATH.real, put back by unplant PATH).
planted() {
	mv "$1" "$1.real" &&
	case $2 in
	fifo) mkfifo -m 600 "$1" ;;
	dir) mkdir -m 700 "$1" ;;
	dev) mknod -m 600 "$1" c 1 3 ;;
	esac
}
unplant() { rm -rf "$1" && mv "$1.real" "$1"; }

test_expect_success 'a FIFO as credentials/ID.phc: auth-check exits 3 at once, logged' '
	planted "$D/credentials/tanaka.phc" fifo &&
	test_must_fail 3 tauth tanaka 2>err &&
	one_line_matching err "credentials/tanaka.phc: not a regular file: refused\$" &&
	test "$(log_count auth error "reason=credential-unreadable")" = 1 &&
	unplant "$D/credentials/tanaka.phc" && auth tanaka "$TMP/pw.tanaka"
'

test_expect_success 'a directory as credentials/ID.phc: exit 3' '
	planted "$D/credentials/tanaka.phc" dir &&
	test_must_fail 3 tauth tanaka 2>err &&
	one_line_matching err "credentials/tanaka.phc: not a regular file: refused\$" &&
	unplant "$D/credentials/tanaka.phc"
'

if [ "$(id -u)" = 0 ]; then
test_expect_success 'a character device as credentials/ID.phc: exit 3' '
	planted "$D/credentials/tanaka.phc" dev &&
	test_must_fail 3 tauth tanaka 2>err &&
	one_line_matching err "credentials/tanaka.phc: not a regular file: refused\$" &&
	unplant "$D/credentials/tanaka.phc"
'
else
	test_skip 'a character device as credentials/ID.phc' 'mknod needs root'
fi

test_expect_success 'a FIFO as the manager'"'"'s own credential: operator-mod -b exits 3' '
	planted "$D/credentials/boss.phc" fifo &&
	test_must_fail 3 timeout 20 operator-mod -d "$D" -b boss --by-password-fd 4 \
	    -i tanaka -s x 4<"$TMP/pw.boss" 2>err &&
	grep -q "credentials/boss.phc: not a regular file: refused\$" err &&
	unplant "$D/credentials/boss.phc"
'

test_expect_success 'a FIFO as the template key: exit 3 at once' '
	printf "%032d" 0 >"$D/template.key" && chmod 600 "$D/template.key" &&
	planted "$D/template.key" fifo &&
	printf "JKT" >"$D/credentials/fp.tmpl" && chmod 600 "$D/credentials/fp.tmpl" &&
	python3 - "$D/operators.csv" <<-\EOF &&
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1], newline="")))
	r = list(rows[-1]); r[0] = "fp"; r[4] = "fingerprint"; r[5] = r[6] = r[7] = ""
	rows.append(r)
	csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(rows)
	EOF
	test_must_fail 3 timeout 20 auth-check -d "$D" -u fp </dev/null 2>err &&
	grep -q "template.key: not a regular file: refused\$" err &&
	test "$(log_count auth error "method=fingerprint reason=template key unavailable\$")" = 1 &&
	unplant "$D/template.key"
'

# The words are open_safe's for every file here (jukisec-log(5) "Files"
# for the log's).
for f in operators.csv jukisec.conf oplog.csv oplog.head register.lock; do
test_expect_success "a FIFO as $f: exit 3 at once, nothing admitted" '
	cp "$D/oplog.csv" log.before && planted "$D/'$f'" fifo &&
	test_must_fail 3 tauth tanaka 2>err &&
	grep -q "/'$f': not a regular file: refused\$" err &&
	unplant "$D/'$f'" && cmp log.before "$D/oplog.csv"
'
done

# One failure, one line: a log file that writers refuse, its lock
# included, is said once by every tool a manager's -b reaches, exit 3,
# nothing logged or changed: operator-add's own record of the attempt
# (operator-add(1)) fails without saying it again.
for f in oplog.head oplog.lock oplog.csv oplog.key; do
test_expect_success "a refused $f: one line from each register tool too" '
	cp "$D/oplog.csv" log.before && cp "$D/operators.csv" reg.before &&
	mode=$(stat -c %a "$D/'$f'") && chmod 620 "$D/'$f'" || exit 1
	by_tools_one_line "^[a-z-]+: $D/'$f': not owned by us or root, or open to others: refused\$"
	st=$?
	chmod "$mode" "$D/'$f'"
	test $st = 0 && cmp log.before "$D/oplog.csv" &&
	cmp reg.before "$D/operators.csv"
'
done

# Open to others, as the page draws the line: the files that hold secrets
# (a credential, oplog.key) are refused when group or others may read
# them, the register (personal data) when others may; the others only
# when they may write.
test_expect_success 'readable by others: a credential or the register refused, the conf and log files not' '
	for f in jukisec.conf oplog.csv oplog.head oplog.lock register.lock; do
		chmod 644 "$D/$f" && auth tanaka "$TMP/pw.tanaka" && chmod 600 "$D/$f" || exit 1
	done &&
	chmod 644 "$D/credentials/tanaka.phc" &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err &&
	one_line_matching err "tanaka.phc: not owned by us or root, or open to others: refused" &&
	chmod 600 "$D/credentials/tanaka.phc" && chmod 644 "$D/operators.csv" &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err && chmod 640 "$D/operators.csv" &&
	auth tanaka "$TMP/pw.tanaka" && chmod 600 "$D/operators.csv" &&
	chmod 644 "$D/oplog.key" &&
	test_must_fail 3 auth tanaka "$TMP/pw.tanaka" 2>err && chmod 600 "$D/oplog.key" &&
	one_line_matching err "oplog.key: readable by group or others; chmod 600 it"
'

test_expect_success 'afterwards all is as before' '
	auth tanaka "$TMP/pw.tanaka"
'

test_done
