/*
 * oplog_key.c — the log's key files: oplog.key and the verification key
 * (jukisec-log(5) "Keys").
 *
 * Invariants: a key lives only in libgcrypt secure memory and in the 0600
 * file oplog.key, which holds the current epoch's key alone (and in the
 * MAC handles of a verifier, in ordinary memory for speed: oplog_mac.c
 * mac_open_verify; wiped when closed); K(e+1) =
 * HMAC-SHA256(K(e), "jukisec-log-v1 evolve") so evolution is one-way and the
 * old key is wiped in memory and replaced on disk by rename, from
 * OPLOG_KEYTMP: a fixed name, so that the next writer destroys one that a
 * writer killed before the rename left (oplog_tmp_clear).  Key text is
 * written unbuffered from secure memory so no stdio buffer keeps a copy.
 * oplog.key and the verification key file are refused when group or
 * others may read them.  The token reader (kv_*) reads the log's one-line
 * files, the head's slots too (oplog_head.c), in the page's one spelling.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "store.h"
#include "timeutil.h"
#include "ttyread.h"
#include "oplog_priv.h"

/* The longest epoch a key file may carry: a hundred years, far past the 30
 * days jukisec-init allows (a bound on what is read, not a setting). */
#define KEY_EPOCH_MAX	(100LL * 365 * 86400)

/* The value of the token " KEY=VALUE" at *p and its length; *p moves to
 * the space after it or to the line's end.  NULL when the next token is
 * not KEY's: a key line and a head line have one spelling each
 * (jukisec-log(5) "Keys", "Head"), their tokens in one order, one space
 * before each, none after the last, so that the tools and a verifier built
 * from the page accept the same lines. */
const char *
kv_next(const char **p, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	const char *v;

	if (**p != ' ' || strncmp(*p + 1, key, kl) != 0 || (*p)[kl + 1] != '=')
		return NULL;
	v = *p + kl + 2;
	*len = strcspn(v, " ");
	*p = v + *len;
	return v;
}

/* A number as every number of the log's files is written (no sign, no
 * leading zero: oplog_decimal), from min to max. */
