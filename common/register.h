/*
 * register.h — the operator register operators.csv (R5.1): its rows,
 * their lock state (R5.2) and the frame of a change to it.
 *
 * Who is admitted, and whether a --by has the authority to change it, is
 * gate.h's; the changes themselves are register_change.h's.  Owned by the register/gate work
 * (issue 3); the signatures marked STABLE are used by incident-report and
 * jukisec-audit and must keep their meaning.
 */
#ifndef REGISTER_H
#define REGISTER_H

#include <stdint.h>
#include <sys/types.h>
#include "method.h"
#include "store.h"

#define OPERATOR_ID_MAX 32
#define REGISTER_FILE	"operators.csv"

/* One row of operators.csv.  Times are ms since the epoch, TIME_NONE when
 * the field is empty (no time is ever a flag: 0 is 1970-01-01, where a
 * clock with a dead battery starts); strings are never NULL ("" when
 * empty). */
struct operator {
	char		*id, *name, *section;
	char		*title;			/* 職名, "" when not given */
	enum role	role;
	enum method	method;
	char		*exception_reason;	/* R5.3 proviso (password only) */
	char		*approved_by;		/* manager who approved the exception */
	char		*instructions_date;	/* YYYY-MM-DD the two instructions were given */
	int64_t		registered_at;
	char		*registered_by;
	int64_t		expires;		/* TIME_NONE = never */
	int64_t		revoked_at;		/* TIME_NONE = not revoked */
	char		*revoked_by, *revoked_reason;
	long long	failed;			/* consecutive failures (R5.2) */
	int		locked;			/* locked out (R5.2): yes or no */
	int64_t		locked_at;		/* since when; TIME_NONE unknown */
	/* A lock whose lifting is due that stands all the same: the log
	 * does not bear the clock out (register_hold_locks).  Not stored. */
	int		lock_held;
	/* A value that did not read back (a hand edit, a restore) damages
	 * its row, not the register: bit c of bad is column c, which holds a
	 * fail-safe stand-in (expired, revoked, locked, an operator, ...),
	 * and raw[c] the text, written back as it was until a change sets
	 * the field (operator-mod -e, --unlock).  A bad locked_at is a lock
	 * of unknown time even on a row that says "no": that "no" is then
	 * raw[locked], without its bit (it read back). */
	unsigned	bad;
	char		**raw;			/* NULL when bad == 0 */
	size_t		line;			/* line in operators.csv, 0 new */
	/* The strings as loaded, in one block (10,000 rows: one allocation
	 * each, not eleven); a field set later (register_set) is its own. */
	char		*text;
	size_t		textlen;
};

struct register_ {
	struct operator	*op;
	size_t		n;
	size_t		damaged;		/* rows with bad != 0 */
	char		sha256[65];		/* of the bytes loaded, hex */
	int		missing;		/* no operators.csv: a state that
						 * never held anyone */
	struct operator	**ix;			/* register_index's, or NULL */
};

/* STABLE: reads operators.csv (caller holds STORE_LOCK_REGISTER when it will
 * write back).  A row with a bad value is kept, damaged (see struct
 * operator), after one line "FILE:LINE: field NAME: ..." on stderr.
 * ST_OK, or ST_FAIL naming file and line (not CSV, a bad id, a duplicate
 * id).  A missing operators.csv (jukisec-init makes none) is an empty
 * register, missing set, unless register_history says one held someone;
 * then ST_FAIL naming it.  _err prints
 * nothing: *e (from JERR_INIT) ends with the failure, else the first
 * damaged value's line (jerr_say). */
int	register_load(struct store *, struct register_ *);
int	register_load_err(struct store *, struct register_ *, struct jerr *e);
/* register_load's pass with the same checks and messages (every row is
 * read and checked: a register it refuses is refused here too, damage is
 * told the same), keeping only the rows of the n ids (the others' text is
 * not copied) and no sha256 (left ""): log-append's R5.4 check, which
 * names a few of them. */
int	register_load_ids(struct store *, struct register_ *,
	    const char *const *ids, size_t n);
/* The same without a word, for a caller that cannot say it now
 * (log-append while it holds the log lock, whose stderr may block), and
 * only for a register of at most max bytes: ST_OK when the load had
 * nothing to say, else ST_FAIL with nothing kept (a larger register too,
 * and a missing one, register_history's to answer), and register_load_ids
 * says it.  Damage not yet told stays to tell. */
