/*
 * audit_confirm.c — what the software cannot check itself, as the
 * committee confirms it by hand (R7 the server room, R10 the staff's
 * duties, R11 the contracts, and the municipality's own items): one
 * finding per item of jukisec.conf, its last confirmation (when, by whom),
 * WARN when there is none or it is older than the item's interval.
 *
 * Invariants: confirmations.csv is read once (confirm.h); a file that does
 * not read makes every item a FAIL, never a silent PASS.  The check name
 * of a finding is the item's id; its rule the R-number of its article.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jukisec.h"
#include "audit.h"
#include "confirm.h"
#include "muni.h"
#include "person.h"
#include "timeutil.h"

/* The rule a finding is filed under: R9.1-R9.3 are the article R9. */
static const char *
rule(enum muni_ref ref)
{
	const char *l = muni_ref_label(ref);

	return strncmp(l, "R9", 2) == 0 ? "R9" : l;
}

/* Days in month mon (0-11) of year (tm_year's, from 1900). */
static int
month_days(int year, int mon)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int	 y = year + 1900;

	if (mon == 1 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[mon];
}

/* The end of the interval: months after at, in local calendar months,
 * to the millisecond (a confirmation at 01:00:00.500 is not a year old at
 * 01:00:00.000 a year on).  A day the target month lacks is its last day:
 * mktime would roll 31 February into March, and a month from 31 January
 * ends on 28 February, twelve from 29 February 2028 on 28 February 2029. */
static int64_t
due(int64_t at, int months)
{
	time_t	 t = (time_t)(at / 1000);
	struct tm tm;
	int	 last;

	if (localtime_r(&t, &tm) == NULL)
		return at;
	tm.tm_year += (tm.tm_mon + months) / 12;
	tm.tm_mon = (tm.tm_mon + months) % 12;
	if (tm.tm_mday > (last = month_days(tm.tm_year, tm.tm_mon)))
		tm.tm_mday = last;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000 + (at - (int64_t)t * 1000);
}

/* What confirmations.pending says of the file loaded (confirm_note), read
 * once: nothing until a note is left, one a writer at work is not
 * (store_note_left); the audit only reads, it settles nothing. */
struct note {
	enum confirm_note what;
	char	 item[128];	/* CONFIRM_NOT_MADE: the item not confirmed */
	struct jerr e;		/* CONFIRM_BAD: the writers' refusal */
};

static void
note_read(struct audit *a, const struct confirmations *all, struct note *n)
{
	memset(n, 0, sizeof(*n));
	n->what = CONFIRM_NO_NOTE;
	if (store_note_left(a->st, CONFIRM_PENDING_FILE, STORE_LOCK_REGISTER))
		n->what = confirm_note(a->st, all, n->item, sizeof(n->item),
		    &n->e);
}

/* The item of an unsettled confirmation (CONFIRM_HELD: the last row, the
 * one a writer killed between the file and its record left, until the
 * next jukisec-audit --confirm settles it; R6, SPEC: every change writes a
 * log record); the Japanese, the committee's, says what settles it in
 * words. */
static void
unsettled_item(struct audit *a)
{
	if (a->o->ja)
		check_item(a, CONFIRM_PENDING_FILE, "%s", "操作履歴への記録が"
		    "確定していない確認の記録があります(書込みが中断されました)。"
		    "次に確認を記録する際に確定します");
	else
		check_item(a, CONFIRM_PENDING_FILE, "%s: a confirmation whose "
		    "operation-log record is not settled (a writer was "
		    "interrupted); the next jukisec-audit --confirm settles it",
		    CONFIRM_PENDING_FILE);
}

/* The note's item on item it, 1, when the note concerns it: a
 * confirmation of it killed before the file was replaced, not made (the
 * committee believes it made); or, for every item, a note the writers
 * refuse, so that no confirmation can be recorded until it is looked at
 * and the file may have been replaced by someone else. */
