/*
 * pending.c — a change of a state file and its log record, whole (R6):
 * the note that names a change before it is made, and its settlement
 * (jukisec-log(5), "Register changes"; pending.h has the two kinds).
 *
 * Invariants: under the lock every writer of the kind's file holds.  A
 * change goes: the note (the record to log, the log head's seq, SHA-256
 * of the file before and after) replaced atomically and synced; the file
 * replaced; the record logged; the note removed and the directory synced.
 * So a change in force without its record is always named by a note, and
 * the next writer settles it before it reads the file to change it: the
 * file is the one after, so the record is logged unless a record after
 * the head's seq already is it; the one before, so nothing changed, and
 * the kind's withdrawal is logged (when it has one), unless the kind's
 * made() completes the change instead (a credential in place, the gate's
 * count: register_txn.c).  A file that is
 * neither was replaced by someone else: refused, the note kept.  The
 * note's record is checked as log-append would check it before anything
 * is settled.
 */
#include <errno.h>
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "csvfile.h"
#include "jerr.h"
#include "pending.h"

#define HASHLEN		32

/* The record's fields in file order, and the names they carry there. */
static const char *const fname[PENDING_NF] = {
	"operator", "action", "object", "result", "detail"
};

static const char **
rec_field(struct oplog_rec *r, size_t i)
{
	const char **f[PENDING_NF] = { &r->operator, &r->action, &r->object,
	    &r->result, &r->detail };

	return f[i];
}

void
pending_sha256(const void *p, size_t n, char out[2 * HASHLEN + 1])
{
	unsigned char h[HASHLEN];

	gcry_md_hash_buffer(GCRY_MD_SHA256, h, p != NULL ? p : "", n);
	hex_encode(h, HASHLEN, out);
}

int
pending_file_hash(struct store *st, const char *name, char out[2 * HASHLEN + 1])
{
	struct buf raw;

	if (csvfile_read(st, name, &raw) != ST_OK)
		return ST_FAIL;
	pending_sha256(raw.p, raw.len, out);
	buf_free(&raw);
	return ST_OK;
}

static void
pending_free(struct pending *p)
{
	size_t i;

	for (i = 0; i < PENDING_NF; i++)
		free(p->text[i]);
	buf_free(&p->reg);
}

/* One line: magic, seq=, before=, after=, with a credential cred= and
 * credhash=, then each field as NAME=HEX; with a credential, and for the
 * gate's count, the file after the change follows, byte for byte, to the
 * end of the note. */
int
pending_write(struct store *st, const struct pending_kind *k,
    const struct pending *p)
{
	struct atomic_file af;
	const char *v;
	char *hex;
	size_t i;
	int r;

	/* a name of its own cleared first, as atomic_begin clears its own:
	 * the gate's pad does a count's work, call for call */
	if (k->notetmp != NULL)
		r = atomic_clear(st->dirfd, k->notetmp, 0) == -1 ? -1 :
		    atomic_begin_as(&af, st->dirfd, k->note, k->notetmp, 0600);
	else
		r = atomic_begin(&af, st->dirfd, k->note, 0600);
	if (r == -1)
		goto fail;
	atomic_keep_group(&af);
	fprintf(af.fp, "%s seq=%lld before=%s after=%s", k->magic, p->seq,
	    p->before, p->after);
	if (*p->ext)
		fprintf(af.fp, " cred=%s credhash=%s", p->ext, p->credhash);
	for (i = 0; i < PENDING_NF; i++) {
		v = *rec_field((struct oplog_rec *)&p->rec, i);
		hex = xmalloc(2 * strlen(v) + 1);
		hex_encode((const unsigned char *)v, strlen(v), hex);
		fprintf(af.fp, " %s=%s", fname[i], hex);
		free(hex);
	}
	fputc('\n', af.fp);
	if (p->reg.len)
		fwrite(p->reg.p, 1, p->reg.len, af.fp);
	if (atomic_commit(&af) == 0)
		return ST_OK;
fail:
	jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, k->note);
	return ST_FAIL;
}

