/*
 * conf.h — jukisec.conf, the state directory's settings (jukisec.conf(5)).
 *
 * Invariants: "key = value" lines, '#' comments, blank lines; an unknown key,
 * a malformed line or a value out of range is an error naming file and line
 * (fail closed: a typo must not silently weaken a control).  Every key has a
 * compiled default; values below the regulation's floors are refused here,
 * so no tool ever runs with retain_days < 365 (R6) or a KDF below the OWASP
 * floor (R5.3).  jukisec-init writes the file from conf_write_defaults().
 */
#ifndef CONF_H
#define CONF_H

#include <stdint.h>
#include <stdio.h>
#include "jerr.h"
#include "muni.h"

struct conf {
	/* operation log (R6) */
	long long	epoch_seconds;		/* key evolution period, default 86400 */
	long long	retain_days;		/* default 365, minimum 365 */
	long long	lock_timeout_ms;	/* bounded lock wait, default 10000 */
	/* register and gate (R5.1–R5.5) */
	long long	password_min_length;	/* default 8 */
	long long	kdf_memory_kib;		/* Argon2id m, default 65536, floor 19456 */
	long long	kdf_time;		/* Argon2id t, default 3, floor 2 */
	long long	kdf_parallelism;	/* Argon2id p, default 1 */
	long long	lockout_threshold;	/* consecutive failures, default 5 */
	long long	lockout_unlock_minutes;	/* automatic unlock, 0 = off (default) */
	/* biometrics (R5.3) */
	char		*template_key;		/* path; default DIR/template.key */
	long long	fp_timeout_seconds;	/* default 30 */
	char		*fp_device;		/* libfprint driver name, "" = first found */
	char		*external_verifier;	/* program path, "" = none */
	long long	external_timeout_seconds; /* default 30 */
	/* incidents (R9) */
	char		*notify_command;	/* "" = none; run with /bin/sh -c */
	/* audit (R12(2)) */
	long long	exception_warn_threshold; /* password exceptions before WARN, default 3 */
	long long	audit_auth_window_days;	/* default 30 */
	long long	audit_auth_burst;	/* failures in the window that count as a burst, default 5 */
	long long	audit_prune_max_age_days; /* a prune must have run within, default 3 */
	/* R5.4: who may appear as the operator of a log record without being
	 * a registered person ("-" always may) */
	char		*system_actors;		/* "cron,backup"; "" none */
	/* the municipality: names, articles, confirmation items (muni.h) */
	struct muni	muni;
};

/* Sets every key to its compiled default (template_key relative to dir). */
void	conf_defaults(struct conf *, const char *statedir);

/* Reads the open stream over the defaults (store_open opens the file, a
 * regular file nobody else can write); path is for messages.  ST_OK, or
 * ST_FAIL after "file:line: ..." on stderr. */
int	conf_load_fp(struct conf *, FILE *, const char *path);
/* The same, the message said to e (jerr_say: NULL prints). */
int	conf_load_err(struct conf *, FILE *, const char *path, struct jerr *e);

/* 1 when name is "-" or one of conf system_actors (R5.4 exempts them). */
int	conf_system_actor(const struct conf *, const char *name);

/* NULL when the file conf_write_init writes for statedir (absolute) is
 * one conf_load reads; else, malloc'd, "KEY VALUE: reason" for the first
 * line it would refuse (a state directory's name with a control character
 * or not UTF-8, or too long for its template_key line). */
char	*conf_init_problem(const char *statedir);

/* Writes the commented default file that jukisec-init installs. */
int	conf_write_defaults(FILE *, const char *statedir);
/* The same with the operation log's epoch length, fixed for the life of
 * the log (jukisec-init --epoch), in the range below. */
int	conf_write_init(FILE *, const char *statedir, long long epoch_seconds);
#define CONF_EPOCH_MIN	60
#define CONF_EPOCH_MAX	2592000
/* retain_days' range, log-prune --retain's too (R6: one year at least). */
#define CONF_RETAIN_MIN	365
#define CONF_RETAIN_MAX	36500
/* The Argon2id cost's ranges (R5.3: the OWASP floor up), and a stored
 * hash's too: one outside them is none the tools wrote, and refused
 * (cred.c), never a cost that every password attempt pays. */
#define CONF_KDF_MEMORY_MIN	19456
#define CONF_KDF_MEMORY_MAX	4194304
#define CONF_KDF_TIME_MIN	2
#define CONF_KDF_TIME_MAX	100
#define CONF_KDF_PAR_MIN	1
#define CONF_KDF_PAR_MAX	64

void	conf_free(struct conf *);

#endif