static int
note_item(struct audit *a, const struct confirm_item *it, const struct note *n)
{
	if (n->what == CONFIRM_NOT_MADE && strcmp(n->item, it->id) == 0) {
		if (a->o->ja)
			check_item(a, CONFIRM_PENDING_FILE, "%s", "この項目の"
			    "確認を記録する書込みが中断され、確認は記録されて"
			    "いません。改めて確認を記録してください");
		else
			check_item(a, CONFIRM_PENDING_FILE, "%s: an interrupted "
			    "jukisec-audit --confirm of %s was not made; confirm "
			    "it again (the next --confirm removes the note)",
			    CONFIRM_PENDING_FILE, it->id);
		return 1;
	}
	if (n->what != CONFIRM_BAD)
		return 0;
	/* the writer's words name the directory: in Japanese, in words */
	check_item(a, CONFIRM_PENDING_FILE, "%s", a->o->ja ? "確認の記録の"
	    "変更の控えが読み取れないか、確認の記録と合いません。両方を調べて"
	    "から控えを削除してください" : n->e.msg);
	return 1;
}

/* confirmations.csv as read under the register lock, its note, and
 * which rows a "confirm" record of the log's pass was seen for. */
struct audit_cfm {
	struct confirmations all;
	int		 ok;		/* it read */
	struct jerr	 e;		/* else why */
	struct note	 note;
	unsigned char	*logged;	/* per row of all */
};

void
audit_confirm_load(struct audit *a)
{
	struct audit_cfm *m = xcalloc(1, sizeof(*m));

	m->e = (struct jerr)JERR_INIT;
	if ((m->ok = confirmations_load_err(a->st, &m->all, &m->e) == ST_OK)) {
		note_read(a, &m->all, &m->note);
		m->logged = xcalloc(m->all.n + 1, 1);
	}
	a->cfm = m;
}

/* A "confirm" record: the first row not yet matched that it records
 * (its item and who; the row is written before its record, at or before
 * its time), one row a record. */
void
audit_confirm_see(struct audit *a, int64_t at, const char *by,
    const char *item, const char *result)
{
	struct audit_cfm *m = a->cfm;
	const struct confirmation *c;
	size_t	 i;

	if (m == NULL || !m->ok || strcmp(result, "ok") != 0)
		return;
	for (i = 0; i < m->all.n; i++) {
		c = &m->all.c[i];
		if (!m->logged[i] && c->at <= at && strcmp(c->item, item) == 0 &&
		    strcmp(c->by, by) == 0) {
			m->logged[i] = 1;
			return;
		}
	}
}

void
audit_confirm_reset(struct audit *a)
{
	if (a->cfm != NULL && a->cfm->ok)
		memset(a->cfm->logged, 0, a->cfm->all.n + 1);
}

void
audit_confirm_free(struct audit *a)
{
	if (a->cfm == NULL)
		return;
	if (a->cfm->ok)
		confirmations_free(&a->cfm->all);
	free(a->cfm->logged);
	free(a->cfm);
	a->cfm = NULL;
}

/* Row c (index i) against the register and the log: 1 with its FAIL item
 * when its by is no Security Manager in the register, or the log covers
 * it, read whole, without its "confirm" record (a row written by hand);
 * a held row's record is pending (unsettled_item says so). */
static int
forged(struct audit *a, const struct confirmation *c, size_t i, int held)
{
	struct operator *o = a->reg_ok ? register_find(&a->reg, c->by) : NULL;
	char	*who;

	if (a->reg_ok && (o == NULL || o->role != ROLE_MANAGER)) {
		who = o != NULL ? person_label(&a->reg, c->by, a->o->ja) :
		    xasprintf(L(a, "id %s", "ID %s の者"), c->by);
		check_item(a, CONFIRM_FILE, L(a, "confirmations.csv row %zu: by "
		    "%s, who is not a %s in the register",
		    "確認の記録の %zu 件目の行: 確認者 %s は登録簿の%sではありません"),
		    i + 1, who, audit_manager(a));
		free(who);
		return 1;
	}
	if (held || !a->log_whole || a->cfm->logged[i] ||
	    a->log_first == TIME_NONE || c->at < a->log_first)
		return 0;
	check_item(a, CONFIRM_FILE, L(a, "confirmations.csv row %zu: no "
	    "\"confirm\" record of it in the operation history",
	    "確認の記録の %zu 件目の行: 操作履歴にこの確認の記録がありません"),
	    i + 1);
	return 1;
}

