// SPDX-License-Identifier: GPL-2.0
/*
 * runaway_ctl.c - the escalation ladder and userspace enforcement in run
 * (see the header). Everything happens in the event loop's thread: an
 * action delays the next events by its own length, a few milliseconds,
 * which is what it is there to spend.
 *
 * Every step is one line, kind "runaway": step "action" (taken, with its
 * result), "cooldown" (an episode the cool-down kept from acting again),
 * "ended" (the episode's quiet end) and "enforce" (a userspace trim, with
 * its reaction time: the event's kernel stamp to the last kill).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "cgroup.h"
#include "kv_line.h"
#include "log.h"
#include "output.h"
#include "paths.h"
#include "runaway_actions.h"
#include "runaway_ctl.h"

struct runaway_line {
	const char *step;
	const struct runaway_cgroup *cg;
	__u64 rate;			/* attempts in the hot second */
	const char *result;		/* "ok", or the error (or why it was held) */
	const struct trim_result *trim;	/* trim and enforce */
	__s64 reaction_us;		/* enforce: -1 otherwise */
	enum pg_runaway_action action;	/* the cgroup's (label, else the run's) */
};

static __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct runaway_ctl *runaway_ctl__new(enum pg_runaway_action action,
				     const struct runaway_params *params, bool enforce,
				     const struct event_report *rep, const char *cg2)
{
	struct runaway_ctl *ctl;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return NULL;
	ctl->action = action;
	ctl->params = *params;
	ctl->enforce = enforce;
	ctl->held_marker = paths__held_marker();
	ctl->rep = rep;
	snprintf(ctl->cg2, sizeof(ctl->cg2), "%s", cg2);
	/*
	 * A fork bomb is hundreds of runnable tasks: at an equal share, the
	 * enforcer would get a few milliseconds a second. SCHED_FIFO for this
	 * thread only (the event loop's: docker_sync's and the metrics
	 * server's keep theirs); it sleeps in epoll between events, and the
	 * kernel's RT throttling bounds it if it ever did not.
	 */
	if (enforce) {
		struct sched_param sp = { .sched_priority = 1 };

		if (sched_setscheduler(0, SCHED_FIFO, &sp))
			log__warn("--enforce-in-userspace: SCHED_FIFO refused (%s); under a fork "
				  "bomb, reactions may take much longer", strerror(errno));
	}
	return ctl;
}

void runaway_ctl__free(struct runaway_ctl *ctl)
{
	if (!ctl)
		return;
	for (int i = 0; i < ctl->nr; i++)
		free(ctl->cgs[i].mem);
	free(ctl);
}

static struct runaway_cgroup *cgroup_of(struct runaway_ctl *ctl, __u64 cg_id)
{
	struct runaway_cgroup *c;
	char rel[PG_PATH_MAX];

	for (int i = 0; i < ctl->nr; i++)
		if (ctl->cgs[i].cg_id == cg_id)
			return &ctl->cgs[i];
	if (ctl->nr >= PG_RUNAWAY_CGROUPS)
		return NULL;
	c = &ctl->cgs[ctl->nr++];
	memset(c, 0, sizeof(*c));
	c->cg_id = cg_id;
	c->limit = PG_NO_LIMIT;
	if (!cgroup__path_of_id(ctl->cg2, cg_id, rel, sizeof(rel)) &&
	    snprintf(c->path, sizeof(c->path), "%s%s", ctl->cg2, strcmp(rel, "/") ? rel : "") >=
		    (int)sizeof(c->path))
		c->path[0] = '\0';
	return c;
}

static const char *rel_path(const struct runaway_ctl *ctl, const struct runaway_cgroup *c)
{
	size_t n = strlen(ctl->cg2);

	if (!c->path[0])
		return "(gone)";
	return strncmp(c->path, ctl->cg2, n) || !c->path[n] ? "/" : c->path + n;
}

