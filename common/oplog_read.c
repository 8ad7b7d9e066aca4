/*
 * oplog_read.c — the streaming reader of oplog.csv.
 *
 * Invariants: a record is one physical line (no field of the log may hold
 * CR, LF or NUL, jukisec-log(5)), so the reader works line by line with a
 * fixed buffer: memory does not grow with the file, and a line longer than
 * OPLOG_LINE_MAX is an error, not a reallocation.  Any RFC 4180 quoting of
 * the values is accepted (the MAC covers values, not bytes), a CR before the
 * LF is dropped, and the syntax of every field is checked here, so callers
 * see only well-formed records.  Bytes after the last LF (a torn tail) are
 * an error that leaves the offset at the end of the last whole record.
 * This reader, not the general libcsv one, reads the log because it must run
 * at hashing speed on gigabyte logs; the writer's input still goes through
 * csvio.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "csvio.h"
#include "timeutil.h"
#include "oplog_priv.h"

#define RBUFSZ	(256 * 1024)

static const char *const colname[OPLOG_NFIELDS] = {
	"seq", "time", "terminal", "operator", "action", "object", "result",
	"detail", "epoch", "hmac_v1"
};
static const size_t colmax[OPLOG_NFIELDS] = {
	0, 0, OPLOG_ID_MAX, OPLOG_ID_MAX, OPLOG_WORD_MAX, OPLOG_OBJECT_MAX,
	OPLOG_WORD_MAX, OPLOG_DETAIL_MAX, 0, 0
};

struct oplog_reader {
	int		fd;
	const char	*name;
	char		*buf, *scratch;
	size_t		pos, end;	/* unread bytes are buf[pos..end) */
	long long	base;		/* file offset of buf[0] */
	long long	offset;		/* just past the last record returned */
	long long	at;		/* pread(2) from here; -1: read(2) */
	long long	limit;		/* pread(2) no further; -1: to the end */
	size_t		line;		/* lines consumed */
	const char	*cur;		/* the line oplog_reader_line() returned */
	size_t		curlen;
	int		eof, header, copy, headed, io;
	int		after;		/* a header row was just skipped */
	int		format;		/* the last header row's, or 0 */
	int		want;		/* every header row's, once known, or 0 */
	int		single;		/* a header row on line 1 only */
	size_t		torn;		/* bytes after the last LF at the end */
	size_t		errline;
	char		err[192];
	struct oplog_record rec;
};

static _Thread_local char why[192];

/* The CSV value at *pp unquoted into out, or only passed over when out is
 * NULL; its length, *pp left at the comma or the end after it; -1 if it
 * is not RFC 4180. */
static long
value(const char **pp, const char *end, char *out)
{
	const char *p = *pp, *q;
	long n = 0;

	if (p < end && *p == '"') {
		for (p++;; p = q + 2) {
			if ((q = memchr(p, '"', end - p)) == NULL)
				return -1;
			if (out != NULL)
				memcpy(out + n, p, q - p);
			n += q - p;
			if (q + 1 == end || q[1] != '"') {
				p = q + 1;
				break;
			}
			if (out != NULL)
				out[n] = '"';
			n++;
		}
	} else {
		/* Fields are short: one pass copying beats two memchr calls. */
		for (; p < end && *p != ','; p++, n++) {
			if (*p == '"')
				return -1;
			if (out != NULL)
				out[n] = *p;
		}
	}
	*pp = p;
	return n;
}

/* Splits a line into unquoted values, the first max kept; returns the
 * count of them all (a line of more says how many), or -1. */
static int
split(const char *p, size_t len, char *out, char **field, size_t *flen, int max)
{
	const char *end = p + len;
	long l;
	int n;

	for (n = 0;; n++) {
		if ((l = value(&p, end, n < max ? out : NULL)) == -1)
			return -1;
		if (n < max) {
			field[n] = out;
			flen[n] = l;
			out[l] = '\0';
			out += l + 1;
		}
		if (p == end)
			return n + 1;
		if (*p != ',')
			return -1;
		p++;
	}
}

/* 0, or the format whose header row the values are: the MAC column's
 * name says which. */
static int
is_header(char **f, const size_t *len, int n)
{
	int i;

	if (n != OPLOG_NFIELDS)
		return 0;
	for (i = 0; i < OF_MAC; i++)
		if (len[i] != strlen(colname[i]) || memcmp(f[i], colname[i], len[i]))
			return 0;
	if (len[OF_MAC] == 7 && memcmp(f[OF_MAC], "hmac_v1", 7) == 0)
		return 1;
	if (len[OF_MAC] == 7 && memcmp(f[OF_MAC], "gmac_v2", 7) == 0)
		return 2;
	return 0;
}

