// SPDX-License-Identifier: GPL-2.0
/*
 * test_config.c - the --config file: its syntax, every refusal with its line
 * number, the file checks, and the merge with the command line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "cli.h"
#include "config.h"
#include "pidguard.h"

static struct pg_cmdline cl;	/* large (limits[]): not on the stack */
static char err[512], warn[512];
static char *text;		/* the text cl's strings point into */

/* Parse s as the file "test.conf", from the defaults; 0 or PG_EXIT_USAGE. */
static int parse_text(const char *s)
{
	free(text);
	text = strdup(s);
	assert_non_null(text);
	cli__init(&cl);
	memset(err, 'X', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	return config__parse(text, strlen(s), "test.conf", &cl, err, sizeof(err));
}

#define PARSE_OK(s)							\
	do {								\
		if (parse_text(s)) {					\
			print_error("unexpected error: %s\n", err);	\
			fail();						\
		}							\
	} while (0)

/* argv = "pidguard" + args, parsed on top of what cl holds now. */
static int parse_over(const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = "pidguard";
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return cli__parse_over(argc, argv, &cl, err, sizeof(err));
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static int teardown(void **state)
{
	(void)state;
	free(text);
	text = NULL;
	return 0;
}

static void test_every_option(void **state)
{
	(void)state;
	PARSE_OK("mode = kill\n"
		 "limit = /sys/fs/cgroup/unified/docker/abc=25\n"
		 "limit = web=none\n"
		 "default-limit = 512\n"
		 "warn = 90\n"
		 "events-per-sec = 0\n"
		 "compose = /srv/a/compose.yml\n"
		 "compose = b.yml\n"
		 "docker-host = unix:///run/d.sock\n"
		 "apply-pids-max = true\n"
		 "duration = 60\n"
		 "metrics = 0.0.0.0:9464\n"
		 "log = syslog\n");
	assert_int_equal(cl.mode, PG_REQ_KILL);
	assert_true(cl.mode_given);
	assert_int_equal(cl.nr_limits, 2);
	assert_string_equal(cl.limits[0].target, "/sys/fs/cgroup/unified/docker/abc");
	assert_int_equal(cl.limits[0].max, 25);
	assert_true(cl.limits[0].from_config);
	assert_string_equal(cl.limits[1].target, "web");
	assert_int_equal(cl.limits[1].max, PG_NO_LIMIT);
	assert_int_equal(cl.default_limit, 512);
	assert_int_equal(cl.warn_pct, 90);
	assert_int_equal(cl.events_per_sec, 0);
	assert_int_equal(cl.nr_compose, 2);
	assert_string_equal(cl.compose[0], "/srv/a/compose.yml");
	assert_string_equal(cl.compose[1], "b.yml");
	assert_string_equal(cl.docker_host, "unix:///run/d.sock");
	assert_true(cl.apply_pids_max);
	assert_false(cl.no_docker);
	assert_int_equal(cl.duration_s, 60);
	assert_true(cl.metrics);
	assert_string_equal(cl.metrics_addr, "0.0.0.0");
	assert_int_equal(cl.metrics_port, 9464);
	assert_int_equal(cl.log_target, PG_LOG_SYSLOG);
	/* Strings point into the text: it is what must outlive cl. */
	assert_true(cl.compose[0] > text && cl.compose[0] < text + strlen("mode = kill\n") * 20);
}

static void test_empty_and_defaults(void **state)
{
	(void)state;
	PARSE_OK("");
	assert_int_equal(cl.warn_pct, 80);
	assert_int_equal(cl.events_per_sec, 20);
	assert_int_equal(cl.mode, PG_REQ_AUTO);
	assert_false(cl.mode_given);
	PARSE_OK("\n\n   \n\t\n# only comments\n   # indented\n");
	assert_int_equal(cl.nr_limits, 0);
	assert_int_equal(cl.warn_pct, 80);
}

static void test_comments_and_whitespace(void **state)
{
	(void)state;
	/* Whitespace around option and value, a comment after whitespace. */
	PARSE_OK("  \twarn\t=\t 70   # seventy\r\n"
		 "mode=flag # the comment\n"
		 "limit = a#b=5\n"		/* '#' inside a word is text */
		 "limit=c=6\t#\tcomment\n"
		 "default-limit = 7");		/* the last line without '\n' */
	assert_int_equal(cl.warn_pct, 70);
	assert_int_equal(cl.mode, PG_REQ_FLAG);
	assert_int_equal(cl.nr_limits, 2);
	assert_string_equal(cl.limits[0].target, "a#b");
	assert_int_equal(cl.limits[0].max, 5);
	assert_string_equal(cl.limits[1].target, "c");
	assert_int_equal(cl.limits[1].max, 6);
	assert_int_equal(cl.default_limit, 7);
}

static void test_quoted_values(void **state)
{
	(void)state;
	PARSE_OK("limit = \"/sys/fs/cgroup/unified/odd #dir=10\"  # comment\n"
		 "limit = \" lead and trail =3\"\n"
		 "compose = \"/srv/my app/compose.yml\"\n"
		 "mode = \"deny\"\n");
	assert_string_equal(cl.limits[0].target, "/sys/fs/cgroup/unified/odd #dir");
	assert_int_equal(cl.limits[0].max, 10);
	assert_string_equal(cl.limits[1].target, " lead and trail ");
	assert_int_equal(cl.limits[1].max, 3);
	assert_string_equal(cl.compose[0], "/srv/my app/compose.yml");
	assert_int_equal(cl.mode, PG_REQ_DENY);
}

static void test_booleans(void **state)
{
	(void)state;
	PARSE_OK("no-docker = true\n");
	assert_true(cl.no_docker);
	PARSE_OK("no-docker = false\napply-pids-max = false\n");
	assert_false(cl.no_docker);
	assert_false(cl.apply_pids_max);
	PARSE_OK("apply-pids-max = true\n");
	assert_true(cl.apply_pids_max);
}

static const struct {
	const char *text;
	const char *want;	/* the whole message */
} errors[] = {
	{ "warn = 150\n", "test.conf:1: --warn: '150' is not a percentage from 1 to 100" },
	{ "# c\n\nmode = strict\n", "test.conf:3: --mode: 'strict' is not a mode (auto, deny, kill or flag)" },
	{ "mode = KILL\n", "test.conf:1: --mode: 'KILL' is not a mode (auto, deny, kill or flag)" },
	{ "warn =\n", "test.conf:1: --warn: '' is not a percentage from 1 to 100" },
	{ "warn = # empty\n", "test.conf:1: --warn: '' is not a percentage from 1 to 100" },
	{ "warn = 9 0\n", "test.conf:1: --warn: '9 0' is not a percentage from 1 to 100" },
	{ "limit = web\n", "test.conf:1: --limit: 'web' is not TARGET=N" },
	{ "limit = web=0\n", "test.conf:1: --limit: '0' in 'web=0' is not a limit (1 to 4194304, or none)" },
	{ "limit = a=1\nlimit = a=2\n", "test.conf:2: --limit: 'a' is limited twice" },
	{ "default-limit = none\n", "test.conf:1: --default-limit: 'none' is not a limit from 1 to 4194304" },
	{ "events-per-sec = -1\n",
	  "test.conf:1: --events-per-sec: '-1' is not a number from 0 (unlimited) to 4294967295" },
	{ "duration = 10s\n", "test.conf:1: --duration: '10s' is not a number of seconds from 0 to 86400" },
	{ "compose =\n", "test.conf:1: --compose: '' is not a file name" },
	{ "docker-host = tcp://h:2375\n",
	  "test.conf:1: --docker-host: 'tcp://h:2375' is not a unix socket address (unix:///path)" },
	{ "metrics = x:1\n", 
	  "test.conf:1: --metrics: 'x:1' is not [ADDR:]PORT (PORT 1 to 65535; ADDR numeric, IPv6 in brackets)" },
	{ "log = journal\n", "test.conf:1: --log: 'journal' is not stderr or syslog" },
	/* Flags: true or false, nothing else. */
	{ "no-docker = yes\n", "test.conf:1: --no-docker: 'yes' is not true or false" },
	{ "no-docker = 1\n", "test.conf:1: --no-docker: '1' is not true or false" },
	{ "no-docker = True\n", "test.conf:1: --no-docker: 'True' is not true or false" },
	{ "apply-pids-max =\n", "test.conf:1: --apply-pids-max: '' is not true or false" },
	/* Syntax. */
	{ "warn 90\n", "test.conf:1: 'warn 90' is not 'option = value'" },
	{ "\n\n  = 5\n", "test.conf:3: no option name before '='" },
	{ "limit = \"a=1\n", "test.conf:1: the quoted value has no closing '\"'" },
	{ "limit = \"a=1\" x\n", "test.conf:1: text after the closing '\"' (only a # comment may follow)" },
	{ "limit = \"a\"b\"=1\"\n", "test.conf:1: text after the closing '\"' (only a # comment may follow)" },
	/* Names: unknown, near misses, dashes, and no includes. */
	{ "wran = 90\n", "test.conf:1: unknown option 'wran' (did you mean 'warn'?)" },
	{ "default_limit = 9\n", "test.conf:1: unknown option 'default_limit' (did you mean 'default-limit'?)" },
	{ "Mode = kill\n", "test.conf:1: unknown option 'Mode' (did you mean 'mode'?)" },
	{ "--warn = 90\n",
	  "test.conf:1: unknown option '--warn' (options are written without dashes: 'warn')" },
	{ "json = true\n",
	  "test.conf:1: unknown option 'json' (options: mode, limit, default-limit, warn, events-per-sec, compose, docker-host, no-docker, apply-pids-max, duration, metrics, log, on-runaway, runaway-rate, runaway-seconds, enforce-in-userspace)" },
	{ "wrn = 2\n", "test.conf:1: unknown option 'wrn' (did you mean 'warn'?)" },
	{ "config = /etc/other.conf\n",
	  "test.conf:1: 'config' cannot be set in a config file (no includes: one file, given with --config)" },
	/* A scalar or a flag twice is an error; the line of the first is named. */
	{ "warn = 90\n# x\nwarn = 90\n", "test.conf:3: 'warn' is set twice (first on line 1)" },
	{ "mode = kill\nmode = flag\n", "test.conf:2: 'mode' is set twice (first on line 1)" },
	{ "no-docker = false\nno-docker = true\n", "test.conf:2: 'no-docker' is set twice (first on line 1)" },
	/* Hostile bytes come back on one line. */
	{ "mode = \x1b[31mkill\n", "test.conf:1: --mode: '?[31mkill' is not a mode (auto, deny, kill or flag)" },
};

static void test_errors(void **state)
{
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		ret = parse_text(errors[i].text);
		if (ret != PG_EXIT_USAGE || strcmp(err, errors[i].want)) {
			print_error("errors[%zu]: returned %d\n  got:  %s\n  want: %s\n", i, ret, err,
				    errors[i].want);
			fail();
		}
		assert_null(strchr(err, '\n'));
	}
}

static void test_nul_and_long_lines(void **state)
{
	static char buf[3 * PG_CONF_MAX_LINE];
	size_t n;

	(void)state;
	/* A NUL byte, and the line it is on. */
	memcpy(buf, "warn = 5\nmode = k\0ill\n", 23);
	free(text);
	text = NULL;
	cli__init(&cl);
	assert_int_equal(config__parse(buf, 22, "t.conf", &cl, err, sizeof(err)), PG_EXIT_USAGE);
	assert_string_equal(err, "t.conf:2: a NUL byte (a config file is text)");

	/* A line of exactly PG_CONF_MAX_LINE bytes is fine, one more is not. */
	n = snprintf(buf, sizeof(buf), "# first\nlimit = ");
	memset(buf + n, 'a', PG_CONF_MAX_LINE - strlen("limit = ") - strlen("=5"));
	strcpy(buf + n + PG_CONF_MAX_LINE - strlen("limit = ") - strlen("=5"), "=5\n");
	assert_int_equal(strlen(strchr(buf, '\n') + 1), PG_CONF_MAX_LINE + 1);
	PARSE_OK(buf);
	assert_int_equal(strlen(cl.limits[0].target), PG_CONF_MAX_LINE - strlen("limit = =5"));
	/* The '=' sign moved one byte on: the line is 4097 bytes long now. */
	memmove(strrchr(buf, '=') + 1, strrchr(buf, '='), 4);
	assert_int_equal(parse_text(buf), PG_EXIT_USAGE);
	assert_string_equal(err, "test.conf:2: a line longer than 4096 bytes");
}

static void test_limit_caps(void **state)
{
	size_t size = (PG_MAX_CLI_LIMITS + 1) * 24, off = 0;
	char *big = malloc(size);
	int i;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < PG_MAX_CLI_LIMITS; i++)
		off += snprintf(big + off, size - off, "limit = c%d=5\n", i);
	PARSE_OK(big);
	assert_int_equal(cl.nr_limits, PG_MAX_CLI_LIMITS);
	snprintf(big + off, size - off, "limit = c%d=5\n", i);
	assert_int_equal(parse_text(big), PG_EXIT_USAGE);
	assert_string_equal(err, "test.conf:257: --limit: 'c256=5' is one too many (at most 256 limits)");
	free(big);
}

