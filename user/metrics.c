// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - the Prometheus endpoint of `run`: libmicrohttpd with its
 * internal polling thread, on a socket bound before the kernel is touched.
 *
 * One thread serves every connection with non-blocking I/O, so a slow or
 * stalled client holds a connection slot, never the server, and never the
 * main thread: enforcement is in the kernel and events are read by the
 * main thread, neither waits for this one. What a client can make us hold
 * is bounded: CONN_MAX connections (PER_IP_MAX from one address), a
 * request head of at most CONN_MEMORY bytes, and CONN_TIMEOUT_S seconds
 * of idleness before a connection is closed. A scrape is a walk of the
 * limits map and costs about what `pidguard status` costs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <microhttpd.h>

#include "cli.h"
#include "log.h"
#include "metrics.h"
#include "metrics_text.h"
#include "runaway_ctl.h"
#include "mountinfo.h"
#include "usage_rows.h"

#ifndef PG_VERSION
#define PG_VERSION "0.1.0"	/* as main.c: the Makefile may pass the real one */
#endif

/* Prometheus scrapes with one connection; a few more for curl and humans. */
#define CONN_MAX	16
#define PER_IP_MAX	8
/* The request line and headers must fit: a scrape's are a few hundred bytes. */
#define CONN_MEMORY	(16 * 1024)
#define CONN_TIMEOUT_S	10
#define LISTEN_BACKLOG	16

struct pg_metrics {
	int listen_fd;
	char where[INET6_ADDRSTRLEN + 16];	/* "127.0.0.1:9464", "[::1]:9464" */
	struct MHD_Daemon *daemon;
	const struct pg_loader *ld;
	char cg2[PG_PATH_MAX];
	bool (*container_of)(void *ctx, __u64 cg_id, struct pg_container_ref *out);
	void *container_ctx;
	__u64 scrape_errors;			/* only the server thread writes it */
};

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>pidguard</title></head>\n"
	"<body><h1>pidguard</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";
static const char not_found[] = "not found: the metrics are at /metrics\n";
static const char bad_method[] = "method not allowed: GET or HEAD only\n";

static bool is_loopback(int family, const void *a)
{
	if (family == AF_INET)
		return ((const unsigned char *)a)[0] == 127;
	if (IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)a))
		return true;
	/* ::ffff:127.x.y.z is loopback too. */
	return IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a) &&
	       ((const unsigned char *)a)[12] == 127;
}

int metrics__bind(const char *addr, __u16 port, struct pg_metrics **out)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct pg_metrics *m;
	struct sockaddr *sa;
	socklen_t salen;
	int family, one = 1;

	m = calloc(1, sizeof(*m));
	if (!m) {
		log__error("out of memory");
		return PG_EXIT_FAIL;
	}
	m->listen_fd = -1;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		family = AF_INET;
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
		snprintf(m->where, sizeof(m->where), "%s:%u", addr, port);
	} else if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
		family = AF_INET6;
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
		snprintf(m->where, sizeof(m->where), "[%s]:%u", addr, port);
	} else {
		log__error("--metrics: '%s' is not a numeric IPv4 or IPv6 address", addr);
		free(m);
		return PG_EXIT_FAIL;
	}

	m->listen_fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->listen_fd < 0)
		goto fail;
	/* A restart must not wait for the last run's TIME_WAIT connections;
	 * a live listener on the port still makes bind fail. */
	setsockopt(m->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::] means IPv6 only: 0.0.0.0 is a separate, explicit choice. */
	if (family == AF_INET6)
		setsockopt(m->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(m->listen_fd, sa, salen) || listen(m->listen_fd, LISTEN_BACKLOG))
		goto fail;

	if (!is_loopback(family,
			 family == AF_INET ? (void *)&sin.sin_addr : (void *)&sin6.sin6_addr))
		log__warn("metrics on %s, beyond loopback: the endpoint has no authentication; "
			  "anyone who reaches it sees cgroup paths and container names",
			  m->where);
	*out = m;
	return 0;
fail:
	log__error("--metrics: cannot listen on %s: %s", m->where, strerror(errno));
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	free(m);
	return PG_EXIT_FAIL;
}

/* ---- one scrape ---- */

static int cmp_path(const void *pa, const void *pb)
{
	const struct pg_metrics_cgroup *a = pa, *b = pb;

	return strcmp(a->path, b->path);
}

/*
 * The exposition text of the maps now, malloc'd into *text. 0, or a
 * negative errno (the maps could not be read, or out of memory).
 */
