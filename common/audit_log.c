/*
 * audit_log.c — the operation log in the audit: R5.2 failed-authentication
 * bursts, R5.1 uses of operator-mod --recover, and R6 (the history verifies, covers the retention period, is
 * pruned by a living cron job, has its epoch seals, ends at its head).
 *
 * Invariants: one streaming pass over oplog.csv through the reader of
 * oplog_verify.h (memory does not grow with the log: only the pairs
 * person/terminal that failed in the window and the newest checkpoint are
 * kept); R5.4 (audit_r54.c) and R5.5 (audit_changes.c) are fed by the same
 * pass.  With --key-file that pass rides along oplog_verify() (its
 * observer), which verifies the log a block per core: wants() names the
 * records see() must have one by one, the others reach it summed up
 * (see_run(), exactly what see() would have made of them), so the report
 * is the same on one core and on many; the pass is made again on its own
 * only when the log does not verify, since the verifier stops at the
 * first bad record.  No lock is
 * taken (readers take none, jukisec-log(5)); oplog.head is read before the
 * log, so an append committed meanwhile only adds records after the head.
 * The checks without the key are structural; only the MAC chain proves
 * the records unchanged, so the report says which was done.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jukisec.h"
#include "audit.h"
#include "oplog_verify.h"
#include "oplog_priv.h"
#include "person.h"
#include "prune.h"
#include "timeutil.h"

#define DAY_MS	86400000LL
#define VERIFY_TRIES	5

struct burst {
	char		*who, *terminal;
	long long	n;
	int64_t		first, last;
};

/* recover records of both tools (R5.1), the first RECOV_MAX listed */
#define RECOV_MAX	50
struct recov {
	long long	 seq;
	int64_t		 time;
	char		*object, *terminal, *result, *detail;
};

struct walk {
	int		ok;		/* the log was read to its end */
	struct recov	rv[RECOV_MAX];
	size_t		nrv;		/* all seen, listed or not */
	char		*error;		/* why not */
	size_t		 errline;	/* the line that stopped it, 0 none */
	size_t		 torn;		/* bytes after the last LF stopped it: how many */
	long long	records, first_seq, last_seq;
	int		jumped;		/* keyless: a seq did not follow */
	long long	jump_prev, jump_seq;	/* the first one, and before */
	int64_t		first_time, last_time;
	/* seals: epochs the log passed without their seal */
	long long	prev_epoch, unsealed, ngaps;
	int		prev_seal;
	struct {
		long long seq, from, to;	/* record after the gap, epochs */
	}		gap[8];
	/* the epoch clock: T0 and L from the genesis, else from two seals */
	int64_t		t0;
	long long	esec;		/* 0: unknown */
	int64_t		seal_t;		/* a seal seen: its time and epoch */
	long long	seal_e;
	/* prunes; with --key-file, replaced by what the verifier proved */
	int64_t		last_prune;	/* the newest log-prune record's time, 0 none */
	int		last_removed;	/* it removed records (a checkpoint) */
	char		*checkpoint;	/* detail of the prune whose LAST = first_seq - 1 */
	int		keyed;		/* --key-file given: 1 verified, -1 did not
					 * verify, -2 the key could not be read */
	/* head */
	int		head_ok;	/* oplog.head was read */
	int		head_open;	/* a batch may follow it */
	long long	head_seq, head_size;
	char		head_mac[2 * OPLOG_MACLEN + 1];
	int		head_found;	/* the log holds head_seq with head_mac */
	long long	size;
	/* R5.2 */
	struct burst	*b;
	size_t		nb;
};

static int
is(const struct oplog_record *r, int f, const char *s, size_t n)
{
	return r->len[f] == n && memcmp(r->field[f], s, n) == 0;
}
#define IS(r, f, s)	is((r), (f), (s), sizeof(s) - 1)

/* Value of " key=" in a one-line file or detail, copied; NULL if absent. */
static char *
token(const char *s, const char *key)
{
	size_t	 k = strlen(key), n;
	const char *p;

	for (p = s; (p = strstr(p, key)) != NULL; p += k)
		if ((p == s || p[-1] == ' ') && p[k] == '=') {
			p += k + 1;
			n = strcspn(p, " \n");
			return xstrndup(p, n);
		}
	return NULL;
}

static void
read_head(struct audit *a, struct walk *w)
{
	struct oplog_head hd;
	const char *why;

	/* Two slots since one fsync per append (jukisec-log(5) "Head"). */
	if (oplog_head_read(a->st, &hd, &why) == -1)
		return;
	w->head_seq = hd.seq;
	w->head_size = hd.size;
	w->head_open = hd.open;
	hex_encode(hd.mac, OPLOG_MACLEN, w->head_mac);
	w->head_ok = 1;
}

/* A failed authentication within the window of R5.2. */
static inline int
auth_failed(const struct audit *a, const struct oplog_record *r)
{
	if (!IS(r, OF_ACTION, "auth") || !(IS(r, OF_RESULT, "denied") ||
	    IS(r, OF_RESULT, "locked")))
		return 0;
	return r->time >= a->o->now - a->st->conf.audit_auth_window_days *
	    DAY_MS && r->time <= a->o->now;
}

static void
count_auth(struct audit *a, struct walk *w, const struct oplog_record *r)
{
	struct burst *b;
	size_t	 i;

	if (!auth_failed(a, r))
		return;
	for (i = 0; i < w->nb; i++)
		if (strcmp(w->b[i].who, r->field[OF_OBJECT]) == 0 &&
		    strcmp(w->b[i].terminal, r->field[OF_TERMINAL]) == 0)
			break;
	if (i == w->nb) {
		w->b = xrealloc(w->b, (w->nb + 1) * sizeof(*w->b));
		b = &w->b[w->nb++];
		b->who = xstrdup(r->field[OF_OBJECT]);
		b->terminal = xstrdup(r->field[OF_TERMINAL]);
		b->n = 0;
		b->first = r->time;
	}
	b = &w->b[i];
	b->n++;
	b->last = r->time;
}

/* jukisec-log(5): epoch(t) = floor((t - T0) / L), a seal's time is the
 * last millisecond of its epoch. */
static void
epoch_clock(struct walk *w, const struct oplog_record *r, int seal)
{
	const char *e;
	char	*v;
	long long n;

	if (w->esec != 0)
		return;
	if (r->seq == 0 && strcmp(r->field[OF_ACTION], "genesis") == 0) {
		if ((v = token(r->field[OF_DETAIL], "epoch_seconds")) != NULL &&
		    parse_num(v, 1, LLONG_MAX / 1000, &n, &e) == 0) {
			w->t0 = r->time;
			w->esec = n;
		}
		free(v);
	} else if (seal && w->seal_t != 0 && r->epoch > w->seal_e &&
	    (r->time - w->seal_t) % (1000 * (r->epoch - w->seal_e)) == 0) {
		w->esec = (r->time - w->seal_t) / 1000 / (r->epoch - w->seal_e);
		w->t0 = r->time + 1 - (r->epoch + 1) * w->esec * 1000;
	} else if (seal) {
		w->seal_t = r->time;
		w->seal_e = r->epoch;
	}
}