static void line_kv(const struct runaway_ctl *ctl, struct kv_line *l, const struct runaway_line *r)
{
	char when[48];

	output__format_time(clock_ns(CLOCK_REALTIME), when, sizeof(when));
	kv_line__str(l, "time", when);
	kv_line__str(l, "kind", "runaway");
	kv_line__str(l, "step", r->step);
	kv_line__str(l, "cgroup", rel_path(ctl, r->cg));
	kv_line__uint(l, "cgroup_id", r->cg->cg_id);
	kv_line__str(l, "action", runaway__action_name(strcmp(r->step, "enforce") ?
							 r->action : PG_RUNAWAY_TRIM));
	kv_line__uint(l, "rate", r->rate);
	if (r->cg->limit != PG_NO_LIMIT)
		kv_line__uint(l, "limit", r->cg->limit);
	if (r->result)
		kv_line__str(l, "result", r->result);
	if (r->trim) {
		kv_line__uint(l, "tasks_before", r->trim->before);
		kv_line__uint(l, "killed_procs", r->trim->killed_procs);
		kv_line__uint(l, "killed_tasks", r->trim->killed_tasks);
		kv_line__uint(l, "kept_init", r->trim->kept_init);
		if (!strcmp(r->step, "enforce")) {
			kv_line__uint(l, "killed_parents", r->trim->killed_parents);
			kv_line__bool(l, "held", r->trim->held);
		}
	}
	if (r->reaction_us >= 0)
		kv_line__uint(l, "reaction_us", r->reaction_us);
}

static void line_json(const struct runaway_ctl *ctl, json_writer_t *jw,
		      const struct runaway_line *r)
{
	char when[48];

	output__format_time(clock_ns(CLOCK_REALTIME), when, sizeof(when));
	jsonw_start_object(jw);
	jsonw_string_field(jw, "time", when);
	jsonw_string_field(jw, "kind", "runaway");
	jsonw_string_field(jw, "step", r->step);
	jsonw_string_field(jw, "cgroup", rel_path(ctl, r->cg));
	jsonw_uint_field(jw, "cgroup_id", r->cg->cg_id);
	jsonw_string_field(jw, "action", runaway__action_name(strcmp(r->step, "enforce") ?
								r->action : PG_RUNAWAY_TRIM));
	jsonw_uint_field(jw, "rate", r->rate);
	if (r->cg->limit != PG_NO_LIMIT)
		jsonw_uint_field(jw, "limit", r->cg->limit);
	if (r->result)
		jsonw_string_field(jw, "result", r->result);
	if (r->trim) {
		jsonw_uint_field(jw, "tasks_before", r->trim->before);
		jsonw_uint_field(jw, "killed_procs", r->trim->killed_procs);
		jsonw_uint_field(jw, "killed_tasks", r->trim->killed_tasks);
		jsonw_uint_field(jw, "kept_init", r->trim->kept_init);
		if (!strcmp(r->step, "enforce")) {
			jsonw_uint_field(jw, "killed_parents", r->trim->killed_parents);
			jsonw_bool_field(jw, "held", r->trim->held);
		}
	}
	if (r->reaction_us >= 0)
		jsonw_uint_field(jw, "reaction_us", r->reaction_us);
	jsonw_end_object(jw);
}

/* Written by the event loop, read by the metrics thread: atomics. */
static struct runaway_counts counts;

static void count_step(const struct runaway_line *r)
{
	const char *step = r->step;
	__u64 *n = NULL;

	if (!strcmp(step, "action") && r->action <= PG_RUNAWAY_KILL)
		n = &counts.actions[r->action];
	else if (!strcmp(step, "cooldown"))
		n = &counts.cooldowns;
	else if (!strcmp(step, "ended"))
		n = &counts.ended;
	else if (!strcmp(step, "enforce"))
		n = &counts.enforce;
	if (n)
		__atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
}

void runaway_ctl__counts(struct runaway_counts *out)
{
	for (int i = 0; i <= PG_RUNAWAY_KILL; i++)
		out->actions[i] = __atomic_load_n(&counts.actions[i], __ATOMIC_RELAXED);
	out->cooldowns = __atomic_load_n(&counts.cooldowns, __ATOMIC_RELAXED);
	out->ended = __atomic_load_n(&counts.ended, __ATOMIC_RELAXED);
	out->enforce = __atomic_load_n(&counts.enforce, __ATOMIC_RELAXED);
}

static void report(const struct runaway_ctl *ctl, const struct runaway_line *r)
{
	struct kv_line l;
	char *buf = NULL;
	size_t len;
	FILE *f;

	count_step(r);

	if (ctl->rep->form == EVENT_REPORT_JSON && ctl->rep->jw) {
		line_json(ctl, ctl->rep->jw, r);
	} else if (ctl->rep->form == EVENT_REPORT_SYSLOG) {
		f = open_memstream(&buf, &len);
		if (!f)
			return;
		kv_line__init(&l, f);
		line_kv(ctl, &l, r);
		if (fclose(f) == 0)
			log__syslog_line(LOG_WARNING, buf);
		free(buf);
		return;
	} else {
		kv_line__init(&l, stdout);
		line_kv(ctl, &l, r);
		putchar('\n');
	}
	fflush(stdout);
}

/*
 * The action for c: its container's label pidguard.on-runaway when Docker
 * knows c and the label is valid (docker_sync warned otherwise), else the
 * run's --on-runaway.
 */