int
oplog_header_format(const char *p, size_t n)
{
	size_t h = sizeof(OPLOG_HEADER) - 1;

	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n != h)
		return 0;
	if (memcmp(p, OPLOG_HEADER, h) == 0)
		return 1;
	if (memcmp(p, OPLOG_HEADER2, h) == 0)
		return 2;
	return 0;
}

int
oplog_header_values(const char *p, size_t n)
{
	char	 out[OPLOG_HEADER_QMAX + OPLOG_NFIELDS];
	char	*field[OPLOG_NFIELDS];
	size_t	 len[OPLOG_NFIELDS];

	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n > OPLOG_HEADER_QMAX)
		return 0;
	return is_header(field, len, split(p, n, out, field, len, OPLOG_NFIELDS));
}

int
oplog_header_at(int fd, long long at)
{
	char	 buf[OPLOG_HEADER_QMAX + 2];
	const char *lf;
	ssize_t	 got;

	if ((got = pread(fd, buf, sizeof(buf), at)) <= 0 ||
	    (lf = memchr(buf, '\n', (size_t)got)) == NULL)
		return 0;
	return oplog_header_values(buf, (size_t)(lf + 1 - buf));
}

const char *
oplog_header_row(int format)
{
	return format == 2 ? OPLOG_HEADER2 : OPLOG_HEADER;
}

static int
digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* The day of "YYYY-MM-DD" at s, checked: days since 1970-01-01, or -1
 * with *bad set. */
static int64_t
log_day(const char *s, int *bad)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d;

	if (s[4] != '-' || s[7] != '-' ||
	    (y = digits(s, 4)) < 0 || (mo = digits(s + 5, 2)) < 1 || mo > 12 ||
	    (d = digits(s + 8, 2)) < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)))) {
		*bad = 1;
		return -1;
	}
	return days_from_civil(y, mo, d);
}

/* 1 when each byte of w that m has 0xff in is a digit '0'..'9': its high
 * nibble 3, and still 3 with 6 added (no carry leaves a byte whose high
 * nibble is 3, and the first test fails before the second can be wrong). */
static inline int
swar_digits(uint64_t w, uint64_t m)
{
	uint64_t hi = m & 0xf0f0f0f0f0f0f0f0ULL, three = m & 0x3030303030303030ULL;

	return (w & hi) == three && ((w + (m & 0x0606060606060606ULL)) & hi) == three;
}

/* Exactly "YYYY-MM-DDTHH:MM:SS.mmmZ", fields in range: the one spelling
 * time_format() writes, parsed without a round trip (this runs per record).
 * The day is kept per thread: thousands of records in a row share it. */
