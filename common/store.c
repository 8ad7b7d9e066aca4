/*
 * store.c — the state directory, its locks, and durable file replacement.
 *
 * Invariants:
 *  - Nothing is read from a directory or file that someone else could have
 *    written: owner is the caller or root, no group/world write bit (a
 *    0750 directory with a dedicated group is fine).  The way to the state
 *    directory is held to the same rule (every directory and link on it,
 *    the way to each link's target too; a sticky directory may be open to
 *    others): whoever may rename an entry on it could put another
 *    directory in the state directory's place.  A reader in that
 *    group takes the directory's owner for the caller: only that user and
 *    root can put a file in a directory no one else may write.  Files are
 *    opened relative to the directory fd with O_NOFOLLOW and must be
 *    regular.
 *  - Locks are flock(2) on "register.lock" and "oplog.lock", taken in that
 *    order, never waited for longer than lock_timeout_ms (exit 3 names the
 *    lock file, so an operator can see who holds it with fuser(1)).  A
 *    reader's are shared, on read-only fds: flock needs no write access,
 *    and a read-only mount has none (store.h).  The lock files are the
 *    owner's alone (store_lock_open): a member of the directory's group
 *    who could open one could hold it for good, and every writer with it.
 *  - Nor may a process hold one stopped: from the first lock taken to the
 *    last let go, the job-control stops are blocked and, in a set-user-ID
 *    host, the real and saved uid are 0 (guard_on), so that neither the
 *    caller's terminal nor the caller's kill(2) stops the holder.
 *  - A file a writer makes here is 0600, or 0640 with the directory's
 *    group when the directory grants its group read (store_share_new, the
 *    one rule); a key, a credential or a lock file is always 0600.  A file replaced
 *    keeps its group and 0640 if its group reads it (atomic_keep_group).
 *  - atomic_commit: fflush, fsync, fclose (each checked), renameat, fsync of
 *    the directory.  Until renameat the old file is untouched; after it the
 *    new one is complete on disk.  Any failure unlinks the temporary.
 *  - Temporary files have fixed names (tmp_names), each made under one
 *    lock, so that one a writer killed before its rename left is removed
 *    by the next writer that takes that lock: never a random name, which
 *    nothing could tell from a file at work and which stayed for good.
 */
#include <linux/capability.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "jukisec.h"
#include "csvio.h"
#include "esc.h"
#include "store.h"

#ifndef STATEDIR
#define STATEDIR "/var/lib/jukisec"
#endif

/* jukisec.conf is read through a buffer of its size up to this. */
#define CONF_BUF_MAX	(64 * 1024)

#define TERMINAL_MAX	64	/* OPLOG_ID_MAX: the terminal goes into every log record */

static const char *const lockname[STORE_NLOCKS] = { "register.lock", "oplog.lock" };

/*
 * Every temporary file of the suite in the state directory (and
 * credentials/), by the lock it is made under (jukisec-log(5) "Files").
 * atomic_begin's are ".tmp-" and the name of the file they replace; the
 * pad's note and a credential have names of their own (atomic_begin_as),
 * the pad's note since it and the pad are begun onto one name, a
 * credential so that no ID.phc or ID.tmpl is ever one, the template key
 * since jukisec.conf names it (tmpl.c).  The register lock's are removed
 * here, when a writer takes it (store_lock): a writer that does not
 * replace the file a killed one left removes its temporary all the same
 * (an auth-check, one a killed operator-mod left).  The log
 * lock's go in oplog_tmp_clear, as every log writer begins (the key's
 * overwritten first); .tmp-log-prune with the next log-prune, whose lock
 * it is made under.  secret: a credential, overwritten before it goes
 * (destroy_file, R5.5), as is the template key's.
 */
static const struct tmp_name {
	const char	*name;
	int		 lock;		/* removed here when taken; -1: elsewhere */
	int		 secret;
} tmp_names[] = {
	{ ".tmp-operators.csv",		STORE_LOCK_REGISTER, 0 },
	{ ".tmp-operators.pending",	STORE_LOCK_REGISTER, 0 },
	{ ".tmp-operators.pad",		STORE_LOCK_REGISTER, 0 },
	{ ".tmp-operators.pad.note",	STORE_LOCK_REGISTER, 0 },
	{ ".tmp-incidents.csv",		STORE_LOCK_REGISTER, 0 },
	{ ".tmp-incidents.pending",	STORE_LOCK_REGISTER, 0 },
	{ ".tmp-confirmations.csv",	STORE_LOCK_REGISTER, 0 },
	{ ".tmp-confirmations.pending",	STORE_LOCK_REGISTER, 0 },
	{ "credentials/.tmp-credential", STORE_LOCK_REGISTER, 1 },
	{ TMPL_KEY_TMP,			STORE_LOCK_REGISTER, 1 },
	{ ".tmp-oplog.key",		-1, 1 },
	{ ".tmp-oplog.cut",		-1, 0 },
	{ ".tmp-log-recover",		-1, 0 },
	{ STORE_ROOM_TMP,		-1, 0 },
	{ ".tmp-log-prune",		-1, 0 },
};

/* The owner and mode checks of check_fd_safe against euid: 0, or -1
 * with errno JERR_UNSAFE, which no kernel call leaves. */
int
check_stat_uid(const struct stat *sb, int allow_group_read, uid_t euid)
{
	if ((sb->st_uid != euid && sb->st_uid != 0) ||
	    (sb->st_mode & (allow_group_read ? 022 : 077)) != 0) {
		errno = JERR_UNSAFE;
		return -1;
	}
	return 0;
}

/* fstat of fd into *sb, and the checks of check_fd_safe against euid. */
static int
check_fd_uid(int fd, int allow_group_read, uid_t euid, struct stat *sb)
{
	if (fstat(fd, sb) == -1)
		return -1;
	if (!S_ISREG(sb->st_mode)) {
		errno = EINVAL;
		return -1;
	}
	return check_stat_uid(sb, allow_group_read, euid);
}

int
check_fd_safe(int fd, int allow_group_read)
{
	struct stat sb;

	return check_fd_uid(fd, allow_group_read, geteuid(), &sb);
}

/* 1 when we are in group gid: our effective or a supplementary one. */
static int
in_group(gid_t gid)
{
	gid_t	*g;
	int	 n, i, in;

	if (getegid() == gid)
		return 1;
	if ((n = getgroups(0, NULL)) <= 0)
		return 0;
	g = xcalloc((size_t)n, sizeof(*g));
	n = getgroups(n, g);
	for (i = 0, in = 0; i < n && !in; i++)
		in = g[i] == gid;
	free(g);
	return in;
}

/* The owner whose files st trusts besides root, from the directory's
 * stat: ours; or, for a reader that reads it through its group (SPEC: 0750
 * with a dedicated group), the directory's owner, who alone (and root)
 * could have put anything in it: root alone in root's directory, not the
 * reader (one rule, the one the pages give).  0, or -1 when the directory
 * is someone else's. */
