/*
 * conv.c — the current conversation (conv.h).
 *
 * Invariants: one pointer per thread; with none set, the tools' own
 * behaviour (pw_read, stderr, warnx) and nothing else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "conv.h"
#include "cred.h"

static _Thread_local const struct conv *cur;

void
conv_set(const struct conv *c)
{
	cur = c;
}

int
conv_active(void)
{
	return cur != NULL;
}

int
conv_secret(int fd, const char *prompt, char **pw)
{
	if (cur == NULL)
		return pw_read(fd, prompt, 0, pw);
	return cur->secret(cur->arg, prompt, pw);
}

static void
say(void (*to)(void *, const char *), int error, const char *fmt,
    va_list ap)
{
	char	*m;

	if (vasprintf(&m, fmt, ap) == -1)
		err(ST_FAIL, NULL);
	if (to != NULL)
		to(cur->arg, m);
	else if (error)
		warnx("%s", m);
	else
		fputs(m, stderr);
	free(m);
}

void
conv_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	say(cur != NULL ? cur->info : NULL, 0, fmt, ap);
	va_end(ap);
}

void
conv_error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	say(cur != NULL ? cur->error : NULL, 1, fmt, ap);
	va_end(ap);
}

int
conv_diag(const char *msg, int e)
{
	char	*m;

	if (cur == NULL || cur->diag == NULL)
		return 0;
	if (asprintf(&m, "%s%s%s", msg != NULL ? msg : "",
	    msg != NULL && e != 0 ? ": " : "", e != 0 ? strerror(e) : "") == -1)
		m = NULL;
	cur->diag(cur->arg, m != NULL ? m : "out of memory");
	free(m);
	return 1;
}

void
conv_bail(int status)
{
	if (cur != NULL && cur->bail != NULL) {
		const struct conv *c = cur;

		cur = NULL;
		longjmp(*c->bail, status);
	}
}