int	register_peek_ids(struct store *, struct register_ *,
	    const char *const *ids, size_t n, off_t max);
/* The register read whole as register_load reads it, but without a word
 * and at any size: damage is left for the next load to tell.  ST_OK, or
 * ST_FAIL with nothing kept (register_load would refuse it). */
int	register_load_quiet(struct store *, struct register_ *);
void	register_free(struct register_ *);
/* STABLE: the row with this id (the first, in a register read with
 * duplicates), or NULL; register_get for a register read only.  A walk
 * of the rows, or a binary search once register_index has sorted them: a
 * reader that looks up every row (the audit: 10,000 operators) calls it
 * after the load; register_append and register_free drop the index. */
struct operator *register_find(struct register_ *, const char *id);
const struct operator *register_get(const struct register_ *, const char *id);
void	register_index(struct register_ *);
/* With the index: flags[i] set for each row whose id an earlier row has,
 * the others cleared (flags: reg->n of them); returns how many are set. */
size_t	register_dups(const struct register_ *, unsigned char *flags);
/* Sets a string field of o (&o->name, ...) to a copy of v. */
void	register_set(struct operator *o, char **field, const char *v);
/* STABLE: 1 when active at time now: not revoked, not expired. */
int	operator_active(const struct operator *, int64_t now);
/* 1 when the row records a revocation. */
int	operator_revoked(const struct operator *);
/* 0 when the row's method did not read back: nobody is admitted on it. */
int	operator_method_known(const struct operator *);
/* The row's place in the register as the documents count it, the header
 * not counted (登録簿の N 件目の行), where the tools' messages give
 * operators.csv's line; 0 for a row not read from the file. */
size_t	operator_row(const struct operator *);
/* 1 when the row's method reads back as password (an exception of R5.3):
 * not for a damaged one, whose stand-in only looks like it. */
int	operator_password(const struct operator *);
/* On a row whose method reads back as password, the column whose value
 * keeps it from recording an R5.3 exception ("exception_reason",
 * "approved_by", "instructions_date", in that order), else NULL. */
const char *operator_exception_damage(const struct operator *);
/* 1 when the gate admits on o's row of reg at time now: its method reads
 * back, and a password is a recorded R5.3 exception (a reason, an
 * approver who is a manager of reg, the day of the two instructions a
 * date no later than now's day at UTC+14: date_future_everywhere), as
 * operator-add and operator-mod -m password write it.  0: nobody is
 * admitted on the row (the gate's register-row-damaged, operator-list's
 * "damaged"): a hand edit, which jukisec-audit FAILs. */
int	register_row_usable(const struct register_ *, const struct operator *,
	    int64_t now);
/* Sets the row's method, which then reads back: a damaged one is repaired
 * (operator-mod -m), even to password, its stand-in's value. */
void	operator_set_method(struct operator *, enum method);

/* The columns of operators.csv, in order (also operator-list -f csv);
 * title last: it came last, so a script that counts columns keeps them,
 * and older registers still load (register.c). */
#define REGISTER_NCOLS	18
extern const char *const register_cols[REGISTER_NCOLS];
/* The text of column col of the row, as operators.csv holds it (a damaged
 * value as it was); buf holds at least TIME_BUFSZ bytes. */
const char *register_text(const struct operator *, int col, char *buf);
/* The columns people see in words or local time (the table, the form),
 * for register_damaged. */
#define REGISTER_ROLE		3
#define REGISTER_METHOD		4
#define REGISTER_REGAT		8
#define REGISTER_EXPIRES	10
#define REGISTER_REVAT		11
/* Column col's value as operators.csv holds it when it did not read back
 * (the row stands on its stand-in until a change sets it), else NULL: for
 * what people are shown, which is the file (a change made since in
 * memory is register_text's). */
const char *register_damaged(const struct operator *, int col);

/* operator-list's formats (register_render.c). */
enum register_format { REGISTER_TABLE, REGISTER_CSV, REGISTER_JSON,
	REGISTER_FORM };
int	register_format_parse(const char *, enum register_format *); /* 0, -1 */
/* Which rows operator-list prints; the tests are ANDed. */
struct register_filter {
	int		all;		/* revoked ones too */
	int		locked;		/* only those locked at now */
	long long	expiring;	/* -1, or only active ones whose authority
					 * ends within this many days of now */
	int		have_method;
	enum method	method;
};
/* When a row's person last passed and last failed the gate (action auth,
 * result ok; denied or locked), TIME_NONE for never: register_seen.c. */
