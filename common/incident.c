/*
 * incident.c — a new incident or a step recorded: the request checked,
 * the id given, the row written, the operation log told.
 *
 * Invariants:
 *  - incidents.csv holds event rows only ever added, never changed: a `new`
 *    row, then the incident's steps.  Ids are YYYY-NNNN, the year of the
 *    recording time in local time, NNNN one more than the year's highest.
 *  - A write runs under STORE_LOCK_REGISTER, which the caller holds (the
 *    gate, which counted the manager's attempt under it): asserted here,
 *    never taken or released here.  It reads and validates the whole
 *    file, checks the request against the state computed from it (the R9
 *    contradictions), then replaces the file with atomic_begin/commit: the
 *    old bytes unchanged plus one row.  Whole-file replacement rather than
 *    an fsynced append because readers (show, list, audit, mlr) take no
 *    lock: after rename(2) they see the old or the new file, never a torn
 *    row, and a corrupt file is refused before anything is added to it.
 *    Incidents are rare (tens a year), so copying the file costs nothing.
 *  - The request itself (new_problem; a step's text, id, the rules that
 *    hold whatever the record, and the incident's existence) is checked
 *    before the manager is asked, so a usage error is no attempt; it is
 *    checked again under the lock.  So
 *    is incidents.csv read: a file that does not read costs no attempt,
 *    and its rows left out are said there, once.
 *  - Lock order REGISTER then LOG: the operation-log record (action
 *    `incident`) is appended while the register lock is held, the row
 *    and its record kept whole by incidents.pending (incident_file.h):
 *    a kill between them leaves a note that the next writer settles
 *    before it reads the file.  A step the R9 flow refuses is logged too
 *    (result `refused`).  Before the note, the settlement or the row,
 *    the log is shown to take the record, its lock held from there to
 *    the record (event_ready): the gate lets it go after the manager's
 *    "auth" record, and a log another process then holds past
 *    lock_timeout_ms, or refuses, or has no room for, writes nothing.
 *  - The file's format is incident_file.c's, the R9 flow (what a step may
 *    follow) incident_flow.c's, notify_command incident_notify.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "csvio.h"
#include "esc.h"
#include "incident_file.h"
#include "jukisec.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "register.h"
#include "register_txn.h"
#include "timeutil.h"

/* Fields end up on terminals and printers: beyond csv_field_problem, no
 * control character but tab (and LF where multiline). */
static int
field_ok(const char *opt, const char *s, size_t max, int multiline,
    struct jerr *e)
{
	const char *why;

	/* the one rule for free text (esc.h), as for the register */
	if ((why = text_problem(s, max, multiline)) != NULL) {
		jerr_say(e, ST_USAGE, _("%s: %s"), opt, why);
		return 0;
	}
	return 1;
}

int
incident_check_text(const struct inc_new *n, const struct inc_step_req *q,
    struct jerr *e)
{
	if (n != NULL && (!field_ok("--by", n->by, OPLOG_ID_MAX, 0, e) ||
	    !field_ok("--summary", n->summary, INC_SUMMARY_MAX, 0, e) ||
	    (n->detail != NULL && !field_ok("--detail-file", n->detail,
	    INC_DETAIL_MAX, 1, e))))
		return ST_USAGE;
	if (q != NULL && (!field_ok("--by", q->by, OPLOG_ID_MAX, 0, e) ||
	    (q->note != NULL && !field_ok("--note", q->note, INC_NOTE_MAX, 0,
	    e))))
		return ST_USAGE;
	return ST_OK;
}

/* The request of `new` against itself and the clock: ST_OK, or ST_USAGE
 * after one line.  Pure: the same before the manager is asked and again
 * under the lock, where now is never earlier (clock_decision). */
static int
new_problem(const struct inc_new *n, int64_t now, struct jerr *e)
{
	char buf[256];
	const char *why;
	int col;

	if (incident_check_text(n, NULL, e) != ST_OK)
		return ST_USAGE;
	/* spaces only say nothing, as a blank --detail-file (a tab is
	 * refused above) */
	if (text_blank(n->summary)) {
		jerr_say(e, ST_USAGE, _("--summary: empty"));
		return ST_USAGE;
	}
	if ((why = incident_new_rule(n, now, buf, sizeof(buf), &col)) != NULL) {
		jerr_say(e, ST_USAGE, "%s", why);
		return ST_USAGE;
	}
	return ST_OK;
}

