/*
 * oplog_head.c — oplog.head, the authenticated statement of where the log
 * ends (jukisec-log(5) "Head").
 *
 * Invariants: the file holds two slots of OPLOG_HEADSLOT bytes, each one
 * head line and NUL padding.  Version 2 (written here): both slots always
 * hold a head whose hmac, "open" flag included, is keyed with the key of
 * the epoch it names (kepoch), the epoch of the key the writer holds after
 * the append it commits; the key file is never ahead of either slot, so a
 * writer can check both before it trusts either.  The head is the slot
 * with the higher seq, the open one on a tie; two closed heads of one seq,
 * or two open heads, never occur.  A write goes in place into the slot
 * that does not hold the head, so a lost write leaves the previous head
 * (a refused batch putting back the slot its open head overwrote writes
 * into the head's slot, but then the other holds the head it falls back
 * to, and a lost write leaves the open head, both good states);
 * when a commit moves kepoch, the slot left behind is re-signed under the
 * new key before the key file moves.  Version 1 heads (before kepoch) are
 * read, for the verifier; writers refuse them (log-append --recover).  A
 * slot is read in the one spelling the page gives it, which is what
 * oplog_head_format writes: every reader, the writers too, and a verifier
 * built from the page then take the same slots.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "store.h"
#include "timeutil.h"
#include "oplog_priv.h"

/* A number of a head: oplog_decimal's, bounded by its 18 digits alone. */
static int
num(const char **p, const char *key, long long *out)
{
	return kv_num(p, key, 0, LLONG_MAX, out);
}

/* A head whose token KEY is missing, misplaced or does not read: the
 * message names it (SPEC: file, line and field). */
static const char *
bad_token(struct oplog_head *hd, const char *key)
{
	hd->field = key;
	return _("malformed head");
}

/* "jukisec-log-head vV" and, only there, " open": *p past them, or -1. */
static int
head_start(const char **p, struct oplog_head *hd)
{
	if (strncmp(*p, "jukisec-log-head v2", 19) == 0)
		hd->version = 2;
	else if (strncmp(*p, "jukisec-log-head v1", 19) == 0)
		hd->version = 1;
	else
		return -1;
	*p += 19;
	hd->open = strncmp(*p, " open ", 6) == 0;
	if (hd->open)
		*p += 5;
	return 0;
}

/*
 * Version 2: "jukisec-log-head v2 [open ]seq=S epoch=E erecs=R count=C
 * size=B time=TIME mac=HEX kepoch=K hmac=HEX"; version 1 (read only) the
 * same under "v1" without kepoch= (an older writer's "open " too, which
 * its hmac does not cover).  Exactly so, as oplog_head_format writes it:
 * the hmac covers the values, not the line, and a reader that took the
 * tokens in another order or spelling would go by a head that a verifier
 * built from jukisec-log(5) "Head" refuses.
 */
const char *
oplog_head_parse(const char *line, size_t n, struct oplog_head *hd)
{
	static const char *const name[] = { "seq", "epoch", "erecs", "count",
		"size" };
	long long *val[] = { &hd->seq, &hd->epoch, &hd->erecs, &hd->count,
		&hd->size };
	const char *p = line;
	size_t i;

	hd->field = NULL;
	if (strlen(line) != n || head_start(&p, hd) == -1)
		return _("malformed head");
	for (i = 0; i < sizeof(name) / sizeof(name[0]); i++)
		if (num(&p, name[i], val[i]) == -1)
			return bad_token(hd, name[i]);
	if (kv_time(&p, "time", &hd->time) == -1)
		return bad_token(hd, "time");
	if (kv_hex(&p, "mac", hd->mac, OPLOG_MACLEN) == -1)
		return bad_token(hd, "mac");
	if (hd->version == 1)
		hd->kepoch = hd->epoch;
	else if (num(&p, "kepoch", &hd->kepoch) == -1)
		return bad_token(hd, "kepoch");
	/* anything after the hmac's 64 digits is its token's too */
	if (kv_hex(&p, "hmac", hd->hmac, OPLOG_MACLEN) == -1 || *p != '\0')
		return bad_token(hd, "hmac");
	return NULL;
}

/* One slot: a line, LF, NULs to the slot's end; only a version 1 head
 * may end at the file's end instead (an older log's one-line file). */
const char *
oplog_head_slot_parse(const char *p, size_t n, struct oplog_head *hd)
{
	char line[OPLOG_HEADSLOT];
	const char *lf, *why;
	size_t i;

	hd->field = NULL;
	if (n == 0)
		return _("empty slot");
	if (n > OPLOG_HEADSLOT)
		return _("malformed head");
	if ((lf = memchr(p, '\n', n)) == NULL)
		return _("malformed head");
	for (i = lf - p + 1; i < n; i++)
		if (p[i] != '\0')
			return _("malformed head");
	memcpy(line, p, lf - p);
	line[lf - p] = '\0';
	if ((why = oplog_head_parse(line, lf - p, hd)) == NULL && hd->version == 2 &&
	    n != OPLOG_HEADSLOT)
		return _("malformed head");
	return why;
}

