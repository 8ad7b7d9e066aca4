/*
 * audit_check.c — what every check of jukisec-audit builds its finding
 * with: check_begin, check_item, check_end; L(), the report's language.
 * A library function's failure reaches a finding's text as a value (a
 * struct jerr, jerr.h), never through stderr.  Below every audit_*.c and
 * audit.c, which calls them: the checks never call back into the frame.
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

#include "jukisec.h"
#include "audit.h"
#include "conf.h"
#include "muni.h"

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

const char *
audit_manager(const struct audit *a)
{
	return muni_name(&a->st->conf, MN_SECURITY_MANAGER, a->o->ja);
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

/* Long: one sentence per line and cause a reader says (jerr.h); a table
 * would hide which of them names the row. */
char *
audit_unread_ja(const struct jerr *e, const char *file, const char *form)
{
	if (e->line > 1 && e->cause == JERR_DUP)
		return xasprintf("%sの %zu 件目の行の識別符号が、それより前の行の"
		    "識別符号と重複しています", file, e->line - 1);
	if (e->line > 1 && e->cause == JERR_VALUE)
		return xasprintf("%sの %zu 件目の行に読み取れない値があります",
		    file, e->line - 1);
	if (e->line > 1)
		return xasprintf("%sの %zu 件目の行が%sの形式に合いません", file,
		    e->line - 1, form);
	if (e->line == 1)
		return xasprintf("%sの見出しの行がないか、形式に合いません", file);
	switch (e->cause) {
	case ENOENT:
		return xasprintf("%sがありません", file);
	case EACCES:
		return xasprintf("%sを読む権限がありません", file);
	case JERR_UNSAFE:
		return xasprintf("%sの所有者又は権限が正しくないため、読込みを"
		    "拒否しました", file);
	case JERR_OPEN:
		return xasprintf("%sはグループ又は他の利用者も読めるため、読込み"
		    "を拒否しました", file);
	case ELOOP:
		return xasprintf("%sはシンボリックリンクのため、読込みを拒否しま"
		    "した", file);
	case EINVAL:
		return xasprintf("%sは通常のファイルではないため、読込みを拒否し"
		    "ました", file);
	case JERR_FORM:
		return xasprintf("%sの内容が%sの形式に合いません", file, form);
	}
	return xasprintf("%sを読み込めません", file);
}
