/*
 * audit_register.c — the register checks of jukisec-audit: R5.1 the register
 * itself, R5.2 locked persons, R5.3 biometrics or a complete password
 * exception, R5.4/R5.5 credential material matching the register.
 *
 * Invariants: called with STORE_LOCK_REGISTER held, so operators.csv and
 * credentials/ are seen as one consistent state.  Only names and file
 * metadata of credentials/ are read, never their contents.  Duplicate and
 * malformed ids already stop register_load; the checks repeat them only so
 * a laxer loader could not turn them into a silent PASS.  A person is
 * "active" as operator_active() says (not revoked, not past expiry).
 * Only a credentials/ that is not there (ENOENT) holds no material: one
 * that does not open (this user may not read it, it is a file or a
 * symbolic link) is never taken for an empty one, and the checks that
 * need it say they were not checked (creds_unread).  An item names its
 * person by the 職名 and 氏名 the register holds (person.h; its subject
 * keeps the id, for the machine forms), the method and the credential in
 * the regulation's words, never by a file name (issue 14).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "audit.h"
#include "cred.h"
#include "esc.h"
#include "era.h"
#include "person.h"
#include "timeutil.h"

/* The item of a register that does not read: the loader's message (the
 * file, its line, in the locale's language) in English; in Japanese, its
 * row and what is wrong in words, whatever the locale (issue 14). */
void
audit_register_unread(struct audit *a)
{
	char	*t;

	if (!a->o->ja) {
		check_item(a, "operators.csv", "%s", a->reg_error.msg);
		return;
	}
	t = audit_unread_ja(&a->reg_error, "登録簿", "登録簿");
	check_item(a, "operators.csv", "%s", t);
	free(t);
}

void
audit_not_checked(struct audit *a, const char *rule, const char *check)
{
	check_begin(a, rule, check);
	audit_register_unread(a);
	check_end(a, AUDIT_FAIL, "%s", L(a,
	    "Not checked: the register could not be read.",
	    "点検できません: 登録簿を読み込めませんでした。"));
}

/*
 * The names in credentials/, read once and sorted: the R5.4 and R5.5
 * checks ask about up to three names per register row, and a stat(2)
 * each cost more than the whole listing (issue 15).  cfd -1: there is no
 * credentials/, or err says why it did not open; ok 0: it could not be
 * listed, and cred_exists() asks the directory name by name as before
 * (and check_orphans() finds no file, as when it read the directory
 * itself).  err: the errno with which credentials/ did not open, but
 * ENOENT, else 0.
 */
