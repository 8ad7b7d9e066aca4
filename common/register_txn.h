/*
 * register_txn.h — a change of operators.csv and the log record that says
 * so, whole: the bracket every writer of the register goes through.
 */
#ifndef REGISTER_TXN_H
#define REGISTER_TXN_H

#include "oplog.h"
#include "register.h"

/* The file that holds a change between the register's rename and its log
 * record (jukisec-log(5), "Register changes"). */
#define PENDING_FILE	"operators.pending"
/* The first words of its note (pending.h) */
#define PENDING_MAGIC	"jukisec-register-pending v1"
/* The file a denial with nothing to count writes instead (gate.c), read
 * by no tool. */
#define PAD_FILE	"operators.pad"

/* Before a writer writes anything whose record must follow (the gate's
 * count, a settlement): DIR/oplog.csv and oplog.head shown to open for
 * writing (oplog_writable); then, under STORE_LOCK_LOG, the log brought
 * to where that record alone is left to write at now, as `log-append
 * --seal` brings it (what a crash left completed, the seals of every
 * ended epoch written, the key file moved past them); then room shown
 * for a rewrite of DIR/name and extra bytes (store_room), and for a log
 * line under the caller's file size limit (oplog_fits).  ST_OK with the
 * log lock held.  Else ST_FAIL, the log lock not held and the log taking
 * no more records in this run (st->log_refused): *err the errno of a disk
 * that cannot record (store_unwritable; a file that does not open for
 * writing, whatever its errno), nothing said, for the caller to say in
 * its words; or -1 when the log refused in its own words, said. */
int	register_log_ready(struct store *, int64_t now, const char *name,
	    off_t extra, int *err);
/* Before the gate counts an attempt, whatever the attempt turns out to
 * be, and before a change that no gate's checks preceded writes anything
 * (the bootstrap, operator-mod --recover): 0 when the directory lets a
 * name be replaced (neither immutable nor append-only) and
 * DIR/operators.csv and DIR/operators.pad, where a count, a change and
 * a pad are renamed (atomic_commit), are files a rename may replace
 * (missing, or not immutable, append-only, a mount point or a directory).
 * Else -1 with errno and *name the file (NULL: the directory), for the
 * line of a disk that cannot record (register_unrecorded_at): a count
 * refused where a pad is not, or the other way round, would tell a
 * registered id, or a right password, by how the attempt ends; a change
 * refused at its rename left its credential and its note behind.  Both
 * names for every caller: one check, the same answer for each.  A note
 * a kill left is not its: its settlement fails at the rename it needs,
 * the note kept for the next writer. */
int	register_replaceable(struct store *, const char **name);
/* Where the caller's line of a disk that cannot record puts it: DIR, or
 * DIR/FILE for the log file that register_log_ready found not to open
 * for writing, or the file register_replaceable named (st->unwritable). */
const char *register_unrecorded_at(struct store *);
/* register_log_ready at the decision time (clock_decision), for a change
 * that no gate's checks preceded, under the register lock: a settlement,
 * operator-mod --recover's own change.  The same answers; a time that
 * cannot be decided is ST_FAIL with *err -1, said. */
int	register_change_ready(struct store *, const char *name, off_t extra,
	    int *err);

/* STORE_LOCK_REGISTER taken, then a change that a crash left between its
 * register and its log record settled (register_settle), but only once
 * the log is shown to take its record (register_log_ready, room for the
 * note's register and a record), under the log's lock: a log that
 * cannot leaves the register and the note as they are.  ST_OK with the
 * lock held; otherwise unlocked, after a message: for a disk that cannot
 * record the settlement (the log shown unready, or the settlement failing
 * so), "DIR: the pending register change cannot be recorded (ERROR): not
 * settled". */
int	register_lock(struct store *);
/* register_lock for a caller that says a disk that cannot record in its
 * own words (the gate): then ST_FAIL with *err that errno, nothing said;
 * else *err 0 (ST_OK, or a failure said). */
int	register_lock_err(struct store *, int *err);

/* Under the lock: when operators.pending is there, the change it names is
 * settled: operators.csv is the one after it, so the change was made, and
 * its record is logged unless the log already has it; or the one before
 * it, so the change was not made, and "register-reconcile ID withdrawn"
 * says so.  Then the file is removed.  ST_OK, or ST_FAIL after a message
 * (a register that is neither: someone replaced it; the file is kept). */
