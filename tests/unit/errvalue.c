/* Unit tests for the library's errors as values (jerr.h, HACKING
 * "Errors"): a function given a struct jerr returns its status, keeps the
 * message there and prints nothing; given NULL (the tools) it prints the
 * very same line on stderr. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "jukisec.h"
#include "cred.h"
#include "incident.h"
#include "period.h"
#include "register_change.h"
#include "show.h"
#include "timeutil.h"
#include "tap.h"

/* The result of one call with a jerr, then of the same call with NULL. */
static void
same(int (*call)(struct jerr *), int code, const char *want,
    const char *what)
{
	struct jerr e = JERR_INIT;
	char said[sizeof(e.msg)], name[256];
	int r;

	capture_begin();
	r = call(&e);
	snprintf(name, sizeof(name), "%s: nothing printed", what);
	is_str(capture_end(), "", name);
	ok(r == code && e.code == code, "%s: status %d, kept as %d", what, r,
	    e.code);
	snprintf(name, sizeof(name), "%s: the message kept", what);
	is_str(e.msg, want, name);
	capture_begin();
	call(NULL);
	snprintf(said, sizeof(said), "%s", capture_end());
	snprintf(name, sizeof(name), "%s: the same line printed without a "
	    "jerr", what);
	is_str(said, want, name);
}

static int
since(struct jerr *e)
{
	struct period p;

	return period_dates("2026-13-01", NULL, 0, 1, &p, e) == -1 ? ST_USAGE :
	    ST_OK;
}

static int
fiscal(struct jerr *e)
{
	struct period p;

	return period_fiscal("9999", &p, e) == -1 ? ST_USAGE : ST_OK;
}

static int
summary(struct jerr *e)
{
	struct inc_new n = { .by = "mgr", .summary = "a\001b" };

	return incident_check_text(&n, NULL, e);
}

static int
expiry(struct jerr *e)
{
	struct opchange c = { .expires = "soon" };

	return opchange_expiry(&c, 1, e);
}

static int
note(struct jerr *e)
{
	return field_check_err("--note", "x\001y", 200, e);
}

static char cursor[64];	/* a file that is not a cursor */

static int
cursor_read(struct jerr *e)
{
	struct show_cursor c = { .path = cursor };
	long long seq;
	int r;

	if ((c.dfd = open_parent(cursor, &c.base)) == -1)
		return -1;
	r = show_cursor_read(&c, &seq, e);
	close(c.dfd);
	return r;
}

static int
detail(struct jerr *e)
{
	char *d;

	return incident_read_detail("/nonexistent/detail", &d, e);
}

static int
password(struct jerr *e)
{
	char line[PW_MAX + 8], *pw;
	int fd[2], r;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	if (pipe(fd) == -1 || write(fd[1], line, sizeof(line)) == -1)
		abort();
	close(fd[1]);
	r = pw_read(fd[0], "--password-fd 3", "", 0, &pw, e);
	close(fd[0]);
	return r;
}

int
main(void)
{
	int fd;

	jukisec_setup();
	snprintf(cursor, sizeof(cursor), "/tmp/jukisec-unit-errvalue.XXXXXX");
	if ((fd = mkstemp(cursor)) == -1 ||
	    write(fd, "nonsense\n", 9) != 9)
		abort();
	close(fd);

	same(since, ST_USAGE, "--since 2026-13-01: not a date YYYY-MM-DD",
	    "period_dates: a bad --since");
	same(fiscal, ST_USAGE, "--fiscal-year 9999: not a year from 1 to 9998",
	    "period_fiscal: a year out of range");
	same(summary, ST_USAGE, "--summary: contains a control character",
	    "incident_check_text: a control character");
	same(expiry, ST_USAGE, "-e soon: not a date YYYY-MM-DD, an RFC 3339 "
	    "time (years 0001-9999) or never", "opchange_expiry: not a date");
	same(note, ST_USAGE, "--note: contains a control character",
	    "field_check_err: a control character");
	same(detail, ST_FAIL, "/nonexistent/detail: No such file or directory",
	    "incident_read_detail: warn's form, strerror included");
	same(password, ST_USAGE, "--password-fd 3: password longer than 1024 bytes",
	    "pw_read: too long");
	{
		char want[128];

		snprintf(want, sizeof(want), "%s:1: not a log-show cursor "
		    "(seq=N)", cursor);
		same(cursor_read, ST_USAGE, want,
		    "show_cursor_read: not a cursor");
	}
	unlink(cursor);
	return tap_done();
}
