/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which protnone-tracking UAPI does this kernel implement?  Linux 7.3 RWP
 * and the RFC v1 "minor-anon" share feature bits 17/18, ioctl 0x4010AA0A
 * and pagemap category bit 9 (with opposite polarity), so a program built
 * for one must refuse to run on the other (brief §4.2, §4.3).
 *
 * Collection (real syscalls) and classification (pure logic) are split so
 * unit tests can feed synthetic answers for 7.3, RFC and neither.
 */
#ifndef WS_UAPI_DETECT_H
#define WS_UAPI_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ws_uffd_answers {
	int create_errno;		/* 0 if a uffd could be created */
	int api_errno;			/* UFFDIO_API(features=0) */
	uint64_t features;		/* .features returned */
	uint64_t ioctls;		/* .ioctls returned */
	/* After API, on a mapped unregistered range (brief §4.3 step 4);
	 * 0 = not tried, else the errno the ioctl failed with (or -1 if it
	 * unexpectedly succeeded). */
	int rwprotect_errno;		/* ioctl 0xC018AA09 */
	int deactivate_errno;		/* ioctl 0x8010AA09 */
};

enum ws_uffd_flavour {
	WS_UFFD_NONE,		/* no uffd, or neither UAPI */
	WS_UFFD_RWP,		/* Linux 7.3 RWP */
	WS_UFFD_MINOR_ANON,	/* RFC v1 minor-anon */
	WS_UFFD_INCONSISTENT,	/* answers contradict each other */
};

const char *ws_uffd_flavour_name(enum ws_uffd_flavour f);

/* Pure: classify @a, writing the evidence into @why. */
enum ws_uffd_flavour ws_uffd_classify(const struct ws_uffd_answers *a,
				      char *why, size_t len);
/* Real probe on this kernel (throwaway fds, a scratch mapping). */
void ws_uffd_collect(struct ws_uffd_answers *a);
/* Collect + classify, cached for the process lifetime. */
enum ws_uffd_flavour ws_uffd_flavour(char *why, size_t len);

#endif /* WS_UAPI_DETECT_H */
