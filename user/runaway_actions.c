// SPDX-License-Identifier: GPL-2.0
/*
 * runaway_actions.c - freeze, thaw, trim and kill a cgroup (see the
 * header). Everything goes through the cgroup's files and /proc: the BPF
 * side is not involved, so that these work in any mode, flag included.
 *
 * Trim reads /proc/PID/stat per process: a few thousand reads for the
 * largest cgroups, well under the millisecond budget of the smaller ones
 * that userspace enforcement is for.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "mountinfo.h"
#include "runaway_actions.h"
#include "task_groups.h"

#define TRIM_MAX_PROCS 65536
#define TRIM_INIT_CANDIDATES 8

static int write_file(const char *dir, const char *name, const char *val)
{
	char p[4096];
	int fd, ret = 0;

	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The first pid of path's cgroup.procs, 0 if empty, negative errno. */
static int first_pid(const char *path)
{
	char p[4096], buf[64];
	int ret;

	snprintf(p, sizeof(p), "%s/cgroup.procs", path);
	ret = read_file(p, buf, sizeof(buf));
	return ret ? ret : atoi(buf);
}

/*
 * The v1 freezer directory of the cgroup a member of path is in, under the
 * freezer hierarchy's mount point (from mountinfo: never assumed).
 */
static int v1_freezer_dir(const char *path, char *out, size_t len)
{
	char p[64], buf[4096], *line, *save = NULL;
	struct pg_mounts m;
	int pid = first_pid(path), ret;

	if (pid <= 0)
		return pid ? pid : -ENOENT;
	ret = mountinfo__load(&m);
	if (ret)
		return ret;
	if (!m.freezer_v1[0])
		return -ENOENT;
	snprintf(p, sizeof(p), "/proc/%d/cgroup", pid);
	ret = read_file(p, buf, sizeof(buf));
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctl = strchr(line, ':'), *rel = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!rel || strncmp(ctl + 1, "freezer:", 8))
			continue;
		if (snprintf(out, len, "%s%s", m.freezer_v1, rel + 1) >= (int)len)
			return -ENAMETOOLONG;
		return access(out, F_OK) ? -errno : 0;
	}
	return -ENOENT;
}

int runaway_actions__freeze(const char *path, bool freeze, char *err, size_t errlen)
{
	char v1[4096];
	int ret = write_file(path, "cgroup.freeze", freeze ? "1" : "0");

	if (ret != -ENOENT) {
		if (ret)
			snprintf(err, errlen, "%s/cgroup.freeze: %s", path, strerror(-ret));
		return ret;
	}
	/* No cgroup.freeze (the root cgroup, or a kernel before 5.2): the v1 freezer. */
	ret = v1_freezer_dir(path, v1, sizeof(v1));
	if (!ret)
		ret = write_file(v1, "freezer.state", freeze ? "FROZEN" : "THAWED");
	if (ret)
		snprintf(err, errlen, "%s: no cgroup.freeze, and no v1 freezer: %s", path,
			 strerror(-ret));
	return ret;
}

int runaway_actions__frozen(const char *path)
{
	char p[4096 + 32], buf[1024], v1[4096];
	const char *f;
	int ret;

	snprintf(p, sizeof(p), "%s/cgroup.events", path);
	ret = read_file(p, buf, sizeof(buf));
	if (!ret) {
		f = strstr(buf, "frozen ");
		return f ? f[7] == '1' : -ENOENT;
	}
	ret = v1_freezer_dir(path, v1, sizeof(v1));
	if (ret)
		return ret;
	snprintf(p, sizeof(p), "%s/freezer.state", v1);
	ret = read_file(p, buf, sizeof(buf));
	return ret ? ret : !strncmp(buf, "FROZEN", 6);
}

struct proc_info {
	int pid;
	int ppid;
	unsigned long long start;	/* clock ticks after boot */
	long threads;
	bool victim;			/* trimmed as one of the newest */
	bool killed;
};

/* Parent, threads and start time of pid, from /proc/PID/stat. */
static int proc_stat(int pid, struct proc_info *pi)
{
	char p[64], buf[1024];
	__u64 start;
	int ret;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	ret = read_file(p, buf, sizeof(buf));
	if (ret)
		return ret;
	ret = task_groups__parse_stat(buf, &pi->ppid, &pi->threads, &start, NULL, 0);
	pi->start = start;
	return ret;
}

/* NSpid's last field is the pid in the innermost namespace. */
static bool proc_is_ns_init(int pid)
{
	char p[64], buf[4096], *l, *e;

	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	if (read_file(p, buf, sizeof(buf)))
		return false;
	l = strstr(buf, "\nNSpid:");
	if (!l)
		return false;
	l += 7;
	e = strchr(l, '\n');
	if (e)
		*e = '\0';
	l = strrchr(l, '\t') ? strrchr(l, '\t') + 1 : l;
	return atoi(l) == 1;
}

