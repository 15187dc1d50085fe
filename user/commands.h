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

/* Shared by the commands: root check, and the mounts they need. */
int commands__need_root(const char *cmd);
int commands__mounts(struct pg_mounts *m);

#endif
