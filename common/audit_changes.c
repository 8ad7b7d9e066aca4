/*
 * audit_changes.c — R5.5 in the compliance report: every change of the
 * register within the period (対象期間), as the operation log recorded it
 * (operator-add, operator-mod, operator-revoke with result ok): when, whom,
 * what, by whom, people named by the register (person.h), the change said
 * in words.
 *
 * Invariants: the log is the source (the register keeps only each row's
 * latest state); a log that could not be read to its end makes the finding
 * a FAIL, never an empty list.  The list is filled during audit_log's one
 * pass and emptied by audit_free.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "jukisec.h"
#include "audit.h"
#include "csvio.h"
#include "person.h"
#include "register_txn.h"
#include "timeutil.h"

static const struct {
	const char	*action, *en, *ja;
} verb[] = {
	{ "operator-add", "registered", "登録" },
	{ "operator-mod", "changed", "登録内容の変更" },
	{ "operator-revoke", "revoked", "取消し" },
};
#define NVERB	(sizeof(verb) / sizeof(verb[0]))

/* operator-mod's "changed:" words and operator-add's fields, in words;
 * each a format, whose %s is the manager's title (audit_manager). */
static const struct {
	const char	*tok, *en, *ja;
} word[] = {
	{ "unlock", "unlocked", "ロックの解除" },
	{ "reset-password", "password reset", "パスワードの再設定" },
	{ "reenroll", "matching information enrolled again", "照合情報の再登録" },
	{ "reason", "reason for identification code and password",
	    "識別符号及びパスワードによる確認の理由" },
	{ "instructions-given", "date of the two instructions", "指示日" },
	{ "name", "name", "氏名" },
	{ "section", "section", "所属" },
	{ "title", "title", "職名" },
	{ "expires", "expiry", "有効期限" },
	{ "method=fingerprint", "method: fingerprint", "確認方法: 指紋(照合情報)" },
	{ "method=password", "method: identification code and password",
	    "確認方法: 識別符号及びパスワード" },
	{ "method=external", "method: external verifier",
	    "確認方法: 外部の照合装置(照合情報)" },
	{ "role=operator", "as operator", "操作者として" },
	{ "role=manager", "as %s", "%sとして" },
	{ "bootstrap", "first registration at set-up", "導入時の最初の登録" },
	{ "(old", "the old credential not yet destroyed", "旧認証情報は未消去" },
};
#define NWORD	(sizeof(word) / sizeof(word[0]))

void
audit_changes_see(struct audit *a, int64_t at, const char *by,
    const char *action, const char *id, const char *result, const char *detail)
{
	struct audit_change *c;
	size_t	 k;

	if (!period_has(&a->o->per, at) || strcmp(result, "ok") != 0)
		return;
	for (k = 0; k < NVERB; k++)
		if (strcmp(verb[k].action, action) == 0)
			break;
	if (k == NVERB)
		return;
	a->chg = xrealloc(a->chg, (a->nchg + 1) * sizeof(*a->chg));
	c = &a->chg[a->nchg++];
	c->at = at;
	c->by = xstrdup(by);
	c->id = xstrdup(id);
	c->action = xstrdup(action);
	c->detail = xstrdup(detail);
}

/* The role an operator-add record's detail gives ("role=manager ..."),
 * -1 when it names none it knows. */
static int
added_role(const char *detail)
{
	const char *p;
	enum role r;
	char	*w;
	int	 k;

	for (p = detail; (p = strstr(p, "role=")) != NULL; p++)
		if (p == detail || p[-1] == ' ')
			break;
	if (p == NULL)
		return -1;
	w = xstrndup(p + 5, strcspn(p + 5, " "));
	k = role_parse(w, &r) == 0 ? (int)r : -1;
	free(w);
	return k;
}

