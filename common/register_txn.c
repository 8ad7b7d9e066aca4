/*
 * register_txn.c — a register change and its log record, whole (R5.5, R6):
 * the bracket of every change to operators.csv that the log must show.
 *
 * Invariants: under STORE_LOCK_REGISTER.  A change goes: operators.pending
 * (the record to log, the log head's seq, SHA-256 of the register before
 * and after) replaced atomically and synced; operators.csv replaced; the
 * record logged; operators.pending removed and the directory synced.  So
 * a change in force without its record is always named by a pending file,
 * and every register_lock settles that file before anything else reads
 * the register to change it: the register is the one after, so the record
 * is logged unless a record after the head's seq already is it; the one
 * before, so nothing changed and the withdrawal is logged.  A register
 * that is neither was replaced by someone else: refused, the file kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "cred.h"
#include "csvfile.h"
#include "jerr.h"
#include "register_txn.h"

#define PENDING_MAGIC	"jukisec-register-pending v1"
#define HASHLEN		32

/* The record's fields in file order, and the names they carry there. */
static const char *const fname[] = {
	"operator", "action", "object", "result", "detail"
};
#define NF	(sizeof(fname) / sizeof(fname[0]))

static const char **
rec_field(struct oplog_rec *r, size_t i)
{
	const char **f[NF] = { &r->operator, &r->action, &r->object,
	    &r->result, &r->detail };

	return f[i];
}

/* SHA-256 of DIR/operators.csv, in hex (a missing file: of no bytes). */
static int
register_hash(struct store *st, char out[2 * HASHLEN + 1])
{
	struct buf raw;
	unsigned char h[HASHLEN];

	if (csvfile_read(st, REGISTER_FILE, &raw) != ST_OK)
		return ST_FAIL;
	gcry_md_hash_buffer(GCRY_MD_SHA256, h, raw.p ? raw.p : "", raw.len);
	hex_encode(h, HASHLEN, out);
	buf_free(&raw);
	return ST_OK;
}

/* SHA-256 of what af's temporary file holds, in hex; its bytes added to
 * copy unless NULL.  0, or -1 with errno. */
