// SPDX-License-Identifier: GPL-2.0
/* test_cli.c - every option, every refusal, and what the help pages teach. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cli.h"
#include "runaway.h"
#include "pidguard.h"

#define MAX_ARGS 32

static struct pg_cmdline cl;	/* large (limits[]): not on the stack */
static char err[512];

/* Parse "pidguard" + the NULL-terminated args; getopt permutes argv, so copy it. */
static int parse_args(const char *const *args)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0;

	argv[argc++] = "pidguard";
	while (*args && argc <= MAX_ARGS)
		argv[argc++] = (char *)*args++;
	assert_null(*args);	/* MAX_ARGS too small: never test a truncated line */
	argv[argc] = NULL;
	memset(err, 'X', sizeof(err));
	return cli__parse(argc, argv, &cl, err, sizeof(err));
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define PARSE(...) parse_args(ARGS(__VA_ARGS__))
#define PARSE_OK(...)							\
	do {								\
		int ret_ = PARSE(__VA_ARGS__);				\
		if (ret_) {						\
			print_error("unexpected error: %s\n", err);	\
			fail();						\
		}							\
	} while (0)

static void test_defaults(void **state)
{
	(void)state;
	PARSE_OK("run");
	assert_int_equal(cl.cmd, PG_CMD_RUN);
	assert_int_equal(cl.mode, PG_REQ_AUTO);
	assert_false(cl.mode_given);
	assert_int_equal(cl.nr_limits, 0);
	assert_int_equal(cl.default_limit, 0);
	assert_int_equal(cl.warn_pct, 80);
	assert_int_equal(cl.events_per_sec, 20);
	assert_int_equal(cl.nr_compose, 0);
	assert_null(cl.docker_host);
	assert_false(cl.no_docker);
	assert_false(cl.apply_pids_max);
	assert_int_equal(cl.duration_s, 0);
	assert_false(cl.json);
	assert_false(cl.pretty);
}

static void test_run_every_option(void **state)
{
	(void)state;
	PARSE_OK("run", "--mode", "kill", "--limit", "/sys/fs/cgroup/unified/docker/abc=25",
		 "--limit=docker/x=none", "--default-limit", "512", "--warn", "90",
		 "--events-per-sec", "0", "--compose", "a.yml", "--compose=b.yml",
		 "--docker-host", "unix:///run/d.sock", "--duration", "86400", "-j");
	assert_int_equal(cl.cmd, PG_CMD_RUN);
	assert_int_equal(cl.mode, PG_REQ_KILL);
	assert_true(cl.mode_given);
	assert_int_equal(cl.nr_limits, 2);
	assert_string_equal(cl.limits[0].target, "/sys/fs/cgroup/unified/docker/abc");
	assert_int_equal(cl.limits[0].max, 25);
	assert_string_equal(cl.limits[1].target, "docker/x");
	assert_int_equal(cl.limits[1].max, PG_NO_LIMIT);
	assert_int_equal(cl.default_limit, 512);
	assert_int_equal(cl.warn_pct, 90);
	assert_int_equal(cl.events_per_sec, 0);
	assert_int_equal(cl.nr_compose, 2);
	assert_string_equal(cl.compose[0], "a.yml");
	assert_string_equal(cl.compose[1], "b.yml");
	assert_string_equal(cl.docker_host, "unix:///run/d.sock");
	assert_int_equal(cl.duration_s, 86400);
	assert_true(cl.json);
	assert_false(cl.pretty);
}

static void test_run_modes_and_no_docker(void **state)
{
	static const struct {
		const char *name;
		enum pg_mode_req mode;
	} modes[] = {
		{ "auto", PG_REQ_AUTO },
		{ "deny", PG_REQ_DENY },
		{ "kill", PG_REQ_KILL },
		{ "flag", PG_REQ_FLAG },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		PARSE_OK("run", "--mode", modes[i].name);
		assert_int_equal(cl.mode, modes[i].mode);
		assert_true(cl.mode_given);
		assert_string_equal(cli__mode_req_name(modes[i].mode), modes[i].name);
	}
	assert_string_equal(cli__mode_req_name((enum pg_mode_req)42), "?");
	PARSE_OK("run", "--no-docker", "--limit", "a=1", "--warn", "1", "--warn", "100");
	assert_true(cl.no_docker);
	assert_int_equal(cl.warn_pct, 100);	/* the last one wins */
	PARSE_OK("run", "--events-per-sec", "4294967295", "--default-limit", "4194304",
		 "--limit", "x=1", "--limit", "y=4194304", "--duration", "0");
	assert_int_equal(cl.events_per_sec, 4294967295u);
	assert_int_equal(cl.default_limit, 4194304);
	assert_int_equal(cl.limits[0].max, 1);
	assert_int_equal(cl.limits[1].max, 4194304);
	/* Leading zeros are still decimal digits. */
	PARSE_OK("run", "--warn", "007");
	assert_int_equal(cl.warn_pct, 7);
}