int
incident_new_check(struct store *st, const struct inc_new *n, int at_now)
{
	struct inc_new c = *n;
	struct incidents all;
	int64_t now;
	int r;

	/* the clock the gate decides by, read now: the decision's is later */
	if ((r = clock_decision(st, &now)) != ST_OK)
		return r;
	if (at_now)
		c.detected = now;
	if ((r = new_problem(&c, now, st->err)) != ST_OK)
		return r;
	/* no lock (incidents_load): a file that does not read is refused
	 * before the manager is asked, and rows left out are said here, once */
	if ((r = incident_file_load(st, NULL, &all, st->err)) == ST_OK)
		incidents_free(&all);
	return r;
}

/* A step's request without the file: its text, the id's form, and the
 * rules that hold whatever the record (--force, the note a step needs). */
static int
step_request_problem(struct store *st, const char *id,
    const struct inc_step_req *q)
{
	const char *why;

	if (incident_check_text(NULL, q, st->err) != ST_OK)
		return ST_USAGE;
	if (incident_id_check(id, st->err) != ST_OK)
		return ST_USAGE;
	if ((why = incident_force_problem(q)) != NULL ||
	    (why = incident_note_problem(q)) != NULL) {
		jerr_say(st->err, ST_USAGE, _("%s %s: %s"), id,
		    inc_step_names[q->step], why);
		return ST_USAGE;
	}
	return ST_OK;
}

int
incident_step_check(struct store *st, const char *id,
    const struct inc_step_req *q)
{
	struct incidents all;
	int status;

	if ((status = step_request_problem(st, id, q)) != ST_OK)
		return status;
	/* no lock: the file is only ever replaced by rename (incidents_load);
	 * rows left out are said here, once */
	if ((status = incident_file_load(st, NULL, &all, st->err)) != ST_OK)
		return status;
	if (incident_find(&all, id) == NULL) {
		jerr_say(st->err, ST_NO, _("%s: no such incident"), id);
		status = ST_NO;
	}
	incidents_free(&all);
	return status;
}

/* incidents.csv read again under the lock, as the file may have been
 * replaced since incident_new_check or incident_step_check, which said
 * the rows left out: only a failure is said here. */
static int
reload(struct store *st, struct buf *raw, struct incidents *all)
{
	struct jerr e = JERR_INIT;
	int status;

	/* an event a killed writer left without its record, first */
	if ((status = incident_file_settle(st)) != ST_OK)
		return status;
	if ((status = incident_file_load(st, raw, all, &e)) != ST_OK &&
	    e.code != ST_OK)
		jerr_say(st->err, e.code, "%s", e.msg);
	return status;
}

/* Under the register lock, before anything is written (a killed
 * writer's note settled, the note, the row): the log shown to take the
 * event's record at now (register_log_ready), with room beyond a
 * rewrite of incidents.csv for a row of about row bytes, its note and
 * the records.  Shown only at the record, a log busy, refused or full
 * found the row in place with no record, its note left for the next
 * writer.  ST_OK with the log lock held, to the record; else ST_FAIL,
 * nothing written, said in one line (or in the log's own words). */
static int
event_ready(struct store *st, int64_t now, size_t row)
{
	int	 err;

	if (register_log_ready(st, now, INC_FILE, (off_t)(2 * row) +
	    3 * OPLOG_LINE_MAX, &err) == ST_OK)
		return ST_OK;
	if (err != -1)
		jerr_say(st->err, ST_FAIL, _("%s: the event cannot be recorded "
		    "(%s): not recorded"), register_unrecorded_at(st),
		    strerror(err));
	return ST_FAIL;
}

/* The highest number of the year (prefix "YYYY-") that an event's
 * record of the log names (action incident, result ok), so far. */
struct log_ids {
	char	prefix[16];
	int	last;
};

static int
id_in_log(const struct oplog_record *r, void *arg)
{
	struct log_ids *l = arg;
	const char *es;
	long long v;

	if (strcmp(r->field[OF_ACTION], "incident") == 0 &&
	    strcmp(r->field[OF_RESULT], "ok") == 0 &&
	    strncmp(r->field[OF_OBJECT], l->prefix, 5) == 0 &&
	    parse_num(r->field[OF_OBJECT] + 5, 0, 9999, &v, &es) == 0 &&
	    v > l->last)
		l->last = (int)v;
	return 0;
}

