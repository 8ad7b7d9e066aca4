/*
 * prune.c — removing operation-log records older than the retention period
 * (R6) without losing one that must be kept, and with the log verifiable
 * afterwards (jukisec-log(5), "Pruning").
 *
 * Invariants:
 *  - Only records whose time is before the cutoff go, and never the newest
 *    record; times never decrease, so they are a prefix of the log.  The
 *    cutoff is never later than one calendar year before now (R6).
 *  - Memory does not depend on the log's size: records are streamed, the
 *    kept part is copied as bytes (copy_file_range), never parsed.  Its
 *    copy starts before the scan ends, from where a binary search puts
 *    the first kept record, and goes on while the archive is written;
 *    only the scan's answer counts (prune_kept.c).  An archive file gets
 *    the removed records 4 MiB at a time as the scan confirms them, so
 *    that the disk writes both files from the start.
 *  - A run that fails before the log is replaced leaves no trace in the
 *    archive file (those records are all still in the log): an archive
 *    it made is removed, one it found cut back to its length before the
 *    run.  After the log is replaced the archive stays as it is.
 *  - The archive is written and fsynced before the log is replaced, and a
 *    record already in the archive (a prune killed after its archive write)
 *    is not written to it again: the archive's last seq is read first, and
 *    its MAC must match the log's record of that seq.  An archive that
 *    ends at or past the first record the run keeps (a killed run's, with
 *    a later cut) is refused: the two files would hold those records both.
 *  - The log lock is held only at the end: the bulk copy goes to the
 *    temporary file .tmp-log-prune while writers go on appending; under
 *    the lock the bytes appended meanwhile are copied and oplog_replace()
 *    adds the checkpoint, renames and commits the head.  A crash at any
 *    instant leaves the old log or the new one; the next run removes the
 *    stale temporary.  One prune at a time: flock(2) on PRUNE_LOCK, the
 *    owner's alone (store_lock_open): not on the directory, which a
 *    member of its group may open and hold.  The owner's chain checks
 *    and reads (log-verify, log-show ARCHIVE... DIR/oplog.csv) hold it
 *    shared: the archive file gets the records before the log loses
 *    them, and a check read in between would see the archive run past
 *    the log's start.
 *  - A run that fails leaves the log as it was: every check that can
 *    refuse it (the archive opened and matched to the log, the clock, the
 *    head, the scan) comes before the log is written to; the seals of the
 *    epochs that ended go in with the run's record.  Only what a crash
 *    left is completed first, as every writer does (oplog_settle_at).
 *    A usage error (an archive in the state directory) leaves the
 *    directory byte for byte as it was: it is found before the prune
 *    lock's file is made.  A log with no head or no key is a state
 *    jukisec-init has not finished (log_here), said as store.c says a
 *    missing jukisec.conf.
 *  - Every real run that succeeds ends with a log-prune record: the
 *    checkpoint, or, when nothing was removed, one appended as every
 *    record is (removed=0); a dry run writes nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jukisec.h"
#include "clock.h"
#include "oplog.h"
#include "oplog_priv.h"
#include "oplog_tail.h"
#include "oplog_verify.h"
#include "prune.h"
#include "prune_kept.h"
#include "timeutil.h"

#define PRUNE_TMP	".tmp-log-prune"
/* The longest checkpoint line but for its terminal field (each field at
 * its widest: 20-digit numbers, 24-byte times, 64-digit MACs). */
#define CHECKPOINT_MAX	512

struct archive {
	int		fd;
	const char	*name;
	int		dfd;		/* its directory, checked (archive_outside) */
	const char	*base;		/* its name there */
	long long	last_seq;	/* -1: nothing in it yet */
	char		last_mac[2 * OPLOG_MACLEN + 1];
	int		matched;	/* the log has last_seq, same MAC */
	char		*buf;
	size_t		len;
	int		need_header;
	int		format;		/* the log's: its header row (jukisec-log(5)) */
	int		fresh;		/* empty or stdout: a header row comes first */
	long long	from;		/* log offset of the first record to archive */
	long long	copied;		/* log offset the archive holds records to */
	long long	start;		/* its length before the run (a file) */
	int		early;		/* a file the scan copies to as it reads */
	int		created;	/* a file this run made: a failed run removes it */
	struct prune_queue q;		/* its writeback, across those copies */
	struct jerr	*err;		/* where failures are said (st->err) */
};

/* The scan copies the records it has removed to an archive file whenever
 * this much is waiting: the disk writes them while the scan reads on. */
#define ARCHIVE_EARLY	(4LL << 20)

int64_t
prune_cutoff(int64_t now, long long days)
{
	int64_t cut = now - days * MS_PER_DAY, ms, yearago;
	int64_t day = now >= 0 ? now / MS_PER_DAY : (now - MS_PER_DAY + 1) / MS_PER_DAY;
	int y, m, d;

	ms = now - day * MS_PER_DAY;
	civil_from_days(day, &y, &m, &d);
	/* 29 February a year on is 1 March 00:00: the cutoff never moves
	 * back as the clock moves on, so a checkpoint's time always allows
	 * the cutoff its prune computed a moment before (jukisec-log(5)). */
	if (m == 2 && d == 29)
		yearago = days_from_civil(y - 1, 3, 1) * MS_PER_DAY;
	else
		yearago = days_from_civil(y - 1, m, d) * MS_PER_DAY + ms;
	return yearago < cut ? yearago : cut;
}

/*
 * The same local date and time one calendar year before now (TZ from the
 * environment: the year people keep the history by, SPEC), 29 February's
 * being 1 March 00:00 local; the earliest instant that reads so.  East of
 * UTC, on a local 29 February or 1 March, it is earlier than
 * prune_cutoff's UTC year; on other days the two differ only where summer
 * time began or ended on another day a year before, by its hour, which
 * would move the cutoff back as the clock moves on: those days take the
 * UTC year alone.  INT64_MAX when it is not asked or cannot be told.
 */
static int64_t
local_year_ago(int64_t now)
{
	time_t	 s = (time_t)(now >= 0 ? now / 1000 : (now - 999) / 1000);
	struct tm tm;
	int64_t	 ms;

	if (localtime_r(&s, &tm) == NULL ||
	    !((tm.tm_mon == 1 && tm.tm_mday == 29) || (tm.tm_mon == 2 && tm.tm_mday == 1)))
		return INT64_MAX;
	if (tm.tm_mon == 1 && tm.tm_mday == 29)
		return local_wall_ms(tm.tm_year + 1899, 3, 1, 0, 0, &ms) == 0 ?
		    ms : INT64_MAX;
	if (local_wall_ms(tm.tm_year + 1899, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, &ms) == -1)
		return INT64_MAX;
	return ms + (int64_t)tm.tm_sec * 1000 + (now - (int64_t)s * 1000);
}

/* log-prune's cutoff: prune_cutoff's, or a local calendar year's when
 * that is earlier, so that nothing goes before it is a year old in either
 * calendar (R6); a verifier, whatever its zone, checks prune_cutoff's
 * bound alone, which this never passes. */
