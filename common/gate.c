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
 *    clock set back re-admits and unlocks no one.  A clock set ahead
 *    unlocks no one either: an automatic unlock that is due is made only
 *    when the log corroborates the clock since the lock began
 *    (operator_lock_stands), else the lock stands until a manager lifts it.
 *  - Unknown, revoked, expired and (for --by) non-manager ids run the same
 *    KDF work on the password as a known one and print the same message;
 *    the reason goes only to the operation log.  That work is the
 *    costliest among jukisec.conf's and every stored hash's (kdf_cost,
 *    read for every attempt): the dummy runs it, cred_check pads a hash
 *    of less work up to it, so that a hash stored before the cost was
 *    lowered tells its id from no other either.
 *  - A denial with no row to count (unknown, revoked, expired, a row
 *    that admits nobody, no manager for --by, an id no register can
 *    hold) does the disk work of a count all the same, in its place
 *    before the record (register_pad_count: the same writes, syncs and
 *    renames, on operators.pad, which no tool reads): how long a denial
 *    takes tells no registered id from another (auth-check(1),
 *    pam_jukisec(8)).  A crash leaves at most that file, removed by the
 *    next register_lock.
 *  - An id no register can hold (operator_id_problem; the PAM user name
 *    is not checked before the gate) runs an unknown id's path whole: the
 *    same prompt, KDF work, locks, room and writability checks, so that
 *    a state that cannot decide, count or log an attempt answers it as
 *    it answers an unknown id.  Only its records are left out: such an
 *    id is never written to the log (pam_jukisec(8): syslog alone).
 *  - The descriptors the longest path holds at once are shown free before
 *    the register is read (gate_fds): a caller's ulimit -n, or the
 *    descriptors it left open, stop every attempt there alike, never at
 *    a file that only a registered id opens.
 *  - The decision is atomic with the credential: the one checked is read
 *    again under the register lock that counts, and anything else there (a
 *    reset or re-enrolment committed meanwhile) is a deny.
 *  - Nothing is admitted that could not have been counted, and nothing
 *    counted that the log could not record: before the register is
 *    written the register and the pad are shown to be names a rename may
 *    replace (register_replaceable: not immutable, append-only or a
 *    mount point, in a directory that lets names go), whichever of the
 *    two this attempt writes, and the log's files to open for writing,
 *    then, under
 *    the log's lock, the log is brought to where the "auth" record alone
 *    is left to write (what a crash left completed, the seals of every
 *    ended epoch written and the key file moved past them, as
 *    log-append --seal does), and the directory shown to have room for
 *    the count, its note and that record, the caller's file size limit
 *    included (a limit the log cannot grow under is a disk that cannot
 *    record).  No signal a caller can send is taken between the count
 *    and the record: held until both are written.  SIGKILL and a power
 *    loss cannot be held: a changed count is a register change whose
 *    record is the "auth" record (register_commit_count, jukisec-log(5)
 *    "Register changes"), its note written before the register, removed
 *    after the record, and completed by the next register writer once
 *    written (the count put in force, the record logged marked
 *    " settled=interrupted"); a count that does not change writes
 *    neither.  The record is written at the decision time, which the
 *    log is sealed up to, and the lock held until then, so that the log
 *    found fit is the one written to and no seal or key falls after the
 *    count.  Writing (the seals' included), room or the
 *    count failing is exit 3 with one line, the same for every attempt; a
 *    log file that writers refuse is exit 3 with its own line; either way
 *    the register is as it was and no "auth" record is written (fail
 *    closed, R5.2, R6).  The record itself failing (an I/O error after
 *    the room was shown) is the same line, and the count saved before it
 *    is saved back, unless the record was durable before its head failed
 *    (the next writer takes it in): a count and its record go together.
 *    The note goes in either case; a note that cannot go after its
 *    record is the same line too (the next writer finds the record).
 *  - A count a kill left in operators.pending is settled (put in force,
 *    its record logged) only once the log has passed the same checks,
 *    under its lock, as every register writer settles it (register_lock,
 *    gate_lock): settled first, it was put in force in a state whose log
 *    then refused its record, a count no record showed.
 *  - Locks in the order every tool takes them, the register's before the
 *    log's (store.c refuses the other order): no process waits for the
 *    register's while it holds the log's, so no two wait for each other.
 *  - The KDF runs outside the register lock, so attempts run in parallel;
 *    the count is then updated on a fresh read under STORE_LOCK_REGISTER
 *    (register.c operator_count_attempt, beside operator_locked),
 *    so concurrent failures all count (pam_faillock lost them, PR #1016)
 *    and the count lives in operators.csv, surviving reboots.
 *  - Every attempt is logged as action "auth" with result, method and
 *    reason (the terminal is the record's own field; a PAM caller adds
 *    where the person is, tty= and rhost=); never the password.
 *  - The person is spoken to through conv.h: the terminal for a tool, the
 *    PAM conversation in pam_jukisec.
 *  - A hash of another cost than jukisec.conf's is re-hashed on success.
 *  - A manager's change (manager_change) is prepared only after the
 *    manager's credential verified on an unlocked row, and runs under the
 *    lock that counted the attempt, after its "auth" record: one register
 *    read for both, and the change made only if that read still shows an
 *    active, unlocked manager (one revoked, expired or locked during a
 *    slow prompt or enrolment changes nothing).
 *  - Every --by gets its status in one place, the end of authenticate():
 *    a lock is a deny there (exit 4 is auth-check's), an admitted
 *    manager's status is the change's; no tool maps it again.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "bio.h"
#include "clock.h"
#include "conv.h"
#include "cred.h"
#include "gate.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "register.h"
#include "register_txn.h"
#include "timeutil.h"

/*
 * The most descriptors an attempt holds at once, beyond those its caller
 * had open, on its longest path (strace, the tests' paths): the state
 * directory's, open before the gate, and then a fingerprint 9 on
 * libfprint's virtual reader (GLib's and libusb's event descriptors and
 * timer, two udev sockets, the directories walked to find the reader),
 * an external verifier 7 (the program's directory, the pipes of its
 * standard input and error, the one its exec reports on), a password 4
 * (the register's and the log's locks, a new file and its read back),
 * the crash remnants, seals and re-hash on the way included.  The rest
 * is for what a USB reader adds to the virtual one: its device node and
 * libusb's own.  The number the pages give a caller, who counts the
 * directory's descriptor as one the attempt holds.
 */
#define GATE_FDS	STORE_GATE_FDS

struct attempt {
	const char	*id;
	int		 known;		/* a row exists and may be checked */
	enum method	 method;
	int		 ok;
	const char	*reason;
	int		 need_manager;
	const char	*pw;		/* set on a password's success */
	const char	*phc;		/* the hash pw was verified against */
	int		 stale;		/* of another cost: a re-hash is due */
	const char	*cred;		/* the credential checked, as read */
	size_t		 credlen;
	int		 locked;	/* locked at the first read */
	const struct gate_change *change;	/* run under the count's lock */
	int		 result;	/* the change's, or its prepare's */
	const char	*where;		/* " tty=... rhost=..." or "" */
	struct cred_cost cost;		/* every password attempt's KDF work */
	int		 unlogged;	/* an id no register can hold: no record */
	int		 pad;		/* a denial with nothing to count */
	struct oplog_rec rec;		/* its "auth" record, once decided */
};

/* The attempt's "error" record (an operational failure, not counted):
 * why, then check= and where.  None for an id no register can hold.  The
 * failure it records was said: a log that refuses the record too (a
 * member of the state's group, who may not take its lock) adds no second
 * line (SPEC: one line), and takes no more records in this run. */
static void
log_error(struct store *st, const struct attempt *a, const char *why)
{
	struct jerr	 quiet = JERR_INIT, *said = st->err;

	if (a->unlogged)
		return;
	st->err = &quiet;
	(void)oplog_log(st, "-", "auth", a->id, "error",
	    "method=%s reason=%s%s%s", method_name(a->method), why,
	    a->need_manager ? " check=manager" : "", a->where);
	st->err = said;
}

/* Under the register lock, after a password's success: what a kill in an
 * earlier re-hash left goes (a second name of the hash in force, or the
 * old hash), then the hash is re-hashed with conf's cost when it has
 * another and has not changed since it was verified. */
static void
rehash(struct store *st, struct attempt *a)
{
	struct jerr e = JERR_INIT, *caller = st->err;
	char	*cur = NULL, *phc = NULL;
	size_t	 n;

	/* Quiet: a re-hash that cannot be made waits for a later login, the
	 * attempt recorded and admitted all the same.  The weaker hash goes
	 * as every replaced credential does (cred.c): kept under a second
	 * name over the rename, then overwritten with zeros, synced and
	 * unlinked.  A hash with another hard link is not re-hashed: its
	 * bytes would stay under that name. */
	st->err = &e;
	(void)cred_unkeep(st, a->id, "phc");
	cred_old_drop(st, a->id, "phc");
	if (!a->stale || cred_read(st, a->id, "phc", &cur, &n) != ST_OK) {
		st->err = caller;
		return;
	}
	if (strcmp(cur, a->phc) == 0 && cred_links(st, a->id, "phc") == 1 &&
	    cred_hash(&st->conf, a->pw, strlen(a->pw), &phc,
	    st->err) == ST_OK && cred_keep(st, a->id, "phc") == ST_OK) {
		if (cred_write(st, a->id, "phc", phc, strlen(phc)) != ST_OK)
			(void)cred_unkeep(st, a->id, "phc");
		else {
			(void)oplog_log(st, a->id, "auth", a->id, "rehashed",
			    "kdf cost now m=%lld t=%lld p=%lld",
			    st->conf.kdf_memory_kib, st->conf.kdf_time,
			    st->conf.kdf_parallelism);
			cred_old_drop(st, a->id, "phc");
		}
	}
	st->err = caller;
	if (phc != NULL)
		wipe(phc, strlen(phc));
	free(phc);
	cred_free(cur, n);
}

/* 1 when the credential file of id still holds what the attempt checked:
 * read again under the register lock, compared in constant time; 0 when
 * it holds something else or is gone; -1 when it cannot be read (said).
 * Read for every attempt on a credential, whatever the password: were it
 * read for a right one only, its failure (a caller's ulimit -n, one
 * descriptor short) would be a line more than a wrong password gets,
 * with nothing counted or logged: a free guess (R5.2). */
static int
same_credential(struct store *st, const struct attempt *a)
{
	char	*cur = NULL;
	size_t	 n = 0;
	int	 same;

	switch (cred_read(st, a->id, a->method == METHOD_PASSWORD ?
	    "phc" : "tmpl", &cur, &n)) {
	case ST_OK:
		break;
	case ST_NO:
		return 0;
	default:
		return -1;
	}
	same = n == a->credlen && ct_equal(cur, a->cred, n);
	cred_free(cur, n);
	return same;
}

/* A credential file that is a FIFO, a device or unsafe, planted as the
 * credential, or one that cannot be read again under the register lock:
 * an operational failure, refused and logged, not counted (exit 3). */
static int
unreadable(struct store *st, const struct attempt *a)
{
	log_error(st, a, "credential-unreadable");
	return ST_FAIL;
}

/* Why a decision made on the first read no longer holds on the row the
 * register has now: gone (a register restored from backup), a row the
 * gate cannot trust (its exception blanked), revoked, expired,
 * re-enrolled or reset while we computed.  NULL when it holds: it holds
 * only for the credential the register has now (fail safe). */
static const char *
changed_since(const struct attempt *a, const struct register_ *reg,
    const struct operator *o, int64_t now, int same)
{
	if (o != NULL && operator_active(o, now) && o->method == a->method &&
	    register_row_usable(reg, o, now) && (!a->ok || same == 1))
		return NULL;
	return o == NULL ? "unknown-id" :
	    o->method != a->method ? "method-changed" :
	    !register_row_usable(reg, o, now) ? "register-row-damaged" :
	    operator_revoked(o) ? "revoked" :
	    !operator_active(o, now) ? "expired" : "credential-changed";
}

/* Room for a changed count, asked of every attempt, in bytes beyond a
 * rewrite of the register (store_room): the new register and the log's
 * line, as ever, and the count's note, at once.  The note is the register
 * after and the record in hex: bounded by what the caller gave (the id,
 * where), not by what was decided, so the answer is the same for every
 * password; the id taken at most as long as a register holds one, so
 * that one no register can hold asks what an unknown id of that length
 * asks. */
static off_t
count_room(struct store *st, const struct attempt *a)
{
	struct stat	 sb;
	off_t		 size = 0, note;

	if (fstatat(st->dirfd, REGISTER_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		size = sb.st_size;
	/* the fields, hex: operator, object (the id), detail (where and
	 * 128 for the rest); then the names, the seq and two hashes */
	note = size + 2 * (2 * (off_t)strnlen(a->id, OPERATOR_ID_MAX) +
	    (off_t)strlen(a->where) + 128) + 256;
	return size + note + OPLOG_LINE_MAX;
}

/* The signals a caller can send (Ctrl-C, kill, a hangup, SIGXFSZ)
 * blocked, the mask before into *old: between the count and its record
 * they would leave the count moved with no record (R5.2, R6); taken once
 * both are written.  Not earlier: one sent while the run waits for a
 * lock ends it with nothing counted.  The faults of the code itself stay
 * deliverable. */
static void
hold_signals(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_BLOCK, &all, old);
}

/* The line of an attempt that cannot be recorded, for a disk that cannot
 * take a write (err), ST_FAIL; a refusal (-1) was said in its own words. */
static int
unrecorded(struct store *st, int err)
{
	if (err != -1)
		jerr_say(st->err, ST_FAIL,
		    _("%s: the attempt cannot be recorded (%s): denied"),
		    register_unrecorded_at(st), strerror(err));
	return ST_FAIL;
}

/* R5.2, R6: no attempt goes uncounted or unlogged, and none is counted
 * that the log cannot take.  Before anything is written to the register,
 * its count changed or not, every attempt shows the register and the pad
 * to be replaceable, both, whichever it writes (a count refused where a
 * pad goes through told a registered id by its answer), and the log's
 * files to open for writing, then under the log's lock (held on ST_OK,
 * for the caller's record) writes what the log owes before the record
 * and shows room for the count and the record (register_log_ready, which
 * register_lock runs before it settles a note too).  A name that cannot
 * be replaced, writing or room failing denies with exit 3 and one line,
 * the same words for all: on a full, read-only
 * or failing disk, or a log on a read-only mount of its own, the answer
 * must not tell a right password from a wrong one, nor a known id from an
 * unknown one, and a disk with room for a save but not for the check must
 * not deny only those whose count did not change.  A log that writers
 * refuse is said in the log's words (exit 3), nothing written. */
static int
log_ready(struct store *st, const struct attempt *a, int64_t now)
{
	int	 err;

	/* first, before the log's seals: the count's rename and the pad's,
	 * whichever this attempt makes, shown possible for both */
	if (register_replaceable(st, &st->unwritable) == -1)
		return unrecorded(st, errno);
	if (register_log_ready(st, now, REGISTER_FILE, count_room(st, a),
	    &err) != ST_OK)
		return unrecorded(st, err);
	return ST_OK;
}

/* The log shown ready (log_ready), then a changed count saved as a
 * register change whose record is a->rec (*saved set once the save is
 * tried: a failure can come after its note or its rename), the signals
 * held from there (into *held).  The save failing is the line of a disk
 * that cannot record, its own message going nowhere.  ST_OK with the log
 * lock held, for the caller's record; else ST_FAIL, said. */
static int
write_count(struct store *st, struct register_ *reg,
    const struct attempt *a, int changed, int64_t now, int *saved,
    sigset_t *held)
{
	struct jerr	 e = JERR_INIT, *caller = st->err;
	int		 r, err;

	if (log_ready(st, a, now) != ST_OK)
		return ST_FAIL;
	hold_signals(held);
	st->err = &e;
	*saved = changed || a->pad;
	r = changed ? register_commit_count(st, reg, &a->rec) :
	    a->pad ? register_pad_count(st, reg, &a->rec) : ST_OK;
	err = errno;
	st->err = caller;
	if (r == ST_OK)
		return ST_OK;
	store_unlock(st, STORE_LOCK_LOG);
	return unrecorded(st, err);
}

/* The register lock held by another process past lock_timeout_ms: the
 * attempt cannot be counted, or a late change made (exit 3), but the log,
 * a lock of its own, says so.  Not a refused lock file or an I/O error:
 * those leave no record. */
static void
busy(struct store *st, const struct attempt *a)
{
	if (st->timed_out[STORE_LOCK_REGISTER])
		log_error(st, a, "register-busy");
}

/* STORE_LOCK_REGISTER taken for the count (or a late change), and what a
 * kill left in operators.pending settled as every register writer
 * settles it, only once the log is shown to take the settlement's record
 * (register_lock_err).  A log that cannot, or a settlement failing on a
 * disk that cannot record, is the gate's line, the same for every
 * attempt; a register lock not had in time is logged (busy).  ST_OK with
 * the register lock held; else unlocked, said. */
static int
gate_lock(struct store *st, const struct attempt *a)
{
	int	 r, err;

	if ((r = register_lock_err(st, &err)) == ST_OK)
		return ST_OK;
	if (err != 0)
		return unrecorded(st, err);
	busy(st, a);
	return r;
}

/* A manager's change reads what the manager brings (a new password, a
 * finger) before the count, which then waits for no typing (prepare):
 * only once the attempt is shown recordable as record() shows it, a
 * kill's note settled first, then the log and the room.  On a disk that
 * cannot record, a right password read the new one before its count
 * failed and a wrong one did not, nothing counted: guesses without end,
 * told apart by that read.  Now both fail here or in record() with the
 * same line, nothing read.  The register lock is taken here only for a
 * note: the count and the change stay under record()'s one lock.  A disk
 * that fills between the two is record()'s to refuse.  ST_OK with no lock
 * held; else said, the log refused for the run as record() leaves it. */
static int
recordable(struct store *st, const struct attempt *a)
{
	struct stat	 sb;
	int64_t		 now;
	int		 r;

	if (fstatat(st->dirfd, PENDING_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0 ||
	    errno != ENOENT) {
		if ((r = gate_lock(st, a)) != ST_OK)
			return r;
		store_unlock(st, STORE_LOCK_REGISTER);
	}
	if ((r = clock_decision(st, &now)) != ST_OK)
		return r;
	if ((r = log_ready(st, a, now)) != ST_OK) {
		st->log_refused = 1;
		return r;
	}
	store_unlock(st, STORE_LOCK_LOG);
	return ST_OK;
}

/* The attempt's "auth" record into a->rec, decided before the count: a
 * changed count's note holds it.  Its detail, allocated, returned. */
static char *
auth_record(struct attempt *a, int status)
{
	struct oplog_rec *rec = &a->rec;
	char	*detail;

	detail = xasprintf("method=%s reason=%s%s%s", method_name(a->method),
	    a->ok ? "ok" : a->reason ? a->reason : "denied",
	    a->need_manager ? " check=manager" : "", a->where);
	rec->operator = a->ok ? a->id : "-";
	rec->action = "auth";
	rec->object = a->id;
	rec->result = a->ok ? "ok" : status == ST_LOCKED ? "locked" : "denied";
	rec->detail = detail;
	return detail;
}

/* The "auth" record, under the log lock write_count() took, at the
 * decision time the log was sealed up to (clamped as every record's): no
 * seal, no key to move, only this record left to write after the count.
 * The lock is released then: a re-hash and a change take it as any
 * writer does.  A disk that fails it says the line of one that failed
 * before the count; *kept is 1 when the record stays all the same. */
static int
log_attempt(struct store *st, const struct oplog_rec *rec, int64_t now,
    int *kept)
{
	struct jerr	 e = JERR_INIT, *caller = st->err;
	long long seq;
	int	 r;

	st->err = &e;
	r = oplog_append_at(st, rec, 1, now);
	/* a record durable before its head failed stays (the next writer
	 * takes it in): recorded, its count with it */
	*kept = r != ST_OK && (seq = oplog_head_seq(st)) >= 0 &&
	    oplog_logged_since(st, seq, rec) == 1;
	st->err = caller;
	store_unlock(st, STORE_LOCK_LOG);
	/* the same line as a disk that failed before the count */
	if (r != ST_OK && store_unwritable(e.errnum))
		jerr_say(caller, ST_FAIL,
		    _("%s: the attempt cannot be recorded (%s): denied"),
		    st->dir, strerror(e.errnum));
	else
		jerr_pass(caller, &e);
	return r;
}

/* The attempt counted on o (NULL: no row to count on): its status. */
static int
count(struct store *st, struct attempt *a, const struct register_ *reg,
    struct operator *o, int64_t now, int same, int *changed)
{
	const char	*why;

	*changed = 0;
	if (a->known && (why = changed_since(a, reg, o, now, same)) != NULL) {
		a->ok = 0;
		a->reason = why;
		return ST_NO;
	}
	if (o == NULL)
		return a->ok ? ST_OK : ST_NO;
	switch (operator_count_attempt(o, &st->conf, now, a->ok,
	    operator_lock_stands(st, o, now), changed)) {
	case COUNT_LOCKED_BEFORE:
		a->ok = 0;
		a->reason = "locked";
		return ST_LOCKED;
	case COUNT_LOCKED_NOW:
		return ST_LOCKED;
	default:
		return a->ok ? ST_OK : ST_NO;
	}
}

/* A count saved, or maybe saved (a failed sync after its rename), whose
 * record could not follow: the count as it was, saved again, so that no
 * count moves without its record (R5.2, R6).  Quiet: the failure is said
 * already, and a disk that fails this too leaves what it left. */
static void
uncount(struct store *st, struct register_ *reg, struct operator *o,
    const struct operator *before)
{
	struct jerr	 e = JERR_INIT, *caller = st->err;

	o->failed = before->failed;
	o->locked = before->locked;
	o->locked_at = before->locked_at;
	st->err = &e;
	(void)register_save(st, reg);
	st->err = caller;
}

/* After a count's save was tried, the record r written or not: its note
 * removed, the count saved back first when its record failed (undo).  A
 * note that cannot go after the record is a disk that cannot record: the
 * same line and exit 3 (fail safe), the count kept with its record (the
 * next writer finds the record and removes the note).  A pad goes as
 * the note goes, with nothing to save back. */
static int
count_done(struct store *st, struct register_ *reg, struct operator *o,
    const struct operator *before, int r, int undo, int pad)
{
	struct jerr	 e = JERR_INIT, *caller = st->err;

	if (undo && !pad)
		uncount(st, reg, o, before);
	st->err = &e;
	if ((pad ? register_padded(st) : register_logged(st)) != ST_OK &&
	    r == ST_OK) {
		jerr_say(caller, ST_FAIL,
		    _("%s: the attempt cannot be recorded (%s): denied"),
		    st->dir, strerror(e.errnum));
		r = ST_FAIL;
	}
	st->err = caller;
	return r;
}

/* Counts the attempt on a fresh read under the register lock and logs it.
 * Long: the count, its padding, the record and their undo in the one order
 * R5.2 and R6 require, under the locks and with signals held; split, that
 * order would be spread over functions that each hold half a lock. */
static int
record(struct store *st, struct attempt *a)
{
	sigset_t	 held;
	struct register_ reg;
	struct operator	*o, before = { 0 };
	char		*detail;
	int64_t		 now;
	int		 r, changed, saved = 0, kept = 0, status, same = 0;

	/* the count only: no reconcile here, register changes do that */
	if ((r = gate_lock(st, a)) != ST_OK)
		return r;
	if ((r = clock_decision(st, &now)) != ST_OK ||
	    (r = register_load(st, &reg)) != ST_OK) {
		store_unlock(st, STORE_LOCK_REGISTER);
		return r;
	}
	o = a->known ? register_find(&reg, a->id) : NULL;
	if (o != NULL)
		before = *o;
	if (o != NULL && a->cred != NULL &&
	    (same = same_credential(st, a)) == -1) {
		r = unreadable(st, a);
		register_end(st, &reg);
		return r;
	}
	status = count(st, a, &reg, o, now, same, &changed);
	/* nothing counted on a denial: the count's work done all the same */
	a->pad = status == ST_NO && !changed;
	detail = auth_record(a, status);
	/* the mask as it is, put back as it is when nothing was held */
	pthread_sigmask(SIG_BLOCK, NULL, &held);
	r = write_count(st, &reg, a, changed, now, &saved, &held);
	if (r == ST_OK && a->unlogged)	/* shown recordable; not written */
		store_unlock(st, STORE_LOCK_LOG);
	else if (r == ST_OK)
		r = log_attempt(st, &a->rec, now, &kept);
	if (saved)
		r = count_done(st, &reg, o, &before, r, r != ST_OK && !kept,
		    a->pad);
	free(detail);
	if (r != ST_OK) {
		/* Said, in the line of an attempt that cannot be recorded or
		 * in the log's words: the log takes no more records in this
		 * run (operator-add's own of the attempt), which would say
		 * the same failure again in a file's words. */
		st->log_refused = 1;
		pthread_sigmask(SIG_SETMASK, &held, NULL);
		register_end(st, &reg);
		return ST_FAIL;
	}
	pthread_sigmask(SIG_SETMASK, &held, NULL);
	/* only once recorded: a re-hash that fails on a full disk must not
	 * add a line that only the right password gets */
	if (a->ok && a->pw != NULL)
		rehash(st, a);
	if (a->ok && a->change != NULL)
		a->result = a->change->change(st, &reg, now, a->change->arg);
	register_end(st, &reg);
	return status;
}

/* A change's first half, before the lock: ST_OK when there is none. */
static int
prepare(struct store *st, const struct gate_change *change)
{
	return change->prepare != NULL ? change->prepare(st, change->arg) :
	    ST_OK;
}

/* A change's first half, once the attempt is shown recordable: ST_OK,
 * the prepare's answer in a->result, or recordable()'s failure. */
static int
prepared(struct store *st, struct attempt *a, const struct gate_change *change)
{
	int r;

	if ((r = recordable(st, a)) != ST_OK)
		return r;
	if ((a->result = prepare(st, change)) == ST_OK)
		a->change = change;
	return ST_OK;
}

static const char *
why_unknown(const struct register_ *reg, const struct operator *o,
    int need_manager, int64_t now)
{
	if (o == NULL)
		return "unknown-id";
	if (!register_row_usable(reg, o, now))
		return "register-row-damaged";
	if (operator_revoked(o))
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
change_late(struct store *st, struct attempt *a)
{
	const struct gate_change *change = a->change;
	struct register_ reg;
	struct operator	*o;
	const char	*why;
	int64_t		 now;
	int		 r;

	if ((a->result = prepare(st, change)) != ST_OK)
		return ST_OK;		/* admitted: the result is the prepare's */
	/* record() logged "ok": a change not made must say why (R6) */
	if ((r = gate_lock(st, a)) != ST_OK)
		return r;
	if ((r = clock_decision(st, &now)) != ST_OK ||
	    (r = register_load(st, &reg)) != ST_OK) {
		store_unlock(st, STORE_LOCK_REGISTER);
		return r;
	}
	o = register_find(&reg, a->id);
	if ((why = why_unknown(&reg, o, 1, now)) == NULL && o->method != a->method)
		why = "method-changed";
	if (why == NULL && operator_lock_stands(st, o, now))
		why = "locked";
	if (why == NULL)
		a->result = change->change(st, &reg, now, change->arg);
	else {
		r = oplog_log(st, "-", "auth", a->id, "denied",
		    "method=%s reason=%s check=manager", method_name(a->method),
		    why);
		r = r == ST_OK ? ST_NO : ST_FAIL;	/* the caller says so */
	}
	register_end(st, &reg);
	return r;
}

/* The KDF could not run (libgcrypt refused kdf_memory_kib, as under a
 * caller's memory limit): an operational failure, the same for every
 * password and every id, logged and not counted (exit 3), never a wrong
 * password or a damaged credential. */
static int
kdf_failed(struct store *st, const struct attempt *a)
{
	log_error(st, a, "kdf-failed");
	return ST_FAIL;
}

/* The password asked for and checked.  The hash is read before the
 * password is asked for; whatever is reset while the person types or the
 * KDF runs, record() admits only if the file still holds this hash.
 * ST_OK with a->ok or a->reason set; else the status the run stops with. */
static int
check_password(struct store *st, struct attempt *a, int pwfd,
    const char *from, char **pw, char **cred, size_t *n)
{
	char	*prompt;
	int	 r, v;

	if (a->known && cred_read(st, a->id, "phc", cred, n) == ST_FAIL)
		return unreadable(st, a);
	if (a->known && *cred == NULL)
		a->reason = "credential-missing";
	prompt = xasprintf(_("Password for %s: "), a->id);
	r = conv_secret(pwfd, from, prompt, pw);
	free(prompt);
	if (r != ST_OK && r != ST_USAGE)
		return r;
	/* before anything is decided: the same for every password */
	if (cred_room(&a->cost, *cred, st->err) == -1)
		return kdf_failed(st, a);
	/* Argon2 refuses an empty input, and enrolment never stores one
	 * nor one over PW_MAX bytes (ST_USAGE: nothing was kept of it): a
	 * deny, logged and counted, the same for known and unknown ids. */
	if (r == ST_USAGE) {
		if (a->known && *cred != NULL)
			a->reason = "over-long-password";
	} else if (**pw == '\0') {
		if (a->known && *cred != NULL)
			a->reason = "empty-password";
	} else if (*cred == NULL) {
		if (cred_dummy(&a->cost, *pw, strlen(*pw), st->err) == -1)
			return kdf_failed(st, a);
	} else if ((v = cred_check(&a->cost, *cred, *pw, strlen(*pw),
	    st->err)) == 1) {
		a->ok = 1;
		a->pw = *pw;
		a->phc = *cred;
		a->stale = cred_stale(*cred, &st->conf);
	} else if (v == -2)
		return kdf_failed(st, a);
	else
		a->reason = v == 0 ? "wrong-password" : "credential-corrupt";
	a->cred = *cred;
	a->credlen = *n;
	return ST_OK;
}

/* The template read and verified (bio.h): ST_OK with a->ok or a->reason
 * set; ST_FAIL when it cannot be read or the device failed (logged). */
static int
check_template(struct store *st, struct attempt *a, char **cred, size_t *n)
{
	struct bio_opts	 bo = { NULL, NULL };
	int		 r;

	if ((r = cred_read(st, a->id, "tmpl", cred, n)) == ST_FAIL)
		return unreadable(st, a);
	if (r == ST_NO) {
		a->reason = "credential-missing";
		return ST_OK;
	}
	a->cred = *cred;	/* read again for every finger (same_credential) */
	a->credlen = *n;
	if ((r = bio_verify(st, a->id, a->method, &bo, *cred, *n,
	    &a->reason)) == ST_OK)
		a->ok = 1;
	else if (r == ST_FAIL) {
		log_error(st, a, a->reason ? a->reason : "device");
		return ST_FAIL;
	}
	return ST_OK;
}

/* Before anything of an attempt depends on the id: ST_OK when the
 * descriptors its longest path holds at once are free, taken and given
 * back (F_DUPFD_CLOEXEC: those a caller left open below its limit count
 * as taken, as a look at RLIMIT_NOFILE would not), else ST_FAIL after one
 * line, "N free file descriptors needed: ERROR", the same for every id
 * and password.  Nothing logged: the log needs them too.  Without it the
 * first file one descriptor short was a registered id's credential, read
 * before the prompt: its name said, exit 3, and no password asked, where
 * an unknown id was asked and denied (R5.2: an answer that tells the ids
 * apart). */
static int
gate_fds(struct store *st)
{
	return store_fds_free(st, GATE_FDS);
}

/* The KDF work of every password attempt (cred_cost): jukisec.conf's
 * cost raised by every stored hash of the register's password rows,
 * whatever their state, read for every attempt alike, whatever the id
 * (its time tells none).  A hash that cannot be read adds nothing, quietly:
 * its own id's attempt says so (unreadable); nor does one that does not
 * parse (out of jukisec.conf's ranges) or is longer than any hash (read
 * no further: corrupt for its id alone).  One buffer for every row, so
 * that no row's file runs the secure pool out for every id; credentials/
 * opened once, four calls a row (10,000 rows: issue 3's bench); none
 * for the attempt of a person whose method derives no key (m).  The
 * descriptors are two at a time, within gate_fds's. */
static void
kdf_cost(struct store *st, const struct register_ *reg, enum method m,
    struct cred_cost *k)
{
	struct jerr	 e = JERR_INIT, *caller = st->err;
	char		*phc;
	uid_t		 euid = geteuid();
	size_t		 i;
	int		 dfd;

	cred_cost_init(k, &st->conf);
	if (m != METHOD_PASSWORD)	/* a finger or a verifier: no KDF */
		return;
	st->err = &e;
	dfd = cred_phc_dir(st);
	st->err = caller;
	if (dfd == -1)
		return;
	phc = xmalloc_secure(PHC_BUF);
	for (i = 0; i < reg->n; i++)
		if (reg->op[i].method == METHOD_PASSWORD &&
		    cred_phc_at(dfd, euid, reg->op[i].id, phc) == 0)
			cred_cost_add(k, phc);
	close(dfd);
	cred_free(phc, PHC_BUF);
}

static int
authenticate(struct store *st, const char *id, int pwfd, const char *from,
    int need_manager, const char *where, const struct gate_change *change)
{
	struct register_ reg;
	struct operator	*o;
	struct attempt	 a = { .id = id, .method = METHOD_PASSWORD,
			    .need_manager = need_manager,
			    .where = where != NULL ? where : "",
			    .unlogged = operator_id_problem(id) != NULL };
	char		*pw = NULL, *cred = NULL;
	size_t		 n = 0;
	int64_t		 now;
	int		 r, asked = 0;

	if ((r = gate_fds(st)) != ST_OK ||
	    (r = clock_decision(st, &now)) != ST_OK ||
	    (r = register_load(st, &reg)) != ST_OK)
		return r;
	o = a.unlogged ? NULL : register_find(&reg, id);
	a.reason = why_unknown(&reg, o, need_manager, now);
	a.known = a.reason == NULL;
	if (a.known) {
		a.method = o->method;
		a.locked = operator_lock_stands(st, o, now);
	}
	kdf_cost(st, &reg, a.method, &a.cost);
	register_free(&reg);

	r = a.method == METHOD_PASSWORD ?
	    check_password(st, &a, pwfd, from, &pw, &cred, &n) :
	    check_template(st, &a, &cred, &n);
	if (r != ST_OK)
		goto out;
	/* a change waits for the count's lock unless the person is already
	 * denied: a locked manager is not asked for anything more */
	if (change != NULL && a.ok && !a.locked) {
		asked = 1;
		if ((r = prepared(st, &a, change)) != ST_OK)
			goto out;
	}
	r = record(st, &a);
	if (r == ST_OK && a.ok && change != NULL && !asked) {
		a.change = change;
		r = change_late(st, &a);
	}
	if (r == ST_NO)
		conv_error(_("authentication denied"));
	else if (r == ST_LOCKED)
		conv_error(_("%s is locked out: see the Security Manager"), id);
out:
	pw_free(pw);
	cred_free(cred, n);
	/* The one place a result becomes the tool's status.  Fail safe:
	 * anything but a recorded success is a deny.  A lock is exit 4 for
	 * auth-check and PAM only; for a manager's --by it is a deny like any
	 * other (jukisec.h).  An admitted manager's status is the change's. */
	if (r != ST_OK)
		return r == ST_LOCKED && need_manager ? ST_NO : r;
	return a.ok ? a.result : ST_NO;
}

int
gate_settle(struct store *st)
{
	/* no record of its own: none for a register lock not had in time */
	struct attempt	 a = { .id = "", .where = "", .unlogged = 1 };
	struct stat	 sb;
	int		 r;

	/* without a note, no lock waited for: the register alone decides */
	if (fstatat(st->dirfd, PENDING_FILE, &sb, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT)
		return ST_OK;
	if ((r = gate_lock(st, &a)) == ST_OK)
		store_unlock(st, STORE_LOCK_REGISTER);
	return r;
}

int
gate_auth(struct store *st, const char *id, int pwfd, const char *from,
    const char *where)
{
	return authenticate(st, id, pwfd, from, 0, where, NULL);
}

int
manager_change(struct store *st, const char *by, int pwfd,
    const struct gate_change *change)
{
	char buf[PW_SOURCE_MAX];

	if (operator_id_bad("-b", by, st->err))
		return ST_USAGE;
	return authenticate(st, by, pwfd,
	    pw_source(buf, "--by-password-fd", pwfd), 1, NULL, change);
}
