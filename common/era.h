/*
 * era.h — Japanese era dates (和暦) from civil (Gregorian) dates, for the
 * reports people read: 令和元年5月1日, 令和8年11月25日.
 *
 * Invariants: an era begins on its official first day (明治 1868-10-23,
 * 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01) and
 * its first year is year 1 (元年 in the ERA_GANNEN style).  The last era in
 * the table is open-ended.  Dates before 明治 have no era here: the calls
 * answer -1 and the caller prints the Gregorian date.  No allocation; only
 * era_local_tm() and era_when() read the local time zone.  The one place
 * a date, and its time zone (era_zone()), is written for people: the 報告書, the compliance report and the
 * register's form all call era_day() or era_when(), and a fiscal year
 * era_fiscal().
 */
#ifndef ERA_H
#define ERA_H

#include <stddef.h>
#include <stdint.h>

struct tm;

struct era {
	const char	*name;		/* 令和 */
	const char	*roman;		/* Reiwa */
	char		letter;		/* 'R', as in R8.11.25 */
	int		y, m, d;	/* first day, Gregorian */
};

enum era_style {
	ERA_GANNEN,	/* 令和元年5月1日 (first year written 元年) */
	ERA_NUMERIC,	/* 令和1年5月1日 */
	ERA_LETTER	/* R1.05.01 */
};

/* The era containing y-m-d and the year within it (1-based), or NULL
 * before 明治 or for an invalid date. */
const struct era *era_lookup(int y, int m, int d, int *eyear);

/* Writes the date in the given style; 0, or -1 (no era, invalid date, or
 * buf too small; buf then holds "" when len > 0). */
int	era_format_style(int y, int m, int d, enum era_style, char *buf, size_t len);

/* era_format_style(..., ERA_GANNEN, ...). */
int	era_format(int y, int m, int d, char *buf, size_t len);

/* A day for people: 和暦 (ERA_GANNEN) when ja, else, or before 明治,
 * YYYY-MM-DD. */
void	era_day(int y, int m, int d, int ja, char *buf, size_t len);

/* A fiscal year (年度, April to March) for people: when ja, named as its
 * calendar year is at that year's end, 元 for year 1 (2019, which began
 * in 平成31年, is 令和元年度; 1989 平成元年度), or "1867年度" before
 * 明治; else "fiscal year 2019". */
void	era_fiscal(int fy, int ja, char *buf, size_t len);

/* The local broken-down time of ms since the epoch (floored); 0 when the
 * time cannot be represented. */
int	era_local_tm(int64_t ms, struct tm *);

/* The time a document is dated: its zone, named once at the document's
 * head, is the one era_when() leaves unnamed. */
void	era_reference(int64_t ms);

/* The local day of ms for people (era_day), with " HH:MM" when
 * with_time, then the zone of ms (era_zone: " EDT", "(協定世界時-4時間)")
 * when its offset from UTC is not that of the time era_reference() was
 * given (summer time); "?" when it cannot be represented. */
void	era_when(int64_t ms, int ja, int with_time, char *buf, size_t len);

/* The time zone of a local tm for people: its abbreviation when !ja
 * ("JST", "ChST"), but UTC for any at UTC's offset other than UTC, GMT
 * and WET (a TZ the system does not have is UTC to the C library, named
 * by a word of TZ: "Asia", "JST"), and UTC and the offset when it has
 * none or takes one of those three at another offset ("UTC+9" of
 * TZ=UTC-9); in Japanese, words and never the abbreviation (issue 14):
 * 協定世界時 for an offset of 0, 日本標準時 for JST, else the offset from
 * UTC, 協定世界時+9時間, 協定世界時-3時間30分. */
void	era_zone(const struct tm *, int ja, char *buf, size_t len);

#endif
