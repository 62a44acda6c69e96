// SPDX-License-Identifier: GPL-2.0
/*
 * Idle page tracking (brief §5): /sys/kernel/mm/page_idle/bitmap, a bitmap
 * indexed by PFN.  Setting a page's bit clears the young bit in every PTE
 * mapping it (an rmap walk) and sets PG_idle; any later access sets a young
 * bit again, and reading the bitmap reports the page idle only if no
 * mapping is young.  Sees reads and writes, never faults: async only.
 *
 * The interface is physical, so every arm and collect first translates our
 * virtual pages to PFNs, as a careful user must: one pread of
 * /proc/self/pagemap for the range (needs CAP_SYS_ADMIN, else PFNs read
 * 0).  The kernel only tracks folio heads (page_idle_get_folio refuses
 * tail pages, which always read "not idle"), so where large folios can
 * exist (anon-thp; shmem only with shmem_enabled=force, which overrides
 * MADV_NOHUGEPAGE) each contiguous PFN run's /proc/kpageflags is read in
 * one pread and tails are mapped to their head on the way; on 4 KiB-only
 * mappings no kpageflags is read.  The heads go straight into a bitmap
 * over PFNs (allocated at open for the machine's whole PFN range, so no
 * sort, no search and no allocation in the timed paths), and the words
 * that hold our bits are written or read in runs, adjacent runs merged
 * across small gaps: writing a zero bit changes nothing (writes OR bits
 * in) and reading a foreign one is ignored, so one call per physically
 * clustered stretch is exact.  The number of calls still follows the
 * physical scatter of our pages: that is the API's real cost.
 *
 * Every arm and collect accounts its time in three parts (tracker costs):
 * "pfn_translate" (pagemap + kpageflags + building the bitmap: what
 * userspace pays because the interface is physical), "bitmap_write" and
 * "bitmap_read" (the kernel's rmap walks).  A page whose PFN changed since
 * it was armed (migration, compaction) was never marked: it reads accessed
 * and is counted as "pfn_moved".
 *
 * Accuracy hazards, deliberately not papered over (benchmarks measure them):
 *  - The young bit is cleared WITHOUT a TLB flush (x86
 *    ptep_test_and_clear_young), so an access through a still-cached TLB
 *    entry does not set it again: hot pages can read as idle (false
 *    negatives), worst for small, TLB-resident working sets.
 *  - MGLRU (/sys/kernel/mm/lru_gen/enabled) page-table walks and
 *    clear_refs 1/2/3 clear young bits behind our back, DAMON sets PG_idle
 *    itself: both make touched pages look idle.  probe() warns.
 *  - Only LRU pages are tracked: a page still in a per-CPU LRU add batch
 *    (just faulted), isolated or under migration cannot be marked and reads
 *    "not idle", i.e. accessed (false positives).  A page whose folio lock
 *    is contended reads idle.
 *  - A page that moved to another PFN since arm (migration, compaction,
 *    COW, swap-in) has a fresh, never-marked PFN and reads accessed.
 *  - Non-present pages (never faulted, swapped out, zapped) read not
 *    accessed.
 *  - Linux 7.3 clamps bitmap I/O at max_pfn but counts only whole words,
 *    so when max_pfn is not a multiple of 64 the last word can be written
 *    but never read back: its pages always read accessed.
 *  - THP: one bit per folio, so any access marks all its pages accessed.
 *
 * hugetlb is not offered: hugetlb folios are not on the LRU, so
 * page_idle_get_folio ignores them and every page would read "accessed".
 * guest_memfd is (KERNEL=gmem, or 7.3 with KVM): its folios are page-cache
 * folios on the unevictable LRU (kvm_gmem_get_folio, mapping_set_
 * unevictable), and the rmap walk finds the user mappings in i_mmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compat_uapi.h"
#include "pagemap.h"
#include "timing.h"
#include "tracker.h"

#define IDLE_BITMAP	"/sys/kernel/mm/page_idle/bitmap"
#define KPAGEFLAGS	"/proc/kpageflags"
#define LRU_GEN		"/sys/kernel/mm/lru_gen/enabled"
#define KDAMONDS	"/sys/kernel/mm/damon/admin/kdamonds"
#define ZONEINFO	"/proc/zoneinfo"
#define SHMEM_THP	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"

/* include/uapi/linux/kernel-page-flags.h */
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16