static int newest_first(const void *a, const void *b)
{
	const struct proc_info *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? 1 : -1;
	return y->pid - x->pid;	/* same tick: the higher pid is likely newer */
}

/* The cgroup's own processes, newest first; count or negative errno. */
static int list_procs(const char *path, struct proc_info **out)
{
	char p[4096], line[32];
	struct proc_info *v = NULL, *nv;
	int n = 0, cap = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/cgroup.procs", path);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && n < TRIM_MAX_PROCS) {
		struct proc_info pi = { .pid = atoi(line) };

		if (pi.pid <= 0 || proc_stat(pi.pid, &pi))
			continue;	/* gone meanwhile */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				fclose(f);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = pi;
	}
	fclose(f);
	if (n)
		qsort(v, n, sizeof(*v), newest_first);
	*out = v;
	return n;
}

/* SIGKILL p once (a process already gone counts as killed); -1 if refused. */
static int kill_proc(struct proc_info *p, struct trim_result *res, long *count)
{
	if (p->killed)
		return 0;
	if (kill(p->pid, SIGKILL) && errno != ESRCH)
		return -1;
	p->killed = true;
	res->killed_procs++;
	res->killed_tasks += p->threads;
	*count -= p->threads;
	return 0;
}

static bool remembered(const struct trim_memory *mem, const struct proc_info *p)
{
	for (int i = 0; i < mem->nr; i++)
		if (mem->parents[i].pid == p->pid && mem->parents[i].start == p->start)
			return true;
	return false;
}

static void remember(struct trim_memory *mem, const struct proc_info *p)
{
	if (mem->nr < TRIM_MEMORY_PARENTS && !remembered(mem, p)) {
		mem->parents[mem->nr].pid = p->pid;
		mem->parents[mem->nr].start = p->start;
		mem->nr++;
	}
}

/* The index of pid in v, sorted by pid into by_pid (indices); -1 if absent. */
static int find_pid(const struct proc_info *v, const int *by_pid, int n, int pid)
{
	int lo = 0, hi = n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2, p = v[by_pid[mid]].pid;

		if (p == pid)
			return by_pid[mid];
		if (p < pid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static const struct proc_info *sort_base;

static int by_pid_cmp(const void *a, const void *b)
{
	return sort_base[*(const int *)a].pid - sort_base[*(const int *)b].pid;
}

/*
 * Kill the parents of this trim's victims that mem remembers from the last
 * trim (within TRIM_REPEAT_NS), then refill mem with this trim's parents.
 */
static void trim_repeat_forkers(struct proc_info *v, int n, int init, struct trim_memory *mem,
				struct trim_result *res, long *count)
{
	struct trim_memory last = *mem;
	struct timespec ts;
	int *by_pid = malloc(n * sizeof(*by_pid));
	bool fresh;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	mem->at_ns = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	mem->nr = 0;
	if (!by_pid)
		return;		/* out of memory: this trim grants no grace, kills none */
	fresh = last.nr && mem->at_ns - last.at_ns < TRIM_REPEAT_NS;
	for (int i = 0; i < n; i++)
		by_pid[i] = i;
	sort_base = v;
	qsort(by_pid, n, sizeof(*by_pid), by_pid_cmp);
	for (int i = 0; i < n; i++) {
		int p;

		if (!v[i].victim)
			continue;
		/* The victim's nearest ancestor that survives this trim: its forker. */
		p = find_pid(v, by_pid, n, v[i].ppid);
		for (int hops = 0; p >= 0 && v[p].victim && hops < n; hops++)
			p = find_pid(v, by_pid, n, v[p].ppid);
		if (p < 0 || p == init)
			continue;	/* outside the cgroup, or its init: never ours */
		if (fresh && remembered(&last, &v[p])) {
			if (!v[p].killed && !kill_proc(&v[p], res, count))
				res->killed_parents++;
		} else {
			remember(mem, &v[p]);
		}
	}
	free(by_pid);
}

/*
 * The trim itself; mem NULL is a plain trim to the limit, newest first.
 */
static int trim(const char *path, __u32 limit, struct trim_memory *mem, struct trim_result *res,
		char *err, size_t errlen)
{
	struct proc_info *v = NULL;
	long count = cgroup__count_tasks(path);
	int n, init = -1;

	memset(res, 0, sizeof(*res));
	if (count < 0) {
		snprintf(err, errlen, "%s: cannot count its tasks: %s", path, strerror(-count));
		return (int)count;
	}
	res->before = count;
	if (count <= (long)limit)
		return 0;
	n = list_procs(path, &v);
	if (n < 0) {
		snprintf(err, errlen, "%s/cgroup.procs: %s", path, strerror(-n));
		return n;
	}
	/*
	 * The init: pid 1 of a pid namespace (a container's), else the oldest.
	 * A namespace's init is older than every process it holds, so only
	 * the oldest few are asked (one /proc/PID/status each): asking them
	 * all doubled the cost of a trim of a bomb.
	 */
	for (int i = n - 1; i >= 0 && i >= n - TRIM_INIT_CANDIDATES && init < 0; i--)
		if (proc_is_ns_init(v[i].pid))
			init = i;
	if (init < 0 && n)
		init = n - 1;
	if (init >= 0)
		res->kept_init = v[init].pid;
	for (int i = 0; i < n && count > (long)limit; i++)
		if (i != init && !kill_proc(&v[i], res, &count))
			v[i].victim = true;
	if (mem && init >= 0)
		trim_repeat_forkers(v, n, init, mem, res, &count);
	free(v);
	return 0;
}

int runaway_actions__trim(const char *path, __u32 limit, struct trim_result *res, char *err,
			  size_t errlen)
{
	return trim(path, limit, NULL, res, err, errlen);
}

/* The marker holds path while the cgroup is frozen; see the header. */
static int marker_set(const char *marker, const char *path)
{
	int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t len = strlen(path);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, path, len) != (ssize_t)len)
		ret = -EIO;
	close(fd);
	return ret;
}

