/*
 * csvfile.h — the small append-only CSV files of the state directory
 * (confirmations.csv; incidents.csv keeps its own reader): read whole,
 * replaced whole with one row more.
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

/* Replaces DIR/name (mode 0600) with raw, or the header cols when raw is
 * empty, then row.  ST_OK or ST_FAIL after a message. */
int	csvfile_append(struct store *, const char *name, const struct buf *raw,
	    const char *const *cols, const char *const *row, size_t n);

#endif
