#!/bin/sh
# Passwords from the terminal (/dev/tty, echo off): a new password is asked
# twice and must match; the gate asks once.  The log's verification key
# typed in (- as the key file) is read the same way.  Driven through a
# real pty by tests/ptyrun.py, which types each answer only after its
# prompt.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/lib-register.sh"
PTY=$SRCDIR/tests/ptyrun.py

test_expect_success 'set up' 'reg_state'

test_expect_success 'bootstrap from the terminal: asked twice, not echoed' '
	"$PTY" tty-secret-1 tty-secret-1 -- operator-add -d "$D" -i boss -n B \
	    -r manager -m password --reason r --instructions-given 2026-11-01 >screen &&
	grep -q "New password:" screen && grep -q "Again:" screen &&
	! grep -q tty-secret screen &&
	test "$(field boss role)" = manager
'

test_expect_success 'two different entries: exit 2, nothing registered' '
	test_must_fail 2 "$PTY" tty-secret-1 abcdefgh-1 abcdefgh-2 -- operator-add \
	    -d "$D" -b boss -i x -n X -m password --reason r \
	    --instructions-given 2026-11-01 >screen &&
	grep -q "operator-add: /dev/tty: the two passwords differ" screen &&
	! grep -q "^x," "$D/operators.csv"
'

test_expect_success 'too short from the terminal: exit 2, /dev/tty and the key named' '
	test_must_fail 2 "$PTY" tty-secret-1 abc abc -- operator-add \
	    -d "$D" -b boss -i x -n X -m password --reason r \
	    --instructions-given 2026-11-01 >screen &&
	grep -q "^operator-add: /dev/tty: password shorter than 8 bytes (password_min_length)" screen &&
	! grep -q "^x," "$D/operators.csv"
'

test_expect_success 'the manager and the new password, all from the terminal' '
	"$PTY" tty-secret-1 op-secret-1 op-secret-1 -- operator-add -d "$D" -b boss \
	    -i op -n Op -m password --reason r --instructions-given 2026-11-01 >screen &&
	grep -q "Password for boss:" screen &&
	test "$(field op registered_by)" = boss
'

test_expect_success 'auth-check asks once; right and wrong' '
	"$PTY" op-secret-1 -- auth-check -d "$D" -u op >screen &&
	grep -q "Password for op:" screen && ! grep -q op-secret screen &&
	test_must_fail 1 "$PTY" op-secret-2 -- auth-check -d "$D" -u op >screen &&
	grep -q "authentication denied" screen
'

# Ctrl-Z at the prompt, then fg: the terminal is the shell's while stopped
# (fg shows), then the prompt again, echo off again, the half typed before
# the stop gone: as readpassphrase(3).
test_expect_success 'auth-check: ^Z at the prompt stops it; fg asks again, not echoed' '
	"$PTY" "op-sec^Z" op-secret-1 -- auth-check -d "$D" -u op >screen &&
	grep -c "Password for op:" screen >n && test "$(cat n)" = 2 &&
	sed -n "/<stopped>/,\$p" screen >after &&
	grep -q "^fg" after && grep -q "Password for op:" after &&
	! grep -q op-sec screen
'

# keyed CMD...: CMD, its status, then the terminal's settings (stty -a).
cat >keyed <<\EOF
"$@"
echo "status $?"
stty -a
EOF

# log-verify(1) EXAMPLES: "log-verify -k - ARCHIVE LOG", the key typed in.
# It is K0, whence every epoch's key: never on the screen.
key=$(cat "$D.key") k0=${key##*k0=}
test_expect_success 'the log key typed in: asked for, not echoed, Enter ends it, echo back on' '
	test ${#k0} -eq 64 &&
	"$PTY" "$key" -- sh keyed log-verify -k - "$D/oplog.csv" >screen &&
	grep -q "the log verification key: <typed>" screen &&
	grep -q "^ok: " screen && grep -q "^status 0" screen &&
	! grep -q "$k0" screen &&
	grep -qw icanon screen && ! grep -qw -- -icanon screen && ! grep -qw -- -echo screen
'

test_expect_success 'the log key: ^Z at its prompt, fg; asked again, not echoed, echo back on' '
	"$PTY" "jukisec-log^Z" "$key" -- sh keyed log-verify -k - "$D/oplog.csv" >screen &&
	grep -c "the log verification key:" screen >n && test "$(cat n)" = 2 &&
	sed -n "/<stopped>/,\$p" screen >after &&
	grep -q "^fg" after && grep -q "the log verification key: <typed>" after &&
	grep -q "^ok: " after && grep -q "^status 0" after &&
	! grep -q "$k0" screen && ! grep -q jukisec-log screen &&
	grep -qw icanon after && ! grep -qw -- -icanon after && ! grep -qw -- -echo after
'

test_expect_success 'every tool reads it so: log-show -k -; a wrong line is exit 2' '
	"$PTY" "$key" -- log-show -d "$D" -k - --format raw >screen &&
	grep -q "the log verification key: <typed>" screen &&
	grep -q ",genesis," screen && ! grep -q "$k0" screen &&
	test_must_fail 2 "$PTY" "not a key" -- log-verify -d "$D" -k - >screen &&
	grep -q "log-verify: <stdin>: not a jukisec log verification key" screen
'

test_done
