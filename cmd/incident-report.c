/*
 * incident-report — records serious incidents and faults and the R9 flow
 * (R8, R9, R12), tracks the APPI deadlines of a personal-data leak, prints
 * the report for the Mayor and the General Security Manager.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "clock.h"
#include "cred.h"
#include "gate.h"
#include "incident.h"
#include "register.h"
#include "timeutil.h"
#include "usage.h"

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
static const char *const langs[] = { "en", "ja", NULL };

static const struct option longopts[] = {
	{ "by",		required_argument, NULL, 'b' },
	{ "dir",	required_argument, NULL, 'd' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "terminal",	required_argument, NULL, 't' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ "by-password-fd", required_argument, NULL, O_BYFD },
	{ "type",	required_argument, NULL, O_TYPE },
	{ "cause",	required_argument, NULL, O_CAUSE },
	{ "summary",	required_argument, NULL, O_SUMMARY },
	{ "nature",	required_argument, NULL, O_NATURE },
	{ "level",	required_argument, NULL, O_LEVEL },
	{ "occurred",	required_argument, NULL, O_OCCURRED },
	{ "detected",	required_argument, NULL, O_DETECTED },
	{ "detail-file", required_argument, NULL, O_DETAIL },
	{ "persons",	required_argument, NULL, O_PERSONS },
	{ "sensitive",	no_argument,	   NULL, O_SENSITIVE },
	{ "financial",	no_argument,	   NULL, O_FINANCIAL },
	{ "unlawful-purpose", no_argument, NULL, O_UNLAWFUL },
	{ "step",	required_argument, NULL, O_STEP },
	{ "at",		required_argument, NULL, O_AT },
	{ "note",	required_argument, NULL, O_NOTE },
	{ "force",	no_argument,	   NULL, O_FORCE },
	{ "format",	required_argument, NULL, O_FORMAT },
	{ "lang",	required_argument, NULL, O_LANG },
	{ "open",	no_argument,	   NULL, O_OPEN },
	{ "overdue",	required_argument, NULL, O_OVERDUE },
	{ "now",	required_argument, NULL, O_NOW },
	{ NULL, 0, NULL, 0 }
};

static const struct usage_opt opts[] = {
	{ "-b, --by=ID",		N_("the Security Manager who acts (new, step)") },
	{ "    --by-password-fd=N",	N_("read the manager's password from descriptor N") },
	{ "-d, --dir=DIR",		N_("the state directory (else $JUKISEC_DIR)") },
	{ "-t, --terminal=TERMINAL",	N_("the terminal named in the operation log") },
	{ "    --type=TYPE",		N_("unrecoverable, leak or other") },
	{ "    --cause=CAUSE",		N_("the cause of Article 8 (with --type unrecoverable)") },
	{ "    --summary=TEXT",		N_("one line, at most 512 bytes") },
	{ "    --nature=fault|misconduct|negligence", N_("the nature of the incident") },
	{ "    --level=1-4",		N_("the threat level of the emergency plan") },
	{ "    --occurred=TIME",	N_("when it happened (RFC 3339)") },
	{ "    --detected=TIME",	N_("when it was detected (default: now)") },
	{ "    --detail-file=FILE",	N_("the detail, several lines (- for standard input)") },
	{ "    --persons=N",		N_("the number of persons whose data leaked") },
	{ "    --sensitive",		N_("the leak holds sensitive personal data") },
	{ "    --financial",		N_("the leak may cause financial damage") },
	{ "    --unlawful-purpose",	N_("an unlawful purpose is suspected") },
	{ "    --step=STEP",		N_("the step of the R9 flow taken") },
	{ "    --at=TIME",		N_("when the step happened (default: now)") },
	{ "    --note=TEXT",		N_("one line, at most 1024 bytes") },
	{ "    --force",		N_("close with steps missing") },
	{ "    --format=FORMAT",	N_("text, csv or json (show); table, csv or json (list)") },
	{ "    --lang=ja|en",		N_("the language of the report and table") },
	{ "    --open",			N_("list only incidents not closed") },
	{ "    --overdue=HOURS",	N_("list only open incidents with something late") },
	{ "    --now=TIME",		N_("show and list as of TIME (RFC 3339)") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status, _(
	    "usage: incident-report new [-d DIR] [-t TERMINAL] -b ID [--by-password-fd N]\n"
	    "\t--type TYPE [--cause CAUSE] --summary TEXT\n"
	    "\t[--nature fault|misconduct|negligence]\n"
	    "\t[--level 1-4] [--occurred TIME] [--detected TIME] [--detail-file FILE]\n"
	    "\t[--persons N] [--sensitive] [--financial] [--unlawful-purpose]\n"
	    "       incident-report step [-d DIR] [-t TERMINAL] ID -b ID [--by-password-fd N]\n"
	    "\t--step STEP [--at TIME] [--note TEXT] [--force]\n"
	    "       incident-report show [-d DIR] ID [--format text|csv|json] [--lang ja|en]\n"
	    "\t[--now TIME]\n"
	    "       incident-report list [-d DIR] [--open] [--overdue HOURS]\n"
	    "\t[--format table|csv|json] [--lang ja|en] [--now TIME]\n"), opts);
}

/* The option given in seen that mode does not take, for its message. */
static const char *
stray_opt(unsigned long long stray)
{
	const struct option *o;

	for (o = longopts; o->name != NULL; o++)
		if (o->val >= O_BYFD && (stray & M(o->val)))
			return o->name;
	return "?";
}

