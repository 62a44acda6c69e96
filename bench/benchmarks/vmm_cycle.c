// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-cycle: which mechanism lets a VMM evict the most cold guest memory,
 * with the fewest wrong evictions, the least CPU and stall, and without
 * losing a byte?  Every backend runs the same detect -> freeze -> evict ->
 * refault cycle (bench/vmm/cycle.h) on a workload pattern with exact
 * ground truth, next to an untracked run of the same pattern (same truth
 * recording, same seed), the two interleaved repetition by repetition so
 * that machine drift hits both alike.
 *
 * shmem (a memfd, the kernel's own RWP VMM workflow) runs the full cycle.
 * anon runs the detection half only: anonymous memory has no I/O view, so
 * a VMM cannot read a page out without going through the tracked mapping
 * (Documentation/admin-guide/mm/userfaultfd.rst: "Anonymous-memory
 * backings need a different inner-loop strategy"); the case says so.
 *
 * A page whose content does not match the workers' stamps, at a refault or
 * at the end, is data loss (each page counted once), and the case is an
 * error: --protocol unsafe evicts without freezing, and the error is how
 * it is caught.
 *
 * Rates (accesses/s, refaults/s) and the slowdown are on the wall clock
 * for every backend, with the freeze windows and the paused time beside
 * them (score.c).  The cold set is scored over each interval's decisions
 * (the pages resident when the manager picked the cold ones); the F1 over
 * every page, evicted ones included, is kept as f1_cold_cumulative.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "common.h"
#include "cycle.h"
#include "jsonfile.h"
#include "pattern.h"
#include "stats.h"

/* WSBENCH_TEST_PUNCH_DELAY_US (tests only; see struct ws_cycle_opts). */
static unsigned int test_punch_delay_us(void)
{
	const char *env = getenv("WSBENCH_TEST_PUNCH_DELAY_US");
	char *end;
	unsigned long v;

	if (!env || !*env)
		return 0;
	v = strtoul(env, &end, 10);
	return *end || v > 1000000 ? 0 : (unsigned int)v;
}

/* Why a backing other than shmem is detection only (JSON "eviction"). */
static const char *detection_only_why(enum ws_backing b)
{
	switch (b) {
	case WS_BACKING_ANON:
	case WS_BACKING_ANON_THP:
		return "detection only: anonymous memory has no I/O view, so a VMM cannot write a page out without going through the tracked mapping (kernel Documentation/admin-guide/mm/userfaultfd.rst); eviction and refault run on shmem";
	case WS_BACKING_GMEM:
		return "detection only: guest_memfd takes no UFFDIO_REGISTER_MODE_MISSING and UFFDIO_COPY is EINVAL (KERNEL=gmem's patches), so a punched page would come back zero-filled with no message: there is no refault path (tests/vm-e2e-gmem, gmem-uffd-check); eviction and refault run on shmem";
	default:
		return "detection only: the cycle's eviction (write out, punch, refault with UFFDIO_COPY) is built on shmem's memfd; eviction and refault run on shmem";
	}
}

/* Per-repetition series of one case, and the first tracked run's intervals. */
struct vc_case {
	struct ws_samples f1_dec, f1_dec_2m, f1_cum, f1_cum_2m;
	struct ws_samples cpu, refault_rate, slowdown, frozen, paused;
	struct ws_samples rate_t, rate_u, p99_t, p99_u, window, refault_ns;
	json_t *runs, *intervals;
	uint64_t lost, evicted, refaults;
	/* over every run's decisions: pages called cold, in use among them */
	uint64_t called_cold, false_read, false_write;
};

static void vc_init(struct vc_case *v)
{
	memset(v, 0, sizeof(*v));
	v->runs = json_array();
}

static void vc_free(struct vc_case *v)
{
	struct ws_samples *all[] = { &v->f1_dec, &v->f1_dec_2m, &v->f1_cum,
		&v->f1_cum_2m, &v->cpu, &v->refault_rate, &v->slowdown,
		&v->frozen, &v->paused, &v->rate_t, &v->rate_u, &v->p99_t,
		&v->p99_u, &v->window, &v->refault_ns };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ws_samples_free(all[i]);
	json_decref(v->runs);
	json_decref(v->intervals);
}

/* 100 * a / b, NAN without a denominator. */
static double pct_of(double a, double b)
{
	return b > 0 ? 100.0 * a / b : NAN;
}

/* A tracked run's scores, rates and windows into the case's series. */
static void vc_add_scores(struct vc_case *v, json_t *t, json_t *u)
{
	double rt = ws_json_num(t, "accesses_per_s"), ru = ws_json_num(u, "accesses_per_s");
	double wall = ws_json_num(t, "wall_s");
	json_t *dec = json_object_get(t, "decisions");

	ws_samples_push_rep_num(&v->f1_dec, ws_json_num(t, "f1_cold_decisions"));
	ws_samples_push_rep_num(&v->f1_dec_2m, ws_json_num(t, "f1_cold_decisions_2m"));
	ws_samples_push_rep_num(&v->f1_cum, ws_json_num(t, "f1_cold_cumulative"));
	ws_samples_push_rep_num(&v->f1_cum_2m, ws_json_num(t, "f1_cold_cumulative_2m"));
	ws_samples_push_rep_num(&v->cpu, ws_json_num(t, "cpu_per_interval_ns"));
	ws_samples_push_rep_num(&v->refault_rate, ws_json_num(t, "refaults_per_s"));
	ws_samples_push_rep_num(&v->frozen, pct_of(ws_json_num(t, "frozen_s"), wall));
	ws_samples_push_rep_num(&v->paused, pct_of(ws_json_num(t, "paused_s"), wall));
	ws_samples_push_rep_num(&v->rate_t, rt);
	ws_samples_push_rep_num(&v->rate_u, ru);
	ws_samples_push_rep_num(&v->slowdown, ru > 0 ? 100.0 * (1 - rt / ru) : NAN);
	ws_samples_push_rep_num(&v->p99_t, ws_json_num(t, "access_p99_ns"));
	ws_samples_push_rep_num(&v->p99_u, ws_json_num(u, "access_p99_ns"));
	if (!dec)
		return;
	v->called_cold += (uint64_t)ws_json_num(dec, "reported");
	v->false_read += (uint64_t)ws_json_num(t, "false_cold_decisions_read");
	v->false_write += (uint64_t)ws_json_num(t, "false_cold_decisions_write");
}

/* One repetition's numbers into the case's series. */
static void vc_add(struct vc_case *v, json_t *tracked, json_t *untracked)
{
	json_t *t = json_object_get(tracked, "run");
	json_t *u = json_object_get(untracked, "run");
	json_t *x;
	size_t i;

	vc_add_scores(v, t, u);
	json_array_foreach(json_object_get(tracked, "intervals"), i, x)
		ws_samples_push(&v->window, ws_json_num(x, "window_ns"));
	ws_samples_end_rep(&v->window);
	json_array_foreach(json_object_get(t, "refault_ns"), i, x)
		ws_samples_push(&v->refault_ns, json_number_value(x));
	ws_samples_end_rep(&v->refault_ns);
	v->lost += (uint64_t)ws_json_num(json_object_get(t, "integrity"), "pages_lost") *
		   !!json_object_get(t, "integrity");
	v->evicted += (uint64_t)ws_json_num(t, "evicted");
	v->refaults += (uint64_t)ws_json_num(t, "refaults");
	/* Raw refault latencies live in the series, not twice. */
	json_object_del(t, "refault_ns");
	json_object_del(u, "refault_ns");
	if (!v->intervals)
		v->intervals = json_incref(json_object_get(tracked, "intervals"));
	json_array_append_new(v->runs, json_pack("{s:O,s:O}", "tracked",
						 tracked, "untracked",
						 untracked));
}

static json_t *vc_metrics(struct ws_bench_ctx *ctx, struct vc_case *v)
{
	json_t *m = json_object();

	ws_metric_add(ctx, m, "f1_cold_decisions", &v->f1_dec, "ratio");
	ws_metric_add(ctx, m, "f1_cold_decisions_2m", &v->f1_dec_2m, "ratio");
	ws_metric_add(ctx, m, "f1_cold_cumulative", &v->f1_cum, "ratio");
	ws_metric_add(ctx, m, "f1_cold_cumulative_2m", &v->f1_cum_2m, "ratio");
	ws_metric_add(ctx, m, "cpu_per_interval_ns", &v->cpu, "ns");
	ws_metric_add(ctx, m, "refaults_per_s", &v->refault_rate, "refaults/s");
	ws_metric_add(ctx, m, "slowdown_pct", &v->slowdown, "%");
	ws_metric_add(ctx, m, "frozen_pct", &v->frozen, "%");
	ws_metric_add(ctx, m, "vcpus_paused_pct", &v->paused, "%");
	ws_metric_add(ctx, m, "accesses_per_s", &v->rate_t, "accesses/s");
	ws_metric_add(ctx, m, "accesses_per_s_untracked", &v->rate_u,
		      "accesses/s");
	ws_metric_add(ctx, m, "access_p99_ns", &v->p99_t, "ns");
	ws_metric_add(ctx, m, "access_p99_ns_untracked", &v->p99_u, "ns");
	ws_metric_add(ctx, m, "window_ns", &v->window, "ns");
	ws_metric_add(ctx, m, "refault_ns", &v->refault_ns, "ns");
	return m;
}

static json_t *num_or_null(double x)
{
	return isnan(x) ? json_null() : json_real(x);
}

/* 100 * a / b, null without a denominator. */
static json_t *pct(uint64_t a, uint64_t b)
{
	return b ? json_real(100.0 * (double)a / (double)b) : json_null();
}

static void vc_report(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		      enum ws_backing b, enum ws_mode mode,
		      const struct ws_cycle_opts *o, struct vc_case *v)
{
	json_t *j = ws_case_json(ops, b, mode);

	json_object_set_new(j, "pattern", json_string(o->pattern_name));
	json_object_set_new(j, "freeze", json_string(ws_freeze_name(
		b == WS_BACKING_SHMEM ? ws_cycle_freeze(ops, o->unsafe) :
		WS_FREEZE_NONE)));
	if (o->test_punch_delay_us)
		json_object_set_new(j, "test_hook", json_pack("{s:s,s:I}", "what",
			"WSBENCH_TEST_PUNCH_DELAY_US: a wait of up to punch_delay_us between each interval's write-outs and its punches, ended when a vCPU writes a page written out (tests: --protocol unsafe loses data whenever a vCPU writes an evicted page)",
			"punch_delay_us", (json_int_t)o->test_punch_delay_us));
	json_object_set_new(j, "protocol", json_string(o->unsafe ? "unsafe" :
						       "safe"));
	json_object_set_new(j, "params", json_pack("{s:I,s:I,s:I,s:f,s:I}",
		"size_bytes", (json_int_t)o->size,
		"vcpus", (json_int_t)o->threads,
		"intervals", (json_int_t)o->intervals,
		"interval_ms", o->interval_ns / 1e6,
		"cold_after", (json_int_t)o->cold_after));
	if (b != WS_BACKING_SHMEM)
		json_object_set_new(j, "eviction",
				    json_string(detection_only_why(b)));
	json_object_set_new(j, "metrics", vc_metrics(ctx, v));
	json_object_set_new(j, "summary", json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:I}",
		"f1_cold_decisions", num_or_null(ws_samples_median(&v->f1_dec)),
		"f1_cold_cumulative", num_or_null(ws_samples_median(&v->f1_cum)),
		"false_cold_decisions_pct", pct(v->false_read + v->false_write,
						v->called_cold),
		"false_cold_decisions_read_pct", pct(v->false_read,
						     v->called_cold),
		"false_cold_decisions_write_pct", pct(v->false_write,
						      v->called_cold),
		"cpu_per_interval_ns", num_or_null(ws_samples_median(&v->cpu)),
		"slowdown_pct", num_or_null(ws_samples_median(&v->slowdown)),
		"refaults_per_s", num_or_null(ws_samples_median(&v->refault_rate)),
		"frozen_pct", num_or_null(ws_samples_median(&v->frozen)),
		"vcpus_paused_pct", num_or_null(ws_samples_median(&v->paused)),
		"stall_clock", json_string("wall"),
		"pages_lost", (json_int_t)v->lost,
		"evicted", (json_int_t)v->evicted,
		"refaults", (json_int_t)v->refaults));
	json_object_set_new(j, "intervals", v->intervals);
	json_object_set_new(j, "runs", v->runs);
	v->intervals = v->runs = NULL;
	ws_result_add(ctx->res, j);
}

