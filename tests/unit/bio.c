/*
 * bio.c unit test (TAP): the template seal (tmpl.c), the external verifier
 * (extverify.c, driven by tests/xverifier.sh) and the reader checks of fp.c
 * that need no finger (no reader, a print that is not a print), with the
 * real libgcrypt and libfprint.  Run from the source root (make test).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "jukisec.h"
#include "bioint.h"
#include "tap.h"

static char root[64], dir[128], xv[PATH_MAX];

static void
put(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd == -1 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		abort();
	close(fd);
	chmod(path, mode);
}

static void
xvmode(const char *m)
{
	char p[256];

	snprintf(p, sizeof p, "%s/xv/mode", root);
	if (m == NULL)
		unlink(p);
	else
		put(p, m, 0600);
}

static void
test_seal(struct store *st)
{
	unsigned char *key, *key2;
	struct secret t = { (unsigned char *)xstrdup("FP3 a print"), 11 };
	struct secret back = { 0 };
	struct buf b = { 0 }, b2 = { 0 };
	const char *why;
	char p[256], other[160], cd[160], tf[192], *cfg;
	struct stat sb;
	size_t i;
	int bad = 0, r;

	capture_begin();
	r = tmpl_key_load(st, 0, &key);
	ok(r == ST_FAIL && strstr(capture_end(), "template.key is missing") != NULL,
	    "verification never creates a missing key");
	ok(tmpl_key_load(st, 1, &key) == ST_OK, "enrolment creates the key");
	snprintf(p, sizeof p, "%s/template.key", dir);
	ok(stat(p, &sb) == 0 && sb.st_size == 32 && (sb.st_mode & 0777) == 0600,
	    "key file: 32 bytes, mode 0600");
	ok(tmpl_key_load(st, 1, &key2) == ST_OK &&
	    memcmp(key, key2, TMPL_KEYLEN) == 0, "an existing key is reused");
	tmpl_key_free(key2);

	ok(tmpl_seal(key, "alice", METHOD_FINGERPRINT, &t, &b, NULL) == ST_OK &&
	    b.len == 5 + 12 + 11 + 16, "seal: header, nonce, text, tag");
	ok(memmem(b.p, b.len, "a print", 7) == NULL, "sealed bytes hide the print");
	ok(tmpl_open(key, "alice", METHOD_FINGERPRINT, b.p, b.len, &back,
	    &why, NULL) == ST_OK && back.len == 11 && memcmp(back.p, t.p, 11) == 0,
	    "open gives the print back");
	secret_free(&back);
	ok(tmpl_seal(key, "alice", METHOD_FINGERPRINT, &t, &b2, NULL) == ST_OK &&
	    memcmp(b.p + 5, b2.p + 5, 12) != 0, "each seal draws a fresh nonce");
	ok(tmpl_open(key, "bob", METHOD_FINGERPRINT, b.p, b.len, &back,
	    &why, NULL) == ST_NO && back.p == NULL && strcmp(why, "template corrupt") == 0,
	    "another operator's id: refused");
	ok(tmpl_open(key, "alice", METHOD_EXTERNAL, b.p, b.len, &back,
	    &why, NULL) == ST_NO, "offered as the other kind: refused");
	for (i = 0; i < b.len; i++) {
		b.p[i] ^= 0x01;
		if (tmpl_open(key, "alice", METHOD_FINGERPRINT, b.p, b.len,
		    &back, &why, NULL) != ST_NO)
			bad++;
		b.p[i] ^= 0x01;
	}
	ok(bad == 0, "any flipped bit in %zu bytes: refused", b.len);
	for (i = 0, bad = 0; i < b.len; i++)
		if (tmpl_open(key, "alice", METHOD_FINGERPRINT, b.p, i, &back,
		    &why, NULL) != ST_NO)
			bad++;
	ok(bad == 0, "every truncation: refused");
	t.len = 0;
	capture_begin();
	ok(tmpl_seal(key, "alice", METHOD_FINGERPRINT, &t, &b2, NULL) == ST_FAIL,
	    "an empty template is not sealed");
	capture_end();
	t.len = 11;
	tmpl_key_free(key);

	chmod(p, 0640);
	capture_begin();
	r = tmpl_key_load(st, 0, &key);
	ok(r == ST_FAIL && strstr(capture_end(), "template.key") != NULL,
	    "group-readable key: refused");
	chmod(p, 0600);
	put(p, "short", 0600);
	capture_begin();
	r = tmpl_key_load(st, 1, &key);
	ok(r == ST_FAIL && strstr(capture_end(), "not exactly 32 bytes") != NULL,
	    "key of the wrong size: refused, not replaced");

	/* a new key would orphan every template sealed under the lost one */
	snprintf(cd, sizeof cd, "%s/credentials", dir);
	snprintf(tf, sizeof tf, "%s/alice.tmpl.old", cd);
	unlink(p);
	mkdir(cd, 0700);
	put(tf, "sealed", 0600);
	ok(tmpl_key_load(st, 1, &key) == ST_OK && access(p, F_OK) == 0,
	    "only a template kept for destruction: the key is made");
	tmpl_key_free(key);
	unlink(p);
	snprintf(tf, sizeof tf, "%s/alice.tmpl", cd);
	put(tf, "sealed", 0600);
	capture_begin();
	r = tmpl_key_load(st, 1, &key);
	ok(r == ST_FAIL && strstr(capture_end(), "template.key is missing") !=
	    NULL && access(p, F_OK) == -1,
	    "a template sealed: a missing key is never made anew");
	chmod(cd, 0750);
	capture_begin();
	r = tmpl_key_load(st, 1, &key);
	ok(r == ST_FAIL && strstr(capture_end(), "unsafe owner or mode") !=
	    NULL && access(p, F_OK) == -1,
	    "credentials/ unreadable as the tools require: no key made");
	chmod(cd, 0700);
	unlink(tf);
	snprintf(tf, sizeof tf, "%s/alice.tmpl.old", cd);
	unlink(tf);
	rmdir(cd);
	put(p, "short", 0600);

	snprintf(other, sizeof other, "%s/media", root);
	mkdir(other, 0700);
	cfg = st->conf.template_key;
	st->conf.template_key = xasprintf("%s/jk.key", other);
	capture_begin();
	r = tmpl_key_load(st, 1, &key);
	ok(r == ST_FAIL && strstr(capture_end(), "removable medium") != NULL &&
	    access(st->conf.template_key, F_OK) == -1,
	    "a key outside the state directory is never created");
	snprintf(p, sizeof p, "%s/link.key", dir);
	if (symlink(st->conf.template_key, p) == -1)
		abort();
	put(st->conf.template_key, "0123456789abcdef0123456789abcdef", 0600);
	ok(tmpl_key_load(st, 0, &key) == ST_OK, "a key on removable media is used");
	tmpl_key_free(key);
	free(st->conf.template_key);
	st->conf.template_key = xstrdup("link.key");
	capture_begin();
	r = tmpl_key_load(st, 0, &key);
	capture_end();
	ok(r == ST_FAIL, "a key reached through a symbolic link: refused");
	free(st->conf.template_key);
	st->conf.template_key = cfg;
	secret_free(&t);
	buf_free(&b);
	buf_free(&b2);
}

