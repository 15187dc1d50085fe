/* SPDX-License-Identifier: GPL-2.0 */
/* cgroup.h - turn a TARGET into a cgroup v2 directory, its id and level. */
#ifndef PG_CGROUP_H
#define PG_CGROUP_H

#include <linux/types.h>
#include "mountinfo.h"

struct pg_cgroup {
	char path[PG_PATH_MAX];	/* absolute path, no trailing slash */
	char rel[PG_PATH_MAX];	/* path relative to the v2 mount, "/" for the root */
	__u64 id;		/* kernfs id, as bpf_get_current_cgroup_id() */
	int level;		/* 0 for the root, 1 for /a, 2 for /a/b ... */
};

/*
 * Resolve TARGET, absolute ("/sys/fs/cgroup/unified/docker/x") or relative
 * to cg2_root ("docker/x" or "/docker/x" when it does not start with
 * cg2_root), to a cgroup of the v2 hierarchy mounted at cg2_root.
 * Rejects, with a message in err (errlen bytes): an empty target, "..",
 * a path outside cg2_root (after realpath, so symlinks cannot escape), a
 * path that does not exist, and a directory that is not a cgroup (no
 * cgroup.procs). Returns 0 or a negative errno.
 */
int cgroup__resolve(const char *cg2_root, const char *target,
		    struct pg_cgroup *out, char *err, size_t errlen);

/*
 * cgroup__resolve without the id lookup (out->id is 0): every path check,
 * on any directory tree, so that the checks are testable outside kernfs.
 */
int cgroup__resolve_path(const char *cg2_root, const char *target,
			 struct pg_cgroup *out, char *err, size_t errlen);

/*
 * The kernfs id of the cgroup directory at path (name_to_handle_at).
 * -EMEDIUMTYPE when path is not on kernfs (no such id), or -errno.
 */
int cgroup__id(const char *path, __u64 *id);

/*
 * The path of cgroup id relative to cg2_root ("/docker/x"), or -ENOENT when
 * it no longer exists (open_by_handle_at on the mount).
 */
int cgroup__path_of_id(const char *cg2_root, __u64 id, char *buf, size_t len);

/* Number of tasks (threads) listed in cgroup.threads of path and all its
 * descendants; zombies do not appear there. Returns the count or -errno. */
long cgroup__count_tasks(const char *path);

#endif
