/*
 * standing.h — R5.4 in the operation log: was the operator named in a
 * record a person who could operate the terminal at that time?  log-append
 * says so on stderr (the record is kept: evidence is never refused), and
 * jukisec-audit checks the whole log (audit_r54.c).
 */
#ifndef STANDING_H
#define STANDING_H

#include <stddef.h>
#include <stdint.h>
#include "register.h"

/* What the register says of who at time t: NULL when who is "-" or a
 * system actor (conf system_actors) or a registered person not revoked
 * and not expired then; else "unknown" (no row, or registered after t),
 * "revoked" or "expired".  Locks are the caller's: the register knows
 * only the present one. */
const char *standing(struct register_ *, const struct conf *, const char *who,
	    int64_t t);
/* The same for a person already looked up: o the register's row, or NULL
 * (none). */
const char *standing_of(const struct operator *o, int64_t t);
/* The times at which standing_of(o, t) is NULL: *from <= t < *until
 * (none when *until <= *from, as for NULL), for every t before
 * INT64_MAX, which no record has. */
void	standing_span(const struct operator *o, int64_t *from, int64_t *until);

/* log-append, once the records are durable: one line on stderr for each
 * distinct operator of the n names (where[i] "<stdin>:LINE" or NULL) who is
 * not an active, unlocked registered person at now, the time they were
 * recorded at (oplog_append_time).  Reads the register without a lock (it is
 * replaced atomically); never fails the append: a register that cannot
 * be read is one line more. */
void	standing_warn(struct store *, int64_t now, const char *const *who,
	    const char *const *where, size_t n);

#endif
