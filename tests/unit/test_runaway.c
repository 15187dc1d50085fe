// SPDX-License-Identifier: GPL-2.0
/*
 * test_runaway.c - the escalation ladder's policy: an episode needs
 * SECONDS hot seconds in a row, acts once, respects the cool-down, and
 * ends after SECONDS quiet seconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runaway.h"

#define SEC 1000000000ull

static const struct runaway_params defaults = {
	.rate = PG_RUNAWAY_DEFAULT_RATE,
	.seconds = PG_RUNAWAY_DEFAULT_SECONDS,
	.cooldown_s = PG_RUNAWAY_DEFAULT_COOLDOWN_S,
};

/* n attempts in second s, fed one at a time; the last verdict that was not NOTHING. */
static enum runaway_verdict burst(struct runaway_state *st, const struct runaway_params *p,
				  __u64 s, unsigned int n)
{
	enum runaway_verdict v, last = RUNAWAY_NOTHING;

	for (unsigned int i = 0; i < n; i++) {
		v = runaway__observe(st, p, s * SEC + i * (SEC / (n + 1)), 1);
		if (v != RUNAWAY_NOTHING) {
			assert_int_equal(last, RUNAWAY_NOTHING);	/* one verdict per burst */
			last = v;
		}
	}
	return last;
}

static void test_acts_in_the_fifth_hot_second(void **state)
{
	struct runaway_state st = {};

	(void)state;
	for (__u64 s = 100; s < 104; s++)
		assert_int_equal(burst(&st, &defaults, s, 11), RUNAWAY_NOTHING);
	assert_int_equal(burst(&st, &defaults, 104, 11), RUNAWAY_ACT);
	assert_int_equal(st.last_rate, 11);
	/* Once per episode. */
	for (__u64 s = 105; s < 120; s++)
		assert_int_equal(burst(&st, &defaults, s, 50), RUNAWAY_NOTHING);
}

static void test_rate_at_r_is_not_hot(void **state)
{
	struct runaway_state st = {};

	(void)state;
	for (__u64 s = 100; s < 200; s++)
		assert_int_equal(burst(&st, &defaults, s, 10), RUNAWAY_NOTHING);
}

static void test_a_quiet_second_restarts_the_count(void **state)
{
	struct runaway_state st = {};

	(void)state;
	for (__u64 s = 100; s < 104; s++)
		burst(&st, &defaults, s, 20);
	burst(&st, &defaults, 104, 3);		/* quiet */
	for (__u64 s = 105; s < 109; s++)
		assert_int_equal(burst(&st, &defaults, s, 20), RUNAWAY_NOTHING);
	assert_int_equal(burst(&st, &defaults, 109, 20), RUNAWAY_ACT);
}

static void test_a_silent_gap_restarts_the_count(void **state)
{
	struct runaway_state st = {};

	(void)state;
	for (__u64 s = 100; s < 104; s++)
		burst(&st, &defaults, s, 20);
	/* Nothing at all in 104: the next burst starts from zero. */
	for (__u64 s = 105; s < 109; s++)
		assert_int_equal(burst(&st, &defaults, s, 20), RUNAWAY_NOTHING);
	assert_int_equal(burst(&st, &defaults, 109, 20), RUNAWAY_ACT);
}

static void test_suppressed_counts_add_up(void **state)
{
	struct runaway_state st = {};
	enum runaway_verdict v = RUNAWAY_NOTHING;

	(void)state;
	/* One event a second carrying 30 suppressed: 31 attempts a second. */
	for (__u64 s = 100; s < 105; s++)
		v = runaway__observe(&st, &defaults, s * SEC, 31);
	assert_int_equal(v, RUNAWAY_ACT);
	assert_int_equal(st.last_rate, 31);
}