static void test_status_target(void **state)
{
	(void)state;
	PARSE_OK("status");
	assert_int_equal(cl.nr_limits, 0);
	PARSE_OK("status", "web", "-j");
	assert_int_equal(cl.cmd, PG_CMD_STATUS);
	assert_int_equal(cl.nr_limits, 1);
	assert_string_equal(cl.limits[0].target, "web");
	assert_true(cl.json);
}

static void test_apply_pids_max(void **state)
{
	(void)state;
	PARSE_OK("run", "--apply-pids-max", "--compose", "c.yml");
	assert_true(cl.apply_pids_max);
	PARSE_OK("run");
	assert_false(cl.apply_pids_max);	/* reset by a new parse */
	assert_int_equal(PARSE("status", "--apply-pids-max"), PG_EXIT_USAGE);
}

static void test_global_options_anywhere(void **state)
{
	(void)state;
	PARSE_OK("-j", "status");
	assert_int_equal(cl.cmd, PG_CMD_STATUS);
	assert_true(cl.json);
	PARSE_OK("status", "--json");
	assert_true(cl.json);
	assert_false(cl.pretty);
	PARSE_OK("status", "-p");
	assert_true(cl.json);	/* pretty implies json */
	assert_true(cl.pretty);
	PARSE_OK("--pretty", "stop");
	assert_int_equal(cl.cmd, PG_CMD_STOP);
	assert_true(cl.pretty);
	PARSE_OK("-jp", "run", "--no-docker");
	assert_true(cl.json && cl.pretty);
	PARSE_OK("limit", "docker/abc", "50", "-j");
	assert_true(cl.json);
	PARSE_OK("status", "-jp");
	assert_true(cl.json && cl.pretty);
}

static void test_limit_command(void **state)
{
	(void)state;
	PARSE_OK("limit", "docker/abc", "50");
	assert_int_equal(cl.cmd, PG_CMD_LIMIT);
	assert_int_equal(cl.nr_limits, 1);
	assert_string_equal(cl.limits[0].target, "docker/abc");
	assert_int_equal(cl.limits[0].max, 50);
	PARSE_OK("limit", "my-container", "none");
	assert_int_equal(cl.limits[0].max, PG_NO_LIMIT);
	/* "--" ends options: a TARGET may start with '-'. */
	PARSE_OK("limit", "--", "-odd-name", "3");
	assert_string_equal(cl.limits[0].target, "-odd-name");
	assert_int_equal(cl.limits[0].max, 3);
}

static void test_help_forms(void **state)
{
	(void)state;
	PARSE_OK("--help");
	assert_int_equal(cl.cmd, PG_CMD_HELP);
	assert_int_equal(cl.help_for, PG_CMD_NONE);
	PARSE_OK("-h");
	assert_int_equal(cl.cmd, PG_CMD_HELP);
	assert_int_equal(cl.help_for, PG_CMD_NONE);
	PARSE_OK("help");
	assert_int_equal(cl.cmd, PG_CMD_HELP);
	assert_int_equal(cl.help_for, PG_CMD_NONE);
	PARSE_OK("help", "run");
	assert_int_equal(cl.help_for, PG_CMD_RUN);
	PARSE_OK("help", "help");
	assert_int_equal(cl.help_for, PG_CMD_NONE);
	PARSE_OK("run", "--help");
	assert_int_equal(cl.cmd, PG_CMD_HELP);
	assert_int_equal(cl.help_for, PG_CMD_RUN);
	/* --help wins over what follows it, even what is invalid. */
	PARSE_OK("run", "-h", "--warn", "500");
	assert_int_equal(cl.help_for, PG_CMD_RUN);
	PARSE_OK("status", "--help");
	assert_int_equal(cl.help_for, PG_CMD_STATUS);
	PARSE_OK("limit", "--help");
	assert_int_equal(cl.help_for, PG_CMD_LIMIT);
	PARSE_OK("stop", "-h");
	assert_int_equal(cl.help_for, PG_CMD_STOP);
	PARSE_OK("--help", "limit");
	assert_int_equal(cl.help_for, PG_CMD_LIMIT);
	PARSE_OK("version");
	assert_int_equal(cl.cmd, PG_CMD_VERSION);
	PARSE_OK("--version");
	assert_int_equal(cl.cmd, PG_CMD_VERSION);
}

