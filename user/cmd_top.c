// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_top.c - `pidguard top TARGET [--groups N]`: what runs in a cgroup,
 * grouped by executable and command line, duplicates first, so that the
 * runaway in a container (212 copies of one MCP server) is the first line.
 *
 * It reads /proc and cgroupfs only; pidguard's count and limit are added
 * when its maps are pinned, so top works on any host. Without root the
 * executables of other users' processes cannot be read (their command
 * lines can): top says so once and shows "?" for them.
 */
#include <errno.h>
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
#include "task_groups.h"
#include "top_output.h"

#define TOP_DEFAULT_GROUPS 20

/* pidguard's view of the cgroup, when it runs (or its maps are pinned). */
static void pinned_state(const struct pg_cgroup *cg, struct pg_top_header *h)
{
	char err[PG_PATH_MAX + 128];
	struct pg_limit lim;
	struct pg_usage u;
	struct pg_loader ld;

	if (geteuid() != 0) {
		h->no_access = true;
		return;
	}
	if (!loader__pinned() || loader__open_pinned(&ld, err, sizeof(err)))
		return;
	h->pinned = true;
	if (!bpf_map_lookup_elem(ld.usage_fd, &cg->id, &u))
		h->current = u.current;
	if (!bpf_map_lookup_elem(ld.limits_fd, &cg->id, &lim)) {
		h->limited = true;
		h->limit = lim.max;
	}
	loader__close(&ld);
}

int cmd_top(const struct pg_cmdline *cl)
{
	struct pg_tg_scan opts = { .threads = true };
	struct pg_top_header h = { 0 };
	struct pg_task_group *groups;
	struct pg_mounts mounts;
	struct pg_cgroup cg;
	struct timespec now;
	int ret, n;

	ret = commands__mounts(&mounts);
	if (ret)
		return ret;
	if (commands__resolve_target(mounts.cgroup2, cl->limits[0].target, &cg))
		return PG_EXIT_USAGE;
	if (geteuid() != 0)
		log__warn("not root: the executables of other users' processes cannot be read "
			  "(shown as \"?\"), nor pidguard's count; run as root for the full view");
	n = task_groups__of_cgroup(cg.path, &opts, &groups);
	if (n < 0) {
		log__error("%s: cannot list its processes: %s", cg.rel, strerror(-n));
		return PG_EXIT_FAIL;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	h.cgroup = cg.rel;
	h.cg_id = cg.id;
	h.nr_procs = opts.nr_procs;
	h.truncated = opts.truncated;
	h.wall_ns = (__u64)now.tv_sec * 1000000000ull + now.tv_nsec;
	pinned_state(&cg, &h);

	if (cl->json || cl->pretty) {
		json_writer_t *jw = jsonw_new(stdout);

		if (!jw) {
			free(groups);
			log__error("out of memory");
			return PG_EXIT_FAIL;
		}
		jsonw_pretty(jw, cl->pretty);
		top_output__json(jw, &h, groups, n);
		jsonw_destroy(&jw);
	} else {
		top_output__text(stdout, &h, groups, n,
				 cl->top_groups ? (int)cl->top_groups : TOP_DEFAULT_GROUPS);
	}
	free(groups);
	return PG_EXIT_OK;
}
