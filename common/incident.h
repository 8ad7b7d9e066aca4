/*
 * incident.h — serious incidents and faults (R8, R9) and the APPI duty of
 * a local government after a personal-data leak (APPI Art. 68; PPC Rules
 * Arts. 43–45): the events in incidents.csv, the R9 state machine, the
 * deadlines, and the renderings of incident-report(1).
 *
 * An incident is its `new` event followed by step events, in file order.
 * Everything shown (status, outstanding steps, deadlines) is computed from
 * the events; nothing else is stored.
 */
#ifndef INCIDENT_H
#define INCIDENT_H

#include <stdint.h>
#include <stdio.h>
#include "store.h"

#define INC_ID_LEN	9	/* YYYY-NNNN */
/* An event between incidents.csv and its log record, named there by a
 * writer killed in between until the next writer settles it (pending.h). */
#define INC_PENDING_FILE "incidents.pending"
#define INC_SUMMARY_MAX	512	/* bytes, one line */
#define INC_NOTE_MAX	1024	/* bytes, one line */
#define INC_DETAIL_MAX	65536	/* bytes, may span lines */
#define INC_PRELIM_DAYS	3	/* APPI preliminary report (速報): "promptly", about 3–5 days; we take 3 */
#define INC_FINAL_DAYS	30	/* APPI final report (確報), PPC Rules Art. 44 */
#define INC_FINAL_DAYS_UNLAWFUL 60	/* when an unlawful purpose is suspected */
#define INC_PERSONS_THRESHOLD 100	/* more than this many persons: duty */

/* The kinds of what happened (R9.1): a fault of Art. 8, a leak, the loss
 * or theft of a terminal, medium or document, unauthorized access, other.
 * incidents.csv holds the names (inc_type_names), not the numbers. */
enum inc_type { TYPE_UNRECOVERABLE, TYPE_LEAK, TYPE_LOSS, TYPE_THEFT,
	TYPE_UNAUTHORIZED, TYPE_OTHER, NTYPES };
enum inc_cause { CAUSE_ELECTRICAL, CAUSE_WATER, CAUSE_FIRE, CAUSE_EARTHQUAKE,
	CAUSE_CLIMATE, CAUSE_MOVEMENT, CAUSE_LIGHTNING, CAUSE_OTHER, NCAUSES };
enum inc_nature { NATURE_FAULT, NATURE_MISCONDUCT, NATURE_NEGLIGENCE, NNATURES };
enum inc_step { STEP_JLIS, STEP_VENDOR, STEP_MAYOR, STEP_GM, STEP_INVESTIGATED,
	STEP_DISCONNECTED, STEP_RECONNECTED, STEP_COMMITTEE, STEP_PIC_COMMITTEE,
	STEP_CLOSED, STEP_PPC_PRELIMINARY, STEP_PPC_FINAL, STEP_PERSONS_NOTIFIED,
	STEP_COUNTERMEASURES, NSTEPS };

/* Command-line spellings, indexed by the enums; NULL-terminated. */
extern const char *const inc_type_names[];
extern const char *const inc_cause_names[];
extern const char *const inc_nature_names[];
extern const char *const inc_step_names[];

/* 1 for the kinds where personal data may have left the body's hands
 * (漏えい・紛失・盗難: leak, loss, theft): --persons gives the count (0
 * when none was concerned); without it the count is not known and the
 * duty is taken to apply.  Unauthorized access takes --persons when
 * personal data may have been reached.  The APPI applies to those
 * (incident_personal, incident_appi). */
int	inc_type_personal(int type);
/* 1 when --cause (a fault's cause, Art. 8) may be given for the kind: a
 * loss, a theft or an unauthorized access is no fault. */
int	inc_type_has_cause(int type);


/* Index of s in names, or -1. */
int	inc_name_index(const char *const *names, const char *s);
/* "a, b, c" for messages listing the valid values (static buffer). */
const char *inc_name_list(const char *const *names);

struct inc_event {
	enum inc_step	step;
	int64_t		recorded;	/* when the row was written */
	int64_t		at;		/* when the step happened */
	char		*by, *note;
	int		forced;		/* closed with --force */
};

struct incident {
	char		id[INC_ID_LEN + 1];
	int64_t		recorded;	/* first report: the new event */
	int64_t		detected;
	int64_t		occurred;	/* TIME_NONE = not known */
	char		*by;
	enum inc_type	type;
	int		cause;		/* enum inc_cause; -1: none given (not
					 * a fault of Art. 8: a leak, a loss) */
	int		nature;		/* enum inc_nature, -1 = not given */
	int		level;		/* 1-4, 0 = not given */
	long long	persons;	/* persons whose data was concerned,
					 * -1 = n/a (inc_type_personal) */
	int		sensitive, financial, unlawful;
	char		*summary, *detail;
	struct inc_event *ev;
	size_t		nev;
};

struct incidents {
	struct incident	*inc;
	size_t		n;
	/* rows whose values do not read back (a hand edit, an old copy):
	 * left out of the incidents, kept in the file, their ids never
	 * given again */
	size_t		damaged;
	char		(*bad_id)[INC_ID_LEN + 1];
	size_t		nbad_id;
};

