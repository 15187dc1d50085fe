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
#include "top_output.h"

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
	output__event_text_top(f, ev, wall_ns, cg_path, ctr, NULL);
}

void output__event_text_top(FILE *f, const struct pg_event *ev, __u64 wall_ns,
			    const char *cg_path, const struct pg_event_container *ctr,
			    const struct pg_task_group *top)
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
	if (top)
		top_output__event_text(f, top);
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
	output__event_json_top(jw, ev, wall_ns, cg_path, ctr, NULL);
}

void output__event_json_top(json_writer_t *jw, const struct pg_event *ev, __u64 wall_ns,
			    const char *cg_path, const struct pg_event_container *ctr,
			    const struct pg_task_group *top)
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
	if (top)
		top_output__event_json(jw, top);
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

/* A container's row is known by its name: /docker/<64 hex digits> says little. */
static const char *row_name(const struct pg_status_row *r)
{
	return r->container[0] ? r->container : r->path;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct pg_status_row *a = pa, *b = pb;
	bool la = row_limited(a), lb = row_limited(b);
	int by_name;

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
	/* Then by the name the operator reads, and the path: a total order. */
	by_name = strncmp(row_name(a), row_name(b), sizeof(a->path));

	return by_name ? by_name : strncmp(a->path, b->path, sizeof(a->path));
}

void output__sort_rows(struct pg_status_row *rows, int n)
{
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_rows);
}

