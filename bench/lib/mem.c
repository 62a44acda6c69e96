// SPDX-License-Identifier: GPL-2.0
/*
 * Memory backings.  Every mapping is created so that the tracking granule
 * is known in advance: 4 KiB for anon and shmem (THP explicitly refused),
 * the THP-eligible 2 MiB-aligned anon variant (granule still 4 KiB, which
 * is what the trackers report at; they differ in how they treat a PMD),
 * and 2 MiB (the default huge page size) for hugetlb.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gmem.h"
#include "mem.h"
#include "parse.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif

#define THP_SIZE	(2UL << 20)
#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"

/* NULL-terminated for ws_name_index(). */
static const char *const backing_names[WS_BACKING_NR + 1] = {
	[WS_BACKING_ANON]	= "anon",
	[WS_BACKING_ANON_THP]	= "anon-thp",
	[WS_BACKING_SHMEM]	= "shmem",
	[WS_BACKING_HUGETLB]	= "hugetlb",
	[WS_BACKING_GMEM]	= "gmem",
};

const char *ws_backing_name(enum ws_backing b)
{
	return b < WS_BACKING_NR ? backing_names[b] : "?";
}

int ws_backing_from_name(const char *name)
{
	return ws_name_index(name, backing_names);
}

const char *ws_backing_names(void)
{
	return "anon, anon-thp, shmem, hugetlb, gmem";
}

size_t ws_page_size(void)
{
	static size_t size;

	if (!size)
		size = sysconf(_SC_PAGESIZE);
	return size;
}

/* "Hugepagesize:" etc. from /proc/meminfo, in the unit printed (kB or
 * pages); -1 if the field is absent (e.g. CONFIG_HUGETLBFS=n). */
