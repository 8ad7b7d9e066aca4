/*
 * store.h — the state directory: where it is, whether it may be trusted,
 * its locks and its files.
 *
 * Invariants:
 *  - The directory comes from -d, else $JUKISEC_DIR, else STATEDIR.  It and
 *    every file read from it must be owned by the caller (or root) and not
 *    group- or world-writable; otherwise the tool refuses (ST_FAIL).  A
 *    reader (STORE_READER) that reads a 0750 directory through its group
 *    (SPEC: a dedicated group) trusts the directory's owner in place of
 *    itself: that user's files and root's, no one else's.  Files are opened
 *    with O_NOFOLLOW relative to the directory fd and must be regular files.
 *  - Lock order: log-prune's prune.lock (which log-verify's chain checks
 *    hold shared) before STORE_LOCK_REGISTER before STORE_LOCK_LOG.  Each
 *    lock is a flock(2) on its own file in the directory, taken with a
 *    bounded wait (conf lock_timeout_ms); a timeout is ST_FAIL with a
 *    message naming the lock.  Locks are released by store_close() or
 *    process exit.
 *  - A process holds no lock stopped, as far as it can help it: from its
 *    first lock to its last the job-control stops (SIGTSTP, SIGTTIN,
 *    SIGTTOU) are blocked, taken once the last goes, and a set-user-ID
 *    host's real and saved uid are 0, so that its caller's SIGSTOP is
 *    refused; both put back as they were (store.c guard_on).
 *  - A writer's lock is exclusive, on the file opened for writing (made
 *    when missing).  A reader's is shared, on the file opened read-only,
 *    so that a read-only copy can be read; a reader never makes a lock
 *    file.  The lock files are the owner's alone (store_lock_open): a
 *    member of the directory's group may not open them and reads without
 *    them (STORE_LOCK_DENIED).  One that is missing is held by its absence
 *    (STORE_LOCK_ABSENT): every writer makes the file before it changes
 *    anything the lock guards, so none was at work when the reader found
 *    it missing, and store_unlock_stands() tells whether one began since.
 *  - The register lock guards operators.csv, the credential files and
 *    incidents.csv; the log lock guards oplog.csv and its head and key
 *    files.  A register change holds both while it appends its log record.
 *  - Every temporary file in the directory has a fixed name, made only
 *    under the lock that owns it (store.c's list, jukisec-log(5) "Files"):
 *    one a writer killed before its rename left is removed by the next
 *    writer that takes that lock.
 */
#ifndef STORE_H
#define STORE_H

#include <sys/stat.h>
#include <sys/types.h>
#include <signal.h>
#include "conf.h"
#include "jerr.h"

/* The template key's temporary file, in the state directory: made under
 * the register lock, as the credentials it seals are (tmpl.c), so one a
 * kill left goes with the next holder (store.c's list of temporaries). */
#define TMPL_KEY_TMP	".tmp-template.key"

enum store_lock { STORE_LOCK_REGISTER, STORE_LOCK_LOG, STORE_NLOCKS };

struct store {
	char		*dir;		/* path as given, for messages */
	int		dirfd;
	int		initfd;		/* STORE_CREATE: .tmp-jukisec.conf,
					 * held (flock) until store_close;
					 * else -1 */
	char		*terminal;	/* -t, $JUKISEC_TERMINAL, else host name */
	struct conf	conf;
	int		lockfd[STORE_NLOCKS];	/* -1 when not held, else the
					 * locked fd or STORE_LOCK_ABSENT */
	/* 1 when the last try for the lock ran out of lock_timeout_ms:
	 * another process holds it (not a file refused or an I/O error) */
	int		timed_out[STORE_NLOCKS];
	/* 1 when the last try found the lock file itself refused for its
	 * type, owner or mode (open_safe_refused): planted, since every
	 * writer refuses it too; not a timeout or an I/O error */
	int		lock_refused[STORE_NLOCKS];
	int		log_refused;	/* oplog_begin found the log unusable,
					 * oplog_lock its lock, or the gate
					 * an attempt it cannot record, and
					 * said why: later records fail
					 * without saying it again */
	/* register_log_ready: the log file that did not open for writing,
	 * or register_replaceable's file, for the caller's line
	 * (register_unrecorded_at); else NULL */
	const char	*unwritable;
	/* registers loaded (register.c): a damaged row is told at the
	 * first, once a store, so once a PAM call as once a tool's run */
	int		reg_loads;
	/* register_change_commit: 1 when the register in place is the new
	 * one although the commit failed after its rename (the directory's
	 * sync): the change stands, and its log record is to be written */
	int		reg_renamed;
	int		reader;		/* STORE_READER: shared locks, read-only */
	/* While st holds a lock (store.c guard_on): the signal mask, and in
	 * a set-user-ID host the real and saved uid, to put back after */
	int		guarded, guard_ids;
	sigset_t	guard_mask;
	uid_t		guard_ruid, guard_suid;
	uid_t		owner;		/* what the files' owner must be (or
					 * root): ours, once, or for a reader
					 * through the directory's group, the
					 * directory's owner */
	/* Where the failures of the functions given this store go (jerr.h,
	 * jerr_say): NULL, the tools', printed at once as warn(3) would;
	 * else kept there, the first failure first (the PAM module's). */
	struct jerr	*err;
	/* With STORE_CONFSOFT: why jukisec.conf was not read (code ST_FAIL,
	 * conf its compiled defaults), else code ST_OK. */
	struct jerr	conf_err;
};

