// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - the command line: subcommands, their options and strict
 * validation (the help pages are in cli_help.c). Nothing here prints or
 * exits, so that every accepted and refused command line is unit-tested;
 * main() prints err and exits PG_EXIT_USAGE.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include "cli.h"
#include "pidguard.h"
#include "runaway.h"

#define PG_LIMIT_MAX		PG_PID_MAX_LIMIT
#define PG_DURATION_MAX		86400u
#define PG_DEFAULT_WARN_PCT	80
#define PG_DEFAULT_EPS		20
#define PG_WATCH_DEFAULT_S	2
#define PG_WATCH_MAX_S		3600u
#define PG_TOP_GROUPS_MAX	100000u
#define PG_RUNAWAY_RATE_MAX	1000000u
#define PG_RUNAWAY_SECONDS_MAX	3600u

enum {
	OPT_MODE = 256,
	OPT_LIMIT,
	OPT_DEFAULT_LIMIT,
	OPT_WARN,
	OPT_EVENTS_PER_SEC,
	OPT_COMPOSE,
	OPT_DOCKER_HOST,
	OPT_NO_DOCKER,
	OPT_DURATION,
	OPT_APPLY_PIDS_MAX,
	OPT_CONFIG,
	OPT_METRICS,
	OPT_LOG,
	OPT_WATCH,
	OPT_DETAIL,
	OPT_GROUPS,
	OPT_ON_RUNAWAY,
	OPT_RUNAWAY_RATE,
	OPT_RUNAWAY_SECONDS,
	OPT_ENFORCE_IN_USERSPACE,
};

#define COMMON_OPTS					\
	{ "json", no_argument, NULL, 'j' },		\
	{ "pretty", no_argument, NULL, 'p' },		\
	{ "help", no_argument, NULL, 'h' }

static const struct option global_opts[] = {
	COMMON_OPTS,
	{ "version", no_argument, NULL, 'V' },
	{},
};

static const struct option plain_opts[] = {
	COMMON_OPTS,
	{},
};

static const struct option status_opts[] = {
	COMMON_OPTS,
	{ "watch", optional_argument, NULL, OPT_WATCH },
	{ "detail", no_argument, NULL, OPT_DETAIL },
	{},
};

static const struct option top_opts[] = {
	COMMON_OPTS,
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{},
};

static const struct option run_opts[] = {
	COMMON_OPTS,
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "default-limit", required_argument, NULL, OPT_DEFAULT_LIMIT },
	{ "warn", required_argument, NULL, OPT_WARN },
	{ "events-per-sec", required_argument, NULL, OPT_EVENTS_PER_SEC },
	{ "compose", required_argument, NULL, OPT_COMPOSE },
	{ "docker-host", required_argument, NULL, OPT_DOCKER_HOST },
	{ "no-docker", no_argument, NULL, OPT_NO_DOCKER },
	{ "apply-pids-max", no_argument, NULL, OPT_APPLY_PIDS_MAX },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "on-runaway", required_argument, NULL, OPT_ON_RUNAWAY },
	{ "runaway-rate", required_argument, NULL, OPT_RUNAWAY_RATE },
	{ "runaway-seconds", required_argument, NULL, OPT_RUNAWAY_SECONDS },
	{ "enforce-in-userspace", no_argument, NULL, OPT_ENFORCE_IN_USERSPACE },
	{},
};

static const struct {
	const char *name;
	enum pg_command cmd;
} commands[] = {
	{ "run", PG_CMD_RUN },
	{ "status", PG_CMD_STATUS },
	{ "limit", PG_CMD_LIMIT },
	{ "stop", PG_CMD_STOP },
	{ "top", PG_CMD_TOP },
	{ "thaw", PG_CMD_THAW },
	{ "help", PG_CMD_HELP },
	{ "version", PG_CMD_VERSION },
};

static const char *const mode_names[] = {
	[PG_REQ_AUTO] = "auto",
	[PG_REQ_DENY] = "deny",
	[PG_REQ_KILL] = "kill",
	[PG_REQ_FLAG] = "flag",
};

const char *cli__mode_req_name(enum pg_mode_req m)
{
	if ((unsigned int)m < sizeof(mode_names) / sizeof(mode_names[0]))
		return mode_names[m];
	return "?";
}

static enum pg_command command_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].cmd;
	return PG_CMD_NONE;
}

