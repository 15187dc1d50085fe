// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - operator messages, text or JSON.
 */
#include <stdarg.h>
#include <stdio.h>

#include "json_writer.h"
#include "log.h"

static bool log_json;

void log__set_json(bool json)
{
	log_json = json;
}

static void log_text(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "pidguard: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log__info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_text("", fmt, ap);
	va_end(ap);
}

void log__warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_text("warning: ", fmt, ap);
	va_end(ap);
}

void log__error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
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
