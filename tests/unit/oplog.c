/* Unit tests for common/oplog*.c: the append API other tools call (single,
 * batches, abort, a lock the caller already holds, clamped times, seals),
 * field checks, the reader and the verify API jukisec-audit uses. */
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include <gcrypt.h>

#include "jukisec.h"
#include "conf.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "oplog_priv.h"
#include "store.h"
#include "timeutil.h"
#include "tap.h"

static char base[] = "/tmp/jukisec-unit-oplog.XXXXXX";
static int64_t t0;

static long long
fsize(struct store *st, const char *name)
{
	struct stat sb;

	return fstatat(st->dirfd, name, &sb, 0) == 0 ? (long long)sb.st_size : -1;
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb, (void)flag, (void)f;
	return remove(p);
}

static int
verify(struct store *st, int64_t now, struct oplog_verify_result *res)
{
	struct oplog_verify_opts o;
	struct oplog_vkey *vk;
	char *path = xasprintf("%s.key", base);
	struct jerr e;
	int fd, status;

	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	vk = oplog_vkey_read(fd, path, &e);
	close(fd);
	free(path);
	if (vk == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	o.now = now;
	status = oplog_verify(st, vk, &o, res);
	oplog_vkey_free(vk);
	return status;
}

/* oplog_epoch_is() agrees with oplog_epoch_of() at and around every
 * epoch boundary, before T0, and where e * length overflows. */
static void
test_epoch_is(void)
{
	static const long long lens[] = { 1, 60, 86400, 7 * 86400 };
	const int64_t t0s[] = { 0, 1767225600000LL, -86400000LL * 3 + 17 };
	int64_t t, d;
	long long e, got;
	size_t i, j;
	int bad = 0, n = 0;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (j = 0; j < sizeof(t0s) / sizeof(t0s[0]); j++)
			for (e = -3; e <= 3; e++)
				for (d = -2; d <= 2; d++) {
					t = t0s[j] + e * lens[i] * 1000 + d;
					got = oplog_epoch_of(t0s[j], lens[i], t);
					bad += !oplog_epoch_is(t0s[j], lens[i], got, t) ||
					    oplog_epoch_is(t0s[j], lens[i], got + 1, t) ||
					    oplog_epoch_is(t0s[j], lens[i], got - 1, t);
					n++;
				}
	ok(bad == 0, "oplog_epoch_is agrees with oplog_epoch_of at %d times around boundaries", n);
	ok(!oplog_epoch_is(0, 86400, 999999999999999999LL, 5) &&
	    !oplog_epoch_is(1767225600000LL, 86400, -999999999999999999LL, 1767225600000LL) &&
	    oplog_epoch_is(0, 86400, 0, 5), "oplog_epoch_is: an epoch whose start overflows is not the time's");
}

/* Format 2 (jukisec-log(5) "Formats"): a known answer computed with
 * OpenSSL's GMAC, and a writer's IVs fresh for the same record. */
static void
test_gmac(void)
{
	static const char *const f[OF_MAC] = { "1", "2022-01-01T09:00:00.000Z", "cs01",
	    "clerk01", "view", "r1", "ok", "d, \"1\"", "0" };
	unsigned char k[32], prev[OPLOG_MACLEN] = { 0 }, claim[OPLOG_MACLEN], a[OPLOG_MACLEN],
	    b[OPLOG_MACLEN];
	char hex[2 * OPLOG_MACLEN + 1];
	size_t len[OF_MAC];
	struct oplog_mac m;
	int i;

	for (i = 0; i < 32; i++)
		k[i] = i;
	for (i = 0; i < OF_MAC; i++)
		len[i] = strlen(f[i]);
	memset(claim, 0, sizeof(claim));
	for (i = 0; i < OPLOG_IVLEN; i++)
		claim[i] = i;
	mac_open(&m);
	mac_format(&m, 2);
	mac_setkey(&m, k, 0);
	mac_record(&m, prev, f, len, claim, a);
	hex_encode(a, OPLOG_MACLEN, hex);
	ok(strcmp(hex, "000102030405060708090a0b0c0d0e0f"
	    "9dbf3721721ad7a31e011aeb73f2dbcb") == 0, "format 2: IV || GMAC-AES-256 as OpenSSL computes it");
	mac_record(&m, prev, f, len, NULL, a);
	mac_record(&m, prev, f, len, NULL, b);
	ok(memcmp(a, b, OPLOG_IVLEN) != 0, "format 2: a writer draws a fresh IV for each record");
	mac_record(&m, prev, f, len, a, claim);
	ok(memcmp(a, claim, OPLOG_MACLEN) == 0, "format 2: the record's IV checks its tag");
	memset(claim, 0, sizeof(claim));
	for (i = 0; i < OPLOG_IVLEN; i++)
		claim[i] = i;
	mac_record(&m, prev, f, len, claim, a);
	hex_encode(a, OPLOG_MACLEN, hex);
	ok(strcmp(hex, "000102030405060708090a0b0c0d0e0f"
	    "9dbf3721721ad7a31e011aeb73f2dbcb") == 0, "format 2: the same answer after other records on the handle");
	mac_close(&m);
}

static int
head_same(const struct oplog_head *a, const struct oplog_head *b)
{
	return a->version == b->version && a->open == b->open && a->seq == b->seq &&
	    a->epoch == b->epoch && a->erecs == b->erecs && a->count == b->count &&
	    a->size == b->size && a->kepoch == b->kepoch && a->time == b->time &&
	    memcmp(a->mac, b->mac, OPLOG_MACLEN) == 0 &&
	    memcmp(a->hmac, b->hmac, OPLOG_MACLEN) == 0;
}

/* A line that oplog_head_parse refuses: line with `del` bytes at `at`
 * replaced by `ins`. */
static int
head_refused(const char *line, size_t at, size_t del, const char *ins)
{
	char buf[2 * OPLOG_HEADSLOT];
	struct oplog_head h;

	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)at, line, ins, line + at + del);
	return oplog_head_parse(buf, strlen(buf), &h) != NULL;
}

