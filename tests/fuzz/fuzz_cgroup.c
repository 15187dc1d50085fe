// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_cgroup.c - every string check between a TARGET (or a Docker answer)
 * and a cgroup directory: /proc/<pid>/cgroup text, a container's cgroup
 * path trimmed to its id, systemd slice expansion, Docker's layout rules,
 * and cgroup__resolve_path's "..", symlink and outside-the-mount checks.
 * The first byte picks the function, the rest is split on NUL bytes.
 *
 * cgroup__resolve_path only reads (realpath, stat, access); it is pointed
 * at a private tree under /tmp that mimics a cgroup v2 mount, with a
 * symlink out of it, a directory that is not a cgroup and a plain file.
 * Nothing here creates or removes a real cgroup.
 *
 * fuzz-sources: user/cgroup.c user/docker_cgroup.c user/docker_json.c
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup.h"
#include "docker_cgroup.h"
#include "fuzz_util.h"

static char tree[64];		/* /tmp/pgfuzz-cg-XXXXXX */
static char cg_root[128];	/* tree/cg: the fake cgroup v2 mount */

static void touch(const char *dir, const char *name)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f)
		fclose(f);
}

static void sub(const char *rel, bool cgroup)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", tree, rel);
	mkdir(p, 0700);
	if (cgroup)
		touch(p, "cgroup.procs");
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void tree_remove(void)
{
	if (tree[0])
		nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[256], target[256];

	(void)argc; (void)argv;
	snprintf(tree, sizeof(tree), "/tmp/pgfuzz-cg-XXXXXX");
	if (!mkdtemp(tree))
		abort();
	atexit(tree_remove);
	snprintf(cg_root, sizeof(cg_root), "%s/cg", tree);
	sub("cg", true);
	sub("cg/docker", true);
	sub("cg/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true);
	sub("cg/system.slice", true);
	sub("cg/system.slice/docker-abc.scope", true);
	sub("cg/notcg", false);
	sub("outside", true);
	touch(cg_root, "pids.max");
	snprintf(p, sizeof(p), "%s/escape", cg_root);
	snprintf(target, sizeof(target), "%s/outside", tree);
	symlink(target, p);
	snprintf(p, sizeof(p), "%s/inside", cg_root);
	symlink("docker", p);
	snprintf(p, sizeof(p), "%s/loop", cg_root);
	symlink("loop", p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *fields[3] = { NULL }, *text, out_path[DOCKER_CG_PATH_MAX], err[512];
	struct docker_cgroup_paths paths;
	struct pg_cgroup cg;
	bool certain;
	int n, which;

	if (size < 2)
		return 0;
	which = data[0] % 5;
	switch (which) {
	case 0:
		text = malloc(size - 1);
		if (!text)
			abort();
		memcpy(text, data + 1, size - 1);
		docker_cgroup__parse_proc(text, size - 1, &paths);
		free(text);
		return 0;
	case 1:
		n = fuzz__split(data + 1, size - 1, fields, 2);
		docker_cgroup__trim_to_container(fields[0], n > 1 ? fields[1] : "");
		break;
	case 2:
		n = fuzz__split(data + 1, size - 1, fields, 1);
		docker_cgroup__expand_slice(fields[0], out_path, sizeof(out_path));
		break;
	case 3:
		n = fuzz__split(data + 2, size - 2, fields, 2);
		docker_cgroup__from_rules((enum docker_cgroup_driver)(data[1] % 4), fields[0],
					  n > 1 ? fields[1] : "", out_path, sizeof(out_path),
					  &certain);
		break;
	default:
		n = fuzz__split(data + 1, size - 1, fields, 1);
		if (!cgroup__resolve_path(cg_root, fields[0], &cg, err, sizeof(err)) &&
		    strncmp(cg.path, tree, strlen(tree)))
			abort();	/* resolved to something outside the mount */
		break;
	}
	fuzz__free_fields(fields, n);
	return 0;
}
