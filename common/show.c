/*
 * show.c — log-show's reading: files or the live log, verified or not,
 * once or following.
 *
 * Invariants: records are read through oplog_reader (without -k, a line
 * that no filter selects is skipped after a look at the fields the
 * filters name) or verified through oplog_verify with a sink (with -k:
 * the whole chain, then only verified records go out).  The live log's
 * records are handed on up to its committed end (the record its head
 * names, the head read before the log): those of an append still under
 * way, which its writer or a repair may remove, never are.  With -k the
 * log is verified as log-verify reads it, to its end: records after a
 * closed head (a head a power loss left behind, which writers bring up to
 * date, or an append in flight: a reader without the lock cannot tell)
 * verify but are handed on only once a head names them, records after an
 * open head fail.  Records at or before the cursor (the last seq handed
 * on) are skipped, so a follower restarted, or a prune's rename in
 * between, repeats none; --follow -k goes on verifying from the head's
 * record, the records up to the cursor included, unshown.  A follower
 * without -k that reads a new oplog.csv from its start finds there the
 * record of the last seq it read, or says that the log was put back and
 * hands on again from the recovery's record (fork_said).
 * Files that end in the live log are read under prune.lock, shared, as
 * log-verify reads them; the live log alone and a follower do not take it.
 * With --follow or --cursor-file a stop signal (show_stop_catch) ends the
 * reading between two records; the output then hands on nothing more, and
 * the cursor is made durable as at the end of the log.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "show.h"
#include "oplog_tail.h"

struct show_wait *show_wait_new(struct store *, struct jerr *);
void	show_wait(struct show_wait *, int ms);
void	show_wait_free(struct show_wait *);

/* Where a read of a file stopped: just past the last line it took, and
 * that line's number, which the next read (--follow) counts on from:
 * messages name a record by its line in the file. */
struct spot {
	long long	offset;
	size_t		line;
};

struct ctx {
	const struct show_opts *o;
	struct show_out	*out;
	long long	after;		/* the last seq read (or the cursor's) */
	long long	end;		/* the live log's end as this run read it:
					 * with -k its last record that verified
					 * (shown or not), without the committed
					 * end (the head's, or the last record
					 * of a log shorter than the head says) */
	int		byseq;		/* skip records at or before it: --follow, --cursor-file */
	int		warned;		/* a gap before the first record was said */
	int		sniff;		/* a stream first (first_streamed), format
					 * not known yet */
	int		handed;		/* a record reached sink_record() */
	int		stopped;	/* the sink said stop: stopped, not failed */
	struct oplog_verifier *ver;
	long long	chained;	/* ver: the last seq it took, at or
					 * before after (the cursor may name a
					 * record past the committed end) */
	unsigned char	cmac[OPLOG_MACLEN];	/* ver: that record's MAC */
	int		start;		/* ver: the live log read from its start,
					 * its first record next */
	struct oplog_verify_result res;
	int		status;
	struct jerr	*err;		/* o->err */
	/* Without -k, the MAC of the record of seq after when this run read
	 * it (macd), and the last recovery record a read from a file's start
	 * passed over (rec_seq, -1 none, and where its line begins): a
	 * follower that reads a new oplog.csv from its start checks that its
	 * record of seq after is still that one (fork_said()). */
	unsigned char	mac[OPLOG_MACLEN];
	int		macd;
	long long	rec_seq;
	struct spot	rec_at;
};

/* The cursor's record was pruned away before it was handed on. */
static void
gap(struct ctx *c, long long seq)
{
	if (c->after >= 0 && seq > c->after + 1 && !c->warned)
		jerr_say(c->err, ST_OK, _("records %lld to %lld were removed "
		    "from the log before they were shown"), c->after + 1,
		    seq - 1);
	c->warned = 1;
}

static int
seq_of(const char *line, size_t len, long long *seq)
{
	const char *v;
	size_t n, i;

	if (oplog_line_field(line, len, OF_SEQ, &v, &n) == -1 || n == 0 || n > 18)
		return -1;
	for (*seq = 0, i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		*seq = *seq * 10 + (v[i] - '0');
	}
	return 0;
}