static int
dir_owner(struct store *st, const struct stat *sb, int flags)
{
	st->owner = geteuid();
	if (sb->st_uid == st->owner)
		return 0;
	if ((flags & STORE_READER) && (sb->st_mode & 0050) == 0050 &&
	    in_group(sb->st_gid)) {
		st->owner = sb->st_uid;
		return 0;
	}
	return sb->st_uid == 0 ? 0 : -1;
}

/* jukisec.conf's temporary file: jukisec-init's hold (init_hold), which
 * it writes in place (store_init_begin), and the one a jukisec-init killed
 * before its rename leaves alone in the directory. */
#define INIT_TMP	".tmp-jukisec.conf"

/* An INIT_TMP (or the jukisec.conf it became) a jukisec-init of ours
 * could have made and hold: a regular file of ours, 0600 or less, one
 * name.  Only we (and root) can open it; any other (open to others,
 * another user's, another name of the same bytes elsewhere) someone else
 * may hold open and locked, and it is no kill's leftover either. */
int
store_init_ours(const struct stat *sb)
{
	return S_ISREG(sb->st_mode) && sb->st_uid == geteuid() &&
	    (sb->st_mode & 077) == 0 && sb->st_nlink == 1;
}

/* For jukisec-init: 1 when directory fd is empty, 2 when it holds nothing
 * but INIT_TMP, one of ours (no state has that alone), else 0; -1 with
 * errno. */
static int
dir_is_empty(int fd)
{
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int empty = 1, nfd;

	/* a description of its own: a dup shares the read position, so a
	 * second look read from the end and found the directory empty */
	if ((nfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(nfd)) == NULL) {
		close(nfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (empty == 1 && strcmp(de->d_name, INIT_TMP) == 0 &&
		    fstatat(fd, INIT_TMP, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    store_init_ours(&sb))
			empty = 2;
		else
			empty = 0;
	}
	closedir(d);
	return empty;
}

/* 1 when another jukisec-init holds the directory: its INIT_TMP, or the
 * jukisec.conf that became, one of ours, locked (init_hold).  Only ours:
 * a file another user can open says nothing of a run of ours. */
static int
init_busy(struct store *st)
{
	static const char *const held[] = { INIT_TMP, "jukisec.conf" };
	struct stat sb;
	size_t	 i;
	int	 fd, busy = 0;

	for (i = 0; i < 2 && !busy; i++) {
		fd = openat(st->dirfd, held[i], O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
		if (fd == -1)
			continue;
		busy = fstat(fd, &sb) == 0 && store_init_ours(&sb) &&
		    flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK;
		close(fd);	/* and a lock it took with it */
	}
	return busy;
}

/* The directory empty but for an INIT_TMP of ours (dir_is_empty): ST_OK,
 * or ST_FAIL after a message: one another run fills is "at work", as
 * init_hold says it, not "not empty". */
static int
init_empty(struct store *st)
{
	switch (dir_is_empty(st->dirfd)) {
	case -1:
		jerr_say_errno(st->err, ST_FAIL, "%s", st->dir);
		return ST_FAIL;
	case 0:
		jerr_say(st->err, ST_FAIL, init_busy(st) ?
		    _("%s: another jukisec-init is at work on it") :
		    _("%s: exists and is not empty"), st->dir);
		return ST_FAIL;
	}
	return ST_OK;
}

/* The hold let go of (store_close): INIT_TMP goes if it is still the file
 * held (made here, or a kill's, ours either way; not once renamed to
 * jukisec.conf, nor another jukisec-init's made since), then the hold. */
static void
init_drop(struct store *st)
{
	struct stat held, now;

	if (fstat(st->initfd, &held) == 0 &&
	    fstatat(st->dirfd, INIT_TMP, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    held.st_dev == now.st_dev && held.st_ino == now.st_ino)
		(void)unlinkat(st->dirfd, INIT_TMP, 0);
	close(st->initfd);
	st->initfd = -1;
}

/*
 * jukisec-init's hold on the directory it initialises, until it exits
 * (store_close): an exclusive flock on INIT_TMP, made if missing, so that
 * a second one refuses the directory at once and the temporary file a
 * first one is writing is never taken for one a kill left.  Not a lock on
 * the directory: whoever may open that (a 0755 one, or through a
 * descriptor from before the chmod 0700) would hold every jukisec-init
 * off for as long as they pleased; INIT_TMP only we can open
 * (store_init_ours).  Held, a kill's content is ours to drop.  ST_OK, or
 * ST_FAIL after a message.
 */
static int
init_hold(struct store *st)
{
	struct stat sb, now;
	int fd, e;

	fd = openat(st->dirfd, INIT_TMP, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, INIT_TMP);
		return ST_FAIL;
	}
	if (fstat(fd, &sb) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, INIT_TMP);
		close(fd);
		return ST_FAIL;
	}
	if (!store_init_ours(&sb)) {	/* put there since dir_is_empty */
		close(fd);
		jerr_say(st->err, ST_FAIL, init_busy(st) ?
		    _("%s: another jukisec-init is at work on it") :
		    _("%s: exists and is not empty"), st->dir);
		return ST_FAIL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			jerr_say(st->err, ST_FAIL,
			    _("%s: another jukisec-init is at work on it"),
			    st->dir);
		else {
			errno = e;
			jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir,
			    INIT_TMP);
		}
		return ST_FAIL;
	}
	/* Held, but maybe no longer INIT_TMP: opened while another run
	 * held it, the lock had once that run renamed it to jukisec.conf
	 * and exited.  That is a directory another run made. */
	if (fstatat(st->dirfd, INIT_TMP, &now, AT_SYMLINK_NOFOLLOW) == -1 ||
	    now.st_dev != sb.st_dev || now.st_ino != sb.st_ino) {
		close(fd);
		jerr_say(st->err, ST_FAIL,
		    _("%s: another jukisec-init is at work on it"), st->dir);
		return ST_FAIL;
	}
	st->initfd = fd;	/* held: store_close lets go of it */
	return ST_OK;
}

/* The hold's content dropped (a kill's, ours), once the directory is
 * found empty but for it again.  ST_OK, or ST_FAIL after a message. */
static int
init_take(struct store *st)
{
	if (ftruncate(st->initfd, 0) == -1 || fchmod(st->initfd, 0600) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, INIT_TMP);
		return ST_FAIL;
	}
	return ST_OK;
}

