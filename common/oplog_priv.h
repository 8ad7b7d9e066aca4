/*
 * oplog_priv.h — what the oplog_*.c modules share and nobody else needs:
 * keys, the MAC, the head.  Formats are those of jukisec-log(5).
 */
#ifndef OPLOG_PRIV_H
#define OPLOG_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <gcrypt.h>
#include "oplog_verify.h"

#define OPLOG_FILE	"oplog.csv"
#define OPLOG_KEYFILE	"oplog.key"
#define OPLOG_HEADFILE	"oplog.head"
#define OPLOG_CUTFILE	"oplog.cut"	/* a cut between its head and its record */
/* The temporary files of writers under the log lock, fixed names that the
 * next writer removes when a killed one left them (oplog_tmp_clear). */
#define OPLOG_CUTTMP	".tmp-oplog.cut"
#define OPLOG_RECOVERTMP ".tmp-log-recover"	/* the log with its header row back */
#define OPLOG_EVOLVE	"jukisec-log-v1 evolve"
#define OPLOG_HEADTAG1	"jukisec-log-v1 head"
#define OPLOG_HEADTAG	"jukisec-log-v2 head"
#define OPLOG_HEADTAG2	"jukisec-log-v2 head gmac_v2"	/* a format 2 log's */
#define OPLOG_GMACTAG	"jukisec-log-v2 gmac"	/* G(E) from K(E), format 2 */
#define OPLOG_IVLEN	16	/* format 2: IV(16) || TAG(16) is the MAC field */
/* How far a record may be dated after the verification time (clock skew). */
#define OPLOG_FUTURE_MS	(10 * 60 * 1000LL)

/* The writer's key: the current epoch and its key (secure memory). */
struct oplog_key {
	int64_t		t0;
	long long	epoch_seconds;
	long long	epoch;
	unsigned char	k[32];
};

/* An HMAC-SHA256 handle keyed with one epoch's key K(E); in format 2
 * also a GMAC-AES-256 handle keyed with G(E), for the records. */
struct oplog_mac {
	gcry_md_hd_t	h;
	gcry_mac_hd_t	g;		/* format 2, else NULL */
	int		format;		/* 1 or 2 (jukisec-log(5)) */
	int		secure;		/* handles in secure memory */
	long long	epoch;		/* -1: not keyed */
};

struct oplog_head {
	int		version;	/* 1 (read only) or 2 */
	long long	seq, epoch, erecs, count, size;
	long long	kepoch;		/* its hmac's key; v1: epoch */
	int64_t		time;
	unsigned char	mac[OPLOG_MACLEN];
	unsigned char	hmac[OPLOG_MACLEN];
	int		open;		/* a batch may follow: bytes after size go */
	int		slot;		/* 0 or 1: where it was read or written */
	const char	*field;		/* the token that did not read */
};
#define OPLOG_HEADSLOT	512

/* Both slots of oplog.head as read. */
struct oplog_heads {
	struct oplog_head h[2];
	const char	*why[2];	/* NULL: the slot parses */
	int		pick;		/* the head, set by oplog_heads_pick() */
	int		err;		/* errno of a failed read */
	size_t		nraw;
	char		raw[2 * OPLOG_HEADSLOT + 1];
};

long long oplog_epoch_of(int64_t t0, long long epoch_seconds, int64_t t);
int	oplog_epoch_is(int64_t t0, long long epoch_seconds, long long e, int64_t t);
int64_t	oplog_epoch_end(int64_t t0, long long epoch_seconds, long long e);

void	oplog_evolve(unsigned char k[32]);
int	mac_open(struct oplog_mac *);
int	mac_open_verify(struct oplog_mac *);	/* not secure memory: see oplog_mac.c */
/* The records' MAC from now on: format 1 (the default) or 2; before
 * mac_setkey. */
void	mac_format(struct oplog_mac *, int format);
void	mac_setkey(struct oplog_mac *, const unsigned char k[32], long long epoch);
void	mac_close(struct oplog_mac *);
/* mac(n) of jukisec-log(5) over the nine canonical fields.  claim: the
 * MAC field the record holds, whose IV a format 2 check takes (out then
 * equals claim when the record verifies); NULL to write a record (a
 * fresh IV).  Format 1 ignores it. */
void	mac_record(struct oplog_mac *, const unsigned char prev[OPLOG_MACLEN],
	    const char *const f[], const size_t len[], const unsigned char *claim,
	    unsigned char out[OPLOG_MACLEN]);
/* oplog_rec_problem() of a record as oplog_parse_line() read it: what a
 * writer would refuse to append, asked of records a writer takes in. */
const char *record_problem(const struct oplog_record *);

/* mac_record of a record as oplog_reader_parse() or oplog_parse_line()
 * (with a scratch of OPLOG_LINE_MAX + 16 bytes) gave it, once its fields
 * passed their check: each of f[0..OF_MAC) then has fifteen readable bytes
 * after it (the MAC field's 64 digits follow it in the line; the scratch
 * has 16 spare), which this reads to copy in whole sixteen-byte moves. */
