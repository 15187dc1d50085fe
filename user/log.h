/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - messages for the operator. Text goes to stderr as
 * "pidguard: ..."; with --json, errors are also a JSON object on stdout
 * ({"error": "..."}, as bpftool does) so that scripts see them in the stream
 * they parse.
 */
#ifndef PG_LOG_H
#define PG_LOG_H

#include <stdbool.h>

void log__set_json(bool json);
void log__info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log__warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log__error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
