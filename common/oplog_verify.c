/*
 * oplog_verify.c — the verifier of jukisec-log(5) "Verification".
 *
 * Invariants: one pass, records in file order (a file verified a block
 * per core whose block fails is read again from its start, never a file
 * before it: standard input may be a pipe); memory holds the previous
 * record's numbers and MAC, at most one pending (pruned) first record, the
 * first and last record of each segment (a file, or a part after a header
 * row) for the checkpoint rules, and the current epoch key, derived forward
 * from K0 and never backward, and a copy of all that as it was before the
 * file being verified a block per core (struct vsave).  The first rule a record breaks is the one
 * reported, with its file, line and seq; nothing after it is read.  A MAC
 * is compared only after the cheaper structural rules, so a wrong key shows
 * as a MAC mismatch on the first record it touches.  The live log is read
 * to its end, past its head (appends in flight are verified like the rest),
 * but a sink is handed its records only up to the head's (struct
 * vstate's sink_upto); a failure of the live log is reported only once the
 * log lock shows that no writer moved it meanwhile, so appends never make
 * a false alarm; with a sink too, which the pass after does not hand again
 * what it already got.
 * That pass starts from the state the files named before the live log
 * left (struct vsave), which are not read again.  A live log that a
 * log-prune renamed in while those files were read, beginning after the
 * records it moved, is no false alarm either: an operational failure to
 * run again, once the log verifies alone and the log and head in place
 * when the check began show that the files were whole then (live_before,
 * pruned_meanwhile).  log-verify reads such a chain under prune.lock,
 * shared, when it may open it (prune_hold), so that no prune overlaps it
 * at all: pruned_meanwhile is for a member of the directory's group, who
 * may not.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "prune.h"
#include "timeutil.h"
#include "oplog_priv.h"
#include "oplog_tail.h"

#define TRIES	5		/* verifications of a live log that keeps moving */
#define PAR_AGAIN (-2)		/* the parallel pass found something: start again */

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

static void
pending_free(struct pending *p)
{
	if (p == NULL)
		return;
	wipe(p->key, 32);
	gcry_free(p->key);
	free(p);
}

/* A run of records without a header row between: what the checkpoint
 * rules may compare against (its first record may be a cut's F, its last
 * a cut's LAST). */
struct seg {
	long long	first_seq, first_epoch, last_seq;
	int64_t		first_time, last_time;
	unsigned char	last_mac[OPLOG_MACLEN];
};

/* What a pass of the live log that failed had handed to a sink, for the
 * pass after it (a writer moved the log): those records are verified again
 * but not handed again, and the last of them must be found again with the
 * same MAC, which chains every record before it.  Else what was shown is
 * not the log now (a batch that was read under a stale head, then cut):
 * the failure of the pass that showed it stands. */
struct carry {
	long long	seq;		/* the last record handed on, or -1 */
	long long	shown;		/* the last seq said verified */
	unsigned char	mac[OPLOG_MACLEN];
};

struct vstate {
	const struct oplog_vkey	*vk;
	const struct oplog_verify_opts *o;
	struct oplog_verify_result *res;
	struct oplog_mac mac;
	int		format;		/* the log's (jukisec-log(5)), 0: not yet known */
	int		guessed;	/* a copy's: no header row named it */
	int		want_q;		/* MACs on another core, once the format is known */
	unsigned char	*k;		/* K(kepoch), secure memory */
	long long	kepoch;
	int		have_prev, epoch_whole;
	long long	cur_n;		/* records of prev.epoch so far */
	struct prev	prev;
	struct pending	*pend;
	struct seg	*seg;
	size_t		nseg, segcap;
	int		have_cp;	/* a checkpoint was seen: its LAST */
	long long	cp_last;
	char		*anchor_seen;
	const char	*file;
	struct macq	*q;		/* NULL: MACs checked inline */
	int		par;		/* files may be verified a block per core */
	long long	par_end;	/* where par_prefix() stopped */
	size_t		par_lines;	/* lines up to there */
	int		mac_failed;	/* the worker's failure was reported */
	int		start_early;	/* the first record, explained by the
					 * start checkpoint, was verified through
					 * it read ahead (pending_ahead) */
	long long	shown;		/* sink: the last seq said verified */
	int		stopped;	/* sink: record() said stop */
	long long	handed;		/* sink: the last seq handed on */
	long long	skip_upto;	/* sink: handed on by a parallel pass
					 * that then failed, or by the pass
					 * before (struct carry): not again */
	long long	confirm;	/* sink: the carry's seq, or -1 */
	unsigned char	confirm_mac[OPLOG_MACLEN];
	int		confirmed;	/* the carry's record was found again */
	int		diverged;	/* it was not: what was shown is not
					 * the log verified now */
	/* sink: the last seq it may be handed, the live log's committed end
	 * (its head's record, read before it; LLONG_MAX before the live
	 * log).  The records after a closed head are a power loss's, which
	 * the next writer takes in, or an append in flight, which its writer
	 * may still remove (a batch whose open head came after the head was
	 * read, a record whose sync fails): no reader without the log lock
	 * can tell, so they are verified but not handed on. */
	long long	sink_upto;
	struct oplog_chain at_head;	/* the chain at the head's record */
	/* the live log */
	struct oplog_heads hs;		/* as read before the log */
	int		live;		/* the file being read is the live log */
	long long	live_first, live_count;
	const char	*head_why;	/* the slots break the rules: why */
	struct oplog_key *fkey;		/* oplog.key as read before the head */
	int		fkey_r;		/* its oplog_key_read(): ST_FAIL, not read */
	int		fkey_err;	/* then its errno */
	const char	*fkey_why;	/* ST_NO: why, a message's static text */
	char		head_msg[192];
	int		head_seen, other_seen;
	int		stable;		/* the failure needs no look under the lock */
	long long	end;		/* just past the last record of the last file */
	int64_t		snap_size;	/* the live log's size at its end */
	dev_t		snap_dev;
	ino_t		snap_ino;
	/* the live log named after other files: DIR/oplog.csv before the
	 * first of them was read (live_before), its inode, its first seq and
	 * the seq its head named when the head then held, or -1; whether the
	 * log opened is another file (renamed in since), and then the first
	 * seq missing where it meets them, or -1 (at_seam) */
	int		start_known;
	dev_t		start_dev;
	ino_t		start_ino;
	long long	start_first;
	long long	start_head;
	int		replaced;
	long long	seam;
};

/* Reports the first bad record, of kind k: one the MAC worker found
 * before this one takes precedence, so the report never depends on the
 * threads. */
static int
badl(struct vstate *v, size_t line, long long seq, enum oplog_bad k,
    const char *fmt, va_list ap)
{
	const char *file;

	v->res->status = ST_NO;
	if (v->q && macq_drain(v->q, &line, &seq, &file)) {
		v->mac_failed = 1;
		/* what settle() would have said at that record on one core */
		if (v->live)
			v->stable = v->head_why == NULL &&
			    seq <= v->hs.h[v->hs.pick].seq;
		snprintf(v->res->bad_file, sizeof(v->res->bad_file), "%s", file);
		v->res->bad_line = line;
		v->res->bad_seq = seq;
		v->res->bad_kind = OPLOG_BAD_MAC;
		snprintf(v->res->reason, sizeof(v->res->reason), "%s",
		    _("MAC mismatch: record changed, or wrong key"));
		return -1;
	}
	snprintf(v->res->bad_file, sizeof(v->res->bad_file), "%s", v->file ? v->file : "");
	v->res->bad_line = line;
	v->res->bad_seq = seq;
	v->res->bad_kind = k;
	vsnprintf(v->res->reason, sizeof(v->res->reason), fmt, ap);
	return -1;
}

static int
bad(struct vstate *v, const struct oplog_record *r, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = badl(v, r ? r->line : 0, r ? r->seq : -1, OPLOG_BAD_RULE, fmt, ap);
	va_end(ap);
	return ret;
}

/* bad() of a record, of a kind other than the form's (enum oplog_bad). */
static int
bad_as(struct vstate *v, const struct oplog_record *r, enum oplog_bad k,
    const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = badl(v, r->line, r->seq, k, fmt, ap);
	va_end(ap);
	return ret;
}

static int
bad_line(struct vstate *v, size_t line, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = badl(v, line, -1, OPLOG_BAD_RULE, fmt, ap);
	va_end(ap);
	return ret;
}

/* An I/O failure: exit 3, not tampering; unless the MAC worker found a
 * record bad before it, which one core finds before it gets here. */
static int
io_fail(struct vstate *v, const char *file, const char *why)
{
	size_t line;
	long long seq;
	const char *f;

	if (v->q && !v->mac_failed && macq_drain(v->q, &line, &seq, &f))
		return bad(v, NULL, "%s", "");
	v->res->status = ST_FAIL;
	snprintf(v->res->bad_file, sizeof(v->res->bad_file), "%s", file);
	snprintf(v->res->reason, sizeof(v->res->reason), "%s", why);
	return -1;
}

static int
is(const struct oplog_record *r, int f, const char *s)
{
	return r->len[f] == strlen(s) && memcmp(r->field[f], s, r->len[f]) == 0;
}

static void
key_to(struct vstate *v, long long e)
{
	if (v->kepoch < e) {
		oplog_key_at(v->k, v->kepoch, e, v->k);
		v->kepoch = e;
	}
	if (v->mac.epoch != v->kepoch)
		mac_setkey(&v->mac, v->k, v->kepoch);
}

/* The records' MAC from now on: the format the first header row (or the
 * log itself, for a copy without one) named. */
static void
use_format(struct vstate *v, int format, int guessed)
{
	v->format = format;
	v->guessed = guessed;
	v->res->format = format;
	mac_format(&v->mac, format);
	if (v->want_q && v->q == NULL && !guessed)
		v->q = macq_start(v->vk->k0, format);
}

static int
mac_ok(struct vstate *v, const struct oplog_record *r, const unsigned char *prev)
{
	unsigned char m[OPLOG_MACLEN];

	key_to(v, r->epoch);
	mac_record_read(&v->mac, prev, (const char *const *)r->field, r->len, r->mac, m);
	return ct_equal(m, r->mac, OPLOG_MACLEN);
}

/* A copy's format is the one its first checked record verifies under
 * (jukisec-log(5) "Formats"): a forger gets two tries at that record. */
static int
check_mac(struct vstate *v, const struct oplog_record *r, const unsigned char *prev)
{
	if (mac_ok(v, r, prev)) {
		if (v->guessed)
			use_format(v, v->format, 0);
		return 0;
	}
	if (v->guessed) {
		use_format(v, 3 - v->format, 1);
		if (mac_ok(v, r, prev)) {
			use_format(v, v->format, 0);
			return 0;
		}
	}
	return bad_as(v, r, OPLOG_BAD_MAC,
	    _("MAC mismatch: record changed, or wrong key"));
}

/* A genesis record of the other format than the header row above it
 * (line 2 under line 1) is the header row's fault when the record
 * verifies under its own format: line 1 is named, in the words writers
 * refuse it with (oplog_header_over), and there log-append --recover
 * puts the header row back.  Else the record is the bad one. */
static int
header_over(struct vstate *v, const struct oplog_record *r)
{
	char line[OPLOG_LINE_MAX + 1];
	const char *why;
	int ok;

	if (r->line != 2 || v->guessed || r->rawlen > OPLOG_LINE_MAX)
		return 0;
	oplog_record_line(r, line);
	if ((why = oplog_header_over(v->format, line, r->rawlen)) == NULL)
		return 0;
	mac_format(&v->mac, 3 - v->format);
	ok = mac_ok(v, r, v->prev.mac);
	mac_format(&v->mac, v->format);
	return ok ? bad_line(v, 1, "%s", why) : 0;
}

