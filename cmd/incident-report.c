/*
 * incident-report — records serious incidents and faults and the R9 flow
 * (R8, R9, R12), tracks the APPI deadlines of a personal-data leak, prints
 * the report for the Mayor and the General Security Manager.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "cred.h"
#include "gate.h"
#include "incident.h"
#include "register.h"
#include "timeutil.h"
#include "tool.h"

enum { O_BYFD = 256, O_TYPE, O_CAUSE, O_SUMMARY, O_NATURE, O_LEVEL, O_OCCURRED,
	O_DETECTED, O_DETAIL, O_PERSONS, O_SENSITIVE, O_FINANCIAL, O_UNLAWFUL,
	O_STEP, O_AT, O_NOTE, O_FORCE, O_FORMAT, O_LANG, O_OPEN, O_OVERDUE, O_NOW };

#define M(o)	(1ULL << ((o) - O_BYFD))
#define WHO	M(O_BYFD)
static const unsigned long long allowed[] = {	/* new, step, show, list */
	WHO | M(O_TYPE) | M(O_CAUSE) | M(O_SUMMARY) | M(O_NATURE) | M(O_LEVEL) |
	    M(O_OCCURRED) | M(O_DETECTED) | M(O_DETAIL) | M(O_PERSONS) |
	    M(O_SENSITIVE) | M(O_FINANCIAL) | M(O_UNLAWFUL),
	WHO | M(O_STEP) | M(O_AT) | M(O_NOTE) | M(O_FORCE),
	M(O_FORMAT) | M(O_LANG) | M(O_NOW),
	M(O_FORMAT) | M(O_LANG) | M(O_NOW) | M(O_OPEN) | M(O_OVERDUE),
};
enum { NEW, STEP, SHOW, LIST };
static const char *const modes[] = { "new", "step", "show", "list", NULL };
static const char *const formats[] = { "text", "csv", "json", "table", NULL };
/* what an unknown --format is told, by mode: the SYNOPSIS's */
static const char *const show_formats[] = { "text", "csv", "json", NULL };
static const char *const list_formats[] = { "table", "csv", "json", NULL };
static const char *const langs[] = { "en", "ja", NULL };

static const struct tool_opt opts[] = {
	{ "by",		required_argument, 'b', "-b, --by=ID",		N_("the Security Manager who acts (new, step)") },
	{ "by-password-fd", required_argument, O_BYFD, "    --by-password-fd=N", N_("read the manager's password from descriptor N") },
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "terminal",	required_argument, 't', "-t, --terminal=TERMINAL", N_("the terminal named in the operation log") },
	{ "type",	required_argument, O_TYPE, "    --type=TYPE",	N_("unrecoverable, leak, loss, theft, unauthorized-access or other") },
	{ "cause",	required_argument, O_CAUSE, "    --cause=CAUSE",	N_("the cause of Article 8 (with --type unrecoverable)") },
	{ "summary",	required_argument, O_SUMMARY, "    --summary=TEXT", N_("one line, at most 512 bytes") },
	{ "nature",	required_argument, O_NATURE, "    --nature=fault|misconduct|negligence", N_("the nature of the incident") },
	{ "level",	required_argument, O_LEVEL, "    --level=1-4",	N_("the threat level of the emergency plan") },
	{ "occurred",	required_argument, O_OCCURRED, "    --occurred=TIME", N_("when it happened (RFC 3339)") },
	{ "detected",	required_argument, O_DETECTED, "    --detected=TIME", N_("when it was detected (default: now)") },
	{ "detail-file", required_argument, O_DETAIL, "    --detail-file=FILE", N_("the detail, several lines (- for standard input)") },
	{ "persons",	required_argument, O_PERSONS, "    --persons=N",	N_("the number of persons whose data leaked") },
	{ "sensitive",	no_argument,	   O_SENSITIVE, "    --sensitive", N_("the leak holds sensitive personal data") },
	{ "financial",	no_argument,	   O_FINANCIAL, "    --financial", N_("the leak may cause financial damage") },
	{ "unlawful-purpose", no_argument, O_UNLAWFUL, "    --unlawful-purpose", N_("an unlawful purpose is suspected") },
	{ "step",	required_argument, O_STEP, "    --step=STEP",	N_("the step of the R9 flow taken") },
	{ "at",		required_argument, O_AT, "    --at=TIME",	N_("when the step happened (default: now)") },
	{ "note",	required_argument, O_NOTE, "    --note=TEXT",	N_("one line, at most 1024 bytes") },
	{ "force",	no_argument,	   O_FORCE, "    --force",		N_("close with steps missing") },
	{ "format",	required_argument, O_FORMAT, "    --format=FORMAT", N_("text, csv or json (show); table, csv or json (list)") },
	{ "lang",	required_argument, O_LANG, "    --lang=ja|en",	N_("the language of the report and table") },
	{ "open",	no_argument,	   O_OPEN, "    --open",		N_("list only incidents not closed") },
	{ "overdue",	required_argument, O_OVERDUE, "    --overdue=HOURS", N_("list only open incidents with something late") },
	{ "now",	required_argument, TOOL_NOW, "    --now=TIME",	N_("show and list as of TIME (RFC 3339)") },
	{ NULL, 0, 0, NULL, NULL }
};

