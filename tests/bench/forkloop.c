// SPDX-License-Identifier: GPL-2.0
/*
 * forkloop - the fork path microbenchmark of `make bench`.
 *
 * Runs fork+exit+wait (or pthread create+join) in a loop for a fixed time
 * and prints the cost per operation, as key=value lines:
 *
 *   op=fork workers=2 ops=13210 elapsed_ns=2000133000 ns_per_op=151430
 *
 * ns_per_op is per worker: the sum of the workers' busy time divided by the
 * sum of their operations, so one worker per CPU reports what one fork
 * costs when every CPU forks at once (not the aggregate throughput).
 *
 * Options:
 *   --cgroup PATH     join PATH (a cgroup directory or its cgroup.procs)
 *                     before anything else; repeatable (v2 + v1 pids)
 *   --op fork|thread|syscall
 *                     what to loop on (default fork); syscall is getppid(),
 *                     100 per timed step, reported per call: the cost every
 *                     process on the host pays when a syscall tracepoint is
 *                     attached (it sends every syscall down the slow path)
 *   --workers N       N worker processes (default 1); --per-cpu: one per
 *                     online CPU, each pinned to its CPU
 *   --duration-ms D   measured time (default 1000), after a warm-up of
 *                     --warmup-ms W (default 100) that is not counted
 *   --lat             record every operation and print p50/p90/p99/max
 *   --interval-us I   sleep I us between operations (a latency probe that
 *                     should not load the machine itself)
 *   --into-fmt FMT --into-count N
 *                     fork with clone3(CLONE_INTO_CGROUP) into the cgroup
 *                     directories FMT % 0 .. N-1, round robin (spreads
 *                     forks over many cgroups from one process)
 *   --into-prime      first leave one unreaped child (a zombie, which counts
 *                     as a task) in each of those cgroups, so that with a
 *                     limit of 1 every later fork into them is over the limit
 *
 * The numbers are only meaningful as ratios between configurations measured
 * side by side (scripts/bench.sh interleaves them); no threshold is checked
 * here. Exit status: 0 ran, 1 setup failure, 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

#define MAX_CGROUP_ARGS 4
#define MAX_WORKERS 256
#define MAX_INTO 65536
#define LAT_MAX_SAMPLES (1 << 20)

struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
		set_tid_size, cgroup;
};

struct worker_result {
	uint64_t ops;
	uint64_t busy_ns;
	uint64_t errors;
	uint64_t nlat;
};

struct shared {
	volatile int go;
	struct worker_result w[MAX_WORKERS];
};

static enum { OP_FORK, OP_THREAD, OP_SYSCALL } op = OP_FORK;
#define SYSCALL_BATCH 100
static long duration_ms = 1000, warmup_ms = 100, interval_us;
static int want_lat, into_prime;
static int *into_fds;
static long into_count;

static void die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "forkloop: %s%s%s\n(see the comment at the top of tests/bench/forkloop.c)\n",
		msg, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long parse_num(const char *what, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die_usage("bad number for", what);
	return v;
}

static int join_cgroup(const char *path)
{
	char file[4096];
	struct stat st;
	int fd, len;
	char pid[32];

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	else
		snprintf(file, sizeof(file), "%s", path);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "forkloop: open %s: %s\n", file, strerror(errno));
		return -1;
	}
	len = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write(fd, pid, len) != len) {
		fprintf(stderr, "forkloop: join %s: %s\n", file, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* One operation; returns 0 or -1 (counted, never fatal). */
