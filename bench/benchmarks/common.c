// SPDX-License-Identifier: GPL-2.0
/*
 * What every benchmark shares: parameter JSON, the repetition loop, and the
 * backend x backing x mode iteration that records every combination it does
 * not measure as a skip with its reason, so a result file always says why a
 * cell of the matrix is empty.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "common.h"
#include "cycle.h"
#include "parse.h"
#include "pattern.h"
#include "stats.h"
#include "threads.h"
#include "timing.h"

static const char *const profile_names[WS_PROFILE_NR] = {
	[WS_PROFILE_QUICK]	= "quick",
	[WS_PROFILE_DEFAULT]	= "default",
};

static const char *const layout_names[WS_LAYOUT_NR] = {
	[WS_LAYOUT_CONTIGUOUS]	= "contiguous",
	[WS_LAYOUT_SCATTERED]	= "scattered",
};

const char *ws_profile_name(enum ws_profile p)
{
	return p < WS_PROFILE_NR ? profile_names[p] : "?";
}

const char *ws_layout_name(enum ws_layout l)
{
	return l < WS_LAYOUT_NR ? layout_names[l] : "?";
}

/* The names of the set bits of @mask, name(i) for bit i, as an array. */
static json_t *names_json(unsigned int mask, int n,
			  const char *(*name)(int i))
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		if (mask & (1u << i))
			json_array_append_new(a, json_string(name(i)));
	return a;
}

static const char *tracker_name(int i)
{
	return ws_trackers[i]->name;
}

static const char *backing_name(int i)
{
	return ws_backing_name(i);
}

static const char *mode_name(int i)
{
	return ws_mode_name(i);
}

static const char *layout_name(int i)
{
	return ws_layout_name(i);
}

static const char *rearm_name(int i)
{
	return ws_rearm_name(i);
}

static int nr_trackers(void)
{
	int n = 0;

	while (ws_trackers[n])
		n++;
	return n;
}

/* The vmm-cycle options, so that a replay of a non-default run is exact. */
static void params_vmm_json(json_t *j, const struct ws_params *p)
{
	json_t *pats = json_array();

	for (size_t i = 0; i < p->npatterns; i++)
		json_array_append_new(pats, json_string(p->patterns[i]));
	json_object_set_new(j, "patterns", pats);
	json_object_set_new(j, "intervals", json_integer(p->intervals));
	json_object_set_new(j, "interval_ms", json_real(p->interval_ms));
	json_object_set_new(j, "cold_after", json_integer(p->cold_after));
	json_object_set_new(j, "protocol",
			    json_string(p->unsafe ? "unsafe" : "safe"));
	json_object_set_new(j, "vcpus", json_integer(p->vcpus));
}

/* restore's populate methods (bench.h): the option and the JSON say these. */
const char *const ws_populate_names[] = { "write", "copy", "alias", NULL };

static const char *populate_name(int i)
{
	return ws_populate_names[i];
}

/* restore's options, only where they apply (the others leave them 0). */
static void params_restore_json(json_t *j, const struct ws_params *p)
{
	if (!p->populates)
		return;
	json_object_set_new(j, "populates", names_json(p->populates,
						       WS_POPULATE_NR,
						       populate_name));
	json_object_set_new(j, "holes_pct", json_real(p->holes_pct));
}

