/*
 * mem.h — what mem.c gives every file: the growable byte buffer.  The
 * allocation wrappers (xmalloc and kin) are jukisec.h's, the one
 * out-of-memory path is mem.c's.
 */
#ifndef JUKISEC_MEM_H
#define JUKISEC_MEM_H

#include <stddef.h>

/* Growable byte buffer for building output before one write(2). */
struct buf {
	char	*p;
	size_t	len, cap;
};
void	buf_add(struct buf *, const void *, size_t);
/* n more bytes at the end of b, for the caller to fill. */
char	*buf_extend(struct buf *, size_t n);
void	buf_free(struct buf *);

#endif
