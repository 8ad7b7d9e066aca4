/*
 * operator-list — prints the operator register as the 別記様式 shows it
 * (R5.1): a table for people, CSV or JSON for programs (with the last
 * success and failure from the log), filtered for cron ("whose authority
 * ends this month").  Never a secret: credential files are not even opened.
 */
#include <getopt.h>
#include <stdlib.h>

#include "jukisec.h"
#include "clock.h"
#include "register.h"
#include "usage.h"

enum { O_EXPIRING = 256 };

static const struct option longopts[] = {
	{ "all",	no_argument,	   NULL, 'a' },
	{ "dir",	required_argument, NULL, 'd' },
	{ "format",	required_argument, NULL, 'f' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "locked",	no_argument,	   NULL, 'l' },
	{ "method",	required_argument, NULL, 'm' },
	{ "expiring",	required_argument, NULL, O_EXPIRING },
	{ "now",	required_argument, NULL, 'N' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct usage_opt opts[] = {
	{ "-a, --all",			N_("include revoked persons") },
	{ "-d, --dir=DIR",		N_("the state directory (else $JUKISEC_DIR)") },
	{ "    --expiring=DAYS",	N_("only those whose authority ends within DAYS days") },
	{ "-l, --locked",		N_("only those locked out now") },
	{ "-m, --method=METHOD",	N_("only those of METHOD") },
	{ "-f, --format=FORMAT",	N_("table (default), csv, json or form") },
	{ "    --now=TIME",		N_("as of TIME (RFC 3339)") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status, _("usage: operator-list [-al] [-d DIR] [-f table|csv|json|form] "
	    "[-m METHOD]\n"
	    "\t[--expiring DAYS] [--now TIME]\n"), opts);
}

/* Long: the option switch, a case an option, then checks across options. */
int
main(int argc, char *argv[])
{
	struct store	 st;
	struct register_ reg;
	struct register_filter flt = { 0, 0, -1, 0, METHOD_PASSWORD };
	struct register_seen *seen = NULL;
	enum register_format fmt;
	const char	*dir = NULL, *format = "table", *e;
	int64_t		 now = -1;
	int		 ch, r;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "ad:f:hlm:V", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'a': flt.all = 1; break;
		case 'l': flt.locked = 1; break;
		case 'm':
			if (method_parse(optarg, &flt.method) == -1) {
				warnx(_("-m %s: not fingerprint, password or "
				    "external"), optarg);
				usage(ST_USAGE);
			}
			flt.have_method = 1;
			break;
		case O_EXPIRING:
			if (parse_num(optarg, 0, 36500, &flt.expiring, &e) == -1) {
				warnx(_("--expiring %s: days, 0 to 36500: %s"),
				    optarg, e);
				usage(ST_USAGE);
			}
			break;
		case 'd': dir = optarg; break;
		case 'f': format = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'N':
			if (asof_parse(optarg, &now) != ST_OK)
				return ST_USAGE;
			break;
		case 'V': print_version(); return fshut_stdout();
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (usage_extra(argc, argv))
		usage(ST_USAGE);
	if (register_format_parse(format, &fmt) == -1) {
		warnx(_("-f %s: not table, csv, json or form"), format);
		usage(ST_USAGE);
	}
	if ((r = store_open(&st, dir, NULL, 0)) != ST_OK)
		return r;
	if ((now == -1 && (r = clock_decision(&st, &now)) != ST_OK) ||
	    (r = register_load(&st, &reg)) != ST_OK) {
		store_close(&st);
		return r;
	}
	if (fmt != REGISTER_TABLE) {
		seen = xcalloc(reg.n + 1, sizeof *seen);
		if ((r = register_seen(&st, &reg, seen)) != ST_OK) {
			free(seen);
			register_free(&reg);
			store_close(&st);
			return r;
		}
	}
	register_print(&reg, &flt, fmt, &st.conf, now, seen);
	free(seen);
	register_free(&reg);
	store_close(&st);
	return fshut_stdout();
}
