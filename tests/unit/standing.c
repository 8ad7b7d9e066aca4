/*
 * tests/unit/standing.c — standing_span() gives exactly the times at which
 * standing_of() finds a person fine (R5.4): the audit's walk decides by
 * the one, log-append by the other, so they must never disagree (at any
 * time before INT64_MAX, which the span leaves out).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "standing.h"
#include "timeutil.h"
#include "tap.h"

/* a time from a small set around T, or TIME_NONE, or an extreme */
static int64_t
pick(unsigned r)
{
	static const int64_t t[] = { TIME_NONE, INT64_MAX, -1, 0, 1, 999, 1000, 1001, 5000 };

	return t[r % (sizeof(t) / sizeof(t[0]))];
}

int
main(void)
{
	static const int64_t at[] = { TIME_NONE + 1, -1, 0, 1, 999, 1000, 1001, 4999, 5000,
	    5001, INT64_MAX - 1 };
	struct operator o;
	int64_t	 from, until;
	unsigned i, j, seed = 1, bad = 0, fine = 0, notfine = 0;

	standing_span(NULL, &from, &until);
	ok(until <= from, "no row: fine at no time");
	for (i = 0; i < 2000; i++) {
		memset(&o, 0, sizeof(o));
		seed = seed * 1103515245u + 12345u;
		o.registered_at = pick(seed >> 8);
		o.revoked_at = pick(seed >> 12);
		o.expires = pick(seed >> 16);
		standing_span(&o, &from, &until);
		for (j = 0; j < sizeof(at) / sizeof(at[0]); j++) {
			int span = from <= at[j] && at[j] < until;
			int of = standing_of(&o, at[j]) == NULL;

			bad += span != of;
			fine += of;
			notfine += !of;
		}
	}
	ok(bad == 0, "standing_span and standing_of agree at every time (%u disagree)", bad);
	ok(fine > 1000 && notfine > 1000, "both verdicts were met (%u fine, %u not)", fine, notfine);
	return tap_done();
}
