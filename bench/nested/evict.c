// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench nested track --evict: the VMM cycle of bench/vmm/ (cycle_impl.h)
 * on a nested QEMU's guest RAM, one backend per boot.  QEMU hands over its
 * RAM range, memfd and a userfaultfd registered on its RAM mapping
 * (uffdvia.c): the uffd backends track with it, every backend refaults
 * with it (MISSING + UFFDIO_COPY), and the memfd is the I/O view pages are
 * written out of and punched from.  Per interval, after the nested
 * guest's interval k ended: cycle_manage() freezes (rwp, wp: sync mode
 * through UFFDIO_SET_MODE, faults held; idle, soft-dirty, DAMON: QMP
 * `stop` on QEMU's monitor; --protocol unsafe: nothing), detects, evicts
 * what was not hot in the last K intervals, unfreezes and re-arms.  The
 * storage file and page states go to QEMU's library too, so it restores
 * every evicted page should wsbench die, and does so when released.
 *
 * What is lost shows inside: the nested guest checks every workload
 * page's stamps at the end, through the same refaults (its "integrity"
 * line), and the outer side reads every page back through the memfd
 * after the release.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cycle_impl.h"
#include "qmp.h"
#include "stats.h"
#include "timing.h"
#include "track_impl.h"

#define QMP_TIMEOUT_MS	30000

