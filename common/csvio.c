/*
 * csvio.c — strict RFC 4180 reading and minimal-quoting writing on libcsv.
 *
 * How the reader keeps its promises (csvio.h):
 *  - Input is read in 64 KiB chunks and handed to libcsv one physical line
 *    at a time (a line longer than the chunk goes in pieces), so every
 *    libcsv event belongs to a known line and at most one record ends per
 *    call.  libcsv runs with CSV_STRICT|CSV_STRICT_FINI|CSV_APPEND_NULL and
 *    CSV_REPALL_NL, so each unquoted CR and LF is an event: a CR must be
 *    followed at once by LF, and an empty line is an error, not skipped.
 *    A record ended by CR is judged at the next event: an LF makes CRLF,
 *    a line end; anything else makes the CR a line break inside the field
 *    it ended, named as a quoted one would be.
 *  - libcsv's default trimming of blanks around unquoted fields is turned
 *    off: a field is exactly its bytes.
 *  - Memory is bounded by ncols * maxfield plus one chunk: a field grows
 *    past maxfield, or a record past ncols fields, and the reader stops.
 *  - The first error is reported once, "FILE:LINE: field NAME: reason",
 *    with LINE the physical line where the record starts; after it the
 *    reader returns -1 forever.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "jukisec.h"
#include "csvio.h"
#include "jerr.h"

#define CHUNK	65536

struct csv_reader {
	FILE		*fp;
	const char	*filename;
	const char *const *cols;
	size_t		ncols;
	unsigned long	multiline;
	int		header;
	size_t		maxfield;
	const size_t	*colmax;	/* NULL, or each column's limit */
	int		row_errors;	/* csvr_row_errors */

	struct csv_parser parser;
	char		*chunk;
	size_t		chunk_pos, chunk_len;
	int		eof;

	struct csv_record rec;
	size_t		*cap;		/* allocated size of each rec.field[i] */
	size_t		nfields;	/* fields of the record being built */
	size_t		line;		/* physical line being fed, 1-based */
	size_t		rec_line;	/* where the record being built starts */
	int		in_record;
	int		after_cr;	/* the last event was an unquoted CR */
	int		complete;	/* rec holds a finished record */
	long long	fed;		/* bytes handed to libcsv */
	long long	offset;		/* just past the last returned record */
	int		failed, ioerror, nolineend;
	struct jerr	*err;		/* NULL: stderr */
};

static const char *
col_name(const struct csv_reader *r, size_t i)
{
	return i < r->ncols ? r->cols[i] : "?";
}

static void
fail(struct csv_reader *r, size_t field, const char *reason)
{
	if (r->failed)
		return;
	r->failed = 1;
	if (field == (size_t)-1)
		jerr_say_at(r->err, ST_FAIL, r->rec_line, JERR_FORM,
		    "%s:%zu: %s", r->filename, r->rec_line, reason);
	else
		jerr_say_at(r->err, ST_FAIL, r->rec_line, JERR_FORM,
		    _("%s:%zu: field %s: %s"), r->filename, r->rec_line,
		    col_name(r, field), reason);
}

/* A CR that no LF follows: inside the field it ended (at a line's start,
 * the first), which is said as for a quoted one; no column takes an
 * unquoted one (a multi-line column's line breaks are quoted). */
