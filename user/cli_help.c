// SPDX-License-Identifier: GPL-2.0
/*
 * cli_help.c - the help pages of every command: usage lines, options,
 * modes, targets, limit sources, files, exit status and examples. Kept
 * apart from the parser (cli.c) so that each stays one job.
 * tests/integration/test_install.sh checks that every option on these
 * pages is in the man page and in the bash completion too.
 */
#include <stdio.h>
#include "cli.h"

static const char usage_run[] =
	"  pidguard [-j] run [--mode auto|deny|kill|flag] [--limit TARGET=N]...\n"
	"               [--default-limit N] [--warn PCT] [--events-per-sec N]\n"
	"               [--compose FILE]... [--docker-host unix:///path] [--no-docker]\n"
	"               [--apply-pids-max] [--duration SECONDS] [--config FILE]\n"
	"               [--metrics [ADDR:]PORT] [--log stderr|syslog]\n"
	"               [--on-runaway ACTION] [--runaway-rate N] [--runaway-seconds N]\n"
	"               [--enforce-in-userspace]\n";
static const char usage_status[] =
	"  pidguard [-j] [-p] status [--watch[=SECONDS]] [--detail] [TARGET]\n";
static const char usage_limit[] = "  pidguard [-j] limit TARGET N|none\n";
static const char usage_stop[] = "  pidguard [-j] stop\n";
static const char usage_thaw[] = "  pidguard [-j] thaw TARGET\n";
static const char usage_top[] = "  pidguard [-j] [-p] top [--groups N] TARGET\n";
static const char usage_help[] = "  pidguard help [COMMAND]    pidguard COMMAND --help\n";
static const char usage_version[] = "  pidguard version\n";

static const char global_options[] =
	"Global options (before or after the command):\n"
	"  -j, --json         one JSON object per line (bpftool style), errors too\n"
	"  -p, --pretty       indented JSON (implies --json)\n"
	"  -h, --help         this help; COMMAND --help for one command\n";

static const char run_options[] =
	"Options of run:\n"
	"  --mode MODE        auto (default), deny, kill or flag; see MODES\n"
	"  --limit TARGET=N   limit TARGET to N tasks (1 to 4194304), or N = none to\n"
	"                     track it without a limit; repeatable, up to 256\n"
	"  --default-limit N  limit for containers with no other limit (default: none)\n"
	"  --warn PCT         warn event when usage reaches PCT% of the limit,\n"
	"                     1 to 100 (default 80)\n"
	"  --events-per-sec N events per cgroup per second before suppression\n"
	"                     (default 20, 0 = unlimited)\n"
	"  --compose FILE     read pids_limit and deploy.resources.limits.pids from\n"
	"                     this compose file; repeatable, up to 16\n"
	"  --docker-host unix:///path\n"
	"                     Docker socket (default: $DOCKER_HOST, then\n"
	"                     unix:///var/run/docker.sock)\n"
	"  --no-docker        do not ask Docker: cgroup paths and --default-limit only\n"
	"  --apply-pids-max   where a container has a pids controller whose pids.max\n"
	"                     is missing its declared limit (max, or higher), write\n"
	"                     the declared limit there too and read it back\n"
	"  --duration SECONDS stop after SECONDS, 0 to 86400 (default 0: run until\n"
	"                     SIGINT or SIGTERM)\n"
	"  --config FILE      read run's options from FILE (see CONFIG FILE); options\n"
	"                     on the command line override it. No file is read unless\n"
	"                     given (the systemd unit gives /etc/pidguard/pidguard.conf)\n"
	"  --metrics [ADDR:]PORT\n"
	"                     serve Prometheus metrics at http://ADDR:PORT/metrics;\n"
	"                     ADDR defaults to 127.0.0.1 (off by default)\n"
	"  --log stderr|syslog\n"
	"                     where events and messages go: stdout/stderr (default)\n"
	"                     or syslog, facility daemon, one key=value line each;\n"
	"                     nothing goes to stdout then\n"
	"  --on-runaway none|freeze|trim|restart|kill\n"
	"                     what to do to a cgroup whose forks keep failing at its\n"
	"                     limit (see RUNAWAY); default none: report only\n"
	"  --runaway-rate N   a runaway makes more than N attempts past its limit a\n"
	"                     second, 1 to 1000000 (default 10) ...\n"
	"  --runaway-seconds N\n"
	"                     ... for N seconds in a row, 1 to 3600 (default 5)\n"
	"  --enforce-in-userspace\n"
	"                     with --mode flag only (kernels that can only flag):\n"
	"                     on each over_limit event, kill the newest tasks of the\n"
	"                     cgroup back to its limit, within milliseconds, with the\n"
	"                     cgroup frozen meanwhile; a forker found again is killed\n";

