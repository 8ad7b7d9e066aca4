/*
 * pam_jukisec — the gate (R5.2-R5.4) as a PAM module, pam_jukisec(8):
 * "auth" authenticates the PAM user against the register through
 * gate_auth(), the code auth-check runs; "account" says whether the person
 * may operate the terminal now.
 *
 * Invariants:
 *  - One implementation: the decision, the count, the lock and the log
 *    record are gate_auth()'s; this file maps its statuses to PAM codes
 *    and talks through the PAM conversation (conv.h).  Anything but a
 *    recorded success is a deny.
 *  - Errors are values: the state directory's functions say their
 *    failure to the call's struct jerr (store_open_err, st->err), never
 *    to a stream; this file decides what becomes of it (report): the
 *    message to syslog, a fixed line to the person, who is not shown the
 *    state directory's paths.
 *  - The host process is left as found: the umask (077 during the call,
 *    as the tools run), the locale (the messages' language comes from the
 *    environment through a thread locale, uselocale(3), never
 *    setlocale), the default gettext domain, signal dispositions and
 *    mask, resource limits, descriptors (the state directory's are closed
 *    before returning), stdio (nothing on the path prints: diagnostics go
 *    to pam_syslog, never to stderr).  libgcrypt is initialised only when
 *    nobody did before; libfprint is loaded only for a fingerprint user (fp.c).
 *  - A set-user-ID host (su, sudo) has real and saved uid 0 while the
 *    module holds a lock of the state, and the job-control stops
 *    blocked, so that its caller cannot stop it there and hold every
 *    attempt off (store.c guard_on); its ids and mask put back after.
 *  - The environment is not an input: the state directory is dir= or the
 *    compiled-in one, the terminal terminal= or the host name; a setuid
 *    host's caller cannot point the module at a register of their own.
 *  - Allocation failure, fatal in the tools, ends the call with
 *    PAM_BUF_ERR (conv bail) after the state directory is closed.
 */
#include <gcrypt.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "jukisec.h"
#include "clock.h"
#include "conv.h"
#include "cred.h"
#include "csvio.h"
#include "esc.h"
#include "gate.h"
#include "register.h"
#include "store.h"

#define WHERE_MAX	200	/* bytes of PAM_TTY, PAM_RHOST kept in a record */

struct call {
	pam_handle_t	*pamh;
	int		 quiet;		/* PAM_SILENT */
	int		 conv_failed;
	const char	*dir, *terminal;
	mode_t		 umask;
	locale_t	 loc, oldloc;
	struct conv	 conv;
	jmp_buf		 bail;
	char		 fatal[256];	/* err(3)'s message when it bailed */
	struct jerr	 e;		/* what went wrong, for report() */
	struct store	 st;
	int		 st_open;
};

static int
say_secret(void *arg, const char *prompt, char **pw)
{
	struct call	*c = arg;
	char		*resp = NULL, *p;
	size_t		 n;

	if (pam_prompt(c->pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", prompt) !=
	    PAM_SUCCESS || resp == NULL) {
		c->conv_failed = 1;
		pam_syslog(c->pamh, LOG_NOTICE, "no answer to the password prompt");
		return ST_FAIL;
	}
	n = strlen(resp);
	if (n > PW_MAX) {
		wipe(resp, n);
		free(resp);
		pam_syslog(c->pamh, LOG_NOTICE, "password longer than %d bytes",
		    PW_MAX);
		return ST_USAGE;
	}
	p = pw_alloc();
	memcpy(p, resp, n + 1);
	wipe(resp, n);
	free(resp);
	*pw = p;
	return ST_OK;
}

/* One message of the conversation, without the tools' trailing newline. */
static void
say_msg(struct call *c, int style, const char *m)
{
	size_t n = strlen(m);

	if (c->quiet)
		return;
	if (n > 0 && m[n - 1] == '\n')
		n--;
	(void)pam_prompt(c->pamh, style, NULL, "%.*s", (int)n, m);
}

static void
say_info(void *arg, const char *m)
{
	say_msg(arg, PAM_TEXT_INFO, m);
}

static void
say_error(void *arg, const char *m)
{
	say_msg(arg, PAM_ERROR_MSG, m);
}

/* The libgcrypt the tools set up in jukisec_setup(), unless the host or
 * another module already has: initialising twice is not allowed. */
static int
gcrypt_ready(pam_handle_t *pamh)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return 1;
	if (!gcry_check_version("1.10.0")) {
		pam_syslog(pamh, LOG_ERR, "libgcrypt %s is older than 1.10.0",
		    gcry_check_version(NULL));
		return 0;
	}
	/* In a set-user-ID host (su, sudo) libgcrypt would drop the whole
	 * process to its real uid once the pool is locked: the host could
	 * no longer become anyone, nor we read the state directory. */
	gcry_control(GCRYCTL_DISABLE_PRIV_DROP, 0);
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	if (gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0) != 0) {
		pam_syslog(pamh, LOG_ERR,
		    "cannot initialise libgcrypt secure memory");
		return 0;
	}
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return 1;
}

