/*
 * period.c — 対象期間 of the compliance report (period.h): local days to
 * instants through local_date_end(), the one conversion of a person's
 * date the suite has (timeutil.h).
 */
#include <time.h>

#include "jukisec.h"
#include "period.h"
#include "timeutil.h"

/* The local midnight that begins y-m-d (the end of the day before). */
static int
day_start(int y, int m, int d, int64_t *ms)
{
	return local_date_end(y, m, d - 1, ms);
}

static int
set(struct period *p, int y1, int m1, int d1, int y2, int m2, int d2)
{
	if (day_start(y1, m1, d1, &p->from) == -1 ||
	    local_date_end(y2, m2, d2, &p->to) == -1 || p->from >= p->to)
		return -1;
	p->y1 = y1; p->m1 = m1; p->d1 = d1;
	p->y2 = y2; p->m2 = m2; p->d2 = d2;
	return 0;
}

static int
days_in(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return n[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static int
local_day(int64_t now, int *y, int *m, int *d)
{
	time_t	 s = (time_t)((now >= 0 ? now : now - 999) / 1000);
	struct tm tm;

	if (localtime_r(&s, &tm) == NULL)
		return -1;
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
	return 0;
}

int
period_last_month(int64_t now, struct period *p)
{
	int	 y, m, d;

	p->fiscal = 0;
	if (local_day(now, &y, &m, &d) == -1)
		return -1;
	if (--m == 0) {
		m = 12;
		y--;
	}
	return y < 1 ? -1 : set(p, y, m, 1, y, m, days_in(y, m));
}

/* A period whose ends are dates all the same but whose instants are not:
 * 0001-01-01 east of UTC starts in the year 0, 9999-12-31 at or west of
 * it ends in 10000.  The end named, with the nearest date that works
 * (as operator-add's -e says of its last date). */
static int
bounds_say(int y1, int m1, int d1, int y2, int m2, int d2, struct jerr *e)
{
	int64_t t;
	int y, m, d;

	if (local_date_end(y2, m2, d2, &t) == -1) {
		civil_from_days(days_from_civil(y2, m2, d2) - 1, &y, &m, &d);
		jerr_say(e, ST_USAGE, _("--until %04d-%02d-%02d: after the last date these "
		    "tools handle, %04d-%02d-%02d"), y2, m2, d2, y, m, d);
	} else if (day_start(y1, m1, d1, &t) == -1) {
		civil_from_days(days_from_civil(y1, m1, d1) + 1, &y, &m, &d);
		jerr_say(e, ST_USAGE, _("--since %04d-%02d-%02d: before the first date these "
		    "tools handle, %04d-%02d-%02d"), y1, m1, d1, y, m, d);
	} else
		jerr_say(e, ST_USAGE, _("--since/--until: outside the years "
		    "0001 to 9999"));
	return -1;
}

/* 1 after "OPT: empty" when s is: said as -d '' is, not as "OPT : ...". */
static int
empty(const char *s, const char *opt, struct jerr *e)
{
	if (*s != '\0')
		return 0;
	jerr_say(e, ST_USAGE, _("%s: empty"), opt);
	return 1;
}

int
period_dates(const char *since, const char *until, int64_t now,
    int now_given, struct period *p, struct jerr *e)
{
	int	 y1, m1, d1, y2, m2, d2;

	p->fiscal = 0;
	if ((since != NULL && empty(since, "--since", e)) ||
	    (until != NULL && empty(until, "--until", e)))
		return -1;
	if (since != NULL && date_parse(since, &y1, &m1, &d1) == -1) {
		jerr_say(e, ST_USAGE, _("--since %s: not a date YYYY-MM-DD"), since);
		return -1;
	}
	if (until != NULL && date_parse(until, &y2, &m2, &d2) == -1) {
		jerr_say(e, ST_USAGE, _("--until %s: not a date YYYY-MM-DD"), until);
		return -1;
	}
	if (until == NULL && local_day(now, &y2, &m2, &d2) == -1)
		return -1;
	if (since == NULL) {
		y1 = y2;
		m1 = m2;
		d1 = 1;
	}
	if ((long)y1 * 10000 + m1 * 100 + d1 > (long)y2 * 10000 + m2 * 100 + d2) {
		/* the end named as it came: --until, --now or the clock */
		if (until != NULL)
			jerr_say(e, ST_USAGE, _("--since %04d-%02d-%02d is after "
			    "--until %04d-%02d-%02d"), y1, m1, d1, y2, m2, d2);
		else if (now_given)
			jerr_say(e, ST_USAGE, _("--since %04d-%02d-%02d is after "
			    "%04d-%02d-%02d, the day of --now, where the period "
			    "ends without --until"), y1, m1, d1, y2, m2, d2);
		else
			jerr_say(e, ST_USAGE, _("--since %04d-%02d-%02d is after "
			    "today, %04d-%02d-%02d, where the period ends without "
			    "--until"), y1, m1, d1, y2, m2, d2);
		return -1;
	}
	if (set(p, y1, m1, d1, y2, m2, d2) == -1)
		return bounds_say(y1, m1, d1, y2, m2, d2, e);
	return 0;
}

int
period_fiscal(const char *year, struct period *p, struct jerr *e)
{
	long long y;
	const char *es;

	if (empty(year, "--fiscal-year", e))
		return -1;
	if (parse_decimal(year, 1, 9998, &y, &es) == -1 ||
	    set(p, (int)y, 4, 1, (int)y + 1, 3, 31) == -1) {
		jerr_say(e, ST_USAGE, _("--fiscal-year %s: not a year from 1 "
		    "to 9998"), year);
		return -1;
	}
	p->fiscal = (int)y;
	return 0;
}

int
period_has(const struct period *p, int64_t t)
{
	return t >= p->from && t < p->to;
}
