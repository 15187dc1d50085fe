/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usage_rows.h - walk the pinned `limits` map and read each cgroup's
 * `usage`: the rows that `status` prints and the metrics endpoint serves.
 * One walk for both, so that they never disagree on what a row is.
 *
 * Only map lookups and a path lookup per row: safe from any thread (the
 * metrics server calls it from its own), and never blocks on anything but
 * the kernel.
 */
#ifndef PG_USAGE_ROWS_H
#define PG_USAGE_ROWS_H

#include "loader.h"
#include "output.h"

/*
 * One pg_status_row per entry of the limits map (path relative to cg2, or
 * "(gone)"; usage zero when its entry is missing), sorted by cgroup id,
 * each once, the Docker fields empty. *out is malloc'd (caller frees;
 * NULL when none). Returns the number of rows, or -ENOMEM.
 */
int usage_rows__collect(const struct pg_loader *ld, const char *cg2, struct pg_status_row **out);

#endif