static void
cr_inside(struct csv_reader *r)
{
	size_t i = r->nfields > 0 ? r->nfields - 1 : 0;

	fail(r, i, (r->multiline >> i) & 1 ? _("carriage return without line feed") :
	    _("contains a line break"));
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void
on_field(void *data, size_t len, void *arg)
{
	struct csv_reader *r = arg;
	const char *s = data ? data : "";
	const char *why;
	char msg[128];
	size_t i = r->nfields, max;

	if (r->failed)
		return;
	if (r->after_cr) {
		cr_inside(r);
		return;
	}
	if (i >= r->ncols) {
		r->nfields++;
		snprintf(msg, sizeof(msg), _("too many fields (a record has %zu)"),
		    r->ncols);
		fail(r, (size_t)-1, msg);
		return;
	}
	if (i == 0)
		r->rec.bad_why = NULL;
	max = r->colmax ? r->colmax[i] : r->maxfield;
	why = csv_field_problem(s, len, max, (r->multiline >> i) & 1);
	if (why != NULL && (!r->row_errors || len > max)) {
		fail(r, i, why);
		return;
	}
	if (why != NULL && r->rec.bad_why == NULL) {
		r->rec.bad_why = why;
		r->rec.bad_field = i;
	}
	if (len + 1 > r->cap[i]) {
		r->cap[i] = len + 1 > 64 ? len + 1 : 64;
		free(r->rec.field[i]);
		r->rec.field[i] = xmalloc(r->cap[i]);
	}
	memcpy(r->rec.field[i], s, len);
	r->rec.field[i][len] = '\0';
	r->rec.len[i] = len;
	r->nfields++;
}

static void
on_record(int c, void *arg)
{
	struct csv_reader *r = arg;
	char msg[128];

	if (r->failed)
		return;
	if (r->after_cr && c != '\n') {
		cr_inside(r);
		return;
	}
	if (c == '\r') {	/* a line end if LF follows: judged then */
		r->after_cr = 1;
		return;
	}
	r->after_cr = 0;
	if (r->nfields == 0) {
		/* An unquoted LF or CRLF with no record before it. */
		r->rec_line = r->line;
		fail(r, (size_t)-1, _("empty line"));
		return;
	}
	if (c == -1) {
		r->nolineend = 1;
		fail(r, (size_t)-1, _("last record has no line end"));
		return;
	}
	if (r->nfields != r->ncols) {
		if (r->nfields < r->ncols) {
			snprintf(msg, sizeof(msg), _("missing (a record has %zu fields)"),
			    r->ncols);
			fail(r, r->nfields, msg);
		} else {
			snprintf(msg, sizeof(msg), _("too many fields (a record has %zu)"),
			    r->ncols);
			fail(r, (size_t)-1, msg);
		}
		return;
	}
	r->complete = 1;
	r->in_record = 0;
}

struct csv_reader *
csvr_open(FILE *fp, const char *filename, const char *const *cols,
    size_t ncols, unsigned long multiline, int header, size_t maxfield)
{
	struct csv_reader *r = xcalloc(1, sizeof(*r));

	r->fp = fp;
	r->filename = filename;
	r->cols = cols;
	r->ncols = ncols;
	r->multiline = multiline;
	r->header = header;
	r->maxfield = maxfield;
	r->line = 1;
	r->rec_line = 1;
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI |
	    CSV_APPEND_NULL | CSV_REPALL_NL) != 0)
		errx(ST_FAIL, "csv_init");
	csv_set_space_func(&r->parser, no_space);
	r->chunk = xmalloc(CHUNK);
	r->rec.field = xcalloc(ncols, sizeof(char *));
	r->rec.len = xcalloc(ncols, sizeof(size_t));
	r->cap = xcalloc(ncols, sizeof(size_t));
	return r;
}

void
csvr_limits(struct csv_reader *r, const size_t *colmax)
{
	r->colmax = colmax;
}

void
csvr_row_errors(struct csv_reader *r)
{
	r->row_errors = 1;
}

void
csvr_errto(struct csv_reader *r, struct jerr *e)
{
	r->err = e;
}

/* Hands one piece of one line to libcsv and checks what it said. */
static void
feed(struct csv_reader *r, const char *p, size_t n)
{
	size_t field, max;
	int cr = r->after_cr;

	if (!r->in_record && !r->complete && !r->after_cr) {
		r->in_record = 1;
		r->rec_line = r->line;
		r->nfields = 0;
	}
	if (csv_parse(&r->parser, p, n, on_field, on_record, r) != n &&
	    !r->failed) {
		field = r->nfields < r->ncols ? r->nfields : (size_t)-1;
		fail(r, field, csv_error(&r->parser) == CSV_EPARSE ?
		    _("malformed quoting") : csv_strerror(csv_error(&r->parser)));
	}
	/* Bytes after a CR that made no event (a quoted field begun): not
	 * an LF, whose event ends the wait. */
	if (!r->failed && r->after_cr && (cr || p[n - 1] != '\r'))
		cr_inside(r);
	r->fed += n;
	if (p[n - 1] == '\n')
		r->line++;
	/* A field growing past the longest limit inside a long line: named
	 * with its own limit. */
	if (!r->failed && r->parser.entry_pos > r->maxfield) {
		field = r->nfields < r->ncols ? r->nfields : (size_t)-1;
		max = r->colmax && field != (size_t)-1 ? r->colmax[field] :
		    r->maxfield;
		fail(r, field, csv_field_problem("", max + 1, max, 0));
	}
}

