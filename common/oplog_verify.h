/*
 * oplog_verify.h — reading and verifying the operation log (jukisec-log(5)).
 *
 * For log-verify, log-prune and jukisec-audit.  The reader streams records
 * one line at a time (memory does not grow with the file); the verifier keeps
 * only the previous record, a pending first record and the current key.
 */
#ifndef OPLOG_VERIFY_H
#define OPLOG_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "jerr.h"
#include "oplog.h"
#include "store.h"

/* Columns of oplog.csv, in order. */
enum {
	OF_SEQ, OF_TIME, OF_TERMINAL, OF_OPERATOR, OF_ACTION, OF_OBJECT,
	OF_RESULT, OF_DETAIL, OF_EPOCH, OF_MAC, OPLOG_NFIELDS
};
/* The header row names the log's format (jukisec-log(5)): its MAC column
 * is hmac_v1 in format 1, gmac_v2 in format 2. */
#define OPLOG_HEADER_COLS "seq,time,terminal,operator,action,object,result,detail,epoch,"
#define OPLOG_HEADER	OPLOG_HEADER_COLS "hmac_v1"
#define OPLOG_HEADER2	OPLOG_HEADER_COLS "gmac_v2"
#define OPLOG_MACLEN 32
/* Longest line the reader accepts: every field at its limit, all quoted. */
#define OPLOG_LINE_MAX 8192

/* One record as read back; strings are unquoted values, NUL-terminated,
 * valid until the next oplog_reader_next().  seq, time, epoch and mac are
 * parsed and syntax-checked (jukisec-log(5) "Records"). */
struct oplog_record {
	char		*field[OPLOG_NFIELDS];
	size_t		len[OPLOG_NFIELDS];
	long long	seq, epoch;
	int64_t		time;
	unsigned char	mac[OPLOG_MACLEN];
	size_t		line;		/* physical line in its file, 1-based */
	long long	offset;		/* byte offset of that line */
	const char	*raw;		/* the line as read (see oplog_record_raw) */
	size_t		rawlen;
	int		cut;		/* fields were cut in place in raw */
	int		after_header;	/* a header row came right before it */
	int		format;		/* the log's (1 or 2), for the MAC column's
					 * name in messages: set before a parse */
};

struct oplog_reader;

/* Reads fd (not closed by the reader) named name in messages.  The first
 * line must be the header row; a header row repeated later is skipped. */
struct oplog_reader *oplog_reader_open(int fd, const char *name);
/* 1 record in *rec, 0 end of file, -1 error: oplog_reader_error() says
 * why (and whether it was I/O) and at which line. */
int	oplog_reader_next(struct oplog_reader *, struct oplog_record **rec);
const char *oplog_reader_error(const struct oplog_reader *, size_t *line, int *io);
/* After an error: the bytes after the file's last LF, if that was it. */
size_t	oplog_reader_torn(const struct oplog_reader *);
/* Offset just past the last line read (a torn tail stays beyond). */
long long oplog_reader_offset(const struct oplog_reader *);
/* Lines read up to there, header rows included: the last one's number
 * (oplog_reader_resume goes on from it). */
size_t	oplog_reader_lines(const struct oplog_reader *);
void	oplog_reader_close(struct oplog_reader *);
/* As much of its buffers as reading n bytes fills, mapped now by
 * warm_range(), not a page fault at a time as the reads fill them (a
 * verifying thread of oplog_par.c, about to read megabytes). */
void	oplog_reader_warm(struct oplog_reader *, long long n);

/* Accepts a collector's copy (records as log-show --syslog shipped them):
 * the header row is optional.  Call before the first read; _headed then
 * says whether the file began with one. */
void	oplog_reader_copy(struct oplog_reader *);
int	oplog_reader_headed(const struct oplog_reader *);
/* The format the last header row read named (1 or 2), or 0: none yet. */
int	oplog_reader_format(const struct oplog_reader *);
/* Every header row must name format (1 or 2), else the read fails at its
 * line; without this call, the one the first header row names. */
