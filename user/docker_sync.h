/* SPDX-License-Identifier: GPL-2.0 */
/*
 * docker_sync.h - keep the limits of Docker containers in step with the
 * daemon, for `pidguard run`.
 *
 * At start: list the running containers and inspect each. Then a thread
 * follows GET /events (container start, die, destroy, update, rename): every
 * such event re-inspects its container, so the latest state always wins and
 * a replayed or out-of-order event is harmless. When the stream breaks or
 * the daemon restarts, the thread reconnects with backoff and resynchronises
 * from a fresh listing (events since the listing are replayed), so no
 * container is missed. Without Docker it says so once and retries quietly.
 *
 * For each running container: its limit (limit_policy: --limit NAME, label,
 * --compose, HostConfig.PidsLimit, --default-limit), its cgroup
 * (docker_cgroup), the limit installed with limit_store__set (a limit of
 * "none" is never installed; one that goes away becomes "track only"), and
 * the compensation report, logged at start and whenever it changes. With
 * --apply-pids-max the declared limit is also written to a pids.max that is
 * missing it, and read back. A destroyed container's map entries are dropped.
 * The table is published for `status` and `limit` through names.h.
 *
 * Threads: docker_sync__start and __tick and __stop from the main thread;
 * docker_sync__container_of from any thread (the event reporter);
 * docker_sync__restart from one thread (the runaway ladder's, main).
 */
#ifndef PG_DOCKER_SYNC_H
#define PG_DOCKER_SYNC_H

#include <stdbool.h>
#include <linux/types.h>
#include "cli.h"
#include "docker_json.h"
#include "loader.h"
#include "mountinfo.h"
#include "names.h"

struct docker_sync;

/*
 * Load the --compose files and check the socket address: before the
 * kernel is touched, so that a typo costs nothing. Returns 0 with *out set,
 * PG_EXIT_USAGE (message logged) for a bad file or address, or
 * PG_EXIT_FAIL when out of memory.
 */
int docker_sync__new(const struct pg_cmdline *cl, const struct pg_mounts *mounts,
		     struct docker_sync **out);

/* Publish the names somewhere else than names__path() (tests). */
void docker_sync__set_names_path(struct docker_sync *s, const char *path);

/*
 * Cgroups that --limit named by path: their limits stay as given, whatever
 * Docker says (first match wins: --limit). Call before docker_sync__start.
 */
void docker_sync__keep_cgroup(struct docker_sync *s, __u64 cg_id);

/*
 * Synchronise once (when the daemon answers), then start the events
 * thread. An unreachable daemon is not an error: it is logged once and
 * retried in the background. 0 or PG_EXIT_FAIL (the thread did not start).
 */
int docker_sync__start(struct docker_sync *s, const struct pg_loader *ld);

/* Once a second from the run loop: re-check pids.max and docker exec
 * counts against each declared limit, publish the table when it changed. */
void docker_sync__tick(struct docker_sync *s);

/* Stop the thread promptly, join it, free everything. NULL is fine. */
void docker_sync__free(struct docker_sync *s);

/* event_report's container lookup (ctx is the docker_sync). */
bool docker_sync__container_of(void *ctx, __u64 cg_id, struct pg_container_ref *out);

/*
 * The stop timeout t of a runaway's restart, in seconds: its processes get
 * SIGTERM and then SIGKILL after t. Not Docker's default 10 s: a container
 * caught running away would spend them forking; 1 s still lets an init
 * that handles SIGTERM exit cleanly.
 */
#define DOCKER_SYNC_RESTART_STOP_S	1u

/*
 * The runaway ladder's restart action (ctx is the docker_sync): restart
 * the container that owns cgroup cg_id through the daemon (POST
 * /containers/ID/restart?t=DOCKER_SYNC_RESTART_STOP_S). Synchronous: it
 * blocks its caller until the daemon answers, DOCKER_SYNC_RESTART_STOP_S s
 * + DOCKER_RESTART_SLACK_MS (10 s) at most, a second or two in practice.
 *
 * The restarted container gets a new cgroup, and with it a ladder with no
 * cool-down: so a container is restarted at most once per
 * PG_RUNAWAY_DEFAULT_COOLDOWN_S here (-EALREADY, "held: ..." in err).
 * -ENODEV for a cgroup that is no container Docker runs, -ENOTSUP when ctx
 * is NULL (no Docker), else docker_client__restart's errors. err says why.
 */
int docker_sync__restart(void *ctx, __u64 cg_id, char *err, size_t errlen);

/* ---- pure parts, exposed for unit tests ---- */

/* Does an event of this action ask for a re-inspection of its container? */
bool docker_sync__wants_refresh(enum docker_event_action action);

/*
 * The log line of a container's report: "container web (84fa972a7034,
 * compose shop/web) /docker/84fa...: limit 25 from label
 * (pidguard.pids-limit=25); pidguard_only: <sentence>".
 */
void docker_sync__report_line(const struct pg_container_ref *ref, const char *cg_rel,
			      const char *detail, char *buf, size_t len);

#endif
