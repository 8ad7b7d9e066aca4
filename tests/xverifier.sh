#!/bin/sh
# tests/xverifier.sh — a stand-in for a vendor's palm-vein verifier, speaking
# jukisec-verifier(5), for the tests.  Its "sensor" is the file
# $XV_DIR/hand: what the person presents now, unless $XV_DIR/queue has
# lines, of which each run takes the first (a manager's hand under --by,
# then the new person's).  A template is "vein:" and
# that content; verify exits 0 when stdin equals the template of the hand
# presented, 1 when not.  $XV_DIR/mode, when present, misbehaves on purpose:
# sleep (never answers), garbage (2 MiB on stdout), empty (no template),
# fail (exit 1), broken (exit 2), nodevice (exit 3).
set -u
verb=${1:?} id=${2:?}
mode=$(cat "$XV_DIR/mode" 2>/dev/null || echo ok)
echo "xverifier: $verb $id, present your hand" >&2
if [ -s "$XV_DIR/queue" ]; then
	head -1 "$XV_DIR/queue" >"$XV_DIR/hand"
	sed -i 1d "$XV_DIR/queue"
fi
case $mode in
sleep)		exec sleep 30 ;;
garbage)	head -c 2097152 /dev/zero; exit 0 ;;
empty)		exit 0 ;;
fail)		exit 1 ;;
broken)		exit 2 ;;
nodevice)	exit 3 ;;
esac
case $verb in
enrol)	printf 'vein:%s' "$(cat "$XV_DIR/hand")" ;;
verify)	want=$(printf 'vein:%s' "$(cat "$XV_DIR/hand")")
	got=$(cat)
	[ "$got" = "$want" ] || exit 1 ;;
*)	exit 2 ;;
esac
