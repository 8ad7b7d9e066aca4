/*
 * incident_file.h — incidents.csv, shared by incident.c (the writer) and
 * incident_file.c (the reader) and nobody else: its columns, its name.
 */
#ifndef INCIDENT_FILE_H
#define INCIDENT_FILE_H

#include "incident.h"
#include "csvio.h"

#define INC_FILE	"incidents.csv"

enum { C_ID, C_EVENT, C_RECORDED, C_BY, C_AT, C_OCCURRED, C_TYPE, C_CAUSE,
	C_NATURE, C_LEVEL, C_PERSONS, C_SENSITIVE, C_FINANCIAL, C_UNLAWFUL,
	C_SUMMARY, C_DETAIL, C_NOTE, C_FORCED, NCOLS };

/* Reads the file's bytes into raw (when not NULL) and its incidents, as
 * incidents_load does. */
/* Messages to *e (jerr_say: NULL prints them). */
int	incident_file_load(struct store *, struct buf *raw, struct incidents *,
	    struct jerr *e);
/* Replaces incidents.csv by raw (the bytes incident_file_load read) plus
 * the row f of NCOLS fields, atomically.  ST_OK or ST_FAIL after a message. */
int	incident_file_append(struct store *, const struct buf *raw,
	    const char *const *f);
/* 1 when s is an incident id YYYY-NNNN. */
int	incident_file_id_ok(const char *s);

#endif
