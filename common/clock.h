/*
 * clock.h — where "now" comes from.
 *
 * Tools that admit people or change state take it from the clock alone:
 * they have no --now, and refuse one (clock_refused).  Their decisions use
 * clock_decision(): the clock, but never earlier than the operation log's
 * last record, so a clock set back (a dead RTC battery boots at 1970) can
 * neither lift a lock nor re-admit an expired or revoked person.  The
 * read-only tools (log-verify, jukisec-audit, operator-list,
 * incident-report show/list) may be asked "as of" another time with
 * --now TIME, parsed here with one wording.
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

/* --now TIME of a read-only tool.  ST_OK, or ST_USAGE after one line. */
int	asof_parse(const char *arg, int64_t *now);

/* --now given to a tool that admits people or changes state: one line
 * saying the clock is not its input; returns ST_USAGE. */
int	clock_refused(void);

#endif