/* State left by one parse must not leak into the next (getopt is global). */
static void test_reparse_resets(void **state)
{
	(void)state;
	PARSE_OK("-j", "run", "--limit", "a=1", "--mode", "deny", "--no-docker");
	PARSE_OK("run");
	assert_false(cl.json);
	assert_int_equal(cl.nr_limits, 0);
	assert_false(cl.mode_given);
	assert_false(cl.no_docker);
	assert_int_equal(PARSE("run", "--bogus"), PG_EXIT_USAGE);
	PARSE_OK("run", "--warn", "5");
	assert_int_equal(cl.warn_pct, 5);
}

static void test_metrics(void **state)
{
	static const struct {
		const char *arg;
		const char *addr;
		__u16 port;
	} good[] = {
		{ "9464", "127.0.0.1", 9464 },	/* loopback unless asked */
		{ "0.0.0.0:80", "0.0.0.0", 80 },
		{ "[::1]:9464", "::1", 9464 },
		{ "[::]:1", "::", 1 },
		{ "10.1.2.3:65535", "10.1.2.3", 65535 },
	};
	static const char *const bad[] = {
		"x:1", "1.2.3.4:0", "[::1]", "::1:80", "65536", "", "0", "1.2.3.4:", ":80",
		"[::1]:", "[]:80", "[1.2.3.4]:80", "1.2.3:80", "localhost:9464", "9464 ", "+80",
	};
	char want[256];
	size_t i;

	(void)state;
	PARSE_OK("run");
	assert_false(cl.metrics);
	assert_int_equal(cl.log_target, PG_LOG_STDERR);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		PARSE_OK("run", "--metrics", good[i].arg);
		assert_true(cl.metrics);
		assert_string_equal(cl.metrics_addr, good[i].addr);
		assert_int_equal(cl.metrics_port, good[i].port);
	}
	PARSE_OK("run", "--metrics=[::1]:9464");
	assert_string_equal(cl.metrics_addr, "::1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want),
			 "--metrics: '%s' is not [ADDR:]PORT (PORT 1 to 65535; ADDR numeric, IPv6 in brackets)",
			 bad[i]);
		if (PARSE("run", "--metrics", bad[i]) != PG_EXIT_USAGE || strcmp(err, want)) {
			print_error("--metrics '%s': got '%s'\n", bad[i], err);
			fail();
		}
	}
	assert_int_equal(PARSE("run", "--metrics"), PG_EXIT_USAGE);
	assert_string_equal(err, "run: option '--metrics' needs a value");
	/* A status or limit has no endpoint. */
	assert_int_equal(PARSE("status", "--metrics", "9464"), PG_EXIT_USAGE);
	assert_string_equal(err, "status: unknown or ambiguous option '--metrics'");
	assert_int_equal(PARSE("limit", "a", "5", "--metrics=9464"), PG_EXIT_USAGE);
}

static void test_log(void **state)
{
	(void)state;
	PARSE_OK("run", "--log", "syslog");
	assert_int_equal(cl.log_target, PG_LOG_SYSLOG);
	PARSE_OK("run", "--log=stderr");
	assert_int_equal(cl.log_target, PG_LOG_STDERR);
	PARSE_OK("run", "--log", "syslog", "--log", "stderr");	/* the last one wins */
	assert_int_equal(cl.log_target, PG_LOG_STDERR);
	assert_int_equal(PARSE("run", "--log", "bad"), PG_EXIT_USAGE);
	assert_string_equal(err, "--log: 'bad' is not stderr or syslog");
	assert_int_equal(PARSE("run", "--log", "SYSLOG"), PG_EXIT_USAGE);
	assert_int_equal(PARSE("run", "--log", ""), PG_EXIT_USAGE);
	assert_string_equal(err, "--log: '' is not stderr or syslog");
	assert_int_equal(PARSE("status", "--log", "syslog"), PG_EXIT_USAGE);
}

