/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - messages for the operator. Text goes to stderr as
 * "pidguard: ..."; with --json, errors are also a JSON object on stdout
 * ({"error": "..."}, as bpftool does) so that scripts see them in the stream
 * they parse. With `run --log syslog`, everything goes to syslog(3) instead
 * (ident pidguard, LOG_PID, facility daemon; journald collects it under a
 * service manager) and nothing to stdout; errors are also written to
 * stderr when it is a terminal, so that whoever started it by hand sees why
 * it stopped.
 */
#ifndef PG_LOG_H
#define PG_LOG_H

#include <stdbool.h>

void log__set_json(bool json);

/* Send messages to syslog from now on (openlog). */
void log__use_syslog(void);
bool log__syslog(void);

void log__info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log__warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log__error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * One line to syslog at priority (LOG_WARNING ...), as is: the caller
 * formats it (event_report's key=value lines). Only after log__use_syslog.
 */
void log__syslog_line(int priority, const char *line);

#endif
