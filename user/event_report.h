/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event_report.h - turn ring buffer records into lines for the operator,
 * and report what the records cannot say themselves: suppressions left
 * pending when a storm ends, events lost to a full ring buffer, and the
 * resynchronisation the kernel side asked for.
 *
 * Three forms: text lines and JSON lines on stdout, or (run --log syslog)
 * one syslog line per event, key=value pairs with the keys of the JSON
 * form (kv_line.h), at a priority that says how serious it is: denied and
 * killed LOG_WARNING, over_limit, migrated and warn LOG_NOTICE.
 */
#ifndef PG_EVENT_REPORT_H
#define PG_EVENT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "json_writer.h"
#include "loader.h"
#include "mountinfo.h"
#include "names.h"
#include "suppression.h"
#include "task_groups.h"

struct top_worker;

#define PG_REPORT_CGROUPS 1024

struct cgroup_report_state {
	__u64 cg_id;
	struct suppression supp;
	char path[256];
	/* The largest task group, for over_limit/killed/denied (event_report.c). */
	struct pg_task_group *top;	/* NULL until first asked for; count 0: none */
};

enum event_report_form {
	EVENT_REPORT_TEXT,
	EVENT_REPORT_JSON,
	EVENT_REPORT_SYSLOG,
};

struct event_report {
	const struct pg_loader *ld;
	enum event_report_form form;
	char cg2[PG_PATH_MAX];
	json_writer_t *jw;		/* NULL: text */
	__s64 boot_to_wall_ns;		/* add to a boot-time stamp: wall clock */
	bool resync_wanted;
	__u64 lost_reported;
	__u64 collected_reported;	/* of stats.zombies_collected */
	__u64 records_collected_reported; /* of stats.records_collected */
	__u64 malformed;
	int nr_cgroups;
	struct cgroup_report_state cgroups[PG_REPORT_CGROUPS];
	struct top_worker *top_worker;	/* NULL: events go without top groups */
	/* How long a cgroup's first event waits for its top group (10 ms);
	 * run sets 0 when it enforces in userspace: the enforcer never waits. */
	__u64 top_first_wait_ns;
	/* Optional: the container of a cgroup id (docker_sync), for events. */
	bool (*container_of)(void *ctx, __u64 cg_id, struct pg_container_ref *out);
	void *container_ctx;
	/* Optional: told each decoded event, before its line (run's runaway_ctl). */
	void (*on_event)(void *ctx, const struct pg_event *ev);
	void *event_ctx;
};

int event_report__init(struct event_report *rep, const struct pg_loader *ld, const char *cg2,
		       enum event_report_form form);
void event_report__fini(struct event_report *rep);

/* ring_buffer_sample_fn */
int event_report__handle(void *ctx, void *data, size_t size);

/* Once a second: resync, pending suppressions, lost events. */
void event_report__tick(struct event_report *rep);

#endif
