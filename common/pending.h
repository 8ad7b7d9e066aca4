/*
 * pending.h — a change of a state file and the log record that says so,
 * whole (R6): a note written before the change, settled by the next
 * writer when a crash left it (jukisec-log(5), "Register changes").  The
 * register's operators.pending (register_txn.c), incidents.csv's
 * incidents.pending (incident_file.c) and confirmations.csv's
 * confirmations.pending (confirm.c) are three kinds of one note.
 */
#ifndef PENDING_H
#define PENDING_H

#include "csvio.h"
#include "oplog.h"

#define PENDING_NF	5	/* operator, action, object, result, detail */
/* The end of the detail of the gate's "auth" record when a settling
 * writer, not the attempt, logs it (jukisec-log(5), "Register changes"). */
#define PENDING_SETTLED	" settled=interrupted"

/* A change as its note holds it. */
struct pending {
	long long	 seq;			/* the log head's when written */
	char		 before[65], after[65];	/* SHA-256 of the file, hex */
	char		 ext[8], credhash[65];	/* a credential; ext "": none */
	struct oplog_rec rec;			/* the record to log */
	char		*text[PENDING_NF];	/* rec's strings, as read */
	struct buf	 reg;	/* with a credential, or the gate's count:
				 * the file after */
};

/* What one kind of note is about.  Every writer of file holds one lock
 * (STORE_LOCK_REGISTER for both kinds) around the whole change. */
struct pending_kind {
	const char	*file;		/* the file changed, in DIR */
	const char	*note;		/* the note, in DIR */
	const char	*magic;		/* the note's first words */
	/* the fixed names of the file's and the note's temporary files
	 * (atomic_begin_as), which pending_settle removes when a writer
	 * killed before its rename left them; NULL: atomic_begin's (".tmp-"
	 * and the name), which store_lock removes */
	const char	*filetmp, *notetmp;
	/* N_() messages, "%s/%s" the directory and the note: a note that
	 * does not read; a file neither the one before nor the one after */
	const char	*garbled, *neither;
	/* the action of the record that says a change was not made; NULL:
	 * none, the note goes without a word (nothing was changed) */
	const char	*withdrawn;
	/* whether the change was made: 1, 0, or -1 after a message; NULL:
	 * by the file's hash (pending_by_hash) */
	int		(*made)(struct store *, const struct pending_kind *,
			    struct pending *);
};

/* SHA-256 of the bytes p, n in hex. */
void	pending_sha256(const void *p, size_t n, char out[65]);
/* SHA-256 of DIR/name in hex (a missing file: of no bytes); ST_OK or
 * ST_FAIL after a message. */
int	pending_file_hash(struct store *, const char *name, char out[65]);

/* The note of p written (the kind's mode 0600, or 0640 with the group
 * of a directory its group reads), replaced atomically and synced, before
 * the file is replaced.  ST_OK, or ST_FAIL after a message. */
int	pending_write(struct store *, const struct pending_kind *,
	    const struct pending *);
/* The note removed and the directory synced, once the record is logged
 * (or the change abandoned).  ST_OK, or ST_FAIL after a message. */
int	pending_remove(struct store *, const struct pending_kind *);

/* The kind's file replaced by the n bytes b, after the note that names
 * rec (the change's log record), the log head's seq and the file before
 * (raw, the bytes read under the lock) and after: the file written to
 * its temporary name, the note written and synced, then the rename.  The
 * caller then logs rec and calls pending_remove.  ST_OK, or ST_FAIL after
 * a message (the note kept when only the rename failed: the next writer
 * settles it).  *in (unless NULL): 1 when the file in place is the new
 * one, ST_FAIL included (the directory not synced after the rename). */
int	pending_replace(struct store *, const struct pending_kind *,
	    const struct buf *raw, const char *b, size_t n,
	    const struct oplog_rec *rec, int *in);

/* Under the lock, before the file is read to be changed: the kind's
 * temporary files a killed writer left removed, then the note, when there
 * is one, settled: the change was made, so its record is logged unless a
 * record after the note's seq already is it; or it was not, so the
 * withdrawal is logged (when the kind has one); then the note goes.
 * ST_OK, or ST_FAIL after a message (a note that does not read, a file
 * that is neither, a log that does not take the record: the note kept). */
int	pending_settle(struct store *, const struct pending_kind *);

/* For a kind's made: 1 when DIR/file is the one after p, 0 when it is
 * the one before, else pending_neither. */
int	pending_by_hash(struct store *, const struct pending_kind *,
	    const struct pending *);
/* The kind's "neither" message; -1. */
int	pending_neither(struct store *, const struct pending_kind *);

/* For a reader, which settles nothing (the audit): what the kind's note
 * says of the file as it is now, by the file's hash whatever the kind's
 * made: PENDING_NONE no note (an empty file is one that does not read, as
 * for the writers); PENDING_BEFORE the change it names was not made; PENDING_AFTER it was,
 * its record maybe not logged; with a note, its record's object in
 * object (size bytes, cut).  -1 after the message a writer would refuse
 * the note with (one that does not read, a file that is neither). */
enum { PENDING_NONE, PENDING_BEFORE, PENDING_AFTER };
/* For a reader, in silence: 1 when DIR/note (its first words magic)
 * names the first change of its file, one made when the file held
 * nothing (a bootstrap), its record's object in object (size bytes,
 * cut); 0 no note, or another change; -1 a note that does not read. */
int	pending_first(struct store *, const char *note, const char *magic,
	    char *object, size_t size);
int	pending_look(struct store *, const struct pending_kind *,
	    char *object, size_t size);

#endif