/* For ws_run_twins(); numa_interplay.c's ni_twin runs a NUMA run instead. */
struct vc_twin {
	struct ws_bench_ctx *ctx;
	const struct ws_cycle_opts *o;
	const struct ws_tracker_ops *ops;
	enum ws_mode mode;
	struct vc_case *v;
};

static int vc_twin_run(void *arg, bool tracked, json_t **out)
{
	struct vc_twin *tw = arg;

	return ws_cycle_run(tw->ctx, tw->o, tracked ? tw->ops : NULL,
			    tw->mode, out);
}

static void vc_twin_add(void *arg, json_t *tracked, json_t *untracked)
{
	vc_add(((struct vc_twin *)arg)->v, tracked, untracked);
}

/* One pattern's repetitions; *lost: the error is data loss, not ours. */
static int vc_pattern(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		      enum ws_backing b, struct ws_cycle_opts *o, bool *lost)
{
	enum ws_mode mode = ws_cycle_mode(ops);
	struct vc_case v;
	struct vc_twin tw = { ctx, o, ops, mode, &v };
	int ret;

	vc_init(&v);
	ret = ws_run_twins(ctx, vc_twin_run, vc_twin_add, &tw);
	/*
	 * Lost data is an error under either protocol: --protocol unsafe is
	 * there to show the check catches it, and a run that lost pages must
	 * not read as a clean one (exit 0, "0 errors").
	 */
	*lost = !ret && v.lost;
	if (*lost)
		ret = ws_case_fail(ctx, EIO,
				   "vmm-cycle (%s): %llu pages lost their content under the %s protocol",
				   o->pattern_name, (unsigned long long)v.lost,
				   o->unsafe ? "unsafe (no freeze)" : "safe");
	if (!ret || v.runs)
		vc_report(ctx, ops, b, mode, o, &v);
	vc_free(&v);
	return ret;
}

