/*
 * oplog_mac.c — the log's arithmetic: epochs, key evolution, the canonical
 * form and its HMAC, hex (jukisec-log(5) "Epochs", "Keys", "The MAC chain",
 * "Head").
 *
 * Invariants: K(e+1) = HMAC-SHA256(K(e), "jukisec-log-v1 evolve"), computed
 * in place so no older key survives in the caller's buffer; HMAC handles are
 * opened with GCRY_MD_FLAG_SECURE so libgcrypt's copy of the key lives in
 * secure memory too.  The canonical form is the nine field values, each with
 * a 4-byte big-endian length, after the previous MAC: a record re-quoted by
 * another CSV writer has the same form.  MACs have one spelling, lowercase
 * hex.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "jukisec.h"
#include "timeutil.h"
#include "oplog_priv.h"

long long
oplog_epoch_of(int64_t t0, long long epoch_seconds, int64_t t)
{
	int64_t len = (int64_t)epoch_seconds * 1000, d = t - t0;

	return d >= 0 ? d / len : -((-d + len - 1) / len);
}

/* oplog_epoch_of(t0, epoch_seconds, t) == e, with a multiplication in
 * place of the division (the verifier asks it of every record). */
int
oplog_epoch_is(int64_t t0, long long epoch_seconds, long long e, int64_t t)
{
	int64_t len = (int64_t)epoch_seconds * 1000, start, end;

	if (__builtin_mul_overflow((int64_t)e, len, &start) ||
	    __builtin_add_overflow(start, t0, &start) ||
	    __builtin_add_overflow(start, len, &end))
		return oplog_epoch_of(t0, epoch_seconds, t) == e;
	return t >= start && t < end;
}

int64_t
oplog_epoch_end(int64_t t0, long long epoch_seconds, long long e)
{
	return t0 + (int64_t)(e + 1) * epoch_seconds * 1000 - 1;
}

/* k evolved n epochs forward, in place, under one HMAC handle. */
static void
evolve_n(unsigned char k[32], long long n)
{
	gcry_md_hd_t h;

	if (gcry_md_open(&h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE))
		errx(ST_FAIL, _("libgcrypt: cannot open HMAC-SHA256"));
	for (; n > 0; n--) {
		if (gcry_md_setkey(h, k, 32))
			errx(ST_FAIL, _("libgcrypt: cannot set HMAC key"));
		gcry_md_write(h, OPLOG_EVOLVE, sizeof(OPLOG_EVOLVE) - 1);
		memcpy(k, gcry_md_read(h, 0), 32);
	}
	gcry_md_close(h);
}

void
oplog_evolve(unsigned char k[32])
{
	evolve_n(k, 1);
}

int
mac_open(struct oplog_mac *m)
{
	m->epoch = -1;
	m->g = NULL;
	m->format = 1;
	m->secure = 1;
	if (gcry_md_open(&m->h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE))
		errx(ST_FAIL, _("libgcrypt: cannot open HMAC-SHA256"));
	return 0;
}

/*
 * A verifier's handle, in ordinary memory: libgcrypt allocates a
 * temporary in its locked pool at every HMAC it finishes when the handle
 * is secure, under one lock for the whole process, which made the
 * verification threads wait on each other for every record (log-verify
 * 4x slower on two cores than with this).  The key itself stays in secure
 * memory (the caller's); the handle's copy of it is wiped by gcry_md_close
 * like every libgcrypt context.  Writers keep mac_open.  The GMAC handle
 * of format 2 follows the same rule.
 */
int
mac_open_verify(struct oplog_mac *m)
{
	m->epoch = -1;
	m->g = NULL;
	m->format = 1;
	m->secure = 0;
	if (gcry_md_open(&m->h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC))
		errx(ST_FAIL, _("libgcrypt: cannot open HMAC-SHA256"));
	return 0;
}

void
mac_format(struct oplog_mac *m, int format)
{
	m->format = format;
	m->epoch = -1;
	if (format == 2 && m->g == NULL &&
	    gcry_mac_open(&m->g, GCRY_MAC_GMAC_AES, m->secure ? GCRY_MAC_FLAG_SECURE : 0, NULL))
		errx(ST_FAIL, _("libgcrypt: cannot open GMAC-AES-256"));
}

