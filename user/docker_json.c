// SPDX-License-Identifier: GPL-2.0
/*
 * docker_json.c - decode Docker Engine API answers with jansson.
 *
 * The daemon is trusted to be Docker, not to be well-behaved: every member
 * is type-checked before use, and strings that decide something (ids,
 * cgroup parents) are rejected when they do not fit instead of being cut.
 * Strings that only label things (names, compose labels) are cut or
 * dropped so that one odd container cannot fail the whole inspection:
 * a container that cannot be inspected would escape its limit.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "docker_json.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

static json_t *load(const char *body, size_t len, const char *what, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;

	if (!body || !len) {
		fail(err, errlen, "%s: empty answer", what);
		return NULL;
	}
	root = json_loadb(body, len, 0, &jerr);
	if (!root)
		fail(err, errlen, "%s: malformed JSON at line %d column %d: %s", what, jerr.line,
		     jerr.column, jerr.text);
	return root;
}

/* Member key of obj when it is an object, else NULL. */
static json_t *member(json_t *obj, const char *key)
{
	return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

/*
 * Copy string member key of obj to dst. Absent or null: dst = "" and 0
 * (or an error if required). Not a string, or longer than size - 1: error.
 */
static int get_string(json_t *obj, const char *key, bool required, char *dst, size_t size,
		      const char *what, char *err, size_t errlen)
{
	json_t *v = member(obj, key);
	size_t n;

	dst[0] = '\0';
	if (!v || json_is_null(v)) {
		if (required)
			return fail(err, errlen, "%s: %s is missing", what, key);
		return 0;
	}
	if (!json_is_string(v))
		return fail(err, errlen, "%s: %s is not a string", what, key);
	n = json_string_length(v);
	if (n >= size)
		return fail(err, errlen, "%s: %s is too long (%zu bytes)", what, key, n);
	if (strlen(json_string_value(v)) != n)
		return fail(err, errlen, "%s: %s contains a NUL byte", what, key);
	memcpy(dst, json_string_value(v), n + 1);
	return 0;
}

/* Copy what fits of a string value; a label value is never worth a failure. */
static void copy_cut(json_t *v, char *dst, size_t size)
{
	snprintf(dst, size, "%s", json_is_string(v) ? json_string_value(v) : "");
}

bool docker_json__valid_id(const char *id)
{
	size_t i;

	for (i = 0; i < DOCKER_ID_LEN; i++)
		if (!isxdigit((unsigned char)id[i]) || isupper((unsigned char)id[i]))
			return false;
	return id[DOCKER_ID_LEN] == '\0';
}

static int get_id(json_t *obj, const char *key, char *dst, const char *what, char *err,
		  size_t errlen)
{
	char buf[DOCKER_ID_LEN + 2];
	int ret;

	ret = get_string(obj, key, true, buf, sizeof(buf), what, err, errlen);
	if (ret)
		return ret;
	if (!docker_json__valid_id(buf))
		return fail(err, errlen, "%s: %s \"%.64s\" is not a 64-digit container id", what,
			    key, buf);
	memcpy(dst, buf, DOCKER_ID_LEN + 1);
	return 0;
}

/* "1.41" -> 1, 41; digits only, no sign, no spaces, at most 4 digits each. */
static bool parse_api_version(const char *s, unsigned int *major, unsigned int *minor)
{
	unsigned int v[2] = { 0, 0 };
	int part = 0, digits = 0;

	for (; *s; s++) {
		if (*s == '.' && part == 0 && digits) {
			part = 1;
			digits = 0;
		} else if (*s >= '0' && *s <= '9' && digits < 4) {
			v[part] = v[part] * 10 + (unsigned int)(*s - '0');
			digits++;
		} else {
			return false;
		}
	}
	if (part != 1 || !digits)
		return false;
	*major = v[0];
	*minor = v[1];
	return true;
}

int docker_json__parse_version(const char *body, size_t len, struct docker_version *out,
			       char *err, size_t errlen)
{
	const char *what = "/version";
	json_t *root;
	int ret;

	memset(out, 0, sizeof(*out));
	root = load(body, len, what, err, errlen);
	if (!root)
		return -EPROTO;
	if (!json_is_object(root)) {
		ret = fail(err, errlen, "%s: answer is not an object", what);
		goto out;
	}
	ret = get_string(root, "ApiVersion", true, out->api_version, sizeof(out->api_version),
			 what, err, errlen);
	if (ret)
		goto out;
	if (!parse_api_version(out->api_version, &out->api_major, &out->api_minor)) {
		ret = fail(err, errlen, "%s: ApiVersion \"%s\" is not MAJOR.MINOR", what,
			   out->api_version);
		goto out;
	}
	/* Only for logs: cut rather than fail. */
	copy_cut(member(root, "Version"), out->version, sizeof(out->version));
out:
	json_decref(root);
	return ret;
}

int docker_json__parse_info(const char *body, size_t len, struct docker_info *out, char *err,
			    size_t errlen)
{
	const char *what = "/info";
	char driver[32], version[8];
	json_t *root, *v;
	int ret;

	memset(out, 0, sizeof(*out));
	root = load(body, len, what, err, errlen);
	if (!root)
		return -EPROTO;
	if (!json_is_object(root)) {
		ret = fail(err, errlen, "%s: answer is not an object", what);
		goto out;
	}
	ret = get_string(root, "CgroupDriver", false, driver, sizeof(driver), what, err, errlen);
	if (ret)
		goto out;
	if (!strcmp(driver, "cgroupfs"))
		out->cgroup_driver = DOCKER_CGDRIVER_CGROUPFS;
	else if (!strcmp(driver, "systemd"))
		out->cgroup_driver = DOCKER_CGDRIVER_SYSTEMD;
	else if (!strcmp(driver, "none"))
		out->cgroup_driver = DOCKER_CGDRIVER_NONE;

	/* A string ("1", "2") since API 1.40; absent before. */
	ret = get_string(root, "CgroupVersion", false, version, sizeof(version), what, err,
			 errlen);
	if (ret)
		goto out;
	if (!strcmp(version, "1"))
		out->cgroup_version = 1;
	else if (!strcmp(version, "2"))
		out->cgroup_version = 2;

	v = member(root, "PidsLimit");
	if (v && !json_is_boolean(v)) {
		ret = fail(err, errlen, "%s: PidsLimit is not a boolean", what);
		goto out;
	}
	out->pids_limit_supported = json_is_true(v);
out:
	json_decref(root);
	return ret;
}

int docker_json__parse_list(const char *body, size_t len, char (**ids)[DOCKER_ID_LEN + 1],
			    size_t *nr, char *err, size_t errlen)
{
	const char *what = "/containers/json";
	char (*out)[DOCKER_ID_LEN + 1] = NULL;
	json_t *root, *entry;
	size_t i, n;
	int ret = 0;

	*ids = NULL;
	*nr = 0;
	root = load(body, len, what, err, errlen);
	if (!root)
		return -EPROTO;
	if (!json_is_array(root)) {
		ret = fail(err, errlen, "%s: answer is not an array", what);
		goto out;
	}
	n = json_array_size(root);
	if (n) {
		out = calloc(n, sizeof(*out));
		if (!out) {
			ret = -ENOMEM;
			snprintf(err, errlen, "%s: out of memory for %zu ids", what, n);
			goto out;
		}
	}
	json_array_foreach(root, i, entry) {
		char where[64];

		snprintf(where, sizeof(where), "%s[%zu]", what, i);
		if (!json_is_object(entry)) {
			ret = fail(err, errlen, "%s: not an object", where);
			goto out;
		}
		ret = get_id(entry, "Id", out[i], where, err, errlen);
		if (ret)
			goto out;
	}
	*ids = out;
	*nr = n;
	out = NULL;
out:
	free(out);
	json_decref(root);
	return ret;
}

/* The labels we use; anything odd about one label only drops that label. */
static void parse_labels(json_t *labels, struct docker_container *out)
{
	json_t *v;

	v = member(labels, DOCKER_LABEL_PROJECT);
	if (json_is_string(v) && json_string_length(v) < sizeof(out->compose_project))
		copy_cut(v, out->compose_project, sizeof(out->compose_project));
	v = member(labels, DOCKER_LABEL_SERVICE);
	if (json_is_string(v) && json_string_length(v) < sizeof(out->compose_service))
		copy_cut(v, out->compose_service, sizeof(out->compose_service));
	v = member(labels, DOCKER_LABEL_LIMIT);
	if (v) {
		/* Present but unusable stays visible, so the policy can say so. */
		out->has_limit_label = true;
		if (json_is_string(v) && json_string_length(v) < sizeof(out->limit_label))
			copy_cut(v, out->limit_label, sizeof(out->limit_label));
		else
			snprintf(out->limit_label, sizeof(out->limit_label),
				 "(not a short string)");
	}
	v = member(labels, DOCKER_LABEL_RUNAWAY);
	/* Anything but a short string is kept as "(invalid)": the sync warns. */
	if (json_is_string(v) && json_string_length(v) < sizeof(out->runaway_label))
		copy_cut(v, out->runaway_label, sizeof(out->runaway_label));
	else if (v)
		snprintf(out->runaway_label, sizeof(out->runaway_label), "(invalid)");
}

int docker_json__parse_inspect(const char *body, size_t len, struct docker_container *out,
			       char *err, size_t errlen)
{
	const char *what = "container inspect";
	json_t *root, *host, *state, *config, *v;
	const char *name;
	int ret;

	memset(out, 0, sizeof(*out));
	root = load(body, len, what, err, errlen);
	if (!root)
		return -EPROTO;
	if (!json_is_object(root)) {
		ret = fail(err, errlen, "%s: answer is not an object", what);
		goto out;
	}
	ret = get_id(root, "Id", out->id, what, err, errlen);
	if (ret)
		goto out;

	v = member(root, "Name");
	if (v && !json_is_string(v)) {
		ret = fail(err, errlen, "%s %.12s: Name is not a string", what, out->id);
		goto out;
	}
	name = v ? json_string_value(v) : "";
	snprintf(out->name, sizeof(out->name), "%s", name[0] == '/' ? name + 1 : name);

	config = member(root, "Config");
	if (config && !json_is_object(config) && !json_is_null(config)) {
		ret = fail(err, errlen, "%s %.12s: Config is not an object", what, out->id);
		goto out;
	}
	v = member(config, "Labels");
	if (v && !json_is_object(v) && !json_is_null(v)) {
		ret = fail(err, errlen, "%s %.12s: Config.Labels is not an object", what, out->id);
		goto out;
	}
	parse_labels(v, out);

	host = member(root, "HostConfig");
	if (!json_is_object(host)) {
		ret = fail(err, errlen, "%s %.12s: HostConfig is %s", what, out->id,
			   host ? "not an object" : "missing");
		goto out;
	}
	v = member(host, "PidsLimit");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v)) {
			ret = fail(err, errlen, "%s %.12s: HostConfig.PidsLimit is not an integer",
				   what, out->id);
			goto out;
		}
		out->has_pids_limit = true;
		out->pids_limit = json_integer_value(v);
	}
	ret = get_string(host, "CgroupParent", false, out->cgroup_parent,
			 sizeof(out->cgroup_parent), "HostConfig", err, errlen);
	if (ret)
		goto out;

	state = member(root, "State");
	if (!json_is_object(state)) {
		ret = fail(err, errlen, "%s %.12s: State is %s", what, out->id,
			   state ? "not an object" : "missing");
		goto out;
	}
	v = member(state, "Running");
	if (!json_is_boolean(v)) {
		ret = fail(err, errlen, "%s %.12s: State.Running is not a boolean", what, out->id);
		goto out;
	}
	out->running = json_is_true(v);
	v = member(state, "Pid");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > INT32_MAX) {
		ret = fail(err, errlen, "%s %.12s: State.Pid is not a pid", what, out->id);
		goto out;
	}
	out->pid = (int)json_integer_value(v);
	if (!out->running)
		out->pid = 0;
