# tests/lib-register.sh — shared set-up for the register and gate tests
# (t2000-t2999), sourced after lib.sh.  Passwords live in files under $TMP
# (mode 0600) and reach the tools through --password-fd/--by-password-fd,
# never argv or the environment.

# conf_set DIR KEY VALUE: replaces the key's line in DIR/jukisec.conf.
conf_set() {
	sed -i "s|^$2 = .*|$2 = $3|" "$1/jukisec.conf" &&
	grep -q "^$2 = $3\$" "$1/jukisec.conf"
}

# The state directory of the test file (each test runs in a subshell, so
# it is set here, once).
D=$TMP/state

# reg_state [DIR]: an initialised state directory (default $D) with the KDF
# at the OWASP floor, so the tests stay fast.
reg_state() {
	init_state "${1:-$D}" &&
	conf_set "${1:-$D}" kdf_memory_kib 19456 &&
	conf_set "${1:-$D}" kdf_time 2
}

# pw NAME TEXT: writes the password file $TMP/pw.NAME.
pw() { printf '%s\n' "$2" >"$TMP/pw.$1" && chmod 600 "$TMP/pw.$1"; }

# bootstrap: registers manager "boss" (password exception) in $D.
bootstrap() {
	pw boss 'boss-secret-1' &&
	operator-add -d "$D" -i boss -n 'Boss' -r manager -m password \
	    --reason 'no reader yet' --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.boss"
}

# add_pw ID [ARGS...]: registers ID by password exception as boss; the
# password is "ID-secret-1" (file $TMP/pw.ID).
add_pw() {
	_id=$1; shift
	pw "$_id" "$_id-secret-1" &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i "$_id" -n "$_id" \
	    -m password --reason 'injured finger' --instructions-given 2026-11-20 \
	    --password-fd 3 "$@" 3<"$TMP/pw.$_id" 4<"$TMP/pw.boss"
}

# auth ID PWFILE [ARGS...]: auth-check with the password from the file.
auth() {
	_id=$1 _f=$2; shift 2
	auth-check -d "$D" -u "$_id" --password-fd 3 "$@" 3<"$_f"
}

# field ID COLUMN: one column of ID's row, read with python's csv module.
field() {
	python3 -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    if r["id"] == sys.argv[2]: print(r[sys.argv[3]])' "$D/operators.csv" "$1" "$2"
}

# csv_set FILE KEY COLUMN VALUE: sets one field of the row whose first
# field is KEY, by hand, as an editor, an old copy or an intruder with the
# file would (a column FILE does not have is left alone).
csv_set() {
	python3 - "$@" <<-\EOF
	import csv, sys
	p, key, col, val = sys.argv[1:]
	rows = list(csv.reader(open(p, newline="")))
	if col not in rows[0]: sys.exit(0)
	i = rows[0].index(col)
	for r in rows[1:]:
	    if r[0] == key: r[i] = val
	csv.writer(open(p, "w", newline=""), lineterminator="\n").writerows(rows)
	EOF
}

# regcol ID COLUMN VALUE: csv_set on operators.csv.
regcol() { csv_set "$D/operators.csv" "$@"; }

# log_count ACTION RESULT PATTERN: oplog records with that action, result
# and a detail matching PATTERN (extended regex).
log_count() {
	python3 -c 'import csv,re,sys
n=0
for r in csv.reader(open(sys.argv[1], newline="")):
    if len(r) > 7 and r[4] == sys.argv[2] and r[6] == sys.argv[3] and re.search(sys.argv[4], r[7]): n += 1
print(n)' "$D/oplog.csv" "$1" "$2" "$3"
}
