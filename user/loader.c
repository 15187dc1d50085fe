// SPDX-License-Identifier: GPL-2.0
/*
 * loader.c - load, attach and pin the BPF side, or open what is pinned.
 *
 * Which programs load depends on the kernel: the *_kill programs need the
 * bpf_send_signal_task kfunc (6.13+), deny_* need the BPF LSM. As in
 * libbpf-tools, what the kernel lacks is switched off with autoload before
 * loading, never a failure of the whole run; for the LSM, whose refusal
 * shows only at load time (EPERM here although "bpf" is in the LSM list),
 * a failed load is retried without it. The reap is hooked at
 * fentry/release_task where a probe shows that trampolines work; elsewhere
 * no reap is hooked, and the zombie index releases reaped zombies at their
 * free or at a check at the limit (see pidguard.bpf.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "paths.h"
#include "pidguard.skel.h"

#define BPF_FS_MAGIC_NR 0xcafe4a11

/* The last error line libbpf printed, to explain a failed load. */
static char libbpf_last_error[512];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	va_list copy;

	if (getenv("PIDGUARD_DEBUG")) {
		va_copy(copy, args);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level == LIBBPF_WARN) {
		vsnprintf(libbpf_last_error, sizeof(libbpf_last_error), fmt, args);
		libbpf_last_error[strcspn(libbpf_last_error, "\n")] = 0;
	}
	return 0;
}

bool loader__lsm_list_has(const char *list, const char *name)
{
	size_t len = strlen(name);

	/* Comma-separated, as in /sys/kernel/security/lsm: whole words only. */
	for (const char *tok = list; *tok;) {
		size_t n = strcspn(tok, ",\n");

		if (n == len && !strncmp(tok, name, len))
			return true;
		tok += n;
		tok += *tok != 0;
	}
	return false;
}

void loader__probe(struct pg_probe *p)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	FILE *f;

	memset(p, 0, sizeof(*p));
	if (vmlinux) {
		p->kill = btf__find_by_name_kind(vmlinux, "bpf_send_signal_task", BTF_KIND_FUNC) > 0;
		btf__free(vmlinux);
	}
	f = fopen("/sys/kernel/security/lsm", "r");
	if (f) {
		if (fgets(p->lsm_list, sizeof(p->lsm_list), f)) {
			p->lsm_list[strcspn(p->lsm_list, "\n")] = 0;
			p->lsm_list_known = true;
			p->lsm_listed = loader__lsm_list_has(p->lsm_list, "bpf");
		}
		fclose(f);
	}
}

static int ensure_mounted(const char *dir, const char *fstype, long magic, char *err, size_t errlen)
{
	struct statfs st;

	if (statfs(dir, &st) == 0 && (magic == 0 || st.f_type == magic))
		return 0;
	if (mount(fstype, dir, fstype, 0, fstype[0] == 'b' ? "mode=0700" : NULL)) {
		snprintf(err, errlen, "cannot mount %s at %s: %s", fstype, dir, strerror(errno));
		return -errno;
	}
	return 0;
}

int loader__mount_filesystems(char *err, size_t errlen)
{
	int ret;

	ret = ensure_mounted("/sys/fs/bpf", "bpf", BPF_FS_MAGIC_NR, err, errlen);
	if (ret)
		return ret;
	/* No tracefs: every hook is a BTF tracepoint, an LSM hook, fentry or
	 * an iterator, none of which libbpf looks up there. */
	/* securityfs only tells which LSMs are active; best effort. */
	if (access("/sys/kernel/security/lsm", F_OK))
		mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL);
	return 0;
}

bool loader__pinned(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/settings", paths__pin_dir());
	return access(path, F_OK) == 0;
}

static void prog_enable(struct bpf_program *prog, bool on)
{
	bpf_program__set_autoload(prog, on);
}

/*
 * Does this kernel load and attach a trampoline program at release_task?
 * A two-instruction fentry program, attached and closed at once. The build
 * machines refuse every trampoline (EPERM); Debian's 6.1 takes them.
 */