int
kv_num(const char **p, const char *key, long long min, long long max, long long *out)
{
	const char *v;
	long long n;
	size_t len;

	if ((v = kv_next(p, key, &len)) == NULL || oplog_decimal(v, len, &n) == -1 ||
	    n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* A time in the one form of the log's files (time_format's). */
int
kv_time(const char **p, const char *key, int64_t *out)
{
	char buf[TIME_BUFSZ], back[TIME_BUFSZ];
	const char *v;
	size_t len;

	if ((v = kv_next(p, key, &len)) == NULL || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (time_parse(buf, out) == -1)
		return -1;
	time_format(*out, back);
	return strcmp(buf, back) == 0 ? 0 : -1;
}

/* n bytes as 2n lowercase hex digits. */
int
kv_hex(const char **p, const char *key, unsigned char *out, size_t n)
{
	const char *v;
	size_t len;

	if ((v = kv_next(p, key, &len)) == NULL)
		return -1;
	return hex_decode(v, len, out, n);
}

/* "PREFIX t0=TIME epoch_seconds=L", where both key lines begin: *p past
 * it, NULL; or the token that does not read ("" for the prefix). */
static const char *
key_start(const char **p, const char *prefix, int64_t *t0, long long *epoch_seconds)
{
	size_t n = strlen(prefix);

	if (strncmp(*p, prefix, n) != 0)
		return "";
	*p += n;
	if (kv_time(p, "t0", t0) == -1)
		return "t0";
	if (kv_num(p, "epoch_seconds", 1, KEY_EPOCH_MAX, epoch_seconds) == -1)
		return "epoch_seconds";
	return NULL;
}

/* "jukisec-log-epoch-key v1 t0=TIME epoch_seconds=L epoch=E key=HEX",
 * exactly: NULL, or the token that does not read, as key_start (anything
 * after the key's 64 digits is its token's too). */
static const char *
epoch_key_parse(const char *p, struct oplog_key *k)
{
	const char *bad;

	if ((bad = key_start(&p, "jukisec-log-epoch-key v1", &k->t0,
	    &k->epoch_seconds)) != NULL)
		return bad;
	if (kv_num(&p, "epoch", 0, 1LL << 40, &k->epoch) == -1)
		return "epoch";
	if (kv_hex(&p, "key", k->k, 32) == -1 || *p != '\0')
		return "key";
	return NULL;
}

/* "jukisec-log-key v1 t0=TIME epoch_seconds=L k0=HEX", exactly, as
 * jukisec-init printed it: NULL, or the token that does not read. */
static const char *
vkey_parse(const char *p, struct oplog_vkey *vk)
{
	const char *bad;

	if ((bad = key_start(&p, "jukisec-log-key v1", &vk->t0,
	    &vk->epoch_seconds)) != NULL)
		return bad;
	if (kv_hex(&p, "k0", vk->k0, 32) == -1 || *p != '\0')
		return "k0";
	return NULL;
}

/* Why oplog.key does not read, naming the token that does not (SPEC: the
 * file and field): whole messages, for the catalogue. */
static const char *
key_malformed(const char *bad)
{
	static const char *const why[][2] = {
		{ "t0", N_("malformed (field t0)") },
		{ "epoch_seconds", N_("malformed (field epoch_seconds)") },
		{ "epoch", N_("malformed (field epoch)") },
		{ "key", N_("malformed (field key)") },
	};
	size_t i;

	for (i = 0; bad != NULL && i < sizeof(why) / sizeof(why[0]); i++)
		if (strcmp(bad, why[i][0]) == 0)
			return _(why[i][1]);
	return _("malformed");
}

struct oplog_key *
oplog_key_new(void)
{
	struct oplog_key *k;

	k = xcalloc_secure(1, sizeof(*k));
	return k;
}

void
oplog_key_free(struct oplog_key *k)
{
	if (k == NULL)
		return;
	wipe(k, sizeof(*k));
	gcry_free(k);
}

/* Reads a one-line file of at most cap-1 bytes into buf (secure memory for
 * keys), without the LF, which may be missing when lf_optional (a key a
 * person saved).  0; -1 when read(2) fails, -2 when it is not one line,
 * with a reason in *why. */
static int
read_line_fd(int fd, char *buf, size_t cap, int lf_optional, const char **why)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			*why = strerror(errno);
			return -1;
		}
		n += r;
	}
	buf[n] = '\0';
	if (lf_optional && n > 0 && n < cap - 1 && memchr(buf, '\n', n) == NULL) {
		buf[n++] = '\n';
		buf[n] = '\0';
	}
	if (n == 0 || buf[n - 1] != '\n' || memchr(buf, '\n', n) != buf + n - 1 ||
	    strlen(buf) != n) {
		*why = _("not one line");
		return -2;
	}
	buf[n - 1] = '\0';
	return 0;
}

/* Why a key file of mode m (a key group or others have any permission
 * on) is refused: in the words of what they may do with it. */
static const char *
key_mode_why(mode_t m)
{
	return m & 044 ? _("readable by group or others; chmod 600 it") :
	    _("open to group or others; chmod 600 it");
}

/* Why oplog.key did not open (errno err), in open_safe's words; a key
 * group or others may read in the words of the mode check below, also
 * when they may write it too. */
