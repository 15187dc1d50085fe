// SPDX-License-Identifier: GPL-2.0
/*
 * suppression.c - reporting suppressed events exactly once.
 */
#include "suppression.h"

__u64 suppression__on_event(struct suppression *s, __u64 carried, __u64 now_ns)
{
	__u64 shown = carried > s->summarized ? carried - s->summarized : 0;

	/* The event's count covers everything pending in the kernel, which
	 * includes what the summary told: nothing is pending after it. */
	s->summarized = 0;
	s->reported += shown;
	s->last_event_ns = now_ns;
	return shown;
}

__u64 suppression__on_tick(struct suppression *s, __u64 total, __u64 now_ns)
{
	__u64 n;

	if (total <= s->reported || now_ns - s->last_event_ns < PG_SUPPRESSION_QUIET_NS)
		return 0;
	n = total - s->reported;
	s->reported = total;
	s->summarized += n;
	return n;
}
