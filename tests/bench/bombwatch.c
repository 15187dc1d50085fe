// SPDX-License-Identifier: GPL-2.0
/*
 * bombwatch - time a fork bomb's containment for `make bench`.
 *
 *   bombwatch --meter FILE --limit N [--interval-us I] [--timeout-ms T]
 *             -- COMMAND [ARGS]...
 *
 * Starts COMMAND (the bomb, e.g. `forker --cgroup ... bomb ...`), and from
 * that instant reads FILE (a v1 pids.current that counts the bomb's tasks
 * exactly like pidguard and pids.max do: fork to reap) every I us (default
 * 200) until COMMAND exits. Prints key=value lines after COMMAND's own
 * output:
 *
 *   peak=48 overshoot=23 first_at_limit_ms=3.1 held_ms=41.7 held=yes
 *   mean_count=24.9 samples=9731 duration_ms=2630
 *
 * held_ms is the time from the start until the count stays at or below the
 * limit for good: the last sample above the limit, rounded up to the next
 * sample (0 when it never went over). held=no means it was still above the
 * limit at COMMAND's deadline (--deadline-ms, default: never checked).
 * The sampler misses spikes shorter than I, so peak is a lower bound; the
 * driver also reports pidguard's own exact peak.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long read_count(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static void usage(void)
{
	fprintf(stderr, "usage: bombwatch --meter FILE --limit N [--interval-us I] "
			"[--timeout-ms T] [--deadline-ms D] -- COMMAND [ARGS]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *meter = NULL;
	long limit = -1, interval_us = 200, timeout_ms = 60000, deadline_ms = -1;
	long peak = -1, count, last_over_idx = -1, first_at_limit_idx = -1;
	uint64_t t0, t, last_over_t = 0, first_at_limit_t = 0, sum = 0, samples = 0;
	int i, fd, st = 0;
	pid_t child;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--meter"))
			meter = argv[++i];
		else if (!strcmp(argv[i], "--limit"))
			limit = atol(argv[++i]);
		else if (!strcmp(argv[i], "--interval-us"))
			interval_us = atol(argv[++i]);
		else if (!strcmp(argv[i], "--timeout-ms"))
			timeout_ms = atol(argv[++i]);
		else if (!strcmp(argv[i], "--deadline-ms"))
			deadline_ms = atol(argv[++i]);
		else
			usage();
	}
	if (!meter || limit < 0 || i + 1 >= argc)
		usage();
	fd = open(meter, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bombwatch: open %s: %s\n", meter, strerror(errno));
		return 1;
	}
	fflush(stdout);
	t0 = now_ns();
	child = fork();
	if (child < 0) {
		perror("bombwatch: fork");
		return 1;
	}
	if (child == 0) {
		execvp(argv[i + 1], argv + i + 1);
		fprintf(stderr, "bombwatch: exec %s: %s\n", argv[i + 1], strerror(errno));
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(child, &st, WNOHANG);

		t = now_ns();
		if (r == child)
			break;
		if (t - t0 > (uint64_t)timeout_ms * 1000000ull) {
			fprintf(stderr, "bombwatch: command still running after %ld ms, killing it\n",
				timeout_ms);
			kill(child, SIGKILL);
			waitpid(child, &st, 0);
			break;
		}
		count = read_count(fd);
		if (count >= 0) {
			samples++;
			sum += (uint64_t)count;
			if (count > peak)
				peak = count;
			if (count > limit) {
				last_over_t = t;
				last_over_idx = (long)samples;
			}
			if (count >= limit && first_at_limit_idx < 0) {
				first_at_limit_t = t;
				first_at_limit_idx = (long)samples;
			}
		}
		if (interval_us)
			usleep(interval_us);
	}
	printf("peak=%ld overshoot=%ld", peak, peak > limit ? peak - limit : 0);
	if (first_at_limit_idx >= 0)
		printf(" first_at_limit_ms=%.1f", (first_at_limit_t - t0) / 1e6);
	else
		printf(" first_at_limit_ms=never");
	/* Held from the sample after the last one over the limit. */
	printf(" held_ms=%.1f", last_over_idx < 0 ? 0.0 : (last_over_t - t0) / 1e6 + interval_us / 1e3);
	if (deadline_ms >= 0)
		printf(" held=%s", last_over_idx < 0 || (last_over_t - t0) / 1000000 < (uint64_t)deadline_ms
					   ? "yes" : "no");
	printf(" mean_count=%.1f samples=%llu duration_ms=%llu exit=%d\n",
	       samples ? (double)sum / samples : 0.0, (unsigned long long)samples,
	       (unsigned long long)((t - t0) / 1000000), WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
