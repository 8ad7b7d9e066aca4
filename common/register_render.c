/*
 * register_render.c — the operator register as operator-list prints it
 * (R5.1, 別記様式): a table for people, CSV or JSON for programs, on
 * standard output (the caller checks it with fshut_stdout).
 *
 * Invariants: only the register's own fields are printed, never a
 * credential (credential files are not opened here); CSV has the columns
 * of operators.csv (register_cols) in order with times in RFC 3339 UTC,
 * then last_success and last_failure from the log (register_seen.c);
 * JSON has the same keys, null for an unset expiry, revocation or lock;
 * the table shows times in local time and pads by display width (kanji
 * count two columns).  Every format gives the lock in effect at the
 * listing's time (in_effect), never one an automatic unlock has lifted.  A value that did not read back is printed as the
 * file holds it in every format (escaped for people), never its
 * stand-in.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jukisec.h"
#include "csvio.h"
#include "esc.h"
#include "register.h"
#include "text.h"
#include "timeutil.h"

enum { NFIELDS = REGISTER_NCOLS, COL_FAILED = 14, COL_LOCKED = 15 };

/* The row's fields as operators.csv holds them (times RFC 3339 UTC, ""
 * when unset, a damaged value as it was), but for the lock: yes when the
 * row is held locked, as the table's state says it, a "no" beside a lock
 * time that does not read back included (its lock never lifts). */
static void
fields(const struct operator *o, const char *f[NFIELDS],
    char t[NFIELDS][TIME_BUFSZ])
{
	int c;

	for (c = 0; c < NFIELDS; c++)
		if ((f[c] = register_damaged(o, c)) == NULL)
			f[c] = c == COL_LOCKED ? (o->locked ? "yes" : "no") :
			    register_text(o, c, t[c]);
}

/* The row as CSV and JSON give it: with the lock in effect at now, as the
 * table's state and -l decide it (operator_locked).  A lock whose
 * automatic unlock is due is none, and its count cleared, as the gate's
 * next attempt makes it (operator_count_attempt) before it counts: a
 * copy in *tmp, the register left as it is.  A lock that does not lift
 * by itself (of unknown time, damaged) is the row's own. */
static const struct operator *
in_effect(const struct operator *o, const struct conf *cf, int64_t now,
    struct operator *tmp)
{
	if (!o->locked || operator_locked(o, cf, now))
		return o;
	*tmp = *o;
	operator_unlock(tmp);
	return tmp;
}

/* An expiry for people: a local midnight is the end of the day before it,
 * the last day of authority ("2027-03-31"); another time as such, and a
 * midnight that begins the year 0001 too (no day before it to name). */
static void
expiry_local(int64_t t, char buf[TIME_BUFSZ])
{
	time_t	 s = (time_t)(t / 1000);
	struct tm tm;

	if (t % 1000 == 0 && localtime_r(&s, &tm) != NULL && tm.tm_hour == 0 &&
	    tm.tm_min == 0 && tm.tm_sec == 0 && (tm.tm_year + 1900 > 1 ||
	    tm.tm_mon > 0 || tm.tm_mday > 1)) {
		time_format_local_day(t - 1000, buf);
		return;
	}
	time_format_local(t, buf);
}

enum { TCOLS = 10 };

static void
table_row(const char *const c[TCOLS], const size_t *w, const char *note)
{
	size_t i, k;

	for (i = 0; i < TCOLS; i++) {
		fputs(c[i], stdout);
		for (k = text_width(c[i]); k < w[i] + 2; k++)
			putchar(' ');
	}
	puts(note);
}

/* A row's cells, made twice: once to measure them, once to print them,
 * so that what a row takes lives only while it is made (10,000 rows kept
 * as cells were megabytes, a page fault each 4 KiB).  The escaped name,
 * section, title and registering manager, and a damaged value as the
 * file holds it, go into
 * esc[], reused from row to row; word[] holds the translated words and
 * notes, looked up once, not for every row (the notes' formats are
 * checked against their msgids by msgfmt --check). */
enum { W_NEVER, W_REVOKED, W_DAMAGED, W_EXPIRED, W_LOCKED, W_ACTIVE,
	W_REVNOTE, W_PWNOTE, NWORDS };
enum { NESC = 8 };

struct cells {
	const char	*c[TCOLS];
	char		 t[2][TIME_BUFSZ];
	struct buf	 esc[NESC];
	const char	*word[NWORDS];
};

/* s escaped into b: shown to people, never obeyed (esc.h). */
static const char *
shown(struct buf *b, const char *s)
{
	b->len = 0;
	esc_buf(b, s, strlen(s), 0);
	buf_add(b, "", 1);
	return b->p;
}

