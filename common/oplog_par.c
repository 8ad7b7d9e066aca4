/*
 * oplog_par.c — the verifier's parallel pass: blocks of the log parsed and
 * their MACs checked on every core the process may run on (issue 15).
 *
 * Invariants: mac(n) depends only on record n and the MAC stored in the
 * line before it, so any run of whole lines verifies on its own but for the
 * rules that carry state from record to record.  The file is cut at fixed
 * offsets into blocks (block_range()); a block holds the lines that begin
 * in it.  A worker checks every record of its block against the one before
 * it in the block (jukisec-log(5) "Verification": sequence, time, fields,
 * epoch, seal with the epoch's count once the epoch began in the block, no
 * second genesis, the MAC), and hands back, in file order, the records it
 * cannot judge
 * alone as "special" (the block's first, whose predecessor is in another
 * block; log-prune records; a seal whose epoch began before the block; any
 * record whose seq the caller watches or its observer wants) and between
 * them the runs of records it has judged, summed up: count, last record,
 * epoch count, where their lines are.  The
 * caller replays the special records through its own sequential rules and
 * steps over the runs, so the seams between blocks are checked by the same
 * code as any record.  A worker that finds anything wrong, or more special
 * records than a block holds, only marks the block failed: the caller then
 * verifies that file again sequentially from its start, with the state
 * the files before it left (never read again: one may be a pipe), which
 * reports the first failure exactly as it always did.  Workers take
 * blocks in increasing order, so each one's key, in secure memory, only
 * evolves forward; at most NSLOT blocks are in flight, so memory stays
 * bounded whatever the size of the log; the caller is woken once for PAR_BATCH blocks.  A sink that
 * says which records it wants (log-show -k with filters) gets, per block,
 * those of the runs as the bytes the worker read and verified, kept in
 * the block's wbuf (oplog_record_line()), so that nothing read again is
 * ever shown as verified; a block keeps a whole block's bytes, so fewer
 * are in flight then (PAR_NSLOT_SINK).  What the workers write per record
 * lies in their own block slots and stacks; the shared state is touched
 * once per block, under mu.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "oplog_priv.h"

#define BLOCK	PAR_BLOCK
#define MAXTHR	8
#define PAR_BATCH	4

struct worker {
	struct par	*p;
	pthread_t	th;
	int		started;
};

struct par {
	const struct par_ctx *ctx;
	int		fd;
	long long	begin, size, nblocks;
	long long	tail, nfull;	/* where the short blocks begin; blocks before */
	int		nthr, nslot;
	struct worker	w[MAXTHR];
	/* shared, under mu */
	pthread_mutex_t	mu;
	pthread_cond_t	cv;		/* workers wait here for a free slot */
	pthread_cond_t	cv_caller;	/* the caller, for blocks bi..upto */
	long long	next;		/* the next block to take */
	long long	stitched;	/* blocks the caller is done with */
	long long	want_from, want_upto;	/* the caller waits: -1 not */
	int		nwait;		/* workers waiting for a slot */
	int		stop;
	struct par_block *slot[PAR_NSLOT];
	int		done[PAR_NSLOT];
};

/* The cores this process may run on (taskset(1), cgroup cpusets). */
static int
usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

int
oplog_cores(void)
{
	int n = usable_cpus();

	return n < 1 ? 1 : n;
}

int
par_threads(void)
{
	int n = usable_cpus();

	return n < 1 ? 1 : n > MAXTHR ? MAXTHR : n;
}

static int
is(const struct oplog_record *r, int f, const char *s)
{
	return r->len[f] == strlen(s) && memcmp(r->field[f], s, r->len[f]) == 0;
}

static int
watched(const struct par_ctx *c, long long seq)
{
	size_t i;

	for (i = 0; i < c->nwatch; i++)
		if (c->watch[i] == seq)
			return 1;
	return 0;
}

/* A seal whose epoch began in the block, n records before it. */
static int
seal_ok(const struct par_ctx *c, const struct oplog_record *r, long long n)
{
	char obj[24], d[40];

	snprintf(obj, sizeof(obj), "%lld", r->epoch);
	snprintf(d, sizeof(d), "records=%lld", n);
	return is(r, OF_OBJECT, obj) && is(r, OF_RESULT, "ok") &&
	    r->time == oplog_epoch_end(c->t0, c->epoch_seconds, r->epoch) &&
	    is(r, OF_DETAIL, d);
}

