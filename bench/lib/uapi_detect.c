// SPDX-License-Identifier: GPL-2.0
/*
 * Tell Linux 7.3 RWP from the RFC v1 minor-anon UAPI (brief §4.2, §4.3).
 *
 * Two independent pieces of evidence are collected and must agree:
 *   - UFFDIO_API(features=0) on a throwaway fd: bit 17 offered at all, and
 *     whether .ioctls advertises SET_MODE (bit 10: 7.3 only);
 *   - the two spellings of ioctl nr 0x09 on a mapped, unregistered range:
 *     the one the kernel knows walks the VMAs and fails ENOENT, the one it
 *     does not know falls out of the dispatcher with EINVAL.  Neither has a
 *     side effect on an unregistered range.
 * Anything else is reported as INCONSISTENT with the evidence, never
 * guessed.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compat_uapi.h"
#include "mem.h"
#include "uapi_detect.h"
#include "uffd.h"

#define API_SET_MODE_BIT	(1ULL << WS__UFFDIO_SET_MODE)

static const char *const flavour_names[] = {
	[WS_UFFD_NONE] = "none",
	[WS_UFFD_RWP] = "rwp",
	[WS_UFFD_MINOR_ANON] = "minor-anon",
	[WS_UFFD_INCONSISTENT] = "inconsistent",
};

const char *ws_uffd_flavour_name(enum ws_uffd_flavour f)
{
	return f <= WS_UFFD_INCONSISTENT ? flavour_names[f] : "?";
}

/* "ENOENT", "succeeded", "not tried": errno names are the evidence. */
static const char *probe_result(int e, char *buf, size_t len)
{
	const char *name;

	if (e == 0)
		return "not tried";
	if (e == -1)
		return "succeeded";
	name = strerrorname_np(e);
	if (name)
		return name;
	snprintf(buf, len, "errno %d", e);
	return buf;
}

enum ws_uffd_flavour ws_uffd_classify(const struct ws_uffd_answers *a,
				      char *why, size_t len)
{
	char b1[16], b2[16], ev[256];
	bool set_mode, rwp_enoent, deact_enoent;
	const char *rwp_res, *deact_res;

	if (a->create_errno) {
		snprintf(why, len,
			 "no userfaultfd: creating one failed with %s (%s)",
			 probe_result(a->create_errno, b1, sizeof(b1)),
			 strerror(a->create_errno));
		return WS_UFFD_NONE;
	}
	if (a->api_errno) {
		snprintf(why, len, "UFFDIO_API(features=0) failed with %s (%s)",
			 probe_result(a->api_errno, b1, sizeof(b1)),
			 strerror(a->api_errno));
		return WS_UFFD_NONE;
	}
	if (!(a->features & WS_UFFD_FEATURE_RWP)) {
		snprintf(why, len,
			 "kernel offers neither RWP nor minor-anon: UFFDIO_API features=0x%" PRIx64 " lacks bit 17",
			 a->features);
		return WS_UFFD_NONE;
	}

	set_mode = a->ioctls & API_SET_MODE_BIT;
	rwp_enoent = a->rwprotect_errno == ENOENT;
	deact_enoent = a->deactivate_errno == ENOENT;
	rwp_res = probe_result(a->rwprotect_errno, b1, sizeof(b1));
	deact_res = probe_result(a->deactivate_errno, b2, sizeof(b2));
	snprintf(ev, sizeof(ev),
		 "UFFDIO_API features=0x%" PRIx64 " ioctls=0x%" PRIx64
		 " %s SET_MODE bit 10; ioctl 0xC018AA09 -> %s; ioctl 0x8010AA09 -> %s",
		 a->features, a->ioctls, set_mode ? "has" : "lacks",
		 rwp_res, deact_res);

	/* 7.3: SET_MODE advertised, RWPROTECT known, DEACTIVATE unknown. */
	if (set_mode && rwp_enoent && a->deactivate_errno == EINVAL) {
		snprintf(why, len, "%s", ev);
		return WS_UFFD_RWP;
	}
	/* RFC v1: SET_MODE not advertised, DEACTIVATE known, RWPROTECT not. */
	if (!set_mode && deact_enoent && a->rwprotect_errno == EINVAL) {
		snprintf(why, len, "%s", ev);
		return WS_UFFD_MINOR_ANON;
	}
	snprintf(why, len,
		 "userfaultfd answers contradict each other (expected 7.3: SET_MODE bit, 0xC018AA09 -> ENOENT, 0x8010AA09 -> EINVAL; or RFC: no SET_MODE bit, 0xC018AA09 -> EINVAL, 0x8010AA09 -> ENOENT): %s",
		 ev);
	return WS_UFFD_INCONSISTENT;
}

/* errno of a 0x09 probe ioctl, or -1 if it unexpectedly succeeded. */
static int probe_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (ioctl(fd, cmd, arg) == 0)
		return -1;
	return errno;
}

void ws_uffd_collect(struct ws_uffd_answers *a)
{
	size_t psz = ws_page_size();
	char why[256];
	void *p;
	int fd, ret;

	memset(a, 0, sizeof(*a));

	/* Step 1: can we get a uffd at all? */
	fd = ws_uffd_create(why, sizeof(why));
	if (fd < 0) {
		a->create_errno = -fd;
		return;
	}
	close(fd);

	/* Step 2: throwaway UFFDIO_API(features=0) (brief §4.3). */
	ret = ws_uffd_probe_api(&a->features, &a->ioctls, why, sizeof(why));
	if (ret < 0) {
		a->api_errno = -ret;
		return;
	}

	/* Step 4: the two spellings of nr 0x09 on an unregistered range. */
	fd = ws_uffd_open(0, NULL, NULL, why, sizeof(why));
	if (fd < 0)
		return;		/* both probes stay "not tried" */
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		struct ws_uffdio_rwprotect rp = {
			.range = { (uintptr_t)p, psz },
			.mode = 0,
		};
		struct ws_uffdio_range r = { (uintptr_t)p, psz };

		a->rwprotect_errno = probe_ioctl(fd, WS_UFFDIO_RWPROTECT, &rp);
		a->deactivate_errno = probe_ioctl(fd, WS_UFFDIO_DEACTIVATE, &r);
		munmap(p, psz);
	}
	close(fd);
}

static pthread_once_t flavour_once = PTHREAD_ONCE_INIT;
static enum ws_uffd_flavour cached_flavour;
static char cached_why[512];

static void flavour_init(void)
{
	struct ws_uffd_answers a;

	ws_uffd_collect(&a);
	cached_flavour = ws_uffd_classify(&a, cached_why, sizeof(cached_why));
}

enum ws_uffd_flavour ws_uffd_flavour(char *why, size_t len)
{
	pthread_once(&flavour_once, flavour_init);
	if (why && len)
		snprintf(why, len, "%s", cached_why);
	return cached_flavour;
}