/* PAM_SUCCESS, or PAM_SERVICE_ERR for an option this module does not
 * know (a typo in the service file must not go unnoticed). */
static int
options(struct call *c, int argc, const char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "dir=", 4) == 0 && argv[i][4] == '/')
			c->dir = argv[i] + 4;
		else if (strncmp(argv[i], "terminal=", 9) == 0)
			c->terminal = argv[i] + 9;
		else {
			pam_syslog(c->pamh, LOG_ERR, "unknown option %s "
			    "(dir=/ABSOLUTE/PATH, terminal=NAME)", argv[i]);
			return PAM_SERVICE_ERR;
		}
	}
	return PAM_SUCCESS;
}

static int
begin(struct call *c, pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	int r;

	c->pamh = pamh;
	c->quiet = (flags & PAM_SILENT) != 0;
	if ((r = options(c, argc, argv)) != PAM_SUCCESS)
		return r;
	if (!gcrypt_ready(pamh))
		return PAM_AUTHINFO_UNAVAIL;
	bindtextdomain("jukisec", LOCALEDIR);
	c->loc = newlocale(LC_ALL_MASK, "", (locale_t)0);
	c->oldloc = c->loc != (locale_t)0 ? uselocale(c->loc) : (locale_t)0;
	c->umask = umask(077);
	c->conv.secret = say_secret;
	c->conv.info = say_info;
	c->conv.error = say_error;
	c->conv.arg = c;
	c->conv.bail = &c->bail;
	c->conv.fatal = c->fatal;
	c->conv.fatalsz = sizeof c->fatal;
	conv_set(&c->conv);
	return PAM_SUCCESS;
}

static int
end(struct call *c, int r)
{
	conv_set(NULL);
	if (c->st_open)
		store_close(&c->st);
	c->st_open = 0;
	umask(c->umask);
	if (c->loc != (locale_t)0) {
		uselocale(c->oldloc);
		freelocale(c->loc);
	}
	return r;
}

static int
open_state(struct call *c)
{
	const char *why;

	/* named as the service file names it, not as the tools' -t */
	if (c->terminal != NULL && *c->terminal != '\0' &&
	    (why = store_terminal_problem(c->terminal)) != NULL) {
		store_terminal_say(&c->e, "terminal=", why);
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (store_open_err(&c->st, c->dir != NULL ? c->dir : STATEDIR,
	    c->terminal, STORE_NOENV | STORE_GATE, &c->e) != ST_OK)
		return PAM_AUTHINFO_UNAVAIL;
	c->st_open = 1;
	return PAM_SUCCESS;
}

/* What the call's functions said (c->e) goes to syslog: a failure as an
 * error, a warning (a damaged row left out) as one.  A call that could
 * not decide tells the person so in one fixed line. */
static int
report(struct call *c, int r)
{
	if (c->e.msg[0] != '\0')
		pam_syslog(c->pamh, c->e.code != ST_OK ? LOG_ERR : LOG_WARNING,
		    "%s", c->e.msg);
	if (r == PAM_AUTHINFO_UNAVAIL)
		conv_error(_("authentication is not available now: "
		    "see the Security Manager"));
	return r;
}

/* " tty=X rhost=Y" for the record's detail, each escaped as one word. */
static char *
where(pam_handle_t *pamh)
{
	static const struct { int item; const char *key; } it[] = {
		{ PAM_TTY, "tty" }, { PAM_RHOST, "rhost" } };
	struct buf	 b = { NULL, 0, 0 };
	const void	*v;
	size_t		 i, n;
	char		*s;

	for (i = 0; i < sizeof it / sizeof it[0]; i++) {
		if (pam_get_item(pamh, it[i].item, &v) != PAM_SUCCESS ||
		    v == NULL || *(const char *)v == '\0')
			continue;
		s = xasprintf(" %s=", it[i].key);
		buf_add(&b, s, strlen(s));
		free(s);
		/* a character the cut would split goes whole: its first
		 * part would be escaped as bytes that are not UTF-8 */
		n = utf8_cut(v, strnlen(v, WHERE_MAX + 4), WHERE_MAX);
		esc_buf(&b, v, n, ESC_WORD);
	}
	buf_add(&b, "", 1);
	return b.p;
}

/* An id no register can hold: its reason is syslog's alone, said once
 * the state was read (its answer is an unknown id's, the log never has
 * it), at auth and at account alike. */
static void
id_notice(struct call *c, const char *user)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*why;

	if ((why = operator_id_problem(user)) == NULL)
		return;
	/* the user is the caller's text, a login prompt's: escaped to one
	 * line as any value a message quotes (a line feed would forge a
	 * line of syslog's), cut as a record's tty is */
	esc_buf(&b, user, utf8_cut(user, strnlen(user, WHERE_MAX + 4),
	    WHERE_MAX), ESC_LINE);
	buf_add(&b, "", 1);
	pam_syslog(c->pamh, LOG_NOTICE, "user %s: %s", b.p, why);
	free(b.p);
}

