/*
 * fuzz/time_parse.c — libFuzzer harness for time_parse/date_parse.
 *
 * Asserts: a parsed time formats to text that parses back to the same
 * instant (when the UTC year stays within 0001-9999), date_parse agrees with
 * time_parse on date-only input, and a rejected input leaves *ms alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "timeutil.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, buf[TIME_BUFSZ];
	int64_t t = 12345, back;
	int y, m, d;

	if (size > 64)
		return 0;
	s = xstrndup((const char *)data, size);
	if (time_parse(s, &t) == 0) {
		time_format(t, buf);
		if (strlen(buf) == 24 && strncmp(buf, "0000", 4) != 0 &&
		    (time_parse(buf, &back) != 0 || back != t))
			abort();
	} else if (t != 12345) {
		abort();
	}
	if (date_parse(s, &y, &m, &d) == 0) {
		if (time_parse(s, &t) != 0 || t != days_from_civil(y, m, d) * 86400000LL)
			abort();
	}
	free(s);
	return 0;
}
