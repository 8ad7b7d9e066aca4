/*
 * audit_state.c — the state directory itself: who owns it and who can read
 * it (SPEC "The state directory"), and whether jukisec.conf keeps the
 * regulation's floors.
 *
 * Invariants: modes are read with fstat/fstatat without following links;
 * the directory may be 0700 or 0750 (a dedicated group reads), files 0600
 * or 0640, key files, lock files and credentials/ contents 0600 only (a
 * lock file the group may open, it may hold against every writer); credentials/
 * itself a directory, named as none when it is not, of CRED_DIR_MODE at
 * most (the tools refuse it otherwise), every other state file and every
 * entry of credentials/ a regular file, a directory of its name included;
 * everything owned by
 * root or the user store.c trusts (the caller, or the directory's owner
 * for a member of its group).  store.c refuses writable-by-others state
 * outright; this check is stricter and only reports.  What this user may
 * not look into (credentials/ for a member of the group: it stays the
 * owner's alone) is named as not checked, never passed.  A .tmp- file
 * that is none of the writers' own (store_tmp_known), or the template
 * key's pid-named temporary of an older version, is named too, a WARN:
 * no writer removes it (orphan-credentials names those of credentials/).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "audit.h"
#include "cred.h"
#include "muni.h"
#include "oplog_priv.h"
#include "person.h"
#include "prune.h"

/* Floors below which a value breaks the regulation (FAIL) or weakens a
 * control it asks for (WARN). */
#define KDF_MEMORY_FLOOR	19456	/* OWASP Argon2id minimum, R5.3 */
#define KDF_TIME_FLOOR		2
#define PASSWORD_LENGTH_FLOOR	8
#define EPOCH_SECONDS_MAX	86400	/* a key on disk for at most a day, R6 */

static int
is_key(const char *name)
{
	return strcmp(name, "oplog.key") == 0 || strcmp(name, "template.key") == 0;
}

static int
is_lock(const char *name)
{
	return strcmp(name, "register.lock") == 0 ||
	    strcmp(name, "oplog.lock") == 0 || strcmp(name, PRUNE_LOCK) == 0;
}

/* What each file of the state directory holds, as the committee's
 * document says it (issue 14: no file name in the Japanese text); the
 * English text keeps the path. */
static const struct held {
	const char	*name, *words;
} held[] = {
	{ "operators.csv",	"登録簿" },
	{ "operators.pending",	"登録簿の変更の控え" },
	{ OPLOG_FILE,		"操作履歴" },
	{ OPLOG_HEADFILE,	"最終記録の控え" },
	{ OPLOG_KEYFILE,	"操作履歴の鍵" },
	{ OPLOG_CUTFILE,	"操作履歴の切り詰めの控え" },
	{ "template.key",	"照合情報の暗号化の鍵" },
	{ "incidents.csv",	"事態の記録" },
	{ "incidents.pending",	"事態の記録の変更の控え" },
	{ "confirmations.csv",	"確認の記録" },
	{ "confirmations.pending", "確認の記録の変更の控え" },
	{ "jukisec.conf",	"設定" },
	{ "register.lock",	"登録簿の同時の書込みを防ぐためのファイル" },
	{ "oplog.lock",		"操作履歴の同時の書込みを防ぐためのファイル" },
	{ PRUNE_LOCK,		"操作履歴の切り詰めの同時の実行を防ぐためのファイル" },
	{ CRED_DIR,		"照合情報の保存場所" },
};

/* The Japanese words for entry name of the directory walked (keys_only:
 * credentials/, else the state directory; name NULL: that directory
 * itself), dir when it is one; NULL in English.  A credential is its
 * person's, by person_label, never by the id of a row the register does
 * not hold, a directory of its name included: it stands where that
 * person's credential belongs. */
static char *
held_words(struct audit *a, const char *name, int keys_only, int dir)
{
	const char *where = keys_only ? "照合情報の保存場所" : "状態ディレクトリ";
	char	*id, *dot, *w;
	size_t	 i;

	if (!a->o->ja)
		return NULL;
	if (name == NULL)
		return xstrdup(where);
	for (i = 0; !keys_only && i < sizeof(held) / sizeof(held[0]); i++)
		if (strcmp(name, held[i].name) == 0)
			return xstrdup(held[i].words);
	if (!keys_only)
		return xasprintf(dir ? "%sの中のディレクトリ" :
		    "%sの中のその他のファイル", where);
	id = xstrdup(name);
	if ((dot = strrchr(id, '.')) == NULL || dot == id ||
	    (strcmp(dot, EXT_PHC) != 0 && strcmp(dot, EXT_TMPL) != 0))
		w = xasprintf(dir ? "%sの中のディレクトリ" :
		    "%sの中のその他のファイル", where);
	else if (*dot = '\0', !a->reg_ok)
		w = xstrdup("照合情報(登録簿を読み込めないため、誰のものか不明)");
	else if (register_find(&a->reg, id) == NULL)
		w = xstrdup("登録簿に記載のない者の照合情報");
	else {
		dot = person_label(&a->reg, id, 1);
		w = xasprintf("%sの照合情報", dot);
		free(dot);
	}
	free(id);
	return w;
}

