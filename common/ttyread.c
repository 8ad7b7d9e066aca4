/*
 * ttyread.c — a secret typed at a terminal, one line, echo off
 * (ttyread.h): the passwords of pwread.c, a verification key given as -
 * (oplog_key.c).  One version of the terminal handling for both, so that
 * a key is typed as a password is: Enter ends it, nothing shows.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "jukisec.h"
#include "ttyread.h"

/* Set by the handler while a hidden line is read: a signal that ends the
 * process (fatal), and one that stops it (stop), kept apart so that a stop
 * arriving after SIGTERM cannot turn a death into a new prompt. */
static volatile sig_atomic_t fatal, stop;

static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP,
    SIGTTIN, SIGTTOU };
#define NSIGS	(sizeof sigs / sizeof sigs[0])

static int
is_stop(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void
on_signal(int sig)
{
	if (is_stop(sig))
		stop = sig;
	else
		fatal = sig;
}

/* What is read of a line too long before giving up on its end. */
#define DRAIN_MAX	(64 * 1024)

int
ttyread_line(int fd, char *p, size_t cap)
{
	size_t	 n = 0;
	ssize_t	 k;
	char	 c = '\0';

	for (;;) {
		/* checked before each read too: a signal caught just before
		 * it would otherwise wait for the user's Enter */
		if (fatal || stop) {
			errno = EINTR;
			return -1;
		}
		k = read(fd, &c, 1);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			return -1;
		if (k == 0 || c == '\n' || c == '\0')
			break;
		if (n == cap - 1) {
			/* the CR of a CR LF is no byte too many: a line of
			 * cap - 1 bytes ends there too */
			if (c == '\r') {
				while ((k = read(fd, &c, 1)) == -1 &&
				    errno == EINTR && !fatal && !stop)
					;
				if (k == -1)
					return -1;
				if (k == 1 && c == '\n') {
					p[n] = '\0';
					return 0;
				}
				if (k == 0 || c == '\0')
					return 1;
			}
			/* drain the rest of the line so it cannot become input
			 * (typed ahead at a terminal), but no further than
			 * anyone types: a descriptor that never ends the line
			 * is not read for ever */
			for (n = 0; n < DRAIN_MAX && (k = read(fd, &c, 1)) == 1 &&
			    c != '\n' && c != '\0'; n++)
				;
			return 1;
		}
		p[n++] = c;
	}
	/* CR LF ends a line; a CR before a NUL or the end is the line's */
	if (k == 1 && c == '\n' && n > 0 && p[n - 1] == '\r')
		n--;
	p[n] = '\0';
	return 0;
}

static void
catch_signals(struct sigaction old[NSIGS])
{
	struct sigaction sa;
	size_t		 i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	fatal = stop = 0;
	for (i = 0; i < NSIGS; i++) {
		sigaction(sigs[i], NULL, &old[i]);
		/* a stop signal the caller ignores stays ignored: raised
		 * again it would not stop us, and we would ask again at
		 * once, for ever */
		if (!is_stop(sigs[i]) || old[i].sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

/* One prompt and its line with echo off and the signals caught; the
 * terminal put back to saved and the signals to what they were on every
 * path.  Returns as ttyread_line; fatal or stop says what cut it short. */
static int
read_once(int tty, const struct termios *saved, const char *prompt,
    char *p, size_t cap)
{
	struct sigaction old[NSIGS];
	struct termios	 t;
	size_t		 i;
	int		 r = -1, e;

	catch_signals(old);
	t = *saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	/* never a secret read with echo on: in the background this fails
	 * on SIGTTOU, caught, and the stop follows */
	if (tcsetattr(tty, TCSAFLUSH, &t) == 0) {
		(void)!write(tty, prompt, strlen(prompt));
		r = ttyread_line(tty, p, cap);
		e = errno;
		(void)!write(tty, "\n", 1);
	} else
		e = errno;
	/* a signal may interrupt the flush; in the background SIGTTOU
	 * always will, and stopping is then the way back (readpassphrase) */
	while (tcsetattr(tty, TCSAFLUSH, saved) == -1 && errno == EINTR &&
	    stop != SIGTTOU)
		;
	for (i = 0; i < NSIGS; i++)
		sigaction(sigs[i], &old[i], NULL);
	errno = e;
	return r;
}

int
ttyread_hidden(int tty, const char *prompt, char *p, size_t cap)
{
	struct termios	 saved;
	int		 r;

	/* once: a retry after a stop must not take our echo off for the
	 * user's settings */
	if (tcgetattr(tty, &saved) == -1)
		return -1;
	for (;;) {
		r = read_once(tty, &saved, prompt, p, cap);
		if (!fatal && !stop)
			return r;
		wipe(p, cap);
		raise(fatal ? fatal : stop);
		if (fatal)
			break;
		/* continued (fg): echo off again before a new prompt, so
		 * that nothing typed after fg shows; what was typed before
		 * the stop is dropped, as readpassphrase(3) does */
	}
	fatal = stop = 0;
	errno = EINTR;
	return -1;
}
