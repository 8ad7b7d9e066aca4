/*
 * extverify.c — the external verifier (jukisec-verifier(5)) for palm vein
 * and other biometrics that come with vendor software (R5.3).
 *
 * Invariants:
 *  - The program is conf external_verifier, an absolute path, run with
 *    execv (no shell, no PATH search) as "PROGRAM enrol ID" or "PROGRAM
 *    verify ID".  It must be executable by our effective uid (a
 *    set-user-ID host's real uid is its caller's), and runs wholly as
 *    it, real ids too (spawn.c), whatever its #! interpreter does with
 *    ids that differ: the caller can neither trace nor signal it.  It
 *    and its directory must be owned by us or root and not group- or
 *    world-writable, since its exit status admits people; it may not
 *    be a symbolic link (its target's directory would go unchecked),
 *    and it is run from the directory checked (trusted_dir).
 *    Its stderr is the user's terminal (for its prompts), or under a
 *    conversation (the PAM module) relayed to it line by line; no other
 *    descriptor of ours leaks into it (close_range).  Under a
 *    conversation its environment is PATH and the locale only (own_env).
 *  - enrol: stdin /dev/null, template bytes on stdout, at most TMPL_MAX.
 *    verify: the template on stdin, then EOF; stdout is ignored.
 *  - Exit 0 means enrolled / match, 1 means failed / no match, anything
 *    else (another status, a signal, too much output) is an error.  A
 *    program that could not be run at all (spawn.c: its execv failed)
 *    judged nothing: "verifier not run", exit 3, never counted.
 *  - It runs in a process group of its own and is judged by its exit,
 *    not by the end of its pipes: what it wrote until then is read, then
 *    the group is killed, so a child it left holding stdout neither makes
 *    a match a timeout nor outlives the run with the pipe or the device.
 *  - conf external_timeout_seconds bounds the whole run; past it the
 *    group is killed (SIGKILL) and the program reaped: no zombie, no open
 *    pipe (spawn.c, which notify_command's runs share).
 *  - Template bytes travel only through pipes and wiped memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "jukisec.h"
#include "bioint.h"
#include "conv.h"
#include "esc.h"
#include "spawn.h"

enum { RUN_OK = SPAWN_OK, RUN_TIMEOUT = SPAWN_TIMEOUT, RUN_TOOBIG = SPAWN_TOOBIG,
	RUN_ERR = SPAWN_ERR };

/* A line of the verifier's stderr (its instructions to the person) said
 * through the conversation, escaped: a PAM host's PAM_TEXT_INFO.  All
 * len bytes: a NUL among them is \x00, not the end of what it said. */
static void
relay(void *arg, const char *line, size_t len)
{
	struct buf b = { NULL, 0, 0 };

	(void)arg;
	esc_buf(&b, line, len, 0);
	buf_add(&b, "", 1);
	conv_info("%s", b.p);
	buf_free(&b);
}

/* Under a conversation the environment is the PAM host's, and a
 * set-user-ID host's (su) is its caller's: PATH, PYTHONPATH, PERL5LIB and
 * the like would run the caller's code in a verifier with euid 0.  There
 * it gets a fixed PATH and the locale variables (its prompts' language;
 * glibc refuses a locale path in such a process) in env[5], NULL-ended,
 * to free.  NULL: a tool's, whose environment is its user's own. */
