/*
 * conv.h — how the gate talks to the person at the terminal: a password
 * prompt, the reader's prompts, the refusal.  A tool talks on its terminal
 * (pw_read, stderr); pam_jukisec(8) installs a conversation of its own for
 * the length of one PAM call, so that the same gate code asks through the
 * PAM conversation.  Diagnostics do not go through here: a library failure
 * comes back to its caller as a value (jerr.h, st->err), and the module
 * decides what the person and syslog are told.
 *
 * Invariants: the conversation is per thread and set only between
 * conv_set(c) and conv_set(NULL); without one, nothing changes from the
 * tools' behaviour.  A secret comes back in libgcrypt secure memory
 * (pw_free), whichever way it was asked for.  With a conversation whose
 * bail is set, err(3) and errx(3) (allocation failure, the one fatal
 * path) longjmp there instead of printing and exiting the host process;
 * their message is left in fatal for the module to log.
 */
#ifndef CONV_H
#define CONV_H

#include <setjmp.h>

struct conv {
	/* Asks for a secret: ST_OK with *pw (secure memory), else ST_FAIL
	 * after a diagnostic. */
	int	(*secret)(void *, const char *prompt, char **pw);
	void	(*info)(void *, const char *);	/* what to do now */
	void	(*error)(void *, const char *);	/* why not */
	void	*arg;
	jmp_buf	*bail;
	char	*fatal;		/* err(3)'s message when it bailed, cut */
	size_t	 fatalsz;
};

void	conv_set(const struct conv *);
/* 1 between conv_set(c) and conv_set(NULL). */
int	conv_active(void);
/* The conversation set, or NULL. */
const struct conv *conv_get(void);

/* The password: from the conversation, else pw_read(fd, from, prompt, 0).
 * ST_USAGE: the answer was longer than PW_MAX bytes, *pw not set and
 * nothing said (the caller denies); another failure is said. */
int	conv_secret(int fd, const char *from, const char *prompt, char **pw);

/* A message for the person: an instruction (on stderr, one line as
 * given) or a refusal (warnx).  fmt is printf's. */
void	conv_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	conv_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* esc.c's err/errx: returns only when there is no bail to jump to; else
 * msg (may be NULL; e, when not 0, an errno to append) is left in fatal
 * and the process is not told. */
void	conv_bail(int status, const char *msg, int e);

#endif