struct creds {
	int	 cfd;
	int	 ok;
	int	 err;
	char	**name;
	size_t	 n;
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
creds_free(struct creds *c)
{
	while (c->n > 0)
		free(c->name[--c->n]);
	free(c->name);
	c->name = NULL;
}

static void
creds_read(struct creds *c, int cfd, int open_errno)
{
	DIR	*dp;
	struct dirent *de;
	size_t	 cap = 0;
	int	 fd;

	memset(c, 0, sizeof(*c));
	if (cfd == -1 && open_errno != ENOENT)
		c->err = open_errno;
	if ((c->cfd = cfd) == -1 || (fd = dup(cfd)) == -1)
		return;
	if ((dp = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((errno = 0, de = readdir(dp)) != NULL) {
		if (c->n == cap) {
			cap = cap ? cap * 2 : 64;
			c->name = xrealloc(c->name, cap * sizeof(*c->name));
		}
		c->name[c->n++] = xstrdup(de->d_name);
	}
	c->ok = errno == 0;
	closedir(dp);
	if (c->ok)
		qsort(c->name, c->n, sizeof(*c->name), by_name);
	else
		creds_free(c);
}

/* credentials/, or -1 and *err why not: ELOOP for a symbolic link, which
 * O_DIRECTORY calls ENOTDIR (a link to a directory is one). */
static int
creds_open(int dirfd, int *err)
{
	struct stat sb;
	int	 fd;

	fd = openat(dirfd, CRED_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	*err = fd == -1 ? errno : 0;
	if (*err == ENOTDIR && fstatat(dirfd, CRED_DIR, &sb,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
		*err = ELOOP;
	return fd;
}

/* 1 when credentials/NAME exists (any type: a symlink is material too). */
static int
cred_exists(const struct creds *c, const char *id, const char *ext)
{
	struct stat sb;
	char	*name;
	int	 r;

	if (c->cfd == -1)
		return 0;
	name = xasprintf("%s%s", id, ext);
	if (c->ok)
		r = bsearch(&name, c->name, c->n, sizeof(*c->name),
		    by_name) != NULL;
	else
		r = fstatat(c->cfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0;
	free(name);
	return r;
}

/*
 * Ends the finding of a check that needs credentials/ when it does not
 * open.  It stays the state's owner's alone (README "First day" 8), so a
 * member of the state's group, who audits everything else and may not
 * open it, is told once per check that it was not looked at: a WARN, to
 * be looked at and not a breach, exit 0, as the log unchecked without a
 * key.  An owner who cannot read their own credentials/, or one that is
 * no directory (a file, a symbolic link), is a state its tools cannot
 * use: an unreadable input, a FAIL.
 */
static void
creds_unread(struct audit *a, const struct creds *cr)
{
	struct stat sb;
	unsigned long me = (unsigned long)geteuid();

	if ((cr->err == EACCES || cr->err == EPERM) &&
	    fstat(a->st->dirfd, &sb) == 0 && sb.st_uid != me) {
		/* the uids for whoever runs it, in the English text; the
		 * Japanese is the committee's, in words (issue 14) */
		if (a->o->ja)
			check_end(a, AUDIT_WARN, "%s", "点検できません: この利用者"
			    "は照合情報を読み込めません。照合情報を点検するには、"
			    "状態ディレクトリの所有者として監査を実行してください。");
		else
			check_end(a, AUDIT_WARN, "Not checked: credentials/ "
			    "cannot be read by this user (uid %lu); run the audit "
			    "as the state's owner (uid %lu) to check the "
			    "credentials.", me, (unsigned long)sb.st_uid);
		return;
	}
	/* a symbolic link said as open_safe refuses one; in Japanese in
	 * words, not the path and the locale's strerror */
	if (a->o->ja)
		check_item(a, CRED_DIR, "照合情報の保存場所%s",
		    cr->err == ELOOP ? "がシンボリックリンクのため、拒否しました" :
		    cr->err == ENOTDIR ? "がディレクトリではありません" :
		    "を開けません");
	else
		check_item(a, CRED_DIR, "%s/%s: %s", a->st->dir, CRED_DIR,
		    cr->err == ELOOP ? open_safe_why(ELOOP) : strerror(cr->err));
	check_end(a, AUDIT_FAIL, "%s", L(a,
	    "Not checked: credentials/ cannot be read.",
	    "点検できません: 照合情報を読み込めません。"));
}

/* The credential file of a method that reads back (operator_method_known). */
static const char *
wanted_ext(const struct operator *op)
{
	return op->method == METHOD_PASSWORD ? EXT_PHC : EXT_TMPL;
}

/* A method in the regulation's words, as the report's register changes
 * (audit_changes.c) say it. */
static const char *
method_words(const struct audit *a, enum method m)
{
	static const char *const w[][2] = {
		{ "fingerprint", "指紋(照合情報)" },
		{ "identification code and password", "識別符号及びパスワード" },
		{ "external verifier", "外部の照合装置(照合情報)" },
	};

	return L(a, w[m][0], w[m][1]);
}

/* What a template serves: a fingerprint or an external verifier (the
 * register alone says which). */
static const char *
method_words_tmpl(const struct audit *a)
{
	return L(a, "fingerprint or external verifier",
	    "指紋又は外部の照合装置(照合情報)");
}

/* The method a credential file of op serves: op's own when it is the
 * file of that method, else what a file of its kind is for (a template
 * serves a fingerprint or an external verifier: the register no longer
 * says which). */
static const char *
cred_method(const struct audit *a, const struct operator *op, const char *ext)
{
	if (operator_method_known(op) && strcmp(ext, wanted_ext(op)) == 0)
		return method_words(a, op->method);
	if (strcmp(ext, EXT_PHC) == 0)
		return method_words(a, METHOD_PASSWORD);
	return method_words_tmpl(a);
}

/*
 * A method that does not read back is no method, not its stand-in,
 * password, which only denies (register.c): R5.3 and R5.4 find no
 * exception and no credential on it, only a person nobody is admitted as
 * (the damage itself is register-rows-complete's FAIL).  An item, and the
 * sentence a check's summary adds when it has one.  The Japanese says the
 * repair as what the Security Manager does, the English as the command.
 */
static void
no_method(struct audit *a, const struct operator *op)
{
	char	*who = person_label(&a->reg, op->id, a->o->ja);

	if (a->o->ja)
		check_item(a, op->id, "%s: 確認方法がありません: 登録簿の %zu "
		    "件目の行の確認方法を読み取れません。%sが確認方法を設定し"
		    "直すまで拒否として扱います", who, operator_row(op),
		    audit_manager(a));
	else
		check_item(a, op->id, "%s: no method: the method on "
		    "operators.csv:%zu does not read back; denied until "
		    "repaired (operator-mod -m)", who, op->line);
	free(who);
}

/* An item of register-rows-complete, what is wrong with op's row: in
 * both languages the person by the title and name the register holds
 * (person.h), a row without a name by its place in the register, never
 * the login id alone (issue 14; the subject keeps it).  The English says
 * operators.csv's line to repair. */
static void
row_item(struct audit *a, const struct operator *op, const char *why)
{
	char	*who;

	who = *op->name != '\0' ? person_label(&a->reg, op->id, a->o->ja) :
	    xasprintf(L(a, "row %zu of the register", "登録簿の %zu 件目の行"),
	    operator_row(op));
	if (!a->o->ja) {
		if (op->bad)
			check_item(a, op->id, "%s: operators.csv:%zu holds a "
			    "value that does not read back; held to the safe "
			    "side until repaired (expired, revoked, locked, "
			    "denied, an operator, or registered at a time not "
			    "known)", who, op->line);
		else
			check_item(a, op->id, "%s: %s", who, why);
		free(who);
		return;
	}
	if (op->bad)
		check_item(a, op->id, "%s: 登録簿の %zu 件目の行に読み取れない値が"
		    "あります。修正されるまで安全な側(期限切れ・取消・ロック・"
		    "拒否・操作者・登録日時不明)として扱います", who,
		    operator_row(op));
	else
		check_item(a, op->id, "%s: %s", who, why);
	free(who);
}

static const char *
no_method_summary(const struct audit *a)
{
	return L(a, "Some active persons have no method that the register "
	    "reads back: nobody is admitted on them until it is repaired.",
	    "登録簿から確認方法を読み取れない有効な者がいます。修正されるまで"
	    "認証されません。");
}

/* Ends a check whose bad summary is s, when bad, and no_method_summary's
 * sentence after it, when nomethod. */
static void
end_with_no_method(struct audit *a, enum audit_status status, size_t bad,
    const char *s, size_t nomethod, const char *good)
{
	if (bad == 0 && nomethod == 0)
		check_end(a, AUDIT_PASS, "%s", good);
	else
		check_end(a, status, "%s%s%s", bad ? s : "",
		    bad && nomethod ? " " : "",
		    nomethod ? no_method_summary(a) : "");
}

/*
 * Why by, the manager named as having registered a row (revoked 0) or
 * revoked it (1), is not one, else NULL: a valid id (the register's own
 * rule) naming a row of the register whose role is manager.  Rows are
 * history: a manager revoked or expired since still counts, and the
 * bootstrap row names itself.  The role is given once, by operator-add,
 * and no tool changes it, so a row's role now is its role when it acted;
 * one that does not read back (held as an operator, to the safe side) is
 * that row's own finding, not a fault of the rows it names.  malloc'd.
 */
static char *
by_problem(struct audit *a, const char *by, int revoked)
{
	struct operator *m;
	const char *what, *why;
	char	*who, *s;

	what = revoked ? L(a, "revoking manager", "取消の実施者") :
	    L(a, "registering manager", "登録者");
	/* the reason is the catalogue's, as for the row's own id */
	if ((why = operator_id_problem(by)) != NULL)
		return a->o->ja ? xasprintf("%sの識別符号の形式が正しくありません",
		    what) : xasprintf("the %s is not a valid identification "
		    "code (%s)", what, why);
	if ((m = register_find(&a->reg, by)) == NULL)
		return xasprintf(L(a, "the %s is not in the register (id %s)",
		    "%sが登録簿に記載のない者(ID %s)です"), what, by);
	if (m->role == ROLE_MANAGER ||
	    register_damaged(m, REGISTER_ROLE) != NULL)
		return NULL;
	who = person_label(&a->reg, by, a->o->ja);
	s = xasprintf(L(a, "the %s, %s, is not a %s", "%s(%s)は%sではありません"),
	    what, who, audit_manager(a));
	free(who);
	return s;
}

/* Why op's password row records no R5.3 exception (operator-mod(1), "The
 * register's damaged values"): the English names operators.csv's line and
 * column, the Japanese the row and what is missing.  malloc'd. */
static char *
exception_damage(struct audit *a, const struct operator *op)
{
	const char *f = operator_exception_damage(op);

	if (!a->o->ja)
		return xasprintf("operators.csv:%zu: field %s: records no R5.3 "
		    "exception; nobody is admitted on the row until another "
		    "manager repairs it (operator-mod --reason, "
		    "--instructions-given)", op->line, f);
	return xasprintf("登録簿の %zu 件目の行の%sを読み取れず、識別符号及び"
	    "パスワードによる確認の例外が記載されていません。他の%sが修正する"
	    "まで認証されません", operator_row(op),
	    strcmp(f, "exception_reason") == 0 ? "理由" :
	    strcmp(f, "approved_by") == 0 ? "承認者" : "指示日",
	    audit_manager(a));
}

/* Long: the four R5.1 findings over the loaded register, one
 * check_begin ... check_end block each, in the report's order. */
static void
check_register(struct audit *a)
{
	struct register_ *r = &a->reg;
	int64_t	 now = a->o->now;
	size_t	 i, j, nact = 0, bad = 0;
	unsigned char *dup;
	const char *why;
	char	*by;

	check_begin(a, "R5.1", "register-readable");
	for (i = 0; i < r->n; i++)
		nact += operator_active(&r->op[i], now);
	check_end(a, AUDIT_PASS, L(a,
	    "The register reads: %zu row(s), %zu active.",
	    "登録簿を読み込めます: %zu 行、うち有効 %zu 名。"),
	    r->n, nact);

	check_begin(a, "R5.1", "register-ids-unique");
	dup = xmalloc(r->n + 1);
	bad = register_dups(r, dup);
	for (i = 0; i < r->n; i++)
		if (dup[i])
			check_item(a, r->op[i].id, L(a,
			    "identification code %s appears more than once.",
			    "識別符号 %s が重複しています。"), r->op[i].id);
	free(dup);
	check_end(a, bad ? AUDIT_FAIL : AUDIT_PASS, "%s", bad ?
	    L(a, "Operators' identification codes are not unique.",
	    "操作者の識別符号が一意ではありません。") :
	    L(a, "Every operator's identification code is unique.",
	    "操作者の識別符号はすべて一意です。"));

	check_begin(a, "R5.1", "register-rows-complete");
	bad = 0;
	for (i = 0; i < r->n; i++) {
		const struct operator *op = &r->op[i];

		why = by = NULL;
		if ((why = operator_id_problem(op->id)) != NULL)
			/* the reason is the catalogue's, in the locale's
			 * language: the Japanese says it in its own words */
			why = L(a, why, "識別符号の形式が正しくありません");
		else if (op->bad) {
			row_item(a, op, NULL);
			bad++;
			continue;
		} else if (operator_exception_damage(op) != NULL)
			why = by = exception_damage(a, op);
		else if (*op->name == '\0')
			why = L(a, "no name", "氏名がありません");
		else if (op->registered_at == TIME_NONE || *op->registered_by == '\0')
			why = L(a, "no registration time or registering manager",
			    "登録日時または登録者がありません");
		else if ((by = by_problem(a, op->registered_by, 0)) != NULL)
			why = by;
		else if (operator_revoked(op) &&
		    (*op->revoked_by == '\0' || *op->revoked_reason == '\0'))
			why = L(a, "revoked without who or why",
			    "取消の実施者または理由がありません");
		else if (operator_revoked(op) &&
		    (by = by_problem(a, op->revoked_by, 1)) != NULL)
			why = by;
		else if (!operator_revoked(op) && *op->revoked_by != '\0')
			why = L(a, "revoked by someone but no revocation time",
			    "取消者があるのに取消日時がありません");
		if (why != NULL) {
			row_item(a, op, why);
			bad++;
		}
		free(by);
	}
	check_end(a, bad ? AUDIT_FAIL : AUDIT_PASS, "%s", bad ?
	    L(a, "Some register rows are incomplete.",
	    "登録簿に記載の不備な行があります。") :
	    L(a, "Every register row is complete.",
	    "登録簿の各行は記載が揃っています。"));

	check_begin(a, "R5.1", "register-active-manager");
	j = register_managers(r, now);
	if (j == 0)
		check_end(a, AUDIT_FAIL, L(a, "No active %s is registered.",
		    "有効な%sが登録されていません。"), audit_manager(a));
	else if (register_managers_able(r, &a->st->conf, now, NULL) == 0)
		/* as the gate holds the locks (register_hold_locks) */
		check_end(a, AUDIT_WARN, L(a,
		    "%1$zu active %2$s(s) registered, all locked out: nobody "
		    "can change the register or record an incident until one "
		    "is unlocked with the log verification key.",
		    "有効な%2$s %1$zu 名が登録されていますが、全員がロックされ"
		    "ています。操作履歴の検証鍵でロックを解くまで、登録簿の変更"
		    "も事態の記録もできません。"), j, audit_manager(a));
	else if (j == 1)
		/* one manager locked or gone and nobody can change the
		 * register or record an incident: a single point of failure */
		check_end(a, AUDIT_WARN, L(a,
		    "1 active %1$s registered: when they are away "
		    "or locked out, nobody can change the register or record "
		    "an incident; register a second %1$s.",
		    "有効な%1$sは 1 名のみです。不在又はロックの際に"
		    "登録簿の変更も事態の記録もできなくなるため、"
		    "2 人目の%1$sを登録してください。"), audit_manager(a));
	else
		check_end(a, AUDIT_PASS, L(a,
		    "%1$zu active %2$s(s) registered.",
		    "有効な%2$s %1$zu 名が登録されています。"), j,
		    audit_manager(a));
}

static int
is_manager(struct register_ *r, const char *id)
{
	struct operator *m = register_find(r, id);

	return m != NULL && m->role == ROLE_MANAGER;
}

/* A YYYY-MM-DD register date as people read it: 和暦 in Japanese. */
static void
day(const struct audit *a, const char *s, char *buf, size_t len)
{
	int	 y, m, d;

	if (date_parse(s, &y, &m, &d) == -1)
		snprintf(buf, len, "%s", s);
	else
		era_day(y, m, d, a->o->ja, buf, len);
}

/* 1 for an active person whose method reads back; an active one whose
 * method does not is said (no_method) and counted in *nometh, for each
 * of the R5.3 and R5.4 checks that list persons by method. */
static int
active_with_method(struct audit *a, const struct operator *op, int64_t now,
    size_t *nometh)
{
	if (!operator_active(op, now))
		return 0;
	if (!operator_method_known(op)) {
		no_method(a, op);
		(*nometh)++;
		return 0;
	}
	return 1;
}

/* Long: the R5.3 and R5.4 findings on how each person is confirmed,
 * one check_begin ... check_end block each, in the report's order. */
static void
check_methods(struct audit *a, const struct creds *cr)
{
	struct register_ *r = &a->reg;
	int64_t	 now = a->o->now;
	size_t	 i, bad = 0, nexc = 0, nometh = 0, thr;
	int	 y, m, d;
	char	 date[64], *who, *by, *text;
	const char *why;

	check_begin(a, "R5.3", "biometric-or-exception");
	for (i = 0; i < r->n; i++) {
		struct operator *op = &r->op[i];

		if (!active_with_method(a, op, now, &nometh))
			continue;
		if (op->method != METHOD_PASSWORD)
			continue;
		why = NULL;
		if (text_blank(op->exception_reason))
			why = L(a, "identification code and password without a reason",
			    "理由のない識別符号及びパスワードによる確認");
		else if (*op->approved_by == '\0')
			why = L(a, "identification code and password without an approving manager",
			    "承認した%sのない識別符号及びパスワードによる確認");
		else if (!is_manager(r, op->approved_by))
			why = L(a, "approved by someone who is not a registered %s",
			    "承認者が登録された%sではありません");
		else if (date_parse(op->instructions_date, &y, &m, &d) == -1)
			why = L(a, "no valid date for the two instructions",
			    "指示を行った日付がないか不正です");
		/* a local calendar day (SPEC), as operator-add and -mod refuse it */
		else if (local_date_future(y, m, d, now))
			why = L(a, "instructions dated in the future",
			    "指示の日付が将来です");
		if (why != NULL) {
			/* a format: it may name the manager */
			text = xasprintf(why, audit_manager(a));
			who = person_label(r, op->id, a->o->ja);
			check_item(a, op->id, "%s: %s", who, text);
			free(who);
			free(text);
			bad++;
		}
	}
	end_with_no_method(a, AUDIT_FAIL, bad,
	    L(a, "Some persons are confirmed by identification code and password without meeting the proviso's conditions.",
	    "ただし書の要件を満たさずに識別符号及びパスワードにより確認する方法による者がいます。"),
	    nometh,
	    L(a, "Every active person is confirmed by matching information, or by identification code and password meeting the proviso's conditions.",
	    "有効な者はすべて照合情報により確認し、又はただし書の要件を満たして識別符号及びパスワードにより確認する方法によっています。"));

	check_begin(a, "R5.3", "password-exceptions");
	for (i = 0; i < r->n; i++) {
		struct operator *op = &r->op[i];

		/* a row that records no exception admits nobody: not one
		 * in force (biometric-or-exception FAILs it) */
		if (!operator_active(op, now) || !operator_password(op) ||
		    !register_row_usable(r, op, now))
			continue;
		day(a, op->instructions_date, date, sizeof(date));
		who = person_label(r, op->id, a->o->ja);
		by = person_label(r, op->approved_by, a->o->ja);
		check_item(a, op->id, L(a, "%s: approved by %s, instructed %s: %s",
		    "%s: 承認者 %s、指示日 %s、理由 %s"), who, by, date,
		    op->exception_reason);
		free(who);
		free(by);
		nexc++;
	}
	thr = a->st->conf.exception_warn_threshold;
	check_end(a, nexc > thr ? AUDIT_WARN : AUDIT_PASS, L(a,
	    "%zu person(s) confirmed by identification code and password (threshold %zu).",
	    "識別符号及びパスワードにより確認する方法による者は %zu 名です(基準 %zu 名)。"), nexc, thr);

	check_begin(a, "R5.4", "credential-present");
	if (cr->err) {
		creds_unread(a, cr);
		return;
	}
	bad = nometh = 0;
	for (i = 0; i < r->n; i++) {
		struct operator *op = &r->op[i];

		if (!active_with_method(a, op, now, &nometh))
			continue;
		if (cred_exists(cr, op->id, wanted_ext(op)))
			continue;
		who = person_label(r, op->id, a->o->ja);
		check_item(a, op->id, L(a, "%s: no credential (method: %s)",
		    "%s: 照合情報がありません(確認方法: %s)"), who,
		    method_words(a, op->method));
		free(who);
		bad++;
	}
	end_with_no_method(a, AUDIT_WARN, bad,
	    L(a, "Some active persons have no credential and cannot authenticate.",
	    "照合情報がなく認証できない有効な者がいます。"), nometh,
	    L(a, "Every active person has the credential of their method.",
	    "有効な者はすべて認証方式の照合情報を持っています。"));
}

/* R5.5: no material of a person who may not use it. */
static void
check_stale(struct audit *a, const struct creds *cr)
{
	struct register_ *r = &a->reg;
	const char *ext[] = { EXT_PHC, EXT_TMPL };
	size_t	 i, bad = 0;
	int	 k, active;
	char	*who;

	check_begin(a, "R5.5", "stale-credentials");
	if (cr->err) {
		creds_unread(a, cr);
		return;
	}
	for (i = 0; i < r->n; i++) {
		struct operator *op = &r->op[i];

		active = operator_active(op, a->o->now);
		for (k = 0; k < 2; k++) {
			if (!cred_exists(cr, op->id, ext[k]))
				continue;
			/* either kind may be the person's while the method
			 * does not read back: kept, as register_reconcile
			 * keeps it (cred_live), until -m repairs it */
			if (active && (!operator_method_known(op) ||
			    strcmp(ext[k], wanted_ext(op)) == 0))
				continue;
			who = person_label(r, op->id, a->o->ja);
			check_item(a, op->id, L(a,
			    "%s: the credential remains (method: %s; %s)",
			    "%s: 照合情報が残っています(確認方法: %s、%s)"),
			    who, cred_method(a, op, ext[k]),
			    operator_revoked(op) ? L(a, "revoked", "取消済み") :
			    !active ? L(a, "expired", "有効期限切れ") :
			    L(a, "not the registered method",
			    "登録された確認方法ではない"));
			free(who);
			bad++;
		}
	}
	check_end(a, bad ? AUDIT_FAIL : AUDIT_PASS, "%s", bad ?
	    L(a, "Credential material of persons who may not use it was not destroyed.",
	    "利用できない者の照合情報が消去されていません。") :
	    L(a, "No revoked or expired person has credential material.",
	    "取消または期限切れの者の照合情報は残っていません。"));
}

/* The R5.5 and R5.2 findings on expiry and locks, one check_begin ...
 * check_end block each, in the report's order. */
static void
check_material(struct audit *a)
{
	struct register_ *r = &a->reg;
	int64_t	 now = a->o->now;
	size_t	 i, bad = 0;
	char	 date[64], *who;

	check_begin(a, "R5.5", "expired-not-revoked");
	for (i = 0; i < r->n; i++) {
		struct operator *op = &r->op[i];

		if (operator_revoked(op) || op->expires == TIME_NONE ||
		    op->expires > now)
			continue;
		who = person_label(r, op->id, a->o->ja);
		/* an expiry that did not read stands in as the earliest
		 * time (register.h): said so, never as a year 1 */
		if (register_damaged(op, REGISTER_EXPIRES) != NULL)
			check_item(a, op->id, L(a,
			    "%s: the expiry date cannot be read, not revoked",
			    "%s: 有効期限を読み取れません。取消されていません"),
			    who);
		else {
			audit_date(a, op->expires, date, sizeof(date));
			check_item(a, op->id, L(a, "%s: expired %s, not revoked",
			    "%s: %s に期限切れ、取消されていません"), who, date);
		}
		free(who);
		bad++;
	}
	check_end(a, bad ? AUDIT_WARN : AUDIT_PASS, "%s", bad ?
	    L(a, "Persons past their expiry date are still in force in the register.",
	    "有効期限を過ぎても登録簿で取消されていない者がいます。") :
	    L(a, "No person past their expiry date is left unrevoked.",
	    "有効期限を過ぎて取消されていない者はいません。"));

	check_begin(a, "R5.2", "locked-operators");
	bad = 0;
	for (i = 0; i < r->n; i++) {
		struct operator *op = &r->op[i];

		if (operator_revoked(op) || !operator_locked(op, &a->st->conf, now))
			continue;
		if (op->locked_at == TIME_NONE)
			snprintf(date, sizeof date, "%s", L(a, "(time unknown)",
			    "(日時不明)"));
		else
			audit_date(a, op->locked_at, date, sizeof(date));
		who = person_label(r, op->id, a->o->ja);
		check_item(a, op->id, L(a,
		    "%s: locked since %s after %lld failures",
		    "%s: %s から %lld 回の失敗でロック中"), who, date, op->failed);
		free(who);
		bad++;
	}
	check_end(a, bad ? AUDIT_WARN : AUDIT_PASS, L(a,
	    "%1$zu person(s) locked out, waiting for the %2$s.",
	    "ロックされ%2$sの対応を待つ者 %1$zu 名。"), bad, audit_manager(a));
}

/* An item of orphan-credentials: the file name in English; in Japanese
 * the credential of id, of kind ext (EXT_PHC or EXT_TMPL), as person.h
 * names someone the register does not hold, and the method it serves;
 * id NULL: name is no credential's, said so without its name (issue 14:
 * no file name in the committee's document; the subject keeps it). */
static void
orphan_item(struct audit *a, const char *name, const char *id,
    const char *ext)
{
	char	*who;

	if (!a->o->ja)
		check_item(a, name, "%s/%s has no register row", CRED_DIR, name);
	else if (id == NULL)
		check_item(a, name, "%s", "照合情報の保存場所に照合情報でない"
		    "ものがあります");
	else {
		who = person_label(&a->reg, id, 1);
		check_item(a, name, "%sの照合情報(確認方法: %s)があります", who,
		    strcmp(ext, EXT_PHC) == 0 ? method_words(a, METHOD_PASSWORD) :
		    method_words_tmpl(a));
		free(who);
	}
}

/* R5.4: a credential file must belong to a register row.  In the
 * listing's order (sorted), so that a report does not depend on the
 * order the file system keeps the directory in. */
static void
check_orphans(struct audit *a, const struct creds *cr)
{
	size_t	 i, bad = 0;
	char	*id, *dot;
	const char *ext;
	int	 ok;

	check_begin(a, "R5.4", "orphan-credentials");
	if (cr->err) {
		creds_unread(a, cr);
		return;
	}
	for (i = 0; i < cr->n; i++) {
		if (strcmp(cr->name[i], ".") == 0 || strcmp(cr->name[i], "..") == 0 ||
		    (cr->cfd != -1 && cred_is_template_key(a->st, cr->cfd, cr->name[i])))
			continue;
		id = xstrdup(cr->name[i]);
		ok = 0;
		ext = NULL;
		if ((dot = strrchr(id, '.')) != NULL && dot != id &&
		    (strcmp(dot, EXT_PHC) == 0 || strcmp(dot, EXT_TMPL) == 0)) {
			ext = strcmp(dot, EXT_PHC) == 0 ? EXT_PHC : EXT_TMPL;
			*dot = '\0';
			ok = register_find(&a->reg, id) != NULL;
		}
		if (!ok) {
			orphan_item(a, cr->name[i], ext != NULL ? id : NULL, ext);
			bad++;
		}
		free(id);
	}
	check_end(a, bad ? AUDIT_FAIL : AUDIT_PASS, "%s", bad ?
	    L(a, "Credential files exist for nobody in the register.",
	    "登録簿にない者の照合情報ファイルがあります。") :
	    L(a, "Every credential file belongs to a register row.",
	    "照合情報ファイルはすべて登録簿の行に対応しています。"));
}

void
audit_register(struct audit *a)
{
	static const char *const later[][2] = {
		{ "R5.1", "register-ids-unique" },
		{ "R5.1", "register-rows-complete" },
		{ "R5.1", "register-active-manager" },
		{ "R5.3", "biometric-or-exception" },
		{ "R5.3", "password-exceptions" },
		{ "R5.4", "credential-present" },
		{ "R5.5", "stale-credentials" },
		{ "R5.5", "expired-not-revoked" },
		{ "R5.2", "locked-operators" },
		{ "R5.4", "orphan-credentials" },
	};
	struct creds cr;
	size_t	 i;
	int	 cfd, err;

	if (!a->reg_ok) {
		check_begin(a, "R5.1", "register-readable");
		audit_register_unread(a);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The register cannot be read.",
		    "登録簿を読み込めません。"));
		for (i = 0; i < sizeof(later) / sizeof(later[0]); i++)
			audit_not_checked(a, later[i][0], later[i][1]);
		return;
	}
	/* locks as the gate keeps them at TIME (a clock ahead unlocks none) */
	register_hold_locks(a->st, &a->reg, a->o->now);
	cfd = creds_open(a->st->dirfd, &err);
	creds_read(&cr, cfd, err);
	check_register(a);
	check_methods(a, &cr);
	check_stale(a, &cr);
	check_material(a);
	check_orphans(a, &cr);
	creds_free(&cr);
	if (cfd != -1)
		close(cfd);
}
