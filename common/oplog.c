/*
 * oplog.c — the append path of the operation log (R6; jukisec-log(5)
 * "Writing").
 *
 * Invariants:
 *  - Everything happens under STORE_LOCK_LOG.  Before anything else a
 *    writer checks both slots of oplog.head under the key it holds
 *    (oplog_head.c): a head it cannot check, a key ahead of the head, a
 *    log shorter than a closed head, or whole lines after the head that do
 *    not chain, are refused (exit 3) and never re-signed; only
 *    log-append --recover, with the verification key, goes on from there.
 *    So is a file whose first line is not the header row, with log-prune's
 *    words (oplog_tail.c).  A refusal names the line where it can: the
 *    head's count, never a count of the file's lines.
 *  - oplog.csv is opened O_APPEND; a batch goes out in as few write(2)s as
 *    its size allows (one for an ordinary call), then one fdatasync(2);
 *    then the head is written into the slot that does not hold the head,
 *    and that is the commit.  A single record stops there (one sync per
 *    call): if its head is lost, the record is whole and chains under the
 *    current key, and the next writer takes it in (adopt).  Anything else
 *    is preceded by an open head, synced: bytes beyond an open head belong
 *    to an unfinished batch, and the next writer cuts them and logs a
 *    "repair" record; beyond a closed head only a torn last line is cut.
 *    A cut is itself preceded by an open head, so it is always logged.
 *    A refused batch cuts its bytes, syncs, and puts back the slot its
 *    open head overwrote: both files are as they were.
 *  - The head's hmac is keyed with the key of kepoch, the epoch of the key
 *    the writer holds after the append.  The key moves only forward and
 *    only after both head slots name its epoch (the slot left behind is
 *    re-signed), so a crash can leave the key file behind the head (the
 *    next writer evolves it) but never ahead of either slot.
 *  - A log-prune killed between its rename and its head leaves a log
 *    shorter than its open head: prune_recover() completes that head once
 *    the checkpoint verifies under the current key, and the writer logs a
 *    "repair" record for it.
 *  - Every epoch that ends gets its seal, under its own key, before any
 *    record of a later epoch.  Times never decrease (clamped; after a seal,
 *    the first millisecond of the next epoch).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "csvio.h"
#include "timeutil.h"
#include "oplog_priv.h"
#include "oplog_tail.h"
#include "prune.h"

#define FLUSH_AT	(1024 * 1024)

struct oplog_batch {
	struct store	*st;
	int		took_lock, fd;
	struct oplog_key *key;
	long long	disk_epoch;	/* key epoch in oplog.key */
	struct oplog_mac mac;
	struct oplog_head hd;		/* state after the last record emitted */
	struct oplog_head base;		/* state before the batch */
	struct oplog_head openhd;	/* base marked open, signed under K(base) */
	struct oplog_head slot[2];	/* what the slots of oplog.head hold */
	int		newest;		/* the slot holding the head */
	int		loaded_open;	/* the head read was open */
	int		intent;		/* no open head to write before the batch */
	int		own;		/* holds a special record of oplog_log_own */
	long long	adopted;	/* records taken in after the head */
	long long	cur, cur_n;	/* open epoch, its records so far */
	int		sealed;		/* cur has its seal */
	int64_t		now, tcache;
	char		tmcache[TIME_BUFSZ];
	long long	start_size, written, repaired;
	int		cutfile;	/* oplog.cut to remove after the commit */
	char		spare[OPLOG_HEADSLOT];	/* the other slot's bytes as read */
	int		spare_slot;	/* which slot that is; -1: not kept */
	int		restore;	/* intent() wrote over it (restore_spare()) */
	long long	recovered;	/* -1, or the head's seq before prune_recover */
	int		head_format;	/* the format the heads read were written for; 0 */
	struct buf	out;
	void		(*during)(void *);	/* oplog_while_syncing's */
	void		*during_arg;
};

static const char *
field_problem(const char *name, const char *s, size_t max, int required)
{
	static char msg[128];
	const char *p;

	const unsigned char *u = (const unsigned char *)s;
	size_t n;

	/* Printable ASCII within the limit needs no UTF-8 decoding. */
	for (n = 0; u[n] >= 0x20 && u[n] <= 0x7e && n <= max; n++)
		;
	if (u[n] == '\0' && n <= max && (n > 0 || !required))
		return NULL;
	if (required && *s == '\0')
		p = _("empty");
	else if ((p = csv_field_problem(s, strlen(s), max, 0)) == NULL)
		return NULL;
	snprintf(msg, sizeof(msg), _("field %s: %s"), name, p);
	return msg;
}

const size_t oplog_rec_max[5] = {
	OPLOG_ID_MAX, OPLOG_WORD_MAX, OPLOG_OBJECT_MAX, OPLOG_WORD_MAX, OPLOG_DETAIL_MAX
};

static const char *
fields_problem(const struct oplog_rec *r)
{
	const char *p;

	if ((p = field_problem("operator", r->operator, OPLOG_ID_MAX, 1)) ||
	    (p = field_problem("action", r->action, OPLOG_WORD_MAX, 1)) ||
	    (p = field_problem("object", r->object, OPLOG_OBJECT_MAX, 0)) ||
	    (p = field_problem("result", r->result, OPLOG_WORD_MAX, 0)) ||
	    (p = field_problem("detail", r->detail, OPLOG_DETAIL_MAX, 0)))
		return p;
	return NULL;
}

const char *
oplog_rec_problem(const struct oplog_rec *r)
{
	const char *p;

	if ((p = fields_problem(r)) != NULL)
		return p;
	return oplog_rec_required(r);
}

const char *
record_problem(const struct oplog_record *rec)
{
	const struct oplog_rec r = { rec->field[OF_OPERATOR], rec->field[OF_ACTION],
	    rec->field[OF_OBJECT], rec->field[OF_RESULT], rec->field[OF_DETAIL] };

	return oplog_rec_problem(&r);
}

const char *
oplog_rec_required(const struct oplog_rec *r)
{
	static char msg[128];

	if (*r->operator == '\0' || *r->action == '\0') {
		snprintf(msg, sizeof(msg), _("field %s: %s"),
		    *r->operator == '\0' ? "operator" : "action", _("empty"));
		return msg;
	}
	/* The records the log writes itself (operator "-", jukisec-log(5)
	 * "Special records") are written only here: a reader recognises
	 * them by operator and action alone. */
	if (oplog_reserved(r->operator, r->action))
		return _("field action: reserved for the log's own records (operator -)");
	return NULL;
}

int
oplog_reserved(const char *operator, const char *action)
{
	static const char *const own[] = { "genesis", "seal", "repair", "log-prune",
	    "recover" };
	size_t i;

	if (strcmp(operator, "-") != 0)
		return 0;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(action, own[i]) == 0)
			return 1;
	return 0;
}

/* Before the first byte of a batch of several records: the head as it
 * stands, marked open and synced, so that a crash leaves bytes a writer
 * cuts rather than records it would take in (adopt).  Not twice: a slot
 * that holds that open head already is left alone. */