/* What a mode beyond the allowed bits lets others do, after the words of
 * a file. */
static const char *
excess_words(mode_t excess)
{
	if ((excess & 0444) && (excess & 0222))
		return "を、権限のない者が読み書きできます";
	if (excess & 0222)
		return "を、権限のない者が書き換えられます";
	if (excess & 0444)
		return "を、権限のない者が読み取れます";
	return "に、許されていない権限が設定されています";
}

/* path (what: its Japanese words) owned or open beyond allowed: an item,
 * counted in *bad. */
static void
mode_item(struct audit *a, const char *path, const char *what,
    const struct stat *sb, mode_t allowed, size_t *bad)
{
	mode_t	 excess = sb->st_mode & 07777 & ~allowed;
	int	 owner = sb->st_uid != a->st->owner && sb->st_uid != 0;
	char	 mode[64] = "";

	if (!owner && excess == 0)
		return;
	/* the uid and the modes for whoever repairs it, in the English
	 * text; the Japanese says whose it should be and what the mode
	 * lets others do (issue 14); an entry with both faults one item */
	if (a->o->ja) {
		if (owner && excess != 0)
			check_item(a, path, "%sの所有者が、状態ディレクトリの"
			    "所有者でもシステム管理者でもなく、その%s%s", what,
			    what, excess_words(excess));
		else if (owner)
			check_item(a, path, "%sの所有者が、状態ディレクトリの"
			    "所有者でもシステム管理者でもありません", what);
		else
			check_item(a, path, "%s%s", what, excess_words(excess));
	} else {
		if (excess != 0)
			snprintf(mode, sizeof(mode), "mode %04o (at most %04o)",
			    (unsigned)(sb->st_mode & 07777), (unsigned)allowed);
		if (owner)
			check_item(a, path, "%s is owned by uid %lu%s%s", path,
			    (unsigned long)sb->st_uid, excess ? " and has " : "",
			    mode);
		else
			check_item(a, path, "%s has %s", path, mode);
	}
	(*bad)++;
}

/* path (what: its Japanese words), which this user may not look into:
 * one item, counted apart. */
static void
unchecked_item(struct audit *a, const char *path, const char *what,
    size_t *unchecked)
{
	if (a->o->ja)
		check_item(a, path, "%sは、この利用者では読み込めないため点検"
		    "していません", what);
	else
		check_item(a, path, "%s: not checked: this user (uid %lu) may "
		    "not read it", path, (unsigned long)geteuid());
	(*unchecked)++;
}

static int
is_denied(int e)
{
	return e == EACCES || e == EPERM;
}

/* 1 when path is the template key's temporary file of an older version,
 * ".KEY.new.PID" beside the key in the state directory (KEY the last
 * component of template_key), made under no lock: a kill left a copy of
 * the key, or a key never used, which no writer removes (they remove
 * TMPL_KEY_TMP, its fixed name now). */
static int
key_tmp_old(const struct audit *a, const char *path)
{
	const char *key = a->st->conf.template_key, *slash, *p;
	size_t n;

	if (path[0] != '.' || strchr(path, '/') != NULL)
		return 0;
	slash = strrchr(key, '/');
	key = slash != NULL ? slash + 1 : key;
	n = strlen(key);
	if (n == 0 || strncmp(path + 1, key, n) != 0 ||
	    strncmp(path + 1 + n, ".new.", 5) != 0)
		return 0;
	p = path + 1 + n + 5;
	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* A temporary file of the state directory or of credentials/ that no
 * writer removes: what a writer of an older version (a random name) left
 * when it was killed before its rename, a copy of the register, of a note
 * or of a credential.  The writers' own (store_tmp_known, by the path in
 * the directory) are a writer's at work, or go with the next writer.
 * Such a file is an item, counted in *left. */
