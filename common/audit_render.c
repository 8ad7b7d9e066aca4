/*
 * audit_render.c — the audit report in three forms: text, a document for
 * the Security Committee (R12(2)) in Japanese with 和暦 dates or in English;
 * CSV (one row per finding, RFC 4180 through csvio); JSON.
 *
 * Invariants: every form carries the same findings in the same order; the
 * machine forms use the stable check ids and PASS/WARN/FAIL whatever the
 * language, only summary and item texts are translated.  Output goes to the
 * caller's stream; checking that it was written is the caller's business.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jukisec.h"
#include "text.h"
#include "audit.h"
#include "esc.h"
#include "csvio.h"
#include "era.h"
#include "muni.h"
#include "person.h"
#include "sign.h"
#include "timeutil.h"

/* The articles in report order, named in the regulation's words; the
 * article numbers are the municipality's (muni.h).  STATE has none: it
 * protects what the others rest on. */
static const struct {
	const char	*rule;
	int		 ref;		/* enum muni_ref, -1 none */
	const char	*en, *ja;
} article[] = {
	{ "R5.1", REF_R5_1, "the operator register", "操作者の登録簿への登録" },
	{ "R5.2", REF_R5_2, "unauthorized access", "不正アクセス行為への対応" },
	{ "R5.3", REF_R5_3, "confirmation by matching information", "照合情報による確認" },
	{ "R5.4", REF_R5_4, "nobody but registered operators", "操作者以外の者の操作の禁止" },
	{ "R5.5", REF_R5_5, "prompt change on personnel changes", "異動等の際の速やかな設定及び取消し" },
	{ "R6", REF_R6, "operation history", "操作履歴の保存" },
	{ "R7", REF_R7, "the server room", "サーバ室等の管理" },
	{ "R8", REF_R8, "faults", "障害時の対応" },
	{ "R9", REF_R9_1, "serious incidents", "重大な事態への対応" },
	{ "R10", REF_R10, "the staff's duties", "職員の責務" },
	{ "R11", REF_R11, "contracts with contractors", "委託を行う場合の措置" },
	{ "R12", REF_R12, "the Security Committee", "委員会" },
	{ "STATE", -1, "Protection of the records and settings", "記録及び設定の保護" },
};
#define NARTICLE (sizeof(article) / sizeof(article[0]))

size_t
audit_rule_rank(const char *rule)
{
	size_t	 k;

	for (k = 0; k < NARTICLE; k++)
		if (strcmp(article[k].rule, rule) == 0)
			break;
	return k;
}

static const char *const status_en[] = { "PASS", "WARN", "FAIL" };
static const char *const status_ja[] = { "適合", "要確認", "不適合" };

void
audit_date(const struct audit *a, int64_t ms, char *buf, size_t len)
{
	era_reference(a->o->now);
	era_when(ms, a->o->ja, 1, buf, len);
}

static void
count(const struct audit *a, size_t n[3])
{
	size_t	 i;

	n[0] = n[1] = n[2] = 0;
	for (i = 0; i < a->n; i++)
		n[a->f[i].status]++;
}

/* "規程第6条 操作履歴の保存" for article k. */
static void
heading(const struct audit *a, size_t k, char *buf, size_t len)
{
	char	 cite[128];

	if (article[k].ref < 0) {
		snprintf(buf, len, "%s", a->o->ja ? article[k].ja : article[k].en);
		return;
	}
	/* R9 is the whole article: its findings span its paragraphs */
	muni_cite(&a->st->conf, article[k].ref, strcmp(article[k].rule, "R9") ?
	    0 : -1, a->o->ja, cite, sizeof(cite));
	snprintf(buf, len, a->o->ja ? "%s %s" : "%s: %s", cite,
	    a->o->ja ? article[k].ja : article[k].en);
}

static void text_line(FILE *, FILE *, const char *, const char *);

/* Long: the report's header lines in the order they are printed, in
 * both languages.  out: the escaping stream over raw (esc.h). */
