/*
 * register_seen.c — when each person last passed and last failed the gate,
 * as far back as the operation log reaches (operator-list -f csv|json).
 *
 * Invariants: oplog.csv is read once, from its start, to the record its
 * head names when the head is open (a batch not committed may follow),
 * without a lock (readers take none, jukisec-log(5)); only "auth" records count, their
 * object being the id tried: result ok is a success, denied or locked a
 * failure (an error is the terminal's, not the person's).  Ids are found
 * by binary search, so the read stays linear in the log.  A log that
 * cannot be read is ST_FAIL: no row claims "never" it cannot show.
 * register_history reads it the same way for whether any register ever
 * held someone, once what a register leaves outside itself (a credential,
 * operators.pending) says one may have: log-append writes the records it
 * counts, and only the tools write these files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "oplog_tail.h"
#include "cred.h"
#include "pending.h"
#include "register.h"
#include "register_txn.h"
#include "timeutil.h"

static const struct register_ *sorting;

static int
by_id(const void *a, const void *b)
{
	return strcmp(sorting->op[*(const size_t *)a].id,
	    sorting->op[*(const size_t *)b].id);
}

static size_t *
index_of(const struct register_ *reg)
{
	size_t	*ix = xcalloc(reg->n + 1, sizeof *ix);
	size_t	 i;

	for (i = 0; i < reg->n; i++)
		ix[i] = i;
	sorting = reg;
	qsort(ix, reg->n, sizeof *ix, by_id);
	sorting = NULL;
	return ix;
}

/* The row of id, or -1. */
static long
find(const struct register_ *reg, const size_t *ix, const char *id)
{
	size_t	 lo = 0, hi = reg->n, mid;
	int	 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(id, reg->op[ix[mid]].id)) == 0)
			return (long)ix[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int
register_seen(struct store *st, const struct register_ *reg,
    struct register_seen *seen)
{
	struct oplog_reader *rd;
	struct oplog_record *r;
	const char	*why, *res;
	size_t		*ix, i, line;
	long long	 end, size;
	long		 k;
	int		 fd, n, io, open;

	for (i = 0; i < reg->n; i++)
		seen[i].success = seen[i].failure = TIME_NONE;
	/* The head first: records after an open one are a batch not
	 * committed (jukisec-log(5)), whose writer is at work or was killed
	 * and which the next writer removes: no attempt.  After a closed
	 * head they count, as the audit counts them: a power loss's, or one
	 * record's append before its head, which the next writer takes in. */
	if (oplog_committed(st, &end, &size, &open) != ST_OK)
		return ST_FAIL;
	if (!open)
		end = LLONG_MAX;
	if ((fd = store_openat(st, "oplog.csv", O_RDONLY, 0)) == -1) {
		store_open_say(st, st->err, "oplog.csv");
		return ST_FAIL;
	}
	if ((rd = oplog_reader_open(fd, "oplog.csv")) == NULL) {
		jerr_say_errno(st->err, ST_FAIL, "%s/oplog.csv", st->dir);
		close(fd);
		return ST_FAIL;
	}
	ix = index_of(reg);
	while ((n = oplog_reader_next(rd, &r)) == 1) {
		if (r->seq > end)
			break;
		if (strcmp(r->field[OF_ACTION], "auth") != 0 ||
		    (k = find(reg, ix, r->field[OF_OBJECT])) == -1)
			continue;
		res = r->field[OF_RESULT];
		if (strcmp(res, "ok") == 0)
			seen[k].success = r->time;
		else if (strcmp(res, "denied") == 0 || strcmp(res, "locked") == 0)
			seen[k].failure = r->time;
	}
	/* A torn last write is no record (jukisec-log(5)): the next writer
	 * cuts it; what came before it is read whole. */
	if (n == -1 && oplog_reader_torn(rd) > 0)
		n = 0;
	if (n == -1) {
		why = oplog_reader_error(rd, &line, &io);
		jerr_say(st->err, ST_FAIL, "%s/oplog.csv:%zu: %s", st->dir, line,
		    why);
	}
	free(ix);
	oplog_reader_close(rd);
	close(fd);
	return n == -1 ? ST_FAIL : ST_OK;
}

/* 1 when r is a record only a register with rows makes: a change to it
 * made, or a person admitted. */
static int
held_record(const struct oplog_record *r)
{
	static const char *const act[] = { "operator-add", "operator-mod",
	    "operator-revoke", "recover", "auth" };
	size_t	 i;

	if (strcmp(r->field[OF_RESULT], "ok") != 0)
		return 0;
	for (i = 0; i < sizeof(act) / sizeof(act[0]); i++)
		if (strcmp(r->field[OF_ACTION], act[i]) == 0)
			return 1;
	return 0;
}

/* The suffixes of a credential's file (cred.h): ID.phc or ID.tmpl, or
 * the ID.EXT.old a replacement keeps. */
static const char *const cred_ext[] = { ".phc", ".tmpl", ".phc.old",
    ".tmpl.old" };
#define NCRED_EXT	(sizeof(cred_ext) / sizeof(cred_ext[0]))

/* 1 when NAME is a credential's; not a temporary file (".tmp-"). */
static int
cred_name(const char *name)
{
	size_t	 i, n = strlen(name), k;

	if (name[0] == '.')
		return 0;
	for (i = 0; i < NCRED_EXT; i++)
		if (n > (k = strlen(cred_ext[i])) &&
		    strcmp(name + n - k, cred_ext[i]) == 0)
			return 1;
	return 0;
}

/* 1 when name is one of id's credential files (id "": none is): the id,
 * then exactly a credential's suffix, so that the files of an id that
 * begins with it and a dot ("a.b" for "a") are not taken for its. */
static int
cred_of(const char *name, const char *id)
{
	size_t	 i, n = strlen(id);

	if (n == 0 || strncmp(name, id, n) != 0)
		return 0;
	for (i = 0; i < NCRED_EXT; i++)
		if (strcmp(name + n, cred_ext[i]) == 0)
			return 1;
	return 0;
}

/* 1 when credentials/ holds a credential file, a regular one (the
 * template key kept there counts too: it only sends the caller to the
 * log), not one of skip's, 0 when it holds none or is missing.  One that
 * cannot be read (a reader of the group: it is the owner's alone) may
 * hold one: 1. */
static int
creds_kept(struct store *st, const char *skip)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	int		 fd, kept = 0;

	fd = openat(st->dirfd, CRED_DIR,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return errno != ENOENT;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 1;
	}
	while (!kept && (errno = 0, de = readdir(d)) != NULL)
		kept = cred_name(de->d_name) && !cred_of(de->d_name, skip) &&
		    fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(sb.st_mode);
	if (de == NULL && errno != 0)
		kept = 1;
	closedir(d);
	return kept;
}

