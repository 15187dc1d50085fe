// SPDX-License-Identifier: GPL-2.0
/*
 * task_groups.c - the processes of a cgroup, grouped by executable and
 * command line (see task_groups.h).
 *
 * The scan walks cgroup.procs of the directory and of its descendants
 * (depth-first, bounded depth), then reads four small files per process.
 * Every read may race with an exit: a process whose stat is gone is
 * dropped, one whose other files vanish keeps what was read. Nothing here
 * holds a process: pids may be reused between reads, which at worst puts
 * one task in the wrong group of a snapshot that is stale anyway.
 *
 * Grouping sorts pointers to the tasks by key and merges runs, O(n log n)
 * on at most PG_TG_SCAN_MAX tasks, with no hash table to size.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "task_groups.h"

#define CG_DEPTH_MAX	32	/* nested cgroups followed; deeper ones are not read */
#define RAW_CMD_MAX	4096	/* bytes of /proc/PID/cmdline read */

/* ---- Pure part: escaping, parsing, grouping ---- */

/* The escaped form of byte c into esc (4 bytes at most); its length. */
static size_t escape_byte(unsigned char c, char esc[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\0') {
		esc[0] = ' ';
		return 1;
	}
	if (c == '\\') {
		esc[0] = esc[1] = '\\';
		return 2;
	}
	if (c < 0x20 || c >= 0x7f) {
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hex[c >> 4];
		esc[3] = hex[c & 15];
		return 4;
	}
	esc[0] = c;
	return 1;
}

