/*
 * show_filter.c — log-show's filters and its time arguments.
 *
 * Invariants: a record passes when every filter given passes (exact values
 * of terminal, operator, action and result; a substring of the object;
 * since <= time <= until, until the last instant kept).  show_match_line() decides from the raw line
 * alone only when every field up to the one it needs is unquoted, and
 * only ever says "no" to a record that show_match_record() would refuse
 * too: it is a shortcut, never a second rule.  Times compare as the log's
 * own text, "YYYY-MM-DDTHH:MM:SS.mmmZ", whose byte order is time order.
 */
#include <string.h>
#include <time.h>

#include "jukisec.h"
#include "show.h"

static int
time_ok(const struct show_filter *f, const char *t, size_t len)
{
	if (len != 24)
		return 1;	/* not the log's form: the parse will say so */
	if (f->since_past)
		return 0;
	if (f->since[0] != '\0' && memcmp(t, f->since, 24) < 0)
		return 0;
	if (f->until[0] != '\0' && memcmp(t, f->until, 24) > 0)
		return 0;
	return 1;
}

int
show_match_line(const struct show_filter *f, const char *line, size_t len)
{
	const char *v;
	size_t vl;
	int i;

	if ((f->since[0] || f->until[0] || f->since_past) &&
	    oplog_line_field(line, len, OF_TIME, &v, &vl) == 0 && !time_ok(f, v, vl))
		return 0;
	for (i = 0; i < OPLOG_NFIELDS; i++)
		if (f->eq[i] != NULL && oplog_line_field(line, len, i, &v, &vl) == 0 &&
		    (vl != strlen(f->eq[i]) || memcmp(v, f->eq[i], vl) != 0))
			return 0;
	if (f->object != NULL && oplog_line_field(line, len, OF_OBJECT, &v, &vl) == 0 &&
	    memmem(v, vl, f->object, strlen(f->object)) == NULL)
		return 0;
	return 1;
}

/* Some filter was given: not every record passes. */
int
show_filter_any(const struct show_filter *f)
{
	int i;

	for (i = 0; i < OPLOG_NFIELDS; i++)
		if (f->eq[i] != NULL)
			return 1;
	return f->since[0] != '\0' || f->until[0] != '\0' || f->since_past ||
	    f->object != NULL;
}

int
show_match_record(const struct show_filter *f, const struct oplog_record *r)
{
	int i;

	if (!time_ok(f, r->field[OF_TIME], r->len[OF_TIME]))
		return 0;
	for (i = 0; i < OPLOG_NFIELDS; i++)
		if (f->eq[i] != NULL && strcmp(r->field[i], f->eq[i]) != 0)
			return 0;
	if (f->object != NULL && strstr(r->field[OF_OBJECT], f->object) == NULL)
		return 0;
	return 1;
}

/* 1 when the RFC 3339 time s has a fraction of a second finer than the
 * milliseconds the log writes (time_parse_wide drops those digits): a
 * --since of 05:00:00.9995 is after a record at 05:00:00.999. */
static int
finer_than_ms(const char *s)
{
	const char *p = strchr(s, '.');
	size_t n;

	if (p == NULL)
		return 0;
	n = strspn(p + 1, "0123456789");
	return n > 3 && strspn(p + 4, "0") < n - 3;
}

int
show_time_arg(const char *s, int until, int64_t *ms)
{
	int y, mo, d, h, mi;
	char date[11], tail;

	if (strlen(s) == 10 && date_parse(s, &y, &mo, &d) == 0)
		/* a whole local day: until is the next day's start */
		return local_wall_ms(y, mo, d + (until != 0), 0, 0, ms);
	if (strlen(s) == 16 && s[10] == ' ' && sscanf(s + 11, "%2d:%2d%c", &h, &mi, &tail) == 2 &&
	    s[13] == ':' && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 &&
	    s[11] >= '0' && s[11] <= '9' && s[14] >= '0' && s[14] <= '9') {
		memcpy(date, s, 10);
		date[10] = '\0';
		if (date_parse(date, &y, &mo, &d) == -1)
			return -1;
		/* a local minute: until is its end, the first occurrence's */
		if (local_wall_ms(y, mo, d, h, mi, ms) == -1)
			return -1;
		if (until)
			*ms += 60000;
		return 0;
	}
	if (strchr(s, 'T') == NULL && strchr(s, 't') == NULL)
		return -1;
	if (time_parse_wide(s, ms) == -1)
		return -1;
	if (until)
		(*ms)++;
	else if (finer_than_ms(s))
		(*ms)++;	/* records at or after it: the next millisecond on */
	if (!until && *ms < TIME_MIN)
		*ms = TIME_MIN;	/* before the first instant: no bound */
	return 0;
}

static int
name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int
show_format_parse(const char *s, enum show_format *fmt)
{
	static const char *const name[] = { "csv", "json", "table", "raw" };
	int i = name_index(name, sizeof(name) / sizeof(name[0]), s);

	if (i == -1)
		return -1;
	*fmt = (enum show_format)i;
	return 0;
}

int
show_key_parse(const char *s, enum show_key *key)
{
	static const char *const name[] = { "operator", "action", "terminal", "result", "day" };
	int i = name_index(name, sizeof(name) / sizeof(name[0]), s);

	if (i == -1)
		return -1;
	*key = (enum show_key)(i + 1);
	return 0;
}

int
show_key_field(enum show_key k)
{
	static const int field[] = { -1, OF_OPERATOR, OF_ACTION, OF_TERMINAL, OF_RESULT, OF_TIME };

	return field[k];
}
