/*
 * oplog_macq.c — checks record MACs on a second core while the verifier
 * parses (issue 2 item 9: "verify on all cores where it pays").
 *
 * Invariants: every record's MAC depends only on its own fields and the
 * previous record's stored MAC, so it can be checked apart from the parse.
 * Jobs are queued in file order, in batches of at most QJOBS records or
 * QBYTES bytes; while the worker checks one batch the verifier fills the
 * other, and neither touches the other's.  Epochs only grow along the
 * queue, so the worker's key, derived forward from K0 in secure memory like
 * the verifier's, never needs to go back.  macq_drain() waits for every
 * queued job and returns the first failure in file order, so the verifier
 * always reports the first bad record, whichever thread found it.  What
 * the verifier writes for every record (the batch it fills, the last seq
 * queued) and what the worker reads for every record (its key, its handle,
 * the failure flag) lie on separate 64-byte cache lines: sharing one made
 * each push invalidate the worker's line (issue 15: -28 % wall time).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "oplog_priv.h"

#define QJOBS	8192
#define QBYTES	(2 * 1024 * 1024)

struct job {
	long long	epoch, seq;
	size_t		line, off, len;
	const char	*file;
	unsigned char	mac[OPLOG_MACLEN];
};

#define LINE	64

struct batch {
	_Alignas(LINE) struct job *job;
	size_t		n, used;
	unsigned char	*buf;
};

struct macq {
	/* the verifier's, written per record */
	struct batch	b[2];
	_Alignas(LINE) int fill;	/* the verifier fills b[fill] */
	long long	pushed, done;	/* seqs: last queued, last of a checked batch */
	/* shared, under mu */
	_Alignas(LINE) pthread_mutex_t mu;
	pthread_cond_t	cv;
	int		busy;		/* b[!fill] is the worker's */
	int		stop;
	pthread_t	th;
	/* the worker's, read per record */
	_Alignas(LINE) struct oplog_mac mac;
	unsigned char	*k;		/* K(kepoch), secure memory */
	long long	kepoch;
	int		failed;
	size_t		fline;
	long long	fseq;
	const char	*ffile;
};

static void
check_batch(struct macq *q, struct batch *b)
{
	unsigned char m[OPLOG_MACLEN];
	size_t i;

	for (i = 0; i < b->n && !q->failed; i++) {
		struct job *j = &b->job[i];

		while (q->kepoch < j->epoch) {
			oplog_evolve(q->k);
			q->kepoch++;
		}
		if (q->mac.epoch != q->kepoch)
			mac_setkey(&q->mac, q->k, q->kepoch);
		mac_bytes(&q->mac, b->buf + j->off, j->len, j->mac, m);
		if (!ct_equal(m, j->mac, OPLOG_MACLEN)) {
			q->failed = 1;
			q->fline = j->line;
			q->fseq = j->seq;
			q->ffile = j->file;
		}
	}
}

static void *
worker(void *arg)
{
	struct macq *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->busy && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->busy)
			break;
		pthread_mutex_unlock(&q->mu);
		check_batch(q, &q->b[!q->fill]);
		pthread_mutex_lock(&q->mu);
		q->busy = 0;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct macq *
macq_start(const unsigned char k0[32], int format)
{
	struct macq *q;
	int i;

	/* on one core a second thread only adds the hand-off to the same work */
	if (par_threads() < 2)
		return NULL;
	/* malloc(3) aligns to 16 bytes only: the lines must be the cache's */
	q = xaligned_alloc(LINE, sizeof(*q));
	memset(q, 0, sizeof(*q));
	q->pushed = q->done = -1;
	for (i = 0; i < 2; i++) {
		q->b[i].job = xcalloc(QJOBS, sizeof(struct job));
		q->b[i].buf = xmalloc(QBYTES);
	}
	q->k = xmalloc_secure(32);
	memcpy(q->k, k0, 32);
	mac_open_verify(&q->mac);
	mac_format(&q->mac, format);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->th, NULL, worker, q) != 0) {
		q->stop = 1;
		macq_stop(q);
		return NULL;
	}
	return q;
}

/* Hands b[fill] to the worker once it is free. */
static void
hand_over(struct macq *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->busy)
		pthread_cond_wait(&q->cv, &q->mu);
	if (!q->failed && q->b[!q->fill].n > 0)
		q->done = q->b[!q->fill].job[q->b[!q->fill].n - 1].seq;
	q->fill = !q->fill;
	q->busy = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	q->b[q->fill].n = q->b[q->fill].used = 0;
}

void
macq_push(struct macq *q, const unsigned char prev[OPLOG_MACLEN],
    const struct oplog_record *r, const char *file)
{
	struct batch *b = &q->b[q->fill];
	struct job *j;
	size_t need = OPLOG_MACLEN + 4 * OF_MAC, i;

	for (i = 0; i < OF_MAC; i++)
		need += r->len[i];
	if (b->n == QJOBS || b->used + need > QBYTES) {
		hand_over(q);
		b = &q->b[q->fill];
	}
	j = &b->job[b->n++];
	j->epoch = r->epoch;
	j->seq = q->pushed = r->seq;
	j->line = r->line;
	j->file = file;
	j->off = b->used;
	j->len = mac_canon(b->buf + b->used, prev, (const char *const *)r->field, r->len);
	b->used += j->len;
	memcpy(j->mac, r->mac, OPLOG_MACLEN);
}

int
macq_drain(struct macq *q, size_t *line, long long *seq, const char **file)
{
	if (q->b[q->fill].n > 0)
		hand_over(q);
	pthread_mutex_lock(&q->mu);
	while (q->busy)
		pthread_cond_wait(&q->cv, &q->mu);
	pthread_mutex_unlock(&q->mu);
	if (!q->failed) {
		q->done = q->pushed;
		return 0;
	}
	*line = q->fline;
	*seq = q->fseq;
	*file = q->ffile;
	return 1;
}

long long
macq_done(const struct macq *q)
{
	return q->done;
}

void
macq_stop(struct macq *q)
{
	int i;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	while (q->busy)
		pthread_cond_wait(&q->cv, &q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	if (q->th)
		pthread_join(q->th, NULL);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	mac_close(&q->mac);
	wipe(q->k, 32);
	gcry_free(q->k);
	for (i = 0; i < 2; i++) {
		free(q->b[i].job);
		free(q->b[i].buf);
	}
	free(q);
}
