/*
 * oplog_verify.c — the verifier of jukisec-log(5) "Verification".
 *
 * Invariants: one pass, records in file order; memory holds the previous
 * record's numbers and MAC, at most one pending (pruned) first record, the
 * MAC of the last record of each file, and the current epoch key, derived
 * forward from K0 and never backward.  The first rule a record breaks is the
 * one reported, with its file, line and seq; nothing after it is read.  A
 * MAC is compared only after the cheaper structural rules, so a wrong key
 * shows as a MAC mismatch on the first record it touches.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "timeutil.h"
#include "oplog_priv.h"

struct prev {
	long long	seq, epoch;
	int64_t		time;
	unsigned char	mac[OPLOG_MACLEN];
	int		seal;
};

struct pending {
	struct oplog_record rec;
	char		store[OPLOG_LINE_MAX + 16];
	const char	*file;
	unsigned char	*key;		/* K(rec.epoch), secure memory */
	int		early;		/* its MAC verified against a checkpoint found ahead */
	int		start;		/* copy: no checkpoint explains it, not shown */
};

struct vstate {
	const struct oplog_vkey	*vk;
	const struct oplog_verify_opts *o;
	struct oplog_verify_result *res;
	struct oplog_mac mac;
	unsigned char	*k;		/* K(kepoch), secure memory */
	long long	kepoch;
	int		have_prev, epoch_whole, anchor_seen;
	long long	cur_n;		/* records of prev.epoch so far */
	struct prev	prev;
	struct pending	*pend;
	long long	*endseq;	/* seq and MAC of each file's last record */
	unsigned char	(*endmac)[OPLOG_MACLEN];
	size_t		nend;
	const char	*file;
	struct macq	*q;		/* NULL: MACs checked inline */
	int		mac_failed;	/* the worker's failure was reported */
	long long	shown;		/* sink: the last seq said verified */
	int		stopped;	/* sink: record() said stop */
};

/* Reports the first bad record: one the MAC worker found before this one
 * takes precedence, so the report never depends on the threads. */
static int
badl(struct vstate *v, size_t line, long long seq, const char *fmt, va_list ap)
{
	const char *file;

	v->res->status = ST_NO;
	if (v->q && macq_drain(v->q, &line, &seq, &file)) {
		v->mac_failed = 1;
		snprintf(v->res->bad_file, sizeof(v->res->bad_file), "%s", file);
		v->res->bad_line = line;
		v->res->bad_seq = seq;
		snprintf(v->res->reason, sizeof(v->res->reason), "%s",
		    _("MAC mismatch: record changed, or wrong key"));
		return -1;
	}
	snprintf(v->res->bad_file, sizeof(v->res->bad_file), "%s", v->file ? v->file : "");
	v->res->bad_line = line;
	v->res->bad_seq = seq;
	vsnprintf(v->res->reason, sizeof(v->res->reason), fmt, ap);
	return -1;
}

static int
bad(struct vstate *v, const struct oplog_record *r, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = badl(v, r ? r->line : 0, r ? r->seq : -1, fmt, ap);
	va_end(ap);
	return ret;
}

static int
bad_line(struct vstate *v, size_t line, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = badl(v, line, -1, fmt, ap);
	va_end(ap);
	return ret;
}

static int
is(const struct oplog_record *r, int f, const char *s)
{
	return r->len[f] == strlen(s) && memcmp(r->field[f], s, r->len[f]) == 0;
}

static void
key_to(struct vstate *v, long long e)
{
	while (v->kepoch < e) {
		oplog_evolve(v->k);
		v->kepoch++;
	}
	if (v->mac.epoch != v->kepoch)
		mac_setkey(&v->mac, v->k, v->kepoch);
}

static int
check_mac(struct vstate *v, const struct oplog_record *r, const unsigned char *prev)
{
	unsigned char m[OPLOG_MACLEN];

	key_to(v, r->epoch);
	mac_record(&v->mac, prev, (const char *const *)r->field, r->len, m);
	if (!ct_equal(m, r->mac, OPLOG_MACLEN))
		return bad(v, r, _("MAC mismatch: record changed, or wrong key"));
	return 0;
}

