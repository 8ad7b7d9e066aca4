# completion/spec.awk — the option table of completion/jukisec.bash, read
# from the manual pages given as arguments (man/TOOL.1): the options of
# the page's ".It Fl" lines, so that the completion offers what the page
# documents and follows it when it changes.  An option followed by Ar or Cm
# takes an argument ("=" after its long name); "Ns Op" marks an optional
# one (no "=").  A short and a long option on one .It line are one option.
# Every tool takes -h/--help and -V/--version, listed or not.  Prints one
# case arm of _jukisec_spec per page.

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
	printf "\t\t_js_long='%s' ;;\n", substr(longs, 2)
}

FNR == 1 {
	flush()
	tool = FILENAME
	sub(/.*\//, "", tool)
	sub(/\.1$/, "", tool)
	shorts = flags = longs = ""
	split("", seen)
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
		pair = short "=" (nlong == 1 ? long : short)
		if (arg)
			shorts = shorts " " pair
		else
			flags = flags " " pair
	}
}

END { flush() }
