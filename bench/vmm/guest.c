// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory, eviction and refault of the VMM cycle (guest.h).
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

#include "bench_case.h"
#include "compat_uapi.h"
#include "guest.h"
#include "timing.h"
#include "uffd.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE	0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE	0x02
#endif

static int open_storage(struct ws_guest *g, const char *dir, char *why,
			size_t whylen)
{
	snprintf(g->storage_path, sizeof(g->storage_path),
		 "%s/wsbench-storage.XXXXXX", dir);
	g->storage_fd = mkostemp(g->storage_path, O_CLOEXEC);
	if (g->storage_fd < 0) {
		snprintf(why, whylen, "storage file in %s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	/* Nothing to clean up after us, however the run ends. */
	unlink(g->storage_path);
	if (ftruncate(g->storage_fd, g->mem.len)) {
		snprintf(why, whylen, "storage file: ftruncate: %s",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/* The empty guest: no fd open, nothing mapped, no samples. */
static void guest_clear(struct ws_guest *g)
{
	memset(g, 0, sizeof(*g));
	g->storage_fd = -1;
	g->state_fd = -1;
	g->io = MAP_FAILED;
	ws_samples_init(&g->refault_ns);
}

int ws_guest_init(struct ws_guest *g, size_t len, const char *dir,
		  char *why, size_t whylen)
{
	int ret;

	guest_clear(g);
	ret = ws_mem_map(&g->mem, WS_BACKING_SHMEM, len, why, whylen);
	if (ret)
		return ret;
	g->io = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     g->mem.fd, 0);
	if (g->io == MAP_FAILED) {
		snprintf(why, whylen, "I/O view of the guest memfd: %s",
			 strerror(errno));
		return -errno;
	}
	g->state = calloc(g->mem.npages, sizeof(*g->state));
	g->evicted_in = calloc(g->mem.npages, sizeof(*g->evicted_in));
	g->refaulted = calloc(g->mem.npages, 1);
	g->incore = calloc(g->mem.npages, 1);
	g->bad_at_refault = calloc(g->mem.npages, 1);
	g->bounce = aligned_alloc(g->mem.page_size, g->mem.page_size);
	if (!g->state || !g->evicted_in || !g->incore || !g->bad_at_refault ||
	    !g->bounce || !g->refaulted) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	return open_storage(g, dir, why, whylen);
}

/* The page states in a memfd another process can map (state_fd). */
static int shared_state(struct ws_guest *g, char *why, size_t whylen)
{
	size_t len = g->mem.npages ? g->mem.npages : 1;
	void *p;

	g->state_fd = memfd_create("wsbench-page-state", MFD_CLOEXEC);
	if (g->state_fd < 0 || ftruncate(g->state_fd, (off_t)len)) {
		snprintf(why, whylen, "page-state memfd: %s", strerror(errno));
		return -errno;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, g->state_fd, 0);
	if (p == MAP_FAILED) {
		snprintf(why, whylen, "page-state memfd: mmap: %s",
			 strerror(errno));
		return -errno;
	}
	g->state = p;
	g->state_shared = true;
	return 0;
}

int ws_guest_adopt(struct ws_guest *g, uintptr_t addr, size_t len,
		   int memfd, off_t offset, const char *dir, char *why,
		   size_t whylen)
{
	size_t psz = ws_page_size();
	int ret;

	guest_clear(g);
	/* map_base stays NULL: ws_mem_unmap() must not unmap @addr here. */
	g->mem = (struct ws_mem){
		.backing = WS_BACKING_SHMEM,
		.addr = (char *)addr,
		.len = len,
		.page_size = psz,
		.npages = len / psz,
		.fd = memfd,
	};
	g->io = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		     offset);
	if (g->io == MAP_FAILED) {
		snprintf(why, whylen, "I/O view of the target's memory fd: %s",
			 strerror(errno));
		return -errno;
	}
	g->evicted_in = calloc(g->mem.npages, sizeof(*g->evicted_in));
	g->refaulted = calloc(g->mem.npages, 1);
	g->incore = calloc(g->mem.npages, 1);
	g->bad_at_refault = calloc(g->mem.npages, 1);
	g->bounce = aligned_alloc(psz, psz);
	if (!g->evicted_in || !g->incore || !g->bad_at_refault || !g->bounce ||
	    !g->refaulted) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	ret = shared_state(g, why, whylen);
	return ret ? ret : open_storage(g, dir, why, whylen);
}

void ws_guest_free(struct ws_guest *g)
{
	if (g->io != MAP_FAILED)
		munmap(g->io, g->mem.len);
	if (g->storage_fd >= 0)
		close(g->storage_fd);
	if (g->state_shared)
		munmap((void *)g->state, g->mem.npages ? g->mem.npages : 1);
	else
		free((void *)g->state);
	if (g->state_fd >= 0)
		close(g->state_fd);
	g->state = NULL;
	g->state_shared = false;
	g->state_fd = -1;
	free(g->evicted_in);
	free((void *)g->refaulted);
	g->refaulted = NULL;
	free(g->incore);
	free(g->bad_at_refault);
	free(g->bounce);
	ws_samples_free(&g->refault_ns);
	ws_mem_unmap(&g->mem);
	g->io = MAP_FAILED;
	g->storage_fd = -1;
}

static int write_all(int fd, const char *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t r = pwrite(fd, buf, len, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		buf += r;
		len -= r;
		off += r;
	}
	return 0;
}

/* Pages [first, first + n): marked evicting, written out to storage. */
static int write_out(struct ws_guest *g, size_t first, size_t n)
{
	size_t psz = g->mem.page_size;
	off_t off = (off_t)(first * psz);

	for (size_t i = first; i < first + n; i++)
		atomic_store(&g->state[i], WS_PAGE_EVICTING);
	return write_all(g->storage_fd, g->io + off, n * psz, off);
}

/*
 * Pages [first, first + n), written out (@ret: how that went): out of
 * memory, marked evicted, waiters woken.
 */
static int punch(struct ws_guest *g, size_t first, size_t n, int uffd,
		 uint32_t interval, int ret)
{
	size_t psz = g->mem.page_size;
	off_t off = (off_t)(first * psz);

	if (!ret && fallocate(g->mem.fd, FALLOC_FL_PUNCH_HOLE |
			      FALLOC_FL_KEEP_SIZE, off, n * psz))
		ret = -errno;
	for (size_t i = first; i < first + n; i++) {
		uint8_t want = WS_PAGE_EVICTING;

		g->evicted_in[i] = interval;
		/* A refault that already brought it back wins. */
		atomic_compare_exchange_strong(&g->state[i], &want,
					       ret ? WS_PAGE_RESIDENT :
						     WS_PAGE_EVICTED);
	}
	/*
	 * fallocate() does not wake threads blocked in a sync fault on the
	 * range (the kernel's workflow says so): wake them, they retry and
	 * fault as MISSING.
	 */
	if (!ret && uffd >= 0) {
		ret = ws_uffd_wake(uffd, (uintptr_t)g->mem.addr + off, n * psz);
		if (ret == -ENOENT)
			ret = 0;
	}
	return ret;
}

/*
 * Punch every run of pages [lo, hi) still being evicted, but the pages of
 * @keep (or NULL).
 */
static int punch_runs(struct ws_guest *g, int uffd, uint32_t interval,
		      const struct ws_pageset *keep, size_t lo, size_t hi)
{
	int ret = 0;

	for (size_t i = lo; !ret && i < hi;) {
		size_t e = i;

		while (e < hi && atomic_load(&g->state[e]) == WS_PAGE_EVICTING &&
		       !(keep && e < keep->npages && ws_pageset_test(keep, e)))
			e++;
		if (e > i)
			ret = punch(g, i, e - i, uffd, interval, 0);
		i = e + 1;
	}
	return ret;
}

/* Pages [first, first + n): out to storage, out of memory, waiters woken. */
static int evict_run(struct ws_guest *g, size_t first, size_t n, int uffd,
		     uint32_t interval)
{
	int ret = write_out(g, first, n);

	/*
	 * Tests: every write-out first, then one wait, then the punches; or,
	 * with punch_keep, only those pages wait, the others go at once.
	 */
	if (g->test_punch_delay_us && !ret && g->punch_window && g->punch_keep)
		return punch_runs(g, uffd, interval, g->punch_keep, first,
				  first + n);
	if (g->test_punch_delay_us && !ret)
		return 0;
	return punch(g, first, n, uffd, interval, ret);
}

/* Page @page's stored copy into @buf. */
static int read_stored(const struct ws_guest *g, size_t page, void *buf)
{
	size_t psz = g->mem.page_size, done = 0;

	while (done < psz) {
		ssize_t r = pread(g->storage_fd, (char *)buf + done,
				  psz - done, (off_t)(page * psz + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += r;
	}
	return 0;
}

/* Has a page being evicted changed since its write-out (@copy: a page)? */
static bool written_since_write_out(const struct ws_guest *g, void *copy)
{
	size_t psz = g->mem.page_size;

	for (size_t i = 0; i < g->mem.npages; i++) {
		if (atomic_load(&g->state[i]) != WS_PAGE_EVICTING)
			continue;
		if (read_stored(g, i, copy))
			return false;
		if (memcmp(copy, g->io + i * psz, psz))
			return true;
	}
	return false;
}

/*
 * Tests: wait up to test_punch_delay_us, until a vCPU has written a page
 * already written out -- a write the punch loses.  Unfrozen vCPUs
 * (--protocol unsafe) then lose data whenever they write such a page in
 * the wait, however slowly they run; frozen ones (safe) cannot, and the
 * wait runs out.
 */
static void wait_for_late_write(struct ws_guest *g)
{
	uint64_t end = ws_now_ns() + g->test_punch_delay_us * 1000ULL;
	void *copy = malloc(g->mem.page_size);

	while (!(copy && written_since_write_out(g, copy)) &&
	       ws_now_ns() < end)
		usleep(1000);
	free(copy);
}

/* The punches after a test delay (with punch_keep: of those pages). */
static int punch_evicting(struct ws_guest *g, int uffd, uint32_t interval)
{
	if (g->punch_window)
		g->punch_window(g, g->punch_window_arg);
	else
		wait_for_late_write(g);
	return punch_runs(g, uffd, interval, NULL, 0, g->mem.npages);
}

/*
 * Is page @i in memory?  A hole (never populated: another process's memory
 * adopted before it touched it all) holds nothing to write out, and
 * reading it through the I/O view would only allocate a zero page.
 */
static bool in_memory(const struct ws_guest *g, size_t i)
{
	return g->incore[i] & 1;
}

long ws_guest_evict(struct ws_guest *g, const struct ws_pageset *set,
		    int uffd, uint32_t interval)
{
	size_t pos = 0, first, n, psz = g->mem.page_size;
	long total = 0;

	while (ws_pageset_next_run(set, &pos, &first, &n)) {
		if (mincore(g->io + first * psz, n * psz, g->incore + first))
			return -errno;
		/* Split the run at pages that are not resident. */
		for (size_t i = first; i < first + n;) {
			size_t e = i;
			int ret;

			while (e < first + n && ws_guest_is_resident(g, e) &&
			       in_memory(g, e))
				e++;
			if (e > i) {
				ret = evict_run(g, i, e - i, uffd, interval);
				if (ret)
					return ret;
				total += e - i;
			}
			i = e + 1;
		}
	}
	if (g->test_punch_delay_us) {
		int ret = punch_evicting(g, uffd, interval);

		if (ret)
			return ret;
	}
	return total;
}

/* A page whose content does not match what the workers wrote: data loss. */
static void note_bad(struct ws_guest *g, int nbad, const struct ws_wl_bad *bad)
{
	atomic_fetch_add(&g->bad_words, nbad);
	atomic_fetch_add(&g->bad_pages, 1);
	g->bad_at_refault[bad->page] = 1;
	if (!atomic_exchange(&g->have_bad, true))
		g->first_bad = *bad;
}

/*
 * UFFDIO_COPY of g->bounce to @dst (a read fault's in read_copy_mode); a
 * page already there is only woken.
 */
static int copy_in(struct ws_guest *g, int uffd, uint64_t dst, bool write,
		   bool *copied)
{
	struct uffdio_copy copy = {
		.dst = dst,
		.src = (uintptr_t)g->bounce,
		.len = g->mem.page_size,
		.mode = write ? 0 : g->read_copy_mode,
	};
	int ret = ws_uffd_ioctl_retry(uffd, UFFDIO_COPY, &copy);

	*copied = !ret;
	return ws_uffd_wake_if_exists(uffd, ret, dst, g->mem.page_size);
}

/*
 * A MISSING fault on a page never evicted: the first touch of memory that
 * another process had not populated when it handed the range off
 * (wsbench attach).  Zeros, as the kernel would have given it; no refault.
 */
static int first_touch(struct ws_guest *g, int uffd, uint64_t dst,
		       bool write)
{
	bool copied;
	int ret;

	memset(g->bounce, 0, g->mem.page_size);
	ret = copy_in(g, uffd, dst, write, &copied);
	if (!ret && copied)
		atomic_fetch_add(&g->first_touches, 1);
	return ret;
}

int ws_guest_refault(struct ws_guest *g, int uffd, uint64_t addr,
		     bool write)
{
	uint64_t t0 = ws_now_ns(), c0 = ws_thread_cpu_ns();
	size_t psz = g->mem.page_size;
	struct ws_wl_bad bad;
	int nbad;
	size_t page = (addr - (uintptr_t)g->mem.addr) / psz;
	uint64_t dst = (uintptr_t)g->mem.addr + page * psz;
	bool copied;
	int ret;

	if (page >= g->mem.npages)
		return -EFAULT;
	if (ws_guest_is_resident(g, page))
		return first_touch(g, uffd, dst, write);
	ret = read_stored(g, page, g->bounce);
	if (ret)
		return ret;
	/*
	 * Check before installing: while the page is absent no worker can
	 * write it, so a version one ahead is only a blocked writer's.
	 */
	nbad = g->wl ? ws_wl_check_page(g->wl, page, g->bounce, &bad) : 0;
	/* Before the page is back: pick_cold() sees it with its state. */
	atomic_store(&g->refaulted[page], 1);
	/*
	 * Not copied: a second fault on the page, queued before the first
	 * was resolved.  The page is back and its writers may have moved
	 * on, so this check compared stale storage with live versions:
	 * copy_in() only woke it.
	 */
	ret = copy_in(g, uffd, dst, write, &copied);
	if (ret || !copied)
		return ret;
	if (nbad)
		note_bad(g, nbad, &bad);
	atomic_store(&g->state[page], WS_PAGE_RESIDENT);
	atomic_fetch_add(&g->refaults, 1);
	/* Evicted in this or the previous interval: a wrong eviction. */
	if (g->evicted_in[page] + 1 >= atomic_load(&g->interval))
		atomic_fetch_add(&g->refaults_recent, 1);
	atomic_fetch_add(&g->refault_cpu_ns, ws_thread_cpu_ns() - c0);
	return ws_samples_push(&g->refault_ns, (double)(ws_now_ns() - t0));
}

void ws_guest_refaults_clear(struct ws_guest *g)
{
	for (size_t i = 0; i < g->mem.npages; i++)
		atomic_store_explicit(&g->refaulted[i], 0,
				      memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
}

size_t ws_guest_resident(const struct ws_guest *g)
{
	size_t n = 0;

	for (size_t i = 0; i < g->mem.npages; i++)
		n += ws_guest_is_resident(g, i);
	return n;
}