static int
report_reader(struct ctx *c, struct oplog_reader *rd, const char *name)
{
	size_t line;
	int io;
	const char *why = oplog_reader_error(rd, &line, &io);

	jerr_say(c->err, io ? ST_FAIL : ST_NO, "%s:%zu: %s", name, line, why);
	return io ? ST_FAIL : ST_NO;
}

/* The records a follower passes over unparsed: without -k those handed
 * on, with -k those its verifier took. */
static long long
passed_seq(const struct ctx *c)
{
	return c->ver != NULL ? c->chained : c->after;
}

/* A read that met, at the last seq read, another record than the one
 * this run read there (fork_said()). */
#define SHOW_FORK	100

/* The record of seq after: its MAC kept (without -k: with -k the
 * verifier checks the chain itself), from its parse or from its line's
 * last field, which is never quoted. */
static void
after_record(struct ctx *c, const struct oplog_record *r)
{
	c->after = r->seq;
	memcpy(c->mac, r->mac, OPLOG_MACLEN);
	c->macd = c->ver == NULL;
}

static int
line_mac(const char *line, size_t len, unsigned char mac[OPLOG_MACLEN])
{
	const char *comma = memrchr(line, ',', len);

	return comma == NULL ? -1 : hex_decode(comma + 1,
	    len - (size_t)(comma + 1 - line), mac, OPLOG_MACLEN);
}

static void
after_line(struct ctx *c, long long seq, const char *line, size_t len)
{
	c->after = seq;
	c->macd = c->ver == NULL && line_mac(line, len, c->mac) == 0;
}

/* With -k, the record of seq the verifier took last, met again in a log
 * read from its start (a prune's, renamed in): the chain goes on from it,
 * so it must be that very record, else the records after it are another
 * history than the one verified and shown.  ST_OK, or ST_NO said. */
static int
chain_kept(struct ctx *c, const char *name, size_t line, long long seq,
    const unsigned char mac[OPLOG_MACLEN])
{
	if (seq != c->chained || ct_equal(mac, c->cmac, OPLOG_MACLEN))
		return ST_OK;
	jerr_say(c->err, ST_NO, _("%s:%zu: seq %lld: not the record verified "
	    "as seq %lld before the log was replaced"), name, line, seq, seq);
	return ST_NO;
}

/* A record a read by seq passes over, handed on before (its line
 * beginning at *before, where the read stands, line number lineno of
 * name): a recovery's is remembered; the one of seq after must be the
 * record this run read there, else SHOW_FORK; with -k the one of seq
 * chained the verifier's (chain_kept). */
static int
passed_over(struct ctx *c, const struct spot *before, long long seq,
    const char *line, size_t len, const char *name, size_t lineno)
{
	unsigned char mac[OPLOG_MACLEN];
	const char *v;
	size_t n;

	if (oplog_line_field(line, len, OF_OPERATOR, &v, &n) == 0 &&
	    n == 1 && *v == '-' &&
	    oplog_line_field(line, len, OF_ACTION, &v, &n) == 0 &&
	    n == 7 && memcmp(v, "recover", 7) == 0) {
		c->rec_seq = seq;
		c->rec_at = *before;
	}
	if (c->ver != NULL && seq == c->chained) {
		if (line_mac(line, len, mac) == -1)
			memset(mac, 0, sizeof(mac));
		return chain_kept(c, name, lineno, seq, mac);
	}
	if (seq != c->after || !c->macd)
		return ST_OK;
	return line_mac(line, len, mac) == 0 &&
	    memcmp(mac, c->mac, OPLOG_MACLEN) == 0 ? ST_OK : SHOW_FORK;
}

/* One record read without -k (already past the filters), or with -k by
 * --follow (every record after the chain).  Its form was checked by the
 * reader but for the fields jukisec-log(5) wants not empty, which
 * log-verify checks in its walk: a malformed record here too. */
