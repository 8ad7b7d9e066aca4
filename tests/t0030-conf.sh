#!/bin/sh
# jukisec.conf fails closed through the tools: a malformed line, unknown
# key or value below a regulation floor stops the tool with file:line
# (conf.c, jukisec.conf(5)).
. "$(dirname "$0")/lib.sh"

D=$TMP/state

# setconf KEY VALUE: replaces KEY's line in the state's jukisec.conf.
setconf() {
	sed "s|^$1 = .*|$1 = $2|" "$D/jukisec.conf.orig" >"$D/jukisec.conf"
}

# lineof KEY: its line number in the file jukisec-init wrote.
lineof() { grep -n "^$1 = " "$D/jukisec.conf.orig" | cut -d: -f1; }

test_expect_success 'the file jukisec-init writes is accepted' '
	init_state "$D" &&
	cp "$D/jukisec.conf" "$D/jukisec.conf.orig" &&
	log-append -d "$D" -u alice -a check
'

test_expect_success 'it sets every key jukisec.conf(5) documents (the municipality ones commented out)' '
	sed -n "s/^\(# \)\{0,1\}\([a-z_]*\) = .*/\2/p" "$D/jukisec.conf" | sort >keys &&
	sed -n "s/^\.It Cm \([a-z_]*\) No.*/\1/p" "$SRCDIR/man/jukisec.conf.5" | sort >documented &&
	test_cmp documented keys
'

test_expect_success 'and its defaults match the man page' '
	for k in epoch_seconds retain_days lock_timeout_ms password_min_length \
	    kdf_memory_kib kdf_time kdf_parallelism lockout_threshold; do
		v=$(sed -n "s/^$k = //p" "$D/jukisec.conf") &&
		sed -n "/^\.It Cm $k /,/^\.It/p" "$SRCDIR/man/jukisec.conf.5" |
		    grep -q "Default $v[ ;,.]" || { echo "$k default $v undocumented"; exit 1; }
	done
'

# The comment on audit_auth_burst says what jukisec.conf(5) says the
# audit counts: one operator at one terminal, one operator at any, one
# terminal of any operators.  The keys' comments fit 80 columns.
test_expect_success 'the comments say what a key does, within 80 columns' '
	sed -n "/^audit_auth_window_days = /,/^audit_auth_burst = /p" \
	    "$D/jukisec.conf.orig" >burst &&
	grep -q "^# R12(2), R5.2: failures in the window the audit reports as a burst,\$" burst &&
	grep -q "^# counted per operator and terminal, per operator and per terminal\$" burst &&
	sed "/^# Municipality/q" "$D/jukisec.conf.orig" | awk "length(\$0) > 79" >long &&
	test ! -s long
'

test_expect_success 'retain_days below one year is refused (R6)' '
	setconf retain_days 364 &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:$(lineof retain_days): retain_days: 364 is below the minimum 365\$"
'

test_expect_success 'a KDF below the OWASP floor is refused (R5.3)' '
	setconf kdf_memory_kib 4096 &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "jukisec.conf:$(lineof kdf_memory_kib): kdf_memory_kib: 4096 is below the minimum 19456" &&
	setconf kdf_time 1 &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "jukisec.conf:$(lineof kdf_time): kdf_time: 1 is below the minimum 2"
'

test_expect_success 'a lockout threshold outside 1..100 is refused (R5.2)' '
	setconf lockout_threshold 0 &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "lockout_threshold: 0 is below the minimum 1" &&
	setconf lockout_threshold 101 &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "lockout_threshold: 101 is above the maximum 100"
'

test_expect_success 'a misspelt key is refused, naming file and line' '
	cp "$D/jukisec.conf.orig" "$D/jukisec.conf" &&
	echo "retain_dayz = 400" >>"$D/jukisec.conf" &&
	n=$(wc -l <"$D/jukisec.conf") &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:$n: retain_dayz: unknown key\$"
'

