/*
 * operator-add — registers a person in the operator register (R5.1), with
 * biometric enrolment or the password exception (R5.3 proviso).
 */
#include <getopt.h>
#include <stdlib.h>

#include "jukisec.h"
#include "clock.h"
#include "register_change.h"
#include "timeutil.h"
#include "usage.h"

static const struct option longopts[] = {
	{ "by",			required_argument, NULL, 'b' },
	{ "dir",		required_argument, NULL, 'd' },
	{ "expires",		required_argument, NULL, 'e' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "id",			required_argument, NULL, 'i' },
	{ "method",		required_argument, NULL, 'm' },
	{ "name",		required_argument, NULL, 'n' },
	{ "role",		required_argument, NULL, 'r' },
	{ "section",		required_argument, NULL, 's' },
	{ "terminal",		required_argument, NULL, 't' },
	{ "version",		no_argument,	   NULL, 'V' },
	OPCHANGE_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const struct usage_opt opts[] = {
	{ "-b, --by=ID",		N_("the acting Security Manager") },
	{ "    --by-password-fd=N",	N_("read the manager's password from descriptor N") },
	{ "-d, --dir=DIR",		N_("the state directory (else $JUKISEC_DIR)") },
	{ "    --device=DRIVER",	N_("the libfprint driver of the reader to enrol on") },
	{ "-e, --expires=DATE",		N_("the last day of authority (YYYY-MM-DD)") },
	{ "    --finger=NAME",		N_("which finger to enrol") },
	{ "-i, --id=ID",		N_("the new person's id") },
	{ "    --instructions-given=DATE", N_("the day the two R5.3 instructions were given") },
	{ "-m, --method=METHOD",	N_("fingerprint, external or password") },
	{ "-n, --name=NAME",		N_("the person's name") },
	{ "    --password-fd=N",	N_("read the new password from descriptor N") },
	{ "-r, --role=ROLE",		N_("operator (default) or manager") },
	{ "    --reason=TEXT",		N_("why biometric verification is difficult for this person") },
	{ "-s, --section=SECTION",	N_("the person's section") },
	{ "-t, --terminal=TERMINAL",	N_("the terminal named in the log") },
	{ "    --title=TITLE",		N_("the person's title") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status, _("usage: operator-add [-d DIR] [-t TERMINAL] [-b ID] "
	    "[--by-password-fd N]\n"
	    "\t-i ID -n NAME [-s SECTION] [--title TITLE] [-r operator|manager]\n"
	    "\t[-e DATE] -m fingerprint|external [--finger NAME] [--device DRIVER]\n"
	    "       operator-add [-d DIR] [-t TERMINAL] [-b ID] "
	    "[--by-password-fd N]\n"
	    "\t-i ID -n NAME [-s SECTION] [--title TITLE] [-r operator|manager]\n"
	    "\t[-e DATE] -m password --reason TEXT --instructions-given DATE\n"
	    "\t[--password-fd N]\n"), opts);
}

static int
check(struct opchange *a)
{
	const char *why;
	int	 y, m, d;

	if ((why = operator_id_problem(a->id)) != NULL) {
		warnx(_("-i %s: %s"), a->id, why);
		return ST_USAGE;
	}
	if (*a->name == '\0') {
		warnx(_("-n: empty"));
		return ST_USAGE;
	}
	if (field_check("-n", a->name, OPERATOR_NAME_MAX) ||
	    field_check("-s", a->section, OPERATOR_SECTION_MAX) ||
	    field_check("--title", a->title, OPERATOR_TITLE_MAX))
		return ST_USAGE;
	if (role_parse(a->role, &a->r) == -1) {
		warnx(_("-r %s: not operator or manager"), a->role);
		return ST_USAGE;
	}
	if (method_parse(a->method, &a->m) == -1) {
		warnx(_("-m %s: not fingerprint, password or external"), a->method);
		return ST_USAGE;
	}
	if (a->m == METHOD_PASSWORD && (a->reason == NULL || !*a->reason ||
	    a->instr == NULL)) {
		/* R5.3 proviso: the exception needs both */
		warnx(_("-m password needs %s (R5.3 proviso)"),
		    a->reason && *a->reason ? _("--instructions-given DATE") :
		    a->instr ? _("--reason TEXT") :
		    _("--reason TEXT and --instructions-given DATE"));
		return ST_USAGE;
	}
	if (a->m != METHOD_PASSWORD && (a->reason || a->instr)) {
		warnx(_("--reason and --instructions-given belong to -m password"));
		return ST_USAGE;
	}
	if (a->reason && field_check("--reason", a->reason, OPERATOR_REASON_MAX))
		return ST_USAGE;
	if (a->instr && date_parse(a->instr, &y, &m, &d) == -1) {
		warnx(_("--instructions-given %s: not a date YYYY-MM-DD"), a->instr);
		return ST_USAGE;
	}
	if (a->expires && opchange_expiry(a, 0) != ST_OK)
		return ST_USAGE;
	return ST_OK;
}

int
main(int argc, char *argv[])
{
	struct store	 st;
	struct opchange	 a = { .section = "", .title = "", .role = "operator",
			    .pwfd = -1, .byfd = -1, .exp = TIME_NONE };
	const char	*dir = NULL, *terminal = NULL;
	int		 ch, r;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "b:d:e:hi:m:n:r:s:t:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b': a.by = optarg; break;
		case 'd': dir = optarg; break;
		case 'e': a.expires = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'i': a.id = optarg; break;
		case 'm': a.method = optarg; break;
		case 'n': a.name = optarg; break;
		case 'r': a.role = optarg; break;
		case 's': a.section = optarg; break;
		case 't': terminal = optarg; break;
		case 'V': print_version(); return fshut_stdout();
		case OPCHANGE_NOW: return clock_refused();
		default:
			if (opchange_opt(&a, ch, optarg) == -1)
				usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (usage_extra(argc, argv) || usage_missing(a.id, "-i") ||
	    usage_missing(a.name, "-n") || usage_missing(a.method, "-m"))
		usage(ST_USAGE);
	if ((r = check(&a)) != ST_OK)
		return r;
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK)
		return r;
	r = operator_add(&st, &a);
	store_close(&st);
	return r;
}
