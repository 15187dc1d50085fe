// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_run.c - `pidguard run`: bring enforcement up (or adopt it), install
 * the limits given, then report events until SIGINT/SIGTERM; with
 * --metrics, serve them to Prometheus too, and with --log syslog, send
 * events and messages to syslog instead of stdout and stderr. With
 * --on-runaway or --enforce-in-userspace, each event also goes to the
 * escalation ladder (runaway_ctl.h), in this same thread.
 *
 * Exiting leaves the pinned programs and maps in place: enforcement does
 * not depend on this process, and the next `run` adopts it with its counts.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup.h"
#include "commands.h"
#include "docker_sync.h"
#include "event_report.h"
#include "limit_store.h"
#include "loader.h"
#include "metrics.h"
#include "paths.h"
#include "pin_keeper.h"
#include "log.h"
#include "output.h"
#include "runaway_actions.h"
#include "runaway_ctl.h"
#include "runlock.h"

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static __u32 mode_of_req(enum pg_mode_req req)
{
	return req == PG_REQ_DENY ? PG_MODE_DENY : req == PG_REQ_KILL ? PG_MODE_KILL : PG_MODE_FLAG;
}

/* Resolve every --limit before touching the kernel: a typo costs nothing. */
static int resolve_targets(const struct pg_cmdline *cl, const char *cg2, struct pg_cgroup *cgs)
{
	char err[PG_PATH_MAX + 128];

	for (int i = 0; i < cl->nr_limits; i++) {
		if (cgroup__resolve(cg2, cl->limits[i].target, &cgs[i], err, sizeof(err))) {
			/* No '/' and not a cgroup: a container name or id, for Docker. */
			if (!cl->no_docker && !strchr(cl->limits[i].target, '/')) {
				cgs[i].id = 0;
				continue;
			}
			if (cl->limits[i].from_config)
				log__error("%s: limit = %s: %s", cl->config_path ? cl->config_path : "config",
					   cl->limits[i].target, err);
			else
				log__error("--limit %s: %s", cl->limits[i].target, err);
			return PG_EXIT_USAGE;
		}
	}
	return 0;
}

static int bring_up(const struct pg_cmdline *cl, struct pg_loader *ld)
{
	char why[768], err[768];
	struct pg_config cfg;
	__u32 mode;
	int ret;

	if (loader__pinned()) {
		ret = loader__open_pinned(ld, err, sizeof(err));
		if (ret == -EPROTO) {
			/* Another version's: the message says what to do. */
			log__error("cannot adopt the pinned state: %s", err);
			return PG_EXIT_FAIL;
		}
		if (ret) {
			log__error("pinned state at %s is incomplete (%s); `pidguard stop` clears "
				   "it",
				   paths__pin_dir(), err);
			return PG_EXIT_FAIL;
		}
		if (cl->mode_given && cl->mode != PG_REQ_AUTO) {
			ret = loader__set_mode(ld, mode_of_req(cl->mode), err, sizeof(err));
			if (ret) {
				log__error("%s", err);
				return PG_EXIT_FAIL;
			}
		}
		/*
		 * While no loader ran, resync requests (threaded migrations)
		 * went unanswered: reconcile every task once before going on.
		 */
		ret = loader__reconcile(ld);
		if (ret)
			log__warn("resynchronising counts failed: %s", strerror(-ret));
		loader__settings_get(ld, &cfg);
		log__info("adopted the pinned state at %s: mode %s, %d limits; enforcement "
			  "never stopped",
			  paths__pin_dir(), output__mode_name(cfg.mode), limit_store__count(ld));
		return 0;
	}

	ret = loader__load(ld, cl->mode, &mode, why, sizeof(why), err, sizeof(err));
	if (ret) {
		log__error("%s", err);
		return PG_EXIT_FAIL;
	}
	log__info("mode %s (%s)", output__mode_name(mode), why);
	loader__settings_get(ld, &cfg);
	log__info("reaps seen at %s",
		  cfg.caps & PG_CAP_REAP_AT_RELEASE ?
			  "release_task (fentry), where pids.max uncharges" :
			  "a check at the limit (this kernel refuses trampolines: a reaped "
			  "zombie counts until its free, ~13 ms, or until its cgroup's "
			  "limit, warn threshold or peak needs the exact count)");
	return 0;
}

static int apply_settings(const struct pg_cmdline *cl, const struct pg_loader *ld)
{
	struct pg_config cfg;
	int ret = loader__settings_get(ld, &cfg);

	if (ret)
		return ret;
	cfg.events_per_sec = cl->events_per_sec;
	cfg.warn_pct = cl->warn_pct;
	return loader__settings_set(ld, &cfg);
}

