/*
 * incident_render.c — the incident report (報告書) and the list, for
 * people (text, table: local time, Japanese era dates in Japanese) and for
 * programs (CSV per RFC 4180, JSON: UTC RFC 3339 times).
 *
 * The report's language is a choice of the reader (--lang, or the locale's
 * name when the catalogue for it is not installed), not of gettext: both
 * texts are here, side by side, so a Japanese report prints on any host.
 *
 * Invariants: rendering reads only the computed state (incident.c) and
 * writes to the given stream; the caller checks the stream.  No field is
 * printed that was not validated on load (UTF-8, no NUL; only detail may
 * hold line breaks, and the text report indents each of its lines).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvio.h"
#include "era.h"
#include "esc.h"
#include "incident.h"
#include "jukisec.h"
#include "lang.h"
#include "text.h"
#include "muni.h"
#include "person.h"
#include "sign.h"
#include "register.h"
#include "timeutil.h"

#define BIT(s)	(1U << (s))
#define L(l, e, j)	lang_pick((l) == INC_JA, (e), (j))

/* Kinds, each cited with the item of Art. 9(1) it falls under (1 the
 * unrecoverable abnormality, 2 data leaked outside, 3 what the General
 * Security Manager deems necessary: %s is that title), and causes (Art. 8,
 * items 1-8), with the municipality's article numbers (muni.h).  A loss
 * or a theft is data out of the body's hands (item 2); an unauthorized
 * access is brought under item 3, since it is neither by itself. */
static const char *const type_en[NTYPES] = {
	"Unrecoverable abnormality or damage to Juki-net",
	"Data leaked outside",
	"Loss of a terminal, medium or document: data leaked outside, "
	    "or at risk of it",
	"Theft of a terminal, medium or document: data leaked outside, "
	    "or at risk of it",
	"Unauthorized access, deemed necessary by %s",
	"Deemed necessary by %s" };
static const char *const type_ja[NTYPES] = {
	"住基ネットの回復不能な異常又は損害",
	"データの外部への漏えい",
	"端末機、記録媒体又は書類の紛失による"
	    "データの外部への漏えい又はそのおそれ",
	"端末機、記録媒体又は書類の盗難による"
	    "データの外部への漏えい又はそのおそれ",
	"不正アクセス行為(%sが必要と認める事態)",
	"その他%sが必要と認める事態" };
static const int type_item[NTYPES] = { 1, 2, 2, 2, 3, 3 };
static const char *const type_short_ja[NTYPES] = { "回復不能", "漏えい",
	"紛失", "盗難", "不正アクセス", "その他" };
static const char *const cause_en[] = {
	"electrical or mechanical fault", "water or steam", "fire", "earthquake",
	"sudden change of temperature or humidity", "toppling or movement",
	"lightning", "other" };
static const char *const cause_ja[] = {
	"電気的及び機械的障害", "水又は蒸気による障害", "火災による障害",
	"地震による障害", "急激な温湿度変化等による障害", "転倒、移動等による障害",
	"落雷による障害", "その他の障害" };

/* text (one %s: the General Security Manager's title) with its citation. */
static const char *
cited(const struct conf *cf, const char *text, enum muni_ref ref, int item,
    enum inc_lang lang, char *buf, size_t len)
{
	const int ja = lang == INC_JA;
	char	 what[512], cite[128], the[MUNI_THE_BUFSZ];

	snprintf(what, sizeof(what), text, ja ?
	    muni_name(cf, MN_GENERAL_MANAGER, 1) :
	    muni_the(cf, MN_GENERAL_MANAGER, the, sizeof(the)));
	muni_cite(cf, ref, item, ja, cite, sizeof(cite));
	snprintf(buf, len, ja ? "%s(%s)" : "%s (%s)", what, cite);
	return buf;
}

static const char *const nature_en[] = { "fault", "misconduct", "negligence" };
static const char *const nature_ja[] = { "障害", "不正行為", "過失" };

/* The steps in the municipality's words: who is reported to comes from
 * its settings (muni.h), and so does the article; the APPI's are the law's. */
