#!/bin/sh
# log-prune: usage, refusals (R6: never under 365 days), bad state.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
init_at "$S"
rec "$S" "2022-02-01 09:00:00" OLD 2
live "$S" "2022-02-01 09:00:00" "2023-06-01 09:00:00"
rec "$S" "2023-06-01 09:00:00" NEW 2
cp "$S/oplog.csv" "$TMP/orig.csv"

test_expect_success '-h prints the usage on stdout and exits 0' '
	log-prune -h >out.txt 2>err.txt &&
	grep -q "^usage: log-prune \[-n\] \[-q | -v\] -a FILE | --discard \[-d DIR\] \[-r DAYS\]" out.txt &&
	test ! -s err.txt
'

test_expect_success 'the usage line is the man page SYNOPSIS' '
	log-prune -h | sed "/^\$/,\$d" | tr -s " \t\n" " " >u.txt &&
	for w in "[-n]" "[-q | -v]" "-a FILE | --discard" "[-d DIR]" "[-r DAYS]" "[-t TERMINAL]"; do
		grep -qF -- "$w" u.txt || exit 1
	done &&
	MANWIDTH=200 mandoc -Tascii "$SRCDIR/man/log-prune.1" | col -b |
	    sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" | tr -s " \t\n" " " >m.txt &&
	grep -qF "log-prune [-n] [-q | -v] -a FILE | --discard [-d DIR] [-r DAYS] [-t TERMINAL] DESCRIPTION" m.txt &&
	! grep -q -- --now u.txt
'

test_expect_success '-V prints the version' '
	log-prune -V | grep -q "log-prune"
'

test_expect_success 'an unknown option or an operand is a usage error (2)' '
	test_must_fail 2 log-prune -d "$S" -x 2>err.txt &&
	grep -q "^usage: log-prune" err.txt &&
	test_must_fail 2 log-prune -d "$S" extra 2>err.txt &&
	grep -q "^usage: log-prune" err.txt &&
	test_must_fail 2 log-prune -d "$S" -q -v 2>err.txt
'

test_expect_success '-q and -v exclude each other (2), as the SYNOPSIS says, nothing written' '
	cp "$S/oplog.csv" qv.csv &&
	for qv in "-q -v" "-qv" "--quiet --verbose"; do
		test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" $qv --discard 2>err.txt || exit 1
		head -1 err.txt | grep -qx "log-prune: -q and -v exclude each other" &&
		grep -q "^usage: log-prune \[-n\] \[-q | -v\]" err.txt || exit 1
	done &&
	cmp "$S/oplog.csv" qv.csv
'

test_expect_success '--retain 364 is refused citing R6, the log untouched' '
	test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" --discard --retain 364 2>err.txt &&
	one_line_matching err.txt "^log-prune: --retain 364: .*R6" &&
	cmp "$S/oplog.csv" orig.csv
'

test_expect_success '--retain 0, -1, +400, 0400, " 400", 1e3 and words are refused (2)' '
	for r in 0 -1 +400 0400 00400 -0 " 400" "400 " 1e3 0x190 year ""; do
		test_must_fail 2 log-prune -d "$S" --discard -r "$r" 2>err.txt || exit 1
		one_line_matching err.txt "^log-prune: --retain" || exit 1
	done &&
	cmp "$S/oplog.csv" orig.csv
'

test_expect_success '--now is refused: the clock is not an input of log-prune' '
	test_must_fail 2 log-prune -d "$S" --discard --now 2023-06-02T00:00:00Z 2>err.txt &&
	one_line_matching err.txt "^log-prune: --now: the clock is not an input of this tool\$" &&
	cmp "$S/oplog.csv" orig.csv
'

test_expect_success 'retain_days under 365 in jukisec.conf is refused, nothing removed' '
	cp "$S/jukisec.conf" conf.save &&
	sed "s/^#* *retain_days *=.*/retain_days = 200/" conf.save >"$S/jukisec.conf" &&
	grep -q "^retain_days = 200" "$S/jukisec.conf" &&
	test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" --discard 2>err.txt &&
	grep -q "retain_days" err.txt &&
	cp conf.save "$S/jukisec.conf" &&
	cmp "$S/oplog.csv" orig.csv
