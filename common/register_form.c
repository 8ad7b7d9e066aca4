/*
 * register_form.c — the register as the regulation's form prints it
 * (別記様式, R5.1): operator-list --format form, ready for lpr.  The form
 * is the municipality's Japanese form, so it is printed in Japanese
 * whatever the locale: its title, the article it is the form of and the
 * manager's 区分 come from jukisec.conf (muni.h), dates in 和暦, people by
 * the register's 職名 and 氏名 (person.h), the method in the regulation's
 * words.
 *
 * Invariants: the register's own fields only, never a credential, each
 * shown escaped (esc.h: a hand edit cannot drive the terminal or the
 * printer), a value that does not read back as 読み取れない値, never the
 * file's text; columns padded by display width (text.h), a field never cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jukisec.h"
#include "era.h"
#include "esc.h"
#include "muni.h"
#include "person.h"
#include "register.h"
#include "text.h"
#include "timeutil.h"

enum { F_NO, F_SECTION, F_TITLE, F_NAME, F_METHOD, F_ROLE, F_REGAT, F_REGBY, F_REVAT,
	F_REVBY, F_REASON, NF };

static const char *const head[NF] = { "番号", "所属", "職名", "氏名", "確認方法",
	"区分", "登録日", "登録者", "取消日", "取消者", "理由" };

static const char *const method_ja[] = { "指紋(照合情報)",
	"識別符号及びパスワード", "照合情報(外部の照合装置)" };
/* an operator's 区分 is the regulation's word, which no setting names */
#define OPERATOR_JA	"操作者"
/* a value that does not read back, as jukisec-audit says it */
#define DAMAGED_JA	"読み取れない値"

/* A local day in 和暦 ("" for TIME_NONE). */
static char *
day(int64_t ms)
{
	char	 buf[64];

	if (ms == TIME_NONE)
		return xstrdup("");
	era_when(ms, 1, 0, buf, sizeof(buf));
	return xstrdup(buf);
}

/* Text from the register for people: shown, never obeyed (esc.h); the
 * caller frees. */
static char *
shown(char *s)
{
	char *e = esc_str(s);

	free(s);
	return e;
}

/* Column col's cell s, or, when the value did not read back, the audit's
 * words for it: never its stand-in, and never the raw value, which the
 * table shows for the repair (the form is a Japanese document, issue 14);
 * the caller frees. */
static char *
cell(const struct operator *o, int col, char *s)
{
	if (register_damaged(o, col) == NULL)
		return s;
	free(s);
	return xstrdup(DAMAGED_JA);
}

/* 理由: the revocation's, else the password exception's.  A method that
 * does not read back is no method, not its stand-in, password: it has no
 * exception, whatever the row's reason column still holds. */
static const char *
reason(const struct operator *o)
{
	if (operator_revoked(o))
		return o->revoked_reason;
	if (operator_password(o))
		return o->exception_reason;
	return "";
}

static char *
who(const struct register_ *reg, const char *id)
{
	return *id == '\0' ? xstrdup("") : shown(person_label(reg, id, 1));
}

static void
row(char *const c[NF], const size_t w[NF])
{
	size_t	 i, k;

	for (i = 0; i < NF; i++) {
		fputs(c[i], stdout);
		if (i + 1 < NF)
			for (k = text_width_utf8(c[i]); k < w[i] + 2; k++)
				putchar(' ');
	}
	putchar('\n');
}

void
register_form(struct operator **sel, size_t n, const struct register_ *reg,
    const struct conf *cf, int64_t now)
{
	char	*(*c)[NF], cite[128], *today;
	size_t	 w[NF], i, j, k;
	struct operator *o;

	c = xcalloc(n, sizeof(*c));
	for (j = 0; j < NF; j++)
		w[j] = text_width_utf8(head[j]);
	for (i = 0; i < n; i++) {
		o = sel[i];
		c[i][F_NO] = xasprintf("%zu", i + 1);
		c[i][F_SECTION] = esc_str(o->section);
		c[i][F_TITLE] = esc_str(o->title);
		c[i][F_NAME] = esc_str(o->name);
		c[i][F_METHOD] = cell(o, REGISTER_METHOD,
		    xstrdup(method_ja[o->method]));
		c[i][F_ROLE] = cell(o, REGISTER_ROLE, xstrdup(o->role ==
		    ROLE_MANAGER ? muni_name(cf, MN_SECURITY_MANAGER, 1) :
		    OPERATOR_JA));
		c[i][F_REGAT] = cell(o, REGISTER_REGAT, day(o->registered_at));
		c[i][F_REGBY] = who(reg, o->registered_by);
		c[i][F_REVAT] = cell(o, REGISTER_REVAT, day(o->revoked_at));
		c[i][F_REVBY] = who(reg, o->revoked_by);
		c[i][F_REASON] = esc_str(reason(o));
		for (j = 0; j < NF; j++)
			if ((k = text_width_utf8(c[i][j])) > w[j])
				w[j] = k;
	}
	muni_cite(cf, REF_R5_1, 0, 1, cite, sizeof(cite));
	today = day(now);
	printf("%s\n", muni_name(cf, MN_REGISTER, 1));
	printf("(%s %s別記様式)\n\n", muni_name(cf, MN_MUNICIPALITY, 1), cite);
	printf("作成日  %s\n\n", today);
	row((char *const *)head, w);
	for (i = 0; i < n; i++) {
		row(c[i], w);
		for (j = 0; j < NF; j++)
			free(c[i][j]);
	}
	free(c);
	free(today);
}