static int
check_genesis(struct vstate *v, const struct oplog_record *r)
{
	char d[48];

	snprintf(d, sizeof(d), "format=1 epoch_seconds=%lld", v->vk->epoch_seconds);
	if (!is(r, OF_OPERATOR, "-") || !is(r, OF_ACTION, "genesis") ||
	    !is(r, OF_OBJECT, "") || !is(r, OF_RESULT, "ok") || !is(r, OF_DETAIL, d))
		return bad(v, r, _("seq 0 is not a genesis record for this key"));
	if (r->time != v->vk->t0)
		return bad(v, r, _("genesis time differs from the key's t0"));
	return 0;
}

static int
check_seal(struct vstate *v, const struct oplog_record *r)
{
	char obj[24], d[40];

	snprintf(obj, sizeof(obj), "%lld", r->epoch);
	if (!is(r, OF_OBJECT, obj) || !is(r, OF_RESULT, "ok") ||
	    r->time != oplog_epoch_end(v->vk->t0, v->vk->epoch_seconds, r->epoch) ||
	    r->len[OF_DETAIL] < 8 || memcmp(r->field[OF_DETAIL], "records=", 8) != 0)
		return bad(v, r, _("malformed seal of epoch %lld"), r->epoch);
	snprintf(d, sizeof(d), "records=%lld", v->cur_n);
	if (v->epoch_whole && !is(r, OF_DETAIL, d))
		return bad(v, r, _("seal says %s, epoch %lld has %lld records"),
		    r->field[OF_DETAIL], r->epoch, v->cur_n);
	return 0;
}

/* "removed=FIRST-LAST cut_mac=HEX cut_time=TIME cutoff=TIME retain_days=D kept=N" */
static int
check_prune(struct vstate *v, const struct oplog_record *r)
{
	const char *d = r->field[OF_DETAIL], *why = _("malformed log-prune checkpoint");
	long long first, last, days, kept;
	unsigned char cut[OPLOG_MACLEN];
	char mac[65], ct[TIME_BUFSZ], co[TIME_BUFSZ], tail;
	int64_t cut_time, cutoff;
	size_t i;

	if (sscanf(d, "removed=%lld-%lld cut_mac=%64s cut_time=%31s cutoff=%31s "
	    "retain_days=%lld kept=%lld%c", &first, &last, mac, ct, co, &days, &kept,
	    &tail) != 7 || first < 0 || last < first || kept < 0 ||
	    hex_decode(mac, strlen(mac), cut, OPLOG_MACLEN) == -1 ||
	    time_parse(ct, &cut_time) == -1 || time_parse(co, &cutoff) == -1)
		return bad(v, r, "%s", why);
	if (days < 365)
		return bad(v, r, _("log-prune kept only %lld days (R6: at least 365)"), days);
	if (cutoff > r->time - days * 86400000LL)
		return bad(v, r, _("log-prune cutoff %s is less than %lld days before the checkpoint"),
		    co, days);
	if (cut_time >= cutoff)
		return bad(v, r, _("log-prune removed record %lld of %s, not before its cutoff %s"),
		    last, ct, co);
	for (i = 0; i < v->nend; i++)
		if (v->endseq[i] == last && !ct_equal(v->endmac[i], cut, OPLOG_MACLEN))
			return bad(v, r, _("log-prune cut_mac differs from record %lld"), last);
	if (v->pend && v->pend->rec.seq == last + 1) {
		struct oplog_record *p = &v->pend->rec;
		unsigned char m[OPLOG_MACLEN];
		struct oplog_mac pm;

		if (p->time < cut_time) {
			v->file = v->pend->file;
			return bad(v, p, _("first record is older than the cut record"));
		}
		mac_open(&pm);
		mac_setkey(&pm, v->pend->key, p->epoch);
		mac_record(&pm, cut, (const char *const *)p->field, p->len, m);
		mac_close(&pm);
		if (!ct_equal(m, p->mac, OPLOG_MACLEN)) {
			v->file = v->pend->file;
			return bad(v, p, _("MAC mismatch: record changed, or wrong key"));
		}
		wipe(v->pend->key, 32);
		gcry_free(v->pend->key);
		free(v->pend);
		v->pend = NULL;
		snprintf(v->res->start_checkpoint, sizeof(v->res->start_checkpoint), "%s", d);
	}
	v->res->prunes++;
	v->res->last_prune_time = r->time;
	return 0;
}