'

test_expect_success 'a retain_days out of range is refused (3) even with --retain' '
	for d in 200 36501; do
		sed "s/^#* *retain_days *=.*/retain_days = $d/" conf.save >"$S/jukisec.conf" &&
		for r in "" "-r 400" "--retain=36500"; do
			test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" $r --discard 2>err.txt || exit 1
			one_line_matching err.txt "jukisec.conf:[0-9]+: retain_days: $d " || exit 1
		done
	done &&
	cp conf.save "$S/jukisec.conf" &&
	cmp "$S/oplog.csv" orig.csv
'

test_expect_success '--retain has the range of retain_days: 365 to 36500 (else 2)' '
	at 2023-06-02T00:00:00Z log-prune -d "$S" -n -r 36500 >dry.txt &&
	grep -q "^nothing before 1923-" dry.txt &&
	for r in 36501 2000000 99999999999999999999; do
		test_must_fail 2 log-prune -d "$S" --discard -r $r 2>err.txt || exit 1
		one_line_matching err.txt "^log-prune: --retain $r: (over 36500 days|too large)" || exit 1
	done &&
	one_line_matching err.txt "too large" &&
	test_must_fail 2 log-prune -d "$S" --discard -r 36501 2>err.txt &&
	one_line_matching err.txt "^log-prune: --retain 36501: over 36500 days, the most jukisec.conf allows for retain_days\$" &&
	cmp "$S/oplog.csv" orig.csv
'

test_expect_success 'retain_days from jukisec.conf decides, --retain overrides it' '
	sed "s/^#* *retain_days *=.*/retain_days = 600/" conf.save >"$S/jukisec.conf" &&
	at 2023-06-02T00:00:00Z log-prune -d "$S" -n >dry.txt &&
	grep -q "^nothing before 2021-10-10" dry.txt &&
	at 2023-06-02T00:00:00Z log-prune -d "$S" -n -r 365 >dry.txt &&
	grep -q "^would remove" dry.txt &&
	cp conf.save "$S/jukisec.conf" &&
	cmp "$S/oplog.csv" orig.csv
'

test_expect_success 'a missing state directory fails (3) in one line' '
	test_must_fail 3 log-prune -d "$TMP/nowhere" --discard 2>err.txt &&
	one_line_matching err.txt "nowhere"
'

# The same words with -a as with --discard, naming the line and field.
test_expect_success 'a log that is not a log is refused (3), nothing changed' '
	rm -rf keep && cp -a "$S" keep && cp -p "$S/oplog.csv" keep.csv &&
	printf "seq,time\n" >"$S/oplog.csv.bad" &&
	sed "3s/^[0-9]*,/x,/" keep.csv >"$S/oplog.csv" &&
	cp "$S/oplog.csv" broken.csv &&
	test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" --discard 2>err.txt &&
	one_line_matching err.txt "oplog.csv:3: field seq: not a decimal number; run log-verify\$" &&
	test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$TMP/a3.csv" 2>err.txt &&
	one_line_matching err.txt "oplog.csv:3: field seq: not a decimal number; run log-verify\$" &&
	sed "3s/,[^,]*,/,2023-02-30T00:00:00.000Z,/" keep.csv >"$S/oplog.csv" &&
	test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$TMP/a3.csv" 2>err.txt &&
	one_line_matching err.txt "oplog.csv:3: field time: not in the form YYYY-MM-DDTHH:MM:SS.mmmZ; run log-verify\$" &&
	sed "3s/[0-9a-f]\$/X/" keep.csv >"$S/oplog.csv" &&
	test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$TMP/a3.csv" 2>err.txt &&
	one_line_matching err.txt "oplog.csv:3: last field \\(the MAC\\): not 64 lowercase hex digits; run log-verify\$" &&
	cp broken.csv "$S/oplog.csv" &&
	cmp "$S/oplog.csv" broken.csv &&
	rm -rf "$S" && mv keep "$S"
