/*
 * register_change.c — operator-add, operator-mod and operator-revoke
 * behind their option parsing (R5.1, R5.2, R5.3, R5.5).
 *
 * Invariants: the manager is verified through the gate before anything
 * else (the attempt counted and logged like auth-check's); a new
 * credential is made before the register lock (an enrolment waits for a
 * finger) and written before its row; the row is then checked again under
 * the lock, so a change made meanwhile by someone else is refused, never
 * overwritten; every change, refused or not, is logged with who, what and
 * the result.  Ids are never reused.  The three tools make their change
 * under the lock that counted the manager's attempt (gate.c
 * manager_change), so a manager revoked, expired or locked while the new
 * credential was read changes nothing; operator-add's check of the id and
 * operator-mod's checks read the register once more before the lock, an
 * early answer that the lock's read checks again.  A new credential
 * refused is logged only under that lock, once the manager is admitted: a
 * manager denied there is denied, whatever else failed.  A revocation
 * commits the row before it destroys the credential (register.c's crash
 * order) and is never undone: the row and its id stay (R5.1).  Before
 * a change writes anything (an orphan destroyed, a credential, the note,
 * the register) the log is shown to take its record, its lock held from
 * there to the record (change_ready): the gate's lock goes after the
 * manager's "auth" record, and a log another process then holds past
 * lock_timeout_ms, or refuses, or has no room for, changes nothing.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "clock.h"
#include "cred.h"
#include "esc.h"
#include "gate.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "register_change.h"
#include "register_txn.h"
#include "timeutil.h"
#include "tool.h"

int
opchange_opt(struct opchange *c, int ch, const char *arg)
{
	switch (ch) {
	case OPCHANGE_REASON: c->reason = arg; break;
	case OPCHANGE_INSTR: c->instr = arg; break;
	case OPCHANGE_TITLE: c->title = arg; break;
	case OPCHANGE_FINGER: c->bio.finger = arg; break;
	case OPCHANGE_DEVICE:
		/* empty, libfprint's first reader would be taken */
		if (usage_empty(arg, "--device"))
			return -1;
		c->bio.device = arg;
		break;
	case OPCHANGE_PWFD:
		return (c->pwfd = fd_parse("--password-fd", arg)) == -1 ? -1 : 0;
	case OPCHANGE_BYFD:
		return (c->byfd = fd_parse("--by-password-fd", arg)) == -1 ? -1 : 0;
	default: return -1;
	}
	return 0;
}

const char *
opchange_proviso_missing(const struct opchange *c)
{
	int reason = c->reason != NULL && !text_blank(c->reason);

	if (reason && c->instr != NULL)
		return NULL;
	return reason ? _("--instructions-given DATE") : c->instr ?
	    _("--reason TEXT") : _("--reason TEXT and --instructions-given DATE");
}

int
opchange_expiry(struct opchange *c, int never_ok, struct jerr *e)
{
	int	 y, m, d;

	c->have_exp = 1;
	c->exp = TIME_NONE;
	if (never_ok && strcmp(c->expires, "never") == 0)
		return ST_OK;
	if (date_parse(c->expires, &y, &m, &d) == 0) {
		if (local_date_end(y, m, d, &c->exp) == 0)
			return ST_OK;
		/* A date all the same, whose end (the next local midnight)
		 * is past TIME_MAX: 9999-12-31 at or west of UTC.  Refused,
		 * as jukisec-audit refuses a period past the bounds, not
		 * clamped: the register would hold an end nobody named. */
		civil_from_days(days_from_civil(y, m, d) - 1, &y, &m, &d);
		jerr_say(e, ST_USAGE, _("-e %s: after the last date these "
		    "tools handle, %04d-%02d-%02d"), c->expires, y, m, d);
		return ST_USAGE;
	}
	if (time_parse(c->expires, &c->exp) == 0)
		return ST_OK;
	jerr_say(e, ST_USAGE, never_ok ? _("-e %s: not a date YYYY-MM-DD, an "
	    "RFC 3339 time (years 0001-9999) or never") : _("-e %s: not a date "
	    "YYYY-MM-DD or an RFC 3339 time (years 0001-9999)"), c->expires);
	return ST_USAGE;
}

struct addjob {
	struct opchange	*a;
	int64_t		 now;
	struct buf	 cred;
	int		 asked;		/* the manager verified, add_prepare ran */
	int		 logged;	/* add_locked logged the attempt */
	int		 fail;		/* why no credential was made, or ST_OK */
	const char	*why;		/* credential_new's reason, or NULL */
};

/*
 * Under the register lock, before the change writes anything: the
 * register shown to be a name a rename may replace, as the gate shows it
 * (register_replaceable), and the log to take the change's record at
 * now (register_log_ready), with room beyond a rewrite of the register
 * for the note (the register after it, with a credential), a credential
 * of credlen bytes and the records.  Shown only at the record, a log
 * busy, refused or full found the change in force with no record, its
 * note left for the next writer (exit 3 after the change: fail closed is
 * the other way round).  ST_OK with the log lock held, to the record;
 * else ST_FAIL, nothing written, said in one line (or in the log's own
 * words), the log taking no more records in this run.
 */