static const char *command_name(enum pg_command cmd)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "pidguard";
}

/*
 * A user's value quoted back in a message: control characters become '?'
 * and a long value is cut, so the message stays one readable line.
 */
#define SHOW_MAX 80
static const char *show(const char *s, char buf[SHOW_MAX + 4])
{
	size_t i;

	for (i = 0; s[i] && i < SHOW_MAX; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (s[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

_Static_assert(PG_SHOW_BUF == SHOW_MAX + 4, "cli.h's PG_SHOW_BUF follows SHOW_MAX");

const char *cli__show(const char *s, char buf[PG_SHOW_BUF])
{
	return show(s, buf);
}

/* Decimal digits only: no sign, space, hex or trailing text; min..max. */
int cli__parse_u32(const char *s, __u32 min, __u32 max, __u32 *out)
{
	__u64 v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (v > max)	/* max <= UINT32_MAX, so v never overflows */
			return -ERANGE;
	}
	if (v < min)
		return -ERANGE;
	*out = v;
	return 0;
}

int cli__parse_listen(const char *s, char *addr, size_t addrlen, __u16 *port)
{
	unsigned char buf[sizeof(struct in6_addr)];
	const char *colon, *p = s;
	char host[INET6_ADDRSTRLEN];
	size_t hlen;
	__u32 v;

	if (!s || !*s)
		return -EINVAL;
	colon = strrchr(s, ':');
	if (!colon) {			/* PORT alone: loopback */
		host[0] = '\0';
	} else if (s[0] == '[') {	/* [IPv6]:PORT */
		if (colon == s || colon[-1] != ']')
			return -EINVAL;
		hlen = colon - 1 - (s + 1);
		if (!hlen || hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, buf) != 1)
			return -EINVAL;
	} else {			/* IPv4:PORT */
		hlen = colon - s;
		if (!hlen || hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET, host, buf) != 1)
			return -EINVAL;
	}
	if (colon)
		p = colon + 1;
	if (cli__parse_u32(p, 1, 65535, &v))
		return -EINVAL;
	if (snprintf(addr, addrlen, "%s", host[0] ? host : "127.0.0.1") >= (int)addrlen)
		return -EINVAL;
	*port = v;
	return 0;
}

int cli__parse_limit(const char *s, __u32 *out)
{
	if (s && !strcmp(s, "none")) {
		*out = PG_NO_LIMIT;
		return 0;
	}
	return cli__parse_u32(s, 1, PG_LIMIT_MAX, out) ? -EINVAL : 0;
}

int cli__parse_limit_arg(const char *s, struct pg_limit_arg *out, char *err, size_t errlen)
{
	char b1[SHOW_MAX + 4], b2[SHOW_MAX + 4];
	const char *eq = strrchr(s, '=');	/* the last: a cgroup path may contain '=' */
	size_t tlen;

	if (!eq) {
		snprintf(err, errlen, "--limit: '%s' is not TARGET=N", show(s, b1));
		return -EINVAL;
	}
	tlen = eq - s;
	if (!tlen) {
		snprintf(err, errlen, "--limit: '%s' has an empty TARGET", show(s, b1));
		return -EINVAL;
	}
	if (tlen >= sizeof(out->target)) {
		snprintf(err, errlen, "--limit: TARGET '%s' is longer than %zu bytes", show(s, b1),
			 sizeof(out->target) - 1);
		return -EINVAL;
	}
	if (cli__parse_limit(eq + 1, &out->max)) {
		snprintf(err, errlen, "--limit: '%s' in '%s' is not a limit (1 to %u, or none)",
			 show(eq + 1, b1), show(s, b2), PG_LIMIT_MAX);
		return -EINVAL;
	}
	memcpy(out->target, s, tlen);
	out->target[tlen] = '\0';
	return 0;
}

static const struct option *find_opt(const struct option *opts, int val)
{
	for (; opts->name; opts++)
		if (opts->val == val)
			return opts;
	return NULL;
}

/* getopt_long returned '?' or ':': say which option, and why, in err. */
static int bad_option(const char *where, int c, int argc, char **argv, const struct option *opts,
		      char *err, size_t errlen)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	const struct option *o = find_opt(opts, optopt);
	char b[SHOW_MAX + 4];

	if (c == ':') {
		if (o)
			snprintf(err, errlen, "%s: option '--%s' needs a value", where, o->name);
		else
			snprintf(err, errlen, "%s: option '-%c' needs a value", where, optopt);
		return PG_EXIT_USAGE;
	}
	/* A long option given a value it does not take ("--json=1"). */
	if (optopt && o && !strncmp(arg, "--", 2) && strchr(arg, '=')) {
		snprintf(err, errlen, "%s: option '--%s' takes no value ('%s')", where, o->name,
			 show(arg, b));
		return PG_EXIT_USAGE;
	}
	if (!optopt)	/* unknown or ambiguous long option */
		snprintf(err, errlen, "%s: unknown or ambiguous option '%s'", where, show(arg, b));
	else if (optopt >= '0' && optopt <= '9')	/* "limit X -5" */
		snprintf(err, errlen, "%s: unknown option '-%c' (numbers take no sign)", where,
			 optopt);
	else if (optopt >= 0x20 && optopt < 0x7f)
		snprintf(err, errlen, "%s: unknown option '-%c'", where, optopt);
	else
		snprintf(err, errlen, "%s: unknown option", where);
	return PG_EXIT_USAGE;
}

