/*
 * jerr.c — an error as a value (jerr.h): filled where it happens, printed
 * (or put in a finding) by whoever decides.  Below everything but esc.c's
 * warnx, which jerr_warn prints through.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jukisec.h"
#include "jerr.h"

static void
vset(struct jerr *e, int code, int errnum, const char *fmt, va_list ap)
{
	size_t	 n;

	e->code = code;
	e->errnum = errnum >= 0 ? errnum : 0;
	e->line = 0;
	e->cause = e->errnum;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (errnum >= 0) {	/* warn(3)'s form */
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	}
}

void
jerr_set(struct jerr *e, int code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vset(e, code, -1, fmt, ap);
	va_end(ap);
}

void
jerr_errno(struct jerr *e, int code, const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vset(e, code, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

int
jerr_warn(const struct jerr *e)
{
	warnx("%s", e->msg);
	return e->code;
}

/* 1 when e takes a message of code (jerr.h): a failure unless one is
 * kept, a warning when nothing is. */
static int
takes(const struct jerr *e, int code)
{
	return code != ST_OK ? e->code == ST_OK : e->msg[0] == '\0';
}

static void
vsay(struct jerr *e, int code, int errnum, const char *fmt, va_list ap)
{
	struct jerr m;

	if (e == NULL) {
		vset(&m, code, errnum, fmt, ap);
		jerr_warn(&m);
	} else if (takes(e, code))
		vset(e, code, errnum, fmt, ap);
}

void
jerr_say(struct jerr *e, int code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsay(e, code, -1, fmt, ap);
	va_end(ap);
}

void
jerr_say_errno(struct jerr *e, int code, const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vsay(e, code, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
jerr_pass(struct jerr *e, const struct jerr *from)
{
	if (from->msg[0] == '\0')
		return;
	if (e == NULL)
		jerr_warn(from);
	else if (takes(e, from->code))
		*e = *from;
}

void
jerr_say_at(struct jerr *e, int code, size_t line, int cause,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 taken = e != NULL && takes(e, code);

	va_start(ap, fmt);
	vsay(e, code, -1, fmt, ap);
	va_end(ap);
	if (taken) {
		e->line = line;
		e->cause = cause;
	}
}
