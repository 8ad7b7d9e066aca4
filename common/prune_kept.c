/*
 * prune_kept.c — the bytes a prune copies (prune_kept.h), and the copy of
 * the records it keeps started before the scan of those it removes has
 * ended: a binary search by time guesses the first kept record, and a
 * thread copies from there to the new log while the scan reads on and
 * the archive is written, so that the disk writes while the processor
 * parses, and one copy runs while the other waits for it (prune.c).
 *
 * Invariants:
 *  - The guess decides nothing: the scan still reads and checks every
 *    record it removes, and a copy from a guess the scan does not confirm
 *    is thrown away with its temporary file.
 *  - Copies are in the kernel where it can (copy_file_range(2)); the
 *    writeback of each 4 MiB chunk starts at once, and the chunk
 *    PRUNE_COPY_DEPTH back is waited for: the disk always has work
 *    queued, the final fdatasync is short, and a copy (the archive's
 *    too, made in pieces) never has more than PRUNE_COPY_DEPTH + 1
 *    chunks in the disk queue, which bounds how long a writer's
 *    fdatasync can wait behind them (bench 40 measures it).
 *  - One copy thread at most, writing only the new log, and joined
 *    before anything is synced or committed.  The archive is written
 *    meanwhile, so the two files' writes interleave differently from
 *    run to run (tests/crashpoint.c makes the threads take turns, so
 *    that a crash test's step N is one call).
 *  - The old log's page cache, which the kernel frees when the replaced
 *    file is closed, is freed while the run waits for the disk instead
 *    (prune_drop_start): the same work, done when a processor is idle.
 *    Only clean pages go, and the last DROP_KEEP bytes stay; if the run
 *    fails, the log only has to be read from the disk again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "oplog_verify.h"
#include "oplog_tail.h"
#include "prune_kept.h"

/* Two copies run at once (the archive's, the kept records'): chunks of
 * half the 8 MiB one copy used keep as much in the disk queue as before. */
#define COPY_CHUNK	(4 << 20)
/* The end of the old log a writer reads again under the lock (its last
 * record), left in the page cache by prune_drop_start. */
#define DROP_KEEP	(64 << 10)
/* A window that holds the end of one line and the whole next one. */
#define GUESS_WIN	(2 * (OPLOG_LINE_MAX + 2))

/* No in-kernel copy between these two files: a read and a write. */
static ssize_t
copy_by_hand(int in, loff_t *o, int out, size_t want)
{
	char *buf = xmalloc(1 << 16);
	ssize_t k;

	k = pread(in, buf, want < (1 << 16) ? want : (1 << 16), *o);
	if (k > 0 && write_all(out, buf, (size_t)k) == -1)
		k = -1;
	if (k > 0)
		*o += k;
	free(buf);
	return k;
}

int
prune_copy_range(int in, long long off, long long end, int out,
    struct prune_queue *q)
{
	struct prune_queue own = { .used = 0 };
	loff_t o = off, w, cur;
	size_t want;
	ssize_t k;

	if (q == NULL)
		q = &own;
	if ((cur = lseek(out, 0, SEEK_CUR)) == -1)
		return -1;
	/* A new queue, or one whose file was cut back meanwhile; else the
	 * chunk the copy before left unfinished goes on. */
	if (!q->used || cur < q->at[q->n] || cur - q->at[q->n] > COPY_CHUNK) {
		q->at[0] = cur;
		q->n = 0;
		q->used = 1;
	}
	w = q->at[q->n];
	while (o < end) {
		want = end - o < COPY_CHUNK ? (size_t)(end - o) : COPY_CHUNK;
		k = copy_file_range(in, &o, out, NULL, want, 0);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
		    errno == EOPNOTSUPP))
			k = copy_by_hand(in, &o, out, want);
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		if ((cur = lseek(out, 0, SEEK_CUR)) == -1)
			return -1;
		if (cur - w < COPY_CHUNK) {
			/* The end of this copy: its writeback starts, the
			 * chunk goes on with the next copy to out, if any. */
			if (o == end)
				sync_file_range(out, w, 0, SYNC_FILE_RANGE_WRITE);
			continue;
		}
		sync_file_range(out, w, 0, SYNC_FILE_RANGE_WRITE);
		w = cur;
		if (q->n == PRUNE_COPY_DEPTH) {
			sync_file_range(out, q->at[0], q->at[1] - q->at[0],
			    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			    SYNC_FILE_RANGE_WAIT_AFTER);
			memmove(q->at, q->at + 1, PRUNE_COPY_DEPTH * sizeof(q->at[0]));
		} else
			q->n++;
		q->at[q->n] = w;
	}
	return 0;
}