/* Flags for store_open. */
#define STORE_CREATE	0x1	/* jukisec-init: create the directory 0700; must
				 * not exist, or be empty but for the
				 * .tmp-jukisec.conf a killed jukisec-init
				 * left (ours, 0600, one name; emptied);
				 * that file, made if missing, held (flock,
				 * initfd) until store_close, a second one
				 * refused; store_close removes it unless
				 * store_init_begin's commit renamed it */
#define STORE_NOCONF	0x2	/* do not read jukisec.conf (init before writing it) */
#define STORE_NOENV	0x4	/* not $JUKISEC_DIR, $JUKISEC_TERMINAL (pam_jukisec) */
#define STORE_READER	0x8	/* a reader, which writes nothing here: no
				 * terminal name is resolved, so a bad
				 * $JUKISEC_TERMINAL stops only the tools that
				 * write it; shared locks on read-only fds, and
				 * a group member's reading is accepted */
#define STORE_GATE	0x20	/* a tool or module whose attempt goes
				 * through the gate: its descriptors
				 * (store_fds_free, STORE_GATE_FDS) shown
				 * free before jukisec.conf is read, so
				 * that a short ulimit -n gets the gate's
				 * line, not the conf's */
#define STORE_CONFSOFT	0x10	/* jukisec.conf refused, missing or
				 * malformed in a state directory that holds
				 * its log or head (else not initialised):
				 * the compiled defaults stand and why is
				 * kept in conf_err, said by the caller after
				 * the log's own verdict (log-verify,
				 * jukisec-audit): someone who could write
				 * the directory must not hide the log's
				 * damage behind the conf */

/* lockfd of a reader's lock whose file was missing (store_lock). */
#define STORE_LOCK_ABSENT	(-2)
/* lockfd of a reader's lock whose file it may not open (EACCES: a member
 * of the directory's group, the file the owner's alone): read without
 * it, and nothing says whether a writer was at work meanwhile. */
#define STORE_LOCK_DENIED	(-3)

/* Resolves and opens the directory, checks its owner and mode, loads
 * jukisec.conf and resolves the terminal name.  dir and terminal may be NULL.
 * Returns ST_OK, ST_USAGE (invalid terminal name) or ST_FAIL, after one
 * message on stderr; on failure nothing needs store_close().  A bad
 * terminal name is said with its source: "-t" for the terminal given,
 * JUKISEC_TERMINAL, or gethostname; a caller whose terminal comes from
 * elsewhere (PAM_RHOST, a module option) checks it first, below. */
int	store_open(struct store *, const char *dir, const char *terminal, int flags);
/* Whether a state directory is named: DIR (-d), else a JUKISEC_DIR that
 * is not empty, as store_open reads them; else the default is taken, and
 * a reader of files (log-verify, log-show) opens none. */
int	store_dir_named(const char *dir);
/* The state directory whose live log path names: a path whose last
 * component is oplog.csv, beside a jukisec.conf, an oplog.head or an
 * oplog.key (malloc'd), else NULL: the conf removed alone leaves it the
 * live log, its head checked.
 * Files given without -d or JUKISEC_DIR: the last one, so named, is that
 * directory's live log, its head and key file checked (log-verify(1)). */
char	*store_live_dir(const char *path);
/* The same with st->err set to e first: the message is kept in *e (start
 * from JERR_INIT), not printed, and so are those of every later call
 * given this store. */
int	store_open_err(struct store *, const char *dir, const char *terminal,
	    int flags, struct jerr *e);
void	store_close(struct store *);

/* The rule for a terminal name (1 to 64 bytes of text_problem's text):
 * NULL, or why not. */
const char *store_terminal_problem(const char *);
/* "FROM: invalid terminal name: WHY", said to e (jerr_say: NULL prints),
 * ST_USAGE. */