void
audit_changes_log(struct audit *a, long long seq, const char *action,
    const char *id, const char *result, const char *detail)
{
	struct operator *o;
	struct audit_rowlog *l;
	int	 revoke = strcmp(action, "operator-revoke") == 0;
	size_t	 i;

	/* a change after the register was read is not in it (a manager at
	 * work while the audit reads the log): no disagreement */
	if (!a->reg_ok || strcmp(result, "ok") != 0 ||
	    (!revoke && strcmp(action, "operator-add") != 0) ||
	    (a->reg_seq >= 0 && seq > a->reg_seq))
		return;
	if (a->rowlog == NULL) {
		a->rowlog = xcalloc(a->reg.n + 1, sizeof(*a->rowlog));
		for (i = 0; i < a->reg.n; i++)
			a->rowlog[i] = (struct audit_rowlog){ -1, -1, -1 };
	}
	if ((o = register_find(&a->reg, id)) == NULL) {
		a->stray = xrealloc(a->stray, (a->nstray + 1) * sizeof(*a->stray));
		a->stray[a->nstray++] = (struct audit_stray){ seq, xstrdup(id),
		    revoke };
		return;
	}
	l = &a->rowlog[o - a->reg.op];
	if (revoke)
		l->revoke = seq;
	else {
		l->add = seq;
		l->role = added_role(detail);
	}
}

char *
audit_change_words(const struct audit *a, const char *detail)
{
	struct buf b = { 0 };
	const char *p = detail, *s;
	char	*tok, *w;
	size_t	 k, n = 0;

	if (strncmp(p, "changed:", 8) == 0)
		p += 8;
	while (*(p += strspn(p, " ")) != '\0') {
		tok = xstrndup(p, strcspn(p, " "));
		p += strlen(tok);
		for (k = 0; k < NWORD; k++)
			if (strcmp(word[k].tok, tok) == 0)
				break;
		free(tok);
		if (k == NWORD)
			continue;
		if (n++) {
			s = L(a, ", ", "、");
			buf_add(&b, s, strlen(s));
		}
		w = xasprintf(L(a, word[k].en, word[k].ja), audit_manager(a));
		buf_add(&b, w, strlen(w));
		free(w);
		if (word[k].tok[0] == '(')
			break;
	}
	buf_add(&b, "", 1);
	return b.p;
}

/* The detail in words: known words translated, a revocation's reason
 * kept as written (it is the manager's own text). */
static char *
what(const struct audit *a, const struct audit_change *c)
{
	struct buf b = { 0 };
	const char *s;
	char	*w;
	size_t	 k;

	for (k = 0; strcmp(verb[k].action, c->action) != 0; k++)
		;
	s = L(a, verb[k].en, verb[k].ja);
	buf_add(&b, s, strlen(s));
	if (strcmp(c->action, "operator-revoke") == 0) {
		if (*c->detail != '\0') {
			s = L(a, " (reason: ", "(理由: ");
			buf_add(&b, s, strlen(s));
			buf_add(&b, c->detail, strlen(c->detail));
			buf_add(&b, ")", 1);
		}
		buf_add(&b, "", 1);
		return b.p;
	}
	w = audit_change_words(a, c->detail);
	if (*w != '\0') {
		buf_add(&b, ": ", 2);
		buf_add(&b, w, strlen(w));
	}
	free(w);
	buf_add(&b, "", 1);
	return b.p;
}

/* operators.pending, which a register writer killed between its note and
 * its log record left (register_txn.h): an item, 1, until the next writer
 * settles it, since meanwhile the log may lack a change's record and the
 * register may not yet show a count (R6, R5.2); one the writers refuse
 * (one that does not read, an empty one too, or a register that is
 * neither) in their words, since no writer settles it until a person
 * has.  The audit only reads: it settles nothing. */
static int
pending_left(struct audit *a)
{
	if (!a->reg_pending)
		return 0;
	if (a->reg_pending == -1) {
		/* the writers' words name the directory: in Japanese, in
		 * words */
		check_item(a, PENDING_FILE, "%s", a->o->ja ? "登録簿の変更の控え"
		    "が読み取れないか、登録簿と合いません。両方を調べてから控えを"
		    "削除してください" : a->reg_note.msg);
		return 1;
	}
	/* the Japanese, the committee's, says what settles it in words */
	if (a->o->ja)
		check_item(a, PENDING_FILE, "%s", "操作履歴への記録が確定して"
		    "いない登録簿の変更があります(書込みが中断されました)。次に"
		    "登録簿を変更し、又は操作者を認証する際に確定します");
	else
		check_item(a, PENDING_FILE, "%s: a register change whose "
		    "operation-log record is not settled (a writer was "
		    "interrupted); the next operator-add, operator-mod, "
		    "operator-revoke or auth-check settles it", PENDING_FILE);
	return 1;
}