test_expect_success 'system_actors: names of 1 to 64 bytes, none beginning with "-"' '
	for bad in -cron "cron," ",cron" "cron,,backup" "cron backup" \
	    "$(printf "%065d" 0)"; do
		cp "$D/jukisec.conf.orig" "$D/jukisec.conf" &&
		echo "system_actors = $bad" >>"$D/jukisec.conf" &&
		sed -i "0,/^system_actors = \$/{/^system_actors = \$/d}" "$D/jukisec.conf" &&
		test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
		one_line_matching err "system_actors: not a comma-separated list" || exit 1
	done &&
	cp "$D/jukisec.conf.orig" "$D/jukisec.conf" &&
	sed -i "s/^system_actors = .*/system_actors = cron,$(printf "%064d" 0)/" "$D/jukisec.conf" &&
	operator-list -d "$D" >/dev/null 2>err && test ! -s err
'

test_expect_success 'a line without "=" is refused, naming the key it begins with' '
	{ echo "# local settings"; echo "retain_days 400"; } >"$D/jukisec.conf" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:2: retain_days: expected \"key = value\"\$" &&
	{ echo "# local settings"; echo "  retain_days"; } >"$D/jukisec.conf" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:2: retain_days: expected \"key = value\"\$" &&
	{ echo "# local settings"; echo "[jukisec]"; } >"$D/jukisec.conf" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:2: expected \"key = value\"\$"
'

test_expect_success 'a line with nothing before "=" is refused as such' '
	{ echo "# local settings"; echo " = 400"; } >"$D/jukisec.conf" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:2: expected \"key = value\"\$"
'

test_expect_success 'a key set twice is refused' '
	printf "retain_days = 400\nretain_days = 800\n" >"$D/jukisec.conf" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "$D/jukisec.conf:2: retain_days: set twice"
'

test_expect_success 'a number with junk is refused' '
	setconf retain_days "400 days" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "retain_days: \"400 days\" is not a number"
'

test_expect_success 'a relative template_key is refused' '
	setconf template_key template.key &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "template_key: not an absolute path"
'

test_expect_success 'an empty or directory template_key is refused when the file is read' '
	setconf template_key "" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:$(lineof template_key): template_key: not an absolute path\$" &&
	setconf template_key /media/key/ &&
	test_must_fail 3 operator-list -d "$D" 2>err &&
	one_line_matching err "^operator-list: $D/jukisec.conf:$(lineof template_key): template_key: not a file name: it ends in \"/\"\$"
'

test_expect_success 'a number with a sign is refused: decimal digits only' '
	setconf retain_days +400 &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:$(lineof retain_days): retain_days: \"\+400\" is not a number\$" &&
	setconf lock_timeout_ms -0 &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "lock_timeout_ms: \"-0\" is not a number\$" &&
	setconf retain_days 400 &&
	log-append -d "$D" -u alice -a check
'

# A number is written one way, as the log writes its own (jukisec-log(5)):
# "0400" or "010" would be a second spelling, and read by some as octal.
test_expect_success 'a number with a leading zero is refused, 0 itself is not' '
	for kv in "retain_days 0400" "lock_timeout_ms 010" "kdf_time 03" \
	    "lockout_unlock_minutes 00"; do
		setconf $kv &&
		test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
		one_line_matching err "^log-append: $D/jukisec.conf:$(lineof ${kv%% *}): ${kv%% *}: \"${kv#* }\" is not a number\$" ||
		return 1
	done &&
	setconf lockout_unlock_minutes 0 &&
	operator-list -d "$D" >/dev/null
'

# confirm_refused VALUE PATTERN: jukisec.conf with "confirm.x = VALUE" as
# its last line is refused (exit 3), one line matching PATTERN, after
# "FILE:LINE: confirm.x: " for that line.
confirm_refused() {
	{ cat "$D/jukisec.conf.orig" && echo "confirm.x = $1"; } >"$D/jukisec.conf" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:$(wc -l <"$D/jukisec.conf"): confirm.x: $2"
}

