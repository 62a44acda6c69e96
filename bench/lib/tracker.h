/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ops table per working-set tracking mechanism (as fio's ioengine_ops).
 *
 * Life cycle, driven by the benchmarks:
 *   probe()           static: does this kernel/process offer the mechanism?
 *   open()            attach to t->mem (register the range, open fds)
 *   arm()             start a tracking interval on a page range
 *                     (protect / clear soft-dirty / mark idle)
 *   ... workload runs ...
 *   collect()         fill the set of pages accessed (or written) since the
 *                     last arm; with rearm=true also start the next interval,
 *                     as a careful user of the API would (WP: one
 *                     PAGEMAP_SCAN with PM_SCAN_WP_MATCHING; RWP: RWPROTECT
 *                     of the hot runs, or of their span: see enum ws_rearm)
 *   set_mode()        switch async <-> sync resolution (NULL if not offered)
 *   close()
 *
 * Optional, NULL for mechanisms whose whole cost is in the calls above:
 *   mech_cpu_ns()     CPU time the mechanism spent since open() outside our
 *                     process (DAMON: its kdamond kernel thread), so that
 *                     benchmarks report it per interval next to collect()
 *   info()            backend facts for the result: parameters in effect and
 *                     what the last collect() saw (DAMON: region counts)
 *
 * Every op returns 0 or -errno and, on error, leaves a human message in
 * t->err.  Nothing falls back silently to another mechanism.
 */
#ifndef WS_TRACKER_H
#define WS_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include <jansson.h>

#include "mem.h"
#include "pageset.h"

enum ws_mode {
	WS_MODE_ASYNC,	/* resolved in the kernel, no message */
	WS_MODE_SYNC,	/* round trip through a handler thread */
	WS_MODE_NR
};

#define WS_MODE_BIT(m)	(1u << (m))

const char *ws_mode_name(enum ws_mode m);
int ws_mode_from_name(const char *name);

/* Access kinds, as bits (ops->faults_on). */
#define WS_ACCESS_READ		(1u << 0)
#define WS_ACCESS_WRITE		(1u << 1)

/* What the mechanism can observe. */
enum ws_sees {
	WS_SEES_ACCESSES,	/* reads and writes */
	WS_SEES_WRITES,		/* writes only */
};

struct ws_probe {
	bool supported;
	char reason[512];	/* why not (errno, missing file, capability) */
	char detail[256];	/* what was found, e.g. "features=0x7ffff" */
};

/*
 * How a uffd tracker re-arms the hot set after a scan.  RWP has no atomic
 * scan-and-re-protect (brief gotcha 4), so the choice is the user's:
 *   per-run  one arm per hot run: pages that were cold at the scan stay
 *            armed, so an access landing on them before the re-arm is
 *            reported next interval; a hot page accessed again before its
 *            re-arm is re-armed over that access (WS_MISS_HOT below).  One
 *            ioctl (and TLB flush) per run, costly for a scattered hot set.
 *   span     one arm from the first to the last hot page: one ioctl, but it
 *            also re-protects cold pages touched between the scan and the
 *            re-arm, and those accesses are never reported (WS_MISS_ANY).
 */
enum ws_rearm {
	WS_REARM_PER_RUN,
	WS_REARM_SPAN,
	WS_REARM_NR
};

const char *ws_rearm_name(enum ws_rearm r);
int ws_rearm_from_name(const char *name);

/*
 * What a collect(rearm=true) can miss: an access that lands between its
 * scan and its re-arm and that no later collect reports.
 *   NOTHING  scan and re-arm are one atomic step (wp async: PAGEMAP_SCAN
 *            with PM_SCAN_WP_MATCHING re-protects under the scan's PTL).
 *   HOT      only accesses to pages the scan had just reported hot: the
 *            re-arm of the hot set clears them unseen (per-run uffd
 *            re-protect, idle's hot-only re-mark; the kernel offers no
 *            scan-and-re-protect for RWP or idle).  Cold pages stay armed,
 *            so their accesses are reported next interval.
 *   ANY      accesses to any page the re-arm covers: cold pages inside a
 *            span, the whole process for clear_refs, DAMON's next window.
 * "Lossless" (rearm_lossless in results) means NOTHING.
 */
enum ws_rearm_miss {
	WS_MISS_NOTHING,
	WS_MISS_HOT,
	WS_MISS_ANY,
};

/* "nothing", "hot-pages", "any-page" (rearm_misses in results). */
const char *ws_rearm_miss_name(enum ws_rearm_miss m);

/*
 * Cumulative time a tracker spent in one named part of its work, so that
 * a benchmark can report where a collect's time went (idle: PFN
 * translation vs bitmap write vs bitmap read).  Deltas around a timed call
 * attribute it.
 */
#define WS_TRACKER_MAX_COSTS	4

struct ws_cost {
	const char *name;	/* static string */
	uint64_t ns;
	uint64_t calls;
};

struct ws_tracker;
struct uffd_msg;

struct ws_tracker_ops {
	const char *name;
	const char *summary;
	enum ws_sees sees;
	unsigned int backings;	/* WS_BACKING_BIT() mask */
	/* Why the other backings are not offered (in their skips), or NULL. */
	const char *backings_why;
	unsigned int modes;	/* WS_MODE_BIT() mask */
	/* arm() cost is per range (true) or per process (clear_refs: false) */
	bool arm_is_ranged;
	/* collect(rearm) honours t->rearm (else its method is fixed) */
	bool rearm_choice;
	/* set_mode() switches async <-> sync on an open tracker (RWP) */
	bool async_switchable;
	/*
	 * Access kinds whose first touch of an armed granule takes a page
	 * fault (WS_ACCESS_*): fault-latency checks every granule did.
	 */
	unsigned int faults_on;
	/*
	 * arm() does not flush TLBs (idle page tracking clears young bits
	 * without a flush): accesses through cached translations can go
	 * unseen whatever the re-arm does.  Measured, not judged, by the
	 * correctness concurrent case.
	 */
	bool arm_leaves_tlb;
	/*
	 * Why the correctness benchmark's TLB flush (mprotect() to PROT_READ
	 * and back) changes what arm() set, or NULL: such "flushed" cases
	 * measure that interference, not the tracker, and the summary's
	 * exact@4K leaves them out (saying so).
	 */
	const char *flush_disturbs_arm;
	/*
	 * collect() reports what a kernel thread sampled on its own schedule
	 * (DAMON): not expected to be exact, arm() protects nothing and no
	 * access faults.  Benchmarks label such cases "sampling": true and
	 * skip the fault and protection costs, which do not exist.
	 */
	bool sampling;
	/*
	 * Run only when named in --backend (or "all"): a mechanism that
	 * needs a special kernel or backing to be meaningful (minor: shared
	 * memory only, the guest_memfd case on KERNEL=gmem).
	 */
	bool opt_in;
	/*
	 * The UFFDIO_COPY mode in which the VMM cycle brings a page back on
	 * a *read* fault through the tracker's own uffd, so that it comes
	 * back armed: wp's UFFDIO_COPY_MODE_WP (a page read back is not
	 * written, and a plain COPY would install it writable, reported
	 * written at the next scan).  0: installed as the kernel maps it (an
	 * access, which rwp and minor then rightly see).  A write fault is
	 * always copied plainly: that page is written.
	 */
	uint64_t read_refault_copy_mode;

	void (*probe)(struct ws_probe *p);
	int (*open)(struct ws_tracker *t);
	int (*arm)(struct ws_tracker *t, size_t first_page, size_t npages);
	int (*collect)(struct ws_tracker *t, struct ws_pageset *out, bool rearm);
	int (*set_mode)(struct ws_tracker *t, enum ws_mode mode);
	/*
	 * Optional: end tracking of a page range without touching it (a
	 * range unprotect), so a benchmark can reset armed memory without
	 * writing every page -- a write would split a WP-protected THP.
	 */
	int (*disarm)(struct ws_tracker *t, size_t first_page, size_t npages);
	/*
	 * Optional: re-arm the hot set a collect(rearm=false) returned, as
	 * collect(rearm=true) would have (the VMM cycle re-arms after it
	 * unfroze the vCPUs, not while they wait).
	 */
	int (*rearm)(struct ws_tracker *t, const struct ws_pageset *hot);
	/* Optional: CPU time of the tracker's fault handler thread so far. */
	uint64_t (*handler_cpu_ns)(const struct ws_tracker *t);
	/* Optional: the userfaultfd the tracker registered the range with. */
	int (*uffd)(const struct ws_tracker *t);
	void (*close)(struct ws_tracker *t);
	/*
	 * How collect(rearm=true) re-arms, as it runs with t's mode and
	 * policy: "per-run", "span", "scan-atomic" (WP_MATCHING), "hot-only"
	 * (idle re-marks what it found accessed), "whole-process"
	 * (clear_refs); *misses says which accesses landing between the scan
	 * and the re-arm it can lose (correctness's rearm-race measures it).
	 */
	const char *(*rearm_method)(const struct ws_tracker *t,
				    enum ws_rearm_miss *misses);
	/* Or, when it is the same whatever the mode and policy: */
	const char *rearm_fixed;
	enum ws_rearm_miss rearm_fixed_misses;
	/* Optional (see the top of this file). */
	int (*mech_cpu_ns)(struct ws_tracker *t, uint64_t *ns);
	json_t *(*info)(struct ws_tracker *t);
};

/*
 * Whose memory a tracker watches.  Zeroed (the default), it is our own:
 * t->mem is mapped here, uffd trackers create and register their own
 * userfaultfd, and /proc/self is read.  wsbench attach tracks another
 * process: t->mem then holds that process's addresses (never dereferenced
 * here), /proc/<pid>/{pagemap,clear_refs} and DAMON's pid_target name it,
 * and uffd trackers get their userfaultfd from @open_uffd, which has the
 * target open one with @features and register t->mem with @mode (the
 * preload library of bench/attach/, over its socket).
 */
struct ws_tracker_target {
	pid_t pid;			/* 0: this process */
	/* fd (UFFDIO_API and REGISTER done) or -errno with @why */
	int (*open_uffd)(void *arg, uint64_t features, uint64_t mode,
			 uint64_t *ioctls, char *why, size_t len);
	void *arg;
};

/* "/proc/self/<file>" or "/proc/<pid>/<file>" for @tg. */
void ws_tracker_proc_path(const struct ws_tracker_target *tg,
			  const char *file, char *buf, size_t len);

struct ws_tracker {
	const struct ws_tracker_ops *ops;
	struct ws_mem *mem;
	enum ws_mode mode;
	void *priv;
	/* sync mode: faults resolved by the handler thread (for reports) */
	uint64_t sync_faults;
	enum ws_rearm rearm;		/* policy, when ops->rearm_choice */
	int handler_cpu;		/* sync handler's CPU, -1: none/unpinned */
	/*
	 * Called by collect(rearm=true) between its scan and its re-arm
	 * (tests: an access landing in that window); NULL normally.
	 */
	void (*mid_collect)(void *arg);
	void *mid_collect_arg;
	/*
	 * Set before open by a benchmark that also serves MISSING faults on
	 * the range (the VMM cycle's refaults): uffd trackers then register
	 * MODE_MISSING along with their own mode, and their handler hands
	 * every message to @fault_hook first.  It returns 1 when it took the
	 * message (resolved it, or holds the faulting thread on purpose), 0
	 * to let the tracker resolve it, or -errno.  Runs on the handler
	 * thread: it must not touch tracked memory.
	 */
	bool register_missing;
	int (*fault_hook)(void *arg, int uffd, const struct uffd_msg *msg);
	void *fault_hook_arg;
	/* Set before open: whose memory (see struct ws_tracker_target). */
	struct ws_tracker_target target;
	struct ws_cost costs[WS_TRACKER_MAX_COSTS];
	/* Named event counts (ns unused), e.g. idle's "pfn_moved". */
	struct ws_cost counts[WS_TRACKER_MAX_COSTS];
	char err[512];
};

/* The named cost slot of @t, created on first use (NULL if full). */
struct ws_cost *ws_tracker_cost(struct ws_tracker *t, const char *name);
/* Add the time since @t0 (ws_now_ns()) to cost @name. */
void ws_tracker_cost_add(struct ws_tracker *t, const char *name, uint64_t t0);
/* The tracker's userfaultfd, or -1 for a tracker without one. */
static inline int ws_tracker_uffd(const struct ws_tracker *t)
{
	return t->ops->uffd ? t->ops->uffd(t) : -1;
}

/* Add @n to event count @name. */
void ws_tracker_count(struct ws_tracker *t, const char *name, uint64_t n);
/* {name: count, ...} of t->counts, NULL when there are none. */
json_t *ws_tracker_counts_json(const struct ws_tracker *t);

/* Run t->mid_collect if set. */
static inline void ws_tracker_mid_collect(struct ws_tracker *t)
{
	if (t->mid_collect)
		t->mid_collect(t->mid_collect_arg);
}

/* All backends, in report order; NULL-terminated. */
extern const struct ws_tracker_ops *const ws_trackers[];

const struct ws_tracker_ops *ws_tracker_by_name(const char *name);
/* "rwp, minor-anon, wp, idle, softdirty, damon, minor" */
const char *ws_tracker_names(void);
/* Bit i set for ws_trackers[i] unless it is opt_in: the default backends. */
unsigned int ws_trackers_default_mask(void);
/* Checks each ops table is complete; returns -1 and prints what is missing. */
int ws_trackers_check(void);

/*
 * Convenience wrappers: fill t, call ops->open(); on failure t->err holds
 * "<backend>: <what failed>: <strerror>".
 */
/* How @t re-arms under @ops and what it can miss (rearm_method/fixed). */
const char *ws_tracker_rearm_method(const struct ws_tracker_ops *ops,
				    const struct ws_tracker *t,
				    enum ws_rearm_miss *misses);
int ws_tracker_open(struct ws_tracker *t, const struct ws_tracker_ops *ops,
		    struct ws_mem *mem, enum ws_mode mode);
void ws_tracker_close(struct ws_tracker *t);

/* printf into t->err and return -err (err is a positive errno). */
int ws_tracker_fail(struct ws_tracker *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * The target's pagemap for tracker @t: the fd, or -errno with t->err
 * naming the file (ws_tracker_fail()).
 */
int ws_tracker_open_pagemap(struct ws_tracker *t);
/* close() *@fd if it is open and mark it closed (the trackers' close()). */
static inline void ws_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

#endif /* WS_TRACKER_H */
