/*
 * esc.c — the input rule for free text and the escaping of human-readable
 * output (esc.h).
 *
 * Invariants: one classifier (unsafe) decides both what input is refused
 * and what output is escaped, so the two cannot drift apart.  The escaping
 * stream keeps an incomplete UTF-8 sequence at the end of a write for the
 * next one, so a character split between two writes is judged whole; what
 * is left at close is escaped byte by byte.  LF passes everywhere, TAB in
 * output and in multi-line input, but not in a message.  The err(3)/warn(3)
 * family defined here stands in for the C library's in every tool (static
 * linking takes ours), so every message the suite prints is escaped, and
 * one line, whatever it quotes.
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "csvio.h"
#include "esc.h"
#include "conv.h"

/* Length of the UTF-8 sequence at p (n bytes available) and its code
 * point; 0 when p starts an invalid sequence, -1 when it is cut short. */
static int
utf8(const unsigned char *p, size_t n, unsigned *cp)
{
	unsigned c = p[0], min;
	int	 k, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	for (i = 1; i < k; i++) {
		if ((size_t)i >= n)
			return -1;
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return k;
}

size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 i = max;
	unsigned cp;
	int	 k;

	if (len <= max)
		return len;
	/* back over at most 3 continuation bytes to the byte that would
	 * start the character; a stray continuation byte is no character */
	while (i > 0 && max - i < 3 && (p[i] & 0xc0) == 0x80)
		i--;
	if (i == max || p[i] < 0xc2)
		return max;
	k = utf8(p + i, len - i, &cp);
	return k > 0 && i + k > max ? i : max;
}

/* 1 when code point c may not be shown as it is (LF and TAB when
 * lines_ok). */
static int
unsafe(unsigned c, int lines_ok)
{
	if ((c == '\n' || c == '\t') && lines_ok)
		return 0;
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x2028 || c == 0x2029;
}

const char *
text_problem(const char *s, size_t max, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *why;
	size_t	 n = strlen(s);
	unsigned c;
	int	 k;

	if ((why = csv_field_problem(s, n, max, multiline)) != NULL)
		return why;
	while (*p != '\0') {
		k = utf8(p, n, &c);	/* valid: csv_field_problem said so */
		if (c == '\r' && multiline && p[1] == '\n')
			c = '\n';	/* a CRLF line end */
		if (unsafe(c, multiline))
			return _("contains a control character");
		p += k;
		n -= (size_t)k;
	}
	return NULL;
}

size_t
text_blank_span(const char *s, const char *sp)
{
	const char *p = s;

	for (;;) {
		p += strspn(p, sp);
		if (strncmp(p, "\xe3\x80\x80", 3) != 0)
			return (size_t)(p - s);
		p += 3;
	}
}

int
text_blank(const char *s)
{
	return s[text_blank_span(s, " ")] == '\0';
}

/* Appends the escaped form of p[0..n) to b; returns how many bytes were
 * taken (fewer than n only when !final and a sequence is cut short). */
static size_t
esc_add(struct buf *b, const unsigned char *p, size_t n, int final, int flags)
{
	char	 e[16];
	size_t	 i = 0, run = 0;
	unsigned c;
	int	 k;

	/* Characters shown as they are go out in runs: one buf_add each. */
	while (i < n) {
		k = utf8(p + i, n - i, &c);
		if (k == -1 && !final)
			break;
		if (k > 0 && c != '\\' &&
		    !unsafe(c, !(flags & (ESC_LINE | ESC_WORD))) &&
		    !((flags & ESC_WORD) && (c == ' ' || c == '='))) {
			i += (size_t)k;
			continue;
		}
		buf_add(b, p + run, i - run);
		if (k <= 0) {
			snprintf(e, sizeof e, "\\x%02x", p[i]);
			buf_add(b, e, strlen(e));
			i++;
		} else if (c == '\\') {
			buf_add(b, "\\\\", 2);
			i++;
		} else {
			snprintf(e, sizeof e, c < 0x80 ? "\\x%02x" : "\\u%04x", c);
			buf_add(b, e, strlen(e));
			i += (size_t)k;
		}
		run = i;
	}
	buf_add(b, p + run, i - run);
	return i;
}

void
esc_buf(struct buf *b, const char *s, size_t len, int flags)
{
	esc_add(b, (const unsigned char *)s, len, 1, flags);
}

/* s escaped, malloc'd.  Sized for the string shown as it is, the common
 * case: no larger buffer than the text needs (256-byte ones once held 10 MB
 * for the cells of a table of 10,000 rows, a page fault each 4 KiB). */
