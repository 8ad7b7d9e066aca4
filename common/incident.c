/*
 * incident.c — incidents.csv and the R9 flow.
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
 *  - Lock order REGISTER then LOG: the operation-log record (action
 *    `incident`) is appended while the register lock is held.  Refused
 *    requests are logged too (result `refused`).
 *  - notify_command is incident_notify.c's.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csvio.h"
#include "esc.h"
#include "incident.h"
#include "jukisec.h"
#include "csvfile.h"
#include "oplog.h"
#include "timeutil.h"

#define INC_FILE	"incidents.csv"

const char *const inc_type_names[] = { "unrecoverable", "leak", "loss",
	"theft", "unauthorized-access", "other", NULL };
const char *const inc_cause_names[] = { "electrical", "water", "fire",
	"earthquake", "climate", "movement", "lightning", "other", NULL };
const char *const inc_nature_names[] = { "fault", "misconduct", "negligence",
	NULL };
const char *const inc_step_names[] = { "jlis-contacted", "vendor-contacted",
	"mayor-reported", "general-manager-reported", "investigated",
	"disconnected", "reconnected", "committee-reported",
	"pic-committee-reported", "closed", "ppc-preliminary", "ppc-final",
	"persons-notified", "countermeasures", NULL };

enum { C_ID, C_EVENT, C_RECORDED, C_BY, C_AT, C_OCCURRED, C_TYPE, C_CAUSE,
	C_NATURE, C_LEVEL, C_PERSONS, C_SENSITIVE, C_FINANCIAL, C_UNLAWFUL,
	C_SUMMARY, C_DETAIL, C_NOTE, C_FORCED, NCOLS };
static const char *const cols[NCOLS + 1] = { "incident", "event", "recorded",
	"by", "at", "occurred", "type", "cause", "nature", "level", "persons",
	"sensitive", "financial", "unlawful_purpose", "summary", "detail", "note",
	"forced", NULL };

int
inc_type_personal(int type)
{
	return type == TYPE_LEAK || type == TYPE_LOSS || type == TYPE_THEFT;
}

int
inc_type_has_cause(int type)
{
	return type != TYPE_LOSS && type != TYPE_THEFT &&
	    type != TYPE_UNAUTHORIZED;
}

int
inc_name_index(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *
inc_name_list(const char *const *names)
{
	static char buf[512];
	size_t i;

	buf[0] = '\0';
	for (i = 0; names[i] != NULL; i++) {
		if (i > 0)
			strncat(buf, ", ", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, names[i], sizeof(buf) - strlen(buf) - 1);
	}
	return buf;
}

static char *
inc_path(struct store *st)
{
	return xasprintf("%s/%s", st->dir, INC_FILE);
}

static int
valid_id(const char *s)
{
	int i;

	if (strlen(s) != INC_ID_LEN || s[4] != '-')
		return 0;
	for (i = 0; i < INC_ID_LEN; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
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

/* Fills inc from a `new` row; NULL, or the reason with *col set. */
static const char *
parse_new(struct incident *inc, char **f, int *col)
{
	long long v;
	const char *es;

	if ((int)(inc->type = inc_name_index(inc_type_names, f[*col = C_TYPE])) < 0)
		return N_("unknown type");
	inc->cause = -1;
	if ((*f[*col = C_CAUSE] != '\0' || inc->type == TYPE_UNRECOVERABLE) &&
	    (inc->cause = inc_name_index(inc_cause_names, f[C_CAUSE])) < 0)
		return N_("unknown cause");
	*col = C_NATURE;
	inc->nature = -1;
	if (*f[C_NATURE] && (inc->nature = inc_name_index(inc_nature_names, f[C_NATURE])) < 0)
		return N_("unknown nature");
	*col = C_LEVEL;
	if (*f[C_LEVEL] && parse_num(f[C_LEVEL], 1, 4, &v, &es) == -1)
		return N_("not a level 1-4");
	inc->level = *f[C_LEVEL] ? (int)v : 0;
	*col = C_PERSONS;
	inc->persons = -1;
	if (*f[C_PERSONS] && parse_num(f[C_PERSONS], 0, 1000000000, &inc->persons, &es) == -1)
		return N_("not a number of persons");
	if ((inc->sensitive = yesno(f[*col = C_SENSITIVE])) < 0 ||
	    (inc->financial = yesno(f[*col = C_FINANCIAL])) < 0 ||
	    (inc->unlawful = yesno(f[*col = C_UNLAWFUL])) < 0)
		return N_("not yes or no");
	*col = C_OCCURRED;
	inc->occurred = TIME_NONE;
	if (*f[C_OCCURRED] && time_parse(f[C_OCCURRED], &inc->occurred) == -1)
		return N_("not an RFC 3339 time");
	if (*f[*col = C_SUMMARY] == '\0')
		return N_("empty");
	inc->summary = xstrdup(f[C_SUMMARY]);
	inc->detail = xstrdup(f[C_DETAIL]);
	return NULL;
}

