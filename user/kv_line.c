// SPDX-License-Identifier: GPL-2.0
/*
 * kv_line.c - key=value lines whose values cannot forge fields (kv_line.h).
 */
#include <inttypes.h>
#include <string.h>

#include "kv_line.h"

/* Bytes that force quotes: anything a reader would split or trip on. */
static bool needs_quotes(unsigned char c)
{
	return c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '=';
}

void kv_line__value(FILE *f, const char *value, size_t max)
{
	const unsigned char *s = (const unsigned char *)(value ? value : "");
	size_t len = strnlen((const char *)s, max), i;
	bool quote = len == 0;

	for (i = 0; i < len && !quote; i++)
		quote = needs_quotes(s[i]);
	if (!quote) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < ' ' || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void key(struct kv_line *l, const char *name)
{
	if (l->started)
		fputc(' ', l->f);
	l->started = true;
	fprintf(l->f, "%s=", name);
}

void kv_line__strn(struct kv_line *l, const char *name, const char *value, size_t max)
{
	key(l, name);
	kv_line__value(l->f, value, max);
}

void kv_line__str(struct kv_line *l, const char *name, const char *value)
{
	kv_line__strn(l, name, value, SIZE_MAX);
}

void kv_line__uint(struct kv_line *l, const char *name, __u64 value)
{
	key(l, name);
	fprintf(l->f, "%" PRIu64, (uint64_t)value);
}

void kv_line__bool(struct kv_line *l, const char *name, bool value)
{
	key(l, name);
	fputs(value ? "true" : "false", l->f);
}
