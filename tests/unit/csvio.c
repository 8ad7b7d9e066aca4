/* Unit tests for common/csvio.c: each strict-mode error with its exact
 * message, UTF-8 edge cases, streaming and the writer's quoting. */
#include "jukisec.h"
#include "csvio.h"
#include "tap.h"

static const char *const cols[] = { "a", "b", "c" };

struct result {
	int		n;		/* records read, or -1 */
	int		torn;
	long long	offset;
	char		msg[4096];
	char		last[3][256];
	size_t		lastline;
};

static struct result
readall(const char *in, size_t len, unsigned long multiline, size_t maxfield)
{
	struct result res = { 0 };
	struct csv_reader *r;
	struct csv_record *rec;
	FILE *fp = fmemopen((void *)in, len, "r");
	int st, i;

	if (len == 0)
		fp = fopen("/dev/null", "r");
	capture_begin();
	r = csvr_open(fp, "in.csv", cols, 3, multiline, 1, maxfield);
	while ((st = csvr_next(r, &rec)) == 1) {
		res.n++;
		for (i = 0; i < 3; i++)
			snprintf(res.last[i], sizeof(res.last[i]), "%s", rec->field[i]);
		res.lastline = rec->line;
	}
	if (st == -1) {
		res.n = -1;
		res.torn = csvr_torn(r);
		/* A second call must not report again. */
		if (csvr_next(r, &rec) != -1)
			res.n = -2;
	}
	res.offset = csvr_offset(r);
	csvr_close(r);
	fclose(fp);
	snprintf(res.msg, sizeof(res.msg), "%s", capture_end());
	return res;
}

#define S(lit)	lit, sizeof(lit) - 1

static void
bad(const char *in, size_t len, unsigned long ml, const char *want, const char *what)
{
	struct result r = readall(in, len, ml, 100);

	is_num(r.n, -1, what);
	is_str(r.msg, want, what);
}

static void
good(const char *in, size_t len, unsigned long ml, int n, const char *what)
{
	struct result r = readall(in, len, ml, 100);

	is_num(r.n, n, what);
	if (r.msg[0] != '\0')
		printf("# stderr: %s\n", r.msg);
}

