/*
 * audit_r54.c — R5.4 in the audit: every record of the operation log names
 * as its operator "-", a system actor (conf system_actors) or a person who
 * could operate the terminal at the record's time: registered, not
 * revoked, not expired, not locked out.  log-append keeps every record it
 * is given (evidence is never refused), so this is where an operation by
 * somebody who may not operate shows.
 *
 * Invariants: the records come from audit_log's one pass over oplog.csv
 * (no lock, as every reader), in file order; the register is the one
 * audit.c read, looked up through a table made once (names never change
 * during the pass), so r54_wants() may run on any thread.  A lock is known
 * from the log itself (an "auth" record with result locked begins it; a
 * success, an operator-mod unlock or lockout_unlock_minutes end it) and
 * from the register's present lock (locked_at on): a lock whose records
 * were pruned is still seen while it lasts.  A log that cannot be read is
 * a FAIL.  The records found are kept (the first R54_ITEMS, the rest
 * counted) and listed by audit_r54() after the pass, each by its number
 * and its operator by the 職名 and 氏名 the register holds (person.h; the
 * id of a name it does not hold), the id the item's subject.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "audit.h"
#include "oplog_verify.h"
#include "person.h"
#include "standing.h"
#include "timeutil.h"

#define R54_ITEMS	100	/* records listed; the rest are counted */

struct lock {
	char	*who;
	int64_t	 since;
};

/* A name operators may carry: a system actor, or the register's first
 * row of that id.  a, b: words() of the name, which with its length are
 * the name when it is 16 bytes or shorter.  The name could operate, and
 * no lock of the register's applies, from ok_from to before ok_until:
 * r54_wants() is a range check (an empty slot's [0, 0) holds no time). */
struct who {
	char		*name;
	size_t		 len;
	uint64_t	 a, b;
	int64_t		 ok_from, ok_until;
	struct operator	*o;
	int		 sys;
};

/* r54_wants()'s copy of the names of 16 bytes or fewer, each in a slot
 * of its own (the seed is chosen so): one multiply and one probe of a
 * compact entry, where slot() hashes in two rounds and may probe on.
 * n1: the name's length + 1, 0 for a free slot. */
struct fast {
	uint64_t	 a, b;
	int64_t		 ok_from, ok_until;
	size_t		 n1;
};

struct bad {
	long long	 seq;
	int64_t		 time;
	char		*terminal, *op;
	const char	*why;
};

struct r54 {
	struct audit	*a;
	struct who	*tab;		/* open addressing, nslot a power of 2 */
	size_t		 nslot;
	struct fast	*fast;		/* 1 << (64 - shift) slots; NULL none */
	uint64_t	 seed;
	unsigned	 shift;
	struct lock	*l;
	size_t		 nl;
	size_t		 on;		/* of them with a since: a lock lasts */
	struct bad	 item[R54_ITEMS];
	long long	 bad;		/* all found, listed or not */
	int		 read;		/* the pass ended: 1 at the log's end */
	size_t		 line;		/* else where it stopped (0: not
					 * opened), and its item's text */
	char		*why;
};

/* Every byte of a name of n <= 16 bytes in two words, with loads of a
 * fixed size that read nothing past its end: its first and last 8 bytes
 * (overlapping below 16), its first and last 4, or its first, middle and
 * last byte.  On every record of the log (r54_wants()): a copy of
 * variable size would be a call, its branches taken by the name's length. */
