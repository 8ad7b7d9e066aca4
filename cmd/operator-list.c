/*
 * operator-list — prints the operator register as the 別記様式 shows it
 * (R5.1): a table for people, CSV or JSON for programs.  Never a secret:
 * credential files are not even opened.
 */
#include <getopt.h>
#include <stdlib.h>

#include "jukisec.h"
#include "clock.h"
#include "register.h"

static const struct option longopts[] = {
	{ "all",	no_argument,	   NULL, 'a' },
	{ "dir",	required_argument, NULL, 'd' },
	{ "format",	required_argument, NULL, 'f' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "now",	required_argument, NULL, 'N' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "%s",
	    _("usage: operator-list [-a] [-d DIR] [-f table|csv|json] "
	    "[--now TIME]\n"));
	exit(status);
}

int
main(int argc, char *argv[])
{
	struct store	 st;
	struct register_ reg;
	enum register_format fmt;
	const char	*dir = NULL, *format = "table";
	int64_t		 now = -1;
	int		 ch, r, all = 0;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "ad:f:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': all = 1; break;
		case 'd': dir = optarg; break;
		case 'f': format = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'N':
			if (asof_parse(optarg, &now) != ST_OK)
				return ST_USAGE;
			break;
		case 'V': print_version(); return ST_OK;
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0 || register_format_parse(format, &fmt) == -1)
		usage(ST_USAGE);
	if ((r = store_open(&st, dir, NULL, 0)) != ST_OK)
		return r;
	if ((now == -1 && (r = clock_decision(&st, &now)) != ST_OK) ||
	    (r = register_load(&st, &reg)) != ST_OK) {
		store_close(&st);
		return r;
	}
	register_print(&reg, all, fmt, &st.conf, now);
	register_free(&reg);
	store_close(&st);
	return fshut_stdout();
}
