/*
 * pwread.c — reading a password, never from argv or the environment.
 *
 * Invariants: the password goes straight into libgcrypt secure memory (not
 * swapped, wiped on free); from a descriptor it is one line ended by LF,
 * CR LF, NUL (pam_exec expose_authtok) or end of file; from /dev/tty echo
 * is off while reading and the terminal's settings are restored on every
 * path, a signal included (ttyread.c, shared with a log key typed in).
 * Nothing is read past PW_MAX bytes.  Every message names where the
 * password came from (pw_source): the option and its descriptor, or
 * /dev/tty; none holds a byte of the password.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gcrypt.h>

#include "jukisec.h"
#include "cred.h"
#include "ttyread.h"

/* "SRC: what" for a password that is not accepted (ST_USAGE). */
static void
say_refused(struct jerr *e, const char *src, const char *what)
{
	jerr_say(e, ST_USAGE, "%s: %s", src, what);
}

int
pw_read(int fd, const char *from, const char *prompt, int confirm,
    char **pw, struct jerr *e)
{
	char	*p, *q = NULL, msg[128];
	int	 tty = -1, r, st = ST_FAIL;

	if (from == NULL)
		from = "/dev/tty";
	p = pw_alloc();
	if (fd >= 0)
		r = ttyread_line(fd, p, PW_MAX + 1);
	else {
		tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty == -1) {
			jerr_say(e, ST_FAIL, _("no terminal to read the password "
			    "from; use a --*-fd option"));
			goto out;
		}
		r = ttyread_hidden(tty, prompt, p, PW_MAX + 1);
		if (r == 0 && confirm) {
			q = pw_alloc();
			r = ttyread_hidden(tty, _("Again: "), q, PW_MAX + 1);
			if (r == 0 && (strlen(p) != strlen(q) ||
			    !ct_equal(p, q, strlen(p)))) {
				say_refused(e, from, _("the two passwords differ"));
				st = ST_USAGE;
				goto out;
			}
		}
	}
	if (r == -1)
		jerr_say_errno(e, ST_FAIL, "%s", from);
	else if (r == 1) {
		snprintf(msg, sizeof(msg), _("password longer than %d bytes"),
		    PW_MAX);
		say_refused(e, from, msg);
		st = ST_USAGE;
	} else {
		*pw = p;
		p = NULL;
		st = ST_OK;
	}
out:
	pw_free(p);
	pw_free(q);
	if (tty != -1)
		close(tty);
	return st;
}

int
pw_check_length(const char *pw, long long min, const char *from,
    struct jerr *e)
{
	char	 msg[128];

	if ((long long)strlen(pw) >= min)
		return ST_OK;
	snprintf(msg, sizeof(msg), _("password shorter than %lld bytes "
	    "(password_min_length)"), min);
	say_refused(e, from != NULL ? from : "/dev/tty", msg);
	return ST_USAGE;
}

/* The buffers pw_alloc handed out and pw_free has not taken back, this
 * thread's (two at most are live at once: a manager's and a new one):
 * a PAM call that bails out of the gate (conv.c) leaves the frames that
 * would have freed them, and pw_abandon wipes them instead. */
#define PW_LIVE	4
static _Thread_local char *live[PW_LIVE];

char *
pw_alloc(void)
{
	char	*p = xmalloc_secure(PW_MAX + 1);
	size_t	 i;

	for (i = 0; i < PW_LIVE; i++)
		if (live[i] == NULL) {
			live[i] = p;
			break;
		}
	return p;
}

void
pw_free(char *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < PW_LIVE; i++)
		if (live[i] == p)
			live[i] = NULL;
	wipe(p, PW_MAX + 1);
	gcry_free(p);
}

void
pw_abandon(void)
{
	size_t i;

	for (i = 0; i < PW_LIVE; i++)
		if (live[i] != NULL)
			pw_free(live[i]);
}

const char *
pw_source(char buf[PW_SOURCE_MAX], const char *opt, int fd)
{
	if (fd < 0)
		return "/dev/tty";
	snprintf(buf, PW_SOURCE_MAX, "%s %d", opt, fd);
	return buf;
}

void
fd_hold(int fd)
{
	int	 h;

	if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		return;
	/* read(2) of a write-only descriptor fails with EBADF, as of the
	 * closed one; and the number is no longer free for our own files */
	if ((h = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		return;
	if (h != fd) {
		(void)dup3(h, fd, O_CLOEXEC);
		close(h);
	}
}

int
fd_parse(const char *opt, const char *s)
{
	long long	 n;
	const char	*e;

	/* The value is not repeated: a password typed here by mistake
	 * (--password, getopt_long's abbreviation) would go on to wherever
	 * standard error is kept. */
	if (parse_decimal(s, 0, 1023, &n, &e) == -1) {
		warnx(_("%s: not a file descriptor (0-1023)"), opt);
		return -1;
	}
	fd_hold((int)n);
	return (int)n;
}
