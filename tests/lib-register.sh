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

# The days the R5.3 instructions were given, for bootstrap and add_pw: not
# after the day they run (a later one is refused), so a test whose clock is
# earlier sets its own.
INSTR_BOOT=${INSTR_BOOT:-2026-11-01} INSTR_PW=${INSTR_PW:-2026-11-20}

# bootstrap: registers manager "boss" (password exception) in $D.
bootstrap() {
	pw boss 'boss-secret-1' &&
	operator-add -d "$D" -i boss -n 'Boss' -r manager -m password \
	    --reason 'no reader yet' --instructions-given "$INSTR_BOOT" \
	    --password-fd 3 3<"$TMP/pw.boss"
}

# add_pw ID [ARGS...]: registers ID by password exception as boss; the
# password is "ID-secret-1" (file $TMP/pw.ID).
add_pw() {
	_id=$1; shift
	pw "$_id" "$_id-secret-1" &&
	operator-add -d "$D" -b boss --by-password-fd 4 -i "$_id" -n "$_id" \
	    -m password --reason 'injured finger' --instructions-given "$INSTR_PW" \
	    --password-fd 3 "$@" 3<"$TMP/pw.$_id" 4<"$TMP/pw.boss"
}

# auth ID PWFILE [ARGS...]: auth-check with the password from the file.
auth() {
	_id=$1 _f=$2; shift 2
	auth-check -d "$D" -u "$_id" --password-fd 3 "$@" 3<"$_f"
}

