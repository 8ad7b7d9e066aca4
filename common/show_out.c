/*
 * show_out.c — where log-show's records go: standard output in a format,
 * or one syslog message each; a summary instead of the records.
 *
 * Invariants: with -k (hold) a record's bytes stay in the buffer until
 * show_out_verified() reaches its seq, so nothing unverified leaves the
 * process; the queue of held records is bounded by the verifier's MAC
 * batches (the caller drains them when show_out_held() grows).  With
 * --cursor-file the file is replaced atomically after every record handed
 * on (sent, or written and flushed), and made durable before log-show
 * waits or exits; the cursor never names a record that was not handed on.
 * Once log-show is stopped (show_stopped) nothing more is handed on: the
 * piece being written is written whole, the message being sent is sent
 * (or, still waiting for room, not), and its cursor replaced.
 * Standard output is written with write(2) in large pieces; a failed
 * write is one message and exit 3.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "csvio.h"
#include "show.h"

#define FLUSHSZ	(256 * 1024)

struct held {
	long long	seq;
	size_t		start, end;	/* its bytes in b */
	int		sev;		/* syslog severity */
};

struct show_out {
	const struct show_opts *o;
	struct buf	b;
	size_t		sent;		/* b[0..sent) is gone */
	struct held	*q;		/* records in b not yet handed on */
	size_t		nq, q0, capq;
	size_t		ready;		/* q[q0..ready) have verified */
	int		hold, headed, failed;
	int		format;		/* the log's */
	int		headerless;	/* show_out_headerless() */
	size_t		hdr_end;	/* b[0..hdr_end) the header row, held */
	long long	upto, last;
	struct show_table *t;
	long long	tseq;		/* last seq in the table's rows */
	struct show_count *c;
	long long	cseq;		/* last seq counted in the summary */
	struct show_syslog *sl;
};

void
show_out_headerless(struct show_out *out)
{
	out->headerless = 1;
}

/* The format the header row names: 0 (none) in raw output of a copy. */
static int
header_format(const struct show_out *out)
{
	return out->headerless && out->o->fmt == SHOW_RAW ? 0 : out->format;
}

void
show_out_format(struct show_out *out, int format)
{
	struct buf b = { 0 };

	/* A copy's format is known once a record verifies (-k), which is
	 * after its first record was rendered: a header row still held is
	 * made again (both formats' are as long; JSON names the MAC in
	 * every record, and keeps the first guess). */
	if (out->hdr_end > 0 && out->sent == 0 && format != out->format &&
	    header_format(out) != 0) {
		show_render_header(out->o->fmt, format, &b);
		if (b.len == out->hdr_end)
			memcpy(out->b.p, b.p, b.len);
		free(b.p);
	}
	out->format = format;
}

struct show_out *
show_out_new(const struct show_opts *o, int hold)
{
	struct show_out *out = xcalloc(1, sizeof(*out));

	out->format = 1;
	out->o = o;
	out->hold = hold;
	out->upto = out->last = out->tseq = out->cseq = -1;
	if (o->summary != SHOW_NOKEY)
		out->c = show_count_new(o->summary);
	else if (o->syslog != NULL) {
		if ((out->sl = show_syslog_open(o->syslog, o->err)) == NULL)
			out->failed = 1;
	} else if (o->fmt == SHOW_TABLE)
		out->t = show_table_new();
	return out;
}

/* b[start..end) holds records up to seq. */
static void
enqueue_to(struct show_out *out, long long seq, size_t start, size_t end)
{
	if (out->nq == out->capq) {
		if (out->q0 > 0) {
			memmove(out->q, out->q + out->q0, (out->nq - out->q0) * sizeof(*out->q));
			out->nq -= out->q0;
			out->ready -= out->q0;
			out->q0 = 0;
		}
		if (out->nq == out->capq) {
			out->capq = out->capq ? 2 * out->capq : 1024;
			out->q = xrealloc(out->q, out->capq * sizeof(*out->q));
		}
	}
	out->q[out->nq].seq = seq;
	out->q[out->nq].start = start;
	out->q[out->nq].end = end;
	out->nq++;
	if (!out->hold || seq <= out->upto)
		out->ready = out->nq;
}

