/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics_text.h - the Prometheus text exposition format (version 0.0.4)
 * of pidguard's counters. Pure rendering from plain structs: the HTTP side
 * (metrics.c) gathers a snapshot, this only prints it, so every byte is
 * unit-tested, hostile label values included.
 *
 * The metric names are an interface (dashboards, alerts, the man page):
 * rename nothing without a reason.
 */
#ifndef PG_METRICS_TEXT_H
#define PG_METRICS_TEXT_H

#include <stdio.h>
#include <linux/types.h>
#include "../include/pidguard.h"
#include "runaway.h"

/* One row of the limits map, with what Docker says about it. */
struct pg_metrics_cgroup {
	const char *path;		/* relative to the cgroup v2 mount */
	const char *container;		/* NULL or "" when unknown */
	const char *compose_project;
	const char *compose_service;
	__u32 limit;			/* PG_NO_LIMIT: tracked, no limit sample */
	struct pg_usage usage;
};

struct pg_metrics_snapshot {
	const char *version;		/* pidguard_build_info{version=...} */
	__u32 mode;			/* enum pg_mode; 0 when unknown */
	struct pg_stats stats;
	__u64 scrape_errors;		/* scrapes that failed before this one */
	const struct pg_metrics_cgroup *cgroups;
	int nr_cgroups;
	struct runaway_counts runaway;	/* the escalation ladder's steps */
};

/* The Content-Type of what metrics_text__render writes. */
#define PG_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Write a label value to f, escaped per the exposition format: backslash,
 * double quote and newline become \\, \" and \n. Anything else a line
 * parser or a UTF-8 decoder would trip on (other control bytes, bytes that
 * are not valid UTF-8) becomes '?': one hostile container name must not
 * break the whole scrape, nor forge a sample.
 */
void metrics_text__escape(FILE *f, const char *value);

/*
 * Every metric, each family with its # HELP and # TYPE lines, per-cgroup
 * samples in the order given. Returns 0, or -EIO when writing to f failed.
 */
int metrics_text__render(FILE *f, const struct pg_metrics_snapshot *snap);

#endif
