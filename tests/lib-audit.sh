# tests/lib-audit.sh — helpers for the jukisec-audit tests (t6000-t6999),
# sourced after lib.sh and lib-register.sh.  States are built with the real
# tools; the report is read back as CSV with mlr (one row per finding),
# once per report (report_split).

# audit_state: $D initialised (fast KDF), manager boss registered, the log
# verification key in $D.key (0600, as log-verify wants it), the
# committee's confirmation items dropped (t6095 keeps them).
audit_state() {
	reg_state && chmod 600 "$D.key" && bootstrap && confirm_items_off
}

# audit_run [ARGS...]: jukisec-audit -d $D --format csv ARGS into $TMP/a.csv
# (stderr $TMP/a.err); its exit status in $ast.  Never fails itself.
audit_run() {
	ast=0
	jukisec-audit -d "$D" --format csv "$@" >"$TMP/a.csv" 2>"$TMP/a.err" || ast=$?
}

# report_split: the last report ($TMP/a.csv) read with mlr once, into a
# file per check under $TMP/a.f: CHECK.f its "STATUS SUBJECTS", CHECK.d
# its detail, .fail the checks that FAIL; made again unless a.csv is the
# report they were made of, byte for byte (tests write a.csv themselves
# too).  finding and detail read those with the shell's read: an mlr
# start per finding (20 ms) cost more than the audit it reads.
report_split() {
	[ -f "$TMP/a.f/.done" ] && cmp -s "$TMP/a.f/.src" "$TMP/a.csv" && return 0
	rm -rf "$TMP/a.f" && mkdir "$TMP/a.f" && cp "$TMP/a.csv" "$TMP/a.f/.src" &&
	mlr --icsv --from "$TMP/a.csv" put -q -s d="$TMP/a.f" '
	    print > @d . "/" . $check . ".f", $status . " " . $subjects;
	    print > @d . "/" . $check . ".d", $detail;
	    if ($status == "FAIL") { print > @d . "/.fail", $check }' &&
	: >"$TMP/a.f/.done"
}

# report_cat FILE: FILE of report_split on stdout (nothing if none).
report_cat() {
	[ -f "$TMP/a.f/$1" ] || return 0
	while IFS= read -r _rl; do printf '%s\n' "$_rl"; done <"$TMP/a.f/$1"
}

# finding CHECK: "STATUS SUBJECTS" of CHECK in the last report.
finding() { report_split && report_cat "$1.f"; }

# detail CHECK: the detail column of CHECK.
detail() { report_split && report_cat "$1.d"; }

# expect CHECK 'STATUS SUBJECTS': the finding is exactly that.
expect() {
	_got=$(finding "$1")
	[ "$_got" = "$2" ] && return 0
	echo "finding $1: want '$2', got '$_got'" >&2
	echo "detail: $(detail "$1")" >&2
	return 1
}

# no_fail: no finding of the last report is FAIL and the status was 0.
no_fail() {
	_f=$(report_split && report_cat .fail) || return 1
	[ -z "$_f" ] && [ "$ast" -eq 0 ] && return 0
	echo "exit $ast; failing: $_f" >&2
	cat "$TMP/a.csv" >&2
	return 1
}

# confirm_items_off: drops the committee's confirmation items of
# jukisec.conf (R7, R8, R10, R11), for tests about the other findings.
confirm_items_off() {
	for _i in server-room fault-measures staff-duties contract-1 contract-2 contract-3 \
	    contract-4 contract-5 contract-6; do
		echo "confirm.$_i = off" >>"$D/jukisec.conf" || return 1
	done
}

# ja_words FILE: no line of the Japanese report FILE names a file, a tool,
# a setting's key or an id where the committee reads it (issue 14):
# operators.csv, oplog, .csv, credentials, .phc, .tmpl, .key, .head,
# jukisec.conf, a key such as lockout_unlock_minutes, operator-mod,
# log-append, uid, seq, a mode (のモード), the test's directory (but on
# the header line that names the state directory: body); the lines that
# do on stderr.
ja_words() {
	! body "$1" | grep -n -e 'operators\.csv\|oplog\|\.csv\|credentials\|\.phc\|\.tmpl' \
	    -e '\.key\|\.head\|jukisec\.conf\|[a-z]_[a-z]\|operator-mod\|log-append' \
	    -e 'uid\|seq\|のモード' -e "$TMP" >&2
}

# body FILE: the text report FILE without the header line that names the
# state directory audited (Issue 7), the one place a path belongs.
body() {
	grep -v -e '^State dir:    ' -e '^状態ディレクトリ: ' "$1"
}