static void
keep_pending(struct vstate *v, const struct oplog_record *r)
{
	struct pending *p = xcalloc(1, sizeof(*p));
	char *s = p->store;
	int i;

	p->rec = *r;
	for (i = 0; i < OPLOG_NFIELDS; i++) {
		memcpy(s, r->field[i], r->len[i] + 1);
		p->rec.field[i] = s;
		s += r->len[i] + 1;
	}
	p->file = v->file;
	if ((p->key = gcry_malloc_secure(32)) == NULL)
		errx(ST_FAIL, _("out of secure memory"));
	key_to(v, r->epoch);
	memcpy(p->key, v->k, 32);
	v->pend = p;
}

static int
step(struct vstate *v, const struct oplog_record *r)
{
	struct oplog_verify_result *res = v->res;
	long long want;
	int seal = is(r, OF_OPERATOR, "-") && is(r, OF_ACTION, "seal");

	if (v->have_prev) {
		if (v->res->copy && r->seq > v->prev.seq + 1)
			return bad(v, r, r->seq == v->prev.seq + 2 ?
			    _("seq %lld follows %lld: record %lld is missing") :
			    _("seq %lld follows %lld: records %lld to %lld are missing"),
			    r->seq, v->prev.seq, v->prev.seq + 1, r->seq - 1);
		if (r->seq != v->prev.seq + 1)
			return bad(v, r, _("seq %lld follows %lld: a record is missing, inserted or moved"),
			    r->seq, v->prev.seq);
		if (r->time < v->prev.time)
			return bad(v, r, _("time goes back from the previous record"));
	}
	want = oplog_epoch_of(v->vk->t0, v->vk->epoch_seconds, r->time);
	if (r->epoch != want)
		return bad(v, r, _("epoch %lld does not match the time (epoch %lld)"),
		    r->epoch, want);
	if (!v->have_prev) {
		res->first_seq = r->seq;
		res->first_epoch = r->epoch;
		res->first_time = r->time;
		if (r->seq == 0) {
			v->epoch_whole = 1;
			if (check_genesis(v, r) == -1 ||
			    check_mac(v, r, v->prev.mac) == -1)
				return -1;
		} else
			keep_pending(v, r);
	} else {
		if (r->epoch != v->prev.epoch) {
			if (!v->prev.seal)
				return bad(v, r, _("epoch %lld begins but epoch %lld has no seal"),
				    r->epoch, v->prev.epoch);
			if (r->epoch != v->prev.epoch + 1)
				return bad(v, r, _("epochs %lld to %lld are missing"),
				    v->prev.epoch + 1, r->epoch - 1);
			v->cur_n = 0;
			v->epoch_whole = 1;
		} else if (v->prev.seal)
			return bad(v, r, _("record after the seal of its epoch"));
		if (is(r, OF_OPERATOR, "-") && is(r, OF_ACTION, "genesis"))
			return bad(v, r, _("a second genesis record"));
		if (v->q)
			macq_push(v->q, v->prev.mac, r, v->file);
		else if (check_mac(v, r, v->prev.mac) == -1)
			return -1;
	}
	if (seal && check_seal(v, r) == -1)
		return -1;
	if (is(r, OF_OPERATOR, "-") && is(r, OF_ACTION, "log-prune") && check_prune(v, r) == -1)
		return -1;
	if (v->o->have_anchor && r->seq == v->o->anchor_seq) {
		if (!ct_equal(r->mac, v->o->anchor_mac, OPLOG_MACLEN))
			return bad(v, r, _("MAC differs from the anchor's"));
		v->anchor_seen = 1;
	}
	v->have_prev = 1;
	v->prev.seq = r->seq;
	v->prev.epoch = r->epoch;
	v->prev.time = r->time;
	v->prev.seal = seal;
	memcpy(v->prev.mac, r->mac, OPLOG_MACLEN);
	v->cur_n++;
	res->records++;
	res->last_seq = r->seq;
	res->last_epoch = r->epoch;
	res->last_time = r->time;
	memcpy(res->head_mac, r->mac, OPLOG_MACLEN);
	return 0;
}

/* The checkpoint that explains a pruned log starting at seq, looked for
 * ahead in fd (from offset on, without moving the reader) so that the
 * first record can be shown verified before the checkpoint is reached:
 * a record that verifies under its epoch's key after some cut_mac was made
 * by that key's holder; that the checkpoint itself chains is still checked
 * when the verification reaches it.  0 and its cut_mac, or -1. */
