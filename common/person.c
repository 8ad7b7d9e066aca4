/*
 * person.c — a person's label for documents (person.h).
 */
#include <string.h>

#include "jukisec.h"
#include "person.h"

char *
person_label(const struct register_ *reg, const char *id, int ja)
{
	const struct operator *o;

	if (reg == NULL)
		return xasprintf(ja ? "ID %s(登録簿を読み込めないため氏名不明)" :
		    "id %s (name unknown: the register cannot be read)", id);
	if ((o = register_get(reg, id)) == NULL)
		return xasprintf(ja ? "登録簿に記載のない者(ID %s)" :
		    "not in the register (id %s)", id);
	/* a name blanked by hand (a damaged row): its place in the register,
	 * as the audit counts rows; never a blank, nor the login id */
	if (*o->name == '\0')
		return xasprintf(ja ? "氏名の記載のない者(登録簿の %zu 件目の行)" :
		    "a person with no name in the register (row %zu)",
		    operator_row(o));
	if (*o->title == '\0')
		return xstrdup(o->name);
	return ja ? xasprintf("%s %s", o->title, o->name) :
	    xasprintf("%s (%s)", o->name, o->title);
}
