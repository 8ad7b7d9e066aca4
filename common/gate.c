/*
 * gate.c — the authentication decision shared by auth-check and every
 * manager's --by check (R5.2-R5.4).
 *
 * Invariants:
 *  - Fail safe: only a registered, active (not revoked, not expired),
 *    unlocked person whose credential verifies is admitted; every other
 *    path ends in a deny.
 *  - Expiry and locks are decided at clock_decision()'s time, read again
 *    under the lock that counts: never before the log's last record, so a
 *    clock set back re-admits and unlocks no one.
 *  - Unknown, revoked, expired and (for --by) non-manager ids run the same
 *    KDF on the password as a wrong password would and print the same
 *    message; the reason goes only to the operation log.
 *  - The KDF runs outside the register lock, so attempts run in parallel;
 *    the count is then updated on a fresh read under STORE_LOCK_REGISTER,
 *    so concurrent failures all count (pam_faillock lost them, PR #1016)
 *    and the count lives in operators.csv, surviving reboots.
 *  - Every attempt is logged as action "auth" with result, method and
 *    reason (the terminal is the record's own field); never the password.
 *  - A hash weaker than jukisec.conf asks for is re-hashed on success.
 *  - A manager's change (manager_change) is prepared only after the
 *    manager's credential verified on an unlocked row, and runs under the
 *    lock that counted the attempt, after its "auth" record: one register
 *    read for both, and the change made only if that read still shows an
 *    active, unlocked manager (one revoked, expired or locked during a
 *    slow prompt or enrolment changes nothing).
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "bio.h"
#include "clock.h"
#include "cred.h"
#include "oplog.h"
#include "register.h"
#include "timeutil.h"

struct attempt {
	const char	*id;
	int		 known;		/* a row exists and may be checked */
	enum method	 method;
	int		 ok;
	const char	*reason;
	int		 need_manager;
	const char	*pw;		/* set on success when a re-hash is due */
	const char	*phc;		/* the hash pw was verified against */
	int		 locked;	/* locked at the first read */
	const struct gate_change *change;	/* run under the count's lock */
};

/* Under the register lock: re-hashes with conf's cost when the stored hash
 * is weaker and has not changed since it was verified. */
static void
rehash(struct store *st, struct attempt *a)
{
	char	*cur = NULL, *phc = NULL;
	size_t	 n;

	if (cred_read(st, a->id, "phc", &cur, &n) != ST_OK)
		return;
	if (strcmp(cur, a->phc) == 0 &&
	    cred_hash(&st->conf, a->pw, strlen(a->pw), &phc) == ST_OK &&
	    cred_write(st, a->id, "phc", phc, strlen(phc)) == ST_OK)
		(void)oplog_log(st, a->id, "auth", a->id, "rehashed",
		    "kdf cost raised to m=%lld t=%lld p=%lld",
		    st->conf.kdf_memory_kib, st->conf.kdf_time,
		    st->conf.kdf_parallelism);
	free(phc);
	cred_free(cur, n);
}

/* Counts the attempt on a fresh read under the register lock and logs it. */
static int
record(struct store *st, struct attempt *a)
{
	struct register_ reg;
	struct operator	*o, before;
	int64_t		 now;
	int		 r, changed = 0, status;

	/* the count only: no reconcile here, register changes do that */
	if ((r = store_lock(st, STORE_LOCK_REGISTER)) != ST_OK)
		return r;
	if ((r = clock_decision(st, &now)) != ST_OK ||
	    (r = register_load(st, &reg)) != ST_OK) {
		store_unlock(st, STORE_LOCK_REGISTER);
		return r;
	}
	status = a->ok ? ST_OK : ST_NO;
	o = a->known ? register_find(&reg, a->id) : NULL;
	if (a->known && (o == NULL || !operator_active(o, now) ||
	    o->method != a->method)) {
		/* gone (a register restored from backup), revoked, expired
		 * or re-enrolled while we computed: fail safe */
		a->ok = 0;
		a->reason = o == NULL ? "unknown-id" :
		    o->method != a->method ? "method-changed" :
		    o->revoked_at == 0 ? "expired" : "revoked";
		status = ST_NO;
	} else if (o != NULL) {
		before = *o;
		if (o->locked_at != 0 && !operator_locked(o, &st->conf, now)) {
			o->locked_at = 0;	/* automatic unlock is due */
			o->failed = 0;
		}
		if (o->locked_at != 0) {
			a->ok = 0;
			a->reason = "locked";
			o->failed++;
			status = ST_LOCKED;
		} else if (a->ok) {
			o->failed = 0;
		} else if (++o->failed >= st->conf.lockout_threshold) {
			o->locked_at = now;
			status = ST_LOCKED;
		}
		/* a success on a clean row writes nothing: no fsync on the
		 * common path */
		changed = o->failed != before.failed ||
		    o->locked_at != before.locked_at;
		if (a->ok && a->pw != NULL)
			rehash(st, a);
	}
	if (changed && (r = register_commit(st, &reg)) != ST_OK) {
		register_end(st, &reg);
		return r;
	}
	r = oplog_log(st, a->ok ? a->id : "-", "auth", a->id,
	    a->ok ? "ok" : status == ST_LOCKED ? "locked" : "denied",
	    "method=%s reason=%s%s", method_name(a->method),
	    a->ok ? "ok" : a->reason ? a->reason : "denied",
	    a->need_manager ? " check=manager" : "");
	if (r == ST_OK && a->ok && a->change != NULL)
		a->change->change(st, &reg, now, a->change->arg);
	register_end(st, &reg);
	if (r != ST_OK)
		return ST_FAIL;
	return status;
}