/* What `new` records; strings validated by incident_new. */
struct inc_new {
	const char	*by;
	int		type, cause, nature, level;
	int64_t		detected, occurred;	/* occurred TIME_NONE = unknown */
	long long	persons;		/* -1 = not given */
	int		sensitive, financial, unlawful;
	const char	*summary;
	char		*detail;		/* NULL or the --detail-file content */
};

struct inc_step_req {
	const char	*by;
	int		step;
	int64_t		at;
	const char	*note;		/* may be NULL */
	int		force;
};

/* Reads incidents.csv (a missing file is no incidents).  No lock needed:
 * the file is only ever replaced by rename.  A row with a bad value is left
 * out after one line "FILE:LINE: field NAME: reason (row left out)"; the
 * rest is read.  ST_OK, or ST_FAIL naming file, line and field when the
 * file is not CSV of this form.  _err prints nothing: *e (from JERR_INIT)
 * ends with the failure, else the first row left out (jerr_say). */
int	incidents_load(struct store *, struct incidents *);
int	incidents_load_err(struct store *, struct incidents *, struct jerr *e);
/* What a note incidents.pending left says of incidents.csv, read only
 * (pending.h): PENDING_BEFORE, the event it names was not recorded (the
 * next writer removes the note); PENDING_AFTER, the file has it and its
 * log record is not settled (the next writer settles it); PENDING_NONE;
 * or -1 after the writers' refusal to *e. */
int	incidents_note(struct store *, struct jerr *e);
void	incidents_free(struct incidents *);
struct incident *incident_find(struct incidents *, const char *id);
/* The detail of the operation-log record that incident-report wrote with
 * the row of ev (NULL: the incident's new report), as the row reads now:
 * the record's own when the row is unchanged, so that jukisec-audit tells
 * a row changed since from its record; legacy: in the form an earlier
 * incident-report wrote a new report's (incident_detail_legacy).  Freed
 * by the caller. */
char	*incident_record_detail(const struct incident *, const struct inc_event *ev,
	    int legacy);
/* 1 when detail is a new report's record in the earlier form, which held
 * the type, cause, persons, detection and summary only. */
int	incident_detail_legacy(const char *detail);
/* The form of an incident id given on the command line, which every mode
 * that takes one checks before it looks the id up (step, show): a
 * malformed id is a usage error, not an incident nobody has.  ST_OK, or
 * ST_USAGE after "ID: not an incident id (YYYY-NNNN)" to *e (jerr_say). */
int	incident_id_check(const char *id, struct jerr *e);

/* The free text of a new incident (n) or a step (q), checked by the rule
 * of esc.h before the manager is asked for anything: ST_OK, or ST_USAGE
 * with its line said to e (jerr_say: NULL prints it). */
int	incident_check_text(const struct inc_new *n, const struct inc_step_req *q,
	    struct jerr *e);

/* The request checked before the manager is asked for anything, as every
 * usage error is (nothing asked, nothing logged): new against itself and
 * clock_decision's time (--detected, when at_now, taken as that time);
 * step's text, id and the incident's existence in incidents.csv.  Both
 * read incidents.csv without a lock and say its rows left out (then
 * incident_new, incident_step and incident_notify say none).  incident_new and incident_step check again under the
 * lock.  ST_OK, ST_USAGE, ST_NO (no such incident) or ST_FAIL, after one
 * line to st->err.  A step the R9 flow refuses is incident_step's. */
int	incident_new_check(struct store *, const struct inc_new *, int at_now);
int	incident_step_check(struct store *, const char *id,
	    const struct inc_step_req *);

/* Validates, assigns the id, rewrites incidents.csv atomically and logs
 * action `incident`.  The caller has verified the manager and holds
 * STORE_LOCK_REGISTER (the gate's change, gate.h): asserted, and left
 * held.  ST_OK (id filled in), ST_USAGE (message said to st->err,
 * nothing written), ST_FAIL. */
int	incident_new(struct store *, const struct inc_new *, int64_t now,
	    char id[INC_ID_LEN + 1]);

/* Same for a step; contradictions (R9) are ST_USAGE with the reason. */
int	incident_step(struct store *, const char *id, const struct inc_step_req *,
	    int64_t now);

/* Reads --detail-file ("-" = stdin, named "<stdin>"): UTF-8, CRLF line
 * ends kept as LF, at most INC_DETAIL_MAX bytes so kept.  ST_OK with *out
 * allocated; ST_USAGE (what it holds) or ST_FAIL (it cannot be opened or
 * read) with its message said to e. */
int	incident_read_detail(const char *path, char **out, struct jerr *e);

/* Pipes the rendered report into conf notify_command (R9: the reports go
 * out at once).  ST_OK when none is set or it exited 0; otherwise the
 * failure is logged (result notify-failed) and ST_FAIL is returned. */
int	incident_notify(struct store *, const char *id, const char *by,
	    const char *event, int64_t now);

