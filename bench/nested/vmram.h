/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VMM's guest RAM seen from outside the VMM process: its memfd mapping
 * in /proc/PID/maps, the memfd itself (through /proc/PID/map_files, so
 * reads are by memfd offset) and the mapping's /proc/PID/pagemap entries.
 * Root (or ptrace rights over the VMM) is needed for all three.
 *
 * Two trackers that need no help from the VMM watch that mapping:
 * soft-dirty (/proc/PID/clear_refs 4, pagemap bit 55: writes only) and
 * idle page tracking (pagemap PFNs, /sys/kernel/mm/page_idle/bitmap: reads
 * and writes).  Both work on the whole VMM process or the physical pages,
 * never on a range: clear_refs write-protects all of QEMU's memory, idle
 * clears young bits through every mapping of the RAM pages.
 */
#ifndef WS_NESTED_VMRAM_H
#define WS_NESTED_VMRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pageset.h"

struct ws_vmram {
	pid_t pid;
	uint64_t start;		/* mapping address in the VMM */
	size_t len, npages, page_size;
	char name[128];		/* the mapping's file name */
	int memfd;		/* the RAM memfd (read-only), by offset */
	int pagemap;		/* /proc/PID/pagemap */
	uint64_t *entries;	/* pagemap entries of the mapping */
};

/*
 * Find the VMM's RAM: the largest shared mapping of a memfd (or exactly
 * @len bytes when @len != 0) in /proc/@pid/maps, and open it.  0, or
 * -errno with @why.
 */
int ws_vmram_open(struct ws_vmram *v, pid_t pid, size_t len, char *why,
		  size_t whylen);
void ws_vmram_close(struct ws_vmram *v);
/* Refresh v->entries (one pread).  0 or -errno. */
int ws_vmram_pagemap(struct ws_vmram *v);
/* Read page @page of the memfd into @buf.  0 or -errno. */
int ws_vmram_read_page(const struct ws_vmram *v, size_t page, void *buf);

/*
 * How the RAM is watched.  soft-dirty and idle need nothing from QEMU
 * (struct ws_outer below); rwp and wp need the userfaultfd of QEMU's RAM,
 * which only QEMU's process can open: QEMU runs with the preload library
 * of bench/attach/ and hands it over (uffdvia.c).  DAMON needs nothing
 * from QEMU either (vaddr on its pid, the RAM mapping as the one region),
 * but is a tracker of bench/trackers/ like rwp and wp (uffdvia.c).
 */
enum ws_outer_via {
	WS_VIA_SOFTDIRTY,
	WS_VIA_IDLE,
	WS_VIA_RWP,
	WS_VIA_WP,
	WS_VIA_DAMON,
	WS_VIA_NR
};

#define WS_VIA_UFFD_MASK	((1u << WS_VIA_RWP) | (1u << WS_VIA_WP))

static inline bool ws_via_is_uffd(enum ws_outer_via via)
{
	return WS_VIA_UFFD_MASK & (1u << via);
}

/*
 * A tracker of bench/trackers/ on QEMU's addresses (uffdvia.c), not a
 * struct ws_outer.  Each runs in a boot of its own: rwp and wp take the
 * one userfaultfd of the RAM mapping, DAMON clears the accessed bits idle
 * reads, and all would disturb or be disturbed by soft-dirty's
 * write-protection of the whole process.
 */
#define WS_VIA_TRACKER_MASK	(WS_VIA_UFFD_MASK | (1u << WS_VIA_DAMON))

static inline bool ws_via_is_tracker(enum ws_outer_via via)
{
	return WS_VIA_TRACKER_MASK & (1u << via);
}

/* Soft-dirty and wp see writes only; idle, rwp and DAMON reads and writes. */
static inline bool ws_via_writes_only(enum ws_outer_via via)
{
	return via == WS_VIA_SOFTDIRTY || via == WS_VIA_WP;
}

const char *ws_outer_via_name(enum ws_outer_via via);

struct ws_outer {
	enum ws_outer_via via;
	struct ws_vmram *ram;
	int fd;			/* clear_refs or the idle bitmap */
	uint64_t *armed_pfn;	/* idle: PFN each page had when armed, 0 none */
	uint64_t *words;	/* idle: bitmap words indexed by PFN / 64 */
	size_t nwords;
	uint64_t pfn_moved;	/* idle: pages whose PFN changed since arm */
	uint64_t arm_ns, collect_ns;	/* total time spent */
	uint64_t arms, collects;
};

/* 0, or -errno with the exact reason this kernel cannot do it. */
int ws_outer_open(struct ws_outer *o, enum ws_outer_via via,
		  struct ws_vmram *ram, char *why, size_t whylen);
void ws_outer_close(struct ws_outer *o);
int ws_outer_arm(struct ws_outer *o);
/* Pages of the RAM accessed (idle) or written (soft-dirty) since arm. */
int ws_outer_collect(struct ws_outer *o, struct ws_pageset *hot);

#endif /* WS_NESTED_VMRAM_H */
