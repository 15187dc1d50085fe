// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_status.c - `pidguard status`: the limited cgroups, read from the
 * pinned maps (no running loader needed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "cgroup.h"
#include "commands.h"
#include "loader.h"
#include "log.h"
#include "names.h"
#include "output.h"

static int collect_rows(const struct pg_loader *ld, const char *cg2, struct pg_status_row **out)
{
	struct pg_status_row *rows = NULL;
	__u64 key, next;
	void *prev = NULL;
	int n = 0, cap = 0;

	while (bpf_map_get_next_key(ld->limits_fd, prev, &next) == 0) {
		struct pg_limit lim;
		struct pg_status_row *row;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(ld->limits_fd, &key, &lim))
			continue; /* removed meanwhile */
		if (n == cap) {
			struct pg_status_row *bigger;

			cap = cap ? cap * 2 : 64;
			bigger = realloc(rows, cap * sizeof(*rows));
			if (!bigger) {
				free(rows);
				return -ENOMEM;
			}
			rows = bigger;
		}
		row = &rows[n++];
		memset(row, 0, sizeof(*row));
		row->cg_id = key;
		row->limit = lim.max;
		if (cgroup__path_of_id(cg2, key, row->path, sizeof(row->path)))
			snprintf(row->path, sizeof(row->path), "(gone)");
		bpf_map_lookup_elem(ld->usage_fd, &key, &row->usage);
	}
	*out = rows;
	return n;
}

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

int cmd_status(const struct pg_cmdline *cl)
{
	struct pg_status_summary sum = {};
	struct pg_status_row *rows = NULL;
	struct pg_container_ref *refs = NULL;
	int nr_refs;
	struct pg_loader ld;
	struct pg_mounts mounts;
	struct pg_config cfg;
	char err[512];
	__u32 zero = 0;
	int n, ret;

	ret = commands__need_root("status");
	if (ret)
		return ret;
	ret = commands__mounts(&mounts);
	if (ret)
		return ret;
	if (loader__open_pinned(&ld, err, sizeof(err))) {
		log__error("%s", err);
		return PG_EXIT_FAIL;
	}
	if (loader__settings_get(&ld, &cfg) ||
	    bpf_map_lookup_elem(ld.stats_fd, &zero, &sum.stats)) {
		log__error("cannot read the pinned maps: %s", strerror(errno));
		loader__close(&ld);
		return PG_EXIT_FAIL;
	}
	sum.mode = output__mode_name(cfg.mode);
	sum.events_lost = sum.stats.events_lost;

	n = collect_rows(&ld, mounts.cgroup2, &rows);
	loader__close(&ld);
	if (n < 0) {
		log__error("out of memory");
		return PG_EXIT_FAIL;
	}
	nr_refs = add_container_names(rows, n, &sum, &refs);
	if (cl->nr_limits == 1) {
		n = keep_target(mounts.cgroup2, cl->limits[0].target, rows, n, &sum, refs, nr_refs);
		if (n < 0) {
			log__error("status: '%s' is neither a limited cgroup nor a container run "
				   "knows (name, or id of 12+ hex digits)", cl->limits[0].target);
			free(rows);
			free((void *)sum.unlimited);
			free(refs);
			return PG_EXIT_USAGE;
		}
	}
	output__sort_rows(rows, n);
	if (cl->json || cl->pretty) {
		json_writer_t *jw = jsonw_new(stdout);

		if (!jw) {
			free(rows);
			free((void *)sum.unlimited);
			free(refs);
			log__error("out of memory");
			return PG_EXIT_FAIL;
		}
		jsonw_pretty(jw, cl->pretty);
		output__status_json(jw, &sum, rows, n);
		jsonw_destroy(&jw);
	} else {
		output__status_text(stdout, &sum, rows, n);
	}
	free(rows);
	free((void *)sum.unlimited);
	free(refs);
	return PG_EXIT_OK;
}
