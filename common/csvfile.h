/*
 * csvfile.h — the small append-only CSV files of the state directory
 * (confirmations.csv; incidents.csv keeps its own reader): read whole,
 * replaced whole with one row more (the bytes after made here, the file
 * replaced with its note by pending_replace).
 *
 * Invariants: the caller holds STORE_LOCK_REGISTER around read and append,
 * and validates every row it read before appending (a corrupt file is
 * refused, never extended).  Readers take no lock: after rename(2) they see
 * the old or the new file.  The old bytes are copied unchanged.
 */
#ifndef CSVFILE_H
#define CSVFILE_H

#include <stddef.h>
#include "csvio.h"
#include "store.h"

/* The bytes of DIR/name into raw (raw->len 0 when the file is missing).
 * ST_OK, or ST_FAIL after a message naming the file: to the store's own
 * error target (st->err: the PAM module's, never the host's stderr; a
 * tool's prints), or in *e with csvfile_read_err (jerr_say: e NULL
 * prints). */
int	csvfile_read(struct store *, const char *name, struct buf *raw);
int	csvfile_read_err(struct store *, const char *name, struct buf *raw,
	    struct jerr *e);
/* As csvfile_read_err, *there 0 when the file is missing, else 1: a
 * file there but empty is not a missing one (writers never leave one). */
int	csvfile_read_there(struct store *, const char *name, struct buf *raw,
	    int *there, struct jerr *e);

/* The file after a row is appended: raw, or the header cols when raw is
 * empty, then row, into *out (malloc'd, *len bytes), for the caller to
 * replace the file with through its note (pending.h).  0, or -1 with
 * errno. */
int	csvfile_after(const struct buf *raw, const char *const *cols,
	    const char *const *row, size_t n, char **out, size_t *len);

#endif