static int
find_cut(int fd, long long offset, long long seq, unsigned char cut[OPLOG_MACLEN])
{
	struct oplog_reader *rd = oplog_reader_open(fd, "");
	struct oplog_record *r;
	const char *line;
	size_t len;
	long long first, last;
	char mac[65];
	int k, found = -1;

	oplog_reader_seek(rd, offset);
	while (found == -1 && oplog_reader_line(rd, &line, &len) == 1) {
		if (memmem(line, len, ",-,log-prune,", 13) == NULL)
			continue;
		if ((k = oplog_reader_parse(rd, &r)) == 1 && is(r, OF_OPERATOR, "-") &&
		    is(r, OF_ACTION, "log-prune") &&
		    sscanf(r->field[OF_DETAIL], "removed=%lld-%lld cut_mac=%64s", &first,
		    &last, mac) == 3 && last == seq - 1 &&
		    hex_decode(mac, strlen(mac), cut, OPLOG_MACLEN) == 0)
			found = 0;
		if (k == -1)
			break;
	}
	oplog_reader_close(rd);
	return found;
}

/* A pruned first record just became pending: for a sink, check it now
 * against a checkpoint ahead, or, in a copy without one, take it as the
 * copy's start. */
static void
pending_ahead(struct vstate *v, int fd, long long offset)
{
	struct pending *p = v->pend;
	unsigned char cut[OPLOG_MACLEN], m[OPLOG_MACLEN];
	struct oplog_mac pm;
	struct stat sb;

	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    find_cut(fd, offset, p->rec.seq, cut) == 0) {
		mac_open(&pm);
		mac_setkey(&pm, p->key, p->rec.epoch);
		mac_record(&pm, cut, (const char *const *)p->rec.field, p->rec.len, m);
		mac_close(&pm);
		p->early = ct_equal(m, p->rec.mac, OPLOG_MACLEN);
	}
	if (!p->early && v->res->copy)
		p->start = 1;
}

/* Tells the sink how far the records handed on have verified. */
static int
progress(struct vstate *v, long long upto)
{
	const struct oplog_sink *s = v->o->sink;

	if (v->pend && !v->pend->early && !v->pend->start)
		return 0;
	if (upto <= v->shown)
		return 0;
	v->shown = upto;
	if (s->verified(s->arg, upto) == -1) {
		v->stopped = 1;
		return -1;
	}
	return 0;
}

/* Hands a record that passed step() to the sink. */
static int
hand(struct vstate *v, const struct oplog_record *r, int fd, long long offset)
{
	const struct oplog_sink *s = v->o->sink;
	size_t line;
	long long seq;
	const char *file;
	int k = 0;

	if (v->pend && &v->pend->rec != r && v->pend->rec.seq == r->seq)
		pending_ahead(v, fd, offset);
	if (!(v->pend && v->pend->start && v->pend->rec.seq == r->seq))
		k = s->record(s->arg, r);
	if (k == -1) {
		v->stopped = 1;
		return -1;
	}
	if (k == 1 && v->q && macq_drain(v->q, &line, &seq, &file))
		return bad(v, NULL, "%s", "");	/* reports the worker's record */
	return progress(v, v->q ? macq_done(v->q) : r->seq);
}

/* The live log must end exactly where its head says.  hd was read before
 * the log, so records appended meanwhile lie beyond it and were not read;
 * bytes beyond it are an error only if the head has not moved since. */