static int
authenticate(struct call *c)
{
	const char	*user;
	char		*w;
	int		 r;

	if ((r = pam_get_user(c->pamh, &user, NULL)) != PAM_SUCCESS)
		return r == PAM_CONV_AGAIN ? PAM_INCOMPLETE : r;
	if ((r = open_state(c)) != PAM_SUCCESS)
		return r;
	/* An id no register can hold goes through the gate as an unknown one
	 * (the same prompt, derivation, checks and answers, a broken state's
	 * included), which leaves it out of the log: its reason is syslog's
	 * alone.  Answered here, it was denied where a state that cannot
	 * decide, count or log failed every other id: its form told.  Said
	 * after the gate: syslog's socket, opened by a first message, is a
	 * descriptor the gate's count of free ones would miss for it alone. */
	w = where(c->pamh);
	r = gate_auth(&c->st, user, -1, NULL, w);
	free(w);
	id_notice(c, user);
	switch (r) {
	case ST_OK:	return PAM_SUCCESS;
	case ST_NO:
	case ST_USAGE:	return PAM_AUTH_ERR;
	case ST_LOCKED:	return PAM_MAXTRIES;
	}
	return c->conv_failed ? PAM_CONV_ERR : PAM_AUTHINFO_UNAVAIL;
}

static int
authenticate_call(struct call *c)
{
	return report(c, authenticate(c));
}

static int
account(struct call *c)
{
	struct register_ reg;
	struct operator	*o;
	const char	*user;
	int64_t		 now;
	int		 r;

	if ((r = pam_get_user(c->pamh, &user, NULL)) != PAM_SUCCESS)
		return r == PAM_CONV_AGAIN ? PAM_INCOMPLETE : r;
	if ((r = open_state(c)) != PAM_SUCCESS)
		return r;
	/* The register as decided: a change that a kill left in
	 * operators.pending (the gate's count of the attempt that locks
	 * someone, say) settled first, once the log is shown to take its
	 * record, as the gate settles it; the decision made after it, never
	 * before the log's last record.  Anything that cannot be read or
	 * settled decides nothing.  An id no register can hold is answered
	 * as an unknown one only then: answered first, it was
	 * PAM_USER_UNKNOWN where a state that cannot decide failed every
	 * other id (authenticate()). */
	if (gate_settle(&c->st) != ST_OK ||
	    clock_decision(&c->st, &now) != ST_OK ||
	    register_load(&c->st, &reg) != ST_OK) {
		id_notice(c, user);
		return PAM_AUTHINFO_UNAVAIL;
	}
	id_notice(c, user);
	/* as the gate: a clock ahead unlocks no one */
	register_hold_locks(&c->st, &reg, now);
	o = operator_id_problem(user) != NULL ? NULL :
	    register_find(&reg, user);
	if (o == NULL)
		r = PAM_USER_UNKNOWN;
	else if (!register_row_usable(&reg, o, now))
		r = PAM_PERM_DENIED;	/* a damaged row admits no one */
	else if (!operator_active(o, now)) {
		conv_error(_("%s may no longer operate this terminal "
		    "(revoked or expired): see the Security Manager"), user);
		r = PAM_ACCT_EXPIRED;
	} else if (operator_locked(o, &c->st.conf, now)) {
		conv_error(_("%s is locked out: see the Security Manager"), user);
		r = PAM_PERM_DENIED;
	} else
		r = PAM_SUCCESS;
	register_free(&reg);
	return r;
}

static int
account_call(struct call *c)
{
	return report(c, account(c));
}

/* The call's state lives on the heap, so that it is still what it was
 * when err(3) bails out to the setjmp here. */
static int
run(pam_handle_t *pamh, int flags, int argc, const char **argv,
    int (*fn)(struct call *))
{
	struct call	*c;
	int		 r;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		pam_syslog(pamh, LOG_CRIT, "out of memory");
		return PAM_BUF_ERR;
	}
	if ((r = begin(c, pamh, flags, argc, argv)) == PAM_SUCCESS) {
		if (setjmp(c->bail) != 0) {
			/* the gate's frames are gone: the password they held
			 * is wiped here, not left in the host's pool */
			pw_abandon();
			pam_syslog(pamh, LOG_CRIT, "%s", c->fatal);
			r = end(c, PAM_BUF_ERR);
		} else
			r = end(c, fn(c));
	}
	free(c);
	return r;
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	return run(pamh, flags, argc, argv, authenticate_call);
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh; (void)flags; (void)argc; (void)argv;
	return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return run(pamh, flags, argc, argv, account_call);
}
