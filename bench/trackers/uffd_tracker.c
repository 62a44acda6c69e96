// SPDX-License-Identifier: GPL-2.0
/*
 * The part of the rwp, minor-anon and wp trackers that does not depend on
 * which userfaultfd UAPI they drive: state, open/close, the sync handler's
 * bookkeeping, the async <-> sync switch and the collect scan.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uffd_tracker.h"

void ws_uffd_tracker_probe_flavour(struct ws_probe *p,
				   enum ws_uffd_flavour want,
				   const char *other_refused)
{
	char why[512];
	enum ws_uffd_flavour f;

	memset(p, 0, sizeof(*p));
	f = ws_uffd_flavour(why, sizeof(why));
	if (f != want) {
		if (f == WS_UFFD_RWP || f == WS_UFFD_MINOR_ANON)
			snprintf(p->reason, sizeof(p->reason), "%s (%.400s)",
				 other_refused, why);
		else
			snprintf(p->reason, sizeof(p->reason), "%s", why);
		return;
	}
	snprintf(p->detail, sizeof(p->detail), "%.250s", why);
	if (ws_pagemap_scan_probe(p->reason, sizeof(p->reason)))
		return;
	p->supported = true;
}

/* The range a sync fault at @addr is resolved for (see the spec). */
static struct ws_uffdio_range resolve_range(const struct ws_tracker *t,
					    size_t granule, uint64_t addr)
{
	const struct ws_uffd_tracker *ut = t->priv;
	uint64_t lo = (uint64_t)(uintptr_t)t->mem->addr;
	uint64_t hi = lo + t->mem->len, start, end;

	if (ut->spec->resolve_thp_whole &&
	    t->mem->backing == WS_BACKING_ANON_THP)
		granule = WS_THP_SIZE;
	start = addr & ~((uint64_t)granule - 1);
	end = start + granule;
	start = start < lo ? lo : start;
	end = end > hi ? hi : end;
	return (struct ws_uffdio_range){ .start = start, .len = end - start };
}

static int resolve_fault(struct ws_uffd_handler *h, const struct uffd_msg *msg)
{
	struct ws_tracker *t = h->arg;
	struct ws_uffd_tracker *ut = t->priv;
	/* hugetlb: the whole huge page (page_size = 2 MiB) */
	const struct ws_uffdio_range page =
		resolve_range(t, h->page_size, msg->arg.pagefault.address);

	if (t->fault_hook) {
		int ret = t->fault_hook(t->fault_hook_arg, h->uffd, msg);

		if (ret)
			return ret < 0 ? ret : 0;
	}
	if (!(msg->arg.pagefault.flags & ut->spec->fault_flag))
		__atomic_add_fetch(&h->unexpected, 1, __ATOMIC_RELAXED);
	/*
	 * t->sync_faults is read live by the benchmarks, so count before the
	 * ioctl that wakes the faulting thread: it may look at the counter at
	 * once.
	 */
	__atomic_add_fetch(&t->sync_faults, 1, __ATOMIC_RELAXED);
	return ut->spec->resolve(h->uffd, &page);
}

static int handler_start(struct ws_tracker *t)
{
	struct ws_uffd_tracker *ut = t->priv;
	int ret;

	ret = ws_uffd_handler_start(&ut->handler, ut->uffd,
				    t->mem->page_size, resolve_fault, t);
	if (ret)
		return ws_tracker_fail(t, -ret, "starting fault handler");
	t->handler_cpu = ut->handler.cpu;
	return 0;
}

void ws_uffd_tracker_close(struct ws_tracker *t)
{
	struct ws_uffd_tracker *ut = t->priv;

	if (!ut)
		return;
	ws_uffd_handler_stop(&ut->handler);
	/* Closing the uffd is what ends tracking: see each tracker's ops. */
	ws_close_fd(&ut->uffd);
	ws_close_fd(&ut->pmfd);
	free(ut);
	t->priv = NULL;
}

/*
 * A uffd with @m registered in @s's mode (and MISSING when asked) into
 * ut->uffd: opened and registered here, or by the process that owns the
 * memory (tracker.h).  The ioctls the registration offers in *ioctls.
 * 0, or -errno with the failure in t->err (ut->uffd, if open, is the
 * caller's to close).
 */
