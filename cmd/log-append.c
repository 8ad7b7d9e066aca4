/*
 * log-append — appends records to the operation log (R6): one from options,
 * a batch from standard input (whole or not at all), or only the seals of
 * ended epochs (--seal, from cron); or, with the verification key, recovers
 * a log that writers refuse (--recover).  Standard input is read and checked
 * in full before the log lock is taken, so a slow pipeline never holds it.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "clock.h"
#include "csvio.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "standing.h"
#include "store.h"
#include "timeutil.h"

enum { O_NOW = 256, O_SEAL, O_STDIN, O_RECOVER, O_KEYFILE };

static const struct option longopts[] = {
	{ "action",	required_argument, NULL, 'a' },
	{ "dir",	required_argument, NULL, 'd' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "detail",	required_argument, NULL, 'm' },
	{ "object",	required_argument, NULL, 'o' },
	{ "result",	required_argument, NULL, 'r' },
	{ "terminal",	required_argument, NULL, 't' },
	{ "operator",	required_argument, NULL, 'u' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ "key-file",	required_argument, NULL, O_KEYFILE },
	{ "now",	required_argument, NULL, O_NOW },
	{ "recover",	no_argument,	   NULL, O_RECOVER },
	{ "seal",	no_argument,	   NULL, O_SEAL },
	{ "stdin",	no_argument,	   NULL, O_STDIN },
	{ NULL, 0, NULL, 0 }
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "%s",
	    _("usage: log-append [-d dir] [-t terminal] -u operator -a action\n"
	    "\t[-o object] [-r result] [-m detail]\n"
	    "       log-append [-d dir] [-t terminal] --stdin\n"
	    "       log-append [-d dir] [-t terminal] --seal\n"
	    "       log-append [-d dir] [-t terminal] --recover --key-file file|-\n"));
	exit(status);
}

/* Reads "operator,action,object,result,detail" lines into one packed
 * buffer of NUL-terminated fields, their line numbers into *lines; ST_OK,
 * or ST_USAGE after naming the line. */
static int
read_batch(struct buf *b, size_t *n, size_t **lines)
{
	static const char *const cols[] = { "operator", "action", "object", "result", "detail" };
	struct csv_reader *r;
	struct csv_record *rec;
	struct oplog_rec o;
	const char *p;
	size_t i;
	int k;

	r = csvr_open(stdin, "<stdin>", cols, 5, 0, 0, OPLOG_DETAIL_MAX);
	while ((k = csvr_next(r, &rec)) == 1) {
		o.operator = rec->field[0];
		o.action = rec->field[1];
		o.object = rec->field[2];
		o.result = rec->field[3];
		o.detail = rec->field[4];
		if ((p = oplog_rec_problem(&o)) != NULL) {
			warnx("<stdin>:%zu: %s", rec->line, p);
			k = -1;
			break;
		}
		for (i = 0; i < 5; i++)
			buf_add(b, rec->field[i], rec->len[i] + 1);
		*lines = xrealloc(*lines, (*n + 1) * sizeof **lines);
		(*lines)[(*n)++] = rec->line;
	}
	if (k == -1 && csvr_ioerror(r)) {
		csvr_close(r);
		return ST_FAIL;
	}
	csvr_close(r);
	return k == -1 ? ST_USAGE : ST_OK;
}

/* --recover: the verification key from a file only its owner may read, or
 * from standard input; never from argv. */