static void test_runaway_options(void **state)
{
	(void)state;
	PARSE_OK("run");
	assert_int_equal(cl.on_runaway, PG_RUNAWAY_NONE);
	assert_int_equal(cl.runaway_rate, 10);
	assert_int_equal(cl.runaway_seconds, 5);
	assert_false(cl.enforce_in_userspace);
	PARSE_OK("run", "--on-runaway", "trim", "--runaway-rate", "50", "--runaway-seconds=2");
	assert_int_equal(cl.on_runaway, PG_RUNAWAY_TRIM);
	assert_int_equal(cl.runaway_rate, 50);
	assert_int_equal(cl.runaway_seconds, 2);
	PARSE_OK("run", "--on-runaway", "restart");
	assert_int_equal(cl.on_runaway, PG_RUNAWAY_RESTART);
	PARSE_OK("run", "--no-docker", "--on-runaway", "kill");
	assert_int_equal(PARSE("run", "--on-runaway=restart", "--no-docker"), PG_EXIT_USAGE);
	assert_int_equal(PARSE("run", "--on-runaway", "reboot"), PG_EXIT_USAGE);
	assert_string_equal(err, "--on-runaway: 'reboot' is not none, freeze, trim, restart or kill");
	assert_int_equal(PARSE("run", "--runaway-rate", "0"), PG_EXIT_USAGE);
	assert_int_equal(PARSE("run", "--runaway-seconds", "3601"), PG_EXIT_USAGE);
	assert_string_equal(err, "--runaway-seconds: '3601' is not a number of seconds from 1 to 3600");
	/* Userspace enforcement is for kernels that can only flag. */
	PARSE_OK("run", "--mode", "flag", "--enforce-in-userspace");
	assert_true(cl.enforce_in_userspace);
	assert_int_equal(PARSE("run", "--enforce-in-userspace"), PG_EXIT_USAGE);
	assert_string_equal(err, "--enforce-in-userspace: needs --mode flag (deny and kill enforce in the kernel), got --mode auto");
	assert_int_equal(PARSE("run", "--mode", "kill", "--enforce-in-userspace"), PG_EXIT_USAGE);
	assert_int_equal(PARSE("status", "--on-runaway", "kill"), PG_EXIT_USAGE);
	/* thaw TARGET */
	PARSE_OK("thaw", "docker/abc");
	assert_int_equal(cl.cmd, PG_CMD_THAW);
	assert_string_equal(cl.limits[0].target, "docker/abc");
	assert_int_equal(PARSE("thaw"), PG_EXIT_USAGE);
	assert_string_equal(err, "thaw: missing TARGET");
	assert_int_equal(PARSE("thaw", "a", "b"), PG_EXIT_USAGE);
	assert_string_equal(err, "thaw: unexpected argument 'b'");
}

static void test_watch(void **state)
{
	static const char *const bad[] = { "0", "3601", "x", "", "-1", "1.5", "2s" };
	char arg[32], want[128];
	size_t i;

	(void)state;
	PARSE_OK("status");
	assert_int_equal(cl.watch_s, 0);	/* once */
	PARSE_OK("status", "--watch");
	assert_int_equal(cl.watch_s, 2);	/* no value: the default period */
	PARSE_OK("status", "--watch=1");
	assert_int_equal(cl.watch_s, 1);
	PARSE_OK("status", "--watch=3600", "-j", "web");
	assert_int_equal(cl.watch_s, 3600);
	assert_true(cl.json);
	assert_string_equal(cl.limits[0].target, "web");
	/* An optional value is attached: "--watch 5" is --watch and TARGET 5. */
	PARSE_OK("status", "--watch", "5");
	assert_int_equal(cl.watch_s, 2);
	assert_string_equal(cl.limits[0].target, "5");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(arg, sizeof(arg), "--watch=%s", bad[i]);
		snprintf(want, sizeof(want),
			 "--watch: '%s' is not a number of seconds from 1 to 3600", bad[i]);
		if (PARSE("status", arg) != PG_EXIT_USAGE || strcmp(err, want)) {
			print_error("%s: got '%s'\n", arg, err);
			fail();
		}
	}
	/* run reports as it goes: --watch is status's. */
	assert_int_equal(PARSE("run", "--watch"), PG_EXIT_USAGE);
	assert_string_equal(err, "run: unknown or ambiguous option '--watch'");
	assert_int_equal(PARSE("run", "--watch=2"), PG_EXIT_USAGE);
	assert_int_equal(PARSE("stop", "--watch"), PG_EXIT_USAGE);
	PARSE_OK("status", "--watch=7");
	PARSE_OK("status");
	assert_int_equal(cl.watch_s, 0);	/* reset by a new parse */
}

static void test_config_option(void **state)
{
	(void)state;
	PARSE_OK("run");
	assert_null(cl.config_path);
	PARSE_OK("run", "--config", "/etc/pidguard/pidguard.conf", "--warn", "5");
	assert_string_equal(cl.config_path, "/etc/pidguard/pidguard.conf");
	assert_int_equal(PARSE("run", "--config", ""), PG_EXIT_USAGE);
	assert_string_equal(err, "--config: '' is not a file name");
	assert_int_equal(PARSE("status", "--config", "x"), PG_EXIT_USAGE);
	/* A flag given a config-file value: the same strict words. */
	PARSE_OK("run");
	assert_int_equal(cli__apply_option(&cl, "no-docker", "true", err, sizeof(err)), 0);
	assert_true(cl.no_docker);
	assert_int_equal(cli__apply_option(&cl, "no-docker", "false", err, sizeof(err)), 0);
	assert_false(cl.no_docker);
	assert_int_equal(cli__apply_option(&cl, "no-docker", "on", err, sizeof(err)),
			 PG_EXIT_USAGE);
	assert_string_equal(err, "--no-docker: 'on' is not true or false");
	assert_int_equal(cli__apply_option(&cl, "config", "x", err, sizeof(err)), PG_EXIT_USAGE);
}

