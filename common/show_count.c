/*
 * show_count.c — log-show --summary: counts per key, the aureport of the
 * suite.
 *
 * Invariants: one counter per distinct key (an open-addressing table that
 * doubles when half full), so memory follows the number of distinct
 * operators, actions, terminals, results or days, not the log's length;
 * day is the local calendar day (TZ) of the record's time, found from the
 * previous record's day while the times stay inside it (times never
 * decrease, so localtime runs about once a day of log); keys are written
 * in byte order, which is date order for days.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jukisec.h"
#include "csvio.h"
#include "show.h"
#include "text.h"

struct slot {
	char		*key;
	size_t		len;
	long long	n;
	uint64_t	h;
};

struct show_count {
	enum show_key	key;
	struct slot	*s;
	size_t		cap, used;
	int64_t		day0, day1;	/* the local day [day0, day1) of day[] */
	char		day[32];
};

struct show_count *
show_count_new(enum show_key key)
{
	struct show_count *c = xcalloc(1, sizeof(*c));

	c->key = key;
	c->cap = 64;
	c->s = xcalloc(c->cap, sizeof(*c->s));
	c->day1 = INT64_MIN;
	return c;
}

static uint64_t
hash(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static void
grow(struct show_count *c)
{
	struct slot *old = c->s;
	size_t i, j, cap = c->cap;

	c->cap *= 2;
	c->s = xcalloc(c->cap, sizeof(*c->s));
	for (i = 0; i < cap; i++) {
		if (old[i].key == NULL)
			continue;
		for (j = old[i].h & (c->cap - 1); c->s[j].key; j = (j + 1) & (c->cap - 1))
			;
		c->s[j] = old[i];
	}
	free(old);
}

/* The local day of t, "YYYY-MM-DD", and the bounds of that day. */
static void
local_day(struct show_count *c, int64_t t)
{
	time_t s = (time_t)(t >= 0 ? t / 1000 : (t - 999) / 1000);
	struct tm tm;

	if (localtime_r(&s, &tm) == NULL) {
		snprintf(c->day, sizeof(c->day), "?");
		c->day0 = c->day1 = t;
		return;
	}
	snprintf(c->day, sizeof(c->day), "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	/* from the start of this second: the day's bounds in this zone */
	c->day0 = ((int64_t)s - tm.tm_hour * 3600 - tm.tm_min * 60 - tm.tm_sec) * 1000;
	c->day1 = c->day0 + 86400000;
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	if ((s = mktime(&tm)) != (time_t)-1)
		c->day1 = (int64_t)s * 1000;
}

void
show_count_add(struct show_count *c, const char *key, size_t len, int64_t t)
{
	uint64_t h;
	size_t j;

	if (c->key == SHOW_DAY) {
		if (t < c->day0 || t >= c->day1)
			local_day(c, t);
		key = c->day;
		len = strlen(c->day);
	}
	h = hash(key, len);
	for (j = h & (c->cap - 1); c->s[j].key; j = (j + 1) & (c->cap - 1))
		if (c->s[j].h == h && c->s[j].len == len && memcmp(c->s[j].key, key, len) == 0) {
			c->s[j].n++;
			return;
		}
	c->s[j].key = xstrndup(key, len);
	c->s[j].len = len;
	c->s[j].h = h;
	c->s[j].n = 1;
	if (++c->used * 2 > c->cap)
		grow(c);
}

static int
bykey(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	int k = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

	if (k != 0)
		return k;
	return x->len < y->len ? -1 : x->len > y->len;
}

static const char *const keyname[] = { "", "operator", "action", "terminal", "result", "day" };
static const char *const keyhead[] = { "", N_("OPERATOR"), N_("ACTION"), N_("TERMINAL"),
	N_("RESULT"), N_("DAY") };

/* The display width of s as the table shows it, control characters
 * escaped (the escape is wider than the byte). */
static size_t
shown_width(struct buf *tmp, const char *s, size_t len)
{
	tmp->len = 0;
	text_escape(tmp, s, len);
	buf_add(tmp, "", 1);
	return text_width_utf8(tmp->p);
}

/* Long: one table in three formats, sharing the sort and widths. */
void
show_count_render(struct show_count *c, enum show_format fmt, struct buf *b)
{
	const char *f[2];
	struct buf tmp = { NULL, 0, 0 };
	size_t len[2], i, n = 0, w, k;
	char num[24];
	long long total = 0;

	for (i = 0; i < c->cap; i++)
		if (c->s[i].key != NULL)
			c->s[n++] = c->s[i];
	qsort(c->s, n, sizeof(*c->s), bykey);
	f[0] = keyname[c->key];
	f[1] = "count";
	len[0] = strlen(f[0]);
	len[1] = 5;
	if (fmt == SHOW_CSV)
		csv_format_record(b, f, len, 2);
	/* As wide as the heading, each value and the "total" row's word;
	 * the log's values by their UTF-8 width whatever the locale, the
	 * headings by the locale's (show_render.c). */
	w = text_width(_(keyhead[c->key]));
	if ((k = text_width(_("total"))) > w)
		w = k;
	for (i = 0; fmt == SHOW_TABLE && i < n; i++)
		if ((k = shown_width(&tmp, c->s[i].key, c->s[i].len)) > w)
			w = k;
	if (fmt == SHOW_TABLE) {
		buf_add(b, _(keyhead[c->key]), strlen(_(keyhead[c->key])));
		for (k = text_width(_(keyhead[c->key])); k < w + 2; k++)
			buf_add(b, " ", 1);
		buf_add(b, _("COUNT"), strlen(_("COUNT")));
		buf_add(b, "\n", 1);
	}
	for (i = 0; i < n; i++) {
		struct slot *s = &c->s[i];

		total += s->n;
		snprintf(num, sizeof(num), "%lld", s->n);
		switch (fmt) {
		case SHOW_CSV:
			f[0] = s->key;
			len[0] = s->len;
			f[1] = num;
			len[1] = strlen(num);
			csv_format_record(b, f, len, 2);
			break;
		case SHOW_JSON:
			buf_add(b, "{\"", 2);
			buf_add(b, keyname[c->key], strlen(keyname[c->key]));
			buf_add(b, "\":", 2);
			json_add_string(b, s->key, s->len);
			buf_add(b, ",\"count\":", 9);
			buf_add(b, num, strlen(num));
			buf_add(b, "}\n", 2);
			break;
		case SHOW_TABLE:
			text_escape(b, s->key, s->len);
			for (k = shown_width(&tmp, s->key, s->len); k < w + 2; k++)
				buf_add(b, " ", 1);
			buf_add(b, num, strlen(num));
			buf_add(b, "\n", 1);
			break;
		case SHOW_RAW:
			buf_add(b, num, strlen(num));
			buf_add(b, " ", 1);
			buf_add(b, s->key, s->len);
			buf_add(b, "\n", 1);
			break;
		}
	}
	if (fmt == SHOW_TABLE) {
		snprintf(num, sizeof(num), "%lld", total);
		buf_add(b, _("total"), strlen(_("total")));
		for (k = text_width(_("total")); k < w + 2; k++)
			buf_add(b, " ", 1);
		buf_add(b, num, strlen(num));
		buf_add(b, "\n", 1);
	}
	free(tmp.p);
	for (i = 0; i < n; i++)
		free(c->s[i].key);
	memset(c->s, 0, c->cap * sizeof(*c->s));
	c->used = 0;
}

void
show_count_free(struct show_count *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->cap; i++)
		free(c->s[i].key);
	free(c->s);
	free(c);
}
