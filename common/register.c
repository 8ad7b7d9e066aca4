/*
 * register.c — operators.csv, the operator register (R5.1).
 *
 * Invariants: the register is a record; rows are never deleted and ids are
 * never reused (a revoked row keeps its id).  It is read strictly (header,
 * 18 fields, valid ids, roles, methods and times, no duplicate id: anything
 * else is ST_FAIL naming file and line; the forms of older versions, with
 * 16 or 17 fields, are read too and rewritten in the current form by the
 * next change) and rewritten only whole, through
 * atomic_begin/commit, under STORE_LOCK_REGISTER.  A missing operators.csv
 * is an empty register (jukisec-init makes none) unless the state keeps a
 * credential or operators.pending and the log shows a register held
 * someone (register_history): then it is missing state.  One others may
 * read is refused (register_open).
 * Credential files follow the crash order "credential before row" on add
 * and "row before credential" on revoke, so
 * a crash can leave only a credential without a live row, which
 * register_begin destroys and logs before any change (R5.5).  The lock
 * state (R5.2) is the row's and changes only here: operator_locked decides
 * it at a time, operator_count_attempt counts the gate's attempts (an
 * automatic unlock made first), operator_unlock lifts it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "clock.h"
#include "cred.h"
#include "csvio.h"
#include "esc.h"
#include "oplog.h"
#include "register.h"
#include "timeutil.h"


enum { C_ID, C_NAME, C_SECTION, C_ROLE, C_METHOD, C_REASON, C_APPROVED,
	C_INSTR, C_REGAT, C_REGBY, C_EXPIRES, C_REVAT, C_REVBY, C_REVREASON,
	C_FAILED, C_LOCKED, C_LOCKAT, C_TITLE, NCOLS };
_Static_assert(NCOLS == REGISTER_NCOLS, "operators.csv columns");
_Static_assert(C_ROLE == REGISTER_ROLE && C_METHOD == REGISTER_METHOD &&
    C_REGAT == REGISTER_REGAT && C_EXPIRES == REGISTER_EXPIRES &&
    C_REVAT == REGISTER_REVAT, "register.h's columns");

const char *const register_cols[REGISTER_NCOLS] = {
	"id", "name", "section", "role", "method", "exception_reason",
	"approved_by", "instructions_date", "registered_at", "registered_by",
	"expires", "revoked_at", "revoked_by", "revoked_reason", "failed",
	"locked", "locked_at", "title"
};

/* The forms operators.csv had: read, and rewritten in the current form
 * by the next change.  FORM_V1 is jukisec 0.1's, before the locked
 * column; FORM_V2 the one before title (register_cols less the last). */
enum form { FORM_NOW, FORM_V1, FORM_V2 };
#define V1_NCOLS	16
#define V2_NCOLS	(NCOLS - 1)
static const char *const v1_cols[V1_NCOLS] = {
	"id", "name", "section", "role", "method", "exception_reason",
	"approved_by", "instructions_date", "registered_at", "registered_by",
	"expires", "revoked_at", "revoked_by", "revoked_reason", "failed",
	"locked_at"
};

static const char *const roles[] = { "operator", "manager" };
static const char *const methods[] = { "fingerprint", "password", "external" };

const char *
role_name(enum role r)
{
	return roles[r];
}

const char *
method_name(enum method m)
{
	return methods[m];
}

int
role_parse(const char *s, enum role *r)
{
	if (strcmp(s, "operator") == 0)
		*r = ROLE_OPERATOR;
	else if (strcmp(s, "manager") == 0)
		*r = ROLE_MANAGER;
	else
		return -1;
	return 0;
}

int
method_parse(const char *s, enum method *m)
{
	size_t i;

	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(s, methods[i]) == 0) {
			*m = (enum method)i;
			return 0;
		}
	return -1;
}

/* 1 for A-Z a-z 0-9 . _ -, in any locale (strspn() with this set rebuilt
 * its table for every row of the register). */
static int
id_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int
operator_id_bad(const char *opt, const char *id, struct jerr *e)
{
	const char *why;

	if ((why = operator_id_problem(id)) == NULL)
		return 0;
	if (*id == '\0')
		jerr_say(e, ST_USAGE, _("%s: %s"), opt, why);
	else
		jerr_say(e, ST_USAGE, _("%s %s: %s"), opt, id, why);
	return 1;
}

const char *
operator_id_problem(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0)
		return _("empty");
	if (n > OPERATOR_ID_MAX)
		return _("longer than 32 bytes");
	if (id[0] == '-' || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return _("may not start with '-' or be '.' or '..'");
	for (i = 0; i < n; i++)
		if (!id_char((unsigned char)id[i]))
			return _("only A-Z a-z 0-9 . _ - allowed");
	return NULL;
}

int
field_check_err(const char *opt, const char *v, size_t max, struct jerr *e)
{
	const char *why;

	/* the one rule for free text (esc.h): these reach terminals */
	if ((why = text_problem(v, max, 0)) != NULL) {
		jerr_say(e, ST_USAGE, _("%s: %s"), opt, why);
		return ST_USAGE;
	}
	return ST_OK;
}

