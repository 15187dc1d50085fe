/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_util.h - helpers shared by the libFuzzer harnesses: libFuzzer hands
 * out a byte buffer that is neither NUL-terminated nor split into fields,
 * and the parsers want C strings. Every copy is a fresh malloc of the exact
 * size, so that ASan catches a parser reading one byte past the end.
 */
#ifndef PG_FUZZ_UTIL_H
#define PG_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The input as a C string (cut at its first NUL byte, as a C caller would see it). */
static inline char *fuzz__strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Split the input on NUL bytes into at most max fields, each its own
 * malloc'd string; returns the count. Free with fuzz__free_fields.
 */
static inline int fuzz__split(const uint8_t *data, size_t size, char **fields, int max)
{
	size_t start = 0, i;
	int n = 0;

	for (i = 0; i <= size && n < max; i++) {
		if (i == size || data[i] == '\0') {
			fields[n++] = fuzz__strdup(data + start, i - start);
			start = i + 1;
		}
	}
	return n;
}

static inline void fuzz__free_fields(char **fields, int n)
{
	while (n--)
		free(fields[n]);
}

#endif
