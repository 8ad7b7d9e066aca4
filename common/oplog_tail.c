/*
 * oplog_tail.c — the log read as lines, from the front or from the end,
 * without parsing the middle fields (oplog_tail.h); and prune_recover(),
 * with which every writer completes the head of a log-prune killed
 * between its rename and its head.  Below both oplog.c and prune.c.
 *
 * Invariants: memory does not depend on the log's size (a line is at most
 * TAIL_BUFSZ bytes from the front, 4 * OPLOG_LINE_MAX from the end); a
 * checkpoint is trusted only when its MAC verifies under the key of the
 * head's kepoch, which the caller holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "jerr.h"
#include "oplog_priv.h"
#include "oplog_tail.h"
#include "prune.h"
#include "timeutil.h"

/* Reads of this size stay in the processor's cache while their lines are
 * parsed; filling the whole buffer at once had the scan parse from memory
 * (a prune's scan took 45 % more processor time). */
#define TAIL_READSZ	(256 << 10)

/* 1: *p, *n is the next whole line with its LF; 0: limit or end reached. */
int
tail_lines_next(struct tail_lines *r, char **p, size_t *n)
{
	char *nl;
	ssize_t k;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			*p = r->buf + r->start;
			*n = (size_t)(nl + 1 - *p);
			if (r->off + (long long)*n > r->limit)
				return 0;
			r->start += *n;
			r->off += (long long)*n;
			r->lineno++;
			return 1;
		}
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->end == TAIL_BUFSZ) {
			errno = EFBIG;
			return -1;
		}
		k = read(r->fd, r->buf + r->end, TAIL_BUFSZ - r->end < TAIL_READSZ ?
		    TAIL_BUFSZ - r->end : TAIL_READSZ);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			return -1;
		if (k == 0)
			return 0;
		r->end += (size_t)k;
	}
}

/* Up to 18 digits cannot overflow: most seqs take this way, parse_num()
 * (signs, range) the rest, so both accept the same fields. */
static int
num_field(const char *p, size_t n, long long *v)
{
	char tmp[24];
	const char *errstr;
	long long x = 0;
	size_t i;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	for (i = 0; i < n && i < 18 && p[i] >= '0' && p[i] <= '9'; i++)
		x = x * 10 + (p[i] - '0');
	if (i == n) {
		*v = x;
		return 0;
	}
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	return parse_num(tmp, 0, INT64_MAX, v, &errstr);
}

/* The time of a record whose day (its first 11 bytes, "YYYY-MM-DDT") is
 * the last one parsed: the log's times are in order, so a scan parses a
 * day once, and each record's "HH:MM:SS.mmmZ" as time_parse() would.
 * Per thread: the writer runs inside PAM hosts too. */
static _Thread_local struct {
	char		day[11];
	int64_t		base;		/* that day's first millisecond */
	int		ok;
} tday;

static int
d2(const char *p, int max)
{
	int v;

	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	v = (p[0] - '0') * 10 + (p[1] - '0');
	return v <= max ? v : -1;
}

static int
fast_time(const char *s, size_t n, int64_t *t)
{
	int h, mi, sec, ms, i;

	if (n != 24 || !tday.ok || memcmp(s, tday.day, 11) != 0 || s[13] != ':' ||
	    s[16] != ':' || s[19] != '.' || s[23] != 'Z' || (h = d2(s + 11, 23)) < 0 ||
	    (mi = d2(s + 14, 59)) < 0 || (sec = d2(s + 17, 59)) < 0)
		return -1;
	for (ms = 0, i = 20; i < 23; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		ms = ms * 10 + (s[i] - '0');
	}
	*t = tday.base + ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + ms;
	return 0;
}

static int
parse_time(const char *s, size_t n, int64_t *t)
{
	char tmp[TIME_BUFSZ];
	int64_t day;

	if (fast_time(s, n, t) == 0)
		return 0;
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (time_parse(tmp, t) == -1)
		return -1;
	/* Remember the day of a plain UTC time of the canonical form. */
	tday.ok = 0;
	if (n == 24 && s[10] == 'T' && s[23] == 'Z') {
		memcpy(tmp, s, 10);
		tmp[10] = '\0';
		if (time_parse(tmp, &day) == 0) {
			memcpy(tday.day, s, 11);
			tday.base = day;
			tday.ok = 1;
		}
	}
	return 0;
}

