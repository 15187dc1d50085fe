// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_docker_stream.c - the /events stream framing in docker_client.c:
 * newline-delimited JSON that libcurl hands over in chunks cut anywhere,
 * with lines carried across chunks and over-long lines discarded. The
 * framing is a static function (events_write), so this harness includes
 * docker_client.c itself, with the line cap lowered to 64 bytes to reach
 * the discard paths with small inputs. No socket is ever opened: the
 * chunks are fed straight to the write callback, HTTP status 200 preset.
 *
 * The first byte is the chunk size (1..255), or 0: the input is then
 * --docker-host NUL $DOCKER_HOST for docker_client__socket_path.
 *
 * fuzz-sources: user/log.c user/json_writer.c user/docker_json.c
 */
#include "docker_client.h"
#undef DOCKER_MAX_EVENT_LINE
#define DOCKER_MAX_EVENT_LINE 64u
#include "../../user/docker_client.c"
#include "fuzz_util.h"

static struct docker_client *client;

static void log_quiet(void *ctx, const char *msg)
{
	(void)ctx;
	if (strnlen(msg, 4096) == 4096)
		abort();
}

/* Stop at an event named "stop", as a caller that is done would. */
static int on_event(const struct docker_event *ev, void *ctx)
{
	(*(int *)ctx)++;
	return !strcmp(ev->name, "stop");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	client = docker_client__new("/nonexistent/pidguard-fuzz.sock");
	if (!client)
		abort();
	docker_client__set_log(client, log_quiet, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct events_state st = { .c = client, .fn = on_event, .status = 200 };
	char *fields[2] = { NULL }, path[128], err[256], *chunk;
	size_t step, off, len;
	int events = 0, n;

	if (!size)
		return 0;
	if (!data[0]) {
		n = fuzz__split(data + 1, size - 1, fields, 2);
		docker_client__socket_path(fields[0], n > 1 ? fields[1] : NULL, path,
					   sizeof(path), err, sizeof(err));
		fuzz__free_fields(fields, n);
		return 0;
	}
	st.ctx = &events;
	step = data[0];
	for (off = 1; off < size; off += len) {
		len = size - off < step ? size - off : step;
		/* Each chunk its own allocation, as curl's buffer is only valid in the call. */
		chunk = malloc(len);
		if (!chunk)
			abort();
		memcpy(chunk, data + off, len);
		n = (int)events_write(chunk, 1, len, &st);
		free(chunk);
		if ((size_t)n != len)
			break;		/* fn asked to stop */
	}
	free(st.line);
	free(st.error_body.data);
	return 0;
}