static inline void
words(const char *s, size_t n, uint64_t *a, uint64_t *b)
{
	uint32_t x, y;

	*b = 0;
	if (n >= 8) {
		memcpy(a, s, 8);
		memcpy(b, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		*a = x | (uint64_t)y << 32;
	} else if (n > 0)
		*a = (unsigned char)s[0] | (unsigned char)s[n / 2] << 8 |
		    (uint64_t)(unsigned char)s[n - 1] << 16;
	else
		*a = 0;
}

/* s's entry, or the free one where it would go. */
static inline struct who *
slot(const struct r54 *w, const char *s, size_t n)
{
	uint64_t a, b, i;
	struct who *e;

	words(s, n, &a, &b);
	/* splitmix64's finaliser: every bit of the name moves the low ones */
	i = a ^ (b * 31) ^ n;
	i = (i ^ (i >> 30)) * 0xbf58476d1ce4e5b9ull;
	i = (i ^ (i >> 27)) * 0x94d049bb133111ebull;
	i ^= i >> 31;
	for (;; i++) {
		e = &w->tab[i & (w->nslot - 1)];
		if (e->name == NULL || (e->len == n && e->a == a && e->b == b &&
		    (n <= 16 || memcmp(e->name, s, n) == 0)))
			return e;
	}
}

static inline size_t
fast_at(const struct r54 *w, uint64_t a, uint64_t b, size_t n)
{
	return ((a * 0x9e3779b97f4a7c15ull ^ (b + n)) * w->seed) >> w->shift;
}

/* The fast table with 1 << bits slots and seed: 0 if two names share a
 * slot. */
static int
fast_try(struct r54 *w, unsigned bits, uint64_t seed)
{
	const struct who *e;
	struct fast *f;
	size_t	 i;

	w->fast = xcalloc((size_t)1 << bits, sizeof(*w->fast));
	w->seed = seed;
	w->shift = 64 - bits;
	for (i = 0; i < w->nslot; i++) {
		e = &w->tab[i];
		if (e->name == NULL || e->len > 16)
			continue;
		f = &w->fast[fast_at(w, e->a, e->b, e->len)];
		if (f->n1 != 0) {
			free(w->fast);
			w->fast = NULL;
			return 0;
		}
		f->a = e->a;
		f->b = e->b;
		f->n1 = e->len + 1;
		f->ok_from = e->ok_from;
		f->ok_until = e->ok_until;
	}
	return 1;
}

/* A seed that leaves every name a slot of its own, in a table of 4 to 64
 * slots a name and at most FAST_MAX (for 42 names, one seed in 30 does it
 * at 256 slots, one in 2 at 2048); else none, and r54_wants() goes
 * through slot(): a register of more than a few hundred names. */
#define FAST_MAX	4096
static void
fast_make(struct r54 *w)
{
	uint64_t seed = 0;
	size_t	 i, n = 0;
	unsigned bits, k;

	for (i = 0; i < w->nslot; i++)
		n += w->tab[i].name != NULL;
	for (bits = 4; ((size_t)1 << bits) < 4 * n; bits++)
		;
	for (; ((size_t)1 << bits) <= FAST_MAX && ((size_t)1 << bits) <= 64 * n;
	    bits++)
		for (k = 0; k < 64; k++) {
			seed += 0x9e3779b97f4a7c15ull;
			if (fast_try(w, bits, seed | 1))
				return;
		}
}

static struct who *
add(struct r54 *w, const char *s, size_t n)
{
	struct who *e = slot(w, s, n);

	if (e->name == NULL) {
		e->name = xstrndup(s, n);
		e->len = n;
		words(s, n, &e->a, &e->b);
	}
	return e;
}

/* When standing_of() finds e fine and its row is not locked (the lock
 * r54_wants() asks about): always for "-" and system actors, else
 * standing_span()'s times (none for an unknown name) cut at the lock. */
static void
ok_span(struct who *e)
{
	const struct operator *o = e->o;

	if (e->sys) {
		e->ok_from = INT64_MIN;
		e->ok_until = INT64_MAX;
		return;
	}
	standing_span(o, &e->ok_from, &e->ok_until);
	if (o != NULL && o->locked && o->locked_at != TIME_NONE && o->locked_at < e->ok_until)
		e->ok_until = o->locked_at;
}

/* The names as conf_system_actor() and register_find() see them. */
struct r54 *
r54_new(struct audit *a)
{
	struct r54 *w = xcalloc(1, sizeof(*w));
	const char *p = a->st->conf.system_actors;
	size_t	 i, k;

	w->a = a;
	for (w->nslot = 16; w->nslot < 2 * (a->reg.n + strlen(p ? p : "") + 2);)
		w->nslot *= 2;
	w->tab = xcalloc(w->nslot, sizeof(*w->tab));
	add(w, "-", 1)->sys = 1;
	while (p != NULL && *p != '\0') {
		k = strcspn(p, ",");
		add(w, p, k)->sys = 1;
		p += k + (p[k] == ',');
	}
	for (i = 0; i < a->reg.n; i++) {
		struct who *e = add(w, a->reg.op[i].id, strlen(a->reg.op[i].id));

		if (e->o == NULL)
			e->o = &a->reg.op[i];
	}
	for (i = 0; i < w->nslot; i++)
		if (w->tab[i].name != NULL)
			ok_span(&w->tab[i]);
	fast_make(w);
	return w;
}

/* Forgets what a pass saw (the pass starts again). */
void
r54_reset(struct r54 *w)
{
	long long i;

	for (i = 0; i < (long long)w->nl; i++)
		free(w->l[i].who);
	free(w->l);
	w->l = NULL;
	w->nl = 0;
	w->on = 0;
	for (i = 0; i < w->bad && i < R54_ITEMS; i++) {
		free(w->item[i].terminal);
		free(w->item[i].op);
	}
	w->bad = 0;
	w->read = 0;
	w->line = 0;
	free(w->why);
	w->why = NULL;
}

void
r54_free(struct r54 *w)
{
	size_t	 i;

	if (w == NULL)
		return;
	r54_reset(w);
	for (i = 0; i < w->nslot; i++)
		free(w->tab[i].name);
	free(w->tab);
	free(w->fast);
	free(w);
}

/* standing() through the table: why who could not operate at t, or NULL;
 * sys set for "-" and system actors. */
static const char *
standing_at(const struct r54 *w, const char *who, size_t n, int64_t t,
    const struct operator **op, int *sys)
{
	const struct who *e = slot(w, who, n);
	const struct operator *o = e->o;

	*op = o;
	if ((*sys = e->sys))
		return NULL;
	return standing_of(o, t);
}

static int
is(const struct oplog_record *r, int f, const char *s, size_t n)
{
	return r->len[f] == n && memcmp(r->field[f], s, n) == 0;
}
#define IS(r, f, s)	is((r), (f), (s), sizeof(s) - 1)

/* 1 if r could be one r54_see() finds, or begins a lock: a record that
 * is neither is judged alike whatever came before it, except while a lock
 * of the log's lasts (r54_run() asks for those records then). */
int
r54_wants(const struct r54 *w, const struct oplog_record *r)
{
	const char *s = r->field[OF_OPERATOR];
	size_t	 n = r->len[OF_OPERATOR];
	const struct fast *f;
	const struct who *e;
	uint64_t a, b;

	/* the result first: its test is almost always false */
	if (IS(r, OF_RESULT, "locked") && IS(r, OF_ACTION, "auth"))
		return 1;
	words(s, n, &a, &b);
	if (w->fast != NULL) {
		f = &w->fast[fast_at(w, a, b, n)];
		if (f->n1 == n + 1 && f->a == a && f->b == b)
			return r->time < f->ok_from || r->time >= f->ok_until;
	}
	e = slot(w, s, n);
	return r->time < e->ok_from || r->time >= e->ok_until;
}

/* 1 if a run of records must be seen one by one: a lock of the log's is
 * on, which its records may end, or be judged by. */
int
r54_run(const struct r54 *w)
{
	return w->on != 0;
}

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

/* 1 when who (o in the register) was locked out at time t. */
static int
locked_at(struct r54 *w, const char *who, const struct operator *o, int64_t t)
{
	const struct conf *c = &w->a->st->conf;
	struct lock	*l = w->nl ? lock_of(w, who, 0) : NULL;
	long long	 m = c->lockout_unlock_minutes;

	if (l != NULL && l->since != TIME_NONE && l->since <= t &&
	    (m == 0 || t < l->since + m * 60000))
		return 1;
	return o != NULL && o->locked && o->locked_at != TIME_NONE &&
	    o->locked_at <= t && operator_locked(o, c, t);
}

void
r54_see(struct r54 *w, const struct oplog_record *r)
{
	const char	*op = r->field[OF_OPERATOR], *obj = r->field[OF_OBJECT];
	const char	*why;
	const struct operator *o;
	struct lock	*l;
	struct bad	*b;
	int		 sys, auth;

	/* What r54_wants() passes over finds nothing here while no lock of
	 * the log's lasts: the whole walk of the log without the key, or
	 * on one core, goes this way. */
	if (w->on == 0 && !r54_wants(w, r))
		return;
	auth = IS(r, OF_ACTION, "auth");
	/* a success or an unlock ends a lock before the record is judged */
	if (w->nl && ((auth && IS(r, OF_RESULT, "ok")) ||
	    (IS(r, OF_ACTION, "operator-mod") && IS(r, OF_RESULT, "ok") &&
	    strstr(r->field[OF_DETAIL], " unlock") != NULL)))
		if ((l = lock_of(w, obj, 0)) != NULL && l->since != TIME_NONE) {
			l->since = TIME_NONE;
			w->on--;
		}
	why = standing_at(w, op, r->len[OF_OPERATOR], r->time, &o, &sys);
	if (why == NULL && !sys && locked_at(w, op, o, r->time))
		why = N_("locked");
	if (why != NULL && w->bad++ < R54_ITEMS) {
		b = &w->item[w->bad - 1];
		b->seq = r->seq;
		b->time = r->time;
		b->terminal = xstrdup(r->field[OF_TERMINAL]);
		b->op = xstrdup(op);
		b->why = why;
	}
	if (auth && IS(r, OF_RESULT, "locked") &&
	    (l = lock_of(w, obj, 1))->since == TIME_NONE) {
		l->since = r->time;
		w->on++;
	}
}

/* The pass ended: at the log's end (why NULL), or at line (0: the log
 * could not be opened); why is then the item that says so, in the
 * report's language, as every check the log stops gives it. */
void
r54_end(struct r54 *w, size_t line, const char *why)
{
	w->read = why == NULL;
	w->line = line;
	free(w->why);
	w->why = why != NULL ? xstrdup(why) : NULL;
}

void
audit_r54(struct audit *a)
{
	struct r54	*w = a->r54;
	char		 date[64], subj[64], *who;
	const char	*why;
	long long	 i;

	/* r54_new's only for a register */
	if (!a->reg_ok || w == NULL) {
		audit_not_checked(a, "R5.4", "log-operators-authorized");
		return;
	}
	check_begin(a, "R5.4", "log-operators-authorized");
	for (i = 0; i < w->bad && i < R54_ITEMS; i++) {
		why = w->item[i].why;
		audit_date(a, w->item[i].time, date, sizeof(date));
		who = person_label(&a->reg, w->item[i].op, a->o->ja);
		check_item(a, w->item[i].op, L(a,
		    "record %lld, %s, terminal %s, operator %s: %s",
		    "通番 %lld、%s、端末機 %s、操作者 %s: %s"), w->item[i].seq, date,
		    w->item[i].terminal, who, a->o->ja ?
		    (strcmp(why, "unknown") == 0 ? "登録簿にない" :
		    strcmp(why, "revoked") == 0 ? "取消済み" :
		    strcmp(why, "expired") == 0 ? "有効期限切れ" : "ロック中") :
		    why);
		free(who);
	}
	if (!w->read) {
		/* the subject the line, as the other log checks give it */
		snprintf(subj, sizeof(subj), "oplog.csv:%zu", w->line);
		check_item(a, w->line ? subj : "oplog.csv", "%s", w->why);
	}
	if (w->bad > R54_ITEMS)
		check_item(a, "oplog.csv", L(a, "and %lld more records",
		    "ほか %lld 件"), w->bad - R54_ITEMS);
	if (!w->read)
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The operation log cannot be read to its end.",
		    "操作履歴を最後まで読み込めません。"));
	else
		check_end(a, w->bad ? AUDIT_FAIL : AUDIT_PASS, "%s", w->bad ?
		    L(a, "The log records operations by persons who could not "
		    "operate the terminal then: unknown, revoked, expired or "
		    "locked out.", "端末機を操作できない者(登録簿にない者、取消済み、"
		    "有効期限切れ、ロック中)による操作が記録されています。") :
		    L(a, "Every operation in the log was by a registered person "
		    "who could operate the terminal then, or by a system actor.",
		    "操作履歴の操作はすべて、その時点で操作できた登録済みの者か"
		    "システムによるものです。"));
}
