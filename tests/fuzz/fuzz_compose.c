// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_compose.c - compose files (libyaml and the walk over its document):
 * anchors, aliases, merge keys and deep nesting are where a YAML walker
 * loops or recurses without end. The whole input is the file; the lookups
 * a run makes afterwards (compose__find, compose__service_limit) are done
 * on every service found, and the project name normaliser gets the input
 * as a raw name.
 *
 * fuzz-sources: user/compose.c
 */
#include <stdio.h>
#include "compose.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct compose_file f;
	char err[512], project[COMPOSE_NAME_MAX], *text;
	const char *key;
	int64_t limit;
	size_t i;

	/* Exactly size bytes, no terminator: compose__parse takes a length. */
	text = malloc(size ? size : 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	if (!compose__parse(text, size, "fuzzproj", &f, err, sizeof(err))) {
		for (i = 0; i < f.nr_services; i++) {
			if (!compose__find(&f, f.project, f.services[i].name))
				abort();	/* a service the parser found must be found */
			compose__service_limit(&f.services[i], &limit, &key);
		}
		compose__free(&f);
	}
	free(text);

	text = fuzz__strdup(data, size);
	compose__normalize_project(text, project, sizeof(project));
	free(text);
	return 0;
}
