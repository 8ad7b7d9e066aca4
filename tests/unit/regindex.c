/*
 * tests/unit/regindex.c — register_index: with the index, register_get
 * and register_find give what the walk of the rows gives (the first row
 * of an id, NULL for none), register_dups flags exactly the rows whose id
 * an earlier row has, and register_append drops the index (the rows
 * move).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "register.h"
#include "tap.h"

/* The walk register_get does without an index. */
static const struct operator *
walk(const struct register_ *reg, const char *id)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		if (strcmp(reg->op[i].id, id) == 0)
			return &reg->op[i];
	return NULL;
}

int
main(void)
{
	struct register_ reg;
	unsigned char *dup;
	char	 id[16];
	unsigned seed = 7, i, bad = 0, want_dups = 0;
	size_t	 ndup;

	memset(&reg, 0, sizeof(reg));
	/* 3,000 rows of 1,000 ids: most ids more than once */
	for (i = 0; i < 3000; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(id, sizeof(id), "op%u", (seed >> 8) % 1000);
		want_dups += walk(&reg, id) != NULL;
		register_append(&reg, id);
	}
	ok(reg.ix == NULL, "no index until register_index");
	register_index(&reg);
	for (i = 0; i < 1100; i++) {	/* 100 ids no row has */
		snprintf(id, sizeof(id), "op%u", i);
		bad += register_get(&reg, id) != walk(&reg, id);
		bad += register_find(&reg, id) != walk(&reg, id);
	}
	bad += register_get(&reg, "") != NULL;
	bad += register_get(&reg, "zz") != NULL;
	ok(bad == 0, "with the index, each lookup is the walk's (%u not)", bad);
	dup = xmalloc(reg.n);
	ndup = register_dups(&reg, dup);
	for (i = 0, bad = 0; i < reg.n; i++) {
		const struct operator *first = walk(&reg, reg.op[i].id);

		bad += dup[i] != (first != &reg.op[i]);
	}
	ok(bad == 0 && ndup == want_dups,
	    "register_dups flags the %u rows an earlier row's id names (%zu)",
	    want_dups, ndup);
	free(dup);
	register_append(&reg, "late");
	ok(reg.ix == NULL && register_get(&reg, "late") == &reg.op[reg.n - 1],
	    "register_append drops the index; the new row is found");
	register_free(&reg);
	ok(reg.ix == NULL && reg.n == 0, "register_free leaves no index");
	return tap_done();
}
