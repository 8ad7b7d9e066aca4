# bench/lib.sh — the harness of make bench, sourced by every bench/NN-name.sh
# (bench/run exports what it needs: B, BB, BENCH, CACHE).
#
# A figure compares a tool with a baseline doing the same work, both
# measured in the same run, alternated:
#
#	pair KIND GOAL 'LABEL' TOOL BASELINE [SETUP]
#
# TOOL and BASELINE are shell commands (a function name, or a string that is
# eval'd) that time exactly one thing through sw; SETUP, if given, runs
# untimed before each of them with $side set to tool or base.  pair runs
# BENCH_ROUNDS rounds of one TOOL run and one BASELINE run, the tool first in
# odd rounds and the baseline first in even ones, so that neither always
# runs on the cache or the disk the other just left, and prints one line:
# the median over the rounds of each round's ratio, their min..max, the
# goal, met or MISSED, and the median time of each side.  KIND time is
# tool/baseline against "<= GOAL"; KIND speed is baseline/tool (the tool's
# throughput as a fraction of the baseline's) against ">= GOAL"; GOAL -
# states no goal.  The rounds stay in $B/pair for further figures of the
# same runs:
#	fig_rss 'LABEL' GOAL_MIB	the tool's peak RSS
#	fig_rate 'LABEL' COUNT GOAL_M	COUNT items / tool time, in millions/s
#	fig_ms 'LABEL' GOAL_MS		the tool's own time
#	fig_overhead 'LABEL' GOAL_MS [PER]	tool time minus baseline time [/ PER]
# A new figure is one line, e.g. for log-show (issue 12):
#	pair speed 2 'log-show --operator vs mlr filter' \
#	    'sw log-show -d "$LS" --operator clerk007' \
#	    'sw mlr --icsv --ocsv filter "\$operator == \"clerk007\"" "$LOG"'
#
# sw [-aq] [-i FILE] [-n COUNT] COMMAND [ARG...] times COMMAND with
# bench/stopwatch.c (COUNT runs in a row: their median counts), standard
# output discarded; -a accepts exit status 1 (a negative answer); -q
# discards standard error too (a prompt at every run).
#
# Output lines: "== section", "   note", and figures, which always read
#	LABEL  VALUE (MIN..MAX)  goal CMP GOAL|goal -  met|MISSED|-  details
# (tests/t0095-bench-harness.sh checks that shape).
set -eu
: "${B:?run through make bench}"
ROUNDS=${BENCH_ROUNDS:-7}
REPS=${BENCH_REPS:-20}

sw() {
	"$BB/stopwatch" -o "$B/sw.out" "$@" >/dev/null
}

section() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }

# emit LABEL VALUE MIN MAX UNIT CMP GOAL DETAILS: one figure line.
emit() {
	awk -v l="$1" -v v="$2" -v lo="$3" -v hi="$4" -v u="$5" -v c="$6" \
	    -v g="$7" -v d="$8" -v rounds="$ROUNDS" 'BEGIN {
		f = u == "x" ? "%.2f" : u == " M/s" ? "%.2f" : "%.1f"
		v += 0
		if (c == "-") { goal = "goal -"; verdict = "-" }
		else {
			goal = "goal " c " " g u
			# judged on the value itself; one that rounds onto its
			# goal is printed a digit finer, so that 0.897 never
			# reads 0.90x beside a goal of 0.9x
			ok = c == "<=" ? v <= g + 0 : v >= g + 0
			# fewer than 3 rounds: a figure, no verdict (issue 15)
			verdict = rounds < 3 ? "-" : ok ? "met" : "MISSED"
			while (v != g + 0 && sprintf(f, v) + 0 == g + 0 && f != "%.4f")
				f = f == "%.1f" ? "%.2f" : f == "%.2f" ? "%.3f" : "%.4f"
		}
		val = sprintf(f "%s (" f ".." f ")", v, u, lo, hi)
		printf "%-50s %-24s %-16s %-6s %s\n", l, val, goal, verdict, d
	}'
}