/* ---- Precedence: the file, then argv on top ---- */

static void test_command_line_wins(void **state)
{
	(void)state;
	PARSE_OK("mode = kill\nwarn = 90\nlimit = a=5\nlimit = b=6\ncompose = f.yml\n"
		 "default-limit = 100\nlog = syslog\n");
	assert_int_equal(parse_over(ARGS("run", "--config", "x.conf", "--warn", "50", "--limit",
					 "b=60", "--limit", "c=7", "--compose", "g.yml")), 0);
	assert_int_equal(cl.cmd, PG_CMD_RUN);
	assert_string_equal(cl.config_path, "x.conf");
	assert_int_equal(cl.mode, PG_REQ_KILL);		/* the file's, not overridden */
	assert_int_equal(cl.warn_pct, 50);		/* the command line's */
	assert_int_equal(cl.default_limit, 100);
	assert_int_equal(cl.log_target, PG_LOG_SYSLOG);
	/* b=60 replaced the file's b=6 in place; c was added. */
	assert_int_equal(cl.nr_limits, 3);
	assert_string_equal(cl.limits[0].target, "a");
	assert_int_equal(cl.limits[0].max, 5);
	assert_true(cl.limits[0].from_config);
	assert_string_equal(cl.limits[1].target, "b");
	assert_int_equal(cl.limits[1].max, 60);
	assert_false(cl.limits[1].from_config);
	assert_string_equal(cl.limits[2].target, "c");
	assert_int_equal(cl.limits[2].max, 7);
	/* Compose files add up, the file's first. */
	assert_int_equal(cl.nr_compose, 2);
	assert_string_equal(cl.compose[0], "f.yml");
	assert_string_equal(cl.compose[1], "g.yml");
}