/* jukisec-log(5) "Head": what oplog_head_format writes reads back, open
 * and closed, at both ends of every value's range, and is the one
 * spelling read: a blank more or less anywhere, two tokens swapped, a
 * sign or a leading zero, anything after the last token is no head. */
static void
test_head_spelling(void)
{
	static const long long nums[] = { 0, 7, 999999999999999999LL };
	static const int64_t times[] = { TIME_MIN, 0, TIME_MAX };
	static const char *const num[] = { " seq=", " epoch=", " erecs=", " count=", " size=",
	    " kepoch=" };
	static const char *const pre[] = { "+", "-", "0", " " };
	struct oplog_head h, back;
	char slot[OPLOG_HEADSLOT], again[OPLOG_HEADSLOT], swapped[OPLOG_HEADSLOT];
	char *sp, *t, *e;
	int bad = 0, n = 0, open, i, j;
	size_t len, k;

	for (open = 0; open < 2; open++)
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++, n++) {
				memset(&h, 0, sizeof(h));
				h.version = 2, h.open = open, h.time = times[j];
				h.seq = nums[i], h.epoch = nums[(i + 1) % 3];
				h.erecs = nums[(i + 2) % 3], h.count = nums[i];
				h.size = nums[(i + 1) % 3], h.kepoch = nums[(i + 2) % 3];
				memset(h.mac, 0x0f * i, OPLOG_MACLEN);
				memset(h.hmac, 0xf0 >> j, OPLOG_MACLEN);
				oplog_head_format(&h, slot);
				memset(&back, 0, sizeof(back));
				bad += oplog_head_slot_parse(slot, sizeof(slot), &back) != NULL ||
				    !head_same(&h, &back);
				oplog_head_format(&back, again);
				bad += memcmp(slot, again, sizeof(slot)) != 0;
			}
	ok(bad == 0, "oplog_head_format's %d slots, open and closed, at the ends of the ranges, "
	    "read back as written", n);

	oplog_head_format(&h, slot);	/* the last: open, the largest time */
	len = strchr(slot, '\n') - slot;
	slot[len] = '\0';
	ok(!head_refused(slot, 0, 0, "") && !head_refused(slot, 20, 5, ""),
	    "the line as written reads, and without \"open \"");
	for (k = 0, bad = 0; k <= len; k++)
		bad += !head_refused(slot, k, 0, " ");
	for (sp = slot; (sp = strchr(sp, ' ')) != NULL; sp++)
		bad += !head_refused(slot, sp - slot, 1, "") + !head_refused(slot, sp - slot, 1, "\t");
	ok(bad == 0, "a blank more or less anywhere, a tab for a blank: no head");

	/* tokens A and B after "jukisec-log-head v2", sp before A, t before B */
	for (bad = 0, n = 0, sp = slot + 19; (t = strchr(sp + 1, ' ')) != NULL; sp = t, n++) {
		e = t + 1 + strcspn(t + 1, " ");
		snprintf(swapped, sizeof(swapped), "%.*s %.*s", (int)(e - t - 1), t + 1,
		    (int)(t - sp - 1), sp + 1);
		bad += !head_refused(slot, sp + 1 - slot, e - sp - 1, swapped);
	}
	ok(bad == 0 && n == 9, "each of the %d swaps of two neighbouring tokens: no head", n);

	for (i = 0, bad = 0; i < 6; i++)
		for (k = 0; k < sizeof(pre) / sizeof(pre[0]); k++)
			bad += !head_refused(slot, strstr(slot, num[i]) - slot + strlen(num[i]), 0,
			    pre[k]);
	ok(bad == 0, "a sign, a leading zero or a blank before a number: no head");
	ok(head_refused(slot, len, 0, "x") && head_refused(slot, len, 0, " x=1") &&
	    head_refused(slot, len, 0, "\r") && head_refused(slot, 0, 0, "x") &&
	    head_refused(slot, strstr(slot, " seq=") - slot, 0, " open"),
	    "anything before the first token or after the last, \"open\" twice: no head");

	/* version 1: "v1", no kepoch= (an older writer's open head too) */
	slot[18] = '1';
	sp = strstr(slot, " kepoch=");
	e = strchr(sp + 1, ' ');
	ok(head_refused(slot, 0, 0, "") && !head_refused(slot, sp - slot, e - sp, ""),
	    "a version 1 head reads without kepoch=, not with it");
	memmove(sp, e, strlen(e) + 1);
	ok(oplog_head_parse(slot, strlen(slot), &back) == NULL && back.version == 1 &&
	    back.open && back.kepoch == back.epoch && !head_refused(slot, 20, 5, "") &&
	    head_refused(slot, strstr(slot, " epoch=") - slot, 0, " epoch=0"),
	    "a version 1 head reads, open or not, its K its epoch; its tokens once each");
}