int
field_check(const char *opt, const char *v, size_t max)
{
	return field_check_err(opt, v, max, NULL);
}

static int
parse_time_field(const char *s, int64_t *t)
{
	*t = TIME_NONE;
	return *s == '\0' ? 0 : time_parse(s, t);
}

/* The fail-safe stand-ins of values that do not read back, and what they
 * mean to the gate (the warning's words). */
static const char *
stand_in(struct operator *o, int c)
{
	switch (c) {
	case C_ROLE:	o->role = ROLE_OPERATOR; return N_("an operator");
	case C_METHOD:	o->method = METHOD_PASSWORD; return N_("denied");
	case C_REGAT:	o->registered_at = TIME_NONE; return N_("not known");
	case C_EXPIRES:	o->expires = TIME_MIN; return N_("expired");
	case C_REVAT:	o->revoked_at = TIME_MIN; return N_("revoked");
	case C_FAILED:	o->failed = OPERATOR_FAILED_MAX; return N_("at the maximum");
	case C_LOCKED:	o->locked = 1; o->locked_at = TIME_NONE; return N_("locked");
	default:
		/* A lock time that does not read back is a lock that never
		 * lifts by itself, whatever the locked column says: a row
		 * that says "no" with a time was edited, and its lock is in
		 * doubt.  A "no" is kept with the time, to be written back as
		 * the file had it (locked_text). */
		if (!o->locked)
			o->raw[C_LOCKED] = xstrdup("no");
		o->locked = 1;
		o->locked_at = TIME_NONE;
		return N_("a lock of unknown time");
	}
}

/* 1 when column c of a damaged row still holds its stand-in. */
static int
stand_in_kept(const struct operator *o, int c)
{
	switch (c) {
	case C_ROLE:	return o->role == ROLE_OPERATOR;
	case C_METHOD:	return o->method == METHOD_PASSWORD;
	case C_REGAT:	return o->registered_at == TIME_NONE;
	case C_EXPIRES:	return o->expires == TIME_MIN;
	case C_REVAT:	return o->revoked_at == TIME_MIN;
	case C_FAILED:	return o->failed == OPERATOR_FAILED_MAX;
	case C_LOCKED:	return o->locked;
	default:	return o->locked && o->locked_at == TIME_NONE;
	}
}

/* The locked column as the file holds it: its own damaged value, or the
 * "no" of a row held locked for its damaged lock time, while that stand-in
 * stands (until a change sets the lock: --unlock); else the row's lock. */
static const char *
locked_text(const struct operator *o)
{
	if (o->raw != NULL && o->raw[C_LOCKED] != NULL &&
	    stand_in_kept(o, (o->bad & 1u << C_LOCKED) ? C_LOCKED : C_LOCKAT))
		return o->raw[C_LOCKED];
	return o->locked ? "yes" : "no";
}

/* Reads column c of f into o; 0, or -1 when the value does not read back. */
static int
field_parse(const char **f, int c, struct operator *o)
{
	const char *e;

	switch (c) {
	case C_ROLE:	return role_parse(f[c], &o->role);
	case C_METHOD:	return method_parse(f[c], &o->method);
	case C_REGAT:	return parse_time_field(f[c], &o->registered_at);
	case C_EXPIRES:	return parse_time_field(f[c], &o->expires);
	case C_REVAT:	return parse_time_field(f[c], &o->revoked_at);
	/* Spelt as the suite writes a count: "+1", "04" or "-0" is a
	 * hand edit, not a count (a value out of range fails as well). */
	case C_FAILED:	return parse_decimal(f[c], 0, OPERATOR_FAILED_MAX,
			    &o->failed, &e);
	case C_LOCKED:
		if (strcmp(f[c], "yes") != 0 && strcmp(f[c], "no") != 0)
			return -1;
		o->locked = strcmp(f[c], "yes") == 0;
		return 0;
	default:	return parse_time_field(f[c], &o->locked_at);
	}
}

/* The row's strings, f[] by column, copied into one block (o->text):
 * the id, and unless only the id is wanted the other nine. */
static void
pack(struct operator *o, const char *const f[NCOLS], int full)
{
	static const int col[] = { C_ID, C_NAME, C_SECTION, C_TITLE, C_REASON,
	    C_APPROVED, C_INSTR, C_REGBY, C_REVBY, C_REVREASON };
	char	**to[] = { &o->id, &o->name, &o->section, &o->title,
	    &o->exception_reason, &o->approved_by, &o->instructions_date,
	    &o->registered_by, &o->revoked_by, &o->revoked_reason };
	size_t	 len[sizeof col / sizeof col[0]], i, n = full ? sizeof col / sizeof col[0] : 1;
	char	*p;

	for (o->textlen = 0, i = 0; i < n; i++)
		o->textlen += (len[i] = strlen(f[col[i]])) + 1;
	o->text = p = xmalloc(o->textlen);
	for (i = 0; i < n; i++) {
		memcpy(p, f[col[i]], len[i] + 1);
		*to[i] = p;
		p += len[i] + 1;
	}
}

