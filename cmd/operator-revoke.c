/*
 * operator-revoke — cancels a person's authority at once (R5.5): the row
 * records when, by whom and why, and the credential material is destroyed.
 * The row stays in the register (R5.1) and its id is never reused.
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "esc.h"
#include "cred.h"
#include "register_change.h"
#include "tool.h"

enum { O_REASON = 256, O_BYFD };

static const struct tool_opt opts[] = {
	{ "by",		required_argument, 'b', "-b, --by=ID",		N_("the acting Security Manager") },
	{ "by-password-fd", required_argument, O_BYFD, "    --by-password-fd=N", N_("read the manager's password from descriptor N") },
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "id",		required_argument, 'i', "-i, --id=ID",		N_("the person to revoke") },
	{ "reason",	required_argument, O_REASON, "    --reason=TEXT", N_("why (transfer, retirement, ...); required") },
	{ "terminal",	required_argument, 't', "-t, --terminal=TERMINAL", N_("the terminal named in the log") },
	{ "now",	required_argument, TOOL_NOW_REFUSED, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

struct own {
	const char	*by, *id, *reason;
	int		 byfd;
};

static int
opt(void *p, int ch, char *arg)
{
	struct own *o = p;

	switch (ch) {
	case 'b': o->by = arg; break;
	case 'i': o->id = arg; break;
	case O_REASON: o->reason = arg; break;
	case O_BYFD:
		if ((o->byfd = fd_parse("--by-password-fd", arg)) == -1)
			return ST_USAGE;
		break;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: operator-revoke [-d DIR] [-t TERMINAL] -b ID [--by-password-fd N]\n"
	    "\t-i ID --reason TEXT\n"), opts, 0, opt, 0
};

static int
run(struct own *o, const struct tool_args *a)
{
	struct store	 st;
	int		 r;

	if (usage_missing(o->by, "-b") || usage_missing(o->id, "-i") ||
	    usage_missing(o->reason, "--reason"))
		tool_usage(&cmd, ST_USAGE);
	if (operator_id_bad("-i", o->id, NULL))
		return ST_USAGE;
	if (text_blank(o->reason)) {
		warnx(_("--reason: empty"));
		return ST_USAGE;
	}
	if (field_check("--reason", o->reason, OPERATOR_REASON_MAX) != ST_OK)
		return ST_USAGE;
	if ((r = store_open(&st, a->dir, a->terminal, STORE_GATE)) != ST_OK)
		return r;
	r = operator_revoke(&st, o->by, o->byfd, o->id, o->reason);
	store_close(&st);
	return r;
}

int
main(int argc, char *argv[])
{
	struct own	 o = { NULL, NULL, NULL, -1 };
	struct tool_args a;

	tool_parse(&cmd, argc, argv, &o, &a);
	return tool_exit(run(&o, &a));
}
