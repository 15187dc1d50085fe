// SPDX-License-Identifier: GPL-2.0
/*
 * compose.c - read pids limits from compose files with libyaml.
 *
 * The file is loaded as a libyaml document (a node graph), not walked as an
 * event stream: aliases then resolve to their anchored node for free, and
 * since shared nodes are never copied a "billion laughs" file costs
 * nothing. `<<` merge keys (common in compose files: `<<: *defaults`) are
 * followed by the lookup, with a depth bound against alias cycles.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "compose.h"

#define MERGE_DEPTH	16
/*
 * libyaml 0.2.5 has no nesting limit, and its scanner does work in
 * proportion to the flow depth for every token: a file of 20000 `[` takes
 * 40 s to load (found by tests/fuzz/fuzz_compose). No compose file nests a
 * dozen levels deep, so a first pass over the events refuses deeper files
 * before the document is built.
 */
#define COMPOSE_MAX_DEPTH	64

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
	return -EINVAL;
}

void compose__normalize_project(const char *raw, char *out, size_t len)
{
	size_t o = 0;
	char ch;

	if (!len)
		return;
	for (; *raw && o + 1 < len; raw++) {
		ch = (char)tolower((unsigned char)*raw);
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')
			out[o++] = ch;
	}
	out[o] = '\0';
	if (!o)
		snprintf(out, len, "default");
}

static bool scalar_is(yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       !memcmp(n->data.scalar.value, s, n->data.scalar.length);
}

/*
 * Value of key in mapping node m, following `<<` merges (a mapping or a
 * sequence of mappings, keys of m itself first). NULL when absent.
 */
static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *m, const char *key, int depth)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	yaml_node_t *merge = NULL, *v, *k;

	if (!m || m->type != YAML_MAPPING_NODE || depth > MERGE_DEPTH)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(doc, p->key);
		if (scalar_is(k, key))
			return yaml_document_get_node(doc, p->value);
		if (scalar_is(k, "<<"))
			merge = yaml_document_get_node(doc, p->value);
	}
	if (!merge)
		return NULL;
	if (merge->type == YAML_MAPPING_NODE)
		return map_get(doc, merge, key, depth + 1);
	if (merge->type == YAML_SEQUENCE_NODE) {
		for (it = merge->data.sequence.items.start; it < merge->data.sequence.items.top;
		     it++) {
			v = map_get(doc, yaml_document_get_node(doc, *it), key, depth + 1);
			if (v)
				return v;
		}
	}
	return NULL;
}

/*
 * A pids value: a decimal integer, plain or quoted (Compose accepts "25").
 * Returns 1 with *out set, 0 for null (`pids_limit:` or `~`: not set), -1
 * for anything else with a reason in problem.
 */
static int read_pids(yaml_node_t *n, const char *key, int64_t *out, char *problem, size_t len)
{
	char buf[32];
	const char *s;
	char *end;
	long long v;

	if (!n)
		return 0;
	if (n->type != YAML_SCALAR_NODE) {
		snprintf(problem, len, "%s is not a number", key);
		return -1;
	}
	s = (const char *)n->data.scalar.value;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!n->data.scalar.length || !strcmp(s, "~") || !strcmp(s, "null") ||
	     !strcmp(s, "Null") || !strcmp(s, "NULL")))
		return 0;
	if (strchr(s, '$')) {
		snprintf(problem, len, "%s \"%.40s\": variables are not expanded", key, s);
		return -1;
	}
	if (n->data.scalar.length >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n->data.scalar.length + 1);
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || *end || isspace((unsigned char)buf[0]))
		goto bad;
	*out = v;
	return 1;
bad:
	snprintf(problem, len, "%s \"%.40s\" is not an integer", key, s);
	return -1;
}

static void read_service(yaml_document_t *doc, yaml_node_t *svc, struct compose_service *s)
{
	char problem[sizeof(s->problem)];
	yaml_node_t *limits;
	int ret;

	if (!svc || svc->type != YAML_MAPPING_NODE)
		return;		/* `web:` with nothing under it */
	ret = read_pids(map_get(doc, svc, "pids_limit", 0), "pids_limit", &s->pids_limit,
			s->problem, sizeof(s->problem));
	s->has_pids_limit = ret == 1;

	limits = map_get(doc, map_get(doc, map_get(doc, svc, "deploy", 0), "resources", 0),
			 "limits", 0);
	ret = read_pids(map_get(doc, limits, "pids", 0), "deploy.resources.limits.pids",
			&s->deploy_pids, problem, sizeof(problem));
	s->has_deploy_pids = ret == 1;
	if (ret < 0 && !s->problem[0])	/* the first problem is the one shown */
		memcpy(s->problem, problem, sizeof(s->problem));
}

static int yaml_error(const yaml_parser_t *parser, char *err, size_t errlen)
{
	return fail(err, errlen, "line %zu column %zu: %s%s%s", parser->problem_mark.line + 1,
		    parser->problem_mark.column + 1, parser->problem ? parser->problem : "YAML error",
		    parser->context ? " " : "", parser->context ? parser->context : "");
}

/*
 * The first pass: the first document's events, refused when collections nest
 * deeper than COMPOSE_MAX_DEPTH. Syntax errors are reported here, with the
 * message the loader would give.
 */
