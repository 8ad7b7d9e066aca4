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
 * ids run a dummy KDF and get the same message as a wrong password.  An
 * id no register can hold (operator_id_problem) runs an unknown id's path
 * and gets its answers, in a state that cannot decide, count or log the
 * attempt too, and is never written to the log: no record of it.  pwfd
 * < 0 reads from the terminal (or the conversation, conv.h); from names
 * where the password comes from in messages (pw_source).  where, when
 * not NULL, is appended to each record's detail (" tty=X rhost=Y", escaped
 * by the caller: esc_buf ESC_WORD).  Expiry and locks are decided at
 * clock_decision()'s time.
 */
int	gate_auth(struct store *, const char *id, int pwfd, const char *from,
	    const char *where);

/* For a decision that writes nothing of its own (pam_jukisec's account
 * check), before it reads the register: a change a kill left in
 * operators.pending settled, under the register's lock, once the log is
 * shown to take its record as an attempt's is; said as gate_auth says a
 * state that cannot record an attempt; without a note, no lock is
 * waited for.  ST_OK, or ST_FAIL after a message, the register as it
 * was; no lock held either way. */
int	gate_settle(struct store *);

/* A change a manager makes under the lock that counts their attempt.
 * prepare, when not NULL, runs after the credential verified on an
 * unlocked row, before the lock (a new credential, which may wait for a
 * finger); change only when prepare gave ST_OK and the count admitted the
 * manager, under STORE_LOCK_REGISTER with the register loaded (it
 * reconciles, commits and logs itself, and leaves the lock to the gate);
 * now is the decision's time (clock.h).  Each returns the tool's status;
 * anything more goes in arg. */
struct gate_change {
	int	(*prepare)(struct store *, void *arg);
	int	(*change)(struct store *, struct register_ *, int64_t now,
		    void *arg);
	void	*arg;
};
/* STABLE: the check of every --by.  by_id must be an active, unlocked
 * manager whose own credential verifies (password from the terminal with
 * echo off or from pwfd >= 0; fingerprint/external on the device); the
 * attempt is logged and counts toward lockout like auth-check's, and
 * change is made when the manager is admitted.  Returns the status the
 * tool exits with, the same for every tool: when admitted, change's (or
 * prepare's, when it refused); else ST_NO (denied or locked out, said to
 * the person: exit 4 is auth-check's alone), ST_USAGE (by_id is no id) or
 * ST_FAIL, after a message. */
int	manager_change(struct store *, const char *by_id, int pwfd,
	    const struct gate_change *);

#endif