void	store_terminal_say(struct jerr *e, const char *from, const char *why);

/* Bounded-wait lock: exclusive, or a reader's shared (held by the file's
 * absence when it is missing).  ST_OK or ST_FAIL ("lock timeout:
 * DIR/NAME", said to st->err).  A writer that has the register lock has
 * first removed the temporary files of that lock a killed writer left
 * (store.c's list; best effort: one that stays refuses the write that
 * needs its name). */
int	store_lock(struct store *, enum store_lock);
/* The same, printing nothing: on failure *e says why and its code is
 * returned. */
int	store_lock_err(struct store *, enum store_lock, struct jerr *e);
void	store_unlock(struct store *, enum store_lock);
/* The bounded wait of store_lock for a lock file of another tool that the
 * caller opened (log-prune's prune.lock): flock(2) HOW (LOCK_SH or
 * LOCK_EX) on fd, waited for at most lock_timeout_ms.  ST_OK, or ST_FAIL
 * with *e set ("lock timeout: DIR/NAME", errno EWOULDBLOCK; or the error)
 * and fd left open. */
int	store_flock_wait(struct store *, int fd, int how, const char *name,
	    struct jerr *e);
/* The same, asking go_on(fd) after each try that found the lock held:
 * ST_NO, *e untouched, as soon as it says 0 (the holder is not one to
 * wait for). */
int	store_flock_wait_while(struct store *, int fd, int how, const char *name,
	    int (*go_on)(int), struct jerr *e);
/* store_unlock for a reader, which then asks whether what it read under
 * the lock stands: 1, or 0 when the lock was held by its file's absence
 * and the file is there now (a writer made it, and may have been at work
 * while the reader read).  A lock denied (STORE_LOCK_DENIED): 1, since
 * nothing tells. */
int	store_unlock_stands(struct store *, enum store_lock);
/* Whether a writer's note NAME (operators.pending, incidents.pending),
 * which lives only while its writer works under lock WHICH, was left by
 * one that was interrupted: 1, else 0 (none, or a writer's at work).  An
 * empty one is left too, as damage: writers rename a note synced whole.
 * Held, or missing for all, the lock tells at once; a reader the lock
 * file is denied to (a member of the state's group) looks again for up
 * to lock_timeout_ms, and a note that goes or is replaced meanwhile was a
 * writer's at work. */
int	store_note_left(struct store *, const char *name, enum store_lock which);
/* For a function that runs under a lock its caller holds (and leaves to
 * the caller to release): the lock not held is a programming error, and
 * the process exits 3 at once, before anything is read or written. */
void	store_held(const struct store *, enum store_lock);

/*
 * The one way a state, credential, template or key file is opened:
 * openat(dirfd, name, flags|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK, mode) — a
 * FIFO or a device planted in its place is never waited on — then fstat:
 * a regular file, owned by us or root, not group/world-writable (secret:
 * no group/world bit at all); O_NONBLOCK is cleared again.  Returns fd, or
 * -1 with errno: ELOOP a symbolic link, EINVAL not a regular file (FIFO,
 * device, directory: openat's EISDIR too), JERR_UNSAFE (jerr.h) owner or
 * mode, else openat's (EPERM the kernel's own: an immutable or
 * append-only file opened for writing, which no owner or mode explains).
 * dirfd may be AT_FDCWD.
 */
int	open_safe(int dirfd, const char *name, int flags, mode_t mode, int secret);
/* open_safe for a file the user names on the command line (a verification
 * key on removable media, a cursor), whoever owns it: no link followed, no
 * FIFO or device waited on, a regular file only; its owner and mode are
 * the caller's to judge.  flags without O_CREAT.  fd, or -1 with errno as
 * open_safe's (ELOOP, EINVAL, else openat's). */
int	open_regular(int dirfd, const char *name, int flags);
/* One line for open_safe's failure on path ("PATH: not a regular file:
 * refused", ...): printed, or put in *e with code. */
void	open_safe_warn(const char *path);
/* The same said to to (jerr_say: NULL prints). */
void	open_safe_say(struct jerr *to, const char *path);
void	open_safe_err(struct jerr *e, int code, const char *path);
/* The same words without the path, for the errno err open_safe left. */
const char *open_safe_why(int err);
/* 1 when err is open_safe's refusal of the file itself, for its type,
 * owner or mode (ELOOP, EINVAL, JERR_UNSAFE), not a failure to open it. */
int	open_safe_refused(int err);

