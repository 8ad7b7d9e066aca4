# jukisec — see README.  Plain make; everything built lands in $(BUILD).
VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
localstatedir ?= /var
sysconfdir ?= /etc
STATEDIR = $(localstatedir)/lib/jukisec
LOCALEDIR ?= $(PREFIX)/share/locale
# PAM modules: where libpam looks (Debian: /usr/lib/x86_64-linux-gnu/security).
PAM_LIBDIR != pkg-config --variable=libdir pam 2>/dev/null || echo /usr/lib
PAMDIR ?= $(PAM_LIBDIR)/security
DESTDIR ?=
BUILD ?= build
# Sanitizer and fuzzer builds; override to keep parallel work apart.
SANBUILD ?= build-san
FUZZBUILD ?= build-fuzz

CC ?= cc
PKGS = libgcrypt libfprint-2 glib-2.0
PKG_CFLAGS != pkg-config --cflags $(PKGS) 2>/dev/null || true
# libfprint and GLib: headers only; common/fp.c dlopens libfprint when a
# fingerprint is used, so that no tool loads them at start.
PKG_LIBS != pkg-config --libs libgcrypt 2>/dev/null || true

CFLAGS ?= -O2 -g
WARN = -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -fstack-clash-protection
CPPFLAGS += -D_GNU_SOURCE -Icommon -DVERSION='"$(VERSION)"' -DSTATEDIR='"$(STATEDIR)"' \
	-DLOCALEDIR='"$(LOCALEDIR)"'
LDFLAGS ?=
HARDEN_LD = -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(RELR)
# The relative relocations of a PIE (2,070 in log-append, most of them
# libgcrypt's tables) packed as DT_RELR when the linker can (binutils 2.38,
# glibc 2.36: Debian 12): ld.so reads a 600-byte bitmap instead of 50 KB
# of entries at every start (relocation 338,000 -> 84,000 cycles, one
# append 0.98x; README).
RELR != printf 'int main(void){return 0;}' | $(CC) -x c -pie -Wl,-z,pack-relative-relocs \
	-o /dev/null - 2>/dev/null && echo -Wl,-z,pack-relative-relocs || true
# LINK=static (the default when the archives are there: Debian's
# libgcrypt20-dev, libgpg-error-dev and libcsv-dev ship them) links
# libgcrypt, libgpg-error and libcsv into log-append, libc staying shared
# (faketime, the tests' clock, reaches a program through ld.so only):
# the one tool a script runs for every operation, whose cost is its start
# (issue 15: the loading and relocation of three libraries were most of
# what one durable log-append costs beyond /bin/true; README, "Building
# and installing").  The price: a security update of those libraries
# needs it rebuilt, so the Debian package builds with LINK=dynamic
# (debian/rules), and the other tools, whose work outweighs their start
# (a KDF, a log read), load them dynamically either way, as does
# pam_jukisec.so (the archives are not position-independent code).
STATIC_BIN = log-append
STATIC_LIBS = libgcrypt.a libgpg-error.a libcsv.a
STATIC_FOUND != for a in $(STATIC_LIBS); do \
	p=$$($(CC) -print-file-name=$$a 2>/dev/null); [ "$$p" != "$$a" ] || exit 0; done; echo yes
LINK ?= $(if $(STATIC_FOUND),static,dynamic)
LDLIBS = $(PKG_LIBS) -lcsv
ifeq ($(LINK),static)
$(STATIC_BIN:%=$(BUILD)/%): LDLIBS = -Wl,-Bstatic -lgcrypt -lgpg-error -lcsv -Wl,-Bdynamic
# The code one append runs, gathered in a few pages (cmd/log-append.ld).
$(BUILD)/log-append: LAYOUT = -Wl,-T,cmd/log-append.ld
else ifneq ($(LINK),dynamic)
$(error LINK must be dynamic or static, not $(LINK))
endif

