/*
 * incident_flow.c — the R9 flow computed from an incident's events: the
 * names of kinds, causes and steps, what is outstanding and late, the APPI
 * duty and its deadlines, the rules between a new incident's values, and
 * the contradictions a new step would make.
 *
 * Invariants:
 *  - Nothing here reads or writes a file: every answer is computed from a
 *    struct incident (incident_file.c reads them) or a request, so show,
 *    list, the audit, the writer of a step or incident and the reader of
 *    its row agree by construction (incident_file.h only names the
 *    column a rule of new is about).
 *  - The name tables are the command-line and incidents.csv spellings,
 *    indexed by incident.h's enums and NULL-terminated.
 *  - Deadlines are the end of a local day, the day of detection day 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "incident.h"
#include "incident_file.h"
#include "jukisec.h"
#include "esc.h"
#include "timeutil.h"

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

int
incident_note_given(const char *note)
{
	/* a tab is refused in a note before (text_problem) */
	return note != NULL && !text_blank(note);
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
	int64_t end;

	/* the next day's midnight, its first where it comes twice */
	if (localtime_r(&secs, &tm) == NULL ||
	    local_wall_ms(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday + days,
	    0, 0, &end) == -1)
		return INT64_MAX;
	return end - 1;
}

int
incident_personal(const struct incident *inc)
{
	return inc->persons >= 0 || inc_type_personal(inc->type);
}

int
incident_appi(const struct incident *inc, struct appi *a)
{
	memset(a, 0, sizeof(*a));
	if (!incident_personal(inc))
		return 0;
	if (inc->persons < 0)
		a->grounds |= APPI_UNCOUNTED;
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
	unsigned done = done_steps(inc);
	struct appi a;

	/* a reconnection before the last disconnection is no answer to it */
	if (incident_disconnected(inc)) {
		need |= BIT(STEP_RECONNECTED);
		done &= ~BIT(STEP_RECONNECTED);
	}
	if (incident_appi(inc, &a))
		need |= BIT(STEP_PPC_PRELIMINARY) | BIT(STEP_PPC_FINAL) |
		    BIT(STEP_PERSONS_NOTIFIED);
	return need & ~done;
}

/* The reports with a deadline: R9.1's immediate ones, the APPI's. */
#define REPORTS	(BIT(STEP_MAYOR) | BIT(STEP_GM) | BIT(STEP_PPC_PRELIMINARY) | \
	BIT(STEP_PPC_FINAL))

int64_t
incident_due(const struct incident *inc, enum inc_step step, long long hours)
{
	struct appi a;

	switch (step) {
	case STEP_MAYOR:
	case STEP_GM:
		/* late from the instant hours after detection on */
		return hours < 0 ? TIME_NONE : inc->detected + hours * 3600000LL - 1;
	case STEP_PPC_PRELIMINARY:
	case STEP_PPC_FINAL:
		if (!incident_appi(inc, &a))
			return TIME_NONE;
		return step == STEP_PPC_PRELIMINARY ? a.prelim_due : a.final_due;
	default:
		return TIME_NONE;
	}
}

const struct inc_event *
incident_made(const struct incident *inc, enum inc_step step)
{
	const struct inc_event *e = incident_last(inc, step);

	if (e == NULL && step == STEP_PPC_PRELIMINARY)
		e = incident_last(inc, STEP_PPC_FINAL);
	return e;
}

unsigned
incident_overdue(const struct incident *inc, int64_t now, long long hours)
{
	return incident_closed(inc) ? 0 : incident_late(inc, now, hours);
}

unsigned
incident_late(const struct incident *inc, int64_t now, long long hours)
{
	unsigned out = incident_outstanding(inc), late = 0;
	int64_t due;
	int s;

	for (s = 0; s < NSTEPS; s++)
		if ((out & BIT(s)) && (due = incident_due(inc, s, hours)) !=
		    TIME_NONE && now > due)
			late |= BIT(s);
	return late;
}

unsigned
incident_made_late(const struct incident *inc, long long hours)
{
	const struct inc_event *e;
	unsigned late = 0;
	int64_t due;
	int s;

	for (s = 0; s < NSTEPS; s++)
		if ((REPORTS & BIT(s)) && (due = incident_due(inc, s, hours)) !=
		    TIME_NONE && (e = incident_made(inc, s)) != NULL && e->at > due)
			late |= BIT(s);
	return late;
}

unsigned
incident_closed_without(const struct incident *inc)
{
	/* no step follows closed: what is outstanding then never comes */
	return incident_closed(inc) ? incident_outstanding(inc) & REPORTS : 0;
}

const char *
incident_force_problem(const struct inc_step_req *q)
{
	if (q->force && q->step != STEP_CLOSED)
		return _("--force applies to --step closed only");
	return NULL;
}

const char *
incident_note_problem(const struct inc_step_req *q)
{
	if (incident_note_given(q->note))
		return NULL;
	switch (q->step) {
	case STEP_DISCONNECTED:
		return _("disconnected needs --note with the Mayor's grounds (R9.2)");
	case STEP_COUNTERMEASURES:
		return _("countermeasures needs --note saying what is done to prevent a recurrence (R12)");
	case STEP_CLOSED:
		/* closing over outstanding steps says why, or not at all */
		return q->force ? _("--force needs --note saying why") : NULL;
	default:
		return NULL;
	}
}

