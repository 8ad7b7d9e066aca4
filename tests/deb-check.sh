#!/bin/sh
# tests/deb-check.sh — the Debian package, run by make check-deb (not by
# make check: it needs a second, packaged build).  $JUKISEC_DEB is the
# jukisec_VERSION_amd64.deb that make deb built.  It checks the package's
# contents and control fields, runs lintian, then installs the package with
# the real dpkg into a throw-away root and uses the installed tools there.
#
# The throw-away root is an overlay of the running system (lower, never
# written) and a directory under $TMP (upper, every change), entered with
# unshare -m and chroot: dpkg, the maintainer scripts, addgroup and the
# tools run as on a Debian 12 machine that has the dependencies, and
# nothing outside $TMP changes.  A debootstrap root would also prove the
# dependencies resolve, but takes minutes and the network; the Depends
# field is checked against the libraries the tools link instead.
. "$(dirname "$0")/lib.sh"

: "${JUKISEC_DEB:?run through make check-deb}"
VERSION=$(sed -n 's/^VERSION = //p' "$SRCDIR/Makefile")

test_expect_success 'make deb built jukisec_VERSION_amd64.deb' '
	test "$(basename "$JUKISEC_DEB")" = "jukisec_${VERSION}_amd64.deb" &&
	dpkg-deb -f "$JUKISEC_DEB" Package Version Architecture >fields &&
	printf "Package: jukisec\nVersion: %s\nArchitecture: amd64\n" "$VERSION" >want &&
	test_cmp want fields
'

test_expect_success 'it holds every tool, page, catalogue, completion, unit and example' '
	dpkg-deb -c "$JUKISEC_DEB" | awk "{ print \$6 }" | sed "s|^\./|/|" >files &&
	for c in "$SRCDIR"/cmd/*.c; do
		t=$(basename "$c" .c) &&
		echo "/usr/bin/$t" && echo "/usr/share/man/man1/$t.1.gz" || exit 1
	done >want &&
	for c in "$SRCDIR"/cmd/*.c; do
		echo "/usr/share/bash-completion/completions/$(basename "$c" .c)"
	done >>want &&
	echo /usr/share/bash-completion/completions/jukisec >>want &&
	for m in "$SRCDIR"/man/*.5; do echo "/usr/share/man/man5/$(basename "$m").gz"; done >>want &&
	for m in "$SRCDIR"/man/*.[158]; do
		echo "/usr/share/man/ja/man${m##*.}/$(basename "$m").gz"
	done >>want &&
	for p in "$SRCDIR"/po/*.po; do
		echo "/usr/share/locale/$(basename "$p" .po)/LC_MESSAGES/jukisec.mo"
	done >>want &&
	for u in seal prune audit; do
		echo "/lib/systemd/system/jukisec-$u.service" &&
		echo "/lib/systemd/system/jukisec-$u.timer" || exit 1
	done >>want &&
	! dpkg-deb --fsys-tarfile "$JUKISEC_DEB" | tar -xOf - --wildcards "./usr/share/doc/jukisec/examples/*" |
		grep -E "/usr/local/bin[/:]" &&
	printf "%s\n" /usr/share/doc/jukisec/examples/cron/jukisec \
		/usr/share/doc/jukisec/examples/pam/jukisec \
		/usr/share/doc/jukisec/examples/rsyslog/terminal.conf \
		/usr/lib/tmpfiles.d/jukisec-ship.conf \
		/usr/share/doc/jukisec/README.gz /usr/share/doc/jukisec/copyright >>want &&
	sort want >want.s && grep -vx -f files want.s >missing;
	cat missing >&2 && test ! -s missing
'

test_expect_success 'pam_jukisec.so is in the package when the build makes it' '
	built=$(find "$(dirname "$JUKISEC_DEB")/src" -name pam_jukisec.so | head -1) &&
	if [ -n "$built" ]; then
		grep -qx "/lib/x86_64-linux-gnu/security/pam_jukisec.so" files
	else
		! grep -q pam_jukisec files
	fi
'

test_expect_success 'no state directory, nothing under /var or /etc in the package' '
	! grep -E "^/(var|etc)/" files
'

test_expect_success 'Depends: the libraries the tools link, and adduser' '
	dpkg-deb -f "$JUKISEC_DEB" Depends >dep && cat dep >&2 &&
	grep -q "libgcrypt20 (>=" dep && grep -q "libcsv3 (>=" dep &&
	grep -q "adduser" dep && ! grep -q libfprint dep &&
	dpkg-deb -f "$JUKISEC_DEB" Recommends | grep -q libfprint-2-2
'

# lintian: no error; each warning is one the README justifies (its
# "lintian" list names the tag).
if command -v lintian >/dev/null; then
	test_expect_success 'lintian: no error, every warning justified in the README' '
		lintian --allow-root "$JUKISEC_DEB" >lint 2>lint.err; cat lint >&2 &&
		! grep "^E: " lint &&
		for tag in $(sed -n "s/^W: [^ ]* [^ ]*: \([^ ]*\).*/\1/p" lint | sort -u); do
			grep -q "^    $tag:" "$SRCDIR/README" ||
			{ echo "warning $tag not justified in the README" >&2; exit 1; }
		done
	'