static void set_output(struct pg_cmdline *out, int c)
{
	if (c == 'j')
		out->json = true;
	if (c == 'p')		/* pretty printing is a JSON option */
		out->json = out->pretty = true;
}

/*
 * A flag: set by its mere presence on the command line (arg NULL); a config
 * file says true or false, nothing else, so that a typo is an error.
 */
static int set_flag(bool *flag, const char *name, const char *arg, char *err, size_t errlen)
{
	char b[SHOW_MAX + 4];

	if (!arg || !strcmp(arg, "true")) {
		*flag = true;
		return 0;
	}
	if (!strcmp(arg, "false")) {
		*flag = false;
		return 0;
	}
	snprintf(err, errlen, "--%s: '%s' is not true or false", name, show(arg, b));
	return PG_EXIT_USAGE;
}

/*
 * --limit TARGET=N. Two limits for one TARGET from one source: which was
 * meant is unknowable, so it is refused. A command-line limit for a TARGET
 * the config file limits replaces the file's: the command line wins.
 */
static int add_limit(struct pg_cmdline *out, const char *arg, bool from_config, char *err,
		     size_t errlen)
{
	struct pg_limit_arg la;
	char b[SHOW_MAX + 4];
	int i;

	if (cli__parse_limit_arg(arg, &la, err, errlen))
		return PG_EXIT_USAGE;
	for (i = 0; i < out->nr_limits; i++) {
		if (strcmp(out->limits[i].target, la.target))
			continue;
		if (out->limits[i].from_config && !from_config) {
			out->limits[i].max = la.max;
			out->limits[i].from_config = false;
			return 0;
		}
		snprintf(err, errlen, "--limit: '%s' is limited twice", show(la.target, b));
		return PG_EXIT_USAGE;
	}
	if (out->nr_limits == PG_MAX_CLI_LIMITS) {
		snprintf(err, errlen, "--limit: '%s' is one too many (at most %d limits)",
			 show(arg, b), PG_MAX_CLI_LIMITS);
		return PG_EXIT_USAGE;
	}
	la.from_config = from_config;
	out->limits[out->nr_limits++] = la;
	return 0;
}

/*
 * One option of a subcommand, from the command line or (from_config) a
 * config file line: the one place where each value is validated.
 */
