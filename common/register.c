/*
 * register.c — operators.csv, the operator register (R5.1).
 *
 * Invariants: the register is a record; rows are never deleted and ids are
 * never reused (a revoked row keeps its id).  It is read strictly (header,
 * 16 fields, valid ids, roles, methods and times, no duplicate id: anything
 * else is ST_FAIL naming file and line) and rewritten only whole, through
 * atomic_begin/commit, under STORE_LOCK_REGISTER.  A missing operators.csv
 * is an empty register.  Credential files follow the crash order
 * "credential before row" on add and "row before credential" on revoke, so
 * a crash can leave only a credential without a live row, which
 * register_begin destroys and logs before any change (R5.5).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "cred.h"
#include "csvio.h"
#include "oplog.h"
#include "register.h"
#include "timeutil.h"

#define REGISTER_FILE	"operators.csv"

enum { C_ID, C_NAME, C_SECTION, C_ROLE, C_METHOD, C_REASON, C_APPROVED,
	C_INSTR, C_REGAT, C_REGBY, C_EXPIRES, C_REVAT, C_REVBY, C_REVREASON,
	C_FAILED, C_LOCKED, NCOLS };
_Static_assert(NCOLS == REGISTER_NCOLS, "operators.csv columns");

const char *const register_cols[REGISTER_NCOLS] = {
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

const char *
operator_id_problem(const char *id)
{
	size_t n = strlen(id);

	if (n == 0)
		return _("empty");
	if (n > OPERATOR_ID_MAX)
		return _("longer than 32 bytes");
	if (id[0] == '-' || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return _("may not start with '-' or be '.' or '..'");
	if (strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") != n)
		return _("only A-Z a-z 0-9 . _ - allowed");
	return NULL;
}

int
field_check(const char *opt, const char *v, size_t max)
{
	const unsigned char *p;
	const char *why;

	if ((why = csv_field_problem(v, strlen(v), max, 0)) != NULL) {
		warnx(_("%s: %s"), opt, why);
		return ST_USAGE;
	}
	/* operator-list prints these to terminals: no C0 or C1 control
	 * (ESC, or U+009B CSI, would let a name rewrite the screen). */
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			warnx(_("%s: contains a control character"), opt);
			return ST_USAGE;
		}
	return ST_OK;
}

static int
parse_time_field(const char *s, int64_t *t)
{
	*t = 0;
	return *s == '\0' ? 0 : time_parse(s, t);
}