# fmt_ns NS: a time for humans.
fmt_ns() {
	awk -v n="$1" 'BEGIN {
		if (n >= 1e9) printf "%.3f s", n / 1e9
		else if (n >= 1e7) printf "%.1f ms", n / 1e6
		else printf "%.2f ms", n / 1e6
	}'
}

# stats COLUMN: "median min max" of a column of $B/pair
# (rounds: "round tool_ns tool_rss base_ns base_rss").
stats() {
	awk -v c="$1" '{ print $c }' "$B/pair" | sort -g | awk '
		{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      print m, v[1], v[NR] }'
}

# derive EXPR: column 6 of $B/pair, computed from the others.
derive() {
	awk "{ print \$1, \$2, \$3, \$4, \$5, $1 }" "$B/pair" >"$B/pair.tmp"
	mv "$B/pair.tmp" "$B/pair"
}

medians() {
	set -- $(stats 2) $(stats 4)
	echo "median $(fmt_ns "$1") vs $(fmt_ns "$4")"
}

# cmp_of GOAL CMP: CMP, or - when there is no goal.
cmp_of() { if [ "$1" = - ]; then echo -; else echo "$2"; fi; }

pair() {
	_kind=$1 _goal=$2 _label=$3 _tool=$4 _base=$5 _setup=${6:-}
	: >"$B/pair"
	_r=1
	while [ "$_r" -le "$ROUNDS" ]; do
		if [ $((_r % 2)) -eq 1 ]; then _order="tool base"; else _order="base tool"; fi
		for side in $_order; do
			[ -z "$_setup" ] || eval "$_setup"
			rm -f "$B/sw.out"
			if [ "$side" = tool ]; then eval "$_tool"; else eval "$_base"; fi
			[ -s "$B/sw.out" ] || { echo "bench: $_label: $side did not call sw" >&2; return 3; }
			read -r _ns _tot _max _rss _s _e <"$B/sw.out"
			eval "_${side}_ns=\$_ns _${side}_rss=\$_rss"
		done
		echo "$_r $_tool_ns $_tool_rss $_base_ns $_base_rss" >>"$B/pair"
		_r=$((_r + 1))
	done
	case $_kind in
	time) derive '$2 / $4'; _cmp='<=' ;;
	speed) derive '$4 / $2'; _cmp='>=' ;;
	*) echo "bench: pair: kind $_kind" >&2; return 3 ;;
	esac
	set -- $(stats 6)
	# which way the ratio goes, for a figure without a goal too
	case $_kind in
	time) _dir='tool/base time' ;;
	*) _dir='base/tool time' ;;
	esac
	emit "$_label" "$1" "$2" "$3" x "$(cmp_of "$_goal" "$_cmp")" "$_goal" "$_dir, $(medians)"
}

fig_rss() {
	derive '$5 / 1024'
	_b=$(stats 6 | cut -d' ' -f1)
	derive '$3 / 1024'
	set -- "$1" "$2" $(stats 6)
	emit "$1" "$3" "$4" "$5" " MiB" "$(cmp_of "$2" '<=')" "$2" \
	    "$(awk -v b="$_b" 'BEGIN { printf "baseline %.1f MiB", b }')"
}

fig_rate() {
	derive "$2 / \$2 * 1000"
	set -- "$1" "$2" "$3" $(stats 6)
	emit "$1" "$4" "$5" "$6" " M/s" "$(cmp_of "$3" '>=')" "$3" "$2 items, $(medians)"
}

fig_ms() {
	derive '$2 / 1e6'
	set -- "$1" "$2" $(stats 6)
	emit "$1" "$3" "$4" "$5" " ms" "$(cmp_of "$2" '<=')" "$2" "$(medians)"
}

