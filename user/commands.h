/* SPDX-License-Identifier: GPL-2.0 */
/* commands.h - one function per subcommand; each returns the exit status. */
#ifndef PG_COMMANDS_H
#define PG_COMMANDS_H

#include "cli.h"
#include "mountinfo.h"

int cmd_run(const struct pg_cmdline *cl);
int cmd_status(const struct pg_cmdline *cl);
int cmd_limit(const struct pg_cmdline *cl);
int cmd_stop(const struct pg_cmdline *cl);
int cmd_thaw(const struct pg_cmdline *cl);
int cmd_top(const struct pg_cmdline *cl);

/* Shared by the commands: root check, and the mounts they need. */
int commands__need_root(const char *cmd);
int commands__mounts(struct pg_mounts *m);

struct pg_cgroup;
/*
 * TARGET as `limit` and `top` take it: a cgroup path, else a container
 * name or short id from the table `run` publishes (cmd_limit.c). 0 with
 * cg resolved, or -errno after logging why.
 */
int commands__resolve_target(const char *cg2, const char *target, struct pg_cgroup *cg);

#endif