/* 1 when field s of o is its own allocation, not in o->text. */
static int
own(const struct operator *o, const char *s)
{
	uintptr_t a = (uintptr_t)s, b = (uintptr_t)o->text;

	return a < b || a >= b + o->textlen;
}

void
register_set(struct operator *o, char **field, const char *v)
{
	if (own(o, *field))
		free(*field);
	*field = xstrdup(v);
}

/* Fills o from rec (of the form fm), a bad value replaced by its stand-in
 * after a warning; NULL, or the reason the row cannot be kept at all (its
 * id).  Unless full, the row is checked as well but of its text only the
 * id is copied (the others stay NULL: a row register_load_ids drops). */
static const char *
row_parse(struct csv_record *rec, enum form fm, const char *path, int quiet,
    int full, struct operator *o, struct jerr *e)
{
	static const int typed[] = { C_ROLE, C_METHOD, C_REGAT, C_EXPIRES,
	    C_REVAT, C_FAILED, C_LOCKED, C_LOCKAT };
	const char *f[NCOLS], *why;
	size_t	 i;
	int	 c;

	for (i = 0; i < C_TITLE; i++)
		f[i] = rec->field[i - (fm == FORM_V1 && i >= C_LOCKED)];
	f[C_TITLE] = fm == FORM_NOW ? rec->field[C_TITLE] : "";
	if (fm == FORM_V1)
		f[C_LOCKED] = *f[C_LOCKAT] != '\0' ? "yes" : "no";
	if (operator_id_problem(f[C_ID]) != NULL)
		return register_cols[C_ID];
	for (i = 0; i < sizeof typed / sizeof typed[0]; i++) {
		c = typed[i];
		if (field_parse(f, c, o) == 0)
			continue;
		if (o->raw == NULL)
			o->raw = xcalloc(NCOLS, sizeof *o->raw);
		o->raw[c] = xstrdup(f[c]);
		o->bad |= 1u << c;
		why = stand_in(o, c);
		if (!quiet)
			jerr_say(e, ST_OK, _("%s:%zu: field %s: invalid value; "
			    "treated as %s until repaired"), path, rec->line,
			    register_cols[c], _(why));
	}
	o->line = rec->line;
	pack(o, f, full);
	return NULL;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp((*(const struct operator *const *)a)->id,
	    (*(const struct operator *const *)b)->id);
}

/* Sorted pointers to the rows, for lookups in O(log n) (10,000 operators). */
static struct operator **
sorted_rows(struct register_ *reg)
{
	struct operator **v;
	size_t i;

	v = xcalloc(reg->n + 1, sizeof *v);
	for (i = 0; i < reg->n; i++)
		v[i] = &reg->op[i];
	qsort(v, reg->n, sizeof *v, by_id);
	return v;
}

static int
check_duplicates(struct register_ *reg, const size_t *lines, const char *path,
    struct jerr *e)
{
	struct operator **v = sorted_rows(reg);
	size_t	 i, a, b;
	int	 r = ST_OK;

	for (i = 1; i < reg->n && r == ST_OK; i++)
		if (strcmp(v[i - 1]->id, v[i]->id) == 0) {
			a = lines[v[i - 1] - reg->op];
			b = lines[v[i] - reg->op];
			jerr_say_at(e, ST_FAIL, a > b ? a : b, JERR_DUP,
			    _("%s:%zu: field id: duplicate id %s"), path,
			    a > b ? a : b, v[i]->id);
			r = ST_FAIL;
		}
	free(v);
	return r;
}

/* 1 when line is the header of the n columns cols. */
static int
is_header(const char *line, const char *const *cols, size_t n)
{
	const char *p = line;
	size_t	 i, len;

	for (i = 0; i < n; i++) {
		len = strlen(cols[i]);
		if (strncmp(p, cols[i], len) != 0)
			return 0;
		p += len;
		if (*p != (i + 1 < n ? ',' : '\n'))
			return 0;
		p++;
	}
	return *p == '\0';
}

/* The form whose header the file fd starts with (FORM_NOW for any other:
 * the reader then names what is wrong): its first line as fgets(3) into
 * 512 bytes would have it, read with pread(2), so that the reader's
 * stream starts at the top without a rewind and reads the file once. */
static enum form
file_form(int fd)
{
	char	 line[512], *lf;
	ssize_t	 n;
	enum form fm = FORM_NOW;

	while ((n = pread(fd, line, sizeof line - 1, 0)) == -1 && errno == EINTR)
		;
	if (n <= 0)
		return fm;
	line[n] = '\0';
	if ((lf = memchr(line, '\n', n)) != NULL)
		lf[1] = '\0';
	if (is_header(line, v1_cols, V1_NCOLS))
		fm = FORM_V1;
	else if (is_header(line, register_cols, V2_NCOLS))
		fm = FORM_V2;
	return fm;
}

static int	load(struct store *, struct register_ *, struct jerr *, off_t peek,
		    const char *const *, size_t);

