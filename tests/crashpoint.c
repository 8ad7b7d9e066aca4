/*
 * tests/crashpoint.c — deterministic crash points for the crash tests,
 * preloaded into a tool (LD_PRELOAD) by tests/lib-crash.sh; never linked
 * into a tool, never installed (t0060 checks the binaries for it).
 *
 * A step is a call by which a process changes what a later process finds
 * in the file system: open(2) that creates or truncates, write(2) and its
 * kin to a regular file, copy_file_range(2), ftruncate(2), rename(2),
 * link(2), unlink(2), mkdir(2) of what is not there, rmdir(2) and their
 * *at forms.  fsync(2) and kin are not steps: after SIGKILL the page cache
 * is still there, so killing before an fsync leaves what killing before
 * the next step leaves.  A crash after the last step is the tool's exit.
 * stdio's own writes are not seen either; in jukisec stdio writes only
 * temporary files, published by the rename that is a step.
 *
 * Environment (read once, at load, and removed, so that no child of the
 * tool inherits it):
 *   JUKISEC_CRASH_AT=N	  the process kills itself (SIGKILL) instead of
 *			  making step N (1 is the first); 0 or unset: never
 *   JUKISEC_CRASH_TORN=1 at step N a write that crosses a page boundary
 *			  writes up to the first one, then the process dies:
 *			  the torn write SIGKILL can leave (the kernel copies
 *			  a write page by page and stops between pages for a
 *			  fatal signal; a write within one page is whole)
 *   JUKISEC_CRASH_LOG=F  each step appends "N CALL PATH" to F, and
 *			  " tear=K" when the step can be torn after K bytes
 *   JUKISEC_FAIL_AT=N	  step N fails instead, with JUKISEC_FAIL_ERRNO
 *			  (EIO, the default, ENOSPC or EDQUOT), and nothing
 *			  of it is done; with JUKISEC_CRASH_TORN=1 a write
 *			  that can tear writes up to the page boundary and
 *			  returns that short count, and the next write to
 *			  the same file fails (the disk filled midway)
 *   JUKISEC_FAIL_SYNC=N  the Nth sync (fsync, fdatasync, syncfs;
 *			  a count of its own: they are not steps) fails
 *			  with JUKISEC_FAIL_ERRNO, as a write-back error
 *			  reports itself, the data written or not
 *   JUKISEC_SYNC_LOG=F	  each sync appends "N CALL PATH" to F
 *   JUKISEC_HOOK_AT=N	  before the Nth open(2) or openat(2) of a file
 *   JUKISEC_HOOK_NAME=B  whose last path component is B, whatever its
 *   JUKISEC_HOOK_RUN=C	  flags, the shell command C runs (system(3)) and
 *			  is waited for: what a writer may do between two
 *			  reads of a reader that holds no lock, made at that
 *			  moment in every run (not a step; no kill)
 *   JUKISEC_CRASH_STOP=F at step N (JUKISEC_CRASH_AT) the process does not
 *			  die: it writes its pid to F and stops (SIGSTOP);
 *			  continued (SIGCONT), it makes the step and goes
 *			  on: another process runs in that instant, as long
 *			  as the test takes (wait for state T, then CONT)
 * A failure is one-shot: the steps after it go on (a tool's clean-up
 * after a failing disk is the point), and the process keeps running.
 * Only the process that loaded this, not a fork of it, counts steps.
 *
 * Threads take turns, so that step N is the same call in every run (and
 * what the files hold at a kill is the same): the main thread makes its
 * steps while it runs, any other thread only while the main thread waits
 * for it, in pthread_join(3) or pthread_cond_wait(3), and the main
 * thread's next step waits until that thread's step is done.  log-prune's
 * copy of the kept records, started on a thread while the main thread
 * writes the archive, so makes its steps when the main thread joins it,
 * after the archive's; log-append's writer thread makes its steps while
 * the reader waits for it to take the next buffer.  This holds for a tool
 * in which one thread at a time besides the main one makes steps and
 * none waits for the main thread while it holds what the main thread
 * needs: every jukisec tool (a thread started and never joined would
 * make no step).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static pid_t owner;
static pthread_t main_thread;
static unsigned long step, crash_at, fail_at, sync_n, fail_sync;
static int torn, fail_errno = EIO, fail_fd = -1;
static char logpath[4096], synclog[4096], stopfile[4096];
static unsigned long hook_at, hook_n;
static char hook_name[256], hook_run[4096];

/* at_step's answer: go on, tear the write, or fail the call. */
enum { STEP_GO, STEP_TEAR, STEP_FAIL };

