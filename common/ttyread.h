/*
 * ttyread.h — a secret typed at a terminal: one line, not echoed (a
 * password, the log's verification key).
 *
 * Invariants: nothing is read past the line's end (one byte at a time),
 * nor more than cap - 1 bytes of it kept; the terminal's settings are put
 * back on every path, a signal included (re-raised after, as
 * readpassphrase(3) does), and echo is off whenever a byte is read.
 */
#ifndef TTYREAD_H
#define TTYREAD_H

#include <stddef.h>

/* One line from fd into p (cap bytes): ended by LF, CR LF, NUL or end of
 * file, without its end (a CR not before LF is the line's).  0; 1 longer
 * than cap - 1 bytes (the rest of it, up to 64 KiB more, read and
 * dropped, so that it cannot become input); -1 with errno. */
int	ttyread_line(int fd, char *p, size_t cap);
/* The same from the terminal tty with echo off, after prompt written to
 * it; the end of the line is echoed.  SIGHUP, SIGINT, SIGQUIT or SIGTERM
 * wipes p, restores the terminal and is raised again; if the process
 * lives on, -1 with errno EINTR.  SIGTSTP, SIGTTIN or SIGTTOU (unless
 * ignored) wipes p, restores the terminal and is raised again, which
 * stops the process; continued, it asks afresh: echo off, the prompt
 * again, a new line. */
int	ttyread_hidden(int tty, const char *prompt, char *p, size_t cap);

#endif
