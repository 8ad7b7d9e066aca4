/*
 * sign.h — the signature block that ends the documents a committee or the
 * Mayor signs (the 報告書, the compliance report): 作成者 and 確認者 with
 * 職名・氏名 and room for a seal (印), and the date, in 和暦 in Japanese.
 *
 * Invariants: the author is a name for people (person.h), never a login
 * id; an empty one leaves the line to be filled in by hand, as the
 * checker's always is.
 */
#ifndef SIGN_H
#define SIGN_H

#include <stdio.h>

/* Writes the block; date is already formatted for the language. */
void	sign_block(FILE *, const char *author, const char *date, int ja);

#endif
