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
#include "register_change.h"
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

int
main(int argc, char *argv[])
{
	struct store	 st;
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
	r = operator_revoke(&st, by, byfd, id, reason);
	store_close(&st);
	return r;
}
