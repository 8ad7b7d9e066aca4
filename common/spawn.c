/*
 * spawn.c — a program run with a deadline: what the external verifier and
 * notify_command share (spawn.h).
 *
 * Invariants: execv only (no PATH search); the program runs wholly as our
 * effective user and group, its real and saved ids set to them (under a
 * set-user-ID host, out of the caller's reach); in the child stdin,
 * stdout and stderr are set and every other descriptor closed
 * (close_range), SIGPIPE and SIGXFSZ back to their defaults (the tools
 * ignore them) and SIGTTOU ignored when it has a group of its own; the
 * parent ignores SIGPIPE while it writes and takes SIGCHLD to its default
 * for the run, putting both dispositions back after.  A program that
 * could not be run (the child's set-up or execv failing, whatever errno, a
 * missing #! interpreter too) is told to the parent through a
 * close-on-exec pipe: SPAWN_ERR with our message, never an exit status
 * the program did not give.  The deadline
 * bounds the whole run, the wait for the exit included; past it the
 * program (its group when it has one) is killed with SIGKILL and reaped:
 * no zombie, no pipe left open.  A run with at_exit ends at the
 * program's exit, seen while it is still a zombie (WNOWAIT), so that the
 * group killed then is still its own; its pipes are read up to then.
 * Collected output only moves through memory that is wiped before it is
 * freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jukisec.h"
#include "spawn.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Grows *p from len to cap bytes without leaving a copy behind. */
static unsigned char *
grow(unsigned char *old, size_t len, size_t cap)
{
	unsigned char *p = xmalloc(cap);

	if (old != NULL) {
		memcpy(p, old, len);
		wipe(old, len);
		free(old);
	}
	return p;
}

/* In the child: tells the parent through report why the program is not
 * running (errno), then ends. */
static void __attribute__((noreturn))
not_run(int report)
{
	int e = errno;

	while (write(report, &e, sizeof e) == -1 && errno == EINTR)
		;
	_exit(127);
}

/* The program runs wholly as our effective user: its real and saved ids
 * too.  Under a set-user-ID host (su: real ids the caller's, effective
 * ids root's) a #!/bin/sh would otherwise drop to the real ones, and so
 * would what it execs: a verifier the caller could trace (made to exit
 * 0, its memory read for the template) or signal.  The group first,
 * the usual order: once the uid is set, the right to set a gid can be
 * gone.  A failure is the program not run. */
static int
become_effective(void)
{
	uid_t	 uid = geteuid();
	gid_t	 gid = getegid();

	return setresgid(gid, gid, gid) == -1 || setresuid(uid, uid, uid) == -1 ?
	    -1 : 0;
}

/* report (>= 3, close-on-exec) stays open until execv: closed by it, or
 * written to by not_run when the program could not be run. */
static void
child(const struct spawn *s, int in, int out, int errfd, int report,
    pid_t parent)
{
	size_t i;

	if (become_effective() == -1)
		not_run(report);
	if (s->dotname != NULL && fchdir(s->dirfd) == -1)
		not_run(report);
	/* Out of the terminal's foreground group, a Ctrl-C that kills us
	 * no longer reaches it: our death does (a verifier left holding the
	 * reader would keep the next person from it), and if we died
	 * before this line, it goes now. */
	if (s->group && (setpgid(0, 0) == -1 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent))
		not_run(report);
	if (in == -1)
		in = open("/dev/null", O_RDONLY);
	if (in == -1 || dup2(in, 0) == -1 || dup2(s->out_to_stderr ? 2 : out, 1) == -1 ||
	    (errfd != -1 && dup2(errfd, 2) == -1))
		not_run(report);
	/* Where they cannot be closed (ENOSYS: a kernel before 5.9), the
	 * program is not run: one of ours or the host's would leak into it. */
	if ((report > 3 && close_range(3, (unsigned)report - 1, 0) == -1) ||
	    close_range((unsigned)report + 1, ~0U, 0) == -1)
		not_run(report);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	/* Its own group is in the terminal's background: with the
	 * terminal's tostop set, its first prompt on the terminal (stderr)
	 * would stop it until the deadline, a timeout that counts. */
	if (s->group)
		signal(SIGTTOU, SIG_IGN);
	if (s->env_only)
		clearenv();
	for (i = 0; s->env != NULL && s->env[i] != NULL; i++)
		putenv((char *)s->env[i]);
	execv(s->dotname != NULL ? s->dotname : s->path, s->argv);
	not_run(report);
}

