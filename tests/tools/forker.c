// SPDX-License-Identifier: GPL-2.0
/*
 * forker - the load generator of the integration suite.
 *
 * Every subcommand is bounded in time and in count, so that a broken
 * enforcer (or none at all) cannot make the suite hang or eat the host:
 * each process of a bomb exits on its own after the deadline plus the hold,
 * even if its controller is gone. Results are key=value lines on stdout,
 * read by tests/integration/lib.sh with grep/sed:
 *
 *   phase=armed      (clone-into --when-exists) waiting for the test's go
 *   phase=ready      setup done, the state the test should measure holds now
 *   phase=done       final results follow / precede, the process will exit
 *
 * Global options come before the subcommand:
 *   --cgroup PATH    write our pid into PATH (a cgroup directory or its
 *                    cgroup.procs) before doing anything else; may be given
 *                    twice (the v2 cgroup under test and a v1 pids cgroup
 *                    used as peak meter and safety net)
 *   --new-pidns      run the subcommand as pid 1 of a new pid namespace,
 *                    one level deeper each time given (at most 3): its
 *                    reaps see pids as a container's init does. The
 *                    processes that wait for it stay outside the cgroups.
 *
 * Subcommands (see usage()) : bomb, spawn, threads, zombies, storm, polite,
 * clone-into, sample.
 *
 * Exit status: 0 ran (the numbers say what happened), 1 setup failure,
 * 2 usage error, 3 not supported here (clone3 ENOSYS), printed as skip=.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#define MAX_CGROUP_ARGS 4
/* Absolute cap on forks of a bomb when --max is not given. */
#define BOMB_DEFAULT_MAX 20000
/* Longest any subcommand may hold; beyond this we refuse the arguments. */
#define HOLD_MAX_MS 600000

static const char *prog = "forker";

/*
 * PG_TIME_SCALE (the VM harness sets 20 under TCG): this machine is that
 * much slower than the build hosts. Hold times are multiplied by it and
 * storm sizes divided, so that the suite's numbers fit both.
 */
static long time_scale = 1;

static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see %s --help)\n", prog);
	exit(2);
}

static void usage(void)
{
	printf("usage: %s [--cgroup PATH]... [--new-pidns]... SUBCOMMAND [ARGS]\n"
	       "  bomb --duration-ms N [--reap] [--max N] [--hold-ms N]\n"
	       "  spawn N [--hold-ms M]\n"
	       "  threads N [--hold-ms M]\n"
	       "  thread-exec N [--hold-ms M]   N threads, then one more execs sh\n"
	       "  zombies N [--hold-ms M]\n"
	       "  storm --ops N [--seed S] [--hold-ms M] [--away DIR] [--home DIR]\n"
	       "        [--only exitfork,jointhread,heldthread,zombie,nested,heldchild,migrate]\n"
	       "        [--orphans-to-init]\n"
	       "  polite [--hold-ms M] [--forks K] [--reap-with wait4|waitid]\n"
	       "  clone-into DIR [--count N] [--hold-ms M] [--when-exists FILE]\n"
	       "  sample FILE [--duration-ms N] [--interval-us N] [--until-gone PID]\n"
	       "Results are key=value lines on stdout; phase=ready marks the state to\n"
	       "measure, phase=done the end.\n",
	       prog);
}

static long parse_num(const char *what, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die_usage("%s: '%s' is not a number from %ld to %ld", what, s, min, max);
	return v;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * SIGUSR1 ends every hold early (the test has measured what it wanted and
 * does not want to sit out a hold scaled for a slow VM). Set up in main()
 * before anything else, inherited by children, which end their own holds
 * the same way; the test signals the process and its direct children.
 */
static volatile sig_atomic_t released;

static void on_release(int sig)
{
	(void)sig;
	released = 1;
}

/* Sleep for a hold: ms milliseconds, or until SIGUSR1. */
static void hold_ms(long ms)
{
	uint64_t end = now_ms() + ms;

	while (!released && now_ms() < end)
		sleep_ms(10);
}

/* Flush our results now: a later SIGKILL must not lose them. */
static void emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "other";
	}
}

