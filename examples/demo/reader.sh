# The demo's fingerprint reader, sourced by examples/demo/run before the
# scenes: from the first Security Manager's bootstrap on, every -b kacho is
# kacho's finger, as on a terminal with a reader (R5.3).  The reader is
# libfprint's virtual image reader, fed NIST example prints (tests/prints)
# by tests/fpeer.py running in the background: the same minutiae extraction
# and bozorth3 matching as with a USB image reader.

FPPEER=$DEMO/../../tests/fpeer.py PRINTS=$DEMO/../../tests/prints
mkdir -p "$TMP/fp"
FP_DRIVERS_WHITELIST=virtual_image FP_VIRTUAL_IMAGE=$TMP/fp/reader
export FP_DRIVERS_WHITELIST FP_VIRTUAL_IMAGE

# The day's fingers: kacho's right index finger is a right loop, the deputy
# fukukacho's an arch, yamada's left index finger a whorl; the tented arch
# is somebody else's finger (against the whorl bozorth3 scores it 10, the
# threshold is 40: tests/prints/README; the arch and the right loop score
# near it against each other, so neither is ever laid for the other).  A
# print is laid a little differently every time (FILE@dx,dy,degrees).
K=$PRINTS/loop-right.pgm D=$PRINTS/arch.pgm W=$PRINTS/whorl.pgm
X=$PRINTS/tented_arch.pgm

# onreader PRINT... -- CMD...: runs CMD while the peer lays the next print
# on the reader each time CMD asks for a finger; CMD's prompts (its
# standard error) are copied to standard error as they come.  Returns
# CMD's status; a peer that could not feed the reader ends the demo.
onreader() {
	laid=
	while [ "$1" != -- ]; do laid="$laid $1"; shift; done
	shift
	rm -f "$TMP/fp/prompts"
	mkfifo "$TMP/fp/prompts"
	# shellcheck disable=SC2086
	"$FPPEER" img "$FP_VIRTUAL_IMAGE" "$TMP/fp/prompts" - $laid >&2 &
	fpeer=$!
	fst=0
	"$@" 2>"$TMP/fp/prompts" || fst=$?
	wait "$fpeer" || { echo "demo: the reader's peer failed" >&2; exit 3; }
	return "$fst"
}

# finger PRINT... -- CMD...: shows CMD and runs it on the reader (onreader);
# like run, a failure ends the demo unless the scene expects it (||).
finger() {
	fingers=
	while [ "$1" != -- ]; do fingers="$fingers $1"; shift; done
	shift
	show "$@"
	# shellcheck disable=SC2086
	onreader $fingers -- "$@"
}

# next_kacho: $KF, kacho's finger as it lands this time: eight ways in
# turn, each scoring 120 or more against kacho's enrolment (a right loop
# has fewer minutiae than the whorl; some lays score near the threshold).
kn=0
next_kacho() {
	kn=$((kn % 8 + 1))
	KF=$K@$(printf '%s\n' 3,-2,4 -3,2,-2 5,1,-1 -1,-3,-2 6,-2,1 -5,-1,1 -3,-3,4 2,2,2 |
	    sed -n "${kn}p")
}

# bykacho CMD...: finger with kacho's finger: the Security Manager's
# verification of a command run with -b kacho.
bykacho() {
	next_kacho
	finger "$KF" -- "$@"
}

# need_kacho: for a scene run without scene 20, the state directory and the
# Security Manager kacho, enrolled by fingerprint without a word.
need_kacho() {
	[ -f "$DIR/jukisec.conf" ] || jukisec-init -d "$DIR" >"$KEY" 2>/dev/null
	[ ! -f "$DIR/credentials/kacho.tmpl" ] || return 0
	onreader $K $K@4,-3,3 $K@-5,2,-4 $K@2,5,2 $K@-3,-4,5 -- \
	    operator-add -d "$DIR" -i kacho -n '国分 太郎' -s '市民課' --title '市民課長' \
	    -r manager -m fingerprint --finger right-index-finger 2>/dev/null
}
