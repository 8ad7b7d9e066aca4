/*
 * standing.c — R5.4: the operator of a log record against the register.
 *
 * Invariants: nothing here refuses or changes anything; the register is
 * read without a lock and only when some operator needs it (not "-", not
 * a system actor), so a cron job's log-append costs no more than before;
 * it is read and checked whole, but only the rows of the operators named
 * are kept.  log-append decides at the time the records were written at
 * (the log's last record once they are durable: clock.h's decision time,
 * taken when they were written), as jukisec-audit does at each record's.
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "standing.h"
#include "timeutil.h"

const char *
standing(struct register_ *reg, const struct conf *c, const char *who,
    int64_t t)
{
	if (conf_system_actor(c, who))
		return NULL;
	return standing_of(register_find(reg, who), t);
}

const char *
standing_of(const struct operator *o, int64_t t)
{
	if (o == NULL || (o->registered_at != TIME_NONE && o->registered_at > t))
		return N_("unknown");
	if (operator_revoked(o) && o->revoked_at <= t)
		return N_("revoked");
	if (o->expires != TIME_NONE && o->expires <= t)
		return N_("expired");
	return NULL;
}

void
standing_span(const struct operator *o, int64_t *from, int64_t *until)
{
	*from = *until = 0;
	if (o == NULL)
		return;
	/* registered_at TIME_NONE is INT64_MIN: fine from the first time */
	*from = o->registered_at;
	*until = INT64_MAX;
	if (operator_revoked(o) && o->revoked_at < *until)
		*until = o->revoked_at;
	if (o->expires != TIME_NONE && o->expires < *until)
		*until = o->expires;
}

static const char *const *sort_who;	/* for by_who */

static int
by_who(const void *a, const void *b)
{
	size_t	 i = *(const size_t *)a, j = *(const size_t *)b;
	int	 c = strcmp(sort_who[i], sort_who[j]);

	return c != 0 ? c : i < j ? -1 : i > j;
}

static int
by_index(const void *a, const void *b)
{
	size_t	 i = *(const size_t *)a, j = *(const size_t *)b;

	return i < j ? -1 : i > j;
}

/* The index of each name's first occurrence, in input order, into first;
 * their number.  O(n log n): a batch may hold a million records. */
static size_t
firsts(const char *const *who, size_t n, size_t *first)
{
	size_t	*ix = xcalloc(n + 1, sizeof *ix);
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		ix[i] = i;
	sort_who = who;
	qsort(ix, n, sizeof *ix, by_who);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(who[ix[i]], who[ix[i - 1]]) != 0)
			first[k++] = ix[i];
	free(ix);
	qsort(first, k, sizeof *first, by_index);
	return k;
}

/* The first occurrence (index into who) of each distinct name that needs
 * the register, in input order, into first; their number.  ids the same
 * names. */
static size_t
needed(const struct conf *c, const char *const *who, size_t n, size_t *first,
    const char **ids)
{
	size_t	 k, m = 0, all = firsts(who, n, first);

	for (k = 0; k < all; k++)
		if (!conf_system_actor(c, who[first[k]])) {
			ids[m] = who[first[k]];
			first[m++] = first[k];
		}
	return m;
}

void
standing_read(struct standing *s, struct store *st, const char *const *who,
    size_t n)
{
	const char **ids = xcalloc(n + 1, sizeof *ids);

	memset(s, 0, sizeof *s);
	s->first = xcalloc(n + 1, sizeof *s->first);
	s->m = needed(&st->conf, who, n, s->first, ids);
	s->read = s->m == 0 || register_peek_ids(st, &s->reg, ids, s->m, STANDING_PEEK_MAX) == ST_OK;
	free(ids);
}

void
standing_say(struct standing *s, struct store *st, int64_t now,
    const char *const *who, const char *const *where, size_t n)
{
	struct operator	*o;
	const char	*why, **ids;
	size_t		 k;

	if (!s->read) {
		free(s->first);
		memset(s, 0, sizeof *s);
		ids = xcalloc(n + 1, sizeof *ids);
		s->first = xcalloc(n + 1, sizeof *s->first);
		if ((s->m = needed(&st->conf, who, n, s->first, ids)) > 0 &&
		    register_load_ids(st, &s->reg, ids, s->m) != ST_OK) {
			jerr_say(st->err, ST_OK, _("the operators could "
			    "not be checked against the register "
			    "(R5.4); recorded"));
			s->m = 0;
		}
		free(ids);
	}
	for (k = 0; k < s->m; k++) {
		size_t i = s->first[k];

		if ((why = standing(&s->reg, &st->conf, who[i], now)) == NULL &&
		    (o = register_find(&s->reg, who[i])) != NULL &&
		    operator_lock_stands(st, o, now))
			why = N_("locked");
		if (why == NULL)
			continue;
		if (where[i] != NULL)
			jerr_say(st->err, ST_OK, _("%s: operator %s is not "
			    "an active registered person (%s); recorded "
			    "(R5.4)"), where[i], who[i], _(why));
		else
			jerr_say(st->err, ST_OK, _("operator %s is not an "
			    "active registered person (%s); recorded "
			    "(R5.4)"), who[i], _(why));
	}
	standing_free(s);
}

void
standing_free(struct standing *s)
{
	register_free(&s->reg);
	free(s->first);
	memset(s, 0, sizeof *s);
}
