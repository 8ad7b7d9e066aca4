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

static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

int
ttyread_line(int fd, char *p, size_t cap)
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
		if (n == cap - 1) {
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

int
ttyread_hidden(int tty, const char *prompt, char *p, size_t cap)
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
	r = ttyread_line(tty, p, cap);
	e = errno;
	(void)!write(tty, "\n", 1);
	(void)tcsetattr(tty, TCSAFLUSH, &saved);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (caught) {
		wipe(p, cap);
		raise(caught);
		errno = EINTR;
		return -1;
	}
	errno = e;
	return r;
}
