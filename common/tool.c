/*
 * tool.c — the command line of every tool: getopt_long over the tool's
 * one table of options, the options every tool shares (-h, -V, -d, -t,
 * --now), the usage text (the synopsis, its man page's SYNOPSIS word for
 * word, and for --help one line per option), and the exit status once
 * standard output is checked.
 *
 * Invariants: --help goes to standard output with status 0 and lists
 * every option the man page lists (t0099); a usage error goes to standard
 * error with status 2, after exactly one line saying what was wrong:
 * getopt_long's own words for an unknown option or a missing argument
 * (getopt_refused), or the tool's (usage_extra, usage_missing, or a warnx
 * naming the option).
 * Option names are printed as they are typed, descriptions translated.
 * The options are parsed in the order given, so the first bad one is the
 * one named.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "timeutil.h"
#include "tool.h"

/* Every tool takes these; they end each --help. */
static const struct tool_opt common_opts[] = {
	{ "help",	no_argument,	'h', "-h, --help",	N_("print this help and exit") },
	{ "version",	no_argument,	'V', "-V, --version",	N_("print the version and exit") },
	{ NULL, 0, 0, NULL, NULL }
};

/* The option column is as wide as its longest name, up to NAMEW_MAX; a
 * longer name still has two blanks after it. */
#define NAMEW_MAX	30

static int
name_width(const struct tool_opt *o, int w)
{
	int n;

	for (; o->name != NULL; o++)
		if (o->shown != NULL && (n = (int)strlen(o->shown)) > w &&
		    n <= NAMEW_MAX)
			w = n;
	return w;
}

static void
print_opts(FILE *fp, const struct tool_opt *o, int w)
{
	for (; o->name != NULL; o++)
		if (o->shown != NULL)
			fprintf(fp, "  %-*s  %s\n", w, o->shown, _(o->help));
}

void
tool_usage(const struct tool *t, int status)
{
	FILE *fp = status == ST_OK ? stdout : stderr;
	int w;

	fputs(_(t->synopsis), fp);
	if (status == ST_OK) {
		w = name_width(common_opts, name_width(t->opts, 0));
		putc('\n', fp);
		print_opts(fp, t->opts, w);
		print_opts(fp, common_opts, w);
	}
	exit(status);
}

/* getopt_long's tables from the common and the tool's options: *longp
 * to free, the short options ("hVa:d:...") to free.  -h and -V come
 * first, so an ambiguous abbreviation (--he) names --help before the
 * tool's own (--head), as most tools' tables did. */
static char *
getopt_tables(const struct tool *t, struct option **longp)
{
	const struct tool_opt *o, *tabs[] = { common_opts, t->opts };
	struct option *lo;
	char *s, *p;
	size_t n = 0, i;

	for (o = t->opts; o->name != NULL; o++)
		n++;
	lo = *longp = xcalloc(n + 3, sizeof(*lo));
	p = s = xcalloc(1 + 3 * n + 3 * 2 + 1, 1);
	*p++ = ':';	/* a missing argument returns ':' (getopt_refused) */
	for (i = 0; i < 2; i++)
		for (o = tabs[i]; o->name != NULL; o++) {
			lo->name = o->name;
			lo->has_arg = o->has_arg;
			lo++->val = o->val;
			if (o->val >= 256)
				continue;
			*p++ = (char)o->val;
			if (o->has_arg != no_argument)
				*p++ = ':';
			if (o->has_arg == optional_argument)
				*p++ = ':';
		}
	return s;
}

/*
 * The long option whose name begins with the N bytes of NAME: the one of
 * that exact name, else the first that begins so; *ambig is 1 when
 * another that begins so differs from that first one (as getopt_long
 * decides an abbreviation is ambiguous).  NULL when none begins so.
 */
static const struct option *
long_match(const struct option *lo, const char *name, size_t n, int *ambig)
{
	const struct option *o, *m = NULL;

	*ambig = 0;
	for (o = lo; o->name != NULL; o++)
		if (strncmp(o->name, name, n) == 0 && o->name[n] == '\0')
			return o;
	for (o = lo; o->name != NULL; o++) {
		if (strncmp(o->name, name, n) != 0)
			continue;
		if (m == NULL)
			m = o;
		else if (o->has_arg != m->has_arg || o->val != m->val)
			*ambig = 1;
	}
	return m;
}