static int
log_time(const char *s, size_t len, int64_t *ms)
{
	static _Thread_local char date[10];
	static _Thread_local int64_t day;
	uint64_t hms, mmm = 0;
	int h, mi, sec, f, bad = 0;

	if (len != 24 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != '.' || s[23] != 'Z')
		return -1;
	if (memcmp(s, date, sizeof(date)) != 0) {
		int64_t dd = log_day(s, &bad);

		if (bad)
			return -1;
		memcpy(date, s, sizeof(date));
		day = dd;
	}
	/* "HH:MM:SS" and "mmm", eight and four bytes at a time, s[11] and
	 * s[20] the low bytes */
	memcpy(&hms, s + 11, 8);
	memcpy(&mmm, s + 20, 4);
	hms = le64toh(hms);
	mmm = le64toh(mmm);
	if (!swar_digits(hms, 0xffff00ffff00ffffULL) || !swar_digits(mmm, 0x00ffffff))
		return -1;
	/* each byte a digit, ten times it plus the next: no carry */
	hms = (hms & 0xffff00ffff00ffffULL) - 0x3030003030003030ULL;
	hms = hms * 10 + (hms >> 8);
	h = hms & 0xff;
	mi = hms >> 24 & 0xff;
	sec = hms >> 48 & 0xff;
	mmm = (mmm & 0x00ffffff) - 0x00303030;
	f = (mmm & 0xff) * 100 + (mmm >> 8 & 0xff) * 10 + (mmm >> 16 & 0xff);
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	*ms = ((day * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL + f;
	return 0;
}

/* The common case, settled without the UTF-8 decoder: eight bytes at a
 * time, a byte below 0x20 or above 0x7e setting its top bit in bad. */
static int
printable_ascii(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, tops = 0x8080808080808080ULL;
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	uint64_t w, bad;

	for (; e - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		/* < 0x20: w - 0x20 borrows, top bit clear in w; > 0x7e:
		 * w + 1 reaches 0x80, or the top bit is set already. */
		bad = ((w - 0x20 * ones) & ~w) | ((w + ones) | w);
		if (bad & tops)
			return 0;
	}
	for (; p < e; p++)
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	return 1;
}

/* text: each field is known to pass csv_field_problem() but for its
 * length (cut() says so of a line of ASCII with no byte below 0x20, or of
 * UTF-8 it checked). */
static const char *
check(struct oplog_record *r, int text)
{
	const char *p;
	int i;

	for (i = OF_TERMINAL; i <= OF_DETAIL; i++)
		if ((r->len[i] > colmax[i] ||
		    (!text && !printable_ascii(r->field[i], r->len[i]))) &&
		    (p = csv_field_problem(r->field[i], r->len[i], colmax[i], 0)) != NULL) {
			snprintf(why, sizeof(why), _("field %s: %s"), i == OF_MAC &&
			    r->format == 2 ? "gmac_v2" : colname[i], p);
			return why;
		}
	if (oplog_decimal(r->field[OF_SEQ], r->len[OF_SEQ], &r->seq) == -1)
		return _("field seq: not a decimal number");
	if (oplog_decimal(r->field[OF_EPOCH], r->len[OF_EPOCH], &r->epoch) == -1)
		return _("field epoch: not a decimal number");
	if (log_time(r->field[OF_TIME], r->len[OF_TIME], &r->time) == -1)
		return _("field time: not in the form YYYY-MM-DDTHH:MM:SS.mmmZ");
	if (hex_decode(r->field[OF_MAC], r->len[OF_MAC], r->mac, OPLOG_MACLEN) == -1)
		return r->format == 2 ? _("field gmac_v2: not 64 lowercase hex digits") :
		    _("field hmac_v1: not 64 lowercase hex digits");
	return NULL;
}

#ifdef __SSE2__
#include <emmintrin.h>

#define LINE_WORDS	(OPLOG_LINE_MAX / 64 + 1)

/* Bit i of a[] or b[] from p on: its position, or end; the bits from end
 * on are clear. */
static inline size_t
next_of(const uint64_t *a, const uint64_t *b, size_t p, size_t end)
{
	size_t w = p / 64;
	uint64_t m;

	if (p >= end)
		return end;
	for (m = (a[w] | b[w]) & (~0ULL << (p % 64)); m == 0; m = a[w] | b[w])
		if (++w * 64 >= end)
			return end;
	return w * 64 + __builtin_ctzll(m);
}

/* The sixteen-bit mask of the bytes of x equal to ch, in the low bits. */
static inline uint64_t
eq16(__m128i x, char ch)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(ch)));
}

/* The comma and quote bits of the 1 to 63 bytes at p (n of them), in the
 * low bits of *c and *q, sixteen at a time and then the last sixteen of
 * the line (those already seen shifted out), which p + n ends; *lo and
 * *hi keep the least and the greatest byte seen (some twice). */
static inline void
mark_tail(const char *p, size_t n, uint64_t *c, uint64_t *q, __m128i *lo, __m128i *hi)
{
	__m128i x;
	size_t k;

	*c = *q = 0;
	for (k = 0; k + 16 <= n; k += 16) {
		x = _mm_loadu_si128((const __m128i *)(p + k));
		*c |= eq16(x, ',') << k;
		*q |= eq16(x, '"') << k;
		*lo = _mm_min_epu8(*lo, x);
		*hi = _mm_max_epu8(*hi, x);
	}
	if (k < n) {
		x = _mm_loadu_si128((const __m128i *)(p + n - 16));
		*c |= eq16(x, ',') >> (16 - (n - k)) << k;
		*q |= eq16(x, '"') >> (16 - (n - k)) << k;
		*lo = _mm_min_epu8(*lo, x);
		*hi = _mm_max_epu8(*hi, x);
	}
}

/* Sixteen bytes of utf8_common() (those from byte sh on, in the low bits
 * of the masks); *carry: the continuation bytes the last lead bytes still
 * want, from bit 0 of the next sixteen. */
