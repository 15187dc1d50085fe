// SPDX-License-Identifier: GPL-2.0
/*
 * docker_sync.c - containers' limits from Docker, kept in step by a thread
 * that follows the daemon's events. See docker_sync.h for the contract.
 *
 * One writer per thing: the events thread (and docker_sync__start before
 * it exists) writes the table's entries and the limits maps; the main
 * thread's tick only refreshes the compensation fields of an entry whose
 * generation did not change meanwhile, and is the only writer of the names
 * file. The table lock is never held across I/O: a slow daemon or a
 * seeding pass never delays an event line.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "pidguard.h"
#include "runaway.h"
#include "cgroup.h"
#include "compensation.h"
#include "compose.h"
#include "docker_cgroup.h"
#include "docker_client.h"
#include "docker_sync.h"
#include "limit_policy.h"
#include "limit_store.h"
#include "log.h"

#define BACKOFF_MIN_MS	250
#define BACKOFF_MAX_MS	5000
#define MAX_KEPT	PG_MAX_CLI_LIMITS
#define RESTARTS_KEPT	32

struct ds_entry {
	struct pg_container_ref ref;
	char cg_rel[PG_PATH_MAX];
	char cg2_dir[PG_PATH_MAX];	/* absolute v2 directory */
	char pids_v1_dir[PG_PATH_MAX];	/* absolute v1 pids directory, "" if none */
	char detail[320];		/* limit_decision.detail */
	char warning[320];		/* the last policy warning logged */
	enum limit_source source;
	bool installed;			/* a limit of ours is in the maps */
	bool has_pids_limit;
	int64_t pids_limit;
	unsigned long gen;		/* bumped by every refresh */
};

/* A restart asked of the daemon (docker_sync__restart). */
struct ds_restart {
	char id[DOCKER_ID_LEN + 1];	/* "" for a free slot */
	__u64 at_s;			/* monotonic seconds */
};

struct docker_sync {
	const struct pg_cmdline *cl;
	const struct pg_loader *ld;
	char socket[128];
	char names_path[256];		/* names__path(), or a test's */
	char cg2[PG_PATH_MAX];
	char pids_v1[PG_PATH_MAX];
	struct docker_client *client;
	struct docker_info info;
	struct docker_version version;
	bool negotiated;
	struct compose_file compose[PG_MAX_COMPOSE];
	int nr_compose;
	struct limit_policy policy;
	__u64 kept[MAX_KEPT];
	int nr_kept;
	bool apply_pids_max;

	pthread_t thread;
	bool thread_started;
	bool unreachable_said;		/* "Docker is not reachable" was logged */
	bool synced;			/* the last resync succeeded */
	bool stream_broke;		/* the events stream ended since */
	time_t listed_at;		/* when the last listing was asked for */

	pthread_mutex_t pub_lock;	/* one names file writer at a time */
	pthread_mutex_t lock;		/* guards the fields below */
	struct ds_entry *tab;
	int nr, cap;
	bool dirty;			/* the names file is behind */
	unsigned long gen;

	/* docker_sync__restart's caller's own (the event loop): no lock. */
	struct ds_restart restarts[RESTARTS_KEPT];
};

/* ---- pure parts ---- */

bool docker_sync__wants_refresh(enum docker_event_action action)
{
	switch (action) {
	case DOCKER_EV_START:
	case DOCKER_EV_DIE:
	case DOCKER_EV_DESTROY:
	case DOCKER_EV_UPDATE:
	case DOCKER_EV_RENAME:
		return true;
	case DOCKER_EV_EXEC_START:	/* the tick sees migrated_in grow */
	case DOCKER_EV_OTHER:
		break;
	}
	return false;
}

