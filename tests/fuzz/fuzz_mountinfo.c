// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_mountinfo.c - /proc/self/mountinfo. The kernel writes it, but mount
 * points are chosen by whoever mounts (a container runtime, a user in a
 * user namespace): octal escapes, odd field counts, optional fields and
 * very long lines are the hostile part. The input is the file's text.
 *
 * fuzz-sources: user/mountinfo.c
 */
#include <stdio.h>
#include "mountinfo.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_mounts m;
	int bad_line = 0;
	char *text = fuzz__strdup(data, size);

	if (!mountinfo__parse(text, &m, &bad_line) &&
	    (strnlen(m.cgroup2, sizeof(m.cgroup2)) == sizeof(m.cgroup2) ||
	     strnlen(m.pids_v1, sizeof(m.pids_v1)) == sizeof(m.pids_v1)))
		abort();
	free(text);
	return 0;
}
