/*
 * muni.c — the municipality settings of jukisec.conf (muni.h): their
 * Kokubunji defaults, their parsing, the commented lines jukisec-init
 * writes, and the names and citations the documents print.
 *
 * Invariants: the defaults are the words and numbers of Kokubunji City's
 * regulation (平成14年訓令第29号, as amended to 令和5年4月1日); confirm
 * items are added or overridden by id, or dropped with "off", so that a
 * state directory whose jukisec.conf predates them keeps the regulation's
 * items.  Nothing here allocates after load except through conf_free.
 */
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "conf.h"
#include "muni.h"

static const struct {
	const char	*key, *ja, *en;
} names[MUNI_NNAMES] = {
	{ "municipality", "国分寺市", "Kokubunji City" },
	{ "regulation", "国分寺市住民基本台帳ネットワークシステムセキュリティ規程",
	    "Kokubunji City Basic Resident Register Network System Security Regulation" },
	{ "regulation_number", "平成14年訓令第29号", "Directive No. 29 of 2002" },
	{ "regulation_short", "規程", "Regulation" },
	{ "register_title", "住民基本台帳ネットワークシステム端末機操作者登録簿",
	    "Juki-net terminal operator register" },
	{ "security_manager", "セキュリティ責任者", "Security Manager" },
	{ "general_manager", "総括責任者", "General Security Manager" },
	{ "mayor", "市長", "Mayor" },
	{ "committee", "国分寺市住民基本台帳ネットワークシステムセキュリティ委員会",
	    "Kokubunji City Juki-net Security Committee" },
	{ "pic_committee", "国分寺市情報システム・個人情報管理運営委員会",
	    "Kokubunji City Information System and Personal Information Management Committee" },
	{ "threat_level.1", "本人確認情報に脅威を及ぼすおそれのない事象",
	    "no threat to the residents' identification data" },
	{ "threat_level.2", "本人確認情報に脅威を及ぼすおそれの低い事象",
	    "a low risk to the residents' identification data" },
	{ "threat_level.3", "本人確認情報に脅威を及ぼすおそれの高い事象",
	    "a high risk to the residents' identification data" },
	{ "threat_level.4", "本人確認情報に脅威が及んだ事象",
	    "harm done to the residents' identification data" },
};

/* items: how many items (号) the requirement's text lists, 0 none. */
static const struct {
	const char	*label;
	struct muni_article def;
	int		 items;
} refs[MUNI_NREFS] = {
	{ "R5.1", { 5, 0, 1 }, 0 }, { "R5.2", { 5, 0, 2 }, 0 },
	{ "R5.3", { 5, 0, 3 }, 2 }, { "R5.4", { 5, 0, 4 }, 0 },
	{ "R5.5", { 5, 0, 5 }, 0 }, { "R6", { 6, 0, 0 }, 0 },
	{ "R7", { 7, 0, 0 }, 0 }, { "R8", { 8, 0, 0 }, 8 },
	{ "R9.1", { 9, 0, 1 }, 3 }, { "R9.2", { 9, 0, 2 }, 0 },
	{ "R9.3", { 9, 0, 3 }, 0 }, { "R10", { 10, 0, 0 }, 0 },
	{ "R11", { 11, 0, 0 }, 6 }, { "R12", { 12, 0, 2 }, 5 },
};

