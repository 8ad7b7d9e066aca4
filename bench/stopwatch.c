/*
 * stopwatch — the bench's clock (bench/lib.sh).  Times a command from fork
 * to wait4 in this small process, so that a figure near /bin/true's
 * (well under a millisecond) is not drowned in a shell's or an
 * interpreter's own start, and takes peak RSS from wait4 (the command and
 * the children it waited for, as GNU time's %M).
 *
 *   stopwatch -o OUT [-aq] [-i FILE] [-n COUNT] COMMAND [ARG...]
 *	runs COMMAND COUNT times in a row (default 1), standard input FILE
 *	(opened anew for each run) or /dev/null, standard error /dev/null
 *	with -q (a prompt on every run), and writes to OUT one line
 *	"median_ns total_ns max_ns maxrss_kib start_ns end_ns" (times of
 *	CLOCK_MONOTONIC; maxrss the largest of the runs).
 *   stopwatch -o OUT -l STOPFILE COMMAND [ARG...]
 *	a writer loop: runs COMMAND again and again until STOPFILE exists,
 *	appending "start_ns end_ns" to OUT as each run ends.
 *
 * A run that exits other than 0 (or 1 with -a, a negative answer such as an
 * audit's findings) or is killed stops it with exit 3 and one line on
 * stderr.  Not part of the suite: built by bench/run, never installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
die(const char *what, const char *obj)
{
	fprintf(stderr, "stopwatch: %s %s: %s\n", what, obj, strerror(errno));
	exit(3);
}

/* One run of argv; its wall time in *ns, its peak RSS (KiB) in *rss. */
static int accept1, quiet;

static void
run(char **argv, const char *in, int64_t *ns, long *rss)
{
	struct rusage ru;
	int64_t	 t;
	pid_t	 pid;
	int	 fd, st;

	if ((fd = open(in != NULL ? in : "/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		die("cannot open", in != NULL ? in : "/dev/null");
	t = now_ns();
	if ((pid = fork()) == -1)
		die("cannot fork for", argv[0]);
	if (pid == 0) {
		if (dup2(fd, 0) == -1 || (quiet &&
		    ((fd = open("/dev/null", O_WRONLY)) == -1 || dup2(fd, 2) == -1)))
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "stopwatch: cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) == -1)
		if (errno != EINTR)
			die("cannot wait for", argv[0]);
	*ns = now_ns() - t;
	*rss = ru.ru_maxrss;
	close(fd);
	if (WIFEXITED(st) && (WEXITSTATUS(st) == 0 ||
	    (accept1 && WEXITSTATUS(st) == 1)))
		return;
	if (WIFEXITED(st))
		fprintf(stderr, "stopwatch: %s exited %d\n", argv[0], WEXITSTATUS(st));
	else
		fprintf(stderr, "stopwatch: %s killed by signal %d\n", argv[0],
		    WTERMSIG(st));
	exit(3);
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
loop(char **argv, const char *stop, const char *out)
{
	char	 line[64];
	int64_t	 t, ns;
	long	 rss;
	int	 fd, n;

	if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600)) == -1)
		die("cannot create", out);
	while (access(stop, F_OK) == -1) {
		t = now_ns();
		run(argv, NULL, &ns, &rss);
		n = snprintf(line, sizeof line, "%lld %lld\n", (long long)t,
		    (long long)(t + ns));
		if (write(fd, line, n) != n)
			die("cannot write", out);
	}
	if (close(fd) == -1)
		die("cannot close", out);
}

int
main(int argc, char *argv[])
{
	const char *out = NULL, *in = NULL, *stop = NULL;
	int64_t	*ns, total = 0, start, end;
	long	 rss, maxrss = 0, count = 1, i;
	int	 c;
	FILE	*f;

	while ((c = getopt(argc, argv, "+ai:l:n:o:q")) != -1) {
		switch (c) {
		case 'a':
			accept1 = 1;
			break;
		case 'i':
			in = optarg;
			break;
		case 'l':
			stop = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			if (count < 1 || count > 1000000)
				goto usage;
			break;
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || out == NULL)
		goto usage;
	if (stop != NULL) {
		loop(argv, stop, out);
		return 0;
	}
	if ((ns = calloc(count, sizeof *ns)) == NULL)
		die("cannot allocate", "");
	start = now_ns();
	for (i = 0; i < count; i++) {
		run(argv, in, &ns[i], &rss);
		total += ns[i];
		if (rss > maxrss)
			maxrss = rss;
	}
	end = now_ns();
	qsort(ns, count, sizeof *ns, cmp64);
	if ((f = fopen(out, "w")) == NULL)
		die("cannot create", out);
	fprintf(f, "%lld %lld %lld %ld %lld %lld\n",
	    (long long)(count % 2 ? ns[count / 2] :
	    (ns[count / 2 - 1] + ns[count / 2]) / 2), (long long)total,
	    (long long)ns[count - 1], maxrss, (long long)start, (long long)end);
	if (fclose(f) == EOF)
		die("cannot write", out);
	free(ns);
	return 0;
usage:
	fputs("usage: stopwatch -o OUT [-aq] [-i FILE] [-n COUNT] COMMAND [ARG...]\n"
	    "       stopwatch -o OUT -l STOPFILE COMMAND [ARG...]\n", stderr);
	return 2;
}
