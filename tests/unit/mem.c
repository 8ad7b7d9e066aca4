/* Unit tests for common/mem.c: inside a PAM call (a conversation with a
 * bail, conv.h) an allocation that fails jumps out as err(3) does, with
 * its message kept for the module's LOG_CRIT line, and prints nothing:
 * pam_jukisec(8) returns PAM_BUF_ERR and never ends its host.  Without a
 * bail the tools' behaviour stays: one line on stderr, exit 3. */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <gcrypt.h>

#include "jukisec.h"
#include "conv.h"
#include "cred.h"
#include "tap.h"

/* Under AddressSanitizer an allocation that fails aborts the process
 * unless the allocator may return NULL: this test wants the NULL. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static jmp_buf bail;
static char fatal[256];
static const struct conv c = { NULL, NULL, NULL, NULL, &bail, fatal, sizeof(fatal) };

/* xmalloc_secure of more than libgcrypt's locked pool holds, under the
 * bail: the status it jumped with, or 0 when it returned. */
static int
secure_under_bail(void)
{
	volatile int r;

	fatal[0] = '\0';
	conv_set(&c);
	if ((r = setjmp(bail)) == 0) {
		gcry_free(xmalloc_secure(4 << 20));
		conv_set(NULL);
	}
	return r;
}

/* xcalloc whose size overflows: calloc fails at once, nothing mapped. */
static int
calloc_under_bail(void)
{
	volatile int r;

	fatal[0] = '\0';
	conv_set(&c);
	if ((r = setjmp(bail)) == 0) {
		free(xcalloc(SIZE_MAX / 2 + 1, 2));
		conv_set(NULL);
	}
	return r;
}

/* pw_alloc's buffer holding a password, then an allocation that fails
 * under the bail, as one in the gate would (a PAM call): the frame that
 * would have freed it is gone; *held is where it was. */
static int
pw_under_bail(char **held)
{
	volatile int r;

	fatal[0] = '\0';
	conv_set(&c);
	if ((r = setjmp(bail)) == 0) {
		char *p = pw_alloc();

		strcpy(p, "correct horse battery");
		*held = p;
		free(xcalloc(SIZE_MAX / 2 + 1, 2));
		conv_set(NULL);
	}
	return r;
}

int
main(void)
{
	int r, status;
	pid_t pid;

	jukisec_setup();
	capture_begin();
	r = secure_under_bail();
	is_str(capture_end(), "", "out of secure memory under a bail: nothing printed");
	is_num(r, ST_FAIL, "out of secure memory under a bail: jumps out with 3");
	is_str(fatal, "out of secure memory", "the message kept for the module");
	ok(!conv_active(), "the bail is taken once: the conversation is unset");
	capture_begin();
	r = calloc_under_bail();
	is_str(capture_end(), "", "out of memory under a bail: nothing printed");
	is_num(r, ST_FAIL, "out of memory under a bail: jumps out with 3");
	is_str(fatal, strerror(ENOMEM), "its message kept");
	/* pam_jukisec's bail: pw_abandon wipes and frees what the gate held.
	 * Were it left, the locked pool (64 KiB) would run dry long before
	 * 200 calls, each a KiB. */
	{
		char	*held = NULL;
		int	 i, fine = 1, wiped = 1;

		for (i = 0; i < 200 && fine; i++) {
			fine = pw_under_bail(&held) == ST_FAIL &&
			    strcmp(fatal, strerror(ENOMEM)) == 0;
			pw_abandon();
			wiped &= held != NULL && held[0] == '\0';
		}
		ok(fine, "a password held at 200 bails: pw_abandon frees it each time");
		ok(wiped, "  and it is wiped");
	}
	/* the tools: no conversation, one line and exit 3 */
	fflush(NULL);
	capture_begin();
	if ((pid = fork()) == 0) {
		gcry_free(xmalloc_secure(4 << 20));
		_exit(0);
	}
	waitpid(pid, &status, 0);
	is_str(capture_end(), "out of secure memory", "without a bail: one line on stderr");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == ST_FAIL, "and exit 3");
	return tap_done();
}
