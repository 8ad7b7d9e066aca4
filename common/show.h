/*
 * show.h — log-show: the operation history (R6) for people and pipes.
 *
 * The log is read through oplog_read.c and verified through oplog_verify.c
 * (one implementation of both); this module chooses records, renders them
 * and hands them on: to standard output, or one syslog message each.
 *
 * Invariants: memory does not grow with the log (records stream through
 * fixed buffers; --summary keeps one counter per distinct key); without -k
 * a record no filter selects is skipped after looking at the fields the
 * filters name, unparsed; with -k every record is verified and nothing is
 * handed on before it has verified, MAC included.
 */
#ifndef SHOW_H
#define SHOW_H

#include <stddef.h>
#include <stdint.h>
#include "oplog_verify.h"
#include "store.h"
#include "timeutil.h"

enum show_format { SHOW_CSV, SHOW_JSON, SHOW_TABLE, SHOW_RAW };
enum show_key { SHOW_NOKEY, SHOW_OPERATOR, SHOW_ACTION, SHOW_TERMINAL, SHOW_RESULT, SHOW_DAY };

struct show_filter {
	/* records with since <= time <= until (the last instant kept: the
	 * end of --until's TIME less 1 ms, at most TIME_MAX), as the log's
	 * time text (whose byte order is time order); "" when not given */
	char		since[TIME_BUFSZ], until[TIME_BUFSZ];
	int		since_past;	/* --since after TIME_MAX: none passes */
	const char	*eq[OPLOG_NFIELDS];	/* exact values: terminal, operator, action, result */
	const char	*object;		/* a substring of the object */
};

/* --cursor-file: its name as given, for messages; its directory, opened
 * once when it is checked (show_cursor_open), and its name there. */
struct show_cursor {
	const char	*path;
	int		 dfd;
	const char	*base;
};

struct show_opts {
	struct show_filter f;
	enum show_format fmt;
	enum show_key	summary;
	const char *const *files;		/* 0 files: the live log */
	size_t		nfiles;
	int		follow;
	struct show_cursor *cursor;		/* --cursor-file, or NULL */
	const char	*syslog;		/* the socket, or NULL */
	int64_t		now;			/* for -k on the live log */
	int		now_given;		/* --now: --follow -k judges the new
						 * records by it too, not the clock */
	/* Where show_run's failures and warnings go (jerr_say): NULL,
	 * log-show's, printed at once as warn(3) would. */
	struct jerr	*err;
};

/* --since/--until: RFC 3339, or a local "YYYY-MM-DD" or "YYYY-MM-DD HH:MM"
 * (TZ from the environment).  until: the end of what was typed (the whole
 * day, the whole minute, the instant itself).  0, or -1. */
int	show_time_arg(const char *, int until, int64_t *ms);
int	show_format_parse(const char *, enum show_format *);
int	show_key_parse(const char *, enum show_key *);

/* Runs log-show; st may be NULL when files are given, vk NULL without -k.
 * Returns the exit status. */
int	show_run(struct store *, const struct oplog_vkey *, const struct show_opts *);

/* --- inside log-show (show_*.c) --- */

/* Does the record pass the filters?  _line looks at a raw line: 0 it does
 * not (skip it unparsed), 1 it may (parse it and ask _record). */
int	show_match_line(const struct show_filter *, const char *line, size_t len);
int	show_match_record(const struct show_filter *, const struct oplog_record *);
int	show_filter_any(const struct show_filter *);

/* The output: records rendered into a buffer, held while unverified,
 * written to standard output or sent to syslog. */
struct show_out;
struct show_out *show_out_new(const struct show_opts *, int hold);
/* The format of the log shown (jukisec-log(5)), for the header row and
 * the MAC's name; 1 until said; 0: not known (a copy without a header
 * row, shown without -k), which raw output does not name.  A header row
 * not yet written takes a later format (the one -k verified under). */
void	show_out_format(struct show_out *, int format);
/* The first file shown has no header row (a copy): raw output gets none
 * either, whatever its format (-k knows it), so that all of a copy shown
 * raw is a copy that log-verify(1) verifies as it did the input. */
