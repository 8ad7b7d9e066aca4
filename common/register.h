/*
 * register.h — the operator register operators.csv (R5.1) and the
 * Security Manager's authority over it.
 *
 * Owned by the register/gate work (issue 3); the signatures marked STABLE
 * are used by incident-report and jukisec-audit and must keep their meaning.
 */
#ifndef REGISTER_H
#define REGISTER_H

#include <stdint.h>
#include "store.h"

#define OPERATOR_ID_MAX 32

enum role { ROLE_OPERATOR, ROLE_MANAGER };
enum method { METHOD_FINGERPRINT, METHOD_PASSWORD, METHOD_EXTERNAL };

/* One row of operators.csv.  Times are ms since the epoch, 0 = unset;
 * strings are never NULL ("" when empty). */
struct operator {
	char		*id, *name, *section;
	enum role	role;
	enum method	method;
	char		*exception_reason;	/* R5.3 proviso (password only) */
	char		*approved_by;		/* manager who approved the exception */
	char		*instructions_date;	/* YYYY-MM-DD the two instructions were given */
	int64_t		registered_at;
	char		*registered_by;
	int64_t		expires;		/* 0 = never */
	int64_t		revoked_at;
	char		*revoked_by, *revoked_reason;
	long long	failed;			/* consecutive failures (R5.2) */
	int64_t		locked_at;		/* 0 = not locked */
};

struct register_ {
	struct operator	*op;
	size_t		n;
};

/* STABLE: reads operators.csv (caller holds STORE_LOCK_REGISTER when it will
 * write back).  ST_OK, or ST_FAIL naming file and line. */
int	register_load(struct store *, struct register_ *);
void	register_free(struct register_ *);
/* STABLE: the row with this id, or NULL. */
struct operator *register_find(struct register_ *, const char *id);
/* STABLE: 1 when active at time now: not revoked, not expired. */
int	operator_active(const struct operator *, int64_t now);

/* STABLE: verifies that by_id is an active, unlocked manager and checks
 * their own credential (password from the terminal with echo off or from
 * pwfd >= 0; fingerprint/external on the device).  The attempt is logged
 * and counts toward lockout like auth-check.  Returns ST_OK, ST_NO (denied,
 * message printed), ST_LOCKED, or ST_FAIL. */
int	manager_verify(struct store *, const char *by_id, int pwfd, int64_t now);

#endif