int
register_load(struct store *st, struct register_ *reg)
{
	return load(st, reg, st->err, 0, NULL, 0);
}

int
register_load_err(struct store *st, struct register_ *reg, struct jerr *e)
{
	return load(st, reg, e, 0, NULL, 0);
}

/* peek -1: any size, nothing said, and what there is to say left to the
 * next load (loads not counted) */
int
register_load_quiet(struct store *st, struct register_ *reg)
{
	return load(st, reg, NULL, -1, NULL, 0);
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
load_ids(struct store *st, struct register_ *reg, const char *const *ids,
    size_t n, off_t peek)
{
	const char **v = xcalloc(n + 1, sizeof *v);
	int r;

	memcpy(v, ids, n * sizeof *v);
	qsort(v, n, sizeof *v, by_str);
	r = load(st, reg, st->err, peek, v, n);
	free(v);
	return r;
}

int
register_load_ids(struct store *st, struct register_ *reg,
    const char *const *ids, size_t n)
{
	return load_ids(st, reg, ids, n, 0);
}

int
register_peek_ids(struct store *st, struct register_ *reg,
    const char *const *ids, size_t n, off_t max)
{
	return load_ids(st, reg, ids, n, max);
}

int
register_sha256_fd(int fd, char out[65], struct buf *copy)
{
	gcry_md_hd_t h;
	char chunk[8192];
	off_t off = 0;
	ssize_t n;

	if (gcry_md_open(&h, GCRY_MD_SHA256, 0) != 0) {
		errno = ENOMEM;
		return -1;
	}
	while ((n = pread(fd, chunk, sizeof(chunk), off)) > 0 ||
	    (n == -1 && errno == EINTR))
		if (n > 0) {
			gcry_md_write(h, chunk, (size_t)n);
			if (copy != NULL)
				buf_add(copy, chunk, (size_t)n);
			off += n;
		}
	if (n == 0)
		hex_encode(gcry_md_read(h, GCRY_MD_SHA256), 32, out);
	gcry_md_close(h);
	return n == 0 ? 0 : -1;
}

static void
row_free(struct operator *o)
{
	char	*f[] = { o->id, o->name, o->section, o->title,
	    o->exception_reason, o->approved_by, o->instructions_date,
	    o->registered_by, o->revoked_by, o->revoked_reason };
	size_t	 k;

	for (k = 0; k < sizeof f / sizeof f[0]; k++)
		if (own(o, f[k]))
			free(f[k]);
	free(o->text);
	for (k = 0; o->raw != NULL && k < NCOLS; k++)
		free(o->raw[k]);
	free(o->raw);
}

/* Only the rows register_load_ids wanted left in reg (those whose text
 * row_parse copied); the others, read and checked with them, dropped. */
static void
keep_wanted(struct register_ *reg)
{
	size_t i, k = 0;

	reg->damaged = 0;
	for (i = 0; i < reg->n; i++)
		if (reg->op[i].name == NULL)
			row_free(&reg->op[i]);
		else {
			reg->damaged += reg->op[i].bad != 0;
			reg->op[k++] = reg->op[i];
		}
	reg->n = k;
}

/* The register opened as every state file is (store_openat), and not
 * readable by others either: operator-add(1) gives it 0600, or 0640 for
 * the group that reads the state, and the audit FAILs more (state-modes).
 * A register anyone may read tells who uses the password exception and
 * who is near a lockout; refused, not narrowed by the next writer in
 * silence.  fd, or -1 with errno as open_safe's (JERR_UNSAFE: open to
 * others). */
static int
register_open(struct store *st)
{
	struct stat sb;
	int fd;

	if ((fd = store_openat_st(st, REGISTER_FILE, O_RDONLY, 0, &sb)) != -1 &&
	    (sb.st_mode & S_IRWXO) != 0) {
		close(fd);
		errno = JERR_UNSAFE;
		return -1;
	}
	return fd;
}

/* No operators.csv.  jukisec-init makes none, so a state that never held
 * anyone has none: an empty register.  Once one held someone, rows are
 * never deleted: a missing one is missing state, refused whole, never
 * read as empty (no bootstrap, no credential reconciled away, ids not
 * free again, nobody listed as gone).  It held someone when the state
 * keeps a credential (a bootstrapped register keeps its last manager's)
 * or a note, and the log shows it; the log alone does not say so, as
 * log-append writes its records before any bootstrap too. */
static int
missing(struct store *st, struct register_ *reg, const char *path,
    struct jerr *e)
{
	switch (register_history(st, e)) {
	case 0:
		reg->missing = 1;
		return ST_OK;
	case 1:
		jerr_say(e, ST_FAIL, _("%s: missing, but the operation log "
		    "records changes to it"), path);
		return ST_FAIL;
	default:
		return ST_FAIL;		/* said */
	}
}

/* Long: open, pick the file's form (three column layouts), read row
 * by row, check duplicates: one pass with one clean-up.  With want (n
 * sorted ids), register_load_ids'. */
static int
load(struct store *st, struct register_ *reg, struct jerr *e, off_t peek,
    const char *const *want, size_t nwant)
{
	struct jerr	 m, said = JERR_INIT;
	struct stat	 sb;
	struct csv_reader *r;
	struct csv_record *rec;
	struct operator	 o;
	const char	*bad;
	char		*path;
	FILE		*fp;
	size_t		 cap = 0, *lines = NULL;
	enum form	 fm;
	int		 fd, k, full, ret = ST_OK;

	reg->op = NULL;
	reg->ix = NULL;
	reg->n = reg->damaged = 0;
	reg->missing = 0;
	/* a missing register: the hash of no bytes */
	snprintf(reg->sha256, sizeof(reg->sha256), "%s", SHA256_EMPTY);
	if (peek)
		e = &said;	/* anything said makes it a failure below */
	path = xasprintf("%s/%s", st->dir, REGISTER_FILE);
	if ((fd = register_open(st)) == -1) {
		if (errno == ENOENT && !peek) {
			ret = missing(st, reg, path, e);
			free(path);
			return ret;
		}
		if (errno == ENOENT) {	/* the log's to answer: not now */
			free(path);
			return ST_FAIL;
		}
		open_safe_err(&m, ST_FAIL, path);
		jerr_pass(e, &m);
		free(path);
		return ST_FAIL;
	}
	if (peek > 0 && (fstat(fd, &sb) == -1 || sb.st_size > peek)) {
		close(fd);
		free(path);
		return ST_FAIL;
	}
	if ((fp = fdopen(fd, "r")) == NULL)
		err(ST_FAIL, "%s", path);
	/* Unbuffered: the reader's 64 KiB reads go straight to its chunk,
	 * with no stdio block (and its fstat) between. */
	if (setvbuf(fp, NULL, _IONBF, 0) != 0)
		err(ST_FAIL, "%s", path);
	fm = file_form(fd);
	r = csvr_open(fp, path, fm == FORM_V1 ? v1_cols : register_cols,
	    fm == FORM_V1 ? V1_NCOLS : fm == FORM_V2 ? V2_NCOLS : NCOLS, 0, 1,
	    OPERATOR_REASON_MAX);
	csvr_errto(r, e);
	while ((k = csvr_next(r, &rec)) == 1) {
		memset(&o, 0, sizeof o);
		full = want == NULL || bsearch(&rec->field[C_ID], want, nwant,
		    sizeof *want, by_str) != NULL;
		if ((bad = row_parse(rec, fm, path, st->reg_loads > 0, full, &o,
		    e)) != NULL) {
			jerr_say_at(e, ST_FAIL, rec->line, JERR_VALUE,
			    _("%s:%zu: field %s: invalid value"), path,
			    rec->line, bad);
			ret = ST_FAIL;
			break;
		}
		if (reg->n == cap) {
			cap = cap ? cap * 2 : 64;
			reg->op = xrealloc(reg->op, cap * sizeof o);
			lines = xrealloc(lines, cap * sizeof *lines);
			/* the new rows' pages in one call each, not one fault
			 * each (10,000 rows: 430 faults, a tenth of a listing) */
			warm_range(reg->op + reg->n, (cap - reg->n) * sizeof o);
			warm_range(lines + reg->n, (cap - reg->n) * sizeof *lines);
		}
		lines[reg->n] = rec->line;
		if (o.bad)
			reg->damaged++;
		reg->op[reg->n++] = o;
	}
	if (k == -1)
		ret = ST_FAIL;
	else if (ret == ST_OK)
		ret = check_duplicates(reg, lines, path, e);
	if (ret == ST_OK && want != NULL) {
		keep_wanted(reg);
		reg->sha256[0] = '\0';
	} else if (ret == ST_OK &&
	    register_sha256_fd(fd, reg->sha256, NULL) == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", path);
		ret = ST_FAIL;
	}
	if (peek > 0 && said.msg[0] != '\0')
		ret = ST_FAIL;	/* for the caller to load it again and say it */
	else if (peek == 0)
		st->reg_loads++;
	free(lines);
	csvr_close(r);
	fclose(fp);
	free(path);
	if (ret != ST_OK)
		register_free(reg);
	return ret;
}

void
register_free(struct register_ *reg)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		row_free(&reg->op[i]);
	free(reg->op);
	free(reg->ix);
	reg->op = NULL;
	reg->ix = NULL;
	reg->n = reg->damaged = 0;
}