/* 1 when the 8 bytes at p are lowercase hex digits: each byte is ASCII
 * and in '0'-'9' or 'a'-'f', tested on all 8 at once (a byte below 0x80
 * plus at most 0x50 never carries into the next). */
static int
hex8(const char *p)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t w, digit, letter;

	memcpy(&w, p, sizeof(w));
	if (w & high)
		return 0;
	digit = (w + (0x80 - '0') * ones) & ~(w + (0x80 - '9' - 1) * ones);
	letter = (w + (0x80 - 'a') * ones) & ~(w + (0x80 - 'f' - 1) * ones);
	return ((digit | letter) & high) == high;
}

/* seq, time and MAC of one line (LF included, CR LF allowed): NULL, or
 * why not, untranslated (N_). */
const char *
tail_parse_key(const char *p, size_t n, struct tail_key *k)
{
	const char *c1, *c2, *last, *end = p + n - 1;
	size_t i;

	if (end > p && end[-1] == '\r')
		end--;
	if ((c1 = memchr(p, ',', (size_t)(end - p))) == NULL ||
	    (c2 = memchr(c1 + 1, ',', (size_t)(end - c1 - 1))) == NULL)
		return N_("not valid CSV with 10 fields");
	if (num_field(p, (size_t)(c1 - p), &k->seq) == -1)
		return N_("field seq: not a decimal number");
	if (parse_time(c1 + 1, (size_t)(c2 - c1 - 1), &k->time) == -1)
		return N_("field time: not in the form "
		    "YYYY-MM-DDTHH:MM:SS.mmmZ");
	/* The last field is the MAC: 64 lowercase hex digits (no comma)
	 * after a comma past the time. */
	last = end - 2 * OPLOG_MACLEN;
	if (end - c2 <= 2 * OPLOG_MACLEN || last[-1] != ',')
		return N_("last field (the MAC): not 64 lowercase hex "
		    "digits");
	for (i = 0; i < 2 * OPLOG_MACLEN; i += 8)
		if (!hex8(last + i))
			return N_("last field (the MAC): not 64 lowercase hex "
		    "digits");
	memcpy(k->mac, last, 2 * OPLOG_MACLEN);
	k->mac[2 * OPLOG_MACLEN] = '\0';
	return NULL;
}

int
tail_is_header(const char *p, size_t n)
{
	size_t h = sizeof(OPLOG_HEADER) - 1;

	if (n != h + 1 && (n != h + 2 || p[h] != '\r'))
		return 0;
	return oplog_header_format(p, h);
}

/*
 * The log's format (1 or 2) when fd begins with its header row; -1 after
 * one line naming
 * fname's line 1.  One pread at offset 0, which every append can afford.
 * The live log always starts with the header row (jukisec-init and
 * log-prune write it; a collector's copy, which starts with a record, is
 * never a state directory's oplog.csv).  A genesis record after it names
 * the format too: a header row changed to the other one (no key needed)
 * would have writers MAC in it, making a log of two formats.
 */
int
tail_header_check(int fd, const char *fname, struct jerr *e, int64_t *t0, long long *es)
{
	char buf[512];		/* the row, CR LF, and a genesis record */
	const char *lf, *lf2, *why;
	ssize_t got;
	int f;

	if ((got = pread(fd, buf, sizeof(buf), 0)) == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", fname);
		return -1;
	}
	if ((lf = memchr(buf, '\n', got)) == NULL || (f = tail_is_header(buf, lf + 1 - buf)) == 0) {
		/* log-append --recover puts the header row back, as for
		 * the other format's below */
		jerr_say(e, ST_FAIL, _("%s:1: %s; run log-verify, then log-append --recover"),
		    fname, _("not an operation log (header row)"));
		return -1;
	}
	lf++;
	if ((lf2 = memchr(lf, '\n', buf + got - lf)) != NULL &&
	    (why = oplog_header_over(f, lf, lf2 - lf)) != NULL) {
		jerr_say(e, ST_FAIL, _("%s:1: %s; run log-verify, then log-append --recover"),
		    fname, why);
		return -1;
	}
	if (es != NULL && (lf2 == NULL || !oplog_genesis_schedule(lf, lf2 - lf, t0, es)))
		*es = 0;
	return f;
}

int
tail_format(int fd)
{
	char buf[sizeof(OPLOG_HEADER) + 1];
	const char *lf;
	ssize_t got;

	if ((got = pread(fd, buf, sizeof(buf), 0)) <= 0 || (lf = memchr(buf, '\n', got)) == NULL)
		return 0;
	return tail_is_header(buf, lf + 1 - buf);
}

