// SPDX-License-Identifier: GPL-2.0
/*
 * event_report.c - events to stdout, text or JSON lines, or to syslog.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <bpf/bpf.h>

#include "cgroup.h"
#include "event_report.h"
#include "kv_line.h"
#include "log.h"
#include "output.h"
#include "top_output.h"
#include "top_worker.h"

static __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* A cgroup's first event waits this long for its top group (event_top_group). */
#define TOP_FIRST_WAIT_NS	10000000ull

int event_report__init(struct event_report *rep, const struct pg_loader *ld, const char *cg2,
		       enum event_report_form form)
{
	memset(rep, 0, sizeof(*rep));
	rep->ld = ld;
	rep->form = form;
	snprintf(rep->cg2, sizeof(rep->cg2), "%s", cg2);
	rep->boot_to_wall_ns = (__s64)clock_ns(CLOCK_REALTIME) - (__s64)clock_ns(CLOCK_BOOTTIME);
	if (form == EVENT_REPORT_JSON) {
		rep->jw = jsonw_new(stdout);
		if (!rep->jw) {
			log__error("out of memory");
			return -ENOMEM;
		}
	}
	rep->top_first_wait_ns = TOP_FIRST_WAIT_NS;
	rep->top_worker = top_worker__new();
	if (!rep->top_worker)
		log__warn("events go without their top task group: cannot start its thread: %s",
			  strerror(errno));
	return 0;
}

void event_report__fini(struct event_report *rep)
{
	top_worker__free(rep->top_worker);
	rep->top_worker = NULL;
	for (int i = 0; i < rep->nr_cgroups; i++)
		free(rep->cgroups[i].top);
	if (rep->jw)
		jsonw_destroy(&rep->jw);
}

/* State of one cgroup, created on first sight; NULL when the table is full. */
static struct cgroup_report_state *cgroup_state(struct event_report *rep, __u64 cg_id)
{
	struct cgroup_report_state *st;

	for (int i = 0; i < rep->nr_cgroups; i++) {
		if (rep->cgroups[i].cg_id == cg_id)
			return &rep->cgroups[i];
	}
	if (rep->nr_cgroups >= PG_REPORT_CGROUPS)
		return NULL;
	st = &rep->cgroups[rep->nr_cgroups++];
	memset(st, 0, sizeof(*st));
	st->cg_id = cg_id;
	if (cgroup__path_of_id(rep->cg2, cg_id, st->path, sizeof(st->path)))
		snprintf(st->path, sizeof(st->path), "(gone)");
	return st;
}

/*
 * The largest task group of the event's cgroup, for the events that say a
 * fork went past the limit: what is multiplying. Read by the top worker's
 * thread (top_worker.h says why never here) at most once a second per
 * cgroup; an event takes the last answer. Only a cgroup's first event
 * waits for one, top_first_wait_ns at most. NULL when there is none
 * (not read yet, cgroup gone or empty, no worker, out of memory).
 */
#define TOP_REFRESH_NS		1000000000ull

static const struct pg_task_group *event_top_group(struct event_report *rep,
						   struct cgroup_report_state *st, __u32 kind)
{
	char dir[PG_PATH_MAX + sizeof(st->path)];
	__u64 wait;

	if (!st || !rep->top_worker ||
	    (kind != PG_EV_OVER_LIMIT && kind != PG_EV_KILLED && kind != PG_EV_DENIED))
		return NULL;
	if (st->path[0] != '/')
		return NULL;	/* "(gone)" */
	wait = st->top ? 0 : rep->top_first_wait_ns;
	if (!st->top) {
		st->top = calloc(1, sizeof(*st->top));
		if (!st->top)
			return NULL;
	}
	snprintf(dir, sizeof(dir), "%s%s", rep->cg2, st->path);
	if (!top_worker__get(rep->top_worker, st->cg_id, dir, TOP_REFRESH_NS, wait, st->top))
		return NULL;
	return st->top->count ? st->top : NULL;
}

/* Severity of an event line in syslog: what pidguard did, or only saw. */
static int event_priority(__u32 kind)
{
	switch (kind) {
	case PG_EV_DENIED:
	case PG_EV_KILLED:
	case PG_EV_MIGRATED_KILLED:
		return LOG_WARNING;
	default:	/* over_limit, migrated, warn */
		return LOG_NOTICE;
	}
}