static int open_registered(struct ws_tracker *t, struct ws_uffd_tracker *ut,
			   uint64_t features, uint64_t *ioctls)
{
	const struct ws_uffd_tracker_spec *s = ut->spec;
	struct ws_mem *m = t->mem;
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)m->addr, .len = m->len },
		.mode = s->register_mode |
			(t->register_missing ? WS_UFFDIO_REGISTER_MODE_MISSING : 0),
	};
	char why[512];
	int ret;

	if (t->target.open_uffd)
		ret = t->target.open_uffd(t->target.arg, features, reg.mode,
					  ioctls, why, sizeof(why));
	else
		ret = ws_uffd_open(features, NULL, NULL, why, sizeof(why));
	if (ret < 0)
		return ws_tracker_fail(t, -ret, "%s", why);
	ut->uffd = ret;
	if (t->target.open_uffd)
		return 0;
	if (ioctl(ut->uffd, UFFDIO_REGISTER, &reg)) {
		ret = errno;
		/*
		 * guest_memfd admits the modes its vm_uffd_ops allow: none on
		 * 7.3, MINOR with the guest_memfd minor-mode patch
		 * (KERNEL=gmem).  The kernel's refusal is the reason.
		 */
		if (ret == EINVAL && m->backing == WS_BACKING_GMEM)
			return ws_tracker_fail(t, EOPNOTSUPP,
					       "UFFDIO_REGISTER(%s, gmem): EINVAL: this kernel's guest_memfd does not offer %s (7.3 gives guest_memfd no vm_uffd_ops; KERNEL=gmem's patch adds MINOR only)",
					       s->register_name,
					       s->register_name);
		return ws_tracker_fail(t, ret,
				       "UFFDIO_REGISTER(%s, %s, %zu bytes)",
				       s->register_name,
				       ws_backing_name(m->backing), m->len);
	}
	*ioctls = reg.ioctls;
	return 0;
}

int ws_uffd_tracker_open(struct ws_tracker *t,
			 const struct ws_uffd_tracker_spec *s,
			 uint64_t features)
{
	struct ws_uffd_tracker *ut;
	uint64_t ioctls = 0;
	int ret;

	ut = calloc(1, sizeof(*ut));
	if (!ut)
		return ws_tracker_fail(t, ENOMEM, "allocating state");
	ut->spec = s;
	ut->uffd = -1;
	ut->pmfd = -1;
	t->priv = ut;

	ret = open_registered(t, ut, features, &ioctls);
	if (ret) {
		ws_uffd_tracker_close(t);	/* t->err stays */
		return ret;
	}
	if ((ioctls & s->ioctls) != s->ioctls) {
		ws_uffd_tracker_close(t);
		return ws_tracker_fail(t, EOPNOTSUPP,
				       "UFFDIO_REGISTER(%s) ioctls=0x%llx lacks %s",
				       s->register_name,
				       (unsigned long long)ioctls,
				       s->ioctls_name);
	}

	ret = ws_tracker_open_pagemap(t);
	if (ret < 0) {
		ws_uffd_tracker_close(t);	/* t->err stays */
		return ret;
	}
	ut->pmfd = ret;

	/*
	 * The handler runs from open to close whenever sync faults can
	 * happen, also in async mode when the mode can be switched: starting
	 * and joining a thread inside set_mode() would be timed as part of
	 * UFFDIO_SET_MODE, and a waiter queued late by a fault that raced
	 * the switch (the RFC's SET_MODE does not drain per-VMA-lock faults,
	 * brief §4.1) must still find someone to resolve it.  Idle, it
	 * sleeps in poll().
	 */
	if (t->mode == WS_MODE_SYNC || s->async_feature || t->fault_hook) {
		ret = handler_start(t);
		if (ret)
			ws_uffd_tracker_close(t);	/* t->err stays */
		return ret;
	}
	return 0;
}

static int set_async(struct ws_tracker *t, bool async)
{
	struct ws_uffd_tracker *ut = t->priv;
	struct ws_uffdio_set_mode sm = { 0 };

	if (async)
		sm.enable = ut->spec->async_feature;
	else
		sm.disable = ut->spec->async_feature;
	if (ioctl(ut->uffd, WS_UFFDIO_SET_MODE, &sm))
		return ws_tracker_fail(t, errno, "UFFDIO_SET_MODE(%s %s)",
				       async ? "enable" : "disable",
				       ut->spec->async_name);
	return 0;
}