static int
check_head(struct vstate *v, struct store *st, const struct oplog_head *hd,
    long long count, long long size, int fd)
{
	struct oplog_head now;
	struct stat sb;
	unsigned char m[OPLOG_MACLEN];
	const char *why;

	v->file = OPLOG_HEADFILE;
	if (hd->seq != v->prev.seq || !ct_equal(hd->mac, v->prev.mac, OPLOG_MACLEN))
		return bad(v, NULL, _("the log ends at seq %lld, the head says %lld: %s"),
		    v->prev.seq, hd->seq, hd->seq > v->prev.seq ? _("tail truncated") :
		    _("head rolled back"));
	if (hd->epoch != v->prev.epoch || hd->count != count || hd->size != size ||
	    hd->time != v->prev.time)
		return bad(v, NULL, _("head does not match the log (count, size, epoch or time)"));
	key_to(v, hd->epoch);
	mac_head(&v->mac, hd, m);
	if (!ct_equal(m, hd->hmac, OPLOG_MACLEN))
		return bad(v, NULL, _("head hmac does not verify"));
	if (fstat(fd, &sb) == 0 && sb.st_size > size && oplog_head_read(st, &now, &why) == 0 &&
	    now.seq == hd->seq && now.size == hd->size) {
		v->file = OPLOG_FILE;
		return bad(v, NULL, _("%lld bytes after the head's end: an unfinished append "
		    "(the next append takes in whole records or repairs it), or a head rolled back"),
		    (long long)sb.st_size - size);
	}
	v->res->head_checked = 1;
	return 0;
}

/* Verifies records of fd up to byte limit (-1: the whole file). */
static int
verify_fd(struct vstate *v, int fd, long long limit, long long *count, long long *size)
{
	struct oplog_reader *rd = oplog_reader_open(fd, v->file);
	struct oplog_record *r;
	struct stat sb;
	const char *why;
	size_t line;
	int k, io;

	*count = 0;
	if (limit < 0)
		oplog_reader_copy(rd);
	while ((limit < 0 || oplog_reader_offset(rd) < limit) &&
	    (k = oplog_reader_next(rd, &r)) == 1) {
		if (!v->have_prev && !oplog_reader_headed(rd))
			v->res->copy = 1;
		if (step(v, r) == -1 || (v->o->sink &&
		    hand(v, r, fd, oplog_reader_offset(rd)) == -1)) {
			oplog_reader_close(rd);
			return -1;
		}
		(*count)++;
	}
	if (limit >= 0 && oplog_reader_offset(rd) >= limit)
		k = 0;
	if (k == -1) {
		why = oplog_reader_error(rd, &line, &io);
		bad_line(v, line, "%s", why);
		if (io && !v->mac_failed)
			v->res->status = ST_FAIL;
	}
	*size = oplog_reader_offset(rd);
	oplog_reader_close(rd);
	if (k == 0 && limit < 0 && !v->res->copy && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size != *size)
		return bad(v, NULL, _("file changed while being read"));
	return k == -1 ? -1 : 0;
}

int
oplog_anchor_parse(const char *s, long long *seq, unsigned char mac[OPLOG_MACLEN])
{
	char hex[65], tail;

	if (sscanf(s, "jukisec-log-anchor v1 seq=%lld mac=%64s%c", seq, hex, &tail) < 2 ||
	    (strchr(s, '\n') && strchr(s, '\n')[1] != '\0') || *seq < 0 ||
	    hex_decode(hex, strlen(hex), mac, OPLOG_MACLEN) == -1)
		return -1;
	return 0;
}

static int run_end(struct store *, struct vstate *, int, const struct oplog_head *,
	    long long, long long, int);