static const struct {
	const char *args[MAX_ARGS];
	const char *want;	/* the whole message */
} errors[] = {
	{ { NULL }, "missing command (run, status, top, limit, thaw, stop, help or version)" },
	{ { "-j" }, "missing command (run, status, top, limit, thaw, stop, help or version)" },
	{ { "bogus" }, "'bogus' is not a command (run, status, top, limit, thaw, stop, help or version)" },
	{ { "RUN" }, "'RUN' is not a command (run, status, top, limit, thaw, stop, help or version)" },
	{ { "--bogus" }, "pidguard: unknown or ambiguous option '--bogus'" },
	{ { "-x", "run" }, "pidguard: unknown option '-x'" },
	{ { "--version", "run" }, "--version: unexpected argument 'run'" },
	{ { "run", "--bogus" }, "run: unknown or ambiguous option '--bogus'" },
	{ { "run", "-x" }, "run: unknown option '-x'" },
	{ { "run", "-jx" }, "run: unknown option '-x'" },
	{ { "run", "--json=1" }, "run: option '--json' takes no value ('--json=1')" },
	{ { "run", "--no-docker=yes" }, "run: option '--no-docker' takes no value ('--no-docker=yes')" },
	{ { "run", "extra" }, "run: unexpected argument 'extra'" },
	{ { "run", "--mode" }, "run: option '--mode' needs a value" },
	{ { "run", "--limit" }, "run: option '--limit' needs a value" },
	{ { "run", "--warn" }, "run: option '--warn' needs a value" },
	{ { "run", "--mode", "strict" }, "--mode: 'strict' is not a mode (auto, deny, kill or flag)" },
	{ { "run", "--mode", "" }, "--mode: '' is not a mode (auto, deny, kill or flag)" },
	{ { "run", "--mode", "KILL" }, "--mode: 'KILL' is not a mode (auto, deny, kill or flag)" },
	{ { "run", "--limit", "abc" }, "--limit: 'abc' is not TARGET=N" },
	{ { "run", "--limit", "=5" }, "--limit: '=5' has an empty TARGET" },
	{ { "run", "--limit", "x=" }, "--limit: '' in 'x=' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x=0" }, "--limit: '0' in 'x=0' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x=4194305" },
	  "--limit: '4194305' in 'x=4194305' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x=-1" }, "--limit: '-1' in 'x=-1' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x=+1" }, "--limit: '+1' in 'x=+1' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x= 1" }, "--limit: ' 1' in 'x= 1' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x=1 " }, "--limit: '1 ' in 'x=1 ' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x=0x10" }, "--limit: '0x10' in 'x=0x10' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x=25k" }, "--limit: '25k' in 'x=25k' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x=None" }, "--limit: 'None' in 'x=None' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "x=99999999999999999999" },
	  "--limit: '99999999999999999999' in 'x=99999999999999999999' is not a limit (1 to 4194304, or none)" },
	{ { "run", "--limit", "a=1", "--limit", "a=2" }, "--limit: 'a' is limited twice" },
	{ { "run", "--default-limit", "0" }, "--default-limit: '0' is not a limit from 1 to 4194304" },
	{ { "run", "--default-limit", "none" }, "--default-limit: 'none' is not a limit from 1 to 4194304" },
	{ { "run", "--default-limit", "4194305" }, "--default-limit: '4194305' is not a limit from 1 to 4194304" },
	{ { "run", "--default-limit", "" }, "--default-limit: '' is not a limit from 1 to 4194304" },
	{ { "run", "--warn", "150" }, "--warn: '150' is not a percentage from 1 to 100" },
	{ { "run", "--warn", "0" }, "--warn: '0' is not a percentage from 1 to 100" },
	{ { "run", "--warn", "80%" }, "--warn: '80%' is not a percentage from 1 to 100" },
	{ { "run", "--warn", "-5" }, "--warn: '-5' is not a percentage from 1 to 100" },
	{ { "run", "--warn", "4294967376" }, "--warn: '4294967376' is not a percentage from 1 to 100" },
	{ { "run", "--events-per-sec", "4294967296" },
	  "--events-per-sec: '4294967296' is not a number from 0 (unlimited) to 4294967295" },
	{ { "run", "--events-per-sec", "1e3" },
	  "--events-per-sec: '1e3' is not a number from 0 (unlimited) to 4294967295" },
	{ { "run", "--duration", "86401" }, "--duration: '86401' is not a number of seconds from 0 to 86400" },
	{ { "run", "--duration", "10s" }, "--duration: '10s' is not a number of seconds from 0 to 86400" },
	{ { "run", "--duration", "1.5" }, "--duration: '1.5' is not a number of seconds from 0 to 86400" },
	{ { "run", "--compose", "" }, "--compose: '' is not a file name" },
	{ { "run", "--docker-host", "tcp://127.0.0.1:2375" },
	  "--docker-host: 'tcp://127.0.0.1:2375' is not a unix socket address (unix:///path)" },
	{ { "run", "--docker-host", "/var/run/docker.sock" },
	  "--docker-host: '/var/run/docker.sock' is not a unix socket address (unix:///path)" },
	{ { "run", "--docker-host", "unix://" }, "--docker-host: 'unix://' is not a unix socket address (unix:///path)" },
	{ { "run", "--docker-host", "unix:///" }, "--docker-host: 'unix:///' is not a unix socket address (unix:///path)" },
	{ { "run", "--docker-host", "unix://rel.sock" },
	  "--docker-host: 'unix://rel.sock' is not a unix socket address (unix:///path)" },
	{ { "run", "--no-docker", "--docker-host", "unix:///d.sock" },
	  "--no-docker: conflicts with --docker-host 'unix:///d.sock'" },
	{ { "run", "--apply-pids-max", "--no-docker" },
	  "--apply-pids-max: writes containers' declared limits, which needs Docker, but --no-docker was given" },
	{ { "run", "--apply-pids-max=1" },
	  "run: option '--apply-pids-max' takes no value ('--apply-pids-max=1')" },
	{ { "run", "--compose", "c.yml", "--no-docker" },
	  "--compose: 'c.yml' needs Docker (services are matched by container labels), but --no-docker was given" },
	{ { "run", "--no-docker", "--on-runaway", "restart" },
	  "--on-runaway: restart restarts containers, which needs Docker, but --no-docker was given" },
	{ { "status", "web", "extra" }, "status: unexpected argument 'extra'" },
	{ { "status", "" }, "status: TARGET '' is empty or too long" },
	{ { "status", "--mode", "kill" }, "status: unknown or ambiguous option '--mode'" },
	{ { "status", "--limit=a=1" }, "status: unknown or ambiguous option '--limit=a=1'" },
	{ { "stop", "now" }, "stop: unexpected argument 'now'" },
	{ { "version", "x" }, "version: unexpected argument 'x'" },
	{ { "limit" }, "limit: missing TARGET and N|none" },
	{ { "limit", "docker/abc" }, "limit: missing N|none after 'docker/abc'" },
	{ { "limit", "a", "5", "6" }, "limit: unexpected argument '6'" },
	{ { "limit", "a", "0" }, "limit: '0' is not a limit (1 to 4194304, or none)" },
	{ { "limit", "a", "5x" }, "limit: '5x' is not a limit (1 to 4194304, or none)" },
	{ { "limit", "a", "-5" }, "limit: unknown option '-5' (numbers take no sign)" },
	{ { "limit", "", "5" }, "limit: TARGET '' is empty" },
	{ { "limit", "a", "5", "--mode", "kill" }, "limit: unknown or ambiguous option '--mode'" },
	{ { "help", "bogus" }, "help: 'bogus' is not a command" },
	{ { "help", "run", "status" }, "help: unexpected argument 'status'" },
	/* Hostile values come back on one line, control characters as '?'. */
	{ { "run", "--mode", "ki\nll\x1b[0m" }, "--mode: 'ki?ll?[0m' is not a mode (auto, deny, kill or flag)" },
	{ { "limit", "a", "\r5" }, "limit: '?5' is not a limit (1 to 4194304, or none)" },
};

