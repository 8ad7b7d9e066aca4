/*
 * log-append — appends records to the operation log (R6): one from options,
 * a batch from standard input (whole or not at all), or only the seals of
 * ended epochs (--seal, from cron); or, with the verification key, recovers
 * a log that writers refuse (--recover).  Standard input is read and each
 * record checked once as it comes: up to PRELOCK bytes before the log lock
 * is taken (a small batch from a slow pipeline never holds it), the rest
 * written past the log's head as it is read (on two cores, by a second
 * thread: add_rest()), so memory stays bounded whatever the batch's size;
 * a bad line aborts the batch, which cuts what was written of it.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "csvio.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "standing.h"
#include "store.h"
#include "timeutil.h"
#include "tool.h"

enum { O_SEAL = 256, O_STDIN, O_RECOVER, O_KEYFILE };

static const struct tool_opt opts[] = {
	{ "action",	required_argument, 'a', "-a, --action=ACTION",	N_("what was done") },
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "detail",	required_argument, 'm', "-m, --detail=DETAIL",	N_("free text") },
	{ "object",	required_argument, 'o', "-o, --object=OBJECT",	N_("what it was done to") },
	{ "result",	required_argument, 'r', "-r, --result=RESULT",	N_("the outcome: ok, denied, error, ...") },
	{ "terminal",	required_argument, 't', "-t, --terminal=TERMINAL", N_("the terminal (else $JUKISEC_TERMINAL)") },
	{ "operator",	required_argument, 'u', "-u, --operator=OPERATOR", N_("who did it") },
	{ "key-file",	required_argument, O_KEYFILE, "    --key-file=FILE", N_("the verification key, for --recover") },
	{ "recover",	no_argument,	   O_RECOVER, "    --recover",	N_("recover a log that writers refuse") },
	{ "seal",	no_argument,	   O_SEAL, "    --seal",		N_("only seal the epochs that have ended") },
	{ "stdin",	no_argument,	   O_STDIN, "    --stdin",	N_("read records from standard input (CSV)") },
	{ "now",	required_argument, TOOL_NOW_REFUSED, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

struct own {
	struct oplog_rec o;
	const char	*keyfile;
	int		 seal, in, rec;
};

static int
opt(void *p, int ch, char *arg)
{
	struct own *w = p;

	switch (ch) {
	case 'a': w->o.action = arg; break;
	case 'm': w->o.detail = arg; break;
	case 'o': w->o.object = arg; break;
	case 'r': w->o.result = arg; break;
	case 'u': w->o.operator = arg; break;
	case O_SEAL: w->seal = 1; break;
	case O_STDIN: w->in = 1; break;
	case O_RECOVER: w->rec = 1; break;
	case O_KEYFILE:
		if (usage_empty(arg, "--key-file"))
			return ST_USAGE;
		w->keyfile = arg;
		break;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: log-append [-d DIR] [-t TERMINAL] -u OPERATOR -a ACTION\n"
	    "\t[-o OBJECT] [-r RESULT] [-m DETAIL]\n"
	    "       log-append [-d DIR] [-t TERMINAL] [--stdin]\n"
	    "       log-append [-d DIR] [-t TERMINAL] --seal\n"
	    "       log-append [-d DIR] [-t TERMINAL] --recover --key-file FILE|-\n"),
	opts, 0, opt, 1
};

/* The options of one mode and no other's; else usage() after saying why. */
static void
check_mode(const struct oplog_rec *o, int seal, int in, int rec,
    const char *keyfile)
{
	const char *mode = seal ? "--seal" : in ? "--stdin" : "--recover";

	if (seal + in + rec > 1) {
		warnx(_("--seal, --stdin and --recover exclude each other"));
		tool_usage(&cmd, ST_USAGE);
	}
	if (rec && keyfile == NULL) {
		warnx(_("--recover needs --key-file (the log verification key)"));
		tool_usage(&cmd, ST_USAGE);
	}
	if (!rec && keyfile != NULL) {
		warnx(_("--key-file is for --recover only"));
		tool_usage(&cmd, ST_USAGE);
	}
	if ((seal || in || rec) && (o->operator != NULL || o->action != NULL ||
	    *o->object || *o->result || *o->detail)) {
		warnx(_("%s: not with -u, -a, -o, -r or -m"), mode);
		tool_usage(&cmd, ST_USAGE);
	}
	if (!seal && !in && !rec && (usage_missing(o->operator, "-u") ||
	    usage_missing(o->action, "-a")))
		tool_usage(&cmd, ST_USAGE);
}

