/*
 * audit_incidents.c — R9 in the audit: serious incidents still open with
 * steps outstanding, and the reports with a deadline (R9.1's immediate
 * ones to the Mayor and the General Security Manager; the APPI's after a
 * leak, by day 3 and day 30) that are late: still
 * outstanding, or, for the incidents of the period, made after their
 * deadlines or never made because the incident was closed without them.
 *
 * Invariants: the state of an incident and its deadlines are what
 * incident_flow.c computes from incidents.csv (incident_outstanding,
 * incident_overdue, incident_due, incident_made); nothing is recomputed
 * here, so the audit and incident-report show agree on what is late.
 * Steps are named for people (steps()), never by their spellings.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "audit.h"
#include "csvio.h"
#include "incident.h"
#include "pending.h"
#include "timeutil.h"

/* R9.1 says "immediately" (直ちに); a report not made within this many
 * hours of detection is late (incident_due), overdue while not made. */
#define AUDIT_REPORT_HOURS	24

/* The steps of bits by their names for people, in the report's language. */
static char *
steps(const struct audit *a, unsigned bits)
{
	struct buf b = { 0 };
	const char *sep = L(a, "; ", "、");
	char	 name[768];
	int	 s;

	for (s = 0; s < NSTEPS; s++)
		if (bits & 1u << s) {
			if (b.len)
				buf_add(&b, sep, strlen(sep));
			inc_step_text(&a->st->conf, s, a->o->ja ? INC_JA : INC_EN,
			    name, sizeof(name));
			buf_add(&b, name, strlen(name));
		}
	buf_add(&b, "", 1);
	return b.p;
}

/* A deadline as the report shows it: the last whole minute before the
 * instant a report is late from (incident_due gives the last instant in
 * time).  A detection at 09:00:30 is due at 08:59 the next day, not at
 * 09:00, the minute a report ten seconds late is made in. */
static int64_t
due_minute(int64_t due)
{
	const int64_t min = 60000;
	int64_t late = due + 1;

	return late - ((late % min) + min) % min - min;
}

/* The reports of bits made late, each with when it was due and when it
 * was made (incident_due, incident_made), in the report's language. */
static char *
late_steps(const struct audit *a, const struct incident *inc, unsigned bits)
{
	struct buf b = { 0 };
	const char *sep = L(a, "; ", "、");
	char	 name[768], due[64], made[64], *t;
	int	 s;

	for (s = 0; s < NSTEPS; s++) {
		if (!(bits & 1u << s))
			continue;
		if (b.len)
			buf_add(&b, sep, strlen(sep));
		inc_step_text(&a->st->conf, s, a->o->ja ? INC_JA : INC_EN,
		    name, sizeof(name));
		audit_date(a, due_minute(incident_due(inc, s,
		    AUDIT_REPORT_HOURS)), due, sizeof(due));
		audit_date(a, incident_made(inc, s)->at, made, sizeof(made));
		t = xasprintf(L(a, "%s (due %s, made %s)", "%s(期限 %s、実施 %s)"),
		    name, due, made);
		buf_add(&b, t, strlen(t));
		free(t);
	}
	buf_add(&b, "", 1);
	return b.p;
}

/* An incident of the period: recorded, detected or closed in it, open or
 * not (one reported and closed on the same day is one like any other). */
static int
of_period(const struct audit *a, const struct incident *inc)
{
	const struct period *p = &a->o->per;
	const struct inc_event *closed = incident_last(inc, STEP_CLOSED);

	return period_has(p, inc->recorded) || period_has(p, inc->detected) ||
	    (closed != NULL && period_has(p, closed->at));
}

/* One "incident" record of the log's pass, result ok: an event
 * incidents.csv must hold (its row is written before its record, and
 * rows are never removed). */
struct inc_logged {
	long long	seq;
	char		id[INC_ID_LEN + 1];
	int		step;		/* enum inc_step, -1 the new report */
	char		*by, *detail;	/* the record's operator and detail */
};

/* incidents.csv and its note as read under the register lock, and the
 * incident records of the log's pass. */
struct audit_inc {
	struct incidents in;
	struct jerr	 e;		/* why it did not read, or the first
					 * row left out */
	int		 ok;
	int		 note;		/* incidents_note's answer, or
					 * PENDING_NONE when no note is left */
	long long	 bound;		/* the log's head before the file was
					 * read: records up to it have their
					 * rows in it; -1 not known */
	struct jerr	 note_e;
	struct inc_logged *log;
	size_t		 nlog, cap;
};

