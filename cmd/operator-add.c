/*
 * operator-add — registers a person in the operator register (R5.1), with
 * biometric enrolment or the password exception (R5.3 proviso).
 */
#include <stdlib.h>

#include "jukisec.h"
#include "esc.h"
#include "register_change.h"
#include "timeutil.h"
#include "tool.h"

static const struct tool_opt opts[] = {
	{ "by",		required_argument, 'b', "-b, --by=ID",		N_("the acting Security Manager") },
	{ "by-password-fd", required_argument, OPCHANGE_BYFD, "    --by-password-fd=N", N_("read the manager's password from descriptor N") },
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "device",	required_argument, OPCHANGE_DEVICE, "    --device=DRIVER", N_("the libfprint driver of the reader to enrol on") },
	{ "expires",	required_argument, 'e', "-e, --expires=DATE",	N_("the last day of authority (YYYY-MM-DD)") },
	{ "finger",	required_argument, OPCHANGE_FINGER, "    --finger=NAME", N_("which finger to enrol") },
	{ "id",		required_argument, 'i', "-i, --id=ID",		N_("the new person's id") },
	{ "instructions-given", required_argument, OPCHANGE_INSTR, "    --instructions-given=DATE", N_("the day the two R5.3 instructions were given") },
	{ "method",	required_argument, 'm', "-m, --method=METHOD",	N_("fingerprint, external or password") },
	{ "name",	required_argument, 'n', "-n, --name=NAME",	N_("the person's name") },
	{ "password-fd", required_argument, OPCHANGE_PWFD, "    --password-fd=N", N_("read the new password from descriptor N") },
	{ "role",	required_argument, 'r', "-r, --role=ROLE",	N_("operator (default) or manager") },
	{ "reason",	required_argument, OPCHANGE_REASON, "    --reason=TEXT", N_("why biometric verification is difficult for this person") },
	{ "section",	required_argument, 's', "-s, --section=SECTION", N_("the person's section") },
	{ "terminal",	required_argument, 't', "-t, --terminal=TERMINAL", N_("the terminal named in the log") },
	{ "title",	required_argument, OPCHANGE_TITLE, "    --title=TITLE", N_("the person's title") },
	{ "now",	required_argument, TOOL_NOW_REFUSED, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

static int
opt(void *p, int ch, char *arg)
{
	struct opchange *a = p;

	switch (ch) {
	case 'b': a->by = arg; break;
	case 'e': a->expires = arg; break;
	case 'i': a->id = arg; break;
	case 'm': a->method = arg; break;
	case 'n': a->name = arg; break;
	case 'r': a->role = arg; break;
	case 's': a->section = arg; break;
	default: return opchange_opt(a, ch, arg) == -1 ? ST_USAGE : ST_OK;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: operator-add [-d DIR] [-t TERMINAL] [-b ID] "
	    "[--by-password-fd N]\n"
	    "\t-i ID -n NAME [-s SECTION] [--title TITLE] [-r operator|manager]\n"
	    "\t[-e DATE] -m fingerprint [--finger NAME] [--device DRIVER]\n"
	    "       operator-add [-d DIR] [-t TERMINAL] [-b ID] "
	    "[--by-password-fd N]\n"
	    "\t-i ID -n NAME [-s SECTION] [--title TITLE] [-r operator|manager]\n"
	    "\t[-e DATE] -m external\n"
	    "       operator-add [-d DIR] [-t TERMINAL] [-b ID] "
	    "[--by-password-fd N]\n"
	    "\t-i ID -n NAME [-s SECTION] [--title TITLE] [-r operator|manager]\n"
	    "\t[-e DATE] -m password --reason TEXT --instructions-given DATE\n"
	    "\t[--password-fd N]\n"), opts, 0, opt, 0
};

static int
check(struct opchange *a)
{
	const char *miss;
	int	 y, m, d;

	if (operator_id_bad("-i", a->id, NULL))
		return ST_USAGE;
	if (text_blank(a->name)) {
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
	if (a->m == METHOD_PASSWORD && (miss =
	    opchange_proviso_missing(a)) != NULL) {
		/* R5.3 proviso: the exception needs both */
		warnx(_("-m password needs %s (R5.3 proviso)"), miss);
		return ST_USAGE;
	}
	if (a->m != METHOD_PASSWORD && (a->reason || a->instr)) {
		warnx(_("--reason and --instructions-given belong to -m password"));
		return ST_USAGE;
	}
	/* the synopsis's two forms: an option of the other would be ignored */
	if (a->m != METHOD_PASSWORD && a->pwfd != -1) {
		warnx(_("--password-fd belongs to -m password"));
		return ST_USAGE;
	}
	/* an external verifier is given neither (jukisec-verifier(5)) */
	if (a->m != METHOD_FINGERPRINT && (a->bio.finger || a->bio.device)) {
		warnx(_("--finger and --device belong to -m fingerprint"));
		return ST_USAGE;
	}
	if (bio_finger_check(a->bio.finger, NULL) != ST_OK)
		return ST_USAGE;
	if (a->reason && field_check("--reason", a->reason, OPERATOR_REASON_MAX))
		return ST_USAGE;
	if (a->instr && date_parse(a->instr, &y, &m, &d) == -1) {
		warnx(_("--instructions-given %s: not a date YYYY-MM-DD"), a->instr);
		return ST_USAGE;
	}
	if (a->expires && opchange_expiry(a, 0, NULL) != ST_OK)
		return ST_USAGE;
	return ST_OK;
}

static int
run(struct opchange *o, const struct tool_args *a)
{
	struct store	 st;
	int		 r;

	if (usage_missing(o->id, "-i") || usage_missing(o->name, "-n") ||
	    usage_missing(o->method, "-m"))
		tool_usage(&cmd, ST_USAGE);
	if ((r = check(o)) != ST_OK)
		return r;
	if ((r = store_open(&st, a->dir, a->terminal, STORE_GATE)) != ST_OK)
		return r;
	r = operator_add(&st, o);
	store_close(&st);
	return r;
}

int
main(int argc, char *argv[])
{
	struct opchange	 o = { .section = "", .title = "", .role = "operator",
			    .pwfd = -1, .byfd = -1, .exp = TIME_NONE };
	struct tool_args a;

	tool_parse(&cmd, argc, argv, &o, &a);
	return tool_exit(run(&o, &a));
}
