// SPDX-License-Identifier: GPL-2.0
/*
 * test_loader_helpers.c - the pure parts of the loader: the LSM list probe,
 * the warn threshold, and the single-instance run lock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include "limit_store.h"
#include "loader.h"
#include "runlock.h"

static void test_lsm_list(void **state)
{
	(void)state;
	assert_true(loader__lsm_list_has("lockdown,capability,landlock,yama,apparmor,bpf", "bpf"));
	assert_true(loader__lsm_list_has("bpf", "bpf"));
	assert_true(loader__lsm_list_has("bpf,yama\n", "yama"));
	assert_false(loader__lsm_list_has("lockdown,capability,yama,apparmor", "bpf"));
	/* Whole words only. */
	assert_false(loader__lsm_list_has("bpfx,xbpf,bp", "bpf"));
	assert_false(loader__lsm_list_has("", "bpf"));
}

static void test_warn_at(void **state)
{
	(void)state;
	assert_int_equal(limit_store__warn_at(25, 80), 20);
	assert_int_equal(limit_store__warn_at(3, 80), 3);	/* 2.4 rounds up */
	assert_int_equal(limit_store__warn_at(1, 80), 1);
	assert_int_equal(limit_store__warn_at(100, 100), 100);
	assert_int_equal(limit_store__warn_at(10, 1), 1);
	assert_int_equal(limit_store__warn_at(4194304, 80), 3355444);
	/* No limit, no warning; nonsense percentages, none either. */
	assert_int_equal(limit_store__warn_at(PG_NO_LIMIT, 80), 0);
	assert_int_equal(limit_store__warn_at(25, 0), 0);
	assert_int_equal(limit_store__warn_at(25, 101), 0);
}

static void test_runlock(void **state)
{
	char path[] = "/tmp/pg-runlock-test.XXXXXX";
	int pipefd[2], fd, status;
	pid_t child, holder;
	char go;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(runlock__holder_at(path), 0);
	assert_int_equal(pipe(pipefd), 0);

	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pid_t h;

		if (runlock__acquire_at(path, &h) < 0)
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], &go, 1), 1);

	/* Held: a second acquire names the holder, holder_at agrees. */
	assert_int_equal(runlock__acquire_at(path, &holder), -EBUSY);
	assert_int_equal(holder, child);
	assert_int_equal(runlock__holder_at(path), child);

	/* The holder dies: the kernel drops the lock, nothing stale stays. */
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	assert_int_equal(runlock__holder_at(path), 0);
	fd = runlock__acquire_at(path, &holder);
	assert_true(fd >= 0);
	assert_int_equal(runlock__holder_at(path), getpid());
	close(fd);
	close(pipefd[0]);
	close(pipefd[1]);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lsm_list),
		cmocka_unit_test(test_warn_at),
		cmocka_unit_test(test_runlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