/* open_safe in the state directory, not secret. */
int	store_openat(struct store *, const char *name, int flags, mode_t mode);
/* The same, with the fstat it checked in *sb: no second fstat. */
int	store_openat_st(struct store *, const char *name, int flags, mode_t mode,
	    struct stat *sb);
/* A lock file a writer opens read-write, made when missing: the owner's
 * alone, 0600, never shared; one there with group or other bits is made
 * 0600 (flock(2) needs only a read-only descriptor, and a reader that
 * holds one holds every writer off).  fd, or -1 with errno as open_safe's
 * (JERR_UNSAFE: open to others, and not ours to make 0600). */
int	store_lock_open(struct store *, const char *name);
/* store_openat for a writer's file made when missing (flags without
 * O_CREAT; with O_EXCL, only made): one made now follows store_share_new;
 * one there already is left as it is.  Never for a secret. */
int	store_openat_new(struct store *, const char *name, int flags, mode_t mode);
/* open_safe_say for their failure on name, as "DIR/NAME: ...", so that a
 * log file is refused in the words of every file here (jukisec-log(5)). */
void	store_open_say(const struct store *, struct jerr *to, const char *name);

/* Checks an open fd the way open_safe does.  allow_group_read 1: no
 * group/world write bit (state files); 0: no group/world bit at all
 * (secret keys).  0 ok, -1 with errno (EINVAL not a regular file,
 * JERR_UNSAFE owner or mode). */
int	check_fd_safe(int fd, int allow_group_read);
/* check_fd_safe's owner and mode checks of an fstat against euid, for a
 * caller that checks many files: 0, or -1 with errno JERR_UNSAFE. */
int	check_stat_uid(const struct stat *, int allow_group_read, uid_t euid);

/*
 * Atomic replacement of a file in a directory: the new content goes to a
 * temporary file in the same directory; commit = fflush, fsync, fclose,
 * renameat over the target, fsync the directory.  A crash at any instant
 * leaves the old or the new file.  abort unlinks the temporary.
 */
struct atomic_file {
	int	dirfd;
	char	*name;
	char	tmpname[64];
	FILE	*fp;		/* write the new content here */
	int	secret;		/* set by the caller: an abort zeroes the
				 * temporary before it unlinks it (destroy_file) */
};
/* The temporary's name is fixed: ".tmp-" and name.  The caller holds the
 * lock that owns name (store.h's invariants), so one there is what a
 * writer killed before its rename left: removed (atomic_clear), then the
 * file made afresh (O_EXCL, O_NOFOLLOW).  A random name would stay for
 * good.  0, or -1 with errno (ENAMETOOLONG: no such name fits), af->fp
 * NULL. */
int	atomic_begin(struct atomic_file *, int dirfd, const char *name, mode_t mode);
/* jukisec-init's jukisec.conf (STORE_CREATE): begun on the
 * .tmp-jukisec.conf store_open holds, emptied, not on a file made afresh,
 * so that the hold stays with the file through its rename to jukisec.conf
 * and no second jukisec-init takes a new one for a kill's.  0, or -1 with
 * errno, af->fp NULL. */
int	store_init_begin(struct store *, struct atomic_file *);
/* 1 when sb is a file a jukisec-init of ours could make and hold: a
 * regular file of ours, 0600 or less, one name. */
int	store_init_ours(const struct stat *);
/* 1 when DIR/name is the file jukisec-init holds (the one it made, so
 * the only one its undo may remove), else 0. */
int	store_init_held(struct store *, const char *name);
/* jukisec.conf, when it is the file held (store_init_held), overwritten
 * with zeros and removed as destroy_file does, through the descriptor
 * held: no free one needed.  0 (also when it is not held), or -1 with
 * errno. */
int	store_init_destroy(struct store *);
/* The descriptors a gate attempt holds at once, the state directory's
 * included (gate.c says what they are). */
#define STORE_GATE_FDS	16
/* ST_OK when n descriptors, the state directory's counted as one, can be
 * taken (and are given back), else ST_FAIL after one line to st->err:
 * "N free file descriptors needed: ERROR". */
int	store_fds_free(struct store *, int n);
/* atomic_begin with the temporary's name given, for a file that only the
 * holders of one lock replace and whose name atomic_begin's would not
 * serve: a writer killed before its rename leaves that name, which the
 * next holder removes.  -1 with errno EEXIST when it is there: nothing
 * made. */
int	atomic_begin_as(struct atomic_file *, int dirfd, const char *name,
	    const char *tmpname, mode_t mode);
/* Under that lock: a temporary file of atomic_begin_as that a writer
 * killed before its rename left, removed (secret: overwritten with zeros
 * first, destroy_file).  Looked for first, so that a writer with nothing
 * to remove changes nothing on disk.  0, or -1 with errno. */
