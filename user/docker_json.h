/* SPDX-License-Identifier: GPL-2.0 */
/*
 * docker_json.h - decode Docker Engine API answers (jansson) into plain C
 * structs: /version, /info, /containers/json, /containers/<id>/json and one
 * line of /events. Every field's JSON type is checked; a daemon's bad answer
 * is an error with a message in err, never a crash. No I/O here.
 */
#ifndef PG_DOCKER_JSON_H
#define PG_DOCKER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOCKER_ID_LEN		64	/* full container id: 64 hex digits */
#define DOCKER_NAME_MAX		256	/* container names are far shorter */
#define DOCKER_LABEL_MAX	256	/* the label values we keep */
#define DOCKER_CGPARENT_MAX	1024

/* Label keys pidguard reads. */
#define DOCKER_LABEL_PROJECT	"com.docker.compose.project"
#define DOCKER_LABEL_SERVICE	"com.docker.compose.service"
#define DOCKER_LABEL_LIMIT	"pidguard.pids-limit"
#define DOCKER_LABEL_RUNAWAY	"pidguard.on-runaway"

struct docker_version {
	char api_version[16];		/* "1.41": digits '.' digits, checked */
	char version[64];		/* engine version, for logs */
	unsigned int api_major, api_minor;
};

enum docker_cgroup_driver {
	DOCKER_CGDRIVER_UNKNOWN = 0,
	DOCKER_CGDRIVER_CGROUPFS,
	DOCKER_CGDRIVER_SYSTEMD,
	DOCKER_CGDRIVER_NONE,		/* "none": rootless without cgroups */
};

struct docker_info {
	enum docker_cgroup_driver cgroup_driver;
	int cgroup_version;		/* 1 or 2; 0 when the daemon is silent */
	bool pids_limit_supported;	/* /info "PidsLimit" */
};

struct docker_container {
	char id[DOCKER_ID_LEN + 1];
	char name[DOCKER_NAME_MAX];		/* without the leading '/' */
	char compose_project[DOCKER_LABEL_MAX];	/* "" when no such label */
	char compose_service[DOCKER_LABEL_MAX];
	char limit_label[DOCKER_LABEL_MAX];	/* raw pidguard.pids-limit value */
	bool has_limit_label;
	char runaway_label[16];			/* raw pidguard.on-runaway, "" if none */
	bool has_pids_limit;			/* HostConfig.PidsLimit not null */
	int64_t pids_limit;			/* Docker: 0 or -1 = unlimited */
	char cgroup_parent[DOCKER_CGPARENT_MAX];/* HostConfig.CgroupParent */
	bool running;				/* State.Running */
	int pid;				/* State.Pid, 0 when not running */
};

enum docker_event_action {
	DOCKER_EV_OTHER = 0,	/* create, kill, stop, attach, health_status... */
	DOCKER_EV_START,
	DOCKER_EV_DIE,
	DOCKER_EV_DESTROY,
	DOCKER_EV_UPDATE,
	DOCKER_EV_RENAME,
	DOCKER_EV_EXEC_START,	/* "exec_start: <cmd>": a task migrates in */
};

struct docker_event {
	enum docker_event_action action;
	char action_raw[64];		/* the Action string, cut at 63 bytes */
	char id[DOCKER_ID_LEN + 1];
	char name[DOCKER_NAME_MAX];	/* Actor.Attributes.name, may be "" */
	int64_t time_nano;		/* timeNano, 0 if absent */
};

/* "start" -> DOCKER_EV_START ...; the name for logs of an action. */
const char *docker_json__action_name(enum docker_event_action action);

/* A full 64-hex-digit container id (the only form pidguard trusts). */
bool docker_json__valid_id(const char *id);

/*
 * Each parser takes the body (need not be NUL-terminated) and its length.
 * Returns 0, or -EPROTO with a message in err ("/version: ApiVersion is
 * not a string") when the body is not what the API documents.
 */
int docker_json__parse_version(const char *body, size_t len, struct docker_version *out,
			       char *err, size_t errlen);
int docker_json__parse_info(const char *body, size_t len, struct docker_info *out,
			    char *err, size_t errlen);

/*
 * /containers/json: the ids, in order, in a malloc'd array the caller frees
 * (NULL when *nr is 0). An entry without a valid Id fails the whole list.
 */
int docker_json__parse_list(const char *body, size_t len, char (**ids)[DOCKER_ID_LEN + 1],
			    size_t *nr, char *err, size_t errlen);

int docker_json__parse_inspect(const char *body, size_t len, struct docker_container *out,
			       char *err, size_t errlen);

/*
 * One line of the /events stream. Returns 0 for a container event, 1 for
 * an event of another Type (network, image...: out is not filled), or
 * -EPROTO.
 */
int docker_json__parse_event(const char *line, size_t len, struct docker_event *out,
			     char *err, size_t errlen);

/* The "message" of an error body ({"message":"No such container: x"}),
 * copied to buf; "" when the body has none. */
void docker_json__error_message(const char *body, size_t len, char *buf, size_t buflen);

#endif
