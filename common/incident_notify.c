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
#include "spawn.h"

#define NOTIFY_TIMEOUT_MS 60000

/* Runs /bin/sh -c cmd with in on its stdin; its exit status, 128+signal,
 * or -1 (could not start, or killed after NOTIFY_TIMEOUT_MS). */
static int
run_notify(const char *cmd, const char *id, const char *event,
    const char *in, size_t len)
{
	char *const argv[] = { "sh", "-c", (char *)cmd, NULL };
	char *envi = xasprintf("JUKISEC_INCIDENT=%s", id);
	char *enve = xasprintf("JUKISEC_EVENT=%s", event);
	const char *const env[] = { envi, enve, NULL };
	struct spawn s = {
		.path = "/bin/sh", .argv = argv, .env = env,
		.in = in, .inlen = len, .out_to_stderr = 1, .group = 1,
		.timeout_ms = NOTIFY_TIMEOUT_MS,
	};
	int status, r;

	r = spawn_run(&s, NULL, NULL, &status);
	free(envi);
	free(enve);
	if (r != SPAWN_OK)
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
	struct jerr e = JERR_INIT;
	const char *cmd = st->conf.notify_command;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;
	int rv, status;

	if (cmd == NULL || cmd[0] == '\0')
		return ST_OK;
	/* rows left out were said when the event was recorded */
	if ((status = incidents_load_err(st, &all, &e)) != ST_OK) {
		if (e.code != ST_OK)
			jerr_say(st->err, e.code, "%s", e.msg);
		return status;
	}
	if ((inc = incident_find(&all, id)) == NULL) {
		incidents_free(&all);
		jerr_say(st->err, ST_FAIL, _("%s: no such incident"), id);
		return ST_FAIL;
	}
	if ((fp = open_memstream(&text, &len)) == NULL)
		err(ST_FAIL, "open_memstream");
	/* no report (the register unread, said): none sent, as a failure */
	rv = render_report(fp, st, inc, FMT_TEXT, inc_lang_default(), now);
	if (fclose(fp) != 0)
		err(ST_FAIL, "open_memstream");
	incidents_free(&all);
	if (rv == 0)
		rv = run_notify(cmd, id, event, text, len);
	else
		rv = -1;
	free(text);
	if (rv == 0)
		return ST_OK;
	if (rv == -1)
		jerr_say(st->err, ST_FAIL, _("notify_command failed to run or "
		    "timed out; incident %s is recorded"), id);
	else
		jerr_say(st->err, ST_FAIL, _("notify_command failed (status %d); "
		    "incident %s is recorded"), rv, id);
	oplog_log(st, by, "incident", id, "notify-failed", "event=%s status=%d",
	    event, rv);
	return ST_FAIL;
}