static int command_option(struct pg_cmdline *out, int c, const char *arg, bool from_config,
			  char *err, size_t errlen)
{
	char b[SHOW_MAX + 4];
	__u32 v;
	int i;

	switch (c) {
	case OPT_MODE:
		for (i = 0; i < (int)(sizeof(mode_names) / sizeof(mode_names[0])); i++) {
			if (!strcmp(arg, mode_names[i])) {
				out->mode = i;
				out->mode_given = true;
				return 0;
			}
		}
		snprintf(err, errlen, "--mode: '%s' is not a mode (auto, deny, kill or flag)",
			 show(arg, b));
		return PG_EXIT_USAGE;
	case OPT_LIMIT:
		return add_limit(out, arg, from_config, err, errlen);
	case OPT_DEFAULT_LIMIT:
		if (cli__parse_u32(arg, 1, PG_LIMIT_MAX, &v)) {
			snprintf(err, errlen, "--default-limit: '%s' is not a limit from 1 to %u",
				 show(arg, b), PG_LIMIT_MAX);
			return PG_EXIT_USAGE;
		}
		out->default_limit = v;
		return 0;
	case OPT_WARN:
		if (cli__parse_u32(arg, 1, 100, &v)) {
			snprintf(err, errlen, "--warn: '%s' is not a percentage from 1 to 100",
				 show(arg, b));
			return PG_EXIT_USAGE;
		}
		out->warn_pct = v;
		return 0;
	case OPT_EVENTS_PER_SEC:
		if (cli__parse_u32(arg, 0, UINT32_MAX, &v)) {
			snprintf(err, errlen,
				 "--events-per-sec: '%s' is not a number from 0 (unlimited) to %u",
				 show(arg, b), UINT32_MAX);
			return PG_EXIT_USAGE;
		}
		out->events_per_sec = v;
		return 0;
	case OPT_COMPOSE:
		if (!*arg) {
			snprintf(err, errlen, "--compose: '' is not a file name");
			return PG_EXIT_USAGE;
		}
		if (out->nr_compose == PG_MAX_COMPOSE) {
			snprintf(err, errlen, "--compose: '%s' is one too many (at most %d files)",
				 show(arg, b), PG_MAX_COMPOSE);
			return PG_EXIT_USAGE;
		}
		out->compose[out->nr_compose++] = arg;
		return 0;
	case OPT_DOCKER_HOST: {
		/* The client speaks HTTP over a unix socket only: no TCP, no TLS. */
		const char *path = !strncmp(arg, "unix://", 7) ? arg + 7 : NULL;

		if (!path || path[0] != '/' || !path[1]) {
			snprintf(err, errlen,
				 "--docker-host: '%s' is not a unix socket address (unix:///path)",
				 show(arg, b));
			return PG_EXIT_USAGE;
		}
		if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			snprintf(err, errlen,
				 "--docker-host: '%s' is longer than a unix socket path can be (%zu)",
				 show(arg, b), sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
			return PG_EXIT_USAGE;
		}
		out->docker_host = arg;
		return 0;
	}
	case OPT_NO_DOCKER:
		return set_flag(&out->no_docker, "no-docker", arg, err, errlen);
	case OPT_APPLY_PIDS_MAX:
		return set_flag(&out->apply_pids_max, "apply-pids-max", arg, err, errlen);
	case OPT_DURATION:
		if (cli__parse_u32(arg, 0, PG_DURATION_MAX, &v)) {
			snprintf(err, errlen,
				 "--duration: '%s' is not a number of seconds from 0 to %u",
				 show(arg, b), PG_DURATION_MAX);
			return PG_EXIT_USAGE;
		}
		out->duration_s = v;
		return 0;
	case OPT_CONFIG:
		if (!*arg) {
			snprintf(err, errlen, "--config: '' is not a file name");
			return PG_EXIT_USAGE;
		}
		out->config_path = arg;
		return 0;
	case OPT_METRICS:
		if (cli__parse_listen(arg, out->metrics_addr, sizeof(out->metrics_addr),
				      &out->metrics_port)) {
			snprintf(err, errlen,
				 "--metrics: '%s' is not [ADDR:]PORT (PORT 1 to 65535; ADDR numeric, IPv6 in brackets)",
				 show(arg, b));
			return PG_EXIT_USAGE;
		}
		out->metrics = true;
		return 0;
	case OPT_LOG:
		if (!strcmp(arg, "stderr")) {
			out->log_target = PG_LOG_STDERR;
		} else if (!strcmp(arg, "syslog")) {
			out->log_target = PG_LOG_SYSLOG;
		} else {
			snprintf(err, errlen, "--log: '%s' is not stderr or syslog", show(arg, b));
			return PG_EXIT_USAGE;
		}
		return 0;
	case OPT_WATCH:
		if (!arg) {
			out->watch_s = PG_WATCH_DEFAULT_S;
			return 0;
		}
		if (cli__parse_u32(arg, 1, PG_WATCH_MAX_S, &v)) {
			snprintf(err, errlen, "--watch: '%s' is not a number of seconds from 1 to %u",
				 show(arg, b), PG_WATCH_MAX_S);
			return PG_EXIT_USAGE;
		}
		out->watch_s = v;
		return 0;
	case OPT_DETAIL:
		return set_flag(&out->detail, "detail", arg, err, errlen);
	case OPT_GROUPS:
		if (cli__parse_u32(arg, 1, PG_TOP_GROUPS_MAX, &v)) {
			snprintf(err, errlen, "--groups: '%s' is not a number from 1 to %u",
				 show(arg, b), PG_TOP_GROUPS_MAX);
			return PG_EXIT_USAGE;
		}
		out->top_groups = v;
		return 0;
	case OPT_ON_RUNAWAY: {
		enum pg_runaway_action a;

		if (runaway__action_parse(arg, &a)) {
			snprintf(err, errlen,
				 "--on-runaway: '%s' is not none, freeze, trim, restart or kill",
				 show(arg, b));
			return PG_EXIT_USAGE;
		}
		out->on_runaway = a;
		return 0;
	}
	case OPT_RUNAWAY_RATE:
		if (cli__parse_u32(arg, 1, PG_RUNAWAY_RATE_MAX, &v)) {
			snprintf(err, errlen,
				 "--runaway-rate: '%s' is not a number of attempts a second from 1 to %u",
				 show(arg, b), PG_RUNAWAY_RATE_MAX);
			return PG_EXIT_USAGE;
		}
		out->runaway_rate = v;
		return 0;
	case OPT_RUNAWAY_SECONDS:
		if (cli__parse_u32(arg, 1, PG_RUNAWAY_SECONDS_MAX, &v)) {
			snprintf(err, errlen,
				 "--runaway-seconds: '%s' is not a number of seconds from 1 to %u",
				 show(arg, b), PG_RUNAWAY_SECONDS_MAX);
			return PG_EXIT_USAGE;
		}
		out->runaway_seconds = v;
		return 0;
	case OPT_ENFORCE_IN_USERSPACE:
		return set_flag(&out->enforce_in_userspace, "enforce-in-userspace", arg, err,
				errlen);
	}
	snprintf(err, errlen, "%s: unknown option", command_name(out->cmd));
	return PG_EXIT_USAGE;
}