/* Bytes of fields a batch may hold before the log lock is taken. */
#define PRELOCK	(1024 * 1024)

/* The distinct operators of a batch, each with the line it first appears
 * on, for standing_say() once the batch is durable (R5.4): a hash set,
 * so memory grows with the operators named, not with the records; and
 * past the first OPS_SAID, only with those the register has (issue 15:
 * bounded whatever the batch).  The lines naming anybody else after
 * those are counted, and said in one line. */
#define OPS_SAID	1000
struct ops {
	const char	**who;
	char		**where;
	size_t		n, cap;
	size_t		*slot;		/* index + 1 into who, 0 empty */
	size_t		nslot;		/* a power of 2, more than 2 n */
	struct store	*st;		/* once open: the register past OPS_SAID */
	struct register_ reg;		/* as read then, quietly */
	const char	**ids;		/* its ids, sorted */
	int		 regread;	/* 0 not yet, 1 read, -1 refused */
	size_t		 rest, restline; /* the lines counted, the first's */
};

static size_t
ops_hash(const char *s)
{
	size_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether the register has who, read once (without a word: standing_say
 * reads it again and says what there is to say) the first time it is
 * asked.  A register that cannot be read has nobody; standing_say then
 * says that the operators could not be checked.  A missing one, which
 * the quiet read leaves to the log, is read as every reader reads it: an
 * empty register while no credential says one held someone. */
static int
registered(struct ops *o, const char *who)
{
	struct jerr quiet = JERR_INIT;
	size_t i;

	if (o->regread == 0) {
		o->regread = register_load_quiet(o->st, &o->reg) == ST_OK ||
		    register_load_err(o->st, &o->reg, &quiet) == ST_OK ? 1 : -1;
		o->ids = xcalloc(o->reg.n + 1, sizeof *o->ids);
		for (i = 0; i < o->reg.n; i++)
			o->ids[i] = o->reg.op[i].id;
		qsort(o->ids, o->reg.n, sizeof *o->ids, by_str);
	}
	return bsearch(&who, o->ids, o->reg.n, sizeof *o->ids, by_str) != NULL;
}

/* Past the first OPS_SAID operators, whether who is to be kept: not a
 * system actor, and in the register; the others are counted. */
static int
ops_keep(struct ops *o, const char *who, size_t line)
{
	if (o->n < OPS_SAID)
		return 1;
	if (conf_system_actor(&o->st->conf, who))
		return 0;
	if (registered(o, who))
		return 1;
	if (o->rest++ == 0)
		o->restline = line;
	return 0;
}

static void
ops_see(struct ops *o, const char *who, size_t line)
{
	size_t i, j, *old = o->slot, nold = o->nslot;

	for (i = o->nslot ? ops_hash(who) & (o->nslot - 1) : 0; o->nslot && o->slot[i];
	    i = (i + 1) & (o->nslot - 1))
		if (strcmp(o->who[o->slot[i] - 1], who) == 0)
			return;
	if (!ops_keep(o, who, line))
		return;
	if (2 * (o->n + 1) >= o->nslot) {
		o->nslot = o->nslot ? 2 * o->nslot : 64;
		o->slot = xcalloc(o->nslot, sizeof(*o->slot));
		for (j = 0; j < nold; j++)
			if (old[j]) {
				for (i = ops_hash(o->who[old[j] - 1]) & (o->nslot - 1); o->slot[i];
				    i = (i + 1) & (o->nslot - 1))
					;
				o->slot[i] = old[j];
			}
		free(old);
		for (i = ops_hash(who) & (o->nslot - 1); o->slot[i]; i = (i + 1) & (o->nslot - 1))
			;
	}
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 16;
		o->who = xrealloc(o->who, o->cap * sizeof(*o->who));
		o->where = xrealloc(o->where, o->cap * sizeof(*o->where));
	}
	o->who[o->n] = xstrdup(who);
	o->where[o->n] = xasprintf("<stdin>:%zu", line);
	o->slot[i] = ++o->n;
}

static void
ops_free(struct ops *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free((char *)o->who[i]);
		free(o->where[i]);
	}
	free(o->who);
	free(o->where);
	free(o->slot);
	free(o->ids);
	register_free(&o->reg);
}

