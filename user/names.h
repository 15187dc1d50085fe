/* SPDX-License-Identifier: GPL-2.0 */
/*
 * names.h - which container a cgroup id belongs to, published by `run` for
 * the commands that have no Docker connection of their own (`status`,
 * `limit NAME N`).
 *
 * `run` owns the container table (docker_sync); whenever it changes, `run`
 * rewrites PG_NAMES_PATH atomically (a temporary file, then rename), so a
 * reader sees either the old table or the new one, never half of each. No
 * BPF change is needed: cgroup ids are the key on both sides. The file is a
 * header line, then one tab-separated line per container:
 *
 *   cg_id  id  name  project  service  limit  source  case  sentence
 *
 * (limit is a number or "none"; project/service "-" when absent). Tabs,
 * newlines and other control bytes in a field are replaced by '?' when
 * written: labels are chosen by whoever starts a container.
 */
#ifndef PG_NAMES_H
#define PG_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define PG_NAMES_DIR	"/run/pidguard"
#define PG_NAMES_PATH	PG_NAMES_DIR "/containers"	/* of the default instance */
#define PG_NAMES_HEADER	"# pidguard containers v1"

struct pg_container_ref {
	__u64 cg_id;
	char id[65];		/* full container id */
	char name[256];
	char project[256];	/* com.docker.compose.project, "" when none */
	char service[256];
	__u32 limit;		/* PG_NO_LIMIT: none */
	char source[64];	/* "label", "compose file", ... */
	char comp_case[32];	/* compensation__case_name() */
	char sentence[640];	/* the compensation report's sentence */
	char on_runaway[16];	/* label pidguard.on-runaway, "" when none (not in the file) */
};

/*
 * The file of this instance: /run/NAME/containers for the pin directory
 * /sys/fs/bpf/NAME (paths.h), so PG_NAMES_PATH for the default one and
 * never the table of another instance running side by side.
 */
const char *names__path(void);

/* One line (with '\n') for ref into buf; the length, or -ENOSPC. */
int names__format_line(const struct pg_container_ref *ref, char *buf, size_t len);

/* Parse one line (without or with its '\n'). 0, or -EINVAL. */
int names__parse_line(const char *line, struct pg_container_ref *out);

/*
 * Write refs to path atomically (path.tmp, fsync-free rename; mode 0600,
 * creating path's directory 0700 when missing). 0 or a negative errno.
 */
int names__write(const char *path, const struct pg_container_ref *refs, int n);

/*
 * Read path into a malloc'd array (*refs, caller frees). Bad lines are
 * skipped. Returns the count, 0 when the file does not exist, or -errno.
 */
int names__read(const char *path, struct pg_container_ref **refs);

const struct pg_container_ref *names__find_cg(const struct pg_container_ref *refs, int n,
					      __u64 cg_id);

/*
 * The container a TARGET names: its name, or a prefix of its id of 12 or
 * more hex digits (`docker ps` shows 12). NULL when none, and when an id
 * prefix is ambiguous (*ambiguous set).
 */
const struct pg_container_ref *names__find_target(const struct pg_container_ref *refs, int n,
						  const char *target, bool *ambiguous);

#endif