/* Format 2: G(E) = HMAC-SHA256(K(E), "jukisec-log-v2 gmac") keys the
 * GMAC handle; G(E) is wiped at once, and the HMAC handle's copy of it
 * reset, so that only libgcrypt's key schedule holds it. */
static void
gmac_setkey(struct oplog_mac *m)
{
	unsigned char *g = xmalloc_secure(32);

	gcry_md_write(m->h, OPLOG_GMACTAG, sizeof(OPLOG_GMACTAG) - 1);
	memcpy(g, gcry_md_read(m->h, 0), 32);
	gcry_md_reset(m->h);
	if (gcry_mac_setkey(m->g, g, 32))
		errx(ST_FAIL, _("libgcrypt: cannot set GMAC key"));
	wipe(g, 32);
	gcry_free(g);
}

void
mac_setkey(struct oplog_mac *m, const unsigned char k[32], long long epoch)
{
	if (gcry_md_setkey(m->h, k, 32))
		errx(ST_FAIL, _("libgcrypt: cannot set HMAC key"));
	if (m->format == 2)
		gmac_setkey(m);
	m->epoch = epoch;
}

void
mac_close(struct oplog_mac *m)
{
	if (m->h)
		gcry_md_close(m->h);
	if (m->g)
		gcry_mac_close(m->g);
	m->h = NULL;
	m->g = NULL;
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

/* n bytes from s to d, with copies of fixed size the compiler makes
 * moves of: a record's fields are a few bytes each, and a call to memcpy
 * per field was a twentieth of log-verify's time.  Reads nothing outside
 * s[0..n). */
static inline void
put(unsigned char *d, const char *s, size_t n)
{
	size_t i;

	if (n >= 16) {
		for (i = 0; i + 16 <= n; i += 16)
			memcpy(d + i, s + i, 16);
		memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else
		for (i = 0; i < n; i++)
			d[i] = s[i];
}

/* A field as put() would, in whole sixteen-byte moves: up to fifteen
 * bytes after the field are read, and written after it in d, where the
 * next field's length overwrites them (mac_record_read()). */
static inline void
put16(unsigned char *d, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 16)
		memcpy(d + i, s + i, 16);
}

/* prev || canon(record) of jukisec-log(5) into out; returns its length.
 * whole16: the fields copied by put16(), out with 16 bytes to spare. */
static inline size_t
canon(unsigned char *out, const unsigned char prev[OPLOG_MACLEN],
    const char *const f[], const size_t len[], int whole16)
{
	unsigned char *p = out;
	int i;

	memcpy(p, prev, OPLOG_MACLEN);
	p += OPLOG_MACLEN;
	for (i = 0; i < OF_MAC; i++) {
		uint32_t be = htonl((uint32_t)len[i]);

		memcpy(p, &be, 4);
		if (whole16)
			put16(p + 4, f[i], len[i]);
		else
			put(p + 4, f[i], len[i]);
		p += 4 + len[i];
	}
	return p - out;
}

/* canon() into out (room for OPLOG_MACLEN + 4 * OF_MAC + the field
 * lengths). */
size_t
mac_canon(unsigned char *out, const unsigned char prev[OPLOG_MACLEN],
    const char *const f[], const size_t len[])
{
	return canon(out, prev, f, len, 0);
}

/*
 * Format 2: IV || GMAC-AES-256(G(E), IV, p).  A writer's IV is 16 bytes
 * of gcry_create_nonce(): an IV must never repeat under one key, and need
 * not be secret; libgcrypt's nonce generator is seeded from its strong
 * pool, re-seeds in a forked child, and costs no entropy per record of a
 * batch of millions.  A check takes the IV from the record (claim).
 */
static void
gmac_bytes(struct oplog_mac *m, const unsigned char *p, size_t n,
    const unsigned char *claim, unsigned char out[OPLOG_MACLEN])
{
	unsigned char iv[OPLOG_IVLEN];
	size_t tl = OPLOG_MACLEN - OPLOG_IVLEN;

	if (claim != NULL)
		memcpy(iv, claim, OPLOG_IVLEN);
	else
		gcry_create_nonce(iv, OPLOG_IVLEN);
	/* No gcry_mac_reset(): GCM's setiv starts the tag afresh (hash,
	 * lengths, finished marks) and keeps the key, whereas a reset also
	 * copies the AES key schedule back and clears the mode's state, a
	 * tenth of a format 2 verification's time; the unit test checks a
	 * known answer after other records on the same handle. */
	if (gcry_mac_setiv(m->g, iv, OPLOG_IVLEN) ||
	    gcry_mac_write(m->g, p, n) || gcry_mac_read(m->g, out + OPLOG_IVLEN, &tl) ||
	    tl != OPLOG_MACLEN - OPLOG_IVLEN)
		errx(ST_FAIL, _("libgcrypt: GMAC failed"));
	memcpy(out, iv, OPLOG_IVLEN);
}

void
mac_bytes(struct oplog_mac *m, const unsigned char *p, size_t n,
    const unsigned char *claim, unsigned char out[OPLOG_MACLEN])
{
	if (m->format == 2) {
		gmac_bytes(m, p, n, claim, out);
		return;
	}
	gcry_md_reset(m->h);
	gcry_md_write(m->h, p, n);
	memcpy(out, gcry_md_read(m->h, 0), OPLOG_MACLEN);
}

void
mac_record_read(struct oplog_mac *m, const unsigned char prev[OPLOG_MACLEN],
    const char *const f[], const size_t len[], const unsigned char *claim,
    unsigned char out[OPLOG_MACLEN])
{
	unsigned char buf[OPLOG_MACLEN + OPLOG_LINE_MAX + 4 * OF_MAC + 16];
	size_t total = OPLOG_MACLEN;
	int i;

	for (i = 0; i < OF_MAC; i++)
		total += 4 + len[i];
	if (total > OPLOG_MACLEN + OPLOG_LINE_MAX + 4 * OF_MAC) {
		mac_record(m, prev, f, len, claim, out);
		return;
	}
	mac_bytes(m, buf, canon(buf, prev, f, len, 1), claim, out);
}

/* One gcry_md_write per record: the canonical form is built on the stack
 * (fields are bounded, jukisec-log(5)), which halves the verifier's time;
 * a longer one (no record of the log has one) on the heap. */
void
mac_record(struct oplog_mac *m, const unsigned char prev[OPLOG_MACLEN],
    const char *const f[], const size_t len[], const unsigned char *claim,
    unsigned char out[OPLOG_MACLEN])
{
	unsigned char buf[OPLOG_MACLEN + OPLOG_LINE_MAX + 4 * OF_MAC], *p = buf;
	size_t total = OPLOG_MACLEN;
	int i;

	for (i = 0; i < OF_MAC; i++)
		total += 4 + len[i];
	if (total > sizeof(buf))
		p = xmalloc(total);
	mac_bytes(m, p, mac_canon(p, prev, f, len), claim, out);
	if (p != buf)
		free(p);
}

/* jukisec-log(5) "Head": version 2 covers "open" or "closed" and kepoch,
 * and names the log's format by its tag (m's format); version 1 none. */
void
mac_head(struct oplog_mac *m, const struct oplog_head *hd, unsigned char out[OPLOG_MACLEN])
{
	char num[6][24], t[TIME_BUFSZ], hex[2 * OPLOG_MACLEN + 1];
	long long v[5] = { hd->seq, hd->epoch, hd->erecs, hd->count, hd->size };
	int i;

	gcry_md_reset(m->h);
	if (hd->version == 1)
		enc(m->h, OPLOG_HEADTAG1, sizeof(OPLOG_HEADTAG1) - 1);
	else {
		if (m->format == 2)
			enc(m->h, OPLOG_HEADTAG2, sizeof(OPLOG_HEADTAG2) - 1);
		else
			enc(m->h, OPLOG_HEADTAG, sizeof(OPLOG_HEADTAG) - 1);
		enc(m->h, hd->open ? "open" : "closed", hd->open ? 4 : 6);
	}
	for (i = 0; i < 5; i++) {
		snprintf(num[i], sizeof(num[i]), "%lld", v[i]);
		enc(m->h, num[i], strlen(num[i]));
	}
	time_format(hd->time, t);
	enc(m->h, t, strlen(t));
	hex_encode(hd->mac, OPLOG_MACLEN, hex);
	enc(m->h, hex, 2 * OPLOG_MACLEN);
	if (hd->version != 1) {
		snprintf(num[5], sizeof(num[5]), "%lld", hd->kepoch);
		enc(m->h, num[5], strlen(num[5]));
	}
	memcpy(out, gcry_md_read(m->h, 0), OPLOG_MACLEN);
}

void
oplog_key_at(const unsigned char k[32], long long from, long long e, unsigned char out[32])
{
	if (out != k)
		memcpy(out, k, 32);
	if (e > from)
		evolve_n(out, e - from);
}

int
oplog_head_check(const struct oplog_head *hd, const unsigned char k[32], long long from,
    int format)
{
	struct oplog_mac m;
	unsigned char *kk, hm[OPLOG_MACLEN];
	int ok;

	if (hd->kepoch < from)
		return -1;
	kk = xmalloc_secure(32);
	oplog_key_at(k, from, hd->kepoch, kk);
	mac_open(&m);
	mac_setkey(&m, kk, hd->kepoch);
	m.format = format;	/* after the key: the head's tag, no GMAC handle */
	mac_head(&m, hd, hm);
	mac_close(&m);
	wipe(kk, 32);
	gcry_free(kk);
	ok = ct_equal(hm, hd->hmac, OPLOG_MACLEN);
	return ok ? 0 : -1;
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

#ifdef __SSE2__
#include <emmintrin.h>

/* Sixteen hex digits at p as eight bytes, one in each 16-bit lane; *ok
 * keeps, per byte, whether it was a lowercase hex digit. */
static inline __m128i
hex16(const unsigned char *p, __m128i *ok)
{
	__m128i x = _mm_loadu_si128((const __m128i *)p), dig, alp, v;

	/* signed: x + 0x50 is -128..-119 for '0'..'9' alone, x + 0x1f
	 * -128..-123 for 'a'..'f' alone */
	dig = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(0x50)), _mm_set1_epi8(-118));
	alp = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(0x1f)), _mm_set1_epi8(-122));
	*ok = _mm_and_si128(*ok, _mm_or_si128(dig, alp));
	/* the low nibble, and 9 more for a letter ('a' is 0x61) */
	v = _mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x0f)),
	    _mm_and_si128(alp, _mm_set1_epi8(9)));
	/* each 16-bit lane: the first digit in its low byte, the second in
	 * its high one */
	return _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi16(0xff)), 4),
	    _mm_srli_epi16(v, 8));
}

/* Thirty-two hex digits of p into sixteen bytes of out: 0, or -1 if one
 * is not a lowercase hex digit (out then holds garbage). */
static int
hex32(const unsigned char *p, unsigned char *out)
{
	__m128i ok = _mm_set1_epi8(-1), lo, hi;

	lo = hex16(p, &ok);
	hi = hex16(p + 16, &ok);
	_mm_storeu_si128((__m128i *)out, _mm_packus_epi16(lo, hi));
	return _mm_movemask_epi8(ok) == 0xffff ? 0 : -1;
}
#endif

static int
hexval(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Lowercase only: the format has exactly one spelling of each MAC.
 * Thirty-two digits at a time with SSE2, because the verifier decodes one MAC
 * per record, on every core at once (so no lazily built table). */
int
hex_decode(const char *s, size_t len, unsigned char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int hi, lo;

	if (len != 2 * n)
		return -1;
#ifdef __SSE2__
	for (; i + 16 <= n; i += 16)
		if (hex32(p + 2 * i, out + i) == -1)
			return -1;
#endif
	for (; i < n; i++) {
		if ((hi = hexval(p[2 * i])) < 0 || (lo = hexval(p[2 * i + 1])) < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return 0;
}
