/*
 * text.c — display width, terminal escaping and JSON strings (text.h).
 *
 * Invariants: input is UTF-8 (the log and the register refuse anything
 * else); text_escape is esc.h's escaping in its one-line form: no byte
 * that a terminal acts on (C0, DEL, C1, bidi overrides, line separators)
 * and reversible; json_add_string escapes
 * exactly what RFC 8259 requires plus DEL, and passes other UTF-8 through.
 * Display width is wcwidth's, under the locale (text_width) or under
 * C.UTF-8 (text_width_utf8, for documents printed in Japanese whatever
 * the locale): one algorithm.
 */
#include <locale.h>
#include <string.h>
#include <wchar.h>

#include "jukisec.h"
#include "csvio.h"
#include "esc.h"
#include "text.h"

void
json_put_string(FILE *fp, const char *s)
{
	struct buf b = { 0 };

	json_add_string(&b, s, strlen(s));
	fwrite(b.p, 1, b.len, fp);
	buf_free(&b);
}

size_t
text_width(const char *s)
{
	mbstate_t ps;
	wchar_t	 wc;
	size_t	 n, w = 0, len = strlen(s);
	int	 k;

	memset(&ps, 0, sizeof ps);
	while (len > 0) {
		if ((unsigned char)*s < 0x80) {		/* ASCII: one column */
			w++;
			s++;
			len--;
			continue;
		}
		n = mbrtowc(&wc, s, len, &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&ps, 0, sizeof ps);
			n = 1;
			k = 1;
		} else if ((k = wcwidth(wc)) < 0)
			k = 1;
		if (n == 0)
			n = 1;
		w += (size_t)k;
		s += n;
		len -= n;
	}
	return w;
}

void
text_escape(struct buf *b, const char *s, size_t len)
{
	esc_buf(b, s, len, ESC_LINE);	/* the suite's one escaping (esc.h) */
}

void
json_add_string(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const char *p = s, *e = s + len, *run = s;
	char u[6] = { '\\', 'u', '0', '0', 0, 0 };
	unsigned char c;

	buf_add(b, "\"", 1);
	for (; p < e; p++) {
		c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		buf_add(b, run, p - run);
		run = p + 1;
		if (c == '"' || c == '\\') {
			u[4] = '\\';
			u[5] = (char)c;
			buf_add(b, u + 4, 2);
		} else if (c == '\n') {
			buf_add(b, "\\n", 2);
		} else if (c == '\t') {
			buf_add(b, "\\t", 2);
		} else {
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			buf_add(b, u, 6);
		}
	}
	buf_add(b, run, e - run);
	buf_add(b, "\"", 1);
}

/* text_width() under C.UTF-8, whatever the process's locale: one
 * algorithm (wcwidth) for both.  The locale object is made once per
 * thread and kept. */
size_t
text_width_utf8(const char *s)
{
	static _Thread_local locale_t utf8;
	locale_t old;
	size_t	 w;

	if (utf8 == (locale_t)0)
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8 == (locale_t)0)
		return text_width(s);
	old = uselocale(utf8);
	w = text_width(s);
	uselocale(old);
	return w;
}
