/*
 * sign.c — the signature block of the documents (sign.h).
 */
#include <stdio.h>

#include "sign.h"
#include "text.h"

#define BLANK	"________________________________"

void
sign_block(FILE *fp, const char *author, const char *date, int ja)
{
	size_t	 w;

	if (author == NULL || *author == '\0')
		author = BLANK;
	if (ja) {
		/* padded by display width: 職名 and 氏名 in kanji line up */
		fprintf(fp, "\n作成者 職名・氏名  %s", author);
		for (w = text_width_utf8(author); w < 32; w++)
			putc(' ', fp);
		fputs(" 印\n", fp);
		fprintf(fp, "確認者 職名・氏名  %-32s 印\n", BLANK);
		fprintf(fp, "日付  %s\n", date);
	} else {
		fprintf(fp, "\nPrepared by (title, name): %s   (seal)\n", author);
		fprintf(fp, "Checked by (title, name):  %s   (seal)\n", BLANK);
		fprintf(fp, "Date: %s\n", date);
	}
}
