// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.c - turn a TARGET given by an operator into a cgroup v2 directory,
 * its kernfs id (the key of the BPF maps) and its level, and back from an
 * id to a path. TARGETs come from the command line and from Docker, so
 * every check happens after realpath(): a symlink or ".." must not point a
 * limit at something outside the cgroup v2 mount.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>	/* PATH_MAX: -Iuser makes <limits.h> user/limits.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup.h"

/* include/linux/exportfs.h: handles of kernfs nodes carry the 64-bit id. */
#ifndef FILEID_KERNFS
#define FILEID_KERNFS 0xfe
#endif

/* Is path equal to root or below it? (Not merely a string prefix: /a2 vs /a.) */
static bool path_is_under(const char *path, const char *root)
{
	size_t rlen = strlen(root);

	while (rlen > 1 && root[rlen - 1] == '/')
		rlen--;
	if (rlen == 1 && root[0] == '/')
		return path[0] == '/';
	return !strncmp(path, root, rlen) && (path[rlen] == '/' || path[rlen] == '\0');
}

static bool has_dotdot(const char *s)
{
	const char *p = s;

	while ((p = strstr(p, ".."))) {
		if ((p == s || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return true;
		p += 2;
	}
	return false;
}

static bool path_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

int cgroup__resolve_path(const char *cg2_root, const char *target, struct pg_cgroup *out,
			 char *err, size_t errlen)
{
	char root[PATH_MAX], cand[PATH_MAX], real[PATH_MAX], procs[PATH_MAX + 16];
	const char *rel;
	struct stat st;
	int ret, n;

	memset(out, 0, sizeof(*out));
	if (!target || !*target) {
		snprintf(err, errlen, "empty cgroup target");
		return -EINVAL;
	}
	if (strlen(target) >= PG_PATH_MAX) {
		snprintf(err, errlen, "%.64s...: cgroup path longer than %d bytes", target,
			 PG_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	/* Refused outright, even when it would resolve inside: it never needs to be there. */
	if (has_dotdot(target)) {
		snprintf(err, errlen, "%s: '..' is not allowed in a cgroup path", target);
		return -EINVAL;
	}
	if (!cg2_root || !*cg2_root) {
		snprintf(err, errlen, "%s: no cgroup v2 mount", target);
		return -ENOENT;
	}
	if (!realpath(cg2_root, root)) {
		ret = -errno;
		snprintf(err, errlen, "%s: cgroup v2 mount %s: %s", target, cg2_root, strerror(-ret));
		return ret;
	}

	/*
	 * An absolute TARGET under the mount is taken as is; anything else is
	 * relative to the mount, so "docker/x" and "/docker/x" both work.
	 */
	if (target[0] == '/' && (path_is_under(target, cg2_root) || path_is_under(target, root))) {
		n = snprintf(cand, sizeof(cand), "%s", target);
	} else {
		rel = target;
		while (*rel == '/')
			rel++;
		n = snprintf(cand, sizeof(cand), "%s/%s", root, rel);
	}
	if (n < 0 || (size_t)n >= sizeof(cand)) {
		snprintf(err, errlen, "%s: cgroup path longer than %d bytes", target, PG_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}

	if (!realpath(cand, real)) {
		ret = -errno;
		if (ret == -ENOENT && target[0] == '/' && path_exists(target))
			snprintf(err, errlen, "%s: not under the cgroup v2 mount %s", target, root);
		else if (ret == -ENOENT)
			snprintf(err, errlen, "%s: no such cgroup (%s does not exist)", target, cand);
		else
			snprintf(err, errlen, "%s: %s: %s", target, cand, strerror(-ret));
		return ret;
	}
	if (!path_is_under(real, root)) {
		snprintf(err, errlen, "%s: not under the cgroup v2 mount %s (it resolves to %s)",
			 target, root, real);
		return -EXDEV;
	}
	if (stat(real, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s: %s", target, real, strerror(-ret));
		return ret;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s is not a directory, so not a cgroup", target, real);
		return -ENOTDIR;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", real);
	if (access(procs, F_OK)) {
		snprintf(err, errlen, "%s: %s is not a cgroup (no cgroup.procs)", target, real);
		return -EINVAL;
	}

	if (strlen(real) >= sizeof(out->path)) {
		snprintf(err, errlen, "%s: cgroup path longer than %d bytes", target, PG_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	strcpy(out->path, real);
	rel = real + strlen(root);
	if (!strcmp(root, "/"))	/* a cgroup2 mounted on / (containers) */
		rel = real;
	strcpy(out->rel, *rel ? rel : "/");
	out->level = 0;
	for (rel = out->rel; *rel; rel++)
		if (*rel == '/' && rel[1])
			out->level++;
	return 0;
}

int cgroup__resolve(const char *cg2_root, const char *target, struct pg_cgroup *out,
		    char *err, size_t errlen)
{
	int ret;

	ret = cgroup__resolve_path(cg2_root, target, out, err, errlen);
	if (ret)
		return ret;
	ret = cgroup__id(out->path, &out->id);
	if (ret == -EMEDIUMTYPE) {
		snprintf(err, errlen, "%s: %s has no cgroup id (not on a cgroup v2 filesystem)",
			 target, out->path);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "%s: cannot read the cgroup id of %s: %s", target, out->path,
			 strerror(-ret));
		return ret;
	}
	return 0;
}

/* A file_handle with room for any handle (MAX_HANDLE_SZ), suitably aligned. */
union pg_handle {
	struct file_handle fh;
	char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

int cgroup__id(const char *path, __u64 *id)
{
	union pg_handle h;
	int mount_id;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return -errno;
	/*
	 * Other filesystems hand out 8-byte handles too (ext4: inode +
	 * generation); only a kernfs handle is the id BPF sees.
	 */
	if (h.fh.handle_type != FILEID_KERNFS || h.fh.handle_bytes != sizeof(*id))
		return -EMEDIUMTYPE;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

int cgroup__path_of_id(const char *cg2_root, __u64 id, char *buf, size_t len)
{
	static const char deleted[] = " (deleted)";
	char root[PATH_MAX], link[64], target[PATH_MAX];
	union pg_handle h;
	int mount_fd, fd, ret = 0;
	const char *rel;
	ssize_t n;

	if (!realpath(cg2_root, root))
		return -errno;
	mount_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount_fd < 0)
		return -errno;
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(id);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(mount_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = fd < 0 ? -errno : 0;
	close(mount_fd);
	if (ret)	/* kernfs answers ESTALE for an id that is gone */
		return ret == -ESTALE ? -ENOENT : ret;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	close(fd);
	target[n] = '\0';
	/* Removed between the open and the readlink. */
	if ((size_t)n > sizeof(deleted) - 1 && !strcmp(target + n - (sizeof(deleted) - 1), deleted))
		return -ENOENT;
	if (!path_is_under(target, root))
		return -EXDEV;
	rel = strcmp(root, "/") ? target + strlen(root) : target;
	if (!*rel)
		rel = "/";
	if (strlen(rel) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, rel);
	return 0;
}

/* Lines of cgroup.threads in dirfd: -ENOENT if the file is not there. */
static long count_threads_file(int dirfd)
{
	char buf[8192];
	long lines = 0;
	ssize_t n, i;
	int fd, ret = 0;

	fd = openat(dirfd, "cgroup.threads", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	}
	close(fd);
	/* A "domain invalid" cgroup refuses the read; it can hold no task. */
	if (ret == -EOPNOTSUPP)
		return 0;
	return ret ? ret : lines;
}

/*
 * Count dirfd and its descendants. Cgroups come and go while we walk, so
 * in a descendant a vanished directory or file (ENOENT, ENODEV after
 * rmdir) counts as empty; at the top it is an error. Takes dirfd.
 */
static long count_tree(int dirfd, bool top)
{
	struct dirent *de;
	long total, sub;
	DIR *dir;
	int fd;

	total = count_threads_file(dirfd);
	if (total < 0) {
		if (!top && (total == -ENOENT || total == -ENODEV))
			total = 0;
		else
			goto out;
	}
	fd = dup(dirfd);
	if (fd < 0) {
		total = -errno;
		goto out;
	}
	dir = fdopendir(fd);
	if (!dir) {
		total = -errno;
		close(fd);
		goto out;
	}
	while ((de = readdir(dir))) {
		struct stat st;
		int child;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode))
				continue;
		} else if (de->d_type != DT_DIR) {
			continue;
		}
		child = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (child < 0) {
			if (errno == ENOENT || errno == ENODEV)
				continue;
			total = -errno;
			break;
		}
		sub = count_tree(child, false);
		if (sub < 0) {
			total = sub;
			break;
		}
		total += sub;
	}
	closedir(dir);
out:
	close(dirfd);
	return total;
}

long cgroup__count_tasks(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return count_tree(fd, true);
}