static void
test_errors(void)
{
	struct result r;

	good(S("a,b,c\n1,2,3\n4,5,6\n"), 0, 2, "two records");
	good(S("a,b,c\r\n1,2,3\r\n"), 0, 1, "CRLF line ends");
	good(S("a,b,c\n"), 0, 0, "header only");
	bad("", 0, 0, "in.csv:1: no header line", "empty file");
	bad(S("a,x,c\n"), 0, "in.csv:1: field b: header is \"x\", expected \"b\"", "wrong header");
	bad(S("a,b\n"), 0, "in.csv:1: field c: missing (a record has 3 fields)", "short header");
	bad(S("a,b,c\n1,2\n"), 0, "in.csv:2: field c: missing (a record has 3 fields)", "missing field");
	bad(S("a,b,c\n1,2,3,4\n"), 0, "in.csv:2: too many fields (a record has 3)", "extra field");
	bad(S("a,b,c\n1,2,3\n\n4,5,6\n"), 0, "in.csv:3: empty line", "empty line");
	/* A CR is a line end only with LF after it; elsewhere it is inside
	 * the field it ends, named as a quoted one is. */
	bad(S("a,b,c\n1,2,3\r4,5,6\n"), 0, "in.csv:2: field c: contains a line break", "bare CR");
	bad(S("a,b,c\n1,2,3\r"), 0, "in.csv:2: carriage return without line feed", "bare CR at end");
	bad(S("a,b,c\r\n1,2,3\r\n\r\n"), 0, "in.csv:3: empty line", "an empty line in CRLF");
	bad(S("a,b,c\n1,2,3\r\r\n"), 0, "in.csv:2: field c: contains a line break", "CR, CRLF");
	bad(S("a,b,c\n1,2\rx,3\n"), 0, "in.csv:2: field b: contains a line break",
	    "bare CR inside a field before the last");
	bad(S("a,b,c\n\rx,2,3\n"), 0, "in.csv:2: field a: contains a line break",
	    "bare CR at a line's start");
	bad(S("a,b,c\n1,2,3\r\"x\n\"\n"), 0, "in.csv:2: field c: contains a line break",
	    "bare CR, then a quoted field begun");
	bad(S("a,b,c\n1,2\rx,3\n"), 2, "in.csv:2: field b: carriage return without line feed",
	    "bare CR in a multiline column");
	bad(S("a,b,c\n1,2\r\n"), 0, "in.csv:2: field c: missing (a record has 3 fields)",
	    "a short record in CRLF");
	bad(S("a,b,c\n1,\"2,3\n"), 0, "in.csv:2: field b: unterminated quoted field", "unterminated quote");
	bad(S("a,b,c\n1,2\"x,3\n"), 0, "in.csv:2: field b: malformed quoting", "quote inside unquoted field");
	bad(S("a,b,c\n1,\"2\"x,3\n"), 0, "in.csv:2: field b: malformed quoting", "text after closing quote");
	bad(S("a,b,c\n1,\"2\" ,3\n"), 0, "in.csv:2: field b: malformed quoting", "blank after closing quote");
	bad(S("a,b,c\n1,2,\0\n"), 0, "in.csv:2: field c: contains a NUL byte", "NUL");
	bad(S("a,b,c\n1,\"x\0y\",3\n"), 0, "in.csv:2: field b: contains a NUL byte", "quoted NUL");
	bad(S("a,b,c\n1,\"x\ny\",3\n"), 0, "in.csv:2: field b: contains a line break", "LF in a one-line column");
	bad(S("a,b,c\n1,\"x\ry\",3\n"), 0, "in.csv:2: field b: contains a line break", "CR in a one-line column");
	bad(S("a,b,c\n1,\"x\ny\",3\n"), 4, "in.csv:2: field b: contains a line break", "multiline bit of another column");
	good(S("a,b,c\n1,\"x\ny\",3\n"), 2, 1, "LF allowed in a multiline column");
	good(S("a,b,c\n1,\"x\r\ny\",3\n"), 2, 1, "CRLF allowed in a multiline column");

	/* Line numbers are physical lines, where the record starts. */
	r = readall(S("a,b,c\n1,\"x\n\ny\",3\n4,5\n"), 2, 100);
	is_str(r.msg, "in.csv:5: field c: missing (a record has 3 fields)",
	    "line numbers count the lines inside a multiline field");
	r = readall(S("a,b,c\n1,\"x\ny\",3\n"), 2, 100);
	is_num(r.lastline, 2, "a multiline record's line is where it starts");

	/* A cut-off last record: torn, offset at the end of the good part. */
	r = readall(S("a,b,c\n1,2,3\n4,5,6"), 0, 100);
	is_str(r.msg, "in.csv:3: last record has no line end", "torn tail message");
	ok(r.torn == 1 && r.offset == 12, "torn tail: csvr_torn 1, offset 12 (got %d, %lld)",
	    r.torn, r.offset);
	r = readall(S("a,b,c\n1,2\n"), 0, 100);
	ok(r.torn == 0, "a short record is not a torn tail");
	r = readall(S("a,b,c\n1,\"2,3\n"), 0, 100);
	ok(r.torn == 0 && r.offset == 6, "unterminated quote: not torn, offset after header");

	/* Fields are exactly their bytes: no trimming. */
	r = readall(S("a,b,c\n 1 ,\t2,\"\"\"\"\n"), 0, 100);
	ok(r.n == 1 && strcmp(r.last[0], " 1 ") == 0 && strcmp(r.last[1], "\t2") == 0 &&
	    strcmp(r.last[2], "\"") == 0, "blanks kept, doubled quote read as one");
	r = readall(S("a,b,c\n,,\n"), 0, 100);
	ok(r.n == 1 && r.last[0][0] == '\0' && r.last[2][0] == '\0', "empty fields");

	/* One-line records split without libcsv (feed_plain) read the same. */
	r = readall(S("a,b,c\n\"x, y\",\"\",\"3\"\n4,5,6\n"), 0, 100);
	ok(r.n == 2 && r.offset == 26, "quoted fields on one line, offset after them (got %lld)",
	    r.offset);
	r = readall(S("a,b,c\n\"x, y\",\"\",\"3\"\n"), 0, 100);
	ok(r.n == 1 && strcmp(r.last[0], "x, y") == 0 && r.last[1][0] == '\0' &&
	    strcmp(r.last[2], "3") == 0, "quoted: comma kept, empty, last field");
	bad(S("a,b,c\n1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,"
	    "26,27,28,29,30,31,32,33,34\n"), 0, "in.csv:2: too many fields (a record has 3)",
	    "more fields than a plain line splits");
	bad(S("a,b,c\n1,2,3\n1,\"2\",\"3\"x\n"), 0, "in.csv:3: field c: malformed quoting",
	    "text after the last closing quote");
	bad(S("a,b,c\n1,\"2,3\n"), 0, "in.csv:2: field b: unterminated quoted field",
	    "a quote not closed on its line");
	bad(S("a,b,c\n1,\"\xff\",3\n"), 0, "in.csv:2: field b: invalid UTF-8", "quoted bad UTF-8");
	bad(S("a,b,c\n1,2,3\n4,5,0123456\x80\n"), 0, "in.csv:3: field c: invalid UTF-8",
	    "a high byte after 8 ASCII ones");
	bad(S("a,b,c\n1,\"abc\ndefghijk\",3\n"), 0, "in.csv:2: field b: contains a line break",
	    "LF among 8 bytes checked at once");
	bad(S("a,b,c\n1,\"abcdefg\0hijk\",3\n"), 0, "in.csv:2: field b: contains a NUL byte",
	    "NUL among 8 bytes checked at once");
	good(S("a,b,c\n1,\"abc\ndefghijk\",3\n"), 2, 1, "LF among 8 bytes in a multiline column");
}