static void test_merge_refusals(void **state)
{
	char lines[PG_MAX_COMPOSE * 24];
	size_t off = 0;
	int i;

	(void)state;
	/* The command line still may not limit one TARGET twice. */
	PARSE_OK("limit = a=5\n");
	assert_int_equal(parse_over(ARGS("run", "--limit", "a=1", "--limit", "a=2")),
			 PG_EXIT_USAGE);
	assert_string_equal(err, "--limit: 'a' is limited twice");

	/* Cross-option checks judge the merged result. */
	PARSE_OK("no-docker = true\n");
	assert_int_equal(parse_over(ARGS("run", "--docker-host", "unix:///d.sock")),
			 PG_EXIT_USAGE);
	assert_string_equal(err, "--no-docker: conflicts with --docker-host 'unix:///d.sock'");
	PARSE_OK("compose = c.yml\n");
	assert_int_equal(parse_over(ARGS("run", "--no-docker")), PG_EXIT_USAGE);
	assert_string_equal(err, "--compose: 'c.yml' needs Docker (services are matched by container labels), but --no-docker was given");
	PARSE_OK("apply-pids-max = true\n");
	assert_int_equal(parse_over(ARGS("run", "--no-docker")), PG_EXIT_USAGE);
	assert_non_null(strstr(err, "--apply-pids-max: "));
	PARSE_OK("no-docker = false\n");
	assert_int_equal(parse_over(ARGS("run", "--docker-host", "unix:///d.sock")), 0);

	/* The caps count both sources. */
	for (i = 0; i < PG_MAX_COMPOSE; i++)
		off += snprintf(lines + off, sizeof(lines) - off, "compose = f%d.yml\n", i);
	PARSE_OK(lines);
	assert_int_equal(parse_over(ARGS("run", "--compose", "g.yml")), PG_EXIT_USAGE);
	assert_string_equal(err, "--compose: 'g.yml' is one too many (at most 16 files)");
}