test_expect_success 'a confirmation item outside its requirement'"'"'s items is refused' '
	for ref in "R11(7)" "R8(9)" "R9.1(4)" "R12(6)" "R5.3(3)" "R7(1)" "R5.1(1)"; do
		confirm_refused "12 $ref text" "an item the requirement does not have " ||
		return 1
	done &&
	for v in "12 R11(3)" "12 R7" "12 R7 " "12 R9.1"; do
		confirm_refused "$v" "no text after the R-number \(\"MONTHS R-NUMBER Japanese \[\| English\]\"\)\$" ||
		return 1
	done &&
	confirm_refused "12 R13 text" "not an R-number of the regulation" &&
	for m in +12 012; do
		confirm_refused "$m R7 text" "months not a number from 1 to 120" ||
		return 1
	done &&
	{ cat "$D/jukisec.conf.orig" &&
	  for ref in "R11(6)" "R8(8)" "R9.1(3)" "R12(5)" "R5.3(2)" R7; do
		echo "confirm.x$(echo "$ref" | tr -dc 0-9) = 12 $ref text"
	  done; } >"$D/jukisec.conf" &&
	log-append -d "$D" -u alice -a check
'

test_expect_success 'a group-writable jukisec.conf is refused' '
	cp "$D/jukisec.conf.orig" "$D/jukisec.conf" &&
	chmod 620 "$D/jukisec.conf" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "$D/jukisec.conf: not owned by us or root, or open to others: refused" &&
	chmod 600 "$D/jukisec.conf"
'

test_expect_success 'comments, blank lines and missing keys are fine' '
	printf "# only this\n\n   retain_days   =   730   \n" >"$D/jukisec.conf" &&
	log-append -d "$D" -u alice -a check
'

test_expect_success 'the municipality lines, uncommented, load: the defaults are what they say' '
	sed "s/^# \([a-z][a-zA-Z0-9_.-]* = \)/\1/" "$D/jukisec.conf.orig" >"$D/jukisec.conf" &&
	test "$(grep -c "^article\.R[0-9.]* = 第" "$D/jukisec.conf")" = 14 &&
	test "$(grep -c "^confirm\.[a-z0-9-]* = 12 R" "$D/jukisec.conf")" = 9 &&
	log-append -d "$D" -u alice -a check
'

test_expect_success 'every article key jukisec-init writes is in the page'"'"'s table' '
	sed -n "s/^# \(article\.R[0-9.]*\) = \(.*\)/\1 \2/p" "$D/jukisec.conf.orig" >written &&
	sed -n "s/^\.It Cm \(article\.R[0-9.]*\) Ta \([^ ]*\) Ta .*/\1 \2/p" \
	    "$SRCDIR/man/jukisec.conf.5" >documented &&
	test_cmp documented written
'

test_expect_success 'an invented city'"'"'s profile appended to the file loads' '
	cat "$D/jukisec.conf.orig" "$SRCDIR/examples/municipality/wakabadai.conf" \
	    >"$D/jukisec.conf" &&
	log-append -d "$D" -u alice -a check
'

test_expect_success 'a malformed article number is refused with file, line and key' '
	cp "$D/jukisec.conf.orig" "$D/jukisec.conf" &&
	echo "article.R9.1 = 第九条第一項" >>"$D/jukisec.conf" &&
	n=$(wc -l <"$D/jukisec.conf") &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:$n: article.R9.1: not an article "
'