/* Long: one record's share of every check the walk feeds (epochs and
 * seals, head, prunes, recoveries, bursts, register changes), one branch
 * per kind of record, read top to bottom. */
static void
see(struct audit *a, struct walk *w, const struct oplog_record *r)
{
	int	 sys = IS(r, OF_OPERATOR, "-"), seal = sys && IS(r, OF_ACTION, "seal");
	char	*rem, *dash;

	if (w->records++ == 0) {
		w->first_seq = r->seq;
		w->first_time = r->time;
	} else if (r->epoch > w->prev_epoch) {
		/* every epoch before r's, empty ones too, ends in its seal */
		long long from = w->prev_seal ? w->prev_epoch + 1 : w->prev_epoch;

		if (from < r->epoch) {
			if (w->ngaps < 8) {
				w->gap[w->ngaps].seq = r->seq;
				w->gap[w->ngaps].from = from;
				w->gap[w->ngaps].to = r->epoch - 1;
			}
			w->ngaps++;
			w->unsealed += r->epoch - from;
		}
	}
	w->prev_epoch = r->epoch;
	w->prev_seal = seal;
	epoch_clock(w, r, seal);
	w->last_seq = r->seq;
	w->last_time = r->time;
	if (w->head_ok && r->seq == w->head_seq)
		w->head_found = strcmp(r->field[OF_MAC], w->head_mac) == 0;
	if (sys && IS(r, OF_ACTION, "recover") && r->time >= a->o->per.from &&
	    r->time <= a->o->now) {
		if (w->nrv < RECOV_MAX) {
			struct recov *v = &w->rv[w->nrv];

			v->seq = r->seq;
			v->time = r->time;
			v->object = xstrdup(r->field[OF_OBJECT]);
			v->terminal = xstrdup(r->field[OF_TERMINAL]);
			v->result = xstrdup(r->field[OF_RESULT]);
			v->detail = xstrdup(r->field[OF_DETAIL]);
		}
		w->nrv++;
	}
	/* A log-prune record is operator "-" and action log-prune, nothing
	 * else (jukisec-log(5)); log-append refuses to write one.  A
	 * checkpoint's removed= is a range, a run that removed nothing's 0. */
	if (sys && IS(r, OF_ACTION, "log-prune")) {
		w->last_prune = r->time;
		rem = token(r->field[OF_DETAIL], "removed");
		dash = rem != NULL ? strchr(rem, '-') : NULL;
		w->last_removed = dash != NULL;
		if (dash != NULL && strtoll(dash + 1, NULL, 10) == w->first_seq - 1) {
			free(w->checkpoint);
			w->checkpoint = xstrdup(r->field[OF_DETAIL]);
		}
		free(rem);
	}
	count_auth(a, w, r);
	if (r->len[OF_ACTION] > 9 && memcmp(r->field[OF_ACTION], "operator-", 9) == 0)
		audit_changes_see(a, r->time, r->field[OF_OPERATOR],
		    r->field[OF_ACTION], r->field[OF_OBJECT], r->field[OF_RESULT],
		    r->field[OF_DETAIL]);
	if (r->len[OF_ACTION] > 9 && memcmp(r->field[OF_ACTION], "operator-", 9) == 0)
		audit_changes_log(a, r->seq, r->field[OF_ACTION],
		    r->field[OF_OBJECT], r->field[OF_RESULT], r->field[OF_DETAIL]);
	if (IS(r, OF_ACTION, "confirm"))
		audit_confirm_see(a, r->time, r->field[OF_OPERATOR],
		    r->field[OF_OBJECT], r->field[OF_RESULT]);
	if (IS(r, OF_ACTION, "incident") && IS(r, OF_RESULT, "ok"))
		audit_incident_seen(a, r->seq, r->field[OF_OPERATOR],
		    r->field[OF_OBJECT], r->field[OF_DETAIL]);
	if (a->r54 != NULL)
		r54_see(a->r54, r);
}

/* 1 if see() must have r itself: it does more with it than count it
 * (struct oplog_observer's wants; pure, on any thread).  Seals are not
 * asked for: see_run() has the runs that hold one while the epoch clock
 * is unknown, and after that a seal only counts. */
static inline int
wants(const struct audit *a, const struct walk *w, const struct oplog_record *r)
{
	size_t	 act = r->len[OF_ACTION];

	if ((w->head_ok && r->seq == w->head_seq) || r->seq == 0)
		return 1;
	/* On every record: first tests of lengths that are almost always
	 * false (a failed auth's result has six letters, ok two; no action
	 * but operator-* more than nine), which branch prediction gets
	 * right, unlike a test of the action's four letters (auth, but
	 * view too, the commonest); the bytes of the few then. */
	if (r->len[OF_OPERATOR] == 1 && r->field[OF_OPERATOR][0] == '-' &&
	    (IS(r, OF_ACTION, "recover") || IS(r, OF_ACTION, "log-prune")))
		return 1;
	if ((r->len[OF_RESULT] == 6 && act == 4 && auth_failed(a, r)) ||
	    (act > 9 && memcmp(r->field[OF_ACTION], "operator-", 9) == 0) ||
	    (act == 7 && IS(r, OF_ACTION, "confirm")) ||
	    (act == 8 && IS(r, OF_ACTION, "incident")))
		return 1;
	return a->r54 != NULL && r54_wants(a->r54, r);
}

/* Records see() need not have one by one (wants() said so), summed up:
 * 0, or 1 to have them one by one after all. */
static int
see_run(struct audit *a, struct walk *w, const struct oplog_run *run)
{
	if (w->records == 0 || (a->r54 != NULL && r54_run(a->r54)))
		return 1;
	/* Its seals for epoch_clock(), while neither the genesis nor two
	 * seals gave the clock: a run holds a seal when it ends in one or
	 * reaches an epoch after the record before it (a seal ends every
	 * epoch; perhaps that record was the seal, then nothing is lost). */
	if (w->esec == 0 && (run->last_seal || run->last_epoch > w->prev_epoch))
		return 1;
	/* a run's epochs follow each other, each after its seal: no gap */
	w->records += run->n;
	w->prev_epoch = run->last_epoch;
	w->prev_seal = run->last_seal;
	w->last_seq = run->last_seq;
	w->last_time = run->last_time;
	return 0;
}

/* Forgets what a walk saw, the register changes it handed to
 * audit_changes_see() too (R5.4's share: walk_start): a walk that starts
 * again (the verification stopped early) sees every record once. */
static void
walk_reset(struct audit *a, struct walk *w)
{
	size_t	 i;

	for (i = 0; i < w->nb; i++) {
		free(w->b[i].who);
		free(w->b[i].terminal);
	}
	free(w->b);
	for (i = 0; i < w->nrv && i < RECOV_MAX; i++) {
		free(w->rv[i].object);
		free(w->rv[i].terminal);
		free(w->rv[i].result);
		free(w->rv[i].detail);
	}
	audit_changes_free(a);
	free(w->checkpoint);
	free(w->error);
	memset(w, 0, sizeof(*w));
}

