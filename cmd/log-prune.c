/*
 * log-prune — removes operation-log records older than the retention
 * period, never under one year (R6), into an archive unless told to
 * discard them; the log and the archive stay verifiable.  Meant for cron:
 * silent on success.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "clock.h"
#include "prune.h"
#include "store.h"
#include "timeutil.h"
#include "usage.h"

enum { OPT_NOW = 256, OPT_DISCARD };

static const struct usage_opt opts[] = {
	{ "-a, --archive=FILE",		N_("append the removed records to FILE (- for standard output)") },
	{ "    --discard",		N_("discard the removed records") },
	{ "-d, --dir=DIR",		N_("the state directory (else $JUKISEC_DIR)") },
	{ "-n, --dry-run",		N_("change nothing; print what would be removed") },
	{ "-q, --quiet",		N_("print nothing but errors") },
	{ "-r, --retain=DAYS",		N_("the retention in days, at least 365") },
	{ "-t, --terminal=TERMINAL",	N_("the terminal named in the checkpoint record") },
	{ "-v, --verbose",		N_("print one summary line") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status, _("usage: log-prune [-nqv] -a FILE | --discard [-d DIR] "
	    "[-r DAYS] [-t TERMINAL]\n"), opts);
}

static void
summary(FILE *fp, const struct prune_opts *o, const struct prune_result *r)
{
	char cut[TIME_BUFSZ], old[TIME_BUFSZ];

	time_format(r->cutoff, cut);
	if (r->oldest_kept >= 0)
		time_format(r->oldest_kept, old);
	else
		snprintf(old, sizeof(old), "-");
	if (r->removed > 0)
		fprintf(fp, ngettext("%s %lld record (seq %lld-%lld, before %s), "
		    "kept %lld, oldest kept %s\n", "%s %lld records (seq %lld-%lld, "
		    "before %s), kept %lld, oldest kept %s\n", (unsigned long)r->removed),
		    o->dry_run ? _("would remove") : _("removed"), r->removed,
		    r->first_removed, r->last_removed, cut, r->kept, old);
	else if (r->deferred > 0)
		fprintf(fp, ngettext("%lld record before %s left for a later run "
		    "(shorter than a checkpoint), kept %lld, oldest kept %s\n",
		    "%lld records before %s left for a later run (shorter than a "
		    "checkpoint), kept %lld, oldest kept %s\n", (unsigned long)r->deferred),
		    r->deferred, cut, r->kept, old);
	else
		fprintf(fp, _("nothing before %s to remove, kept %lld, oldest kept %s\n"),
		    cut, r->kept, old);
}

/* Long: the option switch, a case an option, then checks across options. */
int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "archive",	required_argument,	NULL, 'a' },
		{ "dir",	required_argument,	NULL, 'd' },
		{ "discard",	no_argument,		NULL, OPT_DISCARD },
		{ "dry-run",	no_argument,		NULL, 'n' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "now",	required_argument,	NULL, OPT_NOW },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "retain",	required_argument,	NULL, 'r' },
		{ "terminal",	required_argument,	NULL, 't' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct prune_opts o = { 0 };
	struct prune_result res;
	struct store st;
	const char *dir = NULL, *terminal = NULL, *retain = NULL, *errstr;
	long long days;
	int ch, quiet = 0, verbose = 0, discard = 0, ret;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "a:d:hnqr:t:Vv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			o.archive = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(ST_OK);
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'r':
			retain = optarg;
			break;
		case 't':
			terminal = optarg;
			break;
		case 'V':
			print_version();
			return fshut_stdout();
		case 'v':
			verbose = 1;
			break;
		case OPT_DISCARD:
			discard = 1;
			break;
		case OPT_NOW:
			return clock_refused();
		default:
			usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (usage_extra(argc, argv))
		usage(ST_USAGE);
	if (quiet && verbose) {
		warnx(_("-q and -v exclude each other"));
		usage(ST_USAGE);
	}
	if (retain != NULL) {
		if (parse_num(retain, 0, 1000000, &days, &errstr) == -1) {
			warnx(_("--retain %s: %s"), retain, errstr);
			return ST_USAGE;
		}
		if (days < PRUNE_MIN_DAYS) {
			warnx(_("--retain %lld: under %d days; R6 keeps the operation "
			    "history for one year"), days, PRUNE_MIN_DAYS);
			return ST_USAGE;
		}
	}
	/* Nothing is discarded unless asked for by name (R6). */
	if ((o.archive != NULL) + discard != 1 && !(o.dry_run && !discard)) {
		warnx("%s", discard ? _("--archive and --discard exclude each other") :
		    _("where should the removed records go? --archive FILE, or --discard"));
		return ST_USAGE;
	}
	if ((ret = store_open(&st, dir, terminal, 0)) != ST_OK)
		return ret;
	o.retain_days = retain != NULL ? days : st.conf.retain_days;
	o.now = time_now_ms();
	ret = prune_run(&st, &o, &res);
	if (ret == ST_OK && !quiet && (verbose || o.dry_run))
		summary(o.archive != NULL && strcmp(o.archive, "-") == 0 &&
		    !o.dry_run ? stderr : stdout, &o, &res);
	store_close(&st);
	if (fshut_stdout() != ST_OK && ret == ST_OK)
		ret = ST_FAIL;
	return ret;
}