/* The rules of one record r after p in the same block, but the MAC. */
static int
pair_ok(const struct par_ctx *c, const struct par_last *p, const struct oplog_record *r)
{
	if (r->seq != p->seq + 1 || r->time < p->time)
		return 0;
	if (r->len[OF_TERMINAL] == 0 || r->len[OF_OPERATOR] == 0 || r->len[OF_ACTION] == 0)
		return 0;
	if (!oplog_epoch_is(c->t0, c->epoch_seconds, r->epoch, r->time))
		return 0;
	if (!c->any_time && r->time > c->now + OPLOG_FUTURE_MS)
		return 0;
	if (r->epoch != p->epoch ? !p->seal || r->epoch != p->epoch + 1 : p->seal)
		return 0;
	if (is(r, OF_OPERATOR, "-") && is(r, OF_ACTION, "genesis"))
		return 0;
	return 1;
}

static struct par_item *
item(struct par_block *b)
{
	if (b->nitems == PAR_ITEMS) {
		b->failed = 1;
		return NULL;
	}
	memset(&b->item[b->nitems], 0, sizeof(b->item[0]));
	return &b->item[b->nitems++];
}

/* A record of a run the sink wants, its line as read (put back from the
 * parse's cuts) kept in the block's wbuf, so that the caller hands on the
 * very bytes verified here, never bytes read again.  -1 when the block
 * has no room left (more wanted records than a block keeps: the caller
 * then verifies the log again in one pass). */
static int
want(struct par_block *b, const struct oplog_record *r, long long off, size_t lines)
{
	struct par_want *w;

	if (b->nwant == PAR_WANTS || PAR_WBYTES - b->wused < r->rawlen)
		return -1;
	w = &b->want[b->nwant++];
	w->off = off;
	w->len = r->rawlen;
	w->line = lines;
	w->seq = r->seq;
	w->at = b->wused;
	oplog_record_line(r, b->wbuf + w->at);
	b->wused += w->len;
	return 0;
}

/*
 * The bytes of block bi.  The last TAIL_BLOCKS * nthr blocks or a few more
 * (from p->tail, on their grid) are a quarter of the others: every worker
 * takes its last block at about the same time, and the others then wait a
 * quarter block at most, not a whole one (a millisecond of a two-core run
 * on a 64 MiB log, measured).
 */
#define TAIL_BLOCKS	4
#define TAIL		(BLOCK / 4)

static void
block_range(const struct par *p, long long bi, long long *start, long long *end)
{
	if (bi < p->nfull) {
		*start = p->begin + bi * BLOCK;
		*end = *start + BLOCK < p->tail ? *start + BLOCK : p->tail;
	} else {
		*start = p->tail + (bi - p->nfull) * TAIL;
		*end = *start + TAIL < p->size ? *start + TAIL : p->size;
	}
}

struct wkey {
	struct oplog_mac mac;
	unsigned char	*k;
	long long	kepoch;
};

/* Long: one pass over a block's lines; each record either special (an
 * item of its own) or judged here and added to the run in progress. */
static void
do_block(struct par *p, struct oplog_reader *rd, struct wkey *wk, long long bi,
    struct par_block *b)
{
	const struct par_ctx *c = p->ctx;
	long long start, end, epoch_n = 0;
	struct oplog_record *r;
	struct par_item *run = NULL, *it;
	struct par_last last;
	const char *line;
	size_t len, lines = 0;
	unsigned char m[OPLOG_MACLEN];
	int k, have = 0, known = 0, seal;