/*
 * A cut is written down in oplog.cut ("seq=S removed=N size=Z", replaced
 * atomically and synced) after its open head and before the ftruncate, so
 * that a writer killed between the cut and its repair record leaves what
 * it cut: the next writer, finding the head still open at seq S and
 * nothing after it, logs that repair.  Z is the log's size when the note
 * was written: a log still Z bytes long has not lost the Z - H bytes
 * after the head (size H) that N counts, and the next writer, cutting
 * them, counts them once (oplog_cut_noted).  So no writer adds a byte
 * after the head while the note gives another size than H: the cut made,
 * it is written again with Z = H, as it is by a writer that finds it and
 * nothing after the head; else the bytes a kill leaves of its batch could
 * be as many as those the note still counts, and taken for them.
 * A clean refusal of a batch (an open head, nothing after, no oplog.cut)
 * logs nothing.  The file is removed once the repair record is committed;
 * a stale one (another seq) is removed and ignored.
 */
static int
cut_note(struct oplog_batch *b, long long removed, long long size)
{
	struct atomic_file af;

	if (atomic_begin_as(&af, b->st->dirfd, OPLOG_CUTFILE, OPLOG_CUTTMP, 0600) == -1)
		goto fail;
	atomic_keep_group(&af);
	fprintf(af.fp, "seq=%lld removed=%lld size=%lld\n", b->hd.seq, removed, size);
	if (atomic_commit(&af) == 0) {
		b->cutfile = 1;
		return ST_OK;
	}
fail:
	jerr_say_errno(b->st->err, ST_FAIL, "%s/%s", b->st->dir, OPLOG_CUTFILE);
	return ST_FAIL;
}

/*
 * Only a writer under the log lock makes these, each under its fixed name
 * (atomic_begin_as, store_room), so one that is there when a writer takes
 * the lock is what a writer killed before its rename left: without this
 * it would stay for good.  The register lock's are removed by whoever
 * takes that lock (store_lock): a register writer may be making one
 * meanwhile.  The key's is overwritten
 * before it goes (destroy_file): it holds the key of an epoch the log has
 * left or is leaving, which nothing on the terminal may keep (jukisec-log(5)
 * "Keys").  Looked for first, so that a writer with nothing to remove
 * changes nothing.
 */
int
oplog_tmp_clear(struct store *st)
{
	static const char *const tmp[] = { OPLOG_KEYTMP, OPLOG_CUTTMP,
	    OPLOG_RECOVERTMP, STORE_ROOM_TMP };
	size_t i;

	for (i = 0; i < sizeof(tmp) / sizeof(tmp[0]); i++)
		if (atomic_clear(st->dirfd, tmp[i],
		    strcmp(tmp[i], OPLOG_KEYTMP) == 0) == -1) {
			jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, tmp[i]);
			return ST_FAIL;
		}
	return ST_OK;
}

/* After a commit: the note of a cut, now logged (or of before a
 * recovery), goes. */
static void
cut_forget(struct oplog_batch *b)
{
	if (unlinkat(b->st->dirfd, OPLOG_CUTFILE, 0) == -1 && errno != ENOENT)
		jerr_say_errno(b->st->err, ST_OK, "%s/%s", b->st->dir, OPLOG_CUTFILE);
}

/* oplog.cut opened as every file of the log is (jukisec-log(5) "Files"):
 * a descriptor; -1 with errno ENOENT when there is none; -2 refused (a
 * symbolic link, not a regular file, open to others), said. */
static int
cut_open(struct store *st)
{
	int fd;

	if ((fd = store_openat(st, OPLOG_CUTFILE, O_RDONLY, 0)) != -1 || errno == ENOENT)
		return fd;
	store_open_say(st, st->err, OPLOG_CUTFILE);
	return -2;
}

/* The note's one line, "seq=S removed=N size=Z" and its LF, read as
 * every file of the log is (kv_num: no sign, no leading zero), N above 0;
 * a note without size= (written before it) has *size -1.  0, or -1 when
 * the note does not read so. */
static int
cut_parse(const char *buf, long long *seq, long long *removed, long long *size)
{
	char line[96];
	const char *p = line, *lf = strchr(buf, '\n');
	size_t n;

	if (lf == NULL || lf[1] != '\0' || (n = (size_t)(lf - buf)) + 2 > sizeof(line))
		return -1;
	line[0] = ' ';		/* kv_num reads " KEY=VALUE" tokens */
	memcpy(line + 1, buf, n);
	line[n + 1] = '\0';
	*size = -1;
	if (kv_num(&p, "seq", 0, LLONG_MAX, seq) == -1 ||
	    kv_num(&p, "removed", 1, LLONG_MAX, removed) == -1 ||
	    (*p != '\0' && kv_num(&p, "size", 0, LLONG_MAX, size) == -1))
		return -1;
	return *p == '\0' ? 0 : -1;
}

long long
oplog_cut_noted(struct store *st, long long head_seq, long long head_size,
    long long log_size, long long *at, int *there)
{
	char buf[96];
	long long seq, removed, size;
	ssize_t n;
	int fd;

	*at = -1;
	if ((fd = cut_open(st)) < 0)
		return fd == -1 ? 0 : -1;
	*there = 1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	/* Any other note is stale; one without size= counts whole, as then. */
	if (cut_parse(buf, &seq, &removed, &size) == -1 || seq != head_seq ||
	    (size != -1 && (size < head_size || size - head_size > removed)))
		return 0;
	*at = size;
	return size == log_size ? removed - (size - head_size) : removed;
}

/* The bytes a killed writer cut after the head's seq, or 0, for a log of
 * size bytes; *at: the note's size=, or -1.  -1 when oplog.cut is
 * refused. */
static long long
cut_noted(struct oplog_batch *b, long long size, long long *at)
{
	return oplog_cut_noted(b->st, b->hd.seq, b->hd.size, size, at, &b->cutfile);
}

/* An open head with nothing after it: the cut noted was made, and the
 * note says so (size= the head's) before this writer adds a byte, which
 * a kill may leave after the head. */
static int
cut_made(struct oplog_batch *b)
{
	long long at;

	if ((b->repaired = cut_noted(b, b->hd.size, &at)) == -1)
		return ST_FAIL;
	if (b->repaired > 0 && at != b->hd.size)
		return cut_note(b, b->repaired, b->hd.size);
	return ST_OK;
}

static int
intent(struct oplog_batch *b)
{
	struct oplog_head *n = &b->slot[b->newest];
	int r;

	if (!(n->open && n->seq == b->openhd.seq && n->size == b->openhd.size)) {
		if ((r = oplog_head_write(b->st, &b->openhd, !b->newest, NULL, 1)) != ST_OK)
			return r;
		b->restore = b->openhd.slot == b->spare_slot;
		b->newest = b->openhd.slot;
		b->slot[b->newest] = b->openhd;
	}
	b->intent = 1;
	return ST_OK;
}

/* Cuts the file from size back to the head: announced by an open head
 * first, so that a crash leaves the same cut to do, and noted, so that it
 * is logged whatever happens before the commit. */
static int
cut(struct oplog_batch *b, long long size)
{
	long long before = 0, at;
	int r;

	/* A writer killed after its own cut, past an open head of the same
	 * seq, left that cut noted and uncommitted: this cut adds to it, so
	 * that every byte cut is in the one repair record.  Killed before
	 * its cut, it left these same bytes, which its note counts and
	 * cut_noted() leaves out. */
	if (b->loaded_open && (before = cut_noted(b, size, &at)) == -1)
		return ST_FAIL;
	b->repaired = before + size - b->hd.size;
	if ((r = intent(b)) != ST_OK || (r = cut_note(b, b->repaired, size)) != ST_OK)
		return r;
	if (ftruncate(b->fd, b->hd.size) == -1) {
		jerr_say_errno(b->st->err, ST_FAIL, "%s/%s", b->st->dir, OPLOG_FILE);
		return ST_FAIL;
	}
	return cut_note(b, b->repaired, b->hd.size);
}

