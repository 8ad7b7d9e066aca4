/*
 * kdfbase — the baseline for bench/20-register.sh: Argon2id through
 * libgcrypt with the given cost, alone (no files, no log), as one process
 * per derivation, the way auth-check runs it.  Usage: kdfbase M T P
 */
#include <stdio.h>
#include <stdlib.h>
#include <gcrypt.h>

int
main(int argc, char *argv[])
{
	unsigned long	 param[4] = { 32, 0, 0, 0 };
	unsigned char	 salt[16] = { 0 }, out[32];
	gcry_kdf_hd_t	 hd;

	if (argc != 4)
		return 2;
	param[2] = strtoul(argv[1], NULL, 10);
	param[1] = strtoul(argv[2], NULL, 10);
	param[3] = strtoul(argv[3], NULL, 10);
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	if (gcry_kdf_open(&hd, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, param, 4,
	    "benchmark-pw", 12, salt, sizeof salt, NULL, 0, NULL, 0) ||
	    gcry_kdf_compute(hd, NULL) || gcry_kdf_final(hd, sizeof out, out))
		return 3;
	gcry_kdf_close(hd);
	return 0;
}
