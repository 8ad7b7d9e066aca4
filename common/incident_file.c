/*
 * incident_file.c — incidents.csv read and appended to.
 *
 * Invariants:
 *  - The file holds event rows only ever added, never changed: a `new`
 *    row, then the incident's steps, under the header row of cols.
 *  - Reading takes no lock: the file is only ever replaced by rename(2),
 *    so a reader sees the old or the new file, never a torn row.  One bad
 *    value costs its row (kept in the file, its id never given again),
 *    never the file; a file that is not CSV of this form is refused.
 *  - A value reads back only if the tools would take it on input: the
 *    rule of esc.h and the limits of its option for free text (as
 *    incident_check_text), blanks only as empty, a time with its time of
 *    day (time_arg), a number as its option takes it (parse_decimal), an
 *    id incident_file_id_ok accepts, a by operator_id_problem accepts
 *    (-b's rule); and a row only if the tool that writes it would have:
 *    a `new` row by the rules between its values (incident_new_rule, its
 *    recording time the clock) and with no note or forced value (new
 *    writes neither), a step row by step's rules against its incident's rows
 *    before it, read so far (incident_force_problem,
 *    incident_note_problem, incident_step_problem), so a step that only
 *    a row left out allowed is left out too.  So nothing reaches show,
 *    list or the audit that new and step would refuse.
 *  - A missing file is no incidents (jukisec-init makes none); an empty
 *    one is refused, as operators.csv is: writers never leave one.
 *  - incident_file_append writes the old bytes unchanged plus one row with
 *    pending_replace (the fixed name .tmp-incidents.csv); the
 *    caller holds STORE_LOCK_REGISTER.  The row and its log record are
 *    kept whole by the note incidents.pending (pending.h), written before
 *    the rename and removed after the record (incident_file_logged); the
 *    next writer settles a note a kill left (incident_file_settle), and
 *    removes the temporary files it left, before it reads the file.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvfile.h"
#include "csvio.h"
#include "esc.h"
#include "incident_file.h"
#include "jukisec.h"
#include "jerr.h"
#include "oplog.h"
#include "pending.h"
#include "register.h"
#include "timeutil.h"

static const char *const cols[NCOLS + 1] = { "incident", "event", "recorded",
	"by", "at", "occurred", "type", "cause", "nature", "level", "persons",
	"sensitive", "financial", "unlawful_purpose", "summary", "detail", "note",
	"forced", NULL };

/* incidents.csv's kind of note (pending.h): fixed temporary names, which
 * only incident writers make, under the register lock; a change not made
 * leaves nothing to log (the id it would have given is given again). */
static const struct pending_kind inc_kind = {
	INC_FILE, INC_PENDING_FILE, "jukisec-incident-pending v1", INC_TMP,
	".tmp-" INC_PENDING_FILE,
	N_("%s/%s: not a pending incident event; look at it and "
	    "incidents.csv, then remove it"),
	N_("%s/%s: incidents.csv is neither the one before nor the one "
	    "after the event it names; look at both, then remove it"),
	NULL, NULL
};

static char *
inc_path(struct store *st)
{
	return xasprintf("%s/%s", st->dir, INC_FILE);
}