static int
check_genesis(struct vstate *v, const struct oplog_record *r)
{
	char d[48];

	if (header_over(v, r) == -1)
		return -1;
	snprintf(d, sizeof(d), "format=%d epoch_seconds=%lld", v->format, v->vk->epoch_seconds);
	if (!is(r, OF_OPERATOR, "-") || !is(r, OF_ACTION, "genesis") ||
	    !is(r, OF_OBJECT, "") || !is(r, OF_RESULT, "ok") || !is(r, OF_DETAIL, d))
		return bad_as(v, r, OPLOG_BAD_MAC,
		    _("seq 0 is not a genesis record for this key"));
	if (r->time != v->vk->t0)
		return bad_as(v, r, OPLOG_BAD_MAC,
		    _("genesis time differs from the key's t0"));
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
		return bad_as(v, r, OPLOG_BAD_SEAL,
		    _("malformed seal of epoch %lld"), r->epoch);
	snprintf(d, sizeof(d), "records=%lld", v->cur_n);
	if (v->epoch_whole && !is(r, OF_DETAIL, d))
		return bad_as(v, r, OPLOG_BAD_SEAL,
		    _("seal says %s, epoch %lld has %lld records"),
		    r->field[OF_DETAIL], r->epoch, v->cur_n);
	return 0;
}

/* "KEY=VALUE" as the next token of *p: the value, NUL-terminated in place. */
static char *
token(char **p, const char *key)
{
	size_t k = strlen(key);
	char *v, *e;

	if (strncmp(*p, key, k) != 0 || (*p)[k] != '=')
		return NULL;
	v = *p + k + 1;
	if ((e = strchr(v, ' ')) != NULL && e[1] == '\0')
		return NULL;	/* one space between tokens, none after */
	if (e != NULL) {
		*e = '\0';
		*p = e + 1;
	} else
		*p = v + strlen(v);
	return v;
}

static int
exact_time(const char *s, int64_t *t)
{
	char back[TIME_BUFSZ];

	if (time_parse(s, t) == -1)
		return -1;
	time_format(*t, back);
	return strcmp(s, back) == 0 ? 0 : -1;
}

struct cp {
	long long	first, last, days, kept;
	unsigned char	cut_mac[OPLOG_MACLEN];
	int64_t		cut_time, cutoff;
	char		ct[TIME_BUFSZ], co[TIME_BUFSZ];
};

/* "removed=FIRST-LAST cut_mac=HEX cut_time=TIME cutoff=TIME retain_days=D
 * kept=N", exactly: 0 or -1. */
static int
parse_cp(const struct oplog_record *r, struct cp *c)
{
	char d[OPLOG_DETAIL_MAX + 1], *p = d, *v, *dash;

	if (!is(r, OF_OBJECT, OPLOG_FILE) || !is(r, OF_RESULT, "ok") ||
	    r->len[OF_DETAIL] >= sizeof(d))
		return -1;
	memcpy(d, r->field[OF_DETAIL], r->len[OF_DETAIL] + 1);
	if ((v = token(&p, "removed")) == NULL || (dash = strchr(v, '-')) == NULL)
		return -1;
	*dash = '\0';
	if (oplog_decimal(v, strlen(v), &c->first) ||
	    oplog_decimal(dash + 1, strlen(dash + 1), &c->last) ||
	    (v = token(&p, "cut_mac")) == NULL ||
	    hex_decode(v, strlen(v), c->cut_mac, OPLOG_MACLEN) == -1 ||
	    (v = token(&p, "cut_time")) == NULL || strlen(v) >= TIME_BUFSZ ||
	    exact_time(v, &c->cut_time) == -1)
		return -1;
	snprintf(c->ct, sizeof(c->ct), "%s", v);
	if ((v = token(&p, "cutoff")) == NULL || strlen(v) >= TIME_BUFSZ ||
	    exact_time(v, &c->cutoff) == -1)
		return -1;
	snprintf(c->co, sizeof(c->co), "%s", v);
	if ((v = token(&p, "retain_days")) == NULL || oplog_decimal(v, strlen(v), &c->days) ||
	    (v = token(&p, "kept")) == NULL || oplog_decimal(v, strlen(v), &c->kept) || *p != '\0')
		return -1;
	return 0;
}

/* "removed=0 cutoff=TIME retain_days=D", exactly: a run that removed
 * nothing (c's other members unset).  0 or -1. */
static int
parse_ran(const struct oplog_record *r, struct cp *c)
{
	char d[OPLOG_DETAIL_MAX + 1], *p = d, *v;

	if (!is(r, OF_OBJECT, OPLOG_FILE) || !is(r, OF_RESULT, "ok") ||
	    r->len[OF_DETAIL] >= sizeof(d))
		return -1;
	memcpy(d, r->field[OF_DETAIL], r->len[OF_DETAIL] + 1);
	if ((v = token(&p, "removed")) == NULL || strcmp(v, "0") != 0 ||
	    (v = token(&p, "cutoff")) == NULL || strlen(v) >= TIME_BUFSZ ||
	    exact_time(v, &c->cutoff) == -1)
		return -1;
	snprintf(c->co, sizeof(c->co), "%s", v);
	if ((v = token(&p, "retain_days")) == NULL || oplog_decimal(v, strlen(v), &c->days) ||
	    *p != '\0')
		return -1;
	return 0;
}

/* The first record kept by a cut (F = LAST + 1): kept because it was not
 * older than the cutoff, and, the seal of the cutoff's epoch being never
 * removed, at the latest in that epoch; its MAC (when pending) chains to
 * cut_mac under its own epoch's key, which a later key holder lacks. */
static int
check_first_kept(struct vstate *v, const struct oplog_record *f, const struct cp *c)
{
	long long ce = oplog_epoch_of(v->vk->t0, v->vk->epoch_seconds, c->cutoff);

	if (f->time < c->cutoff)
		return bad_as(v, f, OPLOG_BAD_PRUNE,
		    _("kept by a log-prune whose cutoff %s is after it"), c->co);
	if (f->epoch > ce)
		return bad_as(v, f, OPLOG_BAD_PRUNE,
		    _("first kept record is in epoch %lld, after the cutoff's "
		    "epoch %lld: more was removed than the cutoff allows"), f->epoch, ce);
	if (f->time < c->cut_time)
		return bad_as(v, f, OPLOG_BAD_PRUNE,
		    _("first record is older than the cut record"));
	return 0;
}

/* Long: jukisec-log(5)'s rule for a log-prune record, one condition
 * after another in the order the page states them. */
static int
check_prune(struct vstate *v, const struct oplog_record *r)
{
	struct cp c;
	size_t i;
	int ran;

	if (!(ran = parse_ran(r, &c) == 0) && parse_cp(r, &c) == -1)
		return bad_as(v, r, OPLOG_BAD_PRUNE,
		    "%s", _("malformed log-prune checkpoint"));
	if (c.days < PRUNE_MIN_DAYS)
		return bad_as(v, r, OPLOG_BAD_PRUNE,
		    _("log-prune kept only %lld days (R6: at least 365)"), c.days);
	if (c.cutoff > prune_cutoff(r->time, c.days))
		return bad_as(v, r, OPLOG_BAD_PRUNE,
		    _("log-prune cutoff %s is less than %lld days (or a "
		    "calendar year) before its record"), c.co, c.days);
	/* A run that removed nothing: no more to check (records before its
	 * cutoff may stay, too short to remove); it is no checkpoint. */
	if (ran) {
		v->res->last_prune_time = r->time;
		v->res->last_prune_removed = 0;
		return 0;
	}
	if (c.first > c.last || c.last + 1 >= r->seq || c.kept != r->seq - 1 - c.last)
		return bad_as(v, r, OPLOG_BAD_PRUNE,
		    _("log-prune removed=%lld-%lld kept=%lld does not fit its "
		    "seq %lld"), c.first, c.last, c.kept, r->seq);
	if (v->have_cp ? c.first != v->cp_last + 1 : v->res->first_seq == 0 && c.first != 0)
		return bad_as(v, r, OPLOG_BAD_PRUNE,
		    _("log-prune removed from seq %lld, the log then began at %lld"),
		    c.first, v->have_cp ? v->cp_last + 1 : 0);
	if (c.cut_time >= c.cutoff)
		return bad_as(v, r, OPLOG_BAD_PRUNE,
		    _("log-prune removed record %lld of %s, not before its cutoff %s"),
		    c.last, c.ct, c.co);
	if (c.cut_time < v->vk->t0)
		return bad_as(v, r, OPLOG_BAD_PRUNE,
		    _("log-prune cut_time %s is before the log began"), c.ct);
	if (v->live && c.last >= v->live_first)
		return bad_as(v, r, OPLOG_BAD_PRUNE,
		    _("log-prune claims records %lld-%lld removed, the log holds %lld"),
		    c.first, c.last, v->live_first);
	for (i = 0; i < v->nseg; i++) {
		if (v->seg[i].last_seq == c.last && (!ct_equal(v->seg[i].last_mac, c.cut_mac,
		    OPLOG_MACLEN) || v->seg[i].last_time != c.cut_time))
			return bad_as(v, r, OPLOG_BAD_PRUNE,
			    _("log-prune cut_mac or cut_time differs from record %lld"),
			    c.last);
		if (v->seg[i].first_seq == c.last + 1 && (!v->pend || v->pend->rec.seq != c.last + 1)) {
			struct oplog_record f;

			memset(&f, 0, sizeof(f));
			f.seq = v->seg[i].first_seq;
			f.epoch = v->seg[i].first_epoch;
			f.time = v->seg[i].first_time;
			if (check_first_kept(v, &f, &c) == -1) {
				v->res->bad_seq = r->seq;
				v->res->bad_line = r->line;
				return -1;
			}
		}
	}
	if (v->pend && v->pend->rec.seq == c.last + 1) {
		struct oplog_record *p = &v->pend->rec;
		unsigned char m[OPLOG_MACLEN];
		struct oplog_mac pm;
		const char *file = v->file;

		v->file = v->pend->file;
		if (check_first_kept(v, p, &c) == -1)
			return -1;
		mac_open(&pm);
		mac_format(&pm, v->format);
		mac_setkey(&pm, v->pend->key, p->epoch);
		mac_record(&pm, c.cut_mac, (const char *const *)p->field, p->len, p->mac, m);
		mac_close(&pm);
		if (!ct_equal(m, p->mac, OPLOG_MACLEN))
			return bad_as(v, p, OPLOG_BAD_MAC,
			    _("MAC mismatch: record changed, or wrong key"));
		v->file = file;
		if (v->pend->start)
			v->res->start_unshown = p->seq;
		v->start_early = v->pend->early;
		pending_free(v->pend);
		v->pend = NULL;
		snprintf(v->res->start_checkpoint, sizeof(v->res->start_checkpoint), "%s",
		    r->field[OF_DETAIL]);
		v->res->start_checkpoint_seq = r->seq;
	}
	v->have_cp = 1;
	v->cp_last = c.last;
	v->res->prunes++;
	v->res->last_prune_time = r->time;
	v->res->last_prune_removed = 1;
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
	p->key = xmalloc_secure(32);
	/* K(its epoch), from K0 again when the key went on past it: a
	 * follower's, given the first record a prune kept (oplog_verifier_live) */
	if (v->kepoch <= r->epoch) {
		key_to(v, r->epoch);
		memcpy(p->key, v->k, 32);
	} else
		oplog_key_at(v->vk->k0, 0, r->epoch, p->key);
	v->pend = p;
}

static void
segment(struct vstate *v, const struct oplog_record *r, int start)
{
	struct seg *s;

	if (start || v->nseg == 0) {
		if (v->nseg == v->segcap) {
			v->segcap = v->segcap ? 2 * v->segcap : 8;
			v->seg = xrealloc(v->seg, v->segcap * sizeof(*v->seg));
		}
		s = &v->seg[v->nseg++];
		s->first_seq = r->seq;
		s->first_epoch = r->epoch;
		s->first_time = r->time;
	}
	s = &v->seg[v->nseg - 1];
	s->last_seq = r->seq;
	s->last_time = r->time;
	memcpy(s->last_mac, r->mac, OPLOG_MACLEN);
}

