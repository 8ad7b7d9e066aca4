/*
 * audit_r54.c — R5.4 in the audit: every record of the operation log names
 * as its operator "-", a system actor (conf system_actors) or a person who
 * could operate the terminal at the record's time: registered, not
 * revoked, not expired, not locked out.  log-append keeps every record it
 * is given (evidence is never refused), so this is where an operation by
 * somebody who may not operate shows.
 *
 * Invariants: one streaming pass over oplog.csv (no lock, as every reader);
 * the register is the one audit.c read.  A lock is known from the log
 * itself (an "auth" record with result locked begins it; a success, an
 * operator-mod unlock or lockout_unlock_minutes end it) and from the
 * register's present lock (locked_at on): a lock whose records were pruned
 * is still seen while it lasts.  A log that cannot be read is a FAIL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "audit.h"
#include "oplog_verify.h"
#include "standing.h"
#include "timeutil.h"

#define R54_ITEMS	100	/* records listed; the rest are counted */

struct lock {
	char	*who;
	int64_t	 since;
};

struct r54 {
	struct audit	*a;
	struct lock	*l;
	size_t		 nl;
	long long	 bad;
};

static struct lock *
lock_of(struct r54 *w, const char *who, int make)
{
	size_t i;

	for (i = 0; i < w->nl; i++)
		if (strcmp(w->l[i].who, who) == 0)
			return &w->l[i];
	if (!make)
		return NULL;
	w->l = xrealloc(w->l, (w->nl + 1) * sizeof *w->l);
	w->l[w->nl].who = xstrdup(who);
	w->l[w->nl].since = TIME_NONE;
	return &w->l[w->nl++];
}

/* 1 when who was locked out at time t. */
static int
locked_at(struct r54 *w, const char *who, int64_t t)
{
	const struct conf *c = &w->a->st->conf;
	struct operator	*o;
	struct lock	*l = lock_of(w, who, 0);
	long long	 m = c->lockout_unlock_minutes;

	if (l != NULL && l->since != TIME_NONE && l->since <= t &&
	    (m == 0 || t < l->since + m * 60000))
		return 1;
	o = register_find(&w->a->reg, who);
	return o != NULL && o->locked && o->locked_at != TIME_NONE &&
	    o->locked_at <= t && operator_locked(o, c, t);
}

static void
see(struct r54 *w, const struct oplog_record *r)
{
	struct audit	*a = w->a;
	const char	*op = r->field[OF_OPERATOR], *act = r->field[OF_ACTION];
	const char	*obj = r->field[OF_OBJECT], *res = r->field[OF_RESULT];
	const char	*why;
	char		 date[64];
	struct lock	*l;

	/* a success or an unlock ends a lock before the record is judged */
	if ((strcmp(act, "auth") == 0 && strcmp(res, "ok") == 0) ||
	    (strcmp(act, "operator-mod") == 0 && strcmp(res, "ok") == 0 &&
	    strstr(r->field[OF_DETAIL], " unlock") != NULL))
		if ((l = lock_of(w, obj, 0)) != NULL)
			l->since = TIME_NONE;
	why = standing(&a->reg, &a->st->conf, op, r->time);
	if (why == NULL && !conf_system_actor(&a->st->conf, op) &&
	    locked_at(w, op, r->time))
		why = N_("locked");
	if (why != NULL && w->bad++ < R54_ITEMS) {
		audit_date(a, r->time, date, sizeof(date));
		check_item(a, op, L(a,
		    "seq %lld, %s, terminal %s, operator %s: %s",
		    "seq %lld、%s、端末機 %s、操作者 %s: %s"), r->seq, date,
		    r->field[OF_TERMINAL], op, a->o->ja ?
		    (strcmp(why, "unknown") == 0 ? "登録簿にない" :
		    strcmp(why, "revoked") == 0 ? "取消済み" :
		    strcmp(why, "expired") == 0 ? "有効期限切れ" : "ロック中") :
		    why);
	}
	if (strcmp(act, "auth") == 0 && strcmp(res, "locked") == 0 &&
	    (l = lock_of(w, obj, 1))->since == TIME_NONE)
		l->since = r->time;
}

void
audit_r54(struct audit *a)
{
	struct r54	 w = { a, NULL, 0, 0 };
	struct oplog_reader *rd = NULL;
	struct oplog_record *r;
	const char	*why = NULL;
	size_t		 line = 0, i;
	int		 fd, io, k = -1;

	check_begin(a, "R5.4", "log-operators-authorized");
	if (!a->reg_ok) {
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "Not checked: the register cannot be read.",
		    "点検できません: 登録簿を読み込めません。"));
		return;
	}
	if ((fd = store_openat(a->st, "oplog.csv", O_RDONLY, 0)) != -1 &&
	    (rd = oplog_reader_open(fd, "oplog.csv")) != NULL) {
		while ((k = oplog_reader_next(rd, &r)) == 1)
			see(&w, r);
		if (k == -1)
			why = oplog_reader_error(rd, &line, &io);
	} else
		why = strerror(errno);
	if (k == -1) {
		if (line)
			check_item(a, "oplog.csv", "oplog.csv:%zu: %s", line, why);
		else
			check_item(a, "oplog.csv", "oplog.csv: %s", why);
	}
	if (w.bad > R54_ITEMS)
		check_item(a, "oplog.csv", L(a, "and %lld more records",
		    "ほか %lld 件"), w.bad - R54_ITEMS);
	if (k == -1)
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The operation log cannot be read to its end.",
		    "操作履歴を最後まで読み込めません。"));
	else
		check_end(a, w.bad ? AUDIT_FAIL : AUDIT_PASS, "%s", w.bad ?
		    L(a, "The log records operations by persons who could not "
		    "operate the terminal then: unknown, revoked, expired or "
		    "locked out.", "端末機を操作できない者(登録簿にない者、取消済み、"
		    "有効期限切れ、ロック中)による操作が記録されています。") :
		    L(a, "Every operation in the log was by a registered person "
		    "who could operate the terminal then, or by a system actor.",
		    "操作履歴の操作はすべて、その時点で操作できた登録済みの者か"
		    "システムによるものです。"));
	if (rd != NULL)
		oplog_reader_close(rd);
	if (fd != -1)
		close(fd);
	for (i = 0; i < w.nl; i++)
		free(w.l[i].who);
	free(w.l);
}
