// SPDX-License-Identifier: GPL-2.0
/*
 * docker_cgroup.c - map a container to its cgroup.
 *
 * /proc/<pid>/cgroup is asked first because it is what the kernel says,
 * whatever the daemon's configuration (a daemon-wide cgroup-parent, which
 * inspect does not show, or a runc that placed a relative parent under its
 * own cgroup). The pid comes from an inspect that may be stale by the time
 * we read /proc, so the path must name the container's id, or the pid has
 * been reused and the rules decide. The rules are those of moby
 * (daemon/oci_linux.go: "/docker" or "system.slice" as default parent,
 * "docker" as scope prefix) and runc (systemd slice expansion).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "docker_cgroup.h"

/* An absolute path: "/", or '/'-separated components that are not empty,
 * "." or "..", without control bytes. */
static bool clean_abs(const char *p, size_t n)
{
	size_t i, start = 1;

	if (!n || p[0] != '/')
		return false;
	if (n == 1)
		return true;
	for (i = 1; i <= n; i++) {
		if (i < n && (unsigned char)p[i] < 0x20)
			return false;
		if (i < n && p[i] != '/')
			continue;
		if (i == start || (i - start == 1 && p[start] == '.') ||
		    (i - start == 2 && p[start] == '.' && p[start + 1] == '.'))
			return false;
		start = i + 1;
	}
	return true;
}

static bool has_controller(const char *list, size_t n, const char *name)
{
	size_t i = 0, start = 0, len = strlen(name);

	for (i = 0; i <= n; i++) {
		if (i == n || list[i] == ',') {
			if (i - start == len && !memcmp(list + start, name, len))
				return true;
			start = i + 1;
		}
	}
	return false;
}

int docker_cgroup__parse_proc(const char *text, size_t len, struct docker_cgroup_paths *out)
{
	const char *line = text, *end = text + len, *nl, *c1, *c2;
	size_t plen;
	char *dst;

	memset(out, 0, sizeof(*out));
	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		c1 = memchr(line, ':', (size_t)(nl - line));
		if (!c1)
			continue;
		c2 = memchr(c1 + 1, ':', (size_t)(nl - c1 - 1));
		if (!c2)
			continue;
		if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1)
			dst = out->v2;
		else if (has_controller(c1 + 1, (size_t)(c2 - c1 - 1), "pids"))
			dst = out->pids_v1;
		else
			continue;
		plen = (size_t)(nl - c2 - 1);
		if (dst[0] || plen >= DOCKER_CG_PATH_MAX || !clean_abs(c2 + 1, plen))
			continue;
		memcpy(dst, c2 + 1, plen);
		dst[plen] = '\0';
	}
	return out->v2[0] || out->pids_v1[0] ? 0 : -ENOENT;
}

int docker_cgroup__from_pid(const char *proc_root, int pid, struct docker_cgroup_paths *out)
{
	char path[512], buf[8192];
	ssize_t n;
	size_t len = 0;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%d/cgroup", proc_root ? proc_root : "/proc", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0) {
			ret = -errno;
			close(fd);
			return ret;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	return docker_cgroup__parse_proc(buf, len, out);
}

bool docker_cgroup__trim_to_container(char *path, const char *id)
{
	size_t idlen = strlen(id), clen;
	char *comp = path, *slash;

	if (!idlen)
		return false;
	while (*comp) {
		if (*comp == '/') {
			comp++;
			continue;
		}
		slash = strchr(comp, '/');
		clen = slash ? (size_t)(slash - comp) : strlen(comp);
		if ((clen == idlen && !memcmp(comp, id, idlen)) ||
		    (clen == idlen + 13 && !memcmp(comp, "docker-", 7) &&
		     !memcmp(comp + 7, id, idlen) && !memcmp(comp + 7 + idlen, ".scope", 6))) {
			comp[clen] = '\0';
			return true;
		}
		comp += clen;
	}
	return false;
}

int docker_cgroup__expand_slice(const char *slice, char *out, size_t len)
{
	static const char suffix[] = ".slice";
	size_t n = strlen(slice), name_len, o = 0, i, start;
	const size_t slen = sizeof(suffix) - 1;

	if (n <= slen || strcmp(slice + n - slen, suffix) || strchr(slice, '/'))
		return -EINVAL;
	name_len = n - slen;
	if (name_len == 1 && slice[0] == '-') {
		if (len < 2)
			return -ENAMETOOLONG;
		strcpy(out, "/");
		return 0;
	}
	/* "a-b-c" -> "/a.slice/a-b.slice/a-b-c.slice"; no empty component. */
	for (i = 0, start = 0; i <= name_len; i++) {
		if (i < name_len && slice[i] != '-')
			continue;
		if (i == start)
			return -EINVAL;
		if (o + 1 + i + slen >= len)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, slice, i);
		o += i;
		memcpy(out + o, suffix, slen);
		o += slen;
		start = i + 1;
	}
	out[o] = '\0';
	return 0;
}

