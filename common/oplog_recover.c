/*
 * oplog_recover.c — log-append --recover: the way back after writers
 * refused the log (jukisec-log(5) "Recovery").
 *
 * Invariants: runs only with the verification key K0, under STORE_LOCK_LOG.
 * The longest prefix of oplog.csv that verifies under K0 (the rules of
 * log-verify but for the head and the clock) is kept; the bytes after it go,
 * exactly as they were, to a new file DIR/oplog-cut-TIME (synced, its mode
 * store_share_new's; TIME-1, TIME-2 ... when that name is taken, never
 * overwritten); then the prefix, the seals of ended epochs and one
 * "recover" record saying what was found and who ran it, under keys
 * derived from K0, go to OPLOG_RECOVERTMP, which is renamed over
 * oplog.csv: the log loses the bytes cut only together with the record
 * that names them, so that every cut is logged (jukisec-log(5)
 * "Writing").  Then both head slots are rewritten (an open head writers
 * go by, which they would cut the record after, first, before the
 * rename), and oplog.key is replaced by the key of the epoch the log goes
 * on in.  Nothing at all is written when the log, its head and its key
 * are as a writer expects them.  A writer's cut that oplog.cut notes and
 * no record names yet is named in the recover record: the rebuild
 * removes the note.  A recovery interrupted by a crash leaves the log as
 * it was (and perhaps an oplog-cut-TIME of bytes it still holds), or the
 * record after heads writers refuse: run it again.
 *
 * A log whose first line is not the header row (damaged, or removed) gets
 * it back first, when the records then verify from the start: the first
 * line's bytes, if any go, are saved to DIR/oplog-header-TIME as the cut
 * bytes are, and the log with its header row replaces oplog.csv by rename
 * (a crash leaves the old file or the new one).  The damage was the first
 * line alone, so the old head describes the log again: a crash after the
 * rename but before the recover record leaves a log writers take, which
 * oplog-header-TIME alone shows; one after the record but before the
 * heads leaves a record of the log's own after a closed head, which
 * head_problem() names, so that running it again completes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "timeutil.h"
#include "oplog_priv.h"
#include "oplog_tail.h"

#define NOTE_MAX	1024

static void
note(char *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(char *buf, const char *fmt, ...)
{
	size_t n = strlen(buf), i;
	va_list ap;

	if (n > 0 && n + 2 < NOTE_MAX) {
		memcpy(buf + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + n, NOTE_MAX - n, fmt, ap);
	va_end(ap);
	/* A message cut at NOTE_MAX must not end inside a UTF-8 character. */
	n = strlen(buf);
	for (i = n; i > 0 && ((unsigned char)buf[i - 1] & 0xc0) == 0x80; i--)
		;
	if (i > 0 && (unsigned char)buf[i - 1] >= 0xc0) {
		unsigned char c = buf[i - 1];
		size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (n - (i - 1) < need)
			buf[i - 1] = '\0';
	}
}

/* The records from byte from to to, after a closed head: a writer takes
 * them in (a power loss before its head) unless one is the log's own
 * (operator -), which no writer appends after its head: a recovery
 * killed after its record, before the heads, with a head that still
 * holds (the header row it put back).  NULL, or why the head does not
 * do. */
static const char *
after_head(int fd, long long from, long long to)
{
	struct oplog_record rec;
	char *buf = xmalloc(OPLOG_LINE_MAX + 2), *scratch = xmalloc(OPLOG_LINE_MAX + 16), *lf;
	const char *why = NULL;
	ssize_t got;

	while (why == NULL && from < to) {
		why = _("does not describe the records that verify");
		if ((got = pread(fd, buf, OPLOG_LINE_MAX + 1, from)) <= 0 ||
		    (lf = memchr(buf, '\n', (size_t)got)) == NULL)
			break;
		*lf = '\0';
		if (oplog_parse_line(buf, lf - buf, scratch, &rec) != NULL)
			break;
		if (record_problem(&rec) == NULL)
			why = NULL;
		from += lf - buf + 1;
	}
	free(buf);
	free(scratch);
	return why;
}

/* What is wrong with the head, given the prefix that verifies; NULL if a
 * writer would accept it. */