static const struct {
	const char	*ja, *en;	/* "%s": the name below */
	int		 name;		/* enum muni_name, -1 none */
	int		 ref;		/* enum muni_ref, -1 none */
	const char	*law_ja, *law_en;
	int		 item;		/* 号 of ref, 0 none */
} step_text[NSTEPS] = {
	{ "地方公共団体情報システム機構へ連絡", "J-LIS contacted", -1, REF_R9_1, NULL, NULL, 0 },
	{ "保守委託業者へ連絡", "maintenance contractor contacted", -1, REF_R9_1, NULL, NULL, 0 },
	{ "%sへ報告", "reported to %s", MN_MAYOR, REF_R9_1, NULL, NULL, 0 },
	{ "%sへ報告", "reported to %s", MN_GENERAL_MANAGER, REF_R9_1, NULL, NULL, 0 },
	{ "%sによる事実関係の調査", "investigated by %s", MN_MAYOR, REF_R9_2, NULL, NULL, 0 },
	{ "コミュニケーションサーバと都道府県サーバとの結合の切断",
	    "communication server disconnected from the prefectural server", -1, REF_R9_2, NULL, NULL, 0 },
	{ "結合の再開", "reconnected", -1, REF_R9_2, NULL, NULL, 0 },
	{ "%sへ報告", "reported to %s", MN_COMMITTEE, REF_R9_3, NULL, NULL, 0 },
	{ "%sへ報告", "reported to %s", MN_PIC_COMMITTEE, REF_R9_3, NULL, NULL, 0 },
	{ "終結", "closed", -1, -1, NULL, NULL, 0 },
	{ "個人情報保護委員会へ速報", "preliminary report to the PPC", -1, -1,
	    "個人情報保護法第68条第1項", "APPI Art. 68(1)", 0 },
	{ "個人情報保護委員会へ確報", "final report to the PPC", -1, -1,
	    "個人情報保護法第68条第1項", "APPI Art. 68(1)", 0 },
	{ "本人への通知", "persons concerned notified", -1, -1,
	    "個人情報保護法第68条第2項", "APPI Art. 68(2)", 0 },
	{ "再発防止策・今後の対応", "Countermeasures and next steps", -1, REF_R12,
	    NULL, NULL, 4 },
};

/* A step's name for people without its article: "市長へ報告". */
static const char *
step_what(const struct conf *cf, int step, enum inc_lang lang, char *buf,
    size_t len)
{
	const int ja = lang == INC_JA;
	const enum muni_name n = (enum muni_name)step_text[step].name;
	char	 the[MUNI_THE_BUFSZ];

	snprintf(buf, len, ja ? step_text[step].ja : step_text[step].en,
	    step_text[step].name < 0 ? "" : ja ? muni_name(cf, n, 1) :
	    muni_the(cf, n, the, sizeof(the)));
	return buf;
}

const char *
inc_step_text(const struct conf *cf, int step, enum inc_lang lang, char *buf,
    size_t len)
{
	const int ja = lang == INC_JA;
	char	 what[512], cite[128];
	const char *law = ja ? step_text[step].law_ja : step_text[step].law_en;

	step_what(cf, step, lang, what, sizeof(what));
	if (step_text[step].ref >= 0)
		law = muni_cite(cf, (enum muni_ref)step_text[step].ref,
		    step_text[step].item, ja, cite, sizeof(cite));
	if (law == NULL)
		snprintf(buf, len, "%s", what);
	else
		snprintf(buf, len, ja ? "%s(%s)" : "%s (%s)", what, law);
	return buf;
}

const char *
inc_type_label(int type, enum inc_lang lang)
{
	return lang == INC_JA ? type_short_ja[type] : inc_type_names[type];
}

enum inc_lang
inc_lang_default(void)
{
	return lang_env_ja() ? INC_JA : INC_EN;
}

/* A date (when time is 0) or date and time for people, in local time. */
static const char *
when(int64_t ms, enum inc_lang lang, int with_time, char *buf, size_t len)
{
	era_when(ms, lang != INC_EN, with_time, buf, len);
	return buf;
}

static void
indented(FILE *fp, const char *s)
{
	fputs("    ", fp);
	for (; *s != '\0'; s++) {
		putc(*s, fp);
		if (*s == '\n' && s[1] != '\0')
			fputs("    ", fp);
	}
	if (s[-1] != '\n')
		putc('\n', fp);
}