/* The mode of the operands and the options it needs; else usage() after
 * saying what is wrong. */
static int
check_mode(int argc, char *argv[], unsigned long long seen, const char *by,
    const struct inc_new *n, const struct inc_step_req *q, int fmt)
{
	int mode, need;

	if (argc < 1) {
		warnx(_("missing the mode: new, step, show or list"));
		usage(ST_USAGE);
	}
	if ((mode = inc_name_index(modes, argv[0])) < 0) {
		warnx(_("%s: not new, step, show or list"), argv[0]);
		usage(ST_USAGE);
	}
	need = mode == STEP || mode == SHOW ? 2 : 1;
	if (argc < need) {
		warnx(_("%s: missing the incident id"), modes[mode]);
		usage(ST_USAGE);
	}
	if (usage_extra(argc - need, argv + need))
		usage(ST_USAGE);
	if (seen & ~allowed[mode]) {
		warnx(_("--%s: not with %s"), stray_opt(seen & ~allowed[mode]),
		    modes[mode]);
		usage(ST_USAGE);
	}
	if ((mode == SHOW || mode == LIST) && by != NULL) {
		warnx(_("-b: not with %s"), modes[mode]);
		usage(ST_USAGE);
	}
	if ((mode == NEW || mode == STEP) && usage_missing(by, "-b"))
		usage(ST_USAGE);
	if (mode == NEW && (usage_missing(n->type < 0 ? NULL : n, "--type") ||
	    usage_missing(n->summary, "--summary")))
		usage(ST_USAGE);
	if (mode == NEW && n->type == TYPE_UNRECOVERABLE && n->cause < 0) {
		warnx(_("--type unrecoverable needs --cause"));
		usage(ST_USAGE);
	}
	if (mode == STEP && usage_missing(q->step < 0 ? NULL : q, "--step"))
		usage(ST_USAGE);
	if ((fmt == FMT_TEXT && mode == LIST) ||
	    (fmt == FMT_TABLE && mode == SHOW)) {
		warnx(_("--format %s: not with %s"), formats[fmt], modes[mode]);
		usage(ST_USAGE);
	}
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

	if (time_parse(s, &t) == -1)
		errx(ST_USAGE, _("%s %s: not an RFC 3339 time"), opt, s);
	return t;
}

