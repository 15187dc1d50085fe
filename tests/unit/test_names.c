// SPDX-License-Identifier: GPL-2.0
/*
 * test_names.c - the container table file that `run` publishes for
 * `status` and `limit`: line format, hostile labels, atomic rewrite, and
 * finding a container by name or short id.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/types.h>
#include "pidguard.h"
#include "names.h"
#include "paths.h"

#define ID_A "84fa972a703494de35a9c14ee155f68d99a106e2c5da9b842a42810c87a743d0"
#define ID_B "84fa972a7034ffffffffffffffffffffffffffffffffffffffffffffffffffff"

static struct pg_container_ref ref(const char *id, const char *name, __u64 cg_id, __u32 limit)
{
	struct pg_container_ref r;

	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", id);
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.cg_id = cg_id;
	r.limit = limit;
	return r;
}

static void test_line_roundtrip(void **state)
{
	struct pg_container_ref a = ref(ID_A, "web", 4242, 25), b;
	char line[2048];

	(void)state;
	strcpy(a.project, "shop");
	strcpy(a.service, "web");
	strcpy(a.source, "compose file");
	strcpy(a.comp_case, "predates");
	strcpy(a.sentence, "Declared 25 (compose file), not enforced.");
	assert_true(names__format_line(&a, line, sizeof(line)) > 0);
	assert_string_equal(line, "4242\t" ID_A "\tweb\tshop\tweb\t25\tcompose file\tpredates\t"
			    "Declared 25 (compose file), not enforced.\n");
	assert_int_equal(names__parse_line(line, &b), 0);
	assert_int_equal(b.cg_id, 4242);
	assert_string_equal(b.id, ID_A);
	assert_string_equal(b.project, "shop");
	assert_int_equal(b.limit, 25);
	assert_string_equal(b.sentence, a.sentence);

	/* Empty fields and "none". */
	a = ref(ID_A, "db", 7, PG_NO_LIMIT);
	assert_true(names__format_line(&a, line, sizeof(line)) > 0);
	assert_string_equal(line, "7\t" ID_A "\tdb\t-\t-\tnone\t-\t-\t-\n");
	assert_int_equal(names__parse_line(line, &b), 0);
	assert_int_equal(b.limit, PG_NO_LIMIT);
	assert_string_equal(b.project, "");
	assert_string_equal(b.sentence, "");

	assert_int_equal(names__format_line(&a, line, 10), -ENOSPC);
}

/* A label cannot add a field or a line. */
static void test_hostile_fields(void **state)
{
	struct pg_container_ref a = ref(ID_A, "web", 1, 5), b;
	char line[2048];

	(void)state;
	strcpy(a.project, "p\tq\n9\t" ID_B);
	strcpy(a.service, "\x1b[0m");
	assert_true(names__format_line(&a, line, sizeof(line)) > 0);
	assert_null(strchr(line, '\n') + 1 == line + strlen(line) ? NULL : line);
	assert_int_equal(names__parse_line(line, &b), 0);
	assert_string_equal(b.project, "p?q?9?" ID_B);
	assert_string_equal(b.service, "?[0m");
}

static void test_bad_lines(void **state)
{
	struct pg_container_ref b;

	(void)state;
	assert_int_equal(names__parse_line("", &b), -EINVAL);
	assert_int_equal(names__parse_line("x\t" ID_A "\tweb\t-\t-\t5\t-\t-\t-\n", &b), -EINVAL);
	assert_int_equal(names__parse_line("0\t" ID_A "\tweb\t-\t-\t5\t-\t-\t-\n", &b), -EINVAL);
	assert_int_equal(names__parse_line("1\t" ID_A "\tweb\t-\t-\t5x\t-\t-\t-\n", &b), -EINVAL);
	assert_int_equal(names__parse_line("1\t" ID_A "\tweb\t-\t-\t5\t-\t-\n", &b), -EINVAL);
	assert_int_equal(names__parse_line("1\t" ID_A "\tweb\t-\t-\t5\t-\t-\t-\textra\n", &b),
			 -EINVAL);
	assert_int_equal(names__parse_line("1\t-\tweb\t-\t-\t5\t-\t-\t-\n", &b), -EINVAL);
	assert_int_equal(names__parse_line("1\t" ID_A "\tweb\t-\t-\t5\t-\t-\t-\n", &b), 0);
}

static void test_write_read(void **state)
{
	char dir[] = "/tmp/pg-names-XXXXXX", path[128], tmp[140];
	struct pg_container_ref refs[2] = { ref(ID_A, "web", 10, 25), ref(ID_B, "db", 11, 7) };
	struct pg_container_ref *got;
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/containers", dir);
	assert_int_equal(names__read(path, &got), 0);	/* no file: no names */
	assert_null(got);
	assert_int_equal(names__write(path, refs, 2), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_not_equal(access(tmp, F_OK), 0);
	assert_int_equal(names__read(path, &got), 2);
	assert_string_equal(got[1].name, "db");
	free(got);
	/* Rewritten smaller: the old content is gone. */
	assert_int_equal(names__write(path, refs, 1), 0);
	assert_int_equal(names__read(path, &got), 1);
	free(got);
	/* A file of another version is no names, not an error. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# pidguard containers v9\n1\tx\n", f);
	fclose(f);
	assert_int_equal(names__read(path, &got), 0);
	free(got);
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s/sub", dir);
	rmdir(tmp);
	rmdir(dir);
}

static void test_find(void **state)
{
	struct pg_container_ref refs[3] = {
		ref(ID_A, "web", 10, 25), ref(ID_B, "db", 11, 7), ref(ID_B, "84fa972a7034", 12, 1),
	};
	bool amb;

	(void)state;
	assert_int_equal(names__find_cg(refs, 3, 11)->limit, 7);
	assert_null(names__find_cg(refs, 3, 99));
	assert_string_equal(names__find_target(refs, 2, "web", &amb)->id, ID_A);
	assert_false(amb);
	assert_string_equal(names__find_target(refs, 2, "84fa972a703494", &amb)->name, "web");
	assert_string_equal(names__find_target(refs, 2, ID_B, &amb)->name, "db");
	/* 12 digits shared by both: ambiguous. */
	assert_null(names__find_target(refs, 2, "84fa972a7034", &amb));
	assert_true(amb);
	/* ... unless a container has that name: names win, as in docker. */
	assert_int_equal(names__find_target(refs, 3, "84fa972a7034", &amb)->cg_id, 12);
	assert_null(names__find_target(refs, 2, "84fa97", &amb));	/* too short */
	assert_false(amb);
	assert_null(names__find_target(refs, 2, "84FA972A703494", &amb));
	assert_null(names__find_target(refs, 2, "", &amb));
	assert_null(names__find_target(refs, 2, "nope", &amb));
}

/* Each instance (PIDGUARD_PIN_DIR) has its own table. */
static void test_path_per_instance(void **state)
{
	char err[256];

	(void)state;
	assert_string_equal(names__path(), PG_NAMES_PATH);
	setenv("PIDGUARD_PIN_DIR", "/sys/fs/bpf/pgtest-9", 1);
	assert_int_equal(paths__init(err, sizeof(err)), 0);
	assert_string_equal(names__path(), "/run/pgtest-9/containers");
	unsetenv("PIDGUARD_PIN_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_roundtrip),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_path_per_instance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