static void
close_all(int *ip, int *op, int *ep)
{
	for (int i = 0; i < 2; i++) {
		if (ip[i] != -1)
			close(ip[i]);
		if (op[i] != -1)
			close(op[i]);
		if (ep[i] != -1)
			close(ep[i]);
		ip[i] = op[i] = ep[i] = -1;
	}
}

/* A run's pipes, -1 when closed, and where its output goes. */
struct run {
	const struct spawn *s;
	int		ip[2], op[2];	/* its stdin, its stdout */
	int		ep[2];		/* its stderr, when said */
	size_t		inoff, cap;
	unsigned char	**out;		/* NULL: read and dropped */
	size_t		*outlen;
	char		line[SPAWN_LINE];	/* its stderr's line so far */
	size_t		llen;
	pid_t		pid;
	int		pidfd;		/* at_exit: readable at its exit, or -1 */
};

/* Where a full piece of a line ends: before a UTF-8 character its last
 * bytes only begin (the piece after carries it whole), else at its end. */
static size_t
piece_end(const char *p, size_t n)
{
	size_t i = n, k = 0, need;
	unsigned char c;

	while (i > 0 && k < 3 && ((unsigned char)p[i - 1] & 0xc0) == 0x80)
		i--, k++;
	if (i == 0)
		return n;
	c = (unsigned char)p[i - 1];
	need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
	return c >= 0xc2 && c <= 0xf4 && need > k ? i - 1 : n;
}

/* Reads what its stderr has and says each whole line, every byte of it;
 * a full buffer is said when the line goes on past it (so a line of
 * exactly SPAWN_LINE bytes is one piece, not one and an empty one), cut
 * between two characters; at its end the rest, then closes it. */
static void
hear(struct run *r)
{
	char buf[SPAWN_LINE];
	ssize_t n = read(r->ep[0], buf, sizeof buf);
	size_t end;

	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || r->llen == SPAWN_LINE) {
			end = buf[i] == '\n' ? r->llen : piece_end(r->line, r->llen);
			r->s->say(r->s->sayarg, r->line, end);
			memmove(r->line, r->line + end, r->llen - end);
			r->llen -= end;
		}
		if (buf[i] != '\n')
			r->line[r->llen++] = buf[i];
	}
	if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
		if (r->llen > 0)
			r->s->say(r->s->sayarg, r->line, r->llen);
		r->llen = 0;
		close(r->ep[0]);
		r->ep[0] = -1;
	}
}

/* Writes what the program's stdin takes now; closes it at the end, or
 * when the program stopped reading (EPIPE: its status decides). */
static void
feed(struct run *r)
{
	ssize_t n = write(r->ip[1], (const unsigned char *)r->s->in + r->inoff,
	    r->s->inlen - r->inoff);

	if (n > 0)
		r->inoff += (size_t)n;
	if ((n == -1 && errno != EAGAIN && errno != EINTR) ||
	    r->inoff == r->s->inlen) {
		close(r->ip[1]);
		r->ip[1] = -1;
	}
}

/* Reads what its stdout has, closing it at the end: SPAWN_OK, or
 * SPAWN_TOOBIG when there is more than outmax (outmax itself is taken). */
static int
collect(struct run *r)
{
	char	junk[512];
	ssize_t	n;
	int	full = 0;

	if (r->out != NULL && *r->outlen == r->cap) {
		if (r->cap == r->s->outmax)
			full = 1;	/* outmax bytes are allowed: only more is too big */
		else {
			r->cap = r->cap == 0 ? 4096 :
			    r->cap * 2 > r->s->outmax ? r->s->outmax : r->cap * 2;
			*r->out = grow(*r->out, *r->outlen, r->cap);
		}
	}
	if (r->out != NULL && !full)
		n = read(r->op[0], *r->out + *r->outlen, r->cap - *r->outlen);
	else
		n = read(r->op[0], junk, full ? 1 : sizeof junk);
	if (n > 0 && full)
		return SPAWN_TOOBIG;
	if (n > 0 && r->out != NULL)
		*r->outlen += (size_t)n;
	if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
		close(r->op[0]);
		r->op[0] = -1;
	}
	return SPAWN_OK;
}

/* One poll of the open pipes (and of pidfd, only to wake at the exit)
 * for up to ms: feeds, hears and collects what is ready.  SPAWN_OK with
 * *ready the pipes that were, SPAWN_TOOBIG or SPAWN_ERR. */