# jukisec.conf(5): the file is UTF-8 text.  A value holds no control
# character (a tab is a blank around it, not in it): a driver name or a
# command with one would reach a device lookup, a shell, a report.  Bad
# UTF-8 is refused on every line, comments too.
test_expect_success 'a control character in a value, or a line not UTF-8, is refused' '
	for v in "a$(printf "\001")b" "mail$(printf "\033")[2J" "mail$(printf "\t")-s x"; do
		for k in fp_device notify_command; do
			setconf $k "$v" &&
			test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
			one_line_matching err "^log-append: $D/jukisec.conf:$(lineof $k): $k: contains a control character\$" ||
			return 1
		done
	done &&
	setconf fp_device "$(printf "\t")goodix$(printf "\t")" &&
	operator-list -d "$D" >/dev/null &&
	{ cat "$D/jukisec.conf.orig" && printf "# caf\351\n"; } >"$D/jukisec.conf" &&
	n=$(wc -l <"$D/jukisec.conf") &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:$n: invalid UTF-8\$" &&
	setconf fp_device "$(printf "caf\351")" &&
	test_must_fail 3 log-append -d "$D" -u alice -a check 2>err &&
	one_line_matching err "^log-append: $D/jukisec.conf:$(lineof fp_device): fp_device: invalid UTF-8\$"
'

# jukisec.conf(5): an unknown key is an error naming the key, whatever
# its value: the value of a key that does not exist is never checked (a
# control character or bad UTF-8 after a typo is still the typo).  A key
# longer than 64 bytes is not quoted.  A municipality key's value is
# still checked.
test_expect_success 'an unknown key with a bad value is reported as unknown' '
	long=$(printf "%083d" 0 | tr 0 k) &&
	last=$(($(wc -l <"$D/jukisec.conf.orig") + 1)) &&
	for v in "a$(printf "\001")b" "a$(printf "\377")b"; do
		{ cat "$D/jukisec.conf.orig" && echo "foo = $v"; } >"$D/jukisec.conf" &&
		test_must_fail 3 operator-list -d "$D" 2>err &&
		one_line_matching err "^operator-list: $D/jukisec.conf:$last: foo: unknown key\$" &&
		{ cat "$D/jukisec.conf.orig" && echo "$long = $v"; } >"$D/jukisec.conf" &&
		test_must_fail 3 operator-list -d "$D" 2>err &&
		one_line_matching err "^operator-list: $D/jukisec.conf:$last: unknown key\$" ||
		return 1
	done &&
	{ cat "$D/jukisec.conf.orig" && echo "mayor = a$(printf "\001")b"; } >"$D/jukisec.conf" &&
	test_must_fail 3 operator-list -d "$D" 2>err &&
	one_line_matching err "^operator-list: $D/jukisec.conf:$last: mayor: contains a control character\$" &&
	{ cat "$D/jukisec.conf.orig" && echo "article.R7 = $(printf "\377")"; } >"$D/jukisec.conf" &&
	test_must_fail 3 operator-list -d "$D" 2>err &&
	one_line_matching err "^operator-list: $D/jukisec.conf:$last: article.R7: invalid UTF-8\$"
'

# regulation_short is cited before every article in the documents: one
# too long pushed the article out of the citation and cut a character
# in two.  48 bytes a language (16 kanji).
test_expect_success 'a regulation_short over 48 bytes is refused with file, line and key' '
	last=$(($(wc -l <"$D/jukisec.conf.orig") + 1)) &&
	k16=$(printf "規%.0s" $(seq 16)) && k17=$(printf "規%.0s" $(seq 17)) &&
	{ cat "$D/jukisec.conf.orig" && echo "regulation_short = $k16 | $(printf "%048d" 0)"; } >"$D/jukisec.conf" &&
	operator-list -d "$D" >/dev/null &&
	for v in "$k17" "$k16 | $(printf "%049d" 0)"; do
		{ cat "$D/jukisec.conf.orig" && echo "regulation_short = $v"; } >"$D/jukisec.conf" &&
		test_must_fail 3 operator-list -d "$D" 2>err &&
		one_line_matching err "^operator-list: $D/jukisec.conf:$last: regulation_short: longer than 48 bytes\$" ||
		return 1
	done &&
	cp "$D/jukisec.conf.orig" "$D/jukisec.conf"
'

test_expect_success 'none of the refused runs appended anything' '
	test "$(grep -c ",check," "$D/oplog.csv")" = 6
'

test_done