/* The next id of year: one more than the highest of the year in all,
 * damaged rows' ids included; with incidents.csv missing (never made, or
 * lost), in the log's event records too, so that a lost file never has an
 * id given again (the log keeps 365 days at least: the year's records,
 * but on 31 December of a leap year those of its first day).
 * ST_OK, or ST_FAIL when none is left or the log cannot be read. */
static int
next_id(struct store *st, const struct incidents *all, int missing, int year,
    char id[INC_ID_LEN + 1])
{
	struct log_ids l;
	char prefix[16], idbuf[32];
	size_t i;
	long long seq;
	int last = 0;

	snprintf(prefix, sizeof(prefix), "%04d-", year);
	if (missing) {
		memcpy(l.prefix, prefix, sizeof(l.prefix));
		l.last = 0;
		if (register_log_scan(st, st->err, 1, id_in_log, &l, &seq) == -1)
			return ST_FAIL;
		last = l.last;
	}
	for (i = 0; i < all->n + all->nbad_id; i++) {
		const char *iid = i < all->n ? all->inc[i].id : all->bad_id[i - all->n];
		long long v;
		const char *es;

		if (strncmp(iid, prefix, 5) == 0 &&
		    parse_num(iid + 5, 0, 9999, &v, &es) == 0 && v > last)
			last = (int)v;
	}
	if (last >= 9999) {
		jerr_say(st->err, ST_FAIL, _("%s/%s: no incident number left "
		    "for %d"), st->dir, INC_FILE, year);
		return ST_FAIL;
	}
	snprintf(idbuf, sizeof(idbuf), "%04d-%04d", year, last + 1);
	memcpy(id, idbuf, INC_ID_LEN + 1);
	return ST_OK;
}

/* The row f (of incident f[C_ID], by f[C_BY]) added to raw in
 * incidents.csv, and its record, action incident, result ok and detail
 * (freed here), logged: whole, through incidents.pending.  ST_OK, or the
 * status after a message; *written (unless NULL) 1 when the row is in the
 * file.  A failure after the row went in (the directory's sync, the
 * record's write) leaves the record to the note, and says so: the event
 * is recorded, and recording it again would make it twice. */
static int
write_logged(struct store *st, const struct buf *raw, const char *const *f,
    char *detail, int *written)
{
	struct oplog_rec rec = { f[C_BY], "incident", f[C_ID], "ok", detail };
	struct jerr e = JERR_INIT, *caller = st->err;
	int r, in, logged = 0;

	st->err = &e;	/* one line, said below */
	r = incident_file_append(st, raw, f, &rec, &in);
	if (r == ST_OK && (r = oplog_append(st, &rec, 1)) == ST_OK) {
		logged = 1;
		r = incident_file_logged(st);
	}
	st->err = caller;
	if (in && !logged)
		jerr_say(caller, ST_FAIL, _("%s; %s/%s holds %s %s: its "
		    "operation-log record is written by the next incident-report "
		    "new or step, do not record it again"), e.msg, st->dir,
		    INC_FILE, f[C_ID], f[C_EVENT]);
	else if (in && r != ST_OK)	/* the note's removal */
		jerr_say(caller, ST_FAIL, _("%s; %s %s is recorded, do not record "
		    "it again"), e.msg, f[C_ID], f[C_EVENT]);
	else if (e.code != ST_OK || e.msg[0] != '\0')
		jerr_pass(caller, &e);
	if (written != NULL)
		*written = in;
	free(detail);
	return r;
}

/* The strings of a `new` row, written into the buffers of row. */
struct new_row {
	const char	*f[NCOLS];
	char		rec[TIME_BUFSZ], det[TIME_BUFSZ], occ[TIME_BUFSZ];
	char		level[16], persons[24];
};

