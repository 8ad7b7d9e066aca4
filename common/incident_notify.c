/*
 * incident_notify.c — notify_command (jukisec.conf(5)): the report of an
 * incident just recorded, sent to whoever must hear of it (R9.1).
 *
 * Invariants: it runs after the locks are released, with the report on its
 * stdin and its stdout sent to our stderr (our stdout is the result); no
 * other descriptor of ours (the password's included) is open in it; it is
 * killed, with its process group, after NOTIFY_TIMEOUT_MS.  A failure is
 * logged (result notify-failed) and never undoes the record.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "incident.h"
#include "jukisec.h"
#include "oplog.h"

#define NOTIFY_TIMEOUT_MS 60000

/* Runs /bin/sh -c cmd with in on its stdin; its exit status, 128+signal,
 * or -1 (could not start, or killed after NOTIFY_TIMEOUT_MS). */
static int
run_notify(const char *cmd, const char *id, const char *event,
    const char *in, size_t len)
{
	struct sigaction ign, old;
	struct timespec ts = { 0, 10000000 };
	int p[2], status = -1, waited = 0;
	size_t off = 0;
	pid_t pid, w;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		if (dup2(p[0], 0) == -1 || dup2(2, 1) == -1)
			_exit(127);
		/* --by-password-fd and whatever our caller left open are
		 * not the command's business */
		close_range(3, ~0U, 0);
		setenv("JUKISEC_INCIDENT", id, 1);
		setenv("JUKISEC_EVENT", event, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	for (;;) {
		if (p[1] != -1) {
			ssize_t n = off < len ? write(p[1], in + off, len - off) : 0;

			if (n > 0)
				off += (size_t)n;
			if (off >= len || (n == -1 && errno != EAGAIN && errno != EINTR)) {
				close(p[1]);
				p[1] = -1;
			}
		}
		if ((w = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (w == -1 && errno != EINTR) {
			status = -1;
			break;
		}
		if (waited >= NOTIFY_TIMEOUT_MS) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			status = -1;
			break;
		}
		nanosleep(&ts, NULL);
		waited += 10;
	}
	if (p[1] != -1)
		close(p[1]);
	sigaction(SIGPIPE, &old, NULL);
	if (status == -1)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int
incident_notify(struct store *st, const char *id, const char *by,
    const char *event, int64_t now)
{
	struct incidents all;
	struct incident *inc;
	const char *cmd = st->conf.notify_command;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;
	int rv, status;

	if (cmd == NULL || cmd[0] == '\0')
		return ST_OK;
	if ((status = incidents_load(st, &all)) != ST_OK)
		return status;
	if ((inc = incident_find(&all, id)) == NULL) {
		incidents_free(&all);
		warnx(_("%s: no such incident"), id);
		return ST_FAIL;
	}
	if ((fp = open_memstream(&text, &len)) == NULL)
		err(ST_FAIL, "open_memstream");
	render_report(fp, inc, FMT_TEXT, inc_lang_default(), now);
	if (fclose(fp) != 0)
		err(ST_FAIL, "open_memstream");
	incidents_free(&all);
	rv = run_notify(cmd, id, event, text, len);
	free(text);
	if (rv == 0)
		return ST_OK;
	if (rv == -1)
		warnx(_("notify_command failed to run or timed out; incident %s is recorded"), id);
	else
		warnx(_("notify_command failed (status %d); incident %s is recorded"), rv, id);
	oplog_log(st, by, "incident", id, "notify-failed", "event=%s status=%d",
	    event, rv);
	return ST_FAIL;
}