/* Long: the APPI section, its lines in the order of the form. */
static void
appi_text(FILE *fp, const struct incident *inc, enum inc_lang lang, int64_t now)
{
	static const char *const ground_en[] = { "sensitive personal data",
		"possible financial damage", "possibly for an unlawful purpose",
		"more than 100 persons", "the number of persons not known yet" };
	static const char *const ground_ja[] = { "要配慮個人情報",
		"財産的被害のおそれ", "不正の目的によるおそれ", "本人の数が100人を超える",
		"本人の数が未確定" };
	static const enum inc_step due_steps[] = { STEP_PPC_PRELIMINARY, STEP_PPC_FINAL };
	const struct inc_event *e;
	struct appi a;
	char b1[128], b2[128];
	int duty = incident_appi(inc, &a), first = 1;
	size_t i;

	fprintf(fp, "\n%s\n", L(lang,
	    "Personal-data leak (APPI Art. 68; PPC Rules Arts. 43-45):",
	    "個人情報保護法第68条による報告(同法施行規則第43条〜第45条):"));
	if (inc->persons >= 0)
		fprintf(fp, L(lang, "  Persons concerned: %lld\n", "  本人の数: %lld人\n"),
		    inc->persons);
	else
		fputs(L(lang, "  Persons concerned: not known yet\n",
		    "  本人の数: 未確定\n"), fp);
	fputs(L(lang, "  Duty to report: ", "  報告義務: "), fp);
	if (!duty)
		fputs(L(lang, "none of the grounds given\n", "なし(該当事由なし)\n"), fp);
	else {
		fputs(L(lang, "yes (", "あり("), fp);
		for (i = 0; i < 5; i++)
			if (a.grounds & (1U << i)) {
				fprintf(fp, "%s%s", first ? "" : L(lang, "; ", "、"),
				    L(lang, ground_en[i], ground_ja[i]));
				first = 0;
			}
		fputs(L(lang, ")\n", ")\n"), fp);
	}
	for (i = 0; duty && i < 2; i++) {
		int64_t due = incident_due(inc, due_steps[i], -1);
		int days = i == 0 ? INC_PRELIM_DAYS :
		    inc->unlawful ? INC_FINAL_DAYS_UNLAWFUL : INC_FINAL_DAYS;

		e = incident_made(inc, due_steps[i]);
		fprintf(fp, L(lang, "  %s due: %s (day %d counting the day of detection): ",
		    "  %s期限: %sまで(検知日を1日目として%d日目): "),
		    i == 0 ? L(lang, "Preliminary report", "速報") :
		    L(lang, "Final report", "確報"),
		    when(due, lang, 0, b1, sizeof(b1)), days);
		if (e != NULL)
			fprintf(fp, L(lang, "made %s, %s\n", "%s 済(%s)\n"),
			    when(e->at, lang, 1, b2, sizeof(b2)),
			    e->at <= due ? L(lang, "in time", "期限内") :
			    L(lang, "late", "期限後"));
		else
			fprintf(fp, "%s\n", now > due ? L(lang, "OVERDUE", "期限超過・未了") :
			    L(lang, "not yet", "未了"));
	}
	e = incident_last(inc, STEP_PERSONS_NOTIFIED);
	fputs(L(lang, "  Persons notified: ", "  本人への通知: "), fp);
	if (e != NULL)
		fprintf(fp, L(lang, "%s\n", "%s 済\n"), when(e->at, lang, 1, b2, sizeof(b2)));
	else
		fprintf(fp, "%s\n", duty ? L(lang, "not yet (promptly)", "未了(速やかに)") :
		    L(lang, "not required", "不要"));
	fputs(L(lang,
	    "  This tool tracks the deadlines; it gives no legal advice.\n",
	    "  ※本ツールは期限を管理するものであり、法的助言を行うものではありません。\n"), fp);
}

/* A person of the register by name (person.h), for the text. */
static char *
who(const struct register_ *reg, const char *id, enum inc_lang lang)
{
	return person_label(reg, id, lang == INC_JA);
}

static const char *
step_name(const struct conf *cf, int step, enum inc_lang lang, char *buf,
    size_t len)
{
	return inc_step_text(cf, step, lang, buf, len);
}

/* 作成者 (the Security Manager who recorded the incident, by name),
 * 確認者 to sign, the date in 和暦. */
static void
report_sign(FILE *fp, const struct register_ *reg, const struct incident *inc,
    enum inc_lang lang, int64_t now)
{
	char	 d[128], *p = who(reg, inc->by, lang);

	sign_block(fp, p, when(now, lang, 0, d, sizeof(d)), lang == INC_JA);
	if (lang == INC_JA)
		fputs("\n以上\n", fp);
	free(p);
}

/* The report's head: to whom, the date, from whom. */
static void
text_head(FILE *fp, const struct conf *cf, const struct register_ *reg,
    const struct incident *inc, enum inc_lang lang, int64_t now)
{
	const int ja = lang == INC_JA;
	char b1[128], tz[64] = "", t1[MUNI_THE_BUFSZ], t2[MUNI_THE_BUFSZ], *p;
	struct tm tm;

	if (era_local_tm(now, &tm))
		era_zone(&tm, ja, tz, sizeof(tz));
	fprintf(fp, "%s\n\n", L(lang,
	    "Juki-net serious incident report",
	    "住民基本台帳ネットワークシステム 重大障害等報告書"));
	if (ja)
		fprintf(fp, "%s 様\n%s 様\n", muni_name(cf, MN_MAYOR, 1),
		    muni_name(cf, MN_GENERAL_MANAGER, 1));
	else
		fprintf(fp, "To: %s and %s\n",
		    muni_the(cf, MN_MAYOR, t1, sizeof(t1)),
		    muni_the(cf, MN_GENERAL_MANAGER, t2, sizeof(t2)));
	fprintf(fp, L(lang, "Date: %s\n", "\n%s\n"), when(now, lang, 0, b1, sizeof(b1)));
	p = who(reg, inc->by, lang);
	fprintf(fp, ja ? "%s %s\n" : "From: %s %s\n",
	    muni_name(cf, MN_SECURITY_MANAGER, ja), p);
	free(p);
	fprintf(fp, L(lang, "(times are local, %s)\n\n", "(時刻は%s)\n\n"), tz);
}