static void
walk_start(struct audit *a, struct walk *w)
{
	walk_reset(a, w);
	audit_confirm_reset(a);	/* kept after the walk: audit_confirm's */
	audit_incidents_reset(a);	/* and audit_incidents' */
	if (a->r54 != NULL)
		r54_reset(a->r54);
	read_head(a, w);
}

/* Where reading the log stopped, as the Japanese document says it (issue
 * 14): a row by its place after the header, as the register's are
 * counted (登録簿の N 件目の行), and what is wrong with it in words,
 * whatever the locale the reader's sentence is in; no file, line or
 * reason.  line 0: the log did not open; torn: bytes after the last LF
 * stopped it; io: a read failed.  malloc'd. */
static char *
unread_ja(size_t line, size_t torn, int io)
{
	if (line == 0)
		return xstrdup("操作履歴がないか、開けません");
	if (io)
		return xstrdup("操作履歴の読込みに失敗しました");
	if (line == 1)
		return xstrdup("操作履歴の見出しの行がないか、形式に合いません");
	if (torn > 0)
		return xasprintf("操作履歴の %zu 件目の行が途中で終わっています"
		    "(書込みが完了していません)", line - 1);
	return xasprintf("操作履歴の %zu 件目の行が記録の形式に合いません",
	    line - 1);
}

/* The log could not be opened: why.  w->error is the item every check
 * the log stops gives, in the report's language. */
static void
walk_unread(struct audit *a, struct walk *w, const char *why)
{
	w->error = a->o->ja ? unread_ja(0, 0, 0) :
	    xasprintf("%s/oplog.csv: %s", a->st->dir, why);
	if (a->r54 != NULL)
		r54_end(a->r54, 0, w->error);
}

static void
walk_log(struct audit *a, struct walk *w)
{
	struct oplog_reader *rd;
	struct oplog_record *r;
	struct stat sb;
	const char *why;
	size_t	 line;
	int	 fd, io, k;

	walk_start(a, w);
	if ((fd = store_openat(a->st, "oplog.csv", O_RDONLY, 0)) == -1) {
		walk_unread(a, w, open_safe_why(errno));
		return;
	}
	if (fstat(fd, &sb) == 0)
		w->size = sb.st_size;
	if ((rd = oplog_reader_open(fd, "oplog.csv")) == NULL) {
		walk_unread(a, w, strerror(errno));
		close(fd);
		return;
	}
	while ((k = oplog_reader_next(rd, &r)) == 1) {
		/* after an open head read before the log: a batch not
		 * committed, its writer at work or killed (the next one
		 * removes it), no record yet, as the verifier takes none;
		 * read on for a tail that tears.  After a closed head they
		 * count: a power loss's, or one record's append before its
		 * head, which the next writer takes in */
		if (w->head_ok && w->head_open && r->seq > w->head_seq)
			continue;
		if (w->records > 0 && r->seq != w->last_seq + 1 &&
		    !w->jumped) {
			w->jumped = 1;
			w->jump_prev = w->last_seq;
			w->jump_seq = r->seq;
		}
		see(a, w, r);
	}
	if (k == -1) {
		why = oplog_reader_error(rd, &line, &io);
		w->errline = line;
		w->torn = oplog_reader_torn(rd);
		w->error = a->o->ja ? unread_ja(line, w->torn, io) :
		    xasprintf("oplog.csv:%zu: %s", line, why);
		if (a->r54 != NULL)
			r54_end(a->r54, line, w->error);
	} else {
		w->ok = 1;
		if (a->r54 != NULL)
			r54_end(a->r54, 0, NULL);
	}
	oplog_reader_close(rd);
	close(fd);
}

/* The subject of a log the walk could not read: the line that stopped
 * it, as log-verify's with the key, else the file. */
static const char *
error_subject(const struct walk *w, char *buf, size_t len)
{
	if (w->errline == 0)
		return "oplog.csv";
	snprintf(buf, len, "oplog.csv:%zu", w->errline);
	return buf;
}

static void
error_item(struct audit *a, const struct walk *w)
{
	char	 subj[64];

	check_item(a, error_subject(w, subj, sizeof(subj)), "%s", w->error);
}

/* The finding of a check the unreadable log prevents: a FAIL, never a
 * silent PASS. */
static void
not_read(struct audit *a, const struct walk *w)
{
	error_item(a, w);
	check_end(a, AUDIT_FAIL, "%s", L(a,
	    "Not checked: the operation log cannot be read.",
	    "点検できません: 操作履歴を読み込めません。"));
}

/* What the key and verification steps share. */
struct keyjob {
	struct audit	*a;
	struct walk	*w;
	struct oplog_vkey *vk;
	struct oplog_verify_result res;
	int		state;		/* KEY_NONE, KEY_UNREAD, KEY_RAN */
	int		ok;		/* it verified */
	struct jerr	err;		/* why the key could not be read */
};
enum { KEY_NONE, KEY_UNREAD, KEY_RAN };

/* The walk riding along the verification (struct oplog_observer). */
static void
observe_start(void *arg)
{
	struct keyjob *j = arg;
	struct stat sb;

	walk_start(j->a, j->w);
	if (fstatat(j->a->st->dirfd, "oplog.csv", &sb, 0) == 0)
		j->w->size = sb.st_size;
}

static void
observe_record(void *arg, const struct oplog_record *r)
{
	struct keyjob *j = arg;

	see(j->a, j->w, r);
}

static int
observe_wants(void *arg, const struct oplog_record *r)
{
	const struct keyjob *j = arg;

	return wants(j->a, j->w, r);
}

static int
observe_run(void *arg, const struct oplog_run *run)
{
	struct keyjob *j = arg;

	return see_run(j->a, j->w, run);
}

/* The key named by --key-file ("-": standard input): ST_OK, or why not
 * in j->err. */
static int
read_vkey(struct keyjob *j)
{
	j->vk = oplog_vkey_open(j->a->o->keyfile, &j->err);
	return j->vk != NULL ? ST_OK : j->err.code;
}

static int
verify(struct keyjob *j)
{
	struct oplog_verify_opts vo;
	struct oplog_observer ob = { observe_start, observe_record,
	    observe_wants, observe_run, j };
	int64_t clock;

	memset(&vo, 0, sizeof(vo));
	/* the log as it is now: a record written since a TIME in the past
	 * (--now) is the log's, no tampering; its epochs sealed as of TIME */
	vo.now = j->a->o->now;
	if ((clock = time_now_ms()) > vo.now) {
		vo.sealed_given = 1;
		vo.sealed_at = vo.now;
		vo.now = clock;
	}
	vo.observer = &ob;
	return oplog_verify(j->a->st, j->vk, &vo, &j->res);
}

/* The walk of the log, with the key along the verification: j filled for
 * check_verify(). */
