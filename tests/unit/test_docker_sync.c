// SPDX-License-Identifier: GPL-2.0
/*
 * test_docker_sync.c - the Docker synchronisation: which events re-inspect
 * a container, the compensation report line, and a daemon that answers
 * badly (garbage, 500s, containers whose cgroup is nowhere, a broken event
 * stream, an unusable /version): clear log lines, said once, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/types.h>
#include "pidguard.h"
#include "docker_sync.h"

#define ID_A "84fa972a703494de35a9c14ee155f68d99a106e2c5da9b842a42810c87a743d0"

static void test_wants_refresh(void **state)
{
	(void)state;
	/* Every change of state, limit or name; die and destroy forget by inspecting. */
	assert_true(docker_sync__wants_refresh(DOCKER_EV_START));
	assert_true(docker_sync__wants_refresh(DOCKER_EV_DIE));
	assert_true(docker_sync__wants_refresh(DOCKER_EV_DESTROY));
	assert_true(docker_sync__wants_refresh(DOCKER_EV_UPDATE));
	assert_true(docker_sync__wants_refresh(DOCKER_EV_RENAME));
	/* exec is seen by the kernel side (migrated_in); the rest changes nothing. */
	assert_false(docker_sync__wants_refresh(DOCKER_EV_EXEC_START));
	assert_false(docker_sync__wants_refresh(DOCKER_EV_OTHER));
}

static void test_report_line(void **state)
{
	struct pg_container_ref r;
	char line[2400];

	(void)state;
	memset(&r, 0, sizeof(r));
	strcpy(r.id, ID_A);
	strcpy(r.name, "web");
	strcpy(r.project, "shop");
	strcpy(r.service, "web");
	r.limit = 25;
	strcpy(r.source, "compose file");
	strcpy(r.comp_case, "predates");
	strcpy(r.sentence, "Declared 25.");
	docker_sync__report_line(&r, "/docker/" ID_A, "service web, pids_limit: 25", line,
				 sizeof(line));
	assert_string_equal(line, "container web (84fa972a7034, compose shop/web) /docker/" ID_A
			    ": limit 25 from compose file (service web, pids_limit: 25); "
			    "predates: Declared 25.");

	r.project[0] = r.service[0] = '\0';
	r.limit = PG_NO_LIMIT;
	strcpy(r.source, "none");
	strcpy(r.comp_case, "not_limited");
	strcpy(r.sentence, "No limit declared (none): nothing to enforce.");
	docker_sync__report_line(&r, "/docker/x", "", line, sizeof(line));
	assert_string_equal(line, "container web (84fa972a7034) /docker/x: limit none from none; "
			    "not_limited: No limit declared (none): nothing to enforce.");
	/* Truncated, never overrun. */
	docker_sync__report_line(&r, "/docker/x", NULL, line, 16);
	assert_int_equal(strlen(line), 15);
}

/* ---- A fake daemon: one answer per path, or a stream that breaks ---- */

struct route {
	const char *path;	/* exact, or a prefix when ending in '*' */
	int status;
	const char *body;	/* NULL: a chunked stream of chunks[], then hang up */
	const char *const *chunks;
};

struct fake {
	char dir[64], sock[108];
	int lfd, wake[2];
	pthread_t thread;
	const struct route *routes;
	size_t nr;
	int requests;
};