static int
val_known(const struct option *lo, int val)
{
	for (; lo->name != NULL; lo++)
		if (lo->val == val)
			return 1;
	return 0;
}

/* The C library's translation of its own message (getopt_long's), not a
 * message of the suite's catalogue for make po to collect. */
#define LIBC_(s)	dgettext("libc", s)

/* getopt_long's line for what it refused into f (its words, from its
 * catalogue "libc"): the long option typed as NAME[=...], or the short
 * one optopt. */
static void
getopt_words(FILE *f, const struct option *lo, int ch, const char *el)
{
	const char *p = program_invocation_short_name, *name;
	const struct option *o, *m;
	char *typed;
	size_t n;
	int ambig;

	if (strncmp(el, "--", 2) != 0 ||
	    (ch == '?' && optopt != 0 && !val_known(lo, optopt))) {
		fprintf(f, ch == ':' ?
		    LIBC_("%s: option requires an argument -- '%c'\n") :
		    LIBC_("%s: invalid option -- '%c'\n"), p,
		    optopt != 0 ? optopt : '?');
		return;
	}
	name = el + 2;
	n = strcspn(name, "=");
	m = long_match(lo, name, n, &ambig);
	typed = xstrndup(name, n);
	if (m == NULL)
		fprintf(f, LIBC_("%s: unrecognized option '%s%s'\n"),
		    p, "--", typed);
	else if (ambig && ch == '?' && optopt == 0) {
		fprintf(f, LIBC_(
		    "%s: option '%s%s' is ambiguous; possibilities:"), p, "--",
		    typed);
		for (o = lo; o->name != NULL; o++)
			if (strncmp(o->name, name, n) == 0 && (o == m ||
			    o->has_arg != m->has_arg || o->val != m->val))
				fprintf(f, " '--%s'", o->name);
	} else if (ch == ':')
		fprintf(f, LIBC_(
		    "%s: option '%s%s' requires an argument\n"), p, "--",
		    m->name);
	else
		fprintf(f, LIBC_(
		    "%s: option '%s%s' doesn't allow an argument\n"), p, "--",
		    m->name);
	free(typed);
}

/*
 * getopt_long's line for an option it refused (CH '?', or ':' for a
 * missing argument), made here (opterr is 0) and said as every message
 * is (esc.c: escaped, one line), with getopt_long's words.  getopt_long
 * wrote the word as typed, whole: what follows a long option's "=" went
 * to standard error, which cron mails and the journal keeps, a password
 * typed there by mistake (--passwd=..., or an ambiguous abbreviation)
 * included, and a control character in it reached the terminal.  An
 * unknown short option (optopt not in the tables) may be inside a group
 * (-qz), so argv[optind - 1] is read only for a long option, which
 * getopt_long has consumed whole.
 */
static void
getopt_refused(const struct option *lo, int ch, char *const argv[])
{
	const char *p = program_invocation_short_name;
	char *m = NULL, *q;
	size_t len = 0, n = strlen(p);
	FILE *f;

	jukisec_msg();
	if ((f = open_memstream(&m, &len)) == NULL)
		err(ST_FAIL, "open_memstream");
	getopt_words(f, lo, ch, optind > 0 ? argv[optind - 1] : "");
	if (fclose(f) != 0)
		err(ST_FAIL, "open_memstream");
	q = m;
	if (strncmp(q, p, n) == 0 && strncmp(q + n, ": ", 2) == 0)
		q += n + 2;
	/* getopt_long's line ends in its one line feed; one typed in the
	 * option's name is the name's, which warnx escapes */
	if ((n = strlen(q)) > 0 && q[n - 1] == '\n')
		q[n - 1] = '\0';
	warnx("%s", q);
	free(m);
}

/* -d '': a usage error (one line), not "not given": the default instead
 * (JUKISEC_DIR, /var/lib/jukisec) would be another state directory than
 * the one meant, without a word (jukisec-init -d '' initialised it).  An
 * empty -t stays "not given", as log-append(1) has always said: the
 * terminal's name then comes from JUKISEC_TERMINAL or the host. */
