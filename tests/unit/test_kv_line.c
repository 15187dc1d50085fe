// SPDX-License-Identifier: GPL-2.0
/*
 * test_kv_line.c - syslog's key=value lines: plain values bare, anything a
 * reader could split on quoted and escaped, so that a hostile comm or
 * container name can neither add a field nor end the line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "kv_line.h"

static char *value(const char *s, size_t max)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kv_line__value(f, s, max);
	fclose(f);
	return buf;
}

static void expect_kv(const char *in, const char *want)
{
	char *got = value(in, SIZE_MAX);

	assert_string_equal(got, want);
	free(got);
}

static void test_bare(void **state)
{
	(void)state;
	expect_kv("forker", "forker");
	expect_kv("/docker/84fa972a7034", "/docker/84fa972a7034");
	expect_kv("2026-11-25T18:40:28.123Z", "2026-11-25T18:40:28.123Z");
}

static void test_quoted(void **state)
{
	(void)state;
	expect_kv("", "\"\"");
	expect_kv(NULL, "\"\"");
	expect_kv("my app", "\"my app\"");
	expect_kv("a=b", "\"a=b\"");
	expect_kv("say \"hi\"", "\"say \\\"hi\\\"\"");
	expect_kv("back\\slash", "\"back\\\\slash\"");
}

static void test_hostile(void **state)
{
	(void)state;
	/* A comm that tries to add fields and a second line. */
	expect_kv("x pid=1\nkind=denied", "\"x pid=1\\nkind=denied\"");
	expect_kv("\r\t\x1b[2J\x7f", "\"\\r\\t\\x1b[2J\\x7f\"");
	expect_kv("caf\xc3\xa9", "\"caf\\xc3\\xa9\"");
}

/* A task comm fills its 16 bytes without a NUL: max bounds the read. */
static void test_max(void **state)
{
	char comm[16];
	char *got;

	(void)state;
	memcpy(comm, "0123456789abcdef", 16);
	got = value(comm, sizeof(comm));
	assert_string_equal(got, "0123456789abcdef");
	free(got);
}

static void test_line(void **state)
{
	struct kv_line l;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	kv_line__init(&l, f);
	kv_line__str(&l, "kind", "killed");
	kv_line__str(&l, "cgroup", NULL);
	kv_line__uint(&l, "cgroup_id", 18446744073709551615ull);
	kv_line__strn(&l, "comm", "a b\"c", 16);
	kv_line__bool(&l, "graced", true);
	kv_line__bool(&l, "parent_killed", false);
	fclose(f);
	assert_string_equal(buf, "kind=killed cgroup=\"\" cgroup_id=18446744073709551615 "
				 "comm=\"a b\\\"c\" graced=true parent_killed=false");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