#define NO_PFN		UINT64_MAX
/* Largest folio order a tail's head is searched over (PUD = 18). */
#define MAX_FOLIO_ORDER	18
/*
 * Bitmap words between two runs of ours that are read or written in the
 * same call: a word costs the kernel 64 cheap PFN checks, a call a
 * syscall and a lock round.
 */
#define MERGE_GAP_WORDS	8

struct idle_priv {
	int bitmap_fd;
	int pmfd;
	int kpf_fd;
	bool large_folios;	/* heads must be looked up in kpageflags */
	/* Per page of the region, allocated at open. */
	uint64_t *entries;	/* pagemap entries */
	uint64_t *head;		/* head PFN, NO_PFN if not present */
	uint64_t *armed;	/* head PFN when last marked idle */
	uint64_t *kbuf;		/* kpageflags of one PFN run */
	/* Per 64 PFNs of the machine: our bits, and the words read back. */
	uint64_t *bits;
	uint64_t *vals;
	size_t nwords;
	size_t lo, hi;		/* words [lo, hi) hold our bits */
};

/* ---- I/O on the bitmap: whole words, kernfs caps each call at a page ---- */

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done,
				  off + done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		/*
		 * 0: past max_pfn, or the partial word holding max_pfn, which
		 * page_idle_bitmap_read() computes but does not count, so it
		 * never reaches us.  Its pages read "not idle", i.e. accessed
		 * (at most 63 PFNs at the top of RAM).
		 */
		if (r == 0) {
			memset((char *)buf + done, 0, len - done);
			break;
		}
		done += r;
	}
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done,
				   off + done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		/*
		 * 0: the word holding max_pfn when max_pfn is not a multiple
		 * of 64.  page_idle_bitmap_write() clamps end_pfn to max_pfn
		 * and counts only whole words, yet it has already marked the
		 * word's PFNs: done.  (Past max_pfn it fails with ENXIO.)
		 */
		if (r == 0)
			break;
		done += r;
	}
	return 0;
}

/*
 * Write bits[] or read into vals[] for every run of words in [lo, hi)
 * that holds a bit of ours, runs closer than MERGE_GAP_WORDS merged.
 */