/* What happened, as recorded by `new`. */
static void
text_facts(FILE *fp, const struct conf *cf, const struct incident *inc,
    enum inc_lang lang)
{
	const int ja = lang == INC_JA;
	char b1[128], sn[768];

	fprintf(fp, L(lang, "Incident: %s\n", "番号: %s\n"), inc->id);
	fprintf(fp, L(lang, "Status: %s\n", "状態: %s\n"), incident_closed(inc) ?
	    L(lang, "closed", "終結") : L(lang, "open", "対応中"));
	fprintf(fp, L(lang, "Occurred: %s\n", "発生日時: %s\n"), inc->occurred != TIME_NONE ?
	    when(inc->occurred, lang, 1, b1, sizeof(b1)) : L(lang, "unknown", "不明"));
	fprintf(fp, L(lang, "Detected: %s\n", "検知日時: %s\n"),
	    when(inc->detected, lang, 1, b1, sizeof(b1)));
	fprintf(fp, L(lang, "First reported: %s\n", "初報日時: %s\n"),
	    when(inc->recorded, lang, 1, b1, sizeof(b1)));
	fprintf(fp, L(lang, "Type: %s\n", "事態の種別: %s\n"),
	    cited(cf, L(lang, type_en[inc->type], type_ja[inc->type]), REF_R9_1,
	    type_item[inc->type], lang, sn, sizeof(sn)));
	if (inc->cause >= 0)
		fprintf(fp, L(lang, "Cause: %s\n", "障害の原因: %s\n"),
		    cited(cf, L(lang, cause_en[inc->cause], cause_ja[inc->cause]),
		    REF_R8, inc->cause + 1, lang, sn, sizeof(sn)));
	if (inc->nature >= 0)
		fprintf(fp, L(lang, "Nature: %s\n", "性質: %s\n"),
		    L(lang, nature_en[inc->nature], nature_ja[inc->nature]));
	if (inc->level > 0)
		fprintf(fp, L(lang, "Threat level: %d of 4 (%s)\n",
		    "脅威度: %d(4段階中。%s)\n"), inc->level,
		    muni_name(cf, (enum muni_name)(MN_LEVEL1 + inc->level - 1), ja));
	fprintf(fp, L(lang, "Summary: %s\n", "概要: %s\n"), inc->summary);
	if (inc->detail[0] != '\0') {
		fputs(L(lang, "Detail:\n", "詳細:\n"), fp);
		indented(fp, inc->detail);
	}
}

/* Every event, in file order, with who recorded it. */
static void
text_timeline(FILE *fp, const struct conf *cf, const struct register_ *reg,
    const struct incident *inc, enum inc_lang lang)
{
	const struct inc_event *e;
	char b1[128], sn[768], *p;
	size_t i;

	fprintf(fp, "\n%s\n", L(lang, "Timeline:", "経過:"));
	p = who(reg, inc->by, lang);
	fprintf(fp, "  %s  %s  %s\n", when(inc->recorded, lang, 1, b1, sizeof(b1)),
	    L(lang, "incident recorded", "事態を記録"), p);
	free(p);
	for (i = 0; i < inc->nev; i++) {
		e = &inc->ev[i];
		p = who(reg, e->by, lang);
		fprintf(fp, "  %s  %s  %s\n", when(e->at, lang, 1, b1, sizeof(b1)),
		    step_name(cf, e->step, lang, sn, sizeof(sn)), p);
		free(p);
		if (e->note[0] != '\0')
			fprintf(fp, L(lang, "      note%s: %s\n", "      備考%s: %s\n"),
			    e->forced ? L(lang, " (closed with outstanding steps)",
			    "(未了事項ありで終結)") : "", e->note);
	}
}

/* The steps R9.1 requires, done or not, and those outstanding. */
static void
text_duties(FILE *fp, const struct conf *cf, const struct incident *inc,
    enum inc_lang lang)
{
	const int ja = lang == INC_JA;
	unsigned out = incident_outstanding(inc);
	char sn[768], cite[128];
	size_t i;

