// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_stop.c - `pidguard stop`: end a running loader and remove everything
 * pinned, which detaches the programs: enforcement ends here and only here.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "loader.h"
#include "log.h"
#include "names.h"
#include "runlock.h"

/* Ask a running `pidguard run` to exit, and wait up to 5 s for it. */
static int stop_loader(pid_t pid)
{
	if (kill(pid, SIGTERM) && errno != ESRCH) {
		log__error("cannot signal pidguard run (pid %d): %s", (int)pid, strerror(errno));
		return PG_EXIT_FAIL;
	}
	for (int i = 0; i < 50 && runlock__holder() > 0; i++)
		usleep(100 * 1000);
	if (runlock__holder() > 0) {
		log__error("pidguard run (pid %d) did not exit within 5 s", (int)pid);
		return PG_EXIT_FAIL;
	}
	return 0;
}

int cmd_stop(const struct pg_cmdline *cl)
{
	char err[512];
	pid_t holder;
	int removed, ret;

	(void)cl;
	ret = commands__need_root("stop");
	if (ret)
		return ret;
	holder = runlock__holder();
	if (holder > 0) {
		ret = stop_loader(holder);
		if (ret)
			return ret;
		log__info("pidguard run (pid %d) exited", (int)holder);
	}
	removed = loader__unpin_all(err, sizeof(err));
	if (removed < 0) {
		log__error("%s", err);
		return PG_EXIT_FAIL;
	}
	/* The container table describes limits that no longer exist. */
	if (unlink(names__path()) && errno != ENOENT)
		log__warn("cannot remove %s: %s", names__path(), strerror(errno));
	if (removed == 0 && holder <= 0)
		log__info("not loaded; nothing to stop");
	else
		log__info("stopped: %d pinned objects removed, enforcement ended", removed);
	return PG_EXIT_OK;
}
