/*
 * spawn.h — a program run with a deadline (spawn.c): the external
 * verifier's (extverify.c) and notify_command's (incident_notify.c).
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <stddef.h>
#include "jerr.h"

struct spawn {
	const char	*path;		/* execv: no shell, no PATH search */
	char *const	*argv;
	/* Non-NULL: "./NAME", path's last component, run from dirfd (the
	 * directory holding it, checked through that descriptor), not by
	 * path: the file run is the one checked there, whatever is renamed
	 * above it meanwhile.  Its working directory is that directory. */
	const char	*dotname;
	int		 dirfd;
	const char *const *env;		/* "NAME=value" set in it, NULL-ended, or NULL */
	int		 env_only;	/* its environment is env alone, not ours too */
	const void	*in;		/* its standard input, or NULL: /dev/null */
	size_t		 inlen;
	int		 out_to_stderr;	/* its stdout is our stderr, not collected */
	size_t		 outmax;	/* collected stdout: more is SPAWN_TOOBIG */
	int		 group;		/* in a process group of its own, killed whole */
	/* With group: the run ends at its exit, not when its pipes close.
	 * What it wrote until then is read, then the group is killed: no
	 * child left holding a pipe holds the run up or outlives it. */
	int		 at_exit;
	long long	 timeout_ms;	/* the whole run, waiting for its exit too */
	struct jerr	*err;		/* our failures: jerr_say, NULL prints */
	/* Its stderr line by line to say(sayarg, line, len) instead of
	 * ours: the len bytes of a line as written (NUL among them too; no
	 * LF, no terminating NUL), at most SPAWN_LINE: a longer one comes in
	 * pieces, and an LF right after a full piece ends it, no empty line.
	 * NULL: its stderr is ours. */
	void		(*say)(void *, const char *, size_t);
	void		*sayarg;
};
#define SPAWN_LINE	512

enum { SPAWN_OK, SPAWN_TIMEOUT, SPAWN_TOOBIG, SPAWN_ERR };

/*
 * Runs s->path with s->argv.  Its stdin is s->in, then EOF (a program that
 * stops reading gives us EPIPE, not SIGPIPE); its stdout is collected into
 * *out, *outlen (malloc'd, wiped when it grows and by the caller; out NULL:
 * read and dropped) or is our stderr; its stderr is ours or said (say);
 * no other
 * descriptor of ours is open in it.  SPAWN_OK with *status its wait
 * status; otherwise it was killed (SIGKILL) and reaped, or never ran
 * (SPAWN_ERR, after a message): no pipe or process to be had, or execv
 * failed (a missing program or #! interpreter: never a status 127).
 */
int	spawn_run(const struct spawn *s, unsigned char **out, size_t *outlen,
	    int *status);

#endif
