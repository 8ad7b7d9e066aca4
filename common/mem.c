/*
 * mem.c — allocation that cannot fail (xmalloc and kin) and struct buf,
 * at the bottom of common/: it calls nothing of the suite, so the message
 * functions (esc.c) and everything else can use it.
 *
 * Invariants: allocation failure exits ST_FAIL here and nowhere else, after
 * one line "PROGRAM: Cannot allocate memory" (or "out of secure memory",
 * libgcrypt's locked pool) written straight to stderr; inside a PAM call
 * (a conversation with a bail, conv.h) it jumps out instead, as err(3)
 * does, for the module must neither print nor end its host.  The
 * out-of-memory path allocates nothing and needs no other module but
 * conv.c, which allocates nothing either; before it, once, it runs the
 * undo a tool set with mem_on_oom (a file the run made and must not
 * leave).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#include "jukisec.h"
#include "conv.h"
#include "mem.h"

static void (*oom_undo)(void);

void
mem_on_oom(void (*undo)(void))
{
	__atomic_store_n(&oom_undo, undo, __ATOMIC_SEQ_CST);
}

static void
die_oom(const char *why)
{
	const char *prog = program_invocation_short_name;
	void (*undo)(void);

	/* once, whichever thread gets here first; an undo that runs out
	 * of memory itself comes back here and finds none */
	if ((undo = __atomic_exchange_n(&oom_undo, NULL, __ATOMIC_SEQ_CST)) != NULL)
		undo();
	conv_bail(ST_FAIL, why, 0);	/* returns when there is no bail */
	(void)!write(STDERR_FILENO, prog, strlen(prog));
	(void)!write(STDERR_FILENO, ": ", 2);
	(void)!write(STDERR_FILENO, why, strlen(why));
	(void)!write(STDERR_FILENO, "\n", 1);
	exit(ST_FAIL);
}

static void
oom(void)
{
	die_oom(strerror(ENOMEM));
}

/* libgcrypt's secure memory: locked, wiped when freed (gcry_free). */
void *
xmalloc_secure(size_t n)
{
	void *p;

	if ((p = gcry_malloc_secure(n ? n : 1)) == NULL)
		die_oom(_("out of secure memory"));
	return p;
}

void *
xcalloc_secure(size_t n, size_t size)
{
	void *p;

	if ((p = gcry_calloc_secure(n ? n : 1, size ? size : 1)) == NULL)
		die_oom(_("out of secure memory"));
	return p;
}

/* Aligned to align (a power of two; n a multiple of it), as
 * aligned_alloc(3): for data laid out by cache lines; free(3) frees it. */
void *
xaligned_alloc(size_t align, size_t n)
{
	void *p;

	if ((p = aligned_alloc(align, n ? n : align)) == NULL)
		oom();
	return p;
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n ? n : 1)) == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n ? n : 1, size ? size : 1)) == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return p;
}

char *
buf_extend(struct buf *b, size_t n)
{
	if (b->p == NULL || n > b->cap - b->len) {
		while (b->cap == 0 || n > b->cap - b->len)
			b->cap = b->cap ? b->cap * 2 : 256;
		b->p = xrealloc(b->p, b->cap);
	}
	b->len += n;
	return b->p + b->len - n;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n > 0)
		memcpy(buf_extend(b, n), p, n);
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
