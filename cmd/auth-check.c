/*
 * auth-check — the gate (R5.2-R5.4): the exit status says whether this
 * person may operate the terminal now.  With --pam it serves pam_exec.so
 * expose_authtok: the user from PAM_USER, the terminal from PAM_RHOST or
 * PAM_TTY, the password on standard input.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "clock.h"
#include "cred.h"
#include "gate.h"
#include "register.h"
#include "usage.h"

enum { O_PWFD = 256, O_PAM, O_NOW };

static const struct option longopts[] = {
	{ "dir",		required_argument, NULL, 'd' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "terminal",		required_argument, NULL, 't' },
	{ "user",		required_argument, NULL, 'u' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "password-fd",	required_argument, NULL, O_PWFD },
	{ "pam",		no_argument,	   NULL, O_PAM },
	{ "now",		required_argument, NULL, O_NOW },
	{ NULL, 0, NULL, 0 }
};

static const struct usage_opt opts[] = {
	{ "-d, --dir=DIR",		N_("the state directory (else $JUKISEC_DIR)") },
	{ "    --pam",			N_("serve pam_exec(8): user, terminal and password from PAM") },
	{ "    --password-fd=N",	N_("read the password from descriptor N") },
	{ "-t, --terminal=TERMINAL",	N_("the terminal (else $JUKISEC_TERMINAL)") },
	{ "-u, --user=ID",		N_("the person who asks to operate the terminal") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status, _("usage: auth-check [-d DIR] [-t TERMINAL] -u ID "
	    "[--password-fd N]\n"
	    "       auth-check [-d DIR] [-t TERMINAL] --pam\n"), opts);
}

static const char *
pam_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int
main(int argc, char *argv[])
{
	struct store	 st;
	const char	*dir = NULL, *terminal = NULL, *id = NULL;
	const char	*why;
	int		 ch, r, pam = 0, pwfd = -1;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "d:ht:u:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'h': usage(ST_OK); break;
		case 't': terminal = optarg; break;
		case 'u': id = optarg; break;
		case 'V': print_version(); return fshut_stdout();
		case O_PWFD:
			if ((pwfd = fd_parse("--password-fd", optarg)) == -1)
				usage(ST_USAGE);
			break;
		case O_PAM: pam = 1; break;
		case O_NOW: return clock_refused();
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (pam && (id != NULL || pwfd != -1)) {
		warnx(_("--pam: not with -u or --password-fd"));
		usage(ST_USAGE);
	}
	if (usage_extra(argc, argv) || (!pam && usage_missing(id, "-u")))
		usage(ST_USAGE);
	if (pam) {
		if ((id = pam_env("PAM_USER")) == NULL) {
			warnx(_("--pam: PAM_USER is not set"));
			return ST_USAGE;
		}
		if (terminal == NULL && (terminal = pam_env("PAM_RHOST")) == NULL)
			terminal = pam_env("PAM_TTY");
		pwfd = 0;
	}
	if ((why = operator_id_problem(id)) != NULL) {
		warnx(_("-u %s: %s"), id, why);
		return ST_USAGE;
	}
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK)
		return r;
	r = gate_auth(&st, id, pwfd, NULL);
	store_close(&st);
	return r;
}