static void
test_external(struct store *st)
{
	struct secret t = { 0 }, t2 = { 0 };
	const char *why = NULL;
	char p[256];
	struct timespec a, z;
	int r;

	capture_begin();
	r = ext_enrol(st, "carol", &t, &why);
	ok(r == ST_FAIL && strstr(capture_end(), "no external verifier") != NULL &&
	    strcmp(why, "no verifier") == 0, "no verifier configured: error");
	free(st->conf.external_verifier);
	st->conf.external_verifier = xstrdup("tests/xverifier.sh");
	capture_begin();
	r = ext_enrol(st, "carol", &t, &why);
	ok(r == ST_FAIL && strstr(capture_end(), "absolute path") != NULL,
	    "a relative verifier path: refused");
	free(st->conf.external_verifier);
	st->conf.external_verifier = xstrdup(xv);
	snprintf(p, sizeof p, "%s/xv/hand", root);
	put(p, "carol-left", 0600);
	capture_begin();
	r = ext_enrol(st, "carol", &t, &why);
	capture_end();
	ok(r == ST_OK && t.len == 15 && memcmp(t.p, "vein:carol-left", 15) == 0,
	    "enrol: the template is the program's stdout");
	capture_begin();
	r = ext_verify(st, "carol", &t, &why);
	capture_end();
	ok(r == ST_OK && why == NULL, "verify: the same hand matches");
	put(p, "dave-left", 0600);
	capture_begin();
	r = ext_verify(st, "carol", &t, &why);
	capture_end();
	ok(r == ST_NO && strcmp(why, "no match") == 0, "verify: another hand, no match");
	xvmode("broken");
	capture_begin();
	r = ext_verify(st, "carol", &t, &why);
	ok(r == ST_NO && strcmp(why, "verifier error") == 0 &&
	    strstr(capture_end(), "exit status 2") != NULL, "exit 2: an error, denied");
	xvmode("nodevice");
	capture_begin();
	r = ext_verify(st, "carol", &t, &why);
	capture_end();
	ok(r == ST_FAIL && strcmp(why, "no reader") == 0, "exit 3: no reader");
	xvmode("fail");
	capture_begin();
	r = ext_enrol(st, "carol", &t2, &why);
	capture_end();
	ok(r == ST_NO && t2.p == NULL, "enrol exit 1: enrolment failed");
	t2.len = 512 * 1024;
	t2.p = xcalloc(1, t2.len);
	capture_begin();
	r = ext_verify(st, "carol", &t2, &why);
	capture_end();
	ok(r == ST_NO && strcmp(why, "no match") == 0,
	    "a verifier that exits without reading a large template: no SIGPIPE");
	secret_free(&t2);
	xvmode("empty");
	capture_begin();
	r = ext_enrol(st, "carol", &t2, &why);
	ok(r == ST_FAIL && strstr(capture_end(), "no template") != NULL,
	    "enrol with nothing on stdout: error");
	xvmode("garbage");
	capture_begin();
	r = ext_enrol(st, "carol", &t2, &why);
	ok(r == ST_FAIL && t2.p == NULL && strstr(capture_end(), "larger than") != NULL,
	    "enrol output over the limit: killed, error");
	xvmode("sleep");
	st->conf.external_timeout_seconds = 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	capture_begin();
	r = ext_verify(st, "carol", &t, &why);
	capture_end();
	clock_gettime(CLOCK_MONOTONIC, &z);
	ok(r == ST_NO && strcmp(why, "timeout") == 0 && z.tv_sec - a.tv_sec < 3,
	    "a verifier that never answers is killed at the timeout");
	xvmode(NULL);
	secret_free(&t);
}

