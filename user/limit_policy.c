// SPDX-License-Identifier: GPL-2.0
/*
 * limit_policy.c - the first-match-wins choice of a container's limit.
 *
 * Numbers from Docker and compose files follow Docker's meaning (0 and -1
 * are unlimited); the label follows --limit's syntax ("none" or 1..max),
 * since an operator writes it for pidguard. A count above the kernel's
 * PID_MAX_LIMIT (4194304) can never be reached, so it limits nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

#include "pidguard.h"
#include "limit_policy.h"

const char *limit_policy__source_name(enum limit_source source)
{
	switch (source) {
	case LIMIT_SRC_CLI:
		return "--limit";
	case LIMIT_SRC_LABEL:
		return "label";
	case LIMIT_SRC_COMPOSE:
		return "compose file";
	case LIMIT_SRC_HOSTCONFIG:
		return "HostConfig.PidsLimit";
	case LIMIT_SRC_DEFAULT:
		return "--default-limit";
	case LIMIT_SRC_NONE:
		break;
	}
	return "none";
}

int limit_policy__parse_label(const char *value, __u32 *max)
{
	return cli__parse_limit(value, max) ? -EINVAL : 0;
}

bool limit_policy__target_matches(const char *target, const struct docker_container *c)
{
	size_t n = strlen(target), i;

	if (!n)
		return false;
	if (c->name[0] && !strcmp(target, c->name))
		return true;
	if (n < 12 || n > DOCKER_ID_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((target[i] >= '0' && target[i] <= '9') ||
		      (target[i] >= 'a' && target[i] <= 'f')))
			return false;
	return !strncmp(target, c->id, n);
}

/* Docker's number to pidguard's: <= 0 and unreachable counts are "none". */
static __u32 docker_count(int64_t v)
{
	return v <= 0 || v > PG_PID_MAX_LIMIT ? PG_NO_LIMIT : (__u32)v;
}

static void set(struct limit_decision *out, enum limit_source source, __u32 max)
{
	out->source = source;
	out->max = max;
	snprintf(out->source_text, sizeof(out->source_text), "%s",
		 limit_policy__source_name(source));
}

static void warn_once(struct limit_decision *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Only the first skipped source is told: it is the one that mattered. */
static void warn_once(struct limit_decision *out, const char *fmt, ...)
{
	va_list ap;

	if (out->warning[0])
		return;
	va_start(ap, fmt);
	vsnprintf(out->warning, sizeof(out->warning), fmt, ap);
	va_end(ap);
}

static bool from_compose(const struct limit_policy *p, const struct docker_container *c,
			 struct limit_decision *out)
{
	const struct compose_service *s;
	const char *key;
	int64_t limit;
	size_t i;

	if (!c->compose_project[0] || !c->compose_service[0])
		return false;
	for (i = 0; i < p->nr_compose; i++) {
		s = compose__find(&p->compose[i], c->compose_project, c->compose_service);
		if (!s)
			continue;
		if (!compose__service_limit(s, &limit, &key)) {
			if (s->problem[0])
				warn_once(out, "compose file %s: %s: ignored", p->compose[i].path,
					  s->problem);
			continue;
		}
		set(out, LIMIT_SRC_COMPOSE, docker_count(limit));
		snprintf(out->source_text, sizeof(out->source_text), "compose file %s",
			 p->compose[i].path);
		snprintf(out->detail, sizeof(out->detail), "service %s, %s: %lld", s->name, key,
			 (long long)limit);
		return true;
	}
	return false;
}

void limit_policy__decide(const struct limit_policy *p, const struct docker_container *c,
			  struct limit_decision *out)
{
	__u32 max;
	size_t i;

	memset(out, 0, sizeof(*out));
	set(out, LIMIT_SRC_NONE, PG_NO_LIMIT);

	/* The last --limit for a container wins, as options usually do. */
	for (i = p->nr_cli; i-- > 0;) {
		if (limit_policy__target_matches(p->cli[i].target, c)) {
			set(out, LIMIT_SRC_CLI, p->cli[i].max);
			snprintf(out->detail, sizeof(out->detail), "--limit %.256s",
				 p->cli[i].target);
			return;
		}
	}

	if (c->has_limit_label) {
		if (!limit_policy__parse_label(c->limit_label, &max)) {
			set(out, LIMIT_SRC_LABEL, max);
			snprintf(out->detail, sizeof(out->detail), DOCKER_LABEL_LIMIT "=%.64s",
				 c->limit_label);
			return;
		}
		warn_once(out, "label " DOCKER_LABEL_LIMIT "=\"%.64s\" is not a limit "
			  "(1 to 4194304, or none): ignored", c->limit_label);
	}

	if (from_compose(p, c, out))
		return;

	if (c->has_pids_limit && docker_count(c->pids_limit) != PG_NO_LIMIT) {
		set(out, LIMIT_SRC_HOSTCONFIG, docker_count(c->pids_limit));
		snprintf(out->detail, sizeof(out->detail), "docker run --pids-limit %lld",
			 (long long)c->pids_limit);
		return;
	}

	if (p->default_limit) {
		set(out, LIMIT_SRC_DEFAULT, p->default_limit);
		return;
	}
}