ALL_CFLAGS = $(WARN) $(HARDEN) $(PKG_CFLAGS) $(CFLAGS)

# Tools and library modules.  Each tool is cmd/NAME.c, each module common/NAME.c.
BIN = $(sort $(basename $(notdir $(wildcard cmd/*.c))))
LIBSRC = $(sort $(wildcard common/*.c))
LIBOBJ = $(LIBSRC:common/%.c=$(BUILD)/common/%.o)
HDR = $(wildcard common/*.h)
LIB = $(BUILD)/libcommon.a
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN8 = $(wildcard man/*.8)
# pam_jukisec.so: pam/pam_jukisec.c over the same libcommon.a, whose
# objects are position-independent for it; only pam_sm_* is exported.
# -z nodelete: pam_end's dlclose leaves it, and so libgcrypt, loaded; a
# host that runs many transactions would otherwise set libgcrypt up again
# each time, locking a new secure-memory pool and never freeing the last.
PAMMOD = $(BUILD)/pam_jukisec.so
UNITSRC = $(wildcard tests/unit/*.c)
UNIT = $(UNITSRC:tests/unit/%.c=$(BUILD)/tests/%)
# Message catalogues: po/LANG.po, compiled into $(BUILD)/locale laid out as
# LOCALEDIR is, so a test can mount it there.
PO = $(wildcard po/*.po)
MO = $(PO:po/%.po=$(BUILD)/locale/%/LC_MESSAGES/jukisec.mo)

# Test programs that are not tests themselves (prove does not run them).
TESTPROG = $(BUILD)/tests/pamclient $(BUILD)/tests/crashpoint.so $(BUILD)/tests/fdsetup

all: $(BIN:%=$(BUILD)/%) $(PAMMOD) $(UNIT) $(TESTPROG) $(MO)

# The paths and version compiled into the tools.  $(BUILD)/paths holds them
# as last built and is rewritten only when one changes, so that
# "make install PREFIX=/usr" after a plain "make" rebuilds everything with
# the new paths instead of installing binaries that look elsewhere.
PATHS = VERSION=$(VERSION) STATEDIR=$(STATEDIR) LOCALEDIR=$(LOCALEDIR)
$(BUILD)/paths: FORCE
	@mkdir -p $(@D)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(PATHS)' ]; then \
		echo 'configured: $(PATHS)'; echo '$(PATHS)' >$@; fi
FORCE:
$(LIBOBJ) $(BIN:%=$(BUILD)/%) $(UNIT): $(BUILD)/paths
# The link choice, as last built, kept the same way: "make LINK=dynamic"
# after a plain "make" relinks log-append instead of leaving the static one.
$(BUILD)/link: FORCE
	@mkdir -p $(@D)
	@if [ "$$(cat $@ 2>/dev/null)" != 'LINK=$(LINK)' ]; then echo 'LINK=$(LINK)' >$@; fi
$(STATIC_BIN:%=$(BUILD)/%): $(BUILD)/link

$(BUILD)/common/%.o: common/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(LIB): $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(BUILD)/%: cmd/%.c $(LIB) $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $(HARDEN_LD) $(LAYOUT) -o $@ $< $(LIB) $(LDLIBS)
$(BUILD)/log-append: cmd/log-append.ld

$(PAMMOD): pam/pam_jukisec.c pam/pam_jukisec.map $(LIB) $(HDR)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fPIC $(LDFLAGS) -shared \
		-Wl,-z,relro,-z,now,-z,nodelete -Wl,--as-needed \
		-Wl,--version-script=pam/pam_jukisec.map -o $@ pam/pam_jukisec.c \
		$(LIB) $(LDLIBS) -lpam

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $(HARDEN_LD) -o $@ $< $(LIB) $(LDLIBS)

# A PAM application for the tests (tests/pamclient.c): private PAM
# configuration directories, the conversation recorded.  Never installed.
$(BUILD)/tests/pamclient: tests/pamclient.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $(HARDEN_LD) -o $@ $< -lpam

# The crash points of the crash tests (tests/crashpoint.c), preloaded into
# a tool by tests/lib-crash.sh: never linked into a tool, never installed.
# Built without $(CFLAGS), so that a sanitizer build's tools can load it.
$(BUILD)/tests/crashpoint.so: tests/crashpoint.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 -fPIC -shared -o $@ $< -ldl

# The descriptors and limit a caller gives a tool, set up before exec
# (tests/fdsetup.c, for tests/lib.sh's fds_free and fds_at).  Built
# without $(CFLAGS), as crashpoint.so: a sanitizer's runtime has no place
# in the process that lays the descriptors out for the tool it execs.
$(BUILD)/tests/fdsetup: tests/fdsetup.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 -o $@ $<

$(BUILD)/locale/%/LC_MESSAGES/jukisec.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# The bash completion: completion/jukisec.bash.in with the options of each
# tool as its manual page documents them (completion/spec.awk), installed
# in COMPDIR, where bash-completion loads completions/TOOL on a first TAB.
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
all: $(BUILD)/jukisec.bash
$(BUILD)/jukisec.bash: completion/jukisec.bash.in completion/spec.awk $(MAN1)
	@mkdir -p $(@D)
	awk -f completion/spec.awk $(BIN:%=man/%.1) >$@.spec
	sed -e '/^@SPEC@$$/{r $@.spec' -e 'd;}' -e 's/@TOOLS@/$(BIN)/' \
		completion/jukisec.bash.in >$@.tmp
	rm -f $@.spec && mv $@.tmp $@

# Regenerates the template from every _(), N_() and ngettext() in the
# sources and merges it into each catalogue; new messages then show up
# untranslated (and fail t0090) until someone translates them.
XGETTEXT = xgettext --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --keyword=P_:1,2 \
	--from-code=UTF-8 -c --add-location=file --package-name=jukisec \
	--package-version=$(VERSION)
po:
	$(XGETTEXT) -o po/jukisec.pot $(sort $(wildcard cmd/*.c)) $(LIBSRC) pam/pam_jukisec.c
	for p in $(PO); do msgmerge -q --update --backup=none $$p po/jukisec.pot || exit 1; done
	$(PO4A) --force --no-translations --previous --porefs file --package-name jukisec \
		--package-version $(VERSION) po/man/po4a.cfg
	python3 po/man/keep-english $(MANPO)

# The translated manual pages: po4a (po/man/po4a.cfg, which lists every
# page of man/) makes $(BUILD)/man/LANG/manN/PAGE.N from each English page
# and po/man/LANG.po; make install puts them in $(MANPREFIX)/LANG/manN,
# where man -L LANG (or LANG=ja_JP.UTF-8 man) finds them.  A paragraph
# without a translation (new, or changed and so fuzzy) stays English in
# the page (--keep 0): the build never fails for want of a translator, and
# t0092 fails instead, naming each untranslated or fuzzy entry.
PO4A = po4a --no-backups -M UTF-8 -L UTF-8 --variable out=$(BUILD)/man
MANPO = $(wildcard po/man/*.po)
MANLANGS = $(MANPO:po/man/%.po=%)
all: $(BUILD)/man/stamp
$(BUILD)/man/stamp: po/man/po4a.cfg $(MANPO) $(MAN1) $(MAN5) $(MAN8)
	rm -rf $(BUILD)/man && mkdir -p $(BUILD)/man
	$(PO4A) --no-update --force --keep 0 -q po/man/po4a.cfg
	touch $@

# Debian packages the build, the tests, the bench and the demo need, every
# one (a test never skips for want of one of these).  As root they are
# installed; otherwise the command is printed and make stops.  A policy-rc.d
# (Debian's switch) keeps the packages from starting services: rsyslog is
# here for t1130, which runs rsyslogd processes of its own, not the system's.
DEBS = build-essential pkg-config libgcrypt20-dev libcsv-dev libfprint-2-dev \
	libglib2.0-dev pamtester libpam-modules faketime miller mandoc python3 \
	perl clang libclang-rt-14-dev procps util-linux time gettext locales rsyslog
# strace: t2010 and t2020 count the register reads and stall a tool at
# its lock (strace -e inject).
DEBS += strace
# libargon2-1: the reference Argon2 library t2000 checks our PHC string with.
DEBS += libargon2-1
# libpam0g-dev: tests/pamclient (pam_start_confdir) for t2400.
DEBS += libpam0g-dev
# mount: mount/umount for t0090, t2400 and t4060 (tmpfs, bind mounts).
DEBS += mount
# po4a: the Japanese manual pages are made from the English ones through
# po/man/ja.po (make all, make po; t0092).
DEBS += po4a
# openssl: bench/10-log.sh measures openssl dgst -sha256 as the hashing baseline.
DEBS += openssl
deps:
	@missing=$$(for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
		echo "missing Debian packages; run as root:" >&2; \
		echo "  apt-get update && apt-get install -y $$(echo $$missing)" >&2; exit 1; \
	fi; \
	echo "installing: $$(echo $$missing)"; \
	policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
		printf '#!/bin/sh\n# make deps: no service starts while it installs\nexit 101\n' \
		    >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy=1; \
	fi; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	st=$$?; if [ -n "$$policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; exit $$st

check: deps
	$(MAKE) all
	$(MAKE) test

# Runs the suite against the binaries in $(BUILD); no deps step, for re-runs.
# tests/tap-tee keeps each test's TAP in $(BUILD)/tap, from which
# tests/skip-summary says at the end what was skipped and why; the status
# is prove's.  tests/cpu-summary then names the tests that took the most
# CPU (the suite is meant to stay under 3 minutes on 2 cores, and does
# not: README, "Measuring").  SEED=N (in the environment or on the command line) replays
# the random SIGKILL loops.
# prove runs the files in the order given, two at a time: the costliest
# go first (the cpu: line of a run names them), so that the two cores are
# still both busy at the end rather than one finishing a long test alone.
SLOW = tests/t0093-help.sh tests/t4040-log-prune-crash.sh tests/t0095-bench-harness.sh \
	tests/t1040-log-concurrency.sh tests/t0098-completion.sh tests/t2600-crash.sh \
	tests/t0092-man-ja.sh tests/t6040-audit-log.sh tests/t5000-incident-new.sh \
	tests/t2410-pam-module.sh
TESTS = $(SLOW) $(filter-out $(SLOW),$(wildcard tests/t*.sh)) $(UNIT)
test:
	@rm -rf $(BUILD)/tap && mkdir -p $(BUILD)/tap
	JUKISEC_BUILD=$(abspath $(BUILD)) JUKISEC_LOCALEDIR=$(LOCALEDIR) \
	JUKISEC_TAPDIR=$(abspath $(BUILD))/tap prove -j2 --exec tests/tap-tee \
		$(if $(T),$(T),$(TESTS)); \
	st=$$?; set -- $(BUILD)/tap/*.tap; \
	if [ -e "$$1" ]; then sh tests/skip-summary "$$@"; fi; \
	set -- $(BUILD)/tap/*.time; \
	if [ -e "$$1" ]; then sh tests/cpu-summary "$$@"; fi; exit $$st

SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# allocator_release_to_os_interval_ms=-1: otherwise ASan's allocator calls
# clock_gettime while holding its lock, libfaketime's first clock_gettime
# calls dlsym, which mallocs, and every test run under faketime deadlocks.
SAN_ASAN_OPTIONS = detect_leaks=0:abort_on_error=1:allocator_release_to_os_interval_ms=-1
check-sanitize: deps
	$(MAKE) BUILD=$(SANBUILD) CC=clang HARDEN=-fPIE \
		CFLAGS='-O1 -g $(SANFLAGS)' LDFLAGS='$(SANFLAGS)' all
	$(MAKE) fuzz-run
	ASAN_OPTIONS=$(SAN_ASAN_OPTIONS) UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(MAKE) BUILD=$(SANBUILD) test

# libFuzzer targets: fuzz/NAME.c defines LLVMFuzzerTestOneInput; seeds in
# fuzz/seeds/NAME/.  FUZZTIME seconds each in fuzz-run.
FUZZSRC = $(wildcard fuzz/*.c)
FUZZTIME ?= 20
FUZZCFLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
fuzz: deps
	$(MAKE) BUILD=$(FUZZBUILD) CC=clang HARDEN=-fPIE CFLAGS='$(FUZZCFLAGS)' LDFLAGS= fuzz-bin

fuzz-bin: $(FUZZSRC:fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: fuzz/%.c $(LIB) $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB) $(LDLIBS)

# A short run of every fuzz target, part of check-sanitize.  A crash leaves
# its input in $(FUZZBUILD)/crash-* and fails the target.
fuzz-run:
	$(MAKE) BUILD=$(FUZZBUILD) CC=clang HARDEN=-fPIE CFLAGS='$(FUZZCFLAGS)' LDFLAGS= fuzz-bin
	for f in $(FUZZSRC:fuzz/%.c=%); do \
		mkdir -p $(FUZZBUILD)/corpus-$$f; \
		ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
			$(FUZZBUILD)/fuzz/$$f -max_total_time=$(FUZZTIME) -seed=1 \
			-artifact_prefix=$(FUZZBUILD)/ -close_fd_mask=2 \
			$(FUZZBUILD)/corpus-$$f fuzz/seeds/$$f 2>$(FUZZBUILD)/$$f.log || \
			{ tail -30 $(FUZZBUILD)/$$f.log; exit 1; }; \
		tail -1 $(FUZZBUILD)/$$f.log; \
	done

demo: deps
	$(MAKE) all
	JUKISEC_BUILD=$(abspath $(BUILD)) sh examples/demo/run

bench: deps
	$(MAKE) all
	JUKISEC_BUILD=$(abspath $(BUILD)) sh bench/run

# The man pages, the dependency graph of common/ and cmd/ (printed; a
# cycle among modules or headers fails, tests/depgraph), and the functions
# over 60 lines (a count; one without a "Long:" reason fails, tests/funclen).
lint: $(BIN:%=$(BUILD)/%) $(BUILD)/man/stamp
	mandoc -Tlint -W warning $(MAN1) $(MAN5) $(MAN8) $(BUILD)/man/*/man*/*
	python3 tests/depgraph $(BUILD)
	@python3 tests/funclen $(sort $(wildcard common/*.c cmd/*.c pam/*.c)) \
		>$(BUILD)/funclen.out; st=$$?; grep "NO REASON" $(BUILD)/funclen.out; \
		tail -1 $(BUILD)/funclen.out; exit $$st

install: all
	install -d -m 755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 $(DESTDIR)$(MANPREFIX)/man5 \
		$(DESTDIR)$(MANPREFIX)/man8 $(DESTDIR)$(PAMDIR)
	for b in $(BIN); do install -m 755 $(BUILD)/$$b $(DESTDIR)$(BINDIR)/$$b; done
	install -m 644 $(PAMMOD) $(DESTDIR)$(PAMDIR)/pam_jukisec.so
	for m in $(MAN8); do install -m 644 $$m $(DESTDIR)$(MANPREFIX)/man8/; done
	for m in $(MAN1); do install -m 644 $$m $(DESTDIR)$(MANPREFIX)/man1/; done
	for m in $(MAN5); do install -m 644 $$m $(DESTDIR)$(MANPREFIX)/man5/; done
	install -d -m 755 $(DESTDIR)$(COMPDIR)
	install -m 644 $(BUILD)/jukisec.bash $(DESTDIR)$(COMPDIR)/jukisec
	for b in $(BIN); do ln -sf jukisec $(DESTDIR)$(COMPDIR)/$$b || exit 1; done
	for l in $(MANLANGS); do for s in 1 5 8; do \
		install -d -m 755 $(DESTDIR)$(MANPREFIX)/$$l/man$$s && \
		for m in $(BUILD)/man/$$l/man$$s/*.$$s; do \
			install -m 644 $$m $(DESTDIR)$(MANPREFIX)/$$l/man$$s/ || exit 1; \
		done || exit 1; \
	done; done
	for l in $(PO:po/%.po=%); do \
		install -d -m 755 $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 644 $(BUILD)/locale/$$l/LC_MESSAGES/jukisec.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ || exit 1; \
	done

# The Debian package (debian/, debhelper), built from a copy of the source
# in $(DEBBUILD) so that dpkg-buildpackage writes nowhere else:
# $(DEBBUILD)/jukisec_$(VERSION)_amd64.deb.  check-deb builds it, runs
# lintian and installs it in a throw-away root (tests/deb-check.sh); it
# is not part of make check (a whole second build), .ci/run runs it.
DEBBUILD = $(BUILD)/deb
# make deps for check-deb: debhelper (dh, compat 13) builds the package,
# lintian checks it; tests/deb-check.sh reads the installed Japanese page
# with man (man-db) and checks the installed units with systemd-analyze
# (systemd), and says it skipped them where they are missing.
DEBS += debhelper lintian man-db systemd
# t0098 loads the installed completion through bash-completion's loader.
DEBS += bash-completion
deb:
	rm -rf $(DEBBUILD) && mkdir -p $(DEBBUILD)/src
	tar -cf - --exclude-vcs --exclude='./build*' --exclude='./debian/jukisec' \
		--exclude='./debian/.debhelper' --exclude='./debian/tmp' . | \
		tar -xf - -C $(DEBBUILD)/src
	# The package's own build, not this one's: a BUILD (or CC, CFLAGS...)
	# given to this make would reach debian/rules' make through MAKEFLAGS,
	# and an absolute BUILD made its clean remove this very copy.
	cd $(DEBBUILD)/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD \
		DEB_BUILD_OPTIONS="parallel=2 $$DEB_BUILD_OPTIONS" dpkg-buildpackage -us -uc -b
	ls $(DEBBUILD)/jukisec_$(VERSION)_*.deb

check-deb: deps deb
	JUKISEC_BUILD=$(abspath $(BUILD)) JUKISEC_DEB=$$(ls $(abspath $(DEBBUILD))/jukisec_$(VERSION)_*.deb) \
		prove tests/deb-check.sh

uninstall:
	for b in $(BIN); do rm -f $(DESTDIR)$(BINDIR)/$$b; done
	rm -f $(DESTDIR)$(PAMDIR)/pam_jukisec.so
	for m in $(MAN8); do rm -f $(DESTDIR)$(MANPREFIX)/man8/$${m#man/}; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANPREFIX)/man1/$${m#man/}; done
	for m in $(MAN5); do rm -f $(DESTDIR)$(MANPREFIX)/man5/$${m#man/}; done
	for b in jukisec $(BIN); do rm -f $(DESTDIR)$(COMPDIR)/$$b; done
	for l in $(PO:po/%.po=%); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/jukisec.mo; done
	for l in $(MANLANGS); do \
		for m in $(MAN1) $(MAN5) $(MAN8); do \
			s=$${m##*.}; rm -f $(DESTDIR)$(MANPREFIX)/$$l/man$$s/$${m#man/}; \
		done; \
	done

clean:
	rm -rf $(BUILD) $(SANBUILD) $(FUZZBUILD)

.PHONY: FORCE all check check-deb deb test check-sanitize deps demo bench lint install uninstall clean fuzz fuzz-bin fuzz-run po
.SUFFIXES:
