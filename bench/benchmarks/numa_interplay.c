// SPDX-License-Identifier: GPL-2.0
/*
 * numa-interplay: how do working-set tracking and automatic NUMA balancing
 * get in each other's way?  Both RWP and NUMA balancing use PROT_NONE
 * PTEs.  In Linux 7.3 NUMA scanning runs on RWP VMAs but skips PTEs that
 * are already PROT_NONE, and UFFDIO_RWPROTECT turns a pending NUMA-hint
 * PTE into an RWP one, so that hint is lost (brief §1.9); the RFC
 * (minor-anon) skipped NUMA scanning on its VMAs and fed the scheduler's
 * placement statistics from its own faults instead.
 *
 * A workload whose threads run on one node (cpu_node) while its memory
 * was first touched on another (mem_node) runs for a fixed number of
 * intervals with kernel.numa_balancing=1, untracked and under each
 * backend re-arming every interval, the two alternating repetition by
 * repetition, each run in a process of its own (numa_fork.c).  Reported:
 * hint faults, pages migrated and the fraction of the pages on the
 * threads' node at the end, tracked vs untracked; the tracker's precision
 * and recall while NUMA scanning runs; the extra faults the workload
 * takes.  A machine with one node skips with the probe's reason.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "cycle.h"
#include "env.h"
#include "jsonfile.h"
#include "knobs.h"
#include "numa_interplay.h"
#include "parse.h"
#include "stats.h"

/* Node free memory the region may use at most: leave the kernel room. */
#define NODE_FILL_PCT	75

struct ni_bench {
	struct ws_numa_topo topo;
	int cpu_node, mem_node;
	json_t *numa;		/* what was in force, for every case */
};

/* Per-repetition series of one case. */
struct ni_series {
	struct ws_samples lf, lf_u, mig, mig_u, hint, hint_u, pte, pte_u;
	struct ws_samples flt, flt_u, extra, prec, rec;
	uint64_t acc[6];	/* truth reported tp fp fn boundary, pooled */
	json_t *runs, *intervals, *backend_info;
	const char *rearm, *misses;
	bool lossless;
	size_t no_migration;	/* untracked runs that migrated nothing */
};

static const char *const acc_keys[6] = {
	"truth", "reported", "true_pos", "false_pos", "false_neg", "boundary",
};

static struct ws_samples *all_series(struct ni_series *s, size_t i)
{
	struct ws_samples *v[] = { &s->lf, &s->lf_u, &s->mig, &s->mig_u,
		&s->hint, &s->hint_u, &s->pte, &s->pte_u, &s->flt, &s->flt_u,
		&s->extra, &s->prec, &s->rec, NULL };

	return v[i];
}

static void series_free(struct ni_series *s)
{
	for (size_t i = 0; all_series(s, i); i++)
		ws_samples_free(all_series(s, i));
	json_decref(s->runs);
	json_decref(s->intervals);
	json_decref(s->backend_info);
}

static double vmstat(json_t *run, const char *name)
{
	return ws_json_num(json_object_get(run, "vmstat"), name);
}