static const char *
head_problem(struct store *st, const struct oplog_vkey *vk, const struct oplog_verify_result *res)
{
	static char msg[192];
	struct oplog_heads hs;
	struct oplog_head *h;
	struct oplog_record rec;
	char *buf, *scratch, *s;
	const char *why;
	long long from;
	size_t want;
	int fd, i;

	if (oplog_heads_read(st, &hs, O_RDONLY, &why) == -1 || (why = oplog_heads_pick(&hs)) != NULL)
		return why;
	h = &hs.h[hs.pick];
	if (h->version != 2)
		return _("version 1");
	for (i = 0; i < 2; i++)
		if (oplog_head_check(&hs.h[i], vk->k0, 0, res->format) == -1) {
			snprintf(msg, sizeof(msg), _("slot %d: hmac does not verify"), i);
			return msg;
		}
	if (h->seq > res->good.seq || h->seq < res->first_seq || h->size > res->good.end ||
	    h->count != h->seq - res->first_seq + 1)
		return _("does not describe the records that verify");
	/* The head's record ends where it says. */
	from = h->size > OPLOG_LINE_MAX + 2 ? h->size - OPLOG_LINE_MAX - 2 : 0;
	want = h->size - from;
	buf = xmalloc(want + 1);
	scratch = xmalloc(OPLOG_LINE_MAX + 16);
	why = _("does not describe the records that verify");
	if ((fd = store_openat(st, OPLOG_FILE, O_RDONLY, 0)) != -1 &&
	    pread(fd, buf, want, from) == (ssize_t)want && want > 0 && buf[want - 1] == '\n') {
		buf[want - 1] = '\0';
		s = memrchr(buf, '\n', want - 1);
		s = s ? s + 1 : buf;
		if (oplog_parse_line(s, strlen(s), scratch, &rec) == NULL && rec.seq == h->seq &&
		    ct_equal(rec.mac, h->mac, OPLOG_MACLEN) && rec.epoch == h->epoch &&
		    h->kepoch == h->epoch + (strcmp(rec.field[OF_OPERATOR], "-") == 0 &&
		    strcmp(rec.field[OF_ACTION], "seal") == 0))
			why = NULL;
	}
	if (why == NULL && h->size < res->good.end)
		why = after_head(fd, h->size, res->good.end);
	if (fd != -1)
		close(fd);
	free(buf);
	free(scratch);
	if (why == NULL && hs.h[!hs.pick].kepoch < h->kepoch)
		why = _("the other slot names an older key epoch");
	return why;
}

/* What is wrong with oplog.key; NULL if it is K(e) for an epoch the head
 * allows. */
static const char *
key_problem(struct store *st, const struct oplog_vkey *vk, const struct oplog_verify_result *res)
{
	struct oplog_key *k = oplog_key_new();
	unsigned char *want;
	const char *why = NULL;

	if (oplog_key_read(st, k, &why) != ST_OK)
		;
	else if (k->t0 != vk->t0 || k->epoch_seconds != vk->epoch_seconds)
		why = _("of another log");
	else if (k->epoch > res->good.epoch + res->good.seal)
		why = _("ahead of the log");
	else {
		want = xmalloc_secure(32);
		oplog_key_at(vk->k0, 0, k->epoch, want);
		if (!ct_equal(want, k->k, 32))
			why = _("not derived from the verification key");
		wipe(want, 32);
		gcry_free(want);
	}
	oplog_key_free(k);
	return why;
}

/* Suffixes tried after oplog-cut-TIME before giving up. */
#define CUT_SUFFIX_MAX	999

/*
 * DIR/PREFIX-TIME (oplog-cut, oplog-header) created for writing
 * (store_share_new's mode), name its name: TIME the clock's to the
 * millisecond, then -1, -2 ... for a name taken already (a second
 * recovery in the same millisecond, as under a stopped test clock).
 * O_EXCL: nothing saved before is ever overwritten.  The fd, or -1 after
 * a message.
 */
static int
cut_open(struct store *st, int64_t now, const char *prefix, char *name,
    size_t cap)
{
	char t[TIME_BUFSZ];
	size_t i, j;
	int fd, n;

	time_format(now, t);
	for (i = j = 0; t[i] && j + 1 < sizeof(t); i++)
		if (t[i] != '-' && t[i] != ':' && t[i] != '.')
			t[j++] = t[i];
	t[j] = '\0';
	for (n = 0; n <= CUT_SUFFIX_MAX; n++) {
		if (n == 0)
			snprintf(name, cap, "%s-%s", prefix, t);
		else
			snprintf(name, cap, "%s-%s-%d", prefix, t, n);
		fd = openat(st->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd != -1 || errno != EEXIST)
			break;
	}
	if (fd == -1)
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, name);
	else
		store_share_new(st->dirfd, fd);
	return fd;
}

