/*
 * muni.h — the municipality a state directory serves: the names and the
 * article numbers every document prints, the threat-level scale of its
 * emergency plan, and the items its committee confirms by hand (R7, R10,
 * R11).  Settings of jukisec.conf(5), section "Municipality"; the defaults
 * are Kokubunji City's, taken from its regulation (訓令第29号).
 *
 * Invariants: no renderer holds a municipality's name or article number;
 * it asks here.  A name setting is "日本語 | English" (the English half
 * optional: the Japanese then stands in both texts); an article setting is
 * 第N条[のM][第P項] with ASCII digits, its English form derived from it
 * ("Art. N-M(P)"), so the two texts cannot cite different articles.
 * Values are checked on load like every key of jukisec.conf: a malformed
 * one stops the tool naming file, line and key.
 */
#ifndef MUNI_H
#define MUNI_H

#include <stddef.h>
#include <stdio.h>

struct conf;

/* The longest regulation_short, each language: 16 kanji. */
#define MUNI_SHORT_MAX	48

enum muni_name {
	MN_MUNICIPALITY,	/* 国分寺市 */
	MN_REGULATION,		/* the regulation's title */
	MN_NUMBER,		/* 平成14年訓令第29号 */
	MN_SHORT,		/* 規程: "規程第9条"; MUNI_SHORT_MAX bytes */
	MN_REGISTER,		/* the register's title (別記様式) */
	MN_SECURITY_MANAGER,	/* セキュリティ責任者 (Art. 4) */
	MN_GENERAL_MANAGER,	/* 総括責任者 (Art. 3) */
	MN_MAYOR,		/* 市長 */
	MN_COMMITTEE,		/* the Security Committee (Art. 12) */
	MN_PIC_COMMITTEE,	/* the other committee of Art. 9(3) */
	MN_LEVEL1, MN_LEVEL2, MN_LEVEL3, MN_LEVEL4,	/* threat levels */
	MUNI_NNAMES
};

/* The regulation's requirements that documents cite (regulation/README). */
enum muni_ref {
	REF_R5_1, REF_R5_2, REF_R5_3, REF_R5_4, REF_R5_5, REF_R6, REF_R7,
	REF_R8, REF_R9_1, REF_R9_2, REF_R9_3, REF_R10, REF_R11, REF_R12,
	MUNI_NREFS
};

struct muni_article {
	int	art, sub, para;		/* 第art条のsub第para項; 0 = none */
};

/* A check the committee confirms by hand (jukisec-audit --confirm). */
struct confirm_item {
	char		*id;		/* [a-z0-9-], used with --confirm */
	int		 months;	/* a confirmation older than this: WARN */
	enum muni_ref	 ref;
	int		 item;		/* 号 of the article, 0 = none */
	char		*text[2];	/* ja, en */
	int		 off;		/* "off": removed by the settings */
	int		 seen;		/* set in this file (twice is an error) */
};

struct muni {
	char		*name[MUNI_NNAMES][2];		/* ja, en */
	struct muni_article article[MUNI_NREFS];
	struct confirm_item *confirm;
	size_t		 nconfirm;
	unsigned char	 seen[MUNI_NNAMES + MUNI_NREFS];
};

/* The Japanese (ja 1) or English half of a name setting. */
const char *muni_name(const struct conf *, enum muni_name, int ja);
/* The name for an English sentence's "to/by ...": "the Mayor", or a name
 * given in Japanese only as it stands (no article), in buf, of
 * MUNI_THE_BUFSZ bytes to hold any (a name is within a jukisec.conf
 * line, 4096 bytes at most). */
#define MUNI_THE_BUFSZ	4104
const char *muni_the(const struct conf *, enum muni_name, char *buf, size_t len);

/* The article of ref, with item 号 when item > 0: "第9条第1項第2号", or
 * "Art. 9(1)(2)"; item -1: the article alone, without its paragraph
 * ("第9条").  Writes buf and returns it. */
const char *muni_ref(const struct conf *, enum muni_ref, int item, int ja,
	    char *buf, size_t len);

/* The same with the regulation's short name first: "規程第9条第1項" (ja),
 * "Art. 9(1)" (en: the short name is not repeated in English). */
const char *muni_cite(const struct conf *, enum muni_ref, int item, int ja,
	    char *buf, size_t len);

/* Confirmation items in force (not off), in settings order. */
size_t	muni_confirm_count(const struct conf *);
const struct confirm_item *muni_confirm_at(const struct conf *, size_t);
const struct confirm_item *muni_confirm_find(const struct conf *, const char *id);

/* The R-number of ref ("R9.1"), for machine-readable output. */
const char *muni_ref_label(enum muni_ref);

/* For conf.c: defaults, one key, the commented default lines, freeing.
 * muni_conf_key says whether key is a municipality key (any "confirm."
 * one is), so that conf.c checks the value of a key that exists only.
 * muni_conf_set returns 0 set, 1 not a municipality key, -1 bad value
 * (*why set; a repeated key is "set twice"). */
void	muni_conf_defaults(struct muni *);
int	muni_conf_key(const char *key);
int	muni_conf_set(struct muni *, const char *key, const char *value,
	    const char **why);
int	muni_conf_write(FILE *);
void	muni_conf_free(struct muni *);

#endif