/* The most fields feed_plain() splits a line into; more go to libcsv. */
#define PLAIN_MAX	32

/*
 * A whole line at the start of a record, without CR and without a quote
 * inside a field (each field bare, or quoted whole with no quote or line
 * break in it: what writers put out for nearly every record): split here
 * and given to on_field() and on_record() exactly as libcsv would give it,
 * whose state stays "no row begun".  0 leaves the line to feed().
 */
static int
feed_plain(struct csv_reader *r, const char *p, size_t n)
{
	const char *start[PLAIN_MAX], *q, *end = p + n - 1;
	size_t len[PLAIN_MAX], k = 0, i;

	if (n < 2 || r->in_record || r->complete || r->after_cr || *end != '\n' ||
	    memchr(p, '\r', n - 1) != NULL)
		return 0;
	for (q = p;; q++) {
		if (k == PLAIN_MAX)
			return 0;
		if (*q == '"') {
			start[k] = ++q;
			if ((q = memchr(q, '"', (size_t)(end - q))) == NULL)
				return 0;
			len[k] = (size_t)(q - start[k]);
			k++;
			if (++q != end && *q != ',')
				return 0;
		} else {
			start[k] = q;
			while (q != end && *q != ',' && *q != '"')
				q++;
			if (q != end && *q == '"')
				return 0;
			len[k] = (size_t)(q - start[k]);
			k++;
		}
		if (q == end)
			break;
	}
	r->in_record = 1;
	r->rec_line = r->line;
	r->nfields = 0;
	for (i = 0; i < k; i++)
		on_field((void *)start[i], len[i], r);
	on_record('\n', r);
	r->fed += n;
	r->line++;
	return 1;
}

static int
check_header(struct csv_reader *r)
{
	char msg[256];
	size_t i;

	if (r->rec.bad_why != NULL) {
		fail(r, r->rec.bad_field, r->rec.bad_why);
		return -1;
	}
	for (i = 0; i < r->ncols; i++) {
		if (strcmp(r->rec.field[i], r->cols[i]) != 0) {
			snprintf(msg, sizeof(msg), _("header is \"%.64s\", expected \"%s\""),
			    r->rec.field[i], r->cols[i]);
			fail(r, i, msg);
			return -1;
		}
	}
	return 0;
}

/* Long: the reader's state machine, one state a branch. */
int
csvr_next(struct csv_reader *r, struct csv_record **recp)
{
	const char *nl;
	size_t n;

	for (;;) {
		if (r->failed)
			return -1;
		if (r->complete && !r->after_cr) {
			r->complete = 0;
			r->offset = r->fed;
			r->rec.nfields = r->ncols;
			r->rec.line = r->rec_line;
			r->nfields = 0;
			if (r->header) {
				r->header = 0;
				if (check_header(r) == -1)
					return -1;
				continue;
			}
			*recp = &r->rec;
			return 1;
		}
		if (r->chunk_pos == r->chunk_len) {
			if (r->eof) {
				if (r->after_cr) {
					fail(r, (size_t)-1,
					    _("carriage return without line feed"));
					return -1;
				}
				if (csv_fini(&r->parser, on_field, on_record, r) != 0 &&
				    !r->failed)
					fail(r, r->nfields < r->ncols ? r->nfields :
					    (size_t)-1, _("unterminated quoted field"));
				if (r->failed)
					return -1;
				if (r->header) {
					fail(r, (size_t)-1, _("no header line"));
					return -1;
				}
				return 0;
			}
			r->chunk_len = fread(r->chunk, 1, CHUNK, r->fp);
			r->chunk_pos = 0;
			if (r->chunk_len < CHUNK) {
				if (ferror(r->fp)) {
					r->failed = r->ioerror = 1;
					jerr_say_errno(r->err, ST_FAIL, "%s", r->filename);
					return -1;
				}
				r->eof = 1;
			}
			continue;
		}
		nl = memchr(r->chunk + r->chunk_pos, '\n', r->chunk_len - r->chunk_pos);
		n = nl ? (size_t)(nl - r->chunk) + 1 - r->chunk_pos :
		    r->chunk_len - r->chunk_pos;
		if (!feed_plain(r, r->chunk + r->chunk_pos, n))
			feed(r, r->chunk + r->chunk_pos, n);
		r->chunk_pos += n;
	}
}

