/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pin_keeper.h - keep pidguard's pinned objects pinned while `run` runs.
 *
 * Enforcement lives in the pinned links: a pin is the only reference that
 * keeps a program attached once the loader is gone. If bpffs is unmounted
 * under pidguard, or someone removes the pin directory, the links would be
 * released and enforcement would end without a word. `run` therefore holds
 * an fd to every pinned object (which keeps each one alive, attached and
 * counting) and, once a second, pins again whatever went missing, mounting
 * bpffs first if it is gone. `pidguard stop` first ends `run`, so it still
 * removes everything.
 */
#ifndef PG_PIN_KEEPER_H
#define PG_PIN_KEEPER_H

#include <stddef.h>

#define PG_MAX_PINS 64

struct pin_keeper {
	int nr;
	struct {
		char name[64];	/* file name under paths__pin_dir() */
		int fd;
	} pin[PG_MAX_PINS];
};

/* Open and hold every object pinned under paths__pin_dir(). 0 or -errno. */
int pin_keeper__hold(struct pin_keeper *pk, char *err, size_t errlen);

/*
 * Pin again every held object whose pin is missing (mounting bpffs and
 * creating the 0700 directory as needed). Returns how many were re-pinned
 * (0: nothing was missing) or -errno with err set.
 */
int pin_keeper__repin_lost(struct pin_keeper *pk, char *err, size_t errlen);

void pin_keeper__release(struct pin_keeper *pk);

#endif