static void test_errors(void **state)
{
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		ret = parse_args(errors[i].args);
		if (ret != PG_EXIT_USAGE || strcmp(err, errors[i].want)) {
			print_error("errors[%zu] (%s ...): returned %d\n  got:  %s\n  want: %s\n", i,
				    errors[i].args[0] ? errors[i].args[0] : "", ret, err,
				    errors[i].want);
			fail();
		}
		assert_null(strchr(err, '\n'));
	}
}

static void test_too_many(void **state)
{
	char *argv[2 + 2 * (PG_MAX_CLI_LIMITS + 1)];
	static char targets[PG_MAX_CLI_LIMITS + 1][16];
	int argc = 0, i;

	(void)state;
	argv[argc++] = "pidguard";
	argv[argc++] = "run";
	for (i = 0; i <= PG_MAX_CLI_LIMITS; i++) {
		snprintf(targets[i], sizeof(targets[i]), "c%d=5", i);
		argv[argc++] = "--limit";
		argv[argc++] = targets[i];
	}
	/* Exactly the maximum is fine... */
	assert_int_equal(cli__parse(argc - 2, argv, &cl, err, sizeof(err)), 0);
	assert_int_equal(cl.nr_limits, PG_MAX_CLI_LIMITS);
	assert_string_equal(cl.limits[PG_MAX_CLI_LIMITS - 1].target, "c255");
	/* ...one more is refused. */
	assert_int_equal(cli__parse(argc, argv, &cl, err, sizeof(err)), PG_EXIT_USAGE);
	assert_string_equal(err, "--limit: 'c256=5' is one too many (at most 256 limits)");

	argc = 0;
	argv[argc++] = "pidguard";
	argv[argc++] = "run";
	for (i = 0; i <= PG_MAX_COMPOSE; i++) {
		argv[argc++] = "--compose";
		argv[argc++] = "f.yml";
	}
	assert_int_equal(cli__parse(argc - 2, argv, &cl, err, sizeof(err)), 0);
	assert_int_equal(cl.nr_compose, PG_MAX_COMPOSE);
	assert_int_equal(cli__parse(argc, argv, &cl, err, sizeof(err)), PG_EXIT_USAGE);
	assert_string_equal(err, "--compose: 'f.yml' is one too many (at most 16 files)");
}

