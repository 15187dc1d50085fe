/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compensation.h - the compensation report: what the kernel enforces for a
 * container compared with the limit it was declared, which case that is,
 * and one sentence for the operator. The classification is a pure
 * function of its inputs; only compensation__read_kernel touches files.
 */
#ifndef PG_COMPENSATION_H
#define PG_COMPENSATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "limit_policy.h"

enum compensation_kernel_state {
	COMP_KERNEL_UNKNOWN = 0,	/* pids.max could not be read */
	COMP_KERNEL_NO_CONTROLLER,	/* no pids.max: no pids controller here */
	COMP_KERNEL_MAX,		/* pids.max is "max" */
	COMP_KERNEL_VALUE,		/* pids.max is a number */
};

struct compensation_kernel {
	enum compensation_kernel_state state;
	uint64_t value;			/* with COMP_KERNEL_VALUE */
	char file[512];			/* the pids.max read, "" if none */
};

enum compensation_case {
	COMP_NOT_LIMITED = 0,	/* no limit declared: nothing to compare */
	COMP_ENFORCED,		/* the kernel's pids.max holds the declared limit */
	COMP_BYPASSED_BY_EXEC,	/* ... but docker exec moved tasks in past it */
	COMP_KERNEL_LOOSER,	/* pids.max is higher than declared */
	COMP_DROPPED,		/* Docker had a limit, the kernel has none */
	COMP_PREDATES,		/* compose declares it, the container lacks it */
	COMP_NO_CONTROLLER,	/* the kernel cannot limit this cgroup's pids */
	COMP_PIDGUARD_ONLY,	/* a limit only pidguard knows (label, --limit...) */
	COMP_UNKNOWN,		/* pids.max unreadable */
};

struct compensation_input {
	__u32 declared;				/* PG_NO_LIMIT: none */
	enum limit_source source;
	const char *source_text;		/* limit_decision.source_text */
	struct compensation_kernel kernel;
	bool has_pids_limit;			/* HostConfig.PidsLimit not null */
	int64_t pids_limit;
	unsigned int exec_tasks;		/* tasks seen entering by docker exec */
};

struct compensation_result {
	enum compensation_case kind;
	bool compensates;		/* pidguard enforces what the kernel does not */
	char sentence[640];
};

void compensation__classify(const struct compensation_input *in, struct compensation_result *out);

/* "enforced", "bypassed_by_exec", ... (stable: used as JSON values). */
const char *compensation__case_name(enum compensation_case kind);

/* Content of a pids.max file: "max" or a decimal count, '\n' optional. */
int compensation__parse_pids_max(const char *text, size_t len, struct compensation_kernel *out);

/*
 * The kernel's view of a container: <cg2_dir>/pids.max when it exists
 * (cgroup v2 with the pids controller enabled), else <pids_v1_dir>/pids.max
 * (either may be NULL), else COMP_KERNEL_NO_CONTROLLER. A file that exists
 * but cannot be read or parsed is COMP_KERNEL_UNKNOWN.
 */
void compensation__read_kernel(const char *cg2_dir, const char *pids_v1_dir,
			       struct compensation_kernel *out);

#endif