'

test_expect_success 'silent on success without -v; -v prints one summary line' '
	cp -a "$S" s2 && cp "$S.key" s2.key &&
	prune "$TMP/s2" 2023-06-02T00:00:00Z --discard >out.txt 2>err.txt &&
	test ! -s out.txt && test ! -s err.txt &&
	cp -a "$S" s3 &&
	prune "$TMP/s3" 2023-06-02T00:00:00Z -v --discard >out.txt 2>err.txt &&
	test ! -s err.txt &&
	one_line_matching out.txt "^removed [0-9]+ records \(seq 0-[0-9]+, before 2022-06-02T00:00:00.000Z\), kept [0-9]+, oldest kept 2022-06-0"
'

test_expect_success 'nothing is discarded unless asked for: neither --archive nor --discard is a usage error' '
	cp "$S/oplog.csv" orig.csv &&
	test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" 2>err.txt &&
	grep -q "^log-prune: where should the removed records go? --archive FILE, or --discard" err.txt &&
	test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$TMP/a.csv" --discard 2>err.txt &&
	grep -q "exclude each other" err.txt &&
	cmp "$S/oplog.csv" orig.csv && test ! -e "$TMP/a.csv"
'

test_expect_success 'an archive inside the state directory, or naming a state file, is refused (2)' '
	mkdir -p "$S/sub" &&
	for a in "$S/archive.csv" "$S/sub/archive.csv" "$S/oplog.key" "$S/../$(basename "$S")/x.csv"; do
		test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$a" 2>err.txt || exit 1
		one_line_matching err.txt "^log-prune: --archive .*: inside the state directory" || exit 1
	done &&
	ln "$S/oplog.head" "$TMP/hardlink.csv" &&
	test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$TMP/hardlink.csv" 2>err.txt &&
	one_line_matching err.txt "inside the state directory .*, or one of its files" &&
	rm "$TMP/hardlink.csv" && rmdir "$S/sub" &&
	cmp "$S/oplog.csv" orig.csv && test ! -e "$S/archive.csv"
'