/* One repetition: tracked and untracked run, {"run", "intervals"} each. */
static void series_add(struct ni_series *s, json_t *tracked, json_t *untracked)
{
	json_t *t = json_object_get(tracked, "run");
	json_t *u = json_object_get(untracked, "run");
	json_t *acc = json_object_get(t, "accuracy");
	double ft = ws_json_num(t, "worker_minflt"), fu = ws_json_num(u, "worker_minflt");

	ws_samples_push_rep_num(&s->lf, ws_json_num(t, "local_fraction_end"));
	ws_samples_push_rep_num(&s->lf_u, ws_json_num(u, "local_fraction_end"));
	ws_samples_push_rep_num(&s->mig, vmstat(t, "numa_pages_migrated"));
	ws_samples_push_rep_num(&s->mig_u, vmstat(u, "numa_pages_migrated"));
	ws_samples_push_rep_num(&s->hint, vmstat(t, "numa_hint_faults"));
	ws_samples_push_rep_num(&s->hint_u, vmstat(u, "numa_hint_faults"));
	ws_samples_push_rep_num(&s->pte, vmstat(t, "numa_pte_updates"));
	ws_samples_push_rep_num(&s->pte_u, vmstat(u, "numa_pte_updates"));
	ws_samples_push_rep_num(&s->flt, ft);
	ws_samples_push_rep_num(&s->flt_u, fu);
	ws_samples_push_rep_num(&s->extra, ft - fu);
	ws_samples_push_rep_num(&s->prec, ws_json_num(acc, "precision"));
	ws_samples_push_rep_num(&s->rec, ws_json_num(acc, "recall"));
	for (size_t i = 0; i < 6; i++)
		s->acc[i] += (uint64_t)ws_json_num(acc, acc_keys[i]);
	if (!(vmstat(u, "numa_pages_migrated") > 0))
		s->no_migration++;
	s->rearm = json_string_value(json_object_get(t, "rearm"));
	s->lossless = json_is_true(json_object_get(t, "rearm_lossless"));
	s->misses = json_string_value(json_object_get(t, "rearm_misses"));
	if (json_object_get(t, "backend_info")) {
		json_decref(s->backend_info);
		s->backend_info = json_incref(json_object_get(t, "backend_info"));
	}
	if (!s->intervals)
		s->intervals = json_incref(json_object_get(tracked, "intervals"));
	json_array_append_new(s->runs, json_pack("{s:O,s:O}", "tracked",
						 tracked, "untracked",
						 untracked));
}

static json_t *pooled_accuracy(const struct ni_series *s)
{
	json_t *j = json_object();
	uint64_t rep = s->acc[1], fp = s->acc[3], truth = s->acc[0];

	for (size_t i = 0; i < 6; i++)
		json_object_set_new(j, acc_keys[i], json_integer((json_int_t)s->acc[i]));
	json_object_set_new(j, "precision", json_real(rep ? 1.0 - (double)fp /
						      (double)rep : 1.0));
	json_object_set_new(j, "recall", json_real(truth ? (double)s->acc[2] /
						   (double)truth : 1.0));
	return j;
}

static void add_metric(struct ws_bench_ctx *ctx, json_t *m, const char *name,
		       const struct ws_samples *v, const char *unit,
		       const char *better)
{
	ws_metric_add(ctx, m, name, v, unit);
	if (better && json_object_get(m, name))
		json_object_set_new(json_object_get(m, name), "better",
				    json_string(better));
}

static json_t *metrics_json(struct ws_bench_ctx *ctx, struct ni_series *s)
{
	json_t *m = json_object();

	add_metric(ctx, m, "local_fraction_end", &s->lf, "ratio", NULL);
	add_metric(ctx, m, "local_fraction_end_untracked", &s->lf_u, "ratio", NULL);
	/* Pages moved to the threads' node: what NUMA balancing is for. */
	add_metric(ctx, m, "pages_migrated", &s->mig, "pages", "higher");
	add_metric(ctx, m, "pages_migrated_untracked", &s->mig_u, "pages", "higher");
	add_metric(ctx, m, "hint_faults", &s->hint, "faults", NULL);
	add_metric(ctx, m, "hint_faults_untracked", &s->hint_u, "faults", NULL);
	add_metric(ctx, m, "pte_updates", &s->pte, "ptes", NULL);
	add_metric(ctx, m, "pte_updates_untracked", &s->pte_u, "ptes", NULL);
	add_metric(ctx, m, "worker_minflt", &s->flt, "faults", NULL);
	add_metric(ctx, m, "worker_minflt_untracked", &s->flt_u, "faults", NULL);
	add_metric(ctx, m, "extra_faults", &s->extra, "faults", NULL);
	add_metric(ctx, m, "precision", &s->prec, "ratio", NULL);
	add_metric(ctx, m, "recall", &s->rec, "ratio", NULL);
	return m;
}

static json_t *med(const struct ws_samples *s)
{
	return s->n ? json_real(ws_median(s->v, s->n)) : json_null();
}

