// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_docker_json.c - Docker Engine API answers: a daemon (or whatever
 * listens on the socket) is not trusted to send what the API documents.
 * The first byte picks the decoder (modulo 6: version, info, container
 * list, inspect, one events line, error message); the rest is the body,
 * not NUL-terminated, as the client hands it over.
 *
 * fuzz-sources: user/docker_json.c
 */
#include <stdio.h>
#include "docker_json.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char (*ids)[DOCKER_ID_LEN + 1] = NULL;
	struct docker_container c;
	struct docker_version v;
	struct docker_event ev;
	struct docker_info info;
	char err[512], *body;
	size_t nr = 0, i;
	int which;

	if (!size)
		return 0;
	which = data[0] % 6;
	body = malloc(size - 1 ? size - 1 : 1);
	if (!body)
		abort();
	memcpy(body, data + 1, size - 1);

	switch (which) {
	case 0:
		docker_json__parse_version(body, size - 1, &v, err, sizeof(err));
		break;
	case 1:
		docker_json__parse_info(body, size - 1, &info, err, sizeof(err));
		break;
	case 2:
		if (!docker_json__parse_list(body, size - 1, &ids, &nr, err, sizeof(err))) {
			for (i = 0; i < nr; i++)
				if (!docker_json__valid_id(ids[i]))
					abort();	/* the list promises valid ids */
			free(ids);
		}
		break;
	case 3:
		if (!docker_json__parse_inspect(body, size - 1, &c, err, sizeof(err)) &&
		    (strnlen(c.name, sizeof(c.name)) == sizeof(c.name) ||
		     strnlen(c.cgroup_parent, sizeof(c.cgroup_parent)) == sizeof(c.cgroup_parent)))
			abort();
		break;
	case 4:
		if (!docker_json__parse_event(body, size - 1, &ev, err, sizeof(err)))
			docker_json__action_name(ev.action);
		break;
	default:
		docker_json__error_message(body, size - 1, err, sizeof(err));
		break;
	}
	free(body);
	return 0;
}
