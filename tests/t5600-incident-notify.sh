#!/bin/sh
# notify_command: new and every step pipe the rendered report into it; a
# failure leaves the event recorded, is logged (notify-failed) and makes the
# exit status 3.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
. "$SRCDIR/tests/lib-incident.sh"

AT=2026-11-25T10:00:00Z N=--now=2026-11-25T10:00:00Z

test_expect_success 'set up: notify_command saves its input and environment' '
	inc_state &&
	cat >"$TMP/notify.sh" <<-\EOS &&
	cat >"$1/got.$JUKISEC_INCIDENT.$JUKISEC_EVENT"
	echo "notified $JUKISEC_INCIDENT $JUKISEC_EVENT"
	EOS
	conf_set "$D" notify_command "sh $TMP/notify.sh $TMP"
'

test_expect_success 'new pipes the report in; its output goes to stderr, not stdout' '
	inew --type other --cause fire --summary "smoke in the server room" >out 2>err &&
	test "$(cat out)" = 2026-0001 &&
	grep -q "^notified 2026-0001 new$" err &&
	grep -q "^Summary: smoke in the server room$" "$TMP/got.2026-0001.new"
'

test_expect_success 'each step pipes the report with the step in it' '
	istep 2026-0001 jlis-contacted >out 2>err &&
	test ! -s out &&
	grep -q "^notified 2026-0001 jlis-contacted$" err &&
	grep -q "J-LIS contacted (Art. 9(1))  Boss$" "$TMP/got.2026-0001.jlis-contacted"
'

test_expect_success 'the report is in Japanese under a ja locale' '
	LC_ALL=ja_JP.UTF-8 istep 2026-0001 vendor-contacted 2>err &&
	head -1 "$TMP/got.2026-0001.vendor-contacted" | grep -q "^住民基本台帳ネットワークシステム 重大障害等報告書$"
'

# The locale variables that name a path are removed at start (ENVIRONMENT):
# the report sent is in the language show prints under the same variables.
test_expect_success 'a locale variable naming a path: the report sent and show agree' '
	J="住民基本台帳ネットワークシステム 重大障害等報告書" E="Juki-net serious incident report" &&
	(unset LC_MESSAGES; export LC_ALL=/x LANG=ja_JP.UTF-8 &&
	    istep 2026-0001 mayor-reported 2>err &&
	    incident-report -d "$D" show 2026-0001 >show.ja) &&
	test "$(head -1 "$TMP/got.2026-0001.mayor-reported")" = "$J" &&
	test "$(head -1 show.ja)" = "$J" &&
	(unset LC_MESSAGES; export LC_ALL=ja/x LANG=C &&
	    istep 2026-0001 general-manager-reported 2>err &&
	    incident-report -d "$D" show 2026-0001 >show.en) &&
	test "$(head -1 "$TMP/got.2026-0001.general-manager-reported")" = "$E" &&
	test "$(head -1 show.en)" = "$E"
'

test_expect_success 'a failing command: exit 3, the incident recorded, the failure logged' '
	conf_set "$D" notify_command "cat >/dev/null; exit 7" &&
	test_must_fail 3 inew --type other --cause water --summary "leak from the ceiling" >out 2>err &&
	test "$(cat out)" = 2026-0002 &&
	one_line_matching err "^incident-report: notify_command failed \(status 7\); incident 2026-0002 is recorded$" &&
	test "$(rows 2026-0002)" = 1 &&
	test "$(inc_log notify-failed "^event=new status=7$")" = 1 &&
	test_must_fail 3 istep 2026-0002 jlis-contacted 2>err &&
	test "$(rows 2026-0002)" = 2 &&
	test "$(inc_log notify-failed "^event=jlis-contacted status=7$")" = 1
'

test_expect_success 'a command that does not read its input, or is killed, also fails' '
	conf_set "$D" notify_command "exit 0" &&
	istep 2026-0002 vendor-contacted &&
	conf_set "$D" notify_command "kill -9 \$\$" &&
	test_must_fail 3 istep 2026-0002 mayor-reported 2>err &&
	one_line_matching err "failed \(status 137\); incident 2026-0002 is recorded$" &&
	conf_set "$D" notify_command "/nonexistent/mailer" &&
	test_must_fail 3 istep 2026-0002 general-manager-reported 2>err &&
	grep -q "failed (status 127); incident 2026-0002 is recorded$" err &&
	test "$(rows 2026-0002)" = 5
'

test_expect_success 'a refused step runs no notification' '
	conf_set "$D" notify_command "sh $TMP/notify.sh $TMP" &&
	test_must_fail 2 istep 2026-0002 reconnected 2>err &&
	test ! -e "$TMP/got.2026-0002.reconnected"
'

test_expect_success 'a row left out is said once by new and by step, not again by the notification' '
	conf_set "$D" notify_command "cat >/dev/null" &&
	last=$(wc -l <"$D/incidents.csv") &&
	tail -1 "$D/incidents.csv" | grep -q "^2026-0002,general-manager-reported," &&
	sed -i "\$s/,general-manager-reported,/,flood,/" "$D/incidents.csv" &&
	inew --type other --summary s >out 2>err &&
	one_line_matching err "incidents.csv:$last: field event: unknown event \(row left out\)$" &&
	istep "$(cat out)" jlis-contacted >out 2>err &&
	one_line_matching err "incidents.csv:$last: field event: unknown event \(row left out\)$" &&
	sed -i "${last}s/,flood,/,general-manager-reported,/" "$D/incidents.csv" &&
	incident-report -d "$D" list >/dev/null 2>err && test ! -s err
'

test_expect_success 'the command gets no descriptor but 0, 1 and 2: not the password fd' '
	cat >"$TMP/fds.sh" <<-\EOS &&
	cat >/dev/null
	for f in 3 4 5 6 7 8 9; do test -e /proc/$$/fd/$f && echo "fd $f open" >"$1/fds.leak"; done
	exit 0
	EOS
	conf_set "$D" notify_command "sh $TMP/fds.sh $TMP" &&
	rm -f "$TMP/fds.leak" &&
	# on the real clock: libfaketime opens descriptors of its own in every
	# process it is loaded into, the command included
	AT= inew --type other --cause water --summary "leak test" 7<"$TMP/pw.boss" >out 2>err &&
	test ! -e "$TMP/fds.leak"
'

# A reader gone from standard output (EPIPE) costs the id's line only:
# the incident is recorded and notified all the same, and the run says
# so in one line, exit 3 (not a SIGPIPE death before notify_command).
test_expect_success 'new, its reader gone: notified all the same, exit 3, one line' '
	conf_set "$D" notify_command "sh $TMP/notify.sh $TMP" &&
	before=$(wc -l <"$D/incidents.csv") &&
	no_reader inew --type other --cause fire --summary "a reader gone" 2>err &&
	test "$(cat "$TMP/no_reader.rc")" = 3 &&
	test "$(wc -l <"$D/incidents.csv")" = $((before + 1)) &&
	id=$(tail -1 "$D/incidents.csv" | cut -d, -f1) &&
	grep -q "^notified $id new$" err &&
	test "$(grep -v "^notified " err)" = "incident-report: write error: standard output: Broken pipe" &&
	grep -q "^Summary: a reader gone$" "$TMP/got.$id.new"
'

test_done
