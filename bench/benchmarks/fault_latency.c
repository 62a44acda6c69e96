// SPDX-License-Identifier: GPL-2.0
/*
 * fault-latency: what the workload pays on its first access to a page after
 * the tracker armed it.  Each sample is one volatile load or store between
 * two timestamps in the faulting thread, pinned to CPU 0 (the sync handler
 * runs pinned on another CPU); in sync mode it includes the round trip
 * through the handler.
 *
 * A "fault latency" must contain a fault: the thread's page-fault count
 * (getrusage RUSAGE_THREAD, read outside the timed window) is taken around
 * every sample, and samples are filed by what they contained -- exactly one
 * fault ("fault_*_ns", the per-fault latency), none ("access_*_ns": a plain
 * access, e.g. the other 511 pages of a THP whose PMD the first access
 * unprotected, or every access under idle tracking, which never faults), or
 * more than one (counted, not timed as either).  For a backend that faults
 * on the access kind, the first access to every tracking granule (a page;
 * a PMD on anon-thp) must fault: one that did not is an error, not a
 * number.  anon-thp repetitions start PMD-mapped (struct ws_thp_guard).
 *
 * Baselines measured in the same run, once per backing: an access to a
 * present, unprotected page and the first touch of a fresh mapping
 * (missing fault; on anon-thp one THP allocation per 2 MiB).
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"
#include "common.h"
#include "pagemap.h"
#include "stats.h"
#include "threads.h"
#include "timing.h"

/* Samples of one access kind, filed by the faults they contained. */
struct fl_kind {
	struct ws_samples fault_ns;	/* exactly one fault: per-fault latency */
	struct ws_samples access_ns;	/* no fault */
	size_t samples, faulted, multi;
	size_t granules, missed;	/* granule first accesses, unfaulted */
};

static void kind_init(struct fl_kind *k)
{
	memset(k, 0, sizeof(*k));
	ws_samples_init(&k->fault_ns);
	ws_samples_init(&k->access_ns);
}

static void kind_free(struct fl_kind *k)
{
	ws_samples_free(&k->fault_ns);
	ws_samples_free(&k->access_ns);
}

static long thread_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* One timed access: timestamps bracket exactly one load or store. */
static inline double timed_touch(char *addr, bool write, long *faults)
{
	long f0 = thread_faults();
	uint64_t t0, t1;

	t0 = ws_now_ns();
	ws_barrier();
	ws_touch(addr, write);
	ws_barrier();
	t1 = ws_now_ns();
	*faults = thread_faults() - f0;
	return (double)(t1 - t0);
}

/*
 * Time one access per page of @m.  With @keep, file every sample in @k and,
 * when @must_fault, count granules whose first access took no fault.  One
 * sweep is one repetition: its samples share its conditions.
 */
static int sweep(const struct ws_mem *m, bool write, bool keep,
		 struct fl_kind *k, size_t granule, bool must_fault)
{
	for (size_t i = 0; i < m->npages; i++) {
		long faults;
		double ns = timed_touch(m->addr + i * m->page_size, write,
					&faults);
		int ret = 0;

		if (!keep)
			continue;
		k->samples++;
		if (i % granule == 0) {
			k->granules++;
			k->missed += must_fault && !faults;
		}
		if (faults == 1) {
			k->faulted++;
			ret = ws_samples_push(&k->fault_ns, ns);
		} else if (faults == 0) {
			ret = ws_samples_push(&k->access_ns, ns);
		} else {
			k->multi++;
		}
		if (ret)
			return ret;
	}
	if (!keep)
		return 0;
	if (ws_samples_end_rep(&k->fault_ns) ||
	    ws_samples_end_rep(&k->access_ns))
		return -ENOMEM;
	return 0;
}

static json_t *kind_json(const struct fl_kind *k)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I}",
			 "samples", (json_int_t)k->samples,
			 "one_fault", (json_int_t)k->faulted,
			 "multi_fault", (json_int_t)k->multi,
			 "granules", (json_int_t)k->granules,
			 "granules_not_faulted", (json_int_t)k->missed);
}