/* Fills o from rec; NULL or the name of the bad column. */
static const char *
row_parse(struct csv_record *rec, struct operator *o)
{
	char	**f = rec->field;
	const char *e;

	if (operator_id_problem(f[C_ID]) != NULL)
		return register_cols[C_ID];
	if (role_parse(f[C_ROLE], &o->role) == -1)
		return register_cols[C_ROLE];
	if (method_parse(f[C_METHOD], &o->method) == -1)
		return register_cols[C_METHOD];
	if (parse_time_field(f[C_REGAT], &o->registered_at) == -1)
		return register_cols[C_REGAT];
	if (parse_time_field(f[C_EXPIRES], &o->expires) == -1)
		return register_cols[C_EXPIRES];
	if (parse_time_field(f[C_REVAT], &o->revoked_at) == -1)
		return register_cols[C_REVAT];
	if (parse_time_field(f[C_LOCKED], &o->locked_at) == -1)
		return register_cols[C_LOCKED];
	if (parse_num(f[C_FAILED], 0, 1000000000, &o->failed, &e) == -1)
		return register_cols[C_FAILED];
	o->id = xstrdup(f[C_ID]);
	o->name = xstrdup(f[C_NAME]);
	o->section = xstrdup(f[C_SECTION]);
	o->exception_reason = xstrdup(f[C_REASON]);
	o->approved_by = xstrdup(f[C_APPROVED]);
	o->instructions_date = xstrdup(f[C_INSTR]);
	o->registered_by = xstrdup(f[C_REGBY]);
	o->revoked_by = xstrdup(f[C_REVBY]);
	o->revoked_reason = xstrdup(f[C_REVREASON]);
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
check_duplicates(struct register_ *reg, const size_t *lines, const char *path)
{
	struct operator **v = sorted_rows(reg);
	size_t	 i, a, b;
	int	 r = ST_OK;

	for (i = 1; i < reg->n && r == ST_OK; i++)
		if (strcmp(v[i - 1]->id, v[i]->id) == 0) {
			a = lines[v[i - 1] - reg->op];
			b = lines[v[i] - reg->op];
			warnx(_("%s:%zu: field id: duplicate id %s"), path,
			    a > b ? a : b, v[i]->id);
			r = ST_FAIL;
		}
	free(v);
	return r;
}

int
register_load(struct store *st, struct register_ *reg)
{
	struct csv_reader *r;
	struct csv_record *rec;
	struct operator	 o;
	const char	*bad;
	char		*path;
	FILE		*fp;
	size_t		 cap = 0, *lines = NULL;
	int		 fd, k, ret = ST_OK;

	reg->op = NULL;
	reg->n = 0;
	path = xasprintf("%s/%s", st->dir, REGISTER_FILE);
	if ((fd = store_openat(st, REGISTER_FILE, O_RDONLY, 0)) == -1) {
		if (errno == ENOENT) {
			free(path);
			return ST_OK;
		}
		warn("%s", path);
		free(path);
		return ST_FAIL;
	}
	if ((fp = fdopen(fd, "r")) == NULL)
		err(ST_FAIL, "%s", path);
	r = csvr_open(fp, path, register_cols, NCOLS, 0, 1, OPERATOR_REASON_MAX);
	while ((k = csvr_next(r, &rec)) == 1) {
		memset(&o, 0, sizeof o);
		if ((bad = row_parse(rec, &o)) != NULL) {
			warnx(_("%s:%zu: field %s: invalid value"), path,
			    rec->line, bad);
			ret = ST_FAIL;
			break;
		}
		if (reg->n == cap) {
			cap = cap ? cap * 2 : 64;
			reg->op = xrealloc(reg->op, cap * sizeof o);
			lines = xrealloc(lines, cap * sizeof *lines);
		}
		lines[reg->n] = rec->line;
		reg->op[reg->n++] = o;
	}
	if (k == -1)
		ret = ST_FAIL;
	else if (ret == ST_OK)
		ret = check_duplicates(reg, lines, path);
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
	struct operator *o;
	size_t i;

	for (i = 0; i < reg->n; i++) {
		o = &reg->op[i];
		free(o->id);
		free(o->name);
		free(o->section);
		free(o->exception_reason);
		free(o->approved_by);
		free(o->instructions_date);
		free(o->registered_by);
		free(o->revoked_by);
		free(o->revoked_reason);
	}
	free(reg->op);
	reg->op = NULL;
	reg->n = 0;
}

struct operator *
register_find(struct register_ *reg, const char *id)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		if (strcmp(reg->op[i].id, id) == 0)
			return &reg->op[i];
	return NULL;
}

struct operator *
register_append(struct register_ *reg, const char *id)
{
	struct operator *o;

	reg->op = xrealloc(reg->op, (reg->n + 1) * sizeof *o);
	o = &reg->op[reg->n++];
	memset(o, 0, sizeof *o);
	o->id = xstrdup(id);
	o->name = xstrdup("");
	o->section = xstrdup("");
	o->exception_reason = xstrdup("");
	o->approved_by = xstrdup("");
	o->instructions_date = xstrdup("");
	o->registered_by = xstrdup("");
	o->revoked_by = xstrdup("");
	o->revoked_reason = xstrdup("");
	return o;
}

int
operator_active(const struct operator *o, int64_t now)
{
	return o->revoked_at == 0 && (o->expires == 0 || now < o->expires);
}

int
operator_locked(const struct operator *o, const struct conf *c, int64_t now)
{
	if (o->locked_at == 0)
		return 0;
	if (c->lockout_unlock_minutes > 0 &&
	    now >= o->locked_at + c->lockout_unlock_minutes * 60000)
		return 0;
	return 1;
}

size_t
register_managers(const struct register_ *reg, int64_t now)
{
	size_t i, n = 0;

	for (i = 0; i < reg->n; i++)
		if (reg->op[i].role == ROLE_MANAGER &&
		    operator_active(&reg->op[i], now))
			n++;
	return n;
}