/* Write our pid into a cgroup: PATH is a directory or a cgroup.procs file. */
static int join_cgroup(const char *path)
{
	char file[PATH_MAX], buf[32];
	struct stat st;
	int fd, n;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	else
		snprintf(file, sizeof(file), "%s", path);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: open %s: %s\n", prog, file, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (write(fd, buf, n) != n) {
		fprintf(stderr, "%s: join %s: %s\n", prog, file, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Enter depth new pid namespaces: each level's first process (its pid 1)
 * is a child forked after unshare(CLONE_NEWPID); the parent only waits for
 * it and exits as it did, and its death kills that child (and so the
 * namespace). Returns in the innermost pid 1; 0 or -1.
 */
static int enter_pid_namespaces(int depth)
{
	for (int level = 0; level < depth; level++) {
		pid_t child;
		int st;

		if (unshare(CLONE_NEWPID)) {
			fprintf(stderr, "%s: unshare(CLONE_NEWPID): %s\n", prog, strerror(errno));
			return -1;
		}
		child = fork();
		if (child < 0) {
			fprintf(stderr, "%s: fork into the new pid namespace: %s\n", prog,
				strerror(errno));
			return -1;
		}
		if (child == 0) {
			/* A test that kills the forker it started kills the
			 * waiting parent: take the namespace down with it. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			continue;
		}
		while (waitpid(child, &st, 0) < 0)
			if (errno != EINTR)
				_exit(1);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	return 0;
}

/* Move another pid into DIR/cgroup.procs; 0 or -errno. */
static int move_pid(const char *dir, pid_t pid)
{
	char file[PATH_MAX], buf[32];
	int fd, n, err = 0;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", pid);
	if (write(fd, buf, n) != n)
		err = -errno;
	close(fd);
	return err;
}

/* ---- bomb ---- */

/*
 * Shared by every process of the bomb (MAP_SHARED|MAP_ANONYMOUS, inherited
 * over fork), updated with atomics: the controller reads the totals at the end
 * even though most of the processes that counted them are dead by then.
 */
struct bomb_shared {
	long forks_ok;
	long forks_eagain;
	long forks_other;
	long attempts;		/* fork() calls, checked against --max */
	long reaped_killed;	/* children reaped that died of SIGKILL */
	long reaped_other;
	long procs_started;	/* bomb processes that ran user code */
	int stop;		/* controller says: stop forking now */
};

static void bomb_reap(struct bomb_shared *sh)
{
	int st;

	while (waitpid(-1, &st, WNOHANG) > 0) {
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			__atomic_add_fetch(&sh->reaped_killed, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&sh->reaped_other, 1, __ATOMIC_RELAXED);
	}
}

/*
 * One bomb process: fork until the deadline (children do the same from where
 * the parent was), then stay alive until the end of the hold so the test can
 * measure the count at rest, then exit by itself. Never returns.
 */
static void bomb_worker(struct bomb_shared *sh, uint64_t deadline, uint64_t end,
			long max, int reap)
{
	__atomic_add_fetch(&sh->procs_started, 1, __ATOMIC_RELAXED);
	for (;;) {
		pid_t pid;

		if (now_ms() >= deadline || __atomic_load_n(&sh->stop, __ATOMIC_RELAXED))
			break;
		if (__atomic_add_fetch(&sh->attempts, 1, __ATOMIC_RELAXED) > max)
			break;
		pid = fork();
		if (pid == 0) {
			__atomic_add_fetch(&sh->procs_started, 1, __ATOMIC_RELAXED);
			continue;	/* the child bombs too */
		}
		if (pid > 0)
			__atomic_add_fetch(&sh->forks_ok, 1, __ATOMIC_RELAXED);
		else if (errno == EAGAIN)
			__atomic_add_fetch(&sh->forks_eagain, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&sh->forks_other, 1, __ATOMIC_RELAXED);
		if (reap)
			bomb_reap(sh);
		if (pid < 0)
			sched_yield();
	}
	/* At rest: keep reaping if we are a reaper, exit at the end of the hold. */
	while (now_ms() < end && !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		if (reap)
			bomb_reap(sh);
		sleep_ms(reap ? 2 : 20);
	}
	_exit(0);
}

static int cmd_bomb(int argc, char **argv)
{
	long duration = -1, hold = 0, max = BOMB_DEFAULT_MAX;
	int reap = 0, st;
	uint64_t t0, deadline, end, give_up;
	struct bomb_shared *sh;
	long orphans_killed = 0, orphans_other = 0;
	pid_t first;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--reap"))
			reap = 1;
		else if (!strcmp(argv[i], "--duration-ms") && i + 1 < argc)
			duration = parse_num("--duration-ms", argv[++i], 1, 60000);
		else if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold = parse_num("--hold-ms", argv[++i], 0, HOLD_MAX_MS) * time_scale;
		else if (!strcmp(argv[i], "--max") && i + 1 < argc)
			max = parse_num("--max", argv[++i], 1, 1000000);
		else
			die_usage("bomb: unexpected argument '%s'", argv[i]);
	}
	if (duration < 0)
		die_usage("bomb: --duration-ms is required");

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("forker: mmap");
		return 1;
	}
	memset(sh, 0, sizeof(*sh));
	/*
	 * The controller (this process) forks once and then only watches: it
	 * is a subreaper, so orphans of killed bomb processes come to it as
	 * they would to a container's init, and it reaps them like an init
	 * does. Its own fork happens while the cgroup is empty, so no enforcer
	 * has a reason to kill it, and it survives to print the totals.
	 */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		perror("forker: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	t0 = now_ms();
	deadline = t0 + duration;
	end = deadline + hold;
	give_up = end + 3000;
	first = fork();
	if (first < 0) {
		emit("first_fork_errno=%s", errno_name(errno));
		return 1;
	}
	if (first == 0) {
		/* Own process group: the controller kills the bomb as one group. */
		setpgid(0, 0);
		bomb_worker(sh, deadline, end, max, reap);
	}
	setpgid(first, first);
	emit("bomb_pgid=%d", first);

	/* Reap orphans (and the first child) until the end of the hold. */
	while (now_ms() < end) {
		pid_t pid;

		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
				orphans_killed++;
			else
				orphans_other++;
		}
		if (now_ms() >= deadline + 100 && hold > 0) {
			static int rest_said;

			if (!rest_said++)
				emit("phase=rest");
		}
		sleep_ms(2);
	}
	/* Snapshot before the teardown kills add to the reap counts. */
	emit("forks_ok=%ld", __atomic_load_n(&sh->forks_ok, __ATOMIC_SEQ_CST));
	emit("forks_eagain=%ld", __atomic_load_n(&sh->forks_eagain, __ATOMIC_SEQ_CST));
	emit("forks_other=%ld", __atomic_load_n(&sh->forks_other, __ATOMIC_SEQ_CST));
	emit("attempts=%ld", __atomic_load_n(&sh->attempts, __ATOMIC_SEQ_CST));
	emit("procs_started=%ld", __atomic_load_n(&sh->procs_started, __ATOMIC_SEQ_CST));
	emit("reaped_killed=%ld", __atomic_load_n(&sh->reaped_killed, __ATOMIC_SEQ_CST));
	emit("reaped_other=%ld", __atomic_load_n(&sh->reaped_other, __ATOMIC_SEQ_CST));
	emit("orphans_killed=%ld", orphans_killed);
	emit("orphans_other=%ld", orphans_other);

	/* Teardown: stop everyone, kill the group, reap until nothing is left. */
	__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
	kill(-first, SIGKILL);
	for (;;) {
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid < 0 && errno == ECHILD)
			break;
		if (pid <= 0) {
			if (now_ms() > give_up) {
				emit("teardown=timeout");
				return 1;
			}
			kill(-first, SIGKILL);
			sleep_ms(1);
		}
	}
	emit("phase=done");
	return 0;
}

/* ---- spawn ---- */

static int cmd_spawn(int argc, char **argv)
{
	long n = -1, hold = 1000, ok = 0, failed = 0, killed = 0, exited = 0, other = 0;
	int last_errno = 0, st;
	pid_t *pids;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold = parse_num("--hold-ms", argv[++i], 0, HOLD_MAX_MS) * time_scale;
		else if (n < 0 && argv[i][0] != '-')
			n = parse_num("spawn N", argv[i], 0, 100000);
		else
			die_usage("spawn: unexpected argument '%s'", argv[i]);
	}
	if (n < 0)
		die_usage("spawn: N is required");
	pids = calloc(n + 1, sizeof(*pids));
	if (!pids)
		return 1;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			hold_ms(hold);
			_exit(0);
		}
		if (pid < 0) {
			failed++;
			last_errno = errno;
			continue;
		}
		pids[ok++] = pid;
	}
	for (long i = 0; i < ok; i++)
		emit("child=%d", pids[i]);
	emit("forks_ok=%ld", ok);
	emit("forks_failed=%ld", failed);
	emit("fork_errno=%s", errno_name(last_errno));
	emit("phase=ready");
	for (long i = 0; i < ok; i++) {
		if (waitpid(pids[i], &st, 0) < 0)
			continue;
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			killed++;
		else if (WIFEXITED(st))
			exited++;
		else
			other++;
	}
	emit("children_killed=%ld", killed);
	emit("children_exited=%ld", exited);
	emit("children_other=%ld", other);
	emit("phase=done");
	free(pids);
	return 0;
}

