/* Unit tests for common/text.c: the suite's one JSON string escaping,
 * to a buffer and to a stream, byte for byte; display width. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "csvio.h"
#include "text.h"
#include "tap.h"

static void
json(const char *s, size_t len, const char *want, const char *what)
{
	struct buf b = { 0 };

	json_add_string(&b, s, len);
	buf_add(&b, "", 1);
	is_str(b.p, want, what);
	buf_free(&b);
}

int
main(void)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp;

	json("", 0, "\"\"", "empty");
	json("tanaka", 6, "\"tanaka\"", "plain ASCII as it is");
	json("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash escaped");
	json("a\nb\tc\rd", 7, "\"a\\nb\\tc\\u000dd\"", "LF, TAB short; other C0 as \\u00XX");
	json("\x1b[2J\x7f", 5, "\"\\u001b[2J\\u007f\"", "ESC and DEL never raw");
	json("a\0b", 3, "\"a\\u0000b\"", "a NUL inside the length");
	json("端末機", strlen("端末機"), "\"端末機\"", "UTF-8 as it is");

	if ((fp = open_memstream(&p, &n)) == NULL)
		return 1;
	json_put_string(fp, "x\"\n\x7f");
	fclose(fp);
	is_str(p, "\"x\\\"\\n\\u007f\"", "json_put_string writes what json_add_string appends");
	free(p);

	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL) {
		ok(text_width("abc") == 3, "width of ASCII");
		ok(text_width("端末機") == 6, "kanji count two columns");
	} else
		ok(1, "# skip no C.UTF-8 locale");
	setlocale(LC_CTYPE, "C");
	ok(text_width_utf8("操作者 a") == 8, "text_width_utf8 under the C locale: kanji two");
	ok(text_width_utf8("ｿｳｻｼｬ") == 5, "  half-width katakana one each, as wcwidth says");
	ok(text_width_utf8("é") == 1, "  a Latin letter one");
	return tap_done();
}