int
oplog_heads_read(struct store *st, struct oplog_heads *hs, int oflags, const char **why)
{
	ssize_t n;
	size_t got = 0, len;
	int fd, i;

	memset(hs, 0, sizeof(*hs));
	if ((fd = store_openat(st, OPLOG_HEADFILE, oflags, 0)) == -1) {
		hs->err = errno;
		*why = open_safe_why(errno);
		return -1;
	}
	while (got < sizeof(hs->raw) && (n = read(fd, hs->raw + got, sizeof(hs->raw) - got)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			hs->err = errno;
			*why = strerror(errno);
			close(fd);
			return -1;
		}
		got += n;
	}
	close(fd);
	hs->nraw = got;
	for (i = 0; i < 2; i++) {
		hs->h[i].slot = i;
		len = got > (size_t)i * OPLOG_HEADSLOT ? got - i * OPLOG_HEADSLOT : 0;
		if (len > OPLOG_HEADSLOT)
			len = OPLOG_HEADSLOT;
		hs->why[i] = oplog_head_slot_parse(hs->raw + i * OPLOG_HEADSLOT, len, &hs->h[i]);
		hs->h[i].slot = i;
	}
	if (got > 2 * OPLOG_HEADSLOT) {
		hs->why[0] = hs->why[1] = _("longer than two slots");
		hs->h[0].field = hs->h[1].field = NULL;
	}
	return 0;
}

/* Why slot i did not parse, "slot I: " first when named, its token last
 * when one did not read. */
static void
slot_why(char *msg, size_t n, const struct oplog_heads *hs, int i, int named)
{
	char slot[32] = "";

	if (named)
		snprintf(slot, sizeof(slot), _("slot %d: "), i);
	if (hs->h[i].field != NULL)
		snprintf(msg, n, _("%s%s (field %s)"), slot, hs->why[i],
		    hs->h[i].field);
	else
		snprintf(msg, n, "%s%s", slot, hs->why[i]);
}

/*
 * The slot rules of jukisec-log(5) "Head"; sets hs->pick.  Version 2: both
 * slots parse, at most one is open, two closed heads never share a seq, the
 * head is the higher seq (the open one on a tie), neither slot's kepoch is
 * below its own epoch (K(E) MACed its record: a writer held at least that)
 * and the other slot's kepoch is not above the head's.  Version 1: the
 * higher parseable seq.  NULL, or why not (a static string naming the slot).
 */
const char *
oplog_heads_pick(struct oplog_heads *hs)
{
	static char msg[128];
	struct oplog_head *a = &hs->h[0], *b = &hs->h[1];
	int i, v1 = (hs->why[0] == NULL && a->version == 1) || (hs->why[1] == NULL && b->version == 1);

	if (hs->why[0] && hs->why[1]) {
		slot_why(msg, sizeof(msg), hs, 0, 0);
		return msg;
	}
	if (v1) {
		if ((!hs->why[0] && a->version != 1) || (!hs->why[1] && b->version != 1))
			return _("head slots of two versions");
		hs->pick = hs->why[0] ? 1 : hs->why[1] ? 0 :
		    b->seq > a->seq || (b->seq == a->seq && b->open) ? 1 : 0;
		return NULL;
	}
	if (hs->why[0] || hs->why[1]) {
		slot_why(msg, sizeof(msg), hs, hs->why[0] ? 0 : 1, 1);
		return msg;
	}
	if (a->open && b->open)
		return _("both slots hold an open head");
	if (a->seq == b->seq && !a->open && !b->open)
		return _("both slots hold a closed head of the same seq");
	for (i = 0; i < 2; i++)
		if (hs->h[i].kepoch < hs->h[i].epoch) {
			snprintf(msg, sizeof(msg), _("slot %d: names key epoch %lld, below "
			    "its epoch %lld"), i, hs->h[i].kepoch, hs->h[i].epoch);
			return msg;
		}
	hs->pick = b->seq > a->seq || (b->seq == a->seq && b->open) ? 1 : 0;
	if (hs->h[!hs->pick].kepoch > hs->h[hs->pick].kepoch)
		return _("the older slot names a later key epoch");
	return NULL;
}

