/*
 * clock.c — "now" for decisions, from the clock and the operation log.
 *
 * Invariants: a decision's time never goes back past the operation log's
 * last record (the log's times never decrease, jukisec-log(5)), whatever
 * the clock says; the log is read without a lock, from its last complete
 * line (a torn tail a killed writer left is not a record).  --now is the
 * command line's (tool.c): only the read-only tools parse one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "clock.h"
#include "oplog_priv.h"
#include "oplog_verify.h"
#include "prune_kept.h"
#include "timeutil.h"

#define LOG_FILE	"oplog.csv"
#define DOUBT_MS	(CLOCK_DOUBT_DAYS * 86400000LL)

/* The time field of one record line "SEQ,TIME,...": -1 if not one. */
static int
line_time(const char *s, size_t n, int64_t *t)
{
	char	 buf[TIME_BUFSZ + 8];
	size_t	 i = 0, j;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0 || i == n || s[i] != ',')
		return -1;
	for (j = ++i; j < n && s[j] != ','; j++)
		;
	if (j == n || j - i >= sizeof buf)
		return -1;
	memcpy(buf, s + i, j - i);
	buf[j - i] = '\0';
	return time_parse(buf, t);
}

/* The number of the line that starts at byte at of fd (buf holding the
 * bytes from off on): a log too long for buf is read again, on this way
 * to an error only. */
static long long
line_number(int fd, const char *buf, off_t off, off_t at)
{
	char		 b[65536];
	long long	 lines = 1;
	off_t		 o = 0;
	ssize_t		 n;
	const char	*p, *e;

	if (off == 0) {
		for (p = buf, e = buf + at; (p = memchr(p, '\n', e - p)) != NULL; p++)
			lines++;
		return lines;
	}
	while (o < at && (n = pread(fd, b, at - o < (off_t)sizeof b ?
	    (size_t)(at - o) : sizeof b, o)) > 0) {
		for (p = b, e = b + n; (p = memchr(p, '\n', e - p)) != NULL; p++)
			lines++;
		o += n;
	}
	return o == at ? lines : -1;
}

/* Why line s (n bytes) of fd's log is no record, in log-verify's own
 * words (its reader's parse, in the log's format as its header row
 * names it); NULL if that parse finds none.  Only on the way to an
 * error: the scratch is touched then. */
static const char *
record_words(int fd, const char *s, size_t n)
{
	static char	 scratch[OPLOG_LINE_MAX + 16];
	struct oplog_record rec;
	char		 head[512];
	ssize_t		 h;

	if (n > OPLOG_LINE_MAX)
		return _("line too long");
	h = pread(fd, head, sizeof(head) - 1, 0);
	head[h > 0 ? h : 0] = '\0';
	head[strcspn(head, "\n")] = '\0';
	return oplog_parse_line_fmt(s, n, scratch, &rec,
	    strstr(head, "gmac_v2") != NULL ? 2 : 1);
}

/* Why the log has no last record to take the time from, said: the last
 * complete line (start to end) named, in log-verify's words, when it is
 * no record; else, a log emptied or cut (say by logrotate's
 * copytruncate) or holding its header row alone, that there is none.
 * The way back either way is the writers'.  cut: the line began before
 * buf, longer than any record. */
static int
no_last(struct store *st, int fd, const char *buf, off_t off, const char *start,
    const char *end, int cut)
{
	long long line = end == NULL ? 0 : line_number(fd, buf, off, off + (start - buf));
	const char *why;

	if (line > 1) {
		if ((why = cut ? _("line too long") : record_words(fd, start,
		    (size_t)(end - start))) == NULL)
			why = _("field time: not in the form YYYY-MM-DDTHH:MM:SS.mmmZ");
		jerr_say(st->err, ST_FAIL, _("%s/%s:%lld: %s; run log-verify, then log-append --recover"),
		    st->dir, LOG_FILE, line, why);
	} else
		jerr_say(st->err, ST_FAIL,
		    _("%s/%s: %s; run log-verify, then log-append --recover"), st->dir,
		    LOG_FILE, _("no last record to take the time from"));
	close(fd);
	return ST_FAIL;
}

int
clock_log_last(struct store *st, int64_t *t)
{
	static char	 buf[2 * OPLOG_LINE_MAX];
	struct stat	 sb;
	char		*path;
	off_t		 off;
	ssize_t		 n;
	char		*end, *start = buf;
	int		 fd;

	if ((fd = store_openat(st, LOG_FILE, O_RDONLY, 0)) == -1) {
		path = xasprintf("%s/%s", st->dir, LOG_FILE);
		open_safe_say(st->err, path);
		free(path);
		return ST_FAIL;
	}
	if (fstat(fd, &sb) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, LOG_FILE);
		close(fd);
		return ST_FAIL;
	}
	off = sb.st_size > (off_t)sizeof buf ? sb.st_size - (off_t)sizeof buf : 0;
	n = pread(fd, buf, (size_t)(sb.st_size - off), off);
	if (n != sb.st_size - off) {
		if (n == -1)
			jerr_say_errno(st->err, ST_FAIL,
			    "%s/%s", st->dir, LOG_FILE);
		else
			jerr_say(st->err, ST_FAIL,
			    _("%s/%s: short read"), st->dir, LOG_FILE);
		close(fd);
		return ST_FAIL;
	}
	/* the last complete line: up to the last LF, from the LF before it;
	 * one longer than a record is none (record_words says so) */
	end = memrchr(buf, '\n', (size_t)n);
	if (end != NULL) {
		start = memrchr(buf, '\n', (size_t)(end - buf));
		start = start != NULL ? start + 1 : buf;
		if ((start > buf || off == 0) && end - start <= OPLOG_LINE_MAX &&
		    line_time(start, (size_t)(end - start), t) == 0) {
			close(fd);
			return ST_OK;
		}
	}
	return no_last(st, fd, buf, off, start, end, start == buf && off != 0);
}

