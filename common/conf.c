/*
 * conf.c — jukisec.conf: one table of keys drives the defaults, the parser
 * and the file jukisec-init writes, so the three cannot drift apart.
 *
 * Invariants: a key's min is the regulation's floor where it has one
 * (retain_days >= 365 for R6, the OWASP Argon2id minimum for R5.3); a value
 * outside [min, max], an unknown or repeated key, or a line that is not
 * "key = value" is an error "FILE:LINE: key: reason" and the tool stops
 * (fail closed).  The file is UTF-8, comments included ("FILE:LINE:
 * invalid UTF-8"); a value is text_problem's text, no control character
 * (a tab only around it, as a blank).  Paths must be absolute
 * (template_key is never empty); numbers are decimal digits, no sign,
 * no leading zero.  man/jukisec.conf.5 lists the same table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "conf.h"
#include "csvio.h"
#include "esc.h"

#define LINE_MAX_LEN	4096

/* PATH: an absolute path or empty (none); KEYPATH: an absolute path. */
enum { NUM, STR, PATH, KEYPATH, LIST };

struct key {
	const char	*name;
	int		type;
	size_t		off;
	long long	def, min, max;
	const char	*sdef;
	const char	*comment;
};

#define N(k, d, lo, hi, c)	{ #k, NUM, offsetof(struct conf, k), d, lo, hi, NULL, c }
#define S(k, t, d, c)		{ #k, t, offsetof(struct conf, k), 0, 0, 0, d, c }

static const struct key keys[] = {
	N(epoch_seconds, 86400, CONF_EPOCH_MIN, CONF_EPOCH_MAX,
	    "R6: seconds per operation-log key epoch; the MAC key evolves one-way\n"
	    "# at each boundary, so a smaller value exposes less of the past"),
	N(retain_days, 365, CONF_RETAIN_MIN, CONF_RETAIN_MAX,
	    "R6: days the operation log is kept; never less than one year"),
	N(lock_timeout_ms, 10000, 0, 600000,
	    "milliseconds a tool waits for a state lock before giving up (exit 3)"),
	N(password_min_length, 8, 8, 1024,
	    "R5.3 proviso: shortest password for the password exception"),
	N(kdf_memory_kib, 65536, CONF_KDF_MEMORY_MIN, CONF_KDF_MEMORY_MAX,
	    "R5.3: Argon2id memory in KiB (OWASP floor 19456)"),
	N(kdf_time, 3, CONF_KDF_TIME_MIN, CONF_KDF_TIME_MAX,
	    "R5.3: Argon2id passes (floor 2)"),
	N(kdf_parallelism, 1, CONF_KDF_PAR_MIN, CONF_KDF_PAR_MAX,
	    "R5.3: Argon2id lanes"),
	N(lockout_threshold, 5, 1, 100,
	    "R5.2: consecutive failed authentications that lock an operator"),
	N(lockout_unlock_minutes, 0, 0, 525600,
	    "R5.2: minutes after which a lock lifts by itself; 0 = only the\n"
	    "# Security Manager unlocks, with operator-mod"),
	S(template_key, KEYPATH, NULL,
	    "R5.3: AES-256-GCM key for fingerprint templates; may live on\n"
	    "# removable media (absolute path, 0600, owned by the caller or root)"),
	N(fp_timeout_seconds, 30, 1, 600,
	    "R5.3: seconds to wait for a finger on the reader"),
	S(fp_device, STR, "",
	    "R5.3: libfprint driver name of the reader; empty = the first found"),
	S(external_verifier, PATH, "",
	    "R5.3: program for other biometrics (palm vein ...); empty = none"),
	N(external_timeout_seconds, 30, 1, 600,
	    "R5.3: seconds the external verifier may take"),
	S(notify_command, STR, "",
	    "R9: command run with /bin/sh -c on each new incident and step; empty = none"),
	N(exception_warn_threshold, 3, 0, 100000,
	    "R12(2): password exceptions in force before the audit warns"),
	N(audit_auth_window_days, 30, 1, 3650,
	    "R12(2), R5.2: days of authentication history the audit examines"),
	N(audit_auth_burst, 5, 1, 1000000,
	    "R12(2), R5.2: failures in the window the audit reports as a burst,\n"
	    "# counted per operator and terminal, per operator and per terminal"),
	N(audit_prune_max_age_days, 3, 1, 366,
	    "R6, R12(2): the audit FAILs when log-prune has left no record for this long"),
	S(system_actors, LIST, "",
	    "R5.4: operators of log records that are not persons of the register\n"
	    "# (cron jobs, backups), comma-separated, e.g. cron,backup; \"-\" always is"),
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static char **
str_at(struct conf *c, const struct key *k)
{
	return (char **)((char *)c + k->off);
}

static long long *
num_at(struct conf *c, const struct key *k)
{
	return (long long *)((char *)c + k->off);
}

static char *
default_str(const struct key *k, const char *statedir)
{
	if (k->sdef != NULL)
		return xstrdup(k->sdef);
	/* template_key: beside the state unless moved to removable media;
	 * a relative one is read from the state directory (tmpl.c), so a
	 * relative statedir is not repeated in it. */
	if (statedir == NULL || statedir[0] != '/')
		return xstrdup("template.key");
	return xasprintf("%s/template.key", statedir);
}

void
conf_defaults(struct conf *c, const char *statedir)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type == NUM)
			*num_at(c, &keys[i]) = keys[i].def;
		else
			*str_at(c, &keys[i]) = default_str(&keys[i], statedir);
	}
	muni_conf_defaults(&c->muni);
}

