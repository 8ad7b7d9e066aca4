/*
 * extverify.c — the external verifier (jukisec-verifier(5)) for palm vein
 * and other biometrics that come with vendor software (R5.3).
 *
 * Invariants:
 *  - The program is conf external_verifier, an absolute path, run with
 *    execv (no shell, no PATH search) as "PROGRAM enrol ID" or "PROGRAM
 *    verify ID".  It and its directory must be owned by us or root and
 *    not group- or world-writable, since its exit status admits people.
 *    Its stderr is the user's terminal (for its prompts); no other
 *    descriptor of ours leaks into it (close_range).
 *  - enrol: stdin /dev/null, template bytes on stdout, at most TMPL_MAX.
 *    verify: the template on stdin, then EOF; stdout is ignored.
 *  - Exit 0 means enrolled / match, 1 means failed / no match, anything
 *    else (another status, a signal, too much output) is an error.
 *  - conf external_timeout_seconds bounds the whole run; past it the
 *    program is killed (SIGKILL) and reaped: no zombie, no open pipe.
 *  - Template bytes travel only through pipes and wiped memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "jukisec.h"
#include "bioint.h"

enum { RUN_OK, RUN_TIMEOUT, RUN_TOOBIG, RUN_ERR };

/* Grows a buffer holding template bytes without leaving a copy behind. */
static unsigned char *
xrealloc_secret(unsigned char *old, size_t len, size_t cap)
{
	unsigned char *p = xmalloc(cap);

	if (old != NULL) {
		memcpy(p, old, len);
		wipe(old, len);
		free(old);
	}
	return p;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the verifier with in (may be NULL) on its stdin and collects its
 * stdout into out (may be NULL).  *status gets the wait status. */
static int
run(struct store *st, const char *verb, const char *id,
    const struct secret *in, struct secret *out, int *status)
{
	const char *prog = st->conf.external_verifier;
	int ip[2] = { -1, -1 }, op[2] = { -1, -1 }, result = RUN_OK;
	long long deadline = now_ms() + st->conf.external_timeout_seconds * 1000;
	size_t inoff = 0, cap = 0;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct pollfd pf[2];
	pid_t pid;
	ssize_t n;

	if (pipe2(ip, O_CLOEXEC) == -1 || pipe2(op, O_CLOEXEC) == -1) {
		warn(_("pipe"));
		goto fail;
	}
	if ((pid = fork()) == -1) {
		warn(_("fork"));
		goto fail;
	}
	if (pid == 0) {
		int nul = in == NULL ? open("/dev/null", O_RDONLY) : ip[0];
		char *const argv[] = { (char *)prog, (char *)verb, (char *)id,
		    NULL };

		if (nul == -1 || dup2(nul, 0) == -1 || dup2(op[1], 1) == -1)
			_exit(127);
		close_range(3, ~0U, 0);
		signal(SIGPIPE, SIG_DFL);
		execv(prog, argv);
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(ip[0]);
	close(op[1]);
	ip[0] = op[1] = -1;
	/* A verifier that exits without reading its stdin must give us EPIPE,
	 * not kill us with SIGPIPE. */
	sigemptyset(&ign.sa_mask);
	(void)sigaction(SIGPIPE, &ign, &old);
	if (in == NULL) {
		close(ip[1]);
		ip[1] = -1;
	} else
		(void)fcntl(ip[1], F_SETFL, O_NONBLOCK);
	while (op[0] != -1 || ip[1] != -1) {
		long long left = deadline - now_ms();
		int nfd = 0, r;

		if (left <= 0) {
			result = RUN_TIMEOUT;
			break;
		}
		if (ip[1] != -1)
			pf[nfd++] = (struct pollfd){ .fd = ip[1], .events = POLLOUT };
		if (op[0] != -1)
			pf[nfd++] = (struct pollfd){ .fd = op[0], .events = POLLIN };
		r = poll(pf, nfd, left > 1000 ? 1000 : (int)left);
		if (r == -1 && errno != EINTR) {
			warn(_("poll"));
			result = RUN_ERR;
			break;
		}
		if (r <= 0)
			continue;
		for (int i = 0; i < nfd; i++) {
			if (pf[i].revents == 0)
				continue;
			if (pf[i].fd == ip[1]) {
				n = write(ip[1], in->p + inoff, in->len - inoff);
				if (n > 0)
					inoff += n;
				/* EPIPE: it stopped reading; its status decides. */
				if ((n == -1 && errno != EAGAIN && errno != EINTR) ||
				    inoff == in->len) {
					close(ip[1]);
					ip[1] = -1;
				}
				continue;
			}
			if (out != NULL && out->len == cap) {
				if (cap == TMPL_MAX) {
					result = RUN_TOOBIG;
					goto stop;
				}
				cap = cap == 0 ? 4096 : cap * 2 > TMPL_MAX ?
				    TMPL_MAX : cap * 2;
				out->p = xrealloc_secret(out->p, out->len, cap);
			}
			if (out != NULL)
				n = read(op[0], out->p + out->len, cap - out->len);
			else {
				char junk[512];
				n = read(op[0], junk, sizeof junk);
			}
			if (n > 0 && out != NULL)
				out->len += n;
			if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
				close(op[0]);
				op[0] = -1;
			}
		}
	}
stop:
	/* Wait for the exit within what is left of the time. */
	while (result == RUN_OK) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid)
			goto done;
		if (w == -1 && errno != EINTR) {
			warn(_("waitpid"));
			result = RUN_ERR;
			break;
		}
		if (now_ms() >= deadline)
			result = RUN_TIMEOUT;
		else
			(void)poll(NULL, 0, 5);
	}
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
done:
	(void)sigaction(SIGPIPE, &old, NULL);
	for (int i = 0; i < 2; i++) {
		if (ip[i] != -1)
			close(ip[i]);
		if (op[i] != -1)
			close(op[i]);
	}
	return result;
