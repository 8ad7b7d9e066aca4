#!/bin/sh
# log-prune --archive: the archive alone, the log alone and both as one
# chain verify; the archive is 0600, never gets a record twice, refuses
# another log's archive; --archive - writes chunks to stdout, and a
# reader gone is exit 3; --dry-run changes nothing.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-prune.sh"

S=$TMP/s
init_at "$S"
rec "$S" "2022-03-01 09:00:00" A 5
rec "$S" "2022-09-01 09:00:00" B 5
rec "$S" "2023-03-01 09:00:00" C 5
rec "$S" "2023-09-01 09:00:00" D 5
N1=2023-03-01T09:30:00Z N2=2023-09-01T09:30:00Z
A=$TMP/arch/oplog-archive.csv
mkdir -m 700 "$TMP/arch"

test_expect_success 'a dry run changes nothing, not even the head or the key' '
	cp -a "$S" before &&
	at "$N1" log-prune -d "$S" -n -a "$A" >out.txt &&
	grep -q "^would remove" out.txt &&
	for f in oplog.csv oplog.head oplog.key; do cmp "$S/$f" "before/$f" || exit 1; done &&
	test ! -e "$A" && test "$(ls -A "$S" | sort)" = "$(ls -A before | sort)"
'

test_expect_success 'first prune: archive created 0600, holds exactly what was removed' '
	seqs "$S/oplog.csv" >all1.txt &&
	prune "$S" "$N1" -a "$A" &&
	test "$(stat -c %a "$A")" = 600 &&
	head -1 "$A" | grep -qx "$LOG_HEADER" &&
	awk -F, "\$6==\"A\"" "$A" | wc -l | grep -qx 5 &&
	seqs "$A" >a.txt && seqs "$S/oplog.csv" >l.txt &&
	cat a.txt l.txt | sort -n | uniq -d >dup.txt && test ! -s dup.txt &&
	sort -n a.txt l.txt | sed \$d | cmp - all1.txt
'

test_expect_success 'the log alone, the archive alone, and both as one chain verify' '
	verify "$S" "$N2" >/dev/null &&
	verify "$S" "$N2" "$A" >/dev/null &&
	verify "$S" "$N2" "$A" "$S/oplog.csv" >/dev/null
'

test_expect_success 'the archive and the log read with other CSV tools' '
	mlr --icsv --ojson cat "$A" >/dev/null &&
	python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert r[0][\"seq\"]==\"0\"" "$A"
'

test_expect_success 'second prune appends a chunk; the whole chain still verifies' '
	prune "$S" "$N2" -a "$A" &&
	test "$(grep -c "^seq," "$A")" -eq 1 &&
	verify "$S" "$N2" "$A" >/dev/null &&
	verify "$S" "$N2" "$A" "$S/oplog.csv" >/dev/null &&
	awk -F, "\$6==\"B\"" "$A" | wc -l | grep -qx 5 &&
	! has "$S" B && has "$S" C
'

test_expect_success 'running it again changes no record, nor the archive: it adds its own' '
	cp "$A" a.save && cp "$S/oplog.csv" l.save &&
	prune "$S" "$N2" -a "$A" &&
	cmp "$A" a.save && cmp -n "$(wc -c <l.save)" "$S/oplog.csv" l.save &&
	test "$(wc -l <"$S/oplog.csv")" -eq $(($(wc -l <l.save) + 1)) &&
	tail -1 "$S/oplog.csv" | grep -q ",-,log-prune,oplog.csv,ok,removed=0 cutoff=" &&
	verify "$S" "$N2" "$A" "$S/oplog.csv" >/dev/null
'

test_expect_success 'a record already archived (killed before the log changed) is not written twice' '
	rm -rf t && cp -a "$S" t && cp -p "$S.key" t.key &&
	rec "$TMP/t" "2023-09-02 09:00:00" E 2 &&
	cp -p "$A" ta.csv &&
	cp -a "$TMP/t" t-before &&
	prune "$TMP/t" 2024-09-01T09:30:00Z -a "$TMP/ta.csv" &&
	cp -p t-before/oplog.csv t-before/oplog.head t-before/oplog.key "$TMP/t/" &&
	cp ta.csv ta.once &&
	prune "$TMP/t" 2024-09-01T09:30:00Z -a "$TMP/ta.csv" &&
	cmp ta.csv ta.once &&
	seqs ta.csv | sort -n | uniq -d >dup.txt && test ! -s dup.txt &&
	verify t 2024-09-01T09:30:00Z "$TMP/ta.csv" "$TMP/t/oplog.csv" >/dev/null
'

test_expect_success 'a partial last line in the archive is cut before appending' '
	rm -rf u && cp -a t-before u && cp -p "$S.key" u.key &&
	cp -p "$A" ua.csv && printf "999,2023-0" >>ua.csv &&
	prune "$TMP/u" 2024-09-01T09:30:00Z -a "$TMP/ua.csv" &&
	! grep -q "^999," ua.csv &&
	verify u 2024-09-01T09:30:00Z "$TMP/ua.csv" "$TMP/u/oplog.csv" >/dev/null
'

# quote_all: standard input, a CSV file, with every value quoted, as
# Python's csv with QUOTE_ALL writes it.
quote_all() {
	python3 -c "import csv, sys
w = csv.writer(sys.stdout, quoting=csv.QUOTE_ALL, lineterminator=chr(10))
w.writerows(csv.reader(sys.stdin))"
}

# requoted HOW SRC DST: the archive SRC as another CSV writer rewrote it:
# its last record with seq and MAC quoted (lastq), its header row quoted
# (headq), every value quoted (all), or that and a header row after its
# last record, a chunk of a run that removed nothing (tailhead), or two
# (tailheads).
requoted() {
	case $1 in
	lastq) sed "\$s/^\([0-9]*\),/\"\1\",/; \$s/,\([0-9a-f]*\)\$/,\"\1\"/" "$2" ;;
	headq) sed "1s/[^,]*/\"&\"/g" "$2" ;;
	all) quote_all <"$2" ;;
	tailhead) { cat "$2" && head -1 "$2"; } | quote_all ;;
	tailheads) { cat "$2" && head -1 "$2" && head -1 "$2"; } | quote_all ;;
	esac >"$3" && chmod 600 "$3"
}

