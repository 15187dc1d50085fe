// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_limit_policy.c - which limit a container gets: the
 * pidguard.pids-limit label (anyone who can start a container sets it),
 * --limit TARGET matching on names and id prefixes, and a compose file,
 * all through limit_policy__decide. The input, split on NUL bytes: label
 * value, --limit target, container name, container id, compose project,
 * compose service, compose file text.
 *
 * fuzz-sources: user/limit_policy.c user/compose.c user/cli.c user/runaway.c
 */
#include <stdio.h>
#include "limit_policy.h"
#include "fuzz_util.h"

static void put(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct limit_decision d;
	struct limit_policy p = { 0 };
	struct docker_container c = { 0 };
	struct compose_file cf;
	struct pg_limit_arg arg;
	char *fields[7] = { NULL }, err[256];
	bool have_compose = false;
	__u32 max;
	int n;

	n = fuzz__split(data, size, fields, 7);
	for (int i = n; i < 7; i++)
		fields[i] = fuzz__strdup(data, 0);

	limit_policy__parse_label(fields[0], &max);
	c.has_limit_label = fields[0][0] != '\0';
	put(c.limit_label, sizeof(c.limit_label), fields[0]);
	put(c.name, sizeof(c.name), fields[2]);
	put(c.id, sizeof(c.id), fields[3]);
	put(c.compose_project, sizeof(c.compose_project), fields[4]);
	put(c.compose_service, sizeof(c.compose_service), fields[5]);
	c.has_pids_limit = size & 1;
	c.pids_limit = (int64_t)size * ((size & 2) ? -1 : 97);

	limit_policy__target_matches(fields[1], &c);
	put(arg.target, sizeof(arg.target), fields[1]);
	arg.max = (__u32)size;
	p.cli = &arg;
	p.nr_cli = (size & 4) ? 1 : 0;
	if (!compose__parse(fields[6], strlen(fields[6]), "fuzzproj", &cf, err, sizeof(err))) {
		have_compose = true;
		p.compose = &cf;
		p.nr_compose = 1;
	}
	p.default_limit = (size & 8) ? 25 : 0;
	limit_policy__decide(&p, &c, &d);
	limit_policy__source_name(d.source);

	if (have_compose)
		compose__free(&cf);
	fuzz__free_fields(fields, 7);
	return 0;
}
