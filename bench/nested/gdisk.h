/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nested guest's disk traffic (wsbench nested guest --disk DEV): a
 * thread that, while the workload runs, writes checksummed blocks to a
 * virtio disk and reads each back, both with O_DIRECT, so that QEMU's
 * device emulation (its I/O threads) reads and writes guest RAM that the
 * outer side may have protected or evicted.  The buffers are in
 * GDISK_GROUPS groups, one per interval in turn (interval k uses group
 * k % GDISK_GROUPS), so a group is left alone for GDISK_GROUPS - 1
 * intervals -- long enough to be called cold and evicted with K = 2 --
 * before the device next writes into it.  At the end every block written
 * is read back and checked against its last generation.
 */
#ifndef WS_NESTED_GDISK_H
#define WS_NESTED_GDISK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDISK_BLOCK	8192
#define GDISK_GROUPS	3
#define GDISK_PER_GROUP	4
#define GDISK_SLOTS	(GDISK_GROUPS * GDISK_PER_GROUP)

struct ws_gdisk {
	int fd;
	const char *path;
	size_t blocks;			/* blocks of the device used */
	uint32_t *gen;			/* per block: last generation, 0 never */
	unsigned char *wbuf, *rbuf;	/* GDISK_SLOTS blocks each */
	unsigned int pause_ms;		/* between operations */
	atomic_uint interval;		/* the nested guest's, for the group */
	pthread_t thread;
	bool running;
	atomic_bool stop;
	atomic_uint_fast64_t ops;	/* write + read-back pairs done */
	atomic_uint_fast64_t bad_readback;	/* mismatches right after */
	int error;			/* first -errno of the thread */
};

/* Open @path (O_DIRECT) and map the buffers.  0 or -errno, @why. */
int ws_gdisk_open(struct ws_gdisk *d, const char *path, char *why,
		  size_t len);
int ws_gdisk_start(struct ws_gdisk *d);
void ws_gdisk_stop(struct ws_gdisk *d);
/*
 * Read every block written back: the number that do not match its last
 * generation, or -errno; *@checked gets how many were read.
 */
long ws_gdisk_verify(struct ws_gdisk *d, size_t *checked);
void ws_gdisk_close(struct ws_gdisk *d);

#endif /* WS_NESTED_GDISK_H */