/* Quiet, for readers that only want the head: 0, or -1 with *why. */
int
oplog_head_read(struct store *st, struct oplog_head *hd, const char **why)
{
	struct oplog_heads hs;

	if (oplog_heads_read(st, &hs, O_RDONLY, why) == -1)
		return -1;
	if ((*why = oplog_heads_pick(&hs)) != NULL)
		return -1;
	*hd = hs.h[hs.pick];
	return 0;
}

/* hd as a version 2 slot: its line, LF, NULs to OPLOG_HEADSLOT bytes. */
void
oplog_head_format(const struct oplog_head *hd, char slot[OPLOG_HEADSLOT])
{
	char t[TIME_BUFSZ], mac[2 * OPLOG_MACLEN + 1], hmac[2 * OPLOG_MACLEN + 1];
	int n;

	time_format(hd->time, t);
	hex_encode(hd->mac, OPLOG_MACLEN, mac);
	hex_encode(hd->hmac, OPLOG_MACLEN, hmac);
	memset(slot, 0, OPLOG_HEADSLOT);
	n = snprintf(slot, OPLOG_HEADSLOT, "jukisec-log-head v2 %sseq=%lld epoch=%lld erecs=%lld "
	    "count=%lld size=%lld time=%s mac=%s kepoch=%lld hmac=%s\n", hd->open ? "open " : "",
	    hd->seq, hd->epoch, hd->erecs, hd->count, hd->size, t, mac, hd->kepoch, hmac);
	if (n < 0 || n >= OPLOG_HEADSLOT)
		errx(ST_FAIL, "internal error: head line of %d bytes", n);
}

/* Writes hd, version 2, into slot `to`; m keyed with K(hd->kepoch) fills
 * hd->hmac first (NULL: as it is). */
int
oplog_head_write(struct store *st, struct oplog_head *hd, int to, struct oplog_mac *m, int sync)
{
	char slot[OPLOG_HEADSLOT];
	int fd;

	hd->version = 2;
	if (m != NULL)
		mac_head(m, hd, hd->hmac);
	oplog_head_format(hd, slot);
	if ((fd = store_openat_new(st, OPLOG_HEADFILE, O_RDWR, 0600)) == -1) {
		store_open_say(st, st->err, OPLOG_HEADFILE);
		return ST_FAIL;
	}
	if (pwrite(fd, slot, sizeof(slot), (off_t)to * OPLOG_HEADSLOT) != (ssize_t)sizeof(slot) ||
	    (sync && fdatasync(fd) == -1)) {
		jerr_say_errno(st->err, ST_FAIL,
		    "%s/%s", st->dir, OPLOG_HEADFILE);
		close(fd);
		return ST_FAIL;
	}
	close(fd);
	hd->slot = to;
	return ST_OK;
}

/* Puts the bytes of a slot as read back into slot `to`, synced, as a
 * refused batch leaves it (oplog.c restore_spare()): 0, or -1 quietly. */
int
oplog_head_put(struct store *st, int to, const char slot[OPLOG_HEADSLOT])
{
	int fd, r = -1;

	if ((fd = store_openat(st, OPLOG_HEADFILE, O_RDWR, 0)) == -1)
		return -1;
	if (pwrite(fd, slot, OPLOG_HEADSLOT, (off_t)to * OPLOG_HEADSLOT) == OPLOG_HEADSLOT &&
	    fdatasync(fd) == 0)
		r = 0;
	close(fd);
	return r;
}

/* The seq of the head's record, or -1 when the head cannot be read. */
long long
oplog_head_seq(struct store *st)
{
	struct oplog_head hd;
	const char *why;

	return oplog_head_read(st, &hd, &why) == -1 ? -1 : hd.seq;
}

/*
 * 1 when the file that did not open (errno) is one the writer's path
 * refuses later in its own words: open_safe's refusal of its type, owner
 * or mode (JERR_UNSAFE, never the kernel's EPERM), or a file missing.
 * The kernel's EPERM, for an immutable or append-only file (chattr(1)),
 * which that path opens for reading only until after the count and its
 * record, is a file that cannot be written: 0.
 */
static int
refused_later(void)
{
	return open_safe_refused(errno) || errno == ENOENT;
}

int
oplog_writable(struct store *st, const char **name)
{
	static const struct { const char *name; int flags; } f[] = {
		{ OPLOG_FILE, O_RDWR | O_APPEND }, { OPLOG_HEADFILE, O_RDWR }
	};
	size_t i;
	int fd;

	*name = NULL;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if ((fd = store_openat(st, f[i].name, f[i].flags, 0)) != -1)
			close(fd);
		else if (!refused_later()) {
			*name = f[i].name;
			return -1;
		}
	return 0;
}

int
oplog_fits(struct store *st)
{
	return store_fits(st, OPLOG_FILE, OPLOG_LINE_MAX);
}
