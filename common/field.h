/*
 * field.h — the rule every CSV field obeys (field.c), for csvio.c's
 * readers and for option values that go into CSV.
 */
#ifndef JUKISEC_FIELD_H
#define JUKISEC_FIELD_H

#include <stddef.h>

/* Validates one field outside a reader (option values that go into CSV):
 * UTF-8, no NUL, at most max bytes, no CR/LF unless multiline.  Returns NULL
 * if fine, else a static reason ("invalid UTF-8", "contains a line break",
 * "longer than N bytes") for the caller's message. */
const char *csv_field_problem(const char *, size_t len, size_t max, int multiline);

#endif
