/*
 * cred.c — password hashes and the credentials/ directory (R5.3, R5.5).
 *
 * Invariants: hashes are Argon2id (libgcrypt GCRY_KDF_ARGON2/ARGON2ID),
 * 16-byte salts from gcry_randomize(GCRY_STRONG_RANDOM), 32-byte tags,
 * written as PHC strings with unpadded standard base64; a PHC string that
 * does not parse exactly is refused, never guessed at.  Derived tags are
 * compared with ct_equal and wiped.  Credential files are replaced only
 * through atomic_begin_as/commit in credentials/ (0700) with mode 0600,
 * by way of CRED_TMP (one a kill left is destroyed first, and by the next
 * writer that takes the lock, store_lock), and
 * destroyed with destroy_file (overwrite, fsync, unlink); one replaced
 * keeps a second name until then (cred_keep), since a rename over it
 * only unlinks it.  The caller holds STORE_LOCK_REGISTER for every write
 * or destroy.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gcrypt.h>

#include "jukisec.h"
#include "cred.h"
#include "csvio.h"

#define SALT_LEN	16
#define TAG_LEN		32

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
b64_encode(struct buf *b, const unsigned char *p, size_t n)
{
	char	 q[4];
	size_t	 i, k;
	unsigned long v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = b64[v >> 6 & 63];
		q[3] = b64[v & 63];
		k = n - i >= 3 ? 4 : n - i + 1;
		buf_add(b, q, k);
	}
}

/* Decodes exactly want bytes from s[0..n); -1 on any deviation. */
static int
b64_decode(const char *s, size_t n, unsigned char *out, size_t want)
{
	unsigned long v = 0;
	size_t	 i, o = 0, bits = 0;
	const char *c;

	if (n != (want * 4 + 2) / 3)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || (c = strchr(b64, s[i])) == NULL)
			return -1;
		v = (v << 6 | (unsigned long)(c - b64)) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < want)
				out[o++] = v >> bits & 0xff;
		}
	}
	/* leftover bits must be zero (canonical encoding) */
	if (o != want || (v & ((1UL << bits) - 1)) != 0)
		return -1;
	return 0;
}

static int
argon2id(const char *pw, size_t len, const unsigned char *salt,
    unsigned long m, unsigned long t, unsigned long p, unsigned char *tag,
    struct jerr *err)
{
	gcry_kdf_hd_t	 hd;
	unsigned long	 param[4] = { TAG_LEN, t, m, p };
	gcry_error_t	 e;

	e = gcry_kdf_open(&hd, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, param, 4,
	    pw, len, salt, SALT_LEN, NULL, 0, NULL, 0);
	if (e) {
		jerr_say(err, ST_FAIL, _("Argon2id: %s"), gcry_strerror(e));
		return -1;
	}
	if ((e = gcry_kdf_compute(hd, NULL)) == 0)
		e = gcry_kdf_final(hd, TAG_LEN, tag);
	gcry_kdf_close(hd);
	if (e) {
		jerr_say(err, ST_FAIL, _("Argon2id: %s"), gcry_strerror(e));
		return -1;
	}
	return 0;
}

struct phc {
	unsigned long	 m, t, p;
	unsigned char	 salt[SALT_LEN], tag[TAG_LEN];
};

/* After the bytes key, a decimal number as cred_hash writes it (no sign,
 * space or leading zero) within [lo, hi], then the byte end: the number,
 * *s moved past end; 0 on any deviation (no range here holds 0). */
static unsigned long
phc_num(const char **s, const char *key, unsigned long lo, unsigned long hi,
    char end)
{
	const char *p = *s;
	unsigned long v = 0;
	size_t	 k = strlen(key);

	if (strncmp(p, key, k) != 0 || p[k] < '1' || p[k] > '9')
		return 0;
	for (p += k; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (unsigned long)(*p - '0')) > hi)
			return 0;	/* before v * 10 could wrap */
	if (*p != end || v < lo)
		return 0;
	*s = p + 1;
	return v;
}

/* The cost is held to jukisec.conf's ranges: a stored hash outside them
 * is none the tools wrote, and every password attempt pays the costliest
 * stored hash's work (cred_cost_add): a planted t=1000 would slow every
 * login, not only its own id's.  One newline may end the string. */