int
pending_replace(struct store *st, const struct pending_kind *k,
    const struct buf *raw, const char *b, size_t n, const struct oplog_rec *rec,
    int *in)
{
	struct atomic_file af;
	struct pending p;
	int r, dummy;

	in = in != NULL ? in : &dummy;
	*in = 0;
	memset(&p, 0, sizeof(p));
	p.rec = *rec;
	p.seq = oplog_head_seq(st);
	/* the bytes read under this lock, which are still there */
	pending_sha256(raw->p, raw->len, p.before);
	pending_sha256(b, n, p.after);
	r = k->filetmp != NULL ?
	    atomic_begin_as(&af, st->dirfd, k->file, k->filetmp, 0600) :
	    atomic_begin(&af, st->dirfd, k->file, 0600);
	if (r == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, k->file);
		return ST_FAIL;
	}
	atomic_keep_group(&af);
	if (fwrite(b, 1, n, af.fp) != n || fflush(af.fp) == EOF) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, k->file);
		atomic_abort(&af);
		return ST_FAIL;
	}
	if (pending_write(st, k, &p) != ST_OK) {
		atomic_abort(&af);
		return ST_FAIL;
	}
	if (atomic_commit(&af) == -1) {
		/* the note stays: the next writer settles it */
		*in = atomic_renamed(&af);
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, k->file);
		return ST_FAIL;
	}
	*in = 1;
	return ST_OK;
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

/* One NAME=VALUE token of the note's line into p; -1 if it is not the
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
	else if (*k >= 3 && *k - 3 < PENDING_NF && strcmp(tok, fname[*k - 3]) == 0 &&
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

	for (i = 0; i < PENDING_NF; i++) {
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

/* The note's line parsed into p, the bytes after it into p->reg: 1 when
 * it is a note of the kind, else 0. */
static int
pending_parse(const struct pending_kind *k, struct buf *raw, struct pending *p)
{
	char *tok, *save, *line, *nl;
	size_t k3 = 0, mlen = strlen(k->magic);
	int ok = 0;

	if (raw->len == 0 || (nl = memchr(raw->p, '\n', raw->len)) == NULL) {
		line = xstrdup("");
	} else {
		line = xstrndup(raw->p, (size_t)(nl - raw->p));
		buf_add(&p->reg, nl + 1, raw->len - (size_t)(nl - raw->p) - 1);
	}
	if (strncmp(line, k->magic, mlen) != 0 || line[mlen] != ' ')
		goto out;
	for (tok = strtok_r(line + mlen + 1, " ", &save);
	    tok != NULL; tok = strtok_r(NULL, " ", &save))
		if (pending_token(p, &k3, tok) == -1)
			goto out;
	ok = k3 == 3 + PENDING_NF && (*p->ext == '\0' || p->reg.len > 0);
out:
	free(line);
	return ok;
}

/* 1 with *p filled, 0 when there is no note, -1 after a message.  An
 * empty note is one that does not read: no writer leaves one (the note is
 * synced under its temporary name before the rename), and taken for none
 * it would hide a change in force whose record was never logged. */
static int
pending_read(struct store *st, const struct pending_kind *k, struct pending *p)
{
	struct buf raw;
	char msg[256];
	const char *why;
	int ok, there;

	memset(p, 0, sizeof(*p));
	if (csvfile_read_there(st, k->note, &raw, &there, st->err) != ST_OK)
		return -1;
	if (!there)
		return 0;
	ok = pending_parse(k, &raw, p);
	buf_free(&raw);
	/* a record the log would refuse is refused now, before the file is
	 * settled: file, line (the record's) and field named */
	if (ok && (why = pending_rec_problem(p, msg, sizeof(msg))) != NULL) {
		pending_free(p);
		jerr_say(st->err, ST_FAIL, "%s/%s:1: %s", st->dir, k->note, why);
		return -1;
	}
	if (ok)
		return 1;
	pending_free(p);
	jerr_say(st->err, ST_FAIL, _(k->garbled), st->dir, k->note);
	return -1;
}

int
pending_remove(struct store *st, const struct pending_kind *k)
{
	if ((unlinkat(st->dirfd, k->note, 0) == -1 && errno != ENOENT) ||
	    fsync_dir(st->dirfd) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, k->note);
		return ST_FAIL;
	}
	return ST_OK;
}

int
pending_neither(struct store *st, const struct pending_kind *k)
{
	jerr_say(st->err, ST_FAIL, _(k->neither), st->dir, k->note);
	return -1;
}

