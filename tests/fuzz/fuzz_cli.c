// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_cli.c - the command line parser. The input is argv, one argument per
 * NUL-separated field ("run\0--limit\0web=25"), argv[0] = "pidguard" added
 * in front. cli__parse resets getopt itself (optind = 0) on every call,
 * which is what makes calling it again and again in one process sound.
 * The smaller parsers it uses are fuzzed directly too, on the first field.
 *
 * fuzz-sources: user/cli.c user/runaway.c
 */
#include <stdio.h>
#include "cli.h"
#include "fuzz_util.h"

#define FUZZ_MAX_ARGS	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pg_cmdline cl;	/* ~1 MB of limits: not on the stack */
	char *fields[FUZZ_MAX_ARGS], *argv[FUZZ_MAX_ARGS + 2], err[512], addr[64];
	struct pg_limit_arg arg;
	__u16 port;
	__u32 max;
	int n, i;

	n = fuzz__split(data, size, fields, FUZZ_MAX_ARGS);
	argv[0] = (char *)"pidguard";
	for (i = 0; i < n; i++)
		argv[i + 1] = fields[i];
	argv[n + 1] = NULL;

	cli__parse(n + 1, argv, &cl, err, sizeof(err));
	/* The message must always be a terminated string. */
	if (strnlen(err, sizeof(err)) == sizeof(err))
		abort();

	cli__parse_listen(fields[0], addr, sizeof(addr), &port);
	cli__parse_limit(fields[0], &max);
	cli__parse_limit_arg(fields[0], &arg, err, sizeof(err));

	fuzz__free_fields(fields, n);
	return 0;
}