static const char *
key_refused(struct store *st, int err)
{
	struct stat sb;
	const char *why;

	if (err == JERR_UNSAFE && fstatat(st->dirfd, OPLOG_KEYFILE, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (sb.st_uid == st->owner || sb.st_uid == 0) && (sb.st_mode & 044))
		why = _("readable by group or others; chmod 600 it");
	else
		why = open_safe_why(err);
	errno = err;
	return why;
}

/* Quiet: ST_OK; ST_NO when its text is not a key file's; or ST_FAIL when
 * it cannot be opened, is refused or cannot be read, errno saying why
 * (JERR_UNSAFE: refused).  *why in words. */
int
oplog_key_read(struct store *st, struct oplog_key *k, const char **why)
{
	struct stat sb;
	const char *bad = NULL;
	char *buf;
	int fd, n, rc = ST_NO;

	*why = NULL;	/* _() only on failure: it sets up a deferred locale */
	/* A file with no link left was opened just before a writer renamed
	 * the next epoch's key over it: the name holds that one now. */
	for (n = 0;; n++) {
		if ((fd = store_openat_st(st, OPLOG_KEYFILE, O_RDONLY, 0, &sb)) == -1) {
			*why = key_refused(st, errno);
			return ST_FAIL;
		}
		if (sb.st_nlink != 0 || n == 8)
			break;
		close(fd);
	}
	/* Whoever reads the current key can forge this epoch's records: a
	 * 0640 state file is fine, a 0640 key is not (the owner and the
	 * file's type store_openat_st checked). */
	/* Evolving the key renames over one name: another would keep every
	 * key the file held, K0 included (forward security, jukisec-log(5)). */
	if ((sb.st_mode & 077) || sb.st_nlink != 1) {
		*why = sb.st_mode & 077 ? key_mode_why(sb.st_mode) :
		    _("has other hard links, which would keep the keys of past "
		    "epochs: remove them");
		close(fd);
		errno = JERR_UNSAFE;
		return ST_FAIL;
	}
	buf = xmalloc_secure(512);
	if ((n = read_line_fd(fd, buf, 512, 0, why)) == 0 &&
	    (bad = epoch_key_parse(buf, k)) == NULL) {
		rc = ST_OK;
		*why = NULL;
	} else if (n == -1)
		rc = ST_FAIL;
	if (rc != ST_OK && *why == NULL)
		*why = key_malformed(bad);
	wipe(buf, 512);
	gcry_free(buf);
	close(fd);
	return rc;
}

int
oplog_key_load(struct store *st, struct oplog_key *k)
{
	const char *why;

	if (oplog_key_read(st, k, &why) != ST_OK) {
		jerr_say(st->err, ST_FAIL,
		    _("%s/%s: %s"), st->dir, OPLOG_KEYFILE, why);
		return ST_FAIL;
	}
	return ST_OK;
}

/* k's line written to OPLOG_KEYTMP, renamed to oplog.key when put,
 * else left synced under the temporary name (oplog_key_stage). */
static int
key_write(struct store *st, const struct oplog_key *k, int put)
{
	struct atomic_file af;
	char *buf, t[TIME_BUFSZ], hex[65];
	int n, rc = ST_OK;

	buf = xmalloc_secure(512);
	time_format(k->t0, t);
	hex_encode(k->k, 32, hex);
	n = snprintf(buf, 512, "jukisec-log-epoch-key v1 t0=%s epoch_seconds=%lld epoch=%lld key=%s\n",
	    t, k->epoch_seconds, k->epoch, hex);
	wipe(hex, sizeof(hex));
	if (atomic_begin_as(&af, st->dirfd, OPLOG_KEYFILE, OPLOG_KEYTMP, 0600) == -1) {
		jerr_say_errno(st->err, ST_FAIL,
		    "%s/%s", st->dir, OPLOG_KEYFILE);
		rc = ST_FAIL;
	} else {
		setvbuf(af.fp, NULL, _IONBF, 0);
		af.secret = 1;
		if (fwrite(buf, 1, n, af.fp) != (size_t)n) {
			jerr_say_errno(st->err, ST_FAIL,
			    "%s/%s", st->dir, OPLOG_KEYFILE);
			atomic_abort(&af);
			rc = ST_FAIL;
		} else if ((put ? atomic_commit(&af) : atomic_sync(&af)) == -1) {
			jerr_say_errno(st->err, ST_FAIL,
			    "%s/%s", st->dir, OPLOG_KEYFILE);
			rc = ST_FAIL;
		} else if (!put)
			free(af.name);	/* renamed by oplog_create_done */
	}
	wipe(buf, 512);
	gcry_free(buf);
	return rc;
}

int
oplog_key_save(struct store *st, const struct oplog_key *k)
{
	return key_write(st, k, 1);
}

int
oplog_key_stage(struct store *st, const struct oplog_key *k)
{
	return key_write(st, k, 0);
}

/* The verification key typed at a terminal (- as the key file): one line
 * that Enter ends, not end of file, and not echoed, as a password is: it
 * is K0, whence every epoch's key.  Returns as read_line_fd; one too long
 * keeps *why's words. */
static int
read_line_tty(int fd, char *buf, size_t cap, const char **why)
{
	char prompt[128];
	int r;

	snprintf(prompt, sizeof(prompt), "%s: ", _("the log verification key"));
	if ((r = ttyread_hidden(fd, prompt, buf, cap)) == -1)
		*why = strerror(errno);
	return r == 1 ? -2 : r;
}

/*
 * What a key may come from: a regular file (its mode judged by the
 * caller), a pipe or a socket (another program's output), a terminal
 * (typed in).  Anything else is refused in open_regular's words for a
 * file named so: a directory, or a device such as /dev/null, which would
 * read as an empty key.  A descriptor open for writing only cannot be
 * read at all, nor one opened O_PATH: standard input closed by the caller
 * (util.c holds it with /dev/null, O_PATH) or 0>>FILE.  Either is exit 3, as a named key
 * that cannot be read is; only a key read whole that is not one is 2.
 */
static int
key_unreadable(int fd, const struct stat *sb, const char *name, struct jerr *e)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 || (fl & O_ACCMODE) == O_WRONLY ||
	    (fl & O_PATH)) {
		if (fl != -1)
			errno = EBADF;
		jerr_errno(e, ST_FAIL, "%s", name);
		return 1;
	}
	if (!S_ISREG(sb->st_mode) && !S_ISFIFO(sb->st_mode) &&
	    !S_ISSOCK(sb->st_mode) && !isatty(fd)) {
		errno = EINVAL;
		open_safe_err(e, ST_FAIL, name);
		return 1;
	}
	return 0;
}