else
	test_skip 'lintian' 'lintian not installed (make deps installs it)'
fi

# in_root CMD...: CMD in the throw-away root (overlay of / under $TMP/ov).
mkdir -p "$TMP/ov/u" "$TMP/ov/w" "$TMP/ov/r"
in_root() {
	unshare -m sh -c '
		set -e
		o=$1; shift
		mount --make-rprivate /
		mount -t overlay overlay -o "lowerdir=/,upperdir=$o/u,workdir=$o/w" "$o/r"
		mount --rbind /proc "$o/r/proc"
		mount --rbind /dev "$o/r/dev"
		exec chroot "$o/r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			LANG=C TZ=UTC HOME=/root "$@"' sh "$TMP/ov" "$@"
}

root_ok=
if [ "$(id -u)" -ne 0 ]; then
	why='not root: no overlay mount or chroot'
elif ! in_root true 2>"$TMP/why"; then
	why="no throw-away root: $(head -1 "$TMP/why")"
elif in_root dpkg-query -W jukisec >/dev/null 2>&1; then
	why='jukisec is installed on this machine: dpkg -i would be an upgrade'
else
	root_ok=1
fi

if [ -n "$root_ok" ]; then
	mkdir -p "$TMP/ov/u/pkg" && cp "$JUKISEC_DEB" "$TMP/ov/u/pkg/"
	DEB=/pkg/$(basename "$JUKISEC_DEB")

	test_expect_success 'dpkg -i installs it; postinst makes the jukisec system group and user' '
		in_root dpkg -i "$DEB" >&2 &&
		in_root getent group jukisec >grp && cat grp >&2 &&
		gid=$(cut -d: -f3 grp) && [ "$gid" -lt 1000 ] &&
		in_root getent passwd jukisec >pw && cat pw >&2 &&
		[ "$(cut -d: -f3 pw)" -lt 1000 ] && [ "$(cut -d: -f4 pw)" = "$gid" ] &&
		[ "$(cut -d: -f7 pw)" = /usr/sbin/nologin ] &&
		in_root test -x /usr/bin/log-verify
	'

	# The shipping socket's directory, as systemd-tmpfiles makes it at boot
	# (and the postinst, through debhelper, at installation).
	if in_root sh -c "command -v systemd-tmpfiles" >/dev/null 2>&1; then
		test_expect_success 'systemd-tmpfiles makes /run/jukisec the jukisec user'"'"'s alone' '
			in_root systemd-tmpfiles --create jukisec-ship.conf &&
			in_root stat -c "%U %G %a" /run/jukisec >st &&
			echo "jukisec jukisec 700" >want && test_cmp want st
		'
	else
		test_skip 'systemd-tmpfiles makes /run/jukisec' 'systemd-tmpfiles not installed'
	fi

	test_expect_success 'the installed jukisec-init makes the compiled-in /var/lib/jukisec' '
		in_root sh -c "umask 077 && jukisec-init >/root/jukisec.key" &&
		in_root test -f /var/lib/jukisec/oplog.csv &&
		in_root stat -c %a /var/lib/jukisec >mode && test "$(cat mode)" = 700
	'

	test_expect_success 'log-append and log-verify work there' '
		in_root log-append -u tanaka -a print -o juminhyo -r ok -m "1 page" &&
		in_root log-verify --key-file /root/jukisec.key >verify 2>&1 &&
		cat verify >&2
	'

	test_expect_success 'a tampered log fails log-verify there' '
		in_root sed -i "s/1 page/9 pages/" /var/lib/jukisec/oplog.csv &&
		test_must_fail 1 in_root log-verify --key-file /root/jukisec.key &&
		in_root sed -i "s/9 pages/1 page/" /var/lib/jukisec/oplog.csv
	'

	# The catalogue is found where the package put it (LOCALEDIR=/usr/...):
	# ja_JP.UTF-8 is built into the root with localedef, as locale-gen would.
	test_expect_success 'the installed tools speak Japanese under ja_JP.UTF-8' '
		in_root mkdir -p /root/loc &&
		in_root localedef -i ja_JP -f UTF-8 /root/loc/ja_JP.UTF-8 2>/dev/null;
		in_root test -d /root/loc/ja_JP.UTF-8 &&
		in_root env LOCPATH=/root/loc LANG=ja_JP.UTF-8 log-append -u tanaka >ja 2>&1;
		in_root log-append -u tanaka >c 2>&1;
		cat c ja >&2 &&
		! cmp -s c ja && LC_ALL=C grep -q "[^[:print:][:space:]]" ja &&
		! LC_ALL=C grep -q "[^[:print:][:space:]]" c
	'

	# man-db looks in /usr/share/man/ja for -L ja and for a ja_* LANG
	# (the locale built above); the page shown is the Japanese one.
	if in_root sh -c "command -v man" >/dev/null 2>&1; then
		test_expect_success 'man -L ja auth-check shows the installed Japanese page' '
			echo /usr/share/man/ja/man1/auth-check.1.gz >want &&
			in_root man -L ja -w auth-check >where && test_cmp want where &&
			in_root env LOCPATH=/root/loc LANG=ja_JP.UTF-8 man -w auth-check >where &&
			test_cmp want where &&
			in_root env LC_ALL=C.UTF-8 MANWIDTH=80 man -L ja auth-check 2>err >shown;
			cat err >&2 && test ! -s err &&
			LC_ALL=C.UTF-8 grep -q "住基ネットの端末機" shown
		'
	else
		test_skip 'man -L ja auth-check' 'man (man-db) not installed'
	fi

	if in_root sh -c "command -v systemd-analyze" >/dev/null 2>&1; then
		test_expect_success 'systemd-analyze verify: the installed units are sound' '
			in_root systemd-analyze verify --man=no \
				/lib/systemd/system/jukisec-seal.timer \
				/lib/systemd/system/jukisec-prune.timer \
				/lib/systemd/system/jukisec-audit.timer \
				/lib/systemd/system/jukisec-seal.service \
				/lib/systemd/system/jukisec-prune.service \
				/lib/systemd/system/jukisec-audit.service >sa 2>&1;
			cat sa >&2 && ! grep -q jukisec sa
		'
	else
		test_skip 'systemd-analyze verify' 'systemd-analyze not installed'
	fi

	test_expect_success 'dpkg --purge keeps the state directory byte for byte, and the group' '
		in_root sh -c "cd /var/lib/jukisec && ls -la && sha256sum *" >before &&
		in_root dpkg --purge jukisec >&2 &&
		! in_root test -e /usr/bin/log-verify &&
		in_root sh -c "cd /var/lib/jukisec && ls -la && sha256sum *" >after &&
		test_cmp before after &&
		in_root getent group jukisec >/dev/null
	'

	# An upgrade or a reinstall keeps running the timers the Security
	# Manager enabled; a fresh install neither enables nor starts them (they
	# fail until jukisec-init has made a state directory).  The root is made
	# to look booted with systemd to the maintainer scripts: /run/systemd/system,
	# no policy-rc.d (a container's denies every action), and a systemctl
	# that logs its arguments; an enable it also does, offline, so that
	# deb-systemd-helper finds the links a real one makes.  An upgrade that
	# stops the timers leaves them stopped until the next boot, the audit's
	# too, and so unnoticed (issue 17).
	if in_root test -x /usr/bin/systemctl; then
		TIMERS="jukisec-seal.timer jukisec-prune.timer jukisec-audit.timer"
		NEXT=${VERSION}+1
		test_expect_success 'with systemd running, a fresh install enables and starts no timer' '
			in_root sh -c "mkdir -p /run/systemd/system && rm -f /usr/sbin/policy-rc.d &&
				mv /usr/bin/systemctl /usr/bin/systemctl.real" &&
			printf "%s\n" "#!/bin/sh" "echo \"\$*\" >>/root/systemctl.log" \
				"[ \"\$1\" = enable ] || exit 0" "shift; [ \"\$1\" = --now ] && shift" \
				"exec systemctl.real --root=/ enable \"\$@\"" |
				in_root sh -c "cat >/usr/bin/systemctl && chmod 755 /usr/bin/systemctl" &&
			in_root sh -c ": >/root/systemctl.log" &&
			in_root dpkg -i "$DEB" >&2 &&
			in_root cat /root/systemctl.log >log && cat log >&2 &&
			! grep jukisec log &&
			in_root find /etc/systemd/system -name "jukisec-*" >links &&
			cat links >&2 && test ! -s links
		'

		test_expect_success 'the Security Manager enables and starts the timers' '
			in_root systemctl enable --now $TIMERS >&2 &&
			for t in $TIMERS; do
				in_root test -L /etc/systemd/system/timers.target.wants/$t || exit 1
			done
		'

		# upgraded_to V: dpkg -i of version V ran, and the maintainer scripts
		# stopped no timer, restarted the running ones (in case a unit file
		# changed), and left them enabled.
		upgraded_to() {
			in_root dpkg-query -W -f="\${Version}" jukisec >v && test "$(cat v)" = "$1" &&
			in_root cat /root/systemctl.log >log && cat log >&2 &&
			! grep -E "(^| )(stop|disable|mask)( |\$)" log &&
			for t in $TIMERS; do
				grep -E "(^| )(try-restart|restart) (.* )?$t( |\$)" log &&
				in_root test -L /etc/systemd/system/timers.target.wants/$t || return 1
			done
		}

		test_expect_success 'an upgrade keeps the enabled timers running' '
			dpkg-deb -R "$JUKISEC_DEB" bump &&
			sed -i "s/^Version: .*/Version: $NEXT/" bump/DEBIAN/control &&
			dpkg-deb -Zgzip -b bump "$TMP/ov/u/pkg/jukisec_${NEXT}_amd64.deb" >&2 &&
			in_root sh -c ": >/root/systemctl.log" &&
			in_root dpkg -i "/pkg/jukisec_${NEXT}_amd64.deb" >&2 &&
			upgraded_to "$NEXT"
		'

		test_expect_success 'a reinstall keeps the enabled timers running' '
			in_root sh -c ": >/root/systemctl.log" &&
			in_root dpkg -i "/pkg/jukisec_${NEXT}_amd64.deb" >&2 &&
			upgraded_to "$NEXT"
		'

		# Removed, the units' files are gone: a timer left loaded would
		# fire a service that no longer exists until the next boot.
		test_expect_success 'dpkg -r stops the timers' '
			in_root sh -c ": >/root/systemctl.log" &&
			in_root dpkg -r jukisec >&2 &&
			in_root cat /root/systemctl.log >log && cat log >&2 &&
			for t in $TIMERS; do
				grep -E "(^| )stop (.* )?$t( |\$)" log || return 1
			done
		'
	else
		test_skip 'upgrade and reinstall keep the enabled timers running' 'systemctl (systemd) not installed'
	fi
else
	test_skip 'install in a throw-away root' "$why"
fi

test_done