/*
 * Every pattern, on @ops: data loss in one is reported and the others
 * still run (an unsafe run shows each pattern's losses); any other error
 * ends the case.  The first error is the case's.
 */
static int vc_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, void *arg)
{
	const struct ws_params *p = ctx->p;
	char name[128], err[sizeof(ctx->skip_reason)];
	bool go_on = true;
	int ret = 0, first = 0;

	(void)mode;
	(void)arg;
	for (size_t i = 0; go_on && i < p->npatterns; i++) {
		struct ws_pattern *pat;
		bool lost = false;
		struct ws_cycle_opts o = {
			.pattern_name = name,
			.backing = backing,
			.size = p->sizes[0],
			.threads = (unsigned int)p->vcpus,
			.intervals = (unsigned int)p->intervals,
			.interval_ns = (uint64_t)(p->interval_ms * 1e6),
			.cold_after = (unsigned int)p->cold_after,
			.unsafe = p->unsafe,
			.seed = p->seed,
			.storage_dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			.test_punch_delay_us = test_punch_delay_us(),
		};

		ret = ws_case_pattern(ctx, p->patterns[i], name, sizeof(name),
				      &pat);
		if (ret)
			return first ? first : ret;
		o.pattern = pat;
		ret = vc_pattern(ctx, ops, backing, &o, &lost);
		ws_pattern_free(pat);
		go_on = !ret || lost;
		if (ret && !first) {
			ws_case_say_point(ctx, " (pattern %s)", name);
			first = ret;
			snprintf(err, sizeof(err), "%s", ctx->skip_reason);
		}
	}
	if (first)
		snprintf(ctx->skip_reason, sizeof(ctx->skip_reason), "%s", err);
	return first;
}

