/*
 * oplog_tail.h — reading oplog.csv (and archives) line by line without
 * parsing the middle fields, and from the end: what log-prune's scan and a
 * writer's completion of a killed prune (prune_recover) share; and the
 * header row that log-prune and every writer require.
 */
#ifndef OPLOG_TAIL_H
#define OPLOG_TAIL_H

#include <stddef.h>
#include <stdint.h>
#include "oplog.h"

/* The buffer a struct tail_lines reads into: a line longer is EFBIG. */
#define TAIL_BUFSZ	(1 << 20)

/* What the scan needs of a record, without unquoting the middle fields:
 * seq and time lead the line, the MAC ends it; none is ever quoted. */
struct tail_key {
	long long	seq;
	int64_t		time;
	char		mac[2 * OPLOG_MACLEN + 1];
};

struct tail_lines {
	int		fd;
	char		*buf;
	size_t		start, end;
	long long	off, limit;	/* file offset of buf[start]; stop there */
	size_t		lineno;
};

/* 1: *p, *n is the next whole line with its LF; 0: limit or end reached;
 * -1 on error (errno). */
int	tail_lines_next(struct tail_lines *, char **p, size_t *n);
/* seq, time and MAC of one line (LF included, CR LF allowed): NULL, or
 * what is wrong. */
const char *tail_parse_key(const char *p, size_t n, struct tail_key *);
/* The log's format (1 or 2) when the line is its header row, else 0. */
int	tail_is_header(const char *p, size_t n);
/* The log's format (1 or 2) when fd begins with its header row; -1
 * after a message naming fname's line 1.  With es not NULL, *t0 and *es
 * get the schedule of a genesis record on line 2 (oplog_genesis_schedule)
 * when the same read holds it whole, else *es is 0. */
int	tail_header_check(int fd, const char *fname, struct jerr *, int64_t *t0,
	    long long *es);
/* The format fd's header row names (1 or 2), else 0; quiet. */
int	tail_format(int fd);
/* The last record line of fd before size: *key filled, 1; 0 if there is
 * none; -1 on error (errno; EINVAL: that line is no record, EFBIG: it is
 * longer than the window read).  *lfend gets the offset just past the
 * last LF, *at that line's offset; with EFBIG, *at -1 and *lfend that
 * line's end.  Header rows (archive chunks) are skipped. */
int	tail_record(int fd, long long size, struct tail_key *, long long *lfend,
	    long long *at);

#endif