/* The log's bytes [from, to), exactly as they were, in a new file
 * DIR/PREFIX-TIME; on failure the file goes (the log still holds the
 * bytes). */
static int
save_cut(struct store *st, int64_t now, const char *prefix, long long from,
    long long to, char *name, size_t cap)
{
	char buf[65536];
	int in = -1, out, ret = ST_FAIL;
	ssize_t n;

	if ((out = cut_open(st, now, prefix, name, cap)) == -1)
		return ST_FAIL;
	if ((in = store_openat(st, OPLOG_FILE, O_RDONLY, 0)) == -1)
		goto out;
	while (from < to) {
		n = pread(in, buf, to - from < (long long)sizeof(buf) ? (size_t)(to - from) :
		    sizeof(buf), from);
		if (n == 0)
			errno = EIO;	/* the log shorter than just checked */
		if (n <= 0 || write_all(out, buf, (size_t)n) == -1)
			goto out;
		from += n;
	}
	if (fsync(out) == 0)
		ret = ST_OK;
out:
	if (ret != ST_OK)
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, name);
	if (in != -1)
		close(in);
	if (close(out) == -1 && ret == ST_OK) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, name);
		ret = ST_FAIL;
	}
	if (ret != ST_OK)
		unlinkat(st->dirfd, name, 0);
	return ret;
}

/* The bytes after the prefix saved aside (save_cut); the findings say
 * where they went.  The log loses them only with the rename that brings
 * the record naming them (oplog_rebuild).  ST_OK, or the failure after a
 * message. */
static int
cut_tail(struct store *st, int64_t now, long long good_end, long long size,
    char *findings)
{
	char cut[64] = "";
	int r;

	if ((r = save_cut(st, now, "oplog-cut", good_end, size, cut,
	    sizeof(cut))) == ST_OK)
		note(findings, "saved to %s", cut);
	return r;
}

/* The head of the verified prefix: its last record, its count, the key
 * epoch it has been sealed to. */
static void
good_head(const struct oplog_verify_result *res, struct oplog_head *p)
{
	memset(p, 0, sizeof(*p));
	p->version = 2;
	p->seq = res->good.seq;
	p->epoch = res->good.epoch;
	p->erecs = res->good.erecs;
	p->count = res->good.seq - res->first_seq + 1;
	p->size = res->good.end;
	p->time = res->good.time;
	p->kepoch = res->good.epoch + res->good.seal;
	memcpy(p->mac, res->good.mac, OPLOG_MACLEN);
}

/* res: the log verified from its start as far as it goes, at any time,
 * the MACs inline (oplog_verify.h). */
static void
verify_log(const struct oplog_vkey *vk, const char *path, int64_t now,
    struct oplog_verify_result *res)
{
	struct oplog_verify_opts o;
	const char *files[1];

	memset(&o, 0, sizeof(o));
	files[0] = path;
	o.files = files;
	o.nfiles = 1;
	o.prefix = o.any_time = o.inline_macs = 1;
	o.now = now;
	oplog_verify(NULL, vk, &o, res);
}

/* The log's first line, LF included, in buf: its length; 0 when there is
 * no LF within cap bytes; -1 after a message. */
static ssize_t
first_line(struct store *st, const char *path, char *buf, size_t cap)
{
	ssize_t n;
	char *lf;
	int fd;

	if ((fd = store_openat(st, OPLOG_FILE, O_RDONLY, 0)) == -1) {
		open_safe_say(st->err, path);
		return -1;
	}
	if ((n = pread(fd, buf, cap, 0)) == -1)
		jerr_say_errno(st->err, ST_FAIL, "%s", path);
	close(fd);
	if (n <= 0)
		return n;
	return (lf = memchr(buf, '\n', (size_t)n)) != NULL ? lf + 1 - buf : 0;
}

/* 1 when line 1 is the header row as writers write it and take it
 * (tail_is_header), 0 when not: a reader also takes an RFC 4180 quoting
 * of it, under which the records verify and which writers refuse; -1
 * after a message. */
static int
header_as_written(struct store *st, const char *path)
{
	char	 line[sizeof(OPLOG_HEADER) + 1];	/* the row, CR LF */
	ssize_t	 n;

	if ((n = first_line(st, path, line, sizeof(line))) == -1)
		return -1;
	return n > 0 && tail_is_header(line, (size_t)n) != 0;
}

