/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UAPI constants wsbench needs, defined here so the harness builds against
 * any kernel headers (bookworm ships 6.1 headers: no PAGEMAP_SCAN, no
 * WP_ASYNC, no RWP).  Values are from Linux 7.3.4 (see
 * shared/docs/kernel-uapi.md §1.1, §1.2, §2.1) and from the RFC v1
 * "minor-anon" series (§4.1).  Everything is prefixed WS_ so a newer
 * system header can never clash with or silently redefine these.
 *
 * Both UAPIs share feature bits 17/18, ioctl nr 0x0A and pagemap category
 * bit 9; see uapi_detect.h for how the two are told apart at runtime.
 */
#ifndef WS_COMPAT_UAPI_H
#define WS_COMPAT_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/userfaultfd.h>

/* ---- userfaultfd: features ---- */
#define WS_UFFD_FEATURE_WP_HUGETLBFS_SHMEM	(1ULL << 12)
#define WS_UFFD_FEATURE_WP_UNPOPULATED		(1ULL << 13)
#define WS_UFFD_FEATURE_POISON			(1ULL << 14)
#define WS_UFFD_FEATURE_WP_ASYNC		(1ULL << 15)
#define WS_UFFD_FEATURE_MOVE			(1ULL << 16)
/* 7.3 names */
#define WS_UFFD_FEATURE_RWP			(1ULL << 17)
#define WS_UFFD_FEATURE_RWP_ASYNC		(1ULL << 18)
/* RFC v1 names for the same bits */
#define WS_UFFD_FEATURE_MINOR_ANON		(1ULL << 17)
#define WS_UFFD_FEATURE_MINOR_ASYNC		(1ULL << 18)

#define WS_UFFD_USER_MODE_ONLY			1

/* ---- userfaultfd: register modes ---- */
#define WS_UFFDIO_REGISTER_MODE_MISSING		((__u64)1 << 0)
#define WS_UFFDIO_REGISTER_MODE_WP		((__u64)1 << 1)
#define WS_UFFDIO_REGISTER_MODE_MINOR		((__u64)1 << 2)
#define WS_UFFDIO_REGISTER_MODE_RWP		((__u64)1 << 3)

/* ---- userfaultfd: fault flags ---- */
#define WS_UFFD_PAGEFAULT_FLAG_WRITE		(1 << 0)
#define WS_UFFD_PAGEFAULT_FLAG_WP		(1 << 1)
#define WS_UFFD_PAGEFAULT_FLAG_MINOR		(1 << 2)
#define WS_UFFD_PAGEFAULT_FLAG_RWP		(1 << 3)

/* ---- userfaultfd: ioctl numbers ---- */
#define WS_UFFDIO				0xAA
#define WS__UFFDIO_WRITEPROTECT			0x06
#define WS__UFFDIO_CONTINUE			0x07
#define WS__UFFDIO_RWPROTECT			0x09	/* 7.3 */
#define WS__UFFDIO_DEACTIVATE			0x09	/* RFC v1 */
#define WS__UFFDIO_SET_MODE			0x0A	/* both */

struct ws_uffdio_range {
	__u64 start;
	__u64 len;
};

/* 7.3: struct uffdio_rwprotect */
struct ws_uffdio_rwprotect {
	struct ws_uffdio_range range;
#define WS_UFFDIO_RWPROTECT_MODE_RWP		((__u64)1 << 0)
#define WS_UFFDIO_RWPROTECT_MODE_DONTWAKE	((__u64)1 << 1)
	__u64 mode;
};

/* 7.3 and RFC v1: struct uffdio_set_mode (same layout in both) */
struct ws_uffdio_set_mode {
	__u64 enable;
	__u64 disable;
};

/* Linux >= 5.7 has these in any header, but keep one spelling. */
struct ws_uffdio_writeprotect {
	struct ws_uffdio_range range;
#define WS_UFFDIO_WRITEPROTECT_MODE_WP		((__u64)1 << 0)
#define WS_UFFDIO_WRITEPROTECT_MODE_DONTWAKE	((__u64)1 << 1)
	__u64 mode;
};

struct ws_uffdio_continue {
	struct ws_uffdio_range range;
#define WS_UFFDIO_CONTINUE_MODE_DONTWAKE	((__u64)1 << 0)
	__u64 mode;
	__s64 mapped;
};

#define WS_UFFDIO_WRITEPROTECT	_IOWR(WS_UFFDIO, WS__UFFDIO_WRITEPROTECT, \
				      struct ws_uffdio_writeprotect)
#define WS_UFFDIO_CONTINUE	_IOWR(WS_UFFDIO, WS__UFFDIO_CONTINUE, \
				      struct ws_uffdio_continue)
/* 0xC018AA09 */
#define WS_UFFDIO_RWPROTECT	_IOWR(WS_UFFDIO, WS__UFFDIO_RWPROTECT, \
				      struct ws_uffdio_rwprotect)
/* 0x8010AA09: differs from RWPROTECT in direction and size */
#define WS_UFFDIO_DEACTIVATE	_IOR(WS_UFFDIO, WS__UFFDIO_DEACTIVATE, \
				     struct ws_uffdio_range)
/* 0x4010AA0A in both UAPIs */
#define WS_UFFDIO_SET_MODE	_IOW(WS_UFFDIO, WS__UFFDIO_SET_MODE, \
				     struct ws_uffdio_set_mode)

/* /dev/userfaultfd */
#define WS_USERFAULTFD_IOC_NEW	_IO(WS_UFFDIO, 0x00)

/* ---- PAGEMAP_SCAN (Linux >= 6.7) ---- */
#define WS_PAGE_IS_WPALLOWED	(1ULL << 0)
#define WS_PAGE_IS_WRITTEN	(1ULL << 1)
#define WS_PAGE_IS_FILE		(1ULL << 2)
#define WS_PAGE_IS_PRESENT	(1ULL << 3)
#define WS_PAGE_IS_SWAPPED	(1ULL << 4)
#define WS_PAGE_IS_PFNZERO	(1ULL << 5)
#define WS_PAGE_IS_HUGE		(1ULL << 6)
#define WS_PAGE_IS_SOFT_DIRTY	(1ULL << 7)
#define WS_PAGE_IS_GUARD	(1ULL << 8)
#define WS_PAGE_IS_ACCESSED		(1ULL << 9)	/* 7.3: hot */
#define WS_PAGE_IS_UFFD_DEACTIVATED	(1ULL << 9)	/* RFC: cold */

struct ws_page_region {
	__u64 start;
	__u64 end;	/* exclusive */
	__u64 categories;
};

#define WS_PM_SCAN_WP_MATCHING		(1ULL << 0)
#define WS_PM_SCAN_CHECK_WPASYNC	(1ULL << 1)

struct ws_pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define WS_PAGEMAP_SCAN		_IOWR('f', 16, struct ws_pm_scan_arg)

/* ---- /proc/pid/pagemap entry bits ---- */
#define WS_PM_PFN_MASK		((1ULL << 55) - 1)
#define WS_PM_SOFT_DIRTY	(1ULL << 55)
#define WS_PM_EXCLUSIVE		(1ULL << 56)
#define WS_PM_UFFD_WP		(1ULL << 57)	/* the uffd PTE bit (WP or RWP) */
#define WS_PM_FILE		(1ULL << 61)
#define WS_PM_SWAP		(1ULL << 62)
#define WS_PM_PRESENT		(1ULL << 63)

#endif /* WS_COMPAT_UAPI_H */
