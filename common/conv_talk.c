/*
 * conv_talk.c — what the gate says to the person and asks of them, through
 * the current conversation (conv.h) or, with none, on the terminal.
 *
 * Invariants: with no conversation set, pw_read, stderr and warnx, as the
 * tools always did; a secret comes back in secure memory either way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "conv.h"
#include "cred.h"

int
conv_secret(int fd, const char *from, const char *prompt, char **pw)
{
	const struct conv *c = conv_get();

	struct jerr e;
	int r;

	if (c != NULL)
		return c->secret(c->arg, prompt, pw);
	/* a tool's: the gate's deny is the one message for an answer too
	 * long (ST_USAGE) */
	memset(&e, 0, sizeof(e));
	if ((r = pw_read(fd, from, prompt, 0, pw, &e)) != ST_OK && r != ST_USAGE)
		jerr_warn(&e);
	return r;
}

static void
say(const struct conv *c, void (*to)(void *, const char *), int error,
    const char *fmt, va_list ap)
{
	char	*m;

	if (vasprintf(&m, fmt, ap) == -1)
		err(ST_FAIL, NULL);
	if (to != NULL)
		to(c->arg, m);
	else if (error)
		warnx("%s", m);
	else
		fputs(m, stderr);
	free(m);
}

void
conv_info(const char *fmt, ...)
{
	const struct conv *c = conv_get();
	va_list	 ap;

	va_start(ap, fmt);
	say(c, c != NULL ? c->info : NULL, 0, fmt, ap);
	va_end(ap);
}

void
conv_error(const char *fmt, ...)
{
	const struct conv *c = conv_get();
	va_list	 ap;

	va_start(ap, fmt);
	say(c, c != NULL ? c->error : NULL, 1, fmt, ap);
	va_end(ap);
}
