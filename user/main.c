// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - pidguard's entry point: parse the command line (and for run, the
 * --config file under it), then dispatch to a subcommand.
 */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "paths.h"

#ifndef PG_VERSION
#define PG_VERSION "0.1.0"
#endif

static struct pg_cmdline cmdline;
static struct pg_conf_file conf;	/* cmdline's strings from the file point here */

static int dispatch(void)
{
	switch (cmdline.cmd) {
	case PG_CMD_RUN:
		return cmd_run(&cmdline);
	case PG_CMD_STATUS:
		return cmd_status(&cmdline);
	case PG_CMD_LIMIT:
		return cmd_limit(&cmdline);
	case PG_CMD_STOP:
		return cmd_stop(&cmdline);
	case PG_CMD_TOP:
		return cmd_top(&cmdline);
	case PG_CMD_THAW:
		return cmd_thaw(&cmdline);
	case PG_CMD_HELP:
		cli__print_help(cmdline.help_for, stdout);
		return PG_EXIT_OK;
	case PG_CMD_VERSION:
		printf("pidguard %s\n", PG_VERSION);
		return PG_EXIT_OK;
	case PG_CMD_NONE:
	default:
		cli__print_help(PG_CMD_NONE, stderr);
		return PG_EXIT_USAGE;
	}
}

int main(int argc, char **argv)
{
	char err[512], warn[512];
	int ret;

	if (cli__parse(argc, argv, &cmdline, err, sizeof(err))) {
		fprintf(stderr, "pidguard: %s\nTry 'pidguard --help'.\n", err);
		return PG_EXIT_USAGE;
	}
	log__set_json(cmdline.json || cmdline.pretty);
	if (paths__init(err, sizeof(err))) {
		log__error("%s", err);
		return PG_EXIT_USAGE;
	}

	/* The file is read before anything is loaded: a bad line changes nothing. */
	if (cmdline.cmd == PG_CMD_RUN && cmdline.config_path) {
		ret = config__apply(&conf, argc, argv, &cmdline, warn, sizeof(warn), err,
				    sizeof(err));
		if (warn[0])
			log__warn("%s", warn);
		if (ret) {
			log__error("%s", err);
			config__free(&conf);
			return ret;
		}
	}
	ret = dispatch();
	config__free(&conf);
	return ret;
}