/* incidents.pending, which a writer killed between its note and its log
 * record left (incident_file.h): an item, 1, until the next
 * incident-report new or step settles it, since incidents are rare and
 * meanwhile the log may lack an event's record (R6), or an event the
 * recorder believes recorded was not.  An empty file is no note, as for
 * the writers; the Japanese, the committee's, says what settles it in
 * words. */
static int
pending_say(struct audit *a)
{
	const struct audit_inc *m = a->inc;

	switch (m->note) {
	case PENDING_NONE:
		return 0;
	case PENDING_BEFORE:
		if (a->o->ja)
			check_item(a, INC_PENDING_FILE, "%s", "事態又は対応を記録"
			    "する書込みが中断され、記録されていません。改めて記録"
			    "してください(次の記録の際に控えは削除されます)");
		else
			check_item(a, INC_PENDING_FILE, "%s: an interrupted "
			    "incident-report new or step was not made; record it "
			    "again (the next new or step removes the note)",
			    INC_PENDING_FILE);
		return 1;
	case PENDING_AFTER:
		if (a->o->ja)
			check_item(a, INC_PENDING_FILE, "%s", "操作履歴への記録が"
			    "確定していない事態の記録があります(書込みが中断されま"
			    "した)。次に事態又は対応を記録する際に確定します");
		else
			check_item(a, INC_PENDING_FILE, "%s: an event whose "
			    "operation-log record is not settled (a writer was "
			    "interrupted); the next incident-report new or step "
			    "settles it", INC_PENDING_FILE);
		return 1;
	}
	/* the writers' words name the directory: in Japanese, in words */
	check_item(a, INC_PENDING_FILE, "%s", a->o->ja ? "事態の記録の変更の控え"
	    "が読み取れないか、事態の記録と合いません。両方を調べてから控えを"
	    "削除してください" : m->note_e.msg);
	return 1;
}

/* The item of incidents.csv that does not read: the loader's message
 * (the file, its line, in the locale's language) in English; in Japanese,
 * in words, whatever the locale (issue 14). */
static void
unread_item(struct audit *a, const struct jerr *e)
{
	check_item(a, "incidents.csv", "%s", a->o->ja ? "事態の記録を開けないか、"
	    "その内容が事態の記録の形式に合いません" : e->msg);
}

/* The reports R9.1 requires at once (incident_due's hours): the others
 * with a deadline are the APPI's, which gives days. */
#define R91_STEPS	(1u << STEP_MAYOR | 1u << STEP_GM)

/* The sentence of incidents-overdue: one for each kind of item there is,
 * nnow incidents with R9.1's immediate reports outstanding, nappi with
 * the APPI's (only R9.1's are "at once": the PPC's preliminary report
 * has until day 3). */
static void
overdue_end(struct audit *a, size_t nnow, size_t nappi, size_t nlate,
    size_t nskip)
{
	struct buf b = { 0 };
	const char *s[4], *sep = L(a, " ", "");
	size_t	 i, n = 0;

	if (nnow)
		s[n++] = L(a, "Reports the regulation requires at once are "
		    "overdue.", "直ちに行うべき報告が期限を過ぎています。");
	if (nappi)
		s[n++] = L(a, "Reports to the Personal Information Protection "
		    "Commission are overdue.",
		    "個人情報保護委員会への報告が期限を過ぎています。");
	/* a breach of R9.1 or the APPI is one even when made good later */
	if (nlate)
		s[n++] = L(a, "Required reports were made after their deadlines.",
		    "期限を過ぎてから行われた報告があります。");
	if (nskip)
		s[n++] = L(a, "Incidents were closed without required reports.",
		    "必要な報告を行わないまま終結した事態があります。");
	if (n == 0) {
		check_end(a, AUDIT_PASS, "%s", L(a,
		    "No required report is overdue.",
		    "期限を過ぎた報告はありません。"));
		return;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_add(&b, sep, strlen(sep));
		buf_add(&b, s[i], strlen(s[i]));
	}
	buf_add(&b, "", 1);
	check_end(a, AUDIT_FAIL, "%s", b.p);
	free(b.p);
}

/* The reports of R9.1 and the APPI not made in time: those outstanding past
 * their deadlines, of any incident; of the incidents of the period, those
 * made after their deadlines and those the incident was closed without. */