static const struct {
	const char	*id;
	enum muni_ref	 ref;
	int		 item;
	const char	*ja, *en;
} confirms[] = {
	{ "server-room", REF_R7, 0,
	    "サーバ室の管理及び入退室に関する定めが守られていること",
	    "the rules on managing and entering the server room are kept" },
	{ "fault-measures", REF_R8, 0,
	    "住基ネットに対する障害(電気的及び機械的障害、水又は蒸気、火災、地震、急激な温湿度変化等、転倒、移動等、落雷その他)を防止し、及び障害が発生した場合の対策を図る措置が講じられていること",
	    "measures are taken to prevent faults of Juki-net (electrical and mechanical, water or steam, fire, earthquake, sudden changes of temperature or humidity, toppling or movement, lightning, others) and to respond when one occurs" },
	{ "staff-duties", REF_R10, 0,
	    "住基ネットに係る業務に携わる職員が法令等の遵守、目的外使用の禁止及び秘密の保持を誓約していること",
	    "staff who work with Juki-net have pledged to follow the law, to use the data only for their duties and to keep its secrets" },
	{ "contract-1", REF_R11, 1,
	    "受託者との契約に、情報が記載された資料の保管、返還又は廃棄に関する事項が明示されていること",
	    "contracts state how materials holding the information are kept, returned or disposed of" },
	{ "contract-2", REF_R11, 2,
	    "受託者との契約に、情報が記載された資料の目的外使用、複製、複写及び第三者への提供の禁止に関する事項が明示されていること",
	    "contracts forbid using materials holding the information outside the purpose, copying them and giving them to third parties" },
	{ "contract-3", REF_R11, 3,
	    "受託者との契約に、情報の秘密保持に関する事項が明示されていること",
	    "contracts bind the contractor to keep the information secret" },
	{ "contract-4", REF_R11, 4,
	    "受託者との契約に、法令等の遵守に関する事項が明示されていること",
	    "contracts bind the contractor to follow the law" },
	{ "contract-5", REF_R11, 5,
	    "受託者との契約に、受託業務の一部を第三者に委託し、又は請け負わせる場合の制限、事前申請及び承認に関する事項が明示されていること",
	    "contracts limit subcontracting and require prior request and approval for it" },
	{ "contract-6", REF_R11, 6,
	    "受託者との契約に、事故等の報告に関する事項が明示されていること",
	    "contracts require accidents to be reported" },
};
#define NCONFIRMS	(sizeof(confirms) / sizeof(confirms[0]))
#define CONFIRM_MONTHS	12

const char *
muni_name(const struct conf *c, enum muni_name n, int ja)
{
	return c->muni.name[n][!ja];
}

const char *
muni_the(const struct conf *c, enum muni_name n, char *buf, size_t len)
{
	const char *s = muni_name(c, n, 0);

	snprintf(buf, len, "%s%s", (unsigned char)s[0] < 0x80 ? "the " : "", s);
	return buf;
}

const char *
muni_ref_label(enum muni_ref r)
{
	return refs[r].label;
}

const char *
muni_ref(const struct conf *c, enum muni_ref r, int item, int ja, char *buf,
    size_t len)
{
	const struct muni_article *a = &c->muni.article[r];
	size_t	 n;

	n = (size_t)snprintf(buf, len, ja ? "第%d条" : "Art. %d", a->art);
	if (a->sub && n < len)
		n += (size_t)snprintf(buf + n, len - n, ja ? "の%d" : "-%d", a->sub);
	if (a->para && item >= 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ja ? "第%d項" : "(%d)", a->para);
	if (item > 0 && n < len)
		snprintf(buf + n, len - n, ja ? "第%d号" : "(%d)", item);
	return buf;
}

const char *
muni_cite(const struct conf *c, enum muni_ref r, int item, int ja, char *buf,
    size_t len)
{
	size_t	 n = 0;

	if (ja)
		n = (size_t)snprintf(buf, len, "%s", muni_name(c, MN_SHORT, 1));
	if (n < len)
		muni_ref(c, r, item, ja, buf + n, len - n);
	return buf;
}

size_t
muni_confirm_count(const struct conf *c)
{
	size_t	 i, n = 0;

	for (i = 0; i < c->muni.nconfirm; i++)
		n += !c->muni.confirm[i].off;
	return n;
}

const struct confirm_item *
muni_confirm_at(const struct conf *c, size_t k)
{
	size_t	 i;

	for (i = 0; i < c->muni.nconfirm; i++)
		if (!c->muni.confirm[i].off && k-- == 0)
			return &c->muni.confirm[i];
	return NULL;
}