/* Long: the rules every record must pass, one after another in the
 * order jukisec-log(5) states them (sequence, time, fields, epoch, seal,
 * genesis, anchor, MAC). */
static int
step(struct vstate *v, const struct oplog_record *r)
{
	struct oplog_verify_result *res = v->res;
	const struct oplog_verify_opts *o = v->o;
	char tm[TIME_BUFSZ];
	long long want;
	size_t i;
	int seal = is(r, OF_OPERATOR, "-") && is(r, OF_ACTION, "seal");

	if (v->have_prev) {
		if (v->res->copy && r->seq > v->prev.seq + 1)
			return bad_as(v, r, OPLOG_BAD_SEQ, r->seq == v->prev.seq + 2 ?
			    _("seq %lld follows %lld: record %lld is missing") :
			    _("seq %lld follows %lld: records %lld to %lld are missing"),
			    r->seq, v->prev.seq, v->prev.seq + 1, r->seq - 1);
		if (r->seq != v->prev.seq + 1)
			return bad_as(v, r, OPLOG_BAD_SEQ,
			    _("seq %lld follows %lld: a record is missing, inserted or moved"),
			    r->seq, v->prev.seq);
		if (r->time < v->prev.time)
			return bad_as(v, r, OPLOG_BAD_TIME,
			    _("time goes back from the previous record"));
	}
	if (r->len[OF_TERMINAL] == 0 || r->len[OF_OPERATOR] == 0 || r->len[OF_ACTION] == 0)
		return bad(v, r, _("field %s: empty"), r->len[OF_TERMINAL] == 0 ? "terminal" :
		    r->len[OF_OPERATOR] == 0 ? "operator" : "action");
	if (!oplog_epoch_is(v->vk->t0, v->vk->epoch_seconds, r->epoch, r->time)) {
		/* A genesis record dated off the key's t0 (another log's
		 * key, most often) is wrong there, not in its epoch. */
		if (!v->have_prev && r->seq == 0 && r->time != v->vk->t0)
			return bad_as(v, r, OPLOG_BAD_MAC,
			    _("genesis time differs from the key's t0"));
		want = oplog_epoch_of(v->vk->t0, v->vk->epoch_seconds, r->time);
		/* the first record read, later ones being checked against
		 * it: as likely another key's epochs as a record changed */
		if (!v->have_prev)
			return bad_as(v, r, OPLOG_BAD_TIME,
			    _("epoch %lld does not match the time (epoch %lld): "
			    "record changed, or wrong key"), r->epoch, want);
		return bad_as(v, r, OPLOG_BAD_TIME,
		    _("epoch %lld does not match the time (epoch %lld)"),
		    r->epoch, want);
	}
	/* A key holder can date records ahead (he can evolve the key): what
	 * lies in the future is not trusted, checkpoints least of all. */
	if (!o->any_time && r->time > o->now + OPLOG_FUTURE_MS) {
		time_format(o->now, tm);
		return bad_as(v, r, OPLOG_BAD_TIME,
		    _("dated after the verification time %s"), tm);
	}
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
				return bad_as(v, r, OPLOG_BAD_SEAL,
				    _("epoch %lld begins but epoch %lld has no seal"),
				    r->epoch, v->prev.epoch);
			if (r->epoch != v->prev.epoch + 1)
				return bad_as(v, r, OPLOG_BAD_SEQ,
				    _("epochs %lld to %lld are missing"),
				    v->prev.epoch + 1, r->epoch - 1);
			v->cur_n = 0;
			v->epoch_whole = 1;
		} else if (v->prev.seal)
			return bad_as(v, r, OPLOG_BAD_SEQ,
			    _("record after the seal of its epoch"));
		if (is(r, OF_OPERATOR, "-") && is(r, OF_ACTION, "genesis"))
			return bad_as(v, r, OPLOG_BAD_SEQ, _("a second genesis record"));
		if (v->q)
			macq_push(v->q, v->prev.mac, r, v->file);
		else if (check_mac(v, r, v->prev.mac) == -1)
			return -1;
	}
	if (seal && check_seal(v, r) == -1)
		return -1;
	if (is(r, OF_OPERATOR, "-") && is(r, OF_ACTION, "log-prune") && check_prune(v, r) == -1)
		return -1;
	for (i = 0; i < o->nanchors; i++)
		if (r->seq == o->anchors[i].seq) {
			if (!ct_equal(r->mac, o->anchors[i].mac, OPLOG_MACLEN))
				return bad_as(v, r, OPLOG_BAD_MAC,
				    _("MAC differs from the anchor's"));
			v->anchor_seen[i] = 1;
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
	struct cp c;
	int k, found = -1;

	oplog_reader_seek(rd, offset);
	while (found == -1 && oplog_reader_line(rd, &line, &len) == 1) {
		if (memmem(line, len, ",-,log-prune,", 13) == NULL)
			continue;
		if ((k = oplog_reader_parse(rd, &r)) == 1 && is(r, OF_OPERATOR, "-") &&
		    is(r, OF_ACTION, "log-prune") &&
		    parse_cp(r, &c) == 0 && c.last == seq - 1) {
			memcpy(cut, c.cut_mac, OPLOG_MACLEN);
			found = 0;
		}
		if (k == -1)
			break;
	}
	oplog_reader_close(rd);
	return found;
}

/* The pending record's MAC under format, chained to cut: 1 if it verifies. */
static int
pending_ok(const struct pending *p, int format, const unsigned char *cut)
{
	unsigned char m[OPLOG_MACLEN];
	struct oplog_mac pm;

	mac_open(&pm);
	mac_format(&pm, format);
	mac_setkey(&pm, p->key, p->rec.epoch);
	mac_record(&pm, cut, (const char *const *)p->rec.field, p->rec.len,
	    p->rec.mac, m);
	mac_close(&pm);
	return ct_equal(m, p->rec.mac, OPLOG_MACLEN);
}

/* A pruned first record just became pending: for a sink, check it now
 * against a checkpoint ahead, or, in a copy without one, take it as the
 * copy's start.  In a copy whose format is still a guess it is the first
 * record checked, so it decides the format (as check_mac would): under
 * the guess alone, the first record of a format 2 copy would fail here,
 * be taken as the start and never be shown, though the checkpoint then
 * verifies it. */
static void
pending_ahead(struct vstate *v, int fd, long long offset)
{
	struct pending *p = v->pend;
	unsigned char cut[OPLOG_MACLEN];
	struct stat sb;

	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    find_cut(fd, offset, p->rec.seq, cut) == 0) {
		if ((p->early = pending_ok(p, v->format, cut)) && v->guessed)
			use_format(v, v->format, 0);
		else if (!p->early && v->guessed &&
		    (p->early = pending_ok(p, 3 - v->format, cut)))
			use_format(v, 3 - v->format, 0);
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
	/* the first record verified through a checkpoint whose own MAC the
	 * worker has not checked yet: nothing is shown until it has */
	if (v->q && !v->start_early && v->res->start_checkpoint_seq > upto)
		return 0;
	if (upto > v->sink_upto)
		upto = v->sink_upto;
	if (upto <= v->shown)
		return 0;
	v->shown = upto;
	if (s->verified(s->arg, upto) == -1) {
		v->stopped = 1;
		return -1;
	}
	return 0;
}

/* The sink's record() of r, unless a parallel pass that then failed, or
 * the pass before, handed it on already: its answer (0, 1), or -1 when it
 * said stop or the carry's record was not met before r. */
static int
give(struct vstate *v, const struct oplog_record *r)
{
	const struct oplog_sink *s = v->o->sink;
	int k;

	if (r->seq <= v->skip_upto || r->seq > v->sink_upto)
		return 0;
	if (v->confirm >= 0 && !v->confirmed) {
		v->diverged = 1;	/* past the carry's record, not met */
		return -1;
	}
	if ((k = s->record(s->arg, r)) == -1) {
		v->stopped = 1;
		return -1;
	}
	v->handed = r->seq;
	return k;
}

/* Hands a record that passed step() to the sink. */
static int
hand(struct vstate *v, const struct oplog_record *r, int fd, long long offset)
{
	size_t line;
	long long seq;
	const char *file;
	int k = 0;

	if (v->pend && &v->pend->rec != r && v->pend->rec.seq == r->seq)
		pending_ahead(v, fd, offset);
	if (!(v->pend && v->pend->start && v->pend->rec.seq == r->seq) &&
	    (k = give(v, r)) == -1)
		return -1;
	if (k == 1 && v->q && macq_drain(v->q, &line, &seq, &file))
		return bad(v, NULL, "%s", "");	/* reports the worker's record */
	return progress(v, v->q ? macq_done(v->q) : r->seq);
}

/* The chain as it stands after the last record stepped. */
static void
chain_at(const struct vstate *v, struct oplog_chain *c)
{
	c->seq = v->prev.seq;
	c->epoch = v->prev.epoch;
	c->erecs = v->cur_n;
	c->time = v->prev.time;
	memcpy(c->mac, v->prev.mac, OPLOG_MACLEN);
	c->seal = v->prev.seal;
	c->whole = v->epoch_whole;
	c->first = v->res->first_seq;
	c->cp_last = v->have_cp ? v->cp_last : -1;
}

/* A pruned log's first record that no checkpoint explains, read so far
 * or ahead of end in fd (one that a checkpoint found ahead verified is
 * not; a collector's copy may begin anywhere): a failure of the head's
 * record gives way to it, as it comes first in the file. */
static int
unexplained(const struct vstate *v, int fd, long long end)
{
	unsigned char cut[OPLOG_MACLEN];

	return v->pend && !v->pend->early && !v->res->copy &&
	    find_cut(fd, end, v->pend->rec.seq, cut) != 0;
}

static int
bad_pending(struct vstate *v)
{
	v->file = v->pend->file;
	return bad_as(v, &v->pend->rec, OPLOG_BAD_SEQ, _("pruned log without checkpoint"));
}

/* The live log's record that a head slot names, where the head says it
 * is (its line ends at end in fd).  A failure here gives way to an
 * unexplained first record's: records deleted from the start of the live
 * log are named there, not at the head. */
static int
head_record(struct vstate *v, const struct oplog_record *r, int fd, long long end)
{
	const struct oplog_head *h = &v->hs.h[v->hs.pick], *o = &v->hs.h[!v->hs.pick];

	if (v->hs.why[!v->hs.pick] == NULL && r->seq == o->seq && !v->other_seen) {
		if (!ct_equal(r->mac, o->mac, OPLOG_MACLEN) || r->time != o->time ||
		    r->epoch != o->epoch)
			return unexplained(v, fd, end) ? bad_pending(v) :
			    bad_as(v, r, OPLOG_BAD_HEAD, _("differs from the "
			    "record oplog.head's other slot names"));
		v->other_seen = 1;
	}
	if (r->seq != h->seq)
		return 0;
	if (!ct_equal(r->mac, h->mac, OPLOG_MACLEN) || r->time != h->time || r->epoch != h->epoch)
		return unexplained(v, fd, end) ? bad_pending(v) :
		    bad_as(v, r, OPLOG_BAD_HEAD,
		    _("differs from the record oplog.head names: head rolled back, "
		    "or the record replaced"));
	if (end != h->size || v->live_count != h->count ||
	    (v->epoch_whole && v->cur_n != h->erecs))
		return unexplained(v, fd, end) ? bad_pending(v) :
		    bad_as(v, r, OPLOG_BAD_HEAD,
		    _("oplog.head says size %lld, count %lld, erecs %lld here; the "
		    "log has %lld, %lld, %lld"), h->size, h->count, h->erecs, end,
		    v->live_count, v->cur_n);
	if (h->version == 2 && h->kepoch != r->epoch + v->prev.seal)
		return unexplained(v, fd, end) ? bad_pending(v) :
		    bad_as(v, r, OPLOG_BAD_HEAD,
		    _("oplog.head names key epoch %lld after this record"), h->kepoch);
	/* a version 1 head has no kepoch: its K is the page's all the same,
	 * E or E+1 after a seal, which the key file may not pass */
	if (h->version == 1)
		v->hs.h[v->hs.pick].kepoch = r->epoch + v->prev.seal;
	v->head_seen = 1;
	chain_at(v, &v->at_head);
	return 0;
}