/* metrics[fault_<kind>_ns], metrics[access_<kind>_ns]; medians appended. */
static void kind_metrics(const struct ws_bench_ctx *ctx, json_t *metrics,
			 const char *kind, const struct fl_kind *k,
			 double *med, size_t *nmed)
{
	char name[64];

	snprintf(name, sizeof(name), "fault_%s_ns", kind);
	med[(*nmed)++] = ws_metric_add(ctx, metrics, name, &k->fault_ns, "ns");
	snprintf(name, sizeof(name), "access_%s_ns", kind);
	med[(*nmed)++] = ws_metric_add(ctx, metrics, name, &k->access_ns,
				       "ns");
}

static size_t granule_pages(const struct ws_mem *m)
{
	return m->backing == WS_BACKING_ANON_THP ?
	       WS_THP_SIZE / m->page_size : 1;
}

static json_t *params_json(const struct ws_bench_ctx *ctx,
			   const struct ws_mem *m)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:b}",
			 "size_bytes", (json_int_t)m->len,
			 "npages", (json_int_t)m->npages,
			 "page_size", (json_int_t)m->page_size,
			 "granule_pages", (json_int_t)granule_pages(m),
			 "hugetlb_capped", m->backing == WS_BACKING_HUGETLB &&
			 m->npages < ctx->p->pages);
}

static json_t *pinning_json(int measuring_cpu, int handler_cpu, bool sync)
{
	json_t *j = json_object();

	json_object_set_new(j, "measuring_cpu", measuring_cpu >= 0 ?
			    json_integer(measuring_cpu) : json_null());
	if (sync)
		json_object_set_new(j, "handler_cpu", handler_cpu >= 0 ?
				    json_integer(handler_cpu) : json_null());
	if (measuring_cpu < 0)
		json_object_set_new(j, "note",
				    json_string("the faulting thread could not be pinned"));
	else if (sync && handler_cpu < 0)
		json_object_set_new(j, "note",
				    json_string("one CPU: the sync handler shares the faulting thread's CPU"));
	return j;
}

/* ---- tracked cases ---------------------------------------------------- */

struct tracker_case_id {
	const struct ws_tracker_ops *ops;
	enum ws_backing backing;
	enum ws_mode mode;
};

struct fl_case {
	struct ws_bench_ctx *ctx;
	struct ws_mem m;
	struct ws_tracker t;
	struct ws_thp_guard thp;
	struct ws_pageset truth;	/* every page: each is touched once */
	struct ws_pageset seen;
	bool reads;			/* access-seeing: also time reads */
	struct fl_kind read, write;
	struct ws_accuracy acc;
};

static int fl_variant(struct fl_case *c, bool write, bool measured)
{
	unsigned int kind = write ? WS_ACCESS_WRITE : WS_ACCESS_READ;
	struct ws_accuracy acc;
	int ret;

	/* Each variant starts PMD-mapped: the read pass may have split. */
	ret = ws_thp_guard_start(c->ctx, &c->thp, &c->m, &c->t);
	if (ret)
		return ret;
	ret = c->t.ops->arm(&c->t, 0, c->m.npages);
	if (ret)
		return ws_case_fail(c->ctx, ret, "arm: %s", c->t.err);
	if (measured)
		ws_thp_guard_timed(&c->thp, &c->m);
	ret = sweep(&c->m, write, measured, write ? &c->write : &c->read,
		    granule_pages(&c->m), c->t.ops->faults_on & kind);
	if (ret)
		return ws_case_fail(c->ctx, ret, "samples: out of memory");
	ws_pageset_clear(&c->seen);
	ret = c->t.ops->collect(&c->t, &c->seen, false);
	if (ret)
		return ws_case_fail(c->ctx, ret, "collect: %s", c->t.err);
	/* A write-only tracker cannot see the read pass: not scored. */
	if (measured && (write || c->t.ops->sees == WS_SEES_ACCESSES)) {
		ws_pageset_compare(&c->truth, &c->seen, &acc);
		ws_accuracy_add(&c->acc, &acc);
	}
	return 0;
}

static int fl_once(void *arg, bool measured)
{
	struct fl_case *c = arg;
	int ret;

	/* Whatever the last repetition left behind is present again. */
	ws_mem_populate(&c->m);
	ret = 0;
	if (c->reads)
		ret = fl_variant(c, false, measured);
	if (!ret)
		ret = fl_variant(c, true, measured);
	return ret;
}

