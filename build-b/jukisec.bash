# bash completion for the jukisec tools (built as $(BUILD)/jukisec.bash
# from this file and the manual pages), installed as
# share/bash-completion/completions/jukisec with a link per tool name, so
# that bash-completion loads it on a tool's first TAB.  It completes options
# (those of the tool's manual page, and -h -V), operator ids from
# operator-list, incident ids from incident-report list, step names,
# formats, methods and roles, and directories and files where the option
# takes one; of these only what the tool takes beside what is already on
# the line: a form of its synopsis that holds all of it, and no pair of
# _jukisec_excl.  The state directory is the -d/--dir on the line (-d DIR,
# -dDIR, --dir DIR, --dir=DIR), else $JUKISEC_DIR, else the tools' default.
# Plain bash: no bash-completion helper is needed.

# _jukisec_spec TOOL: sets _js_short (short options taking an argument,
# "x=long" words), _js_flags (short options without one, "x=long"),
# _js_long (long options, "=" after those taking an argument) and
# _js_forms (the forms of the synopsis), as make read them from the manual
# pages (completion/spec.awk).
_jukisec_spec()
{
	case $1 in
	auth-check)
		_js_short='d=dir t=terminal u=user'
		_js_flags='h=help V=version'
		_js_long='dir= pam password-fd= terminal= user= help version'
		_js_forms=('dir terminal user password-fd' 'dir terminal pam') ;;
	incident-report)
		_js_short='b=by d=dir t=terminal'
		_js_flags='h=help V=version'
		_js_long='by= by-password-fd= dir= terminal= type= cause= summary= nature= level= occurred= detected= detail-file= persons= sensitive financial unlawful-purpose step= at= note= force format= lang= open overdue= now= help version'
		_js_forms=('@new dir terminal by by-password-fd type cause summary nature=fault,misconduct,negligence level occurred detected detail-file persons sensitive financial unlawful-purpose' '@step dir terminal by by-password-fd step at note force' '@show dir format=text,csv,json lang=ja,en now' '@list dir open overdue format=table,csv,json lang=ja,en now') ;;
	jukisec-audit)
		_js_short='d=dir b=by t=terminal'
		_js_flags='h=help V=version'
		_js_long='dir= key-file= now= since= until= fiscal-year= author= format= lang= confirm= by= by-password-fd= note= terminal= help version'
		_js_forms=('dir key-file now since until author format=text,csv,json lang=ja,en' 'dir key-file now fiscal-year author format=text,csv,json lang=ja,en' 'dir terminal confirm by by-password-fd note') ;;
	jukisec-init)
		_js_short='d=dir t=terminal'
		_js_flags='h=help V=version'
		_js_long='dir= epoch= format= terminal= help version'
		_js_forms=('dir terminal epoch format=1,2') ;;
	log-append)
		_js_short='a=action d=dir m=detail o=object r=result t=terminal u=operator'
		_js_flags='h=help V=version'
		_js_long='action= dir= detail= object= result= terminal= operator= key-file= recover seal stdin help version'
		_js_forms=('dir terminal operator action object result detail' 'dir terminal stdin' 'dir terminal seal' 'dir terminal recover key-file') ;;
	log-prune)
		_js_short='a=archive d=dir r=retain t=terminal'
		_js_flags='n=dry-run q=quiet v=verbose h=help V=version'
		_js_long='archive= discard dir= dry-run quiet retain= terminal= verbose help version'
		_js_forms=('dry-run quiet archive dir retain terminal' 'dry-run quiet discard dir retain terminal' 'dry-run verbose archive dir retain terminal' 'dry-run verbose discard dir retain terminal') ;;
	log-show)
		_js_short='d=dir k=key-file'
		_js_flags='h=help V=version'
		_js_long='dir= key-file= since= until= operator= action= result= terminal= object= format= summary= follow cursor-file= syslog now= help version'
		_js_forms=('dir key-file since until operator action object result terminal format=csv,json,table,raw summary=operator,action,terminal,result,day follow cursor-file syslog now') ;;
	log-verify)
		_js_short='d=dir k=key-file'
		_js_flags='h=help V=version'
		_js_long='dir= key-file= anchor= head now= help version'
		_js_forms=('dir key-file anchor head now') ;;
	operator-add)
		_js_short='b=by d=dir e=expires i=id m=method n=name r=role s=section t=terminal'
		_js_flags='h=help V=version'
		_js_long='by= by-password-fd= dir= device= expires= finger= id= instructions-given= method= name= password-fd= role= reason= section= title= terminal= help version'
		_js_forms=('dir terminal by by-password-fd id name section title role=operator,manager expires method=fingerprint finger device' 'dir terminal by by-password-fd id name section title role=operator,manager expires method=external' 'dir terminal by by-password-fd id name section title role=operator,manager expires method=password reason instructions-given password-fd') ;;
	operator-list)
		_js_short='d=dir m=method f=format'
		_js_flags='a=all l=locked h=help V=version'
		_js_long='all dir= expiring= locked method= format= now= help version'
		_js_forms=('all locked dir format=table,csv,json,form method expiring now') ;;
	operator-mod)
		_js_short='b=by d=dir e=expires i=id m=method n=name s=section t=terminal'
		_js_flags='u=unlock h=help V=version'
		_js_long='by= by-password-fd= dir= device= expires= finger= id= instructions-given= key-file= method= name= password-fd= reason= recover reenroll reset-password section= terminal= title= unlock help version'
		_js_forms=('unlock dir terminal by by-password-fd id name section title expires reset-password reenroll method=fingerprint,password,external reason instructions-given password-fd finger device' 'recover dir terminal id key-file reset-password password-fd finger device' 'recover dir terminal id key-file reenroll password-fd finger device') ;;
	operator-revoke)
		_js_short='b=by d=dir i=id t=terminal'
		_js_flags='h=help V=version'
		_js_long='by= by-password-fd= dir= id= reason= terminal= help version'
		_js_forms=('dir terminal by by-password-fd id reason') ;;
	*)
		return 1 ;;
	esac
}