/* What the count of ops_keep has to say, once standing_say has said the
 * rest: when the register it was read against could be read. */
static void
ops_say_rest(const struct ops *o, struct store *st)
{
	char where[64];

	if (o->rest == 0 || o->regread != 1)
		return;
	snprintf(where, sizeof where, "<stdin>:%zu", o->restline);
	jerr_say(st->err, ST_OK, _("%s: and %zu more lines from here on name "
	    "operators not in the register (unknown); recorded (R5.4)"),
	    where, o->rest);
}

/* The next record of standard input into o, checked: 1, 0 at the end, or
 * -1 with *status set after a message naming the line.  Its operator goes
 * into ops. */
static int
next_rec(struct csv_reader *r, struct oplog_rec *o, struct ops *ops, int *status)
{
	struct csv_record *rec;
	const char *p;
	int k;

	if ((k = csvr_next(r, &rec)) == 0)
		return 0;
	if (k == -1) {
		*status = csvr_ioerror(r) ? ST_FAIL : ST_USAGE;
		return -1;
	}
	o->operator = rec->field[0];
	o->action = rec->field[1];
	o->object = rec->field[2];
	o->result = rec->field[3];
	o->detail = rec->field[4];
	if ((p = oplog_rec_required(o)) != NULL) {	/* csvio checked the rest */
		warnx("<stdin>:%zu: %s", rec->line, p);
		*status = ST_USAGE;
		return -1;
	}
	ops_see(ops, o->operator, rec->line);
	return 1;
}

/* A record's five fields appended to b, NUL-terminated. */
static void
pack(struct buf *b, const struct oplog_rec *o)
{
	buf_add(b, o->operator, strlen(o->operator) + 1);
	buf_add(b, o->action, strlen(o->action) + 1);
	buf_add(b, o->object, strlen(o->object) + 1);
	buf_add(b, o->result, strlen(o->result) + 1);
	buf_add(b, o->detail, strlen(o->detail) + 1);
}

/* The record packed at *p into o; *p past it. */
static void
unpack(const char **p, struct oplog_rec *o)
{
	const char **f[] = { &o->operator, &o->action, &o->object, &o->result,
	    &o->detail };
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		*f[i] = *p;
		*p += strlen(*p) + 1;
	}
}

/* Adds the n records packed at p to bt: ST_OK, or the first failure. */
static int
add_packed(struct oplog_batch *bt, const char *p, size_t n)
{
	struct oplog_rec o;
	int r = ST_OK;

	while (n-- > 0 && r == ST_OK) {
		unpack(&p, &o);
		r = oplog_add_checked(bt, &o);
	}
	return r;
}

/* Reads checked records into b, packed, until the end of input, PRELOCK
 * bytes or OPS_SAID operators (the next needs the register, so the store
 * open): 1 if more may follow, 0 at the end, or -1 with *status set. */
static int
read_head(struct csv_reader *r, struct buf *b, size_t *n, struct ops *ops, int *status)
{
	struct oplog_rec o;
	int k;

	while (b->len < PRELOCK && ops->n < OPS_SAID) {
		if ((k = next_rec(r, &o, ops, status)) != 1)
			return k;
		pack(b, &o);
		(*n)++;
	}
	return 1;
}

/* --recover: the verification key from a file only its owner may read, or
 * from standard input; never from argv. */
static int
recover(struct store *st, const char *keyfile)
{
	struct oplog_vkey *vk;
	struct jerr e;
	char summary[1536];
	int r;

	if ((vk = oplog_vkey_open(keyfile, &e)) == NULL)
		return jerr_warn(&e);
	r = oplog_recover(st, vk, time_now_ms(), summary, sizeof(summary));
	oplog_vkey_free(vk);
	if (r == ST_OK)
		printf("%s\n", summary);
	return r;
}

/*
 * The rest of a batch on two cores (issue 15): this thread reads and
 * checks the records and packs them, a writer thread adds them to the
 * batch (their MACs, their lines, the writes), one buffer of PIPEBUF
 * bytes handed over at a time.  The writer never waits on standard
 * input, so the reader can always join it: after a bad line (the
 * reader's) or a failed add (the writer's, seen at the next hand-over)
 * neither goes on, and the batch is cut as before.  The writer's failure
 * comes first: its record came before the reader's.
 */
#define PIPEBUF	(256 * 1024)