/* The first record after an open head, refused before a sink sees it:
 * the head says a batch follows that is not committed yet; its writer is
 * at work (the look under the lock waits for it) or was killed, and the
 * next writer removes it (jukisec-log(5), "Appending"). */
static int
unfinished(struct vstate *v, const struct oplog_record *r)
{
	const struct oplog_head *h = &v->hs.h[v->hs.pick];

	if (v->head_why != NULL || !h->open || r->seq != h->seq + 1)
		return 0;
	bad_as(v, r, OPLOG_BAD_UNFINISHED,
	    _("after an open head: an unfinished append (the next append "
	    "removes it and logs a repair)"));
	return 1;
}

/* The carry's record, found again: the same MAC, or the pass stops. */
static int
found_again(struct vstate *v, const struct oplog_record *r)
{
	if (r->seq != v->confirm)
		return 0;
	if (!ct_equal(r->mac, v->confirm_mac, OPLOG_MACLEN)) {
		v->diverged = 1;
		return bad(v, r, "%s", "");
	}
	v->confirmed = 1;
	return 0;
}

/* A failure at or before the head's record is in bytes no writer touches:
 * it stands without a look under the log lock. */
static void
settle(struct vstate *v)
{
	if (v->mac_failed)
		return;		/* badl() settled it at the worker's record */
	v->stable = v->head_why == NULL &&
	    (!v->have_prev || v->prev.seq < v->hs.h[v->hs.pick].seq);
}

/* The live log's first record does not follow the files named before it,
 * and the log is not the file it was when they began to be read: a
 * log-prune that committed meanwhile moved the records between them to
 * an archive, past what was read of it (verify_tries() looks).  Only if
 * they were whole then: the log in place began right after them, its
 * head held (live_before), and every anchor they should hold was found
 * in them, as a verification of them all would have. */
static void
at_seam(struct vstate *v, const struct oplog_record *r)
{
	size_t i;

	if (!v->replaced || v->live_count != 1 || !v->have_prev ||
	    r->seq <= v->prev.seq + 1 || v->res->bad_seq != r->seq ||
	    v->res->bad_kind != OPLOG_BAD_SEQ || v->start_head < 0 ||
	    v->start_first != v->prev.seq + 1)
		return;
	for (i = 0; i < v->o->nanchors; i++)
		if (v->o->anchors[i].seq <= v->prev.seq && !v->anchor_seen[i])
			return;
	v->seam = v->prev.seq + 1;
}

/* What one record read from fd, its line ending at offset end, feeds: the
 * rules, the sink, the observer, segments, the good prefix, the head.  0,
 * or -1 (res says why). */
static int
take(struct vstate *v, const struct oplog_record *r, int fd, long long end, int *start)
{
	if (v->live && v->live_count++ == 0)
		v->live_first = r->seq;
	if ((v->live && unfinished(v, r)) || step(v, r) == -1 ||
	    found_again(v, r) == -1 || (v->o->sink && hand(v, r, fd, end) == -1)) {
		if (v->live) {
			settle(v);
			at_seam(v, r);
		}
		return -1;
	}
	if (v->o->observer)
		v->o->observer->record(v->o->observer->arg, r);
	segment(v, r, *start || r->after_header);
	*start = 0;
	if (v->o->prefix && v->pend == NULL) {
		struct oplog_good *g = &v->res->good;

		g->ok = 1;
		g->end = end;
		g->seq = r->seq;
		g->epoch = r->epoch;
		g->erecs = v->cur_n;
		g->time = r->time;
		g->seal = v->prev.seal;
		memcpy(g->mac, r->mac, OPLOG_MACLEN);
	}
	if (v->live && v->head_why == NULL && head_record(v, r, fd, end) == -1)
		return -1;
	return 0;
}

/* Steps over a run of records a worker judged (oplog_par.c): the state
 * step() and take() would have left after its last record. */
static void
skip_run(struct vstate *v, const struct par_item *it)
{
	struct seg *sg = &v->seg[v->nseg - 1];

	v->prev.seq = it->last.seq;
	v->prev.epoch = it->last.epoch;
	v->prev.time = it->last.time;
	v->prev.seal = it->last.seal;
	memcpy(v->prev.mac, it->last.mac, OPLOG_MACLEN);
	if (it->newepoch) {
		v->cur_n = it->tail_n;
		v->epoch_whole = 1;
	} else
		v->cur_n += it->n;
	v->res->records += it->n;
	v->res->last_seq = it->last.seq;
	v->res->last_epoch = it->last.epoch;
	v->res->last_time = it->last.time;
	memcpy(v->res->head_mac, it->last.mac, OPLOG_MACLEN);
	sg->last_seq = it->last.seq;
	sg->last_time = it->last.time;
	memcpy(sg->last_mac, it->last.mac, OPLOG_MACLEN);
	if (v->live)
		v->live_count += it->n;
}

/* A run a worker judged, to the observer: summed up, or, when it asks,
 * read again and handed on record by record.  The worker checked the
 * rules and MACs of the bytes it read; those read here are checked again,
 * each MAC chained from prev (the one before the run) to the run's last,
 * so that bytes changed in between never reach the observer: -1 then,
 * and the log is verified again in one pass. */
static int
observe_run(struct vstate *v, int fd, const struct par_item *it, size_t base,
    const unsigned char before[OPLOG_MACLEN])
{
	const struct oplog_observer *ob = v->o->observer;
	struct oplog_reader *rd;
	struct oplog_record *r;
	struct oplog_run run;
	const char *line;
	unsigned char prev[OPLOG_MACLEN], m[OPLOG_MACLEN];
	long long seq = it->last.seq - it->n + 1;
	size_t len, n = 0;
	int k = 1;

	run.n = it->n;
	run.last_seq = it->last.seq;
	run.last_epoch = it->last.epoch;
	run.last_time = it->last.time;
	run.last_seal = it->last.seal;
	if (ob->run(ob->arg, &run) == 0)
		return 0;
	memcpy(prev, before, OPLOG_MACLEN);
	rd = oplog_reader_open(fd, "");
	oplog_reader_seek(rd, it->off);
	oplog_reader_limit(rd, it->off + (long long)it->len);
	while (n < (size_t)it->n && (k = oplog_reader_line(rd, &line, &len)) == 1 &&
	    (k = oplog_reader_parse(rd, &r)) == 1) {
		key_to(v, r->epoch);
		mac_record_read(&v->mac, prev, (const char *const *)r->field, r->len, r->mac, m);
		if (r->seq != seq++ || r->epoch != v->kepoch || !ct_equal(m, r->mac, OPLOG_MACLEN)) {
			k = -1;
			break;
		}
		memcpy(prev, r->mac, OPLOG_MACLEN);
		r->line = base + it->line + n++;
		ob->record(ob->arg, r);
	}
	oplog_reader_close(rd);
	return k == 1 && n == (size_t)it->n && ct_equal(prev, it->last.mac, OPLOG_MACLEN) ? 0 : -1;
}

/* Records first..last went by unwanted. */
static void
sink_skip(struct vstate *v, long long first, long long last)
{
	const struct oplog_sink *s = v->o->sink;

	if (first <= v->skip_upto)
		first = v->skip_upto + 1;
	if (last > v->sink_upto)
		last = v->sink_upto;
	if (first <= last) {
		s->skipped(s->arg, first, last);
		v->handed = last;
	}
}

/* A run a worker judged, to the sink: the records it wanted (the block's
 * want[] from *w on), parsed from the bytes the worker verified, with the
 * unwanted ones between them said skipped; then said verified, as they
 * are: the worker checked every rule and MAC.  0, -1 (the sink said
 * stop) or PAR_AGAIN (the bytes do not parse as they did: never). */
static int
sink_run(struct vstate *v, const struct par_block *b, const struct par_item *it,
    size_t base, size_t *w)
{
	char line[OPLOG_LINE_MAX + 2], scratch[OPLOG_LINE_MAX + 16];
	struct oplog_record rec;
	const struct par_want *pw;
	long long next = it->last.seq - it->n + 1;
	int k;

	for (; *w < b->nwant && b->want[*w].off < it->off + (long long)it->len; ++*w) {
		pw = &b->want[*w];
		memcpy(line, b->wbuf + pw->at, pw->len);
		memset(&rec, 0, sizeof(rec));
		if (oplog_parse_line(line, pw->len, scratch, &rec) != NULL || rec.seq != pw->seq)
			return PAR_AGAIN;
		rec.line = base + pw->line;
		rec.offset = pw->off;
		rec.raw = line;
		rec.rawlen = pw->len;
		sink_skip(v, next, pw->seq - 1);
		if ((k = give(v, &rec)) == -1 || (k == 1 && progress(v, rec.seq) == -1))
			return -1;
		next = pw->seq + 1;
	}
	sink_skip(v, next, it->last.seq);
	if (it->last.seq > v->handed && it->last.seq <= v->sink_upto)
		v->handed = it->last.seq;
	return progress(v, it->last.seq);
}

/* A special record of a block, read again and taken as any record. */
static int
take_special(struct vstate *v, int fd, const struct par_item *it, size_t base,
    int *start)
{
	char line[OPLOG_LINE_MAX + 2], scratch[OPLOG_LINE_MAX + 16];
	struct oplog_record rec;

	memset(&rec, 0, sizeof(rec));
	if (pread(fd, line, it->len, it->off) != (ssize_t)it->len ||
	    oplog_parse_line(line, it->len, scratch, &rec) != NULL)
		return -1;
	rec.line = base + it->line;
	rec.offset = it->off;
	rec.raw = line;
	rec.rawlen = it->len;
	return take(v, &rec, fd, it->off + it->len + 1, start);
}

/* A block a worker verified, taken in file order: its runs stepped over
 * (and handed to an observer or a sink), its special records taken as
 * any record.  0, -1 (the sink said stop) or PAR_AGAIN. */
static int
stitch(struct vstate *v, int fd, const struct par_block *b, size_t base, int *start)
{
	const struct par_item *it;
	unsigned char before[OPLOG_MACLEN];
	size_t i, w = 0;
	int k;

	for (i = 0; i < b->nitems; i++) {
		it = &b->item[i];
		if (it->special) {
			if (take_special(v, fd, it, base, start) == -1)
				return PAR_AGAIN;
			continue;
		}
		memcpy(before, v->prev.mac, OPLOG_MACLEN);
		skip_run(v, it);
		if (v->o->observer && observe_run(v, fd, it, base, before) == -1)
			return PAR_AGAIN;
		if (v->o->sink && (k = sink_run(v, b, it, base, &w)) != 0)
			return k;
	}
	return 0;
}

/* 1 when the n bytes are a header row of the log's format (the first
 * one names it), else 0. */
static int
header_format(struct vstate *v, const char *p, size_t n)
{
	int f = oplog_header_format(p, n);

	if (f == 0 || (v->format != 0 && f != v->format))
		return 0;
	if (v->format == 0)
		use_format(v, f, 0);
	return 1;
}

/* The file up to its size now, verified a block per core (oplog_par.c):
 * 1 and v->par_end, v->par_lines where the reader goes on, 0 when the
 * file is not one for it (nothing read), -1 when a sink said stop, or
 * PAR_AGAIN when the file must be verified again sequentially from its
 * start for the first failure and its message (the good case is the fast
 * one; a bad log is read twice). */