static void test_long_values(void **state)
{
	static char target[PG_TARGET_MAX + 8], arg[PG_TARGET_MAX + 16], sock[200];

	(void)state;
	/* A TARGET of PG_TARGET_MAX - 1 bytes fits, one more does not. */
	memset(target, 'a', PG_TARGET_MAX - 1);
	target[PG_TARGET_MAX - 1] = '\0';
	snprintf(arg, sizeof(arg), "%s=7", target);
	PARSE_OK("run", "--limit", arg);
	assert_int_equal(strlen(cl.limits[0].target), PG_TARGET_MAX - 1);
	PARSE_OK("limit", target, "7");
	strcat(target, "a");
	snprintf(arg, sizeof(arg), "%s=7", target);
	assert_int_equal(PARSE("run", "--limit", arg), PG_EXIT_USAGE);
	assert_non_null(strstr(err, "is longer than 4095 bytes"));
	assert_non_null(strstr(err, "aaa...'"));	/* the value is cut in the message */
	assert_true(strlen(err) < 200);
	assert_int_equal(PARSE("limit", target, "7"), PG_EXIT_USAGE);
	assert_non_null(strstr(err, "is longer than 4095 bytes"));

	/* sun_path holds 107 bytes and a NUL. */
	strcpy(sock, "unix:///");
	memset(sock + 8, 's', 106);
	sock[8 + 106] = '\0';
	PARSE_OK("run", "--docker-host", sock);
	strcat(sock, "s");
	assert_int_equal(PARSE("run", "--docker-host", sock), PG_EXIT_USAGE);
	assert_non_null(strstr(err, "is longer than a unix socket path can be (107)"));
}

static void test_parse_limit(void **state)
{
	static const struct {
		const char *s;
		int ret;
		__u32 max;
	} cases[] = {
		{ "1", 0, 1 },
		{ "25", 0, 25 },
		{ "4194304", 0, 4194304 },
		{ "none", 0, PG_NO_LIMIT },
		{ "0", -EINVAL, 0 },
		{ "4194305", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "NONE", -EINVAL, 0 },
		{ "nonex", -EINVAL, 0 },
		{ "18446744073709551617", -EINVAL, 0 },
	};
	size_t i;
	__u32 v;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 12345;
		if (cli__parse_limit(cases[i].s, &v) != cases[i].ret ||
		    (cases[i].ret == 0 && v != cases[i].max) || (cases[i].ret && v != 12345)) {
			print_error("cli__parse_limit('%s')\n", cases[i].s);
			fail();
		}
	}
	assert_int_equal(cli__parse_limit(NULL, &v), -EINVAL);
}

