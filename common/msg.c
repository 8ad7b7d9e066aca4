/*
 * msg.c — the locale and the message catalogue: set up by jukisec_setup()
 * at start, or, for a tool that defers them (jukisec_setup_lazy), just
 * before the first message or errno text is made (jukisec.h).
 *
 * Invariants: the set-up runs at most once a process, and never inside a
 * PAM host (pam_jukisec calls neither setup, so jukisec_msg does nothing
 * there); calls nothing of the suite, so every module can reach it.
 */
#include <libintl.h>
#include <locale.h>

#include "jukisec.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

static int deferred;		/* jukisec_setup_lazy(), not yet set up */

static void
locale_setup(void)
{
	setlocale(LC_ALL, "");
	bindtextdomain("jukisec", LOCALEDIR);
	textdomain("jukisec");
}

void
jukisec_locale(int lazy)
{
	if (lazy)
		deferred = 1;
	else
		locale_setup();
}

void
jukisec_msg(void)
{
	if (deferred) {
		deferred = 0;
		locale_setup();
	}
}

char *
jukisec_gettext(const char *s)
{
	jukisec_msg();
	return dgettext("jukisec", s);
}