static void
audit_overdue(struct audit *a, const struct incidents *in)
{
	const struct inc_event *closed;
	char	*s, date[64], end[64];
	size_t	 i, nnow = 0, nappi = 0, nlate = 0, nskip = 0;
	unsigned bits;

	check_begin(a, "R9", "incidents-overdue");
	for (i = 0; i < in->n; i++) {
		const struct incident *inc = &in->inc[i];

		audit_date(a, inc->detected, date, sizeof(date));
		if ((bits = incident_overdue(inc, a->o->now,
		    AUDIT_REPORT_HOURS)) != 0) {
			s = steps(a, bits);
			check_item(a, inc->id, L(a, "%s (detected %s): late: %s",
			    "%s(%s 検知): 期限超過: %s"), inc->id, date, s);
			free(s);
			nnow += (bits & R91_STEPS) != 0;
			nappi += (bits & ~R91_STEPS) != 0;
		}
		if (!of_period(a, inc))
			continue;
		if ((bits = incident_made_late(inc, AUDIT_REPORT_HOURS)) != 0) {
			s = late_steps(a, inc, bits);
			check_item(a, inc->id, L(a, "%s (detected %s): made late: %s",
			    "%s(%s 検知): 期限後の実施: %s"), inc->id, date, s);
			free(s);
			nlate++;
		}
		if ((bits = incident_closed_without(inc)) != 0) {
			closed = incident_last(inc, STEP_CLOSED);
			audit_date(a, closed->at, end, sizeof(end));
			s = steps(a, bits);
			check_item(a, inc->id, L(a,
			    "%s (detected %s, closed %s): closed without: %s",
			    "%s(%s 検知、%s 終結): 未実施のまま終結: %s"), inc->id,
			    date, end, s);
			free(s);
			nskip++;
		}
	}
	overdue_end(a, nnow, nappi, nlate, nskip);
}

void
audit_incidents_load(struct audit *a)
{
	struct audit_inc *m = xcalloc(1, sizeof(*m));

	m->e = (struct jerr)JERR_INIT;
	m->note_e = (struct jerr)JERR_INIT;
	/* a row goes in before its record, and the head moves after it:
	 * the head read first bounds the records whose rows are read next,
	 * with the register lock or without it */
	m->bound = oplog_head_seq(a->st);
	m->ok = incidents_load_err(a->st, &m->in, &m->e) == ST_OK;
	m->note = PENDING_NONE;
	if (m->ok && store_note_left(a->st, INC_PENDING_FILE, STORE_LOCK_REGISTER))
		m->note = incidents_note(a->st, &m->note_e);
	a->inc = m;
}

void
audit_incident_seen(struct audit *a, long long seq, const char *by,
    const char *id, const char *detail)
{
	struct audit_inc *m = a->inc;
	struct inc_logged *l;
	char	 name[64];
	size_t	 n;

	/* every ok record of the pass: one after the bound may be the
	 * record of a row read after it (unlogged_rows); missing_rows, which
	 * asks a row of each record, leaves those out */
	if (m == NULL || !m->ok || m->bound < 0 || strlen(id) != INC_ID_LEN)
		return;
	if (m->nlog == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->log = xrealloc(m->log, m->cap * sizeof(*m->log));
	}
	l = &m->log[m->nlog];
	l->seq = seq;
	memcpy(l->id, id, INC_ID_LEN + 1);
	if (strncmp(detail, "new ", 4) == 0)
		l->step = -1;
	else if (strncmp(detail, "step=", 5) == 0 &&
	    (n = strcspn(detail + 5, " ")) < sizeof(name)) {
		memcpy(name, detail + 5, n);
		name[n] = '\0';
		if ((l->step = inc_name_index(inc_step_names, name)) < 0)
			return;
	} else
		return;
	l->by = xstrdup(by);
	l->detail = xstrdup(detail);
	m->nlog++;
}

void
audit_incidents_reset(struct audit *a)
{
	size_t i;

	if (a->inc == NULL)
		return;
	for (i = 0; i < a->inc->nlog; i++) {
		free(a->inc->log[i].by);
		free(a->inc->log[i].detail);
	}
	a->inc->nlog = 0;
}

void
audit_incidents_free(struct audit *a)
{
	if (a->inc == NULL)
		return;
	audit_incidents_reset(a);
	if (a->inc->ok)
		incidents_free(&a->inc->in);
	free(a->inc->log);
	free(a->inc);
	a->inc = NULL;
}

