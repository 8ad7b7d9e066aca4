/*
 * register_change.h — the Security Manager's changes to a person's row:
 * operator-add (R5.1, R5.3), operator-mod (R5.2 unlock, R5.5 prompt
 * change) and operator-revoke (R5.5).  The tools parse options and call
 * one function here.
 */
#ifndef REGISTER_CHANGE_H
#define REGISTER_CHANGE_H

#include <stdint.h>
#include "bio.h"
#include "register.h"

/* One change as given on the command line; strings NULL when not given. */
struct opchange {
	const char	*by, *id, *name, *section, *title, *role, *method;
	const char	*expires;
	const char	*reason, *instr;
	struct bio_opts	 bio;
	int		 pwfd, byfd;		/* -1: the terminal */
	int		 unlock, reset, reenrol;	/* operator-mod */
	enum role	 r;			/* operator-add: parsed -r */
	enum method	 m;			/* parsed -m, when given */
	int		 have_exp;		/* -e given */
	int64_t		 exp;			/* parsed -e, TIME_NONE = never */
};

/* The values of the long options both tools take (each tool's table
 * gives them their --help lines); OPCHANGE_NEXT is the tool's first own. */
enum { OPCHANGE_REASON = 256, OPCHANGE_INSTR, OPCHANGE_FINGER,
	OPCHANGE_DEVICE, OPCHANGE_PWFD, OPCHANGE_BYFD, OPCHANGE_TITLE,
	OPCHANGE_NEXT };

/* -e: a local calendar date, the last day of authority (it ends at the
 * next local midnight), or an RFC 3339 time it ends at; "never" when
 * never_ok.  Sets c->exp, c->have_exp; ST_OK, or ST_USAGE with one line
 * said to e (jerr_say: NULL prints it). */
int	opchange_expiry(struct opchange *, int never_ok, struct jerr *e);

/* Takes getopt_long's ch for one of the OPCHANGE_ options into c: 0, or
 * -1 when ch is none of them or a descriptor is not a number (a usage
 * error). */
int	opchange_opt(struct opchange *, int ch, const char *arg);

/* -m password's R5.3 proviso: NULL when c has both a --reason (not
 * empty) and --instructions-given, else the words that name what is
 * missing, for "-m password needs %s (R5.3 proviso)": operator-add and
 * operator-mod say it alike. */
const char *opchange_proviso_missing(const struct opchange *c);

/* operator-mod, before store_open: parses -m into c->m and refuses
 * (ST_USAGE, one line said to e) what argv alone shows wrong whatever
 * the person's method: an unknown -m or --finger, an option the
 * credential to be made cannot take (--finger and --device take only a
 * fingerprint enrolment: -m fingerprint or --reenroll).  What depends on
 * the person's method now (--reenroll of an external person with
 * --finger) is checked by operator_mod, after the manager. */
int	opchange_mod_usage(struct opchange *, struct jerr *e);

/*
 * After store_open: checks that a given expiry is still ahead and a
 * given instructions date not after today (ST_USAGE, nothing logged),
 * verifies the manager c->by (its attempt logged and counted; a locked
 * manager is ST_NO), makes the change under the register lock and logs
 * it, at clock_decision()'s time.  operator_add without a manager is the
 * bootstrap of the first manager.  A manager's end that would leave no
 * manager who can act at it is ST_NO (register_end_strands; the
 * bootstrap's, any end: nothing is logged).  ST_OK, ST_NO, ST_USAGE or
 * ST_FAIL after a message.
 */
int	operator_add(struct store *, struct opchange *);
int	operator_mod(struct store *, struct opchange *);

/*
 * operator-revoke: after the manager by is verified (as above), cancels
 * id's authority at clock_decision()'s time: the row records when, by whom
 * and why (reason checked by the caller: field_check), then the credential
 * is destroyed; the row stays and its id is never reused.  A manager is
 * not revoked when no other could act (register_end_strands: a locked
 * or damaged one does not count).  ST_OK, ST_NO (denied, no such operator,
 * already revoked, the last manager), ST_USAGE or ST_FAIL after a message.
 */
int	operator_revoke(struct store *, const char *by, int byfd,
	    const char *id, const char *reason);

/*
 * operator-mod --recover (recover.c): no manager check; root or the state
 * directory's owner with the log verification key in keyfile unlocks the
 * manager c->id and, with c->reset or c->reenrol, gives a new credential.
 * ST_OK; ST_NO not authorised, a wrong or unreadable key, no such active
 * manager (logged); ST_USAGE the credential option does not fit the
 * method; ST_FAIL after a message.
 */
int	operator_recover(struct store *, struct opchange *, const char *keyfile);

#endif