static char **
own_env(char *env[5])
{
	static const char *const keep[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v;
	size_t	 i, n = 0;

	if (conv_get() == NULL)
		return NULL;
	env[n++] = xstrdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if ((v = getenv(keep[i])) != NULL)
			env[n++] = xasprintf("%s=%s", keep[i], v);
	while (n < 5)
		env[n++] = NULL;
	return env;
}

/* Runs the verifier, from dirfd (configured), with in (may be NULL) on
 * its stdin and collects its stdout into out (may be NULL).  *status gets
 * the wait status.  Under a conversation (the PAM module) its stderr is
 * relayed line by line, never the host's stderr. */
static int
run(struct store *st, int dirfd, const char *verb, const char *id,
    const struct secret *in, struct secret *out, int *status)
{
	const char *prog = st->conf.external_verifier;
	char *const argv[] = { (char *)prog, (char *)verb, (char *)id, NULL };
	char	*dot = xasprintf("./%s", strrchr(prog, '/') + 1);
	char	*envv[5], **env = own_env(envv);
	struct spawn s = {
		.path = prog, .argv = argv, .dotname = dot, .dirfd = dirfd,
		.in = in != NULL ? in->p : NULL, .inlen = in != NULL ? in->len : 0,
		.outmax = TMPL_MAX, .group = 1, .at_exit = 1,
		.timeout_ms = st->conf.external_timeout_seconds * 1000,
		.err = st->err,
		.say = conv_get() != NULL ? relay : NULL,
		.env = (const char *const *)env, .env_only = env != NULL,
	};
	int	 r;

	r = spawn_run(&s, out != NULL ? &out->p : NULL,
	    out != NULL ? &out->len : NULL, status);
	free(dot);
	for (size_t i = 0; env != NULL && i < 5; i++)
		free(envv[i]);
	close(dirfd);
	return r;
}

static int
owned(const struct stat *sb)
{
	return (sb->st_uid == geteuid() || sb->st_uid == 0) &&
	    (sb->st_mode & 022) == 0;
}

/* The program refused (why, else errno's words), fd closed: -1. */
static int
refused(struct store *st, const char *prog, int fd, const char *why)
{
	int	 e = errno;
	char	*what = xasprintf(_("external verifier %s"), prog);

	if (why != NULL)
		jerr_say(st->err, ST_FAIL, "%s: %s", what, why);
	else {
		errno = e;
		jerr_say_errno(st->err, ST_FAIL, "%s", what);
	}
	free(what);
	if (fd != -1)
		close(fd);
	return -1;
}

/* The program and the directory holding it are owned by us or root and
 * writable by nobody else (a sticky /tmp is no help: another user may
 * have created the name first).  The program must not be a symbolic
 * link, whose target another directory holds; a link among the
 * directories leading to it is followed, so the directory checked is the
 * one that holds it.  Both are checked through that directory's
 * descriptor, returned (else -1 after a message) for the program to be
 * run from (spawn's dirfd): whatever is renamed above it meanwhile, the
 * file run is the one checked. */
static int
trusted_dir(struct store *st, const char *prog)
{
	const char *base = strrchr(prog, '/') + 1;
	char	*dir = xstrndup(prog, (size_t)(base - prog));
	struct stat sb;
	int	 fd;

	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd == -1)
		return refused(st, prog, -1, NULL);
	if (fstatat(fd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(sb.st_mode))
		return refused(st, prog, fd, _("a symbolic link: refused"));
	if (fstatat(fd, base, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return refused(st, prog, fd, NULL);
	if (!S_ISREG(sb.st_mode))
		return refused(st, prog, fd, _("not a regular file: refused"));
	if (!owned(&sb) || fstat(fd, &sb) == -1 || !owned(&sb)) {
		jerr_say(st->err, ST_FAIL, _("external verifier %s: refusing a "
		    "program or directory not owned by us or root, or group- "
		    "or world-writable"), prog);
		close(fd);
		return -1;
	}
	return fd;
}

/* The directory to run the program from (trusted_dir), or -1 after a
 * message: none configured, or one that may not be run. */
static int
configured(struct store *st)
{
	const char *prog = st->conf.external_verifier;
	int	 fd;

	if (prog == NULL || prog[0] == '\0') {
		jerr_say(st->err, ST_FAIL,
		    _("no external verifier configured (external_verifier in "
		    "jukisec.conf)"));
		return -1;
	}
	if (prog[0] != '/') {
		jerr_say(st->err, ST_FAIL,
		    _("external_verifier %s is not an absolute path"), prog);
		return -1;
	}
	/* a value ending in "/" names no file, whatever its directory holds */
	if (prog[strlen(prog) - 1] == '/')
		return refused(st, prog, -1, _("not a regular file: refused"));
	if ((fd = trusted_dir(st, prog)) == -1)
		return -1;
	/* executable by the effective uid, as execve judges it (a
	 * set-user-ID host's real uid, its caller's, may not even reach
	 * root's 0700 directory); after the kind of file, so that a FIFO is
	 * refused as one whatever its mode */
	if (faccessat(fd, strrchr(prog, '/') + 1, X_OK, AT_EACCESS) == -1)
		return refused(st, prog, fd, NULL);
	return fd;
}

static const char *
describe(int status, char *b, size_t n)
{
	if (WIFSIGNALED(status))
		snprintf(b, n, _("killed by signal %d"), WTERMSIG(status));
	else
		snprintf(b, n, _("exit status %d"), WEXITSTATUS(status));
	return b;
}

int
ext_enrol(struct store *st, const char *id, struct secret *out,
    const char **reason)
{
	const char *prog = st->conf.external_verifier;
	char why[64];
	int status = 0, r, dirfd;

	out->p = NULL;
	out->len = 0;
	*reason = NULL;
	if ((dirfd = configured(st)) == -1) {
		*reason = "no verifier";
		return ST_FAIL;
	}
	r = run(st, dirfd, "enrol", id, NULL, out, &status);
	if (r == RUN_OK && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    out->len > 0)
		return ST_OK;
	if (r == RUN_TIMEOUT)
		jerr_say(st->err, ST_NO,
		    _("%s enrol: timed out after %lld s"), prog,
		    st->conf.external_timeout_seconds);
	else if (r == RUN_TOOBIG)
		jerr_say(st->err, ST_FAIL,
		    _("%s enrol: template larger than %d bytes"), prog,
		    TMPL_MAX);
	else if (r == RUN_OK && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		jerr_say(st->err, ST_FAIL,
		    _("%s enrol: no template on its standard output"), prog);
	else if (r == RUN_OK)
		jerr_say(st->err, ST_FAIL,
		    _("%s enrol: enrolment failed (%s)"), prog,
		    describe(status, why, sizeof why));
	secret_free(out);
	if (r == RUN_ERR)
		*reason = "verifier not run";	/* said by spawn_run */
	if (r == RUN_TIMEOUT || (r == RUN_OK && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 1))
		return ST_NO;
	return ST_FAIL;
}

int
ext_verify(struct store *st, const char *id, const struct secret *t,
    const char **reason)
{
	const char *prog = st->conf.external_verifier;
	char why[64];
	int status = 0, r, dirfd;

	if ((dirfd = configured(st)) == -1) {
		*reason = "no verifier";
		return ST_FAIL;
	}
	r = run(st, dirfd, "verify", id, t, NULL, &status);
	if (r == RUN_OK && WIFEXITED(status) && WEXITSTATUS(status) <= 1) {
		*reason = WEXITSTATUS(status) == 0 ? NULL : "no match";
		return WEXITSTATUS(status) == 0 ? ST_OK : ST_NO;
	}
	if (r == RUN_OK && WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		jerr_say(st->err, ST_FAIL,
		    _("%s verify: no reader (exit status 3)"), prog);
		*reason = "no reader";
		return ST_FAIL;
	}
	if (r == RUN_ERR) {
		/* ours, not the program's: a pipe, fork, exec (a missing #!
		 * interpreter) or wait that failed here (said by spawn_run)
		 * judges nobody */
		*reason = "verifier not run";
		return ST_FAIL;
	}
	if (r == RUN_TIMEOUT) {
		jerr_say(st->err, ST_NO,
		    _("%s verify: timed out after %lld s"), prog,
		    st->conf.external_timeout_seconds);
		*reason = "timeout";
	} else {
		if (r == RUN_OK)
			jerr_say(st->err, ST_NO, _("%s verify: %s"), prog,
			    describe(status, why, sizeof why));
		*reason = "verifier error";
	}
	return ST_NO;
}