int runaway_actions__trim_held(const char *path, __u32 limit, struct trim_memory *mem,
			       const char *marker, struct trim_result *res, char *err,
			       size_t errlen)
{
	char p[4096 + 16], state[8];
	long count = cgroup__count_tasks(path);
	bool marked = false, froze = false;
	int ret, tret;

	memset(res, 0, sizeof(*res));
	if (count >= 0 && count <= (long)limit) {
		res->before = count;	/* the common case, every sweep: nothing to hold */
		return 0;
	}
	/* "0": ours to freeze and to thaw; "1": someone else's freeze, keep it. */
	snprintf(p, sizeof(p), "%s/cgroup.freeze", path);
	if (!read_file(p, state, sizeof(state)) && state[0] == '0') {
		marked = marker && !marker_set(marker, path);
		if (!marker || marked)	/* a marker that cannot be written: no freeze */
			froze = !write_file(path, "cgroup.freeze", "1");
	}
	ret = trim(path, limit, mem, res, err, errlen);
	if (froze) {
		tret = write_file(path, "cgroup.freeze", "0");
		if (tret && !ret) {
			snprintf(err, errlen, "%s/cgroup.freeze: thaw after the trim: %s", path,
				 strerror(-tret));
			ret = tret;
		}
	}
	if (marked)
		unlink(marker);
	res->held = froze;
	return ret;
}

int runaway_actions__thaw_left_held(const char *marker, char *thawed, size_t len, char *err,
				    size_t errlen)
{
	char path[4096];
	int ret = read_file(marker, path, sizeof(path));

	thawed[0] = '\0';
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		snprintf(err, errlen, "%s: %s", marker, strerror(-ret));
		return ret;
	}
	unlink(marker);
	/* Only a cgroup directory is ever written there; anything else is not ours. */
	if (path[0] != '/' || strstr(path, "/../") || !strncmp(path, "/proc", 5)) {
		snprintf(err, errlen, "%s: not a cgroup path: '%.64s'", marker, path);
		return -EINVAL;
	}
	snprintf(thawed, len, "%s", path);
	ret = write_file(path, "cgroup.freeze", "0");
	if (ret == -ENOENT)
		return 0;	/* removed meanwhile: nothing left frozen */
	if (ret) {
		snprintf(err, errlen, "%s/cgroup.freeze: %s", path, strerror(-ret));
		return ret;
	}
	return 1;
}

int runaway_actions__kill(const char *path, char *err, size_t errlen)
{
	int ret = write_file(path, "cgroup.kill", "1");

	if (ret != -ENOENT) {
		if (ret)
			snprintf(err, errlen, "%s/cgroup.kill: %s", path, strerror(-ret));
		return ret;
	}
	/* No cgroup.kill (before 5.14): a few rounds, for children forked meanwhile. */
	for (int round = 0; round < 10; round++) {
		struct proc_info *v = NULL;
		int n = list_procs(path, &v);

		if (n < 0) {
			snprintf(err, errlen, "%s/cgroup.procs: %s", path, strerror(-n));
			return n;
		}
		for (int i = 0; i < n; i++)
			kill(v[i].pid, SIGKILL);
		free(v);
		if (!n)
			return 0;
		usleep(10000);
	}
	snprintf(err, errlen, "%s: processes still there after 10 rounds of SIGKILL", path);
	return -EAGAIN;
}
