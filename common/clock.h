/*
 * clock.h — where "now" comes from.
 *
 * Tools that admit people or change state take it from the clock alone:
 * they have no --now, and refuse one (tool.h, tool_now_refused).  Their
 * decisions use clock_decision(): the clock, but never earlier than the
 * operation log's last record, so a clock set back (a dead RTC battery
 * boots at 1970) can neither lift a lock nor re-admit an expired or
 * revoked person.  The
 * read-only tools (log-verify, jukisec-audit, operator-list,
 * incident-report show/list) may be asked "as of" another time with
 * --now TIME, parsed by tool.c with one wording.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>
#include "store.h"

/* The time a decision about a person or a change is made at: the clock,
 * raised to the time of the last record of DIR/oplog.csv.  ST_OK, or
 * ST_FAIL after a message (the log cannot be read: nothing could be
 * logged either). */
int	clock_decision(struct store *, int64_t *now);

/* The last record's time of DIR/oplog.csv (its last complete line).
 * ST_OK, or ST_FAIL after a message. */
int	clock_log_last(struct store *, int64_t *t);

/* A clock more than this many days past what the log shows is doubted:
 * log-prune refuses, the gate lifts no automatic lock (jukisec-log(5),
 * "Pruning"; auth-check(1)).  The hourly seal keeps a healthy log within
 * an epoch of the clock. */
#define CLOCK_DOUBT_DAYS	7

/* Called by clock_silences for a stretch from start to end; nonzero
 * stops the walk. */
typedef int clock_silence_fn(void *arg, int64_t start, int64_t end);

/* Each stretch of more than CLOCK_DOUBT_DAYS between two records of the
 * log of fd, up to size, that are not seals (seals between them or
 * none), and from the last such record to now, oldest first: fn(arg,
 * start, end).  A machine that was off, or a writer under a clock moved
 * ahead: its seals, dated at the end of each epoch it sealed at once,
 * fill the jump with times no clock read, so they do not count.  ST_OK,
 * ST_NO when fn stopped it, ST_FAIL after a message naming the line.
 * fd's offset is left alone. */
int	clock_silences(struct store *, int fd, long long size, int64_t now,
	    clock_silence_fn *fn, void *arg);

/* Whether the log corroborates the clock from time from up to now (the
 * decision's time): ST_OK when it does; ST_NO when the records that are
 * not seals, from from on and then now, have a stretch of more than
 * CLOCK_DOUBT_DAYS between two of them (clock_silences), *late and *seen
 * set to its ends; ST_FAIL after a message (the log or its head cannot be
 * read).  cron's hourly seal is no record here; the nightly log-prune's
 * is, and so is every login.  Reads without a lock, up to what the head
 * commits. */
int	clock_corroborated(struct store *, int64_t from, int64_t now,
	    int64_t *late, int64_t *seen);

#endif
