/*
 * gate.h — the authentication decision (R5.2-R5.4): auth-check's and the
 * PAM module's gate_auth, and the check of every manager's --by
 * (manager_change), which makes the manager's change under the lock that
 * counted the attempt.  gate.c; the lock state it counts in is
 * register.h's.
 */
#ifndef GATE_H
#define GATE_H

#include <stdint.h>
#include "register.h"
#include "store.h"

/*
 * The gate (R5.2-R5.4): authenticates id with its registered method,
 * counts the attempt under the register lock, logs it (action "auth") and
 * returns ST_OK, ST_NO, ST_LOCKED or ST_FAIL.  Unknown, revoked and expired
 * ids run a dummy KDF and get the same message as a wrong password.  pwfd
 * < 0 reads from the terminal (or the conversation, conv.h).  where, when
 * not NULL, is appended to each record's detail (" tty=X rhost=Y", escaped
 * by the caller: esc_buf ESC_WORD).  Expiry and locks are decided at
 * clock_decision()'s time.
 */
int	gate_auth(struct store *, const char *id, int pwfd, const char *where);

/* STABLE: verifies that by_id is an active, unlocked manager and checks
 * their own credential (password from the terminal with echo off or from
 * pwfd >= 0; fingerprint/external on the device).  The attempt is logged
 * and counts toward lockout like auth-check.  Returns ST_OK, ST_NO (denied,
 * message printed), ST_LOCKED, or ST_FAIL. */
int	manager_verify(struct store *, const char *by_id, int pwfd);

/* A change a manager makes under the lock that counts their attempt.
 * prepare runs after the credential verified on an unlocked row, before
 * the lock; change only when prepare gave ST_OK and the count admitted the
 * manager, under STORE_LOCK_REGISTER with the register loaded (it
 * reconciles, commits and logs itself); now is the decision's time
 * (clock.h).  Their results go in arg. */
struct gate_change {
	int	(*prepare)(struct store *, void *arg);
	void	(*change)(struct store *, struct register_ *, int64_t now,
		    void *arg);
	void	*arg;
};
/* manager_verify, with the change made when the manager is admitted. */
int	manager_change(struct store *, const char *by_id, int pwfd,
	    const struct gate_change *);

#endif