struct nested_cycle {
	struct track *t;
	struct ws_params p;
	struct ws_bench_ctx ctx;
	struct ws_cycle_opts o;
	struct cycle *c;
	struct ws_qmp qmp;
	char qmp_err[256];
	uint64_t refaults0, handler0;	/* at the last interval's end */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* ---- the freeze of backends without fault holding: QEMU's pause ---- */

static int qmp_pause(struct cycle *c, uint64_t *took_ns)
{
	struct nested_cycle *n = c->pause_arg;
	uint64_t t0 = ws_now_ns();
	int ret = ws_qmp_run(&n->qmp, "stop", n->qmp_err,
			     sizeof(n->qmp_err));

	*took_ns = ws_now_ns() - t0;
	return ret;
}

static void qmp_resume(struct cycle *c)
{
	struct nested_cycle *n = c->pause_arg;

	if (ws_qmp_run(&n->qmp, "cont", n->qmp_err, sizeof(n->qmp_err)))
		fprintf(stderr, "wsbench nested track: %s\n", n->qmp_err);
}

/* ---- whose faults (qthreads.c) ---- */

static void on_fault(struct cycle *c, const struct uffd_msg *msg,
		     bool refault)
{
	struct nested_cycle *n = c->pause_arg;

	ws_nested_fault(n->t, msg->arg.pagefault.feat.ptid, refault);
}

/*
 * QEMU's uffd as the kernel has it (our copy's fdinfo: the features the
 * context runs with, not the ones UFFDIO_API said were available), and
 * QEMU's vCPU threads.
 */
static void classify_setup(struct track *t, struct nested_cycle *n)
{
	struct cycle *c = n->c;
	int fd = c->missing_uffd >= 0 ? c->missing_uffd :
					 ws_tracker_uffd(&c->t);
	uint64_t feat = 0, ioctls;
	pid_t tids[NESTED_MAX_VCPUS];
	int vt[NESTED_MAX_VCPUS];
	char why[256] = "";
	int nv = 0;
	bool tid_on = fd >= 0 && !ws_uffd_fdinfo_api(fd, &feat, &ioctls) &&
		      (feat & UFFD_FEATURE_THREAD_ID);

	if (!tid_on)
		snprintf(why, sizeof(why), "QEMU's uffd runs without UFFD_FEATURE_THREAD_ID (fdinfo features 0x%llx)",
			 (unsigned long long)feat);
	else if (n->qmp.fd < 0)
		snprintf(why, sizeof(why), "no QMP socket (--qmp): QEMU's vCPU threads unknown");
	else if ((nv = ws_qmp_vcpu_tids(&n->qmp, tids, NESTED_MAX_VCPUS, why,
					sizeof(why))) < 0)
		nv = 0;
	for (int i = 0; i < nv; i++)
		vt[i] = tids[i];
	ws_nested_faults_init(t, vt, (size_t)nv, tid_on, why);
}

/*
 * Tests (--test-punch-delay-us): ask the nested guest to write its poke
 * pages that are being evicted now (written out, not punched) and wait
 * for it at most the delay.  Frozen (safe), it cannot answer in time: the
 * whole delay passes with every run unpunched, and its write lands after
 * the unfreeze, on the refaulted page.  Unfrozen (unsafe), only the poke
 * pages wait (punch_keep: every other run was punched at once, so the
 * test widens no window of the nested kernel's own pages, whose lost
 * writes killed it), the answer ends the wait, and the write is lost
 * with the punch.
 */
static void poke_window(struct ws_guest *g, void *arg)
{
	struct track *t = arg;
	const struct ws_pageset *pk = &t->l.rep.pokes;
	uint64_t t0 = ws_now_ns(), wait = g->test_punch_delay_us * 1000ULL;
	struct ws_pageset s = { 0 };
	size_t pos = 0, first, np, want = 0;
	bool acked = false;

	if (t->l.rep.have_pokes && !ws_pageset_init(&s, pk->npages)) {
		while (ws_pageset_next_run(pk, &pos, &first, &np))
			for (size_t p = first; p < first + np; p++)
				if (p < g->mem.npages &&
				    atomic_load(&g->state[p]) == WS_PAGE_EVICTING) {
					ws_pageset_set(&s, p);
					want++;
				}
	}
	if (want && !ws_nested_link_poke(&t->l, &s, (int)(wait / 1000000),
					 &acked)) {
		t->ev.poke_windows++;
		t->ev.poke_pages += want;
		t->ev.poke_acked_in_window += acked ? want : 0;
	}
	ws_pageset_free(&s);
	if (t->a.unsafe && (!want || acked))
		return;
	if (ws_now_ns() - t0 < wait)
		usleep((useconds_t)((wait - (ws_now_ns() - t0)) / 1000));
}

/* ---- set-up ---- */

static int adopt(struct track *t, struct nested_cycle *n, char *why,
		 size_t len)
{
	struct cycle *c = n->c;
	int fd = dup(t->sess.memfd), ret;

	if (fd < 0)
		return snprintf(why, len, "dup of QEMU's RAM memfd: %s",
				strerror(errno)), -errno;
	ret = ws_guest_adopt(&c->g, t->ram.start, t->ram.len, fd, 0,
			     t->a.tmp, why, len);
	c->g.test_punch_delay_us = (unsigned int)t->a.test_punch_delay_us;
	c->g.punch_window = poke_window;
	c->g.punch_window_arg = t;
	if (t->a.unsafe)
		c->g.punch_keep = &t->l.rep.pokes;
	c->mem = &c->g.mem;
	if (ret)
		return ret;
	ret = cycle_alloc_pages(c);
	if (ret)
		return snprintf(why, len, "%s", n->ctx.skip_reason), ret;
	return ws_session_storage(&t->sess, c->g.storage_fd, c->g.state_fd,
				  c->mem->npages, c->mem->page_size, why, len);
}

static enum ws_mode run_mode(const struct ws_tracker_ops *ops,
			     enum ws_freeze f)
{
	/* Paused, nothing needs holding faults: async where offered. */
	if (f != WS_FREEZE_SYNC && (ops->modes & WS_MODE_BIT(WS_MODE_ASYNC)))
		return WS_MODE_ASYNC;
	return ws_cycle_mode(ops);
}

int ws_nested_cycle_open(struct track *t, enum ws_outer_via via, char *why,
			 size_t len)
{
	const struct ws_tracker_ops *ops =
		ws_tracker_by_name(ws_outer_via_name(via));
	struct nested_cycle *n;
	enum ws_freeze f;
	struct ws_probe p = { 0 };
	int ret;

	if (!ops)
		return snprintf(why, len, "no %s backend in this build",
				ws_outer_via_name(via)), -ENOSYS;
	ops->probe(&p);
	if (!p.supported)
		return snprintf(why, len, "%s", p.reason), -EOPNOTSUPP;
	ret = ws_nested_take_range(t, why, len);
	if (ret)
		return ret;
	/* Every uffd QEMU opens for us says which thread faulted. */
	t->sess.extra_features |= UFFD_FEATURE_THREAD_ID;
	n = t->cy = calloc(1, sizeof(*n));
	if (!n)
		return snprintf(why, len, "out of memory"), -ENOMEM;
	n->t = t;
	n->qmp.fd = -1;
	n->ctx.p = &n->p;
	n->o = (struct ws_cycle_opts){
		.backing = WS_BACKING_SHMEM,
		.size = t->ram.len,
		.intervals = (unsigned int)t->a.intervals,
		.interval_ns = t->a.interval_ms * 1000000ULL,
		.cold_after = (unsigned int)t->a.cold_after,
		.unsafe = t->a.unsafe,
		.storage_dir = t->a.tmp,
	};
	f = ws_cycle_freeze(ops, t->a.unsafe);
	/* The pause needs QMP; every backend asks it for the vCPU threads. */
	if (f == WS_FREEZE_PAUSE || t->a.qmp) {
		ret = ws_qmp_open(&n->qmp, t->a.qmp, QMP_TIMEOUT_MS, why, len);
		if (ret)
			return ret;
	}
	n->c = cycle_alloc(&n->ctx, &n->o, ops, run_mode(ops, f));
	if (!n->c)
		return snprintf(why, len, "out of memory"), -ENOMEM;
	n->c->guest = true;
	n->c->freeze = f;
	n->c->pause = qmp_pause;
	n->c->resume = qmp_resume;
	n->c->pause_arg = n;
	/* Faults before classify_setup() count as "unknown". */
	n->c->on_fault = on_fault;
	n->c->t.target = (struct ws_tracker_target){
		.pid = (pid_t)t->a.pid,
		.open_uffd = ws_session_open_uffd,
		.arg = &t->sess,
	};
	ret = adopt(t, n, why, len);
	if (!ret && (ret = cycle_setup_tracker(n->c, n->c->ops_mode)))
		snprintf(why, len, "%s", n->ctx.skip_reason);
	if (!ret) {
		classify_setup(t, n);
		t->v[via].mode = ws_mode_name(n->c->ops_mode);
		t->v[via].uffd_features = t->sess.uffd_features;
		t->v[via].user_mode_only = t->sess.user_mode_only;
		if (ops->rearm_method) {
			enum ws_rearm_miss miss;

			t->v[via].rearm = ops->rearm_method(&n->c->t, &miss);
		}
	}
	return ret;
}

/* ---- one interval: steps 2-5 of the cycle (cycle.h) ---- */

int ws_nested_cycle_manage(struct track *t, uint32_t k,
			   struct ws_pageset *hot)
{
	struct nested_cycle *n = t->cy;
	struct cycle *c = n->c;
	struct cycle_interval *iv = &c->iv[k - 1];
	uint64_t r, h;
	int ret;

