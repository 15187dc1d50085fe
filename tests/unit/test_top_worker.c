// SPDX-License-Identifier: GPL-2.0
/*
 * test_top_worker.c - the thread that reads top task groups for the event
 * loop: a first ask waits for the answer, a second one within the refresh
 * period takes the cached answer without waiting, an ask that does not
 * wait gets nothing until the thread has read, a gone directory has no
 * group, and more cgroups than slots recycle the least recently asked.
 *
 * The "cgroups" are temporary directories whose cgroup.procs lists this
 * process: the thread reads the real /proc/self of the test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "top_worker.h"

#define SEC 1000000000ull

struct fixture {
	struct top_worker *w;
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[128];
	FILE *fp;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pg-topw-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(p, sizeof(p), "%s/cgroup.procs", f->dir);
	fp = fopen(p, "w");
	if (!fp)
		return -1;
	fprintf(fp, "%d\n", (int)getpid());
	fclose(fp);
	f->w = top_worker__new();
	if (!f->w)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[128];

	top_worker__free(f->w);
	snprintf(p, sizeof(p), "%s/cgroup.procs", f->dir);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_first_ask_waits(void **state)
{
	struct fixture *f = *state;
	struct pg_task_group g;
	char exe[PG_TG_EXE_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	assert_true(n > 0);
	exe[n] = '\0';
	memset(&g, 0, sizeof(g));
	assert_true(top_worker__get(f->w, 42, f->dir, SEC, 5 * SEC, &g));
	assert_int_equal(g.count, 1);
	assert_int_equal(g.newest_pid, getpid());
	assert_string_equal(g.exe, exe);
}

static void test_cached_within_refresh(void **state)
{
	struct fixture *f = *state;
	struct pg_task_group g;

	assert_true(top_worker__get(f->w, 42, f->dir, 60 * SEC, 5 * SEC, &g));
	/* Within the period: no new read is asked for, the answer is at hand. */
	memset(&g, 0, sizeof(g));
	assert_true(top_worker__get(f->w, 42, f->dir, 60 * SEC, 0, &g));
	assert_int_equal(g.count, 1);
}

static void test_no_wait_before_the_read(void **state)
{
	struct fixture *f = *state;
	struct pg_task_group g;
	bool have = false;

	/* A new key asked without waiting: nothing yet, but the read is asked for. */
	assert_false(top_worker__get(f->w, 7, f->dir, SEC, 0, &g));
	for (int i = 0; i < 500 && !have; i++) {
		usleep(10000);
		have = top_worker__get(f->w, 7, f->dir, 60 * SEC, 0, &g);
	}
	assert_true(have);
	assert_int_equal(g.count, 1);
}

static void test_gone_dir_has_none(void **state)
{
	struct fixture *f = *state;
	struct pg_task_group g;

	assert_false(top_worker__get(f->w, 9, "/tmp/pg-topw-no-such-dir", SEC, 5 * SEC, &g));
	assert_false(top_worker__get(f->w, 0, f->dir, SEC, 5 * SEC, &g));	/* 0 is no key */
}

static void test_more_cgroups_than_slots(void **state)
{
	struct fixture *f = *state;
	struct pg_task_group g;

	/* 200 keys through 64 slots: each still gets its answer when it waits. */
	for (__u64 key = 1000; key < 1200; key++) {
		memset(&g, 0, sizeof(g));
		assert_true(top_worker__get(f->w, key, f->dir, SEC, 5 * SEC, &g));
		assert_int_equal(g.count, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_ask_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cached_within_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_wait_before_the_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_dir_has_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_more_cgroups_than_slots, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