static void
cells(struct cells *x, const struct register_ *reg, const struct operator *o,
    const struct conf *cf, int64_t now)
{
	static const int col[4] = { REGISTER_ROLE, REGISTER_METHOD,
	    REGISTER_REGAT, REGISTER_EXPIRES }, cell[4] = { 4, 5, 6, 8 };
	const char *s[3] = { o->name, o->section, o->title };
	const char *raw;
	int i;

	if (o->registered_at != TIME_NONE)
		time_format_local(o->registered_at, x->t[0]);
	else
		x->t[0][0] = '\0';
	if (o->expires != TIME_NONE)
		expiry_local(o->expires, x->t[1]);
	else
		snprintf(x->t[1], TIME_BUFSZ, "%s", x->word[W_NEVER]);
	for (i = 0; i < 3; i++)
		x->c[1 + i] = shown(&x->esc[i], s[i]);
	x->c[0] = o->id;
	x->c[4] = role_name(o->role); x->c[5] = method_name(o->method);
	x->c[6] = x->t[0]; x->c[8] = x->t[1];
	/* the registering manager is the file's text (an id the register
	 * loads is one in form; this is not): a hand edit holds anything */
	x->c[7] = shown(&x->esc[7], o->registered_by);
	/* a value that does not read back: as the file holds it, never its
	 * stand-in (an expiry of year 0, a method it does not have) */
	for (i = 0; i < 4; i++)
		if ((raw = register_damaged(o, col[i])) != NULL)
			x->c[cell[i]] = shown(&x->esc[3 + i], raw);
	/* a row whose method does not read back, or a password that records
	 * no exception, admits nobody (the gate's register-row-damaged): not
	 * "active", whatever else it holds; a revocation, never undone,
	 * still comes first */
	x->c[9] = x->word[operator_revoked(o) ? W_REVOKED :
	    !register_row_usable(reg, o, now) ? W_DAMAGED :
	    !operator_active(o, now) ? W_EXPIRED :
	    operator_locked(o, cf, now) ? W_LOCKED : W_ACTIVE];
}

/* The row's note, escaped, malloc'd. */
static char *
note(const struct cells *x, const struct operator *o)
{
	const char *at;
	char	 rev[TIME_BUFSZ], *n, *s;

	if (operator_revoked(o)) {
		if ((at = register_damaged(o, REGISTER_REVAT)) == NULL) {
			time_format_local(o->revoked_at, rev);
			at = rev;
		}
		n = xasprintf(x->word[W_REVNOTE], at, o->revoked_by,
		    o->revoked_reason);
	} else if (operator_password(o))	/* not a damaged method's stand-in */
		n = xasprintf(x->word[W_PWNOTE], o->exception_reason,
		    o->approved_by, o->instructions_date);
	else
		return xstrdup("");
	s = esc_str(n);
	free(n);
	return s;
}

/* Long: the widths measured over every row, then the rows printed. */
static void
table(struct operator **sel, size_t n, const struct register_ *reg,
    const struct conf *cf, int64_t now)
{
	static const char *const head[TCOLS] = { N_("ID"), N_("NAME"),
	    N_("SECTION"), N_("TITLE"), N_("ROLE"), N_("METHOD"), N_("REGISTERED"),
	    N_("BY"), N_("EXPIRES"), N_("STATE") };
	static const char *const words[NWORDS] = { N_("never"), N_("revoked"),
	    N_("damaged"), N_("expired"), N_("locked"), N_("active"),
	    N_("revoked %s by %s: %s"),
	    N_("password exception: %s (approved by %s, instructions %s)") };
	struct cells	 x;
	const char	*h[TCOLS];
	char		*s;
	size_t		 w[TCOLS], i, j, k;

	memset(&x, 0, sizeof x);
	for (i = 0; i < NWORDS; i++)
		x.word[i] = _(words[i]);
	for (j = 0; j < TCOLS; j++)
		w[j] = text_width(h[j] = _(head[j]));
	for (i = 0; i < n; i++) {
		cells(&x, reg, sel[i], cf, now);
		for (j = 0; j < TCOLS; j++)
			if ((k = text_width(x.c[j])) > w[j])
				w[j] = k;
	}
	table_row(h, w, _("NOTE"));
	for (i = 0; i < n; i++) {
		cells(&x, reg, sel[i], cf, now);
		table_row(x.c, w, s = note(&x, sel[i]));
		free(s);
	}
	for (i = 0; i < NESC; i++)
		buf_free(&x.esc[i]);
}

static const char *
seen_time(int64_t t, char buf[TIME_BUFSZ])
{
	if (t == TIME_NONE)
		return "";
	time_format(t, buf);
	return buf;
}

