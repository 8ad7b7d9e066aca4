/*
 * text.h — text for people and programs: display width, terminal
 * escaping, JSON strings: the suite's one copy of each.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>
#include <stdio.h>

struct buf;

/* Display columns of s under the locale (kanji count two; one a byte
 * where the locale cannot decode it). */
size_t	text_width(const char *s);

/* Display columns of UTF-8 s whatever the locale: text_width() under
 * C.UTF-8.  For the documents printed in Japanese under any locale (the
 * register's form). */
size_t	text_width_utf8(const char *s);

/* Appends s for a terminal: C0 and C1 control characters and DEL as \xNN
 * (a backslash as \\), everything else as it is. */
void	text_escape(struct buf *, const char *s, size_t len);

/* Appends s as a JSON string, quotes included (RFC 8259). */
void	json_add_string(struct buf *, const char *s, size_t len);
/* Writes NUL-terminated s to fp as json_add_string() appends it. */
void	json_put_string(FILE *, const char *s);

#endif