static void
test_utf8(void)
{
	static const struct { const char *s; const char *what; } badseq[] = {
		{ "\xc0\x80", "overlong 2-byte NUL" },
		{ "\xc1\xbf", "overlong 2-byte" },
		{ "\xe0\x80\xaf", "overlong 3-byte" },
		{ "\xe0\x9f\xbf", "overlong 3-byte, top" },
		{ "\xf0\x80\x80\xaf", "overlong 4-byte" },
		{ "\xf0\x8f\xbf\xbf", "overlong 4-byte, top" },
		{ "\xed\xa0\x80", "high surrogate" },
		{ "\xed\xbf\xbf", "low surrogate" },
		{ "\xf4\x90\x80\x80", "above U+10FFFF" },
		{ "\xf5\x80\x80\x80", "F5 lead byte" },
		{ "\xff", "FF byte" },
		{ "\x80", "lone continuation byte" },
		{ "\xe4\xbd", "truncated 3-byte sequence" },
		{ "\xe4\x41\x8f", "bad continuation byte" },
		{ "\xe4\xbd\x41", "bad third byte" },
		{ "\xee\x80", "truncated 3-byte sequence led by EE" },
	};
	static const struct { const char *s; const char *what; } goodseq[] = {
		{ "\xe4\xbd\x8f\xe5\x9f\xba", "kanji" },
		{ "\xc2\x80", "U+0080" },
		{ "\xdf\xbf", "U+07FF" },
		{ "\xe0\xa0\x80", "U+0800" },
		{ "\xed\x9f\xbf", "U+D7FF" },
		{ "\xee\x80\x80", "U+E000" },
		{ "\xef\xbf\xbd", "U+FFFD" },
		{ "\xf0\x90\x80\x80", "U+10000" },
		{ "\xf4\x8f\xbf\xbf", "U+10FFFF" },
	};
	char in[128], what[128];
	size_t i;
	int n;

	for (i = 0; i < sizeof(badseq) / sizeof(badseq[0]); i++) {
		n = snprintf(in, sizeof(in), "a,b,c\n1,x%sy,3\n", badseq[i].s);
		snprintf(what, sizeof(what), "rejects %s", badseq[i].what);
		bad(in, (size_t)n, 0, "in.csv:2: field b: invalid UTF-8", what);
	}
	for (i = 0; i < sizeof(goodseq) / sizeof(goodseq[0]); i++) {
		n = snprintf(in, sizeof(in), "a,b,c\n1,%s,3\n", goodseq[i].s);
		snprintf(what, sizeof(what), "accepts %s", goodseq[i].what);
		good(in, (size_t)n, 0, 1, what);
	}
	is_str(csv_field_problem("\xe4\xbd", 2, 10, 0), "invalid UTF-8",
	    "csv_field_problem: truncated at end of buffer");
	ok(csv_field_problem("ab\ncd", 5, 10, 1) == NULL,
	    "csv_field_problem: LF allowed when multiline");
	is_str(csv_field_problem("abcd", 4, 3, 0), "longer than 3 bytes",
	    "csv_field_problem: length limit");
	ok(csv_field_problem("abc", 3, 3, 0) == NULL, "csv_field_problem: exactly at limit");
}

