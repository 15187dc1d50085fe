// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_config.c - the --config file (user/config.c): comments, quotes,
 * '=' inside values, repeated and unknown options, long lines. The input
 * is the file's text; it is parsed in place over the defaults of a bare
 * `pidguard run`, as config__apply does, so every value then goes through
 * the command line's own validation in cli.c.
 *
 * fuzz-sources: user/config.c user/cli.c user/runaway.c
 */
#include <stdio.h>
#include "config.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pg_cmdline cl;	/* ~1 MB of limits: not on the stack */
	char *argv[] = { (char *)"pidguard", (char *)"run", NULL }, err[512];
	char *text = fuzz__strdup(data, size);

	if (cli__parse(2, argv, &cl, err, sizeof(err)))
		abort();
	config__parse(text, size, "fuzz.conf", &cl, err, sizeof(err));
	if (strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	free(text);
	return 0;
}