/* The state, computed from the events (incident_flow.c). */
int	incident_closed(const struct incident *);
const struct inc_event *incident_last(const struct incident *, enum inc_step);
int	incident_disconnected(const struct incident *);	/* disconnected, not reconnected */

/* APPI Art. 68 duty for a leak and its deadlines (end of the local day,
 * counting the day of detection as day 1). */
enum { APPI_SENSITIVE = 1, APPI_FINANCIAL = 2, APPI_UNLAWFUL = 4, APPI_PERSONS = 8,
	APPI_UNCOUNTED = 16 };	/* a leak, loss or theft whose count is not given */
struct appi {
	unsigned	grounds;	/* APPI_* bits; 0 = no duty */
	int64_t		prelim_due, final_due;	/* last ms in time */
};
int	incident_appi(const struct incident *, struct appi *);	/* 1 duty, 0 none */
/* 1 when the APPI section applies: persons given, or a leak, loss or theft
 * (whose count, not given yet, may exceed the threshold). */
int	incident_personal(const struct incident *);

/* Bit (1 << step) for every step R9 (and the APPI) still require. */
unsigned incident_outstanding(const struct incident *);
/* The deadline of a report, its last millisecond in time: the immediate
 * R9.1 reports to the Mayor and the General Security Manager hours after
 * detection (hours < 0: none), the APPI reports struct appi's when the duty
 * applies.  TIME_NONE for a step without one. */
int64_t	incident_due(const struct incident *, enum inc_step, long long hours);
/* The event that made a step, the one show reports: its last; for the
 * preliminary report without one, the final report, which answers both.
 * NULL when none. */
const struct inc_event *incident_made(const struct incident *, enum inc_step);
/* Bit (1 << step) for every required step late at now: the reports with a
 * deadline (incident_due) outstanding after it, also on an incident closed
 * with --force (what show and list say is overdue). */
unsigned incident_late(const struct incident *, int64_t now, long long hours);
/* incident_late of an open incident; 0 for a closed one (the audit's
 * incidents-overdue, which tells a closed one apart). */
unsigned incident_overdue(const struct incident *, int64_t now, long long hours);
/* Bit (1 << step) for every report with a deadline (incident_due) made
 * after it (incident_made): a breach even when made good. */
unsigned incident_made_late(const struct incident *, long long hours);
/* Bit (1 << step) for every report of R9.1 or the APPI the incident was
 * closed (--force) without.  0 for an open incident. */
unsigned incident_closed_without(const struct incident *);
/* 1 when a note says something: given, and not of spaces only (U+3000
 * too).  A note that says nothing is no note, on input and read back. */
int	incident_note_given(const char *note);
/* The rules of a step that hold whatever the record, so that breaking
 * one is a usage error (nothing asked, nothing logged): --force with
 * closed only; the note disconnected (the Mayor's grounds, R9.2),
 * countermeasures (R12) and a forced close need.  NULL, or the reason. */
const char *incident_force_problem(const struct inc_step_req *q);
const char *incident_note_problem(const struct inc_step_req *q);
/* The R9 contradictions of recording step q at now, against the record
 * (the request itself passed the two above): NULL when the step may be
 * recorded, else the reason (in buf when it has to be composed). */
const char *incident_step_problem(const struct incident *,
	    const struct inc_step_req *q, int64_t now, char *buf, size_t len);

/* Rendering (incident_render.c). */
enum inc_lang { INC_EN, INC_JA };
enum inc_format { FMT_TEXT, FMT_CSV, FMT_JSON, FMT_TABLE };
/* A step's name for people with its article, the officers and committees
 * named by the municipality's settings (muni.h): "市長へ報告(規程第9条第1項)".
 * Writes buf and returns it. */
struct conf;
const char *inc_step_text(const struct conf *, int step, enum inc_lang,
	    char *buf, size_t len);
/* An incident kind's short name (en: its command-line spelling). */
const char *inc_type_label(int type, enum inc_lang);
/* ja when LC_ALL, else LC_MESSAGES, else LANG begins with "ja". */
enum inc_lang inc_lang_default(void);
/* Writes the formal report; 0, -1 on a write error, or -2 (nothing
 * written) when the text's register cannot be read, said to st->err by
 * register_load: the text names people by name only (person.h). */
int	render_report(FILE *, struct store *, const struct incident *,
	    enum inc_format, enum inc_lang, int64_t now);
/* Writes the list; hours >= 0 selects overdue incidents only. */
int	render_list(FILE *, const struct conf *, const struct incidents *,
	    enum inc_format, enum inc_lang, int open_only, long long hours,
	    int64_t now);
/* show (id != NULL) or list on stdout, reading incidents.csv without a
 * lock; fmt < 0 = the mode's default.  ST_OK, ST_USAGE (a malformed id:
 * incident_id_check), ST_NO (no such incident), ST_FAIL. */
int	incident_print(struct store *, const char *id, int fmt, enum inc_lang,
	    int open_only, long long hours, int64_t now);

#endif