static int
par_prefix(struct vstate *v, int fd, int *start)
{
	static const char hdr[] = OPLOG_HEADER "\n";	/* as long as OPLOG_HEADER2's */
	char first[sizeof(hdr)];
	const struct par_block *b;
	struct par_ctx c;
	struct stat sb;
	struct par *p;
	long long watch[4 + 16], bi, *wl = watch;
	size_t i, n = 0, base = 1;
	int ret = 0;

	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size < (off_t)sizeof(hdr) - 1 ||
	    pread(fd, first, sizeof(hdr) - 1, 0) != (ssize_t)sizeof(hdr) - 1 ||
	    !header_format(v, first, sizeof(hdr) - 1))
		return 0;	/* the sequential reader says what it is */
	if (v->o->nanchors + 4 > sizeof(watch) / sizeof(watch[0]))
		wl = xcalloc(v->o->nanchors + 4, sizeof(*wl));
	for (i = 0; i < v->o->nanchors; i++)
		wl[n++] = v->o->anchors[i].seq;
	if (v->live)
		for (i = 0; i < 2; i++)
			wl[n++] = v->hs.h[i].seq;
	if (v->live && v->hs.h[v->hs.pick].open)	/* head_record()'s */
		wl[n++] = v->hs.h[v->hs.pick].seq + 1;
	if (v->confirm >= 0)				/* found_again()'s */
		wl[n++] = v->confirm;
	memset(&c, 0, sizeof(c));
	c.t0 = v->vk->t0;
	c.now = v->o->now;
	c.epoch_seconds = v->vk->epoch_seconds;
	c.k0 = v->vk->k0;
	c.format = v->format;
	c.any_time = v->o->any_time;
	c.watch = wl;
	c.nwatch = n;
	if (v->o->observer) {
		c.wants = v->o->observer->wants;
		c.warg = v->o->observer->arg;
	}
	if (v->o->sink && v->o->sink->wants && v->o->sink->skipped) {
		c.sink_wants = v->o->sink->wants;
		c.sarg = v->o->sink->arg;
	}
	v->par_end = sizeof(hdr) - 1;
	if (sb.st_size > v->par_end && (p = par_start(fd, v->par_end, sb.st_size, &c)) != NULL) {
		for (bi = 0; ret == 0 && (b = par_next(p, bi)) != NULL; bi++) {
			ret = b->failed ? PAR_AGAIN : stitch(v, fd, b, base, start);
			base += b->lines;
		}
		par_stop(p);
		v->par_end = sb.st_size;
	}
	v->par_lines = base;
	if (wl != watch)
		free(wl);
	return ret == 0 ? 1 : ret;
}

/* A log keeps its format: every header row before r must name the one
 * the first named.  A copy without one takes its genesis's, else the
 * one its first checked record verifies under (jukisec-log(5)
 * "Formats"); once known, the reader holds later header rows to it at
 * their own lines, as it does a header row's. */
static int
check_format(struct vstate *v, struct oplog_reader *rd, const struct oplog_record *r)
{
	int f = oplog_reader_format(rd);

	if (f == 0 && v->format == 0) {
		if (r->seq == 0 && is(r, OF_ACTION, "genesis"))
			use_format(v, strncmp(r->field[OF_DETAIL], "format=2 ", 9) == 0 ? 2 : 1, 0);
		else
			use_format(v, 1, 1);
	} else if (v->format == 0 && f != 0)
		use_format(v, f, 0);
	else if (f != 0 && f != v->format)
		return bad(v, r, _("a header row of format %d in a log of format %d"),
		    f, v->format);
	if (!v->guessed)
		oplog_reader_want(rd, v->format);
	return 0;
}

/* Verifies the records of fd (the live log when v->live), the first file
 * given when first.
 * Long: one pass over the file: what each record feeds (the rules,
 * the sink, the observer, segments, the good prefix, the head), then the
 * cases of its end (a torn tail, an I/O error). */
static int
verify_fd(struct vstate *v, int fd, int first)
{
	struct oplog_reader *rd = oplog_reader_open(fd, v->file);
	struct oplog_record *r;
	struct stat sb;
	const char *why;
	long long end;
	size_t line;
	int k, io, start = 1, reg;

	/* Only a first file may be a collector's copy (jukisec-log(5)
	 * "Verification", rule 1): a later one is an archive or the log, and
	 * without its header row records from anywhere would go on the chain,
	 * or start it past seq 0 as a copy, with no checkpoint to explain. */
	if (first && !v->live && !v->o->prefix)
		oplog_reader_copy(rd);
	if (v->format != 0 && !v->guessed)
		oplog_reader_want(rd, v->format);
	if (v->live || v->o->prefix)	/* the live log, as writers read it */
		oplog_reader_single(rd);
	if (v->par && (k = par_prefix(v, fd, &start)) < 0) {
		/* PAR_AGAIN, or -1: the sink said stop */
		oplog_reader_close(rd);
		return k;
	}
	if (v->par && k == 1)
		oplog_reader_resume(rd, v->par_end, v->par_lines);
	while ((k = oplog_reader_next(rd, &r)) == 1) {
		if (!v->have_prev && !v->live && !v->o->prefix && !oplog_reader_headed(rd))
			v->res->copy = 1;
		if (check_format(v, rd, r) == -1 ||
		    take(v, r, fd, oplog_reader_offset(rd), &start) == -1) {
			oplog_reader_close(rd);
			return -1;
		}
	}
	v->end = end = oplog_reader_offset(rd);
	reg = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	if (reg) {
		v->snap_size = sb.st_size;
		v->snap_dev = sb.st_dev;
		v->snap_ino = sb.st_ino;
	}
	if (k == -1) {
		why = oplog_reader_error(rd, &line, &io);
		if (io && !v->mac_failed) {
			io_fail(v, v->file, why);
			oplog_reader_close(rd);
			return -1;
		}
		if (v->live && v->head_why == NULL && oplog_reader_torn(rd) > 0 &&
		    end >= v->hs.h[v->hs.pick].size) {
			bad_line(v, line, _("%zu bytes after the last record: an unfinished append "
			    "(the next append cuts it and logs a repair)"), oplog_reader_torn(rd));
			if (!v->mac_failed)	/* no record the MAC pass found first */
				v->res->bad_kind = OPLOG_BAD_UNFINISHED;
		} else
			bad_line(v, line, "%s", why);
		if (v->live)
			settle(v);
		oplog_reader_close(rd);
		return -1;
	}
	/* Neither a header row nor a record: not even an empty archive. */
	if (start && !oplog_reader_headed(rd)) {
		oplog_reader_close(rd);
		return bad_line(v, 1, "%s", _("empty file, no header row"));
	}
	oplog_reader_close(rd);
	if (!v->live && !v->res->copy && reg && sb.st_size != end)
		return bad(v, NULL, _("file changed while being read"));
	return 0;
}

/* Exactly the line --head prints (its LF may follow): the seq in the
 * log's decimal form, the MAC in 64 lowercase hex digits, one space
 * between, nothing else. */
int
oplog_anchor_parse(const char *s, long long *seq, unsigned char mac[OPLOG_MACLEN])
{
	static const char pre[] = "jukisec-log-anchor v1 seq=";
	const char *p, *m;
	size_t n;

	if (strncmp(s, pre, sizeof(pre) - 1) != 0)
		return -1;
	p = s + sizeof(pre) - 1;
	if ((m = strchr(p, ' ')) == NULL || strncmp(m, " mac=", 5) != 0 ||
	    oplog_decimal(p, m - p, seq) == -1)
		return -1;
	m += 5;
	n = strlen(m);
	if (n > 0 && m[n - 1] == '\n')
		n--;
	return hex_decode(m, n, mac, OPLOG_MACLEN);
}

/* The live log against its head, read before it: the slot rules, each
 * slot's hmac under its key, the records they name. */
static int
check_head(struct vstate *v)
{
	const struct oplog_head *h = &v->hs.h[v->hs.pick], *o = &v->hs.h[!v->hs.pick];

	v->file = OPLOG_HEADFILE;
	if (v->head_why != NULL)
		return bad(v, NULL, "%s", v->head_why);
	if (!v->head_seen)
		return bad(v, NULL, _("the log ends at seq %lld, the head says %lld: %s"),
		    v->prev.seq, h->seq, h->seq > v->prev.seq ? _("tail truncated") :
		    _("head rolled back"));
	if (v->hs.why[!v->hs.pick] == NULL && o->seq >= v->live_first && !v->other_seen)
		return bad(v, NULL, _("the log lacks seq %lld, which oplog.head's other slot "
		    "names"), o->seq);
	v->res->head_checked = 1;
	return 0;
}

/* oplog.key as keyfile_read() found it: the key of its epoch, which is
 * not ahead of the head (a log and head put back from an earlier epoch)
 * nor of the other slot (a slot of an earlier epoch put back beside the
 * head: every writer refuses a key ahead of either slot, since it re-signs
 * the slot left behind before it moves the key).  One that this user may
 * not open is not checked; one that is not there fails, since removing it
 * is how that rollback would pass without the key (writers refuse it too);
 * a garbled one is damage, not passed over in silence. */
static int
check_keyfile(struct vstate *v)
{
	const struct oplog_head *h = &v->hs.h[v->hs.pick], *o = &v->hs.h[!v->hs.pick];
	struct oplog_key *k = v->fkey;
	unsigned char *want;
	int ret = 0;

	v->file = OPLOG_KEYFILE;
	if (v->fkey_r == ST_FAIL && v->fkey_err == ENOENT) {
		v->res->key_missing = 1;
		ret = bad(v, NULL, "%s", _("missing: a log and head put back from "
		    "an earlier copy would pass unseen"));
	}
	else if (v->fkey_r == ST_FAIL || k == NULL)	/* not read: not checked */
		;
	else if (v->fkey_r != ST_OK)
		ret = bad(v, NULL, "%s", v->fkey_why);
	else if (k->t0 != v->vk->t0 || k->epoch_seconds != v->vk->epoch_seconds)
		ret = bad(v, NULL, "%s", _("the key of another log"));
	else if ((h->version == 2 || v->head_seen) && k->epoch > h->kepoch)
		ret = bad(v, NULL, _("key of epoch %lld is ahead of the head's (epoch %lld): "
		    "the log and its head were put back from an earlier copy"), k->epoch, h->kepoch);
	else if (h->version == 2 && k->epoch > o->kepoch) {
		/* a version 2 head's other slot parses and names its K */
		v->file = OPLOG_HEADFILE;
		ret = bad(v, NULL, _("slot %d: names key epoch %lld, behind oplog.key's "
		    "epoch %lld: put back from an earlier copy"), o->slot, o->kepoch, k->epoch);
	} else {
		want = xmalloc_secure(32);
		/* from the walk's key when it is not past the file's */
		if (v->kepoch <= k->epoch)
			oplog_key_at(v->k, v->kepoch, k->epoch, want);
		else
			oplog_key_at(v->vk->k0, 0, k->epoch, want);
		if (!ct_equal(want, k->k, 32))
			ret = bad(v, NULL, "%s", _("not the key of its epoch under this "
			    "verification key"));
		wipe(want, 32);
		gcry_free(want);
	}
	oplog_key_free(v->fkey);
	v->fkey = NULL;
	return ret;
}

/* Each slot's hmac under the key of its K, the first slot that fails
 * named: the slot of the lower K is checked first and the other's key
 * evolved on from its, so that the chain from K0 (an evolution per epoch
 * of the log) is walked once, not once per slot. */
