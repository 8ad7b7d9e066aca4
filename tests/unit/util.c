/* Unit tests for common/util.c: parse_num ranges, parse_decimal's one
 * spelling, ct_equal, allocation
 * helpers, jukisec_setup's process state. */
#include <errno.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gcrypt.h>

#include "jukisec.h"
#include "tap.h"

typedef int parser(const char *, long long, long long, long long *,
    const char **);

static void
parsed_ok(parser *f, const char *name, const char *s, long long lo,
    long long hi, long long want)
{
	const char *e = "unset";
	long long v = -7;

	ok(f(s, lo, hi, &v, &e) == 0 && v == want && e == NULL,
	    "%s(\"%s\") = %lld", name, s, want);
}

static void
parsed_bad(parser *f, const char *name, const char *s, long long lo,
    long long hi, const char *why, int eno)
{
	const char *e = NULL;
	long long v = -7;

	errno = 0;
	ok(f(s, lo, hi, &v, &e) == -1 && v == -7 && e != NULL &&
	    strcmp(e, why) == 0 && errno == eno,
	    "%s(\"%s\", %lld, %lld): %s", name, s, lo, hi, why);
}

#define num_ok(...)	parsed_ok(parse_num, "parse_num", __VA_ARGS__)
#define num_bad(...)	parsed_bad(parse_num, "parse_num", __VA_ARGS__)
#define dec_ok(...)	parsed_ok(parse_decimal, "parse_decimal", __VA_ARGS__)
#define dec_bad(...)	parsed_bad(parse_decimal, "parse_decimal", __VA_ARGS__)

int
main(void)
{
	struct rlimit rl;
	mode_t old;
	char *p, *s;

	num_ok("0", 0, 10, 0);
	num_ok("10", 0, 10, 10);
	num_ok("-5", -5, 5, -5);
	num_ok("+7", 0, 10, 7);
	num_ok("007", 0, 10, 7);
	num_ok("9223372036854775807", 0, LLONG_MAX, LLONG_MAX);
	num_ok("-9223372036854775808", LLONG_MIN, 0, LLONG_MIN);
	num_bad("11", 0, 10, "too large", ERANGE);
	num_bad("-1", 0, 10, "too small", ERANGE);
	num_bad("9223372036854775808", 0, LLONG_MAX, "too large", ERANGE);
	num_bad("-9223372036854775809", LLONG_MIN, 0, "too small", ERANGE);
	num_bad("", 0, 10, "invalid", EINVAL);
	num_bad("-", 0, 10, "invalid", EINVAL);
	num_bad(" 1", 0, 10, "invalid", EINVAL);
	num_bad("1 ", 0, 10, "invalid", EINVAL);
	num_bad("0x10", 0, 100, "invalid", EINVAL);
	num_bad("1e3", 0, 10000, "invalid", EINVAL);
	num_bad("--1", -10, 10, "invalid", EINVAL);
	num_bad("1.0", 0, 10, "invalid", EINVAL);

	/* what a person writes: the spelling the pages and the log use */
	dec_ok("0", 0, 10, 0);
	dec_ok("10", 0, 10, 10);
	dec_ok("-5", -5, 5, -5);
	dec_ok("9223372036854775807", 0, LLONG_MAX, LLONG_MAX);
	dec_bad("+7", 0, 10, "invalid", EINVAL);
	dec_bad("007", 0, 10, "invalid", EINVAL);
	dec_bad("00", 0, 10, "invalid", EINVAL);
	dec_bad("-0", -10, 10, "invalid", EINVAL);
	dec_bad("-05", -10, 10, "invalid", EINVAL);
	dec_bad("+-1", -10, 10, "invalid", EINVAL);
	dec_bad("", 0, 10, "invalid", EINVAL);
	dec_bad("-", 0, 10, "invalid", EINVAL);
	dec_bad(" 5", 0, 10, "invalid", EINVAL);
	dec_bad("5 ", 0, 10, "invalid", EINVAL);
	dec_bad("0x10", 0, 100, "invalid", EINVAL);
	dec_bad("1e3", 0, 10000, "invalid", EINVAL);
	dec_bad("-1", 0, 10, "too small", ERANGE);
	dec_bad("11", 0, 10, "too large", ERANGE);
	dec_bad("99999999999999999999", 0, LLONG_MAX, "too large", ERANGE);

	ok(ct_equal("abcd", "abcd", 4) == 1, "ct_equal: equal");
	ok(ct_equal("abcd", "abce", 4) == 0, "ct_equal: last byte differs");
	ok(ct_equal("\x80", "\x00", 1) == 0, "ct_equal: high bit differs");
	ok(ct_equal("", "", 0) == 1, "ct_equal: empty");

	p = xasprintf("%s-%04d", "id", 7);
	is_str(p, "id-0007", "xasprintf");
	s = xstrndup(p, 2);
	is_str(s, "id", "xstrndup");
	free(s);
	wipe(p, strlen(p));
	ok(p[0] == '\0' && p[6] == '\0', "wipe zeroes");
	free(p);
	p = xcalloc(4, 4);
	ok(p[15] == 0, "xcalloc zeroes");
	p = xrealloc(p, 1 << 20);
	p[(1 << 20) - 1] = 1;
	free(p);

	/* A report written to a full disk must not exit 0. */
	{
		pid_t pid;
		int status;

		fflush(stdout);
		if ((pid = fork()) == 0) {
			if (freopen("/dev/full", "w", stdout) == NULL)
				_exit(9);
			fclose(stderr);
			printf("report\n");
			_exit(fshut_stdout());
		}
		ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == ST_FAIL, "fshut_stdout: write to /dev/full is ST_FAIL");
		if ((pid = fork()) == 0) {
			if (freopen("/dev/null", "w", stdout) == NULL)
				_exit(9);
			printf("report\n");
			_exit(fshut_stdout());
		}
		ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == ST_OK, "fshut_stdout: a good write is ST_OK");
	}

	umask(022);
	jukisec_setup();
	old = umask(0);
	ok(old == 077, "jukisec_setup: umask 077 (got %03o)", (unsigned)old);
	ok(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 && rl.rlim_max == 0,
	    "jukisec_setup: core dumps off");
	ok(gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P), "libgcrypt initialised");
	p = gcry_malloc_secure(64);
	ok(p != NULL && gcry_is_secure(p), "secure memory available");
	gcry_free(p);
	return tap_done();
}
