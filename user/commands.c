// SPDX-License-Identifier: GPL-2.0
/*
 * commands.c - what every subcommand needs before it starts.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"

int commands__need_root(const char *cmd)
{
	if (geteuid() != 0) {
		log__error("`pidguard %s` must run as root (it loads and pins BPF programs)", cmd);
		return PG_EXIT_FAIL;
	}
	return 0;
}

int commands__mounts(struct pg_mounts *m)
{
	int ret = mountinfo__load(m);

	if (ret) {
		log__error("cannot read /proc/self/mountinfo: %s", strerror(-ret));
		return PG_EXIT_FAIL;
	}
	if (!m->cgroup2[0]) {
		log__error("no cgroup v2 hierarchy is mounted (see /proc/self/mountinfo); pidguard "
			   "keys limits by cgroup v2 id");
		return PG_EXIT_FAIL;
	}
	return 0;
}
