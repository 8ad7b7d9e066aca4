# Scene 30: fingerprints (R5.3) at work.  kacho, enrolled by fingerprint in
# scene 20, enrols a deputy Security Manager and the operator yamada on the
# same reader (examples/demo/reader.sh); yamada's finger is admitted,
# somebody else's refused, and a missing reader is no admission.  Sourced
# by examples/demo/run.

scene "Fingerprints: enrolment and the gate on the reader (R5.3)"
need_kacho

printf '%s\n' "# kacho enrols a deputy Security Manager, so that the register never depends on one"
printf '%s\n' "# person (R5.1): kacho's finger first (-b kacho), then the deputy's five scans:"
next_kacho
finger "$KF" $D $D@4,-3,3 $D@-5,2,-4 $D@2,5,2 $D@-3,-4,5 -- \
    operator-add -b kacho -i fukukacho -n '本多 花子' -s '市民課' --title '市民課長補佐' \
    -r manager -m fingerprint --finger right-index-finger

printf '%s\n' "# kacho enrols the operator yamada the same way:"
next_kacho
finger "$KF" $W $W@4,-3,3 $W@-5,2,-4 $W@2,5,2 $W@-3,-4,5 -- \
    operator-add -b kacho -i yamada -n '山田 太郎' -s '市民課' \
    -m fingerprint --finger left-index-finger

printf '%s\n' "# The template is sealed (AES-256-GCM, bound to the id), never in clear:"
run ls -l "$DIR/credentials/yamada.tmpl"

printf '%s\n' "# At the terminal: yamada's finger is admitted (exit 0) ..."
finger $W@10,0,8 -- auth-check -u yamada
printf '%s\n' "# ... someone else's finger is refused (exit 1), logged and counted (R5.2):"
st=0
finger $X -- auth-check -u yamada || st=$?
printf '# exit status %s\n' "$st"
[ "$st" -eq 1 ]	# otherwise the demo stops here: the other finger must be refused

printf '%s\n' "# A missing reader is an operational failure (exit 3), never an admission:"
run env FP_DRIVERS_WHITELIST=none auth-check -u yamada || printf '# exit status %s\n' "$?"

printf '%s\n' "# The log has every attempt with its reason:"
run mlr --icsv --opprint filter '$action == "auth" && $object == "yamada"' \
    then cut -f time,action,object,result,detail "$DIR/oplog.csv"