static void
fmt_time(int64_t t, char buf[TIME_BUFSZ])
{
	if (t == 0)
		buf[0] = '\0';
	else
		time_format(t, buf);
}

int
register_save(struct store *st, const struct register_ *reg)
{
	struct atomic_file af;
	const struct operator *o;
	const char	*f[NCOLS];
	char		 regat[TIME_BUFSZ], exp[TIME_BUFSZ], revat[TIME_BUFSZ];
	char		 lock[TIME_BUFSZ], failed[24];
	size_t		 i;

	if (atomic_begin(&af, st->dirfd, REGISTER_FILE, 0600) == -1) {
		warn("%s/%s", st->dir, REGISTER_FILE);
		return ST_FAIL;
	}
	if (csv_write_record(af.fp, register_cols, NCOLS) == -1)
		goto fail;
	for (i = 0; i < reg->n; i++) {
		o = &reg->op[i];
		fmt_time(o->registered_at, regat);
		fmt_time(o->expires, exp);
		fmt_time(o->revoked_at, revat);
		fmt_time(o->locked_at, lock);
		snprintf(failed, sizeof failed, "%lld", o->failed);
		f[C_ID] = o->id;
		f[C_NAME] = o->name;
		f[C_SECTION] = o->section;
		f[C_ROLE] = role_name(o->role);
		f[C_METHOD] = method_name(o->method);
		f[C_REASON] = o->exception_reason;
		f[C_APPROVED] = o->approved_by;
		f[C_INSTR] = o->instructions_date;
		f[C_REGAT] = regat;
		f[C_REGBY] = o->registered_by;
		f[C_EXPIRES] = exp;
		f[C_REVAT] = revat;
		f[C_REVBY] = o->revoked_by;
		f[C_REVREASON] = o->revoked_reason;
		f[C_FAILED] = failed;
		f[C_LOCKED] = lock;
		if (csv_write_record(af.fp, f, NCOLS) == -1)
			goto fail;
	}
	if (atomic_commit(&af) == -1) {
		warn("%s/%s", st->dir, REGISTER_FILE);
		return ST_FAIL;
	}
	return ST_OK;
fail:
	warn("%s/%s", st->dir, REGISTER_FILE);
	atomic_abort(&af);
	return ST_FAIL;
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
	if (found == NULL || (o = *found)->revoked_at != 0)
		return 0;
	ext = o->method == METHOD_PASSWORD ? "phc" : "tmpl";
	return strcmp(dot + 1, ext) == 0;
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

	if ((dfd = cred_dir(st, 0)) == -1)
		return errno == ENOENT ? ST_OK : ST_FAIL;
	if ((d = fdopendir(dfd)) == NULL) {
		warn("%s/%s", st->dir, CRED_DIR);
		close(dfd);
		return ST_FAIL;
	}
	v = sorted_rows(reg);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    cred_live(v, reg->n, e->d_name))
			continue;
		gone = xrealloc(gone, (n + 1) * sizeof *gone);
		gone[n++] = xstrdup(e->d_name);
	}
	free(v);
	for (i = 0; i < n; i++) {
		if (destroy_file(dirfd(d), gone[i]) == -1) {
			warn("%s/%s/%s", st->dir, CRED_DIR, gone[i]);
			r = ST_FAIL;
		} else if (oplog_log(st, who, "register-reconcile", gone[i],
		    "removed", "credential file without a live register row") !=
		    ST_OK)
			r = ST_FAIL;
		free(gone[i]);
	}
	free(gone);
	closedir(d);
	return r;
}

int
register_begin(struct store *st, struct register_ *reg, const char *who)
{
	int r;

	reg->op = NULL;
	reg->n = 0;
	if ((r = store_lock(st, STORE_LOCK_REGISTER)) != ST_OK)
		return r;
	if ((r = register_load(st, reg)) == ST_OK &&
	    (r = register_reconcile(st, reg, who)) == ST_OK)
		return ST_OK;
	register_end(st, reg);
	return r;
}

int
register_commit(struct store *st, const struct register_ *reg)
{
	return register_save(st, reg);
}

void
register_end(struct store *st, struct register_ *reg)
{
	register_free(reg);
	store_unlock(st, STORE_LOCK_REGISTER);
}