static int install_limits(const struct pg_cmdline *cl, const struct pg_loader *ld,
			  const struct pg_cgroup *cgs)
{
	char err[PG_PATH_MAX + 256];

	for (int i = 0; i < cl->nr_limits; i++) {
		if (!cgs[i].id)
			continue;	/* a container: docker_sync installs it */
		if (limit_store__set(ld, &cgs[i], cl->limits[i].max, err, sizeof(err))) {
			log__error("%s", err);
			return PG_EXIT_FAIL;
		}
		if (cl->limits[i].max == PG_NO_LIMIT)
			log__info("%s: tracked, no limit", cgs[i].rel);
		else
			log__info("%s: limit %u tasks", cgs[i].rel, cl->limits[i].max);
	}
	return 0;
}

static void say_docker(const struct pg_cmdline *cl)
{
	if (!cl->no_docker)
		return;
	log__info("Docker: not used (--no-docker); enforcing the --limit targets only");
	if (cl->default_limit)
		log__warn("--default-limit %u applies to Docker containers: ignored",
			  cl->default_limit);
}

/* --log syslog wins over --json: stdout gets nothing in syslog mode. */
static enum event_report_form report_form(const struct pg_cmdline *cl)
{
	if (cl->log_target == PG_LOG_SYSLOG)
		return EVENT_REPORT_SYSLOG;
	return cl->json ? EVENT_REPORT_JSON : EVENT_REPORT_TEXT;
}

/* Pins gone (bpffs unmounted, directory removed): pin them again, say so. */
static void keep_pins(struct pin_keeper *pk, bool *failing)
{
	char err[512];
	int n = pin_keeper__repin_lost(pk, err, sizeof(err));

	if (n > 0)
		log__warn("%d pinned objects had disappeared from %s (bpffs unmounted or the "
			  "directory removed); pinned again, enforcement never stopped",
			  n, paths__pin_dir());
	if (n < 0 && !*failing)
		log__error("%s; enforcement holds while this run runs, and ends when it exits",
			   err);
	else if (n >= 0 && *failing)
		log__info("%s is pinned again", paths__pin_dir());
	*failing = n < 0;
}

static int event_loop(const struct pg_cmdline *cl, struct pg_loader *ld, const char *cg2,
		      struct docker_sync *ds, struct pin_keeper *pk)
{
	bool pins_failing = false;
	struct runaway_params rp = { .rate = cl->runaway_rate, .seconds = cl->runaway_seconds,
				     .cooldown_s = PG_RUNAWAY_DEFAULT_COOLDOWN_S };
	struct runaway_ctl *ctl = NULL;
	struct event_report rep;
	struct ring_buffer *rb;
	time_t start = time(NULL), last_tick = start, last_collect = start;
	int ret = 0;

	if (event_report__init(&rep, ld, cg2, report_form(cl)))
		return PG_EXIT_FAIL;
	if (cl->enforce_in_userspace)
		rep.top_first_wait_ns = 0;
	if (ds) {
		rep.container_of = docker_sync__container_of;
		rep.container_ctx = ds;
	}
	/* With Docker, a container's label pidguard.on-runaway may ask for the ladder. */
	if (cl->on_runaway != PG_RUNAWAY_NONE || cl->enforce_in_userspace || ds) {
		ctl = runaway_ctl__new(cl->on_runaway, &rp, cl->enforce_in_userspace, &rep, cg2);
		if (!ctl) {
			log__error("out of memory");
			event_report__fini(&rep);
			return PG_EXIT_FAIL;
		}
		rep.on_event = runaway_ctl__on_event;
		rep.event_ctx = ctl;
		if (ds) {
			ctl->restart = docker_sync__restart;
			ctl->restart_ctx = ds;
		}
		log__info("runaway: more than %u attempts/s past a limit for %u s: %s%s",
			  rp.rate, rp.seconds, runaway__action_name(cl->on_runaway),
			  cl->enforce_in_userspace ? "; over-limit tasks killed in userspace" : "");
	}
	rb = ring_buffer__new(ld->events_fd, event_report__handle, &rep, NULL);
	if (!rb) {
		log__error("cannot open the event ring buffer: %s", strerror(errno));
		runaway_ctl__free(ctl);
		event_report__fini(&rep);
		return PG_EXIT_FAIL;
	}
	while (!stop_signal) {
		time_t now;

		ret = ring_buffer__poll(rb, runaway_ctl__poll_ms(ctl, 200));
		if (ret < 0 && ret != -EINTR) {
			log__error("reading events: %s", strerror(-ret));
			ret = PG_EXIT_FAIL;
			break;
		}
		ret = 0;
		runaway_ctl__sweep(ctl);
		now = time(NULL);
		if (now != last_tick) {
			last_tick = now;
			event_report__tick(&rep);
			runaway_ctl__tick(ctl);
			docker_sync__tick(ds);
			ret = loader__collect(ld, now % PG_SLOT_GC_EVERY == 0);
			if (ret)
				log__warn("collection of stale records and zombies failed: %s",
					  strerror(-ret));
			ret = 0;
			keep_pins(pk, &pins_failing);
		}
		if (now - last_collect >= 10) {
			int gone = limit_store__collect(ld, cg2);

			last_collect = now;
			if (gone > 0)
				log__info("dropped %d limits of removed cgroups", gone);
		}
		if (cl->duration_s && now - start >= cl->duration_s)
			break;
	}
	/* Drain what is already there before leaving. */
	ring_buffer__consume(rb);
	event_report__tick(&rep);
	ring_buffer__free(rb);
	runaway_ctl__free(ctl);
	event_report__fini(&rep);
	return ret;
}

