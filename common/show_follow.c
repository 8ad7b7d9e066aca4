/*
 * show_follow.c — log-show --follow and --cursor-file: where the shipping
 * stands, and waiting for the log to grow.
 *
 * Invariants: the cursor file holds one line, "seq=N", the last record
 * handed on; it is replaced atomically (a temporary file beside it,
 * rename), so a follower killed at any instant leaves the old or the new
 * value, and made durable (fsync of the file and its directory) whenever
 * log-show waits or exits.  Waiting uses inotify on the state directory
 * (a writer's append, a head written in place, log-prune's rename), with
 * a long timeout only as a safety net: no busy loop.  Following is by seq,
 * never by byte offset alone, so a prune that renames a shorter file over
 * oplog.csv neither stops the follower nor makes it repeat a record.
 * SIGTERM (systemctl stop, restart), SIGINT and SIGHUP stop it between two
 * records: the one being handed on is finished and the cursor replaced,
 * nothing more goes, and the cursor is made durable as at any exit; only
 * SIGKILL (or a second stop signal) can leave a record sent and the
 * cursor before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "show.h"

int
show_cursor_read(const struct show_cursor *c, long long *seq, struct jerr *e)
{
	char buf[64], *nl;
	ssize_t n;
	int fd;

	*seq = -1;
	/* open_regular: a FIFO or a device put in its place must not hang a
	 * cron job; the cursor is the user's file, wherever it is. */
	if ((fd = open_regular(c->dfd, c->base, O_RDONLY)) == -1) {
		if (errno == ENOENT)
			return ST_OK;
		open_safe_say(e, c->path);
		return ST_FAIL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", c->path);
		return ST_FAIL;
	}
	buf[n] = '\0';
	/* Exactly what show_cursor_write writes: a seq as the log spells it. */
	if (strncmp(buf, "seq=", 4) != 0 || (nl = strchr(buf, '\n')) == NULL ||
	    nl + 1 != buf + n || oplog_decimal(buf + 4, nl - buf - 4, seq) == -1) {
		*seq = -1;
		jerr_say(e, ST_USAGE, _("%s:1: not a log-show cursor (seq=N)"),
		    c->path);
		return ST_USAGE;
	}
	return ST_OK;
}

/* Made, replaced and removed in the directory opened at the start, by
 * names in it: a directory of the path swapped since (another user's
 * /tmp/x made a link to the state directory) cannot send the write
 * there. */
int
show_cursor_write(const struct show_cursor *c, long long seq, int sync,
    struct jerr *e)
{
	char *tmp = xasprintf("%s.tmp", c->base), line[40];
	int fd = -1, n, ret = -1;