static void
leftover_item(struct audit *a, const char *path, const char *name,
    size_t *left)
{
	if ((strncmp(name, ".tmp-", 5) != 0 || store_tmp_known(path)) &&
	    !key_tmp_old(a, path))
		return;
	if (a->o->ja)
		check_item(a, path, "%s", "状態ディレクトリの中に、中断された"
		    "書込みが残した一時ファイルがあります");
	else
		check_item(a, path, "%s: a temporary file an interrupted writer "
		    "left, which no writer removes", path);
	(*left)++;
}

/* An entry of a directory walked that is not walked as a directory
 * (as_dir): credentials/ as a file, a link or device, or a directory with
 * a state file's name or in credentials/, else its mode. */
static void
file_item(struct audit *a, const char *path, const char *what,
    const char *name, int keys_only, const struct stat *sb, size_t *bad)
{
	if (!keys_only && strcmp(name, CRED_DIR) == 0) {
		check_item(a, path, L(a, "%s is not a directory",
		    "%sがディレクトリではありません"), a->o->ja ? what : path);
		(*bad)++;
	} else if (!S_ISREG(sb->st_mode)) {
		check_item(a, path, L(a, "%s is not a regular file",
		    "%sは通常のファイルではありません"), a->o->ja ? what : path);
		(*bad)++;
	} else {
		mode_item(a, path, what, sb,
		    keys_only || is_key(name) || is_lock(name) ? 0600 : 0640,
		    bad);
		/* what the writers replace or destroy by one name (the
		 * log's evolving key, a credential) lives on under another */
		if (sb->st_nlink > 1 && (keys_only || strcmp(name, "oplog.key") == 0)) {
			check_item(a, path, L(a, "%s has other hard links: "
			    "what it held stays under them when it is replaced",
			    "%sに別のハードリンクがあり、書き換えても元の内容がその名前で残ります"),
			    a->o->ja ? what : path);
			(*bad)++;
		}
	}
}

/* 1 when entry name of the directory walked, of stat sb, is checked as a
 * directory: credentials/, or one no state file is named as.  A directory
 * bearing a state file's name (oplog.lock, operators.csv) is no state
 * file: every writer refuses it (open_safe: "not a regular file"), so
 * file_item names it as it names a link or a device there, never as a
 * sub-directory the group may read.  So is every directory in
 * credentials/ (keys_only): each entry there is a credential file (ID.phc,
 * ID.tmpl, a writer's temporary), which every tool that reads it refuses
 * as a directory. */
static int
as_dir(const char *name, int keys_only, const struct stat *sb)
{
	size_t	 i;

	if (!S_ISDIR(sb->st_mode) || keys_only)
		return 0;
	for (i = 0; i < sizeof(held) / sizeof(held[0]); i++)
		if (strcmp(name, held[i].name) == 0)
			return strcmp(name, CRED_DIR) == 0;
	return 1;
}

/* Checks the entries of directory fd (named prefix in messages); n[0]
 * counts the bad ones, n[1] what could not be looked at, n[2] the
 * temporary files left (leftover_item). */
