/*
 * audit.h — jukisec-audit, the compliance report the Security Committee
 * reviews (R12(2)): every check the software can make of a state directory,
 * one finding per check, rendered as a document (text) or for machines
 * (csv, json).
 *
 * Invariants: the audit only reads; it takes no lock for longer than one
 * file read and never writes the state directory or the log.  A check that
 * cannot be made (its input unreadable) is a FAIL, never a silent PASS;
 * but credentials/, which a member of the state's group may not read by
 * design, makes the checks that need it a WARN saying they were not
 * checked, as the log without --key-file.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include "lang.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "period.h"
#include "incident.h"
#include "register.h"
#include "store.h"

enum audit_status { AUDIT_PASS, AUDIT_WARN, AUDIT_FAIL };
enum audit_format { AUDIT_TEXT, AUDIT_CSV, AUDIT_JSON };

struct audit_opts {
	const char	*dir;		/* -d, NULL = $JUKISEC_DIR or default */
	const char	*keyfile;	/* --key-file, NULL = log MACs not verified */
	int64_t		now;		/* --now, ms */
	struct period	per;		/* 対象期間: --since/--until/--fiscal-year */
	const char	*author;	/* --author: 作成者, an id of the register */
	enum audit_format format;
	int		ja;		/* --lang ja, or a ja locale */
};

/* A change of the register the log recorded (operator-add, -mod,
 * -revoke) within the period. */
struct audit_change {
	int64_t	 at;
	char	*by, *id, *action, *detail;
};

/* What the log says of a register row (audit_changes.c): the seq of its
 * ok operator-add and operator-revoke records, -1 none, and the role the
 * add record gave (ROLE_*, -1 unknown). */
struct audit_rowlog {
	long long	 add, revoke;
	int		 role;
};

/* An ok operator-add or operator-revoke record whose id the register
 * lacks (rows are never deleted). */
struct audit_stray {
	long long	 seq;
	char		*id;
	int		 revoke;
};

/* What a finding names: an operator, a file, a record ("seq 12"). */
struct audit_item {
	char	*subject;
	char	*text;
};

struct finding {
	const char	*rule;		/* "R5.1" ... "R9", "STATE" */
	const char	*check;		/* stable id, e.g. "register-ids-unique" */
	enum audit_status status;
	char		*summary;	/* one sentence in the report's language */
	struct audit_item *item;
	size_t		nitem;
	int		by_hand;	/* a confirmation item (audit_confirm.c) */
};

struct audit {
	const struct audit_opts *o;
	struct store	*st;
	struct finding	*f;
	size_t		n;
	struct register_ reg;
	int		reg_ok;		/* the register parsed */
	long long	reg_seq;	/* the log's head as the register was
					 * read (under its lock): later records
					 * are later changes; -1 not known */
	struct jerr	reg_error;	/* why it did not */
	int		reg_pending;	/* operators.pending left (store_note_left):
					 * 1, or -1 a note the writers refuse */
	struct jerr	reg_note;	/* why they refuse it */
	int		log_keyed;	/* 0 no key given, 1 the MACs verified,
					 * -1 a key was given and nothing verified */
	char		reg_pending_id[OPERATOR_ID_MAX + 1];
					/* the object of the change a note left
					 * made, its record maybe not logged; "" */
	struct audit_change *chg;	/* register changes in the period (R5.5) */
	size_t		nchg;
	struct audit_rowlog *rowlog;	/* per row of reg, NULL until a record */
	struct audit_stray *stray;
	size_t		nstray;
	int64_t		log_first;	/* the first kept record's time, TIME_NONE:
					 * no record */
	/* the first kept record's time (the genesis's, when held), or
	 * TIME_NONE */
	int64_t		log_begins;
	int		log_whole;	/* the log's pass read it to its end */
	struct audit_cfm *cfm;		/* confirmations.csv (audit_confirm.c) */
	struct audit_inc *inc;		/* incidents.csv (audit_incidents.c) */
	struct r54	*r54;		/* R5.4 as the log's pass saw it */
	long long	log_esec;	/* the log's key epoch length as its pass
					 * read it (genesis, two seals), 0 unknown */
	struct finding	*cur;		/* the finding being built */
};

/* Runs every check and renders the report on out.  ST_OK nothing FAILs,
 * ST_NO something FAILs, ST_FAIL the state could not be opened. */
int	audit_run(const struct audit_opts *, FILE *out);

/* Building findings (audit_check.c).  L() picks the report's language
 * (lang.h, the suite's one choice). */
