/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compose.h - the pids limits a compose file declares (libyaml).
 *
 * Per service: `pids_limit` and `deploy.resources.limits.pids`, the two
 * places Docker Compose reads a pids limit from, with anchors, aliases and
 * `<<` merge keys followed. The project name is the top-level `name:`,
 * else the file's directory name, both normalised as Compose does
 * (lowercase, characters outside [a-z0-9_-] removed), so that a service
 * matches containers through their com.docker.compose.project and
 * com.docker.compose.service labels.
 */
#ifndef PG_COMPOSE_H
#define PG_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COMPOSE_NAME_MAX	256
#define COMPOSE_MAX_FILE	(4u << 20)	/* bigger files are refused */

struct compose_service {
	char name[COMPOSE_NAME_MAX];		/* the key under services: */
	bool has_pids_limit;			/* pids_limit: N */
	int64_t pids_limit;
	bool has_deploy_pids;			/* deploy.resources.limits.pids: N */
	int64_t deploy_pids;
	/* Not "" when a value was there but unusable, e.g.
	 * "pids_limit \"${PIDS}\": variables are not expanded". */
	char problem[160];
};

struct compose_file {
	char path[4096];			/* as given to compose__load */
	char project[COMPOSE_NAME_MAX];
	bool project_from_name;			/* from `name:`, not the directory */
	struct compose_service *services;	/* malloc'd, in file order */
	size_t nr_services;
};

/*
 * Parse YAML text. dir_name is the base name of the file's directory, for
 * the project name when the file has no `name:`. Returns 0, or -EINVAL
 * with "line L column C: ..." in err for YAML errors and a file whose
 * shape is not a compose file (no services mapping). compose__free after
 * success.
 */
int compose__parse(const char *text, size_t len, const char *dir_name, struct compose_file *out,
		   char *err, size_t errlen);

/* Read path (at most COMPOSE_MAX_FILE bytes) and parse it; err names the
 * file. The directory is taken after resolving path (realpath). */
int compose__load(const char *path, struct compose_file *out, char *err, size_t errlen);

void compose__free(struct compose_file *f);

/* Compose's project name normalisation; "default" when nothing is left. */
void compose__normalize_project(const char *raw, char *out, size_t len);

/* The service of project/service in f, or NULL (project must match f's). */
const struct compose_service *compose__find(const struct compose_file *f, const char *project,
					    const char *service);

/*
 * The limit a service declares: pids_limit, else deploy.resources.limits.pids
 * (key tells which, for reports). false when it declares none.
 */
bool compose__service_limit(const struct compose_service *s, int64_t *limit, const char **key);

#endif