void	oplog_reader_want(struct oplog_reader *, int format);
/* A header row after line 1 is a line that does not parse, as writers
 * take it in the live log, not a segment's start. */
void	oplog_reader_single(struct oplog_reader *);
/* The format a header row of n bytes (its LF, or CR LF, may end it) names:
 * 1 or 2, or 0 when it is not a header row. */
int	oplog_header_format(const char *, size_t);
/* The same for a header row in any RFC 4180 quoting of its values (at
 * most OPLOG_HEADER_QMAX bytes), as a reader takes it. */
#define OPLOG_HEADER_QMAX	512
int	oplog_header_values(const char *, size_t);
/* The format that the line of fd at offset at (its first line: 0) names,
 * read with pread(2) as oplog_header_values() takes it, or 0. */
int	oplog_header_at(int fd, long long at);
/* The header row of a log of that format, without its LF. */
const char *oplog_header_row(int format);
/* Goes on from byte offset (a line start) with pread(2), leaving the file
 * offset alone; no header row is expected there (log-show --follow). */
void	oplog_reader_seek(struct oplog_reader *, long long offset);
/* After a seek: reads no byte at or after limit (a block of the file). */
void	oplog_reader_limit(struct oplog_reader *, long long limit);
/* Goes on from offset, a line start after the header row, as line number
 * line (the lines before it were read elsewhere). */
void	oplog_reader_resume(struct oplog_reader *, long long offset, size_t line);

/* The same reading in two steps, for readers that look at a field before
 * paying for a parse (log-show's filters): _line gives the next line as it
 * is (no LF, a CR kept), after the first header row; 1, 0 at the end, -1
 * error.  _parse then parses that line: 1 a record, 0 a repeated header
 * row (skip it), -1 error.  The line is valid until the next _line. */
int	oplog_reader_line(struct oplog_reader *, const char **line, size_t *len);
int	oplog_reader_parse(struct oplog_reader *, struct oplog_record **rec);

/* Where the committed live log ends (its head): the last record's seq and
 * the file's size there, and, when open is not NULL, whether the head is
 * open (a batch may follow it, which the next writer removes if its writer
 * is gone).  ST_OK; ST_FAIL after a message when oplog.head cannot be
 * opened or read, ST_NO when what it holds is no head. */
int	oplog_committed(struct store *, long long *seq, long long *size,
	    int *open);

/* Appends the record's line as it was read, byte for byte, and an LF. */
struct buf;
void	oplog_record_raw(const struct oplog_record *, struct buf *);
/* The same line, rawlen bytes without the LF, into out. */
void	oplog_record_line(const struct oplog_record *, char *out);

/* Field f of a raw line when it and every field before it are unquoted:
 * 0 and its bytes, or -1 (quoted or too few fields: parse the line). */
int	oplog_line_field(const char *line, size_t len, int f, const char **val,
	    size_t *vlen);
/* The format (1 or 2) a genesis record's line names in its detail
 * ("format=F "), read as oplog_line_field reads; 0 when the line is no
 * seq 0 genesis with unquoted fields, or names neither.  Writers hold the
 * header row to it; log-show takes a copy's format from it. */
int	oplog_genesis_format(const char *line, size_t len);
/* The schedule a genesis record names (its time, t0, and its detail's
 * epoch_seconds), read as oplog_genesis_format reads: 1 with *t0 and *es
 * set, 0 when the line is no such genesis or either does not read. */
int	oplog_genesis_schedule(const char *line, size_t len, int64_t *t0, long long *es);
/* NULL, or why a header row of format f cannot stand over the line (len
 * bytes) after it: a genesis record of the other format.  The words every
 * writer (tail_header_check) and log-verify say at line 1; the reply
 * lasts until the thread's next call. */
const char *oplog_header_over(int f, const char *line, size_t len);

