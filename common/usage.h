/*
 * usage.h — what a tool prints for -h/--help and for a usage error.
 */
#ifndef USAGE_H
#define USAGE_H

/* One line of --help: the option as its man page spells it (not
 * translated) and what it does (marked N_(), translated when printed). */
struct usage_opt {
	const char	*name;
	const char	*help;
};

/* With ST_OK: the synopsis, a blank line and one line per option of opts
 * (ended by a NULL name), then -h and -V, on standard output.  Otherwise the synopsis alone
 * on standard error.  Exits with status. */
void	usage_exit(int status, const char *synopsis,
	    const struct usage_opt *opts) __attribute__((noreturn));

/* Each returns 1 after one line saying what is wrong, 0 if nothing is:
 * an operand where none may be ("extra argument X"), a required option
 * not given ("missing OPT"). */
int	usage_extra(int argc, char *const argv[]);
int	usage_missing(const void *given, const char *opt);

#endif