/* ---- threads ---- */

static uint64_t thread_end_ms;

static void *thread_hold(void *arg)
{
	(void)arg;
	while (!released && now_ms() < thread_end_ms)
		sleep_ms(5);
	return NULL;
}

static int cmd_threads(int argc, char **argv)
{
	long n = -1, hold = 1000, ok = 0, eagain = 0, other = 0;
	pthread_t *tids;
	pthread_attr_t attr;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold = parse_num("--hold-ms", argv[++i], 0, HOLD_MAX_MS) * time_scale;
		else if (n < 0 && argv[i][0] != '-')
			n = parse_num("threads N", argv[i], 0, 10000);
		else
			die_usage("threads: unexpected argument '%s'", argv[i]);
	}
	if (n < 0)
		die_usage("threads: N is required");
	tids = calloc(n + 1, sizeof(*tids));
	if (!tids)
		return 1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	thread_end_ms = now_ms() + hold;
	for (long i = 0; i < n; i++) {
		int err = pthread_create(&tids[ok], &attr, thread_hold, NULL);

		if (!err)
			ok++;
		else if (err == EAGAIN)
			eagain++;
		else
			other++;
	}
	emit("threads_ok=%ld", ok);
	emit("threads_eagain=%ld", eagain);
	emit("threads_other=%ld", other);
	emit("phase=ready");
	for (long i = 0; i < ok; i++)
		pthread_join(tids[i], NULL);
	emit("phase=done");
	free(tids);
	return 0;
}

