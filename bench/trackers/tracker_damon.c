// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON (brief §6; Documentation/admin-guide/mm/damon/usage.rst, 7.3):
 * our own kdamond, "vaddr" operations on our own pid, the tracked range as
 * its one initial region (update=never keeps it so, see damon_params.c),
 * and one "stat" scheme matching every region so that tried_regions lists
 * them all.  Sees reads and writes (accessed bits), never faults: async
 * only, every backing (vaddr reads PTE, PMD and hugetlb young bits).
 *
 * How DAMON sees accesses, and what that means for accuracy: the kdamond
 * splits the range into regions (between min and max of them, merged and
 * split every aggregation interval by how alike their counts are).  Every
 * sampling interval it clears the accessed bit of ONE random page per
 * region (without a TLB flush), sleeps, and counts the region accessed if
 * that page's bit came back.  A region's nr_accesses is how many of the
 * aggr/sample samples of one aggregation window saw it accessed.  We
 * report every page of a region with nr_accesses > 0 as hot (clamped to
 * the tracked range).  So: cold pages in a hot region are false
 * positives; a hot region whose sampled pages were never the touched ones,
 * or touched only through cached TLB entries, is missed.  The benchmarks
 * measure both; cases carry "sampling": true, never "exact" by design.
 *
 * What an interval is.  DAMON samples continuously on its own clock; we
 * cannot start or stop a window.  So:
 *  - arm() waits for the next aggregation boundary (a DAMOS walk of
 *    total_bytes only: update_schemes_tried_bytes), then half a sampling
 *    interval, so the caller's first accesses fall inside the new window's
 *    first sample rather than in the kdamond's between-window work (merge,
 *    scheme walk, split, first clear), where no access can be seen.  The
 *    range is ignored: DAMON always watches the whole tracked range.
 *  - collect() asks for the tried regions (update_schemes_tried_regions),
 *    which blocks until the current window ends, and reports that window:
 *    accesses sampled from the boundary arm() waited for to the boundary
 *    collect() returned at.  If the caller's interval outlasted one
 *    window (aggr_us), earlier windows are gone: the snapshot says so
 *    (covers_interval false, counted in info()).  Its wall time is mostly
 *    that wait; the CPU is the kdamond's (mech_cpu_ns) plus our reads of
 *    3 sysfs files per region.
 *  - Re-arming is implicit: the next window began at the boundary collect
 *    returned at.  collect(rearm=true) then waits half a sample like
 *    arm(); with rearm=false the interval still runs from the last arm().
 *  - While arm() and collect() wait for a window to end they hold the
 *    kernel's damon_sysfs_lock (state_store), which every DAMON sysfs file
 *    that touches a kdamond takes with trylock: other DAMON users, even
 *    readers of any kdamond's state, get EBUSY meanwhile.  Our own reads
 *    retry EBUSY for a second.
 *
 * The kdamond runs outside our process: mech_cpu_ns() is its CPU time
 * since open (its process CPU clock: the scheduler's exact runtime, or
 * utime+stime from /proc/PID/stat in ticks when the clock is refused).
 *
 * Everything written to sysfs is undone on close and on exit, error,
 * signals and crashes (knobs: nr_kdamonds, then state; restored newest
 * first, so the kdamond is off before nr_kdamonds shrinks, which removes
 * our kdamonds/<N> directory and all it held).  Not on SIGKILL: then the
 * kdamond stops by itself once our pid is gone, but kdamonds/<N> stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "damon.h"
#include "damon_sysfs.h"
#include "timing.h"
#include "tracker.h"

#define IDLE_BITMAP	"/sys/kernel/mm/page_idle/bitmap"
#define LRU_GEN		"/sys/kernel/mm/lru_gen/enabled"

struct damon_priv {
	struct ws_damon_kdamond k;
	struct ws_damon_params params;
	clockid_t kclock;
	bool have_clock;	/* else /proc/PID/stat ticks */
	uint64_t cpu_at_open;
	uint64_t interval_start;	/* ns: boundary the interval began at */
	struct ws_damon_snapshot last;
	size_t collects;
	size_t collects_over_window;
	/* collect()'s region callback */
	struct ws_pageset *out;
	struct ws_mem *mem;
};

/* ---- probe ---- */

/* Kernel-internal kdamonds (not in sysfs) that also clear accessed bits. */
static const char *const modules[] = { "damon_stat", "damon_reclaim",
				       "damon_lru_sort" };

static bool file_says_on(const char *path)
{
	char buf[16] = "";
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] == 'Y' || (buf[0] >= '1' && buf[0] <= '9') ||
	       !strncmp(buf, "0x", 2);
}

