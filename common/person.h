/*
 * person.h — people as documents name them: 職名 and 氏名 from the register
 * (R5.1), never a bare login id.  A person the register does not hold is
 * said to be so, in words, with the id that was recorded.
 */
#ifndef PERSON_H
#define PERSON_H

#include "register.h"

/* The 職名 and 氏名 the register holds: "市民課長 国分 太郎" (ja), "国分 太郎
 * (市民課長)" (en), the name alone for a row without a title; or
 * "登録簿に記載のない者(ID kacho)" / "not in the register (id kacho)", and
 * "ID kacho(登録簿に氏名がありません)" / "id kacho (no name in the register)"
 * for a row whose name was blanked.
 * reg may be NULL (the register could not be read: said so too).
 * malloc'd. */
char	*person_label(const struct register_ *, const char *id, int ja);

#endif
