/*
 * operator-list — prints the operator register as the 別記様式 shows it
 * (R5.1): a table for people, CSV or JSON for programs (with the last
 * success and failure from the log), filtered for cron ("whose authority
 * ends this month").  Never a secret: credential files are not even opened.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>

#include "jukisec.h"
#include "clock.h"
#include "register.h"
#include "register_txn.h"
#include "tool.h"

enum { O_EXPIRING = 256 };

static const struct tool_opt opts[] = {
	{ "all",	no_argument,	   'a',	"-a, --all",		N_("include revoked persons") },
	{ "dir",	required_argument, 'd',	"-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "expiring",	required_argument, O_EXPIRING, "    --expiring=DAYS", N_("only those whose authority ends within DAYS days") },
	{ "locked",	no_argument,	   'l',	"-l, --locked",		N_("only those locked out now") },
	{ "method",	required_argument, 'm',	"-m, --method=METHOD",	N_("only those of METHOD") },
	{ "format",	required_argument, 'f',	"-f, --format=FORMAT",	N_("table (default), csv, json or form") },
	{ "now",	required_argument, TOOL_NOW, "    --now=TIME",	N_("as of TIME (RFC 3339)") },
	{ NULL, 0, 0, NULL, NULL }
};

struct own {
	struct register_filter	 flt;
	const char		*format;
};

static int
opt(void *p, int ch, char *arg)
{
	struct own *o = p;
	const char *e;

	switch (ch) {
	case 'a': o->flt.all = 1; break;
	case 'l': o->flt.locked = 1; break;
	case 'm':
		if (method_parse(arg, &o->flt.method) == -1) {
			warnx(_("-m %s: not fingerprint, password or external"), arg);
			return ST_USAGE;
		}
		o->flt.have_method = 1;
		break;
	case O_EXPIRING:
		if (parse_decimal(arg, 0, 36500, &o->flt.expiring, &e) == -1) {
			warnx(_("--expiring %s: days, 0 to 36500: %s"), arg, _(e));
			return ST_USAGE;
		}
		break;
	case 'f': o->format = arg; break;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: operator-list [-al] [-d DIR] [-f table|csv|json|form] "
	    "[-m METHOD]\n"
	    "\t[--expiring DAYS] [--now TIME]\n"), opts, 0, opt, 0
};

/* operators.pending, which a register writer killed between its note and
 * its log record left: the register read may be the one before a change
 * already decided (the count of an attempt that locks someone), which a
 * writer settles, never this reader.  An empty file is a note too, one
 * the writers refuse: no writer leaves one.  A note that is there lives
 * while its writer works under the register lock: only then is the lock
 * taken (shared, lock_timeout_ms at most), to tell a writer at work from
 * one interrupted; a lock not had says the note, as it cannot tell. */
static void
say_unsettled(struct store *st)
{
	struct stat sb;
	struct jerr e = JERR_INIT;
	int left = 1;

	if (fstatat(st->dirfd, PENDING_FILE, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return;
	if (store_lock_err(st, STORE_LOCK_REGISTER, &e) == ST_OK) {
		left = store_note_left(st, PENDING_FILE, STORE_LOCK_REGISTER);
		store_unlock(st, STORE_LOCK_REGISTER);
	}
	if (left)
		warnx(_("%s/%s: a register change not settled yet (a writer was "
		    "interrupted); what is printed may not show it until the next "
		    "operator-add, operator-mod, operator-revoke or auth-check"),
		    st->dir, PENDING_FILE);
}

static int
run(struct own *o, const struct tool_args *a)
{
	struct store	 st;
	struct register_ reg;
	struct register_seen *seen = NULL;
	enum register_format fmt;
	int64_t		 now = a->now_given ? a->now : -1;
	int		 r;

	if (register_format_parse(o->format, &fmt) == -1) {
		warnx(_("-f %s: not table, csv, json or form"), o->format);
		return ST_USAGE;
	}
	if ((r = store_open(&st, a->dir, NULL, STORE_READER)) != ST_OK)
		return r;
	if ((now == -1 && (r = clock_decision(&st, &now)) != ST_OK) ||
	    (r = register_load(&st, &reg)) != ST_OK) {
		store_close(&st);
		return r;
	}
	/* a lock the gate keeps, the clock not borne out by the log, is
	 * shown as kept; --now, an "as of" read without the log, lifts a
	 * due lock by its time alone */
	if (!a->now_given)
		register_hold_locks(&st, &reg, now);
	/* The last auth of each person: csv and json only, as the page says
	 * (the form has no column for it, and with --now needs no log). */
	if (fmt == REGISTER_CSV || fmt == REGISTER_JSON) {
		seen = xcalloc(reg.n + 1, sizeof *seen);
		if ((r = register_seen(&st, &reg, seen)) != ST_OK) {
			free(seen);
			register_free(&reg);
			store_close(&st);
			return r;
		}
	}
	say_unsettled(&st);
	register_print(&reg, &o->flt, fmt, &st.conf, now, seen);
	free(seen);
	register_free(&reg);
	store_close(&st);
	return ST_OK;
}

int
main(int argc, char *argv[])
{
	struct own	 o = { { 0, 0, -1, 0, METHOD_PASSWORD }, "table" };
	struct tool_args a;

	tool_parse(&cmd, argc, argv, &o, &a);
	return tool_exit(run(&o, &a));
}
