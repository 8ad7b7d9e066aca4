/*
 * tmpl.c — sealing biometric templates (R5.3): AES-256-GCM (libgcrypt)
 * under the template key, with the operator id as associated data.
 *
 * Invariants:
 *  - Blob layout, version 1: "JKT" 0x01, one kind byte ('F' fingerprint,
 *    'X' external), a 12-byte random nonce, the ciphertext, a 16-byte tag.
 *    The associated data is "jukisec-tmpl-v1" NUL id NUL kind, so a blob
 *    copied onto another operator, or offered as the other kind, fails the
 *    tag check exactly like an altered one.  A nonce is never reused: each
 *    seal draws a fresh one (2^-96 collision bound per key).
 *  - The key file holds exactly 32 bytes, is a regular file not reached
 *    through a symbolic link, owned by us or root and not readable or
 *    writable by group or others (open_safe: a FIFO in its place is
 *    refused at once).  It is created only on enrolment, only inside the
 *    state directory and only while no template is sealed (credentials/
 *    holds no ID.tmpl): a new key would orphan every template, each
 *    person then denied as a corrupt one, counted and locked out.  So a
 *    missing key is an error whenever a template exists or the key is
 *    configured elsewhere (removable media), never silently replaced.
 *    Creation is crash-safe and made under the register lock: a full
 *    temporary file of a fixed name (TMPL_KEY_TMP) is linked into place,
 *    so the key is either absent or whole, two first enrolments at once
 *    seal with one key, and a temporary file a kill left goes with the
 *    next writer that takes that lock.
 *  - The key lives in libgcrypt secure memory; clear templates are wiped
 *    before they are freed.  No template byte is ever printed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gcrypt.h>
#include "jukisec.h"
#include "bioint.h"
#include "cred.h"

#define MAGIC		"JKT\001"
#define HDRLEN		5
#define NONCELEN	12
#define TAGLEN		16
_Static_assert(HDRLEN + NONCELEN + TMPL_MAX + TAGLEN <= CRED_FILE_MAX,
    "a sealed template of TMPL_MAX bytes must read back (cred_read)");
#define AADTAG		"jukisec-tmpl-v1"

void
secret_free(struct secret *s)
{
	if (s->p != NULL) {
		wipe(s->p, s->len);
		free(s->p);
	}
	s->p = NULL;
	s->len = 0;
}

void
tmpl_key_free(unsigned char *key)
{
	if (key != NULL) {
		wipe(key, TMPL_KEYLEN);
		gcry_free(key);
	}
}

static int
key_read(int fd, const char *path, unsigned char *key, struct jerr *e)
{
	unsigned char extra;
	size_t off = 0;
	ssize_t n;

	while (off < TMPL_KEYLEN) {
		n = read(fd, key + off, TMPL_KEYLEN - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			jerr_say_errno(e, ST_FAIL, _("template key %s"), path);
			return ST_FAIL;
		}
		if (n == 0)
			break;
		off += n;
	}
	if (off != TMPL_KEYLEN || read(fd, &extra, 1) != 0) {
		jerr_say(e, ST_FAIL,
		    _("template key %s: not exactly %d bytes"), path, TMPL_KEYLEN);
		return ST_FAIL;
	}
	return ST_OK;
}

/* The key made as TMPL_KEY_TMP, whole and synced, then linked into
 * place.  Under the register lock (key_make), whose taking removed one a
 * kill left (store.c's list), so O_EXCL finds none there. */