/* ---- Run's options by long name, for config files ---- */

/* The run option NAME may set from a config file, or NULL. */
static const struct option *config_option(const char *name)
{
	const struct option *o;

	for (o = run_opts; o->name; o++) {
		/* Output and help are the caller's; a config file includes none. */
		if (o->val == 'j' || o->val == 'p' || o->val == 'h' || o->val == OPT_CONFIG)
			continue;
		if (!strcmp(o->name, name))
			return o;
	}
	return NULL;
}

enum pg_opt_kind cli__option_kind(const char *name)
{
	const struct option *o = config_option(name);

	if (!o)
		return PG_OPT_UNKNOWN;
	if (o->has_arg == no_argument)
		return PG_OPT_BOOL;
	return o->val == OPT_LIMIT || o->val == OPT_COMPOSE ? PG_OPT_LIST : PG_OPT_SCALAR;
}

const char *cli__option_name(int i)
{
	const struct option *o;

	for (o = run_opts; o->name; o++) {
		if (!config_option(o->name))
			continue;
		if (i-- == 0)
			return o->name;
	}
	return NULL;
}

int cli__apply_option(struct pg_cmdline *out, const char *name, const char *value, char *err,
		      size_t errlen)
{
	const struct option *o = config_option(name);
	char b[SHOW_MAX + 4];

	if (!o || !value) {
		snprintf(err, errlen, "'%s' is not an option of run", show(name, b));
		return PG_EXIT_USAGE;
	}
	return command_option(out, o->val, value, true, err, errlen);
}