static void
render_head(const struct audit *a, FILE *out, FILE *raw, const char *author)
{
	const struct conf *cf = &a->st->conf;
	const struct period *p = &a->o->per;
	const int ja = a->o->ja;
	char	 date[128], d1[48], d2[48], fy[48], cite[128], tz[64];
	size_t	 n[3];
	struct tm tm;
	time_t	 t = a->o->now / 1000;

	count(a, n);
	audit_date(a, a->o->now, date, sizeof(date));
	if (localtime_r(&t, &tm) != NULL) {
		era_zone(&tm, ja, tz, sizeof(tz));
		if (*tz != '\0')
			snprintf(date + strlen(date), sizeof(date) - strlen(date),
			    ja ? "(%s)" : " %s", tz);
	}
	era_day(p->y1, p->m1, p->d1, a->o->ja, d1, sizeof(d1));
	era_day(p->y2, p->m2, p->d2, a->o->ja, d2, sizeof(d2));
	era_fiscal(p->fiscal, ja, fy, sizeof(fy));
	muni_cite(cf, REF_R12, 0, ja, cite, sizeof(cite));
	if (ja) {
		fprintf(out, "%s 住基ネット セキュリティ対策 遵守状況報告書\n",
		    muni_name(cf, MN_MUNICIPALITY, 1));
		fprintf(out, "==========================================\n\n");
		fprintf(out, "宛先: %s(%s)\n", muni_name(cf, MN_COMMITTEE, 1), cite);
		fprintf(out, "根拠: %s(%s)\n", muni_name(cf, MN_REGULATION, 1),
		    muni_name(cf, MN_NUMBER, 1));
		fputs("状態ディレクトリ: ", out);
		text_line(out, raw, a->st->dir, "\n");
		fprintf(out, "対象期間: %sから%sまで", d1, d2);
		if (p->fiscal > 0)
			fprintf(out, "(%s)", fy);
		fprintf(out, "\n作成日時: %s\n", date);
		fprintf(out, "作成者: %s\n", author ? author : "");
		fprintf(out, "操作履歴の検証: %s\n\n", a->log_keyed > 0 ?
		    "検証鍵により、記録が書き換えられていないことを確認しました" :
		    a->log_keyed < 0 ?
		    "検証鍵による確認ができませんでした(不適合。下記の操作履歴の保存の項を参照)" :
		    "検証鍵による確認は行っていません(記録の形式のみ点検)");
		fprintf(out, "概要: 点検 %zu 件 — 適合 %zu、要確認 %zu、不適合 %zu\n",
		    a->n, n[0], n[1], n[2]);
	} else {
		fprintf(out, "%s: Juki-net security measures: compliance report\n",
		    muni_name(cf, MN_MUNICIPALITY, 0));
		fprintf(out, "=============================================\n\n");
		fprintf(out, "To:           %s (%s)\n", muni_name(cf, MN_COMMITTEE, 0),
		    cite);
		fprintf(out, "Under:        %s (%s)\n", muni_name(cf, MN_REGULATION, 0),
		    muni_name(cf, MN_NUMBER, 0));
		fputs("State dir:    ", out);
		text_line(out, raw, a->st->dir, "\n");
		fprintf(out, "Period:       %s to %s", d1, d2);
		if (p->fiscal > 0)
			fprintf(out, " (%s)", fy);
		fprintf(out, "\nDate:         %s\n", date);
		fprintf(out, "Prepared by:  %s\n", author ? author : "");
		fprintf(out, "Log verified: %s\n\n", a->log_keyed > 0 ?
		    "with the verification key: the records are unchanged" :
		    a->log_keyed < 0 ?
		    "NO: the verification key was given but nothing verified with it (FAIL, see the operation history below)" :
		    "no: not checked with the verification key (the records' form only)");
		fprintf(out, "Summary: %zu checks: %zu PASS, %zu WARN, %zu FAIL.\n",
		    a->n, n[0], n[1], n[2]);
	}
}

