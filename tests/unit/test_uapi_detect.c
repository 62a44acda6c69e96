// SPDX-License-Identifier: GPL-2.0
/*
 * RWP vs RFC minor-anon detection (brief §4.2, §4.3): the classifier on
 * synthetic answers of 7.3, the RFC, a pre-RWP kernel (6.18), no uffd and
 * contradicting answers; the ioctl numbers against the brief's table; and
 * the live answers of this host, which must never contradict each other.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "compat_uapi.h"
#include "uapi_detect.h"
#include "unit.h"

static bool has_all(const char *s, const char *const *needles)
{
	for (; *needles; needles++)
		if (!strstr(s, *needles)) {
			diag("reason lacks \"%s\": %s", *needles, s);
			return false;
		}
	return true;
}

static void check(const char *name, const struct ws_uffd_answers *a,
		  enum ws_uffd_flavour want, const char *const *needles)
{
	char why[512] = "";
	enum ws_uffd_flavour got = ws_uffd_classify(a, why, sizeof(why));

	if (!ok(got == want, "%s classifies as %s", name,
		ws_uffd_flavour_name(want)))
		diag("got %s: %s", ws_uffd_flavour_name(got), why);
	ok(has_all(why, needles), "%s: reason names the evidence", name);
}

int main(void)
{
	plan(26);

	/* 7.3.4: UFFD_API_FEATURES, UFFD_API_IOCTLS with SET_MODE (§1.2) */
	check("Linux 7.3", &(struct ws_uffd_answers){
		.features = 0x7ffff, .ioctls = 0x8000000000000403ULL,
		.rwprotect_errno = ENOENT, .deactivate_errno = EINVAL,
	}, WS_UFFD_RWP, (const char *const[]){
		"0x7ffff", "0x8000000000000403", "has SET_MODE bit 10",
		"0xC018AA09 -> ENOENT", "0x8010AA09 -> EINVAL", NULL });

	/* RFC v1: same feature bits, no SET_MODE in .ioctls (§4.1) */
	check("RFC v1", &(struct ws_uffd_answers){
		.features = 0x7ffff, .ioctls = 0x8000000000000003ULL,
		.rwprotect_errno = EINVAL, .deactivate_errno = ENOENT,
	}, WS_UFFD_MINOR_ANON, (const char *const[]){
		"0x8000000000000003", "lacks SET_MODE bit 10",
		"0xC018AA09 -> EINVAL", "0x8010AA09 -> ENOENT", NULL });

	/* 6.18: WP_ASYNC and MOVE, nothing at bit 17; 0x09 unknown */
	check("Linux 6.18", &(struct ws_uffd_answers){
		.features = 0x1ffff, .ioctls = 0x8000000000000003ULL,
		.rwprotect_errno = EINVAL, .deactivate_errno = EINVAL,
	}, WS_UFFD_NONE, (const char *const[]){
		"neither RWP nor minor-anon", "features=0x1ffff",
		"lacks bit 17", NULL });

	check("no userfaultfd (EPERM)", &(struct ws_uffd_answers){
		.create_errno = EPERM,
	}, WS_UFFD_NONE, (const char *const[]){ "EPERM", NULL });

	check("UFFDIO_API fails", &(struct ws_uffd_answers){
		.api_errno = EINVAL,
	}, WS_UFFD_NONE, (const char *const[]){ "UFFDIO_API", "EINVAL",
		NULL });

	/* 7.3-like .ioctls, but the RFC's ioctl answers */
	check("SET_MODE bit with RFC ioctl answers", &(struct ws_uffd_answers){
		.features = 0x7ffff, .ioctls = 0x8000000000000403ULL,
		.rwprotect_errno = EINVAL, .deactivate_errno = ENOENT,
	}, WS_UFFD_INCONSISTENT, (const char *const[]){
		"contradict", "has SET_MODE", "0xC018AA09 -> EINVAL",
		"0x8010AA09 -> ENOENT", NULL });

	/* RFC-like .ioctls, but RWPROTECT known */
	check("no SET_MODE bit, RWPROTECT known", &(struct ws_uffd_answers){
		.features = 0x7ffff, .ioctls = 0x8000000000000003ULL,
		.rwprotect_errno = ENOENT, .deactivate_errno = EINVAL,
	}, WS_UFFD_INCONSISTENT, (const char *const[]){
		"contradict", "lacks SET_MODE", "0xC018AA09 -> ENOENT", NULL });

	/* both 0x09 spellings known: no real kernel does that */
	check("both 0x09 ioctls known", &(struct ws_uffd_answers){
		.features = 0x7ffff, .ioctls = 0x8000000000000403ULL,
		.rwprotect_errno = ENOENT, .deactivate_errno = ENOENT,
	}, WS_UFFD_INCONSISTENT, (const char *const[]){
		"0x8010AA09 -> ENOENT", NULL });

	/* bit 17 but the ioctl probes could not run */
	check("ioctl probes not run", &(struct ws_uffd_answers){
		.features = 0x7ffff, .ioctls = 0x8000000000000403ULL,
	}, WS_UFFD_INCONSISTENT, (const char *const[]){ "not tried", NULL });

	/* probe ioctl on an unregistered range must never succeed */
	check("0xC018AA09 succeeded", &(struct ws_uffd_answers){
		.features = 0x7ffff, .ioctls = 0x8000000000000403ULL,
		.rwprotect_errno = -1, .deactivate_errno = EINVAL,
	}, WS_UFFD_INCONSISTENT, (const char *const[]){ "succeeded", NULL });

	/* ioctl numbers: brief §1.2 and §4.2 */
	ok(WS_UFFDIO_RWPROTECT == 0xC018AA09,
	   "UFFDIO_RWPROTECT = 0xC018AA09 (got 0x%lX)",
	   (unsigned long)WS_UFFDIO_RWPROTECT);
	ok(WS_UFFDIO_DEACTIVATE == 0x8010AA09,
	   "RFC UFFDIO_DEACTIVATE = 0x8010AA09 (got 0x%lX)",
	   (unsigned long)WS_UFFDIO_DEACTIVATE);
	ok(WS_UFFDIO_SET_MODE == 0x4010AA0A,
	   "UFFDIO_SET_MODE = 0x4010AA0A (got 0x%lX)",
	   (unsigned long)WS_UFFDIO_SET_MODE);
	ok(WS_PAGEMAP_SCAN == 0xC0606610,
	   "PAGEMAP_SCAN = 0xC0606610 (got 0x%lX)",
	   (unsigned long)WS_PAGEMAP_SCAN);
	ok(WS_UFFDIO_WRITEPROTECT == 0xC018AA06,
	   "UFFDIO_WRITEPROTECT = 0xC018AA06 (got 0x%lX)",
	   (unsigned long)WS_UFFDIO_WRITEPROTECT);

	/* This host: whatever it is, its answers must agree. */
	{
		struct ws_uffd_answers a;
		char why[512];
		enum ws_uffd_flavour f;

		ws_uffd_collect(&a);
		f = ws_uffd_classify(&a, why, sizeof(why));
		ok(f != WS_UFFD_INCONSISTENT,
		   "this kernel's answers are consistent: %s",
		   ws_uffd_flavour_name(f));
		diag("%s", why);
	}
	return done_testing();
}