int
clock_decision(struct store *st, int64_t *now)
{
	int64_t	 last;
	int	 r;

	if ((r = clock_log_last(st, &last)) != ST_OK)
		return r;
	*now = time_now_ms();
	if (*now < last)
		*now = last;
	return ST_OK;
}

/* 1 for a seal record (jukisec-log(5), "Special records"). */
static int
is_seal(const struct oplog_record *rec)
{
	return strcmp(rec->field[OF_OPERATOR], "-") == 0 &&
	    strcmp(rec->field[OF_ACTION], "seal") == 0;
}

/*
 * The records of fd up to size from time from on (INT64_MIN: all of
 * them, their lines counted from the header row): fn called for each
 * stretch of more than DOUBT_MS between two records that are not seals,
 * and ST_NO when it returns nonzero; else ST_OK with *last the time of
 * the last record that is not a seal (-1: none).  ST_FAIL after a
 * message naming the line.  Seals do not count: a writer that finds the
 * clock past its epoch writes the seals of every epoch in between at
 * once, each dated at its epoch's end, so that they fill a jump with
 * times the clock never read.
 */
static int
scan_quiet(struct store *st, int fd, long long size, int64_t from,
    clock_silence_fn *fn, void *arg, int64_t *last)
{
	struct oplog_reader	*rd;
	struct oplog_record	*rec;
	const char		*why;
	long long		 off;
	size_t			 line;
	int			 r;

	rd = oplog_reader_open(fd, LOG_FILE);
	/* a guess by time, or the whole log when there is none; the first
	 * record's guess is line 2 */
	if ((off = prune_guess(fd, size, from)) == -1)
		oplog_reader_seek(rd, 0);
	else if (from == INT64_MIN)
		oplog_reader_resume(rd, off, 1);
	else
		oplog_reader_seek(rd, off);
	oplog_reader_limit(rd, size);
	*last = -1;
	while ((r = oplog_reader_next(rd, &rec)) == 1) {
		if (rec->time < from || is_seal(rec))
			continue;
		if (*last != -1 && rec->time - *last > DOUBT_MS &&
		    fn(arg, *last, rec->time))
			break;
		*last = rec->time;
	}
	if (r == -1) {
		why = oplog_reader_error(rd, &line, NULL);
		jerr_say(st->err, ST_FAIL, _("%s/%s:%zu: %s; run log-verify"),
		    st->dir, LOG_FILE, line, why);
	}
	oplog_reader_close(rd);
	return r == -1 ? ST_FAIL : r == 1 ? ST_NO : ST_OK;
}

int
clock_silences(struct store *st, int fd, long long size, int64_t now,
    clock_silence_fn *fn, void *arg)
{
	int64_t	 last;
	int	 r;

	r = scan_quiet(st, fd, size, INT64_MIN, fn, arg, &last);
	if (r == ST_OK && last != -1 && now - last > DOUBT_MS &&
	    fn(arg, last, now))
		r = ST_NO;
	return r;
}

/* The first stretch: where clock_corroborated stops. */
struct first {
	int64_t	*late, *seen;
};

static int
first(void *arg, int64_t start, int64_t end)
{
	struct first *f = arg;

	*f->late = start;
	*f->seen = end;
	return 1;
}

int
clock_corroborated(struct store *st, int64_t from, int64_t now,
    int64_t *late, int64_t *seen)
{
	struct oplog_head	 hd;
	struct first		 f = { late, seen };
	const char		*why;
	int64_t			 last;
	int			 fd, r;

	if (oplog_head_read(st, &hd, &why) == -1) {
		jerr_say(st->err, ST_FAIL, "%s/%s: %s", st->dir, "oplog.head",
		    why);
		return ST_FAIL;
	}
	if ((fd = store_openat(st, LOG_FILE, O_RDONLY, 0)) == -1) {
		store_open_say(st, st->err, LOG_FILE);
		return ST_FAIL;
	}
	r = scan_quiet(st, fd, hd.size, from, first, &f, &last);
	close(fd);
	if (r != ST_OK)
		return r;
	/* from the last record that is not a seal (the lock's own, at
	 * least) to now */
	*late = last != -1 ? last : from;
	*seen = now;
	return now - *late > DOUBT_MS ? ST_NO : ST_OK;
}