/* The line is built whole, then sent in one syslog() call: one record. */
static FILE *kv_open(struct kv_line *l, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (f)
		kv_line__init(l, f);
	return f;
}

static void kv_send(FILE *f, char **buf, int priority)
{
	/* fclose sets *buf: read it only after. */
	if (fclose(f) == 0)
		log__syslog_line(priority, *buf);
	free(*buf);
}

/* The keys and values of output__event_json_ctr, in the same order. */
static void event_syslog(const struct pg_event *ev, __u64 wall_ns, const char *cg_path,
			 const struct pg_event_container *ctr, const struct pg_task_group *top)
{
	struct kv_line l;
	char when[48], *buf = NULL;
	size_t len;
	FILE *f = kv_open(&l, &buf, &len);

	if (!f)
		return;
	output__format_time(wall_ns, when, sizeof(when));
	kv_line__str(&l, "time", when);
	kv_line__str(&l, "kind", output__event_kind_name(ev->kind));
	kv_line__str(&l, "cgroup", cg_path);
	kv_line__uint(&l, "cgroup_id", ev->cg_id);
	if (ctr && ctr->name && ctr->name[0]) {
		kv_line__str(&l, "container", ctr->name);
		if (ctr->project && ctr->project[0])
			kv_line__str(&l, "compose_project", ctr->project);
		if (ctr->service && ctr->service[0])
			kv_line__str(&l, "compose_service", ctr->service);
	}
	kv_line__uint(&l, "pid", ev->pid);
	kv_line__uint(&l, "tgid", ev->tgid);
	kv_line__strn(&l, "comm", ev->comm, PG_COMM_LEN);
	kv_line__uint(&l, "ppid", ev->ppid);
	kv_line__strn(&l, "pcomm", ev->pcomm, PG_COMM_LEN);
	kv_line__uint(&l, "count", ev->count);
	if (ev->limit == PG_NO_LIMIT)
		kv_line__str(&l, "limit", "none");
	else
		kv_line__uint(&l, "limit", ev->limit);
	kv_line__uint(&l, "suppressed", ev->suppressed);
	kv_line__bool(&l, "parent_killed", ev->flags & PG_EVF_PARENT_KILLED);
	kv_line__bool(&l, "graced", ev->flags & PG_EVF_GRACED);
	if (top) {
		char t[PG_TG_CMD_MAX + 16];

		snprintf(t, sizeof(t), "%s x %u", top->cmdline, top->count);
		kv_line__str(&l, "top", t);
	}
	kv_send(f, &buf, event_priority(ev->kind));
}

int event_report__handle(void *ctx, void *data, size_t size)
{
	struct event_report *rep = ctx;
	struct pg_event ev;
	struct cgroup_report_state *st;
	struct pg_container_ref ref;
	struct pg_event_container ctr = { 0 }, *ctrp = NULL;
	const struct pg_task_group *top;
	__u64 wall;

	if (size < sizeof(ev)) {
		rep->malformed++;
		return 0;
	}
	memcpy(&ev, data, sizeof(ev));
	if (ev.kind == PG_EV_RESYNC) {
		rep->resync_wanted = true;
		return 0;
	}
	st = cgroup_state(rep, ev.cg_id);
	if (st)
		ev.suppressed = (__u32)suppression__on_event(&st->supp, ev.suppressed,
							     clock_ns(CLOCK_MONOTONIC));
	wall = ev.ts_ns + rep->boot_to_wall_ns;
	if (rep->container_of && rep->container_of(rep->container_ctx, ev.cg_id, &ref)) {
		ctr.name = ref.name;
		ctr.project = ref.project;
		ctr.service = ref.service;
		ctrp = &ctr;
	}
	/* Before the line: userspace enforcement's reaction time counts. */
	if (rep->on_event)
		rep->on_event(rep->event_ctx, &ev);
	top = event_top_group(rep, st, ev.kind);
	if (rep->form == EVENT_REPORT_SYSLOG) {
		event_syslog(&ev, wall, st ? st->path : NULL, ctrp, top);
		return 0;
	}
	if (rep->jw)
		output__event_json_top(rep->jw, &ev, wall, st ? st->path : NULL, ctrp, top);
	else
		output__event_text_top(stdout, &ev, wall, st ? st->path : NULL, ctrp, top);
	fflush(stdout);
	return 0;
}