static void
walk(struct audit *a, int fd, const char *prefix, int keys_only, size_t n[3])
{
	DIR	*dp;
	struct dirent *de;
	struct stat sb;
	char	*path, *what, *self = held_words(a, NULL, keys_only, 1);
	int	 sub, dfd, cred, denied = 0;
	size_t	*bad = &n[0];

	if ((dfd = dup(fd)) == -1 || (dp = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		check_item(a, prefix, L(a, "%s cannot be listed",
		    "%sの中を一覧できません"), a->o->ja ? self : prefix);
		(*bad)++;
		free(self);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = *prefix ? xasprintf("%s/%s", prefix, de->d_name) :
		    xstrdup(de->d_name);
		if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
			denied |= is_denied(errno);
			free(path);
			continue;
		}
		what = held_words(a, de->d_name, keys_only, S_ISDIR(sb.st_mode));
		if (as_dir(de->d_name, keys_only, &sb)) {
			/* credentials/ held to cred_dir's rule, not the
			 * group's 0750: a PASS the tools refuse is a state
			 * nobody can authenticate against */
			cred = strcmp(de->d_name, CRED_DIR) == 0;
			mode_item(a, path, what, &sb,
			    cred ? CRED_DIR_MODE : 0750, bad);
			if (!cred)
				;
			else if ((sub = openat(fd, de->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) != -1) {
				walk(a, sub, path, 1, n);
				close(sub);
			} else if (is_denied(errno))
				unchecked_item(a, path, what, &n[1]);
		} else {
			leftover_item(a, path, de->d_name, &n[2]);
			file_item(a, path, what, de->d_name, keys_only, &sb, bad);
		}
		free(what);
		free(path);
	}
	closedir(dp);
	/* listed but not searchable: the entries' modes are unknown */
	if (denied)
		unchecked_item(a, *prefix ? prefix : a->st->dir, self, &n[1]);
	free(self);
}

static void
check_modes(struct audit *a)
{
	struct stat sb;
	size_t	 n[3] = { 0, 0, 0 };

	check_begin(a, "STATE", "state-modes");
	if (fstat(a->st->dirfd, &sb) == 0)
		mode_item(a, a->st->dir, a->o->ja ? "状態ディレクトリ" : NULL,
		    &sb, 0750, &n[0]);
	walk(a, a->st->dirfd, "", 0, n);
	if (n[0])
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "Some files of the records can be read or changed by others.",
		    "記録のファイルに、権限のない者が読み書きできるものがあります。"));
	else if (n[2])
		check_end(a, AUDIT_WARN, "%s", L(a,
		    "Temporary files that no writer removes are left in the state directory; look at them, then remove them.",
		    "状態ディレクトリに、どの書込みでも消されない一時ファイルが残っています。中身を確かめてから削除してください。"));
	else if (n[1])
		/* as credential-present when credentials/ is the owner's alone */
		check_end(a, AUDIT_WARN, "%s", L(a,
		    "Not checked in full: this user cannot read everything; what it read can be read and changed by this system only.",
		    "一部を点検できません: この利用者が読み込めないものがあります。読み込めた記録のファイルは本システムのほかは読み書きできないよう保護されています。"));
	else
		check_end(a, AUDIT_PASS, "%s", L(a,
		    "The files of the records can be read and changed by this system only.",
		    "記録のファイルは本システムのほかは読み書きできないよう保護されています。"));
}

/* key = v: need, citing the municipality's article of ref (-1: none).
 * The English text names jukisec.conf's key for whoever edits it; the
 * Japanese, the committee's, says the setting and its value in words,
 * jafmt (issue 14: no key in the document). */
static void __attribute__((format(printf, 7, 8)))
conf_item(struct audit *a, const char *key, long long v, int ref,
    const char *need, size_t *n, const char *jafmt, ...)
{
	char	 cite[128] = "", *ja;
	va_list	 ap;

	if (ref >= 0)
		muni_cite(&a->st->conf, (enum muni_ref)ref, 0, a->o->ja, cite,
		    sizeof(cite));
	if (!a->o->ja)
		check_item(a, key, "setting %s = %lld: %s%s%s%s", key, v, need,
		    *cite ? " (" : "", cite, *cite ? ")" : "");
	else {
		va_start(ap, jafmt);
		if (vasprintf(&ja, jafmt, ap) == -1)
			err(ST_FAIL, NULL);
		va_end(ap);
		check_item(a, key, "%s%s%s%s", ja, *cite ? "(" : "", cite,
		    *cite ? ")" : "");
		free(ja);
	}
	(*n)++;
}

/* The log's key epoch length as its writers use it: what the walk of the
 * log read (its genesis, or two seals of a pruned log), else oplog.key's
 * (the owner alone reads it; read as log-verify does, wiped); 0 unknown. */
static long long
log_epoch(const struct audit *a)
{
	struct oplog_key *k;
	const char *why;
	long long n = 0;

	if (a->log_esec != 0)
		return a->log_esec;
	k = xcalloc_secure(1, sizeof(*k));
	if (oplog_key_read(a->st, k, &why) == ST_OK)
		n = k->epoch_seconds;
	wipe(k, sizeof(*k));
	gcry_free(k);
	return n;
}

/* R6: the key epoch is fixed when the log is created (jukisec-init
 * --epoch); jukisec.conf only records it and a later edit changes
 * nothing (jukisec.conf(5)).  So the log's own length is judged, and a
 * setting that differs is named: whoever reads it is misled.  Unknown
 * (no genesis, no two seals, oplog.key unreadable): the setting is all
 * there is. */