static int
phc_parse(const char *s, struct phc *h)
{
	const char *salt, *tag;
	size_t	 n;

	if ((h->m = phc_num(&s, "$argon2id$v=19$m=", CONF_KDF_MEMORY_MIN,
	    CONF_KDF_MEMORY_MAX, ',')) == 0 ||
	    (h->t = phc_num(&s, "t=", CONF_KDF_TIME_MIN, CONF_KDF_TIME_MAX,
	    ',')) == 0 ||
	    (h->p = phc_num(&s, "p=", CONF_KDF_PAR_MIN, CONF_KDF_PAR_MAX,
	    '$')) == 0)
		return -1;
	salt = s;
	if ((tag = strchr(salt, '$')) == NULL)
		return -1;
	if (b64_decode(salt, tag - salt, h->salt, SALT_LEN) == -1)
		return -1;
	tag++;
	n = strcspn(tag, "\n");
	if (b64_decode(tag, n, h->tag, TAG_LEN) == -1 ||
	    (tag[n] != '\0' && strcmp(tag + n, "\n") != 0))
		return -1;
	return 0;
}

int
cred_hash(const struct conf *c, const char *pw, size_t len, char **phc,
    struct jerr *e)
{
	unsigned char	 salt[SALT_LEN], tag[TAG_LEN];
	/* sized for the longest hash: never moved by a realloc, which
	 * would leave a copy of the tag in freed memory (callers wipe the
	 * one they get) */
	struct buf	 b = { xmalloc(PHC_BUF), 0, PHC_BUF };
	char		*head;

	gcry_randomize(salt, sizeof salt, GCRY_STRONG_RANDOM);
	if (argon2id(pw, len, salt, c->kdf_memory_kib, c->kdf_time,
	    c->kdf_parallelism, tag, e) == -1)
		return ST_FAIL;
	head = xasprintf("$argon2id$v=19$m=%lld,t=%lld,p=%lld$",
	    c->kdf_memory_kib, c->kdf_time, c->kdf_parallelism);
	buf_add(&b, head, strlen(head));
	free(head);
	b64_encode(&b, salt, sizeof salt);
	buf_add(&b, "$", 1);
	b64_encode(&b, tag, sizeof tag);
	buf_add(&b, "", 1);
	wipe(tag, sizeof tag);
	*phc = b.p;
	return ST_OK;
}

int
cred_verify(const char *phc, const char *pw, size_t len)
{
	struct phc	 h;
	unsigned char	 tag[TAG_LEN];
	int		 r;

	if (phc_parse(phc, &h) == -1)
		return -1;
	if (argon2id(pw, len, h.salt, h.m, h.t, h.p, tag, NULL) == -1)
		return -1;
	r = ct_equal(tag, h.tag, TAG_LEN);
	wipe(tag, sizeof tag);
	wipe(&h, sizeof h);
	return r;
}

int
cred_stale(const char *phc, const struct conf *c)
{
	struct phc h;

	if (phc_parse(phc, &h) == -1)
		return 1;
	return (long long)h.m != c->kdf_memory_kib ||
	    (long long)h.t != c->kdf_time || (long long)h.p != c->kdf_parallelism;
}

static const unsigned char dummy_salt[SALT_LEN] = "jukisec-dummy-16";

void
cred_cost_init(struct cred_cost *k, const struct conf *c)
{
	k->m = k->room = (unsigned long)c->kdf_memory_kib;
	k->t = (unsigned long)c->kdf_time;
	k->p = (unsigned long)c->kdf_parallelism;
}

void
cred_cost_add(struct cred_cost *k, const char *phc)
{
	struct phc	 h;

	if (phc_parse(phc, &h) == 0) {
		/* Argon2id's time is about proportional to memory x passes */
		if ((unsigned long long)h.m * h.t >
		    (unsigned long long)k->m * k->t) {
			k->m = h.m;
			k->t = h.t;
			k->p = h.p;
		}
		if (h.m > k->room)
			k->room = h.m;
	}
	wipe(&h, sizeof h);
}

int
cred_dummy(const struct cred_cost *k, const char *pw, size_t len,
    struct jerr *e)
{
	unsigned char tag[TAG_LEN];
	int	 r;

	r = argon2id(pw, len, dummy_salt, k->m, k->t, k->p, tag, e);
	wipe(tag, sizeof tag);
	return r;
}

/* Slack over the blocks for what libgcrypt's Argon2 allocates beside
 * them, so that memory the check found is memory the derivation gets. */
#define KDF_SLACK	(1024 * 1024)

int
cred_room(const struct cred_cost *k, const char *phc, struct jerr *e)
{
	struct phc	 h;
	size_t		 n = k->room;
	void		*p;

	if (phc != NULL && phc_parse(phc, &h) == 0 && h.m > n)
		n = h.m;
	wipe(&h, sizeof h);
	n = n * 1024 + KDF_SLACK;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		jerr_say(e, ST_FAIL, _("Argon2id: %s"),
		    gcry_strerror(gcry_error_from_errno(errno)));
		return -1;
	}
	munmap(p, n);
	return 0;
}

