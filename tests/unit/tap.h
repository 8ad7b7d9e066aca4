/*
 * tap.h — the few TAP helpers the C unit tests share (header-only, so each
 * tests/unit/NAME.c stays one program).  stderr of the code under test can
 * be captured to compare exact messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tap_n, tap_failed;

static void __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
}

static void __attribute__((unused))
is_str(const char *got, const char *want, const char *what)
{
	ok(got != NULL && strcmp(got, want) == 0, "%s", what);
	if (got == NULL || strcmp(got, want) != 0)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)", want);
}

static void __attribute__((unused))
is_num(long long got, long long want, const char *what)
{
	ok(got == want, "%s", what);
	if (got != want)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
}

static int __attribute__((unused))
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

/* stderr capture: what the code under test printed, minus "prog: ". */
static FILE *cap_fp;
static int cap_saved = -1;
static char cap_buf[4096];

static void __attribute__((unused))
capture_begin(void)
{
	fflush(stderr);
	cap_fp = tmpfile();
	cap_saved = dup(2);
	dup2(fileno(cap_fp), 2);
}

static __attribute__((unused)) const char *
capture_end(void)
{
	size_t n;
	char *p;

	fflush(stderr);
	dup2(cap_saved, 2);
	close(cap_saved);
	rewind(cap_fp);
	n = fread(cap_buf, 1, sizeof(cap_buf) - 1, cap_fp);
	fclose(cap_fp);
	cap_buf[n] = '\0';
	if (n > 0 && cap_buf[n - 1] == '\n')
		cap_buf[n - 1] = '\0';
	/* Drop the program-name prefix err(3) adds. */
	if ((p = strstr(cap_buf, ": ")) != NULL && strchr(cap_buf, '\n') == NULL)
		memmove(cap_buf, p + 2, strlen(p + 2) + 1);
	return cap_buf;
}