	muni_cite(cf, REF_R9_1, -1, ja, cite, sizeof(cite));
	fprintf(fp, ja ? "\n%sによる対応状況:\n" : "\nWhat %s requires:\n", cite);
	for (i = 0; i < NSTEPS; i++) {
		unsigned b = BIT(i);

		if (i == STEP_CLOSED || i >= STEP_PPC_PRELIMINARY)
			continue;
		/* Disconnection is the Mayor's decision, not a duty. */
		if ((i == STEP_DISCONNECTED || i == STEP_RECONNECTED) &&
		    !(out & b) && !incident_last(inc, i))
			continue;
		fprintf(fp, "  [%s] %s\n", out & b ? L(lang, "  ", "未") :
		    L(lang, "ok", "済"), step_name(cf, i, lang, sn, sizeof(sn)));
	}
	if (out != 0) {
		fputs(L(lang, "Outstanding:\n", "未了:\n"), fp);
		for (i = 0; i < NSTEPS; i++)
			if (out & BIT(i))
				fprintf(fp, "  %s\n", step_name(cf, i, lang, sn,
				    sizeof(sn)));
	}
}

/* The disconnections and reconnections the Mayor ordered (R9.2). */
static void
text_disconnection(FILE *fp, const struct conf *cf, const struct incident *inc,
    enum inc_lang lang)
{
	const int ja = lang == INC_JA;
	const struct inc_event *e;
	char b1[128], cite[128], the[MUNI_THE_BUFSZ];
	size_t i;

	muni_cite(cf, REF_R9_2, 0, ja, cite, sizeof(cite));
	fprintf(fp, ja ? "\n結合の切断(%s):\n" : "\nDisconnection (%s):\n", cite);
	if ((e = incident_last(inc, STEP_DISCONNECTED)) == NULL)
		fprintf(fp, "  %s\n", L(lang, "not disconnected", "切断なし"));
	else {
		for (i = 0; i < inc->nev; i++) {
			e = &inc->ev[i];
			if (e->step == STEP_DISCONNECTED)
				fprintf(fp, ja ? "  %s %sの判断により切断: %s\n" :
				    "  disconnected %s by order of %s: %s\n",
				    when(e->at, lang, 1, b1, sizeof(b1)), ja ?
				    muni_name(cf, MN_MAYOR, 1) : muni_the(cf, MN_MAYOR,
				    the, sizeof(the)), e->note);
			else if (e->step == STEP_RECONNECTED)
				/* its note is optional: no colon before none */
				fprintf(fp, ja ? "  %s %sの判断により結合を再開%s%s\n" :
				    "  reconnected %s by order of %s%s%s\n",
				    when(e->at, lang, 1, b1, sizeof(b1)), ja ?
				    muni_name(cf, MN_MAYOR, 1) : muni_the(cf, MN_MAYOR,
				    the, sizeof(the)),
				    e->note[0] != '\0' ? ": " : "", e->note);
		}
		if (incident_disconnected(inc))
			fprintf(fp, "  %s\n", L(lang, "still disconnected", "切断中"));
	}
}

/* What is done against a recurrence (R12). */
static void
text_countermeasures(FILE *fp, const struct conf *cf,
    const struct incident *inc, enum inc_lang lang)
{
	char b1[128], sn[768];
	size_t i;

	fprintf(fp, "\n%s:\n", step_name(cf, STEP_COUNTERMEASURES, lang, sn,
	    sizeof(sn)));
	if (incident_last(inc, STEP_COUNTERMEASURES) == NULL)
		fprintf(fp, "  %s\n", L(lang, "outstanding: not given yet",
		    "未了(まだ記載されていません)"));
	for (i = 0; i < inc->nev; i++)
		if (inc->ev[i].step == STEP_COUNTERMEASURES)
			fprintf(fp, "  %s  %s\n", when(inc->ev[i].at, lang, 1, b1,
			    sizeof(b1)), inc->ev[i].note);
}

static int
report_text(FILE *fp, const struct conf *cf, const struct register_ *reg,
    const struct incident *inc, enum inc_lang lang, int64_t now)
{
	text_head(fp, cf, reg, inc, lang, now);
	text_facts(fp, cf, inc, lang);
	text_timeline(fp, cf, reg, inc, lang);
	text_duties(fp, cf, inc, lang);
	text_disconnection(fp, cf, inc, lang);
	if (incident_personal(inc))
		appi_text(fp, inc, lang, now);
	text_countermeasures(fp, cf, inc, lang);
	report_sign(fp, reg, inc, lang, now);
	return 0;
}

static void
json_time(FILE *fp, int64_t ms)
{
	char t[TIME_BUFSZ];

	if (ms == TIME_NONE) {
		fputs("null", fp);
		return;
	}
	time_format(ms, t);
	json_put_string(fp, t);
}

static void
json_steps(FILE *fp, unsigned set)
{
	int first = 1;
	size_t i;

	putc('[', fp);
	for (i = 0; i < NSTEPS; i++)
		if (set & BIT(i)) {
			if (!first)
				putc(',', fp);
			json_put_string(fp, inc_step_names[i]);
			first = 0;
		}
	putc(']', fp);
}

/* The members "detected", "reported" (the new event's time) and "by" of
 * the report and the list. */
