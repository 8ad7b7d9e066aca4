/*
 * person.h — people as documents name them: 職名 and 氏名 from the register
 * (R5.1), never a bare login id.  A person the register does not hold is
 * said to be so, in words, with the id that was recorded; a row without a
 * name, by its place in the register.
 */
#ifndef PERSON_H
#define PERSON_H

#include "register.h"

/* The 職名 and 氏名 the register holds: "市民課長 国分 太郎" (ja), "国分 太郎
 * (市民課長)" (en), the name alone for a row without a title; or
 * "登録簿に記載のない者(ID kacho)" / "not in the register (id kacho)" (the
 * recorded id is all there is), and "氏名の記載のない者(登録簿の 3 件目の行)"
 * / "a person with no name in the register (row 3)" for a row whose name
 * was blanked (its place as the audit counts rows: operator_row()).
 * reg may be NULL (the register could not be read: said so too).
 * malloc'd. */
char	*person_label(const struct register_ *, const char *id, int ja);

#endif