/* The one spelling of a number in the log's files and log-show's cursor:
 * decimal, no sign, no leading zero, at most 18 digits.  0, or -1.
 * Inline: the reader takes two per record. */
static inline int
oplog_decimal(const char *s, size_t len, long long *out)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > 18 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Parses one line (no LF) into rec; NULL, or a static reason.  line is
 * modified; rec's strings point into scratch (at least len + 16 bytes). */
const char *oplog_parse_line(const char *line, size_t len, char *scratch,
	    struct oplog_record *rec);
/* The same in a log of that format (1 or 2): a message names its MAC
 * column as its header row does. */
const char *oplog_parse_line_fmt(const char *line, size_t len, char *scratch,
	    struct oplog_record *, int format);

/* The verification key printed by jukisec-init, in secure memory. */
struct oplog_vkey {
	int64_t		t0;
	long long	epoch_seconds;
	unsigned char	k0[32];
};
/* Reads the key line from fd (a regular file refused when group/other can
 * read it; a pipe, a socket or a terminal taken, as for --key-file -;
 * anything else refused, as is fd open for writing only).  Returns a
 * gcry_malloc_secure'd key, or NULL with *e set (ST_FAIL, or ST_USAGE for
 * a file that is not a key); prints nothing, but for a terminal: there
 * the key is typed in, after a prompt, with echo off, Enter ending it. */
struct oplog_vkey *oplog_vkey_read(int fd, const char *name, struct jerr *e);
/* The same from the file at path, or standard input for "-" (log-verify,
 * log-show -k, log-append --recover, operator-mod --recover,
 * jukisec-audit --key-file). */
struct oplog_vkey *oplog_vkey_open(const char *path, struct jerr *e);
void	oplog_vkey_free(struct oplog_vkey *);

/*
 * A caller that shows what it verifies (log-show -k) passes a sink.  record()
 * gets each record, in order, once it has passed every rule but perhaps its
 * MAC: MACs may be checked on another core a batch behind, and a pruned
 * log's first record only against its checkpoint.  verified(seq) then says
 * that every record handed on up to seq has verified, MAC included; show
 * nothing before that.  record() returns 0 to go on, 1 to have the queued MAC
 * checks finished first (verified() follows; for a caller holding output),
 * -1 to stop (the result is then ST_FAIL with an empty reason).  The live
 * log's records are handed on up to its committed end, the record its head
 * (read before it) names, as a reader without -k reads it: those after a
 * closed head are verified, not handed on (a power loss's, which the next
 * writer takes in, or an append in flight that its writer may still
 * remove: no reader without the log lock can tell), nor are any with a
 * head that does not verify.  Each record
 * is handed on once: when the live log fails after its head and the log
 * lock shows that a writer moved it, the log is verified again from its
 * start (after the files named before it, as the first pass left them:
 * they are not read again, standard input may be a pipe), as without a
 * sink, and what was handed on before is verified but not handed again
 * (or, when its last record is not found again with the same MAC, the
 * first failure stands).
 */
struct oplog_sink {
	int	(*record)(void *, const struct oplog_record *);
	int	(*verified)(void *, long long seq);
	void	*arg;
	/* Optional, together: the log verified a block per core.  wants(r),
	 * called on any thread and pure (it reads only what does not change
	 * during the verification), is 0 when record() would make nothing of
	 * r; such records do not reach record(), and skipped(first, last)
	 * says, in file order with the records handed on, that the records
	 * first..last went by unwanted.  Without them a sink sees every
	 * record. */
	int	(*wants)(void *, const struct oplog_record *);
	void	(*skipped)(void *, long long first, long long last);
};

/* Where a verified chain ends, to go on from (log-show --follow -k): its
 * last record, and what the rules of the records after it look back to
 * (a log-prune checkpoint's removed= goes on from the last one's, or from
 * seq 0 in a log never pruned). */
