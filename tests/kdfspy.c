/*
 * kdfspy.c — for t2140 only, loaded with LD_PRELOAD into a tool under test:
 * appends "m t p" of every Argon2id derivation the tool asks libgcrypt for
 * to the file $KDFSPY, then lets libgcrypt do it.  The derivations a login
 * runs are its KDF work, counted instead of timed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <gcrypt.h>

gcry_error_t
gcry_kdf_open(gcry_kdf_hd_t *hd, int algo, int subalgo,
    const unsigned long *param, unsigned int paramlen,
    const void *pass, size_t passlen, const void *salt, size_t saltlen,
    const void *key, size_t keylen, const void *ad, size_t adlen)
{
	static gcry_error_t (*real)(gcry_kdf_hd_t *, int, int,
	    const unsigned long *, unsigned int, const void *, size_t,
	    const void *, size_t, const void *, size_t, const void *, size_t);
	const char *path = getenv("KDFSPY");
	FILE *fp;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "gcry_kdf_open");
	if (path != NULL && algo == GCRY_KDF_ARGON2 && paramlen >= 4 &&
	    (fp = fopen(path, "a")) != NULL) {
		fprintf(fp, "%lu %lu %lu\n", param[2], param[1], param[3]);
		fclose(fp);
	}
	return real(hd, algo, subalgo, param, paramlen, pass, passlen, salt,
	    saltlen, key, keylen, ad, adlen);
}
