/*
 * audit.c — the frame of jukisec-audit (R12(2)): opens the state read-only,
 * runs the checks in report order, collects one finding per check and hands
 * them to the renderer.
 *
 * Invariants: nothing here writes to the state directory.  The register and
 * the credentials directory are read together under STORE_LOCK_REGISTER (a
 * change writes the credential before the row, so reading them apart could
 * report a false orphan); the lock is released before the log is read.
 * The lock is shared (store.h): audits run side by side, and a member of
 * the state's group or a read-only copy can be audited.
 * The checks build their findings with audit_check.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "audit.h"
#include "oplog.h"
#include "csvio.h"
#include "register_txn.h"

/* Article by article; within one, the software's checks in the order they
 * ran, then the committee's confirmation items in the order of their
 * settings (jukisec-audit(1), whatever article a municipality files its
 * own items under). */
static size_t
rank(const struct finding *f)
{
	return audit_rule_rank(f->rule) * 2 + (f->by_hand != 0);
}

/* Stable insertion sort: a handful of findings. */
static void
sort_findings(struct audit *a)
{
	struct finding t;
	size_t	 i, j;

	for (i = 1; i < a->n; i++) {
		t = a->f[i];
		for (j = i; j > 0 && rank(&a->f[j - 1]) > rank(&t); j--)
			a->f[j] = a->f[j - 1];
		a->f[j] = t;
	}
}

static void
audit_free(struct audit *a)
{
	size_t	 i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < a->f[i].nitem; j++) {
			free(a->f[i].item[j].subject);
			free(a->f[i].item[j].text);
		}
		free(a->f[i].item);
		free(a->f[i].summary);
	}
	free(a->f);
	audit_changes_free(a);
	audit_confirm_free(a);
	audit_incidents_free(a);
	r54_free(a->r54);
	if (a->reg_ok)
		register_free(&a->reg);
}

/* The log's checks that need no setting: what a changed record, a cut
 * tail or a missing seal FAILs. */
static int
log_damage(const struct finding *f)
{
	return f->status == AUDIT_FAIL && strcmp(f->rule, "R6") == 0 &&
	    (strcmp(f->check, "log-verify") == 0 ||
	    strcmp(f->check, "log-seals") == 0 ||
	    strcmp(f->check, "log-head") == 0);
}

/*
 * jukisec.conf refused, missing or malformed (STORE_CONFSOFT): no report,
 * which would cite settings that are not the municipality's, but the
 * log is checked with the defaults all the same, so that whoever could
 * write DIR does not hide the log's damage behind the conf.  Each item
 * of the log's checks that FAIL is said, then the conf's line: ST_NO;
 * else the conf's line alone, ST_FAIL, as before.  The audit and the
 * store are freed.
 */
static int
conf_unread(struct audit *a)
{
	const struct finding *f;
	size_t	 i, j;
	int	 status = ST_FAIL;

	audit_log(a);
	for (i = 0; i < a->n; i++) {
		if (!log_damage(f = &a->f[i]))
			continue;
		status = ST_NO;
		for (j = 0; j < f->nitem; j++)
			warnx("%s %s: %s: %s", f->rule, f->check,
			    f->item[j].subject, f->item[j].text);
		if (f->nitem == 0)
			warnx("%s %s: %s", f->rule, f->check, f->summary);
	}
	(void)jerr_warn(&a->st->conf_err);
	audit_free(a);
	store_close(a->st);
	return status;
}

/* Under the lock: a note seen later may be a writer's at work; the
 * object of the change it left made, whose record register-changes
 * leaves to the note's WARN. */
static void
pending_read(struct audit *a)
{
	a->reg_pending_id[0] = '\0';
	if (store_note_left(a->st, PENDING_FILE, STORE_LOCK_REGISTER))
		a->reg_pending = register_note(a->st, &a->reg_note,
		    a->reg_pending_id, sizeof(a->reg_pending_id));
}

/* The register, indexed, and the log's head as the register was read:
 * under STORE_LOCK_REGISTER, which a change holds until its record is in,
 * so the head names the last change the register shows.  Not when the
 * lock could not be had (a member of the state's group): a change may
 * then be half way, its row in and its record not yet. */
static void
read_register(struct audit *a)
{
	if ((a->reg_ok = register_load_err(a->st, &a->reg, &a->reg_error) ==
	    ST_OK))
		register_index(&a->reg);	/* every row is looked up */
	a->reg_seq = a->st->lockfd[STORE_LOCK_REGISTER] >= 0 ?
	    oplog_head_seq(a->st) : -1;
}

/* 1 after a usage error when --author names nobody in the register. */
static int
author_unknown(struct audit *a)
{
	if (a->o->author == NULL || !a->reg_ok ||
	    register_find(&a->reg, a->o->author) != NULL)
		return 0;
	jerr_say(a->st->err, ST_USAGE, _("--author %s: not in the register"),
	    a->o->author);
	return 1;
}

int
audit_run(const struct audit_opts *o, FILE *out)
{
	struct audit a;
	struct store st;
	size_t	 i;
	char	*path;
	int	 status = ST_OK;

	memset(&a, 0, sizeof(a));
	a.o = o;
	a.st = &st;
	if (store_open(&st, o->dir, NULL, STORE_READER | STORE_CONFSOFT) != ST_OK)
		return ST_FAIL;
	if (st.conf_err.code != ST_OK)
		return conf_unread(&a);
	if (store_lock(&st, STORE_LOCK_REGISTER) != ST_OK) {
		store_close(&st);
		return ST_FAIL;
	}
	read_register(&a);
	if (author_unknown(&a)) {
		store_unlock(&st, STORE_LOCK_REGISTER);
		audit_free(&a);
		store_close(&st);
		return ST_USAGE;
	}
	pending_read(&a);
	audit_register(&a);
	audit_incidents_load(&a);
	audit_confirm_load(&a);
	/* Read without register.lock (missing, and a reader makes none):
	 * a writer that made it meanwhile may have been half way. */
	if (!store_unlock_stands(&st, STORE_LOCK_REGISTER)) {
		path = xasprintf("%s/register.lock", st.dir);
		jerr_say(st.err, ST_FAIL, _("%s: changed by someone else "
		    "meanwhile"), path);
		free(path);
		audit_free(&a);
		store_close(&st);
		return ST_FAIL;
	}
	audit_log(&a);
	audit_incidents(&a);	/* after the log: each record's row */
	audit_confirm(&a);	/* after the log: each row's record */
	audit_r54(&a);
	audit_state(&a);

	sort_findings(&a);
	for (i = 0; i < a.n; i++)
		if (a.f[i].status == AUDIT_FAIL)
			status = ST_NO;
	/* flushed here: a report of a few KiB still in the buffer is lost
	 * all the same, and that is status 3, not the FAIL it holds */
	if (audit_render(&a, out) != 0 || fflush(out) == EOF)
		status = ST_FAIL;
	audit_free(&a);
	store_close(&st);
	return status;
}