static char *
esc_dup(const char *s, int flags)
{
	size_t	 n = strlen(s);
	struct buf b = { xmalloc(n + 1), 0, n + 1 };

	esc_add(&b, (const unsigned char *)s, n, 1, flags);
	buf_add(&b, "", 1);
	return b.p;
}

char *
esc_str(const char *s)
{
	return esc_dup(s, 0);
}

struct sink {
	FILE		*to;
	unsigned char	 carry[4];
	size_t		 ncarry;
};

static int
sink_put(struct sink *k, const char *p, size_t n)
{
	return fwrite(p, 1, n, k->to) == n ? 0 : -1;
}

static ssize_t
sink_write(void *cookie, const char *p, size_t n)
{
	struct sink *k = cookie;
	struct buf in = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	size_t	 took;
	int	 r;

	buf_add(&in, k->carry, k->ncarry);
	buf_add(&in, p, n);
	took = esc_add(&out, (const unsigned char *)in.p, in.len, 0, 0);
	k->ncarry = in.len - took;	/* at most 3: a cut sequence */
	memcpy(k->carry, in.p + took, k->ncarry);
	r = out.len ? sink_put(k, out.p, out.len) : 0;
	buf_free(&in);
	buf_free(&out);
	if (r == -1)
		return -1;
	return (ssize_t)n;
}

static int
sink_close(void *cookie)
{
	struct sink *k = cookie;
	struct buf out = { NULL, 0, 0 };
	int	 r = 0;

	esc_add(&out, k->carry, k->ncarry, 1, 0);
	if (out.len)
		r = sink_put(k, out.p, out.len);
	if (r == 0 && fflush(k->to) == EOF)
		r = -1;
	buf_free(&out);
	free(k);
	return r;
}

FILE *
esc_open(FILE *to)
{
	static const cookie_io_functions_t io = { NULL, sink_write, NULL,
	    sink_close };
	struct sink *k = xcalloc(1, sizeof *k);
	FILE	*fp;

	k->to = to;
	if ((fp = fopencookie(k, "w", io)) == NULL)
		err(ST_FAIL, "fopencookie");
	return fp;
}

/* err(3) and warn(3), as the suite uses them, with the message escaped:
 * these definitions take the place of the C library's in every tool.
 * They print on stderr, always: a library function that must not print
 * says its failure to a struct jerr instead (jerr.h).  Only err/errx look
 * at the conversation (conv.h), to jump out of a PAM call. */
static char *
format(const char *fmt, va_list ap)
{
	char	*m;

	jukisec_msg();
	if (fmt == NULL || vasprintf(&m, fmt, ap) == -1)
		m = NULL;
	return m;
}

static void
put(char *m, int e, int with_errno, int had_fmt)
{
	char	*q;

	/* one line whatever it quotes: a path with a line feed in it printed
	 * two, the second looking like a message of its own */
	q = m != NULL ? esc_dup(m, ESC_LINE) : NULL;
	fflush(stdout);
	if (with_errno)
		fprintf(stderr, "%s: %s%s%s\n", program_invocation_short_name,
		    q != NULL ? q : "", q != NULL && had_fmt ? ": " : "",
		    strerror(e));
	else
		fprintf(stderr, "%s: %s\n", program_invocation_short_name,
		    q != NULL ? q : "");
	free(m);
	free(q);
}

static void
say(const char *fmt, va_list ap, int e, int with_errno)
{
	put(format(fmt, ap), e, with_errno, fmt != NULL);
}

/* err's message: to the conversation's bail when there is one (which
 * does not return), else printed; then the exit. */
static void __attribute__((noreturn))
die(int status, const char *fmt, va_list ap, int e, int with_errno)
{
	char	*m = format(fmt, ap), *q = m != NULL ? esc_dup(m, ESC_LINE) : NULL;

	/* a PAM module's syslog line is one line too */
	conv_bail(status, q, with_errno ? e : 0);
	free(q);
	put(m, e, with_errno, fmt != NULL);
	exit(status);
}

void
vwarn(const char *fmt, va_list ap)
{
	say(fmt, ap, errno, 1);
}

void
vwarnx(const char *fmt, va_list ap)
{
	say(fmt, ap, 0, 0);
}

void
warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	say(fmt, ap, errno, 1);
	va_end(ap);
}

void
warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	say(fmt, ap, 0, 0);
	va_end(ap);
}

void
verr(int status, const char *fmt, va_list ap)
{
	die(status, fmt, ap, errno, 1);
}

void
verrx(int status, const char *fmt, va_list ap)
{
	die(status, fmt, ap, 0, 0);
}

void
err(int status, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	die(status, fmt, ap, errno, 1);
}

void
errx(int status, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	die(status, fmt, ap, 0, 0);
}
