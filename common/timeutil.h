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

/* Current time from clock_gettime(CLOCK_REALTIME). */
int64_t	time_now_ms(void);

/* Accepts RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fff]Z" or with a "+hh:mm"/"-hh:mm"
 * offset, and (for dates) "YYYY-MM-DD" meaning 00:00:00 UTC.  Field ranges
 * are checked (Feb 30 is an error).  0 ok, -1 invalid. */
int	time_parse(const char *, int64_t *ms);

/* Strictly "YYYY-MM-DD", range checked; 0 or -1. */
int	date_parse(const char *, int *y, int *m, int *d);

/* Formats as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void	time_format(int64_t ms, char buf[TIME_BUFSZ]);

/* Formats in local time for people: "YYYY-MM-DD HH:MM" (TZ honoured);
 * _sec with seconds, for the operation history. */
void	time_format_local(int64_t ms, char buf[TIME_BUFSZ]);
void	time_format_local_sec(int64_t ms, char buf[TIME_BUFSZ]);

/* Days from civil date and back (proleptic Gregorian), for retention and eras. */
int64_t	days_from_civil(int y, int m, int d);
void	civil_from_days(int64_t days, int *y, int *m, int *d);

#endif
