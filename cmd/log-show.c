/*
 * log-show — the operation history (R6) for people and pipes: filters,
 * formats, verified output with -k, summaries, and --follow shipping with a
 * cursor to standard output or syslog.  The work is in common/show*.c.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "oplog_verify.h"
#include "show.h"
#include "store.h"
#include "timeutil.h"
#include "tool.h"

enum { O_SINCE = 256, O_UNTIL, O_OPERATOR, O_ACTION, O_OBJECT, O_RESULT, O_TERMINAL,
	O_FORMAT, O_SUMMARY, O_FOLLOW, O_CURSOR, O_SYSLOG };

static const struct tool_opt opts[] = {
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "key-file",	required_argument, 'k', "-k, --key-file=FILE",	N_("verify the records shown with this key") },
	{ "since",	required_argument, O_SINCE, "    --since=TIME",	N_("records from TIME on") },
	{ "until",	required_argument, O_UNTIL, "    --until=TIME",	N_("records up to TIME") },
	{ "operator",	required_argument, O_OPERATOR, "    --operator=ID", N_("records of this operator only") },
	{ "action",	required_argument, O_ACTION, "    --action=ACTION", N_("records of this action only") },
	{ "result",	required_argument, O_RESULT, "    --result=RESULT", N_("records of this result only") },
	{ "terminal",	required_argument, O_TERMINAL, "    --terminal=TERMINAL", N_("records of this terminal only") },
	{ "object",	required_argument, O_OBJECT, "    --object=TEXT",	N_("records whose object contains TEXT") },
	{ "format",	required_argument, O_FORMAT, "    --format=FORMAT", N_("csv, json, table or raw") },
	{ "summary",	required_argument, O_SUMMARY, "    --summary=KEY",	N_("count records by operator, action, terminal, result or day") },
	{ "follow",	no_argument,	   O_FOLLOW, "    --follow",	N_("wait for new records and show them") },
	{ "cursor-file", required_argument, O_CURSOR, "    --cursor-file=FILE", N_("resume after the record this file names") },
	{ "syslog",	optional_argument, O_SYSLOG, "    --syslog[=SOCKET]", N_("send the lines to syslog (default /dev/log)") },
	{ "now",	required_argument, TOOL_NOW, "    --now=TIME",	N_("with -k, verify as of TIME (RFC 3339)") },
	{ NULL, 0, 0, NULL, NULL }
};

struct own {
	struct show_opts o;
	struct show_cursor cursor;
	const char	*keyfile, *fmt;
};

static int
time_opt(const char *name, const char *arg, int until, struct show_filter *f)
{
	char	*out = until ? f->until : f->since;
	int64_t t;

	if (out[0] != '\0' || (!until && f->since_past)) {
		warnx(_("%s given twice"), name);
		return ST_USAGE;
	}
	if (usage_empty(arg, name))
		return ST_USAGE;
	if (show_time_arg(arg, until, &t) == -1) {
		warnx(_("%s: not a time (RFC 3339, YYYY-MM-DD or \"YYYY-MM-DD HH:MM\"): %s"),
		    name, arg);
		return ST_USAGE;
	}
	/* until keeps the end's last instant (show.h): an end past the last
	 * instant the tools handle, as 9999-12-31 has, is no upper limit,
	 * as a --since before the first is no lower one; its key past
	 * 9999 would not be the log's 24 bytes and would keep nothing */
	if (until)
		t = t - 1 > TIME_MAX ? TIME_MAX : t - 1;
	else if (t > TIME_MAX) {
		/* a start after the last instant: every record is before it */
		f->since_past = 1;
		return ST_OK;
	}
	time_format(t, out);
	return ST_OK;
}

static int
value(const char **slot, const char *name, const char *arg)
{
	if (*slot != NULL) {
		warnx(_("%s given twice"), name);
		return ST_USAGE;
	}
	*slot = arg;
	return ST_OK;
}

