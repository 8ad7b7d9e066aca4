/*
 * operator-mod — the Security Manager's changes to a registered person:
 * unlock (R5.2), new password or re-enrolment, method, section, name and
 * expiry (R5.5 prompt change).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "bio.h"
#include "cred.h"
#include "oplog.h"
#include "register.h"
#include "timeutil.h"

enum { O_REASON = 256, O_INSTR, O_FINGER, O_DEVICE, O_PWFD, O_BYFD, O_NOW,
	O_RESET, O_REENROL };

static const struct option longopts[] = {
	{ "by",			required_argument, NULL, 'b' },
	{ "dir",		required_argument, NULL, 'd' },
	{ "expires",		required_argument, NULL, 'e' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "id",			required_argument, NULL, 'i' },
	{ "method",		required_argument, NULL, 'm' },
	{ "name",		required_argument, NULL, 'n' },
	{ "section",		required_argument, NULL, 's' },
	{ "terminal",		required_argument, NULL, 't' },
	{ "unlock",		no_argument,	   NULL, 'u' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "reason",		required_argument, NULL, O_REASON },
	{ "instructions-given",	required_argument, NULL, O_INSTR },
	{ "finger",		required_argument, NULL, O_FINGER },
	{ "device",		required_argument, NULL, O_DEVICE },
	{ "password-fd",	required_argument, NULL, O_PWFD },
	{ "by-password-fd",	required_argument, NULL, O_BYFD },
	{ "now",		required_argument, NULL, O_NOW },
	{ "reset-password",	no_argument,	   NULL, O_RESET },
	{ "reenroll",		no_argument,	   NULL, O_REENROL },
	{ NULL, 0, NULL, 0 }
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "%s",
	    _("usage: operator-mod [-u] [-d DIR] [-t TERMINAL] -b ID "
	    "[--by-password-fd N] -i ID\n"
	    "\t[-n NAME] [-s SECTION] [-e DATE|never] [--reset-password] "
	    "[--reenroll]\n"
	    "\t[-m fingerprint|password|external] [--reason TEXT]\n"
	    "\t[--instructions-given DATE] [--password-fd N] [--finger NAME]\n"
	    "\t[--device DRIVER] [--now TIME]\n"));
	exit(status);
}

struct mod {
	const char	*by, *id, *name, *section, *method, *expires;
	const char	*reason, *instr, *now;
	struct bio_opts	 bio;
	int		 pwfd, byfd, unlock, reset, reenrol;
	int		 have_exp;
	int64_t		 exp;
};

static void
set(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* The new credential for method m (password or enrolment). */
static int
modify(struct store *st, struct mod *a)
{
	struct register_ reg;
	struct operator	*o;
	struct buf	 cred = { 0 };
	enum method	 m, old;
	int		 r, newcred;

	if ((r = register_load(st, &reg)) != ST_OK)
		return r;
	if ((o = register_find(&reg, a->id)) == NULL || o->revoked_at != 0) {
		warnx(o ? _("%s: revoked") : _("%s: no such operator"), a->id);
		register_free(&reg);
		return ST_NO;
	}
	old = o->method;
	register_free(&reg);
	m = old;
	if (a->method && method_parse(a->method, &m) == -1) {
		warnx(_("-m %s: not fingerprint, password or external"), a->method);
		return ST_USAGE;
	}
	if (m == METHOD_PASSWORD && old != METHOD_PASSWORD &&
	    (a->reason == NULL || a->instr == NULL)) {
		warnx(_("-m password needs --reason and --instructions-given "
		    "(R5.3 proviso)"));
		return ST_USAGE;
	}
	if (m != METHOD_PASSWORD && (a->reason || a->instr || a->reset)) {
		warnx(_("--reason, --instructions-given and --reset-password "
		    "belong to the password method"));
		return ST_USAGE;
	}
	if (m == METHOD_PASSWORD && a->reenrol) {
		warnx(_("--reenroll belongs to fingerprint and external"));
		return ST_USAGE;
	}
	newcred = m != old || a->reset || a->reenrol;
	if (newcred && (r = credential_new(st, a->id, m, a->pwfd, &a->bio,
	    &cred)) != ST_OK)
		goto out;
	if ((r = register_begin(st, &reg, a->by)) != ST_OK)
		goto out;
	if ((o = register_find(&reg, a->id)) == NULL || o->revoked_at != 0 ||
	    o->method != old) {
		warnx(_("%s: changed by someone else meanwhile"), a->id);
		r = ST_FAIL;
	} else if (!newcred || (r = cred_write(st, a->id,
	    m == METHOD_PASSWORD ? "phc" : "tmpl", cred.p, cred.len)) == ST_OK) {
		o->method = m;
		if (m != METHOD_PASSWORD) {
			set(&o->exception_reason, "");
			set(&o->approved_by, "");
			set(&o->instructions_date, "");
		} else if (a->reason || a->instr) {
			if (a->reason)
				set(&o->exception_reason, a->reason);
			if (a->instr)
				set(&o->instructions_date, a->instr);
			set(&o->approved_by, a->by);
		}
		if (a->name)
			set(&o->name, a->name);
		if (a->section)
			set(&o->section, a->section);
		if (a->have_exp)
			o->expires = a->exp;
		if (a->unlock) {
			o->locked_at = 0;
			o->failed = 0;
		}
		if ((r = register_commit(st, &reg)) == ST_OK && m != old)
			r = cred_destroy(st, a->id,
			    old == METHOD_PASSWORD ? "phc" : "tmpl");
	}
	if (oplog_log(st, a->by, "operator-mod", a->id,
	    r == ST_OK ? "ok" : "error", "changed:%s%s%s%s%s%s%s%s",
	    a->unlock ? " unlock" : "", a->reset ? " reset-password" : "",
	    a->reenrol ? " reenroll" : "", m != old ? " method=" : "",
	    m != old ? method_name(m) : "", a->name ? " name" : "",
	    a->section ? " section" : "", a->have_exp ? " expires" : "") !=
	    ST_OK && r == ST_OK)
		r = ST_FAIL;
	register_end(st, &reg);
out:
	wipe(cred.p, cred.len);
	buf_free(&cred);
	return r;
}