static void test_full_file_replaced_limit(void **state)
{
	size_t size = PG_MAX_CLI_LIMITS * 24, off = 0;
	char *big = malloc(size);
	int i;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < PG_MAX_CLI_LIMITS; i++)
		off += snprintf(big + off, size - off, "limit = c%d=5\n", i);
	PARSE_OK(big);
	free(big);
	/* Replacing a limit of a full table needs no free slot... */
	assert_int_equal(parse_over(ARGS("run", "--limit", "c7=70")), 0);
	assert_int_equal(cl.limits[7].max, 70);
	/* ...adding one does. */
	assert_int_equal(parse_over(ARGS("run", "--limit", "new=1")), PG_EXIT_USAGE);
	assert_string_equal(err, "--limit: 'new=1' is one too many (at most 256 limits)");
}

/* ---- The file itself ---- */

static char dir[64];

static int setup_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pg-test-config.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	teardown(state);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *content, mode_t mode)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void test_read_checks(void **state)
{
	struct pg_conf_file cf = { 0 };
	char path[128];
	int fd;

	(void)state;
	/* Missing. */
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	assert_int_equal(config__read(&cf, path, warn, sizeof(warn), err, sizeof(err)),
			 PG_EXIT_USAGE);
	assert_non_null(strstr(err, "missing.conf: cannot open the config file: No such file"));
	assert_null(cf.text);

	/* A directory, a FIFO (opening it must not block). */
	assert_int_equal(config__read(&cf, dir, warn, sizeof(warn), err, sizeof(err)),
			 PG_EXIT_USAGE);
	assert_non_null(strstr(err, ": is a directory, not a regular file"));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(config__read(&cf, path, warn, sizeof(warn), err, sizeof(err)),
			 PG_EXIT_USAGE);
	assert_non_null(strstr(err, "fifo: is a FIFO, not a regular file"));

	/* 1 MiB is the most; a sparse file one byte larger is refused unread. */
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, PG_CONF_MAX_SIZE + 1), 0);
	close(fd);
	assert_int_equal(config__read(&cf, path, warn, sizeof(warn), err, sizeof(err)),
			 PG_EXIT_USAGE);
	assert_non_null(strstr(err, "big.conf: 1048577 bytes, larger than a config file may be (1 MiB)"));
	assert_int_equal(truncate(path, PG_CONF_MAX_SIZE), 0);
	assert_int_equal(config__read(&cf, path, warn, sizeof(warn), err, sizeof(err)), 0);
	assert_int_equal(cf.len, PG_CONF_MAX_SIZE);
	config__free(&cf);
	config__free(&cf);	/* twice is harmless */

	/* A good file: read whole, NUL-terminated, no warning when root-owned 0600. */
	write_file("ok.conf", "warn = 5\n", 0600);
	assert_int_equal(config__read(&cf, write_file("ok.conf", "warn = 5\n", 0600), warn,
				      sizeof(warn), err, sizeof(err)), 0);
	assert_int_equal(cf.len, 9);
	assert_string_equal(cf.text, "warn = 5\n");
	if (geteuid() == 0)
		assert_string_equal(warn, "");
	config__free(&cf);
}

