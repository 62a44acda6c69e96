// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench nested guest --disk: checksummed O_DIRECT traffic to a virtio
 * disk while the workload runs (gdisk.h).  O_DIRECT, so the bytes go
 * between the device and our buffers in guest RAM: QEMU's virtio-blk
 * reads the write buffer and writes the read buffer itself (its I/O
 * threads' preadv/pwritev on the disk image), not the guest kernel
 * through its page cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#include "gdisk.h"

#define GDISK_MAX_BLOCKS	4096	/* 32 MiB of the device at most */
#define GDISK_PAUSE_MS		100

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Block @b's content in generation @gen: every word depends on all three. */
static void fill(uint64_t *w, size_t b, uint32_t gen)
{
	uint64_t seed = mix(((uint64_t)b << 32) | gen);

	for (size_t i = 0; i < GDISK_BLOCK / 8; i++)
		w[i] = mix(seed + i);
}

static bool matches(const uint64_t *w, size_t b, uint32_t gen)
{
	uint64_t seed = mix(((uint64_t)b << 32) | gen);

	for (size_t i = 0; i < GDISK_BLOCK / 8; i++)
		if (w[i] != mix(seed + i))
			return false;
	return true;
}

static int io_block(int fd, void *buf, size_t b, bool wr)
{
	off_t off = (off_t)(b * GDISK_BLOCK);
	ssize_t n = wr ? pwrite(fd, buf, GDISK_BLOCK, off) :
			 pread(fd, buf, GDISK_BLOCK, off);

	if (n < 0)
		return -errno;
	return n == GDISK_BLOCK ? 0 : -EIO;
}

static void pause_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Operation @i: write block i % blocks from a slot of this interval's
 * group, read it back into the same slot of the read buffers.
 */
static int one_op(struct ws_gdisk *d, uint64_t i)
{
	size_t b = (size_t)(i % d->blocks);
	size_t s = atomic_load(&d->interval) % GDISK_GROUPS * GDISK_PER_GROUP +
		   (size_t)(i % GDISK_PER_GROUP);
	uint32_t gen = (uint32_t)(i / d->blocks) + 1;
	unsigned char *w = d->wbuf + s * GDISK_BLOCK;
	unsigned char *r = d->rbuf + s * GDISK_BLOCK;
	int ret;

	fill((uint64_t *)w, b, gen);
	ret = io_block(d->fd, w, b, true);
	if (ret)
		return ret;
	d->gen[b] = gen;
	ret = io_block(d->fd, r, b, false);
	if (ret)
		return ret;
	if (!matches((const uint64_t *)r, b, gen))
		atomic_fetch_add(&d->bad_readback, 1);
	atomic_fetch_add(&d->ops, 1);
	return 0;
}

static void *disk_main(void *arg)
{
	struct ws_gdisk *d = arg;

	for (uint64_t i = 0; !atomic_load(&d->stop); i++) {
		int ret = one_op(d, i);

		if (ret) {
			d->error = ret;
			break;
		}
		pause_ms(d->pause_ms);
	}
	return NULL;
}

int ws_gdisk_open(struct ws_gdisk *d, const char *path, char *why,
		  size_t len)
{
	uint64_t bytes = 0;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->pause_ms = GDISK_PAUSE_MS;
	d->fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (d->fd < 0 || ioctl(d->fd, BLKGETSIZE64, &bytes)) {
		snprintf(why, len, "--disk %s: %s", path, strerror(errno));
		return -errno;
	}
	d->blocks = bytes / GDISK_BLOCK;
	if (d->blocks > GDISK_MAX_BLOCKS)
		d->blocks = GDISK_MAX_BLOCKS;
	if (!d->blocks) {
		snprintf(why, len, "--disk %s: %llu bytes, less than one %d-byte block",
			 path, (unsigned long long)bytes, GDISK_BLOCK);
		return -EINVAL;
	}
	d->gen = calloc(d->blocks, sizeof(*d->gen));
	d->wbuf = mmap(NULL, 2 * GDISK_SLOTS * GDISK_BLOCK,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (!d->gen || d->wbuf == MAP_FAILED) {
		snprintf(why, len, "--disk: out of memory");
		d->wbuf = NULL;
		return -ENOMEM;
	}
	d->rbuf = d->wbuf + GDISK_SLOTS * GDISK_BLOCK;
	/* In memory now: the device, not the guest's zeroing, is first later. */
	memset(d->wbuf, 0x5a, 2 * GDISK_SLOTS * GDISK_BLOCK);
	return 0;
}

int ws_gdisk_start(struct ws_gdisk *d)
{
	int ret = pthread_create(&d->thread, NULL, disk_main, d);

	d->running = !ret;
	return -ret;
}

void ws_gdisk_stop(struct ws_gdisk *d)
{
	if (!d->running)
		return;
	atomic_store(&d->stop, true);
	pthread_join(d->thread, NULL);
	d->running = false;
}

long ws_gdisk_verify(struct ws_gdisk *d, size_t *checked)
{
	long bad = 0;

	*checked = 0;
	for (size_t b = 0; b < d->blocks; b++) {
		int ret;

		if (!d->gen[b])
			continue;
		ret = io_block(d->fd, d->rbuf, b, false);
		if (ret)
			return ret;
		(*checked)++;
		if (!matches((const uint64_t *)d->rbuf, b, d->gen[b]))
			bad++;
	}
	return bad;
}

void ws_gdisk_close(struct ws_gdisk *d)
{
	ws_gdisk_stop(d);
	if (d->fd >= 0)
		close(d->fd);
	if (d->wbuf)
		munmap(d->wbuf, 2 * GDISK_SLOTS * GDISK_BLOCK);
	free(d->gen);
	d->fd = -1;
}