static void
new_row(struct new_row *r, const struct inc_new *n, const char *id,
    int64_t now)
{
	const char **f = r->f;

	memset(r, 0, sizeof(*r));
	time_format(now, r->rec);
	time_format(n->detected, r->det);
	if (n->occurred != TIME_NONE)
		time_format(n->occurred, r->occ);
	if (n->level > 0)
		snprintf(r->level, sizeof(r->level), "%d", n->level);
	if (n->persons >= 0)
		snprintf(r->persons, sizeof(r->persons), "%lld", n->persons);
	f[C_ID] = id;
	f[C_EVENT] = "new";
	f[C_RECORDED] = r->rec;
	f[C_BY] = n->by;
	f[C_AT] = r->det;
	f[C_OCCURRED] = r->occ;
	f[C_TYPE] = inc_type_names[n->type];
	f[C_CAUSE] = n->cause >= 0 ? inc_cause_names[n->cause] : "";
	f[C_NATURE] = n->nature >= 0 ? inc_nature_names[n->nature] : "";
	f[C_LEVEL] = r->level;
	f[C_PERSONS] = r->persons;
	f[C_SENSITIVE] = n->sensitive ? "yes" : "no";
	f[C_FINANCIAL] = n->financial ? "yes" : "no";
	f[C_UNLAWFUL] = n->unlawful ? "yes" : "no";
	f[C_SUMMARY] = n->summary;
	f[C_DETAIL] = n->detail != NULL ? n->detail : "";
	f[C_NOTE] = "";
	f[C_FORCED] = "";
}

int
incident_new(struct store *st, const struct inc_new *n, int64_t now,
    char id[INC_ID_LEN + 1])
{
	struct incidents all;
	struct buf raw = { NULL, 0, 0 };
	struct new_row r;
	struct tm tm;
	time_t secs = (time_t)(now / 1000);
	int status, written;

	store_held(st, STORE_LOCK_REGISTER);
	id[0] = '\0';
	if (new_problem(n, now, st->err) != ST_OK)
		return ST_USAGE;
	if (localtime_r(&secs, &tm) == NULL || tm.tm_year + 1900 < 1 ||
	    tm.tm_year + 1900 > 9999) {
		jerr_say(st->err, ST_USAGE, _("--now is out of range"));
		return ST_USAGE;
	}
	/* a row's bytes: its free text, and the rest short */
	if ((status = event_ready(st, now, strlen(n->summary) + (n->detail ?
	    strlen(n->detail) : 0) + 1024)) != ST_OK)
		return status;
	if ((status = reload(st, &raw, &all)) != ST_OK) {
		store_unlock(st, STORE_LOCK_LOG);
		return status;
	}
	if ((status = next_id(st, &all, raw.len == 0, tm.tm_year + 1900,
	    id)) != ST_OK)
		goto out;
	new_row(&r, n, id, now);
	status = write_logged(st, &raw, r.f, inc_row_detail(r.f), &written);
	if (!written)
		id[0] = '\0';
out:
	store_unlock(st, STORE_LOCK_LOG);
	incidents_free(&all);
	buf_free(&raw);
	return status;
}

int
incident_step(struct store *st, const char *id, const struct inc_step_req *q,
    int64_t now)
{
	struct incidents all;
	struct incident *inc;
	struct buf raw = { NULL, 0, 0 };
	char rec[TIME_BUFSZ], at[TIME_BUFSZ], why[512];
	const char *f[NCOLS], *problem;
	const char *name = inc_step_names[q->step];
	int status, i;

	store_held(st, STORE_LOCK_REGISTER);
	if ((status = step_request_problem(st, id, q)) != ST_OK)
		return status;
	if ((status = event_ready(st, now, (q->note ? strlen(q->note) : 0) +
	    1024)) != ST_OK)
		return status;
	if ((status = reload(st, &raw, &all)) != ST_OK) {
		store_unlock(st, STORE_LOCK_LOG);
		return status;
	}
	if ((inc = incident_find(&all, id)) == NULL) {
		jerr_say(st->err, ST_NO, _("%s: no such incident"), id);
		status = ST_NO;
		goto out;
	}
	if ((problem = incident_step_problem(inc, q, now, why, sizeof(why))) != NULL) {
		jerr_say(st->err, ST_USAGE, _("%s %s: %s"), id, name, problem);
		oplog_log(st, q->by, "incident", id, "refused", "step=%s %s",
		    name, problem);
		status = ST_USAGE;
		goto out;
	}
	time_format(now, rec);
	time_format(q->at, at);
	for (i = 0; i < NCOLS; i++)
		f[i] = "";
	f[C_ID] = id;
	f[C_EVENT] = name;
	f[C_RECORDED] = rec;
	f[C_BY] = q->by;
	f[C_AT] = at;
	/* a note of spaces only is none (incident_note_given) */
	f[C_NOTE] = incident_note_given(q->note) ? q->note : "";
	f[C_FORCED] = q->force ? "yes" : "no";
	status = write_logged(st, &raw, f, inc_row_detail(f), NULL);
out:
	store_unlock(st, STORE_LOCK_LOG);
	incidents_free(&all);
	buf_free(&raw);
	return status;
}