static int bitmap_io(struct idle_priv *pv, bool write)
{
	size_t pos = pv->lo, w, end;

	while (ws_word_run(pv->bits, pv->hi, MERGE_GAP_WORDS, &pos, &w, &end)) {
		int ret;

		if (write)
			ret = pwrite_full(pv->bitmap_fd, pv->bits + w,
					  (end - w) * sizeof(uint64_t),
					  w * sizeof(uint64_t));
		else
			ret = pread_full(pv->bitmap_fd, pv->vals + w,
					 (end - w) * sizeof(uint64_t),
					 w * sizeof(uint64_t));
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- virtual page -> head PFN ---- */

/*
 * Head of the folio containing tail page @pfn: the first naturally aligned
 * PFN below it (smallest alignment first) that is a compound head -- the
 * aligned candidates between the head and @pfn are all tails of the same
 * folio, so the first head found is ours.  Only for a tail whose head is
 * not in the same PFN run (rare: a folio mapped out of order).
 */
static int find_head(struct idle_priv *pv, uint64_t pfn, uint64_t *head)
{
	for (int order = 1; order <= MAX_FOLIO_ORDER; order++) {
		uint64_t c = pfn & ~((1ULL << order) - 1), f;
		int ret = pread_full(pv->kpf_fd, &f, sizeof(f),
				     c * sizeof(uint64_t));

		if (ret)
			return ret;
		if (f & (1ULL << KPF_COMPOUND_HEAD)) {
			*head = c;
			return 0;
		}
	}
	return -ENOENT;
}

/* Heads of pages [i, i+n), whose PFNs are consecutive: one kpageflags read. */
static int heads_of_run(struct idle_priv *pv, size_t i, size_t n)
{
	uint64_t *h = pv->head + i, cur = NO_PFN;
	int ret;

	ret = pread_full(pv->kpf_fd, pv->kbuf, n * sizeof(uint64_t),
			 h[0] * sizeof(uint64_t));
	if (ret)
		return ret;
	for (size_t k = 0; k < n; k++) {
		uint64_t f = pv->kbuf[k], pfn = h[k];

		if (f & (1ULL << KPF_COMPOUND_HEAD))
			cur = pfn;
		else if (!(f & (1ULL << KPF_COMPOUND_TAIL)))
			cur = NO_PFN;			/* order 0 */
		else if (cur == NO_PFN && (ret = find_head(pv, pfn, &cur)))
			return ret;
		if (cur != NO_PFN)
			h[k] = cur;
	}
	return 0;
}

/* Map every tail in head[first..first+n) to its head, run by run. */
static int resolve_tails(struct idle_priv *pv, size_t first, size_t n)
{
	size_t i = first, end = first + n;

	while (i < end) {
		size_t e = i + 1;
		int ret;

		if (pv->head[i] == NO_PFN) {
			i++;
			continue;
		}
		while (e < end && pv->head[e] != NO_PFN &&
		       pv->head[e] == pv->head[e - 1] + 1)
			e++;
		ret = heads_of_run(pv, i, e - i);
		if (ret)
			return ret;
		i = e;
	}
	return 0;
}

/* Set the bit of every head of pages [first, first+n) in bits[]. */
static void build_bits(struct idle_priv *pv, size_t first, size_t n)
{
	pv->lo = pv->nwords;
	pv->hi = 0;
	for (size_t i = first; i < first + n; i++) {
		uint64_t h = pv->head[i];

		if (h == NO_PFN || h / 64 >= pv->nwords)
			continue;
		pv->bits[h / 64] |= 1ULL << (h % 64);
		if (h / 64 < pv->lo)
			pv->lo = h / 64;
		if (h / 64 + 1 > pv->hi)
			pv->hi = h / 64 + 1;
	}
	if (pv->lo > pv->hi)
		pv->lo = pv->hi = 0;
}

static void clear_bits(struct idle_priv *pv)
{
	memset(pv->bits + pv->lo, 0, (pv->hi - pv->lo) * sizeof(uint64_t));
	pv->lo = pv->hi = 0;
}

/*
 * Pages [first, first+n): one pagemap pread, head[] per page (NO_PFN if
 * not present or PFN hidden), then the bitmap of their heads.
 */
static int translate(struct ws_tracker *t, size_t first, size_t n)
{
	struct idle_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	uint64_t *e = pv->entries + first, t0 = ws_now_ns();
	int ret;

	ret = ws_pagemap_read(pv->pmfd, m->addr + first * m->page_size, n, e);
	if (ret)
		return ws_tracker_fail(t, -ret, "read pagemap (%zu pages)", n);
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = e[i] & WS_PM_PFN_MASK;

		pv->head[first + i] = (e[i] & WS_PM_PRESENT) && pfn ? pfn :
				      NO_PFN;
	}
	if (pv->large_folios) {
		ret = resolve_tails(pv, first, n);
		if (ret)
			return ws_tracker_fail(t, -ret, "heads from %s",
					       KPAGEFLAGS);
	}
	build_bits(pv, first, n);
	ws_tracker_cost_add(t, "pfn_translate", t0);
	return 0;
}

/* One past the highest PFN of any zone (/proc/zoneinfo), 0 if unknown. */
static uint64_t max_pfn(void)
{
	char line[256];
	uint64_t spanned = 0, start, end = 0;
	FILE *f = fopen(ZONEINFO, "re");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " spanned %lu", &spanned) == 1)
			continue;
		if (sscanf(line, " start_pfn: %lu", &start) == 1 &&
		    spanned && start + spanned > end)
			end = start + spanned;
	}
	if (f)
		fclose(f);
	return end;
}

