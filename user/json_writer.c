// SPDX-License-Identifier: GPL-2.0
/*
 * json_writer.c - streaming JSON output for -j/--json (after bpftool's
 * json_writer). The writer owns commas, indentation and string escaping, so
 * callers cannot produce invalid JSON whatever text (a task comm, a cgroup
 * name) they pass in. At depth 0 every finished value ends with '\n': one
 * document per line, which is what `pidguard run -j | jq` consumes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "json_writer.h"

struct json_writer {
	FILE *out;
	unsigned int depth;
	bool pretty;
	bool sep;		/* a value precedes in this container: next needs ',' */
	bool after_name;	/* a name was written: the value follows directly */
};

json_writer_t *jsonw_new(FILE *f)
{
	json_writer_t *self;

	if (!f)
		return NULL;
	self = calloc(1, sizeof(*self));
	if (!self)
		return NULL;
	self->out = f;
	return self;
}

void jsonw_destroy(json_writer_t **self)
{
	if (!self || !*self)
		return;
	fflush((*self)->out);
	free(*self);
	*self = NULL;
}

void jsonw_pretty(json_writer_t *self, bool on)
{
	self->pretty = on;
}

static void jsonw_indent(json_writer_t *self)
{
	unsigned int i;

	if (!self->pretty)
		return;
	putc('\n', self->out);
	for (i = 0; i < self->depth; i++)
		fputs("    ", self->out);
}

/* Everything a value needs before it: a comma and, when pretty, a new line. */
static void jsonw_before_value(json_writer_t *self)
{
	if (self->after_name) {
		self->after_name = false;
		return;
	}
	if (self->depth == 0)
		return;
	if (self->sep)
		putc(',', self->out);
	jsonw_indent(self);
}

static void jsonw_after_value(json_writer_t *self)
{
	if (self->depth == 0) {
		/* A complete document: one per line, no comma before the next. */
		putc('\n', self->out);
		self->sep = false;
		return;
	}
	self->sep = true;
}

/* Length of the valid UTF-8 sequence at s, or 0 if the bytes are not one. */
static int utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	int len, i;
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;	/* continuation byte, overlong lead, or > U+10FFFF */
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static void jsonw_puts(json_writer_t *self, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int len;

	putc('"', self->out);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", self->out);
			break;
		case '\\':
			fputs("\\\\", self->out);
			break;
		case '\b':
			fputs("\\b", self->out);
			break;
		case '\f':
			fputs("\\f", self->out);
			break;
		case '\n':
			fputs("\\n", self->out);
			break;
		case '\r':
			fputs("\\r", self->out);
			break;
		case '\t':
			fputs("\\t", self->out);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				/* DEL is legal JSON, but escaped it cannot reach a terminal raw. */
				fprintf(self->out, "\\u%04x", *s);
			} else if (*s < 0x80) {
				putc(*s, self->out);
			} else if ((len = utf8_seq_len(s)) > 0) {
				fwrite(s, 1, len, self->out);
				s += len;
				continue;
			} else {
				/*
				 * Not UTF-8 (a comm is raw bytes): emit the byte as
				 * the code point of the same value, so the output
				 * stays valid JSON and the byte stays recoverable.
				 */
				fprintf(self->out, "\\u%04x", *s);
			}
		}
		s++;
	}
	putc('"', self->out);
}

static void jsonw_begin(json_writer_t *self, int c)
{
	jsonw_before_value(self);
	putc(c, self->out);
	self->depth++;
	self->sep = false;
}

static void jsonw_end(json_writer_t *self, int c)
{
	/* An unbalanced end is a caller bug; refuse it rather than emit junk. */
	if (self->depth == 0)
		return;
	self->depth--;
	if (self->sep)		/* non-empty: close on a line of its own */
		jsonw_indent(self);
	putc(c, self->out);
	self->after_name = false;
	jsonw_after_value(self);
}

void jsonw_start_object(json_writer_t *self)
{
	jsonw_begin(self, '{');
}

void jsonw_end_object(json_writer_t *self)
{
	jsonw_end(self, '}');
}

void jsonw_start_array(json_writer_t *self)
{
	jsonw_begin(self, '[');
}

void jsonw_end_array(json_writer_t *self)
{
	jsonw_end(self, ']');
}

void jsonw_name(json_writer_t *self, const char *name)
{
	jsonw_before_value(self);
	jsonw_puts(self, name ? name : "");
	putc(':', self->out);
	if (self->pretty)
		putc(' ', self->out);
	self->after_name = true;
}

void jsonw_string(json_writer_t *self, const char *value)
{
	if (!value) {
		jsonw_null(self);
		return;
	}
	jsonw_before_value(self);
	jsonw_puts(self, value);
	jsonw_after_value(self);
}

void jsonw_uint(json_writer_t *self, uint64_t value)
{
	jsonw_before_value(self);
	fprintf(self->out, "%" PRIu64, value);
	jsonw_after_value(self);
}

void jsonw_int(json_writer_t *self, int64_t value)
{
	jsonw_before_value(self);
	fprintf(self->out, "%" PRId64, value);
	jsonw_after_value(self);
}

void jsonw_bool(json_writer_t *self, bool value)
{
	jsonw_before_value(self);
	fputs(value ? "true" : "false", self->out);
	jsonw_after_value(self);
}

void jsonw_null(json_writer_t *self)
{
	jsonw_before_value(self);
	fputs("null", self->out);
	jsonw_after_value(self);
}

void jsonw_string_field(json_writer_t *self, const char *name, const char *value)
{
	jsonw_name(self, name);
	jsonw_string(self, value);
}

void jsonw_uint_field(json_writer_t *self, const char *name, uint64_t value)
{
	jsonw_name(self, name);
	jsonw_uint(self, value);
}

void jsonw_int_field(json_writer_t *self, const char *name, int64_t value)
{
	jsonw_name(self, name);
	jsonw_int(self, value);
}

void jsonw_bool_field(json_writer_t *self, const char *name, bool value)
{
	jsonw_name(self, name);
	jsonw_bool(self, value);
}
