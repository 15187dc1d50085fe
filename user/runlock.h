/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runlock.h - at most one `pidguard run` per host: an flock()ed file that
 * also records the pid of the holder, so that a second run can name it and
 * `pidguard stop` can ask it to exit. The kernel drops the lock when the
 * holder dies, however it dies, so a crash never leaves a stale lock.
 */
#ifndef PG_RUNLOCK_H
#define PG_RUNLOCK_H

#include <sys/types.h>

/* Take the lock at path. Returns the fd (keep it open), or -EBUSY with
 * *holder set to the pid that has it. */
int runlock__acquire_at(const char *path, pid_t *holder);

/* The pid holding the lock at path, 0 when nobody does, or -errno. */
pid_t runlock__holder_at(const char *path);

/* The same, at paths__runlock() (/run/pidguard.lock by default). */
int runlock__acquire(pid_t *holder);
pid_t runlock__holder(void);

#endif