json_t *ws_params_json(const struct ws_params *p)
{
	json_t *j = json_object(), *sizes = json_array();
	json_t *threads = json_array(), *hot = json_array();

	for (size_t i = 0; i < p->nsizes; i++)
		json_array_append_new(sizes, json_integer(p->sizes[i]));
	for (size_t i = 0; i < p->nthreads; i++)
		json_array_append_new(threads, json_integer(p->threads[i]));
	for (size_t i = 0; i < p->nhot; i++)
		json_array_append_new(hot, json_real(p->hot_pcts[i]));

	json_object_set_new(j, "profile",
			    json_string(ws_profile_name(p->profile)));
	json_object_set_new(j, "backends", names_json(p->backends,
						      nr_trackers(),
						      tracker_name));
	json_object_set_new(j, "backings", names_json(p->backings,
						      WS_BACKING_NR,
						      backing_name));
	json_object_set_new(j, "modes", names_json(p->modes, WS_MODE_NR,
						   mode_name));
	json_object_set_new(j, "layouts", names_json(p->layouts, WS_LAYOUT_NR,
						     layout_name));
	json_object_set_new(j, "rearms", names_json(p->rearms, WS_REARM_NR,
						    rearm_name));
	json_object_set_new(j, "sizes_bytes", sizes);
	json_object_set_new(j, "threads", threads);
	json_object_set_new(j, "hot_pcts", hot);
	json_object_set_new(j, "pages", json_integer(p->pages));
	json_object_set_new(j, "warmup", json_integer(p->warmup));
	json_object_set_new(j, "min_reps", json_integer(p->min_reps));
	json_object_set_new(j, "max_reps", json_integer(p->max_reps));
	json_object_set_new(j, "min_time_s", json_real(p->min_time_s));
	json_object_set_new(j, "seed", json_integer(p->seed));
	json_object_set_new(j, "hugepages_request",
			    json_integer(p->hugepages_request));
	params_vmm_json(j, p);
	params_restore_json(j, p);
	json_object_set_new(j, "run_id",
			    p->run_id ? json_string(p->run_id) : json_null());
	json_object_set_new(j, "out_dir",
			    p->out_dir ? json_string(p->out_dir) : json_null());
	return j;
}

int ws_repeat(const struct ws_params *p,
	      int (*once)(void *arg, bool measured), void *arg,
	      size_t *reps)
{
	uint64_t min_ns = (uint64_t)(p->min_time_s * 1e9);
	uint64_t start;
	size_t n = 0;
	int ret = 0;

	for (uint64_t i = 0; i < p->warmup; i++) {
		ret = once(arg, false);
		if (ret < 0)
			goto out;
	}
	start = ws_now_ns();
	/* At least one measured call; max_reps == 0 means no cap. */
	for (;;) {
		if (p->max_reps && n >= p->max_reps)
			break;
		if (n && n >= p->min_reps && ws_now_ns() - start >= min_ns)
			break;
		ret = once(arg, true);
		if (ret < 0)
			break;
		n++;
	}
out:
	if (reps)
		*reps = n;
	return ret < 0 ? ret : 0;
}

/* Probing can be slow (throwaway fds, scratch mappings): once per process. */
#define MAX_TRACKERS	32
static struct ws_probe probes[MAX_TRACKERS];
static bool probed[MAX_TRACKERS];

static const struct ws_probe *probe_cached(size_t i)
{
	if (i >= MAX_TRACKERS) {
		static struct ws_probe none = {
			.reason = "internal: too many trackers for the probe cache",
		};
		return &none;
	}
	if (!probed[i]) {
		memset(&probes[i], 0, sizeof(probes[i]));
		ws_trackers[i]->probe(&probes[i]);
		if (!probes[i].supported && !probes[i].reason[0])
			snprintf(probes[i].reason, sizeof(probes[i].reason),
				 "%s: probe gave no reason",
				 ws_trackers[i]->name);
		probed[i] = true;
	}
	return &probes[i];
}

/* The mode a backend runs in when modes do not matter: async if offered. */
static int first_mode(const struct ws_tracker_ops *ops)
{
	for (int m = 0; m < WS_MODE_NR; m++)
		if (ops->modes & WS_MODE_BIT(m))
			return m;
	return -1;
}

void ws_record_error(struct ws_bench_ctx *ctx, const char *backend,
		     const char *backing, const char *mode, int ret)
{
	json_t *errors = json_object_get(ctx->res->root, "errors");
	const char *msg = ctx->skip_reason[0] ? ctx->skip_reason :
			  strerror(-ret);

	if (!errors) {
		errors = json_array();
		json_object_set_new(ctx->res->root, "errors", errors);
	}
	json_array_append_new(errors,
			      json_pack("{s:s,s:s,s:s?,s:s}",
					"backend", backend, "backing", backing,
					"mode", mode, "error", msg));
	ctx->errors++;
}

