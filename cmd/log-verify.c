/*
 * log-verify — verifies the operation log (R6) with the verification key
 * jukisec-init printed: the live log against its head, or the named files
 * (archives, then the log) as one chain.  The key is read from a file that
 * only its owner may read, or from standard input; never from argv.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "oplog_verify.h"
#include "store.h"
#include "timeutil.h"
#include "tool.h"

enum { O_ANCHOR = 256, O_HEAD };

static const struct tool_opt opts[] = {
	{ "dir",	required_argument, 'd', "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "key-file",	required_argument, 'k', "-k, --key-file=FILE",	N_("the verification key (- for standard input)") },
	{ "anchor",	required_argument, O_ANCHOR, "    --anchor=ANCHOR", N_("also check that the log holds this record") },
	{ "head",	no_argument,	   O_HEAD, "    --head",	N_("print the anchor line of the last record") },
	{ "now",	required_argument, TOOL_NOW, "    --now=TIME",	N_("verify as of TIME (RFC 3339)") },
	{ NULL, 0, 0, NULL, NULL }
};

struct own {
	struct oplog_anchor	*anchors;
	size_t			 nanchors;
	const char		*keyfile;
	int			 head;
};

static int
opt(void *p, int ch, char *arg)
{
	struct own *o = p;

	switch (ch) {
	case 'k':
		if (usage_empty(arg, "-k"))
			return ST_USAGE;
		o->keyfile = arg;
		break;
	case O_ANCHOR:
		o->anchors = xrealloc(o->anchors, (o->nanchors + 1) * sizeof(*o->anchors));
		if (oplog_anchor_parse(arg, &o->anchors[o->nanchors].seq,
		    o->anchors[o->nanchors].mac) == -1) {
			warnx(_("--anchor: not a jukisec-log-anchor line"));
			return ST_USAGE;
		}
		o->nanchors++;
		break;
	case O_HEAD: o->head = 1; break;
	}
	return ST_OK;
}

static const struct tool cmd = {
	N_("usage: log-verify [-d DIR] -k FILE|- [--anchor ANCHOR ...] [--head] [--now TIME]\n"
	    "\t[FILE|- ...]\n"), opts, 1, opt, 0
};

static void
report(const struct oplog_verify_result *res, int head)
{
	char mac[2 * OPLOG_MACLEN + 1];
	size_t i;

	if (res->records == 0) {	/* header rows alone: empty archives */
		printf(_("ok: 0 records\n"));
		return;
	}
	for (i = 0; i < OPLOG_MACLEN; i++)
		snprintf(mac + 2 * i, 3, "%02x", res->head_mac[i]);
	if (head) {
		printf("jukisec-log-anchor v1 seq=%lld mac=%s\n", res->last_seq, mac);
		return;
	}
	printf(_("ok: %lld records, seq %lld-%lld, epochs %lld-%lld, head %lld:%.16s, %s%s"),
	    res->records, res->first_seq, res->last_seq, res->first_epoch,
	    res->last_epoch, res->last_seq, mac,
	    res->head_checked ? _("oplog.head matches") : _("no head checked"),
	    res->prunes ? _(", pruned") : "");
	if (res->copy_start >= 0)
		printf(_(", a copy starting at seq %lld (that record's own MAC cannot be checked)"),
		    res->copy_start);
	else if (res->copy)
		printf("%s", _(", a copy"));
	putchar('\n');
}

/* Why the log does not verify, r the verifier's status, conf why
 * jukisec.conf was not read (code ST_OK when it was): the status. */