static const char *
not_empty(const char *opt, const char *arg)
{
	if (usage_empty(arg, opt))
		exit(ST_USAGE);
	return arg;
}

/* --now TIME of a read-only tool: ST_OK, or ST_USAGE after one line. */
static int
asof_parse(const char *arg, int64_t *now)
{
	if (usage_empty(arg, "--now"))	/* "--now : ...", said as -d '' is */
		return ST_USAGE;
	if (time_arg(arg, now) == -1) {
		warnx(_("--now %s: not an RFC 3339 time"), arg);
		return ST_USAGE;
	}
	return ST_OK;
}

int
tool_now_refused(int change)
{
	warnx("%s", change ? _("--now: the clock is not an input of a change") :
	    _("--now: the clock is not an input of this tool"));
	return ST_USAGE;
}

/* One option the skeleton knows: 1 taken, 0 the tool's own. */
static int
common_opt(const struct tool *t, int ch, struct tool_args *a)
{
	switch (ch) {
	case 'h':
		tool_usage(t, ST_OK);
	case 'V':
		print_version();
		exit(fshut_stdout());
	case 'd':
		a->dir = not_empty("-d", optarg);
		return 1;
	case 't':
		a->terminal = optarg;
		return 1;
	case TOOL_NOW:
		if (asof_parse(optarg, &a->now) != ST_OK)
			exit(ST_USAGE);
		a->now_given = 1;
		return 1;
	case TOOL_NOW_REFUSED:
		exit(tool_now_refused(0));
	}
	return 0;
}

/* The tool's own name, its synopsis's first word, in place of argv[0]'s:
 * every message begins with it, and a caller's argv[0] (exec -a, a
 * symbolic link) with a control character in it reached the terminal raw,
 * or named another tool ("a\nlog-show"), in front of the escaped rest. */
static void
own_name(const struct tool *t)
{
	static char name[32];
	const char *s = t->synopsis;
	size_t n;

	if (strncmp(s, "usage: ", 7) == 0)
		s += 7;
	if ((n = strcspn(s, " \n")) > 0 && n < sizeof(name)) {
		memcpy(name, s, n);
		name[n] = '\0';
		program_invocation_short_name = name;
	}
}

void
tool_parse(const struct tool *t, int argc, char *argv[], void *own,
    struct tool_args *a)
{
	struct option *lo;
	char *so;
	int ch, r;

	own_name(t);
	if (t->lazy_locale)
		jukisec_setup_lazy();
	else
		jukisec_setup();
	memset(a, 0, sizeof(*a));
	/* getopt_long names argv[0] in its messages: the program, as every
	 * other message does (own_name), not the path a script ran it by. */
	if (argc > 0)
		argv[0] = program_invocation_short_name;
	so = getopt_tables(t, &lo);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (ch == '?' || ch == ':') {
			getopt_refused(lo, ch, argv);
			tool_usage(t, ST_USAGE);
		}
		if (common_opt(t, ch, a))
			continue;
		if ((r = t->opt(own, ch, optarg)) != ST_OK)
			exit(r);
	}
	free(so);
	free(lo);
	a->argc = argc - optind;
	a->argv = argv + optind;
	if (!t->operands && usage_extra(a->argc, a->argv))
		tool_usage(t, ST_USAGE);
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

/* An empty name is no file and no socket: said as the option, before
 * anything is opened, not as open(2)'s ": No such file or directory"
 * after the tool has read, printed or logged what came first. */
int
usage_empty(const char *arg, const char *opt)
{
	if (*arg != '\0')
		return 0;
	warnx(_("%s: empty"), opt);
	return 1;
}

int
usage_empty_operands(int argc, char *const argv[])
{
	int i;

	for (i = 0; i < argc; i++)
		if (usage_empty(argv[i], "FILE"))
			return 1;
	return 0;
}

int
tool_exit(int status)
{
	int r;

	/* A tool that prints nothing may run with descriptor 1 closed, and
	 * closing it again is no lost output; anything buffered for it is
	 * still caught at exit (jukisec_setup). */
	if (fcntl(STDOUT_FILENO, F_GETFD) == -1)
		return status;
	r = fshut_stdout();
	return status == ST_OK ? r : status;
}
