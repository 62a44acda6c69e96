// SPDX-License-Identifier: GPL-2.0
/*
 * Keep anon-thp cases on THP (see struct ws_thp_guard in common.h): a
 * number labelled anon-thp was measured on PMD-mapped memory, or the case
 * says how far it was not.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "pagemap.h"

void ws_thp_guard_init(struct ws_thp_guard *g, enum ws_backing b)
{
	memset(g, 0, sizeof(*g));
	g->on = b == WS_BACKING_ANON_THP;
	g->min_start = g->min_timed = NAN;
}

/* NAN when the kernel cannot tell (no PAGEMAP_SCAN): said once. */
static double coverage(struct ws_thp_guard *g, const struct ws_mem *m)
{
	double frac;
	int ret = ws_pagemap_pmd_coverage(m, &frac);

	if (!ret)
		return frac;
	snprintf(g->unverified, sizeof(g->unverified),
		 "PMD coverage not measurable: PAGEMAP_SCAN(PAGE_IS_HUGE): %s",
		 strerror(-ret));
	return NAN;
}

static void note_min(double *min, double v)
{
	if (!isnan(v) && (isnan(*min) || v < *min))
		*min = v;
}

/* A fresh, populated region in place of @m, @t re-opened on it. */
static int reestablish(struct ws_bench_ctx *ctx, struct ws_mem *m,
		       struct ws_tracker *t)
{
	const struct ws_tracker_ops *ops = t ? t->ops : NULL;
	enum ws_mode mode = t ? t->mode : WS_MODE_ASYNC;
	enum ws_rearm rearm = t ? t->rearm : WS_REARM_PER_RUN;
	size_t len = m->len;
	int ret;

	if (ops)
		ws_tracker_close(t);
	ws_mem_unmap(m);
	ret = ws_case_map(ctx, m, WS_BACKING_ANON_THP, len);
	if (ret)
		return ret > 0 ? ws_case_fail(ctx, ENOMEM, "anon-thp: remapping a split region: %s",
					      ctx->skip_reason) : ret;
	ws_mem_populate(m);
	if (!ops)
		return 0;
	ret = ws_case_open(ctx, t, ops, m, mode);
	if (!ret)
		t->rearm = rearm;
	return ret;
}

int ws_thp_guard_start(struct ws_bench_ctx *ctx, struct ws_thp_guard *g,
		       struct ws_mem *m, struct ws_tracker *t)
{
	double cov;
	int ret;

	if (!g->on)
		return 0;
	g->reps++;
	cov = coverage(g, m);
	if (!isnan(cov) && cov < 1.0) {
		ret = reestablish(ctx, m, t);
		if (ret)
			return ret;
		g->reestablished++;
		cov = coverage(g, m);
	}
	note_min(&g->min_start, cov);
	if (!isnan(cov) && cov < 1.0)
		g->degraded++;
	return 0;
}

void ws_thp_guard_timed(struct ws_thp_guard *g, const struct ws_mem *m)
{
	if (g->on)
		note_min(&g->min_timed, coverage(g, m));
}

static json_t *num(double x)
{
	return isnan(x) ? json_null() : json_real(x);
}

json_t *ws_thp_guard_add(json_t *j, const struct ws_thp_guard *g)
{
	json_t *thp;

	if (!g->on)
		return NULL;
	thp = json_pack("{s:o,s:o,s:I,s:I,s:I,s:b,s:s?}",
			 "pmd_coverage_min_start", num(g->min_start),
			 "pmd_coverage_min_timed", num(g->min_timed),
			 "reps", (json_int_t)g->reps,
			 "reestablished", (json_int_t)g->reestablished,
			 "degraded_reps", (json_int_t)g->degraded,
			 "degraded", g->degraded > 0 || g->unverified[0],
			 "unverified", g->unverified[0] ? g->unverified : NULL);
	json_object_set_new(j, "thp", thp);
	return thp;
}
