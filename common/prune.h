/*
 * prune.h — removing operation-log records older than the retention
 * period (R6), leaving a checkpoint record so the log still verifies
 * (jukisec-log(5), "Pruning"; log-prune(1)).
 */
#ifndef PRUNE_H
#define PRUNE_H

#include <stdint.h>
#include <stdio.h>
#include "clock.h"
#include "store.h"

#define PRUNE_MIN_DAYS	CONF_RETAIN_MIN	/* R6: the history is kept one year at least */
/* One log-prune at a time: its lock file, the owner's alone (0600). */
#define PRUNE_LOCK	"prune.lock"

struct prune_opts {
	long long	retain_days;	/* >= PRUNE_MIN_DAYS */
	int64_t		now;		/* ms, the clock: the cutoff and the checkpoint's time */
	const char	*archive;	/* NULL, a path, or "-" for stdout */
	int		dry_run;
	int		discard;	/* the cutoff moved back past silences */
};

struct prune_result {
	int64_t		cutoff;		/* records older than this go */
	long long	removed;	/* records removed by this run */
	long long	deferred;	/* old enough, but fewer bytes than the
					 * checkpoint: left for a later run */
	int64_t		first_time;	/* time of the log's first record */
	long long	first_removed, last_removed;	/* seq range, if removed */
	long long	archived;	/* records written to the archive */
	long long	kept;		/* records left before the checkpoint */
	int64_t		oldest_kept;	/* time of the first kept record, -1 if none */
	int64_t		silent;		/* ms the cutoff moved back (discard) */
};

/* The cutoff for a retention of days at now: now - days*86400 s, moved
 * back to the same time one calendar year before now when that is earlier
 * (365 days are one day short of a year across 29 February; R6). */
int64_t	prune_cutoff(int64_t now, long long days);

/* A clock more than this many days past the end of the key epoch the log
 * has reached is doubted: log-prune refuses (jukisec-log(5), "Pruning").
 * The gate's bound too (clock.h). */
#define PRUNE_CLOCK_DAYS	CLOCK_DOUBT_DAYS

/*
 * For writers finding DIR/oplog.csv shorter than its open head hd: a prune
 * killed between renaming the new log into place and committing its head
 * left it so when the log ends with a checkpoint chained to hd's record
 * whose MAC verifies under k, the key of hd's kepoch.  ST_OK and *hd
 * describing the new log (closed, for the caller to commit); ST_NO for any
 * other log; ST_FAIL on I/O errors.  Under STORE_LOCK_LOG.
 */
struct oplog_head;
int	prune_recover(struct store *, struct oplog_head *hd, const unsigned char k[32],
	    long long kepoch);

/* Prunes the log of st.  ST_OK (also when nothing is old enough: a real
 * run then appends a log-prune record with removed=0), or ST_FAIL after
 * one message; on failure the log is untouched, and so is an archive file
 * that was there (one the run made is removed), unless the failure came
 * after the log was replaced: the archive then keeps what it got. */
int	prune_run(struct store *, const struct prune_opts *, struct prune_result *);

#endif
