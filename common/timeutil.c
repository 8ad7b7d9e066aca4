/*
 * timeutil.c — int64 milliseconds UTC and their RFC 3339 text.
 *
 * Invariants: time_parse accepts only instants in TIME_MIN..TIME_MAX (years
 * 0001-9999 after the offset), time_now_ms returns only such instants, so
 * time_format always writes exactly "YYYY-MM-DDTHH:MM:SS.mmmZ" and
 * time_parse(time_format(t)) == t.  Parsing checks
 * every field's range (month lengths, leap years; no leap second 60) and
 * rejects anything after the last field.  The calendar is proleptic
 * Gregorian, after Howard Hinnant's "chrono-Compatible Low-Level Date
 * Algorithms" (public domain).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "jukisec.h"
#include "timeutil.h"


int64_t
time_now_ms(void)
{
	struct timespec ts;
	int64_t t;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		err(ST_FAIL, "clock_gettime");
	if (ts.tv_sec > TIME_MAX / 1000)
		errx(ST_FAIL, _("the clock reads a time after 9999-12-31: refused"));
	if (ts.tv_sec < TIME_MIN / 1000)
		return TIME_MIN;
	t = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return t < TIME_MIN ? TIME_MIN : t;
}

int64_t
days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
days_in_month(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return n[m - 1];
}

/* Reads exactly n digits. */
static int
digits(const char **sp, int n, int *out)
{
	const char *s = *sp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	*out = v;
	return 0;
}

static int
parse_date(const char **sp, int *y, int *m, int *d)
{
	const char *s = *sp;

	if (digits(&s, 4, y) || *s++ != '-' || digits(&s, 2, m) ||
	    *s++ != '-' || digits(&s, 2, d))
		return -1;
	if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
		return -1;
	*sp = s;
	return 0;
}

int
date_parse(const char *s, int *y, int *m, int *d)
{
	if (parse_date(&s, y, m, d) == -1 || *s != '\0')
		return -1;
	return 0;
}

/* Local wall-clock time to UTC seconds with tm_isdst as given (-1: the
 * C library's pick); *wall becomes the wall-clock time it names. */
static time_t
local_try(int y, int mo, int d, int h, int mi, int isdst, struct tm *wall)
{
	memset(wall, 0, sizeof(*wall));
	wall->tm_year = y - 1900;
	wall->tm_mon = mo - 1;
	wall->tm_mday = d;
	wall->tm_hour = h;
	wall->tm_min = mi;
	wall->tm_isdst = isdst;
	return mktime(wall);
}

static int
same_wall(const struct tm *a, const struct tm *b)
{
	return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon &&
	    a->tm_mday == b->tm_mday && a->tm_hour == b->tm_hour &&
	    a->tm_min == b->tm_min;
}

/* A time that comes twice, when the clocks go back, is its first
 * occurrence (log-show(1); a day's end, its next midnight, too, where the
 * clocks go back across midnight, as in America/Havana): mktime's own
 * pick is either, so the wall time it
 * settles on (a day past the month's end, a time in a gap, normalised)
 * is tried as standard and as summer time too, and the earliest instant
 * that reads back as that wall time wins. */
int
local_wall_ms(int y, int mo, int d, int h, int mi, int64_t *ms)
{
	struct tm want, got;
	time_t t, best;
	int isdst;

	if ((best = local_try(y, mo, d, h, mi, -1, &want)) == (time_t)-1)
		return -1;	/* never a whole minute */
	for (isdst = 0; isdst <= 1; isdst++) {
		t = local_try(want.tm_year + 1900, want.tm_mon + 1,
		    want.tm_mday, want.tm_hour, want.tm_min, isdst, &got);
		if (t != (time_t)-1 && t < best && same_wall(&got, &want))
			best = t;
	}
	*ms = (int64_t)best * 1000;
	return 0;
}

int
local_date_end(int y, int m, int d, int64_t *ms)
{
	int64_t t;

	/* mktime carries the day after into the next month */
	if (local_wall_ms(y, m, d + 1, 0, 0, &t) == -1 ||
	    t > TIME_MAX || t < TIME_MIN)
		return -1;
	*ms = t;
	return 0;
}

int
local_date_future(int y, int m, int d, int64_t now)
{
	int64_t	 start;

	/* a start before TIME_MIN (0001-01-01 east of UTC) is long past */
	return local_date_end(y, m, d - 1, &start) == 0 && start > now;
}