void
conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type != NUM) {
			free(*str_at(c, &keys[i]));
			*str_at(c, &keys[i]) = NULL;
		}
	}
	muni_conf_free(&c->muni);
}

static const char *
trim(char *s, char **end)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	*end = e;
	return s;
}

/* "name,name,...": names of A-Z a-z 0-9 . _ - (64 bytes at most, not
 * starting with '-'), commas between, no blanks; or empty. */
static int
actor_list_ok(const char *v)
{
	size_t n;

	while (*v != '\0') {
		n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789._-");
		if (n == 0 || n > 64 || *v == '-' || (v[n] != ',' && v[n] != '\0') ||
		    (v[n] == ',' && v[n + 1] == '\0'))
			return 0;
		v += n + (v[n] == ',');
	}
	return 1;
}

int
conf_system_actor(const struct conf *c, const char *name)
{
	const char *p = c->system_actors;
	size_t	 n = strlen(name), k;

	if (strcmp(name, "-") == 0)
		return 1;
	while (p != NULL && *p != '\0') {
		k = strcspn(p, ",");
		if (k == n && strncmp(p, name, n) == 0)
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}

/* NULL when v is a value k takes (a number's in *n), else the reason,
 * in msg when it quotes v.  The one check of a value: the file read
 * (set_key) and the file jukisec-init is about to write
 * (conf_init_problem). */
static const char *
value_problem(const struct key *k, const char *v, size_t vlen, long long *n,
    char *msg, size_t msgsz)
{
	const char *errstr, *why;

	if ((why = text_problem(v, LINE_MAX_LEN, 0)) != NULL)
		return why;
	if (k->type == NUM) {
		/* decimal digits only: a sign is no part of a setting, nor
		 * a leading zero */
		if (strspn(v, "0123456789") != vlen) {
			snprintf(msg, msgsz, _("\"%s\" is not a number"), v);
			return msg;
		}
		if (parse_decimal(v, k->min, k->max, n, &errstr) == -1) {
			if (errno == EINVAL)
				snprintf(msg, msgsz, _("\"%s\" is not a number"), v);
			else if (strcmp(errstr, "too small") == 0)
				snprintf(msg, msgsz, _("%s is below the minimum %lld"), v,
				    k->min);
			else
				snprintf(msg, msgsz, _("%s is above the maximum %lld"), v, k->max);
			return msg;
		}
		return NULL;
	}
	if ((k->type == PATH && *v != '\0' && *v != '/') ||
	    (k->type == KEYPATH && *v != '/'))
		return _("not an absolute path");
	if (k->type == KEYPATH && v[vlen - 1] == '/')
		return _("not a file name: it ends in \"/\"");
	if (k->type == LIST && !actor_list_ok(v))
		return _("not a comma-separated list of names (A-Z a-z 0-9 . _ -)");
	return NULL;
}

/* One "key = value" line; NULL, or the reason it is wrong. */
static const char *
set_key(struct conf *c, const struct key *k, const char *v, size_t vlen,
    char *msg, size_t msgsz)
{
	const char *why;
	long long n;

	if ((why = value_problem(k, v, vlen, &n, msg, msgsz)) != NULL)
		return why;
	if (k->type == NUM) {
		*num_at(c, k) = n;
		return NULL;
	}
	free(*str_at(c, k));
	*str_at(c, k) = xstrdup(v);
	return NULL;
}

/* A line without "=": named by the key it starts with, if it starts with
 * a word that could be one (a key's characters, 64 bytes at most, so
 * nothing unprintable is echoed), as every other error names the key. */
static void
no_equals(struct jerr *e, const char *path, size_t lineno, const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-");

	if (n == 0 || n > 64)
		jerr_say(e, ST_FAIL,
		    _("%s:%zu: expected \"key = value\""), path, lineno);
	else
		jerr_say(e, ST_FAIL, _("%s:%zu: %.*s: expected \"key = value\""),
		    path, lineno, (int)n, s);
}

/* jukisec.conf(5): the file is UTF-8 text.  1 when the bytes no value's
 * check sees are: a comment whole, else the line up to its "=" (a value's
 * own check names its key: "KEY: invalid UTF-8"). */
static int
utf8_ok(const char *line, size_t n)
{
	const char *eq;

	if (line[strspn(line, " \t")] != '#' &&
	    (eq = memchr(line, '=', n)) != NULL)
		n = (size_t)(eq - line);
	return csv_field_problem(line, n, LINE_MAX_LEN, 1) == NULL;
}

/* Long: one loop over the lines, each check where a reader meets it. */
int
conf_load_err(struct conf *c, FILE *fp, const char *path, struct jerr *e)
{
	char *line = NULL, *eq, *end, msg[256];
	const char *name, *val, *why;
	unsigned char seen[NKEYS] = { 0 };
	size_t cap = 0, lineno = 0, i;
	ssize_t n;
	int ret = ST_OK;

	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (memchr(line, '\0', n) != NULL) {
			jerr_say(e, ST_FAIL,
			    _("%s:%zu: contains a NUL byte"), path, lineno);
			goto fail;
		}
		if (n > LINE_MAX_LEN) {
			jerr_say(e, ST_FAIL,
			    _("%s:%zu: line longer than %d bytes"), path, lineno,
			    LINE_MAX_LEN);
			goto fail;
		}
		if (!utf8_ok(line, (size_t)n)) {
			jerr_say(e, ST_FAIL, "%s:%zu: %s", path, lineno,
			    _("invalid UTF-8"));
			goto fail;
		}
		name = trim(line, &end);
		if (*name == '\0' || *name == '#')
			continue;
		if ((eq = strchr(name, '=')) == NULL) {
			no_equals(e, path, lineno, name);
			goto fail;
		}
		*eq = '\0';
		val = trim(eq + 1, &end);
		name = trim((char *)name, &eq);
		if (*name == '\0') {
			jerr_say(e, ST_FAIL,
			    _("%s:%zu: expected \"key = value\""), path, lineno);
			goto fail;
		}
		for (i = 0; i < NKEYS; i++)
			if (strcmp(name, keys[i].name) == 0)
				break;
		/* the municipality's keys (muni.h); the value is checked only
		 * once the key is known to exist: an unknown key is reported
		 * as such whatever follows it (jukisec.conf(5)) */
		if (i == NKEYS && muni_conf_key(name)) {
			if ((why = text_problem(val, LINE_MAX_LEN, 0)) == NULL &&
			    muni_conf_set(&c->muni, name, val, &why) == 0)
				continue;
			jerr_say(e, ST_FAIL,
			    "%s:%zu: %s: %s", path, lineno, name, _(why));
			goto fail;
		}
		if (i == NKEYS) {
			if (csv_field_problem(name, strlen(name), 64, 0) != NULL)
				jerr_say(e, ST_FAIL,
				    _("%s:%zu: unknown key"), path, lineno);
			else
				jerr_say(e, ST_FAIL,
				    _("%s:%zu: %s: unknown key"), path, lineno, name);
			goto fail;
		}
		if (seen[i]++) {
			jerr_say(e, ST_FAIL,
			    _("%s:%zu: %s: set twice"), path, lineno, name);
			goto fail;
		}
		if ((why = set_key(c, &keys[i], val, (size_t)(end - val), msg,
		    sizeof(msg))) != NULL) {
			jerr_say(e, ST_FAIL,
			    "%s:%zu: %s: %s", path, lineno, name, why);
			goto fail;
		}
	}
	if (ferror(fp)) {
		jerr_say_errno(e, ST_FAIL, "%s", path);
		goto fail;
	}
	free(line);
	return ret;
fail:
	free(line);
	return ST_FAIL;
}

