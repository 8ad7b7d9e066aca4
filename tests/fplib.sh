# tests/fplib.sh — helpers for the biometric tests (t3xxx), sourced after
# lib.sh.  The reader is libfprint's virtual_device or virtual_image, driven
# by tests/fpeer.py; each test takes a fresh socket with new_reader.

PEER=$SRCDIR/tests/fpeer.py
PRINTS=$SRCDIR/tests/prints
unset G_MESSAGES_DEBUG FP_VIRTUAL_DEVICE FP_VIRTUAL_IMAGE FP_VIRTUAL_DEVICE_STORAGE

# conf_set KEY VALUE [DIR]: sets one jukisec.conf key.
conf_set() {
	sed -i "s|^$1 = .*|$1 = $2|" "${3:-$TMP/state}/jukisec.conf"
}

# new_reader device|image: a fresh socket in its own mktemp -d (short path).
new_reader() {
	sock=$(mktemp -d "$TMP/r.XXXXXX")/s
	if [ "$1" = image ]; then
		FP_DRIVERS_WHITELIST=virtual_image FP_VIRTUAL_IMAGE=$sock
		export FP_VIRTUAL_IMAGE
	else
		FP_DRIVERS_WHITELIST=virtual_device FP_VIRTUAL_DEVICE=$sock
		export FP_VIRTUAL_DEVICE
	fi
	export FP_DRIVERS_WHITELIST
}

# finger CMD...: virtual_device commands ("SCAN alice", "RETRY 1", REOPEN)
# sent in the background while the next tool runs; end with peer_done.
finger() {
	"$PEER" dev "$sock" "$@" &
	peer=$!
}

# peer_done: the peer has finished (or is stopped: a test that expects the
# tool to give up before all commands were taken).
peer_done() {
	kill "$peer" 2>/dev/null
	wait "$peer" 2>/dev/null
	return 0
}

# with_images ITEM... -- CMD...: runs CMD with its stderr paced into the
# virtual_image peer, which sends the next ITEM at each prompt; CMD's
# stderr ends up in $TMP/err, its status is returned.
with_images() {
	items=
	while [ "$1" != -- ]; do items="$items $1"; shift; done
	shift
	rm -f "$TMP/fifo" "$TMP/err"
	mkfifo "$TMP/fifo"
	# shellcheck disable=SC2086
	"$PEER" img "$sock" "$TMP/fifo" "$TMP/err" $items &
	ipeer=$!
	"$@" 2>"$TMP/fifo"
	st=$?
	wait "$ipeer"
	return $st
}

# logged ACTION OBJECT RESULT PATTERN: the last log record of ACTION on
# OBJECT has RESULT and a detail matching PATTERN.
logged() {
	grep ",$1,$2,$3," "$TMP/state/oplog.csv" | tail -1 | grep -q -- "$4" || {
		echo "no $1 $2 $3 record matching '$4' in the log:" >&2
		tail -5 "$TMP/state/oplog.csv" >&2
		return 1
	}
}
