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
 * always a NUL-terminated string, cut in the middle ("...", never
 * overflowed) when too long, so that the reason ending it stays;
 * its text is the one warn(3)/warnx(3) would have printed, so a tool's
 * stderr is the same byte for byte (escaping happens when it is printed).
 */
#ifndef JERR_H
#define JERR_H

struct jerr {
	int	code;		/* ST_* of jukisec.h; ST_OK: no error */
	char	msg[1024];	/* without the program name */
	int	errnum;		/* the errno msg ends with (warn's form), else 0 */
	/* What is wrong, for a reader that says it in its own words (the
	 * audit's Japanese, issue 14) rather than quote msg: line, the line
	 * of the file msg names (FILE:LINE:), else 0; cause, the errno of a
	 * file that did not open or that open_safe refused (ELOOP, EINVAL,
	 * JERR_UNSAFE), or a JERR_* below, or 0 when not known. */
	size_t	line;
	int	cause;
};

/* The causes inside a file (negative: no errno is). */
#define JERR_FORM	(-1)	/* not in the file's form (CSV, fields, header) */
#define JERR_VALUE	(-2)	/* a field's value does not read back */
#define JERR_DUP	(-3)	/* an id an earlier row holds */
#define JERR_OPEN	(-4)	/* readable by group or others: refused */
/* open_safe's refusal of a file's owner or mode, as its errno too: no
 * errno of the kernel's, whose EPERM (an immutable or append-only file)
 * is a failure to open, said as strerror says it (store.h) */
#define JERR_UNSAFE	(-5)

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
#define JERR_INIT	{ 0, "", 0, 0, 0 }
void	jerr_say(struct jerr *e, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	jerr_say_errno(struct jerr *e, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* What from holds, said to e as jerr_say says it, its errnum kept. */
void	jerr_pass(struct jerr *e, const struct jerr *from);
/* jerr_say with the line and the cause of what it says (above). */
void	jerr_say_at(struct jerr *e, int code, size_t line, int cause,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