/* The base of the batch is b->hd as it stands: its open form is signed now,
 * while the key in hand is still K(b->hd.kepoch). */
static void
set_base(struct oplog_batch *b)
{
	b->hd.open = 0;
	b->base = b->hd;
	b->openhd = b->hd;
	b->openhd.open = 1;
	if (b->mac.epoch != b->key->epoch)
		mac_setkey(&b->mac, b->key->k, b->key->epoch);
	b->openhd.version = 2;
	mac_head(&b->mac, &b->openhd, b->openhd.hmac);
}

/* Commits b->hd, a closed head keyed with the key in hand (kepoch), into
 * the slot that does not hold the head; re-signs the slot left behind when
 * it names an older key epoch; then lets the key file move. */
static int
commit_head(struct oplog_batch *b, int sync)
{
	int to = !b->newest, keep = b->newest, r;

	b->hd.kepoch = b->key->epoch;
	b->hd.open = 0;
	if (b->mac.epoch != b->key->epoch)
		mac_setkey(&b->mac, b->key->k, b->key->epoch);
	if ((r = oplog_head_write(b->st, &b->hd, to, &b->mac, sync)) != ST_OK)
		return r;
	b->slot[to] = b->hd;
	b->newest = to;
	if (b->slot[keep].kepoch < b->hd.kepoch) {
		b->slot[keep].kepoch = b->hd.kepoch;
		if ((r = oplog_head_write(b->st, &b->slot[keep], keep, &b->mac, 1)) != ST_OK)
			return r;
	}
	if (b->key->epoch != b->disk_epoch) {
		if ((r = oplog_key_save(b->st, b->key)) != ST_OK)
			return r;
		b->disk_epoch = b->key->epoch;
	}
	return ST_OK;
}

static int
flush(struct oplog_batch *b)
{
	size_t off = 0;
	ssize_t n;
	int r;

	if (!b->intent && b->out.len > 0 && (r = intent(b)) != ST_OK)
		return r;
	while (off < b->out.len) {
		if ((n = write(b->fd, b->out.p + off, b->out.len - off)) == -1) {
			if (errno == EINTR)
				continue;
			jerr_say_errno(b->st->err, ST_FAIL,
			    "%s/%s", b->st->dir, OPLOG_FILE);
			return ST_FAIL;
		}
		off += n;
		b->written += n;
	}
	b->out.len = 0;
	return ST_OK;
}

/* Decimal of n >= 0 into buf[24] (snprintf costs a tenth of a batch). */
static void
fmt_num(char *buf, long long n)
{
	char tmp[24];
	int i = 0, j = 0;

	do
		tmp[i++] = '0' + n % 10;
	while ((n /= 10) > 0);
	while (i > 0)
		buf[j++] = tmp[--i];
	buf[j] = '\0';
}

/* Appends one record of the open epoch b->cur at time t to the buffer. */
static int
emit(struct oplog_batch *b, int64_t t, const char *operator, const char *action,
    const char *object, const char *result, const char *detail)
{
	char seq[24], epoch[24], tm[TIME_BUFSZ], hex[2 * OPLOG_MACLEN + 1];
	const char *f[OPLOG_NFIELDS];
	size_t len[OPLOG_NFIELDS];
	int i;

	while (b->key->epoch < b->cur) {
		oplog_evolve(b->key->k);
		b->key->epoch++;
	}
	if (b->mac.epoch != b->key->epoch)
		mac_setkey(&b->mac, b->key->k, b->key->epoch);
	fmt_num(seq, b->hd.seq + 1);
	fmt_num(epoch, b->cur);
	if (t != b->tcache) {
		time_format(t, b->tmcache);
		b->tcache = t;
	}
	memcpy(tm, b->tmcache, sizeof(tm));
	f[OF_SEQ] = seq;
	f[OF_TIME] = tm;
	if (b->st->terminal == NULL)	/* a reader's store (STORE_READER) */
		errx(ST_FAIL, "internal error: a record from a tool that writes none");
	f[OF_TERMINAL] = b->st->terminal;
	f[OF_OPERATOR] = operator;
	f[OF_ACTION] = action;
	f[OF_OBJECT] = object;
	f[OF_RESULT] = result;
	f[OF_DETAIL] = detail;
	f[OF_EPOCH] = epoch;
	for (i = 0; i < OF_MAC; i++)
		len[i] = strlen(f[i]);
	mac_record(&b->mac, b->hd.mac, f, len, NULL, b->hd.mac);
	hex_encode(b->hd.mac, OPLOG_MACLEN, hex);
	f[OF_MAC] = hex;
	len[OF_MAC] = 2 * OPLOG_MACLEN;
	csv_format_record(&b->out, f, len, OPLOG_NFIELDS);
	b->hd.seq++;
	b->hd.time = t;
	b->hd.epoch = b->cur;
	b->hd.count++;
	b->cur_n++;
	b->hd.erecs = b->cur_n;
	if (b->out.len >= FLUSH_AT)
		return flush(b);
	return ST_OK;
}

/* Seals every epoch before target; then, if open, opens target. */
static int
catch_up(struct oplog_batch *b, long long target, int open)
{
	char obj[24], detail[40];
	int r;

	for (;;) {
		if (!b->sealed && b->cur < target) {
			snprintf(obj, sizeof(obj), "%lld", b->cur);
			snprintf(detail, sizeof(detail), "records=%lld", b->cur_n);
			if ((r = emit(b, oplog_epoch_end(b->key->t0, b->key->epoch_seconds,
			    b->cur), "-", "seal", obj, "ok", detail)) != ST_OK)
				return r;
			b->sealed = 1;
		} else if (b->sealed && b->cur + 1 < target) {
			b->cur++;
			b->cur_n = 0;
			b->sealed = 0;
		} else
			break;
	}
	if (open && b->sealed) {
		b->cur++;
		b->cur_n = 0;
		b->sealed = 0;
	}
	return ST_OK;
}

/* The time a record gets now: never before the last, never in a sealed
 * epoch, never before the start of the epoch the batch has opened (a seal
 * written by a writer whose clock was ahead of ours opens the next epoch:
 * a record dated by our clock would then carry an epoch its time does not
 * belong to). */
static int64_t
clamp(const struct oplog_batch *b)
{
	int64_t min = b->sealed ? b->hd.time + 1 : b->hd.time;
	int64_t start = oplog_epoch_end(b->key->t0, b->key->epoch_seconds, b->cur - 1) + 1;

	if (min < start)
		min = start;
	return b->now > min ? b->now : min;
}

