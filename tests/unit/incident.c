/* Unit tests for common/incident_flow.c's computed state: the APPI deadlines in
 * local days (a DST change included), outstanding and overdue steps, the
 * reports made late or closed without, on incidents built in memory. */
#include <stdlib.h>
#include <time.h>

#include "incident.h"
#include "timeutil.h"
#include "tap.h"

static int64_t
t(const char *s)
{
	int64_t ms;

	if (time_parse(s, &ms) == -1)
		abort();
	return ms;
}

static void
due_is(int64_t got, const char *want, const char *what)
{
	char buf[TIME_BUFSZ];

	time_format(got, buf);
	is_str(buf, want, what);
}

static struct inc_event ev[8];

static void
leak(struct incident *inc, const char *detected, long long persons)
{
	memset(inc, 0, sizeof(*inc));
	inc->type = TYPE_LEAK;
	inc->detected = t(detected);
	inc->persons = persons;
	inc->nature = -1;
	inc->ev = ev;
}

static void
add(struct incident *inc, enum inc_step s, const char *at)
{
	ev[inc->nev].step = s;
	ev[inc->nev].at = t(at);
	inc->nev++;
}

int
main(void)
{
	struct incident inc;
	struct appi a;
	unsigned out;

	setenv("TZ", "UTC", 1);
	tzset();
	leak(&inc, "2026-11-01T10:00:00Z", 100);
	ok(incident_appi(&inc, &a) == 0 && a.grounds == 0, "100 persons: no duty");
	inc.persons = 101;
	ok(incident_appi(&inc, &a) == 1 && a.grounds == APPI_PERSONS, "101 persons: duty");
	due_is(a.prelim_due, "2026-11-03T23:59:59.999Z", "preliminary: end of day 3");
	due_is(a.final_due, "2026-11-30T23:59:59.999Z", "final: end of day 30");
	inc.unlawful = 1;
	incident_appi(&inc, &a);
	ok(a.grounds == (APPI_PERSONS | APPI_UNLAWFUL), "grounds combine");
	due_is(a.final_due, "2026-12-30T23:59:59.999Z", "unlawful purpose: end of day 60");
	leak(&inc, "2026-11-01T23:59:59.999Z", 1);
	inc.sensitive = 1;
	incident_appi(&inc, &a);
	due_is(a.prelim_due, "2026-11-03T23:59:59.999Z", "detected at the day's last ms: still day 1");

	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	leak(&inc, "2026-11-01T15:00:00Z", 1);	/* 11-02 00:00 JST */
	inc.financial = 1;
	incident_appi(&inc, &a);
	due_is(a.prelim_due, "2026-11-04T14:59:59.999Z", "JST: day 1 is the local date");

	setenv("TZ", "America/New_York", 1);
	tzset();
	leak(&inc, "2026-03-07T17:00:00Z", 1);	/* 12:00 EST; DST begins 03-08 */
	inc.sensitive = 1;
	incident_appi(&inc, &a);
	due_is(a.prelim_due, "2026-03-10T03:59:59.999Z", "across a DST change: local midnight EDT");

	setenv("TZ", "UTC", 1);
	tzset();
	leak(&inc, "2026-11-01T10:00:00Z", 200);
	out = incident_outstanding(&inc);
	ok(out == (1U << STEP_JLIS | 1U << STEP_VENDOR | 1U << STEP_MAYOR |
	    1U << STEP_GM | 1U << STEP_INVESTIGATED | 1U << STEP_COMMITTEE |
	    1U << STEP_PIC_COMMITTEE | 1U << STEP_PPC_PRELIMINARY |
	    1U << STEP_PPC_FINAL | 1U << STEP_PERSONS_NOTIFIED),
	    "a fresh leak with the duty: every R9 and APPI step outstanding");
	ok(incident_overdue(&inc, t("2026-11-01T11:59:59.999Z"), 2) == 0,
	    "overdue: not before HOURS");
	ok(incident_overdue(&inc, t("2026-11-01T12:00:00Z"), 2) ==
	    (1U << STEP_MAYOR | 1U << STEP_GM), "overdue: the R9.1 reports at HOURS");
	ok(incident_overdue(&inc, t("2026-11-04T00:00:00Z"), -1) ==
	    1U << STEP_PPC_PRELIMINARY, "overdue: the preliminary report after day 3");
	add(&inc, STEP_MAYOR, "2026-11-01T10:30:00Z");
	add(&inc, STEP_DISCONNECTED, "2026-11-01T11:00:00Z");
	ok(incident_disconnected(&inc) &&
	    (incident_outstanding(&inc) & 1U << STEP_RECONNECTED),
	    "disconnected: reconnected outstanding");
	add(&inc, STEP_RECONNECTED, "2026-11-02T11:00:00Z");
	ok(!incident_disconnected(&inc) &&
	    !(incident_outstanding(&inc) & 1U << STEP_RECONNECTED), "reconnected");
	add(&inc, STEP_CLOSED, "2026-11-03T11:00:00Z");
	ok(incident_closed(&inc) &&
	    incident_overdue(&inc, t("2027-01-01T00:00:00Z"), 0) == 0,
	    "closed: nothing overdue");
	ok(incident_closed_without(&inc) == (1U << STEP_GM |
	    1U << STEP_PPC_PRELIMINARY | 1U << STEP_PPC_FINAL),
	    "closed without: the reports not made, not the other steps");
	ok(incident_made_late(&inc, 2) == 0 && incident_made_late(&inc, 0) ==
	    1U << STEP_MAYOR, "made late: the Mayor's report after HOURS only");

	leak(&inc, "2026-11-01T10:00:00Z", 200);
	due_is(incident_due(&inc, STEP_MAYOR, 24), "2026-11-02T09:59:59.999Z",
	    "due: R9.1, the last ms before HOURS");
	ok(incident_due(&inc, STEP_GM, -1) == TIME_NONE &&
	    incident_due(&inc, STEP_JLIS, 24) == TIME_NONE,
	    "due: none without HOURS, none for a step without a deadline");
	incident_appi(&inc, &a);
	ok(incident_due(&inc, STEP_PPC_PRELIMINARY, -1) == a.prelim_due &&
	    incident_due(&inc, STEP_PPC_FINAL, -1) == a.final_due,
	    "due: the APPI reports, struct appi's");
	add(&inc, STEP_MAYOR, "2026-11-02T09:59:59.999Z");
	add(&inc, STEP_GM, "2026-11-02T10:00:00Z");
	add(&inc, STEP_PPC_FINAL, "2026-11-05T10:00:00Z");
	ok(incident_made(&inc, STEP_PPC_PRELIMINARY) == &ev[2],
	    "made: a final report without a preliminary one answers both");
	ok(incident_made_late(&inc, 24) == (1U << STEP_GM |
	    1U << STEP_PPC_PRELIMINARY),
	    "made late: at HOURS, and the preliminary answered after day 3");
	ok(incident_closed_without(&inc) == 0, "open: closed without nothing");
	inc.persons = 100;
	ok(incident_due(&inc, STEP_PPC_FINAL, -1) == TIME_NONE &&
	    incident_made_late(&inc, 24) == 1U << STEP_GM,
	    "no APPI duty: no APPI deadline");
	return tap_done();
}
