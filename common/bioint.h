/*
 * bioint.h — the parts behind bio.h: the template seal (tmpl.c), the
 * libfprint reader (fp.c) and the external verifier (extverify.c).  Used
 * only by bio.c and its unit test.
 *
 * Invariants: a clear template is a struct secret, heap memory that is wiped
 * before it is freed (secret_free); the template key lives in libgcrypt
 * secure memory.  Every function returns a suite status (ST_OK, ST_NO,
 * ST_FAIL, ST_USAGE) after at most one message, said to st->err (or the e
 * given; NULL prints it: jerr_say).
 */
#ifndef BIOINT_H
#define BIOINT_H

#include <stddef.h>
#include "bio.h"

struct secret {
	unsigned char	*p;
	size_t		len;
};
void	secret_free(struct secret *);

#define TMPL_KEYLEN	32
#define TMPL_MAX	(1024 * 1024)	/* largest clear template accepted */

/* Loads the template key named by conf template_key into secure memory.
 * create: make it (32 random bytes, 0600) when it is missing, its path is
 * inside the state directory and no template is sealed yet (credentials/
 * holds no ID.tmpl); a key elsewhere (removable media), or one whose
 * templates exist, is never created: "missing", as without create.  ST_OK
 * or ST_FAIL. */
int	tmpl_key_load(struct store *, int create, unsigned char **key);
void	tmpl_key_free(unsigned char *);

/* Seals a clear template of person id (kind: METHOD_FINGERPRINT or
 * METHOD_EXTERNAL) into *out: AES-256-GCM, fresh random nonce, the id and
 * kind bound as associated data. */
int	tmpl_seal(const unsigned char *key, const char *id, enum method kind,
	    const struct secret *, struct buf *out, struct jerr *e);

/* Opens a sealed blob.  ST_OK; ST_NO with *reason "template corrupt" when
 * the blob is malformed, of another kind, of another person or altered. */
int	tmpl_open(const unsigned char *key, const char *id, enum method kind,
	    const void *blob, size_t len, struct secret *, const char **reason,
	    struct jerr *e);

/* libfprint: enrol on the chosen reader with prompts on stderr; verify a
 * clear serialised print.  ST_NO with *reason "no match", "timeout",
 * "device error", "template corrupt", "incompatible template"; ST_FAIL with
 * "no reader". */
int	fp_enrol(struct store *, const char *id, const struct bio_opts *,
	    struct secret *);
int	fp_verify(struct store *, const char *id, const struct bio_opts *,
	    const struct secret *, const char **reason);

/* External verifier (jukisec-verifier(5)). */
/* ST_FAIL with *reason "no verifier" or "verifier not run" (the gate's
 * words) when the program did not run, else NULL. */
int	ext_enrol(struct store *, const char *id, struct secret *,
	    const char **reason);
int	ext_verify(struct store *, const char *id, const struct secret *,
	    const char **reason);

#endif
