// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_status.c - `pidguard status`: the limited cgroups, read from the
 * pinned maps (no running loader needed), once or, with --watch, again
 * every few seconds until SIGINT or SIGTERM.
 *
 * Each refresh is a fresh snapshot: open the pins, read, close. Holding the
 * map fds across refreshes would keep the maps of a stopped pidguard alive
 * and show its last state forever; reopening notices the stop. Between
 * refreshes the process sleeps in sigtimedwait() on the two stop signals
 * (blocked, so that none is lost while a frame is drawn): no polling, and
 * a Ctrl-C ends the watch at once with status 0.
 *
 * --detail adds, under each row, the cgroup's largest task groups
 * (task_groups.h): read from /proc at each refresh, bounded per cgroup.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cgroup.h"
#include "commands.h"
#include "loader.h"
#include "log.h"
#include "names.h"
#include "output.h"
#include "paths.h"
#include "task_groups.h"
#include "usage_rows.h"

#define STATUS_TOP_GROUPS 3	/* groups under each row with --detail */

/*
 * Container names, limit sources and compensation, as `run` published them
 * (*refs: the table, caller frees; returns its size). The names of the
 * containers that have no row (no limit: never touched) go to sum.
 */
static int add_container_names(struct pg_status_row *rows, int n,
			       struct pg_status_summary *sum, struct pg_container_ref **refs_out)
{
	struct pg_container_ref *refs;
	const char **unlimited;
	int nr = names__read(names__path(), &refs);

	*refs_out = NULL;
	if (nr < 0)
		log__warn("cannot read container names from %s: %s", names__path(),
			  strerror(-nr));
	if (nr <= 0)
		return 0;
	unlimited = calloc(nr, sizeof(*unlimited));
	for (int k = 0; k < nr && unlimited; k++) {
		bool has_row = false;

		for (int i = 0; i < n && !has_row; i++)
			has_row = rows[i].cg_id == refs[k].cg_id;
		if (!has_row)
			unlimited[sum->nr_unlimited++] = refs[k].name;
	}
	sum->unlimited = unlimited;
	for (int i = 0; i < n; i++) {
		const struct pg_container_ref *ref = names__find_cg(refs, nr, rows[i].cg_id);

		if (!ref)
			continue;
		snprintf(rows[i].container, sizeof(rows[i].container), "%s", ref->name);
		snprintf(rows[i].compose_project, sizeof(rows[i].compose_project), "%s",
			 ref->project);
		snprintf(rows[i].compose_service, sizeof(rows[i].compose_service), "%s",
			 ref->service);
		snprintf(rows[i].limit_source, sizeof(rows[i].limit_source), "%s", ref->source);
		snprintf(rows[i].compensation, sizeof(rows[i].compensation), "%s",
			 ref->comp_case);
		snprintf(rows[i].compensation_text, sizeof(rows[i].compensation_text), "%s",
			 ref->sentence);
	}
	*refs_out = refs;
	return nr;
}

/*
 * status TARGET: keep the row (and unlimited name) of one container (name
 * or short id, from the published table) or cgroup (path). Returns the new
 * row count, or -ENOENT when TARGET names neither.
 */
static int keep_target(const char *cg2, const char *target, struct pg_status_row *rows, int n,
		       struct pg_status_summary *sum, const struct pg_container_ref *refs, int nr)
{
	const struct pg_container_ref *ref;
	struct pg_cgroup cg;
	char err[PG_PATH_MAX + 128];
	__u64 id = 0;
	bool ambiguous;
	int kept = 0, named = 0;

	ref = names__find_target(refs, nr, target, &ambiguous);
	if (ref)
		id = ref->cg_id;
	else if (!ambiguous && !cgroup__resolve(cg2, target, &cg, err, sizeof(err)))
		id = cg.id;
	if (!id)
		return -ENOENT;
	for (int i = 0; i < n; i++)
		if (rows[i].cg_id == id)
			rows[kept++] = rows[i];
	for (int i = 0; i < sum->nr_unlimited; i++)
		if (ref && !strcmp(((const char **)sum->unlimited)[i], ref->name))
			((const char **)sum->unlimited)[named++] = ref->name;
	sum->nr_unlimited = named;
	return kept;
}