/* `limit TARGET N|none`: exactly two operands, into limits[0]. */
static int limit_operands(struct pg_cmdline *out, int nr, char **ops, char *err, size_t errlen)
{
	char b[SHOW_MAX + 4];

	if (nr == 0) {
		snprintf(err, errlen, "limit: missing TARGET and N|none");
		return PG_EXIT_USAGE;
	}
	if (nr == 1) {
		snprintf(err, errlen, "limit: missing N|none after '%s'", show(ops[0], b));
		return PG_EXIT_USAGE;
	}
	if (nr > 2) {
		snprintf(err, errlen, "limit: unexpected argument '%s'", show(ops[2], b));
		return PG_EXIT_USAGE;
	}
	if (!*ops[0]) {
		snprintf(err, errlen, "limit: TARGET '' is empty");
		return PG_EXIT_USAGE;
	}
	if (strlen(ops[0]) >= sizeof(out->limits[0].target)) {
		snprintf(err, errlen, "limit: TARGET '%s' is longer than %zu bytes", show(ops[0], b),
			 sizeof(out->limits[0].target) - 1);
		return PG_EXIT_USAGE;
	}
	if (cli__parse_limit(ops[1], &out->limits[0].max)) {
		snprintf(err, errlen, "limit: '%s' is not a limit (1 to %u, or none)", show(ops[1], b),
			 PG_LIMIT_MAX);
		return PG_EXIT_USAGE;
	}
	strcpy(out->limits[0].target, ops[0]);
	out->nr_limits = 1;
	return 0;
}

/* Options and operands after the subcommand; argv[0] is the subcommand. */
static int parse_command(struct pg_cmdline *out, int argc, char **argv, char *err, size_t errlen)
{
	const char *where = command_name(out->cmd);
	const struct option *opts = out->cmd == PG_CMD_RUN ? run_opts :
				    out->cmd == PG_CMD_STATUS ? status_opts :
				    out->cmd == PG_CMD_TOP ? top_opts : plain_opts;
	char b[SHOW_MAX + 4];
	int c, ret, nr;

	optind = 0;	/* 0, not 1: also resets glibc's internal state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jph", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
		case 'p':
			set_output(out, c);
			break;
		case 'h':
			out->help_for = out->cmd == PG_CMD_HELP ? PG_CMD_NONE : out->cmd;
			out->cmd = PG_CMD_HELP;
			return 0;
		case '?':
		case ':':
			return bad_option(where, c, argc, argv, opts, err, errlen);
		default:
			ret = command_option(out, c, optarg, false, err, errlen);
			if (ret)
				return ret;
		}
	}
	nr = argc - optind;
	switch (out->cmd) {
	case PG_CMD_LIMIT:
		return limit_operands(out, nr, argv + optind, err, errlen);
	case PG_CMD_TOP:
		if (nr != 1) {
			snprintf(err, errlen, nr ? "top: unexpected argument '%s'" :
				 "top: missing TARGET (a cgroup path or a container)",
				 nr ? show(argv[optind + 1], b) : "");
			return PG_EXIT_USAGE;
		}
		/* TARGET as status takes it */
		__attribute__((fallthrough));
	case PG_CMD_STATUS:
		/* status [TARGET]: one cgroup or container, into limits[0].target. */
		if (nr > 1) {
			snprintf(err, errlen, "status: unexpected argument '%s'",
				 show(argv[optind + 1], b));
			return PG_EXIT_USAGE;
		}
		if (nr == 1) {
			if (!*argv[optind] || strlen(argv[optind]) >= sizeof(out->limits[0].target)) {
				snprintf(err, errlen, "%s: TARGET '%s' is empty or too long", where,
					 show(argv[optind], b));
				return PG_EXIT_USAGE;
			}
			strcpy(out->limits[0].target, argv[optind]);
			out->nr_limits = 1;
		}
		return 0;
	case PG_CMD_THAW:
		if (nr != 1) {
			snprintf(err, errlen, nr ? "thaw: unexpected argument '%s'" :
				 "thaw: missing TARGET%s", nr ? show(argv[optind + 1], b) : "");
			return PG_EXIT_USAGE;
		}
		if (!*argv[optind] || strlen(argv[optind]) >= sizeof(out->limits[0].target)) {
			snprintf(err, errlen, "thaw: TARGET '%s' is empty or too long",
				 show(argv[optind], b));
			return PG_EXIT_USAGE;
		}
		strcpy(out->limits[0].target, argv[optind]);
		out->nr_limits = 1;
		return 0;
	case PG_CMD_HELP:
		if (nr > 1) {
			snprintf(err, errlen, "help: unexpected argument '%s'",
				 show(argv[optind + 1], b));
			return PG_EXIT_USAGE;
		}
		if (nr == 1) {
			out->help_for = command_by_name(argv[optind]);
			if (out->help_for == PG_CMD_NONE) {
				snprintf(err, errlen, "help: '%s' is not a command",
					 show(argv[optind], b));
				return PG_EXIT_USAGE;
			}
			if (out->help_for == PG_CMD_HELP)
				out->help_for = PG_CMD_NONE;
		}
		return 0;
	default:
		if (nr > 0) {
			snprintf(err, errlen, "%s: unexpected argument '%s'", where,
				 show(argv[optind], b));
			return PG_EXIT_USAGE;
		}
	}
	if (out->cmd == PG_CMD_RUN) {
		if (out->no_docker && out->docker_host) {
			snprintf(err, errlen, "--no-docker: conflicts with --docker-host '%s'",
				 show(out->docker_host, b));
			return PG_EXIT_USAGE;
		}
		if (out->no_docker && out->apply_pids_max) {
			snprintf(err, errlen,
				 "--apply-pids-max: writes containers' declared limits, which needs Docker, but --no-docker was given");
			return PG_EXIT_USAGE;
		}
		/* Compose limits are matched through container labels: Docker is needed. */
		if (out->no_docker && out->nr_compose) {
			snprintf(err, errlen,
				 "--compose: '%s' needs Docker (services are matched by container labels), but --no-docker was given",
				 show(out->compose[0], b));
			return PG_EXIT_USAGE;
		}
		/* A restart is the daemon's to do: POST /containers/ID/restart. */
		if (out->no_docker && out->on_runaway == PG_RUNAWAY_RESTART) {
			snprintf(err, errlen,
				 "--on-runaway: restart restarts containers, which needs Docker, but --no-docker was given");
			return PG_EXIT_USAGE;
		}
		/* Deny and kill mode enforce in the kernel already: nothing to add. */
		if (out->enforce_in_userspace && out->mode != PG_REQ_FLAG) {
			snprintf(err, errlen,
				 "--enforce-in-userspace: needs --mode flag (deny and kill enforce in the kernel), got --mode %s",
				 cli__mode_req_name(out->mode));
			return PG_EXIT_USAGE;
		}
	}
	return 0;
}