static enum pg_runaway_action action_of(const struct runaway_ctl *ctl,
					const struct runaway_cgroup *c)
{
	const struct event_report *rep = ctl->rep;
	struct pg_container_ref ref;
	enum pg_runaway_action a;

	if (rep->container_of && rep->container_of(rep->container_ctx, c->cg_id, &ref) &&
	    ref.on_runaway[0] && !runaway__action_parse(ref.on_runaway, &a))
		return a;
	return ctl->action;
}

/* Is any cgroup's ladder on: the run's action, or (with Docker) a label's. */
static bool ladder_on(const struct runaway_ctl *ctl)
{
	return ctl->action != PG_RUNAWAY_NONE || ctl->rep->container_of;
}

/* Take c's action; result into res. */
static void take_action(struct runaway_ctl *ctl, struct runaway_cgroup *c)
{
	struct runaway_line r = { .step = "action", .cg = c, .rate = c->st.last_rate,
				  .reaction_us = -1, .action = action_of(ctl, c) };
	struct trim_result tr;
	char err[PG_PATH_MAX + 128] = "";
	int ret = -ENOENT;

	if (!c->path[0]) {
		snprintf(err, sizeof(err), "the cgroup is gone");
	} else {
		switch (r.action) {
		case PG_RUNAWAY_FREEZE:
			ret = runaway_actions__freeze(c->path, true, err, sizeof(err));
			break;
		case PG_RUNAWAY_TRIM:
			if (c->limit == PG_NO_LIMIT) {
				snprintf(err, sizeof(err), "no limit to trim to");
				break;
			}
			ret = runaway_actions__trim(c->path, c->limit, &tr, err, sizeof(err));
			if (!ret)
				r.trim = &tr;
			break;
		case PG_RUNAWAY_KILL:
			ret = runaway_actions__kill(c->path, err, sizeof(err));
			break;
		case PG_RUNAWAY_RESTART:
			/*
			 * Through the daemon, synchronously: this loop waits for
			 * the answer, 10 s at most (docker_sync__restart), once
			 * per episode and container.
			 */
			if (!ctl->restart) {
				snprintf(err, sizeof(err), "restart needs Docker");
				break;
			}
			ret = ctl->restart(ctl->restart_ctx, c->cg_id, err, sizeof(err));
			break;
		case PG_RUNAWAY_NONE:
			ret = 0;
			break;
		}
	}
	if (ret == -EALREADY) {
		/* The container's own restart cool-down (docker_sync): held, not failed. */
		r.step = "cooldown";
		r.result = err;
		log__info("runaway in %s: %s not taken again: %s", rel_path(ctl, c),
			  runaway__action_name(r.action), err);
		report(ctl, &r);
		return;
	}
	r.result = ret ? err : "ok";
	if (ret)
		log__warn("runaway in %s: %s failed: %s", rel_path(ctl, c),
			  runaway__action_name(r.action), err);
	else
		log__warn("runaway in %s: more than %u attempts/s past the limit for %u s; %s",
			  rel_path(ctl, c), ctl->params.rate, ctl->params.seconds,
			  r.action == PG_RUNAWAY_NONE ? "no action (--on-runaway none)" :
			  runaway__action_name(r.action));
	report(ctl, &r);
}

static void step(struct runaway_ctl *ctl, struct runaway_cgroup *c, enum runaway_verdict v)
{
	struct runaway_line r = { .cg = c, .rate = c->st.last_rate, .reaction_us = -1 };

	switch (v) {
	case RUNAWAY_ACT:
		take_action(ctl, c);
		return;
	case RUNAWAY_COOLING:
		r.step = "cooldown";
		r.result = "held: within the cool-down of the last action";
		break;
	case RUNAWAY_ENDED:
		r.step = "ended";
		break;
	case RUNAWAY_NOTHING:
		return;
	}
	r.action = action_of(ctl, c);
	report(ctl, &r);
}

/*
 * A sweep of a cgroup under its limit is one count of its threads: 10 ms at
 * rest. A bomb doubles in a few milliseconds: 1 ms while one is being fought
 * (a trim killed something within ENFORCE_HOT_NS).
 */
#define ENFORCE_POLL_MS 10
#define ENFORCE_HOT_POLL_MS 1
#define ENFORCE_HOT_NS 1000000000ull

static void mark_hot(struct runaway_ctl *ctl)
{
	ctl->hot_until_ns = clock_ns(CLOCK_MONOTONIC) + ENFORCE_HOT_NS;
}