/* Whatever else clears the accessed bits DAMON samples (brief §5). */
static void interference(char *buf, size_t len)
{
	char path[96];
	size_t n = strlen(buf);

	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/enabled",
			 modules[i]);
		if (file_says_on(path) && n < len)
			n += snprintf(buf + n, len - n,
				      "; WARNING: %s runs its own kdamond", modules[i]);
	}
	if (file_says_on(LRU_GEN) && n < len)
		n += snprintf(buf + n, len - n,
			      "; WARNING: MGLRU on: its walks clear accessed bits");
	if (!access(IDLE_BITMAP, F_OK) && n < len)
		snprintf(buf + n, len - n,
			 "; idle page tracking is built in: never run it (e.g. the idle backend) at the same time");
}

/* avail_operations without an existing context: a kdamond of our own. */
static int read_avail_temp(struct ws_damon_tree *tr, char *err, size_t len)
{
	struct ws_damon_kdamond k;
	int ret;

	ret = ws_damon_kdamond_add(&k, tr->nr_kdamonds, err, len);
	if (ret)
		return ret;
	ret = ws_damon_kdamond_avail(&k, tr->avail, sizeof(tr->avail), err,
				     len);
	if (!ret)
		snprintf(tr->avail_path, sizeof(tr->avail_path),
			 "%s/contexts/0/avail_operations (a kdamond added to read it, then removed)",
			 k.dir);
	ws_damon_kdamond_remove(&k);
	return ret;
}

/* Why we may not add a kdamond now, or "" (see damon_sysfs.h). */
static void blockers(const struct ws_damon_tree *tr, char *buf, size_t len)
{
	if (tr->running >= 0)
		snprintf(buf, len,
			 "kdamond %d (pid %d) is running: the kernel refuses to change nr_kdamonds while any kdamond runs (EBUSY), and wsbench does not stop another user's kdamond",
			 tr->running, tr->running_pid);
	else if (tr->configured >= 0)
		snprintf(buf, len,
			 "kdamond %d is off but configured: adding a kdamond rebuilds every kdamonds/<N> directory and would discard its configuration",
			 tr->configured);
	else
		buf[0] = '\0';
}

static void damon_probe(struct ws_probe *p)
{
	struct ws_damon_tree tr;
	char err[256], block[256];

	memset(p, 0, sizeof(*p));
	if (access(WS_DAMON_ADMIN, F_OK)) {
		snprintf(p->reason, sizeof(p->reason),
			 "CONFIG_DAMON_SYSFS not enabled: %s: %s",
			 WS_DAMON_ADMIN, strerror(errno));
		return;
	}
	if (access(WS_DAMON_KDAMONDS "/nr_kdamonds", W_OK)) {
		snprintf(p->reason, sizeof(p->reason),
			 "needs root: %s/nr_kdamonds not writable: %s",
			 WS_DAMON_KDAMONDS, strerror(errno));
		return;
	}
	if (ws_damon_inspect(&tr, err, sizeof(err))) {
		snprintf(p->reason, sizeof(p->reason), "%s", err);
		return;
	}
	blockers(&tr, block, sizeof(block));
	if (!tr.avail_path[0] && !block[0] &&
	    read_avail_temp(&tr, err, sizeof(err))) {
		snprintf(p->reason, sizeof(p->reason),
			 "reading avail_operations: %s", err);
		return;
	}
	if (tr.avail_path[0] && !ws_damon_avail_has(tr.avail, "vaddr")) {
		snprintf(p->reason, sizeof(p->reason),
			 "CONFIG_DAMON_VADDR not enabled: %s lists '%s', no 'vaddr'%s%s",
			 tr.avail_path, tr.avail, block[0] ? "; also " : "",
			 block);
		return;
	}
	if (block[0]) {
		snprintf(p->reason, sizeof(p->reason), "%s", block);
		return;
	}
	snprintf(p->detail, sizeof(p->detail),
		 "avail_operations '%s'; %d kdamond(s) there, all off and empty",
		 tr.avail, tr.nr_kdamonds);
	interference(p->detail, sizeof(p->detail));
	p->supported = true;
}

/* ---- kdamond CPU ---- */

static int cpu_from_stat(pid_t pid, uint64_t *ns)
{
	unsigned long long ut, st;
	char path[64], buf[512], *c;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	c = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* comm may hold spaces: fields 14 and 15 count from after ')'. */
	c = c ? strrchr(buf, ')') : NULL;
	if (!c)
		return -EINVAL;
	n = sscanf(c + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ut, &st);
	if (n != 2)
		return -EINVAL;
	*ns = (ut + st) * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
	return 0;
}