int output__pressure_pct(const struct pg_status_row *r)
{
	unsigned __int128 pct;

	if (!row_limited(r))
		return -1;
	/* Rounded down: 99.6% must not read as a full cgroup. 128 bits: no overflow. */
	pct = (unsigned __int128)row_current(r) * 100 / r->limit;

	return pct < 1000000 ? (int)pct : 999999;
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

#define TABLE_WIDTH 80
#define NAME_MIN_WIDTH 16
/* A case name longer than this is cut (the longest known is 16). */
#define CASE_MAX_WIDTH 16
/* Runs of this many hex digits are ids (Docker, systemd scopes): shortened. */
#define ID_MIN_HEX 32
#define ID_SHOWN_HEX 12

/*
 * Copy at most max bytes of src into dst (cap bytes), made printable. Spaces
 * become '?' too: in a table a space would read as a column break.
 */
static void safe_copy(char *dst, size_t cap, const char *src, size_t max)
{
	size_t i;

	for (i = 0; i + 1 < cap && i < max && src[i]; i++)
		dst[i] = text_safe(src[i]);
	dst[i] = '\0';
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * A container id takes 64 columns and its first 12 digits identify it, as
 * `docker ps` shows it (and `pidguard status ID` accepts): every run of
 * ID_MIN_HEX or more hex digits becomes its first ID_SHOWN_HEX and "...".
 * "/docker/<64 hex>" -> "/docker/0123456789ab...".
 */
void output__path_shorten_ids(const char *path, char *dst, size_t cap)
{
	size_t i = 0, o = 0, run;

	if (!cap)
		return;
	while (path[i] && o + 1 < cap) {
		for (run = 0; is_hex(path[i + run]); run++)
			;
		if (run >= ID_MIN_HEX) {
			size_t k;

			for (k = 0; k < ID_SHOWN_HEX && o + 1 < cap; k++)
				dst[o++] = path[i + k];
			for (k = 0; k < 3 && o + 1 < cap; k++)
				dst[o++] = '.';
			i += run;
		} else if (run) {
			for (; run && o + 1 < cap; run--)
				dst[o++] = path[i++];
		} else {
			dst[o++] = path[i++];
		}
	}
	dst[o] = '\0';
}

/*
 * Cut the middle of s so that it fits width columns: "head...tail". The
 * tail names the leaf, so it keeps the whole last path component when that
 * leaves the head 4 columns, else the larger half.
 */
void output__ellipsize_middle(char *s, int width)
{
	int len = strlen(s), keep, head, tail;
	const char *slash = strrchr(s, '/');

	if (len <= width)
		return;
	if (width < 5) {
		s[width > 0 ? width : 0] = '\0';
		return;
	}
	keep = width - 3;
	tail = keep - keep / 2;
	if (slash && slash != s && (int)strlen(slash) <= keep - 4 && (int)strlen(slash) > tail)
		tail = strlen(slash);
	head = keep - tail;
	memcpy(s + head, "...", 3);
	memmove(s + head + 3, s + len - tail, tail + 1);
}

/*
 * The first column of a row, at most width columns. A container: its name,
 * then the last component of its path (its id, shortened) when it fits
 * whole; the layout above it (/docker/, /system.slice/) is the same for
 * every container, and the paragraph after the table has the whole path.
 * Any other cgroup: its path, ids shortened, its middle cut when too long.
 */
static void name_cell(const struct pg_status_row *r, int width, char *dst, size_t cap)
{
	char path[sizeof(r->path) + 1], safe[sizeof(r->path) + 1];
	const char *leaf;
	int name_len, room;

	safe_copy(safe, sizeof(safe), r->path, sizeof(r->path));
	output__path_shorten_ids(safe, path, sizeof(path));
	if (!r->container[0]) {
		snprintf(dst, cap, "%s", path);
		output__ellipsize_middle(dst, width);
		return;
	}
	safe_copy(dst, cap, r->container, sizeof(r->container));
	name_len = strlen(dst);
	leaf = strrchr(path, '/');
	leaf = leaf ? leaf + 1 : path;
	room = width - name_len - 1;
	/* Whole or not at all: "0123...ab..." would only look like an id. */
	if (*leaf && (int)strlen(leaf) <= room)
		snprintf(dst + name_len, cap - name_len, " %s", leaf);
	output__ellipsize_middle(dst, width);
}

enum status_col {
	COL_CURRENT,
	COL_LIMIT,
	COL_USE,
	COL_PEAK,
	COL_DENIED,
	COL_KILLED,
	COL_FLAGGED,
	NR_COLS,
};

static const char *const col_names[NR_COLS] = {
	[COL_CURRENT] = "CURRENT", [COL_LIMIT] = "LIMIT",   [COL_USE] = "USE%",
	[COL_PEAK] = "PEAK",	   [COL_DENIED] = "DENIED", [COL_KILLED] = "KILLED",
	[COL_FLAGGED] = "FLAGGED",
};

#define CELL_LEN 24

static void row_cells(const struct pg_status_row *r, char cells[NR_COLS][CELL_LEN])
{
	int pct = output__pressure_pct(r);

	snprintf(cells[COL_CURRENT], CELL_LEN, "%" PRId64, (int64_t)r->usage.current);
	limit_text(r->limit, cells[COL_LIMIT]);
	if (pct < 0)
		strcpy(cells[COL_USE], "-");
	else
		snprintf(cells[COL_USE], CELL_LEN, "%d%%", pct);
	snprintf(cells[COL_PEAK], CELL_LEN, "%" PRIu64, (uint64_t)r->usage.peak);
	snprintf(cells[COL_DENIED], CELL_LEN, "%" PRIu64, (uint64_t)r->usage.denied);
	snprintf(cells[COL_KILLED], CELL_LEN, "%" PRIu64, (uint64_t)r->usage.killed);
	snprintf(cells[COL_FLAGGED], CELL_LEN, "%" PRIu64, (uint64_t)r->usage.flagged);
}

/*
 * Of DENIED, KILLED and FLAGGED only the mode's own column is shown, and
 * any other that is not 0 in some row: in kill mode nothing is denied, and
 * three columns of zeros would take the room the names need.
 */
static void action_cols(const struct pg_status_summary *sum, const struct pg_status_row *rows,
			int n, bool shown[NR_COLS])
{
	const char *mode = sum->mode ? sum->mode : "";
	bool known_mode = !strcmp(mode, "deny") || !strcmp(mode, "kill") || !strcmp(mode, "flag");

	shown[COL_DENIED] = !known_mode || !strcmp(mode, "deny");
	shown[COL_KILLED] = !known_mode || !strcmp(mode, "kill");
	shown[COL_FLAGGED] = !known_mode || !strcmp(mode, "flag");
	for (int i = 0; i < n; i++) {
		shown[COL_DENIED] |= rows[i].usage.denied != 0;
		shown[COL_KILLED] |= rows[i].usage.killed != 0;
		shown[COL_FLAGGED] |= rows[i].usage.flagged != 0;
	}
}

/*
 * Items "a: 1" joined by ", ", a new line (indented 2) before one that would
 * pass 80 columns with the comma that follows it.
 */
static void items_text(FILE *f, const char *const *items, int n)
{
	int col = 0;

	for (int i = 0; i < n; i++) {
		int len = strlen(items[i]) + (i + 1 < n);

		if (i && col + 2 + len > TABLE_WIDTH) {
			fputs(",\n  ", f);
			col = 2;
		} else if (i) {
			fputs(", ", f);
			col += 2;
		}
		fputs(items[i], f);
		col += strlen(items[i]);
	}
	fputc('\n', f);
}

static void status_header(FILE *f, const struct pg_status_summary *sum)
{
	const struct {
		const char *name;
		__u64 value;
		bool failure;
	} counters[] = {
		{ "storage failed", sum->stats.storage_failed, true },
		{ "pending full", sum->stats.pending_full, true },
		{ "zombies full", sum->stats.zombies_full, true },
		{ "kill failed", sum->stats.kill_failed, true },
		{ "resyncs", sum->stats.resyncs, false },
		{ "late releases", sum->stats.late_release, false },
		{ "zombies collected", sum->stats.zombies_collected, false },
		{ "records collected", sum->stats.records_collected, false },
		{ "records full", sum->stats.records_full, false },
	};
	char text[3 + sizeof(counters) / sizeof(counters[0])][64];
	const char *items[3 + sizeof(counters) / sizeof(counters[0])];
	__u64 failures = 0;
	int n = 0;
	size_t i;

	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (counters[i].failure)
			failures += counters[i].value;
	snprintf(text[n++], sizeof(text[0]), "mode: %.32s", sum->mode ? sum->mode : "unknown");
	snprintf(text[n++], sizeof(text[0]), "events lost: %" PRIu64, (uint64_t)events_lost(sum));
	snprintf(text[n++], sizeof(text[0]), "failures: %" PRIu64, (uint64_t)failures);
	/* The counters behind them only when something happened: zeros are noise. */
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (counters[i].value)
			snprintf(text[n++], sizeof(text[0]), "%s: %" PRIu64, counters[i].name,
				 (uint64_t)counters[i].value);
	for (i = 0; i < (size_t)n; i++) {
		text[i][sizeof(text[0]) - 1] = '\0';
		for (char *c = text[i]; *c; c++)
			*c = *c == ' ' ? ' ' : text_safe(*c);
		items[i] = text[i];
	}
	items_text(f, items, n);
}

/*
 * Words of text (made printable; spaces kept) from column col, wrapped at
 * 80 with indent columns of indent on each new line. A word too long for a
 * line of its own is broken.
 */
static void wrap_text(FILE *f, const char *text, size_t max, int col, int indent)
{
	size_t i = 0;

	while (i < max && text[i]) {
		size_t len = 0;

		while (i < max && text[i] == ' ')
			i++;
		while (i + len < max && text[i + len] && text[i + len] != ' ')
			len++;
		if (!len)
			break;
		if (col > indent && col + 1 + (int)len > TABLE_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		for (size_t k = 0; k < len; k++) {
			if (col >= TABLE_WIDTH) {
				fprintf(f, "\n%*s", indent, "");
				col = indent;
			}
			fputc(text_safe(text[i + k]), f);
			col++;
		}
		i += len;
	}
	fputc('\n', f);
}

/*
 * After the table, one paragraph per container, wrapped at 80: its compose
 * service, its path (ids shortened), its compensation case and the sentence
 * that explains it (what was declared, where from, what the kernel
 * enforces). The table may have had no room for the path.
 */
static void containers_text(FILE *f, const struct pg_status_row *rows, int n)
{
	bool header = false;

	for (int i = 0; i < n; i++) {
		const struct pg_status_row *r = &rows[i];
		char name[sizeof(r->container) + 1], project[sizeof(r->container) + 1];
		char service[sizeof(r->container) + 1], kase[sizeof(r->compensation) + 1];
		char source[sizeof(r->limit_source) + 1], safe[sizeof(r->path) + 1];
		char path[sizeof(r->path) + 1], text[sizeof(r->compensation_text) + 1];
		char line[sizeof(name) * 3 + sizeof(path) + sizeof(kase) + sizeof(text) + 32];
		size_t o;

		if (!r->container[0])
			continue;
		if (!header)
			fputs("containers:\n", f);
		header = true;
		safe_copy(name, sizeof(name), r->container, sizeof(r->container));
		safe_copy(project, sizeof(project), r->compose_project, sizeof(r->compose_project));
		safe_copy(service, sizeof(service), r->compose_service, sizeof(r->compose_service));
		safe_copy(kase, sizeof(kase), r->compensation, sizeof(r->compensation));
		safe_copy(source, sizeof(source), r->limit_source, sizeof(r->limit_source));
		safe_copy(safe, sizeof(safe), r->path, sizeof(r->path));
		output__path_shorten_ids(safe, path, sizeof(path));
		/* The sentence keeps its spaces; wrap_text makes the rest printable. */
		memcpy(text, r->compensation_text, sizeof(r->compensation_text));
		text[sizeof(r->compensation_text)] = '\0';
		o = snprintf(line, sizeof(line), "%s", name);
		if (project[0] || service[0])
			o += snprintf(line + o, sizeof(line) - o, " (compose %s/%s)",
				      project[0] ? project : "-", service[0] ? service : "-");
		o += snprintf(line + o, sizeof(line) - o, " %s", path);
		if (kase[0])
			snprintf(line + o, sizeof(line) - o, ": %s: %s", kase, text);
		else if (source[0])
			snprintf(line + o, sizeof(line) - o, ": limit from %s", source);
		fputs("  ", f);
		wrap_text(f, line, sizeof(line), 2, 4);
	}
}

static void unlimited_text(FILE *f, const struct pg_status_summary *sum)
{
	static const char intro[] = "containers without a limit (not touched):";
	int col = strlen(intro);

	if (sum->nr_unlimited <= 0)
		return;
	fputs(intro, f);
	for (int i = 0; i < sum->nr_unlimited; i++) {
		char name[257];
		int len;

		safe_copy(name, sizeof(name), sum->unlimited[i], 256);
		output__ellipsize_middle(name, TABLE_WIDTH - 2);	/* full in JSON */
		len = strlen(name);
		if (col > 2 && col + 1 + len > TABLE_WIDTH) {
			fputs("\n  ", f);
			col = 2;
		} else {
			fputc(' ', f);
			col++;
		}
		fputs(name, f);
		col += len;
	}
	fputc('\n', f);
}

void output__status_text(FILE *f, const struct pg_status_summary *sum, struct pg_status_row *rows,
			 int n)
{
	char cells[NR_COLS][CELL_LEN], name[sizeof(rows->path) + sizeof(rows->container) + 2];
	char kase[sizeof(rows->compensation) + 1];
	int width[NR_COLS], name_w = strlen("NAME"), case_w = 0, avail, i, c;
	bool any_case = false;
	bool shown[NR_COLS] = { [COL_CURRENT] = true, [COL_LIMIT] = true, [COL_USE] = true,
				[COL_PEAK] = true };

	status_header(f, sum);
	if (n <= 0) {
		fputs("no limited cgroups\n", f);
		unlimited_text(f, sum);
		return;
	}
	output__sort_rows(rows, n);
	action_cols(sum, rows, n, shown);

	/* Numbers are never cut: their columns grow, the name column gives way. */
	for (c = 0; c < NR_COLS; c++)
		width[c] = strlen(col_names[c]);
	for (i = 0; i < n; i++) {
		row_cells(&rows[i], cells);
		for (c = 0; c < NR_COLS; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
		name_cell(&rows[i], sizeof(name) - 1, name, sizeof(name));
		if ((int)strlen(name) > name_w)
			name_w = strlen(name);
		if (rows[i].compensation[0]) {
			int len = strnlen(rows[i].compensation, sizeof(rows[i].compensation));

			any_case = true;
			if (len > case_w)
				case_w = len < CASE_MAX_WIDTH ? len : CASE_MAX_WIDTH;
		}
	}
	/* The CASE column (the compensation case) only when a row has one. */
	if (any_case && case_w < (int)strlen("CASE"))
		case_w = strlen("CASE");
	avail = TABLE_WIDTH;
	for (c = 0; c < NR_COLS; c++)
		if (shown[c])
			avail -= 2 + width[c];
	/* Too tight for CASE: it goes, the paragraphs below still say it. */
	if (case_w && avail - 2 - case_w < NAME_MIN_WIDTH)
		case_w = 0;
	avail -= case_w ? 2 + case_w : 0;
	if (avail < NAME_MIN_WIDTH)
		avail = NAME_MIN_WIDTH;
	if (name_w > avail)
		name_w = avail;

	fprintf(f, "%-*s", name_w, "NAME");
	for (c = 0; c < NR_COLS; c++)
		if (shown[c])
			fprintf(f, "  %*s", width[c], col_names[c]);
	if (case_w)
		fprintf(f, "  %s", "CASE");
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		const struct pg_status_row *r = &rows[i];

		name_cell(r, name_w, name, sizeof(name));
		row_cells(r, cells);
		fprintf(f, "%-*s", name_w, name);
		for (c = 0; c < NR_COLS; c++)
			if (shown[c])
				fprintf(f, "  %*s", width[c], cells[c]);
		if (case_w) {
			safe_copy(kase, sizeof(kase), r->compensation[0] ? r->compensation : "-",
				  sizeof(r->compensation));
			output__ellipsize_middle(kase, CASE_MAX_WIDTH);
			fprintf(f, "  %s", kase);
		}
		fputc('\n', f);
		if (sum->detail)
			top_output__detail_text(f, r->top_groups, r->nr_top_groups);
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
	if (sum->wall_ns) {
		char when[48];

		output__format_time(sum->wall_ns, when, sizeof(when));
		jsonw_string_field(jw, "time", when);
	}
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
	jsonw_uint_field(jw, "records_collected", sum->stats.records_collected);
	jsonw_uint_field(jw, "records_full", sum->stats.records_full);
	jsonw_end_object(jw);
	jsonw_name(jw, "cgroups");
	jsonw_start_array(jw);
	for (i = 0; i < n; i++) {
		const struct pg_status_row *r = &rows[i];
		int pct = output__pressure_pct(r);

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
		jsonw_name(jw, "pressure_pct");
		if (pct < 0)
			jsonw_null(jw);
		else
			jsonw_uint(jw, pct);
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
		if (sum->detail) {
			jsonw_name(jw, "top_groups");
			jsonw_start_array(jw);
			for (int g = 0; g < r->nr_top_groups; g++)
				top_output__group_json(jw, &r->top_groups[g]);
			jsonw_end_array(jw);
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

/* ---- status --watch ---- */

void output__watch_header(FILE *f, __u64 wall_ns, unsigned int period_s, bool tty, bool first)
{
	char when[48];

	output__format_time(wall_ns, when, sizeof(when));
	if (tty)
		fputs("\033[H\033[2J", f);	/* cursor home, clear the screen */
	else if (!first)
		fputc('\n', f);		/* snapshots apart, for `| tee` */
	fprintf(f, "%s, every %u s%s\n", when, period_s, tty ? " (Ctrl-C to quit)" : "");
}

void output__status_error_text(FILE *f, const char *msg)
{
	fputs("error:", f);
	wrap_text(f, msg, strlen(msg), 6, 2);
}

void output__status_error_json(json_writer_t *jw, __u64 wall_ns, const char *msg)
{
	char when[48];

	output__format_time(wall_ns, when, sizeof(when));
	jsonw_start_object(jw);
	jsonw_string_field(jw, "time", when);
	jsonw_string_field(jw, "error", msg);
	jsonw_end_object(jw);
}