static void put(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	while (len) {
		n = send(fd, s, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void serve(struct fake *f, int fd)
{
	char req[8192], path[1024], head[256];
	const struct route *r = NULL;
	size_t len = 0, n;
	ssize_t got;

	while (len < sizeof(req) - 1) {
		got = read(fd, req + len, sizeof(req) - 1 - len);
		if (got <= 0)
			return;
		len += (size_t)got;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (sscanf(req, "GET %1023s HTTP/1.1", path) != 1)
		return;
	f->requests++;
	for (size_t i = 0; i < f->nr && !r; i++) {
		n = strlen(f->routes[i].path);
		if (f->routes[i].path[n - 1] == '*' ? !strncmp(path, f->routes[i].path, n - 1)
						     : !strcmp(path, f->routes[i].path))
			r = &f->routes[i];
	}
	if (!r) {
		put(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
		return;
	}
	if (r->body) {
		snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n", r->status, strlen(r->body));
		put(fd, head);
		put(fd, r->body);
		return;
	}
	put(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (size_t i = 0; r->chunks && r->chunks[i]; i++) {
		snprintf(head, sizeof(head), "%zx\r\n", strlen(r->chunks[i]));
		put(fd, head);
		put(fd, r->chunks[i]);
		put(fd, "\r\n");
	}
	/* Hang up mid-stream: the daemon went away. */
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	struct pollfd p[2] = { { .fd = f->lfd, .events = POLLIN },
			       { .fd = f->wake[0], .events = POLLIN } };
	int fd;

	for (;;) {
		if (poll(p, 2, -1) < 0 || p[1].revents)
			return NULL;
		fd = accept(f->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		serve(f, fd);
		close(fd);
	}
}

static struct fake *fake_start(const struct route *routes, size_t nr)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/pg-dsync.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/docker.sock", f->dir);
	f->routes = routes;
	f->nr = nr;
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->sock);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(pipe(f->wake), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	return f;
}

static void fake_stop(struct fake *f)
{
	assert_int_equal(write(f->wake[1], "x", 1), 1);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	close(f->wake[0]);
	close(f->wake[1]);
	unlink(f->sock);
	rmdir(f->dir);
	free(f);
}

/* ---- stderr capture: the log lines are what the operator sees ---- */

static int saved_stderr = -1;
static char log_path[64];

static void log_capture_start(void)
{
	int fd;

	snprintf(log_path, sizeof(log_path), "/tmp/pg-dsync-log.XXXXXX");
	fd = mkstemp(log_path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(2);
	assert_true(dup2(fd, 2) == 2);
	close(fd);
}

/* The captured text (malloc'd), stderr restored. */
static char *log_capture_end(void)
{
	char *text = calloc(1, 1 << 16);
	int fd;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	fd = open(log_path, O_RDONLY);
	assert_true(fd >= 0);
	assert_true(read(fd, text, (1 << 16) - 1) >= 0);
	close(fd);
	unlink(log_path);
	return text;
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static struct pg_cmdline cl;	/* large: not on the stack */

/* Start a docker_sync on f (no maps: nothing may reach them here). */
static struct docker_sync *sync_on(struct fake *f, struct pg_loader *ld, char *cg2_dir)
{
	struct docker_sync *s;
	struct pg_mounts m;
	static char host[200];

	memset(&cl, 0, sizeof(cl));
	memset(&m, 0, sizeof(m));
	memset(ld, 0xff, sizeof(*ld));	/* every fd -1 */
	ld->skel = NULL;
	snprintf(host, sizeof(host), "unix://%s", f->sock);
	cl.docker_host = host;
	assert_non_null(mkdtemp(cg2_dir));
	snprintf(m.cgroup2, sizeof(m.cgroup2), "%s", cg2_dir);
	assert_int_equal(docker_sync__new(&cl, &m, &s), 0);
	docker_sync__set_names_path(s, "/tmp/pg-dsync-names-unused/containers");
	assert_int_equal(docker_sync__start(s, ld), 0);
	return s;
}

#define ID_B "1111111111111111111111111111111111111111111111111111111111111111"
#define ID_C "2222222222222222222222222222222222222222222222222222222222222222"
#define VERSION "{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\"}"
#define INFO "{\"CgroupDriver\":\"cgroupfs\",\"CgroupVersion\":\"1\"}"
#define EV(action, id) "{\"Type\":\"container\",\"Action\":\"" action "\",\"Actor\":" \
	"{\"ID\":\"" id "\",\"Attributes\":{\"name\":\"x\"}},\"timeNano\":1}\n"

static void test_bad_daemon_answers(void **state)
{
	static const char *const events[] = {
		"this is not json\n", EV("start", ID_A), "{\"Type\":\"container\"}\n", NULL,
	};
	static const struct route routes[] = {
		{ "/version", 200, VERSION, NULL },
		{ "/v1.41/info", 200, INFO, NULL },
		{ "/v1.41/containers/json", 200,
		  "[{\"Id\":\"" ID_A "\"},{\"Id\":\"" ID_B "\"},{\"Id\":\"" ID_C "\"}]", NULL },
		{ "/v1.41/containers/" ID_A "/json", 200, "{not json", NULL },
		{ "/v1.41/containers/" ID_B "/json", 500, "{\"message\":\"boom\"}", NULL },
		/* Running, but its pid is not its and no cgroup is where the rules say. */
		{ "/v1.41/containers/" ID_C "/json", 200,
		  "{\"Id\":\"" ID_C "\",\"Name\":\"/ghost\",\"Config\":{\"Labels\":"
		  "{\"pidguard.pids-limit\":\"lots\"}},\"HostConfig\":{\"PidsLimit\":25,"
		  "\"CgroupParent\":\"\"},\"State\":{\"Running\":true,\"Pid\":1}}", NULL },
		{ "/v1.41/events*", 200, NULL, events },
	};
	struct fake *f = fake_start(routes, sizeof(routes) / sizeof(routes[0]));
	char cg2[] = "/tmp/pg-dsync-cg2.XXXXXX", *log;
	struct pg_container_ref ref;
	struct pg_loader ld;
	struct docker_sync *s;

	(void)state;
	log_capture_start();
	s = sync_on(f, &ld, cg2);
	usleep(400 * 1000);	/* the stream breaks, and a resync follows */
	docker_sync__tick(s);
	assert_false(docker_sync__container_of(s, 1, &ref));
	docker_sync__free(s);
	log = log_capture_end();
	fake_stop(f);
	rmdir(cg2);

	assert_int_equal(count(log, "Docker: connected to"), 1);
	assert_true(count(log, "inspect 84fa972a7034: ") >= 1);
	assert_true(count(log, "inspect 111111111111: ") >= 1);
	assert_non_null(strstr(log, "boom"));
	assert_true(count(log, "container ghost (222222222222): ") >= 1);
	assert_non_null(strstr(log, "not limited"));
	assert_non_null(strstr(log, "\"lots\" is not a limit"));
	assert_true(count(log, "skipped a bad event line") >= 1);
	assert_true(count(log, "resynchronis") >= 1);
	free(log);
}

/* A daemon whose /version is unusable: said once, retried quietly, stopped at once. */
static void test_unusable_daemon_said_once(void **state)
{
	static const struct route routes[] = {
		{ "/version", 200, "{\"ApiVersion\":", NULL },
	};
	struct fake *f = fake_start(routes, 1);
	char cg2[] = "/tmp/pg-dsync-cg2.XXXXXX", *log;
	struct timespec t0, t1;
	struct pg_loader ld;
	struct docker_sync *s;

	(void)state;
	log_capture_start();
	s = sync_on(f, &ld, cg2);
	usleep(1000 * 1000);	/* retries at 250 and 750 ms */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	docker_sync__free(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log = log_capture_end();
	assert_true(f->requests >= 3);
	fake_stop(f);
	rmdir(cg2);

	assert_int_equal(count(log, "Docker: not usable at /tmp/pg-dsync."), 1);
	assert_non_null(strstr(log, "/version"));
	/* Stopping cuts the backoff sleep short. */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 500);
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wants_refresh),
		cmocka_unit_test(test_report_line),
		cmocka_unit_test(test_bad_daemon_answers),
		cmocka_unit_test(test_unusable_daemon_said_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