static const char *
why_unknown(const struct operator *o, int need_manager, int64_t now)
{
	if (o == NULL)
		return "unknown-id";
	if (o->revoked_at != 0)
		return "revoked";
	if (!operator_active(o, now))
		return "expired";
	if (need_manager && o->role != ROLE_MANAGER)
		return "not-manager";
	return NULL;
}

/* The manager was locked at the first read and unlocked while the
 * credential was asked for: prepared now, and changed under a lock of its
 * own only if the row still shows an active, unlocked manager. */
static int
change_late(struct store *st, const char *id, enum method m,
    const struct gate_change *change)
{
	struct register_ reg;
	struct operator	*o;
	const char	*why;
	int64_t		 now;
	int		 r;

	if (change->prepare(st, change->arg) != ST_OK)
		return ST_OK;		/* its result is in arg */
	if ((r = store_lock(st, STORE_LOCK_REGISTER)) != ST_OK)
		return r;
	if ((r = clock_decision(st, &now)) != ST_OK ||
	    (r = register_load(st, &reg)) != ST_OK) {
		store_unlock(st, STORE_LOCK_REGISTER);
		return r;
	}
	o = register_find(&reg, id);
	if ((why = why_unknown(o, 1, now)) == NULL && o->method != m)
		why = "method-changed";
	if (why == NULL && operator_locked(o, &st->conf, now))
		why = "locked";
	if (why == NULL)
		change->change(st, &reg, now, change->arg);
	else {
		r = oplog_log(st, "-", "auth", id, "denied",
		    "method=%s reason=%s check=manager", method_name(m), why);
		r = r == ST_OK ? ST_NO : ST_FAIL;	/* the caller says so */
	}
	register_end(st, &reg);
	return r;
}

static int
authenticate(struct store *st, const char *id, int pwfd, int need_manager,
    const struct gate_change *change)
{
	struct register_ reg;
	struct operator	*o;
	struct attempt	 a;
	struct bio_opts	 bo = { NULL, NULL };
	char		*pw = NULL, *cred = NULL, *prompt;
	size_t		 n = 0;
	int64_t		 now;
	int		 r, v, asked = 0;

	memset(&a, 0, sizeof a);
	a.id = id;
	a.need_manager = need_manager;
	a.method = METHOD_PASSWORD;
	if ((r = clock_decision(st, &now)) != ST_OK ||
	    (r = register_load(st, &reg)) != ST_OK)
		return r;
	o = register_find(&reg, id);
	a.reason = why_unknown(o, need_manager, now);
	a.known = a.reason == NULL;
	if (a.known) {
		a.method = o->method;
		a.locked = operator_locked(o, &st->conf, now);
	}
	register_free(&reg);

	if (a.method == METHOD_PASSWORD) {
		prompt = xasprintf(_("Password for %s: "), id);
		r = pw_read(pwfd, prompt, 0, &pw);
		free(prompt);
		if (r != ST_OK)
			return r;
		/* Argon2 refuses an empty input and enrolment never stores
		 * one: a deny, the same for known and unknown ids. */
		if (*pw == '\0') {
			if (a.known)
				a.reason = "empty-password";
		} else if (!a.known)
			cred_dummy(&st->conf, pw, strlen(pw));
		else if ((r = cred_read(st, id, "phc", &cred, &n)) != ST_OK) {
			if (r == ST_FAIL)
				goto out;
			cred_dummy(&st->conf, pw, strlen(pw));
			a.reason = "credential-missing";
		} else if ((v = cred_verify(cred, pw, strlen(pw))) == 1) {
			a.ok = 1;
			if (cred_weaker(cred, &st->conf)) {
				a.pw = pw;
				a.phc = cred;
			}
		} else
			a.reason = v == 0 ? "wrong-password" : "credential-corrupt";
	} else if ((r = cred_read(st, id, "tmpl", &cred, &n)) == ST_FAIL)
		goto out;
	else if (r == ST_NO)
		a.reason = "credential-missing";
	else if ((r = bio_verify(st, id, a.method, &bo, cred, n,
	    &a.reason)) == ST_OK)
		a.ok = 1;
	else if (r == ST_FAIL) {
		(void)oplog_log(st, "-", "auth", id, "error", "method=%s reason=%s",
		    method_name(a.method), a.reason ? a.reason : "device");
		goto out;
	}
	/* a change waits for the count's lock unless the person is already
	 * denied: a locked manager is not asked for anything more */
	if (change != NULL && a.ok && !a.locked) {
		asked = 1;
		if (change->prepare(st, change->arg) == ST_OK)
			a.change = change;
	}
	r = record(st, &a);
	if (r == ST_OK && a.ok && change != NULL && !asked)
		r = change_late(st, id, a.method, change);
	if (r == ST_NO)
		warnx(_("authentication denied"));
	else if (r == ST_LOCKED)
		warnx(_("%s is locked out: see the Security Manager"), id);
out:
	pw_free(pw);
	cred_free(cred, n);
	/* fail safe: anything but a recorded success is a deny */
	return r == ST_OK && a.ok ? ST_OK : r == ST_OK ? ST_NO : r;
}

int
gate_auth(struct store *st, const char *id, int pwfd, int need_manager)
{
	return authenticate(st, id, pwfd, need_manager, NULL);
}

int
manager_change(struct store *st, const char *by, int pwfd,
    const struct gate_change *change)
{
	const char *why;

	if ((why = operator_id_problem(by)) != NULL) {
		warnx(_("--by %s: %s"), by, why);
		return ST_USAGE;
	}
	return authenticate(st, by, pwfd, 1, change);
}

int
manager_verify(struct store *st, const char *by, int pwfd)
{
	return manager_change(st, by, pwfd, NULL);
}
