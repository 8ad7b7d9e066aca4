/*
 * util.c — process setup and the small helpers every tool shares.
 *
 * Invariants: jukisec_setup() (or _lazy) runs before anything else in main(), so by the
 * time a tool opens a file descriptors 0-2 are open, by the time it reads a
 * secret the umask is 077, core dumps are off, SIGCHLD
 * has its default action (so children can be waited for) and libgcrypt's
 * secure (locked, wiped-on-free) memory pool exists.  Allocation failure
 * exits ST_FAIL in mem.c and nowhere else.  Standard output is checked
 * at exit as well as by fshut_stdout(), so no path exits 0 after losing
 * output.  parse_num accepts only an optional sign and decimal digits: no
 * blanks, no hex, no trailing junk; parse_decimal, for what a person
 * writes (options, jukisec.conf) or edits (operators.csv's failed), not
 * even a sign or a leading zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>

#include "jukisec.h"

#if defined(__SANITIZE_ADDRESS__)
#define JUKISEC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JUKISEC_SANITIZED 1
#endif
#endif

static int stdout_shut;

/* For exits that never reach fshut_stdout(): -V, --help, err(3).  A
 * version or usage text lost to a full disk must not exit 0 either. */
static void
stdout_at_exit(void)
{
	if (stdout_shut)
		return;
	if (fflush(stdout) == EOF) {
		warn(_("write error: standard output"));
		_exit(ST_FAIL);
	}
	if (ferror(stdout)) {
		warnx(_("write error: standard output"));
		_exit(ST_FAIL);
	}
}

/* Only the huge pages wholly inside [p, p + n): madvise(2) splits the
 * mapping there. */