int
store_init_held(struct store *st, const char *name)
{
	struct stat held, now;

	return st->initfd != -1 && fstat(st->initfd, &held) == 0 &&
	    fstatat(st->dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    held.st_dev == now.st_dev && held.st_ino == now.st_ino;
}

/* F_DUPFD_CLOEXEC: those a caller left open below its limit count as
 * taken, as a look at RLIMIT_NOFILE would not. */
int
store_fds_free(struct store *st, int n)
{
	int	 fd[STORE_GATE_FDS], i, got, e = 0;

	if (n > STORE_GATE_FDS)
		n = STORE_GATE_FDS;
	for (got = 0; got < n - 1; got++)
		if ((fd[got] = fcntl(st->dirfd, F_DUPFD_CLOEXEC, 0)) == -1) {
			e = errno;
			break;
		}
	for (i = 0; i < got; i++)
		close(fd[i]);
	if (got == n - 1)
		return ST_OK;
	errno = e;
	jerr_say_errno(st->err, ST_FAIL, _("%d free file descriptors needed"),
	    n);
	return ST_FAIL;
}

static int zero_fd(int, off_t);

int
store_init_destroy(struct store *st)
{
	struct stat sb;

	if (!store_init_held(st, "jukisec.conf"))
		return 0;
	/* Through the descriptor held, not one of its own (destroy_file):
	 * the undo of a run short of descriptors (EMFILE) finds none free.
	 * Another name of the bytes keeps them (destroy_file's rule). */
	if (fstat(st->initfd, &sb) == -1 || (sb.st_nlink == 1 &&
	    zero_fd(st->initfd, sb.st_size) == -1))
		return -1;
	if (unlinkat(st->dirfd, "jukisec.conf", 0) == -1)
		return -1;
	return fsync_dir(st->dirfd);
}

int
store_init_begin(struct store *st, struct atomic_file *af)
{
	int fd;

	memset(af, 0, sizeof(*af));
	if (st->initfd == -1) {
		errno = EBADF;
		return -1;
	}
	/* a second descriptor of the one held: its fclose (atomic_commit,
	 * atomic_abort) lets go of nothing */
	if ((fd = fcntl(st->initfd, F_DUPFD_CLOEXEC, 0)) == -1)
		return -1;
	if ((af->fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	af->dirfd = st->dirfd;
	snprintf(af->tmpname, sizeof(af->tmpname), "%s", INIT_TMP);
	af->name = xstrdup("jukisec.conf");
	return 0;
}

/* A directory on the way to the state directory: nobody but its owner
 * (root or ours) can rename an entry of it, unless it is sticky. */
static int
way_trusted(const struct stat *sb, uid_t owner)
{
	return (sb->st_uid == 0 || sb->st_uid == owner) &&
	    ((sb->st_mode & 022) == 0 || (sb->st_mode & S_ISVTX));
}

static int way_check(const char *, uid_t, int, char **, struct stat *, int);

/* The entry p on the way: ours or root's (in a sticky directory its
 * owner may still rename it); when a symbolic link, the way to its target
 * checked (the target itself is the caller's).  0 or way_check's -1.
 * p gone is 0 only with gone_ok: the state directory not made yet, which
 * the open that follows reports; anywhere else a lookup found it a moment
 * ago, and its owner renamed it away. */
static int
link_way(const char *p, uid_t owner, int depth, char **bad, struct stat *sb,
    int gone_ok)
{
	char	*link, *to, *slash;
	ssize_t	 n;
	int	 r;

	if (lstat(p, sb) == -1)
		return errno == ENOENT && gone_ok ? 0 : -1;
	if (sb->st_uid != 0 && sb->st_uid != owner) {
		*bad = xstrdup(p);
		return -1;
	}
	if (!S_ISLNK(sb->st_mode))
		return 0;
	link = xmalloc(PATH_MAX);
	if ((n = readlink(p, link, PATH_MAX - 1)) == -1) {
		free(link);
		return -1;
	}
	link[n] = '\0';
	if (link[0] == '/' || (slash = strrchr(p, '/')) == NULL)
		to = xstrdup(link);	/* relative to "." when p is */
	else
		to = xasprintf("%.*s/%s", (int)(slash - p), p, link);
	r = way_check(to, owner, depth + 1, bad, sb, 0);
	free(to);
	free(link);
	return r;
}

/*
 * Every directory a lookup of path passes through before its last
 * component, the way to each link's target included, is trusted
 * (way_trusted): else whoever may rename its entries puts another
 * directory of ours or root's in the state directory's place (an old
 * copy: the register before a lock or a revocation).  Checked by name
 * after the state directory is opened (before too when it is made): a
 * swap before the open needs a directory this check sees, or finds gone
 * (way_refused), and refuses.  0; -1 with *bad (to free) the
 * directory not trusted and *sb its stat; -1 with *bad NULL and errno
 * when the way cannot be read (ELOOP: links within links).  gone_ok: the
 * last component may be missing (link_way).
 */
static int
way_check(const char *path, uid_t owner, int depth, char **bad,
    struct stat *sb, int gone_ok)
{
	char	*p, *end, *q;
	int	 r = 0;

	*bad = NULL;
	if (depth > 8) {
		errno = ELOOP;
		return -1;
	}
	p = xstrdup(path);
	for (end = p + strlen(p); end > p + 1 && end[-1] == '/'; )
		*--end = '\0';
	/* q: where the prefix looked in ends; the first is / or . */
	for (q = p; r == 0 && q != NULL; q = strchr(q + 1, '/')) {
		if (q != p)
			*q = '\0';
		if (stat(q == p ? (*p == '/' ? "/" : ".") : p, sb) == -1)
			r = -1;
		else if (!way_trusted(sb, owner))
			r = -1, *bad = xstrdup(q == p ? (*p == '/' ? "/" : ".") : p);
		else if (q != p)
			r = link_way(p, owner, depth, bad, sb, 0);
		if (q != p)
			*q = '/';
	}
	if (r == 0)
		r = link_way(p, owner, depth, bad, sb, gone_ok);
	free(p);
	return r;
}

/* A state directory refused, or one on its way (what names both): owned
 * by another (owned) or open to others, in the same words for both. */
static void
say_refused(struct store *st, const char *what, int owned, uid_t uid)
{
	if (owned)
		jerr_say(st->err, ST_FAIL,
		    _("%s: refusing a state directory owned by uid %lu"),
		    what, (unsigned long)uid);
	else
		jerr_say(st->err, ST_FAIL,
		    _("%s: refusing a group- or world-writable state directory"),
		    what);
}

/* 1 when a and b name the same path, trailing slashes aside. */
static int
same_dir(const char *a, const char *b)
{
	size_t	 n = strlen(a), m = strlen(b);

	while (n > 1 && a[n - 1] == '/')
		n--;
	while (m > 1 && b[m - 1] == '/')
		m--;
	return n == m && memcmp(a, b, n) == 0;
}

/* The way to st->dir (way_check) for owner, refused in the words of the
 * state directory's own refusal, naming the directory on the way.  A
 * relative one's way starts at /, through the working directory: whoever
 * owns a directory above it may rename what is below.  opened: the
 * directory is open, so a way that is no longer there was renamed away
 * after the open by whoever could (refused); before the open, a missing
 * directory is left to mkdir or open to report. */
static int
way_refused(struct store *st, uid_t owner, int opened)
{
	struct stat	 sb;
	char		*bad, *where, *cwd, *path = NULL;
	int		 r;

	if (st->dir[0] != '/') {
		if ((cwd = getcwd(NULL, 0)) == NULL) {
			jerr_say_errno(st->err, ST_FAIL, "%s", st->dir);
			return -1;
		}
		path = xasprintf("%s/%s", cwd, st->dir);
		free(cwd);
	}
	r = way_check(path != NULL ? path : st->dir, owner, 0, &bad, &sb,
	    !opened);
	if (r == 0 || bad == NULL) {
		free(path);
		if (r == 0 || (errno == ENOENT && !opened))
			return 0;	/* a missing one said as the open says it */
		jerr_say_errno(st->err, ST_FAIL, "%s", st->dir);
		return -1;
	}
	/* the state directory itself (jukisec-init checks it before its
	 * mkdir) is named alone, as the other tools' check names it */
	where = same_dir(bad, path != NULL ? path : st->dir) ?
	    xstrdup(st->dir) : xasprintf("%s (in %s)", st->dir, bad);
	free(path);
	say_refused(st, where, sb.st_uid != 0 && sb.st_uid != owner, sb.st_uid);
	free(where);
	free(bad);
	return -1;
}

/* 1 when path's last name is a symbolic link: O_NOFOLLOW with
 * O_DIRECTORY refuses one as ENOTDIR ("Not a directory"), which says the
 * opposite of what is there to whoever reads the message. */
static int
is_link(const char *path)
{
	struct stat sb;
	int saved = errno, r;

	r = lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
	errno = saved;
	return r;
}

static int
open_dir(struct store *st, int flags)
{
	struct stat sb;
	int	 other;

	if ((flags & STORE_CREATE) && way_refused(st, geteuid(), 0) == -1)
		return ST_FAIL;
	if ((flags & STORE_CREATE) && mkdir(st->dir, 0700) == -1 && errno != EEXIST) {
		jerr_say_errno(st->err, ST_FAIL, "%s", st->dir);
		return ST_FAIL;
	}
	st->dirfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (st->dirfd == -1) {
		if (errno == ENOENT && !(flags & STORE_CREATE))
			jerr_say(st->err, ST_FAIL,
			    _("%s: no such state directory (run jukisec-init)"),
			    st->dir);
		else if (is_link(st->dir))
			jerr_say_at(st->err, ST_FAIL, 0, ELOOP, "%s: %s", st->dir,
			    open_safe_why(ELOOP));
		else
			jerr_say_errno(st->err, ST_FAIL, "%s", st->dir);
		return ST_FAIL;
	}
	if (fstat(st->dirfd, &sb) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s", st->dir);
		return ST_FAIL;
	}
	if ((other = dir_owner(st, &sb, flags) == -1) || (sb.st_mode & 022)) {
		say_refused(st, st->dir, other, sb.st_uid);
		return ST_FAIL;
	}
	if (way_refused(st, st->owner, 1) == -1)
		return ST_FAIL;
	if (flags & STORE_CREATE) {
		/* before INIT_TMP is made, and again once it is held: another
		 * jukisec-init may have renamed its own to jukisec.conf
		 * meanwhile.  A failure's store_close lets go of the hold. */
		if (init_empty(st) != ST_OK || init_hold(st) != ST_OK ||
		    init_empty(st) != ST_OK || init_take(st) != ST_OK)
			return ST_FAIL;
		if (fchmod(st->dirfd, 0700) == -1) {
			jerr_say_errno(st->err, ST_FAIL, "%s", st->dir);
			return ST_FAIL;
		}
	}
	return ST_OK;
}

const char *
store_terminal_problem(const char *terminal)
{
	if (text_blank(terminal))
		return _("empty");
	/* the one rule for free text (esc.h): the name goes into every
	 * log record */
	return text_problem(terminal, TERMINAL_MAX, 0);
}

void
store_terminal_say(struct jerr *e, const char *from, const char *why)
{
	char msg[256];

	/* the source first, as "-u ID: ..." names its option: the same
	 * words, so that the catalogue's translation still serves */
	snprintf(msg, sizeof msg, _("invalid terminal name: %s"), why);
	jerr_say(e, ST_USAGE, "%s: %s", from, msg);
}

static int
resolve_terminal(struct store *st, const char *terminal, int flags)
{
	char host[256];
	const char *why, *from = "-t";

	if ((terminal == NULL || *terminal == '\0') && !(flags & STORE_NOENV)) {
		terminal = getenv("JUKISEC_TERMINAL");
		from = "JUKISEC_TERMINAL";
	}
	if (terminal == NULL || *terminal == '\0') {
		if (gethostname(host, sizeof(host)) == -1) {
			jerr_say_errno(st->err, ST_FAIL, "gethostname");
			return ST_FAIL;
		}
		host[sizeof(host) - 1] = '\0';
		terminal = host;
		from = "gethostname";	/* as its failure is named */
	}
	if ((why = store_terminal_problem(terminal)) != NULL) {
		store_terminal_say(st->err, from, why);
		return ST_USAGE;
	}
	st->terminal = xstrdup(terminal);
	return ST_OK;
}

int
store_open(struct store *st, const char *dir, const char *terminal, int flags)
{
	return store_open_err(st, dir, terminal, flags, NULL);
}

int
store_dir_named(const char *dir)
{
	const char *env = getenv("JUKISEC_DIR");

	return dir != NULL || (env != NULL && *env != '\0');
}

/* The state files beside the log that make a directory a state
 * directory (jukisec-log(5) "Files"): removing one of them alone does not
 * make it something else. */
static const char *const beside_log[] = { "jukisec.conf", "oplog.head",
    "oplog.key" };

/* 1 when one of names is in dirfd (as a directory entry: a link or a
 * FIFO counts, whatever it is). */
static int
holds_any(int dirfd, const char *const *names, size_t n)
{
	struct stat sb;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (fstatat(dirfd, names[i], &sb, AT_SYMLINK_NOFOLLOW) == 0)
			return 1;
	return 0;
}

char *
store_live_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char	*dir;
	int	 fd, here;

	if (strcmp(slash != NULL ? slash + 1 : path, "oplog.csv") != 0)
		return NULL;
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
	here = (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1 &&
	    holds_any(fd, beside_log, sizeof(beside_log) / sizeof(beside_log[0]));
	if (fd != -1)
		close(fd);
	if (!here) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* jukisec.conf read over the defaults, its failure said to e. */
static int
conf_read(struct store *st, struct jerr *e)
{
	struct stat sb;
	char *path, *cbuf;
	size_t n;
	FILE *fp;
	int fd, ret;

	path = xasprintf("%s/jukisec.conf", st->dir);
	if ((fd = store_openat_st(st, "jukisec.conf", O_RDONLY, 0, &sb)) == -1) {
		if (errno == ENOENT)
			jerr_say(e, ST_FAIL,
			    _("%s: missing (state directory not initialised?)"), path);
		else
			open_safe_say(e, path);
		free(path);
		return ST_FAIL;
	}
	if ((fp = fdopen(fd, "r")) == NULL)
		err(ST_FAIL, "%s", path);
	/* A buffer the file's size: one read and the one that says the end,
	 * not stdio's fstat and a read a block. */
	n = sb.st_size < CONF_BUF_MAX ? (size_t)sb.st_size + 1 : CONF_BUF_MAX;
	cbuf = xmalloc(n);
	if (setvbuf(fp, cbuf, _IOFBF, n) != 0)
		err(ST_FAIL, "%s", path);
	ret = conf_load_err(&st->conf, fp, path, e);
	fclose(fp);
	free(cbuf);
	free(path);
	return ret;
}

/* STORE_CONFSOFT: a conf that did not read is kept in st->conf_err, the
 * defaults put back over what it set before its bad line, in a directory
 * that holds its log, head or key; in one that holds none of them, not
 * initialised, it stays the failure.  ST_OK or ST_FAIL. */
static int
conf_soft(struct store *st, struct jerr *e)
{
	static const char *const log[] = { "oplog.csv", "oplog.head",
	    "oplog.key" };

	if (conf_read(st, &st->conf_err) == ST_OK)
		return ST_OK;
	if (!holds_any(st->dirfd, log, sizeof(log) / sizeof(log[0]))) {
		jerr_pass(e, &st->conf_err);
		return ST_FAIL;
	}
	conf_free(&st->conf);
	conf_defaults(&st->conf, st->dir);
	return ST_OK;
}

int
store_open_err(struct store *st, const char *dir, const char *terminal,
    int flags, struct jerr *e)
{
	int ret, i;

	memset(st, 0, sizeof(*st));
	st->err = e;
	st->reader = (flags & STORE_READER) != 0;
	st->dirfd = st->initfd = -1;
	for (i = 0; i < STORE_NLOCKS; i++)
		st->lockfd[i] = -1;
	if ((dir == NULL || *dir == '\0') && !(flags & STORE_NOENV))
		dir = getenv("JUKISEC_DIR");
	if (dir == NULL || *dir == '\0')
		dir = STATEDIR;
	st->dir = xstrdup(dir);
	conf_defaults(&st->conf, st->dir);

	if ((!(flags & STORE_READER) &&
	    (ret = resolve_terminal(st, terminal, flags)) != ST_OK) ||
	    (ret = open_dir(st, flags)) != ST_OK)
		goto fail;
	if (flags & STORE_NOCONF)
		return ST_OK;
	/* before the conf, the first file read: gate_fds's line for every
	 * id alike, whichever file came first */
	if ((flags & STORE_GATE) &&
	    (ret = store_fds_free(st, STORE_GATE_FDS)) != ST_OK)
		goto fail;

	ret = flags & STORE_CONFSOFT ? conf_soft(st, e) : conf_read(st, e);
	if (ret == ST_OK)
		return ST_OK;
fail:
	store_close(st);
	return ret;
}

void
store_close(struct store *st)
{
	int i;

	for (i = STORE_NLOCKS - 1; i >= 0; i--)
		store_unlock(st, i);
	/* jukisec-init's hold: a .tmp-jukisec.conf never renamed to
	 * jukisec.conf (a failure before, or no store_init_begin) goes */
	if (st->initfd != -1)
		init_drop(st);
	if (st->dirfd != -1)
		close(st->dirfd);
	st->dirfd = st->initfd = -1;
	free(st->dir);
	free(st->terminal);
	st->dir = st->terminal = NULL;
	conf_free(&st->conf);
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when the process may set its uids to any value (CAP_SETUID in its
 * effective set): what it takes to give the real uid back. */
static int
can_setuid(void)
{
	struct __user_cap_header_struct	h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	d[_LINUX_CAPABILITY_U32S_3];

	return syscall(SYS_capget, &h, d) == 0 &&
	    (d[CAP_TO_INDEX(CAP_SETUID)].effective & CAP_TO_MASK(CAP_SETUID));
}

/*
 * Before the first lock of st is waited for, the process is made one
 * that only root can stop while it holds a lock.  A stopped holder holds
 * every writer off past lock_timeout_ms, every auth-check, PAM and --by
 * attempt denied (exit 3), for as long as the one who stopped it
 * pleases: the lock files are 0600 for that reason.
 *  - The stops a terminal sends (Ctrl-Z's SIGTSTP, SIGTTIN, SIGTTOU) are
 *    blocked: one sent meanwhile stops the process once the last lock
 *    is let go (guard_off), the gate's own hold of every signal ending
 *    under the register lock included.
 *  - SIGSTOP cannot be blocked.  In a set-user-ID host (su, sudo: real
 *    uid the caller's, effective 0) the caller may send it: kill(2) lets
 *    a sender signal a process whose real or saved uid is the sender's.
 *    The real and saved uid are made 0 for the time, and the caller's
 *    kill is refused (EPERM); the terminal's signals still come (above).
 *    Made 0 only where they can be given back (CAP_SETUID): a real uid
 *    0 left behind would be a root caller to the host and the modules
 *    after this one (pam_rootok).  Without it the lock is not taken.
 * ST_OK, or ST_FAIL with *e set and nothing changed.
 */
static int
guard_on(struct store *st, enum store_lock which, struct jerr *e)
{
	sigset_t	 stops;
	uid_t		 r, eu, s;

	if (st->guarded)
		return ST_OK;
	if (getresuid(&r, &eu, &s) == 0 && eu == 0 && (r != 0 || s != 0)) {
		if (!can_setuid() || setresuid(0, 0, 0) == -1) {
			jerr_set(e, ST_FAIL, _("%s/%s: a set-user-ID host "
			    "without CAP_SETUID may not hold it"), st->dir,
			    lockname[which]);
			return ST_FAIL;
		}
		st->guard_ids = 1;
		st->guard_ruid = r;
		st->guard_suid = s;
	}
	sigemptyset(&stops);
	sigaddset(&stops, SIGTSTP);
	sigaddset(&stops, SIGTTIN);
	sigaddset(&stops, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &stops, &st->guard_mask);
	st->guarded = 1;
	return ST_OK;
}

/* Once st holds no lock: the uids and the signal mask as guard_on found
 * them, the uids first (a stop held meanwhile is taken after both).
 * Uids that cannot be given back end the process: never a host left
 * with a real uid 0 it did not have. */
static void
guard_off(struct store *st)
{
	int i;

	for (i = 0; i < STORE_NLOCKS; i++)
		if (st->lockfd[i] != -1)
			return;
	if (!st->guarded)
		return;
	if (st->guard_ids &&
	    setresuid(st->guard_ruid, 0, st->guard_suid) == -1)
		abort();
	st->guard_ids = 0;
	st->guarded = 0;
	pthread_sigmask(SIG_SETMASK, &st->guard_mask, NULL);
}

int
store_lock(struct store *st, enum store_lock which)
{
	struct jerr e;

	if (store_lock_err(st, which, &e) != ST_OK) {
		jerr_say(st->err, e.code, "%s", e.msg);
		return e.code;
	}
	return ST_OK;
}

/* One temporary file of tmp_names, path in the state directory or in a
 * directory of it, removed when it is there: 0, or -1 with errno. */
static int
tmp_clear(struct store *st, const char *path, int secret)
{
	const char *slash = strchr(path, '/');
	char	*sub;
	int	 fd, r;

	if (slash == NULL)
		return atomic_clear(st->dirfd, path, secret);
	sub = xstrndup(path, (size_t)(slash - path));
	fd = openat(st->dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	free(sub);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	r = atomic_clear(fd, slash + 1, secret);
	close(fd);
	return r;
}

/* A writer that has just taken lock which: what a writer killed under it
 * left of its temporary files, removed.  Best effort: a disk that cannot
 * remove one writes nothing else either, and one that stays refuses the
 * write that needs its name (atomic_begin). */
static void
tmp_clear_lock(struct store *st, enum store_lock which)
{
	size_t i;

	for (i = 0; i < sizeof(tmp_names) / sizeof(tmp_names[0]); i++)
		if (tmp_names[i].lock == (int)which)
			(void)tmp_clear(st, tmp_names[i].name,
			    tmp_names[i].secret);
}

int
store_tmp_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tmp_names) / sizeof(tmp_names[0]); i++)
		if (strcmp(tmp_names[i].name, name) == 0)
			return 1;
	return 0;
}

/* The lock file opened as st locks: a writer's read-write, made when
 * missing; a reader's read-only, never made.  fd, or -1 with errno as
 * open_safe's (a reader's ENOENT: missing; EACCES: not ours to open). */
static int
lock_open(struct store *st, enum store_lock which)
{
	if (st->reader)
		return store_openat(st, lockname[which], O_RDONLY, 0);
	return store_lock_open(st, lockname[which]);
}

int
store_flock_wait(struct store *st, int fd, int how, const char *name, struct jerr *e)
{
	return store_flock_wait_while(st, fd, how, name, NULL, e);
}

int
store_flock_wait_while(struct store *st, int fd, int how, const char *name,
    int (*go_on)(int), struct jerr *e)
{
	struct timespec nap;
	long long start, waited, step = 1;

	start = mono_ms();
	while (flock(fd, how | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			jerr_errno(e, ST_FAIL, "%s/%s", st->dir, name);
			return ST_FAIL;
		}
		if (go_on != NULL && !go_on(fd))
			return ST_NO;
		waited = mono_ms() - start;
		if (waited >= st->conf.lock_timeout_ms) {
			jerr_set(e, ST_FAIL, _("lock timeout: %s/%s"), st->dir, name);
			errno = EWOULDBLOCK;
			return ST_FAIL;
		}
		/* Back off 1, 2, 4 ... 64 ms, never past the deadline. */
		if (step > st->conf.lock_timeout_ms - waited)
			step = st->conf.lock_timeout_ms - waited;
		nap.tv_sec = step / 1000;
		nap.tv_nsec = step % 1000 * 1000000;
		nanosleep(&nap, NULL);
		if (step < 64)
			step *= 2;
	}
	return ST_OK;
}

/* flock(2) on fd, shared for a reader, else exclusive, waiting at most
 * lock_timeout_ms.  ST_OK, or ST_FAIL with *e set and fd closed. */
static int
lock_wait(struct store *st, enum store_lock which, int fd, struct jerr *e)
{
	if (store_flock_wait(st, fd, st->reader ? LOCK_SH : LOCK_EX,
	    lockname[which], e) == ST_OK)
		return ST_OK;
	st->timed_out[which] = errno == EWOULDBLOCK;
	close(fd);
	return ST_FAIL;
}

int
store_lock_err(struct store *st, enum store_lock which, struct jerr *e)
{
	char *path;
	int fd;

	st->timed_out[which] = st->lock_refused[which] = 0;
	if (st->lockfd[which] != -1)
		return ST_OK;
	if (which == STORE_LOCK_REGISTER && st->lockfd[STORE_LOCK_LOG] != -1)
		errx(ST_FAIL, "internal error: register lock taken after log lock");
	if (guard_on(st, which, e) != ST_OK)
		return ST_FAIL;
	if ((fd = lock_open(st, which)) == -1) {
		/* A reader that may not or cannot make it (a group member,
		 * a read-only copy) reads without it: no writer is at work,
		 * since every writer makes the file before it changes
		 * anything; store_unlock_stands says if one began since. */
		if (st->reader && errno == ENOENT) {
			st->lockfd[which] = STORE_LOCK_ABSENT;
			return ST_OK;
		}
		/* A member of the directory's group may not open it (the
		 * owner's alone): it reads without it, as the files are. */
		if (st->reader && errno == EACCES) {
			st->lockfd[which] = STORE_LOCK_DENIED;
			return ST_OK;
		}
		st->lock_refused[which] = open_safe_refused(errno);
		path = xasprintf("%s/%s", st->dir, lockname[which]);
		open_safe_err(e, ST_FAIL, path);
		free(path);
		guard_off(st);
		return ST_FAIL;
	}
	if (lock_wait(st, which, fd, e) != ST_OK) {
		guard_off(st);
		return ST_FAIL;
	}
	st->lockfd[which] = fd;
	if (!st->reader)
		tmp_clear_lock(st, which);
	return ST_OK;
}

void
store_unlock(struct store *st, enum store_lock which)
{
	if (st->lockfd[which] == -1)
		return;
	if (st->lockfd[which] >= 0)
		close(st->lockfd[which]);	/* releases the flock */
	st->lockfd[which] = -1;
	guard_off(st);
}

int
store_unlock_stands(struct store *st, enum store_lock which)
{
	struct stat sb;
	int absent = st->lockfd[which] == STORE_LOCK_ABSENT;

	store_unlock(st, which);
	/* Anything but "still no such file" may be a writer's: it does
	 * not stand.  Read without a lock denied to us, nothing tells
	 * (STORE_LOCK_DENIED): it stands as it was read. */
	return !absent || (fstatat(st->dirfd, lockname[which], &sb,
	    AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT);
}

int
store_note_left(struct store *st, const char *name, enum store_lock which)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 };
	struct stat sb, now;
	long long waited;

	if (fstatat(st->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	if (st->lockfd[which] != STORE_LOCK_DENIED)
		return 1;
	for (waited = 0; waited < st->conf.lock_timeout_ms; waited += 10) {
		nanosleep(&step, NULL);
		if (fstatat(st->dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == -1 ||
		    now.st_ino != sb.st_ino ||
		    now.st_mtim.tv_sec != sb.st_mtim.tv_sec ||
		    now.st_mtim.tv_nsec != sb.st_mtim.tv_nsec)
			return 0;
	}
	return 1;
}

void
store_held(const struct store *st, enum store_lock which)
{
	if (st->lockfd[which] == -1)
		errx(ST_FAIL, "internal error: %s not held", lockname[which]);
}

/* open_safe without the owner and mode checks, the stat into *sb. */
static int
open_regular_st(int dirfd, const char *name, int flags, mode_t mode,
    struct stat *sb)
{
	int fd, e, r;

	/* O_NONBLOCK: a planted FIFO must not hang us before fstat sees it.
	 * F_SETFL changes only the status flags (O_APPEND, O_NONBLOCK ...),
	 * so flags without O_NONBLOCK is what F_GETFL would have given back
	 * without it: no F_GETFL. */
	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
	    mode);
	if (fd == -1) {
		/* A directory opened for writing: refused in the same words
		 * as one opened for reading, which fstat finds. */
		if (errno == EISDIR)
			errno = EINVAL;
		return -1;
	}
	if ((r = fstat(fd, sb)) == 0 && !S_ISREG(sb->st_mode)) {
		errno = EINVAL;
		r = -1;
	}
	if (r == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* open_safe against euid, the stat it checked into *sb. */
static int
open_safe_uid(int dirfd, const char *name, int flags, mode_t mode, int secret,
    uid_t euid, struct stat *sb)
{
	int fd;

	if ((fd = open_regular_st(dirfd, name, flags, mode, sb)) == -1)
		return -1;
	if (check_stat_uid(sb, !secret, euid) == -1) {
		close(fd);
		errno = JERR_UNSAFE;
		return -1;
	}
	return fd;
}

int
open_regular(int dirfd, const char *name, int flags)
{
	struct stat sb;

	return open_regular_st(dirfd, name, flags, 0, &sb);
}

int
open_safe(int dirfd, const char *name, int flags, mode_t mode, int secret)
{
	struct stat sb;

	return open_safe_uid(dirfd, name, flags, mode, secret, geteuid(), &sb);
}

void
open_safe_warn(const char *path)
{
	open_safe_say(NULL, path);
}

void
open_safe_say(struct jerr *to, const char *path)
{
	struct jerr e;

	open_safe_err(&e, ST_FAIL, path);
	jerr_pass(to, &e);
}

const char *
open_safe_why(int err)
{
	switch (err) {
	case ELOOP:
		return _("a symbolic link: refused");
	case EINVAL:
		return _("not a regular file: refused");
	case JERR_UNSAFE:
		return _("not owned by us or root, or open to others: refused");
	}
	return strerror(err);
}

int
open_safe_refused(int err)
{
	return err == ELOOP || err == EINVAL || err == JERR_UNSAFE;
}

void
open_safe_err(struct jerr *e, int code, const char *path)
{
	int	 err = errno;

	if (open_safe_refused(err)) {
		jerr_set(e, code, "%s: %s", path, open_safe_why(err));
		e->cause = err;		/* for words of the refusal */
	} else
		jerr_errno(e, code, "%s", path);
}

void
store_open_say(const struct store *st, struct jerr *to, const char *name)
{
	char *path;
	int e = errno;

	path = xasprintf("%s/%s", st->dir, name);
	errno = e;
	open_safe_say(to, path);
	free(path);
}

int
store_openat(struct store *st, const char *name, int flags, mode_t mode)
{
	struct stat sb;

	return store_openat_st(st, name, flags, mode, &sb);
}

int
store_openat_st(struct store *st, const char *name, int flags, mode_t mode,
    struct stat *sb)
{
	return open_safe_uid(st->dirfd, name, flags, mode, 0, st->owner, sb);
}

/* store_openat_new, the file made now shared by store_share_new when
 * share is 1, else left as made. */
static int
openat_new(struct store *st, const char *name, int flags, mode_t mode,
    int share)
{
	struct stat sb;
	int fd, tries;

	/* The file there already, the common case, in one open (a lock
	 * file at every append); else made with O_EXCL, which tells a file
	 * made now from one another process made meanwhile, opened then as
	 * it is; one removed between the two opens is made again, a few
	 * times. */
	for (tries = 0; tries < 8; tries++) {
		if (!(flags & O_EXCL)) {
			fd = store_openat_st(st, name, flags & ~O_CREAT, 0, &sb);
			if (fd != -1 || errno != ENOENT)
				return fd;
		}
		fd = store_openat_st(st, name, flags | O_CREAT | O_EXCL, mode, &sb);
		if (fd != -1) {
			if (share)
				store_share_new(st->dirfd, fd);
			return fd;
		}
		if (errno != EEXIST || (flags & O_EXCL))
			return -1;
	}
	return -1;
}

int
store_openat_new(struct store *st, const char *name, int flags, mode_t mode)
{
	return openat_new(st, name, flags, mode, 1);
}

int
store_lock_open(struct store *st, const char *name)
{
	struct stat sb;
	int fd;

	/* Made 0600 and never shared; one that README "First day" 8 (or
	 * anyone) made 0640 is made 0600 again, by its owner (or root):
	 * else refused as open to others. */
	if ((fd = openat_new(st, name, O_RDWR, 0600, 0)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || ((sb.st_mode & 077) != 0 &&
	    fchmod(fd, 0600) == -1)) {
		close(fd);
		errno = JERR_UNSAFE;
		return -1;
	}
	return fd;
}

/* 0 when a file may grow to end bytes under the caller's file size limit
 * (RLIMIT_FSIZE), else -1 with errno EFBIG: past it a write fails, or
 * SIGXFSZ kills us half-way, as the caller of a tool or of a setuid PAM
 * host chooses. */
static int
fsize_allows(off_t end)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)end > rl.rlim_cur) {
		errno = EFBIG;
		return -1;
	}
	return 0;
}

int
store_fits(struct store *st, const char *name, off_t extra)
{
	struct stat sb;

	if (fstatat(st->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	return fsize_allows(sb.st_size + extra);
}

int
store_unwritable(int err)
{
	return err == ENOSPC || err == EDQUOT || err == EFBIG || err == EIO ||
	    err == EROFS || err == EACCES;
}

int
store_room(struct store *st, const char *name, off_t extra)
{
	struct stat sb;
	off_t	 want = extra;
	int	 fd, e;

	if (fstatat(st->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		want += sb.st_size;
	if (fsize_allows(want) == -1)
		return -1;
	fd = openat(st->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd == -1 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL)) {
		/* its fixed name, under the log lock: one there is what a
		 * kill before the unlink left */
		if (atomic_clear(st->dirfd, STORE_ROOM_TMP, 0) == 0 &&
		    (fd = openat(st->dirfd, STORE_ROOM_TMP, O_RDWR | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) != -1)
			(void)unlinkat(st->dirfd, STORE_ROOM_TMP, 0);
	}
	if (fd == -1)
		return -1;
	if ((e = posix_fallocate(fd, 0, want)) != 0) {
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

int
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t	 k;

	while (n > 0) {
		if ((k = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int
fsync_dir(int dirfd)
{
	int fd, r, e;

	/* Some file systems cannot sync a directory; that is not our failure. */
	if (fsync(dirfd) == 0 || errno == EINVAL)
		return 0;
	if (errno != EBADF)
		return -1;
	/* an O_PATH descriptor (open_parent's of a directory we may not
	 * read): synced through one opened for reading, if that may be */
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd) == -1 && errno != EINVAL ? -1 : 0;
	e = errno;
	close(fd);
	errno = e;
	return r;
}

int
open_parent(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, e;

	*base = slash != NULL ? slash + 1 : path;
	dir = slash == NULL ? xstrdup(".") :
	    xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	/* O_PATH where it may not be read (mode 0311): a file is still made,
	 * renamed and removed in it, as by its name */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 &&
	    errno == EACCES)
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	free(dir);
	errno = e;
	return fd;
}

int
store_dir_within(struct store *st, int dfd)
{
	struct stat sd, s, p;
	int cur = dfd, up, in = -1, e;

	if (fstat(st->dirfd, &sd) == -1)
		return -1;
	/* O_PATH: a parent is searched, never read (a home directory of
	 * mode 0711 on the way up).  Up to "/", however deep: each step
	 * goes up or stops. */
	while (in == -1) {
		if (fstat(cur, &s) == -1)
			break;
		if (s.st_dev == sd.st_dev && s.st_ino == sd.st_ino)
			in = 1;
		else if ((up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
			break;
		else {
			if (cur != dfd)
				close(cur);
			cur = up;
			if (fstat(cur, &p) == 0 && p.st_dev == s.st_dev &&
			    p.st_ino == s.st_ino)
				in = 0;		/* "/": its own parent */
		}
	}
	e = errno;
	if (cur != dfd)
		close(cur);
	errno = e;
	return in;
}

/* af->tmpname made, mode, and opened for writing: 0, or -1 with errno
 * (EEXIST: the name is taken, nothing made). */
static int
atomic_open(struct atomic_file *af, const char *name, mode_t mode)
{
	int fd, e;

	fd = openat(af->dirfd, af->tmpname, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd == -1)
		return -1;
	if (fchmod(fd, mode) == -1 || (af->fp = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlinkat(af->dirfd, af->tmpname, 0);
		errno = e;
		return -1;
	}
	af->name = xstrdup(name);
	return 0;
}

int
atomic_begin(struct atomic_file *af, int dirfd, const char *name, mode_t mode)
{
	char tmp[sizeof(af->tmpname)];

	memset(af, 0, sizeof(*af));
	if (snprintf(tmp, sizeof(tmp), ".tmp-%s", name) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (atomic_clear(dirfd, tmp, 0) == -1)
		return -1;
	return atomic_begin_as(af, dirfd, name, tmp, mode);
}

int
atomic_begin_as(struct atomic_file *af, int dirfd, const char *name,
    const char *tmpname, mode_t mode)
{
	memset(af, 0, sizeof(*af));
	af->dirfd = dirfd;
	snprintf(af->tmpname, sizeof(af->tmpname), "%s", tmpname);
	if (atomic_open(af, name, mode) == 0)
		return 0;
	af->tmpname[0] = '\0';
	return -1;
}

void
store_share_new(int dirfd, int fd)
{
	struct stat sb;

	/* The group first, the mode after and only then: 0640 with our
	 * own group (EPERM, we are not in the directory's) would show the
	 * file to a group the directory does not name. */
	if (fstat(dirfd, &sb) == 0 && (sb.st_mode & 0050) == 0050 &&
	    fchown(fd, (uid_t)-1, sb.st_gid) == 0)
		(void)fchmod(fd, 0640);
}

void
atomic_keep_group(struct atomic_file *af)
{
	struct stat sb;
	int fd = fileno(af->fp);

	if (fstatat(af->dirfd, af->name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			store_share_new(af->dirfd, fd);
		return;
	}
	if (S_ISREG(sb.st_mode) && (sb.st_mode & S_IRGRP) &&
	    fchown(fd, (uid_t)-1, sb.st_gid) == 0)
		(void)fchmod(fd, 0640);
}

int
atomic_sync(struct atomic_file *af)
{
	int e;

	if (fflush(af->fp) == EOF || ferror(af->fp) || fsync(fileno(af->fp)) == -1) {
		e = errno ? errno : EIO;
		goto fail;
	}
	if (fclose(af->fp) == EOF) {
		af->fp = NULL;
		e = errno;
		goto fail;
	}
	af->fp = NULL;
	return 0;
fail:
	atomic_abort(af);
	errno = e;
	return -1;
}

int
atomic_commit(struct atomic_file *af)
{
	int e;

	if (atomic_sync(af) == -1)
		return -1;
	if (renameat(af->dirfd, af->tmpname, af->dirfd, af->name) == -1) {
		e = errno;
		atomic_abort(af);
		errno = e;
		return -1;
	}
	free(af->name);
	af->name = NULL;
	return fsync_dir(af->dirfd);
}

int
atomic_renamed(const struct atomic_file *af)
{
	/* the rename frees name and keeps tmpname; an abort clears both */
	return af->name == NULL && af->tmpname[0] != '\0';
}

int
atomic_clear(int dirfd, const char *tmpname, int secret)
{
	struct stat sb;

	if (fstatat(dirfd, tmpname, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (secret && S_ISREG(sb.st_mode))
		/* EMLINK: our name is gone; another is not ours to zero */
		return destroy_file(dirfd, tmpname) == -1 && errno != EMLINK ? -1 : 0;
	return unlinkat(dirfd, tmpname, 0);
}

/* Keeps errno: it is the failure's, which the caller reports after. */
void
atomic_abort(struct atomic_file *af)
{
	int e = errno;

	if (af->fp != NULL)
		fclose(af->fp);
	af->fp = NULL;
	/* a secret synced and then not renamed (the rename failed) is
	 * zeroed as a killed writer's is by the next one */
	if (af->tmpname[0] != '\0')
		(void)atomic_clear(af->dirfd, af->tmpname, af->secret);
	af->tmpname[0] = '\0';
	free(af->name);
	af->name = NULL;
	errno = e;
}

/* fd's first size bytes overwritten with zeros (at their place,
 * whatever fd's offset) and synced: 0, or -1 with errno. */
static int
zero_fd(int fd, off_t size)
{
	static const char zero[4096];
	off_t at;
	ssize_t n;

	for (at = 0; at < size; at += n) {
		n = pwrite(fd, zero, size - at < (off_t)sizeof(zero) ?
		    (size_t)(size - at) : sizeof(zero), at);
		if (n == -1) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			return -1;
		}
	}
	return fsync(fd);
}

int
destroy_file(int dirfd, const char *name)
{
	struct stat sb;
	int fd, e;

	fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	/* Another name of the same bytes (a hard link, maybe outside the
	 * state) is not ours to zero: only this name goes. */
	if (sb.st_nlink > 1) {
		close(fd);
		if (unlinkat(dirfd, name, 0) == -1 || fsync_dir(dirfd) == -1)
			return -1;
		errno = EMLINK;
		return -1;
	}
	if (zero_fd(fd, sb.st_size) == -1)
		goto fail;
	if (close(fd) == -1)
		return -1;
	if (unlinkat(dirfd, name, 0) == -1)
		return -1;
	return fsync_dir(dirfd);
fail:
	e = errno;
	if (fd != -1)
		close(fd);
	errno = e;
	return -1;
}