static void
json_recorded(FILE *fp, const struct incident *inc)
{
	fputs(",\"detected\":", fp);
	json_time(fp, inc->detected);
	fputs(",\"reported\":", fp);
	json_time(fp, inc->recorded);
	fputs(",\"by\":", fp);
	json_put_string(fp, inc->by);
}

/* Long: the object's members in the order of the report. */
static void
report_json(FILE *fp, const struct incident *inc, int64_t now)
{
	struct appi a;
	size_t i;
	int duty;

	fputs("{\"id\":", fp);
	json_put_string(fp, inc->id);
	fprintf(fp, ",\"status\":\"%s\",\"type\":\"%s\",\"cause\":",
	    incident_closed(inc) ? "closed" : "open", inc_type_names[inc->type]);
	if (inc->cause >= 0)
		json_put_string(fp, inc_cause_names[inc->cause]);
	else
		fputs("null", fp);
	fputs(",\"nature\":", fp);
	if (inc->nature >= 0)
		json_put_string(fp, inc_nature_names[inc->nature]);
	else
		fputs("null", fp);
	if (inc->level > 0)
		fprintf(fp, ",\"level\":%d", inc->level);
	else
		fputs(",\"level\":null", fp);
	fputs(",\"occurred\":", fp);
	json_time(fp, inc->occurred);
	json_recorded(fp, inc);
	fputs(",\"summary\":", fp);
	json_put_string(fp, inc->summary);
	fputs(",\"detail\":", fp);
	json_put_string(fp, inc->detail);
	fprintf(fp, ",\"disconnected\":%s,\"events\":[",
	    incident_disconnected(inc) ? "true" : "false");
	for (i = 0; i < inc->nev; i++) {
		const struct inc_event *e = &inc->ev[i];

		fprintf(fp, "%s{\"step\":\"%s\",\"at\":", i ? "," : "",
		    inc_step_names[e->step]);
		json_time(fp, e->at);
		fputs(",\"recorded\":", fp);
		json_time(fp, e->recorded);
		fputs(",\"by\":", fp);
		json_put_string(fp, e->by);
		fputs(",\"note\":", fp);
		json_put_string(fp, e->note);
		fprintf(fp, ",\"forced\":%s}", e->forced ? "true" : "false");
	}
	fputs("],\"outstanding\":", fp);
	json_steps(fp, incident_outstanding(inc));
	fputs(",\"overdue\":", fp);
	json_steps(fp, incident_late(inc, now, -1));
	fputs(",\"appi\":", fp);
	if (!incident_personal(inc))
		fputs("null", fp);
	else {
		duty = incident_appi(inc, &a);
		fputs("{\"persons\":", fp);
		if (inc->persons >= 0)
			fprintf(fp, "%lld", inc->persons);
		else
			fputs("null", fp);	/* not known yet */
		fprintf(fp, ",\"sensitive\":%s,\"financial\":%s,"
		    "\"unlawful_purpose\":%s,\"duty\":%s,\"preliminary_due\":",
		    inc->sensitive ? "true" : "false",
		    inc->financial ? "true" : "false",
		    inc->unlawful ? "true" : "false", duty ? "true" : "false");
		json_time(fp, duty ? a.prelim_due : TIME_NONE);
		fputs(",\"final_due\":", fp);
		json_time(fp, duty ? a.final_due : TIME_NONE);
		putc('}', fp);
	}
	fputs("}\n", fp);
}

static int
csv_row(FILE *fp, const char *id, const char *step, const char *status,
    int64_t at, const char *by, int64_t due, const char *note)
{
	char t1[TIME_BUFSZ] = "", t2[TIME_BUFSZ] = "";
	const char *f[7];

	if (at != 0)
		time_format(at, t1);
	if (due != 0)
		time_format(due, t2);
	f[0] = id; f[1] = step; f[2] = status; f[3] = t1; f[4] = by;
	f[5] = t2; f[6] = note;
	return csv_write_record(fp, f, 7);
}

static int
report_csv(FILE *fp, const struct incident *inc, int64_t now)
{
	static const char *const hdr[] = { "incident", "step", "status", "at",
		"by", "due", "note" };
	unsigned out = incident_outstanding(inc);
	unsigned late = incident_late(inc, now, -1);
	struct appi a;
	int64_t due;
	size_t i;
	int rv, duty = incident_appi(inc, &a);

	rv = csv_write_record(fp, hdr, 7);
	rv |= csv_row(fp, inc->id, "new", "done", inc->recorded, inc->by, 0, inc->summary);
	for (i = 0; i < inc->nev; i++) {
		const struct inc_event *e = &inc->ev[i];

		due = !duty ? 0 : e->step == STEP_PPC_PRELIMINARY ? a.prelim_due :
		    e->step == STEP_PPC_FINAL ? a.final_due : 0;
		rv |= csv_row(fp, inc->id, inc_step_names[e->step],
		    e->forced ? "forced" : "done", e->at, e->by, due, e->note);
	}
	for (i = 0; i < NSTEPS; i++) {
		if (!(out & BIT(i)))
			continue;
		due = !duty ? 0 : i == STEP_PPC_PRELIMINARY ? a.prelim_due :
		    i == STEP_PPC_FINAL ? a.final_due : 0;
		rv |= csv_row(fp, inc->id, inc_step_names[i],
		    late & BIT(i) ? "overdue" : "outstanding", 0, "", due, "");
	}
	return rv;
}