static void
run_verify(struct audit *a, struct walk *w, struct keyjob *j)
{
	struct oplog_verify_result *res = &j->res;
	int	 k;

	memset(j, 0, sizeof(*j));
	j->a = a;
	j->w = w;
	if (a->o->keyfile == NULL) {
		walk_log(a, w);
		return;
	}
	if (read_vkey(j) != ST_OK) {
		/* A key given but nothing verified with it: no record is
		 * proven, as when the log does not verify (after walk_log(),
		 * which starts the walk afresh). */
		j->state = KEY_UNREAD;
		walk_log(a, w);
		a->log_keyed = -1;
		w->keyed = -2;
		return;
	}
	j->state = KEY_RAN;
	/* An append in progress leaves bytes after a head that has not moved
	 * yet; the verifier cannot tell it from an unfinished one without the
	 * log lock, which the audit must not hold for a whole verification
	 * (auth-check would wait).  A failure that is not a record's is tried
	 * again a few times: a writer's window is milliseconds, a torn or cut
	 * tail stays. */
	for (k = 0; k < VERIFY_TRIES; k++) {
		memset(res, 0, sizeof(*res));
		j->ok = verify(j) == ST_OK && res->status == ST_OK;
		if (j->ok || res->status != ST_NO || res->bad_line != 0)
			break;
		usleep(100000);
	}
	if (j->ok) {
		w->ok = 1;
		if (a->r54 != NULL)
			r54_end(a->r54, 0, NULL);
	} else
		walk_log(a, w);	/* the verifier stopped at the first bad record */
	/* From here on the log findings rest on what the MACs proved: only
	 * checkpoints that verified count (jukisec-log(5), "Special records"). */
	a->log_keyed = w->keyed = j->ok ? 1 : -1;
	if (j->ok) {
		w->last_prune = res->last_prune_time;
		w->last_removed = res->last_prune_removed;
		free(w->checkpoint);
		w->checkpoint = res->start_checkpoint[0] ? xstrdup(res->start_checkpoint) : NULL;
	}
}

/* What the first bad record broke (oplog_verify.h), as the Japanese
 * document says it: in its own words whatever the process's locale, in
 * which the verifier's reason is written, and without the file, line or
 * MAC it names (issue 14: a committee document).  The record's number is
 * the one the report's terms explain (通番). */
static const char *const bad_ja[] = {
	[OPLOG_BAD_RULE] = "通番 %lld の記録が操作履歴の記録の形式に合いません",
	[OPLOG_BAD_MAC] = "通番 %lld の記録が書き換えられたか、検証鍵が違います",
	[OPLOG_BAD_SEQ] = "通番 %lld の記録の前後で、記録が欠けているか、挿入又は移動されています",
	[OPLOG_BAD_TIME] = "通番 %lld の記録の日時が、前の記録、区切り期間又は点検の日時と合いません",
	[OPLOG_BAD_SEAL] = "通番 %lld の記録の前後で、区切り記録が欠けているか、正しくありません",
	[OPLOG_BAD_PRUNE] = "通番 %lld の記録で、記録の整理が規則どおりに行われたことを確認できません",
	[OPLOG_BAD_HEAD] = "通番 %lld の記録が最終記録の控えと一致しません",
	[OPLOG_BAD_UNFINISHED] = "通番 %lld の記録は完了していない追記です(次の追記の際に取り除かれ、その旨が記録されます)",
};
_Static_assert(sizeof(bad_ja) / sizeof(bad_ja[0]) == OPLOG_BAD_UNFINISHED + 1,
    "a Japanese sentence for every kind of enum oplog_bad");

/* A file the verifier names with no record, as the Japanese document
 * says it: the copy of the last record, the log's key or the log, and
 * whether it could not be read (ST_FAIL) or does not hold (what the walk
 * that followed found tells a missing or malformed head, a log that does
 * not open); the verifier's sentence is the English text's. */
static const char *
file_ja(const struct walk *w, const struct oplog_verify_result *res,
    const char *file)
{
	if (strcmp(file, OPLOG_HEADFILE) == 0)
		return res->status == ST_FAIL ? "最終記録の控えを読み込めません" :
		    !w->head_ok ? "最終記録の控えがないか、形式が正しくありません" :
		    "操作履歴の末尾が最終記録の控えと一致しないか、控えを検証鍵で"
		    "確認できません";
	if (strcmp(file, OPLOG_KEYFILE) == 0)
		return res->status == ST_FAIL ? "操作履歴の鍵を読み込めません" :
		    res->key_missing ? "操作履歴の鍵がありません(以前の写しに"
		    "戻された操作履歴が見過ごされるおそれがあります)" :
		    "操作履歴の鍵が検証鍵と対応しません(形式の誤り、別の操作履歴の"
		    "鍵、又は以前の写しに戻された操作履歴)";
	if (strcmp(file, OPLOG_FILE) == 0 && !w->ok && w->errline == 0)
		return w->error;	/* unread_ja(): it does not open */
	return res->status == ST_FAIL ? "操作履歴を読み込めません" :
	    "操作履歴を検証鍵で最後まで確認できません(記録がないか、終了した"
	    "区切り期間に区切り記録がありません)";
}

/* The item of a log that does not verify: the first bad record by its
 * seq (in Japanese, what it broke by bad_ja); a line read as no record
 * (it does not parse: no seq) by file and line; a torn tail, to which the
 * verifier gives no line (it takes it for a writer's window first and
 * tries again), by the line it starts on as the walk that follows found
 * it, so that log-verify names it as the other log checks do; else the
 * file, its path in the text as the walk's findings give it.  A failure
 * that is not the log's (the log lock timed out, or did not open) is its
 * message alone, which names the file (struct oplog_verify_result); a
 * lock file planted leaves the log's item, and is the protection check's
 * finding.  The Japanese says each in words
 * whatever the locale (unread_ja, file_ja), the subjects are the same. */
static void
verify_item(struct audit *a, const struct walk *w,
    const struct oplog_verify_result *res)
{
	const char *file = *res->bad_file ? res->bad_file : "oplog.csv";
	char	 subj[300], *t;

	if (res->err.code != ST_OK && res->status == ST_FAIL)
		check_item(a, file, "%s", a->o->ja ? "操作履歴への書込みの終了を"
		    "待てず、検証を終えられませんでした" : res->err.msg);
	else if (res->bad_line > 0 && res->bad_seq >= 0) {
		snprintf(subj, sizeof(subj), "seq %lld", res->bad_seq);
		if (a->o->ja)
			check_item(a, subj, bad_ja[res->bad_kind], res->bad_seq);
		else
			check_item(a, subj, "record %lld (%s line %zu): %s",
			    res->bad_seq, file, res->bad_line, res->reason);
	} else if (res->bad_line > 0 && (res->bad_kind != OPLOG_BAD_UNFINISHED ||
	    w->torn == 0)) {
		snprintf(subj, sizeof(subj), "%s:%zu", file, res->bad_line);
		t = a->o->ja ? unread_ja(res->bad_line, 0, 0) :
		    xasprintf("%s: %s", subj, res->reason);
		check_item(a, subj, "%s", t);
		free(t);
	} else if (w->torn > 0 && strcmp(file, "oplog.csv") == 0) {
		snprintf(subj, sizeof(subj), "%s:%zu", file, w->errline);
		t = !a->o->ja ? xasprintf("%s: %s", subj, res->reason) :
		    w->errline <= 1 ? unread_ja(w->errline, w->torn, 0) :
		    xasprintf("操作履歴の %zu 件目の行は完了していない追記です(次の"
		    "追記の際に取り除かれ、その旨が記録されます)", w->errline - 1);
		check_item(a, subj, "%s", t);
		free(t);
	} else if (a->o->ja)
		check_item(a, file, "%s", file_ja(w, res, file));
	else
		check_item(a, file, "%s/%s: %s", a->st->dir, file, res->reason);
}

