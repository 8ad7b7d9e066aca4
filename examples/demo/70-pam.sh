# Scene 70: the gate at a login prompt, through a real PAM stack: the
# native module pam_jukisec.so (pam_jukisec(8)) in the service of
# examples/pam/pam_jukisec, asked by pamtester.  yamada (scene 30) lays a
# finger and is admitted; tanaka, revoked in scene 20, is refused by the
# authentication and by the account check.  pamtester reads only
# /etc/pam.d, so it runs in a mount namespace of its own with the demo's
# service directory mounted there: the system's /etc/pam.d is never
# written.  That needs root; elsewhere the scene says so and is left out.
# Sourced by examples/demo/run.

scene "The gate at a login prompt: pam_jukisec(8) behind PAM (R5.2-R5.4)"
need_kacho
if [ "$(id -u)" -ne 0 ] || ! command -v pamtester >/dev/null ||
    ! unshare -m true 2>/dev/null; then
	printf '%s\n' "# (left out: pamtester reads /etc/pam.d only, and mounting the demo's own there needs root)"
	return 0
fi
mkdir -m 700 "$TMP/pam.d"
sed "/^[^#]/s#pam_jukisec\.so\$#$JUKISEC_BUILD/pam_jukisec.so dir=$DIR terminal=cs-terminal-01#" \
    "$DEMO/../pam/pam_jukisec" >"$TMP/pam.d/jukisec"
printf '%s\n' "# The service (examples/pam/pam_jukisec, the module's path and the state directory filled in):"
run grep -v '^#' "$TMP/pam.d/jukisec"

# pamtester ARGS...: pamtester with $TMP/pam.d as /etc/pam.d; its
# conversation (the module's prompts, line-buffered) on standard error, where the
# reader's peer watches for the finger's prompt.
pamtester() {
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /etc/pam.d &&
	    shift && exec stdbuf -oL pamtester "$@" 1>&2' sh "$TMP/pam.d" "$@"
}
if [ -f "$DIR/credentials/yamada.tmpl" ]; then
	printf '%s\n' "# yamada at the login prompt: the module asks for the finger through the application:"
	finger $W@-2,3,5 -- pamtester jukisec yamada authenticate acct_mgmt
fi
printf '%s\n' "# tanaka, revoked: refused by the authentication, whatever the password, and by the account check:"
show pamtester jukisec tanaka authenticate
st=0
pamtester jukisec tanaka authenticate <"$TMP/pw.tanaka" || st=$?
printf '# exit status %s\n' "$st"
[ "$st" -ne 0 ]	# otherwise the demo stops here: a revoked person must be refused
show pamtester jukisec tanaka acct_mgmt
st=0
pamtester jukisec tanaka acct_mgmt </dev/null || st=$?
printf '# exit status %s\n' "$st"
[ "$st" -ne 0 ]
printf '%s\n' "# Each attempt is in the operation log, as auth-check's are:"
run mlr --icsv --opprint filter '$action == "auth" && $terminal == "cs-terminal-01"' \
    then cut -f time,object,result,detail then tail -n 2 "$DIR/oplog.csv"