static void
enqueue(struct show_out *out, long long seq, size_t start)
{
	enqueue_to(out, seq, start, out->b.len);
}

/* The first k (at most SHOW_TABLE_ROWS) of the table's rows, written (the widths theirs and the
 * earlier rows') and queued a row each. */
static void
table_write(struct show_out *out, size_t k)
{
	size_t start = out->b.len, i, ends[SHOW_TABLE_ROWS];
	long long seq[SHOW_TABLE_ROWS];

	for (i = 0; i < k; i++)
		seq[i] = show_table_seq(out->t, i);
	show_table_flush(out->t, &out->b, k, ends);
	for (i = 0; i < k; i++) {
		enqueue_to(out, seq[i], start, ends[i]);
		start = ends[i];
	}
}

/* The table's rows are written SHOW_TABLE_ROWS at a time, once all of
 * them have verified (-k): rows past a record that then fails, rendered
 * while their MACs were a batch behind, neither go nor widen a column,
 * and the blocks, so the columns, are the same on any number of cores.
 * all: the verified rows of a last, shorter block too. */
static void
table_rows(struct show_out *out, int all)
{
	size_t n, k;

	while ((n = show_table_rows(out->t)) >= SHOW_TABLE_ROWS &&
	    (!out->hold || show_table_seq(out->t, SHOW_TABLE_ROWS - 1) <= out->upto))
		table_write(out, SHOW_TABLE_ROWS);
	if (!all)
		return;
	for (k = 0; k < n && (!out->hold || show_table_seq(out->t, k) <= out->upto); k++)
		;
	if (k > 0)
		table_write(out, k);
}

void
show_out_record(struct show_out *out, const struct oplog_record *r)
{
	size_t start;

	if (out->c != NULL) {
		/* counted once verified: a summary is all or nothing */
		int f = show_key_field(out->o->summary);

		show_count_add(out->c, r->field[f], r->len[f], r->time);
		out->cseq = r->seq;
		return;
	}
	if (out->t != NULL) {
		show_table_add(out->t, r);
		out->tseq = r->seq;
		table_rows(out, 0);
		return;
	}
	/* The header row goes with the record it heads, not before it: a
	 * verifier whose MACs are a batch behind hands records on before an
	 * earlier one fails, and a failure before the first record shown
	 * leaves standard output empty, whatever the number of cores. */
	if (!out->headed && out->sl == NULL) {
		show_render_header(out->o->fmt, header_format(out), &out->b);
		out->hdr_end = out->b.len;
		enqueue(out, r->seq, 0);
		out->headed = 1;
	}
	start = out->b.len;
	if (out->sl != NULL)
		oplog_record_raw(r, &out->b);
	else
		show_render(out->o->fmt, out->format, r, &out->b);
	enqueue(out, r->seq, start);
	if (out->sl != NULL)
		out->q[out->nq - 1].sev = show_syslog_severity(r);
}

void
show_out_verified(struct show_out *out, long long seq)
{
	out->upto = seq;
	if (out->t != NULL)
		table_rows(out, 0);
	while (out->ready < out->nq && out->q[out->ready].seq <= seq)
		out->ready++;
}

size_t
show_out_held(const struct show_out *out)
{
	return out->b.len - out->sent + (out->t != NULL ? show_table_held(out->t) : 0);
}

long long
show_out_last(const struct show_out *out)
{
	return out->last;
}

static int
out_all(const char *p, size_t n, struct jerr *e)
{
	if (write_all(STDOUT_FILENO, p, n) == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", _("write error: standard output"));
		return -1;
	}
	return 0;
}

/* Sends the records that may go, one message each, each followed by the
 * cursor; once stopped, none more (the one waiting for room neither). */
