/*
 * period.h — the period a compliance report covers (対象期間): whole local
 * calendar days (TZ, as people read dates), from the first day's local
 * midnight to the local midnight after the last day.
 *
 * Invariants: from < to, both inside TIME_MIN..TIME_MAX; the days are kept
 * for printing, so the report says exactly the dates it was asked for.
 */
#ifndef PERIOD_H
#define PERIOD_H

#include <stdint.h>
#include "jerr.h"

struct period {
	int64_t	 from, to;		/* [from, to) */
	int	 y1, m1, d1, y2, m2, d2;	/* first and last day */
	int	 fiscal;		/* a fiscal year (年度) when > 0 */
};

/* The last full calendar month before the local day of now. */
int	period_last_month(int64_t now, struct period *);

/* --since/--until YYYY-MM-DD, either may be NULL: since alone runs to the
 * local day of now (now_given: --now's, else the clock's, which the
 * message of a since after it names), until alone from the first day of
 * its month.  0, or -1 with a message said to e (jerr_say, ST_USAGE: a
 * malformed date, since after the period's end). */
int	period_dates(const char *since, const char *until, int64_t now,
	    int now_given, struct period *, struct jerr *e);

/* --fiscal-year YYYY: 年度 YYYY, April 1 to March 31 of the next year.
 * 0, or -1 with a message said to e (jerr_say). */
int	period_fiscal(const char *year, struct period *, struct jerr *e);

/* 1 when t lies in the period. */
int	period_has(const struct period *, int64_t t);

#endif