# _jukisec_excl TOOL: in _js_excl, what the tool refuses together that its
# synopsis shows in one form: "a,b:c,d" is each of a and b with each of c
# and d, "m=v" option m with the value v.
_jukisec_excl()
{
	_js_excl=
	case $1 in
	log-show)	# run() in cmd/log-show.c, and a filter given twice
		_js_excl='summary:follow,syslog syslog:format since:since
		    until:until operator:operator action:action object:object
		    result:result terminal:terminal' ;;
	operator-mod)	# opchange_mod_usage(): the password's options, a
			# biometric's, and what neither -m nor --reenroll reconciles
		_js_excl='method=fingerprint,method=external:reason,instructions-given,reset-password,password-fd
		    method=password,reset-password,reason,instructions-given,password-fd:reenroll
		    finger,device:method=password,method=external,reset-password,reason,instructions-given,password-fd' ;;
	esac
}

# _jukisec_long NAME: the long option NAME names, whole or as getopt_long's
# unique abbreviation, in _js_name; _js_eq is "=" if it takes an argument.
_jukisec_long()
{
	local w n=0
	for w in $_js_long; do
		case $w in
		"$1"|"$1=")
			_js_name=${w%=} _js_eq=${w#"${w%=}"}; return 0 ;;
		"$1"*)	n=$((n + 1)) _js_name=${w%=} _js_eq=${w#"${w%=}"} ;;
		esac
	done
	[ "$n" -eq 1 ]
}