/* by_id, ties in the order of the rows: the first of equal ids first. */
static int
by_id_row(const void *a, const void *b)
{
	const struct operator *x = *(const struct operator *const *)a;
	const struct operator *y = *(const struct operator *const *)b;
	int c = strcmp(x->id, y->id);

	return c != 0 ? c : (x > y) - (x < y);
}

void
register_index(struct register_ *reg)
{
	size_t i;

	free(reg->ix);
	reg->ix = xcalloc(reg->n + 1, sizeof *reg->ix);
	for (i = 0; i < reg->n; i++)
		reg->ix[i] = &reg->op[i];
	qsort(reg->ix, reg->n, sizeof *reg->ix, by_id_row);
}

const struct operator *
register_get(const struct register_ *reg, const char *id)
{
	size_t lo = 0, hi = reg->n, mid;

	if (reg->ix == NULL) {
		for (lo = 0; lo < reg->n; lo++)
			if (strcmp(reg->op[lo].id, id) == 0)
				return &reg->op[lo];
		return NULL;
	}
	while (lo < hi) {	/* the first row whose id is not below id */
		mid = lo + (hi - lo) / 2;
		if (strcmp(reg->ix[mid]->id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < reg->n && strcmp(reg->ix[lo]->id, id) == 0 ?
	    reg->ix[lo] : NULL;
}

struct operator *
register_find(struct register_ *reg, const char *id)
{
	const struct operator *o = register_get(reg, id);

	return o != NULL ? &reg->op[o - reg->op] : NULL;
}

size_t
register_dups(const struct register_ *reg, unsigned char *flags)
{
	size_t i, n = 0;

	memset(flags, 0, reg->n);
	for (i = 1; i < reg->n; i++)
		if (strcmp(reg->ix[i]->id, reg->ix[i - 1]->id) == 0) {
			flags[reg->ix[i] - reg->op] = 1;
			n++;
		}
	return n;
}

struct operator *
register_append(struct register_ *reg, const char *id)
{
	struct operator *o;
	const char *f[NCOLS];
	size_t i;

	free(reg->ix);		/* the rows move */
	reg->ix = NULL;
	reg->op = xrealloc(reg->op, (reg->n + 1) * sizeof *o);
	o = &reg->op[reg->n++];
	memset(o, 0, sizeof *o);
	for (i = 0; i < NCOLS; i++)
		f[i] = "";
	f[C_ID] = id;
	pack(o, f, 1);
	o->registered_at = o->expires = o->revoked_at = TIME_NONE;
	o->locked_at = TIME_NONE;
	return o;
}

int
operator_revoked(const struct operator *o)
{
	return o->revoked_at != TIME_NONE;
}

int
operator_active(const struct operator *o, int64_t now)
{
	return !operator_revoked(o) &&
	    (o->expires == TIME_NONE || now < o->expires);
}

int
operator_locked(const struct operator *o, const struct conf *c, int64_t now)
{
	if (!o->locked)
		return 0;
	if (o->lock_held)
		return 1;
	/* A lock lifts by itself only from a time it can have begun at: one
	 * dated before the person was registered (1970 from a dead clock, a
	 * hand edit) is kept, as an unknown one is: a wrong clock never
	 * unlocks anyone (SPEC). */
	if (c->lockout_unlock_minutes > 0 && o->locked_at != TIME_NONE &&
	    o->registered_at != TIME_NONE && o->locked_at >= o->registered_at &&
	    now >= o->locked_at + c->lockout_unlock_minutes * 60000)
		return 0;
	return 1;
}

/* 1 when o is locked at now.  A lock whose automatic lifting is due
 * (lockout_unlock_minutes) stands all the same unless the log corroborates
 * the clock from the lock's time to now (clock_corroborated): a clock a
 * year ahead, or a log another writer moved there, unlocks no one (SPEC).
 * A log that cannot be read corroborates nothing: quiet, the record's own
 * checks say what is wrong with it. */
int
operator_lock_stands(struct store *st, const struct operator *o, int64_t now)
{
	struct jerr	 e = JERR_INIT, *caller = st->err;
	int64_t		 late, seen;
	int		 r;

	if (!o->locked)
		return 0;
	if (operator_locked(o, &st->conf, now))
		return 1;
	st->err = &e;
	r = clock_corroborated(st, o->locked_at, now, &late, &seen);
	st->err = caller;
	return r != ST_OK;
}

void
register_hold_locks(struct store *st, struct register_ *reg, int64_t now)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		if (reg->op[i].locked &&
		    !operator_locked(&reg->op[i], &st->conf, now))
			reg->op[i].lock_held = operator_lock_stands(st,
			    &reg->op[i], now);
}

void
operator_unlock(struct operator *o)
{
	o->locked = 0;
	o->locked_at = TIME_NONE;
	o->failed = 0;
}

enum operator_count
operator_count_attempt(struct operator *o, const struct conf *c, int64_t now,
    int ok, int keep, int *changed)
{
	struct operator	before = *o;
	enum operator_count what;

	if (o->locked && !keep && !operator_locked(o, c, now))
		operator_unlock(o);		/* automatic unlock is due */
	/* attempts while locked count too, unchecked; the count stops at a
	 * ceiling the register can always be read back at */
	if ((o->locked || !ok) && o->failed < OPERATOR_FAILED_MAX)
		o->failed++;
	if (o->locked)
		what = COUNT_LOCKED_BEFORE;
	else if (ok) {
		o->failed = 0;
		what = COUNT_OK;
	} else if (o->failed >= c->lockout_threshold) {
		o->locked = 1;
		o->locked_at = now;
		what = COUNT_LOCKED_NOW;
	} else
		what = COUNT_FAILED;
	/* a success on a clean row changes nothing: no fsync on the common
	 * path */
	*changed = o->failed != before.failed || o->locked != before.locked;
	return what;
}

size_t
register_managers(const struct register_ *reg, int64_t now)
{
	size_t i, n = 0;

	for (i = 0; i < reg->n; i++)
		if (reg->op[i].role == ROLE_MANAGER &&
		    operator_active(&reg->op[i], now) &&
		    register_row_usable(reg, &reg->op[i], now))
			n++;
	return n;
}

size_t
register_managers_able(const struct register_ *reg, const struct conf *c,
    int64_t now, const struct operator *except)
{
	const struct operator *o;
	size_t	 n = 0;

	for (o = reg->op; o < reg->op + reg->n; o++)
		if (o != except && o->role == ROLE_MANAGER &&
		    operator_active(o, now) && !operator_locked(o, c, now) &&
		    register_row_usable(reg, o, now))
			n++;
	return n;
}

int
register_end_strands(const struct register_ *reg, const struct conf *c,
    const struct operator *o, int64_t end)
{
	return o->role == ROLE_MANAGER && operator_active(o, end) &&
	    register_managers_able(reg, c, end, o) == 0;
}

static const char *
fmt_time(int64_t t, char *buf)
{
	if (t == TIME_NONE)
		buf[0] = '\0';
	else
		time_format(t, buf);
	return buf;
}

const char *
register_text(const struct operator *o, int c, char *buf)
{
	if (c == C_LOCKED)
		return locked_text(o);
	if ((o->bad & 1u << c) && stand_in_kept(o, c))
		return o->raw[c];
	switch (c) {
	case C_ID:		return o->id;
	case C_NAME:		return o->name;
	case C_SECTION:		return o->section;
	case C_ROLE:		return role_name(o->role);
	case C_METHOD:		return method_name(o->method);
	case C_REASON:		return o->exception_reason;
	case C_APPROVED:	return o->approved_by;
	case C_INSTR:		return o->instructions_date;
	case C_REGAT:		return fmt_time(o->registered_at, buf);
	case C_REGBY:		return o->registered_by;
	case C_EXPIRES:		return fmt_time(o->expires, buf);
	case C_REVAT:		return fmt_time(o->revoked_at, buf);
	case C_REVBY:		return o->revoked_by;
	case C_REVREASON:	return o->revoked_reason;
	case C_FAILED:
		snprintf(buf, TIME_BUFSZ, "%lld", o->failed);
		return buf;
	case C_TITLE:		return o->title;
	default:		return fmt_time(o->locked_at, buf);
	}
}

const char *
register_damaged(const struct operator *o, int c)
{
	return (o->bad & 1u << c) ? o->raw[c] : NULL;
}

size_t
operator_row(const struct operator *o)
{
	return o->line > 1 ? o->line - 1 : 0;
}

int
operator_method_known(const struct operator *o)
{
	return !(o->bad & 1u << C_METHOD);
}

int
operator_password(const struct operator *o)
{
	return o->method == METHOD_PASSWORD && operator_method_known(o);
}

const char *
operator_exception_damage(const struct operator *o)
{
	int y, m, d;

	if (!operator_password(o))
		return NULL;
	/* a password without its proviso recorded is no exception: a hand
	 * edit or a restore, which must not admit on the password alone;
	 * its approver is a manager's id, at least one in form */
	if (text_blank(o->exception_reason))
		return "exception_reason";
	if (operator_id_problem(o->approved_by) != NULL)
		return "approved_by";
	if (date_parse(o->instructions_date, &y, &m, &d) != 0)
		return "instructions_date";
	return NULL;
}

/* The row alone: its method reads back, and a password's exception
 * columns are filled in (register_row_usable asks the register the rest). */
static int
method_usable(const struct operator *o)
{
	return operator_method_known(o) && operator_exception_damage(o) == NULL;
}

int
register_row_usable(const struct register_ *reg, const struct operator *o,
    int64_t now)
{
	const struct operator *by;
	int y, m, d;

	if (!method_usable(o))
		return 0;
	if (!operator_password(o))
		return 1;
	/* the exception's two facts only a hand edit gets wrong, as
	 * jukisec-audit's biometric-or-exception FAILs them: a manager of
	 * this register approved it (revoked since or not), and the day of
	 * the instructions has come, in some zone: operator-add refuses a
	 * day after its own zone's today, and the manager's zone may be
	 * east of the gate's */
	by = register_get(reg, o->approved_by);
	if (by == NULL || by->role != ROLE_MANAGER)
		return 0;
	(void)date_parse(o->instructions_date, &y, &m, &d);
	return !date_future_everywhere(y, m, d, now);
}

void
operator_set_method(struct operator *o, enum method m)
{
	o->method = m;
	/* stand_in_kept cannot tell the stand-in from a password set now:
	 * the bit goes, and the file's text with it */
	if (o->bad & 1u << C_METHOD) {
		o->bad &= ~(1u << C_METHOD);
		free(o->raw[C_METHOD]);
		o->raw[C_METHOD] = NULL;
	}
}

int
register_write(struct store *st, const struct register_ *reg,
    struct atomic_file *af)
{
	return register_write_as(st, reg, af, REGISTER_FILE);
}

int
register_write_as(struct store *st, const struct register_ *reg,
    struct atomic_file *af, const char *name)
{
	const char	*f[NCOLS];
	char		 buf[NCOLS][TIME_BUFSZ];
	size_t		 i;
	int		 c;

	if (atomic_begin(af, st->dirfd, name, 0600) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, name);
		return ST_FAIL;
	}
	atomic_keep_group(af);
	if (csv_write_record(af->fp, register_cols, NCOLS) == -1)
		goto fail;
	for (i = 0; i < reg->n; i++) {
		for (c = 0; c < NCOLS; c++)
			f[c] = register_text(&reg->op[i], c, buf[c]);
		if (csv_write_record(af->fp, f, NCOLS) == -1)
			goto fail;
	}
	if (fflush(af->fp) == EOF)
		goto fail;
	return ST_OK;
fail:
	jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, name);
	atomic_abort(af);
	return ST_FAIL;
}

