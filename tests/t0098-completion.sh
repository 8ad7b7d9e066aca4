#!/bin/sh
# t0098: bash completion ($BUILD/jukisec.bash, made from completion/ and the
# manual pages).  It offers exactly the options of each tool's manual page
# (and -h -V --help --version), each of them accepted by the tool itself,
# and in each context only those and the values the tool takes there;
# operator ids from operator-list (of the -d or --dir on the line),
# incident ids from incident-report list, the step names of the sources,
# and directories where an option takes one.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"

BASH_BIN=$(command -v bash) || { echo "1..0 # skip bash not installed"; exit 0; }
COMPL=$JUKISEC_BUILD/jukisec.bash
TOOLS=$(for c in "$SRCDIR"/cmd/*.c; do basename "$c" .c; done)

# comp WORD...: what completion offers for the last WORD (may be ""), one
# per line, sorted; bash leaves out the empty ones (a sed less per call).
comp() {
	"$BASH_BIN" -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_jukisec "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		for r in "${COMPREPLY[@]}"; do [ -z "$r" ] || printf "%s\n" "$r"; done' \
		sh "$COMPL" "$@" | sort
}

# man_opts TOOL: the options of man/TOOL.1 (SYNOPSIS and the .It lines),
# "=" after a long one that takes an argument being dropped.
man_opts() {
	{ sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$SRCDIR/man/$1.1"
	  grep '^\.It Fl' "$SRCDIR/man/$1.1"; } |
	grep -o 'Fl \\\{0,1\}-\{0,1\}[A-Za-z][-A-Za-z]*' | sed 's/^Fl \\\{0,1\}//' |
	while read -r o; do
		case $o in
		-*) printf "%s\n" "-$o" ;;
		?) printf "%s\n" "-$o" ;;
		*) echo "$o" | sed 's/./-&\n/g' | sed '/^$/d' ;;	# Fl nqv
		esac
	done
}

test_expect_success 'the completion file is valid bash and registers every tool' '
	"$BASH_BIN" -n "$COMPL" &&
	"$BASH_BIN" -c ". \"$COMPL\"; complete -p" >reg &&
	for t in $TOOLS; do grep -q " $t\$" reg || { echo "$t not registered" >&2; exit 1; }; done
'

test_expect_success 'each tool: the options offered are its manual page options, plus -h -V' '
	for t in $TOOLS; do
		comp "$t" - | sed "s/=\$//" | sort >got.$t &&
		{ man_opts "$t"; printf "%s\n" -h -V --help --version; } | sort -u >want.$t &&
		test_cmp want.$t got.$t || { echo "in $t" >&2; exit 1; }
	done
'

# The tool itself takes each offered option: getopt_long names an option it
# does not know, and the option before a bogus one is parsed first.  The
# complaint is looked for in each line of stderr by the shell itself (no
# process per option); Q is the quote getopt puts around the option.
Q="'"
test_expect_success 'each tool accepts every option offered (no getopt complaint)' '
	for t in $TOOLS; do
		for o in $(comp "$t" -); do
			case $o in
			--*=) set -- "${o}x" ;;
			*) set -- "$o" ;;
			esac
			case $o in -[dtuikabmorefns]) set -- "$o" x ;; esac
			"$t" -d "$TMP/none" "$@" --0 >/dev/null 2>err </dev/null
			while IFS= read -r l; do
				case $o in
				--*) case $l in *"unrecognized option "?"${o%=}"[=$Q]*) ;; *) continue ;; esac ;;
				*) case $l in *"invalid option -- "?"${o#-}$Q"*|*"requires an argument -- "?"${o#-}$Q"*) ;;
				   *) continue ;; esac ;;
				esac
				echo "$l" >&2; echo "$t rejects $o" >&2; exit 1
			done <err
		done
	done
'

# What is offered in a context, the tool takes there.  The contexts: each
# form of a tool's synopsis (below) as a whole line, and that line with
# one option offered after it.  Each option offered there (with every value
# offered, else sample's; a pair of options once, with their first values)
# leaves a line the tool takes as it is or with one more option offered
# after it (--password-fd, say, wants --reset-password): no usage error
# (status 2), nor a crash, when run on $NONE, where no state directory can
# be (its parent is a file), so that nothing past the checks of the
# command line is done.  One bash runs it all, the completion loaded once:
# a process per context would take the most of the time.
NONE=$TMP/ctx/file/state
CONTEXTS='. "$1"; NONE=$2

# sample TOOL OPTION: in smp, an argument for OPTION where the completion
# offers none (a variable, not $(sample): a fork of this bash costs more
# than the rest of a call).
sample() {
	local smp0
	case $1:$2 in
	jukisec-audit:--since|jukisec-audit:--until|*:--expires|*:--instructions-given)
		smp=2026-01-01 ;;
	jukisec-audit:--fiscal-year) smp=2025 ;;
	*:--now|*:--since|*:--until|*:--at|*:--occurred|*:--detected)
		smp=2026-01-01T00:00:00Z ;;
	*:--key-file|*:--detail-file|*:--archive|*:--cursor-file) smp=file ;;
	*:--by-password-fd) smp=3 ;;
	*:--password-fd) smp=4 ;;
	*:--level|*:--persons|*:--overdue) smp=1 ;;
	*:--epoch) smp=60 ;;
	*:--expiring) smp=30 ;;
	*:--retain) smp=400 ;;
	*:--type) smp=leak ;;
	*:--cause) smp=fire ;;
	*:--finger) smp=right-index-finger ;;
	*:--anchor) printf -v smp0 %064d 0
		smp="jukisec-log-anchor v1 seq=1 mac=$smp0" ;;
	*) smp=x ;;
	esac
}

c() {
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	_jukisec "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}

# offered WORDS...: each long option offered after WORDS in OPT, with
# each value offered (else a sample) in VAL, "" for none; with -1 before
# WORDS, the first value only, with -0 none yet ("=" for one to come).
offered() {
	local o v n=
	case $1 in -[01]) n=${1#-}; shift ;; esac
	OPT=() VAL=()
	c "$@" --
	for o in "${COMPREPLY[@]}"; do
		case $n:$o in
		*:--help|*:--version|*:--dir=) ;;	# the line has -d $NONE
		0:*=)	OPT+=("${o%=}") VAL+=(=) ;;
		*:*=)	c "$@" "${o%=}" ""
			[ "${#COMPREPLY[@]}" -gt 0 ] || { sample "$1" "${o%=}"; COMPREPLY=("$smp"); }
			[ "$n" = 1 ] && COMPREPLY=("${COMPREPLY[0]}")
			for v in "${COMPREPLY[@]}"; do OPT+=("${o%=}") VAL+=("$v"); done ;;
		*)	OPT+=("$o") VAL+=("") ;;
		esac
	done
}

# taken TOOL ARGS...: the tool takes the line: not a usage error, nor a crash.
taken() {
	PAM_USER=op1 "$1" -d "$NONE" "${@:2}" </dev/null >/dev/null 2>../err
	st=$?
	[ "$st" -ne 2 ] && [ "$st" -lt 128 ]
}

# refix ARGS...: what did last time (fix) is offered after ARGS, with
# that first value (else the sample), and the tool takes the line with it.
# Asked alone, it spares offered -1 (a completion per option that takes
# a value) for most lines that need one more option.
refix() {
	local o
	[ -n "${fix[0]-}" ] || return 1
	c "$@" --
	for o in "${COMPREPLY[@]}"; do
		case $o in
		"${fix[0]}")	[ "${#fix[@]}" = 1 ] || return 1 ;;
		"${fix[0]}=")	[ "${#fix[@]}" = 2 ] || return 1
			c "$@" "${fix[0]}" ""
			[ "${#COMPREPLY[@]}" -gt 0 ] || { sample "$1" "${fix[0]}"; COMPREPLY=("$smp"); }
			[ "${COMPREPLY[0]}" = "${fix[1]}" ] || return 1 ;;
		*)	continue ;;
		esac
		taken "$@" "${fix[@]}"
		return
	done
	return 1
}

# completes TOOL ARGS...: the tool takes the line, or the line with one
# more option offered after it (what did last time first); else says why.
completes() {
	local why i l=
	taken "$@" && return 0
	IFS= read -r l <../err
	why="$*: status $st: $l"
	refix "$@" && return 0
	offered -1 "$@"
	for i in "${!OPT[@]}"; do
		fix=("${OPT[i]}" ${VAL[i]:+"${VAL[i]}"})
		taken "$@" "${fix[@]}" && return 0
	done
	echo "$why" >&2
	return 1
}

while read -r tool base; do
	line=($tool $base)
	completes "${line[@]}" || exit 1
	offered "${line[@]}"
	opt1=("${OPT[@]}") val1=("${VAL[@]}") paired=" "
	for i in "${!opt1[@]}"; do
		one=("${line[@]}" "${opt1[i]}" ${val1[i]:+"${val1[i]}"})
		completes "${one[@]}" || exit 1
		[[ $paired == *" ${opt1[i]} "* ]] && continue
		offered -0 "${one[@]}"
		opt2=("${OPT[@]}") val2=("${VAL[@]}")
		for j in "${!opt2[@]}"; do
			[[ $paired == *" ${opt2[j]} "* ]] && continue
			if [ "${val2[j]}" = = ]; then
				c "${one[@]}" "${opt2[j]}" ""
				sample "$tool" "${opt2[j]}"
				val2[j]=${COMPREPLY[0]-$smp}
			fi
			completes "${one[@]}" "${opt2[j]}" ${val2[j]:+"${val2[j]}"} || exit 1
		done
		paired+="${opt1[i]} "
	done
done
'

test_expect_success 'every tool takes what is offered after a form, and after one more option' '
	mkdir ctx && cd ctx && echo x >file &&
	"$BASH_BIN" -c "$CONTEXTS" sh "$COMPL" "$NONE" <<-EOF
	auth-check -u op1
	auth-check --pam
	incident-report new -b boss --type leak --summary x
	incident-report step 2026-0001 -b boss --step closed
	incident-report show 2026-0001
	incident-report list
	jukisec-audit --lang en
	jukisec-audit --confirm x -b boss
	jukisec-init
	log-append -u op1 -a x
	log-append --stdin
	log-append --seal
	log-append --recover --key-file file
	log-prune --discard
	log-prune -a file
	log-show
	log-verify -k file
	operator-add -i op9 -n x -m fingerprint
	operator-add -i op9 -n x -m external
	operator-add -i op9 -n x -m password --reason x --instructions-given 2026-01-01
	operator-list
	operator-mod -b boss -i op1 -u
	operator-mod --recover -i boss --key-file file
	operator-revoke -b boss -i op1 --reason x
	EOF
'

test_expect_success 'a state with three persons and two incidents' '
	inc_state && add_pw suzuki &&
	inew --type unrecoverable --cause fire --summary one >id1 &&
	inew --type other --cause other --summary two >id2
'

test_expect_success 'operator ids come from the register of -d (or $JUKISEC_DIR)' '
	printf "%s\n" boss op1 suzuki >want &&
	comp log-append -d "$D" -u "" >got && test_cmp want got &&
	comp operator-mod --dir="$D" -i "" >got && test_cmp want got &&
	comp operator-revoke -d "$D" --by=b >got && echo --by=boss | test_cmp - got &&
	JUKISEC_DIR=$D comp auth-check -u s >got && echo suzuki | test_cmp - got &&
	comp log-show -d "$D" --operator = o >got && echo op1 | test_cmp - got &&
	comp log-show -d "$D" --operator =  >got && test_cmp want got &&
	comp log-show -d "$D" --operator=o >got && echo "--operator=op1" | test_cmp - got
'

# Bash splits "--dir=DIR" at "=" (COMP_WORDBREAKS): the words are then
# "--dir" "=" "DIR", as comp gets them here.
test_expect_success 'the state directory of --dir=DIR as bash splits it, of --dir DIR, -dDIR' '
	printf "%s\n" boss op1 suzuki >want &&
	comp operator-mod --dir = "$D" -i "" >got && test_cmp want got &&
	comp operator-mod --dir "$D" -i "" >got && test_cmp want got &&
	comp operator-mod -d"$D" -i "" >got && test_cmp want got &&
	comp operator-mod --di = "$D" -i "" >got && test_cmp want got &&
	comp incident-report --dir = "$D" show "" >got && sort id1 id2 | test_cmp - got
'

test_expect_success 'incident ids after step and show, from incident-report list' '
	sort id1 id2 >want &&
	comp incident-report -d "$D" step "" >got && test_cmp want got &&
	comp incident-report show -d "$D" "" >got && test_cmp want got &&
	comp incident-report "" >got && printf "%s\n" list new show step | test_cmp - got
'

test_expect_success 'step names: exactly those of the sources' '
	sed -n "/inc_step_names\[\] = {/,/};/p" "$SRCDIR/common/incident_flow.c" |
		grep -o "\"[a-z-]*\"" | tr -d "\"" | sort >want &&
	test "$(wc -l <want)" -ge 10 &&
	comp incident-report step x --step "" >got && test_cmp want got
'

test_expect_success 'directories for -d, files for --syslog=, values for --lang, --method, --format' '
	mkdir -p sub/dir1 && : >sub/file &&
	comp log-verify -d sub/ >got && echo sub/dir1 | test_cmp - got &&
	comp log-show --syslog=sub/ >got &&
	printf "%s\n" --syslog=sub/dir1 --syslog=sub/file | test_cmp - got &&
	comp log-show --syslog "" >got && ! grep -q sub got &&
	comp jukisec-audit --lang= >got && printf "%s\n" --lang=en --lang=ja | test_cmp - got &&
	comp operator-add -m "" >got && printf "%s\n" external fingerprint password | test_cmp - got &&
	comp log-show --format "" >got && printf "%s\n" csv json raw table | test_cmp - got
'

# Every value a tool takes and no other: the values of each --format
# (incident-report: text for show, table for list; jukisec-init: the log's)
# and of --nature.
test_expect_success 'formats and natures as the tools take them' '
	comp operator-list -f "" >got && printf "%s\n" csv form json table | test_cmp - got &&
	comp jukisec-init --format "" >got && printf "%s\n" 1 2 | test_cmp - got &&
	comp incident-report list --format "" >got && printf "%s\n" csv json table | test_cmp - got &&
	comp incident-report show 2026-0001 --format "" >got && printf "%s\n" csv json text | test_cmp - got &&
	comp incident-report new --nature "" >got &&
	printf "%s\n" fault misconduct negligence | test_cmp - got
'

# operator-add takes a date only; operator-mod a date or never.
test_expect_success '-e never for operator-mod only' '
	comp operator-mod -e "" >got && echo never | test_cmp - got &&
	comp operator-add -e "" >got && test ! -s got
'

# After a mode, or an option that one form of the synopsis has and not
# the others, only that form's options, values and modes.
test_expect_success 'incident-report: each mode its own options and values' '
	comp incident-report list -- >got &&
	printf "%s\n" --dir= --format= --help --lang= --now= --open --overdue= --version |
	test_cmp - got &&
	comp incident-report list --t >got && test ! -s got &&
	comp incident-report show 2026-0001 --o >got && test ! -s got &&
	comp incident-report new --n >got && echo --nature= | test_cmp - got &&
	comp incident-report step 2026-0001 --f >got && echo --force | test_cmp - got &&
	comp incident-report --format text "" >got && echo show | test_cmp - got &&
	comp incident-report --open "" >got && echo list | test_cmp - got &&
	comp incident-report -b boss "" >got && printf "%s\n" new step | test_cmp - got
'

test_expect_success 'one form: jukisec-audit --confirm, operator-add -m, operator-mod --recover, log-prune -q' '
	comp jukisec-audit --confirm x --n >got && echo --note= | test_cmp - got &&
	comp jukisec-audit --now 2026-01-01T00:00:00Z --c >got && test ! -s got &&
	comp jukisec-audit --since 2026-04-01 --f >got && echo --format= | test_cmp - got &&
	comp operator-add --finger x -m "" >got && echo fingerprint | test_cmp - got &&
	comp operator-add -m external --f >got && test ! -s got &&
	comp operator-mod --recover --k >got && echo --key-file= | test_cmp - got &&
	comp operator-mod --recover --b >got && test ! -s got &&
	comp operator-mod -b boss --k >got && test ! -s got &&
	comp log-prune -q -v >got && test ! -s got &&
	comp log-prune --discard --a >got && test ! -s got
'

# What the tools refuse together that their synopsis shows in one form.
test_expect_success 'log-show and operator-mod: the options one excludes' '
	comp log-show --summary day --f >got && echo --format= | test_cmp - got &&
	comp log-show --syslog --f >got && echo --follow | test_cmp - got &&
	comp log-show --action x --ac >got && test ! -s got &&
	comp operator-mod --reason x -m "" >got && echo password | test_cmp - got &&
	comp operator-mod -b boss --reset-password --re >got &&
	printf "%s\n" --reason= --reset-password | test_cmp - got &&
	comp operator-mod -m external --p >got && test ! -s got
'

test_expect_success 'no state directory: no ids, no error' '
	comp log-append -d "$TMP/none" -u "" >got 2>err && test ! -s got && test ! -s err
'

# make install puts it where bash-completion's loader looks for a tool's
# completion (XDG_DATA_DIRS/bash-completion/completions/TOOL).  -o all:
# the suite's build is installed as it is, never rebuilt under the others.
BC=/usr/share/bash-completion/bash_completion
if [ -f "$BC" ]; then
	test_expect_success 'make install: bash-completion loads it on a tool name' '
		(unset MAKEFLAGS MFLAGS MAKELEVEL
		 make -C "$SRCDIR" --no-print-directory -s -o all BUILD="$JUKISEC_BUILD" \
			$(cat "$JUKISEC_BUILD/paths") DESTDIR="$TMP/inst" install) >&2 &&
		share=$(find "$TMP/inst" -type d -name bash-completion) &&
		for t in $TOOLS; do
			XDG_DATA_DIRS=${share%/bash-completion} "$BASH_BIN" -c \
				". $BC; __load_completion $t; complete -p $t" || exit 1
		done >reg &&
		test "$(grep -c "^complete -F _jukisec " reg)" -eq "$(echo $TOOLS | wc -w)"
	'
else
	test_skip 'bash-completion loads it' "$BC missing (make deps installs bash-completion)"
fi

test_done
