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

/*
 * log-append's check, in two steps so that the register is read in the
 * time the disk takes the records (oplog_while_syncing).  standing_read
 * reads it and says nothing: only a register of at most
 * STANDING_PEEK_MAX bytes (about what a record's write hides; a larger
 * one would hold the log lock longer than before), and only when it has
 * nothing to say.  standing_say, once the records are durable and the
 * log unlocked: one line on stderr for each distinct operator of the n
 * names (where[i] "<stdin>:LINE" or NULL) who is not an active, unlocked
 * registered person at now, the time they were recorded at
 * (oplog_commit_time), reading the register first (with its words, damage
 * and failures) if standing_read did not keep it, or s is zeroed.  The
 * register is read without a lock (it is replaced atomically); never
 * fails the append: a register that cannot be read is one line more.
 * who and n the same in both; s is freed (standing_free).
 */
#define STANDING_PEEK_MAX	(16 * 1024)
struct standing {
	struct register_ reg;
	size_t		*first;		/* needed()'s indexes into who */
	size_t		 m;		/* their number */
	int		 read;		/* reg holds their rows */
};
void	standing_read(struct standing *, struct store *, const char *const *who,
	    size_t n);
void	standing_say(struct standing *, struct store *, int64_t now,
	    const char *const *who, const char *const *where, size_t n);
/* What standing_read kept, when nothing is to be said (the append failed). */
void	standing_free(struct standing *);

#endif