static int
temp_read(struct atomic_file *af, char out[2 * HASHLEN + 1], struct buf *copy)
{
	int fd, r;

	if ((fd = openat(af->dirfd, af->tmpname, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	r = register_sha256_fd(fd, out, copy);
	close(fd);
	return r;
}

/* The pending change, as read back. */
struct pending {
	long long	 seq;
	char		 before[2 * HASHLEN + 1], after[2 * HASHLEN + 1];
	char		 ext[8], credhash[2 * HASHLEN + 1];	/* ext "": none */
	struct oplog_rec rec;
	char		*text[NF];
	struct buf	 reg;		/* the register after, with a credential */
};

static void
pending_free(struct pending *p)
{
	size_t i;

	for (i = 0; i < NF; i++)
		free(p->text[i]);
	buf_free(&p->reg);
}

/* One line: magic, seq=, before=, after=, with a credential cred= and
 * credhash=, then each field as NAME=HEX; with a credential the register
 * after the change follows, byte for byte, to the end of the file. */
static int
pending_write(struct store *st, const struct pending *p)
{
	struct atomic_file af;
	const char *v;
	char *hex;
	size_t i;

	if (atomic_begin(&af, st->dirfd, PENDING_FILE, 0600) == -1)
		goto fail;
	atomic_keep_group(&af);
	fprintf(af.fp, "%s seq=%lld before=%s after=%s", PENDING_MAGIC, p->seq,
	    p->before, p->after);
	if (*p->ext)
		fprintf(af.fp, " cred=%s credhash=%s", p->ext, p->credhash);
	for (i = 0; i < NF; i++) {
		v = *rec_field((struct oplog_rec *)&p->rec, i);
		hex = xmalloc(2 * strlen(v) + 1);
		hex_encode((const unsigned char *)v, strlen(v), hex);
		fprintf(af.fp, " %s=%s", fname[i], hex);
		free(hex);
	}
	fputc('\n', af.fp);
	if (*p->ext && p->reg.len)
		fwrite(p->reg.p, 1, p->reg.len, af.fp);
	if (atomic_commit(&af) == 0)
		return ST_OK;
fail:
	jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, PENDING_FILE);
	return ST_FAIL;
}

/* A field as hex back into text: lowercase digits only, no NUL. */
static int
unhex(const char *s, size_t n, char **out)
{
	if (n % 2 != 0)
		return -1;
	*out = xmalloc(n / 2 + 1);
	(*out)[n / 2] = '\0';
	if (hex_decode(s, n, (unsigned char *)*out, n / 2) == -1 ||
	    strlen(*out) != n / 2) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* One NAME=VALUE token of the pending line into p; -1 if it is not the
 * k-th one expected. */
static int
pending_token(struct pending *p, size_t *k, char *tok)
{
	char *eq;
	size_t i;

	if ((eq = strchr(tok, '=')) == NULL)
		return -1;
	*eq++ = '\0';
	if (*k == 0 && strcmp(tok, "seq") == 0)
		p->seq = strtoll(eq, NULL, 10);
	else if (*k == 1 && strcmp(tok, "before") == 0 && strlen(eq) == 2 * HASHLEN)
		memcpy(p->before, eq, sizeof(p->before));
	else if (*k == 2 && strcmp(tok, "after") == 0 && strlen(eq) == 2 * HASHLEN)
		memcpy(p->after, eq, sizeof(p->after));
	else if (*k == 3 && strcmp(tok, "cred") == 0 &&
	    (strcmp(eq, "phc") == 0 || strcmp(eq, "tmpl") == 0)) {
		snprintf(p->ext, sizeof(p->ext), "%s", eq);
		return 0;	/* credhash next, then the fields */
	} else if (*k == 3 && *p->ext && strcmp(tok, "credhash") == 0 &&
	    strlen(eq) == 2 * HASHLEN)
		memcpy(p->credhash, eq, sizeof(p->credhash));
	else if (*k >= 3 && *k - 3 < NF && strcmp(tok, fname[*k - 3]) == 0 &&
	    (*p->ext == '\0' || *p->credhash)) {
		i = *k - 3;
		if (unhex(eq, strlen(eq), &p->text[i]) == -1)
			return -1;
		*rec_field(&p->rec, i) = p->text[i];
	} else
		return -1;
	if (!(*k == 3 && strcmp(tok, "credhash") == 0))
		(*k)++;
	return 0;
}

/* What log-append would refuse in the record (oplog_rec_max; operator
 * and action given unless it is the log's own recover record, which
 * log_pending writes as such): NULL, or the reason, naming the field. */
static const char *
pending_rec_problem(const struct pending *p, char *msg, size_t size)
{
	const char *v, *why;
	size_t i;

	for (i = 0; i < NF; i++) {
		v = *rec_field((struct oplog_rec *)&p->rec, i);
		if ((why = csv_field_problem(v, strlen(v), oplog_rec_max[i],
		    0)) != NULL) {
			snprintf(msg, size, _("field %s: %s"), fname[i], why);
			return msg;
		}
	}
	if (strcmp(p->rec.operator, "-") == 0 &&
	    strcmp(p->rec.action, "recover") == 0)
		return NULL;
	return oplog_rec_required(&p->rec);
}

/* 1 with *p filled, 0 when there is no pending file, -1 after a message. */
static int
pending_read(struct store *st, struct pending *p)
{
	struct buf raw;
	char *tok, *save, *line, *nl, msg[256];
	const char *why;
	size_t k = 0;
	int ok = 0;

	memset(p, 0, sizeof(*p));
	if (csvfile_read(st, PENDING_FILE, &raw) != ST_OK)
		return -1;
	if (raw.len == 0) {
		buf_free(&raw);
		return 0;
	}
	if ((nl = memchr(raw.p, '\n', raw.len)) == NULL) {
		line = xstrdup("");
	} else {
		line = xstrndup(raw.p, (size_t)(nl - raw.p));
		buf_add(&p->reg, nl + 1, raw.len - (size_t)(nl - raw.p) - 1);
	}
	buf_free(&raw);
	if (strncmp(line, PENDING_MAGIC " ", sizeof(PENDING_MAGIC)) != 0)
		goto out;
	for (tok = strtok_r(line + sizeof(PENDING_MAGIC), " ", &save);
	    tok != NULL; tok = strtok_r(NULL, " ", &save))
		if (pending_token(p, &k, tok) == -1)
			goto out;
	ok = k == 3 + NF && (*p->ext == '\0' || p->reg.len > 0);
out:
	free(line);
	/* a record the log would refuse is refused now, before the register
	 * is settled: file, line (the record's) and field named */
	if (ok && (why = pending_rec_problem(p, msg, sizeof(msg))) != NULL) {
		pending_free(p);
		jerr_say(st->err, ST_FAIL, "%s/%s:1: %s", st->dir, PENDING_FILE,
		    why);
		return -1;
	}
	if (ok)
		return 1;
	pending_free(p);
	jerr_say(st->err, ST_FAIL, _("%s/%s: not a pending register change; look at it and the "
	    "register, then remove it"), st->dir, PENDING_FILE);
	return -1;
}

static int
pending_remove(struct store *st)
{
	if ((unlinkat(st->dirfd, PENDING_FILE, 0) == -1 && errno != ENOENT) ||
	    fsync_dir(st->dirfd) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, PENDING_FILE);
		return ST_FAIL;
	}
	return ST_OK;
}

/* The hash of credentials/ID.EXT as it is; "" when it is missing. */
static int
cred_sha(struct store *st, const char *id, const char *ext,
    char out[2 * HASHLEN + 1])
{
	unsigned char h[HASHLEN];
	char *data;
	size_t len;
	int r;

	*out = '\0';
	if ((r = cred_read(st, id, ext, &data, &len)) == ST_NO)
		return ST_OK;
	if (r != ST_OK)
		return r;
	gcry_md_hash_buffer(GCRY_MD_SHA256, h, data, len);
	hex_encode(h, HASHLEN, out);
	cred_free(data, len);
	return ST_OK;
}

/* Whether the pending change was made: 1 made (the register after is in
 * place, put there now if only the credential was), 0 not made, -1 after
 * a message (neither: refused). */
static int
pending_made(struct store *st, struct pending *p)
{
	struct atomic_file af;
	char reg[2 * HASHLEN + 1], cred[2 * HASHLEN + 1];

	if (register_hash(st, reg) != ST_OK)
		return -1;
	if (*p->ext) {
		/* the credential is replaced before the row: it decides */
		if (cred_sha(st, p->rec.object, p->ext, cred) != ST_OK)
			return -1;
		if (strcmp(cred, p->credhash) != 0) {
			if (strcmp(reg, p->before) == 0)
				return 0;
		} else if (strcmp(reg, p->after) == 0)
			return 1;
		else if (strcmp(reg, p->before) == 0) {
			if (atomic_begin(&af, st->dirfd, REGISTER_FILE, 0600) == 0)
				atomic_keep_group(&af);
			if (af.fp == NULL ||
			    fwrite(p->reg.p, 1, p->reg.len, af.fp) != p->reg.len ||
			    atomic_commit(&af) == -1) {
				jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, REGISTER_FILE);
				if (af.fp != NULL)
					atomic_abort(&af);
				return -1;
			}
			return register_hash(st, reg) == ST_OK &&
			    strcmp(reg, p->after) == 0 ? 1 : -1;
		}
	} else if (strcmp(reg, p->after) == 0)
		return 1;
	else if (strcmp(reg, p->before) == 0)
		return 0;
	jerr_say(st->err, ST_FAIL, _("%s/%s: the register is neither the one before nor the one "
	    "after the change it names; look at both, then remove it"),
	    st->dir, PENDING_FILE);
	return -1;
}

/* The record of a change that was made: the log's own "recover" record
 * of operator-mod --recover is written as such; any other special record
 * is refused as log-append would refuse it. */
static int
log_pending(struct store *st, const struct oplog_rec *rec)
{
	if (strcmp(rec->operator, "-") == 0 && strcmp(rec->action, "recover") == 0)
		return oplog_log_recover(st, rec->object, rec->result, "%s",
		    rec->detail);
	return oplog_append(st, rec, 1);
}

int
register_settle(struct store *st)
{
	struct pending p;
	int r, made, logged;

	if ((r = pending_read(st, &p)) <= 0)
		return r == 0 ? ST_OK : ST_FAIL;
	if ((made = pending_made(st, &p)) == -1)
		r = ST_FAIL;
	else if (made) {
		/* its record, unless the log has it already */
		if ((logged = oplog_logged_since(st, p.seq, &p.rec)) == -1)
			r = ST_FAIL;
		else if (logged == 0 && log_pending(st, &p.rec) != ST_OK)
			r = ST_FAIL;
		else
			r = pending_remove(st);
	} else {
		if (oplog_log(st, p.rec.operator, "register-reconcile",
		    p.rec.object, "withdrawn", "%s %s: not made (interrupted)",
		    p.rec.action, p.rec.result) != ST_OK)
			r = ST_FAIL;
		else
			r = pending_remove(st);
	}
	pending_free(&p);
	return r;
}

int
register_lock(struct store *st)
{
	int r;

	if ((r = store_lock(st, STORE_LOCK_REGISTER)) != ST_OK)
		return r;
	if ((r = register_settle(st)) != ST_OK)
		store_unlock(st, STORE_LOCK_REGISTER);
	return r;
}

int
register_open(struct store *st, struct register_ *reg)
{
	int r;

	reg->op = NULL;
	reg->n = 0;
	if ((r = register_lock(st)) != ST_OK)
		return r;
	if ((r = register_load(st, reg)) != ST_OK)
		register_end(st, reg);
	return r;
}

int
register_begin(struct store *st, struct register_ *reg, const char *who)
{
	int r;

	if ((r = register_open(st, reg)) != ST_OK)
		return r;
	if ((r = register_reconcile(st, reg, who)) != ST_OK)
		register_end(st, reg);
	return r;
}

int
register_change_begin(struct store *st, const struct register_ *reg,
    const struct oplog_rec *rec, const char *ext, const void *cred,
    size_t credlen, struct register_txn *t)
{
	struct pending p;
	unsigned char h[HASHLEN];
	int r = ST_FAIL;

	memset(&p, 0, sizeof(p));
	p.rec = *rec;
	p.seq = oplog_head_seq(st);
	/* the register as loaded under this lock: its bytes are still there */
	memcpy(p.before, reg->sha256, sizeof(p.before));
	if (register_write(st, reg, &t->af) != ST_OK)
		return ST_FAIL;
	if (temp_read(&t->af, p.after, ext != NULL ? &p.reg : NULL) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, REGISTER_FILE);
		goto out;
	}
	if (ext != NULL) {
		snprintf(p.ext, sizeof(p.ext), "%s", ext);
		gcry_md_hash_buffer(GCRY_MD_SHA256, h, cred, credlen);
		hex_encode(h, HASHLEN, p.credhash);
	}
	r = pending_write(st, &p);
out:
	buf_free(&p.reg);
	if (r != ST_OK)
		atomic_abort(&t->af);
	return r;
}