static int
take(struct ctx *c, const struct oplog_record *r, const char *name)
{
	if (c->ver == NULL && (r->len[OF_TERMINAL] == 0 ||
	    r->len[OF_OPERATOR] == 0 || r->len[OF_ACTION] == 0)) {
		jerr_say(c->err, ST_NO, _("%s:%zu: seq %lld: field %s: empty"),
		    name, r->line, r->seq, r->len[OF_TERMINAL] == 0 ? "terminal" :
		    r->len[OF_OPERATOR] == 0 ? "operator" : "action");
		return ST_NO;
	}
	if (c->ver != NULL && c->byseq &&
	    chain_kept(c, name, r->line, r->seq, r->mac) != ST_OK)
		return ST_NO;
	/* after a prune's rename, the start its checkpoint must explain;
	 * verified before, most often */
	if (c->start) {
		c->start = 0;
		oplog_verifier_live(c->ver, r, name);
		if (c->byseq && r->seq <= c->chained)
			return 0;
	}
	gap(c, r->seq);
	/* records up to the cursor that the chain has not reached yet
	 * (past the committed end when the run began) are verified, not
	 * shown again */
	if (c->ver != NULL && r->seq > c->chained) {
		if (oplog_verifier_add(c->ver, r, name) == -1) {
			jerr_say(c->err, ST_NO, _("%s:%zu: seq %lld: %s"),
			    c->res.bad_file, c->res.bad_line, c->res.bad_seq,
			    c->res.reason);
			return ST_NO;
		}
		c->chained = r->seq;
		memcpy(c->cmac, r->mac, OPLOG_MACLEN);
	}
	if (c->byseq && r->seq <= c->after)
		return 0;
	after_record(c, r);
	if (c->ver != NULL && !show_match_record(&c->o->f, r))
		return 0;
	show_out_record(c->out, r);
	if (c->ver != NULL)
		show_out_verified(c->out, r->seq);
	return show_out_step(c->out) == -1 ? ST_FAIL : ST_OK;
}

/* The format a log's first line (len without its LF) names: its header
 * row's, or a copy's genesis record's (oplog_genesis_format), else 0. */
static int
line_format(const char *line, size_t len)
{
	int f = oplog_header_format(line, len);

	return f != 0 ? f : oplog_genesis_format(line, len);
}

/* 1 when the first file is read as a stream, opened once, by the
 * reader: standard input, or a file that is no regular one (a FIFO,
 * such as a decompressing pipeline's).  Opened before to learn its
 * format, a FIFO let its waiting writer go on, whose bytes written
 * before the reader's open were lost, and that open waited for ever. */
static int
first_streamed(const struct show_opts *o)
{
	struct stat sb;

	return o->nfiles > 0 && (strcmp(o->files[0], "-") == 0 ||
	    (stat(o->files[0], &sb) == 0 && !S_ISREG(sb.st_mode)));
}

/* The format the first file's (or the live log's) first line names;
 * 1 for a stream (first_streamed), not read ahead: sniff() decides it as
 * it streams. */
static int
log_format(struct store *st, const struct show_opts *o)
{
	char buf[OPLOG_LINE_MAX + 2];
	char *lf;
	ssize_t got;
	int fd, f = 1;

	if (first_streamed(o))
		return 1;
	fd = o->nfiles > 0 ? open(o->files[0], O_RDONLY | O_CLOEXEC | O_NONBLOCK) :
	    st != NULL ? store_openat(st, "oplog.csv", O_RDONLY, 0) : -1;
	if (fd == -1)
		return 1;
	if ((got = pread(fd, buf, sizeof(buf), 0)) > 0 && (lf = memchr(buf, '\n', got)) != NULL)
		f = line_format(buf, lf - buf);
	close(fd);
	return f;
}

/* Standard input's format, from what the reader has read of it, as
 * log_format() takes a file's from its first line: the header row the
 * reader passed over, else line (its first, or NULL: none), else 1 as
 * for an empty file.  Before any record is rendered: the header row
 * and JSON's MAC key name it, and raw output has none when it is 0. */
static void
sniff(struct ctx *c, struct oplog_reader *rd, const char *line, size_t len)
{
	int f = oplog_reader_format(rd);

	c->sniff = 0;
	show_out_format(c->out, f != 0 ? f : line != NULL ? line_format(line, len) : 1);
}