void cli__init(struct pg_cmdline *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = PG_REQ_AUTO;
	out->warn_pct = PG_DEFAULT_WARN_PCT;
	out->events_per_sec = PG_DEFAULT_EPS;
	out->runaway_rate = PG_RUNAWAY_DEFAULT_RATE;
	out->runaway_seconds = PG_RUNAWAY_DEFAULT_SECONDS;
}

int cli__parse(int argc, char **argv, struct pg_cmdline *out, char *err, size_t errlen)
{
	cli__init(out);
	return cli__parse_over(argc, argv, out, err, errlen);
}

/*
 * Applying argv on top of a config file's options is the same parse: the
 * command line's own rules (a later scalar replaces an earlier one) make it
 * win, and parse_command() ends with the cross-option checks, which then
 * judge the merged result.
 */
int cli__parse_over(int argc, char **argv, struct pg_cmdline *out, char *err, size_t errlen)
{
	char b[SHOW_MAX + 4];
	bool help = false, version = false;
	int c;

	if (errlen)
		err[0] = '\0';

	/* Global options, before the subcommand ('+': stop at the first operand). */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jphV", global_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
		case 'p':
			set_output(out, c);
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			version = true;
			break;
		default:
			return bad_option("pidguard", c, argc, argv, global_opts, err, errlen);
		}
	}
	if (help) {
		/* `pidguard --help run` reads as `pidguard help run`. */
		out->cmd = PG_CMD_HELP;
		if (optind < argc) {
			out->help_for = command_by_name(argv[optind]);
			if (out->help_for == PG_CMD_HELP)
				out->help_for = PG_CMD_NONE;
		}
		return 0;
	}
	if (version) {
		out->cmd = PG_CMD_VERSION;
		if (optind < argc) {
			snprintf(err, errlen, "--version: unexpected argument '%s'",
				 show(argv[optind], b));
			return PG_EXIT_USAGE;
		}
		return 0;
	}
	if (optind >= argc) {
		snprintf(err, errlen, "missing command (run, status, top, limit, thaw, stop, help or version)");
		return PG_EXIT_USAGE;
	}
	out->cmd = command_by_name(argv[optind]);
	if (out->cmd == PG_CMD_NONE) {
		snprintf(err, errlen, "'%s' is not a command (run, status, top, limit, thaw, stop, help or version)",
			 show(argv[optind], b));
		return PG_EXIT_USAGE;
	}
	return parse_command(out, argc - optind, argv + optind, err, errlen);
}
