/*
 * oplog_key.c — the log's keys and MACs (jukisec-log(5) "Keys", "The MAC
 * chain").
 *
 * Invariants: a key lives only in libgcrypt secure memory and in the 0600
 * file oplog.key, which holds the current epoch's key alone; K(e+1) =
 * HMAC-SHA256(K(e), "jukisec-log-v1 evolve") so evolution is one-way and the
 * old key is wiped in memory and replaced on disk by rename.  Key text is
 * written unbuffered from secure memory so no stdio buffer keeps a copy.
 * The verification key file is refused when group or others may read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "store.h"
#include "timeutil.h"
#include "oplog_priv.h"

long long
oplog_epoch_of(int64_t t0, long long epoch_seconds, int64_t t)
{
	int64_t len = (int64_t)epoch_seconds * 1000, d = t - t0;

	return d >= 0 ? d / len : -((-d + len - 1) / len);
}

int64_t
oplog_epoch_end(int64_t t0, long long epoch_seconds, long long e)
{
	return t0 + (int64_t)(e + 1) * epoch_seconds * 1000 - 1;
}

void
oplog_evolve(unsigned char k[32])
{
	gcry_md_hd_t h;

	if (gcry_md_open(&h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE) ||
	    gcry_md_setkey(h, k, 32))
		errx(ST_FAIL, _("libgcrypt: cannot open HMAC-SHA256"));
	gcry_md_write(h, OPLOG_EVOLVE, sizeof(OPLOG_EVOLVE) - 1);
	memcpy(k, gcry_md_read(h, 0), 32);
	gcry_md_close(h);
}

int
mac_open(struct oplog_mac *m)
{
	m->epoch = -1;
	if (gcry_md_open(&m->h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE))
		errx(ST_FAIL, _("libgcrypt: cannot open HMAC-SHA256"));
	return 0;
}

void
mac_setkey(struct oplog_mac *m, const unsigned char k[32], long long epoch)
{
	if (gcry_md_setkey(m->h, k, 32))
		errx(ST_FAIL, _("libgcrypt: cannot set HMAC key"));
	m->epoch = epoch;
}

void
mac_close(struct oplog_mac *m)
{
	if (m->h)
		gcry_md_close(m->h);
	m->h = NULL;
	m->epoch = -1;
}

static void
enc(gcry_md_hd_t h, const void *p, size_t len)
{
	unsigned char n[4];

	n[0] = len >> 24;
	n[1] = len >> 16;
	n[2] = len >> 8;
	n[3] = len;
	gcry_md_write(h, n, 4);
	gcry_md_write(h, p, len);
}

/* prev || canon(record) of jukisec-log(5) into out (room for OPLOG_MACLEN
 * + 4 * OF_MAC + the field lengths); returns its length. */
size_t
mac_canon(unsigned char *out, const unsigned char prev[OPLOG_MACLEN],
    const char *const f[], const size_t len[])
{
	unsigned char *p = out;
	int i;

	memcpy(p, prev, OPLOG_MACLEN);
	p += OPLOG_MACLEN;
	for (i = 0; i < OF_MAC; i++) {
		p[0] = len[i] >> 24;
		p[1] = len[i] >> 16;
		p[2] = len[i] >> 8;
		p[3] = len[i];
		memcpy(p + 4, f[i], len[i]);
		p += 4 + len[i];
	}
	return p - out;
}

void
mac_bytes(struct oplog_mac *m, const unsigned char *p, size_t n, unsigned char out[OPLOG_MACLEN])
{
	gcry_md_reset(m->h);
	gcry_md_write(m->h, p, n);
	memcpy(out, gcry_md_read(m->h, 0), OPLOG_MACLEN);
}

/* One gcry_md_write per record: the canonical form is built on the stack
 * (fields are bounded, jukisec-log(5)), which halves the verifier's time. */