static int
check(struct mod *a, int64_t *now)
{
	const char *why;
	int	 y, m, d;

	if ((why = operator_id_problem(a->id)) != NULL) {
		warnx(_("-i %s: %s"), a->id, why);
		return ST_USAGE;
	}
	if ((a->name && (*a->name == '\0' ||
	    field_check("-n", a->name, OPERATOR_NAME_MAX))) ||
	    (a->section && field_check("-s", a->section, OPERATOR_SECTION_MAX)) ||
	    (a->reason && (*a->reason == '\0' ||
	    field_check("--reason", a->reason, OPERATOR_REASON_MAX)))) {
		warnx(_("invalid -n, -s or --reason"));
		return ST_USAGE;
	}
	if (a->instr && date_parse(a->instr, &y, &m, &d) == -1) {
		warnx(_("--instructions-given %s: not a date YYYY-MM-DD"), a->instr);
		return ST_USAGE;
	}
	if (now_parse(a->now, now) != ST_OK)
		return ST_USAGE;
	if (a->expires) {
		a->have_exp = 1;
		if (strcmp(a->expires, "never") != 0 &&
		    (time_parse(a->expires, &a->exp) == -1 || a->exp <= *now)) {
			warnx(_("-e %s: not a future date or time, or never"),
			    a->expires);
			return ST_USAGE;
		}
	}
	return ST_OK;
}

int
main(int argc, char *argv[])
{
	struct store	 st;
	struct mod	 a = { .pwfd = -1, .byfd = -1 };
	const char	*dir = NULL, *terminal = NULL;
	int64_t		 now;
	int		 ch, r;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "b:d:e:hi:m:n:s:t:uV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b': a.by = optarg; break;
		case 'd': dir = optarg; break;
		case 'e': a.expires = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'i': a.id = optarg; break;
		case 'm': a.method = optarg; break;
		case 'n': a.name = optarg; break;
		case 's': a.section = optarg; break;
		case 't': terminal = optarg; break;
		case 'u': a.unlock = 1; break;
		case 'V': print_version(); return ST_OK;
		case O_REASON: a.reason = optarg; break;
		case O_INSTR: a.instr = optarg; break;
		case O_FINGER: a.bio.finger = optarg; break;
		case O_DEVICE: a.bio.device = optarg; break;
		case O_PWFD:
			if ((a.pwfd = fd_parse(optarg)) == -1)
				usage(ST_USAGE);
			break;
		case O_BYFD:
			if ((a.byfd = fd_parse(optarg)) == -1)
				usage(ST_USAGE);
			break;
		case O_NOW: a.now = optarg; break;
		case O_RESET: a.reset = 1; break;
		case O_REENROL: a.reenrol = 1; break;
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0 || a.id == NULL || a.by == NULL)
		usage(ST_USAGE);
	if (!a.unlock && !a.reset && !a.reenrol && !a.method && !a.name &&
	    !a.section && !a.expires && !a.reason && !a.instr) {
		warnx(_("nothing to change"));
		usage(ST_USAGE);
	}
	if ((r = check(&a, &now)) != ST_OK)
		return r;
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK)
		return r;
	if ((r = manager_verify(&st, a.by, a.byfd, now)) != ST_OK)
		r = r == ST_LOCKED ? ST_NO : r;
	else
		r = modify(&st, &a);
	store_close(&st);
	return r;
}
