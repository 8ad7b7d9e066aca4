/*
 * fuzz/csv_reader.c — libFuzzer harness for the strict CSV reader.
 *
 * The first input byte picks the shape (column count 1-8, which columns
 * may hold line breaks, whether a header is expected, a small or large
 * field limit); the rest is the file, read through fmemopen so the reader
 * takes its ordinary stdio path.  Besides the sanitizers' checks it asserts
 * the reader's promises: every record has ncols NUL-terminated fields of
 * valid UTF-8 within the limit, line numbers never go back, the offset
 * never passes the input, and a record written back with the writer reads
 * back identical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "csvio.h"

static const char *const cols[] = { "a", "b", "c", "d", "e", "f", "g", "h" };

static void
roundtrip(const struct csv_record *rec, size_t ncols)
{
	struct buf b = { 0 };
	struct csv_reader *r;
	struct csv_record *back;
	FILE *fp;
	size_t i;

	csv_format_record(&b, (const char *const *)rec->field, rec->len, ncols);
	if ((fp = fmemopen(b.p, b.len, "r")) == NULL)
		abort();
	r = csvr_open(fp, "roundtrip", cols, ncols, ~0UL, 0, SIZE_MAX);
	if (csvr_next(r, &back) != 1)
		abort();
	for (i = 0; i < ncols; i++)
		if (back->len[i] != rec->len[i] ||
		    memcmp(back->field[i], rec->field[i], rec->len[i]) != 0)
			abort();
	if (csvr_next(r, &back) != 0 || csvr_offset(r) != (long long)b.len)
		abort();
	csvr_close(r);
	fclose(fp);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader *r;
	struct csv_record *rec;
	size_t ncols, maxfield, lastline = 0, i;
	unsigned long multiline;
	FILE *fp;
	int header, st;

	if (size < 1)
		return 0;
	ncols = (data[0] & 7) + 1;
	multiline = (data[0] >> 3) & 3 ? 1UL << ((data[0] >> 3) & 3) : 0;
	header = (data[0] >> 5) & 1;
	maxfield = data[0] & 0x40 ? 8 : 100000;
	data++, size--;

	/* fmemopen with size 0 is EINVAL: an empty file is /dev/null. */
	fp = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (fp == NULL)
		abort();
	r = csvr_open(fp, "fuzz", cols, ncols, multiline, header, maxfield);
	while ((st = csvr_next(r, &rec)) == 1) {
		if (rec->nfields != ncols || rec->line < lastline || rec->line < 1)
			abort();
		lastline = rec->line;
		for (i = 0; i < ncols; i++) {
			if (rec->field[i][rec->len[i]] != '\0' ||
			    csv_field_problem(rec->field[i], rec->len[i], maxfield,
			    (int)((multiline >> i) & 1)) != NULL)
				abort();
		}
		if (csvr_offset(r) > (long long)size)
			abort();
		roundtrip(rec, ncols);
	}
	if (st == -1 && csvr_next(r, &rec) != -1)
		abort();
	if (st == 0 && csvr_offset(r) != (long long)size)
		abort();
	csvr_close(r);
	fclose(fp);
	return 0;
}
