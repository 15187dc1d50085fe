// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - operator messages: text on stderr, JSON errors on stdout, or
 * syslog (log.h).
 *
 * Messages quote container names, cgroup paths and command-line values,
 * which containers and callers choose: in text (stderr and syslog) control
 * bytes become '?', so that no message can forge a second log line or
 * send escape sequences to the operator's terminal. JSON escapes them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

/* Room for a cgroup path (PATH_MAX) and the words around it. */
#define LOG_MSG_MAX 4608

static void log_text(int priority, const char *prefix, const char *fmt, va_list ap)
{
	char msg[LOG_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	sanitize(msg);
	if (log_to_syslog)
		syslog(priority, "%s", msg);
	else
		fprintf(stderr, "pidguard: %s%s\n", prefix, msg);
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
	char msg[LOG_MSG_MAX], text[LOG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(text, msg, sizeof(text));
	sanitize(text);
	if (log_to_syslog) {
		syslog(LOG_ERR, "%s", text);
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "pidguard: error: %s\n", text);
		return;	/* stdout stays empty in syslog mode */
	}
	fprintf(stderr, "pidguard: error: %s\n", text);
	if (log_json) {	/* the JSON writer escapes what text replaced */
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