static void
check_slots(struct vstate *v, int format)
{
	unsigned char *k = xmalloc_secure(32);
	long long from = 0;
	/* a seal's head names the next epoch */
	long long late = oplog_epoch_of(v->vk->t0, v->vk->epoch_seconds, v->o->now) + 1;
	int i, s, bad[2] = { 0, 0 };

	memcpy(k, v->vk->k0, 32);
	for (i = 0; i < 2; i++) {
		s = i ^ (v->hs.h[1].kepoch < v->hs.h[0].kepoch);
		if (v->hs.why[s] != NULL)	/* an older log's one-line head */
			continue;
		/* the key is evolved to K before its hmac is checked: a K past
		 * the verification time's epoch (which no writer writes) would
		 * take as many HMACs as it says, for a head refused anyway */
		if (!v->o->any_time && v->hs.h[s].kepoch > late) {
			if (v->head_why == NULL) {
				snprintf(v->head_msg, sizeof(v->head_msg),
				    _("slot %d: names key epoch %lld, beyond the "
				    "verification time's %lld"), s, v->hs.h[s].kepoch, late - 1);
				v->head_why = v->head_msg;
			}
			continue;
		}
		if (v->hs.h[s].kepoch > from) {
			oplog_key_at(k, from, v->hs.h[s].kepoch, k);
			from = v->hs.h[s].kepoch;
		}
		bad[s] = oplog_head_check(&v->hs.h[s], k, from, format) == -1;
	}
	wipe(k, 32);
	gcry_free(k);
	for (i = 0; i < 2 && v->head_why == NULL; i++)
		if (bad[i]) {
			snprintf(v->head_msg, sizeof(v->head_msg),
			    _("slot %d: head hmac does not verify"), i);
			v->head_why = v->head_msg;
		}
}

/* oplog.key, opened and read once, before the head: -1 when it is
 * refused for its mode, owner or type, an operational failure that
 * open_live notes once the head and the log are found in place and
 * run_end says once everything else verifies (key_refused); whether it
 * holds the key of its epoch is checked at the end (check_keyfile).
 * Writers save the head before the key, so a key read before the head is
 * never ahead of it but for a log put back. */
static int
keyfile_read(struct vstate *v, struct store *st)
{
	int err;

	oplog_key_free(v->fkey);
	v->fkey = oplog_key_new();
	v->fkey_r = oplog_key_read(st, v->fkey, &v->fkey_why);
	v->fkey_err = err = errno;
	return v->fkey_r == ST_FAIL && err != ENOENT && err != EACCES ? -1 : 0;
}

/* The live log, its head and key file read.  A head or log missing or
 * refused is said alone, a key file refused only noted (run_end says
 * it): the one is tampering (or damage), the other operational, and a
 * key file planted as well must not hide the first, nor a record that
 * fails after it (someone who changed records could chmod oplog.key). */
static int
open_live(struct vstate *v, struct store *st)
{
	const char *why;
	int fd, key;

	key = keyfile_read(v, st);
	if (oplog_heads_read(st, &v->hs, O_RDONLY, &why) == -1) {
		if (v->hs.err == ENOENT) {
			v->file = OPLOG_HEADFILE;
			return bad(v, NULL, "%s", why);
		}
		v->res->refused = open_safe_refused(v->hs.err);
		return io_fail(v, OPLOG_HEADFILE, why);
	}
	v->file = OPLOG_FILE;
	if ((fd = store_openat(st, OPLOG_FILE, O_RDONLY, 0)) == -1) {
		if (errno == ENOENT)
			return bad(v, NULL, "%s", strerror(errno));
		v->res->refused = open_safe_refused(errno);
		return io_fail(v, OPLOG_FILE, open_safe_why(errno));
	}
	if (key == -1)
		snprintf(v->res->key_refused, sizeof(v->res->key_refused), "%s",
		    v->fkey_why);
	/* A bad head is reported after the records: a wrong key shows as
	 * the first record's MAC, not as the head's.  The head's tag names
	 * the log's format: the one of the archives before it, else its
	 * header row's (a damaged one fails on its own). */
	if ((v->head_why = oplog_heads_pick(&v->hs)) == NULL)
		check_slots(v, v->format != 0 ? v->format : oplog_header_at(fd, 0) == 2 ? 2 : 1);
	/* no committed end without a head: none of the live log's records;
	 * nor does the head bound the records of the files read before the
	 * live log (one put back from before a prune may name one of theirs),
	 * which one core has shown by now */
	v->sink_upto = v->have_prev ? v->prev.seq : -1;
	if (v->head_why == NULL && v->hs.h[v->hs.pick].seq > v->sink_upto)
		v->sink_upto = v->hs.h[v->hs.pick].seq;
	return fd;
}

static int run_end(struct vstate *);
static int macq_worth(struct store *, const struct oplog_verify_opts *);
static long long last_handed(const struct vstate *);

/* The state before a file that is verified a block per core, so that a
 * failed block sends the verifier back to that file's start, not to the
 * chain's: the files before it are not read again, and one of them may
 * have been a pipe (standard input), which gives its bytes once.  Its
 * members are its own copies of what the file's records may change. */
struct vsave {
	struct vstate	v;		/* shallow: but for the copies below */
	struct oplog_verify_result res;
	unsigned char	*k;		/* K(v.kepoch), secure memory */
	struct pending	*pend;
	struct seg	*seg;
	char		*anchor_seen;
	int		taken;
};

static struct pending *
pending_dup(const struct pending *p)
{
	struct pending *c;
	int i;

	if (p == NULL)
		return NULL;
	c = xmalloc(sizeof(*c));
	*c = *p;
	for (i = 0; i < OPLOG_NFIELDS; i++)	/* into its own store */
		c->rec.field[i] = c->store + (p->rec.field[i] - p->store);
	c->key = xmalloc_secure(32);
	memcpy(c->key, p->key, 32);
	return c;
}

static void
vsave_take(const struct vstate *v, struct vsave *s)
{
	s->v = *v;
	s->res = *v->res;
	s->k = xmalloc_secure(32);
	memcpy(s->k, v->k, 32);
	s->pend = pending_dup(v->pend);
	s->seg = xcalloc(v->nseg + 1, sizeof(*s->seg));
	if (v->nseg > 0)		/* v->seg: NULL before the first */
		memcpy(s->seg, v->seg, v->nseg * sizeof(*s->seg));
	s->anchor_seen = xcalloc(v->o->nanchors + 1, 1);
	memcpy(s->anchor_seen, v->anchor_seen, v->o->nanchors);
	s->taken = 1;
}

/* v's chain as s took it, in this pass or in the one before (a live log
 * that a writer moved).  v keeps what it owns (its MAC handles and
 * queue, its buffers, oplog.key as read), how it reads from here on, and
 * what the sink got meanwhile, which is not handed or said verified
 * again (struct carry); the carry's record, when before the files to
 * read again, is the one the sink got (its bytes are not read again). */
static void
vsave_back(struct vstate *v, const struct vsave *s)
{
	struct vstate now = *v;

	pending_free(v->pend);
	*v = s->v;
	*v->res = s->res;
	v->mac = now.mac;
	v->q = now.q;
	v->par = now.par;
	v->want_q = now.want_q;
	v->fkey = now.fkey;
	v->k = now.k;
	memcpy(v->k, s->k, 32);
	v->seg = now.seg;
	v->segcap = now.segcap;
	if (v->segcap < v->nseg) {
		v->segcap = v->nseg;
		v->seg = xrealloc(v->seg, v->segcap * sizeof(*v->seg));
	}
	if (v->nseg > 0)
		memcpy(v->seg, s->seg, v->nseg * sizeof(*v->seg));
	v->anchor_seen = now.anchor_seen;
	memcpy(v->anchor_seen, s->anchor_seen, v->o->nanchors);
	v->pend = pending_dup(s->pend);
	v->skip_upto = last_handed(&now);
	v->shown = now.shown;
	v->confirm = now.confirm;
	memcpy(v->confirm_mac, now.confirm_mac, OPLOG_MACLEN);
	if (v->confirm >= 0 && v->have_prev && v->confirm <= v->prev.seq)
		v->confirmed = 1;
	if (v->format != 0)
		use_format(v, v->format, v->guessed);	/* the queue, if wanted */
	v->mac.epoch = -1;			/* keyed again at the next MAC */
}

static void
vsave_free(struct vsave *s)
{
	wipe(s->k, 32);
	gcry_free(s->k);
	pending_free(s->pend);
	free(s->seg);
	free(s->anchor_seen);
}

/* verify_fd(), and when a block of the parallel pass failed, the file
 * again from its start in one pass, which names the first failure as it
 * always did; the rest of the chain then goes in one pass too.  fd is a
 * regular file then (par_prefix() takes no other), its offset unmoved
 * (the pass reads with pread(2)). */
static int
verify_file(struct store *st, struct vstate *v, int fd, int first)
{
	struct vsave s;
	int r;

	if (!v->par)
		return verify_fd(v, fd, first);
	vsave_take(v, &s);
	if ((r = verify_fd(v, fd, first)) == PAR_AGAIN) {
		v->par = 0;
		v->want_q = macq_worth(st, v->o);
		vsave_back(v, &s);
		if (first && v->o->observer)
			v->o->observer->start(v->o->observer->arg);
		r = verify_fd(v, fd, first);
	}
	vsave_free(&s);
	return r;
}

/* The live log named as the chain's last file, after others: the state
 * they left, kept in pre for a pass after this one (a writer moved the
 * log) to start from, so that they are not read again (standard input
 * gives its bytes once).  What the MAC queue holds is checked first: the
 * state kept is verified.  0, or -1 (res says why). */
static int
before_live(struct vstate *v, struct vsave *pre)
{
	size_t line;
	long long seq;
	const char *file;

	if (v->q && macq_drain(v->q, &line, &seq, &file))
		return bad(v, NULL, "%s", "");	/* reports the worker's record */
	if (!pre->taken)
		vsave_take(v, pre);
	return 0;
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Whether file i is the live log of st: the chain's last file, open on
 * DIR/oplog.csv (fd; standard input too) or, before it is opened (fd -1),
 * named so: its own entry, or the one it leads to, is DIR/oplog.csv's.
 * That entry is looked at without following it, so that a link, a FIFO
 * or a directory planted there is refused as the live log (open_live),
 * not followed to a file verified as a copy without its head, nor waited
 * on as a FIFO; a caller's own link or FIFO elsewhere is theirs.  Whatever
 * the files before it are: a first one read as a collector's copy (its
 * header row deleted, perhaps) must not spare the log its head, key file
 * and epochs, or a tail cut would pass. */