/* A granule whose first access did not fault: the arm did not take. */
static int check_faulted(struct fl_case *c)
{
	const struct fl_kind *k[2] = { &c->read, &c->write };
	static const char *const name[2] = { "read", "write" };

	for (int i = 0; i < 2; i++)
		if (k[i]->missed)
			return ws_case_fail(c->ctx, EIO,
				"%zu of %zu granules' first %s after arm took no page fault: %s did not arm them, so these samples are not fault latencies",
				k[i]->missed, k[i]->granules, name[i],
				c->t.ops->name);
	return 0;
}


static void fl_report(struct fl_case *c, const struct tracker_case_id *id,
		      size_t reps, uint64_t faults, int measuring_cpu)
{
	struct ws_bench_ctx *ctx = c->ctx;
	json_t *j = ws_case_json(id->ops, id->backing, id->mode);
	json_t *metrics = json_object();
	double med[4];
	size_t nmed = 0;

	json_object_set_new(j, "params", params_json(ctx, &c->m));
	json_object_set_new(j, "access", json_string(c->reads ? "read+write" :
						     "write"));
	if (c->reads)
		kind_metrics(ctx, metrics, "read", &c->read, med, &nmed);
	kind_metrics(ctx, metrics, "write", &c->write, med, &nmed);
	json_object_set_new(j, "metrics", metrics);
	json_object_set_new(j, "faults",
			    c->reads ? json_pack("{s:o,s:o}",
						 "read", kind_json(&c->read),
						 "write", kind_json(&c->write)) :
				       json_pack("{s:o}",
						 "write", kind_json(&c->write)));
	json_object_set_new(j, "accuracy", ws_accuracy_json(&c->acc));
	json_object_set_new(j, "reps", json_integer(reps));
	/* Includes warm-up repetitions: the handler counts every fault. */
	json_object_set_new(j, "sync_faults", json_integer(faults));
	json_object_set_new(j, "pinning",
			    pinning_json(measuring_cpu, c->t.handler_cpu,
					 id->mode == WS_MODE_SYNC));
	ws_thp_guard_add(j, &c->thp);
	ws_timer_annotate(ctx, j, med, nmed);
	ws_result_add(ctx->res, j);
}

static int fl_setup(struct fl_case *c, struct ws_bench_ctx *ctx,
		    const struct tracker_case_id *id)
{
	size_t npages, len = ws_case_len(id->backing, ctx->p->pages, &npages);
	int ret;

	c->reads = id->ops->sees == WS_SEES_ACCESSES;
	ws_thp_guard_init(&c->thp, id->backing);
	if (!npages)
		return ws_case_skip(ctx, "--pages 0: nothing to time");
	ret = ws_case_map_sets(ctx, &c->m, id->backing, len, &c->truth,
			       &c->seen);
	if (ret)
		return ret;
	ws_pageset_set_range(&c->truth, 0, c->m.npages);
	ws_mem_populate(&c->m);
	return ws_case_open(ctx, &c->t, id->ops, &c->m, id->mode);
}

static int fl_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, void *arg)
{
	const struct tracker_case_id id = { ops, backing, mode };
	struct fl_case c = { .ctx = ctx, .m.fd = -1 };
	int *measuring_cpu = arg;
	uint64_t faults0;
	size_t reps = 0;
	int ret;

	if (ops->sampling) {
		/* Once for the backend, not per backing and mode. */
		ws_skip_once(ctx->res, ops->name, NULL, NULL,
			     "never faults: accesses cost what untracked ones do; its cost is the sampling kernel thread's CPU (scan-throughput, damon-sweep: mech_cpu_ns)");
		return 0;
	}
	kind_init(&c.read);
	kind_init(&c.write);
	ret = fl_setup(&c, ctx, &id);
	if (ret)
		goto out;
	faults0 = c.t.sync_faults;
	ret = ws_repeat(ctx->p, fl_once, &c, &reps);
	if (!ret)
		ret = check_faulted(&c);
	if (!ret)
		fl_report(&c, &id, reps, c.t.sync_faults - faults0,
			  *measuring_cpu);
out:
	if (c.t.ops)
		ws_tracker_close(&c.t);
	ws_pageset_free(&c.truth);
	ws_pageset_free(&c.seen);
	kind_free(&c.read);
	kind_free(&c.write);
	ws_mem_unmap(&c.m);
	return ret;
}