int
time_arg(const char *s, int64_t *ms)
{
	if (strlen(s) <= 10)	/* YYYY-MM-DD and no time */
		return -1;
	return time_parse(s, ms);
}

int
time_parse_wide(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec, frac = 0, n, oh, om, sign;
	int64_t t;

	if (parse_date(&s, &y, &mo, &d) == -1)
		return -1;
	if (*s == '\0') {
		*ms = days_from_civil(y, mo, d) * MS_PER_DAY;
		return 0;		/* a date is always in range */
	}
	if (*s != 'T' && *s != 't')
		return -1;
	s++;
	if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) ||
	    *s++ != ':' || digits(&s, 2, &sec))
		return -1;
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	if (*s == '.') {
		/* 1 to 9 digits; milliseconds are kept, finer digits dropped. */
		s++;
		for (n = 0; *s >= '0' && *s <= '9'; s++, n++)
			if (n < 3)
				frac = frac * 10 + (*s - '0');
		if (n < 1 || n > 9)
			return -1;
		for (; n < 3; n++)
			frac *= 10;
	}
	t = days_from_civil(y, mo, d) * MS_PER_DAY +
	    ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + frac;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om))
			return -1;
		if (oh > 23 || om > 59)
			return -1;
		t -= sign * ((int64_t)oh * 3600 + om * 60) * 1000;
	} else {
		return -1;
	}
	if (*s != '\0')
		return -1;
	*ms = t;
	return 0;
}

int
time_parse(const char *s, int64_t *ms)
{
	int64_t t;

	if (time_parse_wide(s, &t) == -1 || t < TIME_MIN || t > TIME_MAX)
		return -1;
	*ms = t;
	return 0;
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int
date_future_everywhere(int y, int m, int d, int64_t now)
{
	/* UTC+14 (Kiribati's Line Islands) is the first zone to reach a day */
	return days_from_civil(y, m, d) >
	    floordiv(now + 14 * 3600000LL, MS_PER_DAY);
}

/* v as exactly n decimal digits at p (0 <= v < 10^n). */
static char *
put_digits(char *p, int v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = '0' + v % 10;
		v /= 10;
	}
	return p + n;
}

/* Digit by digit for the years 0-9999 (every record's time, formatted by
 * each writer and log-show: snprintf was a tenth of an append's own work). */
void
time_format(int64_t ms, char buf[TIME_BUFSZ])
{
	int64_t days = floordiv(ms, MS_PER_DAY), rem = ms - days * MS_PER_DAY;
	int y, m, d;
	char *p = buf;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(buf, TIME_BUFSZ, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    y, m, d, (int)(rem / 3600000), (int)(rem / 60000 % 60),
		    (int)(rem / 1000 % 60), (int)(rem % 1000));
		return;
	}
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (int)(rem / 3600000), 2);
	*p++ = ':';
	p = put_digits(p, (int)(rem / 60000 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (int)(rem / 1000 % 60), 2);
	*p++ = '.';
	p = put_digits(p, (int)(rem % 1000), 3);
	*p++ = 'Z';
	*p = '\0';
}

/* ms in local time, to the minute, the second (sec) or the day (-1):
 * four digits of year always, as every date the tools print (strftime's
 * %Y has no leading zeros: "999-06-01"). */
static void
local_fmt(int64_t ms, int sec, char buf[TIME_BUFSZ])
{
	time_t t = (time_t)floordiv(ms, 1000);
	struct tm tm;
	int n;

	if (localtime_r(&t, &tm) == NULL) {
		time_format(ms, buf);
		return;
	}
	n = snprintf(buf, TIME_BUFSZ, "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	if (sec >= 0)
		n += snprintf(buf + n, TIME_BUFSZ - n, " %02d:%02d", tm.tm_hour,
		    tm.tm_min);
	if (sec > 0)
		snprintf(buf + n, TIME_BUFSZ - n, ":%02d", tm.tm_sec);
}

void
time_format_local(int64_t ms, char buf[TIME_BUFSZ])
{
	local_fmt(ms, 0, buf);
}

void
time_format_local_sec(int64_t ms, char buf[TIME_BUFSZ])
{
	local_fmt(ms, 1, buf);
}

void
time_format_local_day(int64_t ms, char buf[TIME_BUFSZ])
{
	local_fmt(ms, -1, buf);
}