static int check_depth(const char *text, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, ret = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return fail(err, errlen, "out of memory for the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = yaml_error(&parser, err, errlen);
			break;
		}
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > COMPOSE_MAX_DEPTH) {
				ret = fail(err, errlen, "line %zu column %zu: nested deeper than %d levels",
					   ev.start_mark.line + 1, ev.start_mark.column + 1,
					   COMPOSE_MAX_DEPTH);
				done = true;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_DOCUMENT_END_EVENT:	/* the loader reads the first document only */
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ret;
}

int compose__parse(const char *text, size_t len, const char *dir_name, struct compose_file *out,
		   char *err, size_t errlen)
{
	yaml_node_t *root, *services, *name, *k;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_pair_t *p;
	size_t i = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	ret = check_depth(text, len, err, errlen);
	if (ret)
		return ret;
	if (!yaml_parser_initialize(&parser))
		return fail(err, errlen, "out of memory for the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		ret = yaml_error(&parser, err, errlen);
		yaml_parser_delete(&parser);
		return ret;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		ret = fail(err, errlen, "the file is empty");
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		ret = fail(err, errlen, "line %zu: the top level is not a mapping",
			   root->start_mark.line + 1);
		goto out;
	}
	services = map_get(&doc, root, "services", 0);
	if (!services || services->type != YAML_MAPPING_NODE) {
		ret = fail(err, errlen, "no services: mapping (version 1 files are not supported)");
		goto out;
	}

	name = map_get(&doc, root, "name", 0);
	if (name && name->type == YAML_SCALAR_NODE && name->data.scalar.length) {
		compose__normalize_project((const char *)name->data.scalar.value, out->project,
					   sizeof(out->project));
		out->project_from_name = true;
	} else {
		compose__normalize_project(dir_name ? dir_name : "", out->project,
					   sizeof(out->project));
	}

	out->nr_services = (size_t)(services->data.mapping.pairs.top -
				    services->data.mapping.pairs.start);
	if (out->nr_services) {
		out->services = calloc(out->nr_services, sizeof(*out->services));
		if (!out->services) {
			ret = fail(err, errlen, "out of memory for %zu services", out->nr_services);
			out->nr_services = 0;
			goto out;
		}
	}
	for (p = services->data.mapping.pairs.start; p < services->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(&doc, p->key);
		if (!k || k->type != YAML_SCALAR_NODE ||
		    k->data.scalar.length >= COMPOSE_NAME_MAX) {
			ret = fail(err, errlen, "line %zu: a service name is not a short string",
				   k ? k->start_mark.line + 1 : 0);
			goto out;
		}
		/* `<<:` directly under services: is not a service. */
		if (scalar_is(k, "<<"))
			continue;
		memcpy(out->services[i].name, k->data.scalar.value, k->data.scalar.length + 1);
		read_service(&doc, yaml_document_get_node(&doc, p->value), &out->services[i]);
		i++;
	}
	out->nr_services = i;
out:
	if (ret)
		compose__free(out);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return ret;
}

int compose__load(const char *path, struct compose_file *out, char *err, size_t errlen)
{
	char msg[384], *abs = NULL, *text = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	abs = realpath(path, NULL);
	if (!abs) {
		ret = -errno;
		fail(err, errlen, "compose file %s: %s", path, strerror(errno));
		return ret;
	}
	f = fopen(abs, "re");
	if (!f) {
		ret = -errno;
		fail(err, errlen, "compose file %s: %s", path, strerror(errno));
		goto out;
	}
	text = malloc(COMPOSE_MAX_FILE + 1);
	if (!text) {
		ret = -ENOMEM;
		fail(err, errlen, "compose file %s: out of memory", path);
		goto out;
	}
	len = fread(text, 1, COMPOSE_MAX_FILE + 1, f);
	if (ferror(f)) {
		ret = -EIO;
		fail(err, errlen, "compose file %s: read error", path);
		goto out;
	}
	if (len > COMPOSE_MAX_FILE) {
		ret = -EFBIG;
		fail(err, errlen, "compose file %s: larger than %u bytes", path, COMPOSE_MAX_FILE);
		goto out;
	}
	/* dirname() edits its argument: abs is not used after this. */
	ret = compose__parse(text, len, basename(dirname(abs)), out, msg, sizeof(msg));
	if (ret) {
		fail(err, errlen, "compose file %s: %s", path, msg);
		goto out;
	}
	snprintf(out->path, sizeof(out->path), "%s", path);
out:
	if (f)
		fclose(f);
	free(text);
	free(abs);
	return ret;
}

void compose__free(struct compose_file *f)
{
	free(f->services);
	f->services = NULL;
	f->nr_services = 0;
}

const struct compose_service *compose__find(const struct compose_file *f, const char *project,
					    const char *service)
{
	size_t i;

	if (!project || !service || strcmp(f->project, project))
		return NULL;
	for (i = 0; i < f->nr_services; i++)
		if (!strcmp(f->services[i].name, service))
			return &f->services[i];
	return NULL;
}

bool compose__service_limit(const struct compose_service *s, int64_t *limit, const char **key)
{
	if (s->has_pids_limit) {
		*limit = s->pids_limit;
		*key = "pids_limit";
		return true;
	}
	if (s->has_deploy_pids) {
		*limit = s->deploy_pids;
		*key = "deploy.resources.limits.pids";
		return true;
	}
	return false;
}
