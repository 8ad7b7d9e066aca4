/*
 * confirm.c — confirmations.csv and jukisec-audit --confirm (confirm.h).
 *
 * Invariants: a row and its "confirm" record are kept whole as
 * incidents.csv's events are (pending.h): under the register lock the
 * gate counted the manager's attempt under, the log is shown to take the
 * record first (register_log_ready, its lock held to the record), then a
 * note confirmations.pending a killed writer left is settled, the file is
 * read and checked, the note written, the file replaced, the record
 * logged and the note removed.  A kill between the file and its record
 * leaves the note, which the next --confirm settles before it reads the
 * file, and the audit does not pass the item meanwhile (audit_confirm.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "confirm.h"
#include "csvfile.h"
#include "esc.h"
#include "gate.h"
#include "muni.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "pending.h"
#include "register.h"
#include "register_txn.h"
#include "timeutil.h"

enum { C_ITEM, C_AT, C_BY, C_NOTE, NCOLS };
static const char *const cols[NCOLS + 1] = { "item", "confirmed_at", "by",
	"note", NULL };

/* confirmations.csv's kind of note (pending.h): atomic_begin's temporary
 * names, which store_lock removes; a row not added leaves nothing to log
 * (the manager confirms again). */
static const struct pending_kind confirm_kind = {
	CONFIRM_FILE, CONFIRM_PENDING_FILE, "jukisec-confirm-pending v1", NULL,
	NULL,
	N_("%s/%s: not a pending confirmation; look at it and "
	    "confirmations.csv, then remove it"),
	N_("%s/%s: confirmations.csv is neither the one before nor the one "
	    "after the confirmation it names; look at both, then remove it"),
	NULL, NULL
};

static int
item_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= 32 && s[0] != '-' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* NULL, or the reason (translated) with *col set.  A row reads back only
 * if --confirm would have written it, as incidents.csv's do: a time with
 * its time of day (time_arg: a bare date is no instant), a note by the
 * free-text rule --note is checked by (field_check_err), so nothing
 * reaches the report that the writer refuses. */
static const char *
parse_row(struct confirmation *c, char **f, int *col)
{
	const char *why;

	if (!item_ok(f[*col = C_ITEM]))
		return _("not an item id");
	if (time_arg(f[*col = C_AT], &c->at) == -1)
		return _("not an RFC 3339 time");
	if (operator_id_problem(f[*col = C_BY]) != NULL)
		return _("not an operator id");
	if ((why = text_problem(f[*col = C_NOTE], CONFIRM_NOTE_MAX, 0)) != NULL)
		return why;
	c->item = xstrdup(f[C_ITEM]);
	c->by = xstrdup(f[C_BY]);
	c->note = xstrdup(f[C_NOTE]);
	return NULL;
}

/* Parses raw (the file's bytes; there: 0 when the file is missing) into
 * all; the error to *e (jerr_say).  A missing file is no confirmations
 * yet; an empty one is refused, as incidents.csv and operators.csv are:
 * the writer writes the header with the first row, and never leaves one. */
static int
parse(struct store *st, const struct buf *raw, int there,
    struct confirmations *all, struct jerr *e)
{
	struct csv_reader *r;
	struct csv_record *rec;
	struct confirmation c;
	const char *why;
	char	*path;
	FILE	*fp;
	int	 k, col, status = ST_OK;

	memset(all, 0, sizeof(*all));
	if (!there)
		return ST_OK;
	path = xasprintf("%s/%s", st->dir, CONFIRM_FILE);
	if (raw->len == 0) {
		jerr_say_at(e, ST_FAIL, 1, JERR_FORM, "%s:1: %s", path,
		    _("no header line"));
		free(path);
		return ST_FAIL;
	}
	if ((fp = fmemopen(raw->p, raw->len, "r")) == NULL)
		err(ST_FAIL, "fmemopen");
	r = csvr_open(fp, path, cols, NCOLS, 0, 1, CONFIRM_NOTE_MAX);
	csvr_errto(r, e);
	while ((k = csvr_next(r, &rec)) == 1) {
		memset(&c, 0, sizeof(c));
		if ((why = parse_row(&c, rec->field, &col)) != NULL) {
			jerr_say_at(e, ST_FAIL, rec->line, JERR_VALUE,
			    _("%s:%zu: field %s: %s"), path, rec->line,
			    cols[col], why);
			status = ST_FAIL;
			break;
		}
		all->c = xrealloc(all->c, (all->n + 1) * sizeof(c));
		all->c[all->n++] = c;
	}
	if (k == -1)
		status = ST_FAIL;
	csvr_close(r);
	fclose(fp);
	free(path);
	if (status != ST_OK)
		confirmations_free(all);
	return status;
}

int
confirmations_load(struct store *st, struct confirmations *all)
{
	return confirmations_load_err(st, all, NULL);
}

int
confirmations_load_err(struct store *st, struct confirmations *all,
    struct jerr *e)
{
	struct buf raw;
	int	 r, there;

	memset(all, 0, sizeof(*all));
	if ((r = csvfile_read_there(st, CONFIRM_FILE, &raw, &there, e)) !=
	    ST_OK)
		return r;
	r = parse(st, &raw, there, all, e);
	buf_free(&raw);
	return r;
}

void
confirmations_free(struct confirmations *all)
{
	size_t	 i;

	for (i = 0; i < all->n; i++) {
		free(all->c[i].item);
		free(all->c[i].by);
		free(all->c[i].note);
	}
	free(all->c);
	memset(all, 0, sizeof(*all));
}