static inline int
utf8_16(const char *p, int sh, unsigned *carry)
{
	__m128i x = _mm_loadu_si128((const __m128i *)p);
	unsigned n = 16 - sh, hi = (unsigned)_mm_movemask_epi8(x) >> sh, cont, l2, l3, want;

	if (hi == 0)
		return *carry == 0;
	/* signed: 0x80..0xbf are -128..-65, c2..df -62..-33, e1..ef -31..-17 */
	cont = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(x, _mm_set1_epi8(-64))) >> sh;
	l2 = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(-63)),
	    _mm_cmplt_epi8(x, _mm_set1_epi8(-32)))) >> sh;
	l3 = (unsigned)_mm_movemask_epi8(_mm_andnot_si128(_mm_cmpeq_epi8(x,
	    _mm_set1_epi8((char)0xed)), _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(-32)),
	    _mm_cmplt_epi8(x, _mm_set1_epi8(-16))))) >> sh;
	want = *carry | l2 << 1 | l3 << 1 | l3 << 2;
	if ((hi & ~(cont | l2 | l3)) != 0 || cont != (want & ((1U << n) - 1)))
		return 0;
	*carry = want >> n;
	return 1;
}

/* 1 when the len (at least 16) bytes at s are valid UTF-8 of ASCII and
 * of the characters whose lead byte alone makes them valid with any
 * continuation bytes: two bytes led by c2..df, three led by e1..ec or
 * ee..ef (no overlong form, surrogate or value beyond U+10FFFF is made
 * so), the Japanese text of a log.  0 says nothing: csv_field_problem()
 * then judges each field.  A value unquoted from such a line is such
 * text too: a quote or comma, ASCII, ends no character. */
static int
utf8_common(const char *s, size_t len)
{
	unsigned carry = 0;
	size_t i;

	for (i = 0; i + 16 <= len; i += 16)
		if (!utf8_16(s + i, 0, &carry))
			return 0;
	if (i < len && !utf8_16(s + len - 16, 16 - (len - i), &carry))
		return 0;
	return carry == 0;
}

/* The fields of a line without quotes, from its comma bits (nw words),
 * cut in place as they are found: 1, or 0 with the line as it was. */
static int
cut_commas(char *line, size_t len, const uint64_t *cm, size_t nw,
    struct oplog_record *rec)
{
	size_t i, e, p = 0;
	uint64_t b;
	int n = 0;

	for (i = 0; i < nw; i++)
		for (b = cm[i]; b != 0; b &= b - 1) {
			if (n == OPLOG_NFIELDS - 1)
				goto undo;
			e = i * 64 + __builtin_ctzll(b);
			rec->field[n] = line + p;
			rec->len[n++] = e - p;
			line[e] = '\0';
			p = e + 1;
		}
	if (n != OPLOG_NFIELDS - 1)
		goto undo;
	rec->field[n] = line + p;
	rec->len[n] = len - p;
	line[len] = '\0';
	return 1;
undo:
	/* each NUL was a comma */
	while (n-- > 0)
		rec->field[n][rec->len[n]] = ',';
	return 0;
}

/* The fields of a line with quotes, from its comma and quote bits:
 * unquoted ones in place, quoted ones unquoted into scratch.  The count of
 * cuts (positions in cuts[] to become NULs), or 0. */
static size_t
cut_quoted(char *line, size_t len, char *scratch, const uint64_t *cm,
    const uint64_t *qm, struct oplog_record *rec, size_t *cuts)
{
	size_t ncut = 0, p = 0, e;
	char *o = scratch;
	int n;

	for (n = 0;; n++) {
		if (n == OPLOG_NFIELDS)
			return 0;
		if (p < len && line[p] == '"') {
			rec->field[n] = o;
			for (p++;;) {
				/* the closing quote, from the quote bits */
				if ((e = next_of(qm, qm, p, len)) == len)
					return 0;
				memcpy(o, line + p, e - p);
				o += e - p;
				p = e + 1;
				if (p < len && line[p] == '"') {
					*o++ = '"';
					p++;
				} else
					break;
			}
			rec->len[n] = o - rec->field[n];
			*o++ = '\0';
		} else {
			/* up to the next comma, with no quote before it */
			e = next_of(cm, qm, p, len);
			if (e < len && line[e] == '"')
				return 0;
			rec->field[n] = line + p;
			rec->len[n] = e - p;
			cuts[ncut++] = e;
			p = e;
		}
		if (p == len)
			break;
		if (line[p] != ',')
			return 0;
		p++;
	}
	return n == OPLOG_NFIELDS - 1 ? ncut : 0;
}

/*
 * A line's fields, its commas and quotes found sixteen bytes at a time,
 * in one pass for the plain line and the quoted one (a third of a real
 * log's) alike: unquoted fields cut in place (line must be writable, with
 * one writable byte after it), quoted ones unquoted into scratch; *text
 * set when each field is known to pass csv_field_problem() but for its
 * length.  1, or 0 (line untouched) for anything unusual, any byte below
 * 0x20 included, which split() then parses or rejects with its own
 * message.
 */
