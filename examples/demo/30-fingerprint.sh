# Scene 30: fingerprints (R5.3) on a reader found through libfprint.  The
# reader here is libfprint's virtual image reader, fed NIST example prints
# by tests/fpeer.py running in the background: the same minutiae extraction
# and bozorth3 matching as with a USB reader.  Sourced by examples/demo/run.

scene "Fingerprints: enrolment and the gate on the reader (R5.3)"
if [ ! -f "$DIR/jukisec.conf" ]; then
	# run alone: a state directory with the Security Manager kacho
	jukisec-init -d "$DIR" >"$KEY" 2>/dev/null
	printf 'kacho-secret-1\n' >"$TMP/pw.kacho"
	operator-add -d "$DIR" -i kacho -n '国分 太郎' -s '市民課' --title '市民課長' -r manager \
	    -m password --reason 'reader on order' --instructions-given 2026-11-01 \
	    --password-fd 3 3<"$TMP/pw.kacho"
fi
FPPEER=$DEMO/../../tests/fpeer.py PRINTS=$DEMO/../../tests/prints
mkdir -p "$TMP/fp"
FP_DRIVERS_WHITELIST=virtual_image FP_VIRTUAL_IMAGE=$TMP/fp/reader
export FP_DRIVERS_WHITELIST FP_VIRTUAL_IMAGE

# finger PRINT... -- CMD...: shows CMD, runs it while the peer lays the next
# print on the reader at each prompt (prompts appear as CMD prints them).
finger() {
	prints=
	while [ "$1" != -- ]; do prints="$prints $1"; shift; done
	shift
	printf '$ %s\n' "$*"
	rm -f "$TMP/fp/prompts"
	mkfifo "$TMP/fp/prompts"
	# shellcheck disable=SC2086
	"$FPPEER" img "$FP_VIRTUAL_IMAGE" "$TMP/fp/prompts" - $prints &
	fpeer=$!
	fst=0
	"$@" 2>"$TMP/fp/prompts" || fst=$?
	wait "$fpeer"
	[ "$fst" -eq 0 ] || printf '# exit status %s\n' "$fst"
}
# Each print is laid a little differently every time (FILE@dx,dy,degrees).
W=$PRINTS/whorl.pgm L=$PRINTS/loop-right.pgm A=$PRINTS/tented_arch.pgm

printf '%s\n' "# The reader arrived: kacho (password exception) enrols a deputy Security Manager"
printf '%s\n' "# by fingerprint; one scan is smudged (no minutiae) and is asked again:"
finger $L blank $L@4,-3,3 $L@-5,2,-4 $L@2,5,2 $L@-3,-4,5 -- operator-add -b kacho --by-password-fd 3 \
    -i fukukacho -n '本多 花子' -s '市民課' --title '市民課長補佐' -r manager -m fingerprint \
    --finger right-index-finger 3<"$TMP/pw.kacho"

printf '%s\n' "# The deputy proves their own finger, then enrols the operator yamada:"
finger $L@8,2,6 $W $W@4,-3,3 $W@-5,2,-4 $W@2,5,2 $W@-3,-4,5 -- operator-add -b fukukacho -i yamada -n '山田 太郎' \
    -s '市民課' -m fingerprint --finger left-index-finger

printf '%s\n' "# The template is sealed (AES-256-GCM, bound to the id), never in clear:"
run ls -l "$DIR/credentials/yamada.tmpl"

printf '%s\n' "# At the terminal: yamada's finger is admitted (exit 0) ..."
finger $W@10,0,8 -- auth-check -u yamada
printf '%s\n' "# ... someone else's finger is refused (exit 1), logged and counted (R5.2):"
finger $A -- auth-check -u yamada

printf '%s\n' "# A missing reader is an operational failure (exit 3), never an admission:"
run env FP_DRIVERS_WHITELIST=none auth-check -u yamada || printf '# exit status %s\n' "$?"

printf '%s\n' "# The log has every attempt with its reason:"
run mlr --icsv --opprint filter '$action == "auth" && $object == "yamada"' \
    then cut -f time,action,object,result,detail "$DIR/oplog.csv"
unset FP_DRIVERS_WHITELIST FP_VIRTUAL_IMAGE
