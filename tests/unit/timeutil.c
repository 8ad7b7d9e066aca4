/* Unit tests for common/timeutil.c: RFC 3339 round trips, offsets, leap
 * years, invalid dates, the civil-day arithmetic. */
#include <time.h>

#include "jukisec.h"
#include "timeutil.h"
#include "tap.h"

static void
parses_to(const char *s, const char *want)
{
	char buf[TIME_BUFSZ], what[128];
	int64_t t;

	snprintf(what, sizeof(what), "%s -> %s", s, want);
	if (time_parse(s, &t) == -1) {
		ok(0, "%s (did not parse)", what);
		return;
	}
	time_format(t, buf);
	is_str(buf, want, what);
}

static void
rejects(const char *s)
{
	int64_t t = 42;

	ok(time_parse(s, &t) == -1 && t == 42, "rejects \"%s\"", s);
}

int
main(void)
{
	static const char *const invalid[] = {
		"", "2026", "2026-11", "2026-1-01", "26-11-25", "2026-13-01",
		"2026-00-10", "2026-11-00", "2026-11-31", "2026-04-31",
		"2023-02-29", "1900-02-29", "2100-02-29", "0000-01-01",
		"2026-11-25T", "2026-11-25T09:30", "2026-11-25T09:30:00",
		"2026-11-25T24:00:00Z", "2026-11-25T23:60:00Z",
		"2026-11-25T23:59:60Z", "2026-11-25T9:30:00Z",
		"2026-11-25T09:30:00.Z", "2026-11-25T09:30:00.1234567890Z",
		"2026-11-25T09:30:00+09", "2026-11-25T09:30:00+0900",
		"2026-11-25T09:30:00+24:00", "2026-11-25T09:30:00+09:60",
		"2026-11-25T09:30:00Zjunk", " 2026-11-25", "2026-11-25 ",
		"2026-11-25 09:30:00Z", "2026-11-25T09:30:00.12a3Z",
		"+2026-11-25", "2026-11-25T09:30:00.123ZZ",
		/* outside 0001-9999 once the offset is applied (SPEC) */
		"0001-01-01T00:00:00+01:00", "0001-01-01T00:59:59.999+01:00",
		"9999-12-31T23:30:00-01:00", "9999-12-31T23:59:59.999-00:01",
	};
	char buf[TIME_BUFSZ];
	int64_t t, d, maxbad = 0;
	int y, m, dd, i;
	size_t k;

	parses_to("2026-11-25T09:30:00.123Z", "2026-11-25T09:30:00.123Z");
	parses_to("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z");
	parses_to("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z");
	parses_to("2026-11-25T18:30:00.123+09:00", "2026-11-25T09:30:00.123Z");
	parses_to("2026-11-25T04:00:00-05:30", "2026-11-25T09:30:00.000Z");
	parses_to("2026-11-25T09:30:00-00:00", "2026-11-25T09:30:00.000Z");
	parses_to("2026-01-01T08:00:00+09:00", "2025-12-31T23:00:00.000Z");
	parses_to("2026-11-25t09:30:00.5z", "2026-11-25T09:30:00.500Z");
	parses_to("2026-11-25T09:30:00.12Z", "2026-11-25T09:30:00.120Z");
	parses_to("2026-11-25T09:30:00.123999999Z", "2026-11-25T09:30:00.123Z");
	parses_to("2024-02-29", "2024-02-29T00:00:00.000Z");
	parses_to("2000-02-29T12:00:00Z", "2000-02-29T12:00:00.000Z");
	parses_to("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z");
	parses_to("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z");
	parses_to("0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00.000Z");
	parses_to("9999-12-31T22:59:59.999-01:00", "9999-12-31T23:59:59.999Z");
	ok(time_parse("0001-01-01T00:00:00Z", &t) == 0 && t == TIME_MIN,
	    "0001-01-01T00:00:00Z is TIME_MIN");
	ok(time_parse("9999-12-31T23:59:59.999Z", &t) == 0 && t == TIME_MAX,
	    "9999-12-31T23:59:59.999Z is TIME_MAX");
	for (k = 0; k < sizeof(invalid) / sizeof(invalid[0]); k++)
		rejects(invalid[k]);

	ok(time_parse("1970-01-01T00:00:00.001Z", &t) == 0 && t == 1, "epoch + 1 ms is 1");
	ok(time_parse("2026-11-25T09:30:00.123Z", &t) == 0 && t == 1795599000123LL,
	    "2026-11-25T09:30:00.123Z is 1795599000123");
	time_format(-1, buf);
	is_str(buf, "1969-12-31T23:59:59.999Z", "formats -1 ms");

	ok(date_parse("2024-02-29", &y, &m, &dd) == 0 && y == 2024 && m == 2 && dd == 29,
	    "date_parse leap day");
	ok(date_parse("2025-02-29", &y, &m, &dd) == -1, "date_parse: 2025 is not a leap year");
	ok(date_parse("2024-02-29T00:00:00Z", &y, &m, &dd) == -1, "date_parse: date only");

	/* Round trips over ±1000 years of days, and a stretch of ms. */
	for (d = -365243; d <= 365243; d += 7) {
		civil_from_days(d, &y, &m, &dd);
		if (days_from_civil(y, m, dd) != d)
			maxbad++;
	}
	is_num(maxbad, 0, "civil_from_days/days_from_civil round trip, 1000 years each way");
	is_num(days_from_civil(1970, 1, 1), 0, "1970-01-01 is day 0");
	is_num(days_from_civil(2000, 3, 1), 11017, "2000-03-01 is day 11017");
	maxbad = 0;
	for (t = -86400000LL * 3; t < 86400000LL * 800; t += 86400000LL / 7 + 13) {
		int64_t back;

		time_format(t, buf);
		if (time_parse(buf, &back) == -1 || back != t)
			maxbad++;
	}
	is_num(maxbad, 0, "time_format/time_parse round trip over two years");
	/* Digit by digit, as gmtime(3) and printf would write it, years 0-9999
	 * and beyond (the printf path). */
	maxbad = 0;
	for (t = -62167219200000LL - 86400000LL * 400; t < 253402300800000LL + 86400000LL * 400;
	    t += 86400000LL * 37 + 3600000LL * 5 + 60000LL * 7 + 1234) {
		time_t sec = (time_t)(t >= 0 ? t / 1000 : (t - 999) / 1000);
		struct tm tm;
		char want[64];

		gmtime_r(&sec, &tm);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, (int)(t - (int64_t)sec * 1000));
		time_format(t, buf);
		if (strcmp(buf, want) != 0 && maxbad++ == 0)
			printf("# %s, want %s\n", buf, want);
	}
	is_num(maxbad, 0, "time_format as gmtime and printf, years -400 to 10400");
	for (i = 1; i <= 12; i++) {
		civil_from_days(days_from_civil(2024, i, 1) - 1, &y, &m, &dd);
		if (i == 3)
			ok(m == 2 && dd == 29, "the day before 2024-03-01 is Feb 29");
	}

	setenv("TZ", "JST-9", 1);
	tzset();
	ok(time_parse("2026-11-25T09:30:00Z", &t) == 0, "parse for local");
	time_format_local(t, buf);
	is_str(buf, "2026-11-25 18:30", "time_format_local honours TZ");

	t = time_now_ms();
	ok(t > 1700000000000LL && t < 32503680000000LL, "time_now_ms is plausible");
	return tap_done();
}
