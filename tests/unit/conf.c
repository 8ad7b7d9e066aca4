/* Unit tests for common/conf.c: defaults, the written default file, the
 * regulation floors, unknown keys and malformed lines. */
#include <sys/stat.h>

#include <unistd.h>

#include "jukisec.h"
#include "conf.h"
#include "tap.h"
#include "conftext.h"

/* conf_init_problem says of statedir what conf_load says of the file
 * conf_write_defaults writes for it: the same check, not a second copy. */
static void
init_agrees(const char *statedir, const char *want, const char *what)
{
	struct conf c;
	const char *msg;
	char *why = conf_init_problem(statedir);
	FILE *fp = fopen(path, "w");
	int st;

	ok(conf_write_defaults(fp, statedir) == 0, "%s: written", what);
	fclose(fp);
	conf_defaults(&c, "/st");
	capture_begin();
	st = conf_load(&c, path);
	msg = capture_end();
	ok((why == NULL) == (st == ST_OK), "%s: conf_init_problem agrees with "
	    "conf_load (%s)", what, *msg != '\0' ? msg : "loads");
	if (want == NULL)
		ok(why == NULL, "%s: no problem", what);
	else
		is_str(why, want, what);
	free(why);
	conf_free(&c);
}

int
main(void)
{
	char dir[] = "/tmp/jukisec-unit-conf.XXXXXX";
	struct conf c, d;
	const char *msg;
	FILE *fp;
	int st;

	umask(077);
	if (mkdtemp(dir) == NULL)
		return 3;
	snprintf(path, sizeof(path), "%s/jukisec.conf", dir);

	conf_defaults(&c, "/var/lib/jukisec");
	ok(c.retain_days == 365 && c.kdf_memory_kib == 65536 && c.kdf_time == 3 &&
	    c.kdf_parallelism == 1 && c.lockout_threshold == 5 &&
	    c.password_min_length == 8 && c.lock_timeout_ms == 10000 &&
	    c.epoch_seconds == 86400 && c.lockout_unlock_minutes == 0 &&
	    c.exception_warn_threshold == 3 && c.audit_auth_window_days == 30 &&
	    c.audit_auth_burst == 5 && c.audit_prune_max_age_days == 3 &&
	    c.fp_timeout_seconds == 30 && c.external_timeout_seconds == 30,
	    "numeric defaults");
	is_str(c.template_key, "/var/lib/jukisec/template.key", "template_key default");
	ok(*c.fp_device == '\0' && *c.external_verifier == '\0' && *c.notify_command == '\0',
	    "string defaults empty");

	/* The file jukisec-init writes loads back to exactly the defaults. */
	fp = fopen(path, "w");
	ok(conf_write_defaults(fp, "/var/lib/jukisec") == 0, "conf_write_defaults");
	fclose(fp);
	conf_defaults(&d, "/elsewhere");
	capture_begin();
	st = conf_load(&d, path);
	msg = capture_end();
	ok(st == ST_OK && *msg == '\0', "written default file loads cleanly");
	is_str(d.template_key, c.template_key, "and names the same template key");
	free(d.template_key);
	d.template_key = c.template_key;
	ok(memcmp(&c, &d, offsetof(struct conf, template_key)) == 0 &&
	    d.fp_timeout_seconds == c.fp_timeout_seconds &&
	    d.audit_prune_max_age_days == c.audit_prune_max_age_days,
	    "and gives the same numbers");
	conf_free(&c);
	free(d.fp_device);
	free(d.external_verifier);
	free(d.notify_command);

	st = load("# comment\n\n  retain_days\t=  730  \nnotify_command = logger -t jukisec \"new incident\"\n"
	    "fp_device =\ntemplate_key = /media/key/template.key\n", &c, &msg);
	ok(st == ST_OK && c.retain_days == 730, "values over the defaults, blanks trimmed");
	is_str(c.notify_command, "logger -t jukisec \"new incident\"", "string value kept whole");
	is_str(c.template_key, "/media/key/template.key", "template key moved");
	conf_free(&c);
	st = load("retain_days = 365\nkdf_memory_kib = 19456\nkdf_time = 2\nkdf_parallelism = 1\n"
	    "lockout_threshold = 100\npassword_min_length = 8\n", &c, &msg);
	ok(st == ST_OK && c.kdf_memory_kib == 19456, "values exactly at the floors are accepted");
	conf_free(&c);

	refused("retain_days = 364\n", "1: retain_days: 364 is below the minimum 365");
	refused("\nkdf_memory_kib = 19455\n", "2: kdf_memory_kib: 19455 is below the minimum 19456");
	refused("kdf_time = 1\n", "1: kdf_time: 1 is below the minimum 2");
	refused("kdf_parallelism = 0\n", "1: kdf_parallelism: 0 is below the minimum 1");
	refused("lockout_threshold = 0\n", "1: lockout_threshold: 0 is below the minimum 1");
	refused("lockout_threshold = 101\n", "1: lockout_threshold: 101 is above the maximum 100");
	refused("password_min_length = 7\n", "1: password_min_length: 7 is below the minimum 8");
	refused("retain_days = -1\n", "1: retain_days: \"-1\" is not a number");
	refused("retain_days = +400\n", "1: retain_days: \"+400\" is not a number");
	refused("lock_timeout_ms = -0\n", "1: lock_timeout_ms: \"-0\" is not a number");
	refused("retain_days = 1e3\n", "1: retain_days: \"1e3\" is not a number");
	refused("retain_days =\n", "1: retain_days: \"\" is not a number");
	refused("retain_dayz = 400\n", "1: retain_dayz: unknown key");
	refused("# ok\nretain_days 400\n", "2: retain_days: expected \"key = value\"");
	refused("# ok\n[jukisec]\n", "2: expected \"key = value\"");
	refused("retain_days = 400\nretain_days = 500\n", "2: retain_days: set twice");
	refused("template_key = template.key\n", "1: template_key: not an absolute path");
	refused("template_key =\n", "1: template_key: not an absolute path");
	refused("template_key = /media/key/\n",
	    "1: template_key: not a file name: it ends in \"/\"");
	refused("external_verifier = bin/palm\n", "1: external_verifier: not an absolute path");
	refused("notify_command = caf\xc3\n", "1: notify_command: invalid UTF-8");

	/* jukisec-init's state directory, named in template_key */
	init_agrees("/var/lib/jukisec", NULL, "the default directory");
	init_agrees("/a b/\xe7\x8a\xb6\xe6\x85\x8b", NULL, "a blank, kanji");
	init_agrees("/a\tb", "template_key /a\tb/template.key: contains a control character",
	    "a tab");
	init_agrees("/a\nb", "template_key /a\nb/template.key: contains a line break",
	    "a line feed");
	init_agrees("/a\xc2\x85" "b", "template_key /a\xc2\x85" "b/template.key: "
	    "contains a control character", "U+0085");
	init_agrees("/caf\xe9", "template_key /caf\xe9/template.key: invalid UTF-8",
	    "not UTF-8");
	init_agrees("st", "template_key template.key: not an absolute path",
	    "a relative directory");
	{
		/* "template_key = DIR/template.key" in 4096 bytes: DIR 4068 */
		char dlong[4070], want[4200];

		memset(dlong, 'a', sizeof(dlong));
		dlong[0] = '/';
		dlong[4068] = '\0';
		init_agrees(dlong, NULL, "a directory of 4068 bytes");
		dlong[4068] = 'a';
		dlong[4069] = '\0';
		snprintf(want, sizeof(want), "template_key %s/template.key: "
		    "longer than 4081 bytes", dlong);
		init_agrees(dlong, want, "a directory of 4069 bytes");
	}

	capture_begin();
	conf_defaults(&c, "/st");
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	st = conf_load(&c, path);
	msg = capture_end();
	ok(st == ST_FAIL && strstr(msg, "missing.conf: No such file") != NULL,
	    "a missing file is an error");
	conf_free(&c);

	/* A group-writable file is not read. */
	snprintf(path, sizeof(path), "%s/jukisec.conf", dir);
	chmod(path, 0620);
	conf_defaults(&c, "/st");
	capture_begin();
	st = conf_load(&c, path);
	msg = capture_end();
	ok(st == ST_FAIL, "a group-writable conf file is refused (%s)", msg);
	conf_free(&c);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