static json_t *summary_json(const struct ni_series *s, unsigned int intervals)
{
	double mt = s->mig.n ? ws_median(s->mig.v, s->mig.n) : NAN;
	double mu = s->mig_u.n ? ws_median(s->mig_u.v, s->mig_u.n) : NAN;
	double ex = s->extra.n ? ws_median(s->extra.v, s->extra.n) : NAN;
	json_t *acc = pooled_accuracy(s);
	json_t *j = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:O,s:O,s:I}",
		"local_fraction_end", med(&s->lf),
		"local_fraction_end_untracked", med(&s->lf_u),
		"pages_migrated", med(&s->mig),
		"pages_migrated_untracked", med(&s->mig_u),
		"migrated_vs_untracked", mu > 0 ? json_real(mt / mu) : json_null(),
		"hint_faults", med(&s->hint),
		"hint_faults_untracked", med(&s->hint_u),
		"pte_updates", med(&s->pte),
		"pte_updates_untracked", med(&s->pte_u),
		"extra_faults", med(&s->extra),
		"extra_faults_per_interval", isnan(ex) ? json_null() :
					     json_real(ex / intervals),
		"precision", json_object_get(acc, "precision"),
		"recall", json_object_get(acc, "recall"),
		"untracked_runs_without_migration", (json_int_t)s->no_migration);

	json_decref(acc);
	return j;
}

static void report(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing b, enum ws_mode mode, const struct ni_opts *o,
		   struct ni_bench *nb, struct ni_series *s)
{
	json_t *j = ws_case_json(ops, b, mode);

	json_object_set_new(j, "pattern", json_string(o->pattern_name));
	json_object_set_new(j, "params", json_pack("{s:I,s:I,s:I,s:I,s:f,s:i,s:i}",
		"size_bytes", (json_int_t)o->size,
		"npages", (json_int_t)(o->size / ws_page_size()),
		"vcpus", (json_int_t)o->threads,
		"intervals", (json_int_t)o->intervals,
		"interval_ms", (double)o->interval_ns / 1e6,
		"cpu_node", o->cpu_node, "mem_node", o->mem_node));
	json_object_set_new(j, "numa", json_incref(nb->numa));
	json_object_set_new(j, "rearm", json_string(s->rearm ? s->rearm : ""));
	json_object_set_new(j, "rearm_lossless", json_boolean(s->lossless));
	json_object_set_new(j, "rearm_misses",
			    json_string(s->misses ? s->misses : ""));
	json_object_set_new(j, "metrics", metrics_json(ctx, s));
	json_object_set_new(j, "accuracy", pooled_accuracy(s));
	json_object_set_new(j, "summary", summary_json(s, o->intervals));
	if (ops->sampling)
		json_object_set_new(j, "sampling", json_true());
	if (s->backend_info)
		json_object_set_new(j, "backend_info", json_incref(s->backend_info));
	json_object_set_new(j, "intervals", s->intervals ? s->intervals :
			    json_array());
	json_object_set_new(j, "runs", s->runs);
	s->intervals = s->runs = NULL;
	ws_result_add(ctx->res, j);
	if (s->no_migration)
		ws_result_warn(ctx->res, "numa-interplay %s: %zu untracked run(s) migrated no page: NUMA balancing did not act, so the tracked numbers say nothing about interplay (see params.numa_scan and numa.scan_in_force)",
			       ops->name, s->no_migration);
}

/* For ws_run_twins(); vmm_cycle.c's vc_twin runs the VMM cycle instead. */
struct ni_twin {
	struct ws_bench_ctx *ctx;
	const struct ni_opts *o;
	const struct ws_tracker_ops *ops;
	enum ws_mode mode;
	struct ni_series *s;
};

static int ni_twin_run(void *arg, bool tracked, json_t **out)
{
	struct ni_twin *tw = arg;

	return ni_run_isolated(tw->ctx, tw->o, tracked ? tw->ops : NULL,
			       tw->mode, out);
}