/* The technical terms the findings cannot avoid, explained once. */
static const char *const terms[][2] = {
	{ "Record number: the number each record of the operation history bears, in order.",
	  "通番: 操作履歴の記録に順に付けた番号。" },
	{ "Verification key: the key that shows the records of the operation history unchanged.",
	  "検証鍵: 操作履歴の記録が書き換えられていないことを確かめるための鍵。" },
	{ "Closing record: the record that closes each period of the operation history; the key of a closed period is destroyed, so its records cannot be rewritten unnoticed.",
	  "区切り記録: 操作履歴を一定の期間(区切り期間)ごとに締めくくる記録。締めくくった期間の鍵は消去され、その期間の記録の書換えは必ず発見される。" },
	{ "Copy of the last record: the last record of the operation history kept apart, so that cutting records off the end is found.",
	  "最終記録の控え: 操作履歴の最後の記録を別に控えたもの。末尾の記録の切り詰めを発見するために使う。" },
};

static void
render_terms(const struct audit *a, FILE *out)
{
	size_t	 i;

	fprintf(out, "\n%s\n", a->o->ja ? "用語" : "Terms");
	for (i = 0; i < sizeof(terms) / sizeof(terms[0]); i++)
		fprintf(out, "  %s\n", terms[i][a->o->ja]);
}

/* 作成者, 確認者 and the date in 和暦, to be signed and sealed. */
static void
render_sign(const struct audit *a, FILE *out, const char *author)
{
	char	 date[48];

	era_when(a->o->now, a->o->ja, 0, date, sizeof(date));
	sign_block(out, author, date, a->o->ja);
	fprintf(out, "%s", a->o->ja ? "\n以上\n" : "\nEnd of report.\n");
}

/* s on the current line of the text, whatever it holds: a file name is the
 * state directory's data, and one with a line break in it printed as it is
 * made a line of its own, which could read as a finding.  out is the
 * document's stream over raw (esc_open), flushed first to keep the order;
 * s goes to raw escaped as one line (esc.h), then end ends the line. */
static void
text_line(FILE *out, FILE *raw, const char *s, const char *end)
{
	struct buf b = { 0 };

	esc_buf(&b, s, strlen(s), ESC_LINE);
	fflush(out);
	fwrite(b.p, 1, b.len, raw);
	buf_free(&b);
	fputs(end, out);
}

/* out: the escaping stream over raw (esc.h). */
static void
render_text(const struct audit *a, FILE *out, FILE *raw)
{
	const struct finding *f;
	const char *const *st = a->o->ja ? status_ja : status_en;
	char	 head[256], *author = NULL;
	size_t	 n[3], i, k, j;
	int	 s;

	if (a->o->author != NULL)
		author = person_label(a->reg_ok ? &a->reg : NULL, a->o->author,
		    a->o->ja);
	render_head(a, out, raw, author);
	count(a, n);
	if (n[1] + n[2] > 0) {
		fprintf(out, "%s\n", a->o->ja ? "\n対応を要する項目:" :
		    "\nNeeding action:");
		for (s = AUDIT_FAIL; s >= AUDIT_WARN; s--)
			for (i = 0; i < a->n; i++)
				if ((int)a->f[i].status == s) {
					heading(a, audit_rule_rank(a->f[i].rule),
					    head, sizeof(head));
					fprintf(out, "  [%s] %s — ", st[s], head);
					text_line(out, raw, a->f[i].summary, "\n");
				}
	}
	for (k = 0; k < NARTICLE; k++) {
		int	 seen = 0;

		for (i = 0; i < a->n; i++) {
			f = &a->f[i];
			if (strcmp(f->rule, article[k].rule) != 0)
				continue;
			if (!seen++) {
				heading(a, k, head, sizeof(head));
				fprintf(out, "\n%s\n", head);
			}
			fprintf(out, "  [%s] ", st[f->status]);
			text_line(out, raw, f->summary, "\n");
			for (j = 0; j < f->nitem; j++) {
				fputs("      - ", out);
				text_line(out, raw, f->item[j].text, "\n");
			}
		}
	}
	render_terms(a, out);
	render_sign(a, out, author);
	free(author);
}

/* s as the machine forms carry it: escaped as the text is (esc.h, one
 * line), so that a file name that is not UTF-8, the state directory's
 * data, still gives UTF-8 a parser reads, and in the same form as the
 * document shows it.  malloc'd. */
static char *
machine(const char *s)
{
	struct buf b = { 0 };

	esc_buf(&b, s, strlen(s), ESC_LINE);
	buf_add(&b, "", 1);
	return b.p;
}