static void
test_limits(void)
{
	struct result r;
	struct csv_reader *rd;
	struct csv_record *rec;
	char *in;
	size_t n, i;
	FILE *fp;
	int st;

	/* A field of exactly maxfield bytes is fine, one more is not. */
	r = readall(S("a,b,c\n1,0123456789,3\n"), 0, 10);
	is_num(r.n, 1, "field of exactly the limit");
	r = readall(S("a,b,c\n1,01234567890,3\n"), 0, 10);
	is_str(r.msg, "in.csv:2: field b: longer than 10 bytes", "field over the limit");
	r = readall(S("a,b,c\n1,2,\"01234567890\"\n"), 0, 10);
	is_str(r.msg, "in.csv:2: field c: longer than 10 bytes", "quoted field over the limit");

	/* Each column's own limit (csvr_limits): log-append's reader. */
	{
		static const size_t lim[3] = { 3, 10, 5 };
		static const char ok3[] = "a,b,c\n123,0123456789,12345\n";
		static const char bad3[] = "a,b,c\n123,x,y\n1234,x,y\n";
		struct csv_reader *cr;
		struct csv_record *cur;

		fp = fmemopen((void *)ok3, sizeof(ok3) - 1, "r");
		cr = csvr_open(fp, "in.csv", cols, 3, 0, 1, 10);
		csvr_limits(cr, lim);
		is_num(csvr_next(cr, &cur), 1, "fields at their column's limit");
		csvr_close(cr);
		fclose(fp);
		fp = fmemopen((void *)bad3, sizeof(bad3) - 1, "r");
		capture_begin();
		cr = csvr_open(fp, "in.csv", cols, 3, 0, 1, 10);
		csvr_limits(cr, lim);
		st = csvr_next(cr, &cur);
		st = st == 1 ? csvr_next(cr, &cur) : 9;
		csvr_close(cr);
		fclose(fp);
		is_str(capture_end(), "in.csv:3: field a: longer than 3 bytes",
		    "a field over its column's limit, under maxfield");
		is_num(st, -1, "stops the reader");
	}

	/* A 1 MB line with a small limit stops early, at the right line. */
	n = 1 << 20;
	in = xmalloc(n + 64);
	i = (size_t)snprintf(in, 64, "a,b,c\n1,2,3\nx,");
	memset(in + i, 'y', n);
	memcpy(in + i + n, ",z\n", 3);
	r = readall(in, i + n + 3, 0, 1000);
	is_str(r.msg, "in.csv:3: field b: longer than 1000 bytes", "huge line stopped at the limit");

	/* The same 1 MB field crossing 64 KiB chunks, within a large limit. */
	r = readall(in, i + n + 3, 0, n);
	ok(r.n == 2 && strlen(r.last[2]) == 1, "1 MB field across 64 KiB chunks");
	free(in);

	/* CRLF split across the 64 KiB chunk boundary. */
	n = 65536 + 10;
	in = xmalloc(n);
	memcpy(in, "a,b,c\r\n1,2,", 11);
	memset(in + 11, 'q', 65535 - 11);
	memcpy(in + 65535, "\r\n4,5,6\r\n", 9);
	fp = fmemopen(in, 65535 + 9, "r");
	rd = csvr_open(fp, "in.csv", cols, 3, 0, 1, 1 << 20);
	st = csvr_next(rd, &rec);
	ok(st == 1 && rec->len[2] == 65535 - 11, "CR at a chunk's last byte, LF in the next");
	st = csvr_next(rd, &rec);
	ok(st == 1 && rec->line == 3 && strcmp(rec->field[0], "4") == 0,
	    "record after a chunk-split CRLF");
	ok(csvr_next(rd, &rec) == 0 && csvr_offset(rd) == 65535 + 9, "end, offset at EOF");
	csvr_close(rd);
	fclose(fp);
	free(in);
}