int	register_settle(struct store *);
/* For a reader, which settles nothing (the audit): 1 when operators.pending
 * reads and names a change of the register as it is, before or after
 * (after: a change made, its record maybe not logged, its object copied
 * to object, size bytes; before: object untouched); 0 no note; -1 after
 * the message the writers would refuse the note with to *e (one that
 * does not read, empty too; a register that is neither). */
int	register_note(struct store *, struct jerr *e, char *object,
	    size_t size);

/*
 * register_begin: register_lock, the register loaded and reconciled with
 * the credentials directory (orphans destroyed and logged as `who`).  The
 * caller changes rows and credential files (credential first, row after;
 * on revoke the row first), then register_commit_logged: operators.pending
 * (the record to log and the register's hashes before and after) written
 * and synced, operators.csv replaced; the caller logs the record (with
 * oplog_log, as it would anyway: its detail may say more after rec's) and
 * then calls register_logged, which removes operators.pending.  A crash
 * anywhere leaves the old register and no record, or the new register and
 * a pending file that the next register_lock settles.  register_end frees
 * and unlocks in every case.
 */
int	register_begin(struct store *, struct register_ *, const char *who);
/* register_begin without the reconcile, for a change that logs its own
 * record when the reconcile refuses it (register_end in every case). */
int	register_open(struct store *, struct register_ *);
int	register_commit_logged(struct store *, const struct register_ *,
	    const struct oplog_rec *rec);
/* register_commit_logged in two steps around a credential that replaces
 * credentials/ID.EXT (ID: rec's object): _begin writes the new register to
 * a temporary file and operators.pending, naming the credential's hash and
 * holding the new register; the caller writes the credential; _commit
 * replaces operators.csv (or _abort removes both when the credential could
 * not be written).  A crash after the credential and before the register
 * leaves a change the next register_lock completes (the credential is in
 * force: the register after it is put in place, and the record logged). */
struct register_txn {
	struct atomic_file af;
};
int	register_change_begin(struct store *, const struct register_ *,
	    const struct oplog_rec *rec, const char *ext, const void *cred,
	    size_t credlen, struct register_txn *);
int	register_change_commit(struct store *, struct register_txn *);
/* register_change_begin, cred_write of credentials/ID.EXT (ID: rec's
 * object), register_change_commit; or _abort when the credential could not
 * be written.  The file replaced is kept as ID.EXT.old (cred_keep): the
 * caller destroys it once ST_OK (cred_destroy_old), before its record. */
int	register_commit_cred(struct store *, const struct register_ *,
	    const struct oplog_rec *rec, const char *ext, const void *cred,
	    size_t credlen);
void	register_change_abort(struct store *, struct register_txn *);
/* The gate's count of an attempt (gate.c), its record rec: as
 * register_commit_logged, but the note holds the register after too, and
 * the next register_lock completes it however the register is: in force
 * and its record logged (marked PENDING_SETTLED) once the note is there.
 * The register's sha256 is then the one after, for a change made next.
 * The gate calls register_logged after the record, and after a count it
 * saved back when the record failed. */
int	register_commit_count(struct store *, struct register_ *,
	    const struct oplog_rec *rec);
/* A denial with no row to count (an unknown, revoked or expired id, a
 * row that admits nobody, no manager for --by): the disk work of
 * register_commit_count for reg unchanged, that its time tell nothing
 * (auth-check(1), pam_jukisec(8)).  The same writes of the same sizes
 * (rec's fields as '-', so that the file holds no id), syncs and renames
 * in the same order, onto PAD_FILE, which no tool reads and
 * register_lock removes: operators.csv, operators.pending and the log
 * are left as they are.  The gate calls register_padded where a count
 * calls register_logged, which removes PAD_FILE the same way. */
int	register_pad_count(struct store *, const struct register_ *,
	    const struct oplog_rec *rec);
int	register_padded(struct store *);
int	register_logged(struct store *);
/*
 * The end of a register change (operator-add, -mod, -revoke, --recover):
 * rec logged (own: --recover's special record), then, the change made
 * (done), the note removed (register_logged).  st->err was &said from the
 * commit on, and is caller again after.  A change made whose run still
 * fails (the directory's sync after operators.csv was replaced, an old
 * credential, the record, the note) says so in one line, after said's
 * first error: who writes its record when this run could not, and not
 * to make it again (incident-report's rule).  Else said is passed on.
 * Returns r, or ST_FAIL when the record or the note failed.
 */
int	register_change_log(struct store *, struct jerr *caller,
	    struct jerr *said, int r, int done,
	    const struct oplog_rec *rec, int own);
void	register_end(struct store *, struct register_ *);

#endif