/* ---- thread-exec ---- */

/*
 * exec from a thread that is not the leader: the kernel's de_thread() kills
 * the other threads, releases the old leader, and gives the exec'ing thread
 * the leader's pid and start time. The new program (sh, then sleep) says
 * phase=ready and holds.
 */
static char exec_cmd[96];

static void *thread_exec(void *arg)
{
	char *const av[] = { "sh", "-c", exec_cmd, NULL };

	(void)arg;
	execv("/bin/sh", av);
	emit("exec_errno=%d", errno);
	_exit(1);
}

static int cmd_thread_exec(int argc, char **argv)
{
	long n = -1, hold = 1000, ok = 0;
	pthread_attr_t attr;
	pthread_t tid;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold = parse_num("--hold-ms", argv[++i], 0, HOLD_MAX_MS) * time_scale;
		else if (n < 0 && argv[i][0] != '-')
			n = parse_num("thread-exec N", argv[i], 0, 1000);
		else
			die_usage("thread-exec: unexpected argument '%s'", argv[i]);
	}
	if (n < 0)
		die_usage("thread-exec: N is required");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	thread_end_ms = now_ms() + hold;
	for (long i = 0; i < n; i++)
		ok += pthread_create(&tid, &attr, thread_hold, NULL) == 0;
	emit("threads_ok=%ld", ok);
	snprintf(exec_cmd, sizeof(exec_cmd), "echo phase=ready; exec sleep %ld",
		 (hold + 999) / 1000);
	if (pthread_create(&tid, &attr, thread_exec, NULL))
		return 1;
	pthread_join(tid, NULL);	/* only if exec failed */
	return 1;
}

/* ---- zombies ---- */

static int cmd_zombies(int argc, char **argv)
{
	long n = -1, hold = 1000, ok = 0, failed = 0, reaped = 0;
	int last_errno = 0;
	pid_t *pids;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold = parse_num("--hold-ms", argv[++i], 0, HOLD_MAX_MS) * time_scale;
		else if (n < 0 && argv[i][0] != '-')
			n = parse_num("zombies N", argv[i], 0, 100000);
		else
			die_usage("zombies: unexpected argument '%s'", argv[i]);
	}
	if (n < 0)
		die_usage("zombies: N is required");
	pids = calloc(n + 1, sizeof(*pids));
	if (!pids)
		return 1;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			failed++;
			last_errno = errno;
			continue;
		}
		pids[ok++] = pid;
	}
	/* Wait until each child has exited, without reaping it (WNOWAIT). */
	for (long i = 0; i < ok; i++) {
		siginfo_t si;

		while (waitid(P_PID, pids[i], &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
			;
	}
	emit("forks_ok=%ld", ok);
	emit("forks_failed=%ld", failed);
	emit("fork_errno=%s", errno_name(last_errno));
	emit("zombies=%ld", ok);
	emit("phase=ready");
	hold_ms(hold);
	for (long i = 0; i < ok; i++)
		if (waitpid(pids[i], NULL, 0) == pids[i])
			reaped++;
	emit("reaped=%ld", reaped);
	emit("phase=done");
	free(pids);
	return 0;
}

/* ---- storm ---- */

/* A small deterministic PRNG so a seed replays the same storm. */
static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

#define STORM_MAX_LIVE 24	/* live children and threads kept at once */
#define STORM_MAX_ZOMBIES 24

static uint64_t storm_thread_end;

static void *storm_thread(void *arg)
{
	long kind = (long)arg;

	if (kind == 0)
		return NULL;	/* create+join: exits at once */
	while (now_ms() < __atomic_load_n(&storm_thread_end, __ATOMIC_RELAXED))
		sleep_ms(2);
	return NULL;
}

/*
 * A held child: sleeps until SIGTERM (default action: terminate) or a hard
 * deadline. A signal rather than a pipe: a pipe's write end would leak into
 * every later child and keep the earlier ones from ever seeing EOF. Not
 * SIGUSR1: a child that has not run yet still has our on_release handler,
 * and would take the signal as "end the hold" and sleep on.
 */
static pid_t storm_hold_child(uint64_t hard_end)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGUSR1, SIG_DFL);	/* pg_release ends us too */
		while (now_ms() < hard_end)
			sleep_ms(50);
		_exit(0);
	}
	return pid;
}

