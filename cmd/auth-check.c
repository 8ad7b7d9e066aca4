/*
 * auth-check — the gate (R5.2-R5.4): the exit status says whether this
 * person may operate the terminal now.  With --pam it serves pam_exec.so
 * expose_authtok: the user from PAM_USER, the terminal from PAM_RHOST or
 * PAM_TTY, the password on standard input.
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "cred.h"
#include "gate.h"
#include "register.h"
#include "store.h"
#include "tool.h"

enum { O_PWFD = 256, O_PAM };

static const struct tool_opt opts[] = {
	{ "dir",	 required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "pam",	 no_argument,	    O_PAM, "    --pam",		N_("serve pam_exec(8): user, terminal and password from PAM") },
	{ "password-fd", required_argument, O_PWFD, "    --password-fd=N", N_("read the password from descriptor N") },
	{ "terminal",	 required_argument, 't', "-t, --terminal=TERMINAL", N_("the terminal (else $JUKISEC_TERMINAL)") },
	{ "user",	 required_argument, 'u', "-u, --user=ID",	N_("the person who asks to operate the terminal") },
	{ "now",	 required_argument, TOOL_NOW_REFUSED, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

struct own {
	const char	*id;
	int		 pam, pwfd;
};

static int
opt(void *p, int ch, char *arg)
{
	struct own *o = p;

	switch (ch) {
	case 'u': o->id = arg; break;
	case O_PWFD:
		if ((o->pwfd = fd_parse("--password-fd", arg)) == -1)
			return ST_USAGE;
		break;
	case O_PAM: o->pam = 1; break;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: auth-check [-d DIR] [-t TERMINAL] -u ID [--password-fd N]\n"
	    "       auth-check [-d DIR] [-t TERMINAL] --pam\n"), opts, 1, opt, 0
};

static const char *
pam_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* --pam: the id from PAM_USER, the terminal from PAM_RHOST, else PAM_TTY
 * (unless -t), each named when refused, as -u and -t are. */
static int
pam_source(struct own *o, const char **terminal)
{
	const char *from = "PAM_RHOST", *why;

	if ((o->id = pam_env("PAM_USER")) == NULL) {
		warnx(_("--pam: PAM_USER is not set"));
		return ST_USAGE;
	}
	if (operator_id_bad("PAM_USER", o->id, NULL))
		return ST_USAGE;
	if (*terminal == NULL || **terminal == '\0') {
		if ((*terminal = pam_env(from)) == NULL)
			*terminal = pam_env(from = "PAM_TTY");
		if (*terminal != NULL &&
		    (why = store_terminal_problem(*terminal)) != NULL) {
			store_terminal_say(NULL, from, why);
			return ST_USAGE;
		}
	}
	o->pwfd = 0;
	fd_hold(0);
	return ST_OK;
}

static int
run(struct own *o, const struct tool_args *a)
{
	struct store	 st;
	const char	*terminal = a->terminal, *from;
	char		 buf[PW_SOURCE_MAX];
	int		 r;

	if (o->pam && (o->id != NULL || o->pwfd != -1)) {
		warnx(_("--pam: not with -u or --password-fd"));
		tool_usage(&cmd, ST_USAGE);
	}
	/* operands: none, but --pam and -u are named first */
	if (usage_extra(a->argc, a->argv) || (!o->pam && usage_missing(o->id, "-u")))
		tool_usage(&cmd, ST_USAGE);
	if (o->pam) {
		if ((r = pam_source(o, &terminal)) != ST_OK)
			return r;
	} else if (operator_id_bad("-u", o->id, NULL))
		return ST_USAGE;
	if ((r = store_open(&st, a->dir, terminal, STORE_GATE)) != ST_OK)
		return r;
	/* pam_exec writes the password on standard input */
	from = o->pam ? "<stdin>" : pw_source(buf, "--password-fd", o->pwfd);
	r = gate_auth(&st, o->id, o->pwfd, from, NULL);
	store_close(&st);
	return r;
}

int
main(int argc, char *argv[])
{
	struct own	 o = { NULL, 0, -1 };
	struct tool_args a;

	tool_parse(&cmd, argc, argv, &o, &a);
	return tool_exit(run(&o, &a));
}
