/*
 * confirm.h — the committee's confirmations of what the software cannot
 * check itself: the server room's rules (R7), the staff's duties (R10), the
 * clauses of contracts (R11); items and intervals in jukisec.conf (muni.h),
 * each confirmation a row of confirmations.csv recorded by
 * jukisec-audit --confirm and shown by the compliance report (R12(2)).
 *
 * Why a file of its own, not only the operation log: a confirmation stays
 * valid for its item's interval (up to 120 months), longer than the log may
 * keep its record (retain_days, pruned from 365 days on), and the
 * committee's record of who confirmed what must outlive the pruning.  Every
 * confirmation is also logged (action "confirm"), so within the retention
 * period the tamper-evident log corroborates the file.
 *
 * Invariants: rows are only ever added (csvfile.h), under
 * STORE_LOCK_REGISTER held by the gate that verified the manager, each
 * with its record whole through confirmations.pending (pending.h); the file
 * is read strictly (header, item ids, times with their time of day,
 * manager ids, notes by --note's free-text rule: only what --confirm
 * writes), a bad row is an error naming file, line and field.
 */
#ifndef CONFIRM_H
#define CONFIRM_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

#define CONFIRM_NOTE_MAX	1024
#define CONFIRM_FILE		"confirmations.csv"
/* A row between confirmations.csv and its log record (pending.h). */
#define CONFIRM_PENDING_FILE	"confirmations.pending"

struct confirmation {
	char	*item, *by, *note;
	int64_t	 at;
};

struct confirmations {
	struct confirmation *c;
	size_t	 n;
};

/* Reads confirmations.csv (missing: none).  ST_OK, or ST_FAIL naming file,
 * line and field: on stderr, or in *e with _err (jukisec-audit). */
int	confirmations_load(struct store *, struct confirmations *);
int	confirmations_load_err(struct store *, struct confirmations *,
	    struct jerr *e);
void	confirmations_free(struct confirmations *);
/* The latest confirmation of item made at or before until, or NULL. */
const struct confirmation *confirmation_last(const struct confirmations *,
	    const char *item, int64_t until);

/* For the audit, which settles nothing: what confirmations.pending says
 * of all, confirmations.csv as loaded under the register lock, by the
 * file's hash (pending_look).  CONFIRM_HELD: the file is the one after,
 * so its last row, the note's item, may lack its log record;
 * CONFIRM_NOT_MADE: the one before, so the note's confirmation, of the
 * item in item (size bytes), was not made; CONFIRM_BAD: the words a
 * writer would refuse the note with, in *e (a note that does not read, a
 * file that is neither, a last row not the note's). */
enum confirm_note { CONFIRM_NO_NOTE, CONFIRM_HELD, CONFIRM_NOT_MADE,
	CONFIRM_BAD };
enum confirm_note confirm_note(struct store *, const struct confirmations *,
	    char *item, size_t size, struct jerr *e);

/* jukisec-audit --confirm ITEM --by ID: item must be one of jukisec.conf's;
 * the manager is verified as every --by is (gate.c manager_change: the
 * attempt counted and logged), and under the lock that counted it the row
 * is appended and logged.  ST_OK, ST_NO (denied or locked), ST_USAGE,
 * ST_FAIL, after a message. */
int	confirm_record(struct store *, const char *item, const char *by,
	    int pwfd, const char *note);

/* jukisec-audit's confirm mode: opens the state and records.  The status
 * of the tool: ST_OK, ST_NO, ST_USAGE or ST_FAIL. */
int	confirm_main(const char *dir, const char *terminal, const char *item,
	    const char *by, int pwfd, const char *note);

#endif
