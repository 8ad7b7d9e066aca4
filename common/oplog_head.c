/*
 * oplog_head.c — oplog.head, the sealed statement of where the log ends
 * (jukisec-log(5) "Head").
 *
 * Invariants: the file holds two slots of OPLOG_HEADSLOT bytes, each one
 * head line and NUL padding; the head is the slot that parses with the
 * higher seq (an open one on a tie), and a write goes in place to the other
 * slot, so a torn write leaves the previous head.  A head is written only
 * after the records it describes are durable, so it is never ahead of the
 * log; it may be behind (jukisec-log(5) "Writing": a single record's head is
 * not synced) and writers then take in whole records that chain from it
 * under the current key.  "open" marks a head written, synced, before a
 * batch of several records: bytes after it are that batch, unfinished.
 * Its hmac is keyed with the key of the last record's epoch, so a head can
 * be forged only by someone holding that key (the current one); "open"
 * lies outside the hmac: it only makes a writer cut bytes the head does not
 * cover, which anyone who can write the directory can do anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "store.h"
#include "timeutil.h"
#include "oplog_priv.h"

static int
num(const char *line, const char *key, long long *out)
{
	const char *v;
	size_t len, i;
	long long n = 0;

	if ((v = kv_get(line, key, &len)) == NULL || len == 0 || len > 18 ||
	    (len > 1 && v[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	*out = n;
	return 0;
}

const char *
oplog_head_parse(const char *line, size_t n, struct oplog_head *hd)
{
	char t[TIME_BUFSZ], back[TIME_BUFSZ];
	const char *v;
	size_t len, i, sp = 0;

	for (i = 0; i < n; i++)
		if (line[i] == ' ')
			sp++;
	hd->open = strncmp(line, "jukisec-log-head v1 open ", 25) == 0;
	if (strlen(line) != n || strncmp(line, "jukisec-log-head v1 ", 20) != 0 ||
	    sp != 9u + hd->open ||
	    num(line, "seq", &hd->seq) || num(line, "epoch", &hd->epoch) ||
	    num(line, "erecs", &hd->erecs) || num(line, "count", &hd->count) ||
	    num(line, "size", &hd->size) ||
	    (v = kv_get(line, "time", &len)) == NULL || len >= sizeof(t))
		return _("malformed head");
	memcpy(t, v, len);
	t[len] = '\0';
	if (time_parse(t, &hd->time) == -1)
		return _("malformed head");
	time_format(hd->time, back);
	if (strcmp(t, back) != 0 ||
	    (v = kv_get(line, "mac", &len)) == NULL ||
	    hex_decode(v, len, hd->mac, OPLOG_MACLEN) == -1 ||
	    (v = kv_get(line, "hmac", &len)) == NULL ||
	    hex_decode(v, len, hd->hmac, OPLOG_MACLEN) == -1)
		return _("malformed head");
	return NULL;
}

/* One slot: a line, LF, NULs to the slot's end (or the file's). */
static const char *
slot_parse(char *p, size_t n, struct oplog_head *hd)
{
	char *lf;
	size_t i;

	if (n == 0 || (lf = memchr(p, '\n', n)) == NULL)
		return _("malformed head");
	for (i = lf - p + 1; i < n; i++)
		if (p[i] != '\0')
			return _("malformed head");
	*lf = '\0';
	return oplog_head_parse(p, lf - p, hd);
}

/* Quiet: 0, or -1 with *why (errno text or the parse problem). */
int
oplog_head_read(struct store *st, struct oplog_head *hd, const char **why)
{
	char buf[2 * OPLOG_HEADSLOT + 1];
	struct oplog_head h[2];
	const char *w[2];
	ssize_t n;
	size_t got = 0, len;
	int fd, i, pick;

	memset(hd, 0, sizeof(*hd));
	if ((fd = store_openat(st, OPLOG_HEADFILE, O_RDONLY, 0)) == -1) {
		*why = strerror(errno);
		return -1;
	}
	while (got < sizeof(buf) && (n = read(fd, buf + got, sizeof(buf) - got)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			*why = strerror(errno);
			close(fd);
			return -1;
		}
		got += n;
	}
	close(fd);
	if (got > 2 * OPLOG_HEADSLOT) {
		*why = _("malformed head");
		return -1;
	}
	for (i = 0; i < 2; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		h[i].slot = i;
		len = got > (size_t)i * OPLOG_HEADSLOT ? got - i * OPLOG_HEADSLOT : 0;
		if (len > OPLOG_HEADSLOT)
			len = OPLOG_HEADSLOT;
		w[i] = slot_parse(buf + i * OPLOG_HEADSLOT, len, &h[i]);
	}
	if (w[0] != NULL && w[1] != NULL) {
		*why = w[0];
		return -1;
	}
	pick = w[0] != NULL ? 1 : w[1] != NULL ? 0 :
	    h[1].seq > h[0].seq || (h[1].seq == h[0].seq && h[1].open) ? 1 : 0;
	*hd = h[pick];
	return 0;
}

int
oplog_head_load(struct store *st, struct oplog_head *hd)
{
	const char *why;

	if (oplog_head_read(st, hd, &why) == -1) {
		warnx("%s/%s: %s", st->dir, OPLOG_HEADFILE, why);
		return ST_FAIL;
	}
	return ST_OK;
}

int
oplog_head_write(struct store *st, struct oplog_head *hd, struct oplog_mac *m, int sync)
{
	char slot[OPLOG_HEADSLOT], t[TIME_BUFSZ];
	char mac[2 * OPLOG_MACLEN + 1], hmac[2 * OPLOG_MACLEN + 1];
	int fd, n, to = !hd->slot;

	if (m != NULL)
		mac_head(m, hd, hd->hmac);
	time_format(hd->time, t);
	hex_encode(hd->mac, OPLOG_MACLEN, mac);
	hex_encode(hd->hmac, OPLOG_MACLEN, hmac);
	memset(slot, 0, sizeof(slot));
	n = snprintf(slot, sizeof(slot), "jukisec-log-head v1 %sseq=%lld epoch=%lld erecs=%lld "
	    "count=%lld size=%lld time=%s mac=%s hmac=%s\n", hd->open ? "open " : "",
	    hd->seq, hd->epoch, hd->erecs, hd->count, hd->size, t, mac, hmac);
	if (n < 0 || (size_t)n >= sizeof(slot))
		errx(ST_FAIL, "internal error: head line of %d bytes", n);
	if ((fd = store_openat(st, OPLOG_HEADFILE, O_RDWR | O_CREAT, 0600)) == -1) {
		warn("%s/%s", st->dir, OPLOG_HEADFILE);
		return ST_FAIL;
	}
	if (pwrite(fd, slot, sizeof(slot), (off_t)to * OPLOG_HEADSLOT) != (ssize_t)sizeof(slot) ||
	    (sync && fdatasync(fd) == -1)) {
		warn("%s/%s", st->dir, OPLOG_HEADFILE);
		close(fd);
		return ST_FAIL;
	}
	close(fd);
	hd->slot = to;
	return ST_OK;
}

/* m is keyed with the key of hd->epoch; fills hd->hmac. */
int
oplog_head_save(struct store *st, struct oplog_head *hd, struct oplog_mac *m)
{
	return oplog_head_write(st, hd, m, 1);
}
