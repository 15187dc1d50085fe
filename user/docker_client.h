/* SPDX-License-Identifier: GPL-2.0 */
/*
 * docker_client.h - Docker Engine API over its unix socket (libcurl).
 *
 * Life cycle, from the loader's main thread:
 *   docker_client__socket_path()   --docker-host, else DOCKER_HOST, else default
 *   docker_client__new()           before any thread starts (curl_global_init)
 *   docker_client__negotiate()     GET /version, pins /v<ApiVersion>/ (>= 1.41)
 *   docker_client__info/list_running/inspect()
 * and from any thread (the event loop's runaway ladder):
 *   docker_client__restart()
 * and in the events thread:
 *   docker_client__follow_events() until docker_client__stop() (any thread)
 *   docker_client__sleep()         backoff between reconnects, cut by stop
 *
 * Each request uses its own curl handle, so GETs from one thread and the
 * events stream in another may share a client. Errors are negative errno
 * values with a one-line message in err; nothing here exits or aborts.
 */
#ifndef PG_DOCKER_CLIENT_H
#define PG_DOCKER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "docker_json.h"

#define DOCKER_DEFAULT_HOST	"unix:///var/run/docker.sock"
#define DOCKER_MAX_BODY		(8u << 20)	/* default cap of one answer */
#define DOCKER_MAX_EVENT_LINE	(1u << 20)	/* longer event lines are skipped */
#define DOCKER_MIN_API_MAJOR	1
#define DOCKER_MIN_API_MINOR	41
/*
 * A restart's HTTP request may take its stop timeout t (SIGTERM, then
 * SIGKILL after t seconds) plus this: the daemon's teardown of the old
 * task and the start of the new one, a second or two on a sane host.
 */
#define DOCKER_RESTART_SLACK_MS	9000L
#define DOCKER_RESTART_MAX_STOP_S 60u

struct docker_client;

/*
 * The socket path from --docker-host (opt), else $DOCKER_HOST (env), else
 * DOCKER_DEFAULT_HOST; NULL or "" means not given. Only "unix:///abs/path"
 * is accepted (tcp://, ssh:// are refused by name). Returns 0, -EINVAL or
 * -ENAMETOOLONG (sun_path holds 107 bytes).
 */
int docker_client__socket_path(const char *opt, const char *env, char *path, size_t len,
			       char *err, size_t errlen);

/* NULL when out of memory. The socket is not touched until a request. */
struct docker_client *docker_client__new(const char *socket_path);
void docker_client__free(struct docker_client *c);

void docker_client__set_max_body(struct docker_client *c, size_t max_bytes);
void docker_client__set_timeout_ms(struct docker_client *c, long ms);	/* GETs; default 10 s */
/* Where the events reader reports skipped lines; default: log__warn(). */
void docker_client__set_log(struct docker_client *c, void (*log)(void *ctx, const char *msg),
			    void *ctx);

struct docker_response {
	long status;		/* HTTP status */
	char *body;		/* NUL-terminated, malloc'd; NULL when empty */
	size_t len;
};

/*
 * GET path ("/containers/json"), prefixed with "/v<api>" once negotiated.
 * Returns 0 whatever the HTTP status (in resp->status); negative errno
 * for transport failures: -ENOENT/-ECONNREFUSED/-EACCES (connect), -EFBIG
 * (answer over the cap), -ETIMEDOUT, -EIO.
 */
int docker_client__get(struct docker_client *c, const char *path, struct docker_response *resp,
		       char *err, size_t errlen);
void docker_client__response_free(struct docker_response *resp);

/*
 * POST path with an empty body, prefixed as for GET, within timeout_ms
 * (not the GETs' timeout: a POST may ask for slow work). Returns as GET.
 */
int docker_client__post(struct docker_client *c, const char *path, long timeout_ms,
			struct docker_response *resp, char *err, size_t errlen);

/* GET /version; pins its ApiVersion. -ENOTSUP below 1.41. */
int docker_client__negotiate(struct docker_client *c, struct docker_version *out, char *err,
			     size_t errlen);
/* "" before; read it from the thread that negotiates. */
const char *docker_client__api_version(const struct docker_client *c);

/*
 * Typed requests: any HTTP status but 200 is an error carrying the
 * daemon's message; -ENOENT for 404 (a container that vanished between
 * list and inspect), -EIO for 5xx, -EPROTO for an unexpected status or a
 * body docker_json refuses.
 */
int docker_client__info(struct docker_client *c, struct docker_info *out, char *err,
			size_t errlen);
/* Running containers' ids: malloc'd array, caller frees. */
int docker_client__list_running(struct docker_client *c, char (**ids)[DOCKER_ID_LEN + 1],
				size_t *nr, char *err, size_t errlen);
int docker_client__inspect(struct docker_client *c, const char *id, struct docker_container *out,
			   char *err, size_t errlen);
/*
 * POST /containers/{id}/restart?t=stop_s: the daemon sends the stop signal,
 * SIGKILL after stop_s seconds, and starts the container again. 0 on 204;
 * -ENOENT (404), -EIO (5xx), -EPROTO (any other status) with the daemon's
 * message; -EINVAL before any request for an id that is not 64 lowercase
 * hex digits, or stop_s over DOCKER_RESTART_MAX_STOP_S. Blocks until the
 * daemon answers: stop_s s + DOCKER_RESTART_SLACK_MS at most (-ETIMEDOUT;
 * the daemon may still finish the restart).
 */
int docker_client__restart(struct docker_client *c, const char *id, unsigned int stop_s,
			   char *err, size_t errlen);

/* Return non-zero to stop following (follow_events then returns 0). */
typedef int (*docker_client__event_fn)(const struct docker_event *ev, void *ctx);

/*
 * Follow GET /events?filters={"type":["container"]} (since: unix seconds,
 * 0 = from now), calling fn for each container event in order. Lines may
 * arrive split across chunks in any way; a bad line is logged and skipped.
 * Blocks until: docker_client__stop() or fn asked to stop (returns 0), the
 * daemon ended the stream (-ECONNRESET: it restarted or went away; resync
 * and reconnect), or an error (connect errors as for get, -EIO for an HTTP
 * error). One follower per client at a time (-EBUSY otherwise).
 */
int docker_client__follow_events(struct docker_client *c, int64_t since,
				 docker_client__event_fn fn, void *ctx, char *err, size_t errlen);

/*
 * Make follow_events return 0 within a few ms, and every later call of
 * follow_events and sleep return at once. Any thread. Not async-signal-
 * safe: from a signal handler use docker_client__stop_flag_set(), which
 * is, and is noticed within a second.
 */
void docker_client__stop(struct docker_client *c);
void docker_client__stop_flag_set(struct docker_client *c);
bool docker_client__stopped(const struct docker_client *c);

/* Sleep ms, cut short by docker_client__stop(). false if stopped. Call
 * it from the thread that follows events. */
bool docker_client__sleep(struct docker_client *c, unsigned int ms);

/* Exponential backoff for reconnects: min, 2*min, ... up to max. */
struct docker_backoff {
	unsigned int min_ms, max_ms, next_ms;
};

void docker_client__backoff_init(struct docker_backoff *b, unsigned int min_ms,
				 unsigned int max_ms);
unsigned int docker_client__backoff_next(struct docker_backoff *b);	/* delay to wait now */
void docker_client__backoff_reset(struct docker_backoff *b);		/* after a success */

#endif