/* af: OPLOG_RECOVERTMP with the log's group kept (atomic_keep_group), the
 * header row of format (none for 0), then the log from byte from to byte
 * to (-1: its end), flushed so that it can be verified by name before it
 * replaces the log.  A fixed name, as log-prune's: one a crash left is
 * removed by the next writer (oplog_tmp_clear: a recovery too holds the
 * log lock).  ST_OK, or ST_FAIL after a message with the file removed. */
static int
copy_log(struct store *st, const char *path, int format, long long from,
    long long to, struct atomic_file *af)
{
	char buf[65536];
	ssize_t n = 0;
	size_t want;
	int in;

	if (atomic_begin_as(af, st->dirfd, OPLOG_FILE, OPLOG_RECOVERTMP, 0600) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, OPLOG_RECOVERTMP);
		return ST_FAIL;
	}
	atomic_keep_group(af);
	if ((in = store_openat(st, OPLOG_FILE, O_RDONLY, 0)) == -1) {
		open_safe_say(st->err, path);
		atomic_abort(af);
		return ST_FAIL;
	}
	if (format != 0)
		fprintf(af->fp, "%s\n", oplog_header_row(format));
	for (;;) {
		want = to != -1 && to - from < (long long)sizeof(buf) ?
		    (size_t)(to - from) : sizeof(buf);
		if (want == 0 || (n = pread(in, buf, want, from)) <= 0 ||
		    fwrite(buf, 1, (size_t)n, af->fp) != (size_t)n)
			break;
		from += n;
	}
	close(in);
	if (n == 0 && to != -1 && from != to)
		errno = EIO;	/* the log shorter than just checked */
	if (n == -1 || (to != -1 && from != to) || fflush(af->fp) == EOF || ferror(af->fp)) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, OPLOG_RECOVERTMP);
		atomic_abort(af);
		return ST_FAIL;
	}
	return ST_OK;
}

/* The copy copy_log() makes from skip, verified as the log is (t):
 * ST_OK, af ready to commit; ST_NO, no record verifies in it either, af
 * aborted; ST_FAIL after a message, af aborted.  The header row names
 * format 1, else format 2 (jukisec-log(5) "Formats"), or only the format
 * other than not (a header row of that one did not verify): nothing else
 * names the log's format once its header row is gone, and the records
 * verify under one only (a genesis names its own, which the verifier
 * holds to the header row's).  A log of format 2 so costs a second copy. */
static int
try_header(struct store *st, const struct oplog_vkey *vk, const char *path,
    int64_t now, long long skip, int not, struct atomic_file *af,
    struct oplog_verify_result *t)
{
	char	*tmp;
	int	 r = ST_NO, format;

	for (format = 1; format <= 2 && r == ST_NO; format++) {
		if (format == not)
			continue;
		if ((r = copy_log(st, path, format, skip, -1, af)) != ST_OK)
			return r;
		tmp = xasprintf("%s/%s", st->dir, af->tmpname);
		memset(t, 0, sizeof(*t));
		verify_log(vk, tmp, now, t);
		free(tmp);
		if (t->status == ST_FAIL)
			jerr_say(st->err, ST_FAIL, "%s: %s", path, t->reason);
		r = t->status == ST_FAIL ? ST_FAIL : t->good.ok ? ST_OK : ST_NO;
		if (r != ST_OK)
			atomic_abort(af);
	}
	return r;
}

/*
 * A log whose first line is not the header row (damaged, or removed so
 * that the genesis record is first, or one of the other format): the
 * header row is put back when the records then verify from the log's
 * start, res becoming the verification of the log so restored.  A first line of any other kind is replaced as
 * a damaged header row would be: whatever it is, the chain does not hold
 * it.  Its bytes go first to DIR/oplog-header-TIME (as save_cut), then
 * the restored log replaces oplog.csv atomically (a crash leaves the old
 * log or the new one).  ST_OK; ST_NO when neither verifies, nothing
 * changed; ST_FAIL after a message.
 */
