/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory backings a tracker can be asked to watch: anonymous private memory
 * with THP off or on, shmem (memfd), hugetlbfs and guest_memfd (gmem: a KVM
 * VM's guest memory file, mmap()ed shared).  Allocation failures that
 * mean "this machine cannot provide the backing" (no huge pages reserved,
 * THP compiled out) are reported as a skip reason, not an error.
 */
#ifndef WS_MEM_H
#define WS_MEM_H

#include <stdbool.h>
#include <stddef.h>

enum ws_backing {
	WS_BACKING_ANON,	/* MAP_PRIVATE|MAP_ANONYMOUS + MADV_NOHUGEPAGE */
	WS_BACKING_ANON_THP,	/* same, 2 MiB aligned, MADV_HUGEPAGE */
	WS_BACKING_SHMEM,	/* memfd_create + MAP_SHARED */
	WS_BACKING_HUGETLB,	/* memfd_create(MFD_HUGETLB) + MAP_SHARED */
	WS_BACKING_GMEM,	/* KVM_CREATE_GUEST_MEMFD + MAP_SHARED (gmem.h) */
	WS_BACKING_NR
};

#define WS_BACKING_BIT(b)	(1u << (b))
#define WS_BACKING_ALL		((1u << WS_BACKING_NR) - 1)
/* Private and shared 4K memory, and THP: what page tables track alike. */
#define WS_BACKING_PAGES	(WS_BACKING_BIT(WS_BACKING_ANON) | \
				 WS_BACKING_BIT(WS_BACKING_ANON_THP) | \
				 WS_BACKING_BIT(WS_BACKING_SHMEM))
/*
 * What a run measures without --backing: all but gmem, which needs KVM in
 * the kernel (KERNEL=gmem) and is asked for by name (or "all").
 */
#define WS_BACKING_DEFAULT	(WS_BACKING_ALL & ~WS_BACKING_BIT(WS_BACKING_GMEM))
/* PMD-sized THP with 4 KiB base pages (x86-64, arm64 4K granule). */
#define WS_THP_SIZE		(2UL << 20)

struct ws_mem {
	enum ws_backing backing;
	char *addr;
	size_t len;		/* bytes, a multiple of page_size */
	size_t page_size;	/* tracking granule: 4 KiB, or 2 MiB for hugetlb */
	size_t npages;		/* len / page_size */
	int fd;			/* memfd for shmem/hugetlb, guest_memfd, -1 for anon */
	int vm_fd;		/* gmem: the KVM VM owning fd, else -1 */
	void *map_base;		/* what to munmap (anon THP over-allocates to align) */
	size_t map_len;
};

const char *ws_backing_name(enum ws_backing b);
/* Returns -1 for an unknown name. */
int ws_backing_from_name(const char *name);
/* "anon, anon-thp, shmem, hugetlb, gmem" for error messages. */
const char *ws_backing_names(void);

/*
 * Map @len bytes of @backing.  On failure returns -errno and writes why into
 * @why (e.g. "no free huge pages (HugePages_Free=0); reserve some with
 * vm.nr_hugepages").  Memory is not populated.
 */
int ws_mem_map(struct ws_mem *m, enum ws_backing backing, size_t len,
	       char *why, size_t whylen);
/* Write one byte per base page so every page is present and dirty. */
void ws_mem_populate(struct ws_mem *m);
void ws_mem_unmap(struct ws_mem *m);

/* MemAvailable in bytes (0 if unknown). */
size_t ws_mem_available(void);
/* Huge pages free for a new mapping (HugePages_Free - Rsvd); *page_size
 * receives the default huge page size (0 without hugetlbfs). */
size_t ws_hugetlb_free(size_t *page_size);

/* Base system page size (cached sysconf). */
size_t ws_page_size(void);

#endif /* WS_MEM_H */
