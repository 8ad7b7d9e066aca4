/*
 * register_txn.c — a register change and its log record, whole (R5.5, R6):
 * the bracket of every change to operators.csv that the log must show.
 *
 * Invariants: under STORE_LOCK_REGISTER.  A change goes through the note
 * operators.pending, pending.c's kind for the register: the note
 * replaced atomically and synced; operators.csv replaced; the record
 * logged; the note removed.  Every register_lock settles a note a crash
 * left before anything else reads the register to change it; a change
 * not made is withdrawn in the log (register-reconcile).  A note is
 * settled only once the log is shown to take its record, under the log's
 * lock (register_log_ready, the checks the gate makes before a count):
 * settled first, a change was put in force (a count, a credential's row)
 * before a log that then refused its record was found, a change in force
 * that no record showed; so a log that cannot take it leaves the register
 * and the note as the crash left them.  What is the
 * register's alone: a change that replaces a credential names the
 * credential's hash, which decides whether it was made (the credential
 * is replaced before the row), and holds the register after it, put in
 * place when only the credential was; the credential replaced keeps a
 * second name meanwhile (cred_keep), destroyed once the change is made.
 * The gate's count of an attempt (register_commit_count) holds the
 * register after it too, and is always completed: its note in place, the
 * attempt was decided.  A denial with nothing to count does the same
 * disk work on operators.pad, which no tool reads (register_pad_count):
 * a note and a register written as the count's, committed onto that one
 * name in the same order, removed after the record; a pad a kill left is
 * removed at the next lock, and settles nothing.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "clock.h"
#include "cred.h"
#include "csvfile.h"
#include "jerr.h"
#include "oplog_verify.h"
#include "pending.h"
#include "register_txn.h"

/* The register's kind of note (pending.h): atomic_begin's temporary
 * names, which store_lock removes when a kill left them; a change not
 * made is withdrawn in the log. */
static int register_made(struct store *, const struct pending_kind *,
    struct pending *);
static int register_made_as(struct store *, const struct pending_kind *,
    struct pending *);
static const struct pending_kind register_kind = {
	REGISTER_FILE, PENDING_FILE, PENDING_MAGIC, NULL, NULL,
	N_("%s/%s: not a pending register change; look at it and the "
	    "register, then remove it"),
	N_("%s/%s: the register is neither the one before nor the one "
	    "after the change it names; look at both, then remove it"),
	"register-reconcile", register_made
};

/* The count's work, done for no count (register_pad_count): the note
 * and the register go to PAD_FILE, the note first, as a count's go to
 * operators.pending and operators.csv.  Never settled: no message of its
 * own, no "made".  The note's temporary file has a name of its own: the
 * register's is atomic_begin's for PAD_FILE, and both are there at once. */
static const struct pending_kind pad_kind = {
	PAD_FILE, PAD_FILE, PENDING_MAGIC, NULL,
	".tmp-" PAD_FILE ".note",
	NULL, NULL, NULL, NULL
};

/* SHA-256 of what af's temporary file holds, in hex; its bytes added to
 * copy unless NULL.  0, or -1 with errno. */