static int
cut(char *line, size_t len, char *scratch, struct oplog_record *rec, int *text)
{
	uint64_t cm[LINE_WORDS], qm[LINE_WORDS], quotes = 0;
	__m128i lo = _mm_set1_epi8(-1), hi = _mm_setzero_si128(), a, b, c, d;
	size_t cuts[OPLOG_NFIELDS], ncut, i, w;
	const size_t nw = (len + 63) / 64;

	if (len < 16 || len > OPLOG_LINE_MAX)
		return 0;
	/* A word of bits per 64 bytes, gathered in registers: words stored
	 * sixteen bits at a time stalled their loads (no store forwarding
	 * from four stores to one load), 6 ns of a 170-byte line. */
	for (i = 0, w = 0; i + 64 <= len; i += 64, w++) {
		a = _mm_loadu_si128((const __m128i *)(line + i));
		b = _mm_loadu_si128((const __m128i *)(line + i + 16));
		c = _mm_loadu_si128((const __m128i *)(line + i + 32));
		d = _mm_loadu_si128((const __m128i *)(line + i + 48));
		cm[w] = eq16(a, ',') | eq16(b, ',') << 16 | eq16(c, ',') << 32 | eq16(d, ',') << 48;
		qm[w] = eq16(a, '"') | eq16(b, '"') << 16 | eq16(c, '"') << 32 | eq16(d, '"') << 48;
		quotes |= qm[w];
		lo = _mm_min_epu8(lo, _mm_min_epu8(_mm_min_epu8(a, b), _mm_min_epu8(c, d)));
		hi = _mm_max_epu8(hi, _mm_max_epu8(_mm_max_epu8(a, b), _mm_max_epu8(c, d)));
	}
	if (i < len) {
		mark_tail(line + i, len - i, &cm[w], &qm[w], &lo, &hi);
		quotes |= qm[w];
	}
	/* A byte below 0x20 (a CR, a NUL, any control byte): the general
	 * path names it or takes it as a value. */
	if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(lo, _mm_set1_epi8(0x1f)), lo)))
		return 0;
	if (quotes == 0) {
		if (!cut_commas(line, len, cm, nw, rec))
			return 0;
	} else {
		if ((ncut = cut_quoted(line, len, scratch, cm, qm, rec, cuts)) == 0)
			return 0;
		for (i = 0; i < ncut; i++)
			line[cuts[i]] = '\0';
	}
	/* No byte below 0x20, so no NUL, CR or LF: ASCII, or UTF-8 of the
	 * common kind, is text in every field. */
	*text = _mm_movemask_epi8(hi) == 0 || utf8_common(line, len);
	return 1;
}
#else
#define ONES	0x0101010101010101ULL
#define LOW7	0x7f7f7f7f7f7f7f7fULL

/* 0x80 in each byte of w equal to the byte in c (c: that byte times ONES),
 * exactly (no borrow from one byte into the next). */
static inline uint64_t
eqmask(uint64_t w, uint64_t c)
{
	uint64_t x = w ^ c;

	return ~(((x & LOW7) + LOW7) | x | LOW7);
}

/* Eight bytes: a bit at 0x80 of each byte that is a comma in *comma, not
 * printable ASCII in *bad; returned, a quote, CR or NUL. */
static inline uint64_t
classify(const char *p, uint64_t *comma, uint64_t *bad)
{
	uint64_t w;

	memcpy(&w, p, 8);
	*comma = eqmask(w, ',' * ONES);
	*bad |= (((w - 0x20 * ONES) & ~w) | ((w + ONES) | w)) & 0x8080808080808080ULL;
	return eqmask(w, '"' * ONES) | eqmask(w, '\r' * ONES) | eqmask(w, 0);
}

/* Without SSE2, only the common line, eight bytes at a time: exactly ten
 * fields, no quote, CR or NUL.  Cuts the fields in place and returns 1,
 * with *text set when every byte is printable ASCII; 0 (line untouched)
 * for any other line, which the general path then parses and, if it must,
 * rejects with its own message. */