void task_groups__escape_cmdline(const char *raw, size_t len, char *dst, size_t cap)
{
	size_t full = 0, room, o = 0;
	char esc[4];

	/* Trailing NULs (the last argument's terminator, empty arguments) go. */
	while (len && raw[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		full += escape_byte(raw[i], esc);
	/* Too long: as much as fits with "..." after it, no escape cut in half. */
	room = full < cap ? full : cap - 4;
	for (size_t i = 0; i < len; i++) {
		size_t n = escape_byte(raw[i], esc);

		if (o + n > room)
			break;
		memcpy(dst + o, esc, n);
		o += n;
	}
	if (full >= cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

int task_groups__parse_stat(const char *stat, int *ppid, long *threads, __u64 *start_ticks,
			    char *comm, size_t commcap)
{
	const char *open = strchr(stat, '('), *close = strrchr(stat, ')');
	unsigned long long start;
	long nthreads;
	int pp;

	if (!open || !close || close < open)
		return -EINVAL;
	/* After "pid (comm) ": state(3) ppid(4) ... num_threads(20) ... starttime(22). */
	if (sscanf(close + 1, " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			      "%*d %*d %ld %*d %llu",
		   &pp, &nthreads, &start) != 3)
		return -EINVAL;
	*ppid = pp;
	if (threads)
		*threads = nthreads;
	*start_ticks = start;
	if (comm && commcap) {
		size_t n = close - open - 1;

		if (n >= commcap)
			n = commcap - 1;
		memcpy(comm, open + 1, n);
		comm[n] = '\0';
	}
	return 0;
}

static int cmp_key(const struct pg_task *a, const struct pg_task *b)
{
	int r = strcmp(a->exe, b->exe);

	return r ? r : strcmp(a->cmdline, b->cmdline);
}

static int cmp_task_ptr(const void *pa, const void *pb)
{
	return cmp_key(*(const struct pg_task *const *)pa, *(const struct pg_task *const *)pb);
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct pg_task_group *a = pa, *b = pb;
	int r;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->newest_ns != b->newest_ns)
		return a->newest_ns > b->newest_ns ? -1 : 1;
	r = strcmp(a->exe, b->exe);
	return r ? r : strcmp(a->cmdline, b->cmdline);
}

void task_groups__sort(struct pg_task_group *groups, int n)
{
	if (n > 1)
		qsort(groups, n, sizeof(*groups), cmp_group);
}

static void group_add(struct pg_task_group *g, const struct pg_task *t)
{
	if (!g->count) {
		memcpy(g->exe, t->exe, sizeof(g->exe));
		memcpy(g->cmdline, t->cmdline, sizeof(g->cmdline));
	}
	g->count++;
	g->threads += t->threads ? t->threads : 1;
	/* Ties by pid: the same answer whatever order the scan found them in. */
	if (g->count == 1 || t->start_ns > g->newest_ns ||
	    (t->start_ns == g->newest_ns && t->pid > g->newest_pid)) {
		g->newest_ns = t->start_ns;
		g->newest_pid = t->pid;
		g->ppid = t->ppid;
	}
}

int task_groups__build(const struct pg_task *tasks, int n, struct pg_task_group **out)
{
	const struct pg_task **order;
	struct pg_task_group *groups;
	int nr = 0;

	*out = NULL;
	if (n <= 0)
		return 0;
	order = malloc(n * sizeof(*order));
	groups = calloc(n, sizeof(*groups));
	if (!order || !groups) {
		free(order);
		free(groups);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		order[i] = &tasks[i];
	qsort(order, n, sizeof(*order), cmp_task_ptr);
	for (int i = 0; i < n; i++) {
		if (i && cmp_key(order[i - 1], order[i]))
			nr++;
		group_add(&groups[nr], order[i]);
	}
	nr++;
	free(order);
	task_groups__sort(groups, nr);
	*out = groups;
	return nr;
}

/* ---- /proc reading ---- */

/* A small file into buf (NUL-terminated); its length, or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)total < cap - 1) {
		n = read(fd, buf + total, cap - 1 - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

static void copy_trunc(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n < cap) {
		memcpy(dst, src, n + 1);
		return;
	}
	memcpy(dst, src, cap - 4);
	memcpy(dst + cap - 4, "...", 4);
}

static __u32 read_threads(int pid)
{
	char path[64], buf[2048], *p;
	unsigned long v;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 1;
	p = strstr(buf, "\nThreads:");
	if (!p || sscanf(p + 9, "%lu", &v) != 1 || !v)
		return 1;
	return v > 0xffffffffUL ? 0xffffffffU : v;
}

/*
 * One process into t: 0, or -ESRCH when it is gone (its stat unreadable).
 * The exe may be unreadable (another user's process without root, a
 * kernel thread, a zombie): "?" then.
 */
static int read_task(int pid, __u64 boot_wall_ns, long ticks, bool threads, struct pg_task *t)
{
	char path[64], buf[1024], comm[64], *raw;
	__u64 start;
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0 ||
	    task_groups__parse_stat(buf, &t->ppid, NULL, &start, comm, sizeof(comm)))
		return -ESRCH;
	t->start_ns = boot_wall_ns + start / ticks * 1000000000ull +
		      start % ticks * (1000000000ull / ticks);

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		/* A deleted (replaced, upgraded) binary keeps its " (deleted)" mark. */
		buf[n] = '\0';
		copy_trunc(t->exe, sizeof(t->exe), buf);
	} else {
		strcpy(t->exe, "?");
	}

	raw = malloc(RAW_CMD_MAX);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = raw ? read_small(path, raw, RAW_CMD_MAX) : -ENOMEM;
	if (n > 0) {
		task_groups__escape_cmdline(raw, n, t->cmdline, sizeof(t->cmdline));
	} else {
		/* No arguments (kernel thread, zombie): its comm in brackets, as ps does. */
		char esc[sizeof(comm) * 4];

		task_groups__escape_cmdline(comm, strlen(comm), esc, sizeof(esc));
		snprintf(t->cmdline, sizeof(t->cmdline), "[%s]", esc);
	}
	free(raw);
	t->threads = threads ? read_threads(pid) : 1;
	return 0;
}

struct scan_state {
	struct pg_tg_scan *opts;
	struct pg_task *tasks;
	int n;
	__u64 boot_wall_ns;
	long ticks;
};

static void scan_procs(struct scan_state *s, int dfd)
{
	int fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	int pid;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (fscanf(f, "%d", &pid) == 1) {
		if (s->n >= s->opts->max) {
			s->opts->truncated = true;
			break;
		}
		if (!read_task(pid, s->boot_wall_ns, s->ticks, s->opts->threads,
			       &s->tasks[s->n]))
			s->n++;
	}
	fclose(f);
}

/* dfd (consumed): its processes, then its child cgroups'. */
static void scan_dir(struct scan_state *s, int dfd, int depth)
{
	DIR *d;
	struct dirent *de;

	scan_procs(s, dfd);
	if (depth >= CG_DEPTH_MAX || s->opts->truncated) {
		close(dfd);
		return;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) && !s->opts->truncated) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0)
			scan_dir(s, sub, depth + 1);
	}
	closedir(d);
}

static __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int task_groups__scan(const char *cg_dir, struct pg_tg_scan *opts, struct pg_task **out)
{
	struct scan_state s = { .opts = opts };
	int dfd;

	*out = NULL;
	if (opts->max <= 0 || opts->max > PG_TG_SCAN_MAX)
		opts->max = PG_TG_SCAN_MAX;
	opts->truncated = false;
	opts->nr_procs = 0;
	dfd = open(cg_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	s.tasks = malloc(opts->max * sizeof(*s.tasks));
	if (!s.tasks) {
		close(dfd);
		return -ENOMEM;
	}
	s.ticks = sysconf(_SC_CLK_TCK);
	if (s.ticks <= 0)
		s.ticks = 100;
	s.boot_wall_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	scan_dir(&s, dfd, 0);
	opts->nr_procs = s.n;
	*out = s.tasks;
	return s.n;
}

int task_groups__of_cgroup(const char *cg_dir, struct pg_tg_scan *opts,
			   struct pg_task_group **out)
{
	struct pg_task *tasks;
	int n = task_groups__scan(cg_dir, opts, &tasks);

	*out = NULL;
	if (n < 0)
		return n;
	n = task_groups__build(tasks, n, out);
	free(tasks);
	return n;
}
