// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - operator messages: text on stderr, JSON errors on stdout, or
 * syslog (log.h).
 *
 * Messages quote container names and cgroup paths, which containers
 * choose: on their way to syslog, control bytes become '?', so that no
 * message can forge a second log line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include "json_writer.h"
#include "log.h"

static bool log_json;
static bool log_to_syslog;

void log__set_json(bool json)
{
	log_json = json;
}

void log__use_syslog(void)
{
	openlog("pidguard", LOG_PID, LOG_DAEMON);
	log_to_syslog = true;
}

bool log__syslog(void)
{
	return log_to_syslog;
}

void log__syslog_line(int priority, const char *line)
{
	syslog(priority, "%s", line);
}

static void sanitize(char *msg)
{
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '?';
}

static void to_syslog(int priority, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	sanitize(msg);
	syslog(priority, "%s", msg);
}

static void log_text(int priority, const char *prefix, const char *fmt, va_list ap)
{
	if (log_to_syslog) {
		to_syslog(priority, fmt, ap);
		return;
	}
	fprintf(stderr, "pidguard: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log__info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_text(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void log__warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_text(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

void log__error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_to_syslog) {
		sanitize(msg);
		syslog(LOG_ERR, "%s", msg);
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "pidguard: error: %s\n", msg);
		return;	/* stdout stays empty in syslog mode */
	}
	fprintf(stderr, "pidguard: error: %s\n", msg);
	if (log_json) {
		json_writer_t *jw = jsonw_new(stdout);

		if (jw) {
			jsonw_start_object(jw);
			jsonw_string_field(jw, "error", msg);
			jsonw_end_object(jw);
			jsonw_destroy(&jw);
		}
	}
	fflush(stdout);
}
