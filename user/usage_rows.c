// SPDX-License-Identifier: GPL-2.0
/*
 * usage_rows.c - the limited cgroups and their usage, from the pinned maps.
 *
 * Entries may come and go during the walk (`limit X none`, a removed
 * container). A key removed between get_next_key and lookup is skipped.
 * When the key the walk stands on is removed, the kernel starts over from
 * the first key, so the walk may meet a key twice: rows are deduplicated,
 * since a metrics scrape with two samples of one series is refused whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "cgroup.h"
#include "usage_rows.h"

static int cmp_cg_id(const void *pa, const void *pb)
{
	const struct pg_status_row *a = pa, *b = pb;

	return a->cg_id < b->cg_id ? -1 : a->cg_id > b->cg_id;
}

/* Sort by cgroup id and keep the first of each; the new count. */
static int dedup(struct pg_status_row *rows, int n)
{
	int kept = 0;

	if (n < 2)
		return n;
	qsort(rows, n, sizeof(*rows), cmp_cg_id);
	for (int i = 0; i < n; i++) {
		if (kept && rows[kept - 1].cg_id == rows[i].cg_id)
			continue;
		if (kept != i)
			rows[kept] = rows[i];
		kept++;
	}
	return kept;
}

int usage_rows__collect(const struct pg_loader *ld, const char *cg2, struct pg_status_row **out)
{
	struct pg_status_row *rows = NULL;
	__u64 key, next;
	void *prev = NULL;
	int n = 0, cap = 0;

	*out = NULL;
	while (bpf_map_get_next_key(ld->limits_fd, prev, &next) == 0) {
		struct pg_limit lim;
		struct pg_status_row *row;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(ld->limits_fd, &key, &lim))
			continue; /* removed meanwhile */
		if (n == cap) {
			struct pg_status_row *bigger;

			cap = cap ? cap * 2 : 64;
			bigger = realloc(rows, cap * sizeof(*rows));
			if (!bigger) {
				free(rows);
				return -ENOMEM;
			}
			rows = bigger;
		}
		row = &rows[n++];
		memset(row, 0, sizeof(*row));
		row->cg_id = key;
		row->limit = lim.max;
		if (cgroup__path_of_id(cg2, key, row->path, sizeof(row->path)))
			snprintf(row->path, sizeof(row->path), "(gone)");
		bpf_map_lookup_elem(ld->usage_fd, &key, &row->usage);
	}
	*out = rows;
	return dedup(rows, n);
}
