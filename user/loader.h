/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loader.h - bring the BPF side up (load, attach, pin) or find it pinned.
 *
 * Enforcement lives in the pinned links, not in this process: once `run`
 * has pinned them, a crash of the loader changes nothing in the kernel, and
 * every later command (run, status, limit, stop) works on the pinned maps.
 */
#ifndef PG_LOADER_H
#define PG_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "pidguard.h"
#include "cli.h"

struct pidguard_bpf;

struct pg_loader {
	struct pidguard_bpf *skel;	/* NULL when the state was adopted */
	int limits_fd;
	int usage_fd;
	int settings_fd;
	int stats_fd;
	int events_fd;
	int reconcile_fd;		/* the iter/task program */
	int zombies_fd;
	int zombie_gc_fd;		/* the iter/bpf_map_elem program */
	int records_fd;			/* task_records */
	int record_gc_fd;		/* the iter/bpf_map_elem program */
	int slots_fd;			/* task_slots */
	int slot_gc_fd;			/* the iter/bpf_map_elem program */
	bool adopted;			/* true: found pinned, not loaded by us */
};

/* What this kernel offers, and why not the rest. */
struct pg_probe {
	bool kill;			/* bpf_send_signal_task in kernel BTF */
	bool lsm_listed;		/* "bpf" in the active LSM list */
	bool lsm_list_known;		/* /sys/kernel/security/lsm was readable */
	char lsm_list[256];
};

void loader__probe(struct pg_probe *p);

/* Is name a whole entry of a comma-separated LSM list ("lockdown,bpf")? */
bool loader__lsm_list_has(const char *list, const char *name);

/* Is there pinned state (a settings map under paths__pin_dir())? */
bool loader__pinned(void);

/*
 * Load and attach the programs for the requested mode, pin everything and
 * write the initial settings. On success *mode is the mode in force and why
 * says why it was chosen (auto) in one sentence. On failure, err says what
 * and how to fix it. Returns 0 or a negative errno.
 */
int loader__load(struct pg_loader *l, enum pg_mode_req req, __u32 *mode, char *why, size_t whylen,
		 char *err, size_t errlen);

/* Open the pinned maps and programs. Returns 0, -ENOENT when not loaded. */
int loader__open_pinned(struct pg_loader *l, char *err, size_t errlen);

/* Read / write the settings map. */
int loader__settings_get(const struct pg_loader *l, struct pg_config *cfg);
int loader__settings_set(const struct pg_loader *l, const struct pg_config *cfg);

/*
 * Switch the mode of pinned programs when they support it (kill <-> flag
 * always; deny only where the LSM programs are attached). 0 or -EOPNOTSUPP.
 */
int loader__set_mode(const struct pg_loader *l, __u32 mode, char *err, size_t errlen);

/* Run one reconcile pass (iter/task) to completion. 0 or negative errno. */
int loader__reconcile(const struct pg_loader *l);

/*
 * One collection pass, run about once a second. 0 or -errno.
 *  - Stale task records (record_gc, and slot_gc when slots is true):
 *    entries of task_records and slots of task_slots whose task is gone,
 *    left by the free hook while an iterator ran. Housekeeping. slot_gc
 *    visits every slot, used or not (~1 ms for 8192): the caller runs it
 *    every PG_SLOT_GC_EVERY passes.
 *  - Zombies (zombie_gc, a safety net): zombie charges whose free hook never
 *    came, counted in stats.zombies_collected; normally none. Skipped where
 *    release_task is hooked (PG_CAP_REAP_AT_RELEASE): no zombie index then.
 */
#define PG_SLOT_GC_EVERY	5
int loader__collect(const struct pg_loader *l, bool slots);

/* Remove everything under paths__pin_dir(); returns the number of objects removed. */
int loader__unpin_all(char *err, size_t errlen);

void loader__close(struct pg_loader *l);

/* Make sure bpffs (the pin directory's parent) is mounted, and securityfs
 * where it can be (it tells which LSMs are active). */
int loader__mount_filesystems(char *err, size_t errlen);

#endif
