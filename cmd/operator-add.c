/*
 * operator-add — registers a person in the operator register (R5.1), with
 * biometric enrolment or the password exception (R5.3 proviso).
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

enum { O_REASON = 256, O_INSTR, O_FINGER, O_DEVICE, O_PWFD, O_BYFD, O_NOW };

static const struct option longopts[] = {
	{ "by",			required_argument, NULL, 'b' },
	{ "dir",		required_argument, NULL, 'd' },
	{ "expires",		required_argument, NULL, 'e' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "id",			required_argument, NULL, 'i' },
	{ "method",		required_argument, NULL, 'm' },
	{ "name",		required_argument, NULL, 'n' },
	{ "role",		required_argument, NULL, 'r' },
	{ "section",		required_argument, NULL, 's' },
	{ "terminal",		required_argument, NULL, 't' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "reason",		required_argument, NULL, O_REASON },
	{ "instructions-given",	required_argument, NULL, O_INSTR },
	{ "finger",		required_argument, NULL, O_FINGER },
	{ "device",		required_argument, NULL, O_DEVICE },
	{ "password-fd",	required_argument, NULL, O_PWFD },
	{ "by-password-fd",	required_argument, NULL, O_BYFD },
	{ "now",		required_argument, NULL, O_NOW },
	{ NULL, 0, NULL, 0 }
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "%s",
	    _("usage: operator-add [-d DIR] [-t TERMINAL] [-b ID] "
	    "[--by-password-fd N]\n"
	    "\t-i ID -n NAME [-s SECTION] [-r operator|manager] [-e DATE]\n"
	    "\t-m fingerprint|external [--finger NAME] [--device DRIVER] "
	    "[--now TIME]\n"
	    "       operator-add [-d DIR] [-t TERMINAL] [-b ID] "
	    "[--by-password-fd N]\n"
	    "\t-i ID -n NAME [-s SECTION] [-r operator|manager] [-e DATE]\n"
	    "\t-m password --reason TEXT --instructions-given DATE\n"
	    "\t[--password-fd N] [--now TIME]\n"));
	exit(status);
}

struct add {
	const char	*by, *id, *name, *section, *role, *method, *expires;
	const char	*reason, *instr, *now;
	struct bio_opts	 bio;
	int		 pwfd, byfd;
};

static int
add(struct store *st, struct add *a, struct operator *n, int64_t now)
{
	struct register_ reg;
	struct operator	*o;
	struct buf	 cred = { 0 };
	const char	*who = a->by ? a->by : a->id;
	int		 r;

	if (a->by == NULL) {
		/* bootstrap: fail before asking for a credential */
		if ((r = register_load(st, &reg)) != ST_OK)
			return r;
		r = register_managers(&reg, now) > 0;
		register_free(&reg);
		if (r) {
			warnx(_("the register has a manager: -b is required"));
			return ST_USAGE;
		}
	}
	if ((r = credential_new(st, a->id, n->method, a->pwfd, &a->bio,
	    &cred)) != ST_OK)
		return r;
	if ((r = register_begin(st, &reg, who)) != ST_OK)
		goto out;
	if (register_find(&reg, a->id) != NULL) {
		warnx(_("%s: id already in the register (ids are never reused)"),
		    a->id);
		r = ST_NO;
	} else if (a->by == NULL && register_managers(&reg, now) > 0) {
		warnx(_("the register has a manager: -b is required"));
		r = ST_USAGE;
	} else if ((r = cred_write(st, a->id, n->method == METHOD_PASSWORD ?
	    "phc" : "tmpl", cred.p, cred.len)) == ST_OK) {
		o = register_append(&reg, a->id);
		free(o->name);
		free(o->section);
		free(o->registered_by);
		o->name = xstrdup(a->name);
		o->section = xstrdup(a->section);
		o->registered_by = xstrdup(who);
		o->role = n->role;
		o->method = n->method;
		o->registered_at = now;
		o->expires = n->expires;
		if (n->method == METHOD_PASSWORD) {
			free(o->exception_reason);
			free(o->approved_by);
			free(o->instructions_date);
			o->exception_reason = xstrdup(a->reason);
			o->approved_by = xstrdup(who);
			o->instructions_date = xstrdup(a->instr);
		}
		r = register_commit(st, &reg);
	}
	if (oplog_log(st, who, "operator-add", a->id,
	    r == ST_OK ? "ok" : "refused", "role=%s method=%s%s",
	    role_name(n->role), method_name(n->method),
	    a->by ? "" : " bootstrap") != ST_OK && r == ST_OK)
		r = ST_FAIL;
	register_end(st, &reg);