struct guess {
	int		fd;
	long long	end;		/* of what the head commits */
	char		*win;
};

/*
 * The first line starting at or after x (x >= 1: just after an LF), if it
 * starts before lim: 1, its offset in *s and its time in *t; 0 if none
 * does (*s = lim); -1 when it cannot be read or parsed.
 */
static int
line_from(const struct guess *g, long long x, long long lim, long long *s, int64_t *t)
{
	char *win = g->win;
	long long end = g->end;
	struct tail_key k;
	char *lf, *nl;
	ssize_t n;

	n = pread(g->fd, win, end - (x - 1) < GUESS_WIN ? (size_t)(end - (x - 1)) :
	    GUESS_WIN, x - 1);
	if (n <= 0 || (lf = memchr(win, '\n', (size_t)n)) == NULL)
		return -1;
	*s = x + (lf - win);
	if (*s >= lim) {
		*s = lim;
		return 0;
	}
	if ((nl = memchr(lf + 1, '\n', (size_t)(win + n - lf - 1))) == NULL ||
	    tail_parse_key(lf + 1, (size_t)(nl - lf), &k) != NULL)
		return -1;
	*t = k.time;
	return 1;
}

long long
prune_guess(int fd, long long end, int64_t cutoff)
{
	struct guess g = { fd, end, xmalloc(GUESS_WIN) };
	long long lo, hi = end, mid, s;
	int64_t t;
	int r;

	/* Every line before lo is older than the cutoff, hi is end or a line
	 * not older: if times never decrease, the first kept is in [lo, hi]. */
	if ((r = line_from(&g, 1, end, &lo, &t)) != 1)
		goto none;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((r = line_from(&g, mid > lo ? mid : lo + 1, hi, &s, &t)) == -1)
			goto none;
		if (r == 0) {
			/* No line starts in [mid, hi): look at lo itself. */
			if (line_from(&g, lo, hi, &s, &t) != 1)
				goto none;
			if (t >= cutoff) {
				hi = lo;
				break;
			}
			s = lo;
		} else if (t >= cutoff) {
			hi = s;
			continue;
		}
		if ((r = line_from(&g, s + 1, hi, &lo, &t)) == -1)
			goto none;
	}
	free(g.win);
	/* All old: the newest stays, a case left to the scan. */
	return hi < end ? hi : -1;
none:
	free(g.win);
	return -1;
}

static void *
copier(void *arg)
{
	struct prune_kept *k = arg;

	k->err = prune_copy_range(k->in, k->from, k->end, k->out, NULL) == -1 ? errno : 0;
	return NULL;
}

int
prune_kept_start(struct prune_kept *k, int in, long long from, long long end, int out)
{
	int e;

	k->in = in;
	k->out = out;
	k->from = from;
	k->end = end;
	k->err = 0;
	if ((e = pthread_create(&k->th, NULL, copier, k)) != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

int
prune_kept_join(struct prune_kept *k)
{
	pthread_join(k->th, NULL);
	if (k->err != 0) {
		errno = k->err;
		return -1;
	}
	return 0;
}

static void *
dropper(void *arg)
{
	struct prune_drop *d = arg;

	posix_fadvise(d->fd, 0, d->end, POSIX_FADV_DONTNEED);
	return NULL;
}

void
prune_drop_start(struct prune_drop *d, int fd, long long end)
{
	d->fd = fd;
	d->end = end - DROP_KEEP;
	d->started = d->end > 0 && pthread_create(&d->th, NULL, dropper, d) == 0;
}

void
prune_drop_join(struct prune_drop *d)
{
	if (d->started)
		pthread_join(d->th, NULL);
	d->started = 0;
}
