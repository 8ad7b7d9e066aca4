/*
 * era.c — civil date to Japanese era.  Invariants in era.h: official first
 * days, year 1 = 元年, nothing before 明治.  The table is in order; a new
 * era is one more row at the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "era.h"

static const struct era eras[] = {
	{ "明治", "Meiji",  'M', 1868, 10, 23 },
	{ "大正", "Taisho", 'T', 1912,  7, 30 },
	{ "昭和", "Showa",  'S', 1926, 12, 25 },
	{ "平成", "Heisei", 'H', 1989,  1,  8 },
	{ "令和", "Reiwa",  'R', 2019,  5,  1 },
};
#define NERAS (sizeof(eras) / sizeof(eras[0]))

static int
valid_date(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap, n;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	n = mdays[m - 1] + (m == 2 && leap);
	return d <= n;
}

const struct era *
era_lookup(int y, int m, int d, int *eyear)
{
	long key = (long)y * 10000 + m * 100 + d;
	size_t i;

	if (!valid_date(y, m, d))
		return NULL;
	for (i = NERAS; i-- > 0;) {
		const struct era *e = &eras[i];

		if (key >= (long)e->y * 10000 + e->m * 100 + e->d) {
			if (eyear != NULL)
				*eyear = y - e->y + 1;
			return e;
		}
	}
	return NULL;
}

int
era_format_style(int y, int m, int d, enum era_style style, char *buf, size_t len)
{
	const struct era *e;
	int ey, n;

	if (len > 0)
		buf[0] = '\0';
	if ((e = era_lookup(y, m, d, &ey)) == NULL)
		return -1;
	switch (style) {
	case ERA_GANNEN:
		if (ey == 1)
			n = snprintf(buf, len, "%s元年%d月%d日", e->name, m, d);
		else
			n = snprintf(buf, len, "%s%d年%d月%d日", e->name, ey, m, d);
		break;
	case ERA_NUMERIC:
		n = snprintf(buf, len, "%s%d年%d月%d日", e->name, ey, m, d);
		break;
	case ERA_LETTER:
		n = snprintf(buf, len, "%c%d.%02d.%02d", e->letter, ey, m, d);
		break;
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

int
era_format(int y, int m, int d, char *buf, size_t len)
{
	return era_format_style(y, m, d, ERA_GANNEN, buf, len);
}

void
era_day(int y, int m, int d, int ja, char *buf, size_t len)
{
	if (!ja || era_format(y, m, d, buf, len) == -1)
		snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

void
era_fiscal(int fy, int ja, char *buf, size_t len)
{
	const struct era *e;
	int ey;

	/* The era of the year's last day: 令和 for all of 2019. */
	if (!ja)
		snprintf(buf, len, "fiscal year %d", fy);
	else if ((e = era_lookup(fy, 12, 31, &ey)) == NULL)
		snprintf(buf, len, "%d年度", fy);
	else if (ey == 1)
		snprintf(buf, len, "%s元年度", e->name);
	else
		snprintf(buf, len, "%s%d年度", e->name, ey);
}

int
era_local_tm(int64_t ms, struct tm *tm)
{
	time_t	 s = (time_t)((ms >= 0 ? ms : ms - 999) / 1000);

	return localtime_r(&s, tm) != NULL;
}

/* The UTC offset of the time a document is dated, whose zone it names
 * once at its head (era_reference). */
static int	 ref_set;
static long	 ref_off;

void
era_reference(int64_t ms)
{
	struct tm tm;

	if ((ref_set = era_local_tm(ms, &tm)))
		ref_off = tm.tm_gmtoff;
}

void
era_when(int64_t ms, int ja, int with_time, char *buf, size_t len)
{
	struct tm tm;
	char	 d[48], zone[64], z[68] = "";

	if (!era_local_tm(ms, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	era_day(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, ja, d, sizeof(d));
	if (with_time && ref_set && tm.tm_gmtoff != ref_off) {
		era_zone(&tm, ja, zone, sizeof(zone));
		snprintf(z, sizeof(z), ja ? "(%s)" : " %s", zone);
	}
	if (with_time)
		snprintf(buf, len, "%s %02d:%02d%s", d, tm.tm_hour, tm.tm_min, z);
	else
		snprintf(buf, len, "%s", d);
}

/* The abbreviation of a zone to print in English, or NULL for none.  A
 * TZ the C library could not load is UTC, but leaves as its name a word
 * of TZ, whatever its spelling ("Asia" of Asia/Tokio, "JST" of a bare
 * JST, "nonsense") or nothing: at UTC's offset only the tz database's
 * own names for it are taken, and those names are taken at no other
 * (TZ=UTC-9 is Japan's offset under UTC's name: "UTC+9"). */
static const char *
abbreviation(const struct tm *tm)
{
	static const char *const utc[] = { "UTC", "GMT", "WET" };
	const char *z = tm->tm_zone;
	size_t i;

	if (z == NULL || *z == '\0')
		return NULL;
	for (i = 0; i < sizeof(utc) / sizeof(utc[0]); i++)
		if (strcmp(z, utc[i]) == 0)
			return tm->tm_gmtoff == 0 ? z : NULL;
	return tm->tm_gmtoff != 0 ? z : NULL;
}

void
era_zone(const struct tm *tm, int ja, char *buf, size_t len)
{
	long	 off = tm->tm_gmtoff, h, m;
	const char *z = ja ? NULL : abbreviation(tm);

	if (z != NULL) {
		snprintf(buf, len, "%s", z);
		return;
	}
	h = (off < 0 ? -off : off) / 3600;
	m = (off < 0 ? -off : off) % 3600 / 60;
	if (!ja) {
		if (off == 0)
			snprintf(buf, len, "UTC");
		else if (m != 0)
			snprintf(buf, len, "UTC%c%ld:%02ld", off < 0 ? '-' : '+', h, m);
		else
			snprintf(buf, len, "UTC%c%ld", off < 0 ? '-' : '+', h);
		return;
	}
	if (off == 0) {
		snprintf(buf, len, "協定世界時");
		return;
	}
	if (off == 9 * 3600 && tm->tm_zone != NULL &&
	    strcmp(tm->tm_zone, "JST") == 0) {
		snprintf(buf, len, "日本標準時");
		return;
	}
	if (m != 0)
		snprintf(buf, len, "協定世界時%c%ld時間%ld分", off < 0 ? '-' : '+',
		    h, m);
	else
		snprintf(buf, len, "協定世界時%c%ld時間", off < 0 ? '-' : '+', h);
}