static int
cut(char *line, size_t len, char *scratch, struct oplog_record *rec, int *text)
{
	size_t comma[OPLOG_NFIELDS - 1], i, k, n = 0;
	uint64_t m, bad = 0;
	unsigned char c;

	(void)scratch;
	for (i = 0; i + 8 <= len; i += 8) {
		if (classify(line + i, &m, &bad) != 0)
			return 0;
		for (; m != 0; m &= m - 1) {
			if (n == OPLOG_NFIELDS - 1)
				return 0;
			comma[n++] = i + (__builtin_ctzll(m) >> 3);
		}
	}
	for (; i < len; i++) {
		c = line[i];
		if (c == '"' || c == '\r' || c == '\0')
			return 0;
		if (c < 0x20 || c > 0x7e)
			bad = 1;
		if (c == ',') {
			if (n == OPLOG_NFIELDS - 1)
				return 0;
			comma[n++] = i;
		}
	}
	if (n != OPLOG_NFIELDS - 1)
		return 0;
	*text = bad == 0;
	for (i = 0, k = 0; k <= n; k++) {
		size_t e = k < n ? comma[k] : len;

		rec->field[k] = line + i;
		rec->len[k] = e - i;
		line[e] = '\0';
		i = e + 1;
	}
	return 1;
}
#endif

/* Fields of a line without quotes are cut in place (line must be writable,
 * with one writable byte after it); otherwise unquoted into scratch. */
static const char *
parse(const char *line, size_t len, char *scratch, struct oplog_record *rec, int inplace)
{
	char *p, *q, *end;
	int n, text = 0;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (inplace && cut((char *)line, len, scratch, rec, &text))
		return check(rec, text);
	if (memchr(line, '\r', len) != NULL)
		return _("contains a CR");
	if (memchr(line, '\0', len) != NULL)
		return _("contains a NUL byte");
	if (inplace && memchr(line, '"', len) == NULL) {
		p = (char *)line;
		end = p + len;
		/* the fields past the tenth only counted */
		for (n = 0;; n++, p = q + 1) {
			if ((q = memchr(p, ',', end - p)) == NULL)
				q = end;
			if (n < OPLOG_NFIELDS) {
				rec->field[n] = p;
				rec->len[n] = q - p;
				*q = '\0';
			}
			if (q == end)
				break;
		}
		n++;
	} else if ((n = split(line, len, scratch, rec->field, rec->len, OPLOG_NFIELDS)) == -1)
		return _("not valid CSV with 10 fields");
	if (n != OPLOG_NFIELDS) {
		snprintf(why, sizeof(why), P_("%d field, want %d", "%d fields, want %d",
		    (unsigned long)n), n, OPLOG_NFIELDS);
		return why;
	}
	return check(rec, 0);
}

const char *
oplog_parse_line(const char *line, size_t len, char *scratch, struct oplog_record *rec)
{
	return oplog_parse_line_fmt(line, len, scratch, rec, 1);
}

const char *
oplog_parse_line_fmt(const char *line, size_t len, char *scratch, struct oplog_record *rec,
    int format)
{
	rec->format = format;
	return parse(line, len, scratch, rec, 0);
}

struct oplog_reader *
oplog_reader_open(int fd, const char *name)
{
	struct oplog_reader *r = xcalloc(1, sizeof(*r));

	r->fd = fd;
	r->name = name;
	r->buf = xmalloc(RBUFSZ);
	r->scratch = xmalloc(OPLOG_LINE_MAX + 16);
	r->at = r->limit = -1;
	return r;
}

void
oplog_reader_warm(struct oplog_reader *r, long long n)
{
	warm_range(r->buf, n < RBUFSZ ? (size_t)n : RBUFSZ);
	warm_range(r->scratch, OPLOG_LINE_MAX + 16);
}

void
oplog_reader_copy(struct oplog_reader *r)
{
	r->copy = 1;
}

int
oplog_reader_headed(const struct oplog_reader *r)
{
	return r->headed;
}

int
oplog_reader_format(const struct oplog_reader *r)
{
	return r->format;
}

void
oplog_reader_want(struct oplog_reader *r, int format)
{
	r->want = format;
}

void
oplog_reader_single(struct oplog_reader *r)
{
	r->single = 1;
}

void
oplog_reader_seek(struct oplog_reader *r, long long offset)
{
	r->at = r->base = r->offset = offset;
	r->pos = r->end = 0;
	r->eof = 0;
	r->header = 1;
	r->limit = -1;
}

void
oplog_reader_limit(struct oplog_reader *r, long long limit)
{
	r->limit = limit;
}

void
oplog_reader_resume(struct oplog_reader *r, long long offset, size_t line)
{
	oplog_reader_seek(r, offset);
	r->line = line;
	r->headed = 1;
}

static int
fail(struct oplog_reader *r, const char *msg, int io)
{
	snprintf(r->err, sizeof(r->err), "%s", msg);
	r->errline = r->line + 1;
	r->io = io;
	return -1;
}

static int
header_row(struct oplog_reader *r, const char *line, size_t len)
{
	struct oplog_record *rec = &r->rec;
	int f = is_header(rec->field, rec->len, split(line, len && line[len - 1] == '\r' ?
	    len - 1 : len, r->scratch, rec->field, rec->len, OPLOG_NFIELDS));

	if (f) {
		r->format = f;
		if (r->want == 0)
			r->want = f;
	}
	return f != 0;
}