struct pipe_ {
	struct oplog_batch *bt;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct buf	 slot;		/* handed over, not yet taken; len 0: empty */
	size_t		 nslot;		/* its records */
	int		 done;		/* the reader hands over nothing more */
	int		 status;	/* the writer's: ST_OK or its failure */
};

static void *
writer(void *arg)
{
	struct pipe_ *pp = arg;
	struct buf work = { NULL, 0, 0 }, t;
	size_t n;
	int r;

	pthread_mutex_lock(&pp->mu);
	for (;;) {
		while (pp->slot.len == 0 && !pp->done)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (pp->slot.len == 0)
			break;
		t = pp->slot, pp->slot = work, work = t;
		n = pp->nslot;
		pthread_cond_signal(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
		r = add_packed(pp->bt, work.p, n);
		work.len = 0;
		pthread_mutex_lock(&pp->mu);
		if (r != ST_OK) {
			pp->status = r;
			pthread_cond_signal(&pp->cv);
			break;
		}
	}
	pthread_mutex_unlock(&pp->mu);
	buf_free(&work);
	return NULL;
}

/* Hands cur (n records) to the writer, and takes back an empty buffer:
 * ST_OK, or the writer's failure. */
static int
hand_over(struct pipe_ *pp, struct buf *cur, size_t n)
{
	struct buf t;
	int r;

	pthread_mutex_lock(&pp->mu);
	while (pp->slot.len != 0 && pp->status == ST_OK)
		pthread_cond_wait(&pp->cv, &pp->mu);
	if ((r = pp->status) == ST_OK) {
		t = pp->slot, pp->slot = *cur, *cur = t;
		pp->nslot = n;
		pthread_cond_signal(&pp->cv);
	}
	pthread_mutex_unlock(&pp->mu);
	return r;
}

/* The rest of r into bt, on two threads when it can: ST_OK or a failure,
 * each told on standard error where it happened. */
static int
add_rest(struct oplog_batch *bt, struct csv_reader *r, struct ops *ops)
{
	struct pipe_ pp = { bt, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	    { NULL, 0, 0 }, 0, 0, ST_OK };
	struct buf cur = { NULL, 0, 0 };
	struct oplog_rec o;
	pthread_t th;
	size_t n = 0;
	int k, status = ST_OK;

	/* the deferred locale set up before a second thread can print:
	 * setlocale is no call for two threads at once (jukisec_msg) */
	jukisec_msg();
	if (oplog_cores() < 2 || pthread_create(&th, NULL, writer, &pp) != 0) {
		while ((k = next_rec(r, &o, ops, &status)) == 1)
			if ((status = oplog_add_checked(bt, &o)) != ST_OK)
				return status;
		return k == -1 ? status : ST_OK;
	}
	while ((k = next_rec(r, &o, ops, &status)) == 1) {
		pack(&cur, &o);
		if (++n, cur.len >= PIPEBUF) {
			if (hand_over(&pp, &cur, n) != ST_OK)
				break;
			n = 0;
		}
	}
	if (k == 0 && n > 0)
		hand_over(&pp, &cur, n);
	pthread_mutex_lock(&pp.mu);
	pp.done = 1;
	pthread_cond_signal(&pp.cv);
	pthread_mutex_unlock(&pp.mu);
	pthread_join(th, NULL);
	buf_free(&cur);
	buf_free(&pp.slot);
	if (pp.status != ST_OK)
		return pp.status;
	return k == -1 ? status : ST_OK;
}

/*
 * The R5.4 check's register read, made while the disk takes the records
 * (oplog_while_syncing): on this kind of machine it costs about as much
 * as the record's write takes to reach the disk, which it now hides.
 * Silent; what it has to say is said once the records are durable
 * (standing_say), after the log lock is let go.
 */
struct reading {
	struct standing	 s;
	struct store	*st;
	const char *const *who;
	size_t		 n;
};

static void
read_register(void *arg)
{
	struct reading *rd = arg;

	standing_read(&rd->s, rd->st, rd->who, rd->n);
}

/* The commit of bt, whose records name the n operators who, and the R5.4
 * check of them (standing.h): the register read while the disk takes
 * the records, what it has to say said once they are durable. */
static int
commit_say(struct oplog_batch *bt, struct store *st, const char *const *who,
    const char *const *where, size_t n)
{
	struct reading rd;
	int64_t t;
	int status;

	memset(&rd, 0, sizeof rd);
	rd.st = st;
	rd.who = who;
	rd.n = n;
	oplog_while_syncing(bt, read_register, &rd);
	if ((status = oplog_commit_time(bt, &t)) == ST_OK)
		standing_say(&rd.s, st, t, who, where, n);
	else
		standing_free(&rd.s);
	return status;
}

/* The batch: the n records read ahead in b, then the rest of r, each
 * added as it is read; whole or nothing. */
static int
append_batch(struct store *st, struct csv_reader *r, struct buf *b, size_t n, int more,
    struct ops *ops)
{
	struct oplog_batch *bt;
	int status;

	if (n == 0)
		return ST_OK;	/* no operator either */
	if ((status = oplog_begin(st, time_now_ms(), &bt)) != ST_OK)
		return status;
	if ((status = add_packed(bt, b->p, n)) != ST_OK)
		goto abort;
	buf_free(b);
	ops->st = st;
	if (more && (status = add_rest(bt, r, ops)) != ST_OK)
		goto abort;
	if ((status = commit_say(bt, st, ops->who, (const char *const *)ops->where,
	    ops->n)) == ST_OK)
		ops_say_rest(ops, st);
	return status;
abort:
	oplog_abort(bt);
	return status;
}

/* One record, checked (oplog_rec_problem) by the caller. */
static int
append_one(struct store *st, const struct oplog_rec *o)
{
	static const char *const nowhere = NULL;
	struct oplog_batch *bt;
	int status;

	if ((status = oplog_begin(st, time_now_ms(), &bt)) != ST_OK)
		return status;
	if ((status = oplog_add_checked(bt, o)) != ST_OK) {
		oplog_abort(bt);
		return status;
	}
	return commit_say(bt, st, &o->operator, &nowhere, 1);
}

static int
run(const struct own *w, const struct tool_args *a)
{
	struct store st;
	struct oplog_rec o = w->o;
	static const char *const cols[] = { "operator", "action", "object", "result", "detail" };
	struct csv_reader *cr = NULL;
	struct buf b = { NULL, 0, 0 };
	const char *dir = a->dir, *terminal = a->terminal, *keyfile = w->keyfile;
	const char *why;
	struct ops ops;
	size_t n = 0;
	int r, seal = w->seal, in = w->in, rec = w->rec, more = 0;

	/* No record and no mode given, and standard input not a terminal:
	 * the records come from it, so that "app | log-append" works (at a
	 * terminal, the usage: nobody types a batch there). */
	if (!seal && !in && !rec && keyfile == NULL && o.operator == NULL &&
	    o.action == NULL && !*o.object && !*o.result && !*o.detail &&
	    !isatty(STDIN_FILENO))
		in = 1;
	check_mode(&o, seal, in, rec, keyfile);
	/* The record's fields are input: a bad one is exit 2 whatever the
	 * state directory and its jukisec.conf hold (jukisec.conf(5)), as a
	 * batch's lines are, which are read before it. */
	if (!in && !seal && !rec && (why = oplog_rec_problem(&o)) != NULL) {
		warnx("%s", why);
		return ST_USAGE;
	}

	r = ST_OK;
	memset(&ops, 0, sizeof(ops));
	if (in) {
		cr = csvr_open(stdin, "<stdin>", cols, 5, 0, 0, OPLOG_DETAIL_MAX);
		csvr_limits(cr, oplog_rec_max);
		more = read_head(cr, &b, &n, &ops, &r);
	}
	if (more == -1 || (r = store_open(&st, dir, terminal, 0)) != ST_OK) {
		if (cr)
			csvr_close(cr);
		buf_free(&b);
		ops_free(&ops);
		return r;
	}
	if (rec)
		r = recover(&st, keyfile);
	else if (seal)
		r = oplog_seal(&st);
	else if (in)
		r = append_batch(&st, cr, &b, n, more, &ops);
	else
		r = append_one(&st, &o);
	store_close(&st);
	if (cr)
		csvr_close(cr);
	buf_free(&b);
	ops_free(&ops);
	return r;
}

int
main(int argc, char *argv[])
{
	struct own	 w = { { NULL, NULL, "", "", "" }, NULL, 0, 0, 0 };
	struct tool_args a;

	tool_parse(&cmd, argc, argv, &w, &a);
	return tool_exit(run(&w, &a));
}
