/*
 * esc.h — text that reaches a person: one rule for what a free-text field
 * may hold, and one escaping for every human-readable output (reports,
 * tables, error messages), so that nothing in the data can move a
 * terminal's cursor, clear its screen, or reorder what it shows.
 *
 * The characters: C0 controls (but LF, and TAB in multi-line text), DEL,
 * C1 controls (U+0080-U+009F, CSI among them), the bidirectional embeddings,
 * overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the line and
 * paragraph separators U+2028, U+2029.  Input: refused.  Output: shown as
 * \xHH (a byte) or \uHHHH (a character); invalid UTF-8 bytes as \xHH; a
 * backslash as \\, so that the escaping can be undone.
 */
#ifndef ESC_H
#define ESC_H

#include <stddef.h>
#include <stdio.h>

/* The one input rule for free-text fields (names, sections, reasons,
 * summaries, notes, terminal names; detail text with multiline): valid
 * UTF-8, no NUL, at most max bytes, none of the characters above (LF and
 * TAB allowed when multiline).  NULL when fine, else the reason. */
const char *text_problem(const char *, size_t max, int multiline);
/* The length of the run at s of the bytes of sp and of U+3000, the
 * ideographic space a Japanese keyboard types for a space (strspn(3)). */
size_t	text_blank_span(const char *s, const char *sp);
/* 1 when s says nothing: empty, or spaces only (U+3000 too).  Such a
 * name, reason, summary, note or terminal is refused as empty: the same
 * rule everywhere. */
int	text_blank(const char *s);

/* Appends the escaped form of s[0..len) to b; with ESC_LINE the result is
 * one line (LF and TAB escaped too: log-show's fields, text.h). */
struct buf;
#define ESC_LINE	1
/* ESC_WORD: one word of a "key=value key=value" detail: also a space and
 * an '=' as \xHH, so that no value can forge another key (implies
 * ESC_LINE). */
#define ESC_WORD	2
void	esc_buf(struct buf *, const char *s, size_t len, int flags);
/* The most bytes of s (len of them), at most max, that end between two
 * characters: a cut inside one valid UTF-8 character moves back to its
 * start; bytes that are not UTF-8 are cut as bytes. */
size_t	utf8_cut(const char *s, size_t len, size_t max);

/* The escaped form of s, malloc'd (LF and TAB kept). */
char	*esc_str(const char *s);

/* A stream that writes what it is given to `to`, escaped (LF and TAB
 * kept); fclose() it to flush, `to` stays open.  For text reports. */
FILE	*esc_open(FILE *to);

/* The suite's own warn, warnx, err, errx (and their v forms), which every
 * message goes through (jukisec.h), are defined in esc.c: they write the
 * message escaped, whatever it quotes, as "PROGRAM: message[: error]". */

#endif
