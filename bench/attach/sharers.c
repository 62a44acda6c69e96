// SPDX-License-Identifier: GPL-2.0
/*
 * Who else maps the memory wsbench attach evicts (sharers.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "maps.h"
#include "sharers.h"

static bool skipped(pid_t pid, const pid_t *skip, size_t nskip)
{
	for (size_t i = 0; i < nskip; i++)
		if (skip[i] == pid)
			return true;
	return false;
}

/* Does @pid map the file with @st's device and inode? */
static bool maps_file(pid_t pid, const struct stat *st)
{
	struct ws_map *v;
	bool found = false;
	size_t n;

	if (ws_maps_read(pid, &v, &n))
		return false;	/* gone, or not ours to read */
	for (size_t i = 0; i < n && !found; i++)
		found = v[i].inode == st->st_ino &&
			makedev(v[i].dev_major, v[i].dev_minor) == st->st_dev;
	free(v);
	return found;
}

int ws_sharers(int fd, const pid_t *skip, size_t nskip, pid_t *first)
{
	struct dirent *d;
	struct stat st;
	int count = 0;
	DIR *dir;

	*first = 0;
	if (fstat(fd, &st))
		return -errno;
	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		pid_t pid;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid = (pid_t)atoi(d->d_name);
		if (skipped(pid, skip, nskip) || !maps_file(pid, &st))
			continue;
		if (!count++)
			*first = pid;
	}
	closedir(dir);
	return count;
}
