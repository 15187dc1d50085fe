// SPDX-License-Identifier: GPL-2.0
/*
 * docker_client.c - Docker Engine API over its unix socket, with libcurl.
 *
 * libcurl speaks HTTP/1.1 on a unix socket (CURLOPT_UNIX_SOCKET_PATH) and
 * undoes chunked encoding, so what remains here is policy: pin the API
 * version, cap every answer, map failures to errno with a message, and cut
 * the event stream into lines however its chunks fall.
 *
 * The events stream runs on a multi handle so that docker_client__stop()
 * can wake it at once (curl_multi_wakeup) instead of waiting for data that
 * may never come: Docker sends nothing while nothing happens.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <curl/curl.h>

#include "docker_client.h"
#include "log.h"

struct docker_client {
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char api_version[16];			/* "" until negotiated */
	/* api_version: the events thread renegotiates after a daemon restart
	 * while another thread may be building a URL (a restart's POST). */
	pthread_mutex_t version_lock;
	size_t max_body;
	long timeout_ms;
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
	CURLM *multi;				/* the events stream's */
	atomic_int stopped;
	atomic_int following;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void log_default(void *ctx, const char *msg)
{
	(void)ctx;
	log__warn("docker: %s", msg);
}

static void logf_(struct docker_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(struct docker_client *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->log(c->log_ctx, msg);
}

int docker_client__socket_path(const char *opt, const char *env, char *path, size_t len,
			       char *err, size_t errlen)
{
	const char *host, *from;
	size_t n;

	if (opt && *opt) {
		host = opt;
		from = "--docker-host";
	} else if (env && *env) {
		host = env;
		from = "DOCKER_HOST";
	} else {
		host = DOCKER_DEFAULT_HOST;
		from = "default";
	}
	if (strncmp(host, "unix://", 7)) {
		set_err(err, errlen, "%s \"%s\": only unix:///path sockets are supported", from,
			host);
		return -EINVAL;
	}
	host += 7;
	if (host[0] != '/') {
		set_err(err, errlen, "%s: socket path \"%s\" is not absolute", from, host);
		return -EINVAL;
	}
	n = strlen(host);
	if (n >= sizeof(((struct sockaddr_un *)0)->sun_path) || n >= len) {
		set_err(err, errlen, "%s: socket path is too long (%zu bytes, at most 107)", from,
			n);
		return -ENAMETOOLONG;
	}
	memcpy(path, host, n + 1);
	return 0;
}

struct docker_client *docker_client__new(const char *socket_path)
{
	struct docker_client *c;

	if (strlen(socket_path) >= sizeof(c->socket_path))
		return NULL;
	/* Not thread-safe on old libcurl: hence "before any thread starts". */
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	snprintf(c->socket_path, sizeof(c->socket_path), "%s", socket_path);
	c->max_body = DOCKER_MAX_BODY;
	c->timeout_ms = 10000;
	c->log = log_default;
	c->multi = curl_multi_init();
	if (!c->multi) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->version_lock, NULL);
	return c;
}

void docker_client__free(struct docker_client *c)
{
	if (!c)
		return;
	curl_multi_cleanup(c->multi);
	pthread_mutex_destroy(&c->version_lock);
	free(c);
}

void docker_client__set_max_body(struct docker_client *c, size_t max_bytes)
{
	c->max_body = max_bytes;
}

void docker_client__set_timeout_ms(struct docker_client *c, long ms)
{
	c->timeout_ms = ms;
}

void docker_client__set_log(struct docker_client *c, void (*log)(void *ctx, const char *msg),
			    void *ctx)
{
	c->log = log ? log : log_default;
	c->log_ctx = log ? ctx : NULL;
}

const char *docker_client__api_version(const struct docker_client *c)
{
	return c->api_version;
}

/* "http://localhost/v1.41/path" (the host name only fills the Host header). */
static int make_url(struct docker_client *c, const char *path, bool versioned, char *url,
		    size_t len)
{
	int n;

	pthread_mutex_lock(&c->version_lock);
	if (versioned && c->api_version[0])
		n = snprintf(url, len, "http://localhost/v%s%s", c->api_version, path);
	else
		n = snprintf(url, len, "http://localhost%s", path);
	pthread_mutex_unlock(&c->version_lock);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static CURL *new_easy(const struct docker_client *c, const char *url, char *curl_err)
{
	CURL *h = curl_easy_init();

	if (!h)
		return NULL;
	curl_err[0] = '\0';
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->socket_path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);	/* threads: no SIGALRM */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "pidguard");
	return h;
}