fig_overhead() {
	derive "(\$2 - \$4) / 1e6 / ${3:-1}"
	set -- "$1" "$2" $(stats 6)
	emit "$1" "$3" "$4" "$5" " ms" "$(cmp_of "$2" '<=')" "$2" "$(medians)"
}

# log_fixture [BINDIR]: the realistic log of BENCH_MB MiB made by the tools
# of BINDIR (default: those on PATH), generated once and cached in $CACHE
# under a name of its parameters, bench/genlog.py and the log format the
# tools write (so a new format makes a new log).  Sets L (its directory),
# LS (the state directory), LK (the key file), LOG (oplog.csv) and MB, and
# the meta variables (records, avg, quoted_pct, japanese_pct, epochs, span, t0).
# Read-only for the bench: copy LS before changing anything.
# BENCH_FORMAT=2: every log the bench makes is of format 2 (jukisec-log(5)
# "Formats"), so that its figures are GMAC's; the default is the tools'.
FORMAT_OPT=${BENCH_FORMAT:+--format $BENCH_FORMAT}

# What the files' text does not show of their format (the head hmac's tag
# of a format 2 log, 06cfcb2): bumped with it, so that a cached log the
# tools would refuse is made again.
CACHE_FORMATS=2

log_fixture() {
	_bin=${1:-}
	MB=${BENCH_MB:-64}
	_fp=$B/fmt.$$
	(PATH=${_bin:+$_bin:}$PATH; jukisec-init -d "$_fp" -t fingerprint $FORMAT_OPT >/dev/null 2>&1)
	_fmt=$( (echo "$CACHE_FORMATS"; cd "$_fp" && ls && head -n 1 oplog.csv &&
	    cut -c1-24 oplog.head oplog.key | tr -d '0-9a-f'; cksum <"$BENCH/genlog.py") |
	    cksum | cut -d' ' -f1)
	rm -rf "$_fp"
	L=$CACHE/log-${MB}m-${BENCH_EPOCHS:-800}e-${BENCH_OPS:-40}o-$_fmt
	if [ ! -f "$L/meta" ]; then
		note "(generating a $MB MiB log with the tools, cached in $L)"
		rm -rf "$L" "$L.tmp"
		mkdir -p "$L.tmp"
		PATH=${_bin:+$_bin:}$PATH python3 "$BENCH/genlog.py" log "$L.tmp" "$MB" \
		    "${BENCH_EPOCHS:-800}" 800 "${BENCH_OPS:-40}" 1
		mv "$L.tmp" "$L"
	fi
	LS=$L/s LK=$L/key LOG=$L/s/oplog.csv
	eval "$(cat "$L/meta")"
}

# lines_fixture N: N input lines for log-append --stdin, drawn as the log's
# records are, cached; sets IN.
lines_fixture() {
	IN=$CACHE/lines-$1-$(cksum <"$BENCH/genlog.py" | cut -d' ' -f1).csv
	if [ ! -f "$IN" ]; then
		python3 "$BENCH/genlog.py" lines "$1" 2 >"$IN.tmp"
		mv "$IN.tmp" "$IN"
	fi
}

# append BINDIR STATEDIR: times REPS durable appends of one record of about
# the realistic log's average size (with a quoted, Japanese detail).
append() {
	sw -n "$REPS" "$1/log-append" -d "$2" -t term01 -u clerk001 -a view \
	    -o 'juminhyo 00012345' -r ok -m 'moving out, fee paid; 住民票 1通'
}

# The baselines that write what a tool writes: standard input to FILE, or
# SRC copied to FILE, then FILE flushed to disk (sync -d: fdatasync).
CATSYNC='cat >"$1" && exec sync -d "$1"'
CPSYNC='cp "$1" "$2" && exec sync -d "$2"'

# retention: the retention in days that makes log-prune remove the first
# half of the log of log_fixture (records evenly spread over its days).
retention() { echo $((($(date +%s) - t0) / 86400 - span / 2)); }