void docker_sync__report_line(const struct pg_container_ref *ref, const char *cg_rel,
			      const char *detail, char *buf, size_t len)
{
	char compose[540] = "", limit[16];

	if (ref->project[0] || ref->service[0])
		snprintf(compose, sizeof(compose), ", compose %s/%s",
			 ref->project[0] ? ref->project : "-",
			 ref->service[0] ? ref->service : "-");
	if (ref->limit == PG_NO_LIMIT)
		snprintf(limit, sizeof(limit), "none");
	else
		snprintf(limit, sizeof(limit), "%u", ref->limit);
	snprintf(buf, len, "container %s (%.12s%s) %s: limit %s from %s%s%s%s; %s: %s", ref->name,
		 ref->id, compose, cg_rel, limit, ref->source, detail && *detail ? " (" : "",
		 detail && *detail ? detail : "", detail && *detail ? ")" : "", ref->comp_case,
		 ref->sentence);
}

/* ---- the table (callers hold the lock) ---- */

static struct ds_entry *find_id(struct docker_sync *s, const char *id)
{
	for (int i = 0; i < s->nr; i++)
		if (!strcmp(s->tab[i].ref.id, id))
			return &s->tab[i];
	return NULL;
}

static int put_entry(struct docker_sync *s, const struct ds_entry *e)
{
	struct ds_entry *slot = find_id(s, e->ref.id), *bigger;

	if (!slot) {
		if (s->nr == s->cap) {
			int cap = s->cap ? s->cap * 2 : 32;

			bigger = realloc(s->tab, cap * sizeof(*bigger));
			if (!bigger)
				return -ENOMEM;
			s->tab = bigger;
			s->cap = cap;
		}
		slot = &s->tab[s->nr++];
	}
	*slot = *e;
	slot->gen = ++s->gen;
	s->dirty = true;
	return 0;
}

static void del_entry(struct docker_sync *s, struct ds_entry *e)
{
	*e = s->tab[--s->nr];
	s->dirty = true;
}

/* ---- kernel side ---- */

static bool kept(const struct docker_sync *s, __u64 cg_id)
{
	for (int i = 0; i < s->nr_kept; i++)
		if (s->kept[i] == cg_id)
			return true;
	return false;
}

/* Drop a removed container's entries, once its cgroup is gone (else the
 * run loop's limit_store__collect gets them later). */
static void drop_maps(struct docker_sync *s, __u64 cg_id)
{
	char path[PG_PATH_MAX];

	if (!cg_id || kept(s, cg_id))
		return;
	if (cgroup__path_of_id(s->cg2, cg_id, path, sizeof(path)) != -ENOENT)
		return;
	bpf_map_delete_elem(s->ld->limits_fd, &cg_id);
	bpf_map_delete_elem(s->ld->usage_fd, &cg_id);
}

/* The limit in the maps for cg_id (0 when none, or track-only). */
static __u32 pinned_limit(const struct docker_sync *s, __u64 cg_id)
{
	struct pg_limit lim;

	if (bpf_map_lookup_elem(s->ld->limits_fd, &cg_id, &lim) || lim.max == PG_NO_LIMIT)
		return 0;
	return lim.max;
}

static unsigned int exec_tasks(const struct docker_sync *s, __u64 cg_id)
{
	struct pg_usage u;

	if (!cg_id || bpf_map_lookup_elem(s->ld->usage_fd, &cg_id, &u))
		return 0;
	return u.migrated_in > 0xffffffffull ? 0xffffffffu : (unsigned int)u.migrated_in;
}

