/*
 * audit_incidents.c — R9 in the audit: serious incidents still open with
 * steps outstanding, and the immediate reports (R9.1: to the Mayor and the
 * General Security Manager; APPI reports after a leak) that are late.
 *
 * Invariants: the state of an incident is what incident.c computes from
 * incidents.csv (incident_outstanding, incident_overdue); nothing is
 * recomputed here.  Steps are named by their incident-report(1) spellings.
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "audit.h"
#include "csvio.h"
#include "incident.h"

/* R9.1 says "immediately" (直ちに); a report not made within this many
 * hours of detection is overdue. */
#define AUDIT_REPORT_HOURS	24

static char *
steps(unsigned bits)
{
	struct buf b = { 0 };
	int	 s;

	for (s = 0; s < NSTEPS; s++)
		if (bits & 1u << s) {
			if (b.len)
				buf_add(&b, ", ", 2);
			buf_add(&b, inc_step_names[s], strlen(inc_step_names[s]));
		}
	buf_add(&b, "", 1);
	return b.p;
}

struct loadjob {
	struct store	*st;
	struct incidents *in;
};

static int
load(void *arg)
{
	struct loadjob *j = arg;

	return incidents_load(j->st, j->in);
}

void
audit_incidents(struct audit *a)
{
	struct incidents in = { 0 };
	struct loadjob j = { a->st, &in };
	char	*msg, *s, date[64];
	size_t	 i, nopen = 0, nout = 0, nlate = 0;
	unsigned bits;

	if (capture_stderr(load, &j, &msg) != ST_OK) {
		check_begin(a, "R9", "incidents-open");
		check_item(a, "incidents.csv", "%s", msg ? msg : "");
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "incidents.csv cannot be read.",
		    "incidents.csv を読み込めません。"));
		check_begin(a, "R9", "incidents-overdue");
		check_item(a, "incidents.csv", "%s", msg ? msg : "");
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "Not checked: incidents.csv cannot be read.",
		    "点検できません: incidents.csv を読み込めません。"));
		free(msg);
		return;
	}
	check_begin(a, "R9", "incidents-open");
	if (in.damaged)
		check_item(a, "incidents.csv", L(a,
		    "%zu row(s) do not read back and are left out, the first: %s",
		    "読み取れない行が %zu 行あり除外しています。最初のもの: %s"),
		    in.damaged, msg ? msg : "");
	free(msg);
	for (i = 0; i < in.n; i++) {
		struct incident *inc = &in.inc[i];

		if (incident_closed(inc))
			continue;
		nopen++;
		if ((bits = incident_outstanding(inc)) == 0)
			continue;
		audit_date(a, inc->detected, date, sizeof(date));
		s = steps(bits);
		check_item(a, inc->id, L(a,
		    "%s (%s, detected %s): outstanding %s",
		    "%s (%s、%s 検知): 未了 %s"), inc->id,
		    inc_type_names[inc->type], date, s);
		free(s);
		nout++;
	}
	check_end(a, in.damaged ? AUDIT_FAIL : nout ? AUDIT_WARN : AUDIT_PASS, L(a,
	    "%zu incident(s) open, %zu with steps outstanding.",
	    "対応中の事態 %zu 件、うち未了の手順があるもの %zu 件。"), nopen, nout);

	check_begin(a, "R9", "incidents-overdue");
	for (i = 0; i < in.n; i++) {
		struct incident *inc = &in.inc[i];

		if ((bits = incident_overdue(inc, a->o->now,
		    AUDIT_REPORT_HOURS)) == 0)
			continue;
		audit_date(a, inc->detected, date, sizeof(date));
		s = steps(bits);
		check_item(a, inc->id, L(a, "%s (detected %s): late %s",
		    "%s (%s 検知): 期限超過 %s"), inc->id, date, s);
		free(s);
		nlate++;
	}
	check_end(a, nlate ? AUDIT_FAIL : AUDIT_PASS, "%s", nlate ?
	    L(a, "Reports the regulation requires at once are overdue.",
	    "直ちに行うべき報告が期限を過ぎています。") :
	    L(a, "No required report is overdue.",
	    "期限を過ぎた報告はありません。"));
	incidents_free(&in);
}