int
cred_check(const struct cred_cost *k, const char *phc, const char *pw,
    size_t len, struct jerr *e)
{
	struct phc	 h;
	unsigned char	 tag[TAG_LEN];
	unsigned long long want, have;
	unsigned long	 m, floor;
	int		 r;

	if (phc_parse(phc, &h) == -1)
		return cred_dummy(k, pw, len, e) == -1 ? -2 : -1;
	r = argon2id(pw, len, h.salt, h.m, h.t, h.p, tag, e) == -1 ? -2 :
	    ct_equal(tag, h.tag, TAG_LEN);
	/* the rest of the costliest work, in its passes (to within t
	 * KiB-passes), never more memory than it: the room asked for */
	want = (unsigned long long)k->m * k->t;
	have = (unsigned long long)h.m * h.t;
	if (r >= 0 && have < want) {
		m = (unsigned long)((want - have) / k->t);
		floor = 8 * k->p;
		(void)argon2id(pw, len, dummy_salt, m < floor ? floor : m,
		    k->t, k->p, tag, e);
	}
	wipe(tag, sizeof tag);
	wipe(&h, sizeof h);
	return r;
}

int
cred_dir(struct store *st, int create)
{
	struct stat sb;
	int	 fd, saved;

	if (create && mkdirat(st->dirfd, CRED_DIR, CRED_DIR_MODE) == -1 &&
	    errno != EEXIST) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, CRED_DIR);
		return -1;
	}
	fd = openat(st->dirfd, CRED_DIR,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		saved = errno;
		/* O_NOFOLLOW with O_DIRECTORY fails a link as ENOTDIR, "Not
		 * a directory", the opposite of what is there: said as
		 * open_safe and store.c's open_dir say one */
		if (saved == ENOTDIR && fstatat(st->dirfd, CRED_DIR, &sb,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode)) {
			jerr_say_at(st->err, ST_FAIL, 0, ELOOP, "%s/%s: %s",
			    st->dir, CRED_DIR, open_safe_why(ELOOP));
			errno = ELOOP;
			return -1;
		}
		errno = saved;
		if (errno != ENOENT || create)
			jerr_say_errno(st->err, ST_FAIL,
			    "%s/%s", st->dir, CRED_DIR);
		return -1;
	}
	if (fstat(fd, &sb) == -1 || (sb.st_uid != st->owner && sb.st_uid != 0) ||
	    (sb.st_mode & 0777 & ~CRED_DIR_MODE) != 0) {
		jerr_say(st->err, ST_FAIL,
		    _("%s/%s: unsafe owner or mode (want 0700)"), st->dir,
		    CRED_DIR);
		close(fd);
		/* callers read ENOENT as "no credentials": never a stale one */
		errno = EPERM;
		return -1;
	}
	return fd;
}

static char *
cred_name(const char *id, const char *ext)
{
	return xasprintf("%s.%s", id, ext);
}

int
cred_write(struct store *st, const char *id, const char *ext,
    const void *p, size_t n)
{
	struct atomic_file af;
	char	*name;
	int	 dfd, r = ST_OK;

	if ((dfd = cred_dir(st, 1)) == -1)
		return ST_FAIL;
	name = cred_name(id, ext);
	if (atomic_clear(dfd, CRED_TMP, 1) == -1 ||
	    atomic_begin_as(&af, dfd, name, CRED_TMP, 0600) == -1) {
		jerr_say_errno(st->err, ST_FAIL,
		    "%s/%s/%s", st->dir, CRED_DIR, name);
		r = ST_FAIL;
	} else if ((af.secret = 1, fwrite(p, 1, n, af.fp)) != n) {
		jerr_say_errno(st->err, ST_FAIL,
		    "%s/%s/%s", st->dir, CRED_DIR, name);
		atomic_abort(&af);
		r = ST_FAIL;
	} else if (atomic_commit(&af) == -1) {
		jerr_say_errno(st->err, ST_FAIL,
		    "%s/%s/%s", st->dir, CRED_DIR, name);
		r = ST_FAIL;
	}
	free(name);
	close(dfd);
	return r;
}

/* credentials/ID.EXT opened for reading (open_safe's rule for a secret):
 * the descriptor, or -1 with *r ST_NO (absent) or ST_FAIL (said). */
