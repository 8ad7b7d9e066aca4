/*
 * pwread.c — reading a password, never from argv or the environment.
 *
 * Invariants: the password goes straight into libgcrypt secure memory (not
 * swapped, wiped on free); from a descriptor it is one line ended by LF,
 * CR LF, NUL (pam_exec expose_authtok) or end of file; from /dev/tty echo
 * is off while reading and the terminal's settings are restored on every
 * path, a signal included (re-raised after the restore, as
 * readpassphrase(3) does).  Nothing is read past PW_MAX bytes.  Every
 * message names where the password came from (pw_source): the option and
 * its descriptor, or /dev/tty; none holds a byte of the password.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <gcrypt.h>

#include "jukisec.h"
#include "cred.h"

static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

/* Reads one line into p (PW_MAX + 1 bytes).  0 ok, 1 too long, -1 error. */
static int
read_line(int fd, char *p)
{
	size_t	 n = 0;
	ssize_t	 k;
	char	 c;

	for (;;) {
		k = read(fd, &c, 1);
		if (k == -1 && errno == EINTR && !caught)
			continue;
		if (k == -1)
			return -1;
		if (k == 0 || c == '\n' || c == '\0')
			break;
		if (n == PW_MAX) {
			/* drain the rest of the line so it cannot become input */
			while ((k = read(fd, &c, 1)) == 1 && c != '\n' && c != '\0')
				;
			return 1;
		}
		p[n++] = c;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	p[n] = '\0';
	return 0;
}

static int
read_tty(int tty, const char *prompt, char *p)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP,
	    SIGTTIN, SIGTTOU };
	struct sigaction sa, old[sizeof sigs / sizeof sigs[0]];
	struct termios	 t, saved;
	size_t		 i;
	int		 r, e;

	if (tcgetattr(tty, &saved) == -1)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	caught = 0;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, &old[i]);
	t = saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	(void)tcsetattr(tty, TCSAFLUSH, &t);
	(void)!write(tty, prompt, strlen(prompt));
	r = read_line(tty, p);
	e = errno;
	(void)!write(tty, "\n", 1);
	(void)tcsetattr(tty, TCSAFLUSH, &saved);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (caught) {
		wipe(p, PW_MAX + 1);
		raise(caught);
		errno = EINTR;
		return -1;
	}
	errno = e;
	return r;
}

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
	p = xmalloc_secure(PW_MAX + 1);
	if (fd >= 0)
		r = read_line(fd, p);
	else {
		tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty == -1) {
			jerr_say(e, ST_FAIL, _("no terminal to read the password "
			    "from; use a --*-fd option"));
			goto out;
		}
		r = read_tty(tty, prompt, p);
		if (r == 0 && confirm) {
			q = xmalloc_secure(PW_MAX + 1);
			r = read_tty(tty, _("Again: "), q);
			if (r == 0 && (strlen(p) != strlen(q) ||
			    !ct_equal(p, q, strlen(p)))) {
				jerr_say(e, ST_USAGE, _("the two passwords "
				    "differ"));
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

void
pw_free(char *p)
{
	if (p == NULL)
		return;
	wipe(p, PW_MAX + 1);
	gcry_free(p);
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

	if (parse_num(s, 0, 1023, &n, &e) == -1) {
		warnx(_("%s %s: not a file descriptor (0-1023)"), opt, s);
		return -1;
	}
	fd_hold((int)n);
	return (int)n;
}
