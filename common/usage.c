/*
 * usage.c — the usage text of every tool: the synopsis (its man page's
 * SYNOPSIS word for word) and, for -h/--help, one line per option.
 *
 * Invariants: --help goes to standard output with status 0 and lists
 * every option the man page lists (t0099); a usage error goes to standard
 * error with status 2, after exactly one line saying what was wrong:
 * getopt_long's own for an unknown option or a missing argument, or the
 * tool's (usage_extra, usage_missing, or a warnx naming the option).
 * Option names are printed as they are typed, descriptions translated.
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "usage.h"

/* Every tool takes these; they end each --help. */
static const struct usage_opt common_opts[] = {
	{ "-h, --help",		N_("print this help and exit") },
	{ "-V, --version",	N_("print the version and exit") },
	{ NULL, NULL }
};

/* The option column is as wide as its longest name, up to NAMEW_MAX; a
 * longer name still has two blanks after it. */
#define NAMEW_MAX	30

static int
name_width(const struct usage_opt *o, int w)
{
	int n;

	for (; o->name != NULL; o++)
		if ((n = (int)strlen(o->name)) > w && n <= NAMEW_MAX)
			w = n;
	return w;
}

static void
print_opts(FILE *fp, const struct usage_opt *o, int w)
{
	for (; o->name != NULL; o++)
		fprintf(fp, "  %-*s  %s\n", w, o->name, _(o->help));
}

void
usage_exit(int status, const char *synopsis, const struct usage_opt *opts)
{
	FILE *fp = status == ST_OK ? stdout : stderr;
	int w;

	fputs(synopsis, fp);
	if (status == ST_OK) {
		w = name_width(common_opts, name_width(opts, 0));
		putc('\n', fp);
		print_opts(fp, opts, w);
		print_opts(fp, common_opts, w);
	}
	exit(status);
}

int
usage_extra(int argc, char *const argv[])
{
	if (argc == 0)
		return 0;
	warnx(_("extra argument: %s"), argv[0]);
	return 1;
}

int
usage_missing(const void *given, const char *opt)
{
	if (given != NULL)
		return 0;
	warnx(_("missing %s"), opt);
	return 1;
}