/* errno for a failed transfer (of timeout_ms at most), and a message naming the socket. */
static int transfer_error(const struct docker_client *c, CURL *h, CURLcode rc,
			  const char *curl_err, long timeout_ms, const char *what, char *err,
			  size_t errlen)
{
	long os_errno = 0;

	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
		if (!os_errno)
			os_errno = ECONNREFUSED;
		set_err(err, errlen, "%s: cannot connect to %s: %s", what, c->socket_path,
			strerror((int)os_errno));
		return -(int)os_errno;
	case CURLE_OPERATION_TIMEDOUT:
		set_err(err, errlen, "%s: no answer from %s within %ld ms", what, c->socket_path,
			timeout_ms);
		return -ETIMEDOUT;
	case CURLE_FILESIZE_EXCEEDED:
		set_err(err, errlen, "%s: answer larger than %zu bytes, refused", what,
			c->max_body);
		return -EFBIG;
	default:
		set_err(err, errlen, "%s: %s: %s", what, curl_easy_strerror(rc),
			curl_err[0] ? curl_err : "no detail");
		return -EIO;
	}
}

struct body_buf {
	char *data;
	size_t len, cap, max;
	bool too_big;
};

static size_t body_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct body_buf *b = userdata;
	size_t n = size * nmemb, cap;
	char *p;

	if (n > b->max - b->len) {
		b->too_big = true;
		return 0;			/* aborts the transfer */
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p)
			return 0;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/*
 * One request: GET, or POST with an empty body (all pidguard posts: the
 * parameters are in the query). 0 whatever the HTTP status, else a
 * transfer error; the answer is capped at max_body either way.
 */