void
mac_record(struct oplog_mac *m, const unsigned char prev[OPLOG_MACLEN],
    const char *const f[], const size_t len[], unsigned char out[OPLOG_MACLEN])
{
	unsigned char buf[OPLOG_MACLEN + OPLOG_LINE_MAX + 4 * OF_MAC];
	size_t total = OPLOG_MACLEN;
	int i;

	for (i = 0; i < OF_MAC; i++)
		total += 4 + len[i];
	if (total <= sizeof(buf)) {
		mac_bytes(m, buf, mac_canon(buf, prev, f, len), out);
		return;
	}
	gcry_md_reset(m->h);
	gcry_md_write(m->h, prev, OPLOG_MACLEN);
	for (i = 0; i < OF_MAC; i++)
		enc(m->h, f[i], len[i]);
	memcpy(out, gcry_md_read(m->h, 0), OPLOG_MACLEN);
}

void
mac_head(struct oplog_mac *m, const struct oplog_head *hd, unsigned char out[OPLOG_MACLEN])
{
	char num[5][24], t[TIME_BUFSZ], hex[2 * OPLOG_MACLEN + 1];
	long long v[5] = { hd->seq, hd->epoch, hd->erecs, hd->count, hd->size };
	int i;

	gcry_md_reset(m->h);
	enc(m->h, OPLOG_HEADTAG, sizeof(OPLOG_HEADTAG) - 1);
	for (i = 0; i < 5; i++) {
		snprintf(num[i], sizeof(num[i]), "%lld", v[i]);
		enc(m->h, num[i], strlen(num[i]));
	}
	time_format(hd->time, t);
	enc(m->h, t, strlen(t));
	hex_encode(hd->mac, OPLOG_MACLEN, hex);
	enc(m->h, hex, 2 * OPLOG_MACLEN);
	memcpy(out, gcry_md_read(m->h, 0), OPLOG_MACLEN);
}

void
hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Lowercase only: the format has exactly one spelling of each MAC.  A
 * table, because the verifier decodes one MAC per record. */