static void test_read_warnings(void **state)
{
	struct pg_conf_file cf = { 0 };
	const char *path;

	(void)state;
	path = write_file("open.conf", "warn = 5\n", 0666);
	assert_int_equal(config__read(&cf, path, warn, sizeof(warn), err, sizeof(err)), 0);
	assert_non_null(strstr(warn, "open.conf is writable by group or others (mode 0666"));
	assert_non_null(strstr(warn, "decides what pidguard enforces"));
	config__free(&cf);
	if (geteuid() != 0) {
		print_message("skipped: the ownership warning needs root (chown)\n");
		return;
	}
	path = write_file("foreign.conf", "warn = 5\n", 0644);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(config__read(&cf, path, warn, sizeof(warn), err, sizeof(err)), 0);
	assert_non_null(strstr(warn, "foreign.conf is not owned by root (mode 0644, uid 65534)"));
	config__free(&cf);
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(config__read(&cf, path, warn, sizeof(warn), err, sizeof(err)), 0);
	assert_non_null(strstr(warn, "is writable by group or others and not owned by root"));
	config__free(&cf);
}

/* The whole --config step, as main() runs it. */
static void test_apply(void **state)
{
	struct pg_conf_file cf = { 0 };
	char path[128], arg_path[128];
	char *argv[16];
	int argc = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s", write_file("run.conf",
		 "# pidguard\nmode = flag\nwarn = 90\nlimit = web=25\ncompose = /srv/c.yml\n", 0600));
	snprintf(arg_path, sizeof(arg_path), "%s", path);
	argv[argc++] = "pidguard";
	argv[argc++] = "run";
	argv[argc++] = "--config";
	argv[argc++] = arg_path;
	argv[argc++] = "--limit";
	argv[argc++] = "web=30";
	argv[argc++] = "--warn";
	argv[argc++] = "70";
	argv[argc] = NULL;
	assert_int_equal(cli__parse(argc, argv, &cl, err, sizeof(err)), 0);
	assert_int_equal(config__apply(&cf, argc, argv, &cl, warn, sizeof(warn), err, sizeof(err)),
			 0);
	assert_int_equal(cl.mode, PG_REQ_FLAG);
	assert_int_equal(cl.warn_pct, 70);
	assert_int_equal(cl.nr_limits, 1);
	assert_int_equal(cl.limits[0].max, 30);
	assert_string_equal(cl.compose[0], "/srv/c.yml");
	assert_string_equal(cl.config_path, arg_path);
	config__free(&cf);

	/* A bad line: FILE:LINE. */
	write_file("run.conf", "mode = flag\n\nwarn = 150\n", 0600);
	assert_int_equal(cli__parse(argc, argv, &cl, err, sizeof(err)), 0);
	assert_int_equal(config__apply(&cf, argc, argv, &cl, warn, sizeof(warn), err, sizeof(err)),
			 PG_EXIT_USAGE);
	assert_non_null(strstr(err, "run.conf:3: --warn: '150' is not a percentage from 1 to 100"));
	assert_int_equal(strncmp(err, dir, strlen(dir)), 0);
	config__free(&cf);

	/* A conflict of the file with the command line says so. */
	write_file("run.conf", "no-docker = true\n", 0600);
	argv[4] = "--compose";
	argv[5] = "c.yml";
	argc = 6;
	argv[argc] = NULL;
	assert_int_equal(cli__parse(argc, argv, &cl, err, sizeof(err)), 0);
	assert_int_equal(config__apply(&cf, argc, argv, &cl, warn, sizeof(warn), err, sizeof(err)),
			 PG_EXIT_USAGE);
	assert_non_null(strstr(err, "run.conf and the command line: --compose: 'c.yml' needs Docker"));
	config__free(&cf);

	/* Missing file. */
	snprintf(arg_path, sizeof(arg_path), "%s/none.conf", dir);
	assert_int_equal(cli__parse(argc, argv, &cl, err, sizeof(err)), 0);
	assert_int_equal(config__apply(&cf, argc, argv, &cl, warn, sizeof(warn), err, sizeof(err)),
			 PG_EXIT_USAGE);
	assert_non_null(strstr(err, "none.conf: cannot open the config file: No such file or directory"));
}