	b->nitems = 0;
	b->failed = 0;
	b->nwant = 0;
	b->wused = 0;
	block_range(p, bi, &start, &end);
	/* From the byte before the block: the rest of the line that byte is
	 * in belongs to the block before. */
	oplog_reader_seek(rd, start > p->begin ? start - 1 : start);
	oplog_reader_limit(rd, end + OPLOG_LINE_MAX + 1 < p->size ?
	    end + OPLOG_LINE_MAX + 1 : p->size);
	if (start > p->begin && oplog_reader_line(rd, &line, &len) != 1) {
		b->failed = 1;	/* that line is too long, or torn */
		goto out;
	}
	for (;;) {
		long long off = oplog_reader_offset(rd);

		if (off >= end)
			break;
		if ((k = oplog_reader_line(rd, &line, &len)) != 1) {
			b->failed = 1;
			break;
		}
		if (oplog_reader_parse(rd, &r) != 1) {
			b->failed = 1;
			break;
		}
		lines++;
		seal = is(r, OF_OPERATOR, "-") && is(r, OF_ACTION, "seal");
		if (have && !pair_ok(c, &last, r)) {
			b->failed = 1;
			break;
		}
		if (have && r->epoch != last.epoch) {
			known = 1;
			epoch_n = 0;
		}
		if (!have || (seal && !known) || watched(c, r->seq) ||
		    (is(r, OF_OPERATOR, "-") && is(r, OF_ACTION, "log-prune")) ||
		    (c->wants != NULL && c->wants(c->warg, r))) {
			if ((it = item(b)) == NULL)
				break;
			it->special = 1;
			it->off = off;
			it->len = len;
			it->line = lines;
			run = NULL;
		} else {
			if (seal && !seal_ok(c, r, epoch_n)) {
				b->failed = 1;
				break;
			}
			if (wk->kepoch > r->epoch) {
				b->failed = 1;
				break;
			}
			if (wk->kepoch < r->epoch) {
				oplog_key_at(wk->k, wk->kepoch, r->epoch, wk->k);
				wk->kepoch = r->epoch;
			}
			if (wk->mac.epoch != wk->kepoch)
				mac_setkey(&wk->mac, wk->k, wk->kepoch);
			mac_record_read(&wk->mac, last.mac, (const char *const *)r->field, r->len,
			    r->mac, m);
			if (!ct_equal(m, r->mac, OPLOG_MACLEN)) {
				b->failed = 1;
				break;
			}
			if (run == NULL) {
				if ((run = item(b)) == NULL)
					break;
				run->off = off;
				run->line = lines;
			}
			if (c->sink_wants != NULL && c->sink_wants(c->sarg, r) &&
			    want(b, r, off, lines) == -1) {
				b->failed = 1;
				break;
			}
			run->len = oplog_reader_offset(rd) - run->off;
			run->n++;
			if (r->epoch != last.epoch) {
				run->newepoch = 1;
				run->tail_n = 0;
			}
			run->tail_n++;
		}
		have = 1;
		epoch_n++;
		last.seq = r->seq;
		last.epoch = r->epoch;
		last.time = r->time;
		last.seal = seal;
		memcpy(last.mac, r->mac, OPLOG_MACLEN);
		if (run != NULL)
			run->last = last;
	}
out:
	b->lines = lines;
}

/* The blocks the caller waits for are all verified (under mu). */
static int
ready(const struct par *p)
{
	long long bi;

	for (bi = p->want_from; bi <= p->want_upto; bi++)
		if (!p->done[bi % p->nslot])
			return 0;
	return 1;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct par *p = w->p;
	struct oplog_reader *rd = oplog_reader_open(p->fd, "");
	struct wkey wk;
	struct par_block *b;
	long long bi;
	int s;

	/* The reader's buffers and this thread's stack mapped at once, not
	 * a page fault each as they are first touched: about 70 faults of
	 * 10 us on a virtual machine, and a worker's faults wait for the
	 * other's (one address space); 2.5 ms of a 64 MiB run, measured. */
	oplog_reader_warm(rd, p->size - p->begin + OPLOG_LINE_MAX);
	warm_stack();
	wk.k = xmalloc_secure(32);
	memcpy(wk.k, p->ctx->k0, 32);
	wk.kepoch = 0;
	mac_open_verify(&wk.mac);
	mac_format(&wk.mac, p->ctx->format);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next < p->nblocks && p->next >= p->stitched + p->nslot) {
			p->nwait++;
			pthread_cond_wait(&p->cv, &p->mu);
			p->nwait--;
		}
		if (p->stop || p->next >= p->nblocks)
			break;
		bi = p->next++;
		s = bi % p->nslot;
		b = p->slot[s];
		pthread_mutex_unlock(&p->mu);
		do_block(p, rd, &wk, bi, b);
		pthread_mutex_lock(&p->mu);
		p->done[s] = 1;
		if (p->want_from >= 0 && ready(p))
			pthread_cond_signal(&p->cv_caller);
	}
	pthread_mutex_unlock(&p->mu);
	mac_close(&wk.mac);
	wipe(wk.k, 32);
	gcry_free(wk.k);
	oplog_reader_close(rd);
	return NULL;
}

