/* oplog_race — the verifier against a log appended to meanwhile (issue 10,
 * finding 6): 1,000 verifications while another process appends single
 * records, batches, and crosses an epoch boundary (seals, a key that moves,
 * the older head slot re-signed), with zero false alarms.  The appends run
 * in a forked process through the real append path, lock and files; the
 * verifications in this one, so the thousand of them take seconds, not the
 * minutes a thousand log-verify processes would. */
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <gcrypt.h>

#include "jukisec.h"
#include "conf.h"
#include "oplog.h"
#include "oplog_verify.h"
#include "store.h"
#include "timeutil.h"
#include "tap.h"

#define RUNS	1000

static char base[64];

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb, (void)flag, (void)f;
	return remove(p);
}

/* Appends until killed: mostly single records, every eighth a batch of
 * three, with a short pause so the log stays small. */
static void
appender(void)
{
	struct store st;
	struct oplog_rec r[3] = {
		{ "tanaka", "print", "juminhyo", "ok", "copy, 1 page" },
		{ "sato", "view", "x", "ok", "" },
		{ "ito", "export", "y", "ok", "say \"hi\"" },
	};
	struct timespec nap = { 0, 1500000 };
	long n;

	if (store_open(&st, base, "race01", 0) != ST_OK)
		_exit(3);
	for (n = 0;; n++) {
		if (oplog_append(&st, r, n % 8 == 7 ? 3 : 1) != ST_OK)
			_exit(1);
		nanosleep(&nap, NULL);
	}
}

int
main(void)
{
	struct store st;
	struct atomic_file af;
	struct oplog_verify_opts o;
	struct oplog_verify_result res;
	struct oplog_vkey *vk;
	char *vkey, first[1024] = "";
	const char *dir;
	int64_t start, deadline;
	long long last = 0;
	pid_t pid;
	int status, i, fails = 0, tmp[2];
	struct jerr e;

	jukisec_setup();
	/* A disk, not tmpfs: there fdatasync(2) takes time, and the window
	 * between a record and its head is wide enough to matter. */
	dir = "/tmp";
	snprintf(base, sizeof(base), "%s/jukisec-unit-race.XXXXXX", dir);
	if (mkdtemp(base) == NULL)
		return 3;
	ok(store_open(&st, base, "race01", STORE_CREATE | STORE_NOCONF) == ST_OK, "store_open creates");
	ok(atomic_begin(&af, st.dirfd, "jukisec.conf", 0600) == 0 &&
	    conf_write_defaults(af.fp, base) == 0 && atomic_commit(&af) == 0, "jukisec.conf");
	/* Epochs of a minute, the first ending 50 ms from now: the
	 * appends cross a boundary while the verifications run. */
	vkey = gcry_malloc_secure(OPLOG_VKEY_BUFSZ);
	start = time_now_ms() - 59950;
	is_num(oplog_create(&st, start, 60, 1, vkey), ST_OK, "oplog_create, 60 s epochs");
	is_num(oplog_create_done(&st), ST_OK, "oplog_create_done");
	if (pipe(tmp) == -1 || write(tmp[1], vkey, strlen(vkey)) != (ssize_t)strlen(vkey))
		return 3;
	close(tmp[1]);
	vk = oplog_vkey_read(tmp[0], "vkey", &e);
	close(tmp[0]);
	ok(vk != NULL, "the verification key");
	store_close(&st);
	ok(store_open(&st, base, "race01", 0) == ST_OK, "store_open");

	if ((pid = fork()) == -1)
		return 3;
	if (pid == 0)
		appender();
	memset(&o, 0, sizeof(o));
	/* At least RUNS, and on until the appender is well past the epoch
	 * boundary (a slow disk or a loaded machine slows it). */
	deadline = time_now_ms() + 20000;
	for (i = 0; i < RUNS || (last < 50 && time_now_ms() < deadline); i++) {
		o.now = time_now_ms();
		if (oplog_verify(&st, vk, &o, &res) != ST_OK) {
			if (fails++ == 0)
				snprintf(first, sizeof(first), "%s:%zu: seq %lld: %s", res.bad_file,
				    res.bad_line, res.bad_seq, res.reason);
		} else
			last = res.last_seq;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status), "the appender ran until stopped");
	ok(fails == 0, "%d verifications while appending: %d false alarms", i, fails);
	if (fails)
		printf("# first: %s\n", first);
	printf("# the log grew to seq %lld, over %lld ms\n", last, (long long)(time_now_ms() - start - 59950));
	ok(last >= 50, "appends ran during the verifications");
	o.now = time_now_ms();
	ok(oplog_seal(&st) == ST_OK && oplog_verify(&st, vk, &o, &res) == ST_OK &&
	    res.last_epoch >= 1, "afterwards the log verifies, past an epoch boundary");

	store_close(&st);
	oplog_vkey_free(vk);
	wipe(vkey, OPLOG_VKEY_BUFSZ);
	gcry_free(vkey);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