/* The change a note left made (operators.pending) may lack its record
 * yet: pending_left's WARN says so, not a FAIL here too. */
static int
held(const struct audit *a, const char *id)
{
	return a->reg_pending && strcmp(a->reg_pending_id, id) == 0;
}

/* 1 when the log covers t: at or after its first kept record (those
 * before it were pruned; a change of then has its record no more). */
static int
covered(const struct audit *a, int64_t t)
{
	return a->log_first != TIME_NONE && t != TIME_NONE && t >= a->log_first;
}

/* The item of a row added (add) or revoked at t by hand, the log
 * covering t: after the history's first record, or before it when the
 * log holds its genesis (a date no tool could have written). */
static void
unlogged_item(struct audit *a, const struct operator *o, int64_t t,
    int add, const char *who)
{
	static const char *const en[2][2] = {
		{ "%s: revoked %s, after the operation history begins, "
		  "without its operator-revoke record",
		  "%s: revoked %s, before the operation history begins, "
		  "without its operator-revoke record" },
		{ "%s: registered %s, after the operation history begins, "
		  "without its operator-add record",
		  "%s: registered %s, before the operation history begins, "
		  "without its operator-add record" } };
	static const char *const ja[2][2] = {
		{ "%s: %s に取り消されていますが、操作履歴に取消しの記録がありません",
		  "%s: 操作履歴の始まりより前の %s に取り消されていますが、操作履歴に取消しの記録がありません" },
		{ "%s: %s に登録されていますが、操作履歴に登録の記録がありません",
		  "%s: 操作履歴の始まりより前の %s に登録されていますが、操作履歴に登録の記録がありません" } };
	char	 date[64];
	int	 before = a->log_begins != TIME_NONE && t < a->log_begins;

	audit_date(a, t, date, sizeof(date));
	check_item(a, o->id, L(a, en[add][before], ja[add][before]), who,
	    date);
}

/* Row o's changes the log covers without their record: a row added or
 * revoked by hand (R5.1; SPEC: every change writes a record). */
static size_t
row_unlogged(struct audit *a, const struct operator *o,
    const struct audit_rowlog *l, const char *who)
{
	size_t	 n = 0;

	if (l->add < 0 && covered(a, o->registered_at) && !held(a, o->id)) {
		unlogged_item(a, o, o->registered_at, 1, who);
		n++;
	}
	if (l->revoke < 0 && operator_revoked(o) &&
	    register_damaged(o, REGISTER_REVAT) == NULL &&
	    covered(a, o->revoked_at) && !held(a, o->id)) {
		unlogged_item(a, o, o->revoked_at, 0, who);
		n++;
	}
	return n;
}

/* Row o against its records: a revocation undone, a role changed (no
 * tool does either); a role that does not read back is not compared. */
static size_t
row_contrary(struct audit *a, const struct operator *o,
    const struct audit_rowlog *l, const char *who)
{
	const char *op = L(a, "operator", "操作者");
	size_t	 n = 0;

	if (l->revoke >= 0 && !operator_revoked(o)) {
		check_item(a, o->id, L(a, "%s: revoked by the operation history "
		    "(seq %lld), not revoked in the register",
		    "%s: 操作履歴によれば取り消されていますが、登録簿では取り消されていません"),
		    who, l->revoke);
		n++;
	}
	if (l->add >= 0 && l->role != -1 && l->role != (int)o->role &&
	    register_damaged(o, REGISTER_ROLE) == NULL) {
		check_item(a, o->id, L(a, "%s: %s in the register, registered "
		    "as %s by the operation history (seq %lld)",
		    "%s: 登録簿では%sですが、操作履歴によれば%sとして登録されました"),
		    who, o->role == ROLE_MANAGER ? audit_manager(a) : op,
		    l->role == ROLE_MANAGER ? audit_manager(a) : op, l->add);
		n++;
	}
	return n;
}

/* Where the register and the whole log (not the period's) disagree:
 * each row, then each record whose row is gone (rows are never
 * deleted).  The number of items. */