static int64_t
run_cutoff(int64_t now, long long days)
{
	int64_t c = prune_cutoff(now, days), l = local_year_ago(now);

	return l < c ? l : c;
}

#define ARCHIVE_FLAGS	(O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)

/*
 * name opened and locked against other prunes (flock): the file as it is,
 * or one made now, 0600, and a->created set, so that a run that fails
 * knows it may remove it.  A regular file only, ours or root's, with no
 * group or other bit: not a link, a FIFO, a device, a directory
 * (open_safe's words; a file just made is all that).  *sb its stat; the
 * fd, or -1 after a message.
 */
static int
archive_lockfile(struct archive *a, const char *name, struct stat *sb)
{
	int fd = -1, tries;

	for (tries = 0; tries < 8; tries++) {
		a->created = 0;
		if ((fd = openat(a->dfd, a->base, ARCHIVE_FLAGS)) == -1 && errno == ENOENT &&
		    (fd = openat(a->dfd, a->base, ARCHIVE_FLAGS | O_CREAT | O_EXCL, 0600)) != -1)
			a->created = 1;
		if (fd == -1 && errno == EEXIST)
			continue;	/* made meanwhile: open it as it is */
		if (fd == -1 || fstat(fd, sb) == -1 || check_fd_safe(fd, 0) == -1) {
			if (errno == EISDIR)
				errno = EINVAL;
			open_safe_say(a->err, name);
			goto fail;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == -1)
			break;
		/* Not removed, between the open and the lock, by a failed
		 * run that had made it: records written now would be lost. */
		if (fstat(fd, sb) == 0 && sb->st_nlink > 0)
			return fd;
		close(fd);
		fd = -1;
	}
	jerr_say(a->err, ST_FAIL, _("%s: in use by another process"), name);
fail:
	if (fd != -1)
		close(fd);
	a->created = 0;	/* another process may have it now */
	return -1;
}

/* 0 when fd's first line is whole and not a header row (either format's,
 * any RFC 4180 quoting of its values, as a reader takes it): an archive
 * that starts otherwise is refused before its end is read, as
 * log-prune(1) names it.  Empty, or the start of a header row a kill cut
 * short (the one a run writes), is for the caller; any other file without
 * a line feed is refused. */
static int
archive_headed(int fd)
{
	char buf[OPLOG_HEADER_QMAX + 2];
	const char *lf;
	ssize_t got;
	size_t h = sizeof(OPLOG_HEADER) - 1;

	if ((got = pread(fd, buf, sizeof(buf), 0)) == -1)
		return 0;
	if ((lf = memchr(buf, '\n', got)) == NULL)
		return (size_t)got <= h && (memcmp(buf, OPLOG_HEADER, got) == 0 ||
		    memcmp(buf, OPLOG_HEADER2, got) == 0);
	return oplog_header_values(buf, (size_t)(lf + 1 - buf)) != 0;
}

/* The LFs in fd before end: the number of the line ending there; 0 when
 * they cannot be read.  Only for a message: an archive is read whole only
 * when it is refused. */