/*
 * Only the ioctl: the handler has been running since open (see there), so
 * no fault ever waits unserved, and enabling async wakes every waiter
 * (they retry and auto-resolve, brief §1.7).
 */
int ws_uffd_tracker_set_mode(struct ws_tracker *t, enum ws_mode mode)
{
	int ret;

	if (mode == t->mode)
		return 0;
	ret = set_async(t, mode == WS_MODE_ASYNC);
	if (ret)
		return ret;
	t->mode = mode;
	return 0;
}

int ws_uffd_tracker_scan(struct ws_tracker *t, const struct ws_pm_scan *q,
			 struct ws_pageset *out, const char *what)
{
	struct ws_uffd_tracker *ut = t->priv;
	struct ws_mem *m = t->mem;
	long ret;

	ws_pageset_clear(out);
	ret = ws_pagemap_scan(ut->pmfd, m, 0, m->npages, q, out, NULL);
	if (ut->handler.running &&
	    __atomic_load_n(&ut->handler.error, __ATOMIC_RELAXED))
		return ws_tracker_fail(t, -ut->handler.error,
				       "sync fault handler stopped resolving");
	if (ret < 0)
		return ws_tracker_fail(t, -ret, "PAGEMAP_SCAN(%s)", what);
	return 0;
}

/*
 * Re-arm the hot set the scan found (brief §1.10: "re-arm only what was
 * touched; cold stays armed"), with t->rearm's policy: one arm per hot run
 * (loses only hot pages' accesses after the scan), or one over the span
 * from the first to the last hot page.
 * The span is cheaper -- protecting skips PTEs that are already protected
 * and never touches empty ones (brief §1.5), so it re-arms the same hot
 * pages with one mmap_lock round and one TLB flush -- but it also
 * re-protects every cold page accessed between the scan and this call,
 * and those accesses are then never reported: a cold page left armed by
 * the per-run policy would have been reported next interval.
 */
int ws_uffd_tracker_protect(struct ws_tracker *t, unsigned long req,
			    __u64 mode, size_t first, size_t n,
			    const char *what)
{
	struct ws_uffd_tracker *ut = t->priv;
	struct ws_uffdio_rwprotect arg = {
		.range = ws_uffd_tracker_range(t, first, n),
		.mode = mode,
	};

	_Static_assert(sizeof(struct ws_uffdio_rwprotect) ==
		       sizeof(struct ws_uffdio_writeprotect) &&
		       offsetof(struct ws_uffdio_rwprotect, mode) ==
		       offsetof(struct ws_uffdio_writeprotect, mode),
		       "RWPROTECT and WRITEPROTECT take the same {range, mode}");
	if (ioctl(ut->uffd, req, &arg))
		return ws_tracker_fail(t, errno, "%s of pages %zu+%zu", what,
				       first, n);
	return 0;
}

int ws_uffd_tracker_rearm(struct ws_tracker *t, const struct ws_pageset *set)
{
	size_t pos = 0, first, n, span_first = 0, span_end = 0;
	bool any = false;
	int ret;

	ws_tracker_mid_collect(t);
	while (ws_pageset_next_run(set, &pos, &first, &n)) {
		if (t->rearm == WS_REARM_PER_RUN) {
			ret = t->ops->arm(t, first, n);
			if (ret)
				return ret;
			continue;
		}
		if (!any)
			span_first = first;
		span_end = first + n;
		any = true;
	}
	return any ? t->ops->arm(t, span_first, span_end - span_first) : 0;
}

/*
 * per-run leaves cold pages armed (their accesses are reported next
 * interval) but re-protects a hot page over any access it got after the
 * scan; span also re-protects the cold pages inside the span.
 */
const char *ws_uffd_tracker_rearm_method(const struct ws_tracker *t,
					 enum ws_rearm_miss *misses)
{
	*misses = t->rearm == WS_REARM_PER_RUN ? WS_MISS_HOT : WS_MISS_ANY;
	return ws_rearm_name(t->rearm);
}

uint64_t ws_uffd_tracker_handler_cpu_ns(const struct ws_tracker *t)
{
	const struct ws_uffd_tracker *ut = t->priv;

	return ut ? ws_uffd_handler_cpu_ns(&ut->handler) : 0;
}

int ws_uffd_tracker_fd(const struct ws_tracker *t)
{
	const struct ws_uffd_tracker *ut = t->priv;

	return ut ? ut->uffd : -1;
}