static int kdamond_cpu(struct damon_priv *pv, uint64_t *ns)
{
	struct timespec ts;

	if (!pv->have_clock)
		return cpu_from_stat(pv->k.pid, ns);
	if (clock_gettime(pv->kclock, &ts))
		return -errno;
	*ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	return 0;
}

static int damon_mech_cpu_ns(struct ws_tracker *t, uint64_t *ns)
{
	struct damon_priv *pv = t->priv;
	uint64_t now;
	int ret = kdamond_cpu(pv, &now);

	if (ret)
		return ws_tracker_fail(t, -ret, "CPU time of kdamond pid %d",
				       (int)pv->k.pid);
	*ns = now - pv->cpu_at_open;
	return 0;
}

/* ---- open / close ---- */

static void damon_close(struct ws_tracker *t)
{
	struct damon_priv *pv = t->priv;

	if (!pv)
		return;
	ws_damon_kdamond_remove(&pv->k);
	free(pv);
	t->priv = NULL;
}

static int start_kdamond(struct ws_tracker *t, struct damon_priv *pv,
			 int nr_before)
{
	struct ws_mem *m = t->mem;
	char err[400];
	int ret;

	ret = ws_damon_kdamond_add(&pv->k, nr_before, err, sizeof(err));
	if (ret)
		return ws_tracker_fail(t, 0, "%s", err);
	/* Our pid, or the attached target's (tracker.h). */
	ret = ws_damon_kdamond_start(&pv->k, &pv->params,
				     t->target.pid ? t->target.pid : getpid(),
				     (uintptr_t)m->addr,
				     (uintptr_t)m->addr + m->len, err,
				     sizeof(err));
	if (ret)
		return ws_tracker_fail(t, 0, "%s", err);
	pv->have_clock = !clock_getcpuclockid(pv->k.pid, &pv->kclock);
	ret = kdamond_cpu(pv, &pv->cpu_at_open);
	if (ret)
		return ws_tracker_fail(t, -ret, "CPU time of kdamond pid %d",
				       (int)pv->k.pid);
	return 0;
}

static int damon_open(struct ws_tracker *t)
{
	struct damon_priv *pv;
	struct ws_damon_tree tr;
	char err[256], block[256];
	int ret;

	if (t->mode != WS_MODE_ASYNC)
		return ws_tracker_fail(t, EOPNOTSUPP,
			"only async mode: DAMON samples accessed bits, nothing faults");
	if (ws_damon_inspect(&tr, err, sizeof(err)))
		return ws_tracker_fail(t, 0, "%s", err);
	blockers(&tr, block, sizeof(block));
	if (block[0])
		return ws_tracker_fail(t, EBUSY, "%s", block);

	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return ws_tracker_fail(t, ENOMEM, "allocating state");
	pv->k.state_fd = pv->k.tried_fd = -1;
	pv->k.knob_mark = -1;
	pv->mem = t->mem;
	ws_damon_get_params(&pv->params);
	t->priv = pv;
	ret = start_kdamond(t, pv, tr.nr_kdamonds);
	if (ret) {
		damon_close(t);
		return ret;
	}
	pv->interval_start = ws_now_ns();
	return 0;
}

/* ---- arm / collect ---- */

