/*
 * oplog.h — the tamper-evident operation log (R6; jukisec-log(5)).
 *
 * This is the append path every tool uses.  Invariants (details in
 * jukisec-log(5) and oplog.c):
 *  - Appends happen under STORE_LOCK_LOG; a batch is written with one
 *    write(2) (1 MiB pieces for a huge one) to oplog.csv opened O_APPEND,
 *    made durable with one fdatasync(2), then committed by a head written
 *    in place, all before the call returns ST_OK: whole or not at all,
 *    even across a crash.  One record costs that one fdatasync; a batch
 *    of several is framed by synced heads (jukisec-log(5) "Writing").
 *  - Sequence numbers are gap-free; record times never decrease (a clock
 *    stepped back is clamped to the previous record's time).
 *  - Before appending, the writer repairs a torn tail left by a killed
 *    writer and logs the repair, and writes the seal records of every epoch
 *    that passed since the last record, evolving the key one-way past each.
 *  - The caller's terminal is st->terminal.
 */
#ifndef OPLOG_H
#define OPLOG_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

/* Field limits in bytes (documented in jukisec-log(5)); longer is ST_USAGE. */
#define OPLOG_ID_MAX	64	/* operator, terminal */
#define OPLOG_WORD_MAX	64	/* action, result */
#define OPLOG_OBJECT_MAX 256
#define OPLOG_DETAIL_MAX 2048

/* The cores this process may run on (taskset(1), cgroup cpusets), at
 * least 1: whether a second thread can help. */
int	oplog_cores(void);

struct oplog_rec {
	const char	*operator;	/* who; "-" when nobody is authenticated */
	const char	*action;	/* auth, operator-add, log-prune, incident, ... */
	const char	*object;	/* what it was done to; may be "" */
	const char	*result;	/* ok, denied, error, ...; may be "" */
	const char	*detail;	/* free text, one line; may be "" */
};

/* 1 when operator and action name one of the log's own records (operator
 * "-" with genesis, seal, repair, log-prune or recover), which only the
 * log writes and readers recognise by these two fields alone. */
int	oplog_reserved(const char *operator, const char *action);

/* Checks one record's fields against the limits and csv_field_problem();
 * NULL if fine, else a message naming the field (static buffer). */
const char *oplog_rec_problem(const struct oplog_rec *);
/* The limits of operator, action, object, result and detail, in that
 * order: a csvio reader given them (csvr_limits) has made every check of
 * oplog_rec_problem() but these, which are left: operator and action not
 * empty, not one of the log's own records. */
extern const size_t oplog_rec_max[5];
const char *oplog_rec_required(const struct oplog_rec *);

/* Appends n records (n >= 1).  Takes STORE_LOCK_LOG itself unless the
 * caller already holds it.  ST_OK when durable; ST_USAGE for a bad field
 * (nothing written); ST_FAIL for I/O, lock timeout or corrupt state. */
int	oplog_append(struct store *, const struct oplog_rec *, size_t n);
/* The same, and on ST_OK *last the time of the log's last record once
 * they are durable: the time they were recorded at (clamped as every
 * record's), which a decision about them is made at (log-append's R5.4
 * check), with no second look at the clock or the log. */
int	oplog_append_time(struct store *, const struct oplog_rec *, size_t n,
	    int64_t *last);

/* One record, detail printf-formatted. */
int	oplog_log(struct store *, const char *operator, const char *action,
	    const char *object, const char *result, const char *detailfmt, ...)
	    __attribute__((format(printf, 6, 7)));

/* The special record of operator-mod --recover (jukisec-log(5)): operator
 * "-", action "recover"; the rest as oplog_log. */
int	oplog_log_recover(struct store *, const char *object, const char *result,
	    const char *detailfmt, ...) __attribute__((format(printf, 4, 5)));

/* The seq of the record the log's head names, or -1 when the head cannot
 * be read (no lock needed: a reader's look). */
long long oplog_head_seq(struct store *);
/* 1 when a record after seq has rec's operator, action, object and result
 * and a detail that begins with rec's; 0 when none has; -1 after a
 * message.  Walks back from the end over the records after seq only, and
 * when the head is open from the head's size: records after an open head
 * are an unfinished batch, which the next writer cuts. */
