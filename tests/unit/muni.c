/* Unit tests for common/muni.c: the municipality settings of jukisec.conf,
 * their defaults (Kokubunji's), citations in both languages, confirmation
 * items added, changed and dropped, and every malformed value refused with
 * file, line and key. */
#include <sys/stat.h>

#include "jukisec.h"
#include "conf.h"
#include "muni.h"
#include "tap.h"
#include "conftext.h"

static const char *
ref(const struct conf *c, enum muni_ref r, int item, int ja)
{
	static char buf[128];

	return muni_ref(c, r, item, ja, buf, sizeof(buf));
}

int
main(void)
{
	char dir[] = "/tmp/jukisec-unit-muni.XXXXXX";
	char buf[128];
	const struct confirm_item *ci;
	struct conf c;
	const char *msg;
	int st;

	umask(077);
	if (mkdtemp(dir) == NULL)
		return 3;
	snprintf(path, sizeof(path), "%s/jukisec.conf", dir);

	conf_defaults(&c, "/st");
	is_str(muni_name(&c, MN_MUNICIPALITY, 1), "国分寺市", "default municipality (ja)");
	is_str(muni_name(&c, MN_MUNICIPALITY, 0), "Kokubunji City", "default municipality (en)");
	is_str(muni_name(&c, MN_GENERAL_MANAGER, 1), "総括責任者", "Art. 3's 総括責任者");
	is_str(ref(&c, REF_R9_1, 2, 1), "第9条第1項第2号", "R9.1 item 2 (ja)");
	is_str(ref(&c, REF_R9_1, 2, 0), "Art. 9(1)(2)", "R9.1 item 2 (en)");
	is_str(ref(&c, REF_R8, 8, 1), "第8条第8号", "R8 item 8");
	is_str(ref(&c, REF_R6, 0, 0), "Art. 6", "R6 (en)");
	is_str(muni_cite(&c, REF_R9_2, 0, 1, buf, sizeof(buf)), "規程第9条第2項",
	    "a citation names the regulation in Japanese");
	is_str(muni_cite(&c, REF_R9_2, 0, 0, buf, sizeof(buf)), "Art. 9(2)",
	    "and not in English");
	is_num((long long)muni_confirm_count(&c), 9, "nine confirmation items by default");
	ci = muni_confirm_find(&c, "contract-5");
	ok(ci != NULL && ci->ref == REF_R11 && ci->item == 5 && ci->months == 12,
	    "contract-5 is R11(5), every 12 months");
	conf_free(&c);

	st = load("municipality = 若葉台市 | Wakabadai City\n"
	    "general_manager = 住基ネット総括管理者\n"
	    "article.R9.1 = 第24条の2第1項\n"
	    "article.R6 = 第20条\n"
	    "article.R5.5 = 第24条の3\n"
	    "confirm.server-room = 6 R7 サーバ室の入退室記録の確認 | server-room entry log checked\n"
	    "confirm.contract-6 = off\n"
	    "confirm.cctv = 3 R8(2) サーバ室の漏水検知器の点検 | water detectors checked\n", &c, &msg);
	ok(st == ST_OK && *msg == '\0', "a municipality's settings load (%s)", msg);
	is_str(muni_name(&c, MN_MUNICIPALITY, 0), "Wakabadai City", "its name in English");
	is_str(muni_name(&c, MN_GENERAL_MANAGER, 0), "住基ネット総括管理者",
	    "a name without English stands in both texts");
	is_str(ref(&c, REF_R9_1, 3, 1), "第24条の2第1項第3号", "a branch article (ja)");
	is_str(ref(&c, REF_R9_1, 3, 0), "Art. 24-2(1)(3)", "a branch article (en)");
	is_str(ref(&c, REF_R6, 0, 1), "第20条", "an article without paragraph");
	is_str(ref(&c, REF_R5_5, 0, 1), "第24条の3", "a branch article without paragraph (ja)");
	is_str(ref(&c, REF_R5_5, 0, 0), "Art. 24-3", "a branch article without paragraph (en)");
	is_num((long long)muni_confirm_count(&c), 9, "one item dropped, one added");
	ok(muni_confirm_find(&c, "contract-6") == NULL, "the dropped item is gone");
	ci = muni_confirm_find(&c, "server-room");
	ok(ci != NULL && ci->months == 6 && strcmp(ci->text[1], "server-room entry log checked") == 0,
	    "an item overridden by id");
	ci = muni_confirm_at(&c, 8);
	ok(ci != NULL && strcmp(ci->id, "cctv") == 0 && ci->item == 2 && ci->months == 3,
	    "the added item comes last");
	conf_free(&c);

	refused("municipality =\n", "1: municipality: empty");
	refused("municipality = 若葉台市 |\n", "1: municipality: not \"Japanese | English\"");
	refused("municipality = a | b | c\n", "1: municipality: not \"Japanese | English\"");
	refused("mayor = 市長\x1b[2J\n", "1: mayor: contains a control character");
	refused("mayor = 市長\nmayor = 区長\n", "2: mayor: set twice");
	refused("article.R9.1 = 9条\n",
	    "1: article.R9.1: not an article 第N条, 第N条第P項, 第N条のM or 第N条のM第P項 (ASCII digits)");
	refused("article.R9.1 = 第９条\n",
	    "1: article.R9.1: not an article 第N条, 第N条第P項, 第N条のM or 第N条のM第P項 (ASCII digits)");
	refused("article.R9.1 = 第9条第1項第2号\n",
	    "1: article.R9.1: not an article 第N条, 第N条第P項, 第N条のM or 第N条のM第P項 (ASCII digits)");
	refused("article.R9.1 = 第0条\n",
	    "1: article.R9.1: not an article 第N条, 第N条第P項, 第N条のM or 第N条のM第P項 (ASCII digits)");
	refused("article.R13 = 第13条\n", "1: article.R13: unknown key");
	refused("confirm.x = 0 R7 text\n", "1: confirm.x: months not a number from 1 to 120");
	refused("confirm.x = 12 R99 text\n",
	    "1: confirm.x: not an R-number of the regulation (R5.1 ... R12, e.g. R11(3))");
	refused("confirm.x = 12 R11(x) text\n",
	    "1: confirm.x: not an R-number of the regulation (R5.1 ... R12, e.g. R11(3))");
	refused("confirm.x = 12\n", "1: confirm.x: not \"MONTHS R-NUMBER text\" or \"off\"");
	refused("confirm.x = +12 R7 text\n", "1: confirm.x: months not a number from 1 to 120");
	refused("confirm.x = 12 R11(7) text\n", "1: confirm.x: an item the requirement "
	    "does not have (R5.3(1-2), R8(1-8), R9.1(1-3), R11(1-6), R12(1-5); no other has items)");
	refused("confirm.x = 12 R7(2) text\n", "1: confirm.x: an item the requirement "
	    "does not have (R5.3(1-2), R8(1-8), R9.1(1-3), R11(1-6), R12(1-5); no other has items)");
	refused("confirm.x = 12 R12(6) text\n", "1: confirm.x: an item the requirement "
	    "does not have (R5.3(1-2), R8(1-8), R9.1(1-3), R11(1-6), R12(1-5); no other has items)");
	refused("confirm.-x = 12 R7 text\n",
	    "1: confirm.-x: the id after \"confirm.\" is 1 to 32 of a-z 0-9 -, not beginning with -");
	refused("confirm.Bad = off\n",
	    "1: confirm.Bad: the id after \"confirm.\" is 1 to 32 of a-z 0-9 -, not beginning with -");
	refused("confirm.x = off\nconfirm.x = off\n", "2: confirm.x: set twice");
	refused("committee = caf\xc3\n", "1: committee: invalid UTF-8");

	unlink(path);
	rmdir(dir);
	return tap_done();
}