/* A log keeps one format (jukisec-log(5) "Formats"): a header row of the
 * other one is damage where it stands, records after it or not. */
static int
other_format(struct oplog_reader *r)
{
	if (r->format == r->want)
		return 0;
	snprintf(why, sizeof(why), _("a header row of format %d in a log of format %d"),
	    r->format, r->want);
	r->line--;
	return fail(r, why, 0);
}

/* Long: the refill loop; a line, a torn tail or the end, in place. */
int
oplog_reader_line(struct oplog_reader *r, const char **line, size_t *lenp)
{
	char *nl;
	ssize_t n;
	size_t len;

	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
		if (nl == NULL) {
			if (r->eof) {
				if (r->pos == r->end) {
					if (!r->header && !r->copy)
						return fail(r, _("empty file, no header row"), 0);
					return 0;
				}
				snprintf(why, sizeof(why), _("%zu bytes after the last line (torn tail)"),
				    r->end - r->pos);
				r->torn = r->end - r->pos;
				return fail(r, why, 0);
			}
			if (r->end - r->pos > OPLOG_LINE_MAX)
				return fail(r, _("line too long"), 0);
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->base += r->pos;
			r->end -= r->pos;
			r->pos = 0;
			if (r->at >= 0 && r->limit >= 0)
				n = r->at >= r->limit ? 0 : pread(r->fd, r->buf + r->end,
				    RBUFSZ - r->end < (size_t)(r->limit - r->at) ?
				    RBUFSZ - r->end : (size_t)(r->limit - r->at), r->at);
			else if (r->at >= 0)
				n = pread(r->fd, r->buf + r->end, RBUFSZ - r->end, r->at);
			else
				n = read(r->fd, r->buf + r->end, RBUFSZ - r->end);
			if (n == -1) {
				if (errno == EINTR)
					continue;
				return fail(r, strerror(errno), 1);
			}
			if (n == 0)
				r->eof = 1;
			else if (r->at >= 0)
				r->at += n;
			r->end += n;
			continue;
		}
		len = nl - (r->buf + r->pos);
		if (len > OPLOG_LINE_MAX)
			return fail(r, _("line too long"), 0);
		r->cur = r->buf + r->pos;
		r->curlen = len;
		r->rec.line = r->line + 1;
		r->rec.offset = r->base + r->pos;
		r->pos += len + 1;
		r->line++;
		r->offset = r->base + r->pos;
		if (!r->header) {
			/* The first line is the header row; a copy may lack it. */
			r->header = 1;
			if (header_row(r, r->cur, len)) {
				if (other_format(r) == -1)
					return -1;
				r->headed = 1;
				r->after = 1;
				r->offset = r->base + r->pos;
				continue;
			}
			if (!r->copy) {
				r->line--;
				return fail(r, _("missing header row"), 0);
			}
		}
		*line = r->cur;
		*lenp = len;
		return 1;
	}
}

int
oplog_reader_parse(struct oplog_reader *r, struct oplog_record **out)
{
	struct oplog_record *rec = &r->rec;
	const char *why_;
	size_t len = r->curlen;

	rec->raw = r->cur;
	rec->rawlen = len;
	/* Records begin with a digit (or a quote); only other lines can be a
	 * header row, and those are parsed without cutting. */
	rec->cut = len > 0 && r->cur[0] >= '0' && r->cur[0] <= '9';
	rec->format = r->want != 0 ? r->want : r->format;
	if ((why_ = parse(r->cur, len, r->scratch, rec, rec->cut)) != NULL) {
		/* A header row repeated later (concatenated archives) is skipped;
		 * not in the live log, which writers keep as one segment. */
		if (r->single || !header_row(r, r->cur, len)) {
			r->line--;
			return fail(r, rec->line == 1 ? _("missing header row") : why_, 0);
		}
		if (other_format(r) == -1)
			return -1;
		r->offset = r->base + r->pos;
		r->after = 1;
		return 0;
	}
	rec->after_header = r->after;
	r->after = 0;
	r->offset = r->base + r->pos;
	*out = rec;
	return 1;
}

int
oplog_reader_next(struct oplog_reader *r, struct oplog_record **out)
{
	const char *line;
	size_t len;
	int k;

	while ((k = oplog_reader_line(r, &line, &len)) == 1)
		if ((k = oplog_reader_parse(r, out)) != 0)
			return k;
	return k;
}

