/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/<pid>/maps: which mapping of a process a selector names.  Shared by
 * wsbench (checking a --pid before touching it) and the preload library
 * (choosing what to hand off), so both agree; depends on libc only.
 *
 * Selectors (enum ws_ho_select):
 *   shared   (the default) as largest, among MAP_SHARED mappings only:
 *            memory with a memory fd, the only kind wsbench can evict
 *   largest  the largest readable+writable mapping of a kind userfaultfd
 *            can register -- anonymous (private or shared), memfd, or a
 *            file under /dev/shm -- of at least @size bytes, not a thread
 *            stack; among those that exist when asked (the library waits
 *            for the first one to appear if there is none yet, so for a
 *            program that starts now, name= or a large min= is precise)
 *   name     the largest mapping whose path as shown in maps (e.g.
 *            "/dev/shm/wsbench-fio.dat", "/memfd:pc.ram (deleted)")
 *            contains @name
 */
#ifndef WS_ATTACH_MAPS_H
#define WS_ATTACH_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "handoff.h"

struct ws_map {
	uint64_t start, end;
	uint64_t offset;	/* file offset of start */
	uint64_t inode;
	unsigned int dev_major, dev_minor;
	char perms[5];		/* "rw-s" */
	char path[256];		/* "" for private anonymous memory */
};

/* Every mapping of @pid (0: this process) into *@v (malloc'd).  0 or -errno. */
int ws_maps_read(pid_t pid, struct ws_map **v, size_t *n);

/* Index of the mapping the selector picks in @v, or -1. */
long ws_maps_select(const struct ws_map *v, size_t n, enum ws_ho_select sel,
		    uint64_t size, const char *name);

/* Could userfaultfd register it (largest's kinds)? */
bool ws_map_eligible(const struct ws_map *m);
/* MAP_SHARED (an I/O view of its memory can exist)? */
static inline bool ws_map_shared(const struct ws_map *m)
{
	return m->perms[3] == 's';
}

/*
 * From /proc/<pid>/smaps, for the mapping starting at @start: its
 * KernelPageSize in bytes and whether THPeligible is 1.  0 or -errno.
 */
int ws_maps_smaps(pid_t pid, uint64_t start, uint64_t *kpage, bool *thp);

/* "<size> <perms> <path>" of the @max largest mappings, for messages. */
void ws_maps_describe(const struct ws_map *v, size_t n, size_t max,
		      char *buf, size_t len);

/* "largest", "largest,min=64M" style name of a selector, for messages. */
void ws_select_describe(enum ws_ho_select sel, uint64_t size,
			const char *name, char *buf, size_t len);

#endif /* WS_ATTACH_MAPS_H */
