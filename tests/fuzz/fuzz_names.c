// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_names.c - the container table `run` publishes for `status` and
 * `limit` (/run/pidguard/containers). Its fields come from container
 * names and labels, chosen by whoever starts a container. The input is
 * read twice: as one line (names__parse_line, then formatted and parsed
 * again: what run writes, status must read back), and as a whole file
 * written to a private file under /tmp (names__read), then looked up by
 * the name and id prefixes a user would type.
 *
 * fuzz-sources: user/names.c user/paths.c
 */
#include <stdio.h>
#include <unistd.h>
#include "names.h"
#include "fuzz_util.h"

static char dir[64];		/* /tmp/pgfuzz-names-XXXXXX */
static char file[128];

static void dir_remove(void)
{
	unlink(file);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	snprintf(dir, sizeof(dir), "/tmp/pgfuzz-names-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/containers", dir);
	atexit(dir_remove);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_container_ref ref, again, *refs = NULL;
	char *text = fuzz__strdup(data, size), line[4096];
	bool ambiguous;
	FILE *f;
	int n;

	if (!names__parse_line(text, &ref) && names__format_line(&ref, line, sizeof(line)) > 0 &&
	    names__parse_line(line, &again))
		abort();	/* a line run writes must be one status reads */

	f = fopen(file, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	n = names__read(file, &refs);
	if (n > 0) {
		names__find_cg(refs, n, refs[0].cg_id);
		names__find_target(refs, n, refs[0].name, &ambiguous);
		names__find_target(refs, n, refs[n - 1].id, &ambiguous);
		names__find_target(refs, n, "0123456789ab", &ambiguous);
	}
	free(refs);
	free(text);
	return 0;
}
