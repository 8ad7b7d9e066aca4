/*
 * recover.c — operator-mod --recover: the way back for a locked or lost
 * Security Manager (R5.1: the register must stay manageable when its only
 * manager is locked out or has lost the credential).
 *
 * Invariants:
 *  - The authority is the machine's, not the register's: the caller is
 *    root or the state directory's owner, and proves to hold the offline
 *    log verification key: the live log must verify under it, whole, at
 *    the time the recovery decides and records at (clock_decision).  A
 *    wrong or unreadable key, or a log that does not verify, changes
 *    nothing (ST_NO), and is logged.
 *  - Only a registered, not revoked manager is recovered: unlocked and, on
 *    request, given a new password (--reset-password) or a new template
 *    (--reenroll) of the method it has; role, expiry, method and every
 *    other field stay as they are.
 *  - The new credential is made before the register lock (an enrolment
 *    waits for a finger), written under the lock after the row was read
 *    again, before the row; the change and its record go through
 *    operators.pending like every register change (register_txn.h), and
 *    nothing is written until the register is shown to be a name a
 *    rename may replace, as the gate shows it (register_replaceable), and
 *    the log, under its lock, to take the record, as every writer shows
 *    it (register_change_ready): either failing leaves the register, the
 *    credential and the log as they were, exit 3 and one line.
 *  - Every attempt past the option check is the log's special record
 *    "recover" (operator "-", jukisec-log(5)), naming the uid; the
 *    terminal is the record's own field.  log-append cannot write one.
 *    The new password or template is read last, after the key and the
 *    target: one refused or unreadable is such an attempt too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "clock.h"
#include "cred.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "register_change.h"
#include "register_txn.h"

static int
authorised(struct store *st)
{
	struct stat sb;

	return geteuid() == 0 ||
	    (fstat(st->dirfd, &sb) == 0 && sb.st_uid == geteuid());
}

/* ST_OK when the live log verifies under the key in keyfile, at now. */
static int
key_proves(struct store *st, const char *keyfile, int64_t now,
    const char **why)
{
	struct oplog_vkey	*vk;
	struct oplog_verify_opts vo;
	struct oplog_verify_result *res;
	struct jerr		 e;
	int			 r;

	if ((vk = oplog_vkey_open(keyfile, &e)) == NULL) {
		jerr_say(st->err, e.code, "%s", e.msg);
		*why = "key-unreadable";
		return ST_NO;
	}
	res = xcalloc(1, sizeof *res);
	memset(&vo, 0, sizeof vo);
	vo.now = now;
	r = oplog_verify(st, vk, &vo, res);
	oplog_vkey_free(vk);
	if (res->err.code != ST_OK)
		jerr_say(st->err, res->err.code, "%s", res->err.msg);
	if (r == ST_NO) {
		jerr_say(st->err, ST_NO, _("%s: the log does not verify under "
		    "this key (a wrong key, or the log was altered): %s"),
		    keyfile, res->reason);
		*why = "wrong-key";
	}
	free(res);
	return r;
}

static const char *
target_problem(const struct register_ *reg, const struct operator *o,
    const struct opchange *a, int64_t now)
{
	if (o == NULL)
		return "unknown-id";
	if (operator_revoked(o))
		return "revoked";
	if (o->role != ROLE_MANAGER)
		return "not-manager";
	/* as the gate judges the row: a method that does not read back, or a
	 * password that records no R5.3 exception, admits nobody, so a
	 * recovery would be logged "ok" and restore nothing */
	if (!register_row_usable(reg, o, now))
		return "register-row-damaged";
	if (a->reset && o->method != METHOD_PASSWORD)
		return "not-password";
	if (a->reenrol && o->method == METHOD_PASSWORD)
		return "not-biometric";
	if ((a->bio.finger || a->bio.device) && o->method != METHOD_FINGERPRINT)
		return "not-fingerprint";
	return NULL;
}

/* The refusal's record; status when it is logged, else ST_FAIL with one
 * line that says so (the log's own failure kept, not printed apart). */
static int
refused(struct store *st, const char *id, const char *why, int status)
{
	struct jerr	 e = JERR_INIT, *caller = st->err;
	int		 r;

	st->err = &e;
	r = oplog_log_recover(st, id, "denied", "uid=%ld reason=%s",
	    (long)geteuid(), why);
	st->err = caller;
	if (r == ST_OK)
		return status;
	jerr_say(st->err, ST_FAIL, _("--recover -i %s refused (%s); the "
	    "refusal could not be recorded: %s"), id, why,
	    *e.msg != '\0' ? e.msg : _("the log cannot be written"));
	return ST_FAIL;
}

