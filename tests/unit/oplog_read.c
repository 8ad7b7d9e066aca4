/* Unit tests for the reader's two-step interface (oplog_reader_line and
 * _parse, which log-show's filters use), the raw line of a parsed record,
 * the field peek, a copy without header row and reading on from an offset. */
#include <fcntl.h>

#include "jukisec.h"
#include "csvio.h"
#include "oplog_verify.h"
#include "tap.h"

#define MAC64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define R1 "1,2026-01-01T00:00:00.000Z,cs01,tanaka,view,1234-5678,ok,plain,0," MAC64
#define R2 "2,2026-01-01T00:00:01.000Z,\"c,s\",sato,view,\"a \"\"b\"\"\",ok,,0," MAC64
#define R3 "3,2026-01-01T00:00:02.000Z,cs01,ito,print,x,ok,crlf,0," MAC64 "\r"

static int
file_of(const char *text)
{
	FILE *fp = tmpfile();
	int fd;

	fputs(text, fp);
	fflush(fp);
	fd = dup(fileno(fp));
	fclose(fp);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* The message the reader gives for the one record of text (after a
 * header row), NULL if the record parses. */
static const char *
verdict(const char *text, size_t n)
{
	static char msg[256];
	struct oplog_reader *rd;
	struct oplog_record *r;
	FILE *fp = tmpfile();
	const char *e;
	int fd, k;

	fputs(OPLOG_HEADER "\n", fp);
	fwrite(text, 1, n, fp);
	fflush(fp);
	fd = dup(fileno(fp));
	fclose(fp);
	lseek(fd, 0, SEEK_SET);
	rd = oplog_reader_open(fd, "t");
	while ((k = oplog_reader_next(rd, &r)) == 1)
		;
	e = k == -1 ? oplog_reader_error(rd, NULL, NULL) : NULL;
	if (e != NULL)
		snprintf(msg, sizeof(msg), "%s", e);
	oplog_reader_close(rd);
	close(fd);
	return e != NULL ? msg : NULL;
}

#define T(s)	"2026-01-01T00:00:0" s ".000Z"
#define QREC(seq, t, obj, det) seq "," t ",cs01,ito,print," obj ",ok," det ",0," MAC64 "\n"

/* The fast cuts of a quoted line and the time parsed with the day kept
 * from the record before: each gives the general path's verdict. */
static void
test_fast_paths(void)
{
	const char *e;
	static const char nul[] = QREC("1", T("0"), "\"a\0b\"", "x");

	ok(verdict(QREC("1", T("0"), "\"a,b\"", "\"住民票 1通\""),
	    sizeof(QREC("1", T("0"), "\"a,b\"", "\"住民票 1通\"")) - 1) == NULL,
	    "a quoted line with Japanese text parses");
	e = verdict(QREC("1", T("0"), "\"a\rb\"", "x"), sizeof(QREC("1", T("0"), "\"a\rb\"", "x")) - 1);
	ok(e != NULL && strstr(e, "contains a CR") != NULL, "a CR inside quotes is named (%s)", e);
	e = verdict(nul, sizeof(nul) - 1);
	ok(e != NULL && strstr(e, "contains a NUL byte") != NULL, "a NUL inside quotes is named (%s)", e);
	e = verdict(QREC("1", T("0"), "\"a,b\"", "\"x\xe4\xbd\x41\""),
	    sizeof(QREC("1", T("0"), "\"a,b\"", "\"x\xe4\xbd\x41\"")) - 1);
	ok(e != NULL && strstr(e, "field detail: invalid UTF-8") != NULL,
	    "invalid UTF-8 in a quoted field is named (%s)", e);
	e = verdict(QREC("1", T("0"), "\"a,b\"", "\"x\x01y\""),
	    sizeof(QREC("1", T("0"), "\"a,b\"", "\"x\x01y\"")) - 1);
	ok(e == NULL, "a control byte other than CR, LF, NUL in a quoted field is a value");
	e = verdict(QREC("1", "2026-02-28T23:59:59.999Z", "o", "x")
	    QREC("2", "2026-02-29T00:00:00.000Z", "o", "x"),
	    2 * sizeof(QREC("1", "2026-02-28T23:59:59.999Z", "o", "x")) - 2);
	ok(e != NULL && strstr(e, "field time") != NULL,
	    "29 February of a common year after a valid day is refused (%s)", e);
	e = verdict(QREC("1", "2026-03-01T23:59:59.999Z", "o", "x")
	    QREC("2", "2026-03-01T24:00:00.000Z", "o", "x"),
	    2 * sizeof(QREC("1", "2026-03-01T23:59:59.999Z", "o", "x")) - 2);
	ok(e != NULL && strstr(e, "field time") != NULL,
	    "hour 24 on the day of the record before is refused (%s)", e);
	e = verdict(QREC("1", "2024-02-29T00:00:00.000Z", "o", "x")
	    QREC("2", "2024-02-29T00:00:00.001Z", "o", "x"),
	    2 * sizeof(QREC("1", "2024-02-29T00:00:00.000Z", "o", "x")) - 2);
	ok(e == NULL, "29 February of a leap year, twice");
}

/* The reader's verdict on one line (its fast cuts, in place) against
 * oplog_parse_line()'s (the general parser): the same message, or the same
 * fields and numbers. */
static int
same(const char *text, size_t n)
{
	static char copy[OPLOG_LINE_MAX + 2], scratch[OPLOG_LINE_MAX + 16], msg[256];
	struct oplog_record g, *r;
	struct oplog_reader *rd;
	const char *gen, *e;
	FILE *fp = tmpfile();
	int fd, k, i, same = 1;

	memcpy(copy, text, n);
	copy[n] = '\0';
	memset(&g, 0, sizeof(g));
	gen = oplog_parse_line(copy, n, scratch, &g);
	fputs(OPLOG_HEADER "\n", fp);
	fwrite(text, 1, n, fp);
	fputc('\n', fp);
	fflush(fp);
	fd = dup(fileno(fp));
	fclose(fp);
	lseek(fd, 0, SEEK_SET);
	rd = oplog_reader_open(fd, "t");
	k = oplog_reader_next(rd, &r);
	if (k == 1) {
		same = gen == NULL && r->seq == g.seq && r->time == g.time &&
		    r->epoch == g.epoch && memcmp(r->mac, g.mac, OPLOG_MACLEN) == 0;
		for (i = 0; same && i < OPLOG_NFIELDS; i++)
			same = r->len[i] == g.len[i] && r->field[i][r->len[i]] == '\0' &&
			    memcmp(r->field[i], g.field[i], g.len[i]) == 0;
	} else {
		e = k == -1 ? oplog_reader_error(rd, NULL, NULL) : "";
		snprintf(msg, sizeof(msg), "%s", e);
		same = gen != NULL && strcmp(msg, gen) == 0;
	}
	oplog_reader_close(rd);
	close(fd);
	return same;
}

/* Lines of every length around the sixteen-byte strides and 64-bit words
 * of the cut, plain or quoted, good or not: the cut in place gives the
 * general parser's verdict on each. */
static void
test_cut_same(void)
{
	static const char *const mid[] = {
		"cs01,ito,print,o,ok,%s",		/* plain */
		"cs01,ito,print,o,ok,\"%s\"",		/* quoted detail */
		"\"c,s\",ito,print,\"a \"\"b\"\"\",ok,%s",
		"cs01,ito,print,o,ok,\"%s,\"\"\"",
		"cs01,ito,print,o,ok,\"%s\"x",		/* text after a closing quote */
		"cs01,ito,print,o,ok,x\"%s",		/* a quote inside a plain field */
		"cs01,ito,print,o,ok,\"%s",		/* no closing quote */
		"cs01,ito,print,o,ok,%s,extra",		/* eleven fields */
		"cs01,ito,print,o,\"ok,%s\"",		/* nine */
		"cs01,ito,print,o,ok,\"a\",\"%s\"",	/* eleven, quoted */
		"cs01,ito,print,住民票,ok,%s 1通",
		"cs01,ito,print,o,ok,\"%s\t\"",		/* a control byte */
		"cs01,ito,print,o,ok,%s\x7f",
		"cs01,ito,print,o,ok,%s\xe4\xbd",	/* invalid UTF-8 */
		/* UTF-8 across the strides: the common kind, then each
		 * kind the line check leaves to the general one */
		"cs01,ito,print,住%s,ok,票\xc3\xa9x\xdf\xbf\xef\xbf\xbd",
		"cs01,ito,print,o,ok,\"%s\xe3\x81\"",
		"cs01,ito,print,o,ok,%s\xe0\xa0\x80\xed\x9f\xbf",
		"cs01,ito,print,o,ok,%s\xe0\x80\x80",
		"cs01,ito,print,o,ok,%s\xed\xa0\x80",
		"cs01,ito,print,o,ok,%s\xf0\x9f\x98\x80",
		"cs01,ito,print,o,ok,%s\xf4\x90\x80\x80",
		"cs01,ito,print,o,ok,%s\xc0\x80\xc1\xbf",
		"cs01,ito,print,o,\xe3\x81,\x82%s",
		"cs01,ito,print,o,ok,\xe3%s\x81\x82",
		"cs01,ito,print,o,ok,%s\x82\xe3\x81\x82",
		"cs01,ito,print,o,ok,%s\xe3\x81\x82\x82",
		"cs01,ito,print,o,ok,%s\xc3\xa9\xa9",
		"cs01,ito,print,o,ok,%s\xff\xfe",
		"cs01,ito,print,o,ok,%s\r",		/* a CR */
		"cs01,ito,print,o,ok,\"\"%s\"\"",
		"cs01,ito,print,o,ok,\"\"\"\"%s",
	};
	static const char *const macs[] = { MAC64, "\"" MAC64 "\"", "ab", "\"a,b\"" };
	char line[1024], det[200];
	size_t i, l, bad = 0, n = 0;
	int len;

	for (i = 0; i < sizeof(mid) / sizeof(mid[0]); i++)
		for (l = 0; l < 150; l++) {
			memset(det, 'x', l);
			det[l] = '\0';
			/* a quoted seq now and then */
			len = snprintf(line, sizeof(line), "%s,%s,", l % 3 == 0 ? "\"1\"" : "1",
			    T("0"));
			len += snprintf(line + len, sizeof(line) - len, mid[i], det);
			/* the MAC quoted, or short: the last stride holds
			 * commas and quotes too */
			len += snprintf(line + len, sizeof(line) - len, ",0,%s", macs[l % 4]);
			n++;
			if (!same(line, len)) {
				bad++;
				printf("# not the general verdict: %s\n", line);
			}
		}
	ok(bad == 0, "%zu lines: the cut's verdict is the general parser's", n);
	ok(same("1,2,3", 5) && same("", 0) && same("1,2,3,4,5,6,7,8,9,0", 19) &&
	    same("1,2,3,4,5,6,7,8,9,\"", 20), "and so are lines shorter than the strides");
}

/* 1 when the parser's verdict on a record of time t (a day of
 * 2026-01-01) is the rule's, digit by digit, and so is the time. */
static int
clock_right(const char *t)
{
	static char line[256], scratch[OPLOG_LINE_MAX + 16];
	struct oplog_record r;
	int i, n, dig, h, mi, sec, f, want;

	n = snprintf(line, sizeof(line), "1,%s,cs01,ito,print,o,ok,x,0," MAC64, t);
	memset(&r, 0, sizeof(r));
	for (dig = 1, i = 11; i < 23; i++)
		if (i != 13 && i != 16 && i != 19 && (t[i] < '0' || t[i] > '9'))
			dig = 0;
	h = (t[11] - '0') * 10 + t[12] - '0';
	mi = (t[14] - '0') * 10 + t[15] - '0';
	sec = (t[17] - '0') * 10 + t[18] - '0';
	f = (t[20] - '0') * 100 + (t[21] - '0') * 10 + t[22] - '0';
	want = dig && t[13] == ':' && t[16] == ':' && t[19] == '.' &&
	    h <= 23 && mi <= 59 && sec <= 59;
	return (oplog_parse_line(line, n, scratch, &r) == NULL) == want && (!want ||
	    r.time == 1767225600000LL + ((h * 60 + mi) * 60 + sec) * 1000LL + f);
}

/* The time of a record, its clock read eight bytes at a time: every byte
 * value at each place of "HH:MM:SS.mmm" against the rule digit by digit. */
static void
test_time_bytes(void)
{
	/* one byte from each bound of each number */
	static const char base[][25] = { "2026-01-01T12:34:56.789Z", "2026-01-01T20:50:50.000Z" };
	char t[25];
	size_t pos, n, b;
	int c, bad = 0;

	for (b = 0; b < 2; b++)
		for (pos = 11; pos < 23; pos++)
			for (c = 1; c < 256; c++) {
				memcpy(t, base[b], sizeof(t));
				t[pos] = c;
				bad += !clock_right(t);
			}
	ok(bad == 0, "the clock of a time, every byte value at each place (%d wrong)", bad);
	/* and many bytes changed at once: digits mostly, any byte now and then */
	srand(15);
	for (n = 0, bad = 0; n < 100000; n++) {
		memcpy(t, base[0], sizeof(t));
		for (pos = 11; pos < 23; pos++)
			if (rand() % 3 == 0)
				t[pos] = rand() % 8 ? '0' + rand() % 10 : 1 + rand() % 255;
		bad += !clock_right(t);
	}
	ok(bad == 0, "and of 100000 times with many bytes changed (%d wrong)", bad);
}

int
main(void)
{
	struct oplog_reader *rd;
	struct oplog_record *r;
	struct buf b = { 0 };
	const char *line, *v;
	size_t len, vl, eline;
	int fd, k;

	fd = file_of(OPLOG_HEADER "\n" R1 "\n" R2 "\n" OPLOG_HEADER "\n" R3 "\n");
	rd = oplog_reader_open(fd, "t");
	k = oplog_reader_line(rd, &line, &len);
	ok(k == 1 && len == strlen(R1) && memcmp(line, R1, len) == 0,
	    "_line skips the header row and gives the first record as it is");
	ok(oplog_line_field(line, len, OF_OPERATOR, &v, &vl) == 0 && vl == 6 &&
	    memcmp(v, "tanaka", 6) == 0, "field peek: operator of an unquoted line");
	ok(oplog_line_field(line, len, OF_MAC, &v, &vl) == 0 && vl == 64,
	    "field peek: the last field");
	ok(oplog_reader_parse(rd, &r) == 1 && r->seq == 1 && strcmp(r->field[OF_DETAIL], "plain") == 0,
	    "_parse parses the line _line gave");
	oplog_record_raw(r, &b);
	ok(b.len == strlen(R1) + 1 && memcmp(b.p, R1 "\n", b.len) == 0,
	    "the raw line of a record cut in place is the line read");
	b.len = 0;
	k = oplog_reader_line(rd, &line, &len);
	ok(k == 1 && oplog_line_field(line, len, OF_TIME, &v, &vl) == 0 && vl == 24 &&
	    oplog_line_field(line, len, OF_OPERATOR, &v, &vl) == -1,
	    "field peek stops at a quoted field");
	ok(oplog_reader_parse(rd, &r) == 1 && strcmp(r->field[OF_TERMINAL], "c,s") == 0 &&
	    strcmp(r->field[OF_OBJECT], "a \"b\"") == 0, "quoted fields are unquoted");
	oplog_record_raw(r, &b);
	ok(b.len == strlen(R2) + 1 && memcmp(b.p, R2 "\n", b.len) == 0,
	    "the raw line of a quoted record is the line read");
	b.len = 0;
	ok(oplog_reader_line(rd, &line, &len) == 1 && oplog_reader_parse(rd, &r) == 0,
	    "a repeated header row: _parse says skip it");
	ok(oplog_reader_line(rd, &line, &len) == 1 && oplog_reader_parse(rd, &r) == 1 &&
	    r->seq == 3 && strcmp(r->field[OF_DETAIL], "crlf") == 0, "a CRLF record");
	oplog_record_raw(r, &b);
	ok(b.len == strlen(R3) + 1 && memcmp(b.p, R3 "\n", b.len) == 0,
	    "its raw line keeps the CR");
	b.len = 0;
	ok(oplog_reader_line(rd, &line, &len) == 0, "then the end");
	oplog_reader_close(rd);
	close(fd);

	fd = file_of(R1 "\n" R2 "\n");
	rd = oplog_reader_open(fd, "t");
	ok(oplog_reader_next(rd, &r) == -1 &&
	    strcmp(oplog_reader_error(rd, &eline, NULL), "missing header row") == 0 && eline == 1,
	    "a file without header row is refused at line 1");
	oplog_reader_close(rd);
	lseek(fd, 0, SEEK_SET);
	rd = oplog_reader_open(fd, "t");
	oplog_reader_copy(rd);
	ok(oplog_reader_next(rd, &r) == 1 && r->seq == 1 && r->line == 1 &&
	    oplog_reader_next(rd, &r) == 1 && r->seq == 2 && oplog_reader_next(rd, &r) == 0,
	    "a copy is read without header row");
	oplog_reader_close(rd);
	close(fd);

	fd = file_of(OPLOG_HEADER "\n" R1 "\n" R2 "\n");
	rd = oplog_reader_open(fd, "t");
	oplog_reader_seek(rd, strlen(OPLOG_HEADER) + 1 + strlen(R1) + 1);
	ok(oplog_reader_next(rd, &r) == 1 && r->seq == 2 && oplog_reader_next(rd, &r) == 0 &&
	    lseek(fd, 0, SEEK_CUR) == 0, "seek reads on from an offset with pread");
	oplog_reader_close(rd);
	close(fd);

	fd = file_of(OPLOG_HEADER "\n" R1 "\n" "2,bad\n");
	rd = oplog_reader_open(fd, "t");
	ok(oplog_reader_line(rd, &line, &len) == 1 && oplog_reader_line(rd, &line, &len) == 1 &&
	    oplog_reader_parse(rd, &r) == -1 && (oplog_reader_error(rd, &eline, NULL), eline == 3),
	    "a bad line skipped by _line is not checked; parsed, it names its line");
	oplog_reader_close(rd);
	close(fd);
	buf_free(&b);
	test_fast_paths();
	test_cut_same();
	test_time_bytes();
	return tap_done();
}
