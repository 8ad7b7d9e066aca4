/*
 * jukisec-audit — the compliance report for the Security Committee
 * (R12(2)): checks a state directory against every requirement the
 * software can check, one finding per check.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "confirm.h"
#include "cred.h"
#include "audit.h"
#include "lang.h"
#include "incident.h"
#include "timeutil.h"
#include "tool.h"

enum { O_AUTHOR = 256, O_BYFD, O_CONFIRM, O_FISCAL, O_FORMAT, O_KEYFILE,
	O_LANG, O_NOTE, O_SINCE, O_UNTIL };

static const struct tool_opt opts[] = {
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "key-file",	required_argument, O_KEYFILE, "    --key-file=FILE", N_("the log verification key") },
	{ "now",	required_argument, TOOL_NOW, "    --now=TIME",	N_("audit as of TIME (RFC 3339); nothing is written") },
	{ "since",	required_argument, O_SINCE, "    --since=DATE",	N_("the first day of the period") },
	{ "until",	required_argument, O_UNTIL, "    --until=DATE",	N_("the last day of the period") },
	{ "fiscal-year", required_argument, O_FISCAL, "    --fiscal-year=YEAR", N_("the fiscal year (April to March) as the period") },
	{ "author",	required_argument, O_AUTHOR, "    --author=ID",	N_("the person preparing the report") },
	{ "format",	required_argument, O_FORMAT, "    --format=FORMAT", N_("text (default), csv or json") },
	{ "lang",	required_argument, O_LANG, "    --lang=LANG",	N_("ja or en") },
	{ "confirm",	required_argument, O_CONFIRM, "    --confirm=ITEM", N_("record a confirmation of ITEM") },
	{ "by",		required_argument, 'b', "-b, --by=ID",		N_("with --confirm: the Security Manager who records it") },
	{ "by-password-fd", required_argument, O_BYFD, "    --by-password-fd=N", N_("read the manager's password from descriptor N") },
	{ "note",	required_argument, O_NOTE, "    --note=TEXT",	N_("with --confirm: what was seen") },
	{ "terminal",	required_argument, 't', "-t, --terminal=TERMINAL", N_("with --confirm: the terminal named in the log") },
	{ NULL, 0, 0, NULL, NULL }
};

struct own {
	struct audit_opts o;
	const char	*since, *until, *fiscal, *item, *by, *note;
	const char	*report_opt;	/* "format" or "lang", given */
	int		 byfd;
};

static int
opt(void *p, int ch, char *arg)
{
	struct own *w = p;

	switch (ch) {
	case 'b': w->by = arg; break;
	case O_BYFD:
		if ((w->byfd = fd_parse("--by-password-fd", arg)) == -1)
			return ST_USAGE;
		break;
	case O_CONFIRM: w->item = arg; break;
	case O_NOTE: w->note = arg; break;
	case O_AUTHOR: w->o.author = arg; break;
	case O_FISCAL: w->fiscal = arg; break;
	case O_FORMAT:
		w->report_opt = "format";
		if (strcmp(arg, "text") == 0)
			w->o.format = AUDIT_TEXT;
		else if (strcmp(arg, "csv") == 0)
			w->o.format = AUDIT_CSV;
		else if (strcmp(arg, "json") == 0)
			w->o.format = AUDIT_JSON;
		else {
			warnx(_("--format: %s: not text, csv or json"), arg);
			return ST_USAGE;
		}
		break;
	case O_KEYFILE:
		if (usage_empty(arg, "--key-file"))
			return ST_USAGE;
		w->o.keyfile = arg;
		break;
	case O_LANG:
		w->report_opt = "lang";
		if (strcmp(arg, "ja") != 0 && strcmp(arg, "en") != 0) {
			warnx(_("--lang: %s: not ja or en"), arg);
			return ST_USAGE;
		}
		w->o.ja = strcmp(arg, "ja") == 0;
		break;
	case O_SINCE: w->since = arg; break;
	case O_UNTIL: w->until = arg; break;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: jukisec-audit [-d DIR] [--key-file FILE] [--now TIME]\n"
	    "\t[[--since DATE] [--until DATE] | --fiscal-year YEAR]\n"
	    "\t[--author ID] [--format text|csv|json] [--lang ja|en]\n"
	    "       jukisec-audit [-d DIR] [-t TERMINAL] --confirm ITEM -b ID\n"
	    "\t[--by-password-fd N] [--note TEXT]\n"), opts, 0, opt, 0
};

static int
run(struct own *w, const struct tool_args *a)
{
	struct audit_opts *o = &w->o;

	o->dir = a->dir;
	o->now = a->now_given ? a->now : time_now_ms();
	if (w->item != NULL || w->by != NULL || w->note != NULL || w->byfd != -1 ||
	    a->terminal != NULL) {
		/* a confirmation changes state: the clock decides (clock.h) */
		if (a->now_given)
			return tool_now_refused(1);
		if (usage_missing(w->item, "--confirm") || usage_missing(w->by, "-b"))
			tool_usage(&cmd, ST_USAGE);
		if (o->keyfile || o->author || w->since || w->until || w->fiscal) {
			warnx(_("--confirm: not with --key-file, --author, --since, "
			    "--until or --fiscal-year"));
			tool_usage(&cmd, ST_USAGE);
		}
		/* the report's options (the synopsis's other form) would be
		 * ignored here */
		if (w->report_opt != NULL) {
			warnx(_("--%s: not with %s"), w->report_opt, "--confirm");
			tool_usage(&cmd, ST_USAGE);
		}
		return confirm_main(o->dir, a->terminal, w->item, w->by, w->byfd, w->note);
	}
	if (w->fiscal != NULL && (w->since != NULL || w->until != NULL)) {
		warnx(_("--fiscal-year: not with --since or --until"));
		tool_usage(&cmd, ST_USAGE);
	}
	if (w->fiscal != NULL || w->since != NULL || w->until != NULL)
		return (w->fiscal != NULL ?
		    period_fiscal(w->fiscal, &o->per, NULL) :
		    period_dates(w->since, w->until, o->now, a->now_given,
		    &o->per, NULL)) == -1 ? ST_USAGE : audit_run(o, stdout);
	if (period_last_month(o->now, &o->per) == -1) {
		/* --now early in 0001: the last month began before it */
		char t[TIME_BUFSZ];

		time_format(o->now, t);
		warnx(_("the month before %s begins before "
		    "0001-01-01T00:00:00.000Z: name the period with --since "
		    "and --until"), t);
		return ST_USAGE;
	}
	return audit_run(o, stdout);
}

int
main(int argc, char *argv[])
{
	struct own	 w;
	struct tool_args a;

	memset(&w, 0, sizeof(w));
	w.byfd = -1;
	/* the default from the environment as it is once tool_parse has
	 * removed the locale variables that name a path */
	w.o.ja = -1;
	tool_parse(&cmd, argc, argv, &w, &a);
	if (w.o.ja == -1)
		w.o.ja = lang_env_ja();
	return tool_exit(run(&w, &a));
}