int	oplog_logged_since(struct store *, long long seq, const struct oplog_rec *);

/* The special record of a log-prune that removed nothing (jukisec-log(5)):
 * operator "-", action log-prune, object oplog.csv, result ok, at now
 * (clamped as every record's time), after the seals of ended epochs. */
int	oplog_log_pruned(struct store *, int64_t now, const char *detailfmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Seals every epoch that has ended and evolves the key (cron: log-append --seal). */
int	oplog_seal(struct store *);

/* The same at a given time (--now; tests).  Times before the last record's
 * are clamped as the clock is.  A seal that moves the key first shows room
 * for its records and the key file: on ST_FAIL for want of it (ENOSPC in
 * st->err's errnum) nothing is written. */
int	oplog_append_at(struct store *, const struct oplog_rec *, size_t n, int64_t now);
int	oplog_seal_at(struct store *, int64_t now);

/* Under STORE_LOCK_LOG or not: the head checked and a crash's remnants
 * completed as oplog_seal_at() would; a log in order is left as it is. */
int	oplog_settle_at(struct store *, int64_t now);
/* oplog.csv and oplog.head, which a record is written to, opened for
 * writing as a writer opens them, and closed: -1 with errno and *name
 * the file when one cannot be written (a read-only mount of its own,
 * EACCES, an immutable or append-only file's EPERM, EIO), else 0, a file
 * every writer refuses (a link, not a regular file, not ours or open to
 * others, missing) included: oplog_settle_at names it so. */
int	oplog_writable(struct store *, const char **name);
/* STORE_LOCK_LOG taken for a writer, as oplog_begin takes it: ST_OK, or
 * ST_FAIL said to st->err.  Once the log was found unusable in this run
 * (st->log_refused) it fails at once, quietly; a lock that cannot be had
 * (its file refused, an I/O error, lock_timeout_ms run out) makes it so:
 * said once, waited for once. */
int	oplog_lock(struct store *);
/* 0 when oplog.csv may grow by a record (OPLOG_LINE_MAX) under the
 * caller's file size limit, else -1 with errno EFBIG (store_fits). */
int	oplog_fits(struct store *);

/* A batch too large to hold in memory (log-append --stdin): records are
 * written as they are added (past the head, framed by an open head) and
 * committed together by the head; on abort or a crash nothing of the batch
 * remains.  Takes STORE_LOCK_LOG at begin unless held.  add_checked takes
 * a record that oplog_rec_problem() passed: each is checked once. */
struct oplog_batch;
int	oplog_begin(struct store *, int64_t now, struct oplog_batch **);
int	oplog_add_checked(struct oplog_batch *, const struct oplog_rec *);
int	oplog_commit(struct oplog_batch *);
/* The same, and on ST_OK *last as oplog_append_time's. */
int	oplog_commit_time(struct oplog_batch *, int64_t *last);
void	oplog_abort(struct oplog_batch *);
/* fn(arg) called once by the commit, in the time the disk takes the
 * batch's records: written and their writeback started, not yet durable
 * (log-append reads the register for its R5.4 check then).  Not called
 * when the commit writes no record or fails first.  It runs under the log
 * lock: nothing that may block (a message on stderr) and nothing that
 * depends on the commit. */
void	oplog_while_syncing(struct oplog_batch *, void (*fn)(void *), void *arg);

/* jukisec-init: creates oplog.csv with the genesis record, oplog.head
 * and oplog.key's first key under its temporary name (none may exist);
 * writes the verification key line (jukisec-log(5)) to vkey, which must
 * hold OPLOG_VKEY_BUFSZ bytes.  The log is of use only once
 * oplog_create_done puts oplog.key in place: every writer needs it, and
 * jukisec-init calls it only once the verification key is printed, so
 * that no kill leaves a log that writers take and nobody can verify. */
#define OPLOG_VKEY_BUFSZ 160
int	oplog_create(struct store *, int64_t now, long long epoch_seconds, int format,
	    char *vkey);
int	oplog_create_done(struct store *);
/* The temporary name of oplog.key: what oplog_create leaves for
 * oplog_create_done, a secret (destroy_file) until then. */
#define OPLOG_KEYTMP	".tmp-oplog.key"

#endif