int
register_save(struct store *st, const struct register_ *reg)
{
	struct atomic_file af;

	if (register_write(st, reg, &af) != ST_OK)
		return ST_FAIL;
	if (atomic_commit(&af) == -1) {
		jerr_say_errno(st->err, ST_FAIL,
		    "%s/%s", st->dir, REGISTER_FILE);
		return ST_FAIL;
	}
	return ST_OK;
}

/* A credential file is live when its row is not revoked and the file is the
 * one its method uses. */
static int
cred_live(struct operator **v, size_t n, const char *name)
{
	struct operator	 key, *kp = &key, **found, *o;
	const char	*dot, *ext;

	if ((dot = strrchr(name, '.')) == NULL)
		return 0;
	key.id = xstrndup(name, (size_t)(dot - name));
	found = bsearch(&kp, v, n, sizeof *v, by_id);
	free(key.id);
	if (found == NULL || operator_revoked(o = *found))
		return 0;
	if (!operator_method_known(o))	/* both kinds until it is repaired */
		return strcmp(dot + 1, "phc") == 0 ||
		    strcmp(dot + 1, "tmpl") == 0;
	ext = o->method == METHOD_PASSWORD ? "phc" : "tmpl";
	return strcmp(dot + 1, ext) == 0;
}

/* One file of credentials/ that no live row holds.  ID.EXT.old that is
 * another name of ID.EXT is a replacement a kill cut short before its
 * rename (an auth-check's re-hash, which leaves no note): the name goes,
 * nothing else, as cred_unkeep takes it back.  Any other is destroyed,
 * and the log says so; one that cannot be refuses the change this writer
 * was to make, the log saying why in words no locale changes. */