int
render_report(FILE *fp, struct store *st, const struct incident *inc,
    enum inc_format fmt, enum inc_lang lang, int64_t now)
{
	struct register_ reg;
	FILE	*esc;

	era_reference(now);
	switch (fmt) {
	case FMT_CSV:
		if (report_csv(fp, inc, now) != 0)
			return -1;
		break;
	case FMT_JSON:
		report_json(fp, inc, now);
		break;
	default:
		/* for people: what the data holds is shown, never obeyed;
		 * people by name, never by login id (issue 14): without the
		 * register no report, not one that names them by id */
		if (register_load(st, &reg) != ST_OK)
			return -2;
		esc = esc_open(fp);
		report_text(esc, &st->conf, &reg, inc, lang, now);
		register_free(&reg);
		if (fclose(esc) == EOF)
			return -1;
		break;
	}
	return ferror(fp) ? -1 : 0;
}

/* A cell of the list's table, padded to w + 2 columns: widths are
 * text_width_utf8's (wcwidth under C.UTF-8), as the table's language is
 * --lang's, not the locale's. */
static void
cell(FILE *fp, const char *s, size_t w)
{
	size_t n = text_width_utf8(s);

	fputs(s, fp);
	while (n++ < w + 2)
		putc(' ', fp);
}

/* The steps of set, joined by sep: their names (cf NULL, the machine
 * formats) or, for the Japanese table, the words of the 報告書 without
 * the article (issue 14: no English id in a Japanese document). */
static void
steps_words(char *buf, size_t len, unsigned set, const char *sep,
    const struct conf *cf)
{
	char	 w[512];
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; i < NSTEPS; i++)
		if (set & BIT(i)) {
			if (buf[0] != '\0')
				strncat(buf, sep, len - strlen(buf) - 1);
			strncat(buf, cf == NULL ? inc_step_names[i] :
			    step_what(cf, (int)i, INC_JA, w, sizeof(w)),
			    len - strlen(buf) - 1);
		}
}

/* A row of the list's table: measured into w (pass 0) or printed (1). */
static void
list_table_row(FILE *fp, const struct incident *inc, enum inc_lang lang,
    unsigned o, const char *late, size_t w[6], int pass)
{
	char det[128], nout[16];
	const char *row[6];
	size_t j;

	snprintf(nout, sizeof(nout), "%u", (unsigned)__builtin_popcount(o));
	row[0] = inc->id;
	row[1] = lang == INC_JA ? (incident_closed(inc) ? "終結" : "対応中") :
	    incident_closed(inc) ? "closed" : "open";
	row[2] = lang == INC_JA ? type_short_ja[inc->type] :
	    inc_type_names[inc->type];
	row[3] = when(inc->detected, lang, 1, det, sizeof(det));
	row[4] = nout;
	row[5] = late[0] ? late : "-";
	for (j = 0; j < 6; j++) {
		if (pass == 0 && text_width_utf8(row[j]) > w[j])
			w[j] = text_width_utf8(row[j]);
		if (pass == 1)
			cell(fp, row[j], w[j]);
	}
	if (pass == 1)
		fprintf(fp, "%s\n", inc->summary);
}

/* A row of the list in CSV: out and late the steps' names. */
static void
list_csv_row(FILE *fp, const struct incident *inc, const char *out,
    const char *late)
{
	char rep[TIME_BUFSZ], dt[TIME_BUFSZ];
	const char *f[11];

	time_format(inc->detected, dt);
	time_format(inc->recorded, rep);
	f[0] = inc->id; f[1] = incident_closed(inc) ? "closed" : "open";
	f[2] = inc_type_names[inc->type];
	f[3] = inc->cause >= 0 ? inc_cause_names[inc->cause] : ""; f[4] = dt; f[5] = rep;
	f[6] = inc->by; f[7] = incident_disconnected(inc) ? "yes" : "no";
	f[8] = out; f[9] = late; f[10] = inc->summary;
	csv_write_record(fp, f, 11);
}

