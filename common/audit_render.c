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
#include "audit.h"
#include "esc.h"
#include "csvio.h"
#include "era.h"
#include "timeutil.h"

static const struct {
	const char	*rule, *en, *ja;
} article[] = {
	{ "R5.1", "Article 5(1): the operator register", "第5条第1項 操作者登録簿への登録" },
	{ "R5.2", "Article 5(2): unauthorized access", "第5条第2項 不正アクセス行為への対応" },
	{ "R5.3", "Article 5(3): biometric verification", "第5条第3項 照合情報による確認" },
	{ "R5.4", "Article 5(4): nobody but registered operators", "第5条第4項 操作者以外の者の操作の禁止" },
	{ "R5.5", "Article 5(5): prompt change on personnel changes", "第5条第5項 異動等の際の速やかな設定・取消" },
	{ "R6", "Article 6: operation history", "第6条 操作履歴の保存" },
	{ "R9", "Article 9: serious incidents", "第9条 重大な事態への対応" },
	{ "STATE", "State directory and settings", "状態ディレクトリと設定" },
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
	time_t	 t = ms / 1000;
	struct tm tm;
	char	 era[64];

	if (ms < 0 && ms % 1000 != 0)
		t--;
	if (localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (a->o->ja && era_format(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, era, sizeof(era)) == 0)
		snprintf(buf, len, "%s %02d:%02d", era, tm.tm_hour, tm.tm_min);
	else
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

static void
count(const struct audit *a, size_t n[3])
{
	size_t	 i;

	n[0] = n[1] = n[2] = 0;
	for (i = 0; i < a->n; i++)
		n[a->f[i].status]++;
}

static void
render_text(const struct audit *a, FILE *out)
{
	const struct finding *f;
	const char *const *st = a->o->ja ? status_ja : status_en;
	char	 date[64];
	size_t	 n[3], i, k, j;
	struct tm tm;
	time_t	 t = a->o->now / 1000;

	count(a, n);
	audit_date(a, a->o->now, date, sizeof(date));
	if (localtime_r(&t, &tm) != NULL && tm.tm_zone != NULL)
		snprintf(date + strlen(date), sizeof(date) - strlen(date), " %s",
		    tm.tm_zone);
	if (a->o->ja) {
		fprintf(out, "住基ネット セキュリティ対策 遵守状況報告書\n");
		fprintf(out, "==========================================\n\n");
		fprintf(out, "宛先: 住基ネットセキュリティ委員会 (第12条第2項第2号)\n");
		fprintf(out, "作成日時: %s\n", date);
		fprintf(out, "状態ディレクトリ: %s\n", a->st->dir);
		fprintf(out, "操作履歴の検証: %s\n\n", a->o->keyfile ?
		    "検証鍵により検証" : "検証鍵なし (--key-file 未指定)");
		fprintf(out, "概要: 点検 %zu 件 — 適合 %zu、要確認 %zu、不適合 %zu\n",
		    a->n, n[0], n[1], n[2]);
	} else {
		fprintf(out, "Juki-net security measures: compliance report\n");
		fprintf(out, "=============================================\n\n");
		fprintf(out, "To:              the Security Committee (R12(2))\n");
		fprintf(out, "Date:            %s\n", date);
		fprintf(out, "State directory: %s\n", a->st->dir);
		fprintf(out, "Log verified:    %s\n\n", a->o->keyfile ?
		    "with the verification key" : "no (no --key-file given)");
		fprintf(out, "Summary: %zu checks: %zu PASS, %zu WARN, %zu FAIL.\n",
		    a->n, n[0], n[1], n[2]);
	}
	if (n[1] + n[2] > 0) {
		fprintf(out, "%s\n", a->o->ja ? "\n対応を要する項目:" :
		    "\nNeeding action:");
		for (k = AUDIT_FAIL; k >= AUDIT_WARN; k--)
			for (i = 0; i < a->n; i++)
				if (a->f[i].status == k)
					fprintf(out, "  [%s] %s %s\n", st[k],
					    a->f[i].rule, a->f[i].check);
	}
	for (k = 0; k < NARTICLE; k++) {
		int	 head = 0;

		for (i = 0; i < a->n; i++) {
			f = &a->f[i];
			if (strcmp(f->rule, article[k].rule) != 0)
				continue;
			if (!head++)
				fprintf(out, "\n%s\n", a->o->ja ? article[k].ja :
				    article[k].en);
			fprintf(out, "  [%s] %s: %s\n", st[f->status], f->check,
			    f->summary);
			for (j = 0; j < f->nitem; j++)
				fprintf(out, "      - %s\n", f->item[j].text);
		}
	}
	if (a->o->ja)
		fprintf(out, "\n以上\n");
	else
		fprintf(out, "\nEnd of report.\n");
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

	csv_write_record(out, head, 5);
	for (i = 0; i < a->n; i++) {
		memset(&subj, 0, sizeof(subj));
		memset(&det, 0, sizeof(det));
		join(&a->f[i], &subj, &det);
		row[0] = a->f[i].rule;
		row[1] = a->f[i].check;
		row[2] = status_en[a->f[i].status];
		row[3] = subj.p;
		row[4] = det.p;
		csv_write_record(out, row, 5);
		buf_free(&subj);
		buf_free(&det);
	}
}

static void
json_str(FILE *out, const char *s)
{
	const unsigned char *p;

	putc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			putc(*p, out);
	}
	putc('"', out);
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
	json_str(out, t);
	fprintf(out, ",\"state_dir\":");
	json_str(out, a->st->dir);
	fprintf(out, ",\"log_key\":%s,\"summary\":{\"checks\":%zu,\"pass\":%zu,"
	    "\"warn\":%zu,\"fail\":%zu},\n\"findings\":[", a->o->keyfile ?
	    "true" : "false", a->n, n[0], n[1], n[2]);
	for (i = 0; i < a->n; i++) {
		f = &a->f[i];
		fprintf(out, "%s\n{\"rule\":", i ? "," : "");
		json_str(out, f->rule);
		fprintf(out, ",\"check\":");
		json_str(out, f->check);
		fprintf(out, ",\"status\":\"%s\",\"summary\":", status_en[f->status]);
		json_str(out, f->summary);
		fprintf(out, ",\"items\":[");
		for (j = 0; j < f->nitem; j++) {
			fprintf(out, "%s{\"subject\":", j ? "," : "");
			json_str(out, f->item[j].subject);
			fprintf(out, ",\"text\":");
			json_str(out, f->item[j].text);
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
		render_text(a, esc);
		if (fclose(esc) == EOF)
			return -1;
	}
	return ferror(out) ? -1 : 0;
}