static void
passed(struct spot *at, const struct oplog_reader *rd)
{
	at->offset = oplog_reader_offset(rd);
	at->line = oplog_reader_lines(rd);
}

/* A reader of fd from *at on: a file given as a copy may be read, the
 * live log as writers read it (a header row on line 1 only). */
static struct oplog_reader *
reader_at(int fd, const char *name, const struct spot *at, int live)
{
	struct oplog_reader *rd = oplog_reader_open(fd, name);

	if (at->offset > 0)
		oplog_reader_resume(rd, at->offset, at->line);
	else if (!live)
		oplog_reader_copy(rd);
	if (live)
		oplog_reader_single(rd);
	return rd;
}

/*
 * Reads fd from *at on, up to the record of seq last (-1: to the end),
 * and leaves *at just past the last record taken.  With a verifier
 * every record after the cursor goes through it, selected or not, and
 * the first one of a live log read from its start (c->start).
 */
static int
read_fd(struct ctx *c, int fd, const char *name, struct spot *at, long long last, int live)
{
	struct oplog_reader *rd = reader_at(fd, name, at, live);
	struct oplog_record *r;
	const char *line;
	size_t len;
	long long seq;
	int k, st = ST_OK;

	while (st == ST_OK && !show_stopped()) {
		if (last >= 0 && c->after >= last)
			break;
		k = oplog_reader_line(rd, &line, &len);
		if (c->sniff)
			sniff(c, rd, k == 1 ? line : NULL, len);
		if (k != 1) {
			if (k == -1)
				st = report_reader(c, rd, name);
			break;
		}
		if (seq_of(line, len, &seq) == 0) {
			if (last >= 0 && seq > last)
				break;
			if (c->byseq && seq <= passed_seq(c) && !c->start) {
				st = passed_over(c, at, seq, line, len, name,
				    oplog_reader_lines(rd));
				if (st != ST_OK)
					break;
				passed(at, rd);
				continue;
			}
			if (c->ver == NULL && !show_match_line(&c->o->f, line, len)) {
				gap(c, seq);
				after_line(c, seq, line, len);
				passed(at, rd);
				continue;
			}
		}
		if (oplog_reader_format(rd) != 0)
			show_out_format(c->out, oplog_reader_format(rd));
		if ((k = oplog_reader_parse(rd, &r)) == -1) {
			st = report_reader(c, rd, name);
			break;
		}
		if (k == 1 && last >= 0 && r->seq > last)
			break;
		if (k == 1 && (c->ver != NULL || show_match_record(&c->o->f, r)))
			st = take(c, r, name);
		else if (k == 1 && (!c->byseq || r->seq > c->after)) {
			gap(c, r->seq);
			after_record(c, r);
		}
		passed(at, rd);
	}
	oplog_reader_close(rd);
	return st;
}

static int
open_file(const char *path, struct jerr *e)
{
	int fd;

	if (strcmp(path, "-") == 0)
		return dup(STDIN_FILENO);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		jerr_say_errno(e, ST_FAIL, "%s", path);
	return fd;
}

/* Without -k: the files in order, or the live log up to its head. */
static int
unverified(struct store *st, struct ctx *c)
{
	const struct show_opts *o = c->o;
	struct tail_key key;
	struct spot at;
	struct stat sb;
	long long seq, size, lfend, lat;
	size_t i;
	int fd, r;

	for (i = 0; i < o->nfiles; i++) {
		if ((fd = open_file(o->files[i], c->err)) == -1)
			return ST_FAIL;
		memset(&at, 0, sizeof(at));
		r = read_fd(c, fd, strcmp(o->files[i], "-") ? o->files[i] : "<stdin>", &at, -1, 0);
		close(fd);
		if (r != ST_OK)
			return r;
	}
	if (o->nfiles > 0)
		return ST_OK;
	if ((r = oplog_committed(st, &seq, &size, NULL)) != ST_OK)
		return r;
	c->end = seq;
	if ((fd = store_openat(st, "oplog.csv", O_RDONLY, 0)) == -1) {
		store_open_say(st, c->err, "oplog.csv");
		return ST_FAIL;
	}
	/* A log shorter than its head says (put back from a copy, not yet
	 * recovered: the writers refuse it) ends at its last record: a
	 * cursor after that is past its end (cursor_ahead). */
	if (c->byseq && fstat(fd, &sb) == 0 && sb.st_size < size &&
	    tail_record(fd, sb.st_size, &key, &lfend, &lat) == 1 &&
	    key.seq < seq)
		c->end = key.seq;
	memset(&at, 0, sizeof(at));
	r = read_fd(c, fd, "oplog.csv", &at, seq, 1);
	close(fd);
	return r;
}

