/*
 * operator-mod — the Security Manager's changes to a registered person:
 * unlock (R5.2), new password or re-enrolment, method, section, title,
 * name and expiry (R5.5 prompt change); --recover, the way back for a locked or
 * lost manager.
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "esc.h"
#include "register_change.h"
#include "timeutil.h"
#include "tool.h"

enum { O_RESET = OPCHANGE_NEXT, O_REENROL, O_RECOVER, O_KEYFILE };

static const struct tool_opt opts[] = {
	{ "by",		required_argument, 'b', "-b, --by=ID",		N_("the acting Security Manager") },
	{ "by-password-fd", required_argument, OPCHANGE_BYFD, "    --by-password-fd=N", N_("read the manager's password from descriptor N") },
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "device",	required_argument, OPCHANGE_DEVICE, "    --device=DRIVER", N_("the libfprint driver of the reader for a re-enrolment") },
	{ "expires",	required_argument, 'e', "-e, --expires=DATE|never", N_("a new end of authority") },
	{ "finger",	required_argument, OPCHANGE_FINGER, "    --finger=NAME", N_("the finger for a re-enrolment") },
	{ "id",		required_argument, 'i', "-i, --id=ID",		N_("the person to change") },
	{ "instructions-given", required_argument, OPCHANGE_INSTR, "    --instructions-given=DATE", N_("the day the two R5.3 instructions were given") },
	{ "key-file",	required_argument, O_KEYFILE, "    --key-file=FILE", N_("the log verification key, for --recover") },
	{ "method",	required_argument, 'm', "-m, --method=METHOD",	N_("move to another method") },
	{ "name",	required_argument, 'n', "-n, --name=NAME",	N_("a new name") },
	{ "password-fd", required_argument, OPCHANGE_PWFD, "    --password-fd=N", N_("read the new password from descriptor N") },
	{ "reason",	required_argument, OPCHANGE_REASON, "    --reason=TEXT", N_("a new exception reason (password method)") },
	{ "recover",	no_argument,	   O_RECOVER, "    --recover",	N_("unlock the manager -i without another manager") },
	{ "reenroll",	no_argument,	   O_REENROL, "    --reenroll",	N_("enrol the biometric again") },
	{ "reset-password", no_argument,   O_RESET, "    --reset-password", N_("set a new password") },
	{ "section",	required_argument, 's', "-s, --section=SECTION", N_("a new section") },
	{ "terminal",	required_argument, 't', "-t, --terminal=TERMINAL", N_("the terminal named in the log") },
	{ "title",	required_argument, OPCHANGE_TITLE, "    --title=TITLE", N_("the person's title") },
	{ "unlock",	no_argument,	   'u', "-u, --unlock",		N_("lift a lockout and reset the failure count") },
	{ "now",	required_argument, TOOL_NOW_REFUSED, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

struct own {
	struct opchange	 c;
	const char	*keyfile;
	int		 recover;
};

static int
opt(void *p, int ch, char *arg)
{
	struct own *o = p;

	switch (ch) {
	case 'b': o->c.by = arg; break;
	case 'e': o->c.expires = arg; break;
	case 'i': o->c.id = arg; break;
	case 'm': o->c.method = arg; break;
	case 'n': o->c.name = arg; break;
	case 's': o->c.section = arg; break;
	case 'u': o->c.unlock = 1; break;
	case O_RESET: o->c.reset = 1; break;
	case O_REENROL: o->c.reenrol = 1; break;
	case O_RECOVER: o->recover = 1; break;
	case O_KEYFILE:
		if (usage_empty(arg, "--key-file"))
			return ST_USAGE;
		o->keyfile = arg;
		break;
	default: return opchange_opt(&o->c, ch, arg) == -1 ? ST_USAGE : ST_OK;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: operator-mod [-u] [-d DIR] [-t TERMINAL] -b ID "
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
	    "\t[--device DRIVER]\n"), opts, 0, opt, 0
};

static int
check(struct opchange *a)
{
	int	 y, m, d;

	if (operator_id_bad("-i", a->id, NULL))
		return ST_USAGE;
	if (a->name && text_blank(a->name)) {
		warnx(_("-n: empty"));
		return ST_USAGE;
	}
	if (a->reason && text_blank(a->reason)) {
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
	if (a->expires && opchange_expiry(a, 1, NULL) != ST_OK)
		return ST_USAGE;
	return opchange_mod_usage(a, NULL);
}

/* --recover: nothing but the way back, with its own authority. */
static int
recover_main(struct opchange *a, const char *dir, const char *terminal,
    const char *keyfile)
{
	struct store	 st;
	int		 r;

	/* -u too: --recover unlocks anyway, and its synopsis has no -u */
	if (a->by || a->byfd != -1 || a->unlock || a->method || a->name ||
	    a->section || a->title || a->expires || a->reason || a->instr ||
	    (a->reset && a->reenrol)) {
		warnx(_("--recover takes -i, --key-file and at most one of "
		    "--reset-password and --reenroll"));
		tool_usage(&cmd, ST_USAGE);
	}
	if (keyfile == NULL) {
		warnx(_("--recover needs --key-file (the log verification key)"));
		tool_usage(&cmd, ST_USAGE);
	}
	if (operator_id_bad("-i", a->id, NULL))
		return ST_USAGE;
	/* as without --recover, in the same words: an option the credential
	 * to be made does not take would be ignored, yet a script that gave
	 * it believed it was used */
	if (a->pwfd != -1 && !a->reset) {
		warnx(_("--password-fd belongs to a new password "
		    "(-m password, --reset-password)"));
		return ST_USAGE;
	}
	if ((a->bio.finger || a->bio.device) && !a->reenrol) {
		warnx(_("--finger and --device belong to a fingerprint "
		    "enrolment (-m fingerprint, --reenroll)"));
		return ST_USAGE;
	}
	if (bio_finger_check(a->bio.finger, NULL) != ST_OK)
		return ST_USAGE;
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK)
		return r;
	r = operator_recover(&st, a, keyfile);
	store_close(&st);
	return r;
}

static int
run(struct own *o, const struct tool_args *a)
{
	struct store	 st;
	struct opchange	*c = &o->c;
	int		 r;

	if (usage_missing(c->id, "-i"))
		tool_usage(&cmd, ST_USAGE);
	if (o->recover)
		return recover_main(c, a->dir, a->terminal, o->keyfile);
	if (o->keyfile != NULL) {
		warnx(_("--key-file is for --recover only"));
		tool_usage(&cmd, ST_USAGE);
	}
	if (usage_missing(c->by, "-b"))
		tool_usage(&cmd, ST_USAGE);
	/* the options checked first: --password-fd, --finger or --device
	 * alone is the option's own usage error, as with another change,
	 * not "nothing to change" (operator-mod(1)) */
	if ((r = check(c)) != ST_OK)
		return r;
	if (!c->unlock && !c->reset && !c->reenrol && !c->method && !c->name &&
	    !c->section && !c->title && !c->expires && !c->reason && !c->instr) {
		warnx(_("nothing to change"));
		tool_usage(&cmd, ST_USAGE);
	}
	if ((r = store_open(&st, a->dir, a->terminal, STORE_GATE)) != ST_OK)
		return r;
	r = operator_mod(&st, c);
	store_close(&st);
	return r;
}

int
main(int argc, char *argv[])
{
	struct own	 o = { { .pwfd = -1, .byfd = -1, .exp = TIME_NONE }, NULL, 0 };
	struct tool_args a;

	tool_parse(&cmd, argc, argv, &o, &a);
	return tool_exit(run(&o, &a));
}
