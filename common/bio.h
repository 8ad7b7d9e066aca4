/*
 * bio.h — biometric credentials (R5.3): fingerprint through libfprint, or an
 * external verifier program for palm vein and other vendor biometrics.
 *
 * Invariants: the template (fp_print_serialize bytes, or the external
 * program's bytes) exists in clear only in memory inside this module, is
 * sealed with AES-256-GCM under the template key (conf template_key) with the
 * operator id as associated data before it leaves, and is wiped after use.
 * It is never printed or logged.  Storage of the sealed blob is the
 * register's business (credentials/ID.tmpl); this module only makes and
 * checks blobs.
 */
#ifndef BIO_H
#define BIO_H

#include <stddef.h>
#include <stdint.h>
#include "csvio.h"
#include "method.h"
#include "store.h"

struct bio_opts {
	const char	*finger;	/* "right-index-finger" etc.; NULL = default */
	const char	*device;	/* libfprint driver name; NULL = conf fp_device or first found */
};

/* --finger: ST_OK when finger is NULL (the default) or one of the ten
 * names of bio_opts (left-thumb ... right-little-finger), else ST_USAGE
 * with one line said to e (jerr_say: NULL prints it).  Reads nothing:
 * the tools check argv with it before the manager is asked. */
int	bio_finger_check(const char *finger, struct jerr *e);

/* Enrols person `id` with `method` (METHOD_FINGERPRINT or METHOD_EXTERNAL),
 * prompting on stderr, and returns the sealed template in *blob.
 * ST_OK; ST_NO enrolment failed or timed out (message printed);
 * ST_FAIL no reader / device or key error (message printed).  *reason is
 * NULL, or for the log why an external verifier did not run at all
 * (bio_verify's "no verifier", "verifier not run"). */
int	bio_enrol(struct store *, const char *id, enum method,
	    const struct bio_opts *, struct buf *blob, const char **reason);

/* Verifies person `id` against a sealed blob.  ST_OK match; ST_NO no match,
 * timeout or device error during the scan (*reason set to a short static
 * string for the log: "no match", "timeout", "device error", "template
 * corrupt"...); ST_FAIL no reader or key missing (*reason set too). */
int	bio_verify(struct store *, const char *id, enum method,
	    const struct bio_opts *, const void *blob, size_t len,
	    const char **reason);

#endif
