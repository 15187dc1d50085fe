// SPDX-License-Identifier: GPL-2.0
/*
 * metrics_text.c - pidguard's counters in the Prometheus text exposition
 * format, version 0.0.4: "# HELP", "# TYPE", then one "name{labels} value"
 * line per sample, every family once and its samples together.
 *
 * Label values come from container names, compose labels and cgroup paths:
 * chosen by whoever starts a container, so escaped, and stripped of what
 * would let one of them end a line or break the UTF-8 that Prometheus
 * insists on (it rejects the whole scrape for one bad byte).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "metrics_text.h"

/*
 * Length of the valid UTF-8 sequence at s (1 to 4), or 0: no overlong
 * forms, no surrogates, nothing past U+10FFFF (what a strict decoder
 * refuses). A NUL ends the string, so it never counts as a continuation.
 */
static int utf8_len(const unsigned char *s)
{
	unsigned int cp;
	int len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void metrics_text__escape(FILE *f, const char *value)
{
	const unsigned char *s = (const unsigned char *)(value ? value : "");

	while (*s) {
		int len = utf8_len(s);

		if (*s == '\\') {
			fputs("\\\\", f);
		} else if (*s == '"') {
			fputs("\\\"", f);
		} else if (*s == '\n') {
			fputs("\\n", f);
		} else if (!len || *s < 0x20 || *s == 0x7f) {
			fputc('?', f);
			len = 1;
		} else {
			fwrite(s, 1, len, f);
		}
		s += len ? len : 1;
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* ---- per-cgroup families ---- */

static void cgroup_labels(FILE *f, const struct pg_metrics_cgroup *c)
{
	fputs("{cgroup=\"", f);
	metrics_text__escape(f, c->path);
	fputs("\",container=\"", f);
	metrics_text__escape(f, c->container);
	fputs("\",compose_project=\"", f);
	metrics_text__escape(f, c->compose_project);
	fputs("\",compose_service=\"", f);
	metrics_text__escape(f, c->compose_service);
	fputs("\"}", f);
}

/* The sample of one cgroup as text in buf; false when it has none. */
typedef bool (*cgroup_value_fn)(const struct pg_metrics_cgroup *c, char buf[24]);

static bool tasks_value(const struct pg_metrics_cgroup *c, char buf[24])
{
	/* Signed: an uncharge racing a resync may dip below 0 for a moment. */
	snprintf(buf, 24, "%" PRId64, (int64_t)c->usage.current);
	return true;
}

static bool limit_value(const struct pg_metrics_cgroup *c, char buf[24])
{
	if (c->limit == PG_NO_LIMIT)
		return false;
	snprintf(buf, 24, "%" PRIu32, c->limit);
	return true;
}

#define USAGE_VALUE(field)							\
	static bool field##_value(const struct pg_metrics_cgroup *c, char buf[24])	\
	{									\
		snprintf(buf, 24, "%" PRIu64, (uint64_t)c->usage.field);	\
		return true;							\
	}
USAGE_VALUE(peak)
USAGE_VALUE(denied)
USAGE_VALUE(killed)
USAGE_VALUE(flagged)
USAGE_VALUE(warnings)
USAGE_VALUE(events_suppressed)

static const struct {
	const char *name;
	const char *type;
	const char *help;
	cgroup_value_fn value;
} cgroup_families[] = {
	{ "pidguard_tasks", "gauge",
	  "Tasks charged to the cgroup now (threads and zombies included, sub-cgroups too).",
	  tasks_value },
	{ "pidguard_tasks_peak", "gauge", "Highest number of tasks charged to the cgroup.",
	  peak_value },
	{ "pidguard_limit", "gauge",
	  "Task limit of the cgroup (no sample when tracked without one).", limit_value },
	{ "pidguard_denied_total", "counter",
	  "Forks past the limit failed with EAGAIN (deny mode).", denied_value },
	{ "pidguard_killed_total", "counter", "Tasks SIGKILLed past the limit (kill mode).",
	  killed_value },
	{ "pidguard_flagged_total", "counter",
	  "Forks and migrations past the limit allowed and reported (flag mode).", flagged_value },
	{ "pidguard_warnings_total", "counter", "Times usage reached the warn threshold.",
	  warnings_value },
	{ "pidguard_events_suppressed_total", "counter",
	  "Events dropped by the per-cgroup rate limit (--events-per-sec).",
	  events_suppressed_value },
};

static void render_cgroups(FILE *f, const struct pg_metrics_snapshot *snap)
{
	char value[24];

	for (size_t k = 0; k < sizeof(cgroup_families) / sizeof(cgroup_families[0]); k++) {
		family(f, cgroup_families[k].name, cgroup_families[k].type,
		       cgroup_families[k].help);
		for (int i = 0; i < snap->nr_cgroups; i++) {
			const struct pg_metrics_cgroup *c = &snap->cgroups[i];

			if (!cgroup_families[k].value(c, value))
				continue;
			fputs(cgroup_families[k].name, f);
			cgroup_labels(f, c);
			fprintf(f, " %s\n", value);
		}
	}
}

/* ---- global families ---- */

static const char *const mode_names[] = {
	[PG_MODE_DENY] = "deny",
	[PG_MODE_KILL] = "kill",
	[PG_MODE_FLAG] = "flag",
};

static void render_globals(FILE *f, const struct pg_metrics_snapshot *snap)
{
	const struct {
		const char *kind;
		__u64 value;
	} failures[] = {
		{ "storage_failed", snap->stats.storage_failed },
		{ "pending_full", snap->stats.pending_full },
		{ "zombies_full", snap->stats.zombies_full },
		{ "kill_failed", snap->stats.kill_failed },
	};
	const __u32 modes[] = { PG_MODE_DENY, PG_MODE_KILL, PG_MODE_FLAG };
	int limited = 0;

	family(f, "pidguard_build_info", "gauge", "pidguard's version, as a label; always 1.");
	fputs("pidguard_build_info{version=\"", f);
	metrics_text__escape(f, snap->version);
	fputs("\"} 1\n", f);

	/* A state set: every mode has a sample, so a mode change never ends a series. */
	family(f, "pidguard_mode", "gauge", "Enforcement mode in force: 1 for the current one.");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(f, "pidguard_mode{mode=\"%s\"} %d\n", mode_names[modes[i]],
			snap->mode == modes[i]);

	for (int i = 0; i < snap->nr_cgroups; i++)
		limited += snap->cgroups[i].limit != PG_NO_LIMIT;
	family(f, "pidguard_limited_cgroups", "gauge",
	       "Cgroups with a task limit (tracked ones without a limit not included).");
	fprintf(f, "pidguard_limited_cgroups %d\n", limited);

	family(f, "pidguard_events_lost_total", "counter",
	       "Events not delivered because the ring buffer was full (the counters stay exact).");
	fprintf(f, "pidguard_events_lost_total %" PRIu64 "\n", (uint64_t)snap->stats.events_lost);

	family(f, "pidguard_failures_total", "counter",
	       "Enforcement failures by kind: task storage unavailable, reservation or zombie "
	       "map full, kill failed.");
	for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++)
		fprintf(f, "pidguard_failures_total{kind=\"%s\"} %" PRIu64 "\n", failures[i].kind,
			(uint64_t)failures[i].value);

	family(f, "pidguard_zombies_collected_total", "counter",
	       "Zombie charges whose free hook never came, released by the collector.");
	fprintf(f, "pidguard_zombies_collected_total %" PRIu64 "\n",
		(uint64_t)snap->stats.zombies_collected);

	family(f, "pidguard_records_collected_total", "counter",
	       "Task charge records of reaped tasks whose free hook never came, released by "
	       "the collector.");
	fprintf(f, "pidguard_records_collected_total %" PRIu64 "\n",
		(uint64_t)snap->stats.records_collected);

	family(f, "pidguard_task_records_full_total", "counter",
	       "Task charge records kept in task storage because the preallocated table "
	       "was full: slower, never lost.");
	fprintf(f, "pidguard_task_records_full_total %" PRIu64 "\n",
		(uint64_t)snap->stats.records_full);

	family(f, "pidguard_runaway_actions_total", "counter",
	       "Runaway episodes acted on (--on-runaway), by action.");
	for (int a = PG_RUNAWAY_FREEZE; a <= PG_RUNAWAY_KILL; a++)
		fprintf(f, "pidguard_runaway_actions_total{action=\"%s\"} %" PRIu64 "\n",
			runaway__action_name(a), (uint64_t)snap->runaway.actions[a]);
	family(f, "pidguard_runaway_steps_total", "counter",
	       "Other steps of the runaway ladder: an episode within the cool-down (no "
	       "action), an episode ended, a userspace enforcement trim.");
	fprintf(f, "pidguard_runaway_steps_total{step=\"cooldown\"} %" PRIu64 "\n",
		(uint64_t)snap->runaway.cooldowns);
	fprintf(f, "pidguard_runaway_steps_total{step=\"ended\"} %" PRIu64 "\n",
		(uint64_t)snap->runaway.ended);
	fprintf(f, "pidguard_runaway_steps_total{step=\"enforce\"} %" PRIu64 "\n",
		(uint64_t)snap->runaway.enforce);

	family(f, "pidguard_scrape_errors_total", "counter",
	       "Scrapes of this endpoint that failed to read the pinned maps.");
	fprintf(f, "pidguard_scrape_errors_total %" PRIu64 "\n", (uint64_t)snap->scrape_errors);
}

int metrics_text__render(FILE *f, const struct pg_metrics_snapshot *snap)
{
	render_globals(f, snap);
	render_cgroups(f, snap);
	return ferror(f) ? -EIO : 0;
}
