/*
 * conv.c — the current conversation (conv.h), at the bottom of common/:
 * esc.c's err family asks it whether to jump out of a PAM call.  What the gate
 * says to the person is in conv_talk.c, above the warn family and pw_read.
 *
 * Invariants: one pointer per thread; with none set, the tools' own
 * behaviour (stderr, exit) and nothing else.  No allocation here: bail
 * runs when memory is out.
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

void
conv_bail(int status, const char *msg, int e)
{
	if (cur != NULL && cur->bail != NULL) {
		const struct conv *c = cur;

		if (c->fatal != NULL && c->fatalsz > 0)
			snprintf(c->fatal, c->fatalsz, "%s%s%s",
			    msg != NULL ? msg : "",
			    msg != NULL && e != 0 ? ": " : "",
			    e != 0 ? strerror(e) : "");
		cur = NULL;
		longjmp(*c->bail, status);
	}
}
