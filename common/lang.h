/*
 * lang.h — the suite's one choice between English and Japanese for the
 * documents it prints (the 報告書, the compliance report), and the one way
 * a text picks its language.  Messages go through gettext (_()); these are
 * for texts written in both languages side by side in the code.
 *
 * Invariants: the environment decides as setlocale(3) would (LC_ALL, then
 * LC_MESSAGES, then LANG; the first set and non-empty one); a value
 * beginning with "ja" means Japanese, anything else English.
 */
#ifndef LANG_H
#define LANG_H

/* 1 when the environment asks for Japanese. */
int	lang_env_ja(void);

/* ja_text when ja, else en. */
const char *lang_pick(int ja, const char *en, const char *ja_text);

#endif