/* The sink of oplog_verify: records after the cursor that pass the
 * filters, held until verified. */
static int
sink_record(void *arg, const struct oplog_record *r)
{
	struct ctx *c = arg;

	if (show_stopped()) {
		c->stopped = 1;
		return -1;
	}
	gap(c, r->seq);
	if (c->byseq && r->seq <= c->after)
		return 0;
	c->after = r->seq;
	c->macd = 0;
	/* oplog.key refused (noted before the first record): no record is
	 * shown, whether the log then fails (1) or the key is the failure
	 * (3), as log-verify's verdict is said and nothing else */
	if (c->res.key_refused[0] != '\0')
		return 0;
	if (c->res.format != 0)		/* standard input's header row, read now */
		show_out_format(c->out, c->res.format);
	/* A collector's copy whose first record is not shown (no checkpoint
	 * explains it, or none could be read ahead to) gets no header row in
	 * raw output: with one, log-verify would take the output for a
	 * pruned log whose first record no checkpoint explains; without, it
	 * verifies it as a copy.  Seen at the first record handed here, all
	 * of them without a filter (with one, the output is no copy). */
	if (!c->handed && c->res.copy && r->seq != c->res.first_seq &&
	    !show_filter_any(&c->o->f))
		show_out_headerless(c->out);
	c->handed = 1;
	if (show_match_record(&c->o->f, r))
		show_out_record(c->out, r);
	return show_out_held(c->out) > (1 << 20) ? 1 : 0;
}

/* For a log verified a block per core (struct oplog_sink): the records
 * the filters select, on any thread (the filters do not change), and the
 * others, gone by in order, counted as read_fd() counts the lines it
 * passes over without -k. */
static int
sink_wants(void *arg, const struct oplog_record *r)
{
	const struct ctx *c = arg;

	return show_match_record(&c->o->f, r);
}

static void
sink_skipped(void *arg, long long first, long long last)
{
	struct ctx *c = arg;

	if (c->byseq && last <= c->after)
		return;
	if (c->byseq && first <= c->after)
		first = c->after + 1;
	gap(c, first);
	c->after = last;
	c->macd = 0;
}

static int
sink_verified(void *arg, long long seq)
{
	struct ctx *c = arg;

	if (c->res.format != 0)
		show_out_format(c->out, c->res.format);
	show_out_verified(c->out, seq);
	if (show_out_step(c->out) == -1)
		return -1;
	if (show_stopped()) {
		c->stopped = 1;
		return -1;
	}
	return 0;
}

/* Why the log did not verify, in log-verify's lines and with its exit
 * status: the status. */