void ws_skip_once(struct ws_result *r, const char *backend,
		  const char *backing, const char *mode, const char *reason)
{
	size_t i;
	json_t *s;

	json_array_foreach(r->skipped, i, s) {
		const char *b = json_string_value(json_object_get(s, "backing"));
		const char *m = json_string_value(json_object_get(s, "mode"));

		if (!strcmp(json_string_value(json_object_get(s, "backend")) ?: "",
			    backend) &&
		    (b ? backing && !strcmp(b, backing) : !backing) &&
		    (m ? mode && !strcmp(m, mode) : !mode) &&
		    !strcmp(json_string_value(json_object_get(s, "reason")) ?: "",
			    reason))
			return;
	}
	ws_result_skip(r, backend, backing, mode, reason);
}

/*
 * One walk serves counting (@ctx == NULL) and running, so the progress
 * total always matches what runs.
 */
/* A skip for each mode asked for that @ops does not have. */
static void skip_missing_modes(struct ws_bench_ctx *ctx,
			       const struct ws_params *p,
			       const struct ws_tracker_ops *ops)
{
	char why[512];

	for (int m = 0; m < WS_MODE_NR; m++)
		if ((p->modes & WS_MODE_BIT(m)) &&
		    !(ops->modes & WS_MODE_BIT(m))) {
			snprintf(why, sizeof(why), "%s has no %s mode",
				 ops->name, ws_mode_name(m));
			ws_skip_once(ctx->res, ops->name, NULL,
				     ws_mode_name(m), why);
		}
}

/* Does @ops support backing @b?  If not, a skip (when running) says so. */
static bool backing_supported(struct ws_bench_ctx *ctx,
			      const struct ws_tracker_ops *ops, int b)
{
	char why[512];

	if (ops->backings & WS_BACKING_BIT(b))
		return true;
	if (ctx) {
		snprintf(why, sizeof(why), "%s does not support %s%s%s",
			 ops->name, ws_backing_name(b),
			 ops->backings_why ? ": " : "",
			 ops->backings_why ? ops->backings_why : "");
		ws_skip_once(ctx->res, ops->name, ws_backing_name(b), NULL, why);
	}
	return false;
}

/* One case: run, and record its skip or error. */
static void run_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		     int b, int m, ws_case_fn fn, void *arg, bool modes_matter)
{
	/* A benchmark that picks its own mode records it in its cases; a
	 * skip or error names none. */
	const char *mn = modes_matter ? ws_mode_name(m) : NULL;
	int ret;

	ws_progress_step(&ctx->prog, "%s/%s/%s", ops->name,
			 ws_backing_name(b), ws_mode_name(m));
	ctx->skip_reason[0] = '\0';
	ret = fn(ctx, ops, b, m, arg);
	if (ret == 1)
		ws_result_skip(ctx->res, ops->name, ws_backing_name(b), mn,
			       ctx->skip_reason[0] ? ctx->skip_reason :
						     "skipped (no reason given)");
	else if (ret < 0)
		ws_record_error(ctx, ops->name, ws_backing_name(b), mn, ret);
}

static size_t walk_cases(struct ws_bench_ctx *ctx, const struct ws_params *p,
			 ws_case_fn fn, void *arg, bool modes_matter)
{
	size_t n = 0;

	for (size_t i = 0; ws_trackers[i]; i++) {
		const struct ws_tracker_ops *ops = ws_trackers[i];
		const struct ws_probe *pr;

		if (!(p->backends & (1u << i)))
			continue;
		pr = probe_cached(i);
		if (!pr->supported) {
			if (ctx)
				ws_skip_once(ctx->res, ops->name, NULL, NULL,
					     pr->reason);
			continue;
		}
		if (ctx && modes_matter)
			skip_missing_modes(ctx, p, ops);
		for (int b = 0; b < WS_BACKING_NR; b++) {
			if (!(p->backings & WS_BACKING_BIT(b)) ||
			    !backing_supported(ctx, ops, b))
				continue;
			for (int m = 0; m < WS_MODE_NR; m++) {
				if (modes_matter ?
				    !(p->modes & ops->modes & WS_MODE_BIT(m)) :
				    m != first_mode(ops))
					continue;
				n++;
				if (ctx)
					run_case(ctx, ops, b, m, fn, arg,
						 modes_matter);
			}
		}
	}
	return n;
}