int
hex_decode(const char *s, size_t len, unsigned char *out, size_t n)
{
	static signed char val[256];
	static int init;
	const unsigned char *p = (const unsigned char *)s;
	size_t i;
	int hi, lo, c;

	if (!init) {
		memset(val, -1, sizeof(val));
		for (c = 0; c < 10; c++)
			val['0' + c] = c;
		for (c = 0; c < 6; c++)
			val['a' + c] = 10 + c;
		init = 1;
	}
	if (len != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if ((hi = val[p[2 * i]]) < 0 || (lo = val[p[2 * i + 1]]) < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

const char *
kv_get(const char *line, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	const char *p = line, *e;

	while ((p = strchr(p, ' ')) != NULL) {
		p++;
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			p += kl + 1;
			e = strchr(p, ' ');
			*len = e ? (size_t)(e - p) : strlen(p);
			return p;
		}
	}
	return NULL;
}

static int
kv_num(const char *line, const char *key, long long min, long long max, long long *out)
{
	const char *v, *errstr;
	char buf[24];
	size_t len;

	if ((v = kv_get(line, key, &len)) == NULL || len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return parse_num(buf, min, max, out, &errstr);
}

static int
kv_time(const char *line, const char *key, int64_t *out)
{
	char buf[TIME_BUFSZ], back[TIME_BUFSZ];
	const char *v;
	size_t len;

	if ((v = kv_get(line, key, &len)) == NULL || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (time_parse(buf, out) == -1)
		return -1;
	time_format(*out, back);
	return strcmp(buf, back) == 0 ? 0 : -1;
}

static int
kv_hex(const char *line, const char *key, unsigned char *out, size_t n)
{
	const char *v;
	size_t len;

	if ((v = kv_get(line, key, &len)) == NULL)
		return -1;
	return hex_decode(v, len, out, n);
}

static int
count_tokens(const char *s)
{
	int n = 1;

	for (; *s; s++)
		if (*s == ' ')
			n++;
	return n;
}

struct oplog_key *
oplog_key_new(void)
{
	struct oplog_key *k;

	if ((k = gcry_calloc_secure(1, sizeof(*k))) == NULL)
		errx(ST_FAIL, _("out of secure memory"));
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
 * keys), without the LF.  0, or -1 with a reason in *why. */
static int
read_line_fd(int fd, char *buf, size_t cap, const char **why)
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
	if (n == 0 || buf[n - 1] != '\n' || memchr(buf, '\n', n) != buf + n - 1 ||
	    strlen(buf) != n) {
		*why = _("not one line");
		return -1;
	}
	buf[n - 1] = '\0';
	return 0;
}

int
oplog_key_load(struct store *st, struct oplog_key *k)
{
	char *buf;
	const char *why = _("malformed");
	long long t;
	int fd, rc = ST_FAIL;

	if ((fd = store_openat(st, OPLOG_KEYFILE, O_RDONLY, 0)) == -1) {
		warn("%s/%s", st->dir, OPLOG_KEYFILE);
		return ST_FAIL;
	}
	if ((buf = gcry_malloc_secure(512)) == NULL)
		errx(ST_FAIL, _("out of secure memory"));
	if (read_line_fd(fd, buf, 512, &why) == 0 &&
	    strncmp(buf, "jukisec-log-epoch-key v1 ", 25) == 0 &&
	    count_tokens(buf) == 6 &&
	    kv_time(buf, "t0", &k->t0) == 0 &&
	    kv_num(buf, "epoch_seconds", 1, 100LL * 365 * 86400, &k->epoch_seconds) == 0 &&
	    kv_num(buf, "epoch", 0, 1LL << 40, &t) == 0 &&
	    kv_hex(buf, "key", k->k, 32) == 0) {
		k->epoch = t;
		rc = ST_OK;
	} else
		warnx(_("%s/%s: %s"), st->dir, OPLOG_KEYFILE, why);
	wipe(buf, 512);
	gcry_free(buf);
	close(fd);
	return rc;
}

int
oplog_key_save(struct store *st, const struct oplog_key *k)
{
	struct atomic_file af;
	char *buf, t[TIME_BUFSZ], hex[65];
	int n, rc = ST_OK;

	if ((buf = gcry_malloc_secure(512)) == NULL)
		errx(ST_FAIL, _("out of secure memory"));
	time_format(k->t0, t);
	hex_encode(k->k, 32, hex);
	n = snprintf(buf, 512, "jukisec-log-epoch-key v1 t0=%s epoch_seconds=%lld epoch=%lld key=%s\n",
	    t, k->epoch_seconds, k->epoch, hex);
	wipe(hex, sizeof(hex));
	if (atomic_begin(&af, st->dirfd, OPLOG_KEYFILE, 0600) == -1) {
		warn("%s/%s", st->dir, OPLOG_KEYFILE);
		rc = ST_FAIL;
	} else {
		setvbuf(af.fp, NULL, _IONBF, 0);
		if (fwrite(buf, 1, n, af.fp) != (size_t)n) {
			warn("%s/%s", st->dir, OPLOG_KEYFILE);
			atomic_abort(&af);
			rc = ST_FAIL;
		} else if (atomic_commit(&af) == -1) {
			warn("%s/%s", st->dir, OPLOG_KEYFILE);
			rc = ST_FAIL;
		}
	}
	wipe(buf, 512);
	gcry_free(buf);
	return rc;
}

struct oplog_vkey *
oplog_vkey_read(int fd, const char *name, int *status)
{
	struct oplog_vkey *vk;
	struct stat sb;
	char *buf;
	const char *why = _("not a jukisec log verification key");
	int ok = 0;

	*status = ST_FAIL;
	if (fstat(fd, &sb) == -1) {
		warn("%s", name);
		return NULL;
	}
	if (S_ISREG(sb.st_mode) && (sb.st_mode & 077)) {
		warnx(_("%s: readable by group or others; chmod 600 it"), name);
		return NULL;
	}
	if ((buf = gcry_malloc_secure(512)) == NULL ||
	    (vk = gcry_calloc_secure(1, sizeof(*vk))) == NULL)
		errx(ST_FAIL, _("out of secure memory"));
	if (read_line_fd(fd, buf, 512, &why) == 0 &&
	    strncmp(buf, "jukisec-log-key v1 ", 19) == 0 &&
	    count_tokens(buf) == 5 &&
	    kv_time(buf, "t0", &vk->t0) == 0 &&
	    kv_num(buf, "epoch_seconds", 1, 100LL * 365 * 86400, &vk->epoch_seconds) == 0 &&
	    kv_hex(buf, "k0", vk->k0, 32) == 0)
		ok = 1;
	else {
		warnx(_("%s: %s"), name, why);
		*status = ST_USAGE;
	}
	wipe(buf, 512);
	gcry_free(buf);
	if (!ok) {
		oplog_vkey_free(vk);
		return NULL;
	}
	*status = ST_OK;
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