static bool release_hook_works(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int id = libbpf_find_vmlinux_btf_id("release_task", BPF_TRACE_FENTRY);
	int fd, link;

	if (id <= 0)
		return false;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	if (fd < 0)
		return false;
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link >= 0)
		close(link);
	close(fd);
	return link >= 0;
}

/* Is the environment variable name set to a non-empty value other than 0? */
static bool env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

/* Where task records live, and how many of each (maps.bpf.h). */
struct record_capacity {
	__u32 records;			/* task_records entries */
	__u32 slot_shift;		/* log2 of task_slots' slots; 0: none */
};

/*
 * PIDGUARD_TASK_RECORDS (default PG_TASK_RECORDS) sizes task_records;
 * PIDGUARD_TASK_SLOTS (default 1 << PG_TASK_SLOTS_SHIFT) task_slots. They
 * are there for tests (a small table proves the fallback to task storage,
 * no slots prove task_records alone) and for hosts with more tasks in
 * limited cgroups.
 */
static int record_capacity_get(struct record_capacity *c, char *err, size_t errlen)
{
	const char *v = getenv("PIDGUARD_TASK_RECORDS");
	__u32 slots;

	c->records = PG_TASK_RECORDS;
	c->slot_shift = PG_TASK_SLOTS_SHIFT;
	if (v && *v && cli__parse_u32(v, 1, PG_PID_MAX_LIMIT, &c->records)) {
		snprintf(err, errlen,
			 "PIDGUARD_TASK_RECORDS=%s: want a number of task records from 1 to %u", v,
			 PG_PID_MAX_LIMIT);
		return -EINVAL;
	}
	v = getenv("PIDGUARD_TASK_SLOTS");
	if (!v || !*v)
		return 0;
	if (cli__parse_u32(v, 0, 1u << PG_TASK_SLOTS_SHIFT_MAX, &slots) ||
	    (slots & (slots - 1)) || slots == 1) {
		snprintf(err, errlen,
			 "PIDGUARD_TASK_SLOTS=%s: want 0 (no slots: every task record in "
			 "task_records) or a power of two from 2 to %u",
			 v, 1u << PG_TASK_SLOTS_SHIFT_MAX);
		return -EINVAL;
	}
	for (c->slot_shift = 0; slots > 1; slots >>= 1)
		c->slot_shift++;
	return 0;
}

/*
 * Choose the programs, load. Returns 0 or -errno, the skeleton in *out.
 * release: the reap is seen at fentry/release_task, else the zombie index
 * finds reaped zombies at the limit (no reap hook). records: the
 * capacity of task_records.
 */
static int open_and_load(bool kill, bool deny, bool release, const struct record_capacity *cap,
			 struct pidguard_bpf **out)
{
	struct pidguard_bpf *skel;
	int ret;

	*out = NULL;
	libbpf_last_error[0] = 0;
	skel = pidguard_bpf__open();
	if (!skel)
		return -errno ? -errno : -EINVAL;
	prog_enable(skel->progs.fork_kill, kill);
	prog_enable(skel->progs.attach_kill, kill);
	prog_enable(skel->progs.fork_count, !kill);
	prog_enable(skel->progs.attach_count, !kill);
	prog_enable(skel->progs.deny_alloc, deny);
	prog_enable(skel->progs.deny_free, deny);
	prog_enable(skel->progs.task_release, release);
	ret = bpf_map__set_max_entries(skel->maps.task_records, cap->records);
	/* No slots: the map still needs one entry to load. */
	if (!ret)
		ret = bpf_map__set_max_entries(skel->maps.task_slots, 1u << cap->slot_shift);
	skel->rodata->task_slot_shift = cap->slot_shift;
	if (!ret)
		ret = pidguard_bpf__load(skel);
	if (ret) {
		pidguard_bpf__destroy(skel);
		return ret < 0 ? ret : -EINVAL;
	}
	*out = skel;
	return 0;
}