static void
test_stream(void)
{
	struct csv_reader *rd;
	struct csv_record *rec;
	FILE *fp = tmpfile();
	long long size, count = 0, bad = 0, N = 300000, i;
	char f[3][32];
	const char *fv[3] = { f[0], f[1], f[2] };

	fputs("a,b,c\n", fp);
	for (i = 0; i < N; i++) {
		snprintf(f[0], sizeof(f[0]), "%lld", i);
		snprintf(f[1], sizeof(f[1]), "x,\"%lld\"", i * 7);
		snprintf(f[2], sizeof(f[2]), "\xe4\xbd\x8f %lld", i);
		csv_write_record(fp, fv, 3);
	}
	size = ftell(fp);
	rewind(fp);
	rd = csvr_open(fp, "big.csv", cols, 3, 0, 1, 64);
	while (csvr_next(rd, &rec) == 1) {
		snprintf(f[1], sizeof(f[1]), "x,\"%lld\"", count * 7);
		if (strtoll(rec->field[0], NULL, 10) != count ||
		    strcmp(rec->field[1], f[1]) != 0 || rec->line != (size_t)count + 2)
			bad++;
		count++;
	}
	is_num(count, N, "streamed 300000 records");
	is_num(bad, 0, "every streamed record read back as written, with its line");
	is_num(csvr_offset(rd), size, "offset at the end is the file size");
	csvr_close(rd);
	fclose(fp);
}

/* CR as the last byte of the reader's 64 KiB chunk: with LF first in
 * the next, a line end; with anything else, inside its field. */
static void
test_chunk_cr(void)
{
	static char in[65536 + 64];
	char want[64];
	size_t n, line = 1;
	struct result r;

	n = (size_t)sprintf(in, "a,b,c\n");
	while (65536 - n >= 12) {
		n += (size_t)sprintf(in + n, "1,2,3\n");
		line++;
	}
	n += (size_t)sprintf(in + n, "1,2,");
	while (n < 65535)
		in[n++] = 'x';
	n += (size_t)sprintf(in + n, "\r\n4,5,6\n");
	r = readall(in, n, 0, 100);
	ok(r.n == (int)line + 1 && strcmp(r.last[0], "4") == 0,
	    "CRLF across the chunk boundary: a line end (%d records)", r.n);
	in[65536] = 'y';
	snprintf(want, sizeof(want), "in.csv:%zu: field c: contains a line break", line + 1);
	bad(in, n, 0, want, "bare CR at the chunk boundary");
}

static void
test_writer(void)
{
	static const char *const f[] = { "plain", "a,b", "say \"hi\"", "two\nlines",
	    " lead", "trail ", "", "\xe4\xbd\x8f\xe5\x9f\xba", "cr\r" };
	size_t len[9], i;
	struct buf b = { 0 };
	struct csv_reader *rd;
	struct csv_record *rec;
	static const char *const c9[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };
	static const char *const c1[] = { "only" };
	FILE *fp;
	int same = 1;

	for (i = 0; i < 9; i++)
		len[i] = strlen(f[i]);
	csv_format_record(&b, f, len, 9);
	buf_add(&b, "", 1);
	is_str(b.p, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" lead\",\"trail \",,"
	    "\xe4\xbd\x8f\xe5\x9f\xba,\"cr\r\"\n", "quotes only where needed");
	b.len--;
	fp = fmemopen(b.p, b.len, "r");
	rd = csvr_open(fp, "w.csv", c9, 9, 0x1ff, 0, 100);
	ok(csvr_next(rd, &rec) == 1, "written record reads back");
	for (i = 0; i < 9; i++)
		if (rec->len[i] != len[i] || memcmp(rec->field[i], f[i], len[i]) != 0)
			same = 0;
	ok(same, "round trip keeps every field byte for byte");
	ok(csvr_next(rd, &rec) == 0, "and nothing after it");
	csvr_close(rd);
	fclose(fp);
	buf_free(&b);

	len[0] = 0;
	csv_format_record(&b, f + 6, len, 1);
	ok(b.len == 3 && memcmp(b.p, "\"\"\n", 3) == 0, "a lone empty field is written as \"\"");
	fp = fmemopen(b.p, b.len, "r");
	rd = csvr_open(fp, "w.csv", c1, 1, 0, 0, 100);
	ok(csvr_next(rd, &rec) == 1 && rec->len[0] == 0, "and reads back as one empty field");
	csvr_close(rd);
	fclose(fp);
	buf_free(&b);
}