static int one_op(uint64_t seq)
{
	if (op == OP_SYSCALL) {
		for (int i = 0; i < SYSCALL_BATCH; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (op == OP_THREAD) {
		pthread_t t;

		if (pthread_create(&t, NULL, thread_fn, NULL))
			return -1;
		pthread_join(t, NULL);
		return 0;
	}
	pid_t pid;

	if (into_count) {
		struct clone3_args a;

		memset(&a, 0, sizeof(a));
		a.flags = CLONE_INTO_CGROUP;
		a.exit_signal = SIGCHLD;
		a.cgroup = (uint64_t)into_fds[seq % (uint64_t)into_count];
		pid = syscall(SYS_clone3, &a, sizeof(a));
	} else {
		pid = fork();
	}
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void worker(struct shared *sh, int idx, int pin_cpu, uint64_t *lat)
{
	struct worker_result *r = &sh->w[idx];
	uint64_t t0, t1, end, seq = 0;

	if (pin_cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(pin_cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	while (!sh->go)
		sched_yield();
	/* Warm-up: fault in the paths, settle the scheduler. */
	end = now_ns() + (uint64_t)warmup_ms * 1000000ull;
	while (now_ns() < end)
		one_op(seq++);

	t0 = now_ns();
	end = t0 + (uint64_t)duration_ms * 1000000ull;
	for (;;) {
		uint64_t a = now_ns(), b;

		if (a >= end)
			break;
		if (one_op(seq++))
			r->errors++;
		else
			r->ops++;
		b = now_ns();
		if (lat && r->nlat < LAT_MAX_SAMPLES)
			lat[r->nlat++] = b - a;
		if (interval_us)
			usleep(interval_us);
	}
	t1 = now_ns();
	/* With an interval, count only the operations, not the sleeps. */
	if (lat && interval_us) {
		uint64_t sum = 0;

		for (uint64_t i = 0; i < r->nlat; i++)
			sum += lat[i];
		r->busy_ns = sum;
	} else {
		r->busy_ns = t1 - t0;
	}
}

int main(int argc, char **argv)
{
	const char *cgroups[MAX_CGROUP_ARGS];
	const char *into_fmt = NULL;
	int ncg = 0, workers = 1, per_cpu = 0;
	struct shared *sh;
	uint64_t *lat = NULL;
	pid_t pids[MAX_WORKERS];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--cgroup") && v) {
			if (ncg == MAX_CGROUP_ARGS)
				die_usage("too many --cgroup", NULL);
			cgroups[ncg++] = v;
			i++;
		} else if (!strcmp(a, "--op") && v) {
			if (!strcmp(v, "fork"))
				op = OP_FORK;
			else if (!strcmp(v, "thread"))
				op = OP_THREAD;
			else if (!strcmp(v, "syscall"))
				op = OP_SYSCALL;
			else
				die_usage("--op is fork, thread or syscall", v);
			i++;
		} else if (!strcmp(a, "--workers") && v) {
			workers = (int)parse_num("--workers", v, 1, MAX_WORKERS);
			i++;
		} else if (!strcmp(a, "--per-cpu")) {
			per_cpu = 1;
		} else if (!strcmp(a, "--duration-ms") && v) {
			duration_ms = parse_num("--duration-ms", v, 1, 600000);
			i++;
		} else if (!strcmp(a, "--warmup-ms") && v) {
			warmup_ms = parse_num("--warmup-ms", v, 0, 60000);
			i++;
		} else if (!strcmp(a, "--interval-us") && v) {
			interval_us = parse_num("--interval-us", v, 0, 1000000);
			i++;
		} else if (!strcmp(a, "--lat")) {
			want_lat = 1;
		} else if (!strcmp(a, "--into-fmt") && v) {
			into_fmt = v;
			i++;
		} else if (!strcmp(a, "--into-prime")) {
			into_prime = 1;
		} else if (!strcmp(a, "--into-count") && v) {
			into_count = parse_num("--into-count", v, 1, MAX_INTO);
			i++;
		} else {
			die_usage("unexpected argument", a);
		}
	}
	if (!!into_fmt != !!into_count)
		die_usage("--into-fmt and --into-count go together", NULL);
	if (into_count && op != OP_FORK)
		die_usage("--into-fmt needs --op fork", NULL);
	if (per_cpu) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		workers = n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
	}
	if (want_lat && workers != 1)
		die_usage("--lat measures one worker", NULL);

	for (int i = 0; i < ncg; i++)
		if (join_cgroup(cgroups[i]))
			return 1;
	if (into_count) {
		char path[4096];

		into_fds = calloc(into_count, sizeof(*into_fds));
		if (!into_fds)
			return 1;
		for (long i = 0; i < into_count; i++) {
			snprintf(path, sizeof(path), into_fmt, i);
			into_fds[i] = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (into_fds[i] < 0) {
				fprintf(stderr, "forkloop: open %s: %s\n", path, strerror(errno));
				return 1;
			}
		}
		/* The zombies stay ours until we exit; waitpid(pid) never takes them. */
		for (long i = 0; into_prime && i < into_count; i++) {
			struct clone3_args ca;
			pid_t z;

			memset(&ca, 0, sizeof(ca));
			ca.flags = CLONE_INTO_CGROUP;
			ca.exit_signal = SIGCHLD;
			ca.cgroup = (uint64_t)into_fds[i];
			z = syscall(SYS_clone3, &ca, sizeof(ca));
			if (z == 0)
				_exit(0);
			if (z < 0) {
				perror("forkloop: clone3 (prime)");
				return 1;
			}
		}
	}

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("forkloop: mmap");
		return 1;
	}
	memset(sh, 0, sizeof(*sh));

	if (want_lat) {
		/* One worker: run it here, the array stays ours. */
		lat = malloc(sizeof(*lat) * LAT_MAX_SAMPLES);
		if (!lat)
			return 1;
		sh->go = 1;
		worker(sh, 0, -1, lat);
	} else {
		for (int i = 0; i < workers; i++) {
			pids[i] = fork();
			if (pids[i] < 0) {
				perror("forkloop: fork worker");
				return 1;
			}
			if (pids[i] == 0) {
				worker(sh, i, per_cpu ? i : -1, NULL);
				_exit(0);
			}
		}
		__atomic_store_n(&sh->go, 1, __ATOMIC_SEQ_CST);
		for (int i = 0; i < workers; i++)
			waitpid(pids[i], NULL, 0);
	}

	uint64_t ops = 0, busy = 0, errs = 0;
	const char *opname = op == OP_FORK ? "fork" : op == OP_THREAD ? "thread" : "syscall";

	for (int i = 0; i < workers; i++) {
		ops += sh->w[i].ops;
		busy += sh->w[i].busy_ns;
		errs += sh->w[i].errors;
	}
	if (op == OP_SYSCALL)
		ops *= SYSCALL_BATCH;
	printf("op=%s workers=%d ops=%llu errors=%llu busy_ns=%llu ns_per_op=%llu", opname,
	       workers, (unsigned long long)ops,
	       (unsigned long long)errs, (unsigned long long)busy,
	       (unsigned long long)(ops ? busy / ops : 0));
	if (lat && sh->w[0].nlat) {
		uint64_t n = sh->w[0].nlat;

		qsort(lat, n, sizeof(*lat), cmp_u64);
		printf(" p50_ns=%llu p90_ns=%llu p99_ns=%llu max_ns=%llu",
		       (unsigned long long)lat[n / 2], (unsigned long long)lat[n * 9 / 10],
		       (unsigned long long)lat[n * 99 / 100], (unsigned long long)lat[n - 1]);
	}
	printf("\n");
	return 0;
}
