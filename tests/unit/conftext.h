/* conftext.h — jukisec.conf text loaded in a unit test as store_open
 * loads the file (open_safe: no link, a regular file nobody else can
 * write), for tests/unit/conf.c and muni.c.  After tap.h; the test sets
 * path to a file in its own directory. */
#ifndef CONFTEXT_H
#define CONFTEXT_H

#include <fcntl.h>

#include "jukisec.h"
#include "conf.h"
#include "store.h"

static char path[256];

/* The file at p over the defaults, opened as store_open opens
 * jukisec.conf: no link, a regular file nobody else can write. */
static int
conf_load(struct conf *c, const char *p)
{
	FILE *fp;
	int fd, st;

	if ((fd = open_safe(AT_FDCWD, p, O_RDONLY, 0, 0)) == -1) {
		open_safe_warn(p);
		return ST_FAIL;
	}
	if ((fp = fdopen(fd, "r")) == NULL)
		err(ST_FAIL, "%s", p);
	st = conf_load_fp(c, fp, p);
	fclose(fp);
	return st;
}

/* Loads text over the defaults; returns status, message in msg. */
static int
load(const char *text, struct conf *c, const char **msg)
{
	FILE *fp = fopen(path, "w");
	int st;

	fputs(text, fp);
	fclose(fp);
	conf_defaults(c, "/st");
	capture_begin();
	st = conf_load(c, path);
	*msg = capture_end();
	return st;
}

static void
refused(const char *text, const char *want)
{
	char full[512];
	struct conf c;
	const char *msg;
	int st;

	snprintf(full, sizeof(full), "%s:%s", path, want);
	st = load(text, &c, &msg);
	ok(st == ST_FAIL, "refused: %.*s", (int)strcspn(text, "\n"), text);
	is_str(msg, full, "  with its message");
	conf_free(&c);
}

#endif