/* The key given that does not read: the reader's message names the
 * path, in the locale's language; the Japanese says what is wrong with
 * it in words (a key that is not there, one others may read, ...). */
static void
key_unread_item(struct audit *a, const struct keyjob *j)
{
	char	*t;

	if (!a->o->ja) {
		check_item(a, a->o->keyfile, "%s", j->err.msg);
		return;
	}
	t = audit_unread_ja(&j->err, "指定された検証鍵", "検証鍵");
	check_item(a, a->o->keyfile, "%s", t);
	free(t);
}

/*
 * oplog.key as the writers take it, for the audit without --key-file
 * (with it, the verifier checks the file against the head): every writer
 * needs it, auth-check too, so one missing, no regular file or not read
 * as a key is a state where nothing is logged and nobody logs in, and the
 * nightly audit, which runs without the verification key, must FAIL it.
 * Read as the writers read it (oplog_key_read, wiped).  A member of the
 * state's group may not open it (it stays the owner's alone) and judges
 * what fstatat shows; a directory it may not search, state-modes names.
 * 1 with an item when the writers cannot take it, 2 when that is only
 * its mode or owner (nothing to recover).
 */
static int
writers_key_bad(struct audit *a)
{
	struct oplog_key *k;
	struct stat sb;
	const char *why = NULL, *ja = "操作履歴の鍵を読み込めないか、形式が正しく"
	    "ありません";
	uid_t	 me = geteuid();
	int	 r, e, unsafe = 0;

	if (fstatat(a->st->dirfd, OPLOG_KEYFILE, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if ((e = errno) == EACCES || e == EPERM)
			return 0;
		why = strerror(e);
		if (e == ENOENT)
			ja = "操作履歴の鍵がありません";
	} else if (!S_ISREG(sb.st_mode)) {
		/* in the writers' words (open_safe refuses it) */
		why = open_safe_why(S_ISLNK(sb.st_mode) ? ELOOP : EINVAL);
		ja = "操作履歴の鍵が通常のファイルではありません";
	} else {
		k = xcalloc_secure(1, sizeof(*k));
		r = oplog_key_read(a->st, k, &why);
		e = errno;
		wipe(k, sizeof(*k));
		gcry_free(k);
		if (r == ST_OK || (r == ST_FAIL && (e == EACCES || e == EPERM) &&
		    me != 0 && me != sb.st_uid))
			return 0;
		if (r == ST_FAIL && e == JERR_UNSAFE) {
			unsafe = 1;	/* its mode, owner or links: no recovery needed */
			ja = sb.st_nlink > 1 ?
			    "操作履歴の鍵に別のハードリンクがあり、過去の鍵がその名前で残ります" :
			    "操作履歴の鍵の所有者又はアクセス権が正しくありません";
		}
	}
	if (a->o->ja)
		check_item(a, OPLOG_KEYFILE, "%s", ja);
	else
		check_item(a, OPLOG_KEYFILE, "%s/%s: %s", a->st->dir,
		    OPLOG_KEYFILE, why);
	return unsafe ? 2 : 1;
}

/* log-verify without the key: the records' form, and the writers' key. */
static void
check_unkeyed(struct audit *a, const struct walk *w)
{
	const char *s = NULL;
	int	 key = writers_key_bad(a);

	if (!w->ok) {
		error_item(a, w);
		s = L(a, "The operation log cannot be read.",
		    "操作履歴を読み込めません。");
	} else if (w->records != w->last_seq - w->first_seq + 1) {
		/* numbers follow each other: one missing or repeated is
		 * tampering or damage, key or not */
		check_item(a, "oplog.csv", L(a,
		    "%lld records read, but numbers %lld to %lld are %lld: records are missing or repeated",
		    "記録 %lld 件を読み込みましたが、通番 %lld〜%lld は %lld 件です(記録の欠落又は重複)"),
		    w->records, w->first_seq, w->last_seq,
		    w->last_seq - w->first_seq + 1);
		s = L(a, "The records' numbers do not follow each other.",
		    "記録の通番が連続していません。");
	} else if (w->jumped) {
		/* as many as the numbers, yet one removed and another
		 * repeated, or two swapped */
		check_item(a, "oplog.csv", L(a,
		    "%lld records read, numbers %lld to %lld, but seq %lld follows %lld: records are missing, repeated or moved",
		    "記録 %lld 件(通番 %lld〜%lld)を読み込みましたが、通番 %lld が通番 %lld の次にあります(記録の欠落、重複又は入替え)"),
		    w->records, w->first_seq, w->last_seq, w->jump_seq,
		    w->jump_prev);
		s = L(a, "The records' numbers do not follow each other.",
		    "記録の通番が連続していません。");
	} else if (!key) {
		check_end(a, AUDIT_WARN, L(a,
		    "Not checked with the verification key: %lld records (numbers %lld to %lld) read without error.",
		    "検証鍵による確認は行っていません。記録 %lld 件(通番 %lld〜%lld)を誤りなく読み込めました。"),
		    w->records, w->first_seq, w->last_seq);
		return;
	}
	check_end(a, AUDIT_FAIL, "%s%s%s", key == 2 ? L(a,
	    "The writers refuse the operation log's key as it is kept (the "
	    "item says why): no record can be appended, so nobody can log in.",
	    "操作履歴の鍵の置き方を書き手が拒否するため(理由は項目のとおり)、"
	    "操作履歴に記録できず、誰も認証を受けられません。") : key ? L(a,
	    "The operation log's key is missing or cannot be used: no record "
	    "can be appended, so nobody can log in; recover it with the "
	    "verification key (log-append --recover).",
	    "操作履歴の鍵がないか使えないため、操作履歴に記録できず、誰も認証を"
	    "受けられません。検証鍵により操作履歴を回復してください。") : "",
	    key && s != NULL ? L(a, " ", "") : "", s != NULL ? s : "");
}

static void
check_verify(struct audit *a, struct walk *w, struct keyjob *j)
{
	struct oplog_verify_result *res = &j->res;

	check_begin(a, "R6", "log-verify");
	if (j->state == KEY_NONE) {
		check_unkeyed(a, w);
		return;
	}
	if (j->state == KEY_UNREAD) {
		key_unread_item(a, j);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The verification key cannot be read.",
		    "検証鍵を読み込めません。"));
		return;
	}
	if (j->ok)
		check_end(a, AUDIT_PASS, L(a,
		    "The verification key shows the records unchanged: %lld records, numbers %lld to %lld%s.",
		    "検証鍵により記録が書き換えられていないことを確認しました: %lld 件(通番 %lld〜%lld)%s。"),
		    res->records, res->first_seq, res->last_seq, res->head_checked ?
		    L(a, ", none missing at the end", "、最後の記録まで欠けていません") : "");
	else {
		verify_item(a, w, res);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The verification key does not confirm the records: they were changed or cut, or a closing record is missing.",
		    "検証鍵で記録を確認できません(書き換え、切り詰め又は区切り記録の欠落)。"));
	}
}

