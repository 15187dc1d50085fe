/* SPDX-License-Identifier: GPL-2.0 */
/* mountinfo.h - find cgroup and bpffs mounts in /proc/self/mountinfo. */
#ifndef PG_MOUNTINFO_H
#define PG_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>

#define PG_PATH_MAX 4096

struct pg_mounts {
	char cgroup2[PG_PATH_MAX];	/* cgroup v2 mount point, "" if none */
	char pids_v1[PG_PATH_MAX];	/* v1 hierarchy carrying "pids", "" if none */
	char freezer_v1[PG_PATH_MAX];	/* v1 hierarchy carrying "freezer", "" if none */
	bool bpffs_at_pin_root;		/* a bpf filesystem is mounted at /sys/fs/bpf */
};

/*
 * Parse mountinfo text (the content of /proc/self/mountinfo). Mount points
 * are unescaped (\040 etc.). The first matching mount of each kind wins.
 * Returns 0, or -EINVAL on a malformed line (the line number is stored in
 * *bad_line when bad_line is not NULL).
 */
int mountinfo__parse(const char *text, struct pg_mounts *out, int *bad_line);

/*
 * Read and parse a mountinfo file (tests point it at fixtures). Returns 0
 * or a negative errno; -EINVAL with *bad_line as for mountinfo__parse.
 */
int mountinfo__load_file(const char *path, struct pg_mounts *out, int *bad_line);

/* Read and parse /proc/self/mountinfo. Returns 0 or a negative errno. */
int mountinfo__load(struct pg_mounts *out);

#endif
