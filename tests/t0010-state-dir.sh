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

# Whoever may rename entries of a directory on the way to the state
# directory can put another directory in its place (an old copy of it,
# owned by root: the register before a lock or a revocation): the way
# there is held to the state directory's own rule, a link's target's
# way too; a sticky directory (/tmp) lets no one rename another's entry.
test_expect_success ROOT,NOBODY 'a state directory in a directory another user owns or may write is refused' '
	mkdir "$TMP/p" "$TMP/q" && cp -a "$D" "$TMP/p/state" && chown nobody "$TMP/p" &&
	ln -s "$TMP/p" "$TMP/q/via" &&
	nlog=$(wc -l <"$TMP/p/state/oplog.csv") &&
	test_must_fail 3 log-append -d "$TMP/p/state" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $TMP/p/state \(in $TMP/p\): refusing a state directory owned by uid [0-9]+\$" &&
	test_must_fail 3 log-append -d "$TMP/q/via/state/" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $TMP/q/via/state/ \(in $TMP/q/via\): refusing a state directory owned by uid [0-9]+\$" &&
	chown root "$TMP/p" && chmod 777 "$TMP/p" &&
	test_must_fail 3 log-append -d "$TMP/p/state" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $TMP/p/state \(in $TMP/p\): refusing a group- or world-writable state directory\$" &&
	test "$(wc -l <"$TMP/p/state/oplog.csv")" = "$nlog" &&
	chmod 1777 "$TMP/p" && log-append -d "$TMP/q/via/state" -u alice -a check &&
	chmod 755 "$TMP/p" && (cd "$TMP/p" && log-append -d state -u alice -a check)
'

# A relative state directory's way starts at /, not at the working
# directory: the owner of a directory above it may rename what is below.
test_expect_success ROOT,NOBODY 'a relative state directory under a directory another user owns is refused' '
	mkdir -p "$TMP/r/a" && cp -a "$D" "$TMP/r/a/state" && chown nobody "$TMP/r" &&
	(cd "$TMP/r/a" && test_must_fail 3 log-append -d state -u alice -a check) 2>err &&
	one_line_matching err "^log-append: state \(in $TMP/r\): refusing a state directory owned by uid [0-9]+\$"
'