static void
say_problem(struct store *st, const char *id, const char *why)
{
	static const struct { const char *why, *msg; } m[] = {
		{ "unknown-id", N_("%s: no such operator") },
		{ "revoked", N_("%s: revoked") },
		{ "not-manager", N_("%s: not a Security Manager: only a manager "
		    "is recovered") },
		{ "register-row-damaged", N_("%s: the register row admits "
		    "nobody: a method that does not read back, or a password "
		    "without its R5.3 exception") },
		{ "not-password", N_("%s: --reset-password belongs to the "
		    "password method") },
		{ "not-biometric", N_("%s: --reenroll belongs to fingerprint and "
		    "external") },
		{ "not-fingerprint", N_("%s: --finger and --device belong to "
		    "the fingerprint method") },
	};
	size_t i;

	for (i = 0; i < sizeof m / sizeof m[0]; i++)
		if (strcmp(m[i].why, why) == 0)
			jerr_say(st->err, ST_NO, _(m[i].msg), id);
}

/* The line of a recovery the state cannot record (errno err, the file
 * st->unwritable): ST_FAIL, and the log takes no more records in this
 * run (a disk that cannot record). */
static int
unrecorded(struct store *st, int err)
{
	st->log_refused = 1;
	jerr_say(st->err, ST_FAIL, _("%s: the recovery cannot be recorded "
	    "(%s): nothing changed"), register_unrecorded_at(st),
	    strerror(err));
	return ST_FAIL;
}

/* Before the seal writes to the log: oplog.csv and oplog.head shown to
 * open for writing, as register_log_ready shows them.  One the kernel
 * will not open so (read-only, chattr +i: EPERM) is said as the page
 * says it, in the line of a pending change another writer left, which
 * is settled first (register_lock), else of the recovery, not as the
 * seal's open failing.  ST_OK, or ST_FAIL said. */