/* Whether a field is quoted, for every length to 40 and every place of
 * each byte that asks for quotes (the writer looks at sixteen bytes at a
 * time, the last sixteen overlapping the ones before). */
static void
test_writer_places(void)
{
	static const char special[] = ",\"\r\n";
	char	 s[41];
	const char *f[1] = { s };
	size_t	 len, at, k, wrong = 0, tried = 0;
	struct buf b = { 0 };

	for (len = 1; len <= 40; len++)
		for (k = 0; k <= 4; k++)
			for (at = 0; at < (k < 4 ? len : 1); at++) {
				memset(s, 'x', len);
				s[len] = '\0';
				if (k < 4)
					s[at] = special[k];
				b.len = 0;
				csv_format_record(&b, f, &len, 1);
				tried++;
				if ((b.p[0] == '"') != (k < 4))
					wrong++;
			}
	is_num(wrong, 0, "each of , \" CR LF at each place of a field of 1 to 40 "
	    "bytes quotes it, and a field without one is not quoted");
	ok(tried == 40 + 4 * 820, "  (%zu fields)", tried);
	buf_free(&b);
}

static void
test_ioerror(void)
{
	struct csv_reader *rd;
	struct csv_record *rec;
	const char *msg;
	FILE *fp = fopen("/", "r");	/* opens; every read fails with EISDIR */
	int st;

	capture_begin();
	rd = csvr_open(fp, "dir.csv", cols, 3, 0, 1, 100);
	st = csvr_next(rd, &rec);
	msg = capture_end();
	ok(st == -1 && csvr_ioerror(rd) == 1 && csvr_torn(rd) == 0,
	    "a read error is -1 with csvr_ioerror 1");
	is_str(msg, "dir.csv: Is a directory", "  reported with the file name");
	csvr_close(rd);
	fclose(fp);
}

/* After csvr_row_errors a bad field value costs its record, said in
 * bad_why; the structure and the length still stop the reader. */
static void
test_row_errors(void)
{
	static const char in[] = "a,b,c\n1,x\xffy,3\n4,\"x\ny\",6\n7,8,9\n"
	    "1,2,0123456789\n";
	const char *why[4] = { NULL, NULL, NULL, NULL };
	size_t col[4] = { 9, 9, 9, 9 }, line[4] = { 0, 0, 0, 0 };
	struct csv_reader *r;
	struct csv_record *rec;
	FILE *fp = fmemopen((void *)in, sizeof(in) - 1, "r");
	const char *msg;
	int st, n = 0;

	capture_begin();
	r = csvr_open(fp, "in.csv", cols, 3, 0, 1, 9);
	csvr_row_errors(r);
	while ((st = csvr_next(r, &rec)) == 1 && n < 4) {
		why[n] = rec->bad_why;
		col[n] = rec->bad_field;
		line[n++] = rec->line;
	}
	msg = capture_end();
	ok(n == 3 && st == -1, "row errors: three records, then the length stops "
	    "the reader (got %d, %d)", n, st);
	ok(why[0] != NULL && strcmp(why[0], "invalid UTF-8") == 0 && col[0] == 1 &&
	    line[0] == 2, "  invalid UTF-8: field b of line 2");
	ok(why[1] != NULL && strcmp(why[1], "contains a line break") == 0 &&
	    col[1] == 1 && line[1] == 3, "  a line break in a one-line column");
	ok(why[2] == NULL && line[2] == 5, "  the next record is clean");
	is_str(msg, "in.csv:6: field c: longer than 9 bytes", "  the length is said");
	csvr_close(r);
	fclose(fp);

	fp = fmemopen((void *)"a,\xff,c\n", 7, "r");
	capture_begin();
	r = csvr_open(fp, "in.csv", cols, 3, 0, 1, 9);
	csvr_row_errors(r);
	st = csvr_next(r, &rec);
	msg = capture_end();
	ok(st == -1, "row errors: a bad header still stops the reader");
	is_str(msg, "in.csv:1: field b: invalid UTF-8", "  and is said");
	csvr_close(r);
	fclose(fp);
}

int
main(void)
{
	test_errors();
	test_utf8();
	test_limits();
	test_stream();
	test_chunk_cr();
	test_writer();
	test_writer_places();
	test_ioerror();
	test_row_errors();
	return tap_done();
}