static int
send_ready(struct show_out *out)
{
	struct held *h;
	int k;

	for (; out->q0 < out->ready && !show_stopped(); out->q0++) {
		h = &out->q[out->q0];
		if ((k = show_syslog_send(out->sl, h->sev, out->b.p + h->start,
		    h->end - h->start - 1)) == 1)
			break;		/* stopped, not sent */
		if (k == -1 ||
		    (out->o->cursor && show_cursor_write(out->o->cursor, h->seq, 0,
		    out->o->err) == -1)) {
			out->failed = 1;
			return -1;
		}
		out->last = h->seq;
	}
	return 0;
}

/* Hands on the records that may go: written in one piece, or sent one
 * message each, then the cursor; none once stopped. */
static int
push(struct show_out *out, int all)
{
	struct held *h;
	size_t end;
	long long last = -1;

	if (out->failed)
		return -1;
	if (out->q0 == out->ready || show_stopped())
		return 0;
	if (out->sl != NULL) {
		if (send_ready(out) == -1)
			return -1;
	} else {
		end = out->q[out->ready - 1].end;
		if (!all && end - out->sent < FLUSHSZ)
			return 0;
		if (end > out->sent && out_all(out->b.p + out->sent, end - out->sent,
		    out->o->err) == -1) {	/* JSON's empty heading: b.p NULL */
			out->failed = 1;
			return -1;
		}
		out->sent = end;
		out->hdr_end = 0;
		for (; out->q0 < out->ready; out->q0++)
			if (out->q[out->q0].seq >= 0)
				last = out->q[out->q0].seq;
		if (last >= 0) {
			out->last = last;
			if (out->o->cursor && show_cursor_write(out->o->cursor, last, 0,
			    out->o->err) == -1) {
				out->failed = 1;
				return -1;
			}
		}
	}
	/* forget what is gone */
	end = out->q0 < out->nq ? out->q[out->q0].start : out->b.len;
	if (out->sl != NULL)
		out->sent = end;
	if (out->sent > 0 && (out->sent == out->b.len || out->sent >= FLUSHSZ)) {
		memmove(out->b.p, out->b.p + out->sent, out->b.len - out->sent);
		for (h = out->q + out->q0; h < out->q + out->nq; h++) {
			h->start -= out->sent;
			h->end -= out->sent;
		}
		out->b.len -= out->sent;
		out->sent = 0;
	}
	return 0;
}

int
show_out_flush(struct show_out *out)
{
	if (out->t != NULL)
		table_rows(out, 1);
	if (push(out, 1) == -1)
		return -1;
	if (out->o->cursor && out->last >= 0 &&
	    show_cursor_write(out->o->cursor, out->last, 1,
	    out->o->err) == -1) {
		out->failed = 1;	/* said once: a later flush is silent */
		return -1;
	}
	return 0;
}

/* Called by the reading loops after each record: writes in large pieces. */
int
show_out_step(struct show_out *out)
{
	return push(out, 0);
}

int
show_out_end(struct show_out *out)
{
	size_t start = out->b.len;

	if (out->c != NULL) {
		/* the records counted are handed on: the cursor moves past
		 * them, but never past what verified (-k) */
		show_count_render(out->c, out->o->fmt, &out->b);
		enqueue(out, out->hold && out->upto < out->cseq ? out->upto :
		    out->cseq, start);
		out->ready = out->nq;
	} else if (out->t != NULL && out->tseq < 0) {
		/* no record: the head row alone still tells the columns */
		show_table_flush(out->t, &out->b, 0, NULL);
		enqueue(out, -1, start);
		out->ready = out->nq;
	} else if (!out->headed && out->sl == NULL && out->t == NULL) {
		show_render_header(out->o->fmt, header_format(out), &out->b);
		enqueue(out, -1, start);
		out->ready = out->nq;
		out->headed = 1;
	}
	return show_out_flush(out);
}

void
show_out_free(struct show_out *out)
{
	if (out == NULL)
		return;
	show_table_free(out->t);
	show_count_free(out->c);
	show_syslog_close(out->sl);
	buf_free(&out->b);
	free(out->q);
	free(out);
}