struct oplog_chain {
	long long	seq, epoch, erecs;	/* erecs: records of epoch so far */
	int64_t		time;
	unsigned char	mac[OPLOG_MACLEN];
	int		seal, whole;		/* whole: erecs counts the whole epoch */
	long long	first;			/* the chain's first record */
	long long	cp_last;		/* the last checkpoint's LAST, or -1 */
};

/* A record the log must hold: an anchor, or any record seen elsewhere
 * (a copy shipped off the host). */
struct oplog_anchor {
	long long	seq;
	unsigned char	mac[OPLOG_MACLEN];
};

/* Records a worker of the parallel pass judged, one after the other, and
 * did not hand on one by one: a run never holds a log's first record; its
 * records follow the one before it in the same epoch or, after a seal,
 * the next (jukisec-log(5) "Verification"). */
struct oplog_run {
	long long	n;			/* records */
	long long	last_seq, last_epoch;
	int64_t		last_time;
	int		last_seal;		/* the last record is a seal */
};

/* A structural reader riding along a verification, so the log is read
 * once (jukisec-audit --key-file): start() at the beginning of every pass
 * (a live log that moved meanwhile, or a parallel pass that found
 * something, is verified again from its start; with files, an observer
 * keeps the log from being verified a block per core, which could go back
 * to a later file's start only), record() with each record
 * that passed the rules but perhaps its MAC, in file order.  Only a
 * verification that ends ST_OK has shown it the whole log.
 * An observer with wants() lets the log be verified a block per core: the
 * workers call wants() (pure: it reads only what start() left, on any
 * thread) on each record, and the records it wants reach record(); the
 * others come summed up to run(), in file order with the rest, which
 * returns 0, or 1 to have that run's records handed to record() one by one
 * instead (its own state says a summary is not enough there). */
struct oplog_observer {
	void	(*start)(void *);
	void	(*record)(void *, const struct oplog_record *);
	int	(*wants)(void *, const struct oplog_record *);
	int	(*run)(void *, const struct oplog_run *);
	void	*arg;
};

struct oplog_verify_opts {
	const char *const *files;	/* NULL/0: the live log DIR/oplog.csv;
					 * "-": standard input */
	size_t		nfiles;
	const struct oplog_sink *sink;
	const struct oplog_observer *observer;
	const struct oplog_anchor *anchors;
	size_t		nanchors;
	int64_t		now;		/* the verification time: "epochs
					 * unsealed", records dated after it */
	int		any_time;	/* no rule about records dated after now */
	int		sealed_given;	/* "epochs unsealed" as of sealed_at, not
					 * now (jukisec-audit --now in the past,
					 * now being the clock's) */
	int64_t		sealed_at;
	int		inline_macs;	/* no second core: the first bad record
					 * is the one the pass stopped at */
	int		prefix;		/* files are read as they are (no head,
					 * no second try): the longest prefix
					 * that verifies ends up in res->good */
	int		prune_lock;	/* files ending in the live log: read
					 * under DIR/prune.lock, shared, when
					 * the caller may open it, so that no
					 * log-prune runs meanwhile; waited for
					 * lock_timeout_ms at most (log-verify) */
};

/* With prefix: the last record of the longest prefix that verifies. */
struct oplog_good {
	int		ok;		/* some prefix verifies */
	long long	end;		/* its size in bytes */
	long long	seq, epoch, erecs;
	int64_t		time;
	int		seal;		/* the record is a seal */
	unsigned char	mac[OPLOG_MACLEN];
};

/* What the first bad record broke, in a few kinds: a document says it in
 * words of its own language by them (jukisec-audit --lang), where reason
 * is the verifier's sentence in the process's. */