static int
failed(const struct oplog_verify_result *res, int r, const struct jerr *conf)
{
	/* The lock failed (a writer may be at work): that is the one line,
	 * not the log's reason. */
	if (res->err.code != ST_OK && res->status == ST_FAIL) {
		r = jerr_warn(&res->err);
		if (conf->code != ST_OK)
			(void)jerr_warn(conf);
		return r;
	}
	if (res->bad_line && res->bad_seq >= 0)
		warnx(_("%s:%zu: seq %lld: %s"), res->bad_file, res->bad_line,
		    res->bad_seq, res->reason);
	else if (res->bad_line)
		warnx("%s:%zu: %s", res->bad_file, res->bad_line, res->reason);
	else
		warnx("%s: %s", *res->bad_file ? res->bad_file : "oplog.csv", res->reason);
	/* jukisec.conf, oplog.key or a lock file planted as well: after the
	 * failure, which stands, in the order they were read */
	if (conf->code != ST_OK)
		(void)jerr_warn(conf);
	if (res->status == ST_NO && res->key_refused[0] != '\0')
		warnx("oplog.key: %s", res->key_refused);
	if (res->err.code != ST_OK)
		(void)jerr_warn(&res->err);
	/* A link, FIFO or directory in place of oplog.csv or oplog.head, or
	 * one opened to others, is what someone who could write DIR left:
	 * tampering, as a missing head is, not a failure to try again later.
	 * Key files, jukisec.conf, I/O and a lock that times out stay
	 * operational. */
	return res->refused ? ST_NO : r;
}

/* Standard input is one thing: the key or one file of the chain.  A
 * FILE "" is no file: said as the operand, not as open(2)'s error. */
static void
stdin_once(const struct own *ow, const struct tool_args *a)
{
	int i, n;

	if (usage_empty_operands(a->argc, a->argv))
		exit(ST_USAGE);
	for (i = 0, n = strcmp(ow->keyfile, "-") == 0; i < a->argc; i++)
		if (strcmp(a->argv[i], "-") == 0 && n++ > 0) {
			warnx(_("standard input (-) given twice"));
			tool_usage(&cmd, ST_USAGE);
		}
}

static int
run(struct own *ow, const struct tool_args *a)
{
	struct store st, *stp = NULL;
	char *live = NULL;
	struct oplog_verify_opts o;
	struct oplog_verify_result res;
	struct oplog_vkey *vk;
	struct jerr e, conf = JERR_INIT;
	int r;

	memset(&o, 0, sizeof(o));
	o.now = a->now_given ? a->now : time_now_ms();
	if (usage_missing(ow->keyfile, "-k"))
		tool_usage(&cmd, ST_USAGE);
	stdin_once(ow, a);
	o.files = (const char *const *)a->argv;
	o.nfiles = a->argc;
	o.anchors = ow->anchors;
	o.nanchors = ow->nanchors;
	/* The nightly chain check: no log-prune runs while it reads. */
	o.prune_lock = 1;

	/* Archives verify on a machine without a state directory; a last
	 * file that is a state directory's oplog.csv is its live log.  Its
	 * jukisec.conf refused, missing or malformed does not stop the check
	 * (STORE_CONFSOFT): the log's verdict first, the conf's after it. */
	if (a->argc == 0 || store_dir_named(a->dir) ||
	    (live = store_live_dir(a->argv[a->argc - 1])) != NULL) {
		r = store_open(&st, live != NULL ? live : a->dir, NULL,
		    STORE_READER | STORE_CONFSOFT);
		free(live);
		if (r != ST_OK)
			return r;
		conf = st.conf_err;
		stp = &st;
	}
	if ((vk = oplog_vkey_open(ow->keyfile, &e)) == NULL) {
		if (stp)
			store_close(stp);
		return jerr_warn(&e);
	}
	r = oplog_verify(stp, vk, &o, &res);
	oplog_vkey_free(vk);
	free(ow->anchors);
	if (stp)
		store_close(stp);
	/* the log verifies: jukisec.conf not read is the failure (exit 3),
	 * as oplog.key refused is */
	if (r == ST_OK && conf.code != ST_OK)
		return jerr_warn(&conf);
	if (r == ST_OK) {
		report(&res, ow->head);
		return ST_OK;
	}
	return failed(&res, r, &conf);
}

int
main(int argc, char *argv[])
{
	struct own	 o = { NULL, 0, NULL, 0 };
	struct tool_args a;

	tool_parse(&cmd, argc, argv, &o, &a);
	return tool_exit(run(&o, &a));
}
