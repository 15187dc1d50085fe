// SPDX-License-Identifier: GPL-2.0
/*
 * mapfill - fill one of pidguard's pinned maps with entries no task or
 * cgroup has, to test what pidguard does with a full map; and empty it of
 * them again.
 *
 *   mapfill [--zombie-pids] [--delete] PINNED_MAP COUNT
 *
 * limits (the default): cgroup ids counting down from 2^62, far above any
 * id the kernel hands out (a 64-bit counter from 1), so no task is ever
 * charged to them; the loader's limit collection drops them as "removed
 * cgroups".
 *
 * --zombie-pids: keys of pid namespace 1, which is no kernel address (a
 * struct pid_namespace lives at 0xffff...), so no reaper ever looks one up,
 * pids 1..COUNT, each pointing at global pid 0, which no zombie has.
 *
 * --delete removes the first COUNT of those keys again. Raw bpf(2), no
 * libbpf: the tools are built plain (see the Makefile). Prints added=N (or
 * deleted=N) and the errno that stopped it, if any (E2BIG: the map is
 * full).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "pidguard.h"

/* As struct pg_pid_key in bpf/maps.bpf.h. */
struct pid_key {
	__u64 ns;
	__u32 nr;
	__u32 pad;
};

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static void usage(void)
{
	fprintf(stderr, "usage: mapfill [--zombie-pids] [--delete] PINNED_MAP COUNT\n");
}

int main(int argc, char **argv)
{
	struct pg_limit lim = { .max = 1, .warn_at = 1, .level = 1 };
	bool zombie_pids = false, delete = false;
	struct pid_key pk = { .ns = 1 };
	__u32 no_zombie = 0;
	union bpf_attr attr;
	long count, done = 0;
	__u64 cgroup_id;
	char *end;
	int fd, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--zombie-pids")) {
			zombie_pids = true;
		} else if (!strcmp(argv[i], "--delete")) {
			delete = true;
		} else {
			usage();
			return 2;
		}
	}
	if (argc - i != 2) {
		usage();
		return 2;
	}
	count = strtol(argv[i + 1], &end, 10);
	if (*end || count < 0 || count > 1000000) {
		fprintf(stderr, "mapfill: '%s' is not a count from 0 to 1000000\n", argv[i + 1]);
		return 2;
	}
	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uintptr_t)argv[i];
	fd = sys_bpf(BPF_OBJ_GET, &attr);
	if (fd < 0) {
		fprintf(stderr, "mapfill: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	for (long n = 0; n < count; n++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		if (zombie_pids) {
			pk.nr = (__u32)n + 1;
			attr.key = (uintptr_t)&pk;
			attr.value = (uintptr_t)&no_zombie;
		} else {
			cgroup_id = (1ULL << 62) - (__u64)n;
			attr.key = (uintptr_t)&cgroup_id;
			attr.value = (uintptr_t)&lim;
		}
		if (delete) {
			/* A delete takes a key only: the rest must be 0. */
			attr.value = 0;
		} else {
			attr.flags = BPF_NOEXIST;
		}
		if (sys_bpf(delete ? BPF_MAP_DELETE_ELEM : BPF_MAP_UPDATE_ELEM, &attr)) {
			printf("%s=%ld\nstopped=%s\n", delete ? "deleted" : "added", done,
			       strerror(errno));
			close(fd);
			return 0;
		}
		done++;
	}
	printf("%s=%ld\n", delete ? "deleted" : "added", done);
	close(fd);
	return 0;
}