struct par *
par_start(int fd, long long begin, long long size, const struct par_ctx *ctx)
{
	struct par *p = xcalloc(1, sizeof(*p));
	int i;

	p->ctx = ctx;
	p->fd = fd;
	p->begin = begin;
	p->size = size;
	p->nthr = par_threads();
	/* on the grid of the short blocks from begin, which has every seam
	 * of the long ones */
	p->tail = size - (long long)TAIL_BLOCKS * p->nthr * TAIL;
	p->tail = p->tail <= begin ? begin : begin + (p->tail - begin) / TAIL * TAIL;
	p->nfull = (p->tail - begin + BLOCK - 1) / BLOCK;
	p->nblocks = p->nfull + (size - p->tail + TAIL - 1) / TAIL;
	if (p->nthr > p->nblocks)
		p->nthr = p->nblocks > 0 ? (int)p->nblocks : 1;
	p->nslot = ctx->sink_wants != NULL ? PAR_NSLOT_SINK : PAR_NSLOT;
	for (i = 0; i < p->nslot; i++) {
		/* Not zeroed: do_block() sets what it uses, and item() each
		 * item it takes, so that the pages of items no block needs are
		 * never touched (a fault each, a millisecond for all the slots,
		 * before any worker could start). */
		p->slot[i] = xmalloc(sizeof(struct par_block));
		p->slot[i]->want = NULL;
		p->slot[i]->wbuf = NULL;
		if (ctx->sink_wants != NULL) {
			p->slot[i]->want = xcalloc(PAR_WANTS, sizeof(struct par_want));
			p->slot[i]->wbuf = xmalloc(PAR_WBYTES);
		}
	}
	p->want_from = p->want_upto = -1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->cv_caller, NULL);
	for (i = 0; i < p->nthr; i++) {
		p->w[i].p = p;
		if (pthread_create(&p->w[i].th, NULL, work, &p->w[i]) != 0)
			break;
		p->w[i].started = 1;
	}
	if (i == 0) {
		par_stop(p);
		return NULL;
	}
	return p;
}

const struct par_block *
par_next(struct par *p, long long bi)
{
	int s = bi % p->nslot, n;

	if (bi >= p->nblocks)
		return NULL;
	pthread_mutex_lock(&p->mu);
	if (bi > 0 && p->done[(bi - 1) % p->nslot]) {
		/* the caller is done with the block before */
		p->done[(bi - 1) % p->nslot] = 0;
		p->stitched = bi;
		if (p->nwait > 0)
			pthread_cond_broadcast(&p->cv);
	}
	if (!p->done[s]) {
		/* Woken once for PAR_BATCH blocks, not once a block: each
		 * wake-up takes a core from a worker.  At most half the slots,
		 * so that the workers go on with the other half meanwhile. */
		n = p->nslot / 2 < PAR_BATCH ? p->nslot / 2 : PAR_BATCH;
		p->want_from = bi;
		p->want_upto = bi + n - 1 < p->nblocks ? bi + n - 1 : p->nblocks - 1;
		while (!ready(p))
			pthread_cond_wait(&p->cv_caller, &p->mu);
		p->want_from = p->want_upto = -1;
	}
	pthread_mutex_unlock(&p->mu);
	return p->slot[s];
}

void
par_stop(struct par *p)
{
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthr; i++)
		if (p->w[i].started)
			pthread_join(p->w[i].th, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	pthread_cond_destroy(&p->cv_caller);
	for (i = 0; i < p->nslot; i++) {
		free(p->slot[i]->want);
		free(p->slot[i]->wbuf);
		free(p->slot[i]);
	}
	free(p);
}