/* ---- baselines -------------------------------------------------------- */

struct bl_case {
	struct ws_bench_ctx *ctx;
	enum ws_backing backing;
	size_t len;
	struct ws_mem present;
	struct ws_thp_guard thp;
	struct fl_kind present_read, present_write, first_touch;
	double fresh_cov_min;		/* anon-thp: did first touch get THP? */
	char first_touch_skip[512];	/* why no fresh mapping (hugetlb) */
};

static void note_fresh_coverage(struct bl_case *c, const struct ws_mem *m)
{
	double cov;

	if (c->backing != WS_BACKING_ANON_THP ||
	    ws_pagemap_pmd_coverage(m, &cov))
		return;
	if (isnan(c->fresh_cov_min) || cov < c->fresh_cov_min)
		c->fresh_cov_min = cov;
}

static int bl_first_touch(struct bl_case *c, bool measured)
{
	struct ws_mem fresh;
	int ret;

	if (c->first_touch_skip[0])
		return 0;
	/* A new mapping each time: every granule's first touch faults. */
	ret = ws_case_map(c->ctx, &fresh, c->backing, c->len);
	if (ret > 0) {
		/* e.g. not enough huge pages for a second mapping */
		snprintf(c->first_touch_skip, sizeof(c->first_touch_skip),
			 "%s", c->ctx->skip_reason);
		c->ctx->skip_reason[0] = '\0';
		return 0;
	}
	if (ret)
		return ret;
	ret = sweep(&fresh, true, measured, &c->first_touch,
		    granule_pages(&fresh), true);
	if (measured)
		note_fresh_coverage(c, &fresh);
	ws_mem_unmap(&fresh);
	if (ret)
		return ws_case_fail(c->ctx, ENOMEM, "samples: out of memory");
	return 0;
}

static int bl_once(void *arg, bool measured)
{
	struct bl_case *c = arg;
	int ret;

	ret = ws_thp_guard_start(c->ctx, &c->thp, &c->present, NULL);
	if (ret)
		return ret;
	if (measured)
		ws_thp_guard_timed(&c->thp, &c->present);
	if (sweep(&c->present, false, measured, &c->present_read, 1, false) ||
	    sweep(&c->present, true, measured, &c->present_write, 1, false))
		return ws_case_fail(c->ctx, ENOMEM, "samples: out of memory");
	return bl_first_touch(c, measured);
}

static void bl_report(struct bl_case *c, size_t reps)
{
	struct ws_bench_ctx *ctx = c->ctx;
	json_t *j = ws_baseline_case_json("baseline", c->backing);
	json_t *metrics = json_object(), *thp;
	double med[3];

	json_object_set_new(j, "params", params_json(ctx, &c->present));
	/* Present pages must not fault: a sample that did is left out. */
	med[0] = ws_metric_add(ctx, metrics, "present_read_ns",
			       &c->present_read.access_ns, "ns");
	med[1] = ws_metric_add(ctx, metrics, "present_ns",
			       &c->present_write.access_ns, "ns");
	med[2] = ws_metric_add(ctx, metrics, "first_touch_ns",
			       &c->first_touch.fault_ns, "ns");
	json_object_set_new(j, "metrics", metrics);
	json_object_set_new(j, "faults",
			    json_pack("{s:o,s:o,s:o}",
				      "present_read", kind_json(&c->present_read),
				      "present_write", kind_json(&c->present_write),
				      "first_touch", kind_json(&c->first_touch)));
	json_object_set_new(j, "reps", json_integer(reps));
	json_object_set_new(j, "note",
			    json_string("present_ns: store to a present, unprotected page; present_read_ns: load from it (samples that took a fault are left out and counted in faults); first_touch_ns: stores that took exactly one fault on a fresh mapping (missing fault; on anon-thp one THP allocation per 2 MiB)"));
	if (c->first_touch_skip[0])
		json_object_set_new(j, "first_touch_skipped",
				    json_string(c->first_touch_skip));
	thp = ws_thp_guard_add(j, &c->thp);
	if (thp)
		json_object_set_new(thp, "first_touch_pmd_coverage_min",
				    isnan(c->fresh_cov_min) ? json_null() :
				    json_real(c->fresh_cov_min));
	ws_timer_annotate(ctx, j, med, 3);
	ws_result_add(ctx->res, j);
}