static int
run(struct store *st, struct vstate *v)
{
	const struct oplog_verify_opts *o = v->o;
	struct stat lsb, fsb;
	struct oplog_head hd;
	long long count = 0, size = 0;
	size_t i, n = o->nfiles ? o->nfiles : 1;
	int fd = -1, live = o->nfiles == 0, r;
	const char *why;

	for (i = 0; i < n; i++) {
		if (live) {
			v->file = OPLOG_FILE;
			fd = store_openat(st, OPLOG_FILE, O_RDONLY, 0);
		} else if (strcmp(o->files[i], "-") == 0) {
			v->file = "<stdin>";
			fd = dup(STDIN_FILENO);
		} else {
			v->file = o->files[i];
			fd = open(o->files[i], O_RDONLY | O_CLOEXEC);
		}
		if (fd == -1) {
			v->res->status = ST_FAIL;
			snprintf(v->res->bad_file, sizeof(v->res->bad_file), "%s", v->file);
			snprintf(v->res->reason, sizeof(v->res->reason), "%s", strerror(errno));
			return -1;
		}
		if (!live && !v->res->copy && i == n - 1 && st && fstat(fd, &fsb) == 0 &&
		    fstatat(st->dirfd, OPLOG_FILE, &lsb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    fsb.st_dev == lsb.st_dev && fsb.st_ino == lsb.st_ino)
			live = 1;
		if (live && i == n - 1 && oplog_head_read(st, &hd, &why) == -1) {
			close(fd);
			v->res->status = ST_FAIL;
			snprintf(v->res->bad_file, sizeof(v->res->bad_file), "%s", OPLOG_HEADFILE);
			snprintf(v->res->reason, sizeof(v->res->reason), "%s", why);
			return -1;
		}
		if (verify_fd(v, fd, live && i == n - 1 ? hd.size : -1, &count, &size) == -1) {
			close(fd);
			return -1;
		}
		if (i < n - 1)
			close(fd);
		v->res->end_offset = size;
		if (v->have_prev) {
			v->endseq[v->nend] = v->prev.seq;
			memcpy(v->endmac[v->nend++], v->prev.mac, OPLOG_MACLEN);
		}
	}
	r = run_end(st, v, live, live ? &hd : NULL, count, size, fd);
	close(fd);
	return r;
}

static int
run_end(struct store *st, struct vstate *v, int live, const struct oplog_head *hd,
    long long count, long long size, int fd)
{
	const struct oplog_verify_opts *o = v->o;
	long long now_e, covered;
	char tm[TIME_BUFSZ];
	size_t line;
	long long seq;
	const char *file;

	if (v->q && macq_drain(v->q, &line, &seq, &file))
		return bad(v, NULL, "%s", "");	/* reports the worker's record */
	if (!v->have_prev)
		return bad(v, NULL, _("no records"));
	if (v->pend && v->res->copy) {
		v->res->copy_start = v->pend->rec.seq;
	} else if (v->pend) {
		v->file = v->pend->file;
		return bad(v, &v->pend->rec, _("pruned log without checkpoint"));
	}
	if (o->have_anchor && !v->anchor_seen) {
		if (o->anchor_seq > v->prev.seq)
			return bad(v, NULL, _("the log ends at seq %lld, before the anchor's "
			    "seq %lld: tail truncated"), v->prev.seq, o->anchor_seq);
		return bad(v, NULL, _("the log starts at seq %lld, after the anchor's seq %lld "
		    "(pruned): use a newer anchor"), v->res->first_seq, o->anchor_seq);
	}
	if (!live)
		return 0;
	if (check_head(v, st, hd, count, size, fd) == -1)
		return -1;
	now_e = oplog_epoch_of(v->vk->t0, v->vk->epoch_seconds, o->now);
	covered = v->prev.epoch + v->prev.seal;
	if (covered < now_e - 1) {
		time_format(v->prev.time, tm);
		v->file = OPLOG_FILE;
		return bad(v, NULL, _("epochs %lld to %lld unsealed: the log stops at %s "
		    "(tail cut, or no log-append --seal from cron)"), covered, now_e - 1, tm);
	}
	return 0;
}

/* The live log's identity: its inode and its head.  A failure while it
 * changed (log-prune swapped the file) is retried, not reported. */
static int
snapshot(struct store *st, struct stat *sb, struct oplog_head *hd)
{
	const char *why;

	memset(hd, 0, sizeof(*hd));
	if (fstatat(st->dirfd, OPLOG_FILE, sb, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	return oplog_head_read(st, hd, &why);
}

/* A second core pays from a few megabytes on. */
static int
big_enough(struct store *st, const struct oplog_verify_opts *o)
{
	struct stat sb;
	long long total = 0;
	size_t i;

	if (o->nfiles == 0)
		return st && fstatat(st->dirfd, OPLOG_FILE, &sb, 0) == 0 &&
		    sb.st_size >= 4 << 20;
	for (i = 0; i < o->nfiles; i++)
		if (stat(o->files[i], &sb) == 0)
			total += sb.st_size;
	return total >= 4 << 20;
}

static void
vstate_init(struct vstate *v, const struct oplog_vkey *vk,
    const struct oplog_verify_opts *o, struct oplog_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = ST_OK;
	res->bad_seq = -1;
	res->copy_start = -1;
	memset(v, 0, sizeof(*v));
	v->vk = vk;
	v->o = o;
	v->res = res;
	v->shown = -1;
	if ((v->k = gcry_malloc_secure(32)) == NULL)
		errx(ST_FAIL, _("out of secure memory"));
	memcpy(v->k, vk->k0, 32);
	mac_open(&v->mac);
}

static void
vstate_end(struct vstate *v)
{
	struct oplog_chain *c = &v->res->end;

	c->seq = v->prev.seq;
	c->epoch = v->prev.epoch;
	c->erecs = v->cur_n;
	c->time = v->prev.time;
	memcpy(c->mac, v->prev.mac, OPLOG_MACLEN);
	c->seal = v->prev.seal;
	c->whole = v->epoch_whole;
}

static void
vstate_free(struct vstate *v)
{
	mac_close(&v->mac);
	wipe(v->k, 32);
	gcry_free(v->k);
	if (v->pend) {
		wipe(v->pend->key, 32);
		gcry_free(v->pend->key);
		free(v->pend);
	}
	free(v->endseq);
	free(v->endmac);
}

static int
verify_once(struct store *st, const struct oplog_vkey *vk,
    const struct oplog_verify_opts *o, struct oplog_verify_result *res)
{
	struct vstate v;
	size_t n = o->nfiles ? o->nfiles : 1;
	long long upto;

	vstate_init(&v, vk, o, res);
	v.endseq = xcalloc(n, sizeof(*v.endseq));
	v.endmac = xcalloc(n, sizeof(*v.endmac));
	if (big_enough(st, o))
		v.q = macq_start(vk->k0);
	if (run(st, &v) == -1 && res->status == ST_OK)
		res->status = ST_NO;
	if (v.stopped) {
		res->status = ST_FAIL;
		res->reason[0] = '\0';
	} else if (o->sink && v.have_prev) {
		/* Every record before the first bad one has verified (the MAC
		 * worker stops at its first failure, in file order), unless a
		 * pruned first record is still unexplained. */
		if (res->status == ST_OK)
			upto = v.prev.seq;
		else if (v.pend && !v.pend->early && !v.pend->start)
			upto = -1;
		else
			upto = res->bad_seq >= 0 ? res->bad_seq - 1 : v.prev.seq;
		if (upto > v.shown)
			o->sink->verified(o->sink->arg, upto);
	}
	if (v.have_prev)
		vstate_end(&v);
	macq_stop(v.q);
	vstate_free(&v);
	return res->status;
}

struct oplog_verifier {
	struct vstate		v;
	struct oplog_verify_opts o;
};

struct oplog_verifier *
oplog_verifier_new(const struct oplog_vkey *vk, const struct oplog_chain *from,
    struct oplog_verify_result *res)
{
	struct oplog_verifier *ver = xcalloc(1, sizeof(*ver));
	struct vstate *v = &ver->v;
	struct oplog_chain c = *from;	/* from may be res->end */

	from = &c;
	vstate_init(v, vk, &ver->o, res);
	v->have_prev = 1;
	v->prev.seq = from->seq;
	v->prev.epoch = from->epoch;
	v->prev.time = from->time;
	v->prev.seal = from->seal;
	memcpy(v->prev.mac, from->mac, OPLOG_MACLEN);
	v->cur_n = from->erecs;
	v->epoch_whole = from->whole;
	res->end = *from;
	return ver;
}

int
oplog_verifier_add(struct oplog_verifier *ver, const struct oplog_record *r,
    const char *file)
{
	ver->v.file = file;
	if (step(&ver->v, r) == -1)
		return -1;
	vstate_end(&ver->v);
	return 0;
}

void
oplog_verifier_free(struct oplog_verifier *ver)
{
	if (ver == NULL)
		return;
	vstate_free(&ver->v);
	free(ver);
}

int
oplog_verify(struct store *st, const struct oplog_vkey *vk,
    const struct oplog_verify_opts *o, struct oplog_verify_result *res)
{
	struct stat sb0, sb1;
	struct oplog_head h0, h1;
	int tries, quiet, same;

	for (tries = 0;; tries++) {
		quiet = st != NULL && snapshot(st, &sb0, &h0) == 0;
		if (verify_once(st, vk, o, res) == ST_OK || !quiet || tries == 2)
			return res->status;
		same = snapshot(st, &sb1, &h1) == 0 && sb0.st_ino == sb1.st_ino &&
		    sb0.st_dev == sb1.st_dev && memcmp(&h0, &h1, sizeof(h0)) == 0;
		if (same)
			return res->status;
	}
}