static const char *
parse_row(struct incidents *all, char **f, int *col)
{
	struct incident *inc;
	struct inc_event *ev;
	int64_t recorded, at;
	int step, forced;
	const char *why;

	if (!valid_id(f[*col = C_ID]))
		return N_("not an id YYYY-NNNN");
	if (time_parse(f[*col = C_RECORDED], &recorded) == -1 ||
	    time_parse(f[*col = C_AT], &at) == -1)
		return N_("not an RFC 3339 time");
	if (*f[*col = C_BY] == '\0')
		return N_("empty");
	inc = incident_find(all, f[C_ID]);
	*col = C_EVENT;
	if (strcmp(f[C_EVENT], "new") == 0) {
		if (inc != NULL)
			return N_("a second new event for this incident");
		all->inc = xrealloc(all->inc, (all->n + 1) * sizeof(*all->inc));
		inc = &all->inc[all->n];
		memset(inc, 0, sizeof(*inc));
		memcpy(inc->id, f[C_ID], INC_ID_LEN + 1);
		inc->recorded = recorded;
		inc->detected = at;
		inc->by = xstrdup(f[C_BY]);
		why = parse_new(inc, f, col);
		if (why != NULL) {
			free(inc->by);
			free(inc->summary);
			return why;
		}
		all->n++;
		return NULL;
	}
	if ((step = inc_name_index(inc_step_names, f[C_EVENT])) < 0)
		return N_("unknown event");
	if (inc == NULL)
		return N_("a step before the incident's new event");
	if ((forced = yesno(f[*col = C_FORCED])) < 0)
		return N_("not yes or no");
	inc->ev = xrealloc(inc->ev, (inc->nev + 1) * sizeof(*inc->ev));
	ev = &inc->ev[inc->nev++];
	ev->step = step;
	ev->recorded = recorded;
	ev->at = at;
	ev->by = xstrdup(f[C_BY]);
	ev->note = xstrdup(f[C_NOTE]);
	ev->forced = forced;
	return NULL;
}

/* Reads the file's bytes into raw (when not NULL) and its incidents;
 * messages to *e (jerr_say: NULL prints them). */