/* Release a held child and reap it; 1 if it had died of SIGKILL. */
static int storm_release(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	if (waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

/* The kind of operation a random draw r (0..99) selects, for --only. */
static const char *storm_kind(uint32_t r)
{
	return r < 25 ? "exitfork" : r < 45 ? "jointhread" : r < 55 ? "heldthread" : r < 70 ? "zombie" :
	       r < 80 ? "nested" : r < 92 ? "heldchild" : "migrate";
}

static int cmd_storm(int argc, char **argv)
{
	long ops = -1, hold = 0, seed = 1;
	const char *away = NULL, *home = NULL, *only = NULL;
	pid_t live[STORM_MAX_LIVE], zombies[STORM_MAX_ZOMBIES];
	pthread_t threads[STORM_MAX_LIVE];
	int nlive = 0, nzomb = 0, nthr = 0;
	long n_fork = 0, n_thread = 0, n_zombie = 0, n_nested = 0, n_held = 0;
	long n_migrate = 0, fail_fork = 0, fail_thread = 0, fail_migrate = 0;
	long n_killed = 0;
	uint64_t hard_end;
	int st, orphans_to_init = 0;
	pid_t *orphan;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			ops = parse_num("--ops", argv[++i], 0, 1000000);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = parse_num("--seed", argv[++i], 0, LONG_MAX);
		else if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold = parse_num("--hold-ms", argv[++i], 0, HOLD_MAX_MS) * time_scale;
		else if (!strcmp(argv[i], "--away") && i + 1 < argc)
			away = argv[++i];
		else if (!strcmp(argv[i], "--home") && i + 1 < argc)
			home = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--orphans-to-init"))
			orphans_to_init = 1;
		else
			die_usage("storm: unexpected argument '%s'", argv[i]);
	}
	if (ops < 0)
		die_usage("storm: --ops is required");
	if (time_scale > 1 && ops / time_scale < 100)
		ops = ops < 100 ? ops : 100;
	else
		ops /= time_scale;
	rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
	/*
	 * Orphaned grandchildren come back to us (subreaper) and we reap them at
	 * once, as a container's init would: the host's own pid 1 may reap
	 * orphans only every few seconds, which would leave zombies around for
	 * an unpredictable time. --orphans-to-init keeps that path instead.
	 */
	orphan = mmap(NULL, sizeof(*orphan), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (orphan == MAP_FAILED)
		return 1;
	if (!orphans_to_init && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		perror("forker: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	/* Held children and threads give up on their own after this. */
	hard_end = now_ms() + 60000 + hold;
	storm_thread_end = hard_end;

	for (long op = 0; op < ops; op++) {
		uint32_t r = rnd() % 100;
		pid_t pid;

		/* --only a,b: keep only these kinds, to find which one miscounts */
		if (only && !strstr(only, storm_kind(r)))
			continue;

		if (r < 25) {			/* fork, exit, wait */
			pid = fork();
			if (pid == 0)
				_exit(0);
			if (pid < 0) {
				fail_fork++;
				continue;
			}
			waitpid(pid, &st, 0);
			n_fork++;
		} else if (r < 45) {		/* thread create + join */
			pthread_t t;

			if (pthread_create(&t, NULL, storm_thread, (void *)0)) {
				fail_thread++;
				continue;
			}
			pthread_join(t, NULL);
			n_thread++;
		} else if (r < 55) {		/* held thread, joined later */
			if (nthr == STORM_MAX_LIVE) {
				/* release them all, then hold new ones again */
				__atomic_store_n(&storm_thread_end, 1, __ATOMIC_RELAXED);
				for (int i = 0; i < nthr; i++)
					pthread_join(threads[i], NULL);
				nthr = 0;
				__atomic_store_n(&storm_thread_end, hard_end, __ATOMIC_RELAXED);
			}
			if (pthread_create(&threads[nthr], NULL, storm_thread, (void *)1)) {
				fail_thread++;
				continue;
			}
			nthr++;
			n_thread++;
		} else if (r < 70) {		/* zombie, reaped later */
			if (nzomb == STORM_MAX_ZOMBIES || (rnd() % 4) == 0) {
				for (int i = 0; i < nzomb; i++)
					waitpid(zombies[i], &st, 0);
				nzomb = 0;
			}
			pid = fork();
			if (pid == 0)
				_exit(0);
			if (pid < 0) {
				fail_fork++;
				continue;
			}
			zombies[nzomb++] = pid;
			n_zombie++;
		} else if (r < 80) {		/* nested: child forks a grandchild */
			*orphan = 0;
			pid = fork();
			if (pid == 0) {
				pid_t g = fork();

				if (g == 0)
					_exit(0);
				if (g > 0 && (rnd() & 1))
					waitpid(g, NULL, 0);
				else if (g > 0)
					*orphan = g;	/* orphaned: reparented */
				_exit(g < 0 ? 1 : 0);
			}
			if (pid < 0) {
				fail_fork++;
				continue;
			}
			waitpid(pid, &st, 0);
			if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
				fail_fork++;
			/* As a subreaper we got the orphan: reap it as an init would. */
			if (*orphan && !orphans_to_init)
				waitpid(*orphan, NULL, 0);
			n_nested++;
		} else if (r < 92) {		/* held child, released later */
			if (nlive == STORM_MAX_LIVE) {
				int victim = rnd() % nlive;

				n_killed += storm_release(live[victim]);
				live[victim] = live[nlive - 1];
				nlive--;
			}
			pid = storm_hold_child(hard_end);
			if (pid < 0) {
				fail_fork++;
				continue;
			}
			live[nlive++] = pid;
			n_held++;
		} else {			/* migrate a held child away or home */
			const char *dir;
			int err;

			if (!nlive || (!away && !home))
				continue;
			dir = (rnd() & 1) ? away : home;
			if (!dir)
				dir = away ? away : home;
			err = move_pid(dir, live[rnd() % nlive]);
			if (err)
				fail_migrate++;
			else
				n_migrate++;
		}
	}
	/* Reap every zombie: the state at ready has none, so counts are exact. */
	for (int i = 0; i < nzomb; i++)
		waitpid(zombies[i], &st, 0);
	nzomb = 0;
	/* Orphaned grandchildren were reparented away from us: nothing to do. */
	if (home)	/* bring every held child home so the test knows where */
		for (int i = 0; i < nlive; i++)
			if (move_pid(home, live[i]))
				fail_migrate++;
	emit("ops=%ld", ops);
	emit("forks=%ld", n_fork);
	emit("threads=%ld", n_thread);
	emit("zombies=%ld", n_zombie);
	emit("nested=%ld", n_nested);
	emit("held=%ld", n_held);
	emit("migrations=%ld", n_migrate);
	emit("fail_fork=%ld", fail_fork);
	emit("fail_thread=%ld", fail_thread);
	emit("fail_migrate=%ld", fail_migrate);
	emit("live_children=%d", nlive);
	emit("live_threads=%d", nthr);
	emit("phase=ready");
	hold_ms(hold);
	__atomic_store_n(&storm_thread_end, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthr; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < nlive; i++)
		n_killed += storm_release(live[i]);
	emit("held_killed=%ld", n_killed);
	emit("phase=done");
	return 0;
}

/* ---- polite ---- */

/* Reap pid without blocking, with waitpid() (wait4) or waitid(): pid once
 * reaped, 0 while it runs, -1 on error. *st gets a wait status. */
static pid_t polite_reap(pid_t pid, bool use_waitid, int *st)
{
	siginfo_t si = { 0 };

	if (!use_waitid)
		return waitpid(pid, st, WNOHANG);
	if (waitid(P_PID, pid, &si, WEXITED | WNOHANG) < 0)
		return -1;
	if (si.si_pid != pid)
		return 0;
	if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
		*st = si.si_status;		/* as WTERMSIG() reads it */
	else
		*st = si.si_status << 8;	/* as WEXITSTATUS() reads it */
	return pid;
}

/*
 * A well-behaved parent: it forks, and when its child dies (of SIGKILL from
 * the enforcer) it reaps it at once, as a shell or a supervisor would. It
 * must survive; parent_alive=1 at the end is the proof (a dead parent prints
 * nothing more).
 */
static int cmd_polite(int argc, char **argv)
{
	long hold = 500, forks = 1, killed = 0, exited = 0, failed = 0;
	bool use_waitid = false;
	int last_errno = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold = parse_num("--hold-ms", argv[++i], 0, HOLD_MAX_MS) * time_scale;
		else if (!strcmp(argv[i], "--forks") && i + 1 < argc)
			forks = parse_num("--forks", argv[++i], 1, 1000);
		else if (!strcmp(argv[i], "--reap-with") && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "wait4") && strcmp(argv[i], "waitid"))
				die_usage("polite: --reap-with wants wait4 or waitid, not '%s'",
					  argv[i]);
			use_waitid = !strcmp(argv[i], "waitid");
		} else
			die_usage("polite: unexpected argument '%s'", argv[i]);
	}
	for (long f = 0; f < forks; f++) {
		uint64_t give_up = now_ms() + hold + 2000;
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			hold_ms(hold);
			_exit(0);
		}
		if (pid < 0) {
			failed++;
			last_errno = errno;
			continue;
		}
		for (;;) {
			pid_t r = polite_reap(pid, use_waitid, &st);

			if (r == pid)
				break;
			if (now_ms() > give_up) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				break;
			}
			sleep_ms(1);
		}
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			killed++;
		else
			exited++;
	}
	emit("forks_failed=%ld", failed);
	emit("fork_errno=%s", errno_name(last_errno));
	emit("child_killed=%ld", killed);
	emit("child_exited=%ld", exited);
	emit("phase=ready");
	hold_ms(hold);
	emit("parent_alive=1");
	emit("phase=done");
	return 0;
}

