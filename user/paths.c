// SPDX-License-Identifier: GPL-2.0
/*
 * paths.c - the pin directory, run lock and held marker of this instance.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include <linux/types.h>
#include "pidguard.h"

static char pin_dir[256] = PG_PIN_DIR;
static char runlock[300] = "/run/pidguard.lock";
static char held_marker[300] = "/run/pidguard.held";

int paths__init(char *err, size_t errlen)
{
	const char *env = getenv("PIDGUARD_PIN_DIR");
	const char *name;

	if (!env || !*env)
		return 0;
	name = strrchr(env, '/');
	/* /sys/fs/bpf/NAME: one plain component under the bpffs mount. */
	if (strncmp(env, "/sys/fs/bpf/", 12) || name != env + 11 || !name[1] ||
	    strlen(env) >= sizeof(pin_dir) || strspn(name + 1, "abcdefghijklmnopqrstuvwxyz"
							  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
							  strlen(name + 1) ||
	    name[1] == '.') {
		snprintf(err, errlen,
			 "PIDGUARD_PIN_DIR='%.64s': must be /sys/fs/bpf/NAME, NAME made of letters, "
			 "digits, '_', '-' and '.', not starting with '.'",
			 env);
		return -EINVAL;
	}
	snprintf(pin_dir, sizeof(pin_dir), "%s", env);
	snprintf(runlock, sizeof(runlock), "/run/%s.lock", name + 1);
	snprintf(held_marker, sizeof(held_marker), "/run/%s.held", name + 1);
	return 0;
}

const char *paths__pin_dir(void)
{
	return pin_dir;
}

const char *paths__runlock(void)
{
	return runlock;
}

const char *paths__held_marker(void)
{
	return held_marker;
}