/* Can this mapping hold large folios (so that tails need their heads)? */
static bool large_folios_possible(const struct ws_mem *m)
{
	char buf[128] = "";
	FILE *f;

	if (m->backing == WS_BACKING_ANON_THP)
		return true;
	if (m->backing != WS_BACKING_SHMEM)
		return false;	/* anon: MADV_NOHUGEPAGE, every THP order off */
	/* "force" is the one shmem setting MADV_NOHUGEPAGE cannot refuse. */
	f = fopen(SHMEM_THP, "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return strstr(buf, "[force]") != NULL;
}

/* ---- ops ---- */

/* MGLRU and DAMON silently corrupt idle readings (brief §5). */
static void hazards(char *buf, size_t len)
{
	char val[64] = "", path[128];
	size_t n = 0;
	FILE *f;

	buf[0] = '\0';
	f = fopen(LRU_GEN, "re");
	if (f) {
		if (fgets(val, sizeof(val), f) &&
		    strtoul(val, NULL, 0) != 0) {
			val[strcspn(val, "\n")] = '\0';
			n += snprintf(buf, len,
				      "WARNING: MGLRU on (%s=%s) clears young bits without PG_idle: touched pages may read idle; ",
				      LRU_GEN, val);
		}
		fclose(f);
	}
	for (int k = 0; k < 64 && n + 1 < len; k++) {
		snprintf(path, sizeof(path), KDAMONDS "/%d/state", k);
		f = fopen(path, "re");
		if (!f)
			break;
		if (fgets(val, sizeof(val), f) && !strncmp(val, "on", 2))
			n += snprintf(buf + n, len - n,
				      "WARNING: DAMON kdamond %d is running and sets PG_idle itself; ",
				      k);
		fclose(f);
	}
}

static void idle_probe(struct ws_probe *p)
{
	size_t psz = ws_page_size();
	uint64_t ent = 0;
	int fd, ret;
	char *page;

	memset(p, 0, sizeof(*p));
	fd = open(IDLE_BITMAP, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			snprintf(p->reason, sizeof(p->reason),
				 "CONFIG_IDLE_PAGE_TRACKING not enabled: %s: %s",
				 IDLE_BITMAP, strerror(errno));
		else if (errno == EACCES || errno == EPERM)
			snprintf(p->reason, sizeof(p->reason),
				 "needs root: open %s O_RDWR: %s", IDLE_BITMAP,
				 strerror(errno));
		else
			snprintf(p->reason, sizeof(p->reason),
				 "open %s O_RDWR: %s", IDLE_BITMAP,
				 strerror(errno));
		return;
	}
	close(fd);

	fd = open(KPAGEFLAGS, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(p->reason, sizeof(p->reason),
			 "open %s (to map THP tails to heads): %s", KPAGEFLAGS,
			 strerror(errno));
		return;
	}
	close(fd);

	fd = ws_pagemap_open();
	if (fd < 0) {
		snprintf(p->reason, sizeof(p->reason),
			 "open /proc/self/pagemap: %s", strerror(-fd));
		return;
	}
	page = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		snprintf(p->reason, sizeof(p->reason), "mmap scratch page: %s",
			 strerror(errno));
		close(fd);
		return;
	}
	*(volatile char *)page = 1;
	ret = ws_pagemap_read(fd, page, 1, &ent);
	munmap(page, psz);
	close(fd);
	if (ret) {
		snprintf(p->reason, sizeof(p->reason), "read pagemap: %s",
			 strerror(-ret));
		return;
	}
	if (!(ent & WS_PM_PRESENT)) {
		snprintf(p->reason, sizeof(p->reason),
			 "pagemap shows a just-written page as not present (entry 0x%llx)",
			 (unsigned long long)ent);
		return;
	}
	if (!(ent & WS_PM_PFN_MASK)) {
		snprintf(p->reason, sizeof(p->reason),
			 "pagemap hides PFNs: needs CAP_SYS_ADMIN");
		return;
	}
	hazards(p->detail, sizeof(p->detail));
	if (!p->detail[0])
		snprintf(p->detail, sizeof(p->detail),
			 "bitmap and PFNs readable; no MGLRU or DAMON interference");
	p->supported = true;
}

