/*
 * csvfile.c — read whole and append one row to a small CSV file of the
 * state directory.  Invariants in csvfile.h: under STORE_LOCK_REGISTER,
 * atomic replacement (atomic_begin/commit: fsync, rename, fsync of the
 * directory), old bytes unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "jukisec.h"
#include "csvfile.h"

int
csvfile_read(struct store *st, const char *name, struct buf *raw)
{
	return csvfile_read_err(st, name, raw, st->err);
}

int
csvfile_read_err(struct store *st, const char *name, struct buf *raw,
    struct jerr *e)
{
	int	 there;

	return csvfile_read_there(st, name, raw, &there, e);
}

int
csvfile_read_there(struct store *st, const char *name, struct buf *raw,
    int *there, struct jerr *e)
{
	struct jerr m;
	char	 chunk[8192], *path;
	ssize_t	 n;
	int	 fd;

	raw->p = NULL;
	raw->len = raw->cap = 0;
	*there = 0;
	if ((fd = store_openat(st, name, O_RDONLY, 0)) == -1) {
		if (errno == ENOENT)
			return ST_OK;
		path = xasprintf("%s/%s", st->dir, name);
		open_safe_err(&m, ST_FAIL, path);
		jerr_pass(e, &m);
		free(path);
		return ST_FAIL;
	}
	*there = 1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			jerr_say_errno(e, ST_FAIL, "%s/%s", st->dir, name);
			close(fd);
			buf_free(raw);
			return ST_FAIL;
		}
		buf_add(raw, chunk, (size_t)n);
	}
	close(fd);
	return ST_OK;
}

int
csvfile_after(const struct buf *raw, const char *const *cols,
    const char *const *row, size_t n, char **out, size_t *len)
{
	FILE	*fp;
	int	 rv = 0;

	if ((fp = open_memstream(out, len)) == NULL)
		err(ST_FAIL, "open_memstream");
	if (raw->len == 0)
		rv = csv_write_record(fp, cols, n);
	else if (fwrite(raw->p, 1, raw->len, fp) != raw->len ||
	    (raw->p[raw->len - 1] != '\n' && putc('\n', fp) == EOF))
		rv = -1;
	if (rv == 0)
		rv = csv_write_record(fp, row, n);
	if (fclose(fp) == EOF)
		rv = -1;
	return rv;
}