out:
	wipe(cred.p, cred.len);
	buf_free(&cred);
	return r;
}

static int
check(struct add *a, struct operator *n, int64_t *now)
{
	const char *why;
	int	 y, m, d;

	if ((why = operator_id_problem(a->id)) != NULL) {
		warnx(_("-i %s: %s"), a->id, why);
		return ST_USAGE;
	}
	if (*a->name == '\0') {
		warnx(_("-n: empty"));
		return ST_USAGE;
	}
	if (field_check("-n", a->name, OPERATOR_NAME_MAX) ||
	    field_check("-s", a->section, OPERATOR_SECTION_MAX))
		return ST_USAGE;
	if (role_parse(a->role, &n->role) == -1) {
		warnx(_("-r %s: not operator or manager"), a->role);
		return ST_USAGE;
	}
	if (method_parse(a->method, &n->method) == -1) {
		warnx(_("-m %s: not fingerprint, password or external"), a->method);
		return ST_USAGE;
	}
	if (n->method == METHOD_PASSWORD && (a->reason == NULL || !*a->reason ||
	    a->instr == NULL)) {
		/* R5.3 proviso: the exception needs both */
		warnx(_("-m password needs %s (R5.3 proviso)"),
		    a->reason && *a->reason ? _("--instructions-given DATE") :
		    a->instr ? _("--reason TEXT") :
		    _("--reason TEXT and --instructions-given DATE"));
		return ST_USAGE;
	}
	if (n->method != METHOD_PASSWORD && (a->reason || a->instr)) {
		warnx(_("--reason and --instructions-given belong to -m password"));
		return ST_USAGE;
	}
	if (a->reason && field_check("--reason", a->reason, OPERATOR_REASON_MAX))
		return ST_USAGE;
	if (a->instr && date_parse(a->instr, &y, &m, &d) == -1) {
		warnx(_("--instructions-given %s: not a date YYYY-MM-DD"), a->instr);
		return ST_USAGE;
	}
	if (now_parse(a->now, now) != ST_OK)
		return ST_USAGE;
	if (a->expires && (time_parse(a->expires, &n->expires) == -1 ||
	    n->expires <= *now)) {
		warnx(_("-e %s: not a future date or time"), a->expires);
		return ST_USAGE;
	}
	return ST_OK;
}

int
main(int argc, char *argv[])
{
	struct store	 st;
	struct add	 a = { .section = "", .role = "operator", .pwfd = -1,
			    .byfd = -1 };
	struct operator	 n = { 0 };
	const char	*dir = NULL, *terminal = NULL;
	int64_t		 now;
	int		 ch, r;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "b:d:e:hi:m:n:r:s:t:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b': a.by = optarg; break;
		case 'd': dir = optarg; break;
		case 'e': a.expires = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'i': a.id = optarg; break;
		case 'm': a.method = optarg; break;
		case 'n': a.name = optarg; break;
		case 'r': a.role = optarg; break;
		case 's': a.section = optarg; break;
		case 't': terminal = optarg; break;
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
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0 || a.id == NULL || a.name == NULL || a.method == NULL)
		usage(ST_USAGE);
	if ((r = check(&a, &n, &now)) != ST_OK)
		return r;
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK)
		return r;
	if (a.by == NULL && n.role != ROLE_MANAGER) {
		warnx(_("-b is required (only the first manager registers "
		    "without it)"));
		r = ST_USAGE;
	} else if (a.by && (r = manager_verify(&st, a.by, a.byfd, now)) != ST_OK)
		r = r == ST_LOCKED ? ST_NO : r;
	else
		r = add(&st, &a, &n, now);
	store_close(&st);
	return r;
}
