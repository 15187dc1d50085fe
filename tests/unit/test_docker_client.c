// SPDX-License-Identifier: GPL-2.0
/*
 * test_docker_client.c - the Docker client against a fake daemon: a thread
 * serving canned HTTP/1.1 answers on a unix socket in a temporary
 * directory. Covers version pinning, 404/500/malformed/oversized answers,
 * connect failures, timeouts, a restart's POST and its answers, and the
 * events stream cut into chunks at every awkward place, ended by the
 * daemon or stopped by us.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "docker_client.h"

#define ID_A "84fa972a703494de35a9c14ee155f68d99a106e2c5da9b842a42810c87a743d0"
#define ID_B "1111111111111111111111111111111111111111111111111111111111111111"

/* ---- Fake daemon ---- */

struct route {
	const char *method;		/* NULL: GET */
	const char *path;		/* exact, or a prefix when ending in '*' */
	int status;
	const char *body;		/* sent with Content-Length */
	const char *const *chunks;	/* else: one HTTP chunk each */
	size_t big;			/* else: this many 'x' bytes */
	bool big_chunked;		/* ... chunked, not Content-Length */
	bool end_stream;		/* chunks: send the last chunk, or hold open */
	bool abort_stream;		/* chunks: then close without the last chunk */
	bool silent;			/* send nothing, hold open */
};

struct fake {
	char dir[64];
	char sock[108];
	int lfd;
	int wake[2];
	pthread_t thread;
	const struct route *routes;
	size_t nr_routes;
	char paths[16][1024];		/* request paths, in order */
	char methods[16][8];		/* and their methods */
	char heads[16][1024];		/* and their headers, cut to size */
	int requests;
};

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;		/* the client hung up: fine */
		p += n;
		len -= (size_t)n;
	}
}

static void writef(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void writef(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	write_all(fd, buf, (size_t)n);
}

/* Hold the connection until the client closes it or the test ends. */
static void hold(struct fake *f, int fd)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = f->wake[0], .events = POLLIN } };
	char buf[256];

	for (;;) {
		if (poll(p, 2, -1) < 0)
			return;
		if (p[1].revents)
			return;
		if (p[0].revents && read(fd, buf, sizeof(buf)) <= 0)
			return;
	}
}

static const struct route *route_for(struct fake *f, const char *method, const char *path)
{
	size_t i, n;

	for (i = 0; i < f->nr_routes; i++) {
		if (strcmp(method, f->routes[i].method ? f->routes[i].method : "GET"))
			continue;
		n = strlen(f->routes[i].path);
		if (f->routes[i].path[n - 1] == '*' ? !strncmp(path, f->routes[i].path, n - 1)
						     : !strcmp(path, f->routes[i].path))
			return &f->routes[i];
	}
	return NULL;
}