static int
cred_open(struct store *st, const char *id, const char *ext, int *r)
{
	char	*name, *path;
	int	 dfd, fd;

	*r = ST_FAIL;
	if ((dfd = cred_dir(st, 0)) == -1) {
		*r = errno == ENOENT ? ST_NO : ST_FAIL;
		return -1;
	}
	name = cred_name(id, ext);
	if ((fd = open_safe(dfd, name, O_RDONLY, 0, 1)) == -1) {
		*r = errno == ENOENT ? ST_NO : ST_FAIL;
		if (*r == ST_FAIL) {
			path = xasprintf("%s/%s/%s", st->dir, CRED_DIR, name);
			open_safe_say(st->err, path);
			free(path);
		}
	}
	free(name);
	close(dfd);
	return fd;
}

/* Up to max bytes of fd into p: the count, short only at the end of the
 * file or on an error. */
static size_t
read_upto(int fd, char *p, size_t max)
{
	size_t	 n = 0;
	ssize_t	 k;

	while (n < max && (k = read(fd, p + n, max - n)) > 0)
		n += (size_t)k;
	return n;
}

int
cred_read(struct store *st, const char *id, const char *ext, char **data,
    size_t *len)
{
	struct stat sb;
	char	*path, *p = NULL;
	size_t	 n, size;
	int	 fd, r;

	if ((fd = cred_open(st, id, ext, &r)) == -1)
		return r;
	r = ST_FAIL;
	path = xasprintf("%s/%s/%s.%s", st->dir, CRED_DIR, id, ext);
	if (fstat(fd, &sb) == -1) {
		jerr_say_errno(st->err, ST_FAIL, "%s", path);
		goto out;
	}
	size = (size_t)sb.st_size;
	/* A hash in the secure pool (64 KiB); one longer than any hash is
	 * neither read nor allocated at its length (the pool would run out,
	 * and the process with it): it reads as "", which no parse takes,
	 * its own id denied as corrupt.  A sealed template is
	 * ciphertext, up to CRED_FILE_MAX bytes, more than that pool holds:
	 * libgcrypt's ordinary memory, which cred_free wipes and gcry_free
	 * frees too. */
	if (strcmp(ext, "phc") == 0) {
		if (size > PHC_MAX)
			size = 0;
		p = xmalloc_secure(size + 1);
	} else if (sb.st_size > CRED_FILE_MAX) {
		jerr_say(st->err, ST_FAIL,
		    _("%s: oversized credential file"), path);
		goto out;
	} else if ((p = gcry_malloc(size + 1)) == NULL) {
		jerr_say_errno(st->err, ST_FAIL, "%s", path);
		goto out;
	}
	if ((n = read_upto(fd, p, size)) != size) {
		jerr_say(st->err, ST_FAIL, _("%s: short read"), path);
		cred_free(p, n);
		goto out;
	}
	p[n] = '\0';
	*data = p;
	*len = n;
	r = ST_OK;
out:
	close(fd);
	free(path);
	return r;
}

int
cred_phc_dir(struct store *st)
{
	return cred_dir(st, 0);
}

int
cred_phc_at(int dfd, uid_t euid, const char *id, char buf[PHC_BUF])
{
	char		 name[64 + sizeof ".phc"];	/* ids: 32 at most */
	struct stat	 sb;
	ssize_t		 n = -1;
	int		 fd;

	*buf = '\0';
	if ((size_t)snprintf(name, sizeof name, "%s.phc", id) >= sizeof name)
		return -1;
	/* O_NONBLOCK as open_regular_st's, against a planted FIFO; left
	 * set, since a regular file's read ignores it.  One byte over
	 * PHC_MAX tells a longer file (st_size may have grown since). */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    check_stat_uid(&sb, 0, euid) == 0 && sb.st_size <= (off_t)PHC_MAX)
		n = read(fd, buf, PHC_MAX + 1);
	close(fd);
	if (n < 0 || n > (ssize_t)PHC_MAX)
		return -1;
	buf[n] = '\0';
	return 0;
}

void
cred_destroy_say(struct store *st, const char *name)
{
	if (errno == EMLINK)
		jerr_say(st->err, ST_FAIL, _("%s/%s/%s: has other hard links: "
		    "unlinked, not overwritten"), st->dir, CRED_DIR, name);
	else
		jerr_say_errno(st->err, ST_FAIL,
		    "%s/%s/%s", st->dir, CRED_DIR, name);
}

/* destroy_file of credentials/NAME, its failure said. */
static int
destroy_one(struct store *st, int dfd, const char *name)
{
	if (destroy_file(dfd, name) == 0)
		return ST_OK;
	cred_destroy_say(st, name);
	return ST_FAIL;
}