static void ni_twin_add(void *arg, json_t *tracked, json_t *untracked)
{
	series_add(((struct ni_twin *)arg)->s, tracked, untracked);
}

static int run_pattern(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		       enum ws_backing b, enum ws_mode mode,
		       const struct ni_opts *o, struct ni_bench *nb)
{
	struct ni_series s;
	struct ni_twin tw = { ctx, o, ops, mode, &s };
	int ret;

	memset(&s, 0, sizeof(s));
	s.runs = json_array();
	ret = ws_run_twins(ctx, ni_twin_run, ni_twin_add, &tw);
	if (!ret)
		report(ctx, ops, b, mode, o, nb, &s);
	series_free(&s);
	return ret;
}

static const struct ws_numa_node *node(const struct ni_bench *nb, int id)
{
	for (int i = 0; i < nb->topo.nnodes; i++)
		if (nb->topo.nodes[i].id == id)
			return &nb->topo.nodes[i];
	return NULL;
}

/* The room mem_node has now, and the default thread count. */
static int case_checks(struct ws_bench_ctx *ctx, struct ni_bench *nb,
		       enum ws_backing b, unsigned int *threads)
{
	const struct ws_numa_node *mn, *cn;
	char why[512], sz[32];
	cpu_set_t allowed, work;

	if (b == WS_BACKING_HUGETLB)
		return ws_case_skip(ctx, "NUMA balancing never scans hugetlb mappings (task_numa_work skips them): nothing could migrate");
	/* Free memory now, not at the probe. */
	if (ws_numa_topo_read(WS_NUMA_SYSFS, &nb->topo, why, sizeof(why)))
		return ws_case_fail(ctx, EIO, "%s", why);
	mn = node(nb, nb->mem_node);
	cn = node(nb, nb->cpu_node);
	if (!mn || !cn)
		return ws_case_fail(ctx, ENODEV, "node %d or %d is gone",
				    nb->cpu_node, nb->mem_node);
	if (mn->mem_free_kb * 1024 / 100 * NODE_FILL_PCT < ctx->p->sizes[0])
		return ws_case_skip(ctx, "node %d has %llu MiB free: a %s region would fill more than %d %% of it",
				    nb->mem_node,
				    (unsigned long long)mn->mem_free_kb / 1024,
				    ws_fmt_size(ctx->p->sizes[0], sz, sizeof(sz)),
				    NODE_FILL_PCT);
	CPU_ZERO(&allowed);
	sched_getaffinity(0, sizeof(allowed), &allowed);
	CPU_AND(&work, &cn->cpus, &allowed);
	*threads = ctx->p->vcpus ? (unsigned int)ctx->p->vcpus :
		   (unsigned int)CPU_COUNT(&work);
	return 0;
}

static int ni_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, void *arg)
{
	struct ni_bench *nb = arg;
	const struct ws_params *p = ctx->p;
	char name[128];
	unsigned int threads = 0;
	int ret = case_checks(ctx, nb, backing, &threads);

	for (size_t i = 0; !ret && i < p->npatterns; i++) {
		struct ws_pattern *pat;
		struct ni_opts o = {
			.pattern_name = name,
			.backing = backing,
			.size = p->sizes[0],
			.threads = threads,
			.intervals = (unsigned int)p->intervals,
			.interval_ns = (uint64_t)(p->interval_ms * 1e6),
			.seed = p->seed,
			.topo = &nb->topo,
			.cpu_node = nb->cpu_node,
			.mem_node = nb->mem_node,
		};

		ret = ws_case_pattern(ctx, p->patterns[i], name, sizeof(name),
				      &pat);
		if (ret)
			return ret;
		o.pat = pat;
		ret = run_pattern(ctx, ops, backing, mode, &o, nb);
		if (ret)
			ws_case_say_point(ctx, " (pattern %s)", name);
		ws_pattern_free(pat);
	}
	return ret;
}

static __attribute__((format(printf, 2, 3)))
void bench_error(struct ws_bench_ctx *ctx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(json_object_get(ctx->res->root, "errors"),
			      json_pack("{s:s}", "error", msg));
	ctx->errors++;
}

