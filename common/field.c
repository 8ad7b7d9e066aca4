/*
 * field.c — the one rule every field of the state's CSV files obeys,
 * checked on what goes in (csvio.h csv_field_problem): valid UTF-8, no NUL,
 * no line break unless multi-line, at most a given length.  Pure: it calls
 * nothing of the suite, so esc.c's text rule can build on it.
 */
#include <stdio.h>
#include <string.h>

#include "jukisec.h"
#include "csvio.h"

const char *
csv_field_problem(const char *s, size_t len, size_t max, int multiline)
{
	static char toolong[64];
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	unsigned int c, min;
	int n;

	if (len > max) {
		snprintf(toolong, sizeof(toolong), _("longer than %zu bytes"), max);
		return toolong;
	}
	while (p < e) {
		c = *p;
		if (c < 0x80) {
			if (c == 0)
				return _("contains a NUL byte");
			if ((c == '\n' || c == '\r') && !multiline)
				return _("contains a line break");
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07, min = 0x10000;
		else
			return _("invalid UTF-8");
		if (e - p <= n)
			return _("invalid UTF-8");
		for (p++; n > 0; n--, p++) {
			if ((*p & 0xc0) != 0x80)
				return _("invalid UTF-8");
			c = c << 6 | (*p & 0x3f);
		}
		/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
		if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return _("invalid UTF-8");
	}
	return NULL;
}