/*
 * The example etc/pidguard.conf: as shipped it sets nothing; with every
 * "#option =" line uncommented it parses, and each scalar is the default
 * it claims to be.
 */
static void test_example_file(void **state)
{
	struct pg_conf_file cf = { 0 };
	char *p, *q;

	(void)state;
	assert_int_equal(config__read(&cf, "etc/pidguard.conf", warn, sizeof(warn), err,
				      sizeof(err)), 0);
	PARSE_OK(cf.text);
	assert_int_equal(cl.nr_limits, 0);
	assert_null(cl.docker_host);
	/* Uncomment "#word =" lines: '#' followed by a lowercase option name. */
	for (p = q = cf.text; *p; p++) {
		if (*p == '#' && (p == cf.text || p[-1] == '\n') && p[1] >= 'a' && p[1] <= 'z' &&
		    strchr(p, '=') && strchr(p, '=') < strchr(p, '\n') &&
		    !memchr(p, ' ', strcspn(p, "=") - 1))
			continue;
		*q++ = *p;
	}
	*q = '\0';
	PARSE_OK(cf.text);
	assert_int_equal(cl.mode, PG_REQ_AUTO);
	assert_int_equal(cl.nr_limits, 3);
	assert_string_equal(cl.limits[2].target, "/sys/fs/cgroup/unified/odd #name");
	assert_int_equal(cl.default_limit, 512);
	assert_int_equal(cl.warn_pct, 80);
	assert_int_equal(cl.events_per_sec, 20);
	assert_int_equal(cl.nr_compose, 1);
	assert_string_equal(cl.docker_host, "unix:///var/run/docker.sock");
	assert_false(cl.no_docker);
	assert_false(cl.apply_pids_max);
	assert_int_equal(cl.duration_s, 0);
	assert_true(cl.metrics);
	assert_string_equal(cl.metrics_addr, "127.0.0.1");
	assert_int_equal(cl.metrics_port, 9464);
	assert_int_equal(cl.log_target, PG_LOG_STDERR);
	config__free(&cf);
}