static const char runaway[] =
	"RUNAWAY\n"
	"  Denied, killed and over_limit events (suppressed ones included) count as\n"
	"  attempts past the limit. More than --runaway-rate a second for\n"
	"  --runaway-seconds seconds in a row starts an episode: a `runaway` event,\n"
	"  and the --on-runaway action, once: freeze (cgroup.freeze, or the v1\n"
	"  freezer; undo with `pidguard thaw TARGET`), trim (SIGKILL the newest\n"
	"  processes down to the limit, never the init: pid 1 of its namespace, else\n"
	"  the oldest), kill (cgroup.kill), restart (a container only, through\n"
	"  Docker: SIGTERM, SIGKILL 1 s later, then started again; not with\n"
	"  --no-docker). No action repeats within 60 s, and no container restarts\n"
	"  twice within 60 s (its new cgroup included); the episode ends after as\n"
	"  many quiet seconds. A container's label pidguard.on-runaway=ACTION sets\n"
	"  its own action; the others get --on-runaway.\n";

static const char config_file[] =
	"CONFIG FILE (--config FILE)\n"
	"  One `option = value` per line, option being a long option of run without\n"
	"  its dashes: mode, limit, default-limit, warn, events-per-sec, compose,\n"
	"  docker-host, no-docker, apply-pids-max, duration, metrics, log,\n"
	"  on-runaway, runaway-rate, runaway-seconds, enforce-in-userspace.\n"
	"      mode = kill             # '#' starts a comment after a space or tab\n"
	"      limit = web=25          # limit and compose repeat; others once only\n"
	"      limit = \"/sys/fs/cgroup/unified/odd #dir=10\"   # literal in quotes\n"
	"      no-docker = false       # flags take true or false\n"
	"  Values are checked as on the command line; an error names FILE:LINE and\n"
	"  run exits 2 before loading anything. Also refused: unknown options, a\n"
	"  setting given twice, `config` (no includes), lines over 4096 bytes,\n"
	"  files over 1 MiB, NUL bytes, anything but a regular file. A file that\n"
	"  group or others may write, or that root does not own, is warned about.\n"
	"  The command line wins: its scalars replace the file's, its --limit for a\n"
	"  TARGET the file limits replaces that limit; other limits and compose\n"
	"  files add up. A flag the file sets cannot be unset on the command line.\n";

static const char status_options[] =
	"Options of status:\n"
	"  --watch[=SECONDS]  redraw every SECONDS (1 to 3600, default 2) until\n"
	"                     interrupted; with -j, one JSON object per refresh\n"
	"  --detail           under each cgroup its 3 largest groups of processes\n"
	"                     (same executable and command line; see top)\n";

static const char top_options[] =
	"Options of top:\n"
	"  --groups N         show the N largest groups (default 20); -j shows all\n";

static const char modes[] =
	"MODES\n"
	"  deny   the fork fails with EAGAIN, as with pids.max; exact, never one task\n"
	"         over the limit (BPF LSM task_alloc: needs bpf in the kernel's lsm=)\n"
	"  kill   the new child is SIGKILLed before it runs user code, and so is a\n"
	"         runaway parent that keeps forking and a task moved into a full\n"
	"         cgroup (bpf_send_signal_task, Linux 6.13+)\n"
	"  flag   nothing is refused; every fork past the limit is reported\n"
	"  auto   the strongest mode the kernel offers (deny, else kill, else flag);\n"
	"         run says which it picked and why\n";

static const char targets[] =
	"TARGET\n"
	"  A container name or id (with Docker), or a cgroup v2 path: absolute\n"
	"  (/sys/fs/cgroup/...) or relative to the cgroup v2 mount (docker/ID).\n"
	"  Tasks in sub-cgroups of TARGET count toward its limit.\n";

static const char sources[] =
	"LIMIT SOURCES (first match wins)\n"
	"  1. --limit on the command line, then limit lines of the --config file\n"
	"  2. the container label pidguard.pids-limit\n"
	"  3. pids_limit or deploy.resources.limits.pids in a --compose file\n"
	"     (matched by the com.docker.compose.project and .service labels)\n"
	"  4. Docker's HostConfig.PidsLimit\n"
	"  5. --default-limit\n";

static const char files[] =
	"FILES\n"
	"  /sys/fs/bpf/pidguard/   pinned maps and links (root only); enforcement\n"
	"                          outlives a crashed run until `pidguard stop`\n";

static const char exit_status[] =
	"EXIT STATUS\n"
	"  0 success, 1 runtime failure, 2 usage error\n";

static const char examples_run[] =
	"  sudo pidguard run --limit /sys/fs/cgroup/unified/docker/abc=25\n"
	"  sudo pidguard run --mode flag --default-limit 512 --compose compose.yml\n"
	"  sudo pidguard run -j --no-docker --limit docker/abc=25 --duration 60\n"
	"  sudo pidguard run --config /etc/pidguard/pidguard.conf --mode flag\n";
static const char examples_status[] =
	"  pidguard status -j\n  pidguard status web\n  pidguard status --watch=1\n";
static const char examples_limit[] =
	"  pidguard limit docker/abc 50\n"
	"  pidguard limit my-container none\n";
static const char examples_stop[] = "  sudo pidguard stop\n";
static const char examples_thaw[] = "  sudo pidguard thaw docker/abc\n";
static const char examples_top[] = "  sudo pidguard top web\n  sudo pidguard top -j docker/abc\n";
static const char examples_bpftool[] = "  sudo bpftool map dump pinned /sys/fs/bpf/pidguard/usage\n";