int
incident_file_id_ok(const char *s)
{
	int i;

	if (strlen(s) != INC_ID_LEN || s[4] != '-')
		return 0;
	for (i = 0; i < INC_ID_LEN; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return 0;
	/* years 0001-9999 (incident_new), numbers from 0001 (next_id) */
	return strncmp(s, "0000", 4) != 0 && strcmp(s + 5, "0000") != 0;
}

int
incident_id_check(const char *id, struct jerr *e)
{
	if (incident_file_id_ok(id))
		return ST_OK;
	jerr_say(e, ST_USAGE, _("%s: not an incident id (YYYY-NNNN)"), id);
	return ST_USAGE;
}

/* A free-text column as its option takes it (incident_check_text): NULL
 * or the reason, *col set.  Blanks only (spaces, U+3000; tabs and line
 * ends too where multiline) are empty, as new and --detail-file take
 * them: refused when needed, or when given at all (a detail). */
static const char *
text_bad(char **f, int c, size_t max, int multiline, int needed, int *col)
{
	const char *why;

	*col = c;
	if ((why = text_problem(f[c], max, multiline)) != NULL)
		return why;
	if ((needed || *f[c] != '\0') &&
	    f[c][text_blank_span(f[c], multiline ? " \t\r\n" : " ")] == '\0')
		return _("empty");
	return NULL;
}

static int
yesno(const char *s)
{
	if (strcmp(s, "yes") == 0)
		return 1;
	if (strcmp(s, "no") == 0)
		return 0;
	return -1;
}

/* Fills inc from a `new` row recorded at `recorded`; NULL, or the reason
 * (in buf when composed) with *col set. */
static const char *
parse_new(struct incident *inc, char **f, int64_t recorded, char *buf,
    size_t len, int *col)
{
	struct inc_new n;
	long long v;
	const char *es, *why;

	if ((int)(inc->type = inc_name_index(inc_type_names, f[*col = C_TYPE])) < 0)
		return _("unknown type");
	inc->cause = -1;
	if ((*f[*col = C_CAUSE] != '\0' || inc->type == TYPE_UNRECOVERABLE) &&
	    (inc->cause = inc_name_index(inc_cause_names, f[C_CAUSE])) < 0)
		return _("unknown cause");
	*col = C_NATURE;
	inc->nature = -1;
	if (*f[C_NATURE] && (inc->nature = inc_name_index(inc_nature_names, f[C_NATURE])) < 0)
		return _("unknown nature");
	/* numbers as --level and --persons take them: no sign, no leading
	 * zero */
	*col = C_LEVEL;
	if (*f[C_LEVEL] && parse_decimal(f[C_LEVEL], 1, 4, &v, &es) == -1)
		return _("not a level 1-4");
	inc->level = *f[C_LEVEL] ? (int)v : 0;
	*col = C_PERSONS;
	inc->persons = -1;
	if (*f[C_PERSONS] && parse_decimal(f[C_PERSONS], 0, 1000000000,
	    &inc->persons, &es) == -1)
		return _("not a number of persons");
	if ((inc->sensitive = yesno(f[*col = C_SENSITIVE])) < 0 ||
	    (inc->financial = yesno(f[*col = C_FINANCIAL])) < 0 ||
	    (inc->unlawful = yesno(f[*col = C_UNLAWFUL])) < 0)
		return _("not yes or no");
	*col = C_OCCURRED;
	inc->occurred = TIME_NONE;
	if (*f[C_OCCURRED] && time_arg(f[C_OCCURRED], &inc->occurred) == -1)
		return _("not an RFC 3339 time");
	if ((why = text_bad(f, C_SUMMARY, INC_SUMMARY_MAX, 0, 1, col)) != NULL ||
	    (why = text_bad(f, C_DETAIL, INC_DETAIL_MAX, 1, 0, col)) != NULL)
		return why;
	/* the request new would have taken, at the time it was recorded */
	memset(&n, 0, sizeof(n));
	n.by = inc->by;
	n.type = inc->type;
	n.cause = inc->cause;
	n.nature = inc->nature;
	n.level = inc->level;
	n.detected = inc->detected;
	n.occurred = inc->occurred;
	n.persons = inc->persons;
	n.sensitive = inc->sensitive;
	n.financial = inc->financial;
	n.unlawful = inc->unlawful;
	n.summary = f[C_SUMMARY];
	if ((why = incident_new_rule(&n, recorded, buf, len, col)) != NULL)
		return why;
	inc->summary = xstrdup(f[C_SUMMARY]);
	inc->detail = xstrdup(f[C_DETAIL]);
	return NULL;
}

/* Adds a step row's event to inc, if step would have recorded it then
 * (now: its recording time) after the rows of inc read so far; NULL, or
 * the reason (in buf when composed) with *col set. */
static const char *
parse_step(struct incident *inc, char **f, int64_t recorded, int64_t at,
    char *buf, size_t len, int *col)
{
	struct inc_step_req q;
	struct inc_event *ev;
	const char *why;

	memset(&q, 0, sizeof(q));
	*col = C_EVENT;
	if ((q.step = inc_name_index(inc_step_names, f[C_EVENT])) < 0)
		return _("unknown event");
	if (inc == NULL)
		return _("a step before the incident's new event");
	*col = C_NOTE;
	if ((why = text_problem(f[C_NOTE], INC_NOTE_MAX, 0)) != NULL)
		return why;
	if ((q.force = yesno(f[*col = C_FORCED])) < 0)
		return _("not yes or no");
	q.by = f[C_BY];
	q.at = at;
	/* a note of spaces only is none, as step takes it */
	q.note = incident_note_given(f[C_NOTE]) ? f[C_NOTE] : "";
	if ((why = incident_force_problem(&q)) != NULL)
		return why;
	*col = C_NOTE;
	if ((why = incident_note_problem(&q)) != NULL)
		return why;
	*col = C_EVENT;
	if ((why = incident_step_problem(inc, &q, recorded, buf, len)) != NULL)
		return why;
	inc->ev = xrealloc(inc->ev, (inc->nev + 1) * sizeof(*inc->ev));
	ev = &inc->ev[inc->nev++];
	ev->step = q.step;
	ev->recorded = recorded;
	ev->at = at;
	ev->by = xstrdup(f[C_BY]);
	ev->note = xstrdup(q.note);
	ev->forced = q.force;
	return NULL;
}

/* A new report's record holds every value of its row, so that
 * jukisec-audit finds a row changed since: the flags that decide the APPI
 * duty and its deadlines, the long detail by its SHA-256, the summary
 * last (free text).  legacy: the detail incident-report wrote before
 * (type, cause, persons, detection and summary only), which the audit
 * still compares a record of that form with. */
static char *
row_detail(const char *const *f, int legacy)
{
	char	 h[65] = "";		/* pending_sha256 */

	if (strcmp(f[C_EVENT], "new") != 0)
		return xasprintf("step=%s at=%s%s%s%s", f[C_EVENT], f[C_AT],
		    strcmp(f[C_FORCED], "yes") == 0 ? " forced" : "",
		    *f[C_NOTE] ? " note=" : "", f[C_NOTE]);
	if (legacy)
		return xasprintf("new type=%s cause=%s%s%s detected=%s summary=%s",
		    f[C_TYPE], f[C_CAUSE], *f[C_PERSONS] ? " persons=" : "",
		    f[C_PERSONS], f[C_AT], f[C_SUMMARY]);
	if (*f[C_DETAIL] != '\0')
		pending_sha256(f[C_DETAIL], strlen(f[C_DETAIL]), h);
	return xasprintf("new type=%s cause=%s%s%s detected=%s occurred=%s "
	    "nature=%s level=%s sensitive=%s financial=%s unlawful-purpose=%s "
	    "detail-sha256=%s summary=%s", f[C_TYPE], f[C_CAUSE],
	    *f[C_PERSONS] ? " persons=" : "", f[C_PERSONS], f[C_AT],
	    f[C_OCCURRED], f[C_NATURE], f[C_LEVEL], f[C_SENSITIVE],
	    f[C_FINANCIAL], f[C_UNLAWFUL], h, f[C_SUMMARY]);
}

char *
inc_row_detail(const char *const *f)
{
	return row_detail(f, 0);
}

int
incident_detail_legacy(const char *detail)
{
	const char *end = strstr(detail, " summary=");

	/* the values before the summary hold no blank: its first " summary="
	 * is where the free text begins */
	return strncmp(detail, "new ", 4) == 0 && end != NULL &&
	    memmem(detail, (size_t)(end - detail), " sensitive=", 11) == NULL;
}

char *
incident_record_detail(const struct incident *inc, const struct inc_event *ev,
    int legacy)
{
	const char *f[NCOLS];
	char	 at[TIME_BUFSZ], occ[TIME_BUFSZ] = "", persons[24] = "",
		 level[12] = "";
	int	 i;

	for (i = 0; i < NCOLS; i++)
		f[i] = "";
	if (ev == NULL) {
		time_format(inc->detected, at);
		if (inc->occurred != TIME_NONE)
			time_format(inc->occurred, occ);
		if (inc->persons >= 0)
			snprintf(persons, sizeof(persons), "%lld", inc->persons);
		if (inc->level > 0)
			snprintf(level, sizeof(level), "%d", inc->level);
		f[C_EVENT] = "new";
		f[C_TYPE] = inc_type_names[inc->type];
		f[C_CAUSE] = inc->cause >= 0 ? inc_cause_names[inc->cause] : "";
		f[C_OCCURRED] = occ;
		f[C_NATURE] = inc->nature >= 0 ? inc_nature_names[inc->nature] : "";
		f[C_LEVEL] = level;
		f[C_PERSONS] = persons;
		f[C_SENSITIVE] = inc->sensitive ? "yes" : "no";
		f[C_FINANCIAL] = inc->financial ? "yes" : "no";
		f[C_UNLAWFUL] = inc->unlawful ? "yes" : "no";
		f[C_DETAIL] = inc->detail;
		f[C_SUMMARY] = inc->summary;
	} else {
		time_format(ev->at, at);
		f[C_EVENT] = inc_step_names[ev->step];
		f[C_NOTE] = ev->note;
		f[C_FORCED] = ev->forced ? "yes" : "no";
	}
	f[C_AT] = at;
	return row_detail(f, legacy);
}

/* Adds a row to all; NULL, or the reason (translated; in buf when
 * composed) with *col set. */
static const char *
parse_row(struct incidents *all, char **f, char *buf, size_t len, int *col)
{
	struct incident *inc;
	int64_t recorded, at;
	const char *why;

	if (!incident_file_id_ok(f[*col = C_ID]))
		return _("not an id YYYY-NNNN");
	if (time_arg(f[*col = C_RECORDED], &recorded) == -1 ||
	    time_arg(f[*col = C_AT], &at) == -1)
		return _("not an RFC 3339 time");
	if ((why = text_bad(f, C_BY, OPLOG_ID_MAX, 0, 1, col)) != NULL)
		return why;
	/* -b of new and step is an operator id, and the reason the
	 * confirmations.csv reader gives for one that is not */
	if (operator_id_problem(f[C_BY]) != NULL)
		return _("not an operator id");
	inc = incident_find(all, f[C_ID]);
	*col = C_EVENT;
	if (strcmp(f[C_EVENT], "new") != 0)
		return parse_step(inc, f, recorded, at, buf, len, col);
	if (inc != NULL)
		return _("a second new event for this incident");
	/* new writes note and forced empty: it takes neither --note nor
	 * --force, and says so */
	if (*f[*col = C_NOTE] != '\0' || *f[*col = C_FORCED] != '\0') {
		snprintf(buf, len, _("--%s: not with %s"), *col == C_NOTE ? "note" :
		    "force", "new");
		return buf;
	}
	all->inc = xrealloc(all->inc, (all->n + 1) * sizeof(*all->inc));
	inc = &all->inc[all->n];
	memset(inc, 0, sizeof(*inc));
	memcpy(inc->id, f[C_ID], INC_ID_LEN + 1);
	inc->recorded = recorded;
	inc->detected = at;
	inc->by = xstrdup(f[C_BY]);
	if ((why = parse_new(inc, f, recorded, buf, len, col)) != NULL) {
		free(inc->by);
		free(inc->summary);
		return why;
	}
	all->n++;
	return NULL;
}

/* A row that does not read back: said, counted, its id kept so that it
 * is never given again. */
static void
leave_out(struct incidents *all, const struct csv_record *rec,
    const char *path, int col, const char *why, struct jerr *e)
{
	jerr_say(e, ST_OK, _("%s:%zu: field %s: %s (row left out)"), path,
	    rec->line, cols[col], why);
	all->damaged++;
	if (incident_file_id_ok(rec->field[C_ID])) {
		all->bad_id = xrealloc(all->bad_id,
		    (all->nbad_id + 1) * sizeof(*all->bad_id));
		memcpy(all->bad_id[all->nbad_id++], rec->field[C_ID],
		    INC_ID_LEN + 1);
	}
}

/* The rows of the bytes b (not empty) into all: ST_OK or ST_FAIL. */
static int
parse_rows(struct buf *b, const char *path, struct incidents *all,
    struct jerr *e)
{
	struct csv_reader *r;
	struct csv_record *rec;
	FILE *fp;
	const char *why;
	char buf[512];
	int col, rv;

	if ((fp = fmemopen(b->p, b->len, "r")) == NULL)
		err(ST_FAIL, "fmemopen");
	r = csvr_open(fp, path, cols, NCOLS, 1UL << C_DETAIL, 1, INC_DETAIL_MAX);
	csvr_errto(r, e);
	/* one bad value costs its row, never the file: invalid UTF-8 too */
	csvr_row_errors(r);
	while ((rv = csvr_next(r, &rec)) == 1) {
		col = (int)rec->bad_field;
		if ((why = rec->bad_why) != NULL ||
		    (why = parse_row(all, rec->field, buf, sizeof(buf),
		    &col)) != NULL)
			leave_out(all, rec, path, col, why, e);
	}
	csvr_close(r);
	fclose(fp);
	return rv == -1 ? ST_FAIL : ST_OK;
}

int
incident_file_load(struct store *st, struct buf *raw, struct incidents *all,
    struct jerr *e)
{
	struct buf b = { NULL, 0, 0 };
	struct stat sb;
	char *path;
	int status = ST_OK;

	memset(all, 0, sizeof(*all));
	if (csvfile_read_err(st, INC_FILE, &b, e) != ST_OK)
		return ST_FAIL;
	path = inc_path(st);
	if (b.len > 0)
		status = parse_rows(&b, path, all, e);
	else if (fstatat(st->dirfd, INC_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    sb.st_size == 0) {
		/* there but empty (missing, or made since: no incidents) */
		jerr_say(e, ST_FAIL, "%s:1: %s", path, _("no header line"));
		status = ST_FAIL;
	}
	free(path);
	if (status != ST_OK || raw == NULL)
		buf_free(&b);
	else
		*raw = b;
	if (status != ST_OK)
		incidents_free(all);
	return status;
}

int
incidents_load(struct store *st, struct incidents *all)
{
	return incident_file_load(st, NULL, all, NULL);
}

int
incidents_load_err(struct store *st, struct incidents *all, struct jerr *e)
{
	return incident_file_load(st, NULL, all, e);
}

void
incidents_free(struct incidents *all)
{
	size_t i, j;

	for (i = 0; i < all->n; i++) {
		struct incident *inc = &all->inc[i];

		for (j = 0; j < inc->nev; j++) {
			free(inc->ev[j].by);
			free(inc->ev[j].note);
		}
		free(inc->ev);
		free(inc->by);
		free(inc->summary);
		free(inc->detail);
	}
	free(all->inc);
	free(all->bad_id);
	memset(all, 0, sizeof(*all));
}

struct incident *
incident_find(struct incidents *all, const char *id)
{
	size_t i;

	for (i = 0; i < all->n; i++)
		if (strcmp(all->inc[i].id, id) == 0)
			return &all->inc[i];
	return NULL;
}

int
incident_file_settle(struct store *st)
{
	return pending_settle(st, &inc_kind);
}

int
incident_file_append(struct store *st, const struct buf *raw,
    const char *const *f, const struct oplog_rec *rec, int *in)
{
	char *b = NULL;
	size_t n = 0;
	int r;

	*in = 0;
	if (csvfile_after(raw, cols, f, NCOLS, &b, &n) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, INC_FILE);
		free(b);
		return ST_FAIL;
	}
	r = pending_replace(st, &inc_kind, raw, b, n, rec, in);
	free(b);
	return r;
}

int
incidents_note(struct store *st, struct jerr *e)
{
	struct jerr *caller = st->err;
	char	 object[128];
	int	 r;

	st->err = e;
	r = pending_look(st, &inc_kind, object, sizeof(object));
	st->err = caller;
	return r;
}

int
incident_file_logged(struct store *st)
{
	return pending_remove(st, &inc_kind);
}
