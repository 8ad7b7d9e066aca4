/*
 * pamclient — a PAM application for the tests (built into $(BUILD)/tests,
 * never installed).  Unlike pamtester it takes its service from a private
 * configuration directory (pam_start_confdir), so no test writes into
 * /etc/pam.d.
 *
 *	pamclient -c CONFDIR [-aAqs] [-C ign|reap] [-f FILE | -i FD] [-l LOCALE]
 *	    [-m FILE] [-n COUNT] [-r RHOST] [-t TTY] [-X WHAT] SERVICE [USER]
 *
 * It runs pam_authenticate (and, with -a, pam_acct_mgmt after a success;
 * with -A, pam_acct_mgmt alone) for USER (when left out, a module asks for
 * it through the conversation).  Each prompt is answered with the next
 * line of the answers (-f FILE or -i FD, read when the prompt comes, so a
 * FIFO can pace them; never argv); no answer left fails the conversation
 * (PAM_CONV_ERR).  On standard output, one line each:
 *	STYLE TEXT	every message the conversation received (or into -m
 *			FILE): PROMPT_ECHO_OFF, PROMPT_ECHO_ON, ERROR_MSG,
 *			TEXT_INFO; \n, \t, \\ and other control bytes escaped
 *	CALL NAME	the result of each PAM call: "pam_authenticate
 *			PAM_AUTH_ERR"
 *	state WHAT: BEFORE -> AFTER	with -s, what a PAM call changed
 *
 * -s (--check-state) checks that the modules leave the host process as
 * they found it: it first sets a state unlike the defaults (umask 027, a
 * handler on SIGCHLD, SIGALRM, SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGPIPE
 * ignored, SIGUSR2 blocked) and compares, across each PAM call, the umask,
 * every signal's disposition, the signal mask, the open descriptors (number,
 * flags, what they are), the locale, the gettext domain, the resource
 * limits, the real-time alarm, the ids and groups, the working directory,
 * the environment and the dumpable flag.  A new descriptor connected to
 * /dev/log is syslog(3)'s, which PAM's own logging opens: not a change.
 * -X WHAT (test of -s itself) changes WHAT from within the first
 * conversation call, i.e. inside pam_authenticate: umask, signal, mask,
 * fd, locale, rlimit, env, cwd, textdomain.
 * -C ign|reap (--sigchld) makes the host one that ignores SIGCHLD (its
 * children reaped by the kernel, as a daemon that never waits does) or
 * one whose SIGCHLD handler reaps every child that exited (waitpid(-1));
 * set after -s's state, so that -s checks that the modules put it back.
 * -l LOCALE sets the host's locale (default: from the environment, as
 * login does); -q passes PAM_SILENT; -r and -t set PAM_RHOST and PAM_TTY.
 * -n COUNT runs the whole transaction, pam_start to pam_end, COUNT times
 * in this one process, as a long-lived host (a screen locker, a display
 * manager) does, and then prints "locked N kB", the process's locked
 * memory (VmLck); the status is the last transaction's.
 *
 * Exit status: 0 when every PAM call returned PAM_SUCCESS; else the value
 * of the first that did not (Linux-PAM's numbering, 1-31: PAM_PERM_DENIED
 * 6, PAM_AUTH_ERR 7, PAM_AUTHINFO_UNAVAIL 9, PAM_USER_UNKNOWN 10,
 * PAM_MAXTRIES 11, PAM_ACCT_EXPIRED 13, PAM_CONV_ERR 19; printed by name);
 * 64 usage; 65 the client's own failure (a file, memory, standard output);
 * 66 with -s, a PAM call changed the process state (takes precedence).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>

enum { EX_USAGE_ = 64, EX_CLIENT = 65, EX_STATE = 66 };
enum { MAXFD = 256, MAXGROUPS = 64 };

extern char **environ;

static const char *const pam_names[] = {
	[PAM_SUCCESS] = "PAM_SUCCESS", [PAM_OPEN_ERR] = "PAM_OPEN_ERR",
	[PAM_SYMBOL_ERR] = "PAM_SYMBOL_ERR", [PAM_SERVICE_ERR] = "PAM_SERVICE_ERR",
	[PAM_SYSTEM_ERR] = "PAM_SYSTEM_ERR", [PAM_BUF_ERR] = "PAM_BUF_ERR",
	[PAM_PERM_DENIED] = "PAM_PERM_DENIED", [PAM_AUTH_ERR] = "PAM_AUTH_ERR",
	[PAM_CRED_INSUFFICIENT] = "PAM_CRED_INSUFFICIENT",
	[PAM_AUTHINFO_UNAVAIL] = "PAM_AUTHINFO_UNAVAIL",
	[PAM_USER_UNKNOWN] = "PAM_USER_UNKNOWN", [PAM_MAXTRIES] = "PAM_MAXTRIES",
	[PAM_NEW_AUTHTOK_REQD] = "PAM_NEW_AUTHTOK_REQD",
	[PAM_ACCT_EXPIRED] = "PAM_ACCT_EXPIRED", [PAM_SESSION_ERR] = "PAM_SESSION_ERR",
	[PAM_CRED_UNAVAIL] = "PAM_CRED_UNAVAIL", [PAM_CRED_EXPIRED] = "PAM_CRED_EXPIRED",
	[PAM_CRED_ERR] = "PAM_CRED_ERR", [PAM_NO_MODULE_DATA] = "PAM_NO_MODULE_DATA",
	[PAM_CONV_ERR] = "PAM_CONV_ERR", [PAM_AUTHTOK_ERR] = "PAM_AUTHTOK_ERR",
	[PAM_AUTHTOK_RECOVERY_ERR] = "PAM_AUTHTOK_RECOVERY_ERR",
	[PAM_AUTHTOK_LOCK_BUSY] = "PAM_AUTHTOK_LOCK_BUSY",
	[PAM_AUTHTOK_DISABLE_AGING] = "PAM_AUTHTOK_DISABLE_AGING",
	[PAM_TRY_AGAIN] = "PAM_TRY_AGAIN", [PAM_IGNORE] = "PAM_IGNORE",
	[PAM_ABORT] = "PAM_ABORT", [PAM_AUTHTOK_EXPIRED] = "PAM_AUTHTOK_EXPIRED",
	[PAM_MODULE_UNKNOWN] = "PAM_MODULE_UNKNOWN", [PAM_BAD_ITEM] = "PAM_BAD_ITEM",
	[PAM_CONV_AGAIN] = "PAM_CONV_AGAIN", [PAM_INCOMPLETE] = "PAM_INCOMPLETE",
};

static FILE *answers, *msgs;
static const char *disturb;

struct fdinfo {
	int fd, fdflags, flflags;
	char what[160];
};

struct state {
	mode_t umask;
	int sa_ok[NSIG];
	struct sigaction sa[NSIG];
	sigset_t mask;
	char locale[512], domain[128], cwd[PATH_MAX];
	int global_locale, dumpable, alarm_armed;
	struct timeval alarm_interval;
	struct rlimit rl[RLIM_NLIMITS];
	uid_t uid[3];
	gid_t gid[3], groups[MAXGROUPS];
	int ngroups;
	size_t nfd;
	struct fdinfo fd[MAXFD];
	char env[16384];
};

static struct state before, after;

static void
die(const char *what)
{
	fprintf(stderr, "pamclient: %s: %s\n", what, strerror(errno));
	exit(EX_CLIENT);
}

static const char *
pam_name(int r)
{
	static char buf[32];

	if (r >= 0 && (size_t)r < sizeof pam_names / sizeof *pam_names && pam_names[r])
		return pam_names[r];
	snprintf(buf, sizeof buf, "PAM_%d", r);
	return buf;
}

static void
put_escaped(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c == '\\')
			fputs("\\\\", fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			putc(c, fp);
	}
}

static void
do_disturb(void)
{
	struct rlimit rl;

	if (strcmp(disturb, "umask") == 0)
		umask(0);
	else if (strcmp(disturb, "signal") == 0)
		signal(SIGPIPE, SIG_DFL);
	else if (strcmp(disturb, "mask") == 0) {
		sigset_t s;

		sigemptyset(&s);
		sigaddset(&s, SIGTERM);
		sigprocmask(SIG_BLOCK, &s, NULL);
	} else if (strcmp(disturb, "fd") == 0) {
		if (open("/dev/null", O_RDONLY) < 0)
			die("/dev/null");
	}
	else if (strcmp(disturb, "locale") == 0)
		setlocale(LC_CTYPE, strcmp(setlocale(LC_CTYPE, NULL), "C") == 0 ?
		    "C.UTF-8" : "C");
	else if (strcmp(disturb, "rlimit") == 0) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur--;
		setrlimit(RLIMIT_NOFILE, &rl);
	} else if (strcmp(disturb, "env") == 0)
		setenv("PAMCLIENT_DISTURBED", "1", 1);
	else if (strcmp(disturb, "cwd") == 0) {
		if (chdir("/") != 0)
			die("/");
	}
	else if (strcmp(disturb, "textdomain") == 0)
		textdomain("pamclient-disturbed");
	disturb = NULL;
}

static void
free_replies(struct pam_response *r, int n)
{
	for (int i = 0; i < n; i++)
		if (r[i].resp) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	free(r);
}

static int
conv(int n, const struct pam_message **m, struct pam_response **out, void *data)
{
	static const char *const styles[] = {
		[PAM_PROMPT_ECHO_OFF] = "PROMPT_ECHO_OFF",
		[PAM_PROMPT_ECHO_ON] = "PROMPT_ECHO_ON",
		[PAM_ERROR_MSG] = "ERROR_MSG", [PAM_TEXT_INFO] = "TEXT_INFO",
	};
	struct pam_response *r;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	(void)data;
	if (disturb)
		do_disturb();
	if (n <= 0 || (r = calloc((size_t)n, sizeof *r)) == NULL)
		return PAM_CONV_ERR;
	for (int i = 0; i < n; i++) {
		int st = m[i]->msg_style;

		if (st >= 0 && (size_t)st < sizeof styles / sizeof *styles && styles[st])
			fputs(styles[st], msgs);
		else
			fprintf(msgs, "STYLE_%d", st);
		putc(' ', msgs);
		put_escaped(msgs, m[i]->msg ? m[i]->msg : "");
		putc('\n', msgs);
		fflush(msgs);
		if (st == PAM_ERROR_MSG || st == PAM_TEXT_INFO)
			continue;
		if (st != PAM_PROMPT_ECHO_OFF && st != PAM_PROMPT_ECHO_ON)
			goto fail;
		if (answers == NULL || (len = getline(&line, &cap, answers)) < 0) {
			fprintf(stderr, "pamclient: no answer left for \"%s\"\n",
			    m[i]->msg ? m[i]->msg : "");
			goto fail;
		}
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((r[i].resp = strdup(line)) == NULL)
			goto fail;
		explicit_bzero(line, (size_t)len);
	}
	free(line);
	*out = r;
	return PAM_SUCCESS;
fail:
	if (line) {
		explicit_bzero(line, cap);
		free(line);
	}
	free_replies(r, n);
	return PAM_CONV_ERR;
}

static int
is_syslog(int fd)
{
	struct sockaddr_un a;
	socklen_t len = sizeof a;

	memset(&a, 0, sizeof a);
	return getpeername(fd, (struct sockaddr *)&a, &len) == 0 &&
	    a.sun_family == AF_UNIX && strcmp(a.sun_path, "/dev/log") == 0;
}

static void
snap_fds(struct state *s)
{
	DIR *d;
	struct dirent *e;
	char path[64];
	ssize_t n;

	s->nfd = 0;
	if ((d = opendir("/proc/self/fd")) == NULL)
		die("/proc/self/fd");
	while ((e = readdir(d)) != NULL && s->nfd < MAXFD) {
		struct fdinfo *f = &s->fd[s->nfd];

		if (e->d_name[0] == '.' ||
		    (f->fd = (int)strtol(e->d_name, NULL, 10)) == dirfd(d))
			continue;
		f->fdflags = fcntl(f->fd, F_GETFD);
		f->flflags = fcntl(f->fd, F_GETFL);
		snprintf(path, sizeof path, "/proc/self/fd/%d", f->fd);
		if ((n = readlink(path, f->what, sizeof f->what - 1)) < 0)
			n = 0;
		f->what[n] = '\0';
		s->nfd++;
	}
	closedir(d);
}

static void
snap(struct state *s)
{
	const char *l, *dom;
	struct itimerval it;
	size_t used = 0;

	memset(s, 0, sizeof *s);
	s->umask = umask(0);
	umask(s->umask);
	for (int i = 1; i < NSIG; i++)
		s->sa_ok[i] = sigaction(i, NULL, &s->sa[i]) == 0;
	sigprocmask(SIG_BLOCK, NULL, &s->mask);
	l = setlocale(LC_ALL, NULL);
	snprintf(s->locale, sizeof s->locale, "%s", l ? l : "(null)");
	s->global_locale = uselocale((locale_t)0) == LC_GLOBAL_LOCALE;
	dom = textdomain(NULL);
	snprintf(s->domain, sizeof s->domain, "%s", dom ? dom : "(null)");
	for (int i = 0; i < RLIM_NLIMITS; i++)
		getrlimit(i, &s->rl[i]);
	getitimer(ITIMER_REAL, &it);
	s->alarm_armed = it.it_value.tv_sec != 0 || it.it_value.tv_usec != 0;
	s->alarm_interval = it.it_interval;
	getresuid(&s->uid[0], &s->uid[1], &s->uid[2]);
	getresgid(&s->gid[0], &s->gid[1], &s->gid[2]);
	s->ngroups = getgroups(MAXGROUPS, s->groups);
	if (getcwd(s->cwd, sizeof s->cwd) == NULL)
		snprintf(s->cwd, sizeof s->cwd, "(%s)", strerror(errno));
	s->dumpable = prctl(PR_GET_DUMPABLE);
	for (char **e = environ; *e && used < sizeof s->env; e++) {
		int k = snprintf(s->env + used, sizeof s->env - used, "%s\n", *e);

		if (k < 0)
			break;
		used += (size_t)k;
	}
	snap_fds(s);
}

static int changes;

static void __attribute__((format(printf, 1, 2)))
changed(const char *fmt, ...)
{
	va_list ap;

	fputs("state ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	changes++;
}

static const char *
disposition(const struct sigaction *sa, char *buf, size_t len)
{
	if (sa->sa_handler == SIG_DFL)
		return "SIG_DFL";
	if (sa->sa_handler == SIG_IGN)
		return "SIG_IGN";
	snprintf(buf, len, "handler %p", (void *)sa->sa_handler);
	return buf;
}

static const struct fdinfo *
find_fd(const struct state *s, int fd)
{
	for (size_t i = 0; i < s->nfd; i++)
		if (s->fd[i].fd == fd)
			return &s->fd[i];
	return NULL;
}

static void
compare_signals(const struct state *a, const struct state *b)
{
	char x[64], y[64];

	for (int i = 1; i < NSIG; i++) {
		const struct sigaction *p = &a->sa[i], *q = &b->sa[i];
		int same_mask = 1;

		if (!a->sa_ok[i] || !b->sa_ok[i])
			continue;
		for (int j = 1; j < NSIG; j++)
			if (sigismember(&p->sa_mask, j) != sigismember(&q->sa_mask, j))
				same_mask = 0;
		if (p->sa_handler != q->sa_handler || p->sa_flags != q->sa_flags || !same_mask)
			changed("signal %d (%s): %s flags %#x -> %s flags %#x", i,
			    strsignal(i), disposition(p, x, sizeof x), (unsigned)p->sa_flags,
			    disposition(q, y, sizeof y), (unsigned)q->sa_flags);
	}
	for (int j = 1; j < NSIG; j++)
		if (sigismember(&a->mask, j) != sigismember(&b->mask, j))
			changed("signal mask: %s %s", strsignal(j),
			    sigismember(&b->mask, j) ? "blocked" : "unblocked");
}

static void
compare_fds(const struct state *a, const struct state *b)
{
	for (size_t i = 0; i < a->nfd; i++) {
		const struct fdinfo *p = &a->fd[i], *q = find_fd(b, p->fd);

		if (q == NULL)
			changed("fd %d: %s -> closed", p->fd, p->what);
		else if (p->fdflags != q->fdflags || p->flflags != q->flflags ||
		    strcmp(p->what, q->what) != 0)
			changed("fd %d: %s fd flags %#x status flags %#x -> "
			    "%s fd flags %#x status flags %#x", p->fd, p->what,
			    p->fdflags, p->flflags, q->what, q->fdflags, q->flflags);
	}
	for (size_t i = 0; i < b->nfd; i++)
		if (find_fd(a, b->fd[i].fd) == NULL && !is_syslog(b->fd[i].fd))
			changed("fd %d: closed -> %s", b->fd[i].fd, b->fd[i].what);
}

static void
compare(const struct state *a, const struct state *b)
{
	if (a->umask != b->umask)
		changed("umask: %04o -> %04o", (unsigned)a->umask, (unsigned)b->umask);
	compare_signals(a, b);
	compare_fds(a, b);
	if (strcmp(a->locale, b->locale) != 0 || a->global_locale != b->global_locale)
		changed("locale: %s%s -> %s%s", a->locale, a->global_locale ? "" :
		    " (thread)", b->locale, b->global_locale ? "" : " (thread)");
	if (strcmp(a->domain, b->domain) != 0)
		changed("textdomain: %s -> %s", a->domain, b->domain);
	for (int i = 0; i < RLIM_NLIMITS; i++)
		if (a->rl[i].rlim_cur != b->rl[i].rlim_cur || a->rl[i].rlim_max != b->rl[i].rlim_max)
			changed("rlimit %d: %llu/%llu -> %llu/%llu", i,
			    (unsigned long long)a->rl[i].rlim_cur,
			    (unsigned long long)a->rl[i].rlim_max,
			    (unsigned long long)b->rl[i].rlim_cur,
			    (unsigned long long)b->rl[i].rlim_max);
	if (a->alarm_armed != b->alarm_armed ||
	    a->alarm_interval.tv_sec != b->alarm_interval.tv_sec ||
	    a->alarm_interval.tv_usec != b->alarm_interval.tv_usec)
		changed("alarm: %s -> %s", a->alarm_armed ? "armed" : "none",
		    b->alarm_armed ? "armed" : "none");
	if (memcmp(a->uid, b->uid, sizeof a->uid) || memcmp(a->gid, b->gid, sizeof a->gid) ||
	    a->ngroups != b->ngroups || memcmp(a->groups, b->groups, sizeof a->groups))
		changed("ids: uid %d/%d/%d gid %d/%d/%d -> uid %d/%d/%d gid %d/%d/%d",
		    (int)a->uid[0], (int)a->uid[1], (int)a->uid[2], (int)a->gid[0],
		    (int)a->gid[1], (int)a->gid[2], (int)b->uid[0], (int)b->uid[1],
		    (int)b->uid[2], (int)b->gid[0], (int)b->gid[1], (int)b->gid[2]);
	if (strcmp(a->cwd, b->cwd) != 0)
		changed("cwd: %s -> %s", a->cwd, b->cwd);
	if (strcmp(a->env, b->env) != 0)
		changed("environment changed");
	if (a->dumpable != b->dumpable)
		changed("dumpable: %d -> %d", a->dumpable, b->dumpable);
}

static void
on_signal(int sig)
{
	(void)sig;
}

static void usage(void) __attribute__((noreturn));

/* -C reap: a host that reaps whatever child exited, its own or not. */
static void
on_child_reap(int sig)
{
	int e = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = e;
}