/* How many of the incident's rows hold the event of l: the new report
 * once, a step as often as it was recorded. */
static size_t
rows_of(const struct incident *inc, const struct inc_logged *l)
{
	size_t	 i, n = 0;

	if (l->step < 0)
		return 1;
	for (i = 0; i < inc->nev; i++)
		n += (int)inc->ev[i].step == l->step;
	return n;
}

/* 1 when the row of inc that holds the event of l, the k-th of its id
 * and event, reads as l's record says: the detail incident-report logged
 * with it (incident_record_detail) and the record's operator. */
static int
held_as_logged(const struct incident *inc, const struct inc_logged *l,
    size_t k)
{
	const struct inc_event *ev = NULL;
	const char *by = inc->by;
	char	*d;
	size_t	 i;
	int	 same;

	if (l->step >= 0) {
		for (i = 0; i < inc->nev; i++)
			if ((int)inc->ev[i].step == l->step && --k == 0)
				break;
		ev = &inc->ev[i];	/* k <= rows_of(inc, l) */
		by = ev->by;
	}
	/* a record an earlier incident-report wrote holds fewer values: it
	 * is compared on those */
	d = incident_record_detail(inc, ev, ev == NULL &&
	    incident_detail_legacy(l->detail));
	same = strcmp(d, l->detail) == 0 && strcmp(by, l->by) == 0;
	free(d);
	return same;
}

/* The events the log records that incidents.csv does not hold (a row
 * removed, the file put back from an older copy), or holds otherwise than
 * their records (a row changed: a time, the persons, the summary, a note):
 * an item each, their number, and in *nchanged the number of the second.
 * A record beyond the rows its event has (the k-th of its id and event
 * where the file holds fewer) is missing; the k-th row of its event is
 * compared with it.  An id whose rows are left out as damaged is said
 * there, not here. */
static size_t
missing_rows(struct audit *a, size_t *nchanged)
{
	const struct audit_inc *m = a->inc;
	const struct inc_logged *l, *k;
	const struct incident *inc;
	char	 what[768];
	size_t	 i, j, seen, nmiss = 0;

	*nchanged = 0;
	/* a row left out whose id does not read may hold any event: the
	 * rows left out are said, the events not compared */
	if (m->in.damaged > m->in.nbad_id)
		return 0;
	for (i = 0; i < m->nlog; i++) {
		l = &m->log[i];
		/* later records are later events, not in the file as read */
		if (l->seq > m->bound)
			continue;
		for (j = 0; j < m->in.nbad_id; j++)
			if (strcmp(m->in.bad_id[j], l->id) == 0)
				break;
		if (j < m->in.nbad_id)
			continue;
		for (j = 0, seen = 0; j <= i; j++) {
			k = &m->log[j];
			seen += strcmp(k->id, l->id) == 0 && k->step == l->step;
		}
		inc = incident_find((struct incidents *)&m->in, l->id);
		if (inc != NULL && seen <= rows_of(inc, l) &&
		    held_as_logged(inc, l, seen))
			continue;
		if (l->step < 0)
			snprintf(what, sizeof(what), "%s", L(a, "its report (new)",
			    "最初の報告"));
		else
			inc_step_text(&a->st->conf, l->step, a->o->ja ? INC_JA :
			    INC_EN, what, sizeof(what));
		if (inc != NULL && seen <= rows_of(inc, l)) {
			check_item(a, l->id, L(a,
			    "%s: incidents.csv holds %s otherwise than the operation history records it (record %lld): the row was changed, or the file replaced by another copy",
			    "%s: 事態の記録の%sが操作履歴の記録(記録 %lld)と異なります。行が書き換えられたか、別の写しに置き換えられています"),
			    l->id, what, l->seq);
			(*nchanged)++;
			continue;
		}
		check_item(a, l->id, L(a,
		    "%s: the operation history records %s (record %lld), which incidents.csv does not hold: a row was removed, or the file replaced by an older copy",
		    "%s: 操作履歴に記録された%s(記録 %lld)が事態の記録にありません。行が削除されたか、古い写しに置き換えられています"),
		    l->id, what, l->seq);
		nmiss++;
	}
	return nmiss;
}

/* How many ok "incident" records of the log's pass hold event step (-1:
 * the new report) of id. */