int
oplog_committed(struct store *st, long long *seq, long long *size, int *open)
{
	struct oplog_heads hs;
	const char *reason;

	/* one that cannot be opened or read is an operational failure; one
	 * read whole that is no head, damage (log-verify's exit 1) */
	if (oplog_heads_read(st, &hs, O_RDONLY, &reason) == -1) {
		jerr_say(st->err, ST_FAIL, "%s/%s: %s", st->dir, OPLOG_HEADFILE,
		    reason);
		return ST_FAIL;
	}
	if ((reason = oplog_heads_pick(&hs)) != NULL) {
		jerr_say(st->err, ST_NO, "%s/%s: %s", st->dir, OPLOG_HEADFILE,
		    reason);
		return ST_NO;
	}
	*seq = hs.h[hs.pick].seq;
	*size = hs.h[hs.pick].size;
	if (open != NULL)
		*open = hs.h[hs.pick].open;
	return ST_OK;
}

void
oplog_record_line(const struct oplog_record *rec, char *out)
{
	char *z, *e = out + rec->rawlen;

	memcpy(out, rec->raw, rec->rawlen);
	/* Cut in place: each NUL was a comma, except one where a final CR
	 * stood. */
	if (rec->cut)
		for (z = out; (z = memchr(z, '\0', e - z)) != NULL; z++)
			*z = z + 1 == e ? '\r' : ',';
}

void
oplog_record_raw(const struct oplog_record *rec, struct buf *b)
{
	oplog_record_line(rec, buf_extend(b, rec->rawlen));
	buf_add(b, "\n", 1);
}

int
oplog_line_field(const char *line, size_t len, int f, const char **val, size_t *vlen)
{
	const char *p = line, *e = line + len, *q;
	int i;

	for (i = 0;; i++) {
		if (p < e && *p == '"')
			return -1;
		if ((q = memchr(p, ',', e - p)) == NULL) {
			if (i != f)
				return -1;
			q = e;
		}
		if (i == f) {
			if (memchr(p, '"', q - p) != NULL)
				return -1;
			*val = p;
			*vlen = q - p;
			return 0;
		}
		p = q + 1;
	}
}

int
oplog_genesis_format(const char *line, size_t len)
{
	const char *v;
	size_t k;

	if (oplog_line_field(line, len, OF_SEQ, &v, &k) == -1 || k != 1 || *v != '0' ||
	    oplog_line_field(line, len, OF_ACTION, &v, &k) == -1 || k != 7 ||
	    memcmp(v, "genesis", 7) != 0 ||
	    oplog_line_field(line, len, OF_DETAIL, &v, &k) == -1 || k < 9 ||
	    memcmp(v, "format=", 7) != 0 || v[8] != ' ')
		return 0;
	return v[7] == '1' ? 1 : v[7] == '2' ? 2 : 0;
}

int
oplog_genesis_schedule(const char *line, size_t len, int64_t *t0, long long *es)
{
	char buf[40];
	const char *v, *errstr;
	size_t k;

	if (oplog_genesis_format(line, len) == 0 ||
	    oplog_line_field(line, len, OF_TIME, &v, &k) == -1 || k >= sizeof(buf))
		return 0;
	memcpy(buf, v, k);
	buf[k] = '\0';
	if (time_parse(buf, t0) == -1 ||
	    oplog_line_field(line, len, OF_DETAIL, &v, &k) == -1 ||
	    k < 23 || k - 23 >= sizeof(buf) || memcmp(v + 9, "epoch_seconds=", 14) != 0)
		return 0;
	memcpy(buf, v + 23, k - 23);
	buf[k - 23] = '\0';
	return parse_decimal(buf, 1, LLONG_MAX, es, &errstr) == 0;
}

const char *
oplog_header_over(int f, const char *line, size_t len)
{
	static _Thread_local char msg[96];
	int g = oplog_genesis_format(line, len);

	if (g == 0 || g == f)
		return NULL;
	snprintf(msg, sizeof(msg), _("a header row of format %d over a genesis record "
	    "of format %d"), f, g);
	return msg;
}

const char *
oplog_reader_error(const struct oplog_reader *r, size_t *line, int *io)
{
	if (line)
		*line = r->errline;
	if (io)
		*io = r->io;
	return r->err;
}

size_t
oplog_reader_torn(const struct oplog_reader *r)
{
	return r->torn;
}

long long
oplog_reader_offset(const struct oplog_reader *r)
{
	return r->offset;
}

size_t
oplog_reader_lines(const struct oplog_reader *r)
{
	return r->line;
}

void
oplog_reader_close(struct oplog_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->scratch);
	free(r);
}