void	mac_record_read(struct oplog_mac *, const unsigned char prev[OPLOG_MACLEN],
	    const char *const f[], const size_t len[], const unsigned char *claim,
	    unsigned char out[OPLOG_MACLEN]);
void	mac_head(struct oplog_mac *, const struct oplog_head *, unsigned char out[OPLOG_MACLEN]);
size_t	mac_canon(unsigned char *out, const unsigned char prev[OPLOG_MACLEN],
	    const char *const f[], const size_t len[]);
void	mac_bytes(struct oplog_mac *, const unsigned char *, size_t,
	    const unsigned char *claim, unsigned char out[OPLOG_MACLEN]);

/* MAC checks on another core (oplog_macq.c).  start: NULL when there is no
 * second core.  drain: 1 and the first failing record, or 0. */
struct macq;
struct macq *macq_start(const unsigned char k0[32], int format);
void	macq_push(struct macq *, const unsigned char prev[OPLOG_MACLEN],
	    const struct oplog_record *, const char *file);
int	macq_drain(struct macq *, size_t *line, long long *seq, const char **file);
/* The last seq of the records checked without failure so far, or -1. */
long long macq_done(const struct macq *);
void	macq_stop(struct macq *);

/* The parallel pass (oplog_par.c). */
struct par_ctx {
	int64_t		t0, now;
	long long	epoch_seconds;
	const unsigned char *k0;	/* K(0), secure memory */
	int		format;		/* the records' MAC, 1 or 2 */
	int		any_time;
	const long long	*watch;		/* seqs whose records are special */
	size_t		nwatch;
	/* records special for an observer (struct oplog_observer), or NULL */
	int		(*wants)(void *, const struct oplog_record *);
	void		*warg;
	/* records a sink wants (struct oplog_sink), listed in the block's
	 * want[]; NULL: none listed */
	int		(*sink_wants)(void *, const struct oplog_record *);
	void		*sarg;
};
struct par_last {
	long long	seq, epoch;
	int64_t		time;
	/* A whole word, so that mac starts 16-aligned: do_block() copies
	 * a record's MAC in here and the struct into its run, for every
	 * record, and a MAC stored across the 16-byte words the copy then
	 * loads stalls the load (no store forwarding). */
	long long	seal;
	unsigned char	mac[OPLOG_MACLEN];
};
/* A special record (its line at off, len bytes without the LF, the line-th
 * of the block), or a run of records judged in the block (its lines from
 * off, len bytes with their LFs, the first the line-th of the block). */
struct par_item {
	int		special;
	long long	off;
	size_t		len, line;
	long long	n;		/* run: records */
	int		newepoch;	/* an epoch began in the run */
	long long	tail_n;		/* records since, or in the run */
	struct par_last	last;		/* the run's last record */
};
/* A record of a run that a sink wants: its line at off, len bytes without
 * the LF, the line-th of the block; the bytes the worker verified are in
 * the block's wbuf at at. */
struct par_want {
	long long	off, seq;
	size_t		len, line, at;
};
#define PAR_BLOCK	(1024 * 1024)
#define PAR_ITEMS	256
/* Room for every line that begins in a block (a record's line is at least
 * 102 bytes): a sink may want them all. */
#define PAR_WANTS	(PAR_BLOCK / 64)
#define PAR_WBYTES	(PAR_BLOCK + OPLOG_LINE_MAX + 1)
/* Blocks in flight: PAR_NSLOT, or PAR_NSLOT_SINK with a sink's wbufs of
 * a block each (peak RSS) */
#define PAR_NSLOT	16
#define PAR_NSLOT_SINK	4
struct par_block {
	int		failed;
	size_t		nitems, lines;
	struct par_item	item[PAR_ITEMS];
	/* with a sink that says what it wants: those records of the runs,
	 * in file order (more than fit: the block failed) */
	size_t		nwant, wused;
	struct par_want	*want;		/* PAR_WANTS */
	char		*wbuf;		/* PAR_WBYTES */
};
struct par;
int	par_threads(void);
/* Verifies the bytes of fd from begin (a line start after the header row)
 * to size, a block at a time; NULL if no thread could start. */
struct par *par_start(int fd, long long begin, long long size, const struct par_ctx *);
/* Block bi, once verified; blocks are asked for in order, and asking for
 * one gives the one before back.  NULL after the last. */
const struct par_block *par_next(struct par *, long long bi);
void	par_stop(struct par *);