enum oplog_bad {
	OPLOG_BAD_RULE,		/* a rule of the records' form */
	OPLOG_BAD_MAC,		/* its MAC, or a genesis record or an anchor it
				 * does not match: changed, or another key */
	OPLOG_BAD_SEQ,		/* records missing, inserted or moved at it */
	OPLOG_BAD_TIME,		/* its time: before the previous record's, not
				 * its epoch's, after the verification time */
	OPLOG_BAD_SEAL,		/* a seal malformed, miscounted or missing */
	OPLOG_BAD_PRUNE,	/* a log-prune that does not hold */
	OPLOG_BAD_HEAD,		/* not what oplog.head says */
	OPLOG_BAD_UNFINISHED	/* an append unfinished, which the next one
				 * repairs: a record after an open head, or
				 * (no seq) bytes after the last line */
};

struct oplog_verify_result {
	int		status;		/* ST_OK, ST_NO (tampering), ST_FAIL (I/O) */
	int		format;		/* the log's, 1 or 2; 0: no record read */
	long long	records, first_seq, last_seq, first_epoch, last_epoch;
	int64_t		first_time, last_time;
	unsigned char	head_mac[OPLOG_MACLEN];	/* last record's MAC */
	long long	prunes;			/* log-prune checkpoints seen */
	/* the newest log-prune record, a checkpoint or one of a run that
	 * removed nothing (removed=0): its time, 0 if none */
	int64_t		last_prune_time;
	int		last_prune_removed;	/* it is a checkpoint */
	/* detail of the checkpoint that explains where a pruned log starts
	 * (its LAST is the first record's seq - 1); "" if none; and the
	 * seq of its record, or -1 */
	char		start_checkpoint[OPLOG_DETAIL_MAX + 1];
	long long	start_checkpoint_seq;
	int		head_checked;		/* the live log's head was compared */
	/* A first file that begins with a record, not the header row, is a
	 * collector's copy (records as log-show --syslog shipped them): it may
	 * start at any seq; when no checkpoint explains that start, the first
	 * record's MAC cannot be checked (no previous MAC), the chain is
	 * verified from it on, and copy_start is its seq. */
	int		copy;
	long long	copy_start;		/* or -1 */
	/* A sink's copy read where no checkpoint can be looked for ahead
	 * (a pipe): its first record was taken as the start and not handed
	 * on, then a checkpoint verified it; its seq, or -1. */
	long long	start_unshown;
	struct oplog_chain end;			/* the last record's chain state */
	/* the live log's at its head's record, the last one a sink is handed
	 * (log-show --follow -k goes on from it); else end's */
	struct oplog_chain committed;
	long long	end_offset;		/* just past it in the last file */
	struct oplog_good good;
	/* on failure: */
	char		bad_file[256];
	size_t		bad_line;		/* 0: not a record (head, anchor, file) */
	long long	bad_seq;		/* -1: unknown */
	enum oplog_bad	bad_kind;		/* with a bad_seq: what it broke */
	char		reason[256];
	/* ST_FAIL for oplog.csv or oplog.head of the live log that open_safe
	 * refused for its type, owner or mode (a link, a FIFO, a directory,
	 * a device; another's, or open to others), as every tool refuses it:
	 * neither followed nor read, what someone who could write the state
	 * directory left there; log-verify takes it for tampering */
	int		refused;
	/* oplog.key refused for its type, owner or mode (a link, a FIFO, a
	 * directory; another's, or open to others; jukisec-log(5) "Files")
	 * with oplog.head and oplog.csv in place: why, else "".  Set before
	 * any record is walked.  It is operational, and said after the
	 * log's own failure, which stands: the failure itself (ST_FAIL,
	 * bad_file oplog.key) only when every record, the head and the
	 * seals verify; with ST_NO a tool says "oplog.key: " and it after
	 * the failure's line, before err's */
	char		key_refused[128];
	/* oplog.key not there (ENOENT) while the head and the log are: the
	 * failure, bad_file oplog.key, once every record verifies */
	int		key_missing;
	/* what failed that is not the log's (the log lock, taken to tell a
	 * writer's window from a failure): code ST_OK when nothing did; the
	 * verifier prints nothing.  With status ST_FAIL (a timeout: a writer
	 * may be at work; an I/O error) a tool prints it alone, not bad_file
	 * and reason, which then say it in short ("oplog.lock", "lock
	 * timeout"); with ST_NO (a lock file refused for its type, owner or
	 * mode: planted, the failure stands) after the failure's line */
	struct jerr	err;
};