static int
temp_read(struct atomic_file *af, char out[65], struct buf *copy)
{
	int fd, r;

	if ((fd = openat(af->dirfd, af->tmpname, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	r = register_sha256_fd(fd, out, copy);
	close(fd);
	return r;
}

/* The hash of credentials/ID.EXT as it is; "" when it is missing. */
static int
cred_sha(struct store *st, const char *id, const char *ext, char out[65])
{
	char *data;
	size_t len;
	int r;

	*out = '\0';
	if ((r = cred_read(st, id, ext, &data, &len)) == ST_NO)
		return ST_OK;
	if (r != ST_OK)
		return r;
	pending_sha256(data, len, out);
	cred_free(data, len);
	return ST_OK;
}

/* The register after the change, from the note, put in place: 1, or -1
 * after a message. */
static int
put_after(struct store *st, const struct pending *p)
{
	struct atomic_file af;
	char reg[65];

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
	return pending_file_hash(st, REGISTER_FILE, reg) == ST_OK &&
	    strcmp(reg, p->after) == 0 ? 1 : -1;
}

/* A first change of the register (a bootstrap: the register before it
 * held nothing) that was not made, the register still missing: no row
 * can own a credential, so the one its person's change wrote before its
 * row is an orphan for sure, destroyed now and logged as the reconcile
 * logs it.  Left, it would look like a register's trace to every reader
 * (register_history) once the log holds records, and refuse the next
 * bootstrap for good.  Best effort: one not destroyed is the reconcile's
 * once there is a register. */
static void
first_withdrawn(struct store *st, const struct pending *p)
{
	static const char *const ext[] = { "phc", "tmpl" };
	struct stat	 sb;
	char		*name;
	size_t		 i;
	int		 dfd;

	if (strcmp(p->before, SHA256_EMPTY) != 0 ||
	    fstatat(st->dirfd, REGISTER_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0 ||
	    errno != ENOENT || (dfd = cred_dir(st, 0)) == -1)
		return;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		name = xasprintf("%s.%s", p->rec.object, ext[i]);
		if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(sb.st_mode) && destroy_file(dfd, name) == 0)
			(void)oplog_log(st, p->rec.operator, "register-reconcile",
			    name, "removed", "credential file without a live "
			    "register row");
		free(name);
	}
	close(dfd);
}

/* Whether the pending change was made: 1 made (the register after is in
 * place, put there now if only the credential was, or if it is the
 * gate's count), 0 not made, -1 after a message (neither: refused). */
static int
register_made(struct store *st, const struct pending_kind *k,
    struct pending *p)
{
	int made = register_made_as(st, k, p);

	if (made == 0)
		first_withdrawn(st, p);
	return made;
}

/* register_made's decision. */
static int
register_made_as(struct store *st, const struct pending_kind *k,
    struct pending *p)
{
	char reg[65], cred[65];
	int made;

	if (*p->ext == '\0' && p->reg.len == 0)
		return pending_by_hash(st, k, p);
	/* the old credential's second name (cred_keep), when it is still
	 * the one in force, is no old credential: it goes, made or not; one
	 * replaced is destroyed below once the change is found made */
	if (*p->ext && cred_unkeep(st, p->rec.object, p->ext) != ST_OK)
		return -1;
	if (pending_file_hash(st, REGISTER_FILE, reg) != ST_OK ||
	    (*p->ext && cred_sha(st, p->rec.object, p->ext, cred) != ST_OK))
		return -1;
	/* the credential is replaced before the row: it decides.  The
	 * gate's count is decided once its note is written: completed, so
	 * that a kill that leaves no answer leaves no attempt unrecorded
	 * either (the answer's timing could have told it). */
	if (*p->ext && strcmp(cred, p->credhash) != 0)
		made = strcmp(reg, p->before) == 0 ? 0 : -2;
	else if (strcmp(reg, p->after) == 0)
		made = 1;
	else if (strcmp(reg, p->before) == 0)
		made = put_after(st, p);
	else
		made = -2;
	if (made == -2)
		return pending_neither(st, k);
	/* made: the credential it replaced goes now, by whichever writer
	 * settles (an auth-check, say), not at the next change only */
	if (made == 1 && *p->ext)
		cred_old_drop(st, p->rec.object, p->ext);
	return made;
}

int
register_settle(struct store *st)
{
	/* a pad a kill left holds nothing to settle: it goes, best effort
	 * (a disk that cannot remove it writes nothing else either) */
	(void)atomic_clear(st->dirfd, PAD_FILE, 0);
	return pending_settle(st, &register_kind);
}

int
register_note(struct store *st, struct jerr *e, char *object, size_t size)
{
	struct jerr *caller = st->err;
	char	 o[OPLOG_OBJECT_MAX + 1];
	int	 r;

	st->err = e;
	r = pending_look(st, &register_kind, o, sizeof(o));
	st->err = caller;
	if (r == PENDING_AFTER)
		snprintf(object, size, "%s", o);
	return r == -1 ? -1 : r != PENDING_NONE;
}

int
register_log_ready(struct store *st, int64_t now, const char *name,
    off_t extra, int *err)
{
	struct jerr	 s = JERR_INIT, *caller = st->err;
	int		 r;

	*err = -1;
	if (oplog_writable(st, &st->unwritable) == -1) {
		*err = errno;
		r = ST_FAIL;
	} else if ((r = oplog_lock(st)) != ST_OK)
		;	/* said, the log refused for this run */
	else {
		st->err = &s;
		r = oplog_seal_at(st, now);
		st->err = caller;
		if (r != ST_OK && store_unwritable(s.errnum))
			*err = s.errnum;
		else
			jerr_pass(caller, &s);	/* a refusal, or a warning */
		if (r == ST_OK && (store_room(st, name, extra) == -1 ||
		    oplog_fits(st) == -1)) {
			*err = errno;
			r = ST_FAIL;
		}
		if (r != ST_OK)
			store_unlock(st, STORE_LOCK_LOG);
	}
	/* said once: the caller's own record would say it again */
	if (r != ST_OK)
		st->log_refused = 1;
	return r;
}

/*
 * 0 when a rename onto DIR/name (atomic_commit's) is one the kernel does
 * not refuse before it is tried, the file missing included; else -1 with
 * errno.  An immutable or append-only file (chattr(1)) fails an open for
 * writing with EPERM, as it fails the rename: open_regular, without
 * open_safe's owner and mode checks, so that EPERM is the kernel's; the
 * file's mode, which no rename asks, is not looked at (EACCES).  A mount
 * point (EBUSY) and a directory (EISDIR) open for writing as nothing
 * tells: statx says them.
 */
static int
entry_replaceable(struct store *st, const char *name)
{
	struct statx	 sx;
	int		 fd;

	if (statx(st->dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx) == -1)
		return errno == ENOENT ? 0 : -1;
	if (sx.stx_attributes & sx.stx_attributes_mask &
	    STATX_ATTR_MOUNT_ROOT) {
		errno = EBUSY;
		return -1;
	}
	if (S_ISDIR(sx.stx_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(sx.stx_mode))	/* a link, a FIFO: the rename replaces it */
		return 0;
	if ((fd = open_regular(st->dirfd, name, O_WRONLY)) != -1) {
		close(fd);
		return 0;
	}
	return errno == EPERM || errno == EROFS ? -1 : 0;
}

int
register_replaceable(struct store *st, const char **name)
{
	static const char *const f[] = { REGISTER_FILE, PAD_FILE };
	struct statx	 sx;
	size_t		 i;

	/* the directory: names come, none goes (+a), or none comes (+i) */
	*name = NULL;
	if (statx(st->dirfd, "", AT_EMPTY_PATH, 0, &sx) == -1)
		return -1;
	if (sx.stx_attributes & sx.stx_attributes_mask &
	    (STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND)) {
		errno = EPERM;
		return -1;
	}
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (entry_replaceable(st, f[i]) == -1) {
			*name = f[i];
			return -1;
		}
	return 0;
}

const char *
register_unrecorded_at(struct store *st)
{
	static _Thread_local char path[PATH_MAX];

	if (st->unwritable == NULL)
		return st->dir;
	snprintf(path, sizeof(path), "%s/%s", st->dir, st->unwritable);
	return path;
}

int
register_change_ready(struct store *st, const char *name, off_t extra,
    int *err)
{
	int64_t	 now;

	*err = -1;	/* a clock that cannot be decided is said */
	if (clock_decision(st, &now) != ST_OK)
		return ST_FAIL;
	return register_log_ready(st, now, name, extra, err);
}

/* Under the register lock, a note there: settled under the log's lock
 * once the log is shown to take its record, and room for the register
 * after it (the note holds it when the settlement puts it in place) and a
 * record.  ST_OK; ST_FAIL with *err as register_lock_err's. */
static int
settle_logged(struct store *st, int *err)
{
	struct jerr	 e = JERR_INIT, *caller = st->err;
	int		 r;

	if ((r = register_change_ready(st, PENDING_FILE, OPLOG_LINE_MAX,
	    err)) != ST_OK)
		return r;
	st->err = &e;
	r = register_settle(st);
	st->err = caller;
	store_unlock(st, STORE_LOCK_LOG);
	if (r != ST_OK && store_unwritable(e.errnum)) {
		*err = e.errnum;
		st->log_refused = 1;
	} else
		jerr_pass(caller, &e);
	return r;
}

int
register_lock_err(struct store *st, int *err)
{
	struct stat	 sb;
	int		 r;

	*err = 0;
	if ((r = store_lock(st, STORE_LOCK_REGISTER)) != ST_OK)
		return r;
	if (fstatat(st->dirfd, PENDING_FILE, &sb, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT)
		r = register_settle(st);	/* a pad a kill left, no more */
	else
		r = settle_logged(st, err);
	if (*err == -1)
		*err = 0;	/* said in the log's own words */
	if (r != ST_OK)
		store_unlock(st, STORE_LOCK_REGISTER);
	return r;
}

int
register_lock(struct store *st)
{
	int	 r, err;

	if ((r = register_lock_err(st, &err)) != ST_OK && err != 0)
		jerr_say(st->err, ST_FAIL, _("%s: the pending register change "
		    "cannot be recorded (%s): not settled"), register_unrecorded_at(st),
		    strerror(err));
	return r;
}

int
register_open(struct store *st, struct register_ *reg)
{
	int r;

	reg->op = NULL;
	reg->ix = NULL;
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

/* The new register to a temporary file of k's file and k's note naming
 * it (the register after in it too when hold is 1); its hash into after
 * unless NULL. */
static int
note_begin(struct store *st, const struct pending_kind *k,
    const struct register_ *reg, const struct oplog_rec *rec, const char *ext,
    const void *cred, size_t credlen, int hold, struct register_txn *t,
    char *after)
{
	struct pending p;
	int r = ST_FAIL;

	st->reg_renamed = 0;
	memset(&p, 0, sizeof(p));
	p.rec = *rec;
	p.seq = oplog_head_seq(st);
	/* the register as loaded under this lock: its bytes are still there */
	memcpy(p.before, reg->sha256, sizeof(p.before));
	if (register_write_as(st, reg, &t->af, k->file) != ST_OK)
		return ST_FAIL;
	if (temp_read(&t->af, p.after, hold ? &p.reg : NULL) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, REGISTER_FILE);
		goto out;
	}
	if (ext != NULL) {
		snprintf(p.ext, sizeof(p.ext), "%s", ext);
		pending_sha256(cred, credlen, p.credhash);
	}
	r = pending_write(st, k, &p);
	if (after != NULL)
		memcpy(after, p.after, sizeof(p.after));
out:
	buf_free(&p.reg);
	if (r != ST_OK)
		atomic_abort(&t->af);
	return r;
}

int
register_change_begin(struct store *st, const struct register_ *reg,
    const struct oplog_rec *rec, const char *ext, const void *cred,
    size_t credlen, struct register_txn *t)
{
	return note_begin(st, &register_kind, reg, rec, ext, cred, credlen,
	    ext != NULL, t, NULL);
}

int
register_change_commit(struct store *st, struct register_txn *t)
{
	st->reg_renamed = 0;
	if (atomic_commit(&t->af) == -1) {
		/* the pending file stays: the next writer settles it */
		st->reg_renamed = atomic_renamed(&t->af);
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, REGISTER_FILE);
		return ST_FAIL;
	}
	return ST_OK;
}

void
register_change_abort(struct store *st, struct register_txn *t)
{
	atomic_abort(&t->af);
	(void)pending_remove(st, &register_kind);
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
	/* the old credential keeps a second name until the caller, the
	 * change committed, destroys it (cred_destroy_old); a kill first
	 * leaves it to the next settlement and reconcile */
	if ((r = cred_keep(st, rec->object, ext)) != ST_OK ||
	    (r = cred_write(st, rec->object, ext, cred, credlen)) != ST_OK) {
		(void)cred_unkeep(st, rec->object, ext);
		register_change_abort(st, &t);
		return r;
	}
	return register_change_commit(st, &t);
}

int
register_commit_count(struct store *st, struct register_ *reg,
    const struct oplog_rec *rec)
{
	struct register_txn t;
	char after[65];

	if (note_begin(st, &register_kind, reg, rec, NULL, NULL, 0, 1, &t,
	    after) != ST_OK ||
	    register_change_commit(st, &t) != ST_OK)
		return ST_FAIL;
	/* a change made next under this lock names this as its before */
	memcpy(reg->sha256, after, sizeof(after));
	return ST_OK;
}

/* A field's length in '-': the pad is the note's size, never who. */
static char *
blank(const char *s)
{
	size_t	 n = strlen(s);
	char	*b = xmalloc(n + 1);

	memset(b, '-', n);
	b[n] = '\0';
	return b;
}

int
register_pad_count(struct store *st, const struct register_ *reg,
    const struct oplog_rec *rec)
{
	struct register_txn t;
	struct oplog_rec b;
	int r = ST_FAIL;

	b.operator = blank(rec->operator);
	b.action = blank(rec->action);
	b.object = blank(rec->object);
	b.result = blank(rec->result);
	b.detail = blank(rec->detail);
	if (note_begin(st, &pad_kind, reg, &b, NULL, NULL, 0, 1, &t, NULL) ==
	    ST_OK) {
		if (atomic_commit(&t.af) == 0)
			r = ST_OK;
		else
			jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir,
			    PAD_FILE);
	}
	free((char *)b.operator);
	free((char *)b.action);
	free((char *)b.object);
	free((char *)b.result);
	free((char *)b.detail);
	return r;
}

int
register_padded(struct store *st)
{
	return pending_remove(st, &pad_kind);
}

int
register_logged(struct store *st)
{
	return pending_remove(st, &register_kind);
}

int
register_change_log(struct store *st, struct jerr *caller,
    struct jerr *said, int r, int done, const struct oplog_rec *rec,
    int own)
{
	int logged;

	logged = (own ? oplog_log_recover(st, rec->object, rec->result, "%s",
	    rec->detail) : oplog_log(st, rec->operator, rec->action,
	    rec->object, rec->result, "%s", rec->detail)) == ST_OK;
	if (!logged) {
		if (r == ST_OK)
			r = ST_FAIL;
	} else if (done && register_logged(st) != ST_OK)
		r = ST_FAIL;
	st->err = caller;
	if (!done || r == ST_OK)
		jerr_pass(caller, said);
	else if (logged)
		jerr_say(caller, ST_FAIL, _("%s; the change to %s is made and "
		    "logged, do not make it again"), said->msg, rec->object);
	else
		jerr_say(caller, ST_FAIL, _("%s; %s/%s holds the change to %s: "
		    "its operation-log record is written by the next auth-check "
		    "or change of the register, do not make it again"),
		    said->msg, st->dir, REGISTER_FILE, rec->object);
	return r;
}

void
register_end(struct store *st, struct register_ *reg)
{
	register_free(reg);
	store_unlock(st, STORE_LOCK_REGISTER);
}

