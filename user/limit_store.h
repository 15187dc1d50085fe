/* SPDX-License-Identifier: GPL-2.0 */
/*
 * limit_store.h - install, change and collect limits in the pinned maps.
 *
 * A new limit is installed in this order: a zeroed usage entry, then the
 * limit (from here on every fork in the cgroup is charged), then the level
 * in settings.level_mask, then a seeding pass that charges the tasks that
 * were already there. A limit set to "none" keeps its counters (a later
 * limit is exact at once); entries go only when their cgroup is removed.
 */
#ifndef PG_LIMIT_STORE_H
#define PG_LIMIT_STORE_H

#include <stddef.h>
#include <linux/types.h>
#include "cgroup.h"
#include "loader.h"

/* Set cg's limit to max (PG_NO_LIMIT: track only). 0 or negative errno. */
int limit_store__set(const struct pg_loader *l, const struct pg_cgroup *cg, __u32 max, char *err,
		size_t errlen);

/* Count of installed entries. */
int limit_store__count(const struct pg_loader *l);

/*
 * Drop the entries of cgroups that no longer exist (looked up by id on the
 * v2 mount). Returns how many were dropped.
 */
int limit_store__collect(const struct pg_loader *l, const char *cg2_root);

/* warn_at for a limit at pct percent: at least 1, never above max. */
__u32 limit_store__warn_at(__u32 max, __u32 pct);

#endif
