/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_writer.h - a small streaming JSON writer (after bpftool's): the
 * caller opens and closes objects and arrays, the writer places commas and
 * escapes every string (control characters as \u00XX), so untrusted text
 * such as a task's comm can never break the output.
 */
#ifndef PG_JSON_WRITER_H
#define PG_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct json_writer json_writer_t;

json_writer_t *jsonw_new(FILE *f);
void jsonw_destroy(json_writer_t **self);	/* flushes, sets *self = NULL */
void jsonw_pretty(json_writer_t *self, bool on);

void jsonw_start_object(json_writer_t *self);
void jsonw_end_object(json_writer_t *self);	/* at depth 0 also writes '\n' */
void jsonw_start_array(json_writer_t *self);
void jsonw_end_array(json_writer_t *self);	/* at depth 0 also writes '\n' */
void jsonw_name(json_writer_t *self, const char *name);

void jsonw_string(json_writer_t *self, const char *value);
void jsonw_uint(json_writer_t *self, uint64_t value);
void jsonw_int(json_writer_t *self, int64_t value);
void jsonw_bool(json_writer_t *self, bool value);
void jsonw_null(json_writer_t *self);

/* name + value in one call */
void jsonw_string_field(json_writer_t *self, const char *name, const char *value);
void jsonw_uint_field(json_writer_t *self, const char *name, uint64_t value);
void jsonw_int_field(json_writer_t *self, const char *name, int64_t value);
void jsonw_bool_field(json_writer_t *self, const char *name, bool value);

#endif