static void serve(struct fake *f, int fd)
{
	char req[8192], path[1024], method[8];
	const struct route *r;
	size_t len = 0, i;
	ssize_t n;

	while (len < sizeof(req) - 1) {
		n = read(fd, req + len, sizeof(req) - 1 - len);
		if (n <= 0)
			return;
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	/* No request of ours has a body: the headers are all of it. */
	if (sscanf(req, "%7s %1023s HTTP/1.1", method, path) != 2)
		return;
	if (f->requests < 16) {
		snprintf(f->paths[f->requests], sizeof(f->paths[0]), "%s", path);
		snprintf(f->methods[f->requests], sizeof(f->methods[0]), "%s", method);
		snprintf(f->heads[f->requests], sizeof(f->heads[0]), "%.1023s", req);
	}
	f->requests++;

	r = route_for(f, method, path);
	if (!r) {
		writef(fd, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
			   "Content-Length: 19\r\n\r\n404 page not found\n");
		return;
	}
	if (r->silent) {
		hold(f, fd);
		return;
	}
	if (r->body) {
		writef(fd, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
			   "Content-Length: %zu\r\n\r\n", r->status, strlen(r->body));
		write_all(fd, r->body, strlen(r->body));
		return;
	}
	if (r->big) {
		static char block[65536];

		memset(block, 'x', sizeof(block));
		if (r->big_chunked)
			writef(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
		else
			writef(fd, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", r->big);
		for (i = 0; i < r->big; i += sizeof(block)) {
			size_t k = r->big - i < sizeof(block) ? r->big - i : sizeof(block);

			if (r->big_chunked)
				writef(fd, "%zx\r\n", k);
			write_all(fd, block, k);
			if (r->big_chunked)
				writef(fd, "\r\n");
		}
		if (r->big_chunked)
			writef(fd, "0\r\n\r\n");
		return;
	}
	writef(fd, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
		   "Transfer-Encoding: chunked\r\n\r\n", r->status);
	for (i = 0; r->chunks && r->chunks[i]; i++) {
		writef(fd, "%zx\r\n", strlen(r->chunks[i]));
		write_all(fd, r->chunks[i], strlen(r->chunks[i]));
		writef(fd, "\r\n");
		usleep(2000);	/* let the client see each chunk on its own */
	}
	if (r->end_stream)
		writef(fd, "0\r\n\r\n");
	else if (!r->abort_stream)
		hold(f, fd);
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
	snprintf(f->dir, sizeof(f->dir), "/tmp/pg-fakedock.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/docker.sock", f->dir);
	f->routes = routes;
	f->nr_routes = nr;
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

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static const char version_141[] = "{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\"}";

static const char inspect_a[] =
	"{\"Id\":\"" ID_A "\",\"Name\":\"/web\",\"Config\":{\"Labels\":"
	"{\"pidguard.pids-limit\":\"30\"}},\"HostConfig\":{\"PidsLimit\":25,"
	"\"CgroupParent\":\"\"},\"State\":{\"Running\":true,\"Pid\":4242}}";

static struct docker_client *client_for(struct fake *f)
{
	struct docker_client *c = docker_client__new(f->sock);
	struct docker_version v;
	char err[256];

	assert_non_null(c);
	assert_int_equal(docker_client__negotiate(c, &v, err, sizeof(err)), 0);
	return c;
}

/* ---- Tests ---- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_socket_path(void **state)
{
	char path[108], err[256], longhost[200];

	(void)state;
	assert_int_equal(docker_client__socket_path("unix:///a/b.sock", "unix:///env.sock", path,
						    sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, "/a/b.sock");
	assert_int_equal(docker_client__socket_path(NULL, "unix:///env.sock", path, sizeof(path),
						    err, sizeof(err)), 0);
	assert_string_equal(path, "/env.sock");
	assert_int_equal(docker_client__socket_path("", "", path, sizeof(path), err, sizeof(err)),
			 0);
	assert_string_equal(path, "/var/run/docker.sock");
	assert_int_equal(docker_client__socket_path(NULL, "tcp://1.2.3.4:2375", path,
						    sizeof(path), err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "DOCKER_HOST \"tcp://1.2.3.4:2375\": only unix:///path sockets "
				 "are supported");
	assert_int_equal(docker_client__socket_path("unix://rel.sock", NULL, path, sizeof(path),
						    err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--docker-host"));
	snprintf(longhost, sizeof(longhost), "unix:///%0150d", 0);
	assert_int_equal(docker_client__socket_path(longhost, NULL, path, sizeof(path), err,
						    sizeof(err)), -ENAMETOOLONG);
}

static void test_negotiate_and_pin(void **state)
{
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/containers/json", .status = 200,
		  .body = "[{\"Id\":\"" ID_A "\",\"Names\":[\"/web\"]}]" },
		{ .path = "/v1.41/info", .status = 200,
		  .body = "{\"CgroupDriver\":\"systemd\",\"CgroupVersion\":\"2\"}" },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = docker_client__new(f->sock);
	char (*ids)[DOCKER_ID_LEN + 1];
	struct docker_version v;
	struct docker_info info;
	char err[256];
	size_t nr;

	(void)state;
	assert_string_equal(docker_client__api_version(c), "");
	assert_int_equal(docker_client__negotiate(c, &v, err, sizeof(err)), 0);
	assert_string_equal(docker_client__api_version(c), "1.41");
	assert_int_equal(docker_client__list_running(c, &ids, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 1);
	assert_string_equal(ids[0], ID_A);
	free(ids);
	assert_int_equal(docker_client__info(c, &info, err, sizeof(err)), 0);
	assert_int_equal(info.cgroup_driver, DOCKER_CGDRIVER_SYSTEMD);
	assert_int_equal(info.cgroup_version, 2);
	assert_string_equal(f->paths[0], "/version");
	assert_string_equal(f->paths[1], "/v1.41/containers/json");
	assert_string_equal(f->paths[2], "/v1.41/info");
	docker_client__free(c);
	fake_stop(f);
}

static void test_negotiate_versions(void **state)
{
	static const struct route old[] = {
		{ .path = "/version", .status = 200,
		  .body = "{\"Version\":\"19.03.1\",\"ApiVersion\":\"1.40\"}" },
	};
	static const struct route newer[] = {
		{ .path = "/version", .status = 200, .body = "{\"ApiVersion\":\"1.47\"}" },
		{ .path = "/v1.47/containers/json", .status = 200, .body = "[]" },
	};
	static const struct route broken[] = {
		{ .path = "/version", .status = 200, .body = "{\"ApiVersion\":\"1.41\"" },
	};
	static const struct route failing[] = {
		{ .path = "/version", .status = 503, .body = "{\"message\":\"starting up\"}" },
	};
	char (*ids)[DOCKER_ID_LEN + 1];
	struct docker_client *c;
	struct docker_version v;
	struct fake *f;
	char err[256];
	size_t nr;

	(void)state;
	f = fake_start(old, NR(old));
	c = docker_client__new(f->sock);
	assert_int_equal(docker_client__negotiate(c, &v, err, sizeof(err)), -ENOTSUP);
	assert_string_equal(err, "Docker 19.03.1 speaks API 1.40; pidguard needs 1.41 or newer");
	assert_string_equal(docker_client__api_version(c), "");
	docker_client__free(c);
	fake_stop(f);

	f = fake_start(newer, NR(newer));
	c = docker_client__new(f->sock);
	assert_int_equal(docker_client__negotiate(c, &v, err, sizeof(err)), 0);
	assert_int_equal(docker_client__list_running(c, &ids, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 0);
	assert_string_equal(f->paths[1], "/v1.47/containers/json");
	docker_client__free(c);
	fake_stop(f);

	f = fake_start(broken, NR(broken));
	c = docker_client__new(f->sock);
	assert_int_equal(docker_client__negotiate(c, &v, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "/version: malformed JSON"));
	docker_client__free(c);
	fake_stop(f);

	f = fake_start(failing, NR(failing));
	c = docker_client__new(f->sock);
	assert_int_equal(docker_client__negotiate(c, &v, err, sizeof(err)), -EIO);
	assert_string_equal(err, "GET /version: HTTP 503: starting up");
	docker_client__free(c);
	fake_stop(f);
}

static void test_inspect_answers(void **state)
{
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/containers/" ID_A "/json", .status = 200, .body = inspect_a },
		{ .path = "/v1.41/containers/" ID_B "/json", .status = 404,
		  .body = "{\"message\":\"No such container: " ID_B "\"}" },
		{ .path = "/v1.41/containers/2222222222222222222222222222222222222222222222222222222222222222/json",
		  .status = 500, .body = "{\"message\":\"boom\"}" },
		{ .path = "/v1.41/containers/3333333333333333333333333333333333333333333333333333333333333333/json",
		  .status = 200, .body = "{\"Id\": \"" },
		{ .path = "/v1.41/containers/4444444444444444444444444444444444444444444444444444444444444444/json",
		  .status = 200, .body = inspect_a },
		{ .path = "/v1.41/containers/5555555555555555555555555555555555555555555555555555555555555555/json",
		  .status = 409, .body = "not json at all" },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	struct docker_container ct;
	char err[256];

	(void)state;
	assert_int_equal(docker_client__inspect(c, ID_A, &ct, err, sizeof(err)), 0);
	assert_string_equal(ct.name, "web");
	assert_int_equal(ct.pids_limit, 25);
	assert_int_equal(ct.pid, 4242);
	assert_string_equal(ct.limit_label, "30");

	/* Vanished between list and inspect. */
	assert_int_equal(docker_client__inspect(c, ID_B, &ct, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "GET /containers/" ID_B "/json: HTTP 404: No such container: " ID_B);

	assert_int_equal(docker_client__inspect(c, "2222222222222222222222222222222222222222222222222222222222222222",
						&ct, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "HTTP 500: boom"));
	assert_int_equal(docker_client__inspect(c, "3333333333333333333333333333333333333333333333333333333333333333",
						&ct, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "container inspect: malformed JSON"));
	/* The daemon answered about another container. */
	assert_int_equal(docker_client__inspect(c, "4444444444444444444444444444444444444444444444444444444444444444",
						&ct, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "the daemon answered for 84fa972a7034"));
	assert_int_equal(docker_client__inspect(c, "5555555555555555555555555555555555555555555555555555555555555555",
						&ct, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "HTTP 409: not json at all"));

	/* Not an id: refused before any request. */
	f->requests = 0;
	assert_int_equal(docker_client__inspect(c, "../../info?", &ct, err, sizeof(err)), -EINVAL);
	assert_int_equal(f->requests, 0);
	docker_client__free(c);
	fake_stop(f);
}

static void test_oversized(void **state)
{
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/containers/json", .big = 9u << 20 },
		{ .path = "/v1.41/info", .big = 9u << 20, .big_chunked = true },
		{ .path = "/v1.41/ok", .big = 1u << 20, .big_chunked = true },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	char (*ids)[DOCKER_ID_LEN + 1];
	struct docker_response resp;
	struct docker_info info;
	char err[256];
	size_t nr;

	(void)state;
	/* Content-Length says too much. */
	assert_int_equal(docker_client__list_running(c, &ids, &nr, err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "GET /containers/json: answer larger than 8388608 bytes, refused");
	assert_null(ids);
	/* Chunked: found out while reading. */
	assert_int_equal(docker_client__info(c, &info, err, sizeof(err)), -EFBIG);
	/* Under the cap: whole and NUL-terminated. */
	assert_int_equal(docker_client__get(c, "/ok", &resp, err, sizeof(err)), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.len, 1u << 20);
	assert_int_equal(resp.body[resp.len], '\0');
	docker_client__response_free(&resp);
	/* A smaller cap is honoured. */
	docker_client__set_max_body(c, 1000);
	assert_int_equal(docker_client__get(c, "/ok", &resp, err, sizeof(err)), -EFBIG);
	docker_client__free(c);
	fake_stop(f);
}

static void test_connect_failures(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/pg-nodock.XXXXXX", sock[108], err[256];
	struct docker_client *c;
	struct docker_version v;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/docker.sock", dir);

	c = docker_client__new(sock);
	assert_int_equal(docker_client__negotiate(c, &v, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot connect to /tmp/pg-nodock."));
	assert_non_null(strstr(err, "No such file or directory"));
	docker_client__free(c);

	/* A socket nobody listens on: the daemon died and left it. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	c = docker_client__new(sock);
	assert_int_equal(docker_client__negotiate(c, &v, err, sizeof(err)), -ECONNREFUSED);
	docker_client__free(c);
	close(fd);
	unlink(sock);
	rmdir(dir);
}

static void test_timeout(void **state)
{
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/info", .silent = true },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	struct docker_info info;
	char err[256];

	(void)state;
	docker_client__set_timeout_ms(c, 200);
	assert_int_equal(docker_client__info(c, &info, err, sizeof(err)), -ETIMEDOUT);
	assert_non_null(strstr(err, "no answer from"));
	docker_client__free(c);
	fake_stop(f);
}

#define RESTART(id) "/v1.41/containers/" id "/restart?t=1"
#define ID_C "2222222222222222222222222222222222222222222222222222222222222222"
#define ID_D "3333333333333333333333333333333333333333333333333333333333333333"
#define ID_E "4444444444444444444444444444444444444444444444444444444444444444"

static void test_restart_answers(void **state)
{
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .method = "POST", .path = RESTART(ID_A), .status = 204, .body = "" },
		{ .method = "POST", .path = RESTART(ID_B), .status = 404,
		  .body = "{\"message\":\"No such container: " ID_B "\"}" },
		{ .method = "POST", .path = RESTART(ID_C), .status = 500,
		  .body = "{\"message\":\"Cannot restart container: OCI runtime failed\"}" },
		{ .method = "POST", .path = RESTART(ID_D), .status = 409, .body = "not json" },
		/* A 200 is no restart's answer either. */
		{ .method = "POST", .path = RESTART(ID_E), .status = 200, .body = "{}" },
		{ .method = "POST", .path = "/v1.41/containers/" ID_A "/restart?t=0", .status = 204,
		  .body = "" },
		/* Only the GET of this path answers: a POST is not a GET. */
		{ .path = "/v1.41/containers/" ID_B "/restart?t=0", .status = 204, .body = "" },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	char err[512];

	(void)state;
	assert_int_equal(docker_client__restart(c, ID_A, 1, err, sizeof(err)), 0);
	assert_string_equal(f->methods[1], "POST");
	assert_string_equal(f->paths[1], RESTART(ID_A));
	/* An empty body, and no form's Content-Type for it. */
	assert_non_null(strstr(f->heads[1], "Content-Length: 0\r\n"));
	assert_null(strcasestr(f->heads[1], "Content-Type"));

	assert_int_equal(docker_client__restart(c, ID_A, 0, err, sizeof(err)), 0);
	assert_string_equal(f->paths[2], "/v1.41/containers/" ID_A "/restart?t=0");

	assert_int_equal(docker_client__restart(c, ID_B, 1, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "POST /containers/" ID_B "/restart?t=1: HTTP 404: No such container: " ID_B);
	assert_int_equal(docker_client__restart(c, ID_C, 1, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "HTTP 500: Cannot restart container: OCI runtime failed"));
	assert_int_equal(docker_client__restart(c, ID_D, 1, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "HTTP 409: not json"));
	assert_int_equal(docker_client__restart(c, ID_E, 1, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "HTTP 200"));
	assert_int_equal(docker_client__restart(c, ID_B, 0, err, sizeof(err)), -ENOENT);
	assert_string_equal(f->methods[7], "POST");

	/* Refused before any request: not an id, a name, upper case, a long t. */
	f->requests = 0;
	assert_int_equal(docker_client__restart(c, "../../info?", 1, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "restart: \"../../info?\" is not a container id");
	assert_int_equal(docker_client__restart(c, "web", 1, err, sizeof(err)), -EINVAL);
	assert_int_equal(docker_client__restart(c, ID_A "0", 1, err, sizeof(err)), -EINVAL);
	assert_int_equal(docker_client__restart(c, "84FA972A703494DE35A9C14EE155F68D99A106E2C5DA9B842A42810C87A743D0",
						1, err, sizeof(err)), -EINVAL);
	assert_int_equal(docker_client__restart(c, ID_A, DOCKER_RESTART_MAX_STOP_S + 1, err,
						sizeof(err)), -EINVAL);
	assert_int_equal(f->requests, 0);
	docker_client__free(c);
	fake_stop(f);
}

/* A POST has its own timeout, not the GETs'. */
static void test_post_timeout(void **state)
{
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .method = "POST", .path = "/v1.41/slow", .silent = true },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	struct docker_response resp;
	char err[256];
	double t0;

	(void)state;
	docker_client__set_timeout_ms(c, 60000);
	t0 = now_ms();
	assert_int_equal(docker_client__post(c, "/slow", 200, &resp, err, sizeof(err)), -ETIMEDOUT);
	assert_true(now_ms() - t0 < 5000);
	assert_non_null(strstr(err, "POST /slow: no answer from"));
	assert_non_null(strstr(err, "within 200 ms"));
	docker_client__free(c);
	fake_stop(f);
}

/* ---- Events ---- */

#define EV(action, name) \
	"{\"status\":\"" action "\",\"id\":\"" ID_A "\",\"Type\":\"container\",\"Action\":\"" \
	action "\",\"Actor\":{\"ID\":\"" ID_A "\",\"Attributes\":{\"name\":\"" name "\"}}," \
	"\"scope\":\"local\",\"time\":1764096850,\"timeNano\":1764096850123456789}"

struct seen {
	int nr;
	enum docker_event_action actions[64];
	char names[64][DOCKER_NAME_MAX];
	int stop_after;			/* ask to stop after this many, 0 = never */
	int logs;
	char last_log[512];
};

static int on_event(const struct docker_event *ev, void *ctx)
{
	struct seen *s = ctx;

	assert_true(s->nr < 64);
	s->actions[s->nr] = ev->action;
	snprintf(s->names[s->nr], sizeof(s->names[0]), "%s", ev->name);
	s->nr++;
	return s->stop_after && s->nr >= s->stop_after;
}

static void on_log(void *ctx, const char *msg)
{
	struct seen *s = ctx;

	s->logs++;
	snprintf(s->last_log, sizeof(s->last_log), "%s", msg);
}

static const char ev_start[] = EV("start", "web") "\n";

/* Lines cut mid-line, mid-key, mid-escape; blank and CRLF lines; junk. */
static const char *const split_chunks[] = {
	"{\"status\":\"start\",\"id\":\"" ID_A "\",\"Type\":\"cont",
	"ainer\",\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID_A "\",\"Attributes\":{\"name\":\"web\"}}}\n"
	EV("exec_start: sh -c true", "web") "\r\n\n" EV("rename", "web2") "\n{\"Type\":\"network\",\"Action\":\"connect\"}\n",
	"this is not json\n",
	EV("update", "web2"),
	"\n",
	EV("die", "web2") "\n" EV("destroy", "web2") "\n" "{\"Type\":\"container\",\"Act",
	NULL,
};

static void test_events_split(void **state)
{
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/events*", .status = 200, .chunks = split_chunks,
		  .end_stream = true },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	struct seen s = { 0 };
	char err[256];

	(void)state;
	docker_client__set_log(c, on_log, &s);
	/* The daemon ends the stream (it restarts): -ECONNRESET, resync. */
	assert_int_equal(docker_client__follow_events(c, 0, on_event, &s, err, sizeof(err)),
			 -ECONNRESET);
	assert_non_null(strstr(err, "ended the stream"));
	assert_int_equal(s.nr, 6);
	assert_int_equal(s.actions[0], DOCKER_EV_START);
	assert_int_equal(s.actions[1], DOCKER_EV_EXEC_START);
	assert_int_equal(s.actions[2], DOCKER_EV_RENAME);
	assert_string_equal(s.names[2], "web2");
	assert_int_equal(s.actions[3], DOCKER_EV_UPDATE);
	assert_int_equal(s.actions[4], DOCKER_EV_DIE);
	assert_int_equal(s.actions[5], DOCKER_EV_DESTROY);
	/* One junk line logged; the unfinished last line is dropped silently. */
	assert_int_equal(s.logs, 1);
	assert_non_null(strstr(s.last_log, "skipped a bad event line (16 bytes)"));
	assert_string_equal(f->paths[1],
			    "/v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D");
	docker_client__free(c);
	fake_stop(f);
}

/* What a real dockerd does when it stops: close mid-stream, no last chunk. */
static void test_events_daemon_dies(void **state)
{
	static const char *const chunks[] = { ev_start, "{\"Type\":\"contai", NULL };
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/events*", .status = 200, .chunks = chunks, .abort_stream = true },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	struct seen s = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(docker_client__follow_events(c, 0, on_event, &s, err, sizeof(err)),
			 -ECONNRESET);
	assert_non_null(strstr(err, "closed the stream"));
	assert_int_equal(s.nr, 1);
	docker_client__free(c);
	fake_stop(f);
}

static void test_events_byte_by_byte(void **state)
{
	static char bytes[sizeof(ev_start) * 3][2];
	static const char *chunks[sizeof(ev_start) * 3 + 1];
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/events*", .status = 200, .chunks = chunks, .end_stream = true },
	};
	struct fake *f;
	struct docker_client *c;
	struct seen s = { 0 };
	char err[256];
	size_t i, n = strlen(ev_start);

	(void)state;
	for (i = 0; i < 3 * n; i++) {
		bytes[i][0] = ev_start[i % n];
		chunks[i] = bytes[i];
	}
	chunks[3 * n] = NULL;
	f = fake_start(routes, NR(routes));
	c = client_for(f);
	assert_int_equal(docker_client__follow_events(c, 1764096000, on_event, &s, err,
						      sizeof(err)), -ECONNRESET);
	assert_int_equal(s.nr, 3);
	assert_string_equal(s.names[2], "web");
	assert_non_null(strstr(f->paths[1], "&since=1764096000"));
	docker_client__free(c);
	fake_stop(f);
}

static void test_events_callback_stops(void **state)
{
	static const char *const chunks[] = { ev_start, ev_start, ev_start, NULL };
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/events*", .status = 200, .chunks = chunks },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	struct seen s = { .stop_after = 2 };
	char err[256];

	(void)state;
	assert_int_equal(docker_client__follow_events(c, 0, on_event, &s, err, sizeof(err)), 0);
	assert_int_equal(s.nr, 2);
	/* Stopping by callback is not sticky: the next follow runs. */
	assert_false(docker_client__stopped(c));
	docker_client__free(c);
	fake_stop(f);
}

struct stopper {
	struct docker_client *c;
	unsigned int after_ms;
	bool flag_only;
};

static void *stopper_main(void *arg)
{
	struct stopper *st = arg;

	usleep(st->after_ms * 1000);
	if (st->flag_only)
		docker_client__stop_flag_set(st->c);
	else
		docker_client__stop(st->c);
	return NULL;
}

static void test_events_stop(void **state)
{
	static const char *const chunks[] = { ev_start, NULL };
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/events*", .status = 200, .chunks = chunks },	/* held open */
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	struct stopper st = { .c = c, .after_ms = 150 };
	struct seen s = { 0 };
	pthread_t th;
	double t0, took;
	char err[256];

	(void)state;
	t0 = now_ms();
	assert_int_equal(pthread_create(&th, NULL, stopper_main, &st), 0);
	assert_int_equal(docker_client__follow_events(c, 0, on_event, &s, err, sizeof(err)), 0);
	took = now_ms() - t0;
	pthread_join(th, NULL);
	assert_int_equal(s.nr, 1);
	/* Woken at once, not at the next 1 s poll timeout. */
	assert_true(took >= 140 && took < 700);

	/* Sticky: later follows and sleeps return at once. */
	t0 = now_ms();
	assert_int_equal(docker_client__follow_events(c, 0, on_event, &s, err, sizeof(err)), 0);
	assert_false(docker_client__sleep(c, 5000));
	assert_true(now_ms() - t0 < 100);
	docker_client__free(c);
	fake_stop(f);
}

static void test_events_stop_flag_only(void **state)
{
	static const char *const no_chunks[] = { NULL };
	static const struct route routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/events*", .status = 200, .chunks = no_chunks },
	};
	struct fake *f = fake_start(routes, NR(routes));
	struct docker_client *c = client_for(f);
	struct stopper st = { .c = c, .after_ms = 50, .flag_only = true };
	struct seen s = { 0 };
	pthread_t th;
	double t0;
	char err[256];

	(void)state;
	t0 = now_ms();
	assert_int_equal(pthread_create(&th, NULL, stopper_main, &st), 0);
	assert_int_equal(docker_client__follow_events(c, 0, on_event, &s, err, sizeof(err)), 0);
	pthread_join(th, NULL);
	/* What a signal handler may do: seen at the next poll timeout. */
	assert_true(now_ms() - t0 < 1600);
	docker_client__free(c);
	fake_stop(f);
}

static void test_events_http_error_and_long_line(void **state)
{
	static char *long_chunks[6];
	static const struct route err_routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/events*", .status = 500, .body = "{\"message\":\"no events\"}" },
	};
	static const struct route long_routes[] = {
		{ .path = "/version", .status = 200, .body = version_141 },
		{ .path = "/v1.41/events*", .status = 200, .chunks = (const char *const *)long_chunks,
		  .end_stream = true },
	};
	size_t big = DOCKER_MAX_EVENT_LINE + 10;
	struct docker_client *c;
	struct seen s = { 0 };
	struct fake *f;
	char err[256];

	(void)state;
	f = fake_start(err_routes, NR(err_routes));
	c = client_for(f);
	assert_int_equal(docker_client__follow_events(c, 0, on_event, &s, err, sizeof(err)), -EIO);
	assert_string_equal(err, "events: HTTP 500: no events");
	docker_client__free(c);
	fake_stop(f);

	/* An over-long line, in one chunk and then across two, is skipped. */
	long_chunks[0] = malloc(big + 2);
	memset(long_chunks[0], 'a', big);
	strcpy(long_chunks[0] + big, "\n");
	long_chunks[1] = strdup(ev_start);
	long_chunks[2] = malloc(big / 2 + 1);
	memset(long_chunks[2], 'b', big / 2);
	long_chunks[2][big / 2] = '\0';
	long_chunks[3] = strdup(long_chunks[2]);
	long_chunks[4] = strdup("\n" EV("die", "web") "\n");
	long_chunks[5] = NULL;
	f = fake_start(long_routes, NR(long_routes));
	c = client_for(f);
	docker_client__set_log(c, on_log, &s);
	assert_int_equal(docker_client__follow_events(c, 0, on_event, &s, err, sizeof(err)),
			 -ECONNRESET);
	assert_int_equal(s.nr, 2);
	assert_int_equal(s.actions[0], DOCKER_EV_START);
	assert_int_equal(s.actions[1], DOCKER_EV_DIE);
	assert_int_equal(s.logs, 2);
	assert_non_null(strstr(s.last_log, "longer than 1048576 bytes"));
	docker_client__free(c);
	fake_stop(f);
	for (int i = 0; long_chunks[i]; i++)
		free(long_chunks[i]);
}

static void test_events_no_daemon(void **state)
{
	struct docker_client *c = docker_client__new("/nonexistent/pg/docker.sock");
	struct seen s = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(docker_client__follow_events(c, 0, on_event, &s, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "events: cannot connect to /nonexistent/pg/docker.sock"));
	docker_client__free(c);
}

static void test_backoff_and_sleep(void **state)
{
	struct docker_backoff b;
	struct docker_client *c = docker_client__new("/nonexistent.sock");
	double t0;

	(void)state;
	docker_client__backoff_init(&b, 100, 1000);
	assert_int_equal(docker_client__backoff_next(&b), 100);
	assert_int_equal(docker_client__backoff_next(&b), 200);
	assert_int_equal(docker_client__backoff_next(&b), 400);
	assert_int_equal(docker_client__backoff_next(&b), 800);
	assert_int_equal(docker_client__backoff_next(&b), 1000);
	assert_int_equal(docker_client__backoff_next(&b), 1000);
	docker_client__backoff_reset(&b);
	assert_int_equal(docker_client__backoff_next(&b), 100);
	/* Degenerate settings stay sane; no overflow near UINT_MAX. */
	docker_client__backoff_init(&b, 0, 0);
	assert_int_equal(docker_client__backoff_next(&b), 1);
	assert_int_equal(docker_client__backoff_next(&b), 1);
	docker_client__backoff_init(&b, 3000000000u, 4000000000u);
	assert_int_equal(docker_client__backoff_next(&b), 3000000000u);
	assert_int_equal(docker_client__backoff_next(&b), 4000000000u);

	t0 = now_ms();
	assert_true(docker_client__sleep(c, 60));
	assert_true(now_ms() - t0 >= 55);
	docker_client__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test(test_negotiate_and_pin),
		cmocka_unit_test(test_negotiate_versions),
		cmocka_unit_test(test_inspect_answers),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_connect_failures),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_restart_answers),
		cmocka_unit_test(test_post_timeout),
		cmocka_unit_test(test_events_split),
		cmocka_unit_test(test_events_daemon_dies),
		cmocka_unit_test(test_events_byte_by_byte),
		cmocka_unit_test(test_events_callback_stops),
		cmocka_unit_test(test_events_stop),
		cmocka_unit_test(test_events_stop_flag_only),
		cmocka_unit_test(test_events_http_error_and_long_line),
		cmocka_unit_test(test_events_no_daemon),
		cmocka_unit_test(test_backoff_and_sleep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