	ret = cycle_manage(c, k, iv);
	if (ret) {
		fprintf(stderr, "wsbench nested track: interval %u: %s%s%s\n",
			k, n->ctx.skip_reason, n->qmp_err[0] ? "; " : "",
			n->qmp_err);
		return ret;
	}
	memcpy(hot->bits, c->hot.bits, (hot->npages + 63) / 64 * 8);
	/* Refaults happen all along: since the last interval's end. */
	r = atomic_load(&c->g.refaults);
	h = cycle_handler_cpu(c);
	iv->refaults = r - n->refaults0;
	iv->cpu[CPU_HANDLER] = h - n->handler0;
	n->refaults0 = r;
	n->handler0 = h;
	iv->resident = ws_guest_resident(&c->g);
	return 0;
}

/* ---- the end ---- */

/* Counters the report needs after the cycle is gone. */
static void harvest(struct track *t)
{
	struct cycle *c = t->cy->c;
	struct nested_evict *e = &t->ev;
	double *stall = calloc(t->a.intervals, sizeof(*stall));
	size_t ns = 0;

	e->freeze = ws_freeze_name(c->freeze);
	for (uint32_t k = 0; k < t->a.intervals; k++) {
		const struct cycle_interval *iv = &c->iv[k];
		uint64_t cpu = 0;

		for (int i = 0; i < CPU_NR; i++)
			cpu += iv->cpu[i];
		if (k >= t->done)
			break;
		e->evicted += iv->evicted;
		e->cpu_ns += cpu;
		e->iv[k] = (struct nested_evict_iv){
			.evicted = iv->evicted, .refaults = iv->refaults,
			.resident = iv->resident, .window_ns = iv->window_ns,
			.cpu_ns = cpu,
		};
		if (stall)
			stall[ns++] = (double)iv->window_ns;
	}
	if (ns) {
		qsort(stall, ns, sizeof(*stall), cmp_double);
		e->stall_p50_ns = ws_percentile_sorted(stall, ns, 50);
		e->stall_p99_ns = ws_percentile_sorted(stall, ns, 99);
	}
	free(stall);
	e->refaults = atomic_load(&c->g.refaults);
	e->first_touches = atomic_load(&c->g.first_touches);
	e->held = c->held_total;
	e->page_size = c->mem->page_size;
	e->intervals = (uint32_t)ns;
	e->measured = true;
}

void ws_nested_cycle_end(struct track *t)
{
	struct nested_cycle *n = t->cy;

	if (!n)
		return;
	if (n->c) {
		/* A freeze left behind by an error: let QEMU run again. */
		if (n->c->freeze == WS_FREEZE_PAUSE && n->qmp.fd >= 0)
			ws_qmp_run(&n->qmp, "cont", n->qmp_err,
				   sizeof(n->qmp_err));
		/*
		 * Stop every fault handler first: a refault after the counts
		 * were read would leave a page neither counted refaulted nor
		 * evicted for the release to restore (accounted).
		 */
		t->ev.handler_cpu_ns = cycle_handler_cpu(n->c);
		ws_nested_keep_info(&t->v[__builtin_ctz(t->a.vias)], &n->c->t);
		ws_tracker_close(&n->c->t);
		ws_uffd_handler_stop(&n->c->missing_handler);
		if (n->c->mem)
			harvest(t);
		cycle_free(n->c);
	}
	ws_qmp_close(&n->qmp);
	free(n);
	t->cy = NULL;
}