static void idle_close(struct ws_tracker *t)
{
	struct idle_priv *pv = t->priv;

	if (!pv)
		return;
	ws_close_fd(&pv->bitmap_fd);
	ws_close_fd(&pv->pmfd);
	ws_close_fd(&pv->kpf_fd);
	free(pv->entries);
	free(pv->head);
	free(pv->armed);
	free(pv->kbuf);
	free(pv->bits);
	free(pv->vals);
	free(pv);
	t->priv = NULL;
}

static int idle_alloc(struct ws_tracker *t, struct idle_priv *pv)
{
	size_t n = t->mem->npages ? t->mem->npages : 1;
	uint64_t pfns = max_pfn();

	if (!pfns)
		return ws_tracker_fail(t, EIO, "no zone spans any PFN in %s",
				       ZONEINFO);
	pv->nwords = (pfns + 63) / 64;
	pv->entries = malloc(n * sizeof(uint64_t));
	pv->head = malloc(n * sizeof(uint64_t));
	pv->armed = malloc(n * sizeof(uint64_t));
	pv->kbuf = malloc(n * sizeof(uint64_t));
	pv->bits = calloc(pv->nwords, sizeof(uint64_t));
	pv->vals = calloc(pv->nwords, sizeof(uint64_t));
	if (!pv->entries || !pv->head || !pv->armed || !pv->kbuf ||
	    !pv->bits || !pv->vals)
		return ws_tracker_fail(t, ENOMEM,
				       "buffers for %zu pages and %zu bitmap words",
				       n, pv->nwords);
	for (size_t i = 0; i < n; i++)
		pv->head[i] = pv->armed[i] = NO_PFN;
	return 0;
}

static int idle_open_files(struct ws_tracker *t, struct idle_priv *pv)
{
	int ret;

	pv->bitmap_fd = open(IDLE_BITMAP, O_RDWR | O_CLOEXEC);
	if (pv->bitmap_fd < 0)
		return ws_tracker_fail(t, errno, "open %s", IDLE_BITMAP);
	if (pv->large_folios) {
		pv->kpf_fd = open(KPAGEFLAGS, O_RDONLY | O_CLOEXEC);
		if (pv->kpf_fd < 0)
			return ws_tracker_fail(t, errno, "open %s", KPAGEFLAGS);
	}
	ret = ws_tracker_open_pagemap(t);
	if (ret < 0)
		return ret;
	pv->pmfd = ret;
	return 0;
}

static int idle_open(struct ws_tracker *t)
{
	struct ws_mem *m = t->mem;
	struct idle_priv *pv;
	int ret;

	if (!(t->ops->backings & WS_BACKING_BIT(m->backing)))
		return ws_tracker_fail(t, EOPNOTSUPP, "%s backing not supported: %s",
				       ws_backing_name(m->backing),
				       t->ops->backings_why);
	if (m->page_size != ws_page_size())
		return ws_tracker_fail(t, EINVAL,
			"tracking granule %zu != base page size", m->page_size);
	if (t->mode != WS_MODE_ASYNC)
		return ws_tracker_fail(t, EOPNOTSUPP,
			"only async mode: idle tracking never faults");

	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return ws_tracker_fail(t, ENOMEM, "allocating state");
	pv->bitmap_fd = pv->pmfd = pv->kpf_fd = -1;
	pv->large_folios = large_folios_possible(m);
	t->priv = pv;
	ret = idle_alloc(t, pv);
	if (!ret)
		ret = idle_open_files(t, pv);
	if (ret)
		idle_close(t);	/* t->err stays */
	return ret;
}