/* With the key, a log that does not verify, or a key that cannot be
 * read, proves no checkpoint.  A log that cannot be read is not_read()'s,
 * key or no key: its item names the line that stopped it.  en and ja say
 * what the check could not confirm: each check of R6 its own sentence,
 * so that the report does not say one thing twice under one article. */
static int
unproven(struct audit *a, const struct walk *w, const char *en, const char *ja)
{
	if (w->keyed >= 0 || (w->keyed == -1 && !w->ok))
		return 0;
	if (w->keyed == -2)
		check_item(a, a->o->keyfile, "%s", L(a,
		    "the verification key cannot be read",
		    "検証鍵を読み込めません"));
	else
		check_item(a, "oplog.csv", "%s", L(a,
		    "the log does not verify with the key",
		    "操作履歴が検証鍵で検証できません"));
	check_end(a, AUDIT_FAIL, "%s", L(a, en, ja));
	return 1;
}

static void
check_retention(struct audit *a, const struct walk *w)
{
	char	 date[64], need_date[64], subj[64], *cut;
	int64_t	 cutoff, need;

	check_begin(a, "R6", "log-retention");
	if (unproven(a, w, "Not checked: the start of the history is not confirmed by the key.",
	    "点検できません: 操作履歴の先頭が検証鍵で確認されていません。"))
		return;
	if (!w->ok) {
		not_read(a, w);
		return;
	}
	if (w->first_seq == 0) {
		audit_date(a, w->first_time, date, sizeof(date));
		check_end(a, AUDIT_PASS, L(a,
		    "The log is complete since it was created on %s.",
		    "操作履歴は作成時 (%s) からすべて保存されています。"), date);
		return;
	}
	snprintf(subj, sizeof(subj), "seq %lld", w->first_seq);
	if (w->checkpoint == NULL) {
		check_item(a, subj, L(a,
		    "the history starts at record %lld and no pruning is recorded up to record %lld",
		    "操作履歴が通番 %lld から始まり、通番 %lld までを整理した記録がありません"),
		    w->first_seq, w->first_seq - 1);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "Records were removed from the start of the history otherwise than by the pruning of expired records.",
		    "保存期間経過後の記録の整理によらず、操作履歴の先頭が削除されています。"));
		return;
	}
	need = prune_cutoff(a->o->now, a->st->conf.retain_days);
	audit_date(a, need, need_date, sizeof(need_date));
	if ((cut = token(w->checkpoint, "cutoff")) == NULL ||
	    time_parse(cut, &cutoff) == -1) {
		check_item(a, subj, "%s", w->checkpoint);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The record of the pruning does not say up to when it removed records.",
		    "記録の整理の記録から、いつまでの記録を削除したかが読み取れません。"));
	} else if (cutoff > need) {
		audit_date(a, cutoff, date, sizeof(date));
		check_item(a, subj, L(a,
		    "pruned up to %s; the retention of %lld days needs everything since %s",
		    "%s まで削除済み。保存期間 %lld 日には %s 以降のすべてが必要です"),
		    date, a->st->conf.retain_days, need_date);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "Records younger than the retention period were removed.",
		    "保存期間内の操作履歴が削除されています。"));
	} else {
		audit_date(a, cutoff, date, sizeof(date));
		check_end(a, AUDIT_PASS, L(a,
		    "The log holds every record since %s (pruned before; retention %lld days reaches back to %s).",
		    "操作履歴は %s 以降をすべて保存しています(それ以前は整理済み。保存期間 %lld 日は %s まで)。"),
		    date, a->st->conf.retain_days, need_date);
	}
	free(cut);
}

static void
check_prune(struct audit *a, const struct walk *w)
{
	long long max = a->st->conf.audit_prune_max_age_days;
	char	 date[64];

	check_begin(a, "R6", "log-prune-recent");
	if (unproven(a, w, "Not checked: the records of pruning are not confirmed by the key.",
	    "点検できません: 記録の整理の記録が検証鍵で確認されていません。"))
		return;
	if (!w->ok) {
		not_read(a, w);
		return;
	}
	if (w->last_prune != 0) {
		audit_date(a, w->last_prune, date, sizeof(date));
		if (a->o->now - w->last_prune <= max * DAY_MS && w->last_removed)
			check_end(a, AUDIT_PASS, L(a,
			    "Expired records were last pruned on %s.",
			    "保存期間経過後の記録の整理の最終実行は %s です。"), date);
		else if (a->o->now - w->last_prune <= max * DAY_MS)
			check_end(a, AUDIT_PASS, L(a,
			    "The pruning of expired records last ran on %s (nothing was removed).",
			    "保存期間経過後の記録の整理の最終実行は %s です(削除した記録はありません)。"),
			    date);
		else {
			check_item(a, "log-prune", L(a,
			    "last run %s, more than %lld days ago",
			    "最終実行 %s(%lld 日以上前)"), date, max);
			check_end(a, AUDIT_FAIL, "%s", L(a,
			    "The pruning of expired records has stopped running: check its scheduled job.",
			    "保存期間経過後の記録の整理が行われていません。定期実行の設定を確認してください。"));
		}
		return;
	}
	audit_date(a, w->first_time, date, sizeof(date));
	if (w->first_seq == 0 && a->o->now - w->first_time <
	    a->st->conf.retain_days * DAY_MS)
		check_end(a, AUDIT_WARN, L(a,
		    "Expired records have not been pruned yet; the history, begun %s, is younger than the retention period.",
		    "保存期間経過後の記録の整理はまだ行われていません。操作履歴(%s 開始)は保存期間より新しいものです。"),
		    date);
	else if (w->first_seq == 0) {
		check_item(a, "log-prune", L(a,
		    "no pruning is recorded; the history begins %s",
		    "記録の整理の記録がありません。操作履歴の開始は %s です"), date);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "Expired records were never pruned although the history is older than the retention period.",
		    "操作履歴が保存期間より古いのに、記録の整理が一度も行われていません。"));
	} else {
		/* its age unknown: records before the first kept one went
		 * without a prune that says so (log-retention names them) */
		check_item(a, "log-prune", L(a,
		    "no pruning is recorded; the history begins at record %1$lld, %2$s",
		    "記録の整理の記録がありません。操作履歴は %2$s の記録(通番 %1$lld)から始まっています"),
		    w->first_seq, date);
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The history does not begin with its first record and no pruning is recorded: records were removed from its start.",
		    "操作履歴が最初の記録から始まっておらず、記録の整理の記録もありません。先頭の記録が取り除かれています。"));
	}
}

