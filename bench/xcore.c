/*
 * xcore.c — how long a cache line takes to go from one core to another
 * and back, between the first two processors the program may run on.
 *
 *     sipscope-xcore [ROUNDS]
 *
 * Two threads, pinned one to each processor, pass a counter back and
 * forth through two cache lines; the time per round trip is the median of
 * five runs of ROUNDS (default 20,000) trips.  Prints "N ns" on standard
 * output, or "one processor" when there is no second one.
 *
 * Why the benchmark wants it: sipscope reading a file runs on two
 * threads that hand every message over from one core to the other, and
 * on a virtual machine the host may place the two virtual processors
 * near each other (a round trip near 100 ns) or far apart (500 ns and
 * more), and move them while the machine runs: the same binary's
 * `--stats` on the same file then takes markedly longer.  Measured next
 * to each repetition, it tells which placement a figure was taken in.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(64) atomic_long ping;
static _Alignas(64) atomic_long pong;
static long rounds = 20000;
static int cpu_other;

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static void *answer(void *arg)
{
	long total = *(const long *)arg;
	pin(cpu_other);
	for (long i = 1; i <= total; i++) {
		while (atomic_load_explicit(&ping, memory_order_acquire) != i)
			;
		atomic_store_explicit(&pong, i, memory_order_release);
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	char *end = NULL;
	if (argc == 2)
		rounds = strtol(argv[1], &end, 10);
	if (argc > 2 || rounds <= 0 || (end && *end)) {
		fprintf(stderr, "usage: sipscope-xcore [ROUNDS]\n");
		return 2;
	}
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
		perror("sipscope-xcore: sched_getaffinity");
		return 3;
	}
	int cpus[2], n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &allowed))
			cpus[n++] = c;
	if (n < 2) {
		printf("one processor\n");
		return 0;
	}
	cpu_other = cpus[1];
	pin(cpus[0]);
	enum { RUNS = 5 };
	double ns[RUNS];
	long total = rounds * RUNS, next = 0;
	pthread_t t;
	if (pthread_create(&t, NULL, answer, &total) != 0) {
		fprintf(stderr, "sipscope-xcore: cannot start a thread\n");
		return 3;
	}
	for (int r = 0; r < RUNS; r++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < rounds; i++) {
			next++;
			atomic_store_explicit(&ping, next, memory_order_release);
			while (atomic_load_explicit(&pong, memory_order_acquire) != next)
				;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns[r] = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
			(double)rounds;
	}
	pthread_join(t, NULL);
	qsort(ns, RUNS, sizeof ns[0], cmp_double);
	printf("%.0f ns\n", ns[RUNS / 2]);
	return 0;
}