static int
restore_header(struct store *st, const struct oplog_vkey *vk,
    const char *path, int64_t now, struct oplog_verify_result *res,
    char *findings)
{
	struct oplog_verify_result *t = xcalloc(1, sizeof(*t));
	struct atomic_file af;
	char	 line[OPLOG_LINE_MAX + 3], saved[64] = "";
	ssize_t	 n;
	int	 r = ST_NO, f;

	if ((n = first_line(st, path, line, sizeof(line))) == -1)
		r = ST_FAIL;
	else if (n > 0 && (f = tail_is_header(line, (size_t)n)) != 0)
		r = try_header(st, vk, path, now, n, f, &af, t);	/* the other format's? */
	else if (n > 0 && (r = try_header(st, vk, path, now, n, 0, &af, t)) == ST_NO &&
	    (r = try_header(st, vk, path, now, 0, 0, &af, t)) == ST_OK)
		n = 0;		/* the first line is the first record */
	if (r == ST_OK && n > 0 && (r = save_cut(st, now, "oplog-header", 0,
	    n, saved, sizeof(saved))) != ST_OK)
		atomic_abort(&af);
	if (r == ST_OK && atomic_commit(&af) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s", path);
		if (*saved)
			unlinkat(st->dirfd, saved, 0);
		r = ST_FAIL;
	}
	if (r == ST_OK) {
		if (*saved)
			note(findings, "header row restored (line 1 saved to %s)", saved);
		else
			note(findings, "header row restored (it was missing)");
		*res = *t;
	}
	free(t);
	return r;
}

/* The slot of the head a writer goes by when that head is open and its
 * hmac verifies, else -1: a writer cuts whatever follows an open head,
 * and so would cut the recover record renamed into place after it
 * (oplog_rebuild).  A slot that does not verify stays as found until the
 * record naming it is in the log.  *seq, *size: the open head's, else -1. */
static int
open_slot(struct store *st, const struct oplog_vkey *vk, int format, long long *seq,
    long long *size)
{
	struct oplog_heads hs;
	const char *why;
	struct oplog_head *h;

	*seq = *size = -1;
	if (oplog_heads_read(st, &hs, O_RDONLY, &why) == -1 || oplog_heads_pick(&hs) != NULL)
		return -1;
	h = &hs.h[hs.pick];
	if (h->version != 2 || !h->open)
		return -1;
	*seq = h->seq;
	*size = h->size;
	return oplog_head_check(h, vk->k0, 0, format) == -1 ? -1 : hs.pick;
}

/* A writer killed between its cut and its repair record left its open
 * head at seq and size and oplog.cut, which its next writer logs; the
 * rebuild rewrites that head and removes the note, so the findings name
 * the cut.  Without an open head, seq and size are the last record kept:
 * a recovery killed after it closed that head and before its rename
 * leaves the log ending at the note's seq, which a committed repair
 * would have moved past, so the note still stands.  Bytes a writer noted
 * but was killed before cutting are still in the log: the findings name
 * them with the rest of what does not verify, not here.
 * ST_OK, or ST_FAIL when oplog.cut is refused (as writers refuse it). */