static void
warm_huge(void *p, size_t n)
{
	const uintptr_t huge = 2 * 1024 * 1024;
	uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t to = ((uintptr_t)p + n) & ~(huge - 1);

	if (to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
}

void
warm_range(void *p, size_t n)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = (uintptr_t)p & ~(pg - 1), to = ((uintptr_t)p + n + pg - 1) & ~(pg - 1);

	(void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
}

/*
 * libgcrypt's allocations but the secure ones (which stay its own): its
 * own are malloc(3) too, and refuse 0 bytes alike.  One block is large:
 * Argon2id's memory (kdf_memory_kib, 64 MiB by default), which libgcrypt
 * zeroes as soon as it has it.  On the virtual machine of issue 15 that
 * took 16,384 page faults, half of one derivation's time; mapped here in
 * huge pages where the kernel has them (MADV_HUGEPAGE, a hint) and in one
 * MADV_POPULATE_WRITE call, one auth-check's derivation takes about half
 * as long.  libgcrypt still wipes the block before it frees it.  The
 * tools only: the PAM module leaves its host's libgcrypt as it is.
 */
#define BIG_ALLOC	(1024 * 1024)

static void *
gcry_alloc(size_t n)
{
	void *p;

	if (n == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((p = malloc(n)) != NULL && n >= BIG_ALLOC) {
		warm_huge(p, n);
		warm_range(p, n);
	}
	return p;
}

/*
 * The stack WARM_STACK below a frame, mapped by one madvise(2) instead of
 * a page fault each: for the threads that verify a log (oplog_par.c).
 * Only a hint: a kernel before 5.14 answers EINVAL and nothing changes.
 * log-append's start no longer warms its heap and stack this way: on
 * Linux 6.18 under KVM it populated 28 pages of which an append touches
 * about 7, and one append took 27 us longer with it than without
 * (2,000 interleaved runs each; issue 15).
 */
#define WARM_STACK	(16 * 1024)

void
warm_stack(void)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	char here;

	(void)madvise((void *)(((uintptr_t)&here & ~(pg - 1)) - WARM_STACK), WARM_STACK,
	    MADV_POPULATE_WRITE);
}

/*
 * Descriptors 0, 1 and 2 held if the caller closed them: else the next
 * files we open take their numbers, and a message for standard error
 * lands in the state file that got 2 (a refused log's line in that log).
 * /dev/null is opened O_PATH so that reading and writing still fail as
 * on a closed one (EBADF): a closed standard output given as a
 * password's descriptor is no empty password.  Inherited by children,
 * as the closed ones were.  One that carries FD_CLOEXEC was not
 * inherited (none survives an exec) but opened in this process before
 * main, by a preloaded library on the lowest free number (libfaketime's
 * shared memory, the tests' clock, which it has mapped and no longer
 * reads through the descriptor): the caller's was closed.  It is closed
 * and held the same way.  A /dev/null that cannot be had leaves nothing
 * to write to: exit 3, silent.
 */
static void
hold_std_fds(void)
{
	int	 fd, h, fl;

	for (fd = 0; fd <= 2; fd++) {
		if ((fl = fcntl(fd, F_GETFD)) != -1) {
			if (!(fl & FD_CLOEXEC))
				continue;
			close(fd);
		} else if (errno != EBADF)
			continue;
		if ((h = open("/dev/null", O_PATH)) != fd)
			_exit(ST_FAIL);
	}
}

/*
 * The environment that would have glibc load from a directory the caller
 * chose, honoured for a process that is not set-user-ID, which a tool is
 * even when run for someone with fewer rights (sudo keeps LANGUAGE and
 * LC_*): gettext joins each LANGUAGE entry, "../../tmp/x" too, to the
 * catalogue directory fixed at build time, and a catalogue's
 * translations are the formats of our messages (%n writes memory); a
 * locale variable naming a path loads locale data from it; GCONV_PATH
 * loads character-set modules (code) for the conversions gettext makes.
 * All removed before the locale is set.  LOCPATH (locale data, no code,
 * no formats) stays: the tests run under a locale they build there.
 */
static void
scrub_env(void)
{
	extern char	**environ;
	char		 *name;
	const char	 *e, *eq;
	size_t		  i = 0;

	(void)unsetenv("GCONV_PATH");
	while ((e = environ[i]) != NULL) {
		eq = strchr(e, '=');
		if (eq == NULL || strchr(eq, '/') == NULL ||
		    (strncmp(e, "LC_", 3) != 0 && strncmp(e, "LANG=", 5) != 0 &&
		    strncmp(e, "LANGUAGE=", 9) != 0)) {
			i++;
			continue;
		}
		name = xstrndup(e, (size_t)(eq - e));
		if (unsetenv(name) == -1)	/* else environ[i] is the next */
			i++;
		free(name);
	}
}

/*
 * libgcrypt's secure memory: a pool mapped and locked with mlock(2) at
 * start, where keys, passwords and MAC contexts live.  log-append holds
 * one log key and one MAC context at a time (under 5 KiB of the pool, an
 * AES-GMAC handle included): it takes libgcrypt's smallest pool, since
 * mapping and locking 64 KiB cost about 20 us of one append (1,100
 * alternated runs each; issue 15).  The other tools keep room for
 * passwords, templates and keys together.
 */
#define SECMEM_APPEND	16384
#define SECMEM_POOL	65536

/*
 * libgcrypt opens this file when it starts (gcry_check_version) and
 * aborts, with its own "FATAL" line and SIGABRT, when that fails for any
 * reason but the file's absence or its mode: no descriptor free (a limit
 * of 3 with 0 to 2 held by hold_std_fds) or no memory for the stream.
 * The same fopen first, refused as ours: exit 3 naming it.
 */
#define FIPS_FILE	"/proc/sys/crypto/fips_enabled"

static void
fips_probe(void)
{
	FILE	*f;

	if ((f = fopen(FIPS_FILE, "re")) != NULL)
		(void)fclose(f);
	else if (errno != ENOENT && errno != EACCES)
		err(ST_FAIL, "%s", FIPS_FILE);
}

static void
setup(int lazy)
{
	struct rlimit rl = { 0, 0 };

	hold_std_fds();

	if (atexit(stdout_at_exit) != 0)
		errx(ST_FAIL, "atexit");
	/* An ignored SIGCHLD is inherited across exec and makes waitpid(2)
	 * fail with ECHILD: the external verifier's "match" would be lost. */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		err(ST_FAIL, "signal");
	/* Past the caller's file size limit a write fails with EFBIG, which
	 * every writer handles (a batch cut, a change withdrawn), instead of
	 * SIGXFSZ killing the tool between two writes that belong together. */
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		err(ST_FAIL, "signal");
	/* The same for a reader gone (EPIPE): a write error like any other,
	 * said in one line and exit 3 (standard output at exit, a record
	 * stream at once), never a death without a word between a change and
	 * its record.  What the tools run gets it back (spawn.c). */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(ST_FAIL, "signal");

	scrub_env();
	jukisec_locale(lazy);
	umask(077);

	/* Secrets live in memory: no core file may carry them away. */
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		err(ST_FAIL, "setrlimit");
#ifndef JUKISEC_SANITIZED
	/* Not under ASan: its leak checker needs to ptrace the process. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		err(ST_FAIL, "prctl");
#endif

	fips_probe();
	if (!gcry_check_version("1.10.0"))
		errx(ST_FAIL, _("libgcrypt %s is older than 1.10.0"),
		    gcry_check_version(NULL));
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	if (gcry_control(GCRYCTL_INIT_SECMEM,
	    lazy ? SECMEM_APPEND : SECMEM_POOL, 0) != 0)
		errx(ST_FAIL, _("cannot initialise libgcrypt secure memory"));
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	gcry_set_allocation_handler(gcry_alloc, NULL, NULL, NULL, NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

void
jukisec_setup(void)
{
	setup(0);
}

void
jukisec_setup_lazy(void)
{
	setup(1);
}

void
print_version(void)
{
	printf("jukisec %s %s\n", program_invocation_short_name, VERSION);
}

int
parse_num(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '-' || *p == '+')
		p++;
	if (*p < '0' || *p > '9')
		goto invalid;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		goto invalid;
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = N_("too small");
		errno = ERANGE;
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = N_("too large");
		errno = ERANGE;
		return -1;
	}
	*out = v;
	*errstr = NULL;
	return 0;
invalid:
	*errstr = N_("invalid");
	errno = EINVAL;
	return -1;
}

/* The pages' "a number" has one spelling, the one the log writes too:
 * "+5", "05" or "-0" name no number, though strtoll would read one.  A
 * minus before one stays, so that "-1" is "too small" where 0 is the
 * least. */
int
parse_decimal(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	const char *d = s + (*s == '-');

	if (*d == '\0' || strspn(d, "0123456789") != strlen(d) ||
	    (d[0] == '0' && (d[1] != '\0' || d != s))) {
		*errstr = N_("invalid");
		errno = EINVAL;
		return -1;
	}
	return parse_num(s, min, max, out, errstr);
}

void
wipe(void *p, size_t n)
{
	if (p != NULL)	/* wipe(NULL, 0) of an unused buffer is fine */
		explicit_bzero(p, n);
}

/* Every byte is read whatever the others hold: eight at a time (memcpy,
 * no alignment assumed), then the rest; the verifier compares one MAC per
 * record.  The accumulator is volatile so no early exit is compiled in. */
int
ct_equal(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	volatile uint64_t d = 0;
	uint64_t u, v;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&u, x + i, 8);
		memcpy(&v, y + i, 8);
		d |= u ^ v;
	}
	for (; i < n; i++)
		d |= (uint64_t)(x[i] ^ y[i]);
	return d == 0;
}

int
fshut_stdout(void)
{
	int ret = ST_OK;

	stdout_shut = 1;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn(_("write error: standard output"));
		ret = ST_FAIL;
	}
	if (fclose(stdout) == EOF && ret == ST_OK) {
		warn(_("write error: standard output"));
		ret = ST_FAIL;
	}
	return ret;
}