static int	opt(void *, int, char *);

static const struct tool cmd = {
	N_("usage: incident-report new [-d DIR] [-t TERMINAL] -b ID [--by-password-fd N]\n"
	    "\t--type TYPE [--cause CAUSE] --summary TEXT\n"
	    "\t[--nature fault|misconduct|negligence]\n"
	    "\t[--level 1-4] [--occurred TIME] [--detected TIME] [--detail-file FILE]\n"
	    "\t[--persons N] [--sensitive] [--financial] [--unlawful-purpose]\n"
	    "       incident-report step [-d DIR] [-t TERMINAL] ID -b ID [--by-password-fd N]\n"
	    "\t--step STEP [--at TIME] [--note TEXT] [--force]\n"
	    "       incident-report show [-d DIR] ID [--format text|csv|json] [--lang ja|en]\n"
	    "\t[--now TIME]\n"
	    "       incident-report list [-d DIR] [--open] [--overdue HOURS]\n"
	    "\t[--format table|csv|json] [--lang ja|en] [--now TIME]\n"), opts, 1, opt, 0
};

/* The option given in seen that mode does not take, for its message. */
static const char *
stray_opt(unsigned long long stray)
{
	const struct tool_opt *o;
	int v;

	for (o = opts; o->name != NULL; o++)
		if ((v = o->val == TOOL_NOW ? O_NOW : o->val) >= O_BYFD &&
		    (stray & M(v)))
			return o->name;
	return "?";
}

/* The mode of the operands and the options it needs, and *fmt that of
 * --format fmtarg (or -1); else usage() after saying what is wrong. */
static int
check_mode(int argc, char *argv[], unsigned long long seen, const char *by,
    const char *terminal, const struct inc_new *n,
    const struct inc_step_req *q, const char *fmtarg, int *fmt)
{
	int mode, need;

	if (argc < 1) {
		warnx(_("missing the mode: new, step, show or list"));
		tool_usage(&cmd, ST_USAGE);
	}
	if ((mode = inc_name_index(modes, argv[0])) < 0) {
		warnx(_("%s: not new, step, show or list"), argv[0]);
		tool_usage(&cmd, ST_USAGE);
	}
	need = mode == STEP || mode == SHOW ? 2 : 1;
	if (argc < need) {
		warnx(_("%s: missing the incident id"), modes[mode]);
		tool_usage(&cmd, ST_USAGE);
	}
	if (usage_extra(argc - need, argv + need))
		tool_usage(&cmd, ST_USAGE);
	if (seen & ~allowed[mode]) {
		warnx(_("--%s: not with %s"), stray_opt(seen & ~allowed[mode]),
		    modes[mode]);
		tool_usage(&cmd, ST_USAGE);
	}
	if ((mode == SHOW || mode == LIST) && by != NULL) {
		warnx(_("-b: not with %s"), modes[mode]);
		tool_usage(&cmd, ST_USAGE);
	}
	/* show and list write no record that could name a terminal */
	if ((mode == SHOW || mode == LIST) && terminal != NULL) {
		warnx(_("--%s: not with %s"), "terminal", modes[mode]);
		tool_usage(&cmd, ST_USAGE);
	}
	if ((mode == NEW || mode == STEP) && usage_missing(by, "-b"))
		tool_usage(&cmd, ST_USAGE);
	if (mode == NEW && (usage_missing(n->type < 0 ? NULL : n, "--type") ||
	    usage_missing(n->summary, "--summary")))
		tool_usage(&cmd, ST_USAGE);
	if (mode == NEW && n->type == TYPE_UNRECOVERABLE && n->cause < 0) {
		warnx(_("--type unrecoverable needs --cause"));
		tool_usage(&cmd, ST_USAGE);
	}
	if (mode == STEP && usage_missing(q->step < 0 ? NULL : q, "--step"))
		tool_usage(&cmd, ST_USAGE);
	if (fmtarg != NULL && (*fmt = inc_name_index(formats, fmtarg)) < 0)
		errx(ST_USAGE, _("%s %s: unknown (valid: %s)"), "--format",
		    fmtarg, inc_name_list(mode == SHOW ? show_formats :
		    list_formats));
	/* a bad value for the mode: its line alone, as an unknown one */
	if ((*fmt == FMT_TEXT && mode == LIST) ||
	    (*fmt == FMT_TABLE && mode == SHOW))
		errx(ST_USAGE, _("--format %s: not with %s"), formats[*fmt], modes[mode]);
	return mode;
}

