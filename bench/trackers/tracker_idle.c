// SPDX-License-Identifier: GPL-2.0
/*
 * Idle page tracking (brief §5): /sys/kernel/mm/page_idle/bitmap, a bitmap
 * indexed by PFN.  Setting a page's bit clears the young bit in every PTE
 * mapping it (an rmap walk) and sets PG_idle; any later access sets a young
 * bit again, and reading the bitmap reports the page idle only if no
 * mapping is young.  Sees reads and writes, never faults: async only.
 *
 * The interface is physical, so every arm and collect first translates our
 * virtual pages to PFNs: one pread of /proc/self/pagemap (needs
 * CAP_SYS_ADMIN, else PFNs read 0), then /proc/kpageflags for the pages'
 * PFNs to map each THP tail to its head -- the kernel only tracks heads
 * (page_idle_get_folio refuses tail pages, which always read "not idle").
 * PFNs are then sorted into 64-bit bitmap words and every run of adjacent
 * words is one pread/pwrite, so the number of syscalls follows the
 * physical scatter of our pages: a contiguous 2 MiB THP is one word run,
 * 4 KiB pages spread over RAM are up to one call per page.  That is the
 * API's real cost and the benchmarks report it as such.
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
#include "tracker.h"

#define IDLE_BITMAP	"/sys/kernel/mm/page_idle/bitmap"
#define KPAGEFLAGS	"/proc/kpageflags"
#define LRU_GEN		"/sys/kernel/mm/lru_gen/enabled"
#define KDAMONDS	"/sys/kernel/mm/damon/admin/kdamonds"

/* include/uapi/linux/kernel-page-flags.h */
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16

#define NO_PFN		UINT64_MAX
/* Largest folio order a tail's head is searched over (PUD = 18). */
#define MAX_FOLIO_ORDER	18
/* kpageflags read chunk (entries) and the PFN gap merged into one read. */
#define KPF_CHUNK	4096
#define KPF_MERGE_GAP	64