int
cred_destroy(struct store *st, const char *id, const char *only)
{
	static const char *const ext[] = { "phc", "tmpl" };
	char	*name;
	size_t	 i;
	int	 dfd, r = ST_OK;

	if ((dfd = cred_dir(st, 0)) == -1)
		return errno == ENOENT ? ST_OK : ST_FAIL;
	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		if (only != NULL && strcmp(only, ext[i]) != 0)
			continue;
		name = cred_name(id, ext[i]);
		if (destroy_one(st, dfd, name) != ST_OK)
			r = ST_FAIL;
		free(name);
	}
	close(dfd);
	return r;
}

/* ID.EXT.old: the ext "old" is no method's, so the name is never live. */
static char *
cred_old_name(const char *id, const char *ext)
{
	return xasprintf("%s.%s.old", id, ext);
}

/* The end of cred_keep and cred_unkeep: a failure said, naming
 * credentials/ID.EXT.old; the names freed, the directory closed. */
static int
old_done(struct store *st, int dfd, char *name, char *old, int r)
{
	if (r != ST_OK)
		jerr_say_errno(st->err, ST_FAIL, "%s/%s/%s", st->dir, CRED_DIR,
		    old);
	free(old);
	free(name);
	close(dfd);
	return r;
}

int
cred_keep(struct store *st, const char *id, const char *ext)
{
	char	*name, *old;
	int	 dfd, r = ST_OK;

	if ((dfd = cred_dir(st, 0)) == -1)
		return errno == ENOENT ? ST_OK : ST_FAIL;
	name = cred_name(id, ext);
	old = cred_old_name(id, ext);
	/* synced before the rename that replaces ID.EXT: else a crash could
	 * keep the rename and lose the name, the old bytes freed unwritten */
	if (linkat(dfd, name, dfd, old, 0) == -1) {
		if (errno != ENOENT)	/* ENOENT: no old file to keep */
			r = ST_FAIL;
	} else if (fsync_dir(dfd) == -1)
		r = ST_FAIL;
	return old_done(st, dfd, name, old, r);
}

int
cred_links(struct store *st, const char *id, const char *ext)
{
	struct stat sb;
	char	*name;
	int	 dfd, n = 0;

	if ((dfd = cred_dir(st, 0)) == -1)
		return 0;
	name = cred_name(id, ext);
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode))
		n = sb.st_nlink > INT_MAX ? INT_MAX : (int)sb.st_nlink;
	free(name);
	close(dfd);
	return n;
}

int
cred_unkeep_at(int dfd, const char *name, const char *old)
{
	struct stat sa, sb;

	if (fstatat(dfd, old, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstatat(dfd, name, &sa, AT_SYMLINK_NOFOLLOW) == -1 ||
	    sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino)
		return 0;
	return unlinkat(dfd, old, 0) == -1 || fsync_dir(dfd) == -1 ? -1 : 1;
}

int
cred_unkeep(struct store *st, const char *id, const char *ext)
{
	char	*name, *old;
	int	 dfd;

	if ((dfd = cred_dir(st, 0)) == -1)
		return errno == ENOENT ? ST_OK : ST_FAIL;
	name = cred_name(id, ext);
	old = cred_old_name(id, ext);
	return old_done(st, dfd, name, old,
	    cred_unkeep_at(dfd, name, old) == -1 ? ST_FAIL : ST_OK);
}

void
cred_old_drop(struct store *st, const char *id, const char *ext)
{
	struct stat sb;
	char	*old;
	int	 dfd;

	if ((dfd = cred_dir(st, 0)) == -1)
		return;
	old = cred_old_name(id, ext);
	/* one link: destroy_file overwrites it; with more it would only
	 * unlink it, unsaid: left to the reconcile, which says so */
	if (fstatat(dfd, old, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode) && sb.st_nlink == 1)
		(void)destroy_file(dfd, old);
	free(old);
	close(dfd);
}

int
cred_destroy_old(struct store *st, const char *id, const char *old,
    const char *ext)
{
	char	*name;
	int	 dfd, r;

	if (strcmp(old, ext) != 0)
		return cred_destroy(st, id, old);
	if ((dfd = cred_dir(st, 0)) == -1)
		return errno == ENOENT ? ST_OK : ST_FAIL;
	name = cred_old_name(id, ext);
	r = destroy_one(st, dfd, name);
	free(name);
	close(dfd);
	return r;
}

void
cred_free(char *p, size_t n)
{
	if (p == NULL)
		return;
	wipe(p, n);
	gcry_free(p);
}

int
cred_is_template_key(const struct store *st, int dfd, const char *name)
{
	struct stat sb, ksb;

	return stat(st->conf.template_key, &ksb) == 0 && S_ISREG(ksb.st_mode) &&
	    fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    sb.st_dev == ksb.st_dev && sb.st_ino == ksb.st_ino;
}