static size_t
logged_of(const struct audit_inc *m, const char *id, int step)
{
	size_t	 i, n = 0;

	for (i = 0; i < m->nlog; i++)
		n += m->log[i].step == step && strcmp(m->log[i].id, id) == 0;
	return n;
}

/* Row event (-1: the new report) of inc, the k-th of its id and event,
 * written at t: an item when the log, read whole and covering t, holds
 * fewer records of that id and event than k (a row written by hand, or
 * the file replaced by another copy).  A writer's note goes in before its
 * row and out after its record, and the log is read to its end after the
 * file and the note: a row read has its record in the pass, or its note
 * was read (unlogged_rows says nothing then), with the register lock or
 * without it (a group member's).  1 when said. */
static int
unlogged(struct audit *a, const struct incident *inc, int step, size_t k,
    int64_t t)
{
	char	 what[768], date[64];

	if (t < a->log_first || logged_of(a->inc, inc->id, step) >= k)
		return 0;
	if (step < 0)
		snprintf(what, sizeof(what), "%s", L(a, "its report (new)",
		    "最初の報告"));
	else
		inc_step_text(&a->st->conf, step, a->o->ja ? INC_JA : INC_EN,
		    what, sizeof(what));
	audit_date(a, t, date, sizeof(date));
	check_item(a, inc->id, L(a,
	    "%s: incidents.csv holds %s, written %s, which the operation history does not record: a row was added by hand, or the file replaced by another copy",
	    "%s: 事態の記録の%s(%s 記録)が操作履歴に記録されていません。行が手で書き加えられたか、別の写しに置き換えられています"),
	    inc->id, what, date);
	return 1;
}

/* The rows of incidents.csv the log's pass has no record of (unlogged):
 * an item each, their number.  Nothing is said while a writer's note is
 * left (its event may lack its record: pending_say), while the log was
 * not read whole, or of what was written before its first kept record. */
static size_t
unlogged_rows(struct audit *a)
{
	const struct audit_inc *m = a->inc;
	const struct incident *inc;
	size_t	 i, j, k, nth, n = 0;

	if (m->note != PENDING_NONE || m->bound < 0 || !a->log_whole ||
	    a->log_first == TIME_NONE)
		return 0;
	for (i = 0; i < m->in.n; i++) {
		inc = &m->in.inc[i];
		n += unlogged(a, inc, -1, 1, inc->recorded);
		for (j = 0; j < inc->nev; j++) {
			for (k = 0, nth = 0; k <= j; k++)
				nth += inc->ev[k].step == inc->ev[j].step;
			n += unlogged(a, inc, (int)inc->ev[j].step, nth,
			    inc->ev[j].recorded);
		}
	}
	return n;
}

/* Long: three R9 findings (open, overdue, in the period) over one
 * load of incidents.csv, one check_begin ... check_end block each (the
 * last two in their functions), in the report's order. */
