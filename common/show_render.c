/*
 * show_render.c — one record in each of log-show's formats.
 *
 * Invariants: csv is RFC 4180 with the log's header row and columns, quoted
 * as the log's writers quote (csv_format_record); json is one object per
 * line with the header's names as keys, seq and epoch as numbers; raw is
 * the line as read, byte for byte (oplog_record_raw); the table is for
 * people: local times with seconds, control characters escaped
 * (text_escape), columns padded by display width: the log's text by its
 * UTF-8 width whatever the locale (the log is UTF-8: 佐藤 is four columns
 * under LC_ALL=C too), the headings, in the locale's codeset, by the
 * locale's.  A table is written SHOW_TABLE_ROWS rows at a time, so its
 * memory is bounded too (but for rows its caller holds back until they
 * verify): column widths are those of the rows written so far, never
 * narrower than before.
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "csvio.h"
#include "show.h"
#include "text.h"

static const char *const colname[OPLOG_NFIELDS] = {
	"seq", "time", "terminal", "operator", "action", "object", "result",
	"detail", "epoch", "hmac_v1"
};

/* The log's own header row: its last column names the format.  Raw
 * output of a copy (format 0 here: show_out_headerless) has none, as the
 * copy had none: with one, log-verify would take it for a log or an
 * archive, whose first record must be seq 0 or a checkpoint's, and a
 * header row naming the other format would fail the records. */
void
show_render_header(enum show_format fmt, int format, struct buf *b)
{
	if (fmt == SHOW_CSV || (fmt == SHOW_RAW && format != 0)) {
		buf_add(b, oplog_header_row(format), sizeof(OPLOG_HEADER) - 1);
		buf_add(b, "\n", 1);
	}
}

static void
json(const struct oplog_record *r, int format, struct buf *b)
{
	int i;

	buf_add(b, "{", 1);
	for (i = 0; i < OPLOG_NFIELDS; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		buf_add(b, "\"", 1);
		if (i == OF_MAC && format == 2)
			buf_add(b, "gmac_v2", 7);
		else
			buf_add(b, colname[i], strlen(colname[i]));
		buf_add(b, "\":", 2);
		if (i == OF_SEQ || i == OF_EPOCH)
			buf_add(b, r->field[i], r->len[i]);
		else
			json_add_string(b, r->field[i], r->len[i]);
	}
	buf_add(b, "}\n", 2);
}

void
show_render(enum show_format fmt, int format, const struct oplog_record *r, struct buf *b)
{
	switch (fmt) {
	case SHOW_CSV:
		csv_format_record(b, (const char *const *)r->field, r->len, OPLOG_NFIELDS);
		break;
	case SHOW_RAW:
		oplog_record_raw(r, b);
		break;
	case SHOW_JSON:
		json(r, format, b);
		break;
	case SHOW_TABLE:
		abort();	/* through show_table */
	}
}

/* The table's columns: seq, local time, then these fields, detail last. */
static const int tcol[] = { OF_TERMINAL, OF_OPERATOR, OF_ACTION, OF_RESULT, OF_OBJECT, OF_DETAIL };
#define TFIELDS	(2 + sizeof(tcol) / sizeof(tcol[0]))

struct show_table {
	struct buf	text;			/* escaped cells, NUL-terminated */
	size_t		(*cell)[TFIELDS];	/* offsets into text */
	long long	*seq;			/* each row's record's */
	size_t		n, cap, w[TFIELDS];
	int		headed;
};

static const char *const thead[TFIELDS] = { N_("SEQ"), N_("TIME"), N_("TERMINAL"),
	N_("OPERATOR"), N_("ACTION"), N_("RESULT"), N_("OBJECT"), N_("DETAIL") };

struct show_table *
show_table_new(void)
{
	struct show_table *t = xcalloc(1, sizeof(*t));
	size_t j;

	t->cap = SHOW_TABLE_ROWS;
	t->cell = xcalloc(t->cap, sizeof(*t->cell));
	t->seq = xcalloc(t->cap, sizeof(*t->seq));
	for (j = 0; j < TFIELDS; j++)
		t->w[j] = text_width(_(thead[j]));
	return t;
}

static void
cell(struct show_table *t, size_t j, const char *s, size_t len, int escape)
{
	t->cell[t->n][j] = t->text.len;
	if (escape)
		text_escape(&t->text, s, len);
	else
		buf_add(&t->text, s, len);
	buf_add(&t->text, "", 1);
}

void
show_table_add(struct show_table *t, const struct oplog_record *r)
{
	char tm[TIME_BUFSZ];
	size_t j;

	if (t->n == t->cap) {
		t->cap *= 2;
		t->cell = xrealloc(t->cell, t->cap * sizeof(*t->cell));
		t->seq = xrealloc(t->seq, t->cap * sizeof(*t->seq));
	}
	t->seq[t->n] = r->seq;
	time_format_local_sec(r->time, tm);
	cell(t, 0, r->field[OF_SEQ], r->len[OF_SEQ], 0);
	cell(t, 1, tm, strlen(tm), 0);
	for (j = 2; j < TFIELDS; j++)
		cell(t, j, r->field[tcol[j - 2]], r->len[tcol[j - 2]], 1);
	t->n++;
}

size_t
show_table_rows(const struct show_table *t)
{
	return t->n;
}

long long
show_table_seq(const struct show_table *t, size_t i)
{
	return t->seq[i];
}

size_t
show_table_held(const struct show_table *t)
{
	return t->text.len;
}

/* A row of cells c, the log's (UTF-8), or the headings when head. */
static void
row(struct show_table *t, const char *const c[TFIELDS], int head, struct buf *b)
{
	size_t j, k;

	for (j = 0; j < TFIELDS; j++) {
		buf_add(b, c[j], strlen(c[j]));
		if (j == TFIELDS - 1)
			break;
		for (k = head ? text_width(c[j]) : text_width_utf8(c[j]); k < t->w[j] + 2; k++)
			buf_add(b, " ", 1);
	}
	/* no trailing blanks when the last cells are empty */
	while (b->len > 0 && b->p[b->len - 1] == ' ')
		b->len--;
	buf_add(b, "\n", 1);
}

void
show_table_flush(struct show_table *t, struct buf *b, size_t k, size_t *ends)
{
	const char *c[TFIELDS];
	size_t i, j, w, off;

	/* the columns as wide as the rows written so far need */
	for (i = 0; i < k; i++)
		for (j = 0; j < TFIELDS - 1; j++)
			if ((w = text_width_utf8(t->text.p + t->cell[i][j])) > t->w[j])
				t->w[j] = w;
	if (!t->headed) {
		for (j = 0; j < TFIELDS; j++)
			c[j] = _(thead[j]);
		row(t, c, 1, b);
		t->headed = 1;
	}
	for (i = 0; i < k; i++) {
		for (j = 0; j < TFIELDS; j++)
			c[j] = t->text.p + t->cell[i][j];
		row(t, c, 0, b);
		if (ends != NULL)
			ends[i] = b->len;
	}
	/* the rows kept, to the front */
	off = k < t->n ? t->cell[k][0] : t->text.len;
	if (off > 0) {
		memmove(t->text.p, t->text.p + off, t->text.len - off);
		t->text.len -= off;
	}
	for (i = k; i < t->n; i++) {
		for (j = 0; j < TFIELDS; j++)
			t->cell[i - k][j] = t->cell[i][j] - off;
		t->seq[i - k] = t->seq[i];
	}
	t->n -= k;
}

void
show_table_free(struct show_table *t)
{
	if (t == NULL)
		return;
	buf_free(&t->text);
	free(t->cell);
	free(t->seq);
	free(t);
}
