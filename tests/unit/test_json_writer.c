// SPDX-License-Identifier: GPL-2.0
/* test_json_writer.c - exact output of the streaming JSON writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "json_writer.h"

struct capture {
	FILE *f;
	char *buf;
	size_t len;
	json_writer_t *jw;
};

static void cap_open(struct capture *c, bool pretty)
{
	memset(c, 0, sizeof(*c));
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	c->jw = jsonw_new(c->f);
	assert_non_null(c->jw);
	jsonw_pretty(c->jw, pretty);
}

/* Finish and compare the whole output with want. */
static void cap_check(struct capture *c, const char *want)
{
	jsonw_destroy(&c->jw);
	assert_null(c->jw);
	fclose(c->f);
	assert_string_equal(c->buf, want);
	free(c->buf);
}

static void test_new_null(void **state)
{
	json_writer_t *jw = NULL;

	(void)state;
	assert_null(jsonw_new(NULL));
	jsonw_destroy(&jw);	/* NULL-safe */
	jsonw_destroy(NULL);
}

static void test_flat_object(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c, false);
	jsonw_start_object(c.jw);
	jsonw_string_field(c.jw, "s", "x");
	jsonw_uint_field(c.jw, "u", UINT64_MAX);
	jsonw_int_field(c.jw, "i", INT64_MIN);
	jsonw_bool_field(c.jw, "t", true);
	jsonw_bool_field(c.jw, "f", false);
	jsonw_name(c.jw, "n");
	jsonw_null(c.jw);
	jsonw_end_object(c.jw);
	cap_check(&c, "{\"s\":\"x\",\"u\":18446744073709551615,"
		      "\"i\":-9223372036854775808,\"t\":true,\"f\":false,\"n\":null}\n");
}

static void test_nested(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c, false);
	jsonw_start_object(c.jw);
	jsonw_name(c.jw, "a");
	jsonw_start_array(c.jw);
	jsonw_uint(c.jw, 1);
	jsonw_start_object(c.jw);
	jsonw_end_object(c.jw);
	jsonw_start_array(c.jw);
	jsonw_end_array(c.jw);
	jsonw_start_object(c.jw);
	jsonw_int_field(c.jw, "x", -1);
	jsonw_name(c.jw, "y");
	jsonw_start_array(c.jw);
	jsonw_string(c.jw, "p");
	jsonw_string(c.jw, "q");
	jsonw_end_array(c.jw);
	jsonw_end_object(c.jw);
	jsonw_end_array(c.jw);
	jsonw_name(c.jw, "b");
	jsonw_start_object(c.jw);
	jsonw_uint_field(c.jw, "c", 2);
	jsonw_end_object(c.jw);
	jsonw_uint_field(c.jw, "d", 3);
	jsonw_end_object(c.jw);
	cap_check(&c, "{\"a\":[1,{},[],{\"x\":-1,\"y\":[\"p\",\"q\"]}],\"b\":{\"c\":2},\"d\":3}\n");
}

static void test_pretty(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c, true);
	jsonw_start_object(c.jw);
	jsonw_string_field(c.jw, "mode", "kill");
	jsonw_name(c.jw, "list");
	jsonw_start_array(c.jw);
	jsonw_uint(c.jw, 1);
	jsonw_start_object(c.jw);
	jsonw_bool_field(c.jw, "b", true);
	jsonw_end_object(c.jw);
	jsonw_end_array(c.jw);
	jsonw_name(c.jw, "empty");
	jsonw_start_object(c.jw);
	jsonw_end_object(c.jw);
	jsonw_end_object(c.jw);
	cap_check(&c, "{\n"
		      "    \"mode\": \"kill\",\n"
		      "    \"list\": [\n"
		      "        1,\n"
		      "        {\n"
		      "            \"b\": true\n"
		      "        }\n"
		      "    ],\n"
		      "    \"empty\": {}\n"
		      "}\n");
}

/* Documents at depth 0 are separated by new lines, never by commas. */
static void test_one_document_per_line(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c, false);
	jsonw_start_object(c.jw);
	jsonw_uint_field(c.jw, "a", 1);
	jsonw_end_object(c.jw);
	jsonw_start_object(c.jw);
	jsonw_uint_field(c.jw, "a", 2);
	jsonw_end_object(c.jw);
	jsonw_start_array(c.jw);
	jsonw_end_array(c.jw);
	jsonw_string(c.jw, "top");
	cap_check(&c, "{\"a\":1}\n{\"a\":2}\n[]\n\"top\"\n");
}

static void test_unbalanced_end_ignored(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c, false);
	jsonw_end_object(c.jw);
	jsonw_end_array(c.jw);
	jsonw_start_array(c.jw);
	jsonw_end_array(c.jw);
	cap_check(&c, "[]\n");
}

static void check_string(const char *in, const char *want)
{
	struct capture c;

	cap_open(&c, false);
	jsonw_string(c.jw, in);
	cap_check(&c, want);
}

static void test_escape_basic(void **state)
{
	(void)state;
	check_string("", "\"\"\n");
	check_string("plain /path", "\"plain /path\"\n");
	check_string("a\"b", "\"a\\\"b\"\n");
	check_string("a\\b", "\"a\\\\b\"\n");
	check_string("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"\n");
	check_string("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"\n");
	check_string(NULL, "null\n");
}

/* A comm crafted to end the string, inject keys and drive a terminal. */
static void test_escape_hostile(void **state)
{
	(void)state;
	check_string("x\",\"kind\":\"ok", "\"x\\\",\\\"kind\\\":\\\"ok\"\n");
	check_string("\x1b[2J\x1b]0;pwn\x07", "\"\\u001b[2J\\u001b]0;pwn\\u0007\"\n");
	check_string("line1\nline2\\n", "\"line1\\nline2\\\\n\"\n");
	check_string("\\u0000", "\"\\\\u0000\"\n");
}

static void test_escape_utf8(void **state)
{
	(void)state;
	/* Valid sequences of 2, 3 and 4 bytes pass through. */
	check_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"\n");
	/* Lone continuation byte, truncated sequence, invalid lead bytes. */
	check_string("a\x80z", "\"a\\u0080z\"\n");
	check_string("\xc3", "\"\\u00c3\"\n");
	check_string("\xe2\x82z", "\"\\u00e2\\u0082z\"\n");
	check_string("\xff\xfe", "\"\\u00ff\\u00fe\"\n");
	/* Overlong '/' and overlong 3-byte form. */
	check_string("\xc0\xaf", "\"\\u00c0\\u00af\"\n");
	check_string("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"\n");
	/* UTF-16 surrogate U+D800 and a code point above U+10FFFF. */
	check_string("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"\n");
	check_string("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"\n");
	/* The largest valid code point. */
	check_string("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"\n");
}

static void test_names_escaped(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c, false);
	jsonw_start_object(c.jw);
	jsonw_uint_field(c.jw, "a\"\n", 1);
	jsonw_uint_field(c.jw, NULL, 2);
	jsonw_end_object(c.jw);
	cap_check(&c, "{\"a\\\"\\n\":1,\"\":2}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_null),
		cmocka_unit_test(test_flat_object),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_one_document_per_line),
		cmocka_unit_test(test_unbalanced_end_ignored),
		cmocka_unit_test(test_escape_basic),
		cmocka_unit_test(test_escape_hostile),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_names_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