static int
not_verified(struct ctx *c, const struct oplog_verify_result *res)
{
	int status;

	/* the output failed, and said so, or log-show was stopped */
	if (res->status == ST_FAIL && res->reason[0] == '\0')
		return c->stopped ? ST_OK : ST_FAIL;
	/* the log lock timed out (a writer may be at work): its line alone */
	if (res->err.code != ST_OK && res->status == ST_FAIL) {
		jerr_say(c->err, res->err.code, "%s", res->err.msg);
		return res->err.code;
	}
	/* oplog.csv or oplog.head refused for its type, owner or mode was
	 * left by someone who could write the state directory: a log that
	 * does not verify, as log-verify takes it, not a failure to try
	 * again later */
	status = res->refused ? ST_NO : res->status;
	if (res->bad_line && res->bad_seq >= 0)
		jerr_say(c->err, status, _("%s:%zu: seq %lld: %s"),
		    res->bad_file, res->bad_line, res->bad_seq, res->reason);
	else if (res->bad_line)
		jerr_say(c->err, status, "%s:%zu: %s", res->bad_file,
		    res->bad_line, res->reason);
	else
		jerr_say(c->err, status, "%s: %s", *res->bad_file ?
		    res->bad_file : "oplog.csv", res->reason);
	/* oplog.key or a lock file planted as well: after the failure,
	 * which stands */
	if (status == ST_NO && res->key_refused[0] != '\0')
		jerr_say(c->err, ST_FAIL, "oplog.key: %s", res->key_refused);
	if (res->err.code != ST_OK)
		jerr_say(c->err, res->err.code, "%s", res->err.msg);
	return status;
}

static int
verified(struct store *st, const struct oplog_vkey *vk, struct ctx *c)
{
	struct oplog_verify_opts vo;
	struct oplog_sink sink = { sink_record, sink_verified, c, NULL, NULL };
	struct oplog_verify_result *res = &c->res;
	long long after = c->after;

	/* With a filter, the log a block per core (the records it selects
	 * kept by the workers); without, every record is wanted and one pass
	 * is the faster (the output, made on this thread, is the work). */
	if (show_filter_any(&c->o->f)) {
		sink.wants = sink_wants;
		sink.skipped = sink_skipped;
	}
	memset(&vo, 0, sizeof(vo));
	vo.files = c->o->files;
	vo.nfiles = c->o->nfiles;
	vo.now = c->o->now;
	vo.sink = &sink;
	if (oplog_verify(st, vk, &vo, res) != ST_OK)
		return not_verified(c, res);
	c->end = res->last_seq;
	if (res->copy_start >= 0 && res->copy_start > after)
		jerr_say(c->err, ST_OK, _("seq %lld: the copy starts "
		    "here; that record cannot be verified and is not "
		    "shown"), res->copy_start);
	/* not silent: the record verified, yet was not shown */
	if (res->start_unshown >= 0 && res->start_unshown > after)
		jerr_say(c->err, ST_OK, _("seq %lld: verified only by a "
		    "checkpoint further on, which standard input cannot "
		    "be read ahead to; that record is not shown (give "
		    "the copy as a file)"), res->start_unshown);
	return ST_OK;
}

/*
 * A follower that reads a new oplog.csv from its start (a prune's rename,
 * or a log put back from a copy and recovered: jukisec-log(5)) met at
 * the last seq read another record than the one it read there: the
 * records from the recovery's on are a new history, whose seqs the old
 * one handed on hid.  Said on stderr; handed on again from the recovery's
 * record, or without one (another log) nothing up to that seq, as for a
 * cursor past the end.  A run that starts from a cursor file cannot tell:
 * the file names a seq alone.
 */
static void
fork_said(struct ctx *c, struct spot *at)
{
	long long from = c->rec_seq;

	if (from >= 0 && from <= c->after) {
		jerr_say(c->err, ST_OK, _("seq %lld of the new oplog.csv is "
		    "not the record handed on as seq %lld (the log was put "
		    "back from a copy): handing on again from seq %lld, its "
		    "recovery"), c->after, c->after, from);
		c->after = from - 1;
		*at = c->rec_at;
	} else
		jerr_say(c->err, ST_OK, _("seq %lld of the new oplog.csv is "
		    "not the record handed on as seq %lld (another log, or the "
		    "log was put back from a copy): records up to %lld will "
		    "not be shown"), c->after, c->after, c->after);
	c->macd = 0;
}

/* Bytes after the head's end that a follower with -k saw stay there over
 * a wait (struct past): no writer is committing them.  A line forged
 * after the last append stops every writer, and a follower that waited
 * for the head would wait for ever, saying nothing: they are verified as a
 * run started now verifies the live log (oplog_verify, which looks again
 * under the log lock), once for each end of the file and head.  Records
 * after a closed head (a power loss) verify, and are shown when the next
 * append commits them; an unfinished append (a writer killed mid-way),
 * which the next append repairs, and a writer that holds the log lock
 * past lock_timeout_ms are waited for, as before the look. */
