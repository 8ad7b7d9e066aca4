/*
 * incident_file.h — incidents.csv, shared by incident.c (the writer) and
 * incident_file.c (the reader) and nobody else: its columns, its name.
 */
#ifndef INCIDENT_FILE_H
#define INCIDENT_FILE_H

#include "incident.h"
#include "csvio.h"
#include "oplog.h"

#define INC_FILE	"incidents.csv"
#define INC_TMP		".tmp-incidents.csv"	/* its rewrite, before the rename */

enum { C_ID, C_EVENT, C_RECORDED, C_BY, C_AT, C_OCCURRED, C_TYPE, C_CAUSE,
	C_NATURE, C_LEVEL, C_PERSONS, C_SENSITIVE, C_FINANCIAL, C_UNLAWFUL,
	C_SUMMARY, C_DETAIL, C_NOTE, C_FORCED, NCOLS };

/* The rules between the values of a new incident n and the clock (now:
 * the recording's), which new checks before the manager is asked and
 * again under the lock, and the reader on every `new` row, so that
 * nothing new would refuse is read back.  NULL, or the reason (in buf
 * when it has to be composed) with *col the column it is about.  The
 * text (incident_check_text) is checked before. */
const char *incident_new_rule(const struct inc_new *n, int64_t now, char *buf,
	    size_t len, int *col);

/* Reads the file's bytes into raw (when not NULL) and its incidents, as
 * incidents_load does. */
/* Messages to *e (jerr_say: NULL prints them). */
int	incident_file_load(struct store *, struct buf *raw, struct incidents *,
	    struct jerr *e);
/* Under STORE_LOCK_REGISTER, before incidents.csv is read to be changed:
 * a note incidents.pending that a writer killed between the file and its
 * log record left, settled (the record logged when the file has the row,
 * the note dropped when it has not), and the temporary files a kill left
 * removed.  ST_OK, or ST_FAIL after a message (the note kept). */
int	incident_file_settle(struct store *);
/* Replaces incidents.csv by raw (the bytes incident_file_load read under
 * the lock) plus the row f of NCOLS fields, atomically, after the note
 * that names rec (the row's log record) and the file before and after.
 * The caller then logs rec and calls incident_file_logged, which removes
 * the note.  ST_OK or ST_FAIL after a message; *in 1 when the file in
 * place holds the row, ST_FAIL included (pending_replace). */
int	incident_file_append(struct store *, const struct buf *raw,
	    const char *const *f, const struct oplog_rec *rec, int *in);
int	incident_file_logged(struct store *);
/* The detail of the row f's operation-log record (action incident,
 * result ok): what incident-report logs with the row, and what
 * incident_record_detail gives back for it once read. */
char	*inc_row_detail(const char *const *f);
/* 1 when s is an incident id YYYY-NNNN. */
int	incident_file_id_ok(const char *s);

#endif