# The way is looked at after the state directory is opened: a directory
# on it that a lookup then finds gone was there for the open and has been
# renamed since, by whoever may rename it, who may as well have put it
# back after swapping what is below.  Refused, not left to the open.
# One renames $W/g to and fro while log-append runs; the runs that catch
# it gone took the directory without its way (exit 0, a record appended).
# g lies 100 directories deep: the walk of the way to it after the open is
# longer, so a run catches the rename three times as often as at $TMP/g
# (one run in ten, not one in thirty, with the check undone), and 100 runs
# catch it more surely than 300 did (0.9^100 < 0.97^300), for a third of
# the CPU: the renamer spins all the while (it works from inside $W).
test_expect_success ROOT,NOBODY 'a directory on the way renamed away after the open is refused' '
	W=$TMP/w n=0 && while [ $n -lt 100 ]; do W=$W/d n=$((n + 1)); done &&
	mkdir -p "$W/g" && cp -a "$D" "$W/g/state" && chown nobody "$W/g" &&
	nlog=$(wc -l <"$W/g/state/oplog.csv") || exit 1
	(cd "$W" && exec python3 -c "import os, sys, time
end = time.monotonic() + 30
while time.monotonic() < end and not os.path.exists(\"g.stop\"):
    os.rename(\"g\", \"g.away\"); os.rename(\"g.away\", \"g\")
") &
	pid=$! n=0 ok=0
	while [ $n -lt 100 ]; do
		log-append -d "$W/g/state" -u alice -a check 2>/dev/null && ok=$((ok + 1))
		n=$((n + 1))
	done
	: >"$W/g.stop" && wait $pid &&
	test $ok = 0 &&
	test "$(wc -l <"$W/g/state/oplog.csv")" = "$nlog"
'

test_expect_success 'a symlinked state directory is refused' '
	ln -s "$D" "$TMP/link" &&
	test_must_fail 3 log-append -d "$TMP/link" -u alice -a check 2>err &&
	one_line_matching err "$TMP/link"
'

# In jukisec-log(5)'s words for a refused file, not open(2)'s ENOTDIR,
# which says the opposite of what is there.
test_expect_success 'a symlinked state directory: "a symbolic link: refused" from every tool' '
	mkdir "$TMP/real1" && ln -s real1 "$TMP/link1" &&
	test_must_fail 3 jukisec-init -d "$TMP/link1" >/dev/null 2>err &&
	one_line_matching err "^jukisec-init: $TMP/link1: a symbolic link: refused\$" &&
	test -z "$(ls -A "$TMP/real1")" &&
	for c in "operator-list" "log-verify -k $D.key" \
	    "log-show" "jukisec-audit" "log-append -u alice -a check"; do
		test_must_fail 3 $c -d "$TMP/link" >/dev/null 2>err &&
		one_line_matching err "^${c%% *}: $TMP/link: a symbolic link: refused\$" ||
		    return 1
	done &&
	JUKISEC_DIR=$TMP/link test_must_fail 3 log-append -u alice -a check 2>err &&
	one_line_matching err "^log-append: $TMP/link: a symbolic link: refused\$" &&
	log-verify -d "$D" -k "$D.key" >/dev/null
'

# A name longer than PATH_MAX: the message keeps its reason, the name cut
# in the middle, in one line; what a name of 300 bytes gets too.
test_expect_success 'a state directory named past PATH_MAX: one line that still says why' '
	long=$(printf "a%.0s" $(seq 5000)) &&
	for c in "operator-list" "log-verify -k $D.key" "log-show" "jukisec-audit" \
	    "log-append -u alice -a check"; do
		test_must_fail 3 $c -d "$long" >/dev/null 2>err &&
		one_line_matching err "^${c%% *}: a+[.][.][.]a+: File name too long\$" &&
		test "$(wc -c <err)" -le 1100 || return 1
	done &&
	test_must_fail 3 operator-list -d "$(printf "a%.0s" $(seq 300))" 2>err &&
	one_line_matching err "^operator-list: a{300}: File name too long\$"
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

# jukisec-log(5) "Files": oplog.csv and oplog.head are refused as oplog.key
# is, in its words, by every tool that opens them; log-verify names the
# file without DIR, as it names oplog.key.
# plant_log FILE KIND: FILE of $D becomes a link to itself moved aside, a
# copy open to others (0602), someone else's copy, a directory or a FIFO.
plant_log() {
	mv "$D/$1" "$TMP/$1.real" &&
	case $2 in
	link) ln -s "$TMP/$1.real" "$D/$1" ;;
	open) cp -p "$TMP/$1.real" "$D/$1" && chmod 602 "$D/$1" ;;
	owner) cp -p "$TMP/$1.real" "$D/$1" && chown nobody "$D/$1" ;;
	dir) mkdir -m 700 "$D/$1" ;;
	fifo) mkfifo -m 600 "$D/$1" ;;
	esac
}
unplant_log() { rm -rf "$D/$1" && mv "$TMP/$1.real" "$D/$1"; }
# refused_by_all FILE WORDS: each log tool exits 3 with one line, FILE:
# WORDS, but log-verify and log-show -k, for which the refusal is
# tampering (1); the audit reports them on FILE.
refused_by_all() {
	_f=$1 _w=$2
	for _t in append verify show show-k prune; do
		_st=3
		case $_t in
		append) set -- log-append -u alice -a check ;;
		verify) set -- log-verify -k "$D.key"; _st=1 ;;
		show) set -- log-show ;;
		show-k) set -- log-show -k "$D.key"; _st=1 ;;
		prune) set -- log-prune -n --discard ;;
		esac
		_p=$1; shift
		test_must_fail $_st timeout 20 "$_p" -d "$D" "$@" >out 2>err &&
		one_line_matching err "^$_p: ($D/)?$_f: $_w\$" || return 1
	done &&
	test_must_fail 1 timeout 60 jukisec-audit -d "$D" --key-file "$D.key" \
	    --lang en --format csv >out &&
	grep -q "^R6,log-verify,FAIL,$_f,.*[.] $D/$_f: $_w\"*\$" out
}

test_expect_success 'oplog.csv and oplog.head refused in jukisec-log(5)'"'"'s words by every log tool' '
	chmod 600 "$D.key" &&
	for f in oplog.csv oplog.head; do
		for k in link open dir fifo; do
			case $k in
			link) w="a symbolic link: refused" ;;
			open) w="not owned by us or root, or open to others: refused" ;;
			*) w="not a regular file: refused" ;;
			esac
			plant_log $f $k || exit 1
			refused_by_all $f "$w"; r=$?
			unplant_log $f && test $r = 0 || exit 1
		done
	done
'

test_expect_success ROOT,NOBODY 'an oplog.csv or oplog.head of another user: the same words' '
	for f in oplog.csv oplog.head; do
		plant_log $f owner || exit 1
		refused_by_all $f "not owned by us or root, or open to others: refused"
		r=$?; unplant_log $f && test $r = 0 || exit 1
	done
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
	one_line_matching err "^log-append: -t: invalid terminal name: contains a line break\$"
'

# JUKISEC_TERMINAL names the terminal in the records a tool writes: a bad
# one stops the writers (exit 2), never the readers, which write none.
test_expect_success 'a bad JUKISEC_TERMINAL stops writers, not readers' '
	chmod 600 "$D.key" && JUKISEC_TERMINAL=$(printf "bad\tterm") &&
	export JUKISEC_TERMINAL &&
	test_must_fail 2 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: JUKISEC_TERMINAL: invalid terminal name: contains a control character\$" &&
	log-verify -d "$D" -k "$D.key" >/dev/null &&
	log-show -d "$D" >/dev/null && log-show -d "$D" -k "$D.key" >/dev/null &&
	operator-list -d "$D" >/dev/null && incident-report -d "$D" list >/dev/null &&
	{ jukisec-audit -d "$D" --lang en >/dev/null; test $? -le 1; } &&
	unset JUKISEC_TERMINAL
'

test_expect_success 'after all that the directory still works and verifies' '
	log-append -d "$D" -u alice -a final &&
	chmod 600 "$D.key" &&
	log-verify -d "$D" -k "$D.key"
'

test_done