/*
 * The last record line of fd before size: *key filled, 1; 0 if there is
 * none; -1 on error (errno).  *lfend gets the offset just past the last LF,
 * *at that line's; a line longer than the window is EFBIG, *at -1 and
 * *lfend its end (the line's number is all a caller can say of it).
 * Header rows (archive chunks) are skipped.
 */
int
tail_record(int fd, long long size, struct tail_key *k, long long *lfend,
    long long *at)
{
	static char win[4 * OPLOG_LINE_MAX];
	long long base;
	size_t n, e, s;
	ssize_t got;

	base = size > (long long)sizeof(win) ? size - (long long)sizeof(win) : 0;
	n = (size_t)(size - base);
	if ((got = pread(fd, win, n, base)) == -1)
		return -1;
	if ((size_t)got != n) {
		errno = EIO;
		return -1;
	}
	for (e = n; e > 0 && win[e - 1] != '\n'; e--)
		;
	*lfend = base + (long long)e;
	*at = -1;
	while (e > 0) {
		for (s = e - 1; s > 0 && win[s - 1] != '\n'; s--)
			;
		if (s == 0 && base > 0) {
			*lfend = base + (long long)e;
			errno = EFBIG;
			return -1;
		}
		*at = base + (long long)s;
		if (!tail_is_header(win + s, e - s))
			return tail_parse_key(win + s, e - s, k) == NULL ? 1 : (errno = EINVAL, -1);
		e = s;
	}
	return 0;
}

/* The last line before end (an LF there), NUL-terminated in buf; NULL if
 * it cannot be read or is longer than buf.  start: the first line's offset. */
static char *
last_line(int fd, long long end, long long start, char *buf, size_t cap)
{
	size_t n = end - start > (long long)cap - 1 ? cap - 1 : (size_t)(end - start);
	char *p;

	if (n == 0 || pread(fd, buf, n, end - (long long)n) != (ssize_t)n ||
	    buf[n - 1] != '\n')
		return NULL;
	buf[n - 1] = '\0';
	if ((p = memrchr(buf, '\n', n - 1)) != NULL)
		return p + 1;
	return end - (long long)n == start ? buf : NULL;
}

/*
 * A prune killed after renaming the new log into place but before its
 * head was committed leaves a log shorter than its open head that ends
 * with the checkpoint chained to the head's record, covering the log's
 * first record.  Here that checkpoint's MAC is checked under k, the key of
 * the head's kepoch, which the caller holds: ST_OK and *hd describing the
 * new log (closed, for the caller to commit), ST_NO for any other log,
 * ST_FAIL on I/O errors.
 * Long: each check of the remnant, in the order the log is read.
 */
int
prune_recover(struct store *st, struct oplog_head *hd, const unsigned char k[32],
    long long kepoch)
{
	struct oplog_record rec;
	struct oplog_mac m = { 0 };
	struct tail_lines r = { 0 };
	struct stat sb;
	struct tail_key prev, first;
	unsigned char mac[OPLOG_MACLEN];
	char *p, *scratch = NULL, hex[2 * OPLOG_MACLEN + 1], want[64];
	long long lfend, at;
	size_t n;
	int ret = ST_NO, format;

	if ((r.fd = store_openat_st(st, OPLOG_FILE, O_RDONLY, 0, &sb)) == -1) {
		store_open_say(st, st->err, OPLOG_FILE);
		ret = ST_FAIL;
		goto out;
	}
	if (sb.st_size >= hd->size)
		goto out;
	hex_encode(hd->mac, OPLOG_MACLEN, hex);
	r.buf = xmalloc(TAIL_BUFSZ);
	r.limit = sb.st_size;
	scratch = xmalloc(OPLOG_LINE_MAX + 16);
	if (tail_lines_next(&r, &p, &n) != 1 || (format = tail_is_header(p, n)) == 0 ||
	    tail_lines_next(&r, &p, &n) != 1 || tail_parse_key(p, n, &first) != NULL ||
	    first.seq == 0 || (lfend = sb.st_size) < r.off ||
	    (p = last_line(r.fd, lfend, sizeof(OPLOG_HEADER), r.buf, TAIL_BUFSZ)) == NULL ||
	    tail_record(r.fd, lfend - (long long)strlen(p) - 1, &prev, &lfend, &at) != 1 ||
	    prev.seq != hd->seq || strcmp(prev.mac, hex) != 0)
		goto out;
	snprintf(want, sizeof(want), "-%lld ", first.seq - 1);
	if (oplog_parse_line(p, strlen(p), scratch, &rec) != NULL ||
	    rec.seq != hd->seq + 1 || rec.epoch != kepoch ||
	    strcmp(rec.field[OF_OPERATOR], "-") != 0 ||
	    strcmp(rec.field[OF_ACTION], "log-prune") != 0 ||
	    strncmp(rec.field[OF_DETAIL], "removed=", 8) != 0 ||
	    strstr(rec.field[OF_DETAIL], want) == NULL)
		goto out;
	mac_open(&m);
	mac_format(&m, format);
	mac_setkey(&m, k, kepoch);
	mac_record(&m, hd->mac, (const char *const *)rec.field, rec.len, rec.mac, mac);
	if (!ct_equal(mac, rec.mac, OPLOG_MACLEN))
		goto out;
	hd->erecs = rec.epoch == hd->epoch ? hd->erecs + 1 : 1;
	hd->seq = rec.seq;
	hd->epoch = rec.epoch;
	hd->time = rec.time;
	memcpy(hd->mac, rec.mac, OPLOG_MACLEN);
	hd->count = rec.seq - first.seq + 1;
	hd->size = sb.st_size;
	hd->open = 0;
	ret = ST_OK;
out:
	if (m.h != NULL)
		mac_close(&m);
	if (r.fd != -1)
		close(r.fd);
	free(r.buf);
	free(scratch);
	return ret;
}