int
main(void)
{
	struct store st;
	struct atomic_file af;
	struct oplog_batch *b;
	struct oplog_verify_result res;
	struct oplog_rec r = { "tanaka", "print", "juminhyo", "ok", "copy" };
	struct oplog_rec bad = r, two[2] = { r, r };
	struct oplog_reader *rd;
	struct oplog_record *rec;
	char *vkey, *path, big[OPLOG_DETAIL_MAX + 2];
	const char *p;
	long long size;
	FILE *fp;
	int fd, k, n, i;

	jukisec_setup();
	if (mkdtemp(base) == NULL || time_parse("2099-01-01T00:00:00Z", &t0) == -1)
		return 3;
	/* a state directory as jukisec-init makes it */
	ok(store_open(&st, base, "unit01", STORE_CREATE | STORE_NOCONF) == ST_OK, "store_open creates");
	ok(atomic_begin(&af, st.dirfd, "jukisec.conf", 0600) == 0 &&
	    conf_write_defaults(af.fp, base) == 0 && atomic_commit(&af) == 0, "jukisec.conf");
	vkey = gcry_malloc_secure(OPLOG_VKEY_BUFSZ);
	is_num(oplog_create(&st, t0, 86400, 1, vkey), ST_OK, "oplog_create");
	/* the key printed, as jukisec-init prints it before this */
	is_num(oplog_create_done(&st), ST_OK, "oplog_create_done");
	ok(strncmp(vkey, "jukisec-log-key v1 t0=2099-01-01T00:00:00.000Z epoch_seconds=86400 k0=", 70) == 0 &&
	    strlen(vkey) == 70 + 64 + 1, "the verification key line");
	path = xasprintf("%s.key", base);
	fp = fopen(path, "w");
	fputs(vkey, fp);
	fclose(fp);
	chmod(path, 0600);
	free(path);
	capture_begin();
	k = oplog_create(&st, t0, 86400, 1, vkey);
	capture_end();
	ok(k == ST_FAIL, "oplog_create refuses an existing log");
	store_close(&st);
	ok(store_open(&st, base, "unit01", 0) == ST_OK, "store_open");

	/* field checks */
	ok(oplog_rec_problem(&r) == NULL, "a good record has no problem");
	bad.operator = "";
	is_str(oplog_rec_problem(&bad), "field operator: empty", "empty operator");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bad = r;
	bad.detail = big;
	is_str(oplog_rec_problem(&bad), "field detail: longer than 2048 bytes", "detail over 2048 bytes");
	big[OPLOG_DETAIL_MAX] = '\0';
	ok(oplog_rec_problem(&bad) == NULL, "detail of exactly 2048 bytes");
	bad = r;
	bad.object = "a\nb";
	is_str(oplog_rec_problem(&bad), "field object: contains a line break", "a line break");
	bad = r;
	bad.result = "\xc3\x28";
	is_str(oplog_rec_problem(&bad), "field result: invalid UTF-8", "invalid UTF-8");
	bad = r;
	bad.operator = "-";
	bad.action = "seal";
	is_str(oplog_rec_problem(&bad), "field action: reserved for the log's own records (operator -)",
	    "a forged seal");
	bad.action = "log-prune";
	ok(oplog_rec_problem(&bad) != NULL, "a forged checkpoint");
	bad.operator = "clerk";
	ok(oplog_rec_problem(&bad) == NULL, "log-prune by another operator is an ordinary record");

	/* appends */
	is_num(oplog_append_at(&st, two, 2, t0 + 1000), ST_OK, "oplog_append_at, two records");
	size = fsize(&st, "oplog.csv");
	bad = r;
	bad.detail = "x\r";
	two[1] = bad;
	capture_begin();
	k = oplog_append_at(&st, two, 2, t0 + 2000);
	p = capture_end();
	ok(k == ST_USAGE && fsize(&st, "oplog.csv") == size, "a bad second record: nothing appended (%s)", p);

	/* A batch larger than the write buffer goes to the file as it is
	 * added, past the head; abort cuts it. */
	ok(oplog_begin(&st, t0 + 3000, &b) == ST_OK, "begin");
	for (k = ST_OK, i = 0; i < 20000 && k == ST_OK; i++)
		k = oplog_add_checked(b, &r);
	ok(k == ST_OK && fsize(&st, "oplog.csv") > size + (1 << 20),
	    "add_checked of 20000 records: written as they come");
	oplog_abort(b);
	is_num(fsize(&st, "oplog.csv"), size, "abort leaves the log as it was");
	ok(st.lockfd[STORE_LOCK_LOG] == -1, "and releases the lock it took");

	ok(store_lock(&st, STORE_LOCK_LOG) == ST_OK, "caller takes the log lock");
	is_num(oplog_log(&st, "sato", "view", "x", "ok", "n=%d", 42), ST_OK, "oplog_log under the caller's lock");
	ok(st.lockfd[STORE_LOCK_LOG] != -1, "the caller's lock is still held");
	store_unlock(&st, STORE_LOCK_LOG);

	is_num(oplog_append_at(&st, &r, 1, t0 - 5000), ST_OK, "a time before the last record");
	is_num(oplog_seal_at(&st, t0 + 2 * 86400000LL + 5), ST_OK, "seal two days later");
	is_num(oplog_seal_at(&st, t0 + 2 * 86400000LL + 6), ST_OK, "seal again: nothing to do");

	/* read back */
	fd = openat(st.dirfd, "oplog.csv", O_RDONLY);
	rd = oplog_reader_open(fd, "oplog.csv");
	n = 0;
	while ((k = oplog_reader_next(rd, &rec)) == 1) {
		if (rec->seq != n)
			break;
		if (n == 3) {
			is_str(rec->field[OF_TIME], "2099-01-01T00:00:01.000Z",
			    "oplog_log's record: the clock is behind, its time clamped");
			is_str(rec->field[OF_DETAIL], "n=42", "oplog_log formats the detail");
		}
		if (n == 4)
			ok(rec->time == t0 + 1000, "the late record is clamped");
		if (n == 5)
			is_str(rec->field[OF_DETAIL], "records=5", "seal of epoch 0 counts its records");
		n++;
	}
	is_num(k, 0, "reader reaches the end");
	is_num(n, 7, "genesis, 2, log, late, 2 seals (and no more)");
	is_num(oplog_reader_offset(rd), fsize(&st, "oplog.csv"), "offset at the end of the file");
	oplog_reader_close(rd);
	close(fd);

	is_num(verify(&st, t0 + 2 * 86400000LL + 10, &res), ST_OK, "oplog_verify");
	is_num(res.records, 7, "result: records");
	ok(res.first_epoch == 0 && res.last_epoch == 1 && res.head_checked, "result: epochs, head");
	is_num(verify(&st, t0 + 9 * 86400000LL, &res), ST_NO, "verify days later without a seal fails");
	ok(strstr(res.reason, "unsealed") != NULL, "because epochs are unsealed");

	/* hex_decode: one spelling, lowercase; every byte value at every
	 * position of a MAC, against the rule */
	{
		static const char good[] = "0123456789abcdef0123456789abcdef"
		    "fedcba9876543210fedcba9876543210";
		unsigned char mac[32];
		char h[65];
		int pos, c, right = 1, want, got;

		ok(hex_decode(good, 64, mac, 32) == 0 && mac[0] == 0x01 && mac[7] == 0xef &&
		    mac[16] == 0xfe && mac[31] == 0x10, "hex_decode decodes a MAC");
		for (pos = 0; pos < 64; pos++)
			for (c = 1; c < 256; c++) {
				memcpy(h, good, 65);
				h[pos] = c;
				want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ? 0 : -1;
				got = hex_decode(h, 64, mac, 32);
				if (got != want || (got == 0 && ((mac[pos / 2] >> (pos % 2 ? 0 : 4)) & 15) !=
				    (c <= '9' ? c - '0' : c - 'a' + 10)))
					right = 0;
			}
		ok(right, "hex_decode takes lowercase hex digits only, at every position");
		ok(hex_decode(good, 63, mac, 32) == -1, "hex_decode wants 64 digits");
	}

	store_close(&st);
	wipe(vkey, OPLOG_VKEY_BUFSZ);
	gcry_free(vkey);
	path = xasprintf("%s.key", base);
	unlink(path);
	free(path);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	test_epoch_is();
	test_gmac();
	test_head_spelling();
	return tap_done();
}