static void
scrub_preload(void)
{
	char *p = getenv("LD_PRELOAD"), *out, *tok, *save = NULL;
	size_t n;

	if (p == NULL || (out = malloc((n = strlen(p) + 1))) == NULL)
		return;
	out[0] = '\0';
	if ((p = strdup(p)) == NULL) {
		free(out);
		return;
	}
	for (tok = strtok_r(p, ": ", &save); tok; tok = strtok_r(NULL, ": ", &save)) {
		if (strstr(tok, "crashpoint") != NULL)
			continue;
		if (out[0] != '\0')
			strcat(out, ":");
		strcat(out, tok);
	}
	if (out[0] == '\0')
		unsetenv("LD_PRELOAD");
	else
		setenv("LD_PRELOAD", out, 1);
	free(p);
	free(out);
}

__attribute__((constructor)) static void
crash_init(void)
{
	const char *s;

	owner = getpid();
	main_thread = pthread_self();
	if ((s = getenv("JUKISEC_CRASH_AT")) != NULL)
		crash_at = strtoul(s, NULL, 10);
	if ((s = getenv("JUKISEC_CRASH_TORN")) != NULL)
		torn = strcmp(s, "1") == 0;
	if ((s = getenv("JUKISEC_CRASH_LOG")) != NULL)
		snprintf(logpath, sizeof(logpath), "%s", s);
	if ((s = getenv("JUKISEC_FAIL_AT")) != NULL)
		fail_at = strtoul(s, NULL, 10);
	if ((s = getenv("JUKISEC_FAIL_SYNC")) != NULL)
		fail_sync = strtoul(s, NULL, 10);
	if ((s = getenv("JUKISEC_FAIL_ERRNO")) != NULL)
		fail_errno = strcmp(s, "ENOSPC") == 0 ? ENOSPC :
		    strcmp(s, "EDQUOT") == 0 ? EDQUOT : EIO;
	if ((s = getenv("JUKISEC_SYNC_LOG")) != NULL)
		snprintf(synclog, sizeof(synclog), "%s", s);
	if ((s = getenv("JUKISEC_HOOK_AT")) != NULL)
		hook_at = strtoul(s, NULL, 10);
	if ((s = getenv("JUKISEC_HOOK_NAME")) != NULL)
		snprintf(hook_name, sizeof(hook_name), "%s", s);
	if ((s = getenv("JUKISEC_HOOK_RUN")) != NULL)
		snprintf(hook_run, sizeof(hook_run), "%s", s);
	if ((s = getenv("JUKISEC_CRASH_STOP")) != NULL)
		snprintf(stopfile, sizeof(stopfile), "%s", s);
	unsetenv("JUKISEC_CRASH_AT");
	unsetenv("JUKISEC_CRASH_TORN");
	unsetenv("JUKISEC_CRASH_LOG");
	unsetenv("JUKISEC_FAIL_AT");
	unsetenv("JUKISEC_FAIL_SYNC");
	unsetenv("JUKISEC_FAIL_ERRNO");
	unsetenv("JUKISEC_SYNC_LOG");
	unsetenv("JUKISEC_HOOK_AT");
	unsetenv("JUKISEC_HOOK_NAME");
	unsetenv("JUKISEC_HOOK_RUN");
	unsetenv("JUKISEC_CRASH_STOP");
	scrub_preload();
}

static void *
real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		static const char m[] = "crashpoint: no next symbol\n";
		syscall(SYS_write, 2, m, sizeof(m) - 1);
		_exit(99);
	}
	return f;
}