static int refuse(struct oplog_batch *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
static int refuse_line(struct oplog_batch *, long long, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* Reads the last record (the one the head names) and checks it matches. */
static int
check_tail(struct oplog_batch *b)
{
	struct oplog_record rec;
	char *buf, *scratch, *s, *e;
	long long from;
	const char *why = NULL;
	ssize_t n;
	size_t want;
	/* the head's record is the count-th after the header row */
	long long line = b->hd.count + 1;

	from = b->hd.size > OPLOG_LINE_MAX + 2 ? b->hd.size - OPLOG_LINE_MAX - 2 : 0;
	want = b->hd.size - from;
	buf = xmalloc(want + 1);
	scratch = xmalloc(OPLOG_LINE_MAX + 16);
	if ((n = pread(b->fd, buf, want, from)) != (ssize_t)want) {
		why = n == -1 ? strerror(errno) : _("short read");
		line = 0;
		goto out;
	}
	if (want == 0 || buf[want - 1] != '\n') {
		why = _("does not end with a whole record where the head says");
		goto out;
	}
	e = buf + want - 1;
	*e = '\0';
	s = memrchr(buf, '\n', e - buf);
	s = s ? s + 1 : buf;
	if ((why = oplog_parse_line_fmt(s, e - s, scratch, &rec, b->mac.format)) != NULL)
		goto out;
	if (rec.seq != b->hd.seq || rec.epoch != b->hd.epoch ||
	    !ct_equal(rec.mac, b->hd.mac, OPLOG_MACLEN)) {
		why = _("last record does not match oplog.head");
		goto out;
	}
	b->sealed = strcmp(rec.field[OF_OPERATOR], "-") == 0 &&
	    strcmp(rec.field[OF_ACTION], "seal") == 0;
out:
	free(buf);
	free(scratch);
	return why ? refuse_line(b, line, "%s", why) : ST_OK;
}

/*
 * Whole records after a closed head that chain from it under the current
 * key, in its epoch (the next after a seal), none of them the log's own:
 * single records whose head did not reach the disk (a power loss) or whose
 * writer died before writing it.  Each was durable before its writer could
 * return, so they are taken in, not cut.  Returns how many; *why: what is
 * wrong with the fields of the whole line it stopped at, if that is why.
 */
static long long
adopt(struct oplog_batch *b, long long end, const char **why)
{
	struct oplog_record rec;
	unsigned char m[OPLOG_MACLEN];
	char *buf, *scratch, *lf;
	long long n = 0;
	ssize_t got;

	*why = NULL;
	buf = xmalloc(OPLOG_LINE_MAX + 2);
	scratch = xmalloc(OPLOG_LINE_MAX + 16);
	if (b->mac.epoch != b->key->epoch)
		mac_setkey(&b->mac, b->key->k, b->key->epoch);
	while (b->hd.size < end) {
		if ((got = pread(b->fd, buf, OPLOG_LINE_MAX + 1, b->hd.size)) <= 0 ||
		    (lf = memchr(buf, '\n', got)) == NULL)
			break;
		*lf = '\0';
		if ((*why = oplog_parse_line_fmt(buf, lf - buf, scratch, &rec,
		    b->mac.format)) != NULL ||
		    rec.seq != b->hd.seq + 1 || rec.epoch != b->key->epoch ||
		    rec.epoch != b->hd.epoch + b->sealed || rec.time < b->hd.time ||
		    oplog_epoch_of(b->key->t0, b->key->epoch_seconds, rec.time) != rec.epoch)
			break;
		if (record_problem(&rec) != NULL)
			break;
		mac_record(&b->mac, b->hd.mac, (const char *const *)rec.field, rec.len, rec.mac, m);
		if (!ct_equal(m, rec.mac, OPLOG_MACLEN))
			break;
		b->hd.erecs = rec.epoch == b->hd.epoch ? b->hd.erecs + 1 : 1;
		b->hd.seq = rec.seq;
		b->hd.epoch = rec.epoch;
		b->hd.time = rec.time;
		memcpy(b->hd.mac, rec.mac, OPLOG_MACLEN);
		b->hd.count++;
		b->hd.size += lf - buf + 1;
		b->sealed = 0;
		n++;
	}
	free(buf);
	free(scratch);
	return n;
}

/* A state no crash leaves: one line, exit 3, nothing written. */
static int
refuse(struct oplog_batch *b, const char *file, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jerr_say(b->st->err, ST_FAIL,
	    _("%s/%s: %s; run log-verify, then log-append --recover"),
	    b->st->dir, file, msg);
	return ST_FAIL;
}

/* The same at line of oplog.csv (0: not known), named as log-verify
 * names it: the head's count gives it, never a count of the file's LFs,
 * which would read a log of gigabytes on every append. */
static int
refuse_line(struct oplog_batch *b, long long line, const char *fmt, ...)
{
	char msg[256], where[48];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line <= 0)
		return refuse(b, OPLOG_FILE, "%s", msg);
	snprintf(where, sizeof(where), "%s:%lld", OPLOG_FILE, line);
	return refuse(b, where, "%s", msg);
}

/* 1 if fd holds an LF in [from, to): a whole line, not a torn write. */
static int
has_lf(int fd, long long from, long long to)
{
	char buf[4096];
	ssize_t n;

	while (from < to) {
		n = pread(fd, buf, to - from < (long long)sizeof(buf) ? (size_t)(to - from) :
		    sizeof(buf), from);
		if (n <= 0)
			return 1;
		if (memchr(buf, '\n', n) != NULL)
			return 1;
		from += n;
	}
	return 0;
}

/* The format (1 or 2) both heads verify as written for under the key in
 * hand, or 0: a head's tag names its log's format, which the header row
 * must then name too (check_header). */
static int
head_format(struct oplog_batch *b, const struct oplog_head *o, const struct oplog_head *h)
{
	int f;

	for (f = 1; f <= 2; f++)
		if (oplog_head_check(o, b->key->k, b->key->epoch, f) == 0 &&
		    oplog_head_check(h, b->key->k, b->key->epoch, f) == 0)
			return f;
	return 0;
}

/* 1 when the key file's schedule (t0, epoch_seconds) puts the record of
 * each slot that parses in the epoch the slot names, as the writer that
 * wrote it did: one edited by hand, the key left as it is, would have
 * us seal on another schedule and move the key past the real one. */
static int
schedule_fits(const struct oplog_key *k, const struct oplog_heads *hs)
{
	int i;

	for (i = 0; i < 2; i++)
		if (hs->why[i] == NULL &&
		    oplog_epoch_of(k->t0, k->epoch_seconds, hs->h[i].time) != hs->h[i].epoch)
			return 0;
	return 1;
}

/* Both head slots, checked under the key in hand before anything is
 * trusted (jukisec-log(5) "Writing", step 1).  Opened for writing: a head
 * the kernel will not let us write (immutable, a read-only mount) is
 * refused here, before a record is appended that it could not count. */
static int
load_head(struct oplog_batch *b)
{
	struct oplog_heads hs;
	struct oplog_head *h, *o;
	const char *why;
	long long now_e;
	int r;

	if (oplog_heads_read(b->st, &hs, O_RDWR, &why) == -1) {
		jerr_say(b->st->err, ST_FAIL,
		    "%s/%s: %s", b->st->dir, OPLOG_HEADFILE, why);
		return ST_FAIL;
	}
	if ((r = oplog_key_load(b->st, b->key)) != ST_OK)
		return r;
	b->disk_epoch = b->key->epoch;
	if ((why = oplog_heads_pick(&hs)) != NULL)
		return refuse(b, OPLOG_HEADFILE, "%s", why);
	h = &hs.h[hs.pick];
	o = &hs.h[!hs.pick];
	if (hs.nraw == 2 * OPLOG_HEADSLOT) {
		b->spare_slot = !hs.pick;
		memcpy(b->spare, hs.raw + b->spare_slot * OPLOG_HEADSLOT, OPLOG_HEADSLOT);
	}
	if (h->version == 1)
		return refuse(b, OPLOG_HEADFILE, "%s", _("a head of version 1, which the "
		    "current key cannot check"));
	if (b->key->epoch > o->kepoch)
		return refuse(b, OPLOG_KEYFILE, _("key of epoch %lld is ahead of the head's "
		    "(epoch %lld): files restored or replaced?"), b->key->epoch, o->kepoch);
	if (!schedule_fits(b->key, &hs))
		return refuse(b, OPLOG_KEYFILE, "%s", _("the key of another log"));
	now_e = oplog_epoch_of(b->key->t0, b->key->epoch_seconds, b->now);
	if (h->kepoch > (now_e > b->key->epoch ? now_e : b->key->epoch) + 1)
		return refuse(b, OPLOG_HEADFILE, _("names key epoch %lld, beyond the clock's %lld"),
		    h->kepoch, now_e);
	if ((b->head_format = head_format(b, o, h)) == 0)
		return refuse(b, OPLOG_HEADFILE, _("slot %d: hmac does not verify"),
		    head_format(b, o, o) == 0 ? o->slot : h->slot);
	mac_format(&b->mac, b->head_format);
	b->slot[0] = hs.h[0];
	b->slot[1] = hs.h[1];
	b->newest = hs.pick;
	b->hd = *h;
	while (b->key->epoch < b->hd.kepoch) {	/* a crash before the key was saved */
		oplog_evolve(b->key->k);
		b->key->epoch++;
	}
	return ST_OK;
}

/* The header row, checked as log-prune checks it: a file that does not
 * begin with it is not an operation log, and gets no record.  It names
 * the log's format, which every record appended takes (jukisec-log(5)). */
static int
check_header(struct oplog_batch *b)
{
	char *path = xasprintf("%s/%s", b->st->dir, OPLOG_FILE);
	int64_t t0;
	long long es;
	int r = tail_header_check(b->fd, path, b->st->err, &t0, &es);

	free(path);
	if (r == -1)
		return ST_FAIL;
	/* the genesis record, where the log still has it, names the
	 * schedule: a key file edited to another t0 or epoch_seconds would
	 * have us seal on it (log-verify: "the key of another log") */
	if (es != 0 && (t0 != b->key->t0 || es != b->key->epoch_seconds))
		return refuse(b, OPLOG_KEYFILE, "%s", _("the key of another log"));
	if (b->head_format != 0 && r != b->head_format) {
		jerr_say(b->st->err, ST_FAIL, _("%s/%s:1: a header row of format %d under a head "
		    "of format %d; run log-verify, then log-append --recover"), b->st->dir,
		    OPLOG_FILE, r, b->head_format);
		return ST_FAIL;
	}
	mac_format(&b->mac, r);
	return ST_OK;
}

/* Bytes after a closed head: the records that chain are taken in; after
 * them only a torn last write may remain. */
static int
after_closed(struct oplog_batch *b, long long size)
{
	const char *why;
	long long line;

	if ((b->adopted = adopt(b, size, &why)) > 0) {
		b->cur = b->hd.epoch;
		b->cur_n = b->hd.erecs;
	}
	if (size == b->hd.size || !has_lf(b->fd, b->hd.size, size))
		return ST_OK;
	line = b->hd.count + 2;		/* the one after the head's record */
	if (why != NULL)
		return refuse_line(b, line, "%s", why);
	/* log-verify may pass it (it reads past a head by the chain alone):
	 * say which of a writer's stricter rules it breaks */
	return refuse_line(b, line, _("a line after the head (seq %lld) that "
	    "no writer takes in: not the next record chained under the head's "
	    "key epoch, or a special one"), b->hd.seq);
}

static int
load(struct oplog_batch *b)
{
	struct stat sb;
	int r, fd;

	if ((r = oplog_tmp_clear(b->st)) != ST_OK || (r = load_head(b)) != ST_OK)
		return r;
	if ((b->fd = store_openat_st(b->st, OPLOG_FILE, O_RDWR | O_APPEND, 0, &sb)) == -1) {
		store_open_say(b->st, b->st->err, OPLOG_FILE);
		return ST_FAIL;
	}
	if (sb.st_size < b->hd.size) {
		/* A prune killed between its rename and its head, whose open
		 * head this is: completed only if the checkpoint verifies. */
		b->recovered = b->hd.seq;
		if (!b->hd.open || (r = prune_recover(b->st, &b->hd, b->key->k,
		    b->key->epoch)) == ST_NO)
			return refuse(b, OPLOG_FILE, "%s", _("shorter than oplog.head says "
			    "(records removed?)"));
		if (r != ST_OK)
			return r;
		if ((r = commit_head(b, 1)) != ST_OK)
			return r;
	}
	/* Only a file that holds the head's last record at the head's size
	 * is written to; anything else is left for a person to look at. */
	if ((r = check_header(b)) != ST_OK || (r = check_tail(b)) != ST_OK)
		return r;
	if (b->hd.kepoch != b->hd.epoch + b->sealed)
		return refuse(b, OPLOG_HEADFILE, _("key epoch %lld does not follow its last "
		    "record (epoch %lld)"), b->hd.kepoch, b->hd.epoch);
	b->cur = b->hd.epoch;
	b->cur_n = b->hd.erecs;
	b->loaded_open = b->hd.open;
	if (sb.st_size > b->hd.size && !b->hd.open &&
	    (r = after_closed(b, sb.st_size)) != ST_OK)
		return r;
	set_base(b);
	if (sb.st_size > b->hd.size) {
		if ((r = cut(b, sb.st_size)) != ST_OK)
			return r;
	} else if (b->loaded_open) {
		if ((r = cut_made(b)) != ST_OK)
			return r;
	} else if ((fd = cut_open(b->st)) == -2)
		return ST_FAIL;
	else if (fd >= 0) {
		close(fd);
		b->cutfile = 1;	/* its repair committed, its writer killed
				 * before removing it: this commit does */
	}
	b->start_size = b->hd.size;
	return ST_OK;
}

static void
release(struct oplog_batch *b)
{
	if (b->fd != -1)
		close(b->fd);
	mac_close(&b->mac);
	oplog_key_free(b->key);
	buf_free(&b->out);
	if (b->took_lock)
		store_unlock(b->st, STORE_LOCK_LOG);
	free(b);
}

/* A repair record of file, after the seals due: ST_OK, or the batch
 * aborted (freed) and why. */
static int
repair_record(struct oplog_batch *b, const char *file, const char *detail)
{
	int r;

	if ((r = catch_up(b, oplog_epoch_of(b->key->t0, b->key->epoch_seconds,
	    clamp(b)), 1)) != ST_OK ||
	    (r = emit(b, clamp(b), "-", "repair", file, "ok", detail)) != ST_OK)
		oplog_abort(b);
	return r;
}

int
oplog_lock(struct store *st)
{
	if (st->log_refused)	/* said: oplog_begin */
		return ST_FAIL;
	/* A lock file refused is the log refused, as a head refused is; a
	 * lock not had within lock_timeout_ms would be waited for again, and
	 * said again, for a record of a run that has failed already. */
	if (store_lock(st, STORE_LOCK_LOG) != ST_OK) {
		st->log_refused = 1;
		return ST_FAIL;
	}
	return ST_OK;
}

int
oplog_begin(struct store *st, int64_t now, struct oplog_batch **bp)
{
	struct oplog_batch *b;
	char detail[128];
	int r;

	/* One failure, one line: a tool that logs twice (the manager's check,
	 * then its own record) says the log's refusal once. */
	if (st->log_refused)
		return ST_FAIL;
	b = xcalloc(1, sizeof(*b));
	b->st = st;
	b->fd = -1;
	b->recovered = -1;
	b->spare_slot = -1;
	b->now = now;
	b->tcache = INT64_MIN;
	b->key = oplog_key_new();
	mac_open(&b->mac);
	if (st->lockfd[STORE_LOCK_LOG] == -1) {
		if ((r = oplog_lock(st)) != ST_OK) {
			release(b);
			return r;
		}
		b->took_lock = 1;
	}
	if ((r = load(b)) != ST_OK) {
		release(b);
		st->log_refused = 1;
		return r;
	}
	/* the details name the head's seq as loaded: what the bytes were
	 * cut after, not the last of the seals that come before a record of
	 * this epoch */
	if (b->repaired) {
		snprintf(detail, sizeof(detail), "removed=%lld bytes after seq %lld",
		    b->repaired, b->hd.seq);
		if ((r = repair_record(b, OPLOG_FILE, detail)) != ST_OK)
			return r;
	}
	if (b->recovered != -1) {
		snprintf(detail, sizeof(detail), "head moved from seq %lld to seq %lld "
		    "(checkpoint of an interrupted log-prune)", b->recovered, b->hd.seq);
		if ((r = repair_record(b, OPLOG_HEADFILE, detail)) != ST_OK)
			return r;
	}
	*bp = b;
	return ST_OK;
}

static int
add(struct oplog_batch *b, const struct oplog_rec *rec)
{
	int64_t t = clamp(b);
	int r;

	if ((r = catch_up(b, oplog_epoch_of(b->key->t0, b->key->epoch_seconds, t), 1)) != ST_OK)
		return r;
	return emit(b, clamp(b), rec->operator, rec->action, rec->object,
	    rec->result, rec->detail);
}

int
oplog_add_checked(struct oplog_batch *b, const struct oplog_rec *rec)
{
	return add(b, rec);
}

/* A seal is there to forget the keys of the epochs it ends: seals written
 * with no room left for the key file would leave the key of an ended
 * epoch on the disk, the log ahead of it (jukisec-log(5) "Keys"), and a
 * record committed by a writer that then fails for the key file would be
 * logged twice by a caller that retries.  So when the key moves, every
 * commit shows the directory to have room for what it has still to write
 * (the seals, made in memory, and the batch's records) and a new key file,
 * with a block to spare (a log line's 8 KiB): else nothing is written.
 * Not a guarantee against others filling the disk meanwhile, which leaves
 * the key behind as a crash does, for the next writer to move. */
static int
seal_room(struct oplog_batch *b, long long target)
{
	if (target == b->disk_epoch ||
	    store_room(b->st, OPLOG_KEYFILE, (off_t)b->out.len + OPLOG_LINE_MAX) == 0)
		return ST_OK;
	jerr_say_errno(b->st->err, ST_FAIL, "%s/%s", b->st->dir, OPLOG_KEYFILE);
	return ST_FAIL;
}

int
oplog_commit(struct oplog_batch *b)
{
	return oplog_commit_time(b, NULL);
}

void
oplog_while_syncing(struct oplog_batch *b, void (*fn)(void *), void *arg)
{
	b->during = fn;
	b->during_arg = arg;
}

/* Long: the durable steps of a commit, in crash-safe order. */
int
oplog_commit_time(struct oplog_batch *b, int64_t *last)
{
	long long target;
	int r, single;

	/* Seal what has ended even when the batch added nothing (--seal). */
	target = oplog_epoch_of(b->key->t0, b->key->epoch_seconds, clamp(b));
	if ((r = catch_up(b, target, 0)) != ST_OK ||
	    (r = seal_room(b, target)) != ST_OK)
		goto fail;
	/* One ordinary record and no seal, repair or key to save: the log's
	 * fdatasync is the one sync; the head follows unsynced, and if a crash
	 * loses it, the next writer takes the record in (adopt).  Anything
	 * else is framed by an open head and a synced one: a special record
	 * too (recover, a prune that removed nothing), which adopt() does not
	 * take in, so that a crash leaves it cut and logged as a repair, not a
	 * line after the head that every writer refuses. */
	single = !b->intent && !b->own && b->written == 0 && b->hd.seq == b->base.seq + 1 &&
	    !b->loaded_open && !b->repaired && b->recovered == -1 &&
	    b->key->epoch == target && b->key->epoch == b->disk_epoch;
	if (single)
		b->intent = 1;
	if ((r = flush(b)) != ST_OK)
		goto fail;
	if (b->written > 0 && b->during != NULL) {
		/* The records' writeback started (a hint: the fdatasync
		 * below is what makes them durable), the caller's work runs
		 * in the time the disk takes them. */
		(void)sync_file_range(b->fd, b->start_size, b->written,
		    SYNC_FILE_RANGE_WRITE);
		b->during(b->during_arg);
		b->during = NULL;
	}
	if (b->written > 0 && fdatasync(b->fd) == -1) {
		jerr_say_errno(b->st->err, ST_FAIL,
		    "%s/%s", b->st->dir, OPLOG_FILE);
		r = ST_FAIL;
		goto fail;
	}
	/* The head names the key the writer holds after the append. */
	while (b->key->epoch < target) {
		oplog_evolve(b->key->k);
		b->key->epoch++;
	}
	if (b->key->epoch != b->cur + b->sealed)
		errx(ST_FAIL, "internal error: log at epoch %lld%s, key of %lld", b->cur,
		    b->sealed ? " (sealed)" : "", b->key->epoch);
	if (b->written == 0 && !b->repaired && !b->adopted) {
		/* Nothing to write; the key may still have to move on (a crash
		 * after the head last time left it behind), once the slot left
		 * behind names its epoch too, as commit_head() does it: a key
		 * ahead of either slot is refused by every writer after us. */
		int keep = !b->newest;

		r = ST_OK;
		if (b->key->epoch != b->disk_epoch && b->slot[keep].kepoch < b->key->epoch) {
			b->slot[keep].kepoch = b->key->epoch;
			if (b->mac.epoch != b->key->epoch)
				mac_setkey(&b->mac, b->key->k, b->key->epoch);
			r = oplog_head_write(b->st, &b->slot[keep], keep, &b->mac, 1);
		}
		if (r == ST_OK && b->key->epoch != b->disk_epoch)
			r = oplog_key_save(b->st, b->key);
		if (last != NULL)
			*last = b->hd.time;
		release(b);
		return r;
	}
	b->hd.size = b->start_size + b->written;
	/* Durable records stay whatever happens now: a lost head is made
	 * good by the next writer, never by cutting them. */
	r = commit_head(b, !single);
	if (r == ST_OK && b->cutfile)
		cut_forget(b);
	if (last != NULL)
		*last = b->hd.time;
	release(b);
	return r;
fail:
	oplog_abort(b);
	return r;
}

/*
 * A batch refused (a bad line past the read-ahead, a failed write) after
 * intent() wrote its open head over the other slot: that slot gets back
 * the bytes it held, so that a refusal leaves oplog.csv and oplog.head as
 * they were (log-append(1)).  Not after a cut or a prune's completion,
 * whose open head must stay until they are logged.  Safe at every step:
 *  - the open head stays until the cut back is durable: before that a
 *    crash, a power loss too, leaves records after an open head, which
 *    the next writer cuts and logs as any killed batch's.  The other order
 *    could leave a closed head followed by records that chain, which the
 *    next writer would take in as committed;
 *  - then one in-place write of one sector (jukisec-log(5) "Head": old or
 *    new, never half) into the slot that holds the open head, the other
 *    holding the head read: lost, it leaves the open head with nothing
 *    after it, which the next writer takes as it is and logs nothing for
 *    (what a refusal left before); done, the state this writer read and
 *    checked, with the key file it read.
 * Quiet: if a step fails, the open head stays, as good a state.
 */
static void
restore_spare(struct oplog_batch *b)
{
	if (!b->restore || b->repaired || b->recovered != -1 || fdatasync(b->fd) == -1)
		return;
	(void)oplog_head_put(b->st, b->spare_slot, b->spare);
}

void
oplog_abort(struct oplog_batch *b)
{
	/* Under the lock: nobody else has written after start_size.  A
	 * cut that fails says nothing: every abort follows a failure
	 * already said (often the same one, the disk's), and the next
	 * writer cuts the tail with a repair record. */
	if (b->fd == -1 || ftruncate(b->fd, b->start_size) == 0)
		restore_spare(b);
	release(b);
}

static int
append(struct store *st, const struct oplog_rec *rec, size_t n, int64_t now,
    int64_t *last)
{
	struct oplog_batch *b;
	const char *p;
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		if ((p = oplog_rec_problem(&rec[i])) != NULL) {
			jerr_say(st->err, ST_USAGE, "%s", p);
			return ST_USAGE;
		}
	if ((r = oplog_begin(st, now, &b)) != ST_OK)
		return r;
	for (i = 0; i < n; i++)
		if ((r = add(b, &rec[i])) != ST_OK) {
			oplog_abort(b);
			return r;
		}
	return oplog_commit_time(b, last);
}

int
oplog_append_at(struct store *st, const struct oplog_rec *rec, size_t n, int64_t now)
{
	return append(st, rec, n, now, NULL);
}

int
oplog_append(struct store *st, const struct oplog_rec *rec, size_t n)
{
	return append(st, rec, n, time_now_ms(), NULL);
}

int
oplog_append_time(struct store *st, const struct oplog_rec *rec, size_t n,
    int64_t *last)
{
	return append(st, rec, n, time_now_ms(), last);
}

int
oplog_seal_at(struct store *st, int64_t now)
{
	struct oplog_batch *b;
	int r;

	if ((r = oplog_begin(st, now, &b)) != ST_OK)
		return r;
	return oplog_commit(b);
}

/* What every writer does first, and nothing more: the head checked and
 * what a crash left completed, cut or taken in, logged as every writer
 * logs it (a repair record, the seals due).  A log in order is not
 * written to, not even a seal: log-prune's checks come first. */
int
oplog_settle_at(struct store *st, int64_t now)
{
	struct oplog_batch *b;
	int r;

	if ((r = oplog_begin(st, now, &b)) != ST_OK)
		return r;
	if (b->loaded_open || b->repaired || b->adopted || b->recovered != -1 ||
	    b->cutfile || b->out.len > 0 || b->key->epoch != b->disk_epoch)
		return oplog_commit(b);
	release(b);
	return ST_OK;
}

int
oplog_seal(struct store *st)
{
	return oplog_seal_at(st, time_now_ms());
}

/* One record of oplog_log or oplog_log_recover; own: a special record of
 * the suite's, exempt from the reserved-action rule. */
static int
vlog(struct store *st, int64_t now, const char *operator, const char *action,
    const char *object, const char *result, int own, const char *fmt,
    va_list ap)
{
	struct oplog_batch *b;
	struct oplog_rec rec;
	const char *p;
	char *detail;
	int r;

	if (vasprintf(&detail, fmt, ap) == -1)
		errx(ST_FAIL, _("out of memory"));
	rec.operator = operator;
	rec.action = action;
	rec.object = object ? object : "";
	rec.result = result ? result : "";
	rec.detail = detail;
	if (!own)
		r = oplog_append_at(st, &rec, 1, now);
	else if ((p = fields_problem(&rec)) != NULL) {
		jerr_say(st->err, ST_USAGE, "%s", p);
		r = ST_USAGE;
	} else if ((r = oplog_begin(st, now, &b)) == ST_OK) {
		b->own = 1;
		if ((r = add(b, &rec)) == ST_OK)
			r = oplog_commit(b);
		else
			oplog_abort(b);
	}
	free(detail);
	return r;
}

int
oplog_log(struct store *st, const char *operator, const char *action,
    const char *object, const char *result, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vlog(st, time_now_ms(), operator, action, object, result, 0, fmt, ap);
	va_end(ap);
	return r;
}

/* operator-mod --recover: a special record, so that only the suite writes
 * it (log-append refuses it) and a reader trusts it only when its MAC
 * verifies. */
int
oplog_log_recover(struct store *st, const char *object, const char *result,
    const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vlog(st, time_now_ms(), "-", "recover", object, result, 1, fmt, ap);
	va_end(ap);
	return r;
}

/* log-prune's record of a run that removed nothing: a special record, so
 * that the audit can trust it (jukisec-log(5), "Special records"). */
int
oplog_log_pruned(struct store *st, int64_t now, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vlog(st, now, "-", "log-prune", OPLOG_FILE, "ok", 1, fmt, ap);
	va_end(ap);
	return r;
}

int
oplog_create(struct store *st, int64_t now, long long epoch_seconds, int format,
    char *vkey)
{
	struct oplog_batch *b = xcalloc(1, sizeof(*b));
	struct oplog_head open;
	char t[TIME_BUFSZ], hex[65], detail[48];
	int r = ST_FAIL;

	b->st = st;
	b->now = now;
	b->tcache = INT64_MIN;
	b->key = oplog_key_new();
	mac_open(&b->mac);
	mac_format(&b->mac, format);
	gcry_randomize(b->key->k, 32, GCRY_VERY_STRONG_RANDOM);
	b->key->t0 = now;
	b->key->epoch_seconds = epoch_seconds;
	b->disk_epoch = -1;
	b->hd.seq = -1;
	b->intent = 1;		/* no head yet to mark open */
	time_format(now, t);
	hex_encode(b->key->k, 32, hex);
	snprintf(vkey, OPLOG_VKEY_BUFSZ, "jukisec-log-key v1 t0=%s epoch_seconds=%lld k0=%s\n",
	    t, epoch_seconds, hex);
	wipe(hex, sizeof(hex));
	if ((b->fd = store_openat_new(st, OPLOG_FILE, O_WRONLY | O_EXCL | O_APPEND,
	    0600)) == -1) {
		store_open_say(st, st->err, OPLOG_FILE);
		goto out;
	}
	buf_add(&b->out, oplog_header_row(format), strlen(oplog_header_row(format)));
	buf_add(&b->out, "\n", 1);
	snprintf(detail, sizeof(detail), "format=%d epoch_seconds=%lld", format, epoch_seconds);
	if (emit(b, now, "-", "genesis", "", "ok", detail) != ST_OK ||
	    flush(b) != ST_OK)
		goto out;
	if (fdatasync(b->fd) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, OPLOG_FILE);
		goto out;
	}
	/* Two slots from the start: the genesis head, and the same marked
	 * open, as if a batch were about to begin (nothing follows it). */
	b->hd.size = b->written;
	b->hd.kepoch = 0;
	open = b->hd;
	open.open = 1;
	if (oplog_head_write(st, &b->hd, 0, &b->mac, 0) != ST_OK ||
	    oplog_head_write(st, &open, 1, &b->mac, 1) != ST_OK ||
	    oplog_key_stage(st, b->key) != ST_OK)
		goto out;
	r = ST_OK;
out:
	if (r != ST_OK)
		wipe(vkey, OPLOG_VKEY_BUFSZ);
	release(b);
	return r;
}