/* ---- clone-into ---- */

struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		set_tid, set_tid_size, cgroup;
};

/* Wait until path exists (or, !present, is gone), up to 60 s; false on
 * timeout. A test's go, and its all clear. */
static bool wait_for_file(const char *path, bool present)
{
	uint64_t end = now_ms() + 60000 * (uint64_t)time_scale;

	while ((access(path, F_OK) == 0) != present) {
		if (now_ms() >= end)
			return false;
		sleep_ms(5);
	}
	return true;
}

/*
 * clone3(CLONE_INTO_CGROUP) children into DIR, never reaped before all are
 * made (a killed one stays a zombie meanwhile). --when-exists FILE: print
 * phase=armed, clone only once FILE exists, and reap (then exit) only once
 * it is gone again: test_faults plants a record at our address between
 * the first two, and puts it back before we exit.
 */
static int cmd_clone_into(int argc, char **argv)
{
	const char *dir = NULL, *go = NULL;
	long count = 1, hold = 1000, ok = 0, failed = 0, killed = 0, exited = 0;
	int last_errno = 0, fd;
	pid_t pids[1000];

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold = parse_num("--hold-ms", argv[++i], 0, HOLD_MAX_MS) * time_scale;
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = parse_num("--count", argv[++i], 1, 1000);
		else if (!strcmp(argv[i], "--when-exists") && i + 1 < argc)
			go = argv[++i];
		else if (!dir && argv[i][0] != '-')
			dir = argv[i];
		else
			die_usage("clone-into: unexpected argument '%s'", argv[i]);
	}
	if (!dir)
		die_usage("clone-into: the cgroup directory is required");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: open %s: %s\n", prog, dir, strerror(errno));
		return 1;
	}
	if (go) {
		emit("phase=armed");
		if (!wait_for_file(go, true)) {
			fprintf(stderr, "%s: clone-into: %s never appeared\n", prog, go);
			return 1;
		}
	}
	for (long i = 0; i < count; i++) {
		struct clone_args_v2 ca;
		long pid;

		memset(&ca, 0, sizeof(ca));
		ca.flags = CLONE_INTO_CGROUP;
		ca.exit_signal = SIGCHLD;
		ca.cgroup = fd;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0) {
			hold_ms(hold);
			_exit(0);
		}
		if (pid < 0) {
			if (errno == ENOSYS || (errno == EINVAL && i == 0 && ok == 0 &&
						syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS)) {
				emit("skip=clone3 or CLONE_INTO_CGROUP not supported (%s)",
				     errno_name(errno));
				return 3;
			}
			failed++;
			last_errno = errno;
			continue;
		}
		pids[ok++] = (pid_t)pid;
	}
	for (long i = 0; i < ok; i++)
		emit("child=%d", pids[i]);
	emit("clones_ok=%ld", ok);
	emit("clones_failed=%ld", failed);
	emit("clone_errno=%s", errno_name(last_errno));
	emit("phase=ready");
	if (go && !wait_for_file(go, false))
		fprintf(stderr, "%s: clone-into: %s still there after 60 s: reaping\n", prog, go);
	for (long i = 0; i < ok; i++) {
		int st;

		if (waitpid(pids[i], &st, 0) < 0)
			continue;
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			killed++;
		else
			exited++;
	}
	emit("children_killed=%ld", killed);
	emit("children_exited=%ld", exited);
	emit("phase=done");
	return 0;
}