static struct confirm_item *
confirm_find(const struct muni *m, const char *id)
{
	size_t	 i;

	for (i = 0; i < m->nconfirm; i++)
		if (strcmp(m->confirm[i].id, id) == 0)
			return &m->confirm[i];
	return NULL;
}

const struct confirm_item *
muni_confirm_find(const struct conf *c, const char *id)
{
	const struct confirm_item *ci = confirm_find(&c->muni, id);

	return ci != NULL && !ci->off ? ci : NULL;
}

static struct confirm_item *
confirm_add(struct muni *m, const char *id)
{
	struct confirm_item *ci;

	m->confirm = xrealloc(m->confirm, (m->nconfirm + 1) * sizeof(*ci));
	ci = &m->confirm[m->nconfirm++];
	memset(ci, 0, sizeof(*ci));
	ci->id = xstrdup(id);
	return ci;
}

static void
set_text(char *t[2], const char *ja, const char *en)
{
	free(t[0]);
	free(t[1]);
	t[0] = xstrdup(ja);
	t[1] = xstrdup(en);
}

void
muni_conf_defaults(struct muni *m)
{
	struct confirm_item *ci;
	size_t	 i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < MUNI_NNAMES; i++)
		set_text(m->name[i], names[i].ja, names[i].en);
	for (i = 0; i < MUNI_NREFS; i++)
		m->article[i] = refs[i].def;
	for (i = 0; i < NCONFIRMS; i++) {
		ci = confirm_add(m, confirms[i].id);
		ci->months = CONFIRM_MONTHS;
		ci->ref = confirms[i].ref;
		ci->item = confirms[i].item;
		set_text(ci->text, confirms[i].ja, confirms[i].en);
	}
}

void
muni_conf_free(struct muni *m)
{
	size_t	 i;

	for (i = 0; i < MUNI_NNAMES; i++) {
		free(m->name[i][0]);
		free(m->name[i][1]);
	}
	for (i = 0; i < m->nconfirm; i++) {
		free(m->confirm[i].id);
		free(m->confirm[i].text[0]);
		free(m->confirm[i].text[1]);
	}
	free(m->confirm);
	memset(m, 0, sizeof(*m));
}

/* Names reach documents and printers: no control character (C0, DEL, C1)
 * and no "|" but the one separator. */
static const char *
text_bad(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return N_("contains a control character");
	return NULL;
}

/* "日本語 | English" into ja and en (en "" when absent: the Japanese
 * stands in). */
static const char *
split_text(const char *v, char **ja, char **en)
{
	const char *bar = strstr(v, " | "), *why;
	size_t	 n = bar != NULL ? (size_t)(bar - v) : strlen(v);

	if (n == 0)
		return N_("empty");
	if ((why = text_bad(v)) != NULL)
		return why;
	if (bar != NULL && (strchr(bar + 3, '|') != NULL || bar[3] == '\0'))
		return N_("not \"Japanese | English\"");
	if (memchr(v, '|', n) != NULL)
		return N_("not \"Japanese | English\"");
	*ja = xstrndup(v, n);
	*en = xstrdup(bar != NULL ? bar + 3 : *ja);
	return NULL;
}