/* Write limit to the pids.max the kernel read, and check that it holds. */
static void apply_pids_max(const struct ds_entry *e, struct compensation_kernel *k)
{
	char val[16], file[sizeof(k->file)];
	ssize_t n;
	int fd, err = 0;

	snprintf(file, sizeof(file), "%s", k->file);
	snprintf(val, sizeof(val), "%u\n", e->ref.limit);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
	} else {
		n = write(fd, val, strlen(val));
		if (n < 0)
			err = errno;
		close(fd);
	}
	if (err) {
		log__warn("docker: container %s: --apply-pids-max: cannot write %s: %s; "
			  "pidguard keeps enforcing %u", e->ref.name, file, strerror(err),
			  e->ref.limit);
		return;
	}
	compensation__read_kernel(e->cg2_dir, e->pids_v1_dir, k);
	if (k->state == COMP_KERNEL_VALUE && k->value == e->ref.limit)
		log__info("docker: container %s: --apply-pids-max: %s is now %u (verified)",
			  e->ref.name, file, e->ref.limit);
	else
		log__warn("docker: container %s: --apply-pids-max: wrote %u to %s but it does "
			  "not read back; pidguard keeps enforcing it", e->ref.name, e->ref.limit,
			  file);
}

/* Compensation fields of e, from the kernel now. true when they changed. */
static bool classify(const struct docker_sync *s, struct ds_entry *e, bool may_apply)
{
	struct compensation_input in = {
		.declared = e->ref.limit,
		.source = e->source,
		.source_text = e->ref.source,
		.has_pids_limit = e->has_pids_limit,
		.pids_limit = e->pids_limit,
		.exec_tasks = exec_tasks(s, e->ref.cg_id),
	};
	struct compensation_result res;
	const char *name;

	compensation__read_kernel(e->cg2_dir, e->pids_v1_dir, &in.kernel);
	if (may_apply && s->apply_pids_max && e->ref.limit != PG_NO_LIMIT && in.kernel.file[0] &&
	    (in.kernel.state == COMP_KERNEL_MAX ||
	     (in.kernel.state == COMP_KERNEL_VALUE && in.kernel.value > e->ref.limit)))
		apply_pids_max(e, &in.kernel);
	compensation__classify(&in, &res);
	name = compensation__case_name(res.kind);
	if (!strcmp(name, e->ref.comp_case) && !strcmp(res.sentence, e->ref.sentence))
		return false;
	snprintf(e->ref.comp_case, sizeof(e->ref.comp_case), "%s", name);
	snprintf(e->ref.sentence, sizeof(e->ref.sentence), "%s", res.sentence);
	return true;
}

static void report(const struct ds_entry *e)
{
	char line[2400];

	docker_sync__report_line(&e->ref, e->cg_rel, e->detail, line, sizeof(line));
	log__info("docker: %s", line);
}

/*
 * Rewrite the names file when the table changed: at once, so that status
 * names a container as soon as its limit is in. pub_lock is taken before
 * the snapshot, so that files are written in the order of the snapshots.
 */
