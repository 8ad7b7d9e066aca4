/*
 * spawn.c — a program run with a deadline: what the external verifier and
 * notify_command share (spawn.h).
 *
 * Invariants: execv only (no PATH search); in the child stdin, stdout and
 * stderr are set and every other descriptor closed (close_range), SIGPIPE
 * back to its default; the parent ignores SIGPIPE while it writes and puts
 * its disposition back.  The deadline bounds the whole run, the wait for
 * the exit included; past it the program (its group when it has one) is
 * killed with SIGKILL and reaped: no zombie, no pipe left open.  Collected
 * output only moves through memory that is wiped before it is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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

static void
child(const struct spawn *s, int in, int out)
{
	size_t i;

	if (s->group)
		setpgid(0, 0);
	if (in == -1)
		in = open("/dev/null", O_RDONLY);
	if (in == -1 || dup2(in, 0) == -1 || dup2(s->out_to_stderr ? 2 : out, 1) == -1)
		_exit(127);
	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	for (i = 0; s->env != NULL && s->env[i] != NULL; i++)
		putenv((char *)s->env[i]);
	execv(s->path, s->argv);
	warn("%s", s->path);
	_exit(127);
}

static void
close_all(int *ip, int *op)
{
	for (int i = 0; i < 2; i++) {
		if (ip[i] != -1)
			close(ip[i]);
		if (op[i] != -1)
			close(op[i]);
		ip[i] = op[i] = -1;
	}
}

int
spawn_run(const struct spawn *s, unsigned char **out, size_t *outlen, int *status)
{
	int ip[2] = { -1, -1 }, op[2] = { -1, -1 }, result = SPAWN_OK;
	long long deadline = now_ms() + s->timeout_ms;
	const unsigned char *in = s->in;
	size_t inoff = 0, cap = 0;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct pollfd pf[2];
	pid_t pid;
	ssize_t n;

	if (out != NULL) {
		*out = NULL;
		*outlen = 0;
	}
	if ((in != NULL && pipe2(ip, O_CLOEXEC) == -1) ||
	    (!s->out_to_stderr && pipe2(op, O_CLOEXEC) == -1)) {
		warn(_("pipe"));
		close_all(ip, op);
		return SPAWN_ERR;
	}
	if ((pid = fork()) == -1) {
		warn(_("fork"));
		close_all(ip, op);
		return SPAWN_ERR;
	}
	if (pid == 0)
		child(s, ip[0], op[1]);
	if (ip[0] != -1)
		close(ip[0]);
	if (op[1] != -1)
		close(op[1]);
	ip[0] = op[1] = -1;
	sigemptyset(&ign.sa_mask);
	(void)sigaction(SIGPIPE, &ign, &old);
	if (ip[1] != -1)
		(void)fcntl(ip[1], F_SETFL, O_NONBLOCK);
	while (op[0] != -1 || ip[1] != -1) {
		long long left = deadline - now_ms();
		int nfd = 0, r;

		if (left <= 0) {
			result = SPAWN_TIMEOUT;
			break;
		}
		if (ip[1] != -1)
			pf[nfd++] = (struct pollfd){ .fd = ip[1], .events = POLLOUT };
		if (op[0] != -1)
			pf[nfd++] = (struct pollfd){ .fd = op[0], .events = POLLIN };
		r = poll(pf, nfd, left > 1000 ? 1000 : (int)left);
		if (r == -1 && errno != EINTR) {
			warn(_("poll"));
			result = SPAWN_ERR;
			break;
		}
		if (r <= 0)
			continue;
		for (int i = 0; i < nfd; i++) {
			if (pf[i].revents == 0)
				continue;
			if (pf[i].fd == ip[1]) {
				n = write(ip[1], in + inoff, s->inlen - inoff);
				if (n > 0)
					inoff += (size_t)n;
				/* EPIPE: it stopped reading; its status decides. */
				if ((n == -1 && errno != EAGAIN && errno != EINTR) ||
				    inoff == s->inlen) {
					close(ip[1]);
					ip[1] = -1;
				}
				continue;
			}
			if (out != NULL && *outlen == cap) {
				if (cap == s->outmax) {
					result = SPAWN_TOOBIG;
					goto stop;
				}
				cap = cap == 0 ? 4096 : cap * 2 > s->outmax ?
				    s->outmax : cap * 2;
				*out = grow(*out, *outlen, cap);
			}
			if (out != NULL)
				n = read(op[0], *out + *outlen, cap - *outlen);
			else {
				char junk[512];
				n = read(op[0], junk, sizeof junk);
			}
			if (n > 0 && out != NULL)
				*outlen += (size_t)n;
			if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
				close(op[0]);
				op[0] = -1;
			}
		}
	}
stop:
	/* Wait for the exit within what is left of the time. */
	while (result == SPAWN_OK) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid)
			goto done;
		if (w == -1 && errno != EINTR) {
			warn(_("waitpid"));
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
done:
	(void)sigaction(SIGPIPE, &old, NULL);
	close_all(ip, op);
	return result;
}
