/*
 * log-show — the operation history (R6) for people and pipes: filters,
 * formats, verified output with -k, summaries, and --follow shipping with a
 * cursor to standard output or syslog.  The work is in common/show*.c.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "clock.h"
#include "oplog_verify.h"
#include "show.h"
#include "store.h"
#include "timeutil.h"
#include "usage.h"

enum { O_SINCE = 256, O_UNTIL, O_OPERATOR, O_ACTION, O_OBJECT, O_RESULT, O_TERMINAL,
	O_FORMAT, O_SUMMARY, O_FOLLOW, O_CURSOR, O_SYSLOG, O_NOW };

static const struct option longopts[] = {
	{ "dir",	required_argument, NULL, 'd' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "key-file",	required_argument, NULL, 'k' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ "since",	required_argument, NULL, O_SINCE },
	{ "until",	required_argument, NULL, O_UNTIL },
	{ "operator",	required_argument, NULL, O_OPERATOR },
	{ "action",	required_argument, NULL, O_ACTION },
	{ "object",	required_argument, NULL, O_OBJECT },
	{ "result",	required_argument, NULL, O_RESULT },
	{ "terminal",	required_argument, NULL, O_TERMINAL },
	{ "format",	required_argument, NULL, O_FORMAT },
	{ "summary",	required_argument, NULL, O_SUMMARY },
	{ "follow",	no_argument,	   NULL, O_FOLLOW },
	{ "cursor-file", required_argument, NULL, O_CURSOR },
	{ "syslog",	optional_argument, NULL, O_SYSLOG },
	{ "now",	required_argument, NULL, O_NOW },
	{ NULL, 0, NULL, 0 }
};

static const struct usage_opt opts[] = {
	{ "-d, --dir=DIR",		N_("the state directory (else $JUKISEC_DIR)") },
	{ "-k, --key-file=FILE",	N_("verify the records shown with this key") },
	{ "    --since=TIME",		N_("records from TIME on") },
	{ "    --until=TIME",		N_("records up to TIME") },
	{ "    --operator=ID",		N_("records of this operator only") },
	{ "    --action=ACTION",	N_("records of this action only") },
	{ "    --result=RESULT",	N_("records of this result only") },
	{ "    --terminal=TERMINAL",	N_("records of this terminal only") },
	{ "    --object=TEXT",		N_("records whose object contains TEXT") },
	{ "    --format=FORMAT",	N_("csv, json, table or raw") },
	{ "    --summary=KEY",		N_("count records by operator, action, terminal, result or day") },
	{ "    --follow",		N_("wait for new records and show them") },
	{ "    --cursor-file=FILE",	N_("resume after the record this file names") },
	{ "    --syslog[=SOCKET]",	N_("send the lines to syslog (default /dev/log)") },
	{ "    --now=TIME",		N_("verify and show as of TIME (RFC 3339)") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status,
	    _("usage: log-show [-d DIR] [-k FILE|-] [--since TIME] [--until TIME]\n"
	    "\t[--operator ID] [--action ACTION] [--object TEXT] [--result RESULT]\n"
	    "\t[--terminal TERMINAL] [--format csv|json|table|raw]\n"
	    "\t[--summary operator|action|terminal|result|day] [--follow]\n"
	    "\t[--cursor-file FILE] [--syslog[=SOCKET]] [--now TIME] [FILE ...]\n"),
	    opts);
}

static void
time_opt(const char *name, const char *arg, int until, char out[TIME_BUFSZ])
{
	int64_t t;

	if (show_time_arg(arg, until, &t) == -1) {
		warnx(_("%s: not a time (RFC 3339, YYYY-MM-DD or \"YYYY-MM-DD HH:MM\"): %s"),
		    name, arg);
		usage(ST_USAGE);
	}
	time_format(t, out);
}

static void
value(const char **slot, const char *name, const char *arg)
{
	if (*slot != NULL) {
		warnx(_("%s given twice"), name);
		usage(ST_USAGE);
	}
	*slot = arg;
}

/* Long: the option switch, a case an option, then checks across options. */
int
main(int argc, char *argv[])
{
	struct show_opts o;
	struct store st, *stp = NULL;
	struct oplog_vkey *vk = NULL;
	struct jerr e;
	const char *dir = NULL, *keyfile = NULL, *fmt = NULL;
	int ch, r;

	jukisec_setup();
	memset(&o, 0, sizeof(o));
	o.now = time_now_ms();
	while ((ch = getopt_long(argc, argv, "d:hk:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'k': keyfile = optarg; break;
		case 'V':
			print_version();
			return fshut_stdout();
		case O_SINCE: time_opt("--since", optarg, 0, o.f.since); break;
		case O_UNTIL: time_opt("--until", optarg, 1, o.f.until); break;
		case O_OPERATOR: value(&o.f.eq[OF_OPERATOR], "--operator", optarg); break;
		case O_ACTION: value(&o.f.eq[OF_ACTION], "--action", optarg); break;
		case O_OBJECT: value(&o.f.object, "--object", optarg); break;
		case O_RESULT: value(&o.f.eq[OF_RESULT], "--result", optarg); break;
		case O_TERMINAL: value(&o.f.eq[OF_TERMINAL], "--terminal", optarg); break;
		case O_FORMAT:
			if (show_format_parse(optarg, &o.fmt) == -1) {
				warnx(_("--format: csv, json, table or raw, not %s"), optarg);
				usage(ST_USAGE);
			}
			fmt = optarg;
			break;
		case O_SUMMARY:
			if (show_key_parse(optarg, &o.summary) == -1) {
				warnx(_("--summary: operator, action, terminal, result or day, not %s"),
				    optarg);
				usage(ST_USAGE);
			}
			break;
		case O_FOLLOW: o.follow = 1; break;
		case O_CURSOR: o.cursor = optarg; break;
		case O_SYSLOG: o.syslog = optarg ? optarg : "/dev/log"; break;
		case O_NOW:
			if (asof_parse(optarg, &o.now) != ST_OK)
				return ST_USAGE;
			break;
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	o.files = (const char *const *)argv;
	o.nfiles = argc;
	if ((o.follow || o.cursor) && argc > 0) {
		warnx(_("--follow and --cursor-file read the live log, not files"));
		usage(ST_USAGE);
	}
	if (o.summary != SHOW_NOKEY && (o.follow || o.syslog)) {
		warnx(_("--summary counts to the end: not with --follow or --syslog"));
		usage(ST_USAGE);
	}
	if (o.syslog && fmt) {
		warnx(_("--syslog sends the log's lines as they are: no --format"));
		usage(ST_USAGE);
	}

	/* Files are read without a state directory, as log-verify does. */
	if (argc == 0 || dir != NULL || getenv("JUKISEC_DIR") != NULL) {
		if ((r = store_open(&st, dir, NULL, 0)) != ST_OK)
			return r;
		stp = &st;
	}
	if (o.cursor && (r = show_path_outside(stp, o.cursor, "--cursor-file")) != ST_OK)
		goto out;
	if (keyfile && (vk = oplog_vkey_open(keyfile, &e)) == NULL) {
		r = jerr_warn(&e);
		goto out;
	}
	if (vk == NULL && isatty(STDOUT_FILENO))
		warnx("%s", _("unverified: without -k the records shown are not checked"));
	r = show_run(stp, vk, &o);
	if (r == ST_OK)
		r = fshut_stdout();
out:
	oplog_vkey_free(vk);
	if (stp)
		store_close(stp);
	return r;
}
