// SPDX-License-Identifier: GPL-2.0
/*
 * compensation.c - classify a container's limit against pids.max.
 *
 * The order of the checks is the order of the questions an operator asks:
 * is there a limit at all, can the kernel limit this cgroup, does it, and
 * if it does not, why Docker's limit is missing. "Why" is inferred from
 * HostConfig.PidsLimit: set but absent from the kernel means the daemon
 * dropped it ("PIDs limit discarded"); unset while a compose file declares
 * one means the container was created before the limit (or by a compose
 * that ignored it). The exec case only applies where the kernel enforces:
 * elsewhere the limit is missing altogether, which is the larger problem.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>

#include "pidguard.h"
#include "compensation.h"

const char *compensation__case_name(enum compensation_case kind)
{
	switch (kind) {
	case COMP_NOT_LIMITED:
		return "not_limited";
	case COMP_ENFORCED:
		return "enforced";
	case COMP_BYPASSED_BY_EXEC:
		return "bypassed_by_exec";
	case COMP_KERNEL_LOOSER:
		return "kernel_looser";
	case COMP_DROPPED:
		return "dropped";
	case COMP_PREDATES:
		return "predates";
	case COMP_NO_CONTROLLER:
		return "no_controller";
	case COMP_PIDGUARD_ONLY:
		return "pidguard_only";
	case COMP_UNKNOWN:
		break;
	}
	return "unknown";
}

int compensation__parse_pids_max(const char *text, size_t len, struct compensation_kernel *out)
{
	uint64_t v = 0;
	size_t i;

	out->state = COMP_KERNEL_UNKNOWN;
	out->value = 0;
	if (len && text[len - 1] == '\n')
		len--;
	if (len == 3 && !memcmp(text, "max", 3)) {
		out->state = COMP_KERNEL_MAX;
		return 0;
	}
	if (!len || len > 19)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(text[i] - '0');
	}
	out->state = COMP_KERNEL_VALUE;
	out->value = v;
	return 0;
}

/* 1: read and parsed; 0: no such file; -1: there but unusable. */
static int read_one(const char *dir, struct compensation_kernel *out)
{
	char buf[32];
	ssize_t n;
	int fd;

	if (!dir || !*dir)
		return 0;
	snprintf(out->file, sizeof(out->file), "%s/pids.max", dir);
	fd = open(out->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			out->file[0] = '\0';
			return 0;
		}
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || compensation__parse_pids_max(buf, (size_t)n, out))
		return -1;
	return 1;
}

void compensation__read_kernel(const char *cg2_dir, const char *pids_v1_dir,
			       struct compensation_kernel *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = read_one(cg2_dir, out);
	if (!ret)
		ret = read_one(pids_v1_dir, out);
	if (ret < 0)
		out->state = COMP_KERNEL_UNKNOWN;
	else if (!ret)
		out->state = COMP_KERNEL_NO_CONTROLLER;
}

static void say(struct compensation_result *out, enum compensation_case kind,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(struct compensation_result *out, enum compensation_case kind, const char *fmt, ...)
{
	va_list ap;

	out->kind = kind;
	out->compensates = kind != COMP_NOT_LIMITED && kind != COMP_ENFORCED;
	va_start(ap, fmt);
	vsnprintf(out->sentence, sizeof(out->sentence), fmt, ap);
	va_end(ap);
}

void compensation__classify(const struct compensation_input *in, struct compensation_result *out)
{
	const char *src = in->source_text && *in->source_text
				  ? in->source_text
				  : limit_policy__source_name(in->source);
	const struct compensation_kernel *k = &in->kernel;
	unsigned int n = in->declared;
	char exec[160] = "";

	memset(out, 0, sizeof(*out));
	if (in->exec_tasks)
		snprintf(exec, sizeof(exec), "; %u task%s entered by docker exec, which the "
			 "kernel never refuses", in->exec_tasks, in->exec_tasks == 1 ? "" : "s");

	if (in->declared == PG_NO_LIMIT) {
		say(out, COMP_NOT_LIMITED, "No limit declared (%s): nothing to enforce.", src);
		return;
	}
	switch (k->state) {
	case COMP_KERNEL_UNKNOWN:
		say(out, COMP_UNKNOWN, "Declared %u (%s); pids.max could not be read%s%s, so "
		    "pidguard enforces the limit itself.", n, src, k->file[0] ? " from " : "",
		    k->file);
		return;
	case COMP_KERNEL_NO_CONTROLLER:
		say(out, COMP_NO_CONTROLLER, "Declared %u (%s), not enforced by the kernel: no "
		    "pids controller for this cgroup (cgroup v2 without pids enabled, or rootless "
		    "Docker)%s; pidguard enforces it.", n, src,
		    in->has_pids_limit && in->pids_limit > 0 ? ", so the daemon discarded "
							       "--pids-limit" : "");
		return;
	case COMP_KERNEL_VALUE:
		if (k->value <= n && in->exec_tasks) {
			say(out, COMP_BYPASSED_BY_EXEC, "Declared %u (%s), enforced by the kernel "
			    "(pids.max=%llu) but bypassed%s; pidguard counts those tasks too.", n,
			    src, (unsigned long long)k->value, exec);
			return;
		}
		if (k->value <= n) {
			say(out, COMP_ENFORCED, "Declared %u (%s), enforced by the kernel "
			    "(pids.max=%llu%s).", n, src, (unsigned long long)k->value,
			    k->value < n ? ", stricter" : "");
			return;
		}
		say(out, COMP_KERNEL_LOOSER, "Declared %u (%s), but the kernel enforces only "
		    "pids.max=%llu%s; pidguard enforces %u.", n, src,
		    (unsigned long long)k->value, exec, n);
		return;
	case COMP_KERNEL_MAX:
		break;
	}
	if (in->has_pids_limit && in->pids_limit > 0) {
		say(out, COMP_DROPPED, "Declared %u (%s), not enforced by the kernel "
		    "(pids.max=max) although Docker holds --pids-limit %lld: the daemon "
		    "dropped it (\"PIDs limit discarded\") or it was reset behind Docker's "
		    "back; pidguard enforces it.", n, src, (long long)in->pids_limit);
		return;
	}
	if (in->source == LIMIT_SRC_COMPOSE) {
		say(out, COMP_PREDATES, "Declared %u (%s), not enforced by the kernel "
		    "(pids.max=max): the container has no --pids-limit, so it predates the "
		    "limit (restart, stop/start and up --no-recreate keep an old container) "
		    "or its compose tool ignored it (compose v1 with a v3 file, deploy.* "
		    "outside swarm); pidguard enforces it.", n, src);
		return;
	}
	say(out, COMP_PIDGUARD_ONLY, "Limit %u comes from %s, which Docker does not know; the "
	    "kernel has none (pids.max=max); pidguard enforces it.", n, src);
}
