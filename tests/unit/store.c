/* Unit tests for common/store.c: directory trust, file opening rules,
 * bounded locks, atomic replacement and credential destruction. */
#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "jukisec.h"
#include "cred.h"
#include "incident_file.h"
#include "oplog_priv.h"
#include "register_txn.h"
#include "store.h"
#include "tap.h"

static char base[] = "/tmp/jukisec-unit-store.XXXXXX";

static char *
slurp(int dirfd, const char *name)
{
	static char buf[256];
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY);

	if (fd == -1)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || strncmp(de->d_name, ".tmp", 4) == 0)
			n++;
	closedir(d);
	return n;
}

static void
put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	chmod(p, mode);
}

static int
rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb; (void)ftw;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* mode & 07777 of name in dirfd, and its group in *gid; 0 when missing. */
static mode_t
mode_of(int dirfd, const char *name, gid_t *gid)
{
	struct stat sb;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	*gid = sb.st_gid;
	return sb.st_mode & 07777;
}

/* The one rule for a file a writer makes (store_share_new): 0600 in a
 * 0700 directory; 0640 with the directory's group in one its group
 * reads; a file there already, or one replaced, as it was. */
static void
share_new(struct store *st, const char *dir)
{
	struct atomic_file af;
	struct stat dsb;
	gid_t	 g = (gid_t)-1;
	int	 fd;

	close(store_openat_new(st, "new1", O_RDWR, 0600));
	ok(mode_of(st->dirfd, "new1", &g) == 0600, "a file made in a 0700 directory: 0600");
	chmod(dir, 0750);
	fstat(st->dirfd, &dsb);
	close(store_openat_new(st, "new2", O_RDWR, 0600));
	ok(mode_of(st->dirfd, "new2", &g) == 0640 && g == dsb.st_gid,
	    "in a 0750 one: 0640, the directory's group");
	close(store_openat_new(st, "new1", O_RDWR, 0600));
	ok(mode_of(st->dirfd, "new1", &g) == 0600, "  a file there already is left as it is");
	errno = 0;
	ok(store_openat_new(st, "new1", O_RDWR | O_EXCL, 0600) == -1 && errno == EEXIST,
	    "  with O_EXCL, only made");
	errno = 0;
	ok(store_openat_new(st, "sym", O_RDWR, 0600) == -1 && errno == ELOOP,
	    "  a symbolic link: ELOOP");
	ok(atomic_begin(&af, st->dirfd, "new3", 0600) == 0, "atomic_begin of a new file");
	atomic_keep_group(&af);
	ok(atomic_commit(&af) == 0 && mode_of(st->dirfd, "new3", &g) == 0640,
	    "  made 0640 too");
	ok(atomic_begin(&af, st->dirfd, "new1", 0600) == 0, "atomic_begin over a 0600 file");
	atomic_keep_group(&af);
	ok(atomic_commit(&af) == 0 && mode_of(st->dirfd, "new1", &g) == 0600,
	    "  stays 0600");
	fd = openat(st->dirfd, "new4", O_RDWR | O_CREAT | O_EXCL, 0600);
	chmod(dir, 0710);
	store_share_new(st->dirfd, fd);
	close(fd);
	ok(mode_of(st->dirfd, "new4", &g) == 0600, "a directory its group may not list: 0600");
	chmod(dir, 0700);
	unlinkat(st->dirfd, "new1", 0);
	unlinkat(st->dirfd, "new2", 0);
	unlinkat(st->dirfd, "new3", 0);
	unlinkat(st->dirfd, "new4", 0);
}

/* Temporary files under fixed names (store.h): atomic_begin's is .tmp-
 * and the name, a stale one removed first; a writer that takes the
 * register lock removes the lock's (credentials/'s overwritten), a
 * reader nothing; the names the modules use are store.c's list. */
