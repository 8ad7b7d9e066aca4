/* Unit tests for common/cred.c: PHC strings verify and are parsed
 * strictly, and an unsafe credentials/ directory is an error on every
 * path, never taken for "no credential" (a revoke must not report its
 * credentials destroyed when it could not touch them). */
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>

#include "jukisec.h"
#include "cred.h"
#include "store.h"
#include "tap.h"

static char base[] = "/tmp/jukisec-unit-cred.XXXXXX";

static int
rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb; (void)ftw;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

/* phc with its cost "m=19456,t=2,p=1" replaced by cost, then tail. */
static char *
with_cost(const char *phc, const char *cost, const char *tail)
{
	const char *rest = strchr(phc + 15, '$');
	return xasprintf("$argon2id$v=19$%s%s%s", cost, rest, tail);
}

/* Whether phc parses, as the gate's cost sees it: m, t and p taken. */
static int
cost_of(const char *phc, unsigned long m, unsigned long t, unsigned long p)
{
	struct conf c = { .kdf_memory_kib = 19456, .kdf_time = 2,
	    .kdf_parallelism = 1 };
	struct cred_cost k;

	cred_cost_init(&k, &c);
	cred_cost_add(&k, phc);
	return k.m == m && k.t == t && k.p == p && k.room == m;
}

/* A stored hash is held to jukisec.conf's ranges and to the numbers as
 * cred_hash writes them: one out of them is corrupt, never a cost every
 * attempt pays (the gate's kdf_cost reads every row's). */
static void
bounds(const char *phc)
{
	static const char *const bad[] = {
		"m=19455,t=2,p=1", "m=4194305,t=2,p=1", "m=500,t=1000,p=64",
		"m=19456,t=1,p=1", "m=19456,t=101,p=1", "m=19456,t=2,p=0",
		"m=19456,t=2,p=65", "m=019456,t=2,p=1", "m=19456,t=+2,p=1",
		"m= 19456,t=2,p=1", "m=19456,t=02,p=1", "m=18446744073709551617,t=2,p=1",
		"m=19456,t=-2,p=1",
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		s = with_cost(phc, bad[i], "");
		ok(cred_verify(s, "right-password", 14) == -1 &&
		    cost_of(s, 19456, 2, 1),
		    "%s is corrupt and adds nothing to the cost", bad[i]);
		free(s);
	}
	s = with_cost(phc, "m=4194304,t=100,p=64", "\n");
	is_num(strlen(s), PHC_MAX, "PHC_MAX is the most cost, a newline ended");
	ok(cost_of(s, 4194304, 100, 64), "the most jukisec.conf allows parses");
	free(s);
	s = with_cost(phc, "m=19456,t=2,p=1", "\nx");
	is_num(cred_verify(s, "right-password", 14), -1,
	    "bytes after the newline are refused");
	free(s);
	s = with_cost(phc, "m=19456,t=2,p=1", "x");
	is_num(cred_verify(s, "right-password", 14), -1,
	    "bytes after the tag are refused");
	free(s);
	s = with_cost(phc, "m=19456,t=2,p=1", "\n");
	is_num(cred_verify(s, "right-password", 14), 1,
	    "one newline after the tag is taken");
	free(s);
}

/* A hash file longer than any hash is refused unread (the secure pool is
 * 64 KiB): read as the empty credential, which no parse takes, so that
 * its own id is denied as corrupt and the process goes on. */
static void
oversized(struct store *st, const char *phc)
{
	static char big[200000];
	char	*data, *s;
	size_t	 n;
	int	 r;

	memset(big, 'A', sizeof big);
	r = ST_FAIL;
	ok(cred_write(st, "big", "phc", big, sizeof big) == ST_OK &&
	    (r = cred_read(st, "big", "phc", &data, &n)) == ST_OK &&
	    n == 0 && *data == '\0', "a 200,000-byte hash file reads empty");
	if (r == ST_OK)
		cred_free(data, n);
	s = with_cost(phc, "m=19456,t=2,p=1", "\n");
	memset(big, 'A', PHC_MAX + 1);
	memcpy(big, s, strlen(s));	/* a hash, then 'A's to one byte over */
	r = ST_FAIL;
	ok(cred_write(st, "big", "phc", big, PHC_MAX + 1) == ST_OK &&
	    (r = cred_read(st, "big", "phc", &data, &n)) == ST_OK &&
	    n == 0, "PHC_MAX + 1 bytes read empty");
	if (r == ST_OK)
		cred_free(data, n);
	memcpy(big, s, strlen(s));
	memset(big + strlen(s), 'A', PHC_MAX - strlen(s));
	r = ST_FAIL;
	ok(cred_write(st, "big", "phc", big, PHC_MAX) == ST_OK &&
	    (r = cred_read(st, "big", "phc", &data, &n)) == ST_OK &&
	    n == PHC_MAX, "PHC_MAX bytes read whole");
	if (r == ST_OK)
		cred_free(data, n);
	free(s);
}

int
main(void)
{
	char dir[512], path[600];
	struct store st;
	char *phc, *data;
	size_t n;
	int r;

	jukisec_setup();
	if (mkdtemp(base) == NULL)
		return 3;
	snprintf(dir, sizeof(dir), "%s/state", base);
	if (store_open(&st, dir, "t", STORE_CREATE | STORE_NOCONF) != ST_OK)
		return 3;
	st.conf.kdf_memory_kib = 19456;
	st.conf.kdf_time = 2;
	st.conf.kdf_parallelism = 1;

	ok(cred_hash(&st.conf, "right-password", 14, &phc, NULL) == ST_OK &&
	    strncmp(phc, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0,
	    "cred_hash writes an Argon2id PHC string");
	is_num(cred_verify(phc, "right-password", 14), 1, "right password");
	is_num(cred_verify(phc, "wrong-password", 14), 0, "wrong password");
	bounds(phc);
	phc[strlen(phc) - 1] ^= 1;
	is_num(cred_verify(phc, "right-password", 14), -1,
	    "a non-canonical tag is refused, not guessed at");
	is_num(cred_verify("$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", "x", 1), -1,
	    "a cost below the floor is refused");

	ok(cred_write(&st, "op", "phc", phc, strlen(phc)) == ST_OK,
	    "cred_write");
	r = cred_read(&st, "op", "phc", &data, &n);
	ok(r == ST_OK && n == strlen(phc) && memcmp(data, phc, n) == 0,
	    "cred_read gives back what was written");
	if (r == ST_OK)
		cred_free(data, n);
	is_num(cred_read(&st, "nobody", "phc", &data, &n), ST_NO,
	    "a missing credential is ST_NO");
	oversized(&st, phc);

	snprintf(path, sizeof(path), "%s/%s", dir, CRED_DIR);
	chmod(path, 0755);
	capture_begin();
	errno = ENOENT;		/* as left by an earlier failed lookup */
	r = cred_read(&st, "op", "phc", &data, &n);
	errno = ENOENT;
	is_num(cred_destroy(&st, "op", NULL), ST_FAIL,
	    "cred_destroy in an unsafe directory fails, errno notwithstanding");
	capture_end();
	is_num(r, ST_FAIL, "cred_read in an unsafe directory is ST_FAIL");
	snprintf(path, sizeof(path), "%s/%s/op.phc", dir, CRED_DIR);
	ok(access(path, F_OK) == 0, "the credential is still there");

	free(phc);
	store_close(&st);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