/* Key and head files in st->dirfd.  load: ST_OK or ST_FAIL after a message. */
struct oplog_key *oplog_key_new(void);
void	oplog_key_free(struct oplog_key *);
int	oplog_key_load(struct store *, struct oplog_key *);
int	oplog_key_read(struct store *, struct oplog_key *, const char **why);	/* quiet; ST_NO: garbled */
int	oplog_key_save(struct store *, const struct oplog_key *);
/* save's file written and synced under OPLOG_KEYTMP alone, not renamed:
 * jukisec-init's first key (oplog_create_done renames it).  ST_OK or
 * ST_FAIL after a message. */
int	oplog_key_stage(struct store *, const struct oplog_key *);
/* Under the log lock, before a writer writes: the temporary files above
 * that a killed writer left, removed (the key's overwritten first).
 * ST_OK, or ST_FAIL after a message naming the file. */
int	oplog_tmp_clear(struct store *);
/* Reads both slots (quiet), the file opened with oflags (a writer's
 * O_RDWR: a head it could not then write refuses before anything is
 * written): 0, or -1 with *why (open_safe_why's words when it did not
 * open, else strerror's) and hs->err set. */
int	oplog_heads_read(struct store *, struct oplog_heads *, int oflags,
	    const char **why);
/* The slot rules of jukisec-log(5) "Head": NULL and hs->pick set, or why. */
const char *oplog_heads_pick(struct oplog_heads *);
/* Both in one, for readers that want only the head. */
int	oplog_head_read(struct store *, struct oplog_head *, const char **why);
/* Writes hd (version 2) into slot `to` and sets hd->slot; m keyed with
 * K(hd->kepoch) fills hd->hmac first (NULL: hd->hmac as is); with sync,
 * durable (fdatasync(2)) before it returns. */
int	oplog_head_write(struct store *, struct oplog_head *, int to,
	    struct oplog_mac *, int sync);
/* The OPLOG_HEADSLOT bytes of a slot as read, back into slot `to`, synced:
 * 0, or -1 saying nothing. */
int	oplog_head_put(struct store *, int to, const char [OPLOG_HEADSLOT]);
/* A head line (n bytes, NUL-terminated), or a slot of n <= OPLOG_HEADSLOT
 * bytes as oplog.head holds it (the line, LF, NULs; all OPLOG_HEADSLOT of
 * them for version 2), into hd: NULL, or why it is not one. */
const char *oplog_head_parse(const char *, size_t, struct oplog_head *);
const char *oplog_head_slot_parse(const char *, size_t, struct oplog_head *);
/* hd as a version 2 slot: the line oplog_head_write writes, LF, NULs. */
void	oplog_head_format(const struct oplog_head *, char [OPLOG_HEADSLOT]);
/* K(e) from K(from) = k, e >= from, into out (secure memory of 32 bytes;
 * k itself may be out). */
void	oplog_key_at(const unsigned char k[32], long long from, long long e,
	    unsigned char out[32]);
/* 0 when hd's hmac verifies under K(hd->kepoch), derived forward from
 * K(from) = k, as the head of a log of that format (1 or 2); -1 otherwise
 * (also when kepoch < from). */
int	oplog_head_check(const struct oplog_head *, const unsigned char k[32], long long from,
	    int format);

/* The bytes a writer killed between its cut and its repair record cut
 * after the open head at head_seq and head_size, as oplog.cut notes them
 * (jukisec-log(5) "Writing"), in a log now log_size bytes long: a log
 * still the size the note gives has kept the bytes after the head, which
 * are left out.  0 when there is no note, one of another seq (stale) or
 * one that does not add up; -1 when oplog.cut is refused, said.  *there
 * set to 1 when there is a note at all; *at to the note's size, or -1. */
long long oplog_cut_noted(struct store *, long long head_seq, long long head_size,
	    long long log_size, long long *at, int *there);

/* log-append --recover (oplog_recover.c): af (begun over oplog.csv)
 * holds the log's prefix p describes (p->kepoch = its last epoch, one
 * more after a seal); k is K(p->kepoch).  Appends to af the seals of
 * ended epochs and rec, renames it over oplog.csv, then rewrites both
 * head slots and oplog.key; first: the slot of an open head a writer
 * would go by, rewritten before the rename, or -1.  af is committed or
 * aborted.  Under STORE_LOCK_LOG. */
int	oplog_rebuild(struct store *, const struct oplog_vkey *, const struct oplog_head *p,
	    int sealed, const unsigned char k[32], const struct oplog_rec *rec, int64_t now,
	    struct atomic_file *af, int first);

/* The one-line files' " KEY=VALUE" tokens, read in the page's order
 * (oplog_key.c): each reads the token at *p, which must be KEY's, and
 * moves *p past it; 0 (the value, for kv_next), or -1 (NULL).  A line is
 * whole when *p then is at its end. */
const char *kv_next(const char **p, const char *key, size_t *len);
int	kv_num(const char **p, const char *key, long long min, long long max, long long *out);
int	kv_time(const char **p, const char *key, int64_t *out);
int	kv_hex(const char **p, const char *key, unsigned char *out, size_t n);

#endif