#define PAST_WAIT_MS	1000

struct past {
	long long	 size, seq;	/* the file's end and the head's seq */
	int		 seen, checked;
};

static int
past_head(struct store *st, const struct oplog_vkey *vk, struct ctx *c,
    int fd, long long seq, long long size, struct past *p)
{
	struct oplog_verify_opts vo;
	struct oplog_verify_result res;
	struct stat sb;

	if (fstat(fd, &sb) == -1 || sb.st_size <= size) {
		p->seen = 0;
		return ST_OK;
	}
	if (!p->seen || p->size != sb.st_size || p->seq != seq) {
		/* a writer may be between its lines and its head */
		*p = (struct past){ sb.st_size, seq, 1, 0 };
		return ST_OK;
	}
	if (p->checked)
		return ST_OK;
	p->checked = 1;
	memset(&vo, 0, sizeof(vo));
	/* as a run started now: by the clock now, not at the follower's
	 * start (records written since would be "after the verification
	 * time"), unless --now fixes it */
	vo.now = c->o->now_given ? c->o->now : time_now_ms();
	if (oplog_verify(st, vk, &vo, &res) == ST_OK ||
	    (res.status == ST_NO && res.bad_kind == OPLOG_BAD_UNFINISHED))
		return ST_OK;
	if (res.status == ST_FAIL && res.err.code != ST_OK) {
		p->checked = 0;		/* the lock timed out: look again */
		return ST_OK;
	}
	return not_verified(c, &res);
}

/* Nothing committed is left to read: the output flushed, with -k the
 * bytes past the head looked at (past_head), then a wait for the state
 * directory to change. */
static int
idle(struct store *st, const struct oplog_vkey *vk, struct ctx *c,
    struct show_wait *w, int fd, long long seq, long long size,
    struct past *p)
{
	int r;

	if (show_out_flush(c->out) == -1)
		return ST_FAIL;
	if (vk != NULL && (r = past_head(st, vk, c, fd, seq, size, p)) != ST_OK)
		return r;
	show_wait(w, p->seen && !p->checked ? PAST_WAIT_MS : 60000);
	return ST_OK;
}

/* --follow: the live log as it grows, across prunes; with -k verified
 * on from the chain at the committed end the first pass read. */