static int
recover(struct store *st, const char *keyfile)
{
	struct oplog_vkey *vk;
	char summary[1536];
	int fd, r;

	if (strcmp(keyfile, "-") == 0)
		vk = oplog_vkey_read(STDIN_FILENO, "<stdin>", &r);
	else if ((fd = open(keyfile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		warn("%s", keyfile);
		return ST_FAIL;
	} else {
		vk = oplog_vkey_read(fd, keyfile, &r);
		close(fd);
	}
	if (vk == NULL)
		return r;
	r = oplog_recover(st, vk, time_now_ms(), summary, sizeof(summary));
	oplog_vkey_free(vk);
	if (r == ST_OK)
		printf("%s\n", summary);
	return r;
}

static int
append_batch(struct store *st, const struct buf *b, size_t n)
{
	struct oplog_batch *bt;
	struct oplog_rec o;
	const char *p = b->p;
	int r;

	if (n == 0)
		return ST_OK;
	if ((r = oplog_begin(st, time_now_ms(), &bt)) != ST_OK)
		return r;
	while (n-- > 0) {
		o.operator = p;
		p += strlen(p) + 1;
		o.action = p;
		p += strlen(p) + 1;
		o.object = p;
		p += strlen(p) + 1;
		o.result = p;
		p += strlen(p) + 1;
		o.detail = p;
		p += strlen(p) + 1;
		if ((r = oplog_add(bt, &o)) != ST_OK) {
			oplog_abort(bt);
			return r;
		}
	}
	return oplog_commit(bt);
}

/* R5.4: says which operators of the batch may not operate (standing.h). */
static void
batch_standing(struct store *st, const struct buf *b, size_t n,
    const size_t *lines)
{
	const char **who = xcalloc(n + 1, sizeof *who);
	char	**where = xcalloc(n + 1, sizeof *where);
	const char *p = b->p;
	size_t	 i, k;

	for (i = 0; i < n; i++) {
		who[i] = p;
		where[i] = xasprintf("<stdin>:%zu", lines[i]);
		for (k = 0; k < 5; k++)
			p += strlen(p) + 1;
	}
	standing_warn(st, who, (const char *const *)where, n);
	for (i = 0; i < n; i++)
		free(where[i]);
	free(who);
	free(where);
}

int
main(int argc, char *argv[])
{
	struct store st;
	struct oplog_rec o = { NULL, NULL, "", "", "" };
	struct buf b = { NULL, 0, 0 };
	const char *dir = NULL, *terminal = NULL, *keyfile = NULL, *nowhere = NULL;
	size_t n = 0, *lines = NULL;
	int ch, r, seal = 0, in = 0, rec = 0;

	jukisec_setup();
	while ((ch = getopt_long(argc, argv, "a:d:hm:o:r:t:u:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': o.action = optarg; break;
		case 'd': dir = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'm': o.detail = optarg; break;
		case 'o': o.object = optarg; break;
		case 'r': o.result = optarg; break;
		case 't': terminal = optarg; break;
		case 'u': o.operator = optarg; break;
		case 'V':
			print_version();
			return fshut_stdout();
		case O_NOW: return clock_refused();
		case O_SEAL: seal = 1; break;
		case O_STDIN: in = 1; break;
		case O_RECOVER: rec = 1; break;
		case O_KEYFILE: keyfile = optarg; break;
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0 || seal + in + rec > 1 || (keyfile != NULL) != rec ||
	    ((seal || in || rec) != (o.operator == NULL && o.action == NULL &&
	    !*o.object && !*o.result && !*o.detail)) ||
	    (!seal && !in && !rec && (o.operator == NULL || o.action == NULL)))
		usage(ST_USAGE);

	if (in && (r = read_batch(&b, &n, &lines)) != ST_OK) {
		buf_free(&b);
		free(lines);
		return r;
	}
	if ((r = store_open(&st, dir, terminal, 0)) != ST_OK) {
		buf_free(&b);
		free(lines);
		return r;
	}
	if (rec)
		r = recover(&st, keyfile);
	else if (seal)
		r = oplog_seal(&st);
	else if (in) {
		if ((r = append_batch(&st, &b, n)) == ST_OK)
			batch_standing(&st, &b, n, lines);
	} else if ((r = oplog_append(&st, &o, 1)) == ST_OK)
		standing_warn(&st, &o.operator, &nowhere, 1);
	store_close(&st);
	buf_free(&b);
	free(lines);
	if (rec && fshut_stdout() != ST_OK && r == ST_OK)
		r = ST_FAIL;
	return r;
}