fail:
	for (int i = 0; i < 2; i++) {
		if (ip[i] != -1)
			close(ip[i]);
		if (op[i] != -1)
			close(op[i]);
	}
	return RUN_ERR;
}

/* The program and the directory holding it are owned by us or root and
 * writable by nobody else (a sticky /tmp is no help: another user may
 * have created the name first). */
static int
trusted(const char *prog)
{
	struct stat sb;
	char *dir = xstrndup(prog, strrchr(prog, '/') - prog + 1);
	int ok;

	ok = stat(prog, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_uid == geteuid() || sb.st_uid == 0) &&
	    (sb.st_mode & 022) == 0 &&
	    stat(dir, &sb) == 0 &&
	    (sb.st_uid == geteuid() || sb.st_uid == 0) &&
	    (sb.st_mode & 022) == 0;
	free(dir);
	return ok;
}

static int
configured(struct store *st)
{
	const char *prog = st->conf.external_verifier;

	if (prog == NULL || prog[0] == '\0') {
		warnx(_("no external verifier configured (external_verifier in "
		    "jukisec.conf)"));
		return 0;
	}
	if (prog[0] != '/') {
		warnx(_("external_verifier %s is not an absolute path"), prog);
		return 0;
	}
	if (access(prog, X_OK) == -1) {
		warn(_("external verifier %s"), prog);
		return 0;
	}
	if (!trusted(prog)) {
		warnx(_("external verifier %s: refusing a program or directory "
		    "not owned by us or root, or group- or world-writable"), prog);
		return 0;
	}
	return 1;
}

static const char *
describe(int status, char *b, size_t n)
{
	if (WIFSIGNALED(status))
		snprintf(b, n, _("killed by signal %d"), WTERMSIG(status));
	else
		snprintf(b, n, _("exit status %d"), WEXITSTATUS(status));
	return b;
}

int
ext_enrol(struct store *st, const char *id, struct secret *out)
{
	const char *prog = st->conf.external_verifier;
	char why[64];
	int status = 0, r;

	out->p = NULL;
	out->len = 0;
	if (!configured(st))
		return ST_FAIL;
	r = run(st, "enrol", id, NULL, out, &status);
	if (r == RUN_OK && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    out->len > 0)
		return ST_OK;
	if (r == RUN_TIMEOUT)
		warnx(_("%s enrol: timed out after %lld s"), prog,
		    st->conf.external_timeout_seconds);
	else if (r == RUN_TOOBIG)
		warnx(_("%s enrol: template larger than %d bytes"), prog,
		    TMPL_MAX);
	else if (r == RUN_OK && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		warnx(_("%s enrol: no template on its standard output"), prog);
	else if (r == RUN_OK)
		warnx(_("%s enrol: enrolment failed (%s)"), prog,
		    describe(status, why, sizeof why));
	secret_free(out);
	if (r == RUN_TIMEOUT || (r == RUN_OK && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 1))
		return ST_NO;
	return ST_FAIL;
}

int
ext_verify(struct store *st, const char *id, const struct secret *t,
    const char **reason)
{
	const char *prog = st->conf.external_verifier;
	char why[64];
	int status = 0, r;

	if (!configured(st)) {
		*reason = "no verifier";
		return ST_FAIL;
	}
	r = run(st, "verify", id, t, NULL, &status);
	if (r == RUN_OK && WIFEXITED(status) && WEXITSTATUS(status) <= 1) {
		*reason = WEXITSTATUS(status) == 0 ? NULL : "no match";
		return WEXITSTATUS(status) == 0 ? ST_OK : ST_NO;
	}
	if (r == RUN_OK && WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		warnx(_("%s verify: no reader (exit status 3)"), prog);
		*reason = "no reader";
		return ST_FAIL;
	}
	if (r == RUN_TIMEOUT) {
		warnx(_("%s verify: timed out after %lld s"), prog,
		    st->conf.external_timeout_seconds);
		*reason = "timeout";
	} else {
		if (r == RUN_OK)
			warnx(_("%s verify: %s"), prog,
			    describe(status, why, sizeof why));
		*reason = "verifier error";
	}
	return ST_NO;
}
