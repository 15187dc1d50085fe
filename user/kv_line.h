/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kv_line.h - one line of key=value pairs, logfmt style, for syslog.
 *
 * A value goes bare when it is plain printable ASCII without spaces,
 * quotes, backslashes or '='; otherwise it is double-quoted, with \" \\
 * \n \r \t and \xHH (any other control byte, and every byte >= 0x7f)
 * inside. Values come from containers (task comms, names, labels), so no
 * value can end the line, open a second field, or smuggle an escape
 * sequence to a terminal that displays the log.
 */
#ifndef PG_KV_LINE_H
#define PG_KV_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

struct kv_line {
	FILE *f;
	bool started;		/* a field was written: the next needs a space */
};

static inline void kv_line__init(struct kv_line *l, FILE *f)
{
	l->f = f;
	l->started = false;
}

/* Write value, escaped as above: at most max bytes, or up to its NUL. */
void kv_line__value(FILE *f, const char *value, size_t max);

/* " key=value"; NULL writes an empty quoted value (""). */
void kv_line__str(struct kv_line *l, const char *key, const char *value);
/* The same, for a buffer that fills max bytes without a NUL (task comms). */
void kv_line__strn(struct kv_line *l, const char *key, const char *value, size_t max);
void kv_line__uint(struct kv_line *l, const char *key, __u64 value);
void kv_line__bool(struct kv_line *l, const char *key, bool value);

#endif