static int
key_create(int dirfd, const char *base, const char *path, struct jerr *e)
{
	unsigned char *k;
	int fd, rc = -1;

	fd = openat(dirfd, TMPL_KEY_TMP, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		goto out;
	k = gcry_random_bytes_secure(TMPL_KEYLEN, GCRY_STRONG_RANDOM);
	if (write(fd, k, TMPL_KEYLEN) == TMPL_KEYLEN && fsync(fd) == 0)
		rc = 0;
	tmpl_key_free(k);
	if (close(fd) == -1)
		rc = -1;
	/* link(2), not rename(2): a key there is never replaced, not even
	 * one put there by hand, without the lock. */
	if (rc == 0 && linkat(dirfd, TMPL_KEY_TMP, dirfd, base, 0) == -1 &&
	    errno != EEXIST)
		rc = -1;
	(void)unlinkat(dirfd, TMPL_KEY_TMP, 0);
	if (rc == 0)
		rc = fsync_dir(dirfd);
out:
	if (rc == -1)
		jerr_say_errno(e, ST_FAIL,
		    _("cannot create template key %s"), path);
	return rc == 0 ? ST_OK : ST_FAIL;
}

/* A key that is not there; hint: it lies outside the state directory,
 * so the likely cause is a medium not mounted. */
static void
key_missing(struct store *st, const char *path, int hint)
{
	jerr_say(st->err, ST_FAIL, _("template key %s is missing%s"), path,
	    hint ? _(" (is the removable medium mounted?)") : "");
}

/* The key file did not open (errno): missing, or refused by open_safe. */
static void
key_unopened(struct store *st, const char *path, int hint)
{
	char *what;
	int e = errno;

	if (e == ENOENT) {
		key_missing(st, path, hint);
		return;
	}
	what = xasprintf(_("template key %s"), path);
	errno = e;		/* open_safe_say names it */
	open_safe_say(st->err, what);
	free(what);
}

/* Whether credentials/ holds a sealed template: a file ID.tmpl, of the
 * fingerprint and external methods alike (cred.h).  ID.tmpl.old, kept only
 * to be destroyed, is never read again: a new key orphans nothing of it.
 * 1, 0 (none, or no credentials/), or -1 after a message. */
static int
tmpl_sealed(struct store *st)
{
	static const char ext[] = ".tmpl";
	struct dirent *d;
	DIR	*dir;
	size_t	 n;
	int	 dfd, r = 0;

	if ((dfd = cred_dir(st, 0)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((dir = fdopendir(dfd)) == NULL) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, CRED_DIR);
		close(dfd);
		return -1;
	}
	errno = 0;
	while (r == 0 && (d = readdir(dir)) != NULL) {
		n = strlen(d->d_name);
		r = n >= sizeof ext - 1 &&
		    strcmp(d->d_name + n - (sizeof ext - 1), ext) == 0;
	}
	if (r == 0 && errno != 0) {
		jerr_say_errno(st->err, ST_FAIL, "%s/%s", st->dir, CRED_DIR);
		r = -1;
	}
	closedir(dir);
	return r;
}

/* A missing key made, unless a template is sealed: then it stays
 * missing, which the caller's open finds as a verification does (a new
 * key would orphan every template).  Under the register lock, which
 * guards the templates the key seals (store.h), taken here unless the
 * caller holds it: anything there under that name now (a key another
 * enrolment made meanwhile, which both then seal with) is left to the
 * caller's open, and no template is sealed while the lock is held.
 * ST_OK, or ST_FAIL after a message. */
static int
key_make(struct store *st, int dirfd, const char *base, const char *path)
{
	struct stat sb;
	int held = st->lockfd[STORE_LOCK_REGISTER] != -1;
	int k, rc;

	if (!held && store_lock(st, STORE_LOCK_REGISTER) != ST_OK)
		return ST_FAIL;
	if (fstatat(dirfd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 ||
	    errno != ENOENT)
		rc = ST_OK;
	else if ((k = tmpl_sealed(st)) == -1)
		rc = ST_FAIL;
	else
		rc = k == 1 ? ST_OK : key_create(dirfd, base, path, st->err);
	if (!held)
		store_unlock(st, STORE_LOCK_REGISTER);
	return rc;
}

int
tmpl_key_load(struct store *st, int create, unsigned char **keyp)
{
	const char *path = st->conf.template_key;
	const char *slash = strrchr(path, '/');
	char *dir, *base;
	struct stat a, b;
	int dirfd, fd = -1, inside, rc = ST_FAIL;

	*keyp = NULL;
	if (path[0] == '\0' || (slash != NULL && slash[1] == '\0')) {
		jerr_say(st->err, ST_FAIL, _("template_key in jukisec.conf is not a file name"));
		return ST_FAIL;
	}
	dir = slash == NULL ? xstrdup(".") :
	    slash == path ? xstrdup("/") : xstrndup(path, slash - path);
	base = xstrdup(slash == NULL ? path : slash + 1);
	/* Relative paths are relative to the state directory. */
	dirfd = openat(st->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd == -1) {
		/* an automounted medium's directory goes with it */
		if (errno == ENOENT)
			key_missing(st, path, path[0] == '/');
		else
			jerr_say_errno(st->err, ST_FAIL, _("template key %s"), path);
		goto out;
	}
	inside = fstat(dirfd, &a) == 0 && fstat(st->dirfd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	fd = open_safe(dirfd, base, O_RDONLY, 0, 1);
	if (fd == -1 && errno == ENOENT && create && inside) {
		if (key_make(st, dirfd, base, path) != ST_OK)
			goto out;
		fd = open_safe(dirfd, base, O_RDONLY, 0, 1);
	}
	if (fd == -1) {
		key_unopened(st, path, !inside);
		goto out;
	}
	*keyp = xmalloc_secure(TMPL_KEYLEN);
	rc = key_read(fd, path, *keyp, st->err);
out:
	if (rc != ST_OK) {
		tmpl_key_free(*keyp);
		*keyp = NULL;
	}
	if (fd != -1)
		close(fd);
	if (dirfd != -1)
		close(dirfd);
	free(dir);
	free(base);
	return rc;
}

static unsigned char
kind_byte(enum method kind)
{
	return kind == METHOD_EXTERNAL ? 'X' : 'F';
}

static gcry_cipher_hd_t
gcm_open(const unsigned char *key, const char *id, const unsigned char *hdr)
{
	gcry_cipher_hd_t h;
	struct buf aad = { 0 };

	if (gcry_cipher_open(&h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    GCRY_CIPHER_SECURE) != 0)
		return NULL;
	buf_add(&aad, AADTAG, sizeof AADTAG);		/* with its NUL */
	buf_add(&aad, id, strlen(id) + 1);
	buf_add(&aad, hdr + 4, 1);
	if (gcry_cipher_setkey(h, key, TMPL_KEYLEN) != 0 ||
	    gcry_cipher_setiv(h, hdr + HDRLEN, NONCELEN) != 0 ||
	    gcry_cipher_authenticate(h, aad.p, aad.len) != 0) {
		gcry_cipher_close(h);
		h = NULL;
	}
	buf_free(&aad);
	return h;
}

int
tmpl_seal(const unsigned char *key, const char *id, enum method kind,
    const struct secret *s, struct buf *out, struct jerr *e)
{
	unsigned char *p;
	gcry_cipher_hd_t h;
	size_t n = HDRLEN + NONCELEN + s->len + TAGLEN;

	if (s->len == 0 || s->len > TMPL_MAX) {
		jerr_say(e, ST_FAIL,
		    _("template of %zu bytes refused"), s->len);
		return ST_FAIL;
	}
	p = xmalloc(n);
	memcpy(p, MAGIC, 4);
	p[4] = kind_byte(kind);
	gcry_create_nonce(p + HDRLEN, NONCELEN);
	if ((h = gcm_open(key, id, p)) == NULL ||
	    gcry_cipher_encrypt(h, p + HDRLEN + NONCELEN, s->len, s->p,
	    s->len) != 0 ||
	    gcry_cipher_gettag(h, p + n - TAGLEN, TAGLEN) != 0) {
		if (h != NULL)
			gcry_cipher_close(h);
		free(p);
		jerr_say(e, ST_FAIL, _("libgcrypt AES-256-GCM failed"));
		return ST_FAIL;
	}
	gcry_cipher_close(h);
	out->len = 0;
	buf_add(out, p, n);
	free(p);
	return ST_OK;
}

int
tmpl_open(const unsigned char *key, const char *id, enum method kind,
    const void *blob, size_t len, struct secret *s, const char **reason,
    struct jerr *e)
{
	const unsigned char *b = blob;
	gcry_cipher_hd_t h;
	size_t n;

	s->p = NULL;
	s->len = 0;
	*reason = "template corrupt";
	if (len <= HDRLEN + NONCELEN + TAGLEN ||
	    len > HDRLEN + NONCELEN + TAGLEN + TMPL_MAX ||
	    memcmp(b, MAGIC, 4) != 0 || b[4] != kind_byte(kind))
		return ST_NO;
	n = len - HDRLEN - NONCELEN - TAGLEN;
	if ((h = gcm_open(key, id, b)) == NULL) {
		*reason = "crypto error";
		jerr_say(e, ST_FAIL, _("libgcrypt AES-256-GCM failed"));
		return ST_FAIL;
	}
	s->p = xmalloc(n);
	s->len = n;
	if (gcry_cipher_decrypt(h, s->p, n, b + HDRLEN + NONCELEN, n) != 0 ||
	    gcry_cipher_checktag(h, b + len - TAGLEN, TAGLEN) != 0) {
		gcry_cipher_close(h);
		secret_free(s);
		return ST_NO;
	}
	gcry_cipher_close(h);
	*reason = NULL;
	return ST_OK;
}