void	show_out_headerless(struct show_out *);
/* Adds a record (a parsed one; seq for holding). */
void	show_out_record(struct show_out *, const struct oplog_record *);
/* Records up to seq have verified: they may go. */
void	show_out_verified(struct show_out *, long long seq);
/* Pushes out what may go (before a wait, at the end); 0, or -1 after a
 * message (write or send failed). */
int	show_out_flush(struct show_out *);
/* Bytes held back (unverified). */
size_t	show_out_held(const struct show_out *);
/* The last seq handed on (written or sent), or -1. */
long long show_out_last(const struct show_out *);
/* After each record: writes when a large piece is ready.  0 or -1. */
int	show_out_step(struct show_out *);
/* Ends the output (table rows, summary); 0 or -1 after a message. */
int	show_out_end(struct show_out *);
void	show_out_free(struct show_out *);

/* Summary counters (--summary). */
struct show_count;
struct show_count *show_count_new(enum show_key);
void	show_count_add(struct show_count *, const char *key, size_t len, int64_t time);
/* Writes the counts in fmt into b, keys in byte order. */
void	show_count_render(struct show_count *, enum show_format, struct buf *);
void	show_count_free(struct show_count *);
/* The field of a key (OF_OPERATOR ...; OF_TIME for day). */
int	show_key_field(enum show_key);

/* Rendering one record or a table of them (show_render.c). */
void	show_render_header(enum show_format, int format, struct buf *);
void	show_render(enum show_format, int format, const struct oplog_record *, struct buf *);
struct show_table;
/* The rows a table writes at a time, its columns as wide as they and the
 * rows before need: the table grows past it while rows wait (log-show -k). */
#define SHOW_TABLE_ROWS	256
struct show_table *show_table_new(void);
void	show_table_add(struct show_table *, const struct oplog_record *);
size_t	show_table_rows(const struct show_table *);
/* The seq of row i kept; the bytes of the rows kept. */
long long show_table_seq(const struct show_table *, size_t i);
size_t	show_table_held(const struct show_table *);
/* Writes the first k rows kept (the head row first, once) and forgets
 * them, keeping the rest; ends, if not NULL, gets where each row ends in b. */
void	show_table_flush(struct show_table *, struct buf *, size_t k, size_t *ends);
void	show_table_free(struct show_table *);

/* Syslog shipping (show_syslog.c): one datagram per record.  Its
 * messages (open, and every send's) are said to the jerr given to open
 * (jerr_say: NULL prints them). */
struct show_syslog;
struct show_syslog *show_syslog_open(const char *socket, struct jerr *);
/* The severity of a record's message: info, notice for denied, warning
 * for any other result but ok. */
int	show_syslog_severity(const struct oplog_record *);
/* Sends one record's line (no LF); 0, 1 when log-show was stopped while
 * the send waited (not sent), or -1 after a message. */
int	show_syslog_send(struct show_syslog *, int severity, const char *line, size_t len);
void	show_syslog_close(struct show_syslog *);

/* The cursor file (show_follow.c): the last seq handed on.  read: ST_OK
 * (-1 in *seq when the file does not exist), else the status with a
 * message said to the jerr (jerr_say).  write: atomic (temporary file,
 * rename); sync also makes it durable; seq -1 is a trial of a cursor
 * there is none of yet: its temporary file made, written, synced and
 * removed.  0, or -1 with a message said. */
int	show_cursor_read(const struct show_cursor *, long long *seq, struct jerr *);
int	show_cursor_write(const struct show_cursor *, long long seq, int sync,
	    struct jerr *);
/* SIGTERM, SIGINT and SIGHUP (those not ignored) caught for a clean stop
 * (show_follow.c): catch is 0, or -1 with a message said; stopped is the
 * signal caught, else 0; release puts the handlers back (stopped still
 * says). */
int	show_stop_catch(struct jerr *);
int	show_stopped(void);
void	show_stop_release(void);
/* The cursor's directory opened (c->path set, st NULL or the live
 * log's), and refused inside the state directory: exit 2, the message
 * said to e.  ST_OK, else the exit status after a message. */
int	show_cursor_open(struct store *, struct show_cursor *, struct jerr *);

#endif
