/*
 * bio.c — biometric enrolment and verification (R5.3): the dispatch
 * between the libfprint reader (fp.c) and the external verifier
 * (extverify.c), with every template sealed by tmpl.c.
 *
 * Invariants: the template key is loaded (and, inside the state directory
 * while no template is sealed, created) before the person is asked for a
 * finger, so a missing key never wastes an enrolment; a clear template
 * never outlives the call and is wiped; every path that is not a positive
 * match returns a denial.
 */
#include "jukisec.h"
#include "bioint.h"

int
bio_enrol(struct store *st, const char *id, enum method m,
    const struct bio_opts *o, struct buf *blob, const char **reason)
{
	struct secret t = { 0 };
	unsigned char *key;
	int rc;

	*reason = NULL;
	if (m != METHOD_FINGERPRINT && m != METHOD_EXTERNAL) {
		jerr_say(st->err, ST_FAIL, _("%s: not a biometric method"), id);
		return ST_FAIL;
	}
	if ((rc = tmpl_key_load(st, 1, &key)) != ST_OK)
		return rc;
	rc = m == METHOD_FINGERPRINT ? fp_enrol(st, id, o, &t) :
	    ext_enrol(st, id, &t, reason);
	if (rc == ST_OK)
		rc = tmpl_seal(key, id, m, &t, blob, st->err);
	secret_free(&t);
	tmpl_key_free(key);
	return rc;
}

int
bio_verify(struct store *st, const char *id, enum method m,
    const struct bio_opts *o, const void *blob, size_t len,
    const char **reason)
{
	struct secret t = { 0 };
	unsigned char *key;
	int rc;

	*reason = "not biometric";
	if (m != METHOD_FINGERPRINT && m != METHOD_EXTERNAL) {
		jerr_say(st->err, ST_FAIL, _("%s: not a biometric method"), id);
		return ST_FAIL;
	}
	if (tmpl_key_load(st, 0, &key) != ST_OK) {
		*reason = "template key unavailable";
		return ST_FAIL;
	}
	rc = tmpl_open(key, id, m, blob, len, &t, reason, st->err);
	tmpl_key_free(key);
	if (rc == ST_NO)
		jerr_say(st->err, ST_NO,
		    _("template of %s is corrupt or belongs to someone else"),
		    id);
	if (rc != ST_OK)
		return rc;
	rc = m == METHOD_FINGERPRINT ? fp_verify(st, id, o, &t, reason) :
	    ext_verify(st, id, &t, reason);
	secret_free(&t);
	if (rc == ST_OK)
		*reason = NULL;
	return rc == ST_OK ? ST_OK : rc == ST_FAIL ? ST_FAIL : ST_NO;
}