static void publish(struct docker_sync *s)
{
	struct pg_container_ref *refs = NULL;
	int n = 0, ret;

	pthread_mutex_lock(&s->pub_lock);
	pthread_mutex_lock(&s->lock);
	if (s->dirty) {
		refs = malloc((s->nr ? s->nr : 1) * sizeof(*refs));
		if (refs) {
			for (int i = 0; i < s->nr; i++)
				refs[i] = s->tab[i].ref;
			n = s->nr;
			s->dirty = false;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (refs) {
		ret = names__write(s->names_path, refs, n);
		if (ret)
			log__warn("docker: cannot publish container names at %s: %s",
				  s->names_path, strerror(-ret));
		free(refs);
	}
	pthread_mutex_unlock(&s->pub_lock);
}

/* ---- one container ---- */

static void forget(struct docker_sync *s, const char *id)
{
	struct ds_entry *e;
	char name[256] = "";
	__u64 cg_id = 0;
	bool had_limit = false;

	pthread_mutex_lock(&s->lock);
	e = find_id(s, id);
	if (e) {
		snprintf(name, sizeof(name), "%s", e->ref.name);
		cg_id = e->ref.cg_id;
		had_limit = e->installed;
		del_entry(s, e);
	}
	pthread_mutex_unlock(&s->lock);
	if (!name[0])
		return;
	publish(s);
	if (had_limit)
		drop_maps(s, cg_id);
	log__info("docker: container %s (%.12s) is gone%s", name, id,
		  had_limit ? "; its limit is dropped" : "");
}

/* Inspect container id and bring its limit and report up to date. */
static void refresh(struct docker_sync *s, const char *id)
{
	struct docker_container c;
	struct limit_decision *dec = NULL;
	struct docker_cgroup_where where;
	struct pg_cgroup cg;
	struct ds_entry *e = NULL, *old;
	char err[PG_PATH_MAX + 512];
	bool was_installed = false, changed, is_new, renamed = false;
	__u64 old_cg = 0;
	__u32 old_limit = PG_NO_LIMIT;
	int ret;

	ret = docker_client__inspect(s->client, id, &c, err, sizeof(err));
	if (ret == -ENOENT) {
		forget(s, id);
		return;
	}
	if (ret) {
		log__warn("docker: inspect %.12s: %s; container left as it was", id, err);
		return;
	}
	if (!c.running) {
		forget(s, id);
		return;
	}
	dec = malloc(sizeof(*dec));
	e = calloc(1, sizeof(*e));
	if (!dec || !e) {
		log__error("docker: out of memory");
		goto out;
	}
	limit_policy__decide(&s->policy, &c, dec);

	/* A skipped source (a label "lots"): said once per container and value. */
	pthread_mutex_lock(&s->lock);
	old = find_id(s, c.id);
	if (old)
		snprintf(e->warning, sizeof(e->warning), "%s", old->warning);
	pthread_mutex_unlock(&s->lock);
	if (dec->warning[0] && strcmp(dec->warning, e->warning))
		log__warn("docker: container %s: %s", c.name, dec->warning);
	snprintf(e->warning, sizeof(e->warning), "%s", dec->warning);

	ret = docker_cgroup__resolve(NULL, s->cg2, &s->info, &c, &where, err, sizeof(err));
	if (!ret)
		ret = cgroup__resolve(s->cg2, where.paths.v2, &cg, err, sizeof(err));
	if (ret) {
		log__warn("docker: container %s (%.12s): %s; not limited", c.name, c.id, err);
		goto out;
	}

	snprintf(e->ref.id, sizeof(e->ref.id), "%s", c.id);
	snprintf(e->ref.name, sizeof(e->ref.name), "%s", c.name);
	snprintf(e->ref.project, sizeof(e->ref.project), "%s", c.compose_project);
	snprintf(e->ref.service, sizeof(e->ref.service), "%s", c.compose_service);
	snprintf(e->ref.on_runaway, sizeof(e->ref.on_runaway), "%s", c.runaway_label);
	if (c.runaway_label[0]) {
		enum pg_runaway_action a;

		if (runaway__action_parse(c.runaway_label, &a))
			log__warn("docker: container %s: label %s='%s' is not none, freeze, trim, "
				  "restart or kill: the run's --on-runaway applies",
				  c.name, DOCKER_LABEL_RUNAWAY, c.runaway_label);
	}
	e->ref.cg_id = cg.id;
	e->ref.limit = dec->max;
	snprintf(e->ref.source, sizeof(e->ref.source), "%s",
		 limit_policy__source_name(dec->source));
	e->source = dec->source;
	snprintf(e->detail, sizeof(e->detail), "%s", dec->detail);
	snprintf(e->cg_rel, sizeof(e->cg_rel), "%s", cg.rel);
	snprintf(e->cg2_dir, sizeof(e->cg2_dir), "%s", cg.path);
	if (s->pids_v1[0] && where.paths.pids_v1[0])
		snprintf(e->pids_v1_dir, sizeof(e->pids_v1_dir), "%.1024s%.2047s", s->pids_v1,
			 where.paths.pids_v1);
	e->has_pids_limit = c.has_pids_limit;
	e->pids_limit = c.pids_limit;

	pthread_mutex_lock(&s->lock);
	old = find_id(s, c.id);
	is_new = !old;
	if (old) {
		old_cg = old->ref.cg_id;
		old_limit = old->ref.limit;
		renamed = strcmp(old->ref.name, c.name) != 0;
		was_installed = old->installed && old->ref.cg_id == cg.id;
		snprintf(e->ref.comp_case, sizeof(e->ref.comp_case), "%s", old->ref.comp_case);
		snprintf(e->ref.sentence, sizeof(e->ref.sentence), "%s", old->ref.sentence);
	}
	pthread_mutex_unlock(&s->lock);

	if (kept(s, cg.id)) {
		/* --limit named its cgroup path: that limit stands. */
		struct pg_limit lim;

		snprintf(e->ref.source, sizeof(e->ref.source), "--limit");
		e->source = LIMIT_SRC_CLI;
		snprintf(e->detail, sizeof(e->detail), "--limit %.300s", cg.rel);
		if (!bpf_map_lookup_elem(s->ld->limits_fd, &cg.id, &lim))
			e->ref.limit = lim.max;
	} else if (dec->max != PG_NO_LIMIT || was_installed ||
		   (is_new && pinned_limit(s, cg.id))) {
		/*
		 * A limit that went away leaves the cgroup counted, not limited;
		 * so does one an earlier run installed that nothing declares now
		 * (run restarted without its --default-limit), when this run
		 * first sees the container. Later, a limit the operator set with
		 * `pidguard limit` on an undeclared container is left alone.
		 */
		if (!was_installed && dec->max == PG_NO_LIMIT)
			log__info("docker: container %s: the limit of %u pinned by an earlier run is "
				  "declared nowhere now: counted, no longer limited", c.name,
				  pinned_limit(s, cg.id));
		if (!was_installed || old_limit != dec->max) {
			ret = limit_store__set(s->ld, &cg, dec->max, err, sizeof(err));
			if (ret) {
				log__warn("docker: container %s: %s", c.name, err);
				goto out;
			}
		}
		e->installed = true;
	}
	if (old_cg && old_cg != cg.id)
		drop_maps(s, old_cg);	/* restarted: a new cgroup */

	changed = classify(s, e, true);
	pthread_mutex_lock(&s->lock);
	ret = put_entry(s, e);
	pthread_mutex_unlock(&s->lock);
	if (ret) {
		log__error("docker: out of memory");
		goto out;
	}
	publish(s);
	if (changed || is_new || renamed || old_limit != e->ref.limit)
		report(e);
out:
	free(dec);
	free(e);
}

/* ---- the daemon ---- */

static int connect_and_list(struct docker_sync *s, char (**ids)[DOCKER_ID_LEN + 1], size_t *nr,
			    char *err, size_t errlen)
{
	int ret;

	if (!s->negotiated) {
		ret = docker_client__negotiate(s->client, &s->version, err, errlen);
		if (ret)
			return ret;
		s->negotiated = true;
	}
	ret = docker_client__info(s->client, &s->info, err, errlen);
	if (ret)
		return ret;
	return docker_client__list_running(s->client, ids, nr, err, errlen);
}

static const char *driver_name(enum docker_cgroup_driver d)
{
	return d == DOCKER_CGDRIVER_CGROUPFS ? "cgroupfs" :
	       d == DOCKER_CGDRIVER_SYSTEMD  ? "systemd" :
	       d == DOCKER_CGDRIVER_NONE     ? "none" : "unknown";
}

/* List, refresh each, forget the rest. 0 or the daemon's error. */
static int resync(struct docker_sync *s, bool first)
{
	char (*ids)[DOCKER_ID_LEN + 1] = NULL, err[1024];
	char gone[64][DOCKER_ID_LEN + 1];
	size_t nr = 0, i;
	int ret, nr_gone;

	s->synced = false;
	s->listed_at = time(NULL);
	ret = connect_and_list(s, &ids, &nr, err, sizeof(err));
	if (ret) {
		if (!s->unreachable_said) {
			log__warn("Docker: not usable at %s: %s; enforcing the limits given, and "
				  "retrying in the background", s->socket, err);
			s->unreachable_said = true;
		}
		/* A daemon that restarted may be another version: ask again. */
		s->negotiated = false;
		return ret;
	}
	if (first || s->unreachable_said || s->stream_broke)
		log__info("Docker: %s %s (engine %s, API %s, %s driver, cgroup v%d): "
			  "%zu running container%s", first ? "connected to" : "resynchronised with",
			  s->socket, s->version.version,
			  s->version.api_version, driver_name(s->info.cgroup_driver),
			  s->info.cgroup_version, nr, nr == 1 ? "" : "s");
	s->unreachable_said = false;
	s->stream_broke = false;
	for (i = 0; i < nr && !docker_client__stopped(s->client); i++)
		refresh(s, ids[i]);

	/* Containers we know that are no longer running (missed while away). */
	do {
		nr_gone = 0;
		pthread_mutex_lock(&s->lock);
		for (int k = 0; k < s->nr && nr_gone < 64; k++) {
			bool listed = false;

			for (i = 0; i < nr && !listed; i++)
				listed = !strcmp(ids[i], s->tab[k].ref.id);
			if (!listed)
				snprintf(gone[nr_gone++], sizeof(gone[0]), "%s", s->tab[k].ref.id);
		}
		pthread_mutex_unlock(&s->lock);
		for (int k = 0; k < nr_gone; k++)
			forget(s, gone[k]);
	} while (nr_gone == 64);
	free(ids);
	s->synced = true;
	return 0;
}

static int on_event(const struct docker_event *ev, void *ctx)
{
	struct docker_sync *s = ctx;

	if (docker_sync__wants_refresh(ev->action) && docker_json__valid_id(ev->id))
		refresh(s, ev->id);
	return docker_client__stopped(s->client);
}

static void *events_thread(void *arg)
{
	struct docker_sync *s = arg;
	struct docker_backoff bo;
	char err[1024];
	int ret;

	docker_client__backoff_init(&bo, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
	while (!docker_client__stopped(s->client)) {
		if (!s->synced && resync(s, false)) {
			if (!docker_client__sleep(s->client, docker_client__backoff_next(&bo)))
				break;
			continue;
		}
		/*
		 * From one second before the listing: whatever happened since
		 * is replayed, and re-inspecting makes a replay harmless.
		 */
		ret = docker_client__follow_events(s->client, s->listed_at - 1, on_event, s, err,
						   sizeof(err));
		s->synced = false;
		s->stream_broke = true;
		if (docker_client__stopped(s->client))
			break;
		if (ret == -ECONNRESET) {
			/* The daemon restarted or went away: resync once it is back. */
			log__warn("Docker: %s; resynchronising", err);
			docker_client__backoff_reset(&bo);
		} else if (ret) {
			log__warn("Docker: %s; reconnecting with backoff", err);
		}
		if (!docker_client__sleep(s->client, docker_client__backoff_next(&bo)))
			break;
	}
	return NULL;
}

/* ---- public ---- */

int docker_sync__new(const struct pg_cmdline *cl, const struct pg_mounts *mounts,
		     struct docker_sync **out)
{
	struct docker_sync *s;
	char err[4400];

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		log__error("out of memory");
		return PG_EXIT_FAIL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->pub_lock, NULL);
	s->cl = cl;
	snprintf(s->names_path, sizeof(s->names_path), "%s", names__path());
	s->apply_pids_max = cl->apply_pids_max;
	snprintf(s->cg2, sizeof(s->cg2), "%s", mounts->cgroup2);
	snprintf(s->pids_v1, sizeof(s->pids_v1), "%s", mounts->pids_v1);
	if (docker_client__socket_path(cl->docker_host, getenv("DOCKER_HOST"), s->socket,
				       sizeof(s->socket), err, sizeof(err))) {
		log__error("%s", err);
		docker_sync__free(s);
		return PG_EXIT_USAGE;
	}
	for (int i = 0; i < cl->nr_compose; i++) {
		if (compose__load(cl->compose[i], &s->compose[i], err, sizeof(err))) {
			log__error("--compose %s", err);
			docker_sync__free(s);
			return PG_EXIT_USAGE;
		}
		s->nr_compose++;
		for (size_t k = 0; k < s->compose[i].nr_services; k++)
			if (s->compose[i].services[k].problem[0])
				log__warn("--compose %s: service %s: %s", cl->compose[i],
					  s->compose[i].services[k].name,
					  s->compose[i].services[k].problem);
	}
	s->policy.cli = cl->limits;
	s->policy.nr_cli = cl->nr_limits;
	s->policy.compose = s->compose;
	s->policy.nr_compose = s->nr_compose;
	s->policy.default_limit = cl->default_limit;
	s->client = docker_client__new(s->socket);
	if (!s->client) {
		log__error("out of memory");
		docker_sync__free(s);
		return PG_EXIT_FAIL;
	}
	*out = s;
	return 0;
}

void docker_sync__set_names_path(struct docker_sync *s, const char *path)
{
	snprintf(s->names_path, sizeof(s->names_path), "%s", path);
}

void docker_sync__keep_cgroup(struct docker_sync *s, __u64 cg_id)
{
	if (s->nr_kept < MAX_KEPT && !kept(s, cg_id))
		s->kept[s->nr_kept++] = cg_id;
}

/* --limit NAME=N that names no running container: say when it will apply. */
static void say_unmatched_targets(struct docker_sync *s)
{
	for (int i = 0; i < s->cl->nr_limits; i++) {
		const char *t = s->cl->limits[i].target;
		char err[PG_PATH_MAX + 128];
		struct pg_cgroup cg;
		bool found = false;

		/* A cgroup path ("docker/x", or "x" when that cgroup exists). */
		if (strchr(t, '/') || cgroup__resolve(s->cg2, t, &cg, err, sizeof(err)) == 0)
			continue;
		pthread_mutex_lock(&s->lock);
		for (int k = 0; k < s->nr && !found; k++) {
			struct docker_container c = { 0 };

			snprintf(c.id, sizeof(c.id), "%s", s->tab[k].ref.id);
			snprintf(c.name, sizeof(c.name), "%s", s->tab[k].ref.name);
			found = limit_policy__target_matches(t, &c);
		}
		pthread_mutex_unlock(&s->lock);
		if (!found)
			log__info("--limit %s: no running container by that name or id; it "
				  "applies when one starts", t);
	}
}

int docker_sync__start(struct docker_sync *s, const struct pg_loader *ld)
{
	int ret;

	s->ld = ld;
	resync(s, true);
	say_unmatched_targets(s);
	docker_sync__tick(s);
	ret = pthread_create(&s->thread, NULL, events_thread, s);
	if (ret) {
		log__error("docker: cannot start the events thread: %s", strerror(ret));
		return PG_EXIT_FAIL;
	}
	s->thread_started = true;
	return 0;
}

void docker_sync__tick(struct docker_sync *s)
{
	struct ds_entry *snap = NULL;
	int n = 0;

	if (!s)
		return;
	/* Compensation: pids.max and docker exec counts change behind our back. */
	pthread_mutex_lock(&s->lock);
	if (s->nr) {
		snap = malloc(s->nr * sizeof(*snap));
		if (snap) {
			memcpy(snap, s->tab, s->nr * sizeof(*snap));
			n = s->nr;
		}
	}
	pthread_mutex_unlock(&s->lock);
	for (int i = 0; i < n; i++) {
		/* A container on its way out: its die event will say so. */
		if (access(snap[i].cg2_dir, F_OK))
			continue;
		if (!classify(s, &snap[i], false))
			continue;
		/*
		 * pids.max was raised behind our back (echo max > pids.max): with
		 * --apply-pids-max put the declared limit back. Only on a change,
		 * so a write that keeps failing is not retried every second.
		 */
		if (s->apply_pids_max && strcmp(snap[i].ref.comp_case, "enforced") &&
		    strcmp(snap[i].ref.comp_case, "not_limited"))
			classify(s, &snap[i], true);
		pthread_mutex_lock(&s->lock);
		for (int k = 0; k < s->nr; k++) {
			struct ds_entry *e = &s->tab[k];

			if (e->gen != snap[i].gen || strcmp(e->ref.id, snap[i].ref.id))
				continue;
			memcpy(e->ref.comp_case, snap[i].ref.comp_case, sizeof(e->ref.comp_case));
			memcpy(e->ref.sentence, snap[i].ref.sentence, sizeof(e->ref.sentence));
			s->dirty = true;
			report(e);
		}
		pthread_mutex_unlock(&s->lock);
	}
	free(snap);

	publish(s);
}

void docker_sync__free(struct docker_sync *s)
{
	if (!s)
		return;
	if (s->client)
		docker_client__stop(s->client);
	if (s->thread_started)
		pthread_join(s->thread, NULL);
	docker_client__free(s->client);
	for (int i = 0; i < s->nr_compose; i++)
		compose__free(&s->compose[i]);
	free(s->tab);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->pub_lock);
	free(s);
}

bool docker_sync__container_of(void *ctx, __u64 cg_id, struct pg_container_ref *out)
{
	struct docker_sync *s = ctx;
	bool found = false;

	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < s->nr && !found; i++) {
		if (s->tab[i].ref.cg_id == cg_id) {
			*out = s->tab[i].ref;
			found = true;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}

/* The slot of container id in the restarts, else the oldest (or a free one). */
static struct ds_restart *restart_slot(struct docker_sync *s, const char *id)
{
	struct ds_restart *oldest = &s->restarts[0];

	for (int i = 0; i < RESTARTS_KEPT; i++) {
		if (!strcmp(s->restarts[i].id, id))
			return &s->restarts[i];
		if (s->restarts[i].at_s < oldest->at_s)
			oldest = &s->restarts[i];
	}
	return oldest;
}

int docker_sync__restart(void *ctx, __u64 cg_id, char *err, size_t errlen)
{
	struct docker_sync *s = ctx;
	struct pg_container_ref ref;
	struct ds_restart *slot;
	struct timespec ts;
	__u64 now_s;
	int ret;

	if (!s) {
		snprintf(err, errlen, "restart needs Docker");
		return -ENOTSUP;
	}
	if (!docker_sync__container_of(s, cg_id, &ref)) {
		snprintf(err, errlen, "not a Docker container: only a container can be restarted");
		return -ENODEV;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* +1: a slot's at_s of 0 means never, even in a boot's first second. */
	now_s = (__u64)ts.tv_sec + 1;
	slot = restart_slot(s, ref.id);
	if (!strcmp(slot->id, ref.id) && now_s - slot->at_s < PG_RUNAWAY_DEFAULT_COOLDOWN_S) {
		snprintf(err, errlen,
			 "held: container %s was restarted %llu s ago, within the %u s cool-down",
			 ref.name, (unsigned long long)(now_s - slot->at_s),
			 PG_RUNAWAY_DEFAULT_COOLDOWN_S);
		return -EALREADY;
	}
	/* Counted from the request: one that timed out may still go through. */
	snprintf(slot->id, sizeof(slot->id), "%s", ref.id);
	slot->at_s = now_s;
	ret = docker_client__restart(s->client, ref.id, DOCKER_SYNC_RESTART_STOP_S, err, errlen);
	if (!ret)
		log__info("docker: container %s (%.12s) restarted (stop timeout %u s)", ref.name,
			  ref.id, DOCKER_SYNC_RESTART_STOP_S);
	return ret;
}
