// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/self/pagemap: the PAGEMAP_SCAN loop (brief §2.6) and raw entries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compat_uapi.h"
#include "pagemap.h"

/*
 * Output regions per PAGEMAP_SCAN call.  The kernel bounces at most 512
 * regions per internal chunk but keeps walking until vec_len is full, so a
 * large vector means one ioctl covers a fragmented region.  A scattered
 * pattern (every 3rd page) over 1 GiB is ~87k regions: ~22 calls.
 */
#define SCAN_VEC_LEN	4096

/*
 * One vector per thread, allocated on first use and kept: allocating 96 KiB
 * per scan would put a malloc (and possibly fresh-page faults) inside the
 * timed collect path.
 */
static __thread struct ws_page_region *scan_vec;

int ws_pagemap_open(void)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ws_pagemap_open_pid(pid_t pid)
{
	char path[64];
	int fd;

	if (!pid)
		return ws_pagemap_open();
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void add_regions(const struct ws_mem *m, size_t first, size_t n,
			const struct ws_page_region *v, long nr,
			struct ws_pageset *out)
{
	uintptr_t base = (uintptr_t)m->addr;

	for (long i = 0; i < nr; i++) {
		size_t lo = (v[i].start - base) / m->page_size;
		size_t hi = (v[i].end - base + m->page_size - 1) /
			    m->page_size;

		/* Clamp: the scan range is [first, first + n). */
		if (lo < first)
			lo = first;
		if (hi > first + n)
			hi = first + n;
		if (hi > lo)
			ws_pageset_set_range(out, lo, hi - lo);
	}
}

long ws_pagemap_scan(int pmfd, const struct ws_mem *m, size_t first,
		     size_t n, const struct ws_pm_scan *q,
		     struct ws_pageset *out, size_t *ioctls)
{
	uint64_t cur = (uintptr_t)m->addr + first * m->page_size;
	uint64_t end = cur + n * m->page_size;
	size_t calls = 0;
	long total = 0;

	if (out && !scan_vec) {
		scan_vec = calloc(SCAN_VEC_LEN, sizeof(*scan_vec));
		if (!scan_vec)
			return -ENOMEM;
	}

	while (cur < end) {
		struct ws_pm_scan_arg a = {
			.size = sizeof(a),
			.flags = q->flags,
			.start = cur,
			.end = end,
			.category_mask = q->category_mask,
			.category_inverted = q->category_inverted,
			.category_anyof_mask = q->category_anyof_mask,
			.return_mask = q->return_mask,
		};
		long nr;

		/* out == NULL: vec-less call, only the WP side effect. */
		if (out) {
			a.vec = (uintptr_t)scan_vec;
			a.vec_len = SCAN_VEC_LEN;
		}
		nr = ioctl(pmfd, WS_PAGEMAP_SCAN, &a);
		calls++;
		if (nr < 0) {
			nr = -errno;
			if (ioctls)
				*ioctls = calls;
			return nr;
		}
		if (out)
			add_regions(m, first, n, scan_vec, nr, out);
		total += nr;
		/*
		 * walk_end == end when done, else where to resume.  No
		 * progress happens with WP_MATCHING on a partial hugetlb page
		 * (brief §2.5); our ranges are whole pages, so it would be a
		 * kernel surprise: report it rather than spin.
		 */
		if (a.walk_end <= cur) {
			if (ioctls)
				*ioctls = calls;
			return -EIO;
		}
		cur = a.walk_end;
	}
	if (ioctls)
		*ioctls = calls;
	return total;
}

int ws_pagemap_read(int pmfd, const void *addr, size_t n, uint64_t *entries)
{
	size_t want = n * sizeof(uint64_t), done = 0;
	off_t off = (uintptr_t)addr / ws_page_size() * sizeof(uint64_t);

	/* One pread for the whole range; the loop only covers short reads. */
	while (done < want) {
		ssize_t r = pread(pmfd, (char *)entries + done, want - done,
				  off + done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO;
		done += r;
	}
	return 0;
}

int ws_pagemap_pmd_coverage(const struct ws_mem *m, double *frac)
{
	const struct ws_pm_scan q = {
		.category_mask = WS_PAGE_IS_HUGE | WS_PAGE_IS_PRESENT,
		.return_mask = WS_PAGE_IS_HUGE,
	};
	struct ws_pageset huge;
	int fd = ws_pagemap_open();
	long nr;

	*frac = 0;
	if (fd < 0)
		return fd;
	if (ws_pageset_init(&huge, m->npages)) {
		close(fd);
		return -ENOMEM;
	}
	nr = ws_pagemap_scan(fd, m, 0, m->npages, &q, &huge, NULL);
	close(fd);
	if (nr >= 0 && m->npages)
		*frac = (double)ws_pageset_count(&huge) / (double)m->npages;
	ws_pageset_free(&huge);
	return nr < 0 ? (int)nr : 0;
}

int ws_pagemap_scan_probe(char *why, size_t len)
{
	size_t psz = ws_page_size();
	struct ws_page_region v[1];
	struct ws_pm_scan_arg a;
	int fd, err = 0;
	char *p;

	fd = ws_pagemap_open();
	if (fd < 0) {
		snprintf(why, len, "open /proc/self/pagemap: %s",
			 strerror(-fd));
		return fd;
	}
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		snprintf(why, len, "mmap scratch page: %s", strerror(-err));
		close(fd);
		return err;
	}
	a = (struct ws_pm_scan_arg){
		.size = sizeof(a),
		.start = (uintptr_t)p,
		.end = (uintptr_t)p + psz,
		.vec = (uintptr_t)v,
		.vec_len = 1,
		.category_mask = WS_PAGE_IS_PRESENT,
		.return_mask = WS_PAGE_IS_PRESENT,
	};
	if (ioctl(fd, WS_PAGEMAP_SCAN, &a) < 0) {
		err = -errno;
		if (err == -ENOTTY || err == -EINVAL)
			snprintf(why, len,
				 "PAGEMAP_SCAN ioctl not supported (Linux >= 6.7 needed): %s",
				 strerror(-err));
		else
			snprintf(why, len, "PAGEMAP_SCAN: %s", strerror(-err));
	}
	munmap(p, psz);
	close(fd);
	return err;
}
