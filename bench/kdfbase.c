/*
 * kdfbase — the baseline for bench/20-register.sh: Argon2id through
 * libgcrypt with the given cost, alone (no files, no log), as one process
 * per derivation, the way auth-check runs it.  Usage: kdfbase [-m] M T P
 *
 * With -m, libgcrypt's large block is mapped as the tools map it
 * (common/util.c, gcry_alloc: MADV_HUGEPAGE, then MADV_POPULATE_WRITE),
 * so that auth-check's figure against it is its overhead alone; without,
 * libgcrypt's own allocation, a page fault a page, for the figure of
 * what that mapping gains.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <gcrypt.h>

static void *
mapped(size_t n)
{
	const uintptr_t huge = 2 * 1024 * 1024;
	uintptr_t from, to;
	void *p;

	if (n == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((p = malloc(n)) != NULL && n >= 1024 * 1024) {
		from = ((uintptr_t)p + huge - 1) & ~(huge - 1);
		to = ((uintptr_t)p + n) & ~(huge - 1);
		if (to > from)
			(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
		from = (uintptr_t)p & ~(uintptr_t)4095;
		to = ((uintptr_t)p + n + 4095) & ~(uintptr_t)4095;
		(void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
	}
	return p;
}

int
main(int argc, char *argv[])
{
	unsigned long	 param[4] = { 32, 0, 0, 0 };
	unsigned char	 salt[16] = { 0 }, out[32];
	gcry_kdf_hd_t	 hd;
	int		 map = argc == 5 && strcmp(argv[1], "-m") == 0;

	if (argc != 4 + map)
		return 2;
	param[2] = strtoul(argv[1 + map], NULL, 10);
	param[1] = strtoul(argv[2 + map], NULL, 10);
	param[3] = strtoul(argv[3 + map], NULL, 10);
	gcry_check_version(NULL);
	if (map)
		gcry_set_allocation_handler(mapped, NULL, NULL, NULL, NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	if (gcry_kdf_open(&hd, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, param, 4,
	    "benchmark-pw", 12, salt, sizeof salt, NULL, 0, NULL, 0) ||
	    gcry_kdf_compute(hd, NULL) || gcry_kdf_final(hd, sizeof out, out))
		return 3;
	gcry_kdf_close(hd);
	return 0;
}
