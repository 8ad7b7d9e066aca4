/*
 * log-verify — verifies the operation log (R6) with the verification key
 * jukisec-init printed: the live log against its head, or the named files
 * (archives, then the log) as one chain.  The key is read from a file that
 * only its owner may read, or from standard input; never from argv.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jukisec.h"
#include "clock.h"
#include "oplog_verify.h"
#include "store.h"
#include "timeutil.h"
#include "usage.h"

enum { O_ANCHOR = 256, O_HEAD, O_NOW };

static const struct option longopts[] = {
	{ "dir",	required_argument, NULL, 'd' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "key-file",	required_argument, NULL, 'k' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ "anchor",	required_argument, NULL, O_ANCHOR },
	{ "head",	no_argument,	   NULL, O_HEAD },
	{ "now",	required_argument, NULL, O_NOW },
	{ NULL, 0, NULL, 0 }
};

static const struct usage_opt opts[] = {
	{ "-d, --dir=DIR",	N_("the state directory (else $JUKISEC_DIR)") },
	{ "-k, --key-file=FILE", N_("the verification key (- for standard input)") },
	{ "    --anchor=ANCHOR", N_("also check that the log holds this record") },
	{ "    --head",		N_("print the anchor line of the last record") },
	{ "    --now=TIME",	N_("verify as of TIME (RFC 3339)") },
	{ NULL, NULL }
};

static void
usage(int status)
{
	usage_exit(status,
	    _("usage: log-verify [-d DIR] -k FILE|- [--anchor ANCHOR ...] [--head] [--now TIME]\n"
	    "\t[FILE|- ...]\n"), opts);
}

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

/* Long: the option switch, a case an option, then checks across options. */
int
main(int argc, char *argv[])
{
	struct store st, *stp = NULL;
	struct oplog_verify_opts o;
	struct oplog_verify_result res;
	struct oplog_vkey *vk;
	struct jerr e;
	struct oplog_anchor *anchors = NULL;
	const char *dir = NULL, *keyfile = NULL;
	int ch, r, head = 0, i;

	jukisec_setup();
	memset(&o, 0, sizeof(o));
	o.now = time_now_ms();
	while ((ch = getopt_long(argc, argv, "d:hk:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'h': usage(ST_OK); break;
		case 'k': keyfile = optarg; break;
		case 'V':
			print_version();
			return fshut_stdout();
		case O_ANCHOR:
			anchors = xrealloc(anchors, (o.nanchors + 1) * sizeof(*anchors));
			if (oplog_anchor_parse(optarg, &anchors[o.nanchors].seq,
			    anchors[o.nanchors].mac) == -1) {
				warnx(_("--anchor: not a jukisec-log-anchor line"));
				usage(ST_USAGE);
			}
			o.nanchors++;
			break;
		case O_HEAD: head = 1; break;
		case O_NOW:
			if (asof_parse(optarg, &o.now) != ST_OK)
				return ST_USAGE;
			break;
		default: usage(ST_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (usage_missing(keyfile, "-k"))
		usage(ST_USAGE);
	/* Standard input is one thing: the key or one file of the chain. */
	for (i = 0, r = strcmp(keyfile, "-") == 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && r++ > 0) {
			warnx(_("standard input (-) given twice"));
			usage(ST_USAGE);
		}
	o.files = (const char *const *)argv;
	o.nfiles = argc;
	o.anchors = anchors;

	/* Archives verify on a machine without a state directory. */
	if (argc == 0 || dir != NULL || getenv("JUKISEC_DIR") != NULL) {
		if ((r = store_open(&st, dir, NULL, 0)) != ST_OK)
			return r;
		stp = &st;
	}
	if ((vk = oplog_vkey_open(keyfile, &e)) == NULL) {
		if (stp)
			store_close(stp);
		return jerr_warn(&e);
	}
	r = oplog_verify(stp, vk, &o, &res);
	oplog_vkey_free(vk);
	free(anchors);
	if (stp)
		store_close(stp);
	if (r == ST_OK) {
		report(&res, head);
		return fshut_stdout();
	}
	if (res.err.code != ST_OK)
		jerr_warn(&res.err);
	if (res.bad_line && res.bad_seq >= 0)
		warnx(_("%s:%zu: seq %lld: %s"), res.bad_file, res.bad_line, res.bad_seq, res.reason);
	else if (res.bad_line)
		warnx("%s:%zu: %s", res.bad_file, res.bad_line, res.reason);
	else
		warnx("%s: %s", *res.bad_file ? res.bad_file : "oplog.csv", res.reason);
	return r;
}
