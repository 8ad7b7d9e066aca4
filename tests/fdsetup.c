/* tests/fdsetup.c — the descriptors and descriptor limit a caller gives a
 * tool, set up before exec (tests/lib.sh's fds_free and fds_at).  A
 * python3 did it, 22 ms of CPU a start, in loops of 46 limits x several
 * ids; this takes a millisecond.  Never installed.
 *
 *   fdsetup free N FREE CMD...   under a limit of N, every descriptor from 3
 *                                to N-FREE-1 open (the caller's, else
 *                                /dev/null), so that FREE are free at the top
 *   fdsetup at N CMD...          0 to 3 open (3 must be: the caller's), every
 *                                other one closed, under a limit of N
 *   fdsetup limit N CMD...       only the limit (the caller closes what it
 *                                wants closed, by redirection)
 *
 * Nothing else is touched: a descriptor the caller left open above the
 * range stays open, as it would for any caller.  CMD is looked up in PATH.
 * Exit 125 when the setup fails, 124 when CMD cannot be run (not 127,
 * which a tool the dynamic loader cannot start under a limit exits with),
 * else CMD's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "fdsetup: %s: %s\n", what, strerror(errno));
	exit(125);
}

static int number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 1 << 20) {
		fprintf(stderr, "fdsetup: not a number: %s\n", s);
		exit(125);
	}
	return (int)v;
}

/* Open, and open still after exec (a descriptor marked close-on-exec
 * would leave a hole in what CMD gets). */
static int is_held(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl != -1 && !(fl & FD_CLOEXEC);
}

static void limit(int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		fail("getrlimit");
	rl.rlim_cur = (rlim_t)n;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		fail("setrlimit");
}

/* Every descriptor from 3 to top-1 open: the caller's as it is, a hole
 * filled with /dev/null (without FD_CLOEXEC: it must reach CMD). */
static void fill(int top)
{
	int null, fd;

	null = open("/dev/null", O_RDONLY);
	if (null < 0)
		fail("/dev/null");
	for (fd = 3; fd < top; fd++)
		if (!is_held(fd) && dup2(null, fd) < 0)
			fail("dup2");
	if (null < 3 || null >= top)
		close(null);
}

/* Every descriptor from 4 up closed. */
static void close_above_3(void)
{
	struct rlimit rl;
	int fd;

	if (close_range(4, ~0U, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		fail("getrlimit");
	for (fd = 4; (rlim_t)fd < rl.rlim_cur; fd++)
		close(fd);
}

static void usage(void)
{
	fputs("usage: fdsetup free N FREE CMD... | at N CMD... | limit N CMD...\n",
	    stderr);
	exit(125);
}

int main(int argc, char **argv)
{
	int n, i;

	if (argc < 4)
		usage();
	n = number(argv[2]);
	if (strcmp(argv[1], "free") == 0) {
		if (argc < 5)
			usage();
		fill(n - number(argv[3]));
		i = 4;
	} else if (strcmp(argv[1], "at") == 0) {
		if (!is_held(3))
			fail("descriptor 3");
		close_above_3();
		i = 3;
	} else if (strcmp(argv[1], "limit") == 0) {
		i = 3;
	} else {
		usage();
		return 125;
	}
	limit(n);
	execvp(argv[i], argv + i);
	fprintf(stderr, "fdsetup: %s: %s\n", argv[i], strerror(errno));
	return 124;
}