# Standard output is the archive with -a -: sent to the log itself, the
# prune would write its removed records into the live log.  The state
# directory's parent is no file of it: a directory, refused as one (3).
test_expect_success '-a - with standard output a state file is refused (2); the parent is no state file' '
	cp "$S/oplog.csv" before.csv &&
	test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" -a - 2>err.txt >>"$S/oplog.csv" &&
	one_line_matching err.txt "^log-prune: --archive -: inside the state directory .*, or one of its files" &&
	cmp "$S/oplog.csv" before.csv &&
	test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$(dirname "$S")" 2>err.txt &&
	one_line_matching err.txt "^log-prune: .*: not a regular file: refused" &&
	(cd "$(dirname "$S")" && test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" -a .) 2>err.txt &&
	one_line_matching err.txt "^log-prune: \.: not a regular file: refused" &&
	for a in "$S/.." "$S/../$(basename "$S")/.."; do
		test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$a" 2>err.txt || exit 1
		one_line_matching err.txt "^log-prune: .*: not a regular file: refused" || exit 1
	done &&
	(cd "$S" && test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" -a ..) 2>err.txt &&
	test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$S/." 2>err.txt &&
	cmp "$S/oplog.csv" orig.csv
'

# A file below the state directory (a credential) is one of its files
# too: standard output sent to it, or a hard link to it as FILE.
test_expect_success '-a - into a credential, or a hard link to one, is refused (2)' '
	mkdir -p "$S/credentials" && echo "a secret" >"$S/credentials/zz.phc" &&
	cp "$S/credentials/zz.phc" cred.before &&
	test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" -a - 2>err.txt \
	    >>"$S/credentials/zz.phc" &&
	one_line_matching err.txt "^log-prune: --archive -: inside the state directory" &&
	ln "$S/credentials/zz.phc" "$TMP/cred-link.csv" &&
	test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$TMP/cred-link.csv" 2>err.txt &&
	one_line_matching err.txt "^log-prune: --archive .*/cred-link.csv: inside the state directory" &&
	cmp cred.before "$S/credentials/zz.phc" && cmp "$S/oplog.csv" orig.csv &&
	rm "$TMP/cred-link.csv" "$S/credentials/zz.phc"
'

test_expect_success 'a symbolic link naming a state file, or into the directory, is refused (2)' '
	mkdir -p links && cp "$S/oplog.head" head.save &&
	ln -s "$S/oplog.head" links/abs.csv &&
	ln -s "../$(basename "$S")/oplog.key" links/rel.csv &&
	ln -s abs.csv links/chain.csv &&
	ln -s "$S/new.csv" links/dangling.csv &&
	for a in abs rel chain dangling; do
		test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$TMP/links/$a.csv" 2>err.txt || exit 1
		one_line_matching err.txt "^log-prune: --archive .*/$a.csv: inside the state directory .*, or one of its files" || exit 1
	done &&
	cmp "$S/oplog.csv" orig.csv && cmp "$S/oplog.head" head.save && test ! -e "$S/new.csv"
'

test_expect_success 'an archive below the state directory in a directory not made yet is refused (2) too' '
	ln -s "$S/nosuch/new.csv" links/deep.csv &&
	for a in "$S/sub/archive.csv" "$S/sub/deeper/archive.csv" "$S/./sub/./archive.csv" \
	    "$TMP/links/deep.csv"; do
		test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$a" 2>err.txt || exit 1
		one_line_matching err.txt "^log-prune: --archive .*: inside the state directory" || exit 1
	done &&
	(cd "$S" && test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d . -a sub/archive.csv) 2>err.txt &&
	one_line_matching err.txt "^log-prune: --archive sub/archive.csv: inside the state directory" &&
	test_must_fail 3 at 2023-06-02T00:00:00Z log-prune -d "$S" -a "$TMP/nowhere/a.csv" 2>err.txt &&
	one_line_matching err.txt "nowhere/a.csv: No such file or directory" &&
	cmp "$S/oplog.csv" orig.csv && test ! -e "$S/sub" && test ! -e "$S/nosuch"
'

# The archive's directory is checked as opened, and the archive made in
# it: a link put in place of a directory of the path while log-prune waits
# (here for a chain check's shared prune.lock) cannot send it into the
# state directory.
prune_waiting() {
	for p in /proc/[0-9]*; do
		test "$(cat "$p/comm" 2>/dev/null)" = log-prune &&
		    ls -l "$p/fd" 2>/dev/null | grep -q "$1/prune.lock" && return 0
	done
	return 1
}
test_expect_success 'an archive directory swapped for the state directory meanwhile: the archive stays where it was checked' '
	init_at "$TMP/sw" && W=$TMP/sw && (umask 077 && : >>"$W/prune.lock") &&
	mkdir -p swd/real && ln -s real swd/dir &&
	{ flock -s "$W/prune.lock" sh -c "until test -e go; do sleep 0.05; done" & } &&
	wait_for_cmd() { i=0; until "$@"; do i=$((i + 1)); test $i -lt 400 || return 1; sleep 0.05; done; } &&
	wait_for_cmd sh -c "! flock -n -x \"$W/prune.lock\" true" &&
	{ { at 2022-01-02T00:00:00Z log-prune -d "$W" -a "$TMP/swd/dir/a.csv" 2>perr; echo $? >pst; } & } &&
	wait_for_cmd prune_waiting "$W" &&
	ln -s "$W" swd/dir.new && mv -T swd/dir.new swd/dir &&
	touch go && wait && test "$(cat pst)" = 0 && test ! -s perr &&
	test ! -e "$W/a.csv" && head -n 1 swd/real/a.csv | grep -q "^seq,"
'

# A hard link to a state file at a path longer than PATH_MAX escapes every
# check by name (lstat fails ENAMETOOLONG): the file in the directory
# opened is looked at too.
test_expect_success 'a hard link to a state file by a path past PATH_MAX is refused (2), nothing written' '
	init_at "$TMP/hl" && H=$TMP/hl && (umask 077 && : >>"$H/register.lock") &&
	cp "$H/register.lock" hl.lock.before &&
	d=$(printf "%0190d" 0) && p=long && mkdir long &&
	for i in $(seq 21); do p=$p/$d; done &&
	(cd long && for i in $(seq 21); do mkdir "$d" && cd "$d" || exit 1; done &&
	    ln "$H/register.lock" "$(printf "%0100d" 1)") &&
	L=$p/$(printf "%0100d" 1) && test ${#L} -gt 4096 &&
	test_must_fail 2 at 2022-01-02T00:00:00Z log-prune -d "$H" -a "$L" 2>err.txt &&
	one_line_matching err.txt "^log-prune: --archive .*: inside the state directory .*, or one of its files" &&
	cmp "$H/register.lock" hl.lock.before && test ! -e "$H/prune.lock" &&
	sl=$(printf "%0100d" 2) && test ${#p} -gt 3990 &&
	for t in "$H/oplog.csv" "$H"; do
		(cd "$p" && ln -sfn "$t" "$sl") || return 1
		test_must_fail 2 at 2022-01-02T00:00:00Z log-prune -d "$H" -a "$p/$sl" 2>err.txt || return 1
		one_line_matching err.txt "^log-prune: --archive .*: inside the state directory .*, or one of its files" || return 1
	done && test ! -e "$H/prune.lock"
'

# A directory its owner may write and search but not read (0311): the
# archive is made and removed in it as by its name (at the real clock: a
# log of uid 65534's with nothing to remove yet); a directory that
# cannot be synced stops a run that made the archive (exit 3, the log as
# it was, the archive removed).
test_expect_success NOBODY,ROOT 'an archive in a directory of mode 0311: written there; one made there cannot be synced (3)' '
	chmod 711 "$TMP" && mkdir -m 711 nb && chown nobody nb &&
	as_nobody jukisec-init -d "$TMP/nb/s" >/dev/null 2>&1 &&
	as_nobody mkdir -m 311 "$TMP/nb/wx" && as_nobody sh -c ": >\"$TMP/nb/wx/a\"" &&
	chmod 600 nb/wx/a &&
	as_nobody log-prune -d "$TMP/nb/s" -a "$TMP/nb/wx/a" 2>err.txt &&
	test ! -s err.txt && head -n 1 nb/wx/a | grep -q "^seq," &&
	cp nb/s/oplog.csv nb.before &&
	test_must_fail 3 as_nobody log-prune -d "$TMP/nb/s" -a "$TMP/nb/wx/b" 2>err.txt &&
	one_line_matching err.txt "^log-prune: $TMP/nb/wx/b: syncing its directory: Permission denied\$" &&
	test ! -e nb/wx/b && cmp nb/s/oplog.csv nb.before
'

test_expect_success 'a usage error leaves the state as it was: no prune.lock made (2)' '
	init_at "$TMP/fresh" && F=$TMP/fresh &&
	test ! -e "$F/prune.lock" &&
	ls -A "$F" >before.txt && cp -a "$F" fresh.save &&
	for args in "-a $F/arch" "-a $F/sub/arch" "-a $F/oplog.key" "--discard -r 364" \
	    "--discard -t $(printf %065d 0)"; do
		test_must_fail 2 at 2023-06-02T00:00:00Z log-prune -d "$F" $args 2>err.txt || exit 1
		one_line_matching err.txt "^log-prune: " || exit 1
		ls -A "$F" | cmp -s - before.txt || { ls -A "$F"; exit 1; }
	done &&
	diff -r fresh.save "$F"
'

test_expect_success '-q keeps even a dry run silent' '
	at 2023-06-02T00:00:00Z log-prune -d "$S" -n -q >out.txt 2>err.txt &&
	test ! -s out.txt && test ! -s err.txt
'

test_done
