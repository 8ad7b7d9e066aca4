/*
 * operator-revoke — cancels a person's authority at once (R5.5): the row
 * records when, by whom and why, and the credential material is destroyed.
 * The row stays in the register (R5.1) and its id is never reused.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "clock.h"
#include "cred.h"
#include "gate.h"
#include "oplog.h"
#include "register.h"
#include "timeutil.h"
#include "usage.h"

enum { O_REASON = 256, O_BYFD, O_NOW };

static const struct option longopts[] = {
	{ "by",			required_argument, NULL, 'b' },
	{ "dir",		required_argument, NULL, 'd' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "id",			required_argument, NULL, 'i' },
	{ "terminal",		required_argument, NULL, 't' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "reason",		required_argument, NULL, O_REASON },
	{ "by-password-fd",	required_argument, NULL, O_BYFD },
	{ "now",		required_argument, NULL, O_NOW },
	{ NULL, 0, NULL, 0 }
};

static const struct usage_opt opts[] = {
	{ "-b, --by=ID",		N_("the acting Security Manager") },
	{ "    --by-password-fd=N",	N_("read the manager's password from descriptor N") },
	{ "-d, --dir=DIR",		N_("the state directory (else $JUKISEC_DIR)") },
	{ "-i, --id=ID",		N_("the person to revoke") },
	{ "    --reason=TEXT",		N_("why (transfer, retirement, ...); required") },
	{ "-t, --terminal=TERMINAL",	N_("the terminal named in the log") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status, _("usage: operator-revoke [-d DIR] [-t TERMINAL] -b ID "
	    "[--by-password-fd N]\n"
	    "\t-i ID --reason TEXT\n"), opts);
}

struct revjob {
	const char	*by, *id, *reason;
};

/* The gate's hook: under the lock that counted the manager's attempt, so
 * a manager revoked or locked meanwhile revokes no one. */
static int
revoke(struct store *st, struct register_ *reg, int64_t now, void *arg)
{
	struct revjob	*j = arg;
	struct operator	*o;
	int		 r, done = 0;

	if ((r = register_reconcile(st, reg, j->by)) != ST_OK)
		return r;
	if ((o = register_find(reg, j->id)) == NULL) {
		warnx(_("%s: no such operator"), j->id);
		r = ST_NO;
	} else if (operator_revoked(o)) {
		warnx(_("%s: already revoked"), j->id);
		r = ST_NO;
	} else if (o->role == ROLE_MANAGER && operator_active(o, now) &&
	    register_managers(reg, now) == 1) {
		warnx(_("%s: the last active manager cannot be revoked"), j->id);
		r = ST_NO;
	} else {
		o->revoked_at = now;
		free(o->revoked_by);
		free(o->revoked_reason);
		o->revoked_by = xstrdup(j->by);
		o->revoked_reason = xstrdup(j->reason);
		/* row first: a crash now leaves a credential that the next
		 * register_begin destroys, never a live row without one */
		if ((r = register_commit(st, reg)) == ST_OK) {
			done = 1;
			r = cred_destroy(st, j->id, NULL);
		}
	}
	/* once the row is committed the revocation stands: the log says so
	 * even when the credential could not be destroyed yet */
	if (oplog_log(st, j->by, "operator-revoke", j->id, done ? "ok" :
	    "refused", "%s%s", j->reason, done && r != ST_OK ?
	    " (credential not destroyed)" : "") != ST_OK && r == ST_OK)
		r = ST_FAIL;
	return r;
}

int
main(int argc, char *argv[])
{
	struct store	 st;
	struct revjob	 j = { NULL, NULL, NULL };
	struct gate_change gc = { NULL, revoke, &j };
	const char	*dir = NULL, *terminal = NULL, *by = NULL, *id = NULL;
	const char	*reason = NULL, *why;
	int		 ch, r, byfd = -1;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "b:d:hi:t:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b': by = optarg; break;
		case 'd': dir = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'i': id = optarg; break;
		case 't': terminal = optarg; break;
		case 'V': print_version(); return fshut_stdout();
		case O_REASON: reason = optarg; break;
		case O_BYFD:
			if ((byfd = fd_parse("--by-password-fd", optarg)) == -1)
				usage(ST_USAGE);
			break;
		case O_NOW: return clock_refused();
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (usage_extra(argc, argv) || usage_missing(by, "-b") ||
	    usage_missing(id, "-i") || usage_missing(reason, "--reason"))
		usage(ST_USAGE);
	if ((why = operator_id_problem(id)) != NULL) {
		warnx(_("-i %s: %s"), id, why);
		return ST_USAGE;
	}
	if (*reason == '\0') {
		warnx(_("--reason: empty"));
		return ST_USAGE;
	}
	if (field_check("--reason", reason, OPERATOR_REASON_MAX) != ST_OK)
		return ST_USAGE;
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK)
		return r;
	j.by = by;
	j.id = id;
	j.reason = reason;
	r = manager_change(&st, by, byfd, &gc);
	store_close(&st);
	return r;
}