size_t ws_count_cases(const struct ws_params *p, bool modes_matter)
{
	return walk_cases(NULL, p, NULL, NULL, modes_matter);
}

void ws_bench_progress_start(struct ws_bench_ctx *ctx, const char *what,
			     size_t total)
{
	int quiet = ctx->prog.quiet;

	ws_progress_start(&ctx->prog, what, total);
	if (quiet)
		ctx->prog.quiet = quiet;
}

int ws_bench_pin_cpu0(struct ws_bench_ctx *ctx, const char *thread,
		      struct ws_bench_pin *pin)
{
	int ret;

	pin->restore = !sched_getaffinity(0, sizeof(pin->saved), &pin->saved);
	ret = ws_pin_self(0);
	if (ret)
		ws_result_warn(ctx->res, "%s: could not pin the %s thread to CPU 0: %s",
			       ctx->prog.what ? ctx->prog.what : "wsbench",
			       thread, strerror(-ret));
	return ret;
}

void ws_bench_unpin(const struct ws_bench_pin *pin)
{
	if (pin->restore)
		sched_setaffinity(0, sizeof(pin->saved), &pin->saved);
}

int ws_for_each_case(struct ws_bench_ctx *ctx, ws_case_fn fn, void *arg,
		     bool modes_matter)
{
	/* Benchmarks with extra steps start progress themselves. */
	if (!ctx->prog.total)
		ws_bench_progress_start(ctx, ctx->prog.what ? ctx->prog.what :
					"wsbench",
					ws_count_cases(ctx->p, modes_matter));
	walk_cases(ctx, ctx->p, fn, arg, modes_matter);
	return 0;
}

int ws_run_each_case(struct ws_bench_ctx *ctx, const char *what,
		     ws_case_fn fn, void *arg, bool modes_matter)
{
	ws_bench_progress_start(ctx, what, ws_count_cases(ctx->p, modes_matter));
	ws_for_each_case(ctx, fn, arg, modes_matter);
	ws_progress_done(&ctx->prog);
	return 0;
}

json_t *ws_case_json(const struct ws_tracker_ops *ops, enum ws_backing b,
		     enum ws_mode m)
{
	return json_pack("{s:s,s:s,s:s}", "backend", ops->name,
			 "backing", ws_backing_name(b),
			 "mode", ws_mode_name(m));
}

json_t *ws_baseline_case_json(const char *backend, enum ws_backing b)
{
	return json_pack("{s:s,s:s,s:s}", "backend", backend,
			 "backing", ws_backing_name(b),
			 "mode", WS_MODE_NONE_NAME);
}

json_t *ws_accuracy_json(const struct ws_accuracy *a)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:b}",
			 "truth", (json_int_t)a->truth,
			 "reported", (json_int_t)a->reported,
			 "true_pos", (json_int_t)a->true_pos,
			 "false_pos", (json_int_t)a->false_pos,
			 "false_neg", (json_int_t)a->false_neg,
			 "precision", a->precision,
			 "recall", a->recall,
			 "exact", ws_accuracy_exact(a));
}

void ws_default_threads(struct ws_params *p, enum ws_profile profile)
{
	uint64_t others = ws_cpu_count() > 1 ? ws_cpu_count() - 1 : 1;

	p->nthreads = 0;
	p->threads[p->nthreads++] = 0;
	if (profile == WS_PROFILE_QUICK || others + 1 > WS_MAX_LIST) {
		for (uint64_t n = 1; n < others && p->nthreads < WS_MAX_LIST - 1;
		     n *= 2)
			if (profile != WS_PROFILE_QUICK)
				p->threads[p->nthreads++] = n;
		p->threads[p->nthreads++] = others;
		return;
	}
	for (uint64_t n = 1; n <= others; n++)
		p->threads[p->nthreads++] = n;
}

static bool method_seen(const struct ws_rearm_walk *w, const char *method)
{
	for (size_t i = 0; i < w->ndone; i++)
		if (!strcmp(w->done[i], method))
			return true;
	return false;
}

bool ws_next_rearm(const struct ws_params *p, struct ws_tracker *t,
		   struct ws_rearm_walk *w)
{
	enum ws_rearm_miss misses;