int
conf_load_fp(struct conf *c, FILE *fp, const char *path)
{
	return conf_load_err(c, fp, path, NULL);
}

/* The values conf_write_init writes that depend on statedir (template_key,
 * DIR/template.key) must read back: a file the tools refuse would leave
 * a log whose key was printed and no tool to use it.  Each is checked as
 * conf_load checks it, its line "key = value" within LINE_MAX_LEN. */
char *
conf_init_problem(const char *statedir)
{
	const char *why;
	char *v, *bad = NULL, msg[256];
	size_t i, room;
	long long n;

	for (i = 0; i < NKEYS && bad == NULL; i++) {
		if (keys[i].type == NUM)
			continue;	/* a constant, or --epoch's, in range */
		v = default_str(&keys[i], statedir);
		room = LINE_MAX_LEN - strlen(keys[i].name) - strlen(" = ");
		if (strlen(v) > room) {
			snprintf(msg, sizeof(msg), _("longer than %zu bytes"), room);
			why = msg;
		} else
			why = value_problem(&keys[i], v, strlen(v), &n, msg,
			    sizeof(msg));
		if (why != NULL)
			bad = xasprintf("%s %s: %s", keys[i].name, v, why);
		free(v);
	}
	return bad;
}

int
conf_write_defaults(FILE *fp, const char *statedir)
{
	return conf_write_init(fp, statedir, 86400);
}

int
conf_write_init(FILE *fp, const char *statedir, long long epoch_seconds)
{
	size_t i;
	char *s;

	fprintf(fp, "# jukisec.conf - settings of this state directory; see jukisec.conf(5).\n"
	    "# \"key = value\", one per line.  Values below a regulation floor are\n"
	    "# refused, as are unknown keys: a typo never weakens a control.\n");
	for (i = 0; i < NKEYS; i++) {
		fprintf(fp, "\n# %s\n", keys[i].comment);
		if (keys[i].type == NUM) {
			fprintf(fp, "# range %lld to %lld\n%s = %lld\n", keys[i].min,
			    keys[i].max, keys[i].name, strcmp(keys[i].name, "epoch_seconds") == 0 ?
			    epoch_seconds : keys[i].def);
		} else {
			s = default_str(&keys[i], statedir);
			fprintf(fp, "%s = %s\n", keys[i].name, s);
			free(s);
		}
	}
	return muni_conf_write(fp) == -1 || ferror(fp) ? -1 : 0;
}