/* The detail's rules (bytes, UTF-8, no control character but tab and
 * LF), line by line so that the refusal names the line: "FILE:N: why". */
static int
detail_problem(const char *path, char *p, size_t n, struct jerr *e)
{
	const char *why;
	size_t	 len, line;
	char	*nl, c;

	for (line = 1;; line++) {
		nl = memchr(p, '\n', n);
		len = nl != NULL ? (size_t)(nl - p) : n;
		why = csv_field_problem(p, len, INC_DETAIL_MAX, 1);
		if (why == NULL) {	/* no NUL in the line: text_problem sees all */
			c = p[len];
			p[len] = '\0';
			why = text_problem(p, INC_DETAIL_MAX, 1);
			p[len] = c;
		}
		if (why != NULL) {
			jerr_say(e, ST_USAGE, "%s:%zu: %s", path, line, why);
			return 1;
		}
		if (nl == NULL)
			return 0;
		p += len + 1;
		n -= len + 1;
	}
}

/* The bytes of fd into b, NUL-terminated: ST_OK; ST_FAIL when it cannot
 * be read (said, with path); ST_USAGE when it holds more than the detail
 * as kept can (CRLF as LF: more than twice the limit cannot come within
 * it).  fd is closed unless it is 0. */
static int
read_whole(int fd, const char *path, struct buf *b, struct jerr *e)
{
	char	 chunk[8192];
	ssize_t	 n;
	int	 r = ST_OK;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			jerr_say_errno(e, r = ST_FAIL, "%s", path);
			break;
		}
		if (b->len + (size_t)n > 2 * INC_DETAIL_MAX) {
			jerr_say(e, r = ST_USAGE, _("%s: longer than %d bytes"),
			    path, INC_DETAIL_MAX);
			break;
		}
		buf_add(b, chunk, (size_t)n);
	}
	if (fd != 0)
		close(fd);
	if (r != ST_OK)
		buf_free(b);
	else
		buf_add(b, "", 1);
	return r;
}

int
incident_read_detail(const char *path, char **out, struct jerr *e)
{
	struct buf b = { NULL, 0, 0 };
	size_t i, j;
	int fd, r;

	*out = NULL;
	/* standard input named as every tool names it; a file that cannot be
	 * opened or read is an operational failure (exit 3), as log-append
	 * --stdin's, not invalid input */
	if (strcmp(path, "-") == 0) {
		fd = 0;
		path = "<stdin>";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", path);
		return ST_FAIL;
	}
	if ((r = read_whole(fd, path, &b, e)) != ST_OK)
		return r;
	for (i = j = 0; i < b.len; i++)		/* CRLF -> LF */
		if (!(b.p[i] == '\r' && b.p[i + 1] == '\n'))
			b.p[j++] = b.p[i];
	b.len = j;
	if (b.len - 1 > INC_DETAIL_MAX) {
		jerr_say(e, ST_USAGE, _("%s: longer than %d bytes"), path,
		    INC_DETAIL_MAX);
		buf_free(&b);
		return ST_USAGE;
	}
	/* blank only if the run of blanks reaches the terminator we added:
	 * a NUL byte in the file is detail_problem's to name */
	if (text_blank_span(b.p, " \t\n") == b.len - 1) {
		jerr_say(e, ST_USAGE, _("%s: empty"), path);
		buf_free(&b);
		return ST_USAGE;
	}
	if (detail_problem(path, b.p, b.len - 1, e)) {
		buf_free(&b);
		return ST_USAGE;
	}
	*out = b.p;
	return ST_OK;
}