int
oplog_create_done(struct store *st)
{
	if (renameat(st->dirfd, OPLOG_KEYTMP, st->dirfd, OPLOG_KEYFILE) == -1 ||
	    fsync_dir(st->dirfd) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, OPLOG_KEYFILE);
		return ST_FAIL;
	}
	return ST_OK;
}

/* Long: the durable steps of a replacement, in crash-safe order. */
int
oplog_replace(struct store *st, struct atomic_file *af, long long cut_seq,
    const char *detail, int64_t now, int (*copy)(void *, long long), void *arg,
    long long *kept)
{
	struct oplog_batch *b;
	struct stat sb;
	char *d;
	int r;

	if ((r = oplog_begin(st, now, &b)) != ST_OK) {
		atomic_abort(af);
		return r;
	}
	/* What writers committed since the scan, up to the head just checked. */
	if ((r = copy(arg, b->start_size)) != ST_OK)
		goto fail;
	if ((r = catch_up(b, oplog_epoch_of(b->key->t0, b->key->epoch_seconds,
	    clamp(b)), 1)) != ST_OK)
		goto fail;
	*kept = b->hd.seq - cut_seq;
	d = xasprintf("%s kept=%lld", detail, *kept);
	r = emit(b, clamp(b), "-", "log-prune", OPLOG_FILE, "ok", d);
	free(d);
	if (r != ST_OK)
		goto fail;
	if (fwrite(b->out.p, 1, b->out.len, af->fp) != b->out.len) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, af->name);
		r = ST_FAIL;
		goto fail;
	}
	b->out.len = 0;
	/* The head the checkpoint chains to must be on disk, marked open,
	 * before the rename (a single record's head may not be), or
	 * prune_recover() could not match them after a crash. */
	if ((r = intent(b)) != ST_OK)
		goto fail;
	if (atomic_commit(af) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, OPLOG_FILE);
		/* the new file may be in place already (a failed fsync of the
		 * directory after the rename): its open head stays, for the
		 * next writer's prune_recover(), not put back */
		b->restore = 0;
		oplog_abort(b);
		return ST_FAIL;
	}
	/* Renamed: the head must now describe the new file.  A crash here
	 * leaves it shorter than its open head: prune_recover(). */
	if (fstatat(st->dirfd, OPLOG_FILE, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, OPLOG_FILE);
		release(b);
		return ST_FAIL;
	}
	b->hd.count = b->hd.seq - cut_seq;
	b->hd.size = sb.st_size;
	while (b->key->epoch < b->cur + b->sealed) {
		oplog_evolve(b->key->k);
		b->key->epoch++;
	}
	r = commit_head(b, 1);
	release(b);
	return r;
