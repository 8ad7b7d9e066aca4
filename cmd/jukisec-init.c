/*
 * jukisec-init — creates a state directory: jukisec.conf with its commented
 * defaults, the operation log with its keys and genesis record (R6), and
 * prints the log verification key once, for the Security Manager to keep
 * offline.  An initialised directory is refused and left as it was; so
 * is one whose path jukisec.conf cannot hold (conf_init_problem), and one
 * another jukisec-init is at work on, before its rename of jukisec.conf
 * (store.c) or after it (conf_held).  A directory that holds only the
 * .tmp-jukisec.conf of a jukisec-init killed before its rename is
 * initialised, the leftover removed (store.c STORE_CREATE); so is one
 * that holds what a jukisec-init killed after it left (take_leftovers):
 * the log is of use only once its key is printed (oplog_create_done).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>

#include "jukisec.h"
#include "conf.h"
#include "oplog.h"
#include "store.h"
#include "timeutil.h"
#include "tool.h"

enum { O_EPOCH = 256, O_FORMAT };

struct init_opts {
	long long	epoch;
	long long	format;	/* jukisec-log(5): fixed for the life of the log */
};

static const struct tool_opt opts[] = {
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "epoch",	required_argument, O_EPOCH, "    --epoch=SECONDS", N_("the length of the log's key epochs, 60 to 2592000") },
	{ "format",	required_argument, O_FORMAT, "    --format=1|2", N_("the log's format: 1 (HMAC-SHA256, the default) or 2 (GMAC-AES-256)") },
	{ "terminal",	required_argument, 't', "-t, --terminal=TERMINAL", N_("the terminal named in the genesis record") },
	{ "now",	required_argument, TOOL_NOW_REFUSED, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

static int
opt(void *p, int ch, char *arg)
{
	struct init_opts *o = p;
	const char *errstr;

	/* jukisec.conf(5): epoch_seconds, fixed for the life of the log. */
	if (ch == O_EPOCH && parse_decimal(arg, CONF_EPOCH_MIN, CONF_EPOCH_MAX, &o->epoch,
	    &errstr) == -1) {
		warnx(_("--epoch %s: %s (%d to %d seconds)"), arg, _(errstr),
		    CONF_EPOCH_MIN, CONF_EPOCH_MAX);
		return ST_USAGE;
	}
	/* A format is named, not counted: "02" or "+2" names none. */
	if (ch == O_FORMAT) {
		if (strcmp(arg, "1") != 0 && strcmp(arg, "2") != 0) {
			warnx(_("--format %s: %s (1 or 2)"), arg, _("invalid"));
			return ST_USAGE;
		}
		o->format = arg[0] - '0';
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: jukisec-init [-d DIR] [-t TERMINAL] [--epoch SECONDS] [--format 1|2]\n"),
	opts, 0, opt, 0
};

/* jukisec.conf and the log's files (jukisec-log(5) "Files") */
static const char *const files[] = { "jukisec.conf", "oplog.csv", "oplog.key",
    "oplog.head", "oplog.cut" };

static int
holds_any(const char *dir)
{
	struct stat sb;
	char *p;
	size_t i;
	int found = 0;

	for (i = 0; i < sizeof(files) / sizeof(files[0]) && !found; i++) {
		p = xasprintf("%s/%s", dir, files[i]);
		found = lstat(p, &sb) == 0;
		free(p);
	}
	return found;
}

/* 1 when another jukisec-init holds dir's jukisec.conf, 0 when none does
 * (or there is none), -1 with errno.  Past its rename a jukisec-init at
 * work still holds it (store_init_begin: the flock goes with the file)
 * until it exits, through an undo that removes jukisec.conf last.  No
 * other tool locks jukisec.conf: a state a run finished, or was killed
 * in, is never held.  Shared: a reader's shared lock holds nothing off. */
static int
conf_held(const char *dir)
{
	struct stat sb;
	char *p;
	int fd, r = 0, e;

	p = xasprintf("%s/jukisec.conf", dir);
	fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	free(p);
	if (fd == -1)	/* ELOOP: a link, which no jukisec-init makes */
		return errno == ENOENT || errno == ELOOP ? 0 : -1;
	/* a run at work holds a file only its user can open (0600, ours,
	 * one name); one shared with a group is a finished state, whoever
	 * in the group locks it */
	if (fstat(fd, &sb) == -1)
		r = -1;
	else if (!store_init_ours(&sb))
		r = 0;
	else if (flock(fd, LOCK_SH | LOCK_NB) == -1)
		r = errno == EWOULDBLOCK ? 1 : -1;
	e = errno;
	close(fd);	/* lets go of the lock, if taken */
	errno = e;
	return r;
}

/* What a jukisec-init makes before its key is printed, oplog.key never
 * among them (init), and the lock files a writer that then failed on the
 * missing oplog.key made (auth-check's register.lock, log-prune's
 * prune.lock), with their temporary names and the key's: all that a run
 * killed past its rename can leave.  Nothing else is ever taken. */
static const char *const made[] = { "jukisec.conf", "oplog.csv",
    "oplog.head", "oplog.lock", "register.lock", "prune.lock" };

static int
made_name(const char *name)
{
	size_t i;

	if (strcmp(name, OPLOG_KEYTMP) == 0)
		return 1;
	if (strncmp(name, ".tmp-", 5) == 0)
		name += 5;
	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (strcmp(name, made[i]) == 0)
			return 1;
	return 0;
}

/* 1 when directory dfd holds made_name's alone, else 0; -1 with errno. */
static int
only_made(int dfd)
{
	struct dirent *de;
	DIR *d;
	int nfd, r = 1;

	/* a description of its own, read from its start (store.c's
	 * dir_is_empty) */
	if ((nfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(nfd)) == NULL) {
		close(nfd);
		return -1;
	}
	while (r == 1 && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 && !made_name(de->d_name))
			r = 0;
	closedir(d);
	return r;
}

/* 1 when dfd's oplog.csv, if any, holds no more than a run makes: the
 * header row and the genesis record, two lines at most; else 0 (records
 * appended once: a used log whose oplog.key went, never a leftover), -1
 * with errno. */
static int
log_unused(int dfd)
{
	char buf[4096];
	ssize_t n = 0;
	int fd, e, lines = 0;

	if ((fd = openat(dfd, "oplog.csv", O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return errno == ENOENT ? 1 : -1;
	while (lines <= 2 && (n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	e = errno;
	close(fd);
	errno = e;
	return n == -1 ? -1 : lines <= 2;
}

/* The most a jukisec.conf as conf_write_init writes it holds. */
#define CONF_WRITTEN_MAX	(64 * 1024)

/* 1 when the jukisec.conf at cfd is, byte for byte, the one a run for
 * dir writes (conf_write_init, with the epoch_seconds it names): a kill's
 * leftover, not a file somebody wrote or edited, whose settings an init
 * would replace with the defaults without a word; else 0, -1 with errno. */
static int
conf_as_written(int cfd, const char *dir)
{
	static const char key[] = "\nepoch_seconds = ";
	char *buf = xmalloc(CONF_WRITTEN_MAX + 1), *at, *end, *want = NULL;
	char *abs = NULL;
	size_t wantlen = 0;
	ssize_t n;
	long long epoch;
	FILE *fp;
	int r = 0;

	if ((n = pread(cfd, buf, CONF_WRITTEN_MAX + 1, 0)) == -1 ||
	    (abs = realpath(dir, NULL)) == NULL) {
		r = -1;
		goto out;
	}
	buf[n] = '\0';
	if (n > CONF_WRITTEN_MAX || (size_t)n != strlen(buf) ||
	    (at = strstr(buf, key)) == NULL)
		goto out;
	errno = 0;
	epoch = strtoll(at + sizeof(key) - 1, &end, 10);
	if (errno != 0 || *end != '\n')
		goto out;
	if ((fp = open_memstream(&want, &wantlen)) == NULL) {
		r = -1;
		goto out;
	}
	r = conf_write_init(fp, abs, epoch);
	if (fclose(fp) == EOF || r == -1) {
		r = -1;
		goto out;
	}
	r = wantlen == (size_t)n && memcmp(want, buf, wantlen) == 0;
out:
	free(want);
	free(abs);
	free(buf);
	return r;
}

/* The leftovers removed, the key's temporary file overwritten first (the
 * key of a log nobody will have), jukisec.conf last, under the caller's
 * lock on it.  A .tmp-jukisec.conf stays for store_open, which takes a
 * kill's and refuses a run's at work.  0, or -1 with errno. */
static int
drop_made(int dfd)
{
	static const char *const order[] = { ".tmp-oplog.csv",
	    ".tmp-oplog.head", ".tmp-oplog.lock", ".tmp-register.lock",
	    ".tmp-prune.lock", "oplog.csv", "oplog.head", "oplog.lock",
	    "register.lock", "prune.lock", "jukisec.conf" };
	size_t i;

	if (destroy_file(dfd, OPLOG_KEYTMP) == -1 && errno != EMLINK)
		return -1;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (unlinkat(dfd, order[i], 0) == -1 && errno != ENOENT)
			return -1;
	return fsync_dir(dfd);
}

/* take_leftovers' refusal of a directory another run has: ST_FAIL. */
static int
at_work(const char *dir)
{
	warnx(_("%s: another jukisec-init is at work on it"), dir);
	return ST_FAIL;
}

/* What a jukisec-init killed past its rename left, taken away: a
 * jukisec.conf of ours (store_init_ours) that no run holds, and beside it
 * made_name's alone, so no oplog.key: its log never took a record, nor
 * its key a reader.  Looked at and removed under an exclusive lock on
 * jukisec.conf, which a run at work holds (conf_held) and a second run
 * taking them would: neither loses what the other makes.  ST_OK when
 * removed (the directory as a kill before the rename leaves it), ST_NO
 * when dir holds something else (initialised), ST_FAIL after a message. */
static int
take_leftovers(const char *dir, const char *terminal)
{
	struct store st;
	struct stat sb, now;
	int dfd, cfd, taken, r = ST_NO;

	/* the directory checked as every run checks it (its owner and mode,
	 * the way to it) before anything in it is taken away: a refused run
	 * leaves it as it was; then only through the descriptor checked */
	if ((r = store_open(&st, dir, terminal, STORE_NOCONF)) != ST_OK)
		return r;
	r = ST_NO;
	dfd = st.dirfd;
	cfd = openat(dfd, "jukisec.conf", O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	/* a state's, whoever may lock it shared, is refused unlocked */
	if (cfd == -1 || fstat(cfd, &sb) == -1 || !store_init_ours(&sb) ||
	    only_made(dfd) != 1)
		goto out;
	if (flock(cfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			r = at_work(dir);
		goto out;
	}
	/* gone or replaced since: another run took them, and is at work;
	 * else looked at again, under the lock */
	if (fstatat(dfd, "jukisec.conf", &now, AT_SYMLINK_NOFOLLOW) == -1 ||
	    now.st_dev != sb.st_dev || now.st_ino != sb.st_ino) {
		r = at_work(dir);
		goto out;
	}
	if ((taken = only_made(dfd)) == 1)
		taken = log_unused(dfd);
	if (taken == 1)
		taken = conf_as_written(cfd, dir);
	if (taken == 1)
		taken = drop_made(dfd) == 0 ? 1 : -1;
	if (taken == -1)
		warn("%s", dir);
	r = taken == 1 ? ST_OK : taken == 0 ? ST_NO : ST_FAIL;
out:
	if (cfd != -1)
		close(cfd);	/* lets go of the lock */
	store_close(&st);
	return r;
}

/* ST_OK when dir holds none of files, or a kill's leftovers now removed,
 * else ST_NO (initialised) or ST_FAIL after a message.  Never
 * "initialised" while another jukisec-init is at work on it: that one may
 * yet fail and remove all it made. */
static int
initialised(const char *dir, const char *terminal)
{
	int r;

	if (!holds_any(dir))
		return ST_OK;
	switch (conf_held(dir)) {
	case 1:
		warnx(_("%s: another jukisec-init is at work on it"), dir);
		return ST_FAIL;
	case -1:
		warn("%s/jukisec.conf", dir);
		return ST_FAIL;
	}
	/* all gone since: the end of an undo, not a state (store_open
	 * then holds the directory as for any other run) */
	if (!holds_any(dir))
		return ST_OK;
	if ((r = take_leftovers(dir, terminal)) != ST_NO)
		return r;
	warnx(_("%s: already initialised; nothing changed"), dir);
	return ST_NO;
}

/* The absolute path dir has, or will have once store_open makes it in
 * its parent: what jukisec.conf is to name.  NULL (errno) when that
 * cannot be known: dir is not there and its parent cannot be resolved
 * either, when mkdir fails too. */
static char *
abs_dir(const char *dir)
{
	char *d, *b, *parent, *r;

	if ((r = realpath(dir, NULL)) != NULL || errno != ENOENT)
		return r;
	d = xstrdup(dir);
	b = xstrdup(dir);
	if ((parent = realpath(dirname(d), NULL)) != NULL)
		r = xasprintf("%s/%s", strcmp(parent, "/") == 0 ? "" : parent,
		    basename(b));
	free(parent);
	free(d);
	free(b);
	return r;
}

/* jukisec.conf names the template key by the state directory's absolute
 * path: a path it cannot hold would leave a log and a printed key that no
 * tool can use.  A usage error, as the name given cannot be used. */
static int
nameable(const char *dir, const char *abs)
{
	char *why;

	if ((why = conf_init_problem(abs)) == NULL)
		return ST_OK;
	warnx(_("%s: cannot be a state directory: %s"), dir, why);
	free(why);
	return ST_USAGE;
}

/* jukisec.conf, with the directory's absolute path and the log's epoch
 * length. */
static int
write_conf(struct store *st, long long epoch)
{
	struct atomic_file af;
	char *abs;
	int r;

	/* Paths in jukisec.conf must not depend on the caller's cwd. */
	if ((abs = realpath(st->dir, NULL)) == NULL) {
		warn("%s", st->dir);
		return ST_FAIL;
	}
	/* run() checked the path it foresaw; this is the one written */
	if ((r = nameable(st->dir, abs)) != ST_OK) {
		free(abs);
		return r;
	}
	/* on the file store_open holds, which a second jukisec-init
	 * refuses to take for a kill's (store_init_begin) */
	if (store_init_begin(st, &af) == -1) {
		warn("%s/jukisec.conf", st->dir);
		free(abs);
		return ST_FAIL;
	}
	r = conf_write_init(af.fp, abs, epoch);
	free(abs);
	if (r == -1) {
		warn("%s/jukisec.conf", st->dir);
		atomic_abort(&af);
		return ST_FAIL;
	}
	if (atomic_commit(&af) == -1) {
		warn("%s/jukisec.conf", st->dir);
		/* the rename may be done, only the directory's sync failed:
		 * a file left would make the next run refuse the directory;
		 * but only the one held, never another run's */
		(void)store_init_destroy(st);
		return ST_FAIL;
	}
	return ST_OK;
}

/* What the line printed is, and where else it is, on standard error. */
static void
key_notice(void)
{
	warnx(_("the line on standard output is the log verification key: "
	    "keep it offline; nothing else keeps it once the first epoch ends "
	    "(oplog.key holds it until then)"));
}

/* Standard output a regular file of the caller's (`jukisec-init >key`,
 * made by the shell under its umask, 0644 under the usual 022) that group
 * or others may use: made 0600 before the key is in it, as log-verify -k
 * refuses a key file they may read (and its owner must read it).  A
 * terminal, a pipe, another's file, or a file system that keeps no modes
 * is left as it is (log-verify then says what it refuses). */
static void
key_file_private(void)
{
	struct stat sb;

	if (fstat(STDOUT_FILENO, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_uid == geteuid() && (sb.st_mode & 077) != 0)
		(void)fchmod(STDOUT_FILENO, S_IRUSR | S_IWUSR);
}

static int
init(struct store *st, int64_t now, const struct init_opts *o)
{
	char *vkey;
	int r;

	if ((r = write_conf(st, o->epoch)) != ST_OK)
		return r;
	/* The log's lock, made once jukisec.conf is in place (a kill before
	 * leaves .tmp-jukisec.conf alone, which the next run takes) and held
	 * until this run exits: a writer or reader that opens the state
	 * meanwhile waits for it (lock_timeout_ms), then finds the log
	 * whole, or after an undo none, or after a kill no oplog.key
	 * (exit 3 both).  It never writes a record,
	 * "durable", to a log the undo then removes, nor reads one half
	 * made; one that took the lock first finds no log (exit 3). */
	vkey = xmalloc_secure(OPLOG_VKEY_BUFSZ);
	if ((r = store_lock(st, STORE_LOCK_LOG)) == ST_OK)
		r = oplog_create(st, now, o->epoch, (int)o->format, vkey);
	if (r == ST_OK) {
		/* Unbuffered: no stdio copy of the key outlives this call;
		 * a reader gone (EPIPE, SIGPIPE ignored from the start) is a
		 * write that failed, not a death that leaves the files. */
		setvbuf(stdout, NULL, _IONBF, 0);
		key_file_private();
		if (fputs(vkey, stdout) == EOF) {
			warn(_("cannot print the log verification key; "
			    "%s left uninitialised"), st->dir);
			clearerr(stdout);	/* said: tool_exit must not again */
			r = ST_FAIL;
		} else if ((r = oplog_create_done(st)) == ST_OK)
			/* only now of use: a kill before leaves no
			 * oplog.key, which every writer needs, and the
			 * next run takes what is left (take_leftovers) */
			key_notice();
		else	/* printed, and the undo below removes its log */
			warnx(_("%s left uninitialised; the line printed is "
			    "no log's key"), st->dir);
	}
	/* A log nobody can verify, or half a state directory (a full disk),
	 * is worse than none: undo, so jukisec-init can simply be run
	 * again (a kill, which cannot undo, leaves no oplog.key: the next
	 * run takes the rest, take_leftovers).  jukisec.conf, the file held
	 * (store_init_begin), goes last: until then a second jukisec-init
	 * finds it held, refuses the directory as one at work on
	 * (conf_held), and cannot begin in it while this one undoes. */
	if (r != ST_OK) {
		(void)unlinkat(st->dirfd, "oplog.lock", 0);
		(void)destroy_file(st->dirfd, OPLOG_KEYTMP);
		for (size_t i = sizeof(files) / sizeof(files[0]); i-- > 0; )
			if (strcmp(files[i], "jukisec.conf") != 0)
				(void)destroy_file(st->dirfd, files[i]);
		/* through the hold: short of descriptors (EMFILE, maybe
		 * what failed), destroy_file would find none to open it */
		(void)store_init_destroy(st);
	}
	wipe(vkey, OPLOG_VKEY_BUFSZ);
	gcry_free(vkey);
	return r;
}

static int
run(const struct init_opts *o, const struct tool_args *a)
{
	struct store st;
	const char *dir = a->dir;
	char *abs;
	int r;

	if (dir == NULL || *dir == '\0')
		dir = getenv("JUKISEC_DIR");
	if (dir == NULL || *dir == '\0')
		dir = STATEDIR;
	if ((r = initialised(dir, a->terminal)) != ST_OK)
		return r;
	/* before anything is made; a path past PATH_MAX is one that
	 * jukisec.conf cannot hold either: the same usage error */
	if ((abs = abs_dir(dir)) == NULL && errno == ENAMETOOLONG) {
		warnx(_("%s: cannot be a state directory: %s"), dir,
		    strerror(ENAMETOOLONG));
		return ST_USAGE;
	}
	if (abs == NULL) {
		warn("%s", dir);
		return ST_FAIL;
	}
	r = nameable(dir, abs);
	free(abs);
	if (r != ST_OK)
		return r;
	if ((r = store_open(&st, dir, a->terminal, STORE_CREATE | STORE_NOCONF)) != ST_OK)
		return r;
	r = init(&st, time_now_ms(), o);
	store_close(&st);
	return r;
}

int
main(int argc, char *argv[])
{
	struct init_opts o = { 86400, 1 };
	struct tool_args a;

	tool_parse(&cmd, argc, argv, &o, &a);
	return tool_exit(run(&o, &a));
}