int docker_cgroup__from_rules(enum docker_cgroup_driver driver, const char *cgroup_parent,
			      const char *id, char *out, size_t len, bool *certain)
{
	const char *parent = cgroup_parent && *cgroup_parent ? cgroup_parent : NULL;
	char base[DOCKER_CG_PATH_MAX], joined[DOCKER_CG_PATH_MAX];
	size_t i, o = 0;
	int n, ret;

	*certain = true;
	if (!docker_json__valid_id(id))
		return -EINVAL;
	switch (driver) {
	case DOCKER_CGDRIVER_NONE:
		return -ENOTSUP;
	case DOCKER_CGDRIVER_SYSTEMD:
		ret = docker_cgroup__expand_slice(parent ? parent : "system.slice", base,
						  sizeof(base));
		if (ret)
			return ret;
		n = snprintf(out, len, "%s/docker-%s.scope", strcmp(base, "/") ? base : "", id);
		return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	case DOCKER_CGDRIVER_CGROUPFS:
	case DOCKER_CGDRIVER_UNKNOWN:
		break;
	}
	if (!parent)
		parent = "/docker";
	*certain = parent[0] == '/';
	n = snprintf(joined, sizeof(joined), "/%s/%s", parent, id);
	if (n < 0 || (size_t)n >= sizeof(joined))
		return -ENAMETOOLONG;
	/* Collapse "//" and a trailing '/', as Go's filepath.Join does. */
	for (i = 0; joined[i]; i++) {
		if (joined[i] == '/' && o && out[o - 1] == '/')
			continue;
		if (o + 1 >= len)
			return -ENAMETOOLONG;
		out[o++] = joined[i];
	}
	out[o] = '\0';
	return clean_abs(out, o) ? 0 : -EINVAL;
}

static const char *driver_name(enum docker_cgroup_driver d)
{
	switch (d) {
	case DOCKER_CGDRIVER_CGROUPFS:
		return "cgroupfs";
	case DOCKER_CGDRIVER_SYSTEMD:
		return "systemd";
	case DOCKER_CGDRIVER_NONE:
		return "none";
	case DOCKER_CGDRIVER_UNKNOWN:
		break;
	}
	return "unknown (cgroupfs assumed)";
}

int docker_cgroup__resolve(const char *proc_root, const char *cg2_root,
			   const struct docker_info *info, const struct docker_container *c,
			   struct docker_cgroup_where *out, char *err, size_t errlen)
{
	enum docker_cgroup_driver driver = info ? info->cgroup_driver : DOCKER_CGDRIVER_UNKNOWN;
	struct docker_cgroup_paths proc;
	char rule[DOCKER_CG_PATH_MAX], full[DOCKER_CG_PATH_MAX + 4096];
	bool pids_from_proc = false;
	struct stat st;
	int ret;

	memset(out, 0, sizeof(*out));
	out->certain = true;
	if (c->running && c->pid > 0) {
		ret = docker_cgroup__from_pid(proc_root, c->pid, &proc);
		if (ret) {
			snprintf(out->note, sizeof(out->note), "/proc/%d/cgroup: %s", c->pid,
				 strerror(-ret));
		} else {
			if (proc.pids_v1[0] &&
			    docker_cgroup__trim_to_container(proc.pids_v1, c->id)) {
				memcpy(out->paths.pids_v1, proc.pids_v1, sizeof(proc.pids_v1));
				pids_from_proc = true;
			}
			if (proc.v2[0] && docker_cgroup__trim_to_container(proc.v2, c->id)) {
				memcpy(out->paths.v2, proc.v2, sizeof(proc.v2));
				out->how = DOCKER_CG_FROM_PROC;
				return 0;
			}
			if (proc.v2[0])
				snprintf(out->note, sizeof(out->note),
					 "pid %d is in %.120s, not in container %.12s", c->pid,
					 proc.v2, c->id);
			else
				snprintf(out->note, sizeof(out->note),
					 "pid %d has no cgroup v2 line", c->pid);
		}
	} else {
		snprintf(out->note, sizeof(out->note), "container is not running");
	}

	ret = docker_cgroup__from_rules(driver, c->cgroup_parent, c->id, rule, sizeof(rule),
					&out->certain);
	if (ret) {
		snprintf(err, errlen, "container %.12s: no cgroup layout for driver %s and "
			 "CgroupParent \"%.200s\": %s", c->id, driver_name(driver),
			 c->cgroup_parent, strerror(-ret));
		return ret;
	}
	out->how = DOCKER_CG_FROM_RULES;
	memcpy(out->paths.v2, rule, sizeof(rule));
	if (!pids_from_proc)
		memcpy(out->paths.pids_v1, rule, sizeof(rule));
	if (cg2_root && *cg2_root) {
		snprintf(full, sizeof(full), "%s%s", cg2_root, rule);
		if (stat(full, &st))
			ret = -errno;
		else if (!S_ISDIR(st.st_mode))
			ret = -ENOTDIR;
		if (ret) {
			snprintf(err, errlen, "container %.12s: no cgroup at %.300s (driver %s, "
				 "CgroupParent \"%.200s\"; %s)", c->id, full, driver_name(driver),
				 c->cgroup_parent, out->note);
			return ret;
		}
	}
	return 0;
}
