/*
 * prune_kept.h — the bytes log-prune copies: a range of the log to the
 * archive or the new log, and the kept records copied by a thread while
 * the scan of the removed ones runs (prune_kept.c).
 */
#ifndef PRUNE_KEPT_H
#define PRUNE_KEPT_H

#include <pthread.h>
#include <stdint.h>

/* Chunks of one copy in the disk queue before the oldest is waited for:
 * with one, each copy stalled on its chunk before last and the disk ran
 * dry between them (bench 40: 1.31x cp + sync; with eight, 1.21x). */
#define PRUNE_COPY_DEPTH	8

/* The chunks of out whose writeback a copy has started, so that copies
 * to the same file one after another (the archive's, made as the scan
 * goes) keep one bound on the disk queue: zero it before the first. */
struct prune_queue {
	long long	at[PRUNE_COPY_DEPTH + 1];	/* chunk starts, oldest first */
	size_t		n;				/* at[n]: where the next begins */
	int		used;
};

/* Copies [off, end) of in to out's current offset, starting the
 * writeback of each chunk and waiting for the one PRUNE_COPY_DEPTH back
 * (q: the queue of earlier copies to out, or NULL): 0, or -1 with errno. */
int	prune_copy_range(int in, long long off, long long end, int out,
	    struct prune_queue *q);

/* The offset of the first record of the log fd (header row first, end the
 * size its head commits) whose time is not before cutoff, by a binary
 * search that believes times never decrease: a guess for prune_kept_start;
 * -1 when there is none to make (every record old, or a line that does
 * not parse where the search looked). */
long long prune_guess(int fd, long long end, int64_t cutoff);

struct prune_kept {
	pthread_t	th;
	int		in, out;
	long long	from, end;
	int		err;		/* errno of the copy, 0 */
};

/* prune_copy_range(in, from, end, out, NULL) in a thread of its own: 0, or -1
 * with errno when none starts.  Nothing else may touch out until
 * prune_kept_join, whose result is the copy's: 0, or -1 with errno.
 * Syncing out is the caller's: one flush after every copy costs the disk
 * less than one after each. */
int	prune_kept_start(struct prune_kept *, int in, long long from, long long end, int out);
int	prune_kept_join(struct prune_kept *);

/* The page cache of [0, end) of fd, the log a prune reads, but for its
 * last pages, dropped (posix_fadvise DONTNEED) by a thread of its own while
 * the caller waits for an fsync; prune_drop_join waits for it.  Nothing
 * is said of a failure: the pages are freed when the file goes anyway. */
struct prune_drop {
	pthread_t	th;
	int		fd, started;
	long long	end;
};
void	prune_drop_start(struct prune_drop *, int fd, long long end);
void	prune_drop_join(struct prune_drop *);

#endif
