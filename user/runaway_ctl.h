/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runaway_ctl.h - run's escalation ladder and userspace enforcement: fed
 * each decoded event (event_report's on_event hook), it keeps the policy
 * state per cgroup (runaway.h), takes the actions (runaway_actions.h) and
 * reports each step as a "runaway" line in the events' form.
 *
 * The action of a cgroup is its container's label pidguard.on-runaway when
 * Docker knows it, else the run's --on-runaway.
 */
#ifndef PG_RUNAWAY_CTL_H
#define PG_RUNAWAY_CTL_H

#include <stdbool.h>
#include <linux/types.h>
#include "event_report.h"
#include "runaway.h"

#define PG_RUNAWAY_CGROUPS 1024

struct runaway_cgroup {
	__u64 cg_id;
	__u32 limit;			/* from its last event */
	__u64 trimmed_ns;		/* boot time the last enforcement trim started */
	struct trim_memory *mem;	/* enforcement: the last trim's parents, or NULL */
	struct runaway_state st;
	char path[PG_PATH_MAX];		/* absolute; "" once found gone */
};

struct runaway_ctl {
	enum pg_runaway_action action;
	struct runaway_params params;
	bool enforce;			/* --enforce-in-userspace */
	__u64 hot_until_ns;		/* enforcement: sweep fast until (MONOTONIC) */
	const char *held_marker;	/* enforcement: paths__held_marker() */
	const struct event_report *rep;	/* its form and JSON writer */
	/* The restart action: docker_sync__restart, set by run with Docker;
	 * NULL otherwise (the action then fails, saying so). */
	int (*restart)(void *ctx, __u64 cg_id, char *err, size_t errlen);
	void *restart_ctx;
	char cg2[PG_PATH_MAX];
	int nr;
	struct runaway_cgroup cgs[PG_RUNAWAY_CGROUPS];
};

/* NULL when out of memory. run creates it when --on-runaway, enforcement
 * or Docker (whose labels may ask for the ladder) is in play. */
struct runaway_ctl *runaway_ctl__new(enum pg_runaway_action action,
				     const struct runaway_params *params, bool enforce,
				     const struct event_report *rep, const char *cg2);
void runaway_ctl__free(struct runaway_ctl *ctl);

/* event_report's on_event hook: ctx is the runaway_ctl. */
void runaway_ctl__on_event(void *ctx, const struct pg_event *ev);

/* Once a second: quiet seconds end episodes. */
void runaway_ctl__tick(struct runaway_ctl *ctl);

/*
 * With enforcement, on every pass of the event loop: trim each cgroup seen
 * over its limit. The event budget (--events-per-sec) suppresses a storm's
 * events after its first ones, and a suppressed event triggers nothing.
 */
void runaway_ctl__sweep(struct runaway_ctl *ctl);

/*
 * The steps reported so far, by any runaway_ctl of this process (zeros when
 * none runs). Safe from any thread: the metrics server reads them.
 */
void runaway_ctl__counts(struct runaway_counts *out);

/*
 * How long the event loop may sleep: dflt without enforcement; with it,
 * 10 ms, and 1 ms for a second after a trim killed anything (a bomb that
 * outlived its events' burst, which the rate limit then suppresses).
 */
int runaway_ctl__poll_ms(const struct runaway_ctl *ctl, int dflt);

#endif