fail:
	atomic_abort(af);
	oplog_abort(b);
	return r;
}

/* The records of a rebuild, emitted into b->out, written after the kept
 * prefix in af; b->hd.size where they end. */
static int
rebuild_write(struct oplog_batch *b, const struct oplog_vkey *vk,
    const struct oplog_rec *rec, struct atomic_file *af)
{
	int r;

	if ((r = check_header(b)) != ST_OK || (r = add(b, rec)) != ST_OK ||
	    (r = catch_up(b, oplog_epoch_of(vk->t0, vk->epoch_seconds, clamp(b)), 0)) != ST_OK)
		return r;
	if (fwrite(b->out.p, 1, b->out.len, af->fp) != b->out.len || fflush(af->fp) == EOF) {
		jerr_say_errno(b->st->err, ST_FAIL, "%s/%s", b->st->dir, af->tmpname);
		return ST_FAIL;
	}
	b->written = b->out.len;
	b->out.len = 0;
	b->hd.size = b->start_size + b->written;
	return ST_OK;
}

/* A batch that goes on from the prefix p, under K(p->kepoch) = k: the
 * log's own records of a rebuild, no head read. */
static struct oplog_batch *
rebuild_batch(struct store *st, const struct oplog_vkey *vk, const struct oplog_head *p,
    int sealed, const unsigned char k[32], int64_t now)
{
	struct oplog_batch *b = xcalloc(1, sizeof(*b));

	b->st = st;
	b->now = now;
	b->tcache = INT64_MIN;
	b->recovered = -1;
	b->key = oplog_key_new();
	mac_open(&b->mac);
	b->key->t0 = vk->t0;
	b->key->epoch_seconds = vk->epoch_seconds;
	b->key->epoch = p->kepoch;
	memcpy(b->key->k, k, 32);
	b->disk_epoch = -1;
	b->hd = *p;
	b->sealed = sealed;
	b->cur = p->epoch;
	b->cur_n = p->erecs;
	b->start_size = p->size;
	b->intent = 1;		/* the heads are rewritten whole, below */
	return b;
}