static int pin_all(struct pidguard_bpf *skel, char *err, size_t errlen)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[256];
	int ret;

	if (mkdir(paths__pin_dir(), 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", paths__pin_dir(), strerror(errno));
		return -errno;
	}
	chmod(paths__pin_dir(), 0700);

	bpf_object__for_each_map(map, skel->obj) {
		/* .rodata/.bss live with the programs that use them. */
		if (bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", paths__pin_dir(), bpf_map__name(map));
		ret = bpf_map__pin(map, path);
		if (ret) {
			snprintf(err, errlen, "cannot pin map %s: %s", path, strerror(-ret));
			return ret;
		}
	}

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		if (prog == skel->progs.reconcile || prog == skel->progs.zombie_gc ||
		    prog == skel->progs.record_gc || prog == skel->progs.slot_gc) {
			/* Iterators run on demand (run, limit): pin the program. */
			snprintf(path, sizeof(path), "%s/prog_%s", paths__pin_dir(),
				 bpf_program__name(prog));
			ret = bpf_program__pin(prog, path);
			if (ret) {
				snprintf(err, errlen, "cannot pin %s: %s", path, strerror(-ret));
				return ret;
			}
			continue;
		}
		link = bpf_program__attach(prog);
		if (!link) {
			ret = -errno;
			snprintf(err, errlen, "cannot attach %s: %s", bpf_program__name(prog),
				 strerror(-ret));
			return ret;
		}
		snprintf(path, sizeof(path), "%s/link_%s", paths__pin_dir(), bpf_program__name(prog));
		ret = bpf_link__pin(link, path);
		/* The pin holds the link; our handle can go either way. */
		bpf_link__destroy(link);
		if (ret) {
			snprintf(err, errlen, "cannot pin link %s: %s", path, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int fds_from_skel(struct pg_loader *l)
{
	l->limits_fd = bpf_map__fd(l->skel->maps.limits);
	l->usage_fd = bpf_map__fd(l->skel->maps.usage);
	l->settings_fd = bpf_map__fd(l->skel->maps.settings);
	l->stats_fd = bpf_map__fd(l->skel->maps.stats);
	l->events_fd = bpf_map__fd(l->skel->maps.events);
	l->reconcile_fd = bpf_program__fd(l->skel->progs.reconcile);
	l->zombies_fd = bpf_map__fd(l->skel->maps.zombies);
	l->zombie_gc_fd = bpf_program__fd(l->skel->progs.zombie_gc);
	l->records_fd = bpf_map__fd(l->skel->maps.task_records);
	l->record_gc_fd = bpf_program__fd(l->skel->progs.record_gc);
	l->slots_fd = bpf_map__fd(l->skel->maps.task_slots);
	l->slot_gc_fd = bpf_program__fd(l->skel->progs.slot_gc);
	return 0;
}

static const char *mode_word(__u32 mode)
{
	return mode == PG_MODE_DENY ? "deny" : mode == PG_MODE_KILL ? "kill" : "flag";
}

int loader__load(struct pg_loader *l, enum pg_mode_req req, __u32 *mode, char *why, size_t whylen,
		 char *err, size_t errlen)
{
	struct pg_probe probe;
	struct pg_config cfg = {};
	char deny_why[384] = "", kill_why[768] = "";
	bool want_deny, have_deny = false, kill, release;
	struct record_capacity cap;
	int ret;

	memset(l, 0, sizeof(*l));
	l->limits_fd = l->usage_fd = l->settings_fd = l->stats_fd = l->events_fd = -1;
	l->reconcile_fd = l->zombies_fd = l->zombie_gc_fd = -1;
	l->records_fd = l->record_gc_fd = l->slots_fd = l->slot_gc_fd = -1;
	ret = record_capacity_get(&cap, err, errlen);
	if (ret)
		return ret;
	libbpf_set_print(libbpf_print);
	loader__probe(&probe);
	kill = probe.kill;
	/* PIDGUARD_NO_RELEASE_HOOK=1: take the fallback (the zombie index,
	 * no reap hook) even where release_task could be
	 * hooked, so that the VM harness proves that path, deny mode
	 * included, on a kernel with trampolines. */
	release = !env_flag("PIDGUARD_NO_RELEASE_HOOK") && release_hook_works();
	if (!kill)
		snprintf(kill_why, sizeof(kill_why),
			 "kill needs the bpf_send_signal_task kfunc (Linux 6.13+), absent here");

	want_deny = req == PG_REQ_DENY || req == PG_REQ_AUTO;
	if (want_deny && probe.lsm_list_known && !probe.lsm_listed) {
		snprintf(deny_why, sizeof(deny_why),
			 "deny needs the BPF LSM, which is not in the active LSM list (%s); boot "
			 "with lsm=...,bpf",
			 probe.lsm_list);
		want_deny = false;
	}

	ret = -EINVAL;
	if (want_deny) {
		ret = open_and_load(kill, true, release, &cap, &l->skel);
		if (ret == 0) {
			have_deny = true;
		} else {
			snprintf(deny_why, sizeof(deny_why),
				 "deny needs BPF LSM programs, and this kernel refused to load "
				 "lsm/task_alloc (%s)",
				 strerror(-ret));
		}
	}
	if (!have_deny) {
		ret = open_and_load(kill, false, release, &cap, &l->skel);
		if (ret && kill) {
			snprintf(kill_why, sizeof(kill_why),
				 "kill programs failed to load (%s: %s)", strerror(-ret),
				 libbpf_last_error);
			kill = false;
			ret = open_and_load(false, false, release, &cap, &l->skel);
		}
		if (ret) {
			snprintf(err, errlen, "cannot load the BPF programs: %s (%s)",
				 strerror(-ret), libbpf_last_error);
			return ret;
		}
	}

	switch (req) {
	case PG_REQ_DENY:
		if (!have_deny) {
			snprintf(err, errlen, "--mode deny is not available: %s", deny_why);
			loader__close(l);
			return -EOPNOTSUPP;
		}
		*mode = PG_MODE_DENY;
		snprintf(why, whylen, "requested with --mode deny");
		break;
	case PG_REQ_KILL:
		if (!kill) {
			snprintf(err, errlen, "--mode kill is not available: %s", kill_why);
			loader__close(l);
			return -EOPNOTSUPP;
		}
		*mode = PG_MODE_KILL;
		snprintf(why, whylen, "requested with --mode kill");
		break;
	case PG_REQ_FLAG:
		*mode = PG_MODE_FLAG;
		snprintf(why, whylen, "requested with --mode flag");
		break;
	case PG_REQ_AUTO:
	default:
		if (have_deny) {
			*mode = PG_MODE_DENY;
			snprintf(why, whylen, "auto: the BPF LSM is available, forks past the "
					      "limit fail with EAGAIN");
		} else if (kill) {
			*mode = PG_MODE_KILL;
			snprintf(why, whylen, "auto: %s; kill is the strongest left", deny_why);
		} else {
			*mode = PG_MODE_FLAG;
			snprintf(why, whylen, "auto: %s; %s; only flag is left", deny_why,
				 kill_why);
		}
		break;
	}

	fds_from_skel(l);
	cfg.mode = *mode;
	cfg.caps = (kill ? PG_CAP_KILL : 0) | (have_deny ? PG_CAP_DENY : 0) |
		   (release ? PG_CAP_REAP_AT_RELEASE : 0);
	cfg.events_per_sec = 20;
	cfg.warn_pct = 80;
	ret = loader__settings_set(l, &cfg);
	if (ret) {
		snprintf(err, errlen, "cannot write settings: %s", strerror(-ret));
		loader__close(l);
		return ret;
	}
	ret = pin_all(l->skel, err, errlen);
	if (ret) {
		/* Leave nothing half-pinned behind. */
		char ignored[64];

		loader__unpin_all(ignored, sizeof(ignored));
		loader__close(l);
		return ret;
	}
	return 0;
}

static int obj_get(const char *name, int *fd, char *err, size_t errlen)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", paths__pin_dir(), name);
	*fd = bpf_obj_get(path);
	if (*fd < 0) {
		int e = errno;

		/* The pins exist (settings is there), this one does not: an
		 * older version pinned them, or someone removed it. */
		if (e == ENOENT) {
			snprintf(err, errlen,
				 "%s is not pinned: the state at %s was pinned by another "
				 "version of pidguard, or partly removed; `pidguard stop` "
				 "ends that instance (any version can), then start this one",
				 path, paths__pin_dir());
			return -EPROTO;
		}
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

/*
 * A pinned map that userspace reads and writes must have this build's
 * layout. Pins left by another version of pidguard (upgraded without
 * `pidguard stop`) may hold other structs: reading them would show garbage
 * in the fields one side lacks, and writing would copy past our struct.
 * -EPROTO, with a message that says what to do, on a mismatch.
 */
static int pinned_layout_check(int fd, const char *name, __u32 key_size, __u32 value_size,
			       char *err, size_t errlen)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		int e = errno;

		snprintf(err, errlen, "cannot read the layout of %s/%s: %s", paths__pin_dir(), name,
			 strerror(e));
		return -e;
	}
	if (info.key_size == key_size && info.value_size == value_size)
		return 0;
	snprintf(err, errlen,
		 "%s/%s was pinned by another version of pidguard (entries of %u+%u bytes, this "
		 "version's are %u+%u); `pidguard stop` ends that instance (any version can), then "
		 "start this one",
		 paths__pin_dir(), name, info.key_size, info.value_size, key_size, value_size);
	return -EPROTO;
}

int loader__open_pinned(struct pg_loader *l, char *err, size_t errlen)
{
	int ret;

	memset(l, 0, sizeof(*l));
	l->limits_fd = l->usage_fd = l->settings_fd = l->stats_fd = l->events_fd = -1;
	l->reconcile_fd = l->zombies_fd = l->zombie_gc_fd = -1;
	l->records_fd = l->record_gc_fd = l->slots_fd = l->slot_gc_fd = -1;
	l->adopted = true;
	if (!loader__pinned()) {
		snprintf(err, errlen, "pidguard is not loaded (nothing pinned at %s); start it "
				      "with `sudo pidguard run`",
			 paths__pin_dir());
		return -ENOENT;
	}
	if ((ret = obj_get("limits", &l->limits_fd, err, errlen)) ||
	    (ret = obj_get("usage", &l->usage_fd, err, errlen)) ||
	    (ret = obj_get("settings", &l->settings_fd, err, errlen)) ||
	    (ret = obj_get("stats", &l->stats_fd, err, errlen)) ||
	    (ret = obj_get("events", &l->events_fd, err, errlen)) ||
	    (ret = obj_get("prog_reconcile", &l->reconcile_fd, err, errlen)) ||
	    (ret = obj_get("zombies", &l->zombies_fd, err, errlen)) ||
	    (ret = obj_get("prog_zombie_gc", &l->zombie_gc_fd, err, errlen)) ||
	    (ret = obj_get("task_records", &l->records_fd, err, errlen)) ||
	    (ret = obj_get("prog_record_gc", &l->record_gc_fd, err, errlen)) ||
	    (ret = obj_get("task_slots", &l->slots_fd, err, errlen)) ||
	    (ret = obj_get("prog_slot_gc", &l->slot_gc_fd, err, errlen)) ||
	    (ret = pinned_layout_check(l->limits_fd, "limits", sizeof(__u64),
				       sizeof(struct pg_limit), err, errlen)) ||
	    (ret = pinned_layout_check(l->usage_fd, "usage", sizeof(__u64),
				       sizeof(struct pg_usage), err, errlen)) ||
	    (ret = pinned_layout_check(l->settings_fd, "settings", sizeof(__u32),
				       sizeof(struct pg_config), err, errlen)) ||
	    (ret = pinned_layout_check(l->stats_fd, "stats", sizeof(__u32),
				       sizeof(struct pg_stats), err, errlen))) {
		loader__close(l);
		return ret;
	}
	return 0;
}

int loader__settings_get(const struct pg_loader *l, struct pg_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(l->settings_fd, &zero, cfg) ? -errno : 0;
}

int loader__settings_set(const struct pg_loader *l, const struct pg_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(l->settings_fd, &zero, cfg, BPF_ANY) ? -errno : 0;
}

int loader__set_mode(const struct pg_loader *l, __u32 mode, char *err, size_t errlen)
{
	struct pg_config cfg;
	int ret = loader__settings_get(l, &cfg);

	if (ret) {
		snprintf(err, errlen, "cannot read settings: %s", strerror(-ret));
		return ret;
	}
	if ((mode == PG_MODE_DENY && !(cfg.caps & PG_CAP_DENY)) ||
	    (mode == PG_MODE_KILL && !(cfg.caps & PG_CAP_KILL))) {
		snprintf(err, errlen, "the pinned programs cannot do %s mode (they run %s); "
				      "`pidguard stop` first, then run again",
			 mode_word(mode), mode_word(cfg.mode));
		return -EOPNOTSUPP;
	}
	cfg.mode = mode;
	return loader__settings_set(l, &cfg);
}

/* Run an iterator program to completion (it prints nothing: reading drives
 * it over every task, or over every element of map_fd when >= 0). */
static int iter_run(int prog_fd, int map_fd)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	union bpf_iter_link_info info = {};
	int link_fd, iter_fd, ret = 0;
	char buf[64];
	ssize_t n;

	if (map_fd >= 0) {
		info.map.map_fd = map_fd;
		opts.iter_info = &info;
		opts.iter_info_len = sizeof(info);
	}
	link_fd = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, &opts);
	if (link_fd < 0)
		return -errno;
	iter_fd = bpf_iter_create(link_fd);
	if (iter_fd < 0) {
		ret = -errno;
		close(link_fd);
		return ret;
	}
	while ((n = read(iter_fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		ret = -errno;
	close(iter_fd);
	close(link_fd);
	return ret;
}

int loader__reconcile(const struct pg_loader *l)
{
	return iter_run(l->reconcile_fd, -1);
}

int loader__collect(const struct pg_loader *l, bool slots)
{
	struct pg_config cfg;
	int ret = iter_run(l->record_gc_fd, l->records_fd);

	if (!ret && slots)
		ret = iter_run(l->slot_gc_fd, l->slots_fd);
	if (!ret)
		ret = loader__settings_get(l, &cfg);
	if (ret)
		return ret;
	/* With release_task hooked, the zombie index stays empty: nothing to
	 * walk. Entries are released on their second sighting, one pass
	 * later; zombie_gc numbers its passes in settings.gc_pass itself, so
	 * that this, run every second, never writes settings. */
	if (cfg.caps & PG_CAP_REAP_AT_RELEASE)
		return 0;
	return iter_run(l->zombie_gc_fd, l->zombies_fd);
}

int loader__unpin_all(char *err, size_t errlen)
{
	struct dirent *de;
	char path[512];
	int removed = 0;
	DIR *dir;

	dir = opendir(paths__pin_dir());
	if (!dir) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open %s: %s", paths__pin_dir(), strerror(errno));
		return -errno;
	}
	/* Links first, so that enforcement stops before its maps go. */
	for (int pass = 0; pass < 2; pass++) {
		rewinddir(dir);
		while ((de = readdir(dir))) {
			bool is_link = !strncmp(de->d_name, "link_", 5);

			if (de->d_name[0] == '.' || is_link != (pass == 0))
				continue;
			snprintf(path, sizeof(path), "%s/%s", paths__pin_dir(), de->d_name);
			if (unlink(path) == 0)
				removed++;
		}
	}
	closedir(dir);
	if (rmdir(paths__pin_dir()) && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", paths__pin_dir(), strerror(errno));
		return -errno;
	}
	return removed;
}

void loader__close(struct pg_loader *l)
{
	if (l->skel) {
		pidguard_bpf__destroy(l->skel);
		l->skel = NULL;
	} else {
		int *fds[] = { &l->limits_fd, &l->usage_fd,  &l->settings_fd,
			       &l->stats_fd,  &l->events_fd, &l->reconcile_fd,
			       &l->zombies_fd, &l->zombie_gc_fd, &l->records_fd,
			       &l->record_gc_fd, &l->slots_fd, &l->slot_gc_fd };

		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
			if (*fds[i] >= 0)
				close(*fds[i]);
		}
	}
	l->limits_fd = l->usage_fd = l->settings_fd = l->stats_fd = l->events_fd = -1;
	l->reconcile_fd = l->zombies_fd = l->zombie_gc_fd = -1;
	l->records_fd = l->record_gc_fd = l->slots_fd = l->slot_gc_fd = -1;
}
