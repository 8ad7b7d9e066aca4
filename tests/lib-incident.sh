# tests/lib-incident.sh — shared set-up for the incident-report tests
# (t5000-t5999), sourced after lib.sh and lib-register.sh.

# The tools that change state run with the clock at $AT when it is set
# (lib.sh at_AT); show and list take it as --now.

# inc_state: a state directory $D with manager boss (password file
# $TMP/pw.boss) and operator op1 (not a manager), made at $AT.
inc_state() {
	at_AT reg_state && at_AT bootstrap && at_AT add_pw op1
}

# irb ARGS...: incident-report as boss at $AT, the password on descriptor 3.
irb() {
	at_AT incident-report -d "$D" -b boss --by-password-fd 3 "$@" 3<"$TMP/pw.boss"
}

# inew ARGS...: records an incident as boss and prints its id.
inew() {
	irb new "$@"
}

# istep ID STEP ARGS...: records a step as boss.
istep() {
	_id=$1 _s=$2; shift 2
	irb step "$_id" --step "$_s" "$@"
}

# jq_py EXPR: evaluates a python expression over the JSON document on
# stdin, bound to d; prints the result.
jq_py() {
	python3 -c 'import json,sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# json_true EXPR: the python expression over the JSON document on stdin
# (bound to d) is true; otherwise prints the document and fails.
json_true() {
	python3 -c 'import json,sys
d = json.load(sys.stdin)
if not eval(sys.argv[1]):
    print("false:", sys.argv[1], json.dumps(d, ensure_ascii=False)); sys.exit(1)' "$1"
}

# rows ID: the number of rows of incidents.csv for incident ID (python csv).
rows() {
	python3 -c 'import csv,sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1], newline="")) if r["incident"] == sys.argv[2]))' "$D/incidents.csv" "$1"
}

# inc_log RESULT PATTERN: oplog records with action incident, that result,
# and a detail matching PATTERN.
inc_log() { log_count incident "$1" "$2"; }

# bad_new PATTERN ARGS...: new is refused with exit 2, one line matching
# PATTERN on stderr, nothing on stdout, incidents.csv unchanged, and
# nothing logged: a request refused for its own content is refused before
# the manager is asked (no auth record, no incident record).
bad_new() {
	_pat=$1; shift
	cp "$D/incidents.csv" before && cp "$D/oplog.csv" log.before &&
	test_must_fail 2 inew "$@" >out 2>err &&
	one_line_matching err "$_pat" &&
	test ! -s out &&
	cmp "$D/incidents.csv" before &&
	cmp "$D/oplog.csv" log.before
}

# refused ID STEP PATTERN ARGS...: the step is refused with exit 2, one
# line matching PATTERN, incidents.csv unchanged.
refused() {
	_id=$1 _s=$2 _p=$3; shift 3
	cp "$D/incidents.csv" before &&
	test_must_fail 2 istep "$_id" "$_s" "$@" >out 2>err &&
	one_line_matching err "$_p" &&
	test ! -s out &&
	cmp "$D/incidents.csv" before
}