/* ---- sample ---- */

/*
 * Peak meter where no pids.peak exists (kernels before 6.9 or so): read a
 * counter file (pids.current) as often as we can and keep the maximum.
 * A sampler can miss a short spike, so tests treat its peak as a lower
 * bound, and say so.
 */
static long read_long(const char *file)
{
	char buf[64];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static volatile sig_atomic_t sample_stop;

static void on_term(int sig)
{
	(void)sig;
	sample_stop = 1;
}

static int cmd_sample(int argc, char **argv)
{
	const char *file = NULL;
	long duration = 10000, interval = 100, peak = -1, samples = 0;
	pid_t until = 0;
	uint64_t end;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--duration-ms") && i + 1 < argc)
			duration = parse_num("--duration-ms", argv[++i], 1, HOLD_MAX_MS);
		else if (!strcmp(argv[i], "--interval-us") && i + 1 < argc)
			interval = parse_num("--interval-us", argv[++i], 0, 1000000);
		else if (!strcmp(argv[i], "--until-gone") && i + 1 < argc)
			until = parse_num("--until-gone", argv[++i], 1, INT_MAX);
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else
			die_usage("sample: unexpected argument '%s'", argv[i]);
	}
	if (!file)
		die_usage("sample: FILE is required");
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	end = now_ms() + duration;
	emit("phase=ready");
	while (!sample_stop && now_ms() < end) {
		long v = read_long(file);

		if (v > peak)
			peak = v;
		samples++;
		if (until && (samples & 63) == 0 && kill(until, 0) && errno == ESRCH)
			break;
		if (interval)
			sleep_us(interval);
	}
	emit("peak=%ld", peak);
	emit("samples=%ld", samples);
	emit("phase=done");
	return 0;
}

