/*
 * log-prune — removes operation-log records older than the retention
 * period, never under one year (R6), into an archive unless told to
 * discard them; the log and the archive stay verifiable.  Meant for cron:
 * silent on success.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "prune.h"
#include "store.h"
#include "timeutil.h"
#include "tool.h"

enum { OPT_DISCARD = 256 };

static const struct tool_opt opts[] = {
	{ "archive",	required_argument, 'a', "-a, --archive=FILE",	N_("append the removed records to FILE (- for standard output)") },
	{ "discard",	no_argument,	   OPT_DISCARD, "    --discard", N_("discard the removed records") },
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "dry-run",	no_argument,	   'n', "-n, --dry-run",	N_("change nothing; print what would be removed") },
	{ "quiet",	no_argument,	   'q', "-q, --quiet",		N_("print nothing but errors") },
	{ "retain",	required_argument, 'r', "-r, --retain=DAYS",	N_("the retention in days, 365 to 36500") },
	{ "terminal",	required_argument, 't', "-t, --terminal=TERMINAL", N_("the terminal named in the checkpoint record") },
	{ "verbose",	no_argument,	   'v', "-v, --verbose",	N_("print one summary line") },
	{ "now",	required_argument, TOOL_NOW_REFUSED, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

struct own {
	struct prune_opts	 o;
	const char		*retain;
	int			 quiet, verbose, discard;
};

static int
opt(void *p, int ch, char *arg)
{
	struct own *w = p;

	switch (ch) {
	case 'a':
		if (usage_empty(arg, "-a"))
			return ST_USAGE;
		w->o.archive = arg;
		break;
	case 'n': w->o.dry_run = 1; break;
	case 'q': w->quiet = 1; break;
	case 'r': w->retain = arg; break;
	case 'v': w->verbose = 1; break;
	case OPT_DISCARD: w->discard = 1; break;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: log-prune [-n] [-q | -v] -a FILE | --discard [-d DIR] "
	    "[-r DAYS] [-t TERMINAL]\n"), opts, 0, opt, 0
};

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
	if (r->silent > 0)
		fprintf(fp, _("cutoff moved back %.1f days: stretches of over %d days "
		    "with only seals in the log (a machine off, or a clock set ahead)\n"),
		    (double)r->silent / MS_PER_DAY, PRUNE_CLOCK_DAYS);
}

static int
run(struct own *w, const struct tool_args *a)
{
	struct prune_opts o = w->o;
	struct prune_result res;
	struct store st;
	const char *retain = w->retain, *errstr;
	long long days;
	int ret;

	if (w->quiet && w->verbose) {
		warnx(_("-q and -v exclude each other"));
		tool_usage(&cmd, ST_USAGE);
	}
	/* retain_days' range: what jukisec.conf may say, -r may say. */
	if (retain != NULL) {
		/* written as in jukisec.conf: "+400" or "0400" is not how
		 * a retention is written */
		if (strspn(retain, "0123456789") != strlen(retain) ||
		    (parse_decimal(retain, 0, LLONG_MAX, &days, &errstr) == -1 &&
		    errno == EINVAL)) {
			warnx(_("--retain %s: not a number of days"), retain);
			return ST_USAGE;
		}
		if (errstr != NULL) {
			warnx(_("--retain %s: %s"), retain, _(errstr));
			return ST_USAGE;
		}
		if (days < PRUNE_MIN_DAYS) {
			warnx(_("--retain %lld: under %d days; R6 keeps the operation "
			    "history for one year"), days, PRUNE_MIN_DAYS);
			return ST_USAGE;
		}
		if (days > CONF_RETAIN_MAX) {
			warnx(_("--retain %lld: over %d days, the most "
			    "jukisec.conf allows for retain_days"), days, CONF_RETAIN_MAX);
			return ST_USAGE;
		}
	}
	/* Nothing is discarded unless asked for by name (R6). */
	if ((o.archive != NULL) + w->discard != 1 && !(o.dry_run && !w->discard)) {
		warnx("%s", w->discard ? _("--archive and --discard exclude each other") :
		    _("where should the removed records go? --archive FILE, or --discard"));
		tool_usage(&cmd, ST_USAGE);
	}
	if ((ret = store_open(&st, a->dir, a->terminal, 0)) != ST_OK)
		return ret;
	o.retain_days = retain != NULL ? days : st.conf.retain_days;
	o.now = time_now_ms();
	o.discard = w->discard;
	ret = prune_run(&st, &o, &res);
	if (ret == ST_OK && !w->quiet && (w->verbose || o.dry_run))
		summary(o.archive != NULL && strcmp(o.archive, "-") == 0 &&
		    !o.dry_run ? stderr : stdout, &o, &res);
	store_close(&st);
	return ret;
}

int
main(int argc, char *argv[])
{
	struct own	 w = { { 0 }, NULL, 0, 0, 0 };
	struct tool_args a;

	tool_parse(&cmd, argc, argv, &w, &a);
	return tool_exit(run(&w, &a));
}