static long long
number(const char *opt, const char *s, long long min, long long max)
{
	long long v;
	const char *es;

	if (parse_num(s, min, max, &v, &es) == -1)
		errx(ST_USAGE, _("%s %s: %s (%lld-%lld)"), opt, s, es, min, max);
	return v;
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

/* Long: the option switch, a case an option, then checks across options. */
int
main(int argc, char *argv[])
{
	struct inc_new n = { NULL, -1, -1, -1, 0, 0, TIME_NONE, -1, 0, 0, 0, NULL,
	    NULL };
	struct inc_step_req q = { NULL, -1, 0, NULL, 0 };
	struct store st;
	const char *dir = NULL, *terminal = NULL, *by = NULL, *detail = NULL;
	const char *detected = NULL, *at = NULL;
	unsigned long long seen = 0;
	long long hours = -1;
	int64_t now = 0;
	int ch, mode, fmt = -1, lang = inc_lang_default(), open_only = 0;
	int byfd = -1, r;
	char id[INC_ID_LEN + 1] = "";
	struct incjob j = { 0, NULL, NULL, 0, NULL, 0 };
	struct gate_change gc = { NULL, inc_change, &j };

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "b:d:ht:V", longopts, NULL)) != -1) {
		if (ch >= O_BYFD)
			seen |= M(ch);
		switch (ch) {
		case 'b': by = optarg; break;
		case 'd': dir = optarg; break;
		case 'h': usage(ST_OK); break;
		case 't': terminal = optarg; break;
		case 'V': print_version(); return fshut_stdout();
		case O_BYFD:
			if ((byfd = fd_parse("--by-password-fd", optarg)) == -1)
				usage(ST_USAGE);
			break;
		case O_TYPE: n.type = pick("--type", inc_type_names, optarg); break;
		case O_CAUSE: n.cause = pick("--cause", inc_cause_names, optarg); break;
		case O_SUMMARY: n.summary = optarg; break;
		case O_NATURE: n.nature = pick("--nature", inc_nature_names, optarg); break;
		case O_LEVEL: n.level = (int)number("--level", optarg, 1, 4); break;
		case O_OCCURRED: n.occurred = when("--occurred", optarg); break;
		case O_DETECTED: detected = optarg; break;
		case O_DETAIL: detail = optarg; break;
		case O_PERSONS: n.persons = number("--persons", optarg, 0, 1000000000); break;
		case O_SENSITIVE: n.sensitive = 1; break;
		case O_FINANCIAL: n.financial = 1; break;
		case O_UNLAWFUL: n.unlawful = 1; break;
		case O_STEP: q.step = pick("--step", inc_step_names, optarg); break;
		case O_AT: at = optarg; break;
		case O_NOTE: q.note = optarg; break;
		case O_FORCE: q.force = 1; break;
		case O_FORMAT: fmt = pick("--format", formats, optarg); break;
		case O_LANG: lang = pick("--lang", langs, optarg); break;
		case O_OPEN: open_only = 1; break;
		case O_OVERDUE: hours = number("--overdue", optarg, 0, 100000); break;
		case O_NOW:
			if (asof_parse(optarg, &now) != ST_OK)
				return ST_USAGE;
			break;
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1 && (mode = inc_name_index(modes, argv[0])) >= 0 &&
	    (mode == NEW || mode == STEP) && (seen & M(O_NOW)))
		return clock_refused();
	mode = check_mode(argc, argv, seen, by, &n, &q, fmt);
	if (!(seen & M(O_NOW)))
		now = time_now_ms();
	if (detected != NULL)
		n.detected = when("--detected", detected);
	if (at != NULL)
		q.at = when("--at", at);
	j.at_now = mode == NEW ? detected == NULL : at == NULL;
	n.by = q.by = by;
	if (detail != NULL && (r = incident_read_detail(detail, &n.detail)) != ST_OK)
		return r;
	if ((mode == NEW || mode == STEP) && incident_check_text(mode == NEW ?
	    &n : NULL, mode == STEP ? &q : NULL) != ST_OK) {
		free(n.detail);
		return ST_USAGE;
	}
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK)
		return r;
	if (mode == SHOW || mode == LIST)
		r = incident_print(&st, mode == SHOW ? argv[1] : NULL, fmt, lang, open_only,
		    hours, now);
	else {
		j.mode = mode;
		j.n = &n;
		j.q = &q;
		j.id = mode == NEW ? id : argv[1];
		if ((r = manager_change(&st, by, byfd, &gc)) == ST_OK &&
		    mode == STEP)
			r = incident_notify(&st, argv[1], by, inc_step_names[q.step],
			    j.now);
		else if (mode == NEW && id[0] != '\0' && printf("%s\n", id) >= 0 &&
		    fflush(stdout) == 0 && r == ST_OK)
			r = incident_notify(&st, id, by, "new", j.now);
	}
	store_close(&st);
	free(n.detail);
	if (fshut_stdout() != ST_OK && r == ST_OK)
		r = ST_FAIL;
	return r;
}