/* One reading of the pinned state, what status prints. */
struct status_snapshot {
	struct pg_status_summary sum;
	struct pg_status_row *rows;
	int n;
	struct pg_container_ref *refs;
};

static void snapshot__free(struct status_snapshot *s)
{
	for (int i = 0; i < s->n; i++)
		free((void *)s->rows[i].top_groups);
	free(s->rows);
	free((void *)s->sum.unlimited);
	free(s->refs);
	memset(s, 0, sizeof(*s));
}

static __u64 wall_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * status --detail: the largest task groups of each row, from /proc. A
 * cgroup that is gone or unreadable simply has none.
 */
static void add_top_groups(const char *cg2, struct status_snapshot *s)
{
	char dir[PG_PATH_MAX + sizeof(s->rows->path)];

	s->sum.detail = true;
	for (int i = 0; i < s->n; i++) {
		struct pg_status_row *r = &s->rows[i];
		struct pg_tg_scan opts = { .threads = true };
		struct pg_task_group *groups;
		int n;

		if (r->path[0] != '/')
			continue;	/* "(gone)" */
		snprintf(dir, sizeof(dir), "%s%s", cg2, r->path);
		n = task_groups__of_cgroup(dir, &opts, &groups);
		if (n <= 0)
			continue;
		r->top_groups = groups;
		r->nr_top_groups = n < STATUS_TOP_GROUPS ? n : STATUS_TOP_GROUPS;
	}
}

/*
 * Read everything status shows (only the row of TARGET when not NULL).
 * 0, or a PG_EXIT_* status with the reason in err: PG_EXIT_USAGE when
 * TARGET names nothing, PG_EXIT_FAIL otherwise.
 */
static int snapshot__read(struct status_snapshot *s, const char *cg2, const char *target,
			  bool detail, char *err, size_t errlen)
{
	struct pg_loader ld;
	struct pg_config cfg;
	int nr_refs;
	__u32 zero = 0;

	memset(s, 0, sizeof(*s));
	s->sum.wall_ns = wall_now_ns();
	if (loader__open_pinned(&ld, err, errlen))
		return PG_EXIT_FAIL;
	if (loader__settings_get(&ld, &cfg) ||
	    bpf_map_lookup_elem(ld.stats_fd, &zero, &s->sum.stats)) {
		snprintf(err, errlen, "cannot read the pinned maps: %s", strerror(errno));
		loader__close(&ld);
		return PG_EXIT_FAIL;
	}
	s->sum.mode = output__mode_name(cfg.mode);
	s->sum.events_lost = s->sum.stats.events_lost;
	s->n = usage_rows__collect(&ld, cg2, &s->rows);
	loader__close(&ld);
	if (s->n < 0) {
		s->n = 0;
		snprintf(err, errlen, "out of memory");
		return PG_EXIT_FAIL;
	}
	nr_refs = add_container_names(s->rows, s->n, &s->sum, &s->refs);
	if (target) {
		int kept = keep_target(cg2, target, s->rows, s->n, &s->sum, s->refs, nr_refs);

		if (kept < 0) {
			snprintf(err, errlen, "status: '%s' is neither a limited cgroup nor a "
				 "container run knows (name, or id of 12+ hex digits)", target);
			snapshot__free(s);
			return PG_EXIT_USAGE;
		}
		s->n = kept;
	}
	output__sort_rows(s->rows, s->n);
	if (detail)
		add_top_groups(cg2, s);
	return 0;
}

/* A snapshot in the form asked for, or the error of a refresh that failed. */
static int snapshot__print(FILE *f, const struct pg_cmdline *cl, struct status_snapshot *s,
			   const char *error, __u64 wall_ns)
{
	json_writer_t *jw;

	if (!cl->json && !cl->pretty) {
		if (error)
			output__status_error_text(f, error);
		else
			output__status_text(f, &s->sum, s->rows, s->n);
		return 0;
	}
	jw = jsonw_new(f);
	if (!jw)
		return -ENOMEM;
	jsonw_pretty(jw, cl->pretty);
	if (error)
		output__status_error_json(jw, wall_ns, error);
	else
		output__status_json(jw, &s->sum, s->rows, s->n);
	jsonw_destroy(&jw);
	return 0;
}

static const char *status_target(const struct pg_cmdline *cl)
{
	return cl->nr_limits == 1 ? cl->limits[0].target : NULL;
}