	while (w->next < WS_REARM_NR) {
		int r = w->next++;
		const char *method;

		if (!(p->rearms & (1u << r)))
			continue;
		t->rearm = r;
		method = ws_tracker_rearm_method(t->ops, t, &misses);
		if (method_seen(w, method))
			continue;
		w->done[w->ndone++] = method;
		return true;
	}
	return false;
}

json_t *ws_mismatch_json(const struct ws_pageset *truth,
			 const struct ws_pageset *seen, size_t max)
{
	json_t *fp = json_array(), *fn = json_array();

	for (size_t i = 0; i < truth->npages; i++) {
		bool t = ws_pageset_test(truth, i), r = ws_pageset_test(seen, i);

		if (r && !t && json_array_size(fp) < max)
			json_array_append_new(fp, json_integer(i));
		if (t && !r && json_array_size(fn) < max)
			json_array_append_new(fn, json_integer(i));
	}
	return json_pack("{s:o,s:o}", "false_pos", fp, "false_neg", fn);
}

/* Pages of granule @g set in @s. */
static size_t granule_count(const struct ws_pageset *s, size_t g, size_t n)
{
	size_t c = 0, end = (g + 1) * n < s->npages ? (g + 1) * n : s->npages;

	for (size_t i = g * n; i < end; i++)
		c += ws_pageset_test(s, i);
	return c;
}

json_t *ws_granularity_json(const struct ws_pageset *truth,
			    const struct ws_pageset *seen, size_t granule,
			    const char *name)
{
	size_t ng = (truth->npages + granule - 1) / granule;
	struct ws_pageset gt, gs;
	struct ws_accuracy acc;
	bool partial = false, coarse = false;
	json_t *j;

	if (ws_pageset_init(&gt, ng) || ws_pageset_init(&gs, ng)) {
		ws_pageset_free(&gt);
		return NULL;
	}
	for (size_t g = 0; g < ng; g++) {
		size_t size = (g + 1) * granule <= truth->npages ? granule :
			      truth->npages - g * granule;
		size_t t = granule_count(truth, g, granule);
		size_t r = granule_count(seen, g, granule);

		if (t)
			ws_pageset_set(&gt, g);
		if (!r)
			continue;
		ws_pageset_set(&gs, g);
		partial |= r < size;
		coarse |= r == size && t < size;
	}
	ws_pageset_compare(&gt, &gs, &acc);
	j = json_pack("{s:s,s:o,s:s}", "granule", name,
		      "accuracy", ws_accuracy_json(&acc),
		      "tracked_at", partial ? "4K" : coarse ? name :
		      "indistinguishable");
	ws_pageset_free(&gt);
	ws_pageset_free(&gs);
	return j;
}

void ws_hot_set_build(struct ws_pageset *s, size_t nhot, enum ws_layout l)
{
	ws_pageset_clear(s);
	if (l == WS_LAYOUT_CONTIGUOUS) {
		ws_pageset_set_range(s, 0, nhot);
		return;
	}
	for (size_t k = 0; k < nhot; k++)
		ws_pageset_set(s, (size_t)((double)k * s->npages / nhot));
}

void ws_case_tracker_info(json_t *c, struct ws_tracker *t)
{
	json_t *info;

	if (t->ops->sampling)
		json_object_set_new(c, "sampling", json_true());
	if (t->ops->info) {
		info = t->ops->info(t);
		if (info)
			json_object_set_new(c, "backend_info", info);
	}
}

int ws_case_map_size(struct ws_bench_ctx *ctx, struct ws_mem *m,
		     const char *backend, enum ws_backing backing,
		     const char *mode, size_t size)
{
	int ret = ws_case_map(ctx, m, backing, size);

	if (ret == 1) {
		/* This size only: keep the others. */
		ws_skip_once(ctx->res, backend, ws_backing_name(backing),
			     mode, ctx->skip_reason);
		return 1;
	}
	if (!ret)
		ws_mem_populate(m);
	return ret;
}