/* -C: how the host takes its children's exits. */
static void
sigchld_host(const char *how)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (strcmp(how, "ign") == 0)
		sa.sa_handler = SIG_IGN;
	else if (strcmp(how, "reap") == 0)
		sa.sa_handler = on_child_reap;
	else
		usage();
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		die("sigaction");
}

/* A host unlike the defaults, so that a module resetting anything shows. */
static void
busy_host(void)
{
	static const int caught[] = { SIGCHLD, SIGALRM, SIGHUP, SIGINT, SIGTERM, SIGUSR1 };
	struct sigaction sa;
	sigset_t s;

	umask(027);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR1);
	for (size_t i = 0; i < sizeof caught / sizeof *caught; i++)
		sigaction(caught[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static int
call(pam_handle_t *h, const char *name, int (*fn)(pam_handle_t *, int), int flags,
    int check)
{
	int r;

	if (check)
		snap(&before);
	r = fn(h, flags);
	if (check) {
		snap(&after);
		compare(&before, &after);
	}
	printf("%s %s\n", name, pam_name(r));
	fflush(stdout);
	return r;
}

static void
usage(void)
{
	fputs("usage: pamclient -c CONFDIR [-aAqs] [-C ign|reap] [-f FILE | -i FD] "
	    "[-l LOCALE]\n                 [-m FILE] [-n COUNT] [-r RHOST] [-t TTY] "
	    "[-X WHAT] SERVICE [USER]\n",
	    stderr);
	exit(EX_USAGE_);
}

/* -n: the locked memory of this process, from /proc/self/status. */
static void
print_locked(void)
{
	char line[256];
	FILE *f;

	if ((f = fopen("/proc/self/status", "re")) == NULL)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmLck:", 6) == 0)
			printf("locked %ld kB\n", strtol(line + 6, NULL, 10));
	fclose(f);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "account-only", no_argument, NULL, 'A' },
		{ "account", no_argument, NULL, 'a' },
		{ "confdir", required_argument, NULL, 'c' },
		{ "answers", required_argument, NULL, 'f' },
		{ "answers-fd", required_argument, NULL, 'i' },
		{ "locale", required_argument, NULL, 'l' },
		{ "messages", required_argument, NULL, 'm' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "silent", no_argument, NULL, 'q' },
		{ "rhost", required_argument, NULL, 'r' },
		{ "check-state", no_argument, NULL, 's' },
		{ "sigchld", required_argument, NULL, 'C' },
		{ "tty", required_argument, NULL, 't' },
		{ "disturb", required_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	struct pam_conv pc = { conv, NULL };
	const char *confdir = NULL, *rhost = NULL, *tty = NULL, *locale = "";
	const char *sigchld = NULL;
	int acct = 0, auth = 1, check = 0, flags = 0, c, r, status;
	long n = 1, i;
	pam_handle_t *h = NULL;
	char *end;
	long fd;

	msgs = stdout;
	while ((c = getopt_long(argc, argv, "AaC:c:f:i:l:m:n:qr:st:X:", longopts, NULL)) != -1) {
		switch (c) {
		case 'A': acct = 1; auth = 0; break;
		case 'a': acct = 1; break;
		case 'C': sigchld = optarg; break;
		case 'c': confdir = optarg; break;
		case 'f':
			if ((answers = fopen(optarg, "re")) == NULL)
				die(optarg);
			break;
		case 'i':
			errno = 0;
			fd = strtol(optarg, &end, 10);
			if (errno || *end || fd < 0 || fd > INT_MAX)
				usage();
			if ((answers = fdopen((int)fd, "r")) == NULL)
				die(optarg);
			break;
		case 'l': locale = optarg; break;
		case 'm':
			if ((msgs = fopen(optarg, "we")) == NULL)
				die(optarg);
			break;
		case 'n':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || *end || n < 1 || n > 100000)
				usage();
			break;
		case 'q': flags |= PAM_SILENT; break;
		case 'r': rhost = optarg; break;
		case 's': check = 1; break;
		case 't': tty = optarg; break;
		case 'X': disturb = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (confdir == NULL || argc < 1 || argc > 2)
		usage();
	if (setlocale(LC_ALL, locale) == NULL) {
		fprintf(stderr, "pamclient: locale %s not available\n", locale);
		return EX_CLIENT;
	}
	setvbuf(msgs, NULL, _IOLBF, 0);
	if (check)
		busy_host();
	if (sigchld != NULL)
		sigchld_host(sigchld);

	for (i = 0; i < n; i++) {
		r = pam_start_confdir(argv[0], argc > 1 ? argv[1] : NULL, &pc, confdir, &h);
		if (r != PAM_SUCCESS) {
			printf("pam_start_confdir %s\n", pam_name(r));
			return r;
		}
		if (rhost && (r = pam_set_item(h, PAM_RHOST, rhost)) != PAM_SUCCESS)
			printf("pam_set_item %s\n", pam_name(r));
		if (r == PAM_SUCCESS && tty && (r = pam_set_item(h, PAM_TTY, tty)) != PAM_SUCCESS)
			printf("pam_set_item %s\n", pam_name(r));
		if (r == PAM_SUCCESS && auth)
			r = call(h, "pam_authenticate", pam_authenticate, flags, check);
		if (r == PAM_SUCCESS && acct)
			r = call(h, "pam_acct_mgmt", pam_acct_mgmt, flags, check);
		status = r;
		pam_end(h, r);
	}
	if (n > 1)
		print_locked();
	if (changes)
		status = EX_STATE;
	if (answers)
		fclose(answers);
	if ((msgs != stdout && fclose(msgs) != 0) || fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pamclient: cannot write the output\n");
		return EX_CLIENT;
	}
	return status;
}
