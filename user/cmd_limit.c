// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_limit.c - `pidguard limit TARGET N|none`: change a limit live, in the
 * pinned maps (with or without a running loader). A new target is seeded
 * from the tasks already in it before the command returns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "cgroup.h"
#include "commands.h"
#include "json_writer.h"
#include "limit_store.h"
#include "loader.h"
#include "log.h"
#include "names.h"

/*
 * TARGET as a container name or short id, through the table `run`
 * publishes (names.h): 0 with cg resolved, or -ENOENT (err unset) when no
 * container has that name, or another error with err set.
 */
static int resolve_container(const char *cg2, const char *target, struct pg_cgroup *cg,
			     char *err, size_t errlen)
{
	const struct pg_container_ref *ref;
	struct pg_container_ref *refs;
	char rel[PG_PATH_MAX];
	bool ambiguous;
	int n, ret = -ENOENT;

	if (strchr(target, '/'))
		return -ENOENT;
	n = names__read(names__path(), &refs);
	if (n <= 0)
		return -ENOENT;
	ref = names__find_target(refs, n, target, &ambiguous);
	if (ambiguous) {
		snprintf(err, errlen, "%s: more than one container id starts with it; give more "
			 "digits or the name", target);
		ret = -EINVAL;
	} else if (ref) {
		ret = cgroup__path_of_id(cg2, ref->cg_id, rel, sizeof(rel));
		if (ret)
			snprintf(err, errlen, "container %s: its cgroup (id %llu) is gone: %s",
				 ref->name, (unsigned long long)ref->cg_id, strerror(-ret));
		else
			ret = cgroup__resolve(cg2, rel, cg, err, errlen);
		if (ret == -ENOENT)
			ret = -ESRCH;	/* found, but unusable: say why */
	}
	free(refs);
	return ret;
}

int commands__resolve_target(const char *cg2, const char *target, struct pg_cgroup *cg)
{
	char err[PG_PATH_MAX + 256], why[PG_PATH_MAX + 256];
	int ret;

	if (!cgroup__resolve(cg2, target, cg, err, sizeof(err)))
		return 0;
	ret = resolve_container(cg2, target, cg, why, sizeof(why));
	if (ret)
		log__error("%s", ret == -ENOENT ? err : why);
	return ret;
}

int cmd_limit(const struct pg_cmdline *cl)
{
	const struct pg_limit_arg *arg = &cl->limits[0];
	char err[PG_PATH_MAX + 256];
	struct pg_mounts mounts;
	struct pg_cgroup cg;
	struct pg_loader ld;
	struct pg_usage u = {};
	int ret;

	ret = commands__need_root("limit");
	if (ret)
		return ret;
	ret = commands__mounts(&mounts);
	if (ret)
		return ret;
	if (commands__resolve_target(mounts.cgroup2, arg->target, &cg))
		return PG_EXIT_USAGE;
	if (loader__open_pinned(&ld, err, sizeof(err))) {
		log__error("%s", err);
		return PG_EXIT_FAIL;
	}
	ret = limit_store__set(&ld, &cg, arg->max, err, sizeof(err));
	if (ret) {
		log__error("%s", err);
		loader__close(&ld);
		return PG_EXIT_FAIL;
	}
	bpf_map_lookup_elem(ld.usage_fd, &cg.id, &u);
	loader__close(&ld);

	if (cl->json || cl->pretty) {
		json_writer_t *jw = jsonw_new(stdout);

		if (jw) {
			jsonw_pretty(jw, cl->pretty);
			jsonw_start_object(jw);
			jsonw_string_field(jw, "cgroup", cg.rel);
			jsonw_uint_field(jw, "cgroup_id", cg.id);
			jsonw_name(jw, "limit");
			if (arg->max == PG_NO_LIMIT)
				jsonw_null(jw);
			else
				jsonw_uint(jw, arg->max);
			jsonw_int_field(jw, "current", u.current);
			jsonw_end_object(jw);
			jsonw_destroy(&jw);
		}
	} else if (arg->max == PG_NO_LIMIT) {
		printf("%s: no limit (still counted: %lld tasks)\n", cg.rel, (long long)u.current);
	} else {
		printf("%s: limit %u (%lld tasks now)\n", cg.rel, arg->max, (long long)u.current);
	}
	return PG_EXIT_OK;
}
