/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics.h - `run --metrics [ADDR:]PORT`: a Prometheus endpoint, served by
 * libmicrohttpd from its own thread.
 *
 * Two steps, so that a port already in use costs nothing: metrics__bind
 * takes the address before the kernel is touched, metrics__start serves it
 * once the maps are open. Between the two, clients wait in the backlog.
 *
 * GET /metrics is the text exposition format (metrics_text.h), GET / a page
 * that links it; any other path is 404, any other method 405. The endpoint
 * has no authentication: it binds loopback unless told otherwise, and warns
 * when told otherwise.
 *
 * Threads: metrics__bind, __start and __free from the main thread. Scrapes
 * run on the server's thread and only read: BPF map lookups, cgroup paths,
 * and the container_of callback (which must be thread-safe, as
 * docker_sync__container_of is). Enforcement never waits for a client.
 */
#ifndef PG_METRICS_H
#define PG_METRICS_H

#include <stdbool.h>
#include <linux/types.h>
#include "loader.h"
#include "names.h"

struct pg_metrics;

/*
 * Bind and listen on addr (numeric IPv4 or IPv6, no brackets) and port.
 * Returns 0 with *out set, or PG_EXIT_FAIL with the error logged, naming
 * the address ("cannot listen on 127.0.0.1:9464: Address in use").
 */
int metrics__bind(const char *addr, __u16 port, struct pg_metrics **out);

/*
 * Serve scrapes of ld's maps (cg2: the cgroup v2 mount). container_of
 * (NULL: none) names the container of a cgroup id, from any thread.
 * 0, or PG_EXIT_FAIL with the error logged.
 */
int metrics__start(struct pg_metrics *m, const struct pg_loader *ld, const char *cg2,
		   bool (*container_of)(void *ctx, __u64 cg_id, struct pg_container_ref *out),
		   void *container_ctx);

/* Stop the server (waits for a scrape in progress), close the socket. NULL is fine. */
void metrics__free(struct pg_metrics *m);

#endif