static int
opt(void *p, int ch, char *arg)
{
	struct own *w = p;
	struct show_opts *o = &w->o;

	switch (ch) {
	case 'k':
		if (usage_empty(arg, "-k"))
			return ST_USAGE;
		w->keyfile = arg;
		break;
	case O_SINCE: return time_opt("--since", arg, 0, &o->f);
	case O_UNTIL: return time_opt("--until", arg, 1, &o->f);
	case O_OPERATOR: return value(&o->f.eq[OF_OPERATOR], "--operator", arg);
	case O_ACTION: return value(&o->f.eq[OF_ACTION], "--action", arg);
	case O_OBJECT: return value(&o->f.object, "--object", arg);
	case O_RESULT: return value(&o->f.eq[OF_RESULT], "--result", arg);
	case O_TERMINAL: return value(&o->f.eq[OF_TERMINAL], "--terminal", arg);
	case O_FORMAT:
		if (show_format_parse(arg, &o->fmt) == -1) {
			warnx(_("--format: csv, json, table or raw, not %s"), arg);
			return ST_USAGE;
		}
		w->fmt = arg;
		break;
	case O_SUMMARY:
		if (show_key_parse(arg, &o->summary) == -1) {
			warnx(_("--summary: operator, action, terminal, result or day, not %s"),
			    arg);
			return ST_USAGE;
		}
		break;
	case O_FOLLOW: o->follow = 1; break;
	case O_CURSOR:
		if (usage_empty(arg, "--cursor-file"))
			return ST_USAGE;
		w->cursor.path = arg;
		w->cursor.dfd = -1;
		o->cursor = &w->cursor;
		break;
	case O_SYSLOG:
		if (arg != NULL && usage_empty(arg, "--syslog"))
			return ST_USAGE;
		o->syslog = arg ? arg : "/dev/log";
		break;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: log-show [-d DIR] [-k FILE|-] [--since TIME] [--until TIME]\n"
	    "\t[--operator ID] [--action ACTION] [--object TEXT] [--result RESULT]\n"
	    "\t[--terminal TERMINAL] [--format csv|json|table|raw]\n"
	    "\t[--summary operator|action|terminal|result|day] [--follow]\n"
	    "\t[--cursor-file FILE] [--syslog[=SOCKET]] [--now TIME] [FILE ...]\n"),
	opts, 1, opt, 0
};

/* Standard input is one thing: the key or one file of the chain. */
static int
stdin_twice(const char *keyfile, const struct tool_args *a)
{
	int i, n = keyfile != NULL && strcmp(keyfile, "-") == 0;

	for (i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], "-") == 0 && n++ > 0)
			return 1;
	return 0;
}

static int
run(struct own *w, const struct tool_args *a)
{
	struct show_opts *o = &w->o;
	struct store st, *stp = NULL;
	char *live = NULL;
	struct oplog_vkey *vk = NULL;
	struct jerr e;
	int r;

	o->now = a->now_given ? a->now : time_now_ms();
	o->now_given = a->now_given;
	o->files = (const char *const *)a->argv;
	o->nfiles = a->argc;
	/* a FILE "": said before the files before it are shown */
	if (usage_empty_operands(a->argc, a->argv))
		return ST_USAGE;
	if (stdin_twice(w->keyfile, a)) {
		warnx(_("standard input (-) given twice"));
		tool_usage(&cmd, ST_USAGE);
	}
	if ((o->follow || o->cursor) && a->argc > 0) {
		warnx(_("--follow and --cursor-file read the live log, not files"));
		tool_usage(&cmd, ST_USAGE);
	}
	if (o->summary != SHOW_NOKEY && (o->follow || o->syslog)) {
		warnx(_("--summary counts to the end: not with --follow or --syslog"));
		tool_usage(&cmd, ST_USAGE);
	}
	if (o->syslog && w->fmt) {
		warnx(_("--syslog sends the log's lines as they are: no --format"));
		tool_usage(&cmd, ST_USAGE);
	}

	/* Files are read without a state directory, as log-verify does, but
	 * a last one that is a state directory's oplog.csv, its live log. */
	if (a->argc == 0 || store_dir_named(a->dir) ||
	    (live = store_live_dir(a->argv[a->argc - 1])) != NULL) {
		r = store_open(&st, live != NULL ? live : a->dir, NULL, STORE_READER);
		free(live);
		if (r != ST_OK)
			return r;
		stp = &st;
	}
	if (o->cursor && (r = show_cursor_open(stp, o->cursor, stp ? stp->err : NULL)) != ST_OK)
		goto out;
	if (w->keyfile && (vk = oplog_vkey_open(w->keyfile, &e)) == NULL) {
		r = jerr_warn(&e);
		goto out;
	}
	if (vk == NULL && isatty(STDOUT_FILENO))
		warnx("%s", _("unverified: without -k the records shown are not checked"));
	r = show_run(stp, vk, o);
out:
	oplog_vkey_free(vk);
	if (o->cursor && o->cursor->dfd != -1)
		close(o->cursor->dfd);
	if (stp)
		store_close(stp);
	return r;
}

int
main(int argc, char *argv[])
{
	struct own	 w;
	struct tool_args a;
	int		 r, sig;

	memset(&w, 0, sizeof(w));
	tool_parse(&cmd, argc, argv, &w, &a);
	r = tool_exit(run(&w, &a));
	/* Stopped (SIGTERM, SIGINT, SIGHUP) after the record it was handing
	 * on and the cursor: a follower's end, exit 0; a run without
	 * --follow did not reach the end of the log, and ends by the signal,
	 * as a run without --cursor-file does at once. */
	if (r == ST_OK && (sig = show_stopped()) != 0 && !w.o.follow) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return r;
}
