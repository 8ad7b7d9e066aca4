/*
 * oplog_head.c — oplog.head, the sealed statement of where the log ends
 * (jukisec-log(5) "Head").
 *
 * Invariants: the head is replaced atomically and only after the records it
 * describes are durable, so it is the commit point of every append: bytes of
 * oplog.csv beyond head.size belong to an append that did not finish.  Its
 * hmac is keyed with the key of the last record's epoch, so a head can be
 * forged only by someone holding that key (the current one).
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
	if (strlen(line) != n || strncmp(line, "jukisec-log-head v1 ", 20) != 0 || sp != 9 ||
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

/* Quiet: 0, or -1 with *why (errno text or the parse problem). */
int
oplog_head_read(struct store *st, struct oplog_head *hd, const char **why)
{
	char buf[512];
	ssize_t n;
	size_t got = 0;
	int fd;

	memset(hd, 0, sizeof(*hd));
	if ((fd = store_openat(st, OPLOG_HEADFILE, O_RDONLY, 0)) == -1) {
		*why = strerror(errno);
		return -1;
	}
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) != 0) {
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
	buf[got] = '\0';
	if (got == 0 || buf[got - 1] != '\n') {
		*why = _("malformed head");
		return -1;
	}
	buf[--got] = '\0';
	return (*why = oplog_head_parse(buf, got, hd)) == NULL ? 0 : -1;
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

/* m is keyed with the key of hd->epoch; fills hd->hmac. */
int
oplog_head_save(struct store *st, struct oplog_head *hd, struct oplog_mac *m)
{
	struct atomic_file af;
	char t[TIME_BUFSZ], mac[2 * OPLOG_MACLEN + 1], hmac[2 * OPLOG_MACLEN + 1];

	mac_head(m, hd, hd->hmac);
	time_format(hd->time, t);
	hex_encode(hd->mac, OPLOG_MACLEN, mac);
	hex_encode(hd->hmac, OPLOG_MACLEN, hmac);
	if (atomic_begin(&af, st->dirfd, OPLOG_HEADFILE, 0600) == -1) {
		warn("%s/%s", st->dir, OPLOG_HEADFILE);
		return ST_FAIL;
	}
	if (fprintf(af.fp, "jukisec-log-head v1 seq=%lld epoch=%lld erecs=%lld count=%lld "
	    "size=%lld time=%s mac=%s hmac=%s\n", hd->seq, hd->epoch, hd->erecs,
	    hd->count, hd->size, t, mac, hmac) < 0) {
		warn("%s/%s", st->dir, OPLOG_HEADFILE);
		atomic_abort(&af);
		return ST_FAIL;
	}
	if (atomic_commit(&af) == -1) {
		warn("%s/%s", st->dir, OPLOG_HEADFILE);
		return ST_FAIL;
	}
	return ST_OK;
}