static void test_parse_limit_arg(void **state)
{
	struct pg_limit_arg la;

	(void)state;
	/* The last '=' separates: a cgroup directory name may contain '='. */
	assert_int_equal(cli__parse_limit_arg("/sys/fs/cgroup/unified/a=b=10", &la, err, sizeof(err)), 0);
	assert_string_equal(la.target, "/sys/fs/cgroup/unified/a=b");
	assert_int_equal(la.max, 10);
	assert_int_equal(cli__parse_limit_arg("web=none", &la, err, sizeof(err)), 0);
	assert_string_equal(la.target, "web");
	assert_int_equal(la.max, PG_NO_LIMIT);
	assert_int_equal(cli__parse_limit_arg("web", &la, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--limit: 'web' is not TARGET=N");
	assert_int_equal(cli__parse_limit_arg("a=b=", &la, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--limit: '' in 'a=b=' is not a limit (1 to 4194304, or none)");
}

static char *help_page(enum pg_command cmd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cli__print_help(cmd, f);
	fclose(f);
	assert_non_null(buf);
	return buf;
}

static void assert_mentions(const char *page, const char *const *words)
{
	for (; *words; words++) {
		if (!strstr(page, *words)) {
			print_error("help does not mention '%s'\n", *words);
			fail();
		}
	}
}

static const char *const run_teaches[] = {
	/* every option, with its default */
	"--mode", "--limit TARGET=N", "--default-limit N", "--warn PCT", "--events-per-sec N",
	"--compose FILE", "--docker-host unix:///path", "--no-docker", "--duration SECONDS",
	"-j, --json", "-p, --pretty", "-h, --help",
	"auto (default)", "(default 80)", "(default 20, 0 = unlimited)", "default 0",
	"SIGINT or SIGTERM", "(default: none)", "4194304", "up to 256", "up to 16",
	/* the modes and how each works */
	"deny", "EAGAIN", "task_alloc", "kill", "SIGKILL", "bpf_send_signal_task",
	"6.13", "flag", "auto", "strongest",
	/* the limit sources, in order */
	"LIMIT SOURCES", "pidguard.pids-limit", "pids_limit", "deploy.resources.limits.pids",
	"HostConfig.PidsLimit", "com.docker.compose.project",
	/* exit status, files, examples */
	"EXIT STATUS", "0 success, 1 runtime failure, 2 usage error", "/sys/fs/bpf/pidguard/",
	"EXAMPLES", "sudo pidguard run --limit /sys/fs/cgroup/unified/docker/abc=25",
	/* the config file and its rules */
	"--config FILE", "CONFIG FILE", "/etc/pidguard/pidguard.conf", "No file is read unless",
	"FILE:LINE", "no includes", "true or false", "The command line wins",
	"--metrics [ADDR:]PORT", "127.0.0.1", "--log stderr|syslog",
	NULL,
};

static void test_help_main(void **state)
{
	static const char *const main_teaches[] = {
		"pidguard [-j] run", "pidguard [-j] [-p] status", "pidguard [-j] limit TARGET N|none",
		"pidguard [-j] stop", "pidguard help [COMMAND]", "pidguard version",
		"pidguard status -j", "pidguard limit docker/abc 50",
		"sudo bpftool map dump pinned /sys/fs/bpf/pidguard/usage", "TARGET", NULL,
	};
	char *page = help_page(PG_CMD_NONE);

	(void)state;
	assert_mentions(page, run_teaches);
	assert_mentions(page, main_teaches);
	free(page);
}

static void test_help_run(void **state)
{
	char *page = help_page(PG_CMD_RUN);

	(void)state;
	assert_mentions(page, run_teaches);
	free(page);
}

static void test_help_pages(void **state)
{
	static const struct {
		enum pg_command cmd;
		const char *const words[6];
	} pages[] = {
		{ PG_CMD_STATUS, { "Usage:", "pidguard [-j] [-p] status", "pidguard status -j",
				   "bpftool map dump pinned", "EXIT STATUS", NULL } },
		{ PG_CMD_LIMIT, { "Usage:", "pidguard [-j] limit TARGET N|none",
				  "pidguard limit docker/abc 50", "none", "EXIT STATUS", NULL } },
		{ PG_CMD_STOP, { "Usage:", "pidguard [-j] stop", "/sys/fs/bpf/pidguard/",
				 "EXIT STATUS", NULL } },
		{ PG_CMD_VERSION, { "Usage:", "pidguard version", NULL } },
		{ PG_CMD_HELP, { "Usage:", "pidguard help [COMMAND]", NULL } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char *page = help_page(pages[i].cmd);

		assert_mentions(page, pages[i].words);
		free(page);
	}
}

/* Every page fits 80 columns and uses no tabs (terminals, man-like layout). */
static void test_help_width(void **state)
{
	static const enum pg_command cmds[] = {
		PG_CMD_NONE, PG_CMD_RUN, PG_CMD_STATUS, PG_CMD_LIMIT, PG_CMD_STOP,
		PG_CMD_VERSION, PG_CMD_HELP,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char *page = help_page(cmds[i]), *line, *save = NULL;

		assert_null(strchr(page, '\t'));
		for (line = strtok_r(page, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (strlen(line) > 80) {
				print_error("page %d: line longer than 80: %s\n", cmds[i], line);
				fail();
			}
		}
		free(page);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_run_every_option),
		cmocka_unit_test(test_run_modes_and_no_docker),
		cmocka_unit_test(test_apply_pids_max),
		cmocka_unit_test(test_status_target),
		cmocka_unit_test(test_global_options_anywhere),
		cmocka_unit_test(test_limit_command),
		cmocka_unit_test(test_help_forms),
		cmocka_unit_test(test_reparse_resets),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_config_option),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_parse_limit),
		cmocka_unit_test(test_parse_limit_arg),
		cmocka_unit_test(test_runaway_options),
		cmocka_unit_test(test_help_main),
		cmocka_unit_test(test_help_run),
		cmocka_unit_test(test_help_pages),
		cmocka_unit_test(test_help_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