struct register_seen {
	int64_t		success, failure;
};
/* The operation log read once, without a lock: seen[i] for reg->op[i].
 * ST_OK, or ST_FAIL after a message. */
int	register_seen(struct store *, const struct register_ *,
	    struct register_seen *);
/* 1 when the register has held someone: the state keeps a credential
 * file (credentials/ID.phc, ID.tmpl, ID.EXT.old; a credentials/ that
 * cannot be read may) or operators.pending, and the operation log shows
 * one: a record a register with rows makes (operator-add, operator-mod,
 * operator-revoke, recover or auth with result ok), a log pruned (what
 * it held before is gone: assumed), cut short of its head, or with a head
 * that does not read.  0 when either shows none (no log read without the
 * first: log-append writes those records before any bootstrap too), -1
 * when the log cannot be read (said to e).  Rows are never deleted: a
 * register that held someone and holds nobody now was replaced. */
int	register_history(struct store *, struct jerr *e);
struct oplog_record;
/* Each record of oplog.csv to fn in order, the whole file read without a
 * lock (the caller's locks keep what it asks about in place), its header
 * row checked in the writers' words; a torn last line ends it, as a
 * writer cuts it.  fn's first answer other than 0 (the scan stops
 * there), or 0; -1 when the log cannot be read, said to e.  With
 * skip_bad, a line that does not read as a record (a log changed by hand)
 * is passed over, and only a log that does not open is -1.  *last: the
 * seq of the last record given to fn, or -1. */
int	register_log_scan(struct store *, struct jerr *e, int skip_bad,
	    int (*fn)(const struct oplog_record *, void *), void *arg,
	    long long *last);
/* Prints the rows f selects on stdout: a table with each person's state
 * at time now under cf, or CSV or JSON with the columns above and, when
 * seen is not NULL, last_success and last_failure.  The caller checks
 * stdout with fshut_stdout(). */
void	register_print(const struct register_ *, const struct register_filter *,
	    enum register_format, const struct conf *, int64_t now,
	    const struct register_seen *seen);
/* The form (別記様式) of the rows sel (register_form.c). */
void	register_form(struct operator **sel, size_t n,
	    const struct register_ *, const struct conf *, int64_t now);

/* The failure count stops here (operators.csv holds at most this). */
#define OPERATOR_FAILED_MAX	1000000000LL

/* Field limits in bytes (operator-add(1)); longer is ST_USAGE. */
#define OPERATOR_NAME_MAX	256
#define OPERATOR_SECTION_MAX	256
#define OPERATOR_TITLE_MAX	256
#define OPERATOR_REASON_MAX	1024

const char	*role_name(enum role);
const char	*method_name(enum method);
int		 role_parse(const char *, enum role *);	/* 0 or -1 */
int		 method_parse(const char *, enum method *);	/* 0 or -1 */

/* NULL when id is a valid operator id ([A-Za-z0-9._-], not starting with
 * '-', 1..OPERATOR_ID_MAX bytes), else the reason. */
const char	*operator_id_problem(const char *);
/* 1 when id, given with option opt (or from PAM_USER), cannot be an id:
 * said in one line, "OPT ID: WHY", or "OPT: empty" for none. */
int		 operator_id_bad(const char *opt, const char *id,
		    struct jerr *);
/* 1 when o is locked at now as the gate decides it: a lock whose
 * automatic lifting is due stands unless the log bears the clock out
 * from the lock's time (clock.h clock_corroborated). */
int		 operator_lock_stands(struct store *,
		    const struct operator *, int64_t now);
/* Every lock of reg whose automatic lifting is due at now but that the
 * gate keeps marked held (lock_held), so that operator_locked answers as
 * the gate's next attempt would: for the readers that show or decide a
 * lock (the PAM account check, operator-list, the audit). */
void		 register_hold_locks(struct store *, struct register_ *,
		    int64_t now);
/* Checks a free-text option value for the register: ST_OK, or ST_USAGE
 * with "OPTION: reason" said to e (jerr_say); field_check prints it. */
int		 field_check_err(const char *option, const char *value, size_t max,
		    struct jerr *e);