static void
json_text(FILE *out, const char *s)
{
	char	*t = machine(s);

	json_put_string(out, t);
	free(t);
}

static void
join(const struct finding *f, struct buf *subj, struct buf *det)
{
	size_t	 j;

	buf_add(det, f->summary, strlen(f->summary));
	for (j = 0; j < f->nitem; j++) {
		if (j)
			buf_add(subj, " ", 1);
		buf_add(subj, f->item[j].subject, strlen(f->item[j].subject));
		buf_add(det, j ? "; " : " ", j ? 2 : 1);
		buf_add(det, f->item[j].text, strlen(f->item[j].text));
	}
	buf_add(subj, "", 1);
	buf_add(det, "", 1);
}

static void
render_csv(const struct audit *a, FILE *out)
{
	static const char *const head[] = { "rule", "check", "status",
	    "subjects", "detail" };
	const char *row[5];
	struct buf subj, det;
	size_t	 i;
	char	*s, *d;

	csv_write_record(out, head, 5);
	for (i = 0; i < a->n; i++) {
		memset(&subj, 0, sizeof(subj));
		memset(&det, 0, sizeof(det));
		join(&a->f[i], &subj, &det);
		row[0] = a->f[i].rule;
		row[1] = a->f[i].check;
		row[2] = status_en[a->f[i].status];
		row[3] = s = machine(subj.p);
		row[4] = d = machine(det.p);
		csv_write_record(out, row, 5);
		free(s);
		free(d);
		buf_free(&subj);
		buf_free(&det);
	}
}

static void
render_json(const struct audit *a, FILE *out)
{
	const struct finding *f;
	char	 t[TIME_BUFSZ];
	size_t	 n[3], i, j;

	count(a, n);
	time_format(a->o->now, t);
	fprintf(out, "{\"report\":\"jukisec-audit\",\"version\":1,\"generated\":");
	json_put_string(out, t);
	fprintf(out, ",\"state_dir\":");
	json_text(out, a->st->dir);
	fprintf(out, ",\"period\":{\"from\":\"%04d-%02d-%02d\",\"until\":"
	    "\"%04d-%02d-%02d\"}", a->o->per.y1, a->o->per.m1, a->o->per.d1,
	    a->o->per.y2, a->o->per.m2, a->o->per.d2);
	fprintf(out, ",\"log_key\":%s,\"log_verified\":%s,\"summary\":"
	    "{\"checks\":%zu,\"pass\":%zu,\"warn\":%zu,\"fail\":%zu},\n"
	    "\"findings\":[", a->o->keyfile ? "true" : "false",
	    a->log_keyed > 0 ? "true" : "false", a->n, n[0], n[1], n[2]);
	for (i = 0; i < a->n; i++) {
		f = &a->f[i];
		fprintf(out, "%s\n{\"rule\":", i ? "," : "");
		json_put_string(out, f->rule);
		fprintf(out, ",\"check\":");
		json_put_string(out, f->check);
		fprintf(out, ",\"status\":\"%s\",\"summary\":", status_en[f->status]);
		json_text(out, f->summary);
		fprintf(out, ",\"items\":[");
		for (j = 0; j < f->nitem; j++) {
			fprintf(out, "%s{\"subject\":", j ? "," : "");
			json_text(out, f->item[j].subject);
			fprintf(out, ",\"text\":");
			json_text(out, f->item[j].text);
			fprintf(out, "}");
		}
		fprintf(out, "]}");
	}
	fprintf(out, "\n]}\n");
}

int
audit_render(const struct audit *a, FILE *out)
{
	FILE	*esc;

	switch (a->o->format) {
	case AUDIT_CSV:
		render_csv(a, out);
		break;
	case AUDIT_JSON:
		render_json(a, out);
		break;
	default:
		/* the committee's document: log fields (terminal names among
		 * them) are shown, never obeyed by the terminal (esc.h) */
		esc = esc_open(out);
		render_text(a, esc, out);
		if (fclose(esc) == EOF)
			return -1;
	}
	return ferror(out) ? -1 : 0;
}