const char *
incident_new_rule(const struct inc_new *n, int64_t now, char *buf, size_t len,
    int *col)
{
	*col = C_AT;
	if (n->detected > now)
		return _("--detected is in the future");
	*col = C_OCCURRED;
	if (n->occurred != TIME_NONE && n->occurred > n->detected)
		return _("--occurred is after --detected");
	*col = C_CAUSE;
	if (n->cause >= 0 && !inc_type_has_cause(n->type)) {
		snprintf(buf, len, _("--cause names the cause of a fault "
		    "(R8): not for --type %s"), inc_type_names[n->type]);
		return buf;
	}
	/* the column of the first option given that the kind does not take */
	*col = n->persons >= 0 ? C_PERSONS : n->sensitive ? C_SENSITIVE :
	    n->financial ? C_FINANCIAL : C_UNLAWFUL;
	if (!inc_type_personal(n->type) && n->type != TYPE_UNAUTHORIZED &&
	    (n->persons >= 0 || n->sensitive || n->financial || n->unlawful))
		return _("--persons, --sensitive, --financial and "
		    "--unlawful-purpose apply to --type leak, loss, theft and "
		    "unauthorized-access only");
	if (n->type == TYPE_UNAUTHORIZED && n->persons < 0 &&
	    (n->sensitive || n->financial || n->unlawful))
		return _("--type unauthorized-access: "
		    "--sensitive, --financial and --unlawful-purpose need "
		    "--persons N (personal data reached)");
	return NULL;
}

/* Of the events of the steps in set, the one with the earliest --at, or
 * with latest the latest; NULL when none.  By time, not file order: a
 * step recorded late is dated back. */
static const struct inc_event *
event_at(const struct incident *inc, unsigned set, int latest)
{
	const struct inc_event *e = NULL;
	size_t i;

	for (i = 0; i < inc->nev; i++)
		if ((set & BIT(inc->ev[i].step)) && (e == NULL ||
		    (latest ? inc->ev[i].at > e->at : inc->ev[i].at < e->at)))
			e = &inc->ev[i];
	return e;
}

/* The step q dated before e, which it comes after (R9's order holds in
 * the times the report gives, not only in the order of recording): the
 * reason, or NULL. */
static const char *
dated_before(const struct inc_step_req *q, const struct inc_event *e,
    char *buf, size_t len)
{
	char t[TIME_BUFSZ];

	if (e == NULL || q->at >= e->at)
		return NULL;
	time_format(e->at, t);
	snprintf(buf, len, _("--at is before %s (%s)"), inc_step_names[e->step], t);
	return buf;
}

/* Long: one case a step, the R9 rules in the regulation's order, read top
 * to bottom; split, the order of the checks would be lost.  A step that
 * needs another recorded first is not dated before it either: before the
 * Mayor's first report (investigated, disconnected), the General Security
 * Manager's (the committees), the last reconnection (a new disconnection),
 * the last preliminary report (ppc-final), any step but countermeasures
 * (closed: none follows it; countermeasures, decided before or after the
 * close, are recorded whenever). */
const char *
incident_step_problem(const struct incident *inc, const struct inc_step_req *q,
    int64_t now, char *buf, size_t len)
{
	unsigned done = done_steps(inc), out;
	const struct inc_event *e;
	const char *name = inc_step_names[q->step], *why;
	char t[TIME_BUFSZ];
	size_t i;

	/* R12(2)(4)'s countermeasures are often decided after the close:
	 * the one step a closed incident still takes. */
	if ((e = incident_last(inc, STEP_CLOSED)) != NULL &&
	    q->step != STEP_COUNTERMEASURES) {
		time_format(e->at, t);
		snprintf(buf, len, _("incident %s was closed at %s"), inc->id, t);
		return buf;
	}
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
		if (!incident_personal(inc)) {
			snprintf(buf, len, _("%s applies to incidents "
			    "concerning personal data (--persons) only"), name);
			return buf;
		}
		if (q->step == STEP_PPC_PRELIMINARY && incident_last(inc, STEP_PPC_FINAL))
			return _("ppc-preliminary after ppc-final");
		if (q->step == STEP_PPC_FINAL)
			return dated_before(q, event_at(inc,
			    BIT(STEP_PPC_PRELIMINARY), 1), buf, len);
		break;
	case STEP_INVESTIGATED:
		if (!(done & BIT(STEP_MAYOR)))
			return _("investigated before mayor-reported: the Mayor investigates on the report (R9.2)");
		return dated_before(q, event_at(inc, BIT(STEP_MAYOR), 0), buf, len);
	case STEP_DISCONNECTED:
		if (!(done & BIT(STEP_MAYOR)))
			return _("disconnected before mayor-reported: the Mayor orders it on the report (R9.2)");
		if (incident_disconnected(inc))
			return _("already disconnected");
		if ((why = dated_before(q, event_at(inc, BIT(STEP_MAYOR), 0),
		    buf, len)) != NULL)
			return why;
		return dated_before(q, event_at(inc, BIT(STEP_RECONNECTED), 1),
		    buf, len);
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
		return dated_before(q, event_at(inc, BIT(STEP_GM), 0), buf, len);
	case STEP_CLOSED:
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
		return dated_before(q, event_at(inc, ~BIT(STEP_COUNTERMEASURES),
		    1), buf, len);
	default:
		break;
	}
	return NULL;
}

