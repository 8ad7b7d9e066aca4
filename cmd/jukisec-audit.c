/*
 * jukisec-audit — the compliance report for the Security Committee
 * (R12(2)): checks a state directory against every requirement the
 * software can check, one finding per check.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "clock.h"
#include "confirm.h"
#include "cred.h"
#include "audit.h"
#include "lang.h"
#include "incident.h"
#include "timeutil.h"
#include "usage.h"

enum { O_AUTHOR = 256, O_BYFD, O_CONFIRM, O_FISCAL, O_FORMAT, O_KEYFILE,
	O_LANG, O_NOTE, O_NOW, O_SINCE, O_UNTIL };

static const struct option longopts[] = {
	{ "by",		required_argument, NULL, 'b' },
	{ "dir",	required_argument, NULL, 'd' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ "author",	required_argument, NULL, O_AUTHOR },
	{ "by-password-fd", required_argument, NULL, O_BYFD },
	{ "confirm",	required_argument, NULL, O_CONFIRM },
	{ "fiscal-year", required_argument, NULL, O_FISCAL },
	{ "format",	required_argument, NULL, O_FORMAT },
	{ "key-file",	required_argument, NULL, O_KEYFILE },
	{ "lang",	required_argument, NULL, O_LANG },
	{ "note",	required_argument, NULL, O_NOTE },
	{ "now",	required_argument, NULL, O_NOW },
	{ "since",	required_argument, NULL, O_SINCE },
	{ "terminal",	required_argument, NULL, 't' },
	{ "until",	required_argument, NULL, O_UNTIL },
	{ NULL, 0, NULL, 0 }
};

static const struct usage_opt opts[] = {
	{ "-d, --dir=DIR",		N_("the state directory (else $JUKISEC_DIR)") },
	{ "    --key-file=FILE",	N_("the log verification key") },
	{ "    --now=TIME",		N_("audit as of TIME (RFC 3339); nothing is written") },
	{ "    --since=DATE",		N_("the first day of the period") },
	{ "    --until=DATE",		N_("the last day of the period") },
	{ "    --fiscal-year=YEAR",	N_("the fiscal year (April to March) as the period") },
	{ "    --author=ID",		N_("the person preparing the report") },
	{ "    --format=FORMAT",	N_("text (default), csv or json") },
	{ "    --lang=LANG",		N_("ja or en") },
	{ "    --confirm=ITEM",		N_("record a confirmation of ITEM") },
	{ "-b, --by=ID",		N_("with --confirm: the Security Manager who records it") },
	{ "    --by-password-fd=N",	N_("read the manager's password from descriptor N") },
	{ "    --note=TEXT",		N_("with --confirm: what was seen") },
	{ "-t, --terminal=TERMINAL",	N_("with --confirm: the terminal named in the log") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status,
	    _("usage: jukisec-audit [-d DIR] [--key-file FILE] [--now TIME]\n"
	    "\t[--since DATE] [--until DATE | --fiscal-year YEAR]\n"
	    "\t[--author ID] [--format text|csv|json] [--lang ja|en]\n"
	    "       jukisec-audit [-d DIR] [-t TERMINAL] --confirm ITEM -b ID\n"
	    "\t[--by-password-fd N] [--note TEXT]\n"), opts);
}

/* Long: the option switch, a case an option, then checks across options. */
int
main(int argc, char *argv[])
{
	struct audit_opts o;
	const char *since = NULL, *until = NULL, *fiscal = NULL;
	const char *item = NULL, *by = NULL, *note = NULL, *terminal = NULL;
	int	 ch, status, byfd = -1, now_given = 0;

	jukisec_setup();
	memset(&o, 0, sizeof(o));
	o.now = time_now_ms();
	o.ja = lang_env_ja();
	while ((ch = getopt_long(argc, argv, "b:d:ht:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			by = optarg;
			break;
		case 't':
			terminal = optarg;
			break;
		case O_BYFD:
			if ((byfd = fd_parse("--by-password-fd", optarg)) == -1)
				usage(ST_USAGE);
			break;
		case O_CONFIRM:
			item = optarg;
			break;
		case O_NOTE:
			note = optarg;
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'h':
			usage(ST_OK);
			break;
		case 'V':
			print_version();
			return fshut_stdout();
		case O_AUTHOR:
			o.author = optarg;
			break;
		case O_FISCAL:
			fiscal = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o.format = AUDIT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				o.format = AUDIT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o.format = AUDIT_JSON;
			else {
				warnx(_("--format: %s: not text, csv or json"), optarg);
				usage(ST_USAGE);
			}
			break;
		case O_KEYFILE:
			o.keyfile = optarg;
			break;
		case O_LANG:
			if (strcmp(optarg, "ja") != 0 && strcmp(optarg, "en") != 0) {
				warnx(_("--lang: %s: not ja or en"), optarg);
				usage(ST_USAGE);
			}
			o.ja = strcmp(optarg, "ja") == 0;
			break;
		case O_NOW:
			if (asof_parse(optarg, &o.now) != ST_OK)
				return ST_USAGE;
			now_given = 1;
			break;
		case O_SINCE:
			since = optarg;
			break;
		case O_UNTIL:
			until = optarg;
			break;
		default:
			usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (usage_extra(argc, argv))
		usage(ST_USAGE);
	if (item != NULL || by != NULL || note != NULL || byfd != -1 ||
	    terminal != NULL) {
		/* a confirmation changes state: the clock decides (clock.h) */
		if (now_given)
			return clock_refused();
		if (usage_missing(item, "--confirm") || usage_missing(by, "-b"))
			usage(ST_USAGE);
		if (o.keyfile || o.author || since || until || fiscal) {
			warnx(_("--confirm: not with --key-file, --author, --since, "
			    "--until or --fiscal-year"));
			usage(ST_USAGE);
		}
		return confirm_main(o.dir, terminal, item, by, byfd, note);
	}
	if (fiscal != NULL && (since != NULL || until != NULL)) {
		warnx(_("--fiscal-year: not with --since or --until"));
		usage(ST_USAGE);
	}
	if ((fiscal != NULL ? period_fiscal(fiscal, &o.per) :
	    since != NULL || until != NULL ?
	    period_dates(since, until, o.now, &o.per) :
	    period_last_month(o.now, &o.per)) == -1)
		return ST_USAGE;

	status = audit_run(&o, stdout);
	if (fshut_stdout() != ST_OK)
		status = ST_FAIL;
	return status;
}