static void
tmp_names(struct store *st, const char *dir)
{
	static const char *const mine[] = { ".tmp-" REGISTER_FILE,
	    ".tmp-" PENDING_FILE, ".tmp-" PAD_FILE, ".tmp-" PAD_FILE ".note",
	    INC_TMP, ".tmp-" INC_PENDING_FILE, ".tmp-confirmations.csv",
	    OPLOG_KEYTMP, OPLOG_CUTTMP, OPLOG_RECOVERTMP, STORE_ROOM_TMP,
	    ".tmp-log-prune" };
	struct atomic_file af;
	struct store rd;
	char	 cred[600], longname[80];
	size_t	 i;
	int	 n = entries(dir), fd;

	put(dir, ".tmp-data", "a killed writer's\n", 0600);
	ok(atomic_begin(&af, st->dirfd, "data", 0600) == 0 &&
	    strcmp(af.tmpname, ".tmp-data") == 0,
	    "atomic_begin: .tmp- and the name, a stale one removed first");
	is_num(entries(dir), n + 1, "  one temporary, made afresh");
	is_str(slurp(st->dirfd, ".tmp-data"), "", "  empty");
	fputs("fixed\n", af.fp);
	ok(atomic_commit(&af) == 0 && entries(dir) == n, "  renamed into place");
	is_str(slurp(st->dirfd, "data"), "fixed\n", "  its content");
	mkdirat(st->dirfd, ".tmp-data", 0700);
	errno = 0;
	ok(atomic_begin(&af, st->dirfd, "data", 0600) == -1 && af.fp == NULL &&
	    errno == EISDIR, "one that cannot be removed refuses the write");
	is_str(slurp(st->dirfd, "data"), "fixed\n", "  the file as it was");
	unlinkat(st->dirfd, ".tmp-data", AT_REMOVEDIR);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	errno = 0;
	ok(atomic_begin(&af, st->dirfd, longname, 0600) == -1 &&
	    errno == ENAMETOOLONG, "a name whose temporary's does not fit: ENAMETOOLONG");

	for (i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		if (!store_tmp_known(mine[i]))
			break;
	ok(i == sizeof(mine) / sizeof(mine[0]), "store.c lists the modules' names (%s)",
	    i < sizeof(mine) / sizeof(mine[0]) ? mine[i] : "all");
	ok(!store_tmp_known(".tmp-93b6325e58a29c91") && !store_tmp_known("data"),
	    "  and no other");

	snprintf(cred, sizeof(cred), "%s/credentials", dir);
	mkdir(cred, 0700);
	n++;
	snprintf(cred, sizeof(cred), "%s/credentials/" CRED_TMP, dir);
	put(dir, ".tmp-" REGISTER_FILE, "copy of the register\n", 0600);
	put(dir, ".tmp-" PAD_FILE ".note", "pad note\n", 0600);
	put(dir, OPLOG_CUTTMP, "cut\n", 0600);
	put(dir, "credentials/" CRED_TMP, "$argon2id$...\n", 0600);
	fd = open(cred, O_RDONLY);
	ok(store_open(&rd, dir, NULL, STORE_READER) == ST_OK &&
	    store_lock(&rd, STORE_LOCK_REGISTER) == ST_OK &&
	    entries(dir) == n + 3 && access(cred, F_OK) == 0, "a reader that takes the register lock removes nothing");
	store_close(&rd);
	ok(store_lock(st, STORE_LOCK_REGISTER) == ST_OK && entries(dir) == n + 1 &&
	    access(cred, F_OK) == -1 && errno == ENOENT,
	    "a writer that takes it removes its temporary files");
	{
		char b[32] = "x";
		ssize_t k = pread(fd, b, sizeof(b), 0);
		ok(k == 14 && memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 14) == 0,
		    "  a credential's overwritten first");
	}
	close(fd);
	is_str(slurp(st->dirfd, OPLOG_CUTTMP), "cut\n", "  not the log lock's");
	store_unlock(st, STORE_LOCK_REGISTER);
	unlinkat(st->dirfd, OPLOG_CUTTMP, 0);
	unlinkat(st->dirfd, "data", 0);
	unlinkat(st->dirfd, "register.lock", 0);
	snprintf(cred, sizeof(cred), "%s/credentials", dir);
	rmdir(cred);
}

static int
never(int fd)
{
	(void)fd;
	return 0;
}