static int
is_live(struct store *st, const struct oplog_verify_opts *o, size_t i, int fd)
{
	const char *path = o->files[i];
	struct stat lsb, sb;

	if (i != o->nfiles - 1 || st == NULL || o->prefix ||
	    fstatat(st->dirfd, OPLOG_FILE, &lsb, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	if (fd != -1)
		return fstat(fd, &sb) == 0 && same_file(&sb, &lsb);
	return strcmp(path, "-") != 0 &&
	    ((lstat(path, &sb) == 0 && same_file(&sb, &lsb)) ||
	    (stat(path, &sb) == 0 && same_file(&sb, &lsb)));
}

/* The seq oplog.head named as the check began (hs, read after the key
 * file k and before the log fd, as open_live reads them), when it shows
 * the log in place then, not a head and log put back from an earlier
 * copy, which whoever may write the state directory can rename in: the
 * slot the rules pick verifies under its key (of the format fd's header
 * row names), which, nor a version 2 head's other slot's, is not behind
 * oplog.key's, the key of its epoch (k NULL: this user may not read it,
 * not checked, as check_keyfile does not); else -1. */
static long long
start_head(const struct vstate *v, struct oplog_heads *hs, const struct oplog_key *k,
    int fd)
{
	const struct oplog_head *h;
	unsigned char *kk;
	long long late, from = 0, seq = -1;

	if (oplog_heads_pick(hs) != NULL)
		return -1;
	h = &hs->h[hs->pick];
	/* no more key steps than check_slots() takes */
	late = oplog_epoch_of(v->vk->t0, v->vk->epoch_seconds, v->o->now) + 1;
	if ((!v->o->any_time && h->kepoch > late) || (k != NULL &&
	    (k->t0 != v->vk->t0 || k->epoch_seconds != v->vk->epoch_seconds ||
	    k->epoch > h->kepoch ||
	    (h->version == 2 && k->epoch > hs->h[!hs->pick].kepoch))))
		return -1;
	kk = xmalloc_secure(32);
	oplog_key_at(v->vk->k0, 0, k != NULL ? k->epoch : 0, kk);
	if (k != NULL)
		from = k->epoch;
	if ((k == NULL || ct_equal(kk, k->k, 32)) &&
	    oplog_head_check(h, kk, from, oplog_header_at(fd, 0) == 2 ? 2 : 1) == 0)
		seq = h->seq;
	wipe(kk, 32);
	gcry_free(kk);
	return seq;
}

/* DIR/oplog.csv before the chain's first file is read, when the live log
 * comes last after others: its inode, which a log-prune that renames a
 * new log in while they are read changes (open_live_at); its first seq,
 * and its head's when the head holds (start_head): they tell a prune
 * meanwhile from a log renamed over by a copy of itself, or by one put
 * back, while the files lack what a prune moved before (at_seam,
 * pruned_meanwhile). */
static void
live_before(struct store *st, struct vstate *v)
{
	struct oplog_key *k;
	struct oplog_heads hs;
	struct oplog_reader *rd;
	struct oplog_record *r;
	struct stat sb;
	const char *why;
	int fd, kr, hr;

	if (st == NULL || v->o->nfiles < 2 || v->o->prefix ||
	    !is_live(st, v->o, v->o->nfiles - 1, -1))
		return;
	k = oplog_key_new();
	if ((kr = oplog_key_read(st, k, &why)) == ST_FAIL && errno == EACCES) {
		oplog_key_free(k);
		k = NULL;
		kr = ST_OK;
	}
	hr = oplog_heads_read(st, &hs, O_RDONLY, &why);
	if ((fd = store_openat_st(st, OPLOG_FILE, O_RDONLY, 0, &sb)) != -1) {
		v->start_known = 1;
		v->start_dev = sb.st_dev;
		v->start_ino = sb.st_ino;
		if (kr == ST_OK && hr == 0)
			v->start_head = start_head(v, &hs, k, fd);
		rd = oplog_reader_open(fd, OPLOG_FILE);
		oplog_reader_single(rd);
		if (oplog_reader_next(rd, &r) == 1)
			v->start_first = r->seq;
		oplog_reader_close(rd);
		close(fd);
	}
	oplog_key_free(k);
}

/* The live log as file i, the chain's last: the files before it as they
 * were left (before_live). */
static int
open_live_at(struct store *st, struct vstate *v, size_t i, struct vsave *pre)
{
	struct stat sb;
	int fd;

	if (i > 0 && before_live(v, pre) == -1)
		return -1;
	if ((fd = open_live(v, st)) == -1)
		return -1;
	v->replaced = i > 0 && v->start_known && (fstat(fd, &sb) == -1 ||
	    sb.st_dev != v->start_dev || sb.st_ino != v->start_ino);
	v->live = 1;
	v->file = v->o->files[i];
	return fd;
}

/* Opens file i of the chain: fd, or -1 (res says why). */
static int
open_file(struct store *st, struct vstate *v, size_t i, struct vsave *pre)
{
	const struct oplog_verify_opts *o = v->o;
	int fd;

	v->live = o->nfiles == 0;
	if (v->live)
		return open_live(v, st);
	v->file = strcmp(o->files[i], "-") == 0 ? "<stdin>" : o->files[i];
	if (is_live(st, o, i, -1))
		return open_live_at(st, v, i, pre);
	fd = strcmp(o->files[i], "-") == 0 ? dup(STDIN_FILENO) :
	    open(o->files[i], O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return io_fail(v, v->file, strerror(errno));
	if (is_live(st, o, i, fd)) {
		close(fd);
		return open_live_at(st, v, i, pre);
	}
	return fd;
}

/* The chain, or, with pre taken (a pass after one that a writer's move
 * failed), the live log after the state pre kept. */
static int
run(struct store *st, struct vstate *v, struct vsave *pre)
{
	const struct oplog_verify_opts *o = v->o;
	size_t i = 0, n = o->nfiles ? o->nfiles : 1;
	int fd, r;

	if (pre->taken) {
		vsave_back(v, pre);
		i = n - 1;
	} else
		live_before(st, v);
	for (; i < n; i++) {
		if ((fd = open_file(st, v, i, pre)) == -1)
			return -1;
		r = verify_file(st, v, fd, i == 0);
		close(fd);
		if (r < 0)
			return r;
		v->res->end_offset = v->end;
	}
	return run_end(v);
}

static int
run_end(struct vstate *v)
{
	const struct oplog_verify_opts *o = v->o;
	long long now_e, covered;
	char tm[TIME_BUFSZ];
	size_t line, i;
	long long seq;
	const char *file;

	if (v->q && macq_drain(v->q, &line, &seq, &file))
		return bad(v, NULL, "%s", "");	/* reports the worker's record */
	if (!v->have_prev) {
		/* Archives of prunes that removed nothing hold a header row
		 * alone; the live log always holds its genesis or a checkpoint. */
		if (v->live || o->nanchors > 0)
			return bad(v, NULL, _("no records"));
		return 0;
	}
	if (v->pend && v->res->copy)
		v->res->copy_start = v->pend->rec.seq;
	else if (v->pend)
		return bad_pending(v);
	for (i = 0; i < o->nanchors; i++)
		if (!v->anchor_seen[i]) {
			if (o->anchors[i].seq > v->prev.seq)
				return bad(v, NULL, _("the log ends at seq %lld, before the anchor's "
				    "seq %lld: tail truncated"), v->prev.seq, o->anchors[i].seq);
			return bad(v, NULL, _("the log starts at seq %lld, after the anchor's "
			    "seq %lld (pruned): use a newer anchor"), v->res->first_seq,
			    o->anchors[i].seq);
		}
	if (!v->live)
		return 0;
	if (check_head(v) == -1 || check_keyfile(v) == -1)
		return -1;
	now_e = oplog_epoch_of(v->vk->t0, v->vk->epoch_seconds,
	    o->sealed_given ? o->sealed_at : o->now);
	covered = v->prev.epoch + v->prev.seal;
	if (covered < now_e - 1) {
		time_format(v->prev.time, tm);
		v->file = OPLOG_FILE;
		return bad(v, NULL, _("epochs %lld to %lld unsealed: the log stops at %s "
		    "(tail cut, or no log-append --seal from cron)"), covered, now_e - 1, tm);
	}
	/* the log verifies: oplog.key refused is the failure now (exit 3) */
	if (v->res->key_refused[0] != '\0')
		return io_fail(v, OPLOG_KEYFILE, v->res->key_refused);
	return 0;
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

/* The MACs in a thread of their own: only with a second core to run it
 * on, and a log long enough to pay for the hand-off. */
static int
macq_worth(struct store *st, const struct oplog_verify_opts *o)
{
	return !o->inline_macs && par_threads() >= 2 && big_enough(st, o);
}

/* A result that says nothing yet: ST_OK, every seq unknown. */
static void
res_init(struct oplog_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = ST_OK;
	res->bad_seq = -1;
	res->copy_start = -1;
	res->start_unshown = -1;
	res->start_checkpoint_seq = -1;
}

static void
vstate_init(struct vstate *v, const struct oplog_vkey *vk,
    const struct oplog_verify_opts *o, struct oplog_verify_result *res)
{
	res_init(res);
	memset(v, 0, sizeof(*v));
	v->vk = vk;
	v->o = o;
	v->res = res;
	v->live_first = -1;
	v->shown = -1;
	v->handed = -1;
	v->skip_upto = -1;
	v->confirm = -1;
	v->seam = -1;
	v->sink_upto = LLONG_MAX;
	v->start_first = v->start_head = -1;
	v->anchor_seen = xcalloc(o->nanchors + 1, 1);
	v->k = xmalloc_secure(32);
	memcpy(v->k, vk->k0, 32);
	mac_open_verify(&v->mac);
}

static void
vstate_end(struct vstate *v)
{
	chain_at(v, &v->res->end);
}

static void
vstate_free(struct vstate *v)
{
	mac_close(&v->mac);
	wipe(v->k, 32);
	gcry_free(v->k);
	pending_free(v->pend);
	v->pend = NULL;
	oplog_key_free(v->fkey);
	v->fkey = NULL;
	free(v->seg);
	free(v->anchor_seen);
}

static long long
last_handed(const struct vstate *v)
{
	return v->handed > v->skip_upto ? v->handed : v->skip_upto;
}

static void
carry_in(struct vstate *v, const struct carry *from)
{
	v->skip_upto = from->seq;
	v->shown = from->shown;
	v->confirm = from->seq;
	memcpy(v->confirm_mac, from->mac, OPLOG_MACLEN);
}

/* For a sink, what a failed pass leaves to the next one (struct carry):
 * 0, or -1 when it cannot: records handed on and not verified (a MAC
 * failed: never a writer's doing; or a pruned first record unexplained),
 * or the last one handed on is neither the last one stepped nor the
 * head's (those after it verified, not handed on). */
static int
carry_out(const struct vstate *v, struct carry *c)
{
	long long last = last_handed(v);

	if (last > v->shown)
		return -1;
	if (last > c->seq) {
		if (v->have_prev && v->prev.seq == last)
			memcpy(c->mac, v->prev.mac, OPLOG_MACLEN);
		else if (v->head_seen && v->at_head.seq == last)
			memcpy(c->mac, v->at_head.mac, OPLOG_MACLEN);
		else
			return -1;
		c->seq = last;
	}
	c->shown = v->shown;
	return 0;
}

/* The sink's last word on a pass: every record stepped (v->prev) has
 * verified once the MAC worker has checked those queued (some, as the
 * genesis, were checked here), and the worker stops at its first failure,
 * in file order; unless a pruned first record is still unexplained.  Not
 * the seq before the bad line's: a line out of place (a copy of the last
 * record, or of one far back) carries a seq of its own, and the records
 * before it must still be shown, as one core shows them. */
static void
sink_end(struct vstate *v)
{
	struct oplog_verify_result *res = v->res;
	long long upto, seq;
	size_t line;
	const char *file;

	if (v->stopped) {
		res->status = ST_FAIL;
		res->reason[0] = '\0';
		return;
	}
	if (!v->o->sink || !v->have_prev || v->diverged)
		return;
	if (res->status != ST_OK && v->pend && !v->pend->early && !v->pend->start)
		return;
	/* the worker failed the checkpoint that verified the first record,
	 * or a record before it: none is verified, as on one core */
	if (v->mac_failed && !v->start_early &&
	    res->bad_seq <= res->start_checkpoint_seq)
		return;
	upto = v->prev.seq;
	if (!v->mac_failed && v->q && macq_drain(v->q, &line, &seq, &file) &&
	    seq - 1 < upto)
		upto = seq - 1;		/* a failure no report has named */
	if (v->mac_failed && res->bad_seq - 1 < upto)
		upto = res->bad_seq - 1;
	if (upto > v->sink_upto)
		upto = v->sink_upto;
	if (upto > v->shown) {
		v->shown = upto;
		v->o->sink->verified(v->o->sink->arg, upto);
	}
}

static void
verify_once(struct store *st, const struct oplog_vkey *vk,
    const struct oplog_verify_opts *o, struct oplog_verify_result *res,
    struct vstate *v, const struct carry *from, struct vsave *pre)
{
	int k;

	vstate_init(v, vk, o, res);
	carry_in(v, from);
	if (o->observer)
		o->observer->start(o->observer->arg);
	/* Blocks verified apart, a block per core: a sink that says which
	 * records it wants gets those once each block is done, in file order,
	 * from the bytes the workers verified (sink_run), an observer those
	 * it wants, read again; any other caller sees every record from one
	 * pass.  On one core too: one worker's pass over a block costs less
	 * per record than the sequential rules (which carry the state every
	 * record may need: segments, the good prefix, the head), and the
	 * caller, woken once for PAR_BATCH blocks, steps over the runs
	 * (issue 15: log-verify of the bench's 64 MiB log, taskset -c 0, 128
	 * ms against 145-154).  An observer cannot be taken back to a file
	 * after the first (verify_file()): it rides along the live log alone. */
	v->par = (!o->sink || (o->sink->wants && o->sink->skipped)) &&
	    (!o->observer || (o->observer->wants && o->nfiles <= 1)) && !o->prefix;
	if (!v->par && macq_worth(st, o))
		v->want_q = 1;
	k = run(st, v, pre);
	if (k == -1 && res->status == ST_OK)
		res->status = ST_NO;
	if (res->status == ST_OK && v->confirm >= 0 && !v->confirmed)
		v->diverged = 1;
	sink_end(v);
	if (v->have_prev)
		vstate_end(v);
	res->committed = v->head_seen ? v->at_head : res->end;
	macq_stop(v->q);
	v->q = NULL;
	vstate_free(v);
}

struct oplog_verifier {
	struct vstate		v;
	struct oplog_verify_opts o;
	int			clock;	/* o.now is the clock, read at each record */
};

struct oplog_verifier *
oplog_verifier_new(const struct oplog_vkey *vk, const struct oplog_chain *from,
    const int64_t *now, struct oplog_verify_result *res)
{
	struct oplog_verifier *ver = xcalloc(1, sizeof(*ver));
	struct vstate *v = &ver->v;
	struct oplog_chain c = *from;	/* from may be res->end */
	int format = res->format;	/* vstate_init clears res */

	ver->clock = now == NULL;
	ver->o.now = now != NULL ? *now : time_now_ms();
	from = &c;
	vstate_init(v, vk, &ver->o, res);
	if (format != 0)
		use_format(v, format, 0);
	v->have_prev = 1;
	v->prev.seq = from->seq;
	v->prev.epoch = from->epoch;
	v->prev.time = from->time;
	v->prev.seal = from->seal;
	memcpy(v->prev.mac, from->mac, OPLOG_MACLEN);
	v->cur_n = from->erecs;
	v->epoch_whole = from->whole;
	/* What check_prune() looks back to: the last checkpoint (or a start
	 * at seq 0), and the live log, which begins where the chain did
	 * until a prune renames a new one in. */
	res->first_seq = from->first;
	v->have_cp = from->cp_last >= 0;
	v->cp_last = from->cp_last;
	v->live = 1;
	v->live_first = from->first;
	res->end = *from;
	return ver;
}

void
oplog_verifier_live(struct oplog_verifier *ver, const struct oplog_record *r,
    const char *file)
{
	struct vstate *v = &ver->v;

	if (r->seq == v->live_first)
		return;		/* the start verified before */
	/* A new start, which the checkpoint that explains it must chain
	 * (check_prune); the one before, if unexplained, is gone with its
	 * file, as from a verification of the log now. */
	pending_free(v->pend);
	v->pend = NULL;
	v->live_first = r->seq;
	v->file = file;
	keep_pending(v, r);
}

int
oplog_verifier_add(struct oplog_verifier *ver, const struct oplog_record *r,
    const char *file)
{
	ver->v.file = file;
	if (ver->clock)
		ver->o.now = time_now_ms();
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

/* 1 if the live log is, under the log lock, as the failed verification saw
 * it (its head's bytes, its inode and size): then no writer was in flight
 * and the failure stands; 0 if it moved; -1 if the lock failed (*e says
 * why).  A member of the state directory's group may not open oplog.lock
 * (the owner's alone, STORE_LOCK_DENIED) and looks without it: a writer
 * half way through its write is not waited for, and a failure in what it
 * has written so far stands if the log has not moved since. */
static int
unmoved(struct store *st, const struct vstate *v, struct jerr *e)
{
	struct oplog_heads now;
	struct stat sb;
	const char *why;
	int same;

	if (store_lock_err(st, STORE_LOCK_LOG, e) != ST_OK)
		return -1;
	same = oplog_heads_read(st, &now, O_RDONLY, &why) == 0 && now.nraw == v->hs.nraw &&
	    memcmp(now.raw, v->hs.raw, now.nraw) == 0 &&
	    fstatat(st->dirfd, OPLOG_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    sb.st_dev == v->snap_dev && sb.st_ino == v->snap_ino && sb.st_size == v->snap_size;
	/* oplog.lock made by a writer while read without it: moved */
	if (!store_unlock_stands(st, STORE_LOCK_LOG))
		same = 0;
	return same;
}

static int pruned_meanwhile(struct store *, const struct oplog_vkey *,
    const struct oplog_verify_opts *, struct oplog_verify_result *, long long,
    long long);

static int
verify_tries(struct store *st, const struct oplog_vkey *vk,
    const struct oplog_verify_opts *o, struct oplog_verify_result *res,
    struct vsave *pre)
{
	struct vstate v;
	struct carry c = { -1, -1, { 0 } };
	struct oplog_verify_result before;
	int tries, k;

	for (tries = 1;; tries++) {
		verify_once(st, vk, o, res, &v, &c, pre);
		if (v.diverged) {
			*res = before;
			return res->status;
		}
		if (res->status == ST_NO && v.seam >= 0)
			return pruned_meanwhile(st, vk, o, res, v.seam, v.start_head);
		if (res->status != ST_NO || !v.live || v.stable || st == NULL || o->prefix ||
		    tries == TRIES || (o->sink && carry_out(&v, &c) == -1))
			return res->status;
		if ((k = unmoved(st, &v, &res->err)) == 1)
			return res->status;
		/* A lock file refused for its type, owner or mode was planted:
		 * no writer takes it either, so none is at work.  The failure
		 * stands, res->err said after it, not in its place. */
		if (k == -1 && st->lock_refused[STORE_LOCK_LOG])
			return res->status;
		if (k == -1) {
			res->status = ST_FAIL;
			snprintf(res->bad_file, sizeof(res->bad_file), "%s", "oplog.lock");
			snprintf(res->reason, sizeof(res->reason), "%s", _("lock timeout"));
			res->bad_line = 0;
			return res->status;
		}
		before = *res;
	}
}

/* The chain's live log was renamed in while the files before it were read,
 * and begins after records they lack, seq on, where the log in place
 * when they began to be read began, and whose head named record head
 * (at_seam).  A log-prune that committed meanwhile leaves just that: what
 * was read of the archive ends where the old log began, the new log
 * begins after the records it moved.  Then the log verifies alone, its
 * head, key file, seals and the anchors past seq too, and the checkpoint
 * that explains its start removed records from seq on and came after
 * that head, not before the check began: not tampering, but no chain to
 * verify either, an operational failure to run again (ST_FAIL).  Else
 * the failure res holds stands (an archive that lacks what a prune moved
 * long ago, the log renamed over by a copy of itself meanwhile). */
static int
pruned_meanwhile(struct store *st, const struct oplog_vkey *vk,
    const struct oplog_verify_opts *o, struct oplog_verify_result *res,
    long long seq, long long head)
{
	struct oplog_verify_opts lo;
	struct oplog_verify_result *lr = xmalloc(sizeof(*lr));
	struct oplog_anchor *an = xcalloc(o->nanchors + 1, sizeof(*an));
	struct vsave pre;
	long long first, last;
	size_t i;

	memset(&lo, 0, sizeof(lo));
	lo.now = o->now;
	lo.any_time = o->any_time;
	lo.inline_macs = o->inline_macs;
	/* those before seq were found in the files read (at_seam) */
	for (i = 0; i < o->nanchors; i++)
		if (o->anchors[i].seq >= seq)
			an[lo.nanchors++] = o->anchors[i];
	lo.anchors = an;
	pre.taken = 0;
	if (verify_tries(st, vk, &lo, lr, &pre) == ST_OK &&
	    sscanf(lr->start_checkpoint, "removed=%lld-%lld ", &first, &last) == 2 &&
	    first == seq && lr->start_checkpoint_seq > head) {
		res->status = ST_FAIL;
		res->bad_line = 0;
		res->bad_seq = -1;
		snprintf(res->reason, sizeof(res->reason), _("pruned while the files "
		    "before it were read (log-prune removed records %lld-%lld): verify "
		    "again"), first, last);
	}
	if (pre.taken)
		vsave_free(&pre);
	free(an);
	free(lr);
	return res->status;
}

/* With prune_lock, a chain that ends in the live log is read under
 * DIR/prune.lock, shared: log-prune holds it for its whole run, and an
 * archive file gets the records it removes before the log loses them, so
 * a check in between would read the archive run past the log's start, or
 * cut back by a run that failed.  The lock is taken before any file is
 * read, so before oplog.lock (unmoved), in log-prune's order.  The fd, or
 * -1 when there is none to take: a member of the directory's group may not
 * open it (the owner's alone, and then pruned_meanwhile tells what it
 * can); none yet (no prune ran here); one refused for its type, owner or
 * mode, which every log-prune refuses too.  -2: no lock (*e says why). */
static int
prune_hold(struct store *st, const struct oplog_verify_opts *o, struct jerr *e)
{
	const char *last;
	int fd;

	if (!o->prune_lock || st == NULL || o->nfiles < 2 || o->prefix)
		return -1;
	last = o->files[o->nfiles - 1];
	if (!is_live(st, o, o->nfiles - 1, strcmp(last, "-") == 0 ? STDIN_FILENO : -1))
		return -1;
	if ((fd = store_openat(st, PRUNE_LOCK, O_RDONLY, 0)) == -1) {
		if (errno == EACCES || errno == ENOENT || open_safe_refused(errno))
			return -1;
		store_open_say(st, e, PRUNE_LOCK);
		return -2;
	}
	if (store_flock_wait(st, fd, LOCK_SH, PRUNE_LOCK, e) != ST_OK) {
		close(fd);
		return -2;
	}
	return fd;
}

int
oplog_prune_hold(struct store *st, const char *const *files, size_t nfiles,
    struct jerr *e)
{
	struct oplog_verify_opts o;

	memset(&o, 0, sizeof(o));
	o.files = files;
	o.nfiles = nfiles;
	o.prune_lock = 1;
	return prune_hold(st, &o, e);
}

/* The prune lock not had: the one failure, ST_FAIL; a tool prints e,
 * bad_file and reason say it in short, as for oplog.lock. */
static int
prune_unheld(struct oplog_verify_result *res, const struct jerr *e)
{
	res_init(res);
	res->status = ST_FAIL;
	snprintf(res->bad_file, sizeof(res->bad_file), "%s", PRUNE_LOCK);
	snprintf(res->reason, sizeof(res->reason), "%s",
	    e->errnum ? strerror(e->errnum) : _("lock timeout"));
	res->err = *e;
	return ST_FAIL;
}

int
oplog_verify(struct store *st, const struct oplog_vkey *vk,
    const struct oplog_verify_opts *o, struct oplog_verify_result *res)
{
	struct vsave pre;
	struct jerr e = JERR_INIT;
	int r, lockfd;

	if ((lockfd = prune_hold(st, o, &e)) == -2)
		return prune_unheld(res, &e);
	pre.taken = 0;
	r = verify_tries(st, vk, o, res, &pre);
	if (pre.taken)
		vsave_free(&pre);
	if (lockfd != -1)
		close(lockfd);	/* releases the flock */
	return r;
}
