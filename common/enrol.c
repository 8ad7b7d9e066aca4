/*
 * enrol.c — making a new credential for operator-add and operator-mod
 * (R5.3): a biometric enrolment through bio.h, or a new password (asked
 * twice on the terminal, or once from a descriptor) checked against
 * password_min_length and hashed.  Runs before the register lock is taken,
 * since an enrolment waits for a finger; the caller writes the result.
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "bio.h"
#include "cred.h"
#include "register.h"

int
credential_new(struct store *st, const char *id, enum method m, int pwfd,
    const struct bio_opts *bo, struct buf *out, const char **reason)
{
	char	*pw, *phc, buf[PW_SOURCE_MAX];
	const char *from;
	int	 r;

	*reason = NULL;
	if (m != METHOD_PASSWORD)
		return bio_enrol(st, id, m, bo, out, reason);
	from = pw_source(buf, "--password-fd", pwfd);
	if ((r = pw_read(pwfd, from, _("New password: "), 1, &pw,
	    st->err)) != ST_OK)
		return r;
	if ((r = pw_check_length(pw, st->conf.password_min_length, from,
	    st->err)) != ST_OK) {
		pw_free(pw);
		return r;
	}
	r = cred_hash(&st->conf, pw, strlen(pw), &phc, st->err);
	pw_free(pw);
	if (r == ST_OK) {
		buf_add(out, phc, strlen(phc));
		wipe(phc, strlen(phc));
		free(phc);
	}
	return r;
}