/* The trace line, written with raw system calls (no step of its own). */
static void
trace(const char *to, unsigned long n0, const char *call, int dirfd,
    const char *path, int fd, size_t tear)
{
	char line[8192], where[4096], proc[64];
	ssize_t n;
	int lfd;

	if (to[0] == '\0')
		return;
	where[0] = '\0';
	if (path == NULL) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if ((n = readlink(proc, where, sizeof(where) - 1)) > 0)
			where[n] = '\0';
	} else if (path[0] == '/' || dirfd == AT_FDCWD) {
		snprintf(where, sizeof(where), "%s", path);
	} else {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
		if ((n = readlink(proc, where, sizeof(where) - 1)) > 0) {
			where[n] = '\0';
			snprintf(where + n, sizeof(where) - (size_t)n, "/%s", path);
		}
	}
	if (tear > 0)
		n = snprintf(line, sizeof(line), "%lu %s %s tear=%zu\n", n0, call,
		    where, tear);
	else
		n = snprintf(line, sizeof(line), "%lu %s %s\n", n0, call, where);
	lfd = (int)syscall(SYS_openat, AT_FDCWD, to,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (lfd >= 0) {
		syscall(SYS_write, lfd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		syscall(SYS_close, lfd);
	}
}

/*
 * The turn (see the top): turn_mu guards main_waits (the main thread is in
 * pthread_join or pthread_cond_wait), others (steps of other threads under
 * way) and the counts.  The main thread's own waits go to the real
 * functions through cond_wait_real.
 */
static pthread_mutex_t turn_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cv = PTHREAD_COND_INITIALIZER;
static int main_waits, others;
static __thread int in_turn;	/* this thread's step under way: step_end ends it */

static int
cond_wait_real(pthread_cond_t *cv, pthread_mutex_t *mu)
{
	static int (*f)(pthread_cond_t *, pthread_mutex_t *);

	/* The unversioned name may bind the old condition variables' ABI. */
	if (f == NULL && (f = dlvsym(RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2")) == NULL)
		f = real("pthread_cond_wait");
	return f(cv, mu);
}

static int
is_main(void)
{
	return pthread_equal(pthread_self(), main_thread);
}

/* Takes the turn for a step of the calling thread; turn_mu held after. */
static void
turn_take(void)
{
	pthread_mutex_lock(&turn_mu);
	if (is_main()) {
		while (others > 0)
			cond_wait_real(&turn_cv, &turn_mu);
		return;
	}
	while (main_waits == 0)
		cond_wait_real(&turn_cv, &turn_mu);
	others++;
	in_turn = 1;
}

/* After the call of a step (or a sync): another thread's turn ends.
 * Returns r, errno kept. */
static long
step_end(long r)
{
	int e = errno;

	if (in_turn) {
		in_turn = 0;
		pthread_mutex_lock(&turn_mu);
		others--;
		pthread_cond_broadcast(&turn_cv);
		pthread_mutex_unlock(&turn_mu);
	}
	errno = e;
	return r;
}

/* The main thread waits: another thread may make its steps meanwhile. */
static void
main_wait(int d)
{
	if (getpid() != owner || !is_main())
		return;
	pthread_mutex_lock(&turn_mu);
	main_waits += d;
	pthread_cond_broadcast(&turn_cv);
	pthread_mutex_unlock(&turn_mu);
}

int
pthread_join(pthread_t th, void **ret)
{
	static int (*f)(pthread_t, void **);
	int e = errno, r;

	if (f == NULL)
		f = real("pthread_join");
	errno = e;
	main_wait(1);
	r = f(th, ret);
	main_wait(-1);
	return r;
}

int
pthread_cond_wait(pthread_cond_t *cv, pthread_mutex_t *mu)
{
	int r;

	main_wait(1);
	r = cond_wait_real(cv, mu);
	main_wait(-1);
	return r;
}

/*
 * Dies as SIGKILL would have it, but first removes what libfaketime (lib.sh
 * at) keeps for this process in /dev/shm and removes at its exit only:
 * the test leaves nothing outside its directory.
 */
static void
die(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/shm/faketime_shm_%ld", (long)getpid());
	syscall(SYS_unlink, path);
	snprintf(path, sizeof(path), "/dev/shm/sem.faketime_sem_%ld", (long)getpid());
	syscall(SYS_unlink, path);
	kill(getpid(), SIGKILL);
	for (;;)
		pause();
}

/* Stops the whole process until a SIGCONT, its pid in stopfile first
 * (raw system calls: no step of its own). */
static void
stop(void)
{
	char pid[32];
	int n, fd;

	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	fd = (int)syscall(SYS_openat, AT_FDCWD, stopfile,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		syscall(SYS_write, fd, pid, (size_t)n);
		syscall(SYS_close, fd);
	}
	kill(getpid(), SIGSTOP);
}

/*
 * at_step: called before a step; counts it and, at the chosen one, dies
 * or fails.  tear: the bytes a write can be torn after (0: it cannot be).
 * Returns STEP_TEAR when the step is the one to tear (the caller writes
 * tear bytes and then calls die(), or in fail mode returns their count),
 * STEP_FAIL when the call is to fail (errno set), else STEP_GO.
 */
static int
at_step(const char *call, int dirfd, const char *path, int fd, size_t tear)
{
	unsigned long n;
	int e = errno;

	if (getpid() != owner)
		return STEP_GO;
	turn_take();
	n = ++step;
	trace(logpath, n, call, dirfd, path, fd, tear);
	pthread_mutex_unlock(&turn_mu);
	errno = e;
	if (fd != -1 && fd == fail_fd) {
		fail_fd = -1;
		errno = fail_errno;
		return STEP_FAIL;
	}
	if (fail_at != 0 && n == fail_at) {
		if (torn && tear > 0) {
			fail_fd = fd;
			return STEP_TEAR;
		}
		errno = fail_errno;
		return STEP_FAIL;
	}
	if (crash_at == 0 || n != crash_at)
		return STEP_GO;
	if (stopfile[0] != '\0') {
		stop();
		errno = e;
		return STEP_GO;
	}
	if (torn && tear > 0)
		return STEP_TEAR;
	die();
	return STEP_GO;
}

/* at_sync: called before a sync; counts it and fails the chosen one. */
static int
at_sync(const char *call, int fd)
{
	unsigned long n;
	int e = errno;

	if (getpid() != owner)
		return STEP_GO;
	turn_take();
	n = ++sync_n;
	trace(synclog, n, call, -1, NULL, fd, 0);
	pthread_mutex_unlock(&turn_mu);
	errno = e;
	if (fail_sync == 0 || n != fail_sync)
		return STEP_GO;
	errno = fail_errno;
	return STEP_FAIL;
}

/* Where a write of n bytes at off can be torn: the bytes up to the first
 * page boundary it crosses, or 0. */
static size_t
tear_at(off_t off, size_t n)
{
	size_t page = 4096, first = page - (size_t)(off % (off_t)page);

	return off >= 0 && first < n ? first : 0;
}

/* The offset the next write(2) on fd goes to. */
static off_t
write_off(int fd)
{
	struct stat sb;
	int e = errno, fl;
	off_t off;

	fl = fcntl(fd, F_GETFL);
	if (fl != -1 && (fl & O_APPEND))
		off = fstat(fd, &sb) == 0 ? sb.st_size : -1;
	else
		off = lseek(fd, 0, SEEK_CUR);
	errno = e;
	return off;
}

static int
is_regular(int fd)
{
	struct stat sb;
	int e = errno, r;

	r = fd > 2 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	errno = e;
	return r;
}

static int
exists(int dirfd, const char *path)
{
	struct stat sb;
	int e = errno, r;

	r = fstatat(dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) == 0;
	errno = e;
	return r;
}

/* JUKISEC_HOOK_RUN before the JUKISEC_HOOK_AT'th open of a file named
 * JUKISEC_HOOK_NAME: once, in the process that loaded this. */
static void
open_hook(const char *path)
{
	const char *base = strrchr(path, '/');
	int e = errno;

	if (hook_at == 0 || getpid() != owner ||
	    strcmp(base != NULL ? base + 1 : path, hook_name) != 0 ||
	    __atomic_add_fetch(&hook_n, 1, __ATOMIC_SEQ_CST) != hook_at)
		return;
	if (system(hook_run) != 0) {
		static const char m[] = "crashpoint: JUKISEC_HOOK_RUN failed\n";
		syscall(SYS_write, 2, m, sizeof(m) - 1);
		_exit(99);
	}
	errno = e;
}

/* An open that creates or truncates is a step; opening what is there is
 * not.  Returns at_step's answer. */
static int
open_step(const char *call, int dirfd, const char *path, int flags)
{
	int there;

	open_hook(path);
	if (!(flags & (O_CREAT | O_TRUNC)))
		return STEP_GO;
	there = exists(dirfd, path);
	if (!there && !(flags & O_CREAT))
		return STEP_GO;
	if (there && !(flags & O_TRUNC))
		return STEP_GO;
	return at_step(call, dirfd, path, -1, 0);
}

#define MODE_ARG(flags, mode) do {					\
	mode = 0;							\
	if (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE) {			\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
} while (0)

int
open(const char *path, int flags, ...)
{
	static int (*f)(const char *, int, ...);
	mode_t mode;

	MODE_ARG(flags, mode);
	if (f == NULL)
		f = real("open");
	if (open_step("open", AT_FDCWD, path, flags) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(path, flags, mode));
}

int
open64(const char *path, int flags, ...)
{
	static int (*f)(const char *, int, ...);
	mode_t mode;

	MODE_ARG(flags, mode);
	if (f == NULL)
		f = real("open64");
	if (open_step("open", AT_FDCWD, path, flags) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(path, flags, mode));
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	static int (*f)(int, const char *, int, ...);
	mode_t mode;

	MODE_ARG(flags, mode);
	if (f == NULL)
		f = real("openat");
	if (open_step("openat", dirfd, path, flags) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(dirfd, path, flags, mode));
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	static int (*f)(int, const char *, int, ...);
	mode_t mode;

	MODE_ARG(flags, mode);
	if (f == NULL)
		f = real("openat64");
	if (open_step("openat", dirfd, path, flags) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(dirfd, path, flags, mode));
}

int
creat(const char *path, mode_t mode)
{
	static int (*f)(const char *, mode_t);

	if (f == NULL)
		f = real("creat");
	if (open_step("creat", AT_FDCWD, path, O_CREAT | O_TRUNC) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(path, mode));
}

/* After the first part of a torn write: the kill, or in fail mode the
 * short count the caller sees before its next write fails. */
static ssize_t
torn_end(ssize_t k)
{
	if (fail_at != 0)
		return k;
	die();
	return -1;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	static ssize_t (*f)(int, const void *, size_t);

	if (f == NULL)
		f = real("write");
	if (n > 0 && is_regular(fd))
		switch (at_step("write", -1, NULL, fd, tear_at(write_off(fd), n))) {
		case STEP_FAIL:
			return step_end(-1);
		case STEP_TEAR:
			return step_end(torn_end(f(fd, buf, tear_at(write_off(fd), n))));
		}
	return step_end(f(fd, buf, n));
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	static ssize_t (*f)(int, const void *, size_t, off_t);

	if (f == NULL)
		f = real("pwrite");
	if (n > 0 && is_regular(fd))
		switch (at_step("pwrite", -1, NULL, fd, tear_at(off, n))) {
		case STEP_FAIL:
			return step_end(-1);
		case STEP_TEAR:
			return step_end(torn_end(f(fd, buf, tear_at(off, n), off)));
		}
	return step_end(f(fd, buf, n, off));
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite(fd, buf, n, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	static ssize_t (*f)(int, const struct iovec *, int);

	if (f == NULL)
		f = real("writev");
	if (cnt > 0 && is_regular(fd) &&
	    at_step("writev", -1, NULL, fd, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(fd, iov, cnt));
}

ssize_t
copy_file_range(int in, off_t *inoff, int out, off_t *outoff, size_t n,
    unsigned int flags)
{
	static ssize_t (*f)(int, off_t *, int, off_t *, size_t, unsigned int);
	size_t tear;

	if (f == NULL)
		f = real("copy_file_range");
	if (n == 0)
		return step_end(f(in, inoff, out, outoff, n, flags));
	tear = tear_at(outoff != NULL ? *outoff : write_off(out), n);
	switch (at_step("copy_file_range", -1, NULL, out, tear)) {
	case STEP_FAIL:
		return step_end(-1);
	case STEP_TEAR:
		return step_end(torn_end(f(in, inoff, out, outoff, tear, flags)));
	}
	return step_end(f(in, inoff, out, outoff, n, flags));
}

int
ftruncate(int fd, off_t len)
{
	static int (*f)(int, off_t);

	if (f == NULL)
		f = real("ftruncate");
	if (at_step("ftruncate", -1, NULL, fd, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(fd, len));
}

int
ftruncate64(int fd, off_t len)
{
	return ftruncate(fd, len);
}

int
rename(const char *from, const char *to)
{
	static int (*f)(const char *, const char *);

	if (f == NULL)
		f = real("rename");
	if (at_step("rename", AT_FDCWD, to, -1, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(from, to));
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	static int (*f)(int, const char *, int, const char *);

	if (f == NULL)
		f = real("renameat");
	if (at_step("renameat", tofd, to, -1, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(fromfd, from, tofd, to));
}

int
renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
	static int (*f)(int, const char *, int, const char *, unsigned int);

	if (f == NULL)
		f = real("renameat2");
	if (at_step("renameat2", tofd, to, -1, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(fromfd, from, tofd, to, flags));
}

int
link(const char *from, const char *to)
{
	static int (*f)(const char *, const char *);

	if (f == NULL)
		f = real("link");
	if (at_step("link", AT_FDCWD, to, -1, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(from, to));
}

int
linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	static int (*f)(int, const char *, int, const char *, int);

	if (f == NULL)
		f = real("linkat");
	if (at_step("linkat", tofd, to, -1, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(fromfd, from, tofd, to, flags));
}

int
unlink(const char *path)
{
	static int (*f)(const char *);

	if (f == NULL)
		f = real("unlink");
	if (at_step("unlink", AT_FDCWD, path, -1, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(path));
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	static int (*f)(int, const char *, int);

	if (f == NULL)
		f = real("unlinkat");
	if (at_step("unlinkat", dirfd, path, -1, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(dirfd, path, flags));
}

int
mkdir(const char *path, mode_t mode)
{
	static int (*f)(const char *, mode_t);

	if (f == NULL)
		f = real("mkdir");
	if (!exists(AT_FDCWD, path))
		if (at_step("mkdir", AT_FDCWD, path, -1, 0) == STEP_FAIL)
			return step_end(-1);
	return step_end(f(path, mode));
}

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	static int (*f)(int, const char *, mode_t);

	if (f == NULL)
		f = real("mkdirat");
	if (!exists(dirfd, path))
		if (at_step("mkdirat", dirfd, path, -1, 0) == STEP_FAIL)
			return step_end(-1);
	return step_end(f(dirfd, path, mode));
}

int
rmdir(const char *path)
{
	static int (*f)(const char *);

	if (f == NULL)
		f = real("rmdir");
	if (at_step("rmdir", AT_FDCWD, path, -1, 0) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(path));
}

/* The syncs: a count of their own (JUKISEC_FAIL_SYNC). */
int
fsync(int fd)
{
	static int (*f)(int);

	if (f == NULL)
		f = real("fsync");
	if (at_sync("fsync", fd) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(fd));
}

int
fdatasync(int fd)
{
	static int (*f)(int);

	if (f == NULL)
		f = real("fdatasync");
	if (at_sync("fdatasync", fd) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(fd));
}

int
syncfs(int fd)
{
	static int (*f)(int);

	if (f == NULL)
		f = real("syncfs");
	if (at_sync("syncfs", fd) == STEP_FAIL)
		return step_end(-1);
	return step_end(f(fd));
}