/*
 * A run killed while userspace enforcement held a cgroup frozen for a trim
 * (a few milliseconds) left it frozen: thaw it before anything else, with
 * or without --enforce-in-userspace this time.
 */
static void thaw_left_held(void)
{
	char thawed[4096], err[4096 + 128];
	int ret = runaway_actions__thaw_left_held(paths__held_marker(), thawed, sizeof(thawed),
						  err, sizeof(err));

	if (ret < 0)
		log__warn("a cgroup the last run froze for a trim may still be frozen: %s", err);
	else if (ret)
		log__warn("thawed %s: the last run ended while holding it frozen for a trim",
			  thawed);
}

int cmd_run(const struct pg_cmdline *cl)
{
	struct pg_cgroup *cgs = NULL;
	struct docker_sync *ds = NULL;
	struct pg_metrics *metrics = NULL;
	struct pg_loader ld = { .skel = NULL };
	struct pin_keeper pins = { .nr = 0 };
	struct pg_mounts mounts;
	struct sigaction sa = { .sa_handler = on_stop_signal };
	char err[512];
	pid_t holder;
	int lock_fd, ret;

	/* First: from here on, every message goes where the operator asked. */
	if (cl->log_target == PG_LOG_SYSLOG)
		log__use_syslog();
	ret = commands__need_root("run");
	if (ret)
		return ret;
	setvbuf(stdout, NULL, _IOLBF, 0);

	lock_fd = runlock__acquire(&holder);
	if (lock_fd < 0) {
		if (lock_fd == -EBUSY)
			log__error("pidguard run is already active (pid %d); see `pidguard status`, "
				   "or end it with `pidguard stop`",
				   (int)holder);
		else
			log__error("cannot take %s: %s", paths__runlock(), strerror(-lock_fd));
		return PG_EXIT_FAIL;
	}
	thaw_left_held();

	ret = commands__mounts(&mounts);
	if (ret)
		goto out;
	if (cl->nr_limits) {
		cgs = calloc(cl->nr_limits, sizeof(*cgs));
		if (!cgs) {
			log__error("out of memory");
			ret = PG_EXIT_FAIL;
			goto out;
		}
	}
	ret = resolve_targets(cl, mounts.cgroup2, cgs);
	if (ret)
		goto out;
	if (!cl->no_docker) {
		ret = docker_sync__new(cl, &mounts, &ds);
		if (ret)
			goto out;
	}
	/* A port in use must cost nothing: take it before the kernel is touched. */
	if (cl->metrics) {
		ret = metrics__bind(cl->metrics_addr, cl->metrics_port, &metrics);
		if (ret)
			goto out;
	}

	ret = bring_up(cl, &ld);
	if (ret)
		goto out;
	if (apply_settings(cl, &ld)) {
		log__error("cannot write settings: %s", strerror(errno));
		ret = PG_EXIT_FAIL;
		goto out;
	}
	ret = install_limits(cl, &ld, cgs);
	if (ret)
		goto out;
	say_docker(cl);
	if (ds) {
		for (int i = 0; i < cl->nr_limits; i++)
			if (cgs[i].id)
				docker_sync__keep_cgroup(ds, cgs[i].id);
		ret = docker_sync__start(ds, &ld);
		if (ret)
			goto out;
	}
	if (metrics) {
		ret = metrics__start(metrics, &ld, mounts.cgroup2,
				     ds ? docker_sync__container_of : NULL, ds);
		if (ret)
			goto out;
	}

	if (pin_keeper__hold(&pins, err, sizeof(err)))
		log__warn("%s: if bpffs is unmounted under pidguard, enforcement ends", err);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	log__info("ready: %d limits, pinned at %s", limit_store__count(&ld), paths__pin_dir());
	ret = event_loop(cl, &ld, mounts.cgroup2, ds, &pins);
	log__info("exiting; enforcement stays in place (`pidguard stop` removes it)");
out:
	/* The server first: its scrapes read the maps and the container table. */
	metrics__free(metrics);
	docker_sync__free(ds);	/* stops and joins its thread first */
	pin_keeper__release(&pins);
	loader__close(&ld);
	free(cgs);
	close(lock_fd);
	return ret;
}
