/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory of the VMM cycle, laid out as the kernel's own RWP VMM
 * workflow has it (Documentation/admin-guide/mm/userfaultfd.rst): one memfd
 * mapped twice -- the vCPU view the workers touch, which the tracker
 * registers (plus MISSING, for refaults), and the manager's I/O view, which
 * nobody tracks, so reading a page to write it out never faults on the
 * tracker's protections -- and a storage file evicted pages go to.
 *
 * Eviction writes a run of cold pages from the I/O view to storage, punches
 * them out of the memfd and wakes any vCPU blocked on them; the blocked (or
 * any later) access then faults as MISSING and ws_guest_refault() brings
 * the page back with UFFDIO_COPY, after checking its content against the
 * workload's integrity stamps.  The same code serves every backend: only
 * detection and freezing differ.
 */
#ifndef WS_VMM_GUEST_H
#define WS_VMM_GUEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine.h"
#include "mem.h"
#include "pageset.h"
#include "stats.h"

enum ws_page_state {
	WS_PAGE_RESIDENT,
	WS_PAGE_EVICTING,	/* being written out */
	WS_PAGE_EVICTED,	/* in storage; next access refaults */
};

struct ws_guest {
	struct ws_mem mem;		/* vCPU view (tracked) */
	char *io;			/* manager's view of the same memfd */
	int storage_fd;
	char storage_path[256];
	_Atomic uint8_t *state;		/* enum ws_page_state per page */
	/*
	 * ws_guest_adopt(): state lives in a memfd of its own, which the
	 * target's preload library maps too, so that it can restore evicted
	 * pages from storage should wsbench die (bench/attach/).
	 */
	int state_fd;
	bool state_shared;
	uint32_t *evicted_in;		/* interval a page was last evicted in */
	/*
	 * Refaulted since ws_guest_refaults_clear(): such a page is back,
	 * unprotected, in the vCPU view, and its writes reach it without a
	 * fault the freeze could hold -- it must not be evicted on a scan
	 * that predates its refault (the cycle's pick_cold()).
	 */
	_Atomic uint8_t *refaulted;
	/*
	 * Tests only: write every run of an eviction out, wait up to this
	 * long (until a vCPU writes a page written out), then punch them all,
	 * widening the window in which an unfrozen vCPU's write is lost
	 * (--protocol unsafe must be caught; safe, whose vCPUs are frozen
	 * meanwhile, must lose nothing).
	 */
	unsigned int test_punch_delay_us;
	/*
	 * Tests only, optional: called in place of that wait
	 * (nested track: asks the nested guest to write pages being
	 * evicted, then sleeps the rest of the wait).
	 */
	void (*punch_window)(struct ws_guest *g, void *arg);
	void *punch_window_arg;
	/*
	 * With punch_window, optional: only these pages wait for it; the
	 * other runs are punched before it, at once.
	 */
	const struct ws_pageset *punch_keep;
	/*
	 * UFFDIO_COPY mode of a read refault (struct ws_tracker_ops'
	 * read_refault_copy_mode, when refaults use the tracker's uffd).
	 */
	uint64_t read_copy_mode;
	unsigned char *incore;		/* mincore() of an eviction run */
	_Atomic uint32_t interval;	/* the cycle's current interval */
	struct ws_wl *wl;		/* integrity stamps to check */
	void *bounce;			/* refault buffer (one handler thread) */
	/* Counters, updated by the handler thread, read by the manager. */
	_Atomic uint64_t refaults, refaults_recent, refault_cpu_ns;
	_Atomic uint64_t first_touches;	/* MISSING on never-evicted pages */
	_Atomic uint64_t bad_words, bad_pages;	/* bad_pages: per refault */
	/*
	 * Pages found bad at a refault (one byte each), so that a page
	 * refaulted twice, or bad again at the end, is lost once: written by
	 * the handler thread, read once it stopped.
	 */
	uint8_t *bad_at_refault;
	struct ws_wl_bad first_bad;
	_Atomic bool have_bad;
	/* Refault latency (ns from message read to page installed), one per
	 * refault: written by the handler thread only, read after it stopped. */
	struct ws_samples refault_ns;
};

/*
 * Map @len bytes of shmem twice and open the storage file (in @dir:
 * unlinked right away, so nothing is left behind).  0 or -errno with @why.
 */
int ws_guest_init(struct ws_guest *g, size_t len, const char *dir,
		  char *why, size_t whylen);
void ws_guest_free(struct ws_guest *g);

/*
 * Guest memory that another process mapped (wsbench attach): the vCPU
 * view is its range at @addr (its address space: never dereferenced
 * here), @memfd at @offset backs it and is mapped here as the I/O view;
 * the storage file and a shared page-state memfd (state_fd) are created
 * as by ws_guest_init().  Takes @memfd.  0 or -errno with @why.
 */
int ws_guest_adopt(struct ws_guest *g, uintptr_t addr, size_t len,
		   int memfd, off_t offset, const char *dir, char *why,
		   size_t whylen);

/*
 * Evict the pages of @set that are resident and in memory (not holes):
 * write each run out, punch it, wake its waiters on @uffd (-1: none), mark
 * it evicted in @interval.  Returns the number of pages evicted, or -errno.
 */
long ws_guest_evict(struct ws_guest *g, const struct ws_pageset *set,
		    int uffd, uint32_t interval);

/*
 * Resolve a MISSING fault at @addr (handler thread): read the page from
 * storage, check its stamps, UFFDIO_COPY it into the vCPU view (which
 * wakes the faulting thread); a read fault in read_copy_mode.  A page
 * never evicted is a first touch and gets zeros (first_touches).  0 or
 * -errno.
 */
int ws_guest_refault(struct ws_guest *g, int uffd, uint64_t addr,
		     bool write);

size_t ws_guest_resident(const struct ws_guest *g);
void ws_guest_refaults_clear(struct ws_guest *g);
static inline bool ws_guest_refaulted(const struct ws_guest *g, size_t i)
{
	return atomic_load(&g->refaulted[i]);
}
/* Is page @i resident (not being or having been evicted)? */
static inline bool ws_guest_is_resident(const struct ws_guest *g, size_t i)
{
	return atomic_load_explicit(&g->state[i], memory_order_relaxed) ==
	       WS_PAGE_RESIDENT;
}

#endif /* WS_VMM_GUEST_H */