static int
load(struct store *st, struct buf *raw, struct incidents *all, struct jerr *e)
{
	struct buf b = { NULL, 0, 0 };
	struct csv_reader *r;
	struct csv_record *rec;
	char *path;
	FILE *fp;
	int col, rv, status = ST_OK;
	const char *why;

	memset(all, 0, sizeof(*all));
	if (csvfile_read_err(st, INC_FILE, &b, e) != ST_OK)
		return ST_FAIL;
	path = inc_path(st);
	if (b.len > 0) {
		if ((fp = fmemopen(b.p, b.len, "r")) == NULL)
			err(ST_FAIL, "fmemopen");
		r = csvr_open(fp, path, cols, NCOLS, 1UL << C_DETAIL, 1, INC_DETAIL_MAX);
		csvr_errto(r, e);
		while ((rv = csvr_next(r, &rec)) == 1) {
			if ((why = parse_row(all, rec->field, &col)) == NULL)
				continue;
			/* one bad value costs its row, never the file */
			jerr_say(e, ST_OK, _("%s:%zu: field %s: %s (row left out)"),
			    path, rec->line, cols[col], _(why));
			all->damaged++;
			if (valid_id(rec->field[C_ID])) {
				all->bad_id = xrealloc(all->bad_id,
				    (all->nbad_id + 1) * sizeof(*all->bad_id));
				memcpy(all->bad_id[all->nbad_id++],
				    rec->field[C_ID], INC_ID_LEN + 1);
			}
		}
		if (rv == -1)
			status = ST_FAIL;
		csvr_close(r);
		fclose(fp);
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
	return load(st, NULL, all, NULL);
}

int
incidents_load_err(struct store *st, struct incidents *all, struct jerr *e)
{
	return load(st, NULL, all, e);
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

/* Replaces incidents.csv by raw plus one row. */
static int
write_row(struct store *st, const struct buf *raw, const char *const *f)
{
	struct atomic_file af;
	char *path = inc_path(st);
	int rv = 0;

	if (atomic_begin(&af, st->dirfd, INC_FILE, 0600) == -1) {
		warn("%s", path);
		free(path);
		return ST_FAIL;
	}
	if (raw->len == 0)
		rv = csv_write_record(af.fp, cols, NCOLS);
	else if (fwrite(raw->p, 1, raw->len, af.fp) != raw->len ||
	    (raw->p[raw->len - 1] != '\n' && putc('\n', af.fp) == EOF))
		rv = -1;
	if (rv == 0)
		rv = csv_write_record(af.fp, f, NCOLS);
	if (rv == -1) {
		warn("%s", path);
		atomic_abort(&af);
		free(path);
		return ST_FAIL;
	}
	if (atomic_commit(&af) == -1) {
		warn("%s", path);
		free(path);
		return ST_FAIL;
	}
	free(path);
	return ST_OK;
}

/* Fields end up on terminals and printers: beyond csv_field_problem, no
 * control character but tab (and LF where multiline). */
static int
field_ok(const char *opt, const char *s, size_t max, int multiline)
{
	const char *why;

	/* the one rule for free text (esc.h), as for the register */
	if ((why = text_problem(s, max, multiline)) != NULL) {
		warnx(_("%s: %s"), opt, why);
		return 0;
	}
	return 1;
}

int
incident_check_text(const struct inc_new *n, const struct inc_step_req *q)
{
	if (n != NULL && (!field_ok("--by", n->by, OPLOG_ID_MAX, 0) ||
	    !field_ok("--summary", n->summary, INC_SUMMARY_MAX, 0) ||
	    (n->detail != NULL && !field_ok("--detail-file", n->detail,
	    INC_DETAIL_MAX, 1))))
		return ST_USAGE;
	if (q != NULL && (!field_ok("--by", q->by, OPLOG_ID_MAX, 0) ||
	    (q->note != NULL && !field_ok("--note", q->note, INC_NOTE_MAX, 0))))
		return ST_USAGE;
	return ST_OK;
}

int
incident_new(struct store *st, const struct inc_new *n, int64_t now,
    char id[INC_ID_LEN + 1])
{
	struct incidents all;
	struct buf raw = { NULL, 0, 0 };
	char rec[TIME_BUFSZ], det[TIME_BUFSZ], occ[TIME_BUFSZ] = "";
	char level[16] = "", persons[24] = "", prefix[16], idbuf[32];
	const char *f[NCOLS];
	struct tm tm;
	time_t secs = (time_t)(now / 1000);
	size_t i;
	int last = 0, status;

	store_held(st, STORE_LOCK_REGISTER);
	id[0] = '\0';
	if (incident_check_text(n, NULL) != ST_OK)
		return ST_USAGE;
	if (n->summary[0] == '\0') {
		warnx(_("--summary: empty"));
		return ST_USAGE;
	}
	if (n->detected > now) {
		warnx(_("--detected is in the future"));
		return ST_USAGE;
	}
	if (n->occurred != TIME_NONE && n->occurred > n->detected) {
		warnx(_("--occurred is after --detected"));
		return ST_USAGE;
	}
	if (n->cause >= 0 && !inc_type_has_cause(n->type)) {
		warnx(_("--cause names the cause of a fault (R8): not for --type %s"),
		    inc_type_names[n->type]);
		return ST_USAGE;
	}
	if (inc_type_personal(n->type) && n->persons < 0) {
		warnx(_("--type %s needs --persons N (APPI Art. 68; an estimate "
		    "will do, 0 when no personal data was concerned)"),
		    inc_type_names[n->type]);
		return ST_USAGE;
	}
	if (!inc_type_personal(n->type) && n->type != TYPE_UNAUTHORIZED &&
	    (n->persons >= 0 || n->sensitive || n->financial || n->unlawful)) {
		warnx(_("--persons, --sensitive, --financial and "
		    "--unlawful-purpose apply to --type leak, loss, theft and "
		    "unauthorized-access only"));
		return ST_USAGE;
	}
	if (n->persons < 0 && (n->sensitive || n->financial || n->unlawful)) {
		warnx(_("--sensitive, --financial and --unlawful-purpose need "
		    "--persons N"));
		return ST_USAGE;
	}
	if (localtime_r(&secs, &tm) == NULL || tm.tm_year + 1900 < 1 ||
	    tm.tm_year + 1900 > 9999) {
		warnx(_("--now is out of range"));
		return ST_USAGE;
	}

	snprintf(prefix, sizeof(prefix), "%04d-", tm.tm_year + 1900);

	if ((status = load(st, &raw, &all, NULL)) != ST_OK)
		return status;
	for (i = 0; i < all.n + all.nbad_id; i++) {
		const char *iid = i < all.n ? all.inc[i].id : all.bad_id[i - all.n];
		long long v;
		const char *es;

		if (strncmp(iid, prefix, 5) == 0 &&
		    parse_num(iid + 5, 0, 9999, &v, &es) == 0 && v > last)
			last = (int)v;
	}
	if (last >= 9999) {
		warnx(_("%s/%s: no incident number left for %d"), st->dir, INC_FILE,
		    tm.tm_year + 1900);
		status = ST_FAIL;
		goto out;
	}
	snprintf(idbuf, sizeof(idbuf), "%04d-%04d", tm.tm_year + 1900, last + 1);
	memcpy(id, idbuf, INC_ID_LEN + 1);
	time_format(now, rec);
	time_format(n->detected, det);
	if (n->occurred != TIME_NONE)
		time_format(n->occurred, occ);
	if (n->level > 0)
		snprintf(level, sizeof(level), "%d", n->level);
	if (n->persons >= 0)
		snprintf(persons, sizeof(persons), "%lld", n->persons);
	f[C_ID] = id;
	f[C_EVENT] = "new";
	f[C_RECORDED] = rec;
	f[C_BY] = n->by;
	f[C_AT] = det;
	f[C_OCCURRED] = occ;
	f[C_TYPE] = inc_type_names[n->type];
	f[C_CAUSE] = n->cause >= 0 ? inc_cause_names[n->cause] : "";
	f[C_NATURE] = n->nature >= 0 ? inc_nature_names[n->nature] : "";
	f[C_LEVEL] = level;
	f[C_PERSONS] = persons;
	f[C_SENSITIVE] = n->sensitive ? "yes" : "no";
	f[C_FINANCIAL] = n->financial ? "yes" : "no";
	f[C_UNLAWFUL] = n->unlawful ? "yes" : "no";
	f[C_SUMMARY] = n->summary;
	f[C_DETAIL] = n->detail != NULL ? n->detail : "";
	f[C_NOTE] = "";
	f[C_FORCED] = "";
	if ((status = write_row(st, &raw, f)) != ST_OK) {
		id[0] = '\0';
		goto out;
	}
	status = oplog_log(st, n->by, "incident", id, "ok",
	    "new type=%s cause=%s%s%s detected=%s summary=%s",
	    inc_type_names[n->type], n->cause >= 0 ? inc_cause_names[n->cause] : "",
	    n->persons >= 0 ? " persons=" : "", persons, det, n->summary);
out:
	incidents_free(&all);
	buf_free(&raw);
	return status;
}

const struct inc_event *
incident_last(const struct incident *inc, enum inc_step step)
{
	size_t i;

	for (i = inc->nev; i-- > 0;)
		if (inc->ev[i].step == step)
			return &inc->ev[i];
	return NULL;
}

int
incident_closed(const struct incident *inc)
{
	return incident_last(inc, STEP_CLOSED) != NULL;
}

int
incident_disconnected(const struct incident *inc)
{
	size_t i;

	for (i = inc->nev; i-- > 0;) {
		if (inc->ev[i].step == STEP_RECONNECTED)
			return 0;
		if (inc->ev[i].step == STEP_DISCONNECTED)
			return 1;
	}
	return 0;
}

/* The last millisecond of local day `days` counting the day of t as day 1. */
static int64_t
local_day_end(int64_t t, int days)
{
	time_t secs = (time_t)((t >= 0 ? t : t - 999) / 1000);
	struct tm tm;

	if (localtime_r(&secs, &tm) == NULL)
		return INT64_MAX;
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000 - 1;
}

int
incident_appi(const struct incident *inc, struct appi *a)
{
	memset(a, 0, sizeof(*a));
	if (inc->persons < 0)
		return 0;
	if (inc->sensitive)
		a->grounds |= APPI_SENSITIVE;
	if (inc->financial)
		a->grounds |= APPI_FINANCIAL;
	if (inc->unlawful)
		a->grounds |= APPI_UNLAWFUL;
	if (inc->persons > INC_PERSONS_THRESHOLD)
		a->grounds |= APPI_PERSONS;
	if (a->grounds == 0)
		return 0;
	a->prelim_due = local_day_end(inc->detected, INC_PRELIM_DAYS);
	a->final_due = local_day_end(inc->detected,
	    inc->unlawful ? INC_FINAL_DAYS_UNLAWFUL : INC_FINAL_DAYS);
	return 1;
}

#define BIT(s)	(1U << (s))

static unsigned
done_steps(const struct incident *inc)
{
	unsigned done = 0;
	size_t i;

	for (i = 0; i < inc->nev; i++)
		done |= BIT(inc->ev[i].step);
	/* A final report made without a preliminary one answers both. */
	if (done & BIT(STEP_PPC_FINAL))
		done |= BIT(STEP_PPC_PRELIMINARY);
	return done;
}

unsigned
incident_outstanding(const struct incident *inc)
{
	/* R9.1: respond with J-LIS and the contractor, report to the Mayor and
	 * the General Security Manager; R9.2: the Mayor investigates; R9.3:
	 * the two committees are told. */
	unsigned need = BIT(STEP_JLIS) | BIT(STEP_VENDOR) | BIT(STEP_MAYOR) |
	    BIT(STEP_GM) | BIT(STEP_INVESTIGATED) | BIT(STEP_COMMITTEE) |
	    BIT(STEP_PIC_COMMITTEE);
	struct appi a;

	if (incident_disconnected(inc))
		need |= BIT(STEP_RECONNECTED);
	if (incident_appi(inc, &a))
		need |= BIT(STEP_PPC_PRELIMINARY) | BIT(STEP_PPC_FINAL) |
		    BIT(STEP_PERSONS_NOTIFIED);
	return need & ~done_steps(inc);
}

unsigned
incident_overdue(const struct incident *inc, int64_t now, long long hours)
{
	unsigned out = incident_outstanding(inc), late = 0;
	struct appi a;

	if (incident_closed(inc))
		return 0;
	if (hours >= 0 && now - inc->detected >= hours * 3600000LL)
		late |= out & (BIT(STEP_MAYOR) | BIT(STEP_GM));
	if (incident_appi(inc, &a)) {
		if (now > a.prelim_due)
			late |= out & BIT(STEP_PPC_PRELIMINARY);
		if (now > a.final_due)
			late |= out & BIT(STEP_PPC_FINAL);
	}
	return late;
}

/* The R9 contradictions; NULL when the step may be recorded. */
static const char *
step_problem(const struct incident *inc, const struct inc_step_req *q,
    int64_t now, char *buf, size_t len)
{
	unsigned done = done_steps(inc), out;
	const struct inc_event *e;
	const char *name = inc_step_names[q->step];
	char t[TIME_BUFSZ];
	size_t i;

	if ((e = incident_last(inc, STEP_CLOSED)) != NULL) {
		time_format(e->at, t);
		snprintf(buf, len, _("incident %s was closed at %s"), inc->id, t);
		return buf;
	}
	if (q->force && q->step != STEP_CLOSED)
		return _("--force applies to --step closed only");
	if (q->at > now)
		return _("--at is in the future");
	if (q->at < inc->detected) {
		time_format(inc->detected, t);
		snprintf(buf, len, _("--at is before the incident was detected (%s)"), t);
		return buf;
	}
	switch (q->step) {
	case STEP_PPC_PRELIMINARY:
	case STEP_PPC_FINAL:
	case STEP_PERSONS_NOTIFIED:
		if (inc->persons < 0) {
			snprintf(buf, len, _("%s applies to incidents "
			    "concerning personal data (--persons) only"), name);
			return buf;
		}
		if (q->step == STEP_PPC_PRELIMINARY && incident_last(inc, STEP_PPC_FINAL))
			return _("ppc-preliminary after ppc-final");
		break;
	case STEP_INVESTIGATED:
		if (!(done & BIT(STEP_MAYOR)))
			return _("investigated before mayor-reported: the Mayor investigates on the report (R9.2)");
		break;
	case STEP_DISCONNECTED:
		if (!(done & BIT(STEP_MAYOR)))
			return _("disconnected before mayor-reported: the Mayor orders it on the report (R9.2)");
		if (incident_disconnected(inc))
			return _("already disconnected");
		if (q->note == NULL || q->note[0] == '\0')
			return _("disconnected needs --note with the Mayor's grounds (R9.2)");
		break;
	case STEP_RECONNECTED:
		if (!incident_disconnected(inc))
			return _("reconnected before disconnected");
		if (q->at < incident_last(inc, STEP_DISCONNECTED)->at)
			return _("--at is before the disconnection");
		break;
	case STEP_COMMITTEE:
	case STEP_PIC_COMMITTEE:
		if (!(done & BIT(STEP_GM))) {
			snprintf(buf, len, _("%s before general-manager-reported: the General Security Manager reports to the committees (R9.3)"), name);
			return buf;
		}
		break;
	case STEP_COUNTERMEASURES:
		if (q->note == NULL || q->note[0] == '\0')
			return _("countermeasures needs --note saying what is done to prevent a recurrence (R12)");
		break;
	case STEP_CLOSED:
		if (q->force && (q->note == NULL || q->note[0] == '\0'))
			return _("--force needs --note saying why");
		if ((out = incident_outstanding(inc)) != 0 && !q->force) {
			snprintf(buf, len, _("cannot close: still outstanding:"));
			for (i = 0; i < NSTEPS; i++)
				if (out & BIT(i)) {
					strncat(buf, " ", len - strlen(buf) - 1);
					strncat(buf, inc_step_names[i], len - strlen(buf) - 1);
				}
			strncat(buf, _(" (--force with --note to close anyway)"),
			    len - strlen(buf) - 1);
			return buf;
		}
		break;
	default:
		break;
	}
	return NULL;
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
	if (incident_check_text(NULL, q) != ST_OK)
		return ST_USAGE;
	if (!valid_id(id)) {
		warnx(_("%s: not an incident id (YYYY-NNNN)"), id);
		return ST_USAGE;
	}
	if ((status = load(st, &raw, &all, NULL)) != ST_OK)
		return status;
	if ((inc = incident_find(&all, id)) == NULL) {
		warnx(_("%s: no such incident"), id);
		status = ST_NO;
		goto out;
	}
	if ((problem = step_problem(inc, q, now, why, sizeof(why))) != NULL) {
		warnx(_("%s %s: %s"), id, name, problem);
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
	f[C_NOTE] = q->note != NULL ? q->note : "";
	f[C_FORCED] = q->force ? "yes" : "no";
	if ((status = write_row(st, &raw, f)) != ST_OK)
		goto out;
	status = oplog_log(st, q->by, "incident", id, "ok", "step=%s at=%s%s%s%s",
	    name, at, q->force ? " forced" : "", f[C_NOTE][0] ? " note=" : "",
	    f[C_NOTE]);
out:
	incidents_free(&all);
	buf_free(&raw);
	return status;
}

int
incident_read_detail(const char *path, char **out)
{
	struct buf b = { NULL, 0, 0 };
	char chunk[8192];
	const char *why;
	size_t i, j;
	ssize_t n;
	int fd;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		fd = 0;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s", path);
		return ST_USAGE;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || b.len + (size_t)n > INC_DETAIL_MAX) {
			if (n == -1)
				warn("%s", path);
			else
				warnx(_("%s: longer than %d bytes"), path, INC_DETAIL_MAX);
			if (fd != 0)
				close(fd);
			buf_free(&b);
			return ST_USAGE;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	if (fd != 0)
		close(fd);
	buf_add(&b, "", 1);
	for (i = j = 0; i < b.len; i++)		/* CRLF -> LF */
		if (!(b.p[i] == '\r' && b.p[i + 1] == '\n'))
			b.p[j++] = b.p[i];
	b.len = j;
	if ((why = csv_field_problem(b.p, b.len - 1, INC_DETAIL_MAX, 1)) != NULL) {
		warnx(_("%s: %s"), path, why);
		buf_free(&b);
		return ST_USAGE;
	}
	*out = b.p;
	return ST_OK;
}