const struct confirmation *
confirmation_last(const struct confirmations *all, const char *item,
    int64_t until)
{
	const struct confirmation *last = NULL;
	size_t	 i;

	for (i = 0; i < all->n; i++)
		if (strcmp(all->c[i].item, item) == 0 && all->c[i].at <= until &&
		    (last == NULL || all->c[i].at >= last->at))
			last = &all->c[i];
	return last;
}

enum confirm_note
confirm_note(struct store *st, const struct confirmations *all, char *item,
    size_t size, struct jerr *e)
{
	struct jerr *caller = st->err;
	int	 r;

	st->err = e;
	r = pending_look(st, &confirm_kind, item, size);
	/* the one after ends with the note's row: a note that names
	 * another item is not the writer's */
	if (r == PENDING_AFTER && (all->n == 0 ||
	    strcmp(all->c[all->n - 1].item, item) != 0)) {
		jerr_say(e, ST_FAIL, _(confirm_kind.garbled), st->dir,
		    confirm_kind.note);
		r = -1;
	}
	st->err = caller;
	return r == -1 ? CONFIRM_BAD : r == PENDING_AFTER ? CONFIRM_HELD :
	    r == PENDING_BEFORE ? CONFIRM_NOT_MADE : CONFIRM_NO_NOTE;
}

struct job {
	const char	*item, *by, *note;
};

/* The row of j at now appended to confirmations.csv (raw: its bytes,
 * read and checked under this lock) and logged, whole, through
 * confirmations.pending. */
static int
append_logged(struct store *st, const struct job *j, const struct buf *raw,
    int64_t now)
{
	struct oplog_rec rec = { j->by, "confirm", j->item, "ok", NULL };
	char	 at[TIME_BUFSZ], *b = NULL, *detail;
	const char *row[NCOLS];
	size_t	 n = 0;
	int	 r;

	time_format(now, at);
	row[C_ITEM] = j->item;
	row[C_AT] = at;
	row[C_BY] = j->by;
	row[C_NOTE] = j->note;
	if (csvfile_after(raw, cols, row, NCOLS, &b, &n) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, CONFIRM_FILE);
		free(b);
		return ST_FAIL;
	}
	rec.detail = detail = xasprintf("%s%s", *j->note ? "note=" : "", j->note);
	if ((r = pending_replace(st, &confirm_kind, raw, b, n, &rec, NULL)) == ST_OK &&
	    (r = oplog_append_at(st, &rec, 1, now)) == ST_OK)
		r = pending_remove(st, &confirm_kind);
	free(detail);
	free(b);
	return r;
}

/* Under the register lock that counted the manager's attempt: the log
 * shown to take the record (room for the file, its note and the record),
 * its lock held to the record, so that no row goes in that the log then
 * refuses; what a killed writer left settled; then the row. */
static int
change(struct store *st, struct register_ *reg, int64_t now, void *arg)
{
	struct job *j = arg;
	struct confirmations all;
	struct buf raw;
	int	 r, err, there;

	(void)reg;
	if (register_log_ready(st, now, CONFIRM_FILE,
	    CONFIRM_NOTE_MAX + 3 * OPLOG_LINE_MAX, &err) != ST_OK) {
		if (err != -1)
			jerr_say(st->err, ST_FAIL, _("%s: the confirmation cannot "
			    "be recorded (%s): not recorded"),
			    register_unrecorded_at(st),
			    strerror(err));
		return ST_FAIL;
	}
	if ((r = pending_settle(st, &confirm_kind)) == ST_OK &&
	    (r = csvfile_read_there(st, CONFIRM_FILE, &raw, &there,
	    st->err)) == ST_OK) {
		if ((r = parse(st, &raw, there, &all, NULL)) == ST_OK) {
			r = append_logged(st, j, &raw, now);
			confirmations_free(&all);
		}
		buf_free(&raw);
	}
	store_unlock(st, STORE_LOCK_LOG);
	return r;
}

int
confirm_record(struct store *st, const char *item, const char *by, int pwfd,
    const char *note)
{
	struct job j = { item, by, note != NULL ? note : "" };
	struct gate_change gc = { NULL, change, &j };
	struct buf ids = { 0 };
	size_t	 i, n = muni_confirm_count(&st->conf);

	if (muni_confirm_find(&st->conf, item) == NULL) {
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_add(&ids, ", ", 2);
			buf_add(&ids, muni_confirm_at(&st->conf, i)->id,
			    strlen(muni_confirm_at(&st->conf, i)->id));
		}
		buf_add(&ids, "", 1);
		jerr_say(st->err, ST_USAGE, _("--confirm %s: not an item of "
		    "jukisec.conf (items: %s)"), item, ids.p);
		buf_free(&ids);
		return ST_USAGE;
	}
	if (field_check_err("--note", j.note, CONFIRM_NOTE_MAX, st->err) !=
	    ST_OK)
		return ST_USAGE;
	return manager_change(st, by, pwfd, &gc);
}

int
confirm_main(const char *dir, const char *terminal, const char *item,
    const char *by, int pwfd, const char *note)
{
	struct store st;
	int	 r;

	if (operator_id_bad("-b", by, NULL))
		return ST_USAGE;
	if ((r = store_open(&st, dir, terminal, STORE_GATE)) != ST_OK)
		return r;
	r = confirm_record(&st, item, by, pwfd, note);
	store_close(&st);
	return r;
}