	n = snprintf(line, sizeof(line), "seq=%lld\n", seq < 0 ? 0 : seq);
	/* Made afresh (O_EXCL): what a killed run, or anyone, left at tmp
	 * (a FIFO would hang a cron job) is removed, never opened. */
	if ((unlinkat(c->dfd, tmp, 0) == -1 && errno != ENOENT) ||
	    (fd = openat(c->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) == -1 ||
	    write_all(fd, line, (size_t)n) == -1 || (sync && fdatasync(fd) == -1)) {
		jerr_say_errno(e, ST_FAIL, "%s.tmp", c->path);
		if (fd != -1)
			close(fd);
		unlinkat(c->dfd, tmp, 0);
		goto out;
	}
	if (seq < 0) {		/* the trial: nothing to put in place */
		ret = close(fd);
		if (ret == -1)
			jerr_say_errno(e, ST_FAIL, "%s.tmp", c->path);
		unlinkat(c->dfd, tmp, 0);
		/* and the directory synced, as every later write will: one
		 * that cannot be (searched and written, not read) is said
		 * now, before anything is handed on */
		if (ret == 0 && sync && fsync_dir(c->dfd) == -1) {
			jerr_say_errno(e, ST_FAIL, _("%s: syncing its directory"),
			    c->path);
			ret = -1;
		}
		goto out;
	}
	if (close(fd) == -1 || renameat(c->dfd, tmp, c->dfd, c->base) == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", c->path);
		unlinkat(c->dfd, tmp, 0);
		goto out;
	}
	/* the rename made durable too: a cursor a power loss could take
	 * back would hand records on again */
	if (sync && fsync_dir(c->dfd) == -1) {
		jerr_say_errno(e, ST_FAIL, _("%s: syncing its directory"),
		    c->path);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

/*
 * Checked by the directory opened, the one every write goes to, not by
 * its name (issue: another user's directory on the path, swapped between
 * a check by name and the writes, put "seq=N" over the register).
 */
int
show_cursor_open(struct store *st, struct show_cursor *c, struct jerr *e)
{
	int in = 0;

	if ((c->dfd = open_parent(c->path, &c->base)) == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", c->path);
		return ST_FAIL;
	}
	if (c->base[0] == '\0')	/* "DIR/": the directory, refused as one */
		c->base = ".";
	if (st != NULL && (in = store_dir_within(st, c->dfd)) == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", c->path);
		return ST_FAIL;
	}
	if (in) {
		jerr_say(e, ST_USAGE, _("%s %s: inside the state directory "
		    "%s"), "--cursor-file", c->path, st->dir);
		return ST_USAGE;
	}
	return ST_OK;
}

/*
 * Stopping.  The handler notes the signal and writes a byte to a pipe that
 * show_wait() polls beside inotify, so that a wait ends at once even when
 * the signal comes just before poll(2), or on another thread (the workers
 * of a verification a block per core).  No SA_RESTART: a send waiting on
 * a full socket returns EINTR.  SA_RESETHAND: a second signal kills, for
 * a write that hangs.  A signal ignored at start stays ignored (nohup: a
 * follower started so goes on after a hangup).
 */
static const int stopsigs[] = { SIGHUP, SIGINT, SIGTERM };
#define NSTOP	(sizeof(stopsigs) / sizeof(stopsigs[0]))

static volatile sig_atomic_t stopsig;
static int stopfd[2] = { -1, -1 };
static struct sigaction stopold[NSTOP];
static int stopset[NSTOP];

static void
on_stop(int sig)
{
	int saved = errno;

	stopsig = sig;
	(void)!write(stopfd[1], "", 1);
	errno = saved;
}

int
show_stop_catch(struct jerr *e)
{
	struct sigaction sa;
	size_t i;

	stopsig = 0;
	if (pipe2(stopfd, O_CLOEXEC | O_NONBLOCK) == -1) {
		jerr_say_errno(e, ST_FAIL, "pipe");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < NSTOP; i++)
		stopset[i] = sigaction(stopsigs[i], NULL, &stopold[i]) == 0 &&
		    stopold[i].sa_handler != SIG_IGN &&
		    sigaction(stopsigs[i], &sa, NULL) == 0;
	return 0;
}

int
show_stopped(void)
{
	return stopsig;
}

void
show_stop_release(void)
{
	size_t i;

	for (i = 0; i < NSTOP; i++)
		if (stopset[i])
			(void)sigaction(stopsigs[i], &stopold[i], NULL);
	for (i = 0; i < 2; i++)
		if (stopfd[i] != -1) {
			close(stopfd[i]);
			stopfd[i] = -1;
		}
}

struct show_wait {
	int	fd;
};

struct show_wait *
show_wait_new(struct store *st, struct jerr *e)
{
	struct show_wait *w = xcalloc(1, sizeof(*w));
	char path[64];

	/* inotify watches a path; the directory fd names it for us */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", st->dirfd);
	if ((w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) == -1 ||
	    inotify_add_watch(w->fd, path, IN_MODIFY | IN_MOVED_TO | IN_CREATE |
	    IN_CLOSE_WRITE) == -1) {
		jerr_say_errno(e, ST_FAIL, "inotify %s", st->dir);
		if (w->fd != -1)
			close(w->fd);
		free(w);
		return NULL;
	}
	return w;
}

/* Waits until something in the directory changed, log-show is stopped
 * (the pipe has a byte, or poll was interrupted), or ms passed. */
void
show_wait(struct show_wait *w, int ms)
{
	struct pollfd p[2] = { { w->fd, POLLIN, 0 }, { stopfd[0], POLLIN, 0 } };
	char buf[4096] __attribute__((aligned(8)));

	if (poll(p, 2, ms) > 0 && p[0].revents != 0)
		while (read(w->fd, buf, sizeof(buf)) > 0)
			;
}

void
show_wait_free(struct show_wait *w)
{
	if (w == NULL)
		return;
	close(w->fd);
	free(w);
}
