// SPDX-License-Identifier: GPL-2.0
/*
 * pin_keeper.c - hold every pinned object open and pin again what goes
 * missing (see pin_keeper.h for why).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "loader.h"
#include "paths.h"
#include "pin_keeper.h"

int pin_keeper__hold(struct pin_keeper *pk, char *err, size_t errlen)
{
	struct dirent *de;
	char path[512];
	DIR *dir;

	pk->nr = 0;
	dir = opendir(paths__pin_dir());
	if (!dir) {
		snprintf(err, errlen, "cannot open %s: %s", paths__pin_dir(), strerror(errno));
		return -errno;
	}
	while ((de = readdir(dir))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		if (pk->nr == PG_MAX_PINS || strlen(de->d_name) >= sizeof(pk->pin[0].name)) {
			snprintf(err, errlen, "%s holds more or longer names than pidguard pins",
				 paths__pin_dir());
			closedir(dir);
			pin_keeper__release(pk);
			return -E2BIG;
		}
		snprintf(path, sizeof(path), "%s/%s", paths__pin_dir(), de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
			closedir(dir);
			pin_keeper__release(pk);
			return -errno;
		}
		strcpy(pk->pin[pk->nr].name, de->d_name);
		pk->pin[pk->nr].fd = fd;
		pk->nr++;
	}
	closedir(dir);
	return 0;
}

int pin_keeper__repin_lost(struct pin_keeper *pk, char *err, size_t errlen)
{
	char path[512];
	int repinned = 0, ret;

	for (int i = 0; i < pk->nr; i++) {
		snprintf(path, sizeof(path), "%s/%s", paths__pin_dir(), pk->pin[i].name);
		if (access(path, F_OK) == 0)
			continue;
		if (!repinned) {	/* the first loss: bpffs and the directory */
			ret = loader__mount_filesystems(err, errlen);
			if (ret)
				return ret;
			if (mkdir(paths__pin_dir(), 0700) && errno != EEXIST) {
				snprintf(err, errlen, "cannot create %s: %s", paths__pin_dir(),
					 strerror(errno));
				return -errno;
			}
			chmod(paths__pin_dir(), 0700);
		}
		if (bpf_obj_pin(pk->pin[i].fd, path)) {
			snprintf(err, errlen, "cannot pin %s again: %s", path, strerror(errno));
			return -errno;
		}
		chmod(path, 0600);
		repinned++;
	}
	return repinned;
}

void pin_keeper__release(struct pin_keeper *pk)
{
	for (int i = 0; i < pk->nr; i++)
		close(pk->pin[i].fd);
	pk->nr = 0;
}