int main(int argc, char **argv)
{
	const char *cgroups[MAX_CGROUP_ARGS];
	int ncg = 0, pidns = 0, i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGUSR1, on_release);
	if (getenv("PG_TIME_SCALE")) {
		time_scale = strtol(getenv("PG_TIME_SCALE"), NULL, 10);
		if (time_scale < 1 || time_scale > 1000)
			time_scale = 1;
	}
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return 0;
		}
		if (!strcmp(argv[i], "--cgroup") && i + 1 < argc) {
			if (ncg == MAX_CGROUP_ARGS)
				die_usage("--cgroup: at most %d", MAX_CGROUP_ARGS);
			cgroups[ncg++] = argv[i + 1];
			i += 2;
			continue;
		}
		if (!strcmp(argv[i], "--new-pidns")) {
			if (++pidns > 3)
				die_usage("--new-pidns: at most 3 levels");
			i++;
			continue;
		}
		die_usage("unknown option '%s'", argv[i]);
	}
	if (i >= argc)
		die_usage("a subcommand is required");
	if (enter_pid_namespaces(pidns))
		return 1;
	/* Join the cgroups before anything else: every task we make is in them. */
	for (int c = 0; c < ncg; c++)
		if (join_cgroup(cgroups[c]))
			return 1;
	argc -= i + 1;
	argv += i + 1;
	if (!strcmp(argv[-1], "bomb"))
		return cmd_bomb(argc, argv);
	if (!strcmp(argv[-1], "spawn"))
		return cmd_spawn(argc, argv);
	if (!strcmp(argv[-1], "threads"))
		return cmd_threads(argc, argv);
	if (!strcmp(argv[-1], "thread-exec"))
		return cmd_thread_exec(argc, argv);
	if (!strcmp(argv[-1], "zombies"))
		return cmd_zombies(argc, argv);
	if (!strcmp(argv[-1], "storm"))
		return cmd_storm(argc, argv);
	if (!strcmp(argv[-1], "polite"))
		return cmd_polite(argc, argv);
	if (!strcmp(argv[-1], "clone-into"))
		return cmd_clone_into(argc, argv);
	if (!strcmp(argv[-1], "sample"))
		return cmd_sample(argc, argv);
	die_usage("unknown subcommand '%s'", argv[-1]);
	return 2;
}