static void
check_seals(struct audit *a, const struct walk *w)
{
	char	 subj[64];
	long long i;

	check_begin(a, "R6", "log-seals");
	if (!w->ok) {
		not_read(a, w);
		return;
	}
	for (i = 0; i < w->ngaps && i < 8; i++) {
		snprintf(subj, sizeof(subj), "seq %lld", w->gap[i].seq);
		if (w->gap[i].from == w->gap[i].to)
			check_item(a, subj, L(a,
			    "period %lld has no closing record before record %lld",
			    "通番 %2$lld の前の区切り期間 %1$lld に区切り記録がありません"),
			    w->gap[i].from, w->gap[i].seq);
		else
			check_item(a, subj, L(a,
			    "periods %lld to %lld have no closing record before record %lld",
			    "通番 %3$lld の前の区切り期間 %1$lld〜%2$lld に区切り記録がありません"),
			    w->gap[i].from, w->gap[i].to, w->gap[i].seq);
	}
	if (w->unsealed) {
		check_end(a, AUDIT_FAIL, L(a, "%lld closing record(s) missing.",
		    "区切り記録が %lld 件欠けています。"), w->unsealed);
		return;
	}
	/* The key of an ended epoch stays on disk until somebody writes or
	 * cron runs log-append --seal (jukisec-log(5), "What is NOT
	 * detected"); log-verify fails a log more than one epoch behind. */
	if (w->esec != 0 && a->o->now >= w->t0) {
		long long now_e = (a->o->now - w->t0) / (w->esec * 1000);
		long long reach = w->prev_epoch + (w->prev_seal ? 1 : 0);

		if (now_e - reach > 1) {
			check_item(a, "oplog.key", L(a,
			    "the history reaches period %lld, the clock is in period %lld: the keys of %lld ended period(s) are still kept",
			    "操作履歴は区切り期間 %lld まで、現在は区切り期間 %lld: 終了した %lld 期間の鍵がまだ残っています"),
			    reach, now_e, now_e - reach);
			check_end(a, AUDIT_WARN, "%s", L(a,
			    "Ended periods are not closed yet: schedule the job that writes the closing records.",
			    "終了した区切り期間に区切り記録が書かれていません。区切り記録を書く定期実行を設定してください。"));
			return;
		}
	}
	check_end(a, AUDIT_PASS, "%s", L(a,
	    "Every period of the history before the last has its closing record.",
	    "最後を除くすべての区切り期間に区切り記録があります。"));
}

static void
check_head(struct audit *a, const struct walk *w)
{
	char	 subj[64];

	check_begin(a, "R6", "log-head");
	if (!w->head_ok) {
		check_item(a, "oplog.head", "%s", L(a,
		    "the copy of the last record is missing or malformed",
		    "最終記録の控えがないか形式が不正です"));
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The copy of the last record cannot be read.",
		    "最終記録の控えを読み込めません。"));
		return;
	}
	snprintf(subj, sizeof(subj), "seq %lld", w->head_seq);
	if (!w->ok)
		error_item(a, w);
	else if (w->last_seq < w->head_seq)
		check_item(a, subj, L(a,
		    "the copy of the last record names record %lld but the history ends at record %lld",
		    "最終記録の控えは通番 %lld ですが操作履歴は通番 %lld で終わっています"),
		    w->head_seq, w->last_seq);
	else if (w->size < w->head_size)
		check_item(a, subj, L(a,
		    "the history is %lld bytes shorter than the copy of the last record says: records were removed or cut",
		    "操作履歴が最終記録の控えの示す長さより %lld バイト短くなっています(記録の削除又は切り詰め)"),
		    w->head_size - w->size);
	else if (!w->head_found)
		check_item(a, subj, L(a,
		    "record %lld differs from the copy of the last record",
		    "通番 %lld の記録が最終記録の控えと一致しません"), w->head_seq);
	if (a->cur->nitem)
		check_end(a, AUDIT_FAIL, "%s", L(a,
		    "The history does not end at the copy of its last record: records were cut or replaced.",
		    "操作履歴が最終記録の控えと一致しません(記録の切り詰め又は差し替え)。"));
	else
		check_end(a, AUDIT_PASS, L(a,
		    "The history reaches the copy of its last record (record %lld).",
		    "操作履歴は最終記録の控え(通番 %lld)まで揃っています。"), w->head_seq);
}

/* What a burst is counted by (R5.2, issue 7 "by person and terminal"):
 * one person at one terminal; one person at any terminal; one terminal,
 * any person tried at it. */
enum burst_by { BY_PAIR, BY_PERSON, BY_TERMINAL };

/* One item of auth-bursts, saying which kind it is; k: the pairs a
 * person's or a terminal's failures span. */
static void
burst_item(struct audit *a, const struct burst *b, enum burst_by by, size_t k)
{
	char	 d1[64], d2[64], *subj, *who = NULL;

	audit_date(a, b->first, d1, sizeof(d1));
	audit_date(a, b->last, d2, sizeof(d2));
	if (by != BY_TERMINAL)
		who = person_label(a->reg_ok ? &a->reg : NULL, b->who, a->o->ja);
	if (by == BY_PAIR) {
		subj = xasprintf("%s@%s", b->who, b->terminal);
		check_item(a, subj, L(a,
		    "%s at terminal %s: %lld failed authentications from %s to %s",
		    "%s(端末機 %s): 認証失敗 %lld 回(%s〜%s)"), who,
		    b->terminal, b->n, d1, d2);
	} else if (by == BY_PERSON) {
		subj = xasprintf("%s@*", b->who);
		check_item(a, subj, L(a,
		    "%s at any terminal (%zu terminals): %lld failed authentications from %s to %s",
		    "%s(どの端末機でも、%zu 台): 認証失敗 %lld 回(%s〜%s)"), who, k,
		    b->n, d1, d2);
	} else {
		subj = xasprintf("*@%s", b->terminal);
		check_item(a, subj, L(a,
		    "terminal %s, any person (%zu ids): %lld failed authentications from %s to %s",
		    "端末機 %s(どの者でも、%zu 名): 認証失敗 %lld 回(%s〜%s)"),
		    b->terminal, k, b->n, d1, d2);
	}
	free(who);
	free(subj);
}

static int
by_who(const void *x, const void *y)
{
	return strcmp((*(struct burst *const *)x)->who,
	    (*(struct burst *const *)y)->who);
}

static int
by_terminal(const void *x, const void *y)
{
	return strcmp((*(struct burst *const *)x)->terminal,
	    (*(struct burst *const *)y)->terminal);
}

/* The pairs' failures summed by person or by terminal (sorted: one pass
 * however many ids were tried), an item for each total of burst or more
 * that spans more than one pair: one pair's alone is that pair's item
 * already.  Fail closed: ids tried one at a time at many terminals, or
 * many ids at one, are a burst too.  The number of items. */
static size_t
burst_sums(struct audit *a, const struct walk *w, enum burst_by by,
    long long burst)
{
	struct burst **p, s;
	size_t	 i, j, n = 0;

	if (w->nb == 0)
		return 0;
	p = xcalloc(w->nb, sizeof(*p));
	for (i = 0; i < w->nb; i++)
		p[i] = &w->b[i];
	qsort(p, w->nb, sizeof(*p), by == BY_PERSON ? by_who : by_terminal);
	for (i = 0; i < w->nb; i = j) {
		s = *p[i];
		for (j = i + 1; j < w->nb && (by == BY_PERSON ?
		    strcmp(p[j]->who, s.who) : strcmp(p[j]->terminal,
		    s.terminal)) == 0; j++) {
			s.n += p[j]->n;
			if (p[j]->first < s.first)
				s.first = p[j]->first;
			if (p[j]->last > s.last)
				s.last = p[j]->last;
		}
		if (j - i > 1 && s.n >= burst) {
			burst_item(a, &s, by, j - i);
			n++;
		}
	}
	free(p);
	return n;
}