static int
digits(const char **s, int *out)
{
	long	 v = 0;
	const char *p = *s;

	if (*p < '1' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9' && v < 1000)
		v = v * 10 + (*p++ - '0');
	if (v >= 1000)
		return -1;
	*out = (int)v;
	*s = p;
	return 0;
}

static int
word(const char **s, const char *w)
{
	size_t	 n = strlen(w);

	if (strncmp(*s, w, n) != 0)
		return 0;
	*s += n;
	return 1;
}

/* 第N条[のM][第P項], N M P in 1..999 written in ASCII digits. */
static int
article_parse(const char *s, struct muni_article *a)
{
	memset(a, 0, sizeof(*a));
	if (!word(&s, "第") || digits(&s, &a->art) == -1 || !word(&s, "条"))
		return -1;
	if (word(&s, "の") && digits(&s, &a->sub) == -1)
		return -1;
	if (word(&s, "第") && (digits(&s, &a->para) == -1 || !word(&s, "項")))
		return -1;
	return *s == '\0' ? 0 : -1;
}

/* R5.1 ... R12, with an optional (ITEM); -2 when ITEM is not one of the
 * requirement's items. */
static int
ref_parse(const char *s, size_t n, enum muni_ref *r, int *item)
{
	const char *p;
	size_t	 i, k;

	*item = 0;
	for (i = 0; i < MUNI_NREFS; i++) {
		k = strlen(refs[i].label);
		if (k > n || strncmp(s, refs[i].label, k) != 0)
			continue;
		p = s + k;
		if (p == s + n)
			break;
		if (*p++ == '(' && digits(&p, item) == 0 && *p == ')' &&
		    p + 1 == s + n)
			break;
		*item = 0;
	}
	if (i == MUNI_NREFS)
		return -1;
	*r = (enum muni_ref)i;
	return *item <= refs[i].items ? 0 : -2;
}

/* MONTHS R-NUMBER[(ITEM)] 日本語 | English, or "off". */
static const char *
confirm_parse(struct confirm_item *ci, const char *v)
{
	const char *sp, *es, *why;
	char	*num, *ja, *en;
	long long months;
	enum muni_ref r;
	int	 item, k;

	if (strcmp(v, "off") == 0) {
		ci->off = 1;
		return NULL;
	}
	if ((sp = strchr(v, ' ')) == NULL)
		return N_("not \"MONTHS R-NUMBER text\" or \"off\"");
	num = xstrndup(v, (size_t)(sp - v));
	if (strspn(num, "0123456789") != strlen(num) ||
	    parse_decimal(num, 1, 120, &months, &es) == -1) {
		free(num);
		return N_("months not a number from 1 to 120");
	}
	free(num);
	v = sp + 1;
	sp = strchr(v, ' ');
	k = ref_parse(v, sp != NULL ? (size_t)(sp - v) : strlen(v), &r, &item);
	if (k == -1)
		return N_("not an R-number of the regulation (R5.1 ... R12, e.g. R11(3))");
	if (k == -2)
		return N_("an item the requirement does not have (R5.3(1-2), "
		    "R8(1-8), R9.1(1-3), R11(1-6), R12(1-5); no other has items)");
	if (sp == NULL)
		return N_("no text after the R-number (\"MONTHS R-NUMBER "
		    "Japanese [| English]\")");
	if ((why = split_text(sp + 1, &ja, &en)) != NULL)
		return why;
	ci->off = 0;
	ci->months = (int)months;
	ci->ref = r;
	ci->item = item;
	free(ci->text[0]);
	free(ci->text[1]);
	ci->text[0] = ja;
	ci->text[1] = en;
	return NULL;
}

static int
confirm_id_ok(const char *id)
{
	size_t	 n = strlen(id);

	return n > 0 && n <= 32 && id[0] != '-' &&
	    strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* Which municipality key: SLOT_CONFIRM for any "confirm." (its id is
 * checked when set), a name's index, MUNI_NNAMES + an article's, or -1
 * for none.  muni_conf_key and muni_conf_set ask the same question. */
#define SLOT_CONFIRM	(-2)
static int
key_slot(const char *key)
{
	size_t	 i;

	if (strncmp(key, "confirm.", 8) == 0)
		return SLOT_CONFIRM;
	for (i = 0; i < MUNI_NNAMES; i++)
		if (strcmp(key, names[i].key) == 0)
			return (int)i;
	if (strncmp(key, "article.", 8) != 0)
		return -1;
	for (i = 0; i < MUNI_NREFS; i++)
		if (strcmp(key + 8, refs[i].label) == 0)
			return (int)(MUNI_NNAMES + i);
	return -1;
}

int
muni_conf_key(const char *key)
{
	return key_slot(key) != -1;
}

static int
confirm_set(struct muni *m, const char *id, const char *v, const char **why)
{
	struct confirm_item *ci;

	if (!confirm_id_ok(id)) {
		*why = N_("the id after \"confirm.\" is 1 to 32 of a-z 0-9 -, not beginning with -");
		return -1;
	}
	if ((ci = confirm_find(m, id)) == NULL)
		ci = confirm_add(m, id);
	if (ci->seen++) {
		*why = N_("set twice");
		return -1;
	}
	if ((*why = confirm_parse(ci, v)) != NULL) {
		/* a new item that did not parse is not kept */
		if (ci->text[0] == NULL)
			ci->off = 1;
		return -1;
	}
	return 0;
}

int
muni_conf_set(struct muni *m, const char *key, const char *v, const char **why)
{
	char	*ja, *en;
	int	 k = key_slot(key);
	size_t	 i;

	*why = NULL;
	if (k == SLOT_CONFIRM)
		return confirm_set(m, key + 8, v, why);
	if (k == -1)
		return 1;
	if (m->seen[k]++) {
		*why = N_("set twice");
		return -1;
	}
	if (k < MUNI_NNAMES) {
		if ((*why = split_text(v, &ja, &en)) != NULL)
			return -1;
		/* the citation is made in the documents' fixed buffers with
		 * the article after it (muni_cite): a name that filled them
		 * would push the article out and cut a character in two */
		if (k == MN_SHORT && (strlen(ja) > MUNI_SHORT_MAX ||
		    strlen(en) > MUNI_SHORT_MAX)) {
			free(ja);
			free(en);
			*why = N_("longer than 48 bytes");
			return -1;
		}
		free(m->name[k][0]);
		free(m->name[k][1]);
		m->name[k][0] = ja;
		m->name[k][1] = en;
		return 0;
	}
	i = (size_t)k - MUNI_NNAMES;
	if (article_parse(v, &m->article[i]) == -1) {
		*why = N_("not an article 第N条, 第N条第P項, 第N条のM or 第N条のM第P項 (ASCII digits)");
		return -1;
	}
	return 0;
}

int
muni_conf_write(FILE *fp)
{
	char	 ja[64];
	struct conf c;
	size_t	 i;

	memset(&c, 0, sizeof(c));
	muni_conf_defaults(&c.muni);
	fprintf(fp, "\n# Municipality: the names and article numbers every document prints,\n"
	    "# \"日本語 | English\".  The defaults below are Kokubunji City's; uncomment\n"
	    "# a line to change it, or append a municipality's profile (the source's\n"
	    "# examples/municipality has one).  jukisec.conf(5), \"Municipality\".\n");
	for (i = 0; i < MUNI_NNAMES; i++)
		fprintf(fp, "# %s = %s | %s\n", names[i].key, names[i].ja, names[i].en);
	fprintf(fp, "\n# The article each requirement of the regulation is in: 第N条[第P項]\n");
	for (i = 0; i < MUNI_NREFS; i++)
		fprintf(fp, "# article.%s = %s\n", refs[i].label,
		    muni_ref(&c, (enum muni_ref)i, 0, 1, ja, sizeof(ja)));
	fprintf(fp, "\n# R12(2): what the committee confirms by hand, recorded with\n"
	    "# jukisec-audit --confirm ID: \"MONTHS R-NUMBER[(ITEM)] 日本語 | English\";\n"
	    "# the audit warns when the last confirmation is older than MONTHS.\n"
	    "# Add items with new ids; \"confirm.ID = off\" drops one.\n");
	for (i = 0; i < NCONFIRMS; i++) {
		fprintf(fp, "# confirm.%s = %d %s", confirms[i].id, CONFIRM_MONTHS,
		    refs[confirms[i].ref].label);
		if (confirms[i].item)
			fprintf(fp, "(%d)", confirms[i].item);
		fprintf(fp, " %s | %s\n", confirms[i].ja, confirms[i].en);
	}
	muni_conf_free(&c.muni);
	return ferror(fp) ? -1 : 0;
}
