/*
 * conv.c — the current conversation (conv.h), at the bottom of common/:
 * esc.c's err/warn family asks it where a diagnostic goes.  What the gate
 * says to the person is in conv_talk.c, above the warn family and pw_read.
 *
 * Invariants: one pointer per thread; with none set, the tools' own
 * behaviour (stderr, exit) and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "conv.h"

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

const struct conv *
conv_get(void)
{
	return cur;
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
