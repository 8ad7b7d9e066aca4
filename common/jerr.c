/*
 * jerr.c — an error as a value (jerr.h): filled where it happens, printed
 * (or put in a finding) by whoever decides.  Below everything but esc.c's
 * warnx, which jerr_warn prints through.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "jerr.h"

/*
 * s (len bytes) into msg, cut in the middle when it does not fit: a third
 * of msg from its start, "...", the rest from its end.  A message is
 * "PATH: reason" or "FILE:LINE: ...", so a name longer than the whole
 * (a -d past PATH_MAX) loses its middle, not the reason that ends the
 * line.  The cuts fall between UTF-8 characters.
 */
static void
fit(char *msg, size_t cap, const char *s, size_t len)
{
	size_t	 head, tail;

	if (len < cap) {
		memcpy(msg, s, len + 1);
		return;
	}
	head = (cap - 1) / 3;
	tail = cap - 1 - head - 3;
	while (head > 0 && ((unsigned char)s[head] & 0xc0) == 0x80)
		head--;
	while (tail > 0 && ((unsigned char)s[len - tail] & 0xc0) == 0x80)
		tail--;
	memcpy(msg, s, head);
	memcpy(msg + head, "...", 3);
	memcpy(msg + head + 3, s + len - tail, tail + 1);
}

static void
vset(struct jerr *e, int code, int errnum, const char *fmt, va_list ap)
{
	va_list	 aq;
	char	*s;
	size_t	 n;
	int	 k;

	e->code = code;
	e->errnum = errnum >= 0 ? errnum : 0;
	e->line = 0;
	e->cause = e->errnum;
	va_copy(aq, ap);
	k = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	n = k > 0 ? (size_t)k : 0;
	if (errnum >= 0)	/* warn(3)'s form */
		n += 2 + strlen(strerror(errnum));
	/* Too long: the whole made again, to cut in the middle.  Plain
	 * malloc, not mem.c's: without the memory the cut stays at the end,
	 * and an error message is no place to exit for memory. */
	if (n >= sizeof(e->msg) && (s = malloc(n + 1)) != NULL) {
		k = vsnprintf(s, n + 1, fmt, aq);
		if (errnum >= 0)
			snprintf(s + k, n + 1 - k, ": %s", strerror(errnum));
		fit(e->msg, sizeof(e->msg), s, strlen(s));
		free(s);
	} else if (errnum >= 0) {
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	}
	va_end(aq);
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