static long meminfo_field(const char *field)
{
	char line[256];
	size_t flen = strlen(field);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			val = strtol(line + flen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

size_t ws_mem_available(void)
{
	long kb = meminfo_field("MemAvailable");

	return kb > 0 ? (size_t)kb << 10 : 0;
}

size_t ws_hugetlb_free(size_t *page_size)
{
	long kb = meminfo_field("Hugepagesize");
	long free_pages = meminfo_field("HugePages_Free");
	long rsvd = meminfo_field("HugePages_Rsvd");

	*page_size = kb > 0 ? (size_t)kb << 10 : 0;
	if (kb <= 0 || free_pages <= rsvd)
		return 0;
	return (size_t)(free_pages - (rsvd > 0 ? rsvd : 0));
}

/* Is THP usable for a MADV_HUGEPAGE mapping?  0 or -EOPNOTSUPP + why. */
static int thp_check(char *why, size_t whylen)
{
	char buf[128] = "";
	FILE *f = fopen(THP_ENABLED, "re");

	if (!f)
		return ws_why_err(why, whylen, EOPNOTSUPP,
				  "anon-thp: THP not available (CONFIG_TRANSPARENT_HUGEPAGE): %s: %s",
				  THP_ENABLED, strerror(errno));
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	if (strstr(buf, "[never]"))
		return ws_why_err(why, whylen, EOPNOTSUPP,
				  "anon-thp: THP disabled: %s is \"%s\"",
				  THP_ENABLED, buf);
	return 0;
}

static int map_anon(struct ws_mem *m, bool thp, char *why, size_t whylen)
{
	size_t map_len = m->len + (thp ? THP_SIZE : 0);
	char *p;
	int err;

	p = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return ws_why_err(why, whylen, errno, "%s: mmap %zu bytes: %s",
				  ws_backing_name(m->backing), map_len,
				  strerror(errno));
	m->map_base = p;
	m->map_len = map_len;
	m->addr = p;
	if (thp) {
		m->addr = (char *)(((uintptr_t)p + THP_SIZE - 1) &
				   ~(uintptr_t)(THP_SIZE - 1));
		if (madvise(m->addr, m->len, MADV_HUGEPAGE)) {
			err = errno;
			munmap(p, map_len);
			return ws_why_err(why, whylen, err,
					  "anon-thp: madvise(MADV_HUGEPAGE): %s",
					  strerror(err));
		}
	} else if (madvise(p, map_len, MADV_NOHUGEPAGE) && errno != EINVAL) {
		/* EINVAL: THP compiled out, pages are 4 KiB anyway. */
		err = errno;
		munmap(p, map_len);
		return ws_why_err(why, whylen, err, "anon: madvise(MADV_NOHUGEPAGE): %s",
				  strerror(err));
	}
	return 0;
}

/* A guest_memfd has its size from creation: no ftruncate. */
static int open_gmem(struct ws_mem *m, char *why, size_t whylen)
{
	int fd = ws_gmem_create(m->len, &m->vm_fd, why, whylen);

	if (fd < 0)
		return fd;
	m->fd = fd;
	return 0;
}

static void close_fds(struct ws_mem *m)
{
	if (m->fd >= 0)
		close(m->fd);
	if (m->backing == WS_BACKING_GMEM && m->vm_fd >= 0)
		close(m->vm_fd);
	m->fd = -1;
	m->vm_fd = -1;
}

static int map_memfd(struct ws_mem *m, unsigned int mfd_flags,
		     char *why, size_t whylen)
{
	const char *name = ws_backing_name(m->backing);
	char *p;
	int err;

	if (m->backing == WS_BACKING_GMEM) {
		err = open_gmem(m, why, whylen);
		if (err)
			return err;
		goto map;
	}
	m->fd = memfd_create(m->backing == WS_BACKING_HUGETLB ?
			     "wsbench-hugetlb" : "wsbench-shmem",
			     MFD_CLOEXEC | mfd_flags);
	if (m->fd < 0)
		return ws_why_err(why, whylen, errno, "%s: memfd_create: %s", name,
				  strerror(errno));
	if (ftruncate(m->fd, m->len)) {
		err = errno;
		goto out_close;
	}
map:
	p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED) {
		err = errno;
		goto out_close;
	}
	m->addr = p;
	m->map_base = p;
	m->map_len = m->len;
	/*
	 * shmem THP follows /sys/kernel/mm/transparent_hugepage/shmem_enabled
	 * (and the per-size hugepages-*kB/shmem_enabled): "always" or
	 * "within_size" would hand us huge folios and change the tracking
	 * granule, so ask for small pages.  Only "force" overrides this, and
	 * env capture records that setting.  EINVAL = THP compiled out.
	 */
	if (m->backing == WS_BACKING_SHMEM &&
	    madvise(p, m->len, MADV_NOHUGEPAGE) && errno != EINVAL) {
		err = errno;
		munmap(p, m->len);
		goto out_close;
	}
	return 0;

out_close:
	close_fds(m);
	return ws_why_err(why, whylen, err, "%s: map %zu bytes: %s", name, m->len,
			  strerror(err));
}

/* Huge page size and availability from /proc/meminfo. */
static int hugetlb_check(struct ws_mem *m, size_t len, char *why,
			 size_t whylen)
{
	long kb = meminfo_field("Hugepagesize");
	long free_pages = meminfo_field("HugePages_Free");
	long rsvd = meminfo_field("HugePages_Rsvd");
	size_t need, avail;
	char hps[32];

	if (kb <= 0)
		return ws_why_err(why, whylen, EOPNOTSUPP,
				  "hugetlb: no Hugepagesize in /proc/meminfo (CONFIG_HUGETLBFS not enabled)");
	m->page_size = (size_t)kb << 10;
	if (kb % 1024)
		snprintf(hps, sizeof(hps), "%ldK", kb);
	else
		snprintf(hps, sizeof(hps), "%ldM", kb >> 10);
	if (len % m->page_size)
		return ws_why_err(why, whylen, EINVAL,
				  "hugetlb: size %zu is not a multiple of the huge page size %s",
				  len, hps);
	need = len / m->page_size;
	if (free_pages < 0)
		free_pages = 0;
	if (rsvd < 0)
		rsvd = 0;
	/* Reserved pages are promised to existing mappings: not ours. */
	avail = free_pages > rsvd ? (size_t)(free_pages - rsvd) : 0;
	if (avail < need) {
		if (rsvd > 0)
			return ws_why_err(why, whylen, ENOMEM,
					  "hugetlb: need %zu huge pages of %s, HugePages_Free=%ld of which HugePages_Rsvd=%ld (reserve with vm.nr_hugepages or wsbench --hugepages %zu)",
					  need, hps, free_pages, rsvd, need);
		return ws_why_err(why, whylen, ENOMEM,
				  "hugetlb: need %zu huge pages of %s, HugePages_Free=%ld (reserve with vm.nr_hugepages or wsbench --hugepages %zu)",
				  need, hps, free_pages, need);
	}
	return 0;
}

int ws_mem_map(struct ws_mem *m, enum ws_backing backing, size_t len,
	       char *why, size_t whylen)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->backing = backing;
	m->fd = -1;
	m->vm_fd = -1;
	m->page_size = ws_page_size();
	if (why && whylen)
		why[0] = '\0';
	if (backing >= WS_BACKING_NR)
		return ws_why_err(why, whylen, EINVAL, "unknown backing %d",
				  (int)backing);
	if (!len)
		return ws_why_err(why, whylen, EINVAL, "%s: size 0",
				  ws_backing_name(backing));

	switch (backing) {
	case WS_BACKING_ANON:
	case WS_BACKING_ANON_THP:
	case WS_BACKING_SHMEM:
	case WS_BACKING_GMEM:
		if (len % m->page_size)
			return ws_why_err(why, whylen, EINVAL,
					  "%s: size %zu is not a multiple of the page size %zu",
					  ws_backing_name(backing), len,
					  m->page_size);
		m->len = len;
		if (backing == WS_BACKING_SHMEM || backing == WS_BACKING_GMEM) {
			ret = map_memfd(m, 0, why, whylen);
			break;
		}
		if (backing == WS_BACKING_ANON_THP) {
			/*
			 * A region that is not whole PMD-sized pages is partly
			 * 4 KiB pages: its numbers would be labelled anon-thp
			 * without being THP.  Refuse (benchmarks skip it).
			 */
			if (len % WS_THP_SIZE)
				return ws_why_err(why, whylen, EOPNOTSUPP,
						  "anon-thp: %zu bytes is not a whole number of %zu KiB huge pages, THP cannot back all of it",
						  len, WS_THP_SIZE >> 10);
			ret = thp_check(why, whylen);
			if (ret)
				return ret;
		}
		ret = map_anon(m, backing == WS_BACKING_ANON_THP, why, whylen);
		break;
	case WS_BACKING_HUGETLB:
		ret = hugetlb_check(m, len, why, whylen);
		if (ret)
			return ret;
		m->len = len;
		ret = map_memfd(m, MFD_HUGETLB, why, whylen);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret) {
		m->addr = NULL;
		m->map_base = NULL;
		m->len = 0;
		return ret;
	}
	m->npages = m->len / m->page_size;
	return 0;
}