/* Without an open head, the slot the kept prefix's closed head goes to:
 * the one that already holds a closed head of its seq, if one does, so
 * that no reader without the lock (a member's follower) ever finds two
 * closed heads of one seq, which the slot rules call damage; else 0. */
static int
rebuild_slot(struct store *st, const struct oplog_head *p)
{
	struct oplog_heads hs;
	const char *why;
	int i;

	if (oplog_heads_read(st, &hs, O_RDONLY, &why) == -1)
		return 0;
	for (i = 0; i < 2; i++)
		if (hs.why[i] == NULL && !hs.h[i].open && hs.h[i].seq == p->seq)
			return i;
	return 0;
}

/*
 * The durable steps of a rebuild, in crash-safe order.  The log changes
 * by one rename, which brings the cut and the record that names it
 * together: a kill before it leaves the log as it was, one after it a
 * record of the log's own after the old head, which no writer takes in.
 * Only an open head would let a writer cut it, the record with it: its
 * slot (first, else -1) gets the kept prefix's closed head before the
 * rename.  The slots follow it: the kept prefix, then the new end.
 */
int
oplog_rebuild(struct store *st, const struct oplog_vkey *vk, const struct oplog_head *p,
    int sealed, const unsigned char k[32], const struct oplog_rec *rec, int64_t now,
    struct atomic_file *af, int first)
{
	struct oplog_batch *b = rebuild_batch(st, vk, p, sealed, k, now);
	struct oplog_head older;
	int r, to = first == -1 ? rebuild_slot(st, p) : first;

	if ((b->fd = store_openat(st, OPLOG_FILE, O_RDONLY, 0)) == -1) {
		store_open_say(st, st->err, OPLOG_FILE);
		r = ST_FAIL;
		goto fail;
	}
	if ((r = rebuild_write(b, vk, rec, af)) != ST_OK)
		goto fail;
	while (b->key->epoch < b->cur + b->sealed) {
		oplog_evolve(b->key->k);
		b->key->epoch++;
	}
	/* Both slots under the key the log goes on with. */
	older = *p;
	older.open = 0;
	older.kepoch = b->key->epoch;
	mac_setkey(&b->mac, b->key->k, b->key->epoch);
	if (first != -1 && (r = oplog_head_write(st, &older, to, &b->mac, 1)) != ST_OK)
		goto fail;
	if (atomic_commit(af) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, OPLOG_FILE);
		release(b);
		return ST_FAIL;
	}
	if (first == -1 && (r = oplog_head_write(st, &older, to, &b->mac, 1)) != ST_OK)
		goto out;
	b->slot[to] = older;
	b->newest = to;
	if ((r = commit_head(b, 1)) == ST_OK)
		cut_forget(b);
out:
	release(b);
	return r;
fail:
	atomic_abort(af);
	release(b);
	return r;
}