static int
follow(struct store *st, const struct oplog_vkey *vk, struct ctx *c)
{
	struct show_wait *w;
	struct stat sb, fsb;
	struct spot at = { 0, 0 };
	struct past past = { 0, 0, 0, 0 };
	long long seq, size;
	int fd = -1, r = ST_OK;

	if ((w = show_wait_new(st, c->err)) == NULL)
		return ST_FAIL;
	if (vk != NULL) {
		c->chained = c->res.committed.seq;
		memcpy(c->cmac, c->res.committed.mac, OPLOG_MACLEN);
		c->ver = oplog_verifier_new(vk, &c->res.committed,
		    c->o->now_given ? &c->o->now : NULL, &c->res);
	}
	for (;;) {
		if (show_out_flush(c->out) == -1) {
			r = ST_FAIL;
			break;
		}
		if (show_stopped())
			break;		/* a follower's end: ST_OK */
		if ((r = oplog_committed(st, &seq, &size, NULL)) != ST_OK)
			break;
		if (fd == -1 || fstatat(st->dirfd, "oplog.csv", &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
		    fstat(fd, &fsb) == -1 || sb.st_ino != fsb.st_ino || sb.st_dev != fsb.st_dev) {
			/* first time, or a prune renamed a new file in: from its start, by seq */
			if (fd != -1)
				close(fd);
			if ((fd = store_openat(st, "oplog.csv", O_RDONLY, 0)) == -1) {
				store_open_say(st, c->err, "oplog.csv");
				r = ST_FAIL;
				break;
			}
			memset(&at, 0, sizeof(at));
			c->start = c->ver != NULL;
			c->rec_seq = -1;
		}
		if (c->after < seq && (r = read_fd(c, fd, "oplog.csv", &at,
		    seq, 1)) == SHOW_FORK) {
			fork_said(c, &at);
			r = read_fd(c, fd, "oplog.csv", &at, seq, 1);
		}
		if (r != ST_OK)
			break;
		if (c->after >= seq && (r = idle(st, vk, c, w, fd, seq, size,
		    &past)) != ST_OK)
			break;
	}
	if (fd != -1)
		close(fd);
	show_wait_free(w);
	return r;
}

/*
 * A cursor past the log's end as this run read it belongs to another log,
 * or the log was put back from a copy: said once on stderr, since nothing
 * is handed on until the log passes it (its records up to there never
 * are).  The end read, not the head's seq: after a power loss the head may
 * be behind records that writers take in, which -k verifies (and shows
 * once a head names them), and a run before it may have shown them.  A
 * run stopped before the end says nothing.
 */
static void
cursor_ahead(struct ctx *c)
{
	if (c->after > c->end && !show_stopped())
		jerr_say(c->err, ST_OK, _("the cursor names seq %lld, past the "
		    "log's last record %lld (another log's cursor, or the log "
		    "was put back): records up to %lld will not be shown"),
		    c->after, c->end, c->after);
}

/* The cursor read, then replaced as it is (or, none yet, tried) before
 * anything is handed on: a run that could hand records on but not keep
 * its place would hand the same ones on at every run. */
static int
cursor_start(struct ctx *c)
{
	int r;

	if (c->o->cursor == NULL)
		return ST_OK;
	if ((r = show_cursor_read(c->o->cursor, &c->after, c->err)) != ST_OK)
		return r;
	return show_cursor_write(c->o->cursor, c->after, 1, c->err) == -1 ?
	    ST_FAIL : ST_OK;
}

int
show_run(struct store *st, const struct oplog_vkey *vk, const struct show_opts *o)
{
	struct ctx c;
	struct jerr e = JERR_INIT;
	int r, lockfd = -1;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.err = o->err;
	c.after = c.end = c.rec_seq = -1;
	c.byseq = o->follow || o->cursor != NULL;
	if ((r = cursor_start(&c)) != ST_OK)
		return r;
	/* where the shipping stands is kept: a stop ends it cleanly */
	if (c.byseq && show_stop_catch(c.err) == -1)
		return ST_FAIL;
	c.out = show_out_new(o, vk != NULL);
	/* Files that end in the live log are read under prune.lock, as
	 * log-verify reads them: a log-prune between its archive write and
	 * its rename would show the archive run past the log's start (with
	 * -k a false failure, without the records moved shown twice).  Not
	 * the live log alone, nor a follower (no files): the file opened
	 * stays whole when a prune renames a new one in, and they must not
	 * keep the nightly prune waiting. */
	if ((lockfd = oplog_prune_hold(st, o->files, o->nfiles, &e)) == -2) {
		jerr_pass(c.err, &e);
		r = e.code;
		goto out;
	}
	c.sniff = vk == NULL && first_streamed(o);
	r = log_format(st, o);
	show_out_format(c.out, r == 0 && vk != NULL ? 1 : r);	/* -k: a guess, made good */
	if (show_out_flush(c.out) == -1) {
		r = ST_FAIL;
		goto out;
	}
	r = vk != NULL ? verified(st, vk, &c) : unverified(st, &c);
	if (lockfd != -1)
		close(lockfd);	/* the files are read: a prune may go on */
	lockfd = -1;
	if (r == ST_OK && o->cursor)
		cursor_ahead(&c);
	if (r == ST_OK && o->follow && !show_stopped())
		r = follow(st, vk, &c);
	/* stopped: the end hands on nothing (show_out.c), and makes the
	 * cursor durable */
	if (r == ST_OK && show_out_end(c.out) == -1)
		r = ST_FAIL;
	else if (r != ST_OK)
		(void)show_out_flush(c.out);
out:
	if (lockfd != -1)
		close(lockfd);
	if (c.byseq)
		show_stop_release();
	oplog_verifier_free(c.ver);
	show_out_free(c.out);
	return r;
}
