/*
 * audit.c — the frame of jukisec-audit (R12(2)): opens the state read-only,
 * runs the checks in report order, collects one finding per check and hands
 * them to the renderer.
 *
 * Invariants: nothing here writes to the state directory.  The register and
 * the credentials directory are read together under STORE_LOCK_REGISTER (a
 * change writes the credential before the row, so reading them apart could
 * report a false orphan); the lock is released before the log is read.  The
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

const char *
L(const struct audit *a, const char *en, const char *ja)
{
	return a->o->ja ? ja : en;
}

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

static int
load_register(void *arg)
{
	struct audit *a = arg;

	return register_load(a->st, &a->reg);
}

/* Stable insertion sort: a handful of findings. */
static void
sort_findings(struct audit *a)
{
	struct finding t;
	size_t	 i, j;

	for (i = 1; i < a->n; i++) {
		t = a->f[i];
		for (j = i; j > 0 &&
		    audit_rule_rank(a->f[j - 1].rule) > audit_rule_rank(t.rule); j--)
			a->f[j] = a->f[j - 1];
		a->f[j] = t;
	}
}

static void
audit_free(struct audit *a)
{
	size_t	 i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < a->f[i].nitem; j++) {
			free(a->f[i].item[j].subject);
			free(a->f[i].item[j].text);
		}
		free(a->f[i].item);
		free(a->f[i].summary);
	}
	free(a->f);
	if (a->reg_ok)
		register_free(&a->reg);
	free(a->reg_error);
}

int
audit_run(const struct audit_opts *o, FILE *out)
{
	struct audit a;
	struct store st;
	size_t	 i;
	int	 status = ST_OK;

	memset(&a, 0, sizeof(a));
	a.o = o;
	a.st = &st;
	if (store_open(&st, o->dir, NULL, 0) != ST_OK)
		return ST_FAIL;
	if (store_lock(&st, STORE_LOCK_REGISTER) != ST_OK) {
		store_close(&st);
		return ST_FAIL;
	}
	a.reg_ok = capture_stderr(load_register, &a, &a.reg_error) == ST_OK;
	audit_register(&a);
	audit_incidents(&a);
	store_unlock(&st, STORE_LOCK_REGISTER);
	audit_log(&a);
	audit_r54(&a);
	audit_state(&a);

	sort_findings(&a);
	for (i = 0; i < a.n; i++)
		if (a.f[i].status == AUDIT_FAIL)
			status = ST_NO;
	if (audit_render(&a, out) != 0)
		status = ST_FAIL;
	audit_free(&a);
	store_close(&st);
	return status;
}