static int
change_ready(struct store *st, int64_t now, size_t credlen)
{
	struct stat	 sb;
	off_t		 extra = (off_t)credlen + 3 * OPLOG_LINE_MAX;
	int		 err;

	if (fstatat(st->dirfd, REGISTER_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		extra += sb.st_size;
	if (register_replaceable(st, &st->unwritable) == -1) {
		err = errno;
		st->log_refused = 1;
	} else if (register_log_ready(st, now, REGISTER_FILE, extra, &err) ==
	    ST_OK)
		return ST_OK;
	if (err != -1)
		jerr_say(st->err, ST_FAIL, _("%s: the change cannot be recorded "
		    "(%s): nothing changed"), register_unrecorded_at(st),
		    strerror(err));
	return ST_FAIL;
}

/* ST_NO after a message when id is in reg: ids are never reused (R5.1). */
static int
id_taken(struct store *st, struct register_ *reg, const char *id)
{
	if (register_find(reg, id) == NULL)
		return ST_OK;
	jerr_say(st->err, ST_NO, _("%s: id already in the register "
	    "(ids are never reused)"), id);
	return ST_NO;
}

/* After the manager's credential verified, before the count: a taken id
 * is known from the register (read again under the lock, as another
 * operator-add may take it meanwhile) before the person is asked for a
 * password or a finger.  A refusal is kept in j->fail, not returned: the
 * gate returns a prepare's refusal as it returns a denial, and the record
 * of each differs (add_unlogged), so it is logged by add_locked, run only
 * once the count has admitted the manager. */
static int
add_prepare(struct store *st, void *arg)
{
	struct addjob	*j = arg;
	struct opchange	*a = j->a;
	struct register_ reg;
	int		 r;

	j->asked = 1;
	if ((r = register_load(st, &reg)) != ST_OK)
		return r;
	j->fail = id_taken(st, &reg, a->id);
	register_free(&reg);
	if (j->fail == ST_OK)
		j->fail = credential_new(st, a->id, a->m, a->pwfd, &a->bio,
		    &j->cred, &j->why);
	return ST_OK;
}

/* An attempt that ended before add_locked logged it.  The manager
 * denied, before the new credential was asked for or after it, at the
 * count or at the re-check under the register lock (locked, revoked or
 * expired meanwhile), whatever became of the credential; or the manager's
 * check not made (no reader, no verifier: error; the gate logged its auth
 * record first).  Or, the manager's credential verified, the register
 * unreadable or its lock busy; or a bootstrap's credential refused or
 * unreadable.  Logged all the same, with the object it was for: every
 * attempt is an operator-add record (operator-add(1)).  A denied one is
 * nobody's operation: its operator is "-" and the id that was claimed is
 * in the detail, as in the gate's record (else the audit's R5.4 would
 * count a locked or unknown --by as an operation by that person); so is a
 * bootstrap whose credential was refused, as nobody was registered.  An
 * external verifier that did not run is named as the gate names it
 * (jukisec-verifier(5): reason "verifier not run" or "no verifier").  A
 * usage error before the manager's check (a bad --by id, a bootstrap with
 * a manager in the register) is no attempt. */
static int
add_unlogged(struct store *st, const struct addjob *j, int r)
{
	const struct opchange *a = j->a;
	int k;

	if (j->logged)
		return r;
	/* the gate's ST_NO is a denial: a refusal after it is add_locked's */
	if (a->by != NULL && (r == ST_NO || (!j->asked && r == ST_FAIL)))
		k = oplog_log(st, "-", "operator-add", a->id,
		    r == ST_FAIL ? "error" : "denied",
		    "by=%s role=%s method=%s", a->by, role_name(a->r),
		    method_name(a->m));
	else if (j->asked)
		k = oplog_log(st, a->by ? a->by : "-", "operator-add", a->id,
		    r == ST_FAIL ? "error" : "refused", "role=%s method=%s%s%s%s",
		    role_name(a->r), method_name(a->m),
		    j->why ? " reason=" : "", j->why ? j->why : "",
		    a->by ? "" : " bootstrap");
	else
		return r;
	return k != ST_OK ? ST_FAIL : r;
}

/* The bootstrap is for the first manager only: a register whose managers
 * have all expired does not fall open to whoever runs operator-add.  A
 * role that does not read back stands as an operator's, yet may have been
 * a manager's: it fails closed, as one. */
static int
had_manager(const struct register_ *reg)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		if (reg->op[i].role == ROLE_MANAGER ||
		    register_damaged(&reg->op[i], REGISTER_ROLE) != NULL)
			return 1;
	return 0;
}

/* Under the register lock, reconciled: the credential, then its row; or
 * the refusal add_prepare kept, now that the manager is admitted. */
static int
add_locked(struct store *st, struct register_ *reg, struct addjob *j)
{
	struct opchange	*a = j->a;
	struct operator	*o;
	const char	*who = a->by ? a->by : a->id;
	char		*detail = xasprintf("role=%s method=%s%s%s%s",
	    role_name(a->r), method_name(a->m), j->why ? " reason=" : "",
	    j->why ? j->why : "", a->by ? "" : " bootstrap");
	struct oplog_rec rec = { who, "operator-add", a->id, "ok", detail };
	struct jerr	 said = JERR_INIT, *caller = st->err;
	int		 r, done = 0;

	if ((r = j->fail) != ST_OK || (r = id_taken(st, reg, a->id)) != ST_OK)
		;	/* said: add_prepare's, or an id taken meanwhile */
	else if (a->by == NULL && had_manager(reg)) {
		jerr_say(st->err, ST_USAGE, _("the register has a manager: "
		    "-b is required"));
		r = ST_USAGE;
	} else if ((r = cred_write(st, a->id, a->m == METHOD_PASSWORD ?
	    "phc" : "tmpl", j->cred.p, j->cred.len)) == ST_OK) {
		o = register_append(reg, a->id);
		register_set(o, &o->name, a->name);
		register_set(o, &o->section, a->section);
		register_set(o, &o->title, a->title);
		register_set(o, &o->registered_by, who);
		o->role = a->r;
		o->method = a->m;
		o->registered_at = j->now;
		o->expires = a->exp;
		if (a->m == METHOD_PASSWORD) {
			register_set(o, &o->exception_reason, a->reason);
			register_set(o, &o->approved_by, who);
			register_set(o, &o->instructions_date, a->instr);
		}
		st->err = &said;	/* one line: register_change_log */
		r = register_commit_logged(st, reg, &rec);
		/* the row is in, its directory not synced: it stands */
		done = r == ST_OK || st->reg_renamed;
	}
	j->logged = 1;
	rec.result = done ? "ok" : r == ST_FAIL ? "error" : "refused";
	r = register_change_log(st, caller, &said, r, done, &rec, 0);
	free(detail);
	return r;
}

/* The gate's change: the manager's attempt is counted and logged in reg. */
static int
add_change(struct store *st, struct register_ *reg, int64_t now, void *arg)
{
	struct addjob	*j = arg;
	int		 r;

	j->now = now;
	if ((r = change_ready(st, now, j->cred.len)) != ST_OK)
		return r;
	/* a reconcile refused is add_unlogged's record, as before */
	if (j->fail != ST_OK ||
	    (r = register_reconcile(st, reg, j->a->by)) == ST_OK)
		r = add_locked(st, reg, j);
	store_unlock(st, STORE_LOCK_LOG);
	return r;
}

/* The bootstrap is for a register that never held anyone, and rows are
 * never deleted: one with no manager where a credential or note is kept
 * and the log shows someone was registered (register_history: a log
 * record alone is no proof, log-append writes it before any bootstrap
 * too) is an emptied or older copy put in place of the register,
 * whose bootstrap would hand it to whoever runs operator-add and
 * reconcile every person's credential away.  ST_OK, else ST_FAIL said. */
static int
never_held(struct store *st)
{
	switch (register_history(st, st->err)) {
	case 0:
		return ST_OK;
	case 1:
		jerr_say(st->err, ST_FAIL, _("%s/%s: holds no manager, but the "
		    "operation log records changes to it: no bootstrap"),
		    st->dir, REGISTER_FILE);
		return ST_FAIL;
	default:
		return ST_FAIL;		/* said */
	}
}

/* The register shown to be a name a rename may replace, as the gate
 * shows it (register_replaceable): one that is not (chattr +i or +a, a
 * mount point) refused the bootstrap's rename after its credential and
 * note were written, and left both with an "error" record.  ST_OK; else
 * a disk that cannot record, said as the rename says it, ST_FAIL, and
 * the log takes no record of the run: nothing written. */
static int
first_replaceable(struct store *st)
{
	const char *at;
	int	 err;

	if (register_replaceable(st, &st->unwritable) == 0)
		return ST_OK;
	err = errno;
	at = register_unrecorded_at(st);
	errno = err;
	jerr_say_errno(st->err, ST_FAIL, "%s", at);
	st->log_refused = 1;
	return ST_FAIL;
}

/* The bootstrap's checks on reg: ST_OK, or the refusal said.  Of the two
 * refusals without -b, the register's manager is named first: it is the
 * reason whatever -r says.  Then operator-mod's -e rule
 * (register_end_strands): no other manager could act at the first one's
 * end, and after it nothing could repair the register (no bootstrap once
 * it held a manager, --recover lifts no expiry), so any end is refused.
 * Last, a register that cannot be replaced (first_replaceable). */
static int
first_open(struct store *st, const struct register_ *reg,
    const struct opchange *a)
{
	int	 r;

	if (had_manager(reg)) {
		jerr_say(st->err, ST_USAGE, _("the register has a manager: "
		    "-b is required"));
		return ST_USAGE;
	}
	if (a->r != ROLE_MANAGER) {
		jerr_say(st->err, ST_USAGE, _("-b is required (only the first "
		    "manager registers without it)"));
		return ST_USAGE;
	}
	if ((r = never_held(st)) != ST_OK)
		return r;
	if (a->have_exp && a->exp != TIME_NONE) {
		jerr_say(st->err, ST_NO, _("%s: the last active manager cannot "
		    "expire"), a->id);
		return ST_NO;
	}
	return first_replaceable(st);
}

/* The bootstrap of the first manager: no gate, a lock of its own.  The
 * checks are made before the credential is asked for, and again under
 * the lock before the reconcile: a register replaced meanwhile loses no
 * credential to it. */
static int
add_first(struct store *st, struct addjob *j)
{
	struct register_ reg;
	int		 r;

	/* fail before asking for a credential */
	if ((r = register_load(st, &reg)) != ST_OK)
		return r;
	r = first_open(st, &reg, j->a);
	register_free(&reg);
	if (r != ST_OK)
		return r;
	/* No manager's check is logged before this change, which would find
	 * a log that writers refuse: found here, before the credential, so
	 * that the register never holds a change the log cannot record. */
	if ((r = clock_decision(st, &j->now)) != ST_OK ||
	    (r = oplog_settle_at(st, j->now)) != ST_OK)
		return r;
	/* a refusal of the bootstrap is add_unlogged's: nobody acted */
	if ((r = add_prepare(st, j)) != ST_OK || (r = j->fail) != ST_OK)
		return r;
	if ((r = register_open(st, &reg)) != ST_OK)
		return r;
	/* a manager registered meanwhile (another bootstrap): the usage
	 * error the look before would have found, no attempt, not logged */
	if ((r = first_open(st, &reg, j->a)) == ST_USAGE)
		j->asked = 0;
	if (r != ST_OK ||
	    (r = clock_decision(st, &j->now)) != ST_OK ||
	    (r = change_ready(st, j->now, j->cred.len)) != ST_OK) {
		register_end(st, &reg);
		return r;
	}
	if ((r = register_reconcile(st, &reg, j->a->id)) == ST_OK)
		r = add_locked(st, &reg, j);
	store_unlock(st, STORE_LOCK_LOG);
	register_end(st, &reg);
	return r;
}

/* On the decision's clock, before the manager is asked: -e must still
 * lie ahead, and --instructions-given not be after today, by the audit's
 * rule (local_date_future): a row written now is never one jukisec-audit
 * FAILs as "instructions dated in the future". */
static int
dates_check(struct store *st, const struct opchange *a)
{
	int64_t	 now;
	int	 y, m, d, r;

	if ((!a->have_exp || a->exp == TIME_NONE) && a->instr == NULL)
		return ST_OK;
	if ((r = clock_decision(st, &now)) != ST_OK)
		return r;
	if (a->have_exp && a->exp != TIME_NONE && a->exp <= now) {
		jerr_say(st->err, ST_USAGE, _("-e %s: already past: the "
		    "authority would have ended"), a->expires);
		return ST_USAGE;
	}
	/* the tools parsed it already: a malformed one does not come here */
	if (a->instr != NULL && date_parse(a->instr, &y, &m, &d) == 0 &&
	    local_date_future(y, m, d, now)) {
		jerr_say(st->err, ST_USAGE, _("--instructions-given %s: a day "
		    "after today"), a->instr);
		return ST_USAGE;
	}
	return ST_OK;
}

int
operator_add(struct store *st, struct opchange *a)
{
	struct addjob	 j = { a, 0, { 0 }, 0, 0, ST_OK, NULL };
	struct gate_change gc = { add_prepare, add_change, &j };
	int		 r;

	if ((r = dates_check(st, a)) != ST_OK)
		return r;
	r = add_unlogged(st, &j, a->by == NULL ? add_first(st, &j) :
	    manager_change(st, a->by, a->byfd, &gc));
	wipe(j.cred.p, j.cred.len);
	buf_free(&j.cred);
	return r;
}

/* The fields of a row an operator-mod option sets (mod_changes). */
enum {
	MOD_UNLOCK = 1 << 0, MOD_REASON = 1 << 1, MOD_INSTR = 1 << 2,
	MOD_NAME = 1 << 3, MOD_SECTION = 1 << 4, MOD_TITLE = 1 << 5,
	MOD_EXPIRES = 1 << 6
};

struct modjob {
	struct opchange	*a;
	struct buf	 cred;
	enum method	 m, old;
	int		 known;		/* old read back: else no method at all */
	int		 move;		/* to m from another method, or from none */
	int		 newcred;
	int		 credfail;	/* credential_new's failure, or ST_OK */
	const char	*why;		/* its reason, or NULL */
	unsigned	 set;		/* the MOD_ fields that change */
};

/* The options that a credential made by another method would leave
 * unused: a script that gave one believed it was used (operator-add's
 * rule for its two forms). */
enum misfit { MISFIT_PW, MISFIT_REENROL, MISFIT_PWFD, MISFIT_BIO };

static int
misfit(struct jerr *e, enum misfit k)
{
	static const char *const why[] = {
		N_("--reason, --instructions-given and --reset-password belong "
		    "to the password method"),
		N_("--reenroll belongs to fingerprint and external"),
		N_("--password-fd belongs to a new password (-m password, "
		    "--reset-password)"),
		N_("--finger and --device belong to a fingerprint enrolment "
		    "(-m fingerprint, --reenroll)"),
	};

	jerr_say(e, ST_USAGE, "%s", _(why[k]));
	return ST_USAGE;
}

int
opchange_mod_usage(struct opchange *c, struct jerr *e)
{
	int	 pw, bio, fp;

	if (c->method && method_parse(c->method, &c->m) == -1) {
		jerr_say(e, ST_USAGE, _("-m %s: not fingerprint, password "
		    "or external"), c->method);
		return ST_USAGE;
	}
	pw = c->method && c->m == METHOD_PASSWORD;
	bio = c->method && c->m != METHOD_PASSWORD;
	fp = c->method && c->m == METHOD_FINGERPRINT;
	/* mod_options's rules, each where it fails whatever the person's
	 * method (--reset-password, --reason and --instructions-given stay
	 * with the password, --reenroll with a biometric, --finger and
	 * --device with the reader: an external verifier gets neither,
	 * jukisec-verifier(5)) */
	if (bio && (c->reason || c->instr || c->reset))
		return misfit(e, MISFIT_PW);
	if ((pw || c->reset || c->reason || c->instr) && c->reenrol)
		return misfit(e, MISFIT_REENROL);
	if (c->pwfd != -1 && !pw && !c->reset)
		return misfit(e, MISFIT_PWFD);
	if ((c->bio.finger || c->bio.device) &&
	    (c->method ? !fp : !c->reenrol))
		return misfit(e, MISFIT_BIO);
	return bio_finger_check(c->bio.finger, e);
}

/* What -m (j->m, a move or not) allows of the other options, and that
 * something changes: ST_OK or ST_USAGE after a message.  A method that
 * does not read back is no method, not its stand-in (register.c): nothing
 * of a method is changed on it, and any -m is a move that makes the new
 * method's credential, as from another method (operator-mod(1)). */
static int
mod_options(struct store *st, const struct opchange *a,
    const struct modjob *j)
{
	enum method m = j->m;
	const char *miss;

	if (!j->known && !j->move && (a->reset || a->reenrol || a->reason ||
	    a->instr)) {
		jerr_say(st->err, ST_USAGE, _("%s: no method (the register's value "
		    "does not read back): -m repairs it"), a->id);
		return ST_USAGE;
	}
	if (m == METHOD_PASSWORD && j->move && (miss =
	    opchange_proviso_missing(a)) != NULL) {
		jerr_say(st->err, ST_USAGE, _("-m password needs %s (R5.3 "
		    "proviso)"), miss);
		return ST_USAGE;
	}
	if (m != METHOD_PASSWORD && (a->reason || a->instr || a->reset))
		return misfit(st->err, MISFIT_PW);
	if (m == METHOD_PASSWORD && a->reenrol)
		return misfit(st->err, MISFIT_REENROL);
	if (a->pwfd != -1 && (m != METHOD_PASSWORD || (!j->move && !a->reset)))
		return misfit(st->err, MISFIT_PWFD);
	if ((a->bio.finger || a->bio.device) && m == METHOD_EXTERNAL) {
		/* --reenroll of an external person: known from the register */
		jerr_say(st->err, ST_USAGE, _("%s: --finger and --device belong "
		    "to the fingerprint method"), a->id);
		return ST_USAGE;
	}
	if ((a->bio.finger || a->bio.device) && (m == METHOD_PASSWORD ||
	    (!j->move && !a->reenrol)))
		return misfit(st->err, MISFIT_BIO);
	if (!j->move && !a->unlock && !a->reset && !a->reenrol && !a->reason &&
	    !a->instr && !a->name && !a->section && !a->title && !a->have_exp) {
		jerr_say(st->err, ST_USAGE, _("-m %s: %s already uses it; "
		    "nothing to change"), a->method, a->id);
		return ST_USAGE;
	}
	return ST_OK;
}

/* The MOD_ fields the options given set to a value o does not hold
 * already: one that names the row's value changes nothing and is no part
 * of the record, which lists what changed (operator-mod(1)), unless the
 * row's approver changes with it.  A damaged
 * expiry or lock state holds a stand-in no option names (past, locked),
 * so setting it is a change.  The manager's own lock is no change: the
 * gate admitted them unlocked, and their success cleared the count. */
static unsigned
mod_changes(const struct opchange *a, const struct operator *o)
{
	unsigned set = 0;

	if (a->unlock && strcmp(a->id, a->by) != 0 &&
	    (o->locked || o->failed != 0 || o->locked_at != TIME_NONE))
		set |= MOD_UNLOCK;
	if (a->reason && strcmp(a->reason, o->exception_reason) != 0)
		set |= MOD_REASON;
	if (a->instr && strcmp(a->instr, o->instructions_date) != 0)
		set |= MOD_INSTR;
	/* -b becomes the exception's approver (mod_apply): on a row another
	 * manager approved, or nobody (approved_by blanked, which records
	 * no exception), the options that approve it change the row even
	 * when they name its values, and are recorded */
	if ((a->reason || a->instr) && strcmp(a->by, o->approved_by) != 0)
		set |= (a->reason ? MOD_REASON : 0) | (a->instr ? MOD_INSTR : 0);
	if (a->name && strcmp(a->name, o->name) != 0)
		set |= MOD_NAME;
	if (a->section && strcmp(a->section, o->section) != 0)
		set |= MOD_SECTION;
	if (a->title && strcmp(a->title, o->title) != 0)
		set |= MOD_TITLE;
	if (a->have_exp && a->exp != o->expires)
		set |= MOD_EXPIRES;
	return set;
}

/* ST_OK when the call changes something; else, as -m naming the method
 * in use (mod_options), nothing to change: ST_USAGE after one line
 * naming the options, each of which found the row as it would set it. */
static int
mod_something(struct store *st, const struct modjob *j)
{
	const struct opchange *a = j->a;
	char	*opts;

	if (j->move || a->reset || a->reenrol || j->set != 0)
		return ST_OK;
	opts = xasprintf("%s%s%s%s%s%s%s%s", a->unlock ? ", -u" : "",
	    a->method ? ", -m" : "", a->reason ? ", --reason" : "",
	    a->instr ? ", --instructions-given" : "", a->name ? ", -n" : "",
	    a->section ? ", -s" : "", a->title ? ", --title" : "",
	    a->have_exp ? ", -e" : "");
	jerr_say(st->err, ST_USAGE, _("%s: %s: already so; nothing to change"),
	    a->id, opts + 2);
	free(opts);
	return ST_USAGE;
}

/* After the manager's credential verified, before the lock: the checks
 * and the new credential (an enrolment may wait for a finger). */
static int
mod_prepare(struct store *st, void *arg)
{
	struct modjob	*j = arg;
	struct opchange	*a = j->a;
	struct register_ reg;
	struct operator	*o;
	int		 r;

	if ((r = register_load(st, &reg)) != ST_OK)
		return r;
	if ((o = register_find(&reg, a->id)) == NULL || operator_revoked(o)) {
		jerr_say(st->err, ST_NO, o ? _("%s: revoked") :
		    _("%s: no such operator"), a->id);
		register_free(&reg);
		return ST_NO;
	}
	j->old = o->method;
	j->known = operator_method_known(o);
	j->set = mod_changes(a, o);
	register_free(&reg);
	j->m = a->method ? a->m : j->old;	/* parsed by opchange_mod_usage */
	j->move = j->m != j->old || (a->method && !j->known);
	if ((r = mod_options(st, a, j)) != ST_OK ||
	    (r = mod_something(st, j)) != ST_OK)
		return r;
	j->newcred = j->move || a->reset || a->reenrol;
	/* a refusal is kept, not returned: mod_change logs it once the
	 * manager is admitted (add_prepare's rule) */
	if (j->newcred)
		j->credfail = credential_new(st, a->id, j->m, a->pwfd, &a->bio,
		    &j->cred, &j->why);
	return ST_OK;
}

/* operator-mod's record detail: what changed, in words a script reads. */
static char *
mod_detail(const struct modjob *j)
{
	const struct opchange *a = j->a;
	unsigned set = j->set;

	return xasprintf("changed:%s%s%s%s%s%s%s%s%s%s%s",
	    set & MOD_UNLOCK ? " unlock" : "",
	    a->reset ? " reset-password" : "", a->reenrol ? " reenroll" : "",
	    j->move ? " method=" : "", j->move ? method_name(j->m) : "",
	    set & MOD_REASON ? " reason" : "",
	    set & MOD_INSTR ? " instructions-given" : "",
	    set & MOD_NAME ? " name" : "", set & MOD_SECTION ? " section" : "",
	    set & MOD_TITLE ? " title" : "",
	    set & MOD_EXPIRES ? " expires" : "");
}

/* operator-revoke's rule at the end of a manager's authority
 * (register_end_strands): a new expiry for o is refused (ST_NO after a
 * message) when it takes away authority the row gives o at that end and
 * no other manager could act at it: one active then, so one whose own
 * authority ends first does not count, and not locked out then (a lock
 * that lifts by itself before counts), on a method the gate admits.  Else
 * the register would be left, at that end, to managers nobody can unlock
 * or extend: --recover lifts no expiry, and the bootstrap is for the
 * first manager only.  A later end than the present one takes none away,
 * so the last manager can always move their end on, never back. */
static int
mod_strands(struct store *st, const struct register_ *reg,
    const struct operator *o, const struct modjob *j)
{
	const struct opchange *a = j->a;

	if (!(j->set & MOD_EXPIRES) || a->exp == TIME_NONE ||
	    !register_end_strands(reg, &st->conf, o, a->exp))
		return ST_OK;
	jerr_say(st->err, ST_NO, _("%s: the last active manager cannot "
	    "expire"), a->id);
	return ST_NO;
}

/* The row as changed in reg, and the new credential if there is one:
 * announced in operators.pending first, so that a crash after the
 * credential is replaced and before the row is completed by the next
 * register writer (register_txn.h). */
static int
mod_commit(struct store *st, struct register_ *reg, struct modjob *j,
    const struct oplog_rec *rec)
{
	if (!j->newcred)
		return register_commit_logged(st, reg, rec);
	return register_commit_cred(st, reg, rec,
	    j->m == METHOD_PASSWORD ? "phc" : "tmpl", j->cred.p, j->cred.len);
}

/* The credential a new one leaves, destroyed once the change is
 * committed: the other file on a move between password and a biometric,
 * else the one it replaced (cred_keep); after a method that did not read
 * back, both, as either may be the person's (register.c's cred_live). */
static int
mod_drop_old(struct store *st, const struct modjob *j)
{
	const char *ext = j->m == METHOD_PASSWORD ? "phc" : "tmpl";
	const char *other = j->m == METHOD_PASSWORD ? "tmpl" : "phc";
	int	 r;

	if (j->known)
		return cred_destroy_old(st, j->a->id,
		    j->old == METHOD_PASSWORD ? "phc" : "tmpl", ext);
	r = cred_destroy_old(st, j->a->id, ext, ext);
	if (cred_destroy(st, j->a->id, other) != ST_OK)
		r = ST_FAIL;
	return r;
}

/* The fields of o that j changes (j->set, and the method moved), set. */
static void
mod_apply(struct operator *o, const struct modjob *j)
{
	const struct opchange *a = j->a;

	if (j->move)
		operator_set_method(o, j->m);
	if (j->m != METHOD_PASSWORD) {
		register_set(o, &o->exception_reason, "");
		register_set(o, &o->approved_by, "");
		register_set(o, &o->instructions_date, "");
	} else if (j->move || (j->set & (MOD_REASON | MOD_INSTR))) {
		if (j->set & MOD_REASON)
			register_set(o, &o->exception_reason, a->reason);
		if (j->set & MOD_INSTR)
			register_set(o, &o->instructions_date, a->instr);
		register_set(o, &o->approved_by, a->by);
	}
	if (j->set & MOD_NAME)
		register_set(o, &o->name, a->name);
	if (j->set & MOD_SECTION)
		register_set(o, &o->section, a->section);
	if (j->set & MOD_TITLE)
		register_set(o, &o->title, a->title);
	if (j->set & MOD_EXPIRES)
		o->expires = a->exp;
	if (j->set & MOD_UNLOCK)
		operator_unlock(o);
}

/* The change under the gate's lock; a new credential destroys the old
 * one after the commit (mod_drop_old). */
static int
mod_made(struct store *st, struct register_ *reg, struct modjob *j)
{
	struct opchange	*a = j->a;
	struct operator	*o;
	char		*detail;
	struct oplog_rec rec = { a->by, "operator-mod", a->id, "ok", NULL };
	struct jerr	 said = JERR_INIT, *caller = st->err;
	int		 r, done = 0, renamed = 0;

	/* what changes is the row's under the lock: the record says that */
	if ((o = register_find(reg, a->id)) != NULL)
		j->set = mod_changes(a, o);
	rec.detail = detail = mod_detail(j);
	if ((r = register_reconcile(st, reg, a->by)) != ST_OK)
		;	/* an orphan left: refused, logged below as an error */
	else if (o == NULL || operator_revoked(o) ||
	    o->method != j->old || operator_method_known(o) != j->known ||
	    (!j->move && !j->newcred && j->set == 0)) {
		/* the last: mod_prepare found something to change */
		jerr_say(st->err, ST_FAIL, _("%s: changed by someone else "
		    "meanwhile"), a->id);
		r = ST_FAIL;
	} else if ((r = mod_strands(st, reg, o, j)) != ST_OK)
		;	/* said; logged below as refused */
	else {
		mod_apply(o, j);
		st->err = &said;	/* one line: register_change_log */
		if ((r = mod_commit(st, reg, j, &rec)) == ST_OK) {
			done = 1;	/* committed: the log must say so */
			if (j->newcred)
				r = mod_drop_old(st, j);
		} else	/* in, not synced: it stands, its note's record */
			done = renamed = st->reg_renamed;
	}
	rec.result = done ? "ok" : r == ST_FAIL ? "error" : "refused";
	rec.detail = xasprintf("%s%s", detail, done && !renamed && r != ST_OK ?
	    " (old credential not destroyed)" : "");
	r = register_change_log(st, caller, &said, r, done, &rec, 0);
	free((char *)rec.detail);
	free(detail);
	return r;
}

/* A new credential that could not be made after the manager's check
 * (mod_prepare) changes nothing, yet the try is logged as the change it
 * was for (operator-add's rule), under the lock that admitted the manager
 * and after its auth record: refused (the password or enrolment refused)
 * or error, with the reason the gate gives when an external verifier did
 * not run.  A manager denied at the count leaves only the auth record, as
 * one denied before the credential was asked for. */
static int
mod_refused(struct store *st, const struct modjob *j)
{
	const struct opchange *a = j->a;
	char	*detail;
	int	 k;

	detail = mod_detail(j);
	k = oplog_log(st, a->by, "operator-mod", a->id,
	    j->credfail == ST_FAIL ? "error" : "refused", "%s%s%s", detail,
	    j->why ? " reason=" : "", j->why ? j->why : "");
	free(detail);
	return k != ST_OK ? ST_FAIL : j->credfail;
}

/* The gate's change: under the lock that counted the manager's attempt,
 * only if that attempt admitted a still active, unlocked manager. */
static int
mod_change(struct store *st, struct register_ *reg, int64_t now, void *arg)
{
	struct modjob	*j = arg;
	int		 r;

	if (j->credfail != ST_OK)
		return mod_refused(st, j);
	if ((r = change_ready(st, now, j->cred.len)) != ST_OK)
		return r;
	r = mod_made(st, reg, j);
	store_unlock(st, STORE_LOCK_LOG);
	return r;
}

int
operator_mod(struct store *st, struct opchange *a)
{
	struct modjob	 j = { a, { 0 }, METHOD_PASSWORD, METHOD_PASSWORD, 1, 0,
			    0, ST_OK, NULL, 0 };
	struct gate_change gc = { mod_prepare, mod_change, &j };
	int		 r;

	if ((r = dates_check(st, a)) != ST_OK)
		return r;
	r = manager_change(st, a->by, a->byfd, &gc);
	wipe(j.cred.p, j.cred.len);
	buf_free(&j.cred);
	return r;
}

struct revjob {
	const char	*by, *id, *reason;
};

/* The revocation, the log shown ready (rev_change). */
static int
rev_made(struct store *st, struct register_ *reg, int64_t now,
    struct revjob *j)
{
	struct operator	*o;
	struct oplog_rec rec = { j->by, "operator-revoke", j->id, "ok",
	    j->reason };
	struct jerr	 said = JERR_INIT, *caller = st->err;
	int		 r, done = 0, renamed = 0;

	if ((r = register_reconcile(st, reg, j->by)) != ST_OK)
		;	/* an orphan left: refused, logged below as an error */
	else if ((o = register_find(reg, j->id)) == NULL) {
		jerr_say(st->err, ST_NO, _("%s: no such operator"), j->id);
		r = ST_NO;
	} else if (operator_revoked(o)) {
		jerr_say(st->err, ST_NO, _("%s: already revoked"), j->id);
		r = ST_NO;
	} else if (register_end_strands(reg, &st->conf, o, now)) {
		/* counted as the gate admits managers: the one who can act
		 * would leave only locked or damaged ones, whom no manager
		 * can unlock (only root with the log key, --recover) */
		jerr_say(st->err, ST_NO, _("%s: the last active manager cannot "
		    "be revoked"), j->id);
		r = ST_NO;
	} else {
		o->revoked_at = now;
		register_set(o, &o->revoked_by, j->by);
		register_set(o, &o->revoked_reason, j->reason);
		/* row first: a crash now leaves a credential that the next
		 * register_begin destroys, never a live row without one */
		st->err = &said;	/* one line: register_change_log */
		if ((r = register_commit_logged(st, reg, &rec)) == ST_OK) {
			done = 1;
			r = cred_destroy(st, j->id, NULL);
		} else	/* in, not synced: it stands, its note's record */
			done = renamed = st->reg_renamed;
	}
	/* once the row is committed the revocation stands: the log says so
	 * even when the credential could not be destroyed yet */
	rec.result = done ? "ok" : r == ST_FAIL ? "error" : "refused";
	rec.detail = xasprintf("%s%s", j->reason, done && !renamed &&
	    r != ST_OK ? " (credential not destroyed)" : "");
	r = register_change_log(st, caller, &said, r, done, &rec, 0);
	free((char *)rec.detail);
	return r;
}

/* The gate's change: under the lock that counted the manager's attempt,
 * so a manager revoked or locked meanwhile revokes no one. */
static int
rev_change(struct store *st, struct register_ *reg, int64_t now, void *arg)
{
	int	 r;

	if ((r = change_ready(st, now, 0)) != ST_OK)
		return r;
	r = rev_made(st, reg, now, arg);
	store_unlock(st, STORE_LOCK_LOG);
	return r;
}

int
operator_revoke(struct store *st, const char *by, int byfd, const char *id,
    const char *reason)
{
	struct revjob	 j = { by, id, reason };
	struct gate_change gc = { NULL, rev_change, &j };

	return manager_change(st, by, byfd, &gc);
}
