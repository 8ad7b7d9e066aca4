/*
 * fuzz/oplog_reader.c — libFuzzer harness for the operation log's record
 * reader (common/oplog_read.c) and the verifier that walks it.
 *
 * The input is an oplog.csv, given to the reader through a memfd so it takes
 * its ordinary read(2) path.  Besides the sanitizers' checks it asserts the
 * reader's promises: ten NUL-terminated fields within the column limits,
 * lines and offsets that only go forward and never pass the input, a
 * record written back by the log's CSV writer parses back identical, and
 * the fast in-place cuts give what the general parser gives, line by line.  Then
 * the verifier runs over the same bytes with a fixed key (epochs of a century,
 * so no input makes it evolve a key for long).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jukisec.h"
#include "csvio.h"
#include "oplog_verify.h"

static void
roundtrip(const struct oplog_record *r)
{
	static char scratch[2 * OPLOG_LINE_MAX + 64];
	struct oplog_record back;
	struct buf b = { 0 };
	int i;

	csv_format_record(&b, (const char *const *)r->field, r->len, OPLOG_NFIELDS);
	if (b.len == 0 || b.p[b.len - 1] != '\n' || b.len - 1 > sizeof(scratch) - 64)
		abort();
	if (oplog_parse_line(b.p, b.len - 1, scratch, &back) != NULL)
		abort();
	for (i = 0; i < OPLOG_NFIELDS; i++)
		if (back.len[i] != r->len[i] || memcmp(back.field[i], r->field[i], r->len[i]) != 0)
			abort();
	if (back.seq != r->seq || back.time != r->time || back.epoch != r->epoch ||
	    memcmp(back.mac, r->mac, OPLOG_MACLEN) != 0)
		abort();
	buf_free(&b);
}

/*
 * oplog_reader_next, with every line also parsed by oplog_parse_line_fmt()
 * in the format of the header rows read so far, which never takes the fast
 * cut (cut(): in place, SSE): both must accept the same lines with the same
 * fields and values, and refuse the others with the same message; but a
 * header row of the other format, which the reader refuses as such.
 */
static int
next_checked(struct oplog_reader *rd, struct oplog_record **out)
{
	static char copy[OPLOG_LINE_MAX + 2], scratch[OPLOG_LINE_MAX + 16];
	static char want[256];
	struct oplog_record g;
	const char *line, *gen;
	size_t len, eline;
	int k, i, f;

	while ((k = oplog_reader_line(rd, &line, &len)) == 1) {
		memcpy(copy, line, len);
		copy[len] = '\0';
		memset(&g, 0, sizeof(g));
		f = oplog_reader_format(rd);
		gen = oplog_parse_line_fmt(copy, len, scratch, &g, f != 0 ? f : 1);
		snprintf(want, sizeof(want), "%s", gen != NULL ? gen : "");
		k = oplog_reader_parse(rd, out);
		if (k == 1) {
			if (gen != NULL)
				abort();
			for (i = 0; i < OPLOG_NFIELDS; i++)
				if (g.len[i] != (*out)->len[i] ||
				    memcmp(g.field[i], (*out)->field[i], g.len[i]) != 0)
					abort();
			if (g.seq != (*out)->seq || g.time != (*out)->time ||
			    g.epoch != (*out)->epoch ||
			    memcmp(g.mac, (*out)->mac, OPLOG_MACLEN) != 0)
				abort();
			return 1;
		}
		if (k == -1) {
			/* line 1's failure is "missing header row" */
			if (gen == NULL || (oplog_reader_error(rd, &eline, NULL),
			    eline > 1 && strcmp(oplog_reader_error(rd, NULL, NULL), want) != 0 &&
			    oplog_header_format(copy, len) == 0))
				abort();
			return -1;
		}
		/* 0: a header row, skipped */
	}
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct oplog_vkey vk = { 1767225600000LL, 100LL * 365 * 86400, { 0 } };
	struct oplog_verify_opts o;
	struct oplog_verify_result res;
	struct oplog_reader *rd;
	struct oplog_record *r;
	char path[64];
	const char *files[1];
	long long off = 0;
	size_t line = 0;
	int fd, k, i;

	if ((fd = memfd_create("oplog", 0)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	rd = oplog_reader_open(fd, "fuzz");
	while ((k = next_checked(rd, &r)) == 1) {
		if (r->line <= line || r->offset < off || oplog_reader_offset(rd) > (long long)size)
			abort();
		line = r->line;
		off = oplog_reader_offset(rd);
		for (i = 0; i < OPLOG_NFIELDS; i++)
			if (r->field[i][r->len[i]] != '\0' || strlen(r->field[i]) != r->len[i])
				abort();
		if (r->len[OF_DETAIL] > OPLOG_DETAIL_MAX || r->len[OF_OBJECT] > OPLOG_OBJECT_MAX)
			abort();
		roundtrip(r);
	}
	if (k == -1 && oplog_reader_error(rd, NULL, NULL)[0] == '\0')
		abort();
	oplog_reader_close(rd);

	memset(&o, 0, sizeof(o));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	files[0] = path;
	o.files = files;
	o.nfiles = 1;
	o.now = vk.t0;
	/* Only header rows may verify without records (an empty archive). */
	if (oplog_verify(NULL, &vk, &o, &res) == ST_OK && res.records == 0 && line > 0)
		abort();
	close(fd);
	return 0;
}