struct oplog_vkey *
oplog_vkey_read(int fd, const char *name, struct jerr *e)
{
	struct oplog_vkey *vk;
	struct stat sb;
	char *buf;
	const char *why = _("not a jukisec log verification key"), *bad;
	int ok = 0, r;

	if (fstat(fd, &sb) == -1) {
		jerr_errno(e, ST_FAIL, "%s", name);
		return NULL;
	}
	if (key_unreadable(fd, &sb, name, e))
		return NULL;
	if (S_ISREG(sb.st_mode) && (sb.st_mode & 077)) {
		jerr_set(e, ST_FAIL, "%s: %s", name, key_mode_why(sb.st_mode));
		e->cause = JERR_OPEN;
		return NULL;
	}
	buf = xmalloc_secure(512);
	vk = xcalloc_secure(1, sizeof(*vk));
	r = isatty(fd) ? read_line_tty(fd, buf, 512, &why) :
	    read_line_fd(fd, buf, 512, 1, &why);
	if (r == -1)		/* read(2) failed: an I/O error, not the key's */
		jerr_errno(e, ST_FAIL, "%s", name);
	else if (r == 0 && (bad = vkey_parse(buf, vk)) == NULL)
		ok = 1;
	else {
		if (r == 0 && *bad != '\0')
			jerr_set(e, ST_USAGE, _("%s: %s (field %s)"), name,
			    why, bad);
		else
			jerr_set(e, ST_USAGE, _("%s: %s"), name, why);
		e->cause = JERR_FORM;
	}
	wipe(buf, 512);
	gcry_free(buf);
	if (!ok) {
		oplog_vkey_free(vk);
		return NULL;
	}
	return vk;
}

struct oplog_vkey *
oplog_vkey_open(const char *path, struct jerr *e)
{
	struct oplog_vkey *vk;
	int fd;

	if (strcmp(path, "-") == 0)
		return oplog_vkey_read(STDIN_FILENO, "<stdin>", e);
	/* A key on removable media may be anyone's: open_regular, not
	 * open_safe; its mode oplog_vkey_read judges. */
	if ((fd = open_regular(AT_FDCWD, path, O_RDONLY)) == -1) {
		open_safe_err(e, ST_FAIL, path);
		return NULL;
	}
	vk = oplog_vkey_read(fd, path, e);
	close(fd);
	return vk;
}

void
oplog_vkey_free(struct oplog_vkey *vk)
{
	if (vk == NULL)
		return;
	wipe(vk, sizeof(*vk));
	gcry_free(vk);
}
