/*
 * timeutil.h — time as the suite stores it: int64 milliseconds since the
 * Unix epoch, UTC, written as RFC 3339 with milliseconds
 * ("2026-11-25T09:30:00.123Z").  The time of a decision comes from
 * clock.h; a read-only tool's --now goes through time_parse there.
 */
#ifndef TIMEUTIL_H
#define TIMEUTIL_H

#include <stdint.h>

#define TIME_BUFSZ 32
/* "No time": an empty field.  Never 0, which is a time like any other
 * (1970-01-01T00:00:00.000Z, where a clock with a dead battery starts). */
#define TIME_NONE INT64_MIN

/* Every time the suite reads or writes lies in 0001-01-01T00:00:00.000Z
 * ... 9999-12-31T23:59:59.999Z (SPEC), so its text is always 4-digit years
 * and reads back. */
#define TIME_MIN	(-62135596800000LL)	/* 0001-01-01T00:00:00.000Z */
#define TIME_MAX	(253402300799999LL)	/* 9999-12-31T23:59:59.999Z */
/* Milliseconds in a day of UTC (no leap second, jukisec-log(5)). */
#define MS_PER_DAY	86400000LL

/* Current time from clock_gettime(CLOCK_REALTIME), raised to TIME_MIN (a
 * decision raises it further, clock.h); a clock past TIME_MAX is fatal
 * (ST_FAIL), since no time after it can be written. */
int64_t	time_now_ms(void);

/* Accepts RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fff]Z" or with a "+hh:mm"/"-hh:mm"
 * offset, and (for dates) "YYYY-MM-DD" meaning 00:00:00 UTC.  Field ranges
 * are checked (Feb 30 is an error), and the instant, after its offset, must
 * lie in TIME_MIN..TIME_MAX.  0 ok, -1 invalid. */
int	time_parse(const char *, int64_t *ms);
/* time_parse() without its range check: the written date is in the years
 * 0001-9999, its instant up to a day outside them (9999-12-31T23:00-01:00),
 * for a bound of a filter that then stands for no bound (log-show). */
int	time_parse_wide(const char *, int64_t *ms);
/* A time a person gives on the command line (--now, --occurred ...): an
 * RFC 3339 date and time, time_parse() without its bare date, which is
 * not a time (a date people type is a local calendar day, never UTC
 * midnight: SPEC). */
int	time_arg(const char *, int64_t *ms);

/* Strictly "YYYY-MM-DD", range checked; 0 or -1. */
int	date_parse(const char *, int *y, int *m, int *d);

/* Local wall-clock time y-mo-d h:mi to UTC milliseconds (TZ from the
 * environment; a day past the month's end, a time in a gap, normalised):
 * the earliest instant that reads as it.  0, or -1. */
int	local_wall_ms(int y, int mo, int d, int h, int mi, int64_t *ms);
/* The first instant after the local calendar day y-m-d (its next local
 * midnight, TZ from the environment, as people read dates): the end of a
 * day of authority.  0, or -1 when it falls outside TIME_MIN..TIME_MAX. */
int	local_date_end(int y, int m, int d, int64_t *ms);

/* 1 when the local calendar day y-m-d is after the day of now: its local
 * midnight (the end of the day before) lies after now; else 0.  The one
 * rule for "a date in the future", so that jukisec-audit never FAILs a
 * date operator-add or operator-mod accepted at the same time. */
int	local_date_future(int y, int m, int d, int64_t now);
/* 1 when the calendar day y-m-d has not begun in any zone at now: it is
 * after the day of now at UTC+14, the first zone to reach a day.  A date
 * no operator-add anywhere wrote at now (the gate's judgement of a hand
 * edit, which a manager's zone east of the gate's must not meet). */
int	date_future_everywhere(int y, int m, int d, int64_t now);

/* Formats as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void	time_format(int64_t ms, char buf[TIME_BUFSZ]);

/* Formats in local time for people: "YYYY-MM-DD HH:MM" (TZ honoured);
 * _sec with seconds, for the operation history. */
void	time_format_local(int64_t ms, char buf[TIME_BUFSZ]);
void	time_format_local_sec(int64_t ms, char buf[TIME_BUFSZ]);
/* The local day of ms, "YYYY-MM-DD". */
void	time_format_local_day(int64_t ms, char buf[TIME_BUFSZ]);

/* Days from civil date and back (proleptic Gregorian), for retention and eras. */
int64_t	days_from_civil(int y, int m, int d);
void	civil_from_days(int64_t days, int *y, int *m, int *d);

#endif