int	atomic_clear(int dirfd, const char *tmpname, int secret);
int	atomic_commit(struct atomic_file *);	/* 0 or -1 with errno; temp removed on failure */
/* 1 when atomic_commit renamed the file into place, also when it then
 * failed (syncing the directory): readers see the new file. */
int	atomic_renamed(const struct atomic_file *);
/* atomic_commit's first half: the content flushed, synced and closed,
 * the file left under its temporary name for the caller to rename
 * later (jukisec-init's first oplog.key); 0, or -1 with errno, the
 * temporary removed. */
int	atomic_sync(struct atomic_file *);
/* After atomic_begin of a state file people may read (the log, the
 * register, incidents, confirmations; never a key or a credential): when
 * the file replaced is readable by its group (a 0750 state directory with
 * 0640 files, README), the new one takes that group and mode 0640, never
 * more; when there is none yet, store_share_new decides.  Best effort:
 * else it stays as begun, the safe side. */
void	atomic_keep_group(struct atomic_file *);
/*
 * The one rule for a file a writer has just made in directory dirfd, fd
 * open on it (0600): when the directory grants its group read (0750 with
 * a dedicated group, README "First day" 8), the file takes that group and
 * 0640, so that the group reads a file made after the directory was
 * shared as it reads those that were there.  Else, or when that group
 * cannot be given (EPERM: we are not in it), it stays 0600: never 0640
 * with another group.  Never for a secret (a key, a credential, their
 * temporary files): those stay the owner's alone.  Best effort.
 */
void	store_share_new(int dirfd, int fd);
void	atomic_abort(struct atomic_file *);	/* errno kept */

/* Overwrites a file's bytes with zeros, fsyncs it, unlinks it and fsyncs the
 * directory (credential destruction, R5.5).  0, or -1 with errno; a missing
 * file is 0.  A file with other links is unlinked and never written (the
 * other name keeps its bytes): -1 with errno EMLINK, since it is not
 * destroyed. */
int	destroy_file(int dirfd, const char *name);

/* 1 when name, an entry of the state directory, is one of the temporary
 * files of store.c's list: a writer's at work, or one the next writer
 * that takes its lock removes; else 0. */
int	store_tmp_known(const char *name);
/* The temporary file of store_room where O_TMPFILE is not to be had. */
#define STORE_ROOM_TMP	".tmp-room"

/* 0 when the state directory can take a rewrite of file name (its size)
 * plus extra bytes now: space reserved with posix_fallocate(2) in an
 * unnamed temporary file (O_TMPFILE, else STORE_ROOM_TMP, unlinked at
 * once), then released.  Under the log lock, which owns STORE_ROOM_TMP.
 * -1 with errno (ENOSPC, EDQUOT, EROFS, EIO, EFBIG past
 * the caller's file size limit ...).  The
 * gate asks before it admits anyone, so that an attempt it could not have
 * counted is never an admission (fail closed, R5.2, R6). */
int	store_room(struct store *, const char *name, off_t extra);
/* 0 when file name may grow by extra bytes under the caller's file size
 * limit (RLIMIT_FSIZE; store_room checks its own), else -1 with errno
 * (EFBIG): a limit the log cannot take a record under is a full disk. */
int	store_fits(struct store *, const char *name, off_t extra);
/* 1 when err is the errno of a disk that cannot take a write: full (or
 * over quota, or past the caller's file size limit), an I/O error, a
 * read-only mount, a file we may not write; else 0.  A writer that
 * finds the log or the register so cannot record what it would change. */
int	store_unwritable(int err);

/* fsync(2) on a directory fd. */
int	fsync_dir(int dirfd);
/* The directory that holds path (".": a name without '/'), opened for
 * reading as open(2) reaches it (O_PATH when it may be searched and
 * written, not read: fsync_dir syncs it through "." if it can), and
 * *base the rest of path: a file a
 * tool makes, replaces or removes by a name the user gives is then made,
 * renamed and removed in this one directory, which a directory of the
 * path swapped after a check cannot change.  fd, or -1 with errno. */
int	open_parent(const char *path, const char **base);
/* 1 if the directory dfd is the state directory or lies below it, 0 if
 * not: found from dfd itself up through "..", not from a name of it.
 * -1 with errno when it cannot be told (a parent that cannot be
 * searched). */
int	store_dir_within(struct store *, int dfd);

/* All n bytes of p to fd, again after EINTR and short writes: 0, or -1
 * with errno.  The suite's one loop around write(2). */
int	write_all(int fd, const void *p, size_t n);

#endif