/* 1 when the state keeps what a register that held someone leaves
 * outside operators.csv: a credential (the last active manager cannot be
 * revoked, so a bootstrapped register keeps one) or operators.pending (a
 * change under way).  Only the tools write these, under the state
 * directory's owner; a crashed bootstrap's credential alone is one, with
 * no record in the log yet.  But a note of the register's first change
 * (a bootstrap: the register before it held nothing), with the register
 * still missing, is a bootstrap a kill cut: neither it nor its person's
 * credential is a register's trace; the writer's lock settles it.  A
 * note that does not read is one (said to no one: the writer says it). */
static int
traces_kept(struct store *st)
{
	struct stat	 sb;
	char		 first[OPLOG_OBJECT_MAX + 1] = "";
	int		 f;

	if (fstatat(st->dirfd, PENDING_FILE, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			return 1;
	} else {
		if (fstatat(st->dirfd, REGISTER_FILE, &sb,
		    AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
			return 1;
		f = pending_first(st, PENDING_FILE, PENDING_MAGIC, first,
		    sizeof(first));
		if (f != 1)
			return 1;
	}
	return creds_kept(st, first);
}

/* register_log_scan's way past what does not read: each whole line that
 * reads as a record, whatever the lines around it (a header row, a line
 * changed by hand, one too long); the scan ends at the end of the file,
 * or at a line longer than TAIL_BUFSZ. */
static int
scan_lines(int fd, int (*fn)(const struct oplog_record *, void *), void *arg,
    long long *last)
{
	struct tail_lines t;
	struct oplog_record rec;
	char	*p, *scratch;
	size_t	 n;
	int	 k = 0;

	memset(&t, 0, sizeof(t));
	t.fd = fd;
	t.limit = LLONG_MAX;
	t.buf = xmalloc(TAIL_BUFSZ);
	scratch = xmalloc(OPLOG_LINE_MAX + 16);
	while (k == 0 && tail_lines_next(&t, &p, &n) == 1) {
		n--;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > OPLOG_LINE_MAX || oplog_parse_line(p, n, scratch, &rec) != NULL)
			continue;
		k = fn(&rec, arg);
		*last = rec.seq;
	}
	free(scratch);
	free(t.buf);
	return k;
}

int
register_log_scan(struct store *st, struct jerr *e, int skip_bad,
    int (*fn)(const struct oplog_record *, void *), void *arg, long long *last)
{
	struct oplog_reader *rd;
	struct oplog_record *r;
	const char	*why;
	char		*path;
	size_t		 line;
	int		 fd, n, io, k = 0;

	*last = -1;
	if ((fd = store_openat(st, "oplog.csv", O_RDONLY, 0)) == -1) {
		store_open_say(st, e, "oplog.csv");
		return -1;
	}
	if (skip_bad) {
		k = scan_lines(fd, fn, arg, last);
		close(fd);
		return k;
	}
	/* a header row every writer refuses is said in the writers' words,
	 * as the writer asking would say it next */
	path = xasprintf("%s/oplog.csv", st->dir);
	n = tail_header_check(fd, path, e, NULL, NULL);
	free(path);
	if (n == -1) {
		close(fd);
		return -1;
	}
	if ((rd = oplog_reader_open(fd, "oplog.csv")) == NULL) {
		jerr_say_errno(e, ST_FAIL, "%s/oplog.csv", st->dir);
		close(fd);
		return -1;
	}
	while (k == 0 && (n = oplog_reader_next(rd, &r)) == 1) {
		k = fn(r, arg);
		*last = r->seq;
	}
	if (k == 0 && n == -1 && oplog_reader_torn(rd) == 0) {
		why = oplog_reader_error(rd, &line, &io);
		jerr_say(e, ST_FAIL, "%s/oplog.csv:%zu: %s", st->dir, line, why);
		k = -1;
	}
	oplog_reader_close(rd);
	close(fd);
	return k;
}

/* register_history's question of one record, after those before it. */
static int
held_since(const struct oplog_record *r, void *arg)
{
	long long *last = arg;
	int held;

	/* a pruned log starts after seq 0: what it held is gone */
	held = (*last == -1 && r->seq != 0) || held_record(r);
	*last = r->seq;
	return held;
}

/* Read as register_seen reads the log: whole, no lock.  Only a register
 * that is missing or empty asks, so auth-check's common path never
 * reads the log here; nor does a state that keeps no credential and no
 * note (traces_kept), whatever its log holds: log-append may write every
 * record counted below, before any register was made. */
int
register_history(struct store *st, struct jerr *e)
{
	long long	 prev = -1, last, head;
	int		 held;

	if (!traces_kept(st))
		return 0;
	held = register_log_scan(st, e, 0, held_since, &prev, &last);
	/* a log cut short of the record its head names may have lost the
	 * very records asked for; a head that does not read may hide such a
	 * cut (the log cut and the head removed with it) */
	if (held == 0 && ((head = oplog_head_seq(st)) == -1 || last < head))
		held = 1;
	return held;
}