/* Index of s in names, or exit ST_USAGE listing the valid values. */
static int
pick(const char *opt, const char *const *names, const char *s)
{
	int i;

	if ((i = inc_name_index(names, s)) < 0)
		errx(ST_USAGE, _("%s %s: unknown (valid: %s)"), opt, s,
		    inc_name_list(names));
	return i;
}

static int64_t
when(const char *opt, const char *s)
{
	int64_t t;

	if (usage_empty(s, opt))	/* not "OPT : ...": as -d '' */
		exit(ST_USAGE);
	if (time_arg(s, &t) == -1)
		errx(ST_USAGE, _("%s %s: not an RFC 3339 time"), opt, s);
	return t;
}

static long long
number(const char *opt, const char *s, long long min, long long max)
{
	long long v;
	const char *es;

	if (parse_decimal(s, min, max, &v, &es) == -1)
		errx(ST_USAGE, _("%s %s: %s (%lld-%lld)"), opt, s, _(es), min, max);
	return v;
}

struct own {
	struct inc_new		 n;
	struct inc_step_req	 q;
	const char		*by, *detail, *detected, *at, *fmtarg;
	unsigned long long	 seen;		/* M() of each option given */
	long long		 hours;
	int			 fmt, lang, open_only, byfd;
};

static int
opt(void *p, int ch, char *arg)
{
	struct own *w = p;

	if (ch >= O_BYFD)
		w->seen |= M(ch);
	switch (ch) {
	case 'b': w->by = arg; break;
	case O_BYFD:
		if ((w->byfd = fd_parse("--by-password-fd", arg)) == -1)
			return ST_USAGE;
		break;
	case O_TYPE: w->n.type = pick("--type", inc_type_names, arg); break;
	case O_CAUSE: w->n.cause = pick("--cause", inc_cause_names, arg); break;
	case O_SUMMARY: w->n.summary = arg; break;
	case O_NATURE: w->n.nature = pick("--nature", inc_nature_names, arg); break;
	case O_LEVEL: w->n.level = (int)number("--level", arg, 1, 4); break;
	case O_OCCURRED: w->n.occurred = when("--occurred", arg); break;
	case O_DETECTED: w->detected = arg; break;
	case O_DETAIL:
		if (usage_empty(arg, "--detail-file"))
			return ST_USAGE;
		w->detail = arg;
		break;
	case O_PERSONS: w->n.persons = number("--persons", arg, 0, 1000000000); break;
	case O_SENSITIVE: w->n.sensitive = 1; break;
	case O_FINANCIAL: w->n.financial = 1; break;
	case O_UNLAWFUL: w->n.unlawful = 1; break;
	case O_STEP: w->q.step = pick("--step", inc_step_names, arg); break;
	case O_AT: w->at = arg; break;
	case O_NOTE: w->q.note = arg; break;
	case O_FORCE: w->q.force = 1; break;
	case O_FORMAT: w->fmtarg = arg; break;	/* checked in check_mode */
	case O_LANG: w->lang = pick("--lang", langs, arg); break;
	case O_OPEN: w->open_only = 1; break;
	case O_OVERDUE: w->hours = number("--overdue", arg, 0, 100000); break;
	}
	return ST_OK;
}

struct incjob {
	int			 mode;
	struct inc_new		*n;
	struct inc_step_req	*q;
	int			 at_now;	/* --detected or --at not given */
	char			*id;		/* new: filled in; step: the operand */
	int64_t			 now;		/* the decision's, set by inc_change */
};

/* The gate's change: incidents.csv is written under the lock that counted
 * the manager's attempt, so a manager revoked or locked meanwhile records
 * nothing; incident_new and incident_step assert that it is held and
 * leave it to the gate. */
