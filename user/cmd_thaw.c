// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_thaw.c - `pidguard thaw TARGET`: undo the escalation ladder's
 * freeze (run --on-runaway freeze) of a cgroup, v2 cgroup.freeze or the
 * v1 freezer. It needs no pidguard state: any frozen cgroup thaws, so that
 * the operator has one command whatever froze it.
 */
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "commands.h"
#include "log.h"
#include "runaway_actions.h"

int cmd_thaw(const struct pg_cmdline *cl)
{
	char err[PG_PATH_MAX + 256];
	struct pg_mounts mounts;
	struct pg_cgroup cg;
	int ret;

	ret = commands__need_root("thaw");
	if (ret)
		return ret;
	ret = commands__mounts(&mounts);
	if (ret)
		return ret;
	/* A cgroup path only: containers are frozen through theirs too. */
	if (cgroup__resolve(mounts.cgroup2, cl->limits[0].target, &cg, err, sizeof(err))) {
		log__error("%s", err);
		return PG_EXIT_USAGE;
	}
	if (runaway_actions__freeze(cg.path, false, err, sizeof(err))) {
		log__error("%s", err);
		return PG_EXIT_FAIL;
	}
	log__info("%s: thawed", cg.rel);
	return PG_EXIT_OK;
}