static void test_episode_ends_after_quiet_seconds(void **state)
{
	struct runaway_state st = {};

	(void)state;
	for (__u64 s = 100; s < 105; s++)
		burst(&st, &defaults, s, 20);
	assert_true(st.episode);
	/* Ticks: 105 closes hot 104; 106..109 are quiet seconds 1..4 closed at 110. */
	for (__u64 s = 105; s < 110; s++)
		assert_int_equal(runaway__observe(&st, &defaults, s * SEC, 0), RUNAWAY_NOTHING);
	assert_int_equal(runaway__observe(&st, &defaults, 110 * SEC, 0), RUNAWAY_ENDED);
	assert_false(st.episode);
	assert_int_equal(runaway__observe(&st, &defaults, 111 * SEC, 0), RUNAWAY_NOTHING);
}

static void test_cooldown_holds_a_second_action(void **state)
{
	struct runaway_state st = {};
	__u64 s;

	(void)state;
	for (s = 100; s < 105; s++)
		burst(&st, &defaults, s, 20);
	for (s = 105; s < 115; s++)
		runaway__observe(&st, &defaults, s * SEC, 0);
	assert_false(st.episode);
	/* A second episode at 120..124: within 60 s of the action at 104. */
	for (s = 120; s < 124; s++)
		assert_int_equal(burst(&st, &defaults, s, 20), RUNAWAY_NOTHING);
	assert_int_equal(burst(&st, &defaults, 124, 20), RUNAWAY_COOLING);
	for (s = 125; s < 135; s++)
		runaway__observe(&st, &defaults, s * SEC, 0);
	/* A third at 170..174: the cool-down is over. */
	for (s = 170; s < 174; s++)
		assert_int_equal(burst(&st, &defaults, s, 20), RUNAWAY_NOTHING);
	assert_int_equal(burst(&st, &defaults, 174, 20), RUNAWAY_ACT);
}

static void test_short_seconds_and_rate(void **state)
{
	const struct runaway_params p = { .rate = 2, .seconds = 2, .cooldown_s = 0 };
	struct runaway_state st = {};

	(void)state;
	assert_int_equal(burst(&st, &p, 10, 3), RUNAWAY_NOTHING);
	assert_int_equal(burst(&st, &p, 11, 3), RUNAWAY_ACT);
	/* Cool-down 0: the next episode acts again. */
	runaway__observe(&st, &p, 12 * SEC, 0);
	runaway__observe(&st, &p, 13 * SEC, 0);
	assert_int_equal(runaway__observe(&st, &p, 14 * SEC, 0), RUNAWAY_ENDED);
	assert_int_equal(burst(&st, &p, 20, 3), RUNAWAY_NOTHING);
	assert_int_equal(burst(&st, &p, 21, 3), RUNAWAY_ACT);
}

static void test_action_names(void **state)
{
	enum pg_runaway_action a;

	(void)state;
	assert_int_equal(runaway__action_parse("freeze", &a), 0);
	assert_int_equal(a, PG_RUNAWAY_FREEZE);
	assert_int_equal(runaway__action_parse("kill", &a), 0);
	assert_int_equal(a, PG_RUNAWAY_KILL);
	assert_string_equal(runaway__action_name(PG_RUNAWAY_TRIM), "trim");
	assert_string_equal(runaway__action_name(PG_RUNAWAY_RESTART), "restart");
	assert_int_not_equal(runaway__action_parse("Freeze", &a), 0);
	assert_int_not_equal(runaway__action_parse("", &a), 0);
	assert_int_not_equal(runaway__action_parse(NULL, &a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acts_in_the_fifth_hot_second),
		cmocka_unit_test(test_rate_at_r_is_not_hot),
		cmocka_unit_test(test_a_quiet_second_restarts_the_count),
		cmocka_unit_test(test_a_silent_gap_restarts_the_count),
		cmocka_unit_test(test_suppressed_counts_add_up),
		cmocka_unit_test(test_episode_ends_after_quiet_seconds),
		cmocka_unit_test(test_cooldown_holds_a_second_action),
		cmocka_unit_test(test_short_seconds_and_rate),
		cmocka_unit_test(test_action_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