int
pending_by_hash(struct store *st, const struct pending_kind *k,
    const struct pending *p)
{
	char h[2 * HASHLEN + 1];

	if (pending_file_hash(st, k->file, h) != ST_OK)
		return -1;
	if (strcmp(h, p->after) == 0)
		return 1;
	if (strcmp(h, p->before) == 0)
		return 0;
	return pending_neither(st, k);
}

int
pending_look(struct store *st, const struct pending_kind *k, char *object,
    size_t size)
{
	struct pending p;
	int r;

	if ((r = pending_read(st, k, &p)) <= 0)
		return r == 0 ? PENDING_NONE : -1;
	if ((r = pending_by_hash(st, k, &p)) != -1)
		snprintf(object, size, "%s", p.rec.object);
	pending_free(&p);
	return r == -1 ? -1 : r ? PENDING_AFTER : PENDING_BEFORE;
}

int
pending_first(struct store *st, const char *note, const char *magic,
    char *object, size_t size)
{
	const struct pending_kind k = { NULL, note, magic, NULL, NULL,
	    "%s/%s", "%s/%s", NULL, NULL };
	struct jerr	 quiet = JERR_INIT, *caller = st->err;
	struct pending	 p;
	int		 r;

	st->err = &quiet;
	r = pending_read(st, &k, &p);
	st->err = caller;
	if (r <= 0)
		return r;
	r = strcmp(p.before, SHA256_EMPTY) == 0;
	if (r)
		snprintf(object, size, "%s", p.rec.object);
	pending_free(&p);
	return r;
}

/* The record of a change that was made: the log's own "recover" record
 * of operator-mod --recover is written as such; any other special record
 * is refused as log-append would refuse it.  The gate's count (a note
 * that holds the file after and names no credential) is an attempt's
 * "auth" record, read for when and where the attempt was (R5.4, the
 * audit's failure bursts): the settling writer's time and terminal are
 * not the attempt's, so its detail says so, when it has room (a record
 * the log refuses would keep the note, and refuse every writer, for
 * good; the matching above needs only its beginning). */
static int
log_pending(struct store *st, const struct pending *p)
{
	const struct oplog_rec *rec = &p->rec;

	if (strcmp(rec->operator, "-") == 0 && strcmp(rec->action, "recover") == 0)
		return oplog_log_recover(st, rec->object, rec->result, "%s",
		    rec->detail);
	if (*p->ext == '\0' && p->reg.len > 0 &&
	    strlen(rec->detail) + strlen(PENDING_SETTLED) <= OPLOG_DETAIL_MAX)
		return oplog_log(st, rec->operator, rec->action, rec->object,
		    rec->result, "%s%s", rec->detail, PENDING_SETTLED);
	return oplog_append(st, rec, 1);
}

/* The kind's fixed temporary names that a writer killed before its
 * rename left: without this they would stay for good (a copy of the
 * whole file among them). */
static int
tmp_clear(struct store *st, const struct pending_kind *k)
{
	const char *tmp[2] = { k->filetmp, k->notetmp };
	size_t i;

	for (i = 0; i < 2; i++)
		if (tmp[i] != NULL && atomic_clear(st->dirfd, tmp[i], 0) == -1) {
			jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, tmp[i]);
			return ST_FAIL;
		}
	return ST_OK;
}

int
pending_settle(struct store *st, const struct pending_kind *k)
{
	struct pending p;
	int r, made, logged;

	if (tmp_clear(st, k) != ST_OK)
		return ST_FAIL;
	if ((r = pending_read(st, k, &p)) <= 0)
		return r == 0 ? ST_OK : ST_FAIL;
	if ((made = k->made != NULL ? k->made(st, k, &p) :
	    pending_by_hash(st, k, &p)) == -1)
		r = ST_FAIL;
	else if (made) {
		/* its record, unless the log has it already */
		if ((logged = oplog_logged_since(st, p.seq, &p.rec)) == -1)
			r = ST_FAIL;
		else if (logged == 0 && log_pending(st, &p) != ST_OK)
			r = ST_FAIL;
		else
			r = pending_remove(st, k);
	} else if (k->withdrawn != NULL && oplog_log(st, p.rec.operator,
	    k->withdrawn, p.rec.object, "withdrawn",
	    "%s %s: not made (interrupted)", p.rec.action, p.rec.result) != ST_OK)
		r = ST_FAIL;
	else
		r = pending_remove(st, k);
	pending_free(&p);
	return r;
}
