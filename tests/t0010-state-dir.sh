#!/bin/sh
# The state directory is trusted only when nobody else could have written
# it: owner us or root, no group/world write, no symlinks (store.c).
. "$(dirname "$0")/lib.sh"

D=$TMP/state

test_expect_success 'jukisec-init makes a 0700 directory' '
	init_state "$D" &&
	test "$(stat -c %a "$D")" = 700 &&
	log-append -d "$D" -u alice -a check
'

test_expect_success 'a group-writable directory is refused: exit 3, one line naming it' '
	chmod 770 "$D" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D: refusing a group- or world-writable state directory\$"
'

test_expect_success 'a world-writable directory is refused' '
	chmod 703 "$D" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "$D: refusing a group- or world-writable"
'

test_expect_success 'nothing was appended while refused' '
	chmod 700 "$D" &&
	test "$(grep -c ",check," "$D/oplog.csv")" = 1
'

test_expect_success 'a 0750 directory with a dedicated group is accepted' '
	chmod 750 "$D" &&
	log-append -d "$D" -u alice -a check &&
	chmod 700 "$D"
'

test_expect_success ROOT,NOBODY 'a directory owned by another user is refused' '
	cp -a "$D" "$TMP/theirs" &&
	chown nobody "$TMP/theirs" &&
	test_must_fail 3 log-append -d "$TMP/theirs" -u alice -a check 2>err &&
	one_line_matching err "$TMP/theirs: refusing a state directory owned by uid [0-9]+"
'

test_expect_success 'a symlinked state directory is refused' '
	ln -s "$D" "$TMP/link" &&
	test_must_fail 3 log-append -d "$TMP/link" -u alice -a check 2>err &&
	one_line_matching err "$TMP/link"
'

test_expect_success 'a missing directory is named' '
	test_must_fail 3 log-append -d "$TMP/none" -u alice -a check 2>err &&
	one_line_matching err "$TMP/none: no such state directory"
'

test_expect_success '$JUKISEC_DIR is used without -d, and refused the same way' '
	JUKISEC_DIR=$D log-append -u alice -a via-env &&
	grep -q ",via-env," "$D/oplog.csv" &&
	chmod 770 "$D" &&
	JUKISEC_DIR=$D test_must_fail 3 log-append -u alice -a via-env 2>err &&
	chmod 700 "$D" &&
	one_line_matching err "$D: refusing"
'

test_expect_success 'a symlinked state file is refused, not followed' '
	mv "$D/oplog.csv" "$TMP/elsewhere.csv" &&
	ln -s "$TMP/elsewhere.csv" "$D/oplog.csv" &&
	cp "$TMP/elsewhere.csv" before &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "$D/oplog.csv" &&
	test_cmp before "$TMP/elsewhere.csv" &&
	rm "$D/oplog.csv" && mv "$TMP/elsewhere.csv" "$D/oplog.csv"
'

test_expect_success 'a symlinked jukisec.conf is refused' '
	mv "$D/jukisec.conf" "$TMP/conf" &&
	ln -s "$TMP/conf" "$D/jukisec.conf" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "$D/jukisec.conf" &&
	rm "$D/jukisec.conf" && mv "$TMP/conf" "$D/jukisec.conf"
'

test_expect_success 'a group-writable state file is refused' '
	chmod 620 "$D/oplog.csv" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "$D/oplog.csv" &&
	chmod 600 "$D/oplog.csv"
'

test_expect_success 'a FIFO in place of jukisec.conf is refused without hanging' '
	mv "$D/jukisec.conf" "$TMP/conf" &&
	mkfifo -m 600 "$D/jukisec.conf" &&
	test_must_fail 3 timeout 10 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "$D/jukisec.conf" &&
	rm "$D/jukisec.conf" && mv "$TMP/conf" "$D/jukisec.conf"
'

test_expect_success 'a missing jukisec.conf means not initialised' '
	mv "$D/jukisec.conf" "$TMP/conf" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "$D/jukisec.conf: missing" &&
	mv "$TMP/conf" "$D/jukisec.conf"
'

test_expect_success 'a terminal name with a line break is invalid input' '
	test_must_fail 2 log-append -d "$D" -t "$(printf "a\nb")" -u alice -a check 2>err &&
	one_line_matching err "invalid terminal name: contains a line break"
'

test_expect_success 'after all that the directory still works and verifies' '
	log-append -d "$D" -u alice -a final &&
	chmod 600 "$D.key" &&
	log-verify -d "$D" -k "$D.key"
'

test_done
