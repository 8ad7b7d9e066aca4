/*
 * sign.c — the signature block of the documents (sign.h).
 */
#include <stdio.h>

#include "sign.h"

#define BLANK	"________________________________"

void
sign_block(FILE *fp, const char *author, const char *date, int ja)
{
	if (author == NULL || *author == '\0')
		author = BLANK;
	if (ja) {
		fprintf(fp, "\n作成者 職名・氏名  %-32s 印\n", author);
		fprintf(fp, "確認者 職名・氏名  %-32s 印\n", BLANK);
		fprintf(fp, "日付  %s\n", date);
	} else {
		fprintf(fp, "\nPrepared by (title, name): %s   (seal)\n", author);
		fprintf(fp, "Checked by (title, name):  %s   (seal)\n", BLANK);
		fprintf(fp, "Date: %s\n", date);
	}
}