static void
conf_epoch(struct audit *a, size_t *warn, size_t *odd)
{
	long long set = a->st->conf.epoch_seconds, len = log_epoch(a);
	char	 cite[128] = "";

	if (len == 0 || len == set) {
		if (set > EPOCH_SECONDS_MAX)
			conf_item(a, "epoch_seconds", set, REF_R6,
			    "the key of the operation history is kept longer than a day",
			    warn, "操作履歴の区切り期間の設定(%lld秒)により、"
			    "操作履歴の鍵が1日を超えて保持されます", set);
		return;
	}
	if (len > EPOCH_SECONDS_MAX)
		muni_cite(&a->st->conf, REF_R6, 0, a->o->ja, cite, sizeof(cite));
	check_item(a, "epoch_seconds", L(a,
	    "setting epoch_seconds = %lld is not the log's: the operation history was created with epoch_seconds = %lld%s%s%s%s",
	    "操作履歴の区切り期間の設定(%lld秒)は、操作履歴が使っている区切り期間(%lld秒)と異なります%s%s%s%s"),
	    set, len, len > EPOCH_SECONDS_MAX ? L(a,
	    ", so its key is kept longer than a day",
	    "。操作履歴の鍵が1日を超えて保持されます") : "",
	    *cite ? L(a, " (", "(") : "", cite, *cite ? ")" : "");
	(*(len > EPOCH_SECONDS_MAX ? warn : odd))++;
}

static void
check_conf(struct audit *a)
{
	const struct conf *c = &a->st->conf;
	size_t	 fail = 0, warn = 0, odd = 0;
	char	*need, the[MUNI_THE_BUFSZ];

	check_begin(a, "STATE", "conf-values");
	if (c->retain_days < PRUNE_MIN_DAYS)
		conf_item(a, "retain_days", c->retain_days, REF_R6,
		    "the operation history is kept one year at least", &fail,
		    "操作履歴の保存期間の設定(%lld日)が1年に足りません。"
		    "操作履歴は少なくとも1年間保存します", c->retain_days);
	if (c->kdf_memory_kib < KDF_MEMORY_FLOOR)
		conf_item(a, "kdf_memory_kib", c->kdf_memory_kib, -1,
		    "passwords are stored with less protection than the accepted floor (19456 KiB)",
		    &fail, "パスワードの保存時の保護に使う記憶容量の設定(%lld KiB)"
		    "が、一般に求められる水準(19456 KiB)に達していません",
		    c->kdf_memory_kib);
	if (c->kdf_time < KDF_TIME_FLOOR)
		conf_item(a, "kdf_time", c->kdf_time, -1,
		    "passwords are stored with less protection than the accepted floor (2 passes)",
		    &fail, "パスワードの保存時の保護の繰返し回数の設定(%lld回)が、"
		    "一般に求められる水準(2回)に達していません", c->kdf_time);
	if (c->password_min_length < PASSWORD_LENGTH_FLOOR)
		conf_item(a, "password_min_length", c->password_min_length,
		    REF_R5_3, "passwords shorter than 8 characters are accepted",
		    &fail, "パスワードの最小文字数の設定(%lld文字)により、"
		    "8文字未満のパスワードを認めています",
		    c->password_min_length);
	if (c->lockout_threshold < 1)
		conf_item(a, "lockout_threshold", c->lockout_threshold, REF_R5_2,
		    "repeated failures never lock the operator out", &fail,
		    "ロックまでの失敗回数の設定(%lld回)により、確認の失敗を"
		    "繰り返しても操作できなくなりません", c->lockout_threshold);
	if (c->lockout_unlock_minutes != 0) {
		need = xasprintf("a lock-out ends without %s", muni_the(&a->st->conf,
		    MN_SECURITY_MANAGER, the, sizeof(the)));
		conf_item(a, "lockout_unlock_minutes", c->lockout_unlock_minutes,
		    REF_R5_2, need, &warn, "ロックの自動解除(%lld分)の設定に"
		    "より、ロックが%sの解除を待たずに解けます",
		    c->lockout_unlock_minutes, audit_manager(a));
		free(need);
	}
	conf_epoch(a, &warn, &odd);
	/* the regulation by its short name in Japanese, as every citation */
	check_end(a, fail ? AUDIT_FAIL : warn + odd ? AUDIT_WARN : AUDIT_PASS,
	    fail + warn ? L(a, "The settings weaken controls the regulation asks for.",
	    "設定が%sの求める対策を弱めています。") : odd ?
	    L(a, "jukisec.conf does not say what the operation log uses.",
	    "設定が操作履歴で使われているものと異なります。") :
	    L(a, "The settings keep the regulation's floors.",
	    "設定は%sの求める水準を満たしています。"),
	    muni_name(&a->st->conf, MN_SHORT, 1));
}

void
audit_state(struct audit *a)
{
	check_modes(a);
	check_conf(a);
}
