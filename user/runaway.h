/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runaway.h - the escalation ladder's policy, pure (no I/O, time passed
 * in): per cgroup, count the over-limit attempts (denied, killed and
 * over_limit events, plus the suppressed ones each carries) in whole
 * seconds. An episode starts when more than RATE attempts a second are
 * seen for SECONDS consecutive seconds: its action is taken then, once.
 * No action repeats within the cool-down after one, even if a new episode
 * starts; an episode ends after SECONDS quiet seconds (RATE or fewer).
 *
 * Defaults, RATE 10 and SECONDS 5: a workload that lives at its limit (a
 * worker pool respawning, a build's job server) meets it a few times a
 * second at most, and a startup burst lasts a second or two. Ten refusals
 * a second for five seconds is 50 or more forks that failed and were
 * tried again anyway: a loop, not a workload. Five seconds is still short
 * next to the damage a loop does meanwhile: none past the limit, which
 * already holds; the ladder is about the CPU it burns and the noise.
 */
#ifndef PG_RUNAWAY_H
#define PG_RUNAWAY_H

#include <stdbool.h>
#include <linux/types.h>

#define PG_RUNAWAY_DEFAULT_RATE		10
#define PG_RUNAWAY_DEFAULT_SECONDS	5
#define PG_RUNAWAY_DEFAULT_COOLDOWN_S	60

enum pg_runaway_action {
	PG_RUNAWAY_NONE = 0,
	PG_RUNAWAY_FREEZE,
	PG_RUNAWAY_TRIM,
	PG_RUNAWAY_RESTART,
	PG_RUNAWAY_KILL,
};

struct runaway_params {
	__u32 rate;		/* attempts a second: more than this is hot */
	__u32 seconds;		/* hot seconds in a row that start an episode */
	__u32 cooldown_s;	/* no second action within this after one */
};

/* Ladder steps taken since run started: the metrics endpoint serves them. */
struct runaway_counts {
	__u64 actions[PG_RUNAWAY_KILL + 1];	/* by action (NONE unused) */
	__u64 cooldowns;			/* episodes that started within a cool-down */
	__u64 ended;				/* episodes ended */
	__u64 enforce;				/* --enforce-in-userspace trims */
};

enum runaway_verdict {
	RUNAWAY_NOTHING = 0,
	RUNAWAY_ACT,		/* an episode started: take the action now */
	RUNAWAY_COOLING,	/* an episode started within the cool-down: no action */
	RUNAWAY_ENDED,		/* the episode ended (SECONDS quiet seconds) */
};

struct runaway_state {
	__u64 sec;		/* the second being counted (monotonic s) */
	__u64 in_sec;		/* attempts in it */
	__u32 hot;		/* hot seconds in a row before it */
	__u32 quiet;		/* quiet seconds in a row before it */
	bool episode;
	bool acted_ever;
	__u64 acted_at_s;	/* when the last action was taken */
	__u64 last_rate;	/* attempts in the last hot second, for the report */
};

/*
 * n attempts at now_ns (monotonic); n = 0 only moves time on (a tick, so
 * that quiet seconds end episodes). At most one verdict per call.
 */
enum runaway_verdict runaway__observe(struct runaway_state *st, const struct runaway_params *p,
				      __u64 now_ns, __u64 n);

/* "none", "freeze", "trim", "restart", "kill"; 0 or -EINVAL. */
int runaway__action_parse(const char *s, enum pg_runaway_action *out);
const char *runaway__action_name(enum pg_runaway_action a);

#endif