static int do_request(struct docker_client *c, const char *method, const char *path,
		      bool versioned, long timeout_ms, struct docker_response *resp, char *err,
		      size_t errlen)
{
	struct body_buf b = { .max = c->max_body };
	char url[2048], curl_err[CURL_ERROR_SIZE];
	struct curl_slist *headers = NULL;
	bool post = !strcmp(method, "POST");
	CURLcode rc;
	CURL *h;
	int ret = 0;

	memset(resp, 0, sizeof(*resp));
	if (make_url(c, path, versioned, url, sizeof(url))) {
		set_err(err, errlen, "%s %.64s...: path too long", method, path);
		return -ENAMETOOLONG;
	}
	h = new_easy(c, url, curl_err);
	/* No form is sent: drop the Content-Type libcurl would add for one. */
	if (h && post)
		headers = curl_slist_append(NULL, "Content-Type:");
	if (!h || (post && !headers)) {
		curl_easy_cleanup(h);
		set_err(err, errlen, "%s %s: out of memory", method, path);
		return -ENOMEM;
	}
	if (post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	/* Refused before reading when Content-Length says too much. */
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_body);
	rc = curl_easy_perform(h);
	if (rc == CURLE_WRITE_ERROR && b.too_big)
		rc = CURLE_FILESIZE_EXCEEDED;
	if (rc != CURLE_OK) {
		char what[256];

		snprintf(what, sizeof(what), "%s %s", method, path);
		ret = transfer_error(c, h, rc, curl_err, timeout_ms, what, err, errlen);
		free(b.data);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->body = b.data;
	resp->len = b.len;
out:
	curl_easy_cleanup(h);
	curl_slist_free_all(headers);
	return ret;
}

int docker_client__get(struct docker_client *c, const char *path, struct docker_response *resp,
		       char *err, size_t errlen)
{
	return do_request(c, "GET", path, true, c->timeout_ms, resp, err, errlen);
}

int docker_client__post(struct docker_client *c, const char *path, long timeout_ms,
			struct docker_response *resp, char *err, size_t errlen)
{
	return do_request(c, "POST", path, true, timeout_ms, resp, err, errlen);
}

void docker_client__response_free(struct docker_response *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

/* Non-200: an errno and the daemon's own words. */
static int status_error(long status, const char *what, const char *body, size_t len, char *err,
			size_t errlen)
{
	char msg[256];

	docker_json__error_message(body, len, msg, sizeof(msg));
	set_err(err, errlen, "%s: HTTP %ld%s%s", what, status, msg[0] ? ": " : "", msg);
	if (status == 404)
		return -ENOENT;
	if (status >= 500 && status <= 599)
		return -EIO;
	return -EPROTO;
}

/* The request, when it was answered with status ok; else an error. */
static int request_ok(struct docker_client *c, const char *method, const char *path,
		      bool versioned, long timeout_ms, long ok, struct docker_response *resp,
		      char *err, size_t errlen)
{
	int ret = do_request(c, method, path, versioned, timeout_ms, resp, err, errlen);

	if (ret)
		return ret;
	if (resp->status != ok) {
		char what[256];

		snprintf(what, sizeof(what), "%s %s", method, path);
		ret = status_error(resp->status, what, resp->body, resp->len, err, errlen);
		docker_client__response_free(resp);
	}
	return ret;
}

/* GET path and hand a 200 body to parse, else an error. */
static int get_ok(struct docker_client *c, const char *path, bool versioned,
		  struct docker_response *resp, char *err, size_t errlen)
{
	return request_ok(c, "GET", path, versioned, c->timeout_ms, 200, resp, err, errlen);
}

int docker_client__negotiate(struct docker_client *c, struct docker_version *out, char *err,
			     size_t errlen)
{
	struct docker_response resp;
	int ret;

	/* /version is the one path valid without a version prefix. */
	ret = get_ok(c, "/version", false, &resp, err, errlen);
	if (ret)
		return ret;
	ret = docker_json__parse_version(resp.body, resp.len, out, err, errlen);
	docker_client__response_free(&resp);
	if (ret)
		return ret;
	if (out->api_major < DOCKER_MIN_API_MAJOR ||
	    (out->api_major == DOCKER_MIN_API_MAJOR && out->api_minor < DOCKER_MIN_API_MINOR)) {
		set_err(err, errlen, "Docker %s speaks API %s; pidguard needs %d.%d or newer",
			out->version[0] ? out->version : "(unknown version)", out->api_version,
			DOCKER_MIN_API_MAJOR, DOCKER_MIN_API_MINOR);
		return -ENOTSUP;
	}
	pthread_mutex_lock(&c->version_lock);
	snprintf(c->api_version, sizeof(c->api_version), "%s", out->api_version);
	pthread_mutex_unlock(&c->version_lock);
	return 0;
}

int docker_client__info(struct docker_client *c, struct docker_info *out, char *err,
			size_t errlen)
{
	struct docker_response resp;
	int ret;

	ret = get_ok(c, "/info", true, &resp, err, errlen);
	if (ret)
		return ret;
	ret = docker_json__parse_info(resp.body, resp.len, out, err, errlen);
	docker_client__response_free(&resp);
	return ret;
}

int docker_client__list_running(struct docker_client *c, char (**ids)[DOCKER_ID_LEN + 1],
				size_t *nr, char *err, size_t errlen)
{
	struct docker_response resp;
	int ret;

	*ids = NULL;
	*nr = 0;
	/* Without all=1 the daemon lists running containers only. */
	ret = get_ok(c, "/containers/json", true, &resp, err, errlen);
	if (ret)
		return ret;
	ret = docker_json__parse_list(resp.body, resp.len, ids, nr, err, errlen);
	docker_client__response_free(&resp);
	return ret;
}

int docker_client__inspect(struct docker_client *c, const char *id, struct docker_container *out,
			   char *err, size_t errlen)
{
	struct docker_response resp;
	char path[128];
	int ret;

	memset(out, 0, sizeof(*out));
	/* Ids only: a name could hold characters that mean something in a URL. */
	if (!docker_json__valid_id(id)) {
		set_err(err, errlen, "inspect: \"%.80s\" is not a container id", id);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/containers/%s/json", id);
	ret = get_ok(c, path, true, &resp, err, errlen);
	if (ret)
		return ret;
	ret = docker_json__parse_inspect(resp.body, resp.len, out, err, errlen);
	docker_client__response_free(&resp);
	if (!ret && strcmp(out->id, id)) {
		set_err(err, errlen, "inspect %.12s: the daemon answered for %.12s", id, out->id);
		ret = -EPROTO;
	}
	return ret;
}

int docker_client__restart(struct docker_client *c, const char *id, unsigned int stop_s,
			   char *err, size_t errlen)
{
	struct docker_response resp;
	char path[128];
	int ret;

	/* Ids only, as for inspect: nothing a URL would read otherwise. */
	if (!docker_json__valid_id(id)) {
		set_err(err, errlen, "restart: \"%.80s\" is not a container id", id);
		return -EINVAL;
	}
	if (stop_s > DOCKER_RESTART_MAX_STOP_S) {
		set_err(err, errlen, "restart: a stop timeout of %u s is over %u s", stop_s,
			DOCKER_RESTART_MAX_STOP_S);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/containers/%s/restart?t=%u", id, stop_s);
	/* 204 No Content: stopped (within t, else killed) and started again. */
	ret = request_ok(c, "POST", path, true, stop_s * 1000L + DOCKER_RESTART_SLACK_MS, 204,
			 &resp, err, errlen);
	if (!ret)
		docker_client__response_free(&resp);
	return ret;
}

/* ---- Events stream ---- */

struct events_state {
	struct docker_client *c;
	CURL *h;
	docker_client__event_fn fn;
	void *ctx;
	char *line;			/* bytes since the last newline */
	size_t len, cap;
	bool discarding;		/* inside an over-long line */
	bool fn_stopped;		/* fn returned non-zero */
	long status;			/* HTTP status, once known */
	struct body_buf error_body;	/* body of a non-200 answer */
};

static void events_line(struct events_state *st, char *line, size_t len)
{
	struct docker_event ev;
	char err[256];
	int ret;

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (!len)
		return;
	ret = docker_json__parse_event(line, len, &ev, err, sizeof(err));
	if (ret < 0) {
		logf_(st->c, "skipped a bad event line (%zu bytes): %s", len, err);
		return;
	}
	if (ret > 0)		/* not a container event */
		return;
	if (st->fn(&ev, st->ctx))
		st->fn_stopped = true;
}

static size_t events_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct events_state *st = userdata;
	size_t n = size * nmemb, i, start = 0, cap;
	char *p;

	if (!st->status)
		curl_easy_getinfo(st->h, CURLINFO_RESPONSE_CODE, &st->status);
	if (st->status != 200)
		return body_write(ptr, size, nmemb, &st->error_body);

	for (i = 0; i < n && !st->fn_stopped; i++) {
		if (ptr[i] != '\n')
			continue;
		if (st->discarding) {
			st->discarding = false;
		} else if (st->len) {
			/* The rest of a line begun in an earlier chunk. */
			if (st->len + (i - start) > DOCKER_MAX_EVENT_LINE) {
				logf_(st->c, "skipped an event line longer than %u bytes",
				      DOCKER_MAX_EVENT_LINE);
			} else {
				if (st->len + (i - start) > st->cap) {
					p = realloc(st->line, st->len + (i - start));
					if (!p)
						return 0;
					st->line = p;
					st->cap = st->len + (i - start);
				}
				memcpy(st->line + st->len, ptr + start, i - start);
				events_line(st, st->line, st->len + (i - start));
			}
		} else {
			events_line(st, ptr + start, i - start);
		}
		st->len = 0;
		start = i + 1;
	}
	if (st->fn_stopped)
		return 0;		/* aborts the transfer: the caller is done */

	/* Keep the unfinished tail for the next chunk. */
	if (start < n && !st->discarding) {
		if (st->len + (n - start) > DOCKER_MAX_EVENT_LINE) {
			logf_(st->c, "skipped an event line longer than %u bytes",
			      DOCKER_MAX_EVENT_LINE);
			st->discarding = true;
			st->len = 0;
			return n;
		}
		if (st->len + (n - start) > st->cap) {
			cap = st->cap ? st->cap : 4096;
			while (cap < st->len + (n - start))
				cap *= 2;
			p = realloc(st->line, cap);
			if (!p)
				return 0;
			st->line = p;
			st->cap = cap;
		}
		memcpy(st->line + st->len, ptr + start, n - start);
		st->len += n - start;
	}
	return n;
}

int docker_client__follow_events(struct docker_client *c, int64_t since,
				 docker_client__event_fn fn, void *ctx, char *err, size_t errlen)
{
	struct events_state st = { .c = c, .fn = fn, .ctx = ctx };
	char url[512], curl_err[CURL_ERROR_SIZE], *filters;
	CURLcode rc = CURLE_OK;
	bool done = false;
	int ret = 0, running = 1, expected = 0;
	CURLMsg *msg;
	int left;

	if (!atomic_compare_exchange_strong(&c->following, &expected, 1)) {
		set_err(err, errlen, "events: already followed by another thread");
		return -EBUSY;
	}
	if (atomic_load(&c->stopped))
		goto out_unlock;

	st.error_body.max = 64 * 1024;
	filters = curl_easy_escape(NULL, "{\"type\":[\"container\"]}", 0);
	if (!filters) {
		ret = -ENOMEM;
		set_err(err, errlen, "events: out of memory");
		goto out_unlock;
	}
	if (since > 0)
		snprintf(url, sizeof(url), "/events?filters=%s&since=%lld", filters,
			 (long long)since);
	else
		snprintf(url, sizeof(url), "/events?filters=%s", filters);
	curl_free(filters);
	{
		char full[600];

		make_url(c, url, true, full, sizeof(full));
		st.h = new_easy(c, full, curl_err);
	}
	if (!st.h) {
		ret = -ENOMEM;
		set_err(err, errlen, "events: out of memory");
		goto out_unlock;
	}
	curl_easy_setopt(st.h, CURLOPT_WRITEFUNCTION, events_write);
	curl_easy_setopt(st.h, CURLOPT_WRITEDATA, &st);
	curl_multi_add_handle(c->multi, st.h);

	while (!done) {
		if (curl_multi_perform(c->multi, &running) != CURLM_OK) {
			rc = CURLE_FAILED_INIT;
			break;
		}
		while ((msg = curl_multi_info_read(c->multi, &left))) {
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == st.h) {
				rc = msg->data.result;
				done = true;
			}
		}
		if (done || !running)
			break;
		if (atomic_load(&c->stopped))
			break;
		/* 1 s bound: a stop flag set from a signal handler is seen. */
		curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
	}

	if (st.fn_stopped || (atomic_load(&c->stopped) && !done)) {
		ret = 0;
	} else if (rc == CURLE_WRITE_ERROR && st.error_body.too_big) {
		ret = -EIO;
		set_err(err, errlen, "events: HTTP %ld with an oversized body", st.status);
	} else if (rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING) {
		/* A dockerd that shuts down just closes the socket mid-stream. */
		ret = -ECONNRESET;
		set_err(err, errlen, "events: the daemon at %s closed the stream (%s)",
			c->socket_path, curl_easy_strerror(rc));
	} else if (rc != CURLE_OK) {
		ret = transfer_error(c, st.h, rc, curl_err, 0, "events", err, errlen);
	} else if (st.status != 200) {
		ret = status_error(st.status, "events", st.error_body.data, st.error_body.len, err,
				   errlen);
		if (ret == -ENOENT)
			ret = -EIO;	/* not a vanished container here */
	} else {
		ret = -ECONNRESET;
		set_err(err, errlen, "events: the daemon at %s ended the stream", c->socket_path);
	}
	curl_multi_remove_handle(c->multi, st.h);
	curl_easy_cleanup(st.h);
	free(st.line);
	free(st.error_body.data);
out_unlock:
	atomic_store(&c->following, 0);
	return ret;
}

void docker_client__stop_flag_set(struct docker_client *c)
{
	atomic_store(&c->stopped, 1);
}

void docker_client__stop(struct docker_client *c)
{
	atomic_store(&c->stopped, 1);
	curl_multi_wakeup(c->multi);
}

bool docker_client__stopped(const struct docker_client *c)
{
	return atomic_load(&c->stopped);
}

bool docker_client__sleep(struct docker_client *c, unsigned int ms)
{
	struct timespec now, end;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	while (!atomic_load(&c->stopped)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000L + (end.tv_nsec - now.tv_nsec) / 1000000L;
		if (left <= 0)
			return true;
		/* Woken early by curl_multi_wakeup() from docker_client__stop(). */
		curl_multi_poll(c->multi, NULL, 0, left > 1000 ? 1000 : (int)left, NULL);
	}
	return false;
}

void docker_client__backoff_init(struct docker_backoff *b, unsigned int min_ms,
				 unsigned int max_ms)
{
	b->min_ms = min_ms ? min_ms : 1;
	b->max_ms = max_ms < b->min_ms ? b->min_ms : max_ms;
	b->next_ms = b->min_ms;
}

unsigned int docker_client__backoff_next(struct docker_backoff *b)
{
	unsigned int now = b->next_ms;

	b->next_ms = now > b->max_ms / 2 ? b->max_ms : now * 2;
	return now;
}

void docker_client__backoff_reset(struct docker_backoff *b)
{
	b->next_ms = b->min_ms;
}
