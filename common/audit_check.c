/*
 * audit_check.c — what every check of jukisec-audit builds its finding
 * with: check_begin, check_item, check_end; L(), the report's language;
 * capture_stderr, which turns what a library function printed into a
 * finding's text.  Below every audit_*.c and audit.c, which calls them:
 * the checks never call back into the frame.
 *
 * Invariants: a finding is begun, given items, and ended, in that order,
 * one at a time (a->cur); out of memory ends the program (err).  The
 * report's text is chosen per language with L(), not gettext, because
 * --lang must give a Japanese report whatever catalogue is installed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "audit.h"
#include "csvio.h"

static char *
vformat(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1)
		err(ST_FAIL, NULL);
	return s;
}

void
check_begin(struct audit *a, const char *rule, const char *check)
{
	struct finding *f;

	a->f = xrealloc(a->f, (a->n + 1) * sizeof(*a->f));
	f = a->cur = &a->f[a->n++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->check = check;
}

void
check_item(struct audit *a, const char *subject, const char *fmt, ...)
{
	struct finding *f = a->cur;
	va_list	 ap;

	f->item = xrealloc(f->item, (f->nitem + 1) * sizeof(*f->item));
	f->item[f->nitem].subject = xstrdup(subject);
	va_start(ap, fmt);
	f->item[f->nitem].text = vformat(fmt, ap);
	va_end(ap);
	f->nitem++;
}

void
check_end(struct audit *a, enum audit_status status, const char *fmt, ...)
{
	va_list	 ap;

	a->cur->status = status;
	va_start(ap, fmt);
	a->cur->summary = vformat(fmt, ap);
	va_end(ap);
	a->cur = NULL;
}

int
capture_stderr(int (*fn)(void *), void *arg, char **msg)
{
	FILE	*tmp;
	struct buf b = { 0 };
	char	 chunk[512], *s;
	size_t	 n, pre;
	int	 saved, r;

	*msg = NULL;
	fflush(stderr);
	if ((tmp = tmpfile()) == NULL || (saved = dup(STDERR_FILENO)) == -1) {
		if (tmp != NULL)
			fclose(tmp);
		return fn(arg);
	}
	dup2(fileno(tmp), STDERR_FILENO);
	r = fn(arg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
		buf_add(&b, chunk, n);
	fclose(tmp);
	buf_add(&b, "", 1);
	s = b.p;
	/* keep the first line, without the "prog: " warnx adds */
	s[strcspn(s, "\n")] = '\0';
	pre = strlen(program_invocation_short_name);
	if (strncmp(s, program_invocation_short_name, pre) == 0 &&
	    strncmp(s + pre, ": ", 2) == 0)
		memmove(s, s + pre + 2, strlen(s + pre + 2) + 1);
	*msg = s;
	return r;
}
