/*
 * lang.c — English or Japanese (lang.h).
 *
 * Invariants: reads the environment only; no locale is set or changed.
 */
#include <stdlib.h>
#include <string.h>

#include "lang.h"

int
lang_env_ja(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((v = getenv(vars[i])) != NULL && v[0] != '\0')
			return strncmp(v, "ja", 2) == 0;
	return 0;
}

const char *
lang_pick(int ja, const char *en, const char *ja_text)
{
	return ja ? ja_text : en;
}
