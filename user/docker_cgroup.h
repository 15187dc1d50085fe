/* SPDX-License-Identifier: GPL-2.0 */
/*
 * docker_cgroup.h - the cgroup of a Docker container, for every layout
 * Docker produces: cgroupfs driver (<parent or /docker>/<id>), systemd
 * driver (<expanded slice>/docker-<id>.scope), --cgroup-parent, on cgroup
 * v2, v1 and hybrid hosts.
 *
 * Primary truth: /proc/<State.Pid>/cgroup, whose "0::" line is the v2 path
 * and whose "N:...pids...:" line is the v1 pids path. Fallback when the
 * container does not run or the pid no longer belongs to it: the layout
 * rules of moby and runc. Paths are relative to the hierarchy's mount
 * ("/docker/<id>"), as cgroup__resolve() takes them.
 */
#ifndef PG_DOCKER_CGROUP_H
#define PG_DOCKER_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include "docker_json.h"

#define DOCKER_CG_PATH_MAX	2048

struct docker_cgroup_paths {
	char v2[DOCKER_CG_PATH_MAX];		/* "" when there is no "0::" line */
	char pids_v1[DOCKER_CG_PATH_MAX];	/* "" when no v1 pids hierarchy */
};

enum docker_cgroup_how {
	DOCKER_CG_FROM_PROC = 1,	/* /proc/<pid>/cgroup */
	DOCKER_CG_FROM_RULES,		/* driver + CgroupParent + id */
};

struct docker_cgroup_where {
	struct docker_cgroup_paths paths;
	enum docker_cgroup_how how;
	bool certain;		/* false: a relative CgroupParent, guessed from "/" */
	char note[256];		/* why the rules were used, "" when from /proc */
};

/*
 * Parse the text of /proc/<pid>/cgroup. Lines with ".." or not starting
 * with '/' (another cgroup namespace) are ignored. Returns 0, or -ENOENT
 * when neither a v2 nor a v1 pids line is there.
 */
int docker_cgroup__parse_proc(const char *text, size_t len, struct docker_cgroup_paths *out);

/* Read <proc_root>/<pid>/cgroup (proc_root NULL: "/proc") and parse it. */
int docker_cgroup__from_pid(const char *proc_root, int pid, struct docker_cgroup_paths *out);

/*
 * Cut path after the component that names container id ("<id>" or
 * "docker-<id>.scope"): a container may move its init into a sub-cgroup
 * of its own (Docker in Docker's /init). false when no component names
 * id: the pid is not (or no longer) the container's.
 */
bool docker_cgroup__trim_to_container(char *path, const char *id);

/*
 * systemd's slice expansion: "a-b.slice" -> "/a.slice/a-b.slice",
 * "-.slice" -> "/". -EINVAL for a name systemd would refuse.
 */
int docker_cgroup__expand_slice(const char *slice, char *out, size_t len);

/*
 * Where Docker puts container id: the same relative path in the v2
 * hierarchy and in each v1 one. *certain is false for a relative
 * CgroupParent with the cgroupfs driver, which runc places under its own
 * cgroup (usually, and here assumed, "/"). -EINVAL for a bad parent,
 * -ENOTSUP for the "none" driver.
 */
int docker_cgroup__from_rules(enum docker_cgroup_driver driver, const char *cgroup_parent,
			      const char *id, char *out, size_t len, bool *certain);

/*
 * Resolve container c: from /proc when it runs and the pid's cgroup names
 * it, else from the rules (driver from info; cgroupfs when unknown). When
 * cg2_root is not NULL a rule-made v2 path must exist under it (-ENOENT
 * otherwise, with the path in err). Returns 0 or a negative errno.
 */
int docker_cgroup__resolve(const char *proc_root, const char *cg2_root,
			   const struct docker_info *info, const struct docker_container *c,
			   struct docker_cgroup_where *out, char *err, size_t errlen);

#endif