static int
writer_cut(struct store *st, long long seq, long long size, char *findings)
{
	struct stat sb;
	long long removed, at;
	int there = 0;

	if (fstatat(st->dirfd, OPLOG_FILE, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		sb.st_size = -1;
	if ((removed = oplog_cut_noted(st, seq, size, sb.st_size, &at, &there)) == 0)
		return ST_OK;
	if (removed == -1)
		return ST_FAIL;
	note(findings, "%s: removed=%lld bytes after seq %lld", OPLOG_CUTFILE, removed, seq);
	return ST_OK;
}

/* The verified prefix copied to OPLOG_RECOVERTMP, with a record `recover`
 * saying what was found, renamed over the log; the head and key rebuilt
 * for it.  ST_OK with summary set, or the failure after a message. */
static int
rebuild(struct store *st, const struct oplog_vkey *vk,
    const struct oplog_verify_result *res, const char *path,
    char *findings, int64_t now, char *summary, size_t cap)
{
	struct atomic_file af;
	struct oplog_head p;
	struct oplog_rec rec;
	unsigned char *k;
	char *detail;
	long long seq, size;
	int r, first = open_slot(st, vk, res->format, &seq, &size);

	if ((r = writer_cut(st, seq != -1 ? seq : res->good.seq,
	    seq != -1 ? size : res->good.end, findings)) != ST_OK ||
	    (r = copy_log(st, path, 0, 0, res->good.end, &af)) != ST_OK)
		return r;
	good_head(res, &p);
	k = xmalloc_secure(32);
	oplog_key_at(vk->k0, 0, p.kepoch, k);
	detail = xasprintf("by uid=%lu: %s", (unsigned long)getuid(), findings);
	if (strlen(detail) > OPLOG_DETAIL_MAX)
		detail[OPLOG_DETAIL_MAX] = '\0';
	rec.operator = "-";
	rec.action = "recover";
	rec.object = OPLOG_FILE;
	rec.result = "ok";
	rec.detail = detail;
	if ((r = oplog_rebuild(st, vk, &p, res->good.seal, k, &rec, now, &af,
	    first)) == ST_OK)
		snprintf(summary, cap, _("%s recovered: kept seq %lld-%lld; %s"), path,
		    res->first_seq, res->good.seq, findings);
	wipe(k, 32);
	gcry_free(k);
	free(detail);
	return r;
}

/* restore_header when the records do not verify from the log's start, or
 * when line 1 is not the header row as writers write it. */
static int
settle_header(struct store *st, const struct oplog_vkey *vk, const char *path,
    int64_t now, struct oplog_verify_result *res, char *findings)
{
	int written = 1;

	if (res->good.ok && (written = header_as_written(st, path)) == -1)
		return ST_FAIL;
	if (!res->good.ok || !written)
		return restore_header(st, vk, path, now, res, findings);
	return ST_OK;
}

/* Why no record verifies from the log's start: the verifier's reason;
 * a log that holds its header row alone leaves it none. */
static const char *
none_why(const struct oplog_verify_result *res)
{
	return *res->reason != '\0' ? res->reason :
	    _("no record after the header row");
}

/* The findings go into the recover record, which says them in English
 * whatever the locale (jukisec-log(5)): the texts they quote (the
 * verifier's reason, the head's and the key's) are made under
 * LC_MESSAGES=C.  Only this thread runs while it is switched: the
 * verifier's workers start and end inside verify_log. */
static char *
messages_c(void)
{
	char *was;

	jukisec_msg();		/* a deferred set-up would switch it back */
	was = xstrdup(setlocale(LC_MESSAGES, NULL));
	setlocale(LC_MESSAGES, "C");
	return was;
}

static void
messages_back(char *was)
{
	setlocale(LC_MESSAGES, was);
	free(was);
}

/* What does not fit, of a log of size bytes: the records after the
 * verified prefix, the head, the key. */
static void
find(struct store *st, const struct oplog_vkey *vk,
    const struct oplog_verify_result *res, long long size, char *findings)
{
	const char *why;
	char *was;

	if (size > res->good.end)
		note(findings, "%lld bytes after seq %lld did not verify (%s)",
		    size - res->good.end, res->good.seq, res->reason);
	was = messages_c();
	if ((why = head_problem(st, vk, res)) != NULL)
		note(findings, "head: %s", why);
	if ((why = key_problem(st, vk, res)) != NULL)
		note(findings, "key: %s", why);
	messages_back(was);
}

int
oplog_recover(struct store *st, const struct oplog_vkey *vk, int64_t now,
    char *summary, size_t cap)
{
	struct oplog_verify_result *res = xcalloc(1, sizeof(*res));
	struct stat sb;
	char *path, *was, findings[NOTE_MAX] = "";
	int fd, r;

	*summary = '\0';
	if ((r = store_lock(st, STORE_LOCK_LOG)) != ST_OK) {
		free(res);
		return r;
	}
	path = xasprintf("%s/%s", st->dir, OPLOG_FILE);
	if ((r = oplog_tmp_clear(st)) != ST_OK)
		goto out;
	was = messages_c();
	verify_log(vk, path, now, res);
	messages_back(was);
	if (res->status == ST_FAIL) {
		jerr_say(st->err, ST_FAIL, "%s: %s", res->bad_file, res->reason);
		r = ST_FAIL;
		goto out;
	}
	if ((r = settle_header(st, vk, path, now, res, findings)) == ST_FAIL)
		goto out;
	if (!res->good.ok) {
		jerr_say(st->err, ST_NO, _("%s: no record verifies with this key from the log's start (%s); "
		    "nothing changed"), path, none_why(res));
		r = ST_NO;
		goto out;
	}
	if ((fd = store_openat_st(st, OPLOG_FILE, O_RDONLY, 0, &sb)) == -1) {
		open_safe_say(st->err, path);
		r = ST_FAIL;
		goto out;
	}
	close(fd);
	find(st, vk, res, (long long)sb.st_size, findings);
	if (*findings == '\0') {
		snprintf(summary, cap, _("%s, its head and its key are as a writer expects: nothing to recover"),
		    path);
		r = ST_OK;
		goto out;
	}
	if (sb.st_size > res->good.end && (r = cut_tail(st, now, res->good.end,
	    (long long)sb.st_size, findings)) != ST_OK)
		goto out;
	r = rebuild(st, vk, res, path, findings, now, summary, cap);
out:
	store_unlock(st, STORE_LOCK_LOG);
	free(path);
	free(res);
	return r;
}
