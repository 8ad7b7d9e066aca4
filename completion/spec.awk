# completion/spec.awk — the option table of completion/jukisec.bash, read
# from the manual pages given as arguments (man/TOOL.1): the options of
# the page's ".It Fl" lines, so that the completion offers what the page
# documents and follows it when it changes.  An option followed by Ar or Cm
# takes an argument ("=" after its long name); "Ns Op" marks an optional
# one (no "=").  A short and a long option on one .It line are one option.
# Every tool takes -h/--help and -V/--version, listed or not.
#
# The SYNOPSIS gives the forms (_js_forms): one per ".Nm", each the options
# that form takes, so that the completion offers only what can go with the
# options already on the line (incident-report's modes, jukisec-audit
# --confirm, operator-add -m ...).  An option is named by its long name
# (else its letter); "name=a,b" where the form takes only the Cm values a
# and b; "@word" a form's leading Cm, the mode its first operand names.  A
# "|" before an option or a group is a choice (-q | -v): each side makes a
# form of its own.  It binds within its Oo ... Oc, else within its line.
# Prints one case arm of _jukisec_spec per page.

function flush() {
	if (tool == "")
		return
	if (!seen["-h"]++) flags = flags " h=help"
	if (!seen["-V"]++) flags = flags " V=version"
	if (!seen["--help"]++) longs = longs " help"
	if (!seen["--version"]++) longs = longs " version"
	printf "\t%s)\n", tool
	printf "\t\t_js_short='%s'\n", substr(shorts, 2)
	printf "\t\t_js_flags='%s'\n", substr(flags, 2)
	printf "\t\t_js_long='%s'\n", substr(longs, 2)
	printf "\t\t_js_forms=(%s) ;;\n", forms()
}

# Whether a synopsis token is a macro (Fl, Ar, Oo ...), not a word.
function macro(t) {
	return t ~ /^[A-Z][a-z]$/
}

function emit(t) {
	out[nf, ++nt[nf]] = t
}

# The forms of the synopsis read into syn[1..ns] ("\n" at each line's end),
# quoted for bash, "(", "|" and ")" marking the choices until expand().
function forms(    i, t, g, top, stack, line, glued, cur, vals, f, k, s, r) {
	nf = 0
	line = 1
	for (i = 1; i <= ns; i++) {
		t = syn[i]
		if (t == "\n") {
			while (top > 0 && stack[top] == "L") {
				emit(")"); top--
			}
			line = 1; cur = 0; vals = 0; glued = 0
			continue
		}
		if (line) {
			line = 0
			if (t == "Nm") {
				nt[++nf] = 0; top = 0
				continue
			}
			if (top == 0) {		# a choice binds within the line
				stack[++top] = "L"; emit("(")
			}
		}
		g = glued; glued = 0
		if (t == "Ns")
			glued = 1
		else if (t == "Op") {
			stack[++top] = "L"; emit("(")
		} else if (t == "Oo") {
			stack[++top] = "O"; emit("(")
		} else if (t == "Oc") {
			top--; emit(")")
		} else if (t == "Ar")
			i++
		else if (t == "Fl") {
			if (g || syn[i + 1] == "\n" || macro(syn[i + 1]) || syn[i + 1] == "|")
				continue	# "Ns | Ns Fl": the argument "-"
			s = syn[++i]
			gsub(/\\/, "", s)
			if (s ~ /^-/)
				emit(substr(s, 2))
			else
				for (k = 1; k <= length(s); k++)
					emit("-" substr(s, k, 1))
			cur = nt[nf]; vals = 0
		} else if (t == "Cm") {
			s = syn[++i]
			gsub(/\|/, ",", s)
			if (cur)
				out[nf, cur] = out[nf, cur] (vals++ ? "," : "=") s
			else
				emit("@" s)
		} else if (t == "|") {
			if (g || syn[i + 1] == "Ns")
				continue
			for (k = i + 1; syn[k] == "\n"; k++)
				;
			if (syn[k] == "Fl" || syn[k] == "Op" || syn[k] == "Oo") {
				emit("|"); cur = 0
			}
		} else if (!macro(t) && cur && vals)
			out[nf, cur] = out[nf, cur] "," t	# Cm a | b | c
	}
	r = ""
	for (f = 1; f <= nf; f++) {
		s = ""
		for (k = 1; k <= nt[f]; k++) {
			t = out[f, k]
			if (t ~ /^-/)
				t = (substr(t, 2, 1) in keyof ? keyof[substr(t, 2, 1)] : substr(t, 2)) substr(t, 3)
			s = s " " t
		}
		r = r expand(s)
	}
	return substr(r, 2)
}

# s with its innermost choice made each way, each form once: " 'f1' 'f2'".
function expand(s,    pre, alt, post, n, k, r, w, i, seen, f) {
	if (match(s, /\([^()]*\)/)) {
		pre = substr(s, 1, RSTART - 1)
		post = substr(s, RSTART + RLENGTH)
		n = split(substr(s, RSTART + 1, RLENGTH - 2), alt, /\|/)
		r = ""
		for (k = 1; k <= n; k++)
			r = r expand(pre " " alt[k] " " post)
		return r
	}
	n = split(s, w, " ")
	f = ""
	for (i = 1; i <= n; i++)
		if (!seen[w[i]]++)
			f = f " " w[i]
	return " '" substr(f, 2) "'"
}

FNR == 1 {
	flush()
	tool = FILENAME
	sub(/.*\//, "", tool)
	sub(/\.1$/, "", tool)
	shorts = flags = longs = ""
	split("", seen)
	split("", keyof)
	ns = insyn = 0
}

/^\.Sh / {
	insyn = $2 == "SYNOPSIS"
	next
}

insyn {
	for (i = 1; i <= NF; i++)
		syn[++ns] = i == 1 ? substr($1, 2) : $i
	syn[++ns] = "\n"
}

/^\.It Fl / {
	line = substr($0, 5)
	n = split(line, spec, / , /)
	short = ""; long = ""; arg = 0; nlong = 0
	for (i = 1; i <= n; i++) {
		if (spec[i] !~ /^Fl /)
			continue
		split(spec[i], w, " ")
		name = w[2]
		gsub(/\\/, "", name)
		a = spec[i] ~ / (Ar|Cm) / && spec[i] !~ / Ns Op /
		if (name ~ /^-/) {
			name = substr(name, 2)
			if (!seen["--" name]++)
				longs = longs " " name (a ? "=" : "")
			long = name; nlong++
		} else if (length(name) == 1) {
			short = name
		}
		if (a)
			arg = 1
	}
	if (short != "" && !seen["-" short]++) {
		keyof[short] = nlong == 1 ? long : short
		pair = short "=" keyof[short]
		if (arg)
			shorts = shorts " " pair
		else
			flags = flags " " pair
	}
}

END { flush() }
