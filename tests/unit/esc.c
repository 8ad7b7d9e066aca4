/* Unit tests for common/esc.c: the escaping every human-readable output
 * goes through (esc.h), byte for byte: to a string, to a buffer with
 * ESC_LINE and ESC_WORD, and through a stream given a character in
 * pieces.  Characters shown as they are go out in runs; these cases put
 * escapes at the start, the middle and the end of a run and past the
 * first buffer size. */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "csvio.h"
#include "esc.h"
#include "tap.h"

static void
str(const char *s, const char *want, const char *what)
{
	char *got = esc_str(s);

	is_str(got, want, what);
	free(got);
}

static void
buf(const char *s, int flags, const char *want, const char *what)
{
	struct buf b = { 0 };

	esc_buf(&b, s, strlen(s), flags);
	buf_add(&b, "", 1);
	is_str(b.p, want, what);
	buf_free(&b);
}

int
main(void)
{
	char	 in[2048], want[4096], *p = NULL;
	size_t	 n = 0, i;
	FILE	*mem, *fp;

	str("", "", "empty");
	str("plain ASCII, 123", "plain ASCII, 123", "ASCII as it is");
	str("職員 一郎（総務課）", "職員 一郎（総務課）", "Japanese as it is");
	str("a\\b\\", "a\\\\b\\\\", "a backslash doubled, last too");
	str("\\", "\\\\", "a backslash alone");
	str("x\x1b[2Jy", "x\\x1b[2Jy", "ESC in the middle");
	str("\x1b" "abc", "\\x1babc", "ESC first");
	str("abc\x7f", "abc\\x7f", "DEL last");
	str("\xc2\x9b" "c", "\\u009bc", "a C1 control (CSI)");
	str("l\xe2\x80\xaer", "l\\u202er", "a bidi override");
	str("\xe2\x80\xa8", "\\u2028", "the line separator");
	str("\xff" "a\xfe", "\\xffa\\xfe", "invalid bytes");
	str("ab\xe3\x81", "ab\\xe3\\x81", "a cut character at the end");
	str("\xc0\xaf", "\\xc0\\xaf", "an overlong form");
	str("line\nnext\ttab", "line\nnext\ttab", "LF and TAB kept");
	buf("line\nnext\ttab", ESC_LINE, "line\\x0anext\\x09tab", "ESC_LINE: one line");
	buf("a b=c\\", ESC_WORD, "a\\x20b\\x3dc\\\\", "ESC_WORD: space, = and backslash");
	buf("k=v\n", ESC_WORD, "k\\x3dv\\x0a", "ESC_WORD implies ESC_LINE");

	/* Longer than any first buffer, escapes at both ends and inside. */
	strcpy(in, "\x01");
	strcpy(want, "\\x01");
	for (i = 0; i < 300; i++) {
		strcat(in, i == 150 ? "\x1b" : "あ");
		strcat(want, i == 150 ? "\\x1b" : "あ");
	}
	strcat(in, "\\\x7f");
	strcat(want, "\\\\\\x7f");
	str(in, want, "900 bytes, escapes at the start, inside and at the end");

	/* A stream given a character in two writes, then a control. */
	if ((mem = open_memstream(&p, &n)) == NULL || (fp = esc_open(mem)) == NULL)
		return 1;
	fwrite("\xe3\x81", 1, 2, fp);
	fflush(fp);
	fwrite("\x82" "z\x1b", 1, 3, fp);
	fclose(fp);
	fclose(mem);
	is_str(p, "あz\\x1b", "a stream: a character across two writes");
	free(p);

	/* utf8_cut: a character the cut would split goes whole; bytes that
	 * are not UTF-8 (stray continuation bytes) are cut as bytes. */
	ok(utf8_cut("abc", 3, 5) == 3, "utf8_cut: shorter than max: all");
	ok(utf8_cut("aあ", 4, 2) == 1, "utf8_cut: inside a character: before it");
	ok(utf8_cut("aあ", 4, 4) == 4, "utf8_cut: at its end: all");
	ok(utf8_cut("a\xf0\x9f\x98\x80" "b", 6, 4) == 1, "utf8_cut: a 4-byte character");
	ok(utf8_cut("\x80\x80\x80\x80\x80", 5, 3) == 3, "utf8_cut: stray continuations: at max");
	ok(utf8_cut("aa\x80\x80", 4, 3) == 3, "utf8_cut: a stray continuation after ASCII");
	ok(utf8_cut("a\xe3\x81z", 4, 2) == 2, "utf8_cut: an incomplete character: as bytes");
	ok(utf8_cut("a\xc0\xaf", 3, 2) == 2, "utf8_cut: an overlong form: as bytes");

	return tap_done();
}