static int
step(struct run *r, int ms, int *ready)
{
	struct pollfd pf[4];
	int nfd = 0, n;

	*ready = 0;
	if (r->ip[1] != -1)
		pf[nfd++] = (struct pollfd){ .fd = r->ip[1], .events = POLLOUT };
	if (r->op[0] != -1)
		pf[nfd++] = (struct pollfd){ .fd = r->op[0], .events = POLLIN };
	if (r->ep[0] != -1)
		pf[nfd++] = (struct pollfd){ .fd = r->ep[0], .events = POLLIN };
	if (r->pidfd != -1)
		pf[nfd++] = (struct pollfd){ .fd = r->pidfd, .events = POLLIN };
	else if (r->s->at_exit && ms > 10)
		ms = 10;	/* no pidfd (an old kernel): look for the exit */
	n = poll(pf, nfd, ms);
	if (n == -1 && errno != EINTR) {
		jerr_say_errno(r->s->err, ST_FAIL, _("poll"));
		return SPAWN_ERR;
	}
	for (int i = 0; n > 0 && i < nfd; i++) {
		if (pf[i].revents == 0 || pf[i].fd == r->pidfd)
			continue;
		++*ready;
		if (pf[i].fd == r->ip[1])
			feed(r);
		else if (pf[i].fd == r->ep[0])
			hear(r);
		else if (collect(r) == SPAWN_TOOBIG)
			return SPAWN_TOOBIG;
	}
	return SPAWN_OK;
}

/* With at_exit: whether the program has exited.  WNOWAIT leaves it a
 * zombie, so that its process group id stays its own until drain kills
 * the group.  A failure is taken as an exit: reap then says it. */
static int
exited(pid_t pid)
{
	siginfo_t si = { 0 };

	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno != EINTR;
	return si.si_pid == pid;
}

/* The program has exited: its group is killed (what it left behind
 * holds neither a pipe nor the device past the run), its stdin closed,
 * and what its stdout and stderr hold, all it wrote before its exit, is
 * read without waiting for the end of either. */
static int
drain(struct run *r, long long deadline)
{
	int result = SPAWN_OK, ready = 1;

	(void)kill(-r->pid, SIGKILL);
	if (r->ip[1] != -1)
		close(r->ip[1]);
	r->ip[1] = -1;
	if (r->pidfd != -1)
		close(r->pidfd);
	r->pidfd = -1;
	if (r->op[0] != -1)
		(void)fcntl(r->op[0], F_SETFL, O_NONBLOCK);
	if (r->ep[0] != -1)
		(void)fcntl(r->ep[0], F_SETFL, O_NONBLOCK);
	/* the deadline bounds it against a writer that left the group */
	while (result == SPAWN_OK && ready > 0 &&
	    (r->op[0] != -1 || r->ep[0] != -1) && now_ms() < deadline)
		result = step(r, 0, &ready);
	return result;
}

/* Feeds and collects until both pipes are closed, or with at_exit until
 * the program exits: SPAWN_OK, or why not. */
static int
pump(struct run *r, long long deadline)
{
	int result = SPAWN_OK, ready;

	while (result == SPAWN_OK) {
		long long left;

		if (r->s->at_exit && exited(r->pid))
			return drain(r, deadline);
		if (!r->s->at_exit && r->op[0] == -1 && r->ip[1] == -1 &&
		    r->ep[0] == -1)
			break;
		if ((left = deadline - now_ms()) <= 0)
			return SPAWN_TIMEOUT;
		result = step(r, left > 1000 ? 1000 : (int)left, &ready);
	}
	return result;
}

/* After a pump that ended well (result SPAWN_OK), waits for the exit
 * within what is left of the time; otherwise, or past the deadline, kills
 * the program (its group when it has one) and reaps it. */
static int
reap(const struct spawn *s, pid_t pid, int *status, long long deadline,
    int result)
{
	while (result == SPAWN_OK) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid)
			return SPAWN_OK;
		if (w == -1 && errno != EINTR) {
			jerr_say_errno(s->err, ST_FAIL, _("waitpid"));
			result = SPAWN_ERR;
			break;
		}
		if (now_ms() >= deadline)
			result = SPAWN_TIMEOUT;
		else
			(void)poll(NULL, 0, 5);
	}
	if (s->group)
		(void)kill(-pid, SIGKILL);
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
	return result;
}

/* The pipe the child reports on when the program cannot be run; its
 * write end at 3 or above, where the child's dup2 onto 0-2 cannot take
 * its place (a host may run with those closed). */
static int
report_pipe(int rp[2])
{
	int fd, e;

	if (pipe2(rp, O_CLOEXEC) == -1)
		return -1;
	if (rp[1] >= 3)
		return 0;
	fd = fcntl(rp[1], F_DUPFD_CLOEXEC, 3);
	e = errno;
	close(rp[1]);
	if ((rp[1] = fd) == -1) {
		close(rp[0]);
		rp[0] = -1;
		errno = e;
		return -1;
	}
	return 0;
}

