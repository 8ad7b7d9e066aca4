/*
 * tool.h — the one shape of every tool's main(): parse, run, exit.
 *
 *	tool_parse(&cmd, argc, argv, &o, &a);
 *	return tool_exit(run(&o, &a));
 */
#ifndef TOOL_H
#define TOOL_H

#include <getopt.h>
#include <stdint.h>

/* Option values the skeleton takes itself; a tool's own are its short
 * letter or an enum from 256 up. */
enum {
	TOOL_NOW = 0x10000,	/* --now TIME: as of TIME (tool.c asof_parse) */
	TOOL_NOW_REFUSED	/* --now: refused, the clock decides (tool_now_refused) */
};
/* 'd' (-d, --dir DIR) and 't' (-t, --terminal TERMINAL) are the
 * skeleton's too, into struct tool_args; an empty one is a usage error. */

/* One option: getopt_long's fields, then its line of --help. */
struct tool_opt {
	const char	*name;		/* the long name; NULL ends the table */
	int		 has_arg;	/* no_argument, required_ or optional_argument */
	int		 val;		/* a letter for a short option too */
	const char	*shown;		/* as the man page spells it; NULL: not in --help */
	const char	*help;		/* N_() */
};

struct tool {
	const char		*synopsis;	/* N_(): the man page's SYNOPSIS */
	const struct tool_opt	*opts;		/* in --help's order */
	int			 operands;	/* 0: an operand is a usage error */
	/* A tool option into the tool's own struct: ST_OK, or a status to
	 * exit with at once (ST_USAGE after one line saying what is wrong
	 * with the value: no synopsis, which is for a wrong set of options). */
	int			(*opt)(void *own, int ch, char *arg);
	/* 1: the locale and the catalogue set up at the first message, not
	 * at start (jukisec_setup_lazy: log-append, whose start-up counts) */
	int			 lazy_locale;
};

/* What the skeleton parsed; the operands left after the options. */
struct tool_args {
	const char	*dir;		/* -d, else NULL */
	const char	*terminal;	/* -t, else NULL */
	int64_t		 now;		/* --now, if now_given */
	int		 now_given;
	int		 argc;
	char		**argv;
};

/* jukisec_setup() (or _lazy), then every option: -h/--help and -V/--version print
 * and exit, an unknown option or a missing argument is a usage error, the
 * tool's options go to t->opt with own.  Returns only when all parsed. */
void	tool_parse(const struct tool *t, int argc, char *argv[], void *own,
	    struct tool_args *a);

/* The synopsis on standard error and exit ST_USAGE; with ST_OK, the
 * synopsis and one line per option on standard output and exit 0. */
void	tool_usage(const struct tool *t, int status) __attribute__((noreturn));

/* Each returns 1 after one line saying what is wrong, 0 if nothing is:
 * an operand where none may be ("extra argument X"), a required option
 * not given ("missing OPT"), an empty value ("OPT: empty"; OPT an
 * operand's name, FILE, for an operand). */
int	usage_extra(int argc, char *const argv[]);
int	usage_missing(const void *given, const char *opt);
int	usage_empty(const char *arg, const char *opt);
/* The same for FILE operands: 1 after "FILE: empty" for the first "". */
int	usage_empty_operands(int argc, char *const argv[]);

/* --now given where the clock decides: one line, "the clock is not an
 * input of this tool", or with change set "... of a change" (a tool that
 * takes --now as "as of" in its other modes); returns ST_USAGE. */
int	tool_now_refused(int change);

/* The status to exit with: status, or ST_FAIL when it was ST_OK and
 * standard output could not be written (fshut_stdout; a closed
 * descriptor 1 is left to the check at exit). */
int	tool_exit(int status);

#endif