static void print_main(FILE *f)
{
	fputs("pidguard - enforce per-container task limits on a Docker host with eBPF\n\n"
	      "Usage:\n", f);
	fputs(usage_run, f);
	fputs(usage_status, f);
	fputs(usage_limit, f);
	fputs(usage_stop, f);
	fputs(usage_top, f);
	fputs(usage_thaw, f);
	fputs(usage_help, f);
	fputs(usage_version, f);
	fputs("\nCommands:\n"
	      "  run      load and pin the BPF programs, learn each container's limit,\n"
	      "           report events until stopped\n"
	      "  status   the mode, lost-event counters and every limited cgroup\n"
	      "  limit    set (N) or remove (none) the limit of one TARGET while run is up\n"
	      "  stop     detach and remove everything pinned under /sys/fs/bpf/pidguard/\n"
	      "  thaw     thaw a cgroup frozen by run --on-runaway freeze\n"
	      "  top      the processes of one TARGET grouped by command, duplicates first\n"
	      "  help     this page, or one command's page\n"
	      "  version  print the version\n\n", f);
	fputs(global_options, f);
	fputs("\n", f);
	fputs(run_options, f);
	fputs("\n", f);
	fputs(status_options, f);
	fputs("\n", f);
	fputs(top_options, f);
	fprintf(f, "\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n", modes, targets, sources, runaway, config_file,
		files, exit_status);
	fputs("EXAMPLES\n", f);
	fputs(examples_run, f);
	fputs(examples_status, f);
	fputs(examples_limit, f);
	fputs(examples_stop, f);
	fputs(examples_top, f);
	fputs(examples_thaw, f);
	fputs(examples_bpftool, f);
}

void cli__print_help(enum pg_command cmd, void *fp)
{
	FILE *f = fp;

	switch (cmd) {
	case PG_CMD_RUN:
		fprintf(f, "Usage:\n%s\n"
			   "Load, pin and attach pidguard, learn the limit of each container and\n"
			   "report events (one line each, or JSON with -j) until stopped.\n\n",
			usage_run);
		fputs(run_options, f);
		fprintf(f, "\n%s\n%s\n%s\n%s\n%s\n%s\n%s\nEXAMPLES\n%s", global_options, modes,
			targets, sources, runaway, config_file, files, examples_run);
		fprintf(f, "\n%s", exit_status);
		return;
	case PG_CMD_STATUS:
		fprintf(f, "Usage:\n%s\n"
			   "Show the enforcement mode, the counters of lost events and failures,\n"
			   "and every limited cgroup sorted by pressure (current / limit), with\n"
			   "the name, limit source and compensation report of each container.\n"
			   "With TARGET, only that cgroup or container.\n\n"
			   "%s\n%s\n%s\n%s\nEXAMPLES\n%s%s\n%s",
			usage_status, status_options, targets, global_options, files, examples_status,
			examples_bpftool,
			exit_status);
		return;
	case PG_CMD_LIMIT:
		fprintf(f, "Usage:\n%s\n"
			   "Set the limit of TARGET to N tasks (1 to 4194304), or with none track it\n"
			   "without a limit, in the maps of a running `pidguard run`.\n\n"
			   "%s\n%s\nEXAMPLES\n%s\n%s",
			usage_limit, targets, global_options, examples_limit, exit_status);
		return;
	case PG_CMD_STOP:
		fprintf(f, "Usage:\n%s\n"
			   "Detach the programs and remove /sys/fs/bpf/pidguard/: enforcement ends.\n\n"
			   "%s\n%s\nEXAMPLES\n%s\n%s",
			usage_stop, global_options, files, examples_stop, exit_status);
		return;
	case PG_CMD_TOP:
		fprintf(f, "Usage:\n%s\n"
			   "List the processes of TARGET and its sub-cgroups grouped by executable\n"
			   "and command line, largest groups first, with the start time of the\n"
			   "newest and its parent: a runaway shows as one large group. Adds\n"
			   "pidguard's count and limit when it runs. Reading other users'\n"
			   "executables needs root.\n\n"
			   "%s\n%s\n%s\nEXAMPLES\n%s\n%s",
			usage_top, top_options, targets, global_options, examples_top, exit_status);
		return;
	case PG_CMD_THAW:
		fprintf(f, "Usage:\n%s\n"
			   "Thaw TARGET, a cgroup path, frozen by run --on-runaway freeze (or by\n"
			   "anything else): cgroup.freeze, or the v1 freezer.\n\n"
			   "%s\nEXAMPLES\n%s\n%s",
			usage_thaw, global_options, examples_thaw, exit_status);
		return;
	case PG_CMD_VERSION:
		fprintf(f, "Usage:\n%s\nPrint the version of pidguard.\n\n%s", usage_version,
			exit_status);
		return;
	case PG_CMD_HELP:
		fprintf(f, "Usage:\n%s\nShow the main help page, or the page of COMMAND.\n\n%s",
			usage_help, exit_status);
		return;
	case PG_CMD_NONE:
	default:
		print_main(f);
	}
}