/* The finding of item it, whose last confirmation is c; held: c may lack
 * its log record yet (CONFIRM_HELD), so it passes nothing; nor does it
 * when the note concerns the item (note_item); a row forged FAILs. */
static void
confirmed(struct audit *a, const struct confirm_item *it,
    const struct confirmation *c, const char *what, int held)
{
	const struct note *n = &a->cfm->note;
	char	*who, date[64];
	int	 noted, bad;

	audit_date(a, c->at, date, sizeof(date));
	who = person_label(a->reg_ok ? &a->reg : NULL, c->by, a->o->ja);
	if (*c->note != '\0')
		check_item(a, c->by, "%s", c->note);
	if (held)
		unsettled_item(a);
	noted = note_item(a, it, n);	/* 0 when held */
	bad = forged(a, c, (size_t)(c - a->cfm->all.c), held);
	if (bad)
		check_end(a, AUDIT_FAIL, L(a,
		    "%s: confirmed %s by %s, not as the tools record a confirmation.",
		    "%s: %s に確認(確認者 %s)とありますが、記録の手順によらない記録です。"),
		    what, date, who);
	else if (!a->reg_ok) {	/* whether by is a manager: unknown */
		audit_register_unread(a);
		check_end(a, AUDIT_FAIL, L(a,
		    "%s: confirmed %s by %s; not checked: the register could not be read.",
		    "%s: %s に確認(確認者 %s)とありますが、登録簿を読み込めないため点検できません。"),
		    what, date, who);
	} else if (held)
		check_end(a, AUDIT_WARN, L(a,
		    "%s: confirmed %s by %s, not yet recorded in the operation history.",
		    "%s: %s に確認(確認者 %s)。操作履歴への記録は確定していません。"),
		    what, date, who);
	/* as old as the interval is old enough (jukisec-audit(1)) */
	else if (a->o->now >= due(c->at, it->months))
		check_end(a, AUDIT_WARN, L(a,
		    "%s: last confirmed %s by %s, %d month(s) or more ago.",
		    "%s: 最後の確認は %s(確認者 %s)で、%d か月以上前です。"),
		    what, date, who, it->months);
	else
		check_end(a, noted ? AUDIT_WARN : AUDIT_PASS, L(a,
		    "%s: confirmed %s by %s.", "%s: %s に確認(確認者 %s)。"),
		    what, date, who);
	free(who);
}

void
audit_confirm(struct audit *a)
{
	const struct conf *cf = &a->st->conf;
	const struct confirm_item *it;
	const struct confirmation *c;
	const struct confirmations *all = &a->cfm->all;
	char	*why = NULL, art[128], what[1024];
	size_t	 i, n = muni_confirm_count(cf);
	int	 ok = a->cfm->ok;

	/* the loader's message names the file and its line, in the
	 * locale's language: in Japanese the row and the fault in words */
	if (!ok)
		why = a->o->ja ? audit_unread_ja(&a->cfm->e, "確認の記録",
		    "確認の記録") : xstrdup(a->cfm->e.msg);
	for (i = 0; i < n; i++) {
		it = muni_confirm_at(cf, i);
		check_begin(a, rule(it->ref), it->id);
		a->cur->by_hand = 1;
		muni_cite(cf, it->ref, it->item, a->o->ja, art, sizeof(art));
		snprintf(what, sizeof(what), a->o->ja ? "%s: %s" : "%s: %s", art,
		    it->text[a->o->ja ? 0 : 1]);
		if (!ok) {
			check_item(a, "confirmations.csv", "%s", why);
			check_end(a, AUDIT_FAIL, L(a,
			    "%s: not checked: the record of confirmations cannot be read.",
			    "%s: 確認の記録を読み込めないため点検できません。"), what);
			continue;
		}
		if ((c = confirmation_last(all, it->id, a->o->now)) == NULL) {
			(void)note_item(a, it, &a->cfm->note);
			check_end(a, AUDIT_WARN, L(a,
			    "%s: not confirmed yet.", "%s: まだ確認されていません。"),
			    what);
			continue;
		}
		confirmed(a, it, c, what, a->cfm->note.what == CONFIRM_HELD &&
		    c == &all->c[all->n - 1]);
	}
	free(why);
}
