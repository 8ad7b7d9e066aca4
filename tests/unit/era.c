/* era.c unit test (TAP): every era boundary, 元年, styles, refusals,
 * fiscal years. */
#include <stdio.h>
#include <string.h>

#include "era.h"

static int n, failed;

static void
is(int y, int m, int d, enum era_style s, const char *want)
{
	char buf[64];
	int r = era_format_style(y, m, d, s, buf, sizeof(buf));

	n++;
	if ((want == NULL && r == -1) || (want != NULL && r == 0 && strcmp(buf, want) == 0))
		printf("ok %d - %04d-%02d-%02d -> %s\n", n, y, m, d, want ? want : "(none)");
	else {
		printf("not ok %d - %04d-%02d-%02d: got '%s' (%d), want '%s'\n",
		    n, y, m, d, buf, r, want ? want : "(none)");
		failed++;
	}
}

/* era_fiscal: a 年度 named as its calendar year is, 元 for year 1. */
static void
fy(int y, int ja, const char *want)
{
	char buf[64];

	era_fiscal(y, ja, buf, sizeof(buf));
	n++;
	if (strcmp(buf, want) == 0)
		printf("ok %d - fiscal year %d -> %s\n", n, y, want);
	else {
		printf("not ok %d - fiscal year %d: got '%s', want '%s'\n", n, y, buf, want);
		failed++;
	}
}

int
main(void)
{
	char small[8];

	is(1868, 10, 22, ERA_GANNEN, NULL);
	is(1868, 10, 23, ERA_GANNEN, "明治元年10月23日");
	is(1912, 7, 29, ERA_GANNEN, "明治45年7月29日");
	is(1912, 7, 30, ERA_GANNEN, "大正元年7月30日");
	is(1926, 12, 24, ERA_GANNEN, "大正15年12月24日");
	is(1926, 12, 25, ERA_GANNEN, "昭和元年12月25日");
	is(1989, 1, 7, ERA_GANNEN, "昭和64年1月7日");
	is(1989, 1, 8, ERA_GANNEN, "平成元年1月8日");
	is(2019, 4, 30, ERA_GANNEN, "平成31年4月30日");
	is(2019, 5, 1, ERA_GANNEN, "令和元年5月1日");
	is(2019, 5, 1, ERA_NUMERIC, "令和1年5月1日");
	is(2019, 5, 1, ERA_LETTER, "R1.05.01");
	is(2026, 11, 25, ERA_GANNEN, "令和8年11月25日");
	is(2026, 11, 25, ERA_LETTER, "R8.11.25");
	is(2024, 2, 29, ERA_GANNEN, "令和6年2月29日");
	is(2023, 2, 29, ERA_GANNEN, NULL);
	is(2026, 13, 1, ERA_GANNEN, NULL);
	is(2026, 4, 31, ERA_NUMERIC, NULL);
	fy(1989, 1, "平成元年度");
	fy(1988, 1, "昭和63年度");
	fy(2018, 1, "平成30年度");
	fy(2019, 1, "令和元年度");
	fy(2026, 1, "令和8年度");
	fy(1868, 1, "明治元年度");
	fy(1867, 1, "1867年度");
	fy(2019, 0, "fiscal year 2019");
	n++;
	if (era_format(2026, 11, 25, small, sizeof(small)) == -1 && small[0] == '\0')
		printf("ok %d - too small a buffer is refused and left empty\n", n);
	else {
		printf("not ok %d - too small a buffer\n", n);
		failed++;
	}
	printf("1..%d\n", n);
	return failed != 0;
}