int		 field_check(const char *option, const char *value, size_t max);

/* 1 when locked at time now: the row says locked, and no automatic unlock
 * is due (conf lockout_unlock_minutes after locked_at; a lock of unknown
 * time never lifts by itself). */
int	operator_locked(const struct operator *, const struct conf *, int64_t now);
/* What an attempt did to the row's lock state (R5.2). */
enum operator_count {
	COUNT_OK,		/* a success: the count is cleared */
	COUNT_FAILED,		/* a failure, counted below the threshold */
	COUNT_LOCKED_BEFORE,	/* locked already: counted, never admitted */
	COUNT_LOCKED_NOW	/* a failure that reached lockout_threshold */
};
/* Counts an attempt on the row at time now (ok: its credential verified),
 * for a caller holding STORE_LOCK_REGISTER on a fresh read: an automatic
 * unlock that is due is made first, unless keep (the clock is in doubt:
 * the lock stands); failures and attempts while locked
 * add one to failed (up to OPERATOR_FAILED_MAX), a success on an unlocked
 * row clears it, the failure that reaches conf lockout_threshold locks the
 * row since now.  *changed is 1 when the row must be written back. */
enum operator_count operator_count_attempt(struct operator *,
	    const struct conf *, int64_t now, int ok, int keep, int *changed);
/* Lifts the lock and clears the count (operator-mod --unlock, --recover,
 * an automatic unlock). */
void	operator_unlock(struct operator *);
/* Active managers at time now on a method the gate admits on
 * (register_row_usable; jukisec-audit's count): one on a damaged method
 * or an unrecorded exception admits nobody, and only another manager can
 * repair it. */
size_t	register_managers(const struct register_ *, int64_t now);
/* Managers who can act at time now under c, except when not NULL: those
 * the gate admits as a manager (active, not locked, a method it admits
 * on: register_row_usable).  The register must keep one
 * (operator-revoke): a locked manager is unlocked only by another. */
size_t	register_managers_able(const struct register_ *, const struct conf *,
	    int64_t now, const struct operator *except);
/* 1 when an end of o's authority at time end (a revocation's: now; a new
 * expiry's: that end) leaves no manager who can act then: o a manager
 * whose row, as it stands, keeps the authority at end, and no other who
 * can act at end (register_managers_able).  An end the row does not
 * outlast (a later one, or o's past) takes no authority away: it leaves
 * at no moment fewer managers who can act. */
int	register_end_strands(const struct register_ *, const struct conf *,
	    const struct operator *o, int64_t end);
/* Appends a row with every string "" and returns it. */
struct operator *register_append(struct register_ *, const char *id);

/* A register change: register_txn.h brackets it.  register_reconcile,
 * under STORE_LOCK_REGISTER, destroys an orphan credential file (no live
 * row) and logs the removal as `who`. */
int	register_reconcile(struct store *, struct register_ *, const char *who);
/* The new operators.csv written to a temporary file of af (flushed, not
 * yet synced or renamed: atomic_commit or atomic_abort it); register_save
 * does both.  ST_OK, or ST_FAIL after a message. */
struct atomic_file;
int	register_write(struct store *, const struct register_ *,
	    struct atomic_file *);
/* register_write to a temporary file that atomic_commit renames to name
 * in the state directory instead (the gate's pad, register_txn.h). */
int	register_write_as(struct store *, const struct register_ *,
	    struct atomic_file *, const char *name);
int	register_save(struct store *, const struct register_ *);
/* SHA-256 of the whole file fd (read from offset 0), in hex, its bytes
 * added to copy unless NULL: the register a change starts from, and the
 * one it writes (register_txn.c).  0, or -1 with errno. */
struct buf;
int	register_sha256_fd(int fd, char out[65], struct buf *copy);

/* A new credential for id with method m, before the register lock: an
 * enrolment, or a new password from pwfd (else the terminal, twice) hashed
 * as a PHC string.  ST_OK with the bytes for credentials/ID.phc|tmpl in
 * *out, or ST_NO/ST_USAGE/ST_FAIL after a message, *reason then NULL or
 * why an external verifier did not run (bio_enrol), for the log. */
struct bio_opts;
struct buf;
int	credential_new(struct store *, const char *id, enum method m, int pwfd,
	    const struct bio_opts *, struct buf *out, const char **reason);

#endif
