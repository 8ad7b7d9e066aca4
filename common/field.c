/*
 * field.c — the one rule every field of the state's CSV files obeys,
 * checked on what goes in (field.h csv_field_problem): valid UTF-8, no NUL,
 * no line break unless multi-line, at most a given length.  Pure: it calls
 * nothing of the suite, so esc.c's text rule can build on it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jukisec.h"
#include "field.h"

/* 1 when the 8 bytes at p need no look one by one: ASCII, no NUL, and
 * no CR or LF unless multiline (SWAR: a byte b is zero iff (b - 1) & ~b
 * has its high bit, over all 8 at once). */
static int
plain8(const unsigned char *p, int multiline)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t w, lf, cr, zero;

	memcpy(&w, p, sizeof(w));
	zero = (w - ones) & ~w;
	if (!multiline) {
		lf = w ^ '\n' * ones;
		cr = w ^ '\r' * ones;
		zero |= ((lf - ones) & ~lf) | ((cr - ones) & ~cr);
	}
	return ((w | zero) & high) == 0;
}

const char *
csv_field_problem(const char *s, size_t len, size_t max, int multiline)
{
	static _Thread_local char toolong[64];
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	unsigned int c, min;
	int n;

	if (len > max) {
		snprintf(toolong, sizeof(toolong), _("longer than %zu bytes"), max);
		return toolong;
	}
	while (p < e) {
		if (e - p >= 8 && plain8(p, multiline)) {
			p += 8;
			continue;
		}
		c = *p;
		if (c < 0x80) {
			if (c == 0)
				return _("contains a NUL byte");
			if ((c == '\n' || c == '\r') && !multiline)
				return _("contains a line break");
			p++;
			continue;
		}
		/* Three bytes led by E1..EC or EE..EF (kana and kanji): any
		 * continuation bytes make a valid character, neither overlong
		 * nor a surrogate (those need E0 or ED). */
		if (c >= 0xe1 && c <= 0xef && c != 0xed && e - p > 2 &&
		    (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
			p += 3;
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