static size_t
lines_before(int fd, long long end)
{
	static char buf[64 << 10];
	long long off = 0;
	size_t lines = 0;
	const char *p, *q;
	ssize_t n;

	while (off < end) {
		n = pread(fd, buf, end - off < (long long)sizeof(buf) ?
		    (size_t)(end - off) : sizeof(buf), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		for (p = buf, q = buf + n; (p = memchr(p, '\n', q - p)) != NULL; p++)
			lines++;
		off += n;
	}
	return lines;
}

/*
 * The archive's last record, at offset at (-1: longer than tail_record's
 * window) up to end, read as log-verify reads a line: the run appends
 * after it, and an archive that log-verify refuses at that line would
 * refuse every record the run adds.  0, or -1 after the reader's words,
 * "FILE:LINE: why" (a field named when one is the problem).
 */
static int
archive_last(struct archive *a, long long at, long long end)
{
	struct oplog_reader *rd;
	struct oplog_record *rec;
	char why[256];
	int k, io = 0;

	if (at == -1)
		snprintf(why, sizeof(why), "%s", _("line too long"));
	else {
		rd = oplog_reader_open(a->fd, a->name);
		oplog_reader_want(rd, oplog_header_at(a->fd, 0));
		oplog_reader_single(rd);	/* a header row is no record */
		oplog_reader_resume(rd, at, 1);	/* not the header row's */
		oplog_reader_limit(rd, end);
		if ((k = oplog_reader_next(rd, &rec)) == 1) {
			/* tail_record's fixed form aside (a value quoted
			 * otherwise), the record's seq and MAC are these */
			why[0] = '\0';
			a->last_seq = rec->seq;
			memcpy(a->last_mac, rec->field[OF_MAC], 2 * OPLOG_MACLEN);
			a->last_mac[2 * OPLOG_MACLEN] = '\0';
		}
		else
			snprintf(why, sizeof(why), "%s", k == 0 ? _("not a record") :
			    oplog_reader_error(rd, NULL, &io));
		oplog_reader_close(rd);
		if (why[0] == '\0')
			return 0;
		if (io) {
			jerr_say(a->err, ST_FAIL, _("%s: cannot read its last record: %s"),
			    a->name, why);
			return -1;
		}
		jerr_say(a->err, ST_FAIL, "%s:%zu: %s", a->name,
		    lines_before(a->fd, at) + 1, why);
		return -1;
	}
	jerr_say(a->err, ST_FAIL, "%s:%zu: %s", a->name, lines_before(a->fd, end), why);
	return -1;
}

/* tail_record of the archive of size bytes, past header rows of its
 * format quoted otherwise than tail_record knows them (a chunk's of a run
 * that removed nothing, the file requoted): the record before them, none
 * before the first line's.  One of the other format is left for
 * archive_last to refuse.  *lfend is the file's, *at the record's line.
 * -2 after a message when it cannot be read. */
static int
archive_tail(struct archive *a, long long size, struct tail_key *k,
    long long *lfend, long long *at)
{
	long long e2;
	int r, f = oplog_header_at(a->fd, 0);

	r = tail_record(a->fd, size, k, lfend, at);
	while (r == -1 && errno == EINVAL && *at >= 0 && f != 0 &&
	    oplog_header_at(a->fd, *at) == f) {
		if (*at == 0)
			return 0;
		if ((r = tail_record(a->fd, *at, k, &e2, at)) == 0)
			return 0;
	}
	if (r == -1 && errno != EINVAL && errno != EFBIG) {
		jerr_say(a->err, ST_FAIL, _("%s: cannot read its last record: %s"),
		    a->name, strerror(errno));
		return -2;
	}
	return r;
}

static int
archive_open(struct archive *a, const char *name, int dfd, const char *base,
    struct jerr *err)
{
	struct stat sb;
	struct tail_key k;
	long long lfend, at;
	int r;

	memset(a, 0, sizeof(*a));
	a->err = err;
	a->name = name;
	a->dfd = dfd;
	a->base = base;
	a->last_seq = -1;
	a->from = a->copied = -1;
	a->buf = xmalloc(TAIL_BUFSZ);
	if (strcmp(name, "-") == 0) {
		a->fd = STDOUT_FILENO;
		a->name = "<stdout>";
		a->need_header = a->fresh = 1;
		return 0;
	}
	if ((a->fd = archive_lockfile(a, name, &sb)) == -1)
		return -1;
	if (!archive_headed(a->fd)) {
		jerr_say(a->err, ST_FAIL, _("%s:1: not an operation log (header row)"), name);
		return -1;
	}
	if ((r = archive_tail(a, sb.st_size, &k, &lfend, &at)) == -2)
		return -1;
	/* What tail_record took for a record (its seq, time and MAC), and
	 * what it did not, read as log-verify reads it, for its line */
	if (r != 0 && archive_last(a, at, lfend) == -1)
		return -1;
	/* A prune killed while writing the archive left a partial line. */
	if (lfend < sb.st_size && ftruncate(a->fd, lfend) == -1) {
		jerr_say_errno(a->err, ST_FAIL, "%s", name);
		return -1;
	}
	if (r == 1) {
		a->last_seq = k.seq;
		memcpy(a->last_mac, k.mac, sizeof(k.mac));
	}
	a->need_header = a->fresh = lfend == 0;
	a->start = lfend;
	/* Written by position from here (copy_file_range(2) refuses an
	 * O_APPEND file); the flock keeps other prunes out. */
	if (fcntl(a->fd, F_SETFL, fcntl(a->fd, F_GETFL) & ~(O_APPEND | O_NONBLOCK)) == -1 ||
	    lseek(a->fd, lfend, SEEK_SET) == -1) {
		jerr_say_errno(a->err, ST_FAIL, "%s", name);
		return -1;
	}
	a->early = S_ISREG(sb.st_mode);
	return 0;
}

/* dir cut to its parent by name: 0, or -1 when there is none to cut to
 * ("." or "/"), or dir ends in ".." (its parent is not dir's prefix). */
static int
name_parent(char *dir)
{
	char *p = strrchr(dir, '/'), *last = p != NULL ? p + 1 : dir;

	if (*dir == '\0' || strcmp(last, "..") == 0 || strcmp(dir, ".") == 0 ||
	    strcmp(dir, "/") == 0)
		return -1;
	if (p == NULL) {	/* "x": room for ".", NUL */
		dir[0] = '.';
		dir[1] = '\0';
	} else
		p[p == dir] = '\0';
	return 0;
}

/* 1 if sb is a file in the directory dfd or below it, depth levels at
 * most (a hard link to one, stdout sent to one), or the directory itself;
 * its parent ("..") is not.  dfd is closed. */
static int
below(int dfd, const struct stat *sb, int depth)
{
	struct stat se;
	struct dirent *de;
	DIR *d;
	int fd, in = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while (!in && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd(d), de->d_name, &se, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (se.st_dev == sb->st_dev && se.st_ino == sb->st_ino)
			in = 1;
		else if (S_ISDIR(se.st_mode) && strcmp(de->d_name, ".") != 0 &&
		    depth > 0 && (fd = openat(dirfd(d), de->d_name, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) != -1)
			in = below(fd, sb, depth - 1);
	}
	closedir(d);
	return in;
}

/* 1 if sb is one of the state directory's files, credentials/ and what
 * else lies below it included, or the directory itself. */
static int
state_file(struct store *st, const struct stat *sb)
{
	int fd = openat(st->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd != -1 && below(fd, sb, 4);
}

/* 1 if path lies in the state directory (or below it), or is one of its
 * files under another name (a hard link); sd: the directory's stat. */
static int
in_state(struct store *st, const struct stat *sd, const char *path)
{
	struct stat sb, se;
	const char *base = strrchr(path, '/');
	char *dir, *p;
	int in = 0;

	base = base != NULL ? base + 1 : path;
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		dir = xstrdup(path);	/* a directory named by itself: DIR/.. */
	else if (strchr(path, '/') == NULL)
		dir = xstrdup(".");	/* also for "": no copy into a short buffer */
	else {
		dir = xstrdup(path);
		p = strrchr(dir, '/');
		p[p == dir] = '\0';
	}
	/* A directory not made yet (DIR/sub/x) is below the nearest one
	 * that exists: the open would fail, but the usage error comes first. */
	while (stat(dir, &sb) == -1 && name_parent(dir) == 0)
		;
	/* The file's directory and every one above it. */
	for (;;) {
		if (stat(dir, &sb) == -1)
			break;
		if (sb.st_dev == sd->st_dev && sb.st_ino == sd->st_ino) {
			in = 1;
			break;
		}
		p = xasprintf("%s/..", dir);
		free(dir);
		dir = p;
		if (stat(dir, &se) == -1 || (se.st_dev == sb.st_dev && se.st_ino == sb.st_ino))
			break;
	}
	free(dir);
	return in || (lstat(path, &sb) == 0 && state_file(st, &sb));
}

/* What the symbolic link path points to, as a path from here; NULL if
 * path is not one. */
static char *
link_target(const char *path)
{
	char buf[4096], *slash;
	ssize_t n;

	if ((n = readlink(path, buf, sizeof(buf) - 1)) <= 0)
		return NULL;
	buf[n] = '\0';
	if (buf[0] == '/' || (slash = strrchr(path, '/')) == NULL)
		return xstrdup(buf);
	return xasprintf("%.*s/%s", (int)(slash - path), path, buf);
}

/*
 * An archive inside the state directory, or naming one of its files under
 * another name (a hard link, or a symbolic link to one, which archive_open
 * would refuse as a link), would put removed records where the log's own
 * files live, or overwrite one (issue 11): ST_USAGE after one line.  Then
 * (*dfd not NULL) its directory opened and checked as a directory, not a
 * name: the archive is made there, by *base, whatever another user swaps
 * on the path meanwhile (a link to the state directory put in place of a
 * directory of it between this check and the open).
 */
static int
archive_outside(struct store *st, const char *name, int *dfd, const char **base)
{
	struct stat sd, so;
	char *path, *next;
	int hops, in, ret = ST_OK;

	if (fstat(st->dirfd, &sd) == -1)
		return ST_OK;
	/* standard output sent to one of them: log-prune -a - >>DIR/oplog.csv */
	path = strcmp(name, "-") != 0 ? xstrdup(name) : NULL;
	if (path == NULL && fstat(STDOUT_FILENO, &so) == 0 && state_file(st, &so))
		ret = ST_USAGE;
	/* The links followed as open(2) would, up to its limit. */
	for (hops = 0; path != NULL && hops <= 40; hops++) {
		if (in_state(st, &sd, path)) {
			ret = ST_USAGE;
			break;
		}
		next = link_target(path);
		free(path);
		path = next;
	}
	free(path);
	if (ret == ST_OK && dfd != NULL && strcmp(name, "-") != 0) {
		if ((*dfd = open_parent(name, base)) == -1) {
			open_safe_say(st->err, name);
			return ST_FAIL;
		}
		/* DIR/.. names DIR's parent, a directory open refuses */
		if ((in = strcmp(*base, "..") == 0 ? 0 :
		    store_dir_within(st, *dfd)) == -1) {
			jerr_say_errno(st->err, ST_FAIL, "%s", name);
			return ST_FAIL;
		}
		if (**base == '\0')	/* "DIR/": the directory, refused as one */
			*base = ".";
		/* the file there, a link followed: a hard or symbolic link
		 * to a state file by a path too long for the checks by name */
		if (in || (fstatat(*dfd, *base, &so, 0) == 0 && state_file(st, &so)))
			ret = ST_USAGE;
	}
	if (ret != ST_OK)
		jerr_say(st->err, ST_USAGE, _("--archive %s: inside the state directory %s, or one of its files; "
		    "keep the archive elsewhere"), name, st->dir);
	return ret;
}

static int
archive_flush(struct archive *a)
{
	if (write_all(a->fd, a->buf, a->len) == -1) {
		jerr_say_errno(a->err, ST_FAIL, "%s", a->name);
		return -1;
	}
	a->len = 0;
	return 0;
}

static int
archive_add(struct archive *a, const char *p, size_t n)
{
	if (a->need_header) {
		a->need_header = 0;
		if (archive_add(a, oplog_header_row(a->format), sizeof(OPLOG_HEADER) - 1) == -1 ||
		    archive_add(a, "\n", 1) == -1)
			return -1;
	}
	if (a->len + n > TAIL_BUFSZ && archive_flush(a) == -1)
		return -1;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
	return 0;
}

/* The archive on disk, before the log changes: even a run that removed
 * nothing leaves a header row, so that an archive that exists verifies
 * (jukisec-log(5), "Pruning").  0, or -1 after a message. */
static int
archive_sync(struct archive *a)
{
	if (a == NULL)
		return 0;
	if (a->need_header && archive_add(a, "", 0) == -1)
		return -1;
	if (archive_flush(a) == -1)
		return -1;
	if (fsync(a->fd) == -1 && errno != EINVAL && errno != EROFS) {
		jerr_say_errno(a->err, ST_FAIL, "%s", a->name);
		return -1;
	}
	/* a file made now: its name on disk too, or a power loss after the
	 * log's rename could leave the records removed and no archive */
	if (a->created && fsync_dir(a->dfd) == -1) {
		jerr_say_errno(a->err, ST_FAIL, _("%s: syncing its directory"),
		    a->name);
		return -1;
	}
	return 0;
}

/* The file closed (not standard output), a failure said when check is
 * set: 0 or -1. */
static int
archive_close(struct archive *a, int check)
{
	int ret = 0;

	if (a == NULL || a->buf == NULL)
		return 0;
	if (a->fd != STDOUT_FILENO && a->fd != -1 && close(a->fd) == -1 && check) {
		jerr_say_errno(a->err, ST_FAIL, "%s", a->name);
		ret = -1;
	}
	free(a->buf);
	a->buf = NULL;
	return ret;
}

/* The records archived are the removed ones the archive lacks: one run of
 * bytes of the log, [a->from, the first kept record), after a header row
 * when the archive is new.  To a file they are copied in the kernel, by
 * the scan as it goes to a file it opened (archive_early()) and the rest
 * after it; to a pipe after the scan. */
static int
archive_copy(struct archive *a, int in, long long from, long long to)
{
	static char buf[1 << 16];
	struct stat sb;
	ssize_t k;
	int fl;

	if (archive_add(a, "", 0) == -1 || archive_flush(a) == -1)
		return -1;
	/* Standard output too when it is a file not opened to append. */
	if (a->early || (fstat(a->fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (fl = fcntl(a->fd, F_GETFL)) != -1 && !(fl & O_APPEND))) {
		if (prune_copy_range(in, from, to, a->fd, &a->q) == -1) {
			jerr_say_errno(a->err, ST_FAIL, "%s", a->name);
			return -1;
		}
		a->copied = to;
		return 0;
	}
	while (from < to) {
		k = pread(in, buf, to - from < (long long)sizeof(buf) ?
		    (size_t)(to - from) : sizeof(buf), from);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0 || write_all(a->fd, buf, (size_t)k) == -1) {
			if (k == 0)
				errno = EIO;
			jerr_say_errno(a->err, ST_FAIL, "%s", a->name);
			return -1;
		}
		from += k;
	}
	return 0;
}

/* The removed records up to log offset to, when ARCHIVE_EARLY bytes of
 * them wait: in the archive file while the scan reads on. */
static int
archive_early(struct archive *a, int in, long long to)
{
	if (a == NULL || !a->early || a->copied == -1 || to - a->copied < ARCHIVE_EARLY)
		return 0;
	return archive_copy(a, in, a->copied, to);
}

/* A run that removes nothing after all (too few records to remove, or a
 * failure before the log changed) leaves an archive file it did not make
 * as it found it: cut back to its length before the run. */
static void
archive_undo(struct archive *a)
{
	struct stat sb;

	if (a == NULL || !a->early)
		return;
	if (fstat(a->fd, &sb) == 0 && sb.st_size != a->start &&
	    ftruncate(a->fd, a->start) == 0 && lseek(a->fd, a->start, SEEK_SET) != -1) {
		a->copied = a->from;
		a->need_header = a->fresh;
	}
}

/*
 * A run that failed: when the log it read is still in place (replaced 0),
 * every record the archive got from it is still in the log, so an archive
 * this run made goes, and one it found is cut back to where it was
 * (archive_undo()).  After the log was replaced the archive stays as it is:
 * it may hold the only copy of the records removed.  Nothing is said of a
 * failure here: the run's own failure is the one line.
 */
static void
archive_abandon(struct archive *a, int replaced)
{
	struct stat sa, sb;

	if (a == NULL || a->fd == -1 || a->fd == STDOUT_FILENO || replaced)
		return;
	if (!a->created) {
		archive_undo(a);
		return;
	}
	/* Still the file it made under that name (the flock is held), in
	 * the directory it made it in. */
	if (fstat(a->fd, &sa) == 0 &&
	    fstatat(a->dfd, a->base, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		unlinkat(a->dfd, a->base, 0);
}

/* The line in hand, at log offset off, goes: archived unless the archive
 * has it already. */
static void
drop(struct archive *a, long long off, const struct tail_key *k,
    struct prune_result *res, struct tail_key *cut)
{
	if (a != NULL && k->seq > a->last_seq && res->archived++ == 0)
		a->from = a->copied = off;
	if (res->removed++ == 0)
		res->first_removed = k->seq;
	res->last_removed = k->seq;
	*cut = *k;
}

/* The archive's last record, if the log has it too, must be the log's. */
static int
archive_match(struct archive *a, const struct tail_key *k)
{
	if (a == NULL || k->seq != a->last_seq)
		return 0;
	if (strcmp(k->mac, a->last_mac) != 0) {
		jerr_say(a->err, ST_FAIL, _("%s: its record %lld differs from the log's: not this log's archive"),
		    a->name, k->seq);
		return -1;
	}
	a->matched = 1;
	return 0;
}

/*
 * An archive whose last record is one this run keeps holds records a
 * killed run archived under a later cut (a shorter retention, a later
 * clock): pruned to this run's cut, they would be in archive and log both,
 * and the chain of the two would break at the log's first record, a false
 * alarm at every check after.  The cut is not moved to the archive's end:
 * the records past this run's cut are younger than its retention (R6,
 * -r), and nothing on disk says what the killed run decided.  So the run
 * refuses, before it writes: ST_FAIL after one line, or ST_OK.
 */
static int
archive_ahead(const struct archive *a, const struct prune_result *res,
    const struct oplog_head *head)
{
	long long keep;

	if (a == NULL || !a->matched)
		return ST_OK;
	keep = res->removed > 0 ? res->last_removed + 1 : head->seq - head->count + 1;
	if (a->last_seq < keep)
		return ST_OK;
	jerr_say(a->err, ST_FAIL, _("%s: ends at seq %lld, past this run's cut (it keeps seq %lld on): "
	    "records a killed prune archived; run log-prune with that prune's retention, "
	    "or cut the archive back to before seq %lld"), a->name, a->last_seq, keep, keep);
	return ST_FAIL;
}

/*
 * Walks the records before r->limit, removing (and archiving) those older
 * than the cutoff.  The line in hand goes only once the next one is read,
 * so the newest record is never removed.  *keep_off: the first kept line.
 * Long: one pass whose state (the line pending, kept yet) lives in its
 * locals; read top to bottom.
 */
static int
scan(struct tail_lines *r, const char *fname, struct archive *a,
    struct prune_result *res, struct tail_key *cut, long long *keep_off,
    struct jerr *e)
{
	size_t n;
	long long pend_off = -1, prev_seq = -1, first_seq = -1;
	int64_t prev_time = INT64_MIN;
	struct tail_key k, pk;
	const char *why;
	char *p;
	int more, kept = 0, f, af;

	if ((f = tail_header_check(r->fd, fname, e, NULL, NULL)) == -1)
		return -1;
	if (a != NULL && (a->format = f) != 0 && !a->fresh && (af = oplog_header_at(a->fd, 0)) != f) {
		/* a log keeps one format, and its archives are its records */
		if (af == 0)
			jerr_say(e, ST_FAIL, _("%s:1: not an operation log (header row)"), a->name);
		else
			jerr_say(e, ST_FAIL, _("%s: an archive of another format than %s"), a->name, fname);
		return -1;
	}
	/* Past the header row; a head that ends inside it (a dry run's,
	 * unchecked) leaves no record to scan. */
	if (tail_lines_next(r, &p, &n) == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", fname);
		return -1;
	}
	*keep_off = r->off;
	while ((more = tail_lines_next(r, &p, &n)) == 1) {
		if (n > OPLOG_LINE_MAX + 1)
			why = _("line too long");
		else if ((why = tail_parse_key(p, n, &k)) == NULL) {
			if (prev_seq != -1 && k.seq != prev_seq + 1)
				why = _("seq out of order");
			else if (k.time < prev_time)
				why = _("time goes back");
		} else
			why = _(why);
		if (why != NULL) {
			jerr_say(e, ST_FAIL, _("%s:%zu: %s; run log-verify"), fname, r->lineno, why);
			return -1;
		}
		if (first_seq == -1) {
			first_seq = k.seq;
			res->first_time = k.time;
		}
		prev_seq = k.seq;
		prev_time = k.time;
		if (archive_match(a, &k) == -1)
			return -1;
		if (kept) {
			if (a->matched || k.seq >= a->last_seq)
				break;
			continue;
		}
		if (pend_off != -1) {
			drop(a, pend_off, &pk, res, cut);
			if (archive_early(a, r->fd, r->off - (long long)n) == -1)
				return -1;
		}
		if (k.time >= res->cutoff) {
			res->oldest_kept = k.time;
			*keep_off = r->off - (long long)n;
			kept = 1;
			/* Read on only to find the archive's last record. */
			if (a == NULL || a->matched || a->last_seq < k.seq)
				break;
			continue;
		}
		pk = k;
		pend_off = r->off - (long long)n;
	}
	if (more == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", fname);
		return -1;
	}
	if (!kept && pend_off != -1) {
		/* Every record is old: the newest stays. */
		res->oldest_kept = pk.time;
		*keep_off = pend_off;
	}
	if (a != NULL && !a->matched && first_seq != -1 && a->last_seq >= first_seq) {
		jerr_say(e, ST_FAIL, _("%s: ends at seq %lld, past the log's end: not this log's archive"),
		    a->name, a->last_seq);
		return -1;
	}
	if (a != NULL && a->last_seq >= 0 && first_seq > a->last_seq + 1 && res->archived > 0)
		jerr_say(e, ST_OK, _("%s: ends at seq %lld; records %lld-%lld were removed without it"),
		    a->name, a->last_seq, a->last_seq + 1, first_seq - 1);
	return 0;
}

/*
 * ST_OK when the log's head, and with key its key file, are there (one
 * that fails otherwise, refused or unreadable, is said by the call that
 * opens it); else ST_FAIL, the first missing said in store.c's words for
 * a missing jukisec.conf.  A run that opens the state while jukisec-init
 * makes it (jukisec.conf in place, the log not yet: t4025) finds them
 * missing, and the kernel's "No such file or directory" from the writer's
 * open reads as a damaged log.  Looked at, not the open's errno: the
 * writer's path (oplog_settle_at) says its failures itself, in the words
 * every writer shares.  run_head looks under the log lock, which
 * jukisec-init makes the log under: what the writer's open then finds.
 */
static int
log_here(struct store *st, int key)
{
	static const char *const f[] = { OPLOG_HEADFILE, OPLOG_KEYFILE };
	struct stat sb;
	char	*path;
	size_t	 i;

	for (i = 0; i < (key ? 2 : 1); i++) {
		if (fstatat(st->dirfd, f[i], &sb, AT_SYMLINK_NOFOLLOW) == 0 ||
		    errno != ENOENT)
			continue;
		path = xasprintf("%s/%s", st->dir, f[i]);
		jerr_say(st->err, ST_FAIL,
		    _("%s: missing (state directory not initialised?)"), path);
		free(path);
		return ST_FAIL;
	}
	return ST_OK;
}

/*
 * A prune removes what the clock says is a year old: a clock set a year
 * ahead would remove today's history.  The log has a clock of its own: the
 * key epoch it has reached, which a healthy log keeps current (cron seals
 * every hour).  A clock more than PRUNE_CLOCK_DAYS past the end of that
 * epoch is doubted: ST_FAIL with one line, before anything is written.
 */
static int
clock_plausible(struct store *st, const struct prune_opts *o)
{
	struct oplog_head hd;
	struct oplog_key *k;
	char now[TIME_BUFSZ], end[TIME_BUFSZ];
	const char *why;
	int64_t e;
	int r;

	if (oplog_head_read(st, &hd, &why) == -1)
		return ST_OK;	/* the writer's checks report it */
	if (log_here(st, 1) != ST_OK)
		return ST_FAIL;
	k = oplog_key_new();
	r = oplog_key_load(st, k);
	e = r == ST_OK ? oplog_epoch_end(k->t0, k->epoch_seconds, hd.kepoch) : 0;
	oplog_key_free(k);
	if (r != ST_OK)
		return r;
	if (o->now - e <= PRUNE_CLOCK_DAYS * MS_PER_DAY)
		return ST_OK;
	time_format(o->now, now);
	time_format(e, end);
	jerr_say(st->err, ST_FAIL, _("%s/%s: the clock (%s) is more than %d days past the log's key epoch "
	    "(ended %s): check the clock; if it is right, run log-append --seal first"),
	    st->dir, OPLOG_FILE, now, PRUNE_CLOCK_DAYS, end);
	return ST_FAIL;
}

/* Whether the prune lock, which fd failed to take exclusive, is held
 * shared only: by chain checks (log-verify(1)), not by another run.  A
 * shared lock taken on fd tells, and is let go at once. */
static int
checks_only(int fd)
{
	if (flock(fd, LOCK_SH | LOCK_NB) == -1)
		return 0;
	(void)flock(fd, LOCK_UN);
	return 1;
}

/* One run at a time: another that holds the lock is said at once.  A
 * chain check of log-verify holds it shared while it reads the archives
 * and the log (this run writes the archive before it replaces the log):
 * waited for as other locks are, lock_timeout_ms at most, and looked at
 * again at each try, so that a run that took the lock meanwhile (it too
 * waited for the check) is said as at once, not waited for. */
static int
run_lock(struct store *st)
{
	struct jerr e;
	int fd, r;

	if ((fd = store_lock_open(st, PRUNE_LOCK)) == -1) {
		store_open_say(st, st->err, PRUNE_LOCK);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno != EWOULDBLOCK)
		jerr_say_errno(st->err, ST_FAIL, "%s", st->dir);
	else if (!checks_only(fd) || (r = store_flock_wait_while(st, fd, LOCK_EX,
	    PRUNE_LOCK, checks_only, &e)) == ST_NO)
		jerr_say(st->err, ST_FAIL, _("%s: another log-prune is running"), st->dir);
	else if (r == ST_OK)
		return fd;
	else
		jerr_say(st->err, e.code, "%s", e.msg);
	close(fd);
	return -1;
}

struct appended {
	struct store	*st;
	int		logfd;		/* the log the scan read */
	long long	from;		/* where the scan stopped */
	FILE		*to;
};

/* Under the log lock: the bytes committed since the scan, up to end. */
static int
copy_appended(void *arg, long long end)
{
	struct appended *c = arg;
	struct stat a, b;
	int fd, ret = ST_OK;

	if ((fd = store_openat(c->st, OPLOG_FILE, O_RDONLY, 0)) == -1) {
		store_open_say(c->st, c->st->err, OPLOG_FILE);
		return ST_FAIL;
	}
	if (fstat(fd, &b) == -1 || fstat(c->logfd, &a) == -1 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev || end < c->from) {
		jerr_say(c->st->err, ST_FAIL, _("%s/%s: replaced during the prune; run log-prune again"),
		    c->st->dir, OPLOG_FILE);
		ret = ST_FAIL;
	} else if (prune_copy_range(fd, c->from, end, fileno(c->to), NULL) == -1) {
		jerr_say_errno(c->st->err, ST_FAIL, "%s/%s", c->st->dir, PRUNE_TMP);
		ret = ST_FAIL;
	}
	close(fd);
	return ret;
}

/* Copies what was appended since the scan and replaces the log: under
 * STORE_LOCK_LOG, which the caller holds. */
static int
commit(struct store *st, const struct prune_opts *o, int logfd, long long from,
    struct atomic_file *af, const struct tail_key *cut, struct prune_result *res)
{
	struct appended c = { st, logfd, from, af->fp };
	char cutoff[TIME_BUFSZ], cut_time[TIME_BUFSZ], *detail;
	int ret;

	/* Repairs and seals go to the live log first, so the new log ends
	 * with the checkpoint right after the head's record. */
	if ((ret = oplog_seal_at(st, o->now)) != ST_OK) {
		atomic_abort(af);
		return ret;
	}
	time_format(res->cutoff, cutoff);
	time_format(cut->time, cut_time);
	detail = xasprintf("removed=%lld-%lld cut_mac=%s cut_time=%s cutoff=%s "
	    "retain_days=%lld", res->first_removed, res->last_removed,
	    cut->mac, cut_time, cutoff, o->retain_days);
	ret = oplog_replace(st, af, cut->seq, detail, o->now, copy_appended, &c, &res->kept);
	free(detail);
	return ret;
}

/* A run that removed nothing says so in the log, through the writer like
 * every record: the audit reads when log-prune last ran (jukisec-log(5),
 * "Special records"). */
static int
record_run(struct store *st, const struct prune_opts *o, struct prune_result *res)
{
	struct oplog_head hd;
	char cutoff[TIME_BUFSZ];
	const char *why;
	int ret;

	time_format(res->cutoff, cutoff);
	ret = oplog_log_pruned(st, o->now, "removed=0 cutoff=%s retain_days=%lld",
	    cutoff, o->retain_days);
	/* Kept: the records before ours, the seals it came after too. */
	if (ret == ST_OK && oplog_head_read(st, &hd, &why) == 0)
		res->kept = hd.count - 1;
	return ret;
}

/* The head a run works to.  Only what the head commits: bytes after it
 * are an append in flight or one to be repaired.  A real run first checks
 * the head as every writer does, under the log lock, and completes what a
 * crash left; a log in order is not written to (the seals come with the
 * run's record, after its checks).  A dry run takes no lock and writes
 * nothing, as readers, and reads no key. */
static int
run_head(struct store *st, const struct prune_opts *o, struct oplog_head *head)
{
	const char *why;
	int ret;

	if (!o->dry_run && (ret = store_lock(st, STORE_LOCK_LOG)) != ST_OK)
		return ret;
	if ((ret = log_here(st, !o->dry_run)) == ST_OK && !o->dry_run)
		ret = oplog_settle_at(st, o->now);
	if (ret == ST_OK && oplog_head_read(st, head, &why) == -1) {
		jerr_say(st->err, ST_FAIL, "%s/%s: %s", st->dir, "oplog.head", why);
		ret = ST_FAIL;
	}
	if (!o->dry_run)
		store_unlock(st, STORE_LOCK_LOG);
	return ret;
}

/* The records before keep_off are no longer than a checkpoint. */
static int
too_short(const struct store *st, long long keep_off)
{
	return keep_off - (long long)sizeof(OPLOG_HEADER) <=
	    CHECKPOINT_MAX + 2 * (long long)strlen(st->terminal);
}

/*
 * The new log must be shorter than the head says until the head is
 * committed: a writer finding the log longer would cut it back to
 * the head's size.  So records shorter than the checkpoint wait: res
 * says they are deferred, a (when not NULL) archives nothing.
 */
static void
defer_short(struct store *st, long long keep_off, struct prune_result *res,
    struct archive *a)
{
	if (res->removed <= 0 || !too_short(st, keep_off))
		return;
	res->deferred = res->removed;
	res->removed = res->archived = 0;
	res->first_removed = res->last_removed = -1;
	res->oldest_kept = res->first_time;
	if (a != NULL) {
		archive_undo(a);
		a->len = 0;
		a->need_header = a->fresh;
	}
}

/* PRUNE_TMP created with the header row, af ready for commit(): its fd, or
 * -1 with errno and PRUNE_TMP removed. */
static int
kept_open(struct store *st, int fd, struct atomic_file *af)
{
	const char *hdr = oplog_header_row(tail_format(fd));
	int tmpfd, e;

	af->dirfd = st->dirfd;
	snprintf(af->tmpname, sizeof(af->tmpname), "%s", PRUNE_TMP);
	tmpfd = openat(st->dirfd, PRUNE_TMP, O_RDWR | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (tmpfd == -1 || (af->fp = fdopen(tmpfd, "w")) == NULL) {
		e = errno;
		if (tmpfd != -1) {
			close(tmpfd);
			unlinkat(st->dirfd, PRUNE_TMP, 0);
		}
		af->tmpname[0] = '\0';
		errno = e;
		return -1;
	}
	af->name = xstrdup(OPLOG_FILE);
	atomic_keep_group(af);	/* the group's reading (README) */
	if (write_all(tmpfd, hdr, strlen(hdr)) == -1 || write_all(tmpfd, "\n", 1) == -1) {
		e = errno;
		atomic_abort(af);
		errno = e;
		return -1;
	}
	return tmpfd;
}

/*
 * The kept records, [keep_off, end) of fd, in PRUNE_TMP after its header,
 * on disk, af ready for commit(); af open already holds them (the early
 * copy, kept_early()).  The archive a (if any) on disk and closed too: its
 * fsync waits while the kept records' last chunk is being written, not
 * before their copy starts.  ST_OK, or ST_FAIL after a message with
 * PRUNE_TMP removed.
 */
static int
write_kept(struct store *st, int fd, long long keep_off, long long end,
    struct atomic_file *af, struct archive *a)
{
	struct prune_drop d;
	int tmpfd, ret = ST_OK;

	if (af->fp != NULL)
		tmpfd = fileno(af->fp);
	else if ((tmpfd = kept_open(st, fd, af)) == -1 ||
	    prune_copy_range(fd, keep_off, end, tmpfd, NULL) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, PRUNE_TMP);
		atomic_abort(af);
		return ST_FAIL;
	}
	/* The old log's pages freed while the disk works, not at its close. */
	prune_drop_start(&d, fd, end);
	if (archive_sync(a) == -1)
		ret = ST_FAIL;
	else if (fdatasync(tmpfd) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, PRUNE_TMP);
		ret = ST_FAIL;
	}
	prune_drop_join(&d);
	if (ret != ST_OK)
		atomic_abort(af);
	return ret;
}

/*
 * The copy of the kept records started before the scan (prune_kept.c),
 * from the first record not older than the cutoff as a binary search
 * guesses it, in af's PRUNE_TMP, when what goes before it is longer than
 * a checkpoint: the guess, or -1 when no copy runs (a failure to start
 * one is met again, and said, by the copy after the scan).
 */
static long long
kept_early(struct store *st, int fd, long long end, int64_t cutoff,
    struct atomic_file *af, struct prune_kept *k)
{
	long long g = prune_guess(fd, end, cutoff);
	int tmpfd;

	if (g == -1 || too_short(st, g) || (tmpfd = kept_open(st, fd, af)) == -1)
		return -1;
	if (prune_kept_start(k, fd, g, end, tmpfd) == -1) {
		atomic_abort(af);
		return -1;
	}
	return g;
}

/* The early copy from the guess *g joined (*g -1 after), and kept when it
 * worked and the scan confirms the guess (keep_off, records removed: res
 * not NULL); else thrown away, and the copy after the scan does it again
 * (a failure is said there, in the order of a run without the early
 * copy). */
static void
kept_settle(struct prune_kept *k, long long *g, long long keep_off,
    const struct prune_result *res, struct atomic_file *af)
{
	if (*g == -1)
		return;
	if (prune_kept_join(k) == -1 || res == NULL || keep_off != *g ||
	    res->removed == 0)
		atomic_abort(af);
	*g = -1;
}

/* 0 if the live log is still the file fd (-1: none opened yet) that the
 * run read, so that it holds every record the run archived; else 1, also
 * when that cannot be told. */
static int
log_replaced(struct store *st, int fd)
{
	struct stat a, b;

	if (fd == -1)
		return 0;
	return fstat(fd, &a) == -1 ||
	    fstatat(st->dirfd, OPLOG_FILE, &b, AT_SYMLINK_NOFOLLOW) == -1 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

/* oplog.csv opened for reading, at least as long as head says; -1 after
 * a message.  A shorter one under an open head is what a prune stopped
 * between its rename and its head leaves, which a real run completed
 * before (oplog_settle_at) and a dry run, taking no lock, cannot: said as
 * such, not as damage. */
static int
open_log(struct store *st, const char *fname, const struct oplog_head *head)
{
	struct stat sb;
	int fd;

	if ((fd = store_openat_st(st, OPLOG_FILE, O_RDONLY, 0, &sb)) == -1) {
		open_safe_say(st->err, fname);
		return -1;
	}
	if (sb.st_size < head->size && head->open)
		jerr_say(st->err, ST_FAIL, _("%s: shorter than its head says, as a "
		    "log-prune stopped after its rename leaves it: the next writer "
		    "or log-prune completes the head (-n does not)"), fname);
	else if (sb.st_size < head->size)
		jerr_say(st->err, ST_FAIL, _("%s: shorter than its head says; run log-verify"), fname);
	if (sb.st_size < head->size) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The silences clock_silences finds, oldest first. */
struct silences {
	struct { int64_t end, len; } *s;
	size_t	n, cap;
};

static int
silence_add(void *arg, int64_t start, int64_t end)
{
	struct silences *l = arg;

	if (l->n == l->cap)
		l->s = xrealloc(l->s, (l->cap = l->cap ? 2 * l->cap : 16) * sizeof(*l->s));
	l->s[l->n].end = end;
	l->s[l->n++].len = end - start;
	return 0;
}

/*
 * What --discard removes is gone, so its cutoff takes the clock only as
 * far as the log bears it out.  A stretch of more than PRUNE_CLOCK_DAYS
 * with seals alone (clock_silences) may be a machine that was off, or a
 * writer that jumped it under a clock set ahead (clock_plausible() sees
 * only the present): the records before it are judged as if it had not
 * passed.  From the newest back, while the cutoff (from now less the
 * stretches counted) is not after a stretch's end, that stretch counts.
 * res->cutoff and res->silent set; ST_FAIL after a message.
 */
static int
discard_cutoff(struct store *st, int fd, long long size,
    const struct prune_opts *o, struct prune_result *res)
{
	struct silences l = { NULL, 0, 0 };
	int64_t held = 0;
	int r;

	if ((r = clock_silences(st, fd, size, o->now, silence_add, &l)) == ST_OK) {
		while (l.n > 0 && run_cutoff(o->now - held, o->retain_days) <= l.s[l.n - 1].end)
			held += l.s[--l.n].len;
		res->cutoff = run_cutoff(o->now - held, o->retain_days);
		res->silent = held;
	}
	free(l.s);
	return r;
}

/* The log replaced by its records from keep_off on (in af already if the
 * early copy holds them), behind the checkpoint record of cut (commit()),
 * under the log lock, once the archive a (NULL for none) is on disk. */
static int
replace_log(struct store *st, const struct prune_opts *o, int fd,
    long long keep_off, const struct oplog_head *head,
    const struct tail_key *cut, struct prune_result *res, struct archive *a,
    struct atomic_file *af)
{
	int ret;

	if ((ret = write_kept(st, fd, keep_off, head->size, af, a)) != ST_OK)
		return ret;
	if (store_lock(st, STORE_LOCK_LOG) != ST_OK) {
		atomic_abort(af);
		return ST_FAIL;
	}
	ret = commit(st, o, fd, head->size, af, cut, res);
	if (af->name != NULL)
		atomic_abort(af);
	store_unlock(st, STORE_LOCK_LOG);
	return ret;
}

/* The archive of the run in progress and what tells whether the log has
 * been replaced yet, for an allocation that fails (mem_on_oom): exit 3
 * before the log is replaced leaves no trace in the archive, as every
 * other failure does at the label out. */
static struct {
	struct archive	*a;
	struct store	*st;
	const int	*logfd;
} oom_run;

static void
prune_oom(void)
{
	archive_abandon(oom_run.a, log_replaced(oom_run.st, *oom_run.logfd));
}

/* Long: the run's steps in their order of durability (lock, clock, head,
 * scan, archive, replace), every resource freed at the one label out. */
int
prune_run(struct store *st, const struct prune_opts *o, struct prune_result *res)
{
	struct archive arch, *a = NULL;
	struct atomic_file af;
	struct oplog_head head;
	struct prune_kept k;
	struct tail_lines r;
	struct tail_key cut;
	char *fname;
	const char *abase = NULL;
	long long keep_off, guess = -1;
	int lockfd = -1, adfd = -1, ret = ST_FAIL;

	memset(res, 0, sizeof(*res));
	memset(&af, 0, sizeof(af));
	memset(&r, 0, sizeof(r));
	r.fd = -1;
	res->cutoff = run_cutoff(o->now, o->retain_days);
	res->first_removed = res->last_removed = res->oldest_kept = -1;
	fname = xasprintf("%s/%s", st->dir, OPLOG_FILE);

	/* A usage error leaves the state as it was: checked before the
	 * prune lock's file is made. */
	if (o->archive != NULL && (ret = archive_outside(st, o->archive,
	    o->dry_run ? NULL : &adfd, &abase)) != ST_OK)
		goto out;
	ret = ST_FAIL;
	if (!o->dry_run) {
		if ((lockfd = run_lock(st)) == -1)
			goto out;
		if (unlinkat(st->dirfd, PRUNE_TMP, 0) == -1 && errno != ENOENT) {
			jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, PRUNE_TMP);
			goto out;
		}
	}
	ret = ST_OK;
	/* Nothing is written while the clock is in doubt (a dry run writes
	 * nothing, and shows what the clock would remove). */
	if (!o->dry_run && (ret = clock_plausible(st, o)) != ST_OK)
		goto out;
	/* The archive is checked before the log is: the prune lock, the
	 * archive's, then the log lock (replace_log) in every run. */
	if (o->archive != NULL && !o->dry_run) {
		a = &arch;
		if (archive_open(a, o->archive, adfd, abase, st->err) == -1) {
			ret = ST_FAIL;
			goto out;
		}
		oom_run.a = a;
		oom_run.st = st;
		oom_run.logfd = &r.fd;
		mem_on_oom(prune_oom);
	}
	if ((ret = run_head(st, o, &head)) != ST_OK)
		goto out;
	ret = ST_FAIL;
	if ((r.fd = open_log(st, fname, &head)) == -1)
		goto out;
	if (o->discard && discard_cutoff(st, r.fd, head.size, o, res) != ST_OK)
		goto out;
	r.buf = xmalloc(TAIL_BUFSZ);
	r.limit = head.size;
	/* The disk writes the kept records while the scan reads. */
	if (!o->dry_run)
		guess = kept_early(st, r.fd, head.size, res->cutoff, &af, &k);
	if (scan(&r, fname, a, res, &cut, &keep_off, st->err) == -1)
		goto out;
	defer_short(st, keep_off, res, a);
	/* Known once the cut is (a deferred run keeps every record). */
	if (archive_ahead(a, res, &head) != ST_OK)
		goto out;
	/* The rest of the archive is written while the thread may still copy. */
	if (a != NULL && res->archived > 0 && archive_copy(a, r.fd, a->copied, keep_off) == -1)
		goto out;
	kept_settle(&k, &guess, keep_off, res, &af);
	res->kept = head.seq - (res->removed > 0 ? res->last_removed :
	    head.seq - head.count);
	if (res->removed == 0 || o->dry_run) {
		ret = archive_sync(a) == -1 ? ST_FAIL : ST_OK;
		if (ret == ST_OK && !o->dry_run)
			ret = record_run(st, o, res);
		goto out;
	}

	/* The archive is durable before the log changes (replace_log). */
	ret = replace_log(st, o, r.fd, keep_off, &head, &cut, res, a, &af);
out:
	mem_on_oom(NULL);
	kept_settle(&k, &guess, 0, NULL, &af);
	if (af.name != NULL)
		atomic_abort(&af);
	/* Under the prune lock, so that no other run replaces the log. */
	if (ret != ST_OK)
		archive_abandon(a, log_replaced(st, r.fd));
	if (archive_close(a, ret == ST_OK) == -1)
		ret = ST_FAIL;
	if (r.fd != -1)
		close(r.fd);
	free(r.buf);
	if (adfd != -1)
		close(adfd);
	if (lockfd != -1)
		close(lockfd);
	free(fname);
	return ret;
}
