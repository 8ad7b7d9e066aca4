/*
 * jerr.h — an error as a value: library functions return; tools print.
 *
 * A library function that can fail in a way its caller must explain fills
 * a struct jerr (an exit status and the message a tool would print after
 * "PROGRAM: ") instead of calling warn(3).  A tool prints it with
 * jerr_warn(); the audit puts the message in a finding; the PAM module
 * sends it where it sends diagnostics.  Nobody captures stderr.
 *
 * Invariants: code is ST_OK until a jerr_set()/jerr_errno(); msg is
 * always a NUL-terminated string, cut (never overflowed) when too long;
 * its text is the one warn(3)/warnx(3) would have printed, so a tool's
 * stderr is the same byte for byte (escaping happens when it is printed).
 */
#ifndef JERR_H
#define JERR_H

struct jerr {
	int	code;		/* ST_* of jukisec.h; ST_OK: no error */
	char	msg[1024];	/* without the program name */
	int	errnum;		/* the errno msg ends with (warn's form), else 0 */
};

/* Sets code and the message printf'd from fmt (warnx's form). */
void	jerr_set(struct jerr *, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same followed by ": " and strerror(errno), warn's form (errno as
 * it was at the call). */
void	jerr_errno(struct jerr *, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Prints the message as warnx(3) does; returns code. */
int	jerr_warn(const struct jerr *);

/*
 * For a function that may meet several problems and goes on after some
 * (a damaged row left out): with e NULL the message is printed at once,
 * as warnx/warn would (the tools); else it is kept in *e — a failure
 * (code not ST_OK) replaces what is kept unless a failure is kept
 * already, a warning (ST_OK) is kept only when nothing is.  So *e ends
 * with the first failure, else the first warning.  Start from JERR_INIT.
 */
#define JERR_INIT	{ 0, "", 0 }
void	jerr_say(struct jerr *e, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	jerr_say_errno(struct jerr *e, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* What from holds, said to e as jerr_say says it, its errnum kept. */
void	jerr_pass(struct jerr *e, const struct jerr *from);

#endif
