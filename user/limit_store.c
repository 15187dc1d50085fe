// SPDX-License-Identifier: GPL-2.0
/*
 * limit_store.c - the limits and usage maps, seen from userspace.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "limit_store.h"

__u32 limit_store__warn_at(__u32 max, __u32 pct)
{
	__u64 at;

	if (max == PG_NO_LIMIT || pct == 0 || pct > 100)
		return 0;
	/* Round up: 80% of 25 is 20, of 3 is 3 (2.4 rounds up). */
	at = ((__u64)max * pct + 99) / 100;
	return at < 1 ? 1 : at > max ? max : (__u32)at;
}

int limit_store__set(const struct pg_loader *l, const struct pg_cgroup *cg, __u32 max, char *err,
		size_t errlen)
{
	struct pg_limit lim = {};
	struct pg_usage zero_usage = {};
	struct pg_config cfg;
	bool is_new;
	int ret;

	if (cg->level < 0 || cg->level >= PG_MAX_LEVELS) {
		snprintf(err, errlen, "%s: cgroup level %d is deeper than pidguard supports (%d)",
			 cg->rel, cg->level, PG_MAX_LEVELS - 1);
		return -EINVAL;
	}
	ret = loader__settings_get(l, &cfg);
	if (ret) {
		snprintf(err, errlen, "cannot read settings: %s", strerror(-ret));
		return ret;
	}
	is_new = bpf_map_lookup_elem(l->limits_fd, &cg->id, &lim) != 0;
	lim.max = max;
	lim.warn_at = limit_store__warn_at(max, cfg.warn_pct);
	lim.level = cg->level;

	if (!is_new) {
		if (bpf_map_update_elem(l->limits_fd, &cg->id, &lim, BPF_EXIST)) {
			snprintf(err, errlen, "%s: cannot update its limit: %s", cg->rel,
				 strerror(errno));
			return -errno;
		}
		return 0;
	}

	/* Usage first: from the moment the limit exists, forks charge it. */
	if (bpf_map_update_elem(l->usage_fd, &cg->id, &zero_usage, BPF_NOEXIST) &&
	    errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot add a usage entry: %s%s", cg->rel,
			 strerror(-ret),
			 ret == -E2BIG ? " (usage map full: too many limited cgroups)" : "");
		return ret;
	}
	if (bpf_map_update_elem(l->limits_fd, &cg->id, &lim, BPF_NOEXIST)) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot add its limit: %s%s", cg->rel, strerror(-ret),
			 ret == -E2BIG ? " (limits map full: too many limited cgroups)" : "");
		bpf_map_delete_elem(l->usage_fd, &cg->id);
		return ret;
	}

	/* Then let the programs look at this level, and seed. */
	cfg.level_mask |= 1u << cg->level;
	if ((__u32)cg->level + 1 > cfg.nr_levels)
		cfg.nr_levels = cg->level + 1;
	cfg.seeding = 1;
	ret = loader__settings_set(l, &cfg);
	if (!ret)
		ret = loader__reconcile(l);
	cfg.seeding = 0;
	if (loader__settings_set(l, &cfg) && !ret)
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "%s: limit installed, but counting the tasks already there "
				      "failed: %s",
			 cg->rel, strerror(-ret));
		return ret;
	}
	return 0;
}

int limit_store__count(const struct pg_loader *l)
{
	__u64 key, next;
	int n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(l->limits_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

int limit_store__collect(const struct pg_loader *l, const char *cg2_root)
{
	__u64 *gone = NULL, key, next;
	void *prev = NULL;
	char path[PG_PATH_MAX];
	int n = 0, cap = 0;

	/*
	 * Collect first, delete after: deleting while walking skips keys. All
	 * in one pass, however many: after a mass removal of containers (or a
	 * map filled with ids of gone cgroups) every slot comes back at once.
	 */
	while (bpf_map_get_next_key(l->limits_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (cgroup__path_of_id(cg2_root, key, path, sizeof(path)) != -ENOENT)
			continue;
		if (n == cap) {
			__u64 *bigger = realloc(gone, (cap ? cap * 2 : 256) * sizeof(*gone));

			if (!bigger)
				break;	/* delete what we have; the rest next time */
			gone = bigger;
			cap = cap ? cap * 2 : 256;
		}
		gone[n++] = key;
	}
	for (int i = 0; i < n; i++) {
		bpf_map_delete_elem(l->limits_fd, &gone[i]);
		bpf_map_delete_elem(l->usage_fd, &gone[i]);
	}
	free(gone);
	return n;
}
