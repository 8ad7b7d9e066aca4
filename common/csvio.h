/*
 * csvio.h — strict CSV (RFC 4180) on libcsv: every file in the state
 * directory and every line of log-append --stdin goes through here.
 *
 * Invariants of what is accepted: libcsv in CSV_STRICT|CSV_STRICT_FINI mode
 * (a stray quote or an unterminated field is an error, not a guess); LF or
 * CRLF record ends; every record has exactly the expected number of fields;
 * every field is valid UTF-8 (no overlongs, no surrogates), has no NUL, is at
 * most the reader's field limit, and, unless the column allows it, has no CR
 * or LF (after csvr_row_errors, a field breaking this but for its length
 * costs only its record).  The first error stops the reader and is reported once as
 * "FILE:LINE: field NAME: reason" (ST_USAGE for input, ST_FAIL for state).
 * Records are streamed: memory does not grow with the file.
 *
 * What is written: fields are quoted only when they must be (a comma, quote,
 * CR, LF, or leading/trailing space), quotes doubled, records end in LF.
 */
#ifndef CSVIO_H
#define CSVIO_H

#include <stddef.h>
#include <stdio.h>
#include "field.h"
#include "mem.h"

struct csv_reader;

struct csv_record {
	size_t	nfields;
	char	**field;	/* NUL-terminated (NUL inside a field is rejected) */
	size_t	*len;
	size_t	line;		/* physical line the record starts on, 1-based */
	/* after csvr_row_errors: NULL, or the reason of the first field
	 * breaking the field rule, bad_field its column */
	const char *bad_why;
	size_t	bad_field;
};

/* cols: the column names (for messages and header checking); ncols > 0.
 * multiline: bitmask of columns that may contain LF (bit i = column i).
 * header: 1 = the first record must equal cols exactly (then it is skipped).
 * maxfield: longest field in bytes. */
struct csv_reader *csvr_open(FILE *, const char *filename,
	    const char *const *cols, size_t ncols, unsigned long multiline,
	    int header, size_t maxfield);

/* Each column's own limit (ncols entries, each at most maxfield) instead
 * of maxfield, for messages such as "field operator: longer than 64 bytes". */
void	csvr_limits(struct csv_reader *, const size_t *colmax);

/* A field value that breaks the field rule but for its length (invalid
 * UTF-8, a NUL, a line break in a one-line column) costs its record only:
 * the record is returned with bad_why set, for a reader that leaves such
 * rows out and reads on.  A field's length, the quoting and the number of
 * fields still stop the reader: they bound its memory and say where a
 * record ends. */
void	csvr_row_errors(struct csv_reader *);

/* Where the reader's one error message goes: by default stderr (warnx);
 * after csvr_errto(r, e), into *e (jerr.h's jerr_say), printed by nobody. */
struct jerr;
void	csvr_errto(struct csv_reader *, struct jerr *);

/* 1: *rec holds the next record (valid until the next call); 0: end of
 * input; -1: error, already reported (stderr, or the csvr_errto jerr). */
int	csvr_next(struct csv_reader *, struct csv_record **rec);

/* After -1: 1 if the cause was I/O rather than bad content. */
int	csvr_ioerror(const struct csv_reader *);

/* After -1: 1 if the cause was a last record cut off before its line end
 * (a torn tail: csvr_offset() is where the good part ends). */
int	csvr_torn(const struct csv_reader *);

/* Byte offset just past the last record returned (for tail repair, prune). */
long long csvr_offset(const struct csv_reader *);

void	csvr_close(struct csv_reader *);	/* does not fclose */

/* Appends one CSV record (fields quoted as needed, LF end). */
void	csv_format_record(struct buf *, const char *const *field, const size_t *len, size_t n);

/* Writes one record to a stdio stream; 0 or -1 (errno). */
int	csv_write_record(FILE *, const char *const *field, size_t n);

#endif