#define L(a, e, j)	lang_pick((a)->o->ja, (e), (j))
void	check_begin(struct audit *, const char *rule, const char *check);
void	check_item(struct audit *, const char *subject, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	check_end(struct audit *, enum audit_status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Why a file did not read, from what e says of it (jerr.h: its line,
 * its cause), in the committee's words whatever the locale (issue 14):
 * a row by its place after the header (登録簿の N 件目の行), a refusal
 * or a fault by what it is; no path, line or errno's text.  file: the
 * file as the document calls it, form: what it should be ("登録簿";
 * "指定された検証鍵", "検証鍵").  malloc'd. */
char	*audit_unread_ja(const struct jerr *, const char *file,
	    const char *form);
/* The item of a check the unread register leaves unchecked: operators.csv
 * and why it did not read (a->reg_error; in Japanese, in words). */
void	audit_register_unread(struct audit *);
/* Check RULE CHECK, which needs the register, when it does not read: a
 * FAIL whose item is the register's (audit_register_unread). */
void	audit_not_checked(struct audit *, const char *rule,
	    const char *check);
/* The Security Manager's title in the report's language: a finding that
 * names the officer takes it from the settings (muni.h), as the report's
 * heading names the committee. */
const char *audit_manager(const struct audit *);
/* Date for people in the report's language (local time; 和暦 in ja). */
void	audit_date(const struct audit *, int64_t ms, char *buf, size_t len);

/* The endings of a credential file's name in credentials/ (ID.phc, a
 * password's; ID.tmpl, a template's): the checks that name its person. */
#define EXT_PHC		".phc"
#define EXT_TMPL	".tmpl"

/* The checks, in report order. */
void	audit_register(struct audit *);		/* R5.1, R5.3–R5.5 */
void	audit_log(struct audit *);		/* R5.2 bursts, R6 */
void	audit_r54(struct audit *);		/* R5.4 operators in the log */
/* R5.4's share of audit_log's pass (audit_r54.c): _new once the register
 * is read, _see each record in file order, _end when the pass ends (why:
 * NULL at the log's end, else the item that says where and why it
 * stopped, in the report's language); _wants is pure (any thread): a
 * record it does not want may be skipped unless _run says a run must be
 * seen. */
struct oplog_record;
struct r54;
struct r54 *r54_new(struct audit *);
void	r54_reset(struct r54 *);
int	r54_wants(const struct r54 *, const struct oplog_record *);
int	r54_run(const struct r54 *);
void	r54_see(struct r54 *, const struct oplog_record *);
void	r54_end(struct r54 *, size_t line, const char *why);
void	r54_free(struct r54 *);
/* R9: _load under the register lock (incidents.csv and its note),
 * _seen each ok "incident" record of the log's pass (_reset when the pass
 * starts again), then the findings once the log was read. */
struct audit_inc;
void	audit_incidents_load(struct audit *);
void	audit_incident_seen(struct audit *, long long seq, const char *by,
	    const char *id, const char *detail);
void	audit_incidents_reset(struct audit *);
void	audit_incidents(struct audit *);
void	audit_incidents_free(struct audit *);
/* R7, R10, R11, by hand: _load under the register lock (the file and
 * its note), _see each "confirm" record of the log's pass (_reset when
 * the pass starts again), then the findings once the log was read. */
struct audit_cfm;
void	audit_confirm_load(struct audit *);
void	audit_confirm_see(struct audit *, int64_t at, const char *by,
	    const char *item, const char *result);
void	audit_confirm_reset(struct audit *);
void	audit_confirm(struct audit *);
void	audit_confirm_free(struct audit *);
void	audit_period_incidents(struct audit *, const struct incidents *);
void	audit_changes_see(struct audit *, int64_t at, const char *by,
	    const char *action, const char *id, const char *result,
	    const char *detail);
/* R5.5 in the period; subject and why: where and why the log's pass
 * stopped, NULL when it read the log to its end. */
void	audit_changes(struct audit *, const char *subject, const char *why);
/* Each ok operator-add or operator-revoke record of the whole log, for
 * what the register should hold (rows are never deleted). */
void	audit_changes_log(struct audit *, long long seq, const char *action,
	    const char *id, const char *result, const char *detail);
void	audit_changes_free(struct audit *);
/* The words of a change's detail ("changed: unlock reset-password", an
 * operator-add's fields) in the report's language, ", "-joined; tokens it
 * does not know are left out.  malloc'd, "" for none. */
char	*audit_change_words(const struct audit *, const char *detail);
void	audit_state(struct audit *);		/* modes, owners, conf */

/* Rendering (audit_render.c).  Findings are sorted by the article of
 * their rule (R5.1 ... R9, STATE), in the order of the checks within. */
size_t	audit_rule_rank(const char *rule);
int	audit_render(const struct audit *, FILE *);

#endif
