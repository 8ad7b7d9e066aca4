/*
 * jukisec.h — what every tool and module shares: the exit-status table,
 * message translation, allocation that cannot fail, number parsing and the
 * one-time process setup.
 *
 * Invariants: exit statuses are the ones below and nothing else (SPEC.md,
 * "Exit status"); every user-facing string is wrapped in _() for gettext,
 * looked up in the "jukisec" domain by name (inside a PAM host the default
 * domain is the host's);
 * error messages go through err(3)/warnx(3) from <err.h>, which prefix the
 * program name, so no code writes the program name by hand.
 */
#ifndef JUKISEC_H
#define JUKISEC_H

#include <err.h>
#include <libintl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define _(s)	jukisec_gettext(s)
#define N_(s)	(s)
#define P_(s, p, n)	jukisec_ngettext(s, p, n)

/* dgettext("jukisec", s), after the locale is set up if a tool deferred it
 * (jukisec_setup_lazy). */
char	*jukisec_gettext(const char *) __attribute__((format_arg(1)));
/* dngettext("jukisec", s, p, n) alike: the singular or plural of a count. */
char	*jukisec_ngettext(const char *, const char *, unsigned long)
	    __attribute__((format_arg(1), format_arg(2)));
/* Sets up a deferred locale, once: before anything that prints a message
 * or translates an errno (so those come out exactly as with
 * jukisec_setup), and nothing otherwise.  _(), the err(3) family of esc.c
 * and strerror() below call it. */
void	jukisec_msg(void);
#define strerror(e)	(jukisec_msg(), (strerror)(e))

/* The suite's exit statuses, listed in every man page's EXIT STATUS. */
enum {
	ST_OK = 0,	/* success, or a positive answer */
	ST_NO = 1,	/* negative answer: denied, tampering found, no such record */
	ST_USAGE = 2,	/* usage error or invalid input */
	ST_FAIL = 3,	/* operational failure: I/O, lock timeout, corrupt state, no device */
	ST_LOCKED = 4	/* auth-check only: locked out, see the Security Manager */
};

/* Called first in every main(): locale and gettext, umask 077, libgcrypt
 * initialised with secure memory, core dumps off (secrets live in memory). */
void	jukisec_setup(void);
/* The same with the locale and the catalogue set up only when a message
 * is about to be made (jukisec_msg): for a tool whose start is its cost
 * (log-append), and that uses the locale for nothing but messages. */
void	jukisec_setup_lazy(void);
/* The setups' locale step (msg.c): now, or deferred when lazy. */
void	jukisec_locale(int lazy);

/* Prints "jukisec TOOL VERSION" for -V/--version. */
void	print_version(void);

/* Allocation failure is fatal in mem.c and nowhere else (exit ST_FAIL). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
void	*xaligned_alloc(size_t align, size_t);
/* The same in libgcrypt's secure memory (free with gcry_free). */
void	*xmalloc_secure(size_t);
void	*xcalloc_secure(size_t, size_t);
/* What an allocation failure runs before it exits, once (NULL: nothing):
 * the undo of a file the run made, that a failed run must not leave. */
void	 mem_on_oom(void (*)(void));

/* Parses a decimal integer in [min, max]; 0 on success, -1 (errno set,
 * *errstr "invalid"/"too small"/"too large", untranslated: print _(*errstr))
 * otherwise.  strtonum(3) style. */
int	parse_num(const char *, long long min, long long max, long long *out,
	    const char **errstr);
/* The same for a number a person writes (an option, jukisec.conf): decimal
 * digits, no "+", no leading zero ("0" itself aside), a "-" only before a
 * number other than 0; else "invalid". */
int	parse_decimal(const char *, long long min, long long max, long long *out,
	    const char **errstr);

/* The pages of p[0..n), or the 16 KiB of stack below the caller's frame,
 * mapped by one madvise(2) instead of a page fault each (about 10 us each
 * on a virtual machine; util.c).  Only a hint. */
void	warm_range(void *, size_t);
void	warm_stack(void);

/* Wipes memory so the compiler cannot drop it (secrets: R5.3, SPEC). */
void	wipe(void *, size_t);

/* Lowercase hexadecimal, the one spelling of the log's MACs and the
 * register's hashes (oplog_mac.c): encode n bytes into out (2n + 1 bytes,
 * NUL-terminated); decode exactly 2n digits into n bytes, 0 or -1. */
void	hex_encode(const unsigned char *, size_t, char *out);
int	hex_decode(const char *, size_t len, unsigned char *out, size_t n);
/* SHA-256 of no bytes, in hex: a register that is not there yet. */
#define SHA256_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Constant-time equality of two equal-length byte strings: 1 equal, 0 not. */
int	ct_equal(const void *, const void *, size_t);

/* Checks stdout was written and closed; returns ST_FAIL after a message if
 * not (a report written to a full disk must not exit 0). */
int	fshut_stdout(void);

#endif