static void baseline(struct ws_bench_ctx *ctx, enum ws_backing backing)
{
	size_t npages;
	struct bl_case c = {
		.ctx = ctx,
		.backing = backing,
		.len = ws_case_len(backing, ctx->p->pages, &npages),
		.present.fd = -1,
		.fresh_cov_min = NAN,
	};
	size_t reps = 0;
	int ret;

	kind_init(&c.present_read);
	kind_init(&c.present_write);
	kind_init(&c.first_touch);
	ws_thp_guard_init(&c.thp, backing);
	ctx->skip_reason[0] = '\0';
	if (!npages)
		goto out;
	ret = ws_case_map(ctx, &c.present, backing, c.len);
	if (ret == 1) {
		ws_result_skip(ctx->res, "baseline", ws_backing_name(backing),
			       WS_MODE_NONE_NAME, ctx->skip_reason);
		goto out;
	}
	if (!ret) {
		ws_mem_populate(&c.present);
		ret = ws_repeat(ctx->p, bl_once, &c, &reps);
	}
	if (!ret && c.first_touch.missed)
		ret = ws_case_fail(ctx, EIO,
				   "%zu of %zu granules of a fresh mapping took no fault on first touch",
				   c.first_touch.missed, c.first_touch.granules);
	if (ret) {
		ws_record_error(ctx, "baseline", ws_backing_name(backing),
				WS_MODE_NONE_NAME, ret);
		goto out;
	}
	bl_report(&c, reps);
out:
	kind_free(&c.present_read);
	kind_free(&c.present_write);
	kind_free(&c.first_touch);
	ws_mem_unmap(&c.present);
}

static int fault_latency_run(struct ws_bench_ctx *ctx)
{
	size_t nbackings = 0;
	int measuring_cpu = -1;
	struct ws_bench_pin pin;

	for (int b = 0; b < WS_BACKING_NR; b++)
		nbackings += !!(ctx->p->backings & WS_BACKING_BIT(b));
	ws_bench_progress_start(ctx, "fault-latency",
				nbackings + ws_count_cases(ctx->p, true));
	/*
	 * The faulting thread on CPU 0 for this benchmark only; the sync
	 * handler pins itself to another CPU (uffd.c).  Unpinned, per-rep
	 * medians were bimodal as the thread moved.
	 */
	if (!ws_bench_pin_cpu0(ctx, "faulting", &pin))
		measuring_cpu = ws_cpu_id(0);
	for (int b = 0; b < WS_BACKING_NR; b++) {
		if (!(ctx->p->backings & WS_BACKING_BIT(b)))
			continue;
		ws_progress_step(&ctx->prog, "baseline/%s", ws_backing_name(b));
		baseline(ctx, b);
	}
	ws_for_each_case(ctx, fl_case, &measuring_cpu, true);
	ws_progress_done(&ctx->prog);
	ws_bench_unpin(&pin);
	return 0;
}

static void fault_latency_defaults(struct ws_params *p,
				   enum ws_profile profile)
{
	bool quick = profile == WS_PROFILE_QUICK;

	p->pages = quick ? 2000 : 4096;
	ws_default_reps(p, 1, quick ? 3 : 5, quick ? 10 : 20,
			quick ? 0.2 : 1.0);
}

WS_BENCHMARK(fault_latency,
	.name		= "fault-latency",
	.summary	= "latency of the first access to each armed page (samples filed by the page faults they contained), per backend, backing and mode, with present-page and first-touch baselines",
	.options	= "--backend --backing --mode --pages --warmup --min-reps --max-reps --min-time",
	/* The first-touch baseline maps a fresh region next to the present one. */
	.regions_at_once = 2
);
