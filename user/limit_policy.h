/* SPDX-License-Identifier: GPL-2.0 */
/*
 * limit_policy.h - which limit a container gets, and from where.
 *
 * First match wins: --limit NAME=N, the label pidguard.pids-limit, a
 * compose file (--compose, in the order given), HostConfig.PidsLimit,
 * --default-limit. "none" in the first three is an explicit match (no
 * limit); HostConfig.PidsLimit <= 0 or null is Docker's "unlimited", which
 * inspect cannot tell from "never set", so it falls through to
 * --default-limit. An unusable value (a label "lots", a compose
 * "${PIDS}") is skipped with a warning, never guessed. Pure: no I/O.
 */
#ifndef PG_LIMIT_POLICY_H
#define PG_LIMIT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "cli.h"
#include "compose.h"
#include "docker_json.h"

enum limit_source {
	LIMIT_SRC_NONE = 0,	/* nothing matched: not limited */
	LIMIT_SRC_CLI,		/* --limit */
	LIMIT_SRC_LABEL,	/* pidguard.pids-limit */
	LIMIT_SRC_COMPOSE,	/* --compose FILE */
	LIMIT_SRC_HOSTCONFIG,	/* HostConfig.PidsLimit */
	LIMIT_SRC_DEFAULT,	/* --default-limit */
};

struct limit_policy {
	const struct pg_limit_arg *cli;		/* --limit, in command-line order */
	size_t nr_cli;
	const struct compose_file *compose;	/* loaded --compose files, in order */
	size_t nr_compose;
	__u32 default_limit;			/* 0 = no --default-limit */
};

struct limit_decision {
	enum limit_source source;
	__u32 max;		/* tasks allowed; PG_NO_LIMIT: explicitly none, or NONE */
	/* For the report: "--limit", "label", "compose file FILE",
	 * "HostConfig.PidsLimit", "--default-limit", "none". */
	char source_text[4200];
	char detail[320];	/* "service web, pids_limit" / "--limit web=25"... */
	char warning[320];	/* a skipped source, "" if none */
};

/*
 * Decide c's limit. Every output field is set; a second skipped source
 * does not overwrite the first warning.
 */
void limit_policy__decide(const struct limit_policy *p, const struct docker_container *c,
			  struct limit_decision *out);

/* Does --limit TARGET name c: its name, its full id, or an id prefix of
 * 12 or more hex digits (`docker ps` shows 12). */
bool limit_policy__target_matches(const char *target, const struct docker_container *c);

/* The label's value: "none" or 1..4194304, like --limit. 0 or -EINVAL. */
int limit_policy__parse_label(const char *value, __u32 *max);

/* Short name of a source, as in source_text without the file name. */
const char *limit_policy__source_name(enum limit_source source);

#endif