static void
test_reader(struct store *st)
{
	struct secret t = { 0 };
	struct secret junk = { (unsigned char *)xstrdup("FP"), 2 };
	const char *why = NULL;
	char sock[128];
	int r;

	setenv("FP_DRIVERS_WHITELIST", "virtual_device", 1);
	unsetenv("FP_VIRTUAL_DEVICE");
	capture_begin();
	r = fp_enrol(st, "erin", NULL, &t);
	ok(r == ST_FAIL && strcmp(capture_end(), "no fingerprint reader found") == 0,
	    "enrol without a reader: no fingerprint reader found");
	capture_begin();
	r = fp_verify(st, "erin", NULL, &junk, &why);
	capture_end();
	ok(r == ST_NO && strcmp(why, "template corrupt") == 0,
	    "a print that is not one is refused before any reader is sought");
	snprintf(sock, sizeof sock, "%s/s", root);
	setenv("FP_VIRTUAL_DEVICE", sock, 1);
	capture_begin();
	r = fp_enrol(st, "erin", &(struct bio_opts){ "left-pinky", NULL }, &t);
	capture_end();
	ok(r == ST_USAGE, "unknown finger name: usage error");
	capture_begin();
	r = fp_enrol(st, "erin", &(struct bio_opts){ NULL, "elan" }, &t);
	ok(r == ST_FAIL && strstr(capture_end(), "driver elan") != NULL,
	    "--device naming an absent driver: not found");
	capture_begin();
	r = fp_verify(st, "erin", NULL, &junk, &why);
	capture_end();
	ok(r == ST_NO && strcmp(why, "template corrupt") == 0,
	    "3 bytes: refused before fp_print_deserialize");
	free(junk.p);
	junk.p = (unsigned char *)xstrdup("XYZ-not-a-print");
	junk.len = 15;
	capture_begin();
	r = fp_verify(st, "erin", NULL, &junk, &why);
	capture_end();
	ok(r == ST_NO && strcmp(why, "template corrupt") == 0, "no FP3 magic: refused");
	free(junk.p);
	junk.p = (unsigned char *)xstrdup("FP3garbage-garbage");
	junk.len = 18;
	capture_begin();
	r = fp_verify(st, "erin", NULL, &junk, &why);
	capture_end();
	ok(r == ST_NO && strcmp(why, "template corrupt") == 0,
	    "FP3 then garbage: libfprint refuses it, denied");
	/* FP3 and a raw print's type, then what is no print: libfprint takes
	 * the type, reaches into the data unchecked, and aborts the process
	 * (a GLib error, SIGTRAP) when nothing checked it first. */
	for (int k = 1; k <= 2; k++) {
		free(junk.p);
		junk.p = xmalloc(30);
		memcpy(junk.p, "FP3\0\0\0\0garbage-garbage-garbage", 30);
		junk.p[3] = (unsigned char)k;
		junk.len = 30;
		capture_begin();
		r = fp_verify(st, "erin", NULL, &junk, &why);
		capture_end();
		ok(r == ST_NO && strcmp(why, "template corrupt") == 0,
		    "FP3, print type %d, data of another shape: denied, no abort", k);
	}
	secret_free(&junk);
}

int
main(void)
{
	struct store st;
	char p[256];

	jukisec_setup();
	if (realpath("tests/xverifier.sh", xv) == NULL) {
		printf("1..0 # skip run from the source root\n");
		return 0;
	}
	snprintf(root, sizeof root, "/tmp/jkbio.XXXXXX");
	if (mkdtemp(root) == NULL)
		abort();
	snprintf(dir, sizeof dir, "%s/state", root);
	snprintf(p, sizeof p, "%s/xv", root);
	mkdir(p, 0700);
	setenv("XV_DIR", p, 1);
	if (store_open(&st, dir, "t", STORE_CREATE | STORE_NOCONF) != ST_OK)
		return 1;
	test_seal(&st);
	test_external(&st);
	test_reader(&st);
	store_close(&st);
	if (fork() == 0) {
		execl("/bin/rm", "rm", "-rf", "--", root, (char *)NULL);
		_exit(127);
	}
	wait(NULL);
	return tap_done();
}