/* Which way is better, from the unit: times and sizes down, rates up. */
const char *ws_unit_better(const char *unit)
{
	static const char *const higher[] = { "pages/s", "accesses/s",
					      "ops/s", "ratio", NULL };

	for (size_t i = 0; higher[i]; i++)
		if (!strcmp(unit, higher[i]))
			return "higher";
	return "lower";
}

int ws_run_twins(const struct ws_bench_ctx *ctx, ws_twin_run_fn run,
		 ws_twin_add_fn add, void *arg)
{
	size_t reps = ctx->p->min_reps ? ctx->p->min_reps : 1;
	int ret = 0;

	for (size_t rep = 0; !ret && rep < reps; rep++) {
		bool first = rep % 2;	/* tracked first on odd repetitions */
		json_t *t = NULL, *u = NULL;

		ret = run(arg, first, first ? &t : &u);
		if (!ret)
			ret = run(arg, !first, first ? &u : &t);
		if (!ret)
			add(arg, t, u);
		json_decref(t);
		json_decref(u);
	}
	return ret;
}

double ws_metric_add(const struct ws_bench_ctx *ctx, json_t *metrics,
		     const char *name, const struct ws_samples *v,
		     const char *unit)
{
	/*
	 * Each series gets its own bootstrap stream: with one shared seed the
	 * CI noise of every series would be the same draw, correlated across
	 * the mechanisms compared.  Numbered in run order, so a rerun with
	 * the same parameters reproduces every interval.
	 */
	static uint64_t series_no;
	json_t *s;

	if (!v->n)
		return NAN;
	s = ws_series_json_reps(v, unit,
				ctx->p->seed + 0x9E3779B97F4A7C15ULL * ++series_no);
	if (s) {
		json_object_set_new(s, "better",
				    json_string(ws_unit_better(unit)));
		json_object_set_new(metrics, name, s);
	}
	return ws_median(v->v, v->n);
}

void ws_timer_annotate(const struct ws_bench_ctx *ctx, json_t *c,
		       const double *medians, size_t n)
{
	double min = NAN;

	for (size_t i = 0; i < n; i++)
		if (!isnan(medians[i]) && (isnan(min) || medians[i] < min))
			min = medians[i];
	if (!isnan(min))
		json_object_set_new(c, "timer",
				    ws_timer_check_json(ctx->timer_ns, min));
}

size_t ws_case_len(enum ws_backing b, size_t want, size_t *npages)
{
	if (b == WS_BACKING_HUGETLB) {
		*npages = want < WS_HUGETLB_MAX_PAGES ? want :
			  WS_HUGETLB_MAX_PAGES;
		return *npages * WS_HUGETLB_PAGE;
	}
	/* Whole huge pages only (ws_mem_map refuses a partial one). */
	if (b == WS_BACKING_ANON_THP) {
		size_t per = WS_THP_SIZE / ws_page_size();

		want = (want + per - 1) / per * per;
	}
	*npages = want;
	return want * ws_page_size();
}

static const char *base_name(const char *path, char *buf, size_t len)
{
	const char *s = strrchr(path, '/');
	size_t n;

	snprintf(buf, len, "%s", s ? s + 1 : path);
	n = strlen(buf);
	if (n > 4 && !strcmp(buf + n - 4, ".pat"))
		buf[n - 4] = '\0';
	return buf;
}

int ws_case_pattern(struct ws_bench_ctx *ctx, const char *spec, char *name,
		    size_t len, struct ws_pattern **pat)
{
	char why[512], path[512];

	base_name(spec, name, len);
	if (ws_pattern_find(spec, path, sizeof(path), why, sizeof(why)) ||
	    ws_pattern_load(path, pat, why, sizeof(why)))
		return ws_case_fail(ctx, EINVAL, "%s", why);
	return 0;
}

int ws_case_map_sets(struct ws_bench_ctx *ctx, struct ws_mem *m,
		     enum ws_backing backing, size_t len, struct ws_pageset *a,
		     struct ws_pageset *b)
{
	int ret = ws_case_map(ctx, m, backing, len);

	if (ret)
		return ret;
	if (ws_pageset_init(a, m->npages) || ws_pageset_init(b, m->npages))
		return ws_case_fail(ctx, ENOMEM, "pageset of %zu pages",
				    m->npages);
	return 0;
}
