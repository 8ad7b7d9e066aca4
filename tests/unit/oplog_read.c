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
	return tap_done();
}
