/*
 * kcost — what this machine's kernel charges for the traps a short
 * command takes, for bench/run's header: one log-append beyond /bin/true
 * is mostly page faults and system calls (README, "Measuring"), and on a
 * virtual machine they cost many times what they cost on bare metal, so a
 * figure read without them misleads.  Prints "FAULT_US SYSCALL_US": the
 * medians over 7 rounds of a first write to each of 1,024 anonymous pages
 * and of 10,000 getppid(2) calls.
 * Not part of the suite: built by bench/run, never installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#define PAGES	1024
#define CALLS	10000
#define ROUNDS	7

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
	double	 fault[ROUNDS], call[ROUNDS], t;
	long	 pg = sysconf(_SC_PAGESIZE);
	volatile char *p;
	int	 r, i;

	for (r = 0; r < ROUNDS; r++) {
		p = mmap(NULL, (size_t)PAGES * pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("kcost: mmap");
			return 3;
		}
		t = now_us();
		for (i = 0; i < PAGES; i++)
			p[(size_t)i * pg] = 1;
		fault[r] = (now_us() - t) / PAGES;
		munmap((void *)p, (size_t)PAGES * pg);
		t = now_us();
		for (i = 0; i < CALLS; i++)
			(void)getppid();
		call[r] = (now_us() - t) / CALLS;
	}
	qsort(fault, ROUNDS, sizeof fault[0], cmp);
	qsort(call, ROUNDS, sizeof call[0], cmp);
	printf("%.1f %.2f\n", fault[ROUNDS / 2], call[ROUNDS / 2]);
	return 0;
}