struct idle_priv {
	int bitmap_fd;
	int pmfd;
	int kpf_fd;
	/* All per page or per PFN, allocated at open: nothing in the timed
	 * paths allocates. */
	uint64_t *entries;	/* pagemap entries */
	uint64_t *head;		/* head PFN per page, NO_PFN if not present */
	uint64_t *sorted;	/* scratch: sorted unique PFNs */
	uint64_t *flags;	/* kpageflags of sorted[] */
	uint64_t *kbuf;		/* kpageflags read chunk */
	uint64_t *words;	/* bitmap word indices, sorted unique */
	uint64_t *masks;	/* our PFN bits in each word */
	uint64_t *vals;		/* bitmap words read back */
	size_t nwords;
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
 * Read or write the bitmap for every run of adjacent word indices in
 * words[0..nwords): one call per run, on the matching slice of @buf.
 */
static int for_each_word_run(struct idle_priv *pv, uint64_t *buf, bool write)
{
	size_t k = 0;

	while (k < pv->nwords) {
		size_t e = k + 1;
		int ret;

		while (e < pv->nwords && pv->words[e] == pv->words[e - 1] + 1)
			e++;
		if (write)
			ret = pwrite_full(pv->bitmap_fd, buf + k,
					  (e - k) * sizeof(uint64_t),
					  pv->words[k] * sizeof(uint64_t));
		else
			ret = pread_full(pv->bitmap_fd, buf + k,
					 (e - k) * sizeof(uint64_t),
					 pv->words[k] * sizeof(uint64_t));
		if (ret)
			return ret;
		k = e;
	}
	return 0;
}

/* ---- virtual page -> head PFN ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and deduplicate a[0..n); returns the new length. */
static size_t sort_unique(uint64_t *a, size_t n)
{
	size_t out = 0;

	qsort(a, n, sizeof(*a), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (!out || a[i] != a[out - 1])
			a[out++] = a[i];
	return out;
}

static const uint64_t *find_u64(const uint64_t *a, size_t n, uint64_t key)
{
	return bsearch(&key, a, n, sizeof(*a), cmp_u64);
}

/* kpageflags of sorted[0..n) into flags[], merging nearby PFNs per read. */
static int read_kpageflags(struct idle_priv *pv, size_t n)
{
	size_t j = 0;

	while (j < n) {
		uint64_t lo = pv->sorted[j];
		size_t e = j + 1;
		uint64_t hi;
		int ret;

		while (e < n && pv->sorted[e] - pv->sorted[e - 1] <= KPF_MERGE_GAP &&
		       pv->sorted[e] - lo < KPF_CHUNK)
			e++;
		hi = pv->sorted[e - 1];
		ret = pread_full(pv->kpf_fd, pv->kbuf,
				 (hi - lo + 1) * sizeof(uint64_t),
				 lo * sizeof(uint64_t));
		if (ret)
			return ret;
		for (; j < e; j++)
			pv->flags[j] = pv->kbuf[pv->sorted[j] - lo];
	}
	return 0;
}

static int pfn_flags(struct idle_priv *pv, size_t nsorted, uint64_t pfn,
		     uint64_t *flags)
{
	const uint64_t *hit = find_u64(pv->sorted, nsorted, pfn);

	if (hit) {
		*flags = pv->flags[hit - pv->sorted];
		return 0;
	}
	return pread_full(pv->kpf_fd, flags, sizeof(*flags),
			  pfn * sizeof(uint64_t));
}

/*
 * Head of the folio containing tail page @pfn: the first naturally aligned
 * PFN below it (smallest alignment first) that is a compound head -- the
 * aligned candidates between the head and @pfn are all tails of the same
 * folio, so the first head found is ours.
 */
static int find_head(struct idle_priv *pv, size_t nsorted, uint64_t pfn,
		     uint64_t *head)
{
	for (int order = 1; order <= MAX_FOLIO_ORDER; order++) {
		uint64_t c = pfn & ~((1ULL << order) - 1), f;
		int ret = pfn_flags(pv, nsorted, c, &f);

		if (ret)
			return ret;
		if (f & (1ULL << KPF_COMPOUND_HEAD)) {
			*head = c;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Pages [first, first+n): one pagemap pread, then head[] per page.  Pages
 * that are not present (or show PFN 0) get NO_PFN.
 */
static int resolve_heads(struct ws_tracker *t, size_t first, size_t n)
{
	struct idle_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	uint64_t *e = pv->entries + first, *h = pv->head + first;
	size_t ns = 0;
	int ret;

	ret = ws_pagemap_read(pv->pmfd, m->addr + first * m->page_size, n, e);
	if (ret)
		return ws_tracker_fail(t, -ret, "read pagemap (%zu pages)", n);
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = e[i] & WS_PM_PFN_MASK;

		h[i] = (e[i] & WS_PM_PRESENT) && pfn ? pfn : NO_PFN;
		if (h[i] != NO_PFN)
			pv->sorted[ns++] = pfn;
	}
	ns = sort_unique(pv->sorted, ns);
	ret = read_kpageflags(pv, ns);
	if (ret)
		return ws_tracker_fail(t, -ret, "read %s", KPAGEFLAGS);

	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = h[i], f;

		if (pfn == NO_PFN)
			continue;
		f = pv->flags[find_u64(pv->sorted, ns, pfn) - pv->sorted];
		if (!(f & (1ULL << KPF_COMPOUND_TAIL)))
			continue;
		/* Usually the previous page is the previous PFN: same folio. */
		if (i && (e[i - 1] & WS_PM_PFN_MASK) + 1 == pfn &&
		    h[i - 1] != NO_PFN) {
			h[i] = h[i - 1];
			continue;
		}
		ret = find_head(pv, ns, pfn, &h[i]);
		if (ret)
			return ws_tracker_fail(t, -ret,
				"no compound head for tail PFN 0x%llx in %s",
				(unsigned long long)pfn, KPAGEFLAGS);
	}
	return 0;
}

/* words[]/masks[] from the heads of pages [first, first+n). */
static void build_words(struct idle_priv *pv, size_t first, size_t n)
{
	size_t nh = 0, nw = 0;

	for (size_t i = first; i < first + n; i++)
		if (pv->head[i] != NO_PFN)
			pv->sorted[nh++] = pv->head[i];
	nh = sort_unique(pv->sorted, nh);
	for (size_t j = 0; j < nh; j++) {
		uint64_t w = pv->sorted[j] / 64;

		if (!nw || pv->words[nw - 1] != w) {
			pv->words[nw] = w;
			pv->masks[nw++] = 0;
		}
		pv->masks[nw - 1] |= 1ULL << (pv->sorted[j] % 64);
	}
	pv->nwords = nw;
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
	if (pv->bitmap_fd >= 0)
		close(pv->bitmap_fd);
	if (pv->pmfd >= 0)
		close(pv->pmfd);
	if (pv->kpf_fd >= 0)
		close(pv->kpf_fd);
	free(pv->entries);
	free(pv->head);
	free(pv->sorted);
	free(pv->flags);
	free(pv->kbuf);
	free(pv->words);
	free(pv->masks);
	free(pv->vals);
	free(pv);
	t->priv = NULL;
}

static int idle_open(struct ws_tracker *t)
{
	struct ws_mem *m = t->mem;
	size_t n = m->npages ? m->npages : 1;
	struct idle_priv *pv;
	int ret;

	if (!(t->ops->backings & WS_BACKING_BIT(m->backing)))
		return ws_tracker_fail(t, EOPNOTSUPP,
			"%s backing not supported: hugetlb folios are not on the LRU, idle tracking ignores them",
			ws_backing_name(m->backing));
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
	t->priv = pv;

	pv->entries = malloc(n * sizeof(uint64_t));
	pv->head = malloc(n * sizeof(uint64_t));
	pv->sorted = malloc(n * sizeof(uint64_t));
	pv->flags = malloc(n * sizeof(uint64_t));
	pv->kbuf = malloc(KPF_CHUNK * sizeof(uint64_t));
	pv->words = malloc(n * sizeof(uint64_t));
	pv->masks = malloc(n * sizeof(uint64_t));
	pv->vals = malloc(n * sizeof(uint64_t));
	if (!pv->entries || !pv->head || !pv->sorted || !pv->flags ||
	    !pv->kbuf || !pv->words || !pv->masks || !pv->vals) {
		idle_close(t);
		return ws_tracker_fail(t, ENOMEM, "buffers for %zu pages", n);
	}
	for (size_t i = 0; i < n; i++)
		pv->head[i] = NO_PFN;

	pv->bitmap_fd = open(IDLE_BITMAP, O_RDWR | O_CLOEXEC);
	if (pv->bitmap_fd < 0) {
		ret = errno;
		idle_close(t);
		return ws_tracker_fail(t, ret, "open %s", IDLE_BITMAP);
	}
	pv->kpf_fd = open(KPAGEFLAGS, O_RDONLY | O_CLOEXEC);
	if (pv->kpf_fd < 0) {
		ret = errno;
		idle_close(t);
		return ws_tracker_fail(t, ret, "open %s", KPAGEFLAGS);
	}
	ret = ws_pagemap_open();
	if (ret < 0) {
		idle_close(t);
		return ws_tracker_fail(t, -ret, "open /proc/self/pagemap");
	}
	pv->pmfd = ret;
	return 0;
}

/* Mark the (head) PFNs of pages [first, first+n) idle. */
static int idle_arm(struct ws_tracker *t, size_t first, size_t npages)
{
	struct idle_priv *pv = t->priv;
	int ret;

	if (first > t->mem->npages || npages > t->mem->npages - first)
		return ws_tracker_fail(t, EINVAL, "arm pages %zu+%zu of %zu",
				       first, npages, t->mem->npages);
	ret = resolve_heads(t, first, npages);
	if (ret)
		return ret;
	build_words(pv, first, npages);
	/* Writes OR bits in: only our PFNs' bits are set in masks[]. */
	ret = for_each_word_run(pv, pv->masks, true);
	if (ret)
		return ws_tracker_fail(t, -ret, "write %s", IDLE_BITMAP);
	return 0;
}

static int idle_collect(struct ws_tracker *t, struct ws_pageset *out,
			bool rearm)
{
	struct idle_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	int ret;

	ws_pageset_clear(out);
	/* PFNs may have changed since arm: translate again. */
	ret = resolve_heads(t, 0, m->npages);
	if (ret)
		return ret;
	build_words(pv, 0, m->npages);
	ret = for_each_word_run(pv, pv->vals, false);
	if (ret)
		return ws_tracker_fail(t, -ret, "read %s", IDLE_BITMAP);

	for (size_t i = 0; i < m->npages; i++) {
		uint64_t h = pv->head[i];
		const uint64_t *w;

		if (h == NO_PFN)
			continue;	/* not present: not accessed */
		w = find_u64(pv->words, pv->nwords, h / 64);
		if (!(pv->vals[w - pv->words] >> (h % 64) & 1))
			ws_pageset_set(out, i);
	}
	if (!rearm)
		return 0;

	ws_tracker_mid_collect(t);
	/* Re-mark only the heads that are no longer idle. */
	for (size_t k = 0; k < pv->nwords; k++)
		pv->masks[k] &= ~pv->vals[k];
	ret = for_each_word_run(pv, pv->masks, true);
	if (ret)
		return ws_tracker_fail(t, -ret, "write %s", IDLE_BITMAP);
	return 0;
}

/*
 * Re-marks only the pages it just read as accessed: a page idle at the
 * read stays marked, so an access to it before the re-mark is reported
 * next interval.  (The TLB hazard is another matter: see the top.)
 */
static const char *idle_rearm_method(const struct ws_tracker *t,
				     bool *lossless)
{
	(void)t;
	*lossless = true;
	return "hot-only";
}

const struct ws_tracker_ops ws_tracker_idle = {
	.name = "idle",
	.summary = "idle page tracking: PFN bitmap in sysfs, via pagemap PFNs: reads and writes",
	.sees = WS_SEES_ACCESSES,
	.backings = WS_BACKING_BIT(WS_BACKING_ANON) |
		    WS_BACKING_BIT(WS_BACKING_ANON_THP) |
		    WS_BACKING_BIT(WS_BACKING_SHMEM),
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
	.rearm_method = idle_rearm_method,
};
