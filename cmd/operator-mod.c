/*
 * operator-mod — the Security Manager's changes to a registered person:
 * unlock (R5.2), new password or re-enrolment, method, section, title,
 * name and expiry (R5.5 prompt change); --recover, the way back for a locked or
 * lost manager.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "clock.h"
#include "register_change.h"
#include "timeutil.h"
#include "usage.h"

enum { O_RESET = OPCHANGE_NEXT, O_REENROL, O_RECOVER, O_KEYFILE };

static const struct option longopts[] = {
	{ "by",			required_argument, NULL, 'b' },
	{ "dir",		required_argument, NULL, 'd' },
	{ "expires",		required_argument, NULL, 'e' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "id",			required_argument, NULL, 'i' },
	{ "method",		required_argument, NULL, 'm' },
	{ "name",		required_argument, NULL, 'n' },
	{ "section",		required_argument, NULL, 's' },
	{ "terminal",		required_argument, NULL, 't' },
	{ "unlock",		no_argument,	   NULL, 'u' },
	{ "version",		no_argument,	   NULL, 'V' },
	OPCHANGE_LONGOPTS,
	{ "reset-password",	no_argument,	   NULL, O_RESET },
	{ "reenroll",		no_argument,	   NULL, O_REENROL },
	{ "recover",		no_argument,	   NULL, O_RECOVER },
	{ "key-file",		required_argument, NULL, O_KEYFILE },
	{ NULL, 0, NULL, 0 }
};

static const struct usage_opt opts[] = {
	{ "-b, --by=ID",		N_("the acting Security Manager") },
	{ "    --by-password-fd=N",	N_("read the manager's password from descriptor N") },
	{ "-d, --dir=DIR",		N_("the state directory (else $JUKISEC_DIR)") },
	{ "    --device=DRIVER",	N_("the libfprint driver of the reader for a re-enrolment") },
	{ "-e, --expires=DATE|never",	N_("a new end of authority") },
	{ "    --finger=NAME",		N_("the finger for a re-enrolment") },
	{ "-i, --id=ID",		N_("the person to change") },
	{ "    --instructions-given=DATE", N_("the day the two R5.3 instructions were given") },
	{ "    --key-file=FILE",	N_("the log verification key, for --recover") },
	{ "-m, --method=METHOD",	N_("move to another method") },
	{ "-n, --name=NAME",		N_("a new name") },
	{ "    --password-fd=N",	N_("read the new password from descriptor N") },
	{ "    --reason=TEXT",		N_("a new exception reason (password method)") },
	{ "    --recover",		N_("unlock the manager -i without another manager") },
	{ "    --reenroll",		N_("enrol the biometric again") },
	{ "    --reset-password",	N_("set a new password") },
	{ "-s, --section=SECTION",	N_("a new section") },
	{ "-t, --terminal=TERMINAL",	N_("the terminal named in the log") },
	{ "    --title=TITLE",		N_("the person's title") },
	{ "-u, --unlock",		N_("lift a lockout and reset the failure count") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status, _("usage: operator-mod [-u] [-d DIR] [-t TERMINAL] -b ID "
	    "[--by-password-fd N] -i ID\n"
	    "\t[-n NAME] [-s SECTION] [--title TITLE] [-e DATE|never]\n"
	    "\t[--reset-password] [--reenroll]\n"
	    "\t[-m fingerprint|password|external] [--reason TEXT]\n"
	    "\t[--instructions-given DATE] [--password-fd N] [--finger NAME]\n"
	    "\t[--device DRIVER]\n"
	    "       operator-mod --recover [-d DIR] [-t TERMINAL] -i ID "
	    "--key-file FILE\n"
	    "\t[--reset-password | --reenroll] [--password-fd N] "
	    "[--finger NAME]\n"
	    "\t[--device DRIVER]\n"), opts);
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
	if (a->name && *a->name == '\0') {
		warnx(_("-n: empty"));
		return ST_USAGE;
	}
	if (a->reason && *a->reason == '\0') {
		warnx(_("--reason: empty"));
		return ST_USAGE;
	}
	if ((a->name && field_check("-n", a->name, OPERATOR_NAME_MAX)) ||
	    (a->section && field_check("-s", a->section, OPERATOR_SECTION_MAX)) ||
	    (a->title && field_check("--title", a->title, OPERATOR_TITLE_MAX)) ||
	    (a->reason && field_check("--reason", a->reason, OPERATOR_REASON_MAX)))
		return ST_USAGE;
	if (a->instr && date_parse(a->instr, &y, &m, &d) == -1) {
		warnx(_("--instructions-given %s: not a date YYYY-MM-DD"), a->instr);
		return ST_USAGE;
	}
	if (a->expires && opchange_expiry(a, 1) != ST_OK)
		return ST_USAGE;
	return ST_OK;
}

/* --recover: nothing but the way back, with its own authority. */
static int
recover_main(struct opchange *a, const char *dir, const char *terminal,
    const char *keyfile)
{
	struct store	 st;
	const char	*why;
	int		 r;

	if (a->by || a->byfd != -1 || a->method || a->name || a->section ||
	    a->title || a->expires || a->reason || a->instr ||
	    (a->reset && a->reenrol)) {
		warnx(_("--recover takes -i, --key-file and at most one of "
		    "--reset-password and --reenroll"));
		usage(ST_USAGE);
	}
	if (keyfile == NULL) {
		warnx(_("--recover needs --key-file (the log verification key)"));
		usage(ST_USAGE);
	}
	if ((why = operator_id_problem(a->id)) != NULL) {
		warnx(_("-i %s: %s"), a->id, why);
		return ST_USAGE;
	}
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK)
		return r;
	r = operator_recover(&st, a, keyfile);
	store_close(&st);
	return r;
}

int
main(int argc, char *argv[])
{
	struct store	 st;
	struct opchange	 a = { .pwfd = -1, .byfd = -1, .exp = TIME_NONE };
	const char	*dir = NULL, *terminal = NULL, *keyfile = NULL;
	int		 ch, r, recover = 0;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "b:d:e:hi:m:n:s:t:uV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b': a.by = optarg; break;
		case 'd': dir = optarg; break;
		case 'e': a.expires = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'i': a.id = optarg; break;
		case 'm': a.method = optarg; break;
		case 'n': a.name = optarg; break;
		case 's': a.section = optarg; break;
		case 't': terminal = optarg; break;
		case 'u': a.unlock = 1; break;
		case 'V': print_version(); return fshut_stdout();
		case O_RESET: a.reset = 1; break;
		case O_REENROL: a.reenrol = 1; break;
		case O_RECOVER: recover = 1; break;
		case O_KEYFILE: keyfile = optarg; break;
		case OPCHANGE_NOW: return clock_refused();
		default:
			if (opchange_opt(&a, ch, optarg) == -1)
				usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (usage_extra(argc, argv) || usage_missing(a.id, "-i"))
		usage(ST_USAGE);
	if (recover)
		return recover_main(&a, dir, terminal, keyfile);
	if (keyfile != NULL) {
		warnx(_("--key-file is for --recover only"));
		usage(ST_USAGE);
	}
	if (usage_missing(a.by, "-b"))
		usage(ST_USAGE);
	if (!a.unlock && !a.reset && !a.reenrol && !a.method && !a.name &&
	    !a.section && !a.title && !a.expires && !a.reason && !a.instr) {
		warnx(_("nothing to change"));
		usage(ST_USAGE);
	}
	if ((r = check(&a)) != ST_OK)
		return r;
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK)
		return r;
	r = operator_mod(&st, &a);
	store_close(&st);
	return r;
}
