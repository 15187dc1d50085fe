// SPDX-License-Identifier: GPL-2.0
/*
 * runaway.c - the escalation ladder's policy (see runaway.h): whole-second
 * buckets, a run of hot seconds starts an episode, quiet seconds end it.
 *
 * The current second counts as hot as soon as it passes RATE, not when it
 * closes: the action comes in the SECONDS-th hot second, not a second
 * later. A gap between calls is that many quiet seconds.
 */
#include <errno.h>
#include <string.h>

#include "runaway.h"

#define NS_PER_SEC 1000000000ull

static const char *const action_names[] = {
	[PG_RUNAWAY_NONE] = "none",
	[PG_RUNAWAY_FREEZE] = "freeze",
	[PG_RUNAWAY_TRIM] = "trim",
	[PG_RUNAWAY_RESTART] = "restart",
	[PG_RUNAWAY_KILL] = "kill",
};

int runaway__action_parse(const char *s, enum pg_runaway_action *out)
{
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (s && !strcmp(s, action_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *runaway__action_name(enum pg_runaway_action a)
{
	if ((unsigned int)a < sizeof(action_names) / sizeof(action_names[0]))
		return action_names[a];
	return "?";
}

/* Close the current second and every empty one up to sec. */
static void close_seconds(struct runaway_state *st, const struct runaway_params *p, __u64 sec)
{
	__u64 gap;

	if (st->in_sec > p->rate) {
		st->hot++;
		st->last_rate = st->in_sec;
		st->quiet = 0;
	} else {
		st->hot = 0;
		st->quiet++;
	}
	gap = sec - st->sec - 1;	/* seconds nothing was seen in */
	if (gap) {
		st->hot = 0;
		/* Only reaching SECONDS matters: cap, so that no count wraps. */
		st->quiet += gap > p->seconds ? p->seconds : gap;
	}
	st->sec = sec;
	st->in_sec = 0;
}

enum runaway_verdict runaway__observe(struct runaway_state *st, const struct runaway_params *p,
				      __u64 now_ns, __u64 n)
{
	__u64 sec = now_ns / NS_PER_SEC;
	__u32 seconds = p->seconds ? p->seconds : 1;

	if (sec > st->sec)
		close_seconds(st, p, sec);
	/* A clock read before the last one (two threads' stamps): same second. */
	st->in_sec += n;
	if (st->in_sec > p->rate)
		st->last_rate = st->in_sec;

	if (st->episode) {
		if (st->quiet >= seconds && st->in_sec <= p->rate) {
			st->episode = false;
			return RUNAWAY_ENDED;
		}
		return RUNAWAY_NOTHING;
	}
	if (st->hot + (st->in_sec > p->rate) < seconds)
		return RUNAWAY_NOTHING;
	st->episode = true;
	st->quiet = 0;
	if (st->acted_ever && sec < st->acted_at_s + p->cooldown_s)
		return RUNAWAY_COOLING;
	st->acted_ever = true;
	st->acted_at_s = sec;
	return RUNAWAY_ACT;
}