/* Half a sample: see "What an interval is" at the top. */
static void settle(struct damon_priv *pv)
{
	struct timespec ts = {
		.tv_sec = pv->params.sample_us / 2 / 1000000,
		.tv_nsec = pv->params.sample_us / 2 % 1000000 * 1000,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int damon_arm(struct ws_tracker *t, size_t first_page, size_t npages)
{
	struct damon_priv *pv = t->priv;
	int ret;

	if (first_page > t->mem->npages ||
	    npages > t->mem->npages - first_page)
		return ws_tracker_fail(t, EINVAL, "arm pages %zu+%zu of %zu",
				       first_page, npages, t->mem->npages);
	ret = ws_damon_kdamond_cmd(&pv->k, "update_schemes_tried_bytes");
	if (ret)
		return ws_tracker_fail(t, -ret,
			"write update_schemes_tried_bytes to %s/state (wait for the window boundary)",
			pv->k.dir);
	pv->interval_start = ws_now_ns();
	settle(pv);
	return 0;
}

static void on_region(void *arg, const struct ws_damon_region *r)
{
	struct damon_priv *pv = arg;
	struct ws_mem *m = pv->mem;
	uint64_t lo = (uintptr_t)m->addr, hi = lo + m->len;
	uint64_t s = r->start > lo ? r->start : lo;
	uint64_t e = r->end < hi ? r->end : hi;
	size_t first, last;

	pv->last.regions++;
	if (r->nr_accesses > pv->last.max_nr_accesses)
		pv->last.max_nr_accesses = r->nr_accesses;
	if (s >= e)
		return;
	pv->last.in_range++;
	if (!r->nr_accesses)
		return;
	pv->last.hot++;
	first = (s - lo) / m->page_size;
	last = (e - lo + m->page_size - 1) / m->page_size;
	ws_pageset_set_range(pv->out, first, last - first);
}

static int damon_collect(struct ws_tracker *t, struct ws_pageset *out,
			 bool rearm)
{
	struct damon_priv *pv = t->priv;
	uint64_t elapsed = ws_now_ns() - pv->interval_start;
	char err[300];
	int ret;

	ws_pageset_clear(out);
	memset(&pv->last, 0, sizeof(pv->last));
	/*
	 * The window that began at interval_start cannot end before aggr_us
	 * has passed; one sample of margin for our wake-up after it began.
	 */
	pv->last.covers_interval = elapsed / 1000 + pv->params.sample_us <
				   pv->params.aggr_us;
	ret = ws_damon_kdamond_cmd(&pv->k, "update_schemes_tried_regions");
	if (ret)
		return ws_tracker_fail(t, -ret,
				       "write update_schemes_tried_regions to %s/state",
				       pv->k.dir);
	if (rearm)
		pv->interval_start = ws_now_ns();
	pv->out = out;
	ret = ws_damon_kdamond_regions(&pv->k, on_region, pv, err,
				       sizeof(err));
	pv->out = NULL;
	if (ret)
		return ws_tracker_fail(t, 0, "%s", err);
	pv->collects++;
	pv->collects_over_window += !pv->last.covers_interval;
	if (rearm)
		settle(pv);
	return 0;
}

/* ---- reporting ---- */

int ws_damon_last_snapshot(struct ws_tracker *t, struct ws_damon_snapshot *s)
{
	if (!t->ops || strcmp(t->ops->name, "damon") || !t->priv)
		return -EINVAL;
	*s = ((struct damon_priv *)t->priv)->last;
	return 0;
}

static json_t *damon_info(struct ws_tracker *t)
{
	struct damon_priv *pv = t->priv;
	json_t *j = json_object(), *last;

	if (!j)
		return NULL;
	json_object_set_new(j, "params", ws_damon_params_json(&pv->params));
	json_object_set_new(j, "kdamond", json_integer(pv->k.idx));
	json_object_set_new(j, "kdamond_pid", json_integer(pv->k.pid));
	json_object_set_new(j, "mech_cpu_source",
			    json_string(pv->have_clock ?
					"kdamond process CPU clock (ns)" :
					"/proc/PID/stat utime+stime (clock ticks)"));
	json_object_set_new(j, "window",
			    json_string("a collected set is the DAMON aggregation window (aggr_us) that ended when collect returned; hot = every page of a region with nr_accesses > 0"));
	json_object_set_new(j, "collects", json_integer(pv->collects));
	json_object_set_new(j, "collects_over_window",
			    json_integer(pv->collects_over_window));
	last = json_pack("{s:I,s:I,s:I,s:I,s:b}",
			 "regions", (json_int_t)pv->last.regions,
			 "regions_in_range", (json_int_t)pv->last.in_range,
			 "hot_regions", (json_int_t)pv->last.hot,
			 "max_nr_accesses", (json_int_t)pv->last.max_nr_accesses,
			 "covers_interval", pv->last.covers_interval);
	json_object_set_new(j, "last_collect", last);
	return j;
}

/*
 * Re-arm: nothing to re-arm: the next aggregation window starts when collect()
 * returns.  Sampling can miss accesses whatever the timing, so it claims
 * no losslessness.
 */
const struct ws_tracker_ops ws_tracker_damon = {
	.name = "damon",
	.summary = "DAMON vaddr on our pid: sampled accessed bits per adaptive region, via DAMOS stat tried_regions: reads and writes",
	.sees = WS_SEES_ACCESSES,
	.backings = WS_BACKING_ALL,
	.modes = WS_MODE_BIT(WS_MODE_ASYNC),
	.arm_is_ranged = false,
	.sampling = true,
	/* Its accessed-bit sampling clears young bits without a TLB flush. */
	.arm_leaves_tlb = true,
	.probe = damon_probe,
	.open = damon_open,
	.arm = damon_arm,
	.collect = damon_collect,
	.set_mode = NULL,
	.close = damon_close,
	.mech_cpu_ns = damon_mech_cpu_ns,
	.info = damon_info,
	.rearm_fixed = "next-window",
	.rearm_fixed_misses = WS_MISS_ANY,
};
