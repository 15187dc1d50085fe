// SPDX-License-Identifier: GPL-2.0
/*
 * mapfill - fill pidguard's pinned `limits` map with entries for cgroup ids
 * that no cgroup has, to test what pidguard does with a full map.
 *
 *   mapfill PINNED_LIMITS_MAP COUNT
 *
 * The ids count down from 2^62, far above any id the kernel hands out (a
 * 64-bit counter from 1), so no task is ever charged to them; the loader's
 * limit collection drops them as "removed cgroups". Raw bpf(2), no libbpf:
 * the tools are built plain (see the Makefile). Prints added=N and the
 * errno that stopped it, if any (E2BIG: the map is full).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "pidguard.h"

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int main(int argc, char **argv)
{
	struct pg_limit lim = { .max = 1, .warn_at = 1, .level = 1 };
	union bpf_attr attr;
	long count, added = 0;
	char *end;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: mapfill PINNED_LIMITS_MAP COUNT\n");
		return 2;
	}
	count = strtol(argv[2], &end, 10);
	if (*end || count < 0 || count > 1000000) {
		fprintf(stderr, "mapfill: '%s' is not a count from 0 to 1000000\n", argv[2]);
		return 2;
	}
	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uintptr_t)argv[1];
	fd = sys_bpf(BPF_OBJ_GET, &attr);
	if (fd < 0) {
		fprintf(stderr, "mapfill: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (long i = 0; i < count; i++) {
		__u64 key = (1ULL << 62) - (__u64)i;

		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		attr.key = (uintptr_t)&key;
		attr.value = (uintptr_t)&lim;
		attr.flags = BPF_NOEXIST;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr)) {
			printf("added=%ld\nstopped=%s\n", added, strerror(errno));
			return 0;
		}
		added++;
	}
	printf("added=%ld\n", added);
	close(fd);
	return 0;
}