int
register_change_commit(struct store *st, struct register_txn *t)
{
	if (atomic_commit(&t->af) == -1) {
		/* the pending file stays: the next writer settles it */
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, REGISTER_FILE);
		return ST_FAIL;
	}
	return ST_OK;
}

void
register_change_abort(struct store *st, struct register_txn *t)
{
	atomic_abort(&t->af);
	(void)pending_remove(st);
}

int
register_commit_logged(struct store *st, const struct register_ *reg,
    const struct oplog_rec *rec)
{
	struct register_txn t;

	if (register_change_begin(st, reg, rec, NULL, NULL, 0, &t) != ST_OK)
		return ST_FAIL;
	return register_change_commit(st, &t);
}

int
register_commit_cred(struct store *st, const struct register_ *reg,
    const struct oplog_rec *rec, const char *ext, const void *cred,
    size_t credlen)
{
	struct register_txn t;
	int r;

	if ((r = register_change_begin(st, reg, rec, ext, cred, credlen, &t)) !=
	    ST_OK)
		return r;
	if ((r = cred_write(st, rec->object, ext, cred, credlen)) != ST_OK) {
		register_change_abort(st, &t);
		return r;
	}
	return register_change_commit(st, &t);
}

int
register_logged(struct store *st)
{
	return pending_remove(st);
}

void
register_end(struct store *st, struct register_ *reg)
{
	register_free(reg);
	store_unlock(st, STORE_LOCK_REGISTER);
}