int
main(void)
{
	char dir[512], other[512], want[700];
	struct store st, st2;
	struct atomic_file af;
	struct stat sb;
	const char *msg;
	long long t0, el;
	FILE *fp;
	int r, fd;

	umask(077);
	if (mkdtemp(base) == NULL)
		return 3;
	snprintf(dir, sizeof(dir), "%s/state", base);

	/* Creation: 0700, refuses a non-empty directory. */
	capture_begin();
	r = store_open(&st, dir, "term-1", STORE_CREATE | STORE_NOCONF);
	msg = capture_end();
	ok(r == ST_OK && *msg == '\0', "STORE_CREATE makes the directory");
	ok(stat(dir, &sb) == 0 && (sb.st_mode & 07777) == 0700, "mode 0700");
	is_str(st.terminal, "term-1", "terminal from the argument");
	fp = fdopen(store_openat(&st, "jukisec.conf", O_WRONLY | O_CREAT, 0600), "w");
	conf_write_defaults(fp, dir);
	fclose(fp);
	fp = fopen("/dev/null", "r");
	store_close(&st);
	fclose(fp);

	capture_begin();
	r = store_open(&st, dir, "t", STORE_CREATE | STORE_NOCONF);
	msg = capture_end();
	snprintf(want, sizeof(want), "%s: exists and is not empty", dir);
	ok(r == ST_FAIL, "STORE_CREATE refuses a non-empty directory");
	is_str(msg, want, "  naming it");

	/* Opening with the conf; $JUKISEC_DIR and $JUKISEC_TERMINAL. */
	setenv("JUKISEC_DIR", dir, 1);
	setenv("JUKISEC_TERMINAL", "env-term", 1);
	capture_begin();
	r = store_open(&st, NULL, NULL, 0);
	msg = capture_end();
	ok(r == ST_OK && strcmp(st.dir, dir) == 0 && st.conf.retain_days == 365,
	    "opens $JUKISEC_DIR and loads its conf (%s)", msg);
	is_str(st.terminal, "env-term", "terminal from $JUKISEC_TERMINAL");
	store_close(&st);
	unsetenv("JUKISEC_DIR");
	setenv("JUKISEC_TERMINAL", "bad\nname", 1);
	capture_begin();
	r = store_open(&st, dir, NULL, 0);
	msg = capture_end();
	ok(r == ST_USAGE, "a terminal name with a line break is refused");
	is_str(msg, "JUKISEC_TERMINAL: invalid terminal name: contains a line break",
	    "  with its message, naming where it came from");
	unsetenv("JUKISEC_TERMINAL");
	capture_begin();
	r = store_open(&st, dir, NULL, 0);
	msg = capture_end();
	ok(r == ST_OK && *st.terminal != '\0', "terminal defaults to the host name (%s)",
	    r == ST_OK ? st.terminal : msg);
	if (r == ST_OK)
		store_close(&st);

	/* Directory trust. */
	chmod(dir, 0770);
	capture_begin();
	r = store_open(&st, dir, "t", 0);
	msg = capture_end();
	snprintf(want, sizeof(want), "%s: refusing a group- or world-writable state directory", dir);
	ok(r == ST_FAIL, "group-writable directory refused");
	is_str(msg, want, "  with one line naming it");
	chmod(dir, 0702);
	capture_begin();
	r = store_open(&st, dir, "t", 0);
	msg = capture_end();
	ok(r == ST_FAIL, "world-writable directory refused");
	chmod(dir, 0750);
	capture_begin();
	r = store_open(&st, dir, "t", 0);
	msg = capture_end();
	ok(r == ST_OK, "0750 directory accepted (%s)", msg);
	if (r == ST_OK)
		store_close(&st);
	chmod(dir, 0700);
	snprintf(other, sizeof(other), "%s/link", base);
	ok(symlink(dir, other) == 0, "symlink made");
	capture_begin();
	r = store_open(&st, other, "t", 0);
	msg = capture_end();
	ok(r == ST_FAIL, "a symlinked state directory is refused (%s)", msg);
	snprintf(other, sizeof(other), "%s/none", base);
	capture_begin();
	r = store_open(&st, other, "t", 0);
	msg = capture_end();
	snprintf(want, sizeof(want), "%s: no such state directory (run jukisec-init)", other);
	is_str(msg, want, "a missing directory is named");
	ok(r == ST_FAIL, "  and is ST_FAIL");

	/* A bad conf stops store_open with file:line. */
	put(dir, "jukisec.conf", "retain_days = 30\n", 0600);
	capture_begin();
	r = store_open(&st, dir, "t", 0);
	msg = capture_end();
	snprintf(want, sizeof(want), "%s/jukisec.conf:1: retain_days: 30 is below the minimum 365", dir);
	ok(r == ST_FAIL, "conf below the R6 floor stops the tool");
	is_str(msg, want, "  naming file and line");
	put(dir, "jukisec.conf", "lock_timeout_ms = 150\n", 0600);
	r = store_open(&st, dir, "t", 0);
	ok(r == ST_OK && st.conf.lock_timeout_ms == 150, "conf value applied");

	/* store_openat: regular, O_NOFOLLOW, safe owner and mode. */
	put(dir, "plain", "x", 0600);
	put(dir, "gw", "x", 0620);
	put(dir, "gr", "x", 0640);
	ok(symlinkat("plain", st.dirfd, "sym") == 0, "symlink in the directory made");
	mkfifoat(st.dirfd, "fifo", 0600);
	fd = store_openat(&st, "plain", O_RDONLY, 0);
	ok(fd >= 0 && (fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == O_RDONLY, "regular 0600 file opens, blocking");
	close(fd);
	fd = store_openat(&st, "gr", O_RDONLY, 0);
	ok(fd >= 0, "0640 file opens");
	ok(check_fd_safe(fd, 0) == -1 && errno == JERR_UNSAFE, "check_fd_safe(0) refuses 0640");
	close(fd);
	errno = 0;
	ok(store_openat(&st, "gw", O_RDONLY, 0) == -1 && errno == JERR_UNSAFE, "group-writable file: JERR_UNSAFE");
	errno = 0;
	ok(store_openat(&st, "sym", O_RDONLY, 0) == -1 && errno == ELOOP, "symlink: ELOOP");
	errno = 0;
	ok(store_openat(&st, "fifo", O_RDONLY, 0) == -1 && errno == EINVAL,
	    "FIFO: EINVAL, without hanging");

	/* Locks: a second holder times out after lock_timeout_ms. */
	ok(store_lock(&st, STORE_LOCK_REGISTER) == ST_OK, "register lock taken");
	ok(store_lock(&st, STORE_LOCK_LOG) == ST_OK, "log lock taken after it");
	ok(store_lock(&st, STORE_LOCK_LOG) == ST_OK, "taking a held lock again is a no-op");
	r = store_open(&st2, dir, "t", 0);
	t0 = now_ms();
	capture_begin();
	r = store_lock(&st2, STORE_LOCK_REGISTER);
	msg = capture_end();
	el = now_ms() - t0;
	snprintf(want, sizeof(want), "lock timeout: %s/register.lock", dir);
	ok(r == ST_FAIL, "contended lock fails");
	is_str(msg, want, "  with \"lock timeout: DIR/NAME\"");
	ok(el >= 150 && el < 1500, "  after about lock_timeout_ms (%lld ms)", el);
	store_unlock(&st, STORE_LOCK_LOG);
	store_unlock(&st, STORE_LOCK_REGISTER);
	ok(store_lock(&st2, STORE_LOCK_REGISTER) == ST_OK, "free once released");
	store_close(&st2);

	/* A reader's locks: shared, on a read-only fd; a missing lock file
	 * is not made, and is held by its absence until a writer makes it. */
	capture_begin();
	r = store_open(&st2, dir, NULL, STORE_READER);
	msg = capture_end();
	ok(r == ST_OK && store_lock(&st2, STORE_LOCK_REGISTER) == ST_OK,
	    "a reader takes the register lock (%s)", msg);
	fd = openat(st.dirfd, "register.lock", O_RDONLY);
	ok(flock(fd, LOCK_SH | LOCK_NB) == 0, "  shared: another reader takes it too");
	flock(fd, LOCK_UN);
	ok(flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK,
	    "  a writer does not");
	close(fd);
	ok(store_unlock_stands(&st2, STORE_LOCK_REGISTER) == 1,
	    "  what was read under it stands");
	unlinkat(st.dirfd, "oplog.lock", 0);
	ok(store_lock(&st2, STORE_LOCK_LOG) == ST_OK &&
	    st2.lockfd[STORE_LOCK_LOG] == STORE_LOCK_ABSENT,
	    "a reader holds a missing lock file by its absence");
	ok(faccessat(st.dirfd, "oplog.lock", F_OK, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT, "  and does not make it");
	ok(store_unlock_stands(&st2, STORE_LOCK_LOG) == 1,
	    "  what it read stands while the file is still missing");
	store_lock(&st2, STORE_LOCK_LOG);
	ok(store_lock(&st, STORE_LOCK_LOG) == ST_OK, "a writer makes it meanwhile");
	store_unlock(&st, STORE_LOCK_LOG);
	ok(store_unlock_stands(&st2, STORE_LOCK_LOG) == 0,
	    "  then what the reader read does not stand");
	store_close(&st2);

	/* Atomic replacement. */
	put(dir, "data", "old\n", 0600);
	ok(atomic_begin(&af, st.dirfd, "data", 0640) == 0, "atomic_begin");
	fputs("new\n", af.fp);
	is_str(slurp(st.dirfd, "data"), "old\n", "old content until commit");
	atomic_abort(&af);
	is_str(slurp(st.dirfd, "data"), "old\n", "abort leaves the old file");
	is_num(entries(dir), 9, "abort leaves no temporary");
	ok(atomic_begin(&af, st.dirfd, "data", 0640) == 0, "atomic_begin again");
	fputs("new\n", af.fp);
	ok(atomic_commit(&af) == 0, "atomic_commit");
	is_str(slurp(st.dirfd, "data"), "new\n", "commit installs the new file");
	ok(fstatat(st.dirfd, "data", &sb, 0) == 0 && (sb.st_mode & 07777) == 0640,
	    "with the requested mode despite umask");
	is_num(entries(dir), 9, "commit leaves no temporary");
	mkdirat(st.dirfd, "adir", 0700);
	close(openat(st.dirfd, "adir/keep", O_WRONLY | O_CREAT, 0600));
	ok(atomic_begin(&af, st.dirfd, "adir", 0600) == 0, "begin over a non-empty directory");
	fputs("x", af.fp);
	ok(atomic_commit(&af) == -1 && errno == EISDIR, "commit fails when rename fails");
	is_num(entries(dir), 10, "and removes its temporary");
	/* A secret's temporary (a credential, the log's key) that its rename
	 * did not take is zeroed before it goes: read through a descriptor
	 * opened before, its bytes are zeros; an ordinary one's stay. */
	for (r = 0; r <= 1; r++) {
		char got[12];

		ok(atomic_begin(&af, st.dirfd, "adir", 0600) == 0 &&
		    (af.secret = r, fputs("secret-bytes", af.fp)) >= 0 &&
		    fflush(af.fp) == 0, "begin a %s over a directory",
		    r ? "secret" : "file");
		fd = openat(st.dirfd, af.tmpname, O_RDONLY);
		ok(atomic_commit(&af) == -1 && errno == EISDIR &&
		    entries(dir) == 10, "  its rename fails; the temporary removed");
		memset(got, 'x', sizeof(got));
		ok(fd != -1 && pread(fd, got, sizeof(got), 0) == (ssize_t)sizeof(got) &&
		    memcmp(got, r ? "\0\0\0\0\0\0\0\0\0\0\0\0" : "secret-bytes",
		    sizeof(got)) == 0, r ? "  a secret's bytes zeroed first" :
		    "  an ordinary file's left as they were");
		close(fd);
	}

	share_new(&st, dir);
	tmp_names(&st, dir);

	/* A wait that asks after each try whether to go on (log-prune's for
	 * chain checks): ST_NO as soon as the holder is not one to wait for. */
	{
		struct jerr e = { 0 };
		int held = openat(st.dirfd, "w.lock", O_RDWR | O_CREAT, 0600),
		    mine = openat(st.dirfd, "w.lock", O_RDWR);

		ok(flock(held, LOCK_EX | LOCK_NB) == 0, "a lock held exclusive");
		ok(store_flock_wait_while(&st, mine, LOCK_EX, "w.lock", never, &e) ==
		    ST_NO && e.code == 0, "  a wait told not to go on: ST_NO, no message");
		flock(held, LOCK_UN);
		ok(store_flock_wait_while(&st, mine, LOCK_EX, "w.lock", never, &e) ==
		    ST_OK, "  once free it is taken without asking");
		close(held);
		close(mine);
		unlinkat(st.dirfd, "w.lock", 0);
	}

	/* Destruction. */
	put(dir, "cred", "secret-material", 0600);
	fd = openat(st.dirfd, "cred", O_RDONLY);
	ok(destroy_file(st.dirfd, "cred") == 0, "destroy_file");
	{
		char b[32] = "x";
		ssize_t n = read(fd, b, sizeof(b));
		ok(n == 15 && memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) == 0,
		    "bytes overwritten with zeros before unlink");
	}
	close(fd);
	ok(faccessat(st.dirfd, "cred", F_OK, 0) == -1, "file gone");
	ok(destroy_file(st.dirfd, "cred") == 0, "destroying a missing file is fine");
	ok(destroy_file(st.dirfd, "sym") == -1 && errno == ELOOP, "destroy_file follows no symlink");
	ok(fsync_dir(st.dirfd) == 0, "fsync_dir");
	store_close(&st);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