static int
reconcile_one(struct store *st, int dfd, const char *name, const char *who)
{
	size_t	 len = strlen(name);
	char	*live;
	int	 saved, k = 0;

	if (len > 4 && strcmp(name + len - 4, ".old") == 0) {
		live = xstrndup(name, len - 4);
		k = cred_unkeep_at(dfd, live, name);
		free(live);
	}
	if (k == 1)
		return ST_OK;
	if (k == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s/%s", st->dir, CRED_DIR,
		    name);
		return ST_FAIL;
	}
	if (destroy_file(dfd, name) == -1) {
		saved = errno;
		cred_destroy_say(st, name);
		(void)oplog_log(st, who, "register-reconcile", name, "error",
		    "credential file without a live register row, not "
		    "destroyed (%s)", strerrorname_np(saved) != NULL ?
		    strerrorname_np(saved) : "?");
		return ST_FAIL;
	}
	return oplog_log(st, who, "register-reconcile", name, "removed",
	    "credential file without a live register row") == ST_OK ?
	    ST_OK : ST_FAIL;
}

int
register_reconcile(struct store *st, struct register_ *reg, const char *who)
{
	struct dirent	*e;
	struct operator	**v;
	DIR		*d;
	char		**gone = NULL;
	size_t		 i, n = 0;
	int		 dfd, r = ST_OK;

	/* No register, no row to judge a credential by: a state that never
	 * held anyone (load's missing) has only what a crashed bootstrap
	 * left, reconciled by the first change once there is a register. */
	if (reg->missing)
		return ST_OK;
	if ((dfd = cred_dir(st, 0)) == -1)
		return errno == ENOENT ? ST_OK : ST_FAIL;
	if ((d = fdopendir(dfd)) == NULL) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, CRED_DIR);
		close(dfd);
		return ST_FAIL;
	}
	v = sorted_rows(reg);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    cred_live(v, reg->n, e->d_name) ||
		    cred_is_template_key(st, dfd, e->d_name))
			continue;
		gone = xrealloc(gone, (n + 1) * sizeof *gone);
		gone[n++] = xstrdup(e->d_name);
	}
	free(v);
	for (i = 0; i < n; i++) {
		if (reconcile_one(st, dirfd(d), gone[i], who) != ST_OK)
			r = ST_FAIL;
		free(gone[i]);
	}
	free(gone);
	closedir(d);
	return r;
}