/*
 * c's memory of its last trim's parents, allocated on first use (4 KiB; only
 * cgroups that went past their limit are here to pay it). NULL when out of
 * memory: the trims are then plain ones, newest first.
 */
static struct trim_memory *enforce_memory(struct runaway_cgroup *c)
{
	if (!c->mem)
		c->mem = calloc(1, sizeof(*c->mem));
	return c->mem;
}

/* One enforcement trim of c to limit: stamped, held frozen, and hot if it killed. */
static int enforce_trim(struct runaway_ctl *ctl, struct runaway_cgroup *c, __u32 limit,
			struct trim_result *tr, char *err, size_t errlen)
{
	int ret;

	c->trimmed_ns = clock_ns(CLOCK_BOOTTIME);
	ret = runaway_actions__trim_held(c->path, limit, enforce_memory(c), ctl->held_marker, tr,
					 err, errlen);
	if (tr->killed_procs)
		mark_hot(ctl);	/* even when its thaw failed: it did kill */
	return ret;
}

/* Userspace enforcement: back to the limit now, reading the live count. */
static void enforce(struct runaway_ctl *ctl, struct runaway_cgroup *c, const struct pg_event *ev)
{
	struct runaway_line r = { .step = "enforce", .cg = c, .rate = 1 + ev->suppressed };
	struct trim_result tr;
	char err[PG_PATH_MAX + 128];
	__u64 now;

	if (!c->path[0] || ev->limit == PG_NO_LIMIT)
		return;
	/* A trim that started after this fork read a count that included it. */
	if (ev->ts_ns < c->trimmed_ns)
		return;
	if (enforce_trim(ctl, c, ev->limit, &tr, err, sizeof(err))) {
		log__warn("--enforce-in-userspace: %s", err);
		return;
	}
	if (!tr.killed_procs)
		return;		/* already back (an earlier trim, or exits) */
	now = clock_ns(CLOCK_BOOTTIME);
	r.reaction_us = now > ev->ts_ns ? (now - ev->ts_ns) / 1000 : 0;
	r.result = "ok";
	r.trim = &tr;
	report(ctl, &r);
}

void runaway_ctl__on_event(void *ctx, const struct pg_event *ev)
{
	struct runaway_ctl *ctl = ctx;
	struct runaway_cgroup *c;

	switch (ev->kind) {
	case PG_EV_OVER_LIMIT:
	case PG_EV_DENIED:
	case PG_EV_KILLED:
	case PG_EV_MIGRATED:
		break;
	default:
		return;
	}
	c = cgroup_of(ctl, ev->cg_id);
	if (!c)
		return;
	c->limit = ev->limit;
	if (ctl->enforce && (ev->kind == PG_EV_OVER_LIMIT || ev->kind == PG_EV_MIGRATED))
		enforce(ctl, c, ev);
	/* A migration is not an attempt to fork: the ladder counts forks only. */
	if (ev->kind != PG_EV_MIGRATED && ladder_on(ctl))
		step(ctl, c, runaway__observe(&c->st, &ctl->params, clock_ns(CLOCK_MONOTONIC),
					      1 + (__u64)ev->suppressed));
}

int runaway_ctl__poll_ms(const struct runaway_ctl *ctl, int dflt)
{
	if (!ctl || !ctl->enforce)
		return dflt;
	return clock_ns(CLOCK_MONOTONIC) < ctl->hot_until_ns ? ENFORCE_HOT_POLL_MS :
								 ENFORCE_POLL_MS;
}

void runaway_ctl__sweep(struct runaway_ctl *ctl)
{
	char err[PG_PATH_MAX + 128];
	struct trim_result tr;

	if (!ctl || !ctl->enforce)
		return;
	for (int i = 0; i < ctl->nr; i++) {
		struct runaway_cgroup *c = &ctl->cgs[i];
		struct runaway_line r = { .step = "enforce", .cg = c, .result = "ok",
					  .trim = &tr, .reaction_us = -1 };

		if (!c->path[0] || c->limit == PG_NO_LIMIT)
			continue;
		if (enforce_trim(ctl, c, c->limit, &tr, err, sizeof(err)) == -ENOENT)
			c->path[0] = '\0';	/* removed: forget it */
		else if (tr.killed_procs)
			report(ctl, &r);
	}
}

void runaway_ctl__tick(struct runaway_ctl *ctl)
{
	__u64 now = clock_ns(CLOCK_MONOTONIC);

	if (!ctl || !ladder_on(ctl))
		return;
	for (int i = 0; i < ctl->nr; i++)
		step(ctl, &ctl->cgs[i], runaway__observe(&ctl->cgs[i].st, &ctl->params, now, 0));
}