static int
inc_change(struct store *st, struct register_ *reg, int64_t now, void *arg)
{
	struct incjob *j = arg;

	(void)reg;
	j->now = now;
	if (j->at_now)
		j->n->detected = j->q->at = now;
	return j->mode == NEW ? incident_new(st, j->n, j->now, j->id) :
	    incident_step(st, j->id, j->q, j->now);
}

/* new or step: the request checked before the manager is asked, then
 * made under the manager's check, then notify_command. */
static int
record(struct own *w, struct store *st, int mode, char *argv[])
{
	char id[INC_ID_LEN + 1] = "";
	struct incjob j = { mode, &w->n, &w->q, 0, mode == NEW ? id : argv[1], 0 };
	struct gate_change gc = { NULL, inc_change, &j };
	int r, out;

	j.at_now = mode == NEW ? w->detected == NULL : w->at == NULL;
	if ((r = mode == NEW ? incident_new_check(st, j.n, j.at_now) :
	    incident_step_check(st, j.id, j.q)) != ST_OK)
		return r;
	/* A reader gone from standard output (EPIPE, SIGPIPE ignored since
	 * jukisec_setup) costs the id's line only, said in one line (exit
	 * 3), not notify_command for an incident already recorded. */
	if ((r = manager_change(st, w->by, w->byfd, &gc)) == ST_OK &&
	    mode == STEP)
		r = incident_notify(st, j.id, w->by, inc_step_names[j.q->step],
		    j.now);
	else if (mode == NEW && id[0] != '\0') {
		(void)printf("%s\n", id);
		out = fshut_stdout();
		if (r == ST_OK)
			r = incident_notify(st, id, w->by, "new", j.now);
		if (r == ST_OK)
			r = out;
	}
	return r;
}

/* The checks across options and the mode, then the mode. */
static int
run(struct own *w, const struct tool_args *a)
{
	struct inc_new *n = &w->n;
	struct inc_step_req *q = &w->q;
	struct store st;
	int64_t now = 0;
	int mode, r, argc = a->argc;
	char **argv = a->argv;

	if (a->now_given) {
		w->seen |= M(O_NOW);
		now = a->now;
	}
	if (argc >= 1 && (mode = inc_name_index(modes, argv[0])) >= 0 &&
	    (mode == NEW || mode == STEP) && (w->seen & M(O_NOW)))
		return tool_now_refused(1);
	mode = check_mode(argc, argv, w->seen, w->by, a->terminal, n, q,
	    w->fmtarg, &w->fmt);
	if (!(w->seen & M(O_NOW)))
		now = time_now_ms();
	if (w->detected != NULL)
		n->detected = when("--detected", w->detected);
	if (w->at != NULL)
		q->at = when("--at", w->at);
	n->by = q->by = w->by;
	if (w->byfd == 0 && w->detail != NULL && strcmp(w->detail, "-") == 0) {
		/* the detail read would leave the password check nothing */
		warnx(_("standard input (-) given twice"));
		return ST_USAGE;
	}
	if (w->detail != NULL && (r = incident_read_detail(w->detail, &n->detail, NULL)) != ST_OK)
		return r;
	if ((mode == NEW || mode == STEP) && incident_check_text(mode == NEW ?
	    n : NULL, mode == STEP ? q : NULL, NULL) != ST_OK) {
		free(n->detail);
		return ST_USAGE;
	}
	if ((r = store_open(&st, a->dir, a->terminal,
	    mode == SHOW || mode == LIST ? STORE_READER : STORE_GATE)) != ST_OK)
		return r;
	if (mode == SHOW || mode == LIST)
		r = incident_print(&st, mode == SHOW ? argv[1] : NULL, w->fmt, w->lang,
		    w->open_only, w->hours, now);
	else
		r = record(w, &st, mode, argv);
	store_close(&st);
	free(n->detail);
	return r;
}

int
main(int argc, char *argv[])
{
	struct own w = { { NULL, -1, -1, -1, 0, 0, TIME_NONE, -1, 0, 0, 0, NULL,
	    NULL }, { NULL, -1, 0, NULL, 0 }, NULL, NULL, NULL, NULL, NULL, 0, -1,
	    -1, -1, 0, -1 };
	struct tool_args a;

	/* the default from the environment as it is once tool_parse has
	 * removed the locale variables that name a path */
	tool_parse(&cmd, argc, argv, &w, &a);
	if (w.lang == -1)
		w.lang = inc_lang_default();
	return tool_exit(run(&w, &a));
}
