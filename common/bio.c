/*
 * bio.c — dispatch of biometric enrolment and verification (R5.3).
 * Placeholder until fp.c, tmpl.c and extverify.c land: every call fails
 * closed with ST_FAIL so nothing is ever admitted through it.
 */
#include "jukisec.h"
#include "bio.h"

int
bio_enrol(struct store *st, const char *id, enum method m,
    const struct bio_opts *o, struct buf *blob)
{
	(void)st; (void)id; (void)m; (void)o; (void)blob;
	warnx(_("biometric enrolment not built yet"));
	return ST_FAIL;
}

int
bio_verify(struct store *st, const char *id, enum method m,
    const struct bio_opts *o, const void *blob, size_t len,
    const char **reason)
{
	(void)st; (void)id; (void)m; (void)o; (void)blob; (void)len;
	*reason = "not built yet";
	warnx(_("biometric verification not built yet"));
	return ST_FAIL;
}