static void
json(struct operator **sel, size_t n, const struct register_ *reg,
    const struct conf *cf, int64_t now, const struct register_seen *seen)
{
	struct operator	 tmp;
	const struct operator *o;
	const char	*f[NFIELDS];
	char		 t[NFIELDS][TIME_BUFSZ];
	size_t		 i, j;

	putchar('[');
	for (i = 0; i < n; i++) {
		fields(o = in_effect(sel[i], cf, now, &tmp), f, t);
		printf(i ? ",\n{" : "\n{");
		for (j = 0; j < NFIELDS; j++) {
			printf("%s\"%s\":", j ? "," : "", register_cols[j]);
			/* failed a number, locked a boolean, unset times null;
			 * a damaged value stays the string it is, digits too
			 * (a count past the ceiling) */
			if (j == COL_FAILED && register_damaged(o, j) == NULL &&
			    strspn(f[j], "0123456789") == strlen(f[j]) && *f[j] != '\0')
				fputs(f[j], stdout);
			else if (j == COL_LOCKED && (strcmp(f[j], "yes") == 0 ||
			    strcmp(f[j], "no") == 0))
				fputs(*f[j] == 'y' ? "true" : "false", stdout);
			else if (*f[j] == '\0' && (j == 10 || j == 11 ||
			    j == 16))
				fputs("null", stdout);
			else
				json_put_string(stdout, f[j]);
		}
		if (seen != NULL) {
			const struct register_seen *v = &seen[sel[i] - reg->op];
			char	 b[TIME_BUFSZ];

			fputs(",\"last_success\":", stdout);
			if (v->success == TIME_NONE)
				fputs("null", stdout);
			else
				json_put_string(stdout, seen_time(v->success, b));
			fputs(",\"last_failure\":", stdout);
			if (v->failure == TIME_NONE)
				fputs("null", stdout);
			else
				json_put_string(stdout, seen_time(v->failure, b));
		}
		putchar('}');
	}
	puts("\n]");
}

int
register_format_parse(const char *s, enum register_format *fmt)
{
	if (strcmp(s, "table") == 0)
		*fmt = REGISTER_TABLE;
	else if (strcmp(s, "csv") == 0)
		*fmt = REGISTER_CSV;
	else if (strcmp(s, "json") == 0)
		*fmt = REGISTER_JSON;
	else if (strcmp(s, "form") == 0)
		*fmt = REGISTER_FORM;
	else
		return -1;
	return 0;
}

static int
selected(const struct operator *o, const struct register_filter *f,
    const struct conf *cf, int64_t now)
{
	if (!f->all && operator_revoked(o))
		return 0;
	if (f->locked && !operator_locked(o, cf, now))
		return 0;
	if (f->expiring >= 0 && (!operator_active(o, now) ||
	    o->expires == TIME_NONE ||
	    o->expires > now + f->expiring * 86400000LL))
		return 0;
	/* a method that does not read back is no method: its stand-in
	 * (password) must not make the row one of a -m list */
	return !f->have_method ||
	    (operator_method_known(o) && o->method == f->method);
}

void
register_print(const struct register_ *reg, const struct register_filter *flt,
    enum register_format fmt, const struct conf *cf, int64_t now,
    const struct register_seen *seen)
{
	static const char *const seencols[2] = { "last_success", "last_failure" };
	struct operator	**sel;
	struct operator	 tmp;
	const char	*f[NFIELDS + 2];
	char		 t[NFIELDS + 2][TIME_BUFSZ];
	size_t		 i, k, nf = NFIELDS + (seen != NULL ? 2 : 0);

	sel = xcalloc(reg->n + 1, sizeof *sel);
	for (i = k = 0; i < reg->n; i++)
		if (selected(&reg->op[i], flt, cf, now))
			sel[k++] = &reg->op[i];
	if (fmt == REGISTER_TABLE) {
		table(sel, k, reg, cf, now);
	} else if (fmt == REGISTER_FORM) {
		register_form(sel, k, reg, cf, now);
	} else if (fmt == REGISTER_CSV) {
		for (i = 0; i < nf; i++)
			f[i] = i < NFIELDS ? register_cols[i] : seencols[i - NFIELDS];
		csv_write_record(stdout, f, nf);
		for (i = 0; i < k; i++) {
			fields(in_effect(sel[i], cf, now, &tmp), f, t);
			if (seen != NULL) {
				f[NFIELDS] = seen_time(seen[sel[i] -
				    reg->op].success, t[NFIELDS]);
				f[NFIELDS + 1] = seen_time(seen[sel[i] -
				    reg->op].failure, t[NFIELDS + 1]);
			}
			csv_write_record(stdout, f, nf);
		}
	} else
		json(sel, k, reg, cf, now, seen);
	free(sel);
}
