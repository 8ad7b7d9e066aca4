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

void
jerr_set(struct jerr *e, int code, const char *fmt, ...)
{
	va_list	 ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
jerr_errno(struct jerr *e, int code, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n;
	int	 saved = errno;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(saved));
	errno = saved;
}

int
jerr_warn(const struct jerr *e)
{
	warnx("%s", e->msg);
	return e->code;
}
