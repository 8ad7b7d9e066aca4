/*
 * msg.c — the locale and the message catalogue: set up by jukisec_setup()
 * at start, or, for a tool that defers them (jukisec_setup_lazy), just
 * before the first message or errno text is made (jukisec.h).
 *
 * Invariants: the set-up runs at most once a process, and never inside a
 * PAM host (pam_jukisec calls neither setup, so jukisec_msg does nothing
 * there); a deferred one leaves errno as it was; calls nothing of the
 * suite, so every module can reach it.
 */
#include <errno.h>
#include <libintl.h>
#include <locale.h>

#include "jukisec.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

static int deferred;		/* jukisec_setup_lazy(), not yet set up */

/*
 * The messages come out in UTF-8, like the names and details the tools
 * print beside them, whatever the character type: under LC_MESSAGES=ja_JP
 * with LC_CTYPE=C gettext would turn every Japanese character into "?".
 * The C library's own texts (strerror, getopt) follow, so that one line
 * is never half Japanese and half "?".
 */
static void
locale_setup(void)
{
	setlocale(LC_ALL, "");
	bindtextdomain("jukisec", LOCALEDIR);
	bind_textdomain_codeset("jukisec", "UTF-8");
	bind_textdomain_codeset("libc", "UTF-8");
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

/* Keeps errno: the first message is often warn(_("...")), whose errno
 * text must be the failure's, not that of a locale file not found. */
void
jukisec_msg(void)
{
	int e = errno;

	if (deferred) {
		deferred = 0;
		locale_setup();
		errno = e;
	}
}

char *
jukisec_gettext(const char *s)
{
	jukisec_msg();
	return dgettext("jukisec", s);
}

char *
jukisec_ngettext(const char *s, const char *p, unsigned long n)
{
	jukisec_msg();
	return dngettext("jukisec", s, p, n);
}