# _jukisec_scan: the words before the cursor as getopt_long reads them:
# each option (long name, else its letter) in _js_opt, its argument in
# _js_val; the operands in _js_args; the state directory in _js_dir.  An
# option whose argument is the word being completed is not yet given.
# Bash splits "--dir=DIR" into "--dir" "=" "DIR" (COMP_WORDBREAKS): a
# word "=" after a long option joins it to the next.
_jukisec_scan()
{
	local i w k c v end=
	_js_opt=() _js_val=() _js_args=() _js_dir=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ -n "$end" ] || [[ $w != -?* ]]; then
			_js_args+=("$w")
		elif [ "$w" = -- ]; then
			end=1
		elif [[ $w == --* ]]; then
			w=${w#--}
			_jukisec_long "${w%%=*}" || continue
			if [[ $w == *=* ]]; then
				v=${w#*=}
			elif [ "${COMP_WORDS[i + 1]-}" = = ]; then
				((i += 2)); v=${COMP_WORDS[i]-}
			elif [ -n "$_js_eq" ]; then
				((i += 1)); v=${COMP_WORDS[i]-}
			else
				v=
			fi
			((i < COMP_CWORD)) || break
			_js_opt+=("$_js_name") _js_val+=("$v")
		else
			for ((k = 1; k < ${#w}; k++)); do
				c=${w:k:1}
				if [[ " $_js_flags " == *" $c="* ]]; then
					v=" $_js_flags "; v=${v#*" $c="}
					_js_opt+=("${v%% *}") _js_val+=("")
					continue
				fi
				[[ " $_js_short " == *" $c="* ]] || break
				v=" $_js_short "; v=${v#*" $c="}; c=${v%% *}
				v=${w:k + 1}
				if [ -z "$v" ]; then
					((i += 1)); v=${COMP_WORDS[i]-}
				fi
				((i < COMP_CWORD)) && _js_opt+=("$c") _js_val+=("$v")
				break
			done
		fi
	done
	for ((i = 0; i < ${#_js_opt[@]}; i++)); do
		[ "${_js_opt[i]}" = dir ] && _js_dir=(-d "${_js_val[i]}")
	done
}

# _jukisec_in LIST NAME [VALUE]: LIST (",a,b=v,") names option NAME, or
# NAME with VALUE.
_jukisec_in()
{
	[[ $1 == *",$2,"* ]] || { [ $# -gt 2 ] && [[ $1 == *",$2=$3,"* ]]; }
}

# _jukisec_form FORM NAME [VALUE]: FORM takes NAME (with VALUE, if FORM
# names the values).
_jukisec_form()
{
	local w=" $1 "
	[[ $w == *" $2 "* ]] && return 0
	[[ $w == *" $2="* ]] || return 1
	[ $# -lt 3 ] && return 0
	w=${w#*" $2="}
	[[ ,${w%% *}, == *",$3,"* ]]
}

# _jukisec_fit: after _jukisec_scan, the forms that take the mode and
# every option given in _js_fit, the names in them in _js_keys (" a b "),
# and what _js_excl refuses beside them in _js_no (as _jukisec_in reads
# it).
_jukisec_fit()
{
	local f i w l r
	_js_fit=() _js_keys=' ' _js_no=,
	for f in "${_js_forms[@]}"; do
		if [[ $f == @* ]] && [ "${#_js_args[@]}" -gt 0 ] &&
		    [ "${f%% *}" != "@${_js_args[0]}" ]; then
			continue
		fi
		for ((i = 0; i < ${#_js_opt[@]}; i++)); do
			case ${_js_opt[i]} in help|version) continue ;; esac
			_jukisec_form "$f" "${_js_opt[i]}" "${_js_val[i]}" || continue 2
		done
		_js_fit+=("$f")
		for w in $f; do _js_keys+="${w%%=*} "; done
	done
	for ((i = 0; i < ${#_js_opt[@]}; i++)); do
		for w in $_js_excl; do
			l=,${w%%:*}, r=,${w#*:},
			_jukisec_in "$l" "${_js_opt[i]}" "${_js_val[i]}" && _js_no+=${r#,}
			_jukisec_in "$r" "${_js_opt[i]}" "${_js_val[i]}" && _js_no+=${l#,}
		done
	done
}

# _jukisec_takes NAME [VALUE]: 0 if the tool takes option NAME (with
# VALUE), or the mode @NAME, beside what is on the line (_jukisec_fit).
# -h and -V go with anything.
_jukisec_takes()
{
	local f
	case $1 in help|version) return 0 ;; esac
	_jukisec_in "$_js_no" "$@" && return 1
	[ $# -eq 1 ] && { [[ $_js_keys == *" $1 "* ]]; return; }
	for f in "${_js_fit[@]}"; do
		_jukisec_form "$f" "$@" && return 0
	done
	return 1
}

_jukisec_operators()
{
	operator-list "${_js_dir[@]}" --all --format csv 2>/dev/null |
	    awk -F, 'NR > 1 { print $1 }'
}

_jukisec_incidents()
{
	incident-report list "${_js_dir[@]}" --format csv 2>/dev/null |
	    awk -F, 'NR > 1 { print $1 }'
}

# The steps of incident-report(1), in its order.
_jukisec_steps='jlis-contacted vendor-contacted mayor-reported general-manager-reported investigated disconnected reconnected committee-reported pic-committee-reported ppc-preliminary ppc-final persons-notified countermeasures closed'

# _jukisec_value TOOL LONG CUR: the completions of LONG's argument, none
# where the tool does not take LONG: the values the synopsis names (Cm)
# that go with the line, else those below.
_jukisec_value()
{
	local words= ok= f w
	_jukisec_takes "$2" || return
	for f in "${_js_forms[@]}"; do
		for w in $f; do
			case $w in "$2"=*) words="$words ${w#*=}" ;; esac
		done
	done
	for w in ${words//,/ }; do
		[[ " $ok " == *" $w "* ]] || ! _jukisec_takes "$2" "$w" ||
		    ok="$ok $w"
	done
	[ -n "$words" ] && { COMPREPLY=($(compgen -W "$ok" -- "$3")); return; }
	case $1:$2 in
	*:dir)
		COMPREPLY=($(compgen -d -- "$3")); return ;;
	*:key-file|*:archive|*:detail-file|*:cursor-file)
		COMPREPLY=($(compgen -f -- "$3")); return ;;
	auth-check:user|log-append:operator|log-show:operator|*:by|operator-mod:id|operator-revoke:id)
		words=$(_jukisec_operators) ;;
	*:step)		words=$_jukisec_steps ;;
	*:method)	words='fingerprint external password' ;;
	operator-mod:expires) words='never' ;;	# operator-add: a date only
	*)		return ;;
	esac
	COMPREPLY=($(compgen -W "$words" -- "$3"))
}

_jukisec()
{
	local tool=${1##*/} cur=${COMP_WORDS[COMP_CWORD]} prev= w long opts= f
	COMPREPLY=()
	_jukisec_spec "$tool" || return
	_jukisec_excl "$tool"
	_jukisec_scan
	_jukisec_fit
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# --long=VALUE as one word (COMP_WORDBREAKS without "="): whole words
	if [[ $cur == --*=* ]]; then
		long=${cur%%=*}
		_jukisec_long "${long#--}" &&
		    _jukisec_value "$tool" "$_js_name" "${cur#*=}"
		COMPREPLY=("${COMPREPLY[@]/#/$long=}")
		return
	fi
	# --long = VALUE, as bash splits it by default
	if [ "$cur" = = ]; then
		cur=
	elif [ "$prev" = = ] && [ "$COMP_CWORD" -gt 1 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	# the argument of the option before
	case $prev in
	--*)
		if _jukisec_long "${prev#--}" && [ -n "$_js_eq" ]; then
			_jukisec_value "$tool" "$_js_name" "$cur"; return
		fi ;;
	-?)
		for w in $_js_short; do
			if [ "$prev" = "-${w%%=*}" ]; then
				_jukisec_value "$tool" "${w#*=}" "$cur"; return
			fi
		done ;;
	esac
	if [[ $cur == -* ]]; then
		for w in $_js_short $_js_flags; do
			_jukisec_takes "${w#*=}" && opts="$opts -${w%%=*}"
		done
		for w in $_js_long; do
			_jukisec_takes "${w%=}" && opts="$opts --$w"
		done
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		[[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi
	case $tool in
	incident-report)
		case ${#_js_args[@]}:${_js_args[0]-} in
		0:)	# the modes whose form holds the options given
			for f in "${_js_forms[@]}"; do
				w=${f%% *}
				[[ $w == @* ]] && _jukisec_takes "$w" && opts="$opts ${w#@}"
			done
			COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
		1:step|1:show)
			COMPREPLY=($(compgen -W "$(_jukisec_incidents)" -- "$cur")) ;;
		esac ;;
	log-verify)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}

complete -F _jukisec auth-check incident-report jukisec-audit jukisec-init log-append log-prune log-show log-verify operator-add operator-list operator-mod operator-revoke