static int
log_writable(struct store *st)
{
	struct stat	 sb;
	int		 err;

	if (oplog_writable(st, &st->unwritable) == 0)
		return ST_OK;
	err = errno;
	if (fstatat(st->dirfd, PENDING_FILE, &sb, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT)
		return unrecorded(st, err);
	st->log_refused = 1;
	jerr_say(st->err, ST_FAIL, _("%s: the pending register change "
	    "cannot be recorded (%s): not settled"),
	    register_unrecorded_at(st), strerror(err));
	return ST_FAIL;
}

/* Under the register lock, before the change: the register shown to be
 * a name a rename may replace, as the gate shows it before a count
 * (register_replaceable), then the log to take its record, as every
 * register writer shows it (register_change_ready), with room beyond a
 * rewrite of the register for the note (the record, and with a new
 * credential the register after it), the credential and the record's
 * line.  Written first, a register that then refused its rename (chattr
 * +i or +a) left the new credential and the note for the next writer,
 * and a log that refused the record the unlock in force with no record.
 * ST_OK with the log lock held, for the record; else ST_FAIL, nothing
 * written, said in one line (or in the log's own words), and the log
 * takes no more records in this run. */
static int
recover_ready(struct store *st, const struct buf *cred)
{
	struct stat	 sb;
	off_t		 extra = (off_t)cred->len + 2 * OPLOG_LINE_MAX;
	int		 err;

	if (cred->len != 0 &&
	    fstatat(st->dirfd, REGISTER_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		extra += sb.st_size;
	if (register_replaceable(st, &st->unwritable) == -1)
		return unrecorded(st, errno);
	if (register_change_ready(st, REGISTER_FILE, extra, &err) == ST_OK)
		return ST_OK;
	return err != -1 ? unrecorded(st, err) : ST_FAIL;
}

/* Under the register lock: the row again, the log shown ready, the
 * credential, the row, the record, each step announced in
 * operators.pending (register_txn.h) so that a crash leaves a recovery
 * the log shows exactly when it is in force. */
static int
recover_locked(struct store *st, struct opchange *a, enum method m,
    const struct buf *cred, int64_t now)
{
	struct register_ reg;
	struct operator	*o;
	char		*detail;
	struct oplog_rec rec = { "-", "recover", a->id, "ok", NULL };
	const char	*ext;
	struct jerr	 said = JERR_INIT, *caller = st->err;
	int		 r, done = 0, ready = 0, renamed = 0;

	if ((r = register_open(st, &reg)) != ST_OK)
		return r;
	rec.detail = detail = xasprintf("uid=%ld changed: unlock%s%s",
	    (long)geteuid(), a->reset ? " reset-password" : "",
	    a->reenrol ? " reenroll" : "");
	o = register_find(&reg, a->id);
	if ((r = register_reconcile(st, &reg, "-")) != ST_OK)
		;	/* an orphan left: refused, logged below as an error */
	else if (target_problem(&reg, o, a, now) != NULL || o->method != m) {
		jerr_say(st->err, ST_FAIL, _("%s: changed by someone else "
		    "meanwhile"), a->id);
		r = ST_FAIL;
	} else if ((r = recover_ready(st, cred)) == ST_OK) {
		ready = 1;
		operator_unlock(o);
		ext = m == METHOD_PASSWORD ? "phc" : "tmpl";
		st->err = &said;	/* one line: register_change_log */
		r = cred->len == 0 ? register_commit_logged(st, &reg, &rec) :
		    register_commit_cred(st, &reg, &rec, ext, cred->p,
		    cred->len);
		/* committed: the log must say so; the credential replaced
		 * is destroyed as operator-mod destroys it */
		if ((done = r == ST_OK) && cred->len != 0)
			r = cred_destroy_old(st, a->id, ext, ext);
		else if (!done)	/* in, not synced: it stands */
			done = renamed = st->reg_renamed;
	}
	rec.result = r == ST_OK || done ? "ok" : "error";
	rec.detail = xasprintf("%s%s", detail, done && !renamed && r != ST_OK ?
	    " (old credential not destroyed)" : "");
	r = register_change_log(st, caller, &said, r, done, &rec, 1);
	free((char *)rec.detail);
	if (ready)
		store_unlock(st, STORE_LOCK_LOG);
	free(detail);
	register_end(st, &reg);
	return r;
}

/* The new credential, read after the key proved and the target was
 * checked, so a try that fails here is past the option check and leaves
 * its record: a password or enrolment refused is a denial with its
 * reason, one that could not be read or made an error, detailed as the
 * change it was for (as recover_locked's). */
static int
recover_cred(struct store *st, struct opchange *a, enum method m,
    struct buf *cred)
{
	const char *why;
	int	 r;

	if ((r = credential_new(st, a->id, m, a->pwfd, &a->bio, cred,
	    &why)) == ST_OK)
		return ST_OK;
	if (r != ST_FAIL)
		return refused(st, a->id, m == METHOD_PASSWORD ?
		    "password-refused" : "enrolment-refused", r);
	(void)oplog_log_recover(st, a->id, "error",
	    "uid=%ld changed: unlock%s%s%s", (long)geteuid(),
	    a->reset ? " reset-password" : " reenroll",
	    why ? " reason=" : "", why ? why : "");
	return ST_FAIL;
}

int
operator_recover(struct store *st, struct opchange *a, const char *keyfile)
{
	struct register_ reg;
	struct operator	*o;
	struct buf	 cred = { NULL, 0, 0 };
	const char	*why = NULL;
	enum method	 m;
	int64_t		 now;
	int		 r;

	if (!authorised(st)) {
		/* said once: refused and logged, or not logged (a caller
		 * who may not recover may well not write the log) */
		if ((r = refused(st, a->id, "not-authorised", ST_NO)) == ST_NO)
			jerr_say(st->err, ST_NO, _("--recover: only root or the "
			    "owner of %s may recover a manager"), st->dir);
		return r;
	}
	if ((r = log_writable(st)) != ST_OK)
		return r;
	/* epochs that ended with no record are sealed first, as by any
	 * writer: else the right key fails for their want of seals, and the
	 * way back would fail when nobody has used the system for a while */
	if ((r = oplog_seal(st)) != ST_OK)
		return r;
	/* the proof at the time the recovery's records carry, never before
	 * the log's last (clock.h): with a clock set back, the raw clock
	 * would find the log "dated after the verification time" and refuse
	 * the right key as a wrong one */
	if ((r = clock_decision(st, &now)) != ST_OK)
		return r;
	if ((r = key_proves(st, keyfile, now, &why)) != ST_OK)
		return why != NULL ? refused(st, a->id, why, ST_NO) : r;
	if ((r = register_load(st, &reg)) != ST_OK)
		return r;
	o = register_find(&reg, a->id);
	if ((why = target_problem(&reg, o, a, now)) != NULL) {
		/* the wrong credential option for a manager is a usage error */
		r = o != NULL && o->role == ROLE_MANAGER &&
		    !operator_revoked(o) && register_row_usable(&reg, o, now) ?
		    ST_USAGE : ST_NO;
		register_free(&reg);
		say_problem(st, a->id, why);
		return refused(st, a->id, why, r);
	}
	m = o->method;
	register_free(&reg);
	if ((a->reset || a->reenrol) &&
	    (r = recover_cred(st, a, m, &cred)) != ST_OK)
		return r;
	r = recover_locked(st, a, m, &cred, now);
	wipe(cred.p, cred.len);
	buf_free(&cred);
	return r;
}