# field ID COLUMN: one column of ID's row, read as CSV (csv_awk); a
# column the header does not have is an error.
field() {
	(_fi=$1 _fc=$2; export _fi _fc; csv_awk '
	!h && NF_ { h = 1; for (k = 1; k <= NF_; k++) col[F[k]] = k
		if (!(ENVIRON["_fc"] in col)) { print "field: no column " ENVIRON["_fc"] >"/dev/stderr"; exit 1 }
		c = col[ENVIRON["_fc"]]; next }
	NF_ && F[col["id"]] == ENVIRON["_fi"] { print F[c] }' "$D/operators.csv")
}

# logged_fails ID: the "auth" records of ID that count a failure (a wrong
# password, an attempt while locked), since its last admission or unlock (t2606, t2610).
logged_fails() {
	(_i=$1; export _i; csv_awk '
	NF_ > 7 && F[6] == ENVIRON["_i"] && F[5] == "auth" {
		if (F[7] == "ok") n = 0
		else if (F[8] ~ /reason=(wrong-password|locked)( |$)/) n++ }
	NF_ > 7 && F[6] == ENVIRON["_i"] && F[5] == "operator-mod" && F[8] ~ /unlock/ { n = 0 }
	END { print n + 0 }' "$D/oplog.csv")
}

# counted ID...: each ID's failed count is the failures its records show
# (field and logged_fails of each ID, in one csv_awk over both files: it
# runs after every fault and kill of the crash tests).
counted() {
	(_ids=" $* "; export _ids; csv_awk '
	FILENAME != cur { cur = FILENAME; file++; h = 0 }
	file == 1 && !h && NF_ { h = 1; for (k = 1; k <= NF_; k++) col[F[k]] = k
		if (!("failed" in col) || !("id" in col)) { print "counted: no column failed" >"/dev/stderr"; bad = 2; exit 2 }
		next }
	file == 1 && NF_ && index(ENVIRON["_ids"], " " F[col["id"]] " ") {
		_r = F[col["id"]]; reg[_r] = nreg[_r]++ ? reg[_r] "\n" F[col["failed"]] : F[col["failed"]] }
	file == 2 && NF_ > 7 && F[5] == "auth" {
		if (F[7] == "ok") n[F[6]] = 0
		else if (F[8] ~ /reason=(wrong-password|locked)( |$)/) n[F[6]]++ }
	file == 2 && NF_ > 7 && F[5] == "operator-mod" && F[8] ~ /unlock/ { n[F[6]] = 0 }
	END {
		if (bad == 2) exit 2
		k = split(ENVIRON["_ids"], ids, " ")
		for (i = 1; i <= k; i++)
			if ((reg[ids[i]] "") != (n[ids[i]] + 0 "")) {
				print ids[i] ": failed=" reg[ids[i]] ", logged " (n[ids[i]] + 0) >"/dev/stderr"
				bad = 1
			}
		exit bad
	}' "$D/operators.csv" "$D/oplog.csv")
}

# ok_save ID: copies of what ID's last admission left (the register, ID's
# hash, the log and its head), for ok_same.
ok_save() {
	cp "$D/operators.csv" reg.ok && cp "$D/credentials/$1.phc" phc.ok &&
	cp "$D/oplog.csv" log.ok && cp "$D/oplog.head" head.ok
}

# ok_same ID: all four as ok_save left them, and no temporary file in $D.
ok_same() {
	cmp reg.ok "$D/operators.csv" && cmp phc.ok "$D/credentials/$1.phc" &&
	cmp log.ok "$D/oplog.csv" && cmp head.ok "$D/oplog.head" && no_tmp "$D"
}

# creds: $_cr, the names in $D/credentials as ls lists them (not those
# that begin with a dot, sorted), by a glob: no process.
creds() {
	_cr=
	for _c in "$D"/credentials/*; do
		[ -e "$_c" ] || [ -L "$_c" ] || continue
		_cr="$_cr${_cr:+ }${_c##*/}"
	done
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
	(_la=$1 _lr=$2 _lp=$3; export _la _lr _lp; csv_awk '
	NF_ > 7 && F[5] == ENVIRON["_la"] && F[7] == ENVIRON["_lr"] && F[8] ~ ENVIRON["_lp"] { n++ }
	END { print n + 0 }' "$D/oplog.csv")
}

# by_tools_one_line PATTERN [WRAPPER...]: every tool a manager's -b
# reaches (operator-add, with boss's password and with a wrong one,
# operator-mod, operator-revoke of tanaka, incident-report new), run under
# WRAPPER when given, exits 3 with one line on stderr matching PATTERN:
# a failure of the log said once, operator-add's own record of the
# attempt included (t2100, t2120, t2130).
by_tools_one_line() {
	_bp=$1; shift
	pw byadd byadd-secret-1 && pw bywrong Not-The-Pw-42 || return 1
	for _bt in add add-wrong mod revoke incident; do
		_bf=$TMP/pw.boss
		[ $_bt = add-wrong ] && _bf=$TMP/pw.bywrong
		case $_bt in
		add*) test_must_fail 3 "$@" operator-add -d "$D" -b boss \
		    --by-password-fd 4 -i byadd -n byadd -m password --reason r \
		    --instructions-given "$INSTR_PW" --password-fd 3 \
		    3<"$TMP/pw.byadd" 4<"$_bf" 2>"$TMP/by.err" ;;
		mod) test_must_fail 3 "$@" operator-mod -d "$D" -b boss \
		    --by-password-fd 4 -i tanaka -s x 4<"$TMP/pw.boss" \
		    2>"$TMP/by.err" ;;
		revoke) test_must_fail 3 "$@" operator-revoke -d "$D" -b boss \
		    --by-password-fd 4 -i tanaka --reason x 4<"$TMP/pw.boss" \
		    2>"$TMP/by.err" ;;
		incident) test_must_fail 3 "$@" incident-report new -d "$D" \
		    -b boss --by-password-fd 4 --type other --cause other \
		    --summary x 4<"$TMP/pw.boss" 2>"$TMP/by.err" ;;
		esac &&
		one_line_matching "$TMP/by.err" "$_bp" ||
		    { echo "($_bt)" >&2; return 1; }
	done
}

# blocked_read PID FD: waits until PID sleeps in a system call on
# descriptor FD (the read of a password from a FIFO), at most 10 s.  Where
# /proc/PID/syscall is not readable (ptrace restrictions), sleeping at all
# is taken as the sign.
blocked_read() {
	_i=0
	while :; do
		_s=$(cut -d" " -f3 "/proc/$1/stat" 2>/dev/null) &&
		{ _a=$(cut -d" " -f2 "/proc/$1/syscall" 2>/dev/null) ||
		    _a=0x$2; } &&
		[ "$_s" = S ] && [ "$_a" = "0x$2" ] && return 0
		_i=$((_i + 1)); [ $_i -lt 1000 ] || return 1; sleep 0.01
	done
}