int
csvr_ioerror(const struct csv_reader *r)
{
	return r->ioerror;
}

int
csvr_torn(const struct csv_reader *r)
{
	return r->nolineend;
}

long long
csvr_offset(const struct csv_reader *r)
{
	return r->offset;
}

void
csvr_close(struct csv_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	csv_free(&r->parser);
	for (i = 0; i < r->ncols; i++)
		free(r->rec.field[i]);
	free(r->rec.field);
	free(r->rec.len);
	free(r->cap);
	free(r->chunk);
	free(r);
}

/* The bytes that make a field quoted: a comma, a quote, CR, LF. */
static const unsigned char quoted_byte[256] = {
	['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1,
};

#ifdef __SSE2__
#include <emmintrin.h>

/* Nonzero when one of the 16 bytes at s is one of quoted_byte's. */
static inline int
has_quoted16(const char *s)
{
	__m128i x = _mm_loadu_si128((const __m128i *)s);
	__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(',')),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))),
	    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))));

	return _mm_movemask_epi8(m);
}
#endif

static int
needs_quotes(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t')
		return 1;
#ifdef __SSE2__
	if (len >= 16) {
		for (; i + 16 <= len; i += 16)
			if (has_quoted16(s + i))
				return 1;
		/* the last sixteen, some seen twice */
		return i < len && has_quoted16(s + len - 16);
	}
#endif
	for (; i < len; i++)
		if (quoted_byte[(unsigned char)s[i]])
			return 1;
	return 0;
}

/* The buffer grown once for the record at its longest (every field quoted,
 * every byte a doubled quote), then written in place. */
void
csv_format_record(struct buf *b, const char *const *field, const size_t *len,
    size_t n)
{
	size_t i, j, need = 1;
	const char *q;
	char *o;

	for (i = 0; i < n; i++)
		need += 2 * len[i] + 3;
	if (need > b->cap - b->len) {
		while (need > b->cap - b->len)
			b->cap = b->cap ? b->cap * 2 : 256;
		b->p = xrealloc(b->p, b->cap);
	}
	o = b->p + b->len;
	for (i = 0; i < n; i++) {
		if (i > 0)
			*o++ = ',';
		/* A lone empty field would be an empty line, which reads as nothing. */
		if (n == 1 && len[i] == 0) {
			*o++ = '"';
			*o++ = '"';
			continue;
		}
		if (!needs_quotes(field[i], len[i])) {
			memcpy(o, field[i], len[i]);
			o += len[i];
			continue;
		}
		*o++ = '"';
		for (j = 0; j < len[i]; j = (size_t)(q - field[i]) + 1) {
			if ((q = memchr(field[i] + j, '"', len[i] - j)) == NULL)
				q = field[i] + len[i];
			memcpy(o, field[i] + j, (size_t)(q - field[i]) - j);
			o += (size_t)(q - field[i]) - j;
			if (q < field[i] + len[i]) {
				*o++ = '"';
				*o++ = '"';
			}
		}
		*o++ = '"';
	}
	*o++ = '\n';
	b->len = (size_t)(o - b->p);
}

int
csv_write_record(FILE *fp, const char *const *field, size_t n)
{
	struct buf b = { 0 };
	size_t *len = xcalloc(n, sizeof(size_t)), i;
	int ret = 0;

	for (i = 0; i < n; i++)
		len[i] = strlen(field[i]);
	csv_format_record(&b, field, len, n);
	if (fwrite(b.p, 1, b.len, fp) != b.len)
		ret = -1;
	buf_free(&b);
	free(len);
	return ret;
}