/* Mark the (head) PFNs of pages [first, first+n) idle. */
static int idle_arm(struct ws_tracker *t, size_t first, size_t npages)
{
	struct idle_priv *pv = t->priv;
	uint64_t t0;
	int ret;

	if (first > t->mem->npages || npages > t->mem->npages - first)
		return ws_tracker_fail(t, EINVAL, "arm pages %zu+%zu of %zu",
				       first, npages, t->mem->npages);
	ret = translate(t, first, npages);
	if (ret)
		return ret;
	memcpy(pv->armed + first, pv->head + first, npages * sizeof(uint64_t));
	/* Writes OR bits in: only our heads' bits are set in bits[]. */
	t0 = ws_now_ns();
	ret = bitmap_io(pv, true);
	ws_tracker_cost_add(t, "bitmap_write", t0);
	clear_bits(pv);
	if (ret)
		return ws_tracker_fail(t, -ret, "write %s", IDLE_BITMAP);
	return 0;
}

/* Hot pages from vals[]; bits[] keeps only the hot heads (to re-mark). */
static void read_back(struct ws_tracker *t, struct ws_pageset *out)
{
	struct idle_priv *pv = t->priv;
	uint64_t moved = 0;

	for (size_t w = pv->lo; w < pv->hi; w++)
		pv->bits[w] &= ~pv->vals[w];	/* set: accessed head */
	for (size_t i = 0; i < t->mem->npages; i++) {
		uint64_t h = pv->head[i];

		if (h == NO_PFN)
			continue;	/* not present: not accessed */
		if (h != pv->armed[i] && pv->armed[i] != NO_PFN)
			moved++;	/* new PFN, never marked: accessed */
		if (pv->bits[h / 64] >> (h % 64) & 1)
			ws_pageset_set(out, i);
	}
	if (moved)
		ws_tracker_count(t, "pfn_moved", moved);
}

static int idle_collect(struct ws_tracker *t, struct ws_pageset *out,
			bool rearm)
{
	struct idle_priv *pv = t->priv;
	uint64_t t0;
	int ret;

	ws_pageset_clear(out);
	/* PFNs may have changed since arm: translate again. */
	ret = translate(t, 0, t->mem->npages);
	if (ret)
		return ret;
	t0 = ws_now_ns();
	ret = bitmap_io(pv, false);
	ws_tracker_cost_add(t, "bitmap_read", t0);
	if (ret) {
		clear_bits(pv);
		return ws_tracker_fail(t, -ret, "read %s", IDLE_BITMAP);
	}
	read_back(t, out);
	if (rearm) {
		ws_tracker_mid_collect(t);
		/* Re-mark only the heads that are no longer idle. */
		t0 = ws_now_ns();
		ret = bitmap_io(pv, true);
		ws_tracker_cost_add(t, "bitmap_write", t0);
		memcpy(pv->armed, pv->head,
		       t->mem->npages * sizeof(uint64_t));
	}
	clear_bits(pv);
	if (ret)
		return ws_tracker_fail(t, -ret, "write %s", IDLE_BITMAP);
	return 0;
}

/*
 * Re-arm (.rearm_fixed): re-marks only the pages it just read as accessed: a page idle at the
 * read stays marked, so an access to it before the re-mark is reported
 * next interval.  A page the read found accessed and accessed again
 * before its re-mark is marked idle over that access, which no interval
 * reports: the kernel has no read-and-re-mark.  (The TLB hazard is
 * another matter: see the top.)
 */
const struct ws_tracker_ops ws_tracker_idle = {
	.name = "idle",
	.summary = "idle page tracking: PFN bitmap in sysfs, via pagemap PFNs: reads and writes",
	.sees = WS_SEES_ACCESSES,
	.backings = WS_BACKING_PAGES | WS_BACKING_BIT(WS_BACKING_GMEM),
	.backings_why = "hugetlb folios are not on the LRU: page_idle_get_folio() ignores them, so every page would read accessed",
	.modes = WS_MODE_BIT(WS_MODE_ASYNC),
	.faults_on = 0,
	.arm_leaves_tlb = true,
	.arm_is_ranged = true,
	.probe = idle_probe,
	.open = idle_open,
	.arm = idle_arm,
	.collect = idle_collect,
	.set_mode = NULL,
	.close = idle_close,
	.rearm_fixed = "hot-only",
	.rearm_fixed_misses = WS_MISS_HOT,
};