static void print_summary(struct event_report *rep, const char *kind, const char *path,
			  __u64 cg_id, __u64 n)
{
	char when[64];

	output__format_time(clock_ns(CLOCK_REALTIME), when, sizeof(when));
	if (rep->form == EVENT_REPORT_SYSLOG) {
		struct kv_line l;
		char *buf = NULL;
		size_t len;
		FILE *f = kv_open(&l, &buf, &len);

		if (!f)
			return;
		kv_line__str(&l, "time", when);
		kv_line__str(&l, "kind", kind);
		if (path) {
			kv_line__str(&l, "cgroup", path);
			kv_line__uint(&l, "cgroup_id", cg_id);
		}
		kv_line__uint(&l, path ? "suppressed" : "count", n);
		/* Suppressed events were seen and counted; lost ones were not seen. */
		kv_send(f, &buf, path ? LOG_NOTICE : LOG_WARNING);
		return;
	}
	if (rep->jw) {
		jsonw_start_object(rep->jw);
		jsonw_string_field(rep->jw, "time", when);
		jsonw_string_field(rep->jw, "kind", kind);
		if (path) {
			jsonw_string_field(rep->jw, "cgroup", path);
			jsonw_uint_field(rep->jw, "cgroup_id", cg_id);
		}
		/* Same key as in events, so that summing it over every line
		 * gives usage.events_suppressed. */
		jsonw_uint_field(rep->jw, path ? "suppressed" : "count", n);
		jsonw_end_object(rep->jw);
	} else if (path) {
		printf("%s %s cgroup=%s (id %llu) suppressed=%llu\n", when, kind, path,
		       (unsigned long long)cg_id, (unsigned long long)n);
	} else {
		printf("%s %s events=%llu\n", when, kind, (unsigned long long)n);
	}
	fflush(stdout);
}

/* Suppressed events no later event will carry: say so once it is quiet. */
static void report_pending_suppressions(struct event_report *rep)
{
	__u64 now = clock_ns(CLOCK_MONOTONIC);

	for (int i = 0; i < rep->nr_cgroups; i++) {
		struct cgroup_report_state *st = &rep->cgroups[i];
		struct pg_usage u;
		__u64 n;

		if (bpf_map_lookup_elem(rep->ld->usage_fd, &st->cg_id, &u))
			continue;
		n = suppression__on_tick(&st->supp, u.events_suppressed, now);
		if (n)
			print_summary(rep, "suppressed", st->path, st->cg_id, n);
	}
}

/* One collector's count rose since it was last reported: say by how much.
 * what: what outlived what ("zombie charges outlived their task"). */
static void report_collected(__u64 count, __u64 *reported, const char *what)
{
	if (count <= *reported)
		return;
	log__warn("%llu %s (no free hook released them) and were collected; counts are exact "
		  "again",
		  (unsigned long long)(count - *reported), what);
	*reported = count;
}

/* Report what the programs' counters say was collected or lost since the
 * last tick. */
static void report_stats(struct event_report *rep, const struct pg_stats *stats)
{
	report_collected(stats->zombies_collected, &rep->collected_reported,
			 "zombie charges outlived their task");
	report_collected(stats->records_collected, &rep->records_collected_reported,
			 "task records outlived their reaped task");
	if (stats->events_lost > rep->lost_reported) {
		print_summary(rep, "lost", NULL, 0, stats->events_lost - rep->lost_reported);
		log__warn("%llu events lost (ring buffer full); counters in `pidguard status` "
			  "stay exact",
			  (unsigned long long)(stats->events_lost - rep->lost_reported));
		rep->lost_reported = stats->events_lost;
	}
}

void event_report__tick(struct event_report *rep)
{
	struct pg_stats stats;
	__u32 zero = 0;
	int ret;

	if (rep->resync_wanted) {
		rep->resync_wanted = false;
		ret = loader__reconcile(rep->ld);
		if (ret)
			log__warn("resynchronising counts failed: %s", strerror(-ret));
	}
	report_pending_suppressions(rep);
	if (bpf_map_lookup_elem(rep->ld->stats_fd, &zero, &stats) == 0)
		report_stats(rep, &stats);
	if (rep->malformed) {
		log__warn("%llu malformed ring buffer records ignored",
			  (unsigned long long)rep->malformed);
		rep->malformed = 0;
	}
}