/* Every selected backend skips with @why (one node, no NUMA balancing). */
static void skip_all(struct ws_bench_ctx *ctx, const char *why)
{
	for (size_t i = 0; ws_trackers[i]; i++)
		if (ctx->p->backends & (1u << i))
			ws_result_skip(ctx->res, ws_trackers[i]->name, NULL,
				       NULL, why);
}

/*
 * kernel.numa_balancing=1 and the scan tunables (--numa-scan), through
 * the knobs: restored at exit, on errors and signals.
 */
static int set_knobs(struct ws_bench_ctx *ctx, struct ni_bench *nb)
{
	json_t *params = json_object_get(ctx->res->root, "params");
	char err[512], bal[16] = "";
	int ret = ws_knob_set(WS_NUMA_BALANCING, "1");

	if (ret) {
		bench_error(ctx, "%s: cannot write 1: %s", WS_NUMA_BALANCING,
			    strerror(-ret));
		return -1;
	}
	json_object_set_new(params, "numa_scan",
			    ws_numa_scan_json(&ctx->p->numa_scan));
	ret = ws_numa_scan_apply(WS_NUMA_SCAN_DIR, &ctx->p->numa_scan, err,
				 sizeof(err));
	if (ret == -ENOENT)
		ws_result_warn(ctx->res, "--numa-scan not applied (%s: mount debugfs): the kernel's NUMA scan delay and periods are in force, and a short run may see no scan at all",
			       err);
	else if (ret) {
		bench_error(ctx, "--numa-scan: %s", err);
		return -1;
	}
	ws_knob_read(WS_NUMA_BALANCING, bal, sizeof(bal));
	nb->numa = json_pack("{s:s,s:o,s:o,s:i,s:i}",
		"numa_balancing", bal,
		"scan_in_force", ws_numa_scan_read_json(WS_NUMA_SCAN_DIR),
		"topology", ws_numa_topo_json(&nb->topo),
		"cpu_node", nb->cpu_node, "mem_node", nb->mem_node);
	return 0;
}

static int numa_interplay_run(struct ws_bench_ctx *ctx)
{
	struct ni_bench nb = { .numa = NULL };
	char why[512];

	if (ws_numa_probe(&nb.topo, &nb.cpu_node, &nb.mem_node, why,
			  sizeof(why))) {
		skip_all(ctx, why);
		return 0;
	}
	if (set_knobs(ctx, &nb))
		return 0;
	/* What follows ran under these: the record must say so. */
	ws_env_refresh_knobs(json_object_get(ctx->res->root, "environment"));
	ws_run_each_case(ctx, "numa-interplay", ni_case, &nb, true);
	json_decref(nb.numa);
	return 0;
}

static void numa_interplay_defaults(struct ws_params *p, enum ws_profile profile)
{
	static char dflt[] = "numa-shift";
	bool q = profile == WS_PROFILE_QUICK;

	p->backings = WS_BACKING_BIT(WS_BACKING_ANON);
	p->modes = WS_MODE_BIT(WS_MODE_ASYNC);
	p->sizes[0] = q ? 32UL << 20 : 64UL << 20;
	p->nsizes = 1;
	p->patterns[0] = dflt;
	p->npatterns = 1;
	p->intervals = q ? 20 : 30;
	p->interval_ms = 200;
	p->vcpus = 0;		/* one per CPU of the threads' node */
	p->min_reps = q ? 1 : 3;
	p->max_reps = p->min_reps;
	ws_numa_scan_default(&p->numa_scan);
}

WS_BENCHMARK(numa_interplay,
	.name		= "numa-interplay",
	.summary	= "NUMA balancing vs tracking: threads on one node, memory first touched on another, numa_balancing=1, untracked vs each backend re-arming every interval: hint faults, pages migrated, local fraction, precision/recall, extra faults",
	.options	= "--backend --backing --mode --size --pattern --vcpus --intervals --interval-ms --min-reps --numa-scan",
	.regions_at_once = 1
);