/* An object of the list in JSON, after a comma unless first. */
static void
list_json_row(FILE *fp, const struct incident *inc, unsigned o, unsigned l,
    int first)
{
	fprintf(fp, "%s{\"id\":\"%s\",\"status\":\"%s\",\"type\":\"%s\",\"cause\":",
	    first ? "" : ",", inc->id, incident_closed(inc) ? "closed" : "open",
	    inc_type_names[inc->type]);
	if (inc->cause >= 0)	/* none: null, as in show's JSON */
		json_put_string(fp, inc_cause_names[inc->cause]);
	else
		fputs("null", fp);
	json_recorded(fp, inc);
	fprintf(fp, ",\"disconnected\":%s,\"outstanding\":",
	    incident_disconnected(inc) ? "true" : "false");
	json_steps(fp, o);
	fputs(",\"overdue\":", fp);
	json_steps(fp, l);
	fputs(",\"summary\":", fp);
	json_put_string(fp, inc->summary);
	putc('}', fp);
}

/* Long: two passes, measure then print, a row an incident. */
int
render_list(FILE *fp, const struct conf *cf, const struct incidents *all,
    enum inc_format fmt, enum inc_lang lang, int open_only, long long hours,
    int64_t now)
{
	static const char *const hdr[] = { "id", "status", "type", "cause",
		"detected", "reported", "by", "disconnected", "outstanding",
		"overdue", "summary" };
	const char *th[7];
	char out[512], late[1024];
	size_t i, j, w[6] = { 0 };
	int pass, first = 1;
	FILE *to = fp;

	era_reference(now);
	if (fmt == FMT_TABLE)
		fp = esc_open(to);	/* for people: escaped (esc.h) */

	th[0] = L(lang, "ID", "番号");
	th[1] = L(lang, "STATUS", "状態");
	th[2] = L(lang, "TYPE", "種別");
	th[3] = L(lang, "DETECTED", "検知日時");
	th[4] = L(lang, "OUTSTANDING", "未了");
	th[5] = L(lang, "OVERDUE", "期限超過");
	th[6] = L(lang, "SUMMARY", "概要");
	if (fmt == FMT_CSV)
		csv_write_record(fp, hdr, 11);
	else if (fmt == FMT_JSON)
		putc('[', fp);
	/* Pass 0 measures the table's columns, pass 1 prints. */
	for (pass = fmt == FMT_TABLE ? 0 : 1; pass < 2; pass++) {
		if (fmt == FMT_TABLE && pass == 1) {
			for (j = 0; j < 6; j++)
				cell(fp, th[j], w[j]);
			fprintf(fp, "%s\n", th[6]);
		}
		for (j = 0; pass == 0 && j < 6; j++)
			w[j] = text_width_utf8(th[j]);
		for (i = 0; i < all->n; i++) {
			const struct incident *inc = &all->inc[i];
			unsigned o = incident_outstanding(inc);
			unsigned l = incident_late(inc, now, hours);

			if ((open_only || hours >= 0) && incident_closed(inc))
				continue;
			if (hours >= 0 && l == 0)
				continue;
			steps_words(out, sizeof(out), o, fmt == FMT_TABLE ? "," : " ",
			    NULL);
			if (fmt == FMT_TABLE && lang == INC_JA)
				steps_words(late, sizeof(late), l, "、", cf);
			else
				steps_words(late, sizeof(late), l,
				    fmt == FMT_TABLE ? "," : " ", NULL);
			if (fmt == FMT_TABLE)
				list_table_row(fp, inc, lang, o, late, w, pass);
			else if (fmt == FMT_CSV)
				list_csv_row(fp, inc, out, late);
			else {
				list_json_row(fp, inc, o, l, first);
				first = 0;
			}
		}
	}
	if (fmt == FMT_JSON)
		fputs("]\n", fp);
	if (fmt == FMT_TABLE && fclose(fp) == EOF)
		return -1;
	return ferror(to) ? -1 : 0;
}

int
incident_print(struct store *st, const char *id, int fmt, enum inc_lang lang,
    int open_only, long long hours, int64_t now)
{
	struct incidents all;
	struct incident *inc;
	int r;

	/* as step: a malformed id is a usage error before anything is read */
	if (id != NULL && incident_id_check(id, st->err) != ST_OK)
		return ST_USAGE;
	if ((r = incidents_load(st, &all)) != ST_OK)
		return r;
	if (id == NULL)
		r = render_list(stdout, &st->conf, &all, fmt < 0 ? FMT_TABLE : fmt, lang,
		    open_only, hours, now) == 0 ? ST_OK : ST_FAIL;
	else if ((inc = incident_find(&all, id)) == NULL) {
		jerr_say(st->err, ST_NO, _("%s: no such incident"), id);
		r = ST_NO;
	} else
		r = render_report(stdout, st, inc, fmt < 0 ? FMT_TEXT : fmt,
		    lang, now) == 0 ? ST_OK : ST_FAIL;
	incidents_free(&all);
	return r;
}