void
audit_incidents(struct audit *a)
{
	struct audit_inc *m = a->inc;
	struct incidents *in = &m->in;
	char	*s, date[64];
	size_t	 i, nopen = 0, nout = 0, nmiss, nchanged, nadded;
	unsigned bits;
	int	 unsettled;

	if (!m->ok) {
		check_begin(a, "R9", "incidents-open");
		unread_item(a, &m->e);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The record of incidents cannot be read.",
		    "事態の記録を読み込めません。"));
		check_begin(a, "R9", "incidents-overdue");
		unread_item(a, &m->e);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "Not checked: the record of incidents cannot be read.",
		    "点検できません: 事態の記録を読み込めません。"));
		check_begin(a, "R9", "incidents-period");
		unread_item(a, &m->e);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The incidents of the period cannot be listed: the record of incidents cannot be read.",
		    "事態の記録を読み込めないため、対象期間の事態を示せません。"));
		return;
	}
	check_begin(a, "R9", "incidents-open");
	if (in->damaged && a->o->ja)
		check_item(a, "incidents.csv", "事態の記録に読み取れない行が %zu "
		    "行あり、除外しています", in->damaged);
	else if (in->damaged)
		check_item(a, "incidents.csv", "%zu row(s) do not read back and "
		    "are left out, the first: %s", in->damaged, m->e.msg);
	nmiss = missing_rows(a, &nchanged);
	nadded = unlogged_rows(a);
	unsettled = pending_say(a);
	for (i = 0; i < in->n; i++) {
		struct incident *inc = &in->inc[i];

		if (incident_closed(inc))
			continue;
		nopen++;
		if ((bits = incident_outstanding(inc)) == 0)
			continue;
		audit_date(a, inc->detected, date, sizeof(date));
		s = steps(a, bits);
		check_item(a, inc->id, L(a,
		    "%s (%s, detected %s): outstanding: %s",
		    "%s(%s、%s 検知): 未了: %s"), inc->id,
		    inc_type_label(inc->type, a->o->ja ? INC_JA : INC_EN), date, s);
		free(s);
		nout++;
	}
	if (nadded)
		check_end(a, AUDIT_FAIL, L(a,
		    "%zu event(s) in the record of incidents are not in the operation history, %zu it records are missing there and %zu held there otherwise; %zu incident(s) open, %zu with steps outstanding.",
		    "事態の記録にある事態又は対応のうち %zu 件が操作履歴に記録されておらず、操作履歴に記録されたもののうち %zu 件が事態の記録になく、%zu 件が記録と異なります。対応中の事態 %zu 件、うち未了の手順があるもの %zu 件。"),
		    nadded, nmiss, nchanged, nopen, nout);
	else if (nchanged)
		check_end(a, AUDIT_FAIL, L(a,
		    "%zu event(s) the operation history records are missing from the record of incidents and %zu held there otherwise; %zu incident(s) open, %zu with steps outstanding.",
		    "操作履歴に記録された事態又は対応のうち %zu 件が事態の記録になく、%zu 件が記録と異なります。対応中の事態 %zu 件、うち未了の手順があるもの %zu 件。"),
		    nmiss, nchanged, nopen, nout);
	else if (nmiss)
		check_end(a, AUDIT_FAIL, L(a,
		    "%zu event(s) the operation history records are missing from the record of incidents; %zu incident(s) open, %zu with steps outstanding.",
		    "操作履歴に記録された事態又は対応 %zu 件が事態の記録にありません。対応中の事態 %zu 件、うち未了の手順があるもの %zu 件。"),
		    nmiss, nopen, nout);
	else
		check_end(a, in->damaged ? AUDIT_FAIL : nout || unsettled ?
		    AUDIT_WARN : AUDIT_PASS, L(a,
		    "%zu incident(s) open, %zu with steps outstanding.",
		    "対応中の事態 %zu 件、うち未了の手順があるもの %zu 件。"), nopen, nout);

	audit_overdue(a, in);
	audit_period_incidents(a, in);
}

/* Every incident of the period (of_period). */
void
audit_period_incidents(struct audit *a, const struct incidents *in)
{
	const struct inc_event *closed;
	enum inc_lang lang = a->o->ja ? INC_JA : INC_EN;
	char	 det[64], end[64], *s;
	size_t	 i, n = 0, nopen = 0;
	unsigned bits;

	check_begin(a, "R9", "incidents-period");
	for (i = 0; i < in->n; i++) {
		const struct incident *inc = &in->inc[i];

		if (!of_period(a, inc))
			continue;
		closed = incident_last(inc, STEP_CLOSED);
		n++;
		audit_date(a, inc->detected, det, sizeof(det));
		if (closed != NULL) {
			audit_date(a, closed->at, end, sizeof(end));
			check_item(a, inc->id, L(a,
			    "%s (%s), detected %s, closed %s: %s",
			    "%s(%s) %s 検知、%s 終結: %s"), inc->id,
			    inc_type_label(inc->type, lang), det, end, inc->summary);
			continue;
		}
		bits = incident_outstanding(inc);
		nopen += bits != 0;
		s = steps(a, bits);
		if (bits)
			check_item(a, inc->id, L(a,
			    "%s (%s), detected %s, open; outstanding: %s: %s",
			    "%s(%s) %s 検知、対応中(未了: %s): %s"), inc->id,
			    inc_type_label(inc->type, lang), det, s, inc->summary);
		else
			check_item(a, inc->id, L(a,
			    "%s (%s), detected %s, open: %s",
			    "%s(%s) %s 検知、対応中: %s"), inc->id,
			    inc_type_label(inc->type, lang), det, inc->summary);
		free(s);
	}
	check_end(a, nopen ? AUDIT_WARN : AUDIT_PASS, L(a,
	    "%zu incident(s) recorded or closed in the period, %zu still with steps outstanding.",
	    "対象期間中に記録又は終結した事態 %zu 件、うち未了の手順があるもの %zu 件。"),
	    n, nopen);
}