/* 0 once the program runs (execv closed the pipe), else the errno that
 * kept it from running (its child wrote it before exiting). */
static int
exec_errno(int fd)
{
	ssize_t	 n;
	int	 e = 0;

	while ((n = read(fd, &e, sizeof e)) == -1 && errno == EINTR)
		;
	return n == (ssize_t)sizeof e ? e : 0;
}

/* Makes the pipes and the child: its pid once the program runs, else -1
 * after a message, the child reaped and every pipe closed.  A program
 * that cannot be run (execv failing, whatever errno) is ours to report,
 * not an exit status 127 the program would have given. */
static pid_t
start(struct run *r, int *status, long long deadline)
{
	const struct spawn *s = r->s;
	int	 rp[2] = { -1, -1 }, e;
	pid_t	 pid, parent;

	if ((s->in != NULL && pipe2(r->ip, O_CLOEXEC) == -1) ||
	    (!s->out_to_stderr && pipe2(r->op, O_CLOEXEC) == -1) ||
	    (s->say != NULL && pipe2(r->ep, O_CLOEXEC) == -1) ||
	    report_pipe(rp) == -1) {
		jerr_say_errno(s->err, ST_FAIL, _("pipe"));
		close_all(r->ip, r->op, r->ep);
		return -1;
	}
	parent = getpid();
	if ((pid = fork()) == -1) {
		jerr_say_errno(s->err, ST_FAIL, _("fork"));
		close_all(r->ip, r->op, r->ep);
		close(rp[0]);
		close(rp[1]);
		return -1;
	}
	if (pid == 0)
		child(s, r->ip[0], r->op[1], r->ep[1], rp[1], parent);
	close(rp[1]);
	if (r->ip[0] != -1)
		close(r->ip[0]);
	if (r->op[1] != -1)
		close(r->op[1]);
	if (r->ep[1] != -1)
		close(r->ep[1]);
	r->ip[0] = r->op[1] = r->ep[1] = -1;
	e = exec_errno(rp[0]);
	close(rp[0]);
	if (e == 0)
		return pid;
	errno = e;
	jerr_say_errno(s->err, ST_FAIL, _("%s: cannot be run"), s->path);
	(void)reap(s, pid, status, deadline, SPAWN_ERR);
	close_all(r->ip, r->op, r->ep);
	return -1;
}

/* SIGCHLD at its default from before the fork until the child is reaped:
 * a PAM host that ignores it (the kernel reaps its children) or whose
 * handler reaps every child (waitpid(-1)) took the program's exit before
 * reap could, ECHILD, and a verifier's answer was lost.  The host's
 * disposition put back after, and a handler of its own called once, as
 * a SIGCHLD of a child of its own that ended meanwhile would have. */
static void
chld_default(struct sigaction *old)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	sigemptyset(&dfl.sa_mask);
	(void)sigaction(SIGCHLD, &dfl, old);
}

static void
chld_restore(const struct sigaction *old)
{
	(void)sigaction(SIGCHLD, old, NULL);
	if ((old->sa_flags & SA_SIGINFO) || (old->sa_handler != SIG_DFL &&
	    old->sa_handler != SIG_IGN))
		(void)raise(SIGCHLD);
}

int
spawn_run(const struct spawn *s, unsigned char **out, size_t *outlen, int *status)
{
	struct run r = { .s = s, .ip = { -1, -1 }, .op = { -1, -1 },
	    .ep = { -1, -1 }, .out = out, .outlen = outlen, .pidfd = -1 };
	long long deadline = now_ms() + s->timeout_ms;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old, chld;
	pid_t pid;
	int result;

	if (out != NULL) {
		*out = NULL;
		*outlen = 0;
	}
	chld_default(&chld);
	if ((pid = start(&r, status, deadline)) == -1) {
		chld_restore(&chld);
		return SPAWN_ERR;
	}
	r.pid = pid;
	if (s->at_exit)
		r.pidfd = pidfd_open(pid, 0);
	sigemptyset(&ign.sa_mask);
	(void)sigaction(SIGPIPE, &ign, &old);
	if (r.ip[1] != -1)
		(void)fcntl(r.ip[1], F_SETFL, O_NONBLOCK);
	result = reap(s, pid, status, deadline, pump(&r, deadline));
	(void)sigaction(SIGPIPE, &old, NULL);
	chld_restore(&chld);
	close_all(r.ip, r.op, r.ep);
	if (r.pidfd != -1)
		close(r.pidfd);
	return result;
}