out:
	json_decref(root);
	return ret;
}

static const struct {
	const char *name;
	enum docker_event_action action;
} actions[] = {
	{ "start", DOCKER_EV_START },	{ "die", DOCKER_EV_DIE },
	{ "destroy", DOCKER_EV_DESTROY }, { "update", DOCKER_EV_UPDATE },
	{ "rename", DOCKER_EV_RENAME },	{ "exec_start", DOCKER_EV_EXEC_START },
};

const char *docker_json__action_name(enum docker_event_action action)
{
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (actions[i].action == action)
			return actions[i].name;
	return "other";
}

static enum docker_event_action action_of(const char *s)
{
	size_t i, n;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		n = strlen(actions[i].name);
		/* exec_start carries its command: "exec_start: sh -c true" */
		if (!strncmp(s, actions[i].name, n) && (s[n] == '\0' || s[n] == ':'))
			return actions[i].action;
	}
	return DOCKER_EV_OTHER;
}

int docker_json__parse_event(const char *line, size_t len, struct docker_event *out,
			     char *err, size_t errlen)
{
	const char *what = "event";
	json_t *root, *actor, *v;
	char type[32];
	int ret;

	memset(out, 0, sizeof(*out));
	root = load(line, len, what, err, errlen);
	if (!root)
		return -EPROTO;
	if (!json_is_object(root)) {
		ret = fail(err, errlen, "%s: not an object", what);
		goto out;
	}
	ret = get_string(root, "Type", true, type, sizeof(type), what, err, errlen);
	if (ret)
		goto out;
	if (strcmp(type, "container")) {
		ret = 1;
		goto out;
	}
	v = member(root, "Action");
	if (!json_is_string(v)) {
		ret = fail(err, errlen, "%s: Action is %s", what, v ? "not a string" : "missing");
		goto out;
	}
	copy_cut(v, out->action_raw, sizeof(out->action_raw));
	out->action = action_of(json_string_value(v));

	actor = member(root, "Actor");
	if (!json_is_object(actor)) {
		ret = fail(err, errlen, "%s %s: Actor is not an object", what, out->action_raw);
		goto out;
	}
	ret = get_id(actor, "ID", out->id, "event Actor", err, errlen);
	if (ret)
		goto out;
	v = member(member(actor, "Attributes"), "name");
	if (json_is_string(v))
		copy_cut(v, out->name, sizeof(out->name));

	v = member(root, "timeNano");
	if (v && !json_is_integer(v)) {
		ret = fail(err, errlen, "%s: timeNano is not an integer", what);
		goto out;
	}
	out->time_nano = v ? json_integer_value(v) : 0;
out:
	json_decref(root);
	return ret;
}

void docker_json__error_message(const char *body, size_t len, char *buf, size_t buflen)
{
	json_t *root, *v;
	size_t i, o = 0;

	if (!buflen)
		return;
	buf[0] = '\0';
	if (!body || !len)
		return;
	root = json_loadb(body, len, 0, NULL);
	if (root) {
		v = member(root, "message");
		if (json_is_string(v))
			snprintf(buf, buflen, "%s", json_string_value(v));
		json_decref(root);
		if (buf[0])
			goto sanitize;
	}
	/* Not Docker's JSON (a proxy, "404 page not found"): its first line. */
	for (i = 0; i < len && o + 1 < buflen && body[i] != '\n'; i++)
		buf[o++] = body[i];
	buf[o] = '\0';
sanitize:
	/* It goes into a log line: no control bytes. */
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
}
