/* SPDX-License-Identifier: GPL-2.0 */
/*
 * paths.h - where this instance keeps its pinned state and its run lock.
 *
 * One instance per host is the rule, at PG_PIN_DIR with /run/pidguard.lock.
 * PIDGUARD_PIN_DIR=/sys/fs/bpf/NAME selects another, with the lock
 * /run/NAME.lock: the test suite uses it so that it never touches the
 * pidguard a host runs in production (the programs of both see every fork;
 * each acts only on its own limits).
 */
#ifndef PG_PATHS_H
#define PG_PATHS_H

#include <stddef.h>

/* Read PIDGUARD_PIN_DIR. 0, or -EINVAL with a message in err. */
int paths__init(char *err, size_t errlen);

const char *paths__pin_dir(void);
const char *paths__runlock(void);
/*
 * /run/pidguard.held (or /run/NAME.held): the cgroup userspace enforcement
 * froze for a trim, while it is frozen; a run killed in that window leaves
 * it, and the next run thaws that cgroup (runaway_actions.h).
 */
const char *paths__held_marker(void);

#endif
