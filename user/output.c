// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - how events and status look to an operator (text) and to a
 * script (JSON, one object per line). Pure formatting on data the caller
 * gathered, so every byte of it is unit-tested. Task comms and cgroup
 * names are chosen by whoever runs in a container: text output replaces
 * anything unprintable, JSON output escapes it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "output.h"

static const char *const kind_names[] = {
	[PG_EV_DENIED] = "denied",
	[PG_EV_KILLED] = "killed",
	[PG_EV_OVER_LIMIT] = "over_limit",
	[PG_EV_WARN] = "warn",
	[PG_EV_MIGRATED] = "migrated",
	[PG_EV_MIGRATED_KILLED] = "migrated_killed",
	[PG_EV_RESYNC] = "resync",
};

const char *output__event_kind_name(__u32 kind)
{
	if (kind < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

const char *output__mode_name(__u32 mode)
{
	switch (mode) {
	case PG_MODE_FLAG:
		return "flag";
	case PG_MODE_KILL:
		return "kill";
	case PG_MODE_DENY:
		return "deny";
	}
	return "unknown";
}

/*
 * Text lines are "key=value" separated by spaces, so a space is replaced
 * too: a comm of "x ppid=1" must not read as a second ppid field.
 */
static char text_safe(unsigned char c)
{
	return c > 0x20 && c < 0x7f ? (char)c : '?';
}

void output__sanitize_comm(const char *comm, char dst[PG_COMM_LEN + 1])
{
	int i;

	for (i = 0; i < PG_COMM_LEN && comm[i]; i++)
		dst[i] = text_safe(comm[i]);
	dst[i] = '\0';
}

/* A cgroup path for a text line, sanitized like a comm; NULL -> "?". */
static char *text_path(const char *path)
{
	char *s;
	size_t i;

	if (!path)
		path = "?";
	s = strdup(path);
	if (!s)
		return NULL;
	for (i = 0; s[i]; i++)
		s[i] = text_safe(s[i]);
	return s;
}

void output__format_time(__u64 wall_ns, char *buf, size_t len)
{
	time_t secs = wall_ns / 1000000000ull;
	unsigned int ms = (wall_ns / 1000000ull) % 1000;
	struct tm tm;
	char date[32];

	if (!len)
		return;
	if (!gmtime_r(&secs, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%s.%03uZ", date, ms);
}

static void limit_text(__u32 limit, char buf[16])
{
	if (limit == PG_NO_LIMIT)
		strcpy(buf, "none");
	else
		snprintf(buf, 16, "%u", limit);
}

static bool known(const char *s)
{
	return s && *s;
}

/* " container=web compose=shop/web", sanitized like a path; "" if unknown. */
static void container_text(FILE *f, const struct pg_event_container *ctr)
{
	char *s;

	if (!ctr || !known(ctr->name))
		return;
	s = text_path(ctr->name);
	fprintf(f, " container=%s", s ? s : "?");
	free(s);
	if (known(ctr->project) || known(ctr->service)) {
		char *p = text_path(known(ctr->project) ? ctr->project : "-");
		char *v = text_path(known(ctr->service) ? ctr->service : "-");

		fprintf(f, " compose=%s/%s", p ? p : "?", v ? v : "?");
		free(p);
		free(v);
	}
}

void output__event_text(FILE *f, const struct pg_event *ev, __u64 wall_ns, const char *cg_path)
{
	output__event_text_ctr(f, ev, wall_ns, cg_path, NULL);
}

void output__event_text_ctr(FILE *f, const struct pg_event *ev, __u64 wall_ns, const char *cg_path,
			    const struct pg_event_container *ctr)
{
	char when[48], comm[PG_COMM_LEN + 1], pcomm[PG_COMM_LEN + 1], limit[16];
	char *path = text_path(cg_path);

	output__format_time(wall_ns, when, sizeof(when));
	output__sanitize_comm(ev->comm, comm);
	output__sanitize_comm(ev->pcomm, pcomm);
	limit_text(ev->limit, limit);
	fprintf(f, "%s %s cgroup=%s (id %" PRIu64 ")", when, output__event_kind_name(ev->kind),
		path ? path : "?", (uint64_t)ev->cg_id);
	container_text(f, ctr);
	fprintf(f, " pid=%u tgid=%u comm=%s ppid=%u pcomm=%s count=%u/%s", ev->pid, ev->tgid, comm,
		ev->ppid, pcomm, ev->count, limit);
	if (ev->flags & PG_EVF_PARENT_KILLED)
		fputs(" parent-killed", f);
	if (ev->flags & PG_EVF_GRACED)
		fputs(" graced", f);
	if (ev->suppressed)
		fprintf(f, " suppressed=%u", ev->suppressed);
	fputc('\n', f);
	free(path);
}

/* comm is not NUL-terminated when it fills PG_COMM_LEN. */
static void comm_field(json_writer_t *jw, const char *name, const char *comm)
{
	char s[PG_COMM_LEN + 1];

	memcpy(s, comm, PG_COMM_LEN);
	s[PG_COMM_LEN] = '\0';
	jsonw_string_field(jw, name, s);
}

static void limit_field(json_writer_t *jw, __u32 limit)
{
	jsonw_name(jw, "limit");
	if (limit == PG_NO_LIMIT)
		jsonw_null(jw);
	else
		jsonw_uint(jw, limit);
}

void output__event_json(json_writer_t *jw, const struct pg_event *ev, __u64 wall_ns,
			const char *cg_path)
{
	output__event_json_ctr(jw, ev, wall_ns, cg_path, NULL);
}

void output__event_json_ctr(json_writer_t *jw, const struct pg_event *ev, __u64 wall_ns,
			    const char *cg_path, const struct pg_event_container *ctr)
{
	char when[48];

	output__format_time(wall_ns, when, sizeof(when));
	jsonw_start_object(jw);
	jsonw_string_field(jw, "time", when);
	jsonw_string_field(jw, "kind", output__event_kind_name(ev->kind));
	jsonw_string_field(jw, "cgroup", cg_path);	/* NULL -> null */
	jsonw_uint_field(jw, "cgroup_id", ev->cg_id);
	if (ctr && known(ctr->name)) {
		jsonw_string_field(jw, "container", ctr->name);
		if (known(ctr->project))
			jsonw_string_field(jw, "compose_project", ctr->project);
		if (known(ctr->service))
			jsonw_string_field(jw, "compose_service", ctr->service);
	}
	jsonw_uint_field(jw, "pid", ev->pid);
	jsonw_uint_field(jw, "tgid", ev->tgid);
	comm_field(jw, "comm", ev->comm);
	jsonw_uint_field(jw, "ppid", ev->ppid);
	comm_field(jw, "pcomm", ev->pcomm);
	jsonw_uint_field(jw, "count", ev->count);
	limit_field(jw, ev->limit);
	jsonw_uint_field(jw, "suppressed", ev->suppressed);
	jsonw_bool_field(jw, "parent_killed", ev->flags & PG_EVF_PARENT_KILLED);
	jsonw_bool_field(jw, "graced", ev->flags & PG_EVF_GRACED);
	jsonw_end_object(jw);
}

/* ---- Status ---- */

static bool row_limited(const struct pg_status_row *r)
{
	return r->limit != PG_NO_LIMIT && r->limit != 0;
}

static __u64 row_current(const struct pg_status_row *r)
{
	/* current can dip below 0 for a moment (uncharge racing a resync). */
	return r->usage.current > 0 ? (__u64)r->usage.current : 0;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct pg_status_row *a = pa, *b = pb;
	bool la = row_limited(a), lb = row_limited(b);

	if (la != lb)
		return la ? -1 : 1;	/* unlimited rows last */
	if (la) {
		/* a.cur/a.lim vs b.cur/b.lim, exactly: cross-multiply in 128 bits. */
		unsigned __int128 pa_ = (unsigned __int128)row_current(a) * b->limit;
		unsigned __int128 pb_ = (unsigned __int128)row_current(b) * a->limit;

		if (pa_ != pb_)
			return pa_ > pb_ ? -1 : 1;
	}
	if (row_current(a) != row_current(b))
		return row_current(a) > row_current(b) ? -1 : 1;
	return strcmp(a->path, b->path);	/* a stable order for equal rows */
}

void output__sort_rows(struct pg_status_row *rows, int n)
{
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_rows);
}

static __u64 events_lost(const struct pg_status_summary *sum)
{
	/*
	 * The summary carries the count twice (events_lost and
	 * stats.events_lost); take whichever the caller filled, never the sum.
	 */
	return sum->events_lost > sum->stats.events_lost ? sum->events_lost
							 : sum->stats.events_lost;
}

#define NR_COLS 6
#define TABLE_WIDTH 80
#define PATH_MIN_WIDTH 16

static const char *const col_names[NR_COLS] = {
	"CURRENT", "PEAK", "LIMIT", "DENIED", "KILLED", "FLAGGED",
};

static void row_cells(const struct pg_status_row *r, char cells[NR_COLS][24])
{
	snprintf(cells[0], 24, "%" PRId64, (int64_t)r->usage.current);
	snprintf(cells[1], 24, "%" PRIu64, (uint64_t)r->usage.peak);
	limit_text(r->limit, cells[2]);
	snprintf(cells[3], 24, "%" PRIu64, (uint64_t)r->usage.denied);
	snprintf(cells[4], 24, "%" PRIu64, (uint64_t)r->usage.killed);
	snprintf(cells[5], 24, "%" PRIu64, (uint64_t)r->usage.flagged);
}

static void status_header(FILE *f, const struct pg_status_summary *sum)
{
	const struct {
		const char *name;
		__u64 value;
	} extra[] = {
		{ "storage failed", sum->stats.storage_failed },
		{ "pending full", sum->stats.pending_full },
		{ "zombies full", sum->stats.zombies_full },
		{ "kill failed", sum->stats.kill_failed },
		{ "resyncs", sum->stats.resyncs },
		{ "late releases", sum->stats.late_release },
		{ "zombies collected", sum->stats.zombies_collected },
	};
	size_t i;

	fprintf(f, "mode: %s, events lost: %" PRIu64, sum->mode ? sum->mode : "unknown",
		(uint64_t)events_lost(sum));
	/* The rest only when something happened: zeros would be noise. */
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (extra[i].value)
			fprintf(f, ", %s: %" PRIu64, extra[i].name, (uint64_t)extra[i].value);
	fputc('\n', f);
}

/* A container's row shows its name: /docker/<64 hex digits> says little. */
static const char *row_name(const struct pg_status_row *r)
{
	return r->container[0] ? r->container : r->path;
}

static void text_field(FILE *f, const char *s, size_t max)
{
	/* Spaces stay: these are the last fields of their line. */
	for (size_t i = 0; i < max && s[i]; i++)
		fputc(s[i] == ' ' ? ' ' : text_safe(s[i]), f);
}

/*
 * After the table, one line per container: where its limit comes from and
 * the compensation report (what the kernel enforces, and which case).
 */
static void containers_text(FILE *f, const struct pg_status_row *rows, int n)
{
	bool header = false;

	for (int i = 0; i < n; i++) {
		const struct pg_status_row *r = &rows[i];

		if (!r->container[0])
			continue;
		if (!header)
			fputs("containers:\n", f);
		header = true;
		fputs("  ", f);
		text_field(f, r->container, sizeof(r->container));
		if (r->compose_project[0] || r->compose_service[0]) {
			fputs(" (compose ", f);
			text_field(f, r->compose_project, sizeof(r->compose_project));
			fputc('/', f);
			text_field(f, r->compose_service, sizeof(r->compose_service));
			fputc(')', f);
		}
		fputs(" ", f);
		text_field(f, r->path, sizeof(r->path));
		if (r->limit_source[0]) {
			fputs(": limit from ", f);
			text_field(f, r->limit_source, sizeof(r->limit_source));
		}
		if (r->compensation[0]) {
			fputs(", ", f);
			text_field(f, r->compensation, sizeof(r->compensation));
			fputs(": ", f);
			text_field(f, r->compensation_text, sizeof(r->compensation_text));
		}
		fputc('\n', f);
	}
}

static void unlimited_text(FILE *f, const struct pg_status_summary *sum)
{
	if (sum->nr_unlimited <= 0)
		return;
	fputs("containers without a limit (not touched):", f);
	for (int i = 0; i < sum->nr_unlimited; i++) {
		fputc(' ', f);
		text_field(f, sum->unlimited[i], 256);
	}
	fputc('\n', f);
}

void output__status_text(FILE *f, const struct pg_status_summary *sum, struct pg_status_row *rows,
			 int n)
{
	char cells[NR_COLS][24], path[sizeof(rows->path) + 1];
	int width[NR_COLS], path_w = strlen("CGROUP"), avail, i, c;

	status_header(f, sum);
	if (n <= 0) {
		fputs("no limited cgroups\n", f);
		unlimited_text(f, sum);
		return;
	}
	output__sort_rows(rows, n);

	/* Numbers are never cut: their columns grow, the path column gives way. */
	for (c = 0; c < NR_COLS; c++)
		width[c] = strlen(col_names[c]);
	for (i = 0; i < n; i++) {
		int len = strnlen(row_name(&rows[i]), sizeof(rows[i].path));

		row_cells(&rows[i], cells);
		for (c = 0; c < NR_COLS; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
		if (len > path_w)
			path_w = len;
	}
	avail = TABLE_WIDTH;
	for (c = 0; c < NR_COLS; c++)
		avail -= 2 + width[c];
	if (avail < PATH_MIN_WIDTH)
		avail = PATH_MIN_WIDTH;
	if (path_w > avail)
		path_w = avail;

	fprintf(f, "%-*s", path_w, "CGROUP");
	for (c = 0; c < NR_COLS; c++)
		fprintf(f, "  %*s", width[c], col_names[c]);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		int len = strnlen(row_name(&rows[i]), sizeof(rows[i].path)), k;
		const char *src = row_name(&rows[i]);

		/* Shorten from the left: the end of a path names the container. */
		if (len > path_w) {
			src += len - (path_w - 3);
			len = path_w - 3;
			memcpy(path, "...", 3);
			k = 3;
		} else {
			k = 0;
		}
		memcpy(path + k, src, len);
		path[k + len] = '\0';
		for (k = 0; path[k]; k++)
			path[k] = text_safe(path[k]);
		row_cells(&rows[i], cells);
		fprintf(f, "%-*s", path_w, path);
		for (c = 0; c < NR_COLS; c++)
			fprintf(f, "  %*s", width[c], cells[c]);
		fputc('\n', f);
	}
	containers_text(f, rows, n);
	unlimited_text(f, sum);
}

void output__status_json(json_writer_t *jw, const struct pg_status_summary *sum,
			 struct pg_status_row *rows, int n)
{
	char path[sizeof(rows->path) + 1];
	int i;

	output__sort_rows(rows, n);
	jsonw_start_object(jw);
	jsonw_string_field(jw, "mode", sum->mode);
	jsonw_name(jw, "stats");
	jsonw_start_object(jw);
	jsonw_uint_field(jw, "events_lost", events_lost(sum));
	jsonw_uint_field(jw, "storage_failed", sum->stats.storage_failed);
	jsonw_uint_field(jw, "pending_full", sum->stats.pending_full);
	jsonw_uint_field(jw, "zombies_full", sum->stats.zombies_full);
	jsonw_uint_field(jw, "kill_failed", sum->stats.kill_failed);
	jsonw_uint_field(jw, "resyncs", sum->stats.resyncs);
	jsonw_uint_field(jw, "late_release", sum->stats.late_release);
	jsonw_uint_field(jw, "zombies_collected", sum->stats.zombies_collected);
	jsonw_end_object(jw);
	jsonw_name(jw, "cgroups");
	jsonw_start_array(jw);
	for (i = 0; i < n; i++) {
		const struct pg_status_row *r = &rows[i];

		memcpy(path, r->path, sizeof(r->path));
		path[sizeof(r->path)] = '\0';
		jsonw_start_object(jw);
		jsonw_string_field(jw, "path", path);
		jsonw_uint_field(jw, "cgroup_id", r->cg_id);
		limit_field(jw, r->limit);
		jsonw_int_field(jw, "current", r->usage.current);
		jsonw_uint_field(jw, "peak", r->usage.peak);
		jsonw_uint_field(jw, "forks", r->usage.forks);
		jsonw_uint_field(jw, "denied", r->usage.denied);
		jsonw_uint_field(jw, "killed", r->usage.killed);
		jsonw_uint_field(jw, "flagged", r->usage.flagged);
		jsonw_uint_field(jw, "migrated_in", r->usage.migrated_in);
		jsonw_int_field(jw, "dying", r->usage.dying);
		jsonw_uint_field(jw, "warnings", r->usage.warnings);
		jsonw_uint_field(jw, "events_suppressed", r->usage.events_suppressed);
		if (r->container[0]) {
			jsonw_string_field(jw, "container", r->container);
			if (r->compose_project[0])
				jsonw_string_field(jw, "compose_project", r->compose_project);
			if (r->compose_service[0])
				jsonw_string_field(jw, "compose_service", r->compose_service);
			if (r->limit_source[0])
				jsonw_string_field(jw, "limit_source", r->limit_source);
			if (r->compensation[0]) {
				jsonw_string_field(jw, "compensation", r->compensation);
				jsonw_string_field(jw, "compensation_text", r->compensation_text);
			}
		}
		jsonw_end_object(jw);
	}
	jsonw_end_array(jw);
	if (sum->nr_unlimited > 0) {
		jsonw_name(jw, "unlimited_containers");
		jsonw_start_array(jw);
		for (i = 0; i < sum->nr_unlimited; i++)
			jsonw_string(jw, sum->unlimited[i]);
		jsonw_end_array(jw);
	}
	jsonw_end_object(jw);
}
