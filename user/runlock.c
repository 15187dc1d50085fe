// SPDX-License-Identifier: GPL-2.0
/*
 * runlock.c - the single-instance lock of `pidguard run`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "paths.h"
#include "runlock.h"

static pid_t read_pid(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n > 0 ? (pid_t)strtol(buf, NULL, 10) : 0;
}

int runlock__acquire_at(const char *path, pid_t *holder)
{
	char buf[32];
	int fd, len;

	*holder = 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		*holder = read_pid(fd);
		close(fd);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, buf, len, 0) != len) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

pid_t runlock__holder_at(const char *path)
{
	pid_t pid;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		/* Nobody holds it. */
		close(fd);
		return 0;
	}
	pid = read_pid(fd);
	close(fd);
	return pid;
}

int runlock__acquire(pid_t *holder)
{
	mkdir("/run", 0755);
	return runlock__acquire_at(paths__runlock(), holder);
}

pid_t runlock__holder(void)
{
	return runlock__holder_at(paths__runlock());
}