/* Verifies the files (or the live log and its head, also when the last
 * file is the live log).  st may be NULL when files are given. */
int	oplog_verify(struct store *, const struct oplog_vkey *,
	    const struct oplog_verify_opts *, struct oplog_verify_result *);

/* DIR/prune.lock taken as oplog_verify takes it with prune_lock, by a
 * reader of the chain that reads more than the verifier does (log-show:
 * its first line read ahead for the format, the files without -k):
 * shared, when files are two or more and the last is st's live log and
 * the caller may open it, waited for lock_timeout_ms at most.  The fd to
 * close once the chain is read; -1 when there is none to take; -2 when
 * it was not had (*e says why: a lock timeout, an I/O error). */
int	oplog_prune_hold(struct store *, const char *const *files, size_t nfiles,
	    struct jerr *);

/* Goes on verifying after a chain that ended at *from (log-show --follow):
 * each record added is checked at once, MAC included; add returns 0 or -1
 * (res says why, as for oplog_verify; res->end follows the last good one).
 * Records dated after *now fail; now NULL: after the clock as each record
 * is added.  The chain began where the live log begins (from->first). */
struct oplog_verifier;
struct oplog_verifier *oplog_verifier_new(const struct oplog_vkey *,
	    const struct oplog_chain *from, const int64_t *now,
	    struct oplog_verify_result *);
int	oplog_verifier_add(struct oplog_verifier *, const struct oplog_record *,
	    const char *file);
/* The live log, read from its start again (a prune renamed a new one in),
 * begins with r, in file: a checkpoint added from then on that explains
 * that start is held to it as log-verify holds the log's checkpoint to its
 * first record (its MAC chained from cut_mac, the cutoff's bounds), and
 * none may claim records the log holds.  r need not be added. */
void	oplog_verifier_live(struct oplog_verifier *, const struct oplog_record *r,
	    const char *file);
void	oplog_verifier_free(struct oplog_verifier *);

/* Parses "jukisec-log-anchor v1 seq=S mac=HEX"; 0 or -1. */
int	oplog_anchor_parse(const char *, long long *seq, unsigned char mac[OPLOG_MACLEN]);

/*
 * For log-prune: under STORE_LOCK_LOG, which the caller holds, checks the
 * log as every writer does, has copy() append to af (an atomic_begin'd file
 * in st->dirfd named "oplog.csv", holding the header and the kept records)
 * what the log holds from where the caller's scan stopped up to the end the
 * head just checked commits, appends the seals of ended epochs and the
 * checkpoint (operator "-", action log-prune, object oplog.csv, result ok,
 * detail `detail` and " kept=N", N records after cut_seq before it), renames
 * af over the log and commits the head.  af is committed or aborted.
 */
int	oplog_replace(struct store *, struct atomic_file *af, long long cut_seq,
	    const char *detail, int64_t now, int (*copy)(void *, long long end),
	    void *arg, long long *kept);

/*
 * log-append --recover: with the verification key, puts back a damaged or
 * missing header row when the records then verify from the start (a
 * replaced first line saved to DIR/oplog-header-TIME), keeps the longest
 * prefix of oplog.csv that verifies, saves the rest to DIR/oplog-cut-TIME
 * (or TIME-N, the first N from 1 whose name is free), and
 * goes on with a "recover" record, new head slots and a new oplog.key
 * (jukisec-log(5), "Recovery").  ST_OK (summary says what was done, or that
 * nothing was to do), ST_NO when nothing verifies with this key (nothing
 * changed), ST_FAIL after a message.
 */
int	oplog_recover(struct store *, const struct oplog_vkey *, int64_t now,
	    char *summary, size_t cap);

#endif