static int scrape(struct pg_metrics *m, char **text, size_t *len)
{
	struct pg_metrics_snapshot snap = { .version = PG_VERSION };
	struct pg_metrics_cgroup *cgs = NULL;
	struct pg_container_ref *refs = NULL;
	struct pg_status_row *rows = NULL;
	struct pg_config cfg;
	__u32 zero = 0;
	FILE *f = NULL;
	int n, ret;

	*text = NULL;
	if (loader__settings_get(m->ld, &cfg) ||
	    bpf_map_lookup_elem(m->ld->stats_fd, &zero, &snap.stats))
		return -errno;
	snap.mode = cfg.mode;
	snap.scrape_errors = m->scrape_errors;

	n = usage_rows__collect(m->ld, m->cg2, &rows);
	if (n < 0)
		return n;
	cgs = calloc(n ? n : 1, sizeof(*cgs));
	refs = calloc(n ? n : 1, sizeof(*refs));
	ret = -ENOMEM;
	if (!cgs || !refs)
		goto out;
	for (int i = 0; i < n; i++) {
		struct pg_metrics_cgroup *c = &cgs[snap.nr_cgroups];
		struct pg_container_ref *ref = &refs[snap.nr_cgroups];

		/*
		 * A removed cgroup keeps its entry until the next collection,
		 * and a new cgroup of the same name may exist by then: two
		 * series with one label set would fail the whole scrape.
		 */
		if (rows[i].path[0] != '/')
			continue;
		c->path = rows[i].path;
		c->limit = rows[i].limit;
		c->usage = rows[i].usage;
		if (m->container_of && m->container_of(m->container_ctx, rows[i].cg_id, ref)) {
			c->container = ref->name;
			c->compose_project = ref->project;
			c->compose_service = ref->service;
		}
		snap.nr_cgroups++;
	}
	qsort(cgs, snap.nr_cgroups, sizeof(*cgs), cmp_path);
	snap.cgroups = cgs;
	runaway_ctl__counts(&snap.runaway);

	f = open_memstream(text, len);
	if (!f)
		goto out;
	ret = metrics_text__render(f, &snap);
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(*text);
		*text = NULL;
	}
out:
	free(cgs);
	free(refs);
	free(rows);
	return ret;
}

/* ---- HTTP ---- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;	/* MHD closes the connection */
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result static_reply(struct MHD_Connection *conn, unsigned int status,
				    const char *type, const char *body)
{
	return reply(conn, status, type, (void *)body, strlen(body), MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct pg_metrics *m = cls;
	char *text, err[128];
	size_t len;
	int ret;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	/* Answered on the first call, before any body: we never read one. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return static_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method);
	if (!strcmp(url, "/"))
		return static_reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8", index_page);
	if (strcmp(url, "/metrics"))
		return static_reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found);

	ret = scrape(m, &text, &len);
	if (ret) {
		/* Counted, and seen by the next scrape that works. */
		m->scrape_errors++;
		snprintf(err, sizeof(err), "scrape failed: %s\n", strerror(-ret));
		text = strdup(err);
		if (!text)
			return MHD_NO;
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", text, strlen(text),
			     MHD_RESPMEM_MUST_FREE);
	}
	return reply(conn, MHD_HTTP_OK, PG_METRICS_CONTENT_TYPE, text, len, MHD_RESPMEM_MUST_FREE);
}

int metrics__start(struct pg_metrics *m, const struct pg_loader *ld, const char *cg2,
		   bool (*container_of)(void *ctx, __u64 cg_id, struct pg_container_ref *out),
		   void *container_ctx)
{
	sigset_t block, old;

	m->ld = ld;
	snprintf(m->cg2, sizeof(m->cg2), "%s", cg2);
	m->container_of = container_of;
	m->container_ctx = container_ctx;

	/* The server thread inherits this mask: SIGINT and SIGTERM stay the
	 * main thread's, whose poll they interrupt. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	m->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL,
				     on_request, m,
				     MHD_OPTION_LISTEN_SOCKET, m->listen_fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_MAX,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PER_IP_MAX,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
				     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* The daemon owns the socket now, and closes it when stopped (or when it
	 * fails to start): closing it again could close some later fd. */
	m->listen_fd = -1;
	if (!m->daemon) {
		log__error("--metrics: cannot start the HTTP server on %s", m->where);
		return PG_EXIT_FAIL;
	}
	log__info("metrics at http://%s/metrics", m->where);
	return 0;
}

void metrics__free(struct pg_metrics *m)
{
	if (!m)
		return;
	/* Joins the server thread: no scrape reads the maps after this. */
	if (m->daemon)
		MHD_stop_daemon(m->daemon);
	/* Only when the server never started: it closes it otherwise. */
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	free(m);
}