static int status_once(const struct pg_cmdline *cl, const struct pg_mounts *mounts)
{
	struct status_snapshot snap;
	char err[PG_PATH_MAX + 256];
	int ret;

	ret = snapshot__read(&snap, mounts->cgroup2, status_target(cl), cl->detail, err,
			     sizeof(err));
	if (ret) {
		log__error("%s", err);
		return ret;
	}
	ret = snapshot__print(stdout, cl, &snap, NULL, 0);
	snapshot__free(&snap);
	if (ret) {
		log__error("out of memory");
		return PG_EXIT_FAIL;
	}
	return PG_EXIT_OK;
}

/*
 * Sleep until *next, then move it on by period_s (refreshes keep their
 * rhythm however long a read takes), or return early when SIGINT or
 * SIGTERM (blocked by the caller) comes: true then. Other signals that
 * interrupt the wait (SIGWINCH, SIGCONT) do not shorten it.
 */
static bool watch_sleep(const sigset_t *stop, struct timespec *next, unsigned int period_s)
{
	struct timespec now, left;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = next->tv_sec - now.tv_sec;
		left.tv_nsec = next->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			break;
		if (sigtimedwait(stop, NULL, &left) > 0)
			return true;
		if (errno == EAGAIN)
			break;
		/* EINTR: another signal; wait out the rest of the period. */
	}
	next->tv_sec += period_s;
	/* Late by a period or more (stopped, suspended): from now on, no burst. */
	if (next->tv_sec < now.tv_sec) {
		*next = now;
		next->tv_sec += period_s;
	}
	return false;
}

/*
 * One frame: drawn into memory, then written at once, so that a terminal
 * never shows a half-cleared screen. 0, or -errno when stdout failed.
 */
static int watch_frame(const struct pg_cmdline *cl, struct status_snapshot *snap,
		       const char *error, __u64 wall_ns, bool tty, bool first)
{
	char *frame = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&frame, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	/* JSON: one object per refresh and line, its "time" says when. */
	if (!cl->json && !cl->pretty)
		output__watch_header(f, wall_ns, cl->watch_s, tty, first);
	ret = snapshot__print(f, cl, snap, error, wall_ns);
	if (fclose(f) || ret) {
		free(frame);
		return -ENOMEM;
	}
	ret = fwrite(frame, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -EIO;
	free(frame);
	return ret;
}

static int status_watch(const struct pg_cmdline *cl, const struct pg_mounts *mounts)
{
	bool tty = isatty(STDOUT_FILENO);
	struct timespec next;
	sigset_t stop, old;
	int rc = PG_EXIT_OK;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &old);
	clock_gettime(CLOCK_MONOTONIC, &next);
	next.tv_sec += cl->watch_s;
	for (bool first = true;; first = false) {
		struct status_snapshot snap;
		char err[PG_PATH_MAX + 256];
		int ret;

		ret = snapshot__read(&snap, mounts->cgroup2, status_target(cl), cl->detail, err,
				     sizeof(err));
		if (ret && (first || !loader__pinned())) {
			/*
			 * Nothing to watch: not loaded, or a TARGET that names
			 * nothing, from the start (as without --watch); or
			 * pidguard stopped meanwhile.
			 */
			if (!first)
				log__error("pidguard stopped: nothing is pinned at %s any more",
					   paths__pin_dir());
			else
				log__error("%s", err);
			rc = first ? ret : PG_EXIT_FAIL;
			break;
		}
		/* A refresh that failed otherwise says so, and the next one tries again. */
		ret = watch_frame(cl, &snap, ret ? err : NULL, snap.sum.wall_ns ? snap.sum.wall_ns
									   : wall_now_ns(),
				  tty, first);
		snapshot__free(&snap);
		if (ret) {
			/* stdout is gone (a closed pipe): nobody to show it to. */
			rc = PG_EXIT_FAIL;
			break;
		}
		if (watch_sleep(&stop, &next, cl->watch_s))
			break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int cmd_status(const struct pg_cmdline *cl)
{
	struct pg_mounts mounts;
	int ret;

	ret = commands__need_root("status");
	if (ret)
		return ret;
	ret = commands__mounts(&mounts);
	if (ret)
		return ret;
	return cl->watch_s ? status_watch(cl, &mounts) : status_once(cl, &mounts);
}