static int vmm_cycle_run(struct ws_bench_ctx *ctx)
{
	return ws_run_each_case(ctx, "vmm-cycle", vc_case, NULL, false);
}

static void vmm_cycle_defaults(struct ws_params *p, enum ws_profile profile)
{
	static char dflt[2][16] = { "uniform-hot20", "read-mostly" };
	bool q = profile == WS_PROFILE_QUICK;

	p->backings = WS_BACKING_BIT(WS_BACKING_SHMEM);
	p->sizes[0] = q ? 32UL << 20 : 128UL << 20;
	p->nsizes = 1;
	p->patterns[0] = dflt[0];
	p->patterns[1] = dflt[1];
	p->npatterns = 2;
	p->intervals = q ? 10 : 30;
	p->interval_ms = 100;
	p->cold_after = 2;
	p->vcpus = 2;
	p->min_reps = q ? 2 : 3;
	p->max_reps = p->min_reps;
}

WS_BENCHMARK(vmm_cycle,
	.name		= "vmm-cycle",
	.summary	= "the whole VMM cycle (detect, freeze, evict, refault) on a workload pattern with ground truth, per backend, against an untracked run: cold-set F1, CPU, stall, slowdown, refaults, pages lost",
	.options	= "--backend --backing --size --pattern --vcpus --intervals --interval-ms --cold-after --protocol --min-reps",
	.regions_at_once = 1
);
