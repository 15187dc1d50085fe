/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - the command line: subcommands, options, validation and help.
 * Parsing never exits and never prints except through the err buffer, so
 * that it can be unit-tested; main() turns errors into exit status 2.
 */
#ifndef PG_CLI_H
#define PG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define PG_EXIT_OK	0
#define PG_EXIT_FAIL	1	/* runtime failure */
#define PG_EXIT_USAGE	2	/* bad command line */

enum pg_command {
	PG_CMD_NONE = 0,	/* no subcommand: print usage, exit 2 */
	PG_CMD_HELP,		/* --help / help [SUBCOMMAND] */
	PG_CMD_VERSION,
	PG_CMD_RUN,
	PG_CMD_STATUS,
	PG_CMD_LIMIT,
	PG_CMD_STOP,
	PG_CMD_TOP,		/* top TARGET: task groups (uses limits[0].target) */
	PG_CMD_THAW,		/* thaw TARGET (uses limits[0].target) */
};

enum pg_mode_req {		/* what --mode asked for */
	PG_REQ_AUTO = 0,
	PG_REQ_DENY,
	PG_REQ_KILL,
	PG_REQ_FLAG,
};

enum pg_log_target {		/* where run's events and messages go */
	PG_LOG_STDERR = 0,	/* events on stdout, messages on stderr */
	PG_LOG_SYSLOG,		/* syslog(3), facility daemon, ident pidguard */
};

#define PG_MAX_CLI_LIMITS	256
#define PG_MAX_COMPOSE		16
#define PG_TARGET_MAX		4096

struct pg_limit_arg {
	char target[PG_TARGET_MAX];	/* as given: path or container name */
	__u32 max;			/* PG_NO_LIMIT for "none" */
	bool from_config;		/* a config file's: a --limit for TARGET replaces it */
};

struct pg_cmdline {
	enum pg_command cmd;
	enum pg_command help_for;	/* with PG_CMD_HELP: which page, NONE = main */
	bool json;			/* -j / --json */
	bool pretty;			/* -p / --pretty (implies json) */

	/* run */
	enum pg_mode_req mode;
	bool mode_given;		/* --mode was given (command line or config file) */
	struct pg_limit_arg limits[PG_MAX_CLI_LIMITS];
	int nr_limits;
	__u32 default_limit;		/* 0 = none */
	__u32 warn_pct;			/* 1..100, default 80 */
	__u32 events_per_sec;		/* per-cgroup event budget, default 20 */
	const char *compose[PG_MAX_COMPOSE];
	int nr_compose;
	const char *docker_host;	/* NULL = DOCKER_HOST or the default socket */
	bool no_docker;
	bool apply_pids_max;		/* --apply-pids-max: also write pids.max */
	int duration_s;			/* --duration N: stop after N s, 0 = forever */
	const char *config_path;	/* --config FILE: run's options as key = value (config.h) */
	bool metrics;			/* --metrics [ADDR:]PORT was given */
	char metrics_addr[48];		/* numeric IPv4 or IPv6, default 127.0.0.1 */
	__u16 metrics_port;
	enum pg_log_target log_target;	/* --log stderr|syslog */
	int on_runaway;			/* --on-runaway: enum pg_runaway_action (runaway.h) */
	__u32 runaway_rate;		/* --runaway-rate N: attempts/s, default 10 */
	__u32 runaway_seconds;		/* --runaway-seconds N: default 5 */
	bool enforce_in_userspace;	/* --enforce-in-userspace: flag mode only */

	/* status */
	__u32 watch_s;			/* --watch[=SECONDS]: refresh period, 0 = once */
	bool detail;			/* --detail: each row's top task groups */

	/* top TARGET */
	__u32 top_groups;		/* --groups N: groups shown in text, 0 = default */

	/* limit TARGET N|none (uses limits[0]) */
};

/*
 * Parse argv. Returns 0 on success, or PG_EXIT_USAGE with a one-line
 * message in err naming what was wrong ("--warn: '150' is not a percentage
 * from 1 to 100"). Numbers are parsed strictly: decimal digits only, no
 * sign, no trailing text, no overflow; limits are 1..4194304 (PID_MAX_LIMIT).
 */
int cli__parse(int argc, char **argv, struct pg_cmdline *out, char *err, size_t errlen);

/* ---- Config files (config.h): run's options by long name ---- */

/* out = the defaults of every option, as cli__parse starts from. */
void cli__init(struct pg_cmdline *out);

/*
 * Parse argv again ON TOP of what out already holds (a config file's
 * options): nothing is reset. A scalar on the command line replaces the
 * file's, a --limit for a TARGET the file limits replaces that limit, other
 * limits and compose files add up (the caps still apply), and the
 * cross-option checks (--no-docker against --docker-host...) judge the
 * merged result. Same return and err as cli__parse.
 */
int cli__parse_over(int argc, char **argv, struct pg_cmdline *out, char *err, size_t errlen);

enum pg_opt_kind {
	PG_OPT_UNKNOWN = 0,	/* not a run option a config file may set */
	PG_OPT_SCALAR,		/* one value: --warn 90 */
	PG_OPT_LIST,		/* repeatable: --limit, --compose */
	PG_OPT_BOOL,		/* a flag on the command line, true|false in a file */
};

/* The kind of run option NAME (a long option without its dashes). */
enum pg_opt_kind cli__option_kind(const char *name);

/* The i-th option name a config file may set, NULL past the last. */
const char *cli__option_name(int i);

/*
 * Apply run option NAME = VALUE from a config file through the same
 * validation as the command line (the limit is marked from_config). A BOOL
 * takes exactly "true" or "false". 0, or PG_EXIT_USAGE with err set in the
 * command line's words ("--warn: '150' is not a percentage from 1 to 100").
 * out keeps VALUE's pointer for compose and docker-host: it must outlive out.
 */
int cli__apply_option(struct pg_cmdline *out, const char *name, const char *value, char *err,
		      size_t errlen);

/* A user's value made fit for a one-line message (see SHOW_BUF in cli.c). */
#define PG_SHOW_BUF	(80 + 4)
const char *cli__show(const char *s, char buf[PG_SHOW_BUF]);

/*
 * Parse "[ADDR:]PORT" for --metrics: ADDR is a numeric IPv4 address or an
 * IPv6 address in brackets ("[::1]:9464"), default 127.0.0.1 (loopback:
 * the endpoint is never exposed unless asked). 0 or -EINVAL.
 */
int cli__parse_listen(const char *s, char *addr, size_t addrlen, __u16 *port);

/* Parse a decimal number from min to max, digits only: 0, -EINVAL (not a
 * number) or -ERANGE. */
int cli__parse_u32(const char *s, __u32 min, __u32 max, __u32 *out);

/* Parse a limit value: "N" (1..4194304) or "none". 0 or -EINVAL. */
int cli__parse_limit(const char *s, __u32 *out);

/* Split "TARGET=N" (the last '=' separates); 0 or -EINVAL with err set. */
int cli__parse_limit_arg(const char *s, struct pg_limit_arg *out, char *err, size_t errlen);

/* Print the help page for cmd (PG_CMD_NONE: the main page) to f. */
void cli__print_help(enum pg_command cmd, void *f /* FILE * */);

const char *cli__mode_req_name(enum pg_mode_req m);

#endif