# A reader takes any RFC 4180 quoting of an archive's values
# (jukisec-log(5)): log-prune reads the archive's header row and last
# record as log-verify does.  ta.once holds records t-before's log still
# has (a prune killed before the log changed): none is written twice.
for how in lastq headq all tailhead tailheads; do
test_expect_success "an archive requoted by another CSV writer ($how): appended after, nothing twice" '
	rm -rf v && cp -a t-before v && cp -p "$S.key" v.key &&
	requoted '$how' ta.once va.csv && ! cmp -s va.csv ta.once &&
	verify v 2024-09-01T09:30:00Z va.csv >/dev/null &&
	prune "$TMP/v" 2024-09-01T09:30:00Z -a "$TMP/va.csv" &&
	python3 -c "import csv, sys
s = [r[0] for r in csv.reader(open(sys.argv[1], newline=str())) if r[0] != \"seq\"]
assert len(s) == len(set(s)), \"a seq twice\"" va.csv &&
	verify v 2024-09-01T09:30:00Z "$TMP/va.csv" "$TMP/v/oplog.csv" >/dev/null
'
done

test_expect_success 'an archive of its header row alone, quoted: the records follow it' '
	for q in plain quoted; do
		rm -rf v && cp -a t-before v && cp -p "$S.key" v.key &&
		head -1 "$A" >hdr.csv && chmod 600 hdr.csv &&
		if [ $q = quoted ]; then requoted headq hdr.csv va.csv; else cp -p hdr.csv va.csv; fi &&
		prune "$TMP/v" 2024-09-01T09:30:00Z -a "$TMP/va.csv" &&
		test "$(grep -c "seq" va.csv)" -eq 1 &&
		sed 1d va.csv >va.$q && test -s va.$q || return 1
	done &&
	cmp va.plain va.quoted && head -1 va.csv | grep -q "^\"seq\","
'

# A header row of the other format at the end is no chunk of this log's
# archive: refused, as one at its start is.
test_expect_success 'a requoted archive that ends in a header row of the other format: refused, untouched' '
	rm -rf v && cp -a t-before v && cp -p "$S.key" v.key &&
	{ cat ta.once && head -1 ta.once | sed "s/hmac_v1\$/gmac_v2/"; } >tb.csv && requoted all tb.csv va.csv &&
	cp va.csv va.before && at 2024-09-01T09:30:00Z log-append -d "$TMP/v" --seal &&
	test_must_fail 3 at 2024-09-01T09:30:00Z log-prune -d "$TMP/v" -a "$TMP/va.csv" 2>err &&
	one_line_matching err "va.csv:[0-9]+: " && cmp va.csv va.before
'

# Only a header row a kill cut short is taken for a partial first line
# and cut: any other file without a line feed is refused, as it was.
test_expect_success 'a short file without a line feed is no archive: refused, untouched' '
	rm -rf w && cp -a t-before w && cp -p "$S.key" w.key &&
	at 2024-09-01T09:30:00Z log-append -d "$TMP/w" --seal &&
	for n in 30 100 300; do
		head -c $n /dev/zero | tr "\000" x >arch/nolf.csv && chmod 600 arch/nolf.csv &&
		cp arch/nolf.csv nolf.before &&
		test_must_fail 3 at 2024-09-01T09:30:00Z log-prune -d "$TMP/w" -a "$TMP/arch/nolf.csv" 2>err &&
		one_line_matching err "nolf.csv:1: not an operation log \(header row\)" &&
		cmp arch/nolf.csv nolf.before || return 1
	done &&
	printf "seq,time,termin" >arch/cut.csv && chmod 600 arch/cut.csv &&
	prune "$TMP/w" 2024-09-01T09:30:00Z -a "$TMP/arch/cut.csv" &&
	head -1 arch/cut.csv | grep -qx "$LOG_HEADER"
'

test_expect_success 'the archive of another log is refused (3), the log untouched' '
	rm -rf o && init_at "$TMP/o" &&
	rec "$TMP/o" "2022-03-01 09:00:00" X 3 && rec "$TMP/o" "2023-09-01 09:00:00" Y &&
	cp "$TMP/o/oplog.csv" o.save &&
	test_must_fail 3 at "$N1" log-prune -d "$TMP/o" -a "$A" 2>err.txt &&
	one_line_matching err.txt "not this log.s archive" &&
	cmp o.save "$TMP/o/oplog.csv"
'

test_expect_success 'a group-writable archive or a symlink is refused (3)' '
	: >gw.csv && chmod 660 gw.csv &&
	test_must_fail 3 at "$N1" log-prune -d "$TMP/o" -a "$TMP/gw.csv" 2>err.txt &&
	one_line_matching err.txt "gw.csv: not owned by us or root, or open to others: refused" &&
	ln -s "$A" link.csv &&
	test_must_fail 3 at "$N1" log-prune -d "$TMP/o" -a "$TMP/link.csv" 2>err.txt &&
	one_line_matching err.txt "link.csv: a symbolic link: refused" &&
	cmp o.save "$TMP/o/oplog.csv"
'

test_expect_success '--archive - writes a chunk with a header to stdout, the summary to stderr' '
	prune "$TMP/o" "$N1" -v -a - >chunk.csv 2>sum.txt &&
	head -1 chunk.csv | grep -q "^seq,time," &&
	one_line_matching sum.txt "^removed [0-9]+ records" &&
	verify o "$N2" chunk.csv >/dev/null &&
	verify o "$N2" chunk.csv "$TMP/o/oplog.csv" >/dev/null
'

test_expect_success 'log-prune -a - | gzip >> archive.gz: concatenated chunks verify' '
	rm -rf g && init_at "$TMP/g" &&
	rec "$TMP/g" "2022-03-01 09:00:00" A 3 && rec "$TMP/g" "2022-09-01 09:00:00" B 3 &&
	rec "$TMP/g" "2023-09-01 09:00:00" C 3 &&
	prune "$TMP/g" 2023-03-01T09:30:00Z -a - | gzip >>g.csv.gz &&
	prune "$TMP/g" 2023-09-01T09:30:00Z -a - | gzip >>g.csv.gz &&
	test "$(zcat g.csv.gz | grep -c "^seq,")" -eq 2 &&
	zcat g.csv.gz >g.csv &&
	verify g 2023-09-01T09:30:00Z g.csv >/dev/null &&
	verify g 2023-09-01T09:30:00Z g.csv "$TMP/g/oplog.csv" >/dev/null
'

test_expect_success 'log-prune -a - >> FILE (an O_APPEND standard output): chunks verify' '
	rm -rf h && init_at "$TMP/h" &&
	rec "$TMP/h" "2022-03-01 09:00:00" A 3 && rec "$TMP/h" "2022-09-01 09:00:00" B 3 &&
	rec "$TMP/h" "2023-09-01 09:00:00" C 3 &&
	prune "$TMP/h" 2023-03-01T09:30:00Z -a - >>h.csv &&
	prune "$TMP/h" 2023-09-01T09:30:00Z -a - >>h.csv &&
	test "$(grep -c "^seq," h.csv)" -eq 2 && grep -q ",B,ok,copy 2," h.csv &&
	verify h 2023-09-01T09:30:00Z h.csv "$TMP/h/oplog.csv" >vout &&
	grep -q "^ok: [0-9]* records, seq 0-" vout
'

# lived DIR: a log begun 2022-01-01, records A on 2022-03-01, a terminal
# in use until 2023-09-01 (lib-prune.sh live: 91 appends, each under
# faketime) and records C then; its key in DIR.key.  Three tests need
# that history and change it apart: it is made once, then copied (cp -a).
lived() {
	if [ ! -d "$TMP/lived" ]; then
		init_at "$TMP/lived" &&
		rec "$TMP/lived" "2022-03-01 09:00:00" A 3 &&
		live "$TMP/lived" "2022-03-01 09:00:00" "2023-09-01 09:00:00" &&
		rec "$TMP/lived" "2023-09-01 09:00:00" C 3 || return 1
	fi
	rm -rf "$1" && cp -a "$TMP/lived" "$1" && cp -p "$TMP/lived.key" "$1.key"
}

# A reader gone from the pipe is a write error (EPIPE), never a SIGPIPE
# death without a word: before the log changes, nothing is removed (the
# records are still in the log); after it, the prune stands and its
# record says so (log-prune(1) EXIT STATUS).
test_expect_success 'log-prune -a -, its reader gone: exit 3, one line, the log as it was' '
	lived "$TMP/p" &&
	at "$N2" log-append -d "$TMP/p" --seal && cp -a "$TMP/p" p.save &&
	no_reader at "$N2" log-prune -d "$TMP/p" -a - 2>err &&
	test "$(cat "$TMP/no_reader.rc")" = 3 &&
	one_line_matching err "^log-prune: <stdout>: Broken pipe\$" &&
	for f in oplog.csv oplog.head oplog.key; do cmp "$TMP/p/$f" "p.save/$f" || exit 1; done
'

test_expect_success 'log-prune -v, its reader gone: exit 3, one line, the prune made' '
	no_reader at "$N2" log-prune -d "$TMP/p" -v --discard 2>err &&
	test "$(cat "$TMP/no_reader.rc")" = 3 &&
	one_line_matching err "^log-prune: write error: standard output: Broken pipe\$" &&
	! has "$TMP/p" A && has "$TMP/p" C && verify p "$N2" >/dev/null &&
	tail -1 "$TMP/p/oplog.csv" | grep -q ",-,log-prune,oplog.csv,ok,removed="
'

test_expect_success 'the first year: nightly prunes remove nothing, and the README check passes every night' '
	rm -rf f && init_at "$TMP/f" 2025-01-01T00:00:00Z && mkdir -m 700 farch &&
	for day in 2025-01-02 2025-03-01 2025-06-30 2025-12-30; do
		prune "$TMP/f" "${day}T03:30:00Z" -v -a "$TMP/farch/oplog-archive.csv" >sum.txt &&
		grep -q "^nothing before" sum.txt &&
		test "$(cat farch/oplog-archive.csv)" = "$(head -1 "$TMP/f/oplog.csv")" &&
		rec "$TMP/f" "$day 10:00:00" X 2 &&
		log-verify --key-file "$TMP/f.key" --now "${day}T11:00:00Z" \
		    "$TMP/farch/oplog-archive.csv" "$TMP/f/oplog.csv" >out || exit 1
	done &&
	grep -q "^ok: .* seq 0-" out &&
	log-verify --key-file "$TMP/f.key" farch/oplog-archive.csv >out && grep -q "^ok: 0 records" out
'

test_expect_success 'an empty archive left by an older version gets its header row' '
	: >farch/empty.csv && chmod 600 farch/empty.csv &&
	prune "$TMP/f" 2025-12-31T03:30:00Z -a "$TMP/farch/empty.csv" &&
	test "$(cat farch/empty.csv)" = "$(head -1 "$TMP/f/oplog.csv")"
'

test_expect_success 'zcat ARCHIVE.gz | log-verify --key-file KEY - LOG works, from the first night on' '
	rm -rf z && init_at "$TMP/z" &&
	rec "$TMP/z" "2022-03-01 09:00:00" A 3 &&
	prune "$TMP/z" 2022-06-01T03:30:00Z -a - | gzip >>z.csv.gz &&
	zcat z.csv.gz | log-verify --key-file z.key --now 2022-06-01T04:00:00Z - "$TMP/z/oplog.csv" >out &&
	grep -q "^ok: .* seq 0-" out &&
	rec "$TMP/z" "2023-03-01 09:00:00" B 3 &&
	prune "$TMP/z" 2023-03-02T03:30:00Z -a - | gzip >>z.csv.gz &&
	! has "$TMP/z" A &&
	zcat z.csv.gz | log-verify --key-file z.key --now 2023-03-02T04:00:00Z - "$TMP/z/oplog.csv" >out &&
	grep -q "^ok: .* seq 0-.*, pruned" out &&
	test_must_fail 2 log-verify --key-file - - <z.key 2>err &&
	grep -q "standard input (-) given twice" err
'

test_expect_success 'without the archive the pruned log alone still verifies' '
	lived "$TMP/n" &&
	prune "$TMP/n" "$N2" --discard && ! has "$TMP/n" A &&
	verify n "$N2" >/dev/null
'

test_expect_success 'the log without its checkpoint fails verification' '
	sed "\$d" "$TMP/n/oplog.csv" >nocp.csv &&
	test_must_fail 1 verify n "$N2" nocp.csv 2>err.txt &&
	grep -q "without checkpoint" err.txt
'

# A group the caller may give its files: nogroup as root, else one of
# the caller's other groups.
if [ "$(id -u)" -eq 0 ]; then G=65534; else G=$(id -G | tr " " "\n" | grep -vx "$(id -g)" | head -n 1); fi
if [ -n "$G" ]; then
	test_expect_success 'a group-readable log (0750 directory, 0640 files) stays so after a prune' '
		lived "$TMP/g" &&
		chgrp -R "$G" "$TMP/g" && chmod 750 "$TMP/g" &&
		chmod 640 "$TMP/g/oplog.csv" "$TMP/g/oplog.head" &&
		prune "$TMP/g" "$N2" --discard && ! has "$TMP/g" A &&
		test "$(stat -c "%a %g" "$TMP/g/oplog.csv")" = "640 $G" &&
		verify g "$N2" >/dev/null &&
		chmod 600 "$TMP/g/oplog.csv" &&
		live "$TMP/g" "2023-09-01 09:00:00" "2024-09-01 09:00:00" &&
		rec "$TMP/g" "2024-09-01 09:00:00" D 3 &&
		live "$TMP/g" "2024-09-01 09:00:00" "2025-01-01 00:00:00" &&
		prune "$TMP/g" 2025-01-01T00:00:00Z --discard && ! has "$TMP/g" C &&
		test "$(stat -c %a "$TMP/g/oplog.csv")" = 600
	'
else
	test_skip 'a group-readable log (0750 directory, 0640 files) stays so after a prune' 'missing GROUP: the caller has no second group'
fi

# log-prune(1): the archive is flushed to disk before the log is replaced;
# one made by this run has its name in its directory synced too, or a
# power loss after the log's rename could leave the records removed and
# no archive.  That sync failing stops the run (exit 3, the log as it
# was, the new archive removed).
test_expect_success STRACE 'a new archive: its directory synced before the log is replaced' '
	init_at "$TMP/s9" && rec "$TMP/s9" "2022-03-01 09:00:00" A 3 &&
	rec "$TMP/s9" "2023-03-01 09:00:00" B 3 && mkdir -m 700 "$TMP/arch9" &&
	at "$N1" log-append -d "$TMP/s9" --seal &&
	cp -a "$TMP/s9" "$TMP/s9.sealed" &&
	at "$N1" strace -f -y -o tr -e trace=fsync,rename,renameat,renameat2 \
	    log-prune -d "$TMP/s9" -a "$TMP/arch9/a.csv" &&
	d=$(grep -n "^[0-9]* *fsync([0-9]*<$TMP/arch9>" tr | cut -d: -f1) &&
	r=$(grep -n "rename.*\"oplog.csv\"" tr | cut -d: -f1) &&
	test -n "$d" && test -n "$r" && test "$d" -lt "$r" &&
	k=$(head -n "$d" tr | grep -c " fsync(") &&
	rm -rf "$TMP/s9" "$TMP/arch9/a.csv" && cp -a "$TMP/s9.sealed" "$TMP/s9" &&
	test_must_fail 3 at "$N1" strace -f -o /dev/null -e trace=fsync \
	    -e inject=fsync:error=EIO:when=$k log-prune -d "$TMP/s9" \
	    -a "$TMP/arch9/a.csv" 2>err &&
	one_line_matching err "^log-prune: $TMP/arch9/a.csv: syncing its directory: Input/output error\$" &&
	cmp "$TMP/s9/oplog.csv" "$TMP/s9.sealed/oplog.csv" && test ! -e "$TMP/arch9/a.csv"
'

test_done