/*
 * Whether a record with rec's operator, action, object and result, and a
 * detail that begins with rec's, follows seq in oplog.csv: walked back from
 * the end over the records after seq only (a register change interrupted
 * before its pending file was removed, register_txn.c).  1 found, 0 not,
 * -1 after a message (the file cannot be read, or a line is not a record).
 */
int
oplog_logged_since(struct store *st, long long seq, const struct oplog_rec *rec)
{
	struct oplog_head hd;
	struct oplog_record r;
	struct stat sb;
	char *buf, *p, *scratch;
	long long end;
	const char *why = NULL;
	size_t n;
	int fd, found = 0;

	if ((fd = store_openat_st(st, OPLOG_FILE, O_RDONLY, 0, &sb)) == -1) {
		store_open_say(st, st->err, OPLOG_FILE);
		return -1;
	}
	buf = xmalloc(OPLOG_LINE_MAX + 2);
	scratch = xmalloc(OPLOG_LINE_MAX + 16);
	/* Records after an open head are an unfinished batch, which the next
	 * writer cuts: not logged.  After a closed head they are taken in. */
	end = sb.st_size;
	if (oplog_head_read(st, &hd, &why) == 0 && hd.open && hd.size < end)
		end = hd.size;
	why = NULL;
	/* a torn last line is not a record: start after the last LF */
	for (; end > 0; end -= (long long)n) {
		n = end > OPLOG_LINE_MAX ? OPLOG_LINE_MAX : (size_t)end;
		if (pread(fd, buf, n, end - (long long)n) != (ssize_t)n)
			break;
		if ((p = memrchr(buf, '\n', n)) != NULL) {
			end -= (long long)n - (p - buf) - 1;
			break;
		}
	}
	while (!found && end > 0 &&
	    (p = last_line(fd, end, 0, buf, OPLOG_LINE_MAX + 2)) != NULL) {
		end -= (long long)strlen(p) + 1;
		if (tail_is_header(p, strlen(p) + 1))
			continue;
		if ((why = oplog_parse_line(p, strlen(p), scratch, &r)) != NULL)
			break;
		if (r.seq <= seq)
			break;
		found = strcmp(r.field[OF_OPERATOR], rec->operator) == 0 &&
		    strcmp(r.field[OF_ACTION], rec->action) == 0 &&
		    strcmp(r.field[OF_OBJECT], rec->object) == 0 &&
		    strcmp(r.field[OF_RESULT], rec->result) == 0 &&
		    strncmp(r.field[OF_DETAIL], rec->detail, strlen(rec->detail)) == 0;
	}
	close(fd);
	free(buf);
	free(scratch);
	if (why != NULL) {
		jerr_say(st->err, ST_FAIL, "%s/%s: %s", st->dir, OPLOG_FILE, why);
		return -1;
	}
	return found;
}