/* The options a file may set are run's, and the names say so. */
static void test_option_names(void **state)
{
	static const char *const want[] = {
		"mode", "limit", "default-limit", "warn", "events-per-sec", "compose",
		"docker-host", "no-docker", "apply-pids-max", "duration", "metrics", "log",
		"on-runaway", "runaway-rate", "runaway-seconds", "enforce-in-userspace", NULL,
	};
	int i;

	(void)state;
	for (i = 0; want[i]; i++)
		assert_string_equal(cli__option_name(i), want[i]);
	assert_null(cli__option_name(i));
	assert_int_equal(cli__option_kind("limit"), PG_OPT_LIST);
	assert_int_equal(cli__option_kind("compose"), PG_OPT_LIST);
	assert_int_equal(cli__option_kind("warn"), PG_OPT_SCALAR);
	assert_int_equal(cli__option_kind("no-docker"), PG_OPT_BOOL);
	assert_int_equal(cli__option_kind("apply-pids-max"), PG_OPT_BOOL);
	assert_int_equal(cli__option_kind("config"), PG_OPT_UNKNOWN);
	assert_int_equal(cli__option_kind("json"), PG_OPT_UNKNOWN);
	assert_int_equal(cli__option_kind("help"), PG_OPT_UNKNOWN);
	assert_int_equal(cli__option_kind("watch"), PG_OPT_UNKNOWN);
	assert_int_equal(cli__apply_option(&cl, "json", "true", err, sizeof(err)), PG_EXIT_USAGE);
	assert_string_equal(err, "'json' is not an option of run");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_every_option, teardown),
		cmocka_unit_test_teardown(test_empty_and_defaults, teardown),
		cmocka_unit_test_teardown(test_comments_and_whitespace, teardown),
		cmocka_unit_test_teardown(test_quoted_values, teardown),
		cmocka_unit_test_teardown(test_booleans, teardown),
		cmocka_unit_test_teardown(test_errors, teardown),
		cmocka_unit_test_teardown(test_nul_and_long_lines, teardown),
		cmocka_unit_test_teardown(test_limit_caps, teardown),
		cmocka_unit_test_teardown(test_command_line_wins, teardown),
		cmocka_unit_test_teardown(test_merge_refusals, teardown),
		cmocka_unit_test_teardown(test_full_file_replaced_limit, teardown),
		cmocka_unit_test_teardown(test_option_names, teardown),
		cmocka_unit_test_teardown(test_example_file, teardown),
		cmocka_unit_test_setup_teardown(test_read_checks, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_read_warnings, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_apply, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