static size_t
hand_items(struct audit *a)
{
	static const struct audit_rowlog none = { -1, -1, -1 };
	const struct audit_rowlog *l;
	const struct audit_stray *s;
	char	*who;
	size_t	 i, n = 0;

	for (i = 0; i < a->reg.n; i++) {
		l = a->rowlog != NULL ? &a->rowlog[i] : &none;
		who = person_label(&a->reg, a->reg.op[i].id, a->o->ja);
		n += row_unlogged(a, &a->reg.op[i], l, who);
		n += row_contrary(a, &a->reg.op[i], l, who);
		free(who);
	}
	for (i = 0; i < a->nstray; i++, n++) {
		s = &a->stray[i];
		check_item(a, s->id, L(a, "%s: %s by the operation history "
		    "(seq %lld), not in the register: a row was deleted",
		    "ID %s の者: 操作履歴によれば%sが、登録簿にその行がありません(行が削除されています)"),
		    s->id, a->o->ja ? (s->revoke ? "取り消されています" :
		    "登録されています") : s->revoke ? "revoked" : "registered",
		    s->seq);
	}
	return n;
}

void
audit_changes(struct audit *a, const char *subject, const char *why)
{
	const struct register_ *reg = a->reg_ok ? &a->reg : NULL;
	const struct audit_change *c;
	char	 date[64], *who, *by, *w;
	size_t	 i, hand = 0;
	int	 unsettled;

	check_begin(a, "R5.5", "register-changes");
	for (i = 0; i < a->nchg; i++) {
		c = &a->chg[i];
		audit_date(a, c->at, date, sizeof(date));
		who = person_label(reg, c->id, a->o->ja);
		by = person_label(reg, c->by, a->o->ja);
		w = what(a, c);
		check_item(a, c->id, L(a, "%s %s: %s, by %s", "%s %s: %s(%s が実施)"),
		    date, who, w, by);
		free(who);
		free(by);
		free(w);
	}
	/* a log read in part would make rows after its end look unlogged */
	if (subject == NULL && a->reg_ok)
		hand = hand_items(a);
	unsettled = pending_left(a);
	if (subject != NULL) {
		/* after the changes read before it, the place that stopped
		 * the list, as the other log checks name it */
		check_item(a, subject, "%s", why);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "Not all changes can be listed: the operation history cannot be read to its end.",
		    "操作履歴を最後まで読み込めないため、変更をすべては示せません。"));
	} else if (!a->reg_ok) {
		/* the rows the log's records would be compared with */
		audit_register_unread(a);
		check_end(a, AUDIT_FAIL, L(a,
		    "%zu change(s) of the register in the period, as the operation history records them; not checked against the register: it could not be read.",
		    "対象期間中の登録簿の変更は操作履歴によれば %zu 件です。登録簿を読み込めないため、登録簿と照合できません。"),
		    a->nchg);
	} else if (hand > 0)
		check_end(a, AUDIT_FAIL, L(a,
		    "%zu change(s) of the register in the period, as the operation history records them; %zu place(s) where the register and the operation history disagree: changed outside the tools.",
		    "対象期間中の登録簿の変更は操作履歴によれば %zu 件です。登録簿と操作履歴の合わない箇所が %zu 件あり、ツールによらずに変更されています。"),
		    a->nchg, hand);
	else
		check_end(a, unsettled ? AUDIT_WARN : AUDIT_PASS, L(a,
		    "%zu change(s) of the register in the period, as the operation history records them.",
		    "対象期間中の登録簿の変更は操作履歴によれば %zu 件です。"), a->nchg);
}

void
audit_changes_free(struct audit *a)
{
	size_t	 i;

	for (i = 0; i < a->nchg; i++) {
		free(a->chg[i].by);
		free(a->chg[i].id);
		free(a->chg[i].action);
		free(a->chg[i].detail);
	}
	free(a->chg);
	for (i = 0; i < a->nstray; i++)
		free(a->stray[i].id);
	free(a->stray);
	free(a->rowlog);
	a->chg = NULL;
	a->stray = NULL;
	a->rowlog = NULL;
	a->nchg = a->nstray = 0;
}