/*
 * Freshly faulted pages sit in the faulting CPU's LRU batch until it is
 * drained, and rmap-based trackers (idle page tracking) ignore pages that
 * are not on the LRU yet: they would read as "accessed" whatever happens.
 * So populate on one CPU, then MADV_WILLNEED, which on present anon and
 * shmem memory does nothing but lru_add_drain() on the calling CPU (7.3
 * mm/madvise.c:299-310).  Every backend gets the same settled memory.
 */
void ws_mem_populate(struct ws_mem *m)
{
	size_t step = ws_page_size();
	cpu_set_t old, one;
	int cpu = sched_getcpu();
	bool pinned = false;

	if (cpu >= 0 && !sched_getaffinity(0, sizeof(old), &old)) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pinned = !sched_setaffinity(0, sizeof(one), &one);
	}
	for (size_t off = 0; off < m->len; off += step)
		((volatile char *)m->addr)[off] = 1;
	/* guest_memfd: no readahead to ask for, and no LRU (unevictable). */
	if (m->backing != WS_BACKING_HUGETLB && m->backing != WS_BACKING_GMEM)
		madvise(m->addr, m->len, MADV_WILLNEED);
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
}

void ws_mem_unmap(struct ws_mem *m)
{
	if (m->map_base)
		munmap(m->map_base, m->map_len);
	close_fds(m);
	m->map_base = NULL;
	m->addr = NULL;
	m->len = m->map_len = m->npages = 0;
}