static void
check_bursts(struct audit *a, const struct walk *w)
{
	long long burst = a->st->conf.audit_auth_burst;
	long long days = a->st->conf.audit_auth_window_days;
	size_t	 i, n = 0;

	check_begin(a, "R5.2", "auth-bursts");
	if (!w->ok) {
		not_read(a, w);
		return;
	}
	for (i = 0; i < w->nb; i++)
		if (w->b[i].n >= burst) {
			burst_item(a, &w->b[i], BY_PAIR, 1);
			n++;
		}
	n += burst_sums(a, w, BY_PERSON, burst);
	n += burst_sums(a, w, BY_TERMINAL, burst);
	check_end(a, n ? AUDIT_WARN : AUDIT_PASS, L(a,
	    "%zu burst(s) of %lld or more failed authentications in the last %lld days.",
	    "直近 %3$lld 日間に %2$lld 回以上の認証失敗の集中が %1$zu 件あります。"),
	    n, burst, days);
}

/* An operator-mod --recover detail, "uid=N changed: unlock ..." or
 * "uid=N reason=WHY" (WHY as operator-mod(1) lists them), as the Japanese
 * document says it: what was changed, or why it was refused, in words;
 * the uid (the account that ran it) and the tokens are the English
 * text's (issue 14).  malloc'd, "" for a detail of another form. */
static char *
recover_words_ja(const struct audit *a, const char *detail)
{
	static const char *const why[][2] = {
		{ "not-authorised", "権限のない利用者による実行" },
		{ "key-unreadable", "検証鍵を読み込めない" },
		{ "wrong-key", "操作履歴が検証鍵で確認できない" },
		{ "unknown-id", "登録簿にない" },
		{ "revoked", "取消済み" },
		{ "not-manager", "%sではない" },
		{ "register-row-damaged", "登録簿の行を読み取れない" },
		{ "not-password", "識別符号及びパスワードにより確認する者ではない" },
		{ "not-biometric", "照合情報により確認する者ではない" },
		{ "not-fingerprint", "指紋により確認する者ではない" },
		{ "password-refused", "新しいパスワードが受け付けられなかった" },
		{ "enrolment-refused", "照合情報の登録が受け付けられなかった" },
	};
	const char *p = detail;
	char	*w, *t;
	size_t	 k;

	if (strncmp(p, "uid=", 4) == 0)
		p += 4 + strcspn(p + 4, " ");
	p += strspn(p, " ");
	if (strncmp(p, "changed:", 8) == 0)
		return audit_change_words(a, p);
	if (strncmp(p, "reason=", 7) != 0)
		return xstrdup("");
	for (k = 0; k < sizeof(why) / sizeof(why[0]); k++)
		if (strcmp(p + 7, why[k][0]) == 0) {
			/* a format: it may name the manager */
			w = xasprintf(why[k][1], audit_manager(a));
			t = xasprintf("理由: %s", w);
			free(w);
			return t;
		}
	return xstrdup("");
}

/* One recover record as an item.  Two tools write one (jukisec-log(5)):
 * operator-mod --recover, object the manager's id, detail "uid=N ...";
 * log-append --recover, object oplog.csv, detail "by uid=N: ...".  The
 * detail tells them apart: an operator's id may be oplog.csv.  The
 * English text names the command and shows the detail as recorded; the
 * Japanese says the recovery and its detail in words. */
static void
recovery_item(struct audit *a, const struct recov *v)
{
	char	 d[64], subj[32], *who, *w;
	const char *res = v->result, *done;

	audit_date(a, v->time, d, sizeof(d));
	snprintf(subj, sizeof(subj), "seq %lld", v->seq);
	done = strcmp(res, "ok") == 0 ? L(a, "done", "実施") :
	    strcmp(res, "denied") == 0 ? L(a, "refused", "拒否") :
	    L(a, "failed", "失敗");
	if (strncmp(v->detail, "by uid=", 7) == 0) {
		if (a->o->ja)
			check_item(a, subj, "%s: 検証鍵で確認できた記録までを残す"
			    "操作履歴の回復(端末機 %s)、%s", d, v->terminal, done);
		else
			check_item(a, subj, "%s: recovery of the operation log "
			    "(log-append --recover) at terminal %s, %s (%s)", d,
			    v->terminal, done, v->detail);
		return;
	}
	who = person_label(a->reg_ok ? &a->reg : NULL, v->object, a->o->ja);
	w = a->o->ja ? recover_words_ja(a, v->detail) : xstrdup(v->detail);
	check_item(a, subj, L(a, "%s: recovery of %s at terminal %s, %s%s%s%s",
	    "%s: %s の回復(端末機 %s)、%s%s%s%s"), d, who, v->terminal, done,
	    *w ? L(a, " (", "(") : "", w, *w ? ")" : "");
	free(who);
	free(w);
}

/* R5.1, R6: the log verification key used to recover (operator-mod
 * --recover, bypassing the manager's own authority; log-append --recover,
 * cutting the log back): the committee sees every use and every try from
 * the period's first day up to the report's time (one before the period
 * was the report of its own period; a WARN never cleared would hide the
 * next one). */
static void
check_recoveries(struct audit *a, const struct walk *w)
{
	size_t	 i;

	check_begin(a, "R5.1", "manager-recoveries");
	if (!w->ok) {
		not_read(a, w);
		return;
	}
	for (i = 0; i < w->nrv && i < RECOV_MAX; i++)
		recovery_item(a, &w->rv[i]);
	check_end(a, w->nrv ? AUDIT_WARN : AUDIT_PASS, L(a,
	    "%1$zu use(s) or attempt(s) in the log of the log verification key to recover a %2$s or the operation log.",
	    "操作履歴に、検証鍵による%2$sまたは操作履歴の回復の実施または試行が %1$zu 件あります。"),
	    w->nrv, audit_manager(a));
}

void
audit_log(struct audit *a)
{
	struct walk w;
	struct keyjob j;
	char	 subj[64];

	memset(&w, 0, sizeof(w));
	a->r54 = a->reg_ok ? r54_new(a) : NULL;
	run_verify(a, &w, &j);
	check_bursts(a, &w);
	check_recoveries(a, &w);
	check_verify(a, &w, &j);
	check_retention(a, &w);
	check_prune(a, &w);
	check_seals(a, &w);
	check_head(a, &w);
	/* a log that holds its genesis covers all time: nothing was before */
	a->log_first = w.records == 0 ? TIME_NONE : w.first_seq == 0 ?
	    TIME_MIN : w.first_time;
	a->log_begins = w.records == 0 ? TIME_NONE : w.first_time;
	a->log_whole = w.ok;
	audit_changes(a, w.ok ? NULL : error_subject(&w, subj, sizeof(subj)),
	    w.error);
	a->log_esec = w.esec;	/* for conf-values (audit_state.c) */
	walk_reset(a, &w);
	oplog_vkey_free(j.vk);
}
