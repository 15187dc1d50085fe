// SPDX-License-Identifier: GPL-2.0
/* test_suppression.c - suppressed events are reported once, and all of them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "suppression.h"

#define SEC 1000000000ull

static void test_event_carries_count(void **state)
{
	struct suppression s = {};

	(void)state;
	assert_int_equal(suppression__on_event(&s, 0, 1 * SEC), 0);
	assert_int_equal(suppression__on_event(&s, 7, 2 * SEC), 7);
	assert_int_equal(s.reported, 7);
	/* Kernel total 7: nothing left to summarize. */
	assert_int_equal(suppression__on_tick(&s, 7, 10 * SEC), 0);
}

static void test_summary_waits_for_quiet(void **state)
{
	struct suppression s = {};

	(void)state;
	suppression__on_event(&s, 0, 5 * SEC);
	/* 30 suppressed, but the last event was 0.5 s ago: not yet. */
	assert_int_equal(suppression__on_tick(&s, 30, 5 * SEC + SEC / 2), 0);
	assert_int_equal(suppression__on_tick(&s, 30, 6 * SEC + 1), 30);
	/* Told once only. */
	assert_int_equal(suppression__on_tick(&s, 30, 9 * SEC), 0);
}

static void test_event_after_summary_not_repeated(void **state)
{
	struct suppression s = {};

	(void)state;
	suppression__on_event(&s, 0, 1 * SEC);
	assert_int_equal(suppression__on_tick(&s, 30, 3 * SEC), 30);
	/* The kernel still holds those 30 as pending, plus 2 new ones. */
	assert_int_equal(suppression__on_event(&s, 32, 4 * SEC), 2);
	assert_int_equal(s.reported, 32);
	/* And the next event starts from zero again. */
	assert_int_equal(suppression__on_event(&s, 5, 5 * SEC), 5);
	assert_int_equal(s.reported, 37);
}

static void test_total_matches_kernel(void **state)
{
	struct suppression s = {};
	__u64 told = 0, kernel_total = 0, pending = 0;

	(void)state;
	/* A storm: bursts of suppressions, events now and then, quiet gaps. */
	for (int round = 0; round < 50; round++) {
		__u64 now = (__u64)round * SEC / 2;
		__u64 burst = (round * 7) % 11;

		kernel_total += burst;
		pending += burst;
		if (round % 3 == 0) {
			told += suppression__on_event(&s, pending, now);
			pending = 0;
		}
		told += suppression__on_tick(&s, kernel_total, now + SEC / 4);
	}
	told += suppression__on_tick(&s, kernel_total, 1000 * SEC);
	assert_int_equal(told, kernel_total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_carries_count),
		cmocka_unit_test(test_summary_waits_for_quiet),
		cmocka_unit_test(test_event_after_summary_not_repeated),
		cmocka_unit_test(test_total_matches_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
